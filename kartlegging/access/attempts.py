"""Security counters: the client's address, password/code tries per account, throttles.

Every counter is changed by one atomic UPDATE and committed at once, before the slow
password check and before anything that could fail later: parallel guesses cannot read the
same count, and a later error (rolled back) never undoes a counted try.
"""
import ipaddress
from datetime import timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import case, func, or_, select

from ..clock import now_utc
from ..extensions import db
from ..models import AuditEvent, User

LOCKED = ("Kontoen er midlertidig låst etter for mange mislykkede forsøk. "
          "Prøv igjen om {m} minutter.")
LOCKED_DETAIL = "konto låst"
MAX_ADDRESS = 45  # the longest textual IPv6 address


def client_address() -> str | None:
    """The client's IP address as seen through the trusted proxies (ProxyFix), or None.

    Anything that is not an IP address (a forged or overlong X-Forwarded-For) is not used:
    the proxy's own address (the TCP peer) stands in for it.
    """
    if not has_request_context():
        return None
    environ = request.environ
    if _ADDRESS not in environ:  # once per request: every audit row asks
        original = environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR")
        environ[_ADDRESS] = next(filter(None, map(_ip_text, (request.remote_addr, original))),
                                 None)
    return environ[_ADDRESS]


_ADDRESS = "kartlegging.client_address"


def _ip_text(candidate: str | None) -> str | None:
    """The address in its normal form, or None if it is not one."""
    text = (candidate or "").strip()
    if not text or len(text) > MAX_ADDRESS:
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def _cfg():
    cfg = current_app.config
    return cfg["LOGIN_MAX_FAILURES"], timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])


def _minutes_until(until) -> int:
    return int((until - now_utc()).total_seconds() // 60) + 1


def locked_message(user: User) -> str:
    until = db.session.scalar(select(User.locked_until).where(User.id == user.id))
    if until is None or until <= now_utc():
        _, lock = _cfg()
        return LOCKED.format(m=int(lock.total_seconds() // 60))
    return LOCKED.format(m=_minutes_until(until))


def reserve_try(user: User) -> int | None:
    """Count one password or code try before it is checked.

    Returns the try's number in the current run (1..LOGIN_MAX_FAILURES), or None when the
    account is locked. The try that reaches the limit locks the account in the same UPDATE,
    so of any number of parallel tries exactly LOGIN_MAX_FAILURES get an answer.
    """
    max_failures, lock = _cfg()
    now = now_utc()
    t = User.__table__
    count = case((t.c.locked_until.is_(None), func.coalesce(t.c.failed_logins, 0) + 1),
                 else_=1)  # a lock that has run out starts a new run
    row = db.session.execute(
        t.update().where(t.c.id == user.id,
                         or_(t.c.locked_until.is_(None), t.c.locked_until <= now))
        .values(failed_logins=count,
                locked_until=case((count >= max_failures, now + lock), else_=None))
        .returning(t.c.failed_logins)).first()
    db.session.commit()
    return None if row is None else row[0]


def refund_try(user: User, number: int) -> None:
    """A right password whose second factor is still to come: that try does not count.

    The lock is lifted only if this very try set it; code guesses stay counted, so a known
    password does not give unlimited guesses at the code.
    """
    max_failures, _ = _cfg()
    t = User.__table__
    values = {"failed_logins": case((t.c.failed_logins > 0, t.c.failed_logins - 1), else_=0)}
    if number >= max_failures:
        values["locked_until"] = None
    db.session.execute(t.update().where(t.c.id == user.id).values(**values))
    db.session.commit()


def reset_tries(user: User) -> None:
    """A completed login or a confirmed password: the run of failures is over."""
    t = User.__table__
    db.session.execute(t.update().where(t.c.id == user.id)
                       .values(failed_logins=0, locked_until=None))
    db.session.commit()


def unknown_user_lock(username: str) -> str | None:
    """Unknown user names lock like real accounts, so the lockout message does not tell
    whether an account exists: after LOGIN_MAX_FAILURES wrong tries in the lock window,
    for LOGIN_LOCK_MINUTES from the try that reached the limit."""
    max_failures, lock = _cfg()
    now = now_utc()
    times = list(db.session.scalars(select(AuditEvent.at).where(
        AuditEvent.action == "login_failed", AuditEvent.user_id.is_(None),
        AuditEvent.username == username, AuditEvent.detail.is_(None),
        AuditEvent.at >= now - lock).order_by(AuditEvent.at, AuditEvent.id)))
    if len(times) < max_failures:
        return None
    until = times[max_failures - 1] + lock
    return LOCKED.format(m=_minutes_until(until)) if until > now else None


def address_throttled() -> bool:
    """Many failed logins from one address in the lock window: refuse before any check."""
    max_failures, lock = _cfg()
    address = client_address()
    same = (AuditEvent.remote_addr.is_(None) if address is None
            else AuditEvent.remote_addr == address)
    n = db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "login_failed", same, AuditEvent.at >= now_utc() - lock))
    return n >= max_failures * 4


def recent_events(action: str, user_id: int, minutes: int) -> int:
    """How many `action` events this user caused in the last `minutes` (throttles)."""
    return db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == action, AuditEvent.user_id == user_id,
        AuditEvent.at >= now_utc() - timedelta(minutes=minutes)))
