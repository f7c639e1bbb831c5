"""The data annex: one sheet per published table, a contents and a notes sheet, and CSVs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from mps.export.annex import (
    AnnexContext,
    AnnexTable,
    assign_csv_names,
    read_table,
    sheet_names,
    write_csvs,
    write_workbook,
)
from mps.tables import TableRegistry

CONTEXT = AnnexContext(
    area_name="Northtown",
    consortium_name="The Pair",
    edition="2026",
    version="1.0",
    publication_date=date(2026, 11, 23),
    years=[2024, 2025],
    documents=["Market Position Statement", "Sufficiency plan"],
)


def saved_tables(folder: Path) -> list[AnnexTable]:
    """Two tables as report.table() saves them: symbols, decimals, a rate."""
    registry = TableRegistry(folder)
    registry.save(
        "placement-mix",
        "Children looked after at 31 March by placement, Northtown",
        pd.DataFrame(
            {
                "Placement": ["Fostering", "Secure children's home", "All placements"],
                "2025": [40, "c", 52],
                "2025 %": [76.92307, "c", 100.0],
            }
        ),
        count_columns=["2025"],
        label_columns=["Placement"],
        decimals={"2025 %": 1},
        threshold=5,
    )
    registry.save(
        "children-looked-after",
        "Children looked after, starts and ceases, Northtown",
        pd.DataFrame({"Year": [2024, 2025], "Children": [1204, 1190], "Rate": [61.04, 60.55]}),
        count_columns=["Children"],
        label_columns=["Year"],
        decimals={"Rate": 1},
        notes="Rates use the mid-year population of the year before.",
        threshold=5,
    )
    tables = [
        read_table(folder, "placement-mix", "needs"),
        read_table(folder, "children-looked-after", "needs"),
    ]
    tables[0].numbers = {"Market Position Statement": 2, "Sufficiency plan": 1}
    tables[1].numbers = {"Market Position Statement": 1}
    assign_csv_names(tables)
    return tables


def same(value: object) -> object:
    """A cell as a number when it is one (100 and "100.0" are the same value), else text."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def test_values_are_numbers_rounded_as_shown_and_symbols_are_text(tmp_path: Path) -> None:
    mix, cla = saved_tables(tmp_path / "tables")
    values = mix.values()
    assert values["2025"].tolist() == [40, "c", 52]
    # 76.92307 is shown to 1 decimal place: 76.9. 100.0 stays a number, not "100.0".
    assert values["2025 %"].tolist() == [76.9, "c", 100.0]
    assert values["Placement"].tolist() == ["Fostering", "Secure children's home", "All placements"]
    # Years are labels made of whole numbers: kept as numbers (no "number stored as text").
    assert cla.values()["Year"].tolist() == [2024, 2025]
    assert cla.values()["Rate"].tolist() == [61.0, 60.5]  # 61.04 -> 61.0, 60.55 -> 60.5 (float)


def test_sheet_names_are_short_unique_and_valid() -> None:
    frame = pd.DataFrame({"a": [1]})
    long = "Children looked after at 31 March by placement type and year"
    tables = [
        AnnexTable("nb", "mix", "Placements [by type]: in/out*, Northtown", frame),
        AnnexTable("nb", "profile-age", long, frame),
        AnnexTable("nb", "a-name-far-too-long-for-any-excel-sheet-tab", long, frame),
        AnnexTable("nb", "d", "Contents", frame),
    ]
    names = sheet_names(tables, "Northtown")
    # Short titles (without the area's name) fit; long ones give way to the table's name.
    assert names[:2] == ["1 Placements by type in out", "2 Profile age"]
    assert names[2] == "3 A name far too long for any e"
    assert all(len(n) <= 31 for n in names)
    assert len({n.lower() for n in names}) == len(names)
    assert names[3] == "4 Contents"  # numbered, so never the contents sheet's own name


def test_workbook_reads_back_equal_to_the_csvs(tmp_path: Path) -> None:
    tables = saved_tables(tmp_path / "tables")
    workbook_path = write_workbook(tables, tmp_path / "annex.xlsx", CONTEXT)
    csvs = write_csvs(tables, tmp_path / "annex")
    assert [p.name for p in csvs] == ["placement-mix.csv", "children-looked-after.csv"]

    workbook = load_workbook(workbook_path)
    names = sheet_names(tables, "Northtown")
    assert workbook.sheetnames == ["Contents", "Notes", *names]
    contents = workbook["Contents"]
    assert contents["A1"].value == "Data annex: Northtown"
    assert contents["A5"].value == names[0] and contents["A5"].hyperlink.location is None
    assert contents["A5"].hyperlink.target == f"#'{names[0]}'!A1"
    assert [c.value for c in contents[5]][2:4] == ["Table 2", "Table 1"]
    assert [c.value for c in contents[6]][2:4] == ["Table 1", "not shown"]
    notes = {row[0]: row[1] for row in workbook["Notes"].iter_rows(min_row=4, values_only=True)}
    assert notes["Symbol c"].startswith(
        "Suppressed to protect confidentiality: a count from 1 to 5"
    )
    assert {"Symbol z", "Symbol x", "Symbol k", "Source 1"} <= set(notes)
    assert "collection years 2024 to 2025" in notes["Source 1"]
    assert "Note to Children looked after, starts and ceases, Northtown" in notes

    for table, name, csv in zip(tables, names, csvs, strict=True):
        sheet = workbook[name]
        assert sheet["A1"].value == table.title
        rows = list(sheet.iter_rows(values_only=True))
        header = next(i for i, r in enumerate(rows) if list(r[:3]) == list(table.frame.columns))
        body = pd.DataFrame(rows[header + 1 :], columns=list(table.frame.columns))
        expected = pd.read_csv(csv, dtype=object, keep_default_na=False)
        # Same values; the workbook has numbers where the CSV has their text.
        assert [[same(v) for v in row] for row in body.itertuples(index=False)] == [
            [same(v) for v in row] for row in expected.itertuples(index=False)
        ]
        assert len(sheet.tables) == 1  # an Excel table, so screen readers announce headers
    mix = workbook[names[0]]
    number_cell = next(c for c in mix["C"] if c.value == 76.9)
    assert number_cell.number_format == "#,##0.0"
    assert isinstance(next(c for c in mix["B"] if c.value == 40).value, int)


def test_the_same_tables_make_the_same_bytes(tmp_path: Path) -> None:
    tables = saved_tables(tmp_path / "tables")
    first = write_workbook(tables, tmp_path / "one.xlsx", CONTEXT).read_bytes()
    second = write_workbook(tables, tmp_path / "two.xlsx", CONTEXT).read_bytes()
    assert first == second
    write_csvs(tables, tmp_path / "a")
    write_csvs(tables, tmp_path / "b")
    for name in ("placement-mix.csv", "children-looked-after.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
