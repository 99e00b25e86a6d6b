"""The overview and Mine personer stay index-backed as a team grows (issue 21): the query plans
use the indexes that match their order, and the SQL statements per page do not depend on the
number of persons. `make bench` times the same pages with 1,000 and 100,000 persons."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, text

from kartlegging.extensions import db
from kartlegging.lead import overview
from kartlegging.models import NEVER_SIGNED, Person


def fresh(person_id):
    db.session.expire_all()
    return db.session.get(Person, person_id)


def test_signing_moves_the_persons_due_order_forward_only(app, factory):
    user = factory.user("ansatt")
    p = factory.person(contact=user)
    assert fresh(p.id).due_order == NEVER_SIGNED
    factory.assessment(p, user)  # a draft changes nothing
    assert fresh(p.id).due_order == NEVER_SIGNED
    factory.signed(p, user, signed_at=datetime(2026, 5, 1, 10))
    assert fresh(p.id).due_order == datetime(2026, 5, 1, 10)
    factory.signed(p, user, signed_at=datetime(2026, 9, 1, 10))
    assert fresh(p.id).due_order == datetime(2026, 9, 1, 10)
    factory.signed(p, user, signed_at=datetime(2026, 6, 1, 10))  # an older one, added later
    assert fresh(p.id).due_order == datetime(2026, 9, 1, 10)


def plan(statement) -> str:
    sql = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    return " | ".join(r[-1] for r in db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))


def query(**kw):
    return overview.Query(team_id=1, today=date(2026, 11, 1), interval_days=120, **kw)


@pytest.fixture
def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")


def test_overview_pages_walk_the_index_of_their_order(sqlite_only):
    ids = overview._statement(query(), "ids").limit(50)
    assert "ix_person_team_due" in plan(ids) and "TEMP B-TREE" not in plan(ids)
    overdue = overview._statement(query(forfall="forfalt"), "ids").limit(50)
    assert "ix_person_team_due" in plan(overdue) and "TEMP B-TREE" not in plan(overdue)
    by_name = overview._statement(query(sort="navn"), "ids").limit(50)
    assert "ix_person_team_name" in plan(by_name) and "TEMP B-TREE" not in plan(by_name)


def test_mine_personer_starts_from_the_contacts_assignments(sqlite_only):
    for purpose in ("ids", "count"):
        p = plan(overview._statement(query(kontakt=7), purpose).limit(50))
        assert p.startswith("SEARCH mine USING COVERING INDEX ix_contact_assignment_user_open")


def test_number_search_uses_the_number_index(app, factory, sqlite_only):
    from kartlegging.persons import operations
    team_id, seen = factory.team_a.id, []

    def keep(conn, cursor, statement, parameters, *args):
        seen.append((statement, parameters))
    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        operations.search(team_id, "010180")
        operations.search(team_id, "Hansen")
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    plans = [" | ".join(r[-1] for r in db.session.connection().exec_driver_sql(
        "EXPLAIN QUERY PLAN " + s, p)) for s, p in seen]
    assert "(national_id>? AND national_id<?)" in plans[0], plans[0]
    assert "ix_person_team" not in plans[0]
    # a name search starts from the name word index, not from the whole team
    assert "ix_person_name_token_team_token" in plans[1] and "ix_person_team" not in plans[1]


def statements(client, path) -> int:
    n = [0]

    def count(*args):
        n[0] += 1
    client.get(path)  # warm (first-request work is not per page)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        r = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert r.status_code == 200, path
    return n[0]


PAGES = ["/", "/?q=Hansen", "/?q=010180", "/oppfolging", "/oppfolging?sorter=navn",
         "/oppfolging?forfall=forfalt", "/oppfolging?q=Hansen", "/oppfolging?sorter=livskvalitet"]


def test_statements_per_page_do_not_grow_with_the_team(app, factory, login):
    lead = factory.user("teamleder")
    staff = factory.user("ansatt")

    def add(n):
        for k in range(n):
            p = factory.person(name=f"Kari Hansen {k}", contact=staff if k % 2 else lead)
            if k % 3:
                factory.signed(p, staff, signed_at=datetime(2026, 1, 1) + timedelta(days=k))
            if k % 4 == 0:
                factory.rating(factory.assessment(p, staff, filled=False), staff)
    add(1)
    client = login(lead)
    person = db.session.scalars(db.select(Person).order_by(Person.id)).first()
    pages = PAGES + [f"/personer/{person.id}"]
    few = {path: statements(client, path) for path in pages}
    add(49)
    many = {path: statements(client, path) for path in pages}
    assert many == few
