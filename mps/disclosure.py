"""Statistical disclosure control for every table the documents publish.

Every table in a published cell of an MPS or sufficiency plan passes through
:func:`protect`. It follows the Department for Education's practice for children's
social care statistics (reference §5) and the GSS symbols:

``c`` (:data:`SUPPRESSED`)
    suppressed to protect confidentiality: a count from 1 to the threshold (primary
    suppression), a cell suppressed so that a total cannot reveal one (secondary
    suppression), or a percentage or rate whose numerator or denominator is suppressed;
``z`` (:data:`NOT_APPLICABLE`)
    not applicable: a caller may put ``z`` (or ``x``) in a count or derived column, and it
    is kept as given;
``x`` (:data:`NOT_AVAILABLE`)
    not available: a missing (NaN) count or derived value;
``k`` (:data:`ROUNDS_TO_ZERO`)
    a non-zero value that rounds to 0: a count that rounding would show as 0, or (with
    ``k_rule``) a percentage below 0.5.

Zero is shown as 0: it is shown only when the value really is 0, and a zero is never used
to protect another cell.

How :func:`protect` works, in order
-----------------------------------
1. **Guard.** A table with child-level identifiers (CHILD, UPN, DOB, MC_DOB, HOME_POST,
   PL_POST, any column named like a postcode or a date of birth, or values that are full
   postcodes) is refused with a :class:`ValueError`: aggregate first.
2. **Primary suppression.** Every count from 1 to ``threshold`` (default 5, DfE's rule)
   becomes ``c``, totals included.
3. **Secondary suppression.** Cells are linked by *additive groups*: with
   ``rows_additive`` each count column is a group (its rows add up to the ``total_row``
   cell, or to a margin published elsewhere when there is no total row); with
   ``columns_additive`` (implied by ``total_column``) each row is a group (its count
   columns add up to the ``total_column`` cell or to a margin published elsewhere).
   A total cell is a member of its group like any other, so a suppressed total is
   protected too.

   a. *Greedy pass (the standard rule).* While some group holds exactly one suppressed
      cell, suppress the smallest non-zero unsuppressed cell of that group, preferring
      the group's other parts to its total, ties broken by position (first row, first
      column). All column groups (one per count column) are treated, then all row
      groups, repeated until neither changes.
   b. *Audit.* "No group with exactly one suppressed cell" is necessary but in a
      two-way table not always enough: a suppressed cell can still be worked out by
      adding and subtracting several totals. In graph terms (vertices: the groups, plus
      one vertex for "no group" in a direction that is not additive; edges: the
      suppressed cells) a suppressed cell is determined exactly when it is a *bridge*.
      Each bridge is put on a cycle by suppressing the cheapest chain of further
      non-zero cells (smallest sum of values, then position; cells already suppressed
      are passed through free) that joins its two ends; then step (a) runs again.
      A cell that no choice of non-zero cells can protect (the rest of its group is
      zero or missing, which needs a margin published elsewhere: with a total row and a
      total column this cannot happen) is left as it is and reported in one
      :class:`DisclosureWarning`: the margins it follows from must then be suppressed
      wherever they are published.

   After this no suppressed cell can be recovered exactly from the table's totals, or
   from margins published elsewhere when the caller declares the groups additive. (Like
   DfE's, the rule protects against exact recovery: two ``c`` cells known to add up to 7
   are each known to be 7 or less.) Missing counts (NaN, shown ``x``) are treated as
   known, since a reader may know them. The audit walks the suppressed cells in Python:
   fine for published aggregate tables (thousands of cells), not meant for record-level
   data, which the guard refuses anyway.
4. **Derived columns.** A percentage or rate ``derived`` from a numerator and a
   denominator column is ``c`` in every row where either source cell is suppressed. With
   no denominator column (a share of the column total, or a rate per population), the
   total row's numerator cell is its implicit denominator: if that is suppressed, the
   whole derived column is ``c`` (otherwise visible counts and shares would reveal the
   total). With ``k_rule``, non-zero derived values below 0.5 become ``k``. Derived
   values are published as given, never recomputed.
5. **Rounding** (optional, for consortium, regional and national aggregates). With
   ``round_to`` (5 or 10), every unsuppressed count, totals included, is rounded to the
   nearest multiple, halves upwards (so 15 -> 20 and 25 -> 30, unlike Python's round),
   each from its unrounded value, so totals may differ from the sum of rounded parts, as
   in DfE tables. A non-zero count that rounds to 0 becomes ``k``. Suppression is still
   applied first: rounding does not replace it.

:func:`protect` never changes the caller's frame. It returns a :class:`DisclosureResult`
with the display table (counts stay numeric columns when nothing in them became a symbol;
otherwise the column holds Python ints and floats and symbol strings) and a per-cell flag
frame (:class:`CellFlag`). The result is deterministic: the same table and parameters give
the same cells.

:func:`find_disclosure_breaches` and :func:`assert_disclosure_safe` are the publishing
steps' last line of defence: they find any count from 1 to the threshold left in count
columns, any unrounded count in a table declared rounded, and child-level columns.

Example (from a notebook)::

    result = mps.disclosure.protect(
        mix, count_columns=["2024", "2025"], label_columns=["Placement"], total_row="Total",
        derived={"2025 %": ("2025", None)},
    )
    result.table   # for display
    result.flags   # "raw", "suppressed-primary", ... per cell
"""

