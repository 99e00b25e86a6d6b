"""The person's own language: translation files beside an instrument, loaded and checked whole.

A file `<key>.v<n>.<language>.yaml` gives one language for one instrument version: the words of
the hand-over pages (`ui`), of the person's own copy (`copy`), and, for every language but the
instrument's own (bokmål, `nb`), every section title, item label, help, anchor and option. The
answers stored are the instrument's codes whatever the language. Loading fails, naming file and
path, when anything is missing or extra, so a half-translated form never reaches a tablet. The
bokmål file gives `ui` and `copy` only: its questions are the instrument's. The format is
documented in instruments/README.md.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from .instrument_types import DECLINE_LABEL, YES_NO, Instrument, InstrumentError, Item

SOURCE = "nb"  # the instruments' own language
# The notice every translation that no qualified translator has checked carries, in bokmål
# (staff and the journal read it) beside the language's own words for it.
UNCHECKED = "ikke kvalitetssikret oversettelse"
LANG_RE = re.compile(r"^[a-z]{2,3}$")
FILE_RE = re.compile(r"^(?P<key>[a-z0-9_-]+)\.v(?P<version>\d+)\.(?P<lang>[a-z]{2,3})\.yaml$")
TOP_KEYS = {"key", "version", "language", "name", "name_nb", "direction", "quality_assured",
            "translator", "speech", "ui", "copy", "title", "description", "sensitive_notice",
            "decline", "yes_no", "sections", "items"}
QUESTION_KEYS = {"title", "description", "sensitive_notice", "decline", "yes_no", "sections",
                 "items"}
ITEM_KEYS = {"label", "short", "help", "anchors", "options"}
DIRECTIONS = ("ltr", "rtl")
# The words the hand-over pages show (templates/livskvalitet/): a bokmål file must give each,
# or a page would fail in front of the person; other languages must give the bokmål file's.
PAGE_WORDS = frozenset({
    "brand", "skip_to_content", "choose_language", "welcome_title", "welcome_about",
    "welcome_no_right", "welcome_skip", "welcome_who", "welcome_time", "start", "unchecked",
    "question_of", "read_aloud", "no_voice", "chosen", "skip", "back", "stop", "done_title",
    "done_saved", "stopped_title", "stopped_saved", "review", "compare_offer", "compare_show",
    "compare_title", "compare_now", "compare_last", "compare_better", "compare_worse",
    "compare_same", "compare_missing"})


@dataclass(frozen=True)
class Translation:
    """One language of one instrument version; every lookup falls back to nothing (checked)."""
    language: str
    name: str                       # the language's own name, shown in the chooser
    name_nb: str                    # its name in bokmål, for staff and the journal
    direction: str                  # "ltr" or "rtl"
    quality_assured: bool
    speech: tuple[str, ...]         # BCP 47 tags a read-aloud voice may have, best first
    ui: dict[str, str]
    copy: dict[str, str]
    instrument: Instrument = field(repr=False)
    translator: str | None = None
    questions: dict = field(default_factory=dict, repr=False)  # as in the file; {} for nb

    @property
    def is_source(self) -> bool:
        return self.language == SOURCE

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    @property
    def title(self) -> str:
        return self.questions.get("title") or self.instrument.title

    @property
    def sensitive_notice(self) -> str | None:
        return self.questions.get("sensitive_notice") or self.instrument.sensitive_notice

    @property
    def decline(self) -> str:
        return self.questions.get("decline") or DECLINE_LABEL

    def _item(self, item: Item) -> dict:
        return (self.questions.get("items") or {}).get(item.id) or {}

    def label(self, item: Item) -> str:
        return self._item(item).get("label") or item.label

    def short(self, item: Item) -> str:
        return self._item(item).get("short") or item.short_label

    def help(self, item: Item) -> str | None:
        return self._item(item).get("help") if not self.is_source else item.help

    def anchor(self, item: Item, value: int) -> str | None:
        if self.is_source:
            return item.anchor(value)
        return (self._item(item).get("anchors") or {}).get(value)

    def option_label(self, item: Item, value) -> str:
        if self.is_source:
            return item.option_label(value)
        if item.type == "yes_no":
            return self.questions["yes_no"].get(value, str(value))
        return (self._item(item).get("options") or {}).get(value, str(value))

    def section_title(self, section) -> str:
        return ((self.questions.get("sections") or {}).get(section.id) or {}).get(
            "title") or section.title

    def section_help(self, section) -> str | None:
        if self.is_source:
            return section.help
        return ((self.questions.get("sections") or {}).get(section.id) or {}).get("help")

    def text(self, key: str, **values) -> str:
        """A hand-over word, with its {placeholders} filled."""
        return self.ui[key].format(**values) if values else self.ui[key]


class Translations:
    """Every language of every instrument version that has any; bokmål first."""

    def __init__(self, by_ref: dict[tuple[str, int], dict[str, Translation]]):
        self._by_ref = by_ref

    def languages(self, inst: Instrument) -> list[Translation]:
        """The languages a person may choose for this version: bokmål, nynorsk, then the rest
        by code. Empty when the version has no language files (bokmål pages as before)."""
        found = self._by_ref.get((inst.key, inst.version), {})
        return sorted(found.values(), key=lambda t: (t.language != SOURCE, t.language != "nn",
                                                     t.language))

    def get(self, inst: Instrument, language: str | None) -> Translation | None:
        return self._by_ref.get((inst.key, inst.version), {}).get(language or SOURCE)

    def for_instrument(self, inst: Instrument, language: str | None) -> Translation | None:
        """The words to show a version in: the language asked for where this version has it,
        else bokmål. A version without language files (one published before them) borrows
        the bokmål page words of the newest version of its key that has them; its questions
        stay its own. None when no version of the key has any."""
        found = self.get(inst, language) or self.get(inst, SOURCE)
        if found is not None:
            return found
        versions = sorted((v for (k, v), langs in self._by_ref.items()
                           if k == inst.key and SOURCE in langs), reverse=True)
        if not versions:
            return None
        return replace(self._by_ref[(inst.key, versions[0])][SOURCE], instrument=inst)


def load_all(directory: str | Path, registry) -> Translations:
    """Every `<key>.v<n>.<language>.yaml` in the folder, each checked against its instrument."""
    by_ref: dict[tuple[str, int], dict[str, Translation]] = {}
    for path in sorted(Path(directory).glob("*.v*.*.yaml")):
        t = load_file(path, registry)
        by_ref.setdefault((t.instrument.key, t.instrument.version), {})[t.language] = t
    for (key, version), langs in by_ref.items():
        reference = langs.get(SOURCE)
        if reference is None:
            raise InstrumentError(f"{key}.v{version}: oversettelser krever også "
                                  f"'{key}.v{version}.{SOURCE}.yaml' (ordene på bokmål)")
        for t in langs.values():
            _same_words(t, reference, f"{key}.v{version}.{t.language}.yaml")
    return Translations(by_ref)


def _fail(filename: str, path: str, msg: str):
    raise InstrumentError(f"{filename}: {path}: {msg}")


def _text(filename: str, d: dict, key: str, path: str) -> str:
    value = d.get(key) if isinstance(d, dict) else None
    if not isinstance(value, str) or not value.strip():
        _fail(filename, path, f"mangler '{key}' (tekst)")
    return value


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _same_words(t: Translation, reference: Translation, filename: str) -> None:
    """`ui` and `copy` hold exactly the bokmål file's keys, each with the same placeholders."""
    for block in ("ui", "copy"):
        mine, theirs = getattr(t, block), getattr(reference, block)
        for key in sorted(set(theirs) - set(mine)):
            _fail(filename, block, f"mangler '{key}'")
        for key in sorted(set(mine) - set(theirs)):
            _fail(filename, block, f"ukjent nøkkel '{key}' (finnes ikke på bokmål)")
        for key, text in mine.items():
            if _placeholders(text) != _placeholders(theirs[key]):
                _fail(filename, f"{block}.{key}", "må ha de samme {feltene} som bokmål: "
                      + ", ".join(sorted(_placeholders(theirs[key]))))


