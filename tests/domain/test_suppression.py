"""Small-cell suppression: no group under 5 is shown, and no hidden cell can be computed."""
from itertools import product

from kartlegging.domain.suppression import HIDDEN, LOW, mean_or_none, suppress_counts


def test_mean_needs_five_persons():
    assert mean_or_none([4, 5, 6, 7]) is None
    assert mean_or_none([1, 2, 3, 4, 5]) == 3.0
    assert mean_or_none([]) is None


def test_cells_under_five_say_so_and_larger_ones_are_shown():
    cells, total = suppress_counts({"gronn": 12, "gul": 7, "rod": 5, "blalys": 0, "x": 0})
    assert total == 24
    assert cells == {"gronn": 12, "gul": 7, "rod": 5, "blalys": LOW, "x": LOW}


def test_a_single_small_cell_takes_the_smallest_shown_cell_with_it():
    cells, total = suppress_counts({"gronn": 12, "gul": 7, "rod": 3, "blalys": 6})
    assert cells == {"gronn": 12, "gul": 7, "rod": LOW, "blalys": HIDDEN}
    assert total == 28


def test_hidden_cells_that_hold_a_small_group_take_a_shown_cell_with_them():
    # gul + rød = 3 persons: 'not green' would be a group of 3, so grønn is hidden too
    cells, total = suppress_counts({"gronn": 6, "gul": 2, "rod": 1, "blalys": 0})
    assert cells == {"gronn": HIDDEN, "gul": LOW, "rod": LOW, "blalys": LOW}
    assert total == 9
    # hidden cells that are all zero say nothing about anyone
    cells, total = suppress_counts({"gronn": 9, "gul": 0, "rod": 0})
    assert cells == {"gronn": 9, "gul": LOW, "rod": LOW} and total == 9


def test_total_under_five_hides_everything():
    cells, total = suppress_counts({"gronn": 2, "gul": 2})
    assert total == LOW and set(cells.values()) == {LOW}


def test_no_small_cells_nothing_hidden():
    cells, total = suppress_counts({"a": 5, "b": 9})
    assert cells == {"a": 5, "b": 9} and total == 14


def test_every_small_row_is_safe():
    """Exhaustively over small rows: no shown cell under 5, and never exactly one hidden cell
    next to a shown total (which would be total minus the shown cells)."""
    for row in product(range(0, 9), repeat=4):
        counts = dict(zip("abcd", row))
        cells, total = suppress_counts(counts)
        shown = {k: v for k, v in cells.items() if isinstance(v, int)}
        assert all(v >= 5 for v in shown.values()), (row, cells)
        assert all(v == counts[k] for k, v in shown.items())
        hidden = [k for k in cells if k not in shown]
        if isinstance(total, int):
            assert total == sum(row)
            assert len(hidden) != 1, (row, cells)
            if hidden:
                # the hidden cells' sum is known (total minus the shown cells), so there are
                # at least two of them and together they are no small group
                rest = total - sum(shown.values())
                assert rest == sum(counts[k] for k in hidden)
                assert rest == 0 or rest >= 5, (row, cells)
        else:
            assert not shown
        assert all(cells[k] == LOW for k in counts if counts[k] < 5)
