"""Small-cell suppression for anonymised figures: no group under 5 persons can be read or solved.

Pure functions. The figures are lines of counts (one quarter of the levekårsindeks: persons per
index) shown with their total; no other sums are shown, so each line is its own linear system:
the hidden cells add up to the total minus the shown cells, and nothing else ties them.

The rule (`suppress_counts`):

1. A total under 5 hides the whole line, total included.
2. Every cell under 5 is hidden, an empty one too: a shown 0 beside a shown total says that
   everyone is in the other groups (all but one group 0 is everyone's index).
3. While a line has hidden cells, at least two are hidden and together they hold at least 5
   persons; otherwise one more shown cell is hidden (complementary suppression).
4. Every hidden cell, whatever the reason, carries the same label (HIDDEN): the label says
   nothing about the value.

What it guarantees. Someone who solves the published numbers (shown cells, totals, cells
nonnegative integers) finds that each hidden cell can be any value from 0 to the hidden sum,
which is at least 5: no hidden cell is determined, none is known to be under 5 and none known
to be nonempty. With two labels (a small cell and its complement) the reader knew which cell
was small and which was at least 5, and could often pin both.

Which shown cell becomes the complement matters to someone who also knows this rule and
replays it over the candidate tables: "the smallest shown cell" bounds the complement by the
smallest cell left shown and pins values (two hidden 4s beside a shown 5 are exactly 4 and 4,
since a complement there could only have been 5 or more and at most 5). So the complement is
the first shown cell in an order the reader cannot know, derived from a secret key and the
line's identity (`complement_order`): the same line always hides the same cells, so repeated
exports agree, and replaying the rule under every possible order leaves each hidden cell at
least two values and never only values under 5 (tests/domain/test_suppression.py solves for
it). Rotating the key changes which cells are hidden in lines already published; two exports
from either side of a rotation can then be combined.

Totals are exact, not rounded: with the rule above an exact total discloses only the hidden
cells' sum, which is at least 5 and spread over at least two cells; rounding it would make
lines that hide nothing stop adding up without protecting anyone.
"""
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence

MIN_GROUP = 5
HIDDEN = "skjult"
HIDDEN_NOTE = ("Der det står «skjult», er tallet skjult for å verne enkeltpersoner: grupper "
               "med færre enn 5 personer vises ikke, og heller ikke tall som de ellers kunne "
               "regnes ut fra. Alle skjulte tall er merket likt, uansett grunn.")


def mean_or_none(values: Iterable[float], min_group: int = MIN_GROUP) -> float | None:
    """The mean of one value per person, or None when fewer than `min_group` persons."""
    values = list(values)
    if len(values) < min_group:
        return None
    return round(sum(values) / len(values), 2)


def complement_order(key: bytes, line: str, keys: Iterable[str]) -> list[str]:
    """`keys` in an order fixed by `key` and `line` that no one without the key can know."""
    def rank(k: str) -> bytes:
        return hmac.new(key, f"{line}\x1f{k}".encode(), hashlib.sha256).digest()
    return sorted(keys, key=rank)


def suppress_counts(counts: Mapping[str, int], order: Sequence[str] | None = None,
                    min_group: int = MIN_GROUP) -> tuple[dict[str, int | str], int | str]:
    """(cells, total) with the rule of the module docstring: cells under `min_group` (zero
    included) become HIDDEN, then shown cells in `order` (default: the counts' own order) become
    HIDDEN until at least two are hidden and they hold at least `min_group` persons together. A
    total under `min_group` makes every cell and the total HIDDEN."""
    total = sum(counts.values())
    if total < min_group:
        return dict.fromkeys(counts, HIDDEN), HIDDEN
    out: dict[str, int | str] = {k: (v if v >= min_group else HIDDEN) for k, v in counts.items()}
    order = list(order) if order is not None else list(counts)
    if set(order) != set(counts):
        raise ValueError("the complement order must name every cell once")
    while True:
        hidden = [k for k, v in out.items() if v == HIDDEN]
        if not hidden or (len(hidden) >= 2 and sum(counts[k] for k in hidden) >= min_group):
            break
        shown = [k for k in order if out[k] != HIDDEN]
        if not shown:
            break
        out[shown[0]] = HIDDEN
    return out, total
