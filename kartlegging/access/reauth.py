"""Step-up re-authentication at the identity provider, for SSO users (OpenID Connect).

Signing an assessment and ending a hand-over ask a local user for the password again. An
SSO user has no password here, so the action sends the browser to the provider instead,
with prompt=login and max_age=0 (log in again now, whatever session the provider has):

1. `begin` remembers in the session what was asked (the action, its target ids, the
   form's other fields), bound to this login and to the authorization request's own
   state; Authlib keeps that request's nonce and PKCE verifier.
2. The provider answers at the ordinary callback (sso.callback, one redirect URI to
   register); a callback whose state is the pending one comes to `finish`.
3. `finish` verifies the ID token as at login (signature, issuer, audience, nonce, expiry),
   then requires the logged-in user's own issuer and subject and a fresh `auth_time`:
   after the request was made and at most OIDC_REAUTH_MAX_AGE seconds old. Then the
   action's `complete` handler does what the password path does; on any refusal the
   action's `failed` handler returns to the form with the message (see `take_failure`).

Each outcome is audited: `sso_reauth` (confirmed) or `sso_reauth_refused` (and why).
The hand-over fence (fence.handover_reauth_return) lets only this answer through.
"""
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from authlib.common.errors import AuthlibBaseError
from flask import current_app, redirect, session, url_for
from flask_login import current_user
from joserfc.errors import JoseError
from requests import RequestException

from ..extensions import db
from ..models import User
from . import audit, oidc, sessions
from .fence import REAUTH_PENDING

FAILED = "sso_reauth_failed"
# The provider's clock may run a little behind ours.
CLOCK_SKEW = 30


class Handler:
    """What an action does once confirmed, and where a refusal goes back to."""

    def __init__(self, label: str, complete: Callable, failed: Callable):
        self.label, self.complete, self.failed = label, complete, failed


HANDLERS: dict[str, Handler] = {}


def register(action: str, label: str, *, complete: Callable, failed: Callable) -> None:
    """`complete(pending)` performs the action and returns the response; `failed(pending)`
    returns the response that sends the user back to the form (which shows the message
    from `take_failure`). `label` names the action in messages and the audit log."""
    HANDLERS[action] = Handler(label, complete, failed)


def _now() -> float:
    return datetime.now(UTC).timestamp()


def _login_id() -> str:
    """This login (its server-side session token), hashed: a re-authentication asked in
    one login never completes in another."""
    token = session.get(sessions.KEY)
    return hashlib.sha256(token.encode()).hexdigest() if isinstance(token, str) else ""


def _max_age() -> int:
    return int(current_app.config.get("OIDC_REAUTH_MAX_AGE", 300))


def begin(action: str, user: User, target: dict, fields: dict | None = None):
    """Send the browser to the provider to log in again for `action` on `target`.

    `fields` are the form's other fields (never a password), given back to the form if
    the re-authentication fails."""
    pending = {"action": action, "user_id": user.id, "target": target,
               "fields": fields or {}, "at": _now(), "login": _login_id()}
    callback = url_for("sso.callback", _external=True)
    try:
        rv = oidc.client().create_authorization_url(callback, prompt="login", max_age=0)
    except (AuthlibBaseError, RequestException) as e:
        return _refuse(pending, user, f"kunne ikke nå leverandøren ({type(e).__name__})",
                       CANNOT_REACH.format(provider=oidc.provider_name()))
    earlier = session.get(REAUTH_PENDING)
    if isinstance(earlier, dict) and earlier.get("state"):
        # Only the newest request counts: an answer to an earlier one is not accepted.
        oidc.client().framework.clear_state_data(session, earlier["state"])
    oidc.client().save_authorize_data(redirect_uri=callback, **rv)
    session[REAUTH_PENDING] = {**pending, "state": rv["state"]}
    return redirect(rv["url"])


def prepare_page() -> None:
    """Before showing a page with a «Bekreft med …» button: the provider's endpoints are
    known, so the page's CSP lets the form be redirected there."""
    oidc.load_metadata()


def form_fields(form) -> dict:
    """What the user filled in the confirming form besides the password and the CSRF
    token: kept through the round trip and given back to the form if it fails."""
    return {f.name: f.data for f in form
            if f.name != "csrf_token" and f.type != "PasswordField"}


def pending_for(state: str | None) -> dict | None:
    """The pending re-authentication this callback answers (its state), else None."""
    pending = session.get(REAUTH_PENDING)
    if isinstance(pending, dict) and state and pending.get("state") == state \
            and pending.get("action") in HANDLERS:
        return pending
    return None


