"""SSO users re-authenticate at the identity provider (prompt=login, max_age=0) to sign an
assessment and to end the hand-over, against the real mock provider on 127.0.0.1.

The mock lets the test choose who logs in (the `sub` posted at its authorize step) and any
claim of the ID token: a claim set on the user (PUT /users/<sub>) is copied into the token
after the defaults, so `auth_time` can be made stale. Without it the token carries
auth_time = the moment the code is exchanged (Authlib's default), i.e. a fresh login.
"""
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from conftest import PASSWORD
from factories import Factory
from kartlegging.extensions import db
from kartlegging.models import Assessment, AuditEvent, User

from . import test_sso as base

# The provider on 127.0.0.1 and the app configured for it, shared with test_sso.py.
insecure_transport, provider, sapp = base.insecure_transport, base.provider, base.sapp
sso_login = base.sso_login

SUB = "sub-signe"
CLAIMS = {"preferred_username": "signe@alna.oslo.kommune.no", "name": "Signe SSO",
          "groups": ["alna-rus-ansatt"]}


@pytest.fixture
def setup(sapp, provider):
    """(factory, client, user): an SSO ansatt of Rusteam Alna, logged in through the provider."""
    f = Factory(sapp, PASSWORD)
    provider.set_user(SUB, **CLAIMS)
    c = sapp.test_client()
    assert sso_login(c, provider, SUB).status_code == 302
    user = db.session.scalar(select(User).where(User.sso_subject == SUB))
    assert user.team_id == f.team_a.id
    return f, c, user


def ready(f, user) -> Assessment:
    """A kartlegging that can be signed (filled in, with a self-rating)."""
    a = f.assessment(f.person(team=f.team_a, contact=user), user)
    f.rating(a, user)
    return a


def events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def to_provider(response, provider):
    """The action's answer: off to the provider, asking for a new login now."""
    assert response.status_code == 302, response.data[:2000]
    authorize = response.headers["Location"]
    assert authorize.startswith(provider.url + "/oauth2/authorize")
    q = parse_qs(urlsplit(authorize).query)
    assert q["prompt"] == ["login"] and q["max_age"] == ["0"]
    assert q["state"][0] and q["nonce"][0] and q["code_challenge_method"] == ["S256"]
    assert q["redirect_uri"] == ["http://localhost/logg-inn/sso/svar"]
    return authorize


def at_provider(authorize, sub):
    """The person at the provider logs in as `sub`; the provider's answer to our callback."""
    r = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert r.status_code == 302, r.text
    back = urlsplit(r.headers["Location"])
    assert back.path == "/logg-inn/sso/svar"
    return f"{back.path}?{back.query}"


def fresh(a_id) -> Assessment:
    db.session.expire_all()
    return db.session.get(Assessment, a_id)


# Signing

def test_sso_user_signs_after_a_new_login_at_the_provider(setup, provider):
    f, c, user = setup
    a = ready(f, user)
    page = c.get(f"/kartlegginger/{a.id}/signer").get_data(as_text=True)
    assert "Bekreft med kommunens innlogging og signer" in page
    assert 'name="password"' not in page
    authorize = to_provider(c.post(f"/kartlegginger/{a.id}/signer"), provider)
    assert not fresh(a.id).is_signed  # nothing happens before the provider answers
    r = c.get(at_provider(authorize, SUB))
    assert r.status_code == 302 and r.headers["Location"] == f"/kartlegginger/{a.id}"
    signed = fresh(a.id)
    assert signed.is_signed and signed.signed_by_id == user.id
    assert signed.signed_pdf.startswith(b"%PDF")
    ev = events("sso_reauth")[-1]
    assert ev.user_id == user.id and SUB in ev.detail and f"assessment_id={a.id}" in ev.detail
    assert events("assessment_sign")[-1].object_id == a.id
    page = c.get(f"/kartlegginger/{a.id}").get_data(as_text=True)
    assert "signert og låst" in page
    assert c.get(f"/kartlegginger/{a.id}/pdf").data == signed.signed_pdf


def test_the_csp_lets_the_confirming_form_be_redirected_to_the_provider(setup, provider):
    """Chromium checks form-action against the redirect a submission produces."""
    f, c, user = setup
    a = ready(f, user)
    csp = c.get(f"/kartlegginger/{a.id}/signer").headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.url};" in csp
    assert "script-src 'self';" in csp and "'unsafe-inline'" not in csp


def test_without_sso_the_csp_allows_only_this_site(client):
    csp = client.get("/logg-inn").headers["Content-Security-Policy"]
    assert "form-action 'self';" in csp


