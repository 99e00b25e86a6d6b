"""Forms for two-factor enrolment, the second login step and the admin policy."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import InputRequired, Length


class CodeForm(FlaskForm):
    code = StringField("Engangskode (6 siffer fra appen)", validators=[
        InputRequired("Skriv koden fra autentiseringsappen."), Length(max=12)])


class PolicyForm(FlaskForm):
    require = BooleanField("Krev tofaktor-innlogging for teamledere og administratorer")
