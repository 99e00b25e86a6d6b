"""Signed records and completed ratings without going through the signing of a PDF (tests and
the bench make thousands): the columns are those journal.signing.sign and
livskvalitet.ratings.complete write, from the same writers, so `flask derived check` finds them
as it finds a real signing."""
from datetime import datetime

from ..domain.due import local_date
from ..domain.instrument_types import Instrument
from ..domain.rules import frozen_ip, rating_mean


def signed_columns(inst: Instrument, answers: dict, signed_at: datetime, by_id: int) -> dict:
    """A signing at `signed_at` (naive UTC) by `by_id`, but the PDF and its hash: the IP
    columns frozen as of the Oslo signing day, as signing freezes them."""
    return {"status": "signed", "signed_at": signed_at, "signed_by_id": by_id,
            **frozen_ip(inst, answers, local_date(signed_at))}


def completed_columns(inst: Instrument, answers: dict, completed_at: datetime) -> dict:
    """A rating completed at `completed_at`, its mean frozen as completing freezes it."""
    return {"completed_at": completed_at, "score": rating_mean(inst, answers)}
