"""Cross-cutting protections: headers, idle timeout, the hand-over fence, access helpers."""
import re
from datetime import UTC, datetime
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user
from flask_wtf.csrf import ValidationError, validate_csrf
from werkzeug.exceptions import HTTPException

from ..clock import now_utc  # noqa: F401
from ..extensions import db, login_manager
from ..models import Person
from . import audit, sessions, twofactor

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")

# Endpoints a hand-over session may reach: only the person's own rating pages.
HANDOVER_ENDPOINTS = {"selfrating.question", "selfrating.done", "selfrating.end", "static",
                      "favicon"}
PUBLIC_ENDPOINTS = {"auth.login", "auth.login_code", "auth.token", "static", "favicon",
                    "sso.start", "sso.callback",
                    "selfrating.question", "selfrating.done", "selfrating.end"}
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
# Requests that are not the user's activity (they do not reset the idle clock).
NOT_ACTIVITY = {None, "static", "favicon", "auth.status"}
SEEN_STEP = 15  # seconds: the resolution of the idle timeout (see fence_and_timeout)
# Forms whose fields an expired session carries through the login pages: long forms where
# typing would otherwise be lost. Never admin, account, consent or password forms: those
# are filled in again after login.
CARRY_ENDPOINTS = {"assessments.section", "selfrating.staff_entry", "persons.new",
                   "persons.set_coordinator"}


@login_manager.user_loader
def load_user(user_id: str):
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    # A deactivated account loses its open sessions at once, not only at the next login;
    # a login ended on the server (logout, "log out everywhere") refuses every cookie copy.
    return sessions.open_user(user_id)


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def same_origin_post() -> bool:
    """The posted form came from a page of this site, not from another site's page.

    A cross-site POST arrives without the SameSite=Lax session cookie, so its CSRF token
    cannot be checked; browsers say where it came from in Sec-Fetch-Site and Origin.
    """
    token = request.form.get("csrf_token")
    if token:
        try:
            validate_csrf(token)
            return True
        except ValidationError:
            pass
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == request.host_url.rstrip("/")
    referer = request.headers.get("Referer") or ""
    return referer.startswith(request.host_url)


def carry_allowed(path: str, method: str = "POST") -> bool:
    """Whether a form posted to `path` may be carried through the login pages."""
    adapter = current_app.url_map.bind(request.host)
    try:
        endpoint, _ = adapter.match(path.split("?", 1)[0], method=method)
    except HTTPException:
        return False
    return endpoint in CARRY_ENDPOINTS


