"""SSDA903 ingestion: multi-year merge, file detection, fatal inputs, encodings, accounting,
placement location.

Every return here is hand-made (fictional children A, B, C...) and written into tmp_path by
the test, so the data and the answer worked out from it sit side by side.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mps.data.ssda903 import (
    EPISODE_COLUMNS,
    TABLE_SPECS,
    FatalValidationError,
    add_placement_locations,
    detect_table,
    load_borough,
    parse_collection_year,
    read_postcode_directory,
)
from mps.data.validation import Severity

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
UASC = "CHILD,SEX,DOB,DUC"


def write(path: Path, *lines: str, encoding: str = "utf-8", bom: bool = False) -> Path:
    """Write CSV lines to ``path`` (creating folders) in the given encoding."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = ("\n".join(lines) + "\n").encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def issues(result_or_report, rule: str) -> list:
    report = getattr(result_or_report, "report", result_or_report)
    return [issue for issue in report.issues if issue.rule == rule]


def one_year(tmp_path: Path, header: list[str], episodes: list[str], year: str = "2024") -> Path:
    """A borough folder with one collection year holding a Header and an Episodes file."""
    borough = tmp_path / "testborough"
    write(borough / year / "header.csv", HEADER, *header)
    write(borough / year / "episodes.csv", EPISODES, *episodes)
    return borough


# --- 1. Three years merged into one longitudinal table --------------------------------------
@pytest.fixture
def three_years(tmp_path: Path) -> Path:
    """Returns for 2021-22, 2022-23 and 2023-24, folder names in three accepted styles."""
    borough = tmp_path / "northborough"
    # 2021-22 return (1 Apr 2021 - 31 Mar 2022).
    write(
        borough / "2021-22" / "header.csv",
        HEADER,
        "A,1,01/01/2010,WBRI,,,",
        "B,2,10/10/2012,BAFR,,,",
        "C,1,05/05/2015,MWBC,,,",
    )
    write(
        borough / "2021-22" / "episodes.csv",
        EPISODES,
        "A,01/06/2021,S,C1,N1,U4,PR1,01/02/2022,X1,CARPL,AB1 1AA,AB2 2BB,SC111111",  # line 2
        "A,01/02/2022,P,C2,N1,U6,PR4,,,,AB1 1AA,AB3 3CC,SC222222",  # line 3: open at 31/3
        "B,01/03/2022,S,V2,N4,U1,PR1,,,,AB4 4DD,AB5 5EE,SC333333",  # line 4: open at 31/3
        "C,01/01/2022,S,C1,N1,P1,PR0,,,,AB6 6FF,AB6 6FF,",  # line 5: open, never seen again
    )
    # 2022-23 return: A's second episode now ended; B's episode revised and a new one added.
    write(
        borough / "2022_23" / "header.csv",
        HEADER,
        "A,1,01/01/2010,WBRI,,,",
        "B,2,10/10/2012,BAFR,,,",
    )
    write(
        borough / "2022_23" / "episodes.csv",
        EPISODES,
        "A,01/02/2022,P,C2,N1,U6,PR4,15/08/2022,X1,CARPL,AB1 1AA,AB3 3CC,SC222222",  # line 2
        "A,15/08/2022,P,C2,N1,K2,PR4,,,,AB1 1AA,AB7 7GG,SC444444",  # line 3
        "B,01/03/2022,S,V2,N4,U1,PR1,01/09/2022,X1,CARPL,AB4 4DD,AB5 5EE,SC333333",  # line 4
        "B,01/08/2022,P,C2,N4,U5,PR5,01/01/2023,E4A,,AB4 4DD,AB8 8HH,SC555555",  # line 5
    )
    # 2023-24 return: A's children's home episode, provider revised (the later record wins).
    write(
        borough / "2024" / "header.csv",
        HEADER,
        "A,1,01/01/2010,WIRI,,,",  # ethnicity revised: the latest Header wins
    )
    write(
        borough / "2024" / "episodes.csv",
        EPISODES,
        "A,15/08/2022,P,C2,N1,K2,PR1,,,,AB1 1AA,AB7 7GG,SC999999",  # line 2
    )
    return borough


