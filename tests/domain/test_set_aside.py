"""Answers of hidden items are set aside, never dropped on one tap, and come back."""
from datetime import date

import pytest

from factories import filled_answers
from kartlegging.domain.rules import (
    Evaluator,
    evaluate,
    missing_required,
    problems,
    progress,
    set_aside,
    split,
)


def test_hidden_answers_go_aside_and_come_back(app):
    inst = app.extensions["instruments"].latest("alna-kartlegging")
    answers = {"har_barn": "ja", "barn_antall_mindreaarige": 2, "barn_samvaer": "fast",
               "nettverk": "Eva"}
    shown, aside, restored = set_aside(inst, {**answers, "har_barn": "nei"}, None)
    assert shown == {"har_barn": "nei", "nettverk": "Eva"}
    assert aside == {"barn_antall_mindreaarige": 2, "barn_samvaer": "fast"}
    assert restored == {}

    shown, aside, restored = set_aside(inst, {**shown, "har_barn": "ja"}, aside)
    assert shown == answers and aside == {}
    assert restored == {"barn_antall_mindreaarige": 2, "barn_samvaer": "fast"}


def test_a_new_answer_wins_over_the_one_set_aside(app):
    inst = app.extensions["instruments"].latest("alna-kartlegging")
    shown, aside, restored = set_aside(
        inst, {"har_barn": "ja", "barn_antall_mindreaarige": 3},
        {"barn_antall_mindreaarige": 2, "barn_omsorgsperson": "ja"})
    assert shown == {"har_barn": "ja", "barn_antall_mindreaarige": 3, "barn_omsorgsperson": "ja"}
    assert aside == {} and restored == {"barn_omsorgsperson": "ja"}


def test_a_whole_section_hidden_by_another_sections_answer(app):
    inst = app.extensions["instruments"].latest("alna-kartlegging")
    filled = {"innvandrer_relevant": "ja", "nasjonalitet": "Eritrea",
              "ankomst_norge": "2019-05-01", "oppholdsstatus": "flyktning"}
    shown, aside, _ = set_aside(inst, {**filled, "innvandrer_relevant": "nei"}, {})
    assert shown == {"innvandrer_relevant": "nei"}
    assert set(aside) == {"nasjonalitet", "ankomst_norge", "oppholdsstatus"}
    shown, aside, restored = set_aside(inst, {"innvandrer_relevant": "ja"}, aside)
    assert shown == filled and aside == {} and len(restored) == 3


def test_unknown_keys_are_neither_kept_nor_set_aside(app):
    inst = app.extensions["instruments"].latest("alna-kartlegging")
    shown, aside, _ = set_aside(inst, {"finnes_ikke": "x", "har_barn": "nei"}, {"tull": 1})
    assert shown == {"har_barn": "nei"} and aside == {}


def test_set_aside_answers_never_count(app):
    """What is aside is not in the answers, so counts, rules and checks never see it."""
    inst = app.extensions["instruments"].latest("alna-kartlegging")
    shown, aside, _ = set_aside(inst, {"gjeld": "nei", "gjeld_belop": 50000,
                                       "fastlege_har": "nei", "fastlege_navn": "Dr. Hansen"},
                                None)
    assert aside == {"gjeld_belop": 50000, "fastlege_navn": "Dr. Hansen"}
    assert progress(inst, shown)["okonomi"] == (1, 6)
    reasons = " ".join(evaluate(inst, shown).derived["ip"].reasons)
    assert "fastlege" not in reasons
    assert missing_required(inst, shown)["bolig"] == 1
    assert all(p.field not in aside for p in problems(inst, shown))


def test_a_field_sent_empty_with_its_gate_is_kept_aside_but_a_visible_one_is_cleared(app):
    inst = app.extensions["instruments"].latest("alna-kartlegging")
    shown, aside, _ = set_aside(inst, {"gjeld": "nei"}, None, emptied={"gjeld_belop": 900})
    assert shown == {"gjeld": "nei"} and aside == {"gjeld_belop": 900}
    shown, aside, _ = set_aside(inst, {"gjeld": "ja"}, None, emptied={"gjeld_belop": 900})
    assert shown == {"gjeld": "ja"} and aside == {}


@pytest.mark.parametrize("change,emptied", [
    ({"har_barn": "nei"}, None), ({"innvandrer_relevant": "nei"}, {"nasjonalitet": "Eritrea"}),
    ({}, None)])
def test_the_split_evaluator_sees_what_was_shown(app, change, emptied):
    """The autosave's live state uses the Evaluator the split ended with: every visibility,
    count, missing item and prompt is what a fresh Evaluator of the shown answers says."""
    inst = app.extensions["instruments"].latest("alna-kartlegging")
    day = date(2026, 11, 26)
    answers = {**filled_answers(inst), **change}
    result = split(inst, answers, None, emptied, day)
    fresh = Evaluator(inst, result.shown, day)
    assert result.shown == set_aside(inst, answers, None, emptied)[0]
    assert all(result.ev.visible(i) == fresh.visible(i) for i in inst.items.values())
    assert progress(inst, result.shown, result.ev) == progress(inst, result.shown, fresh)
    assert missing_required(inst, result.shown, result.ev) == missing_required(
        inst, result.shown, fresh)
    for spec in inst.derived:
        mine, theirs = result.ev.derived(spec["id"]), fresh.derived(spec["id"])
        assert (mine.outcome, mine.reasons, mine.text) == (theirs.outcome, theirs.reasons,
                                                           theirs.text)
