"""FHIR R4 Questionnaire -> instrument data (a dict for yaml.safe_dump). Pure.

The reverse of questionnaire.py. What the app cannot represent is refused with the item
named (NotRepresentable); the result must still pass domain/instruments.py: load_file,
which checks everything else (ids, conditions, options, rules).
"""
from __future__ import annotations

import json
import re

from ..domain.instrument_checks import ID_RE
from ..domain.instrument_types import DECLINE, Item, Option
from .codes import (
    CALCULATED,
    COMMENT_SUFFIX,
    ITEM_CONTROL,
    ITEM_WEIGHT,
    MAX_VALUE,
    MIN_VALUE,
    ORDINAL_VALUE,
    SHORT_TEXT,
    ValueProblem,
    decode,
    own_name,
    value_of,
)
from .conditions import ConditionProblem, Unrepresentable, from_enable_when, to_enable_when
from .questionnaire import RULE_KEYS
from .totals import TotalProblem, read_total

KEY_RE = re.compile(r"^[a-z][a-z0-9-]*$")
TYPES = {"string": "text", "text": "long_text", "boolean": "yes_no", "integer": "number",
         "date": "date"}
REFUSED_TYPES = {"decimal": "desimaltall", "dateTime": "dato med klokkeslett",
                 "time": "klokkeslett", "url": "nettadresse", "attachment": "vedlegg",
                 "reference": "referanse", "quantity": "mengde med enhet",
                 "open-choice": "valg med fritekst (open-choice)"}
# Elements the app has no place for: refused rather than silently dropped.
REFUSED_ELEMENTS = {"answerValueSet": "svar fra ValueSet", "definition": "definition"}
# SDC expressions would need a FHIRPath engine: refused, never evaluated. A calculatedExpression
# on a read-only total is read when it is a sum of ordinal values (totals.py), else refused.
REFUSED_EXTENSIONS = ("enableWhenExpression", "initialExpression",
                      "answerExpression", "candidateExpression")


class NotRepresentable(ValueError):
    """The Questionnaire holds something an instrument file cannot say; names the item."""


def _fail(where: str, msg: str):
    raise NotRepresentable(f"{where}: {msg}")


def from_questionnaire(q: dict, *, key: str | None = None,
                       version: int | None = None) -> dict:
    try:
        return _from_questionnaire(q, key, version)
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as e:
        if isinstance(e, NotRepresentable):
            raise
        raise NotRepresentable(
            "(rot): filen har en struktur som ikke er en gyldig FHIR Questionnaire "
            f"({type(e).__name__})") from e


def _from_questionnaire(q, key, version) -> dict:
    if not isinstance(q, dict) or q.get("resourceType") != "Questionnaire":
        _fail("(rot)", "filen er ikke en FHIR Questionnaire (resourceType)")
    key = key or _key_from_url(q.get("url"))
    if not key or not KEY_RE.match(key):
        _fail("(rot)", f"kan ikke bruke «{key}» som skjemanøkkel: oppgi --key "
                       "(små bokstaver, tall og bindestrek)")
    if version is None:
        raw = q.get("version")
        if not (isinstance(raw, str) and raw.isdigit() and int(raw) > 0):
            _fail("(rot)", f"versjonen «{raw}» er ikke et positivt heltall: oppgi --version")
        version = int(raw)
    title = q.get("title") or q.get("name")
    if not title:
        _fail("(rot)", "mangler title")
    data = {"key": key, "version": version, "title": title}
    if q.get("description"):
        data["description"] = q["description"]
    if q.get("code"):
        data["code"] = _codings(q["code"], "(rot): Questionnaire.code")
    if isinstance(q.get("url"), str) and q["url"] and not _app_made(q):
        # kept so answers exported for this form name the sender's own form
        data["canonical"] = q["url"] + (f"|{q['version']}" if q.get("version") else "")
    for ext in q.get("extension") or []:
        if own_name(ext.get("url", "")) == "rules":
            try:
                rules = json.loads(ext.get("valueString") or "")
            except json.JSONDecodeError as e:
                _fail("extension kartlegging-regler", f"ugyldig JSON: {e.msg}")
            if not isinstance(rules, dict) or set(rules) - set(RULE_KEYS):
                _fail("extension kartlegging-regler", "ukjent innhold")
            data.update({k: rules[k] for k in RULE_KEYS if rules.get(k)})
        elif own_name(ext.get("url", "")) == "source":
            data["source"] = _source(ext)
        elif own_name(ext.get("url", "")) == "self_report":
            if not isinstance(ext.get("valueBoolean"), bool):
                _fail("extension kartlegging-selvrapport", "valueBoolean må være true eller false")
            data["self_report"] = ext["valueBoolean"]
        elif own_name(ext.get("url", "")) == "sensitive_notice":
            data["sensitive_notice"] = ext.get("valueString")
    reader = _Reader()
    sections = []
    for top in q.get("item") or _fail("(rot)", "Questionnaire har ingen item"):
        sections += reader.section(top)
    data["sections"] = sections
    own_scores = {s.get("id") for s in data.get("scores") or ()}
    totals = [t for t in reader.totals if t["id"] not in own_scores]
    if totals:   # read-only totals of another tool: the form's own sum scores
        data["scores"] = list(data.get("scores") or ()) + totals
    for k in RULE_KEYS:   # rules after sections, as the file format reads best
        if k in data:
            data[k] = data.pop(k)
    return data


