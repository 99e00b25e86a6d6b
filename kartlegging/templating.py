"""Template filters and globals: Oslo time, Norwegian dates, instrument helpers; static URLs
carry a content hash (`?v=…`) and are then cached as immutable, so a page change is one request."""
import hashlib
import os

from flask import g, request

from .clock import no_date, oslo_datetime, oslo_time
from .domain import abbreviations
from .domain.charts import line_chart
from .domain.instrument_types import AREAS
from .domain.rules import display_value
from .forms.builder import macro_for


def _rating_view(a):
    from flask import current_app

    from .livskvalitet.ratings import to_rating
    return to_rating(a, current_app.extensions["instruments"])


def _rating_instrument(a):
    from .assessments.drafts import instrument_of
    return instrument_of(a)


def _describe_consent(c):
    from .persons.consents import describe_with_labels
    return describe_with_labels(c)


def _static_digest(static_folder: str, filename: str, cache: dict) -> str | None:
    path = os.path.join(static_folder, filename)
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        return None
    key = (filename, mtime)
    if key not in cache:
        with open(path, "rb") as f:
            cache[key] = hashlib.sha256(f.read()).hexdigest()[:16]
    return cache[key]


def _fingerprint_static(app):
    cache: dict = {}

    @app.url_defaults
    def add_digest(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            digest = _static_digest(app.static_folder, values["filename"], cache)
            if digest:
                values["v"] = digest

    @app.after_request
    def immutable(resp):
        if (request.endpoint == "static" and resp.status_code == 200 and request.args.get("v")
                and request.args["v"] == _static_digest(
                    app.static_folder, request.view_args["filename"], cache)):
            resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return resp


def _spell_once_filter(app):
    """The `spell_once` filter: abbreviations of the forms' option labels spelled out at
    their first use on each page (domain/abbreviations.py); the page's state lives in `g`."""
    terms = abbreviations.glossary(
        o.label for inst in app.extensions["instruments"] for item in inst.items.values()
        for o in (item.options or ()))

    def spell_once(text):
        if not hasattr(g, "spelled_out"):
            g.spelled_out = set()
        return abbreviations.spell_once("" if text is None else str(text), terms,
                                        g.spelled_out)
    return spell_once


def _new_page_of_text() -> str:
    """Called where one response holds several pages (the sections fetched for offline use):
    each spells its abbreviations out again."""
    g.spelled_out = set()
    return ""


def init_app(app):
    _fingerprint_static(app)
    app.jinja_env.filters.update(oslo_datetime=oslo_datetime, oslo_time=oslo_time,
                                 no_date=no_date, spell_once=_spell_once_filter(app))
    app.jinja_env.globals.update(macro_for=macro_for, display_value=display_value,
                                 line_chart=line_chart, rating_view=_rating_view,
                                 rating_instrument=_rating_instrument,
                                 describe_consent=_describe_consent,
                                 AREAS=AREAS, new_page_of_text=_new_page_of_text)
