"""When a person's situation is due to be evaluated again (Oslostandard tiltak 7).

Pure: times come in as naive UTC (as stored), days are counted in calendar days in the
service's time zone, so a kartlegging signed at 00:30 Oslo time on a daylight-saving day counts
from that Oslo date, not from the UTC date before it.
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
SOON_DAYS = 14

# States, in order of urgency. "aldri": never signed, so due now.
NEVER, OVERDUE, SOON, OK = "aldri", "forfalt", "snart", "ok"
LABELS = {NEVER: "Aldri kartlagt – forfaller nå", OVERDUE: "Forfalt", SOON: "Forfaller snart",
          OK: "I rute"}


@dataclass(frozen=True)
class Due:
    state: str
    date: date          # the next evaluation date (today when never signed)
    days: int           # days from today to that date (negative when overdue)

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def urgent(self) -> bool:
        return self.state in (NEVER, OVERDUE, SOON)


def local_date(utc_naive: datetime, tz: ZoneInfo = OSLO) -> date:
    return utc_naive.replace(tzinfo=UTC).astimezone(tz).date()


def start_of_day_utc(day: date, tz: ZoneInfo = OSLO) -> datetime:
    """The naive UTC instant at which `day` begins in `tz` (23:00 or 22:00 UTC the day before)."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


def due_date(signed_at: datetime, interval_days: int, tz: ZoneInfo = OSLO) -> date:
    return local_date(signed_at, tz) + timedelta(days=interval_days)


def due(signed_at: datetime | None, today: date, interval_days: int,
        soon_days: int = SOON_DAYS, tz: ZoneInfo = OSLO) -> Due:
    """The next evaluation: last signing + interval; never signed → due today."""
    if signed_at is None:
        return Due(NEVER, today, 0)
    when = due_date(signed_at, interval_days, tz)
    days = (when - today).days
    state = OVERDUE if days < 0 else SOON if days <= soon_days else OK
    return Due(state, when, days)


@dataclass(frozen=True)
class Cutoffs:
    """The same rule as `due`, as UTC instants a database can compare signed_at with.

    overdue ⇔ signed_at < overdue_before; due soon ⇔ overdue_before <= signed_at < soon_before.
    """
    overdue_before: datetime
    soon_before: datetime


def cutoffs(today: date, interval_days: int, soon_days: int = SOON_DAYS,
            tz: ZoneInfo = OSLO) -> Cutoffs:
    # due_date < today  ⇔  local signing date < today - interval
    overdue = start_of_day_utc(today - timedelta(days=interval_days), tz)
    # due_date <= today + soon  ⇔  local signing date < today + soon - interval + 1
    soon = start_of_day_utc(today + timedelta(days=soon_days - interval_days + 1), tz)
    return Cutoffs(overdue, soon)
