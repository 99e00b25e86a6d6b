"""What an instrument is: immutable items, sections and instruments, and shared constants.

Built only by the loader (instruments.py) after the checks (instrument_checks.py) pass.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

ITEM_TYPES = ("text", "long_text", "single_choice", "multiple_choice", "yes_no", "date",
              "number", "scale", "display")
DISPLAY = "display"   # text shown among the questions (a FHIR display item): never answered
DECLINE = "vil_ikke_svare"
DECLINE_LABEL = "Vil ikke svare"
# Answers are stored as JSON and read back by the browser's JavaScript, whose numbers hold
# integers exactly only up to 2^53 - 1 (Number.MAX_SAFE_INTEGER): a larger answer would come
# back changed. No number answer goes beyond it, whatever the item's own min and max say.
SAFE_INTEGER = 2**53 - 1
YES_NO = (("ja", "Ja"), ("nei", "Nei"))
AREAS = {
    "bolig": "Boligsituasjon", "aktivitet": "Meningsfull aktivitet", "okonomi": "Økonomi",
    "fysisk_helse": "Fysisk helse", "psykisk_helse": "Psykisk helse",
    "rusmiddelbruk": "Rusmiddelbruk", "sosial_fungering": "Sosial fungering",
    "nettverk": "Sosialt nettverk",
}
TOPICS = ("parorende",)


class InstrumentError(ValueError):
    """A definition problem; the message names file and path."""


DAY = ("day", "")  # a condition node: the day date rules count from (days_since)


def condition_refs(cond: dict) -> list[tuple[str, str]]:
    """What a condition reads (the grammar of rules.Evaluator.holds), as nodes: ("q", item id)
    for an item's value, ("count", id), ("derived", id), and DAY for `days_since`."""
    if "all" in cond or "any" in cond:
        return [n for c in cond["all" if "all" in cond else "any"] for n in condition_refs(c)]
    if "not" in cond:
        return condition_refs(cond["not"])
    if "always" in cond:
        return []
    if "count" in cond:
        return [("count", cond["count"])]
    if "derived" in cond:
        return [("derived", cond["derived"])]
    return [("q", cond["q"])] + ([DAY] if "days_since" in cond else [])


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    weight: int | None = None     # the option's ordinal value, summed by a `sum_of` score
    system: str | None = None     # the code system `value` belongs to (None: the app's own)


@dataclass(frozen=True)
class Item:
    id: str
    type: str
    label: str
    section_id: str
    short: str | None = None
    help: str | None = None
    options: tuple[Option, ...] = ()
    required: bool = False
    show_if: dict | None = None
    comment: bool = False
    min: int | None = None
    max: int | None = None
    anchors: tuple[tuple[int, str], ...] = ()
    decline: bool = False
    area: str | None = None
    topic: str | None = None
    tiltak: int | None = None
    max_length: int | None = None
    prefill: str | None = None     # "last_signed": a new draft starts with the last signed answer
    sensitive: bool = False        # a personal question: the form's sensitive_notice comes first
    codes: tuple[dict, ...] = ()   # {system, code, display}: what the item is in a terminology
    prefix: str | None = None      # the number the form shows before the label ("1.")
    initial: object = None         # the answer a new draft starts with

    @property
    def short_label(self) -> str:
        return self.short or self.label

    @property
    def comment_id(self) -> str:
        return f"{self.id}__kommentar"

    def option_label(self, value) -> str:
        if value == DECLINE:
            return DECLINE_LABEL
        for o in self.options:
            if o.value == value:
                return o.label
        return str(value)

    def anchor(self, value: int) -> str | None:
        return dict(self.anchors).get(value)

    def option(self, value) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    items: tuple[Item, ...]
    help: str | None = None
    show_if: dict | None = None
    tiltak: int | None = None
    embed: str | None = None
    parent: str | None = None   # a group inside a group (FHIR): the section it belongs under