def _to_login(expired: bool = False):
    """Send an anonymous or expired request to the login page, never losing a posted form.

    JSON (autosave) gets 401 and the page shows a login dialog over the form. A plain form
    POST (no JavaScript) from a page of this site to one of CARRY_ENDPOINTS gets the login
    page carrying every posted field, and after login a page that shows them and sends
    them again with a fresh CSRF token. Anything else goes to the login page empty-handed.
    """
    if wants_json():
        return jsonify(error="session_expired",
                       message="Økten er utløpt. Logg inn igjen for å lagre."), 401
    if (request.method == "POST" and request.endpoint in CARRY_ENDPOINTS
            and same_origin_post()):
        from ..forms.auth import LoginForm
        carry = [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"]
        if carry:
            return render_template("access/login.html", form=LoginForm(formdata=None),
                                   carry=carry, next=request.path, expired=expired), 401
    args = {"next": request.full_path, **({"expired": 1} if expired else {})}
    return redirect(url_for("auth.login", **args))


def init_app(app):
    @app.before_request
    def fence_and_timeout():
        endpoint = request.endpoint
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
            return _to_login()
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
            return _to_login(expired=True)
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

    @app.before_request
    def reject_bad_input():
        """Refuse input no form can hold, before any view or database sees it (400).

        NUL bytes break PostgreSQL text columns and lone surrogates cannot be encoded; a
        JSON body for a form endpoint must be a flat object of strings (Flask-WTF feeds it
        straight into the form). The JSON autosave validates its own structure.
        """
        problem = _input_problem()
        if problem is None:
            return None
        if wants_json():
            return jsonify(error="invalid", message=problem), 400
        return render_template("error.html", code=400, message=problem), 400

    # The same on every response: built once per app (only the CSP's form-action can
    # change, when single sign-on has registered the provider's origins).
    fixed = [("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
             # same-origin, not no-referrer: Flask-WTF's CSRF check over HTTPS requires a
             # Referer from our own origin (WTF_CSRF_SSL_STRICT); other sites get nothing.
             ("Referrer-Policy", "same-origin"),
             ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
             ("Cross-Origin-Opener-Policy", "same-origin")]
    if app.config.get("HSTS"):
        fixed.append(("Strict-Transport-Security", "max-age=63072000; includeSubDomains"))

    @app.after_request
    def headers(resp):
        h = resp.headers
        h["Content-Security-Policy"] = (content_security_policy(app)
                                        if "csp_form_action" in app.extensions else CSP)
        for name, value in fixed:
            h[name] = value
        if request.endpoint != "static":
            h["Cache-Control"] = "no-store"
        return resp


def content_security_policy(app) -> str:
    """CSP, with form-action widened to the origins a form may be redirected to.

    Chromium checks form-action against where a submission is redirected, not only its
    action: the re-authentication (signing, ending a hand-over) and the SSO logout are
    same-origin POSTs answered with a redirect to the identity provider. sso.init_app
    registers who that is (`csp_form_action`)."""
    sources = app.extensions.get("csp_form_action")
    extra = [s for s in (sources() if sources else ()) if _CSP_SOURCE.fullmatch(s)]
    if not extra:
        return CSP
    return CSP.replace("form-action 'self'", "form-action 'self' " + " ".join(extra))


_CSP_SOURCE = re.compile(r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?")


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


def safe_local_path(target: str | None) -> str | None:
    r"""`target` if it is a path on this site, else None (for ?next= and ?tilbake=).

    Browsers read "/\evil.example" as "//evil.example", and tabs and newlines are dropped
    from URLs (by browsers and by Werkzeug when it writes the Location header), so
    "/<TAB>/evil.example" becomes "//evil.example": backslashes and control characters are
    refused along with "//" and schemes.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


BAD_INPUT = "Skjemaet inneholdt tegn som ikke kan lagres. Fjern dem og prøv igjen."
BAD_JSON = "Ugyldige data. Last siden på nytt."
# JSON endpoints that check the structure of their payload themselves.
STRUCTURED_JSON_ENDPOINTS = {"assessments.autosave"}


def _bad_text(value: str) -> bool:
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, e.g. from a JSON "\ud800" escape
        return True
    return False


def _bad_json_value(value) -> bool:
    if isinstance(value, str):
        return _bad_text(value)
    if isinstance(value, list):
        return any(_bad_json_value(v) for v in value)
    if isinstance(value, dict):
        return any(_bad_text(str(k)) or _bad_json_value(v) for k, v in value.items())
    return False


def _flat_strings(payload) -> bool:
    """What a form may receive as JSON: {name: str | [str, ...]} (null breaks WTForms)."""
    if not isinstance(payload, dict):
        return False
    for value in payload.values():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            return False
    return True


# Ids are INTEGER columns (32-bit on PostgreSQL); a larger id in the URL is simply not found
# instead of an overflow error from the database driver.
MAX_ID = 2**31 - 1


MAX_JSON_DEPTH = 20


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def _json_depth(raw: bytes) -> int:
    """The deepest nesting of [ and { outside strings, without parsing (no recursion)."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return 0
    depth = deepest = 0
    for m in _BRACKET.finditer(_JSON_STRING.sub(b"", raw)):
        if m.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _input_problem() -> str | None:
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
            abort(404)
    for multi in (request.args, request.form):
        for key, values in multi.lists():
            if _bad_text(key) or any(_bad_text(v) for v in values):
                return BAD_INPUT
    for key, files in request.files.lists():
        if _bad_text(key) or any(f.filename and _bad_text(f.filename) for f in files):
            return BAD_INPUT
    if request.is_json and request.method not in ("GET", "HEAD", "OPTIONS"):
        if _json_depth(request.get_data(cache=True)) > MAX_JSON_DEPTH:
            return BAD_JSON  # nesting no form has (the parser would overflow the stack)
        payload = request.get_json(silent=True)
        if payload is None and request.get_data(cache=True).strip():
            return BAD_JSON  # malformed JSON
        if payload is not None and _bad_json_value(payload):
            return BAD_INPUT
        if request.endpoint not in STRUCTURED_JSON_ENDPOINTS and payload is not None \
                and not _flat_strings(payload):
            return BAD_JSON
    return None


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
    """Load a person the current user may see (own team), else 404 (existence is not leaked).

    A request for another team's person is logged as a denied attempt (Normen: every access
    attempt is logged), and still answered 404."""
    person = db.session.get(Person, person_id)
    if person is not None and person.team_id != current_user.team_id:
        audit.record("access_denied", person_id=person.id, obj=person,
                     detail=f"{request.method} {request.path}"[:500])
        abort(404)
    if person is None:
        abort(404)
    return person
