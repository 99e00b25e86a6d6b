"""Samtykke over time, the pårørende warning, kontaktperson and koordinator."""
from datetime import date, timedelta

import pytest

from kartlegging.domain import consent_rules
from kartlegging.extensions import db
from kartlegging.models import Consent, ContactAssignment, Coordinator
from kartlegging.persons import consents, operations

TODAY = date(2026, 11, 25)


def consent(person, user, **kw):
    c = Consent(person_id=person.id, categories=kw.pop("categories", ["helse"]),
                party_kind=kw.pop("party_kind", "parorende"), party_name=kw.pop("party_name", "Kari Mor"),
                party_relation=kw.pop("party_relation", "mor"), direction=kw.pop("direction", "fra"),
                valid_from=kw.pop("valid_from", TODAY - timedelta(days=10)),
                valid_until=kw.pop("valid_until", TODAY + timedelta(days=30)),
                given_how=kw.pop("given_how", "skriftlig"), recorded_by_id=user.id, **kw)
    db.session.add(c)
    db.session.commit()
    return c


@pytest.mark.parametrize("kw,day,expected", [
    ({}, TODAY, "i_kraft"),
    ({}, TODAY + timedelta(days=30), "i_kraft"),          # last day still valid
    ({}, TODAY + timedelta(days=31), "utlopt"),
    ({}, TODAY - timedelta(days=11), "ikke_startet"),
    ({"valid_until": None}, TODAY + timedelta(days=3650), "i_kraft"),  # til det trekkes tilbake
    ({"withdrawn_on": TODAY}, TODAY, "trukket"),
    ({"withdrawn_on": TODAY + timedelta(days=5)}, TODAY, "i_kraft"),
    ({"withdrawn_on": TODAY + timedelta(days=5)}, TODAY + timedelta(days=5), "trukket"),
])
def test_consent_status_over_time(factory, kw, day, expected):
    user = factory.user()
    c = consent(factory.person(), user, **kw)
    assert consent_rules.status(c, day) == expected


def test_in_force_and_parorende_cover(factory):
    user = factory.user()
    person = factory.person()
    nav = consent(person, user, party_kind="nav", party_name=None, party_relation=None)
    mor = consent(person, user)
    old = consent(person, user, valid_until=TODAY - timedelta(days=1))
    assert {c.id for c in consents.in_force(person.id, TODAY)} == {nav.id, mor.id}
    assert [c.id for c in consents.covering_parorende(person.id, TODAY)] == [mor.id]
    assert consents.covering_parorende(person.id, TODAY + timedelta(days=31)) == []
    assert old.id in {c.id for c in consents.for_person(person.id)}


def test_describe_says_what_whom_and_how_long(app, factory):
    c = consent(factory.person(), factory.user(), valid_until=None)
    text = consents.describe_with_labels(c)
    assert "Innhente opplysninger fra Pårørende (navngitt): Kari Mor (mor)" in text
    assert "Helseopplysninger" in text and "til det trekkes tilbake" in text
    assert "(skriftlig)" in text


def test_parorende_warning_appears_and_disappears(staff, factory, monkeypatch):
    client, user = staff
    person = factory.person()
    a = factory.assessment(person, user, filled=False)
    monkeypatch.setattr("kartlegging.assessments.views.today", lambda: TODAY)
    html = client.get(f"/kartlegginger/{a.id}/del/familie").data.decode()
    assert "Ingen samtykke i kraft for opplysninger fra eller til pårørende" in html
    assert f"/personer/{person.id}/samtykker/ny?part=parorende" in html
    consent(person, user)
    html = client.get(f"/kartlegginger/{a.id}/del/familie").data.decode()
    assert "Ingen samtykke i kraft" not in html
    assert "Samtykke i kraft for opplysninger fra/til pårørende" in html and "Kari Mor" in html
    # ... and when it has expired, the next kartlegging warns again
    monkeypatch.setattr("kartlegging.assessments.views.today", lambda: TODAY + timedelta(days=31))
    html = client.get(f"/kartlegginger/{a.id}/del/familie").data.decode()
    assert "Ingen samtykke i kraft" in html
    # sections without pårørende items say nothing
    assert "samtykke" not in client.get(f"/kartlegginger/{a.id}/del/bolig").data.decode().lower()


