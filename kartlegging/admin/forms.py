"""Forms for user and team administration."""
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..domain import hpr
from ..forms.base import Form
from ..models import ROLES

ROLE_CHOICES = [SelectChoice(key, label) for key, label in ROLES.items()]


class UserForm(Form):
    name = StringField("Navn", validators=[DataRequired("Skriv brukerens navn."),
                                           Length(max=120)])
    role = SelectField("Rolle", choices=ROLE_CHOICES)
    team = SelectField("Team", coerce=int, validate_choice=False)
    require_totp = BooleanField("Krev tofaktor-innlogging for denne brukeren")
    hpr_nummer = StringField("HPR-nummer (Helsepersonellregisteret, valgfritt)",
                             validators=[Length(max=20, message="HPR-nummeret er for langt.")])

    def validate_hpr_nummer(self, field):
        try:
            hpr.normalise(field.data)
        except hpr.InvalidHpr as e:
            raise ValidationError(e.message) from e


class NewUserForm(UserForm):
    username = StringField("Brukernavn", validators=[DataRequired("Skriv et brukernavn."),
                                                     Length(max=80)])


class TeamForm(Form):
    name = StringField("Teamets navn", validators=[DataRequired("Skriv teamets navn."),
                                                   Length(max=120)])


class TeamEditForm(TeamForm):
    contact = TextAreaField("Slik når personene teamet", validators=[
        Optional(), Length(max=500, message="Skriv høyst 500 tegn.")])


class MoveForm(Form):
    team = SelectField("Nytt team", coerce=int, validate_choice=False)
    reason = TextAreaField("Hvorfor flyttes personen?", validators=[
        DataRequired("Skriv hvorfor personen flyttes."), Length(max=1000)])


class ConfirmForm(Form):
    """An action button (deactivate, reset password): CSRF only."""

