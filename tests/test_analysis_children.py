"""Tests of mps.analysis.children on a small hand-made consortium with hand-worked answers.

Two boroughs, north and south; collection year 2024 (1 April 2023 to 31 March 2024) unless
said otherwise. The children (N = north, S = south, by CHILD id):

* N1  in care since 2020 in in-house fostering (U4 PR1); legal status changed (RNE L) on
      1 April 2023 in the same placement. Born 31/03/2008: 16 on 31 March 2024 (16+).
* N2  in IFA fostering since 2021, left on 31 March 2024 (E4A): not looked after at 31 March.
* N3  started on 1 April 2023 (the first day of the year), left 30 September 2023 (E13).
* N4  short breaks only (V3), one of them spanning 31 March 2024: counted nowhere.
* N5  IFA fostering (U6 PR4) since 2022; in hospital (T1) from 20 March 2024: counted in IFA.
      Born 01/04/2008: still 15 on 31 March 2024 (10-15).
* N6  four placements in the year: children's home held on 1 April, then in-house, IFA,
      and a council children's home. Born 10/01/2015 (9: 5-9).
* N7  started July 2023 in in-house fostering, a T3 fortnight, back to the same carer (same
      PL_POST), then kinship care (U1) from January. Born 31/03/2023 (1 on 31 March: 1-4).
* S1  same CHILD id as N1, a different child: started 15 November 2023 in H5. Aged 17.
* S2  UASC whose status ceased on 15 January 2024; IFA since 2022, a T4 move in October
      2023 and then a different IFA carer (different PL_POST): two placements. Aged 17.
* S3  UASC (status not ceased); started 31 March 2023 (the last day of 2023) in H5. Aged 16.
* S4  two starts in the year (20 April 2023 in kinship care, left 20 May; 1 October 2023
      placed with parents). Born 01/04/2023: under 1 on 31 March 2024.
* S5  left care on 31 March 2023 (E8): a 2023 cease, nothing in 2024.
* S6  left care in December 2022; started again on 25 March 2024 in hospital (T1) with no
      placement before it in that period of care: counted under "other". Aged 12.
"""

from __future__ import annotations

from pathlib import Path

import episode_fixtures as fixtures
import numpy as np
import pandas as pd
import pytest
from episode_fixtures import keys

from mps import codes
from mps.analysis import children
from mps.data.ssda903 import EPISODE_COLUMNS

YEAR = 2024

# One episode a line; "." is blank. PL_POST has no space so the table splits on whitespace.
EPISODES = """
la    CHILD DECOM      DEC        RNE LS PLACE PROV REC PL_POST URN      MILES
north 1     2020-05-01 2023-04-01 S   C1 U4    PR1  X1  NA11AA  .        2.0
north 1     2023-04-01 .          L   C2 U4    PR1  .   NA11AA  .        2.0
north 2     2021-01-10 2024-03-31 S   C2 U6    PR4  E4A NA12AA  .        5.0
north 3     2023-04-01 2023-09-30 S   V2 U3    PR1  E13 NA13AA  .        .
north 4     2023-05-01 2023-05-03 S   V3 K2    PR1  E4A NA14AA  SC100001 .
north 4     2023-06-01 2023-06-04 S   V3 K2    PR1  E4A NA14AA  SC100001 .
north 4     2024-03-30 .          S   V3 K2    PR1  .   NA14AA  SC100001 .
north 5     2022-02-01 2024-03-20 S   C2 U6    PR4  X1  NA15AA  .        12.5
north 5     2024-03-20 .          P   C2 T1    PR3  .   NA15ZZ  .        1.0
north 6     2022-09-01 2023-05-10 S   C1 K2    PR4  X1  ZZ11AA  SC200001 40.0
north 6     2023-05-10 2023-08-01 P   C1 U4    PR1  X1  NA16AA  .        3.0
north 6     2023-08-01 2023-12-01 P   C1 U6    PR5  X1  NA16BB  .        8.0
north 6     2023-12-01 .          B   C2 K2    PR1  .   NA16CC  SC200002 1.5
north 7     2023-07-01 2023-08-01 S   V2 U4    PR1  X1  NA17AA  .        1.0
north 7     2023-08-01 2023-08-14 P   V2 T3    PR1  X1  NA17ZZ  .        9.0
north 7     2023-08-14 2024-01-10 P   V2 U4    PR1  X1  NA17AA  .        1.0
north 7     2024-01-10 .          P   V2 U1    PR1  .   NA17BB  .        4.0
south 1     2023-11-15 .          S   V2 H5    PR4  .   SA11AA  SC300001 30.0
south 2     2022-08-01 2023-10-01 S   V2 U6    PR4  X1  SA12AA  .        .
south 2     2023-10-01 2023-10-05 P   V2 T4    PR4  X1  SA12ZZ  .        .
south 2     2023-10-05 .          P   V2 U6    PR4  .   SA12BB  .        .
south 3     2023-03-31 .          S   V2 H5    PR5  .   SA13AA  SC300002 .
south 4     2023-04-20 2023-05-20 S   V2 U3    PR1  E4A SA14AA  .        .
south 4     2023-10-01 .          S   C1 P1    PR0  .   SA14BB  .        .
south 5     2021-06-01 2023-03-31 S   C2 U4    PR1  E8  SA15AA  .        .
south 6     2022-01-01 2022-12-31 S   C2 U4    PR1  E4A SA16AA  .        .
south 6     2024-03-25 .          S   V2 T1    PR3  .   SA16ZZ  .        .
"""

