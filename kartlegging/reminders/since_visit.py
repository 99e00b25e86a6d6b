"""What fell due since a staff member's previous visit: counted at every page view of Mine
personer from two stored login times (no snapshot kept), for their own persons (fast
kontaktperson) and, for team leads, for the team.

"Fell due" means the next evaluation date (domain/due.py) lies after the Oslo day of the
previous login and not after today, or the person was registered since then and has never
been mapped (due at once).
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_login import current_user
from sqlalchemy import func, select

from ..clock import now_utc, today
from ..domain.due import local_date, start_of_day_utc
from ..extensions import db
from ..models import NEVER_SIGNED, ContactAssignment, Person, ReminderSetting


def setting_of(user_id: int) -> ReminderSetting:
    row = db.session.get(ReminderSetting, user_id)
    if row is None:
        row = ReminderSetting(user_id=user_id)
        db.session.add(row)
    return row


def on_login(sender, user, **extra) -> None:
    """The login before this one becomes the previous visit; the login view commits."""
    row = setting_of(user.id)
    row.previous_visit_at, row.last_visit_at = row.last_visit_at, now_utc()


@dataclass(frozen=True)
class SinceVisit:
    since: datetime          # the previous login (naive UTC)
    own: int                 # own persons (fast kontaktperson) that fell due since
    team: int | None         # the team's, for team leads (None for ansatt)


def fell_due_count(team_id: int, since: datetime, day: date, interval_days: int,
                   contact_id: int | None = None) -> int:
    """Persons of the team (or of one kontaktperson) whose evaluation fell due after the
    Oslo day of `since` and on or before `day`."""
    first = local_date(since) + timedelta(days=1)
    # due date = Oslo signing day + interval, so the window moves back by the interval
    lo = start_of_day_utc(first - timedelta(days=interval_days))
    hi = start_of_day_utc(day + timedelta(days=1) - timedelta(days=interval_days))
    due_now = Person.due_order.between(lo, hi - timedelta(microseconds=1))
    new_never = (Person.due_order == NEVER_SIGNED) & (Person.created_at > since)
    stmt = select(func.count()).select_from(Person).where(
        Person.team_id == team_id, due_now | new_never)
    if contact_id is not None:
        stmt = stmt.join(ContactAssignment, (ContactAssignment.person_id == Person.id)
                         & (ContactAssignment.user_id == contact_id)
                         & ContactAssignment.ended_at.is_(None))
    return db.session.scalar(stmt) or 0


def summary_for_current_user() -> SinceVisit | None:
    """For the start page (a template global): None before a second login."""
    if not current_user.is_authenticated:
        return None
    row = db.session.get(ReminderSetting, current_user.id)
    if row is None or row.previous_visit_at is None:
        return None
    interval, day = current_app.config["REASSESS_AFTER_DAYS"], today()
    own = fell_due_count(current_user.team_id, row.previous_visit_at, day, interval,
                         contact_id=current_user.id)
    team = (fell_due_count(current_user.team_id, row.previous_visit_at, day, interval)
            if current_user.is_lead else None)
    return SinceVisit(since=row.previous_visit_at, own=own, team=team)
