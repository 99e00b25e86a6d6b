"""A signed kartlegging as a FHIR Bundle: web, CLI, corrections, audit."""
import base64
import hashlib
import json
from datetime import date

import pytest

from conftest import PASSWORD
from factories import WRITTEN_AGAINST, fnr
from fhir_support import BASE, validate
from kartlegging.domain.rules import evaluate
from kartlegging.extensions import db
from kartlegging.models import Assessment, AuditEvent, Coordinator

INSTRUMENT_VERSIONS = WRITTEN_AGAINST

FNR_OID = "urn:oid:2.16.578.1.12.4.1.4.1"


def fresh(a_id) -> Assessment:
    db.session.expire_all()
    return db.session.get(Assessment, a_id)


def resources(bundle, kind):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def sign(client, a):
    r = client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD})
    assert r.status_code == 302, r.data.decode()[:1000]
    return fresh(a.id)


@pytest.fixture
def signed(staff, factory):
    client, user = staff
    person = factory.person(name="Kari Nordmann", contact=user)
    a = factory.assessment(person, user, fastlege_har="ja", oppfolgingstjenester=["nav", "tsb"],
                           langvarig_behov="ja", ip_var_vurdering="ja", ip_tilbudt="ja",
                           ip_svar="takket_ja", overgang=["losl_fengsel"],
                           kriseplan_status="under_arbeid")
    factory.rating(a, user, values={"liv_helhet": 3, "okonomi": "vil_ikke_svare",
                                    "bolig": 6, "naer_venn": "ja"})
    db.session.add(Coordinator(person_id=person.id, name="Åse Koordinator", service="NAV Alna",
                               since=date(2026, 10, 1), recorded_by_id=user.id))
    db.session.commit()
    return client, user, person, sign(client, a)


def test_signed_kartlegging_exports_as_a_valid_bundle(signed, app):
    client, user, person, a = signed
    r = client.get(f"/kartlegginger/{a.id}/fhir")
    assert r.status_code == 200 and r.mimetype == "application/fhir+json"
    assert "KL-" in r.headers["Content-Disposition"]
    bundle = r.get_json(force=True)
    validate(bundle)
    assert bundle["type"] == "document"  # the document itself: tests/fhir/test_fhir_document.py

    qr, = resources(bundle, "QuestionnaireResponse")
    assert qr["status"] == "completed"
    assert qr["questionnaire"] == f"{BASE}/Questionnaire/{a.instrument_key}|{a.instrument_version}"
    assert qr["subject"]["identifier"] == {"system": FNR_OID, "value": person.national_id}
    assert qr["author"]["display"] == user.name
    assert qr["authored"] == a.signed_at.replace(microsecond=0).isoformat() + "Z"
    answered = {it["linkId"]: it["answer"] for g in qr["item"] for it in g["item"]}
    assert answered["langvarig_behov"] == [{"valueCoding": {
        "system": f"{BASE}/CodeSystem/alna-kartlegging/langvarig_behov", "code": "ja",
        "display": "Ja"}}]
    assert [v["valueCoding"]["code"] for v in answered["oppfolgingstjenester"]] == ["nav", "tsb"]

    observations = resources(bundle, "Observation")
    codes = {o["code"]["coding"][0]["code"]: o for o in observations}
    expected = evaluate(app.extensions["instruments"].get(a.instrument_key,
                                                          a.instrument_version), a.answers)
    for d in expected.derived.values():
        assert codes[d.id]["valueCodeableConcept"]["coding"][0]["code"] == d.outcome
        assert [n["text"] for n in codes[d.id]["note"]][:len(d.reasons)] == [
            f"Grunn: {t}" for t in d.reasons]
    assert codes["ip"]["valueCodeableConcept"]["coding"][0]["code"] == "oppfylt"
    assert codes["kriseplan"]["valueCodeableConcept"]["coding"][0]["code"] == "trengs"
    assert codes["koordinator-registrert"]["valueString"].startswith("Åse Koordinator, NAV Alna")
    assert len({e["fullUrl"] for e in bundle["entry"]}) == len(bundle["entry"])
    rating = codes["livskvalitet"]
    assert rating["valueQuantity"]["value"] == 4.5
    comps = {c["code"]["coding"][0]["code"]: c for c in rating["component"]}
    assert comps["liv_helhet"]["valueInteger"] == 3
    assert comps["okonomi"]["valueCodeableConcept"]["coding"][0]["code"] == "vil_ikke_svare"
    assert comps["naer_venn"]["valueBoolean"] is True

    doc, = resources(bundle, "DocumentReference")
    pdf = base64.b64decode(doc["content"][0]["attachment"]["data"])
    assert pdf == a.signed_pdf
    assert doc["content"][0]["attachment"]["hash"] == base64.b64encode(
        hashlib.sha1(a.signed_pdf).digest()).decode()
    assert doc["extension"][0]["valueString"] == hashlib.sha256(a.signed_pdf).hexdigest()
    assert doc["masterIdentifier"]["value"] == a.document_id
    assert doc["status"] == "current" and doc["docStatus"] == "final"

    event = AuditEvent.query.filter_by(action="fhir_export").one()
    assert (event.person_id, event.object_id, event.user_id) == (person.id, a.id, user.id)


