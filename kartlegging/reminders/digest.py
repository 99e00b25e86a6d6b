"""The weekly digest: counts and a link, composed with the standard library's email package
and sent through the configured SMTP server (config.py, MAIL_*).

What a digest may hold is decided here and nowhere else: numbers, the date and the app's
address. Never a name, a number that identifies someone, a document id or an answer: e-mail is
not a safe channel for them. The counts are the same as the start page's (lead.overview).
"""
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import current_app
from sqlalchemy import select

from ..clock import now_utc, today
from ..domain.due import OSLO
from ..extensions import db
from ..lead import overview
from ..models import ReminderSetting, User
from .since_visit import fell_due_count

# Weekly, whatever the timer: a daily timer sends each one once a week.
EVERY = timedelta(days=6, hours=12)


@dataclass(frozen=True)
class Counts:
    overdue: int        # forfalt eller aldri kartlagt
    soon: int           # forfaller innen 14 dager
    fell_due_week: int  # fell due in the last 7 days
    no_coordinator: int


def counts_for(user: User, team: bool) -> Counts:
    interval, day = current_app.config["REASSESS_AFTER_DAYS"], today()
    contact = None if team else user.id
    c = overview.summary_counts(user.team_id, day, interval, contact_id=contact)
    week = fell_due_count(user.team_id, now_utc() - timedelta(days=7), day, interval,
                          contact_id=contact)
    return Counts(c["forfalt"], c["snart"], week, c["uten_koordinator"])


def _lines(title: str, c: Counts) -> list[str]:
    cap = overview.COUNT_CAP

    def n(v: int) -> str:
        return f"over {cap}" if v > cap else str(v)
    return [title,
            f"  Forfalt eller aldri kartlagt: {n(c.overdue)}",
            f"  Forfalt den siste uken: {n(c.fell_due_week)}",
            f"  Forfaller innen 14 dager: {n(c.soon)}",
            f"  Uten koordinator: {n(c.no_coordinator)}", ""]


def compose(to: str, own: Counts, team: Counts | None, *, sender: str, app_url: str,
            now: datetime) -> EmailMessage:
    """The message: counts and a link, nothing about any person. `now` is aware (Oslo)."""
    base = app_url.rstrip("/")
    body = [f"Ukentlig oversikt fra Kartlegging, {now.strftime('%d.%m.%Y')}.", ""]
    body += _lines("Personer du er fast kontaktperson for:", own)
    if team is not None:
        body += _lines("Hele teamet:", team)
    body += [f"Logg inn for å se hvem det gjelder: {base}/",
             *([f"Oppfølging for teamet: {base}/oppfolging?forfall=forfalt"] if team else []),
             "",
             "E-posten har bare antall. Navn og andre opplysninger om personene sendes aldri "
             "på e-post.",
             "Du får den fordi du har slått på ukentlig e-post i Kartlegging. Slå den av "
             f"under «Varsler»: {base}/varsler"]
    msg = EmailMessage()
    msg["Subject"] = "Kartlegging: ukentlig oversikt"
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content("\n".join(body) + "\n")
    return msg


def _connect(cfg) -> smtplib.SMTP:
    if cfg["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=30,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=30)
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
    if cfg["MAIL_USERNAME"]:
        smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
    return smtp


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0    # refused by the server (address); the others are still sent


def due_recipients(force: bool = False):
    """(setting, user) of active users with the digest on and an address, not sent to this
    week (unless `force`)."""
    rows = db.session.execute(
        select(ReminderSetting, User).join(User, User.id == ReminderSetting.user_id)
        .where(ReminderSetting.digest_weekly.is_(True), ReminderSetting.digest_email.is_not(None),
               User.active.is_(True))
        .order_by(User.id)).all()
    limit = now_utc() - EVERY
    return [(s, u) for s, u in rows
            if force or s.digest_sent_at is None or s.digest_sent_at <= limit]


def send_all(force: bool = False) -> Outcome:
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        raise RuntimeError("MAIL_SERVER er ikke satt: ingen e-post kan sendes.")
    todo = due_recipients(force)
    out = Outcome()
    if not todo:
        return out
    now = datetime.now(OSLO)
    with _connect(cfg) as smtp:
        for setting, user in todo:
            own = counts_for(user, team=False)
            team = counts_for(user, team=True) if user.is_lead else None
            msg = compose(setting.digest_email, own, team, sender=cfg["MAIL_FROM"],
                          app_url=cfg["MAIL_APP_URL"], now=now)
            try:
                smtp.send_message(msg)
            except smtplib.SMTPRecipientsRefused:
                out.failed += 1
                continue
            setting.digest_sent_at = now_utc()
            db.session.commit()  # each sent one is recorded at once: a later failure resends none
            out.sent += 1
    return out
