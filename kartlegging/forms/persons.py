"""Forms for registering a person and setting kontaktperson / koordinator."""
from flask import current_app
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..domain.identity import InvalidIdentityNumber, validate
from .base import Form
from .fields import NorwegianDateField, Required, allowed_values


def _one_contact(field):
    """Exactly one fast kontaktperson (Tiltak 1): two posted values are refused, not truncated."""
    if len(field.raw_data or []) > 1:
        raise ValidationError("Velg én fast kontaktperson, ikke flere.")
    if field.data not in allowed_values(field):
        raise ValidationError("Velg en kontaktperson fra teamet.")


class PersonForm(Form):
    name = StringField("Fullt navn", validators=[
        DataRequired("Skriv personens navn."), Length(max=200, message="Navnet er for langt.")])
    national_id = StringField("Fødselsnummer eller D-nummer (11 siffer; FH-nummer går også)",
                              validators=[
        Length(max=20, message="Nummeret er for langt.")])
    no_number = BooleanField("Personen har ikke (eller vil ikke oppgi) fødselsnummer")
    no_id_reason = TextAreaField("Hvorfor mangler nummeret?", validators=[
        Length(max=1000, message="Begrunnelsen kan være høyst 1000 tegn.")])
    kontaktperson = SelectField("Fast kontaktperson", coerce=int, validate_choice=False)

    identity = None

    def validate_national_id(self, field):
        if self.no_number.data:
            if field.data and field.data.strip():
                raise ValidationError("Fjern nummeret, eller fjern krysset for «har ikke nummer».")
            return
        if not (field.data or "").strip():
            raise ValidationError("Skriv fødselsnummer eller D-nummer (eller FH-nummer), eller "
                                  "kryss av for at personen ikke har nummer.")
        try:
            self.identity = validate(
                field.data, allow_synthetic=current_app.config["FNR_ALLOW_SYNTHETIC"],
                rule_2032=current_app.config["FNR_RULE_2032"])
        except InvalidIdentityNumber as e:
            raise ValidationError(str(e)) from e

    def validate_no_id_reason(self, field):
        if self.no_number.data and not (field.data or "").strip():
            raise ValidationError("Skriv hvorfor personen er registrert uten nummer.")

    def validate_kontaktperson(self, field):
        _one_contact(field)


class SearchForm(Form):
    class Meta:
        csrf = False
    q = StringField("Søk på navn eller fødselsnummer", validators=[Optional(), Length(max=100)])


class ContactForm(Form):
    kontaktperson = SelectField("Ny fast kontaktperson", coerce=int, validate_choice=False)

    def validate_kontaktperson(self, field):
        _one_contact(field)


class CoordinatorForm(Form):
    name = StringField("Koordinatorens navn", validators=[
        DataRequired("Skriv koordinatorens navn."), Length(max=200)])
    service = StringField("Tjeneste/enhet", validators=[
        DataRequired("Skriv hvilken tjeneste koordinatoren er fra."), Length(max=200)])
    since = NorwegianDateField("Koordinator fra dato", validators=[
        Required("Skriv datoen koordinatoren ble oppnevnt.")])
