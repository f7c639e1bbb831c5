"""Placement requests: how many, for what, for whom, at what notice, with what result.

A request belongs to the collection year (1 April to 31 March) in which it was made
(``date_requested``). Placement-finding timescales follow Hampshire's placement strategy:
the notice given is the days from the request to the day the placement was needed, in the
bands *same day*, *1-2 days* (so "within 2 days" is the first two bands together), *3-5*,
*6-14* and *15 days or more*. A request is **placed as sought** when it was placed in the
type of placement sought, **placed otherwise** when it was placed in another type; the
rest were **unplaced** or **withdrawn**.

Frames in, frames out: the child-level requests of :func:`mps.data.referrals.read_referrals`
(pooled with an ``la`` column for a consortium) in, aggregates out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mps import codes
from mps.analysis.children import population_0_17
from mps.data.layout import PLACEMENT_TYPES_SOUGHT

#: Notice bands: (label, fewest days, most days).
NOTICE_BANDS: tuple[tuple[str, int, float], ...] = (
    ("Same day", 0, 0),
    ("1-2 days", 1, 2),
    ("3-5 days", 3, 5),
    ("6-14 days", 6, 14),
    ("15 days or more", 15, np.inf),
)
NOTICE_BAND_ORDER = tuple(label for label, _, _ in NOTICE_BANDS)
OUTCOME_COLUMNS = ("placed_as_sought", "placed_otherwise", "unplaced", "withdrawn")


def requests_in_year(referrals: pd.DataFrame, year: int) -> pd.DataFrame:
    """The requests made in collection ``year``, with ``notice_band`` and ``result`` (one of
    :data:`OUTCOME_COLUMNS`)."""
    made = referrals["date_requested"].between(codes.year_start(year), codes.year_end(year))
    requests = referrals.loc[made.to_numpy()].copy()
    requests["notice_band"] = notice_band(requests["days_notice"])
    placed = requests["outcome"].eq("placed")
    as_sought = placed & requests["placement_type_placed"].eq(requests["placement_type_sought"])
    result = np.select(
        [as_sought.fillna(False), placed, requests["outcome"].eq("unplaced")],
        ["placed_as_sought", "placed_otherwise", "unplaced"],
        "withdrawn",
    )
    requests["result"] = pd.Series(result, index=requests.index, dtype="string")
    return requests


def notice_band(days: pd.Series) -> pd.Series:
    """The Hampshire notice band of each number of days' notice."""
    edges = [-0.5, 0.5, 2.5, 5.5, 14.5, np.inf]
    banded = pd.cut(days.astype("float64"), bins=edges, labels=list(NOTICE_BAND_ORDER))
    return banded.astype("string")


def requests_by_year(
    referrals: pd.DataFrame,
    years: Sequence[int],
    population: pd.DataFrame | None = None,
    la_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Requests per collection year: ``requests``, ``rate_per_10000`` (of the 0-17
    population, when ``population`` is given), ``per_month`` (requests / 12) and the
    result columns of :data:`OUTCOME_COLUMNS`."""
    rows = []
    for year in years:
        requests = requests_in_year(referrals, year)
        counts = requests["result"].value_counts()
        row = {"year": year, "requests": len(requests)}
        row.update({column: int(counts.get(column, 0)) for column in OUTCOME_COLUMNS})
        if population is not None:
            row["rate_per_10000"] = (
                10_000 * len(requests) / population_0_17(population, year, la_codes)
            )
        row["per_month"] = len(requests) / 12
        rows.append(row)
    return pd.DataFrame(rows)


def requests_by_month(referrals: pd.DataFrame, year: int) -> pd.DataFrame:
    """Requests made in each month of collection ``year`` (April to March, zeros kept):
    ``month`` (first day of the month) and ``requests``."""
    requests = requests_in_year(referrals, year)
    months = pd.date_range(codes.year_start(year), codes.year_end(year), freq="MS")
    counts = requests["date_requested"].dt.to_period("M").dt.to_timestamp().value_counts()
    return pd.DataFrame(
        {"month": months, "requests": counts.reindex(months, fill_value=0).to_numpy()}
    ).astype({"requests": "int64"})


def _result_table(requests: pd.DataFrame, by: str, order: Sequence[str]) -> pd.DataFrame:
    counts = pd.crosstab(requests[by], requests["result"])
    counts = counts.reindex(index=list(order), columns=list(OUTCOME_COLUMNS), fill_value=0)
    counts.columns.name = None
    counts.insert(0, "requests", counts.sum(axis=1))
    placed = requests[requests["days_to_place"].notna()]
    days = placed.groupby(by)["days_to_place"].agg(["size", "mean"]).reindex(list(order))
    counts["placed"] = days["size"].fillna(0).astype("int64").to_numpy()
    counts["average_days_to_place"] = days["mean"].astype("float64").to_numpy()
    return counts.astype({c: "int64" for c in ("requests", *OUTCOME_COLUMNS)})


def requests_by_type(referrals: pd.DataFrame, year: int) -> pd.DataFrame:
    """Requests in ``year`` by type of placement sought, with their results.

    One row per type of :data:`mps.data.layout.PLACEMENT_TYPES_SOUGHT` (zeros kept):
    ``requests``, the result columns (:data:`OUTCOME_COLUMNS`, adding up to
    ``requests``), ``placed`` and ``average_days_to_place`` (request to placement, of the
    placed requests).
    """
    requests = requests_in_year(referrals, year)
    table = _result_table(requests, "placement_type_sought", PLACEMENT_TYPES_SOUGHT)
    return table.rename_axis("placement_type_sought").reset_index()


def requests_by_notice(referrals: pd.DataFrame, year: int) -> pd.DataFrame:
    """Requests in ``year`` by notice band (:data:`NOTICE_BANDS`), with their results and
    the average days from request to placement; columns as :func:`requests_by_type`."""
    requests = requests_in_year(referrals, year)
    table = _result_table(requests, "notice_band", NOTICE_BAND_ORDER)
    return table.rename_axis("notice_band").reset_index()


def requests_by_age(referrals: pd.DataFrame, year: int) -> pd.DataFrame:
    """Requests in ``year`` by DfE age band (rows) and type of placement sought (columns).

    Columns: ``age_band`` then one column per type of
    :data:`mps.data.layout.PLACEMENT_TYPES_SOUGHT`, and ``requests`` (their sum).
    """
    requests = requests_in_year(referrals, year)
    table = pd.crosstab(requests["age_band"], requests["placement_type_sought"])
    table = table.reindex(
        index=list(codes.AGE_BAND_ORDER), columns=list(PLACEMENT_TYPES_SOUGHT), fill_value=0
    )
    table.columns.name = None
    table["requests"] = table.sum(axis=1)
    return table.astype("int64").rename_axis("age_band").reset_index()
