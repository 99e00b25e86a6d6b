"""The autosave path stays cheap: a fixed number of SQL statements per save, whatever the draft
holds, one transaction for the change and its audit row, and a live state for the page only."""
import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from factories import default_value
from kartlegging.access import audit
from kartlegging.extensions import db
from kartlegging.models import Assessment, AuditEvent

# the current user joined with its open login session; the draft joined with its person (team
# check) and whether its self-rating is completed (the section menu's counts); the guarded UPDATE
# and the audit INSERT (one transaction; on PostgreSQL one statement, WITH saved AS (UPDATE …)
# INSERT …). Was 7 before the user was joined with its login session and the draft with
# its person and rating; only ever lower it.
STATEMENTS_PER_AUTOSAVE = {"sqlite": 4, "postgresql": 3}


@pytest.fixture
def draft(factory, login):
    kari = factory.user("ansatt", username="kari")
    a = factory.assessment(factory.person(contact=kari), kari, filled=False)
    return login(kari), a.id


def section_answers(app, section_id):
    inst = app.extensions["instruments"].latest("alna-kartlegging")
    return {i.id: default_value(i) for i in inst.section(section_id).items}


def autosave(client, a_id, version, section, answers):
    return client.post(f"/kartlegginger/{a_id}/autolagre",
                       json={"version": version, "section": section, "answers": answers})


def statements_of(fn) -> list[str]:
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()[:4]))
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return seen


def test_statements_per_autosave_are_fixed(app, draft):
    client, a_id = draft
    version = 1
    for section in ("familie", "bolig", "helse", "familie"):  # the draft grows between saves
        answers = section_answers(app, section)
        out = {}

        def save(section=section, answers=answers, version=version, out=out):
            out["r"] = autosave(client, a_id, version, section, answers)
        seen = statements_of(save)
        assert out["r"].status_code == 200, out["r"].get_json()
        assert len(seen) == STATEMENTS_PER_AUTOSAVE[db.engine.dialect.name], seen
        writes = [s for s in seen if not s.startswith("SELECT")]
        assert writes in (["UPDATE assessment SET answers=?,", "INSERT INTO audit_event (at,"],
                          ["WITH saved AS (UPDATE"]), writes
        version = out["r"].get_json()["version"]
    db.session.expire_all()
    assert db.session.get(Assessment, a_id).version == version == 5


def test_live_state_covers_the_section_only(app, draft):
    client, a_id = draft
    r = autosave(client, a_id, 1, "familie", section_answers(app, "familie"))
    inst = app.extensions["instruments"].latest("alna-kartlegging")
    assert set(r.get_json()["visible"]) == {i.id for i in inst.section("familie").items}
    r = autosave(client, a_id, 2, "vurdering", {})
    placed = {d["id"] for d in inst.derived
              if (d.get("place") or {}).get("section") == "vurdering"}
    assert placed and set(r.get_json()["derived"]) == placed


def test_change_and_audit_row_commit_together(app, draft, monkeypatch):
    """If the database refuses the audit row (here: no action, a NOT NULL column), the save is
    not stored either (on PostgreSQL both are one statement, on SQLite one transaction)."""
    client, a_id = draft
    real_row = audit.row
    monkeypatch.setattr(audit, "row", lambda *a, **kw: {**real_row(*a, **kw), "action": None})
    with pytest.raises(IntegrityError):
        autosave(client, a_id, 1, "viktig", {"hva_er_viktig": "skal ikke lagres"})
    db.session.rollback()
    db.session.expire_all()
    stored = db.session.get(Assessment, a_id)
    assert stored.answers == {} and stored.version == 1
    assert db.session.query(AuditEvent).filter_by(action="assessment_save").count() == 0


def test_a_burst_of_autosaves_sends_no_new_session_cookie(app, draft):
    """The idle clock moves in steps, so saves right after each other leave the signed session
    cookie as it is (no re-signing, no Set-Cookie) and still count as activity."""
    client, a_id = draft
    r = autosave(client, a_id, 1, "familie", section_answers(app, "familie"))
    r = autosave(client, a_id, r.get_json()["version"], "familie", section_answers(app, "familie"))
    assert r.status_code == 200 and "Set-Cookie" not in r.headers
    with client.session_transaction() as s:
        s["last_seen"] -= 60  # a minute later it moves again
    r = autosave(client, a_id, r.get_json()["version"], "familie", section_answers(app, "familie"))
    assert r.status_code == 200 and "session=" in r.headers.get("Set-Cookie", "")


def test_the_one_read_keeps_every_guard(app, factory, login):
    """The autosave reads the draft without the ORM; it refuses what team_assessment refuses:
    another team's draft (404, logged as a denied attempt), a self-rating, an unknown id, a
    signed one (409) — and nothing is written."""
    kari = factory.user("ansatt", username="kari")
    person = factory.person(contact=kari)
    a = factory.assessment(person, kari, filled=False)
    rating = factory.rating(a, kari)
    signed = factory.signed(person, kari)
    outsider = login(factory.user("ansatt", username="ute", team=factory.team_b))
    assert autosave(outsider, a.id, 1, "familie", {}).status_code == 404
    denied = db.session.query(AuditEvent).filter_by(action="access_denied").one()
    assert denied.person_id == person.id and denied.user_id != kari.id
    client = login(kari)
    assert autosave(client, rating.id, rating.version, "familie", {}).status_code == 404
    assert autosave(client, 999999, 1, "familie", {}).status_code == 404
    r = autosave(client, signed.id, signed.version, "familie", {})
    assert r.status_code == 409 and r.get_json()["error"] == "locked"
    assert db.session.query(AuditEvent).filter_by(action="assessment_save").count() == 0
    db.session.expire_all()
    assert db.session.get(Assessment, a.id).version == 1


def test_the_menu_counts_a_completed_rating(app, factory, login):
    """The one read also says whether the self-rating taken with this draft is completed: the
    section that embeds it counts one more answered item then, and not for another draft's."""
    kari = factory.user("ansatt", username="kari")
    person = factory.person(contact=kari)
    a = factory.assessment(person, kari, filled=False)
    other = factory.assessment(person, kari, filled=False)
    inst = app.extensions["instruments"].latest("alna-kartlegging")
    embed = next(s.id for s in inst.sections if s.embed == "livskvalitet")
    client = login(kari)

    def counted(draft):
        r = autosave(client, draft.id, draft.version, "familie", {})
        assert r.status_code == 200
        draft.version = r.get_json()["version"]
        return r.get_json()["progress"][embed]
    before = counted(a)
    factory.rating(other, kari, completed=False)
    assert counted(a) == before
    factory.rating(other, kari)
    assert counted(a) == before and counted(other)[0] == before[0] + 1
    factory.rating(a, kari)
    assert counted(a) == [before[0] + 1, before[1]]