def load_file(path: str | Path, registry) -> Translation:
    path = Path(path)
    name = path.name
    m = FILE_RE.match(name)
    if not m:
        _fail(name, "(rot)", "filnavnet må være '<nøkkel>.v<versjon>.<språkkode>.yaml'")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise InstrumentError(f"{name}: ugyldig YAML: {e}") from e
    if not isinstance(data, dict):
        _fail(name, "(rot)", "filen må inneholde en mapping")
    extra = sorted(set(data) - TOP_KEYS)
    if extra:
        _fail(name, "(rot)", f"ukjent nøkkel '{extra[0]}'")
    key, version, language = data.get("key"), data.get("version"), data.get("language")
    if (key, version, language) != (m["key"], int(m["version"]), m["lang"]):
        _fail(name, "(rot)", "key, version og language må stemme med filnavnet")
    if not LANG_RE.match(language):
        _fail(name, "language", "språkkoden må være to eller tre små bokstaver (BCP 47)")
    try:
        inst = registry.get(key, version)
    except KeyError:
        _fail(name, "(rot)", f"fant ikke skjemaet '{key}.v{version}.yaml'")
    direction = data.get("direction")
    if direction not in DIRECTIONS:
        _fail(name, "direction", "må være 'ltr' eller 'rtl'")
    assured = data.get("quality_assured")
    if not isinstance(assured, bool):
        _fail(name, "quality_assured", "må være true eller false")
    translator = data.get("translator")
    if assured and language != SOURCE:
        translator = _text(name, data, "translator", "(rot)")  # who vouches for it
    speech = data.get("speech")
    if (not isinstance(speech, list) or not speech
            or not all(isinstance(s, str) and s for s in speech)):
        _fail(name, "speech", "må være en ikke-tom liste med språkkoder (f.eks. [nb-NO, no])")
    ui, copy = (_words(name, data, block) for block in ("ui", "copy"))
    questions = {}
    if language == SOURCE:
        given = sorted(QUESTION_KEYS & set(data))
        if given:
            _fail(name, given[0], "bokmålsfilen har ikke spørsmål: de står i skjemaet")
        for key in sorted(PAGE_WORDS - set(ui)):
            _fail(name, "ui", f"mangler '{key}' (sidene for personen viser den)")
    else:
        questions = _questions(name, data, inst)
    return Translation(language=language, name=_text(name, data, "name", "(rot)"),
                       name_nb=_text(name, data, "name_nb", "(rot)"),
                       direction=direction, quality_assured=assured, speech=tuple(speech),
                       ui=ui, copy=copy, instrument=inst, translator=translator,
                       questions=questions)


