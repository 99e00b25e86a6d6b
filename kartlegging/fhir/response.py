"""Answers <-> FHIR R4 QuestionnaireResponse items. Pure.

Export: visible sections as groups, answered visible items with their values (a multiple
choice as several answers), comments as `<id>__kommentar`. Import: every problem is named
(unknown linkIds, wrong types, values outside the options, answers to disabled items), and
nothing is returned unless there are none.
"""
from __future__ import annotations

from ..domain.instrument_types import Instrument, Item
from ..domain.rules import Evaluator, is_answered
from .codes import COMMENT_TEXT, ValueProblem, answer_system, decode, encode, storable
from .codes import value_of as _value_of


def response_items(inst: Instrument, answers: dict, base: str) -> list[dict]:
    ev = Evaluator(inst, answers)
    groups = []
    for section in inst.sections:
        if not ev.section_visible(section):
            continue
        items = []
        for item in section.items:
            if not ev.visible(item):
                continue
            value = answers.get(item.id)
            if is_answered(value):
                values = value if isinstance(value, list) else [value]
                system = answer_system(base, inst.key, item.id)
                answer = []
                for v in values:
                    suffix, fhir_value = encode(item, v, system)
                    answer.append({f"value{suffix}": fhir_value})
                items.append({"linkId": item.id, "text": item.label, "answer": answer})
            comment = answers.get(item.comment_id) if item.comment else None
            if is_answered(comment):
                items.append({"linkId": item.comment_id, "text": COMMENT_TEXT,
                              "answer": [{"valueString": comment}]})
        if items:
            groups.append({"linkId": section.id, "text": section.title, "item": items})
    return groups


MAX_DEPTH = 10


class _Collector:
    def __init__(self, inst: Instrument):
        self.inst = inst
        self.answers: dict = {}
        self.problems: list[str] = []
        self.comments = {i.comment_id: i for i in inst.items.values() if i.comment}
        self.sections = {s.id for s in inst.sections}
        self.seen: set[str] = set()

    def walk(self, elements, path: str, depth: int = 0):
        if depth > MAX_DEPTH:
            self.problems.append(f"{path}: item er nøstet for dypt.")
            return
        if not isinstance(elements, list):
            self.problems.append(f"{path}: item må være en liste.")
            return
        for el in elements:
            if not isinstance(el, dict) or not isinstance(el.get("linkId"), str):
                self.problems.append(f"{path}: et item mangler linkId.")
                continue
            link_id = el["linkId"]
            if link_id in self.seen:
                self.problems.append(f"linkId «{link_id}» finnes mer enn én gang.")
                continue
            self.seen.add(link_id)
            if link_id in self.sections:
                if el.get("answer"):
                    self.problems.append(f"«{link_id}» er en del av skjemaet og kan ikke ha svar.")
                self.walk(el.get("item") or [], link_id, depth + 1)
            elif link_id in self.inst.items:
                self.question(self.inst.items[link_id], el, depth)
            elif link_id in self.comments:
                self.comment(self.comments[link_id], el, depth)
            else:
                self.problems.append(
                    f"Ukjent linkId «{link_id}»: finnes ikke i «{self.inst.title}» versjon "
                    f"{self.inst.version}.")

    def _answers(self, el, label, depth) -> list:
        answers = el.get("answer") or []
        if not isinstance(answers, list):
            self.problems.append(f"{label}: answer må være en liste.")
            return []
        for a in answers:
            if isinstance(a, dict) and a.get("item"):
                self.walk(a["item"], el["linkId"], depth + 1)
        return answers

    def question(self, item: Item, el, depth: int):
        where = f"«{item.label}» ({item.id})"
        answers = self._answers(el, where, depth)
        if item.type == "display" and answers:
            self.problems.append(f"{where}: er en visningstekst og kan ikke ha svar.")
            return
        if el.get("item"):
            self.walk(el["item"], item.id, depth + 1)
        if not answers:
            return
        if len(answers) > 1 and item.type != "multiple_choice":
            self.problems.append(f"{where}: har {len(answers)} svar, men tar bare ett.")
            return
        values = []
        for a in answers:
            found = _value_of(a, "value") if isinstance(a, dict) else None
            if found is None:
                self.problems.append(f"{where}: et svar mangler value[x].")
                continue
            try:
                values.append(decode(item, *found))
            except ValueProblem as e:
                self.problems.append(str(e))
        if len(values) != len(answers):
            return
        if item.type == "multiple_choice":
            if len(set(values)) != len(values):
                self.problems.append(f"{where}: samme svaralternativ er valgt flere ganger.")
                return
            self.answers[item.id] = values
        else:
            self.answers[item.id] = values[0]

    def comment(self, item: Item, el, depth: int):
        where = f"Kommentar til «{item.label}» ({el['linkId']})"
        answers = self._answers(el, where, depth)
        if not answers:
            return
        found = _value_of(answers[0], "value") if isinstance(answers[0], dict) else None
        if len(answers) != 1 or found is None or found[0] != "String" \
                or not isinstance(found[1], str):
            self.problems.append(f"{where}: må være ett svar med valueString.")
        elif len(found[1]) > 2000:
            self.problems.append(f"{where}: er lengre enn 2000 tegn.")
        elif not storable(found[1]):
            self.problems.append(f"{where}: inneholder tegn som ikke kan lagres.")
        else:
            self.answers[el["linkId"]] = found[1]


def answers_from_items(inst: Instrument, items) -> tuple[dict, list[str]]:
    """(answers, problems): answers only matter when problems is empty."""
    c = _Collector(inst)
    c.walk(items or [], "item")
    ev = Evaluator(inst, c.answers)
    for item in inst.items.values():
        answered = item.id in c.answers or (item.comment and item.comment_id in c.answers)
        if answered and not ev.visible(item):
            c.problems.append(
                f"«{item.label}» ({item.id}) er besvart, men spørsmålet er ikke aktivt ut fra "
                "de andre svarene (enableWhen). Fjern svaret eller rett svaret det avhenger av.")
    return c.answers, c.problems
