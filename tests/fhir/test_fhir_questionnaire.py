"""Instruments as FHIR Questionnaire and back."""
import copy
import json

import pytest

from fhir_support import BASE, INSTRUMENTS, validate, write_instrument
from kartlegging.domain.instruments import load_all
from kartlegging.fhir.codes import IDENTITY_SYSTEMS, ITEM_CONTROL, ORDINAL_VALUE
from kartlegging.fhir.questionnaire import to_questionnaire
from kartlegging.fhir.questionnaire_import import NotRepresentable, from_questionnaire

REGISTRY = load_all(INSTRUMENTS)
ALL = sorted(REGISTRY, key=lambda i: i.ref)


def walk(items):
    for it in items:
        yield it
        yield from walk(it.get("item") or [])


def by_link(q):
    return {it["linkId"]: it for it in walk(q["item"])}


@pytest.mark.parametrize("inst", ALL, ids=lambda i: i.ref)
def test_every_instrument_exports_a_valid_questionnaire(inst):
    q = to_questionnaire(inst, BASE)
    validate(q)
    assert q["url"] == f"{BASE}/Questionnaire/{inst.key}" and q["version"] == str(inst.version)
    assert [g["linkId"] for g in q["item"]] == [s.id for s in inst.sections]
    assert all(g["type"] == "group" and g["text"] for g in q["item"])
    links = by_link(q)
    for item in inst.items.values():
        el = links[item.id]
        assert el["text"] == item.label
        assert el.get("required", False) == item.required
        assert el.get("repeats", False) == (item.type == "multiple_choice")
        if item.help:
            help_el = links[f"{item.id}__hjelp"]
            assert help_el["type"] == "display" and help_el["text"] == item.help
            assert help_el["extension"][0]["url"] == ITEM_CONTROL
        if item.options and item.type != "yes_no":
            codes = [(o["valueCoding"]["code"], o["valueCoding"]["display"])
                     for o in el["answerOption"]]
            assert codes[:len(item.options)] == [(o.value, o.label) for o in item.options]
        if item.comment:
            assert links[f"{item.id}__kommentar"]["type"] == "text"


@pytest.mark.parametrize("inst", ALL, ids=lambda i: i.ref)
def test_export_then_import_reproduces_every_instrument_exactly(inst, tmp_path):
    q = json.loads(json.dumps(to_questionnaire(inst, BASE)))
    back = write_instrument(tmp_path, from_questionnaire(q))
    assert back == inst
    assert back.items == inst.items
    assert to_questionnaire(back, BASE) == q


def test_alna_form_details_map_to_the_fhir_elements():
    inst = REGISTRY.get("alna-kartlegging", 2)
    links = by_link(to_questionnaire(inst, BASE))
    assert links["har_barn"]["type"] == "boolean"
    assert links["barn_antall_mindreaarige"]["enableWhen"] == [
        {"question": "har_barn", "operator": "=", "answerBoolean": True}]
    assert links["barn_antall_mindreaarige"]["type"] == "integer"
    assert {e["valueInteger"] for e in links["barn_antall_mindreaarige"]["extension"]} == {0, 20}
    assert links["oppfolgingstjenester"]["type"] == "choice"
    assert links["oppfolgingstjenester"]["repeats"] is True
    assert links["ip_tilbudt_dato"]["type"] == "date"
    assert links["hva_er_viktig"]["type"] == "text"
    kriseplan = next(it for it in links.values() if it.get("enableWhen") and any(
        ew["question"] == "kriseplan_status" for ew in it["enableWhen"]))
    assert kriseplan["enableBehavior"] == "any"
    assert [ew["answerCoding"]["code"] for ew in kriseplan["enableWhen"]] == [
        "finnes", "under_arbeid"]


def test_livskvalitet_scale_has_ordinal_options_with_anchors():
    inst = REGISTRY.get("livskvalitet", 1)
    el = by_link(to_questionnaire(inst, BASE))["liv_helhet"]
    assert el["type"] == "choice"
    options = el["answerOption"]
    assert [o["valueCoding"]["code"] for o in options] == [
        "1", "2", "3", "4", "5", "6", "7", "vil_ikke_svare"]
    assert options[0]["valueCoding"]["display"] == "Kunne ikke vært verre"
    assert options[6]["valueCoding"]["display"] == "Kunne ikke vært bedre"
    assert [o["extension"][0] for o in options[:7]] == [
        {"url": ORDINAL_VALUE, "valueDecimal": v} for v in range(1, 8)]
    assert options[7]["valueCoding"]["display"] == "Vil ikke svare"


def test_identity_systems_are_the_norwegian_oids():
    assert IDENTITY_SYSTEMS == {"fodselsnummer": "urn:oid:2.16.578.1.12.4.1.4.1",
                                "d_nummer": "urn:oid:2.16.578.1.12.4.1.4.2",
                                "h_nummer": "urn:oid:2.16.578.1.12.4.1.4.3"}


# ------------------------------------------------------------------ import refusals

