"""Rules over answers: visibility, counters, derived prompts (IP, levekårsindeks), scores, checks.

Pure functions of (instrument, answers). A hidden item counts as unanswered everywhere
(FHIR enableWhen semantics), so hidden answers never reach scores, rules or the PDF.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from .instrument_types import DECLINE, Instrument, Item


def is_answered(value) -> bool:
    return value not in (None, "", [])


def _days_since(actual, expected: dict, today: date) -> bool:
    """`{days_since: {lte: 56}}`: the date lies at most 56 days before `today` (future: < 0)."""
    try:
        days = (today - date.fromisoformat(actual)).days
    except (TypeError, ValueError):
        return False
    (op, limit), = expected.items()
    return _compare(op, days, limit)


def _compare(op: str, actual, expected, today: date | None = None) -> bool:
    if op == "answered":
        return is_answered(actual) == expected
    if not is_answered(actual):
        return op == "ne"
    if op == "eq":
        return actual == expected
    if op == "ne":
        return actual != expected
    if op == "in":
        return actual in expected
    if op == "contains":
        return isinstance(actual, list) and expected in actual
    if op == "days_since":
        return _days_since(actual, expected, today or date.today())
    if actual == DECLINE:
        return False
    try:
        return {"gt": actual > expected, "gte": actual >= expected,
                "lt": actual < expected, "lte": actual <= expected}[op]
    except TypeError:
        return False


# A reason that counts one of these counters is shown only while the extra condition holds too,
# in every instrument that has both counters. Alna v3's note «… rutinetjenester som fastlege og
# tannhelse gir alene sjelden behov for samordning» is meant for when routine services are all
# there is, or are what brings the count to the two services (one of them not routine) that
# coordination needs: with two or more other services they decide nothing, and the note would
# only confuse the prompt and the signed PDF. The published file cannot change, so the narrower
# condition lives here.
REASON_LIMITS = {"rutinetjenester": {"count": "andre_tjenester", "lte": 1}}


class Evaluator:
    """Evaluates conditions over one answer set, caching visibility, counters and outcomes."""

    def __init__(self, instrument: Instrument, answers: dict, today: date | None = None):
        """`today` is the day date rules count from (`days_since`): the signing day for a
        signed record, so its prompts never change afterwards; by default the current day."""
        self.instrument = instrument
        self.answers = answers or {}
        self.today = today or date.today()
        self._visible: dict[str, bool] = dict(instrument.unconditional)
        self._sections: dict[str, bool] = {}
        self._counters: dict[str, tuple[int, list[str]]] = {}
        self._outcomes: dict[str, dict] = {}
        self._derived: dict[str, Derived] = {}
        self._item_section = instrument.item_section

    # -- visibility
    def section_visible(self, section) -> bool:
        if section.show_if is None:
            return True
        if section.id not in self._sections:
            self._sections[section.id] = self.holds(section.show_if)
        return self._sections[section.id]

    def visible(self, item: Item) -> bool:
        shown = self._visible.get(item.id)
        if shown is None:  # most items are asked once per save: no KeyError raised for them
            shown = self._visible[item.id] = self.section_visible(
                self._item_section[item.id]) and (item.show_if is None or self.holds(item.show_if))
        return shown

    def value(self, item_id: str):
        item = self.instrument.items[item_id]
        return self.answers.get(item_id) if self.visible(item) else None

    # -- conditions
    def holds(self, cond: dict) -> bool:
        if "all" in cond:
            return all(self.holds(c) for c in cond["all"])
        if "any" in cond:
            return any(self.holds(c) for c in cond["any"])
        if "not" in cond:
            return not self.holds(cond["not"])
        if "always" in cond:
            return True
        if "count" in cond:
            (op, expected), = ((k, v) for k, v in cond.items() if k != "count")
            return _compare(op, self.counter(cond["count"])[0], expected)
        if "derived" in cond:
            outcome = self.outcome(cond["derived"])["id"]
            return outcome == cond["eq"] if "eq" in cond else outcome in cond["in"]
        for op, expected in cond.items():  # {q, op}: one operator (checked at load)
            if op != "q":
                return _compare(op, self.value(cond["q"]), expected, self.today)
        raise ValueError(f"condition without an operator: {cond!r}")

    # -- counters
    def counter(self, counter_id: str) -> tuple[int, list[str]]:
        if counter_id not in self._counters:
            spec = next(c for c in self.instrument.counters if c["id"] == counter_id)
            names: list[str] = []
            for src in spec["from"]:
                if src.get("each_selected"):
                    item = self.instrument.items[src["q"]]
                    chosen = self.value(src["q"]) or []
                    names += [item.option_label(v) for v in chosen
                              if v not in (src.get("exclude") or [])]
                elif self.holds({k: v for k, v in src.items() if k != "name"}):
                    names.append(src["name"])
            names = list(dict.fromkeys(names))
            self._counters[counter_id] = (len(names), names)
        return self._counters[counter_id]

    def counter_total(self, counter_id: str) -> int:
        spec = next(c for c in self.instrument.counters if c["id"] == counter_id)
        return sum(1 for s in spec["from"] if not s.get("each_selected"))

    # -- derived prompts
    def _spec(self, derived_id: str) -> dict:
        return next(d for d in self.instrument.derived if d["id"] == derived_id)

    def outcome(self, derived_id: str) -> dict:
        """The first outcome whose `when` holds (computed before the reasons, so a reason's
        `when` may name its own prompt's outcome)."""
        if derived_id not in self._outcomes:
            self._outcomes[derived_id] = next(
                o for o in self._spec(derived_id)["outcomes"] if self.holds(o["when"]))
        return self._outcomes[derived_id]

    def derived(self, derived_id: str) -> Derived:
        if derived_id not in self._derived:
            spec = self._spec(derived_id)
            outcome = self.outcome(derived_id)
            reasons = [self._reason(r) for r in spec.get("reasons") or []
                       if ("when" not in r or self.holds(r["when"])) and self._within_limit(r)]
            reminder = spec.get("reminder")
            self._derived[derived_id] = Derived(
                id=derived_id, title=spec["title"], outcome=outcome["id"],
                text=self._reason(outcome), reasons=reasons,
                legal_basis=self._legal_basis(spec.get("legal_basis")), note=spec.get("note"),
                record={k: self.value(q) for k, q in (spec.get("record") or {}).items()},
                reminder=self._reminder(reminder) if reminder
                and outcome["id"] in reminder["outcomes"] else None)
        return self._derived[derived_id]

    def _within_limit(self, r: dict) -> bool:
        limit = REASON_LIMITS.get(r.get("count"))
        if limit is None or not any(c["id"] == limit["count"] for c in self.instrument.counters):
            return True
        return self.holds(limit)

    def _reminder(self, spec: dict) -> dict | None:
        """The reminder with its text decided: a text, or the first `{text, when}` part that
        holds (none holding: nothing left to remind of)."""
        text = spec["text"]
        if not isinstance(text, str):
            text = next((p["text"] for p in text if "when" not in p or self.holds(p["when"])),
                        None)
        return None if text is None else {**spec, "text": text}

    def _legal_basis(self, basis) -> str | None:
        """A string, or a list of `{text, when}` parts: those that hold, joined by commas."""
        if basis is None or isinstance(basis, str):
            return basis
        return ", ".join(p["text"] for p in basis if "when" not in p or self.holds(p["when"]))

    def text(self, r: dict) -> str:
        """A reason's or outcome's text with its `{answer}` / `{count}` / `{names}` filled in."""
        return self._reason(r)

    def _reason(self, r: dict) -> str:
        if "count" in r:
            count, names = self.counter(r["count"])
            text = r.get("text_zero") if count == 0 else r.get("text_one") if count == 1 else None
            return (text or r["text"]).format(
                count=count, names=", ".join(names), total=self.counter_total(r["count"]))
        if "q" in r:
            value = self.value(r["q"])
            if not is_answered(value):
                return r.get("text_unanswered") or r["text"].format(answer="ikke besvart")
            return r["text"].format(answer=display_value(self.instrument.items[r["q"]], value)
                                    .lower())
        return r["text"]


@dataclass
class Derived:
    id: str
    title: str
    outcome: str
    text: str
    reasons: list[str]
    legal_basis: str | None = None
    note: str | None = None
    record: dict = field(default_factory=dict)   # e.g. {"decision": "ja", "answer": ...}
    reminder: dict | None = None   # the spec's `reminder` when this outcome calls for it


@dataclass
class Problem:
    field: str | None
    message: str
    section_id: str | None = None


@dataclass
class Evaluation:
    derived: dict[str, Derived] = field(default_factory=dict)
    scores: dict[str, float | None] = field(default_factory=dict)


def display_value(item: Item, value) -> str:
    """A stored answer as Norwegian text (dates as dd.mm.åååå)."""
    if not is_answered(value):
        return "Ikke besvart"
    if isinstance(value, list):
        return ", ".join(item.option_label(v) for v in value)
    if item.options or value == DECLINE:
        return item.option_label(value)
    if item.type == "date" and isinstance(value, str) and len(value) == 10:
        y, m, d = value.split("-")
        return f"{d}.{m}.{y}"
    if item.type == "scale" and isinstance(value, int):
        anchor = item.anchor(value)
        return f"{value} – {anchor}" if anchor else str(value)
    return str(value)


def clean(instrument: Instrument, answers: dict, ev: Evaluator | None = None) -> dict:
    """Drop unknown keys, empty answers and hidden items' answers (and their comments), in
    the order of `answers`. `ev`: an Evaluator of these same answers already at hand. Only
    the answered keys are looked at, so unanswered items' visibility is never worked out."""
    visible = (ev or Evaluator(instrument, answers)).visible
    owner = instrument.answer_owner
    return {k: v for k, v in answers.items()
            if k in owner and is_answered(v) and visible(owner[k])}


def _owner(instrument: Instrument) -> dict[str, Item]:
    """Answer key -> the item it belongs to (an item's own id and its comment's id)."""
    return instrument.answer_owner


class Split(NamedTuple):
    """set_aside's answer, with the Evaluator that saw the result (for the live state)."""
    shown: dict
    aside: dict
    restored: dict
    ev: Evaluator


def set_aside(instrument: Instrument, answers: dict, aside: dict | None,
              emptied: dict | None = None) -> tuple[dict, dict, dict]:
    """Split answers into (shown, set aside, restored); see split."""
    return split(instrument, answers, aside, emptied)[:3]


def split(instrument: Instrument, answers: dict, aside: dict | None,
          emptied: dict | None = None, today: date | None = None) -> Split:
    """Split answers into shown, set aside and restored.

    Answers of hidden items are kept aside instead of dropped; answers kept aside earlier
    come back when their item shows again and has no new answer. `emptied` holds the
    previous answers of fields sent empty with this change: if their item is hidden now,
    the old answer is kept aside too (a field hidden together with its gate question is not
    a deliberate deletion). Only `shown` is the assessment's answers: counts, rules, exports
    and the PDF never see what is aside. `ev` evaluates `shown` as of `today` (it read the
    answers that were aside as unanswered, which is what they are in `shown`).
    """
    owner = _owner(instrument)
    current = {k: v for k, v in answers.items() if k in owner and is_answered(v)}
    kept = {k: v for k, v in (aside or {}).items()
            if k in owner and is_answered(v) and k not in current}
    restored: dict = {}
    while True:
        ev = Evaluator(instrument, current, today)
        back = {k: v for k, v in kept.items() if ev.visible(owner[k])}
        if not back:
            break
        for k in back:
            current[k] = restored[k] = kept.pop(k)
    # The last Evaluator saw `current` as it is now: clean() needs no second one. An
    # Evaluator reads answers only through visibility, so it sees `current` as `shown`.
    shown = clean(instrument, current, ev)
    kept.update({k: v for k, v in current.items() if k not in shown})
    emptied = {k: v for k, v in (emptied or {}).items()
               if k in owner and is_answered(v) and k not in kept}
    if emptied:  # most saves empty nothing: no third evaluation of the whole form then
        ev = Evaluator(instrument, shown, today)
        kept.update({k: v for k, v in emptied.items() if not ev.visible(owner[k])})
    restored = {k: v for k, v in restored.items() if k in shown}
    return Split(shown, kept, restored, ev)


def evaluate(instrument: Instrument, answers: dict, today: date | None = None) -> Evaluation:
    ev = Evaluator(instrument, answers, today)
    return Evaluation(derived={d["id"]: ev.derived(d["id"]) for d in instrument.derived},
                      scores={s["id"]: score(instrument, answers, s["id"])
                              for s in instrument.scores if "mean_of" in s})


def frozen_ip(instrument: Instrument, answers: dict, day: date) -> dict[str, str | None]:
    """The IP columns a signing freezes for the team lead's views: the prompt's outcome, the
    staff's decision and the person's answer, evaluated as of the signing day (the same answers
    and day always give the same columns, so a check can recompute them)."""
    ip = evaluate(instrument, answers, day).derived.get("ip")
    return {"ip_outcome": ip.outcome if ip else None,
            "ip_decision": ip.record.get("decision") if ip else None,
            "ip_answer": ip.record.get("answer") if ip else None}


@dataclass
class Score:
    mean: float | None   # None when fewer than `min_answered` items are answered
    answered: int
    total: int
    label: str | None    # the spec's `count_label` filled in, e.g. "snitt av 9 av 12"
    minimum: int = 1


def score_detail(instrument: Instrument, answers: dict, score_id: str) -> Score:
    """Mean over answered items; 'vil ikke svare', skipped and hidden items are left out.

    With `min_answered` in the spec, no mean is given below that many answers."""
    ev = Evaluator(instrument, answers)
    spec = next(s for s in instrument.scores if s["id"] == score_id)
    values = [ev.value(q) for q in spec["mean_of"]]
    values = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    minimum = spec.get("min_answered", 1)
    n, total = len(values), len(spec["mean_of"])
    return Score(mean=round(sum(values) / n, 2) if n and n >= minimum else None, answered=n,
                 total=total, minimum=minimum,
                 label=spec["count_label"].format(answered=n, total=total)
                 if spec.get("count_label") else None)


def score(instrument: Instrument, answers: dict, score_id: str) -> float | None:
    return score_detail(instrument, answers, score_id).mean


def rating_mean(instrument: Instrument, answers: dict) -> float | None:
    """The mean a completed self-rating freezes: the instrument's first score."""
    return score(instrument, answers, instrument.scores[0]["id"]) if instrument.scores else None


def problems(instrument: Instrument, answers: dict, today: date | None = None) -> list[Problem]:
    """What stands in the way of signing: required items not answered, then failed checks."""
    ev = Evaluator(instrument, answers, today)
    found = [Problem(c["field"], c["message"], instrument.items[c["field"]].section_id)
             for c in instrument.checks if ev.holds(c["when"])]
    flagged = {p.field for p in found}
    for section in reversed(instrument.sections):
        for item in reversed(section.items):
            if item.required and item.id not in flagged and ev.visible(item) \
                    and not is_answered(answers.get(item.id)):
                found.insert(0, Problem(item.id, f"«{item.label}» må besvares.", section.id))
    return found


def item_flags(instrument: Instrument, answers: dict, section, today: date | None = None,
               ev: Evaluator | None = None) -> dict[str, list[str]]:
    """The checks marked `on_item` that fail now, by the item they name, for the items of
    `section`: answers that contradict each other are flagged where they are given, while
    typing, not only when signing is refused."""
    ev = ev or Evaluator(instrument, answers, today)
    ids = {i.id for i in section.items}
    flags: dict[str, list[str]] = {}
    for c in instrument.checks:
        if c.get("on_item") and c["field"] in ids and ev.holds(c["when"]):
            flags.setdefault(c["field"], []).append(c["message"])
    return flags


def area_ratings(instrument: Instrument, answers: dict,
                 section_id: str = "vurdering") -> list[tuple[Item, object]]:
    """The staff's BrukerPlan ratings: the section's items tied to a levekårsområde."""
    ev = Evaluator(instrument, answers)
    section = instrument.section(section_id)
    return [(i, ev.value(i.id)) for i in (section.items if section else ()) if i.area]


def missing_required(instrument: Instrument, answers: dict, ev: Evaluator | None = None,
                     sections=None) -> dict[str, int]:
    """Per section (every one, or those in `sections`): how many shown required items have no
    answer yet (`ev`: an Evaluator of these answers already at hand)."""
    visible = (ev or Evaluator(instrument, answers)).visible
    out = {}
    for section in instrument.sections if sections is None else sections:
        n = 0
        for i in section.items:
            if i.required and visible(i) and not is_answered(answers.get(i.id)):
                n += 1
        out[section.id] = n
    return out


def progress(instrument: Instrument, answers: dict, ev: Evaluator | None = None,
             sections=None) -> dict[str, tuple[int, int]]:
    """Per section (every one, or those in `sections`): (answered, visible items); hidden
    sections are (0, 0)."""
    visible = (ev or Evaluator(instrument, answers)).visible
    out = {}
    for section in instrument.sections if sections is None else sections:
        shown = answered = 0
        for i in section.items:
            if visible(i) and i.type != "display":   # a text to read, not a question
                shown += 1
                if is_answered(answers.get(i.id)):
                    answered += 1
        out[section.id] = (answered, shown)
    return out
