"""A signed assessment as one FHIR R4 document Bundle. Pure: plain data in, dict out.

The Bundle is a document (type "document"): a Composition first, attested by the signer,
then what it is about and what it holds:
- the Patient (no-basis-Patient: fødselsnummer, D-nummer, FH-nummer or H-nummer as the
  identifier), the Practitioner who signed (no-basis-Practitioner, the HPR-nummer when the user
  has one), the team and the bydel as Organizations (no-basis-Organization, the bydel with its
  organisasjonsnummer from the configuration);
- the QuestionnaireResponse (completed, or amended for a correction, naming what it
  replaces); the Observations: one per derived prompt (IP, kriseplan, levekårsindeks, …), for a
  form about IP/koordinator (the Alna kartlegging) the koordinator registered at signing, one
  per livskvalitet rating taken with it, and one per sum score (score_observations.py);
- the signed PDF as a DocumentReference with its hash (SHA-1, as Attachment.hash is defined,
  and SHA-256).
The Composition's sections list the QuestionnaireResponse, every Observation in the Bundle
(whatever module added it) and the DocumentReference. The Bundle's identifier and its entries'
fullUrls are derived from the document id, so every export of one signed version is the same
document; a correction is a new document whose Composition replaces the earlier one.
"""
from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from ..domain.instrument_types import DECLINE, DECLINE_LABEL, Instrument
from .codes import IDENTITY_SYSTEMS, own_url, questionnaire_url
from .questionnaire import canonical
from .response import response_items
from .score_observations import score_observations

SURVEY = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                      "code": "survey", "display": "Survey"}]}
# Identifier systems of the Norwegian base profiles (no-basis), by kind of number
PATIENT_SYSTEMS = {**IDENTITY_SYSTEMS, "fh_nummer": "urn:oid:2.16.578.1.12.4.1.4.3"}
HPR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.4"
ORGANISASJONSNUMMER_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.101"
NO_BASIS = "http://hl7.no/fhir/StructureDefinition/no-basis-"


@dataclass
class Rating:
    instrument: Instrument
    answers: dict
    completed_at: datetime
    by_person: bool
    answered_by: str
    mean: float | None


@dataclass
class Export:
    base: str
    instrument: Instrument
    answers: dict
    document_id: str            # "KL-000004, versjon 2"
    document_label: str
    filename: str
    person_name: str
    national_id: str | None     # None: registered without a number
    id_kind: str | None         # fodselsnummer, d_nummer, h_nummer, fh_nummer
    person_local_id: int
    author_name: str
    author_username: str
    signed_at: datetime         # UTC, naive
    pdf: bytes
    created: datetime           # when the export was made (UTC, naive)
    replaces: str | None = None          # document id of the version this one corrects
    superseded: bool = False             # a later correction is signed
    derived: list[dict] = field(default_factory=list)
    koordinator: str | None = None
    document_type: str = "Kartlegging"  # DocumentReference.type: the form's kind of note
    with_koordinator: bool = True       # the form prompts for IP/koordinator (the Alna form)
    ratings: list[Rating] = field(default_factory=list)
    author_hpr: str | None = None        # the signer's HPR-nummer
    birth_date: str | None = None        # ISO date, when known
    team_id: int = 0
    team_name: str = ""
    organisation_name: str = ""          # the bydel (FHIR_ORGANISATION_NAME)
    organisation_number: str | None = None  # its organisasjonsnummer (FHIR_ORGANISATION_NUMBER)


def instant(dt: datetime) -> str:
    return dt.replace(microsecond=0).isoformat() + "Z"


def entry_url(e: Export, kind: str) -> str:
    """A resource's fullUrl: the same for the same signed version at every export."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{e.base}/{e.document_id}/{kind}"))


def patient_identifier(e: Export) -> dict:
    if e.national_id and e.id_kind in PATIENT_SYSTEMS:
        return {"system": PATIENT_SYSTEMS[e.id_kind], "value": e.national_id}
    return {"system": f"{e.base}/person", "value": str(e.person_local_id)}


def subject(e: Export) -> dict:
    return {"reference": entry_url(e, "Patient"), "type": "Patient",
            "identifier": patient_identifier(e), "display": e.person_name}


def author(e: Export) -> dict:
    return {"reference": entry_url(e, "Practitioner"), "type": "Practitioner",
            "display": e.author_name,
            "identifier": {"system": f"{e.base}/bruker", "value": e.author_username}}


def document_identifier(e: Export, document_id: str) -> dict:
    return {"system": f"{e.base}/dokument", "value": document_id}


def bundle_identifier(e: Export, document_id: str) -> dict:
    """The document Bundle's identifier (bdl-9): one per signed version, at every export."""
    return {"system": "urn:ietf:rfc:3986", "value": "urn:uuid:" + str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"{e.base}/dokument/{document_id}"))}


