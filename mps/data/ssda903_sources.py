"""Finding a borough's 903 returns in whatever shape the analyst has them.

:func:`find_returns` takes a folder or a file and sorts what it holds into text tables by
collection year and table, detecting the shape rather than being told it:

- **per-year folders** (``2024/``, ``2023-24/``) of DfE CSV files, or one year's files;
- **pooled** files (one per table, many councils and years, ``LA`` and ``YEAR`` columns,
  ISO dates: :mod:`mps.data.ssda903_pooled`), alone or in a folder;
- the **XML** return (:mod:`mps.data.ssda903_xml`);
- **Excel** workbooks with one sheet per table (:mod:`mps.data.ssda903_excel`);
- CSV files with extra columns, another column order, lower-case headers, stray spaces and
  blank lines (:mod:`mps.data.csv_reader`).

Each file's tables are recognised by their columns (:func:`~mps.data.ssda903_spec.detect_table`),
so file and sheet names do not matter. A problem that makes the returns unusable is fatal and
names the file; files that are not read are reported as warnings.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from mps import codes
from mps.data.csv_reader import CsvReadError, read_csv_strings
from mps.data.layout import SSDA903_FOLDER
from mps.data.ssda903_checks import Recorder, format_date, parse_dates
from mps.data.ssda903_excel import EXCEL_SUFFIXES, read_workbook
from mps.data.ssda903_pooled import (
    YEAR_COLUMNS,
    as_pooled,
    choose_la,
    la_values,
    pooled_column,
    split_by_year,
)
from mps.data.ssda903_spec import (
    REQUIRED_TABLES,
    TABLE_SPECS,
    RawTable,
    closest_table,
    detect_table,
    parse_collection_year,
    year_label,
)
from mps.data.ssda903_xml import NotA903Xml, read_xml_return
from mps.data.validation import Severity, ValidationReport

#: File types read as 903 data; anything else in a 903 folder is reported and not read.
READ_SUFFIXES = (".csv", ".xml", *EXCEL_SUFFIXES)


@dataclass
class Found:
    """What a 903 path holds: text tables by collection year and table name.

    ``la_value`` is the council whose rows were taken from pooled data (``None`` when there
    was none) and ``las`` every council named in it. ``shapes`` says what was read, in the
    analyst's words, for the summary.
    """

    years: dict[int, dict[str, RawTable]]
    la_value: str | None = None
    las: list[str] = field(default_factory=list)
    shapes: list[str] = field(default_factory=list)


@dataclass
class _Piece:
    """One recognised table of one file, before it is given a collection year."""

    name: str
    table: RawTable
    folder_year: int | None  # the year folder it sits in, if any
    shape: str


@dataclass
class _Scan:
    """The recognised tables of the files looked at, and what the messages need."""

    pieces: list[_Piece] = field(default_factory=list)
    empty: list[tuple[int | None, str]] = field(default_factory=list)  # empty CSV files
    near_misses: dict[str, str] = field(default_factory=dict)


# --- Reading one file ---------------------------------------------------------------------
#: Pooled files are read once per process however many boroughs are loaded from them: the
#: latest ones are kept while they hold at most this many cells (a London-sized consortium's
#: five years of tables; a text cell costs some 60 bytes).
_POOLED_CACHE: OrderedDict[tuple, tuple[list[RawTable], list[str], str]] = OrderedDict()
_POOLED_CACHE_CELLS = 12_000_000


def _cells(result: tuple[list[RawTable], list[str], str]) -> int:
    return sum(t.frame.size for t in result[0])


def _read_any(path: Path, display: str) -> tuple[list[RawTable], list[str], str]:
    """The tables of one file, the empty parts of it (sheets), and its shape."""
    suffix = path.suffix.lower()
    if suffix == ".xml":
        return read_xml_return(path, display), [], "XML"
    if suffix in EXCEL_SUFFIXES:
        tables, empty = read_workbook(path, display)
        return tables, empty, "Excel"
    table = read_csv_strings(path)
    if not table.has_header:
        return [], [display], "CSV"
    raw = RawTable(display, table.frame, table.line, table.raw_columns)
    raw.header_row = table.header_line
    return [raw], [], "CSV"


def read_source_file(path: Path, display: str, recorder: Recorder) -> tuple[list, list, str]:
    """Read one file of any supported type; a file that cannot be read is fatal.

    Pooled tables come back with their LA values taken out of the frame (see
    :func:`~mps.data.ssda903_pooled.as_pooled`); such files are kept in memory (the last few),
    since every borough of a consortium is read from them. The cached tables are shared:
    callers take subsets and copies, never change them in place.
    """
    stat = path.stat()
    key = (str(path.resolve()), display, stat.st_size, stat.st_mtime_ns)
    if key in _POOLED_CACHE:
        _POOLED_CACHE.move_to_end(key)
        return _POOLED_CACHE[key]
    kind = "Excel workbook" if path.suffix.lower() in EXCEL_SUFFIXES else path.suffix[1:].upper()
    try:
        result = _read_any(path, display)
    except CsvReadError as error:
        raise recorder.fatal(
            display,
            f"a readable {kind} file: {error.message}",
            "unreadable-file",
            row=error.line,
            value=error.value,
        ) from error
    except OSError as error:
        raise recorder.fatal(
            display, f"a readable file ({error.strerror})", "unreadable-file"
        ) from error
    # Pooled tables give up their LA column here, once, not once per borough read from them.
    result = ([as_pooled(t) for t in result[0]], result[1], result[2])
    if any(t.la is not None for t in result[0]):
        _POOLED_CACHE[key] = result
        while sum(map(_cells, _POOLED_CACHE.values())) > _POOLED_CACHE_CELLS:
            _POOLED_CACHE.popitem(last=False)
    return result


def _scan_files(
    files: Iterable[Path], base: Path, folder_year: int | None, recorder: Recorder, scan: _Scan
) -> None:
    """Read each file and recognise its tables by their columns."""
    for path in files:
        display = _display(path, base)
        if path.suffix.lower() not in READ_SUFFIXES:
            hint = " (save old .xls workbooks as .xlsx)" if path.suffix.lower() == ".xls" else ""
            recorder.add(
                display,
                f"a CSV, XML or Excel (.xlsx) file of 903 data; not read{hint}",
                Severity.WARNING,
                "unsupported-file",
            )
            continue
        try:
            tables, empty, shape = read_source_file(path, display, recorder)
        except NotA903Xml as error:
            recorder.add(
                display,
                f"a 903 XML return (root element EXPSSDA903); not read (root is {error.root})",
                Severity.WARNING,
                "unrecognised-file",
                value=error.root,
            )
            continue
        if shape == "CSV" and empty:
            scan.empty.append((folder_year, display))
            recorder.add(
                display,
                "a 903 CSV file: this file is empty; not read",
                Severity.WARNING,
                "empty-file",
            )
        elif empty:
            recorder.report.notes.append(f"Empty sheets not read: {', '.join(empty)}.")
        for table in tables:
            _recognise(table, folder_year, shape, recorder, scan)


def _recognise(
    table: RawTable, folder_year: int | None, shape: str, recorder: Recorder, scan: _Scan
) -> None:
    name = detect_table(table.columns)
    display = table.display
    if name is None:
        hint = closest_table(table.columns)
        if hint:
            scan.near_misses[hint[0]] = display
        expected = "the columns of a 903 table (reference §2.2); not read"
        if hint and hint[1]:
            expected += (
                f" (looks most like {TABLE_SPECS[hint[0]].label} but lacks {', '.join(hint[1])})"
            )
        elif hint:
            expected += " (it has the key columns of more than one 903 file)"
        recorder.add(
            display,
            expected,
            Severity.WARNING,
            "unrecognised-file",
            value=", ".join(table.raw_columns)[:200],
        )
        return
    spec = TABLE_SPECS[name]
    missing = [c for c in spec.required if c not in table.columns]
    if missing and shape == "XML":
        # An element left out of an XML record is a blank value, not a missing column.
        table = replace(table, frame=table.frame.assign(**dict.fromkeys(missing, "")))
        missing = []
    if missing:
        raise recorder.fatal(
            display,
            f"the {spec.label} columns {', '.join(spec.required)} (missing {', '.join(missing)})",
            "missing-column",
            row=table.header_row,
            column=missing[0],
        )
    if table.iso_dates:
        shape = f"pooled {shape}"
    scan.pieces.append(_Piece(name, table, folder_year, shape))


def _display(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix() or path.name
    except ValueError:
        return path.as_posix()


# --- Finding the files --------------------------------------------------------------------
def find_returns(
    path: Path,
    *,
    years: Iterable[int] | None,
    la_value: str | None,
    la_candidates: Sequence[str | None],
    recorder: Recorder,
) -> Found:
    """Every table under ``path`` by collection year (see the module docstring).

    ``path`` is a folder of collection-year folders, a folder holding one year's files or
    pooled files, or a single file (an XML return, a workbook, a pooled CSV). ``years``
    limits the years read; for one year's files it says which year they are. Pooled data
    holding several councils is filtered to ``la_value``, else to the one matching
    ``la_candidates`` (the borough's ONS code, slug or name).
    """
    wanted = None if years is None else sorted({int(y) for y in years})
    scan, base, single_name = _scan_path(path, wanted, recorder)
    found = Found({})
    pieces = _choose_la(scan.pieces, la_value, la_candidates, recorder, found)
    single_year = _single_year(pieces, scan, wanted, single_name, base, recorder)
    for piece in pieces:
        for year, table in _years_of(piece, single_year, recorder).items():
            tables = found.years.setdefault(year, {})
            if piece.name in tables:
                raise recorder.fatal(
                    table.display,
                    f"one {TABLE_SPECS[piece.name].label} table per year; "
                    f"{tables[piece.name].display} is one too"
                    + (f" for {year_label(year)}" if table.iso_dates else ""),
                    "duplicate-table",
                )
            tables[piece.name] = table
    found.shapes = list(dict.fromkeys(p.shape for p in pieces))
    _keep_wanted_years(found, wanted, base, recorder)
    if wanted is None:
        _skip_unknown_pooled_years(found, recorder)
    for year in sorted(found.years):
        _check_year_known(year, base.name or str(base), recorder)
        empty = [display for _, display in scan.empty]
        _need_tables(found.years[year], scan, empty, year, base.name or str(base), recorder)
    if not found.years:
        raise recorder.fatal(
            base.name or str(base),
            "903 returns: no Header and Episodes tables were found",
            "missing-file",
        )
    return found


def _scan_path(path: Path, wanted: list[int] | None, recorder: Recorder) -> tuple[_Scan, Path, str]:
    """Read every file under ``path`` (only the wanted year folders); the scan, the folder
    paths are shown relative to, and the name a single year's folder may be named by."""
    scan = _Scan()
    if path.is_file():
        _scan_files([path], path.parent, None, recorder, scan)
        return scan, path.parent, path.parent.name
    if not path.is_dir():
        raise recorder.fatal(
            str(path),
            "a folder of 903 returns (one sub-folder per collection year) or a 903 file",
            "missing-file",
        )
    year_folders = _year_folders(path, recorder)
    if year_folders:
        _report_loose_files(path, recorder)
        if wanted is not None:
            _need_year_folders(path, year_folders, wanted, recorder)
            year_folders = {y: year_folders[y] for y in wanted}
        for year, folder in year_folders.items():
            _check_year_known(year, _display(folder, path), recorder)
        for year in sorted(year_folders):
            folder = year_folders[year]
            _scan_files(_files_in(folder, path, recorder), path, year, recorder, scan)
            _check_year_folder(scan, year, _display(folder, path), recorder)
    else:
        files = _files_in(path, path, recorder, nested=False)
        if not any(p.suffix.lower() in READ_SUFFIXES for p in files):
            raise recorder.fatal(
                path.name or str(path),
                "903 returns: collection-year folders (e.g. 2024/), the CSV files of one "
                "year, pooled files, an XML return or an Excel workbook",
                "missing-file",
            )
        _scan_files(files, path, None, recorder, scan)
    recorder.stop_if_fatal()
    return scan, path, path.name


def pooled_councils(path: str | Path) -> list[str]:
    """The councils named in the LA column of the pooled data under ``path`` (empty when
    there is none), in order of first appearance. Raises
    :class:`~mps.data.validation.FatalValidationError` when the files cannot be read."""
    recorder = Recorder(ValidationReport(), strict=False)
    scan, _, _ = _scan_path(Path(path), None, recorder)
    return la_values(p.table for p in scan.pieces)


def _year_folders(path: Path, recorder: Recorder) -> dict[int, Path]:
    folders: dict[int, Path] = {}
    for child in sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")):
        year = parse_collection_year(child.name)
        if year is None:
            recorder.add(
                _display(child, path),
                "a collection-year folder such as 2024 or 2023-24; not read",
                Severity.WARNING,
                "not-a-year-folder",
            )
            continue
        if year in folders:
            raise recorder.fatal(
                _display(child, path),
                f"one folder per collection year; {folders[year].name} is also {year_label(year)}",
                "duplicate-year",
            )
        folders[year] = child
    return folders


def _report_loose_files(path: Path, recorder: Recorder) -> None:
    loose = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in READ_SUFFIXES)
    for loose_file in loose:
        recorder.add(
            _display(loose_file, path),
            "903 files inside a collection-year folder; not read",
            Severity.WARNING,
            "outside-year-folder",
        )


