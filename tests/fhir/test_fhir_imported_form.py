"""The whole way round: a Questionnaire imported with `flask fhir import-questionnaire`
becomes a form staff start from the person page, fill, sign (PDF/A + PAdES) and export, and
whose QuestionnaireResponse imports as a draft. The app runs on a temporary copy of
instruments/ (INSTRUMENTS_DIR); the committed folder is never touched."""
import html
import io
import json

import pytest
from pypdf import PdfReader

from conftest import PASSWORD
from fhir_support import validate
from imported_form import KEY, TITLE, app_on, import_into
from kartlegging.extensions import db
from kartlegging.journal import pades, signing
from kartlegging.models import Assessment, AuditEvent


@pytest.fixture
def imported(app, tmp_path):
    """(app, factory) of an app started on instruments/ + the imported questionnaire."""
    directory = import_into(app, tmp_path)
    with app_on(directory, tmp_path) as made:
        yield made


def _login(app, user):
    c = app.test_client()
    assert c.post("/logg-inn", data={"username": user.username,
                                     "password": PASSWORD}).status_code == 302
    return c


@pytest.fixture
def started(imported):
    """An ansatt who started the imported form for a person from the person page."""
    app, f = imported
    user = f.user("ansatt")
    person = f.person(contact=user)
    client = _login(app, user)
    page = client.get(f"/personer/{person.id}").data.decode()
    assert "Andre skjema" in page and TITLE in page
    assert f'name="skjema" value="{KEY}"' in page
    r = client.post(f"/personer/{person.id}/kartlegginger", data={"skjema": KEY})
    assert r.status_code == 302, r.data
    a = Assessment.query.filter_by(person_id=person.id).one()
    assert (a.instrument_key, a.instrument_version, a.status) == (KEY, 1, "draft")
    assert r.headers["Location"].endswith(f"/kartlegginger/{a.id}/del/symptomer")
    return app, f, client, user, person, a


def _text(r) -> str:
    return html.unescape(r.data.decode())


def _version(a) -> str:
    db.session.expire_all()
    return str(db.session.get(Assessment, a.id).version)


def _fill(client, a):
    r = client.post(f"/kartlegginger/{a.id}/del/symptomer", data={
        "version": _version(a), "lite_glede": "1", "nedfor": "3", "sovn": "0", "neste": "1"})
    assert r.status_code == 302, _text(r)[:2000]
    assert r.headers["Location"].endswith(f"/kartlegginger/{a.id}/del/hjelp")
    r = client.post(f"/kartlegginger/{a.id}/del/hjelp", data={
        "version": _version(a), "far_hjelp": "ja", "hjelp_hvem": "Fastlegen på Furuset",
        "neste": "1"})
    assert r.status_code == 302, _text(r)[:2000]
    assert r.headers["Location"].endswith(f"/kartlegginger/{a.id}")


def _sign(client, a):
    r = client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD})
    assert r.status_code == 302, _text(r)[:2000]
    db.session.expire_all()
    return db.session.get(Assessment, a.id)


