"""Readers of the inputs beyond the 903: spend, referrals, needs assessments, Ofsted register.

Each test writes a small CSV by hand; line numbers in the expectations count the header as
line 1, as an analyst sees the file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mps.data.needs import read_needs
from mps.data.providers import read_providers
from mps.data.referrals import read_referrals
from mps.data.spend import read_spend
from mps.data.validation import FatalValidationError, Severity, ValidationReport

SPEND_HEADER = (
    "CHILD,placement_start,placement_end,PLACE,PLACE_PROVIDER,URN,provider_name,"
    "weekly_cost,contract_status"
)


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def issues(report: ValidationReport) -> list[tuple[int | None, str | None, str | None, str]]:
    return [(i.row, i.column, i.value, i.severity.value) for i in report.issues]


# --- spend ------------------------------------------------------------------------------
def test_spend_rows_are_typed_and_categorised(tmp_path: Path) -> None:
    path = write(
        tmp_path / "spend.csv",
        [
            SPEND_HEADER,
            'C1,01/04/2024,30/09/2024,U4,PR4,SC1,Acme Fostering,"£1,050.50",Framework',
            "C1,01/10/2024,,U4,PR1,,Northtown Council,450,block",
            "C2,15/05/2024,31/03/2025,K2,PR4,SC2,Acme Homes,5200,spot",
        ],
    )
    report = ValidationReport()
    spend = read_spend(path, report)
    assert report.issues == []
    assert spend["weekly_cost"].to_list() == [1050.5, 450.0, 5200.0]
    # U4 with a private provider is IFA fostering; with the council (PR1) it is in-house.
    assert spend["placement_category"].to_list() == [
        "ifa_fostering",
        "inhouse_fostering",
        "childrens_home",
    ]
    assert spend["contract_status"].to_list() == ["framework", "block", "spot"]
    assert spend["on_contract"].to_list() == [True, True, False]
    assert pd.isna(spend.loc[1, "placement_end"]) and pd.isna(spend.loc[1, "URN"])
    assert spend.loc[2, "placement_start"] == pd.Timestamp("2024-05-15")
    assert spend["source_row"].to_list() == [2, 3, 4]


def test_spend_bad_rows_are_rejected_with_file_row_column_value(tmp_path: Path) -> None:
    path = write(
        tmp_path / "spend.csv",
        [
            SPEND_HEADER,
            "C1,01/04/2024,,U4,PR4,SC1,Acme,900,framework",  # 2 good
            "C2,31/02/2024,,U4,PR4,SC1,Acme,900,framework",  # 3 no 31 February
            "C3,01/04/2024,01/03/2024,U4,PR4,SC1,Acme,900,framework",  # 4 ends before start
            "C4,01/04/2024,,T1,PR4,SC1,Acme,900,framework",  # 5 temporary placement
            "C5,01/04/2024,,U4,PR9,SC1,Acme,900,framework",  # 6 unknown provider code
            "C6,01/04/2024,,U4,PR4,SC1,Acme,about 900,framework",  # 7 not a number
            "C7,01/04/2024,,U4,PR4,SC1,Acme,-5,framework",  # 8 negative
            "C8,01/04/2024,,U4,PR4,SC1,Acme,900,contract",  # 9 unknown status
            ",01/04/2024,,U4,PR4,SC1,Acme,900,framework",  # 10 no child
            "C1,01/04/2024,,U4,PR4,SC1,Acme,900,framework",  # 11 repeat of line 2
        ],
    )
    report = ValidationReport()
    spend = read_spend(path, report)
    assert spend["CHILD"].to_list() == ["C1"]
    found = issues(report)
    assert (3, "placement_start", "31/02/2024", "error") in found
    assert (4, "placement_end", "01/03/2024", "error") in found
    assert (5, "PLACE", "T1", "error") in found
    assert (6, "PLACE_PROVIDER", "PR9", "error") in found
    assert (7, "weekly_cost", "about 900", "error") in found
    assert (8, "weekly_cost", "-5", "error") in found
    assert (9, "contract_status", "contract", "error") in found
    assert (10, "CHILD", "", "error") in found
    assert (11, None, None, "warning") in found
    # 10 rows read = 1 kept + 8 errors + 1 repeated copy.
    counts = report.counts_frame().iloc[0]
    assert (counts.rows_read, counts.rows_kept, counts.rows_rejected) == (10, 1, 9)
    described = next(i.describe() for i in report.issues if i.row == 9)
    assert "spend.csv, row 9, column contract_status" in described
    assert "framework, block, spot" in described


def test_spend_overlap_and_high_cost_are_kept_with_warnings(tmp_path: Path) -> None:
    path = write(
        tmp_path / "spend.csv",
        [
            SPEND_HEADER,
            "C1,01/04/2024,30/06/2024,K2,PR4,SC2,Acme Homes,60000,spot",
            "C1,01/06/2024,,U4,PR4,SC1,Acme,900,framework",  # starts before line 2 ends
            "C1,01/07/2024,,U4,PR4,SC1,Acme,950,framework",  # overlaps the open line 3
        ],
    )
    report = ValidationReport()
    spend = read_spend(path, report)
    assert len(spend) == 3
    rules = [(i.row, i.rule, i.severity) for i in report.issues]
    assert (2, "high-cost", Severity.WARNING) in rules
    assert (3, "overlapping-spend", Severity.WARNING) in rules
    assert (4, "overlapping-spend", Severity.WARNING) in rules


def test_spend_without_a_report_raises_for_a_rejected_row(tmp_path: Path) -> None:
    path = write(
        tmp_path / "spend.csv",
        [SPEND_HEADER, "C1,01/04/2024,,U4,PR4,SC1,Acme,lots,framework"],
    )
    with pytest.raises(FatalValidationError, match=r"row 2, column weekly_cost.*'lots'"):
        read_spend(path)


def test_spend_missing_column_is_fatal_and_excel_encodings_are_read(tmp_path: Path) -> None:
    path = write(tmp_path / "spend.csv", ["CHILD,placement_start", "C1,01/04/2024"])
    with pytest.raises(FatalValidationError, match="column placement_end"):
        read_spend(path, ValidationReport())
    # Windows-1252 (Excel's plain CSV) with a £ sign, and header names in another case.
    path = write(
        tmp_path / "excel.csv",
        [SPEND_HEADER.upper(), "C1,01/04/2024,,U4,PR4,SC1,Café Fostering,£900,spot"],
        encoding="cp1252",
    )
    spend = read_spend(path, ValidationReport())
    assert spend.loc[0, "provider_name"] == "Café Fostering"
    assert spend.loc[0, "weekly_cost"] == 900.0


# --- referrals --------------------------------------------------------------------------
REFERRAL_HEADER = (
    "referral_id,CHILD,date_requested,date_needed,age,sex,placement_type_sought,urgency,"
    "outcome,date_placed,placement_type_placed"
)


def test_referrals_timescales_and_outcomes(tmp_path: Path) -> None:
    path = write(
        tmp_path / "referrals.csv",
        [
            REFERRAL_HEADER,
            "R1,C1,01/04/2024,01/04/2024,7,M,Fostering,emergency,placed,03/04/2024,fostering",
            "R2,C2,01/04/2024,11/04/2024,15,F,Children's home,planned,placed,20/04/2024,"
            "childrens home",
            "R3,,10/05/2024,08/05/2024,16,,supported accommodation,emergency,unplaced,,",
        ],
    )
    report = ValidationReport()
    referrals = read_referrals(path, report)
    # R1: needed the day it was asked for (0 days), placed 2 days later.
    # R2: 10 days' notice (1 to 11 April), placed 19 days after the request.
    # R3: needed 2 days *before* the request: counted as same day (0), with a warning.
    assert referrals["days_notice"].to_list() == [0, 10, 0]
    assert referrals["days_to_place"].to_list()[:2] == [2, 19]
    assert pd.isna(referrals.loc[2, "days_to_place"])
    assert referrals["placement_type_sought"].to_list() == [
        "fostering",
        "childrens home",
        "supported accommodation",
    ]
    assert referrals["age_band"].to_list() == ["5-9", "10-15", "16+"]
    assert pd.isna(referrals.loc[2, "CHILD"]) and pd.isna(referrals.loc[2, "sex"])
    assert [(i.row, i.rule) for i in report.issues] == [(4, "needed-before-request")]


def test_referral_rules(tmp_path: Path) -> None:
    path = write(
        tmp_path / "referrals.csv",
        [
            REFERRAL_HEADER,
            "R1,C1,01/04/2024,01/04/2024,7,M,fostering,emergency,placed,,fostering",  # 2
            "R2,C2,05/04/2024,06/04/2024,7,M,fostering,emergency,placed,01/04/2024,fostering",
            "R3,C3,01/04/2024,01/04/2024,19,M,fostering,emergency,unplaced,,",  # 4 age 19
            "R4,C4,01/04/2024,01/04/2024,9,X,fostering,emergency,unplaced,,",  # 5 sex X
            "R5,C5,01/04/2024,01/04/2024,9,F,kinship,emergency,unplaced,,",  # 6 type
            "R6,C6,01/04/2024,01/04/2024,9,F,fostering,urgent,unplaced,,",  # 7 urgency
            "R7,C7,01/04/2024,01/04/2024,9,F,fostering,planned,lost,,",  # 8 outcome
            "R7,C8,01/04/2024,01/04/2024,9,F,fostering,planned,withdrawn,,",  # 9 id again
            "R9,C9,01/04/2024,02/04/2024,9,F,fostering,planned,withdrawn,,",  # 10 good
        ],
    )
    report = ValidationReport()
    referrals = read_referrals(path, report)
    assert referrals["referral_id"].to_list() == ["R9"]
    found = {(i.row, i.column) for i in report.issues}
    assert found == {
        (2, "date_placed"),
        (3, "date_placed"),
        (4, "age"),
        (5, "sex"),
        (6, "placement_type_sought"),
        (7, "urgency"),
        (8, "outcome"),
        (9, "referral_id"),
    }
    assert report.rows_read == 9 and report.rows_rejected == 8


# --- needs ------------------------------------------------------------------------------
def test_needs_default_indicators_and_rating_checks(tmp_path: Path) -> None:
    from mps.data.needs import DEFAULT_INDICATORS

    header = "CHILD,assessment_date," + ",".join(DEFAULT_INDICATORS) + ",assessor"
    twelve = ",".join(["1"] * 12)
    path = write(
        tmp_path / "needs.csv",
        [
            header,
            f"C1,01/06/2024,{twelve},Jo",  # 2 good
            "C2,01/06/2024," + ",".join(["0"] * 11 + ["4"]) + ",Jo",  # 3 rating 4
            "C3,01/06/2024," + ",".join(["0"] * 11 + [""]) + ",Jo",  # 4 blank rating
            f"C1,01/06/2024,{','.join(['2'] * 12)},Al",  # 5 same child and day as line 2
            f"C1,01/12/2024,{','.join(['2'] * 12)},Al",  # 6 second assessment: good
        ],
    )
    report = ValidationReport()
    needs = read_needs(path, report)
    assert list(needs.columns) == ["CHILD", "assessment_date", *DEFAULT_INDICATORS, "source_row"]
    assert needs["source_row"].to_list() == [2, 6]
    assert needs["identity"].to_list() == [1, 2]
    assert {(i.row, i.column, i.value) for i in report.issues} == {
        (3, "identity", "4"),
        (4, "identity", ""),
        (5, "assessment_date", "01/06/2024"),
    }
    assert "line 2 assesses the same child" in report.issues[-1].expected


def test_needs_indicator_set_is_configurable(tmp_path: Path) -> None:
    path = write(
        tmp_path / "needs.csv",
        ["CHILD,assessment_date,health,safety", "C1,01/06/2024,0,5"],
    )
    needs = read_needs(path, ValidationReport(), indicators=["health", "safety"], rating_max=5)
    assert needs[["health", "safety"]].iloc[0].to_list() == [0, 5]
    with pytest.raises(FatalValidationError, match="column physical_health"):
        read_needs(path, ValidationReport())


# --- Ofsted register --------------------------------------------------------------------
REGISTER = [
    "URN,Provision type,Registration status,Sector,Local authority,Places,"
    "Organisation which owns the provider,"
    "Overall experiences and progress of children and young people,Inspection date",
    "SC100001,Children's home,Active,Private,Northtown,4,Acme Homes Ltd,Good,01/02/2024",
    "SC100001,Children's home,Active,Private,Northtown,4,Acme Homes Ltd,Outstanding,01/09/2024",
    "SC100002,Independent fostering agency,Active,Private,Southtown,,Acme Fostering,"
    "Requires Improvement to be good,",
    "SC100003,Children's home,Active,Voluntary,Southtown,three,Kind Trust,Brilliant,2024-05-01",
    ",Children's home,Active,Private,Southtown,2,Nobody Ltd,Good,01/01/2024",
]
PREAMBLE = [
    "Children's social care data in England 2024",
    "Provider level data,,,",
    "",
]


def test_register_with_and_without_the_preamble(tmp_path: Path) -> None:
    plain = write(tmp_path / "plain.csv", REGISTER)
    ofsted = write(tmp_path / "ofsted.csv", PREAMBLE + REGISTER)
    plain_report, ofsted_report = ValidationReport(), ValidationReport()
    a = read_providers(plain, plain_report)
    b = read_providers(ofsted, ofsted_report)
    pd.testing.assert_frame_equal(a.drop(columns="source_row"), b.drop(columns="source_row"))
    # The three preamble lines shift every line number by 3.
    assert (b["source_row"] - a["source_row"]).to_list() == [3, 3, 3]

    assert a["urn"].to_list() == ["SC100001", "SC100002", "SC100003"]
    # SC100001 is listed twice: the later inspection (Outstanding, line 3) is used.
    assert a["ofsted_rating"].to_list()[:2] == ["Outstanding", "Requires improvement to be good"]
    assert a["source_row"].to_list() == [3, 4, 5]
    assert pd.isna(a.loc[1, "places"]) and pd.isna(a.loc[2, "places"])
    assert pd.isna(a.loc[2, "ofsted_rating"])
    assert a.loc[2, "inspection_date"] == pd.Timestamp("2024-05-01")
    found = {(i.row, i.column, i.severity.value) for i in plain_report.issues}
    assert found == {
        (2, "URN", "warning"),  # superseded by line 3
        (5, "Places", "warning"),  # "three"
        (5, "Overall experiences and progress of children and young people", "warning"),
        (6, "URN", "error"),  # no URN
    }
    # 5 rows read = 3 kept + 1 earlier inspection + 1 without a URN.
    assert (plain_report.rows_read, plain_report.rows_kept) == (5, 3)


def test_register_without_a_urn_column_is_fatal(tmp_path: Path) -> None:
    path = write(tmp_path / "providers.csv", ["Name,Places", "Acme,3"])
    with pytest.raises(FatalValidationError, match="header row"):
        read_providers(path, ValidationReport())
