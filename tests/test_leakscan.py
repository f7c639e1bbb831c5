"""The leak scan: identifiers, dates of birth and postcodes from the inputs, small counts.

Each test plants values by hand and says what the scan must and must not find.
"""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from mps import leakscan
from mps.leakscan import (
    ChildIdentifiers,
    Scanner,
    TableDescription,
    collect_identifiers,
    scan_folder,
)

IDS = ChildIdentifiers.of(
    ids=["1007544", "CH-00123"],
    upns=["A123456789012"],
    dates_of_birth=[date(2012, 3, 3), date(2019, 3, 31)],
    postcodes=["ZA6 5HQ"],
)


def found(text: str, scanner: Scanner | None = None) -> list[str]:
    return [f.what.split(" (")[0] for f in (scanner or Scanner(IDS)).text(text, "f", "w")]


def test_identifiers_are_found_as_whole_tokens_in_any_case() -> None:
    assert found("Child 1007544 moved.") == ["a child identifier"]
    assert found("ref ch-00123, see") == ["a child identifier"]
    assert found("pupil a123456789012") == ["a UPN"]
    # Part of a longer number or word is not the identifier.
    assert found("21007544 and 10075445 and XCH-00123") == []
    # Thousands separators break a number into tokens: 1,007,544 is a quantity.
    assert found("spend of £1,007,544") == []


@pytest.mark.parametrize(
    "text",
    ["03/03/2012", "3/3/2012", "2012-03-03", "3 March 2012", "03 Mar 2012", "3rd March 2012",
     "March 3, 2012", "Mar 3 2012", "born 2012-03-03T00:00:00"],
)  # fmt: skip
def test_a_date_of_birth_is_found_however_it_is_written(text: str) -> None:
    assert found(text) == ["a date of birth"]


def test_dates_that_are_not_a_childs_birth_date_pass() -> None:
    # 31 March is a reporting date every document names, even when a child was born on it;
    # the publication date and authored dates are allowed; other dates are no DOB here.
    scanner = Scanner(IDS, allowed_dates=[date(2012, 3, 3)])
    assert found("at 31 March 2019, 31/03/2019", scanner) == []
    assert found("published 3 March 2012", scanner) == []
    assert found("4 March 2012, 2012, March 2012") == []
    # A count in one table cell and a month in the next are not a date.
    assert found("3\nMarch 2012") == []


def test_postcodes_are_found_with_or_without_the_space() -> None:
    assert found("lives at za6 5hq") == ["a postcode"]
    assert found("ZA65HQ") == ["a postcode"]
    assert found("ZA6 5 and ZA6") == []  # a sector or district is not a full postcode


def test_short_identifiers_are_not_scanned_and_are_counted() -> None:
    # UN1..UN10 (no-UPN reasons) and 4-digit numbers (years) cannot be told from text.
    ids = ChildIdentifiers.of(ids=["2021", "ABC1", "12345"], upns=["UN1"])
    assert sorted(ids.ids) == ["12345", "ABC1"]
    assert ids.ignored == {"id": 1, "upn": 1}
    assert "too short to scan for" in ids.summary()


def table(description: dict, frame: pd.DataFrame) -> list[str]:
    return [f.what for f in Scanner(IDS).table(frame, "t.csv", "table", **description)]


def test_small_counts_are_found_in_count_columns_only() -> None:
    frame = pd.DataFrame(
        {"Placement": ["A", "B", "All"], "Children": ["12", "c", "3"], "Net change": [3, 2, 5]}
    )
    what = table(
        dict(count_columns=["Children"], label_columns=["Placement"], threshold=5, round_to=None),
        frame,
    )
    # Only the 3 in the count column: derived columns may hold small values.
    assert what == ["column 'Children', row 3 (index 2): '3' is a count from 1 to 5"]


def test_rounded_counts_may_be_small_multiples() -> None:
    frame = pd.DataFrame({"Area": ["X", "Y"], "Children": [5, 7]})
    what = table(
        dict(count_columns=["Children"], label_columns=["Area"], threshold=5, round_to=5), frame
    )
    # 5 stands for 3 to 7 when counts are rounded to 5; 7 is not rounded at all.
    assert what == ["column 'Children', row 2 (index 1): 7 is not rounded to 5"]


def test_identifiers_in_label_cells_are_found_even_with_separators() -> None:
    frame = pd.DataFrame({"Reference": ["1,007,544"], "Children": [12]})
    what = table(
        dict(count_columns=["Children"], label_columns=["Reference"], threshold=5, round_to=None),
        frame,
    )
    assert [w.split(" (")[0] for w in what] == ["a child identifier"]


def test_collect_identifiers_reads_identifying_columns_of_every_input(tmp_path: Path) -> None:
    borough = tmp_path / "northtown"
    (borough / "ssda903" / "2025").mkdir(parents=True)
    (borough / "ssda903" / "2025" / "header.csv").write_text(
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
        "1007544,1,03/03/2012,WBRI,A123456789012,1,14/02/2030\n"
        "2000001,2,,WBRI,UN2,,\n",
        encoding="cp1252",
    )
    (borough / "referrals.csv").write_text(
        "referral_id,CHILD,date_requested\nREF-000042,1007544,01/02/2025\n", encoding="utf-8"
    )
    pd.DataFrame(
        {"CHILD": ["3000003"], "HOME_POST": ["ZA6 5HQ"], "DOB": [pd.Timestamp("2010-01-02")]}
    ).to_parquet(tmp_path / "episodes.parquet")
    ids = collect_identifiers([borough, tmp_path / "episodes.parquet"], relative_to=tmp_path)
    assert sorted(ids.ids) == ["1007544", "2000001", "3000003", "REF-000042"]
    assert sorted(ids.upns) == ["A123456789012"]  # UN2 is a reason code, too short
    assert sorted(ids.dates_of_birth) == [date(2010, 1, 2), date(2012, 3, 3), date(2030, 2, 14)]
    assert sorted(ids.postcodes) == ["ZA65HQ"]
    assert ids.ids["REF-000042"] == "northtown/referrals.csv, column REFERRAL_ID"
    assert ids.upns["A123456789012"] == "northtown/ssda903/2025/header.csv, column UPN"
    with pytest.raises(FileNotFoundError, match="not found for the leak scan"):
        collect_identifiers([tmp_path / "missing"])


