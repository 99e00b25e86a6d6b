"""Instrument section -> WTForms form class, through one registry of item types.

Fields are all optional while drafting (a draft can be saved half-way); `required` is
enforced when signing (rules.problems). Values are validated against the item definition.
"""
from __future__ import annotations

import threading
from datetime import date
from typing import NamedTuple

from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..domain.instrument_types import (
    DECLINE,
    DECLINE_LABEL,
    SAFE_INTEGER,
    Instrument,
    Item,
    Section,
)
from .base import Form
from .fields import (
    ChoiceField,
    InRange,
    MultiCheckboxField,
    NorwegianDateField,
    NorwegianIntegerField,
)
from .fields import choices as make_choices


def _choices(item: Item):
    # On screen every option starts with a capital letter; the file's own wording (lower
    # case, for running text such as the IP reasons) stays as it is everywhere else.
    choices = [(o.value, o.label[:1].upper() + o.label[1:]) for o in item.options]
    if item.type == "scale":
        choices = [(str(v), str(v)) for v in range(item.min, item.max + 1)]
    if item.decline:
        choices.append((DECLINE, DECLINE_LABEL))
    return make_choices(choices)


def _text(item, kw):
    cls = TextAreaField if item.type == "long_text" else StringField
    kw["validators"].append(Length(max=item.max_length,
                                   message=f"Svaret kan være høyst {item.max_length} tegn."))
    return cls(**kw)


def _choice(item, kw):
    return ChoiceField(choices=_choices(item), validate_choice=False, **kw)


def _multi(item, kw):
    return MultiCheckboxField(choices=_choices(item), validate_choice=False, **kw)


def _date(item, kw):
    return NorwegianDateField(format="%Y-%m-%d", **kw)


def _number(item, kw):
    # Within what an answer can hold first (also where the item sets no limit), then the
    # item's own limits with their own message.
    kw["validators"].append(InRange(-SAFE_INTEGER, SAFE_INTEGER, SAFE_MESSAGE, last=True))
    lo, hi = item.min, item.max
    if lo is not None or hi is not None:
        kw["validators"].append(InRange(lo, hi, _range_message(lo, hi)))
    return NorwegianIntegerField(**kw)


