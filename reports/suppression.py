"""Small-number suppression: what makes a table of counts safe to leave the service (R15).

The rule (``Rule``, one per service, from ``pps.Service``):

- A count from 1 to ``threshold - 1`` is not shown: it reads "fewer than N" (primary
  suppression). Zero is shown: it identifies nobody.
- Totals are computed from the true counts, before anything is hidden, and are suppressed by the
  same rule when they are small themselves.
- Secondary suppression: more cells are hidden ("[c]") until no hidden cell can be worked out
  from the published cells of its row, its column or the totals, either exactly (by
  subtraction: any linear combination of published cells) or by narrowing it to a single value
  with what the markers say (a "fewer than N" cell is 1 to N-1, a "[c]" cell is N or more).
  The cells hidden in addition are the smallest non-zero ones of a line that gives a cell away,
  inner cells before totals.
- Optionally every published count is then rounded to the nearest ``round_to`` (5).
- No percentage or average is shown on a base below the threshold, nor one whose part is hidden.

Everything here works on plain integers; nothing is read from the database.
"""

from dataclasses import dataclass, field
from fractions import Fraction

PRIMARY = "primary"
SECONDARY = "secondary"


@dataclass(frozen=True)
class Rule:
    threshold: int = 5
    round_to: int = 0  # 0: no rounding

    @classmethod
    def for_service(cls, service) -> "Rule":
        return cls(threshold=service.statistics_threshold, round_to=5 if service.statistics_rounding else 0)

    def describe(self) -> str:
        text = (
            f"Counts from 1 to {self.threshold - 1} are shown as “fewer than {self.threshold}”; "
            f"“[c]” marks a count hidden so that a small count cannot be worked out from the others "
            f"or the totals. Totals were computed before anything was hidden. No percentage or "
            f"average is given on fewer than {self.threshold}."
        )
        if self.round_to:
            text += f" Every other count is rounded to the nearest {self.round_to}."
        return text

    def short(self) -> str:
        """The rule in one line, for the footer of every table."""
        text = (
            f"Suppression: “fewer than {self.threshold}” is a count from 1 to {self.threshold - 1}; "
            f"“[c]” is hidden so that it cannot be worked out; totals are from the true counts"
        )
        return text + (f"; counts rounded to the nearest {self.round_to}." if self.round_to else ".")

    def as_dict(self) -> dict:
        return {"threshold": self.threshold, "round_to": self.round_to}


@dataclass(frozen=True)
class Cell:
    """One published count: ``value`` is None when hidden, with ``hidden`` saying why."""

    value: int | None
    hidden: str = ""
    threshold: int = 5

    @property
    def is_hidden(self) -> bool:
        return bool(self.hidden)

    def __str__(self) -> str:
        if self.hidden == PRIMARY:
            return f"fewer than {self.threshold}"
        if self.hidden == SECONDARY:
            return "[c]"
        return f"{self.value:,}"

    @property
    def number(self) -> int:
        """The published value, 0 for a hidden cell (for drawing, never for arithmetic)."""
        return self.value or 0


@dataclass
class Grid:
    """A suppressed table: ``cells[i][j]``, ``row_totals[i]``, ``column_totals[j]``, ``total``.

    A one-column table has no row totals (each would repeat its cell); a one-row table has no
    column totals.
    """

    cells: list[list[Cell]]
    row_totals: list[Cell] = field(default_factory=list)
    column_totals: list[Cell] = field(default_factory=list)
    total: Cell | None = None


def _rref_free_pivots(matrix: list[list[Fraction]], ncols: int):
    """Reduced row echelon form: (rows, pivot column of each row)."""
    rows = [row[:] for row in matrix]
    pivots = []
    r = 0
    for c in range(ncols):
        pivot = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        lead = rows[r][c]
        rows[r] = [v / lead for v in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                factor = rows[i][c]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r], strict=True)]
        pivots.append(c)
        r += 1
        if r == len(rows):
            break
    return rows[: len(pivots)], pivots


