"""Login and logout, with lockout after repeated failures. Views only."""
from datetime import UTC, datetime, timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..clock import now_utc
from ..extensions import db
from ..forms.account import CodeForm
from ..forms.auth import LoginForm
from ..models import AuditEvent, User
from . import audit, device_key, twofactor
from .guard import safe_local_path, wants_json

bp = Blueprint("auth", __name__)
LOCKED = ("Kontoen er midlertidig låst etter for mange mislykkede forsøk. "
          "Prøv igjen om {m} minutter.")
WRONG = "Feil brukernavn eller passord."
TOTP_PENDING = "totp_pending_login"
CARRY = "carry:"
CODE_PROMPT = "Skriv engangskoden fra autentiseringsappen."


def _safe_next(target: str | None) -> str:
    return safe_local_path(target) or url_for("persons.index")


_DUMMY_HASH: dict[str, str] = {}


def _spend_hash_time(password: str) -> None:
    """Unknown user names take as long as wrong passwords (no user-name probing by timing)."""
    method = current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"
    if method not in _DUMMY_HASH:
        _DUMMY_HASH[method] = generate_password_hash("ikke-et-passord", method=method)
    check_password_hash(_DUMMY_HASH[method], password or "")


def _ip_throttled() -> bool:
    """Many failures from one address in the lock window: refuse before checking passwords."""
    window = now_utc() - timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    n = db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "login_failed", AuditEvent.remote_addr == request.remote_addr,
        AuditEvent.at >= window))
    return n >= current_app.config["LOGIN_MAX_FAILURES"] * 4


def attempt_login(username: str, password: str) -> tuple[User | None, str | None]:
    """Checks credentials with lockout; returns (user, None) or (None, Norwegian message)."""
    cfg = current_app.config
    if _ip_throttled():
        return None, "For mange mislykkede forsøk fra denne maskinen. Vent litt og prøv igjen."
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    now = now_utc()
    if user and user.locked_until and user.locked_until > now:
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1
        audit.record("login_failed", username=username[:80], detail="konto låst")
        return None, LOCKED.format(m=minutes)
    if user is None:
        _spend_hash_time(password)
    if not user or not user.active or not user.check_password(password):
        if user:
            user.failed_logins += 1
            if user.failed_logins >= cfg["LOGIN_MAX_FAILURES"]:
                user.locked_until = now + timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
                user.failed_logins = 0
        audit.record("login_failed", username=username[:80])
        return None, WRONG
    user.failed_logins, user.locked_until = 0, None
    return user, None


def confirm_password(user: User, password: str | None) -> str | None:
    """Re-entered password (signing, ending a hand-over) under the same lockout as login.

    Returns None when it is right, else a Norwegian message. Wrong attempts count towards
    LOGIN_MAX_FAILURES, so the password cannot be guessed at a screen that asks for it
    again (such as the tablet handed to the person). Commits; writes no audit event.
    """
    cfg = current_app.config
    now = now_utc()
    if user.locked_until and user.locked_until > now:
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1
        return LOCKED.format(m=minutes)
    if user.active and user.check_password(password or ""):
        user.failed_logins = 0
        db.session.commit()
        return None
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= cfg["LOGIN_MAX_FAILURES"]:
        user.locked_until = now + timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
        user.failed_logins = 0
        db.session.commit()
        return LOCKED.format(m=cfg["LOGIN_LOCK_MINUTES"])
    db.session.commit()
    return "Feil passord."


def _carried() -> list[tuple[str, str]]:
    """Form fields posted when the session had expired, carried through the login pages."""
    return [(k[len(CARRY):], v) for k, v in request.form.items(multi=True)
            if k.startswith(CARRY)]


