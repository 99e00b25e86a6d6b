"""Small-cell suppression: no group under 5 is shown, and no hidden cell can be solved for.

The trends show lines of counts (a quarter of the levekårsindeks) with their totals and no
other sums, so a table of any size is a set of independent lines: a table exposes a cell
exactly when one of its lines does, and solving every line of 2–5 cells covers every table of
that many rows (2x2, 2x3, 3x3, … quarters side by side).
"""
from collections import defaultdict
from itertools import permutations, product

import pytest

from kartlegging.domain.suppression import (
    HIDDEN,
    MIN_GROUP,
    complement_order,
    mean_or_none,
    suppress_counts,
)

SMALL_WORDS = "færre enn 5"
KEYS = "abcde"


def test_mean_needs_five_persons():
    assert mean_or_none([4, 5, 6, 7]) is None
    assert mean_or_none([1, 2, 3, 4, 5]) == 3.0
    assert mean_or_none([]) is None


def test_no_small_cells_nothing_hidden():
    cells, total = suppress_counts({"a": 5, "b": 9})
    assert cells == {"a": 5, "b": 9} and total == 14


def test_one_label_whatever_the_reason():
    # rød is small, gul its complement (first shown in the order): both read the same
    cells, total = suppress_counts({"gronn": 12, "gul": 7, "rod": 3, "blalys": 6},
                                   order=["gul", "gronn", "rod", "blalys"])
    assert cells == {"gronn": 12, "gul": HIDDEN, "rod": HIDDEN, "blalys": 6} and total == 28
    assert SMALL_WORDS not in HIDDEN


def test_the_example_of_the_report_is_no_longer_solvable():
    # 5, 5 and 2 of 12: the 2 was «færre enn 5» and the smallest 5 «skjult», so 12 - 5 - 5 = 2
    cells, total = suppress_counts({"a": 5, "b": 5, "c": 2})
    assert total == 12 and list(cells.values()).count(HIDDEN) == 2
    assert set(solve(cells, total)["c"]) == set(range(0, 8))


def test_empty_groups_are_hidden_and_complemented():
    # a shown 0 beside 9 of 9 would tell everyone's index
    cells, total = suppress_counts({"gronn": 9, "gul": 0, "rod": 0})
    assert cells == dict.fromkeys(("gronn", "gul", "rod"), HIDDEN) and total == 9


def test_hidden_cells_holding_a_small_group_take_a_shown_cell_with_them():
    cells, total = suppress_counts({"gronn": 6, "gul": 7, "rod": 1, "blalys": 1},
                                   order=["gul", "gronn", "rod", "blalys"])
    assert cells == {"gronn": 6, "gul": HIDDEN, "rod": HIDDEN, "blalys": HIDDEN}
    # two small cells that hold 5 or more together need no complement
    cells, _ = suppress_counts({"gronn": 9, "gul": 3, "rod": 2})
    assert cells == {"gronn": 9, "gul": HIDDEN, "rod": HIDDEN}


def test_total_under_five_hides_everything():
    cells, total = suppress_counts({"gronn": 2, "gul": 2})
    assert total == HIDDEN and set(cells.values()) == {HIDDEN}


def test_complement_order_is_fixed_by_key_and_line():
    keys = ["gronn", "gul", "rod", "blalys", "ikke_vurdert"]
    one = complement_order(b"k", "team 1, 2026-1", keys)
    assert sorted(one) == sorted(keys)
    assert complement_order(b"k", "team 1, 2026-1", reversed(keys)) == one
    others = {tuple(complement_order(b"k", f"team 1, 2026-{q}", keys)) for q in range(2, 9)}
    others |= {tuple(complement_order(b"other key", "team 1, 2026-1", keys))}
    assert others - {tuple(one)}
    with pytest.raises(ValueError):
        suppress_counts({"a": 1, "b": 9}, order=["a"])


# --------------------------------------------------------------- solving for hidden cells

def _label_range(label, cap):
    """What a hidden cell's label tells the reader: «færre enn 5» bounds it, else nothing."""
    top = min(cap, MIN_GROUP - 1) if SMALL_WORDS in str(label) else cap
    return range(0, top + 1)


def _reachable(ranges):
    """Every sum that cells with these ranges can make, built cell by cell."""
    sums = {0}
    for r in ranges:
        sums = {s + v for s in sums for v in r}
    return sums


