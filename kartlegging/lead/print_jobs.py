"""Merged prints held in the database: any app instance can hand over a print that another
made (instances share nothing but the database).

A print job is written in chunks as the merge goes (lead/pdf_concat.py), so neither the merge
nor the download holds the whole file; the job is ready when its last chunk is in. It belongs to
the user who made it and is handed over once, within EXPIRES_SECONDS: the download claims it
(one guarded UPDATE, so two instances cannot both hand it over), streams the chunks one query at
a time and deletes it. Jobs never downloaded, and downloads broken off, are deleted when they
expire, by the next print or download on any instance, or by `flask utskrift rydd`.
"""
import hashlib
import re
import secrets
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, LargeBinary, String, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import now_utc
from ..extensions import db
from ..ops import metrics

EXPIRES_SECONDS = 3600
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class PrintJob(db.Model):
    """One merged print: its owner, the hash of its download token (the token itself is only
    in the owner's link), when it was made, finished and claimed by a download."""
    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]
    taken_at: Mapped[datetime | None]
    size: Mapped[int | None]


class PrintJobChunk(db.Model):
    """A piece of a print job's file, in order of `seq`."""
    job_id: Mapped[int] = mapped_column(ForeignKey("print_job.id", ondelete="CASCADE"),
                                        primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Writer:
    """A new job of `user_id`: `write` is the merge's sink; `finish` marks it ready. Each chunk
    is committed as it comes, so no write lock is held through a long merge (SQLite has one
    for the whole file); a merge that breaks off leaves a job never ready, deleted on expiry."""

    def __init__(self, user_id: int):
        expire()
        self.token = secrets.token_urlsafe(24)
        t = PrintJob.__table__
        self.job_id = db.session.execute(t.insert().values(
            token_sha256=_digest(self.token), user_id=user_id, created_at=now_utc())
            .returning(t.c.id)).scalar_one()
        db.session.commit()
        self._seq = 0
        self._started = time.perf_counter()

    def write(self, data: bytes) -> None:
        db.session.execute(PrintJobChunk.__table__.insert().values(
            job_id=self.job_id, seq=self._seq, data=data))
        db.session.commit()
        self._seq += 1

    def finish(self, size: int) -> str:
        """Ready for download; returns the token for the owner's link. Commits."""
        t = PrintJob.__table__
        db.session.execute(update(t).where(t.c.id == self.job_id)
                           .values(finished_at=now_utc(), size=size))
        db.session.commit()
        metrics.PRINT_JOBS.labels("laget").inc()
        metrics.PRINT_SECONDS.observe(time.perf_counter() - self._started)
        return self.token


def claim(user_id: int, token: str) -> int | None:
    """The id of this user's ready, unclaimed, unexpired job named by `token`, now claimed
    (committed), or None. At most one download of a job ever gets it."""
    expire()
    if not TOKEN.match(token or ""):
        return None
    t = PrintJob.__table__
    digest = _digest(token)
    claimed = db.session.execute(update(t).where(
        t.c.token_sha256 == digest, t.c.user_id == user_id, t.c.finished_at.is_not(None),
        t.c.taken_at.is_(None), t.c.created_at >= _oldest_kept())
        .values(taken_at=now_utc())).rowcount
    job_id = db.session.scalar(select(t.c.id).where(t.c.token_sha256 == digest)) \
        if claimed == 1 else None
    db.session.commit()
    if job_id is not None:
        metrics.PRINT_JOBS.labels("lastet_ned").inc()
    return job_id


def size_of(job_id: int) -> int | None:
    return db.session.scalar(select(PrintJob.size).where(PrintJob.id == job_id))


def chunks(job_id: int) -> Iterator[bytes]:
    """The job's file, a chunk per query; the job is deleted once the last chunk is out."""
    c = PrintJobChunk.__table__
    seq = 0
    while True:
        data = db.session.scalar(select(c.c.data).where(c.c.job_id == job_id, c.c.seq == seq))
        db.session.commit()  # no transaction held open while the client reads
        if data is None:
            break
        yield data
        seq += 1
    _delete([job_id])
    db.session.commit()


def _oldest_kept() -> datetime:
    return now_utc() - timedelta(seconds=EXPIRES_SECONDS)


def _delete(job_ids) -> None:
    # Chunks first: SQLite enforces no ON DELETE CASCADE unless told to.
    db.session.execute(delete(PrintJobChunk.__table__)
                       .where(PrintJobChunk.__table__.c.job_id.in_(job_ids)))
    db.session.execute(delete(PrintJob.__table__).where(PrintJob.__table__.c.id.in_(job_ids)))


def expire() -> int:
    """Deletes jobs older than EXPIRES_SECONDS (downloaded or not); returns how many. In the
    caller's transaction."""
    old = list(db.session.scalars(select(PrintJob.id).where(
        PrintJob.created_at < _oldest_kept())))
    if old:
        _delete(old)
        metrics.PRINT_JOBS.labels("utlopt").inc(len(old))
    return len(old)
