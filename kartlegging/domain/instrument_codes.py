"""Checks for what standard instruments add to a form: terminology codes (the form's and each
item's), answer weights and code systems, the item's printed number (prefix), a starting
answer (initial), the published source it is based on, and sum scores with cut-offs.

Used by instrument_checks / instruments.load_file; the format is in instruments/README.md.
"""
from __future__ import annotations

from .instrument_types import DECLINE, Item

CODING_KEYS = {"system", "code", "display"}
SOURCE_KEYS = {"text", "reference"}
OPTION_KEYS = {"value", "label", "weight", "system"}
SUM_SCORE_KEYS = {"id", "label", "sum_of", "min_answered", "code", "note", "outcomes",
                  "section"}
OUTCOME_KEYS = {"id", "text", "min", "max", "when"}


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def codings(ck, raw, path: str) -> tuple[dict, ...]:
    """One `{system, code, display}` or a list of them."""
    if raw is None:
        return ()
    listed = raw if isinstance(raw, list) else [raw]
    if not listed:
        ck.fail(path, "må være en kode {system, code, display} eller en liste av dem")
    out = []
    for i, c in enumerate(listed):
        p = f"{path}[{i}]" if isinstance(raw, list) else path
        if not isinstance(c, dict):
            ck.fail(p, "en kode må være en mapping med system og code")
        ck.unknown_keys(c, CODING_KEYS, p)
        ck.need(c, "system", p)
        ck.need(c, "code", p)
        if "display" in c:
            ck.need(c, "display", p)
        out.append({k: c[k] for k in ("system", "code", "display") if k in c})
    return tuple(out)


def option_extras(ck, raw: dict, path: str) -> dict:
    """An option's `weight` (its ordinal value, an integer) and `system` (the code system its
    value is a code of, e.g. LOINC answer codes; without it the value is the app's own code)."""
    ck.unknown_keys(raw, OPTION_KEYS, path)
    out = {}
    if "weight" in raw:
        if not _int(raw["weight"]):
            ck.fail(f"{path}.weight", "må være et heltall")
        out["weight"] = raw["weight"]
    if "system" in raw:
        out["system"] = ck.need(raw, "system", path)
    return out


DISPLAY_KEYS = {"id", "type", "label", "show_if", "code", "prefix"}


def item_extras(ck, raw: dict, path: str, item: Item) -> dict:
    out: dict = {}
    if item.type == "display":   # a text among the questions: nothing to answer or count
        extra = sorted(set(raw) - DISPLAY_KEYS)
        if extra:
            ck.fail(f"{path}.{extra[0]}", "passer ikke for en visningstekst (type display)")
    if "code" in raw:
        out["codes"] = codings(ck, raw["code"], f"{path}.code")
    if "prefix" in raw:
        out["prefix"] = ck.need(raw, "prefix", path)
    if "initial" in raw:
        out["initial"] = _initial(ck, raw["initial"], f"{path}.initial", item)
    return out


def _initial(ck, value, path: str, item: Item):
    """A starting answer must be one the item takes."""
    if item.type in ("single_choice", "yes_no"):
        if value not in {o.value for o in item.options}:
            ck.fail(path, f"'{value}' er ikke et svaralternativ for '{item.id}'")
    elif item.type == "multiple_choice":
        allowed = {o.value for o in item.options}
        if not isinstance(value, list) or not value or any(v not in allowed for v in value):
            ck.fail(path, f"må være en liste av svaralternativer for '{item.id}'")
    elif item.type in ("number", "scale"):
        if not _int(value) or (item.min is not None and value < item.min) \
                or (item.max is not None and value > item.max):
            ck.fail(path, f"må være et heltall innenfor grensene til '{item.id}'")
    elif item.type == "date":
        from datetime import date
        try:
            date.fromisoformat(value)
        except (TypeError, ValueError):
            ck.fail(path, "må være en dato ÅÅÅÅ-MM-DD")
    elif not isinstance(value, str) or len(value) > (item.max_length or 0):
        ck.fail(path, "må være en tekst innenfor lengden spørsmålet tar")
    return value


def instrument_extras(ck, data: dict) -> dict:
    out: dict = {}
    if "code" in data:
        out["codes"] = codings(ck, data["code"], "code")
    if "source" in data:
        src = data["source"]
        if not isinstance(src, dict):
            ck.fail("source", "må være en mapping med text og reference")
        ck.unknown_keys(src, SOURCE_KEYS, "source")
        out["source"] = {"text": ck.need(src, "text", "source"),
                         "reference": ck.need(src, "reference", "source")}
    if "canonical" in data:
        out["canonical"] = ck.need(data, "canonical", "(rot)")
    if "self_report" in data:
        if not isinstance(data["self_report"], bool):
            ck.fail("self_report", "må være true eller false")
        out["self_report"] = data["self_report"]
    _check_parents(ck, data.get("sections") or [])
    return out


