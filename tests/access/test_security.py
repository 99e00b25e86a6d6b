"""Sessions, login, lockout, passwords, headers, redirects and input the database cannot hold."""
import glob
import io
import os
import re
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select
from test_access_matrix import MATRIX, Scenario, fresh_login_state

from config import DevelopmentConfig, ProductionConfig, TestConfig
from conftest import PASSWORD
from factories import Factory
from kartlegging import create_app
from kartlegging.access import login as auth
from kartlegging.cli import password_problem
from kartlegging.clock import now_utc
from kartlegging.extensions import db
from kartlegging.models import Assessment, AuditEvent, Consent, Person, User

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PKG = os.path.join(ROOT, "kartlegging")


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def first_section(app):
    return app.extensions["instruments"].latest("alna-kartlegging").sections[0].id


def age_session(client, minutes):
    with client.session_transaction() as s:
        s["last_seen"] = time.time() - minutes * 60


# ---------------------------------------------------------------- idle timeout

def test_idle_timeout_html_redirects_to_login_with_expired(app, staff):
    client, _ = staff
    assert client.get("/").status_code == 200
    age_session(client, app.config["IDLE_TIMEOUT_MINUTES"] + 1)
    r = client.get("/personer/ny")
    assert r.status_code == 302
    loc = urlsplit(r.headers["Location"])
    assert loc.path == "/logg-inn"
    q = parse_qs(loc.query)
    assert q["expired"] == ["1"] and q["next"][0].startswith("/personer/ny")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Du ble logget ut etter en periode uten aktivitet" in page
    # Really logged out, not only redirected once.
    r = client.get("/")
    assert r.status_code == 302 and "/logg-inn" in r.headers["Location"]


def test_idle_timeout_json_autosave_gets_401_json(app, staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(contact=user), user, filled=False)
    age_session(client, app.config["IDLE_TIMEOUT_MINUTES"] + 1)
    r = client.post(f"/kartlegginger/{a.id}/autolagre", json={
        "version": a.version, "section": first_section(app), "answers": {}})
    assert r.status_code == 401
    body = r.get_json()
    assert body["error"] == "session_expired" and "Logg inn igjen" in body["message"]
    assert fresh(Assessment, a.id).version == a.version


def test_logging_in_again_after_the_idle_time_works_on_the_first_try(app, staff):
    # The re-login dialog's first requests arrive with the expired cookie: they end the old
    # login and go on, instead of answering 401 and leaving the dialog without a token.
    client, user = staff
    age_session(client, app.config["IDLE_TIMEOUT_MINUTES"] + 1)
    r = client.get("/logg-inn/token")
    assert r.status_code == 200 and r.get_json()["csrf_token"]
    assert client.get("/").status_code == 302  # the old login really ended
    age_session(client, app.config["IDLE_TIMEOUT_MINUTES"] + 1)
    r = client.post("/logg-inn", data={"username": user.username, "password": PASSWORD})
    assert r.status_code == 302 and "/logg-inn" not in r.headers["Location"]
    assert client.get("/").status_code == 200


def test_activity_within_the_timeout_keeps_the_session(app, staff):
    client, _ = staff
    age_session(client, app.config["IDLE_TIMEOUT_MINUTES"] - 1)
    assert client.get("/").status_code == 200
    with client.session_transaction() as s:
        assert time.time() - s["last_seen"] < 60
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("tz", ["Europe/Oslo", "America/Los_Angeles", "Asia/Tokyo", "UTC"])
def test_login_works_whatever_the_server_time_zone(app, factory, login, monkeypatch, tz):
    """last_seen was computed from a naive UTC datetime read as local time: on a server in
    Europe/Oslo every login was expired on the next request (fixed in auth.py)."""
    monkeypatch.setenv("TZ", tz)
    time.tzset()
    try:
        client = login(factory.user("ansatt"))
        r = client.get("/")
        assert r.status_code == 200, r.headers.get("Location")
        age_session(client, app.config["IDLE_TIMEOUT_MINUTES"] + 1)
        assert client.get("/").status_code == 302
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_absolute_session_lifetime(app, staff):
    """Even a session kept busy ends after PERMANENT_SESSION_LIFETIME (a copied cookie does
    not live forever)."""
    client, _ = staff
    limit = app.permanent_session_lifetime.total_seconds()
    with client.session_transaction() as s:
        s["login_at"] = time.time() - limit + 60
    assert client.get("/").status_code == 200
    with client.session_transaction() as s:
        s["login_at"] = time.time() - limit - 1
    r = client.get("/")
    assert r.status_code == 302 and "expired=1" in r.headers["Location"]
    assert client.get("/").status_code == 302


