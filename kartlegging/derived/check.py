"""Recompute every value stored for speed from its source rows; report and repair drift.

Runs over the whole database (the `flask derived check` command, CI after the demo seed and
after migrations, the tests' invariant). The repairs use the same writers as the app.
"""
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from ..domain import name_search
from ..domain.due import local_date
from ..domain.instrument_facts import KARTLEGGING, LIVSKVALITET
from ..domain.rules import frozen_ip, rating_mean
from ..extensions import db
from ..models import Assessment, Person, PersonNameToken, name_token_rows
from . import person_orders

# Stored means are rounded to two decimals; a float read back may differ in the last bits.
_SCORE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Drift:
    what: str          # "Person.due_order", "Assessment.score", ...
    row_id: int        # the person's or assessment's id
    stored: object
    expected: object

    def __str__(self) -> str:
        return (f"{self.what} for id {self.row_id}: lagret {_show(self.stored)}, "
                f"beregnet {_show(self.expected)}")


def _show(value) -> str:
    return value.isoformat(sep=" ") if hasattr(value, "isoformat") else repr(value)


def _registry():
    from flask import current_app
    return current_app.extensions["instruments"]


def _orders() -> list[Drift]:
    out = []
    for pid, due, due_expected, quality, quality_expected in person_orders.stored_and_expected(
            db.session.connection()):
        if due != due_expected:
            out.append(Drift("Person.due_order", pid, due, due_expected))
        if abs(quality - quality_expected) > _SCORE_TOLERANCE:
            out.append(Drift("Person.quality_order", pid, quality, quality_expected))
    return out


def _tokens() -> list[Drift]:
    stored: dict[int, set] = {}
    for pid, token, team_id, name in db.session.execute(select(
            PersonNameToken.person_id, PersonNameToken.token, PersonNameToken.team_id,
            PersonNameToken.name)):
        stored.setdefault(pid, set()).add((token, team_id, name))
    out = []
    for pid, team_id, name in db.session.execute(select(Person.id, Person.team_id, Person.name)
                                                 .order_by(Person.id)):
        expected = {(t, team_id, name) for t in name_search.tokens(name)}
        have = stored.pop(pid, set())
        if have != expected:
            out.append(Drift("PersonNameToken", pid, sorted(have), sorted(expected)))
    out += [Drift("PersonNameToken", pid, sorted(have), []) for pid, have in stored.items()]
    return out


def _scores() -> list[Drift]:
    reg, out = _registry(), []
    rows = db.session.execute(select(Assessment.id, Assessment.instrument_version,
                                     Assessment.answers, Assessment.score)
                              .where(Assessment.instrument_key == LIVSKVALITET,
                                     Assessment.completed_at.is_not(None))
                              .order_by(Assessment.id)).yield_per(500)
    for aid, version, answers, stored in rows:
        inst = reg.get(LIVSKVALITET, version)
        expected = rating_mean(inst, answers or {})
        if (stored is None) != (expected is None) or (
                stored is not None and abs(stored - expected) > _SCORE_TOLERANCE):
            out.append(Drift("Assessment.score", aid, stored, expected))
    return out


def _ip() -> list[Drift]:
    reg, out = _registry(), []
    rows = db.session.execute(select(Assessment.id, Assessment.instrument_version,
                                     Assessment.answers, Assessment.signed_at,
                                     Assessment.ip_outcome, Assessment.ip_decision,
                                     Assessment.ip_answer)
                              .where(Assessment.instrument_key == KARTLEGGING,
                                     Assessment.status == "signed")
                              .order_by(Assessment.id)).yield_per(500)
    for aid, version, answers, signed_at, *stored in rows:
        expected = frozen_ip(reg.get(KARTLEGGING, version), answers or {},
                             local_date(signed_at))
        for column, have in zip(("ip_outcome", "ip_decision", "ip_answer"), stored):
            if have != expected[column]:
                out.append(Drift(f"Assessment.{column}", aid, have, expected[column]))
    return out


CHECKS = (_orders, _tokens, _scores, _ip)


def find() -> list[Drift]:
    """Every stored value that differs from its recomputation (empty: no drift)."""
    return [d for check in CHECKS for d in check()]


def repair(found: list[Drift]) -> None:
    """Rewrite the drifted values with the writers the app uses (flushed, not committed)."""
    conn = db.session.connection()
    persons = {d.row_id for d in found if d.what.startswith("Person.")}
    if persons:
        person_orders.refresh(conn, persons)
    for pid in {d.row_id for d in found if d.what == "PersonNameToken"}:
        conn.execute(delete(PersonNameToken.__table__).where(PersonNameToken.person_id == pid))
        person = db.session.get(Person, pid)
        rows = name_token_rows(person) if person is not None else []
        if rows:
            conn.execute(insert(PersonNameToken.__table__), rows)
    for d in found:
        if d.what.startswith("Assessment."):
            a = db.session.get(Assessment, d.row_id)
            setattr(a, d.what.removeprefix("Assessment."), d.expected)
    db.session.flush()