def test_another_person_at_the_provider_is_refused_and_nothing_is_signed(setup, provider):
    f, c, user = setup
    provider.set_user("sub-kollega", preferred_username="kollega", groups=["alna-rus-ansatt"])
    a = ready(f, user)
    authorize = to_provider(c.post(f"/kartlegginger/{a.id}/signer"), provider)
    r = c.get(at_provider(authorize, "sub-kollega"))
    assert r.status_code == 302 and r.headers["Location"] == f"/kartlegginger/{a.id}/signer"
    assert not fresh(a.id).is_signed and not events("assessment_sign")
    r = c.get(f"/kartlegginger/{a.id}/signer")
    page = r.get_data(as_text=True)
    assert r.status_code == 403 and "en annen person" in page and "ikke gjort" in page
    ev = events("sso_reauth_refused")[-1]
    assert ev.user_id == user.id and "sub-kollega" in ev.detail and "annen person" in ev.detail
    assert not events("sso_reauth")
    # Still the same user, who can try again: the message is shown once.
    assert c.get(f"/kartlegginger/{a.id}/signer").status_code == 200
    authorize = to_provider(c.post(f"/kartlegginger/{a.id}/signer"), provider)
    assert c.get(at_provider(authorize, SUB)).status_code == 302
    assert fresh(a.id).is_signed


def asked_ago(c, seconds):
    """Move the pending re-authentication's request time back (a slow round trip)."""
    with c.session_transaction() as s:
        s["sso_reauth"] = {**s["sso_reauth"], "at": s["sso_reauth"]["at"] - seconds}


@pytest.mark.parametrize("asked,age,message,why", [
    (0, 600, "var ikke ny", "older than the allowed five minutes"),
    (0, 120, "var ikke ny", "within five minutes, but before the re-authentication was asked"),
    (290, 310, "var ikke ny", "within the clock skew of the request, but over five minutes"),
    (400, None, "tok for lang tid", "a fresh login, but the round trip took too long"),
])
def test_a_login_that_is_not_new_is_refused(setup, provider, asked, age, message, why):
    f, c, user = setup
    a = ready(f, user)
    authorize = to_provider(c.post(f"/kartlegginger/{a.id}/signer"), provider)
    asked_ago(c, asked)
    # The provider answers with an old session's auth_time (as if it ignored prompt=login).
    if age is not None:
        provider.set_user(SUB, **CLAIMS, auth_time=int(time.time()) - age)
    try:
        r = c.get(at_provider(authorize, SUB))
    finally:
        provider.set_user(SUB, **CLAIMS)
    assert r.headers["Location"] == f"/kartlegginger/{a.id}/signer", why
    assert not fresh(a.id).is_signed and not events("sso_reauth")
    page = c.get(f"/kartlegginger/{a.id}/signer").get_data(as_text=True)
    assert message in page, why
    assert ("auth_time" if age else "tok for lang tid") in events("sso_reauth_refused")[-1].detail


def test_an_answer_arriving_in_another_login_signs_nothing(setup, provider):
    """The pending request names the login that asked (its server-side session)."""
    f, c, user = setup
    a = ready(f, user)
    authorize = to_provider(c.post(f"/kartlegginger/{a.id}/signer"), provider)
    with c.session_transaction() as s:
        s["sso_reauth"] = {**s["sso_reauth"], "login": "en-annen-innlogging"}
    r = c.get(at_provider(authorize, SUB))
    assert r.headers["Location"] == f"/kartlegginger/{a.id}/signer"
    assert not fresh(a.id).is_signed
    assert "ikke samme innlogging" in events("sso_reauth_refused")[-1].detail


def test_a_tampered_or_replayed_answer_signs_nothing(setup, provider):
    f, c, user = setup
    a = ready(f, user)
    authorize = to_provider(c.post(f"/kartlegginger/{a.id}/signer"), provider)
    q = parse_qs(urlsplit(authorize).query)
    # The provider's "no" (the user cancelled) comes back with the state.
    r = c.get(f"/logg-inn/sso/svar?error=access_denied&state={q['state'][0]}")
    assert r.headers["Location"] == f"/kartlegginger/{a.id}/signer"
    assert "avbrutt" in c.get(f"/kartlegginger/{a.id}/signer").get_data(as_text=True)
    # A code answered to an earlier request is no longer pending: it signs nothing.
    authorize = to_provider(c.post(f"/kartlegginger/{a.id}/signer"), provider)
    callback = at_provider(authorize, SUB)
    c.post(f"/kartlegginger/{a.id}/signer")  # a newer request replaces the pending one
    logins = len(events("sso_login"))
    r = c.get(callback)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert not fresh(a.id).is_signed and len(events("sso_login")) == logins


def test_a_local_user_still_signs_with_the_password(sapp):
    f = Factory(sapp, PASSWORD)
    local = f.user("ansatt", team=f.team_a)
    c = sapp.test_client()
    assert c.post("/logg-inn", data={"username": local.username,
                                     "password": PASSWORD}).status_code == 302
    a = ready(f, local)
    page = c.get(f"/kartlegginger/{a.id}/signer").get_data(as_text=True)
    assert 'name="password"' in page and "Bekreft med" not in page
    r = c.post(f"/kartlegginger/{a.id}/signer", data={"password": "feil-passord-1"})
    assert r.status_code == 403 and not fresh(a.id).is_signed
    r = c.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD})
    assert r.status_code == 302 and fresh(a.id).is_signed
    assert not events("sso_reauth") and not events("sso_reauth_refused")


