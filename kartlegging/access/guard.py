"""Small access helpers the views use: who may call a view, which person a user may see,
where a request may be sent back to, and whether it wants a JSON answer.

The protections that run on every request live beside this: fence.py (the login and
hand-over fences, idle timeout), carry.py (a posted form carried through login),
input_checks.py (input no form can hold) and headers.py (security headers, CSP).
"""
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, request
from flask_login import current_user

from ..extensions import db
from ..models import Person
from . import audit


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


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