@dataclass(frozen=True)
class Instrument:
    key: str
    version: int
    title: str
    sections: tuple[Section, ...]
    description: str | None = None
    counters: tuple[dict, ...] = ()
    derived: tuple[dict, ...] = ()
    scores: tuple[dict, ...] = ()
    checks: tuple[dict, ...] = ()
    sensitive_notice: str | None = None
    items: dict[str, Item] = field(default_factory=dict, compare=False, repr=False)
    codes: tuple[dict, ...] = ()    # {system, code, display}: e.g. the LOINC panel of the form
    source: dict | None = None      # {text, reference}: the published instrument it is based on
    canonical: str | None = None    # 'url|version' of the Questionnaire it was imported from
    self_report: bool = False       # the person may fill it on the tablet (hand-over)

    @property
    def sum_scores(self) -> tuple[dict, ...]:
        return tuple(s for s in self.scores if "sum_of" in s)

    @property
    def ref(self) -> str:
        return f"{self.key}.v{self.version}"

    @cached_property
    def answer_owner(self) -> dict[str, Item]:
        """Answer key -> the item it belongs to (an item's own id and its comment's id); built
        once, as an instrument version never changes."""
        owner = {}
        for item, comment_key in self.answer_keys:
            owner[item.id] = item
            if comment_key:
                owner[comment_key] = item
        return owner

    @cached_property
    def answer_keys(self) -> tuple[tuple[Item, str | None], ...]:
        """Every item with its comment's answer key (None without a comment), in order."""
        return tuple((i, i.comment_id if i.comment else None) for i in self.items.values())

    @cached_property
    def item_section(self) -> dict[str, Section]:
        """Item id -> its section (visibility is asked for every item on every save)."""
        return {i.id: s for s in self.sections for i in s.items}

    @cached_property
    def unconditional(self) -> dict[str, bool]:
        """Items shown whatever the answers (no condition on them or their section): id -> True."""
        return {i.id: True for s in self.sections if s.show_if is None
                for i in s.items if i.show_if is None}

    @cached_property
    def live_affected(self) -> dict[str, tuple[str, ...]]:
        """Section id -> the sections whose live state (whether they apply, their items'
        visibility, answered/shown counts, required items missing) a change of answers in that
        section can change, in form order: itself, those whose conditions read its answers
        (also through the items they read, counters and derived prompts), and those whose
        conditions depend on the day (`days_since`), which any save may see change."""
        reads = {s.id: self._reads(s) for s in self.sections}
        dated = {sid for sid, read in reads.items() if DAY in read}
        return {s.id: tuple(t.id for t in self.sections if t.id == s.id or t.id in dated
                            or s.id in reads[t.id]) for s in self.sections}

    def _reads(self, section: Section) -> set:
        """The ids of the sections whose answers decide the section's live state (its own
        answers left out unless its conditions read them), and DAY if the day does."""
        todo = [n for c in (section.show_if, *(i.show_if for i in section.items)) if c
                for n in condition_refs(c)]
        seen: set = set()
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo += self._node_refs(node)
        return {self.items[ref].section_id if kind == "q" else DAY
                for kind, ref in seen if kind == "q" or (kind, ref) == DAY}

    def _node_refs(self, node: tuple[str, str]) -> list[tuple[str, str]]:
        """What a node read by a condition reads in turn: an item's value its visibility
        (Evaluator.value is None while it is hidden), a counter its sources, a derived prompt
        its outcomes' conditions (the first that holds decides)."""
        kind, ref = node
        if kind == "q":
            item = self.items[ref]
            section = self.item_section[ref]
            return [n for c in (section.show_if, item.show_if) if c for n in condition_refs(c)]
        if kind == "count":
            spec = next(c for c in self.counters if c["id"] == ref)
            return [n for src in spec["from"] for n in (
                [("q", src["q"])] if src.get("each_selected")
                else condition_refs({k: v for k, v in src.items() if k != "name"}))]
        if kind == "derived":
            spec = next(d for d in self.derived if d["id"] == ref)
            return [n for o in spec["outcomes"] for n in condition_refs(o["when"])]
        return []

    @cached_property
    def _section_index(self) -> dict[str, int]:
        return {s.id: n for n, s in enumerate(self.sections)}

    def section(self, section_id: str) -> Section | None:
        n = self._section_index.get(section_id)
        return None if n is None else self.sections[n]

    def section_index(self, section_id: str) -> int:
        try:
            return self._section_index[section_id]
        except KeyError:
            raise ValueError(f"unknown section {section_id!r}") from None