def test_correction_exports_as_amended_and_names_what_it_replaces(signed):
    client, user, person, a = signed
    r = client.post(f"/kartlegginger/{a.id}/rettelse")
    new = Assessment.query.filter_by(supersedes_id=a.id).one()
    new = sign(client, new)
    bundle = client.get(f"/kartlegginger/{new.id}/fhir").get_json(force=True)
    validate(bundle)
    qr, = resources(bundle, "QuestionnaireResponse")
    assert qr["status"] == "amended"
    assert qr["extension"][0]["valueReference"]["identifier"]["value"] == a.document_id
    doc, = resources(bundle, "DocumentReference")
    assert doc["docStatus"] == "amended"
    assert doc["relatesTo"] == [{"code": "replaces", "target": {
        "type": "DocumentReference",
        "identifier": {"system": f"{BASE}/dokument", "value": a.document_id}}}]
    old = client.get(f"/kartlegginger/{a.id}/fhir").get_json(force=True)
    assert resources(old, "DocumentReference")[0]["status"] == "superseded"
    assert resources(old, "QuestionnaireResponse")[0]["status"] == "completed"
    assert r.status_code == 302


@pytest.mark.parametrize("kind,number,oid", [
    ("d_nummer", fnr(day=41, month=3, year=85), "urn:oid:2.16.578.1.12.4.1.4.2"),
    ("h_nummer", fnr(day=12, month=43, year=85), "urn:oid:2.16.578.1.12.4.1.4.3"),
])
def test_subject_carries_the_identifier_in_its_own_system(staff, factory, kind, number, oid):
    client, user = staff
    person = factory.person(contact=user, national_id=number)
    a = sign(client, factory.assessment(person, user))
    bundle = client.get(f"/kartlegginger/{a.id}/fhir").get_json(force=True)
    qr, = resources(bundle, "QuestionnaireResponse")
    assert qr["subject"]["identifier"] == {"system": oid, "value": number}


def test_person_without_number_gets_the_local_identifier(staff, factory):
    client, user = staff
    person = factory.person(contact=user, national_id=None, no_id_reason="Ukjent")
    a = sign(client, factory.assessment(person, user))
    qr, = resources(client.get(f"/kartlegginger/{a.id}/fhir").get_json(force=True),
                    "QuestionnaireResponse")
    assert qr["subject"]["identifier"] == {"system": f"{BASE}/person", "value": str(person.id)}


def test_draft_cannot_be_exported_and_nothing_is_logged(staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(contact=user), user)
    r = client.get(f"/kartlegginger/{a.id}/fhir")
    assert r.status_code == 409 and "Bare signerte" in r.data.decode()
    assert AuditEvent.query.filter_by(action="fhir_export").count() == 0


def test_cli_exports_the_same_bundle_and_logs_it(signed, app, tmp_path):
    client, user, person, a = signed
    out = tmp_path / "kl.json"
    r = app.test_cli_runner().invoke(args=["fhir", "bundle", str(a.id), "--out", str(out)])
    assert r.exit_code == 0, r.output
    bundle = json.loads(out.read_text())
    validate(bundle)
    web = client.get(f"/kartlegginger/{a.id}/fhir").get_json(force=True)
    assert [e["fullUrl"] for e in bundle["entry"]] == [e["fullUrl"] for e in web["entry"]]
    assert [e["resource"] for e in bundle["entry"]] == [e["resource"] for e in web["entry"]]
    events = AuditEvent.query.filter_by(action="fhir_export").order_by(AuditEvent.id).all()
    assert events[0].username == "kommandolinje" and events[0].object_id == a.id
    r = app.test_cli_runner().invoke(args=["fhir", "bundle", "999999"])
    assert r.exit_code != 0 and "Fant ingen kartlegging" in r.output


def test_cli_and_admin_download_questionnaire(app, factory, login):
    r = app.test_cli_runner().invoke(args=["fhir", "questionnaire", "alna-kartlegging",
                                           "--version", "1"])
    assert r.exit_code == 0, r.output
    q = json.loads(r.output)
    validate(q)
    assert q["version"] == "1"
    r = app.test_cli_runner().invoke(args=["fhir", "questionnaire", "finnes-ikke"])
    assert r.exit_code != 0 and "Kjente skjemaer" in r.output

    admin = login(factory.user("admin"))
    page = admin.get("/fhir/skjemaer").data.decode()
    for inst in app.extensions["instruments"]:
        assert f"/fhir/skjemaer/{inst.ref}.json" in page
    r = admin.get("/fhir/skjemaer/livskvalitet.v1.json")
    assert r.status_code == 200 and r.mimetype == "application/fhir+json"
    validate(r.get_json(force=True))
    assert admin.get("/fhir/skjemaer/livskvalitet.v99.json").status_code == 404
    assert login(factory.user("teamleder")).get("/fhir/skjemaer").status_code == 403
