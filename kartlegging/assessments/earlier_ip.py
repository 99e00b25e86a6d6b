"""What the person's previous signed kartlegging decided about individuell plan, for the next
one's IP prompt (on screen and in the signed PDF). The person may change their mind about a
declined plan at any time, so the next conversation starts from that decline; an accepted offer
means a plan was to be made, so the next one asks whether it has been."""
from sqlalchemy import select

from ..clock import to_oslo
from ..domain.instrument_facts import KARTLEGGING
from ..domain.rules import Evaluator
from ..extensions import db
from ..models import Assessment

DECLINED = "takket_nei"
ACCEPTED = "takket_ja"
# «Har personen individuell plan i dag?»: not carried over as «Nei» after an accepted offer.
PLAN_ITEM = "har_ip"


def previous_signed(a: Assessment) -> Assessment | None:
    """The person's last signed kartlegging before `a`: not `a` itself nor one it corrects (a
    correction restates the same conversation), signed before `a` when `a` is signed."""
    excluded, cur = [], a
    while cur is not None:
        if cur.id is not None:
            excluded.append(cur.id)
        cur = cur.supersedes
    q = (select(Assessment)
         .where(Assessment.person_id == a.person_id, Assessment.instrument_key == KARTLEGGING,
                Assessment.status == "signed", Assessment.id.not_in(excluded))
         .order_by(Assessment.signed_at.desc(), Assessment.id.desc()).limit(1))
    if a.signed_at is not None:
        q = q.where(Assessment.signed_at < a.signed_at)
    return db.session.scalars(q).first()


def _answer(ev: Evaluator, item_id: str):
    return ev.value(item_id) if item_id in ev.instrument.items else None


def accepted_without_plan(prev: Assessment | None) -> bool:
    """The previous signed kartlegging recorded an accepted offer while the person had no plan
    yet: its «Nei» to having a plan is stale, the plan may have been made since."""
    return (prev is not None and prev.ip_answer == ACCEPTED
            and (prev.answers or {}).get(PLAN_ITEM) != "ja")


def earlier_note(a: Assessment, registry) -> str | None:
    """A sentence naming the earlier decline (date, document, reason given or not) or the
    earlier accepted offer, or None when the previous signed kartlegging recorded neither."""
    prev = previous_signed(a)
    if accepted_without_plan(prev):
        day = to_oslo(prev.signed_at).strftime("%d.%m.%Y")
        return (f"Personen takket ja til individuell plan ved forrige kartlegging "
                f"({prev.document_id}, signert {day}). Er planen laget? Svar på «Har personen "
                "individuell plan i dag?» ut fra det.")
    if prev is None or prev.ip_answer != DECLINED:
        return None
    ev = Evaluator(registry.get(prev.instrument_key, prev.instrument_version), prev.answers)
    reason = (_answer(ev, "ip_avslag_grunn") or "").strip()
    if reason:
        why = f"Grunn: «{reason}»."
    elif _answer(ev, "ip_avslag_grunn_oppgitt") == "onsket_ikke":
        why = "Personen ønsket ikke å oppgi grunn."
    else:
        why = "Ingen grunn er registrert."
    day = to_oslo(prev.signed_at).strftime("%d.%m.%Y")
    return (f"Personen takket nei til individuell plan ved forrige kartlegging "
            f"({prev.document_id}, signert {day}). {why} Personen kan når som helst ombestemme "
            "seg: tilby individuell plan på nytt og ta utgangspunkt i samtalen sist.")