def test_three_years_merge_into_one_longitudinal_table(three_years: Path) -> None:
    result = load_borough(three_years)

    assert result.la == "northborough"
    assert result.years == [2022, 2023, 2024]
    episodes = result.episodes
    assert list(episodes.columns) == list(EPISODE_COLUMNS)
    assert episodes.index.equals(pd.RangeIndex(len(episodes)))
    # Worked by hand, sorted by CHILD then DECOM:
    # A 01/06/2021: only in 2022                               -> ends 01/02/2022
    # A 01/02/2022: open in 2022, ended 15/08/2022 in 2023      -> the 2023 record wins
    # A 15/08/2022: in 2023 (PR4, SC444444) and 2024 (PR1, SC999999) -> the 2024 record wins
    # B 01/03/2022: open in 2022, DEC 01/09/2022 in 2023, but B's next episode starts
    #               01/08/2022, so DEC is truncated to 01/08/2022 (overlap)
    # B 01/08/2022: only in 2023                                -> ends 01/01/2023, E4A
    # C 01/01/2022: open in 2022 and in no later return         -> kept open as recorded
    expected = pd.DataFrame(
        {
            "CHILD": ["A", "A", "A", "B", "B", "C"],
            "DECOM": pd.to_datetime(
                ["2021-06-01", "2022-02-01", "2022-08-15", "2022-03-01", "2022-08-01", "2022-01-01"]
            ),
            "DEC": pd.to_datetime(
                ["2022-02-01", "2022-08-15", None, "2022-08-01", "2023-01-01", None]
            ),
            "PLACE_PROVIDER": ["PR1", "PR4", "PR1", "PR1", "PR5", "PR0"],
            "URN": ["SC111111", "SC222222", "SC999999", "SC333333", "SC555555", None],
            "collection_year": [2022, 2023, 2024, 2023, 2023, 2022],
        }
    )
    got = (
        episodes[list(expected.columns)]
        .astype(object)
        .where(episodes[list(expected.columns)].notna(), None)
    )
    want = expected.astype(object).where(expected.notna(), None)
    assert got.to_dict("records") == want.to_dict("records")
    # U4/PR1 in-house; U6/PR4 IFA; K2 children's home; U1 kinship; U5/PR5 IFA; P1 parents.
    assert episodes["placement_category"].tolist() == [
        "inhouse_fostering",
        "ifa_fostering",
        "childrens_home",
        "kinship_fostering",
        "ifa_fostering",
        "placed_with_parents",
    ]
    # Header fields come from the latest Header: A's ethnicity was revised to WIRI in 2024.
    assert episodes["ETHNIC"].tolist() == ["WIRI", "WIRI", "WIRI", "BAFR", "BAFR", "MWBC"]
    assert episodes["SEX"].tolist() == ["M", "M", "M", "F", "F", "M"]
    assert episodes["DOB"].iloc[3] == pd.Timestamp("2012-10-10")
    assert episodes["source_file"].tolist() == [
        "2021-22/episodes.csv",
        "2022_23/episodes.csv",
        "2024/episodes.csv",
        "2022_23/episodes.csv",
        "2022_23/episodes.csv",
        "2021-22/episodes.csv",
    ]
    assert episodes["source_row"].tolist() == [2, 2, 2, 4, 5, 5]
    assert not episodes["UASC"].any()

    # Episode rows read 4 + 4 + 1 = 9; 3 superseded (A 01/02/2022 and B 01/03/2022 from 2022,
    # A 15/08/2022 from 2023) leave 6.
    assert (
        "3 episode records superseded by a later return; 6 episodes in the longitudinal "
        "table." in result.report.notes
    )
    overlap = issues(result, "overlapping-episodes")
    assert [(i.file, i.row, i.column, i.value) for i in overlap] == [
        ("2022_23/episodes.csv", 4, "DEC", "01/09/2022")
    ]
    assert overlap[0].severity == Severity.WARNING
    assert "01/08/2022" in overlap[0].expected
    stale = issues(result, "open-episode-not-in-later-return")
    assert [(i.file, i.row) for i in stale] == [("2021-22/episodes.csv", 5)]
    # Header: A is in three returns, B in two, C in one; the latest record per child is kept.
    header = result.tables["header"]
    assert header["CHILD"].tolist() == ["A", "B", "C"]
    assert header["collection_year"].tolist() == [2024, 2023, 2022]
    # No rows rejected anywhere: rows read = rows kept in every file.
    counts = result.report.counts_frame()
    assert counts["rows_rejected"].sum() == 0
    assert counts.set_index("file")["rows_read"].to_dict() == {
        "2021-22/header.csv": 3,
        "2021-22/episodes.csv": 4,
        "2022_23/header.csv": 2,
        "2022_23/episodes.csv": 4,
        "2024/header.csv": 1,
        "2024/episodes.csv": 1,
    }


def test_years_parameter_limits_the_years_read(three_years: Path) -> None:
    result = load_borough(three_years, years=[2022], la="north")
    assert result.years == [2022]
    assert result.la == "north"
    assert set(result.episodes["la"]) == {"north"}
    # Only the 2021-22 return: its 4 episodes as recorded, nothing superseded, and with no
    # later return loaded no open episode is reported as missing from one.
    assert len(result.episodes) == 4
    assert issues(result, "open-episode-not-in-later-return") == []