from __future__ import annotations

import heapq
import re
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

#: Suppressed to protect confidentiality (primary or secondary suppression).
SUPPRESSED = "c"
#: Not applicable.
NOT_APPLICABLE = "z"
#: Not available (a missing value).
NOT_AVAILABLE = "x"
#: A non-zero value that rounds to zero.
ROUNDS_TO_ZERO = "k"
#: DfE suppresses counts from 1 to 5 inclusive.
DEFAULT_THRESHOLD = 5

SYMBOLS = frozenset({SUPPRESSED, NOT_APPLICABLE, NOT_AVAILABLE, ROUNDS_TO_ZERO})


class CellFlag(StrEnum):
    """What disclosure control did to one cell (the values of :attr:`DisclosureResult.flags`)."""

    RAW = "raw"  # published as given
    ROUNDED = "rounded"  # rounded to round_to (or shown as k because it rounds to 0)
    SUPPRESSED_PRIMARY = "suppressed-primary"  # a count from 1 to the threshold
    SUPPRESSED_SECONDARY = "suppressed-secondary"  # suppressed so totals cannot reveal a cell
    DERIVED_SUPPRESSED = "derived-suppressed"  # its numerator or denominator is suppressed
    NOT_AVAILABLE = "not-available"  # missing in the input, shown as x
    NOT_APPLICABLE = "not-applicable"  # given as z by the caller, kept
    LABEL = "label"  # a label column, published unchanged


class DisclosureWarning(UserWarning):
    """Disclosure control could not fully protect a cell within this table."""


class DisclosureError(ValueError):
    """A table about to be published breaks disclosure control."""


@dataclass(frozen=True)
class DisclosureResult:
    """A protected table for display, and what was done to each of its cells.

    ``table`` has the caller's index and columns; ``flags`` has the same shape and holds
    :class:`CellFlag` values as strings. ``threshold`` and ``round_to`` are the settings used.
    """

    table: pd.DataFrame
    flags: pd.DataFrame
    threshold: int
    round_to: int | None = None

    @property
    def suppressed(self) -> pd.DataFrame:
        """True for every cell shown as ``c`` (primary, secondary or derived)."""
        return self.flags.isin(
            [
                CellFlag.SUPPRESSED_PRIMARY,
                CellFlag.SUPPRESSED_SECONDARY,
                CellFlag.DERIVED_SUPPRESSED,
            ]
        )


# --- child-level guard --------------------------------------------------------------------

#: Column names (normalised: upper case, words joined by "_") that identify a child.
_IDENTIFYING_NAMES = frozenset(
    {
        "CHILD",
        "CHILD_ID",
        "CHILDID",
        "LA_CHILD_ID",
        "UPN",
        "FORMER_UPN",
        "UNIQUE_PUPIL_NUMBER",
        "NHS_NUMBER",
        "DOB",
        "MC_DOB",
        "HOME_POST",
        "PL_POST",
        "POSTCODE",
        "POST_CODE",
        "DATE_OF_BIRTH",
    }
)
_IDENTIFYING_TOKENS = frozenset({"DOB", "UPN", "POSTCODE", "POSTCODES"})
_IDENTIFYING_PARTS = ("DATE_OF_BIRTH", "BIRTH_DATE", "BIRTHDATE", "DATEOFBIRTH", "POST_CODE")
# A full UK postcode (outward and inward code). Sectors such as "AB1 2" are allowed.
_FULL_POSTCODE = r"^\s*[A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s*[0-9][A-Za-z]{2}\s*$"
_IS_FULL_POSTCODE = re.compile(_FULL_POSTCODE).match


def _normalised_name(name: Hashable) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", str(name).upper()).strip("_")