def test_register_consent_via_form(staff, factory):
    client, user = staff
    person = factory.person()
    r = client.post(f"/personer/{person.id}/samtykker/ny", data={
        "categories": ["helse", "rus"], "direction": "fra", "party_kind": "parorende",
        "party_name": "Per Bror", "party_relation": "bror", "valid_from": "2026-11-01",
        "valid_until": "2027-05-01", "given_how": "skriftlig"})
    assert r.status_code == 302, r.data.decode()[:3000]
    c = Consent.query.one()
    assert c.categories == ["helse", "rus"] and c.valid_until == date(2027, 5, 1)
    assert c.recorded_by_id == user.id


@pytest.mark.parametrize("data,message", [
    ({"party_kind": "parorende"}, "Skriv navnet på den pårørende."),
    ({"categories": []}, "Velg minst én type opplysninger"),
    ({"valid_until": ""}, "Skriv hvor lenge samtykket gjelder"),
    ({"valid_until": "2026-10-01"}, "Sluttdatoen kan ikke være før startdatoen."),
    ({"until_withdrawn": "y"}, "Velg enten en sluttdato eller «til det trekkes tilbake»."),
    ({"given_how": ""}, "Velg om samtykket er skriftlig eller muntlig."),
    ({"party_kind": "hacker"}, "Velg hvem samtykket gjelder."),
    ({"valid_from": "i går"}, "Skriv en gyldig dato"),
])
def test_consent_form_errors_keep_input(staff, factory, data, message):
    client, _ = staff
    person = factory.person()
    base = {"categories": ["helse"], "direction": "begge", "party_kind": "nav",
            "party_name": "NAV Alna", "valid_from": "2026-11-01", "valid_until": "2027-01-01",
            "given_how": "muntlig", "party_relation": "Spesiell tekst æøå"}
    if data.get("party_kind") == "parorende":
        base["party_name"] = ""
    base.update(data)
    r = client.post(f"/personer/{person.id}/samtykker/ny", data=base)
    assert r.status_code == 422
    html = r.data.decode()
    assert message in html
    assert "Spesiell tekst æøå" in html  # nothing typed is lost
    assert Consent.query.count() == 0


def test_withdraw_keeps_history(staff, factory):
    client, user = staff
    person = factory.person()
    c = consent(person, user, valid_from=date(2026, 1, 1))
    r = client.post(f"/samtykker/{c.id}/trekk-tilbake", data={"withdrawn_on": "2026-11-20"})
    assert r.status_code == 302
    db.session.expire_all()
    c = db.session.get(Consent, c.id)
    assert c.withdrawn_on == date(2026, 11, 20) and c.withdrawn_by_id == user.id
    html = client.get(f"/personer/{person.id}").data.decode()
    assert "Trukket tilbake" in html
    assert client.post(f"/samtykker/{c.id}/trekk-tilbake",
                       data={"withdrawn_on": "2026-11-21"}).status_code == 409


def test_withdraw_date_before_start_refused(staff, factory):
    client, user = staff
    c = consent(factory.person(), user, valid_from=date(2026, 6, 1))
    r = client.post(f"/samtykker/{c.id}/trekk-tilbake", data={"withdrawn_on": "2026-01-01"})
    assert r.status_code == 422 and "kan ikke være før" in r.data.decode()


def test_consent_routes_are_team_isolated(app, factory, login):
    other_team_user = factory.user("ansatt", team=factory.team_b)
    person = factory.person()
    c = consent(person, factory.user())
    client = login(other_team_user)
    assert client.get(f"/personer/{person.id}/samtykker/ny").status_code == 404
    assert client.get(f"/samtykker/{c.id}").status_code == 404
    assert client.post(f"/samtykker/{c.id}/trekk-tilbake",
                       data={"withdrawn_on": "2026-11-20"}).status_code == 404


