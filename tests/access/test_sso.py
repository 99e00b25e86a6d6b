"""Single sign-on against a real OpenID Connect provider (oidc-provider-mock) on 127.0.0.1:
authorization code flow with PKCE, state, nonce and an ID token checked against the
provider's keys; users, roles and team from the claims; refusals with a message."""
import os
import threading
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import flask
import oidc_provider_mock
import pytest
import requests
import werkzeug.serving
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from config import TestConfig
from kartlegging import create_app
from kartlegging.access import sso
from kartlegging.extensions import db
from kartlegging.models import AuditEvent, Team, User

CLIENT_ID = "kartlegging-test"
GROUPS = {
    "alna-rus-ansatt": {"role": "ansatt", "team": "Rusteam Alna"},
    "alna-rus-leder": {"role": "teamleder", "team": "Rusteam Alna"},
    "alna-admin": {"role": "admin", "team": "Rusteam Alna"},
    "nordstrand-rus": {"role": "ansatt", "team": "Rusteam Nordstrand"},
}


class Provider:
    def __init__(self, **options):
        self.app = oidc_provider_mock.app(require_nonce=True, **options)
        self.server = werkzeug.serving.make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(2)

    def set_user(self, sub, **claims):
        r = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5)
        assert r.status_code == 204, r.text

    def signing_key(self) -> tuple[RSAKey, str]:
        """The provider's own private key (to forge tokens it would have signed)."""
        with self.app.test_request_context():
            self.app.preprocess_request()
            key = flask.g.oidc_provider_mock_storage.jwk.as_dict(is_private=True)
        kid = requests.get(f"{self.url}/jwks", timeout=5).json()["keys"][0]["kid"]
        return RSAKey.import_key(key), kid


@pytest.fixture(scope="module")
def insecure_transport():
    """Plain http to the provider on 127.0.0.1 (Authlib insists on https otherwise)."""
    old = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    yield
    if old is None:
        os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
    else:
        os.environ["AUTHLIB_INSECURE_TRANSPORT"] = old


@pytest.fixture(scope="module")
def provider(insecure_transport):
    p = Provider()
    yield p
    p.stop()


def make_app(tmp_path, issuer, **extra):
    class Cfg(TestConfig):
        OIDC_ISSUER = issuer
        OIDC_CLIENT_ID = CLIENT_ID
        OIDC_CLIENT_SECRET = "hemmelig"
        OIDC_GROUP_MAP = GROUPS
    for k, v in extra.items():
        setattr(Cfg, k, v)
    app = create_app(Cfg)
    app.instance_path = str(tmp_path / "instance")
    os.makedirs(app.instance_path, exist_ok=True)

    def _fresh_login_state():
        flask.g.pop("_login_user", None)
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_login_state)
    return app


@pytest.fixture
def sapp(tmp_path, provider):
    app = make_app(tmp_path, provider.url)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def sso_login(client, provider, sub, tamper=None, state=None):
    """The whole round trip: our app → provider (the user picks `sub`) → our callback."""
    r = client.get("/logg-inn/sso")
    assert r.status_code == 302, r.data
    authorize = r.headers["Location"]
    assert authorize.startswith(provider.url + "/oauth2/authorize")
    q = parse_qs(urlsplit(authorize).query)
    assert q["code_challenge_method"] == ["S256"] and q["code_challenge"][0]
    assert q["state"][0] and q["nonce"][0]
    if tamper:
        authorize = _with_query(authorize, **tamper)
    r = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert r.status_code == 302, r.text
    back = urlsplit(r.headers["Location"])
    assert back.path == "/logg-inn/sso/svar"
    query = back.query
    if state is not None:
        query = urlencode({**{k: v[0] for k, v in parse_qs(query).items()}, "state": state})
    return client.get(f"{back.path}?{query}")


def _user(sub):
    return db.session.scalar(select(User).where(User.sso_subject == sub))


