"""Needs analysis on a hand-made cohort of three children, answers worked out by hand.

The framework has three indicators: ``a`` and ``b`` in domain X, ``c`` in domain Y; ``c``
weighs 2. Scaled to average 1 the weights are 1, 1, 2 x 3/4 = 0.75, 0.75, 1.5. Need bands
start at 2 (medium) and 5 (high). A rating of 1 or more is a need.
"""

from __future__ import annotations

import pandas as pd
import pytest

from mps.analysis import needs as N

FRAMEWORK = N.NeedsFramework.from_settings(
    {
        "needs": {
            "indicators": [
                {"slug": "a", "label": "A", "domain": "X"},
                {"slug": "b", "label": "B", "domain": "X"},
                {"slug": "c", "label": "C", "domain": "Y"},
            ],
            "weights": {"c": 2},
            "need_band_edges": [2, 5],
        }
    }
)


def assessments() -> pd.DataFrame:
    rows = [
        # child, date, a, b, c
        ("C1", "2024-06-01", 1, 0, 3),  # 0.75 + 4.5 = 5.25, 2 needs, high
        ("C1", "2024-12-01", 1, 1, 3),  # 0.75 + 0.75 + 4.5 = 6.0, 3 needs, high
        ("C2", "2024-09-05", 0, 0, 0),  # 0, no needs, low
        ("C3", "2024-01-01", 3, 3, 1),  # 2.25 + 2.25 + 1.5 = 6.0, 3 needs, high
        ("C3", "2024-06-01", 2, 2, 0),  # 1.5 + 1.5 = 3.0, 2 needs, medium
    ]
    frame = pd.DataFrame(rows, columns=["CHILD", "assessment_date", "a", "b", "c"])
    frame["assessment_date"] = pd.to_datetime(frame["assessment_date"])
    return frame.astype({"a": "Int64", "b": "Int64", "c": "Int64"}).assign(la="north")


def episodes() -> pd.DataFrame:
    rows = [
        # child, DECOM, DEC, LS, category, DOB
        ("C1", "2024-04-01", None, "C2", "ifa_fostering", "2012-06-01"),
        ("C2", "2023-05-01", "2024-09-01", "C2", "childrens_home", "2015-01-10"),
        ("C2", "2024-09-01", "2024-09-10", "C2", None, "2015-01-10"),  # temporary (T1)
        ("C2", "2024-09-10", None, "C2", "childrens_home", "2015-01-10"),
        ("C3", "2022-04-01", "2024-03-01", "C2", "inhouse_fostering", "2010-03-01"),
        ("C4", "2024-05-01", None, "V3", "other", "2011-01-01"),  # short breaks only
    ]
    frame = pd.DataFrame(rows, columns=["CHILD", "DECOM", "DEC", "LS", "placement_category", "DOB"])
    for column in ("DECOM", "DEC", "DOB"):
        frame[column] = pd.to_datetime(frame[column])
    return frame.astype({"placement_category": "string"}).assign(la="north")


def scored() -> pd.DataFrame:
    return N.assessments_in_care(N.score_assessments(assessments(), FRAMEWORK), episodes())


def test_weights_scores_counts_and_bands() -> None:
    assert FRAMEWORK.scaled_weights().to_list() == [0.75, 0.75, 1.5]
    result = N.score_assessments(assessments(), FRAMEWORK)
    assert result["need_score"].to_list() == [5.25, 6.0, 0.0, 6.0, 3.0]
    assert result["needs_count"].to_list() == [2, 3, 0, 3, 2]
    assert result["need_band"].to_list() == ["high", "high", "low", "high", "medium"]
    assert result["domain:X"].to_list() == [True, True, False, True, True]
    assert result["domain:Y"].to_list() == [True, True, False, True, False]


def test_equal_weights_make_the_score_the_sum_of_ratings() -> None:
    framework = N.NeedsFramework.from_settings(
        {"needs": {"indicators": FRAMEWORK_INDICATORS, "need_band_edges": [2, 5]}}
    )
    # C1's first assessment: 1 + 0 + 3 = 4.
    assert N.score_assessments(assessments(), framework)["need_score"].iloc[0] == 4.0


FRAMEWORK_INDICATORS = [
    {"slug": "a", "label": "A", "domain": "X"},
    {"slug": "b", "label": "B", "domain": "X"},
    {"slug": "c", "label": "C", "domain": "Y"},
]


