"""The fences every request passes first: who is logged in, the hand-over fence (a tablet
given to the person reaches only the person's own rating pages), the idle and absolute
session timeouts, and the steps a user must take before anything else (a password set by an
admin changed, a required two-factor set up).
"""
from datetime import UTC, datetime

from flask import jsonify, redirect, request, session, url_for
from flask_login import current_user, logout_user

from ..extensions import login_manager
from . import sessions, twofactor
from .carry import to_login
from .guard import wants_json

# Endpoints a hand-over session may reach: only the person's own rating pages.
HANDOVER_ENDPOINTS = {"selfrating.welcome", "selfrating.question", "selfrating.comparison",
                      "selfrating.done", "selfrating.end", "static", "favicon"}
PUBLIC_ENDPOINTS = {"auth.login", "auth.login_code", "auth.token", "static", "favicon",
                    "sso.start", "sso.callback", "selfrating.welcome", "selfrating.question",
                    "selfrating.comparison", "selfrating.done", "selfrating.end"}
# The session key of a pending step-up re-authentication at the identity provider
# (access/reauth.py); named here because the hand-over fence reads it.
REAUTH_PENDING = "sso_reauth"
# Reachable before a required two-factor set-up is done.
ENROLMENT_ENDPOINTS = {"account.enroll", "account.change_password", "auth.logout",
                       "auth.logout_everywhere",
                       "auth.token", "auth.status", "static", "favicon"}
# Reachable while a password set by an admin must be changed.
PASSWORD_CHANGE_ENDPOINTS = {"account.change_password", "auth.logout", "auth.logout_everywhere",
                             "auth.token", "auth.status", "static", "favicon"}
# The load balancer's health checks and the operations network's metrics: answered before
# any session is read, never a login page, never audited.
OPS_ENDPOINTS = {"health.live", "health.ready", "metrics.scrape"}
# Requests that are not the user's activity (they do not reset the idle clock).
NOT_ACTIVITY = {None, "static", "favicon", "auth.status"}
SEEN_STEP = 15  # seconds: the resolution of the idle timeout (see fence_and_timeout)


@login_manager.user_loader
def load_user(user_id: str):
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    # A deactivated account loses its open sessions at once, not only at the next login;
    # a login ended on the server (logout, "log out everywhere") refuses every cookie copy.
    return sessions.open_user(user_id)


def handover_reauth_return(handover: dict) -> bool:
    """The provider's answer to the re-authentication that ends this hand-over.

    The one way past the fence besides the person's own pages: a pending re-authentication
    to end the hand-over, asked for the hand-over's own staff user, whose `state` this
    request carries (the provider sends it back with a code or an error). Anything else at
    the callback (a new login, another state) is fenced like every staff page.
    """
    pending = session.get(REAUTH_PENDING)
    state = request.args.get("state")
    return (isinstance(pending, dict) and isinstance(state, str) and bool(state)
            and pending.get("action") == "handover_end"
            and pending.get("state") == state
            and pending.get("user_id") == handover.get("user_id")
            and current_user.is_authenticated
            and current_user.id == handover.get("user_id"))


def init_app(app):
    @app.before_request
    def fence_and_timeout():
        endpoint = request.endpoint
        if endpoint in OPS_ENDPOINTS:
            return None
        handover = session.get("handover")
        if handover:
            if endpoint in HANDOVER_ENDPOINTS:
                # The tablet is with the person; ending the hand-over needs the staff
                # password, so the idle clock restarts rather than logging staff out after it.
                if endpoint not in ("static", "favicon"):
                    session["last_seen"] = datetime.now(UTC).timestamp()
                return None
            if endpoint == "sso.callback" and handover_reauth_return(handover):
                return None  # the staff member's re-authentication; checked in full there
            if wants_json():
                return jsonify(error="handover", message="Nettbrettet er gitt til personen."), 403
            return redirect(url_for("selfrating.question"))
        user = current_user._get_current_object()  # loaded once; asked for below
        if not user.is_authenticated:
            if endpoint in PUBLIC_ENDPOINTS or endpoint is None:
                return None
            return to_login()
        now = datetime.now(UTC).timestamp()
        last = session.get("last_seen", now)
        idle = app.config["IDLE_TIMEOUT_MINUTES"] * 60
        # Absolute limit too: a copied cookie that is kept busy does not live forever.
        started = session.setdefault("login_at", now)
        if now - last > idle or now - started > app.permanent_session_lifetime.total_seconds():
            sessions.end_current()
            logout_user()
            session.pop("last_seen", None)
            session.pop("login_at", None)
            session.pop(sessions.KEY, None)
            if endpoint in PUBLIC_ENDPOINTS:
                # Logging in again (or fetching the login form's token) after the idle time
                # goes on as for anyone logged out: it must work on the first try.
                return None
            return to_login(expired=True)
        # A 404 or the favicon is not activity. The idle clock moves in steps of
        # SEEN_STEP seconds (at most a 20th of the timeout): a session left unchanged
        # needs no new cookie, so a burst of autosaves does not re-sign and re-send it
        # every time. "Fortsett å jobbe" always restarts it.
        if endpoint not in NOT_ACTIVITY and (
                "last_seen" not in session or endpoint == "auth.keepalive"
                or now - last >= min(SEEN_STEP, idle / 20)):
            session["last_seen"] = now
        if (user.must_change_password
                and endpoint not in PASSWORD_CHANGE_ENDPOINTS):
            if wants_json():
                return jsonify(error="password_change",
                               message="Bytt passordet ditt først."), 403
            return redirect(url_for("account.change_password"))
        if (endpoint not in ENROLMENT_ENDPOINTS and not user.totp_secret
                and twofactor.is_required(user)):
            if wants_json():
                return jsonify(error="totp_setup", message="Sett opp tofaktor først."), 403
            return redirect(url_for("account.enroll"))
        return None
