"""Server-side login sessions: the signed cookie holds a random token, the database says
whether that login is still open. Ending the row ends every copy of the cookie at once."""
import hashlib
import secrets
from functools import cache

from flask import session
from flask_login import UserMixin
from sqlalchemy import and_, bindparam, select

from ..clock import now_utc
from ..extensions import db
from ..models import LoginSession, Team, User

KEY = "sid"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User) -> None:
    """A new login: a fresh token in the cookie, its hash in the database (not committed)."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(token_sha256=_digest(token), user_id=user.id))
    session[KEY] = token


def current_digest() -> str | None:
    """The hash of this cookie's login token (the key of its LoginSession row), or None."""
    token = session.get(KEY)
    return _digest(token) if isinstance(token, str) and token else None


class LoginUser(UserMixin):
    """The logged-in user as the login fence reads it on every request: the user row's
    columns and its team's name (`team_name`), read-only. An ORM load of the User cost a
    third of an authenticated request; a view that changes the account, or hands the user
    to a relationship, takes `record`, the User itself (loaded when first asked for)."""

    def __init__(self, row):
        self.__dict__.update(row)

    def __setattr__(self, name, value):
        raise AttributeError(f"LoginUser er skrivebeskyttet ({name}): bruk .record")

    @property
    def record(self) -> User:
        if "_record" not in self.__dict__:
            self.__dict__["_record"] = db.session.get(User, self.id)
        return self.__dict__["_record"]

    # The User's own derived attributes, on the same column values.
    is_sso = User.is_sso
    is_active = User.is_active
    is_lead = User.is_lead
    role_label = User.role_label
    check_password = User.check_password


@cache
def _open_user_query():
    # Built once: building the statement cost more than running it (every request runs it).
    u, s, t = User.__table__, LoginSession.__table__, Team.__table__
    return select(u, t.c.name.label("team_name")).join(s, and_(
        s.c.user_id == u.c.id, s.c.token_sha256 == bindparam("digest"),
        s.c.ended_at.is_(None))).join(t, t.c.id == u.c.team_id) \
        .where(u.c.id == bindparam("user_id"), u.c.active.is_(True))


def open_user(user_id: int) -> LoginUser | None:
    """The active user whose open login the cookie's token names, in one query (the login
    fence runs this on every request)."""
    token = session.get(KEY)
    if not isinstance(token, str) or not token:
        return None
    row = db.session.connection().execute(
        _open_user_query(), {"digest": _digest(token), "user_id": user_id}).mappings().first()
    return None if row is None else LoginUser(row)


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