def _events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_first_login_creates_the_user_with_role_and_team(sapp, provider):
    provider.set_user("sub-kari", preferred_username="kari.nordmann@alna.oslo.kommune.no",
                      name="Kari Nordmann", groups=["annet", "alna-rus-ansatt"])
    c = sapp.test_client()
    r = sso_login(c, provider, "sub-kari")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert c.get("/").status_code == 200
    user = _user("sub-kari")
    assert user.username == "kari.nordmann@alna.oslo.kommune.no"
    assert (user.name, user.role, user.team.name) == ("Kari Nordmann", "ansatt", "Rusteam Alna")
    assert user.sso_issuer == provider.url and user.last_login_at is not None
    ev = _events("sso_login")[0]
    assert ev.user_id == user.id and provider.url in ev.detail and "sub-kari" in ev.detail
    # Such a user has no local password: the login form refuses any password.
    assert sapp.test_client().post("/logg-inn", data={
        "username": user.username, "password": "hva-som-helst-1"}).status_code == 401


def test_changed_group_changes_role_and_team_at_next_login(sapp, provider):
    provider.set_user("sub-lars", preferred_username="lars", name="Lars",
                      groups=["alna-rus-ansatt"])
    assert sso_login(sapp.test_client(), provider, "sub-lars").status_code == 302
    assert _user("sub-lars").role == "ansatt"
    provider.set_user("sub-lars", preferred_username="lars", name="Lars Leder",
                      groups=["alna-rus-ansatt", "alna-rus-leder"])
    c = sapp.test_client()
    assert sso_login(c, provider, "sub-lars").status_code == 302
    db.session.expire_all()
    user = _user("sub-lars")
    assert (user.role, user.name) == ("teamleder", "Lars Leder")
    provider.set_user("sub-lars", preferred_username="lars", name="Lars",
                      groups="nordstrand-rus")
    assert sso_login(sapp.test_client(), provider, "sub-lars").status_code == 302
    db.session.expire_all()
    user = _user("sub-lars")
    assert (user.role, user.team.name) == ("ansatt", "Rusteam Nordstrand")
    assert db.session.scalar(select(Team).where(Team.name == "Rusteam Nordstrand"))
    assert db.session.scalar(select(db.func.count(User.id))) == 1


def test_no_matching_group_is_refused_with_a_message(sapp, provider):
    provider.set_user("sub-ola", preferred_username="ola", name="Ola", groups=["kantina"])
    c = sapp.test_client()
    r = sso_login(c, provider, "sub-ola")
    assert r.status_code == 403
    assert "ikke med i noen gruppe" in r.get_data(as_text=True)
    assert _user("sub-ola") is None
    assert c.get("/").headers["Location"].startswith("/logg-inn")
    ev = _events("sso_refused")[0]
    assert "sub-ola" in ev.detail and "gruppe" in ev.detail


def test_wrong_state_is_refused(sapp, provider):
    provider.set_user("sub-s", preferred_username="s", groups=["alna-rus-ansatt"])
    c = sapp.test_client()
    r = sso_login(c, provider, "sub-s", state="forfalsket-state")
    assert r.status_code == 401 and "avvist" in r.get_data(as_text=True)
    assert _user("sub-s") is None and _events("sso_refused")
    assert c.get("/").status_code == 302


def test_wrong_nonce_is_refused(sapp, provider):
    provider.set_user("sub-n", preferred_username="n", groups=["alna-rus-ansatt"])
    c = sapp.test_client()
    r = sso_login(c, provider, "sub-n", tamper={"nonce": "en-annen-nonce"})
    assert r.status_code == 401 and "avvist" in r.get_data(as_text=True)
    assert _user("sub-n") is None
    assert "nonce" in _events("sso_refused")[0].detail


def test_expired_id_token_is_refused(tmp_path, insecure_transport):
    old = Provider(access_token_max_age=timedelta(minutes=-10))
    try:
        app = make_app(tmp_path, old.url)
        with app.app_context():
            db.create_all()
            old.set_user("sub-e", preferred_username="e", groups=["alna-rus-ansatt"])
            r = sso_login(app.test_client(), old, "sub-e")
            assert r.status_code == 401 and "avvist" in r.get_data(as_text=True)
            assert _user("sub-e") is None
            assert "exp" in _events("sso_refused")[0].detail.lower() or \
                "expired" in _events("sso_refused")[0].detail.lower()
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    finally:
        old.stop()


