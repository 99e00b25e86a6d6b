"""Small-cell suppression for anonymised figures: no group under 5 persons is shown.

Pure functions. A cell under the threshold is replaced by LOW ("færre enn 5"). When a row of
counts is shown with its total, hiding one cell alone would let it be computed by subtraction,
so shown cells are hidden as well (HIDDEN: complementary suppression) until at least two cells
are hidden and together they hold none or at least 5 persons. A total under the threshold
hides the whole row, total included.
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

    While the total is shown, the hidden cells must not be computable by subtraction: if only
    one cell is hidden, or the hidden cells together hold between 1 and `min_group` - 1
    persons (a small group again), the smallest shown cell becomes HIDDEN too. A total under
    `min_group` makes every cell and the total LOW.
    """
    total = sum(counts.values())
    if total < min_group:
        return {k: LOW for k in counts}, LOW
    out: dict[str, int | str] = {k: (v if v >= min_group else LOW) for k, v in counts.items()}

    def hidden():
        return [k for k, v in out.items() if not isinstance(v, int)]

    while hidden():
        rest = sum(counts[k] for k in hidden())
        if len(hidden()) > 1 and (rest == 0 or rest >= min_group):
            break
        shown = sorted((v, k) for k, v in out.items() if isinstance(v, int))
        if not shown:
            break
        out[shown[0][1]] = HIDDEN
    return out, total
