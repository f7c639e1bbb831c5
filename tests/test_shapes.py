"""One small hand-made return, written out in every shape analysts hold 903 data in.

The same four fictional children over two collection years (2022-23 and 2023-24) are
written by the test itself as per-year DfE CSV files, as pooled CSV files (LA and YEAR
columns, ISO dates, a second council mixed in), as the XML return, as Excel workbooks (real
date cells, numeric identifiers and codes, arbitrary sheet names) and as messy CSV files
(lower-case headers with stray spaces, another column order, an extra column, blank lines,
padded lower-case values). Every shape must give the same episode table and the same
``mps indicators`` output; only where each row came from (file and row) differs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from mps.cli import app
from mps.data.ssda903 import load_borough

HEADER = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODES = [
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
]
UASC = ["CHILD", "SEX", "DOB", "DUC"]
COLUMNS = {"header": HEADER, "episodes": EPISODES, "uasc": UASC}
SOURCE = ["source_file", "source_row"]


def h(child: str, sex: str, dob: str, ethnic: str) -> dict[str, str]:
    return {"CHILD": child, "SEX": sex, "DOB": dob, "ETHNIC": ethnic}


def e(child: str, decom: str, rne: str, ls: str, cin: str, place: str, provider: str, **more):
    row = {"CHILD": child, "DECOM": decom, "RNE": rne, "LS": ls, "CIN": cin, "PLACE": place}
    row["PLACE_PROVIDER"] = provider
    row.update({k.upper(): v for k, v in more.items()})
    return row


# The return, as the DfE CSV layout has it (DD/MM/YYYY dates).
RETURN = {
    2023: {
        "header": [
            h("1001", "2", "14/03/2010", "WBRI"),
            h("1002", "1", "02/02/2015", "BAFR"),
            h("1003", "1", "01/09/2006", "WBRI"),
        ],
        "episodes": [
            e(
                "1001",
                "01/05/2022",
                "S",
                "C2",
                "N1",
                "U4",
                "PR1",
                dec="10/11/2022",
                rec="X1",
                reason_place_change="CARPL",
                home_post="AB1 1AA",
                pl_post="AB2 2BB",
                urn="SC100001",
            ),
            e(
                "1001",
                "10/11/2022",
                "P",
                "C2",
                "N1",
                "K2",
                "PR2",
                home_post="AB1 1AA",
                pl_post="AB3 3CC",
                urn="SC100002",
            ),
            e(
                "1002",
                "20/06/2022",
                "S",
                "V2",
                "N4",
                "U1",
                "PR1",
                home_post="AB4 4DD",
                pl_post="AB5 5EE",
            ),
            e(
                "1003",
                "15/01/2023",
                "S",
                "C2",
                "N1",
                "U6",
                "PR4",
                home_post="AB6 6FF",
                pl_post="AB7 7GG",
            ),
        ],
        "uasc": [{"CHILD": "1003", "SEX": "1", "DOB": "01/09/2006", "DUC": "01/09/2024"}],
    },
    2024: {
        "header": [
            h("1001", "2", "14/03/2010", "WBRI"),
            h("1002", "1", "02/02/2015", "BAFR"),
            h("1003", "1", "01/09/2006", "WBRI"),
            h("1004", "2", "05/05/2020", "MWBA"),
        ],
        "episodes": [
            # 1001's second episode, open in the 2023 return, ends in this one.
            e(
                "1001",
                "10/11/2022",
                "P",
                "C2",
                "N1",
                "K2",
                "PR2",
                dec="01/08/2023",
                rec="E13",
                home_post="AB1 1AA",
                pl_post="AB3 3CC",
                urn="SC100002",
            ),
            e(
                "1002",
                "20/06/2022",
                "S",
                "V2",
                "N4",
                "U1",
                "PR1",
                home_post="AB4 4DD",
                pl_post="AB5 5EE",
            ),
            e(
                "1003",
                "15/01/2023",
                "S",
                "C2",
                "N1",
                "U6",
                "PR4",
                dec="30/09/2023",
                rec="X1",
                reason_place_change="CHILD",
                home_post="AB6 6FF",
                pl_post="AB7 7GG",
            ),
            e(
                "1003",
                "30/09/2023",
                "P",
                "C2",
                "N1",
                "H5",
                "PR4",
                home_post="AB6 6FF",
                pl_post="AB8 8HH",
                urn="SC100003",
            ),
            e(
                "1004",
                "01/12/2023",
                "S",
                "C1",
                "N2",
                "U1",
                "PR1",
                home_post="AB9 9JJ",
                pl_post="AB9 9KK",
            ),
        ],
        "uasc": [{"CHILD": "1003", "SEX": "1", "DOB": "01/09/2006", "DUC": "01/09/2024"}],
    },
}
# Another council in the pooled files, to be filtered out.
OTHER = {
    2023: {
        "header": [h("2001", "1", "03/03/2012", "WBRI")],
        "episodes": [e("2001", "01/04/2022", "S", "C2", "N1", "U1", "PR1")],
        "uasc": [],
    },
    2024: {
        "header": [h("2001", "1", "03/03/2012", "WBRI")],
        "episodes": [e("2001", "01/04/2022", "S", "C2", "N1", "U1", "PR1")],
        "uasc": [],
    },
}
DATE_COLUMNS = {"DOB", "MC_DOB", "DECOM", "DEC", "DUC"}


def rows_of(table: str, year: int, data=RETURN) -> list[list[str]]:
    return [[row.get(c, "") for c in COLUMNS[table]] for row in data[year][table]]


def iso(value: str) -> str:
    return f"{value[6:]}-{value[3:5]}-{value[:2]}" if value else ""


def write_csv(path: Path, columns: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(columns)] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- Writers, one per shape ---------------------------------------------------------------
def write_per_year_csv(root: Path) -> Path:
    borough = root / "northtown" / "ssda903"
    for year in RETURN:
        for table in COLUMNS:
            write_csv(borough / str(year) / f"{table}.csv", COLUMNS[table], rows_of(table, year))
    return borough


def write_pooled_csv(root: Path) -> Path:
    """LIIA-style pooled files: every year and two councils per table, LA and YEAR last."""
    folder = root / "pooled"
    for table, columns in COLUMNS.items():
        rows = []
        for la, data in (("Southtown", OTHER), ("Northtown", RETURN)):
            for year in data:
                for row in rows_of(table, year, data):
                    cells = [
                        iso(v) if c in DATE_COLUMNS else v
                        for c, v in zip(columns, row, strict=True)
                    ]
                    rows.append([*cells, la, str(year)])
        write_csv(folder / f"SSDA903_{table.title()}_merged.csv", [*columns, "LA", "YEAR"], rows)
    return folder


XML_EPISODE_FIELDS = [
    ("DECOM", "DECOM"),
    ("RNE", "RNE"),
    ("LS", "LS"),
    ("CIN", "CIN"),
    ("PL", "PLACE"),
    ("PL_POST", "PL_POST"),
    ("HOME_POST", "HOME_POST"),
    ("URN", "URN"),
    ("PLACE_PROVIDER", "PLACE_PROVIDER"),
    ("DEC", "DEC"),
    ("REC", "REC"),
    ("REASON_PLACE_CHANGE", "REASON_PLACE_CHANGE"),
]


def write_xml(root: Path) -> tuple[Path, dict[tuple[int, str, str], int]]:
    """The XML return, one element per line; also the line of each EPISODE element."""
    borough = root / "xml-borough"
    episode_lines: dict[tuple[int, str, str], int] = {}
    for year, data in RETURN.items():
        uasc = {row["CHILD"]: row["DUC"] for row in data["uasc"]}
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<EXPSSDA903>"]
        for child in data["header"]:
            lines += ["  <CHILD>", "    <HEADER>", f"      <CHILDID>{child['CHILD']}</CHILDID>"]
            lines += ["      <UPN></UPN>", f"      <SEX>{child['SEX']}</SEX>"]
            lines += [
                f"      <DOB>{child['DOB']}</DOB>",
                f"      <ETHNIC>{child['ETHNIC']}</ETHNIC>",
            ]
            if child["CHILD"] in uasc:
                lines += ["      <UASC>1</UASC>", f"      <DUC>{uasc[child['CHILD']]}</DUC>"]
            else:
                lines += ["      <UASC>0</UASC>"]
            lines += ["      <MOTHER/>", "      <MC_DOB/>", "    </HEADER>"]
            for episode in (r for r in data["episodes"] if r["CHILD"] == child["CHILD"]):
                episode_lines[(year, episode["CHILD"], episode["DECOM"])] = len(lines) + 1
                lines.append("    <EPISODE>")
                for tag, column in XML_EPISODE_FIELDS:
                    lines.append(f"      <{tag}>{episode.get(column, '')}</{tag}>")
                lines.append("    </EPISODE>")
            lines.append("  </CHILD>")
        lines.append("</EXPSSDA903>")
        path = borough / str(year) / "return.xml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return borough, episode_lines


def excel_value(column: str, value: str):
    """What Excel would hold: dates as dates, identifiers and numeric codes as numbers."""
    if value == "":
        return None
    if column in DATE_COLUMNS:
        return dt.datetime.strptime(value, "%d/%m/%Y")
    if value.isdigit():
        return float(value) if column == "CHILD" else int(value)  # 1001.0: Excel's number
    return value


def write_xlsx(root: Path) -> Path:
    """One workbook per year, sheets named arbitrarily, a blank row inside the Episodes."""
    borough = root / "excel-borough"
    names = {"header": "Children", "episodes": "Sheet2", "uasc": "asylum"}
    for year in RETURN:
        book = openpyxl.Workbook()
        book.remove(book.active)
        for table in ("episodes", "uasc", "header"):
            sheet = book.create_sheet(names[table])
            sheet.append(COLUMNS[table])
            for i, row in enumerate(rows_of(table, year)):
                if table == "episodes" and i == 1:
                    sheet.append([])  # a blank row: skipped, later rows keep their numbers
                sheet.append([excel_value(c, v) for c, v in zip(COLUMNS[table], row, strict=True)])
        book.create_sheet("Notes")  # an empty sheet: not read
        path = borough / str(year) / "903 return.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)
    return borough


def write_messy_csv(root: Path) -> Path:
    """Lower-case padded headers, shuffled columns, an extra column, blank lines, padding."""
    borough = root / "messy-borough"
    for year in RETURN:
        for table, columns in COLUMNS.items():
            order = list(reversed(columns))
            header = [f" {c.lower()} " for c in order] + ["Worker Notes"]
            lines = ["", ",".join(header)]  # a blank line before the header
            for i, row in enumerate(rows_of(table, year)):
                values = dict(zip(columns, row, strict=True))
                cells = [f" {values[c].lower() if c != 'CHILD' else values[c]} " for c in order]
                lines.append(",".join([*cells, "seen weekly"]))
                if i == 0:
                    lines.append(",,,")  # a line of commas only
            path = borough / str(year) / f"Export {table.upper()}.CSV"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    return borough


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> dict[str, dict]:
    """Each shape's path and the arguments that pick the borough's data."""
    root = tmp_path_factory.mktemp("shapes")
    xml_path, episode_lines = write_xml(root)
    return {
        "per-year CSV": {"path": write_per_year_csv(root), "la_value": None},
        "pooled CSV": {"path": write_pooled_csv(root), "la_value": "Northtown"},
        "XML": {"path": xml_path, "la_value": None, "episode_lines": episode_lines},
        "XLSX": {"path": write_xlsx(root), "la_value": None},
        "messy CSV": {"path": write_messy_csv(root), "la_value": None},
    }


def load(shape: dict):
    return load_borough(shape["path"], la="northtown", la_value=shape["la_value"])


SHAPES = ["pooled CSV", "XML", "XLSX", "messy CSV"]


def test_the_per_year_csv_return_is_read_as_worked_out_by_hand(shapes) -> None:
    result = load(shapes["per-year CSV"])
    episodes = result.episodes
    # 2023: 4 episodes; 2024: 5, of which 3 repeat a 2023 episode (1001's second, 1002's,
    # 1003's first) and replace it: 4 + 5 - 3 = 6 episodes.
    assert len(episodes) == 6
    assert episodes["CHILD"].tolist() == ["1001", "1001", "1002", "1003", "1003", "1004"]
    # The later return's record wins: 1001's second episode ended 01/08/2023 (E13).
    assert episodes.loc[1, "DEC"] == pd.Timestamp("2023-08-01") and episodes.loc[1, "REC"] == "E13"
    assert episodes.loc[1, ["collection_year", "source_file", "source_row"]].tolist() == [
        2024,
        "2024/episodes.csv",
        2,
    ]
    assert episodes["UASC"].tolist() == [False, False, False, True, True, False]
    assert result.report.rows_rejected == 0
    assert result.years == [2023, 2024]


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_gives_the_same_episode_table(shapes, shape: str) -> None:
    expected = load(shapes["per-year CSV"])
    result = load(shapes[shape])
    pd.testing.assert_frame_equal(
        result.episodes.drop(columns=SOURCE), expected.episodes.drop(columns=SOURCE)
    )
    pd.testing.assert_frame_equal(
        result.tables["header"].drop(columns=SOURCE),
        expected.tables["header"].drop(columns=SOURCE),
    )
    pd.testing.assert_frame_equal(
        result.tables["uasc"][["CHILD", "DUC", "collection_year"]],
        expected.tables["uasc"][["CHILD", "DUC", "collection_year"]],
    )
    assert result.years == [2023, 2024]
    assert result.report.rows_rejected == 0, result.report.issues
    assert not [i for i in result.report.issues if i.severity != "warning"]


def test_rows_point_back_to_where_they_are_in_each_shape(shapes) -> None:
    # Pooled: the second data line of the Episodes file is Southtown's 2024 row; Northtown's
    # first 2023 episode is on line 4 (header 1, Southtown 2023 and 2024 on lines 2 and 3).
    pooled = load(shapes["pooled CSV"]).episodes
    first = pooled.iloc[0]
    assert (first["source_file"], first["source_row"]) == ("SSDA903_Episodes_merged.csv", 4)
    assert pooled["la"].unique().tolist() == ["northtown"]
    # XML: each episode's row is the line of its EPISODE element.
    xml = load(shapes["XML"]).episodes
    lines = shapes["XML"]["episode_lines"]
    for row in xml.itertuples():
        decom = row.DECOM.strftime("%d/%m/%Y")
        assert row.source_row == lines[(row.collection_year, row.CHILD, decom)]
        assert row.source_file == f"{row.collection_year}/return.xml [Episodes]"
    # XLSX: sheet name and sheet row; the blank row 3 of 2024's sheet shifts nothing.
    xlsx = load(shapes["XLSX"]).episodes
    kept = xlsx.set_index(["collection_year", "CHILD"])["source_row"]
    assert (xlsx["source_file"].iloc[0], xlsx["source_row"].iloc[0]) == (
        "2023/903 return.xlsx [Sheet2]",
        2,
    )
    assert kept.loc[(2024, "1002")] == 4  # header row 1, 1001 row 2, blank row 3
    # Messy CSV: line numbers as a text editor shows them (blank line 1, header on line 2,
    # the commas-only line 4 skipped).
    messy = load(shapes["messy CSV"]).episodes
    assert messy.set_index(["collection_year", "CHILD"])["source_row"].loc[(2024, "1002")] == 5


def test_what_each_shape_reports(shapes) -> None:
    messy = load(shapes["messy CSV"])
    extra = [i for i in messy.report.issues if i.rule == "extra-columns"]
    # One warning per file (3 tables x 2 years), naming the column as written.
    assert len(extra) == 6 and {i.value for i in extra} == {"Worker Notes"}
    assert messy.extra_columns["episodes"]["WORKER_NOTES"].unique().tolist() == ["seen weekly"]
    pooled = load(shapes["pooled CSV"])
    assert pooled.la_value == "Northtown" and pooled.shapes == ["pooled CSV"]
    counts = pooled.report.counts_frame().set_index("file")
    # Northtown's rows only: 4 + 5 episodes, 3 + 4 headers, 1 + 1 UASC.
    assert counts["rows_read"].to_dict() == {
        "SSDA903_Header_merged.csv": 7,
        "SSDA903_Episodes_merged.csv": 9,
        "SSDA903_Uasc_merged.csv": 2,
    }
    xlsx = load(shapes["XLSX"])
    assert any("[Notes]" in note for note in xlsx.report.notes)


def indicators_output(shape: dict) -> str:
    args = ["indicators", str(shape["path"]), "--year", "2024"]
    if shape["la_value"]:
        args += ["--la", shape["la_value"]]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_mps_indicators_is_the_same_for_every_shape(shapes) -> None:
    expected = indicators_output(shapes["per-year CSV"])
    values = dict(line.split(",") for line in expected.strip().splitlines()[1:])
    # At 31 March 2024: 1002 (V2), 1003 (H5) and 1004 are looked after; 1001 left on
    # 01/08/2023. Started in 2023-24: 1004 only. Ceased: 1001 only. UASC: 1003.
    assert (values["cla_at_31_march"], values["starts"], values["ceases"]) == ("3", "1", "1")
    assert values["cla_uasc"] == "1"
    for shape in SHAPES:
        assert indicators_output(shapes[shape]) == expected, shape
