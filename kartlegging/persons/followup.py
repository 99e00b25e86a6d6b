"""What is due and what is missing for one person (shown at the top of the person page)."""
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..domain import consent_rules
from ..domain import due as due_rule
from ..domain.rules import evaluate

CONSENT_WARNING_DAYS = 30


@dataclass
class Followup:
    due: due_rule.Due
    missing: list[str] = field(default_factory=list)


def followup(*, last_signed, assessments, instrument_of, coordinator, consents, today: date,
             interval_days: int, consent_labels=None) -> Followup:
    """`last_signed`: the person's last signed kartlegging (Person.last_signing, the stored
    value the team lead's lists also count from; a correction's signing counts).
    `assessments` newest first (drafts.for_person); the kriseplan is read from the newest
    kartlegging, draft or signed."""
    result = Followup(due=due_rule.due(last_signed, today, interval_days))
    if coordinator is None:
        result.missing.append("Ingen koordinator er registrert.")
    soon = today + timedelta(days=CONSENT_WARNING_DAYS)
    for c in consents:
        if (consent_rules.status(c, today) == "i_kraft" and c.valid_until is not None
                and c.valid_until <= soon):
            who = c.party_name or (consent_labels or {}).get(c.party_kind, c.party_kind)
            result.missing.append(f"Samtykket til {who} utløper "
                                  f"{c.valid_until.strftime('%d.%m.%Y')}.")
    newest = assessments[0] if assessments else None
    if newest is not None:
        inst = instrument_of(newest)
        if any(d["id"] == "kriseplan" for d in inst.derived):
            outcome = evaluate(inst, newest.answers).derived["kriseplan"].outcome
            if outcome == "trengs":
                result.missing.append("Personen er i en overgang, og kriseplanen er ikke "
                                      "laget eller oppdatert.")
            elif outcome == "sjekk_oppdatert":
                result.missing.append("Personen er i en overgang: sjekk at kriseplanen er "
                                      "oppdatert etter overgangen.")
    return result
