"""The key for the encrypted in-browser copy: only for a logged-in session, new after logout."""
import base64

from kartlegging.extensions import db
from kartlegging.models import User


def test_key_only_when_logged_in_and_stable_within_the_login(staff, client):
    c, user = staff
    r = c.get("/enhetsnokkel", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    key = r.json["key"]
    assert len(base64.urlsafe_b64decode(key + "=")) == 32 and r.json["user"] == user.id
    assert c.get("/enhetsnokkel").json["key"] == key
    anon = client.get("/enhetsnokkel", headers={"Accept": "application/json"})
    assert anon.status_code == 401 and "key" not in anon.json


def test_logout_replaces_the_key(staff, login):
    c, user = staff
    old = c.get("/enhetsnokkel").json["key"]
    c.post("/logg-ut")
    db.session.expire_all()
    assert db.session.get(User, user.id).device_key is None
    again = login(user)
    new = again.get("/enhetsnokkel").json["key"]
    assert new != old


def test_an_expired_session_keeps_the_key_for_the_next_login(staff, login, app):
    """Idle time-out is not a log-out: the copy typed before it must be readable again."""
    c, user = staff
    key = c.get("/enhetsnokkel").json["key"]
    with c.session_transaction() as s:
        s["last_seen"] = 0
    assert c.get("/enhetsnokkel", headers={"Accept": "application/json"}).status_code == 401
    assert login(user).get("/enhetsnokkel").json["key"] == key


def test_favicon(client):
    r = client.get("/favicon.ico")
    data = r.get_data()
    r.close()  # streamed from the static folder
    assert r.status_code == 200 and data[:4] == b"\x00\x00\x01\x00"
