"""Optional TOTP two-factor login (pyotp); admins can require it for teamleder and admin."""
import hmac
from datetime import UTC, datetime

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import select

from ..clock import now_utc
from ..extensions import db
from ..models import AppSetting, User

POLICY_KEY = "totp_required_roles"
LEAD_ROLES = ("teamleder", "admin")
ISSUER = "Kartlegging"


def required_roles() -> set[str]:
    row = db.session.get(AppSetting, POLICY_KEY)
    return set(filter(None, (row.value if row else "").split(",")))


def set_required(required: bool, by: User) -> None:
    row = db.session.get(AppSetting, POLICY_KEY) or AppSetting(key=POLICY_KEY, value="")
    row.value = ",".join(LEAD_ROLES) if required else ""
    row.updated_at, row.updated_by_id = now_utc(), by.id
    db.session.add(row)


def is_required(user: User) -> bool:
    # The policy only ever covers LEAD_ROLES: ansatte (most requests) need no query.
    return user.role in LEAD_ROLES and user.role in required_roles()


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The otpauth URI as an inline SVG QR code (no external service)."""
    return Markup(segno.make(uri, error="m").svg_inline(scale=5, title="QR-kode for tofaktor"))


def matching_step(secret: str | None, code: str | None) -> int | None:
    """The time step (30 s) whose code this is, within one step either side; else None."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if not secret or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = datetime.now(UTC).timestamp()
    for offset in (-1, 0, 1):
        at = datetime.fromtimestamp(now + offset * totp.interval, UTC)
        if hmac.compare_digest(totp.at(at), code):
            return totp.timecode(at)
    return None


def verify(secret: str | None, code: str | None) -> bool:
    return matching_step(secret, code) is not None


def use_code(user: User, code: str | None, secret: str | None = None) -> bool:
    """Accept a code once: its time step must be later than the last one this user used.

    One atomic UPDATE (… WHERE totp_last_step < step), so two parallel requests with the
    same code cannot both pass. `secret` is the one being enrolled, else the user's own.
    Committed at once, like every security counter.
    """
    step = matching_step(secret or user.totp_secret, code)
    if step is None:
        return False
    t = User.__table__
    result = db.session.execute(t.update().where(
        t.c.id == user.id,
        (t.c.totp_last_step.is_(None)) | (t.c.totp_last_step < step)).values(
        totp_last_step=step))
    db.session.commit()
    return result.rowcount == 1


def users_missing_enrolment() -> list[User]:
    roles = required_roles()
    if not roles:
        return []
    return list(db.session.scalars(select(User).where(User.role.in_(roles),
                                                      User.totp_secret.is_(None))))
