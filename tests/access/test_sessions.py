"""The logged-in user as the login fence reads it: a read-only copy of the user row."""
import pytest
from flask import g
from flask_login import current_user

from kartlegging.access import sessions
from kartlegging.extensions import db
from kartlegging.models import User


def _current(app, client, path="/okt"):
    """current_user as the fence loaded it for a request of `client`."""
    seen = {}

    def keep():
        seen["user"] = current_user._get_current_object()
    app.after_request_funcs.setdefault(None, []).append(lambda r: (keep(), r)[1])
    assert client.get(path).status_code == 200
    app.after_request_funcs[None].pop()
    return seen["user"]


def test_current_user_is_a_read_only_copy_of_the_row(app, staff):
    client, user = staff
    me = _current(app, client)
    assert isinstance(me, sessions.LoginUser)
    for column in User.__table__.c:
        assert getattr(me, column.name) == getattr(user, column.name), column.name
    assert (me.is_sso, me.is_lead, me.role_label, me.is_active, me.is_authenticated) == (
        user.is_sso, user.is_lead, user.role_label, True, True)
    assert me.team_name == user.team_name == user.team.name
    assert me == user  # Flask-Login compares users by id
    with pytest.raises(AttributeError, match="skrivebeskyttet"):
        me.totp_secret = "x"  # a change would be lost silently: it has to go to the User


def test_record_is_the_user_and_changes_to_it_are_stored(app, staff):
    client, user = staff
    with app.test_request_context():
        g.pop("_login_user", None)
        me = sessions.LoginUser({c.name: getattr(user, c.name) for c in User.__table__.c})
        assert me.record is db.session.get(User, user.id)
        assert me.record is me.record  # loaded once per request
        me.record.name = "Nytt Navn"
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, user.id).name == "Nytt Navn"
    assert user.record is user


def test_an_ended_login_or_a_deactivated_user_gets_no_user(app, staff):
    client, user = staff
    user.active = False
    db.session.commit()
    assert client.get("/okt", headers={"Accept": "application/json"}).status_code == 401
