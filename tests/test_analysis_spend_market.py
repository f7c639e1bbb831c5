"""Spend, unit costs, contracts, providers and the price of contracts, worked out by hand.

Collection year 2025 is 1 April 2024 to 31 March 2025: 365 days. A placement's days run
from its start up to (not including) its end, or to 1 April 2025 while open.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mps.analysis import cost_need as CN
from mps.analysis import market as M
from mps.analysis import spend as S
from mps.data.providers import read_providers
from mps.data.spend import read_spend
from mps.data.validation import ValidationReport

HEADER = (
    "CHILD,placement_start,placement_end,PLACE,PLACE_PROVIDER,URN,provider_name,"
    "weekly_cost,contract_status"
)
ROWS = [
    "C1,01/04/2024,,U4,PR4,SC1,Acme Fostering,700,framework",  # 365 days in 2025
    "C2,01/01/2025,01/03/2025,K2,PR4,SC2,Acme Homes,5000,spot",  # 59 days
    "C2,01/03/2025,,K2,PR4,SC2,Acme Homes,6000,spot",  # price change: 31 days
    "C3,01/02/2024,01/05/2024,U6,PR1,SC9,Northtown Council,400,block",  # 30 days in 2025
    "C4,01/06/2024,01/12/2024,U4,PR4,SC3,Best Fostering,900,spot",  # 183 days
    "C5,01/04/2023,01/04/2024,U4,PR4,SC1,Acme Fostering,800,framework",  # none in 2025
]


@pytest.fixture
def spend(tmp_path: Path) -> pd.DataFrame:
    path = tmp_path / "spend.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return read_spend(path, ValidationReport()).assign(la="north")


@pytest.fixture
def register(tmp_path: Path) -> pd.DataFrame:
    path = tmp_path / "providers.csv"
    path.write_text(
        "URN,Provision type,Registration status,Sector,Local authority,Places,"
        "Organisation which owns the provider,"
        "Overall experiences and progress of children and young people,Inspection date\n"
        "SC1,Independent fostering agency,Active,Private,Northtown,,Acme Fostering,Good,"
        "01/01/2024\n"
        "SC2,Children's home,Active,Private,Northtown,4,Acme Homes,Outstanding,01/01/2024\n"
        "SC3,Independent fostering agency,Active,Private,Southtown,,Best Fostering,,\n",
        encoding="utf-8",
    )
    return read_providers(path, ValidationReport())


def test_weeks_and_spend_in_the_year(spend: pd.DataFrame) -> None:
    rows = S.spend_rows_in_year(spend, 2025)
    assert rows["CHILD"].to_list() == ["C1", "C2", "C2", "C3", "C4"]
    assert (rows["weeks"] * 7).round(6).to_list() == [365, 59, 31, 30, 183]
    # 700 x 365/7 = 36,500; 5,000 x 59/7; 6,000 x 31/7; 400 x 30/7; 900 x 183/7.
    expected = [36_500, 5_000 * 59 / 7, 6_000 * 31 / 7, 400 * 30 / 7, 900 * 183 / 7]
    np.testing.assert_allclose(rows["spend"], expected)
    # 2024 (1 April 2023 to 31 March 2024, a leap year: 366 days): C5 all year, C3 from
    # 1 February (29 + 31 = 60 days).
    rows = S.spend_rows_in_year(spend, 2024)
    assert rows.set_index("CHILD")["weeks"].mul(7).round(6).to_dict() == {"C3": 60, "C5": 366}


def test_price_changes_are_one_placement(spend: pd.DataFrame) -> None:
    placements = S.placements_in_year(spend, 2025).set_index("CHILD")
    assert len(placements) == 4
    # C2: (5,000 x 59 + 6,000 x 31) / 90 = 481,000 / 90 a week.
    assert placements.loc["C2", "weekly_cost"] == pytest.approx(481_000 / 90)
    assert placements.loc["C2", "weeks"] == pytest.approx(90 / 7)
    assert placements["bought"].to_dict() == {"C1": True, "C2": True, "C3": False, "C4": True}


def test_spend_by_category_and_unit_costs(spend: pd.DataFrame) -> None:
    table = S.spend_by_category(spend, [2024, 2025])
    latest = table[table["year"] == 2025].set_index("placement_category")
    assert latest.loc["ifa_fostering", "placements"] == 2
    assert latest.loc["ifa_fostering", "spend"] == pytest.approx(36_500 + 900 * 183 / 7)
    assert latest.loc["childrens_home", "spend"] == pytest.approx(481_000 / 7)
    assert latest.loc["inhouse_fostering", "spend"] == pytest.approx(400 * 30 / 7)
    assert latest.loc["secure", "placements"] == 0  # every category is listed
    earlier = table[table["year"] == 2024].set_index("placement_category")
    assert earlier.loc["ifa_fostering", "spend"] == pytest.approx(800 * 366 / 7)

    costs = S.unit_costs(spend, 2025).set_index("placement_category")
    # IFA: weekly costs 700 and 900; quartiles by linear interpolation 750, 800, 850; the
    # average week costs (36,500 + 23,528.57) / (548 / 7) = 420,200 / 548.
    assert costs.loc["ifa_fostering", ["lower_quartile", "median", "upper_quartile"]].to_list() == [
        750,
        800,
        850,
    ]
    assert costs.loc["ifa_fostering", "average"] == pytest.approx(420_200 / 548)
    assert list(costs.index) == ["inhouse_fostering", "ifa_fostering", "childrens_home"]


def test_contract_mix_counts_bought_placements_only(spend: pd.DataFrame) -> None:
    mix = M.contract_mix(S.placements_in_year(spend, 2025)).set_index("placement_category")
    # In-house fostering (PR1) is the council's own: not bought.
    assert list(mix.index) == ["ifa_fostering", "childrens_home"]
    assert mix.loc["ifa_fostering", ["on_contract", "off_contract"]].to_list() == [1, 1]
    assert mix.loc["ifa_fostering", "on_contract_spend"] == pytest.approx(36_500)
    assert mix.loc["childrens_home", ["on_contract", "off_contract"]].to_list() == [0, 1]
    assert mix.loc["childrens_home", "off_contract_spend"] == pytest.approx(481_000 / 7)


def test_ratings_and_key_providers(spend: pd.DataFrame, register: pd.DataFrame) -> None:
    placements = S.placements_in_year(spend, 2025)
    ratings = M.provision_ratings(placements, register).set_index("rating")
    # C1 in SC1 (Good), C2 in SC2 (Outstanding), C4 in SC3 (not yet rated), C3 in SC9
    # (not on the register; the council's own, so not bought).
    assert ratings["placements"].to_dict() == {
        "Outstanding": 1,
        "Good": 1,
        "Requires improvement to be good": 0,
        "Inadequate": 0,
        M.NOT_INSPECTED: 1,
        M.NOT_ON_REGISTER: 1,
        M.NO_URN: 0,
    }
    assert ratings.loc[M.NOT_ON_REGISTER, "bought_placements"] == 0

    top = M.key_providers(placements, register, top=2)
    # By spend: Acme Homes 68,714, Acme Fostering 36,500, then Best Fostering 23,529.
    assert top["provider"].to_list() == ["Acme Homes", "Acme Fostering", M.OTHER_PROVIDERS]
    assert top["ofsted_rating"].to_list() == ["Outstanding", "Good", "1 provider"]
    assert top["good_or_better"].to_list() == [1, 1, 0]
    assert top["spend"].sum() == pytest.approx(481_000 / 7 + 36_500 + 900 * 183 / 7)
    # Naming only providers with 2 or more placements: none has, so all are "other".
    assert M.key_providers(placements, register, top=2, min_placements=2)["provider"].to_list() == [
        M.OTHER_PROVIDERS
    ]
    # Without a register nothing can be matched.
    assert M.key_providers(placements, None, top=5)["ofsted_rating"].eq(M.NOT_ON_REGISTER).all()


def test_contract_price_effect_for_like_placements(spend: pd.DataFrame) -> None:
    placements = S.placements_in_year(spend, 2025)
    placements["need_band"] = "medium"
    effect = M.contract_price_effect(placements)
    # Only IFA fostering has both kinds: on contract 700 a week (C1), spot 900 (C4). The
    # difference 200 a week over C1's 365/7 weeks is 10,428.57 avoided.
    assert effect[["placement_category", "need_band", "on_contract", "off_contract"]].to_dict(
        "records"
    ) == [
        {
            "placement_category": "ifa_fostering",
            "need_band": "medium",
            "on_contract": 1,
            "off_contract": 1,
        }
    ]
    assert effect.loc[0, "difference"] == pytest.approx(200)
    assert effect.loc[0, "cost_avoided"] == pytest.approx(200 * 365 / 7)
    # Different need bands are not like placements: nothing to compare.
    placements.loc[placements["CHILD"] == "C4", "need_band"] = "high"
    assert M.contract_price_effect(placements).empty


def test_borough_cost_variance_compares_boroughs_with_enough_placements() -> None:
    rows = []
    # north: three IFA placements at 700, 800 (52 weeks each) and 900 (26 weeks).
    for child, cost, weeks in (("N1", 700, 52), ("N2", 800, 52), ("N3", 900, 26)):
        rows.append(("north", child, cost, weeks))
    # south: two at 1,000 and 1,200 (52 weeks each); east: one at 2,000 (too few).
    for child, cost, weeks in (("S1", 1000, 52), ("S2", 1200, 52), ("E1", 2000, 52)):
        rows.append(("east" if child == "E1" else "south", child, cost, weeks))
    placements = pd.DataFrame(rows, columns=["la", "CHILD", "weekly_cost", "weeks"])
    placements["spend"] = placements["weekly_cost"] * placements["weeks"]
    placements["placement_category"] = "ifa_fostering"
    placements["need_band"] = "low"
    result = M.borough_cost_variance(placements, min_placements=2).iloc[0]
    # north: (700 x 52 + 800 x 52 + 900 x 26) / 130 = 101,400 / 130 = 780; south: 1,100.
    assert result["placements"] == 6
    assert result["boroughs_compared"] == 2
    assert result["lowest"] == pytest.approx(780)
    assert result["highest"] == pytest.approx(1100)
    assert result["ratio"] == pytest.approx(1100 / 780)
    # Pooled: (101,400 + 114,400 + 104,000) / 286.
    assert result["average"] == pytest.approx(319_800 / 286)


def test_need_is_attached_from_the_latest_assessment(spend: pd.DataFrame) -> None:
    placements = S.placements_in_year(spend, 2025)
    scored = pd.DataFrame(
        {
            "la": "north",
            "CHILD": ["C1", "C1", "C4"],
            "assessment_date": pd.to_datetime(["2024-05-01", "2025-06-01", "2025-01-15"]),
            "need_score": [10.0, 20.0, 4.0],
            "need_band": ["medium", "high", "low"],
        }
    )
    result = CN.attach_need(placements, scored, 2025).set_index("CHILD")
    # C1 (open all year): the May 2024 assessment; June 2025 is after 31 March 2025.
    # C4 (ended 1 December 2024): none before, so the first after (January 2025).
    assert result.loc["C1", "need_score"] == 10.0
    assert result.loc["C4", "need_band"] == "low"
    assert result.loc["C2", "need_band"] == CN.NOT_ASSESSED


def test_cost_model_recovers_a_known_need_effect() -> None:
    # 40 placements: log cost = log(800) + 0.05 x score (+ log 6 for homes), with residuals
    # of +-0.01 alternating, and one IFA placement at three times its predicted cost.
    score = np.tile(np.arange(20, dtype=float), 2)
    home = np.repeat([False, True], 20)
    noise = np.tile([0.01, -0.01], 20)
    cost = 800 * np.exp(0.05 * score + np.log(6) * home + noise)
    cost[5] *= 3
    placements = pd.DataFrame(
        {
            "la": "north",
            "CHILD": [f"C{i}" for i in range(40)],
            "placement_category": np.where(home, "childrens_home", "ifa_fostering"),
            "provider_name": "Acme",
            "URN": "SC1",
            "contract_status": "spot",
            "need_score": score,
            "weekly_cost": cost,
        }
    )
    model = CN.fit_cost_model(placements.drop(index=5))
    assert model is not None and model.placements == 39
    # e^0.05 - 1 = 5.13% more a week per point of need.
    assert model.need_effect_pct == pytest.approx(100 * (np.exp(0.05) - 1), abs=0.05)
    assert model.r_squared > 0.99
    review = CN.cost_review_list(CN.fit_cost_model(placements), threshold_sd=2.0)
    assert review["CHILD"].to_list() == ["C5"]
    assert review.loc[0, "cost_ratio"] > 2.5
    assert "CHILD" in review.columns  # child-level: for internal review only
    assert CN.fit_cost_model(placements.head(10)) is None  # too few to fit


def test_cost_by_need_band(spend: pd.DataFrame) -> None:
    placements = S.placements_in_year(spend, 2025)
    placements["need_band"] = ["medium", "high", "low", "medium"]  # C1, C2, C3, C4
    table = CN.cost_by_need_band(placements)
    assert table[["placement_category", "need_band"]].values.tolist() == [
        ["inhouse_fostering", "low"],
        ["ifa_fostering", "medium"],
        ["childrens_home", "high"],
    ]
    # IFA medium: C1 and C4, (36,500 + 23,528.57) / (548/7) a week.
    assert table.loc[1, "average"] == pytest.approx(420_200 / 548)