def _forged(provider, **overrides):
    key, kid = provider.signing_key()
    now = int(time.time())
    claims = {"iss": provider.url, "aud": CLIENT_ID, "sub": "sub-f", "iat": now,
              "exp": now + 300, "nonce": "n-1", **overrides}
    return {"access_token": "x", "token_type": "Bearer",
            "id_token": jwt.encode({"alg": "RS256", "kid": kid}, claims, key)}


@pytest.mark.parametrize("overrides,refused", [
    ({}, False),
    ({"iss": "https://idp.example.invalid"}, True),
    ({"aud": "en-annen-klient"}, True),
    ({"nonce": "n-2"}, True),
    ({"exp": int(time.time()) - 600}, True),
])
def test_id_token_checks_issuer_audience_nonce_expiry(sapp, provider, overrides, refused):
    """The configured client checks what the callback relies on, with tokens signed by
    the provider's real key: only the audience, issuer, nonce or expiry is wrong."""
    token = _forged(provider, **overrides)
    with sapp.test_request_context():
        if refused:
            with pytest.raises(Exception) as info:
                sso.client().parse_id_token(token, nonce="n-1")
            assert type(info.value).__module__.startswith(("joserfc", "authlib"))
        else:
            assert sso.client().parse_id_token(token, nonce="n-1")["sub"] == "sub-f"


def test_token_signed_with_another_key_is_refused(sapp, provider):
    token = _forged(provider)
    other = RSAKey.generate_key(2048)
    claims = jwt.decode(token["id_token"], provider.signing_key()[0]).claims
    token["id_token"] = jwt.encode({"alg": "RS256", "kid": provider.signing_key()[1]},
                                   claims, other)
    with sapp.test_request_context(), pytest.raises(Exception) as info:
        sso.client().parse_id_token(token, nonce="n-1")
    assert type(info.value).__module__.startswith(("joserfc", "authlib"))


def test_deactivated_sso_user_is_refused(sapp, provider):
    provider.set_user("sub-d", preferred_username="d", groups=["alna-rus-ansatt"])
    assert sso_login(sapp.test_client(), provider, "sub-d").status_code == 302
    user = _user("sub-d")
    user.active = False
    db.session.commit()
    r = sso_login(sapp.test_client(), provider, "sub-d")
    assert r.status_code == 403 and "avvist" in r.get_data(as_text=True)
    assert "deaktivert" in _events("sso_refused")[-1].detail


def test_logout_ends_the_session_and_uses_the_end_session_endpoint(sapp, provider):
    provider.set_user("sub-l", preferred_username="l", groups=["alna-rus-ansatt"])
    c = sapp.test_client()
    assert sso_login(c, provider, "sub-l").status_code == 302
    r = c.post("/logg-ut")
    assert r.headers["Location"].startswith(provider.url + "/oauth2/end_session")
    q = parse_qs(urlsplit(r.headers["Location"]).query)
    assert q["client_id"] == [CLIENT_ID]
    assert q["post_logout_redirect_uri"] == ["http://localhost/logg-inn"]
    assert c.get("/").headers["Location"].startswith("/logg-inn")


def test_local_login_can_be_switched_off(tmp_path, provider):
    app = make_app(tmp_path, provider.url, LOCAL_LOGIN=False)
    with app.app_context():
        db.create_all()
        page = app.test_client().get("/logg-inn").get_data(as_text=True)
        assert "Logg inn med kommunens innlogging" in page and 'name="password"' not in page
        r = app.test_client().post("/logg-inn", data={"username": "a", "password": "b"})
        assert r.status_code == 403 and "slått av" in r.get_data(as_text=True)
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_without_sso_the_routes_are_404_and_the_login_page_unchanged(client):
    assert client.get("/logg-inn/sso").status_code == 404
    page = client.get("/logg-inn").get_data(as_text=True)
    assert "kommunens innlogging" not in page and 'name="password"' in page


