"""Forms for two-factor enrolment, the second login step and the admin policy."""

from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional

from .base import Form


class CodeForm(Form):
    code = StringField("Engangskode (6 siffer fra appen)", validators=[
        InputRequired("Skriv koden fra autentiseringsappen."), Length(max=12)])


class EnrollForm(CodeForm):
    """Turning two-factor on (or moving it to a new phone) needs the account's password:
    a session left open on a tablet is not enough. Moving it also needs a code from the
    phone it is on now (`current_code`, asked only then)."""
    password = PasswordField("Ditt passord", validators=[
        DataRequired("Skriv passordet ditt for å bekrefte."), Length(max=200)])
    current_code = StringField("Engangskode fra telefonen du bruker nå", validators=[
        Optional(), Length(max=12)])


class PolicyForm(Form):
    require = BooleanField("Krev tofaktor-innlogging for teamledere og administratorer")


class ChangePasswordForm(Form):
    """The current password is asked (and checked by the view) except in the forced change
    right after an admin's reset, whose temporary password was just typed at login."""
    current = PasswordField("Nåværende passord", validators=[Optional(), Length(max=200)])
    password = PasswordField("Nytt passord (minst 12 tegn, bokstaver og tall eller tegn)",
                             validators=[DataRequired("Skriv et nytt passord."),
                                         Length(max=200)])
    confirm = PasswordField("Gjenta det nye passordet", validators=[
        DataRequired("Skriv passordet en gang til."),
        EqualTo("password", "Passordene er ikke like.")])
