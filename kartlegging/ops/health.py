"""/helse (liveness: the process answers) and /helse/klar (readiness: the database answers, its
schema is at the migrations' head, and this instance's instruments are the database's set).
For the load balancer: no session, no audit, and nothing in the answer but ok or not; why an
instance is not ready goes to its log."""
import logging
import os

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Response, current_app
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ..extensions import db
from . import instrument_set

bp = Blueprint("health", __name__)
ENDPOINTS = {"health.live", "health.ready"}
log = logging.getLogger(__name__)


def _plain(body: str, status: int) -> Response:
    return Response(body + "\n", status=status, mimetype="text/plain")


@bp.route("/helse")
def live():
    return _plain("ok", 200)


def _heads(app) -> set[str]:
    heads = app.extensions.get("migration_heads")
    if heads is None:
        config = Config()
        config.set_main_option("script_location",
                               os.path.join(app.root_path, "..", "migrations"))
        heads = app.extensions["migration_heads"] = set(
            ScriptDirectory.from_config(config).get_heads())
    return heads


def problems(app) -> list[str]:
    """Why this instance is not ready (empty: ready)."""
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
    except DBAPIError as e:
        return [f"databasen svarer ikke ({type(e.orig or e).__name__})"]
    out = []
    if current != _heads(app):
        out.append(f"databasen er på migrering {sorted(current)}, koden på {sorted(_heads(app))}")
    if instrument_set.check(app, quiet=True) is not True:
        out.append("skjemasettet er ikke databasens")
    return out


@bp.route("/helse/klar")
def ready():
    found = problems(current_app)   # the request's session ends with its app context
    if found:
        log.warning("Ikke klar: %s", "; ".join(found))
        return _plain("ikke klar", 503)
    return _plain("klar", 200)
