"""The demo's supply inputs agree with the demo's placements and read cleanly.

(Determinism of every generated file, these included, is checked in test_synthetic.py.)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mps.analysis import children
from mps.analysis.spend import placements_in_year
from mps.data.spend import read_spend
from mps.data.ssda903 import load_borough
from mps.data.supply import read_contracts, read_fostering
from mps.data.validation import ValidationReport
from mps.synthetic import write_demo_data

YEARS = [2024, 2025]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("supply") / "demo"
    write_demo_data(root, years=YEARS)
    return root


def test_supply_files_are_listed_and_read_without_issues(demo: Path) -> None:
    manifest = (demo / "demo_manifest.json").read_text()
    for borough in ("ashmoor", "hazelwick"):
        assert f'"{borough}/fostering.csv"' in manifest
        assert f'"{borough}/contracts.csv"' in manifest
        report = ValidationReport()
        read_fostering(demo / borough / "fostering.csv", report)
        read_contracts(demo / borough / "contracts.csv", report)
        assert report.issues == [], report.issues[:3]


@pytest.mark.parametrize("borough", ["ashmoor", "eastholme"])
def test_in_house_places_follow_in_house_fostering_use(demo: Path, borough: str) -> None:
    fostering = read_fostering(demo / borough / "fostering.csv")
    episodes = load_borough(demo / borough / "ssda903", la=borough).episodes
    for year in YEARS:
        rows = fostering[fostering["year"] == year]
        # Rows filled by the placements (not the parent and child, emergency, remand and
        # short-break carers, which the 903 cannot show): their filled places are the
        # children in in-house fostering at 31 March, give or take the few whose 903
        # category differs from the simulation's (a temporary placement, a status change).
        from_placements = rows[
            ~rows["specialism"].isin(["parent_and_child", "emergency", "remand", "short_breaks"])
        ]
        mix = children.placement_mix(episodes, [year]).set_index("placement_category")
        in_house = mix.loc["inhouse_fostering", "children"]
        filled = from_placements["places_filled"].sum()
        assert abs(filled - in_house) <= max(3, 0.05 * in_house), (year, filled, in_house)
        assert (rows["places"] >= rows["places_filled"]).all()
        assert (rows["places"] >= rows["households"]).all()
        occupancy = filled / from_placements["places"].sum()
        assert 0.7 < occupancy < 0.95
    # Each row's change in households is the year's approvals less de-registrations.
    wide = fostering.set_index(["age_from", "age_to", "specialism", "year"])["households"]
    change = wide.unstack("year").fillna(0)
    latest = fostering[fostering["year"] == YEARS[-1]].set_index(
        ["age_from", "age_to", "specialism"]
    )
    expected = latest["households_approved"] - latest["households_deregistered"]
    actual = (change[YEARS[-1]] - change[YEARS[0]]).reindex(expected.index)
    assert (actual == expected).all()


def test_block_contracts_cover_the_block_placements(demo: Path) -> None:
    contracts = read_contracts(demo / "ashmoor" / "contracts.csv")
    spend = read_spend(demo / "ashmoor" / "spend.csv")
    assert set(contracts["contract_type"]) == {"block", "framework", "dps"}
    day = pd.Timestamp("2025-03-31")
    placements = placements_in_year(spend, 2025)
    open_block = placements[
        placements["bought"]
        & (placements["contract_status"] == "block")
        & (placements["placement_start"] <= day)
        & (placements["placement_end"].isna() | (placements["placement_end"] > day))
        & placements["placement_category"].isin(
            ["ifa_fostering", "childrens_home", "supported_accommodation"]
        )
    ]
    used = open_block.groupby("provider_name").size()
    blocks = contracts[contracts["contract_type"] == "block"]
    reserved = blocks.groupby("provider_name")["places"].sum()
    assert set(used.index) <= set(reserved.index)
    assert (reserved.reindex(used.index) >= used).all()
    # A DPS promises no places; frameworks list the places expected and a price.
    assert contracts.loc[contracts["contract_type"] == "dps", "places"].isna().all()
    assert (contracts["weekly_price"] > 0).all()
