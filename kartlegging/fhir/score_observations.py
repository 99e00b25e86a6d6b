"""A signed form's sum scores (AUDIT, AUDIT-C, DUDIT, an imported total) as FHIR R4
Observations. Pure: plain data in, dicts out; bundle.py puts them in the Bundle.

The code is the score's own (LOINC, e.g. 75624-7 Total score [AUDIT]) where the instrument
file gives one, and the form's CodeSystem otherwise; the instrument's LOINC panel (72110-0)
goes beside it, so a receiver that knows either finds the score. The cut-off outcome is the
interpretation, and what the score does not mean is a note.
"""
from __future__ import annotations

from datetime import datetime

from ..domain.due import local_date
from ..domain.instrument_types import Instrument
from ..domain.sum_scores import sum_scores

SURVEY = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                      "code": "survey", "display": "Survey"}]}


def _instant(dt: datetime) -> str:
    return dt.replace(microsecond=0).isoformat() + "Z"


def _code(inst: Instrument, spec: dict, base: str) -> dict:
    own = spec.get("code")
    codings = [dict(c) for c in (own if isinstance(own, list) else [own] if own else [])]
    if not codings:
        codings = [{"system": f"{base}/CodeSystem/{inst.key}/skar", "code": spec["id"],
                    "display": spec["label"]}]
    return {"coding": codings, "text": spec["label"]}


def score_observations(inst: Instrument, answers: dict, signed_at: datetime, base: str,
                       subject: dict, performer: dict, qr_url: str) -> list[tuple[str, dict]]:
    """(score id, Observation) for every sum score of the form, in file order."""
    out = []
    specs = {s["id"]: s for s in inst.sum_scores}
    for s in sum_scores(inst, answers, local_date(signed_at)):
        spec = specs[s.id]
        obs = {"resourceType": "Observation", "status": "final", "category": [SURVEY],
               "code": _code(inst, spec, base), "subject": subject,
               "effectiveDateTime": _instant(signed_at), "performer": [performer]}
        if s.value is None:
            obs["dataAbsentReason"] = {"text": s.text}
        else:
            obs["valueInteger"] = s.value
        if s.outcome:
            obs["interpretation"] = [{"coding": [{
                "system": f"{base}/CodeSystem/{inst.key}/skar/{s.id}", "code": s.outcome,
                "display": s.outcome_text}], "text": s.outcome_text}]
        if inst.codes:
            obs["method"] = {"coding": [dict(c) for c in inst.codes], "text": inst.title}
        notes = [n for n in (s.note, inst.source and
                             f"{inst.source['text']}. {inst.source['reference']}") if n]
        if notes:
            obs["note"] = [{"text": n} for n in notes]
        obs["derivedFrom"] = [{"reference": qr_url}]
        out.append((s.id, obs))
    return out
