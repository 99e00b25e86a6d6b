"""Drafts: start an assessment and save answers with optimistic locking. No Flask views here."""
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value

from ..access import audit
from ..clock import now_utc
from ..domain.instrument_types import Instrument
from ..domain.rules import clean, is_answered
from ..extensions import db
from ..models import Assessment, Person, User

KARTLEGGING = "alna-kartlegging"
LIVSKVALITET = "livskvalitet"


class Locked(Exception):
    """The assessment is signed; it can never change."""
    message = "Kartleggingen er signert og kan ikke endres. Lag en rettelse i stedet."


class Conflict(Exception):
    """Someone saved since this client loaded the draft."""
    message = ("Noen har lagret endringer i denne kartleggingen etter at du åpnet den. "
               "Svarene dine er ikke lagret ennå – se over og lagre på nytt.")

    def __init__(self, current: Assessment):
        super().__init__(self.message)
        self.current = current


def registry():
    return current_app.extensions["instruments"]


def instrument_of(a: Assessment) -> Instrument:
    return registry().get(a.instrument_key, a.instrument_version)


def start(person: Person, by: User, key: str = KARTLEGGING, **extra) -> Assessment:
    inst = registry().latest(key)
    a = Assessment(person_id=person.id, instrument_key=inst.key,
                   instrument_version=inst.version, answers={}, created_by_id=by.id,
                   updated_by_id=by.id, **extra)
    db.session.add(a)
    db.session.flush()
    return a


def save(a: Assessment, changes: dict, *, expected_version: int | None, by: User,
         section: str | None = None) -> Assessment:
    """Merge `changes` (item id -> value; empty removes) into the draft, with its audit row.

    `expected_version` is the version the client loaded; a mismatch raises Conflict so no
    save silently overwrites another. The UPDATE itself is guarded by the version too, so two
    processes racing past the check cannot both win, and the version returned is the one this
    UPDATE wrote. Change and audit row commit in one transaction.
    """
    if a.is_signed:
        raise Locked()
    if expected_version is not None and expected_version != a.version:
        raise Conflict(a)
    merged = dict(a.answers or {})
    for key, value in changes.items():
        if is_answered(value):
            merged[key] = value
        else:
            merged.pop(key, None)
    written = {"answers": clean(instrument_of(a), merged), "version": a.version + 1,
               "updated_at": now_utc(), "updated_by_id": by.id}
    result = db.session.execute(
        Assessment.__table__.update()
        .where(Assessment.id == a.id, Assessment.version == a.version,
               Assessment.status == "draft")
        .values(**written))
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict(db.session.get(Assessment, a.id))
    audit.record("assessment_save", person_id=a.person_id, obj=a, detail=section, user=by)
    # The row is known without reading it back (a commit expires what the session holds).
    for key, value in written.items():
        set_committed_value(a, key, value)
    return a


def for_person(person_id: int, key: str = KARTLEGGING) -> list[Assessment]:
    return list(db.session.scalars(select(Assessment).where(
        Assessment.person_id == person_id, Assessment.instrument_key == key)
        .order_by(Assessment.created_at.desc(), Assessment.id.desc())))


def ratings_of(kartlegging: Assessment) -> list[Assessment]:
    return list(db.session.scalars(select(Assessment).where(
        Assessment.parent_id == kartlegging.id, Assessment.instrument_key == LIVSKVALITET)
        .order_by(Assessment.created_at)))
