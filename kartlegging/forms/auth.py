"""Hand-written forms for login and password confirmation."""

from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from .base import Form


class LoginForm(Form):
    username = StringField("Brukernavn", validators=[
        DataRequired("Skriv brukernavnet ditt."), Length(max=80)])
    password = PasswordField("Passord", validators=[
        DataRequired("Skriv passordet ditt."), Length(max=200)])


class PasswordConfirmForm(Form):
    password = PasswordField("Ditt passord", validators=[
        DataRequired("Skriv passordet ditt for å bekrefte."), Length(max=200)])


class SignForm(PasswordConfirmForm):
    """The version of the draft the signer saw: a save since then stops the signing."""
    version = HiddenField()


class HandoverLoginForm(Form):
    """Ending a hand-over by logging in on the unlock page: the same staff member (a fresh
    login) or a colleague of the person's team. Names of its own, beside «Ditt passord»."""
    login_username = StringField("Brukernavn", validators=[
        DataRequired("Skriv brukernavnet."), Length(max=80)])
    login_password = PasswordField("Passord", validators=[
        DataRequired("Skriv passordet."), Length(max=200)])
    login_code = StringField("Engangskode fra appen på telefonen (bare hvis kontoen bruker "
                             "tofaktor)", validators=[Length(max=12)])
