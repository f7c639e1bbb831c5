"""903 tables from Excel workbooks: one sheet per table, whatever the sheets are called.

Each sheet's table is found from its columns, like a CSV file's. Excel turns values into
numbers and dates: a date cell becomes DD/MM/YYYY text, a whole number written ``1234.0``
becomes ``1234`` (a CHILD identifier, a code such as ``1``), so every value reaches
validation as the text a CSV export would have held. Issues name the sheet and its row
(``return.xlsx [Episodes]``, row 7), as the analyst sees them in Excel.
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from mps.data.csv_reader import CsvReadError, normalise_column
from mps.data.ssda903_spec import RawTable

#: File types read as workbooks (openpyxl reads the Office Open XML formats).
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def cell_text(value: object) -> str:
    """One Excel cell's value as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):  # before int: True is an int
        return "1" if value else "0"
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _column_text(values: pd.Series) -> pd.Series:
    """:func:`cell_text` of a column, converting each distinct value once."""
    codes_, uniques = pd.factorize(values, use_na_sentinel=True)
    text = np.array([cell_text(u) for u in uniques] + [""], dtype=object)
    return pd.Series(text[codes_], index=values.index, dtype=object)


def read_workbook(path: Path, display: str) -> tuple[list[RawTable], list[str]]:
    """Every non-empty sheet of a workbook as a text table, and the names of empty sheets.

    The first non-blank row of a sheet is its header; blank rows are skipped without shifting
    the row numbers. Values to the right of the header are kept as unnamed extra columns.
    Raises :class:`~mps.data.csv_reader.CsvReadError` for a file that is not a readable
    workbook or a sheet with two columns of the same name.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise CsvReadError(f"an Excel workbook (.xlsx) that opens ({error})") from error
    tables: list[RawTable] = []
    empty: list[str] = []
    try:
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # exporters often record the used range wrongly
            name = f"{display} [{sheet.title}]"
            table = _sheet_table(name, list(sheet.iter_rows(values_only=True)))
            if table is None:
                empty.append(name)
            else:
                tables.append(table)
    finally:
        book.close()
    return tables, empty


def _sheet_table(name: str, rows: list[tuple]) -> RawTable | None:
    first = next((i for i, row in enumerate(rows) if any(cell_text(c) for c in row)), None)
    if first is None:
        return None
    header = [cell_text(c) for c in rows[first]]
    records = rows[first + 1 :]
    width = max([len(header), *map(len, records)])
    header += [""] * (width - len(header))
    # Sheets are ragged (a blank row is empty): pad every row to the widest one.
    body = pd.DataFrame([(*r, *[None] * (width - len(r))) for r in records], dtype=object)
    columns = [normalise_column(c) or f"_BLANK_{i + 1}" for i, c in enumerate(header)]
    seen: dict[str, int] = {}
    for position, column in enumerate(columns):
        if column in seen:
            raise CsvReadError(
                f"two columns are both named {column} (columns {seen[column] + 1} and "
                f"{position + 1})",
                line=first + 1,
                value=header[position],
            )
        seen[column] = position
    body = body.reindex(columns=range(width))  # no data rows: no columns yet
    frame = pd.DataFrame(
        {column: _column_text(body[i]) for i, column in enumerate(columns)},
        index=body.index,
    )
    line = np.arange(len(frame), dtype="int64") + first + 2  # sheet rows are 1-based
    kept = ~(frame == "").all(axis=1).to_numpy() if len(frame) else np.zeros(0, dtype=bool)
    frame = frame.loc[kept].reset_index(drop=True)
    return RawTable(name, frame, line[kept], header, header_row=first + 1)
