"""Supply, gap and indicator tables as published (disclosure applied) and their sentences."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mps import documents
from mps import sufficiency_tables as tables
from mps import sufficiency_text as text
from mps.analysis import gaps
from mps.analysis.gaps import BASELINE
from mps.presentation import PublishableTable
from mps.tables import protect_publishable

THRESHOLD = 5


def publish(table: PublishableTable) -> pd.DataFrame:
    """What report.table() shows: the table after disclosure control."""
    return protect_publishable(table, threshold=THRESHOLD).table


def gap_frame() -> pd.DataFrame:
    demand = gaps.demand_from_forecast(
        pd.DataFrame(
            {
                "scenario": [BASELINE] * 3,
                "year": [2026] * 3,
                "placement_category": ["childrens_home", "secure", "ifa_fostering"],
                "forecast": [20.4, 2.0, 30.0],
                "lower_80": [16.0, 1.0, 26.0],
                "upper_80": [25.6, 3.0, 34.0],
            }
        )
    )
    supply = pd.DataFrame(
        {
            "year": [2026, 2026],
            "source": ["Block contracts", "Framework and DPS (places expected)"],
            "placement_category": ["childrens_home", "ifa_fostering"],
            "need_profile": pd.array([pd.NA, pd.NA], dtype="string"),
            "age_from": [0, 0],
            "age_to": [17, 17],
            "places": [12.0, 35.0],
        }
    )
    return gaps.gap_by_category(demand, supply)


def test_gap_table_withholds_a_small_forecast_and_its_gap() -> None:
    published = publish(tables.gap_table(gap_frame())).set_index("Placement")
    home = published.loc["Children's home"]
    # 20.4 -> 20 children; 12 places: gap 8; at the top of the 80% range 25.6 -> 26: 14.
    assert (home["Forecast demand"], home["Places secured"], home["Gap"]) == (20, 12, 8)
    assert home["Gap if demand is high"] == 14
    # A forecast of 2 secure placements is withheld, with its range and gap.
    secure = published.loc["Secure children's home"]
    assert secure["Forecast demand"] == "c" and secure["Gap"] == "c"
    assert secure["80% range to"] == "c"
    # A surplus: 30 forecast, 35 places.
    assert published.loc["Independent fostering agency", "Gap"] == -5
    sentence = text.gap_sentences(published.reset_index(), 2026)
    assert "8 in children's home (up to 14 if demand is high)" in sentence
    assert "More places are secured than the forecast needs: 5 in independent fostering" in sentence
    assert "withheld to protect confidentiality for secure children's home" in sentence
    assert "2 " not in sentence.replace("2026", "")  # the withheld forecast is never given


def test_cost_table_withholds_borrowed_prices_from_few_spot_placements() -> None:
    gap = pd.DataFrame(
        {
            "scenario": [BASELINE] * 3,
            "year": [2026] * 3,
            "placement_category": ["inhouse_fostering", "ifa_fostering", "childrens_home"],
            "gap": [10.0, 8.0, -1.0],
        }
    )
    placements = pd.DataFrame(
        {
            "placement_category": ["ifa_fostering"] * 3 + ["childrens_home"] * 6,
            "bought": True,
            "contract_status": ["spot"] * 3 + ["spot"] * 6,
            "on_contract": False,
            "spend": [9_000.0] * 3 + [60_000.0] * 6,
            "weeks": [10.0] * 9,
        }
    )
    prices = gaps.gap_prices(placements, None, pd.Timestamp("2025-03-31"))
    cost = gaps.gap_cost(gap, prices)
    published = publish(tables.gap_cost_table(cost, 2026, prices, THRESHOLD)).set_index("Placement")
    # IFA: 3 spot placements (3 <= 5) at £900 a week: the price is withheld, and so is the
    # in-house row's spot cost, which is priced as IFA (10 x 900 x 52.14 would give it away).
    assert published.loc["Independent fostering agency", "Spot purchases this year"] == "c"
    assert published.loc["Independent fostering agency", "Average weekly spot price £"] == "c"
    in_house = published.loc["In-house fostering"]
    assert in_house["Average weekly spot price £"] == "z"
    assert in_house["Yearly cost bought spot £"] in ("x", "c")
    # Children's homes: 6 spot placements, but the total (3 + 6 = 9) would give IFA's 3
    # away, so the 6 is withheld too (secondary suppression), and with it its price. A
    # surplus costs nothing, and that can be shown.
    home = published.loc["Children's home"]
    assert home["Spot purchases this year"] == "c" and home["Average weekly spot price £"] == "c"
    assert home["Yearly cost bought spot £"] == 0


def test_indicator_table_withholds_percentages_of_small_counts() -> None:
    review = pd.DataFrame(
        {
            "indicator": ["in_house_fostering", "on_contract"],
            "label": ["Fostered children living with the council's own foster carers",
                      "Bought placements on contract (framework or block)"],
            "last_children": [40, 3], "last_of": [60, 9], "last_percent": [66.7, 33.3],
            "children": [45, 8], "of": [60, 10], "percent": [75.0, 80.0],
            "target": [72.0, np.nan], "direction": ["Better", "Better"],
            "target_met": pd.array([True, pd.NA], dtype="boolean"),
        }
    )  # fmt: skip
    published = publish(tables.indicator_table(review, 2025)).set_index("Indicator")
    contract = published.loc["Bought placements on contract (framework or block)"]
    assert contract["2024 number"] == "c" and contract["2024 %"] == "c"
    assert contract["2025 %"] == 80.0 and contract["Target met"] == "no target"
    fostering = published.loc["Fostered children living with the council's own foster carers"]
    assert fostering["Target met"] == "Yes" and fostering["Target %"] == 72.0
    sentence = text.indicator_sentence(published.reset_index(), 2025)
    assert sentence.startswith("At 31 March 2025 the target was met for fostered children")
    assert "None moved the wrong way" in sentence


def test_fostering_sentence_with_withheld_counts() -> None:
    published = pd.DataFrame(
        {
            "Year": ["2025"],
            "Approved households": ["c"],
            "Approved places": [9],
            "Places filled at 31 March": ["c"],
            "Occupancy %": ["c"],
            "Households approved in the year": [2],
            "Households de-registered in the year": ["c"],
        }
    )
    sentence = text.fostering_sentence(published, "Eastholme")
    assert sentence == (
        "At 31 March 2025 Eastholme had a withheld number of approved fostering households "
        "with 9 places."
    )


def test_cost_sentence_says_when_contracts_cost_more() -> None:
    published = pd.DataFrame(
        {
            "Placement": [tables.ALL_COMMISSIONED],
            "Extra placements needed": [10],
            "Yearly cost bought spot £": [1_000_000.0],
            "Yearly cost on contract £": [1_200_000.0],
        }
    )
    sentence = text.cost_sentence(published, 2027)
    assert "£1.0 million a year bought spot" in sentence
    assert "£200,000 more" in sentence and "saving" not in sentence


def test_provision_use_sentence_names_an_out_placer() -> None:
    published = pd.DataFrame(
        {
            "Provision": ["Children's homes"],
            "Registered places in the area": [20],
            "Our children in them": [8],
            "Places left (other councils, or vacant)": [12],
            "Our children in such provision elsewhere": [30],
        }
    )
    sentence = text.provision_use_sentence(published, "Northtown")
    assert "30 of its children lived in children's homes outside the area" in sentence
    assert "out-placer" in sentence


def test_profile_table_has_every_year_and_scenario_and_withholds_small_groups() -> None:
    counts = pd.DataFrame(
        {
            "need_profile": ["teenagers", "uasc", "parent_and_child"],
            "children": pd.array([pd.NA, 20, 3], dtype="Int64"),
            "measured": [False, True, True],
        }
    )
    rows = []
    for scenario, factor in ((BASELINE, 1.0), ("high", 1.5)):
        for profile, now in (("uasc", 20), ("parent_and_child", 3)):
            for year in (2026, 2027):
                # Demand grows 10% a year from today's children; 10 places.
                demand = now * factor * (1.1 if year == 2027 else 1.0)
                rows.append((profile, scenario, year, now, demand, 10.0, demand - 10.0))
    gap = pd.DataFrame(
        rows,
        columns=["need_profile", "scenario", "year", "children_now", "forecast", "places", "gap"],
    )
    published = publish(tables.profile_gap_table(counts, gap, {"teenagers": "needs.csv"}))
    assert published["Scenario"].tolist() == ["Baseline"] * 3 + ["High"] * 3
    uasc = published[
        (published["Scenario"] == "High") & (published["Need profile"].str.startswith("Unacc"))
    ].iloc[0]
    # 20 x 1.5 = 30, then 33 in 2027; gaps 20 and 23.
    assert (uasc["Demand 2026"], uasc["Demand 2027"], uasc["Gap 2027"]) == (30, 33, 23)
    parent = published[published["Need profile"] == "Parent and child"].iloc[0]
    # 3 children now: withheld, and the demand and gap worked out from them too.
    assert (
        parent["Children now"] == "c" and parent["Demand 2026"] == "c" and parent["Gap 2027"] == "c"
    )
    teen = published[published["Need profile"].str.startswith("Teenagers")].iloc[0]
    assert teen["Measured from"] == "not measured: needs.csv" and teen["Demand 2026"] == "x"


def test_fostering_in_house_and_agency_together() -> None:
    published = pd.DataFrame(
        {
            "Year": ["31 March 2027"] * 3,
            "Placement": ["In-house fostering", "Independent fostering agency", "Children's home"],
            "Gap": pd.Series([-20, 50, 4], dtype=object),
            "Gap if demand is high": [-10, 60, 7],
            "Places secured": [100, 10, 8],
        }
    )
    # 50 short in agency fostering, 20 in-house places spare: 30 foster places short.
    assert text.fostering_gap(published, 2027) == 30
    sentence = text.gap_sentences(published, 2027)
    assert "30 more foster places are needed than are secured" in sentence
    evidence = documents.intention_evidence(published)
    assert "about 30 more foster places" in evidence["inhouse_fostering"]
    published.loc[0, "Gap"] = "c"
    assert text.fostering_gap(published, 2027) is None


def test_fostering_sentence_net_change() -> None:
    published = pd.DataFrame(
        {
            "Year": ["2025"],
            "Approved households": [40],
            "Approved places": [60],
            "Occupancy %": [80.0],
            "Households approved in the year": [6],
            "Households de-registered in the year": [7],
        }
    )
    assert text.fostering_sentence(published, "Northtown").endswith(
        "6 households were approved and 7 left the service: a net loss of 1 household."
    )
