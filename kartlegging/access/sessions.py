"""Server-side login sessions: the signed cookie holds a random token, the database says
whether that login is still open. Ending the row ends every copy of the cookie at once."""
import hashlib
import secrets
from functools import cache

from flask import session
from sqlalchemy import and_, bindparam, select

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


@cache
def _open_user_query():
    # Built once: building the statement cost more than running it (every request runs it).
    return select(User).join(LoginSession, and_(
        LoginSession.user_id == User.id, LoginSession.token_sha256 == bindparam("digest"),
        LoginSession.ended_at.is_(None))).where(User.id == bindparam("user_id"),
                                                User.active.is_(True))


def open_user(user_id: int) -> User | None:
    """The active user whose open login the cookie's token names, in one query (the login
    fence runs this on every request)."""
    token = session.get(KEY)
    if not isinstance(token, str) or not token:
        return None
    return db.session.scalar(_open_user_query(),
                             {"digest": _digest(token), "user_id": user_id})


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