def test_asking_for_a_year_with_no_folder_is_fatal(three_years: Path) -> None:
    with pytest.raises(FatalValidationError) as caught:
        load_borough(three_years, years=[2022, 2025])
    assert caught.value.issue.rule == "missing-file"
    assert "2025" in caught.value.issue.expected


@pytest.mark.parametrize(
    ("name", "year"),
    [
        ("2024", 2024),
        ("2023-24", 2024),
        ("2023_24", 2024),
        ("2023-2024", 2024),
        ("2023-25", None),
        ("docs", None),
        ("24", None),
        ("1234", None),
    ],
)
def test_collection_year_folder_names(name: str, year: int | None) -> None:
    assert parse_collection_year(name) == year


# --- 2. File types detected by their columns --------------------------------------------
def test_file_types_detected_by_columns_not_names(tmp_path: Path) -> None:
    year = tmp_path / "borough" / "2024"
    # Odd names, lower-case and padded headers, columns in another order, extra columns.
    write(
        year / "export_1.csv",
        " child ,Sex,dob,Ethnic,Social Worker",
        "A,2,01/01/2012,wbri,Jo Bloggs",
    )
    write(
        year / "zz.CSV",
        "decom,child,rne,ls,cin,place,place_provider,dec,rec,home_post,pl_post,LA_NOTE",
        "01/05/2023,A,S,C2,N1,u4,pr1,,,AB1 1AA,AB2 2BB,note one",
    )
    write(year / "uasc_whatever.csv", "Child,Sex,DOB,DUC", "A,2,01/01/2012,01/01/2030")
    write(year / "lookup.csv", "foo,bar", "1,2")  # not a 903 file
    write(year / "readme.txt", "not a CSV")

    result = load_borough(tmp_path / "borough")

    episodes = result.episodes
    assert len(episodes) == 1
    assert episodes.loc[0, "PLACE"] == "U4"  # codes read case-insensitively, stored upper-case
    assert episodes.loc[0, "PLACE_PROVIDER"] == "PR1"
    assert episodes.loc[0, "ETHNIC"] == "WBRI"
    assert episodes.loc[0, "SEX"] == "F"  # 2 = female to 2023-24
    assert bool(episodes.loc[0, "UASC"])
    assert episodes.loc[0, "DUC"] == pd.Timestamp("2030-01-01")
    # Optional columns absent from the file are blank, not missing.
    assert pd.isna(episodes.loc[0, "URN"]) and pd.isna(episodes.loc[0, "REASON_PLACE_CHANGE"])
    # Extra columns are kept aside, keyed by file and row.
    extra_header = result.extra_columns["header"]
    assert extra_header[["source_file", "source_row", "SOCIAL_WORKER"]].values.tolist() == [
        ["2024/export_1.csv", 2, "Jo Bloggs"]
    ]
    assert result.extra_columns["episodes"]["LA_NOTE"].tolist() == ["note one"]
    # Files that are not read are reported by name.
    unrecognised = issues(result, "unrecognised-file")
    assert [i.file for i in unrecognised] == ["2024/lookup.csv"]
    assert unrecognised[0].severity == Severity.WARNING
    assert [i.file for i in issues(result, "unsupported-file")] == ["2024/readme.txt"]


@pytest.mark.parametrize("name", list(TABLE_SPECS))
def test_detect_table_recognises_every_dfe_layout(name: str) -> None:
    spec = TABLE_SPECS[name]
    assert detect_table(spec.required) == name
    assert detect_table([c.lower() for c in spec.columns] + ["SOMETHING_ELSE"]) == name