def _need_year_folders(
    path: Path, folders: dict[int, Path], wanted: list[int], recorder: Recorder
) -> None:
    for year in wanted:
        if year not in folders:
            raise recorder.fatal(
                path.name or str(path),
                f"a folder for collection year {year} ({year_label(year)}), "
                f"e.g. {path.name}/{year}/; found {', '.join(map(str, sorted(folders)))}",
                "missing-file",
            )


def _files_in(folder: Path, base: Path, recorder: Recorder, *, nested: bool = True) -> list[Path]:
    """The files of a folder; sub-folders of a year folder are reported, not read."""
    files = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue  # system files (.DS_Store and the like)
        if path.is_dir():
            if nested:  # in a single-year folder, sub-folders are reported already
                recorder.add(
                    _display(path, base),
                    "903 files directly in the collection-year folder; not read",
                    Severity.WARNING,
                    "not-a-year-folder",
                )
            continue
        files.append(path)
    return files


# --- Councils and years -------------------------------------------------------------------
def _choose_la(
    pieces: list[_Piece],
    la_value: str | None,
    candidates: Sequence[str | None],
    recorder: Recorder,
    found: Found,
) -> list[_Piece]:
    """Keep only the chosen council's rows of pooled tables (blank LA: rejected rows)."""
    pooled = [p.table for p in pieces if p.table.la is not None]
    found.las = la_values(pooled)
    choice = choose_la(found.las, la_value, candidates)
    if choice.problem:
        raise recorder.fatal(
            pooled[0].display if pooled else "LA",
            choice.problem,
            "la-not-chosen" if la_value is None else "la-not-found",
            column="LA",
            value=la_value,
        )
    found.la_value = choice.value
    if choice.value is None:
        return pieces
    kept = []
    for piece in pieces:
        table = piece.table
        if table.la is None:
            kept.append(piece)
            continue
        blank = table.la == ""
        if blank.any():
            recorder.report.count_rows(table.display, piece.name, int(blank.sum()))
            recorder.report.reject_rows(table.display, int(blank.sum()))
            recorder.add_rows(
                table.display,
                table.line[blank],
                "LA",
                None,
                "the council the row belongs to: the LA column must not be blank",
                Severity.ERROR,
                "missing-value",
            )
        mine = table.la == choice.value
        recorder.report.count_rows(table.display, piece.name, 0)  # listed even if no rows
        kept.append(_Piece(piece.name, table.subset(mine), piece.folder_year, piece.shape))
    return kept


