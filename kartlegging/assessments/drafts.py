"""Drafts: start an assessment and save answers with optimistic locking. No Flask views here."""
from datetime import datetime
from functools import cache
from typing import NamedTuple

from flask import current_app
from sqlalchemy import bindparam, exists, insert, select
from sqlalchemy.orm import aliased

from ..access import audit
from ..clock import now_utc, today
from ..domain.instrument_facts import KARTLEGGING, LIVSKVALITET, NOT_STARTED_BY_STAFF
from ..domain.instrument_types import Instrument
from ..domain.rules import Evaluator, clean, is_answered, progress, split
from ..extensions import db
from ..models import Assessment, AuditEvent, Person, User
from . import earlier_ip


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


def staff_form(key: str) -> bool:
    """Staff start, fill and sign assessments of this key: every loaded instrument except the
    self-rating (instruments/README.md, "Which forms staff can start")."""
    return key not in NOT_STARTED_BY_STAFF and key in registry().keys


def other_forms() -> list[Instrument]:
    """"Andre skjema": the newest version of every staff form besides the Alna kartlegging
    (e.g. imported from a FHIR Questionnaire), by title."""
    keys = registry().keys - {KARTLEGGING, *NOT_STARTED_BY_STAFF}
    return sorted((registry().latest(k) for k in keys), key=lambda i: (i.title.lower(), i.key))


def last_signed(person_id: int, key: str = KARTLEGGING) -> Assessment | None:
    return db.session.scalar(select(Assessment).where(
        Assessment.person_id == person_id, Assessment.instrument_key == key,
        Assessment.status == "signed").order_by(Assessment.signed_at.desc(),
                                                 Assessment.id.desc()).limit(1))


def start(person: Person, by: User, key: str = KARTLEGGING, **extra) -> Assessment:
    """A new draft of the newest version; items marked `prefill: last_signed` start with the
    answers of the person's last signed assessment (shown as such on the form)."""
    inst = registry().latest(key)
    answers = {}
    prefill = [i.id for i in inst.items.values() if i.prefill == "last_signed"]
    previous = last_signed(person.id, key) if prefill else None
    if earlier_ip.accepted_without_plan(previous):
        # the plan was accepted, so its «Nei» is stale: the form asks again (the IP prompt says why)
        prefill = [k for k in prefill if k != earlier_ip.PLAN_ITEM]
    if previous is not None:
        answers = clean(inst, {k: previous.answers[k] for k in prefill
                               if is_answered(previous.answers.get(k))})
    # an item's `initial` (e.g. from an imported Questionnaire) is where a new draft starts
    answers = clean(inst, {**{i.id: i.initial for i in inst.items.values()
                              if i.initial is not None}, **answers})
    a = Assessment(person_id=person.id, instrument_key=inst.key,
                   instrument_version=inst.version, answers=answers, created_by_id=by.id,
                   updated_by_id=by.id, **extra)
    db.session.add(a)
    db.session.flush()
    return a


def prefilled(a: Assessment) -> dict[str, Assessment]:
    """item id -> the signed assessment a draft's answer was carried over from (while unchanged)."""
    if a.is_signed:
        return {}
    items = [i for i in instrument_of(a).items.values() if i.prefill == "last_signed"]
    previous = last_signed(a.person_id, a.instrument_key) if items else None
    if previous is None or previous.id == a.id:
        return {}
    shown = clean(instrument_of(a), a.answers)
    return {i.id: previous for i in items if is_answered(shown.get(i.id))
            and shown.get(i.id) == previous.answers.get(i.id)}


class DraftRow(NamedTuple):
    """What an autosave needs of an assessment, read in one query without an ORM object: its
    draft state, the person's team (the access check) and whether a self-rating taken with it
    is completed (the section counts). `drafts.save` takes it as it takes an Assessment."""
    id: int
    person_id: int
    team_id: int
    instrument_key: str
    instrument_version: int
    status: str
    version: int
    answers: dict
    set_aside: dict | None
    last_section: str | None
    rated: bool
    object_type = "assessment"  # audit rows name the assessment, as for the ORM object

    @property
    def is_signed(self) -> bool:
        return self.status == "signed"


