"""One IP status per person, in the instrument's own words."""
import pytest

from kartlegging.domain import ip_status as s
from kartlegging.domain.instruments import load_all


@pytest.mark.parametrize("signed,outcome,decision,answer,expected", [
    (False, None, None, None, s.NOT_ASSESSED),
    (True, "vurder", None, None, s.NOT_ASSESSED),
    (True, "oppfylt", None, None, s.PROMPT_MET),
    (True, "oppfylt", "nei", None, s.ASSESSED_NO),
    (True, "ikke", "ja", None, s.NOT_OFFERED),
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
