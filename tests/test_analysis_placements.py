"""Tests of mps.analysis.placements on hand-made episodes with hand-worked answers.

Collection year 2024 (1 April 2023 to 31 March 2024). Borough north (ONS code E1) is in a
consortium with south (E2).

Where children are placed at 31 March 2024:

* P1  in-house fostering (U4 PR1) in north, 3 miles from home.
* P2  IFA fostering (U6 PR4) in south, 25.5 miles.
* P3  a voluntary children's home (K2 PR5) elsewhere in England (E9), exactly 20 miles.
* P4  UASC in supported accommodation (H5 PR4) in Wales: no distance for UASC.
* P5  placed with parents (P1 PR0) in north, 40 miles.
* P6  "other placement" (Z1) with nothing recorded about where.
* P7  in hospital (T1) from March, from another council's children's home (K2 PR2) in
      south, 12 miles away: described by the home.
"""

from __future__ import annotations

import pandas as pd
import pytest
from episode_fixtures import episode_table

from mps.analysis import placements

WHERE = """
la    CHILD DECOM      DEC        RNE LS PLACE PROV REC PL_POST URN MILES PL_LA LOC
north P1    2022-01-01 .          S   C2 U4    PR1  .   NA1     .   3.0   E1    IN
north P2    2022-01-01 .          S   C2 U6    PR4  .   SA2     .   25.5  E2    OUT
north P3    2022-01-01 .          S   C2 K2    PR5  .   XA3     .   20.0  E9    OUT
north P4    2023-06-01 .          S   V2 H5    PR4  .   WA4     .   .     WAL   OUT
north P5    2022-01-01 .          S   C2 P1    PR0  .   NA5     .   40.0  E1    IN
north P6    2022-01-01 .          S   C2 Z1    .    .   .       .   .     .     .
north P7    2022-01-01 2024-03-01 S   C2 K2    PR2  X1  SA7     .   12.0  E2    OUT
north P7    2024-03-01 .          P   C2 T1    .    .   XX7     .   2.0   E9    OUT
"""

WHO = """
la    CHILD SEX DOB        ETHNIC UASC DUC
north P1    M   2012-01-01 WBRI   no   .
north P2    F   2012-01-01 WBRI   no   .
north P3    M   2009-01-01 WBRI   no   .
north P4    M   2007-01-01 BAFR   yes  .
north P5    F   2015-01-01 WBRI   no   .
north P6    F   2010-01-01 WBRI   no   .
north P7    M   2010-01-01 WBRI   no   .
"""


@pytest.fixture(scope="module")
def where() -> pd.DataFrame:
    return episode_table(WHERE, WHO)


def counts(long: pd.DataFrame, group: str, value: str = "children") -> dict[str, int]:
    return long.set_index(group)[value].to_dict()


def test_sector_mix(where: pd.DataFrame) -> None:
    mix = placements.sector_mix(where, [2024])
    assert mix["sector"].tolist() == list(placements.SECTOR_ORDER)
    # In-house: P1. Other public: P7 (PR2, through the T1). Independent: P2, P3, P4.
    # Parents: P5. Not recorded: P6 (Z1 has no provider).
    assert counts(mix, "sector") == {
        "in-house": 1,
        "other public": 1,
        "independent": 3,
        "parents": 1,
        "not recorded": 1,
    }


def test_locality_follows_dfe_distance_rule(where: pd.DataFrame) -> None:
    mix = placements.locality_mix(where, [2024])
    assert mix["locality"].tolist() == list(placements.LOCALITY_ORDER)
    # Inside, 20 or less: P1 (3). Inside, over 20: P5 (40). Outside, 20 or less: P3
    # (exactly 20 is not over 20) and P7 (the home's 12, not the hospital's 2). Outside,
    # over 20: P2 (25.5). Not known: P4 (UASC: no distance) and P6.
    assert counts(mix, "locality") == {
        placements.INSIDE_NEAR: 1,
        placements.INSIDE_FAR: 1,
        placements.OUTSIDE_NEAR: 2,
        placements.OUTSIDE_FAR: 1,
        placements.LOCALITY_NOT_KNOWN: 2,
    }


