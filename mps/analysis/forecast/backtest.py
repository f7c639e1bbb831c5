"""Rolling-origin back-tests: how well each method would have forecast the years we know.

For each **origin** year, every method forecasts from the data up to that year only, and
the forecasts are compared with what then happened. Over many origins (and, for DfE's
tables, many local authorities) that gives each method's track record by **horizon**
(years ahead):

* the **median and mean absolute percentage error** (MdAPE, MAPE) of the forecasts;
* the **coverage** of the 80% and 95% intervals: the share of outcomes that fell inside
  them, which should be about 80% and 95% if the intervals are honest.

Intervals in a back-test are made only from what was known at the origin: from the
errors the method made at earlier origins whose outcome was known by then (pooled over
the series, at least :data:`MIN_ERRORS` of them); beyond the horizons with such a record,
from the furthest one that has it, widened as a random walk's errors widen; else from the
model's own standard error.
The same rule gives the intervals of a forecast published today
(:func:`forecast_with_intervals`).

:func:`choose_method` keeps persistence (next year = this year, the hardest baseline to
beat: reference §4.4) unless another method did clearly better (at least 5% lower) on both
the median and the mean error, and says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mps.analysis.forecast import timeseries
from mps.analysis.forecast.timeseries import METHODS, interval_bounds, log_error, shifted

#: Fewest earlier errors (pooled over series) from which intervals are taken.
MIN_ERRORS = 10
#: How much lower (as a share) a method's errors must be than the baseline's to be chosen.
MIN_IMPROVEMENT = 0.05
#: Fewest values a series needs up to an origin to be forecast in a back-test.
MIN_HISTORY = 3
LEVELS: tuple[float, ...] = (0.8, 0.95)
RESULT_COLUMNS = (
    "method",
    "origin",
    "series",
    "horizon",
    "year",
    "forecast",
    "lower_80",
    "upper_80",
    "lower_95",
    "upper_95",
    "actual",
    "interval_source",
)
ERROR_COLUMNS = (
    "method",
    "horizon",
    "forecasts",
    "median_ape",
    "mean_ape",
    "coverage_80",
    "coverage_95",
)


def _level(level: float) -> int:
    return round(level * 100)


def _point_forecasts(
    history: pd.DataFrame,
    methods: Sequence[str],
    origins: Sequence[int],
    horizon: int,
    population: pd.DataFrame | None,
) -> pd.DataFrame:
    """Point forecasts and model standard errors of every method from every origin (long)."""
    frames = []
    for origin in origins:
        past = history.loc[:, :origin]
        enough = past.notna().sum(axis=1) >= 1
        past = past.loc[enough]
        fitted = {
            method: timeseries.forecast_series(past, method, horizon, population=population)
            for method in methods
        }
        for method in methods:
            result = fitted[method]
            long = result.point.stack().rename("forecast").to_frame()
            long["log_sd"] = result.log_sd.stack()
            long.index.names = ["series", "horizon"]
            long = long.reset_index()
            long["method"] = method
            long["origin"] = origin
            long["method_used"] = long["series"].map(result.method_used)
            frames.append(long)
    if not frames:
        return pd.DataFrame(
            columns=["series", "horizon", "forecast", "log_sd", "method", "origin", "method_used"]
        )
    out = pd.concat(frames, ignore_index=True)
    out["year"] = out["origin"] + out["horizon"]
    return out


def _actuals(points: pd.DataFrame, history: pd.DataFrame) -> np.ndarray:
    long = history.stack().rename("actual")
    long.index.names = ["series", "year"]
    keys = pd.MultiIndex.from_arrays([points["series"], points["year"]])
    return long.reindex(keys).to_numpy(dtype=float)


def _add_intervals(points: pd.DataFrame, levels: Sequence[float]) -> pd.DataFrame:
    """Bounds for each forecast from the errors known at its origin (module docstring)."""
    points = points.copy()
    known = points["actual"].notna() & points["forecast"].notna()
    errors = points.loc[known, ["method", "horizon", "year"]].assign(
        error=log_error(points.loc[known, "actual"], points.loc[known, "forecast"])
    )
    for level in levels:
        points[f"lower_{_level(level)}"] = np.nan
        points[f"upper_{_level(level)}"] = np.nan
    points["interval_source"] = "model"
    for (method, origin, horizon), rows in points.groupby(
        ["method", "origin", "horizon"], sort=False
    ):
        earlier = errors.loc[
            (errors["method"] == method)
            & (errors["horizon"] == horizon)
            & (errors["year"] <= origin),
            "error",
        ].to_numpy()
        source, factor = "errors", 1.0
        if len(earlier) < MIN_ERRORS:
            # No track record this far ahead: the errors of the furthest horizon that has
            # one, widened as a random walk's are (sqrt of the horizons' ratio).
            earlier, nearest = _nearest_horizon_errors(errors, method, origin, horizon)
            source, factor = "errors (scaled)", np.sqrt(horizon / nearest) if nearest else 1.0
        forecast = rows["forecast"].to_numpy(dtype=float)
        for level in levels:
            if len(earlier) >= MIN_ERRORS:
                tail = (1 - level) / 2
                low, high = np.quantile(earlier, [tail, 1 - tail]) * factor
                lower, upper = shifted(forecast, low), shifted(forecast, high)
            else:
                source = "model"
                lower, upper = interval_bounds(forecast, rows["log_sd"].to_numpy(), level)
            points.loc[rows.index, f"lower_{_level(level)}"] = lower
            points.loc[rows.index, f"upper_{_level(level)}"] = upper
        points.loc[rows.index, "interval_source"] = source
    return points


def _nearest_horizon_errors(
    errors: pd.DataFrame, method: str, origin: int, horizon: int
) -> tuple[np.ndarray, int]:
    """The errors known at ``origin`` of the furthest horizon below ``horizon`` that has at
    least :data:`MIN_ERRORS` of them, and that horizon (0 when none has)."""
    for nearer in range(horizon - 1, 0, -1):
        found = errors.loc[
            (errors["method"] == method)
            & (errors["horizon"] == nearer)
            & (errors["year"] <= origin),
            "error",
        ].to_numpy()
        if len(found) >= MIN_ERRORS:
            return found, nearer
    return np.zeros(0), 0


def first_origin(history: pd.DataFrame, min_history: int = MIN_HISTORY) -> int:
    """The first year by which some series has ``min_history`` values."""
    counts = history.notna().cumsum(axis=1).max(axis=0)
    ready = counts[counts >= min_history]
    if ready.empty:
        raise ValueError(
            f"no series has {min_history} values: a back-test needs at least that much history"
        )
    return int(ready.index[0])


def rolling_origin(
    history: pd.DataFrame,
    origins: Sequence[int],
    horizon: int,
    *,
    methods: Sequence[str] = METHODS,
    population: pd.DataFrame | None = None,
    levels: Sequence[float] = LEVELS,
    calibrate_from: int | None = None,
) -> pd.DataFrame:
    """Back-test ``methods`` on annual ``history`` (series x years, NaN where missing).

    From each origin in ``origins`` every method forecasts 1 to ``horizon`` years ahead
    from the years up to the origin; earlier origins back to ``calibrate_from`` (default:
    the first year with :data:`MIN_HISTORY` values) are forecast too, so that intervals
    can be taken from errors known at each origin. Returns :data:`RESULT_COLUMNS` for the
    requested origins (``actual`` NaN where the outcome is not in ``history``), plus
    ``method_used`` (which method a short series fell back to).
    """
    methods = [m for m in METHODS if m in set(methods)] + [m for m in methods if m not in METHODS]
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(
            f"unknown method(s) {', '.join(unknown)}; choose from {', '.join(METHODS)}"
        )
    if "rate_population" in methods and population is None:
        methods = [m for m in methods if m != "rate_population"]
    start = calibrate_from if calibrate_from is not None else first_origin(history)
    wanted = sorted({int(o) for o in origins})
    every = sorted(set(range(start, max(wanted) + 1)) | set(wanted)) if wanted else []
    points = _point_forecasts(history, methods, every, horizon, population)
    points["actual"] = _actuals(points, history)
    points = _add_intervals(points, levels)
    points = points.loc[points["origin"].isin(wanted)]
    order = {m: i for i, m in enumerate(methods)}
    points = points.sort_values(
        ["method", "origin", "series", "horizon"],
        key=lambda c: c.map(order) if c.name == "method" else c,
        kind="stable",
    )
    return points[[*RESULT_COLUMNS, "method_used"]].reset_index(drop=True)


def error_table(results: pd.DataFrame) -> pd.DataFrame:
    """Each method's errors by horizon from back-test results (:data:`ERROR_COLUMNS`).

    ``forecasts`` counts the forecasts with a known outcome above 0 (a percentage error of
    an outcome of 0 is not defined); the errors are percentages of the outcome; coverage is
    the percentage of outcomes inside the interval. Methods in the order given.
    """
    known = results.loc[results["actual"].notna() & (results["actual"] > 0)].copy()
    known["ape"] = (known["forecast"] - known["actual"]).abs() / known["actual"] * 100
    for level in (80, 95):
        inside = (known[f"lower_{level}"] <= known["actual"]) & (
            known["actual"] <= known[f"upper_{level}"]
        )
        known[f"inside_{level}"] = inside.astype(float) * 100
    grouped = known.groupby(["method", "horizon"], sort=False)
    table = pd.DataFrame(
        {
            "forecasts": grouped.size(),
            "median_ape": grouped["ape"].median(),
            "mean_ape": grouped["ape"].mean(),
            "coverage_80": grouped["inside_80"].mean(),
            "coverage_95": grouped["inside_95"].mean(),
        }
    ).reset_index()
    order = list(dict.fromkeys(results["method"]))
    table["_m"] = table["method"].map({m: i for i, m in enumerate(order)})
    table = table.sort_values(["_m", "horizon"], kind="stable").drop(columns="_m")
    return table[list(ERROR_COLUMNS)].reset_index(drop=True)


@dataclass(frozen=True)
class Choice:
    """The method chosen by back-test and why, in words for the documents."""

    method: str
    beats_baseline: bool
    reason: str


def choose_method(
    errors: pd.DataFrame,
    *,
    baseline: str = "persistence",
    horizons: Sequence[int] = (1, 2),
    min_forecasts: int = MIN_ERRORS,
    candidates: Sequence[str] | None = None,
) -> Choice:
    """Keep ``baseline`` unless a method's median *and* mean absolute percentage errors,
    averaged over ``horizons`` from at least ``min_forecasts`` forecasts at each, were at
    least :data:`MIN_IMPROVEMENT` (5%) lower than the baseline's: a smaller difference is
    within what chance gives."""
    table = errors.loc[errors["horizon"].isin(list(horizons))]
    if candidates is not None:
        table = table.loc[table["method"].isin([*candidates, baseline])]
    scored = table.groupby("method", sort=False).agg(
        median_ape=("median_ape", "mean"),
        mean_ape=("mean_ape", "mean"),
        fewest=("forecasts", "min"),
        horizons=("horizon", "nunique"),
    )
    needed = table["horizon"].nunique()
    scored = scored.loc[(scored["fewest"] >= min_forecasts) & (scored["horizons"] == needed)]
    label = timeseries.METHOD_LABELS.get(baseline, baseline)
    if baseline not in scored.index:
        return Choice(
            baseline,
            False,
            f"The back-test has too few forecasts (fewer than {min_forecasts} at a horizon) "
            f"to show that any method does better than {label.lower()}.",
        )
    base = scored.loc[baseline]
    margin = 1 - MIN_IMPROVEMENT
    better = scored.loc[
        (scored["median_ape"] < margin * base["median_ape"])
        & (scored["mean_ape"] < margin * base["mean_ape"])
    ].sort_values(["median_ape", "mean_ape"])
    if better.empty:
        return Choice(
            baseline,
            False,
            f"No method forecast clearly better than {label.lower()} (median error "
            f"{base['median_ape']:.1f}%), so that is the forecast.",
        )
    best = better.index[0]
    return Choice(
        best,
        True,
        f"{timeseries.METHOD_LABELS.get(best, best)} had a median error of "
        f"{better.loc[best, 'median_ape']:.1f}% against {base['median_ape']:.1f}% for "
        f"{label.lower()}, and a lower mean error too.",  # at least 5% lower, both
    )


def forecast_with_intervals(
    history: pd.DataFrame,
    method: str,
    origin: int,
    horizon: int,
    *,
    population: pd.DataFrame | None = None,
    levels: Sequence[float] = LEVELS,
    calibrate_from: int | None = None,
) -> pd.DataFrame:
    """Forecast every series from ``origin`` with ``method``, intervals from the method's
    errors at earlier origins (as in :func:`rolling_origin`). Columns: series, year,
    forecast, lower_80, upper_80, lower_95, upper_95, interval_source, method_used."""
    past = history.loc[:, :origin]
    try:
        start = calibrate_from if calibrate_from is not None else first_origin(past)
    except ValueError:
        start = origin  # too short for any back-test: model intervals only
    result = rolling_origin(
        past,
        [origin],
        horizon,
        methods=[method],
        population=population,
        levels=levels,
        calibrate_from=min(start, origin),
    )
    columns = ["series", "year", "forecast"]
    columns += [f"{side}_{_level(level)}" for level in levels for side in ("lower", "upper")]
    return result[[*columns, "interval_source", "method_used"]].reset_index(drop=True)