def linearly_determined(constraints: list[list[int]], hidden: list[int]) -> set[int]:
    """Hidden variables whose value follows from the published ones by linear algebra.

    ``constraints`` are lists of variable indices whose values sum to zero with signs: each is a
    list of (index, coefficient) pairs. A hidden variable is determined when every solution of
    the constraints restricted to the hidden variables has the same value for it, i.e. when it
    is zero in every vector of the null space.
    """
    position = {var: k for k, var in enumerate(hidden)}
    matrix = []
    for constraint in constraints:
        row = [Fraction(0)] * len(hidden)
        for var, coefficient in constraint:
            if var in position:
                row[position[var]] += coefficient
        if any(row):
            matrix.append(row)
    if not matrix:
        return set()
    rows, pivots = _rref_free_pivots(matrix, len(hidden))
    free = [c for c in range(len(hidden)) if c not in pivots]
    determined = set()
    for row, pivot in zip(rows, pivots, strict=True):
        if all(row[f] == 0 for f in free):
            determined.add(hidden[pivot])
    return determined


def _pinned_by_bounds(constraints, values, hidden_kind, threshold) -> set[int]:
    """Hidden variables that the markers' bounds narrow to one value within a single line.

    A "fewer than N" cell is known to lie in 1..N-1, a "[c]" cell in N..∞; in a line (cells
    summing to its total) the hidden cells' sum is known when the rest is published.
    """
    big = 10**12
    low = {v: (1 if kind == PRIMARY else threshold) for v, kind in hidden_kind.items()}
    high = {v: (threshold - 1 if kind == PRIMARY else big) for v, kind in hidden_kind.items()}
    for _ in range(4):  # propagate a few times; lines are short
        changed = False
        for constraint in constraints:
            hidden_terms = [(v, c) for v, c in constraint if v in hidden_kind]
            if not hidden_terms:
                continue
            known = sum(c * values[v] for v, c in constraint if v not in hidden_kind)
            # sum(c * x for hidden) == -known; coefficients are +1 / -1.
            target = -known
            for v, c in hidden_terms:
                rest_low = sum(low[w] if cw > 0 else -high[w] for w, cw in hidden_terms if w != v)
                rest_high = sum(high[w] if cw > 0 else -low[w] for w, cw in hidden_terms if w != v)
                # c * x = target - rest
                lo, hi = target - rest_high, target - rest_low
                if c < 0:
                    lo, hi = -hi, -lo
                if lo > low[v]:
                    low[v], changed = lo, True
                if hi < high[v]:
                    high[v], changed = hi, True
        if not changed:
            break
    return {v for v in hidden_kind if low[v] >= high[v]}


def exposed(constraints, values, hidden_kind, threshold) -> set[int]:
    """Hidden cells someone could work out from the published ones."""
    hidden = sorted(hidden_kind)
    return linearly_determined(constraints, hidden) | _pinned_by_bounds(
        constraints, values, hidden_kind, threshold
    )


def suppress_cells(
    values: list[int], constraints, rule: Rule, *, margins: set[int] = frozenset(), force=frozenset()
):
    """The generic algorithm on flat ``values`` tied by ``constraints`` (lists of (index, ±1)
    summing to zero). Returns {index: PRIMARY | SECONDARY} for the hidden cells. ``force``: cells
    to hide whatever their value (for example where a difference with another table is small)."""
    threshold = rule.threshold
    hidden_kind = {i: PRIMARY for i, v in enumerate(values) if 0 < v < threshold}
    for i in force:
        if i not in hidden_kind and values[i] > 0:
            hidden_kind[i] = SECONDARY
    lines_of = {
        i: [k for k, con in enumerate(constraints) if any(v == i for v, _ in con)] for i in range(len(values))
    }
    while hidden_kind:
        found = exposed(constraints, values, hidden_kind, threshold)
        if not found:
            break
        cell = min(found)
        candidates = {
            v for k in lines_of[cell] for v, _ in constraints[k] if v not in hidden_kind and values[v] > 0
        }
        if not candidates:  # nothing left in its lines: widen to every published non-zero cell
            candidates = {i for i, v in enumerate(values) if i not in hidden_kind and v > 0}
        if not candidates:
            break  # everything non-zero is hidden already; what is exposed is only zeros' sum
        chosen = min(candidates, key=lambda i: (i in margins, values[i], i))
        hidden_kind[chosen] = SECONDARY
    return hidden_kind