@cache
def _draft_row_query():
    # Built once; every autosave runs it. The rating condition is the one of _ratings_where.
    a, p = Assessment.__table__, Person.__table__
    r = aliased(Assessment.__table__)
    rated = exists().where(r.c.person_id == a.c.person_id, r.c.instrument_key == LIVSKVALITET,
                           r.c.parent_id == a.c.id, r.c.completed_at.is_not(None))
    return select(a.c.id, a.c.person_id, p.c.team_id, a.c.instrument_key,
                  a.c.instrument_version, a.c.status, a.c.version, a.c.answers, a.c.set_aside,
                  a.c.last_section, rated.label("rated")).join(p, p.c.id == a.c.person_id) \
        .where(a.c.id == bindparam("id"))


def draft_row(assessment_id: int) -> DraftRow | None:
    """The autosave's read of an assessment (any team: the caller checks `team_id`)."""
    row = db.session.connection().execute(_draft_row_query(),
                                          {"id": assessment_id}).mappings().first()
    return None if row is None else DraftRow(**{**row, "rated": bool(row["rated"])})


class Saved(NamedTuple):
    """What this save's guarded UPDATE wrote (not what the row holds a moment later)."""
    version: int
    answers: dict
    updated_at: datetime
    moved_aside: list  # answer keys set aside by this save
    restored: dict     # answers set aside earlier that came back
    ev: Evaluator      # of `answers` as of today: the live state needs no second one


SAVED_COLUMNS = ("answers", "set_aside", "version", "updated_at", "updated_by_id",
                 "last_section")


@cache
def _guarded_update():
    """UPDATE … SET SAVED_COLUMNS WHERE id, version and still a draft (built once; the values
    come as parameters named set_<column>)."""
    t = Assessment.__table__
    return t.update().where(t.c.id == bindparam("guard_id"),
                            t.c.version == bindparam("guard_version"), t.c.status == "draft") \
        .values({c: bindparam("set_" + c) for c in SAVED_COLUMNS})


@cache
def _guarded_update_with_audit_row():
    """PostgreSQL: the guarded UPDATE and its audit row in one statement, `WITH saved AS
    (UPDATE … RETURNING id) INSERT INTO audit_event … SELECT … FROM saved`: one round trip,
    atomic by itself, and no audit row when the guard lets no row through. The audit row's
    values come as parameters named audit_<column>."""
    t, ev = Assessment.__table__, AuditEvent.__table__
    saved = _guarded_update().returning(t.c.id).cte("saved")
    columns = [c for c in ev.c if c is not ev.c.id]
    values = select(*(bindparam("audit_" + c.name, type_=c.type) for c in columns))
    # The rows written are counted from the INSERT (one audit row per row the guard let
    # through); SQLAlchemy keeps an INSERT's row count only when asked to.
    return insert(ev).from_select([c.name for c in columns], values.select_from(saved)) \
        .execution_options(preserve_rowcount=True)


def _write(a, values: dict, event: dict) -> bool:
    """The guarded UPDATE of `a` and its audit row, on the session's connection (Core: no
    unit of work for rows never read back); False if the guard let no row through (nothing
    written). On PostgreSQL one statement, so it is atomic also where the autosave runs
    without a transaction (kartlegging/autocommit.py)."""
    params = {"set_" + c: values[c] for c in SAVED_COLUMNS}
    params.update(guard_id=a.id, guard_version=a.version)
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        return conn.execute(_guarded_update_with_audit_row(),
                            {**params, **audit.parameters(event)}).rowcount == 1
    if conn.execute(_guarded_update(), params).rowcount != 1:
        return False
    conn.execute(audit.insert_one(), audit.parameters(event))
    return True


def merge(answers: dict | None, changes: dict) -> tuple[dict, dict]:
    """`changes` (item id -> value; empty removes) applied to a copy of `answers`: the result
    and the previous answers of the keys emptied."""
    merged = dict(answers or {})
    emptied = {}
    for key, value in changes.items():
        if is_answered(value):
            merged[key] = value
        elif key in merged:
            emptied[key] = merged.pop(key)
    return merged, emptied


