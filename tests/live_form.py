"""A small instrument built in code whose sections depend on each other in every way a
condition can read answers: directly, through a hidden item, through a counter and a derived
prompt, and through the day (`days_since`). The loader allows counters and derived prompts
only in rules, not in `show_if`; Instrument.live_affected and the Evaluator handle them
anywhere, so this form is built without the loader."""
from datetime import date

from kartlegging.domain.instrument_types import YES_NO, Instrument, Item, Option, Section

TODAY = date(2026, 11, 15)  # the factories' date answer (2026-11-01) lies 14 days before
# Section id -> the sections a change of its answers can change (e: depends on the day).
AFFECTED = {"a": ("a", "b", "c", "d", "e"), "b": ("b", "c", "d", "e"), "c": ("c", "d", "e"),
            "d": ("d", "e"), "e": ("e",), "f": ("e", "f")}


def _item(id, section, type="yes_no", show_if=None, required=False, options=()):
    if type == "yes_no":
        options = tuple(Option(v, label) for v, label in YES_NO)
    return Item(id=id, type=type, label=id.capitalize(), section_id=section,
                options=tuple(options), show_if=show_if, required=required)


def _section(id, items, show_if=None):
    return Section(id=id, title=id.upper(), items=tuple(items), show_if=show_if)


def build() -> Instrument:
    services = [Option(v, v.upper()) for v in ("x", "y", "z")]
    sections = [
        _section("a", [_item("gate", "a", required=True), _item("dato", "a", type="date"),
                       _item("tjenester", "a", type="multiple_choice", options=services)]),
        _section("b", [_item("b1", "b", required=True)], show_if={"q": "gate", "eq": "ja"}),
        # c reads b1, so also what hides b1: gate in a.
        _section("c", [_item("c0", "c"),
                       _item("c1", "c", show_if={"q": "b1", "answered": True}, required=True)]),
        # d reads a derived prompt, which reads a counter over a and c.
        _section("d", [_item("d1", "d", required=True)],
                 show_if={"derived": "niva", "eq": "hoy"}),
        _section("e", [_item("e1", "e", show_if={"any": [
            {"q": "dato", "days_since": {"lte": 30}}, {"not": {"always": True}}]})]),
        _section("f", [_item("f1", "f", required=True),
                       _item("f2", "f", show_if={"q": "f1", "eq": "ja"}, required=True)]),
    ]
    counters = ({"id": "valgt", "from": [{"q": "tjenester", "each_selected": True},
                                         {"name": "C", "q": "c1", "eq": "ja"}]},)
    derived = ({"id": "niva", "title": "Nivå", "outcomes": [
        {"id": "hoy", "text": "Høy", "when": {"count": "valgt", "gte": 3}},
        {"id": "lav", "text": "Lav", "when": {"always": True}}]},)
    return Instrument(key="live-test", version=1, title="Live", sections=tuple(sections),
                      counters=counters, derived=derived,
                      items={i.id: i for s in sections for i in s.items})
