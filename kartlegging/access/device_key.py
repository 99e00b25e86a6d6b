"""The key for the encrypted copy of unsaved answers kept in the browser.

app.js keeps answers the server has not acknowledged yet in localStorage, encrypted with
AES-GCM under this per-user key. The server hands the key out only to a logged-in session
and replaces it at logout, so what a killed tab leaves on a shared tablet can be read again
only after the same user logs in, and never after that user has logged out.
"""
import base64
import secrets

from flask import Blueprint, jsonify
from flask_login import current_user

from ..extensions import db
from ..models import User

bp = Blueprint("devicekey", __name__)


def _new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()


def key_for(user) -> str:
    """The user's key (a User or the read-only LoginUser; the User is loaded only to make one)."""
    if not user.device_key:
        user = user.record
        user.device_key = _new_key()
        db.session.commit()
    return user.device_key


def rotate(user: User) -> None:
    """At logout: the old key is gone, and with it every copy encrypted under it."""
    user.device_key = None


@bp.route("/enhetsnokkel")
def key():
    resp = jsonify(key=key_for(current_user), user=current_user.id)
    return resp
