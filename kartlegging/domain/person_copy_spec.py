"""What «Din kartlegging», the person's own copy of a signed kartlegging, takes from a form:
read from instruments/person_copy.yaml and checked against the instruments at start-up, naming
file and path, so a copy never shows an item that is not there or a staff-only field by
accident. The format is documented in instruments/README.md."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .instrument_types import InstrumentError

FILE = "person_copy.yaml"
CHOICE_TYPES = ("yes_no", "single_choice", "date", "text", "long_text")


@dataclass(frozen=True)
class FormCopy:
    own_words: tuple[str, ...]
    agreed: tuple[tuple[str, str], ...]   # (item id, the label written to the person)


@dataclass(frozen=True)
class PersonCopySpec:
    forms: dict[str, FormCopy]
    reach_team: str

    def of(self, key: str) -> FormCopy | None:
        return self.forms.get(key)


def _fail(path: str, msg: str):
    raise InstrumentError(f"{FILE}: {path}: {msg}")


def load(directory: str | Path, registry) -> PersonCopySpec:
    """The spec, or an empty one when the folder has no person_copy.yaml (no copy offered)."""
    path = Path(directory) / FILE
    if not path.exists():
        return PersonCopySpec(forms={}, reach_team="")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise InstrumentError(f"{FILE}: ugyldig YAML: {e}") from e
    if not isinstance(data, dict) or set(data) - {"forms", "reach_team"}:
        _fail("(rot)", "må ha 'forms' og 'reach_team', og ikke annet")
    reach = data.get("reach_team")
    if not isinstance(reach, str) or not reach.strip():
        _fail("reach_team", "mangler tekst")
    forms = {}
    for key, raw in (data.get("forms") or {}).items():
        p = f"forms.{key}"
        versions = [i for i in registry if i.key == key]
        if not versions:
            _fail(p, f"ukjent skjema '{key}'")
        if not isinstance(raw, dict) or set(raw) - {"own_words", "agreed"}:
            _fail(p, "må ha 'own_words' og 'agreed', og ikke annet")
        known = {}
        for inst in versions:
            known.update(inst.items)
        own = raw.get("own_words") or []
        for n, item_id in enumerate(own):
            if item_id not in known:
                _fail(f"{p}.own_words[{n}]", f"ukjent spørsmål '{item_id}'")
            if known[item_id].type not in ("text", "long_text"):
                _fail(f"{p}.own_words[{n}]", "personens egne ord må være et tekstspørsmål")
        agreed = []
        for n, row in enumerate(raw.get("agreed") or []):
            rp = f"{p}.agreed[{n}]"
            if not isinstance(row, dict) or set(row) != {"q", "label"}:
                _fail(rp, "må være {q: <spørsmål>, label: <tekst til personen>}")
            if row["q"] not in known:
                _fail(f"{rp}.q", f"ukjent spørsmål '{row['q']}'")
            if known[row["q"]].type not in CHOICE_TYPES:
                _fail(f"{rp}.q", f"typen {known[row['q']].type} passer ikke i kopien")
            if not isinstance(row["label"], str) or not row["label"].strip():
                _fail(f"{rp}.label", "mangler tekst")
            agreed.append((row["q"], row["label"]))
        forms[key] = FormCopy(own_words=tuple(own), agreed=tuple(agreed))
    return PersonCopySpec(forms=forms, reach_team=reach.strip())
