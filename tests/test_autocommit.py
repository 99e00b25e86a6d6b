"""kartlegging.autocommit: on PostgreSQL the autosave runs without BEGIN and COMMIT (its reads
and its one write in AUTOCOMMIT mode), and every other request, and whatever the autosave does
after its commit, runs in ordinary transactions."""
from sqlalchemy import event, insert, select

from kartlegging.assessments import drafts
from kartlegging.extensions import db
from kartlegging.models import Assessment, AuditEvent, Person


def _listen(seen, postgresql):
    def mode(conn, cursor, statement, *args):
        driver = conn.connection.driver_connection
        seen.append((statement.split()[0],
                     driver.autocommit if postgresql else not driver.in_transaction))
    return mode


def test_an_autosave_opens_no_transaction_of_its_own_on_postgresql(app, factory, login):
    kari = factory.user("ansatt", username="kari")
    a = factory.assessment(factory.person(contact=kari), kari, filled=False)
    a_id, at = a.id, kari.created_at
    client = login(kari)
    db.session.commit()  # the test's own session holds no transaction (as a request's)
    postgresql = db.engine.dialect.name == "postgresql"
    seen = []
    listener = _listen(seen, postgresql)
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        r = client.post(f"/kartlegginger/{a_id}/autolagre",
                        json={"version": 1, "section": "familie", "answers": {}})
        assert r.status_code == 200, r.get_json()
        saved, seen[:] = list(seen), []
        assert client.get(f"/kartlegginger/{a_id}").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    if postgresql:
        assert saved == [("SELECT", True), ("SELECT", True), ("WITH", True)]
        assert ("INSERT", False) in seen  # the page's audit row, in its transaction
        assert all(not autocommit for _, autocommit in seen), seen
    else:
        assert saved == [("SELECT", True), ("SELECT", True), ("UPDATE", True),
                         ("INSERT", False)]
    # The connection went back to the pool in its default mode: this one rolls back.
    db.session.execute(insert(AuditEvent.__table__).values(at=at, action="x"))
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "x")) is None


def test_a_conflict_after_the_autosave_read_is_audited_in_a_transaction(app, factory, login):
    kari = factory.user("ansatt", username="kari")
    a = factory.assessment(factory.person(contact=kari), kari, filled=False)
    a_id = a.id
    client = login(kari)
    db.session.commit()
    r = client.post(f"/kartlegginger/{a_id}/autolagre",
                    json={"version": 7, "section": "familie", "answers": {}})
    assert r.status_code == 409
    assert db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "assessment_conflict", AuditEvent.object_id == a_id)) is not None


def test_a_save_outside_the_autosave_joins_the_changes_the_session_holds(app, factory):
    """Unsent ORM changes and a save commit together, in one transaction."""
    kari = factory.user("ansatt")
    person = factory.person(contact=kari)
    a = factory.assessment(person, kari, filled=False)
    db.session.commit()
    person.name = "Endret Navn"  # pending, not flushed
    seen = []
    postgresql = db.engine.dialect.name == "postgresql"
    listener = _listen(seen, postgresql)
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        drafts.save(a, {"har_barn": "nei"}, expected_version=a.version, by=kari,
                    section_id="familie")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    if postgresql:
        assert all(autocommit is False for _, autocommit in seen), seen
    db.session.expire_all()
    assert db.session.get(Person, person.id).name == "Endret Navn"
    assert db.session.get(Assessment, a.id).answers.get("har_barn") == "nei"
