"""Facts about the instruments of this service: which key is which, and what a form's definition
says about the record it makes (asked by drafts, the journal, the lead's views and FHIR alike).
"""
from datetime import date, datetime

from .due import local_date
from .instrument_types import Instrument

# The Alna kartlegging: its signings set each person's next evaluation (Person.due_order).
KARTLEGGING = "alna-kartlegging"
# The person's own livskvalitet rating: its newest completed mean sets Person.quality_order.
LIVSKVALITET = "livskvalitet"
# The self-rating is taken within a kartlegging (hand-over), never started by staff on its own.
NOT_STARTED_BY_STAFF = (LIVSKVALITET,)


def coordinator_applies(inst: Instrument) -> bool:
    """The form prompts for an individuell plan or a koordinator (derived `ip`, or a reminder
    ended by a koordinator): the koordinator on record belongs to its journal note and export."""
    return any(d["id"] == "ip" or (d.get("reminder") or {}).get("unless") == "koordinator"
               for d in inst.derived)


def takes_selfrating(inst: Instrument) -> bool:
    """The form embeds the person's own livskvalitet rating (hand-over, ratings in the PDF)."""
    return any(s.embed == LIVSKVALITET for s in inst.sections)


def reference_day(signed_at: datetime | None, today: date) -> date:
    """The day date rules count from: the Oslo signing day of a signed record (`signed_at` in
    naive UTC, as stored), else `today`."""
    return local_date(signed_at) if signed_at else today
