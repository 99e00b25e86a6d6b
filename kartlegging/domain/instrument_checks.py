"""Validation of instrument files: one small check per rule; errors name file and path.

Used by instruments.load_file(); the file format is documented in instruments/README.md.
"""
import re
from dataclasses import replace

from .instrument_codes import check_sum_score, item_extras, option_extras
from .instrument_types import (
    AREAS,
    DECLINE,
    ITEM_TYPES,
    TOPICS,
    YES_NO,
    InstrumentError,
    Item,
    Option,
)

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
COMPARE_OPS = ("eq", "ne", "in", "gt", "gte", "lt", "lte", "answered", "contains", "days_since")
COUNT_OPS = ("eq", "gt", "gte", "lt", "lte")
ITEM_KEYS = {"id", "type", "label", "short", "help", "options", "required", "show_if", "comment",
             "min", "max", "anchors", "decline", "area", "topic", "tiltak", "max_length",
             "prefill", "sensitive"}
SECTION_KEYS = {"id", "title", "help", "show_if", "tiltak", "embed", "items"}
TOP_KEYS = {"key", "version", "title", "description", "option_lists", "sections", "counters",
            "derived", "scores", "checks", "sensitive_notice"}
DEFAULT_MAX_LENGTH = {"text": 500, "long_text": 5000}
PREFILL = ("last_signed",)
# What standard instruments add (terminology codes, numbering, starting answers, the published
# source, an imported form's canonical): checked in instrument_codes.py
ITEM_KEYS |= {"code", "prefix", "initial"}
TOP_KEYS |= {"code", "source", "canonical", "self_report"}
SECTION_KEYS |= {"parent"}
REMINDER_UNLESS = ("koordinator",)


