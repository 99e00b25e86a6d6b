"""Ending a hand-over can never lock staff out: «Ditt passord / Lås opp» has its own counter
with a doubling delay (enforced by the server), never the account's login lockout; the same
staff member logging in afresh, or a colleague of the person's team, can also end it; every
end and every wrong try is audited."""
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from conftest import PASSWORD
from kartlegging.access import attempts
from kartlegging.clock import now_utc
from kartlegging.extensions import db
from kartlegging.models import Assessment, AuditEvent, LoginSession, User

FREE, BASE, CAP = 3, 5, 80


class Clock:
    """The counter's 'now', moved by the test instead of waiting."""

    def __init__(self):
        self.at = now_utc()

    def __call__(self):
        return self.at

    def advance(self, seconds: float):
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def clock(app, monkeypatch):
    app.config.update(HANDOVER_FREE_TRIES=FREE, HANDOVER_DELAY_SECONDS=BASE,
                      HANDOVER_MAX_DELAY_SECONDS=CAP)
    c = Clock()
    monkeypatch.setattr(attempts, "now_utc", c)
    return c


@pytest.fixture
def handed_over(staff, factory, clock):
    """(client, staff user, kartlegging): the tablet is with the person."""
    client, user = staff
    a = factory.assessment(factory.person(contact=user), user, filled=False)
    r = client.post(f"/kartlegginger/{a.id}/livskvalitet/gi-nettbrettet")
    assert r.status_code == 302 and r.headers["Location"].endswith("/egenvurdering/velkommen")
    return client, user, a


def rating_of(a) -> Assessment:
    db.session.expire_all()
    return db.session.scalar(select(Assessment).where(Assessment.parent_id == a.id))


