"""A standard, LOINC-coded Questionnaire from elsewhere (made here, PHQ-like) is imported
faithfully: item codes, answer systems, codes and displays, ordinal values (and the score from
them), prefixes, initial values, a read-only calculated total as the form's own sum score, and
the source url|version, which the exported QuestionnaireResponse names. What the app still
cannot show is refused naming the item (linkId) and the element."""
import copy
import json
import shutil
from pathlib import Path

import pytest

from conftest import PASSWORD
from fhir_support import validate, write_instrument
from imported_form import app_on
from kartlegging.domain.instruments import load_file
from kartlegging.domain.sum_scores import sum_score
from kartlegging.fhir.questionnaire import canonical, to_questionnaire
from kartlegging.fhir.questionnaire_import import NotRepresentable, from_questionnaire
from kartlegging.fhir.response import answers_from_items, response_items
from kartlegging.models import Assessment

LOINC = "http://loinc.org"
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
CALCULATED = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression"
BASE = "https://kartlegging.example.kommune.no/fhir"
SOURCE_URL = "https://skjema.example.no/fhir/Questionnaire/humor-kort"
ANSWERS = [("LA6568-5", "Ikke i det hele tatt", 0), ("LA6569-3", "Flere dager", 1),
           ("LA6570-1", "Mer enn halvparten av dagene", 2), ("LA6571-9", "Nesten hver dag", 3)]
EXPRESSION = ("%resource.repeat(item).where(linkId = 'interesse').answer.value.ordinal() + "
              "%resource.repeat(item).where(linkId = 'nedstemt').answer.value.ordinal()")


def _frequency(link_id, code, prefix, text):
    return {"linkId": link_id, "code": [{"system": LOINC, "code": code, "display": text}],
            "prefix": prefix, "text": text, "type": "choice", "required": True,
            "answerOption": [{"valueCoding": {"system": LOINC, "code": c, "display": d},
                              "extension": [{"url": ORDINAL, "valueDecimal": w}]}
                             for c, d, w in ANSWERS]}


def questionnaire() -> dict:
    return {
        "resourceType": "Questionnaire", "url": SOURCE_URL, "version": "2.1",
        "title": "Humør, kort", "status": "active",
        "code": [{"system": LOINC, "code": "55757-9", "display": "Kort humørskjema"}],
        "item": [{"linkId": "humor", "type": "group", "text": "De siste to ukene", "item": [
            _frequency("interesse", "44250-9", "1.", "Lite lyst eller glede"),
            _frequency("nedstemt", "44255-8", "2.", "Nedstemt eller håpløs"),
            {"linkId": "sum_humor", "type": "integer", "text": "Sum", "readOnly": True,
             "code": [{"system": LOINC, "code": "55758-7", "display": "Sum humør"}],
             "extension": [{"url": CALCULATED, "valueExpression": {
                 "language": "text/fhirpath", "expression": EXPRESSION}}]},
            {"linkId": "kontakt_lege", "type": "boolean", "text": "Har du fastlege?",
             "initial": [{"valueBoolean": True}]},
            {"linkId": "hvor_ofte", "type": "choice", "text": "Hvor ofte?",
             "initial": [{"valueCoding": {"code": "ukentlig"}}],
             "answerOption": [{"valueCoding": {"code": "ukentlig", "display": "Hver uke"}},
                              {"valueCoding": {"code": "sjelden", "display": "Sjelden"}}]},
            {"linkId": "forklaring", "type": "display",
             "text": "Neste del gjelder bare dem som har hatt det slik nesten hver dag."},
            {"linkId": "oppfolging", "type": "group", "text": "Oppfølging",
             "enableWhen": [{"question": "interesse", "operator": "=",
                             "answerCoding": {"system": LOINC, "code": "LA6571-9"}}],
             "item": [{"linkId": "onsker_samtale", "type": "boolean",
                       "text": "Ønsker du en samtale om dette?"}]}]}]}