class Checker:
    """Collects context for error messages and checks one rule at a time."""

    def __init__(self, filename: str):
        self.filename = filename
        self.items: dict[str, Item] = {}
        self.option_lists: dict[str, tuple[Option, ...]] = {}
        self.counters: set[str] = set()
        self.section_ids: set[str] = set()
        self.derived: dict[str, set[str]] = {}

    def fail(self, path: str, msg: str):
        raise InstrumentError(f"{self.filename}: {path}: {msg}")

    def need(self, d, key, path, kind=str):
        if not isinstance(d, dict) or key not in d or d[key] in (None, ""):
            self.fail(path, f"mangler '{key}'")
        if not isinstance(d[key], kind) or (kind is int and isinstance(d[key], bool)):
            self.fail(f"{path}.{key}", f"må være {kind.__name__}")
        return d[key]

    def unknown_keys(self, d, allowed, path):
        extra = sorted(set(d) - allowed)
        if extra:
            self.fail(path, f"ukjent nøkkel '{extra[0]}'")

    def options(self, raw, path) -> tuple[Option, ...]:
        if isinstance(raw, str):
            if raw not in self.option_lists:
                self.fail(path, f"ukjent svarliste '{raw}'")
            return self.option_lists[raw]
        if not isinstance(raw, list) or not raw:
            self.fail(path, "må være navnet på en svarliste eller en ikke-tom liste")
        opts, seen = [], set()
        for i, o in enumerate(raw):
            p = f"{path}[{i}]"
            value = self.need(o, "value", p)
            if value in seen:
                self.fail(f"{p}.value", f"svarverdien '{value}' finnes to ganger")
            seen.add(value)
            opts.append(Option(value, self.need(o, "label", p), **option_extras(self, o, p)))
        return tuple(opts)

    def condition(self, cond, path, *, before: set[str] | None = None):
        """A condition names earlier items (show_if) or any item (rules), with fitting values."""
        if not isinstance(cond, dict) or not cond:
            self.fail(path, "betingelsen må være en ikke-tom mapping")
        if "all" in cond or "any" in cond:
            op = "all" if "all" in cond else "any"
            if len(cond) != 1 or not isinstance(cond[op], list) or not cond[op]:
                self.fail(path, f"'{op}' må stå alene og ha en ikke-tom liste")
            for i, c in enumerate(cond[op]):
                self.condition(c, f"{path}.{op}[{i}]", before=before)
            return
        if "not" in cond:
            if len(cond) != 1:
                self.fail(path, "'not' må stå alene")
            return self.condition(cond["not"], f"{path}.not", before=before)
        if "always" in cond:
            if cond != {"always": True}:
                self.fail(path, "bruk {always: true}")
            return
        if "count" in cond:
            if cond["count"] not in self.counters:
                self.fail(f"{path}.count", f"ukjent teller '{cond['count']}'")
            ops = [k for k in cond if k != "count"]
            if len(ops) != 1 or ops[0] not in COUNT_OPS or not isinstance(cond[ops[0]], int):
                self.fail(path, f"teller trenger én av {', '.join(COUNT_OPS)} med et heltall")
            return
        if "derived" in cond:
            outcomes = self.derived.get(cond["derived"])
            if outcomes is None:
                self.fail(f"{path}.derived", f"ukjent avledet verdi '{cond['derived']}'")
            ops = [k for k in cond if k != "derived"]
            if len(ops) != 1 or ops[0] not in ("eq", "in"):
                self.fail(path, "avledet verdi trenger 'eq' eller 'in'")
            values = cond[ops[0]] if ops[0] == "in" else [cond[ops[0]]]
            for v in values:
                if v not in outcomes:
                    self.fail(f"{path}.{ops[0]}", f"'{v}' er ikke et utfall av '{cond['derived']}'")
            return
        q = cond.get("q")
        if not q:
            self.fail(path, "betingelsen mangler 'q'")
        if q not in self.items or (before is not None and q not in before):
            where = "et tidligere spørsmål" if before is not None else "et spørsmål"
            self.fail(f"{path}.q", f"ukjent spørsmål '{q}' (må være {where})")
        ops = [k for k in cond if k != "q"]
        if len(ops) != 1 or ops[0] not in COMPARE_OPS:
            self.fail(path, f"betingelsen trenger én av {', '.join(COMPARE_OPS)}")
        self._check_op(self.items[q], ops[0], cond[ops[0]], f"{path}.{ops[0]}")

    def _check_op(self, item: Item, op: str, value, path: str):
        if op == "answered":
            if not isinstance(value, bool):
                self.fail(path, "må være true eller false")
            return
        if op == "days_since":
            if item.type != "date":
                self.fail(path, f"'days_since' gjelder bare datoer, ikke typen {item.type}")
            ops = list(value) if isinstance(value, dict) else []
            if len(ops) != 1 or ops[0] not in COUNT_OPS or not isinstance(value[ops[0]], int) \
                    or isinstance(value[ops[0]], bool):
                self.fail(path, f"'days_since' trenger én av {', '.join(COUNT_OPS)} med et "
                                "heltall, for eksempel {lte: 56}")
            return
        if op in ("gt", "gte", "lt", "lte"):
            if item.type not in ("number", "scale", "date") or isinstance(value, bool) \
                    or not isinstance(value, (int, str)):
                self.fail(path, f"'{op}' passer ikke for spørsmål av typen {item.type}")
            return
        if op == "contains" and item.type != "multiple_choice":
            self.fail(path, "'contains' gjelder bare flervalg")
        values = value if op == "in" else [value]
        if op == "in" and not isinstance(value, list):
            self.fail(path, "'in' trenger en liste")
        if item.options:
            allowed = {o.value for o in item.options} | ({DECLINE} if item.decline else set())
            for v in values:
                if v not in allowed:
                    self.fail(path, f"'{v}' er ikke et svaralternativ for '{item.id}'")


