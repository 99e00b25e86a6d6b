"""A posted form is never lost to an expired session: it is carried through the login pages.

Only long forms where typing would otherwise be lost are carried (CARRY_ENDPOINTS), and only
when the post came from a page of this site: a cross-site POST has no session cookie, so
the carry pages must not become a way around the CSRF check.
"""
from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import ValidationError, validate_csrf
from werkzeug.exceptions import HTTPException

from .guard import wants_json

# Forms whose fields an expired session carries through the login pages: long forms where
# typing would otherwise be lost. Never admin, account, consent or password forms: those
# are filled in again after login.
CARRY_ENDPOINTS = {"assessments.section", "selfrating.staff_entry", "persons.new",
                   "persons.set_coordinator"}


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


def to_login(expired: bool = False):
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
