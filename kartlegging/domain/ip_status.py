"""IP status of signed kartlegginger in words, from the frozen columns and the instrument file."""
from dataclasses import dataclass

from .instruments import Registry
from .rules import Evaluator


@dataclass
class IpStatus:
    signed_at: object
    prompt: str          # what the form suggested at signing
    decision: str        # the staff's assessment (vår vurdering)
    answer: str | None   # the person's answer to the offer, if any


def describe(a, registry: Registry) -> IpStatus:
    """`a` is a signed assessment (its frozen ip_* columns and instrument key/version)."""
    inst = registry.get(a.instrument_key, a.instrument_version)
    spec = next((d for d in inst.derived if d["id"] == "ip"), {})
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
