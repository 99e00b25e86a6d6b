"""Security counters: the client's address, password/code tries per account, throttles.

Every counter is changed by one atomic UPDATE and committed at once, before the slow
password check and before anything that could fail later: parallel guesses cannot read the
same count, and a later error (rolled back) never undoes a counted try.
"""
import ipaddress
import math
from datetime import timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import case, func, or_, select

from ..clock import now_utc
from ..extensions import db
from ..models import AuditEvent, LoginSession, User

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


# ---------------------------------------------------------------- ending a hand-over
#
# Tries at ending a hand-over (the staff member's password, or a login on the unlock page)
# have a counter of their own on the login session, never the account's login lockout: the
# person holding the tablet must not be able to lock staff out of taking it back. Guessing
# is slowed instead: after HANDOVER_FREE_TRIES wrong tries each further try waits a delay
# that doubles (HANDOVER_DELAY_SECONDS, 2x, 4x ...), up to HANDOVER_MAX_DELAY_SECONDS.

HANDOVER_WAIT = "For mange feil forsøk. Vent {wait} før du prøver igjen."


def _handover_cfg() -> tuple[int, float, float]:
    cfg = current_app.config
    return (int(cfg["HANDOVER_FREE_TRIES"]), float(cfg["HANDOVER_DELAY_SECONDS"]),
            float(cfg["HANDOVER_MAX_DELAY_SECONDS"]))


def handover_delay(failures: int) -> float:
    """Seconds the next try waits after `failures` wrong tries in a row (0: none)."""
    free, base, cap = _handover_cfg()
    if failures < free:
        return 0.0
    return min(base * 2 ** min(failures - free, 40), cap)


def seconds_text(seconds: float) -> str:
    n = max(1, math.ceil(seconds))
    return "1 sekund" if n == 1 else f"{n} sekunder"


def reserve_handover_try(token_sha256: str | None) -> tuple[int | None, float]:
    """Count one try at ending the hand-over of the login `token_sha256`, before it is checked.

    Returns (the try's number in the run of wrong tries, 0), or (None, seconds left) while
    the delay after earlier wrong tries runs (None, 0: no such login). The try sets the
    delay that follows it as if it were wrong, in the same UPDATE (a compare-and-set on the
    count), so parallel guesses cannot slip past it; a right try clears it.
    """
    if not token_sha256:
        return None, 0.0
    t = LoginSession.__table__
    for _ in range(5):
        now = now_utc()
        row = db.session.execute(select(t.c.handover_failures, t.c.handover_wait_until)
                                 .where(t.c.token_sha256 == token_sha256)).first()
        if row is None:
            return None, 0.0
        failures, until = row.handover_failures or 0, row.handover_wait_until
        if until is not None and until > now:
            return None, (until - now).total_seconds()
        number = failures + 1
        delay = handover_delay(number)
        result = db.session.execute(t.update().where(
            t.c.token_sha256 == token_sha256, t.c.handover_failures == failures,
            or_(t.c.handover_wait_until.is_(None), t.c.handover_wait_until <= now))
            .values(handover_failures=number,
                    handover_wait_until=now + timedelta(seconds=delay) if delay else None))
        db.session.commit()
        if result.rowcount == 1:
            return number, 0.0
    return None, 1.0  # others are trying at this very moment: wait a little


def clear_handover_tries(token_sha256: str | None) -> None:
    """A right try, or a new hand-over: the run of wrong tries is over."""
    if not token_sha256:
        return
    t = LoginSession.__table__
    db.session.execute(t.update().where(t.c.token_sha256 == token_sha256)
                       .values(handover_failures=0, handover_wait_until=None))
    db.session.commit()