def _codings(raw, where: str) -> list[dict]:
    """Codings kept exactly: system, code and display."""
    if not isinstance(raw, list):
        _fail(where, "code må være en liste av Coding")
    out = []
    for i, c in enumerate(raw):
        if not isinstance(c, dict) or not isinstance(c.get("system"), str) \
                or not isinstance(c.get("code"), str) or not c["system"] or not c["code"]:
            _fail(where, f"code[{i}] må ha både system og code")
        out.append({k: c[k] for k in ("system", "code", "display") if isinstance(c.get(k), str)})
    return out


def _source(ext: dict) -> dict:
    try:
        src = json.loads(ext.get("valueString") or "")
    except json.JSONDecodeError as e:
        _fail("extension kartlegging-kilde", f"ugyldig JSON: {e.msg}")
    if not isinstance(src, dict) or set(src) != {"text", "reference"}:
        _fail("extension kartlegging-kilde", "må ha text og reference")
    return src


def _app_made(q: dict) -> bool:
    """A Questionnaire this app exported (id '<key>-v<n>', url '…/Questionnaire/<key>'): its
    forms are the app's own, so their answers name the imported version, not the old one."""
    key = _key_from_url(q.get("url"))
    return bool(key) and q.get("id") == f"{key}-v{q.get('version')}" \
        and q["url"].rstrip("/").endswith(f"/Questionnaire/{key}")


def _key_from_url(url) -> str | None:
    if not isinstance(url, str) or "/" not in url:
        return None
    return url.rstrip("/").rsplit("/", 1)[-1]


def _own(el: dict) -> dict:
    return {own_name(e.get("url", "")): e for e in el.get("extension") or []
            if own_name(e.get("url", ""))}


def _ext_value(el: dict, url: str):
    for e in el.get("extension") or []:
        if e.get("url") == url:
            return next((v for k, v in e.items() if k.startswith("value")), None)
    return None


def _is_help(el: dict) -> bool:
    if el.get("type") != "display":
        return False
    concept = _ext_value(el, ITEM_CONTROL) or {}
    return any(c.get("code") == "help" for c in concept.get("coding") or [])


