"""Tests of mps.analysis.flows on hand-made episodes with hand-worked answers.

Collection year 2024 (1 April 2023 to 31 March 2024) unless said otherwise. Borough north:

* A1  looked after 01/06/2019 to 01/05/2021 (E4A); back on 01/09/2023: a re-entry, more than
      12 months after leaving.
* A2  started 01/05/2023, went home 01/07/2023 (E4B), back 01/12/2023: counted once as a
      start (the first); the second start is a re-entry within 12 months.
* A3  UASC (status not ceased), started 10/10/2023: a UASC start.
* A4  recorded as UASC but the status ceased on 01/08/2023, the day care started: not a
      UASC start.
* A5  a short break (V3) in 2022, then started 01/06/2023: not a re-entry (short breaks
      are not care).
* A6  in care before the returns (first episode 01/04/2020 is RNE P); left 30/11/2023 (E17).
* A7  first episode 01/01/2017 (RNE L: care began earlier); left 01/02/2024 (E5).
* A8  started 10/04/2023, left 30/04/2023 (E13).
* A9  started 15/09/2022, adopted 15/09/2023 (E11): exactly 12 months.
* A10 started 20/01/2023, special guardianship 19/07/2023 (E45): a day short of 6 months.

Borough south: A1 (a different child from north's A1) in care since 01/01/2022; S2 on a
short break over 31 March 2024.
"""

from __future__ import annotations

import pandas as pd
import pytest
from episode_fixtures import episode_table, keys

from mps import codes
from mps.analysis import flows

EPISODES = """
la    CHILD DECOM      DEC        RNE LS PLACE PROV REC PL_POST URN MILES
north A1    2019-06-01 2021-05-01 S   C2 U4    PR1  E4A NA1     .   .
north A1    2023-09-01 .          S   V2 U4    PR1  .   NA1     .   .
north A2    2023-05-01 2023-07-01 S   V2 U4    PR1  E4B NA2     .   .
north A2    2023-12-01 .          S   C1 U6    PR4  .   NA2     .   .
north A3    2023-10-10 .          S   V2 H5    PR4  .   NA3     .   .
north A4    2023-08-01 .          S   V2 H5    PR4  .   NA4     .   .
north A5    2022-07-01 2022-07-03 S   V3 K2    PR1  E4A NA5     .   .
north A5    2023-06-01 .          S   C1 U4    PR1  .   NA5     .   .
north A6    2020-04-01 2023-11-30 P   C2 U4    PR1  E17 NA6     .   .
north A7    2017-01-01 2024-02-01 L   C2 K2    PR4  E5  NA7     .   .
north A8    2023-04-10 2023-04-30 S   V2 U4    PR1  E13 NA8     .   .
north A9    2022-09-15 2023-09-15 S   C2 A4    PR1  E11 NA9     .   .
north A10   2023-01-20 2023-07-19 S   C2 U1    PR1  E45 NA10    .   .
south A1    2022-01-01 .          S   C2 U4    PR1  .   SA1     .   .
south S2    2024-03-30 .          S   V3 K2    PR1  .   SA2     .   .
"""

CHILDREN = """
la    CHILD SEX DOB        ETHNIC UASC DUC
north A1    M   2012-01-01 WBRI   no   .
north A2    F   2014-01-01 WBRI   no   .
north A3    M   2007-05-01 BAFR   yes  .
north A4    M   2007-05-01 AOTH   yes  2023-08-01
north A5    F   2016-01-01 WBRI   no   .
north A6    F   2005-06-01 WBRI   no   .
north A7    M   2007-01-01 WBRI   no   .
north A8    M   2010-01-01 WBRI   no   .
north A9    F   2021-01-01 WBRI   no   .
north A10   F   2019-01-01 WBRI   no   .
south A1    M   2011-01-01 WBRI   no   .
south S2    F   2013-01-01 WBRI   no   .
"""