def _identifying_name(name: Hashable) -> bool:
    normalised = _normalised_name(name)
    if normalised in _IDENTIFYING_NAMES:
        return True
    if _IDENTIFYING_TOKENS.intersection(normalised.split("_")):
        return True
    return any(part in normalised for part in _IDENTIFYING_PARTS)


def _child_level_problems(table: pd.DataFrame) -> list[str]:
    """Why ``table`` looks like child-level data (empty if it does not)."""
    problems = []
    names = [("column", c) for c in table.columns]
    names += [("index level", n) for n in table.index.names if n is not None]
    for kind, name in names:
        if _identifying_name(name):
            problems.append(
                f"{kind} {name!r} identifies children (a child ID, UPN, date of birth or postcode)"
            )
    text_columns = [
        (f"column {c!r}", table[c])
        for c in table.columns
        if not pd.api.types.is_numeric_dtype(table[c])
        and not pd.api.types.is_datetime64_any_dtype(table[c])
    ]
    for level in range(table.index.nlevels):
        values = table.index.get_level_values(level)
        if not pd.api.types.is_numeric_dtype(values):
            text_columns.append((f"index level {level}", pd.Series(values, index=table.index)))
    for where, values in text_columns:
        # Published tables are small: a loop over the cells beats pandas' string methods.
        present = values.notna().to_numpy()
        is_postcode = [
            bool(here and _IS_FULL_POSTCODE(str(value)))
            for here, value in zip(present, values.tolist(), strict=True)
        ]
        if any(is_postcode):
            position = is_postcode.index(True)
            # Show only the postcode sector, so the error message does not repeat it.
            sector = str(values.iloc[position]).strip()[:-2]
            problems.append(
                f"{where} holds full postcodes (row {position + 1}: {sector}**); "
                "publish postcode districts or sectors at most"
            )
    return problems


def _refuse_child_level(table: pd.DataFrame) -> None:
    problems = _child_level_problems(table)
    if problems:
        raise ValueError(
            "refusing to publish a child-level table: "
            + "; ".join(problems)
            + ". Aggregate to counts first."
        )


# --- argument checks --------------------------------------------------------------------


def _plain(value: object) -> object:
    """A numpy scalar as the Python value, so messages read 2 rather than np.int64(2)."""
    return value.item() if isinstance(value, np.generic) else value


def _describe_row(table: pd.DataFrame, position: int, label_columns: Sequence[str]) -> str:
    if label_columns:
        labels = ", ".join(f"{c}={_plain(table[c].iloc[position])!r}" for c in label_columns)
        return f"row {position + 1} ({labels})"
    return f"row {position + 1} (index {_plain(table.index[position])!r})"