@pytest.mark.parametrize("settings,message", [
    ({"OIDC_ISSUER": None, "LOCAL_LOGIN": False}, "kan ingen logge inn"),
    ({"OIDC_CLIENT_SECRET": None}, "OIDC_CLIENT_SECRET"),
    ({"OIDC_GROUP_MAP": '{"g": {"role": "sjef", "team": "A"}}'}, "OIDC_GROUP_MAP"),
])
def test_an_incomplete_setup_stops_the_app(tmp_path, settings, message):
    with pytest.raises(Exception, match=message):
        make_app(tmp_path, "http://127.0.0.1:9", **settings)


def test_sso_user_signs_through_the_provider_not_with_a_password(sapp, provider):
    """Signing re-asks who signs; an SSO account has no password here, so a posted password
    is not checked (nor counted towards a lockout): the user is sent to the provider to log
    in again (the whole round trip: test_sso_reauth.py)."""
    from conftest import PASSWORD
    from factories import Factory
    f = Factory(sapp, PASSWORD)
    provider.set_user("sub-sign", preferred_username="signe", groups=["alna-rus-ansatt"])
    c = sapp.test_client()
    assert sso_login(c, provider, "sub-sign").status_code == 302
    user = _user("sub-sign")
    assert user.team_id == f.team_a.id  # the mapped team is the existing one
    a = f.assessment(f.person(team=f.team_a, contact=user), user)
    f.rating(a, user)
    r = c.post(f"/kartlegginger/{a.id}/signer", data={"password": "hva-som-helst-1"})
    assert r.status_code == 302
    assert r.headers["Location"].startswith(provider.url + "/oauth2/authorize")
    assert "prompt=login" in r.headers["Location"]
    db.session.refresh(user)
    assert user.failed_logins == 0


@pytest.mark.parametrize("claimed, why", [
    ("admin\u200b", "usynlige tegn"),        # zero-width space after «admin»
    ("ad\u00admin", "usynlige tegn"),        # soft hyphen
    ("\uff41\uff44\uff4d\uff49\uff4e", "kan ikke skilles fra"),  # full-width «ａｄｍｉｎ»
    ("ADMIN", "kan ikke skilles fra"),
])
def test_a_name_that_looks_like_an_existing_user_is_refused(sapp, provider, claimed, why):
    """The provider's account must not pass for the local «admin» here."""
    from kartlegging.cli import create_user, get_or_create_team
    create_user("admin", "Ada Admin", "admin", get_or_create_team("Rusteam Alna"),
                "lokalt-passord-1")
    db.session.commit()
    provider.set_user("sub-lookalike", preferred_username=claimed, name="Noen Andre",
                      groups=["alna-rus-ansatt"])
    r = sso_login(sapp.test_client(), provider, "sub-lookalike")
    assert r.status_code == 403 and "avvist" in r.get_data(as_text=True)
    assert _user("sub-lookalike") is None
    assert why in _events("sso_refused")[-1].detail


def test_a_new_sso_name_is_stored_normalised(sapp, provider):
    provider.set_user("sub-wide", preferred_username="\uff2b\uff21\uff32\uff29.N",
                      groups=["alna-rus-ansatt"])
    assert sso_login(sapp.test_client(), provider, "sub-wide").status_code == 302
    assert _user("sub-wide").username == "kari.n"


def test_the_hpr_claim_sets_the_users_hpr_nummer(sapp, provider):
    claim = sapp.config["OIDC_HPR_CLAIM"]
    provider.set_user("sub-hanne", preferred_username="hanne", name="Hanne Helse",
                      groups=["alna-rus-ansatt"], **{claim: "9144889"})
    assert sso_login(sapp.test_client(), provider, "sub-hanne").status_code == 302
    assert _user("sub-hanne").hpr_nummer == "9144889"
    # a claim of the wrong form is not taken; the number on record stays
    provider.set_user("sub-hanne", preferred_username="hanne", name="Hanne Helse",
                      groups=["alna-rus-ansatt"], **{claim: "HPR-9144889"})
    assert sso_login(sapp.test_client(), provider, "sub-hanne").status_code == 302
    db.session.expire_all()
    assert _user("sub-hanne").hpr_nummer == "9144889"