def test_staff_start_fill_sign_and_open_the_pdf(started):
    app, f, client, user, person, a = started
    page = _text(client.get(f"/kartlegginger/{a.id}/del/symptomer"))
    assert "Nesten hver dag" in page and "Følt deg nedfor" in page
    assert "Ingen særskilt oppfølging foreslått" in page        # the imported prompt, placed
    assert "pårørende" not in page and "Koordinator" not in page
    # validation: a value outside the options is refused, nothing is saved
    r = client.post(f"/kartlegginger/{a.id}/del/symptomer", data={
        "version": _version(a), "lite_glede": "9"})
    assert r.status_code == 422 and "Noe i skjemaet må rettes" in _text(r)
    assert db.session.get(Assessment, a.id).answers == {}
    _fill(client, a)
    db.session.expire_all()
    assert db.session.get(Assessment, a.id).answers == {
        "lite_glede": 1, "nedfor": 3, "sovn": 0, "far_hjelp": "ja",
        "hjelp_hvem": "Fastlegen på Furuset"}
    overview = _text(client.get(f"/kartlegginger/{a.id}"))
    assert "Følg opp med samtale om humør" in overview       # the imported derived prompt
    assert "Gjennomsnitt symptomer" in overview and "1,3 (snitt av 3 av 3)" in overview
    assert "livskvalitet" not in overview.lower()             # no hand-over for this form
    signed = _sign(client, a)
    assert signed.status == "signed" and signed.signed_pdf.startswith(b"%PDF")
    result = pades.verify_pdf(signed.signed_pdf, signing.trust_roots())
    assert result.ok, result.errors
    assert result.document_id == signed.document_id
    r = client.get(f"/kartlegginger/{a.id}/pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    flat = " ".join(text.split())
    for expected in (TITLE, "Symptomer siste to uker", "Flere dager", "Nesten hver dag",
                     "Ikke i det hele tatt", "Fastlegen på Furuset", "Hjelp og støtte",
                     "Forslag til oppfølging", "Følg opp med samtale om humør",
                     "1,3 (snitt av 3 av 3)", signed.document_id, user.name):
        assert expected in flat, expected
    for absent in ("Koordinator", "Samtykker i kraft", "Individuell plan", "Livskvalitet",
                   "Levekårsindeks", "Område"):
        assert absent not in flat, absent
    # the signed view shows the answers; the person page lists it as signed, with the date
    page = _text(client.get(f"/kartlegginger/{a.id}/del/symptomer"))
    assert "Kartleggingen er signert og låst" in page and "Nesten hver dag" in page
    person_page = _text(client.get(f"/personer/{person.id}"))
    section = person_page[person_page.index("Andre skjema"):]
    assert f"{signed.document_id}" in section and "Signert " in section
    assert 'name="skjema" value="humor-screening"' in section   # start again: no open draft
    actions = [e.action for e in AuditEvent.query.filter_by(object_id=a.id)
               .order_by(AuditEvent.id)]
    for action in ("assessment_create", "assessment_view", "assessment_save",
                   "assessment_sign", "pdf_download"):
        assert action in actions, action


def test_checks_and_conditions_of_the_imported_form_hold_before_signing(started):
    app, f, client, user, person, a = started
    r = client.post(f"/kartlegginger/{a.id}/autolagre", json={
        "version": int(_version(a)), "section": "hjelp", "answers": {"far_hjelp": "ja"}})
    assert r.status_code == 200, r.data
    assert r.get_json()["visible"] == {"far_hjelp": True, "hjelp_hvem": True}
    page = _text(client.get(f"/kartlegginger/{a.id}/signer"))
    assert "Skriv hvem som gir hjelp når personen får hjelp." in page
    assert "«Følt deg nedfor, deprimert eller fått følelsen av håpløshet» må besvares." in page
    r = client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD})
    assert r.status_code == 422
    r = client.post(f"/kartlegginger/{a.id}/autolagre", json={
        "version": int(_version(a)), "section": "hjelp", "answers": {"far_hjelp": "nei"}})
    assert r.get_json()["visible"] == {"far_hjelp": True, "hjelp_hvem": False}
    db.session.expire_all()
    assert db.session.get(Assessment, a.id).status == "draft"


def test_one_open_draft_per_form_and_a_second_only_with_a_reason(started):
    app, f, client, user, person, a = started
    page = _text(client.get(f"/personer/{person.id}"))
    section = page[page.index("Andre skjema"):]
    assert f'href="/kartlegginger/{a.id}/del/symptomer">Fortsett utkastet fra' in section
    assert "Start et nytt utkast likevel" in section
    assert 'id="grunn-humor-screening"' in section
    # the Alna form is not blocked by the other form's draft
    assert ">Start ny kartlegging</button>" in page
    r = client.post(f"/personer/{person.id}/kartlegginger", data={"skjema": KEY})
    assert r.status_code == 409 and "Det finnes allerede et utkast" in _text(r)
    assert f'name="skjema" value="{KEY}"' in _text(r)
    assert Assessment.query.filter_by(person_id=person.id).count() == 1
    r = client.post(f"/personer/{person.id}/kartlegginger",
                    data={"skjema": KEY, "grunn": "Personen vil fylle ut på nytt."})
    assert r.status_code == 302
    assert Assessment.query.filter_by(person_id=person.id, instrument_key=KEY).count() == 2
    event = AuditEvent.query.filter_by(action="assessment_create").order_by(
        AuditEvent.id.desc()).first()
    assert "Personen vil fylle ut på nytt." in event.detail
    for bad in ("finnes-ikke", "livskvalitet"):
        r = client.post(f"/personer/{person.id}/kartlegginger", data={"skjema": bad})
        assert r.status_code == 404 and "Fant ikke skjemaet" in _text(r)


