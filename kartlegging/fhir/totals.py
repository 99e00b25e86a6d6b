"""A read-only calculated total of a Questionnaire (SDC calculatedExpression) as the form's own
sum score, when the expression is a sum of ordinal values; anything else is refused naming the
item. Pure. No FHIRPath engine: two shapes are read, the ones form tools write for a total.

- `%resource.repeat(item).where(linkId = 'a').answer.value.ordinal() + …` (also `.item.item`
  instead of `.repeat(item)`, `weight()` for `ordinal()`, double quotes): the named items;
- `%resource.repeat(item).answer.value.ordinal().sum()`: every weighted item before the total.
"""
from __future__ import annotations

import re

from ..domain.instrument_types import Item
from .codes import CALCULATED

_PATH = r"%resource(?:\.repeat\(item\)|(?:\.item)+)"
_VALUE = r"\.answer\.value\.(?:ordinal|weight)\(\)"
TERM = re.compile(_PATH + r"\.where\(linkId=(?:'([^']+)'|\"([^\"]+)\")\)" + _VALUE)
ALL = re.compile(_PATH + _VALUE + r"\.sum\(\)")


class TotalProblem(ValueError):
    """Raised with a Norwegian message naming the item and the element."""


def _weighted(item: Item) -> bool:
    return item.type == "scale" or (item.type == "single_choice" and bool(item.options)
                                    and all(o.weight is not None for o in item.options))


def read_total(el: dict, items: dict[str, Item], section_id: str, where: str) -> dict:
    """The score spec for a total `el` placed in section `section_id`."""
    def fail(msg):
        raise TotalProblem(f"{where}: {msg}")
    if el.get("type") != "integer":
        fail(f"type {el.get('type')}: en beregnet sum må være et heltall (integer)")
    if not el.get("readOnly"):
        fail("calculatedExpression: bare skrivebeskyttede summer (readOnly) kan beregnes")
    for name in ("enableWhen", "initial", "item", "answerOption", "repeats"):
        if el.get(name):
            fail(f"{name}: støttes ikke på en beregnet sum")
    expr = next((e.get("valueExpression") for e in el.get("extension") or []
                 if isinstance(e, dict) and e.get("url") == CALCULATED), None)
    if not isinstance(expr, dict) or expr.get("language") != "text/fhirpath" \
            or not isinstance(expr.get("expression"), str):
        fail("calculatedExpression: må være et FHIRPath-uttrykk (text/fhirpath)")
    text = re.sub(r"\s+", "", expr["expression"])
    if ALL.fullmatch(text):
        sum_of = [i.id for i in items.values() if _weighted(i)]
    else:
        terms = text.split("+")
        matches = [TERM.fullmatch(t) for t in terms]
        if not all(matches):
            fail(f"calculatedExpression «{expr['expression']}» er ikke en sum av "
                 "ordinalverdier som appen kan lese, så summen kan ikke beregnes her")
        sum_of = [m.group(1) or m.group(2) for m in matches]
        for q in sum_of:
            if q not in items:
                fail(f"calculatedExpression: «{q}» er ikke et spørsmål før summen")
            if not _weighted(items[q]):
                fail(f"calculatedExpression: «{q}» har ikke ordinalValue på alle svar")
    if not sum_of:
        fail("calculatedExpression: ingen spørsmål med ordinalverdier å summere")
    if len(set(sum_of)) != len(sum_of):
        fail("calculatedExpression: samme spørsmål telles to ganger")
    spec = {"id": el["linkId"], "label": el.get("text") or el["linkId"], "sum_of": sum_of,
            "section": section_id}
    if el.get("code"):
        spec["code"] = [{k: c[k] for k in ("system", "code", "display") if k in c}
                        for c in el["code"] if isinstance(c, dict)]
    return spec