def test_keepalive_resets_the_idle_clock(app, staff):
    client, _ = staff
    age_session(client, app.config["IDLE_TIMEOUT_MINUTES"] - 1)
    assert client.post("/hold-i-live", json={}).get_json() == {"ok": True}
    with client.session_transaction() as s:
        assert time.time() - s["last_seen"] < 60


def test_long_handover_does_not_log_staff_out_when_it_ends(app, staff, factory):
    """The person may answer for longer than the idle timeout; the staff member then ends
    the hand-over with the password and must be able to go on (fixed in security.py)."""
    client, user = staff
    a = factory.assessment(factory.person(contact=user), user, filled=False)
    assert client.post(f"/kartlegginger/{a.id}/livskvalitet/gi-nettbrettet").status_code == 302
    age_session(client, app.config["IDLE_TIMEOUT_MINUTES"] + 5)
    assert client.get("/egenvurdering?n=1").status_code == 200
    r = client.post("/egenvurdering/avslutt", data={"password": PASSWORD})
    assert r.status_code == 302 and "/del/" in r.headers["Location"]
    assert client.get(r.headers["Location"]).status_code == 200


def test_deactivated_user_loses_open_session(staff):
    client, user = staff
    assert client.get("/").status_code == 200
    user.active = False
    db.session.commit()
    r = client.get("/")
    assert r.status_code == 302 and "/logg-inn" in r.headers["Location"]
    r = client.post("/logg-inn", data={"username": user.username, "password": PASSWORD})
    assert r.status_code == 401


# ---------------------------------------------------------------- cookies and HSTS

