"""IP follow-up figures for a team and period (Oslostandard tiltak 11; Kommunerevisjonen 12/2020).

Counted over each person's last kartlegging signed within the period: the form's prompt (frozen
at signing), the staff's decision, the offer and the person's answer, the reasons for
declining (grouped by their wording), koordinator offered and kriseplan status. The same
figures per current kontaktperson.
"""
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from ..domain import ip_status
from ..domain.due import start_of_day_utc
from ..domain.instrument_facts import KARTLEGGING
from ..domain.instruments import Registry
from ..domain.rules import Evaluator, is_answered
from ..extensions import db
from ..models import Assessment, ContactAssignment, Person, User

KRISEPLAN_NONE = "ikke_registrert"


@dataclass
class Block:
    assessed: int = 0
    outcome: Counter = field(default_factory=Counter)     # oppfylt / vurder / ikke
    decision: Counter = field(default_factory=Counter)    # ja / nei / None
    status: Counter = field(default_factory=Counter)      # ip_status keys
    offered: int = 0
    accepted: int = 0
    declined: int = 0
    coordinator: Counter = field(default_factory=Counter)  # ja / nei / None
    kriseplan: Counter = field(default_factory=Counter)    # option value or KRISEPLAN_NONE


@dataclass
class Figures:
    start: date
    end: date
    team: Block
    per_contact: list[tuple[int | None, str, Block]]
    reasons: list[tuple[str, int]]


def _value(ev: Evaluator, item_id: str):
    if item_id not in ev.instrument.items:
        return None
    v = ev.value(item_id)
    return v if is_answered(v) else None


def normalise_reason(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").strip().lower()).rstrip(".!")


def compute(team_id: int, start: date, end: date, registry: Registry) -> Figures:
    """Figures over the persons of the team whose last kartlegging signed within [start, end]
    (Oslo dates, both inclusive)."""
    lo, hi = start_of_day_utc(start), start_of_day_utc(end + timedelta(days=1))
    a = Assessment
    ranked = (select(a.id, a.person_id, func.row_number().over(
        partition_by=a.person_id, order_by=[a.signed_at.desc(), a.id.desc()]).label("rn"))
        .join(Person, Person.id == a.person_id)
        .where(Person.team_id == team_id, a.instrument_key == KARTLEGGING,
               a.status == "signed", a.signed_at >= lo, a.signed_at < hi)).subquery()
    contact = aliased(ContactAssignment)
    rows = db.session.execute(
        select(a, User.id, User.name)
        .join(ranked, and_(ranked.c.id == a.id, ranked.c.rn == 1))
        .outerjoin(contact, and_(contact.person_id == a.person_id, contact.ended_at.is_(None)))
        .outerjoin(User, User.id == contact.user_id)).all()

    team = Block()
    per: dict[int | None, tuple[str, Block]] = {}
    reasons: dict[str, list] = {}
    for assessment, contact_id, contact_name in rows:
        inst = registry.get(assessment.instrument_key, assessment.instrument_version)
        ev = Evaluator(inst, assessment.answers)
        block = per.setdefault(contact_id, (contact_name or "Ingen kontaktperson", Block()))[1]
        key = ip_status.status_key(True, assessment.ip_outcome, assessment.ip_decision,
                                   assessment.ip_answer)
        offered = _value(ev, "ip_tilbudt") == "ja"
        for b in (team, block):
            b.assessed += 1
            b.outcome[assessment.ip_outcome] += 1
            b.decision[assessment.ip_decision] += 1
            b.status[key] += 1
            b.offered += offered
            b.accepted += key == ip_status.ACCEPTED
            b.declined += key == ip_status.DECLINED
            b.coordinator[_value(ev, "koordinator_tilbudt")] += 1
            b.kriseplan[_value(ev, "kriseplan_status") or KRISEPLAN_NONE] += 1
        if key == ip_status.DECLINED:
            text = _value(ev, "ip_avslag_grunn") or "Ingen grunn oppgitt"
            entry = reasons.setdefault(normalise_reason(text), [text.strip(), 0])
            entry[1] += 1
    grouped = sorted(((t, n) for t, n in reasons.values()), key=lambda r: (-r[1], r[0]))
    per_contact = sorted(((cid, name, b) for cid, (name, b) in per.items()),
                         key=lambda r: r[1])
    return Figures(start=start, end=end, team=team, per_contact=per_contact, reasons=grouped)


def labels(registry: Registry) -> dict:
    """Words for the figures, from the latest kartlegging instrument."""
    inst = registry.latest(KARTLEGGING)
    spec = next((d for d in inst.derived if d["id"] == "ip"), {})
    kp = inst.items.get("kriseplan_status")
    return {
        "outcome": {o["id"]: ip_status.outcome_heading(o) for o in spec.get("outcomes", [])},
        "status": ip_status.status_words(inst),
        "kriseplan": {**({o.value: o.label for o in kp.options} if kp else {}),
                      KRISEPLAN_NONE: "Ikke registrert"},
    }
