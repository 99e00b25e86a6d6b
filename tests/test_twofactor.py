"""Optional TOTP: enrolment, admin policy, and the second login step."""
import pyotp

from kartlegging import twofactor
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
    r = client.post("/konto/tofaktor", data={"code": "000001" if code(secret) != "000001" else "000002"})
    assert r.status_code == 422 and "Koden stemmer ikke" in r.data.decode()
    r = client.post("/konto/tofaktor", data={"code": code(secret)})
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
    client.post("/admin/sikkerhet", data={})
    assert twofactor.required_roles() == set()


def test_policy_page_is_admin_only(app, factory, login):
    assert login(factory.user("teamleder")).get("/admin/sikkerhet").status_code == 403
    assert login(factory.user("ansatt")).post("/admin/sikkerhet",
                                              data={"require": "y"}).status_code == 403
