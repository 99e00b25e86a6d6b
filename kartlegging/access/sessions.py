"""Server-side login sessions: the signed cookie holds a random token, the database says
whether that login is still open. Ending the row ends every copy of the cookie at once."""
import hashlib
import secrets

from flask import session
from sqlalchemy import select

from ..clock import now_utc
from ..extensions import db
from ..models import LoginSession, User

KEY = "sid"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User) -> None:
    """A new login: a fresh token in the cookie, its hash in the database (not committed)."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(token_sha256=_digest(token), user_id=user.id))
    session[KEY] = token


def is_open(user_id: int) -> bool:
    """The cookie's token names an open login of this user."""
    token = session.get(KEY)
    if not isinstance(token, str) or not token:
        return False
    row = db.session.scalar(select(LoginSession).where(
        LoginSession.token_sha256 == _digest(token)))
    return row is not None and row.user_id == user_id and row.ended_at is None


def end_current() -> None:
    """Logout or timeout: this login ends for every copy of the cookie (commits)."""
    token = session.get(KEY)
    if isinstance(token, str) and token:
        t = LoginSession.__table__
        db.session.execute(t.update().where(t.c.token_sha256 == _digest(token),
                                            t.c.ended_at.is_(None)).values(ended_at=now_utc()))
        db.session.commit()


def end_all(user_id: int) -> int:
    """Password change, deactivation, "log out everywhere": every open login of the user
    ends. Returns how many; the caller commits."""
    t = LoginSession.__table__
    result = db.session.execute(t.update().where(t.c.user_id == user_id,
                                                 t.c.ended_at.is_(None))
                                .values(ended_at=now_utc()))
    return result.rowcount