@pytest.fixture
def production_app(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    monkeypatch.setenv("DATABASE_URL", TestConfig.SQLALCHEMY_DATABASE_URI)
    monkeypatch.setenv("SIGNING_P12", str(tmp_path / "ikke-brukt.p12"))
    monkeypatch.setenv("SIGNING_P12_PASSPHRASE", "ikke-brukt")

    class Prod(ProductionConfig):
        SECRET_KEY = "k" * 48
        SQLALCHEMY_DATABASE_URI = TestConfig.SQLALCHEMY_DATABASE_URI
        PASSWORD_HASH_METHOD = TestConfig.PASSWORD_HASH_METHOD
    app = create_app(Prod)
    app.instance_path = str(tmp_path)
    fresh_login_state(app)
    with app.app_context():
        db.create_all()
        try:
            yield app
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def test_production_cookies_are_secure_httponly_samesite(production_app):
    factory = Factory(production_app, PASSWORD)
    assert production_app.config["SESSION_COOKIE_SECURE"] is True
    assert production_app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production_app.config["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert production_app.config["REMEMBER_COOKIE_SECURE"] is True
    user = factory.user("ansatt")
    client = production_app.test_client()
    html = client.get("/logg-inn", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    creds = {"username": user.username, "password": PASSWORD, "csrf_token": token}
    # Over HTTPS Flask-WTF wants a same-origin Referer, so the Referrer-Policy must let the
    # browser send one to our own origin (it was "no-referrer": every POST was refused).
    policy = client.get("/logg-inn", base_url="https://localhost").headers["Referrer-Policy"]
    assert policy in ("same-origin", "strict-origin", "strict-origin-when-cross-origin")
    r = client.post("/logg-inn", base_url="https://localhost", data=creds)
    assert r.status_code == 400  # what a browser under "no-referrer" would get
    r = client.post("/logg-inn", base_url="https://localhost", data=creds,
                    headers={"Referer": "https://localhost/logg-inn"})
    assert r.status_code == 302
    cookie = next(v for k, v in r.headers.items() if k == "Set-Cookie" and "session=" in v)
    attrs = [a.strip().lower() for a in cookie.split(";")]
    assert "secure" in attrs and "httponly" in attrs
    assert "samesite=lax" in attrs or "samesite=strict" in attrs


def test_hsts_only_in_production(production_app, app, tmp_path):
    r = production_app.test_client().get("/logg-inn", base_url="https://localhost")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(r.headers["Strict-Transport-Security"].split("=")[1].split(";")[0]) >= 31536000
    assert "Strict-Transport-Security" not in app.test_client().get("/logg-inn").headers

    class Dev(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = TestConfig.SQLALCHEMY_DATABASE_URI
    dev = create_app(Dev)
    assert "Strict-Transport-Security" not in dev.test_client().get("/logg-inn").headers
    assert dev.config["SESSION_COOKIE_HTTPONLY"] is True


def test_production_refuses_unsafe_defaults(monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "SIGNING_P12", "SIGNING_P12_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY må settes"):
        ProductionConfig.check()
    monkeypatch.setenv("SECRET_KEY", "for-kort")
    with pytest.raises(RuntimeError, match="minst 32 tegn"):
        ProductionConfig.check()


# ---------------------------------------------------------------- login and lockout

def login_post(client, username, password, **kw):
    return client.post("/logg-inn", data={"username": username, "password": password}, **kw)


def test_lockout_after_max_failures_refuses_even_the_right_password(app, factory, client):
    user = factory.user("ansatt")
    n = app.config["LOGIN_MAX_FAILURES"]
    for i in range(n):
        r = login_post(client, user.username, f"feil-passord-{i}")
        assert r.status_code == 401
        assert "Feil brukernavn eller passord." in r.get_data(as_text=True)
    r = login_post(client, user.username, PASSWORD)
    assert r.status_code == 401
    text = r.get_data(as_text=True)
    assert "midlertidig låst" in text and "Prøv igjen om" in text
    r = client.post("/logg-inn", json={"username": user.username, "password": PASSWORD},
                    headers={"Accept": "application/json"})
    assert r.status_code == 401 and "låst" in r.get_json()["message"]
    assert client.get("/").status_code == 302  # not logged in
    locked = fresh(User, user.id)
    assert locked.locked_until > now_utc() + timedelta(
        minutes=app.config["LOGIN_LOCK_MINUTES"] - 1)
    failed = db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "login_failed", AuditEvent.username == user.username))
    assert failed == n + 2
    # When the lock has run out, the right password works and the counter starts over.
    locked.locked_until = now_utc() - timedelta(seconds=1)
    db.session.commit()
    r = login_post(client, user.username, PASSWORD)
    assert r.status_code == 302
    assert fresh(User, user.id).failed_logins == 0


def test_failures_below_the_limit_are_forgotten_after_a_good_login(app, factory, client):
    user = factory.user("ansatt")
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        login_post(client, user.username, "feil-passord")
    assert login_post(client, user.username, PASSWORD).status_code == 302
    client.post("/logg-ut")
    assert login_post(client, user.username, "feil-passord").status_code == 401
    assert login_post(client, user.username, PASSWORD).status_code == 302


def test_unknown_user_and_inactive_user_get_the_same_message(factory, client):
    user = factory.user("ansatt")
    user.active = False
    db.session.commit()
    a = login_post(client, "finnes-ikke", PASSWORD)
    b = login_post(client, user.username, PASSWORD)
    assert a.status_code == b.status_code == 401
    for r in (a, b):
        assert "Feil brukernavn eller passord." in r.get_data(as_text=True)


def test_many_failures_from_one_address_are_throttled(app, client):
    limit = app.config["LOGIN_MAX_FAILURES"] * 4
    for i in range(limit):
        assert login_post(client, f"ukjent{i}", "x").status_code == 401
    r = login_post(client, "ukjent-siste", "x")
    assert r.status_code == 401
    assert "For mange mislykkede forsøk fra denne maskinen" in r.get_data(as_text=True)


def test_username_is_case_and_space_insensitive(factory, client):
    user = factory.user("ansatt", username="kari")
    assert login_post(client, "  KARI ", PASSWORD).status_code == 302
    assert user.id


@pytest.mark.parametrize("password,ok", [
    ("kort-1", False), ("a" * 11 + "1", True), ("a" * 11, False), ("1" * 20, False),
    ("bare-bokstaver-og-bindestrek", True), ("abcdefghijklmnop", False),
    ("Æøå æøå æøå æøå", True), ("riktig-passord-42", True), ("", False),
])
def test_password_rules(password, ok):
    problem = password_problem(password)
    assert (problem is None) == ok, problem
    if problem:
        assert problem.startswith("Passordet må")


def test_cli_refuses_weak_password(app):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["users", "create", "nyansatt", "--name", "Ny Ansatt", "--team",
                            "Team X", "--password", "kort"])
    assert r.exit_code != 0 and "minst 12 tegn" in r.output
    assert db.session.scalar(select(User).where(User.username == "nyansatt")) is None
    r = runner.invoke(args=["users", "create", "nyansatt", "--name", "Ny Ansatt", "--team",
                            "Team X", "--password", "langt-nok-passord-7"])
    assert r.exit_code == 0, r.output
    assert db.session.scalar(select(User).where(User.username == "nyansatt")).role == "ansatt"


def test_confirm_password_shares_the_lockout(app, factory):
    """auth.confirm_password: for screens that ask for the password again (sign, end
    hand-over). Wrong attempts count towards the same lock as login."""
    user = factory.user("ansatt")
    with app.test_request_context():
        for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
            assert auth.confirm_password(user, "feil") == "Feil passord."
        assert "låst" in auth.confirm_password(user, "feil")
        assert "låst" in auth.confirm_password(user, PASSWORD)
        user.locked_until = now_utc() - timedelta(seconds=1)
        assert auth.confirm_password(user, PASSWORD) is None
        assert user.failed_logins == 0


# ---------------------------------------------------------------- redirects after login

def assert_stays_on_site(location):
    """What a browser would do with the Location header (Werkzeug sends it IRI-quoted)."""
    parts = urlsplit(location)
    assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), location
    assert parts.path.startswith("/") and not parts.path.startswith("//"), location
    assert "\\" not in location and not any(ord(c) < 33 for c in location), location


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
    "/\t/evil.example", "/%09/evil.example", "javascript:alert(1)", "http:/evil.example",
    "///evil.example", " //evil.example", "/\\/evil.example", "https:evil.example",
])
def test_login_next_never_leaves_the_site(factory, client, target):
    user = factory.user("ansatt")
    r = login_post(client, user.username, PASSWORD, query_string={"next": target})
    assert r.status_code == 302
    assert_stays_on_site(r.headers["Location"])
    if "\\" in target or "\t" in target or not target.startswith("/") or \
            target.startswith("//"):
        assert urlsplit(r.headers["Location"]).path == "/"  # refused: the front page


