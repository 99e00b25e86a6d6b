"""`flask backup` / `flask restore`: a round trip gives back every row of every table; and
`flask db upgrade` on an empty database creates exactly the tables of the models."""
import os
import uuid
from datetime import date

import pytest
from flask import g
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from config import TestConfig
from conftest import PASSWORD
from factories import Factory
from kartlegging import backup, create_app
from kartlegging.access.audit import record
from kartlegging.extensions import db
from kartlegging.models import Assessment, Consent, Person

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
on_pg = pytest.mark.skipif(not PG_URL.startswith("postgresql"),
                           reason="TEST_DATABASE_URL peker ikke på PostgreSQL")


def make_app(uri, tmp_path):
    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = uri
    app = create_app(Cfg)
    app.instance_path = str(tmp_path / "instance")
    os.makedirs(app.instance_path, exist_ok=True)

    def _drop():
        g.pop("_login_user", None)
    app.before_request_funcs.setdefault(None, []).insert(0, _drop)
    return app


def rows():
    """Every row of every table, in primary-key order."""
    db.session.remove()
    out = {}
    for table in db.metadata.sorted_tables:
        out[table.name] = [tuple(r) for r in db.session.execute(
            select(table).order_by(*table.primary_key.columns)).all()]
    db.session.remove()
    return out


def populate(app):
    """A bit of everything: users, persons, JSON answers with unicode, a signed PDF (bytes),
    consents, ratings, audit events."""
    f = Factory(app, PASSWORD)
    staff = f.user("ansatt", name="Kari Ansatt")
    lead = f.user("teamleder", name="Lars Leder")
    person = f.person(contact=staff, name="Áŋŋe «Nordmann» 🙂")
    f.person(team=f.team_b, name="Annen Person")
    a = f.assessment(person, staff)
    f.rating(a, staff)
    signed = f.assessment(person, lead)
    signed.status = "signed"
    signed.signed_pdf = bytes(range(256)) * 40 + b"\x00\xff"
    signed.content_sha256 = "ab" * 32
    db.session.add(Consent(person_id=person.id, categories=["helse", "rus"],
                           party_kind="parorende", party_name="Per", party_relation="bror",
                           direction="fra", valid_from=date(2026, 1, 1),
                           valid_until=date(2027, 1, 1), given_how="muntlig",
                           recorded_by_id=staff.id))
    db.session.commit()
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.0.0.9"}):
        record("person_view", person_id=person.id, obj=person, user=staff)
        record("login_failed", username="noen", detail="æøå;\"sitat\"\nlinje")
    return person.id, signed.id


def mutate(person_id, signed_id):
    """What happens after the backup: new rows, changed rows, deleted rows."""
    p = db.session.get(Person, person_id)
    p.name = "Endret etter sikkerhetskopi"
    db.session.delete(db.session.scalars(select(Consent)).first())
    db.session.get(Assessment, signed_id).signed_pdf = b"%PDF-endret"
    record("person_view", person_id=person_id, user=None, username="etterpå")
    db.session.commit()


def round_trip(app, target):
    runner = app.test_cli_runner()
    person_id, signed_id = populate(app)
    original = rows()
    assert sum(len(v) for v in original.values()) > 10
    r = runner.invoke(args=["backup", str(target)])
    assert r.exit_code == 0, r.output
    assert "Sikkerhetskopi skrevet" in r.output
    assert os.path.getsize(target) > 0
    assert os.stat(target).st_mode & 0o777 == 0o600  # personal data: owner only
    mutate(person_id, signed_id)
    changed = rows()
    assert changed != original

    r = runner.invoke(args=["restore", str(target)])
    assert r.exit_code != 0
    assert "--yes" in r.output and "overskriver" in r.output
    assert rows() == changed  # nothing happened without --yes

    r = runner.invoke(args=["restore", str(target), "--yes"])
    assert r.exit_code == 0, r.output
    assert "gjenopprettet" in r.output
    restored = rows()
    for table in original:
        assert restored[table] == original[table], table
    # The app works on the restored database.
    assert db.session.get(Person, person_id).name.startswith("Áŋŋe")
    return runner


