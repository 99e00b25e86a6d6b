"""The hottest statements (every request's login check, the autosave's read and write) run
straight on the session's own DBAPI connection: same transaction, the SQL compiled by
SQLAlchemy once, values converted by the column types' own processors. SQLAlchemy's
execution path (execution context, parameter and result set-up, result metadata from the
cursor's description) cost about as much CPU as the driver itself; skipping it takes about a
sixth off an autosave (bench/instructions.py). Exceptions and cursor events are SQLAlchemy's.

On PostgreSQL a statement that opens no transaction of its own runs without one: a read while
no transaction is open (under READ COMMITTED every statement has its own snapshot anyway),
and a write the caller marks `alone` (it is the whole change, committed right after; the
autosave's guarded UPDATE with its audit row). An autosave is then three statements and no
BEGIN or COMMIT: two round trips fewer. Inside an open transaction everything runs in it.
Not for a SELECT … FOR UPDATE (its lock would end at once), and a read does not flush the
ORM session's pending changes first: these are reads at the start of a request.
"""
from functools import lru_cache
from typing import NamedTuple

from psycopg.pq import TransactionStatus
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable

from .extensions import db


class _Compiled(NamedTuple):
    sql: str
    defaults: dict         # values compiled into the statement (e.g. status = 'draft')
    binds: dict            # parameter name -> the type's bind processor
    positions: tuple | None  # parameter names in order, for positional drivers (SQLite)
    read: bool             # a SELECT
    names: list            # result columns
    results: list | None   # their types' result processors (None: the driver's value)


@lru_cache(maxsize=64)  # per statement object: callers build theirs once (@cache)
def _compiled(statement: Executable, dialect) -> _Compiled:
    c = statement.compile(dialect=dialect)
    binds = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
             for name, bind in c.binds.items()}
    columns = list(getattr(statement, "selected_columns", ()))
    results = [col.type.dialect_impl(dialect).result_processor(dialect, None)
               for col in columns]
    return _Compiled(
        str(c), dict(c.params), {k: f for k, f in binds.items() if f is not None},
        tuple(c.positiontup) if c.positional else None, getattr(statement, "is_select", False),
        [col.key for col in columns], results if any(results) else None)


def _run(statement: Executable, params: dict, alone: bool = False):
    """The executed DBAPI cursor and the statement's compiled form."""
    conn = db.session.connection()
    dialect = conn.dialect
    c = _compiled(statement, dialect)
    values = {**c.defaults, **params}
    for key, process in c.binds.items():
        values[key] = process(values[key])
    if c.positions is not None:
        values = tuple(values[name] for name in c.positions)
    driver = conn.connection.driver_connection
    cursor = driver.cursor()
    # PostgreSQL, and no transaction open: a read or a write alone needs none. A write is
    # not alone while the session holds changes not yet sent: they commit with it.
    session = db.session
    own = (dialect.name == "postgresql"
           and (c.read or (alone and not (session.new or session.dirty or session.deleted)))
           and driver.info.transaction_status == TransactionStatus.IDLE)
    if own:
        driver.autocommit = True
    events = conn.dispatch  # listeners (query counts in tests and bench) see it as usual
    if events.before_cursor_execute:
        events.before_cursor_execute(conn, cursor, c.sql, values, None, False)
    try:
        cursor.execute(c.sql, values)
    except dialect.loaded_dbapi.Error as e:
        cursor.close()
        # The same exception SQLAlchemy raises (IntegrityError, OperationalError, …).
        raise DBAPIError.instance(c.sql, values, e, dialect.loaded_dbapi.Error,
                                  dialect=dialect) from e
    finally:
        if own:
            driver.autocommit = False
    if events.after_cursor_execute:
        events.after_cursor_execute(conn, cursor, c.sql, values, None, False)
    return cursor, c


def first(statement: Executable, params: dict) -> dict | None:
    """The first row of a SELECT as {column: value}, or None."""
    cursor, c = _run(statement, params)
    try:
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row is None:
        return None
    if c.results is None:
        return dict(zip(c.names, row))
    return {name: value if process is None or value is None else process(value)
            for name, process, value in zip(c.names, c.results, row)}


def rowcount(statement: Executable, params: dict, alone: bool = False) -> int:
    """Runs an UPDATE/INSERT; how many rows it wrote. `alone`: the statement is the whole
    change and the caller commits right after (it needs no transaction of its own)."""
    cursor, _ = _run(statement, params, alone)
    try:
        return cursor.rowcount
    finally:
        cursor.close()