def events(action):
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def account(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def unlock(client, password):
    return client.post("/egenvurdering/avslutt", data={"password": password})


def login_here(client, username, password=PASSWORD, code=""):
    return client.post("/egenvurdering/avslutt", data={
        "login_username": username, "login_password": password, "login_code": code})


def fenced(client) -> bool:
    r = client.get("/")
    return r.status_code == 302 and r.headers["Location"].endswith("/egenvurdering")


def ended(r, a) -> bool:
    return (r.status_code == 302 and f"/kartlegginger/{a.id}/del/" in r.headers["Location"]
            and rating_of(a).completed_at is not None)


def test_ten_and_more_wrong_tries_never_lock_the_account(app, handed_over, clock, login):
    client, user, a = handed_over
    for i in range(12):
        r = unlock(client, f"gjett-{i}")
        text = r.get_data(as_text=True)
        assert r.status_code == 403, (i, text[:300])
        assert "låst" not in text and "fortsatt overlevert til personen" in text
        clock.advance(CAP)  # past any delay
        assert fenced(client)
    me = account(user)
    assert me.locked_until is None and not me.failed_logins  # the login lockout is untouched
    # The staff member can still log in normally, elsewhere ...
    other_device = login(user)
    assert other_device.get("/").status_code == 200
    # ... and end the hand-over with the right password once the delay has passed.
    r = unlock(client, PASSWORD)
    assert ended(r, a), r.get_data(as_text=True)[:500]
    assert client.get("/").status_code == 200
    assert [e.detail.split(";")[0] for e in events("handover_end")] == ["med eget passord"]
    failed = events("handover_end_failed")
    assert len(failed) == 12 and all(e.user_id == user.id for e in failed)
    assert "feil passord (feil forsøk nr. 12 på rad" in failed[-1].detail


def test_a_locked_login_does_not_stop_the_own_password(handed_over):
    """Someone guessed at the login page and the account is locked for logins: staff still
    take the tablet back with their password."""
    client, user, a = handed_over
    me = account(user)
    me.failed_logins, me.locked_until = 5, now_utc() + timedelta(minutes=15)
    db.session.commit()
    assert ended(unlock(client, PASSWORD), a)
    assert account(user).locked_until is not None  # the login lockout is left as it was


def test_the_delay_doubles_and_the_server_enforces_it(handed_over, clock):
    client, user, a = handed_over
    for i in range(FREE - 1):
        r = unlock(client, f"gjett-{i}")
        assert r.status_code == 403 and "Vent" not in r.get_data(as_text=True)
    r = unlock(client, "gjett-3")
    assert r.status_code == 403 and f"Vent {BASE} sekunder før neste forsøk" in r.get_data(
        as_text=True)
    # Within the delay every try is refused unchecked, even the right password.
    r = unlock(client, PASSWORD)
    text = r.get_data(as_text=True)
    assert r.status_code == 429 and r.headers["Retry-After"] == str(BASE)
    assert f"For mange feil forsøk. Vent {BASE} sekunder før du prøver igjen." in text
    assert 'name="password"' in text  # the form is still there
    assert rating_of(a).completed_at is None and fenced(client)
    clock.advance(BASE - 1)
    r = unlock(client, PASSWORD)
    assert r.status_code == 429 and "Vent 1 sekund før" in r.get_data(as_text=True)
    clock.advance(1)
    r = unlock(client, "gjett-4")
    assert r.status_code == 403 and f"Vent {2 * BASE} sekunder" in r.get_data(as_text=True)
    clock.advance(2 * BASE - 1)
    assert unlock(client, PASSWORD).status_code == 429
    clock.advance(1)
    r = unlock(client, "gjett-5")
    assert f"Vent {4 * BASE} sekunder" in r.get_data(as_text=True)
    # Never beyond the ceiling.
    for _ in range(5):
        clock.advance(CAP)
        unlock(client, "gjett")
    row = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    db.session.refresh(row)
    assert row.handover_failures == FREE + 7
    assert row.handover_wait_until == clock() + timedelta(seconds=CAP)
    early = [e for e in events("handover_end_failed") if "avvist uten kontroll" in e.detail]
    assert len(early) == 3
    clock.advance(CAP)
    assert ended(unlock(client, PASSWORD), a)
    # A new hand-over starts a new count.
    a2 = rating_of(a).parent_id
    client.post(f"/kartlegginger/{a2}/livskvalitet/gi-nettbrettet")
    r = unlock(client, "gjett")
    assert r.status_code == 403 and "Vent" not in r.get_data(as_text=True)


def test_a_colleague_of_the_team_ends_it(handed_over, factory):
    client, user, a = handed_over
    colleague = factory.user("ansatt", team=factory.team_a, username="kollega",
                             name="Kari Kollega")
    r = login_here(client, "kollega")
    assert ended(r, a), r.get_data(as_text=True)[:500]
    # The tablet is now the colleague's own fresh login; the staff member's login ended.
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Egenvurderingen er lagret" in page and "Kari Kollega" in page
    db.session.expire_all()
    logins = db.session.scalars(select(LoginSession).order_by(LoginSession.id)).all()
    assert [(s.user_id, s.ended_at is None) for s in logins] == [(user.id, False),
                                                                  (colleague.id, True)]
    end = events("handover_end")[-1]
    assert end.user_id == colleague.id
    assert end.detail.startswith("av kollega i teamet (kollega) ved innlogging; "
                                 f"overlevert av {user.username}")
    assert events("login")[-1].user_id == colleague.id


def test_a_colleague_from_another_team_cannot(handed_over, factory):
    client, user, a = handed_over
    outsider = factory.user("ansatt", team=factory.team_b, username="utenfor")
    r = login_here(client, "utenfor")
    text = r.get_data(as_text=True)
    assert r.status_code == 403 and "ikke ansatt i personens team" in text
    assert "fortsatt overlevert til personen" in text
    assert rating_of(a).completed_at is None and fenced(client)
    failed = events("handover_end_failed")[-1]
    assert failed.user_id == user.id and "(utenfor): ikke i personens team" in failed.detail
    assert not events("handover_end")
    assert account(outsider).locked_until is None


def test_wrong_logins_there_lock_no_account(handed_over, factory, clock, login):
    client, user, a = handed_over
    colleague = factory.user("ansatt", team=factory.team_a, username="kollega")
    for i in range(10):
        r = login_here(client, "kollega" if i % 2 else user.username, f"gjett-{i}")
        assert r.status_code == 403
        clock.advance(CAP)
    for u in (user, colleague):
        assert account(u).locked_until is None and not account(u).failed_logins
        assert login(u).get("/").status_code == 200
    assert len(events("handover_end_failed")) == 10
    # The login tries share the unlock's counter: the delay holds for both forms.
    assert login_here(client, "kollega", "gjett").status_code == 403
    r = unlock(client, PASSWORD)
    assert r.status_code == 429 and "Vent" in r.get_data(as_text=True)


def test_a_fresh_login_by_the_same_staff_member_ends_it(handed_over):
    client, user, a = handed_over
    r = login_here(client, user.username)
    assert ended(r, a)
    assert events("handover_end")[-1].detail.startswith("ved ny innlogging av samme ansatt;")
    assert events("handover_end")[-1].user_id == user.id
    db.session.expire_all()
    logins = db.session.scalars(select(LoginSession).order_by(LoginSession.id)).all()
    assert [s.ended_at is None for s in logins] == [False, True]  # the old login ended
    assert client.get("/").status_code == 200
    assert client.post("/logg-ut").status_code == 302
    assert client.get("/").headers["Location"].startswith("/logg-inn")


def test_a_fresh_login_needs_the_second_factor(handed_over):
    client, user, a = handed_over
    me = account(user)
    me.totp_secret = pyotp.random_base32()
    db.session.commit()
    r = login_here(client, user.username)
    assert r.status_code == 403 and rating_of(a).completed_at is None
    r = login_here(client, user.username, code=pyotp.TOTP(me.totp_secret).now())
    assert ended(r, a)


def test_an_incomplete_form_is_not_counted(handed_over):
    client, user, a = handed_over
    page = client.get("/egenvurdering/ferdig?ansatt=1").get_data(as_text=True)
    assert 'name="password"' in page and 'name="login_password"' not in page
    page = client.get("/egenvurdering/ferdig?ansatt=1&innlogging=1").get_data(as_text=True)
    assert 'name="login_password"' in page and 'name="password"' not in page  # one at a time
    r = login_here(client, "", "")
    assert r.status_code == 403 and "Skriv brukernavnet." in r.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.scalar(select(LoginSession))
    assert row.handover_failures == 0
    assert "skjemaet var ufullstendig" in events("handover_end_failed")[-1].detail