def small_questionnaire():
    return {"resourceType": "Questionnaire", "url": "https://skjema.example.no/Questionnaire/"
            "oppfolging-bolig", "version": "1", "title": "Oppfølging bolig", "status": "active",
            "item": [{"linkId": "bolig", "type": "group", "text": "Bolig", "item": [
                {"linkId": "har_bolig", "type": "boolean", "text": "Har personen bolig?",
                 "required": True},
                {"linkId": "antall_flyttinger", "type": "integer",
                 "text": "Antall flyttinger siste år",
                 "enableWhen": [{"question": "har_bolig", "operator": "=",
                                 "answerBoolean": True}]},
                {"linkId": "boform", "type": "choice", "text": "Boform",
                 "answerOption": [{"valueCoding": {"code": "eier", "display": "Eier"}},
                                  {"valueString": "Leier"}]}]}]}


def test_a_questionnaire_from_a_form_builder_becomes_an_instrument(tmp_path):
    inst = write_instrument(tmp_path, from_questionnaire(small_questionnaire()))
    assert inst.key == "oppfolging-bolig" and inst.version == 1
    assert inst.items["har_bolig"].type == "yes_no" and inst.items["har_bolig"].required
    assert inst.items["antall_flyttinger"].show_if == {"q": "har_bolig", "eq": "ja"}
    assert [(o.value, o.label) for o in inst.items["boform"].options] == [
        ("eier", "Eier"), ("Leier", "Leier")]


def mutate(path, change):
    q = small_questionnaire()
    target = q
    for step in path:
        target = target[step]
    change(target)
    return q


REFUSALS = [
    ("top-level question", mutate(["item"], lambda items: items.append(
        {"linkId": "los", "type": "string", "text": "Løst spørsmål"})),
     "item «los»: på øverste nivå må alt ligge i grupper"),
    ("nested group", mutate(["item", 0, "item"], lambda items: items.append(
        {"linkId": "under", "type": "group", "text": "Under", "item": []})),
     "item «under»: gruppen har ingen spørsmål"),
    ("decimal", mutate(["item", 0, "item", 1], lambda it: it.update(type="decimal")),
     "item «antall_flyttinger»: type decimal: typen desimaltall støttes ikke"),
    ("open-choice", mutate(["item", 0, "item", 2], lambda it: it.update(type="open-choice")),
     "item «boform»: type open-choice: typen valg med fritekst (open-choice) støttes ikke"),
    ("linkId", mutate(["item", 0, "item", 1], lambda it: it.update(linkId="1.2")),
     "item «1.2»: linkId «1.2» kan ikke brukes som id"),
    ("valueset", mutate(["item", 0, "item", 2], lambda it: it.update(
        answerValueSet="http://example.no/ValueSet/x")),
     "item «boform»: answerValueSet: svar fra ValueSet støttes ikke"),
    ("display", mutate(["item", 0, "item"], lambda items: items.append(
        {"linkId": "info", "type": "display", "text": "Les dette", "required": True})),
     "item «info»: required: passer ikke for en visningstekst"),
    ("enableWhen unknown", mutate(["item", 0, "item", 1, "enableWhen", 0],
                                  lambda ew: ew.update(question="finnes_ikke")),
     "item «antall_flyttinger»: enableWhen viser til ukjent spørsmål «finnes_ikke»"),
    ("enableWhen operator", mutate(["item", 0, "item", 1, "enableWhen", 0],
                                   lambda ew: ew.update(operator=">")),
     "item «antall_flyttinger»: operatoren «>» passer ikke for «har_bolig»"),
    ("repeating group", mutate(["item", 0], lambda g: g.update(repeats=True)),
     "item «bolig»: repeats: gjentatte grupper eller spørsmål støttes ikke"),
    ("expression", mutate(["item", 0, "item", 1], lambda it: it.setdefault("extension", []).append(
        {"url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-"
                "enableWhenExpression", "valueExpression": {"language": "text/fhirpath",
                                                            "expression": "true"}})),
     "item «antall_flyttinger»: uttrykk (enableWhenExpression) støttes ikke"),
    ("initialSelected", mutate(["item", 0, "item", 2, "answerOption", 0],
                               lambda o: o.update(initialSelected=True)),
     "item «boform»: answerOption[0].initialSelected: forhåndsvalgte svar støttes ikke"),
    ("version", mutate([], lambda q: q.update(version="2.1")),
     "(rot): versjonen «2.1» er ikke et positivt heltall"),
]


@pytest.mark.parametrize("name,q,message", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_what_the_app_cannot_represent_is_refused_with_the_item_named(name, q, message):
    with pytest.raises(NotRepresentable) as e:
        from_questionnaire(q)
    assert message in str(e.value)


def test_a_changed_enable_when_wins_over_a_stale_exact_condition(tmp_path):
    inst = REGISTRY.get("alna-kartlegging", 2)
    q = copy.deepcopy(to_questionnaire(inst, BASE))
    links = by_link(q)
    el = links["barn_antall_mindreaarige"]
    el["extension"] = el.get("extension", []) + [{
        "url": f"{BASE}/StructureDefinition/kartlegging-betingelse",
        "valueString": json.dumps({"q": "har_barn", "eq": "nei"})}]
    back = write_instrument(tmp_path, from_questionnaire(q))
    assert back.items["barn_antall_mindreaarige"].show_if == {"q": "har_barn", "eq": "ja"}
