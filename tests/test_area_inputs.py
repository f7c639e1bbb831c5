"""An area's optional inputs: pooled over the boroughs that have them, None when none has."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mps import area as area_module
from mps.area import AreaData, load_optional_inputs
from mps.data.validation import FatalValidationError

SPEND = (
    "CHILD,placement_start,placement_end,PLACE,PLACE_PROVIDER,URN,provider_name,"
    "weekly_cost,contract_status\n"
)


def area() -> AreaData:
    return AreaData(episodes=pd.DataFrame(), population=None)


def test_inputs_pool_over_the_boroughs_that_have_them(tmp_path: Path) -> None:
    (tmp_path / "north").mkdir()
    (tmp_path / "south").mkdir()
    (tmp_path / "north" / "spend.csv").write_text(
        SPEND + "N1,01/04/2024,,U4,PR4,SC1,Acme,900,spot\n", encoding="utf-8"
    )
    (tmp_path / "south" / "spend.csv").write_text(
        SPEND + "S1,01/04/2024,,K2,PR4,SC2,Acme,5000,framework\n"
        "S2,01/04/2024,,K2,PR4,SC2,Acme,oops,framework\n",
        encoding="utf-8",
    )
    (tmp_path / "south" / "needs.csv").write_text(
        "CHILD,assessment_date,health\nS1,01/05/2024,2\n", encoding="utf-8"
    )
    data = area()
    settings = {"needs": {"indicators": [{"slug": "health", "label": "H", "domain": "D"}]}}
    load_optional_inputs(data, boroughs=["north", "south"], data_dir=tmp_path, settings=settings)
    assert data.spend["la"].to_list() == ["north", "south"]
    assert data.spend["CHILD"].to_list() == ["N1", "S1"]
    assert data.coverage == {
        "spend": ["north", "south"],
        "referrals": [],
        "needs": ["south"],
        "fostering": [],
        "contracts": [],
        "providers": [],
    }
    assert data.referrals is None and data.providers is None
    assert data.needs["health"].to_list() == [2]
    # The bad south row is rejected and reported, not dropped silently.
    assert [(i.row, i.column) for i in data.inputs_report.issues] == [(3, "weekly_cost")]
    assert data.inputs_report.rows_read == 4 and data.inputs_report.rows_kept == 3


def test_each_borough_input_is_read_once_for_every_area_that_pools_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The borough, then its region: the region's copy of the borough's spend (rows,
    # rejected rows and their issues) comes from the record the first left.
    (tmp_path / "south").mkdir()
    spend = tmp_path / "south" / "spend.csv"
    spend.write_text(
        SPEND + "S1,01/04/2024,,K2,PR4,SC2,Acme,5000,framework\n"
        "S2,01/04/2024,,K2,PR4,SC2,Acme,oops,framework\n",
        encoding="utf-8",
    )
    shared = tmp_path / "prepared" / "_inputs"
    borough = area()
    load_optional_inputs(borough, boroughs=["south"], data_dir=tmp_path, shared_dir=shared)
    monkeypatch.setattr(area_module, "read_spend", lambda *a: pytest.fail("read again"))
    region = area()
    load_optional_inputs(region, boroughs=["south"], data_dir=tmp_path, shared_dir=shared)
    assert region.spend.equals(borough.spend) and region.spend["CHILD"].to_list() == ["S1"]
    assert region.inputs_report.issues == borough.inputs_report.issues
    assert [(i.row, i.column) for i in region.inputs_report.issues] == [(3, "weekly_cost")]
    assert region.inputs_report.rows_read == 2 and region.inputs_report.rows_kept == 1

    # A changed file is read again; a fatal problem is reported as when read directly.
    monkeypatch.undo()
    spend.write_text("CHILD\nS1\n", encoding="utf-8")
    changed = area()
    with pytest.raises(FatalValidationError, match=r"spend\.csv"):
        load_optional_inputs(changed, boroughs=["south"], data_dir=tmp_path, shared_dir=shared)
    assert changed.inputs_report.has_fatal


def test_a_fatal_problem_in_an_optional_input_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "north").mkdir()
    (tmp_path / "north" / "referrals.csv").write_text("referral_id\nR1\n", encoding="utf-8")
    with pytest.raises(FatalValidationError, match=r"referrals\.csv.*CHILD"):
        load_optional_inputs(area(), boroughs=["north"], data_dir=tmp_path)


def test_a_borough_with_its_own_data_folder_has_its_inputs_read_from_there(
    tmp_path: Path,
) -> None:
    # data_folder: "North Data" in the parameters: the slug's folder is not looked in.
    (tmp_path / "North Data").mkdir()
    (tmp_path / "north").mkdir()
    (tmp_path / "North Data" / "spend.csv").write_text(
        SPEND + "N1,01/04/2024,,U4,PR4,SC1,Acme,900,spot\n", encoding="utf-8"
    )
    (tmp_path / "north" / "spend.csv").write_text(
        SPEND + "X9,01/04/2024,,U4,PR4,SC1,Acme,100,spot\n", encoding="utf-8"
    )
    settings = {
        "consortium": {"members": [{"slug": "north", "name": "N", "data_folder": "North Data"}]}
    }
    data = area()
    load_optional_inputs(data, boroughs=["north"], data_dir=tmp_path, settings=settings)
    assert data.spend["CHILD"].to_list() == ["N1"]
    assert data.coverage["spend"] == ["north"]