@pytest.fixture
def imported(tmp_path):
    data = from_questionnaire(questionnaire(), key="humor-kort", version=1)
    return write_instrument(tmp_path, data)


def test_codes_weights_prefix_initial_total_and_source_are_kept(imported):
    i = imported
    assert i.canonical == f"{SOURCE_URL}|2.1"
    assert i.codes == ({"system": LOINC, "code": "55757-9", "display": "Kort humørskjema"},)
    item = i.items["interesse"]
    assert item.prefix == "1." and item.codes[0]["code"] == "44250-9"
    assert [(o.value, o.label, o.weight, o.system) for o in item.options] == \
        [(c, d, w, LOINC) for c, d, w in ANSWERS]
    assert i.items["kontakt_lege"].initial == "ja"
    assert i.items["hvor_ofte"].initial == "ukentlig" and i.items["hvor_ofte"].options[0].system \
        is None
    assert "sum_humor" not in i.items
    shown = i.items["forklaring"]
    assert (shown.type, shown.label) == ("display", _items(questionnaire())[5]["text"])
    # the group inside the group is a sub-section shown after it, with its enableWhen
    sub = i.section("oppfolging")
    assert sub.parent == "humor" and [x.id for x in sub.items] == ["onsker_samtale"]
    assert sub.show_if == {"q": "interesse", "eq": "LA6571-9"}
    (spec,) = i.sum_scores
    assert spec["sum_of"] == ["interesse", "nedstemt"] and spec["section"] == "humor"
    assert spec["code"] == [{"system": LOINC, "code": "55758-7", "display": "Sum humør"}]
    # the score is the sum of the ordinal values of the chosen answers
    for a, b in [("LA6568-5", "LA6571-9"), ("LA6570-1", "LA6569-3"), ("LA6571-9", "LA6571-9")]:
        expected = dict((c, w) for c, _, w in ANSWERS)
        assert sum_score(i, {"interesse": a, "nedstemt": b}, "sum_humor").value == \
            expected[a] + expected[b]


def test_export_after_import_gives_the_same_codes_systems_and_weights(imported):
    out = to_questionnaire(imported, BASE)
    validate(out)
    src = questionnaire()
    assert (out["url"], out["version"], out["code"]) == (src["url"], "2.1", src["code"])
    group, = out["item"]
    by_id = {el["linkId"]: el for el in group["item"]}
    for el in src["item"][0]["item"]:
        back = by_id[el["linkId"]]
        for key in ("code", "prefix", "type", "readOnly"):
            if key in el:
                assert back[key] == el[key], (el["linkId"], key)
        if el.get("answerOption") and el["linkId"] != "hvor_ofte":
            assert back["answerOption"] == el["answerOption"]
    assert by_id["kontakt_lege"]["initial"] == [{"valueBoolean": True}]
    assert by_id["hvor_ofte"]["initial"][0]["valueCoding"]["code"] == "ukentlig"
    nested = by_id["oppfolging"]
    assert nested["type"] == "group" and nested["enableWhen"] == [{
        "question": "interesse", "operator": "=",
        "answerCoding": {"system": LOINC, "code": "LA6571-9"}}]
    assert [x["linkId"] for x in nested["item"]] == ["onsker_samtale"]
    total = by_id["sum_humor"]
    assert total["extension"] == src["item"][0]["item"][2]["extension"]
    # and the export imports again to exactly the same form
    again = from_questionnaire(json.loads(json.dumps(out)), key="humor-kort", version=1)
    assert again == from_questionnaire(questionnaire(), key="humor-kort", version=1)


def test_the_response_names_the_source_and_keeps_the_answer_codes(imported):
    answers = {"interesse": "LA6570-1", "nedstemt": "LA6571-9", "kontakt_lege": "ja"}
    qr = {"resourceType": "QuestionnaireResponse", "status": "completed",
          "questionnaire": canonical(imported, BASE),
          "item": response_items(imported, answers, BASE)}
    validate(qr)
    assert qr["questionnaire"] == f"{SOURCE_URL}|2.1"
    coded = {i["linkId"]: i["answer"][0] for g in qr["item"] for i in g["item"]}
    assert coded["interesse"]["valueCoding"] == {"system": LOINC, "code": "LA6570-1",
                                                 "display": "Mer enn halvparten av dagene"}
    assert coded["kontakt_lege"] == {"valueBoolean": True}
    back, problems = answers_from_items(imported, qr["item"])
    assert problems == [] and back == answers