CHILDREN = """
la    CHILD SEX DOB        ETHNIC UASC DUC
north 1     M   2008-03-31 WBRI   no   .
north 2     F   2010-02-01 WBRI   no   .
north 3     M   2015-07-01 MWBC   no   .
north 4     M   2012-05-05 WBRI   no   .
north 5     F   2008-04-01 WBRI   no   .
north 6     M   2015-01-10 BCRB   no   .
north 7     F   2023-03-31 WBRI   no   .
south 1     M   2007-01-01 WOTH   no   .
south 2     M   2006-06-01 BAFR   yes  2024-01-15
south 3     M   2007-09-01 AOTH   yes  .
south 4     F   2023-04-01 WBRI   no   .
south 5     F   2009-09-09 WBRI   no   .
south 6     M   2012-01-01 WBRI   no   .
"""


def episode_table(episodes: str = EPISODES, people: str = CHILDREN) -> pd.DataFrame:
    """The episode table of the literal rows (see :mod:`episode_fixtures`)."""
    return fixtures.episode_table(episodes, people, YEAR)


@pytest.fixture(scope="module")
def episodes() -> pd.DataFrame:
    return episode_table()


def test_helper_builds_the_loader_contract(episodes: pd.DataFrame) -> None:
    assert tuple(episodes.columns) == EPISODE_COLUMNS
    assert episodes["DECOM"].dtype == "datetime64[ns]"
    assert episodes["UASC"].dtype == bool
    assert episodes["PL_DISTANCE"].dtype == "Float64"
    assert len(episodes) == 27


# --- Looked after on a date -----------------------------------------------------------------------
def test_children_looked_after_at_31_march(episodes: pd.DataFrame) -> None:
    cla = children.cla_at_31_march(episodes, YEAR)
    # Open on 31/03/2024: N1, N5, N6, N7, S1, S2, S3, S4, S6. Not N2 (DEC 31/03/2024 is
    # not after the date), N3 and S5 (left earlier), N4 (short break on 31 March).
    # north 1 and south 1 are two children.
    assert keys(cla) == [("north", c) for c in "1567"] + [("south", c) for c in "12346"]
    by_child = cla.set_index(["la", "CHILD"])
    assert by_child.loc[("north", "1"), "LS"] == "C2"  # the episode open on 31 March
    assert by_child.loc[("north", "1"), "DECOM"] == pd.Timestamp("2023-04-01")
    assert by_child.loc[("north", "1"), "period_start"] == pd.Timestamp("2020-05-01")
    assert by_child.loc[("south", "4"), "period_start"] == pd.Timestamp("2023-10-01")
    # Ethnic groups: S2 BAFR is Black, S3 AOTH Asian, N6 BCRB Black, N1 WBRI White.
    groups = by_child["ethnic_group"]
    assert groups[[("south", "2"), ("south", "3"), ("north", "6"), ("north", "1")]].tolist() == [
        "Black", "Asian", "Black", "White",
    ]  # fmt: skip