def _check_parents(ck, sections: list):
    """`parent`: a sub-section (a FHIR group inside a group) comes right after its parent or
    its parent's other sub-sections, one level deep, and is hidden whenever its parent is:
    its `show_if` is the parent's, or `all` of the parent's and its own."""
    by_id = {s.get("id"): s for s in sections if isinstance(s, dict)}
    previous = None
    for i, s in enumerate(sections):
        parent = s.get("parent")
        if parent is not None:
            p = f"sections[{i}].parent"
            if parent not in by_id or by_id[parent].get("parent") is not None:
                ck.fail(p, f"'{parent}' er ikke en del på øverste nivå")
            if previous is None or parent not in (previous.get("id"), previous.get("parent")):
                ck.fail(p, f"en underdel må stå rett etter delen '{parent}' eller dens andre "
                           "underdeler")
            pcond, own = by_id[parent].get("show_if"), s.get("show_if")
            if pcond is not None and own != pcond and not (
                    isinstance(own, dict) and (own.get("all") or [None])[0] == pcond):
                ck.fail(f"sections[{i}].show_if", f"må gjenta show_if fra '{parent}' (alene "
                                                  "eller først i all), så underdelen skjules "
                                                  "med den")
        previous = s


def check_sum_score(ck, s: dict, p: str):
    """`{id, label, sum_of: [...], outcomes: [...]}`: the sum of the weights of the chosen
    options; every item summed is a scale or a single choice whose every option has a weight."""
    ck.unknown_keys(s, SUM_SCORE_KEYS, p)
    ck.need(s, "id", p)
    ck.need(s, "label", p)
    sum_of = s.get("sum_of")
    if not isinstance(sum_of, list) or not sum_of:
        ck.fail(f"{p}.sum_of", "må være en ikke-tom liste av spørsmål")
    for q in sum_of:
        item = ck.items.get(q)
        if item is None or item.type not in ("single_choice", "scale"):
            ck.fail(f"{p}.sum_of", f"'{q}' er ikke et enkeltvalgs- eller skalaspørsmål i "
                                   "skjemaet")
        unweighted = [o.value for o in item.options if o.weight is None]
        if unweighted:
            ck.fail(f"{p}.sum_of", f"'{q}': svaralternativet '{unweighted[0]}' mangler 'weight'")
    if len(set(sum_of)) != len(sum_of):
        ck.fail(f"{p}.sum_of", "samme spørsmål står to ganger")
    if "min_answered" in s:
        m = s["min_answered"]
        if not _int(m) or not 1 <= m <= len(sum_of):
            ck.fail(f"{p}.min_answered", f"må være et heltall fra 1 til {len(sum_of)}")
    if "code" in s:
        codings(ck, s["code"], f"{p}.code")
    if "note" in s:
        ck.need(s, "note", p)
    if "section" in s and s["section"] not in ck.section_ids:
        ck.fail(f"{p}.section", f"ukjent del '{s['section']}'")
    ids = set()
    for j, o in enumerate(s.get("outcomes") or []):
        op = f"{p}.outcomes[{j}]"
        if not isinstance(o, dict):
            ck.fail(op, "et utfall må være en mapping")
        ck.unknown_keys(o, OUTCOME_KEYS, op)
        oid = ck.need(o, "id", op)
        if oid in ids:
            ck.fail(f"{op}.id", f"utfallet '{oid}' finnes to ganger")
        ids.add(oid)
        ck.need(o, "text", op)
        for bound in ("min", "max"):
            if bound in o and not _int(o[bound]):
                ck.fail(f"{op}.{bound}", "må være et heltall")
        if "min" not in o:
            ck.fail(op, "mangler 'min' (den laveste summen utfallet gjelder for)")
        if "max" in o and o["max"] < o["min"]:
            ck.fail(f"{op}.max", "'max' må være minst like stor som 'min'")
        if "when" in o:
            ck.condition(o["when"], f"{op}.when")


def weight_of(item: Item, value) -> int | None:
    """The weight of a stored answer (None: unanswered, declined or unweighted); a scale's
    answer is its own weight (a Questionnaire's 0–3 choice whose codes are its ordinals)."""
    if value in (None, "", [], DECLINE):
        return None
    if item.type == "scale":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    option = item.option(value)
    return option.weight if option else None
