"""Placement requests on a hand-made log of eight requests, answers worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mps.analysis import referrals as R
from mps.data.referrals import read_referrals
from mps.data.validation import ValidationReport

HEADER = (
    "referral_id,CHILD,date_requested,date_needed,age,sex,placement_type_sought,urgency,"
    "outcome,date_placed,placement_type_placed"
)
ROWS = [
    # 2024-25 (1 April 2024 to 31 March 2025)
    "R1,C1,01/04/2024,01/04/2024,7,M,fostering,emergency,placed,03/04/2024,fostering",
    "R2,C2,10/04/2024,12/04/2024,12,F,fostering,emergency,placed,12/04/2024,childrens home",
    "R3,C3,02/05/2024,06/05/2024,15,F,childrens home,planned,placed,16/05/2024,childrens home",
    "R4,,20/06/2024,30/06/2024,16,M,supported accommodation,planned,unplaced,,",
    "R5,,31/03/2025,30/04/2025,3,F,fostering,planned,withdrawn,,",
    "R6,C6,15/01/2025,15/01/2025,0,F,parent and child,emergency,placed,15/01/2025,parent and child",
    # 2023-24
    "R7,C7,31/03/2024,01/04/2024,9,M,fostering,emergency,placed,01/04/2024,fostering",
    # 2025-26: after the years analysed
    "R8,C8,01/04/2025,01/04/2025,9,M,fostering,emergency,placed,01/04/2025,fostering",
]


@pytest.fixture
def referrals(tmp_path: Path) -> pd.DataFrame:
    path = tmp_path / "referrals.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return read_referrals(path, ValidationReport()).assign(la="north")


def test_results_and_notice_bands(referrals: pd.DataFrame) -> None:
    requests = R.requests_in_year(referrals, 2025)
    assert requests["referral_id"].to_list() == ["R1", "R2", "R3", "R4", "R5", "R6"]
    # Notice: R1 0 days, R2 2, R3 4, R4 10, R5 30, R6 0.
    assert requests["notice_band"].to_list() == [
        "Same day",
        "1-2 days",
        "3-5 days",
        "6-14 days",
        "15 days or more",
        "Same day",
    ]
    # R2 sought fostering but was placed in a children's home.
    assert requests["result"].to_list() == [
        "placed_as_sought",
        "placed_otherwise",
        "placed_as_sought",
        "unplaced",
        "withdrawn",
        "placed_as_sought",
    ]


def test_requests_by_year_with_rate_per_10000(referrals: pd.DataFrame) -> None:
    population = pd.DataFrame(
        {
            "la_code": "E06000001",
            "la_name": "North",
            "year": [2023, 2024, 2024],
            "age": [5, 5, 12],
            "population": [9_000, 1_000, 2_000],
            "kind": "estimate",
        }
    )
    table = R.requests_by_year(referrals, [2024, 2025], population, ["E06000001"])
    # 2023-24: 1 request (R7) per 9,000 children (mid-2023) = 1.11 per 10,000;
    # 2024-25: 6 requests per 3,000 children (mid-2024) = 20 per 10,000.
    assert table["requests"].to_list() == [1, 6]
    assert table["rate_per_10000"].to_list() == pytest.approx([10_000 / 9_000, 20.0])
    assert table["per_month"].to_list() == pytest.approx([1 / 12, 0.5])
    assert table.loc[
        1, ["placed_as_sought", "placed_otherwise", "unplaced", "withdrawn"]
    ].to_list() == [
        3,
        1,
        1,
        1,
    ]


def test_requests_by_month(referrals: pd.DataFrame) -> None:
    months = R.requests_by_month(referrals, 2025)
    assert len(months) == 12 and months["month"].iloc[0] == pd.Timestamp("2024-04-01")
    # April: R1, R2; May: R3; June: R4; January: R6; March: R5.
    assert months["requests"].to_list() == [2, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1]


def test_requests_by_type_and_notice(referrals: pd.DataFrame) -> None:
    by_type = R.requests_by_type(referrals, 2025).set_index("placement_type_sought")
    # Fostering: R1 (placed in 2 days), R2 (placed otherwise, in 2 days), R5 (withdrawn).
    assert by_type.loc["fostering"].to_dict() == {
        "requests": 3,
        "placed_as_sought": 1,
        "placed_otherwise": 1,
        "unplaced": 0,
        "withdrawn": 1,
        "placed": 2,
        "average_days_to_place": 2.0,
    }
    assert by_type.loc["childrens home", "average_days_to_place"] == 14.0  # 2 to 16 May
    assert by_type.loc["secure", "requests"] == 0 and pd.isna(
        by_type.loc["secure", "average_days_to_place"]
    )
    by_notice = R.requests_by_notice(referrals, 2025).set_index("notice_band")
    assert by_notice["requests"].to_list() == [2, 1, 1, 1, 1]
    # Same day: R1 (2 days to place) and R6 (0): average 1.
    assert by_notice.loc["Same day", "average_days_to_place"] == 1.0


def test_requests_by_age_and_type(referrals: pd.DataFrame) -> None:
    by_age = R.requests_by_age(referrals, 2025).set_index("age_band")
    # Ages 7 (R1), 12 (R2), 15 (R3), 16 (R4), 3 (R5), 0 (R6).
    assert by_age["requests"].to_list() == [1, 1, 1, 2, 1]
    assert by_age.loc["10-15", ["fostering", "childrens home"]].to_list() == [1, 1]
    assert by_age.loc["16+", "supported accommodation"] == 1