def test_placement_categories_with_temporary_placements_resolved(episodes: pd.DataFrame) -> None:
    cla = children.cla_at_31_march(episodes, YEAR).set_index(["la", "CHILD"])
    expected = {
        ("north", "1"): "inhouse_fostering",  # U4 PR1
        ("north", "5"): "ifa_fostering",  # T1 now: the U6 PR4 before it
        ("north", "6"): "childrens_home",  # K2 PR1
        ("north", "7"): "kinship_fostering",  # U1
        ("south", "1"): "supported_accommodation",  # H5
        ("south", "2"): "ifa_fostering",  # U6 PR4
        ("south", "3"): "supported_accommodation",  # H5
        ("south", "4"): "placed_with_parents",  # P1
        ("south", "6"): "other",  # T1 with no placement before it in this period
    }
    assert cla["placement_category"].to_dict() == expected
    # N5 is described by the IFA placement: its PLACE, provider and distance (12.5 miles),
    # with the hospital stay kept in temporary_place.
    n5 = cla.loc[("north", "5")]
    assert (n5["PLACE"], n5["PLACE_PROVIDER"], n5["PL_DISTANCE"]) == ("U6", "PR4", 12.5)
    assert n5["temporary_place"] == "T1"
    assert n5["DECOM"] == pd.Timestamp("2024-03-20")
    # S6's previous period (U4, ended 2022) is not used: its own T1 row stays.
    s6 = cla.loc[("south", "6")]
    assert (s6["PLACE"], s6["temporary_place"]) == ("T1", "T1")
    assert pd.isna(cla.loc[("north", "1"), "temporary_place"])


def test_ages_and_bands_on_birthdays(episodes: pd.DataFrame) -> None:
    cla = children.cla_at_31_march(episodes, YEAR).set_index(["la", "CHILD"])
    # Born 31/03/2008: 16 on 31/03/2024. Born 01/04/2008: 15 (birthday the next day).
    # Born 31/03/2023: 1. Born 01/04/2023: 0. Born 10/01/2015: 9.
    assert cla.loc[("north", "1"), ["age", "age_band"]].tolist() == [16, "16+"]
    assert cla.loc[("north", "5"), ["age", "age_band"]].tolist() == [15, "10-15"]
    assert cla.loc[("north", "7"), ["age", "age_band"]].tolist() == [1, "1-4"]
    assert cla.loc[("south", "4"), ["age", "age_band"]].tolist() == [0, "under 1"]
    assert cla.loc[("north", "6"), ["age", "age_band"]].tolist() == [9, "5-9"]


def test_uasc_at_31_march_needs_status_not_ceased(episodes: pd.DataFrame) -> None:
    cla = children.cla_at_31_march(episodes, YEAR).set_index(["la", "CHILD"])
    # S2 is recorded as UASC but the status ceased on 15/01/2024; S3's has not ceased.
    assert cla.loc[("south", "2"), ["UASC", "uasc_on_date"]].tolist() == [True, False]
    assert cla.loc[("south", "3"), ["UASC", "uasc_on_date"]].tolist() == [True, True]
    assert cla["uasc_on_date"].sum() == 1
    # On 1 January 2024 S2 was still UASC: S2 and S3.
    earlier = children.looked_after_on(episodes, pd.Timestamp("2024-01-01"))
    assert earlier["uasc_on_date"].sum() == 2


def test_looked_after_on_a_day_in_a_temporary_placement(episodes: pd.DataFrame) -> None:
    on = children.looked_after_on(episodes, pd.Timestamp("2023-08-05"))
    # Open on 05/08/2023: N1, N2, N3 (until 30/09), N5, N6 (U6 from 01/08), N7 (T3 from
    # 01/08), S2, S3. Not N4 (no break then), S1 (starts Nov), S4 (between periods).
    assert keys(on) == [("north", c) for c in "123567"] + [("south", "2"), ("south", "3")]
    n7 = on.set_index(["la", "CHILD"]).loc[("north", "7")]
    # In T3 while the foster carer is on holiday: described by the U4 PR1 placement.
    assert n7["placement_category"] == "inhouse_fostering"
    assert (n7["PLACE"], n7["temporary_place"], n7["PL_DISTANCE"]) == ("U4", "T3", 1.0)
    assert n7["period_start"] == pd.Timestamp("2023-07-01")


def test_short_break_children_are_never_looked_after(episodes: pd.DataFrame) -> None:
    # N4 is in a V3 break on 02/05/2023 and on 31/03/2024: left out both times.
    assert ("north", "4") not in keys(children.looked_after_on(episodes, "2023-05-02"))
    assert ("north", "4") not in keys(children.cla_at_31_march(episodes, YEAR))
    assert ("north", "4") not in keys(children.starts(episodes, YEAR))
    assert ("north", "4") not in keys(children.ceases(episodes, YEAR))
    assert ("north", "4") not in children.placements_in_year(episodes, YEAR).index


