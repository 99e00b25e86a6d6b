"""Forms for two-factor enrolment, the second login step and the admin policy."""

from wtforms import BooleanField, StringField
from wtforms.validators import InputRequired, Length

from .base import Form


class CodeForm(Form):
    code = StringField("Engangskode (6 siffer fra appen)", validators=[
        InputRequired("Skriv koden fra autentiseringsappen."), Length(max=12)])


class PolicyForm(Form):
    require = BooleanField("Krev tofaktor-innlogging for teamledere og administratorer")
