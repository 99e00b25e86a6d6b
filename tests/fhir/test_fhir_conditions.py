"""Every condition operator maps to enableWhen (+ enableBehavior) and back."""
import itertools
import json

import pytest

from fhir_support import BASE, validate, write_instrument
from kartlegging.domain.rules import Evaluator
from kartlegging.fhir.conditions import from_enable_when, to_enable_when
from kartlegging.fhir.questionnaire import to_questionnaire
from kartlegging.fhir.questionnaire_import import from_questionnaire

SYSTEM = f"{BASE}/CodeSystem/betingelser"

BASE_ITEMS = [
    {"id": "jn", "type": "yes_no", "label": "Ja eller nei?"},
    {"id": "jn_avslag", "type": "yes_no", "label": "Ja eller nei, kan avslå?", "decline": True},
    {"id": "valg", "type": "single_choice", "label": "Ett valg",
     "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"},
                 {"value": "c", "label": "C"}]},
    {"id": "flere", "type": "multiple_choice", "label": "Flere valg",
     "options": [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}]},
    {"id": "tall", "type": "number", "label": "Tall", "min": 0, "max": 10},
    {"id": "dato", "type": "date", "label": "Dato"},
    {"id": "tekst", "type": "text", "label": "Tekst"},
    {"id": "skala", "type": "scale", "label": "Skala", "decline": True},
]

# condition -> the enableWhen (answer codes only) and enableBehavior it must become
CASES = [
    ({"q": "jn", "eq": "ja"}, [("jn", "=", True)], None),
    ({"q": "jn", "ne": "nei"}, [("jn", "!=", False)], None),
    ({"q": "jn_avslag", "eq": "vil_ikke_svare"}, [("jn_avslag", "=", "vil_ikke_svare")], None),
    ({"q": "valg", "eq": "a"}, [("valg", "=", "a")], None),
    ({"q": "valg", "ne": "b"}, [("valg", "!=", "b")], None),
    ({"q": "valg", "in": ["a", "c"]}, [("valg", "=", "a"), ("valg", "=", "c")], "any"),
    ({"q": "flere", "contains": "y"}, [("flere", "=", "y")], None),
    ({"q": "tall", "gt": 2}, [("tall", ">", 2)], None),
    ({"q": "tall", "gte": 2}, [("tall", ">=", 2)], None),
    ({"q": "tall", "lt": 2}, [("tall", "<", 2)], None),
    ({"q": "tall", "lte": 2}, [("tall", "<=", 2)], None),
    ({"q": "dato", "gte": "2026-01-01"}, [("dato", ">=", "2026-01-01")], None),
    ({"q": "tekst", "eq": "hei"}, [("tekst", "=", "hei")], None),
    ({"q": "skala", "eq": 5}, [("skala", "=", "5")], None),
    ({"q": "tekst", "answered": True}, [("tekst", "exists", True)], None),
    ({"q": "tall", "answered": False}, [("tall", "exists", False)], None),
    ({"all": [{"q": "jn", "eq": "ja"}, {"q": "tall", "gt": 1}]},
     [("jn", "=", True), ("tall", ">", 1)], "all"),
    ({"any": [{"q": "valg", "eq": "a"}, {"q": "flere", "contains": "x"}]},
     [("valg", "=", "a"), ("flere", "=", "x")], "any"),
]
# Said differently in FHIR, same meaning: not(eq) is '!=', not(ne) '=', not(answered).
NEGATIONS = [
    ({"not": {"q": "valg", "eq": "a"}}, [("valg", "!=", "a")], {"q": "valg", "ne": "a"}),
    ({"not": {"q": "jn", "ne": "ja"}}, [("jn", "=", True)], {"q": "jn", "eq": "ja"}),
    ({"not": {"q": "tekst", "answered": True}}, [("tekst", "exists", False)],
     {"q": "tekst", "answered": False}),
]
# No exact enableWhen: carried as JSON in the extension kartlegging-betingelse.
UNREPRESENTABLE = [
    {"any": [{"all": [{"q": "jn", "eq": "ja"}, {"q": "tall", "gt": 1}]},
             {"q": "valg", "eq": "b"}]},
    {"q": "skala", "gte": 4},
    {"not": {"q": "tall", "gt": 3}},
    {"all": [{"q": "valg", "in": ["a", "b"]}, {"q": "jn", "eq": "ja"}]},
]


