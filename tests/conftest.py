"""Fixtures: a fresh database per test, clients per role, and factories."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))


def _own_database_per_worker():
    """Under pytest-xdist each worker gets its own PostgreSQL database (test_gw0, test_gw1 …),
    created empty here before TestConfig reads TEST_DATABASE_URL: the tests create and drop
    the tables of whatever database they are given."""
    url, worker = os.environ.get("TEST_DATABASE_URL", ""), os.environ.get("PYTEST_XDIST_WORKER")
    if not url.startswith("postgresql") or not worker:
        return
    from sqlalchemy import create_engine, make_url, text
    base = make_url(url)
    name = f"test_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    os.environ["TEST_DATABASE_URL"] = base.set(database=name).render_as_string(
        hide_password=False)


_own_database_per_worker()

from config import TestConfig  # noqa: E402
from factories import Factory  # noqa: E402
from kartlegging import create_app  # noqa: E402
from kartlegging.extensions import db  # noqa: E402

PASSWORD = "riktig-passord-42"


def pytest_addoption(parser):
    parser.addoption("--write-golden", action="store_true",
                     help="rewrite tests/journal/golden/ from the current code (review the diff)")


@pytest.fixture
def app(tmp_path):
    class Cfg(TestConfig):
        pass
    app = create_app(Cfg)

    def _fresh_login_state():
        # Test requests reuse the fixture's app context (and its `g`); in production every
        # request has its own. Drop Flask-Login's per-request cache so clients never mix.
        from flask import g
        g.pop("_login_user", None)
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_login_state)
    app.instance_path = str(tmp_path / "instance")
    os.makedirs(app.instance_path, exist_ok=True)
    with app.app_context():
        db.create_all()  # tests only; the app's schema comes from migrations
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def factory(app, request):
    # A module written against older instrument versions names them once, at its top:
    # INSTRUMENT_VERSIONS = WRITTEN_AGAINST (factories.py).
    return Factory(app, PASSWORD, versions=getattr(request.module, "INSTRUMENT_VERSIONS", None))


@pytest.fixture
def client(app):
    return app.test_client()


def _login(app, user):
    c = app.test_client()
    r = c.post("/logg-inn", data={"username": user.username, "password": PASSWORD})
    assert r.status_code == 302, r.data
    return c


@pytest.fixture
def staff(app, factory):
    """(client, user): an ansatt of team A."""
    user = factory.user("ansatt", team=factory.team_a)
    return _login(app, user), user


@pytest.fixture
def login(app):
    return lambda user: _login(app, user)
