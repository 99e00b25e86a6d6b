"""Drafts: start an assessment and save answers with optimistic locking. No Flask views here."""
from flask import current_app
from sqlalchemy import select

from ..clock import now_utc
from ..domain.instrument_types import Instrument
from ..domain.rules import Evaluator, is_answered, progress, set_aside
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
         section_id: str | None = None) -> Assessment:
    """Merge `changes` (item id -> value; empty removes) into the draft.

    `expected_version` is the version the client loaded; a mismatch raises Conflict so no
    save silently overwrites another. The UPDATE itself is guarded by the version too, so two
    processes racing past the check cannot both win.

    Answers of items hidden by this change are set aside (not dropped), and answers set
    aside earlier come back when their item shows again: afterwards `a.moved_aside` lists
    the answer keys set aside by this save and `a.restored` the answers that came back.
    """
    if a.is_signed:
        raise Locked()
    if expected_version is not None and expected_version != a.version:
        raise Conflict(a)
    merged = dict(a.answers or {})
    emptied = {}
    for key, value in changes.items():
        if is_answered(value):
            merged[key] = value
        elif key in merged:
            emptied[key] = merged.pop(key)
    before = dict(a.set_aside or {})
    new_answers, aside, restored = set_aside(instrument_of(a), merged, before, emptied)
    now = now_utc()
    values = dict(answers=new_answers, set_aside=aside or None, version=a.version + 1,
                  updated_at=now, updated_by_id=by.id)
    if section_id is not None:
        values["last_section"] = section_id
    result = db.session.execute(
        Assessment.__table__.update()
        .where(Assessment.id == a.id, Assessment.version == a.version,
               Assessment.status == "draft")
        .values(**values))
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict(db.session.get(Assessment, a.id))
    db.session.commit()
    db.session.refresh(a)
    a.moved_aside = sorted(k for k in aside if k not in before)
    a.restored = restored
    return a


def resume_section(a: Assessment) -> str:
    """Where "Fortsett" lands: the section last saved if it still applies, else the first."""
    inst = instrument_of(a)
    sec = inst.section(a.last_section) if a.last_section else None
    if sec is not None and Evaluator(inst, a.answers).section_visible(sec):
        return sec.id
    return inst.sections[0].id


def open_draft(person_id: int, key: str = KARTLEGGING) -> Assessment | None:
    """The person's newest unsigned kartlegging, if any."""
    return db.session.scalars(select(Assessment).where(
        Assessment.person_id == person_id, Assessment.instrument_key == key,
        Assessment.status == "draft")
        .order_by(Assessment.updated_at.desc(), Assessment.id.desc())).first()


def for_person(person_id: int, key: str = KARTLEGGING) -> list[Assessment]:
    return list(db.session.scalars(select(Assessment).where(
        Assessment.person_id == person_id, Assessment.instrument_key == key)
        .order_by(Assessment.created_at.desc(), Assessment.id.desc())))


def ratings_of(kartlegging: Assessment) -> list[Assessment]:
    return list(db.session.scalars(select(Assessment).where(
        Assessment.parent_id == kartlegging.id, Assessment.instrument_key == LIVSKVALITET)
        .order_by(Assessment.created_at)))


def progress_of(a: Assessment, inst: Instrument | None = None) -> dict[str, tuple[int, int]]:
    """Answered/shown per section; a section that embeds the self-rating counts a completed
    rating as one answered item."""
    inst = inst or instrument_of(a)
    out = progress(inst, a.answers)
    embeds = [s.id for s in inst.sections if s.embed == LIVSKVALITET]
    if embeds:
        rated = int(any(r.completed_at for r in ratings_of(a)))
        for sid in embeds:
            done, total = out[sid]
            out[sid] = (done + rated, total + 1)
    return out
