"""Small-number suppression: counts 1..N-1 hidden, totals from the true counts, secondary
suppression so that no hidden cell can be worked out, optional rounding."""

import itertools
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.suppression import (
    PRIMARY,
    SECONDARY,
    Rule,
    average,
    percentage,
    suppress_column,
    suppress_each,
    suppress_grid,
)

RULE = Rule(threshold=5)


def shown(cells):
    return [str(c) for c in cells]


def test_small_counts_read_fewer_than_five_and_one_more_is_hidden_so_they_cannot_be_subtracted():
    cells, total = suppress_column([3, 10, 12], RULE)
    assert shown(cells) == ["fewer than 5", "[c]", "12"]
    assert str(total) == "25"  # computed from the true counts


def test_nothing_is_hidden_when_every_count_is_zero_or_at_least_the_threshold():
    cells, total = suppress_column([0, 7, 5], RULE)
    assert shown(cells) == ["0", "7", "5"] and str(total) == "12"


def test_a_small_total_is_hidden_too():
    cells, total = suppress_column([2, 1, 0], RULE)
    assert str(total) == "fewer than 5"
    assert shown(cells) == ["fewer than 5", "fewer than 5", "0"]


def test_two_ones_beside_a_published_total_get_a_third_cell_hidden():
    # 1 + 1 = 20 - 18: "fewer than 5" twice summing to 2 would give both away.
    cells, total = suppress_column([1, 1, 18], RULE)
    assert [c.hidden for c in cells] == [PRIMARY, PRIMARY, SECONDARY]
    assert str(total) == "20"


def test_in_a_two_way_table_rows_and_columns_are_protected():
    grid = suppress_grid([[2, 9, 8], [7, 6, 11]], RULE)
    hidden = [[c.hidden for c in row] for row in grid.cells]
    assert hidden[0][0] == PRIMARY
    # its row and its column each hide one more
    assert sum(1 for c in hidden[0] if c) >= 2
    assert sum(1 for row in hidden if row[0]) >= 2


def test_rounding_to_the_nearest_five_applies_to_what_is_published():
    cells, total = suppress_column([12, 18, 0], Rule(threshold=5, round_to=5))
    assert shown(cells) == ["10", "20", "0"] and str(total) == "30"


def test_counts_that_do_not_add_up_are_suppressed_each_on_its_own():
    assert shown(suppress_each([4, 5, 0], RULE)) == ["fewer than 5", "5", "0"]


def test_no_percentage_or_average_on_a_small_base():
    cells, total = suppress_column([6, 0], RULE)
    assert percentage(cells[0], total, RULE) == "100%"
    small, small_total = suppress_column([3, 1], RULE)
    assert percentage(small[0], small_total, RULE) == ""
    assert average(30, 4, RULE) == "" and average(30, 5, RULE) == "6.0"


def test_the_rule_is_stated():
    assert "fewer than 5" in Rule().describe()
    assert "rounded to the nearest 5" in Rule(round_to=5).describe()


# --- property-based: nothing hidden can be recovered ------------------------------------------


def _rank(rows):
    rows = [[Fraction(v) for v in row] for row in rows if any(row)]
    rank, ncols = 0, len(rows[0]) if rows else 0
    for c in range(ncols):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][c]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][c]:
                f = rows[r][c] / rows[rank][c]
                rows[r] = [a - f * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def _published_system(matrix, grid):
    """Every cell with its published value (None if hidden) and the table's sum equations."""
    nrows, ncols = len(matrix), len(matrix[0])
    cells = {}
    for i in range(nrows):
        for j in range(ncols):
            cells[("c", i, j)] = grid.cells[i][j]
    equations = []
    if ncols > 1:
        for i in range(nrows):
            cells[("r", i)] = grid.row_totals[i]
            equations.append({**{("c", i, j): 1 for j in range(ncols)}, ("r", i): -1})
    if nrows > 1:
        for j in range(ncols):
            cells[("k", j)] = grid.column_totals[j]
            equations.append({**{("c", i, j): 1 for i in range(nrows)}, ("k", j): -1})
    cells["t"] = grid.total
    if ncols > 1:
        equations.append({**{("r", i): 1 for i in range(nrows)}, "t": -1})
    if nrows > 1:
        equations.append({**{("k", j): 1 for j in range(ncols)}, "t": -1})
    return cells, equations


def _recoverable_by_subtraction(cells, equations):
    """Hidden cells whose value is a linear combination of published ones: the unit vector of
    the cell lies in the row space of the equations restricted to hidden cells."""
    hidden = [key for key, cell in cells.items() if cell.is_hidden]
    rows = [[eq.get(h, 0) for h in hidden] for eq in equations]
    base = _rank(rows) if any(any(r) for r in rows) else 0
    found = []
    for n, h in enumerate(hidden):
        unit = [1 if m == n else 0 for m in range(len(hidden))]
        if (_rank([*rows, unit]) if any(any(r) for r in rows) else 1) == base:
            found.append(h)
    return found


tables = (
    st.integers(min_value=1, max_value=4)
    .flatmap(
        lambda nrows: st.integers(min_value=1, max_value=4).flatmap(
            lambda ncols: st.lists(
                st.lists(st.one_of(st.integers(0, 6), st.integers(0, 40)), min_size=ncols, max_size=ncols),
                min_size=nrows,
                max_size=nrows,
            )
        )
    )
    .filter(lambda m: len(m) * len(m[0]) > 1)
)


@settings(max_examples=200, deadline=None)
@given(tables, st.integers(min_value=3, max_value=10))
def test_no_hidden_cell_can_be_recovered_by_subtraction(matrix, threshold):
    rule = Rule(threshold=threshold)
    grid = suppress_grid(matrix, rule)
    cells, equations = _published_system(matrix, grid)
    for key, cell in cells.items():
        true = {"t": sum(map(sum, matrix))}.get(key)
        if cell.is_hidden:
            continue
        if true is not None:
            assert cell.value == true  # totals are the true totals
        assert not (0 < cell.value < threshold), "a small count was published"
    assert _recoverable_by_subtraction(cells, equations) == []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 14), min_size=2, max_size=5))
def test_in_a_list_with_its_total_every_hidden_cell_could_be_at_least_two_values(values):
    """Brute force: every filling of the hidden cells that agrees with what is published (the
    total, the other cells, and what the markers say) leaves each hidden cell two values or more."""
    cells, total = suppress_column(values, RULE)
    hidden = [k for k, c in enumerate(cells) if c.is_hidden]
    if not hidden or total.is_hidden:
        return
    rest = total.value - sum(c.value for c in cells if not c.is_hidden)
    ranges = [range(1, 5) if cells[k].hidden == PRIMARY else range(5, rest + 1) for k in hidden]
    seen = [set() for _ in hidden]
    for filling in itertools.product(*ranges):
        if sum(filling) == rest:
            for n, v in enumerate(filling):
                seen[n].add(v)
    assert all(len(s) >= 2 for s in seen), (values, shown(cells), str(total))
