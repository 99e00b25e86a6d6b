"""One IP status per person, in the instrument's own words."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kartlegging.domain import ip_status as s
from kartlegging.domain.instruments import load_all


@pytest.mark.parametrize("signed,outcome,decision,answer,expected", [
    (False, None, None, None, s.NOT_ASSESSED),
    (True, "vurder", None, None, s.NOT_ASSESSED),
    (True, "oppfylt", None, None, s.PROMPT_MET),
    (True, "oppfylt", "nei", None, s.ASSESSED_NO),
    (True, "ikke", "ja", None, s.NOT_OFFERED),
    (True, "har_ip", "ja", None, s.HAS_PLAN),
    (True, "har_ip", "nei", None, s.ASSESSED_NO),
    (True, "oppfylt", "ja", "ikke_svart", s.OFFERED),
    (True, "oppfylt", "ja", "takket_ja", s.ACCEPTED),
    (True, "vurder", "ja", "takket_nei", s.DECLINED),
])
def test_status_key(signed, outcome, decision, answer, expected):
    assert s.status_key(signed, outcome, decision, answer) == expected


def test_words_come_from_the_instrument():
    reg = load_all("instruments")
    words = s.status_words(reg.latest("alna-kartlegging"))
    assert set(words) == set(s.STATUSES)
    assert words[s.ACCEPTED] == "Takket ja"
    assert words[s.DECLINED] == "Takket nei"
    assert words[s.OFFERED] == "Tilbudt – ikke svart ennå"
    assert words[s.PROMPT_MET].startswith(
        "Vilkårene for individuell plan ser ut til å være oppfylt")
    assert words[s.ASSESSED_NO] == "Vår vurdering: nei"


@given(st.booleans(), st.sampled_from([None, "har_ip", "oppfylt", "vurder", "ikke", "uavklart"]),
       st.sampled_from([None, "ja", "nei"]),
       st.sampled_from([None, "takket_ja", "takket_nei", "ikke_svart"]))
def test_every_combination_has_exactly_one_worded_status(signed, outcome, decision, answer):
    key = s.status_key(signed, outcome, decision, answer)
    assert [k for k in s.STATUSES if k == key] == [key]
    # a person who already has a plan is never counted as «ikke tilbudt»
    if signed and outcome == "har_ip" and decision == "ja" and answer is None:
        assert key == s.HAS_PLAN


def test_outcome_heading_fills_no_placeholder():
    reg = load_all("instruments")
    words = s.status_words(reg.get("alna-kartlegging", 3))
    assert words[s.HAS_PLAN] == "Vår vurdering: ja, har individuell plan"
    assert s.outcome_heading({
        "text": "Personen har individuell plan (fra {answer}). Vurder om planen er oppdatert.",
        "text_unanswered": "Personen har individuell plan (dato ikke registrert). Vurder om "
                           "planen er oppdatert."}) == (
        "Personen har individuell plan. Vurder om planen er oppdatert.")
    assert s.outcome_heading({"text": "kriseplan: {answer}", "text_unanswered": "ingen"}) == "ingen"
