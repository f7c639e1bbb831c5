"""Aggregate time-series forecasts (mps.analysis.forecast.timeseries): hand-worked cases and
agreement with statsmodels' exponential smoothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.holtwinters import ExponentialSmoothing

from mps.analysis.forecast import timeseries
from mps.analysis.forecast.timeseries import (
    forecast_series,
    interval_bounds,
    smoothing_filter,
)


def _counts(logs: list[float]) -> list[float]:
    """Counts whose log(1 + count) are ``logs`` (the scale the methods model)."""
    return list(np.expm1(logs))


def test_persistence_steps_on_from_the_last_value_and_skips_empty_series() -> None:
    history = pd.DataFrame(
        {2019: [100.0, np.nan], 2020: [np.nan, np.nan], 2021: [120.0, np.nan]},
        index=["A", "B"],
    )
    result = forecast_series(history, "persistence", 2)
    assert result.point.loc["A"].tolist() == pytest.approx([120.0, 120.0])
    assert result.point.loc["B"].isna().all()
    assert result.method_used.tolist() == ["persistence", ""]


def test_drift_continues_the_average_growth_of_the_last_three_years() -> None:
    # log(1 + count) rises 4.0, 4.1, 4.2, 4.3: 0.1 a year, so 4.4 and 4.5 follow.
    history = pd.DataFrame([_counts([4.0, 4.1, 4.2, 4.3])], columns=[2018, 2019, 2020, 2021])
    result = forecast_series(history, "drift", 2)
    assert result.point.iloc[0].tolist() == pytest.approx(_counts([4.4, 4.5]))
    # A steady rise has no residual: the interval has no width.
    lower, upper = interval_bounds(result.point.to_numpy(), result.log_sd.to_numpy(), 0.8)
    assert lower == pytest.approx(upper)


def test_smoothing_filter_hand_worked_with_a_missing_value() -> None:
    # Simple smoothing, alpha 0.5: level 1; then 2 comes (error 1, level 1.5); a missing
    # value leaves the level at 1.5; then 4 comes (error 2.5, level 2.75).
    level, trend, errors = smoothing_filter(np.array([[1.0, 2.0, np.nan, 4.0]]), 0.5, 0.0, 1.0)
    assert level.tolist() == [2.75]
    assert trend.tolist() == [0.0]
    assert np.isnan(errors[0, [0, 2]]).all()
    assert errors[0, [1, 3]].tolist() == [1.0, 2.5]


def test_smoothing_filter_is_statsmodels_damped_holt() -> None:
    y = np.array([4.6, 4.7, 4.75, 4.9, 4.85, 5.0, 5.1])
    alpha, beta_star, phi = 0.6, 0.3, 0.9
    # statsmodels' Holt from the second value on, starting at the first (trend 0); its
    # trend smoothing beta* is beta / alpha in the innovations form the filter uses.
    model = ExponentialSmoothing(
        y[1:],
        trend="add",
        damped_trend=True,
        initialization_method="known",
        initial_level=y[0],
        initial_trend=0.0,
    ).fit(smoothing_level=alpha, smoothing_trend=beta_star, damping_trend=phi, optimized=False)
    level, trend, errors = smoothing_filter(y[None, :], alpha, alpha * beta_star, phi)
    assert errors[0, 1:] == pytest.approx(y[1:] - model.fittedvalues)
    ours = level[0] + np.cumsum(phi ** np.arange(1, 4)) * trend[0]
    assert ours == pytest.approx(model.forecast(3))


def test_the_parameter_grid_is_searched_all_at_once_as_one_filter_each() -> None:
    # Series of different lengths, with gaps: each parameter's pooled error computed in one
    # pass equals what the filter gives for that parameter alone.
    rng = np.random.default_rng(3)
    z = rng.poisson(40, size=(6, 7)).astype(float)
    z[0, :3] = np.nan
    z[2, 4] = np.nan
    z[5, :] = np.nan
    for damped in (False, True):
        grid = timeseries._grid(damped)
        one_by_one = [float(np.nanmean(smoothing_filter(z, a, b, p)[2] ** 2)) for a, b, p in grid]
        assert np.allclose(timeseries._grid_mse(z, grid), one_by_one, rtol=1e-12)
    assert len(timeseries._grid(False)) == 10 and (timeseries._grid(True)[:, 1] <= 1.0).all()
    assert np.isinf(timeseries._grid_mse(np.full((2, 3), np.nan), timeseries._grid(True))).all()


def test_rate_population_scales_the_latest_count_by_the_population() -> None:
    # 100 children of 10,000 in 2020; 11,000 and 12,100 children in 2021 and 2022: 110, 121.
    history = pd.DataFrame({2019: [90.0], 2020: [100.0]}, index=["A"])
    population = pd.DataFrame({2020: [10_000.0], 2021: [11_000.0], 2022: [12_100.0]}, index=["A"])
    result = forecast_series(history, "rate_population", 2, population=population)
    assert result.point.loc["A"].tolist() == pytest.approx([110.0, 121.0])
    assert result.method_used.tolist() == ["rate_population"]
    # Without a population for the area it falls back to persistence, and says so.
    other = forecast_series(history.rename(index={"A": "B"}), "rate_population", 1,
                            population=population)  # fmt: skip
    assert other.point.iloc[0, 0] == pytest.approx(100.0)
    assert other.method_used.tolist() == ["persistence"]


def test_short_series_fall_back_to_persistence() -> None:
    history = pd.DataFrame([[100.0, 104.0, 120.0]], columns=[2019, 2020, 2021])
    result = forecast_series(history, "damped_trend", 1)
    assert result.method_used.tolist() == ["persistence"]
    assert result.point.iloc[0, 0] == pytest.approx(120.0)


def test_panel_smoothing_follows_a_shared_trend() -> None:
    # Forty series each growing 5% a year with small noise: the damped trend forecasts
    # growth (above the last value), persistence does not.
    rng = np.random.default_rng(3)
    years = list(range(2010, 2020))
    logs = np.log(200) + 0.05 * np.arange(10) + rng.normal(0, 0.01, (40, 10))
    history = pd.DataFrame(np.expm1(logs), columns=years)
    result = forecast_series(history, "damped_trend", 2)
    last = history[2019].to_numpy()
    assert (result.point[1].to_numpy() > last).mean() > 0.9
    assert result.method_used.eq("damped_trend").all()


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown forecasting method 'magic'"):
        forecast_series(pd.DataFrame([[1.0]]), "magic", 1)
