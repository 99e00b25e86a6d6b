"""Every instance serves the same instruments: the set's hash is kept in the database, and an
instance with other files answers 503 (with one clear log line) until the set is stamped."""
import os
import shutil

import pytest

from config import TestConfig
from kartlegging import create_app
from kartlegging.extensions import db
from kartlegging.models import AppSetting
from kartlegging.ops import instrument_set


def test_the_fingerprint_follows_names_and_contents_not_documentation(tmp_path):
    source = TestConfig.INSTRUMENTS_DIR
    copy = tmp_path / "instruments"
    shutil.copytree(source, copy)
    first = instrument_set.fingerprint(str(copy))
    assert first == instrument_set.fingerprint(source)
    (copy / "README.md").write_text("endret dokumentasjon")
    assert instrument_set.fingerprint(str(copy)) == first
    name = sorted(n for n in os.listdir(copy) if n.endswith(".yaml"))[0]
    with open(copy / name, "a") as f:
        f.write("\n# en kommentar\n")
    assert instrument_set.fingerprint(str(copy)) != first
    os.rename(copy / name, copy / ("x" + name))
    assert instrument_set.fingerprint(str(copy)) not in (first, instrument_set.fingerprint(source))


@pytest.fixture
def shared(tmp_path):
    url = f"sqlite:///{tmp_path}/delt.db"

    def make(directory):
        class Cfg(TestConfig):
            SQLALCHEMY_DATABASE_URI = url
            INSTRUMENTS_DIR = directory
        app = create_app(Cfg)
        app.instance_path = str(tmp_path)
        return app
    return make


def test_an_instance_with_other_instruments_refuses_to_serve(shared, tmp_path, caplog):
    first = shared(TestConfig.INSTRUMENTS_DIR)
    with first.app_context():
        db.create_all()
    assert first.test_client().get("/logg-inn").status_code == 200  # first start stamps
    with first.app_context():
        assert db.session.get(AppSetting, instrument_set.KEY).value == \
            first.extensions["instrument_set"]
    other_dir = tmp_path / "andre"
    shutil.copytree(TestConfig.INSTRUMENTS_DIR, other_dir)
    with open(other_dir / "consent_categories.yaml", "a") as f:
        f.write("\n# endret på én server\n")
    second = shared(str(other_dir))  # checks at start: the database answers
    assert "Skjemasettet i" in caplog.text and "flask instruments stamp" in caplog.text
    client = second.test_client()
    r = client.get("/logg-inn")
    assert r.status_code == 503 and "ikke tilgjengelig" in r.get_data(as_text=True)
    assert client.get("/helse").status_code == 200
    assert client.get("/helse/klar").status_code == 503
    # a deliberate change: stamped from the instance that has it; then the first refuses
    result = second.test_cli_runner().invoke(args=["instruments", "stamp"])
    assert result.exit_code == 0 and second.extensions["instrument_set"] in result.output
    assert shared(str(other_dir)).test_client().get("/logg-inn").status_code == 200
    assert shared(TestConfig.INSTRUMENTS_DIR).test_client().get("/logg-inn").status_code == 503
    for app in (first, second):
        with app.app_context():
            db.engine.dispose()


def test_a_flask_command_does_not_report_the_mismatch_it_is_run_to_mend(shared, tmp_path,
                                                                       caplog):
    """`flask instruments stamp` (and `flask db upgrade`) build the app under a click context:
    no mismatch line at start; a request to that app is still refused and logs it."""
    import click
    first = shared(TestConfig.INSTRUMENTS_DIR)
    with first.app_context():
        db.create_all()
    assert first.test_client().get("/logg-inn").status_code == 200
    other_dir = tmp_path / "andre"
    shutil.copytree(TestConfig.INSTRUMENTS_DIR, other_dir)
    with open(other_dir / "consent_categories.yaml", "a") as f:
        f.write("\n# endret på én server\n")
    caplog.clear()
    with click.Context(click.Command("stamp")):
        second = shared(str(other_dir))
    assert "Skjemasettet i" not in caplog.text
    assert second.test_client().get("/logg-inn").status_code == 503
    assert "Skjemasettet i" in caplog.text
    for app in (first, second):
        with app.app_context():
            db.engine.dispose()
