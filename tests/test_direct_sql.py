"""kartlegging.direct_sql: the hot statements give what SQLAlchemy gives (typed values, row
counts, its exceptions, its cursor events) on both databases, past SQLAlchemy's execution."""
import pytest
from sqlalchemy import bindparam, event, insert, select
from sqlalchemy.exc import IntegrityError

from kartlegging import direct_sql
from kartlegging.assessments import drafts
from kartlegging.extensions import db
from kartlegging.models import Assessment, AuditEvent, Person, User


def user_query():
    u = User.__table__
    return select(u).where(u.c.id == bindparam("id"))


def test_first_gives_the_row_sqlalchemy_gives(app, factory):
    kari = factory.user("ansatt", username="kari")
    db.session.commit()
    row = direct_sql.first(user_query(), {"id": kari.id})
    assert row == dict(db.session.execute(user_query(), {"id": kari.id}).mappings().one())
    assert row["username"] == "kari" and row["active"] is True
    assert row["created_at"] == kari.created_at  # a datetime, not text
    assert direct_sql.first(user_query(), {"id": kari.id + 1000}) is None


def test_rowcount_and_json_values_round_trip(app, factory):
    kari = factory.user("ansatt")
    a = factory.assessment(factory.person(contact=kari), kari, filled=False)
    t = Assessment.__table__
    guarded = t.update().where(t.c.id == bindparam("a_id"), t.c.version == bindparam("v")) \
        .values(answers=bindparam("answers"), version=bindparam("v") + 1)
    answers = {"bolig_type": "leid", "tjenester": ["nav", "fastlege"], "merknad": "æøå"}
    assert direct_sql.rowcount(guarded, {"a_id": a.id, "v": a.version + 5,
                                         "answers": answers}) == 0
    assert direct_sql.rowcount(guarded, {"a_id": a.id, "v": a.version,
                                         "answers": answers}) == 1
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Assessment, a.id).answers == answers


def test_a_refused_statement_raises_sqlalchemys_exception_and_the_session_recovers(app, factory):
    kari = factory.user("ansatt")
    db.session.commit()
    bad = insert(AuditEvent.__table__).values(at=bindparam("at"), action=None)
    with pytest.raises(IntegrityError):
        direct_sql.rowcount(bad, {"at": kari.created_at})
    db.session.rollback()
    assert direct_sql.first(user_query(), {"id": kari.id})["id"] == kari.id


def test_cursor_events_see_the_statements(app, factory):
    kari = factory.user("ansatt")
    db.session.commit()
    kari_id = kari.id  # loaded now, not by a refresh inside the listened block
    seen = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)
    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        direct_sql.first(user_query(), {"id": kari_id})
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    assert len(seen) == 1 and seen[0].startswith("SELECT")


def test_the_statement_skips_sqlalchemys_execution(app, factory):
    kari = factory.user("ansatt")
    db.session.commit()
    kari_id = kari.id  # loaded now, not by a refresh inside the listened block
    executed = []

    def record(*args):
        executed.append(args)
    event.listen(db.engine, "before_execute", record)
    try:
        assert direct_sql.first(user_query(), {"id": kari_id})["id"] == kari_id
        assert executed == []
        db.session.execute(user_query(), {"id": kari_id})  # the listener works
        assert len(executed) == 1
    finally:
        event.remove(db.engine, "before_execute", record)



def test_an_autosave_opens_no_transaction_of_its_own_on_postgresql(app, factory, login):
    """On PostgreSQL the autosave's three statements run without BEGIN and COMMIT (two reads
    while no transaction is open, the guarded write marked alone), and a write not marked alone
    (a page's audit row) in a transaction. On SQLite the reads run outside one and the UPDATE
    and its audit row share one. A transaction after the request still rolls back."""
    kari = factory.user("ansatt", username="kari")
    a = factory.assessment(factory.person(contact=kari), kari, filled=False)
    a_id, at = a.id, kari.created_at
    client = login(kari)
    db.session.commit()  # the test's own session holds no transaction (as a request's)
    postgresql = db.engine.dialect.name == "postgresql"
    seen = []

    def outside_a_transaction(conn, cursor, statement, *args):
        driver = conn.connection.driver_connection
        seen.append((statement.split()[0],
                     driver.autocommit if postgresql else not driver.in_transaction))
    event.listen(db.engine, "before_cursor_execute", outside_a_transaction)
    try:
        r = client.post(f"/kartlegginger/{a_id}/autolagre",
                        json={"version": 1, "section": "familie", "answers": {}})
        assert r.status_code == 200, r.get_json()
        saved, seen[:] = list(seen), []
        assert client.get(f"/kartlegginger/{a_id}").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", outside_a_transaction)
    if postgresql:
        assert saved == [("SELECT", True), ("SELECT", True), ("WITH", True)]
        assert ("INSERT", False) in seen  # the page's audit row, in its transaction
    else:
        assert saved == [("SELECT", True), ("SELECT", True), ("UPDATE", True),
                         ("INSERT", False)]
    db.session.execute(insert(AuditEvent.__table__).values(at=at, action="x"))
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "x")) is None


def test_a_write_marked_alone_joins_the_changes_the_session_holds(app, factory):
    """Unsent ORM changes and a save commit together: the write is then not run alone."""
    kari = factory.user("ansatt")
    person = factory.person(contact=kari)
    a = factory.assessment(person, kari, filled=False)
    db.session.commit()
    person.name = "Endret Navn"  # pending, not flushed
    seen = []

    def mode(conn, cursor, statement, *args):
        seen.append((statement.split()[0], conn.connection.driver_connection.autocommit
                     if conn.dialect.name == "postgresql" else None))
    event.listen(db.engine, "before_cursor_execute", mode)
    try:
        drafts.save(a, {"har_barn": "nei"}, expected_version=a.version, by=kari,
                    section_id="familie")
    finally:
        event.remove(db.engine, "before_cursor_execute", mode)
    assert all(autocommit is not True for _, autocommit in seen), seen
    db.session.expire_all()
    assert db.session.get(Person, person.id).name == "Endret Navn"
    assert db.session.get(Assessment, a.id).answers.get("har_barn") == "nei"
