"""Person page: the next evaluation date and what is missing, at the top."""
from datetime import datetime, time, timedelta

from kartlegging.clock import now_utc, today
from kartlegging.domain.due import due_date
from kartlegging.extensions import db
from kartlegging.models import Consent


def noon_days_ago(n):
    """Noon (UTC) on the Oslo date n days ago: the same Oslo date whatever the hour now."""
    return datetime.combine(today() - timedelta(days=n), time(10))


def top(client, person):
    html = client.get(f"/personer/{person.id}").get_data(as_text=True)
    box = html.split('id="oppf-h"', 1)[1].split("</section>", 1)[0]
    # it comes before everything else on the page
    assert html.index('id="oppf-h"') < html.index('id="ip-h"')
    return box


def test_never_signed_is_due_now(staff, factory):
    client, user = staff
    p = factory.person(contact=user)
    box = top(client, p)
    assert "Neste evaluering: <strong><span aria-hidden=\"true\">⚠ </span>nå</strong>" in box
    assert "ingen signert kartlegging" in box
    assert "Ingen koordinator er registrert." in box


def test_overdue_and_the_correction_counts(staff, factory):
    client, user = staff
    p = factory.person(contact=user)
    old = factory.signed(p, user, signed_at=noon_days_ago(200))
    box = top(client, p)
    assert "forfalt</strong> for 80 dager siden" in box
    new = factory.signed(p, user, signed_at=now_utc() - timedelta(days=3))
    new.supersedes_id = old.id
    db.session.commit()
    box = top(client, p)
    expected = due_date(new.signed_at, 120).strftime("%d.%m.%Y")
    assert expected in box and "forfalt" not in box


def test_due_soon(staff, factory):
    client, user = staff
    p = factory.person(contact=user)
    factory.signed(p, user, signed_at=noon_days_ago(110))
    assert "forfaller om 10 dager" in top(client, p)


def test_custom_interval(app, staff, factory):
    client, user = staff
    app.config["REASSESS_AFTER_DAYS"] = 30
    p = factory.person(contact=user)
    factory.signed(p, user, signed_at=noon_days_ago(40))
    assert "forfalt</strong> for 10 dager siden" in top(client, p)


def test_missing_consent_expiring_and_kriseplan(staff, factory):
    client, user = staff
    p = factory.person(contact=user)
    factory.coordinator(p, user)
    db.session.add(Consent(person_id=p.id, categories=["helse"], party_kind="fastlege",
                           party_name="Dr. Hansen", direction="begge",
                           valid_from=today() - timedelta(days=100),
                           valid_until=today() + timedelta(days=20), given_how="skriftlig",
                           recorded_by_id=user.id))
    db.session.add(Consent(person_id=p.id, categories=["helse"], party_kind="nav",
                           party_name="NAV Alna", direction="begge",
                           valid_from=today() - timedelta(days=100),
                           valid_until=today() + timedelta(days=90), given_how="skriftlig",
                           recorded_by_id=user.id))
    db.session.commit()
    factory.assessment(p, user, overgang=["losl_fengsel"], kriseplan_status="mangler")
    box = top(client, p)
    assert "Ingen koordinator" not in box
    assert "Samtykket til Dr. Hansen utløper" in box and "NAV Alna" not in box
    assert "kriseplanen er ikke laget eller oppdatert" in box


def test_nothing_missing(staff, factory):
    client, user = staff
    p = factory.person(contact=user)
    factory.coordinator(p, user)
    factory.signed(p, user, version=2, overgang=["ingen"])  # v2: no release-date rule
    assert "Ingenting mangler." in top(client, p)


def test_start_page_shows_my_persons_with_what_is_due(staff, factory):
    client, user = staff
    mine = factory.person(contact=user, name="Min Person")
    factory.signed(mine, user, signed_at=now_utc() - timedelta(days=130))
    factory.person(name="Ikke Min")
    html = client.get("/").get_data(as_text=True)
    assert "<h1>Mine personer</h1>" in html
    assert "Min Person" in html and "Ikke Min" not in html and "Forfalt" in html
    # an ansatt has no team summary (that is for team leads)
    assert "Gå til Oppfølging" not in html


def test_start_page_for_team_lead_shows_team_counts(factory, login):
    lead = factory.user("teamleder")
    other = factory.user("ansatt")
    factory.person(contact=other)
    p = factory.person(contact=other)
    factory.coordinator(p, other)
    html = login(lead).get("/").get_data(as_text=True)
    assert "<strong>2</strong> forfalt eller aldri kartlagt" in html
    assert "<strong>1</strong> uten koordinator" in html
    assert "Gå til Oppfølging" in html


def test_login_lands_on_my_persons(app, factory, client):
    from conftest import PASSWORD
    user = factory.user("ansatt")
    r = client.post("/logg-inn", data={"username": user.username, "password": PASSWORD},
                    follow_redirects=True)
    assert "<h1>Mine personer</h1>" in r.get_data(as_text=True)


COORDINATOR_RIGHT = (
    "Ingen koordinator er registrert. Personen har rett til koordinator ved behov for "
    "langvarige og koordinerte tjenester (helse- og omsorgstjenesteloven § 7-2). Informer "
    "personen om retten og om hvordan koordinator kan nås.")


def coordinator_notice(client, person):
    html = client.get(f"/personer/{person.id}").get_data(as_text=True)
    return html.split('id="koordinator-paaminnelse">', 1)[1].split("</p>", 1)[0]


def test_koordinator_reminder_is_the_same_before_and_after_an_empty_draft(staff, factory):
    client, user = staff
    p = factory.person(contact=user)
    assert coordinator_notice(client, p) == COORDINATOR_RIGHT
    factory.assessment(p, user, filled=False)  # the newest version, with its own reminder
    assert coordinator_notice(client, p) == COORDINATOR_RIGHT
    # the form's own reminder, once its answers point to the right
    a = factory.assessment(factory.person(contact=user), user, filled=False)
    a.answers = {"langvarig_behov": "ja", "koordinering_behov": "ja"}
    db.session.commit()
    assert coordinator_notice(client, a.person) == (
        "Ingen koordinator er registrert for personen, og svarene tyder på rett til "
        "koordinator. Informer om retten og om hvordan koordinator kan nås.")