def test_other_teams_get_404(started):
    app, f, client, user, person, a = started
    _fill(client, a)
    _sign(client, a)
    other = _login(app, f.user("ansatt", team=f.team_b))
    for url in (f"/kartlegginger/{a.id}", f"/kartlegginger/{a.id}/del/symptomer",
                f"/kartlegginger/{a.id}/pdf", f"/kartlegginger/{a.id}/fhir",
                f"/kartlegginger/{a.id}/signer"):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/personer/{person.id}/kartlegginger",
                      data={"skjema": KEY}).status_code == 404
    # the hand-over belongs to forms that embed the self-rating: not this one
    assert client.post(f"/kartlegginger/{a.id}/livskvalitet/gi-nettbrettet").status_code == 404
    assert client.get(f"/kartlegginger/{a.id}/livskvalitet/ansatt").status_code == 404


def test_bundle_export_validates_and_the_response_imports_as_a_draft(started):
    app, f, client, user, person, a = started
    _fill(client, a)
    signed = _sign(client, a)
    r = client.get(f"/kartlegginger/{a.id}/fhir")
    assert r.status_code == 200 and r.mimetype == "application/fhir+json"
    bundle = json.loads(r.data)
    validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    # the document's header and parties first (tests/fhir/test_fhir_document.py)
    assert kinds == ["Composition", "Patient", "Practitioner", "Organization", "Organization",
                     "QuestionnaireResponse", "Observation", "DocumentReference"]
    qr = bundle["entry"][5]["resource"]
    validate(qr)
    assert qr["questionnaire"].endswith(f"/Questionnaire/{KEY}|1")
    assert qr["status"] == "completed"
    obs = bundle["entry"][6]["resource"]
    assert obs["valueCodeableConcept"]["text"] == "Følg opp med samtale om humør"
    doc = bundle["entry"][7]["resource"]
    assert doc["type"]["text"].startswith(TITLE)
    assert doc["content"][0]["attachment"]["size"] == len(signed.signed_pdf)
    assert AuditEvent.query.filter_by(action="fhir_export", object_id=a.id).count() == 1
    # the CLI exports the same form
    out = app.test_cli_runner().invoke(args=["fhir", "bundle", str(a.id)])
    assert out.exit_code == 0, out.output
    validate(json.loads(out.output))
    # the QuestionnaireResponse comes back as a new draft of the same form, same answers
    page = _text(client.get(f"/personer/{person.id}/fhir-import"))
    assert f"/Questionnaire/{KEY}|1" in page
    r = client.post(f"/personer/{person.id}/fhir-import",
                    data={"text": json.dumps(qr, ensure_ascii=False)})
    assert r.status_code == 302, _text(r)[:2000]
    draft = Assessment.query.order_by(Assessment.id.desc()).first()
    assert (draft.instrument_key, draft.instrument_version, draft.status) == (KEY, 1, "draft")
    assert draft.answers == signed.answers
    assert _text(client.get(f"/kartlegginger/{draft.id}/del/hjelp")).count(
        "Fastlegen på Furuset") >= 1
    # an answer outside the options is named, nothing is stored
    bad = json.loads(json.dumps(qr))
    first = bad["item"][0]["item"][0]
    first["answer"] = [{"valueCoding": {"code": "7", "display": "Sju"}}]
    before = Assessment.query.count()
    r = client.post(f"/personer/{person.id}/fhir-import", data={"text": json.dumps(bad)})
    assert r.status_code == 422 and "lite_glede" in _text(r)
    assert Assessment.query.count() == before