def test_placements_in_member_councils(where: pd.DataFrame) -> None:
    mix = placements.area_mix(where, [2024], member_la_codes=["E1", "E2"])
    # Own: P1, P5. Another member (south, E2): P2 and P7. Elsewhere in England: P3 (E9).
    # Outside England: P4 (WAL). Not known: P6.
    assert counts(mix, "placed") == {
        placements.OWN_AREA: 2,
        placements.MEMBER_AREA: 2,
        placements.ELSEWHERE_IN_ENGLAND: 1,
        placements.OUTSIDE_ENGLAND: 1,
        placements.AREA_NOT_KNOWN: 1,
    }
    # With no consortium members named, south is just elsewhere in England.
    alone = counts(placements.area_mix(where, [2024]), "placed")
    assert (alone[placements.MEMBER_AREA], alone[placements.ELSEWHERE_IN_ENGLAND]) == (0, 3)


# --- Stability ------------------------------------------------------------------------------------
# 31/03/2024 less 30 months is 30/09/2021; less 24 months is 31/03/2022.
#
# * L1  age 10, in care since 30/09/2021 exactly, one carer: eligible and stable.
# * L2  age 12, in care since 01/10/2021: a day short of 2.5 years.
# * L3  age 8, in care since 2020; new carers (RNE P) on 01/04/2022: a day short of 2 years.
# * L4  age 9, in care since 2019; on 01/01/2023 the placement changed with the same carers
#       (RNE T, U6 to U4): with the same carers since 2019, stable.
# * L5  age 5, foster care since 2019; placed for adoption with the same foster carer (A5)
#       on 01/06/2023: stable. The move to A5 is a placement change (reason CARPL).
# * L6  16 on 31/03/2024 (born 31/03/2008): not under 16.
# * L7  age 11; the first episode the returns hold is 01/04/2021 (RNE L: care began
#       earlier): even that lower bound is long enough, so eligible and stable.
# * L8  age 11; the first episode held is 01/01/2022 (RNE P: care began earlier): it
#       cannot be told whether 2.5 years are reached.
# * L9  age 14, started 01/05/2023 in a children's home, then IFA (01/08/2023), then
#       in-house (01/01/2024): three placements; two changes, CREQB and not recorded.
# * L10 age 7, in hospital (T1) for 9 days in June 2023 and back to the same carer: no
#       placement change.
STABILITY = """
la    CHILD DECOM      DEC        RNE LS PLACE PROV REC PL_POST URN MILES REASON
north L1    2021-09-30 .          S   C2 U4    PR1  .   NA1     .   .     .
north L2    2021-10-01 .          S   C2 U4    PR1  .   NA2     .   .     .
north L3    2020-01-01 2022-04-01 S   C2 U4    PR1  X1  NA3     .   .     STAND
north L3    2022-04-01 .          P   C2 U6    PR4  .   NB3     .   .     .
north L4    2019-05-01 2023-01-01 S   C2 U6    PR4  X1  NA4     .   .     PLACE
north L4    2023-01-01 .          T   C2 U4    PR4  .   NA4     .   .     .
north L5    2019-06-01 2023-06-01 S   C2 U4    PR1  X1  NA5     .   .     CARPL
north L5    2023-06-01 .          P   E1 A5    PR1  .   NA5     .   .     .
north L6    2019-01-01 .          S   C2 U4    PR1  .   NA6     .   .     .
north L7    2021-04-01 .          L   C2 U4    PR1  .   NA7     .   .     .
north L8    2022-01-01 .          P   C2 U4    PR1  .   NA8     .   .     .
north L9    2023-05-01 2023-08-01 S   C1 K2    PR4  X1  NA9     .   .     creqb
north L9    2023-08-01 2024-01-01 P   C1 U6    PR4  X1  NB9     .   .     .
north L9    2024-01-01 .          P   C2 U4    PR1  .   NC9     .   .     .
north L10   2022-01-01 2023-06-01 S   C2 U4    PR1  X1  NA10    .   .     .
north L10   2023-06-01 2023-06-10 P   C2 T1    PR3  X1  XX10    .   .     .
north L10   2023-06-10 .          P   C2 U4    PR1  .   NA10    .   .     .
"""

