"""Bench databases: a team with N persons, realistic assessments, ratings and consents.

The rows are built and inserted in bulk by kartlegging.seeding (one statement per 5,000 rows,
one transaction) after `flask db upgrade`, so the schema is the production one; the answers are
the one "fully filled" record the tests use too, and every value stored for speed comes from
the app's own writers (derived/__init__.py).
"""
import random
from datetime import date, datetime, timedelta

from kartlegging.domain.instrument_facts import KARTLEGGING, LIVSKVALITET
from kartlegging.extensions import db
from kartlegging.models import Consent, ContactAssignment, Team, User
from kartlegging.seeding.answers import filled_answers, numbers
from kartlegging.seeding.bulk import SameAnswers, insert_assessments, insert_persons, insert_rows

PASSWORD = "bench-passord-123"
FIRST = ("Kari Ola Ahmed Fatima Per Anne Jonas Ingrid Ali Maria Lars Nora Omar Sara Erik Hanne "
         "Mohammed Kristin Tor Amina Bjørn Liv Yusuf Marte Emil Hilde Abdi Solveig").split()
LAST = ("Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen "
        "Hussain Ali Berg Haugen Hagen Eriksen Ahmed Bakken Lie Dahl Lund Strand Mohamed").split()
NOW = datetime(2026, 11, 1, 12, 0)


CASELOAD = 50  # persons of the measured kontaktperson (the first load client), at any size


def kontaktperson(i: int, n_persons: int, staff: list[int]) -> int:
    """The kontaktperson of person i. The first staff member (whose Mine personer the bench
    measures) has CASELOAD persons spread over the team, at 1,000 persons as at 100,000: the
    list of one's own persons stays a caseload's size as the team grows; the other staff
    share the rest."""
    stride = max(1, n_persons // CASELOAD)
    if len(staff) == 1 or (i % stride == 0 and i // stride < CASELOAD):
        return staff[0]
    return staff[1 + i % (len(staff) - 1)]


def populate(app, n_persons: int, n_clients: int, seed: int = 1) -> dict:
    """Fill an empty, migrated database. Returns the ids the benchmarks use."""
    rnd = random.Random(seed)
    reg = app.extensions["instruments"]
    kart_inst, lk_inst = reg.latest(KARTLEGGING), reg.latest(LIVSKVALITET)
    kart = SameAnswers(kart_inst, filled_answers(kart_inst))
    lk = SameAnswers(lk_inst, filled_answers(lk_inst))
    empty = SameAnswers(kart_inst, {})
    team = Team(name="Rusteam Bench")
    db.session.add(team)
    db.session.flush()
    users = []
    for k in range(n_clients + 1):
        role = "teamleder" if k == 0 else "ansatt"
        u = User(username=f"bench{k:02d}", name=f"Bench {k:02d}", role=role, team_id=team.id)
        if users:  # one scrypt hash (about 0.1 s) for all: they share the password
            u.password_hash = users[0].password_hash
        else:
            u.set_password(PASSWORD)
        users.append(u)
    db.session.add_all(users)
    db.session.flush()
    staff = [u.id for u in users[1:]]

    ids = numbers(n_persons)
    signed_at = [NOW - timedelta(days=rnd.randint(0, 400)) for _ in range(n_persons)]
    insert_persons([{"id": i + 1, "team_id": team.id, "national_id": ids[i],
                     "created_by_id": staff[0], "name": f"{rnd.choice(FIRST)} {rnd.choice(LAST)}",
                     "version": 1, "created_at": NOW - timedelta(days=rnd.randint(30, 900))}
                    for i in range(n_persons)])
    insert_rows(ContactAssignment.__table__, [
        {"person_id": i + 1, "user_id": kontaktperson(i, n_persons, staff),
         "recorded_by_id": staff[0], "started_at": NOW - timedelta(days=30)}
        for i in range(n_persons)])
    rows, aid = [], 0
    for i in range(n_persons):
        aid += 1
        signed = signed_at[i]
        rows.append(kart.signed(signed, staff[0], id=aid, person_id=i + 1, version=40,
                                created_by_id=staff[0], updated_by_id=staff[0],
                                created_at=signed - timedelta(days=3), updated_at=signed,
                                rated_by_person=False, content_sha256="0" * 64))
        if i % 2 == 0:
            aid += 1
            rows.append(lk.completed(signed, id=aid, person_id=i + 1, status="draft", version=1,
                                     parent_id=aid - 1, rated_by_person=True,
                                     created_by_id=staff[0], updated_by_id=staff[0],
                                     created_at=signed, updated_at=signed))
    drafts = {}
    for k, user_id in enumerate(staff):  # one open draft per load client, on its own person
        aid += 1
        drafts[user_id] = aid
        rows.append(empty.row(id=aid, person_id=k + 1, status="draft", version=1,
                              created_by_id=user_id, updated_by_id=user_id, created_at=NOW,
                              updated_at=NOW, rated_by_person=False))
    insert_assessments(rows)
    insert_rows(Consent.__table__, [
        {"person_id": i + 1, "categories": '["helse"]', "party_kind": "parorende",
         "party_name": "Mor", "direction": "begge", "valid_from": date(2026, 1, 1),
         "valid_until": date(2027, 1, 1), "given_how": "skriftlig", "recorded_by_id": staff[0],
         "recorded_at": NOW} for i in range(0, n_persons, 3)], json_cols=("categories",))
    db.session.commit()
    _fix_sequences()
    sample = ids[n_persons // 2]
    return {"team_id": team.id, "lead": "bench00",
            "clients": [(u.username, drafts[u.id]) for u in users[1:]],
            "person_id": n_persons // 2 + 1, "number_query": sample[:6],
            # Matches more persons than a page shows (100) already among 1,000 («Ha»: Hansen,
            # Hanne, Haugen, Hagen), so both sizes show a full page and a growth ratio is the
            # data's, not the page's ("Hansen" gives about 40 hits among 1,000, a full page
            # among 100,000: 1.4-1.6x more rows to render and log, at any size).
            "name_query": "Ha"}


def _fix_sequences():
    """Explicit ids bypass PostgreSQL's sequences; move them past the inserted rows. And
    gather the planner's statistics, as autovacuum does on a database in use (a freshly
    loaded one has none, and its plans are not the ones production gets)."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("person", "assessment"):
        db.session.execute(db.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT max(id) FROM {table}))"))
    db.session.execute(db.text("ANALYZE"))
    db.session.commit()
