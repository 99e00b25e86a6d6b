"""One place for 'now' (so tests can control time) and for showing times in Europe/Oslo."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


def now_utc() -> datetime:
    """Naive UTC, as stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    """Today's date in Oslo."""
    return datetime.now(OSLO).date()


def to_oslo(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:  # stored times are naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(OSLO)


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
