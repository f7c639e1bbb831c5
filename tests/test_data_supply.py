"""Readers of the supply inputs: in-house fostering and commissioned contracts.

Each test writes a small CSV by hand; line numbers count the header as line 1.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mps.data.supply import read_contracts, read_fostering
from mps.data.validation import FatalValidationError, Severity, ValidationReport

FOSTERING_HEADER = (
    "year,age_from,age_to,specialism,households,places,places_filled,"
    "households_approved,households_deregistered"
)
CONTRACTS_HEADER = (
    "contract_id,provider_name,URN,contract_type,placement_category,need_profile,"
    "age_from,age_to,places,weekly_price,start_date,end_date"
)


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def issues(report: ValidationReport) -> list[tuple[int | None, str | None, str | None, str]]:
    return [(i.row, i.column, i.value, i.severity.value) for i in report.issues]


# --- fostering --------------------------------------------------------------------------
def test_fostering_rows_are_typed_and_specialisms_normalised(tmp_path: Path) -> None:
    path = write(
        tmp_path / "fostering.csv",
        [
            FOSTERING_HEADER,
            "2025,0,17,Mainstream,40,62,55,6,4",
            "2025,0,17,Parent & child,3,3,2,1,0",
            "2025,10,17,teenagers,5,5,5,2,1",
        ],
    )
    report = ValidationReport()
    fostering = read_fostering(path, report)
    assert report.issues == []
    assert fostering["specialism"].to_list() == ["mainstream", "parent_and_child", "teenagers"]
    assert fostering["places"].to_list() == [62, 3, 5]
    assert fostering["age_from"].to_list() == [0, 0, 10]
    assert str(fostering["households"].dtype) == "Int64"
    assert fostering["source_row"].to_list() == [2, 3, 4]
    counts = report.counts_frame().iloc[0]
    assert (counts["rows_read"], counts["rows_kept"], counts["rows_rejected"]) == (3, 3, 0)


def test_fostering_bad_rows_are_rejected_with_file_line_column_value(tmp_path: Path) -> None:
    path = write(
        tmp_path / "fostering.csv",
        [
            FOSTERING_HEADER,
            "2025,0,17,mainstream,40,62,55,6,4",  # good
            "2025,12,5,mainstream,1,1,1,0,0",  # line 3: range runs backwards
            "2025,0,17,kinship,2,2,2,0,0",  # line 4: kinship carers are not in-house supply
            "2025,0,18,remand,1,1,0,0,0",  # line 5: 18 is not a child's age
            "2025,0,17,emergency,2,2.5,1,0,0",  # line 6: half a place
            "2025,0,17,Mainstream,1,1,1,0,0",  # line 7: same key as line 2
            "25,0,17,remand,1,1,1,0,0",  # line 8: not a collection year
            "2025,0,17,uasc,2,3,4,0,0",  # line 9: kept, more filled than approved
        ],
    )
    report = ValidationReport()
    fostering = read_fostering(path, report)
    assert fostering["source_row"].to_list() == [2, 9]
    found = issues(report)
    assert (3, "age_to", "5", "error") in found
    assert (4, "specialism", "kinship", "error") in found
    assert (5, "age_to", "18", "error") in found
    assert (6, "places", "2.5", "error") in found
    assert (7, None, None, "error") in found
    assert (8, "year", "25", "error") in found
    assert (9, "places_filled", "4", "warning") in found
    duplicate = next(i for i in report.issues if i.row == 7)
    assert "line 2 has the same" in duplicate.expected and duplicate.file == str(path)
    counts = report.counts_frame().iloc[0]
    assert (counts["rows_read"], counts["rows_kept"], counts["rows_rejected"]) == (8, 2, 6)


def test_fostering_without_report_raises_on_a_rejected_row(tmp_path: Path) -> None:
    path = write(tmp_path / "fostering.csv", [FOSTERING_HEADER, "2025,0,17,knitting,1,1,1,0,0"])
    with pytest.raises(FatalValidationError) as error:
        read_fostering(path)
    assert error.value.issue.row == 2 and error.value.issue.column == "specialism"
    assert "knitting" in str(error.value)


def test_fostering_missing_column_is_fatal(tmp_path: Path) -> None:
    path = write(tmp_path / "fostering.csv", ["year,age_from,age_to", "2025,0,17"])
    with pytest.raises(FatalValidationError) as error:
        read_fostering(path, ValidationReport())
    assert error.value.issue.column == "specialism"
    assert error.value.issue.severity == Severity.FATAL


# --- contracts --------------------------------------------------------------------------
def test_contracts_rows_are_typed(tmp_path: Path) -> None:
    path = write(
        tmp_path / "contracts.csv",
        [
            CONTRACTS_HEADER,
            'B1,Acme Homes Ltd,sc123456,Block,Children\'s home,,8,17,4,"£5,100.00",'
            "01/04/2023,31/03/2027",
            "F1,Regional IFA framework,,framework,IFA,,,,,950,01/04/2022,",
            "D1,Semi-independent DPS,,Dynamic purchasing system,supported,sixteen_plus,"
            "16,17,20,1200,01/10/2024,30/09/2028",
        ],
    )
    report = ValidationReport()
    contracts = read_contracts(path, report)
    assert report.issues == []
    assert contracts["contract_type"].to_list() == ["block", "framework", "dps"]
    assert contracts["placement_category"].to_list() == [
        "childrens_home",
        "ifa_fostering",
        "supported_accommodation",
    ]
    assert contracts["URN"].to_list()[0] == "SC123456" and pd.isna(contracts.loc[1, "URN"])
    assert contracts["weekly_price"].to_list() == [5100.0, 950.0, 1200.0]
    # A framework that promises no places has places NA and covers every age.
    assert pd.isna(contracts.loc[1, "places"])
    assert (contracts.loc[1, "age_from"], contracts.loc[1, "age_to"]) == (0, 17)
    assert pd.isna(contracts.loc[1, "end_date"]) and pd.isna(contracts.loc[0, "need_profile"])
    assert contracts.loc[2, "need_profile"] == "sixteen_plus"
    assert contracts.loc[0, "end_date"] == pd.Timestamp("2027-03-31")


def test_contracts_bad_rows_are_rejected(tmp_path: Path) -> None:
    path = write(
        tmp_path / "contracts.csv",
        [
            CONTRACTS_HEADER,
            "B1,Acme,,block,childrens_home,,,,4,5000,01/04/2023,31/03/2027",  # good
            "S1,Acme,,spot,childrens_home,,,,1,5000,01/04/2023,",  # 3: spot is not a contract
            "B2,Acme,,block,childrens_home,,,,,5000,01/04/2023,",  # 4: block without places
            "B3,Acme,,block,kinship_fostering,,,,2,300,01/04/2023,",  # 5: not bought
            "B4,Acme,,block,childrens_home,,,,2,5000,01/04/2023,31/03/2022",  # 6: ends first
            "B5,Acme,,block,childrens_home,tall children,,,2,5000,01/04/2023,",  # 7: profile
            "B6,Acme,,block,childrens_home,,,,2,-5,01/04/2023,",  # 8: negative price
            "B1,Acme,,block,Children's home,,,,4,5000,01/04/2023,31/03/2027",  # 9: as line 2
            ",Acme,,block,secure,,,,1,7000,01/04/2023,",  # 10: no contract_id
        ],
    )
    report = ValidationReport()
    contracts = read_contracts(path, report)
    assert contracts["source_row"].to_list() == [2]
    found = issues(report)
    assert (3, "contract_type", "spot", "error") in found
    assert (4, "places", "", "error") in found
    assert (5, "placement_category", "kinship_fostering", "error") in found
    assert (6, "end_date", "31/03/2022", "error") in found
    assert (7, "need_profile", "tall children", "error") in found
    assert (8, "weekly_price", "-5", "error") in found
    assert (9, None, None, "error") in found
    assert (10, "contract_id", "", "error") in found
    spot = next(i for i in report.issues if i.row == 3)
    assert "spend.csv" in spot.expected
    counts = report.counts_frame().iloc[0]
    assert (counts["rows_read"], counts["rows_kept"], counts["rows_rejected"]) == (9, 1, 8)


def test_area_pools_supply_inputs_of_the_boroughs_that_have_them(tmp_path: Path) -> None:
    from mps.area import AreaData, load_optional_inputs

    (tmp_path / "north").mkdir()
    (tmp_path / "south").mkdir()
    write(
        tmp_path / "north" / "fostering.csv", [FOSTERING_HEADER, "2025,0,17,mainstream,4,6,5,1,0"]
    )
    write(
        tmp_path / "south" / "contracts.csv",
        [CONTRACTS_HEADER, "B1,Acme,,block,childrens_home,,,,4,5000,01/04/2023,"],
    )
    area = AreaData(episodes=pd.DataFrame(), population=None)
    load_optional_inputs(area, boroughs=["north", "south"], data_dir=tmp_path)
    assert area.coverage["fostering"] == ["north"] and area.coverage["contracts"] == ["south"]
    assert area.fostering["la"].to_list() == ["north"]
    assert area.contracts["la"].to_list() == ["south"]
