"""Forms for the team lead's pages: overview filters (GET), printing (POST), figures period."""
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from ..domain import ip_status
from .base import Form
from .fields import NorwegianDateField, choices

SORT_LABELS = {"neste": "Neste evaluering", "navn": "Navn", "kontakt": "Kontaktperson",
               "signert": "Sist signert", "utkast": "Utkast", "livskvalitet": "Livskvalitet",
               "endring": "Endring", "ip": "IP-status", "koordinator": "Koordinator"}


class OverviewFilterForm(Form):
    """Query-string filters; every value is checked against a fixed list."""
    class Meta:
        csrf = False

    q = StringField("Søk på navn eller fødselsnummer", validators=[
        Optional(), Length(max=100, message="Søket kan være høyst 100 tegn.")])
    forfall = SelectField("Forfall", choices=choices([
        ("", "Alle"), ("forfalt", "Forfalt eller aldri kartlagt"),
        ("snart", "Forfaller innen 14 dager"), ("ok", "I rute")]), default="")
    utkast = BooleanField("Bare med utkast under arbeid")
    ip = SelectField("IP-status", default="")
    kontakt = SelectField("Kontaktperson", default="")
    uten_koordinator = BooleanField("Bare uten koordinator")
    sorter = SelectField("Sorter etter", choices=choices(SORT_LABELS.items()),
                         default="neste")
    retning = SelectField("Rekkefølge", choices=choices([("stigende", "Stigende"),
                                                          ("synkende", "Synkende")]),
                          default="stigende")
    side = IntegerField("Side", default=1, validators=[
        Optional(), NumberRange(min=1, max=1_000_000, message="Ugyldig sidetall.")])

    def setup(self, words: dict[str, str], users: list) -> "OverviewFilterForm":
        self.ip.choices = choices([("", "Alle")] + [(k, words[k]) for k in ip_status.STATUSES])
        self.kontakt.choices = choices([("", "Alle")] + [(str(u.id), u.name) for u in users])
        return self

    def validate_side(self, field):
        if field.raw_data and field.raw_data[0] and field.data is None:
            raise ValidationError("Ugyldig sidetall.")


class PrintForm(Form):
    """Which documents to print: the ticked persons, all overdue, or all signed this month."""
    utvalg = SelectField("Utvalg", choices=choices([
        ("valgte", "Valgte personer i listen"), ("forfalte", "Alle forfalte"),
        ("denne_maned", "Alle signert denne måneden")]),
                         default="valgte")


class PeriodForm(Form):
    class Meta:
        csrf = False

    fra = NorwegianDateField("Fra og med", validators=[Optional()])
    til = NorwegianDateField("Til og med", validators=[Optional()])

    def validate_til(self, field):
        if self.fra.data and field.data and field.data < self.fra.data:
            raise ValidationError("«Til og med» kan ikke være før «Fra og med».")