def _forget_in_process() -> None:
    """As if in another process: nothing remembered but what is on disk."""
    leakscan._collected.cache_clear()
    leakscan._file_identifiers.cache_clear()


def test_identifiers_noted_once_are_shared_through_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    borough = tmp_path / "northtown"
    borough.mkdir()
    header = borough / "header.csv"
    header.write_text("CHILD,DOB\n1007544,03/03/2012\n", encoding="utf-8")
    (borough / "referrals.csv").write_text("referral_id\nREF-000042\n", encoding="utf-8")
    cache = tmp_path / "cache"
    first = collect_identifiers([borough], relative_to=tmp_path, cache_dir=cache)
    assert len(list(cache.glob("*.json"))) == 2  # one record a file
    _forget_in_process()
    read = leakscan._read_identifiers
    monkeypatch.setattr(leakscan, "_read_identifiers", lambda path: pytest.fail(f"read {path}"))
    again = collect_identifiers([borough], relative_to=tmp_path, cache_dir=cache)
    assert (
        again.ids
        == first.ids
        == {
            "1007544": "northtown/header.csv, column CHILD",
            "REF-000042": "northtown/referrals.csv, column REFERRAL_ID",
        }
    )
    assert again.dates_of_birth == {date(2012, 3, 3): "northtown/header.csv, column DOB"}

    # A changed file is read again (its size and time are in its record); the other not.
    reads: list[str] = []
    monkeypatch.setattr(
        leakscan, "_read_identifiers", lambda path: reads.append(path.name) or read(path)
    )
    header.write_text("CHILD,DOB\n2000001,04/04/2013\n", encoding="utf-8")
    _forget_in_process()
    changed = collect_identifiers([borough], cache_dir=cache)
    assert reads == ["header.csv"]
    assert sorted(changed.ids) == ["2000001", "REF-000042"]
    # A damaged record is not trusted: the file is read again and the record rewritten.
    for record in cache.glob("*.json"):
        record.write_text("{not json", encoding="utf-8")
    _forget_in_process()
    assert sorted(collect_identifiers([borough], cache_dir=cache).ids) == ["2000001", "REF-000042"]
    assert sorted(reads) == ["header.csv", "header.csv", "referrals.csv"]
    assert not list(cache.glob("*.partial"))


def test_scan_folder_reads_every_format_and_refuses_unknown_files(tmp_path: Path) -> None:
    description = TableDescription(
        name="mix",
        columns=("Placement", "Children"),
        count_columns=("Children",),
        label_columns=("Placement",),
        threshold=5,
        round_to=None,
        csv_name="mix.csv",
    )
    (tmp_path / "doc.html").write_text(
        '<html><body><p>Fine</p><img alt="Child 1007544 in care" src="data:image/png;base64,'
        'MTAwNzU0NA=="></body></html>',
        encoding="utf-8",
    )
    pd.DataFrame({"Placement": ["A"], "Children": [4]}).to_csv(tmp_path / "mix.csv", index=False)
    with zipfile.ZipFile(tmp_path / "doc.docx", "w") as docx:
        # Word splits "ZA6 5HQ" into two runs; the scan joins a paragraph's runs.
        docx.writestr(
            "word/document.xml",
            "<w:document><w:p><w:r><w:t>ZA6 </w:t></w:r><w:r><w:t>5HQ</w:t></w:r></w:p>"
            "</w:document>",
        )
    (tmp_path / "notes.bin").write_bytes(b"\x00")
    findings = scan_folder(tmp_path, Scanner(IDS), tables=[description])
    described = sorted((f.file, f.where.split(" (")[0], f.what.split(" (")[0]) for f in findings)
    assert described == [
        ("doc.docx", "word/document.xml", "a postcode"),
        ("doc.html", "attributes", "a child identifier"),  # the alt text, not the image data
        ("mix.csv", "table", "column 'Children', row 1"),
        ("notes.bin", "file", "a .bin file the leak scan cannot read"),
    ]
    assert "'4' is a count from 1 to 5" in findings[2].what


def test_identifiers_are_read_from_903_xml_returns_and_workbooks(tmp_path: Path) -> None:
    (tmp_path / "return.xml").write_text(
        "<Message><Children><Child><Header><CHILD>XML000042</CHILD><UPN>B123456789012</UPN>"
        "<DOB>2011-05-06</DOB></Header><Episodes><Episode><HOME_POST>ZA6 5HQ</HOME_POST>"
        "</Episode></Episodes></Child></Children></Message>",
        encoding="utf-8",
    )
    pd.DataFrame({"Child ID": ["XLS000043"], "weekly_cost": [900]}).to_excel(
        tmp_path / "spend.xlsx", index=False
    )
    ids = collect_identifiers([tmp_path])
    assert sorted(ids.ids) == ["XLS000043", "XML000042"]
    assert list(ids.upns) == ["B123456789012"]
    assert list(ids.dates_of_birth) == [date(2011, 5, 6)]
    assert list(ids.postcodes) == ["ZA65HQ"]
