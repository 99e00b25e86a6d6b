"""A signed assessment as one FHIR R4 Bundle (type collection). Pure: plain data in, dict out.

Entries: the QuestionnaireResponse (completed, or amended for a correction, naming what it
replaces); one Observation per derived prompt (IP, kriseplan, levekårsindeks, …) and, for a
form about IP/koordinator (the Alna kartlegging), for the koordinator registered at signing;
one Observation per livskvalitet rating taken with it; and the signed
PDF as a DocumentReference with its hash (SHA-1, as Attachment.hash is defined, and SHA-256).
"""
from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from ..domain.instrument_types import DECLINE, DECLINE_LABEL, Instrument
from .codes import IDENTITY_SYSTEMS, own_url, questionnaire_url
from .questionnaire import canonical
from .response import response_items
from .score_observations import score_observations

SURVEY = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                      "code": "survey", "display": "Survey"}]}


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
    id_kind: str | None         # fodselsnummer, d_nummer, h_nummer
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


def instant(dt: datetime) -> str:
    return dt.replace(microsecond=0).isoformat() + "Z"


def subject(e: Export) -> dict:
    if e.national_id and e.id_kind in IDENTITY_SYSTEMS:
        ident = {"system": IDENTITY_SYSTEMS[e.id_kind], "value": e.national_id}
    else:
        ident = {"system": f"{e.base}/person", "value": str(e.person_local_id)}
    return {"type": "Patient", "identifier": ident, "display": e.person_name}


def author(e: Export) -> dict:
    return {"type": "Practitioner", "display": e.author_name,
            "identifier": {"system": f"{e.base}/bruker", "value": e.author_username}}


def document_identifier(e: Export, document_id: str) -> dict:
    return {"system": f"{e.base}/dokument", "value": document_id}


def build(e: Export) -> dict:
    def url(kind: str) -> str:
        return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL,
                                            f"{e.base}/{e.document_id}/{kind}"))
    qr_url = url("QuestionnaireResponse")
    entries = [(qr_url, questionnaire_response(e))]
    for d in e.derived:
        entries.append((url(f"Observation/{d['id']}"), derived_observation(e, d, qr_url)))
    # the koordinator on record (v3 also has a derived "koordinator" prompt: distinct ids)
    if e.with_koordinator:
        entries.append((url("Observation/koordinator-registrert"),
                         koordinator_observation(e, qr_url)))
    for i, r in enumerate(e.ratings):
        entries.append((url(f"Observation/livskvalitet/{i}"), rating_observation(e, r)))
    entries += [(url(f"Observation/skar/{sid}"), obs) for sid, obs in score_observations(
        e.instrument, e.answers, e.signed_at, e.base, subject(e), author(e), qr_url)]
    entries.append((url("DocumentReference"), document_reference(e, qr_url)))
    return {"resourceType": "Bundle",
            "identifier": {"system": f"{e.base}/eksport", "value": e.document_id},
            "type": "collection", "timestamp": instant(e.created),
            "entry": [{"fullUrl": u, "resource": r} for u, r in entries]}


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