# --- Starts and ceases ----------------------------------------------------------------------------
def test_starts_count_each_child_once_at_the_first_start(episodes: pd.DataFrame) -> None:
    started = children.starts(episodes, YEAR)
    # RNE S with DECOM from 01/04/2023 to 31/03/2024: N3 (01/04/2023), N7, S1, S4 (twice:
    # 20/04/2023 and 01/10/2023, counted once), S6 (25/03/2024). Not S3 (31/03/2023, the
    # year before) nor N4's V3 breaks.
    assert keys(started) == [("north", "3"), ("north", "7"), ("south", "1"), ("south", "4"),
                             ("south", "6")]  # fmt: skip
    by_child = started.set_index(["la", "CHILD"])
    s4 = by_child.loc[("south", "4")]
    assert s4["DECOM"] == pd.Timestamp("2023-04-20")  # the first start
    assert s4["placement_category"] == "kinship_fostering"  # U3 then
    assert s4["age"] == 0  # born 01/04/2023
    # N3 born 01/07/2015, started 01/04/2023: 7 (5-9). S1 born 01/01/2007, started
    # 15/11/2023: 16. S6 started in hospital with nothing to attribute: other.
    assert by_child.loc[("north", "3"), ["age", "age_band"]].tolist() == [7, "5-9"]
    assert by_child.loc[("south", "1"), ["age", "age_band"]].tolist() == [16, "16+"]
    assert by_child.loc[("south", "6"), "placement_category"] == "other"
    # The year before: N6 (01/09/2022), S2 (01/08/2022), S3 (31/03/2023).
    assert keys(children.starts(episodes, 2023)) == [("north", "6"), ("south", "2"),
                                                     ("south", "3")]  # fmt: skip


def test_ceases_count_each_child_once_at_the_last_cease(episodes: pd.DataFrame) -> None:
    ceased = children.ceases(episodes, YEAR).set_index(["la", "CHILD"])
    # REC other than X1 with DEC in the year: N2 (31/03/2024, E4A), N3 (30/09/2023, E13),
    # S4 (20/05/2023, E4A). Not N1's X1 on 01/04/2023, nor N4's V3 breaks.
    assert list(ceased.index) == [("north", "2"), ("north", "3"), ("south", "4")]
    assert ceased["REC"].tolist() == ["E4A", "E13", "E4A"]
    assert ceased.loc[("north", "3"), "reason_group"] == (
        "Left care to live with parents or relatives without parental responsibility"
    )
    assert ceased.loc[("north", "2"), "reason_group"] == "Returned home to parents or relatives"
    # Durations from the period's start: N2 10/01/2021 to 31/03/2024 = 3 x 365 (to
    # 10/01/2024) + 21 (rest of January) + 29 (February 2024) + 31 = 1,176 days. N3
    # 01/04/2023 to 30/09/2023 = 29 + 31 + 30 + 31 + 31 + 30 = 182. S4 20/04 to 20/05 = 30.
    assert ceased["duration_days"].tolist() == [1176, 182, 30]
    # Ages on leaving: N2 born 01/02/2010 -> 14; N3 born 01/07/2015 -> 8; S4 -> 0.
    assert ceased["age"].tolist() == [14, 8, 0]
    assert ceased.loc[("north", "2"), "placement_category"] == "ifa_fostering"
    # The year before: S5 on 31/03/2023 (E8) and S6 on 31/12/2022 (E4A).
    assert keys(children.ceases(episodes, 2023)) == [("south", "5"), ("south", "6")]


def test_a_child_ceasing_twice_is_counted_at_the_last_cease() -> None:
    table = episode_table(
        """
        la    CHILD DECOM      DEC        RNE LS PLACE PROV REC PL_POST URN MILES
        north 9     2023-05-01 2023-06-01 S   V2 U4    PR1  E4A NA19AA  .   .
        north 9     2023-09-01 2023-10-01 S   V2 U4    PR1  E13 NA19AA  .   .
        """,
        """
        la    CHILD SEX DOB        ETHNIC UASC DUC
        north 9     F   2012-01-01 WBRI   no   .
        """,
    )
    ceased = children.ceases(table, YEAR)
    # Two ceases in the year; one child, described by the last (01/10/2023, E13, a
    # 30-day period from 01/09/2023).
    assert keys(ceased) == [("north", "9")]
    assert ceased.loc[0, ["REC", "duration_days"]].tolist() == ["E13", 30]
    assert ceased.loc[0, "DEC"] == pd.Timestamp("2023-10-01")