def _words(name: str, data: dict, block: str) -> dict[str, str]:
    words = data.get(block)
    if not isinstance(words, dict) or not words:
        _fail(name, block, "må være en mapping med tekster")
    for key in words:
        _text(name, words, key, block)
    return dict(words)


def _questions(name: str, data: dict, inst: Instrument) -> dict:
    """Every section, item, help, anchor and option of the instrument, and nothing else."""
    out = {"title": _text(name, data, "title", "(rot)"), "decline": None, "yes_no": None}
    if inst.description:
        out["description"] = _text(name, data, "description", "(rot)")
    if inst.sensitive_notice:
        out["sensitive_notice"] = _text(name, data, "sensitive_notice", "(rot)")
    items = inst.items.values()
    if any(i.decline for i in items):
        out["decline"] = _text(name, data, "decline", "(rot)")
    if any(i.type == "yes_no" for i in items):
        yes_no = data.get("yes_no")
        if not isinstance(yes_no, dict) or set(yes_no) != {v for v, _ in YES_NO}:
            _fail(name, "yes_no", "må gi 'ja' og 'nei'")
        for value in yes_no:
            _text(name, yes_no, value, "yes_no")
        out["yes_no"] = dict(yes_no)
    sections = _mapping(name, data, "sections", {s.id for s in inst.sections})
    for s in inst.sections:
        raw = sections[s.id]
        _exact_keys(name, raw, {"title", "help"}, f"sections.{s.id}")
        _text(name, raw, "title", f"sections.{s.id}")
        _matching_text(name, raw, "help", s.help, f"sections.{s.id}")
    out["sections"] = sections
    raw_items = _mapping(name, data, "items", set(inst.items))
    for item in items:
        p = f"items.{item.id}"
        raw = raw_items[item.id]
        _exact_keys(name, raw, ITEM_KEYS, p)
        _text(name, raw, "label", p)
        _matching_text(name, raw, "short", item.short, p)
        _matching_text(name, raw, "help", item.help, p)
        anchors = raw.get("anchors") or {}
        if set(anchors) != {v for v, _ in item.anchors}:
            missing = sorted({v for v, _ in item.anchors} - set(anchors))
            _fail(name, f"{p}.anchors", f"mangler ankeret {missing[0]}" if missing
                  else f"ankeret {sorted(set(anchors) - {v for v, _ in item.anchors})[0]!r} "
                       "finnes ikke i skjemaet")
        for v in anchors:
            _text(name, anchors, v, f"{p}.anchors")
        choices = {o.value for o in item.options} if item.type in (
            "single_choice", "multiple_choice") else set()
        options = raw.get("options") or {}
        if set(options) != choices:
            _fail(name, f"{p}.options", "må gi hvert svaralternativ, og bare dem: "
                  + ", ".join(sorted(choices)) if choices else "'options' passer ikke her")
        for v in options:
            _text(name, options, v, f"{p}.options")
    out["items"] = raw_items
    return out


def _mapping(name: str, data: dict, key: str, ids: set[str]) -> dict:
    raw = data.get(key)
    if not isinstance(raw, dict):
        _fail(name, key, "må være en mapping fra id til tekster")
    for missing in sorted(ids - set(raw)):
        _fail(name, key, f"mangler '{missing}'")
    for unknown in sorted(set(raw) - ids):
        _fail(name, key, f"'{unknown}' finnes ikke i skjemaet")
    return raw


def _exact_keys(name: str, raw, allowed: set[str], path: str) -> None:
    if not isinstance(raw, dict):
        _fail(name, path, "må være en mapping")
    extra = sorted(set(raw) - allowed)
    if extra:
        _fail(name, path, f"ukjent nøkkel '{extra[0]}'")


def _matching_text(name: str, raw: dict, key: str, source: str | None, path: str) -> None:
    """A help text is translated exactly where the instrument has one."""
    if source:
        _text(name, raw, key, path)
    elif key in raw:
        _fail(name, f"{path}.{key}", f"skjemaet har ingen '{key}' her")
