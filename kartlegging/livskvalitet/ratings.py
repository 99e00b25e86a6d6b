"""Livskvalitet ratings over time for one person, paired with the staff's BrukerPlan view."""
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..domain.instrument_facts import LIVSKVALITET
from ..domain.instruments import Registry
from ..domain.rules import Evaluator, area_ratings, display_value, rating_mean, score_detail
from ..domain.translations import SOURCE, UNCHECKED
from ..extensions import db
from ..models import Assessment


@dataclass
class Rating:
    assessment: Assessment
    date: str
    mean: float | None
    values: dict = field(default_factory=dict)      # item id -> int | None
    answered_by: str = ""
    answered: int = 0
    total: int = 0
    mean_text: str | None = None    # "4,5", or with the file's count_label "4,5 (snitt av 9 av 12)"

    @property
    def incomplete(self) -> bool:
        """Ended before every question had an answer (stopped early)."""
        return self.answered < self.total


def _decimal(x: float) -> str:
    return f"{x:.1f}".replace(".", ",")


def mean_text(detail) -> str | None:
    """The mean as shown; with a `count_label` always with how many answers it rests on."""
    if detail is None:
        return None
    if detail.label is None:
        return _decimal(detail.mean) if detail.mean is not None else None
    if detail.mean is None:
        return (f"ikke beregnet: {detail.answered} av {detail.total} besvart, "
                f"minst {detail.minimum} trengs")
    return f"{_decimal(detail.mean)} ({detail.label})"


def answered_by(a: Assessment) -> str:
    if a.rated_by_person:
        return "Personen selv (på nettbrettet" + language_note(a) + ")"
    return f"Registrert av ansatt ({a.created_by.name})"


def language_note(a: Assessment) -> str:
    """'; spørsmålene på arabisk, ikke kvalitetssikret oversettelse' for a rating answered in
    another language than bokmål (the answers are the same codes; the journal says which
    words the person read)."""
    if a.language in (None, SOURCE):
        return ""
    inst = current_app.extensions["instruments"].get(a.instrument_key, a.instrument_version)
    t = current_app.extensions["translations"].get(inst, a.language)
    if t is None:
        return f"; spørsmålene på språket {a.language}"
    return f"; spørsmålene på {t.name_nb}" + ("" if t.quality_assured else f", {UNCHECKED}")


def to_rating(a: Assessment, registry: Registry) -> Rating:
    inst = registry.get(a.instrument_key, a.instrument_version)
    ev = Evaluator(inst, a.answers)
    values = {}
    for item in inst.items.values():
        v = ev.value(item.id)
        values[item.id] = v if isinstance(v, int) and not isinstance(v, bool) else None
    when = a.completed_at or a.created_at
    detail = score_detail(inst, a.answers, inst.scores[0]["id"]) if inst.scores else None
    return Rating(assessment=a, date=when.strftime("%d.%m.%Y"),
                  mean=detail.mean if detail else None, values=values,
                  answered_by=answered_by(a), mean_text=mean_text(detail),
                  answered=sum(1 for i in inst.items.values()
                               if a.answers.get(i.id) not in (None, "")),
                  total=len(inst.items))


def mean_score(a: Assessment, registry: Registry) -> float | None:
    return rating_mean(registry.get(a.instrument_key, a.instrument_version), a.answers)


def complete(a: Assessment, registry: Registry, when) -> None:
    """A rating is finished: stamp it and freeze its mean (it never changes afterwards)."""
    a.completed_at = when
    a.score = mean_score(a, registry)


def person_ratings(person_id: int, registry: Registry) -> list[Rating]:
    """Completed ratings, oldest first."""
    rows = db.session.scalars(select(Assessment).where(
        Assessment.person_id == person_id, Assessment.instrument_key == LIVSKVALITET,
        Assessment.completed_at.is_not(None)).order_by(Assessment.completed_at)
        .options(selectinload(Assessment.created_by)))  # answered_by() names the author
    return [to_rating(a, registry) for a in rows]


def staff_area_ratings(kartlegging: Assessment | None, registry: Registry) -> dict:
    """BrukerPlan area -> (value, label) from the vurdering of a kartlegging."""
    if kartlegging is None:
        return {}
    inst = registry.get(kartlegging.instrument_key, kartlegging.instrument_version)
    return {item.area: (v, display_value(item, v))
            for item, v in area_ratings(inst, kartlegging.answers)}
