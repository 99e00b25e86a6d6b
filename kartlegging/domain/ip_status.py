"""IP status of signed kartlegginger in words, from the frozen columns and the instrument file."""
import re
from dataclasses import dataclass

from .instruments import Registry
from .rules import Evaluator


@dataclass
class IpStatus:
    signed_at: object
    prompt: str          # what the form suggested at signing
    decision: str        # the staff's assessment (vår vurdering)
    answer: str | None   # the person's answer to the offer, if any


def _spec(inst) -> dict:
    return next((d for d in inst.derived if d["id"] == "ip"), {})


def describe(a, registry: Registry) -> IpStatus:
    """`a` is a signed assessment (its frozen ip_* columns and instrument key/version)."""
    inst = registry.get(a.instrument_key, a.instrument_version)
    spec = _spec(inst)
    ev = Evaluator(inst, a.answers or {})
    # An outcome text may name an answer ("… (fra {answer})"): filled from the signed answers.
    outcomes = {o["id"]: ev.text(o) for o in spec.get("outcomes", [])}
    record = spec.get("record", {})

    def label(kind, value):
        item = inst.items.get(record.get(kind, ""))
        return item.option_label(value) if item and value else None

    return IpStatus(signed_at=a.signed_at, prompt=outcomes.get(a.ip_outcome, "–"),
                    decision=label("decision", a.ip_decision) or "Ikke vurdert",
                    answer=label("answer", a.ip_answer))


# One status per person from the last signed kartlegging's frozen columns, in the order of the
# follow-up chain. The same rule is written as SQL in kartlegging/lead/overview.py.
NOT_ASSESSED = "ikke_vurdert"
PROMPT_MET = "forslag_oppfylt"     # the form suggested IP, but no assessment was recorded
ASSESSED_NO = "vurdert_nei"
NOT_OFFERED = "vurdert_ja"         # assessed yes, no offer recorded
HAS_PLAN = "har_ip"                # assessed yes, and the person already has a plan
OFFERED = "tilbudt"                # offered, no answer yet
ACCEPTED = "takket_ja"
DECLINED = "takket_nei"
STATUSES = (NOT_ASSESSED, PROMPT_MET, ASSESSED_NO, NOT_OFFERED, HAS_PLAN, OFFERED, ACCEPTED,
            DECLINED)
MET_OUTCOME = "oppfylt"
# The outcome a form gives when the person already has a plan (Alna v3): no offer is asked for
# then, so «ikke tilbudt» would be wrong for them.
HAS_PLAN_OUTCOME = "har_ip"


def status_key(signed: bool, outcome: str | None, decision: str | None,
               answer: str | None) -> str:
    if not signed or (decision is None and outcome != MET_OUTCOME):
        return NOT_ASSESSED
    if decision is None:
        return PROMPT_MET
    if decision != "ja":
        return ASSESSED_NO
    if answer is None:
        return HAS_PLAN if outcome == HAS_PLAN_OUTCOME else NOT_OFFERED
    return {"takket_ja": ACCEPTED, "takket_nei": DECLINED}.get(answer, OFFERED)


_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_PLACEHOLDER_PART = re.compile(r"\s*\([^()]*\{[a-z_]+\}[^()]*\)")


def outcome_heading(outcome: dict) -> str:
    """An outcome's text where no single form's answers fill it (counts over many persons): a
    part in brackets that names an answer («(fra {answer})») is left out; a text that still
    names one falls back to its `text_unanswered` or, failing that, loses the placeholder."""
    text = _PLACEHOLDER_PART.sub("", outcome["text"])
    if _PLACEHOLDER.search(text):
        text = outcome.get("text_unanswered") or _PLACEHOLDER.sub("", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def status_words(inst) -> dict[str, str]:
    """Each status in the instrument's own words (its outcome texts and option labels)."""
    spec = _spec(inst)
    record = spec.get("record", {})
    outcomes = {o["id"]: outcome_heading(o) for o in spec.get("outcomes", [])}
    decision = inst.items.get(record.get("decision", ""))
    answer = inst.items.get(record.get("answer", ""))

    def opt(item, value, fallback):
        return (item.option_label(value) if item else None) or fallback

    met = outcomes.get(MET_OUTCOME, "Vilkårene ser ut til å være oppfylt")
    return {
        NOT_ASSESSED: "Ikke vurdert",
        PROMPT_MET: f"{met} – ikke vurdert",
        ASSESSED_NO: f"Vår vurdering: {opt(decision, 'nei', 'Nei').lower()}",
        NOT_OFFERED: f"Vår vurdering: {opt(decision, 'ja', 'Ja').lower()}, ikke tilbudt",
        HAS_PLAN: f"Vår vurdering: {opt(decision, 'ja', 'Ja').lower()}, har individuell plan",
        OFFERED: f"Tilbudt – {opt(answer, 'ikke_svart', 'Ikke svart ennå').lower()}",
        ACCEPTED: opt(answer, "takket_ja", "Takket ja"),
        DECLINED: opt(answer, "takket_nei", "Takket nei"),
    }
