"""The demand forecast's results shaped into the tables the documents publish.

Each function takes a result of :class:`mps.analysis.forecast.area.AreaForecast` and
returns a :class:`~mps.presentation.PublishableTable` for
:meth:`mps.notebook.AreaReport.table`. Forecasts are numbers of children, so they are
published as counts (disclosure control treats them like any count): rounded to whole
children, and where a table's rows add up to a total, rounded so that they do (the largest
remainders are rounded up), so the total shown is the sum of the rows shown.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mps.analysis.forecast.scenarios import Scenario
from mps.analysis.forecast.stockflow import ALL_AGES, ALL_CATEGORIES
from mps.analysis.forecast.timeseries import METHOD_LABELS
from mps.codes import AGE_BAND_ORDER, CATEGORY_LABELS, CATEGORY_ORDER
from mps.presentation import ALL_PLACEMENTS, PublishableTable

BASELINE = "baseline"
BASELINE_LABEL = "Baseline (no change)"
RECORDED = "Recorded"
FORECAST = "Forecast"
RANGE_COLUMNS = {
    "lower_80": "80% range from",
    "upper_80": "80% range to",
    "lower_95": "95% range from",
    "upper_95": "95% range to",
}
ALL_AGES_LABEL = "All ages"
NOT_APPLICABLE = "z"
THOUSANDS = "£ thousand"


def whole(values: pd.Series | np.ndarray) -> np.ndarray:
    """Numbers rounded to whole children, halves up (2.5 -> 3, as DfE rounds)."""
    return np.floor(np.asarray(values, dtype=float) + 0.5)


def rounded_parts(values: Sequence[float]) -> np.ndarray:
    """Whole numbers that add up to the rounded total of ``values``: each value rounded
    down, then the rest of the total given one each to the largest remainders (ties to the
    first)."""
    values = np.clip(np.asarray(values, dtype=float), 0, None)
    total = whole(values.sum())
    floors = np.floor(values)
    short = int(total - floors.sum())
    order = np.argsort(-(values - floors), kind="stable")
    floors[order[: max(short, 0)]] += 1
    return floors


def _year(year: int) -> str:
    return str(int(year))


def _collection_year(year: int) -> str:
    return f"{year - 1}-{str(year)[-2:]}"


def forecast_total_table(
    history: pd.DataFrame, totals: pd.DataFrame, scenario: str = BASELINE
) -> PublishableTable:
    """Children looked after at 31 March: recorded in the years loaded, then forecast with
    its 80% and 95% ranges. ``history`` has year and children; ``totals`` the forecast of
    all categories (:meth:`~mps.analysis.forecast.area.AreaForecast.totals`)."""
    rows = totals.loc[
        (totals["scenario"] == scenario)
        & (totals["placement_category"] == ALL_CATEGORIES)
        & (totals["age_band"] == ALL_AGES)
    ].sort_values("year")
    recorded = pd.DataFrame(
        {"Year": history["year"].map(_year), RECORDED: whole(history["children"])}
    )
    for column in [FORECAST, *RANGE_COLUMNS.values()]:
        recorded[column] = NOT_APPLICABLE
    ahead = pd.DataFrame({"Year": rows["year"].map(_year), RECORDED: NOT_APPLICABLE})
    ahead[FORECAST] = whole(rows["forecast"])
    for source, column in RANGE_COLUMNS.items():
        ahead[column] = whole(rows[source])
    frame = pd.concat([recorded, ahead], ignore_index=True).astype(object)
    return PublishableTable(
        frame=frame,
        count_columns=(RECORDED, FORECAST, *RANGE_COLUMNS.values()),
        label_columns=("Year",),
        rows_additive=False,
    )


def _group_table(
    demand: pd.DataFrame,
    current: pd.DataFrame,
    *,
    by: str,
    order: Sequence[str],
    labels: dict[str, str],
    label: str,
    total_label: str,
    scenario: str,
) -> PublishableTable:
    """Rows of ``by`` (categories or age bands), a column for now and each forecast year."""
    other = "age_band" if by == "placement_category" else "placement_category"
    every = ALL_AGES if other == "age_band" else ALL_CATEGORIES
    rows = demand.loc[(demand["scenario"] == scenario) & (demand[other] == every)]
    now = current.loc[current[other] == every].set_index(by)["forecast"]
    start = int(current["year"].iloc[0])
    years = sorted(rows["year"].unique())
    table = pd.DataFrame({label: [labels.get(k, k) for k in order]})
    columns = [f"{start} (recorded)"] + [_year(y) for y in years]
    table[columns[0]] = rounded_parts(now.reindex(list(order)).fillna(0.0).to_numpy())
    for year, column in zip(years, columns[1:], strict=True):
        values = rows.loc[rows["year"] == year].set_index(by)["forecast"]
        table[column] = rounded_parts(values.reindex(list(order)).fillna(0.0).to_numpy())
    total = {label: total_label, **{c: table[c].sum() for c in columns}}
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    change = f"Change to {years[-1]} %"
    first, last = table[columns[0]].astype(float), table[columns[-1]].astype(float)
    table[change] = (100 * (last - first) / first.where(first > 0)).round(0)
    for column in columns:
        table[column] = table[column].astype("int64")
    return PublishableTable(
        frame=table,
        count_columns=tuple(columns),
        label_columns=(label,),
        derived={change: (columns[-1], columns[0])},
        total_row=total_label,
        decimals={change: 0},
    )


def forecast_by_category_table(
    demand: pd.DataFrame, current: pd.DataFrame, scenario: str = BASELINE
) -> PublishableTable:
    """Children by placement category now and at 31 March of each forecast year."""
    return _group_table(
        demand,
        current,
        by="placement_category",
        order=CATEGORY_ORDER,
        labels=dict(CATEGORY_LABELS),
        label="Placement",
        total_label=ALL_PLACEMENTS,
        scenario=scenario,
    )


def forecast_by_age_table(
    totals: pd.DataFrame, current: pd.DataFrame, scenario: str = BASELINE
) -> PublishableTable:
    """Children by age band now and at 31 March of each forecast year."""
    return _group_table(
        totals,
        current,
        by="age_band",
        order=AGE_BAND_ORDER,
        labels={},
        label="Age",
        total_label=ALL_AGES_LABEL,
        scenario=scenario,
    )


BACKTEST_COLUMNS = {
    "method": "Method",
    "horizon": "Years ahead",
    "forecasts": "Forecasts tested",
    "median_ape": "Median error %",
    "mean_ape": "Mean error %",
    "coverage_80": "Outcomes inside the 80% range %",
    "coverage_95": "Outcomes inside the 95% range %",
}


def backtest_table(errors: pd.DataFrame, methods: Sequence[str] | None = None) -> PublishableTable:
    """The back-test's errors by method and years ahead. Nothing in it counts children (the
    forecasts tested are forecasts, the rest percentages), so every column is a label."""
    frame = errors if methods is None else errors.loc[errors["method"].isin(list(methods))]
    frame = frame[list(BACKTEST_COLUMNS)].rename(columns=BACKTEST_COLUMNS).copy()
    frame["Method"] = frame["Method"].map(lambda m: METHOD_LABELS.get(m, m))
    for column in list(BACKTEST_COLUMNS.values())[3:]:
        frame[column] = frame[column].astype(float).round(1)
    frame["Forecasts tested"] = frame["Forecasts tested"].astype("int64")
    return PublishableTable(
        frame=frame.reset_index(drop=True),
        count_columns=(),
        label_columns=tuple(frame.columns),
        rows_additive=False,
        decimals={c: 1 for c in list(BACKTEST_COLUMNS.values())[3:]},
    )


def scenario_table(
    comparison: pd.DataFrame, scenarios: Sequence[Scenario], year: int
) -> PublishableTable:
    """Each scenario against the baseline in forecast ``year``: children looked after at
    31 March, the weekly cost of their placements then, the year's cost, and the
    differences from the baseline. ``comparison`` is
    :meth:`~mps.analysis.forecast.area.AreaForecast.scenario_comparison`."""
    rows = comparison.loc[comparison["year"] == year].set_index("scenario")
    children = f"Children looked after at 31 March {year}"
    difference = "Difference in children"
    weekly = f"Weekly cost at 31 March {year} (£)"
    cost = f"Cost in {_collection_year(year)} ({THOUSANDS})"
    saving = f"Difference in cost ({THOUSANDS})"
    named = [(BASELINE, BASELINE_LABEL, "the forecast")] + [
        (s.name, s.label, "; ".join(s.changes())) for s in scenarios
    ]
    base_children = whole(rows.loc[BASELINE, "children"])
    records = []
    for name, label, changes in named:
        count = whole(rows.loc[name, "children"])
        records.append(
            {
                "Scenario": label,
                "What changes": changes,
                children: int(count),
                difference: int(count - base_children),
                weekly: float(np.round(rows.loc[name, "weekly_cost"])),
                cost: float(np.round(rows.loc[name, "annual_cost"] / 1000)),
                saving: float(np.round(rows.loc[name, "cost_change"] / 1000)),
            }
        )
    frame = pd.DataFrame(records)
    return PublishableTable(
        frame=frame,
        count_columns=(children,),
        label_columns=("Scenario", "What changes"),
        derived={c: (children, None) for c in (difference, weekly, cost, saving)},
        rows_additive=False,
        decimals={difference: 0, weekly: 0, cost: 0, saving: 0},
    )


def scenario_category_table(
    demand: pd.DataFrame, scenarios: Sequence[Scenario], year: int
) -> PublishableTable:
    """Children by placement category at 31 March ``year`` under each scenario."""
    rows = demand.loc[(demand["year"] == year) & (demand["age_band"] == ALL_AGES)]
    table = pd.DataFrame({"Placement": [CATEGORY_LABELS.get(c, c) for c in CATEGORY_ORDER]})
    named = [(BASELINE, BASELINE_LABEL)] + [(s.name, s.label) for s in scenarios]
    for name, label in named:
        values = rows.loc[rows["scenario"] == name].set_index("placement_category")["forecast"]
        table[label] = rounded_parts(values.reindex(list(CATEGORY_ORDER)).fillna(0.0).to_numpy())
    total = {"Placement": ALL_PLACEMENTS, **{label: table[label].sum() for _, label in named}}
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    for _, label in named:
        table[label] = table[label].astype("int64")
    return PublishableTable(
        frame=table,
        count_columns=tuple(label for _, label in named),
        label_columns=("Placement",),
        total_row=ALL_PLACEMENTS,
    )


def cost_table(
    costs: pd.DataFrame, unit_costs: pd.DataFrame, years: Sequence[int], scenario: str = BASELINE
) -> PublishableTable:
    """The baseline's cost by placement category in the first and last forecast years:
    the weekly cost per child (and where it comes from), the children at 31 March and
    the year's cost in £ thousand."""
    rows = costs.loc[costs["scenario"] == scenario]
    unit = unit_costs.set_index("placement_category")
    table = pd.DataFrame({"Placement": [CATEGORY_LABELS.get(c, c) for c in CATEGORY_ORDER]})
    table["Weekly cost per child now (£)"] = [
        float(np.round(unit.loc[c, "weekly_cost"])) for c in CATEGORY_ORDER
    ]
    table["Weekly cost from"] = [unit.loc[c, "source"] for c in CATEGORY_ORDER]
    counts, derived = [], {}
    for year in years:
        chosen = rows.loc[rows["year"] == year].set_index("placement_category")
        children = f"Children at 31 March {year}"
        cost = f"Cost in {_collection_year(year)} ({THOUSANDS})"
        table[children] = rounded_parts(
            chosen["children"].reindex(list(CATEGORY_ORDER)).fillna(0.0).to_numpy()
        )
        table[cost] = (
            (chosen["annual_cost"].reindex(list(CATEGORY_ORDER)).fillna(0.0) / 1000)
            .round(0)
            .to_numpy()
        )
        counts.append(children)
        derived[cost] = (children, None)
    total = {"Placement": ALL_PLACEMENTS, "Weekly cost per child now (£)": np.nan,
             "Weekly cost from": ""}  # fmt: skip
    for column in [*counts, *derived]:
        total[column] = table[column].sum()
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    for column in counts:
        table[column] = table[column].astype("int64")
    return PublishableTable(
        frame=table,
        count_columns=tuple(counts),
        label_columns=("Placement", "Weekly cost per child now (£)", "Weekly cost from"),
        derived=derived,
        total_row=ALL_PLACEMENTS,
        decimals={"Weekly cost per child now (£)": 0, **{c: 0 for c in derived}},
    )


