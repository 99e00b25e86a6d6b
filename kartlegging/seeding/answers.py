"""Filled answers and synthetic fødselsnumre: the one "fully filled" record that the demo, the
bench and the tests all start from."""
from collections.abc import Callable
from datetime import date, timedelta
from typing import NamedTuple

from ..domain.instrument_types import Instrument, Item
from ..domain.rules import Evaluator, clean


class Style(NamedTuple):
    """What the answers say where the item leaves a choice."""
    day: str                     # every date item (ISO)
    scale: int                   # every scale item
    text: Callable[[Item], str]  # every text item
    comments: bool               # whether an item's comment field is filled too


# The tests' and the bench's answers: fixed, so a rendered page or PDF is the same every run.
TEST = Style(day="2026-11-01", scale=5, text=lambda item: f"Svar på «{item.label}» – æøå",
             comments=True)


def demo_style(today: date) -> Style:
    """The demo's answers: short texts, dates a month back, middling scales."""
    return Style(day=(today - timedelta(days=30)).isoformat(), scale=4,
                 text=lambda item: "Demo: kort tekst.", comments=False)


def default_value(item: Item, style: Style = TEST):
    """An answer the item accepts: the first option, «ja», two real choices of a multiple
    choice (not «ingen …» or «annet», which would hide or ask for more), a small number."""
    if item.type == "single_choice":
        return item.options[0].value
    if item.type == "yes_no":
        return "ja"
    if item.type == "multiple_choice":
        values = [o.value for o in item.options if o.value not in ("ingen", "annet")]
        return [v for v in values if not v.startswith("ingen")][:2] or values[:1]
    if item.type == "date":
        return style.day
    if item.type == "number":
        return max(item.min or 0, 2) if item.max is None or item.max >= 2 else item.min
    if item.type == "scale":
        return style.scale
    if item.type == "display":
        return None
    return style.text(item)


def filled_answers(inst: Instrument, style: Style = TEST, /, **overrides) -> dict:
    """Every item that is shown gets an answer (and a comment, if the style says so), in file
    order; `overrides` (item id -> value) answer in their place, None leaves an item out."""
    answers: dict = {}
    for item in inst.items.values():
        if not Evaluator(inst, answers).visible(item):
            continue
        answers[item.id] = overrides.get(item.id, default_value(item, style))
        if item.comment and style.comments:
            answers[item.comment_id] = f"Kommentar til {item.label}"
    answers.update({k: v for k, v in overrides.items() if v is not None})
    return clean(inst, {k: v for k, v in answers.items() if overrides.get(k, 0) is not None})


# Control digit weights of a fødselsnummer.
K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def fnr(day: int = 1, month: int = 1, year: int = 80, individ: int = 123) -> str:
    """The first valid number at or after `individ` for the date (1900s if individ < 500)."""
    for i in range(individ, 1000):
        base = [int(c) for c in f"{day:02d}{month:02d}{year:02d}{i:03d}"]
        k1 = 11 - sum(w * d for w, d in zip(K1, base)) % 11
        k1 = 0 if k1 == 11 else k1
        if k1 == 10:
            continue
        k2 = 11 - sum(w * d for w, d in zip(K2, base + [k1])) % 11
        k2 = 0 if k2 == 11 else k2
        if k2 == 10:
            continue
        return "".join(map(str, base + [k1, k2]))
    raise ValueError("no valid number")


def numbers(n: int) -> list[str]:
    """n distinct valid fødselsnumre (control digits correct), spread over birth dates."""
    out, seen, i = [], set(), 0
    while len(out) < n:
        day, month, year = 1 + i % 28, 1 + (i // 28) % 12, 40 + (i // 336) % 60
        individ = 100 + (i // 20160) * 7
        i += 1
        try:
            v = fnr(day, month, year, individ)
        except ValueError:
            continue
        if v not in seen:
            seen.add(v)
            out.append(v)
    return out
