"""The overview and Mine personer stay index-backed as a team grows: the query plans
use the indexes that match their order, and the SQL statements per page do not depend on the
number of persons. `make bench` times the same pages with 1,000 and 100,000 persons."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, text

from kartlegging.extensions import db
from kartlegging.lead import overview
from kartlegging.models import NEVER_SIGNED, NO_RATING, Person


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


def test_a_completed_rating_sets_the_persons_newest_mean(app, factory):
    user = factory.user("ansatt")
    p = factory.person(contact=user)
    k = factory.assessment(p, user)
    assert fresh(p.id).quality_order == NO_RATING
    open_rating = factory.rating(k, user, completed=False)  # not completed: no mean yet
    assert fresh(p.id).quality_order == NO_RATING
    first = factory.rating(k, user)
    first.score, first.completed_at = 3.0, datetime(2026, 5, 1, 10)  # an update
    db.session.commit()
    assert fresh(p.id).quality_order == 3.0
    second = factory.rating(k, user)  # completed now: the newest
    assert second.score is not None and second.score != 3.0
    assert fresh(p.id).quality_order == second.score
    # completing the older open one now makes it the newest (completed_at, as the overview)
    open_rating = db.session.get(type(open_rating), open_rating.id)
    open_rating.score, open_rating.completed_at = 1.0, datetime(2030, 1, 1)
    db.session.commit()
    assert fresh(p.id).quality_order == 1.0
    db.session.delete(open_rating)
    db.session.commit()
    assert fresh(p.id).quality_order == second.score


def plan(statement) -> str:
    sql = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    return " | ".join(r[-1] for r in db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))


def query(**kw):
    return overview.Query(team_id=1, today=date(2026, 11, 1), interval_days=120, **kw)


@pytest.fixture
def sqlite_only(tmp_path):
    """The plans are pinned on SQLite (its EXPLAIN QUERY PLAN is stable on small data), so
    these tests get an SQLite app of their own also when the suite runs on PostgreSQL."""
    from config import TestConfig
    from factories import Factory
    from kartlegging import create_app

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"
    app = create_app(Cfg)
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        db.create_all()  # tests only; the app's schema comes from migrations
        yield Factory(app, "riktig-passord-42")
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_overview_pages_walk_the_index_of_their_order(sqlite_only):
    ids = overview._statement(query(), "ids").limit(50)
    assert "ix_person_team_due" in plan(ids) and "TEMP B-TREE" not in plan(ids)
    overdue = overview._statement(query(forfall="forfalt"), "ids").limit(50)
    assert "ix_person_team_due" in plan(overdue) and "TEMP B-TREE" not in plan(overdue)
    by_name = overview._statement(query(sort="navn"), "ids").limit(50)
    assert "ix_person_team_name" in plan(by_name) and "TEMP B-TREE" not in plan(by_name)
    by_rating = overview._statement(query(sort="livskvalitet"), "ids").limit(50)
    assert "ix_person_team_quality" in plan(by_rating) and "TEMP B-TREE" not in plan(by_rating)
    assert "assessment" not in plan(by_rating)  # no newest-rating lookup per person


def test_start_page_counts_stop_at_the_cap(sqlite_only):
    for kw in ({"forfall": "forfalt"}, {"forfall": "snart"}, {"uten_koordinator": True}):
        ids = overview._statement(query(**kw), "ids").order_by(None).limit(1001)
        # an index range (or the team's index, checking koordinator per person) that stops at
        # cap + 1: no sort, no count of the whole range
        assert plan(ids).startswith("SEARCH person USING COVERING INDEX ix_person_team_"), kw
        assert "TEMP B-TREE" not in plan(ids), kw


def test_mine_personer_starts_from_the_contacts_assignments(sqlite_only):
    for purpose in ("ids", "count"):
        p = plan(overview._statement(query(kontakt=7), purpose).limit(50))
        assert p.startswith("SEARCH mine USING COVERING INDEX ix_contact_assignment_user_open")


def test_number_search_uses_the_number_index(sqlite_only):
    from kartlegging.persons import operations
    factory = sqlite_only
    team_id, seen = factory.team_a.id, []
    factory.person(name="Kari Hansen")

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
    # a name search reads the words its prefix matches (a skip scan: one index probe per
    # word, not every hit of the prefix), then each word's first hits in name order, from the
    # name word index; not from the whole team
    words, hits = plans[1], plans[2]
    probe = ("USING COVERING INDEX ix_person_name_token_team_token_name "
             "(team_id=? AND token>? AND token<?)")
    assert "RECURSIVE STEP" in words and words.count(probe) == 2, words
    assert "SCALAR SUBQUERY" in words.split("RECURSIVE STEP")[0]  # the first word: one probe
    assert "CORRELATED SCALAR SUBQUERY" in words.split("RECURSIVE STEP")[1]  # each next one
    assert "SCAN person_name_token" not in words and "DISTINCT" not in words
    assert ("SEARCH person_name_token USING COVERING INDEX ix_person_name_token_team_token_name "
            "(team_id=? AND token=?)") in hits
    assert "ix_person_team" not in hits and "SCAN person" not in hits


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
         "/oppfolging?forfall=forfalt", "/oppfolging?q=Hansen", "/oppfolging?sorter=livskvalitet",
         "/oppfolging?sorter=livskvalitet&retning=synkende"]


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


def test_counts_and_searches_past_the_cap_say_more_instead_of_counting(app, factory, login,
                                                                      monkeypatch):
    from kartlegging.persons import operations
    lead = factory.user("teamleder")
    staff = factory.user("ansatt")
    for k in range(4):
        factory.person(name=f"Kari Hansen {k}", contact=staff)
    factory.person(name="Per Olsen", contact=staff)
    client = login(lead)
    monkeypatch.setattr(overview, "COUNT_CAP", 3)
    html = client.get("/").get_data(as_text=True)
    assert "<strong>over 3</strong> forfalt eller aldri kartlagt" in html
    assert "<strong>over 3</strong> uten koordinator" in html
    assert overview.bounded_count(query(forfall="forfalt"), cap=3) == 4  # stops at cap + 1
    html = client.get("/oppfolging?q=hansen").get_data(as_text=True)
    assert "Flere enn 3 treff, skriv mer av navnet." in html and "Per Olsen" not in html
    assert "Kari Hansen 2" in html and "Kari Hansen 3" not in html  # the first 3 hits
    html = client.get("/oppfolging?q=olsen").get_data(as_text=True)
    assert "Flere enn" not in html and "1 person." in html
    monkeypatch.setattr(operations, "SEARCH_LIMIT", 2)
    html = client.get("/?q=hansen").get_data(as_text=True)
    assert "Flere enn 2 treff, skriv mer av navnet." in html
    assert "Kari Hansen 0" in html and "Kari Hansen 1" in html and "Kari Hansen 2" not in html
    html = client.get("/?q=kari han").get_data(as_text=True)
    assert "Flere enn 2 treff" in html
    html = client.get("/?q=olsen").get_data(as_text=True)
    assert "Per Olsen" in html and "Flere enn" not in html
    assert [p.name for p in operations.search(lead.team_id, "hansen", limit=10)] == [
        f"Kari Hansen {k}" for k in range(4)]


def test_name_search_merges_the_words_of_a_prefix_in_name_order(app, factory, monkeypatch):
    from kartlegging.persons import operations
    staff = factory.user("ansatt")
    for name in ("Hans Hansen", "Anne Hanssen", "Bo Hansen", "Hanne Berg", "Per Olsen",
                 "Kari Hansen"):
        factory.person(name=name, contact=staff)
    factory.person(name="Hans Utenfor", team=factory.team_b)
    team = staff.team_id

    def names(q, limit=None):
        return [p.name for p in operations.search(team, q, limit)]
    # "Hans Hansen" has two words beginning "han" and comes once
    assert names("han") == ["Anne Hanssen", "Bo Hansen", "Hanne Berg", "Hans Hansen",
                            "Kari Hansen"]
    assert names("han", limit=2) == ["Anne Hanssen", "Bo Hansen", "Hanne Berg"]  # limit + 1
    assert names("hansen") == ["Bo Hansen", "Hans Hansen", "Kari Hansen"]
    assert names("han kar") == ["Kari Hansen"] and names("bo han") == ["Bo Hansen"]
    assert names("xyz") == []
    monkeypatch.setattr(operations, "SEARCH_WORDS", 1)  # more words: the hits are sorted
    assert names("han") == ["Anne Hanssen", "Bo Hansen", "Hanne Berg", "Hans Hansen",
                            "Kari Hansen"]
    monkeypatch.undo()
    factory.person(name="Kari Hansen")  # a renamed person is found by the new name only
    p = db.session.scalars(db.select(Person).where(Person.name == "Bo Hansen")).one()
    p.name = "Bo Berg"
    db.session.commit()
    assert names("hansen") == ["Hans Hansen", "Kari Hansen", "Kari Hansen"]
    assert "Bo Berg" in names("berg")


def executed_plans(action) -> list[str]:
    """The SQLite query plan of every statement `action` runs."""
    seen = []

    def keep(conn, cursor, statement, parameters, *args):
        seen.append((statement, parameters))
    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return [" | ".join(r[-1] for r in db.session.connection().exec_driver_sql(
        "EXPLAIN QUERY PLAN " + s, p)) for s, p in seen]


def test_a_name_search_page_reads_its_hits_or_walks_its_order(sqlite_only, monkeypatch):
    factory = sqlite_only
    staff = factory.user("ansatt")
    for k in range(4):
        factory.person(name=f"Kari Hansen {k}", contact=staff)
    team = staff.team_id
    monkeypatch.setattr(overview, "COUNT_CAP", 10)
    for sort in overview.INDEX_SORTS:
        # up to the cap: the hits are counted from the name word index, and the page sorts
        # those persons alone (by id), not the team in the page's order
        hits, rows = executed_plans(lambda s=sort: overview.fetch(overview.Query(
            team_id=team, today=date(2026, 11, 1), interval_days=120, q="hansen", sort=s)))
        assert hits == ("SEARCH person_name_token USING COVERING INDEX "
                        "ix_person_name_token_team_token_name (team_id=? AND token>? AND token<?)")
        assert "SEARCH person USING INTEGER PRIMARY KEY (rowid=?)" in rows
        assert "ix_person_team" not in rows, sort
    monkeypatch.setattr(overview, "COUNT_CAP", 2)
    indexes = {"neste": "ix_person_team_due", "navn": "ix_person_team_name",
               "livskvalitet": "ix_person_team_quality"}
    for sort, index in indexes.items():
        # past the cap: the page walks the index of its order, probing each person's words by
        # the primary key (person_id, token), and stops at the page: nothing sorts the hits
        hits, rows = executed_plans(lambda s=sort: overview.fetch(overview.Query(
            team_id=team, today=date(2026, 11, 1), interval_days=120, q="kari hansen",
            sort=s)))
        assert hits.startswith("SEARCH person_name_token USING COVERING INDEX "
                               "ix_person_name_token_team_token_name")
        assert "sqlite_autoindex_person_name_token_1 (person_id=? AND token>? AND token<?)" \
            in hits
        ids = overview._statement(query(q="kari hansen", sort=sort), "ids", probe=True)
        p = plan(ids.limit(50))
        assert p.startswith(f"SEARCH person USING COVERING INDEX {index} (team_id=?)"), p
        assert p.count("SEARCH person_name_token_") == 2 and p.count(
            "USING INDEX sqlite_autoindex_person_name_token_1 (person_id=? AND token>? "
            "AND token<?)") == 2, p
        assert "TEMP B-TREE" not in p and "ix_person_name_token_team" not in p
        assert f"USING COVERING INDEX {index} (team_id=?)" in rows


def test_name_search_statements_do_not_depend_on_the_hits(app, factory, login, monkeypatch):
    """The same statements whether a name search finds one person (its hits sorted) or more
    than the cap (the page's order walked)."""
    lead = factory.user("teamleder")
    staff = factory.user("ansatt")
    monkeypatch.setattr(overview, "COUNT_CAP", 3)
    factory.person(name="Kari Hansen", contact=staff)
    client = login(lead)
    pages = [f"/oppfolging?q={q}&sorter={s}" for q in ("Hansen", "kari han")
             for s in overview.SORTS] + ["/oppfolging?q=hansen&sorter=neste&side=2"]
    few = {path: statements(client, path) for path in pages}
    for k in range(30):
        factory.person(name=f"Kari Hansen {k}", contact=staff)
    assert overview.fetch(overview.Query(team_id=lead.team_id, today=date(2026, 11, 1),
                                         interval_days=120, q="hansen")).more
    many = {path: statements(client, path) for path in pages}
    assert many == few
