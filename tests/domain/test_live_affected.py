"""Instrument.live_affected: which sections' live state a change of answers in a section can
change, worked out from the conditions."""
from pathlib import Path

import live_form
import pytest

from kartlegging.domain.instrument_types import condition_refs
from kartlegging.domain.instruments import load_all

REG = load_all(Path(__file__).parents[2] / "instruments")


def test_condition_refs_follow_the_grammar():
    cond = {"all": [{"q": "a", "eq": 1}, {"not": {"count": "c", "gte": 2}},
                    {"any": [{"derived": "d", "eq": "x"}, {"always": True},
                             {"q": "dato", "days_since": {"lte": 7}}]}]}
    assert condition_refs(cond) == [("q", "a"), ("count", "c"), ("derived", "d"),
                                    ("q", "dato"), ("day", "")]


@pytest.mark.parametrize("version", [1, 2, 3])
def test_the_gate_of_a_section_affects_it(version):
    """«innvandrer» applies only when a question in «familie» says so."""
    inst = REG.get("alna-kartlegging", version)
    gate = inst.items[inst.section("innvandrer").show_if["q"]].section_id
    assert gate == "familie"
    assert inst.live_affected["familie"] == ("familie", "innvandrer")


@pytest.mark.parametrize("version", [1, 2, 3])
def test_an_independent_section_affects_only_itself(version):
    inst = REG.get("alna-kartlegging", version)
    assert inst.live_affected["bolig"] == ("bolig",)
    assert inst.live_affected["innvandrer"] == ("innvandrer",)


@pytest.mark.parametrize("inst", list(REG), ids=lambda i: i.ref)
def test_every_section_affects_itself_and_every_section_gated_by_it(inst):
    for s in inst.sections:
        assert s.id in inst.live_affected[s.id]
        for t in inst.sections:
            conds = [t.show_if, *(i.show_if for i in t.items)]
            read = {inst.items[ref].section_id for c in conds if c
                    for kind, ref in condition_refs(c) if kind == "q"}
            if s.id in read:
                assert t.id in inst.live_affected[s.id], (s.id, t.id)


def test_dependencies_through_hidden_items_counters_derived_prompts_and_the_day():
    assert live_form.build().live_affected == live_form.AFFECTED
