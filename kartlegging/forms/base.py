"""Base form: WTForms' own messages in Norwegian bokmål (its bundled 'nb' translation)."""
from flask_wtf import FlaskForm


class Form(FlaskForm):
    class Meta:
        locales = ["nb_NO", "nb"]
