"""Conditions (show_if) <-> FHIR enableWhen + enableBehavior. Pure.

enableWhen is one level of {question, operator, answer[x]} joined by all or any. Conditions
that fit map exactly: eq '=', ne '!=', contains '=' (on a repeating item), gt/gte/lt/lte
'>' '>=' '<' '<=' (numbers and dates), answered 'exists', in = several '=' joined by any, and
all/any of those; not(eq) is '!=', not(ne) '=', not(answered) 'exists' negated. A hidden
item counts as unanswered in both worlds, and '!=' holds when there is no answer, as `ne`
does here. What does not fit (nested all/any, not over a group, comparisons on a 1–7 scale,
which FHIR carries as a choice) raises Unrepresentable; the exporter then carries the exact
condition in its own extension as JSON (data, never code).
"""
from __future__ import annotations

from ..domain.instrument_types import Item
from .codes import ValueProblem, decode, encode, value_of

OPERATORS = {"eq": "=", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
FROM_OPERATOR = {v: k for k, v in OPERATORS.items()}
NEGATE = {"eq": "ne", "ne": "eq"}


class Unrepresentable(ValueError):
    """The condition has no exact enableWhen form."""


class ConditionProblem(ValueError):
    """An enableWhen the app cannot read; the message is Norwegian."""


def to_enable_when(cond: dict, items: dict[str, Item], system) -> tuple[list[dict], str | None]:
    """(enableWhen list, enableBehavior or None). `system(item)` gives an item's code system."""
    ews, behavior = _flatten(cond, items, system)
    if len(ews) > 1 and behavior is None:
        behavior = "all"
    return ews, (behavior if len(ews) > 1 else None)


def _flatten(cond, items, system):
    if "all" in cond or "any" in cond:
        op = "all" if "all" in cond else "any"
        out = []
        for c in cond[op]:
            ews, inner = _flatten(c, items, system)
            if inner not in (None, op) and len(ews) > 1:
                raise Unrepresentable("nested")
            out += ews
        return out, op
    if "not" in cond:
        inner = cond["not"]
        q = inner.get("q")
        ops = [k for k in inner if k != "q"]
        if q is None or len(ops) != 1:
            raise Unrepresentable("not over a group")
        op = ops[0]
        if op == "answered":
            return [_atom(items[q], "answered", not inner[op], system)], None
        if op in NEGATE and items[q].type != "multiple_choice":
            return [_atom(items[q], NEGATE[op], inner[op], system)], None
        raise Unrepresentable("not")
    if "q" not in cond:
        raise Unrepresentable("always, count or derived")
    q = cond["q"]
    (op, value), = ((k, v) for k, v in cond.items() if k != "q")
    item = items[q]
    if op == "in":
        ews = [_atom(item, "eq", v, system) for v in value]
        return ews, ("any" if len(ews) > 1 else None)
    return [_atom(item, op, value, system)], None


def _atom(item: Item, op: str, value, system) -> dict:
    if op == "answered":
        return {"question": item.id, "operator": "exists", "answerBoolean": bool(value)}
    if op == "contains":
        op = "eq"
    elif item.type == "multiple_choice":
        raise Unrepresentable("eq/ne on multiple choice")   # '=' there means 'contains'
    if op in ("gt", "gte", "lt", "lte") and item.type not in ("number", "date"):
        raise Unrepresentable("comparison on a choice")
    suffix, fhir_value = encode(item, value, system(item))
    if suffix == "Coding":
        fhir_value = {"system": fhir_value["system"], "code": fhir_value["code"]}
    return {"question": item.id, "operator": OPERATORS[op], f"answer{suffix}": fhir_value}


def from_enable_when(ews: list, behavior: str | None, items: dict[str, Item]) -> dict:
    """enableWhen (+ enableBehavior) as a condition; raises ConditionProblem."""
    if not isinstance(ews, list) or not ews:
        raise ConditionProblem("enableWhen må være en ikke-tom liste")
    if len(ews) > 1 and behavior not in ("all", "any"):
        raise ConditionProblem("flere enableWhen trenger enableBehavior «all» eller «any»")
    conds = [_read(ew, items) for ew in ews]
    if len(conds) == 1:
        return conds[0]
    if behavior == "any" and all("eq" in c for c in conds) \
            and len({c["q"] for c in conds}) == 1:
        return {"q": conds[0]["q"], "in": [c["eq"] for c in conds]}
    return {behavior: conds}


def _read(ew, items) -> dict:
    if not isinstance(ew, dict):
        raise ConditionProblem("enableWhen må være et objekt")
    q, operator = ew.get("question"), ew.get("operator")
    if q not in items:
        raise ConditionProblem(f"enableWhen viser til ukjent spørsmål «{q}»")
    item = items[q]
    found = value_of(ew, "answer")
    if found is None:
        raise ConditionProblem(f"enableWhen på «{q}» mangler answer[x]")
    suffix, value = found
    if operator == "exists":
        if suffix != "Boolean" or not isinstance(value, bool):
            raise ConditionProblem(f"enableWhen «exists» på «{q}» trenger answerBoolean")
        return {"q": q, "answered": value}
    if operator not in FROM_OPERATOR:
        raise ConditionProblem(f"ukjent operator «{operator}» i enableWhen på «{q}»")
    op = FROM_OPERATOR[operator]
    if op in ("gt", "gte", "lt", "lte") and item.type not in ("number", "date"):
        raise ConditionProblem(f"operatoren «{operator}» passer ikke for «{q}»")
    try:
        decoded = decode(item, suffix, value, check_range=False)
    except ValueProblem as e:
        raise ConditionProblem(f"enableWhen på «{q}»: {e}") from e
    if item.type == "multiple_choice":
        if op != "eq":
            raise ConditionProblem(f"operatoren «{operator}» passer ikke for flervalget «{q}»")
        return {"q": q, "contains": decoded}
    return {"q": q, op: decoded}