# --- Placement stability --------------------------------------------------------------------------
def test_placements_in_year(episodes: pd.DataFrame) -> None:
    placements = children.placements_in_year(episodes, YEAR)
    expected = {
        ("north", "1"): 1,  # U4 held on 1 April; the RNE L episode is the same placement
        ("north", "5"): 1,  # U6 held on 1 April; the T1 is not a placement
        ("north", "6"): 4,  # K2 held on 1 April + U4 + U6 + K2 (RNE P, P, B)
        ("north", "7"): 2,  # U4 + U1; the T3 and the return to the same U4 are not counted
        ("south", "1"): 1,  # H5 from 15/11/2023
        ("south", "2"): 2,  # U6 held; after the T4 a different carer (SA12BB): new
        ("south", "3"): 1,  # H5 from 31/03/2023, held on 1 April
        ("south", "4"): 2,  # U3 in the first period + P1 in the second
        ("south", "6"): 0,  # only a temporary placement
    }
    assert placements.to_dict() == expected
    assert placements.index.names == ["la", "CHILD"]
    assert placements.dtype == "int64"


def test_a_placement_ending_on_1_april_is_not_held_on_1_april() -> None:
    # Moved on 01/04/2023: on that day the child is in the new placement (the K2 episode
    # ends that day), so the year has one placement. A move on 02/04/2023 makes two.
    rows = """
        la    CHILD DECOM      DEC        RNE LS PLACE PROV REC PL_POST URN MILES
        north 8     2022-01-01 {moved}    S   C2 K2    PR4  X1  NA18AA  .   .
        north 8     {moved}    .          P   C2 U4    PR1  .   NA18BB  .   .
        """
    people = """
        la    CHILD SEX DOB        ETHNIC UASC DUC
        north 8     M   2012-01-01 WBRI   no   .
        """
    on_1_april = episode_table(rows.format(moved="2023-04-01"), people)
    on_2_april = episode_table(rows.format(moved="2023-04-02"), people)
    assert children.placements_in_year(on_1_april, YEAR).tolist() == [1]
    assert children.placements_in_year(on_2_april, YEAR).tolist() == [2]


def test_return_after_temporary_identified_by_urn_then_postcode() -> None:
    people = """
        la    CHILD SEX DOB        ETHNIC UASC DUC
        north 8     M   2010-01-01 WBRI   no   .
        north 9     M   2010-01-01 WBRI   no   .
        south 8     M   2010-01-01 WBRI   no   .
        south 9     M   2010-01-01 WBRI   no   .
        """
    rows = """
        la    CHILD DECOM      DEC        RNE LS PLACE PROV REC PL_POST URN      MILES
        north 8     2023-05-01 2023-06-01 S   C2 K2    PR4  X1  NA18AA  SC400001 .
        north 8     2023-06-01 2023-06-10 P   C2 T1    PR3  X1  NA18ZZ  .        .
        north 8     2023-06-10 .          P   C2 K2    PR4  .   .        SC400001 .
        north 9     2023-05-01 2023-06-01 S   C2 K2    PR4  X1  NA19AA  SC400001 .
        north 9     2023-06-01 2023-06-10 P   C2 T1    PR3  X1  NA19ZZ  .        .
        north 9     2023-06-10 .          P   C2 K2    PR4  .   NA19AA  SC400002 .
        south 8     2023-05-01 2023-06-01 S   C2 P1    PR0  X1  .       .        .
        south 8     2023-06-01 2023-06-10 P   C2 T1    PR3  X1  .       .        .
        south 8     2023-06-10 .          P   C2 P1    PR0  .   .       .        .
        south 9     2023-05-01 2023-06-01 S   C2 U4    PR1  X1  SA19AA  .        .
        south 9     2023-06-01 2023-06-10 P   C2 T1    PR3  X1  SA19ZZ  .        .
        south 9     2023-06-10 .          P   C2 U6    PR4  .   SA19AA  .        .
        """
    placements = children.placements_in_year(episode_table(rows, people), YEAR).to_dict()
    # north 8: same URN back (postcode blank after): a return -> 1 placement.
    # north 9: same postcode but a different URN -> a different home -> 2.
    # south 8: neither URN nor postcode recorded, same PLACE -> a return -> 1.
    # south 9: same postcode but U4 -> U6 is a different PLACE -> 2.
    assert placements == {("north", "8"): 1, ("north", "9"): 2, ("south", "8"): 1,
                          ("south", "9"): 2}  # fmt: skip


