"""Instrument -> FHIR R4 Questionnaire (plain dict). Pure.

Sections become `group` items, items keep their id as linkId; choices carry answerOptions
with codes and labels; a 1–7 scale is a choice whose options carry ordinalValue and the
anchor words as display; help texts are `display` children with itemControl 'help';
a comment field is the text item `<id>__kommentar` right after its item. Rules (counters,
derived prompts, scores, checks) travel as JSON in the extension kartlegging-regler.
"""
from __future__ import annotations

import json
import re

from ..domain.instrument_types import DECLINE, DECLINE_LABEL, Instrument, Item, Section
from .codes import (
    CALCULATED,
    COMMENT_MAX_LENGTH,
    COMMENT_SUFFIX,
    COMMENT_TEXT,
    HELP_SUFFIX,
    ITEM_CONTROL,
    ITEM_CONTROL_SYSTEM,
    MAX_VALUE,
    MIN_VALUE,
    ORDINAL_VALUE,
    SHORT_TEXT,
    answer_system,
    encode,
    fhir_type,
    own_url,
    questionnaire_url,
)
from .conditions import Unrepresentable, from_enable_when, to_enable_when

RULE_KEYS = ("counters", "derived", "scores", "checks")


def canonical(inst: Instrument, base: str) -> str:
    """'url|version', as QuestionnaireResponse.questionnaire names it: for a form imported
    from elsewhere the source's own, so the sender can match the answers to its form."""
    if inst.canonical:
        return inst.canonical
    return f"{questionnaire_url(base, inst.key)}|{inst.version}"


def _url_version(inst: Instrument, base: str) -> tuple[str, str]:
    url, _, version = canonical(inst, base).partition("|")
    return url, version


def to_questionnaire(inst: Instrument, base: str) -> dict:
    url, version = _url_version(inst, base)
    q = {"resourceType": "Questionnaire", "id": f"{inst.key}-v{inst.version}",
         "url": url, "name": _name(inst), "title": inst.title, "status": "active",
         "subjectType": ["Patient"], "language": "nb-NO"}
    if version:
        q["version"] = version
    if inst.description:
        q["description"] = inst.description
    if inst.codes:
        q["code"] = [dict(c) for c in inst.codes]
    rules = {k: list(getattr(inst, k)) for k in RULE_KEYS if getattr(inst, k)}
    if rules:
        q["extension"] = [{"url": own_url(base, "rules"), "valueString": json.dumps(
            rules, ensure_ascii=False, sort_keys=True)}]
    if inst.source:
        q.setdefault("extension", []).append({"url": own_url(base, "source"), "valueString":
                                              json.dumps(inst.source, ensure_ascii=False)})
    if inst.self_report:
        q.setdefault("extension", []).append({"url": own_url(base, "self_report"),
                                              "valueBoolean": True})
    if inst.sensitive_notice:
        q.setdefault("extension", []).append({"url": own_url(base, "sensitive_notice"),
                                              "valueString": inst.sensitive_notice})
    ctx = _Context(inst, base)
    q["item"] = [ctx.section(s) for s in inst.sections if not s.parent]
    return q


def _name(inst: Instrument) -> str:
    words = re.split(r"[^A-Za-z0-9]+", inst.key)
    return "".join(w[:1].upper() + w[1:] for w in words if w) + f"V{inst.version}"


def _help(link_id: str, text: str) -> dict:
    return {"linkId": f"{link_id}{HELP_SUFFIX}", "type": "display", "text": text,
            "extension": [{"url": ITEM_CONTROL, "valueCodeableConcept": {"coding": [
                {"system": ITEM_CONTROL_SYSTEM, "code": "help", "display": "Help-Button"}]}}]}