def build(e: Export) -> dict:
    qr_url = entry_url(e, "QuestionnaireResponse")
    entries = [(entry_url(e, "Patient"), patient(e)),
               (entry_url(e, "Practitioner"), practitioner(e)),
               (entry_url(e, "Organization/team"), team_organization(e)),
               (entry_url(e, "Organization/bydel"), bydel_organization(e)),
               (qr_url, questionnaire_response(e))]
    for d in e.derived:
        entries.append((entry_url(e, f"Observation/{d['id']}"),
                        derived_observation(e, d, qr_url)))
    # the koordinator on record (v3 also has a derived "koordinator" prompt: distinct ids)
    if e.with_koordinator:
        entries.append((entry_url(e, "Observation/koordinator-registrert"),
                         koordinator_observation(e, qr_url)))
    for i, r in enumerate(e.ratings):
        entries.append((entry_url(e, f"Observation/livskvalitet/{i}"), rating_observation(e, r)))
    entries += [(entry_url(e, f"Observation/skar/{sid}"), obs) for sid, obs in
                score_observations(e.instrument, e.answers, e.signed_at, e.base, subject(e),
                                   author(e), qr_url)]
    # Observations added by any other module belong above this line: the Composition's
    # section lists every Observation entry it finds.
    entries.append((entry_url(e, "DocumentReference"), document_reference(e, qr_url)))
    entries.insert(0, (entry_url(e, "Composition"), composition(e, entries)))
    return {"resourceType": "Bundle", "identifier": bundle_identifier(e, e.document_id),
            "type": "document", "timestamp": instant(e.signed_at),
            "entry": [{"fullUrl": u, "resource": r} for u, r in entries]}


def _narrative(*lines: str) -> dict:
    return {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml">'
            + "".join(f"<p>{escape(line)}</p>" for line in lines) + "</div>"}


def _section(title: str, refs: list[str], empty: str) -> dict:
    section = {"title": title, "text": _narrative(title if refs else empty)}
    if refs:
        section["entry"] = [{"reference": r} for r in refs]
    else:  # cmp-2: a reason only for an empty section
        section["emptyReason"] = {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/list-empty-reason",
            "code": "nilknown", "display": "Nil Known"}]}
    return section


def composition(e: Export, entries: list[tuple[str, dict]]) -> dict:
    """The document's header: who, about whom, when, attested by the signer, and sections
    pointing at the entries."""
    def of(kind):
        return [u for u, r in entries if r["resourceType"] == kind]
    title = f"{e.document_type} – {e.document_label}"
    comp = {"resourceType": "Composition", "identifier": document_identifier(e, e.document_id),
            "status": "amended" if e.replaces else "final",
            "type": {"coding": [{"system": f"{e.base}/CodeSystem/dokumenttype",
                                 "code": e.instrument.key, "display": e.document_type}],
                     "text": e.document_type},
            "subject": subject(e), "date": instant(e.signed_at), "author": [author(e)],
            "title": title, "confidentiality": "R",
            "attester": [{"mode": "legal", "time": instant(e.signed_at), "party": author(e)}],
            "custodian": {"reference": entry_url(e, "Organization/team"),
                          "type": "Organization", "display": e.team_name},
            "text": _narrative(title, f"Signert av {e.author_name}",
                               f"Gjelder {e.person_name}"),
            "section": [
                _section("Svar", of("QuestionnaireResponse"), "Ingen svar."),
                _section("Vurderinger, skårer og livskvalitet", of("Observation"),
                         "Skjemaet gir ingen vurderinger eller skårer."),
                _section("Signert dokument (PDF/A med PAdES-signatur)",
                         of("DocumentReference"), "Ingen signert PDF.")]}
    if e.replaces:
        comp["relatesTo"] = [{"code": "replaces",
                              "targetIdentifier": bundle_identifier(e, e.replaces)}]
    return comp


def patient(e: Export) -> dict:
    res = {"resourceType": "Patient", "meta": {"profile": [NO_BASIS + "Patient"]},
           "identifier": [patient_identifier(e)], "name": [{"text": e.person_name}]}
    if e.birth_date:
        res["birthDate"] = e.birth_date
    return res


def practitioner(e: Export) -> dict:
    identifiers = [{"system": f"{e.base}/bruker", "value": e.author_username}]
    if e.author_hpr:
        identifiers.insert(0, {"system": HPR_SYSTEM, "value": e.author_hpr})
    return {"resourceType": "Practitioner", "meta": {"profile": [NO_BASIS + "Practitioner"]},
            "identifier": identifiers, "name": [{"text": e.author_name}]}


def team_organization(e: Export) -> dict:
    return {"resourceType": "Organization", "meta": {"profile": [NO_BASIS + "Organization"]},
            "identifier": [{"system": f"{e.base}/team", "value": str(e.team_id)}],
            "name": e.team_name,
            "partOf": {"reference": entry_url(e, "Organization/bydel"), "type": "Organization",
                       "display": e.organisation_name}}


def bydel_organization(e: Export) -> dict:
    org = {"resourceType": "Organization", "meta": {"profile": [NO_BASIS + "Organization"]},
           "name": e.organisation_name}
    if e.organisation_number:
        org["identifier"] = [{"system": ORGANISASJONSNUMMER_SYSTEM,
                              "value": e.organisation_number}]
    return org


