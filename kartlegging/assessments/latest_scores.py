"""The newest signed sum score of each standard instrument (AUDIT, AUDIT-C, DUDIT, an imported
form with a total) per person, with its signing date: for the person page and Oppfølging.

Recomputed from the signed answers (a signed record never changes, and its instrument version
is fixed), one query for any number of persons: the page's own ids, never the whole team.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..domain.instrument_facts import reference_day
from ..domain.sum_scores import SumScore, sum_scores
from ..extensions import db
from ..models import Assessment
from . import drafts


@dataclass(frozen=True)
class LatestScore:
    instrument_title: str
    score: SumScore
    signed_at: datetime          # UTC, naive, as stored
    assessment_id: int
    document_id: str


def _scored_keys() -> list[str]:
    return sorted({i.key for i in drafts.registry() if i.sum_scores})


def latest(person_ids) -> dict[int, list[LatestScore]]:
    """person id -> the newest signed score of each scored form, in form-key order."""
    keys, ids = _scored_keys(), list(person_ids)
    if not keys or not ids:
        return {}
    rows = db.session.scalars(
        select(Assessment).where(Assessment.person_id.in_(ids),
                                 Assessment.instrument_key.in_(keys),
                                 Assessment.status == "signed")
        .order_by(Assessment.person_id, Assessment.instrument_key,
                  Assessment.signed_at.desc(), Assessment.id.desc()))
    out: dict[int, list[LatestScore]] = {}
    seen = set()
    for a in rows:
        if (a.person_id, a.instrument_key) in seen:
            continue
        seen.add((a.person_id, a.instrument_key))
        inst = drafts.instrument_of(a)
        day = reference_day(a.signed_at, a.signed_at.date())
        for s in sum_scores(inst, a.answers or {}, day):
            out.setdefault(a.person_id, []).append(LatestScore(
                instrument_title=inst.title, score=s, signed_at=a.signed_at,
                assessment_id=a.id, document_id=a.document_id))
    return out
