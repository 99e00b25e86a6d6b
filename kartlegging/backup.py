"""Backup and restore of the whole database: `flask backup FILE`, `flask restore FILE --yes`.

SQLite: the sqlite3 online backup API (consistent even while the app is writing).
PostgreSQL: pg_dump -Fc / pg_restore --clean --if-exists in one transaction, with the
binaries from /usr/lib/postgresql/<version>/bin (the newest; override with PG_BIN).
The password goes to the tools through PGPASSWORD, never on the command line.
Backups hold personal data: the file is created readable by its owner only (0600).
"""
import glob
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile

import click
from sqlalchemy.engine import URL, make_url

from .extensions import db


class BackupError(click.ClickException):
    pass


def _url() -> URL:
    return make_url(db.engine.url)


def kind(url: URL | None = None) -> str:
    backend = (url or _url()).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"Sikkerhetskopi støttes ikke for databasen '{backend}'.")
    return backend


# ---------------------------------------------------------------- SQLite

def sqlite_file(url: URL | None = None) -> str:
    database = (url or _url()).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise BackupError("Databasen ligger bare i minnet og kan ikke sikkerhetskopieres.")
    return os.path.abspath(database)


def _check_sqlite(path: str) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            ok = con.execute("PRAGMA quick_check").fetchone()[0]
            tables = {r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
        con.close()
    except sqlite3.DatabaseError as e:
        raise BackupError(f"{path} er ikke en lesbar SQLite-database ({e}).") from e
    if ok != "ok":
        raise BackupError(f"{path} er skadet (quick_check: {ok}).")
    if "person" not in tables:
        raise BackupError(f"{path} ser ikke ut som en sikkerhetskopi av Kartlegging.")


def _sqlite_copy(source: str, target: str) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def backup_sqlite(target: str) -> None:
    source = sqlite_file()
    if not os.path.exists(source):
        raise BackupError(f"Fant ikke databasefilen {source}.")
    # Into a temporary file next to the target first: a failed run leaves no half file.
    fd, tmp = tempfile.mkstemp(prefix=".backup-", dir=os.path.dirname(target) or ".")
    os.close(fd)
    try:
        _sqlite_copy(source, tmp)
        _check_sqlite(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def restore_sqlite(source: str) -> None:
    _check_sqlite(source)
    target = sqlite_file()
    db.session.remove()
    db.engine.dispose()
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # replaces every page of the target in one step
        finally:
            dst.close()
    finally:
        src.close()


# ---------------------------------------------------------------- PostgreSQL

def pg_binary(name: str) -> str:
    override = os.environ.get("PG_BIN")
    candidates = [os.path.join(override, name)] if override else []

    def version(path):
        m = re.search(r"/postgresql/([\d.]+)/bin/", path)
        return tuple(int(x) for x in m.group(1).split(".")) if m else (0,)

    candidates += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version,
                         reverse=True)
    found = shutil.which(name)
    if found:
        candidates.append(found)
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise BackupError(f"Fant ikke {name}. Installer postgresql-client, eller sett PG_BIN.")


def libpq_url(url: URL | None = None) -> tuple[str, dict]:
    """postgresql+psycopg://u:p@h/db -> ('postgresql://u@h/db', {'PGPASSWORD': 'p'})."""
    url = url or _url()
    env = {}
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                       database=url.database, query=url.query)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env_extra: dict) -> None:
    env = dict(os.environ, **env_extra)
    proc = subprocess.run(args, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        tool = os.path.basename(args[0])
        detail = (proc.stderr or proc.stdout).strip()[-2000:]
        raise BackupError(f"{tool} feilet (kode {proc.returncode}): {detail}")


def backup_postgresql(target: str) -> None:
    url, env = libpq_url()
    fd, tmp = tempfile.mkstemp(prefix=".backup-", dir=os.path.dirname(target) or ".")
    os.close(fd)
    try:
        _run([pg_binary("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
              f"--file={tmp}", f"--dbname={url}"], env)
        _run([pg_binary("pg_restore"), "--list", tmp], {})  # readable archive?
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def restore_postgresql(source: str) -> None:
    try:
        _run([pg_binary("pg_restore"), "--list", source], {})
    except BackupError as e:
        raise BackupError(f"{source} er ikke en sikkerhetskopi fra pg_dump -Fc. {e.message}") \
            from e
    url, env = libpq_url()
    # Our own connections would hold locks that DROP TABLE waits for.
    db.session.remove()
    db.engine.dispose()
    _run([pg_binary("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
          "--single-transaction", "--exit-on-error", f"--dbname={url}", source], env)


# ---------------------------------------------------------------- commands

def backup(target: str) -> None:
    target = os.path.abspath(target)
    if kind() == "sqlite":
        backup_sqlite(target)
    else:
        backup_postgresql(target)


def restore(source: str) -> None:
    source = os.path.abspath(source)
    if kind() == "sqlite":
        restore_sqlite(source)
    else:
        restore_postgresql(source)


def init_app(app):
    @app.cli.command("backup")
    @click.argument("file", type=click.Path(dir_okay=False, writable=True))
    def backup_command(file):
        """Sikkerhetskopi av hele databasen til FILE."""
        backup(file)
        click.echo(f"Sikkerhetskopi skrevet til {file} ({os.path.getsize(file)} byte).")

    @app.cli.command("restore")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--yes", is_flag=True, help="Bekreft at databasen skal overskrives.")
    def restore_command(file, yes):
        """Gjenopprett databasen fra FILE. Overskriver alt i databasen; stopp appen først."""
        if not yes:
            raise click.ClickException(
                "Gjenoppretting overskriver hele databasen. Kjør på nytt med --yes for å "
                "bekrefte.")
        restore(file)
        click.echo(f"Databasen er gjenopprettet fra {file}.")
