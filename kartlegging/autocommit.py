"""Requests that need no transaction of their own on PostgreSQL (the autosave).

An autosave reads the user and the draft and writes one statement (the guarded UPDATE with its
audit row, `WITH saved AS (UPDATE …) INSERT …`), atomic by itself. Under READ COMMITTED each
read has its own snapshot anyway, so a BEGIN and a COMMIT would only add two round trips. A
view marked `@no_transaction` gets the session's connection in SQLAlchemy's AUTOCOMMIT mode
before anything else runs (the login fence's read included); once the session commits or
rolls back, its next connection is an ordinary transactional one again (the pool resets the
isolation level when the connection comes back). A marked view must therefore write nothing
that needs two statements before its first commit. SQLite keeps its own behaviour: the driver
opens no transaction for a read, and a write there is one file lock either way.
"""
from flask import current_app, request

from .extensions import db

MARK = "_no_transaction"


def no_transaction(view):
    """Marks a view whose writes before its first commit are single statements."""
    setattr(view, MARK, True)
    return view


def init_app(app) -> None:
    """Registers the hook; call before any other before_request that touches the database."""
    @app.before_request
    def autocommit_connection():
        view = current_app.view_functions.get(request.endpoint)
        if not getattr(view, MARK, False) or db.session().in_transaction():
            return None
        if db.engine.dialect.name == "postgresql":
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return None
