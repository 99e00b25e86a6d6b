"""Keeping archived signatures verifiable: a new document timestamp before the newest one's
certificate expires (`flask pdf retimestamp`).

Only archive updates are appended (validation data and a document timestamp, incremental),
so the signed revision and every earlier byte stay as they were; `verify_pdf` accepts them.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from ..access import audit
from ..extensions import db
from ..models import Assessment
from . import archive, signing


@dataclass
class Outcome:
    label: str  # document id or file name
    done: bool
    message: str


def due(pdf_bytes: bytes, before: dt.datetime) -> bool:
    """Whether the file needs a new timestamp: its newest one expires before `before`.
    A file without any (B-B) has no chain to extend and is never due."""
    expires = archive.newest_timestamp_expiry(pdf_bytes)
    return expires is not None and expires < before


def stored(within_days: int, dry_run: bool = False) -> list[Outcome]:
    """Every signed document in the database that is due; each one committed on its own
    with its audit row, so a failure halfway keeps what was done."""
    settings = signing.archive_settings()
    if settings is None:
        raise archive.ArchiveUnavailable("SIGNING_TSA_URL er ikke satt")
    before = dt.datetime.now(dt.UTC) + dt.timedelta(days=within_days)
    ids = db.session.scalars(select(Assessment.id).where(Assessment.status == "signed")
                             .order_by(Assessment.id)).all()
    outcomes = []
    for assessment_id in ids:
        a = db.session.get(Assessment, assessment_id)
        data = a.signed_pdf
        if not data or not due(data, before):
            db.session.expunge(a)  # one document in memory at a time
            continue
        if dry_run:
            outcomes.append(Outcome(a.document_id, False, "trenger nytt tidsstempel"))
            continue
        try:
            a.signed_pdf = archive.retimestamp(data, settings)
        except archive.ArchiveUnavailable as e:
            db.session.rollback()
            outcomes.append(Outcome(a.document_id, False, f"ikke fornyet ({e.detail})"))
            continue
        audit.record("pdf_retimestamp", person_id=a.person_id, obj=a, username="flask pdf",
                     detail=archive.level(a.signed_pdf))
        outcomes.append(Outcome(a.document_id, True, "nytt tidsstempel"))
    return outcomes


def in_files(names, within_days: int, dry_run: bool = False) -> list[Outcome]:
    """Archived copies outside the database: each due file replaced atomically."""
    settings = signing.archive_settings()
    if settings is None:
        raise archive.ArchiveUnavailable("SIGNING_TSA_URL er ikke satt")
    before = dt.datetime.now(dt.UTC) + dt.timedelta(days=within_days)
    outcomes = []
    for name in names:
        path = Path(name)
        data = path.read_bytes()
        if not due(data, before):
            continue
        if dry_run:
            outcomes.append(Outcome(name, False, "trenger nytt tidsstempel"))
            continue
        try:
            extended = archive.retimestamp(data, settings)
        except archive.ArchiveUnavailable as e:
            outcomes.append(Outcome(name, False, f"ikke fornyet ({e.detail})"))
            continue
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(extended)
        os.replace(tmp, path)
        outcomes.append(Outcome(name, True, "nytt tidsstempel"))
    return outcomes
