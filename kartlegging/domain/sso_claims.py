"""Single sign-on: which role in which team the identity provider's claims give. Pure.

The group map comes from configuration: {group name: {"role": ..., "team": ...}}. A user in
several mapped groups gets the highest role; between groups of that role, the first in the
map wins (so the configuration decides, not the order the provider lists groups in).
"""
import json
from dataclasses import dataclass

RANK = {"ansatt": 1, "teamleder": 2, "admin": 3}


@dataclass(frozen=True)
class Grant:
    role: str
    team: str
    group: str


class GroupMapError(ValueError):
    """The configured group map is malformed; the message names the entry."""


def parse_group_map(raw) -> dict[str, Grant]:
    """The configured map (a dict, or JSON text from the environment), checked."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as e:
            raise GroupMapError(f"OIDC_GROUP_MAP er ikke gyldig JSON: {e}") from e
    if not isinstance(raw, dict):
        raise GroupMapError("OIDC_GROUP_MAP må være et objekt {gruppe: {role, team}}")
    out = {}
    for group, entry in raw.items():
        if not isinstance(entry, dict) or entry.get("role") not in RANK \
                or not isinstance(entry.get("team"), str) or not entry["team"].strip():
            raise GroupMapError(f"OIDC_GROUP_MAP[{group!r}]: trenger role (ansatt, "
                                "teamleder eller admin) og team (navn)")
        out[str(group)] = Grant(role=entry["role"], team=entry["team"].strip(),
                                group=str(group))
    return out


def groups_of(claims: dict, claim: str) -> list[str]:
    """The group claim as a list of strings (a single string counts as one group)."""
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def grant_for(claims: dict, group_claim: str, group_map: dict[str, Grant]) -> Grant | None:
    """The role and team the claims give, or None when no group matches."""
    member = set(groups_of(claims, group_claim))
    best = None
    for group, grant in group_map.items():
        if group in member and (best is None or RANK[grant.role] > RANK[best.role]):
            best = grant
    return best
