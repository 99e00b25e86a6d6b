"""Hand-written forms for login and password confirmation."""

from wtforms import PasswordField, StringField
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
