"""Forecasts and back-tests of DfE's published children-looked-after tables by local authority.

The ``mps forecast --published`` and ``mps backtest`` commands call these on a table read
by :func:`mps.data.dfe.read_published_table`. Only the years up to ``last_year`` are used:
a forecast "as at" an earlier year is exactly what could have been made then.

With ``method="auto"`` every method is back-tested on the table's own years (rolling
origins over the last :data:`CALIBRATION_YEARS` years before ``last_year``, every local
authority pooled) and :func:`~mps.analysis.forecast.backtest.choose_method` picks one:
persistence unless another did better. The intervals come from the chosen method's errors
in the same back-test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from mps.analysis.forecast import backtest
from mps.analysis.forecast.timeseries import METHODS
from mps.data.dfe import la_series

#: Origins (years before the last) whose errors choose the method and give the intervals.
CALIBRATION_YEARS = 4
OUTPUT_COLUMNS = ("new_la_code", "year", "forecast", "lower_80", "upper_80", "lower_95",
                  "upper_95")  # fmt: skip


@dataclass(frozen=True)
class PublishedForecast:
    """The forecast of every local authority, the method used and the back-test behind it."""

    forecast: pd.DataFrame  # OUTPUT_COLUMNS
    choice: backtest.Choice
    errors: pd.DataFrame  # backtest.ERROR_COLUMNS, every method tried
    fell_back: list[str]  # LAs too short for the method: forecast by persistence
    no_data: list[str]  # LAs with no figure up to last_year: no forecast


def population_by_year(population: pd.DataFrame) -> pd.DataFrame:
    """ONS 0-17 population (:func:`mps.data.population.read_population`) as one row per
    ``la_code`` and a column per collection year: year Y's rate uses mid-year Y-1 (the
    estimate, else the projection), as DfE's rates do."""
    children = population.loc[population["age"].between(0, 17)]
    totals = children.groupby(["la_code", "year", "kind"])["population"].sum().unstack("kind")
    # The estimate where there is one, else the projection.
    chosen = (
        totals.bfill(axis=1).iloc[:, 0]
        if "estimate" not in totals
        else totals["estimate"].fillna(totals.get("projection"))
    )
    wide = chosen.unstack("year")
    wide.columns = [int(c) + 1 for c in wide.columns]
    return wide


def _select(history: pd.DataFrame, las: Sequence[str] | None) -> pd.DataFrame:
    if not las:
        return history
    unknown = [code for code in las if code not in history.index]
    if unknown:
        raise ValueError(
            f"local authority code(s) {', '.join(unknown)} are not in the table "
            f"(it has {len(history)} local authorities, e.g. {', '.join(history.index[:3])})"
        )
    return history.loc[list(las)]


def _history(published: pd.DataFrame, last_year: int) -> pd.DataFrame:
    latest = int(published["year"].max())
    if last_year > latest:
        raise ValueError(
            f"the table's latest year is {latest}: forecast from {latest} or earlier "
            f"(--last-year {last_year} is after it)"
        )
    history = la_series(published, last_year=last_year)
    if history.empty:
        raise ValueError(f"the table has no local-authority figures up to {last_year}")
    if last_year not in history.columns:
        # Forecasts start from last_year even when it is missing: its column is blank.
        history = history.reindex(columns=range(int(history.columns.min()), last_year + 1))
    return history


def forecast_published(
    published: pd.DataFrame,
    last_year: int,
    horizon: int,
    *,
    las: Sequence[str] | None = None,
    method: str = "auto",
    population: pd.DataFrame | None = None,
) -> PublishedForecast:
    """Forecast children looked after at 31 March for 1 to ``horizon`` years after
    ``last_year`` for every local authority in ``published`` (or those in ``las``)."""
    if horizon < 1:
        raise ValueError(f"horizon {horizon}: forecast at least 1 year ahead")
    if method != "auto" and method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose auto or one of {', '.join(METHODS)}")
    history = _history(published, last_year)
    # Methods are chosen on every LA in the table (more evidence), then the LAs asked for.
    people = population_by_year(population) if population is not None else None
    methods = list(METHODS) if method == "auto" else [method]
    if people is None:
        methods = [m for m in methods if m != "rate_population"]
    if method == "rate_population" and people is None:
        raise ValueError("the rate_population method needs a population file (--population)")
    origins = list(range(last_year - CALIBRATION_YEARS, last_year + 1))
    first = backtest.first_origin(history) if history.notna().sum(axis=1).max() >= 3 else last_year
    origins = [o for o in origins if o >= first] or [last_year]
    results = backtest.rolling_origin(
        history,
        origins,
        horizon,
        methods=methods,
        population=people,
        calibrate_from=min(origins),
    )
    errors = backtest.error_table(results.loc[results["origin"] < last_year])
    if method == "auto":
        choice = backtest.choose_method(errors, candidates=methods)
    else:
        choice = backtest.Choice(method, False, f"The {method} method was asked for.")
    chosen = results.loc[(results["method"] == choice.method) & (results["origin"] == last_year)]
    wanted = _select(history, las).index
    chosen = chosen.loc[chosen["series"].isin(wanted)]
    used = chosen.groupby("series")["method_used"].first()
    fell_back = sorted(used.index[used != choice.method].astype(str))
    no_data = sorted(set(wanted) - set(chosen["series"]))
    out = chosen.rename(columns={"series": "new_la_code"})
    out = out.set_index("new_la_code").loc[[c for c in wanted if c in set(out["new_la_code"])]]
    out = out.reset_index()[list(OUTPUT_COLUMNS)]
    return PublishedForecast(
        forecast=out.reset_index(drop=True),
        choice=choice,
        errors=errors,
        fell_back=fell_back,
        no_data=no_data,
    )


def backtest_published(
    published: pd.DataFrame,
    origins: Sequence[int],
    horizon: int,
    *,
    las: Sequence[str] | None = None,
    methods: Sequence[str] = METHODS,
    population: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The error table (:data:`~mps.analysis.forecast.backtest.ERROR_COLUMNS`) of every
    method from each of ``origins``, over the local authorities in ``las`` (default all)."""
    if not origins:
        raise ValueError("name at least one origin year")
    history = _history(published, max(published["year"].max(), max(origins)))
    history = _select(history, las)
    people = population_by_year(population) if population is not None else None
    results = backtest.rolling_origin(history, origins, horizon, methods=methods, population=people)
    return backtest.error_table(results)
