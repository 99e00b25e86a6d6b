"""Consent (samtykke) forms: what, with whom, for how long, how given."""

from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from .base import Form
from .fields import (
    ChoiceField,
    MultiCheckboxField,
    NorwegianDateField,
    Required,
    allowed_values,
    choices,
)


class ConsentForm(Form):
    categories = MultiCheckboxField("Hvilke opplysninger kan deles?", validate_choice=False)
    categories_text = TextAreaField("Andre opplysninger (fritekst)", validators=[
        Optional(), Length(max=1000, message="Høyst 1000 tegn.")])
    direction = ChoiceField("Hva gjelder samtykket?", validate_choice=False, choices=choices([
        ("fra", "Innhente opplysninger fra"), ("til", "Gi opplysninger til"),
        ("begge", "Begge deler")]), validators=[DataRequired("Velg hva samtykket gjelder.")])
    party_kind = SelectField("Med hvem?", validate_choice=False,
                             validators=[DataRequired("Velg hvem samtykket gjelder.")])
    party_name = StringField("Navn (på pårørende, eller tjenesten)", validators=[
        Length(max=200)])
    party_relation = StringField("Relasjon til personen (for pårørende, f.eks. mor, søster)",
                                 validators=[Length(max=120)])
    valid_from = NorwegianDateField("Gyldig fra", validators=[
        Required("Skriv datoen samtykket gjelder fra.")])
    until_withdrawn = BooleanField("Gjelder til det trekkes tilbake")
    valid_until = NorwegianDateField("Gyldig til og med")
    given_how = RadioField("Hvordan ble samtykket gitt?", choices=choices([
        ("skriftlig", "Skriftlig"), ("muntlig", "Muntlig")]),
        validators=[DataRequired("Velg om samtykket er skriftlig eller muntlig.")])

    def validate_categories(self, field):
        allowed = allowed_values(field)
        if not field.data and not (self.categories_text.data or "").strip():
            raise ValidationError("Velg minst én type opplysninger, eller beskriv dem i fritekst.")
        if any(v not in allowed for v in field.data or []):
            raise ValidationError("Velg fra listen.")

    def validate_party_kind(self, field):
        if not field.data or field.data not in allowed_values(field):
            raise ValidationError("Velg hvem samtykket gjelder.")

    def validate_party_name(self, field):
        if self.party_kind.data == "parorende" and not (field.data or "").strip():
            raise ValidationError("Skriv navnet på den pårørende.")

    def validate_party_relation(self, field):
        if self.party_kind.data == "parorende" and not (field.data or "").strip():
            raise ValidationError("Skriv hvilken relasjon den pårørende har til personen.")

    def validate_valid_until(self, field):
        if self.until_withdrawn.data:
            if field.data:
                raise ValidationError("Velg enten en sluttdato eller «til det trekkes tilbake».")
            return
        if not field.data:
            raise ValidationError("Skriv hvor lenge samtykket gjelder, eller kryss av for "
                                  "«til det trekkes tilbake».")
        if self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError("Sluttdatoen kan ikke være før startdatoen.")


class WithdrawForm(Form):
    withdrawn_on = NorwegianDateField("Trukket tilbake dato", validators=[
        Required("Skriv datoen samtykket ble trukket tilbake.")])