def _numeric_column(
    table: pd.DataFrame,
    column: str,
    label_columns: Sequence[str],
    *,
    counts: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """The column as floats, and the symbols ``z``/``x`` the caller put in it.

    Missing values and the caller's symbols are NaN in the floats; the second array holds
    ``"x"`` for a missing value, the caller's symbol, or ``""``. Anything else that is not a
    number (or, for counts, not a whole number of 0 or more) is a clear error.
    """
    raw = table[column]
    present = raw.notna().to_numpy()
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        # Numbers already (most tables): no symbols to look for, nothing to parse.
        given = np.full(len(raw), "", dtype=object)
        is_given_symbol = np.zeros(len(raw), dtype=bool)
        values = raw.to_numpy(dtype="float64", na_value=np.nan)
    else:
        given = raw.astype("str").str.strip().to_numpy(dtype=object)
        is_given_symbol = np.isin(given, [NOT_APPLICABLE, NOT_AVAILABLE]) & present
        as_objects = raw.astype("object").where(raw.notna() & ~is_given_symbol, None)
        values = pd.to_numeric(as_objects, errors="coerce")
        values = values.astype("float64").to_numpy()
    bad = np.isnan(values) & present & ~is_given_symbol
    if counts:
        with np.errstate(invalid="ignore"):
            bad |= ((values < 0) | (np.floor(values) != values)) & ~np.isnan(values)
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        value = _plain(raw.iloc[position])
        kind = "count" if counts else "derived"
        expected = "a whole number of 0 or more" if counts else "a number"
        hint = (
            " (is this table already protected? pass the unprotected counts)"
            if str(value).strip() in SYMBOLS
            else ""
        )
        others = int(bad.sum()) - 1
        more = f"; {others} more such cell(s) in this column" if others else ""
        raise ValueError(
            f"{kind} column {column!r}, {_describe_row(table, position, label_columns)}: "
            f"value {value!r}, expected {expected}, {NOT_APPLICABLE!r} or {NOT_AVAILABLE!r}"
            f"{hint}{more}"
        )
    symbols = np.where(is_given_symbol, given, "").astype(object)
    symbols[~present] = NOT_AVAILABLE
    return values, symbols


def _find_total_row(table: pd.DataFrame, total_row: Hashable, label_columns: Sequence[str]) -> int:
    """Position of the total row: its label in a label column, or else in the index."""
    for column in label_columns:
        matches = np.flatnonzero((table[column] == total_row).fillna(False).to_numpy())
        if len(matches) == 1:
            return int(matches[0])
        if len(matches) > 1:
            raise ValueError(
                f"total_row {total_row!r} appears in {len(matches)} rows of label column "
                f"{column!r}; expected exactly one total row"
            )
    matches = np.flatnonzero(np.asarray(table.index == total_row))
    if len(matches) == 1:
        return int(matches[0])
    searched = f"label columns {list(label_columns)} or the index" if label_columns else "the index"
    raise ValueError(
        f"total_row {total_row!r} not found (looked in {searched}); expected exactly one row "
        "with that label"
    )


# --- secondary suppression --------------------------------------------------------------


class _Suppression:
    """The additive structure of a table's counts and the greedy + audit procedure.

    Vertices of the group graph: row groups ``0..n-1``, column groups ``n..n+m-1``, and
    one ``free`` vertex standing for "no group" in a dimension that is not additive.
    Each cell is an edge between its row vertex and its column vertex.
    """

    def __init__(
        self,
        values: np.ndarray,
        suppressed: np.ndarray,
        *,
        rows_additive: bool,
        columns_additive: bool,
        total_row: int | None,
        total_column: int | None,
        describe: Callable[[int, int], str],
    ):
        self.describe = describe
        self.values = values
        self.suppressed = suppressed
        self.rows_additive = rows_additive
        self.columns_additive = columns_additive
        n, m = values.shape
        self.free = n + m
        rows = np.arange(n)[:, None] if columns_additive else np.full((n, 1), self.free)
        columns = n + np.arange(m)[None, :] if rows_additive else np.full((1, m), self.free)
        self.row_vertex = np.broadcast_to(rows, (n, m))
        self.column_vertex = np.broadcast_to(columns, (n, m))
        # A total is the last resort: parts are preferred, whatever their size.
        self.is_total = np.zeros((n, m), dtype=bool)
        if total_row is not None:
            self.is_total[total_row, :] = True
        if total_column is not None:
            self.is_total[:, total_column] = True
        # Non-zero, known cells may protect others; zeros and missing cells never do.
        with np.errstate(invalid="ignore"):
            self.usable = values > 0
        self.unprotectable: set[int] = set()

    def run(self) -> np.ndarray:
        """Suppress further cells until no suppressed cell can be recovered."""
        while True:
            self._greedy()
            bridge = self._first_bridge()
            if bridge is None:
                break
            self._protect_bridge(bridge)
        if self.unprotectable:
            m = self.values.shape[1]
            cells = "; ".join(self.describe(*divmod(c, m)) for c in sorted(self.unprotectable))
            warnings.warn(
                f"{len(self.unprotectable)} suppressed cell(s) can still be worked out from "
                "margins published elsewhere, because the rest of their additive group is "
                f"zero or missing: {cells}. Those margins must be suppressed wherever they "
                "are published (or, if the rows or columns are not parts of a whole, pass "
                "rows_additive=False or columns_additive=False)",
                DisclosureWarning,
                stacklevel=3,
            )
        return self.suppressed

    def _greedy(self) -> None:
        """Suppress the smallest non-zero partner in every group with one suppressed cell."""
        changed = True
        while changed:
            changed = False
            if self.rows_additive:
                changed |= self._greedy_pass(axis=0)
            if self.columns_additive:
                changed |= self._greedy_pass(axis=1)

    def _greedy_pass(self, axis: int) -> bool:
        # axis=0: groups are columns (the rows add up); axis=1: groups are rows.
        lonely = self.suppressed.sum(axis=axis) == 1
        if not lonely.any():
            return False
        candidate = ~self.suppressed & self.usable
        big = float(np.max(np.where(self.usable, self.values, 0.0), initial=0.0)) + 1.0
        key = np.where(candidate, self.values + big * self.is_total, np.inf)
        best = np.argmin(key, axis=axis)  # first position among equal keys
        best_key = np.min(key, axis=axis)
        chosen = np.flatnonzero(lonely & np.isfinite(best_key))
        if axis == 0:
            self.suppressed[best[chosen], chosen] = True
        else:
            self.suppressed[chosen, best[chosen]] = True
        return len(chosen) > 0

    def _edges(self) -> list[tuple[int, int, int]]:
        """Suppressed cells as (row vertex, column vertex, flat cell position)."""
        cells = np.flatnonzero(self.suppressed)
        return [
            (int(self.row_vertex.flat[c]), int(self.column_vertex.flat[c]), int(c)) for c in cells
        ]

    def _first_bridge(self) -> tuple[int, int, int] | None:
        """The first suppressed cell (by position) that the group equations determine."""
        edges = [e for e in self._edges() if e[0] != e[1]]  # free-free cells are never sums
        adjacency: dict[int, list[tuple[int, int]]] = {}
        for u, w, cell in edges:
            adjacency.setdefault(u, []).append((w, cell))
            adjacency.setdefault(w, []).append((u, cell))
        bridges = _bridges(adjacency) - self.unprotectable
        if not bridges:
            return None
        first = min(bridges)
        return next(e for e in edges if e[2] == first)

    def _protect_bridge(self, bridge: tuple[int, int, int]) -> None:
        """Suppress the cheapest chain of usable cells that puts a bridge on a cycle."""
        u, w, cell = bridge
        path = self._cheapest_path(u, w, avoid=cell)
        if path is None:
            self.unprotectable.add(cell)  # reported once, when the procedure ends
        else:
            self.suppressed.flat[path] = True

    def _cheapest_path(self, start: int, end: int, *, avoid: int) -> list[int] | None:
        """Dijkstra from ``start`` to ``end`` without the cell ``avoid``.

        Suppressed cells cost nothing to pass (they are already hidden); a usable
        unsuppressed cell costs its value. Returns the new cells to suppress, or None.
        Distances compare as (sum of values, new cells in position order): deterministic.
        """
        adjacency: dict[int, list[tuple[float, int, int, bool]]] = {}
        passable = np.flatnonzero(self.suppressed | self.usable)
        for c in passable:
            if c == avoid:
                continue
            u, w = int(self.row_vertex.flat[c]), int(self.column_vertex.flat[c])
            hidden = bool(self.suppressed.flat[c])
            weight = 0.0 if hidden else float(self.values.flat[c])
            adjacency.setdefault(u, []).append((weight, int(c), w, hidden))
            adjacency.setdefault(w, []).append((weight, int(c), u, hidden))
        heap: list[tuple[float, tuple[int, ...], int]] = [(0.0, (), start)]
        done: set[int] = set()
        while heap:
            distance, path, vertex = heapq.heappop(heap)
            if vertex in done:
                continue
            done.add(vertex)
            if vertex == end:
                return list(path)
            for weight, c, other, hidden in adjacency.get(vertex, []):
                if other not in done:
                    new_path = path if hidden else tuple(sorted((*path, c)))
                    heapq.heappush(heap, (distance + weight, new_path, other))
        return None


def _bridges(adjacency: dict[int, list[tuple[int, int]]]) -> set[int]:
    """Edge ids that are bridges of a multigraph (iterative Tarjan)."""
    discovered: dict[int, int] = {}
    low: dict[int, int] = {}
    bridges: set[int] = set()
    clock = 0
    for root in sorted(adjacency):
        if root in discovered:
            continue
        discovered[root] = low[root] = clock
        clock += 1
        stack = [(root, -1, iter(adjacency[root]))]
        while stack:
            vertex, via, neighbours = stack[-1]
            for other, edge in neighbours:
                if edge == via:
                    continue
                if other not in discovered:
                    discovered[other] = low[other] = clock
                    clock += 1
                    stack.append((other, edge, iter(adjacency[other])))
                    break
                low[vertex] = min(low[vertex], discovered[other])
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[vertex])
                    if low[vertex] > discovered[parent]:
                        bridges.add(via)
    return bridges


