"""Samtykke rules (Tiltak 1 and 7): validity over time, plain-language text, the category lists.

Pure: `today` is passed in, and a consent is any object with the Consent model's attributes.
"""
from datetime import date

import yaml

from .instrument_types import InstrumentError

STATUS_LABELS = {"i_kraft": "I kraft", "utlopt": "Utløpt", "trukket": "Trukket tilbake",
                 "ikke_startet": "Ikke gyldig ennå"}
HOW = {"skriftlig": "Skriftlig", "muntlig": "Muntlig"}
DIRECTIONS = {"fra": "Innhente opplysninger fra", "til": "Gi opplysninger til",
              "begge": "Utveksle opplysninger med"}


def status(consent, today: date) -> str:
    if consent.withdrawn_on is not None and consent.withdrawn_on <= today:
        return "trukket"
    if consent.valid_from > today:
        return "ikke_startet"
    if consent.valid_until is not None and consent.valid_until < today:
        return "utlopt"
    return "i_kraft"


def describe(consent, party_labels: dict, category_labels: dict) -> str:
    """One line in plain Norwegian: what, with whom, for how long."""
    party = party_labels.get(consent.party_kind, consent.party_kind)
    if consent.party_name:
        party = f"{party}: {consent.party_name}"
        if consent.party_relation:
            party += f" ({consent.party_relation})"
    what = [category_labels.get(c, c) for c in consent.categories or []]
    if consent.categories_text:
        what.append(consent.categories_text)
    until = (f"til {consent.valid_until.strftime('%d.%m.%Y')}" if consent.valid_until
             else "til det trekkes tilbake")
    return (f"{DIRECTIONS.get(consent.direction, '')} {party} – "
            f"{', '.join(what) or 'ikke angitt'} – fra {consent.valid_from.strftime('%d.%m.%Y')} "
            f"{until} ({HOW.get(consent.given_how, consent.given_how).lower()})")



def load_lists(path) -> dict:
    """The consent categories and parties (instruments/consent_categories.yaml), validated."""
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    out = {}
    for key in ("categories", "parties"):
        entries = (data or {}).get(key)
        if not isinstance(entries, list) or not entries:
            raise InstrumentError(f"{path}: mangler '{key}'")
        for i, e in enumerate(entries):
            if not isinstance(e, dict) or not e.get("value") or not e.get("label"):
                raise InstrumentError(f"{path}: {key}[{i}]: trenger 'value' og 'label'")
        out[key] = {e["value"]: e["label"] for e in entries}
    if "parorende" not in out["parties"]:
        raise InstrumentError(f"{path}: parties må ha verdien 'parorende'")
    return out