class _Context:
    def __init__(self, inst: Instrument, base: str):
        self.inst, self.base = inst, base

    def system(self, item: Item) -> str:
        return answer_system(self.base, self.inst.key, item.id)

    def condition(self, target: dict, cond: dict | None) -> None:
        """enableWhen (+ enableBehavior) on `target`; the exact condition in our extension
        when enableWhen alone would not give it back."""
        if cond is None:
            return
        try:
            ews, behavior = to_enable_when(cond, self.inst.items, self.system)
        except Unrepresentable:
            ews, behavior = [], None
        if ews:
            target["enableWhen"] = ews
            if behavior:
                target["enableBehavior"] = behavior
        if not ews or from_enable_when(ews, behavior, self.inst.items) != cond:
            target.setdefault("extension", []).append(
                {"url": own_url(self.base, "condition"),
                 "valueString": json.dumps(cond, ensure_ascii=False, sort_keys=True)})

    def section(self, s: Section) -> dict:
        g = {"linkId": s.id, "type": "group", "text": s.title}
        ext = []
        if s.tiltak is not None:
            ext.append({"url": own_url(self.base, "tiltak"), "valueInteger": s.tiltak})
        if s.embed:
            ext.append({"url": own_url(self.base, "embed"), "valueCode": s.embed})
        if ext:
            g["extension"] = ext
        self.condition(g, _own_condition(self.inst, s))
        g["item"] = ([_help(s.id, s.help)] if s.help else [])
        for item in s.items:
            g["item"].append(self.item(item))
            if item.comment:
                g["item"].append(self.comment(item))
        g["item"] += [self.total(spec) for spec in self.inst.sum_scores
                      if _score_section(self.inst, spec) == s.id]
        # a sub-section is a group inside its parent's group, after the parent's questions
        g["item"] += [self.section(sub) for sub in self.inst.sections if sub.parent == s.id]
        return g

    def total(self, spec: dict) -> dict:
        """A sum score as SDC writes one: a read-only integer item whose calculatedExpression
        adds the ordinal values of the summed answers (the import reads this form back)."""
        out = {"linkId": spec["id"], "text": spec["label"], "type": "integer",
               "readOnly": True, "extension": [{"url": CALCULATED, "valueExpression": {
                   "language": "text/fhirpath", "expression": sum_expression(spec["sum_of"])}}]}
        if spec.get("code"):
            codes = spec["code"] if isinstance(spec["code"], list) else [spec["code"]]
            out["code"] = [dict(c) for c in codes]
        return out

    def item(self, item: Item) -> dict:
        out = {"linkId": item.id, "text": item.label, "type": fhir_type(item)}
        if item.codes:
            out["code"] = [dict(c) for c in item.codes]
        if item.prefix:
            out["prefix"] = item.prefix
        ext = []
        if item.short:
            ext.append({"url": SHORT_TEXT, "valueString": item.short})
        if item.type == "number":
            if item.min is not None:
                ext.append({"url": MIN_VALUE, "valueInteger": item.min})
            if item.max is not None:
                ext.append({"url": MAX_VALUE, "valueInteger": item.max})
        if item.type == "yes_no" and item.decline:
            ext.append({"url": own_url(self.base, "item_type"), "valueCode": "yes_no"})
        for name in ("area", "topic", "prefill"):
            if getattr(item, name):
                ext.append({"url": own_url(self.base, name), "valueCode": getattr(item, name)})
        if item.tiltak is not None:
            ext.append({"url": own_url(self.base, "tiltak"), "valueInteger": item.tiltak})
        if item.sensitive:
            ext.append({"url": own_url(self.base, "sensitive"), "valueBoolean": True})
        if ext:
            out["extension"] = ext
        self.condition(out, item.show_if)
        if item.required:
            out["required"] = True
        if item.type == "multiple_choice":
            out["repeats"] = True
        if item.type in ("text", "long_text") and item.max_length:
            out["maxLength"] = item.max_length
        options = self.options(item)
        if options:
            out["answerOption"] = options
        if item.initial is not None:
            values = item.initial if isinstance(item.initial, list) else [item.initial]
            out["initial"] = [{f"value{k}": v} for k, v in
                              (encode(item, x, self.system(item)) for x in values)]
        if item.help:
            out["item"] = [_help(item.id, item.help)]
        return out

    def options(self, item: Item) -> list[dict]:
        if fhir_type(item) != "choice":
            return []
        system = self.system(item)
        if item.type == "scale":
            out = []
            for v in range(item.min, item.max + 1):
                out.append({"valueCoding": encode(item, v, system)[1],
                            "extension": [{"url": ORDINAL_VALUE, "valueDecimal": v}]})
        else:
            out = []
            for o in item.options:
                opt = {"valueCoding": {"system": o.system or system, "code": o.value,
                                       "display": o.label}}
                if o.weight is not None:
                    opt["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": o.weight}]
                out.append(opt)
        if item.decline:
            out.append({"valueCoding": {"system": system, "code": DECLINE,
                                        "display": DECLINE_LABEL}})
        return out

    def comment(self, item: Item) -> dict:
        out = {"linkId": f"{item.id}{COMMENT_SUFFIX}", "text": COMMENT_TEXT, "type": "text",
               "maxLength": COMMENT_MAX_LENGTH}
        self.condition(out, item.show_if)
        return out


def sum_expression(item_ids) -> str:
    """FHIRPath for the sum of the ordinal values of these items' answers."""
    return " + ".join(f"%resource.repeat(item).where(linkId = '{q}').answer.value.ordinal()"
                      for q in item_ids)


def _score_section(inst: Instrument, spec: dict) -> str:
    """Where a total goes: its `section`, else the section of the last item it sums."""
    return spec.get("section") or inst.items[spec["sum_of"][-1]].section_id


def _own_condition(inst: Instrument, s: Section) -> dict | None:
    """A sub-section's condition without its parent's (FHIR hides a group's children with it):
    the file repeats the parent's condition, alone or first in `all` (instrument_codes)."""
    parent = inst.section(s.parent) if s.parent else None
    if parent is None or parent.show_if is None or s.show_if is None:
        return s.show_if
    if s.show_if == parent.show_if:
        return None
    rest = s.show_if["all"][1:]
    return rest[0] if len(rest) == 1 else {"all": rest}
