"""Disclosure control: every expected answer below is worked out by hand in the comments."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from mps.disclosure import (
    DEFAULT_THRESHOLD,
    NOT_AVAILABLE,
    ROUNDS_TO_ZERO,
    SUPPRESSED,
    CellFlag,
    DisclosureError,
    DisclosureResult,
    DisclosureWarning,
    assert_disclosure_safe,
    find_disclosure_breaches,
    protect,
    suppress_series,
)

C = SUPPRESSED
PRIMARY = CellFlag.SUPPRESSED_PRIMARY
SECONDARY = CellFlag.SUPPRESSED_SECONDARY


def area_by_placement() -> pd.DataFrame:
    """3 x 3 counts with a total row and a total column.

    ========  ==  ==  ==  =====
    Area      X   Y   Z   Total
    ========  ==  ==  ==  =====
    A          3  12  20     35
    B          9   7  15     31
    C         14  18  11     43
    Total     26  37  46    109
    ========  ==  ==  ==  =====
    """
    return pd.DataFrame(
        {
            "Area": ["A", "B", "C", "Total"],
            "X": [3, 9, 14, 26],
            "Y": [12, 7, 18, 37],
            "Z": [20, 15, 11, 46],
            "Total": [35, 31, 43, 109],
        }
    )


def test_three_by_three_with_totals_suppresses_a_two_by_two_block() -> None:
    # Primary: only A/X = 3 is from 1 to 5.
    # Column pass: column X = {A:3 (c), B:9, C:14, Total:26} has one suppressed cell; the
    #   smallest other non-zero part is B/X = 9 -> c.
    # Row pass: row A = {X:3 (c), Y:12, Z:20, Total:35}: smallest other part A/Y = 12 -> c.
    #   Row B = {X:9 (c), Y:7, Z:15, Total:31}: smallest other part B/Y = 7 -> c.
    # Column pass again: column Y now holds A/Y and B/Y (two), X holds two: stable.
    # The four c cells form a rectangle: every row and column total has two unknowns, so
    # no cell can be recovered. Totals, row C and column Z stay as they are.
    table = area_by_placement()
    result = protect(
        table,
        count_columns=["X", "Y", "Z", "Total"],
        label_columns=["Area"],
        total_row="Total",
        total_column="Total",
    )
    assert isinstance(result, DisclosureResult)
    assert result.threshold == DEFAULT_THRESHOLD
    assert result.table["X"].tolist() == [C, C, 14, 26]
    assert result.table["Y"].tolist() == [C, C, 18, 37]
    assert result.table["Z"].tolist() == [20, 15, 11, 46]
    assert result.table["Total"].tolist() == [35, 31, 43, 109]
    assert result.flags["X"].tolist() == [PRIMARY, SECONDARY, "raw", "raw"]
    assert result.flags["Y"].tolist() == [SECONDARY, SECONDARY, "raw", "raw"]
    assert result.flags["Area"].tolist() == ["label"] * 4
    # Untouched count columns stay numeric; a suppressed one holds Python ints and "c".
    assert result.table["Z"].dtype == "int64"
    assert result.table["X"].dtype == object
    assert type(result.table.loc[2, "X"]) is int
    assert int(result.suppressed.to_numpy().sum()) == 4


def test_one_dimensional_column_with_total() -> None:
    # Fostering 10, Secure 3, Residential 8, Other 12, Total 33.
    # Primary: Secure 3. The column then has one suppressed cell, so the next smallest
    # non-zero part is suppressed too: Residential 8 (10 and 12 are larger; the total, 33,
    # is only used when no part is left). Nothing else: the total shows 33 = 10 + c + c + 12.
    table = pd.DataFrame(
        {
            "Placement": ["Fostering", "Secure", "Residential", "Other", "Total"],
            "Children": [10, 3, 8, 12, 33],
        }
    )
    result = protect(
        table, count_columns=["Children"], label_columns=["Placement"], total_row="Total"
    )
    assert result.table["Children"].tolist() == [10, C, C, 12, 33]
    assert result.flags["Children"].tolist() == ["raw", PRIMARY, SECONDARY, "raw", "raw"]

    # The same as a series, the total found in the index.
    series = pd.Series([10, 3, 8, 12, 33], index=table["Placement"], name="Children")
    protected = suppress_series(series, total="Total")
    assert protected.tolist() == [10, C, C, 12, 33]
    assert protected.name == "Children"
    assert protected.index.tolist() == table["Placement"].tolist()


def test_zeros_never_protect_a_suppressed_cell() -> None:
    # Parts 2, 0, 0, 25 and total 27. The 2 is primary; the smallest partners are the two
    # zeros, but a zero is shown only when it is truly 0 and protects nothing (c next to
    # 0, 0, 25 and 27 would still give 27 - 25 = 2 if the zeros were shown). So 25 is
    # suppressed, leaving c + 0 + 0 + c = 27.
    table = pd.DataFrame({"Group": ["a", "b", "c", "d", "All"], "n": [2, 0, 0, 25, 27]})
    result = protect(table, count_columns=["n"], label_columns=["Group"], total_row="All")
    assert result.table["n"].tolist() == [C, 0, 0, C, 27]
    assert result.flags["n"].tolist() == [PRIMARY, "raw", "raw", SECONDARY, "raw"]


def test_a_total_is_suppressed_when_no_non_zero_part_is_left() -> None:
    # r1 = (m 12, f 3, All 15), r2 = (0, 9, 9), r3 = (0, 0, 0), Total = (12, 12, 24).
    # Primary: r1/f = 3. Each pass looks at every group of one direction at once.
    # Columns: f = {3 (c), 9, 0, total 12} -> smallest other non-zero part r2/f 9 -> c.
    # Rows: r1 = {12, c, total 15} -> r1/m 12 -> c.
    #       r2 = {0, c, total 9}: its only other part is 0, which protects nothing, so the
    #       row total r2/All 9 is suppressed (a total is the last resort).
    # Columns: m = {c, 0, 0, total 12}: no non-zero part left -> its total Total/m -> c.
    #          All = {15, c, 0, total 24} -> the part r1/All 15 before the total -> c.
    # Rows: Total = {c, 12, 24} -> the part Total/f 12 -> c. Then every row and column
    # holds 0 or at least 2 suppressed cells: stable. Only the grand total is left, and on
    # its own it reveals nothing.
    table = pd.DataFrame(
        {
            "Row": ["r1", "r2", "r3", "Total"],
            "m": [12, 0, 0, 12],
            "f": [3, 9, 0, 12],
            "All": [15, 9, 0, 24],
        }
    )
    result = protect(
        table,
        count_columns=["m", "f", "All"],
        label_columns=["Row"],
        total_row="Total",
        total_column="All",
    )
    assert result.table["m"].tolist() == [C, 0, 0, C]
    assert result.table["f"].tolist() == [C, C, 0, C]
    assert result.table["All"].tolist() == [C, C, 0, 24]
    # Only the grand total is left: with every part hidden it reveals nothing on its own.


def test_audit_protects_a_cell_the_simple_rule_leaves_recoverable() -> None:
    # Primaries: r0/Z = 2, r1/X = 2, r3/W = 4.
    # Greedy, columns first: X -> r3/X 9; Z -> r1/Z 9; W -> r2/W 13.
    #   Rows: r0 {Z} -> r0/X 13; r2 {W} -> r2/Y 11. Columns: Y {r2} -> r3/Y 9. Stable:
    #   every row and column now has 0 or at least 2 suppressed cells.
    # But the suppressed cells form two rectangles, (r0, r1) x (X, Z) and (r2, r3) x (W, Y),
    # joined only by r3/X = 9, which the totals still give away:
    #   rows r2 + r3: 57 + 33 - (visible 20 + 13 + 11) = 46 = W2 + Y2 + W3 + Y3 + X3
    #   columns W + Y: 67 + 70 - (visible 30 + 30 + 20 + 20) = 37 = W2 + Y2 + W3 + Y3
    #   so X3 = 46 - 37 = 9.
    # The audit joins the two sides with the cheapest cell between them: the candidates are
    # r2/X 20, r2/Z 13, r3/Z 11, r0/W 30, r0/Y 30, r1/W 20, r1/Y 20 -> r3/Z = 11.
    table = pd.DataFrame(
        {
            "W": [30, 20, 13, 4, 67],
            "X": [13, 2, 20, 9, 44],
            "Y": [30, 20, 11, 9, 70],
            "Z": [2, 9, 13, 11, 35],
            "Total": [75, 51, 57, 33, 216],
        },
        index=pd.Index(["r0", "r1", "r2", "r3", "Total"], name="row"),
    )
    result = protect(
        table, count_columns=list(table.columns), total_row="Total", total_column="Total"
    )
    assert result.table["W"].tolist() == [30, 20, C, C, 67]
    assert result.table["X"].tolist() == [C, C, 20, C, 44]
    assert result.table["Y"].tolist() == [30, 20, C, C, 70]
    assert result.table["Z"].tolist() == [C, C, 13, C, 35]
    assert result.flags.loc["r3", "Z"] == SECONDARY
    assert not _recoverable_cells(
        result.suppressed.to_numpy(),
        rows_additive=True,
        columns_additive=True,
        total_row=4,
        total_column=4,
    )


def test_percentages_follow_a_suppressed_numerator_or_denominator() -> None:
    # Rows are years (not parts of a whole), so only primary suppression applies.
    # 2023: 3 UASC of 40 starts -> numerator suppressed -> the 7.5 % is c.
    # 2024: 0 UASC of 4 starts -> denominator suppressed -> 0.0 % is c; the 0 stays 0.
    # 2025: 10 of 50 -> nothing small, 20.0 % published.
    table = pd.DataFrame(
        {
            "Year": [2023, 2024, 2025],
            "Starts": [40, 4, 50],
            "UASC": [3, 0, 10],
            "% UASC": [7.5, 0.0, 20.0],
        }
    )
    result = protect(
        table,
        count_columns=["Starts", "UASC"],
        label_columns=["Year"],
        derived={"% UASC": ("UASC", "Starts")},
        rows_additive=False,
    )
    assert result.table["Starts"].tolist() == [40, C, 50]
    assert result.table["UASC"].tolist() == [C, 0, 10]
    assert result.table["% UASC"].tolist() == [C, C, 20.0]
    assert result.flags["% UASC"].tolist() == [CellFlag.DERIVED_SUPPRESSED] * 2 + ["raw"]


def test_share_of_total_follows_suppression_and_its_implicit_total() -> None:
    # Fostering 40, Residential 3, Other 17, Total 60; share of the total in %.
    # Residential 3 is primary; the next smallest non-zero part, Other 17, is secondary.
    # Their shares (5.0 and 28.3) would give the counts back (5 % of 60 = 3), so both are c.
    table = pd.DataFrame(
        {
            "Placement": ["Fostering", "Residential", "Other", "Total"],
            "Children": [40, 3, 17, 60],
            "%": [66.7, 5.0, 28.3, 100.0],
        }
    )
    result = protect(
        table,
        count_columns=["Children"],
        label_columns=["Placement"],
        total_row="Total",
        derived={"%": ("Children", None)},
    )
    assert result.table["Children"].tolist() == [40, C, C, 60]
    assert result.table["%"].tolist() == [66.7, C, C, 100.0]

    # When the total itself is suppressed (2 + 3 = 5), a share and its count would reveal
    # it, so the whole share column is c.
    small = pd.DataFrame({"P": ["a", "b", "Total"], "n": [2, 3, 5], "%": [40.0, 60.0, 100.0]})
    result = protect(
        small,
        count_columns=["n"],
        label_columns=["P"],
        total_row="Total",
        derived={"%": ("n", None)},
    )
    assert result.table["%"].tolist() == [C, C, C]


def test_a_share_is_hidden_when_its_total_is_secondary() -> None:
    # A = (X 0, Y 2, All 2), B = (40, 0, 40), C = (50, 0, 50), Total = (90, 2, 92).
    # Primary: A/Y 2, A/All 2, Total/Y 2 (column Y and row A then hold two each).
    # Row Total = {90, c, 92}: one -> its smallest non-zero part Total/X 90 -> c.
    # Column X = {0, 40, 50, c}: one -> B/X 40 -> c.
    # Row B = {c, 0, 40}: no non-zero part left -> its total B/All 40 -> c.
    # Column All = {c, c, 50, 92}: two. Stable: C/X 50 is still shown.
    # "X %" is X's share of the X total (no denominator column). C's 55.6 % next to its 50
    # would give the total back (50 / 0.556 = 90), and with it B/X = 90 - 0 - 50 = 40, so
    # the whole share column is c because its implicit denominator, Total/X, is.
    table = pd.DataFrame(
        {
            "Area": ["A", "B", "C", "Total"],
            "X": [0, 40, 50, 90],
            "Y": [2, 0, 0, 2],
            "All": [2, 40, 50, 92],
            "X %": [0.0, 44.4, 55.6, 100.0],
        }
    )
    result = protect(
        table,
        count_columns=["X", "Y", "All"],
        label_columns=["Area"],
        total_row="Total",
        total_column="All",
        derived={"X %": ("X", None)},
    )
    assert result.table["X"].tolist() == [0, C, 50, C]
    assert result.table["Y"].tolist() == [C, 0, 0, C]
    assert result.table["All"].tolist() == [C, C, 50, 92]
    assert result.table["X %"].tolist() == [C, C, C, C]


def test_k_rule_only_when_asked() -> None:
    # Shares computed elsewhere (no denominator column, no total row): a 0.3 % share is
    # non-zero but shows as 0 when percentages are whole numbers, so DfE prints k.
    table = pd.DataFrame({"LA": ["a", "b", "c"], "Children": [40, 9, 60], "%": [0.3, 0.0, 12.0]})
    plain = protect(
        table,
        count_columns=["Children"],
        label_columns=["LA"],
        rows_additive=False,
        derived={"%": ("Children", None)},
    )
    assert plain.table["%"].tolist() == [0.3, 0.0, 12.0]  # no k unless asked
    with_k = protect(
        table,
        count_columns=["Children"],
        label_columns=["LA"],
        rows_additive=False,
        derived={"%": ("Children", None)},
        k_rule=True,
    )
    # 0.3 is non-zero and below 0.5 -> k; 0.0 is truly zero -> stays 0.0.
    assert with_k.table["%"].tolist() == [ROUNDS_TO_ZERO, 0.0, 12.0]
    assert with_k.flags["%"].tolist() == [CellFlag.ROUNDED, "raw", "raw"]


def test_threshold_parameter_is_respected() -> None:
    # Counts 7, 12, 30, 9 with total 58, rows additive.
    # Threshold 5: nothing from 1 to 5 -> published as given.
    # Threshold 10: 7 and 9 are primary; the column then has two suppressed cells, which
    # protect each other (58 - 12 - 30 = 16 = 7 + 9 in some split): no secondary needed.
    table = pd.DataFrame({"Type": ["a", "b", "c", "d", "Total"], "n": [7, 12, 30, 9, 58]})
    kwargs = {"count_columns": ["n"], "label_columns": ["Type"], "total_row": "Total"}
    assert protect(table, **kwargs).table["n"].tolist() == [7, 12, 30, 9, 58]
    ten = protect(table, threshold=10, **kwargs)
    assert ten.table["n"].tolist() == [C, 12, 30, C, 58]
    assert ten.flags["n"].tolist() == [PRIMARY, "raw", "raw", PRIMARY, "raw"]
    assert ten.threshold == 10


def test_rounding_to_five_after_suppression() -> None:
    # Counts 12, 13, 7, 2 and total 34, rounded to 5 for a consortium table.
    # Suppression first: 2 is primary, the smallest other non-zero part 7 is secondary.
    # Then each remaining count is rounded from its own value, halves up:
    #   12 -> 10, 13 -> 15, total 34 -> 35 (not the sum of rounded parts; DfE does the same).
    table = pd.DataFrame({"Area": ["a", "b", "c", "d", "All"], "n": [12, 13, 7, 2, 34]})
    result = protect(
        table, count_columns=["n"], label_columns=["Area"], total_row="All", round_to=5
    )
    assert result.table["n"].tolist() == [10, 15, C, C, 35]
    assert result.flags["n"].tolist() == ["rounded", "rounded", SECONDARY, PRIMARY, "rounded"]
    assert result.round_to == 5


def test_rounding_goes_half_up_and_shows_k_for_a_count_that_rounds_to_zero() -> None:
    # To the nearest 10: 15 -> 20 and 25 -> 30 (Python's round would give 20 and 20);
    # 6 -> 10; 9 -> 10; total 55 -> 60. Nothing is from 1 to 5, so nothing is suppressed.
    table = pd.DataFrame({"n": [15, 25, 6, 9, 55]}, index=["a", "b", "c", "d", "Total"])
    result = protect(table, count_columns=["n"], total_row="Total", round_to=10)
    assert result.table["n"].tolist() == [20, 30, 10, 10, 60]
    assert result.table["n"].dtype == "int64"
    # With threshold 1 a count of 3 is not suppressed, but to the nearest 10 it is 0 while
    # not truly 0: DfE's k. Rows not additive, so no secondary suppression.
    result = protect(
        pd.DataFrame({"n": [3, 0, 48]}),
        count_columns=["n"],
        threshold=1,
        round_to=10,
        rows_additive=False,
    )
    assert result.table["n"].tolist() == [ROUNDS_TO_ZERO, 0, 50]


@pytest.mark.parametrize(
    "column",
    ["CHILD", "DOB", "UPN", "MC_DOB", "HOME_POST", "PL_POST", "Date of birth", "child_postcode"],
)
def test_child_level_frames_are_refused(column: str) -> None:
    table = pd.DataFrame({column: ["x1", "x2"], "n": [10, 12]})
    with pytest.raises(ValueError, match="child-level"):
        protect(table, count_columns=["n"], label_columns=[column], rows_additive=False)


def test_full_postcodes_are_refused_but_children_and_sectors_are_not() -> None:
    postcodes = pd.DataFrame({"Where": ["AB1 2CD", "ZZ9 9ZZ"], "n": [10, 12]})
    with pytest.raises(ValueError, match="full postcodes") as error:
        protect(postcodes, count_columns=["n"], label_columns=["Where"], rows_additive=False)
    assert "AB1 2CD" not in str(error.value)  # the message does not repeat the postcode
    sectors = pd.DataFrame({"Sector": ["AB1 2", "ZZ9 9"], "Children": [10, 12]})
    result = protect(
        sectors, count_columns=["Children"], label_columns=["Sector"], rows_additive=False
    )
    assert result.table["Children"].tolist() == [10, 12]


def test_breach_finder_finds_a_planted_count_and_passes_a_protected_table() -> None:
    table = area_by_placement()
    counts = ["X", "Y", "Z", "Total"]
    protected = protect(
        table,
        count_columns=counts,
        label_columns=["Area"],
        total_row="Total",
        total_column="Total",
    ).table
    assert find_disclosure_breaches(protected, counts, 5) == []
    assert_disclosure_safe(protected, counts, 5)

    planted = protected.copy()
    planted.loc[2, "Z"] = 2  # C/Z: 11 -> 2
    breaches = find_disclosure_breaches(planted, counts, 5)
    assert len(breaches) == 1
    assert "'Z'" in breaches[0] and "row 3" in breaches[0]
    with pytest.raises(DisclosureError, match="1 disclosure breach"):
        assert_disclosure_safe(planted, counts, 5)
    # Text that looks like a number is read as one; unknown text is a breach too.
    assert len(find_disclosure_breaches(pd.DataFrame({"n": ["4", "c", "1,234"]}), ["n"])) == 1
    assert len(find_disclosure_breaches(pd.DataFrame({"n": ["few", "x"]}), ["n"])) == 1
    # The threshold matters: 7 is fine at 5, a breach at 10.
    assert find_disclosure_breaches(pd.DataFrame({"n": [7]}), ["n"], 5) == []
    assert len(find_disclosure_breaches(pd.DataFrame({"n": [7]}), ["n"], 10)) == 1
    # A child-level column is a breach whatever the counts.
    assert find_disclosure_breaches(pd.DataFrame({"UPN": ["A1"], "n": [9]}), ["n"])


def test_breach_finder_with_rounding() -> None:
    # Rounded to 5 with threshold 5: a published 5 stands for 3..7 and is allowed; 13 was
    # not rounded; 4 is a small count and not a multiple of 5 either.
    table = pd.DataFrame({"n": [5, 10, 13, 4]})
    breaches = find_disclosure_breaches(table, ["n"], 5, rounded_to=5)
    assert len(breaches) == 2
    assert "not rounded to 5" in breaches[0]


def test_caller_frame_is_never_changed() -> None:
    table = area_by_placement()
    table["%"] = [10.0, 20.0, 30.0, 40.0]
    before = table.copy(deep=True)
    dtypes = table.dtypes.copy()
    protect(
        table,
        count_columns=["X", "Y", "Z", "Total"],
        label_columns=["Area"],
        total_row="Total",
        total_column="Total",
        derived={"%": ("X", "Total")},
        round_to=5,
    )
    pd.testing.assert_frame_equal(table, before)
    pd.testing.assert_series_equal(table.dtypes, dtypes)


def test_bad_input_is_named() -> None:
    table = pd.DataFrame({"Area": ["a", "b"], "n": [10, -1], "note": ["x", "y"]})
    with pytest.raises(ValueError, match=r"\['note'\] are neither count, derived nor label"):
        protect(table, count_columns=["n"], label_columns=["Area"])
    with pytest.raises(ValueError, match=r"'n', row 2 \(Area='b'\): value -1"):
        protect(table.drop(columns="note"), count_columns=["n"], label_columns=["Area"])
    already = pd.DataFrame({"n": [10, "c"]})
    with pytest.raises(ValueError, match="already protected"):
        protect(already, count_columns=["n"])
    with pytest.raises(ValueError, match="total_row 'Total' not found"):
        protect(pd.DataFrame({"n": [10, 12]}), count_columns=["n"], total_row="Total")
    with pytest.raises(ValueError, match="not a count or derived column"):
        protect(
            pd.DataFrame({"n": [10], "%": [1.0]}),
            count_columns=["n"],
            derived={"%": ("n", "population")},
        )


def test_missing_counts_show_as_x_and_do_not_protect() -> None:
    # Parts 3, NaN, 20 and z (not applicable, given by the caller), no total row (the total
    # is published elsewhere). NaN is shown as x and z is kept; a reader may know either,
    # so neither counts as protection: 20 is suppressed too.
    table = pd.DataFrame({"n": [3, np.nan, 20, "z"]})
    result = protect(table, count_columns=["n"])
    assert result.table["n"].tolist() == [C, NOT_AVAILABLE, C, "z"]
    assert result.flags["n"].tolist() == [
        PRIMARY,
        CellFlag.NOT_AVAILABLE,
        SECONDARY,
        CellFlag.NOT_APPLICABLE,
    ]


def test_a_cell_nothing_can_protect_is_reported() -> None:
    # Parts 3 and 0 whose total is published elsewhere: that total is 3, and the only
    # partner is zero, so this table cannot hide the 3 (the margin must be suppressed
    # where it is published). The zero is not used; a DisclosureWarning says so.
    with pytest.warns(DisclosureWarning, match="'n', row 1"):
        result = protect(pd.DataFrame({"n": [3, 0]}), count_columns=["n"])
    assert result.table["n"].tolist() == [C, 0]


# --- property-style check over random small tables --------------------------------------


def _recoverable_cells(
    suppressed: np.ndarray,
    *,
    rows_additive: bool,
    columns_additive: bool,
    total_row: int | None,
    total_column: int | None,
) -> list[tuple[int, int]]:
    """Suppressed cells whose value follows from the published totals (linear algebra).

    Each additive group is an equation: parts minus total = 0 (or parts = a margin
    published elsewhere). Restricted to the suppressed cells, a cell is determined exactly
    when its unit vector lies in the row space of the equations.
    """
    n, m = suppressed.shape
    cells = list(zip(*np.nonzero(suppressed), strict=True))
    if not cells:
        return []
    equations = []
    if rows_additive:
        for j in range(m):
            equations.append([(-1 if i == total_row else 1) if c == j else 0 for i, c in cells])
    if columns_additive:
        for i in range(n):
            equations.append([(-1 if j == total_column else 1) if r == i else 0 for r, j in cells])
    matrix = np.array(equations, dtype=float)
    rank = np.linalg.matrix_rank(matrix)
    recoverable = []
    for k, cell in enumerate(cells):
        unit = np.zeros(len(cells))
        unit[k] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            recoverable.append(cell)
    return recoverable


def test_random_tables_with_totals_are_safe() -> None:
    rng = np.random.default_rng(20261124)
    for trial in range(300):
        n_rows, n_columns = int(rng.integers(1, 6)), int(rng.integers(1, 5))
        threshold = int(rng.choice([5, 10]))
        parts = rng.choice([0, 0, 1, 2, 3, 4, 5, 7, 9, 12, 20, 45], size=(n_rows, n_columns))
        columns = [f"c{j}" for j in range(n_columns)]
        table = pd.DataFrame(parts, columns=columns)
        table.loc[n_rows] = table.sum()
        table["Total"] = table[columns].sum(axis=1)
        table.insert(0, "Row", [f"r{i}" for i in range(n_rows)] + ["Total"])
        original = table.copy()
        with warnings.catch_warnings():
            warnings.simplefilter("error", DisclosureWarning)  # totals on both sides: none
            result = protect(
                table,
                count_columns=[*columns, "Total"],
                threshold=threshold,
                label_columns=["Row"],
                total_row="Total",
                total_column="Total",
            )
        where = f"trial {trial}:\n{original}\n{result.table}"
        counts = [*columns, "Total"]
        hidden = result.suppressed[counts].to_numpy()
        values = original[counts].to_numpy()
        # No count from 1 to the threshold is left, by the breach finder and directly.
        assert find_disclosure_breaches(result.table, counts, threshold) == [], where
        assert not ((values >= 1) & (values <= threshold) & ~hidden).any(), where
        # Zeros are never suppressed; suppressed cells show c, the rest their own value.
        assert not (hidden & (values == 0)).any(), where
        shown = result.table[counts].to_numpy()
        assert (shown[hidden] == C).all(), where
        assert (shown[~hidden] == values[~hidden]).all(), where
        # No row or column (each with its total) holds exactly one suppressed cell.
        assert not (hidden.sum(axis=0) == 1).any(), where
        assert not (hidden.sum(axis=1) == 1).any(), where
        # And no suppressed cell follows from the totals by any combination of them.
        assert not _recoverable_cells(
            hidden,
            rows_additive=True,
            columns_additive=True,
            total_row=n_rows,
            total_column=n_columns,
        ), where
        pd.testing.assert_frame_equal(table, original)