def save(a: Assessment | DraftRow, changes: dict, *, expected_version: int | None, by: User,
         section_id: str | None = None) -> Saved:
    """Merge `changes` (item id -> value; empty removes) into the draft.

    `expected_version` is the version the client loaded; a mismatch raises Conflict so no
    save silently overwrites another. The UPDATE itself is guarded by the version too, so two
    processes racing past the check cannot both win. The change is written and committed with
    its audit row (assessment_save, by `by`), so no change is stored without it. Returns what
    this UPDATE wrote.

    Answers of items hidden by this change are set aside (not dropped), and answers set
    aside earlier come back when their item shows again: the result's `moved_aside` lists
    the answer keys set aside by this save and `restored` the answers that came back.
    `section_id` is remembered as the section last saved ("Fortsett" lands there).
    """
    if a.is_signed:
        raise Locked()
    if expected_version is not None and expected_version != a.version:
        raise Conflict(a)
    merged, emptied = merge(a.answers, changes)
    before = dict(a.set_aside or {})
    new_answers, aside, restored, ev = split(instrument_of(a), merged, before, emptied, today())
    now = now_utc()
    written = a.version + 1
    values = dict(answers=new_answers, set_aside=aside or None, version=written,
                  updated_at=now, updated_by_id=by.id,
                  last_section=section_id if section_id is not None else a.last_section)
    event = audit.row("assessment_save", person_id=a.person_id, obj=a, detail=section_id,
                      user=by)
    if not _write(a, values, event):
        db.session.rollback()
        raise Conflict(db.session.get(Assessment, a.id))
    db.session.commit()
    return Saved(written, new_answers, now,
                 sorted(k for k in aside if k not in before), restored, ev)


def set_answer(a: Assessment, item_id: str, value) -> None:
    """One answer of a hand-over rating (the person taps through the questions).

    Guarded like a draft save (UPDATE … WHERE version = n); on a lost race the row is read
    again and the answer merged into it, so parallel answers never overwrite each other.
    Commits. Raises Locked once the rating is completed.
    """
    t = Assessment.__table__
    for _ in range(50):
        # FOR UPDATE: on PostgreSQL parallel answers queue here instead of retrying; SQLite
        # ignores it (it writes one at a time) and the guarded UPDATE below decides.
        row = db.session.execute(select(t.c.version, t.c.answers, t.c.completed_at)
                                 .where(t.c.id == a.id).with_for_update()).one()
        if row.completed_at is not None:
            raise Locked()
        answers = dict(row.answers or {})
        if value is None:
            answers.pop(item_id, None)
        else:
            answers[item_id] = value
        result = db.session.execute(t.update().where(
            t.c.id == a.id, t.c.version == row.version, t.c.completed_at.is_(None))
            .values(answers=answers, version=row.version + 1, updated_at=now_utc()))
        if result.rowcount == 1:
            db.session.commit()
            return
        db.session.rollback()
    raise Conflict(db.session.get(Assessment, a.id))


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


def _ratings_where(kartlegging: Assessment) -> list:
    # A self-rating belongs to the kartlegging's person: the person condition lets the
    # (person_id, instrument_key, ...) index find it instead of a scan for parent_id.
    return [Assessment.person_id == kartlegging.person_id,
            Assessment.instrument_key == LIVSKVALITET, Assessment.parent_id == kartlegging.id]


def ratings_of(kartlegging: Assessment) -> list[Assessment]:
    return list(db.session.scalars(select(Assessment).where(*_ratings_where(kartlegging))
                                   .order_by(Assessment.created_at)))


@cache
def _completed_rating_query():
    # Built once (autosave runs it on every save); see _ratings_where.
    return select(Assessment.id).where(
        Assessment.person_id == bindparam("person_id"),
        Assessment.instrument_key == LIVSKVALITET, Assessment.parent_id == bindparam("id"),
        Assessment.completed_at.is_not(None)).limit(1)


def has_completed_rating(kartlegging: Assessment) -> bool:
    """Whether a self-rating taken with this kartlegging is completed (one id, no answers)."""
    return db.session.scalar(_completed_rating_query(), {
        "person_id": kartlegging.person_id, "id": kartlegging.id}) is not None


def progress_of(a: Assessment | None, inst: Instrument | None = None,
                answers: dict | None = None, rated: bool | None = None, ev=None,
                sections=None) -> dict[str, tuple[int, int]]:
    """Answered/shown per section (every one, or those in `sections`) of `answers`, by default
    the stored ones; a section that embeds the self-rating counts a completed rating as one
    answered item (`rated`, when the caller has asked already: then `a` is not needed)."""
    inst = inst or instrument_of(a)
    out = progress(inst, a.answers if answers is None else answers, ev, sections)
    embeds = [s.id for s in inst.sections if s.embed == LIVSKVALITET and s.id in out]
    if embeds:
        rated = int(has_completed_rating(a) if rated is None else rated)
        for sid in embeds:
            done, total = out[sid]
            out[sid] = (done + rated, total + 1)
    return out


