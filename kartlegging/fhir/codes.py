"""FHIR systems, extension URLs and the value mapping shared by every direction. Pure."""
from __future__ import annotations

from ..domain.instrument_types import DECLINE, DECLINE_LABEL, SAFE_INTEGER, Item

DEFAULT_BASE = "https://kartlegging.example.kommune.no/fhir"

# Norwegian identity numbers (Direktoratet for e-helse's OIDs).
IDENTITY_SYSTEMS = {
    "fodselsnummer": "urn:oid:2.16.578.1.12.4.1.4.1",
    "d_nummer": "urn:oid:2.16.578.1.12.4.1.4.2",
    "h_nummer": "urn:oid:2.16.578.1.12.4.1.4.3",
}

# Core and SDC extensions.
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"   # R5's name, read on import
CALCULATED = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
SHORT_TEXT = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-shortText"

# Our own extensions, recognised on import by the name after /StructureDefinition/, so a
# Questionnaire exported by another bydel (another base URL) still imports exactly.
OWN = {
    "condition": "kartlegging-betingelse",    # the exact show_if, when enableWhen cannot say it
    "rules": "kartlegging-regler",            # counters, derived, scores, checks (JSON)
    "item_type": "kartlegging-sporsmalstype",  # yes_no with "vil ikke svare"
    "area": "kartlegging-levekarsomrade",
    "topic": "kartlegging-tema",
    "tiltak": "kartlegging-tiltak",
    "prefill": "kartlegging-forhandsutfylling",  # e.g. last_signed: carried from the last one
    "embed": "kartlegging-innebygd",
    "replaces": "kartlegging-erstatter",
    "sha256": "kartlegging-sha256",
    "source": "kartlegging-kilde",            # {text, reference}: the instrument it is based on
    "self_report": "kartlegging-selvrapport",  # the person may fill it on the tablet
    "sensitive": "kartlegging-sensitiv",      # a personal question: the notice comes first
    "sensitive_notice": "kartlegging-sensitiv-merknad",  # that notice's words
}
HELP_SUFFIX = "__hjelp"
COMMENT_SUFFIX = "__kommentar"
COMMENT_TEXT = "Kommentar"
COMMENT_MAX_LENGTH = 2000   # forms/builder.py


def own_url(base: str, name: str) -> str:
    return f"{base}/StructureDefinition/{OWN[name]}"


def own_name(url: str) -> str | None:
    """'…/StructureDefinition/kartlegging-tema' -> 'topic' (None for other extensions)."""
    tail = url.rsplit("/StructureDefinition/", 1)[-1] if "/StructureDefinition/" in url else ""
    return next((k for k, v in OWN.items() if v == tail), None)


def questionnaire_url(base: str, key: str) -> str:
    return f"{base}/Questionnaire/{key}"


def answer_system(base: str, key: str, item_id: str) -> str:
    return f"{base}/CodeSystem/{key}/{item_id}"


def kind(item: Item) -> str:
    """How an item's value travels in FHIR: boolean, coding, integer, date or string."""
    if item.type == "yes_no" and not item.decline:
        return "boolean"
    if item.type in ("single_choice", "multiple_choice", "yes_no", "scale"):
        return "coding"
    return {"number": "integer", "date": "date"}.get(item.type, "string")


FHIR_TYPES = {"text": "string", "long_text": "text", "single_choice": "choice",
              "multiple_choice": "choice", "yes_no": "choice", "date": "date",
              "number": "integer", "scale": "choice", "display": "display"}
VALUE_KEYS = {"boolean": "Boolean", "coding": "Coding", "integer": "Integer", "date": "Date",
              "string": "String"}


def fhir_type(item: Item) -> str:
    return "boolean" if kind(item) == "boolean" else FHIR_TYPES[item.type]


def encode(item: Item, value, system: str) -> tuple[str, object]:
    """A stored answer as (value[x] suffix, FHIR value)."""
    k = kind(item)
    if k == "boolean":
        return "Boolean", value == "ja"
    if k == "coding":
        if value == DECLINE:
            label = DECLINE_LABEL
        elif item.type == "scale":
            label = item.anchor(value) or str(value)
        else:
            label = item.option_label(value)
            option = item.option(value)
            # an answer code of another system (e.g. LOINC) goes out under that system
            system = option.system if option and option.system else system
        return "Coding", {"system": system, "code": str(value), "display": label}
    return VALUE_KEYS[k], value


class ValueProblem(ValueError):
    """A FHIR value that does not fit an item; the message is Norwegian and names the item."""


def decode(item: Item, suffix: str, value, *, check_range: bool = True):
    """A FHIR value[x]/answer[x] as the stored answer; raises ValueProblem."""
    k = kind(item)
    expected = VALUE_KEYS[k]
    where = f"«{item.label}» ({item.id})"
    if suffix != expected:
        raise ValueProblem(f"{where}: feil type – ventet value{expected}, fikk value{suffix}.")
    if k == "boolean":
        if not isinstance(value, bool):
            raise ValueProblem(f"{where}: valueBoolean må være true eller false.")
        return "ja" if value else "nei"
    if k == "coding":
        code = value.get("code") if isinstance(value, dict) else None
        if not isinstance(code, str) or not code:
            raise ValueProblem(f"{where}: valueCoding mangler code.")
        if code == DECLINE and item.decline:
            return DECLINE
        if item.type == "scale":
            if code.isdigit() and item.min <= int(code) <= item.max:
                return int(code)
            raise ValueProblem(f"{where}: «{code}» ligger utenfor skalaen {item.min}–{item.max}.")
        if code not in {o.value for o in item.options}:
            raise ValueProblem(f"{where}: «{code}» er ikke et svaralternativ.")
        return code
    if k == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueProblem(f"{where}: valueInteger må være et heltall.")
        if not -SAFE_INTEGER <= value <= SAFE_INTEGER:
            shown = str(value) if abs(value) < 10**20 else "et tall med mer enn 20 siffer"
            raise ValueProblem(f"{where}: {shown} er utenfor det som kan lagres (fra "
                               f"{-SAFE_INTEGER} til {SAFE_INTEGER}).")
        low = item.min is not None and value < item.min
        high = item.max is not None and value > item.max
        if check_range and (low or high):
            bounds = " og ".join(t for t in (item.min is not None and f"minst {item.min}",
                                             item.max is not None and f"høyst {item.max}") if t)
            raise ValueProblem(f"{where}: {value} er utenfor det tillatte ({bounds}).")
        return value
    if k == "date":
        if not _is_date(value):
            raise ValueProblem(f"{where}: valueDate må være en dato (ÅÅÅÅ-MM-DD).")
        return value
    if not isinstance(value, str):
        raise ValueProblem(f"{where}: valueString må være tekst.")
    if not storable(value):
        raise ValueProblem(f"{where}: teksten inneholder tegn som ikke kan lagres.")
    if item.max_length and len(value) > item.max_length:
        raise ValueProblem(f"{where}: teksten er lengre enn {item.max_length} tegn.")
    return value


def storable(text: str) -> bool:
    """No NUL bytes (PostgreSQL text) and no lone surrogates (not encodable)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_date(value) -> bool:
    from datetime import date
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def value_of(element: dict, prefix: str) -> tuple[str, object] | None:
    """The one '<prefix>X' key of an element: ('Coding', {...}); None if there is none."""
    found = [(k[len(prefix):], v) for k, v in element.items()
             if k.startswith(prefix) and k[len(prefix):][:1].isupper()]
    return found[0] if len(found) == 1 else None