def _complete_login(user: User):
    login_user(user)
    # An aware "now": now_utc() is naive, and .timestamp() on a naive datetime reads
    # it as server-local time (on a server in Europe/Oslo every login expired at once).
    session["last_seen"] = session["login_at"] = datetime.now(UTC).timestamp()
    session.pop(TOTP_PENDING, None)
    audit.record("login", user=user)
    if wants_json():
        return jsonify(ok=True, csrf_token=generate_csrf(), user=user.id)
    target = safe_local_path(request.args.get("next"))
    if _carried() and target:  # what was typed before the session expired is sent again
        return render_template("auth/resubmit.html", carry=_carried(), target=target)
    return redirect(_safe_next(request.args.get("next")))


def _code_problem(user: User, code: str | None) -> str | None:
    """Second factor: a wrong code counts towards the same lockout as a wrong password."""
    if twofactor.verify(user.totp_secret, code):
        return None
    audit.record("login_failed", user=None, username=user.username, detail="feil engangskode",
                 commit=False)
    return confirm_password(user, None).replace("Feil passord.", "Feil engangskode.")


@bp.route("/logg-inn", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "POST" and form.validate_on_submit():
        user, error = attempt_login(form.username.data, form.password.data)
        if user and user.totp_secret:
            if wants_json():  # the re-login dialog sends the code along
                code = (request.get_json(silent=True) or {}).get("code")
                if not code:
                    db.session.commit()
                    return jsonify(error="totp", message=CODE_PROMPT), 401
                problem = _code_problem(user, str(code))
                if problem:
                    return jsonify(error="totp", message=problem), 401
                return _complete_login(user)
            db.session.commit()
            session[TOTP_PENDING] = {"user_id": user.id, "at": datetime.now(UTC).timestamp()}
            if _carried():  # keep the carried fields through the code step
                return render_template("auth/code.html", form=CodeForm(formdata=None),
                                       carry=_carried(), next=request.args.get("next"))
            return redirect(url_for(".login_code", next=request.args.get("next")))
        if user:
            return _complete_login(user)
        if wants_json():
            return jsonify(error="login_failed", message=error), 401
        form.password.errors.append(error)
        return render_template("auth/login.html", form=form, carry=_carried(),
                               next=request.args.get("next")), 401
    if request.method == "POST":
        if wants_json():
            return jsonify(error="invalid", message="Skriv brukernavn og passord."), 400
        return render_template("auth/login.html", form=form, carry=_carried(),
                               next=request.args.get("next")), 400
    if current_user.is_authenticated:
        return redirect(url_for("persons.index"))
    if request.args.get("expired"):
        flash("Du ble logget ut etter en periode uten aktivitet. Logg inn igjen.", "info")
    return render_template("auth/login.html", form=form)


@bp.route("/logg-inn/kode", methods=["GET", "POST"])
def login_code():
    """Second step for users with two-factor: the code from the authenticator app."""
    pending = session.get(TOTP_PENDING)
    if not pending or datetime.now(UTC).timestamp() - pending["at"] > 300:
        session.pop(TOTP_PENDING, None)
        flash("Innloggingen tok for lang tid. Logg inn på nytt.", "info")
        return redirect(url_for(".login", next=request.args.get("next")))
    user = db.session.get(User, pending["user_id"])
    form = CodeForm()
    if request.method == "POST":
        problem = _code_problem(user, form.code.data) if form.validate_on_submit() \
            else "Skriv koden fra autentiseringsappen."
        if not problem:
            return _complete_login(user)
        form.code.errors = [problem]
        return render_template("auth/code.html", form=form, carry=_carried(),
                               next=request.args.get("next")), 401
    return render_template("auth/code.html", form=form)


@bp.route("/logg-ut", methods=["POST"])
def logout():
    audit.record("logout")
    if current_user.is_authenticated:
        device_key.rotate(current_user)
        db.session.commit()
    logout_user()
    session.clear()
    flash("Du er logget ut.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/logg-inn/token")
def token():
    """A fresh CSRF token for the re-login dialog after the session expired."""
    return jsonify(csrf_token=generate_csrf())


@bp.route("/hold-i-live", methods=["POST"])
def keepalive():
    """Resets the idle timer ("Fortsett å jobbe")."""
    return jsonify(ok=True)
