"""Findings of the milestone-1 penetration test, one section per finding.

The tests that need real concurrency run on a database several connections share: the
PostgreSQL server named by TEST_DATABASE_URL when there is one (CI's `make test-pg`),
else a SQLite file.
"""
import csv
import io
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import g
from sqlalchemy.exc import IntegrityError
from werkzeug.middleware.proxy_fix import ProxyFix

from config import TestConfig
from conftest import PASSWORD
from factories import Factory
from kartlegging import create_app, private_files
from kartlegging.access import audit, sessions
from kartlegging.domain.csv_export import cell as csv_cell
from kartlegging.extensions import db
from kartlegging.models import Assessment, AuditEvent, LoginSession, User

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
LONG = "1" * 40 + "." + "2" * 60   # 101 characters: more than audit_event.remote_addr holds


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def behind_proxy(app):
    """What create_app does with TRUSTED_PROXIES=1."""
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=0)


@pytest.fixture
def shared_app(tmp_path):
    """An app whose database many threads reach at once through their own connections."""
    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = (PG_URL if PG_URL.startswith("postgresql")
                                   else f"sqlite:///{tmp_path / 'delt.db'}")
    app = create_app(Cfg)
    app.instance_path = str(tmp_path / "instance")
    os.makedirs(app.instance_path, exist_ok=True)

    def _fresh_login_state():
        g.pop("_login_user", None)
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_login_state)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def in_parallel(n, fn):
    """Run fn(i) for i in range(n) in n threads that start together."""
    start = threading.Barrier(n)

    def run(i):
        start.wait()
        return fn(i)
    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


# ---------------------------------------------------------------- 1, 2: client address

