"""Alna v4 on the running app: a contradiction is flagged at its item (on the page and after
each autosave) and holds signing back; the koordinator reminder follows the answers after
each save; the question of whether the person asked for a plan blocks signing when unanswered."""
import re
from datetime import timedelta

from kartlegging.clock import today
from kartlegging.extensions import db

CONFLICT = ("Du har krysset av for «Ingen overgang nå», men personen ble løslatt fra fengsel for "
            "mindre enn 8 uker siden, eller har en planlagt løslatelse (se «Dato for siste "
            "løslatelse, eller planlagt løslatelse»). Fjern krysset, eller rett datoen.")
OFFERED = ("Personen er tilbudt koordinator. Det som mangler, er hvem koordinatoren er: "
           "registrer koordinatoren når det er avklart.")
REMINDER = ("Ingen koordinator er registrert for personen, og svarene tyder på rett til "
            "koordinator. Informer om retten og om hvordan koordinator kan nås.")


def text(html):
    return re.sub(r"\s+", " ", html)


def flag_box(html, item):
    return html.split(f'id="flagg-{item}"', 1)[1].split("</div>", 1)[0]


def draft(factory, user, **answers):
    a = factory.assessment(factory.person(), user, version=4, **answers)
    db.session.commit()
    return a


def save(client, a, section, **answers):
    r = client.post(f"/kartlegginger/{a.id}/autolagre",
                    json={"version": a.version, "section": section, "answers": answers})
    assert r.status_code == 200, r.data
    db.session.refresh(a)
    return r.get_json()


def released_days_ago(n):
    return (today() - timedelta(days=n)).isoformat()


def test_no_transition_and_a_recent_release_is_flagged_at_the_item(staff, factory):
    client, user = staff
    a = draft(factory, user, fengsel="ja", fengsel_losl_dato=released_days_ago(21),
              overgang=["ingen"], kriseplan_status="mangler")
    html = text(client.get(f"/kartlegginger/{a.id}/del/overganger").data.decode())
    assert CONFLICT in flag_box(html, "overgang")
    # The overview and the sign page hold signing back with the same words.
    assert CONFLICT in text(client.get(f"/kartlegginger/{a.id}").data.decode())
    assert CONFLICT in text(client.get(f"/kartlegginger/{a.id}/signer").data.decode())

    # Resolved by the next autosave: the flag goes, and comes back with the contradiction.
    data = save(client, a, "overganger", overgang=["losl_fengsel"], kriseplan_status="mangler")
    assert data["flags"] == {}
    data = save(client, a, "overganger", overgang=["ingen"], kriseplan_status="mangler")
    assert data["flags"] == {"overgang": [CONFLICT]}


def test_an_old_release_is_no_contradiction(staff, factory):
    client, user = staff
    a = draft(factory, user, fengsel="ja", fengsel_losl_dato=released_days_ago(120),
              overgang=["ingen"])
    html = text(client.get(f"/kartlegginger/{a.id}/del/overganger").data.decode())
    assert "check-flag" not in flag_box(html, "overgang")


def test_koordinator_reminder_follows_the_offer_after_each_save(staff, factory):
    client, user = staff
    a = draft(factory, user, langvarig_behov="ja", koordinering_behov="ja",
              koordinator_tilbudt=None)
    html = text(client.get(f"/kartlegginger/{a.id}/del/vurdering").data.decode())
    assert REMINDER in html and OFFERED not in html
    answers = {k: v for k, v in a.answers.items() if k in {
        i.id for i in factory.app.extensions["instruments"].get(
            "alna-kartlegging", 4).section("vurdering").items}}
    data = save(client, a, "vurdering", **{**answers, "koordinator_tilbudt": "ja"})
    assert data["reminders"] == [OFFERED]
    assert OFFERED in text(client.get(f"/kartlegginger/{a.id}/del/vurdering").data.decode())
    # A section without a reminding prompt answers no reminders (and asks the database nothing).
    assert save(client, a, "overganger", overgang=["flytting"])["reminders"] is None


def test_asked_for_a_plan_must_be_answered_when_the_assessment_is_no(staff, factory):
    client, user = staff
    a = draft(factory, user, ip_var_vurdering="nei", ip_onsket_av_person=None,
              ip_begrunnelse="Vurdert sammen med personen.")
    page = text(client.get(f"/kartlegginger/{a.id}/signer").data.decode())
    assert "«Har personen selv bedt om individuell plan?» må besvares." in page
