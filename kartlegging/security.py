"""Cross-cutting protections: headers, idle timeout, the hand-over fence, access helpers."""
from datetime import datetime, timezone
from functools import wraps

from flask import abort, current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user, logout_user

from .clock import now_utc  # noqa: F401
from .extensions import db, login_manager
from .models import Person, User

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")

# Endpoints a hand-over session may reach: only the person's own rating pages.
HANDOVER_ENDPOINTS = {"selfrating.question", "selfrating.done", "selfrating.end", "static"}
PUBLIC_ENDPOINTS = {"auth.login", "auth.token", "static", "selfrating.question", "selfrating.done",
                    "selfrating.end"}


@login_manager.user_loader
def load_user(user_id: str):
    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def init_app(app):
    @app.before_request
    def fence_and_timeout():
        handover = session.get("handover")
        if handover:
            if request.endpoint in HANDOVER_ENDPOINTS:
                return None
            if wants_json():
                return jsonify(error="handover", message="Nettbrettet er gitt til personen."), 403
            return redirect(url_for("selfrating.question"))
        if not current_user.is_authenticated:
            if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
                return None
            if wants_json():
                return jsonify(error="session_expired",
                               message="Økten er utløpt. Logg inn igjen for å lagre."), 401
            return redirect(url_for("auth.login", next=request.full_path))
        if current_user.is_authenticated:
            now = datetime.now(timezone.utc).timestamp()
            last = session.get("last_seen", now)
            idle = app.config["IDLE_TIMEOUT_MINUTES"] * 60
            if now - last > idle:
                logout_user()
                session.pop("last_seen", None)
                if wants_json():
                    return jsonify(error="session_expired",
                                   message="Økten er utløpt. Logg inn igjen for å lagre."), 401
                return redirect(url_for("auth.login", next=request.full_path, expired=1))
            if request.endpoint != "static":
                session["last_seen"] = now
        return None

    @app.after_request
    def headers(resp):
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        resp.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.endpoint != "static":
            resp.headers["Cache-Control"] = "no-store"
        if app.config.get("HSTS"):
            resp.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        return resp


def role_required(*roles):
    def deco(view):
        @wraps(view)
        def wrapper(*a, **kw):
            if current_user.role not in roles:
                abort(403)
            return view(*a, **kw)
        return wrapper
    return deco


def team_person(person_id: int) -> Person:
    """Load a person the current user may see (own team), else 404 (existence is not leaked)."""
    person = db.session.get(Person, person_id)
    if person is None or person.team_id != current_user.team_id:
        abort(404)
    return person


def idle_timeout_ms() -> int:
    return current_app.config["IDLE_TIMEOUT_MINUTES"] * 60 * 1000
