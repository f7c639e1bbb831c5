"""Analysis results shaped into the tables the documents publish.

Each function takes a result of :mod:`mps.analysis` and returns a :class:`PublishableTable`:
the frame with display names, order and totals, plus what disclosure control needs to know
about it (which columns are counts, which are derived from which, whether rows add up to
a total). Notebooks pass it to :meth:`mps.notebook.AreaReport.table`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from mps.charts import numeric
from mps.codes import CATEGORY_LABELS, CATEGORY_ORDER

ALL_PLACEMENTS = "All placements"


@dataclass(frozen=True)
class PublishableTable:
    """A table ready for disclosure control and display."""

    frame: pd.DataFrame
    count_columns: tuple[str, ...]
    label_columns: tuple[str, ...] = ()
    derived: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    total_row: str | None = None
    rows_additive: bool = True
    decimals: dict[str, int] = field(default_factory=dict)
    #: The count column that totals the other count columns of each row (a two-way table).
    total_column: str | None = None


CLA_COLUMNS = {
    "year": "Year",
    "cla_at_31_march": "Children looked after at 31 March",
    "rate_per_10000": "Rate per 10,000 children",
    "starts": "Starts",
    "ceases": "Ceases",
    "net_change": "Net change",
}


def children_looked_after_table(summary: pd.DataFrame) -> PublishableTable:
    """Children looked after at 31 March, rate, starts, ceases and net change by year."""
    renamed = summary.rename(columns=CLA_COLUMNS)
    frame = renamed[[c for c in CLA_COLUMNS.values() if c in renamed.columns]]
    derived: dict[str, tuple[str, str | None]] = {"Net change": ("Starts", "Ceases")}
    if "Rate per 10,000 children" in frame:
        derived["Rate per 10,000 children"] = ("Children looked after at 31 March", None)
    return PublishableTable(
        frame=frame.reset_index(drop=True),
        count_columns=("Children looked after at 31 March", "Starts", "Ceases"),
        label_columns=("Year",),
        derived=derived,
        rows_additive=False,
        decimals={"Rate per 10,000 children": 1, "Net change": 0},
    )


def placement_mix_table(
    mix: pd.DataFrame, years: Sequence[int], reporting_year: int
) -> PublishableTable:
    """Children at 31 March by placement category (rows) and year (columns), with a total
    row and the reporting year's percentage share."""
    wide = (
        mix.pivot(index="placement_category", columns="year", values="children")
        .reindex(index=list(CATEGORY_ORDER), columns=list(years))
        .fillna(0)
        .astype("int64")
    )
    wide.columns = [str(year) for year in wide.columns]
    wide.loc[ALL_PLACEMENTS] = wide.sum()
    labels = [CATEGORY_LABELS.get(c, c) if c != ALL_PLACEMENTS else c for c in wide.index]
    wide.insert(0, "Placement", labels)
    latest = str(reporting_year)
    share = f"{latest} %"
    total = wide.loc[ALL_PLACEMENTS, latest]
    wide[share] = (100 * wide[latest] / total).round(1) if total else float("nan")
    return PublishableTable(
        frame=wide.reset_index(drop=True),
        count_columns=tuple(str(y) for y in years),
        label_columns=("Placement",),
        derived={share: (latest, None)},
        total_row=ALL_PLACEMENTS,
        decimals={share: 1},
    )


def placement_shares(published_mix: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Percentage shares per year from a *published* mix table, for the chart.

    Suppressed cells count as unknown (not drawn), so the chart shows no more than the table.
    """
    rows = published_mix[published_mix["Placement"] != ALL_PLACEMENTS]
    totals = published_mix[published_mix["Placement"] == ALL_PLACEMENTS]
    shares = {}
    for year in years:
        column = str(year)
        total = numeric(totals[column]).iloc[0] if not totals.empty else float("nan")
        values = numeric(rows[column]).to_numpy(dtype="float64")
        shares[column] = (100 * values / total).round(1) if total else values * float("nan")
    frame = pd.DataFrame(shares, index=rows["Placement"].to_list()).T
    frame.insert(0, "Year", frame.index)
    return frame.reset_index(drop=True)
