"""Forecast tables (mps.forecast_presentation) through disclosure control, and the sentences
written from them (mps.forecast_narrative): hand-worked cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mps import forecast_narrative as words
from mps import forecast_presentation as tables
from mps.analysis.forecast.backtest import Choice
from mps.analysis.forecast.scenarios import Scenario
from mps.presentation import PublishableTable
from mps.tables import protect_for_publication


def _protect(table: PublishableTable, round_to: int | None = None) -> pd.DataFrame:
    return protect_for_publication(
        table.frame,
        count_columns=table.count_columns,
        threshold=5,
        label_columns=table.label_columns,
        derived=table.derived,
        total_row=table.total_row,
        rows_additive=table.rows_additive,
        round_to=round_to,
    ).table


def test_rounded_parts_add_up_to_the_rounded_total() -> None:
    # 1.4 + 1.4 + 1.2 = 4.0: each rounds down to 1 (3 in all); the one left goes to the
    # largest remainder, the first 0.4.
    assert tables.rounded_parts([1.4, 1.4, 1.2]).tolist() == [2, 1, 1]
    # 10.5 + 20.5 = 31: rounding each (11 + 21 = 32) would not add up.
    assert tables.rounded_parts([10.5, 20.5]).tolist() == [11, 20]
    assert tables.whole([2.5, 3.49]).tolist() == [3, 3]


def _totals(rows: list[tuple[int, float, float, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [("baseline", y, "all", "All ages", f, 0.0, a, b, c, d) for y, f, a, b, c, d in rows],
        columns=[
            "scenario",
            "year",
            "placement_category",
            "age_band",
            "forecast",
            "sd",
            "lower_80",
            "upper_80",
            "lower_95",
            "upper_95",
        ],
    )


def test_total_table_recorded_then_forecast_with_ranges() -> None:
    history = pd.DataFrame({"year": [2024, 2025], "children": [410.0, 423.0]})
    totals = _totals([(2026, 420.6, 399.2, 443.1, 387.7, 455.5)])
    published = _protect(tables.forecast_total_table(history, totals))
    assert published.values.tolist() == [
        ["2024", 410, "z", "z", "z", "z", "z"],
        ["2025", 423, "z", "z", "z", "z", "z"],
        ["2026", "z", 421, 399, 443, 388, 456],
    ]
    sentence = words.forecast_sentence(published, "Ashmoor")
    assert sentence == (
        "At 31 March 2025, 423 children were looked after by Ashmoor. The model forecasts "
        "421 at 31 March 2026, and 8 chances in 10 of between 399 and 443. That is about "
        "the same as now."
    )


def test_small_forecasts_are_withheld() -> None:
    history = pd.DataFrame({"year": [2025], "children": [12.0]})
    totals = _totals([(2026, 4.2, 2.0, 7.0, 1.0, 9.0)])
    published = _protect(tables.forecast_total_table(history, totals))
    # Rounded 4, 2, 7, 1, 9: those from 1 to 5 are withheld.
    assert published.iloc[1, 2:].tolist() == ["c", "c", 7, "c", 9]
    assert "a withheld number of" in words.forecast_sentence(published, "X")


def _demand() -> tuple[pd.DataFrame, pd.DataFrame]:
    # Now: 100 in in-house fostering, 20 in children's homes. Forecast 2026: 90.4, 30.4
    # (total 120.8 -> 121: the 0.4s are the remainders, the first gets the extra one).
    rows = []
    for category, value in [("inhouse_fostering", 90.4), ("childrens_home", 30.4)]:
        rows.append(("baseline", 2026, category, "All ages", value))
    demand = pd.DataFrame(
        rows, columns=["scenario", "year", "placement_category", "age_band", "forecast"]
    )
    current = pd.DataFrame(
        {
            "year": [2025, 2025],
            "placement_category": ["inhouse_fostering", "childrens_home"],
            "age_band": ["All ages", "All ages"],
            "forecast": [100.0, 20.0],
        }
    )
    return demand, current


def test_category_table_adds_up_and_shows_the_change() -> None:
    demand, current = _demand()
    published = _protect(tables.forecast_by_category_table(demand, current)).set_index("Placement")
    assert published.loc["In-house fostering", "2025 (recorded)"] == 100
    assert published.loc["In-house fostering", "2026"] == 91
    assert published.loc["Children's home", "2026"] == 30
    assert published.loc["All placements", "2026"] == 121
    # (30 - 20) / 20 = +50%; (91 - 100) / 100 = -9%; categories with none now: blank.
    assert published.loc["Children's home", "Change to 2026 %"] == 50
    assert published.loc["In-house fostering", "Change to 2026 %"] == -9
    assert published.loc["Secure children's home", "2026"] == 0
    sentence = words.mix_sentence(published.reset_index())
    assert sentence == (
        "By 31 March 2026, the largest rise is in children's home (from 20 to 30) and the "
        "largest fall in in-house fostering (from 100 to 91)."
    )


def test_backtest_table_and_what_it_says() -> None:
    errors = pd.DataFrame(
        {
            "method": ["stock_flow", "persistence"],
            "horizon": [1, 1],
            "forecasts": [3, 3],
            "median_ape": [4.71, 4.32],
            "mean_ape": [4.4, 4.6],
            "coverage_80": [66.7, 66.7],
            "coverage_95": [100.0, 66.7],
        }
    )
    published = _protect(tables.backtest_table(errors))
    assert published["Method"].tolist() == [
        "Stock-flow model (entries, moves and exits)",
        "Same as last year (persistence)",
    ]
    too_few = Choice("persistence", False, "The back-test has too few forecasts (fewer than 10)")
    kept = Choice("stock_flow", False, "too few")
    sentence = words.backtest_sentence(published, too_few, kept)
    assert "typically (the median) 4.7% out, against 4.3%" in sentence
    assert "only 3 forecasts: too few to show" in sentence
    not_better = Choice("persistence", False, "No method forecast clearly better")
    assert "did not forecast clearly better" in words.backtest_sentence(published, not_better, kept)
    better = Choice("stock_flow", True, "better")
    assert "enough to say the model does better" in words.backtest_sentence(published, better, kept)
    held = Choice("persistence", True, "persistence did better")
    assert "held at today's number" in words.backtest_sentence(published, not_better, held)


def test_scenario_table_and_sentence() -> None:
    comparison = pd.DataFrame(
        {
            "scenario": ["baseline", "step", "tiny"],
            "year": [2030, 2030, 2030],
            "children": [400.4, 395.0, 4.0],
            "weekly_cost": [380_000.4, 360_000.0, 2_000.0],
            "annual_cost": [20_000_000.0, 19_000_000.0, 100_000.0],
            "cost_change": [0.0, -1_000_000.0, -19_900_000.0],
        }
    )
    scenarios = [
        Scenario("step", "Step down", step_down_pct=10),
        Scenario("tiny", "Tiny", entry_change_pct=-99),
    ]
    published = _protect(tables.scenario_table(comparison, scenarios, 2030))
    assert published.iloc[0].tolist()[2:] == [400, 0, 380000.0, 20000.0, 0.0]
    assert published.iloc[1].tolist()[2:] == [395, -5, 360000.0, 19000.0, -1000.0]
    # 4 children is withheld, and so is everything worked out from it.
    assert published.iloc[2].tolist()[2:] == ["c", "c", "c", "c", "c"]
    assert words.scenario_sentence(published, 2030) == (
        "Step down would save the most: about £1.0 million in 2029-30 against the baseline."
    )


def test_cost_table_names_the_illustrative_costs() -> None:
    costs = pd.DataFrame(
        {
            "scenario": "baseline",
            "year": [2026, 2026],
            "placement_category": ["ifa_fostering", "childrens_home"],
            "children": [20.2, 9.8],
            "annual_cost": [1_000_000.0, 2_600_000.0],
        }
    )
    unit = pd.DataFrame(
        {
            "placement_category": list(tables.CATEGORY_ORDER),
            "weekly_cost": np.arange(len(tables.CATEGORY_ORDER), dtype=float) * 100,
            "source": ["spend data"] * 3
            + ["parameters (illustrative)"]
            + ["spend data"] * (len(tables.CATEGORY_ORDER) - 4),
        }
    )
    published = _protect(tables.cost_table(costs, unit, [2026])).set_index("Placement")
    assert published.loc["Independent fostering agency", "Children at 31 March 2026"] == 20
    assert published.loc["Children's home", "Children at 31 March 2026"] == 10
    assert published.loc["All placements", "Cost in 2025-26 (£ thousand)"] == pytest.approx(3600)
    sentence = words.cost_sentence(published.reset_index(), [2026])
    assert "about £3.6 million in 2025-26" in sentence
    assert "The weekly costs of children's home are illustrative" in sentence


def test_assumptions_sentence() -> None:
    text = words.assumptions_sentence((2023, 2025), -4.6, [2031], 2031)
    assert "as they did in 2022-23 to 2024-25" in text
    assert "(5% fewer children aged 0 to 17 by mid-2030" in text
    assert "does not reach 2030" in text
    assert "held at that period's level" in words.assumptions_sentence((2025, 2025), None)


def test_assumptions_table_withholds_small_counts_and_what_follows_from_them() -> None:
    # In-house fostering: 10.4 starting a year, 30 leaving and 10 moving in 100 child-years
    # (2.5 years' stay). Children's homes: 3.6 starting, 4 leaving, 6 moving in 10 child-
    # years. Starting, rounded to add up to 14: 10 and 4; 4 is withheld and so (secondary)
    # is 10; 4 leaving is withheld and so is 30, and the stays worked out from them. The
    # total row: 34 leaving, 16 moving, 110 / 50 = 2.2 years.
    flows = pd.DataFrame(
        {
            "placement_category": ["inhouse_fostering", "childrens_home"],
            "entries_per_year": [10.4, 3.6],
            "exits": [30.0, 4.0],
            "moves": [10.0, 6.0],
            "child_years": [100.0, 10.0],
        }
    )
    published = _protect(tables.assumptions_table(flows, (2023, 2025))).set_index("Placement")
    starting, leaving, moving, stay = published.columns
    assert moving.startswith("Moves to another") and stay.startswith("Years in this")
    assert leaving == "Children leaving care from here, 2022-23 to 2024-25"
    assert published.loc["In-house fostering"].tolist() == ["c", "c", 10, "c"]
    assert published.loc["Children's home"].tolist() == ["c", "c", 6, "c"]
    assert published.loc["All placements"].tolist() == [14, 34, 16, 2.2]
    assert published.loc["Secure children's home", starting] == 0
