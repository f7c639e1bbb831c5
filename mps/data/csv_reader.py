"""Encoding-robust CSV reading: every value a string, every row with its file line number.

Councils' systems export CSVs as UTF-8, UTF-8 with a byte-order mark (Excel's "CSV UTF-8")
or Windows-1252 (Excel's plain "CSV"). :func:`read_csv_strings` reads all three, keeps every
value as a stripped string ("" for blank) and remembers, for each data row, the line of the
file it came from (header = line 1), so validation issues point at the line an analyst sees
in a text editor. Blank lines (and lines of commas only) are skipped without shifting the line
numbers of the rows after them.

Column names are normalised with :func:`normalise_column` (case-insensitive, spaces stripped)
so ``child``, ``Child `` and ``CHILD`` are the same column.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

#: Encodings tried in order. UTF-8 (with or without BOM) first: a UTF-8 file that is not
#: valid UTF-8 is vanishingly rare, whereas Windows-1252 decodes almost any bytes.
ENCODINGS = ("utf-8-sig", "cp1252")


class CsvReadError(Exception):
    """A file that cannot be read as CSV; ``line`` and ``value`` say where and what."""

    def __init__(self, message: str, *, line: int | None = None, value: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.value = value


@dataclass
class CsvTable:
    """A CSV file read as strings.

    ``frame`` holds one row per non-blank data line, columns named by their normalised
    header, values stripped ("" when blank). ``line`` is the file line number of each row.
    ``raw_columns`` are the header cells as written in the file; ``header_line`` is the line
    the header ends on (1 unless blank lines come first).
    """

    path: Path
    encoding: str
    raw_columns: list[str]
    frame: pd.DataFrame
    line: np.ndarray
    blank_lines: int
    header_line: int = 1

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    @property
    def has_header(self) -> bool:
        return bool(self.raw_columns)


_SEPARATORS = re.compile(r"[\s_]+")


def normalise_column(name: str) -> str:
    """Normalise a header cell: strip, upper-case, runs of inner spaces and underscores to
    one underscore (``Place Provider`` and ``PLACE_ PROVIDER`` are ``PLACE_PROVIDER``)."""
    return _SEPARATORS.sub("_", str(name).replace("\ufeff", "").strip()).upper()


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a file's bytes: UTF-16 when it has a UTF-16 BOM, else UTF-8, else Windows-1252.

    Returns the text and the encoding used. Latin-1 is the last resort (it decodes any
    byte), for the five bytes Windows-1252 leaves undefined.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def read_csv_strings(path: str | Path, *, usecols: Iterable[str] | None = None) -> CsvTable:
    """Read a CSV file as strings with its line numbers (see the module docstring).

    ``usecols`` (normalised names) keeps only those columns, for wide files such as the
    postcode directory; names not in the file are simply absent from the result.

    Raises :class:`CsvReadError` for a header with two columns of the same name or a row
    with more values than the header has columns. A file with no header gives an empty
    :class:`CsvTable` (``raw_columns == []``); the caller decides whether that is fatal.
    """
    path = Path(path)
    data = path.read_bytes()
    text, encoding = decode_bytes(data)
    raw_columns, header_lines, header_chars = _read_header(text)
    if not raw_columns:
        return CsvTable(path, encoding, [], pd.DataFrame(), np.array([], dtype="int64"), 0)

    names = [normalise_column(c) for c in raw_columns]
    blanks = [i for i, n in enumerate(names) if not n]
    for i in blanks:
        names[i] = f"_BLANK_{i + 1}"
    seen: dict[str, int] = {}
    for position, name in enumerate(names):
        if name in seen:
            raise CsvReadError(
                f"two columns are both named {name} (columns {seen[name] + 1} and {position + 1})",
                line=header_lines,
                value=raw_columns[position],
            )
        seen[name] = position
    wanted = None if usecols is None else [n for n in names if n in set(usecols)]

    # pandas reads the body from the bytes (no second, wider copy of the text) except for
    # UTF-16, which is rare enough to read from the decoded text.
    body: io.IOBase
    if encoding == "utf-16":
        body, read_as = io.StringIO(text[header_chars:]), None
        physical = text.count("\n") + (0 if text.endswith("\n") else 1)
    else:
        has_bom = encoding == "utf-8-sig" and data.startswith(codecs.BOM_UTF8)
        bom = len(codecs.BOM_UTF8) if has_bom else 0
        read_as = "utf-8" if encoding == "utf-8-sig" else encoding
        header_bytes = len(text[:header_chars].encode(read_as))
        body = io.BytesIO(data[bom + header_bytes :])
        physical = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    del text
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        try:
            frame = pd.read_csv(
                body,
                header=None,
                names=names,
                usecols=wanted,
                dtype=str,
                encoding=read_as,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                index_col=False,
            )
        except pd.errors.ParserError as error:
            # Name the line and the surplus value when the csv module can find them.
            _check_extra_fields(decode_bytes(data)[0], header_lines, len(names))
            found = re.search(r"line (\d+), saw (\d+)", str(error))
            line = int(found.group(1)) + header_lines if found else None
            raise CsvReadError(
                f"a row has more values than the header has columns ({error})", line=line
            ) from error
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        # index_col=False drops values beyond the header silently: allow only blanks
        # (trailing commas), and name the first line that has a real extra value.
        _check_extra_fields(decode_bytes(data)[0], header_lines, len(names))

    for column in frame.columns:
        frame[column] = frame[column].astype(str).str.strip()
    line = _line_numbers(frame, header_lines, physical)
    # A row with nothing in it (a blank line, or commas only) is not a data row.
    blank = (frame == "").all(axis=1).to_numpy()
    kept = ~blank
    frame = frame.loc[kept].reset_index(drop=True)
    return CsvTable(path, encoding, raw_columns, frame, line[kept], int(blank.sum()), header_lines)


def _read_header(text: str) -> tuple[list[str], int, int]:
    """The first non-blank record, the physical lines up to its end, and their length.

    Read with the csv module so quoted names (even with line breaks) work; lines are fed
    one at a time so only the top of a large file is looked at.
    """
    consumed = 0

    def lines() -> Iterator[str]:
        nonlocal consumed
        start = 0
        while start < len(text):
            end = text.find("\n", start)
            end = len(text) if end < 0 else end + 1
            consumed = end
            yield text[start:end]
            start = end

    reader = csv.reader(lines())
    for record in reader:
        if any(cell.strip() for cell in record):
            return record, reader.line_num, consumed
    return [], reader.line_num, consumed


def _line_numbers(frame: pd.DataFrame, header_lines: int, physical: int) -> np.ndarray:
    """File line number of each parsed row, allowing for newlines inside quoted values.

    ``physical`` is the number of lines in the file; when the header and rows account for
    all of them no value holds a line break and the numbering is simply consecutive.
    """
    rows = len(frame)
    line = np.arange(rows, dtype="int64") + header_lines + 1
    if physical <= header_lines + rows or not len(frame.columns):
        return line
    extra = np.zeros(rows, dtype="int64")
    for column in frame.columns:
        extra += frame[column].str.count("\n").to_numpy(dtype="int64")
    return line + np.concatenate([[0], np.cumsum(extra)[:-1]]) if rows else line


def _check_extra_fields(text: str, header_lines: int, columns: int) -> None:
    """Raise :class:`CsvReadError` for the first row with a non-blank value past the header."""
    reader = csv.reader(io.StringIO(text))
    for record in reader:
        if reader.line_num <= header_lines:
            continue
        if len(record) > columns and any(cell.strip() for cell in record[columns:]):
            value = next(cell for cell in record[columns:] if cell.strip())
            raise CsvReadError(
                f"a row has more values than the header has columns ({len(record)} values, "
                f"{columns} columns)",
                line=reader.line_num,
                value=value,
            )
