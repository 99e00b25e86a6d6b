"""Migration m2_0003_lead freezes the mean of ratings completed before the column existed."""
import json
from datetime import datetime

from sqlalchemy import text

from config import TestConfig
from kartlegging import create_app
from kartlegging.extensions import db


def test_upgrade_backfills_livskvalitet_means(tmp_path):
    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'm.db'}"
    app = create_app(Cfg)
    runner = app.test_cli_runner()
    with app.app_context():
        r = runner.invoke(args=["db", "upgrade", "81c3b59939ab"])
        assert r.exit_code == 0, r.output
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO team (id, name) VALUES (1, 'T')"))
            conn.execute(text(
                "INSERT INTO user (id, username, name, password_hash, role, team_id, active, "
                "failed_logins, created_at) VALUES (1, 'u', 'U', 'x', 'ansatt', 1, 1, 0, "
                "'2026-01-01')"))
            conn.execute(text(
                "INSERT INTO person (id, team_id, name, created_at, created_by_id, version) "
                "VALUES (1, 1, 'P', '2026-01-01', 1, 1)"))
            for aid, answers, done in ((1, {"liv_helhet": 2, "arbeid": 5}, "2026-02-01"),
                                       (2, {"liv_helhet": 6}, None)):
                conn.execute(text(
                    "INSERT INTO assessment (id, person_id, instrument_key, instrument_version,"
                    " answers, status, version, rated_by_person, created_at, created_by_id, "
                    "updated_at, updated_by_id, completed_at) VALUES (:id, 1, 'livskvalitet', "
                    "1, :a, 'draft', 1, 1, '2026-01-01', 1, '2026-01-01', 1, :done)"),
                    {"id": aid, "a": json.dumps(answers), "done": done})
        r = runner.invoke(args=["db", "upgrade"])
        assert r.exit_code == 0, r.output
        with db.engine.connect() as conn:
            scores = dict(conn.execute(text("SELECT id, score FROM assessment")).all())
        assert scores == {1: 3.5, 2: None}   # only completed ratings are frozen
        db.engine.dispose()


def test_upgrade_backfills_each_persons_due_order(tmp_path):
    """Migration m2_0013_perf: the newest signed kartlegging, else the never-signed mark."""
    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'due.db'}"
    app = create_app(Cfg)
    runner = app.test_cli_runner()
    with app.app_context():
        r = runner.invoke(args=["db", "upgrade", "m2_0007_homevisit"])
        assert r.exit_code == 0, r.output
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO team (id, name) VALUES (1, 'T')"))
            conn.execute(text(
                "INSERT INTO user (id, username, name, password_hash, role, team_id, active, "
                "failed_logins, created_at, must_change_password, totp_required) VALUES "
                "(1, 'u', 'U', 'x', 'ansatt', 1, 1, 0, '2026-01-01', 0, 0)"))
            for pid in (1, 2):
                conn.execute(text(
                    "INSERT INTO person (id, team_id, name, created_at, created_by_id, version) "
                    "VALUES (:id, 1, 'P', '2026-01-01', 1, 1)"), {"id": pid})
            for aid, key, status, signed in (
                    (1, "alna-kartlegging", "signed", "2026-03-01 10:00:00.000000"),
                    (2, "alna-kartlegging", "signed", "2026-08-01 10:00:00.000000"),
                    (3, "alna-kartlegging", "draft", None),
                    (4, "livskvalitet", "signed", "2026-10-01 10:00:00.000000")):
                conn.execute(text(
                    "INSERT INTO assessment (id, person_id, instrument_key, instrument_version,"
                    " answers, status, version, rated_by_person, created_at, created_by_id, "
                    "updated_at, updated_by_id, signed_at) VALUES (:id, 1, :key, 1, '{}', "
                    ":status, 1, 0, '2026-01-01', 1, '2026-01-01', 1, :signed)"),
                    {"id": aid, "key": key, "status": status, "signed": signed})
        r = runner.invoke(args=["db", "upgrade"])
        assert r.exit_code == 0, r.output
        from kartlegging.models import NEVER_SIGNED, Person
        due = {p.id: p.due_order for p in db.session.scalars(db.select(Person))}
        assert due == {1: datetime(2026, 8, 1, 10), 2: NEVER_SIGNED}
        db.engine.dispose()
