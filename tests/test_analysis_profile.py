"""Tests of mps.analysis.profile and mps.analysis.residential on hand-worked children.

Borough north, at 31 March 2024 and 31 March 2025:

* R1  SEX 1 (the code until 2023-24), 16, White British, abuse or neglect (N1), full care
      order. IFA fostering from 01/05/2020, then a private children's home from 01/10/2023,
      45 miles away outside the area.
* R2  SEX 2, 14, White and Black Caribbean (Mixed), disability (N2), section 20. In the
      council's own children's home since 31/03/2022 (the day care began), 8 miles away.
* R3  SEX M, 12, African (Black), UASC, absent parenting (N8), section 20. In a private
      children's home; the first episode the returns hold is 01/04/2021 (RNE L: care and
      the placement began earlier); on holiday (T2) from 25/03/2024 to 05/04/2024.
* R4  SEX 2, 6, White British, N1, interim care order; in-house fostering since
      01/04/2023, 2 miles away.
* R5  short breaks only (V3): never counted.
* R7  SEX F (the code from 2024-25), started 01/06/2024 in IFA fostering (N4, C1).
* R8  SEX U, 15, started 01/09/2024 in a secure children's home (N5, remanded J1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from episode_fixtures import episode_table

from mps.analysis import placements, profile, residential

EPISODES = """
la    CHILD DECOM      DEC        RNE LS PLACE PROV REC PL_POST URN MILES PL_LA LOC CIN
north R1    2020-05-01 2023-10-01 S   C2 U6    PR4  X1  NA1     .   5.0   E1    IN  N1
north R1    2023-10-01 .          P   C2 K2    PR4  .   XB1     SC1 45.0  E9    OUT N1
north R2    2022-03-31 .          S   V2 K2    PR1  .   NA2     SC2 8.0   E1    IN  N2
north R3    2021-04-01 2024-03-25 L   V2 K2    PR4  X1  XA3     SC3 .     E9    OUT N8
north R3    2024-03-25 2024-04-05 P   V2 T2    .    X1  XX3     .   .     E8    OUT N8
north R3    2024-04-05 .          P   V2 K2    PR4  .   XA3     SC3 .     E9    OUT N8
north R4    2023-04-01 .          S   C1 U4    PR1  .   NA4     .   2.0   E1    IN  N1
north R5    2024-03-30 .          S   V3 K2    PR1  .   NA5     SC2 1.0   E1    IN  N2
north R7    2024-06-01 .          S   C1 U6    PR4  .   NA7     .   3.0   E1    IN  N4
north R8    2024-09-01 .          S   J1 K1    PR1  .   XA8     SC8 30.0  E9    OUT N5
"""

CHILDREN = """
la    CHILD SEX DOB        ETHNIC UASC DUC
north R1    1   2007-06-01 WBRI   no   .
north R2    2   2009-06-01 MWBC   no   .
north R3    M   2011-06-01 BAFR   yes  .
north R4    2   2017-06-01 WBRI   no   .
north R5    1   2012-06-01 WBRI   no   .
north R7    F   2014-06-01 WBRI   no   .
north R8    U   2009-06-01 WOTH   no   .
"""


@pytest.fixture(scope="module")
def episodes() -> pd.DataFrame:
    return episode_table(EPISODES, CHILDREN)


def groups(long: pd.DataFrame, characteristic: str, year: int) -> dict[str, int]:
    rows = long[(long["characteristic"] == characteristic) & (long["year"] == year)]
    return {g: n for g, n in zip(rows["group"], rows["children"], strict=True) if n}


def test_profile_at_31_march(episodes: pd.DataFrame) -> None:
    long = profile.profile_at_31_march(episodes, [2024])
    # Looked after on 31/03/2024: R1, R2, R3, R4 (R5 is on a short break).
    assert groups(long, "age_band", 2024) == {"5 to 9": 1, "10 to 15": 2, "16 and over": 1}
    assert groups(long, "ethnic_group", 2024) == {"White": 2, "Mixed": 1, "Black": 1}
    assert groups(long, "uasc", 2024) == {profile.UASC_GROUP: 1, profile.NOT_UASC_GROUP: 3}
    assert groups(long, "category_of_need", 2024) == {
        "Abuse or neglect": 2,  # R1, R4
        "Child's disability": 1,  # R2
        "Absent parenting": 1,  # R3
    }
    assert groups(long, "disability", 2024) == {
        profile.DISABILITY_GROUP: 1,
        profile.OTHER_NEED_GROUP: 3,
    }
    assert groups(long, "legal_status", 2024) == {
        "Full care order": 1,  # R1 C2
        "Interim care order": 1,  # R4 C1
        "Voluntary agreement (section 20)": 2,  # R2, R3
    }
    # Every group of every characteristic is listed, zeros included, and adds up to 4.
    for name, characteristic in profile.CHARACTERISTICS.items():
        rows = long[long["characteristic"] == name]
        assert rows["group"].tolist() == list(characteristic.groups)
        assert rows["children"].sum() == 4


def test_sex_across_the_change_of_codes(episodes: pd.DataFrame) -> None:
    long = profile.profile_at_31_march(episodes, [2024, 2025], ["sex"])
    # 2024: R1 "1" and R3 "M" male, R2 and R4 "2" female.
    assert groups(long, "sex", 2024) == {"Male": 2, "Female": 2}
    # 2025 adds R7 "F" and R8 "U": male R1 R3, female R2 R4 R7, unknown R8.
    assert groups(long, "sex", 2025) == {"Male": 2, "Female": 3, "Unknown": 1}
    assert set(long["characteristic"]) == {"sex"}
    with pytest.raises(ValueError, match=r"unknown characteristic.*religion"):
        profile.profile_at_31_march(episodes, [2024], ["religion"])


def test_residential_cohort(episodes: pd.DataFrame) -> None:
    cohort = residential.residential_cohort(episodes, 2024).set_index("CHILD")
    # In children's homes on 31/03/2024: R1, R2 and R3 (on holiday from the home).
    assert list(cohort.index) == ["R1", "R2", "R3"]
    # R1: in the home 01/10/2023 to 31/03/2024 = 30 (rest of October) + 30 + 31 + 31 + 29
    # + 31 = 182 days
    # (under 6 months: 01/04/2024 would be 6), in care since 01/05/2020 (3 years 11
    # months). R2: exactly 2 years in both (31/03/2022 + 24 months = 31/03/2024; 365 + 366
    # = 731 days). R3: both began before 01/04/2021 (365 + 365 + 365 = 1,095 days to
    # 31/03/2024): the lower bound, 2 years 11 months, settles the placement band (2 years
    # or more) but not the care band.
    assert cohort["days_in_placement"].tolist() == [182, 731, 1095]
    assert cohort["time_in_placement"].tolist() == ["Under 6 months", "2 years or more",
                                                    "2 years or more"]  # fmt: skip
    assert cohort["time_in_care"].tolist() == [
        "2 years to under 5 years",
        "2 years to under 5 years",
        residential.TIME_NOT_KNOWN,
    ]
    assert cohort["locality"].tolist() == [
        placements.OUTSIDE_FAR,  # 45 miles, outside
        placements.INSIDE_NEAR,  # 8 miles, inside
        placements.LOCALITY_NOT_KNOWN,  # UASC: no distance
    ]
    assert cohort.loc["R3", "temporary_place"] == "T2"


def test_residential_profile_beside_all_children(episodes: pd.DataFrame) -> None:
    long = residential.residential_profile(episodes, 2024)
    assert long["measure"].unique().tolist() == list(residential.MEASURES)
    table = long.set_index(["measure", "group"])[["childrens_home", "all_children"]]

    def shown(measure: str) -> dict[str, list[int]]:
        rows = table.loc[measure]
        return {g: list(v) for g, v in rows.iterrows() if v.any()}

    # Homes: R1, R2, R3; all children: R1, R2, R3, R4.
    assert shown("age_band") == {"5 to 9": [0, 1], "10 to 15": [2, 2], "16 and over": [1, 1]}
    assert shown("category_of_need") == {
        "Abuse or neglect": [1, 2],
        "Child's disability": [1, 1],
        "Absent parenting": [1, 1],
    }
    # R4 in foster care since 01/04/2023: 6 months to under 1 year; under 1 year in care.
    assert shown("time_in_placement") == {
        "Under 6 months": [1, 1],
        "6 months to under 1 year": [0, 1],
        "2 years or more": [2, 2],
    }
    assert shown("time_in_care") == {
        "Under 1 year": [0, 1],
        "2 years to under 5 years": [2, 2],
        residential.TIME_NOT_KNOWN: [1, 1],
    }
    assert shown("locality") == {
        placements.INSIDE_NEAR: [1, 2],  # R2; R4 (2 miles)
        placements.OUTSIDE_FAR: [1, 1],  # R1
        placements.LOCALITY_NOT_KNOWN: [1, 1],  # R3
    }
    assert shown("sector") == {"in-house": [1, 2], "independent": [2, 2]}
    sums = long.groupby("measure")[["childrens_home", "all_children"]].sum()
    assert (sums["childrens_home"] == 3).all() and (sums["all_children"] == 4).all()


def test_residential_costs_from_spend(episodes: pd.DataFrame) -> None:
    cohort = residential.residential_cohort(episodes, 2024)
    spend = pd.DataFrame(
        {
            "la": ["north", "north", "north", "north", "south"],
            "CHILD": ["R1", "R1", "R2", "R4", "R1"],
            "placement_start": pd.to_datetime(
                ["2023-10-01", "2024-01-01", "2022-03-31", "2023-04-01", "2023-01-01"]
            ),
            "placement_end": pd.to_datetime(["2024-01-01", None, None, None, None]),
            "placement_category": ["childrens_home"] * 3 + ["inhouse_fostering", "childrens_home"],
            "weekly_cost": [4800.0, 5000.0, 3000.0, 400.0, 9999.0],
        }
    )
    costs = residential.residential_costs(cohort, spend, 2024).iloc[0]
    # R1's price from 01/01/2024 (5,000; the 4,800 row ended before 31 March), R2 3,000;
    # R3 has no spend row; R4 is not in a home; south's R1 is another child.
    # Total 8,000, average 4,000; quartiles of (3,000, 5,000): 3,500, 4,000, 4,500.
    assert costs.to_dict() == {
        "children": 3,
        "costed": 2,
        "weekly_total": 8000.0,
        "weekly_average": 4000.0,
        "lower_quartile": 3500.0,
        "median": 4000.0,
        "upper_quartile": 4500.0,
    }
    none = residential.residential_costs(cohort, None, 2024).iloc[0]
    assert (none["children"], none["costed"]) == (3, 0) and np.isnan(none["weekly_average"])