@pytest.fixture(scope="module")
def episodes() -> pd.DataFrame:
    return episode_table(EPISODES, CHILDREN)


@pytest.fixture(scope="module")
def north(episodes: pd.DataFrame) -> pd.DataFrame:
    return episodes[episodes["la"] == "north"].reset_index(drop=True)


def test_re_entries_use_the_episode_history(north: pd.DataFrame) -> None:
    back = flows.re_entries(north, 2024).set_index(["la", "CHILD"])
    # A1 (earlier period 2019-21) and A2 (home in July, back in December). Not A5: its
    # earlier episode is a short break. Not A3, A4, A8: no earlier care.
    assert list(back.index) == [("north", "A1"), ("north", "A2")]
    # A1: 01/05/2021 to 01/09/2023 = 365 + 365 + (31 + 30 + 31 + 31) = 853 days.
    # A2: 01/07/2023 to 01/12/2023 = 31 + 31 + 30 + 31 + 30 = 153 days.
    assert back["days_since_left"].tolist() == [853, 153]
    assert back["previous_cease"].tolist() == [pd.Timestamp("2021-05-01"),
                                               pd.Timestamp("2023-07-01")]  # fmt: skip
    assert back["within_12_months"].tolist() == [False, True]
    assert back.loc[("north", "A2"), "DECOM"] == pd.Timestamp("2023-12-01")  # the return


def test_uasc_starts_need_the_status_at_the_start(north: pd.DataFrame) -> None:
    # A3 is UASC with no DUC; A4's status ceased on the day care started.
    assert keys(flows.uasc_starts(north, 2024)) == [("north", "A3")]


def test_flow_trend(north: pd.DataFrame) -> None:
    trend = flows.flow_trend(north, [2024, 2023])
    # 2023: starts A9 (15/09/2022) and A10 (20/01/2023); A5's V3 break is not a start.
    # 2024: starts A1, A2 (once), A3, A4, A5, A8 = 6; re-entries A1, A2 = 2, of which A2
    # within 12 months; UASC starts A3 = 1.
    expected = pd.DataFrame(
        {
            "year": [2023, 2024],
            "starts": [2, 6],
            "re_entries": [0, 2],
            "re_entries_within_12_months": [0, 1],
            "uasc_starts": [0, 1],
        }
    )
    pd.testing.assert_frame_equal(trend, expected, check_dtype=False)
    # Loaded from 2023, the 2023 look-back (April 2021 to March 2023) is not all there.
    partial = flows.flow_trend(north, [2023, 2024], history_from=2023)
    assert pd.isna(partial.loc[0, "re_entries_within_12_months"])
    assert partial.loc[1, "re_entries_within_12_months"] == 1


def test_reasons_ceased_in_dfe_groups(north: pd.DataFrame) -> None:
    reasons = flows.reasons_ceased(north, [2024])
    assert reasons["reason_group"].tolist() == list(flows.REASON_GROUP_ORDER)
    counts = reasons.set_index("reason_group")["children"]
    # Ceases in 2024: A2 E4B, A6 E17, A7 E5, A8 E13, A9 E11, A10 E45: one in each group.
    assert counts[counts > 0].to_dict() == {
        "Returned home to parents or relatives": 1,  # A2
        "Left care to live with parents or relatives without parental responsibility": 1,  # A8
        "Adopted": 1,  # A9
        "Special guardianship order": 1,  # A10
        "Moved into independent living": 1,  # A7
        "Aged 18 or over and remained with current carers": 1,  # A6
    }
    assert counts.sum() == 6


def test_every_reason_group_is_published() -> None:
    assert set(flows.REASON_GROUP_ORDER) == set(codes.REASON_CEASED_GROUP.values())
    assert len(flows.REASON_GROUP_ORDER) == len(set(flows.REASON_GROUP_ORDER))


