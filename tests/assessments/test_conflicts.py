"""No lost updates: two staff members load the same draft; the second save with the old
version is refused (409, Norwegian message) and keeps the second person's input."""
import html
import re

import pytest

from kartlegging.assessments import drafts as ops
from kartlegging.assessments.drafts import Conflict
from kartlegging.extensions import db
from kartlegging.models import Assessment, AuditEvent

SECTION = "viktig"          # one long_text item: hva_er_viktig
ITEM = "hva_er_viktig"


@pytest.fixture
def two(factory, login):
    """Ansatt and teamleder of the same team, both logged in, one empty draft."""
    kari = factory.user("ansatt", username="kari", name="Kari Ansatt")
    lars = factory.user("teamleder", username="lars", name="Lars Leder")
    person = factory.person(contact=kari)
    a = factory.assessment(person, kari, filled=False)
    return login(kari), login(lars), a


def fresh(a_id) -> Assessment:
    db.session.expire_all()
    return db.session.get(Assessment, a_id)


def loaded_version(client, a_id, section=SECTION) -> int:
    page = client.get(f"/kartlegginger/{a_id}/del/{section}").get_data(as_text=True)
    return int(re.search(r'name="version" value="(\d+)"', page).group(1))


def post_form(client, a_id, version, text, section=SECTION, item=ITEM):
    return client.post(f"/kartlegginger/{a_id}/del/{section}",
                       data={"version": str(version), item: text})


def post_json(client, a_id, version, text, section=SECTION, item=ITEM):
    return client.post(f"/kartlegginger/{a_id}/autolagre",
                       json={"version": version, "section": section, "answers": {item: text}})


def test_form_second_save_with_old_version_is_refused_and_keeps_input(two):
    kari, lars, a = two
    v_kari = loaded_version(kari, a.id)
    v_lars = loaded_version(lars, a.id)
    assert v_kari == v_lars == a.version
    r = post_form(kari, a.id, v_kari, "Kari skrev: bolig først")
    assert r.status_code == 302
    r = post_form(lars, a.id, v_lars, "Lars skrev: arbeid først <&> «ok»")
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    assert "Ikke lagret: noen andre har lagret først" in page
    assert "Svarene du skrev står under og er ikke lagret" in page
    assert "Lars skrev: arbeid først &lt;&amp;&gt; «ok»" in page or \
        "Lars skrev: arbeid først <&> «ok»" in html.unescape(page)
    # The re-rendered form carries the new version, so "Lagre" again is a deliberate overwrite.
    new_version = int(re.search(r'name="version" value="(\d+)"', page).group(1))
    stored = fresh(a.id)
    assert new_version == stored.version == v_kari + 1
    assert stored.answers[ITEM] == "Kari skrev: bolig først"
    r = post_form(lars, a.id, new_version, "Lars skrev: arbeid først")
    assert r.status_code == 302
    assert fresh(a.id).answers[ITEM] == "Lars skrev: arbeid først"


def test_json_autosave_second_save_with_old_version_gets_409_and_db_unchanged(two):
    kari, lars, a = two
    v = loaded_version(kari, a.id)
    assert loaded_version(lars, a.id) == v
    r = post_json(kari, a.id, v, "Kari autolagret")
    assert r.status_code == 200
    assert r.get_json()["version"] == v + 1
    after_first = fresh(a.id)
    answers, version, updated = dict(after_first.answers), after_first.version, \
        after_first.updated_at
    r = post_json(lars, a.id, v, "Lars autolagret")
    assert r.status_code == 409
    body = r.get_json()
    assert body["error"] == "conflict"
    assert body["message"] == Conflict.message
    assert "lagret endringer" in body["message"] and "ikke lagret" in body["message"]
    assert body["version"] == v + 1
    stored = fresh(a.id)
    assert stored.answers == answers and stored.version == version
    assert stored.updated_at == updated
    events = [e.action for e in AuditEvent.query.filter_by(object_id=a.id)
              .order_by(AuditEvent.id)]
    assert events[-1] == "assessment_conflict"


def test_form_then_json_and_json_then_form_conflict(two):
    kari, lars, a = two
    v = loaded_version(kari, a.id)
    assert post_form(kari, a.id, v, "skjema først").status_code == 302
    assert post_json(lars, a.id, v, "autolagring etterpå").status_code == 409
    assert fresh(a.id).answers[ITEM] == "skjema først"
    v = fresh(a.id).version
    assert post_json(lars, a.id, v, "autolagring først").status_code == 200
    r = post_form(kari, a.id, v, "skjema etterpå")
    assert r.status_code == 409
    assert "skjema etterpå" in r.get_data(as_text=True)
    assert fresh(a.id).answers[ITEM] == "autolagring først"


def test_same_user_in_two_tabs_is_also_protected(two):
    kari, _, a = two
    v = loaded_version(kari, a.id)
    assert post_json(kari, a.id, v, "fane 1").status_code == 200
    assert post_json(kari, a.id, v, "fane 2").status_code == 409
    assert fresh(a.id).answers[ITEM] == "fane 1"


def test_autosave_chain_uses_returned_versions(two):
    kari, _, a = two
    v = loaded_version(kari, a.id)
    for i in range(5):
        r = post_json(kari, a.id, v, f"utkast {i}")
        assert r.status_code == 200
        v = r.get_json()["version"]
    assert fresh(a.id).answers[ITEM] == "utkast 4" and fresh(a.id).version == v


def test_saves_to_different_sections_still_need_the_current_version(two):
    """The version is per assessment, not per section: a stale page never overwrites."""
    kari, lars, a = two
    v = loaded_version(kari, a.id)
    assert post_json(kari, a.id, v, "Kari", section="bolig",
                     item="folkeregistrert_adresse").status_code == 200
    assert post_json(lars, a.id, v, "Lars").status_code == 409


def test_guarded_update_catches_a_race_past_the_version_check(app, factory):
    """Two processes both pass the version check: the UPDATE ... WHERE version = N lets
    only one of them win, and only the winner's save is logged."""
    user = factory.user("ansatt")
    a = factory.assessment(factory.person(contact=user), user, filled=False)
    v = a.version
    # Another process saves behind this session's back.
    with db.engine.begin() as conn:
        conn.execute(Assessment.__table__.update().where(Assessment.id == a.id)
                     .values(version=v + 1, answers={ITEM: "den andre"}))
    assert a.version == v  # this session still holds the old row
    with app.test_request_context():
        with pytest.raises(Conflict) as e:
            ops.save(a, {ITEM: "min"}, expected_version=v, by=user)
    assert e.value.current.version == v + 1
    assert fresh(a.id).answers == {ITEM: "den andre"}
    # The lost save left no audit row either.
    assert AuditEvent.query.filter_by(action="assessment_save").count() == 0


def test_signed_assessment_refuses_every_save(two, app):
    kari, _, a = two
    v = loaded_version(kari, a.id)
    stored = fresh(a.id)
    stored.status = "signed"
    db.session.commit()
    r = post_json(kari, a.id, v, "etter signering")
    assert r.status_code == 409 and r.get_json()["error"] == "locked"
    assert "signert" in r.get_json()["message"]
    r = post_form(kari, a.id, v, "etter signering")
    assert r.status_code == 409 and "signert" in r.get_data(as_text=True)
    assert fresh(a.id).answers == {}
