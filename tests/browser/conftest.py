"""Real-browser fixtures: Debian's Chromium through Playwright, the app served in-process.

* one browser for all browser tests (`browser`, package scope: Playwright's sync API keeps an
  asyncio loop running in the main thread, so it is stopped before the other tests run), a fresh
  context per test (`context`, `page`);
* a fresh app per test (`live`): file-based SQLite in tmp_path, real CSRF, served by werkzeug
  on 127.0.0.1 in a background thread; on instruments/, or on the folder a test module's own
  `instruments_dir` fixture gives;
* every page is watched: JavaScript exceptions, console errors (CSP violations among them) and
  server-side exceptions fail the test at teardown.
"""
import contextlib
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass, field

import pytest
from flask import got_request_exception, request
from playwright.sync_api import expect
from werkzeug.serving import make_server

from config import TestConfig
from factories import Factory, fnr
from kartlegging import create_app
from kartlegging.domain.instrument_facts import KARTLEGGING
from kartlegging.extensions import db
from kartlegging.models import Assessment, ContactAssignment, Person, User

from .browser_support import PASSWORD, TABLET

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# Console messages that are the expected trace of a request the test provokes on purpose
# (offline, 401 expired session, 409 conflict, 403/422 form errors). Everything else – CSP
# violations, JavaScript errors – fails the test.
EXPECTED_CONSOLE = ("Failed to load resource",)

# Generous waits: the suite must also pass on a busy 2-core machine.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="package")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} mangler: kjør scripts/system-packages.sh (installerer Debians "
                    "chromium-pakke). Kjør aldri «playwright install».", pytrace=False)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Live:
    """The running app: its URL, the Flask app (for DB checks) and the test users."""
    app: object
    url: str
    users: dict = field(default_factory=dict)    # username -> id
    server_errors: list = field(default_factory=list)
    slow: dict = field(default_factory=dict)      # endpoint -> seconds to hold its response
    ids: dict = field(default_factory=dict)       # anything a test wants to remember

    def __call__(self, path: str = "/") -> str:
        return self.url + path

    def db(self):
        """An app context for reads and setup in the test thread (fresh session each time)."""
        return _DbContext(self.app)

    def assessment(self, assessment_id: int) -> dict:
        """A snapshot of the stored assessment (answers, version, status ...)."""
        with self.db():
            a = db.session.get(Assessment, assessment_id)
            return {"answers": dict(a.answers or {}), "version": a.version, "status": a.status,
                    "completed_at": a.completed_at, "person_id": a.person_id,
                    "document_id": a.document_id}

    def answers(self, assessment_id: int) -> dict:
        return self.assessment(assessment_id)["answers"]

    def instrument(self, key: str = KARTLEGGING):
        return self.app.extensions["instruments"].latest(key)

    def draft(self, name: str = "Test Testesen", contact: str = "kari",
              answers: dict | None = None) -> tuple[int, int]:
        """A person in kari's team with a kartlegging draft: (person id, assessment id)."""
        self._n = getattr(self, "_n", 0) + 1
        inst = self.instrument()
        with self.db():
            user = db.session.get(User, self.users[contact])
            person = Person(team_id=user.team_id, name=name,
                            national_id=fnr(day=self._n, individ=200 + 7 * self._n),
                            created_by_id=user.id)
            db.session.add(person)
            db.session.flush()
            db.session.add(ContactAssignment(person_id=person.id, user_id=user.id,
                                             recorded_by_id=user.id))
            a = Assessment(person_id=person.id, instrument_key=inst.key,
                           instrument_version=inst.version, answers=answers or {},
                           created_by_id=user.id, updated_by_id=user.id)
            db.session.add(a)
            db.session.commit()
            return person.id, a.id


class _DbContext:
    def __init__(self, app):
        self.ctx = app.app_context()

    def __enter__(self):
        self.ctx.push()
        return db.session

    def __exit__(self, *exc):
        db.session.remove()
        self.ctx.pop()


