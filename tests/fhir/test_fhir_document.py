"""The FHIR export is a document Bundle: Composition first, Patient, Practitioner (HPR-nummer),
Organizations, the same identifier at every export of one signed version, a correction that
replaces the earlier document; R4B validation and the bdl-* invariants."""
import pytest

from conftest import PASSWORD
from factories import WRITTEN_AGAINST
from fhir_support import BASE, validate
from kartlegging.extensions import db
from kartlegging.models import Assessment, User

INSTRUMENT_VERSIONS = WRITTEN_AGAINST

FNR_OID = "urn:oid:2.16.578.1.12.4.1.4.1"
FHN_OID = "urn:oid:2.16.578.1.12.4.1.4.3"
HPR_OID = "urn:oid:2.16.578.1.12.4.1.4.4"
ENH_OID = "urn:oid:2.16.578.1.12.4.1.4.101"


def fresh(a_id) -> Assessment:
    db.session.expire_all()
    return db.session.get(Assessment, a_id)


def sign(client, a):
    r = client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD})
    assert r.status_code == 302, r.data.decode()[:1000]
    return fresh(a.id)


def export(client, a) -> dict:
    r = client.get(f"/kartlegginger/{a.id}/fhir")
    assert r.status_code == 200
    bundle = r.get_json(force=True)
    validate(bundle)
    return bundle


def one(bundle, kind) -> dict:
    found = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]
    assert len(found) == 1, (kind, len(found))
    return found[0]