def test_login_next_keeps_a_local_path(factory, client):
    user = factory.user("ansatt")
    r = login_post(client, user.username, PASSWORD, query_string={"next": "/personer/ny?x=1"})
    assert r.headers["Location"].endswith("/personer/ny?x=1")


@pytest.mark.parametrize("back", [
    "/\\evil.example", "//evil.example", "https://evil.example",
    "/\t/evil.example",  # Werkzeug drops the tab in Location: "//evil.example"
    "/\n/evil.example",
])
def test_consent_back_link_never_leaves_the_site(staff, factory, back):
    client, user = staff
    person = factory.person(contact=user)
    r = client.post(f"/personer/{person.id}/samtykker/ny", query_string={"tilbake": back},
                    data={"categories": ["helse"], "direction": "til", "party_kind": "nav",
                          "valid_from": "2026-01-01", "until_withdrawn": "y",
                          "given_how": "muntlig"})
    assert r.status_code == 302
    assert_stays_on_site(r.headers["Location"])


# ---------------------------------------------------------------- passwords asked again

def test_handover_end_cannot_be_used_to_guess_the_staff_password(app, staff, factory):
    """The person holding the tablet must not be able to guess the staff password: after a
    few wrong tries every further try waits (not checked at all, even the right password),
    and the account's login lockout is never touched (tests/access/test_handover_unlock.py
    has the whole story)."""
    client, user = staff
    a = factory.assessment(factory.person(contact=user), user, filled=False)
    client.post(f"/kartlegginger/{a.id}/livskvalitet/gi-nettbrettet")
    free = app.config.get("HANDOVER_FREE_TRIES", 3)
    for i in range(free):
        r = client.post("/egenvurdering/avslutt", data={"password": f"gjett-{i}"})
        assert r.status_code == 403
        assert "fortsatt overlevert til personen" in r.get_data(as_text=True)
    r = client.post("/egenvurdering/avslutt", data={"password": PASSWORD})
    assert r.status_code == 429 and "Vent" in r.get_data(as_text=True)
    assert client.get("/").headers["Location"].endswith("/egenvurdering")  # still fenced
    failed = db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "handover_end_failed"))
    assert failed == free + 1
    account = fresh(User, user.id)
    assert account.locked_until is None and not account.failed_logins