def _single_year(
    pieces: list[_Piece],
    scan: _Scan,
    wanted: list[int] | None,
    name: str,
    base: Path,
    recorder: Recorder,
) -> int | None:
    """The collection year of tables that do not say theirs (one year's files)."""
    loose = [p for p in pieces if p.folder_year is None and not _has_year_column(p.table)]
    if not loose:
        return None
    tables: dict[str, RawTable] = {}
    for piece in loose:
        if piece.name in tables:
            raise recorder.fatal(
                piece.table.display,
                f"one {TABLE_SPECS[piece.name].label} file per year; "
                f"{tables[piece.name].display} is one too",
                "duplicate-table",
            )
        tables[piece.name] = piece.table
    empty = [display for _, display in scan.empty]
    _need_tables(tables, scan, empty, None, name or str(base), recorder)
    if wanted is not None and len(wanted) != 1:
        raise recorder.fatal(
            name or str(base),
            "one collection year for a folder holding a single year's files "
            f"(years={wanted} given)",
            "year-not-known",
        )
    year = wanted[0] if wanted else parse_collection_year(name)
    if year is None:
        year = _infer_year(loose, name or str(base), recorder)
    return year


def _has_year_column(table: RawTable) -> bool:
    return pooled_column(table.columns, YEAR_COLUMNS) is not None


