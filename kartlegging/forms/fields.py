"""Field classes with Norwegian messages and strict choice checks."""
from wtforms import DateField, IntegerField, RadioField, SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError

CHOICE_MSG = "Velg et av alternativene."


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def allowed_values(field) -> set:
    return {c.value for c in field.choices}


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        allowed = {str(v) for v in allowed_values(self)}
        for value in self.data or []:
            if value not in allowed:
                raise ValidationError(CHOICE_MSG)


class ChoiceField(RadioField):
    def pre_validate(self, form):
        if self.data not in (None, "") and self.data not in allowed_values(self):
            raise ValidationError(CHOICE_MSG)


class NorwegianDateField(DateField):
    """A date; an empty value is simply no date (required-ness is a validator's job)."""

    def process_formdata(self, valuelist):
        if not valuelist or not "".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as e:
            raise ValueError("Skriv en gyldig dato (dd.mm.åååå).") from e


class NorwegianIntegerField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as e:
            raise ValueError("Skriv et helt tall (bare siffer).") from e


class InRange:
    """Like NumberRange, but silent when the value could not be parsed (one message only).
    With `last`, a value outside ends the field's validation: its message is the only one."""

    def __init__(self, lo, hi, message, last=False):
        self.lo, self.hi, self.message, self.last = lo, hi, message, last

    def __call__(self, form, field):
        if field.data is None:
            return
        if (self.lo is not None and field.data < self.lo) or \
                (self.hi is not None and field.data > self.hi):
            raise (StopValidation if self.last else ValidationError)(self.message)


class Required:
    """Required value that keeps a parse error ("Skriv en gyldig dato") instead of replacing it.

    WTForms' DataRequired replaces earlier errors, and InputRequired lets a blank " " through
    to a None value; this checks the parsed data.
    """

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.errors:
            raise StopValidation()
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            raise StopValidation(self.message)
