"""Login and logout, with lockout after repeated failures. Views only."""
from datetime import UTC, datetime

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

from ..clock import now_utc, oslo_datetime
from ..domain.usernames import normalise
from ..extensions import db
from ..forms.account import CodeForm
from ..forms.auth import LoginForm
from ..models import AuditEvent, User
from . import attempts, audit, device_key, sessions, sso, twofactor, usernames
from .carry import carry_allowed
from .guard import safe_local_path, wants_json

bp = Blueprint("auth", __name__)
WRONG = "Feil brukernavn eller passord."
THROTTLED = "For mange mislykkede forsøk fra denne maskinen. Vent litt og prøv igjen."
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


def attempt_login(username: str, password: str) -> tuple[User | None, str | None, int]:
    """Checks credentials with lockout: (user, None, try number) or (None, message, 0).

    The try is counted (atomically, committed) before the password is checked, so parallel
    guesses get exactly LOGIN_MAX_FAILURES answers. Unknown user names lock the same way,
    so the lockout message does not tell whether an account exists.
    """
    if attempts.address_throttled():
        audit.record("login_failed", username=username, detail="for mange fra adressen")
        return None, THROTTLED, 0
    name = normalise(username)
    user = usernames.find(username)
    if user is None:
        locked = attempts.unknown_user_lock(name)
        if locked:
            audit.record("login_failed", username=name, detail=attempts.LOCKED_DETAIL)
            return None, locked, 0
        _spend_hash_time(password)
        audit.record("login_failed", username=name)
        return None, WRONG, 0
    number = attempts.reserve_try(user)
    if number is None:
        audit.record("login_failed", username=name, detail=attempts.LOCKED_DETAIL)
        return None, attempts.locked_message(user), 0
    if not user.active or user.is_sso or not user.check_password(password):
        audit.record("login_failed", username=name)
        return None, WRONG, 0
    return user, None, number


def confirm_password(user: User, password: str | None, *, code_follows: bool = False
                     ) -> str | None:
    """Re-entered password (signing, ending a hand-over, enrolment) under the login lockout.

    For local users only: signing and ending a hand-over send SSO users to their identity
    provider instead (access/reauth.py); any other caller gets a message for them.

    Returns None when it is right, else a Norwegian message. Every try is counted before the
    check, so the password cannot be guessed at a screen that asks for it again (such as
    the tablet handed to the person). Commits; writes no audit event.

    `code_follows`: a one-time code is checked next (moving two-factor). A right password
    then only takes back its own try, as at login: ending the run of failures here would
    give unlimited guesses at the code.
    """
    if user.is_sso:
        return (f"Kontoen din bruker {current_app.config['OIDC_PROVIDER_NAME']} og har ikke "
                "noe passord i Kartlegging, så dette steget kan ikke bekreftes med passord.")
    number = attempts.reserve_try(user)
    if number is None:
        return attempts.locked_message(user)
    if user.active and user.check_password(password or ""):
        if code_follows:
            attempts.refund_try(user, number)
        else:
            attempts.reset_tries(user)
        return None
    if number >= current_app.config["LOGIN_MAX_FAILURES"]:
        return attempts.locked_message(user)
    return "Feil passord."


def _carried() -> list[tuple[str, str]]:
    """Form fields posted when the session had expired, carried through the login pages."""
    return [(k[len(CARRY):], v) for k, v in request.form.items(multi=True)
            if k.startswith(CARRY)]


def start_login(user: User, *, detail: str | None = None) -> None:
    """The user is verified: a new login on this browser (session row, cookie, audit)."""
    previous_login = user.last_login_at
    login_user(user)
    sessions.start(user)
    # An aware "now": now_utc() is naive, and .timestamp() on a naive datetime reads
    # it as server-local time (on a server in Europe/Oslo every login expired at once).
    session["last_seen"] = session["login_at"] = datetime.now(UTC).timestamp()
    session.pop(TOTP_PENDING, None)
    user.last_login_at = now_utc()
    audit.record("login", user=user, detail=detail)
    _notify_account_changes(user, previous_login)


ACCOUNT_CHANGES = {"password_changed": "Passordet ditt ble byttet {at}.",
                   "totp_enrolled": "Tofaktor-innloggingen din ble satt opp {at}."}


def _notify_account_changes(user: User, since) -> None:
    """Tells the user at the first login after it that the password or two-factor was
    changed, and when (Oslo time): someone who took the account from an open session shows
    up here. Read from the audit log (the changes made since the previous login), so the
    notice comes once and needs no state of its own."""
    if since is None:
        return
    rows = db.session.execute(
        select(AuditEvent.action, func.max(AuditEvent.at))
        .where(AuditEvent.action.in_(ACCOUNT_CHANGES), AuditEvent.user_id == user.id,
               AuditEvent.at > since)
        .group_by(AuditEvent.action)).all()
    if rows:
        told = " ".join(ACCOUNT_CHANGES[action].format(at=oslo_datetime(at))
                        for action, at in sorted(rows, key=lambda r: r[1]))
        flash(f"{told} Var det ikke deg, si fra til administrator med en gang.", "error")