def _years_of(piece: _Piece, single_year: int | None, recorder: Recorder) -> dict[int, RawTable]:
    """A piece's table by collection year: split by its YEAR column, else its folder's year
    or the single year of a folder of one year's files."""
    table = piece.table
    if not _has_year_column(table):
        year = piece.folder_year if piece.folder_year is not None else single_year
        assert year is not None
        return {year: table} if len(table.frame) or table.la is None else {}
    split = split_by_year(table)
    rejected = len(split.bad_rows)
    recorder.add_rows(
        table.display,
        split.bad_rows,
        "YEAR",
        split.bad_values,
        "a collection year such as 2024 (the 2023-24 return) or 2023-24",
        Severity.ERROR,
        "invalid-year",
    )
    parts = split.parts
    if piece.folder_year is not None:
        for year, part in parts.items():
            if year != piece.folder_year:
                recorder.add_rows(
                    table.display,
                    part.line,
                    "YEAR",
                    np.full(len(part.line), str(year), dtype=object),
                    f"the year of the folder the file is in, {piece.folder_year} "
                    f"({year_label(piece.folder_year)})",
                    Severity.ERROR,
                    "year-not-folder-year",
                )
                rejected += len(part.line)
        parts = {y: p for y, p in parts.items() if y == piece.folder_year}
    if rejected:
        recorder.report.count_rows(table.display, piece.name, rejected)
        recorder.report.reject_rows(table.display, rejected)
    return parts