def instrument(tmp_path, conds):
    items = list(BASE_ITEMS) + [
        {"id": f"vis_{i}", "type": "text", "label": f"Vises når betingelse {i} holder",
         "show_if": c} for i, c in enumerate(conds)]
    return write_instrument(tmp_path, {"key": "betingelser", "version": 1, "title": "Test",
                                       "sections": [{"id": "del", "title": "Del",
                                                     "items": items}]})


def flat(ews):
    out = []
    for ew in ews:
        (key, value), = ((k, v) for k, v in ew.items() if k.startswith("answer"))
        out.append((ew["question"], ew["operator"],
                    value["code"] if key == "answerCoding" else value))
    return out


@pytest.fixture
def inst(tmp_path):
    return instrument(tmp_path, [c for c, _, _ in CASES] + [c for c, _, _ in NEGATIONS]
                      + UNREPRESENTABLE)


@pytest.mark.parametrize("cond,expected,behavior", CASES, ids=lambda v: json.dumps(v)[:60])
def test_operator_maps_to_enable_when_and_back_exactly(inst, cond, expected, behavior):
    ews, got_behavior = to_enable_when(cond, inst.items, lambda item: SYSTEM)
    assert flat(ews) == expected
    assert got_behavior == behavior
    assert from_enable_when(ews, got_behavior, inst.items) == cond


@pytest.mark.parametrize("cond,expected,same", NEGATIONS, ids=lambda v: json.dumps(v)[:60])
def test_not_maps_to_the_negated_operator(inst, cond, expected, same):
    ews, behavior = to_enable_when(cond, inst.items, lambda item: SYSTEM)
    assert flat(ews) == expected and behavior is None
    assert from_enable_when(ews, behavior, inst.items) == same


def answer_sets(inst):
    """Every combination of a few values per base item (None = unanswered)."""
    values = {"jn": [None, "ja", "nei"], "jn_avslag": [None, "vil_ikke_svare", "ja"],
              "valg": [None, "a", "b", "c"], "flere": [None, ["x"], ["x", "y"]],
              "tall": [None, 0, 2, 5], "dato": [None, "2025-12-31", "2026-01-01"],
              "tekst": [None, "hei", "hallo"], "skala": [None, 3, 5, "vil_ikke_svare"]}
    keys = list(values)
    for combo in itertools.islice(itertools.product(*values.values()), 0, None, 7):
        yield {k: v for k, v in zip(keys, combo) if v is not None}


def test_questionnaire_round_trip_keeps_every_condition_and_its_meaning(inst, tmp_path):
    q = to_questionnaire(inst, BASE)
    validate(q)
    (tmp_path / "ut").mkdir()
    back = write_instrument(tmp_path / "ut", from_questionnaire(json.loads(json.dumps(q))))
    assert back == inst   # exact, through enableWhen or the extension

    # Without our extension, what other FHIR tools see: enableWhen alone. Every condition
    # with an enableWhen form keeps its meaning on every answer set.
    for el in q["item"][0]["item"]:
        el["extension"] = [e for e in el.get("extension", [])
                           if not e["url"].endswith("kartlegging-betingelse")]
    (tmp_path / "fremmed").mkdir()
    plain = write_instrument(tmp_path / "fremmed", from_questionnaire(q))
    n_cases = len(CASES) + len(NEGATIONS)
    for answers in answer_sets(inst):
        ours, theirs = Evaluator(inst, answers), Evaluator(plain, answers)
        for i in range(n_cases):
            item = inst.items[f"vis_{i}"]
            assert ours.visible(item) == theirs.visible(plain.items[item.id]), (item.show_if,
                                                                                 answers)
    for i in range(n_cases, n_cases + len(UNREPRESENTABLE)):
        el = next(e for e in q["item"][0]["item"] if e["linkId"] == f"vis_{i}")
        assert "enableWhen" not in el and plain.items[f"vis_{i}"].show_if is None


def test_unrepresentable_conditions_travel_in_the_extension(inst):
    q = to_questionnaire(inst, BASE)
    start = len(CASES) + len(NEGATIONS)
    for i, cond in enumerate(UNREPRESENTABLE, start):
        el = next(e for e in q["item"][0]["item"] if e["linkId"] == f"vis_{i}")
        ext = [e for e in el["extension"] if e["url"].endswith("kartlegging-betingelse")]
        assert json.loads(ext[0]["valueString"]) == cond
    plain = next(e for e in q["item"][0]["item"] if e["linkId"] == "vis_0")
    assert "extension" not in plain   # exact enableWhen: no extension needed
