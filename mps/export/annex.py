"""The data annex: every table the area's documents publish, as XLSX and as CSV.

The tables come from the build's tables folder (written by :class:`mps.tables.TableRegistry`
after disclosure control), in the order the documents show them. The workbook follows the
Analysis Function's guidance on releasing statistics in spreadsheets: a contents sheet, a
notes sheet (definitions, sources, the suppression symbols), one sheet per table with its
title in cell A1 and the table as an Excel table (a named header row); numbers are numbers
(rounded as the document shows them) and the symbols ``c``, ``z``, ``x`` and ``k`` are text.
The CSV files hold the same values.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from mps.disclosure import SYMBOLS

#: Excel's limit on sheet names, and the characters it refuses in them.
SHEET_NAME_LIMIT = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_NUMBER = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$")
_INTEGER = re.compile(r"^-?(0|[1-9][0-9]*)$")
DEFAULT_DECIMALS = 1  # as mps.tables.table_html shows a number without a stated precision

SYMBOL_MEANINGS = (
    ("c", "Suppressed to protect confidentiality: a count from 1 to {threshold}, a cell "
          "suppressed so that it cannot be worked out from a total, or a percentage or rate "
          "calculated from a suppressed count."),
    ("z", "Not applicable."),
    ("x", "Not available."),
    ("k", "A number that rounds to zero but is not zero."),
)  # fmt: skip

#: Definitions shown in the notes sheet when a published table uses the term.
DEFINITIONS = {
    "Children looked after at 31 March": (
        "Children looked after by the local authority on 31 March, counted once each, as in "
        "the Department for Education's statistics. Children looked after only under a series "
        "of short breaks (legal status V3 or V4) are not counted."
    ),
    "Starts": "Children who started to be looked after during the year (1 April to 31 March).",
    "Ceases": "Children who stopped being looked after during the year.",
    "Net change": "Starts minus ceases.",
    "Rate per 10,000 children": (
        "Children looked after at 31 March per 10,000 children aged 0 to 17 in the area's "
        "population (ONS mid-year estimate for the previous year)."
    ),
    "Placement": (
        "The type of placement at 31 March. Foster placements with approved carers who are "
        "not family or friends are in-house when the council approved the carers and with an "
        "independent fostering agency (IFA) otherwise."
    ),
}

SOURCES = (
    "SSDA903 children looked after returns of the member councils to the Department for "
    "Education, collection years {years}.",
    "Office for National Statistics: mid-year population estimates, children aged 0 to 17.",
    "Councils' placement spend, placement requests and needs assessments, where a table says so.",
)


class AnnexError(ValueError):
    """A published table cannot be put in the annex (its files are missing or unreadable)."""


@dataclass
class AnnexTable:
    """One published table: where it came from, what it holds and where the documents show it."""

    notebook: str
    name: str
    title: str
    frame: pd.DataFrame
    count_columns: tuple[str, ...] = ()
    label_columns: tuple[str, ...] = ()
    decimals: dict[str, int] = field(default_factory=dict)
    threshold: int | None = None
    round_to: int | None = None
    notes: str | None = None
    source: Path | None = None
    #: document title -> the table's number in that document
    numbers: dict[str, int] = field(default_factory=dict)
    csv_name: str = ""

    def values(self) -> pd.DataFrame:
        """The table as the annex publishes it: numbers as numbers, rounded as the document
        shows them, symbols and labels as text, blanks as None."""
        columns = {}
        for column in self.frame.columns:
            text = self.frame[column]
            if column in self.label_columns and not text[text != ""].str.match(_INTEGER).all():
                columns[column] = [v if v != "" else None for v in text]
                continue
            places = self.decimals.get(column, DEFAULT_DECIMALS)
            columns[column] = [_number(v, places) for v in text]
        return pd.DataFrame(columns, columns=self.frame.columns, dtype=object)


def _number(text: str, places: int) -> object:
    if text == "":
        return None
    if text in SYMBOLS or not _NUMBER.match(text):
        return text
    if _INTEGER.match(text):
        return int(text)
    value = round(float(text), places)
    return int(value) if places == 0 else value


def read_table(tables_dir: Path, name: str, notebook: str) -> AnnexTable:
    """Read a published table and its description from the build's tables folder."""
    csv_path, meta_path = tables_dir / f"{name}.csv", tables_dir / f"{name}.json"
    if not csv_path.is_file() or not meta_path.is_file():
        raise AnnexError(
            f"{notebook}: table {name!r} is in the document but "
            f"{csv_path if not csv_path.is_file() else meta_path} is missing (show tables "
            "with report.table(), and rebuild the area)"
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as error:
        raise AnnexError(f"{csv_path}: cannot read the published table: {error}") from error
    return AnnexTable(
        notebook=notebook,
        name=name,
        title=str(meta.get("title") or name),
        frame=frame,
        count_columns=tuple(meta.get("count_columns") or ()),
        label_columns=tuple(meta.get("label_columns") or ()),
        decimals={str(k): int(v) for k, v in (meta.get("decimals") or {}).items()},
        threshold=meta.get("threshold"),
        round_to=meta.get("round_to"),
        notes=meta.get("notes"),
        source=csv_path,
    )


def _short_title(title: str, area_name: str) -> str:
    suffix = f", {area_name}"
    return title[: -len(suffix)] if title.endswith(suffix) else title


def sheet_names(tables: Sequence[AnnexTable], area_name: str = "") -> list[str]:
    """A valid, unique Excel sheet name for each table: its number and its short title
    when that fits in 31 characters, else its name ("3 Profile age"); the full title is in
    cell A1 and on the contents sheet."""
    names: list[str] = []
    used = {"contents", "notes"}
    for index, table in enumerate(tables, start=1):
        title = f"{index} {_short_title(table.title, area_name)}"
        if len(title) > SHEET_NAME_LIMIT:
            words = re.sub(r"[-_]+", " ", table.name).strip()
            title = f"{index} {words[:1].upper()}{words[1:]}"
        base = re.sub(r"\s+", " ", _SHEET_FORBIDDEN.sub(" ", title)).strip().strip("'")
        name = base[:SHEET_NAME_LIMIT].rstrip()
        suffix = 2
        while name.lower() in used:
            tail = f" ({suffix})"
            name, suffix = base[: SHEET_NAME_LIMIT - len(tail)].rstrip() + tail, suffix + 1
        used.add(name.lower())
        names.append(name)
    return names


def assign_csv_names(tables: Sequence[AnnexTable]) -> None:
    """``<name>.csv``, or ``<notebook>-<name>.csv`` when two notebooks use one name."""
    counts: dict[str, int] = {}
    for table in tables:
        counts[table.name] = counts.get(table.name, 0) + 1
    for table in tables:
        stem = table.name if counts[table.name] == 1 else f"{table.notebook}-{table.name}"
        table.csv_name = f"{stem}.csv"


def write_csvs(tables: Iterable[AnnexTable], folder: Path) -> list[Path]:
    """Write each table's annex values as UTF-8 CSV into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables:
        path = folder / table.csv_name
        table.values().to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        written.append(path)
    return written


@dataclass(frozen=True)
class AnnexContext:
    """What the contents and notes sheets say about the publication."""

    area_name: str
    consortium_name: str
    edition: str
    version: str
    publication_date: date
    years: Sequence[int] = ()
    documents: Sequence[str] = ()


def _number_format(places: int) -> str:
    return "#,##0" if places == 0 else "#,##0." + "0" * places


def _column_width(values: Iterable[object], header: str) -> float:
    longest = max(
        [len(str(header))] + [len(f"{v:,}" if isinstance(v, int) else str(v)) for v in values]
    )
    return min(max(longest + 2, 8), 60)


def _add_table(sheet, first_row: int, columns: int, rows: int, display_name: str) -> None:
    """Mark the header row at ``first_row`` and the ``rows`` below it as an Excel table."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    ref = f"A{first_row}:{get_column_letter(columns)}{first_row + max(rows, 1)}"
    table = Table(displayName=display_name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
    sheet.add_table(table)


def _display_name(index: int, name: str) -> str:
    return f"Table_{index}_" + re.sub(r"[^A-Za-z0-9_]", "_", name)


def write_workbook(tables: Sequence[AnnexTable], target: Path, context: AnnexContext) -> Path:
    """Write the annex workbook: contents, notes, then one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    heading, bold = Font(bold=True, size=14), Font(bold=True)
    workbook = Workbook()
    contents = workbook.active
    contents.title = "Contents"
    names = sheet_names(tables, context.area_name)
    published = context.publication_date.strftime("%d %B %Y").lstrip("0")

    contents["A1"] = f"Data annex: {context.area_name}"
    contents["A1"].font = heading
    contents["A2"] = (
        f"{context.consortium_name}. Edition {context.edition}, version {context.version}, "
        f"published {published}. The tables of the "
        + " and the ".join(context.documents or ["documents"])
        + ", after disclosure control. Symbols and definitions are on the Notes sheet."
    )
    header = ["Sheet", "Table", *(f"In the {d}" for d in context.documents), "CSV file"]
    contents.append([])
    start = 4
    for column, text in enumerate(header, start=1):
        contents.cell(start, column, text).font = bold
    for row, (table, sheet) in enumerate(zip(tables, names, strict=True), start=start + 1):
        link = contents.cell(row, 1, sheet)
        link.hyperlink = f"#'{sheet}'!A1"
        link.style = "Hyperlink"
        contents.cell(row, 2, table.title)
        for offset, document in enumerate(context.documents, start=3):
            number = table.numbers.get(document)
            contents.cell(row, offset, f"Table {number}" if number else "not shown")
        contents.cell(row, len(header), f"data-annex/{table.csv_name}")
    if tables:
        _add_table(contents, start, len(header), len(tables), "Contents")
    for column, width in enumerate([34, 70, *([22] * len(context.documents)), 40], start=1):
        contents.column_dimensions[get_column_letter(column)].width = width

    notes = workbook.create_sheet("Notes")
    notes["A1"] = "Notes: symbols, definitions and sources"
    notes["A1"].font = heading
    threshold = next((t.threshold for t in tables if t.threshold), None) or 5
    rounded = sorted({t.round_to for t in tables if t.round_to})
    rows = [(f"Symbol {s}", text.format(threshold=threshold)) for s, text in SYMBOL_MEANINGS]
    if rounded:
        rows.append(
            ("Rounding", "Counts are rounded to the nearest "
             + " or ".join(str(r) for r in rounded)
             + " (halves upwards); totals are rounded from their own unrounded values, so "
             "they may differ from the sum of the rounded parts.")
        )  # fmt: skip
    used_terms = {c for t in tables for c in t.frame.columns} | {t.title for t in tables}
    rows += [(term, text) for term, text in DEFINITIONS.items() if term in used_terms]
    years = f"{min(context.years)} to {max(context.years)}" if context.years else "as stated"
    rows += [(f"Source {i}", text.format(years=years)) for i, text in enumerate(SOURCES, 1)]
    rows += [(f"Note to {t.title}", t.notes) for t in tables if t.notes]
    notes.cell(3, 1, "Term").font = bold
    notes.cell(3, 2, "Meaning").font = bold
    for row, (term, text) in enumerate(rows, start=4):
        notes.cell(row, 1, term).alignment = Alignment(vertical="top", wrap_text=True)
        notes.cell(row, 2, text).alignment = Alignment(vertical="top", wrap_text=True)
    _add_table(notes, 3, 2, len(rows), "Notes")
    notes.column_dimensions["A"].width = 34
    notes.column_dimensions["B"].width = 100

    for index, (table, sheet_name) in enumerate(zip(tables, names, strict=True), start=1):
        sheet = workbook.create_sheet(sheet_name)
        values = table.values()
        shown = "; ".join(f"{doc}: table {n}" for doc, n in table.numbers.items())
        sheet["A1"] = table.title
        sheet["A1"].font = heading
        sheet["A2"] = f"{context.area_name}. Shown in the {shown}." if shown else context.area_name
        sheet["A3"] = "Symbols, definitions and sources are on the Notes sheet."
        first = 4
        if table.notes:
            sheet["A4"] = table.notes
            first = 5
        for column, text in enumerate(values.columns, start=1):
            sheet.cell(first, column, str(text)).font = bold
        for row_number, row in enumerate(values.itertuples(index=False), start=first + 1):
            for column_number, (column, value) in enumerate(
                zip(values.columns, row, strict=True), start=1
            ):
                cell = sheet.cell(row_number, column_number, value)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    places = table.decimals.get(column, DEFAULT_DECIMALS)
                    cell.number_format = _number_format(0 if isinstance(value, int) else places)
                elif value in SYMBOLS:
                    cell.alignment = Alignment(horizontal="right")
        _add_table(sheet, first, len(values.columns), len(values), _display_name(index, table.name))
        sheet.freeze_panes = sheet.cell(first + 1, 1)
        for column_number, column in enumerate(values.columns, start=1):
            width = _column_width(values[column].dropna(), column)
            sheet.column_dimensions[get_column_letter(column_number)].width = width

    stamp = datetime.combine(context.publication_date, datetime.min.time())
    workbook.properties.created = workbook.properties.modified = stamp
    workbook.properties.creator = workbook.properties.lastModifiedBy = context.consortium_name
    workbook.properties.title = f"Data annex: {context.area_name}"
    workbook.save(target)
    fix_zip_dates(target, stamp)
    return target


def fix_zip_dates(path: Path, when: datetime) -> None:
    """Give every member of a zip file (XLSX, DOCX) the same date, so the same content
    makes the same bytes."""
    with zipfile.ZipFile(path) as source:
        members = [(item, source.read(item)) for item in source.infolist()]
    partial = path.with_name(f".{path.name}.partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as out:
        for item, data in members:
            fixed = zipfile.ZipInfo(item.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = item.external_attr
            out.writestr(fixed, data)
    partial.replace(path)