def test_readme_proxy_block_sets_x_forwarded_for():
    """The README's proxy configuration is the deploy file it includes (the one the
    two-instance test runs): it passes the client's address on."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        assert "include /opt/kartlegging/deploy/nginx/kartlegging.conf;" in f.read()
    with open(os.path.join(ROOT, "deploy", "nginx", "kartlegging.conf"), encoding="utf-8") as f:
        assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in f.read()


def test_trusted_proxies_takes_the_right_most_hop_and_not_the_host(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    app = create_app(TestConfig)
    assert isinstance(app.wsgi_app, ProxyFix)
    assert (app.wsgi_app.x_for, app.wsgi_app.x_proto, app.wsgi_app.x_host) == (1, 1, 0)


@pytest.mark.parametrize("forwarded", [LONG, "=HYPERLINK(\"http://evil.example\";\"klikk\")",
                                       "not-an-address", "fe80::1%" + "x" * 80])
def test_forged_or_overlong_forwarded_address_never_breaks_or_enters_the_log(
        app, factory, forwarded):
    """Runs on PostgreSQL too (TEST_DATABASE_URL), where VARCHAR(64) overflowed: a 500,
    the counter and the audit row rolled back, and a logged-in cookie with the 500."""
    behind_proxy(app)
    user = factory.user("ansatt")
    client = app.test_client()
    headers = {"X-Forwarded-For": forwarded}
    r = client.post("/logg-inn", data={"username": user.username, "password": "feil"},
                    headers=headers)
    assert r.status_code == 401
    assert fresh(User, user.id).failed_logins == 1
    event = AuditEvent.query.filter_by(action="login_failed").one()
    assert event.remote_addr == "127.0.0.1"  # the TCP peer, not the client's text
    r = client.post("/logg-inn", data={"username": user.username, "password": PASSWORD},
                    headers=headers)
    assert r.status_code == 302
    assert AuditEvent.query.filter_by(action="login").one().remote_addr == "127.0.0.1"


def test_valid_forwarded_address_is_logged(app, factory):
    behind_proxy(app)
    user = factory.user("ansatt")
    # nginx appends the real address to whatever the client sent
    app.test_client().post("/logg-inn", data={"username": user.username, "password": "x"},
                           headers={"X-Forwarded-For": "6.6.6.6, 2001:db8::7"})
    assert AuditEvent.query.filter_by(action="login_failed").one().remote_addr == "2001:db8::7"


def test_client_chosen_left_part_does_not_escape_the_address_throttle(app, factory):
    behind_proxy(app)
    limit = app.config["LOGIN_MAX_FAILURES"] * 4
    client = app.test_client()
    for i in range(limit):
        client.post("/logg-inn", data={"username": f"ukjent{i}", "password": "x"},
                    headers={"X-Forwarded-For": f"6.6.{i}.1, 10.0.0.9"})
    r = client.post("/logg-inn", data={"username": "annen", "password": "x"},
                    headers={"X-Forwarded-For": "9.9.9.9, 10.0.0.9"})
    assert "fra denne maskinen" in r.get_data(as_text=True)


def test_a_client_cannot_make_an_audit_write_fail(app, factory):
    user = factory.user("ansatt")
    r = app.test_client().post("/logg-inn", data={"username": "x" * 80 + "ø" * 5,
                                                  "password": "x"})
    assert r.status_code in (400, 401)
    with app.test_request_context(environ_base={"REMOTE_ADDR": LONG}):
        audit.record("login_failed", username="u" * 500, detail="d" * 10_000)
    e = AuditEvent.query.filter_by(detail="d" * 10_000).one()
    assert e.remote_addr is None and len(e.username) == 80
    assert user.id


def test_a_500_never_carries_a_new_session_and_never_undoes_a_counted_try(
        app, factory, monkeypatch):
    user = factory.user("ansatt")
    app.testing = False  # the production error page, not the test's re-raise
    real = audit.record

    def broken(action, **kw):
        if action in ("login", "login_failed"):
            raise RuntimeError("disken er full")
        return real(action, **kw)
    monkeypatch.setattr(audit, "record", broken)
    client = app.test_client()
    r = client.post("/logg-inn", data={"username": user.username, "password": "feil"})
    assert r.status_code == 500
    assert fresh(User, user.id).failed_logins == 1  # committed before the failure
    r = client.post("/logg-inn", data={"username": user.username, "password": PASSWORD})
    assert r.status_code == 500
    assert "Set-Cookie" not in r.headers
    monkeypatch.setattr(audit, "record", real)
    r = client.get("/")
    assert r.status_code == 302 and "/logg-inn" in r.headers["Location"]


# ---------------------------------------------------------------- 2: CSV export

def test_csv_cells_that_a_spreadsheet_would_run_are_escaped():
    for bad in ("=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(bad) == "'" + bad
    assert csv_cell("Kari") == "Kari" and csv_cell(None) == "" and csv_cell("a=b") == "a=b"


def test_audit_csv_export_escapes_every_cell(app, factory, login):
    lead = factory.user("teamleder")
    person = factory.person()
    for text in ("=HYPERLINK(\"http://evil.example\";\"x\")", "+cmd", "-1", "@x", "\tTAB"):
        db.session.add(AuditEvent(action="person_view", person_id=person.id, username=text,
                                  remote_addr=text, detail=text))
    db.session.commit()
    body = login(lead).get(f"/personer/{person.id}/logg.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) > 5
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row


# ---------------------------------------------------------------- 5: sessions end on the server

def test_a_copied_cookie_is_refused_after_logout(app, staff):
    client, user = staff
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    assert thief.get("/").status_code == 200
    client.post("/logg-ut")
    r = thief.get("/")
    assert r.status_code == 302 and "/logg-inn" in r.headers["Location"]
    person_count = db.session.scalar(db.select(db.func.count()).select_from(LoginSession))
    assert person_count == 1 and LoginSession.query.one().ended_at is not None


def test_log_out_everywhere_ends_every_login_of_the_user(app, factory, login):
    user = factory.user("ansatt")
    tablet, laptop = login(user), login(user)
    other = login(factory.user("ansatt"))
    r = laptop.post("/logg-ut/overalt")
    assert r.status_code == 302
    assert tablet.get("/").status_code == 302 and laptop.get("/").status_code == 302
    assert other.get("/").status_code == 200
    assert AuditEvent.query.filter_by(action="logout_everywhere").one().user_id == user.id


def test_password_change_and_deactivation_end_every_login(app, factory, login):
    runner = app.test_cli_runner()
    user = factory.user("ansatt", username="kari")
    client = login(user)
    r = runner.invoke(args=["users", "password", "kari"],
                      input="nytt-passord-99\nnytt-passord-99\n")
    assert r.exit_code == 0, r.output
    assert client.get("/").status_code == 302
    client = app.test_client()
    assert client.post("/logg-inn", data={"username": "kari", "password": "nytt-passord-99"}
                       ).status_code == 302
    assert runner.invoke(args=["users", "deactivate", "kari"]).exit_code == 0
    assert client.get("/").status_code == 302
    assert sessions.end_all(user.id) == 0  # nothing left open


def test_idle_timeout_ends_the_login_on_the_server(app, staff):
    client, _ = staff
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    with client.session_transaction() as s:
        s["last_seen"] -= 3600
    assert client.get("/").status_code == 302
    assert copy.get("/").status_code == 302  # its last_seen was fresh, but the login ended


# ---------------------------------------------------------------- 6: races

def test_40_parallel_wrong_passwords_lock_after_exactly_5(shared_app):
    factory = Factory(shared_app, PASSWORD)
    user = factory.user("ansatt", username="kari")
    max_failures = shared_app.config["LOGIN_MAX_FAILURES"]

    def guess(i):
        r = shared_app.test_client().post(
            "/logg-inn", data={"username": "kari", "password": f"gjett-{i}"},
            environ_base={"REMOTE_ADDR": f"10.1.{i}.1"})  # 40 machines: no address throttle
        return r.status_code, r.get_data(as_text=True)
    results = in_parallel(40, guess)
    assert all(code == 401 for code, _ in results)
    wrong = sum("Feil brukernavn eller passord" in html for _, html in results)
    locked = sum("midlertidig låst" in html for _, html in results)
    assert (wrong, locked) == (max_failures, 40 - max_failures)
    assert fresh(User, user.id).locked_until is not None
    r = shared_app.test_client().post("/logg-inn", data={"username": "kari",
                                                         "password": PASSWORD})
    assert "midlertidig låst" in r.get_data(as_text=True)


def test_lockout_message_does_not_tell_whether_the_account_exists(app, factory):
    factory.user("ansatt", username="kari")
    answers = {}
    for name in ("kari", "finnes-ikke"):
        client = app.test_client()
        pages = [client.post("/logg-inn", data={"username": name, "password": "feil"},
                             environ_base={"REMOTE_ADDR": f"10.2.{len(name)}.1"})
                 .get_data(as_text=True) for _ in range(7)]
        answers[name] = [re.search(r'id="password-feil"[^>]*>(.*?)</', p, re.S).group(1)
                         for p in pages]
    assert answers["kari"] == answers["finnes-ikke"]
    assert "midlertidig låst" in answers["kari"][-1]


def _team_draft(app):
    factory = Factory(app, PASSWORD)
    user = factory.user("ansatt", username="kari")
    a = factory.assessment(factory.person(contact=user), user, filled=False)
    cookie = _logged_in_cookie(app, "kari")
    return a.id, a.version, cookie


def _logged_in_cookie(app, username):
    c = app.test_client()
    assert c.post("/logg-inn", data={"username": username, "password": PASSWORD}
                  ).status_code == 302
    return c.get_cookie("session").value


def _client_with(app, cookie):
    c = app.test_client()
    c.set_cookie("session", cookie)
    return c


def test_parallel_saves_never_both_succeed_on_one_version(shared_app):
    a_id, version, cookie = _team_draft(shared_app)

    def save(i):
        r = _client_with(shared_app, cookie).post(
            f"/kartlegginger/{a_id}/autolagre",
            json={"version": version, "section": "viktig",
                  "answers": {"hva_er_viktig": f"klient {i}"}})
        return r.status_code, r.get_json()
    results = in_parallel(12, save)
    codes = sorted(code for code, _ in results)
    assert codes == [200] + [409] * 11
    winner = next(body for code, body in results if code == 200)
    assert winner["version"] == version + 1
    stored = fresh(Assessment, a_id)
    assert stored.version == version + 1
    assert stored.answers["hva_er_viktig"] == next(
        f"klient {i}" for i, (code, _) in enumerate(results) if code == 200)


def test_each_save_answers_the_version_it_wrote(shared_app):
    """Many clients save in turn as fast as they can: every 200 names its own version, so
    the versions answered are exactly 2, 3, … with none twice."""
    a_id, version, cookie = _team_draft(shared_app)
    lock = threading.Lock()
    answered = []

    def worker(i):
        client = _client_with(shared_app, cookie)
        for n in range(6):
            with lock:
                v = version + len(answered)
            r = client.post(f"/kartlegginger/{a_id}/autolagre",
                            json={"version": v, "section": "viktig",
                                  "answers": {"hva_er_viktig": f"{i}-{n}"}})
            if r.status_code == 200:
                with lock:
                    answered.append(r.get_json()["version"])
    in_parallel(6, worker)
    assert sorted(answered) == list(range(version + 1, version + 1 + len(answered)))
    assert fresh(Assessment, a_id).version == version + len(answered)


def test_parallel_hand_over_answers_are_all_kept(shared_app):
    factory = Factory(shared_app, PASSWORD)
    user = factory.user("ansatt", username="kari")
    k = factory.assessment(factory.person(contact=user), user, filled=False)
    c = shared_app.test_client()
    c.post("/logg-inn", data={"username": "kari", "password": PASSWORD})
    r = c.post(f"/kartlegginger/{k.id}/livskvalitet/gi-nettbrettet")
    assert "/egenvurdering" in r.headers["Location"]
    cookie = c.get_cookie("session").value
    items = [i for s in shared_app.extensions["instruments"].latest("livskvalitet").sections
             for i in s.items]

    def value(item):
        return str(item.min) if item.type == "scale" else item.options[0].value

    def answer(n):
        r = _client_with(shared_app, cookie).post(
            "/egenvurdering", data={"n": str(n + 1), "svar": value(items[n])})
        return r.status_code
    assert set(in_parallel(len(items), answer)) == {302}
    rating = db.session.scalars(db.select(Assessment).where(
        Assessment.parent_id == k.id)).one()
    assert set(rating.answers) == {i.id for i in items}


# ---------------------------------------------------------------- 7: change and audit together

def _failing_audit(monkeypatch, action):
    real = audit.record

    def record(name, **kw):
        if name == action:
            db.session.add(AuditEvent(action=name))
            raise RuntimeError("krasj før loggraden er skrevet")
        return real(name, **kw)
    monkeypatch.setattr(audit, "record", record)


def test_a_save_is_never_stored_without_its_audit_row(app, staff, factory, monkeypatch):
    """A save writes its audit row itself (on PostgreSQL in the same statement): when the
    database refuses the row (no action: NOT NULL), the change is not stored either."""
    client, user = staff
    a = factory.assessment(factory.person(contact=user), user, filled=False)
    real_row = audit.row
    monkeypatch.setattr(audit, "row", lambda *args, **kw: {**real_row(*args, **kw), "action": None})
    with pytest.raises(IntegrityError):
        client.post(f"/kartlegginger/{a.id}/autolagre", json={
            "version": a.version, "section": "viktig", "answers": {"hva_er_viktig": "ulogget"}})
    db.session.rollback()
    with pytest.raises(IntegrityError):
        client.post(f"/kartlegginger/{a.id}/del/viktig",
                    data={"version": str(a.version), "hva_er_viktig": "ulogget"})
    db.session.rollback()
    stored = fresh(Assessment, a.id)
    assert stored.version == a.version and stored.answers == {}
    assert AuditEvent.query.filter_by(action="assessment_save").count() == 0


def test_signing_and_correcting_are_never_stored_without_their_audit_rows(
        app, staff, factory, monkeypatch):
    client, user = staff
    a = factory.assessment(factory.person(contact=user), user)
    _failing_audit(monkeypatch, "assessment_sign")
    with pytest.raises(RuntimeError):
        client.post(f"/kartlegginger/{a.id}/signer", data={"password": PASSWORD})
    db.session.rollback()
    assert fresh(Assessment, a.id).status == "draft"
    monkeypatch.undo()
    assert client.post(f"/kartlegginger/{a.id}/signer",
                       data={"password": PASSWORD}).status_code == 302
    _failing_audit(monkeypatch, "assessment_correct")
    with pytest.raises(RuntimeError):
        client.post(f"/kartlegginger/{a.id}/rettelse")
    db.session.rollback()
    assert Assessment.query.filter_by(supersedes_id=a.id).count() == 0


def test_admin_sees_security_events(app, factory, login):
    admin = factory.user("admin")
    app.test_client().post("/logg-inn", data={"username": "ukjent-navn", "password": "x"})
    r = login(admin).get("/admin/sikkerhetshendelser")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "ukjent-navn" in html and "Mislykket innlogging" in html
    assert AuditEvent.query.filter_by(action="security_view").count() == 1
    assert login(factory.user("teamleder")).get("/admin/sikkerhetshendelser").status_code == 403


# ---------------------------------------------------------------- 8: smaller findings

@pytest.mark.parametrize("path", ["/logg-inn", "/hold-i-live", "/personer/ny",
                                  "/kartlegginger/1/autolagre"])
def test_deeply_nested_json_is_a_400(staff, path):
    client, _ = staff
    for body in ("[" * 100_000, "[" * 50 + "]" * 50, '{"a":' * 5000 + "1" + "}" * 5000):
        r = client.post(path, data=body, content_type="application/json")
        assert r.status_code == 400, (path, body[:20])


def test_instance_dir_and_sqlite_file_are_private(app, tmp_path):
    app.instance_path = str(tmp_path / "ny-instance")
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///kartlegging.db"
    old = os.umask(0o022)
    try:
        private_files(app)
    finally:
        os.umask(old)
    assert os.stat(app.instance_path).st_mode & 0o777 == 0o700
    db_file = os.path.join(app.instance_path, "kartlegging.db")
    assert os.stat(db_file).st_mode & 0o777 == 0o600


def test_session_status_is_not_activity_and_answers_handover(app, staff, factory):
    client, user = staff
    with client.session_transaction() as s:
        before = s["last_seen"] = s["last_seen"] - 60
    assert client.get("/okt", headers={"Accept": "application/json"}).status_code == 200
    with client.session_transaction() as s:
        assert s["last_seen"] == before
    k = factory.assessment(factory.person(contact=user), user, filled=False)
    client.post(f"/kartlegginger/{k.id}/livskvalitet/gi-nettbrettet")
    r = client.get("/okt", headers={"Accept": "application/json"})
    assert r.status_code == 403 and r.get_json()["error"] == "handover"