REFUSED = "Bekreftelsen hos {provider} ble avvist ({why}). {label} er ikke gjort."
OTHER_PERSON = ("Du logget inn hos {provider} som en annen person enn den som er logget inn "
                "i Kartlegging. {label} er ikke gjort. Den som er logget inn, må bekrefte selv.")
NOT_FRESH = ("Innloggingen hos {provider} var ikke ny, så den bekrefter ikke at det er du. "
             "{label} er ikke gjort. Prøv igjen og logg inn på nytt hos {provider}.")
NOT_SAME_LOGIN = ("Du er ikke lenger logget inn med den innloggingen som ba om bekreftelsen. "
                  "{label} er ikke gjort.")
TOO_SLOW = "Bekreftelsen tok for lang tid. {label} er ikke gjort. Prøv igjen."
CANCELLED = "Bekreftelsen hos {provider} ble avbrutt. {label} er ikke gjort."
CANNOT_REACH = "Fikk ikke kontakt med {provider}. Prøv igjen om litt."


def finish(pending: dict):
    """The provider's answer to `pending`: verify, then complete the action or refuse."""
    session.pop(REAUTH_PENDING, None)
    handler = HANDLERS[pending["action"]]
    provider = oidc.provider_name()
    user = db.session.get(User, pending["user_id"])

    def refuse(why, message, subject=None):
        return _refuse(pending, user, why, message.format(
            provider=provider, label=handler.label, why=why), subject)

    if (user is None or not user.is_sso or not current_user.is_authenticated
            or current_user.id != user.id or pending.get("login") != _login_id()):
        return refuse("ikke samme innlogging", NOT_SAME_LOGIN)
    if _now() - pending["at"] > _max_age():
        return refuse("tok for lang tid", TOO_SLOW)
    try:
        token = oidc.client().authorize_access_token()
    except (AuthlibBaseError, JoseError) as e:
        why = str(getattr(e, "error", None) or type(e).__name__)
        return refuse(why, CANCELLED if why == "access_denied" else REFUSED)
    except RequestException as e:
        return refuse(f"kunne ikke nå leverandøren ({type(e).__name__})", CANNOT_REACH)
    claims = token.get("userinfo") or {}
    issuer, subject = claims.get("iss"), claims.get("sub")
    subject = None if subject is None else str(subject)
    if not subject:
        return refuse("ingen ID-token", REFUSED)
    if issuer != user.sso_issuer or subject != user.sso_subject:
        return refuse(f"en annen person ({issuer} {subject})", OTHER_PERSON, subject)
    auth_time = claims.get("auth_time")
    if not isinstance(auth_time, int | float) or isinstance(auth_time, bool):
        return refuse("auth_time mangler", NOT_FRESH, subject)
    now = _now()
    if auth_time < pending["at"] - CLOCK_SKEW or now - auth_time > _max_age():
        when = datetime.fromtimestamp(auth_time, UTC).isoformat(timespec="seconds")
        return refuse(f"auth_time {when} er ikke ny", NOT_FRESH, subject)
    audit.record("sso_reauth", user=user, detail=(
        f"{_what(pending)}: {issuer} {subject}; innlogget hos leverandøren "
        f"{datetime.fromtimestamp(auth_time, UTC).isoformat(timespec='seconds')}")[:1000])
    return handler.complete(pending)


def _what(pending: dict) -> str:
    """The action and its target for the audit log, e.g. "sign assessment_id=12"."""
    target = " ".join(f"{k}={v}" for k, v in sorted((pending.get("target") or {}).items()))
    return f"{pending['action']} {target}".strip()


def _refuse(pending: dict, user: User | None, why: str, message: str,
            subject: str | None = None):
    db.session.rollback()
    handler = HANDLERS[pending["action"]]
    audit.record("sso_reauth_refused", user=user, username=user.username if user else None,
                 detail=(f"{_what(pending)}: {current_app.config['OIDC_ISSUER']} "
                         f"{subject or '-'}: {why}")[:1000])
    session[FAILED] = {"action": pending["action"], "target": pending["target"],
                       "message": message, "fields": pending.get("fields") or {}}
    return handler.failed(pending)


def take_failure(action: str, target: dict) -> dict | None:
    """The refusal of a re-authentication for `action` on `target`, once, for the form:
    {"message": ..., "fields": {...}} (or None)."""
    failure = session.get(FAILED)
    if not isinstance(failure, dict) or failure.get("action") != action \
            or failure.get("target") != target:
        return None
    session.pop(FAILED, None)
    return failure