# --- the main entry point ------------------------------------------------------------------


def _symbol_flags(symbols: np.ndarray) -> np.ndarray:
    """Initial flags: raw, or not available / not applicable where the input had no number."""
    flag = np.full(len(symbols), CellFlag.RAW.value, dtype=object)
    flag[symbols == NOT_AVAILABLE] = CellFlag.NOT_AVAILABLE.value
    flag[symbols == NOT_APPLICABLE] = CellFlag.NOT_APPLICABLE.value
    return flag


def _round_half_up(values: np.ndarray, base: int) -> np.ndarray:
    return np.floor(values / base + 0.5) * base


def _display_column(numbers: np.ndarray, symbols: np.ndarray, *, whole: bool) -> np.ndarray:
    """Python numbers (ints for counts) where there is no symbol, else the symbol."""
    shown = np.where(np.isnan(numbers), 0.0, numbers)
    column = np.empty(len(numbers), dtype=object)
    # tolist() gives Python ints and floats, which the table formatting expects.
    column[:] = shown.astype("int64").tolist() if whole else shown.tolist()
    has_symbol = symbols != ""
    column[has_symbol] = symbols[has_symbol]
    return column


def protect(
    table: pd.DataFrame,
    *,
    count_columns: Sequence[str],
    threshold: int = DEFAULT_THRESHOLD,
    total_row: Hashable | None = None,
    total_column: str | None = None,
    label_columns: Sequence[str] = (),
    derived: Mapping[str, tuple[str, str | None]] | None = None,
    rows_additive: bool = True,
    columns_additive: bool | None = None,
    round_to: int | None = None,
    k_rule: bool | Sequence[str] = False,
) -> DisclosureResult:
    """Apply disclosure control to an aggregate table about to be published.

    See the module docstring for the procedure. Every column of ``table`` must be declared
    as a count, derived or label column, so a count cannot slip through undeclared.

    Args:
        table: the aggregate table (never changed).
        count_columns: columns of counts of children (whole numbers, NaN if missing).
        threshold: counts from 1 to this are suppressed (DfE: 5; ONS output checking: 10).
        total_row: label of the row that totals the others (looked up in the label columns,
            else the index). Implies ``rows_additive``.
        total_column: the count column that totals the other count columns in each row.
            Implies ``columns_additive``.
        label_columns: columns published unchanged (row labels, and values that are not
            counts or derived from them, such as costs).
        derived: ``{column: (numerator, denominator or None)}`` for percentages, rates and
            differences computed from count (or other derived) columns.
        rows_additive: the rows of each count column are parts of a whole, whose total is
            the ``total_row`` or is published elsewhere (set False for e.g. one row per year).
        columns_additive: the count columns of each row are parts of a whole, whose total
            is the ``total_column`` or is published elsewhere. Default: True if
            ``total_column`` is given.
        round_to: round unsuppressed counts to the nearest multiple of this (5 or 10) for
            consortium, regional or national aggregates.
        k_rule: show non-zero derived values below 0.5 as ``k`` (DfE's rule for whole-number
            percentages): True for all derived columns, or the names of the columns.

    Returns:
        A :class:`DisclosureResult` with the display table and per-cell flags.

    Raises:
        ValueError: child-level columns, undeclared columns, a count that is not a whole
            number of 0 or more, or inconsistent arguments; the message names the column,
            row and value.
    """
    derived = dict(derived or {})
    count_columns = list(count_columns)
    label_columns = list(label_columns)
    _refuse_child_level(table)
    _check_arguments(table, count_columns, label_columns, derived, threshold, round_to)
    if total_row is not None and not rows_additive:
        raise ValueError(
            f"total_row {total_row!r} says the rows add up, but rows_additive=False; "
            "drop one of them"
        )
    if total_column is not None and total_column not in count_columns:
        raise ValueError(
            f"total_column {total_column!r} is not one of the count columns {count_columns}"
        )
    if columns_additive is None:
        columns_additive = total_column is not None
    elif total_column is not None and not columns_additive:
        raise ValueError(
            f"total_column {total_column!r} says the columns add up, but columns_additive=False"
        )
    if isinstance(k_rule, bool):
        k_columns = list(derived) if k_rule else []
    else:
        k_columns = list(k_rule)
        unknown = [c for c in k_columns if c not in derived]
        if unknown:
            raise ValueError(f"k_rule names {unknown}, which are not derived columns")

    n = len(table)
    total_position = (
        _find_total_row(table, total_row, label_columns) if total_row is not None else None
    )
    parsed = [_numeric_column(table, c, label_columns, counts=True) for c in count_columns]
    values = np.column_stack([v for v, _ in parsed]) if parsed else np.zeros((n, 0))
    with np.errstate(invalid="ignore"):
        primary = (values >= 1) & (values <= threshold)

    suppressed = primary.copy()
    if n and count_columns:
        suppressed = _Suppression(
            values,
            suppressed,
            rows_additive=rows_additive,
            columns_additive=columns_additive,
            total_row=total_position,
            total_column=count_columns.index(total_column) if total_column else None,
            describe=lambda row, j: (
                f"count column {count_columns[j]!r}, {_describe_row(table, row, label_columns)}"
            ),
        ).run()

    flags = pd.DataFrame(
        np.full((n, len(table.columns)), CellFlag.RAW.value, dtype=object),
        index=table.index,
        columns=table.columns,
    )
    out = table.copy()
    for column in label_columns:
        flags[column] = CellFlag.LABEL.value

    cell_suppressed: dict[str, np.ndarray] = {}
    for j, column in enumerate(count_columns):
        column_values, symbols = values[:, j], parsed[j][1].copy()
        flag = _symbol_flags(symbols)
        shown = column_values
        if round_to:
            shown = _round_half_up(column_values, round_to)
            known = ~np.isnan(column_values)
            flag[known] = CellFlag.ROUNDED.value
            symbols[known & (shown == 0) & (column_values > 0)] = ROUNDS_TO_ZERO
        symbols[suppressed[:, j]] = SUPPRESSED
        flag[suppressed[:, j]] = CellFlag.SUPPRESSED_SECONDARY.value
        flag[primary[:, j]] = CellFlag.SUPPRESSED_PRIMARY.value
        cell_suppressed[column] = suppressed[:, j]
        flags[column] = flag
        if (symbols == "").all():
            out[column] = pd.Series(shown.astype("int64"), index=table.index)
        else:
            out[column] = pd.Series(
                _display_column(shown, symbols, whole=True), index=table.index, dtype=object
            )

    # Derived columns, in an order where every source is settled first.
    for column in _derived_order(derived):
        numerator, denominator = derived[column]
        column_values, symbols = _numeric_column(table, column, label_columns, counts=False)
        flag = _symbol_flags(symbols)
        hidden = cell_suppressed[numerator].copy()
        if denominator is not None:
            hidden |= cell_suppressed[denominator]
        elif total_position is not None and cell_suppressed[numerator][total_position]:
            hidden[:] = True  # the implicit denominator (the total) is suppressed
        if column in k_columns:
            rounds_to_zero = (np.abs(column_values) < 0.5) & (column_values != 0)
            symbols[rounds_to_zero] = ROUNDS_TO_ZERO
            flag[rounds_to_zero] = CellFlag.ROUNDED.value
        symbols[hidden] = SUPPRESSED
        flag[hidden] = CellFlag.DERIVED_SUPPRESSED.value
        cell_suppressed[column] = hidden
        flags[column] = flag
        if (symbols != "").any():
            out[column] = pd.Series(
                _display_column(column_values, symbols, whole=False),
                index=table.index,
                dtype=object,
            )

    flags = flags.astype("str")
    return DisclosureResult(table=out, flags=flags, threshold=threshold, round_to=round_to)