# --- Headline indicators --------------------------------------------------------------------------
def test_headline_indicators_pooled(episodes: pd.DataFrame) -> None:
    headline = children.headline_indicators(episodes, YEAR)
    expected = {
        "cla_at_31_march": 9,  # N1 N5 N6 N7 S1 S2 S3 S4 S6
        "starts": 5,  # N3 N7 S1 S4 S6
        "ceases": 3,  # N2 N3 S4
        "cla_by_category:inhouse_fostering": 1,  # N1
        "cla_by_category:kinship_fostering": 1,  # N7
        "cla_by_category:ifa_fostering": 2,  # N5 (in T1), S2
        "cla_by_category:childrens_home": 1,  # N6
        "cla_by_category:supported_accommodation": 2,  # S1, S3
        "cla_by_category:secure": 0,
        "cla_by_category:placed_with_parents": 1,  # S4
        "cla_by_category:adoption": 0,
        "cla_by_category:other": 1,  # S6
        "cla_by_age:under 1": 1,  # S4
        "cla_by_age:1-4": 1,  # N7
        "cla_by_age:5-9": 1,  # N6
        "cla_by_age:10-15": 2,  # N5 (15), S6 (12)
        "cla_by_age:16+": 4,  # N1 (16 that day), S1 (17), S2 (17), S3 (16)
        "cla_uasc": 1,  # S3 (S2's status ceased in January)
        "three_plus_placements_pct": 11.1,  # N6 only: 1 / 9 = 11.1%
    }
    assert list(headline.columns) == ["indicator", "value"]
    assert headline["indicator"].tolist() == list(expected)
    assert headline["value"].tolist() == pytest.approx(list(expected.values()))


def test_consortium_figures_come_from_pooled_data(episodes: pd.DataFrame) -> None:
    north = children.headline_indicators(episodes[episodes["la"] == "north"], YEAR)
    south = children.headline_indicators(episodes[episodes["la"] == "south"], YEAR)
    pooled = children.headline_indicators(episodes, YEAR)
    values = {
        name: frame.set_index("indicator")["value"]
        for name, frame in (("north", north), ("south", south), ("pooled", pooled))
    }
    # North: N1 N5 N6 N7 looked after, N3 N7 started, N2 N3 ceased; south: S1 S2 S3 S4 S6,
    # S1 S4 S6 started, S4 ceased.
    assert values["north"][["cla_at_31_march", "starts", "ceases"]].tolist() == [4, 2, 2]
    assert values["south"][["cla_at_31_march", "starts", "ceases"]].tolist() == [5, 3, 1]
    counts = [i for i in pooled["indicator"] if i != "three_plus_placements_pct"]
    assert (values["north"][counts] + values["south"][counts]).equals(values["pooled"][counts])
    # 3+ placements: north 1/4 = 25.0%, south 0/5 = 0.0%; their mean would be 12.5, but
    # the consortium's figure is pooled: 1/9 = 11.1%.
    assert values["north"]["three_plus_placements_pct"] == 25.0
    assert values["south"]["three_plus_placements_pct"] == 0.0
    assert values["pooled"]["three_plus_placements_pct"] == 11.1


def test_empty_table_gives_zeros_and_a_blank_percentage() -> None:
    empty = episode_table().iloc[0:0]
    headline = children.headline_indicators(empty, YEAR)
    assert len(headline) == 3 + len(codes.CATEGORY_ORDER) + len(codes.AGE_BAND_ORDER) + 2
    assert (headline["value"].iloc[:-1] == 0).all()
    assert np.isnan(headline["value"].iloc[-1])
    assert children.cla_at_31_march(empty, YEAR).empty
    assert children.placements_in_year(empty, YEAR).empty
    mix = children.placement_mix(empty, [YEAR])
    assert mix["children"].sum() == 0 and mix["share"].isna().all()