def build_item(ck: Checker, raw, path: str, section_id: str, seen_before: set[str]) -> Item:
    if not isinstance(raw, dict):
        ck.fail(path, "et spørsmål må være en mapping")
    ck.unknown_keys(raw, ITEM_KEYS, path)
    item_id = ck.need(raw, "id", path)
    if not ID_RE.match(item_id):
        ck.fail(f"{path}.id", f"'{item_id}' er ikke en gyldig id (små bokstaver, tall, _)")
    if item_id in ck.items:
        ck.fail(f"{path}.id", f"id '{item_id}' er brukt før")
    path = f"{path} ({item_id})"
    itype = ck.need(raw, "type", path)
    if itype not in ITEM_TYPES:
        ck.fail(f"{path}.type", f"ukjent type '{itype}' (tillatt: {', '.join(ITEM_TYPES)})")
    label = ck.need(raw, "label", path)
    options: tuple[Option, ...] = ()
    if itype in ("single_choice", "multiple_choice"):
        if "options" not in raw:
            ck.fail(path, "valgspørsmål mangler 'options'")
        options = ck.options(raw["options"], f"{path}.options")
    elif itype == "yes_no":
        options = tuple(Option(v, lbl) for v, lbl in YES_NO)
    elif "options" in raw:
        ck.fail(f"{path}.options", f"'options' passer ikke for typen {itype}")
    lo, hi = raw.get("min"), raw.get("max")
    if itype == "scale":
        lo, hi = (1 if lo is None else lo), (7 if hi is None else hi)
    for k, v in (("min", lo), ("max", hi)):
        if v is not None and (not isinstance(v, int) or isinstance(v, bool)):
            ck.fail(f"{path}.{k}", "må være et heltall")
    if lo is not None and hi is not None and lo >= hi:
        ck.fail(path, "'min' må være mindre enn 'max'")
    anchors = raw.get("anchors") or {}
    if anchors and itype != "scale":
        ck.fail(f"{path}.anchors", "'anchors' gjelder bare skala")
    for k in anchors:
        if not isinstance(k, int) or not lo <= k <= hi:
            ck.fail(f"{path}.anchors", f"ankeret {k!r} ligger utenfor skalaen {lo}–{hi}")
    if raw.get("decline") and itype not in ("scale", "yes_no", "single_choice"):
        ck.fail(f"{path}.decline", f"'decline' passer ikke for typen {itype}")
    if raw.get("sensitive") and not raw.get("decline"):  # «Vil ikke svare» on every one
        ck.fail(f"{path}.sensitive", "et sensitivt spørsmål må ha 'decline: true'")
    if raw.get("area") and raw["area"] not in AREAS:
        ck.fail(f"{path}.area", f"ukjent levekårsområde '{raw['area']}'")
    if raw.get("topic") and raw["topic"] not in TOPICS:
        ck.fail(f"{path}.topic", f"ukjent tema '{raw['topic']}'")
    if "prefill" in raw and raw["prefill"] not in PREFILL:
        ck.fail(f"{path}.prefill", f"ukjent forhåndsutfylling '{raw['prefill']}' "
                                   f"(tillatt: {', '.join(PREFILL)})")
    item = Item(
        id=item_id, type=itype, label=label, section_id=section_id, short=raw.get("short"),
        help=raw.get("help"),
        options=options, required=bool(raw.get("required")), show_if=raw.get("show_if"),
        comment=bool(raw.get("comment")), min=lo, max=hi,
        anchors=tuple(sorted(anchors.items())), decline=bool(raw.get("decline")),
        area=raw.get("area"), topic=raw.get("topic"), tiltak=raw.get("tiltak"),
        max_length=raw.get("max_length", DEFAULT_MAX_LENGTH.get(itype)),
        prefill=raw.get("prefill"), sensitive=bool(raw.get("sensitive")))
    item = replace(item, **item_extras(ck, raw, path, item))
    if item.show_if is not None:
        ck.condition(item.show_if, f"{path}.show_if", before=seen_before)
    return item