def test_care_durations_with_unknown_starts(north: pd.DataFrame) -> None:
    durations = flows.care_durations(north, [2024]).set_index("duration_band")["children"]
    assert list(durations.index) == list(flows.DURATION_ORDER)
    # A8 20 days: under 1 month. A2 01/05 to 01/07 (2 months) and A10 20/01 to 19/07
    # (a day short of 6 months): 1 to 6 months. A9 15/09/2022 to 15/09/2023: exactly 12
    # months, 1 to 2 years. A7 from 01/01/2017 (a lower bound) to 01/02/2024: over 7 years,
    # so 5 years or more whatever the true start. A6 from 01/04/2020 (a lower bound, 3 years
    # 8 months): not known.
    assert durations.to_dict() == {
        "Under 1 month": 1,
        "1 month to under 6 months": 2,
        "6 months to under 1 year": 0,
        "1 year to under 2 years": 1,
        "2 years to under 5 years": 0,
        "5 years or more": 1,
        flows.DURATION_NOT_KNOWN: 1,
    }


def test_cla_counts_per_borough(episodes: pd.DataFrame) -> None:
    counts = flows.cla_counts(episodes[list(flows.STOCK_COLUMNS)], [2023, 2024])
    # 31/03/2023: north A6, A7, A9, A10 = 4; south A1 = 1.
    # 31/03/2024: north A1, A2, A3, A4, A5 = 5; south A1 = 1 (S2 is on a short break).
    assert counts.to_dict("list") == {
        "year": [2023, 2023, 2024, 2024],
        "la": ["north", "south", "north", "south"],
        "children": [4, 1, 5, 1],
    }


POPULATION = pd.DataFrame(
    [
        ("E1", "North", 2023, 0, 4000, "estimate"),
        ("E1", "North", 2023, 17, 6000, "estimate"),
        ("E2", "South", 2023, 9, 2500, "estimate"),
    ],
    columns=["la_code", "la_name", "year", "age", "population", "kind"],
)


def test_area_rates_are_pooled_not_averaged(episodes: pd.DataFrame) -> None:
    counts = flows.cla_counts(episodes, [2024])
    rates = flows.area_rates(
        counts,
        POPULATION,
        [2024],
        {"North": {"north": "E1"}, "Partnership": {"north": "E1", "south": "E2"}},
    )
    # North: 5 / (4,000 + 6,000) x 10,000 = 5.0. Partnership: (5 + 1) / 12,500 x 10,000
    # = 4.8; the mean of the two boroughs' rates (5.0 and 1 / 2,500 x 10,000 = 4.0) would
    # be 4.5.
    assert rates.to_dict("list") == {
        "area": ["North", "Partnership"],
        "year": [2024, 2024],
        "children": [5, 6],
        "population": [10000.0, 12500.0],
        "rate_per_10000": [5.0, 4.8],
    }
    with pytest.raises(ValueError, match=r"'East'.*east"):
        flows.area_rates(counts, POPULATION, [2024], {"East": {"east": "E3"}})


MEMBERS = [
    {"slug": "north", "name": "North", "la_code": "E1"},
    {"slug": "south", "name": "South", "la_code": "E2"},
]


def test_comparison_areas_for_a_borough_and_a_consortium() -> None:
    # A borough is set beside its whole consortium.
    assert flows.comparison_areas("North", {"north": "E1"}, MEMBERS, "Partnership", False) == {
        "North": {"north": "E1"},
        "Partnership": {"north": "E1", "south": "E2"},
    }
    # A consortium lists each borough, then itself.
    both = {"north": "E1", "south": "E2"}
    assert flows.comparison_areas("Partnership", both, MEMBERS, "Partnership", True) == {
        "North": {"north": "E1"},
        "South": {"south": "E2"},
        "Partnership": both,
    }
    # Without members (a notebook opened on its own) a borough stands alone.
    assert flows.comparison_areas("North", {"north": "E1"}, [], "Partnership", False) == {
        "North": {"north": "E1"}
    }
