"""Template filters and globals: Oslo time, Norwegian dates, instrument helpers."""
from .clock import no_date, oslo_datetime, oslo_time
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


def init_app(app):
    app.jinja_env.filters.update(oslo_datetime=oslo_datetime, oslo_time=oslo_time,
                                 no_date=no_date)
    app.jinja_env.globals.update(macro_for=macro_for, display_value=display_value,
                                 line_chart=line_chart, rating_view=_rating_view,
                                 rating_instrument=_rating_instrument,
                                 describe_consent=_describe_consent,
                                 AREAS=AREAS)