def _refusal(change) -> str:
    q = questionnaire()
    change(q)
    with pytest.raises(NotRepresentable) as e:
        from_questionnaire(q, key="humor-kort", version=1)
    return str(e.value)


def _items(q):
    return q["item"][0]["item"]


REFUSALS = [
    ("an answer option on a display item",
     lambda q: _items(q)[5].update(answerOption=[{"valueString": "x"}]),
     "item «forklaring»", "answerOption: passer ikke for en visningstekst"),
    ("a question after a group in the group",
     lambda q: _items(q).append({"linkId": "etter", "type": "string", "text": "Etter"}),
     "item «etter»", "må komme etter gruppens spørsmål"),
    ("three levels of groups", lambda q: _items(q)[6]["item"].append(
        {"linkId": "dypere", "type": "group", "text": "Dypere", "item": []}),
     "item «dypere»", "grupper i mer enn to nivåer"),
    ("readOnly without a calculation", lambda q: _items(q)[3].update(readOnly=True),
     "item «kontakt_lege»", "readOnly"),
    ("a calculation that is not a sum",
     lambda q: _items(q)[2]["extension"][0]["valueExpression"].update(
         expression="%resource.repeat(item).where(linkId = 'interesse').answer.value.ordinal()"
                    " * 2"),
     "item «sum_humor»", "calculatedExpression"),
    ("a total over an item without weights",
     lambda q: [o.pop("extension") for o in _items(q)[1]["answerOption"]],
     "item «sum_humor»", "calculatedExpression: «nedstemt» har ikke ordinalValue"),
    ("a total that is not an integer", lambda q: _items(q)[2].update(type="decimal"),
     "item «sum_humor»", "type decimal"),
    ("an initial value outside the options",
     lambda q: _items(q)[4]["initial"][0]["valueCoding"].update(code="aldri"),
     "item «hvor_ofte»", "initial[0]"),
    ("a fractional weight",
     lambda q: _items(q)[0]["answerOption"][1]["extension"][0].update(valueDecimal=0.5),
     "item «interesse»", "answerOption[1]"),
    ("a code on a group", lambda q: q["item"][0].update(code=[{"system": LOINC, "code": "x"}]),
     "item «humor»", "code"),
    ("a code without system", lambda q: _items(q)[0]["code"][0].pop("system"),
     "item «interesse»", "code"),
    ("answerValueSet", lambda q: _items(q)[4].update(answerValueSet="http://x/vs"),
     "item «hvor_ofte»", "answerValueSet"),
    ("initialSelected",
     lambda q: _items(q)[4]["answerOption"][0].update(initialSelected=True),
     "item «hvor_ofte»", "initialSelected"),
]


@pytest.mark.parametrize("change,item,element", [r[1:] for r in REFUSALS],
                         ids=[r[0] for r in REFUSALS])
def test_every_refusal_names_the_item_and_the_element(change, item, element):
    message = _refusal(change)
    assert message.startswith(item) and element in message, message


def test_nothing_is_dropped_silently_the_source_questionnaire_is_unchanged(imported):
    q = questionnaire()
    before = copy.deepcopy(q)
    from_questionnaire(q, key="humor-kort", version=1)
    assert q == before


@pytest.fixture
def app_with_form(app, tmp_path):
    """(app, factory) on a copy of instruments/ with the Questionnaire imported by the CLI."""
    directory = tmp_path / "instruments"
    shutil.copytree(Path(__file__).resolve().parents[2] / "instruments", directory)
    src = tmp_path / "humor.json"
    src.write_text(json.dumps(questionnaire(), ensure_ascii=False), encoding="utf-8")
    r = app.test_cli_runner().invoke(args=["fhir", "import-questionnaire", str(src), "--dir",
                                           str(directory), "--version", "1"])
    assert r.exit_code == 0, r.output
    with app_on(directory, tmp_path) as made:
        yield made


