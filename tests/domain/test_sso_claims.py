"""Group claims → role and team (pure)."""
import pytest

from kartlegging.domain.sso_claims import GroupMapError, grant_for, groups_of, parse_group_map

MAP = parse_group_map('{"rus": {"role": "ansatt", "team": "Alna"},'
                      ' "leder": {"role": "teamleder", "team": "Alna"},'
                      ' "nord": {"role": "teamleder", "team": "Nordstrand"}}')


def test_highest_role_wins_and_map_order_breaks_ties():
    assert grant_for({"groups": ["rus", "leder"]}, "groups", MAP).role == "teamleder"
    g = grant_for({"groups": ["nord", "leder", "rus"]}, "groups", MAP)
    assert (g.role, g.team, g.group) == ("teamleder", "Alna", "leder")


def test_no_matching_group_gives_none():
    assert grant_for({"groups": ["kantine"]}, "groups", MAP) is None
    assert grant_for({}, "groups", MAP) is None


def test_group_claim_as_string_or_list():
    assert groups_of({"roles": "rus"}, "roles") == ["rus"]
    assert groups_of({"roles": ["a", 2]}, "roles") == ["a", "2"]
    assert groups_of({"roles": {"a": 1}}, "roles") == []


@pytest.mark.parametrize("raw,message", [
    ("{ikke json", "ikke gyldig JSON"),
    ("[]", "må være et objekt"),
    ('{"g": {"role": "sjef", "team": "A"}}', "OIDC_GROUP_MAP['g']"),
    ('{"g": {"role": "ansatt", "team": " "}}', "OIDC_GROUP_MAP['g']"),
])
def test_a_bad_map_is_refused_naming_the_entry(raw, message):
    with pytest.raises(GroupMapError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_group_map(raw)