def test_results_do_not_depend_on_row_order(episodes: pd.DataFrame) -> None:
    shuffled = episodes.sample(frac=1, random_state=7)
    assert children.headline_indicators(shuffled, YEAR).equals(
        children.headline_indicators(episodes, YEAR)
    )
    assert children.cla_at_31_march(shuffled, YEAR).equals(children.cla_at_31_march(episodes, YEAR))
    assert children.placements_in_year(shuffled, YEAR).equals(
        children.placements_in_year(episodes, YEAR)
    )


def test_selections_asked_for_again_are_kept_and_handed_out_as_copies(
    episodes: pd.DataFrame,
) -> None:
    first = children.cla_at_31_march(episodes, YEAR)
    first["age"] = -1  # a caller changing what it got must not change what others get
    del first["CHILD"]
    again = children.cla_at_31_march(episodes, YEAR)
    assert len(again) == 9 and (again["age"] >= 0).all() and "CHILD" in again
    assert again.equals(children.cla_at_31_march(episodes.copy(), YEAR))  # made afresh
    # Years are keys whatever their integer type; each year has its own selection.
    assert children.starts(episodes, np.int64(YEAR)).equals(children.starts(episodes, YEAR))
    assert not children.cla_at_31_march(episodes, YEAR - 1).equals(again)


def test_kept_selections_are_bounded(episodes: pd.DataFrame, monkeypatch) -> None:
    monkeypatch.setattr(children, "MEMO_ROWS", 10)
    episodes = episodes.copy()  # a table of its own: nothing kept for it yet
    children.cla_at_31_march(episodes, YEAR)  # 9 rows: kept
    children.starts(episodes, YEAR)  # would pass 10 rows: not kept
    prepared = children._prepare(episodes)
    assert [name for name, _ in prepared.memo] == ["_looked_after_on"]


# --- Yearly trends and placement mix --------------------------------------------------------------
POPULATION = pd.DataFrame(
    [
        ("E09000001", "North", 2022, 0, 2000, "estimate"),
        ("E09000001", "North", 2022, 17, 3000, "estimate"),
        ("E09000002", "South", 2022, 5, 7000, "estimate"),
        ("E09000001", "North", 2023, 0, 3000, "estimate"),
        ("E09000001", "North", 2023, 17, 2000, "estimate"),
        ("E09000001", "North", 2023, 0, 9999, "projection"),  # an estimate exists: unused
        ("E09000002", "South", 2023, 5, 4000, "projection"),  # no estimate: used
    ],
    columns=["la_code", "la_name", "year", "age", "population", "kind"],
)


def test_population_for_the_rate_is_mid_year_before(episodes: pd.DataFrame) -> None:
    # 2024 uses mid-2023: north estimate 3,000 + 2,000; south projection 4,000.
    assert children.population_0_17(POPULATION, 2024) == 9000
    assert children.population_0_17(POPULATION, 2024, ["E09000001"]) == 5000
    # 2023 uses mid-2022 estimates: 5,000 + 7,000.
    assert children.population_0_17(POPULATION, 2023) == 12000
    with pytest.raises(ValueError, match=r"mid-2024.*E09000001, E09000002"):
        children.population_0_17(POPULATION, 2025)
    with pytest.raises(ValueError, match="E09000003"):
        children.population_0_17(POPULATION, 2024, ["E09000001", "E09000003"])


def test_yearly_summary(episodes: pd.DataFrame) -> None:
    summary = children.yearly_summary(episodes, [2024, 2023], population=POPULATION)
    # 2023: looked after at 31/03/2023 N1 N2 N5 N6 S2 S3 = 6 (S5 left that day); starts N6
    # S2 S3 = 3; ceases S5 S6 = 2. Rate 6 / 12,000 x 10,000 = 5.0.
    # 2024: 9 looked after, 5 starts, 3 ceases; rate 9 / 9,000 x 10,000 = 10.0. Net change
    # 5 - 3 = 2 although the stock rose by 3: S4's second start is not counted again.
    expected = pd.DataFrame(
        {
            "year": [2023, 2024],
            "cla_at_31_march": [6, 9],
            "rate_per_10000": [5.0, 10.0],
            "starts": [3, 5],
            "ceases": [2, 3],
            "net_change": [1, 2],
        }
    )
    pd.testing.assert_frame_equal(summary, expected)
    without = children.yearly_summary(episodes, [2023, 2024])
    assert list(without.columns) == ["year", "cla_at_31_march", "starts", "ceases", "net_change"]