def check_rules(ck: Checker, data: dict):
    for i, c in enumerate(data.get("counters") or []):
        p = f"counters[{i}]"
        cid = ck.need(c, "id", p)
        for j, src in enumerate(c.get("from") or ck.fail(p, "mangler 'from'")):
            sp = f"{p}.from[{j}]"
            if src.get("each_selected"):
                q = src.get("q")
                if q not in ck.items or ck.items[q].type != "multiple_choice":
                    ck.fail(f"{sp}.q", "'each_selected' trenger et flervalgsspørsmål")
                for v in src.get("exclude") or []:
                    ck._check_op(ck.items[q], "eq", v, f"{sp}.exclude")
            else:
                ck.need(src, "name", sp)
                ck.condition({k: v for k, v in src.items() if k != "name"}, sp)
        ck.counters.add(cid)
    for i, d in enumerate(data.get("derived") or []):
        p = f"derived[{i}]"
        did = ck.need(d, "id", p)
        ck.need(d, "title", p)
        outcomes = d.get("outcomes") or ck.fail(p, "mangler 'outcomes'")
        ids = set()
        for j, o in enumerate(outcomes):
            op = f"{p}.outcomes[{j}]"
            ids.add(ck.need(o, "id", op))
            ck.need(o, "text", op)
            if "q" in o and o["q"] not in ck.items:
                ck.fail(f"{op}.q", f"ukjent spørsmål '{o['q']}'")
        ck.derived[did] = ids   # before the conditions: a reason may name its own outcome
        for j, o in enumerate(outcomes):
            op = f"{p}.outcomes[{j}]"
            ck.condition(o.get("when") or ck.fail(op, "mangler 'when'"), f"{op}.when")
        _check_legal_basis(ck, d.get("legal_basis"), f"{p}.legal_basis")
        _check_reminder(ck, d.get("reminder"), ids, f"{p}.reminder")
        for j, r in enumerate(d.get("reasons") or []):
            rp = f"{p}.reasons[{j}]"
            ck.need(r, "text", rp)
            if "count" in r and r["count"] not in ck.counters:
                ck.fail(f"{rp}.count", f"ukjent teller '{r['count']}'")
            if "q" in r and r["q"] not in ck.items:
                ck.fail(f"{rp}.q", f"ukjent spørsmål '{r['q']}'")
            if "when" in r:
                ck.condition(r["when"], f"{rp}.when")
        place = d.get("place") or {}
        if place:
            sec, before = place.get("section"), place.get("before")
            if sec not in ck.section_ids:
                ck.fail(f"{p}.place.section", f"ukjent del '{sec}'")
            if before is not None and (before not in ck.items
                                       or ck.items[before].section_id != sec):
                ck.fail(f"{p}.place.before", f"'{before}' er ikke et spørsmål i delen '{sec}'")
        for k, q in (d.get("record") or {}).items():
            if k not in ("decision", "answer") or q not in ck.items:
                ck.fail(f"{p}.record.{k}", f"ukjent felt eller spørsmål '{q}'")
    for i, s in enumerate(data.get("scores") or []):
        p = f"scores[{i}]"
        if isinstance(s, dict) and "sum_of" in s:
            check_sum_score(ck, s, p)
            continue
        ck.need(s, "id", p)
        ck.need(s, "label", p)
        mean_of = s.get("mean_of") or ck.fail(p, "mangler 'mean_of'")
        for q in mean_of:
            if q not in ck.items or ck.items[q].type != "scale":
                ck.fail(f"{p}.mean_of", f"'{q}' er ikke et skalaspørsmål")
        if "min_answered" in s:
            m = s["min_answered"]
            if not isinstance(m, int) or isinstance(m, bool) or not 1 <= m <= len(mean_of):
                ck.fail(f"{p}.min_answered", f"må være et heltall fra 1 til {len(mean_of)}")
        if "count_label" in s:
            try:
                ck.need(s, "count_label", p).format(answered=1, total=1)
            except (KeyError, IndexError, ValueError):
                ck.fail(f"{p}.count_label", "kan bare bruke {answered} og {total}")
    for i, c in enumerate(data.get("checks") or []):
        p = f"checks[{i}]"
        ck.need(c, "id", p)
        ck.need(c, "message", p)
        ck.unknown_keys(c, {"id", "field", "message", "when", "on_item"}, p)
        if not isinstance(c.get("on_item", False), bool):
            ck.fail(f"{p}.on_item", "må være true eller false")
        if ck.need(c, "field", p) not in ck.items:
            ck.fail(f"{p}.field", f"ukjent spørsmål '{c['field']}'")
        ck.condition(c.get("when") or ck.fail(p, "mangler 'when'"), f"{p}.when")


def _check_legal_basis(ck: Checker, basis, path: str):
    """A string, or a list of `{text, when}` parts (a part shows only when its `when` holds)."""
    if basis is None or isinstance(basis, str):
        return
    if not isinstance(basis, list) or not basis:
        ck.fail(path, "må være en tekst eller en ikke-tom liste av {text, when}")
    for i, part in enumerate(basis):
        ck.need(part, "text", f"{path}[{i}]")
        ck.unknown_keys(part, {"text", "when"}, f"{path}[{i}]")
        if "when" in part:
            ck.condition(part["when"], f"{path}[{i}].when")


def _check_reminder(ck: Checker, reminder, outcome_ids: set[str], path: str):
    """`{outcomes: [...], unless: koordinator, text: ...}`: a reminder shown beside the form.
    `text` is a text, or a list of `{text, when}` where the first that holds is shown (none:
    no reminder), so the reminder can say what is still missing after part of it is done."""
    if reminder is None:
        return
    if not isinstance(reminder, dict):
        ck.fail(path, "må være en mapping med outcomes, unless og text")
    ck.unknown_keys(reminder, {"outcomes", "unless", "text"}, path)
    text = ck.need(reminder, "text", path, kind=object)
    if not isinstance(text, str):
        if not isinstance(text, list) or not text:
            ck.fail(f"{path}.text", "må være en tekst eller en ikke-tom liste av {text, when}")
        for i, part in enumerate(text):
            ck.need(part, "text", f"{path}.text[{i}]")
            ck.unknown_keys(part, {"text", "when"}, f"{path}.text[{i}]")
            if "when" in part:
                ck.condition(part["when"], f"{path}.text[{i}].when")
    outcomes = reminder.get("outcomes")
    if not isinstance(outcomes, list) or not outcomes:
        ck.fail(f"{path}.outcomes", "må være en ikke-tom liste av utfall")
    for v in outcomes:
        if v not in outcome_ids:
            ck.fail(f"{path}.outcomes", f"'{v}' er ikke et utfall av denne avledede verdien")
    if reminder.get("unless") not in REMINDER_UNLESS:
        ck.fail(f"{path}.unless", f"må være en av: {', '.join(REMINDER_UNLESS)}")