def _round(value: int, rule: Rule) -> int:
    if not rule.round_to:
        return value
    return int(Fraction(value, rule.round_to) + Fraction(1, 2)) * rule.round_to


def suppress_grid(matrix: list[list[int]], rule: Rule, *, force: set = frozenset()) -> Grid:
    """Suppress a table of counts (rows × columns) with its totals. ``force``: (row, column)
    cells to hide as well."""
    nrows = len(matrix)
    ncols = len(matrix[0]) if matrix else 0
    values: list[int] = []
    index = {}
    for i, row in enumerate(matrix):
        for j, v in enumerate(row):
            index[("c", i, j)] = len(values)
            values.append(int(v))
    constraints = []
    margins = set()
    if ncols > 1:
        for i in range(nrows):
            index[("r", i)] = len(values)
            margins.add(len(values))
            values.append(sum(matrix[i]))
            constraints.append([(index[("c", i, j)], 1) for j in range(ncols)] + [(index[("r", i)], -1)])
    if nrows > 1:
        for j in range(ncols):
            index[("k", j)] = len(values)
            margins.add(len(values))
            values.append(sum(row[j] for row in matrix))
            constraints.append([(index[("c", i, j)], 1) for i in range(nrows)] + [(index[("k", j)], -1)])
    if nrows and ncols and (nrows > 1 or ncols > 1):
        index["t"] = len(values)
        margins.add(len(values))
        values.append(sum(map(sum, matrix)))
        if ncols > 1:
            constraints.append([(index[("r", i)], 1) for i in range(nrows)] + [(index["t"], -1)])
        if nrows > 1:
            constraints.append([(index[("k", j)], 1) for j in range(ncols)] + [(index["t"], -1)])
    forced = {index[("c", i, j)] for i, j in force}
    hidden = suppress_cells(values, constraints, rule, margins=margins, force=forced)

    def cell(key) -> Cell:
        k = index[key]
        if k in hidden:
            return Cell(None, hidden[k], rule.threshold)
        return Cell(_round(values[k], rule), "", rule.threshold)

    return Grid(
        cells=[[cell(("c", i, j)) for j in range(ncols)] for i in range(nrows)],
        row_totals=[cell(("r", i)) for i in range(nrows)] if ncols > 1 else [],
        column_totals=[cell(("k", j)) for j in range(ncols)] if nrows > 1 else [],
        total=cell("t") if "t" in index else None,
    )


def suppress_column(values: list[int], rule: Rule, *, force: set = frozenset()) -> tuple[list[Cell], Cell]:
    """A list of counts that add up to a total (each contact in exactly one row). ``force``:
    positions to hide as well."""
    if len(values) == 1:  # the total is the cell
        only = suppress_each(values, rule, force=force)[0]
        return [only], only
    grid = suppress_grid([[v] for v in values], rule, force={(i, 0) for i in force})
    return [row[0] for row in grid.cells], grid.column_totals[0]


def suppress_each(values: list[int], rule: Rule, *, force: set = frozenset()) -> list[Cell]:
    """Counts that do not add up to anything published (a contact may be in several rows): each
    is suppressed on its own, and no total is given. ``force``: positions to hide as well."""
    cells = []
    for i, v in enumerate(values):
        if 0 < v < rule.threshold:
            cells.append(Cell(None, PRIMARY, rule.threshold))
        elif i in force and v > 0:
            cells.append(Cell(None, SECONDARY, rule.threshold))
        else:
            cells.append(Cell(_round(v, rule), "", rule.threshold))
    return cells


def percentage(part: Cell, base: Cell, rule: Rule) -> str:
    """A share such as "12%", or "" when the base is hidden or below the threshold, or the part is hidden."""
    if part.is_hidden or base.is_hidden or base.value is None or base.value < rule.threshold:
        return ""
    if base.value == 0:
        return ""
    return f"{round(100 * part.value / base.value)}%"


def average(total: float, base: int, rule: Rule, *, digits: int = 1) -> str:
    """An average, or "" on a base below the threshold."""
    if base < rule.threshold or base == 0:
        return ""
    return f"{total / base:.{digits}f}"
