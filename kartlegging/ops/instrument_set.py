"""Every instance serves the same instruments. They are files deployed with the code; a hash
of them (file names and contents) is kept in the database (app_setting), written by the first
instance that starts on an empty database or by `flask instruments stamp` after a deliberate
change. An instance whose files hash otherwise logs it once, answers 503 to every request
except /helse, and is not ready (/helse/klar), so the load balancer sends it nothing.
"""
import hashlib
import logging
import os

import click
from flask import Response, current_app, request
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError

from ..extensions import db
from ..models import AppSetting, utcnow

KEY = "instrument_set_sha256"
# Answered whatever the instruments: liveness, readiness (which reports the mismatch), metrics.
OPEN_ENDPOINTS = {"health.live", "health.ready", "metrics.scrape"}
log = logging.getLogger(__name__)


def fingerprint(directory: str) -> str:
    """SHA-256 over every file under `directory` (relative name and contents, in name order);
    documentation (*.md) and hidden files are left out."""
    h = hashlib.sha256()
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(files):
            if name.startswith(".") or name.endswith(".md"):
                continue
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                content = hashlib.sha256(f.read()).hexdigest()
            h.update(f"{os.path.relpath(path, directory)}\0{content}\n".encode())
    return h.hexdigest()


def stored() -> str | None:
    return db.session.scalar(select(AppSetting.value).where(AppSetting.key == KEY))


def _store(value: str) -> None:
    row = db.session.get(AppSetting, KEY)
    if row is None:
        db.session.add(AppSetting(key=KEY, value=value, updated_at=utcnow()))
    else:
        row.value, row.updated_at = value, utcnow()
    db.session.commit()


def check(app, quiet: bool = False) -> bool | None:
    """True when this instance's set is the database's (recording it if the database has
    none), False when it differs (logged), None when the database cannot say (unreachable,
    or not migrated yet). Needs an app context. `quiet`: no log line for a mismatch (the
    readiness check, asked every few seconds, logs its own)."""
    own = app.extensions["instrument_set"]
    try:
        theirs = stored()
        if theirs is None:
            try:
                _store(own)
                theirs = own
            except IntegrityError:  # another instance recorded its set a moment earlier
                db.session.rollback()
                theirs = stored()
    except DBAPIError:
        db.session.rollback()
        return None
    if theirs != own:
        if quiet:
            return False
        log.error("Skjemasettet i %s (sha256 %s) er ikke settet databasen har registrert "
                  "(sha256 %s): instansen svarer 503 til filene er de samme som på de andre "
                  "instansene. Etter en bevisst endring på alle: flask instruments stamp",
                  app.config["INSTRUMENTS_DIR"], own[:12], theirs[:12])
        return False
    return True


def matches(app) -> bool:
    """Whether this instance may serve (checked once per process, then remembered; a check
    the database could not answer is tried again)."""
    state = app.extensions.get("instrument_set_ok")
    if state is None:
        state = app.extensions["instrument_set_ok"] = check(app)
    return bool(state)


@click.command("stamp")
@with_appcontext
def stamp_command():
    """Record this instance's instrument files as the set every instance must serve."""
    value = current_app.extensions["instrument_set"]
    _store(value)
    click.echo(f"Skjemasettet er registrert: sha256 {value}")


def init_app(app) -> None:
    app.extensions["instrument_set"] = fingerprint(app.config["INSTRUMENTS_DIR"])
    # A served app checks at start when the database can answer, else at the first request.
    # Under a `flask` command it waits for a request: `flask instruments stamp` and
    # `flask db upgrade` must not log the mismatch they are run to mend or that they precede.
    if click.get_current_context(silent=True) is None:
        with app.app_context():
            state = check(app)
            db.session.remove()
            db.engine.dispose()  # no connection opened here outlives a fork (gunicorn --preload)
        if state is not None:
            app.extensions["instrument_set_ok"] = state
    @app.before_request
    def refuse_a_mismatched_set():
        if request.endpoint in OPEN_ENDPOINTS or matches(app):
            return None
        return Response("Tjenesten er ikke tilgjengelig på denne serveren akkurat nå. Prøv igjen "
                        "om litt.\n", status=503, mimetype="text/plain")

    group = AppGroup("instruments", help="Skjemasettet alle instanser må ha.")
    group.add_command(stamp_command)
    app.cli.add_command(group)
