"""An autosave reports the counts of the sections it can change only. For every section of
every instrument and a series of answer sets, those counts equal the full computation, and the
full computation of every other section is what it was before the save."""
from datetime import timedelta
from pathlib import Path

import live_form
import pytest

from factories import default_value, filled_answers
from kartlegging.assessments import drafts
from kartlegging.assessments.views import live_state
from kartlegging.domain.instruments import load_all
from kartlegging.domain.rules import Evaluator, missing_required, split

REG = load_all(Path(__file__).parents[2] / "instruments")
TODAY = live_form.TODAY


def other_value(item):
    """An answer unlike default_value's (the other branch of a gate)."""
    if item.type == "yes_no":
        return "nei"
    if item.type == "multiple_choice":
        return [item.options[-1].value]
    if item.options:
        return item.options[-1].value
    if item.type == "date":
        return "2020-01-01"
    if item.type in ("number", "scale"):
        return item.min or 0
    return ""


def variants(section):
    """What a save of the section sends, in turn: other answers, the defaults, every field
    empty, the defaults again (answers set aside by one come back with the next)."""
    filled = {i.id: default_value(i) for i in section.items}
    return [{i.id: other_value(i) for i in section.items}, filled,
            {i.id: None for i in section.items}, filled]


def full(inst, answers, today=TODAY) -> dict:
    """The whole live state, as a page load computes it."""
    ev = Evaluator(inst, answers, today)
    return {"sections": {s.id: ev.section_visible(s) for s in inst.sections},
            "visible": {s.id: [ev.visible(i) for i in s.items] for s in inst.sections},
            "progress": drafts.progress_of(None, inst, answers, rated=True, ev=ev),
            "missing": missing_required(inst, answers, ev)}


def autosave(inst, answers, aside, section, changes, today=TODAY):
    """What the autosave view does with the answers and what it replies (without a database)."""
    merged, emptied = drafts.merge(answers, changes)
    shown, aside, _, ev = split(inst, merged, aside, emptied, today)
    live = drafts.live_sections(inst, section.id)
    counts = drafts.progress_of(None, inst, shown, rated=True, ev=ev, sections=live)
    return shown, aside, live_state(inst, shown, section, counts, ev, live)


@pytest.mark.parametrize("inst", [*REG, live_form.build()], ids=lambda i: i.ref)
@pytest.mark.parametrize("start", ["empty", "filled"])
def test_the_partial_live_state_equals_the_full_one(inst, start):
    answers, aside = ({} if start == "empty" else filled_answers(inst)), {}
    for section in [*inst.sections, *reversed(inst.sections)]:
        for changes in variants(section):
            before = full(inst, answers)
            answers, aside, reply = autosave(inst, answers, aside, section, changes)
            after = full(inst, answers)
            live = set(inst.live_affected[section.id])
            assert live <= set(reply["progress"]) == set(reply["missing"])
            assert reply["sections"] == after["sections"]
            for key in ("progress", "missing"):
                assert reply[key] == {k: after[key][k] for k in reply[key]}, (section.id, key)
            for s in inst.sections:
                if s.id not in live:
                    assert after["sections"][s.id] == before["sections"][s.id], s.id
                    for key in ("visible", "progress", "missing"):
                        assert after[key][s.id] == before[key][s.id], (section.id, s.id, key)


def test_the_live_form_changes_what_it_says_it_can():
    """The series above reaches the dependencies of the live form: each one changes some
    section's state at least once (else the test would prove little)."""
    inst = live_form.build()
    changed = {s.id: set() for s in inst.sections}
    answers, aside = {}, {}
    for section in [*inst.sections, *reversed(inst.sections)]:
        for changes in variants(section):
            before = full(inst, answers)
            answers, aside, _ = autosave(inst, answers, aside, section, changes)
            after = full(inst, answers)
            changed[section.id] |= {s.id for s in inst.sections if any(
                after[k][s.id] != before[k][s.id] for k in ("sections", "progress"))}
    assert changed["a"] >= {"a", "b", "c", "d"} and changed["c"] >= {"c", "d"}


def test_a_section_that_depends_on_the_day_is_in_every_reply():
    """«e» shows its item while the date in «a» is at most 30 days old: a save of «f» a day
    later, when it no longer is, reports «e» too."""
    inst = live_form.build()
    answers = {"dato": (TODAY - timedelta(days=30)).isoformat(), "e1": "ja"}
    assert full(inst, answers)["progress"]["e"] == (1, 1)
    later = TODAY + timedelta(days=1)
    answers, aside, reply = autosave(inst, answers, {}, inst.section("f"), {"f1": "nei"}, later)
    assert aside == {"e1": "ja"}
    assert reply["progress"] == {"e": (0, 0), "f": (1, 1)} == {
        k: full(inst, answers, later)["progress"][k] for k in ("e", "f")}


# -- the view

@pytest.fixture
def draft(factory, login):
    kari = factory.user("ansatt", username="kari")
    a = factory.assessment(factory.person(contact=kari), kari, filled=False)
    return login(kari), a.id


def post(client, a_id, version, section, answers, **extra):
    r = client.post(f"/kartlegginger/{a_id}/autolagre",
                    json={"version": version, "section": section, "answers": answers, **extra})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_the_reply_has_every_section_and_the_counts_it_can_change(app, draft):
    client, a_id = draft
    inst = app.extensions["instruments"].latest("alna-kartlegging")
    embed = next(s.id for s in inst.sections if s.embed == "livskvalitet")
    every = {s.id for s in inst.sections}
    r = post(client, a_id, 1, "bolig", {})
    assert set(r["sections"]) == every
    assert set(r["progress"]) == set(r["missing"]) == {"bolig", embed}
    # The gate of «innvandrer»: that section applies now, with its counts.
    r = post(client, a_id, r["version"], "familie", {"innvandrer_relevant": "ja"})
    assert r["sections"]["innvandrer"] is True
    assert set(r["progress"]) == {"familie", "innvandrer", embed}
    n = len(inst.section("innvandrer").items)
    assert r["progress"]["innvandrer"] == [0, n] and r["missing"]["innvandrer"] >= 0
    r = post(client, a_id, r["version"], "familie", {"innvandrer_relevant": "nei"})
    assert r["sections"]["innvandrer"] is False and r["progress"]["innvandrer"] == [0, 0]
    # After a conflict the page asks for every section's counts.
    r = post(client, a_id, r["version"], "bolig", {}, full=True)
    assert set(r["progress"]) == set(r["missing"]) == every