def references(value):
    """Every Reference.reference inside a resource."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "reference" and isinstance(v, str):
                yield v
            else:
                yield from references(v)
    elif isinstance(value, list):
        for v in value:
            yield from references(v)


def bdl_problems(bundle) -> list[str]:
    """The Bundle invariants of R4 (bdl-1 … bdl-12) that apply to its content, evaluated
    here as their FHIRPath expressions say, and the document rule that every reference
    resolves inside the Bundle."""
    kind, entries, problems = bundle["type"], bundle.get("entry", []), []
    if "total" in bundle and kind not in ("searchset", "history"):
        problems.append("bdl-1")
    if any("search" in e for e in entries) and kind != "searchset":
        problems.append("bdl-2")
    needs_request = kind in ("batch", "transaction", "history")
    if any(("request" in e) != needs_request for e in entries):
        problems.append("bdl-3")
    needs_response = kind in ("batch-response", "transaction-response", "history")
    if any(("response" in e) != needs_response for e in entries):
        problems.append("bdl-4")
    if any(not ("resource" in e or "request" in e or "response" in e) for e in entries):
        problems.append("bdl-5")
    urls = [e.get("fullUrl") for e in entries]
    if len(set(urls)) != len(urls):
        problems.append("bdl-7")
    if any(u and "/_history/" in u for u in urls):
        problems.append("bdl-8")
    ident = bundle.get("identifier") or {}
    if kind == "document" and not (ident.get("system") and ident.get("value")):
        problems.append("bdl-9")
    if kind == "document" and not bundle.get("timestamp"):
        problems.append("bdl-10")
    if kind == "document" and entries[0]["resource"]["resourceType"] != "Composition":
        problems.append("bdl-11")
    if kind == "message" and entries[0]["resource"]["resourceType"] != "MessageHeader":
        problems.append("bdl-12")
    dangling = {r for e in entries for r in references(e["resource"])} - set(urls)
    if dangling:
        problems.append(f"unresolved {sorted(dangling)}")
    return problems


@pytest.fixture
def signed(app, staff, factory):
    client, user = staff
    db.session.get(User, user.id).hpr_nummer = "9144889"
    db.session.commit()
    app.config.update(FHIR_ORGANISATION_NAME="Bydel Alna", FHIR_ORGANISATION_NUMBER="974778807")
    person = factory.person(name="Kari Nordmann", contact=user)
    a = factory.assessment(person, user, fastlege_har="ja", oppfolgingstjenester=["nav", "tsb"],
                           langvarig_behov="ja", ip_var_vurdering="ja", ip_tilbudt="ja",
                           ip_svar="takket_ja", kriseplan_status="under_arbeid")
    factory.rating(a, user)
    return client, user, person, sign(client, a)


def test_a_document_with_the_composition_first(signed):
    client, user, person, a = signed
    bundle = export(client, a)
    assert bundle["type"] == "document" and bdl_problems(bundle) == []
    assert bundle["timestamp"] == a.signed_at.replace(microsecond=0).isoformat() + "Z"
    urls = {"Organization:" + e["resource"]["name"]: e["fullUrl"] for e in bundle["entry"]
            if e["resource"]["resourceType"] == "Organization"}
    comp = bundle["entry"][0]["resource"]
    assert comp["status"] == "final" and comp["confidentiality"] == "R"
    assert comp["title"] == f"Kartlegging – {a.document_label}"
    assert comp["identifier"] == {"system": f"{BASE}/dokument", "value": a.document_id}
    patient_url = next(e["fullUrl"] for e in bundle["entry"]
                       if e["resource"]["resourceType"] == "Patient")
    practitioner_url = next(e["fullUrl"] for e in bundle["entry"]
                            if e["resource"]["resourceType"] == "Practitioner")
    assert comp["subject"]["reference"] == patient_url
    assert comp["author"][0]["reference"] == practitioner_url
    assert comp["attester"] == [{"mode": "legal", "time": comp["date"],
                                 "party": comp["author"][0]}]
    assert comp["custodian"]["reference"] == urls["Organization:Rusteam Alna"]
    sections = {s["title"]: [r["reference"] for r in s.get("entry", [])]
                for s in comp["section"]}
    by_kind = {}
    for e in bundle["entry"]:
        by_kind.setdefault(e["resource"]["resourceType"], []).append(e["fullUrl"])
    assert sections["Svar"] == by_kind["QuestionnaireResponse"]
    # every Observation in the Bundle (derived prompts, koordinator, livskvalitet, scores)
    assert sections["Vurderinger, skårer og livskvalitet"] == by_kind["Observation"]
    assert len(by_kind["Observation"]) >= 3
    assert sections["Signert dokument (PDF/A med PAdES-signatur)"] == by_kind[
        "DocumentReference"]
    # the resources the sections name point back at the same Patient
    qr = one(bundle, "QuestionnaireResponse")
    assert qr["subject"]["reference"] == patient_url


def test_patient_practitioner_and_organizations_follow_no_basis(signed):
    client, user, person, a = signed
    bundle = export(client, a)
    patient = one(bundle, "Patient")
    assert patient["meta"]["profile"] == [
        "http://hl7.no/fhir/StructureDefinition/no-basis-Patient"]
    assert patient["identifier"] == [{"system": FNR_OID, "value": person.national_id}]
    assert patient["name"] == [{"text": "Kari Nordmann"}]
    practitioner = one(bundle, "Practitioner")
    assert practitioner["identifier"][0] == {"system": HPR_OID, "value": "9144889"}
    assert practitioner["name"] == [{"text": user.name}]
    orgs = {o["name"]: o for o in (e["resource"] for e in bundle["entry"])
            if o["resourceType"] == "Organization"}
    assert orgs["Bydel Alna"]["identifier"] == [{"system": ENH_OID, "value": "974778807"}]
    team = orgs["Rusteam Alna"]
    assert team["partOf"]["display"] == "Bydel Alna"


def test_without_hpr_nummer_the_practitioner_has_only_the_user(app, staff, factory):
    client, user = staff
    person = factory.person(contact=user)
    a = sign(client, factory.assessment(person, user))
    practitioner = one(export(client, a), "Practitioner")
    assert [i["system"] for i in practitioner["identifier"]] == [f"{BASE}/bruker"]


def test_fh_nummer_is_the_patients_identifier(app, staff, factory):
    client, user = staff
    person = factory.person(contact=user, national_id="80000100009")
    a = sign(client, factory.assessment(person, user))
    patient = one(export(client, a), "Patient")
    assert patient["identifier"] == [{"system": FHN_OID, "value": "80000100009"}]


def test_the_same_signed_version_is_the_same_document_at_every_export(signed):
    client, user, person, a = signed
    first, second = export(client, a), export(client, a)
    assert first["identifier"] == second["identifier"]
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]
    assert first == second


def test_a_correction_is_a_new_document_that_replaces_the_old_one(signed):
    client, user, person, a = signed
    before = export(client, a)
    client.post(f"/kartlegginger/{a.id}/rettelse")
    new = sign(client, Assessment.query.filter_by(supersedes_id=a.id).one())
    after = export(client, new)
    assert bdl_problems(after) == []
    assert after["identifier"] != before["identifier"]
    comp = after["entry"][0]["resource"]
    assert comp["status"] == "amended"
    assert comp["relatesTo"] == [{"code": "replaces",
                                  "targetIdentifier": before["identifier"]}]
    # the earlier document keeps its identifier
    assert export(client, a)["identifier"] == before["identifier"]
