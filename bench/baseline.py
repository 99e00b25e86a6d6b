"""The save baseline: a minimal Flask endpoint inserting one row, on the same database and
server as the app. `gunicorn 'bench.baseline:create_app()'` with DATABASE_URL set."""
import os

from flask import Flask, jsonify, request
from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, Table, create_engine, func

metadata = MetaData()
rows = Table("bench_row", metadata, Column("id", Integer, primary_key=True),
             Column("payload", JSON), Column("at", DateTime, server_default=func.now()))


def create_table(url: str) -> None:
    """Made by the harness before the server starts: two workers creating it at once collide
    on PostgreSQL (pg_type's unique index)."""
    engine = create_engine(url)
    metadata.create_all(engine)
    engine.dispose()


def create_app():
    engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
    app = Flask(__name__)

    @app.post("/insert")
    def insert_one():
        with engine.begin() as conn:
            conn.execute(rows.insert().values(payload=request.get_json()))
        return jsonify(ok=True)

    return app