class _Reader:
    def __init__(self):
        self.items: dict[str, Item] = {}   # what conditions can name, in order
        self.totals: list[dict] = []       # read-only calculated totals, read as sums

    def where(self, el) -> str:
        return f"item «{el.get('linkId')}»" if isinstance(el, dict) else "item"

    def _common(self, el: dict, kind: str):
        where = self.where(el)
        link_id = el.get("linkId")
        if not isinstance(link_id, str) or not ID_RE.match(link_id):
            _fail(where, f"linkId «{link_id}» kan ikke brukes som id i et skjema (bare små "
                         "bokstaver a–z, tall og _, og første tegn en bokstav)")
        if el.get("repeats") and kind != "choice":
            _fail(where, "repeats: gjentatte grupper eller spørsmål støttes ikke")
        for name, what in REFUSED_ELEMENTS.items():
            if el.get(name) not in (None, [], False):
                _fail(where, f"{name}: {what} støttes ikke")
        if kind == "group" and el.get("code"):
            _fail(where, "code: koder på grupper støttes ikke (bare på spørsmål og skjemaet)")
        if el.get("readOnly") and not _ext_value(el, CALCULATED):
            _fail(where, "readOnly: skrivebeskyttede spørsmål støttes bare som en beregnet sum "
                         "(calculatedExpression)")
        for ext in el.get("extension") or []:
            url = ext.get("url", "") if isinstance(ext, dict) else ""
            if url.endswith(REFUSED_EXTENSIONS):
                _fail(where, f"uttrykk ({url.rsplit('-', 1)[-1]}) støttes ikke: bruk enableWhen")
        return where, link_id

    def condition(self, el: dict, where: str):
        """The exact condition from our extension when it says the same as enableWhen
        (a form builder may have changed enableWhen since), else enableWhen read."""
        ews, behavior = el.get("enableWhen"), el.get("enableBehavior")
        exact = _exact_condition(el)
        if exact is not None and _same(_mine(exact, self.items), (ews, behavior)):
            return exact
        if not ews:
            return None
        try:
            return from_enable_when(ews, behavior, self.items)
        except ConditionProblem as e:
            _fail(where, str(e))

    def section(self, el, parent: dict | None = None) -> list[dict]:
        """The group as a section, then its groups as sub-sections (`parent`), one level."""
        if not isinstance(el, dict) or el.get("type") != "group":
            _fail(self.where(el), "på øverste nivå må alt ligge i grupper (type group), "
                                  "én gruppe per del av skjemaet")
        where, link_id = self._common(el, "group")
        if not el.get("text"):
            _fail(where, "text: gruppen mangler text (delens tittel)")
        s = {"id": link_id, "title": el["text"]}
        own = _own(el)
        if "tiltak" in own:
            s["tiltak"] = own["tiltak"].get("valueInteger")
        if "embed" in own:
            s["embed"] = own["embed"].get("valueCode")
        cond = _within(parent, self.condition(el, where))
        if cond is not None:
            s["show_if"] = cond
        if parent is not None:
            s["parent"] = parent["id"]
        children = list(el.get("item") or [])
        if children and _is_help(children[0]):
            s["help"] = children.pop(0).get("text")
        items, subsections = [], []
        for child in children:
            if isinstance(child, dict) and child.get("type") == "group":
                if parent is not None:
                    _fail(self.where(child), "grupper i mer enn to nivåer støttes ikke (en "
                                             "gruppe i en gruppe i en gruppe)")
                subsections.append(child)
                continue
            if subsections:
                _fail(self.where(child), f"en gruppe inne i gruppen «{link_id}» må komme etter "
                                         "gruppens spørsmål (skjemaet viser den som en egen del "
                                         "etter dem)")
            if isinstance(child, dict) and items and child.get("linkId") == \
                    f"{items[-1]['id']}{COMMENT_SUFFIX}" and child.get("type") == "text":
                items[-1]["comment"] = True
                continue
            if isinstance(child, dict) and _ext_value(child, CALCULATED) is not None:
                self._common(child, "total")
                try:
                    self.totals.append(read_total(child, self.items, link_id,
                                                  self.where(child)))
                except TotalProblem as e:
                    raise NotRepresentable(str(e)) from e
                continue
            items.append(self.item(child))
        if not items:
            _fail(where, "gruppen har ingen spørsmål")
        s["items"] = items
        return [s] + [sub for g in subsections for sub in self.section(g, parent=s)]

    def item(self, el) -> dict:
        if not isinstance(el, dict):
            _fail("item", "må være et objekt")
        ftype = el.get("type")
        if ftype == "group":
            _fail(self.where(el), "grupper inne i grupper støttes ikke")
        if ftype == "display":
            return self._display(el)
        if ftype in REFUSED_TYPES:
            _fail(self.where(el), f"type {ftype}: typen {REFUSED_TYPES[ftype]} støttes ikke")
        if ftype not in TYPES and ftype != "choice":
            _fail(self.where(el), f"type: ukjent type «{ftype}»")
        where, link_id = self._common(el, ftype)
        if not el.get("text"):
            _fail(where, "text: spørsmålet mangler text")
        out = {"id": link_id, "type": TYPES.get(ftype), "label": el["text"]}
        if el.get("prefix"):
            if not isinstance(el["prefix"], str):
                _fail(where, "prefix må være tekst")
            out["prefix"] = el["prefix"]
        if el.get("code"):
            out["code"] = _codings(el["code"], f"{where}: code")
        own = _own(el)
        if ftype == "choice":
            self._choice(el, out, own, where)
        elif el.get("answerOption"):
            _fail(where, f"answerOption passer ikke for typen {ftype}")
        short = _ext_value(el, SHORT_TEXT)
        if short:
            out["short"] = short
        children = list(el.get("item") or [])
        if children and _is_help(children[0]):
            out["help"] = children.pop(0).get("text")
        if children:
            _fail(where, "item: spørsmål med underspørsmål støttes ikke")
        if el.get("required"):
            out["required"] = True
        cond = self.condition(el, where)
        if cond is not None:
            out["show_if"] = cond
        if out["type"] == "number":
            for key, url in (("min", MIN_VALUE), ("max", MAX_VALUE)):
                v = _ext_value(el, url)
                if v is not None:
                    out[key] = v
        if out["type"] in ("text", "long_text") and el.get("maxLength") is not None:
            out["max_length"] = el["maxLength"]
        elif el.get("maxLength") is not None:
            _fail(where, "maxLength gjelder bare teksttyper")
        for name in ("area", "topic", "prefill"):
            if name in own:
                out[name] = own[name].get("valueCode")
        if "tiltak" in own:
            out["tiltak"] = own["tiltak"].get("valueInteger")
        if "sensitive" in own:
            out["sensitive"] = own["sensitive"].get("valueBoolean") is True
        self.items[link_id] = _as_item(out)
        if el.get("initial"):
            out["initial"] = _initial(el, self.items[link_id], where)
        return out

    def _display(self, el: dict) -> dict:
        """A display item among the questions (not a help text): a text shown in its place."""
        where, link_id = self._common(el, "display")
        if not el.get("text"):
            _fail(where, "text: visningsteksten mangler tekst")
        for name in ("required", "answerOption", "initial", "item", "maxLength"):
            if el.get(name):
                _fail(where, f"{name}: passer ikke for en visningstekst (type display)")
        out = {"id": link_id, "type": "display", "label": el["text"]}
        if el.get("prefix"):
            out["prefix"] = el["prefix"]
        if el.get("code"):
            out["code"] = _codings(el["code"], f"{where}: code")
        cond = self.condition(el, where)
        if cond is not None:
            out["show_if"] = cond
        self.items[link_id] = _as_item(out)
        return out

    def _choice(self, el, out, own, where):
        options = el.get("answerOption") or _fail(where, "answerOption: valgspørsmålet mangler "
                                                         "answerOption")
        parsed, systems = [], []
        for i, opt in enumerate(options):
            coding = opt.get("valueCoding") if isinstance(opt, dict) else None
            if isinstance(opt, dict) and isinstance(opt.get("valueString"), str):
                coding = {"code": opt["valueString"], "display": opt["valueString"]}
            if not isinstance(coding, dict) or not isinstance(coding.get("code"), str):
                _fail(where, f"answerOption[{i}] må ha valueCoding med code eller valueString")
            if opt.get("initialSelected"):
                _fail(where, f"answerOption[{i}].initialSelected: forhåndsvalgte svar støttes "
                             "ikke (bruk initial)")
            parsed.append((coding["code"], coding.get("display") or coding["code"],
                           _ordinal(opt, coding, f"{where}: answerOption[{i}]")))
            systems.append(coding.get("system"))
        decline = len(parsed) > 1 and parsed[-1][0] == DECLINE and not el.get("repeats")
        if decline:
            parsed.pop()
        ordinals = [o for _, _, o in parsed]
        if not el.get("repeats") and all(isinstance(o, (int, float)) and o == int(o)
                                         for o in ordinals) and \
                [c for c, _, _ in parsed] == [str(int(o)) for o in ordinals] and \
                [int(o) for o in ordinals] == list(range(int(ordinals[0]),
                                                         int(ordinals[0]) + len(ordinals))):
            out["type"] = "scale"
            out["min"], out["max"] = int(ordinals[0]), int(ordinals[-1])
            anchors = {int(c): d for c, d, _ in parsed if d != c}
            if anchors:
                out["anchors"] = anchors
        elif "item_type" in own and own["item_type"].get("valueCode") == "yes_no" and \
                [c for c, _, _ in parsed] == ["ja", "nei"]:
            out["type"] = "yes_no"
        else:
            out["type"] = "multiple_choice" if el.get("repeats") else "single_choice"
            out["options"] = [_option(c, d, o, sys, el["linkId"])
                              for (c, d, o), sys in zip(parsed, systems)]
        if decline:
            out["decline"] = True