def _check_arguments(
    table: pd.DataFrame,
    count_columns: list[str],
    label_columns: list[str],
    derived: dict[str, tuple[str, str | None]],
    threshold: int,
    round_to: int | None,
) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer) or threshold < 1:
        raise ValueError(f"threshold {threshold!r}: expected a whole number of 1 or more")
    if round_to is not None and (
        isinstance(round_to, bool) or not isinstance(round_to, int | np.integer) or round_to < 2
    ):
        raise ValueError(f"round_to {round_to!r}: expected a whole number such as 5 or 10")
    if table.columns.has_duplicates:
        duplicated = sorted({str(c) for c in table.columns[table.columns.duplicated()]})
        raise ValueError(f"the table has duplicated column names {duplicated}")
    declared = [*count_columns, *derived, *label_columns]
    twice = sorted({str(c) for c in declared if declared.count(c) > 1})
    if twice:
        raise ValueError(f"columns declared more than once (count/derived/label): {twice}")
    absent = [c for c in declared if c not in table.columns]
    if absent:
        raise ValueError(f"declared columns not in the table: {absent}")
    undeclared = [c for c in table.columns if c not in declared]
    if undeclared:
        raise ValueError(
            f"columns {undeclared} are neither count, derived nor label columns; declare "
            "each one so no count is published unprotected"
        )
    sources = {*count_columns, *derived}
    for column, pair in derived.items():
        if not (isinstance(pair, tuple | list) and len(pair) == 2):
            raise ValueError(
                f"derived column {column!r}: expected (numerator, denominator or None), "
                f"got {pair!r}"
            )
        for source in pair:
            if source is not None and source not in sources:
                raise ValueError(
                    f"derived column {column!r} comes from {source!r}, which is not a count "
                    "or derived column"
                )


