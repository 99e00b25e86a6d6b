"""/helse and /helse/klar: for the load balancer, without a session, revealing nothing but ok
or not; not ready when the database is stopped, behind the migrations or holds another set of
instruments."""
import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from config import TestConfig
from kartlegging import create_app
from kartlegging.extensions import db
from kartlegging.models import AppSetting, AuditEvent
from kartlegging.ops import instrument_set


@pytest.fixture
def migrated(tmp_path):
    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/klar.db"
    app = create_app(Cfg)
    app.instance_path = str(tmp_path)
    with app.app_context():
        upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_ready_on_a_migrated_database_with_the_same_instruments(migrated):
    client = migrated.test_client()
    r = client.get("/helse/klar")
    assert (r.status_code, r.get_data(as_text=True)) == (200, "klar\n")
    assert "Set-Cookie" not in r.headers and r.headers["Cache-Control"] == "no-store"
    assert client.get("/helse").get_data(as_text=True) == "ok\n"
    with migrated.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_not_ready_behind_the_migrations_or_with_another_instrument_set(migrated, caplog):
    client = migrated.test_client()
    with migrated.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = 'm3_0016_recompute_orders'"))
        db.session.commit()
    r = client.get("/helse/klar")
    assert (r.status_code, r.get_data(as_text=True)) == (503, "ikke klar\n")
    assert "m3_0016_recompute_orders" in caplog.text  # why: in the log, not the answer
    with migrated.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"),
                           {"v": migrated.extensions["migration_heads"].copy().pop()})
        db.session.commit()
    assert client.get("/helse/klar").status_code == 200
    with migrated.app_context():
        db.session.get(AppSetting, instrument_set.KEY).value = "0" * 64
        db.session.commit()
    r = client.get("/helse/klar")
    assert (r.status_code, r.get_data(as_text=True)) == (503, "ikke klar\n")
    assert client.get("/helse").status_code == 200  # alive all the same


def test_the_database_stopped(tmp_path):
    """Nothing listens where the database should be: alive, not ready, and no 500."""
    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://kartlegging@127.0.0.1:9/stoppet"
    app = create_app(Cfg)
    app.instance_path = str(tmp_path)
    client = app.test_client()
    r = client.get("/helse")
    assert (r.status_code, r.get_data(as_text=True)) == (200, "ok\n")
    r = client.get("/helse/klar")
    assert (r.status_code, r.get_data(as_text=True)) == (503, "ikke klar\n")
    assert "Set-Cookie" not in r.headers
    # every other page: the instance cannot tell whether its instruments are the set
    assert client.get("/logg-inn").status_code == 503


def test_health_needs_no_login_and_passes_a_hand_over(app, factory, login):
    assert app.test_client().get("/helse").status_code == 200
    kari = factory.user("ansatt")
    a = factory.assessment(factory.person(contact=kari), kari, filled=False)
    client = login(kari)
    assert client.post(f"/kartlegginger/{a.id}/livskvalitet/gi-nettbrettet").status_code == 302
    assert client.get("/").status_code == 302  # the hand-over fence holds
    assert client.get("/helse").status_code == 200
    r = client.get("/helse/klar")  # tables made without migrations: not ready, but answered
    assert r.status_code == 503 and r.get_data(as_text=True) == "ikke klar\n"
