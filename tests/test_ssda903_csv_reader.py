"""The encoding-robust CSV reader under the 903 ingestion."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from mps.data.csv_reader import CsvReadError, normalise_column, read_csv_strings


def write_bytes(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "file.csv"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("CHILD,NOTE\r\nA,Café\r\n".encode(), "utf-8-sig"),
        (codecs.BOM_UTF8 + "CHILD,NOTE\nA,Café\n".encode(), "utf-8-sig"),
        ("CHILD,NOTE\nA,Café\n".encode("cp1252"), "cp1252"),
        ("CHILD,NOTE\nA,Café\n".encode("utf-16"), "utf-16"),  # with its BOM
    ],
)
def test_encodings(tmp_path: Path, data: bytes, encoding: str) -> None:
    table = read_csv_strings(write_bytes(tmp_path, data))
    assert table.encoding == encoding
    assert table.columns == ["CHILD", "NOTE"]  # no BOM left on CHILD
    assert table.frame["NOTE"].tolist() == ["Café"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_non_ascii_header_spanning_two_lines(tmp_path: Path, encoding: str) -> None:
    # The body is read from the bytes after the header, so the header's length in bytes
    # (2 for é in UTF-8, 1 in Windows-1252, plus a BOM) must be counted right.
    text = 'CHILD,"Équipe\nnote"\nA,Café\n\nB,thé\n'
    table = read_csv_strings(write_bytes(tmp_path, text.encode(encoding)))
    assert table.columns == ["CHILD", "ÉQUIPE_NOTE"]
    assert table.frame.to_dict("list") == {"CHILD": ["A", "B"], "ÉQUIPE_NOTE": ["Café", "thé"]}
    assert table.line.tolist() == [3, 5]


def test_bytes_undefined_in_windows_1252_fall_back_to_latin_1(tmp_path: Path) -> None:
    # 0x81 is undefined in Windows-1252 and invalid UTF-8; Latin-1 reads it as U+0081.
    table = read_csv_strings(write_bytes(tmp_path, b"CHILD,NOTE\nA,x\x81y\n"))
    assert table.encoding == "latin-1"
    assert table.frame["NOTE"].tolist() == ["x\x81y"]


def test_line_numbers_skip_blank_lines_without_shifting(tmp_path: Path) -> None:
    data = b"\r\nCHILD , Sex\r\nA,1\r\n\r\n , \r\nB,2\r\n,\r\n"
    table = read_csv_strings(write_bytes(tmp_path, data))
    # Line 1 blank, header on line 2, A on 3, blank 4, spaces-and-comma 5, B on 6, comma 7.
    assert table.raw_columns == ["CHILD ", " Sex"]
    assert table.columns == ["CHILD", "SEX"]
    assert table.frame.to_dict("list") == {"CHILD": ["A", "B"], "SEX": ["1", "2"]}
    assert table.line.tolist() == [3, 6]
    assert table.blank_lines == 3


def test_values_are_strings_stripped_and_never_converted(tmp_path: Path) -> None:
    table = read_csv_strings(write_bytes(tmp_path, b"CHILD,DOB,N\n007 ,01/02/2010,NA\n"))
    assert table.frame.iloc[0].tolist() == ["007", "01/02/2010", "NA"]


def test_more_values_than_columns(tmp_path: Path) -> None:
    with pytest.raises(CsvReadError) as caught:
        read_csv_strings(write_bytes(tmp_path, b"A,B\n1,2\n3,4,5\n"))
    assert (caught.value.line, caught.value.value) == (3, "5")
    # Surplus on the first data row takes pandas' other route: still caught.
    with pytest.raises(CsvReadError) as caught:
        read_csv_strings(write_bytes(tmp_path, b"A,B\n1,2,3\n4,5\n"))
    assert (caught.value.line, caught.value.value) == (2, "3")


def test_duplicate_column_names(tmp_path: Path) -> None:
    with pytest.raises(CsvReadError) as caught:
        read_csv_strings(write_bytes(tmp_path, b"CHILD,Child\n1,2\n"))
    assert caught.value.line == 1
    assert "CHILD" in caught.value.message


def test_empty_file_has_no_header(tmp_path: Path) -> None:
    table = read_csv_strings(write_bytes(tmp_path, b"\n \n"))
    assert not table.has_header
    assert table.frame.empty


def test_usecols_reads_only_the_named_columns(tmp_path: Path) -> None:
    table = read_csv_strings(
        write_bytes(tmp_path, b"pcd,other,oseast1m\nAB1 2CD,x,1\n"), usecols=["PCD", "OSEAST1M"]
    )
    assert table.columns == ["PCD", "OSEAST1M"]
    assert table.frame.iloc[0].tolist() == ["AB1 2CD", "1"]


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        (" child ", "CHILD"),
        ("Place Provider", "PLACE_PROVIDER"),
        ("PLACE_ PROVIDER", "PLACE_PROVIDER"),
        ("place__provider", "PLACE_PROVIDER"),
        ("\ufeffCHILD", "CHILD"),
    ],
)
def test_normalise_column(raw: str, normalised: str) -> None:
    assert normalise_column(raw) == normalised
