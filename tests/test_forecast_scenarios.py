"""Scenarios (mps.analysis.forecast.scenarios), entry rates that follow the population
(.population) and costs (.costs): hand-worked cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mps.analysis.forecast import costs, scenarios, states, stockflow
from mps.analysis.forecast.population import entry_scale
from mps.data.spend import read_spend

S = states.N_STATES


def _at(category: str, band: str) -> int:
    return states.STATES.index((category, band))


def _rates(entries: dict[tuple[str, str], float] | None = None) -> stockflow.Rates:
    entry = np.zeros(S)
    for (category, band), value in (entries or {}).items():
        entry[_at(category, band)] = value
    return stockflow.Rates(np.zeros((S, S)), np.zeros(S), entry, np.zeros(S))


def test_step_down_moves_the_stated_share_of_children_a_year() -> None:
    # 100 children in children's homes, nothing else happening: 10% a year step down, so
    # after one year (365 days) 90 remain and 10 are with in-house carers (0.9^(365/365.25)
    # of 100 = 90.002 remain: the share is per 365.25 days).
    home, foster = _at("childrens_home", "10-15"), _at("inhouse_fostering", "10-15")
    initial = np.zeros(S)
    initial[home] = 100
    scenario = scenarios.Scenario("step", "Step down", step_down_pct=10)
    projection = stockflow.project(_rates(), initial, 2025, 1, adjust=scenario.adjust)
    assert projection.mean[0, home] == pytest.approx(100 * 0.9 ** (365 / 365.25), abs=1e-6)
    assert projection.mean[0, foster] == pytest.approx(100 - 100 * 0.9 ** (365 / 365.25))
    agency = scenarios.Scenario("step", "Step down", step_down_pct=10, step_down_to="ifa_fostering")
    moved = agency.adjust(_rates(), 1).transition
    assert moved[home, _at("ifa_fostering", "10-15")] > 0
    assert moved[home, foster] == 0


def test_in_house_share_of_new_foster_placements() -> None:
    # 0.6 a day start in in-house and 0.4 in agency fostering (5-9); 70% in-house gives
    # 0.7 and 0.3. Moves from a children's home into agency fostering (0.002 a day) are
    # split 70/30 too; a move from agency to in-house carers, and kinship care, are not.
    base = _rates(
        {
            ("inhouse_fostering", "5-9"): 0.6,
            ("ifa_fostering", "5-9"): 0.4,
            ("kinship_fostering", "5-9"): 0.2,
        }
    )
    home, ifa, inhouse = (
        _at("childrens_home", "5-9"),
        _at("ifa_fostering", "5-9"),
        _at("inhouse_fostering", "5-9"),
    )
    base.transition[home, ifa] = 0.002
    base.transition[ifa, inhouse] = 0.001
    adjusted = scenarios.Scenario("in", "In-house", inhouse_fostering_share_pct=70).adjust(base, 1)
    assert adjusted.entry[inhouse] == pytest.approx(0.7)
    assert adjusted.entry[ifa] == pytest.approx(0.3)
    assert adjusted.entry[_at("kinship_fostering", "5-9")] == pytest.approx(0.2)
    assert adjusted.transition[home, inhouse] == pytest.approx(0.0014)
    assert adjusted.transition[home, ifa] == pytest.approx(0.0006)
    assert adjusted.transition[ifa, inhouse] == pytest.approx(0.001)


def test_entry_uasc_and_exit_changes_from_a_year_on() -> None:
    base = _rates({("ifa_fostering", "16+"): 1.0})
    base.entry_uasc[_at("supported_accommodation", "16+")] = 0.2
    base.exit[_at("ifa_fostering", "16+")] = 0.001
    scenario = scenarios.Scenario(
        "mix", "Mix", entry_change_pct=-10, uasc_change_pct=50, exit_change_pct=20, from_year=2
    )
    assert scenario.adjust(base, 1) is base  # not yet
    later = scenario.adjust(base, 2)
    assert later.entry[_at("ifa_fostering", "16+")] == pytest.approx(0.9)
    assert later.entry_uasc[_at("supported_accommodation", "16+")] == pytest.approx(0.3)
    assert later.exit[_at("ifa_fostering", "16+")] == pytest.approx(0.0012)
    words = scenario.changes()
    assert words[0] == "10% fewer children starting care from forecast year 2"
    assert "50% more unaccompanied asylum-seeking children" in words[1]
    assert "children leave care 20% faster" in words[2]


def test_bad_scenarios_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot be called 'baseline'"):
        scenarios.Scenario("baseline", "x")
    with pytest.raises(ValueError, match="step_down_to 'secure'"):
        scenarios.Scenario("a", "x", step_down_pct=5, step_down_to="secure")
    with pytest.raises(ValueError, match="names used twice: a"):
        scenarios.scenario_adjustments([scenarios.Scenario("a", "x"), scenarios.Scenario("a", "y")])


def _population(rows: list[tuple[int, int, int, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [("E1", "A", year, age, people, kind) for year, age, people, kind in rows],
        columns=["la_code", "la_name", "year", "age", "population", "kind"],
    )


def test_entries_follow_the_population_of_their_age_band() -> None:
    # Age 12 (band 10-15): 1,000 in mid-2023 and mid-2024 (the reference years 2024 and
    # 2025), 1,100 projected for mid-2025 (year 2026): entries x 1.1. Mid-2026 is not
    # projected: year 2027 holds 1.1 and says so. Age 3 (1-4): 500 throughout: x 1.
    rows = []
    for year, kind in [(2023, "estimate"), (2024, "estimate"), (2025, "projection")]:
        rows += [(year, 12, 1100 if year == 2025 else 1000, kind), (year, 3, 500, kind)]
    scale = entry_scale(_population(rows), ["E1"], [2024, 2025], [2026, 2027])
    assert scale is not None
    assert scale.scale[:, _at("childrens_home", "10-15")] == pytest.approx([1.1, 1.1])
    assert scale.scale[:, _at("kinship_fostering", "1-4")] == pytest.approx([1.0, 1.0])
    # No one of the other ages in the file: those bands are not scaled.
    assert scale.scale[:, _at("kinship_fostering", "5-9")] == pytest.approx([1.0, 1.0])
    assert scale.held == [2027]
    assert scale.growth_pct == pytest.approx(100 * (1600 / 1500 - 1))
    # Without the reference years' population there is no scaling.
    assert entry_scale(_population(rows), ["E1"], [2020, 2021], [2026]) is None


def _spend(tmp_path: Path) -> pd.DataFrame:
    # Six agency foster placements at £1,000 a week all year (2024-25), two children's
    # home placements at £6,000: with a threshold of 5 the agency cost comes from the spend
    # data, the children's home one from the parameters (two would show one child's cost).
    lines = ["CHILD,placement_start,placement_end,PLACE,PLACE_PROVIDER,URN,provider_name,"
             "weekly_cost,contract_status"]  # fmt: skip
    lines += [f"C{i},01/04/2024,,U4,PR4,SC{i:06d},Agency,1000,spot" for i in range(6)]
    lines += [f"H{i},01/04/2024,,K2,PR4,SC9{i:05d},Homes,6000,spot" for i in range(2)]
    path = tmp_path / "spend.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return read_spend(path)


def test_unit_costs_from_spend_where_enough_placements(tmp_path: Path) -> None:
    defaults = {"ifa_fostering": 900.0, "childrens_home": 5000.0}
    table = costs.unit_costs(_spend(tmp_path), 2025, defaults | _zero_others(), min_placements=5)
    row = table.set_index("placement_category")
    assert row.loc["ifa_fostering", "weekly_cost"] == pytest.approx(1000.0)
    assert row.loc["ifa_fostering", "source"] == costs.FROM_SPEND
    assert row.loc["childrens_home", "weekly_cost"] == 5000.0
    assert row.loc["childrens_home", "source"] == costs.FROM_PARAMETERS
    with pytest.raises(ValueError, match="no weekly unit cost for"):
        costs.unit_costs(None, 2025, defaults, min_placements=5)


def _zero_others() -> dict[str, float]:
    return {c: 0.0 for c in stockflow.CATEGORIES if c not in ("ifa_fostering", "childrens_home")}


def test_cost_projection_hand_worked() -> None:
    # 10 agency foster children now, 12 forecast at 31 March 2026 and 14 at 31 March 2027;
    # £1,000 a week in 2024-25 prices, inflation 10%: £1,100 in 2025-26 and £1,210 in
    # 2026-27. 2025-26 (365 days): on average 11 children x 1,100 x 365/7 = £630,928.57.
    # 2026-27 (365 days): 13 x 1,210 x 365/7 = £820,221.43. Weekly at 31 March 2026:
    # 12 x 1,100 = £13,200.
    forecast = pd.DataFrame(
        {
            "scenario": ["baseline", "baseline", "more", "more"],
            "year": [2026, 2027, 2026, 2027],
            "placement_category": ["ifa_fostering"] * 4,
            "forecast": [12.0, 14.0, 14.0, 18.0],
        }
    )
    unit = pd.DataFrame({"placement_category": ["ifa_fostering"], "weekly_cost": [1000.0]})
    current = pd.Series({"ifa_fostering": 10.0})
    result = costs.cost_projection(forecast, current, unit, base_year=2025, inflation_pct=10)
    baseline = result[result["scenario"] == "baseline"].set_index("year")
    assert baseline.loc[2026, "annual_cost"] == pytest.approx(11 * 1100 * 365 / 7)
    assert baseline.loc[2027, "annual_cost"] == pytest.approx(13 * 1210 * 365 / 7)
    assert baseline.loc[2026, "weekly_cost"] == pytest.approx(13_200)
    compared = costs.scenario_comparison(result).set_index(["scenario", "year"])
    # "more": 12 then 16 on average: (12 - 11) x 1,100 x 365/7 more in 2025-26.
    assert compared.loc[("more", 2026), "cost_change"] == pytest.approx(1100 * 365 / 7)
    assert compared.loc[("more", 2027), "children_change"] == 4
    assert compared.loc[("baseline", 2027), "cost_change"] == 0
    # Weekly at 31 March 2027: 18 x 1,210 against 14 x 1,210.
    assert compared.loc[("more", 2027), "weekly_cost_change"] == pytest.approx(4 * 1210)
