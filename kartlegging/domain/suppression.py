"""Small-cell suppression for anonymised figures: no group under 5 persons is shown.

Pure functions. A cell under the threshold is replaced by LOW ("færre enn 5"). When a row of
counts is shown with its total, hiding one cell alone would let it be computed by subtraction,
so the smallest shown cell is hidden as well (HIDDEN: complementary suppression). A total under
the threshold hides the whole row, total included.
"""
from collections.abc import Iterable, Mapping

MIN_GROUP = 5
LOW = "færre enn 5"
HIDDEN = "skjult"
HIDDEN_NOTE = ("«skjult»: tallet er skjult fordi et lite tall ellers kunne regnes ut "
               "fra totalen.")


def mean_or_none(values: Iterable[float], min_group: int = MIN_GROUP) -> float | None:
    """The mean of one value per person, or None when fewer than `min_group` persons."""
    values = list(values)
    if len(values) < min_group:
        return None
    return round(sum(values) / len(values), 2)


def suppress_counts(counts: Mapping[str, int], min_group: int = MIN_GROUP
                    ) -> tuple[dict[str, int | str], int | str]:
    """(cells, total): cells under `min_group` (zero included) become LOW.

    If exactly one cell is LOW while the total is shown, the smallest shown cell becomes
    HIDDEN, so that no hidden cell equals the total minus the shown ones. A total under
    `min_group` makes every cell and the total LOW.
    """
    total = sum(counts.values())
    if total < min_group:
        return {k: LOW for k in counts}, LOW
    out: dict[str, int | str] = {k: (v if v >= min_group else LOW) for k, v in counts.items()}
    low = [k for k, v in out.items() if v == LOW]
    if len(low) == 1:
        shown = sorted((v, k) for k, v in out.items() if isinstance(v, int))
        if shown:
            out[shown[0][1]] = HIDDEN
    return out, total