def solve(cells, total):
    """Every value each hidden cell takes over all nonnegative integer lines consistent with
    what is shown: the shown cells, the total (when shown: the hidden cells add up to the rest;
    when hidden, the page says the line holds fewer than 5) and what the labels say. A value is
    possible when the other hidden cells can make up the rest."""
    shown = {k: v for k, v in cells.items() if isinstance(v, int)}
    hidden = [k for k in cells if k not in shown]
    rest = total - sum(shown.values()) if isinstance(total, int) else None
    cap = rest if rest is not None else MIN_GROUP - 1
    ranges = {k: _label_range(cells[k], cap) for k in hidden}
    values = {}
    for k in hidden:
        others = _reachable(r for j, r in ranges.items() if j != k)
        if rest is not None:
            values[k] = {v for v in ranges[k] if rest - v in others}
        else:
            values[k] = {v for v in ranges[k] if any(v + s < MIN_GROUP for s in others)}
    return values


def solve_by_enumeration(cells, total):
    """The same by listing every candidate line (slow; checks `solve` on small lines)."""
    shown = {k: v for k, v in cells.items() if isinstance(v, int)}
    hidden = [k for k in cells if k not in shown]
    rest = total - sum(shown.values()) if isinstance(total, int) else None
    cap = rest if rest is not None else MIN_GROUP - 1
    values = {k: set() for k in hidden}
    for combo in product(*(_label_range(cells[k], cap) for k in hidden)):
        if sum(combo) != rest if rest is not None else sum(combo) >= MIN_GROUP:
            continue
        for k, v in zip(hidden, combo):
            values[k].add(v)
    return values


def exposures(values, total):
    """Hidden cells whose possible values pin them (one value), or that are known to be under
    5 (every value small) or known to be nonempty (0 impossible) while the total is shown."""
    out = []
    for k, vals in values.items():
        if len(vals) < 2:
            out.append((k, sorted(vals), "determined"))
        elif isinstance(total, int) and max(vals) < MIN_GROUP:
            out.append((k, sorted(vals), "known to be under 5"))
        elif isinstance(total, int) and 0 not in vals:
            out.append((k, sorted(vals), "known to be nonempty"))
    return out


def test_shown_cells_are_exact_and_never_small():
    for n in (1, 2, 3, 4, 5):
        for row in product(range(0, 9), repeat=n):
            counts = dict(zip(KEYS, row))
            cells, total = suppress_counts(counts)
            assert total == sum(row) or total == HIDDEN
            for k, v in cells.items():
                assert v == HIDDEN or (v == counts[k] and v >= MIN_GROUP), (row, cells)
            if counts and min(row) < MIN_GROUP:
                assert counts[min(counts, key=counts.get)] < MIN_GROUP
                assert all(cells[k] == HIDDEN for k in counts if counts[k] < MIN_GROUP)


def test_the_solver_finds_what_listing_every_line_finds():
    for labels in product((HIDDEN, SMALL_WORDS, 5, 9), repeat=3):
        cells = dict(zip(KEYS, labels))
        for total in (HIDDEN, 14, 19, 23):
            assert solve(cells, total) == solve_by_enumeration(cells, total), (cells, total)


def test_no_hidden_cell_can_be_solved_from_what_is_shown():
    """Exhaustively over every line of 2–5 cells with 0..7 persons each (every 2x2 … 5x5
    table), in every complement order (five of them for 5 cells): solve the line as shown."""
    found, solved = [], {}
    for n in (2, 3, 4, 5):
        orders = list(permutations(KEYS[:n])) if n <= 4 else [
            KEYS[i:] + KEYS[:i] for i in range(n)]
        for row in product(range(0, 8), repeat=n):
            counts = dict(zip(KEYS, row))
            for order in orders:
                cells, total = suppress_counts(counts, order=order)
                seen = (tuple(cells.items()), total)
                if seen not in solved:
                    solved[seen] = exposures(solve(cells, total), total)
                found += [(row, order, *seen, *e) for e in solved[seen]]
    assert not found, (len(found), found[:5])


@pytest.mark.parametrize(("n", "top"), [(2, 14), (3, 12), (4, 9)])
def test_replaying_the_rule_without_the_key_pins_nothing(n, top):
    """Someone who knows this rule but not the key replays it over every candidate line and
    every complement order and keeps those that give what was shown. Lines of up to `top` - 1
    persons are complete (every candidate with that total has cells below `top`)."""
    keys = KEYS[:n]
    orders = list(permutations(keys))
    candidates = defaultdict(lambda: defaultdict(set))
    for row in product(range(0, top), repeat=n):
        counts = dict(zip(keys, row))
        for order in orders:
            cells, total = suppress_counts(counts, order=order)
            seen = (tuple(cells.items()), total)
            for k in keys:
                candidates[seen][k].add(counts[k])
    found = []
    for (cells, total), by_key in candidates.items():
        if isinstance(total, int) and total >= top:
            continue
        hidden = {k: by_key[k] for k, v in cells if v == HIDDEN}
        found += [(cells, total, *e) for e in exposures(hidden, total)]
    assert not found, (len(found), found[:5])
