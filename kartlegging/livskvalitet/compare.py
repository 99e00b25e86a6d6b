"""The person's own answers now beside their last completed rating, as a picture: a bar per
question for each time and a word for the change (no numbers the person must interpret)."""
from dataclasses import dataclass

from sqlalchemy import select

from ..assessments import drafts
from ..domain.instrument_facts import LIVSKVALITET
from ..domain.instrument_types import DECLINE
from ..domain.translations import Translation
from ..extensions import db
from ..models import Assessment


@dataclass(frozen=True)
class Row:
    label: str
    now: int | str | None     # a scale's step, or a yes/no answer's words; None: not answered
    last: int | str | None
    change: str | None        # "better", "worse", "same"; "missing" when either is unanswered
    scale: bool


def previous(rating: Assessment) -> Assessment | None:
    """The person's newest completed rating before this one (staff-entered ones too)."""
    return db.session.scalar(select(Assessment).where(
        Assessment.person_id == rating.person_id,
        Assessment.instrument_key == (rating.instrument_key or LIVSKVALITET),
        Assessment.completed_at.is_not(None), Assessment.id != rating.id)
        .order_by(Assessment.completed_at.desc(), Assessment.id.desc()).limit(1))


def _value(item, answers: dict):
    v = (answers or {}).get(item.id)
    if v in (None, "", DECLINE):
        return None
    if item.type == "scale":
        return v if isinstance(v, int) and not isinstance(v, bool) else None
    return v


def rows(t: Translation, rating: Assessment, before: Assessment) -> list[Row]:
    """Every question of the rating's form, by item id in both (a form version may have
    changed the wording but never the meaning of an id), in the person's language."""
    old_inst = drafts.instrument_of(before)
    out = []
    for item in t.instrument.items.values():
        now = _value(item, rating.answers)
        old_item = old_inst.items.get(item.id)
        last = _value(old_item, before.answers) if old_item is not None else None
        scale = item.type == "scale"
        if now is None or last is None:
            change = "missing"
        elif not scale:
            change = None
        else:
            change = "better" if now > last else "worse" if now < last else "same"
        if not scale:
            now = t.option_label(item, now) if now is not None else None
            last = t.option_label(item, last) if last is not None else None
        out.append(Row(label=t.short(item), now=now, last=last, change=change, scale=scale))
    return out