def live_sections(inst: Instrument, section_id: str) -> list:
    """The sections whose live state an autosave of `section_id` reports: those a change of
    its answers can change (Instrument.live_affected), and those that embed the self-rating
    (its completion moves their count without a save of the draft)."""
    affected = inst.live_affected[section_id]
    return [s for s in inst.sections if s.id in affected or s.embed == LIVSKVALITET]


# ---------------------------------------------------------------------------------------------
# Restoring the device's copy of unsaved answers after a crash or a lost tab.
#
# The browser keeps, encrypted, the answers the server has not acknowledged. The copy on disk
# can be older than what the server holds (browsers write storage to disk lazily), so a copy
# is never simply saved again: each field carries the server value it was based on (and the
# values this device sent since), and the server decides per field.

APPLY = "apply"          # the server has not changed the field since the copy: save the copy
ALREADY = "already"      # the server holds the copy's value already: nothing to do
CONFLICT = "conflict"    # both changed: the user sees both and chooses


def as_posted(value) -> list[str]:
    """A value as the form posts it: a list of strings (empty for no answer), order-free for
    multiple choices, so a stored 2 equals a typed "2"."""
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, list):
        return sorted(str(v) for v in value if v not in (None, ""))
    return [str(value)]


class LocalEdit(NamedTuple):
    """One field of the device's copy: the value typed, the server value it was typed over
    (None when the copy does not know it: copies written before the base was kept) at
    `base_version`, and the values this device sent since (a reply may have been lost)."""
    value: object
    base_version: int
    base_value: object = None
    has_base: bool = False
    sent: tuple = ()


def restore_outcome(server_value, edit: LocalEdit, version: int) -> str:
    """APPLY, ALREADY or CONFLICT for one field of a copy, against the server's value now.

    Applied only where the copy differs from the server and the server's value is still the one
    the copy was typed over (or one this device sent itself); a copy that does not know its
    base value is applied only if the draft has not been saved since its version. A copy whose
    text the server's text begins with is already there. Anything else is a conflict: a
    restore never replaces a newer server answer without asking."""
    server, local = as_posted(server_value), as_posted(edit.value)
    if server == local:
        return ALREADY
    if edit.has_base:
        ours = [as_posted(edit.base_value), *(as_posted(v) for v in edit.sent)]
        if server in ours:
            return APPLY
    elif edit.base_version == version:
        return APPLY
    # The usual crash: the copy on disk is an earlier state of text the server has since
    # received in full. Every character of the copy is in the server's text, so nothing typed
    # is lost by keeping it, and asking would only offer to shorten it.
    if len(server) == 1 and len(local) == 1 and server[0].startswith(local[0]):
        return ALREADY
    return CONFLICT


def parse_local_edit(raw) -> LocalEdit | None:
    """A field of the copy as the browser posts it, or None if it is malformed."""
    if not isinstance(raw, dict) or "value" not in raw:
        return None
    base_version = raw.get("base_version")
    if not isinstance(base_version, int) or isinstance(base_version, bool):
        return None
    sent = raw.get("sent") or []
    if not isinstance(sent, list):
        return None
    return LocalEdit(raw["value"], base_version, raw.get("base_value"), "base_value" in raw,
                     tuple(sent[-10:]))


def restore_plan(a: Assessment | DraftRow, section_id: str, fields: dict) -> dict[str, str]:
    """field name -> outcome for the copy's fields of one section (unknown names are left
    out). Reads only: the browser saves the applied ones through the ordinary autosave."""
    sec = instrument_of(a).section(section_id)
    names = {n for i in sec.items for n in ((i.id, i.comment_id) if i.comment else (i.id,))}
    answers = a.answers or {}
    out = {}
    for name, raw in fields.items():
        edit = parse_local_edit(raw)
        if name in names and edit is not None:
            out[name] = restore_outcome(answers.get(name), edit, a.version)
    return out
