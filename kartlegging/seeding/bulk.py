"""Rows in bulk for teams of 1,000 to 100,000 persons (the bench): SQLAlchemy Core executemany,
one statement per 5,000 rows, on a database `flask db upgrade` made. The rows go around the
ORM, so the values the ORM events would write come from the same writers here: name tokens
from models.name_token_rows, a signing's IP columns and a rating's mean from stand_in, and the
persons' orders from derived.person_orders.refresh once the assessments are in."""
import functools
import json
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import JSON, Text, bindparam, cast, insert

from ..derived import person_orders
from ..domain.instrument_types import Instrument
from ..extensions import db
from ..models import Assessment, Person, PersonNameToken, name_token_rows
from . import stand_in

# Every assessment row has the same keys (one statement per batch): these unless given.
_BLANK = dict.fromkeys(("parent_id", "rated_by_person", "completed_at", "score", "signed_at",
                        "signed_by_id", "ip_outcome", "ip_decision", "ip_answer",
                        "content_sha256"))


def insert_rows(table, rows: list[dict], json_cols=(), batch: int = 5000) -> None:
    """Core executemany in batches. Every row has the same keys; JSON columns arrive serialised
    already (the same answers for every row are dumped once)."""
    if not rows:
        return
    stmt = insert(table)
    if json_cols:  # PostgreSQL takes the text as JSON only when told
        pg = db.engine.dialect.name == "postgresql"
        stmt = stmt.values({c: cast(bindparam(c, type_=Text), JSON) if pg
                            else bindparam(c, type_=Text) for c in json_cols})
    for k in range(0, len(rows), batch):
        db.session.execute(stmt, rows[k:k + batch])


def insert_persons(rows: list[dict]) -> None:
    """Person rows (with their ids) and the name token rows the Person events would write."""
    insert_rows(Person.__table__, rows)
    insert_rows(PersonNameToken.__table__, [
        token for p in rows for token in name_token_rows(SimpleNamespace(**p))])


class SameAnswers:
    """Assessment rows of one instrument version that all carry the same answers, serialised
    once. A signing's columns depend only on the answers and the signing time, a rating's on
    the answers and the completion time: each is computed once per time."""

    def __init__(self, inst: Instrument, answers: dict):
        self.inst = inst
        self.json = json.dumps(answers)
        self._signed = functools.cache(
            functools.partial(stand_in.signed_columns, inst, answers))
        self._completed = functools.cache(
            functools.partial(stand_in.completed_columns, inst, answers))

    def row(self, **columns) -> dict:
        return {**_BLANK, "instrument_key": self.inst.key,
                "instrument_version": self.inst.version, "answers": self.json, **columns}

    def signed(self, signed_at: datetime, by_id: int, **columns) -> dict:
        return self.row(**columns, **self._signed(signed_at, by_id))

    def completed(self, completed_at: datetime, **columns) -> dict:
        return self.row(**columns, **self._completed(completed_at))


def insert_assessments(rows: list[dict]) -> None:
    """Assessment rows, then every person's due and livskvalitet order recomputed from them
    by their one writer."""
    insert_rows(Assessment.__table__, rows, json_cols=("answers",))
    person_orders.refresh(db.session.connection())