def test_placement_and_age_on_the_day_of_the_assessment() -> None:
    result = scored()
    # C1: in IFA fostering, 12 on the day (born 1 June 2012). C2 on 5 September 2024 is in
    # a temporary placement: described by the children's home before it; aged 9.
    # C3's June 2024 assessment is after leaving care on 1 March 2024.
    assert result["in_care"].to_list() == [True, True, True, True, False]
    assert result["placement_category"].to_list()[:4] == [
        "ifa_fostering",
        "ifa_fostering",
        "childrens_home",
        "inhouse_fostering",
    ]
    assert pd.isna(result["placement_category"].iloc[4])
    assert result["age"].to_list() == [12, 12, 9, 13, 14]
    assert result["age_band"].to_list() == ["10-15", "10-15", "5-9", "10-15", "10-15"]


def test_cohort_is_children_looked_after_in_the_year_at_their_latest_assessment() -> None:
    # 2024-25: C1 and C2 were looked after; C3 left on 1 March 2024; C4 had short breaks only.
    latest = N.latest_assessments(scored(), episodes(), 2025)
    assert latest["CHILD"].to_list() == ["C1", "C2"]
    assert latest["assessment_date"].dt.strftime("%Y-%m-%d").to_list() == [
        "2024-12-01",
        "2024-09-05",
    ]
    # 2023-24: C2 and C3 were looked after; only C3 was assessed by 31 March 2024.
    latest = N.latest_assessments(scored(), episodes(), 2024)
    assert latest["CHILD"].to_list() == ["C3"]
    assert latest["need_score"].to_list() == [6.0]


def test_needs_profile_by_placement_and_by_age() -> None:
    latest = N.latest_assessments(scored(), episodes(), 2025)
    profile = N.needs_profile(latest, FRAMEWORK, "placement_category").set_index(
        "placement_category"
    )
    # C2 in the children's home: no needs. C1 in IFA fostering: a, b and c; X and Y.
    assert profile.loc["childrens_home"].to_dict() == {
        "children_assessed": 1,
        "domain:X": 0,
        "domain:Y": 0,
        "a": 0,
        "b": 0,
        "c": 0,
        "average_needs": 0.0,
        "average_score": 0.0,
    }
    assert profile.loc["ifa_fostering", ["domain:X", "domain:Y", "a", "b", "c"]].to_list() == [
        1,
        1,
        1,
        1,
        1,
    ]
    assert profile.loc["ifa_fostering", "average_score"] == 6.0
    by_band = N.needs_profile(latest, FRAMEWORK, "age_band")
    # C2 (9) is in 5-9, C1 (12) in 10-15: bands in DfE order.
    assert by_band["age_band"].to_list() == ["5-9", "10-15"]
    by_age = N.needs_profile(latest, FRAMEWORK, "age")
    assert by_age["age"].to_list() == [9, 12]
    # Two children together: average needs (0 + 3) / 2 = 1.5 over the whole cohort.
    assert by_age["average_needs"].mul(by_age["children_assessed"]).sum() / 2 == 1.5


def test_change_between_first_and_latest_assessment() -> None:
    change = N.needs_change(scored(), FRAMEWORK, 2025).set_index("measure")
    # C1: 5.25 -> 6.0 (+0.75, higher); C3: 6.0 -> 3.0 (-3, lower). Average (-3 + 0.75) / 2.
    assert change.loc["overall"].to_dict() == {
        "children_reassessed": 2,
        "lower": 1,
        "same": 0,
        "higher": 1,
        "average_change": -1.125,
    }
    # Domain X (a + b): C1 1 -> 2 (higher), C3 6 -> 4 (lower). Domain Y (c): C1 3 -> 3, C3 1 -> 0.
    assert change.loc["X", ["lower", "same", "higher"]].to_list() == [1, 0, 1]
    assert change.loc["Y", ["lower", "same", "higher"]].to_list() == [1, 1, 0]
    assert change.loc["Y", "average_change"] == -0.5
    # By 31 March 2024 nobody had been assessed twice.
    assert N.needs_change(scored(), FRAMEWORK, 2024)["children_reassessed"].eq(0).all()


def test_an_indicator_missing_from_the_data_is_named() -> None:
    with pytest.raises(ValueError, match="indicator\\(s\\) c"):
        N.score_assessments(assessments().drop(columns="c"), FRAMEWORK)