def test_placement_mix(episodes: pd.DataFrame) -> None:
    mix = children.placement_mix(episodes, [2023, 2024])
    assert mix["year"].tolist() == [2023] * 9 + [2024] * 9
    assert mix["placement_category"].tolist() == list(codes.CATEGORY_ORDER) * 2
    wide = mix.set_index(["year", "placement_category"])
    # 31/03/2023: N1 in-house; N2, N5, S2 IFA; N6 children's home; S3 H5. Shares of 6.
    assert wide.loc[2023, "children"].to_dict() == {
        "inhouse_fostering": 1, "kinship_fostering": 0, "ifa_fostering": 3,
        "childrens_home": 1, "supported_accommodation": 1, "secure": 0,
        "placed_with_parents": 0, "adoption": 0, "other": 0,
    }  # fmt: skip
    assert wide.loc[(2023, "ifa_fostering"), "share"] == 50.0  # 3 / 6
    assert wide.loc[(2023, "childrens_home"), "share"] == 16.7  # 1 / 6
    # 31/03/2024: as in the headline; shares of 9.
    assert wide.loc[2024, "children"].sum() == 9
    assert wide.loc[(2024, "ifa_fostering"), "share"] == 22.2  # 2 / 9
    assert wide.loc[(2024, "other"), "share"] == 11.1  # 1 / 9
    assert wide.loc[(2024, "secure"), "share"] == 0.0


# --- Bad input ------------------------------------------------------------------------------------
def test_missing_columns_and_blank_dates_are_named(episodes: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="missing columns PLACE"):
        children.cla_at_31_march(episodes.drop(columns="PLACE"), YEAR)
    broken = episodes.copy()
    broken.loc[3, "DECOM"] = pd.NaT
    with pytest.raises(ValueError, match=r"episodes\.csv row 5: column DECOM is blank"):
        children.starts(broken, YEAR)


# --- On the loader's output -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_episodes(tmp_path_factory: pytest.TempPathFactory) -> list[pd.DataFrame]:
    from mps.data.ssda903 import load_borough, read_postcode_directory
    from mps.synthetic import write_demo_data

    root = tmp_path_factory.mktemp("children") / "demo"
    manifest = write_demo_data(root, years=[2024, 2025])
    postcodes = read_postcode_directory(root / "postcodes.csv")
    return [
        load_borough(
            root / b.slug / "ssda903", la=b.slug, la_code=b.code, postcodes=postcodes
        ).episodes
        for b in manifest.boroughs[:2]
    ]


def test_demo_boroughs_pool_consistently(demo_episodes: list[pd.DataFrame], tmp_path: Path) -> None:
    # Not hand-worked: invariants every table must keep. Categories and age bands add up
    # to the children looked after; the pooled counts are the boroughs' sums; the pooled
    # percentage is recomputed from the pooled children, not averaged.
    pooled = pd.concat(demo_episodes, ignore_index=True)
    per_borough = [children.headline_indicators(e, 2025).set_index("indicator")["value"]
                   for e in demo_episodes]  # fmt: skip
    headline = children.headline_indicators(pooled, 2025).set_index("indicator")["value"]
    for values in [*per_borough, headline]:
        total = values["cla_at_31_march"]
        assert total > 100
        assert values.filter(like="cla_by_category:").sum() == total
        assert values.filter(like="cla_by_age:").sum() == total
    counts = headline.index.drop("three_plus_placements_pct")
    assert (per_borough[0][counts] + per_borough[1][counts]).equals(headline[counts])
    placements = children.placements_in_year(pooled, 2025)
    assert headline["three_plus_placements_pct"] == round(100 * (placements >= 3).mean(), 1)
    # The same figures after the build's Parquet round trip (as area.load_area reads them).
    path = tmp_path / "episodes.parquet"
    pooled.to_parquet(path, index=False)
    again = children.headline_indicators(pd.read_parquet(path), 2025)
    assert again.set_index("indicator")["value"].equals(headline)


def test_a_table_is_prepared_once_and_a_changed_table_again(episodes: pd.DataFrame) -> None:
    first = children._prepare(episodes)
    assert children._prepare(episodes) is first  # the same, unchanged table
    copy = episodes.copy()
    assert children._prepare(copy) is not first  # another table
    fewer = episodes.iloc[1:]
    assert len(children._prepare(fewer).frame) == len(episodes) - 1
