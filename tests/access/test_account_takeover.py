"""An open session alone must not be enough to take the account for good: changing the
password needs the current one (counted towards the login lockout), moving two-factor needs
a code from the phone it is on now, and the user is told at the next login."""
import re

import pyotp

from conftest import PASSWORD
from kartlegging.access import twofactor
from kartlegging.clock import oslo_datetime
from kartlegging.extensions import db
from kartlegging.models import AuditEvent, LoginSession, User

NEW = "helt-nytt-passord-77"


def code(secret):
    return pyotp.TOTP(secret).now()


def _user(user_id):
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_an_open_session_without_the_password_cannot_change_it(staff):
    client, user = staff
    page = client.get("/konto/passord").get_data(as_text=True)
    assert "Nåværende passord" in page
    r = client.post("/konto/passord", data={"password": NEW, "confirm": NEW})
    assert r.status_code == 422 and "Skriv passordet du bruker nå" in r.get_data(as_text=True)
    r = client.post("/konto/passord", data={"current": "gjettet-passord-1",
                                            "password": NEW, "confirm": NEW})
    assert r.status_code == 403 and "Feil passord" in r.get_data(as_text=True)
    assert _user(user.id).check_password(PASSWORD)
    assert db.session.query(LoginSession).filter_by(user_id=user.id, ended_at=None).count() == 1
    r = client.post("/konto/passord", data={"current": PASSWORD,
                                            "password": NEW, "confirm": NEW})
    assert r.status_code == 302
    assert _user(user.id).check_password(NEW)


def test_a_wrong_current_password_counts_towards_the_lockout(app, staff):
    client, user = staff
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        r = client.post("/konto/passord", data={"current": "gjettet-passord-1",
                                                "password": NEW, "confirm": NEW})
    assert r.status_code == 403 and "midlertidig låst" in r.get_data(as_text=True)
    assert _user(user.id).locked_until is not None
    # locked: even the right password is refused now, and nobody can log in
    r = client.post("/konto/passord", data={"current": PASSWORD,
                                            "password": NEW, "confirm": NEW})
    assert r.status_code == 403 and _user(user.id).check_password(PASSWORD)
    r = app.test_client().post("/logg-inn", data={"username": user.username,
                                                 "password": PASSWORD})
    assert r.status_code == 401
    assert db.session.query(AuditEvent).filter_by(  # every refused try, the locked one too
        action="password_change_failed", user_id=user.id).count() == 6


def test_the_forced_change_after_an_admin_reset_needs_no_current_password(app, factory, login):
    admin, worker = factory.user("admin"), factory.user("ansatt")
    r = login(admin).post(f"/admin/brukere/{worker.id}/nytt-passord")
    temp = re.search(r'id="midlertidig-passord">([^<]+)<', r.get_data(as_text=True))[1]
    c = app.test_client()
    assert c.post("/logg-inn", data={"username": worker.username,
                                     "password": temp}).status_code == 302
    page = c.get("/konto/passord").get_data(as_text=True)
    assert "midlertidig passord" in page and "Nåværende passord" not in page
    r = c.post("/konto/passord", data={"password": NEW, "confirm": NEW})
    assert r.status_code == 302
    assert _user(worker.id).check_password(NEW)
    assert not _user(worker.id).must_change_password


def _pending_secret(client):
    client.get("/konto/tofaktor")
    with client.session_transaction() as s:
        return s["totp_pending_secret"]


def _enrolled_staff(staff):
    client, user = staff
    user.totp_secret = twofactor.new_secret()
    db.session.commit()
    return client, user, user.totp_secret


def test_moving_two_factor_without_a_code_from_the_current_phone_is_refused(app, staff):
    client, user, old = _enrolled_staff(staff)
    new = _pending_secret(client)
    assert "telefonen du bruker nå" in client.get("/konto/tofaktor").get_data(as_text=True)
    r = client.post("/konto/tofaktor", data={"code": code(new), "password": PASSWORD})
    assert r.status_code == 422 and "Skriv koden fra telefonen" in r.get_data(as_text=True)
    wrong = "000001" if code(old) != "000001" else "000002"
    r = client.post("/konto/tofaktor", data={"code": code(new), "password": PASSWORD,
                                             "current_code": wrong})
    assert r.status_code == 403 and "Feil engangskode" in r.get_data(as_text=True)
    assert _user(user.id).totp_secret == old
    assert _user(user.id).failed_logins == 1  # the code try counts; the right password not
    r = client.post("/konto/tofaktor", data={"code": code(new), "password": PASSWORD,
                                             "current_code": code(old)})
    assert r.status_code == 302
    assert _user(user.id).totp_secret == new and _user(user.id).failed_logins == 0


def test_code_guesses_at_the_move_lock_the_account_even_with_the_right_password(app, staff):
    client, user, old = _enrolled_staff(staff)
    new = _pending_secret(client)
    wrong = "000001" if code(old) != "000001" else "000002"
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        r = client.post("/konto/tofaktor", data={"code": code(new), "password": PASSWORD,
                                                 "current_code": wrong})
    assert "midlertidig låst" in r.get_data(as_text=True)
    assert _user(user.id).locked_until is not None and _user(user.id).totp_secret == old


def test_an_admin_reset_turns_two_factor_off(app, factory, login):
    admin, worker = factory.user("admin"), factory.user("ansatt")
    worker.totp_secret = twofactor.new_secret()
    db.session.commit()
    login(admin).post(f"/admin/brukere/{worker.id}/nytt-passord")
    assert _user(worker.id).totp_secret is None


def test_the_change_is_told_once_at_the_next_login_in_oslo_time(app, staff):
    client, user = staff
    r = client.post("/konto/passord", data={"current": PASSWORD,
                                            "password": NEW, "confirm": NEW})
    assert r.status_code == 302
    at = db.session.query(AuditEvent).filter_by(action="password_changed",
                                                user_id=user.id).one().at
    told = f"Passordet ditt ble byttet {oslo_datetime(at)}."
    # the session that changed it goes on without the notice
    assert told not in client.get("/").get_data(as_text=True)

    def log_in():
        c = app.test_client()
        r = c.post("/logg-inn", data={"username": user.username, "password": NEW})
        assert r.status_code == 302
        return c.get(r.headers["Location"]).get_data(as_text=True)

    page = log_in()
    assert told in page and "si fra til administrator" in page
    assert "kl." in told and oslo_datetime(at) != at.strftime("%d.%m.%Y kl. %H:%M")
    assert told not in log_in()  # once only


def test_a_two_factor_move_is_told_at_the_next_login(app, staff):
    client, user, old = _enrolled_staff(staff)
    new = _pending_secret(client)
    r = client.post("/konto/tofaktor", data={"code": code(new), "password": PASSWORD,
                                             "current_code": code(old)})
    assert r.status_code == 302
    at = db.session.query(AuditEvent).filter_by(action="totp_enrolled",
                                                user_id=user.id).one().at
    c = app.test_client()
    c.post("/logg-inn", data={"username": user.username, "password": PASSWORD})
    # the new phone's next code (this time step's was used at the move; one step ahead
    # is within the accepted window)
    r = c.post("/logg-inn/kode", data={
        "code": pyotp.TOTP(new).generate_otp(_user(user.id).totp_last_step + 1)})
    assert r.status_code == 302
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert f"Tofaktor-innloggingen din ble satt opp {oslo_datetime(at)}." in page