def test_sqlite_round_trip(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'kartlegging.db'}", tmp_path)
    with app.app_context():
        db.create_all()
        runner = round_trip(app, tmp_path / "kopi.sqlite")
        # A file that is not a backup is refused, and the database is left alone.
        before = rows()
        bad = tmp_path / "ikke-en-kopi.sqlite"
        bad.write_bytes(b"dette er ikke en database" * 100)
        r = runner.invoke(args=["restore", str(bad), "--yes"])
        assert r.exit_code != 0 and "SQLite" in r.output
        assert rows() == before
        db.session.remove()
        db.engine.dispose()


def test_sqlite_backup_of_a_memory_database_is_refused(tmp_path):
    app = make_app("sqlite://", tmp_path)
    with app.app_context():
        r = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.sqlite")])
        assert r.exit_code != 0 and "minnet" in r.output
        assert not (tmp_path / "x.sqlite").exists()


@on_pg
def test_postgresql_round_trip(app, tmp_path):
    round_trip(app, tmp_path / "kopi.dump")


@on_pg
def test_postgresql_restore_refuses_a_file_that_is_not_a_dump(app, tmp_path):
    bad = tmp_path / "ikke.dump"
    bad.write_bytes(b"PGDMP? nei")
    r = app.test_cli_runner().invoke(args=["restore", str(bad), "--yes"])
    assert r.exit_code != 0 and "pg_dump" in r.output


def test_libpq_url_keeps_the_password_off_the_command_line():
    url, env = backup.libpq_url(make_url(
        "postgresql+psycopg://kari:hemmelig%40pass@db.example:5433/kartlegging"))
    assert url == "postgresql://kari@db.example:5433/kartlegging"
    assert env == {"PGPASSWORD": "hemmelig@pass"}
    url, env = backup.libpq_url(make_url("postgresql+psycopg://u@127.0.0.1/postgres"))
    assert url == "postgresql://u@127.0.0.1/postgres" and env == {}


def test_pg_binaries_are_found():
    assert os.path.isdir("/usr/lib/postgresql"), \
        "PostgreSQL mangler: kjør scripts/system-packages.sh test"
    for name in ("pg_dump", "pg_restore"):
        path = backup.pg_binary(name)
        assert os.path.basename(path) == name and os.access(path, os.X_OK)


# ---------------------------------------------------------------- migrations

def model_tables():
    return set(db.metadata.tables)


def assert_schema_matches_models(engine, schema=None):
    insp = inspect(engine)
    tables = set(insp.get_table_names(schema=schema)) - {"alembic_version"}
    assert tables == model_tables()
    for name, table in db.metadata.tables.items():
        columns = {c["name"] for c in insp.get_columns(name, schema=schema)}
        assert columns == {c.name for c in table.columns}, name


def upgrade(app):
    r = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert r.exit_code == 0, r.output + repr(r.exception)


def test_db_upgrade_on_empty_sqlite_creates_every_model_table(tmp_path):
    path = tmp_path / "tom.db"
    app = make_app(f"sqlite:///{path}", tmp_path)
    with app.app_context():
        upgrade(app)
        assert_schema_matches_models(db.engine)
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"Modellene og migrasjonene er ulike: {diff}"
        upgrade(app)  # idempotent
        db.engine.dispose()


@on_pg
def test_db_upgrade_on_empty_postgresql_schema_creates_every_model_table(tmp_path):
    schema = f"migtest_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        app = make_app(url.render_as_string(hide_password=False), tmp_path)
        with app.app_context():
            upgrade(app)
            assert_schema_matches_models(db.engine, schema=schema)
            from alembic.autogenerate import compare_metadata
            from alembic.migration import MigrationContext
            with db.engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            assert diff == [], f"Modellene og migrasjonene er ulike: {diff}"
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