def test_sign_cannot_be_used_to_guess_the_password(app, staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(contact=user), user)
    for i in range(app.config["LOGIN_MAX_FAILURES"]):
        assert client.post(f"/kartlegginger/{a.id}/signer",
                           data={"password": f"gjett-{i}"}).status_code == 403
    assert fresh(User, user.id).locked_until is not None
    r = client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD})
    assert r.status_code == 403 and "låst" in r.get_data(as_text=True)
    assert not fresh(Assessment, a.id).is_signed


# ---------------------------------------------------------------- headers

def assert_security_headers(r, path):
    csp = r.headers.get("Content-Security-Policy", "")
    assert csp, path
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
    # The one exception: the unsigned preview the sign page shows in a frame of its own origin.
    framed = "/signer/forhandsvisning.pdf" in path and r.mimetype == "application/pdf"
    assert ("frame-ancestors 'self'" if framed else "frame-ancestors 'none'") in csp, path
    assert "default-src 'self'" in csp and "object-src 'none'" in csp, path
    assert r.headers.get("X-Content-Type-Options") == "nosniff", path
    assert r.headers.get("X-Frame-Options") == ("SAMEORIGIN" if framed else "DENY"), path
    assert r.headers.get("Referrer-Policy") == "same-origin", path
    assert "Strict-Transport-Security" not in r.headers, path  # test config is not production
    if "/static/" not in path:
        assert "no-store" in r.headers.get("Cache-Control", ""), path


def test_headers_on_every_page(app):
    sc = Scenario(app)
    seen = 0
    for role in ("anon", "teamleder", "handover"):
        client = sc.client(role)
        for (endpoint, method) in MATRIX:
            if method != "GET":
                continue
            path = sc.url(endpoint)
            r = client.get(path)
            r.close()
            assert_security_headers(r, f"{role} {path} {r.status_code}")
            seen += 1
        for path in ("/finnes-ikke", "/personer/999999", "/logg-ut"):  # 404, 404/redirect, 405
            r = client.get(path)
            assert_security_headers(r, f"{role} {path} {r.status_code}")
    assert seen >= 3 * 15