def test_detect_table_examples_from_the_dfe_layout() -> None:
    # Columns as listed in the DfE CSV layout (reference §2.2).
    assert detect_table(["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]) == "header"
    assert detect_table(["CHILD", "SEX", "DOB", "DUC"]) == "uasc"
    assert detect_table(["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]) == "missing"
    assert detect_table(["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"]) == (
        "sw_episodes"
    )
    assert detect_table(["CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"]) == "prev_perm"
    assert detect_table(["CHILD", "SEX", "DOB"]) is None  # no key column of any table
    assert detect_table(["foo"]) is None


def test_single_year_folder_with_year_given_or_inferred(tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    write(folder / "h.csv", HEADER, "A,1,01/01/2010,WBRI,,,")
    write(
        folder / "e.csv",
        EPISODES,
        "A,01/05/2023,S,C2,N1,U4,PR1,10/02/2024,E13,,AB1 1AA,AB2 2BB,",
    )
    given = load_borough(folder, years=[2024])
    assert given.years == [2024]
    assert given.episodes["source_file"].tolist() == ["e.csv"]
    # The latest date is DEC 10/02/2024, which falls in the year to 31 March 2024.
    inferred = load_borough(folder)
    assert inferred.years == [2024]
    assert any("inferred" in note for note in inferred.report.notes)
    assert inferred.episodes["collection_year"].tolist() == [2024]


# --- 3. Fatal inputs: clear error, nothing returned --------------------------------------
def test_missing_episodes_file_is_fatal_naming_folder(tmp_path: Path) -> None:
    write(tmp_path / "b" / "2024" / "header.csv", HEADER, "A,1,01/01/2010,WBRI,,,")
    with pytest.raises(FatalValidationError) as caught:
        load_borough(tmp_path / "b")
    issue = caught.value.issue
    assert (issue.file, issue.severity, issue.rule) == ("2024", Severity.FATAL, "missing-file")
    assert "Episodes" in issue.expected and "DECOM" in issue.expected
    assert "2024" in str(caught.value) and "Episodes" in str(caught.value)
    assert caught.value.report.has_fatal


def test_episodes_file_without_its_key_column_is_named_in_the_fatal_issue(tmp_path: Path) -> None:
    # Without DECOM the file cannot be recognised as Episodes: it is reported as not read,
    # and the fatal "no Episodes file" names it as the likely culprit.
    borough = tmp_path / "b"
    write(borough / "2024" / "header.csv", HEADER, "A,1,01/01/2010,WBRI,,,")
    write(
        borough / "2024" / "episodes.csv",
        "CHILD,START,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,HOME_POST,PL_POST",
        "A,01/05/2023,S,C2,N1,U4,PR1,,,AB1 1AA,AB2 2BB",
    )
    with pytest.raises(FatalValidationError) as caught:
        load_borough(borough)
    issue = caught.value.issue
    assert (issue.file, issue.rule) == ("2024", "missing-file")
    assert "2024/episodes.csv looks like one" in issue.expected
    unrecognised = issues(caught.value.report, "unrecognised-file")
    assert [i.file for i in unrecognised] == ["2024/episodes.csv"]
    assert "lacks DECOM" in unrecognised[0].expected


def test_missing_required_column_is_fatal_naming_file_and_column(tmp_path: Path) -> None:
    borough = tmp_path / "b"
    write(borough / "2024" / "header.csv", HEADER, "A,1,01/01/2010,WBRI,,,")
    write(
        borough / "2024" / "episodes.csv",
        "CHILD,DECOM,RNE,LS,CIN,PLACE_PROVIDER,DEC,REC,HOME_POST,PL_POST",  # no PLACE
        "A,01/05/2023,S,C2,N1,PR1,,,AB1 1AA,AB2 2BB",
    )
    with pytest.raises(FatalValidationError) as caught:
        load_borough(borough)
    issue = caught.value.issue
    assert (issue.file, issue.row, issue.column, issue.rule) == (
        "2024/episodes.csv",
        1,
        "PLACE",
        "missing-column",
    )
    assert "2024/episodes.csv" in str(caught.value) and "PLACE" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "why"),
    [(b"", "zero bytes"), (b"\r\n\r\n", "blank lines only")],
)
def test_empty_episodes_file_is_fatal(tmp_path: Path, content: bytes, why: str) -> None:
    borough = tmp_path / "b"
    write(borough / "2024" / "header.csv", HEADER, "A,1,01/01/2010,WBRI,,,")
    (borough / "2024" / "episodes.csv").write_bytes(content)
    with pytest.raises(FatalValidationError) as caught:
        load_borough(borough)
    issue = caught.value.issue
    assert (issue.file, issue.rule) == ("2024/episodes.csv", "empty-file"), why
    assert "empty" in issue.expected


def test_episodes_file_with_header_but_no_rows_is_fatal(tmp_path: Path) -> None:
    borough = tmp_path / "b"
    write(borough / "2024" / "header.csv", HEADER, "A,1,01/01/2010,WBRI,,,")
    write(borough / "2024" / "episodes.csv", EPISODES, "", ",,,,,,,,,,,,")
    with pytest.raises(FatalValidationError) as caught:
        load_borough(borough)
    assert (caught.value.issue.file, caught.value.issue.rule) == ("2024/episodes.csv", "empty-file")


def test_empty_optional_file_is_not_fatal(tmp_path: Path) -> None:
    borough = one_year(
        tmp_path, ["A,1,01/01/2010,WBRI,,,"], ["A,01/05/2023,S,C2,N1,U4,PR1,,,,AB1 1AA,AB2 2BB,"]
    )
    write(borough / "2024" / "missing.csv", "CHILD,DOB,MISSING,MIS_START,MIS_END")
    result = load_borough(borough)
    assert len(result.episodes) == 1
    assert result.tables["missing"].empty


def test_unknown_code_rejects_the_row_and_names_the_valid_codes(tmp_path: Path) -> None:
    borough = one_year(
        tmp_path,
        ["A,1,01/01/2010,WBRI,,,", "B,2,01/01/2011,WBRI,,,"],
        [
            "A,01/05/2023,S,C2,N1,U4,PR1,,,,AB1 1AA,AB2 2BB,",  # line 2: fine
            "B,01/05/2023,S,C2,N1,Q9,PR1,,,,AB1 1AA,AB2 2BB,",  # line 3: PLACE Q9 unknown
            "B,01/06/2023,S,C2,N1,K3,PR4,,,,AB1 1AA,AB2 2BB,",  # line 4: K3 only from 2024-25
        ],
    )
    result = load_borough(borough)
    unknown = issues(result, "unknown-code")
    assert [(i.file, i.row, i.column, i.value, i.severity) for i in unknown] == [
        ("2024/episodes.csv", 3, "PLACE", "Q9", Severity.ERROR),
        ("2024/episodes.csv", 4, "PLACE", "K3", Severity.ERROR),
    ]
    # The valid codes of 2023-24 are listed: H5 and P2 still valid, K3 not yet.
    assert "2023-24" in unknown[0].expected
    assert "H5" in unknown[0].expected and "P2" in unknown[0].expected
    assert "K3" not in unknown[0].expected
    # Rejected rows are gone from the table and counted: 3 read = 1 kept + 2 rejected.
    assert result.episodes["CHILD"].tolist() == ["A"]
    count = result.report.counts["2024/episodes.csv"]
    assert (count.rows_read, count.rows_kept, count.rows_rejected) == (3, 1, 2)


def test_strict_makes_an_unknown_code_fatal(tmp_path: Path) -> None:
    borough = one_year(
        tmp_path,
        ["A,1,01/01/2010,WBRI,,,"],
        ["A,01/05/2023,S,C2,N1,Q9,PR1,,,,AB1 1AA,AB2 2BB,"],
    )
    with pytest.raises(FatalValidationError) as caught:
        load_borough(borough, strict=True)
    issue = caught.value.issue
    assert (issue.file, issue.row, issue.column, issue.value, issue.severity) == (
        "2024/episodes.csv",
        2,
        "PLACE",
        "Q9",
        Severity.FATAL,
    )
    message = str(caught.value)
    assert "2024/episodes.csv" in message and "row 2" in message and "PLACE" in message
    assert "'Q9'" in message


# 01/02/0023 and 01/02/1823 are real calendar dates but not plausible 903 dates (typing slips).
@pytest.mark.parametrize(
    "bad_date", ["31/02/2023", "2023-02-01", "1/13/2023", "01/02/23", "01/02/0023", "01/02/1823"]
)
def test_impossible_date_rejects_the_row(tmp_path: Path, bad_date: str) -> None:
    borough = one_year(
        tmp_path,
        ["A,1,01/01/2010,WBRI,,,"],
        [
            "A,01/05/2023,S,C2,N1,U4,PR1,01/06/2023,X1,,AB1 1AA,AB2 2BB,",
            f"A,{bad_date},P,C2,N1,U4,PR1,,,,AB1 1AA,AB2 2BB,",  # line 3
        ],
    )
    result = load_borough(borough)
    bad = issues(result, "invalid-date")
    assert [(i.file, i.row, i.column, i.value, i.severity) for i in bad] == [
        ("2024/episodes.csv", 3, "DECOM", bad_date, Severity.ERROR)
    ]
    assert "DD/MM/YYYY" in bad[0].expected
    assert result.episodes["DECOM"].tolist() == [pd.Timestamp("2023-05-01")]
    assert result.report.counts["2024/episodes.csv"].rows_rejected == 1


def test_dob_after_decom_rejects_the_episode(tmp_path: Path) -> None:
    borough = one_year(
        tmp_path,
        ["A,1,01/09/2023,WBRI,,,", "B,2,01/01/2015,WBRI,,,"],
        [
            "A,01/05/2023,S,C2,N1,U4,PR1,,,,AB1 1AA,AB2 2BB,",  # line 2: A born 01/09/2023
            "B,01/05/2023,S,C2,N1,U4,PR1,,,,AB1 1AA,AB2 2BB,",  # line 3
        ],
    )
    result = load_borough(borough)
    bad = issues(result, "dob-after-decom")
    assert [(i.file, i.row, i.column, i.value, i.severity) for i in bad] == [
        ("2024/episodes.csv", 2, "DECOM", "01/05/2023", Severity.ERROR)
    ]
    assert "01/09/2023" in bad[0].expected
    assert result.episodes["CHILD"].tolist() == ["B"]


def test_overlapping_episodes_in_one_return_are_truncated(tmp_path: Path) -> None:
    borough = one_year(
        tmp_path,
        ["A,1,01/01/2010,WBRI,,,"],
        [
            "A,01/05/2023,S,C2,N1,U4,PR1,01/08/2023,X1,,AB1 1AA,AB2 2BB,",  # line 2
            "A,01/07/2023,P,C2,N1,U6,PR4,01/09/2023,X1,,AB1 1AA,AB3 3CC,",  # line 3: overlaps 2
            "A,01/09/2023,P,C2,N1,K2,PR4,,,,AB1 1AA,AB4 4DD,",  # line 4: follows 3 exactly
        ],
    )
    result = load_borough(borough)
    overlap = issues(result, "overlapping-episodes")
    # Line 2 ends 01/08/2023 but line 3 starts 01/07/2023: DEC truncated to 01/07/2023.
    # Line 3 ends on the day line 4 starts, which is not an overlap.
    assert [(i.file, i.row, i.column, i.value, i.severity) for i in overlap] == [
        ("2024/episodes.csv", 2, "DEC", "01/08/2023", Severity.WARNING)
    ]
    assert result.episodes["DEC"].tolist() == [
        pd.Timestamp("2023-07-01"),
        pd.Timestamp("2023-09-01"),
        pd.NaT,
    ]
    assert result.report.counts["2024/episodes.csv"].rows_rejected == 0


def test_exact_duplicate_rows_keep_one_copy(tmp_path: Path) -> None:
    row = "A,01/05/2023,S,C2,N1,U4,PR1,,,,AB1 1AA,AB2 2BB,"
    borough = one_year(tmp_path, ["A,1,01/01/2010,WBRI,,,"], [row, row, row])
    result = load_borough(borough)
    duplicates = issues(result, "duplicate-row")
    # Lines 3 and 4 repeat line 2 exactly.
    assert [(i.file, i.row, i.severity) for i in duplicates] == [
        ("2024/episodes.csv", 3, Severity.WARNING),
        ("2024/episodes.csv", 4, Severity.WARNING),
    ]
    assert "line 2" in duplicates[0].expected
    assert len(result.episodes) == 1
    count = result.report.counts["2024/episodes.csv"]
    assert (count.rows_read, count.rows_kept, count.rows_rejected) == (3, 1, 2)


def test_two_rows_for_one_episode_keep_the_later(tmp_path: Path) -> None:
    borough = one_year(
        tmp_path,
        ["A,1,01/01/2010,WBRI,,,"],
        [
            "A,01/05/2023,S,C2,N1,U4,PR1,,,,AB1 1AA,AB2 2BB,",  # line 2
            "A,1/5/2023,S,C2,N1,U6,PR4,,,,AB1 1AA,AB2 2BB,",  # line 3: same CHILD and DECOM
        ],
    )
    result = load_borough(borough)
    clash = issues(result, "duplicate-episode")
    assert [(i.file, i.row, i.column, i.value, i.severity) for i in clash] == [
        ("2024/episodes.csv", 2, "DECOM", "01/05/2023", Severity.ERROR)
    ]
    assert "line 3" in clash[0].expected
    assert result.episodes["PLACE"].tolist() == ["U6"]
    assert result.report.counts["2024/episodes.csv"].rows_rejected == 1


# --- 4. Encodings -------------------------------------------------------------------------
def test_utf8_bom_and_windows_1252_files_are_read(tmp_path: Path) -> None:
    year = tmp_path / "b" / "2024"
    # Excel's "CSV UTF-8": a byte-order mark before CHILD.
    write(
        year / "episodes.csv",
        EPISODES + ",Note",
        "A,01/05/2023,S,C2,N1,U4,PR1,,,,AB1 1AA,AB2 2BB,,Caf\u00e9 visit",
        bom=True,
    )
    # Excel's plain "CSV": Windows-1252, with a non-ASCII extra column name and value.
    write(
        year / "header.csv",
        HEADER + ",\u00c9quipe",
        "A,1,01/01/2010,WBRI,,,,Caf\u00e9",
        encoding="cp1252",
    )
    assert (year / "header.csv").read_bytes().count(b"\xe9") == 1  # really Windows-1252

    result = load_borough(tmp_path / "b")

    assert result.report.rows_rejected == 0
    assert result.episodes["CHILD"].tolist() == ["A"]
    assert result.extra_columns["episodes"]["NOTE"].tolist() == ["Caf\u00e9 visit"]
    assert result.extra_columns["header"]["\u00c9QUIPE"].tolist() == ["Caf\u00e9"]


# --- 5. Accounting ------------------------------------------------------------------------
def test_rows_read_equal_rows_kept_plus_rejected_per_file(tmp_path: Path) -> None:
    borough = one_year(
        tmp_path,
        [
            "A,1,01/01/2010,WBRI,,,",
            "B,X,01/01/2011,WBRI,,,",  # line 3: SEX X unknown -> B's header rejected
            "C,2,01/01/2012,WBRI,,,",
        ],
        [
            "A,01/05/2023,S,C2,N1,U4,PR1,,,,AB1 1AA,AB2 2BB,",  # kept
            "",  # a blank line: not a row, and no shift in the numbers below
            "B,01/05/2023,S,C2,N1,U4,PR1,,,,AB1 1AA,AB2 2BB,",  # line 4: no header (rejected)
            "C,01/05/2023,S,C2,N1,U4,PR1,,,,AB1 1AA,AB2 2BB,",  # kept
            "C,01/05/2023,S,C2,N1,U4,PR1,,,,AB1 1AA,AB2 2BB,",  # line 6: exact copy of 5
            "D,31/04/2023,S,C2,N1,U4,PR1,,,,AB1 1AA,AB2 2BB,",  # line 7: no 31 April
        ],
    )
    result = load_borough(borough)
    counts = result.report.counts_frame().set_index("file")
    # Header: 3 read, B rejected. Episodes: 5 read (the blank line is not a row), B (no
    # header), the copy of C and D rejected: 2 kept.
    assert counts.loc["2024/header.csv", ["rows_read", "rows_kept", "rows_rejected"]].tolist() == [
        3,
        2,
        1,
    ]
    assert counts.loc[
        "2024/episodes.csv", ["rows_read", "rows_kept", "rows_rejected"]
    ].tolist() == [5, 2, 3]
    assert (counts["rows_read"] == counts["rows_kept"] + counts["rows_rejected"]).all()
    assert len(result.episodes) == counts.loc["2024/episodes.csv", "rows_kept"]
    assert [(i.rule, i.row) for i in result.report.issues if i.file == "2024/episodes.csv"] == [
        ("duplicate-row", 6),
        ("invalid-date", 7),
        ("no-header", 4),
    ]


# --- 6. Placement location from postcodes -------------------------------------------------
POSTCODES = pd.DataFrame(
    {
        "pcd": ["AB1 2CD", "AB1 3EF", "ZZ9 9ZZ"],
        "oseast1m": [400000, 403000, 430000],
        "osnrth1m": [300000, 304000, 340000],
        "oslaua": ["E09000001", "E09000001", "W06000001"],
    }
)


def test_placement_distance_la_and_location_from_postcodes(tmp_path: Path) -> None:
    borough = tmp_path / "b"
    write(
        borough / "2024" / "header.csv",
        HEADER,
        "A,1,01/01/2010,WBRI,,,",
        "B,2,01/01/2009,WBRI,,,",
        "U,1,01/01/2008,BAFR,,,",
        "V,1,01/01/2012,WBRI,,,",
        "W,2,01/01/2011,WBRI,,,",
    )
    write(borough / "2024" / "uasc.csv", UASC, "U,1,01/01/2008,")
    write(
        borough / "2024" / "episodes.csv",
        EPISODES + ",PL_DISTANCE,PL_LA,PL_LOCATION",
        # A: home AB1 2CD (400000, 300000) to ab13ef (403000, 304000): dE 3 km, dN 4 km,
        #    5 km / 1.6093 = 3.107 -> 3.1 miles; placed in E09000001 = the borough: IN.
        "A,01/05/2023,S,C2,N1,U4,PR1,01/06/2023,X1,,AB1 2CD,ab13ef,,,,",
        # A: to ZZ9 9ZZ (430000, 340000): dE 30 km, dN 40 km, 50 / 1.6093 = 31.07 -> 31.1;
        #    W06 code = Wales: PL_LA WAL, OUT.
        "A,01/06/2023,P,C2,N1,U6,PR4,01/07/2023,X1,,AB1 2CD,ZZ9  9ZZ,,,,",
        # A: placement postcode not in the directory: no distance, no LA, no location.
        "A,01/07/2023,P,C2,N1,U6,PR4,,,,AB1 2CD,XX1 1XX,,,,",
        # B: the file already carries the derived fields: they are kept.
        "B,01/05/2023,S,C2,N1,U4,PR1,,,,AB1 2CD,AB1 3EF,,12.5,E09000009,OUT",
        # U: a UASC child: no distance (rule 406), but the LA and location are derived.
        "U,01/05/2023,S,V2,N1,U4,PR1,,,,AB1 2CD,AB1 3EF,,,,",
        # V: a V3 short break: neither distance nor placement LA (rules 398, 420).
        "V,01/05/2023,S,V3,N2,U4,PR1,01/05/2023,E8,,AB1 2CD,AB1 3EF,,,,",
        # W: placed with parents at home: distance 0.0.
        "W,01/05/2023,S,C2,N1,P1,PR0,,,,AB1 2CD,AB1 2CD,,,,",
    )
    result = load_borough(borough, la_code="E09000001", postcodes=POSTCODES)
    episodes = result.episodes.set_index(["CHILD", "DECOM"])
    got = episodes[["PL_DISTANCE", "PL_LA", "PL_LOCATION"]].astype(object)
    got = got.where(got.notna(), None)
    assert got.values.tolist() == [
        [3.1, "E09000001", "IN"],
        [31.1, "WAL", "OUT"],
        [None, None, None],
        [12.5, "E09000009", "OUT"],
        [None, "E09000001", "IN"],
        [None, None, None],
        [0.0, "E09000001", "IN"],
    ]
    assert str(result.episodes["PL_DISTANCE"].dtype) == "Float64"
    assert any(
        "1 episodes have a HOME_POST or PL_POST not found" in note for note in result.report.notes
    )


def test_add_placement_locations_without_la_code_leaves_location_blank() -> None:
    episodes = pd.DataFrame(
        {
            "HOME_POST": pd.array(["AB1 2CD"], dtype="string"),
            "PL_POST": pd.array(["AB1 3EF"], dtype="string"),
            "LS": pd.array(["C2"], dtype="string"),
            "UASC": [False],
            "PL_DISTANCE": pd.array([None], dtype="Float64"),
            "PL_LA": pd.array([None], dtype="string"),
            "PL_LOCATION": pd.array([None], dtype="string"),
        }
    )
    out, notes = add_placement_locations(episodes, POSTCODES, None)
    assert out["PL_DISTANCE"].tolist() == [3.1]
    assert out["PL_LA"].tolist() == ["E09000001"]
    assert out["PL_LOCATION"].isna().all()
    assert any("no la_code" in note for note in notes)


def test_each_postcode_directory_is_indexed_for_itself() -> None:
    # The index of a directory is kept for the boroughs after the first; another directory
    # (here one where AB1 3EF lies in another council) gets its own.
    episodes = pd.DataFrame(
        {
            "HOME_POST": pd.array(["AB1 2CD", None], dtype="string"),
            "PL_POST": pd.array(["AB1 3EF", "AB1 3EF"], dtype="string"),
            "LS": pd.array(["C2", "C2"], dtype="string"),
            "UASC": [False, False],
            "PL_DISTANCE": pd.array([None, None], dtype="Float64"),
            "PL_LA": pd.array([None, None], dtype="string"),
            "PL_LOCATION": pd.array([None, None], dtype="string"),
        }
    )
    first, _ = add_placement_locations(episodes, POSTCODES, "E09000001")
    again, _ = add_placement_locations(episodes, POSTCODES, "E09000001")
    moved = POSTCODES.copy()
    moved.loc[moved["pcd"] == "AB1 3EF", "oslaua"] = "E09000002"
    other, _ = add_placement_locations(episodes, moved, "E09000001")
    assert first.equals(again)
    assert first["PL_LOCATION"].tolist() == ["IN", "IN"]
    assert other["PL_LA"].tolist() == ["E09000002", "E09000002"]
    assert other["PL_LOCATION"].tolist() == ["OUT", "OUT"]
    assert first["PL_DISTANCE"].tolist()[0] == 3.1 and pd.isna(first["PL_DISTANCE"][1])


def test_read_postcode_directory(tmp_path: Path) -> None:
    path = write(
        tmp_path / "postcodes.csv",
        "PCD,DOINTR,OSEAST1M,OSNRTH1M,OSLAUA",
        "AB1 2CD,199801,400000,300000,E09000001",
        "AB1 9ZZ,199801,,,E09000001",  # a postcode with no grid reference
    )
    directory = read_postcode_directory(path)
    assert list(directory.columns) == ["pcd", "oseast1m", "osnrth1m", "oslaua"]
    assert directory["oseast1m"].tolist()[0] == 400000
    assert directory["oseast1m"].isna().tolist() == [False, True]

    bad = write(tmp_path / "bad.csv", "pcd,oseast1m,oslaua", "AB1 2CD,1,E09000001")
    with pytest.raises(FatalValidationError) as caught:
        read_postcode_directory(bad)
    assert caught.value.issue.column == "osnrth1m"
