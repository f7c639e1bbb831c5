"""Rolling-origin back-tests (mps.analysis.forecast.backtest): hand-worked errors, the choice
of method, and intervals that cover at their stated rate on a process with known noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mps.analysis.forecast.backtest import (
    choose_method,
    error_table,
    forecast_with_intervals,
    rolling_origin,
)


def test_rolling_origin_persistence_hand_worked() -> None:
    history = pd.DataFrame(
        {2018: [100.0], 2019: [110.0], 2020: [120.0], 2021: [130.0]}, index=["A"]
    )
    results = rolling_origin(history, [2020], 1, methods=["persistence"])
    assert results[["origin", "series", "year", "actual"]].values.tolist() == [
        [2020, "A", 2021, 130.0]
    ]
    assert results["forecast"].tolist() == pytest.approx([120.0])
    errors = error_table(results)
    # |120 - 130| / 130 = 7.69%
    assert errors.loc[0, "median_ape"] == pytest.approx(100 * 10 / 130)
    assert errors.loc[0, "forecasts"] == 1


def test_error_table_hand_worked() -> None:
    rows = []
    # Forecasts 90, 110, 130 of outcomes 100: errors 10%, 10%, 30%; median 10, mean 16.67.
    # 80% intervals [85, 95], [100, 120], [120, 140] contain 100 once: coverage 33.3%.
    for forecast, low, high in [(90, 85, 95), (110, 100, 120), (130, 120, 140)]:
        rows.append(("m", 2020, "A", 1, 2021, forecast, low, high, 0, 1000, 100.0))
    rows.append(("m", 2020, "B", 1, 2021, 5.0, 0, 10, 0, 10, 0.0))  # outcome 0: left out
    columns = ["method", "origin", "series", "horizon", "year", "forecast", "lower_80",
               "upper_80", "lower_95", "upper_95", "actual"]  # fmt: skip
    errors = error_table(pd.DataFrame(rows, columns=columns))
    row = errors.iloc[0]
    assert row["forecasts"] == 3
    assert row["median_ape"] == pytest.approx(10.0)
    assert row["mean_ape"] == pytest.approx(50 / 3)
    assert row["coverage_80"] == pytest.approx(100 / 3)
    assert row["coverage_95"] == pytest.approx(100.0)


def _errors(rows: list[tuple[str, int, int, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["method", "horizon", "forecasts", "median_ape", "mean_ape"])


def test_choose_method_keeps_persistence_unless_clearly_beaten() -> None:
    close = _errors([("persistence", 1, 50, 5.0, 6.0), ("drift", 1, 50, 4.9, 5.9)])
    choice = choose_method(close, horizons=[1])
    assert choice.method == "persistence" and not choice.beats_baseline
    assert "No method forecast clearly better" in choice.reason

    clear = _errors([("persistence", 1, 50, 5.0, 6.0), ("drift", 1, 50, 4.0, 5.0)])
    choice = choose_method(clear, horizons=[1])
    assert choice.method == "drift" and choice.beats_baseline
    assert "4.0%" in choice.reason and "5.0%" in choice.reason

    # Better on the median but not on the mean: not chosen.
    mixed = _errors([("persistence", 1, 50, 5.0, 6.0), ("drift", 1, 50, 4.0, 6.5)])
    assert choose_method(mixed, horizons=[1]).method == "persistence"

    few = _errors([("persistence", 1, 3, 5.0, 6.0), ("drift", 1, 3, 1.0, 1.0)])
    choice = choose_method(few, horizons=[1])
    assert choice.method == "persistence"
    assert "too few forecasts" in choice.reason


def test_intervals_from_past_errors_cover_at_their_stated_rate() -> None:
    # 300 random walks (log scale, steps of sd 0.05) over 12 years: the 80% and 95%
    # intervals, taken only from errors known at each origin, should hold about 80% and
    # 95% of outcomes. With 300 x 4 outcomes at 1 year ahead the coverage estimate has a
    # standard error of about 1.2 points: tolerances are 4 points (80%) and 2.5 (95%).
    rng = np.random.default_rng(11)
    steps = rng.normal(0, 0.05, (300, 12))
    logs = np.log(300) + np.cumsum(steps, axis=1)
    history = pd.DataFrame(np.expm1(logs), columns=range(2010, 2022))
    results = rolling_origin(history, [2017, 2018, 2019, 2020], 1, methods=["persistence"])
    assert (results["interval_source"] == "errors").all()
    row = error_table(results).iloc[0]
    assert abs(row["coverage_80"] - 80) < 4
    assert abs(row["coverage_95"] - 95) < 2.5


def test_forecast_with_intervals_uses_only_the_years_up_to_the_origin() -> None:
    history = pd.DataFrame({year: [100.0 + year - 2010] for year in range(2010, 2020)}, index=["A"])
    history[2020] = [1_000_000.0]  # after the origin: must not be seen
    result = forecast_with_intervals(history, "persistence", 2019, 2)
    assert result["forecast"].tolist() == pytest.approx([109.0, 109.0])
    assert result["year"].tolist() == [2020, 2021]
    assert (result["upper_95"] < 200).all()
