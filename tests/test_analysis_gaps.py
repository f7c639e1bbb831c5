"""Supply and gaps on hand-made frames; every expected figure is worked out in a comment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mps.analysis import gaps, supply
from mps.analysis.gaps import ALL_AGES, BASELINE

NAN = np.nan


def demand_rows(rows: list[tuple]) -> pd.DataFrame:
    """(scenario, year, category, age band, forecast, lower_80, upper_80) rows."""
    frame = pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "year",
            "placement_category",
            "age_band",
            "forecast",
            "lower_80",
            "upper_80",
        ],
    )
    return gaps.demand_from_forecast(frame)


def supply_rows(rows: list[tuple]) -> pd.DataFrame:
    """(year, source, category, need profile, age_from, age_to, places) rows."""
    return pd.DataFrame(rows, columns=list(supply.SUPPLY_COLUMNS)).astype(
        {"need_profile": "string", "places": "float64"}
    )


# --- supply -----------------------------------------------------------------------------
def fostering() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "la": "north",
            "year": [2024, 2025, 2025, 2025],
            "age_from": [0, 0, 0, 13],
            "age_to": [17, 17, 17, 17],
            "specialism": ["mainstream", "mainstream", "short_breaks", "teenagers"],
            "households": [30, 32, 5, 4],
            "places": [50, 52, 8, 4],
            "places_filled": [45, 44, 0, 4],
            "households_approved": [3, 5, 1, 1],
            "households_deregistered": [4, 3, 0, 0],
        }
    ).astype({c: "Int64" for c in ("households", "places", "places_filled")})


def contracts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "contract_id": ["B1", "F1", "F2", "D1"],
            "provider_name": ["Acme", "Beta", "Gamma", "Delta"],
            "contract_type": ["block", "framework", "framework", "dps"],
            "placement_category": [
                "childrens_home",
                "ifa_fostering",
                "ifa_fostering",
                "supported_accommodation",
            ],
            "need_profile": pd.array(["teenagers", pd.NA, pd.NA, pd.NA], dtype="string"),
            "age_from": [11, 0, 0, 16],
            "age_to": [17, 17, 17, 17],
            "places": pd.array([4, 6, pd.NA, 3], dtype="Int64"),
            "weekly_price": [5000.0, 900.0, 950.0, 1200.0],
            "start_date": pd.to_datetime(["2023-04-01", "2022-04-01", "2022-04-01", "2023-10-01"]),
            "end_date": pd.to_datetime(["2026-09-30", "2027-03-31", None, None]),
        }
    )


def test_supply_by_year_holds_fostering_and_follows_contract_ends() -> None:
    result = supply.supply_by_year(
        [2026, 2027], reporting_year=2025, fostering=fostering(), contracts=contracts()
    )
    totals = result.groupby(["year", "placement_category"])["places"].sum()
    # In-house: the 2025 rows without short breaks: 52 mainstream + 4 teenagers = 56, held.
    assert totals[(2026, "inhouse_fostering")] == 56
    assert totals[(2027, "inhouse_fostering")] == 56
    # The block contract (4 places) runs to 30 September 2026: on 31 March 2026, not 2027.
    assert totals[(2026, "childrens_home")] == 4
    assert (2027, "childrens_home") not in totals.index
    # F1 (6 places) ends 31 March 2027, the day counted: still running then. F2 states no
    # places, so counts none; the open-ended DPS counts its 3 in both years.
    assert totals[(2027, "ifa_fostering")] == 6
    assert totals[(2027, "supported_accommodation")] == 3
    teen = result[(result["year"] == 2026) & (result["need_profile"] == "teenagers")]
    # 4 in-house teenage places and the block contract's 4.
    assert teen.groupby("source")["places"].sum().to_dict() == {
        supply.BLOCK: 4.0,
        supply.IN_HOUSE_FOSTERING: 4.0,
    }


def test_fostering_summary_occupancy_leaves_out_short_breaks() -> None:
    summary = supply.fostering_summary(fostering()).set_index("year")
    # 2025: households 32 + 5 + 4 = 41, places 52 + 8 + 4 = 64 (all approvals count);
    # occupancy of the places that are homes: filled 44 + 4 = 48 of 52 + 4 = 56 = 85.7%.
    assert summary.loc[2025, "households"] == 41 and summary.loc[2025, "places"] == 64
    assert summary.loc[2025, "places_filled"] == 48
    assert summary.loc[2025, "occupancy"] == pytest.approx(85.7)
    # Approved 5 + 1 + 1 = 7, de-registered 3: net +4.
    assert summary.loc[2025, "net_change"] == 4
    assert summary.loc[2024, "occupancy"] == pytest.approx(90.0)  # 45 of 50


def test_council_homes_count_only_homes_the_area_uses() -> None:
    providers = pd.DataFrame(
        {
            "urn": ["SC1", "SC2", "SC3", "SC4", "SC5"],
            "provision_type": [
                "Children's home",
                "Children's home",
                "Children's home",
                "Supported accommodation",
                "Independent fostering agency",
            ],
            "sector": [
                "Local Authority",
                "Local Authority",
                "Private",
                "Local Authority",
                "Private",
            ],
            "local_authority": ["Northtown", "Northtown", "Northtown", "northtown ", "Northtown"],
            "places": pd.array([4, 6, 3, 10, pd.NA], dtype="Int64"),
        }
    )
    # SC2 houses none of the area's children (a short-break home): not counted. SC3 is
    # private (the market, not council supply). SC5 is an agency, not a home.
    homes = supply.council_homes(providers, ["SC1", "SC3", "SC4", "SC5"], ["Northtown"])
    assert homes["urn"].to_list() == ["SC1", "SC4"]
    assert homes["places"].to_list() == [4.0, 10.0]


def test_provision_use_sets_our_children_against_places_in_the_area() -> None:
    providers = pd.DataFrame(
        {
            "urn": ["H1", "H2", "H3", "S1"],
            "provision_type": [
                "Children's home",
                "Children's home",
                "Children's home",
                "Supported accommodation",
            ],
            "sector": ["Private"] * 4,
            "local_authority": ["Northtown", "Northtown", "Southtown", "Northtown"],
            "places": pd.array([4, 3, 5, 10], dtype="Int64"),
        }
    )
    cla = pd.DataFrame({"URN": ["H1", "H1", "H3", "H3", "H3", "S1", None, "X9"]})
    members = pd.DataFrame({"la": ["south"] * 2, "URN": ["H2", "H2"]})
    use = supply.provision_use(providers, cla, ["Northtown"], members).set_index(
        "placement_category"
    )
    home = use.loc["childrens_home"]
    # In Northtown: H1 (4) + H2 (3) = 7 places; ours there: 2 (in H1); Southtown's: 2 (in
    # H2); left: 7 - 2 - 2 = 3. Ours in homes elsewhere: 3 (in H3).
    assert (home["places"], home["our_children"], home["member_children"]) == (7, 2, 2)
    assert (home["other_use"], home["our_children_elsewhere"]) == (3, 3)
    sa = use.loc["supported_accommodation"]
    assert (sa["places"], sa["our_children"], sa["other_use"]) == (10, 1, 9)


def test_spot_purchases_price_is_spend_over_weeks() -> None:
    placements = pd.DataFrame(
        {
            "placement_category": ["childrens_home"] * 3 + ["inhouse_fostering"],
            "bought": [True, True, True, False],
            "contract_status": ["spot", "spot", "block", "block"],
            "spend": [52_000.0, 30_000.0, 40_000.0, 5_000.0],
            "weeks": [10.0, 5.0, 10.0, 10.0],
        }
    )
    spot = supply.spot_purchases(placements).set_index("placement_category")
    # 2 of the 3 bought; price (52,000 + 30,000) / (10 + 5) weeks = 5,466.67 a week.
    assert spot.loc["childrens_home", "spot_placements"] == 2
    assert spot.loc["childrens_home", "bought_placements"] == 3
    assert spot.loc["childrens_home", "spot_price"] == pytest.approx(82_000 / 15)
    assert "inhouse_fostering" not in spot.index  # not bought


# --- demand and gaps --------------------------------------------------------------------
def test_demand_from_forecast_names_what_is_missing() -> None:
    with pytest.raises(ValueError, match="no column forecast"):
        gaps.demand_from_forecast(
            pd.DataFrame({"scenario": [], "year": [], "placement_category": []})
        )
    with pytest.raises(ValueError, match="placement categories"):
        gaps.demand_from_forecast(
            pd.DataFrame(
                {
                    "scenario": ["baseline"],
                    "year": [2026],
                    "placement_category": ["fostering"],
                    "forecast": [3.0],
                }
            )
        )


def test_demand_from_the_stock_flow_forecast_shape() -> None:
    # The stock-flow model's projection frame: no scenario column, totals over all
    # categories ("all") and an sd column; only category rows are demand.
    forecast = pd.DataFrame(
        {
            "year": [2026, 2026, 2026],
            "placement_category": ["childrens_home", "childrens_home", "all"],
            "age_band": ["10-15", ALL_AGES, ALL_AGES],
            "forecast": [12.5, 20.0, 400.0],
            "sd": [2.0, 3.0, 10.0],
            "lower_80": [10.0, 16.0, 387.0],
            "upper_80": [15.0, 24.0, 413.0],
        }
    )
    demand = gaps.demand_from_forecast(forecast)
    assert demand["scenario"].unique().tolist() == [BASELINE]
    assert "sd" not in demand.columns and "all" not in set(demand["placement_category"])
    assert np.isnan(demand["upper_95"]).all()
    by_category = gaps.category_demand(demand)
    assert by_category["forecast"].tolist() == [20.0]  # the category's own total


def test_demand_held_constant_repeats_todays_children_without_an_interval() -> None:
    cla = pd.DataFrame(
        {
            "placement_category": ["childrens_home", "childrens_home", "inhouse_fostering"],
            "age_band": ["10-15", "10-15", "1-4"],
        }
    )
    demand = gaps.demand_held_constant(cla, [2026, 2027])
    assert len(demand) == 4  # 2 groups x 2 years
    row = demand[(demand["year"] == 2027) & (demand["placement_category"] == "childrens_home")]
    assert row["forecast"].item() == 2.0 and np.isnan(row["upper_80"].item())
    assert set(demand["scenario"]) == {BASELINE}


def test_allocate_to_age_bands_follows_demand_then_ages() -> None:
    demand = demand_rows(
        [
            (BASELINE, 2026, "inhouse_fostering", "under 1", 1.0, NAN, NAN),
            (BASELINE, 2026, "inhouse_fostering", "1-4", 3.0, NAN, NAN),
            (BASELINE, 2026, "inhouse_fostering", "5-9", 6.0, NAN, NAN),
            (BASELINE, 2026, "inhouse_fostering", "10-15", 20.0, NAN, NAN),
            # A scenario's demand does not move the split: the baseline's does.
            ("high", 2026, "inhouse_fostering", "under 1", 100.0, NAN, NAN),
        ]
    )
    places = supply_rows(
        [
            (2026, supply.IN_HOUSE_FOSTERING, "inhouse_fostering", None, 0, 9, 10.0),
            (2026, supply.IN_HOUSE_FOSTERING, "inhouse_fostering", None, 10, 17, 4.0),
            (2026, supply.BLOCK, "childrens_home", None, 0, 17, 6.0),
        ]
    )
    shared = gaps.allocate_to_age_bands(places, demand).set_index(
        ["placement_category", "age_band"]
    )["places"]
    # Ages 0-9 cover under 1, 1-4 and 5-9, with demand 1, 3 and 6 of 10: 1, 3 and 6 places.
    assert shared["inhouse_fostering", "under 1"] == pytest.approx(1.0)
    assert shared["inhouse_fostering", "1-4"] == pytest.approx(3.0)
    assert shared["inhouse_fostering", "5-9"] == pytest.approx(6.0)
    # Ages 10-17 cover 10-15 (demand 20) and 16+ (none): all 4 places to 10-15.
    assert shared["inhouse_fostering", "10-15"] == pytest.approx(4.0)
    assert shared.get(("inhouse_fostering", "16+"), 0.0) == pytest.approx(0.0)
    # No children's home demand at all: shared by ages covered, 1/18, 4/18, 5/18, 6/18
    # and 2/18 of 6 places.
    assert shared["childrens_home", "under 1"] == pytest.approx(6 / 18)
    assert shared["childrens_home", "10-15"] == pytest.approx(2.0)
    assert shared["childrens_home", "16+"] == pytest.approx(12 / 18)
    assert shared.sum() == pytest.approx(20.0)  # nothing lost


def test_gap_by_category_uses_category_totals_where_given() -> None:
    demand = demand_rows(
        [
            (BASELINE, 2026, "inhouse_fostering", "5-9", 6.0, 4.0, 8.0),
            (BASELINE, 2026, "inhouse_fostering", "10-15", 20.0, 16.0, 24.0),
            (BASELINE, 2026, "ifa_fostering", "5-9", 17.0, 15.0, 19.0),
            (BASELINE, 2026, "ifa_fostering", "10-15", 12.0, 10.0, 14.0),
            (BASELINE, 2026, "ifa_fostering", ALL_AGES, 30.0, 25.0, 35.0),
            (BASELINE, 2026, "kinship_fostering", ALL_AGES, 9.0, 7.0, 11.0),
        ]
    )
    places = supply_rows(
        [
            (2026, supply.IN_HOUSE_FOSTERING, "inhouse_fostering", None, 0, 17, 22.0),
            (2026, supply.FRAMEWORK, "ifa_fostering", None, 0, 17, 10.0),
        ]
    )
    gap = gaps.gap_by_category(demand, places).set_index("placement_category")
    # In-house: no category total, so bands are summed: 6 + 20 = 26 (4 + 16 = 20 to
    # 8 + 24 = 32); 22 places: gap 4, from -2 to 10.
    assert gap.loc["inhouse_fostering", "forecast"] == 26
    assert gap.loc["inhouse_fostering", "gap"] == 4
    assert gap.loc["inhouse_fostering", "gap_lower_80"] == -2
    assert gap.loc["inhouse_fostering", "gap_upper_80"] == 10
    # IFA: its own total, 30 (25 to 35), not the bands' 29; 10 places: gap 20 (15 to 25).
    assert gap.loc["ifa_fostering", "gap"] == 20
    assert gap.loc["ifa_fostering", "gap_upper_80"] == 25
    # Every commissioned category is listed; kinship care has no places and is not.
    assert list(gap.index) == list(gaps.GAP_CATEGORIES)
    assert gap.loc["secure", "gap"] == 0 and gap.loc["secure", "places"] == 0


def test_gap_by_age_band_lists_bands_with_places_but_no_demand() -> None:
    demand = demand_rows(
        [
            (BASELINE, 2026, "childrens_home", "10-15", 5.0, 4.0, 6.0),
            ("high", 2026, "childrens_home", "10-15", 7.0, 6.0, 8.0),
        ]
    )
    places = supply_rows([(2026, supply.BLOCK, "childrens_home", None, 11, 17, 3.0)])
    gap = gaps.gap_by_age_band(demand, places)
    # Ages 11-17 cover 10-15 (demand 5) and 16+ (no demand): all 3 places to 10-15.
    base = gap[gap["scenario"] == BASELINE].set_index("age_band")
    assert base.loc["10-15", "gap"] == 2  # 5 - 3
    high = gap[gap["scenario"] == "high"].set_index("age_band")
    assert high.loc["10-15", "gap"] == 4  # 7 - 3
    assert high.loc["10-15", "gap_upper_80"] == 5  # 8 - 3


def test_gap_prices_and_cost() -> None:
    placements = pd.DataFrame(
        {
            "placement_category": ["childrens_home", "childrens_home", "ifa_fostering"],
            "bought": [True, True, True],
            "contract_status": ["spot", "spot", "framework"],
            "on_contract": [False, False, True],
            "spend": [52_000.0, 30_000.0, 4_000.0],
            "weeks": [10.0, 5.0, 5.0],
        }
    )
    running = contracts()
    running.loc[1, "placement_category"] = "childrens_home"  # F1: 6 places at £900
    prices = gaps.gap_prices(placements, running, pd.Timestamp("2025-03-31")).set_index(
        "placement_category"
    )
    # Spot children's homes: 82,000 / 15 weeks = £5,466.67. Contracts running on 31 March
    # 2025 for children's homes: B1 4 places at £5,000 and F1 6 at £900: (20,000 + 5,400)
    # / 10 = £2,540 a week.
    assert prices.loc["childrens_home", "spot_price"] == pytest.approx(82_000 / 15)
    assert prices.loc["childrens_home", "contract_price"] == pytest.approx(2_540.0)
    assert prices.loc["childrens_home", "contract_price_from"] == "contracts"
    # IFA: F2 (no places stated, weight 1) at £950 runs; no spot IFA placement.
    assert prices.loc["ifa_fostering", "contract_price"] == pytest.approx(950.0)
    assert np.isnan(prices.loc["ifa_fostering", "spot_price"])
    # Supported accommodation: the DPS at £1,200 (3 places).
    assert prices.loc["supported_accommodation", "contract_price"] == pytest.approx(1_200.0)

    gap = pd.DataFrame(
        {
            "scenario": [BASELINE, BASELINE],
            "year": [2026, 2026],
            "placement_category": ["childrens_home", "ifa_fostering"],
            "gap": [3.0, -2.0],
        }
    )
    cost = gaps.gap_cost(gap, prices.reset_index()).set_index("placement_category")
    # 3 extra children's home placements for a year (365 / 7 = 52.14 weeks):
    # spot 3 x 5,466.67 x 52.14 = £855,142.86; contract 3 x 2,540 x 52.14 = £397,328.57.
    assert cost.loc["childrens_home", "spot_cost"] == pytest.approx(3 * 82_000 / 15 * 365 / 7)
    assert cost.loc["childrens_home", "spot_cost"] == pytest.approx(855_142.86, abs=0.01)
    assert cost.loc["childrens_home", "contract_cost"] == pytest.approx(397_328.57, abs=0.01)
    assert cost.loc["childrens_home", "saving"] == pytest.approx(457_814.29, abs=0.01)
    # A surplus costs nothing extra, even with no spot price known.
    assert cost.loc["ifa_fostering", "extra_placements"] == 0
    assert cost.loc["ifa_fostering", "spot_cost"] == 0


def test_providers_in_area_most_places_first_then_the_rest() -> None:
    providers = pd.DataFrame(
        {
            "urn": ["H1", "H2", "H3", "H4", "S1", "F1"],
            "provision_type": ["Children's home"] * 4 + ["Supported accommodation",
                               "Independent fostering agency"],
            "sector": ["Private", "Private", "Voluntary", "Private", "Private", "Private"],
            "local_authority": ["Northtown"] * 3 + ["Southtown", "Northtown", "Northtown"],
            "places": pd.array([4, 3, 5, 9, 10, pd.NA], dtype="Int64"),
            "owner": ["Acme", "Acme", "Trust", "Acme", "Beta", "Agency"],
            "ofsted_rating": pd.array(["Good", "Inadequate", "Outstanding", "Good", pd.NA,
                                       "Good"], dtype="string"),
        }
    )  # fmt: skip
    found = supply.providers_in_area(providers, ["Northtown"], top=2).set_index("owner")
    # In Northtown: Beta 10 places (SA, not rated), Acme 4 + 3 = 7 (Good 4), Trust 5
    # (Outstanding). Top 2 by places: Beta, Acme; Trust in "All other providers". H4 is in
    # Southtown and F1 is an agency, not a home: left out.
    assert found.index.tolist() == ["Beta", "Acme", "All other providers"]
    assert found.loc["Acme", ["settings", "places", "good_or_better"]].tolist() == [2, 7, 4]
    assert found.loc["Beta", "not_rated"] == 10
    assert found.loc["All other providers", "places"] == 5