def questionnaire_response(e: Export) -> dict:
    qr = {"resourceType": "QuestionnaireResponse",
          "identifier": document_identifier(e, e.document_id),
          "questionnaire": canonical(e.instrument, e.base),
          "status": "amended" if e.replaces else "completed",
          "subject": subject(e), "authored": instant(e.signed_at), "author": author(e),
          "item": response_items(e.instrument, e.answers, e.base)}
    if e.replaces:
        qr["extension"] = [{"url": own_url(e.base, "replaces"), "valueReference": {
            "type": "QuestionnaireResponse",
            "identifier": document_identifier(e, e.replaces)}}]
    return qr


def _observation(e: Export, code: dict, when: datetime) -> dict:
    return {"resourceType": "Observation", "status": "final", "category": [SURVEY],
            "code": code, "subject": subject(e), "effectiveDateTime": instant(when)}


def derived_observation(e: Export, d: dict, qr_url: str) -> dict:
    key = e.instrument.key
    obs = _observation(e, {"coding": [{"system": f"{e.base}/CodeSystem/{key}/avledet",
                                       "code": d["id"], "display": d["title"]}],
                           "text": d["title"]}, e.signed_at)
    obs["performer"] = [author(e)]
    obs["valueCodeableConcept"] = {"coding": [{
        "system": f"{e.base}/CodeSystem/{key}/avledet/{d['id']}", "code": d["outcome"],
        "display": d["text"]}], "text": d["text"]}
    notes = [f"Grunn: {r}" for r in d.get("reasons") or []]
    if d.get("legal_basis"):
        notes.append(f"Rettslig grunnlag: {d['legal_basis']}")
    if notes:
        obs["note"] = [{"text": n} for n in notes]
    obs["derivedFrom"] = [{"reference": qr_url}]
    return obs


def koordinator_observation(e: Export, qr_url: str) -> dict:
    obs = _observation(e, {"coding": [{"system": f"{e.base}/CodeSystem/oppfolging",
                                       "code": "koordinator-registrert",
                                       "display": "Koordinator registrert"}],
                           "text": "Koordinator registrert ved signering"}, e.signed_at)
    obs["performer"] = [author(e)]
    obs["valueString"] = e.koordinator or "Ingen koordinator registrert"
    obs["derivedFrom"] = [{"reference": qr_url}]
    return obs


def rating_observation(e: Export, r: Rating) -> dict:
    inst = r.instrument
    system = questionnaire_url(e.base, inst.key)
    obs = _observation(e, {"coding": [{"system": f"{e.base}/CodeSystem/livskvalitet",
                                       "code": inst.key, "display": inst.title}],
                           "text": inst.title}, r.completed_at)
    obs["performer"] = [subject(e) if r.by_person else author(e)]
    obs["method"] = {"text": r.answered_by}
    if r.mean is not None:
        obs["valueQuantity"] = {"value": r.mean, "unit": "snitt (1–7)"}
    else:
        obs["dataAbsentReason"] = {"text": "Ingen skalaspørsmål er besvart"}
    components = []
    for item in inst.items.values():
        v = r.answers.get(item.id)
        if v in (None, "", []):
            continue
        comp = {"code": {"coding": [{"system": system, "version": str(inst.version),
                                     "code": item.id, "display": item.short_label}],
                         "text": item.label}}
        if v == DECLINE:
            comp["valueCodeableConcept"] = {"coding": [{"system": system, "code": DECLINE,
                                                        "display": DECLINE_LABEL}]}
        elif isinstance(v, int) and not isinstance(v, bool):
            comp["valueInteger"] = v
        elif item.type == "yes_no":
            comp["valueBoolean"] = v == "ja"
        else:
            comp["valueString"] = str(v)
        components.append(comp)
    if components:
        obs["component"] = components
    return obs


def document_reference(e: Export, qr_url: str) -> dict:
    doc = {"resourceType": "DocumentReference",
           "masterIdentifier": document_identifier(e, e.document_id),
           "status": "superseded" if e.superseded else "current",
           "docStatus": "amended" if e.replaces else "final",
           "type": {"text": f"{e.document_type} (signert journaldokument, PDF/A-2b med PAdES)"},
           "subject": subject(e), "date": instant(e.signed_at), "author": [author(e)],
           "authenticator": author(e), "description": e.document_label,
           "extension": [{"url": own_url(e.base, "sha256"),
                          "valueString": hashlib.sha256(e.pdf).hexdigest()}],
           "content": [{"attachment": {
               "contentType": "application/pdf", "language": "nb-NO",
               "data": base64.b64encode(e.pdf).decode("ascii"), "size": len(e.pdf),
               "hash": base64.b64encode(hashlib.sha1(e.pdf).digest()).decode("ascii"),
               "title": e.filename, "creation": instant(e.signed_at)}}],
           "context": {"related": [{"reference": qr_url}]}}
    if e.replaces:
        doc["relatesTo"] = [{"code": "replaces", "target": {
            "type": "DocumentReference", "identifier": document_identifier(e, e.replaces)}}]
    return doc