def check_credentials(username: str | None, password: str | None,
                      code: str | None) -> User | None:
    """User name, password and, for an account with two-factor, the one-time code: the
    active local user they prove, or None. Without the login lockout: for the hand-over
    unlock page, whose tries have their own counter (attempts.reserve_handover_try), so
    the person holding the tablet cannot lock anyone's account from there."""
    user = usernames.find(username)
    if user is None or user.is_sso or not user.active:
        _spend_hash_time(password or "")
        return None
    if not user.check_password(password or ""):
        return None
    if user.totp_secret and not twofactor.use_code(user, code):
        return None
    return user


def _complete_login(user: User):
    attempts.reset_tries(user)
    start_login(user)
    if wants_json():
        return jsonify(ok=True, csrf_token=generate_csrf(), user=user.id)
    target = safe_local_path(request.args.get("next"))
    if _carried() and target and carry_allowed(target):
        # What was typed before the session expired, shown and sent again on one click.
        return render_template("access/login_resubmit.html", carry=_carried(), target=target)
    return redirect(_safe_next(request.args.get("next")))


def _code_problem(user: User, code: str | None) -> str | None:
    """Second factor: every code try counts towards the same lockout as a wrong password,
    and a code is accepted only once."""
    number = attempts.reserve_try(user)
    if number is None:
        audit.record("login_failed", username=user.username, detail=attempts.LOCKED_DETAIL)
        return attempts.locked_message(user)
    if twofactor.use_code(user, code):
        return None
    audit.record("login_failed", username=user.username, detail="feil engangskode")
    if number >= current_app.config["LOGIN_MAX_FAILURES"]:
        return attempts.locked_message(user)
    return "Feil engangskode."


@bp.route("/logg-inn", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "POST" and not current_app.config["LOCAL_LOGIN"]:
        message = "Innlogging med passord er slått av. Bruk kommunens innlogging."
        if wants_json():
            return jsonify(error="local_login_off", message=message), 403
        return render_template("access/login.html", form=form, sso_error=message), 403
    if request.method == "POST" and form.validate_on_submit():
        user, error, number = attempt_login(form.username.data, form.password.data)
        if user and user.totp_secret:
            attempts.refund_try(user, number)  # the code step counts its own tries
            if wants_json():  # the re-login dialog sends the code along
                code = (request.get_json(silent=True) or {}).get("code")
                if not code:
                    return jsonify(error="totp", message=CODE_PROMPT), 401
                problem = _code_problem(user, str(code))
                if problem:
                    return jsonify(error="totp", message=problem), 401
                return _complete_login(user)
            session[TOTP_PENDING] = {"user_id": user.id, "at": datetime.now(UTC).timestamp()}
            if _carried():  # keep the carried fields through the code step
                return render_template("access/login_code.html", form=CodeForm(formdata=None),
                                       carry=_carried(), next=request.args.get("next"))
            return redirect(url_for(".login_code", next=request.args.get("next")))
        if user:
            return _complete_login(user)
        if wants_json():
            return jsonify(error="login_failed", message=error), 401
        form.password.errors.append(error)
        return render_template("access/login.html", form=form, carry=_carried(),
                               next=request.args.get("next")), 401
    if request.method == "POST":
        if wants_json():
            return jsonify(error="invalid", message="Skriv brukernavn og passord."), 400
        return render_template("access/login.html", form=form, carry=_carried(),
                               next=request.args.get("next")), 400
    if current_user.is_authenticated:
        return redirect(url_for("persons.index"))
    if request.args.get("expired"):
        flash("Du ble logget ut etter en periode uten aktivitet. Logg inn igjen.", "info")
    return render_template("access/login.html", form=form)


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
        return render_template("access/login_code.html", form=form, carry=_carried(),
                               next=request.args.get("next")), 401
    return render_template("access/login_code.html", form=form)


@bp.route("/logg-ut", methods=["POST"])
def logout():
    """Ends this login on the server too: a copy of the cookie no longer works. The device
    key is replaced, so the encrypted copy of unsaved answers left in the browser is unreadable."""
    audit.record("logout", commit=False)
    provider_logout = sso.logout_target()
    if current_user.is_authenticated:
        device_key.rotate(current_user.record)
    sessions.end_current()
    db.session.commit()
    logout_user()
    session.clear()
    flash("Du er logget ut.", "info")
    return redirect(provider_logout or url_for("auth.login"))


@bp.route("/logg-ut/overalt", methods=["POST"])
def logout_everywhere():
    """Ends every open login of this user, on every device."""
    n = sessions.end_all(current_user.id)
    device_key.rotate(current_user.record)
    audit.record("logout_everywhere", detail=f"{n} innlogginger avsluttet")
    logout_user()
    session.clear()
    flash("Du er logget ut på alle enheter.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/logg-inn/token")
def token():
    """A fresh CSRF token for the re-login dialog after the session expired."""
    return jsonify(csrf_token=generate_csrf())


@bp.route("/okt")
def status():
    """Is this tab's session still the staff member's? Asked when a tab becomes visible
    again (no activity: the idle clock is not reset); during a hand-over the fence answers
    403 and the page blanks itself."""
    return jsonify(ok=True)


@bp.route("/hold-i-live", methods=["POST"])
def keepalive():
    """Resets the idle timer ("Fortsett å jobbe")."""
    return jsonify(ok=True)
