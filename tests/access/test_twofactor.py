"""Optional TOTP: enrolment, admin policy, and the second login step."""
import pyotp

from conftest import PASSWORD
from kartlegging.access import twofactor
from kartlegging.extensions import db
from kartlegging.models import User


def code(secret):
    return pyotp.TOTP(secret).now()


def test_verify_accepts_current_code_only():
    secret = twofactor.new_secret()
    assert twofactor.verify(secret, code(secret))
    assert twofactor.verify(secret, code(secret)[:3] + " " + code(secret)[3:])
    assert not twofactor.verify(secret, "000000") or code(secret) == "000000"
    assert not twofactor.verify(None, "123456") and not twofactor.verify(secret, "12")


def test_enrolment_needs_a_valid_code(staff):
    client, user = staff
    page = client.get("/konto/tofaktor").data.decode()
    assert "<svg" in page and "Skann QR-koden" in page
    with client.session_transaction() as s:
        secret = s["totp_pending_secret"]
    r = client.post("/konto/tofaktor", data={
        "code": "000001" if code(secret) != "000001" else "000002", "password": PASSWORD})
    assert r.status_code == 422 and "Koden stemmer ikke" in r.data.decode()
    r = client.post("/konto/tofaktor", data={"code": code(secret), "password": PASSWORD})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret == secret


def test_admin_sets_policy(app, factory, login):
    admin = factory.user("admin")
    client = login(admin)
    r = client.post("/admin/sikkerhet", data={"require": "y"})
    assert r.status_code == 302
    assert twofactor.required_roles() == {"teamleder", "admin"}
    lead = factory.user("teamleder")
    assert lead in twofactor.users_missing_enrolment()
    # the admin must now set up two-factor before anything else, including this page
    r = client.post("/admin/sikkerhet", data={})
    assert r.status_code == 302 and r.headers["Location"].endswith("/konto/tofaktor")
    assert twofactor.required_roles() == {"teamleder", "admin"}


def test_policy_page_is_admin_only(app, factory, login):
    assert login(factory.user("teamleder")).get("/admin/sikkerhet").status_code == 403
    assert login(factory.user("ansatt")).post("/admin/sikkerhet",
                                              data={"require": "y"}).status_code == 403


def enrolled(factory, role="ansatt"):
    user = factory.user(role)
    user.totp_secret = twofactor.new_secret()
    db.session.commit()
    return user


def test_login_asks_for_the_code(app, factory):
    user = enrolled(factory)
    client = app.test_client()
    r = client.post("/logg-inn?next=/personer/ny", data={"username": user.username,
                                                         "password": PASSWORD})
    assert r.status_code == 302 and "/logg-inn/kode" in r.headers["Location"]
    assert client.get("/").status_code == 302  # not logged in yet
    r = client.post("/logg-inn/kode?next=/personer/ny", data={"code": "12"})
    assert r.status_code == 401 and "Feil engangskode" in r.data.decode()
    r = client.post("/logg-inn/kode?next=/personer/ny", data={"code": code(user.totp_secret)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/personer/ny")
    assert client.get("/").status_code == 200


def test_wrong_codes_lock_the_account(app, factory):
    user = enrolled(factory)
    client = app.test_client()
    client.post("/logg-inn", data={"username": user.username, "password": PASSWORD})
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        r = client.post("/logg-inn/kode", data={"code": "000000"})
    assert "midlertidig låst" in r.data.decode()
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until is not None


def test_code_step_needs_a_fresh_password_step(app, factory):
    client = app.test_client()
    r = client.get("/logg-inn/kode")
    assert r.status_code == 302 and "/logg-inn" in r.headers["Location"]


def test_relogin_dialog_sends_the_code_as_json(app, factory):
    user = enrolled(factory)
    client = app.test_client()
    r = client.post("/logg-inn", json={"username": user.username, "password": PASSWORD})
    assert r.status_code == 401 and r.json["error"] == "totp"
    r = client.post("/logg-inn", json={"username": user.username, "password": PASSWORD,
                                       "code": code(user.totp_secret)})
    assert r.status_code == 200 and r.json["ok"]


def test_required_two_factor_forces_enrolment_first(app, factory, login):
    admin = factory.user("admin")
    twofactor.set_required(True, admin)
    db.session.commit()
    lead = login(factory.user("teamleder"))
    r = lead.get("/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/konto/tofaktor")
    assert lead.get("/konto/tofaktor").status_code == 200
    staff = login(factory.user("ansatt"))
    assert staff.get("/").status_code == 200  # ansatt is not covered by the policy


def test_enrolment_needs_the_password_so_an_open_session_cannot_take_over_two_factor(staff):
    """A session left open on a tablet must not let someone move two-factor to their phone."""
    client, user = staff
    user.totp_secret = old = twofactor.new_secret()
    db.session.commit()
    client.get("/konto/tofaktor")
    with client.session_transaction() as s:
        secret = s["totp_pending_secret"]
    r = client.post("/konto/tofaktor", data={"code": code(secret)})
    assert r.status_code == 422 and "Skriv passordet ditt" in r.data.decode()
    r = client.post("/konto/tofaktor", data={"code": code(secret), "password": "gjett-123"})
    assert r.status_code == 403 and "Feil passord" in r.data.decode()
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret == old
    assert db.session.get(User, user.id).failed_logins == 1  # counted like a login try


def test_a_code_is_accepted_only_once(app, factory):
    """The last used time step is stored: the same code (seen over a shoulder) is refused."""
    user = enrolled(factory)
    used = code(user.totp_secret)
    first = app.test_client()
    first.post("/logg-inn", data={"username": user.username, "password": PASSWORD})
    assert first.post("/logg-inn/kode", data={"code": used}).status_code == 302
    second = app.test_client()
    second.post("/logg-inn", data={"username": user.username, "password": PASSWORD})
    r = second.post("/logg-inn/kode", data={"code": used})
    assert r.status_code == 401 and "Feil engangskode" in r.data.decode()
    r = app.test_client().post("/logg-inn", json={"username": user.username,
                                                  "password": PASSWORD, "code": used})
    assert r.status_code == 401 and r.json["error"] == "totp"


def test_known_password_does_not_reset_the_count_of_wrong_codes(app, factory):
    """Before: each right password reset the counter, so codes could be guessed forever."""
    user = enrolled(factory)
    client = app.test_client()
    wrong = "000000" if code(user.totp_secret) != "000000" else "111111"
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        r = client.post("/logg-inn", json={"username": user.username, "password": PASSWORD,
                                           "code": wrong})
        assert r.status_code == 401
    r = client.post("/logg-inn", json={"username": user.username, "password": PASSWORD,
                                       "code": code(user.totp_secret)})
    assert r.status_code == 401 and "midlertidig låst" in r.json["message"]
    r = client.post("/logg-inn", data={"username": user.username, "password": PASSWORD})
    assert r.status_code == 401 and "midlertidig låst" in r.data.decode()
