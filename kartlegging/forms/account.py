"""Forms for two-factor enrolment, the second login step and the admin policy."""

from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from .base import Form


class CodeForm(Form):
    code = StringField("Engangskode (6 siffer fra appen)", validators=[
        InputRequired("Skriv koden fra autentiseringsappen."), Length(max=12)])


class EnrollForm(CodeForm):
    """Turning two-factor on (or moving it to a new phone) needs the account's password:
    a session left open on a tablet is not enough."""
    password = PasswordField("Ditt passord", validators=[
        DataRequired("Skriv passordet ditt for å bekrefte."), Length(max=200)])


class PolicyForm(Form):
    require = BooleanField("Krev tofaktor-innlogging for teamledere og administratorer")