def _keep_wanted_years(
    found: Found, wanted: list[int] | None, base: Path, recorder: Recorder
) -> None:
    if wanted is None:
        return
    dropped = sorted(set(found.years) - set(wanted))
    if dropped:
        recorder.report.notes.append(
            f"Collection years {', '.join(map(str, dropped))} in the pooled data not read "
            f"(years asked for: {', '.join(map(str, wanted))})."
        )
    for year in dropped:
        del found.years[year]
    missing = [y for y in wanted if y not in found.years]
    if missing:
        have = ", ".join(map(str, sorted(found.years))) or "none"
        raise recorder.fatal(
            base.name or str(base),
            f"a return for collection year {missing[0]} ({year_label(missing[0])}); found {have}",
            "missing-file",
        )


def _check_year_folder(scan: _Scan, year: int, where: str, recorder: Recorder) -> None:
    """A year folder just read: one file per table, and a Header and an Episodes file.

    Pooled files found in it (with a YEAR column) are checked once split by year instead.
    """
    pieces = [p for p in scan.pieces if p.folder_year == year]
    if any(_has_year_column(p.table) for p in pieces):
        return
    tables: dict[str, RawTable] = {}
    for piece in pieces:
        if piece.name in tables:
            raise recorder.fatal(
                piece.table.display,
                f"one {TABLE_SPECS[piece.name].label} file per year; "
                f"{tables[piece.name].display} is one too",
                "duplicate-table",
            )
        tables[piece.name] = piece.table
    empty = [display for folder_year, display in scan.empty if folder_year == year]
    _need_tables(tables, scan, empty, year, where, recorder)