def _config(db_path, instruments_dir=None):
    class BrowserConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{db_path}"
        WTF_CSRF_ENABLED = True          # the browser goes through real CSRF protection
    if instruments_dir is not None:
        BrowserConfig.INSTRUMENTS_DIR = str(instruments_dir)
    return BrowserConfig


@pytest.fixture
def instruments_dir():
    """The instrument folder `live` runs on: instruments/ unless a test module overrides this
    fixture with a temporary folder (e.g. holding an imported questionnaire)."""
    return None


@pytest.fixture(scope="session")
def db_template(tmp_path_factory):
    """Schema and users built once (db.create_all); each test gets a copy of the file."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    app = create_app(_config(path))
    users = {}
    with app.app_context():
        db.create_all()
        factory = Factory(app, PASSWORD)
        for role, username, name in (("ansatt", "kari", "Kari Ansatt"),
                                     ("ansatt", "per", "Per Ansatt"),
                                     ("teamleder", "tone", "Tone Teamleder"),
                                     ("admin", "ada", "Ada Admin")):
            users[username] = factory.user(role, team=factory.team_a, username=username,
                                           name=name).id
        db.session.remove()
        db.engine.dispose()
    return path, users


def closing_responses(app):
    """Werkzeug's development server skips a response's close() when the browser drops the
    connection while the body is sent (navigating away while the favicon loads), so the file
    stays open until garbage collection: a ResourceWarning, an error under our filterwarnings.
    Reading the body before handing it over closes every response, whatever the browser does."""
    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()
    return wsgi


@contextlib.contextmanager
def serving(app):
    """Serves `app` on a free port of 127.0.0.1 in a thread: (url, server errors). The test
    fails afterwards if a request raised."""
    server_errors = []

    def record(sender, exception, **extra):
        server_errors.append(repr(exception))
    got_request_exception.connect(record, app)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    srv = make_server("127.0.0.1", 0, closing_responses(app), threaded=True)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}", server_errors
    srv.shutdown()
    srv.server_close()
    thread.join(5)
    got_request_exception.disconnect(record, app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    assert not server_errors, f"Serverfeil under testen: {server_errors}"


@pytest.fixture
def live(tmp_path, db_template, instruments_dir):
    template, users = db_template
    db_path = tmp_path / "kartlegging.db"
    shutil.copyfile(template, db_path)
    app = create_app(_config(db_path, instruments_dir))
    app.instance_path = str(tmp_path / "instance")
    os.makedirs(app.instance_path, exist_ok=True)
    slow = {}

    @app.after_request
    def hold_response(resp):
        """Simulates a slow network for chosen endpoints: the work is done, the reply is late."""
        delay = slow.get(request.endpoint)
        if delay:
            time.sleep(delay)
        return resp

    with serving(app) as (url, server_errors):
        yield Live(app=app, url=url, users=users, server_errors=server_errors, slow=slow)


class PageWatch:
    """JavaScript errors and unexpected console errors from every page of a context."""

    def __init__(self):
        self.problems = []

    def attach(self, page):
        page.on("pageerror", lambda e: self.problems.append(f"pageerror {page.url}: {e}"))
        page.on("console", lambda m: self._console(page, m))

    def _console(self, page, msg):
        if msg.type == "error" and not msg.text.startswith(EXPECTED_CONSOLE):
            self.problems.append(f"console.error {page.url}: {msg.text}")


@pytest.fixture
def new_context(browser):
    """Factory for extra contexts (no-JS, other viewport); all are closed and checked."""
    made = []

    def make(**kw):
        kw.setdefault("viewport", TABLET)
        kw.setdefault("locale", "nb-NO")
        kw.setdefault("timezone_id", "Europe/Oslo")
        kw.setdefault("accept_downloads", True)
        ctx = browser.new_context(**kw)
        ctx.set_default_timeout(10_000)
        watch = PageWatch()
        ctx.on("page", watch.attach)
        made.append((ctx, watch))
        return ctx

    yield make
    problems = []
    for ctx, watch in made:
        problems += watch.problems
        ctx.close()
    assert not problems, "Feil i nettleseren:\n" + "\n".join(problems)


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()
