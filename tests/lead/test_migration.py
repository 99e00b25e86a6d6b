"""Migration m2_0003_lead freezes the mean of ratings completed before the column existed."""
import json

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
