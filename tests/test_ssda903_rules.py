"""SSDA903 row-level and file-level rules, one test (or parameter set) per rule.

Each test writes a tiny fictional return into tmp_path; the rule id, severity, file, row,
column and value of the issue, and whether the row was kept, are worked out by hand.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mps.data.ssda903 import FatalValidationError, load_borough
from mps.data.validation import Severity

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
EPISODES_FILE = "2024/episodes.csv"


def write(path: Path, *lines: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load_one(
    tmp_path: Path,
    header: list[str],
    episodes: list[str],
    year: int = 2024,
    **kwargs: object,
):
    borough = tmp_path / "b"
    write(borough / str(year) / "header.csv", HEADER, *header)
    write(borough / str(year) / "episodes.csv", EPISODES, *episodes)
    return load_borough(borough, **kwargs)


def found(result, rule: str) -> list[tuple]:
    """(file, row, column, value, severity) of every issue of one rule."""
    return [
        (i.file, i.row, i.column, i.value, i.severity)
        for i in result.report.issues
        if i.rule == rule
    ]


def episode(
    child: str = "A",
    decom: str = "01/05/2023",
    rne: str = "S",
    ls: str = "C2",
    cin: str = "N1",
    place: str = "U4",
    provider: str = "PR1",
    dec: str = "",
    rec: str = "",
    home: str = "AB1 1AA",
    pl: str = "AB2 2BB",
) -> str:
    return f"{child},{decom},{rne},{ls},{cin},{place},{provider},{dec},{rec},,{home},{pl},"


A_2010 = "A,1,01/01/2010,WBRI,,,"


# --- blanks -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("row", "column", "severity", "kept"),
    [
        (episode(child=""), "CHILD", Severity.ERROR, False),
        (episode(place=""), "PLACE", Severity.ERROR, False),
        (episode(rne=""), "RNE", Severity.ERROR, False),
        (episode(cin=""), "CIN", Severity.WARNING, True),  # recommended: row kept
    ],
)
def test_blank_values(tmp_path: Path, row: str, column: str, severity: Severity, kept: bool):
    result = load_one(tmp_path, [A_2010], [row])
    assert found(result, "missing-value") == [(EPISODES_FILE, 2, column, "", severity)]
    assert len(result.episodes) == (1 if kept else 0)


def test_blank_sex_rejects_header_and_blank_ethnicity_warns(tmp_path: Path) -> None:
    result = load_one(
        tmp_path,
        ["A,,01/01/2010,WBRI,,,", "B,2,01/01/2011,,,,"],
        [episode("B")],
    )
    assert found(result, "missing-value") == [
        ("2024/header.csv", 2, "SEX", "", Severity.ERROR),
        ("2024/header.csv", 3, "ETHNIC", "", Severity.WARNING),
    ]
    assert result.tables["header"]["CHILD"].tolist() == ["B"]
    assert result.episodes["ETHNIC"].isna().tolist() == [True]


# --- codes by year ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("year", "sex", "valid", "normalised"),
    [
        (2024, "1", True, "M"),
        (2024, "2", True, "F"),
        (2024, "M", False, None),  # M/F/U only from 2024-25
        (2025, "f", True, "F"),  # case-insensitive
        (2025, "U", True, "U"),
        (2025, "1", False, None),  # 1/2 only to 2023-24
    ],
)
def test_sex_codes_by_year(
    tmp_path: Path, year: int, sex: str, valid: bool, normalised: str | None
) -> None:
    result = load_one(tmp_path, [f"A,{sex},01/01/2010,WBRI,,,"], [episode()], year=year)
    if valid:
        assert result.tables["header"]["SEX"].tolist() == [normalised]
        assert result.episodes["SEX"].tolist() == [normalised]
    else:
        assert found(result, "unknown-code") == [
            (f"{year}/header.csv", 2, "SEX", sex, Severity.ERROR)
        ]
        # No header left for A, so A's episode is rejected too.
        assert found(result, "no-header") == [
            (f"{year}/episodes.csv", 2, "CHILD", "A", Severity.ERROR)
        ]


@pytest.mark.parametrize(
    ("year", "place", "valid"),
    [
        (2024, "K3", False),
        (2025, "K3", True),
        (2025, "k3", True),
        (2026, "H5", False),
        (2025, "H5", True),
        (2026, "Z11", True),
        (2025, "Z11", False),
    ],
)
def test_place_codes_by_year(tmp_path: Path, year: int, place: str, valid: bool) -> None:
    # DOB 01/01/2000: 23 or older, so no minimum-age warning interferes.
    result = load_one(
        tmp_path,
        ["A,M,01/01/2007,WBRI,,," if year >= 2025 else "A,1,01/01/2007,WBRI,,,"],
        [episode(decom=f"01/05/{year - 1}", place=place)],
        year=year,
    )
    assert (found(result, "unknown-code") == []) is valid
    if valid:
        assert result.episodes["PLACE"].tolist() == [place.upper()]


@pytest.mark.parametrize(
    ("dec", "rec", "rejected"),
    [
        ("", "", True),  # open at 31/03/2024, after 28/10/2023
        ("29/10/2023", "X1", True),  # open on 29/10/2023
        ("28/10/2023", "X1", False),  # ended on the day: fine
    ],
)
def test_p2_invalid_when_open_after_28_october_2023(
    tmp_path: Path, dec: str, rec: str, rejected: bool
) -> None:
    result = load_one(tmp_path, ["A,1,01/01/2006,WBRI,,,"], [episode(place="P2", dec=dec, rec=rec)])
    expected = [(EPISODES_FILE, 2, "PLACE", "P2", Severity.ERROR)] if rejected else []
    assert found(result, "p2-after-28-10-2023") == expected
    assert len(result.episodes) == (0 if rejected else 1)


def test_missing_file_code_checked(tmp_path: Path) -> None:
    borough = tmp_path / "b"
    write(borough / "2024" / "header.csv", HEADER, A_2010)
    write(borough / "2024" / "episodes.csv", EPISODES, episode())
    write(
        borough / "2024" / "missing.csv",
        "CHILD,DOB,MISSING,MIS_START,MIS_END",
        "A,01/01/2010,m,01/06/2023,02/06/2023",  # lower-case m: fine, stored M
        "A,01/01/2010,X,01/07/2023,02/07/2023",  # line 3: X is not M or A
    )
    result = load_borough(borough)
    assert found(result, "unknown-code") == [
        ("2024/missing.csv", 3, "MISSING", "X", Severity.ERROR)
    ]
    assert result.tables["missing"]["MISSING"].tolist() == ["M"]


# --- episode structure --------------------------------------------------------------------
def test_dec_before_decom(tmp_path: Path) -> None:
    result = load_one(tmp_path, [A_2010], [episode(dec="30/04/2023", rec="E13")])
    assert found(result, "dec-before-decom") == [
        (EPISODES_FILE, 2, "DEC", "30/04/2023", Severity.ERROR)
    ]
    assert result.episodes.empty


@pytest.mark.parametrize(
    ("dec", "rec", "column", "value"),
    [("01/06/2023", "", "REC", ""), ("", "E13", "DEC", "")],
)
def test_dec_and_rec_both_present_or_both_blank(
    tmp_path: Path, dec: str, rec: str, column: str, value: str
) -> None:
    result = load_one(tmp_path, [A_2010], [episode(dec=dec, rec=rec)])
    assert found(result, "dec-rec-pairing") == [(EPISODES_FILE, 2, column, value, Severity.ERROR)]
    assert result.episodes.empty


def test_episode_without_header_record(tmp_path: Path) -> None:
    result = load_one(tmp_path, [A_2010], [episode("A"), episode("Z")])
    assert found(result, "no-header") == [(EPISODES_FILE, 3, "CHILD", "Z", Severity.ERROR)]
    assert result.episodes["CHILD"].tolist() == ["A"]


def test_two_header_rows_for_one_child_keep_the_later(tmp_path: Path) -> None:
    result = load_one(tmp_path, [A_2010, "A,2,01/01/2010,WBRI,,,"], [episode()])
    assert found(result, "duplicate-child") == [
        ("2024/header.csv", 2, "CHILD", "A", Severity.ERROR)
    ]
    assert result.episodes["SEX"].tolist() == ["F"]  # the later row (line 3) says 2


def test_episode_starting_after_the_year_end(tmp_path: Path) -> None:
    # The 2023-24 return ends 31/03/2024.
    result = load_one(
        tmp_path, [A_2010], [episode(decom="31/03/2024"), episode(decom="01/04/2024")]
    )
    assert found(result, "decom-after-year-end") == [
        (EPISODES_FILE, 3, "DECOM", "01/04/2024", Severity.ERROR)
    ]
    assert len(result.episodes) == 1


def test_open_episode_followed_by_another_is_closed_at_the_next_start(tmp_path: Path) -> None:
    result = load_one(
        tmp_path,
        [A_2010],
        [episode(decom="01/05/2023"), episode(decom="01/09/2023", rne="P", place="U6")],
    )
    assert found(result, "overlapping-episodes") == [
        (EPISODES_FILE, 2, "DEC", None, Severity.WARNING)
    ]
    assert result.episodes["DEC"].tolist() == [pd.Timestamp("2023-09-01"), pd.NaT]
    assert result.episodes["REC"].isna().all()  # no reason is invented


# --- ages -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("decom", "warned"),
    [("30/04/2023", False), ("01/05/2023", True)],  # 18th birthday is 01/05/2023
)
def test_child_aged_18_at_start(tmp_path: Path, decom: str, warned: bool) -> None:
    result = load_one(tmp_path, ["A,1,01/05/2005,WBRI,,,"], [episode(decom=decom)])
    expected = [(EPISODES_FILE, 2, "DECOM", decom, Severity.WARNING)] if warned else []
    assert found(result, "age-18-at-start") == expected
    assert len(result.episodes) == 1


@pytest.mark.parametrize(
    ("year", "dob", "decom", "place", "ls", "column", "warned"),
    [
        # K3 from 16: 16th birthday 15/06/2024.
        (2025, "15/06/2008", "14/06/2024", "K3", "C2", "PLACE", True),
        (2025, "15/06/2008", "15/06/2024", "K3", "C2", "PLACE", False),
        (2024, "01/01/2008", "01/05/2023", "H5", "C2", "PLACE", True),  # aged 15
        (2024, "01/01/2020", "01/05/2023", "S1", "C2", "PLACE", True),  # aged 3
        (2024, "01/01/2019", "01/05/2023", "S1", "C2", "PLACE", False),  # aged 4
        (2024, "01/01/2010", "01/05/2023", "P3", "C2", "PLACE", True),  # aged 13
        (2024, "01/01/2014", "01/05/2023", "R5", "C2", "PLACE", True),  # aged 9
        (2024, "01/01/2014", "01/05/2023", "U4", "J1", "LS", True),  # aged 9 on remand
        (2024, "01/01/2013", "01/05/2023", "U4", "J2", "LS", False),  # aged 10
    ],
)
def test_minimum_ages(
    tmp_path: Path,
    year: int,
    dob: str,
    decom: str,
    place: str,
    ls: str,
    column: str,
    warned: bool,
) -> None:
    sex = "M" if year >= 2025 else "1"
    result = load_one(
        tmp_path,
        [f"A,{sex},{dob},WBRI,,,"],
        [episode(decom=decom, place=place, ls=ls)],
        year=year,
    )
    value = place if column == "PLACE" else ls
    expected = [(f"{year}/episodes.csv", 2, column, value, Severity.WARNING)] if warned else []
    assert found(result, "min-age") == expected
    assert len(result.episodes) == 1


# --- warnings on the longitudinal table ----------------------------------------------------
def test_first_episode_must_start_care(tmp_path: Path) -> None:
    result = load_one(
        tmp_path,
        [A_2010, "B,2,01/01/2011,WBRI,,,"],
        [
            # A's first episode starts in the year loaded, but says P: warned.
            episode("A", decom="01/05/2023", rne="P"),
            # B's care began before the first return loaded (1 Apr 2023), so B's first
            # episode here may continue earlier care: not warned.
            episode("B", decom="01/01/2020", rne="P"),
        ],
    )
    assert found(result, "first-episode-not-s") == [
        (EPISODES_FILE, 2, "RNE", "P", Severity.WARNING)
    ]


@pytest.mark.parametrize(
    ("place", "provider", "warned"), [("U4", "PR1", True), ("P1", "PR0", False)]
)
def test_home_postcode_equal_to_placement_postcode(
    tmp_path: Path, place: str, provider: str, warned: bool
) -> None:
    result = load_one(
        tmp_path, [A_2010], [episode(place=place, provider=provider, home="ab1 1aa", pl="AB11AA")]
    )
    expected = [(EPISODES_FILE, 2, "PL_POST", "AB11AA", Severity.WARNING)] if warned else []
    assert found(result, "home-post-equals-pl-post") == expected


def test_derived_fields_given_in_the_file_are_checked(tmp_path: Path) -> None:
    borough = tmp_path / "b"
    write(borough / "2024" / "header.csv", HEADER, A_2010)
    write(
        borough / "2024" / "episodes.csv",
        EPISODES + ",PL_DISTANCE,PL_LA,PL_LOCATION",
        episode(decom="01/05/2023", dec="01/06/2023", rec="X1") + ",far,E09000001,IN",
        episode(decom="01/06/2023", rne="P") + ",2.5,E09000001,ABROAD",
    )
    result = load_borough(borough)
    assert found(result, "invalid-number") == [
        (EPISODES_FILE, 2, "PL_DISTANCE", "far", Severity.WARNING)
    ]
    assert found(result, "unknown-code") == [
        (EPISODES_FILE, 3, "PL_LOCATION", "ABROAD", Severity.WARNING)
    ]
    got = result.episodes[["PL_DISTANCE", "PL_LOCATION"]].astype(object)
    assert got.where(got.notna(), None).values.tolist() == [[None, "IN"], [2.5, None]]


# --- other tables merged across years -----------------------------------------------------
def test_other_tables_merge_latest_return_per_record(tmp_path: Path) -> None:
    borough = tmp_path / "b"
    for year, dec in ((2023, ""), (2024, "01/06/2023")):
        write(borough / str(year) / "header.csv", HEADER, A_2010)
        write(
            borough / str(year) / "episodes.csv",
            EPISODES,
            episode(decom="01/05/2022", dec=dec, rec="E13" if dec else ""),
        )
    # A missing episode spanning 31/03/2023 is in both returns (the later says it ended);
    # OC2 is a snapshot per year, so both years' rows stay.
    write(
        borough / "2023" / "missing.csv",
        "CHILD,DOB,MISSING,MIS_START,MIS_END",
        "A,01/01/2010,M,30/03/2023,",
    )
    write(
        borough / "2024" / "missing.csv",
        "CHILD,DOB,MISSING,MIS_START,MIS_END",
        "A,01/01/2010,M,30/03/2023,02/04/2023",
    )
    oc2 = (
        "CHILD,DOB,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,HEALTH_ASSESSMENT,"
        "SUBSTANCE_MISUSE"
    )
    write(borough / "2023" / "oc2.csv", oc2, "A,01/01/2010,0,1,1,1,1,0")
    write(borough / "2024" / "oc2.csv", oc2, "A,01/01/2010,0,1,1,0,1,0")
    result = load_borough(borough)

    missing = result.tables["missing"]
    assert missing[["MIS_END", "collection_year"]].values.tolist() == [
        [pd.Timestamp("2023-04-02"), 2024]
    ]
    assert result.tables["oc2"]["collection_year"].tolist() == [2023, 2024]
    assert result.tables["oc2"]["TEETH_CHECK"].tolist() == ["1", "0"]
    assert any("1 Missing" in note for note in result.report.notes)


def test_uasc_child_listed_twice_keeps_the_later_row(tmp_path: Path) -> None:
    borough = tmp_path / "b"
    write(borough / "2024" / "header.csv", HEADER, A_2010)
    write(borough / "2024" / "episodes.csv", EPISODES, episode())
    write(
        borough / "2024" / "uasc.csv",
        "CHILD,SEX,DOB,DUC",
        "A,1,01/01/2010,01/01/2027",
        "A,1,01/01/2010,01/01/2028",
    )
    result = load_borough(borough)
    assert found(result, "duplicate-child") == [("2024/uasc.csv", 2, "CHILD", "A", Severity.ERROR)]
    assert result.episodes["DUC"].tolist() == [pd.Timestamp("2028-01-01")]


# --- file-level rules ---------------------------------------------------------------------
def test_folders_and_loose_files_that_are_not_read_are_reported(tmp_path: Path) -> None:
    borough = tmp_path / "b"
    write(borough / "2024" / "header.csv", HEADER, A_2010)
    write(borough / "2024" / "episodes.csv", EPISODES, episode())
    write(borough / "old stuff" / "episodes.csv", EPISODES, episode())
    write(borough / "stray.csv", HEADER, A_2010)
    write(borough / "2024" / "backup" / "episodes.csv", EPISODES, episode())
    result = load_borough(borough)
    assert [i.file for i in result.report.issues if i.rule == "not-a-year-folder"] == [
        "old stuff",
        "2024/backup",
    ]
    assert [i.file for i in result.report.issues if i.rule == "outside-year-folder"] == [
        "stray.csv"
    ]
    assert len(result.episodes) == 1


def test_two_episodes_files_in_one_year_is_fatal(tmp_path: Path) -> None:
    borough = tmp_path / "b"
    write(borough / "2024" / "header.csv", HEADER, A_2010)
    write(borough / "2024" / "a.csv", EPISODES, episode())
    write(borough / "2024" / "b.csv", EPISODES, episode())
    with pytest.raises(FatalValidationError) as caught:
        load_borough(borough)
    assert (caught.value.issue.file, caught.value.issue.rule) == ("2024/b.csv", "duplicate-table")
    assert "2024/a.csv" in caught.value.issue.expected


def test_two_folders_for_one_year_is_fatal(tmp_path: Path) -> None:
    borough = tmp_path / "b"
    for name in ("2024", "2023-24"):
        write(borough / name / "header.csv", HEADER, A_2010)
        write(borough / name / "episodes.csv", EPISODES, episode())
    with pytest.raises(FatalValidationError) as caught:
        load_borough(borough)
    assert caught.value.issue.rule == "duplicate-year"


def test_row_with_more_values_than_columns_is_fatal(tmp_path: Path) -> None:
    with pytest.raises(FatalValidationError) as caught:
        load_one(tmp_path, [A_2010], [episode(), episode(decom="01/06/2023") + ",surplus"])
    issue = caught.value.issue
    assert (issue.file, issue.row, issue.value, issue.rule) == (
        EPISODES_FILE,
        3,
        "surplus",
        "unreadable-file",
    )


def test_trailing_commas_are_not_extra_values(tmp_path: Path) -> None:
    result = load_one(tmp_path, [A_2010 + ","], [episode() + ","])
    assert len(result.episodes) == 1
    assert result.report.rows_rejected == 0


def test_two_columns_with_one_name_is_fatal(tmp_path: Path) -> None:
    borough = tmp_path / "b"
    write(borough / "2024" / "header.csv", HEADER + ",child", A_2010 + ",A")
    write(borough / "2024" / "episodes.csv", EPISODES, episode())
    with pytest.raises(FatalValidationError) as caught:
        load_borough(borough)
    issue = caught.value.issue
    assert (issue.file, issue.row, issue.value, issue.rule) == (
        "2024/header.csv",
        1,
        "child",
        "unreadable-file",
    )


def test_single_year_folder_whose_year_cannot_be_known_is_fatal(tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    write(folder / "header.csv", HEADER, A_2010)
    write(folder / "episodes.csv", EPISODES, episode(decom="2023-05-01"))  # no valid date
    with pytest.raises(FatalValidationError) as caught:
        load_borough(folder)
    assert caught.value.issue.rule == "year-not-known"
    with pytest.raises(FatalValidationError) as caught:
        load_borough(folder, years=[2023, 2024])
    assert caught.value.issue.rule == "year-not-known"


def test_year_without_known_code_lists_is_fatal(tmp_path: Path) -> None:
    # mps.codes knows the code lists from 2016-17 (2017): a 2015-16 return cannot be checked.
    with pytest.raises(FatalValidationError) as caught:
        load_one(tmp_path, [A_2010], [episode(decom="01/05/2015")], year=2016)
    assert (caught.value.issue.file, caught.value.issue.rule) == ("2016", "unsupported-year")


def test_missing_folder_is_fatal(tmp_path: Path) -> None:
    with pytest.raises(FatalValidationError) as caught:
        load_borough(tmp_path / "nowhere")
    assert caught.value.issue.rule == "missing-file"


def test_strict_keeps_warnings_as_warnings(tmp_path: Path) -> None:
    # Only a warning (CIN blank): strict mode still returns the data.
    result = load_one(tmp_path, [A_2010], [episode(cin="")], strict=True)
    assert len(result.episodes) == 1
    assert [i.severity for i in result.report.issues] == [Severity.WARNING]


def test_row_numbers_allow_for_quoted_line_breaks(tmp_path: Path) -> None:
    borough = tmp_path / "b"
    write(borough / "2024" / "header.csv", HEADER + ",NOTE", A_2010 + ',"two\nlines"')
    write(
        borough / "2024" / "episodes.csv",
        EPISODES + ",NOTE",
        episode() + ',"a note\nover two lines"',  # lines 2-3
        "",  # line 4: blank
        episode(decom="31/06/2023") + ",x",  # line 5: no 31 June
    )
    result = load_borough(borough)
    assert found(result, "invalid-date") == [
        (EPISODES_FILE, 5, "DECOM", "31/06/2023", Severity.ERROR)
    ]
    assert result.extra_columns["header"]["NOTE"].tolist() == ["two\nlines"]
