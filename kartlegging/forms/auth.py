"""Hand-written forms for login and password confirmation."""
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField("Brukernavn", validators=[
        DataRequired("Skriv brukernavnet ditt."), Length(max=80)])
    password = PasswordField("Passord", validators=[
        DataRequired("Skriv passordet ditt."), Length(max=200)])


class PasswordConfirmForm(FlaskForm):
    password = PasswordField("Ditt passord", validators=[
        DataRequired("Skriv passordet ditt for å bekrefte."), Length(max=200)])