def assumptions_table(flows: pd.DataFrame, reference_years: tuple[int, int]) -> PublishableTable:
    """What the forecast assumes, by placement category, from the reference years: the
    children starting care there a year, those leaving care from it and moving to another
    type of placement, and how long children stay in it before leaving or moving.
    ``flows`` is :meth:`~mps.analysis.forecast.area.AreaForecast.flows_by_category`."""
    first, last = reference_years
    period = (
        _collection_year(first)
        if first == last
        else (f"{_collection_year(first)} to {_collection_year(last)}")
    )
    keyed = flows.set_index("placement_category").reindex(list(CATEGORY_ORDER)).fillna(0.0)
    starting = "Children starting care here, a year"
    leaving = f"Children leaving care from here, {period}"
    moving = f"Moves to another type of placement, {period}"
    stay = "Years in this placement before leaving or moving, on average"
    table = pd.DataFrame({"Placement": [CATEGORY_LABELS.get(c, c) for c in CATEGORY_ORDER]})
    table[starting] = rounded_parts(keyed["entries_per_year"].to_numpy())
    table[leaving] = whole(keyed["exits"].to_numpy())
    table[moving] = whole(keyed["moves"].to_numpy())
    events = keyed["exits"] + keyed["moves"]
    table[stay] = (keyed["child_years"] / events.where(events > 0)).round(1).to_numpy()
    total_events = float(events.sum())
    total = {
        "Placement": ALL_PLACEMENTS,
        starting: table[starting].sum(),
        leaving: table[leaving].sum(),
        moving: table[moving].sum(),
        stay: round(float(keyed["child_years"].sum()) / total_events, 1)
        if total_events
        else np.nan,
    }
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    for column in (starting, leaving, moving):
        table[column] = table[column].astype("int64")
    return PublishableTable(
        frame=table,
        count_columns=(starting, leaving, moving),
        label_columns=("Placement",),
        # The average stay is worked out from the children leaving and moving: withheld
        # wherever either is.
        derived={stay: (leaving, moving)},
        total_row=ALL_PLACEMENTS,
        decimals={stay: 1},
    )