def _within(parent: dict | None, cond: dict | None) -> dict | None:
    """A sub-section is hidden with its parent: the parent's condition, then its own."""
    outer = (parent or {}).get("show_if")
    if outer is None:
        return cond
    return outer if cond is None else {"all": [outer, cond]}


def _exact_condition(el: dict):
    own = _own(el).get("condition")
    if own is None:
        return None
    try:
        cond = json.loads(own.get("valueString") or "")
    except json.JSONDecodeError:
        return None
    return cond if isinstance(cond, dict) else None


def _mine(cond: dict, items) -> tuple[list, str | None]:
    """What enableWhen our exporter writes for `cond` ([] when it cannot)."""
    try:
        return to_enable_when(cond, items, lambda item: None)
    except (Unrepresentable, KeyError, TypeError, ValueError):
        return [], None


def _same(mine: tuple, theirs: tuple) -> bool:
    """Same enableWhen, comparing codes only (code systems depend on the base URL)."""
    def norm(ews, behavior):
        out = []
        for ew in ews or []:
            ew = dict(ew)
            if isinstance(ew.get("answerCoding"), dict):
                ew["answerCoding"] = ew["answerCoding"].get("code")
            out.append(ew)
        return out, (behavior if len(out) > 1 else None)
    return norm(*mine) == norm(*theirs)


