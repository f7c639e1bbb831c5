"""One area's forecast (mps.analysis.forecast.area.AreaForecast) on simulated returns:
shapes that add up, determinism, the back-test's honesty, and the choice of forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from forecast_simulation import Process, simulate

from mps.analysis.forecast import backtest
from mps.analysis.forecast.area import DEMAND_COLUMNS, STOCK_FLOW, AreaForecast, _rescale_to

YEARS = [2021, 2022, 2023, 2024, 2025]


@pytest.fixture(scope="module")
def episodes() -> pd.DataFrame:
    return simulate(Process(arrivals_per_year=200), "2016-04-01", "2025-04-01", seed=77)


def _forecast(episodes: pd.DataFrame, **settings: object) -> AreaForecast:
    return AreaForecast(
        episodes=episodes,
        years=YEARS,
        reporting_year=2025,
        la_codes=["E06000001"],
        settings={"horizon": 3, "draws": 30, **settings},
    )


def test_forecast_adds_up_and_is_deterministic(episodes: pd.DataFrame) -> None:
    scenarios = [{"name": "fewer", "label": "Fewer", "entry_change_pct": -20}]
    first = _forecast(episodes, scenarios=scenarios)
    demand, totals = first.demand(), first.totals()
    again = _forecast(episodes, scenarios=scenarios)
    pd.testing.assert_frame_equal(demand, again.demand())  # byte-identical inputs, results
    assert sorted(demand["scenario"].unique()) == ["baseline", "fewer"]
    assert sorted(demand["year"].unique()) == [2026, 2027, 2028]
    base = demand[(demand["scenario"] == "baseline") & (demand["year"] == 2028)]
    bands = base[base["age_band"] != "All ages"].groupby("placement_category")["forecast"].sum()
    every = base[base["age_band"] == "All ages"].set_index("placement_category")["forecast"]
    assert np.allclose(bands, every.reindex(bands.index))
    overall = totals[(totals["scenario"] == "baseline") & (totals["year"] == 2028)]
    assert overall.loc[overall["age_band"] == "All ages", "forecast"].iloc[0] == pytest.approx(
        every.sum()
    )
    # The jump-off is the children looked after at 31 March 2025; fewer entries, fewer children.
    assert first.current()["forecast"].iloc[-1] == first.history()["children"].iloc[-1]
    last = totals[(totals["year"] == 2028) & (totals["age_band"] == "All ages")]
    by = last.set_index("scenario")["forecast"]
    assert by["fewer"] < by["baseline"]
    # Intervals hold the forecast and widen with the years ahead.
    row = overall.set_index("age_band").loc["All ages"]
    assert row["lower_95"] < row["lower_80"] < row["forecast"] < row["upper_80"] < row["upper_95"]


def test_backtest_uses_earlier_origins_and_known_outcomes(episodes: pd.DataFrame) -> None:
    forecast = _forecast(episodes, backtest_origins=3)
    assert forecast.backtest_origins() == [2022, 2023, 2024]
    results = forecast.backtest_results()
    assert set(results["method"]) >= {STOCK_FLOW, "persistence", "drift", "damped_trend"}
    # Each origin forecasts only as far as the returns can check: 2024 one year ahead.
    assert results.loc[results["origin"] == 2024, "horizon"].max() == 1
    history = forecast.history().set_index("year")["children"]
    assert (results["actual"] == results["year"].map(history)).all()
    # Persistence from 2023 is the number at 31 March 2023, whatever the horizon.
    persistence = results[(results["method"] == "persistence") & (results["origin"] == 2023)]
    assert persistence["forecast"].to_numpy() == pytest.approx([history[2023]] * 2)
    errors = forecast.backtest_errors()
    assert errors["method"].iloc[0] == STOCK_FLOW
    # Three forecasts a year ahead are too few to claim any skill.
    choice, skill = AreaForecast.judge(errors)
    assert choice.method == STOCK_FLOW and not skill.beats_baseline
    assert "too few" in skill.reason


def test_no_backtest_without_earlier_years(episodes: pd.DataFrame) -> None:
    forecast = _forecast(episodes, backtest_origins=0)
    assert forecast.backtest_errors().empty
    choice, skill = AreaForecast.judge(forecast.backtest_errors())
    assert choice.method == STOCK_FLOW and "no earlier years" in skill.reason


def test_persistence_chosen_rescales_to_todays_total() -> None:
    # Baseline: two categories 60 + 40 = 100; persistence says 80, so every figure that
    # year x 0.8, the scenario's too (its 90 becomes 72: still 10% below the baseline).
    rows = []
    for scenario, values in [("baseline", (60.0, 40.0, 100.0)), ("fewer", (54.0, 36.0, 90.0))]:
        for category, value in zip(["a", "b", "all"], values, strict=True):
            rows.append(
                (
                    scenario,
                    2026,
                    category,
                    "All ages",
                    value,
                    value / 10,
                    value - 10,
                    value + 10,
                    value - 15,
                    value + 15,
                )
            )
    frame = pd.DataFrame(
        rows,
        columns=list(DEMAND_COLUMNS),
    )
    scaled = _rescale_to(frame, 80.0)
    assert scaled["forecast"].tolist() == pytest.approx([48.0, 32.0, 80.0, 43.2, 28.8, 72.0])
    assert scaled["upper_95"].tolist()[:3] == pytest.approx([60.0, 44.0, 92.0])


def test_choice_prefers_persistence_only_when_clearly_better() -> None:
    errors = pd.DataFrame(
        {
            "method": [STOCK_FLOW, STOCK_FLOW, "persistence", "persistence"],
            "horizon": [1, 2, 1, 2],
            "forecasts": [40, 30, 40, 30],
            "median_ape": [6.0, 8.0, 4.0, 6.0],
            "mean_ape": [7.0, 9.0, 5.0, 7.0],
            "coverage_80": [80.0] * 4,
            "coverage_95": [95.0] * 4,
        }
    )
    choice, skill = AreaForecast.judge(errors)
    assert choice.method == "persistence" and choice.beats_baseline
    assert not skill.beats_baseline
    assert isinstance(skill, backtest.Choice)