def _derived_order(derived: Mapping[str, tuple[str, str | None]]) -> list[str]:
    """Derived columns ordered so each comes after the derived columns it uses."""
    order: list[str] = []
    pending = list(derived)
    while pending:
        ready = [
            c
            for c in pending
            if all(s is None or s not in derived or s in order for s in derived[c])
        ]
        if not ready:
            raise ValueError(f"derived columns depend on each other in a cycle: {pending}")
        order.extend(ready)
        pending = [c for c in pending if c not in ready]
    return order


def suppress_series(
    counts: pd.Series,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    total: Hashable | None = None,
    additive: bool = True,
    round_to: int | None = None,
) -> pd.Series:
    """Protect one column of counts (the 1-D case); returns the display series.

    ``total`` is the index label of the total, if the series holds one; ``additive`` says
    the other entries add up to it (or to a total published elsewhere). Use :func:`protect`
    when the per-cell flags are needed.
    """
    name = counts.name if counts.name is not None else "count"
    frame = counts.to_frame(name=name)
    result = protect(
        frame,
        count_columns=[name],
        threshold=threshold,
        total_row=total,
        rows_additive=additive,
        round_to=round_to,
    )
    return result.table[name].rename(counts.name)


# --- last line of defence ---------------------------------------------------------------


def find_disclosure_breaches(
    table: pd.DataFrame,
    count_columns: Sequence[str],
    threshold: int = DEFAULT_THRESHOLD,
    *,
    rounded_to: int | None = None,
) -> list[str]:
    """Plain-English descriptions of what in a display table must not be published.

    Finds counts from 1 to ``threshold`` in ``count_columns`` (numbers, or text such as
    ``"3"`` or ``"1,234"``), text in a count column that is neither a number nor a symbol,
    child-level columns, and (with ``rounded_to``) counts that are not multiples of it. A
    rounded count that is a multiple of ``rounded_to`` is allowed even if it is not above the
    threshold: it stands for a range of values. An empty list means no breach was found.
    Secondary suppression cannot be checked without the table's structure; :func:`protect`
    guarantees it.
    """
    absent = [c for c in count_columns if c not in table.columns]
    if absent:
        raise ValueError(f"count columns not in the table: {absent}")
    breaches = _child_level_problems(table)
    for column in count_columns:
        raw = table[column]
        present = raw.notna().to_numpy()
        numbers, is_symbol = _counts_as_numbers(raw, present)
        unknown = present & np.isnan(numbers) & ~is_symbol
        with np.errstate(invalid="ignore"):
            small = (numbers >= 1) & (numbers <= threshold)
            if rounded_to:
                unrounded = (numbers % rounded_to != 0) & ~np.isnan(numbers)
                small &= ~(numbers % rounded_to == 0)
            else:
                unrounded = np.zeros(len(raw), dtype=bool)
        for position in np.flatnonzero(small | unknown | unrounded):
            value = _plain(raw.iloc[position])
            where = f"column {column!r}, {_describe_row(table, int(position), ())}"
            if unknown[position]:
                breaches.append(f"{where}: {value!r} is neither a number nor a symbol")
            elif unrounded[position]:
                breaches.append(f"{where}: {value!r} is not rounded to {rounded_to}")
            else:
                breaches.append(f"{where}: {value!r} is a count from 1 to {threshold}")
    return breaches