# ----------------------------------------------------------------- kontaktperson and koordinator

def test_exactly_one_kontaktperson(staff, factory):
    client, user = staff
    person = factory.person(contact=user)
    other = factory.user("ansatt")
    for target in (other, user, other):
        r = client.post(f"/personer/{person.id}/kontaktperson", data={"kontaktperson": target.id})
        assert r.status_code == 302
    html = client.get(f"/personer/{person.id}").data.decode()
    assert f'<option selected value="{other.id}">' in html  # the form shows the current one
    open_rows = ContactAssignment.query.filter_by(person_id=person.id, ended_at=None).all()
    assert len(open_rows) == 1 and open_rows[0].user_id == other.id
    assert len(operations.contact_history(person.id)) == 4


def test_kontaktperson_must_be_in_team(staff, factory):
    client, _ = staff
    person = factory.person()
    outsider = factory.user("ansatt", team=factory.team_b)
    r = client.post(f"/personer/{person.id}/kontaktperson", data={"kontaktperson": outsider.id})
    assert r.status_code == 422
    assert operations.current_contact(person.id).user_id != outsider.id


def test_coordinator_reminder_rule_v2_unchanged(staff, factory):
    """v2 declares no reminder: it shows beside the IP prompt whenever none is recorded."""
    client, user = staff
    person = factory.person()
    a = factory.assessment(person, user, filled=False, version=2)
    html = client.get(f"/kartlegginger/{a.id}/del/vurdering").data.decode()
    assert "Informer om retten til koordinator" in html
    r = client.post(f"/personer/{person.id}/koordinator",
                    data={"name": "Åse Koordinator", "service": "Tildelingskontoret",
                          "since": "2026-10-01"})
    assert r.status_code == 302
    html = client.get(f"/kartlegginger/{a.id}/del/vurdering").data.decode()
    assert "Informer om retten til koordinator" not in html
    assert "Åse Koordinator" in client.get(f"/personer/{person.id}").data.decode()


V3_REMINDER = "svarene tyder på rett til koordinator"


@pytest.mark.parametrize("answers,shown", [
    ({}, False),                                                          # nothing answered
    ({"langvarig_behov": "ja", "koordinering_behov": "nei", "fastlege_har": "ja",
      "oppfolgingstjenester": ["ingen"]}, False),                         # one routine service
    ({"langvarig_behov": "ja", "koordinering_behov": "ja"}, True),        # long-term, coordinated
    ({"langvarig_behov": "nei", "oppfolgingstjenester": ["nav", "tsb", "dps"]}, True),  # complex
    ({"langvarig_behov": "ja", "koordinering_behov": "ja", "ip_var_vurdering": "nei"}, True),
])
def test_coordinator_reminder_v3_only_when_the_right_applies(staff, factory, answers, shown):
    client, user = staff
    person = factory.person()
    a = factory.assessment(person, user, filled=False)
    a.answers = answers
    db.session.commit()
    section = client.get(f"/kartlegginger/{a.id}/del/vurdering").data.decode()
    page = client.get(f"/personer/{person.id}").data.decode()
    assert (V3_REMINDER in section) is shown
    assert (V3_REMINDER in page) is shown
    if shown:
        assert "Pasient- og brukerrettighetsloven § 2-5 b" in section
        db.session.add(Coordinator(person_id=person.id, name="Åse", service="NAV",
                                   since=date(2026, 10, 1), recorded_by_id=user.id))
        db.session.commit()
        assert V3_REMINDER not in client.get(f"/kartlegginger/{a.id}/del/vurdering").data.decode()
        assert V3_REMINDER not in client.get(f"/personer/{person.id}").data.decode()


def test_coordinator_form_errors(staff, factory):
    client, _ = staff
    person = factory.person()
    r = client.post(f"/personer/{person.id}/koordinator", data={"name": "", "service": "X",
                                                                 "since": "nei"})
    assert r.status_code == 422
    html = r.data.decode()
    assert "Skriv koordinatorens navn." in html and "Skriv en gyldig dato" in html
    assert 'value="X"' in html  # what was typed is kept