# The hand-over

def _hand_over(c, a, answers=3):
    assert c.post(f"/kartlegginger/{a.id}/livskvalitet/gi-nettbrettet").status_code == 302
    for n in range(1, answers + 1):
        assert c.post(f"/egenvurdering?n={n}", data={"svar": "5"}).status_code == 302


def _fenced(c, a):
    """Every staff page (and a new login) sends the tablet back to the person's pages."""
    for path in ("/", f"/kartlegginger/{a.id}", f"/kartlegginger/{a.id}/signer",
                 "/logg-inn/sso", "/logg-inn/sso/svar?code=x&state=y"):
        r = c.get(path)
        assert r.status_code == 302 and r.headers["Location"].startswith("/egenvurdering"), path


def rating_of(a):
    db.session.expire_all()
    return db.session.scalar(select(Assessment).where(Assessment.parent_id == a.id))


def test_the_hand_over_ends_after_the_staff_member_logs_in_again(setup, provider):
    f, c, user = setup
    a = f.assessment(f.person(team=f.team_a, contact=user), user, filled=False)
    _hand_over(c, a)
    page = c.get("/egenvurdering/ferdig?ansatt=1").get_data(as_text=True)
    assert "Lås opp med kommunens innlogging" in page and 'name="password"' not in page
    authorize = to_provider(c.post("/egenvurdering/avslutt"), provider)
    # The staff member is at the provider: the tablet still shows only the person's pages.
    _fenced(c, a)
    assert rating_of(a).completed_at is None
    r = c.get(at_provider(authorize, SUB))
    assert r.status_code == 302 and r.headers["Location"].startswith(
        f"/kartlegginger/{a.id}/del/")
    rating = rating_of(a)
    assert rating.completed_at is not None and len(rating.answers) == 3
    end = events("handover_end")[-1]
    assert end.user_id == user.id and "3 av 16" in end.detail and "av ansatt" in end.detail
    assert events("sso_reauth")[-1].detail.startswith("handover_end rating_id=")
    text = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "lagret som ufullstendig (3 av 16 spørsmål besvart)" in text
    assert c.get("/").status_code == 200  # staff mode again


def test_the_hand_over_stays_when_someone_else_logs_in(setup, provider):
    """The person (or anyone) logs in at the provider as someone else: refused, and the
    tablet stays in the hand-over."""
    f, c, user = setup
    provider.set_user("sub-person", preferred_username="person", groups=["kantina"])
    a = f.assessment(f.person(team=f.team_a, contact=user), user, filled=False)
    _hand_over(c, a, answers=2)
    authorize = to_provider(c.post("/egenvurdering/avslutt"), provider)
    r = c.get(at_provider(authorize, "sub-person"))
    assert r.status_code == 302 and r.headers["Location"] == "/egenvurdering/ferdig?ansatt=1"
    r = c.get(r.headers["Location"])
    page = r.get_data(as_text=True)
    assert r.status_code == 403 and "en annen person" in page
    assert "fortsatt overlevert til personen" in page
    _fenced(c, a)
    assert rating_of(a).completed_at is None and not events("handover_end")
    assert "sub-person" in events("sso_reauth_refused")[-1].detail
    assert events("handover_end_failed")[-1].person_id == a.person_id
    # The staff member then confirms: the hand-over ends.
    authorize = to_provider(c.post("/egenvurdering/avslutt"), provider)
    assert c.get(at_provider(authorize, SUB)).status_code == 302
    assert rating_of(a).completed_at is not None


def test_a_stale_login_does_not_end_the_hand_over(setup, provider):
    f, c, user = setup
    a = f.assessment(f.person(team=f.team_a, contact=user), user, filled=False)
    _hand_over(c, a, answers=1)
    authorize = to_provider(c.post("/egenvurdering/avslutt"), provider)
    provider.set_user(SUB, **CLAIMS, auth_time=int(time.time()) - 3600)
    try:
        r = c.get(at_provider(authorize, SUB))
    finally:
        provider.set_user(SUB, **CLAIMS)
    assert r.headers["Location"] == "/egenvurdering/ferdig?ansatt=1"
    assert rating_of(a).completed_at is None
    _fenced(c, a)


def test_the_fence_lets_no_login_answer_through_during_the_hand_over(setup, provider):
    """Without a pending re-authentication to end the hand-over, an answer from the provider
    (a real code for the staff member, from a login started elsewhere) is fenced."""
    f, c, user = setup
    a = f.assessment(f.person(team=f.team_a, contact=user), user, filled=False)
    other = f.app.test_client()
    r = other.get("/logg-inn/sso")
    callback = at_provider(r.headers["Location"], SUB)
    _hand_over(c, a, answers=1)
    r = c.get(callback)
    assert r.status_code == 302 and r.headers["Location"].startswith("/egenvurdering")
    assert rating_of(a).completed_at is None
