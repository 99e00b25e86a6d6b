"""The hottest statements (every request's login check, the autosave's read and write) run
straight on the session's own psycopg connection on PostgreSQL: same transaction, the SQL
compiled by SQLAlchemy once. SQLAlchemy's execution path (parameters, execution context,
result metadata built from the cursor's description on every call) cost about as much CPU
as psycopg itself; skipping it takes about a tenth off an autosave (bench/instructions.py).
On SQLite the driver returns JSON and times as text, so there SQLAlchemy runs them as usual.
"""
from functools import cache

from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable

from .extensions import db


@cache
def _compiled(statement: Executable, dialect):
    """SQL text, the compiled-in parameter values, their bind processors, the result's
    column names."""
    c = statement.compile(dialect=dialect)
    names = [col.key for col in getattr(statement, "selected_columns", ())]
    return str(c), dict(c.params), c._bind_processors, names


def _run(statement: Executable, params: dict):
    """(cursor, column names) on PostgreSQL; None elsewhere (the caller uses SQLAlchemy)."""
    conn = db.session.connection()
    if conn.dialect.name != "postgresql":
        return None
    sql, values, processors, names = _compiled(statement, conn.dialect)
    values = {**values, **params}
    for key, process in processors.items():
        values[key] = process(values[key])
    cursor = conn.connection.driver_connection.cursor()
    events = conn.dispatch  # listeners (query counts in tests and bench) see it as usual
    if events.before_cursor_execute:
        events.before_cursor_execute(conn, cursor, sql, values, None, False)
    try:
        cursor.execute(sql, values)
    except conn.dialect.loaded_dbapi.Error as e:
        # The same exception SQLAlchemy raises (IntegrityError, OperationalError, …).
        raise DBAPIError.instance(sql, values, e, conn.dialect.loaded_dbapi.Error,
                                  dialect=conn.dialect) from e
    if events.after_cursor_execute:
        events.after_cursor_execute(conn, cursor, sql, values, None, False)
    return cursor, names


def first(statement: Executable, params: dict) -> dict | None:
    """The first row of a SELECT as {column: value}, or None."""
    ran = _run(statement, params)
    if ran is None:
        row = db.session.connection().execute(statement, params).first()
        return None if row is None else dict(row._mapping)
    cursor, names = ran
    with cursor:
        row = cursor.fetchone()
    return None if row is None else dict(zip(names, row))


def rowcount(statement: Executable, params: dict) -> int:
    """Runs an UPDATE/INSERT; how many rows it wrote."""
    ran = _run(statement, params)
    if ran is None:
        return db.session.connection().execute(statement, params).rowcount
    with ran[0] as cursor:
        return cursor.rowcount