def test_a_new_draft_starts_with_the_initial_values_and_answers_naming_the_source_import(
        app_with_form):
    app, f = app_with_form
    user = f.user("ansatt")
    person = f.person(contact=user)
    client = app.test_client()
    assert client.post("/logg-inn", data={"username": user.username,
                                          "password": PASSWORD}).status_code == 302
    r = client.post(f"/personer/{person.id}/kartlegginger", data={"skjema": "humor-kort"})
    assert r.status_code == 302
    draft = Assessment.query.filter_by(person_id=person.id, instrument_key="humor-kort").one()
    assert draft.answers == {"kontakt_lege": "ja", "hvor_ofte": "ukentlig"}
    page = client.get(f"/kartlegginger/{draft.id}/del/humor").data.decode()
    assert "Neste del gjelder bare dem som har hatt det slik nesten hver dag." in page
    assert 'name="forklaring"' not in page      # a text to read, no field
    # a QuestionnaireResponse from the sender names its own url|version, with LOINC answers
    qr = {"resourceType": "QuestionnaireResponse", "status": "completed",
          "questionnaire": f"{SOURCE_URL}|2.1", "item": [{"linkId": "humor", "item": [
              {"linkId": "interesse", "answer": [{"valueCoding": {
                  "system": LOINC, "code": "LA6571-9", "display": "Nesten hver dag"}}]},
              {"linkId": "nedstemt", "answer": [{"valueCoding": {
                  "system": LOINC, "code": "LA6569-3"}}]}]}]}
    r = client.post(f"/personer/{person.id}/fhir-import",
                    data={"text": json.dumps(qr)})
    assert r.status_code == 302, r.data.decode()[:1500]
    imported = Assessment.query.filter_by(person_id=person.id, instrument_key="humor-kort") \
        .order_by(Assessment.id.desc()).first()
    assert imported.answers == {"interesse": "LA6571-9", "nedstemt": "LA6569-3"}
    inst = app.extensions["instruments"].get("humor-kort", 1)
    assert sum_score(inst, imported.answers, "sum_humor").value == 3 + 1


def test_an_authorised_wording_imports_as_the_next_version_with_comparable_scores(tmp_path):
    """The README's way: AUDIT exported, its texts replaced by another wording, imported as
    audit version 2: the same ids, codes and weights, so the same answers give the same sum."""
    v1 = load_file(Path(__file__).resolve().parents[2] / "instruments" / "audit.v1.yaml")
    q = json.loads(json.dumps(to_questionnaire(v1, BASE)))
    for group in q["item"]:
        for el in group["item"]:
            if el.get("type") == "choice":
                el["text"] = "Autorisert: " + el["text"]
                for opt in el["answerOption"]:
                    opt["valueCoding"]["display"] = "Autorisert: " + opt["valueCoding"]["display"]
    v2 = write_instrument(tmp_path, from_questionnaire(q, key="audit", version=2))
    assert (v2.key, v2.version, v2.canonical) == ("audit", 2, None)
    assert v2.items["alkohol_hvor_ofte"].label == "Autorisert: Hvor ofte drikker du alkohol?"
    for item in v1.items.values():
        other = v2.items[item.id]
        assert other.codes == item.codes
        assert [(o.value, o.weight, o.system) for o in other.options] == \
            [(o.value, o.weight, o.system) for o in item.options]
    assert v2.sum_scores == v1.sum_scores and v2.source == v1.source
    answers = {q: v1.items[q].options[-1].value for q in v1.sum_scores[0]["sum_of"]}
    assert sum_score(v2, answers, "audit_sum").value == sum_score(v1, answers, "audit_sum").value \
        == 40