def _as_item(raw: dict) -> Item:
    """Just enough of an Item for later enableWhen to be read against it."""
    options = tuple(Option(o["value"], o["label"], o.get("weight"))
                    for o in raw.get("options") or ())
    if raw["type"] == "yes_no":
        options = (Option("ja", "Ja"), Option("nei", "Nei"))
    return Item(id=raw["id"], type=raw["type"], label=raw["label"], section_id="",
                options=options, decline=bool(raw.get("decline")), min=raw.get("min"),
                max=raw.get("max"), max_length=raw.get("max_length"),
                anchors=tuple(sorted((raw.get("anchors") or {}).items())))


def _ordinal(opt: dict, coding: dict, where: str):
    """An option's weight: ordinalValue (R4) or itemWeight (R5), on the option or its coding;
    a whole number (the sum scores add integers)."""
    value = next((v for v in (_ext_value(opt, ORDINAL_VALUE), _ext_value(coding, ORDINAL_VALUE),
                              _ext_value(opt, ITEM_WEIGHT), _ext_value(coding, ITEM_WEIGHT))
                  if v is not None), None)
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                              or value != int(value)):
        _fail(where, f"ordinalValue «{value}» er ikke et heltall; bare hele vekter støttes")
    return value


def _option(code: str, display: str, ordinal, system, link_id: str) -> dict:
    out = {"value": code, "label": display}
    if ordinal is not None:
        out["weight"] = int(ordinal)
    # another system than the app's own for this item (…/CodeSystem/<key>/<linkId>) is kept
    if isinstance(system, str) and system and not (
            "/CodeSystem/" in system and system.endswith(f"/{link_id}")):
        out["system"] = system
    return out


def _initial(el: dict, item: Item, where: str):
    """`initial` as the stored answer a new draft starts with (several for a repeating item)."""
    initial = el["initial"]
    if not isinstance(initial, list) or (len(initial) > 1 and not el.get("repeats")):
        _fail(where, "initial: må være en liste med ett svar (flere bare når repeats er true)")
    values = []
    for i, entry in enumerate(initial):
        found = value_of(entry, "value") if isinstance(entry, dict) else None
        if found is None:
            _fail(where, f"initial[{i}]: mangler value[x]")
        try:
            values.append(decode(item, *found))
        except ValueProblem as e:
            _fail(where, f"initial[{i}]: {e}")
    return values if el.get("repeats") else values[0]
