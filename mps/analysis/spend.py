"""Placement spend by year and placement category, and weekly unit costs.

Counting rules:

* **Spend in a year** is the weekly cost times the weeks of the placement within the year
  (1 April to 31 March). A placement's days run from its start up to, not including, its
  end (the child moves on the end date), and to the end of the year while it is open:
  a placement from 1 April open all year is 365 days = 52.14 weeks.
* **A placement** in a year is one child with one provider (URN, else provider name) in
  one placement category under one contract status. Spend rows that only change the price
  are parts of the same placement; its ``weekly_cost`` is its spend divided by its weeks
  (the price averaged over the weeks it applied).
* **Bought placements** are those not provided by the council itself (PLACE_PROVIDER not
  PR1) nor with parents (PR0): the placements commissioning buys, where contract status
  matters.

Frames in, frames out: the child-level spend of :func:`mps.data.spend.read_spend`
(pooled with an ``la`` column for a consortium) in, aggregates out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mps import codes

DAYS_PER_WEEK = 7.0
#: PLACE_PROVIDER codes of placements the council does not buy.
NOT_BOUGHT_PROVIDERS = ("PR0", "PR1")
NOT_RECORDED = "Not recorded"


def _with_la(frame: pd.DataFrame) -> pd.DataFrame:
    return frame if "la" in frame.columns else frame.assign(la="")


def spend_rows_in_year(spend: pd.DataFrame, year: int) -> pd.DataFrame:
    """The spend rows with days in collection ``year``, with ``weeks`` and ``spend`` in it."""
    first = codes.year_start(year)
    after_last = codes.year_end(year) + pd.Timedelta(days=1)
    begin = spend["placement_start"].clip(lower=first)
    end = spend["placement_end"].fillna(after_last).clip(upper=after_last)
    days = (end - begin).dt.days
    rows = _with_la(spend.loc[days > 0]).copy()
    rows["weeks"] = days[days > 0] / DAYS_PER_WEEK
    rows["spend"] = rows["weekly_cost"] * rows["weeks"]
    return rows


def placements_in_year(spend: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per placement in collection ``year`` (module docstring), with ``weeks``,
    ``spend`` and ``weekly_cost`` (spend / weeks), the provider (``provider``: the URN, else
    the name, else "Not recorded"), ``on_contract`` and ``bought``."""
    rows = spend_rows_in_year(spend, year)
    rows["provider"] = (
        rows["URN"].fillna(rows["provider_name"]).fillna(NOT_RECORDED).astype("string")
    )
    keys = ["la", "CHILD", "placement_category", "provider", "contract_status"]
    rows = rows.sort_values([*keys, "placement_start"], kind="stable")
    grouped = rows.groupby(keys, sort=True, dropna=False)
    placements = grouped.agg(
        weeks=("weeks", "sum"),
        spend=("spend", "sum"),
        URN=("URN", "first"),
        provider_name=("provider_name", "first"),
        PLACE_PROVIDER=("PLACE_PROVIDER", "first"),
        on_contract=("on_contract", "first"),
        placement_start=("placement_start", "min"),
        placement_end=("placement_end", "max"),
    ).reset_index()
    placements["weekly_cost"] = placements["spend"] / placements["weeks"]
    placements["bought"] = ~placements["PLACE_PROVIDER"].isin(NOT_BOUGHT_PROVIDERS).fillna(
        False
    ).astype(bool)
    placements["provider_name"] = placements["provider_name"].fillna(NOT_RECORDED)
    placements["year"] = year
    return placements


def spend_by_category(spend: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Placements, weeks and spend by placement category for each collection year.

    One row per year and category of :data:`mps.codes.CATEGORY_ORDER` (zeros included),
    with ``placements``, ``weeks`` and ``spend`` (pounds).
    """
    frames = []
    for year in years:
        placements = placements_in_year(spend, year)
        totals = placements.groupby("placement_category").agg(
            placements=("CHILD", "size"), weeks=("weeks", "sum"), spend=("spend", "sum")
        )
        totals = totals.reindex(list(codes.CATEGORY_ORDER), fill_value=0)
        frames.append(totals.rename_axis("placement_category").reset_index().assign(year=year))
    result = pd.concat(frames, ignore_index=True)
    result["placements"] = result["placements"].astype("int64")
    return result[["year", "placement_category", "placements", "weeks", "spend"]]


def unit_costs(spend: pd.DataFrame, year: int) -> pd.DataFrame:
    """Weekly unit costs of the placements in ``year`` by placement category.

    One row per category with placements: ``placements``, ``average`` (spend / weeks: the
    cost of a week of placement), and the ``lower_quartile``, ``median`` and
    ``upper_quartile`` of the placements' weekly costs (linear interpolation).
    """
    placements = placements_in_year(spend, year)
    grouped = placements.groupby("placement_category", sort=False)
    result = pd.DataFrame(
        {
            "placements": grouped.size(),
            "average": grouped["spend"].sum() / grouped["weeks"].sum(),
            "lower_quartile": grouped["weekly_cost"].quantile(0.25),
            "median": grouped["weekly_cost"].median(),
            "upper_quartile": grouped["weekly_cost"].quantile(0.75),
        }
    )
    order = [c for c in codes.CATEGORY_ORDER if c in result.index]
    return result.reindex(order).rename_axis("placement_category").reset_index()


def latest_years(years: Sequence[int], reporting_year: int, count: int) -> list[int]:
    """The ``count`` collection years up to ``reporting_year`` that are loaded."""
    return [y for y in sorted(years) if y <= reporting_year][-count:]


def weeks_weighted_average(values: pd.Series, weeks: pd.Series) -> float:
    """The average of ``values`` weighted by ``weeks`` (NaN when there are no weeks)."""
    total = float(weeks.sum())
    return float(np.dot(values, weeks) / total) if total else float("nan")