STABILITY_CHILDREN = """
la    CHILD SEX DOB        ETHNIC UASC DUC
north L1    M   2013-06-01 WBRI   no   .
north L2    F   2011-06-01 WBRI   no   .
north L3    M   2015-06-01 WBRI   no   .
north L4    F   2014-06-01 WBRI   no   .
north L5    M   2018-06-01 WBRI   no   .
north L6    F   2008-03-31 WBRI   no   .
north L7    M   2012-06-01 WBRI   no   .
north L8    F   2012-06-01 WBRI   no   .
north L9    M   2009-06-01 WBRI   no   .
north L10   F   2016-06-01 WBRI   no   .
"""


@pytest.fixture(scope="module")
def stability() -> pd.DataFrame:
    return episode_table(STABILITY, STABILITY_CHILDREN)


def test_long_term_stability_children(stability: pd.DataFrame) -> None:
    children = placements.long_term_stability(stability, 2024).set_index("CHILD")
    assert "L6" not in children.index  # 16 on 31 March
    in_care = children["in_care_2_5_years"]
    same_carer = children["same_carer_2_years"]
    assert in_care[["L1", "L3", "L4", "L5", "L7"]].tolist() == [True] * 5
    assert in_care[["L2", "L9", "L10"]].tolist() == [False] * 3
    assert pd.isna(in_care["L8"])
    assert same_carer[["L1", "L4", "L5", "L7"]].tolist() == [True] * 4
    assert not same_carer["L3"]
    assert pd.isna(same_carer["L2"])  # not asked: not in care 2.5 years
    # L4's carer since 2019 although the placement (U4) began on 01/01/2023.
    assert children.loc["L4", "carer_start"] == pd.Timestamp("2019-05-01")


def test_stability_trend(stability: pd.DataFrame) -> None:
    without_l8 = stability[stability["CHILD"] != "L8"]
    trend = placements.stability_trend(without_l8, [2024]).iloc[0]
    # 9 children looked after at 31 March; L9 had 3 placements: 1 / 9 = 11.1%.
    # Long-term: eligible L1 L3 L4 L5 L7 = 5, stable L1 L4 L5 L7 = 4: 80.0%.
    assert trend.to_dict() == {
        "year": 2024,
        "cla_at_31_march": 9,
        "three_plus_placements": 1,
        "three_plus_pct": 11.1,
        "long_term_eligible": 5,
        "long_term_stable": 4,
        "long_term_pct": 80.0,
        "long_term_not_known": 0,
    }
    # With L8, whose time in care the returns cannot tell, the long-term figures would be
    # undercounts (5 eligible without L8): blank.
    with_l8 = placements.stability_trend(stability, [2024]).iloc[0]
    assert with_l8["long_term_not_known"] == 1
    assert pd.isna(with_l8["long_term_eligible"]) and pd.isna(with_l8["long_term_stable"])
    assert pd.isna(with_l8["long_term_pct"])
    assert with_l8["three_plus_pct"] == 10.0  # 1 / 10: unaffected


def test_placement_changes_by_reason(stability: pd.DataFrame) -> None:
    changes = placements.placement_changes(stability, [2023, 2024])
    assert changes["reason"].tolist() == list(placements.CHANGE_REASON_ORDER) * 2
    by_year = changes.set_index(["year", "reason"])["changes"]
    # 2023 (April 2022 to March 2023): L3 on 01/04/2022 (STAND), L4 on 01/01/2023 (PLACE,
    # a change with the same carers is still a placement change).
    assert by_year[2023][by_year[2023] > 0].to_dict() == {
        "Standards of care concern": 1,
        "Change in the status of placement only": 1,
    }
    # 2024: L5 to adoption (CARPL); L9 twice (creqb, read case-insensitively, and a blank).
    # L10's hospital stay and return are not changes; first placements are not changes.
    assert by_year[2024][by_year[2024] > 0].to_dict() == {
        "Change to or implementation of care plan": 1,
        "Carer requests placement end due to child's behaviour": 1,
        "Not recorded": 1,
    }
    with pytest.raises(ValueError, match="REASON_PLACE_CHANGE"):
        placements.placement_changes(stability.drop(columns="REASON_PLACE_CHANGE"), [2024])
