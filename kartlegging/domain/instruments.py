"""Instruments as data: load YAML files, validate them whole, keep them immutable in a registry.

Every error names the file and the path inside it, so whoever edits a form knows what to fix.
The file format is documented in instruments/README.md.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from .instrument_checks import SECTION_KEYS, TOP_KEYS, Checker, build_item, check_rules
from .instrument_codes import instrument_extras
from .instrument_types import Instrument, InstrumentError, Section


def load_file(path: str | Path) -> Instrument:
    """Load one file and validate all of it; raises InstrumentError naming file and path."""
    path = Path(path)
    ck = Checker(path.name)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise InstrumentError(f"{path.name}: ugyldig YAML: {e}") from e
    if not isinstance(data, dict):
        ck.fail("(rot)", "filen må inneholde en mapping")
    ck.unknown_keys(data, TOP_KEYS, "(rot)")
    key, version = ck.need(data, "key", "(rot)"), ck.need(data, "version", "(rot)", int)
    if path.name != f"{key}.v{version}.yaml":
        ck.fail("(rot)", f"filnavnet må være '{key}.v{version}.yaml'")
    for name, opts in (data.get("option_lists") or {}).items():
        ck.option_lists[name] = ck.options(opts, f"option_lists.{name}")
    sections = []
    for si, sraw in enumerate(data.get("sections") or ck.fail("(rot)", "mangler 'sections'")):
        sp = f"sections[{si}]"
        ck.unknown_keys(sraw, SECTION_KEYS, sp)
        sid = ck.need(sraw, "id", sp)
        if sid in ck.section_ids or sid in ck.items:
            ck.fail(f"{sp}.id", f"id '{sid}' er brukt før")
        ck.section_ids.add(sid)
        title = ck.need(sraw, "title", sp)
        before = set(ck.items)
        if sraw.get("show_if") is not None:
            ck.condition(sraw["show_if"], f"{sp}.show_if", before=before)
        items = []
        for ii, iraw in enumerate(sraw.get("items") or ck.fail(sp, "mangler 'items'")):
            item = build_item(ck, iraw, f"{sp}.items[{ii}]", sid, set(ck.items))
            ck.items[item.id] = item
            items.append(item)
        sections.append(Section(id=sid, title=title, items=tuple(items), help=sraw.get("help"),
                                show_if=sraw.get("show_if"), tiltak=sraw.get("tiltak"),
                                embed=sraw.get("embed"), parent=sraw.get("parent")))
    check_rules(ck, data)
    if any(i.sensitive for i in ck.items.values()) and not data.get("sensitive_notice"):
        ck.fail("(rot)", "sensitive spørsmål krever 'sensitive_notice'")
    return Instrument(key=key, version=version, title=ck.need(data, "title", "(rot)"),
                      description=data.get("description"), sections=tuple(sections),
                      counters=tuple(data.get("counters") or ()),
                      derived=tuple(data.get("derived") or ()),
                      **instrument_extras(ck, data),
                      scores=tuple(data.get("scores") or ()),
                      checks=tuple(data.get("checks") or ()),
                      sensitive_notice=data.get("sensitive_notice"), items=dict(ck.items))


class Registry:
    """All instruments by (key, version); the newest version of a key is what new work uses."""

    def __init__(self, instruments: list[Instrument]):
        self._by_ref = {(i.key, i.version): i for i in instruments}
        self.keys = frozenset(i.key for i in instruments)

    def get(self, key: str, version: int) -> Instrument:
        return self._by_ref[(key, version)]

    def latest(self, key: str) -> Instrument:
        versions = [v for (k, v) in self._by_ref if k == key]
        if not versions:
            raise KeyError(key)
        return self._by_ref[(key, max(versions))]

    def __iter__(self):
        return iter(self._by_ref.values())


def load_all(directory: str | Path) -> Registry:
    # <key>.v<n>.yaml only: <key>.v<n>.<language>.yaml beside it is a translation
    files = sorted(f for f in Path(directory).glob("*.v*.yaml") if f.name.count(".") == 2)
    if not files:
        raise InstrumentError(f"{directory}: fant ingen skjemafiler (*.vN.yaml)")
    return Registry([load_file(f) for f in files])
