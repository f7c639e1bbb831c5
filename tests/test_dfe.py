"""Reading DfE explore-education-statistics tables (mps.data.dfe) on small hand-made files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mps.data.dfe import CLA_AT_31_MARCH, la_series, local_authorities, read_published_table
from mps.data.validation import FatalValidationError

HEADER = (
    "time_period,time_identifier,geographic_level,country_code,new_la_code,old_la_code,"
    "la_name,population_count,number"
)
STARTS = "Children starting to be looked after each year"


def _write(tmp_path: Path, lines: list[str], name: str = "cla.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _row(year: str, code: str, name: str, number: str, measure: str = CLA_AT_31_MARCH,
         level: str = "Local authority") -> str:  # fmt: skip
    return f"{year},Reporting year,{level},E92000001,{code},805,{name},{measure},{number}"


def test_reads_one_measure_with_symbols_as_nan(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            HEADER,
            _row("2022", "E06000001", "Hartlepool", "176"),
            _row("2023", "E06000001", "Hartlepool", "c"),
            _row("2022", "E06000001", "Hartlepool", "40", measure=STARTS),  # other measure
            _row("2022", "E09000001", "City of London", "x"),
            _row("2023", "E09000001", "City of London", ""),
            _row("2024", "E09000001", "City of London", "z"),
            _row("2023", "", "England", '"83,840"', level="National"),
        ],
    )
    table = read_published_table(path)
    assert list(table.columns) == [
        "new_la_code", "la_name", "geographic_level", "year", "number", "symbol",
        "population_estimate", "source_row",
    ]  # fmt: skip
    las = local_authorities(table)
    assert las["new_la_code"].tolist() == ["E06000001"] * 2 + ["E09000001"] * 3
    assert las["year"].tolist() == [2022, 2023, 2022, 2023, 2024]
    assert las["number"].iloc[0] == 176.0
    assert las["number"].iloc[1:].isna().all()
    assert las["symbol"].tolist() == ["", "c", "x", "", "z"]
    # The file's lines (header = 1): the starts row (line 4) is not the measure.
    assert las["source_row"].tolist() == [2, 3, 5, 6, 7]
    national = table[table["geographic_level"] == "National"]
    assert national["number"].tolist() == [83840.0]  # thousands separator read
    assert national["new_la_code"].isna().all()
    assert table["population_estimate"].isna().all()  # no such column in the file


def test_financial_years_and_population_estimate(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            "time_period,geographic_level,new_la_code,la_name,population_count,number,"
            "population_estimate",
            f"202122,Local authority,E06000002,Middlesbrough,{CLA_AT_31_MARCH},600,35000",
            f"2022/23,Local authority,E06000002,Middlesbrough,{CLA_AT_31_MARCH},610,",
        ],
    )
    table = read_published_table(path)
    assert table["year"].tolist() == [2022, 2023]
    assert table["population_estimate"].iloc[0] == 35000.0
    assert np.isnan(table["population_estimate"].iloc[1])


def test_la_series_keeps_missing_years_and_cuts_at_last_year(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            HEADER,
            _row("2019", "E06000001", "Hartlepool", "100"),
            _row("2021", "E06000001", "Hartlepool", "120"),  # 2020 missing from the file
            _row("2022", "E06000001", "Hartlepool", "130"),
            _row("2019", "E06000002", "Middlesbrough", "200"),
        ],
    )
    wide = la_series(read_published_table(path), last_year=2021)
    assert list(wide.columns) == [2019, 2020, 2021]
    assert wide.loc["E06000001"].tolist()[0] == 100.0
    assert np.isnan(wide.loc["E06000001", 2020])
    assert wide.loc["E06000001", 2021] == 120.0
    assert np.isnan(wide.loc["E06000002", 2021])


@pytest.mark.parametrize(
    ("line", "column", "value", "expected"),
    [
        (_row("2023", "E06000001", "Hartlepool", "twelve"), "number", "twelve", "a number"),
        (_row("2023", "E06000001", "Hartlepool", "-3"), "number", "-3", "a number of 0"),
        (_row("23", "E06000001", "Hartlepool", "5"), "time_period", "23", "a year"),
        (_row("2023", "806", "Hartlepool", "5"), "new_la_code", "806", "ONS code"),
    ],
)
def test_bad_values_name_file_line_column_value(
    tmp_path: Path, line: str, column: str, value: str, expected: str
) -> None:
    path = _write(tmp_path, [HEADER, _row("2022", "E06000001", "Hartlepool", "176"), line])
    with pytest.raises(FatalValidationError) as caught:
        read_published_table(path)
    issue = caught.value.issue
    assert (issue.file, issue.row, issue.column, issue.value) == (str(path), 3, column, value)
    assert expected in issue.expected


def test_missing_column_missing_measure_and_duplicates(tmp_path: Path) -> None:
    no_number = _write(tmp_path, [HEADER.replace(",number", ",value"), "x"], "a.csv")
    with pytest.raises(FatalValidationError, match="column number"):
        read_published_table(no_number)

    other = _write(tmp_path, [HEADER, _row("2023", "E06000001", "H", "5", STARTS)], "b.csv")
    with pytest.raises(FatalValidationError, match="measures found: 'Children starting"):
        read_published_table(other)

    twice = _write(
        tmp_path,
        [HEADER, _row("2023", "E06000001", "H", "5"), _row("2023", "E06000001", "H", "6")],
        "c.csv",
    )
    with pytest.raises(FatalValidationError) as caught:
        read_published_table(twice)
    assert caught.value.issue.row == 3
    assert "line 2 has the same area" in caught.value.issue.expected

    with pytest.raises(FatalValidationError, match="missing-file"):
        read_published_table(tmp_path / "nowhere.csv")


def test_measure_matched_ignoring_case(tmp_path: Path) -> None:
    path = _write(tmp_path, [HEADER, _row("2023", "E06000001", "H", "7", STARTS.upper())])
    table = read_published_table(path, measure=STARTS)
    assert table["number"].tolist() == [7.0]
    assert isinstance(table, pd.DataFrame)