def _grouped(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


SAFE_MESSAGE = (f"Tallet er for stort til å lagres. Skriv et tall fra −{_grouped(SAFE_INTEGER)} "
                f"til {_grouped(SAFE_INTEGER)}.")


def _range_message(lo, hi) -> str:
    if lo is not None and hi is not None:
        return f"Skriv et tall fra {lo} til {hi}."
    return f"Skriv et tall på minst {lo}." if lo is not None else f"Skriv et tall på høyst {hi}."


# item type -> (field factory, template macro)
ITEM_TYPES = {
    "text": (_text, "text_item"),
    "long_text": (_text, "text_item"),
    "single_choice": (_choice, "choice_item"),
    "yes_no": (_choice, "choice_item"),
    "scale": (_choice, "scale_item"),
    "multiple_choice": (_multi, "multi_item"),
    "date": (_date, "date_item"),
    "number": (_number, "number_item"),
    # a text among the questions: a field that is never shown nor posted, so never answered
    "display": (lambda item, kw: StringField(**kw), "display_item"),
}


class SectionForm(Form):
    """Base for built forms; knows its section and converts to/from stored answers."""
    section: Section = None
    field_names: tuple[str, ...] = ()  # the items' and their comments' names, in order

    def answers(self) -> dict:
        out = {}
        for item in self.section.items:
            out[item.id] = self._stored(item)
            if item.comment:
                out[item.comment_id] = self._comment(item)
        return out

    def _stored(self, item: Item):
        """The item's field as the answer is stored (None when empty)."""
        value = self[item.id].data
        if isinstance(value, str):
            value = value.strip() or None
        if item.type == "scale" and value not in (None, DECLINE):
            value = int(value)
        elif item.type == "date" and value is not None:
            value = value.isoformat()
        return value

    def _comment(self, item: Item) -> str:
        return (self[item.comment_id].data or "").strip()


def _field(item: Item):
    factory, _ = ITEM_TYPES[item.type]
    kw = {"label": item.label, "validators": [Optional()], "description": item.help or ""}
    return factory(item, kw)


_CACHE: dict[tuple, type[SectionForm]] = {}


def form_class(instrument: Instrument, section_id: str) -> type[SectionForm]:
    key = (instrument.key, instrument.version, section_id)
    if key not in _CACHE:
        _CACHE[key] = _build(instrument, section_id)
    return _CACHE[key]


_bound = threading.local()


def processed_form(instrument: Instrument, section_id: str, formdata,
                   only: list[str] | None = None) -> SectionForm:
    """The section's form holding `formdata`, for the JSON autosave (no CSRF field: the
    request's token is checked before any view). Binding a form's fields costs more than
    validating them, so each thread keeps one bound form per section and processes it again
    (WTForms' `Form.process` sets every field from the new data and clears its errors).
    With `only`, just those fields are processed: the others still hold an earlier request's
    data and must not be read."""
    forms = _bound.__dict__.setdefault("forms", {})
    key = (instrument.key, instrument.version, section_id)
    form = forms.get(key)
    if form is None:
        form = forms[key] = form_class(instrument, section_id)(formdata=formdata,
                                                               meta={"csrf": False})
    elif only is None:
        form.process(formdata)
    else:
        for name in only:
            form[name].process(formdata)
    return form


def _as_posted(value) -> list[str]:
    """A stored answer as the browser posts it back unchanged."""
    if value in (None, "", []):
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


class Checked(NamedTuple):
    answers: dict  # every field of the section, as SectionForm.answers gives them
    errors: dict   # field name -> messages, of the fields that changed


def checked_changes(instrument: Instrument, section_id: str, formdata,
                    stored: dict) -> Checked:
    """The autosave's answers of one section: only the fields whose posted value differs from
    the stored answer go through the form's processing and validators (a person typing changes
    one field per save); the others keep their stored answer, checked when it was saved.
    Empty and missing fields are the same (no answer)."""
    section = instrument.section(section_id)
    changed = [name for name in form_class(instrument, section_id).field_names
               if [v for v in formdata.getlist(name) if v != ""] != _as_posted(stored.get(name))]
    form = processed_form(instrument, section_id, formdata, only=changed)
    errors = {}
    for name in changed:
        if not form[name].validate(form):
            errors[name] = form[name].errors
    out = {}
    for item in section.items:
        out[item.id] = form._stored(item) if item.id in changed else stored.get(item.id)
        if item.comment:
            key = item.comment_id
            out[key] = form._comment(item) if key in changed else stored.get(key) or ""
    return Checked(out, errors)


def _build(instrument: Instrument, section_id: str) -> type[SectionForm]:
    section = instrument.section(section_id)
    attrs = {"section": section, "field_names": tuple(
        name for i in section.items for name in ((i.id, i.comment_id) if i.comment else (i.id,)))}
    for item in section.items:
        attrs[item.id] = _field(item)
        if item.comment:
            attrs[item.comment_id] = TextAreaField(
                "Kommentar", validators=[Optional(), Length(
                    max=2000, message="Kommentaren kan være høyst 2000 tegn.")])
    return type(f"Form_{instrument.key}_{instrument.version}_{section_id}", (SectionForm,), attrs)


def stored_to_formdata(section: Section, answers: dict) -> dict:
    """Stored answers as the `data=` a form is built with."""
    data = {}
    for item in section.items:
        value = answers.get(item.id)
        if item.type == "scale" and isinstance(value, int):
            value = str(value)
        elif item.type == "date" and value:
            try:
                value = date.fromisoformat(value)
            except ValueError:
                value = None
        data[item.id] = value
        if item.comment:
            data[item.comment_id] = answers.get(item.comment_id)
    return data


def macro_for(item: Item) -> str:
    return ITEM_TYPES[item.type][1]
