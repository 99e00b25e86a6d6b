"""The reminders settings form: the weekly digest and the address it goes to."""
import re

from wtforms import BooleanField, StringField
from wtforms.validators import Length, ValidationError

from .base import Form

# A plain check of the shape; the mail server is the judge of the rest.
ADDRESS = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[A-Za-z]{2,}$")


class DigestForm(Form):
    digest_weekly = BooleanField("Send meg en ukentlig e-post med antall")
    # No Optional(): it would stop the check below, which needs an address when the digest
    # is turned on.
    digest_email = StringField("E-postadresse på jobben", validators=[
        Length(max=254, message="Adressen kan være høyst 254 tegn.")])

    def validate_digest_email(self, field):
        value = (field.data or "").strip()
        if value and not ADDRESS.match(value):
            raise ValidationError("Skriv en gyldig e-postadresse, for eksempel "
                                  "navn@bydel-alna.oslo.kommune.no.")
        if self.digest_weekly.data and not value:
            raise ValidationError("Skriv e-postadressen e-posten skal sendes til.")