def _counts_as_numbers(raw: pd.Series, present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A count column as numbers (NaN where missing or not a number) and where it holds a
    symbol; text such as ``" 1,234 "`` reads as 1234."""
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        numbers = raw.to_numpy(dtype="float64", na_value=np.nan)
        return numbers, np.zeros(len(raw), dtype=bool)
    # Published tables are small: a loop over the cells beats pandas' string methods.
    text = [str(value).strip().replace(",", "") for value in raw.tolist()]
    candidates = np.array([t if here else None for t, here in zip(text, present, strict=True)])
    numbers = pd.to_numeric(pd.Series(candidates, dtype=object), errors="coerce").to_numpy(
        dtype="float64"
    )
    return numbers, np.array([t in SYMBOLS for t in text], dtype=bool)


def assert_disclosure_safe(
    table: pd.DataFrame,
    count_columns: Sequence[str],
    threshold: int = DEFAULT_THRESHOLD,
    *,
    rounded_to: int | None = None,
) -> None:
    """Raise :class:`DisclosureError` naming every breach :func:`find_disclosure_breaches` finds."""
    breaches = find_disclosure_breaches(table, count_columns, threshold, rounded_to=rounded_to)
    if breaches:
        raise DisclosureError(
            f"{len(breaches)} disclosure breach(es): "
            + "; ".join(breaches[:20])
            + ("; ..." if len(breaches) > 20 else "")
        )
