"""Sum scores (AUDIT, AUDIT-C, DUDIT, an imported PHQ-9's total): the weights of the chosen
options added up, and the first cut-off outcome that the sum and its condition meet. Pure.

Hidden, unanswered and declined items add nothing; with fewer than `min_answered` answers
(default: every item) no sum is given, because a screening cut-off is defined for the whole
instrument and a partial sum below it would read as a reassurance it is not.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .instrument_codes import weight_of
from .instrument_types import Instrument
from .rules import Evaluator


@dataclass(frozen=True)
class SumScore:
    id: str
    label: str
    value: int | None          # None: too few answers
    answered: int
    total: int
    needed: int
    outcome: str | None = None       # the outcome's id
    outcome_text: str | None = None
    note: str | None = None          # what the score does not mean

    @property
    def text(self) -> str:
        """The score as one line of Norwegian, as the overview and the signed PDF show it."""
        if self.value is None:
            need = "alle" if self.needed == self.total else f"minst {self.needed}"
            return (f"Ikke beregnet: {self.answered} av {self.total} besvart, {need} trengs")
        out = f"{self.value} poeng"
        if self.outcome_text:
            out += f" – {self.outcome_text}"
        return out


def spec_of(inst: Instrument, score_id: str) -> dict:
    return next(s for s in inst.sum_scores if s["id"] == score_id)


def sum_score(inst: Instrument, answers: dict, score_id: str, today: date | None = None,
              ev: Evaluator | None = None) -> SumScore:
    spec = spec_of(inst, score_id)
    ev = ev or Evaluator(inst, answers or {}, today)
    weights = [weight_of(inst.items[q], ev.value(q)) for q in spec["sum_of"]]
    weights = [w for w in weights if w is not None]
    total = len(spec["sum_of"])
    needed = spec.get("min_answered", total)
    base = dict(id=spec["id"], label=spec["label"], answered=len(weights), total=total,
                needed=needed, note=spec.get("note"))
    if len(weights) < needed:
        return SumScore(value=None, **base)
    value = sum(weights)
    outcome = next((o for o in spec.get("outcomes") or ()
                    if o["min"] <= value <= o.get("max", value)
                    and ("when" not in o or ev.holds(o["when"]))), None)
    return SumScore(value=value, outcome=outcome["id"] if outcome else None,
                    outcome_text=outcome["text"] if outcome else None, **base)


def sum_scores(inst: Instrument, answers: dict, today: date | None = None) -> list[SumScore]:
    """Every sum score of the form, in file order."""
    ev = Evaluator(inst, answers or {}, today)
    return [sum_score(inst, answers, s["id"], today, ev) for s in inst.sum_scores]