def test_person_data_pages_are_not_cached(app, factory, login):
    lead = factory.user("teamleder")
    person = factory.person(contact=lead)
    a = factory.assessment(person, lead)
    a.status, a.signed_pdf = "signed", b"%PDF-1.7 test"
    db.session.commit()
    client = login(lead)
    for path in (f"/personer/{person.id}", f"/kartlegginger/{a.id}/pdf",
                 f"/personer/{person.id}/logg.csv", f"/kartlegginger/{a.id}"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["Cache-Control"] == "no-store", path


EXTERNAL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", re.I)
NAMESPACES = ("http://www.w3.org/",)


def _files(*patterns):
    out = []
    for p in patterns:
        out += glob.glob(os.path.join(PKG, p), recursive=True)
    return [f for f in out if os.path.isfile(f)]


def test_no_template_or_static_file_loads_anything_external():
    files = _files("templates/**/*", "static/**/*")
    assert any(f.endswith("base.html") for f in files)
    found = []
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                for m in EXTERNAL.finditer(line):
                    url = m.group(0)
                    if any(line[m.start():].startswith(ns) for ns in NAMESPACES):
                        continue
                    found.append(f"{os.path.relpath(f, ROOT)}:{n}: {url}")
    assert not found, "Eksterne adresser (CSP og personvern: alt skal serveres lokalt):\n" + \
        "\n".join(found)


def test_templates_have_no_inline_script_or_style():
    """The CSP has no 'unsafe-inline': inline code and style would silently not run."""
    found = []
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    style_attr = re.compile(r"\sstyle\s*=", re.I)
    for f in _files("templates/**/*.html"):
        with open(f, encoding="utf-8") as fh:
            text = fh.read()
        for name, rx in (("<script> uten src", inline_script), ("on…=", handler),
                         ("style=", style_attr), ("<style>", re.compile(r"<style", re.I)),
                         ("javascript:", re.compile(r"javascript:", re.I))):
            for m in rx.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                found.append(f"{os.path.relpath(f, ROOT)}:{line}: {name}")
    assert not found, "\n".join(found)


# ---------------------------------------------------------------- input the database cannot hold

def counts():
    return {t: db.session.execute(select(func.count()).select_from(tbl)).scalar()
            for t, tbl in db.metadata.tables.items() if t != "audit_event"}


@pytest.mark.parametrize("value", ["a\x00b", "\x00"])
def test_nul_bytes_are_refused_everywhere(app, staff, factory, value):
    """PostgreSQL text cannot hold NUL; it must be a 400, never a 500 (fixed in security.py)."""
    client, user = staff
    person = factory.person(contact=user)
    a = factory.assessment(person, user, filled=False)
    before = counts()
    checks = [
        client.post("/personer/ny", data={"name": value, "national_id": "",
                                          "kontaktperson": str(user.id)}),
        client.get("/", query_string={"q": value}),
        client.post(f"/personer/{person.id}/koordinator",
                    data={"name": value, "service": "NAV", "since": "2026-01-01"}),
        client.post(f"/kartlegginger/{a.id}/del/{first_section(app)}",
                    data={"version": str(a.version), "x": value}),
        client.post(f"/kartlegginger/{a.id}/autolagre", json={
            "version": a.version, "section": first_section(app), "answers": {"x": value}}),
        app.test_client().post("/logg-inn", data={"username": value, "password": value}),
        app.test_client().post("/logg-inn", json={"username": value, "password": "x"}),
        client.post("/verifiser", data={"file": (io.BytesIO(b"%PDF"), f"k{value}.pdf")},
                    content_type="multipart/form-data"),
    ]
    for r in checks:
        assert r.status_code == 400, r.request.path
        text = r.get_data(as_text=True)
        assert "tegn som ikke kan lagres" in text, text[:300]
    assert counts() == before
    assert fresh(Assessment, a.id).version == a.version


def test_lone_surrogates_in_json_are_refused(app, staff, factory):
    client, user = staff
    a = factory.assessment(factory.person(contact=user), user, filled=False)
    body = ('{"version": ' + str(a.version) + ', "section": "' + first_section(app)
            + '", "answers": {"x": "\\ud800"}}')
    r = client.post(f"/kartlegginger/{a.id}/autolagre", data=body,
                    content_type="application/json")
    assert r.status_code == 400 and r.get_json()["message"]
    assert fresh(Assessment, a.id).version == a.version


@pytest.mark.parametrize("body", ['[1, 2]', '"tekst"', '42', 'null', '{"username": 5}',
                                  '{"username": {"a": 1}, "password": "x"}', '{"username": [1]}',
                                  '{"a": ', '\xff\xfe'])
def test_json_that_is_not_a_flat_form_is_refused(app, body):
    r = app.test_client().post("/logg-inn", data=body, content_type="application/json")
    assert r.status_code == 400
    assert r.get_json()["message"]


def test_non_ascii_survives_unchanged(app, staff, factory):
    """Rejecting NUL must not touch real text: Sámi, emoji, RTL, combining marks."""
    client, user = staff
    name = "Áŋŋe Ŋuorra 🙂 ‏שלום‎ é"
    r = client.post("/personer/ny", data={"name": name, "no_number": "y",
                                          "no_id_reason": "Vil ikke oppgi – «ok»",
                                          "kontaktperson": str(user.id)})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    assert db.session.scalar(select(Person).where(Person.name == name)) is not None


def test_audit_event_consent_untouched_by_bad_input(staff, factory):
    client, user = staff
    person = factory.person(contact=user)
    before = db.session.scalar(select(func.count(Consent.id)))
    r = client.post(f"/personer/{person.id}/samtykker/ny", data={"party_name": "\x00"})
    assert r.status_code == 400
    assert db.session.scalar(select(func.count(Consent.id))) == before


# ---------------------------------------------------------------- CSRF

def test_post_without_csrf_token_is_refused_in_norwegian(app, factory):
    """TestConfig switches CSRF off; here it is on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    user = factory.user("ansatt")
    person = factory.person(contact=user)
    client = app.test_client()
    r = client.post("/logg-inn", data={"username": user.username, "password": PASSWORD})
    assert r.status_code == 400
    assert "Forespørselen var ugyldig" in r.get_data(as_text=True)
    html = client.get("/logg-inn").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    r = client.post("/logg-inn", data={"username": user.username, "password": PASSWORD,
                                       "csrf_token": token})
    assert r.status_code == 302
    consent = {"categories": ["helse"], "direction": "til", "party_kind": "nav",
               "valid_from": "2026-01-01", "until_withdrawn": "y", "given_how": "muntlig"}
    before = counts()
    r = client.post(f"/personer/{person.id}/samtykker/ny", data=consent)
    assert r.status_code == 400
    assert "Forespørselen var ugyldig" in r.get_data(as_text=True)
    r = client.post(f"/personer/{person.id}/samtykker/ny",
                    data=dict(consent, csrf_token="feil-token"))
    assert r.status_code == 400
    assert counts() == before
    # JSON (autosave) without the X-CSRFToken header: 400 JSON with the message.
    a = factory.assessment(person, user, filled=False)
    body = {"version": a.version, "section": first_section(app), "answers": {}}
    r = client.post(f"/kartlegginger/{a.id}/autolagre", json=body)
    assert r.status_code == 400
    assert "ugyldig" in r.get_json()["message"]
    assert fresh(Assessment, a.id).version == a.version
    # With the token (form field or header) it goes through.
    r = client.post(f"/kartlegginger/{a.id}/autolagre", json=body,
                    headers={"X-CSRFToken": token})
    assert r.status_code == 200, r.get_data(as_text=True)
    r = client.post(f"/personer/{person.id}/samtykker/ny", data=dict(consent, csrf_token=token))
    assert r.status_code == 302
