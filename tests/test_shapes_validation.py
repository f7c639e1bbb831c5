"""Validation across shapes: a dirty file's problems listed once each, with the rows they
affect; the pooled layout's LA and YEAR columns; XML and Excel specifics.

Each test writes a tiny fictional return into tmp_path; the issues expected are worked out
by hand from the lines written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from mps.cli import app
from mps.data.ssda903 import FatalValidationError, load_borough, pooled_councils
from mps.data.ssda903_report import rule_summary
from mps.data.validation import Severity

HEADER = "CHILD,SEX,DOB,ETHNIC"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,HOME_POST,PL_POST"


def write(path: Path, *lines: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def found(result, rule: str) -> list[tuple]:
    report = getattr(result, "report", result)
    return [(i.file, i.row, i.column, i.value) for i in report.issues if i.rule == rule]


# --- A dirty file --------------------------------------------------------------------------
@pytest.fixture
def dirty(tmp_path: Path) -> Path:
    borough = tmp_path / "dirty"
    write(
        borough / "2024" / "header.csv",
        HEADER,
        "A,1,01/01/2010,WBRI",  # line 2: fine
        "B,7,02/02/2012,WBRI",  # line 3: SEX 7 is no code: B rejected
        "C,2,31/02/2013,WBRI",  # line 4: no 31 February: C rejected
        "D,1,03/03/2014,XXXX",  # line 5: unknown ETHNIC: D rejected
    )
    write(
        borough / "2024" / "episodes.csv",
        EPISODES,
        "A,01/05/2023,S,C2,N1,U4,PR1,01/06/2023,X1,AB1 1AA,AB2 2BB",  # line 2: fine
        "A,01/06/2023,P,C2,N1,ZZ,PR1,,,AB1 1AA,AB2 2BB",  # line 3: PLACE ZZ
        "B,01/05/2023,S,C2,N1,U4,PR1,,,AB3 3CC,AB4 4DD",  # line 4: B has no Header left
        "A,2023-07-01,P,C2,N1,U4,PR1,,,AB1 1AA,AB2 2BB",  # line 5: not DD/MM/YYYY
        "C,01/08/2023,S,C2,N1,U4,PR1,01/07/2023,E13,AB5 5EE,AB6 6FF",  # line 6: two problems
    )
    return borough


def test_a_dirty_file_lists_each_problem_once_with_where_and_why(dirty: Path) -> None:
    with_issues = load_borough(dirty)
    issues = [
        (i.severity, i.rule, i.file, i.row, i.column, i.value)
        for i in with_issues.report.issues
        if i.severity == Severity.ERROR
    ]
    # In the order the checks run: dates, then codes, per file. Line 6 (child C) breaks two
    # rules, DEC before DECOM and no Header (C's was rejected, line 4), but a rejected row is
    # not checked again: it is listed once, for the first.
    assert issues == [
        (Severity.ERROR, "invalid-date", "2024/header.csv", 4, "DOB", "31/02/2013"),
        (Severity.ERROR, "unknown-code", "2024/header.csv", 3, "SEX", "7"),
        (Severity.ERROR, "unknown-code", "2024/header.csv", 5, "ETHNIC", "XXXX"),
        (Severity.ERROR, "invalid-date", "2024/episodes.csv", 5, "DECOM", "2023-07-01"),
        (Severity.ERROR, "unknown-code", "2024/episodes.csv", 3, "PLACE", "ZZ"),
        (Severity.ERROR, "dec-before-decom", "2024/episodes.csv", 6, "DEC", "01/07/2023"),
        (Severity.ERROR, "no-header", "2024/episodes.csv", 4, "CHILD", "B"),
    ]
    keys = [(i.file, i.row, i.column, i.rule) for i in with_issues.report.issues]
    assert len(keys) == len(set(keys))
    # Every issue says what was expected in words.
    sex = next(i for i in with_issues.report.issues if i.column == "SEX")
    assert sex.expected.startswith("one of the SEX codes valid in 2023-24: 1, 2")
    assert "DD/MM/YYYY" in with_issues.report.issues[0].expected

    summary = rule_summary(with_issues.report).set_index("rule")
    # unknown-code: header lines 3 and 5 and episodes line 3 = 3 rows in 2 files.
    assert summary.loc["unknown-code", ["issues", "rows_affected", "files"]].tolist() == [3, 3, 2]
    assert summary.loc["invalid-date", ["issues", "rows_affected", "files"]].tolist() == [2, 2, 2]
    assert summary.loc["no-header", ["issues", "rows_affected", "files"]].tolist() == [1, 1, 1]
    # 4 Header rows read, 3 rejected; 5 Episodes rows read, 4 rejected.
    counts = with_issues.report.counts_frame().set_index("file")
    assert counts.loc["2024/header.csv", ["rows_read", "rows_rejected"]].tolist() == [4, 3]
    assert counts.loc["2024/episodes.csv", ["rows_read", "rows_rejected"]].tolist() == [5, 4]


def test_mps_validate_prints_rows_affected_and_writes_the_whole_report(
    dirty: Path, tmp_path: Path
) -> None:
    report = tmp_path / "out" / "issues.csv"
    result = CliRunner().invoke(
        app,
        ["validate", str(dirty), "--report", str(report), "--show", "2"],
        env={"COLUMNS": "160"},
    )
    assert result.exit_code == 0, result.output  # errors reject rows; nothing is fatal
    output = result.stdout
    assert "9 rows read = 2 kept + 7 rejected, from 2 tables in 2 files" in output
    assert "rows affected" in output
    assert "unknown-code" in output and "no-header" in output
    # The first two errors in full, then how many more.
    assert "ERROR [invalid-date] 2024/header.csv, row 4, column DOB: value '31/02/2013'" in output
    assert "ERROR [unknown-code] 2024/header.csv, row 3, column SEX: value '7'" in output
    assert "… and 5 more error issue(s)" in output
    written = pd.read_csv(report)
    assert len(written) == len(load_borough(dirty).report.issues)
    assert (written["severity"] == "error").sum() == 7
    assert list(written.columns) == [
        "severity",
        "rule",
        "file",
        "row",
        "column",
        "value",
        "expected",
    ]
    counts = pd.read_csv(report.with_name("issues-counts.csv"))
    assert counts["rows_rejected"].sum() == 7


def test_mps_validate_exits_1_on_a_fatal_problem(tmp_path: Path) -> None:
    borough = tmp_path / "b"
    write(borough / "2024" / "header.csv", HEADER, "A,1,01/01/2010,WBRI")
    result = CliRunner().invoke(
        app, ["validate", str(borough), "--report", str(tmp_path / "r.csv")]
    )
    assert result.exit_code == 1
    assert "cannot be used" in result.stdout
    assert "FATAL [missing-file]" in result.stdout


def test_mps_validate_of_a_borough_folder_checks_its_other_inputs_too(tmp_path: Path) -> None:
    # The folder as the build reads it: ssda903/ beside spend.csv and referrals.csv.
    borough = tmp_path / "northtown"
    write(borough / "ssda903" / "2024" / "header.csv", HEADER, "A,1,01/01/2010,WBRI")
    write(
        borough / "ssda903" / "2024" / "episodes.csv",
        EPISODES,
        "A,01/05/2023,S,C2,N1,U4,PR1,,,AB1 1AA,AB2 2BB",
    )
    write(
        borough / "spend.csv",
        "CHILD,placement_start,placement_end,PLACE,PLACE_PROVIDER,URN,provider_name,"
        "weekly_cost,contract_status",
        "A,01/05/2023,,U4,PR1,SC1,Acme,900,spot",  # line 2: fine
        "A,01/05/2023,,U4,PR1,SC1,Acme,lots,spot",  # line 3: no weekly cost
    )
    write(borough / "referrals.csv", "referral_id", "R1")  # no CHILD column: fatal
    report = tmp_path / "issues.csv"
    result = CliRunner().invoke(
        app, ["validate", str(borough), "--report", str(report)], env={"COLUMNS": "160"}
    )
    output = result.stdout
    assert result.exit_code == 1, output  # the referral log cannot be used
    # The 903 returns are read from ssda903/, not mistaken for the other files.
    assert "2 rows read = 2 kept + 0 rejected, from 2 tables in 2 files" in output
    assert "unrecognised-file" not in output
    assert "Other inputs read in" in output
    assert "2 rows read = 1 kept + 1 rejected, from 1 tables in 1 files" in output
    assert "FATAL [missing-column] referrals.csv" in output
    assert "ERROR [" in output and "spend.csv, row 3, column weekly_cost" in output
    written = pd.read_csv(report)
    assert sorted(set(written["file"])) == ["referrals.csv", "spend.csv"]
    counts = pd.read_csv(report.with_name("issues-counts.csv"))
    assert counts.set_index("file").loc["spend.csv", "rows_rejected"] == 1


def test_mps_validate_checks_needs_against_the_consortiums_own_indicators(
    tmp_path: Path,
) -> None:
    borough = tmp_path / "data" / "northtown"
    write(borough / "ssda903" / "2024" / "header.csv", HEADER, "A,1,01/01/2010,WBRI")
    write(
        borough / "ssda903" / "2024" / "episodes.csv",
        EPISODES,
        "A,01/05/2023,S,C2,N1,U4,PR1,,,AB1 1AA,AB2 2BB",
    )
    write(borough / "needs.csv", "CHILD,assessment_date,health", "A,01/06/2023,2")
    parameters = write(
        tmp_path / "consortium.yaml",
        "slug: pair",
        "name: The Pair",
        "data_dir: data",
        "boroughs: [{slug: northtown, name: Northtown, la_code: E09000901}]",
        "needs:",
        "  indicators: [{slug: health, label: Health, domain: Be Healthy}]",
    )
    report = str(tmp_path / "r.csv")
    # Without the parameters the 12 Valuing Care indicators are expected: the file lacks them.
    default = CliRunner().invoke(app, ["validate", str(borough), "--report", report])
    assert default.exit_code == 1 and "FATAL [missing-column] needs.csv" in default.stdout
    own = CliRunner().invoke(
        app, ["validate", str(borough), "--report", report, "--parameters", str(parameters)]
    )
    assert own.exit_code == 0, own.stdout
    assert "1 rows read = 1 kept + 0 rejected, from 1 tables in 1 files" in own.stdout


# --- Pooled files ---------------------------------------------------------------------------
POOLED_HEADER = "CHILD,SEX,DOB,ETHNIC,LA,YEAR"
POOLED_EPISODES = EPISODES + ",LA,YEAR"


def test_pooled_rows_without_an_la_or_a_year_are_rejected_and_counted(tmp_path: Path) -> None:
    folder = tmp_path / "pooled"
    write(
        folder / "header.csv",
        POOLED_HEADER,
        "A,1,2010-01-01,WBRI,North,2024",  # line 2
        "Z,1,2011-01-01,WBRI,South,2024",  # line 3: another council
        "B,2,2012-02-02,WBRI,,2024",  # line 4: no LA: rejected
        "C,2,2013-03-03,WBRI,North,24",  # line 5: 24 is not a collection year
    )
    write(
        folder / "episodes.csv",
        POOLED_EPISODES,
        "A,2023-05-01,S,C2,N1,U4,PR1,,,AB1 1AA,AB2 2BB,North,2024",
        "Z,2023-05-01,S,C2,N1,U4,PR1,,,AB1 1AA,AB2 2BB,South,2024",
    )
    result = load_borough(folder, la_value="north")  # compared loosely: North
    assert result.la_value == "North" and result.la == "North"
    assert result.episodes["CHILD"].tolist() == ["A"]
    assert found(result, "missing-value") == [("header.csv", 4, "LA", None)]
    assert found(result, "invalid-year") == [("header.csv", 5, "YEAR", "24")]
    counts = result.report.counts_frame().set_index("file")
    # North's header rows: A, C (bad year) and the blank-LA row B: 3 read, 2 rejected.
    assert counts.loc["header.csv", ["rows_read", "rows_rejected"]].tolist() == [3, 2]
    assert result.episodes["DECOM"].tolist() == [pd.Timestamp("2023-05-01")]
    assert pooled_councils(folder) == ["North", "South"]


def test_pooled_data_needs_a_council_named_when_it_holds_several(tmp_path: Path) -> None:
    folder = tmp_path / "pooled"
    write(
        folder / "h.csv",
        POOLED_HEADER,
        "A,1,2010-01-01,WBRI,North,2024",
        "Z,1,2011-01-01,WBRI,South,2024",
    )
    write(
        folder / "e.csv",
        POOLED_EPISODES,
        "A,2023-05-01,S,C2,N1,U4,PR1,,,AB1 1AA,AB2 2BB,North,2024",
        "Z,2023-05-01,S,C2,N1,U4,PR1,,,AB1 1AA,AB2 2BB,South,2024",
    )
    with pytest.raises(FatalValidationError) as caught:
        load_borough(folder)
    assert caught.value.issue.rule == "la-not-chosen"
    assert "'North', 'South'" in caught.value.issue.expected
    with pytest.raises(FatalValidationError) as caught:
        load_borough(folder, la_value="East")
    assert caught.value.issue.rule == "la-not-found"
    # Without la_value the borough's slug or ONS code picks its rows.
    assert load_borough(folder, la="south").episodes["CHILD"].tolist() == ["Z"]
    assert load_borough(folder, la="x", la_code="North").episodes["CHILD"].tolist() == ["A"]


def test_pooled_years_are_split_filtered_and_checked_against_their_year(tmp_path: Path) -> None:
    folder = tmp_path / "pooled"
    # YEAR written as the collection year or as 2022-23; dates ISO or DD/MM/YYYY.
    write(
        folder / "h.csv",
        POOLED_HEADER,
        "A,1,2010-01-01,WBRI,North,2022-23",
        "A,1,01/01/2010,WBRI,North,2024",
    )
    write(
        folder / "e.csv",
        POOLED_EPISODES,
        "A,2022-05-01,S,C2,N1,U4,PR1,,,AB1 1AA,AB2 2BB,North,2023",  # line 2
        "A,2022-05-01,S,C2,N1,U4,PR1,2023-06-01 00:00:00,E13,AB1 1AA,AB2 2BB,North,2024",
        "A,2024-06-01,S,C2,N1,U4,PR1,,,AB1 1AA,AB2 2BB,North,2024",  # line 4: after 31/3/24
    )
    result = load_borough(folder)
    assert result.years == [2023, 2024]
    # The 2024 record of the episode wins (its end), and a start after the year's end is
    # rejected as in any return.
    assert result.episodes["DEC"].tolist() == [pd.Timestamp("2023-06-01")]
    assert found(result, "decom-after-year-end") == [("e.csv", 4, "DECOM", "2024-06-01")]
    only = load_borough(folder, years=[2024])
    assert only.years == [2024]
    assert any("2023" in note and "not read" in note for note in only.report.notes)
    with pytest.raises(FatalValidationError) as caught:
        load_borough(folder, years=[2022, 2024])
    assert (caught.value.issue.rule, caught.value.issue.file) == ("missing-file", "pooled")


def test_iso_dates_are_for_pooled_files_only(tmp_path: Path) -> None:
    borough = tmp_path / "b"
    write(borough / "2024" / "header.csv", HEADER, "A,1,2010-01-01,WBRI")
    write(
        borough / "2024" / "episodes.csv", EPISODES, "A,01/05/2023,S,C2,N1,U4,PR1,,,AB1 1AA,AB2 2BB"
    )
    result = load_borough(borough)
    assert found(result, "invalid-date") == [("2024/header.csv", 2, "DOB", "2010-01-01")]


def test_a_year_folder_file_with_another_year_in_its_year_column(tmp_path: Path) -> None:
    borough = tmp_path / "b"
    write(
        borough / "2024" / "header.csv",
        HEADER + ",YEAR",
        "A,1,01/01/2010,WBRI,2024",
        "B,1,01/01/2011,WBRI,2023",
    )
    write(
        borough / "2024" / "episodes.csv", EPISODES, "A,01/05/2023,S,C2,N1,U4,PR1,,,AB1 1AA,AB2 2BB"
    )
    result = load_borough(borough)
    assert found(result, "year-not-folder-year") == [("2024/header.csv", 3, "YEAR", "2023")]
    assert result.report.counts_frame().set_index("file").loc["2024/header.csv"].tolist()[1:] == [
        2,
        1,
        1,
    ]


# --- XML -------------------------------------------------------------------------------------
def xml_child(child: str, dob: str, *episodes: str, uasc: str = "0", duc: str = "") -> list[str]:
    lines = [
        "<CHILD>",
        "<HEADER>",
        f"<CHILDID>{child}</CHILDID>",
        "<SEX>1</SEX>",
        f"<DOB>{dob}</DOB>",
        "<ETHNIC>WBRI</ETHNIC>",
        f"<UASC>{uasc}</UASC>",
    ]
    if duc:
        lines.append(f"<DUC>{duc}</DUC>")
    lines += [
        "<AMISSING>",
        "<MISSING>M</MISSING>",
        "<MIS_START>01/06/2023</MIS_START>",
        "</AMISSING>",
        "</HEADER>",
    ]
    for decom in episodes:
        lines += [
            "<EPISODE>",
            f"<DECOM>{decom}</DECOM>",
            "<RNE>S</RNE>",
            "<LS>C2</LS>",
            "<CIN>N1</CIN>",
            "<PL>U4</PL>",
            "<PLACE_PROVIDER>PR1</PLACE_PROVIDER>",
            "<DEC></DEC>",
            "<REC></REC>",
            "<HOME_POST>AB1 1AA</HOME_POST>",
            "<PL_POST>AB2 2BB</PL_POST>",
            "</EPISODE>",
        ]
    return [*lines, "</CHILD>"]


def test_xml_children_their_groups_and_a_problem_reported_once(tmp_path: Path) -> None:
    lines = ["<?xml version='1.0'?>", "<EXPSSDA903>"]
    # Child A twice, the same HEADER both times (lines 3-28 and 29-54): HEADER on lines 4
    # and 30, AMISSING on 11 and 37, one EPISODE each on 16 and 42.
    lines += xml_child("A", "01/01/2010", "01/05/2023", uasc="1", duc="01/01/2028")
    lines += xml_child("A", "01/01/2010", "01/07/2023", uasc="1", duc="01/01/2028")
    lines += ["</EXPSSDA903>"]
    write(tmp_path / "b" / "2024" / "cla.xml", *lines)
    result = load_borough(tmp_path / "b")
    # The second HEADER repeats the first exactly: one copy is kept. The Header and the UASC
    # tables both come from that HEADER element, and the problem is listed once; the
    # repeated AMISSING group is a row of its own, listed at its own line.
    assert found(result, "duplicate-row") == [
        ("2024/cla.xml [Header]", 30, None, None),
        ("2024/cla.xml [Missing]", 37, None, None),
    ]
    assert result.tables["header"]["source_row"].tolist() == [4]
    assert result.tables["uasc"]["DUC"].tolist() == [pd.Timestamp("2028-01-01")]
    missing = result.tables["missing"]
    assert missing[["CHILD", "MISSING", "source_file", "source_row"]].values.tolist() == [
        ["A", "M", "2024/cla.xml [Missing]", 11]
    ]
    assert missing["MIS_START"].tolist() == [pd.Timestamp("2023-06-01")]
    # Both episodes are A's (the CHILDID of their CHILD); PL in XML is PLACE.
    assert result.episodes["DECOM"].tolist() == [
        pd.Timestamp("2023-05-01"),
        pd.Timestamp("2023-07-01"),
    ]
    assert result.episodes["source_row"].tolist() == [16, 42]
    assert result.episodes["PLACE"].tolist() == ["U4", "U4"]
    assert result.episodes["UASC"].tolist() == [True, True]


def test_xml_that_is_not_a_903_return_or_not_well_formed(tmp_path: Path) -> None:
    borough = tmp_path / "b"
    write(borough / "2024" / "header.csv", HEADER, "A,1,01/01/2010,WBRI")
    write(
        borough / "2024" / "episodes.csv", EPISODES, "A,01/05/2023,S,C2,N1,U4,PR1,,,AB1 1AA,AB2 2BB"
    )
    write(borough / "2024" / "other.xml", "<?xml version='1.0'?>", "<Message><x/></Message>")
    result = load_borough(borough)
    assert found(result, "unrecognised-file") == [("2024/other.xml", None, None, "Message")]
    write(borough / "2024" / "other.xml", "<EXPSSDA903>", "<CHILD>", "<HEADER>", "</CHILD>")
    with pytest.raises(FatalValidationError) as caught:
        load_borough(borough)
    issue = caught.value.issue
    assert (issue.file, issue.row, issue.rule) == ("2024/other.xml", 4, "unreadable-file")


# --- Excel -----------------------------------------------------------------------------------
def test_excel_numbers_and_dates_become_the_text_a_csv_holds(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    header = book.active
    header.title = "kids"
    header.append(["CHILD", "SEX", "DOB", "ETHNIC", "note"])
    header.append([1234.0, 1, dt.datetime(2010, 1, 1), "WBRI", None])
    header.append([1235, 2, "01/02/2011", "WBRI", 7.5])  # a date typed as text is fine too
    episodes = book.create_sheet("whatever")
    episodes.append(EPISODES.split(","))
    episodes.append(
        [1234, dt.date(2023, 5, 1), "S", "C2", "N1", "U4", "PR1", None, None, "AB1 1AA", "AB2 2BB"]
    )
    episodes.append(
        [
            1235,
            dt.datetime(2023, 6, 1),
            "S",
            "C2",
            "N1",
            "U4",
            "PR1",
            None,
            None,
            "AB1 1AA",
            "AB2 2BB",
        ]
    )
    path = tmp_path / "2024" / "return.xlsx"
    path.parent.mkdir()
    book.save(path)
    result = load_borough(path)  # one workbook: its year from its folder
    assert result.years == [2024]
    assert result.episodes["CHILD"].tolist() == ["1234", "1235"]
    assert result.episodes["DOB"].tolist() == [
        pd.Timestamp("2010-01-01"),
        pd.Timestamp("2011-02-01"),
    ]
    assert result.extra_columns["header"]["NOTE"].tolist() == ["", "7.5"]
    # A file given directly is named as it is, without its folder.
    assert found(result, "extra-columns") == [("return.xlsx [kids]", None, None, "note")]


def test_excel_problems_name_the_sheet_and_row(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Header"
    sheet.append(["CHILD", "SEX", "DOB", "ETHNIC"])
    sheet.append(["A", 1, 44000, "WBRI"])  # a date lost its format: a number, not a date
    episodes = book.create_sheet("Episodes")
    episodes.append(EPISODES.split(","))
    episodes.append(["A", "01/05/2023", "S", "C2", "N1", "U4", "PR1", None, None, "X", "Y"])
    path = tmp_path / "b" / "2024" / "903.xlsx"
    path.parent.mkdir(parents=True)
    book.save(path)
    write(tmp_path / "b" / "2024" / "old.xls", "binary")
    result = load_borough(tmp_path / "b")
    assert found(result, "invalid-date") == [("2024/903.xlsx [Header]", 2, "DOB", "44000")]
    assert found(result, "unsupported-file")[0][0] == "2024/old.xls"


def test_xml_with_a_namespace_and_a_group_the_schema_does_not_name(tmp_path: Path) -> None:
    # A later schema's table (social-worker episodes here) is recognised by its fields.
    lines = [
        "<?xml version='1.0'?>",
        "<EXPSSDA903 xmlns='http://example.org/903'>",  # line 2
        "<CHILD>",
        "<HEADER><CHILDID>A</CHILDID><SEX>1</SEX><DOB>01/01/2010</DOB>",  # line 4
        "<ETHNIC>WBRI</ETHNIC><UASC>0</UASC><NOTE>x</NOTE></HEADER>",
        "<EPISODE><DECOM>01/05/2023</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U4</PL>",
        "<PLACE_PROVIDER>PR1</PLACE_PROVIDER><HOME_POST>AB1 1AA</HOME_POST>",
        "<PL_POST>AB2 2BB</PL_POST></EPISODE>",
        "<SWEPISODE><SW_ID>SW1</SW_ID><SW_DECOM>01/05/2023</SW_DECOM>",  # line 9
        "<SW_DEC></SW_DEC><SW_REASON></SW_REASON></SWEPISODE>",
        "</CHILD>",
        "</EXPSSDA903>",
    ]
    write(tmp_path / "2024" / "cla.xml", *lines)
    result = load_borough(tmp_path / "2024" / "cla.xml")
    assert result.episodes["DECOM"].tolist() == [pd.Timestamp("2023-05-01")]
    sw = result.tables["sw_episodes"]
    assert sw[["CHILD", "SW_ID", "source_file", "source_row"]].values.tolist() == [
        ["A", "SW1", "cla.xml [SWEPISODE]", 9]
    ]
    # A field the schema does not have is kept aside and reported once.
    assert found(result, "extra-columns") == [("cla.xml [Header]", None, None, "NOTE")]
    assert result.extra_columns["header"]["NOTE"].tolist() == ["x"]


def test_a_sheet_with_two_columns_of_one_name_is_fatal(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["CHILD", "SEX", "DOB", "ETHNIC", "child"])
    path = tmp_path / "2024" / "903.xlsx"
    path.parent.mkdir()
    book.save(path)
    with pytest.raises(FatalValidationError) as caught:
        load_borough(path)
    issue = caught.value.issue
    assert (issue.file, issue.row, issue.value, issue.rule) == (
        "903.xlsx",
        1,
        "child",
        "unreadable-file",
    )


def test_pooled_years_without_known_code_lists_are_left_out_and_said_so(tmp_path: Path) -> None:
    folder = tmp_path / "pooled"
    write(
        folder / "h.csv",
        POOLED_HEADER,
        "A,1,2005-01-01,WBRI,North,2015",
        "A,1,2005-01-01,WBRI,North,2024",
    )
    write(
        folder / "e.csv",
        POOLED_EPISODES,
        "A,2014-05-01,S,C2,N1,U4,PR1,,,AB1 1AA,AB2 2BB,North,2015",
        "A,2014-05-01,S,C2,N1,U4,PR1,,,AB1 1AA,AB2 2BB,North,2024",
    )
    result = load_borough(folder)
    # mps knows the code lists from 2016-17 (2017): the 2014-15 rows are not read.
    assert result.years == [2024]
    assert sorted(found(result, "unsupported-year")) == [
        ("e.csv", None, "YEAR", "2015"),
        ("h.csv", None, "YEAR", "2015"),
    ]
    assert "the 1 rows of 2015 (2014-15) are not read" in result.report.issues[0].expected