def _skip_unknown_pooled_years(found: Found, recorder: Recorder) -> None:
    """Pooled files often go back further than the code lists mps knows: those years are
    left out (each reported once per file with its row count) rather than made fatal."""
    for year in sorted(found.years):
        known = codes.FIRST_KNOWN_YEAR <= year <= codes.LAST_KNOWN_YEAR
        tables = found.years[year]
        if known or not all(t.iso_dates for t in tables.values()):
            continue
        for table in tables.values():
            recorder.add(
                table.display,
                f"collection years from {codes.FIRST_KNOWN_YEAR} to {codes.LAST_KNOWN_YEAR}, "
                f"whose code lists are known: the {len(table.frame)} rows of {year} "
                f"({year_label(year)}) are not read",
                Severity.WARNING,
                "unsupported-year",
                column="YEAR",
                value=str(year),
            )
        del found.years[year]


def _need_tables(
    tables: dict[str, RawTable],
    scan: _Scan,
    empty: list[str],
    year: int | None,
    where: str,
    recorder: Recorder,
) -> None:
    """Every year needs a non-empty Header and Episodes table: fatal otherwise."""
    for name in REQUIRED_TABLES:
        spec = TABLE_SPECS[name]
        if name not in tables:
            expected = (
                f"a {spec.label} file (columns {', '.join(spec.required)}) in every year's return"
            )
            if name in scan.near_misses:
                expected += f"; {scan.near_misses[name]} looks like one but lacks a key column"
            if empty:
                raise recorder.fatal(empty[0], f"{expected}: this file is empty", "empty-file")
            if year is not None and any(t.iso_dates for t in tables.values()):
                expected += f" (none for {year_label(year)})"
            raise recorder.fatal(where, expected, "missing-file")
        table = tables[name]
        if table.frame.empty:
            raise recorder.fatal(
                table.display,
                f"{spec.label} data rows: the file has no data rows (empty file)",
                "empty-file",
            )


def _infer_year(pieces: list[_Piece], where: str, recorder: Recorder) -> int:
    """The collection year of one year's files, from the latest episode date."""
    episodes = next((p.table for p in pieces if p.name == "episodes"), None)
    latest = pd.NaT
    if episodes is not None:
        for column in ("DECOM", "DEC"):
            dates, _ = parse_dates(episodes.frame[column], iso=episodes.iso_dates)
            if dates.notna().any():
                latest = dates.max() if pd.isna(latest) else max(latest, dates.max())
    if pd.isna(latest):
        raise recorder.fatal(
            where,
            "a collection year: give years=[...] or name the folder by year (e.g. 2024)",
            "year-not-known",
        )
    year = latest.year + (1 if latest.month >= 4 else 0)
    recorder.report.notes.append(
        f"Collection year {year} ({year_label(year)}) inferred from the latest episode date "
        f"in {episodes.display} ({format_date(latest)})."
    )
    return year


def _check_year_known(year: int, where: str, recorder: Recorder) -> None:
    """Code lists are known for some years only; validating others would reject every row."""
    if not codes.FIRST_KNOWN_YEAR <= year <= codes.LAST_KNOWN_YEAR:
        raise recorder.fatal(
            where,
            f"a collection year from {codes.FIRST_KNOWN_YEAR} to {codes.LAST_KNOWN_YEAR}, whose "
            f"code lists are known; {year} ({year_label(year)}) is not: leave it out with "
            "years=[...]",
            "unsupported-year",
            value=str(year),
        )


def default_la(path: Path) -> str:
    """The borough's name from its folder, skipping ``ssda903`` and year folders (and the
    file's own name when ``path`` is a file)."""
    folder = path.resolve()
    if folder.is_file():
        folder = folder.parent
    while folder.name and (
        parse_collection_year(folder.name) is not None or folder.name.lower() == SSDA903_FOLDER
    ):
        folder = folder.parent
    return folder.name or "borough"
