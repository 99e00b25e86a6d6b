"""The language of a self-rating on the tablet: which translations the person may choose
from, and the words a rating's pages are shown in (domain/translations.py loads them)."""
from flask import current_app

from ..assessments import drafts
from ..domain.translations import Translation
from ..models import Assessment


def _all():
    return current_app.extensions["translations"]


def choices(rating: Assessment) -> list[Translation]:
    """Every language of the rating's form version, bokmål first (empty: bokmål only)."""
    return _all().languages(drafts.instrument_of(rating))


def of(rating: Assessment) -> Translation:
    """The words the rating's pages are shown in: the person's choice, else bokmål."""
    words = _all().for_instrument(drafts.instrument_of(rating), rating.language)
    if words is None:  # the app ships a bokmål file for livskvalitet; a folder without one
        raise RuntimeError("Fant ingen språkfil på bokmål for livskvalitet "
                           "(livskvalitet.v<n>.nb.yaml i skjemamappen).")
    return words


def chosen(rating: Assessment, code: str) -> Translation | None:
    """The language a posted code names, if the rating's form has it."""
    return next((t for t in choices(rating) if t.language == code), None)
