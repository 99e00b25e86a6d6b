"""Template filters and globals: Oslo time, Norwegian dates, instrument helpers."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from .charts import line_chart
from .forms.builder import macro_for
from .instruments import AREAS
from .rules import display_value

OSLO = ZoneInfo("Europe/Oslo")


def to_oslo(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(OSLO)


def oslo_datetime(value: datetime | None) -> str:
    v = to_oslo(value)
    return v.strftime("%d.%m.%Y kl. %H:%M") if v else ""


def oslo_time(value: datetime | None) -> str:
    v = to_oslo(value)
    return v.strftime("%H:%M") if v else ""


def no_date(value: date | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return value.strftime("%d.%m.%Y")


def _rating_view(a):
    from flask import current_app

    from .livskvalitet import to_rating
    return to_rating(a, current_app.extensions["instruments"])


def _rating_instrument(a):
    from .answers import instrument_of
    return instrument_of(a)


def _describe_consent(c):
    from .consent_rules import describe_with_labels
    return describe_with_labels(c)


def init_app(app):
    app.jinja_env.filters.update(oslo_datetime=oslo_datetime, oslo_time=oslo_time,
                                 no_date=no_date)
    app.jinja_env.globals.update(macro_for=macro_for, display_value=display_value,
                                 line_chart=line_chart, rating_view=_rating_view,
                                 rating_instrument=_rating_instrument,
                                 describe_consent=_describe_consent,
                                 AREAS=AREAS)
