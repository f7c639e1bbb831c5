"""What the forecast placements would cost: children by category x weekly unit cost.

**Unit costs** are the average cost of a week of placement in each category in the
reporting year, from the spend data (:func:`mps.analysis.spend.unit_costs`) where the
category has more placements than the disclosure threshold; otherwise the weekly cost in
the parameters (``forecast.unit_costs``: illustrative figures, flagged as such in every
table, reference §3.10). Costs rise by ``inflation_pct`` a year after the reporting year.

**Cost of a forecast year** (year Y, 1 April Y-1 to 31 March Y): the children in each
category on an average day of the year, taken as the mean of the numbers at the 31 March
that opens and the one that closes it, times the weekly cost times the weeks in the year.
The **weekly cost at 31 March** is the children then times the weekly cost.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from mps import codes
from mps.analysis import spend as spend_analysis

FROM_SPEND = "spend data"
FROM_PARAMETERS = "parameters (illustrative)"
COST_COLUMNS = (
    "scenario",
    "year",
    "placement_category",
    "children",
    "children_average",
    "weekly_unit_cost",
    "weekly_cost",
    "annual_cost",
)


def unit_costs(
    spend: pd.DataFrame | None,
    year: int,
    defaults: Mapping[str, float],
    *,
    min_placements: int,
) -> pd.DataFrame:
    """Weekly unit cost of every category: ``placement_category``, ``weekly_cost``,
    ``source`` (:data:`FROM_SPEND` or :data:`FROM_PARAMETERS`) and ``placements`` (behind a
    spend figure; 0 for a parameter). A spend figure needs more than ``min_placements``
    placements in ``year`` (the disclosure threshold: fewer would show what one child's
    placement costs)."""
    unknown = sorted(set(defaults) - set(codes.CATEGORY_ORDER))
    if unknown:
        raise ValueError(f"unit costs for unknown placement categories: {', '.join(unknown)}")
    rows = {c: (float(defaults.get(c, np.nan)), FROM_PARAMETERS, 0) for c in codes.CATEGORY_ORDER}
    if spend is not None and len(spend):
        measured = spend_analysis.unit_costs(spend, year)
        for row in measured.itertuples(index=False):
            if row.placements > min_placements and np.isfinite(row.average):
                rows[row.placement_category] = (float(row.average), FROM_SPEND, int(row.placements))
    missing = [c for c, (cost, _, _) in rows.items() if np.isnan(cost)]
    if missing:
        raise ValueError(
            f"no weekly unit cost for {', '.join(missing)}: give one in forecast.unit_costs"
        )
    return pd.DataFrame(
        [(c, cost, source, n) for c, (cost, source, n) in rows.items()],
        columns=["placement_category", "weekly_cost", "source", "placements"],
    )


def cost_projection(
    forecast: pd.DataFrame,
    current: pd.Series,
    costs: pd.DataFrame,
    *,
    base_year: int,
    inflation_pct: float,
) -> pd.DataFrame:
    """Cost of each scenario's forecast by year and category (:data:`COST_COLUMNS`).

    ``forecast`` has scenario, year, placement_category and forecast (children at 31 March,
    category totals); ``current`` the children in each category at 31 March ``base_year``
    (the jump-off, which opens the first forecast year); ``costs`` is :func:`unit_costs`.
    """
    unit = costs.set_index("placement_category")["weekly_cost"]
    frame = forecast[["scenario", "year", "placement_category", "forecast"]].rename(
        columns={"forecast": "children"}
    )
    frame = frame.sort_values(["scenario", "placement_category", "year"], kind="stable")
    opening = frame.groupby(["scenario", "placement_category"], sort=False)["children"].shift(1)
    at_jump_off = frame["placement_category"].map(current).fillna(0.0)
    opening = opening.fillna(at_jump_off.where(frame["year"] == base_year + 1))
    frame["children_average"] = (opening + frame["children"]) / 2
    prices = (1 + inflation_pct / 100) ** (frame["year"] - base_year)
    frame["weekly_unit_cost"] = frame["placement_category"].map(unit) * prices
    frame["weekly_cost"] = frame["children"] * frame["weekly_unit_cost"]
    days = [(codes.year_end(y) - codes.year_end(y - 1)).days for y in frame["year"]]
    frame["annual_cost"] = (
        frame["children_average"] * frame["weekly_unit_cost"] * (np.array(days) / 7)
    )
    order = {c: i for i, c in enumerate(codes.CATEGORY_ORDER)}
    scenario_order = {s: i for i, s in enumerate(dict.fromkeys(forecast["scenario"]))}
    frame = frame.assign(
        _s=frame["scenario"].map(scenario_order), _c=frame["placement_category"].map(order)
    ).sort_values(["_s", "year", "_c"], kind="stable")
    return frame[list(COST_COLUMNS)].reset_index(drop=True)


def scenario_comparison(costs: pd.DataFrame, baseline: str = "baseline") -> pd.DataFrame:
    """Each scenario's children and cost by year against the baseline: scenario, year,
    children (at 31 March), weekly_cost (of all their placements then), annual_cost, and
    children_change, weekly_cost_change and cost_change (scenario minus baseline: a
    negative cost change is a saving)."""
    values = ["children", "weekly_cost", "annual_cost"]
    totals = costs.groupby(["scenario", "year"], sort=False)[values].sum().reset_index()
    base = totals.loc[totals["scenario"] == baseline].set_index("year")
    for value, change in [
        ("children", "children_change"),
        ("weekly_cost", "weekly_cost_change"),
        ("annual_cost", "cost_change"),
    ]:
        totals[change] = totals[value] - totals["year"].map(base[value])
    return totals
