"""SSDA903 (children looked after) returns: read, validate, merge years into one episode table.

A borough's 903 data is a folder with one sub-folder per collection year (``2024`` or
``2023-24`` for the 2023-24 return), each holding the DfE CSV layout files (Header, Episodes,
UASC, Missing, OC2, OC3, AD1, PlacedAdoption, PrevPerm, Reviews, SWEpisodes; reference §2.2).
File names do not matter: each file's type is detected from its columns
(:func:`detect_table`). A folder holding the CSV files of one year is accepted too.

:func:`load_borough` reads every year, validates every row (reference §2.3-2.6; each rule has a
short id such as ``"dob-after-decom"``), and merges the years as the sector does (reference
§4.1): a later return's record of an episode replaces an earlier one's (episodes are keyed on
CHILD and DECOM), the latest Header per child wins, and overlapping episodes are truncated to
the next start. It returns a :class:`Return903` whose ``episodes`` frame is the contract the
analysis modules rely on (:data:`EPISODE_COLUMNS`).

Severities follow :mod:`mps.data.validation`: a *fatal* issue (a missing file or column, an
empty or unreadable file) stops the borough and :class:`FatalValidationError` is raised with
nothing returned; an *error* rejects its row (the row is counted, never silently dropped); a
*warning* keeps the row, perhaps repaired. Everything is vectorised: per-row Python work is done
only for rows that have an issue.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from mps import codes
from mps.data.csv_reader import CsvReadError, CsvTable, normalise_column, read_csv_strings
from mps.data.layout import POSTCODE_COLUMNS, SSDA903_FOLDER
from mps.data.validation import (
    FatalValidationError,
    Severity,
    ValidationIssue,
    ValidationReport,
)

__all__ = [
    "EPISODE_COLUMNS",
    "TABLE_SPECS",
    "FatalValidationError",
    "Return903",
    "TableSpec",
    "add_placement_locations",
    "detect_table",
    "load_borough",
    "parse_collection_year",
    "read_postcode_directory",
]


# --- Table specifications -----------------------------------------------------------------
@dataclass(frozen=True)
class TableSpec:
    """What one 903 file holds and how it is recognised and checked.

    ``identify``: the key columns that mark a file as this table (all must be present).
    ``required``: columns the file must have (missing one is fatal); ``optional``: columns
    read when present (blank when absent). ``dates`` are DD/MM/YYYY dates, ``codes`` are
    checked against :func:`mps.codes.valid_codes` for the collection year. A blank in a
    ``mandatory`` column rejects the row (error); a blank in a ``recommended`` one is a
    warning. ``merge_key`` identifies the same record in two years' returns (the latest
    return wins); ``None`` keeps every year's rows (per-year snapshots such as OC2).
    """

    name: str
    label: str
    identify: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    mandatory: tuple[str, ...] = ("CHILD",)
    recommended: tuple[str, ...] = ()
    merge_key: tuple[str, ...] | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """Every known column, required first."""
        return self.required + self.optional


#: The 903 tables by name (reference §2.2). DATE_PERM (PrevPerm) is kept as text: the DfE
#: layout allows ``zz`` for an unknown day or month.
TABLE_SPECS: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "header",
            "Header",
            identify=("ETHNIC",),
            required=("CHILD", "SEX", "DOB", "ETHNIC"),
            optional=("UPN", "MOTHER", "MC_DOB"),
            dates=("DOB", "MC_DOB"),
            codes=("SEX", "ETHNIC", "MOTHER"),
            mandatory=("CHILD", "SEX", "DOB"),
            recommended=("ETHNIC",),
            merge_key=("CHILD",),
        ),
        TableSpec(
            "episodes",
            "Episodes",
            identify=("DECOM",),
            required=(
                "CHILD",
                "DECOM",
                "RNE",
                "LS",
                "CIN",
                "PLACE",
                "PLACE_PROVIDER",
                "DEC",
                "REC",
                "HOME_POST",
                "PL_POST",
            ),
            optional=("REASON_PLACE_CHANGE", "URN", "PL_DISTANCE", "PL_LA", "PL_LOCATION"),
            dates=("DECOM", "DEC"),
            codes=("RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC", "REASON_PLACE_CHANGE"),
            mandatory=("CHILD", "DECOM", "RNE", "LS", "PLACE"),
            recommended=("CIN",),
            merge_key=("CHILD", "DECOM"),
        ),
        TableSpec(
            "uasc",
            "UASC",
            identify=("DUC",),
            required=("CHILD", "DUC"),
            optional=("SEX", "DOB"),
            dates=("DOB", "DUC"),
            merge_key=("CHILD",),
        ),
        TableSpec(
            "missing",
            "Missing",
            identify=("MIS_START",),
            required=("CHILD", "MISSING", "MIS_START"),
            optional=("DOB", "MIS_END"),
            dates=("DOB", "MIS_START", "MIS_END"),
            codes=("MISSING",),
            mandatory=("CHILD", "MIS_START"),
            merge_key=("CHILD", "MIS_START"),
        ),
        TableSpec(
            "oc2",
            "OC2",
            identify=("HEALTH_CHECK",),
            required=(
                "CHILD",
                "CONVICTED",
                "HEALTH_CHECK",
                "IMMUNISATIONS",
                "TEETH_CHECK",
                "HEALTH_ASSESSMENT",
                "SUBSTANCE_MISUSE",
            ),
            optional=(
                "DOB",
                "SDQ_SCORE",
                "SDQ_REASON",
                "INTERVENTION_RECEIVED",
                "INTERVENTION_OFFERED",
            ),
            dates=("DOB",),
        ),
        TableSpec(
            "oc3",
            "OC3",
            identify=("IN_TOUCH",),
            required=("CHILD", "IN_TOUCH", "ACTIV", "ACCOM"),
            optional=("DOB",),
            dates=("DOB",),
        ),
        TableSpec(
            "ad1",
            "AD1",
            identify=("DATE_INT",),
            required=(
                "CHILD",
                "DATE_INT",
                "DATE_MATCH",
                "FOSTER_CARE",
                "NB_ADOPTR",
                "SEX_ADOPTR",
                "LS_ADOPTR",
            ),
            optional=("DOB",),
            dates=("DOB", "DATE_INT", "DATE_MATCH"),
            merge_key=("CHILD",),
        ),
        TableSpec(
            "placed_adoption",
            "PlacedAdoption",
            identify=("DATE_PLACED",),
            required=("CHILD", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
            optional=("DOB",),
            dates=("DOB", "DATE_PLACED", "DATE_PLACED_CEASED"),
            merge_key=("CHILD", "DATE_PLACED"),
        ),
        TableSpec(
            "prev_perm",
            "PrevPerm",
            identify=("PREV_PERM",),
            required=("CHILD", "PREV_PERM"),
            optional=("DOB", "LA_PERM", "DATE_PERM"),
            dates=("DOB",),
            merge_key=("CHILD",),
        ),
        TableSpec(
            "reviews",
            "Reviews",
            identify=("REVIEW",),
            required=("CHILD", "REVIEW", "REVIEW_CODE"),
            optional=("DOB",),
            dates=("DOB", "REVIEW"),
            merge_key=("CHILD", "REVIEW"),
        ),
        TableSpec(
            "sw_episodes",
            "SWEpisodes",
            identify=("SW_ID",),
            required=("CHILD", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
            optional=("DOB",),
            dates=("DOB", "SW_DECOM", "SW_DEC"),
            merge_key=("CHILD", "SW_ID", "SW_DECOM"),
        ),
        TableSpec(
            "dolo",
            "DoLo",
            identify=("DOLO_START",),
            required=("CHILD", "DOLO_START"),
            optional=("DOB", "DOLO_END"),
            dates=("DOB", "DOLO_START", "DOLO_END"),
            merge_key=("CHILD", "DOLO_START"),
        ),
    )
}
#: Tables every year's return must have.
REQUIRED_TABLES = ("header", "episodes")

#: The longitudinal episode table's columns, in order (the contract with the analysis).
EPISODE_COLUMNS: tuple[str, ...] = (
    "la",
    "CHILD",
    "DECOM",
    "DEC",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
    "SEX",
    "DOB",
    "ETHNIC",
    "UASC",
    "DUC",
    "placement_category",
    "PL_DISTANCE",
    "PL_LA",
    "PL_LOCATION",
    "collection_year",
    "source_file",
    "source_row",
)
_EPISODE_TEXT = (
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)

#: Minimum ages (at the start of the episode) by placement (reference §2.6, rules 370/371).
MIN_AGE_BY_PLACE = {"K3": 16, "H5": 16, "P2": 16, "S1": 4, "P3": 14, "R5": 10}
#: Youth-justice legal statuses (J1-J3) are not for children under 10 (rule 358).
MIN_AGE_YOUTH_JUSTICE = 10
#: Any SEX code of any year, for the UASC file (whose change to M/F/U is unconfirmed).
_ANY_SEX = frozenset(codes.SEX)
#: Plausible calendar years for any 903 date; outside them the value is a typing error.
_DATE_RANGE = (pd.Timestamp("1900-01-01"), pd.Timestamp("2099-12-31"))
_DATE_FORMAT = "%d/%m/%Y"


@dataclass
class Return903:
    """A borough's 903 returns, validated and merged across collection years.

    ``episodes`` has exactly :data:`EPISODE_COLUMNS`, sorted by la, CHILD and DECOM.
    ``tables`` holds the other tables (header, uasc, missing, oc2, oc3, ad1,
    placed_adoption, prev_perm, reviews, sw_episodes, dolo) merged across years, each with
    ``collection_year``, ``source_file`` and ``source_row``. ``extra_columns`` holds, per
    table, any columns the files carried beyond the DfE layout, keyed by source_file and
    source_row.
    """

    la: str
    years: list[int]
    episodes: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    report: ValidationReport
    extra_columns: dict[str, pd.DataFrame] = field(default_factory=dict)


# --- Public helpers -----------------------------------------------------------------------
def detect_table(columns: Iterable[str]) -> str | None:
    """The 903 table a file with these column names holds, or ``None`` if not recognised.

    Names are compared case-insensitively with spaces stripped. A file is a candidate for
    every table whose key columns (``TableSpec.identify``) it has; among several candidates
    the one sharing most columns wins, and a tie is not recognised.
    """
    names = {normalise_column(c) for c in columns}
    candidates = [spec for spec in TABLE_SPECS.values() if all(c in names for c in spec.identify)]
    if not candidates:
        return None
    scores = sorted(
        ((len(names & set(spec.columns)), spec.name) for spec in candidates), reverse=True
    )
    if len(scores) > 1 and scores[0][0] == scores[1][0]:
        return None
    return scores[0][1]


_YEAR_NAME = re.compile(r"^(\d{4})(?:[-_ ](\d{2}|\d{4}))?$")


def parse_collection_year(name: str) -> int | None:
    """The collection year a folder name stands for: ``2024``, ``2023-24``, ``2023_24`` and
    ``2023-2024`` all give 2024 (the 2023-24 return). ``None`` if it is not a year."""
    found = _YEAR_NAME.match(name.strip())
    if not found:
        return None
    first = int(found.group(1))
    if not 1990 <= first <= 2099:  # the 903 began in 1992: anything else is not a year
        return None
    if found.group(2) is None:
        return first
    second = int(found.group(2))
    if len(found.group(2)) == 2:
        return first + 1 if second == (first + 1) % 100 else None
    return second if second == first + 1 else None


def _year_label(year: int) -> str:
    return f"{year - 1}-{year % 100:02d}"


# --- Issue recording ----------------------------------------------------------------------
class _Recorder:
    """Records issues in the report; in strict mode every error is recorded as fatal."""

    def __init__(self, report: ValidationReport, strict: bool):
        self.report = report
        self.strict = strict

    def severity(self, severity: Severity) -> Severity:
        return Severity.FATAL if self.strict and severity == Severity.ERROR else severity

    def add(
        self,
        file: str,
        expected: str,
        severity: Severity,
        rule: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        issue = ValidationIssue(file, row, column, value, expected, severity, rule)
        self.report.add(replace(issue, severity=self.severity(severity)))

    def add_rows(
        self,
        files: str | np.ndarray,
        rows: np.ndarray,
        column: str | None,
        values: np.ndarray | None,
        expected: str | Sequence[str],
        severity: Severity,
        rule: str,
    ) -> None:
        """One issue per row; only called with the rows that have the issue."""
        count = len(rows)
        if not count:
            return
        severity = self.severity(severity)
        file_list = [files] * count if isinstance(files, str) else [str(f) for f in files]
        value_list = [None] * count if values is None else [_text(v) for v in values]
        expected_list = [expected] * count if isinstance(expected, str) else list(expected)
        self.report.extend(
            ValidationIssue(f, int(r), column, v, e, severity, rule)
            for f, r, v, e in zip(file_list, rows, value_list, expected_list, strict=True)
        )

    def fatal(
        self,
        file: str,
        expected: str,
        rule: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> FatalValidationError:
        return self.report.fatal(file, expected, row=row, column=column, value=value, rule=rule)

    def stop_if_fatal(self) -> None:
        if self.report.has_fatal:
            self.report.raise_if_fatal()


def _text(value: object) -> str | None:
    """An issue's value as text; ``None`` for a missing value (NA, NaT, NaN)."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp | np.datetime64):
        return _format_date(pd.Timestamp(value))
    return str(value)


def _format_date(date: pd.Timestamp) -> str:
    return "" if pd.isna(date) else date.strftime("%d/%m/%Y")


def _dates_text(dates: pd.Series, at: np.ndarray) -> list[str]:
    """DD/MM/YYYY text of the dates at positions ``at`` (only flagged rows are formatted)."""
    return [_format_date(pd.Timestamp(d)) for d in dates.to_numpy()[at]]


# --- Reading one file ---------------------------------------------------------------------
def _parse_dates(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse DD/MM/YYYY strictly; returns the dates and a mask of non-blank failures.

    Only the distinct values are parsed (a return has far fewer distinct dates than rows).
    """
    codes_, uniques = pd.factorize(raw, use_na_sentinel=True)
    parsed = pd.to_datetime(pd.Index(uniques), format=_DATE_FORMAT, errors="coerce")
    in_range = (parsed >= _DATE_RANGE[0]) & (parsed <= _DATE_RANGE[1])
    parsed = parsed.where(in_range).astype("datetime64[ns]")
    values = parsed.to_numpy()[np.where(codes_ < 0, 0, codes_)] if len(parsed) else None
    dates = pd.Series(
        values if values is not None else np.full(len(raw), np.datetime64("NaT"), "M8[ns]"),
        index=raw.index,
        dtype="datetime64[ns]",
    )
    dates = dates.where(codes_ >= 0)
    bad = (dates.isna() & raw.ne("")).to_numpy()
    return dates, bad


@dataclass
class _FileCheck:
    """The rows of one file being validated; errors set ``rejected``."""

    file: str
    spec: TableSpec
    year: int
    raw: pd.DataFrame  # known columns, stripped strings ("" blank)
    line: np.ndarray
    recorder: _Recorder
    rejected: np.ndarray = field(init=False)
    dates: dict[str, pd.Series] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rejected = np.zeros(len(self.raw), dtype=bool)

    @property
    def alive(self) -> np.ndarray:
        return ~self.rejected

    def flag(
        self,
        mask: np.ndarray | pd.Series,
        rule: str,
        column: str | None,
        expected: str | Callable[[np.ndarray], list[str]],
        severity: Severity = Severity.ERROR,
        values: np.ndarray | pd.Series | None = None,
    ) -> None:
        """Record an issue for every row in ``mask``; an error also rejects the rows.

        ``expected`` is one string for all, or a function of the flagged rows' positions
        giving one string each (so per-row text is built only for flagged rows).
        ``values`` defaults to the raw values of ``column``.
        """
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if values is None and column is not None:
            values = self.raw[column].to_numpy()
        picked = None if values is None else np.asarray(values, dtype=object)[mask]
        if not isinstance(expected, str):
            expected = expected(np.flatnonzero(mask))
        self.recorder.add_rows(self.file, self.line[mask], column, picked, expected, severity, rule)
        if severity == Severity.ERROR:
            self.rejected |= mask

    # -- the generic checks every table gets ------------------------------------------
    def check_exact_duplicates(self, whole_rows: pd.DataFrame) -> None:
        """Exact copies of an earlier row (every column, extras too): warn, keep one."""
        duplicate = whole_rows.duplicated(keep="first").to_numpy()
        if not duplicate.any():
            return
        row_hash = pd.util.hash_pandas_object(whole_rows, index=False).to_numpy()
        first_line = pd.Series(self.line).groupby(row_hash).transform("first").to_numpy()
        self.flag(
            duplicate,
            "duplicate-row",
            None,
            lambda at: [
                f"a row not repeated: the same as line {first_line[i]}; one copy kept" for i in at
            ],
            Severity.WARNING,
        )
        self.rejected |= duplicate  # the copies are counted as rejected

    def check_blanks(self) -> None:
        for column in self.spec.mandatory:
            self.flag(
                self.alive & self.raw[column].eq("").to_numpy(),
                "missing-value",
                column,
                f"a value: {column} must not be blank in the {self.spec.label} file",
            )
        for column in self.spec.recommended:
            self.flag(
                self.alive & self.raw[column].eq("").to_numpy(),
                "missing-value",
                column,
                f"a value: {column} should not be blank (row kept)",
                Severity.WARNING,
            )

    def check_dates(self) -> None:
        for column in self.spec.dates:
            dates, bad = _parse_dates(self.raw[column])
            self.dates[column] = dates
            self.flag(
                self.alive & bad,
                "invalid-date",
                column,
                "a real date written DD/MM/YYYY",
            )

    def check_codes(self) -> None:
        for column in self.spec.codes:
            self.raw[column] = self.raw[column].str.upper()
            valid = codes.valid_codes(column, self.year)
            self.check_code_list(column, valid, f"valid in {_year_label(self.year)}")
        if self.spec.name == "uasc":
            self.raw["SEX"] = self.raw["SEX"].str.upper()
            self.check_code_list("SEX", _ANY_SEX, "of any year")

    def check_code_list(self, column: str, valid: frozenset[str], when: str) -> None:
        values = self.raw[column]
        bad = self.alive & values.ne("").to_numpy() & ~values.isin(valid).to_numpy()
        self.flag(
            bad,
            "unknown-code",
            column,
            f"one of the {column} codes {when}: {', '.join(sorted(valid))}",
        )

    def check_key_duplicates(self, key: tuple[str, ...], rule: str, what: str) -> None:
        """Two different rows with the same key: keep the later row, reject the earlier."""
        frame = pd.DataFrame({c: (self.dates[c] if c in self.dates else self.raw[c]) for c in key})
        alive = self.alive
        earlier = np.zeros(len(frame), dtype=bool)
        earlier[alive] = frame[alive].duplicated(keep="last").to_numpy()
        if not earlier.any():
            return
        # For each earlier row, the line of the last row with the same key (the one kept).
        key_frame = frame[alive].astype(str)
        group = key_frame.groupby(list(key), sort=False).ngroup().to_numpy()
        last_line = pd.Series(self.line[alive]).groupby(group).transform("last").to_numpy()
        kept_line = np.zeros(len(frame), dtype="int64")
        kept_line[alive] = last_line
        self.flag(
            earlier,
            rule,
            key[-1],
            lambda at: [
                f"one row per {what}: a later row (line {kept_line[i]}) has the same "
                "key and is kept"
                for i in at
            ],
        )


def _read_file(path: Path, display: str, recorder: _Recorder) -> CsvTable:
    try:
        return read_csv_strings(path)
    except CsvReadError as error:
        raise recorder.fatal(
            display,
            f"a readable CSV file: {error.message}",
            "unreadable-file",
            row=error.line,
            value=error.value,
        ) from error
    except OSError as error:
        raise recorder.fatal(
            display, f"a readable file ({error.strerror})", "unreadable-file"
        ) from error


@dataclass
class _YearFiles:
    """The recognised files of one collection year, by table."""

    year: int | None
    folder: Path
    files: dict[str, tuple[str, CsvTable]] = field(default_factory=dict)


def _scan_year_folder(
    folder: Path, base: Path, recorder: _Recorder, year: int | None
) -> _YearFiles:
    """Read every CSV in a year folder and sort them into tables by their columns."""
    found = _YearFiles(year, folder)
    empty: list[str] = []
    near_misses: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        display = _display(path, base)
        if path.name.startswith("."):
            continue  # system files (.DS_Store and the like)
        if path.is_dir():
            if folder != base:  # in a single-year folder, sub-folders are reported already
                recorder.add(
                    display,
                    "903 CSV files directly in the collection-year folder; not read",
                    Severity.WARNING,
                    "not-a-year-folder",
                )
            continue
        if path.suffix.lower() != ".csv":
            recorder.add(
                display,
                "a CSV file (903 files are read as CSV); not read",
                Severity.WARNING,
                "not-csv",
            )
            continue
        table = _read_file(path, display, recorder)
        if not table.has_header:
            empty.append(display)
            recorder.add(
                display,
                "a 903 CSV file: this file is empty; not read",
                Severity.WARNING,
                "empty-file",
            )
            continue
        name = detect_table(table.columns)
        if name is None:
            hint = _closest_table(table.columns)
            if hint:
                near_misses[hint[0]] = display
            expected = "the columns of a 903 file (reference §2.2); not read"
            if hint and hint[1]:
                expected += (
                    f" (looks most like {TABLE_SPECS[hint[0]].label} but lacks "
                    f"{', '.join(hint[1])})"
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
            continue
        if name in found.files:
            raise recorder.fatal(
                display,
                f"one {TABLE_SPECS[name].label} file per year; {found.files[name][0]} is one too",
                "duplicate-table",
            )
        spec = TABLE_SPECS[name]
        missing = [c for c in spec.required if c not in table.columns]
        if missing:
            raise recorder.fatal(
                display,
                f"the {spec.label} columns {', '.join(spec.required)} (missing "
                f"{', '.join(missing)})",
                "missing-column",
                row=1,
                column=missing[0],
            )
        found.files[name] = (display, table)
    for name in REQUIRED_TABLES:
        spec = TABLE_SPECS[name]
        if name not in found.files:
            where = _display(folder, base) if folder != base else folder.name or str(folder)
            expected = (
                f"a {spec.label} file (columns {', '.join(spec.required)}) in every year's return"
            )
            if name in near_misses:
                expected += f"; {near_misses[name]} looks like one but lacks a key column"
            if empty:
                raise recorder.fatal(empty[0], f"{expected}: this file is empty", "empty-file")
            raise recorder.fatal(where, expected, "missing-file")
        display, table = found.files[name]
        if table.frame.empty:
            raise recorder.fatal(
                display,
                f"{spec.label} data rows: the file has no data rows (empty file)",
                "empty-file",
            )
    return found


def _closest_table(columns: Sequence[str]) -> tuple[str, list[str]] | None:
    """For an unrecognised file: the table it shares most columns with, and missing keys."""
    names = set(columns) - {"CHILD", "DOB", "SEX"}
    best = max(TABLE_SPECS.values(), key=lambda spec: (len(names & set(spec.columns)), spec.name))
    if not names & set(best.columns):
        return None
    return best.name, [c for c in best.identify if c not in columns]


def _display(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix() or path.name
    except ValueError:
        return path.as_posix()


# --- Validating one year ------------------------------------------------------------------
@dataclass
class _Validated:
    """A file's kept rows: typed known columns, plus source columns; extras aside."""

    frame: pd.DataFrame
    extras: pd.DataFrame


def _start_check(
    name: str, display: str, table: CsvTable, year: int, recorder: _Recorder
) -> tuple[_FileCheck, pd.DataFrame]:
    spec = TABLE_SPECS[name]
    frame = table.frame
    known = [c for c in spec.columns if c in frame.columns]
    raw = frame[known].copy()
    for column in spec.columns:
        if column not in raw.columns:
            raw[column] = ""
    raw = raw[list(spec.columns)]
    extra_names = [c for c in frame.columns if c not in spec.columns]
    # Trailing commas in the header give unnamed, empty columns: not worth keeping.
    extra_names = [
        c for c in extra_names if not (c.startswith("_BLANK_") and frame[c].eq("").all())
    ]
    check = _FileCheck(display, spec, year, raw, table.line, recorder)
    recorder.report.count_rows(display, name, len(raw))
    check.check_exact_duplicates(frame[known + extra_names])
    check.check_blanks()
    check.check_dates()
    check.check_codes()
    return check, frame[extra_names]


def _finish(check: _FileCheck, extras: pd.DataFrame, year: int, recorder: _Recorder) -> _Validated:
    recorder.report.reject_rows(check.file, int(check.rejected.sum()))
    recorder.stop_if_fatal()
    keep = check.alive
    frame = check.raw.loc[keep].reset_index(drop=True)
    for column, dates in check.dates.items():
        frame[column] = dates.loc[keep].to_numpy()
    frame["collection_year"] = year
    frame["source_file"] = check.file
    frame["source_row"] = check.line[keep]
    extras = extras.loc[keep].reset_index(drop=True)
    extras.insert(0, "source_row", check.line[keep])
    extras.insert(0, "source_file", check.file)
    extras.insert(0, "collection_year", year)
    return _Validated(frame, extras)


def _validate_header(display: str, table: CsvTable, year: int, recorder: _Recorder) -> _Validated:
    check, extras = _start_check("header", display, table, year, recorder)
    check.check_key_duplicates(("CHILD",), "duplicate-child", "child")
    check.raw["SEX"] = check.raw["SEX"].map(codes.SEX_NORMALISED).fillna(check.raw["SEX"])
    return _finish(check, extras, year, recorder)


def _validate_episodes(
    display: str,
    table: CsvTable,
    year: int,
    header: _Validated,
    recorder: _Recorder,
) -> _Validated:
    check, extras = _start_check("episodes", display, table, year, recorder)
    raw = check.raw
    for column in ("HOME_POST", "PL_POST", "URN", "PL_LA", "PL_LOCATION"):
        raw[column] = raw[column].str.upper()
    decom, dec = check.dates["DECOM"], check.dates["DEC"]
    check.check_key_duplicates(("CHILD", "DECOM"), "duplicate-episode", "child and DECOM")

    alive = check.alive
    end = codes.year_end(year)
    check.flag(
        alive & (decom > end).to_numpy(),
        "decom-after-year-end",
        "DECOM",
        f"an episode starting by the end of the {_year_label(year)} return ({_format_date(end)})",
    )
    check.flag(
        check.alive & (dec < decom).to_numpy(),
        "dec-before-decom",
        "DEC",
        lambda at: [f"a date on or after DECOM ({d})" for d in _dates_text(decom, at)],
    )
    dec_given = raw["DEC"].ne("").to_numpy()
    rec_given = raw["REC"].ne("").to_numpy()
    check.flag(
        check.alive & dec_given & ~rec_given,
        "dec-rec-pairing",
        "REC",
        "a reason episode ceased (REC) when DEC is given: both present or both blank",
    )
    check.flag(
        check.alive & ~dec_given & rec_given,
        "dec-rec-pairing",
        "DEC",
        "a date episode ceased (DEC) when REC is given: both present or both blank",
    )
    if year >= 2024:
        open_after = dec.isna() | (dec > codes.P2_INVALID_AFTER)
        check.flag(
            check.alive & raw["PLACE"].eq("P2").to_numpy() & open_after.to_numpy(),
            "p2-after-28-10-2023",
            "PLACE",
            "no P2 (independent living) in an episode open after 28/10/2023 (rule 217)",
        )

    # The child's Header record in the same return: DOB and sex come from it.
    header_frame = header.frame
    position = pd.Index(header_frame["CHILD"]).get_indexer(raw["CHILD"])
    no_header = check.alive & (position < 0)
    check.flag(
        no_header,
        "no-header",
        "CHILD",
        f"a Header record for this child in the {_year_label(year)} return (there is none, "
        "or it was rejected)",
    )
    dob = pd.Series(
        header_frame["DOB"].to_numpy()[np.where(position < 0, 0, position)]
        if len(header_frame)
        else np.full(len(raw), np.datetime64("NaT"), "M8[ns]"),
        dtype="datetime64[ns]",
    ).where(position >= 0)
    check.flag(
        check.alive & (dob > decom).to_numpy(),
        "dob-after-decom",
        "DECOM",
        lambda at: [f"a date on or after the child's DOB ({d})" for d in _dates_text(dob, at)],
    )

    # Warnings: rows kept.
    alive = check.alive
    age = codes.age_in_years(dob, decom).to_numpy(dtype="float64", na_value=np.nan)
    check.flag(
        alive & (age >= 18),
        "age-18-at-start",
        "DECOM",
        lambda at: [
            f"a child under 18 at the start of the episode (DOB {d})" for d in _dates_text(dob, at)
        ],
        Severity.WARNING,
    )
    place = raw["PLACE"]
    min_age = place.map(MIN_AGE_BY_PLACE).to_numpy(dtype="float64", na_value=np.nan)
    check.flag(
        alive & (age < min_age),
        "min-age",
        "PLACE",
        lambda at: [
            f"a child aged at least {min_age[i]:.0f} for this placement (aged {age[i]:.0f} "
            "at DECOM)"
            for i in at
        ],
        Severity.WARNING,
    )
    check.flag(
        alive & raw["LS"].str.startswith("J").to_numpy() & (age < MIN_AGE_YOUTH_JUSTICE),
        "min-age",
        "LS",
        lambda at: [
            f"a child aged at least {MIN_AGE_YOUTH_JUSTICE} for a youth-justice legal status "
            f"(aged {age[i]:.0f} at DECOM)"
            for i in at
        ],
        Severity.WARNING,
    )
    home_key = _postcode_key(raw["HOME_POST"])
    same_post = (home_key == _postcode_key(raw["PL_POST"])) & home_key.ne("")
    check.flag(
        alive & same_post.to_numpy() & raw["PLACE"].ne("P1").to_numpy(),
        "home-post-equals-pl-post",
        "PL_POST",
        "a placement postcode different from HOME_POST unless PLACE is P1 (rule 392)",
        Severity.WARNING,
    )
    _check_location_columns(check)
    return _finish(check, extras, year, recorder)


def _check_location_columns(check: _FileCheck) -> None:
    """PL_DISTANCE, PL_LA and PL_LOCATION as given in the file (DfE's derived fields)."""
    raw = check.raw
    distance = pd.to_numeric(raw["PL_DISTANCE"].replace("", np.nan), errors="coerce")
    bad_distance = check.alive & (distance.isna() & raw["PL_DISTANCE"].ne("")).to_numpy()
    check.flag(
        bad_distance,
        "invalid-number",
        "PL_DISTANCE",
        "a distance in miles (number); treated as blank",
        Severity.WARNING,
    )
    location = raw["PL_LOCATION"]
    bad_location = check.alive & (location.ne("") & ~location.isin(["IN", "OUT"])).to_numpy()
    check.flag(
        bad_location,
        "unknown-code",
        "PL_LOCATION",
        "IN or OUT; treated as blank",
        Severity.WARNING,
    )
    raw["PL_DISTANCE"] = raw["PL_DISTANCE"].where(~bad_distance, "")
    raw["PL_LOCATION"] = location.where(~bad_location, "")


def _validate_other(
    name: str, display: str, table: CsvTable, year: int, recorder: _Recorder
) -> _Validated:
    check, extras = _start_check(name, display, table, year, recorder)
    if name == "uasc":
        check.check_key_duplicates(("CHILD",), "duplicate-child", "child")
        check.raw["SEX"] = check.raw["SEX"].map(codes.SEX_NORMALISED).fillna(check.raw["SEX"])
    return _finish(check, extras, year, recorder)


def _infer_year(found: _YearFiles, recorder: _Recorder, base: Path) -> int:
    """The collection year of a single-year folder, from its latest episode date."""
    display, table = found.files["episodes"]
    latest = pd.NaT
    for column in ("DECOM", "DEC"):
        dates, _ = _parse_dates(table.frame[column])
        if dates.notna().any():
            latest = dates.max() if pd.isna(latest) else max(latest, dates.max())
    if pd.isna(latest):
        raise recorder.fatal(
            _display(found.folder, base) or str(found.folder),
            "a collection year: give years=[...] or name the folder by year (e.g. 2024)",
            "year-not-known",
        )
    year = latest.year + (1 if latest.month >= 4 else 0)
    recorder.report.notes.append(
        f"Collection year {year} ({_year_label(year)}) inferred from the latest episode date "
        f"in {display} ({_format_date(latest)})."
    )
    return year


def _load_year(found: _YearFiles, recorder: _Recorder) -> dict[str, _Validated]:
    year = found.year
    assert year is not None
    display, table = found.files["header"]
    header = _validate_header(display, table, year, recorder)
    display, table = found.files["episodes"]
    result = {
        "header": header,
        "episodes": _validate_episodes(display, table, year, header, recorder),
    }
    for name, (display, table) in found.files.items():
        if name not in result:
            result[name] = _validate_other(name, display, table, year, recorder)
    return result


# --- Finding the years --------------------------------------------------------------------
def _find_years(path: Path, years: Iterable[int] | None, recorder: _Recorder) -> list[_YearFiles]:
    if not path.is_dir():
        raise recorder.fatal(
            str(path),
            "a folder of 903 returns (one sub-folder per collection year)",
            "missing-file",
        )
    wanted = None if years is None else sorted({int(y) for y in years})
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
                f"one folder per collection year; {folders[year].name} is also {_year_label(year)}",
                "duplicate-year",
            )
        folders[year] = child

    if folders:
        loose = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
        for loose_file in loose:
            recorder.add(
                _display(loose_file, path),
                "903 files inside a collection-year folder; not read",
                Severity.WARNING,
                "outside-year-folder",
            )
        if wanted is not None:
            for year in wanted:
                if year not in folders:
                    raise recorder.fatal(
                        path.name or str(path),
                        f"a folder for collection year {year} ({_year_label(year)}), "
                        f"e.g. {path.name}/{year}/; found {', '.join(map(str, sorted(folders)))}",
                        "missing-file",
                    )
            folders = {y: folders[y] for y in wanted}
        for year, folder in folders.items():
            _check_year_known(year, _display(folder, path), recorder)
        return [_scan_year_folder(folders[y], path, recorder, y) for y in sorted(folders)]

    # A single year's files directly in ``path``.
    if not any(p.is_file() and p.suffix.lower() == ".csv" for p in path.iterdir()):
        raise recorder.fatal(
            path.name or str(path),
            "903 returns: collection-year folders (e.g. 2024/) or the CSV files of one year",
            "missing-file",
        )
    if wanted is not None and len(wanted) != 1:
        raise recorder.fatal(
            path.name or str(path),
            "one collection year for a folder holding a single year's files "
            f"(years={wanted} given)",
            "year-not-known",
        )
    year = wanted[0] if wanted else parse_collection_year(path.name)
    found = _scan_year_folder(path, path, recorder, year)
    if found.year is None:
        found.year = _infer_year(found, recorder, path)
    _check_year_known(found.year, path.name or str(path), recorder)
    return [found]


def _check_year_known(year: int, where: str, recorder: _Recorder) -> None:
    """Code lists are known for some years only; validating others would reject every row."""
    if not codes.FIRST_KNOWN_YEAR <= year <= codes.LAST_KNOWN_YEAR:
        raise recorder.fatal(
            where,
            f"a collection year from {codes.FIRST_KNOWN_YEAR} to {codes.LAST_KNOWN_YEAR}, whose "
            f"code lists are known; {year} ({_year_label(year)}) is not: leave it out with "
            "years=[...]",
            "unsupported-year",
            value=str(year),
        )


def _default_la(path: Path) -> str:
    """The borough's name from its folder, skipping ``ssda903`` and year folders."""
    folder = path.resolve()
    while folder.name and (
        parse_collection_year(folder.name) is not None or folder.name.lower() == SSDA903_FOLDER
    ):
        folder = folder.parent
    return folder.name or "borough"


# --- Merging the years --------------------------------------------------------------------
def _latest_wins(frame: pd.DataFrame, key: tuple[str, ...]) -> tuple[pd.DataFrame, int]:
    """Keep, for each key, only the rows of the latest collection year that has it."""
    if frame.empty:
        return frame, 0
    latest = frame.groupby(list(key), sort=False, dropna=False)["collection_year"].transform("max")
    keep = frame["collection_year"].eq(latest).to_numpy()
    return frame.loc[keep], int((~keep).sum())


def _merge_episodes(
    frames: list[pd.DataFrame],
    header: pd.DataFrame,
    uasc: pd.DataFrame,
    la: str,
    years: list[int],
    recorder: _Recorder,
) -> pd.DataFrame:
    episodes = pd.concat(frames, ignore_index=True)
    episodes, superseded = _latest_wins(episodes, ("CHILD", "DECOM"))
    episodes = episodes.sort_values(["CHILD", "DECOM"], kind="stable").reset_index(drop=True)

    # Overlaps: an episode ending after (or still open at) the next one's start ends there.
    same_child = episodes["CHILD"].eq(episodes["CHILD"].shift(-1)).to_numpy()
    next_decom = episodes["DECOM"].shift(-1).where(same_child)
    dec = episodes["DEC"]
    overlap = (next_decom.notna() & (dec.isna() | (dec > next_decom))).to_numpy()
    if overlap.any():
        files = episodes["source_file"].to_numpy()[overlap]
        rows = episodes["source_row"].to_numpy()[overlap]
        at = np.flatnonzero(overlap)
        next_text = _dates_text(next_decom, at)
        next_where = [
            f"{f} row {r}"
            for f, r in zip(
                episodes["source_file"].to_numpy()[at + 1],
                episodes["source_row"].to_numpy()[at + 1],
                strict=True,
            )
        ]
        recorder.add_rows(
            files,
            rows,
            "DEC",
            dec[overlap].to_numpy(),
            [
                f"an end on or before the next episode's DECOM ({d}, {w}); DEC set to {d}"
                for d, w in zip(next_text, next_where, strict=True)
            ],
            Severity.WARNING,
            "overlapping-episodes",
        )
        episodes["DEC"] = dec.mask(overlap, next_decom)

    first = ~episodes["CHILD"].eq(episodes["CHILD"].shift(1)).to_numpy()
    # Only a child whose first episode starts within the loaded years can be known to be
    # starting care: an earlier start may be a continuation of care we have not been given.
    first_known = first & (episodes["DECOM"] >= codes.year_start(min(years))).to_numpy()
    not_s = first_known & episodes["RNE"].ne("S").to_numpy()
    recorder.add_rows(
        episodes["source_file"].to_numpy()[not_s],
        episodes["source_row"].to_numpy()[not_s],
        "RNE",
        episodes["RNE"].to_numpy()[not_s],
        "S (started to be looked after) for a child's first episode (rule 357)",
        Severity.WARNING,
        "first-episode-not-s",
    )
    last_year = max(years)
    stale = (episodes["DEC"].isna() & episodes["collection_year"].lt(last_year)).to_numpy()
    recorder.add_rows(
        episodes["source_file"].to_numpy()[stale],
        episodes["source_row"].to_numpy()[stale],
        "DEC",
        None,
        np.array(
            [
                f"an episode open at the end of the {_year_label(y)} return to be in the "
                "next return too; it is not: kept as recorded (open), nothing invented"
                for y in episodes["collection_year"].to_numpy()[stale]
            ],
            dtype=object,
        ),
        Severity.WARNING,
        "open-episode-not-in-later-return",
    )

    # Header fields (latest return's Header) and UASC status.
    position = pd.Index(header["CHILD"]).get_indexer(episodes["CHILD"])
    taken = np.where(position < 0, 0, position)
    for column in ("SEX", "DOB", "ETHNIC"):
        values = header[column].to_numpy()[taken] if len(header) else None
        episodes[column] = pd.Series(values, dtype=header[column].dtype).where(position >= 0)
    uasc_position = pd.Index(uasc["CHILD"]).get_indexer(episodes["CHILD"])
    episodes["UASC"] = uasc_position >= 0
    duc = (
        uasc["DUC"].to_numpy()[np.where(uasc_position < 0, 0, uasc_position)]
        if len(uasc)
        else np.full(len(episodes), np.datetime64("NaT"), "M8[ns]")
    )
    episodes["DUC"] = pd.Series(duc, dtype="datetime64[ns]").where(uasc_position >= 0)
    episodes["la"] = la
    episodes["placement_category"] = codes.placement_category(
        episodes["PLACE"], episodes["PLACE_PROVIDER"]
    )
    recorder.report.notes.append(
        f"{superseded} episode records superseded by a later return; "
        f"{len(episodes)} episodes in the longitudinal table."
    )
    if overlap.any():
        recorder.report.notes.append(
            f"{int(overlap.sum())} overlapping episodes truncated to the next episode's start."
        )
    return episodes


def _typed_episodes(episodes: pd.DataFrame) -> pd.DataFrame:
    """The contract: exactly EPISODE_COLUMNS with their dtypes, sorted, fresh index."""
    out = pd.DataFrame(index=episodes.index)
    out["la"] = episodes["la"].astype("string")
    out["CHILD"] = episodes["CHILD"].astype("string")
    out["DECOM"] = episodes["DECOM"].astype("datetime64[ns]")
    out["DEC"] = episodes["DEC"].astype("datetime64[ns]")
    for column in _EPISODE_TEXT:
        out[column] = _blank_to_na(episodes[column])
    out["SEX"] = _blank_to_na(episodes["SEX"])
    out["DOB"] = episodes["DOB"].astype("datetime64[ns]")
    out["ETHNIC"] = _blank_to_na(episodes["ETHNIC"])
    out["UASC"] = episodes["UASC"].astype(bool)
    out["DUC"] = episodes["DUC"].astype("datetime64[ns]")
    out["placement_category"] = episodes["placement_category"].astype("string")
    out["PL_DISTANCE"] = pd.to_numeric(_blank_to_na(episodes["PL_DISTANCE"])).astype("Float64")
    out["PL_LA"] = _blank_to_na(episodes["PL_LA"])
    out["PL_LOCATION"] = _blank_to_na(episodes["PL_LOCATION"])
    out["collection_year"] = episodes["collection_year"].astype("Int64")
    out["source_file"] = episodes["source_file"].astype("string")
    out["source_row"] = episodes["source_row"].astype("Int64")
    out = out.sort_values(["la", "CHILD", "DECOM"], kind="stable").reset_index(drop=True)
    return out[list(EPISODE_COLUMNS)]


def _blank_to_na(values: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
        return values
    text = values.astype("string")
    return text.mask(text.eq(""))


def _typed_table(name: str, frame: pd.DataFrame | None) -> pd.DataFrame:
    """A merged table with its final dtypes (an empty one when no year had the file)."""
    spec = TABLE_SPECS[name]
    if frame is None:
        return _empty_table(name).copy()
    out = pd.DataFrame(index=frame.index)
    for column in spec.columns:
        if column in spec.dates:
            out[column] = frame[column].astype("datetime64[ns]")
        else:
            out[column] = _blank_to_na(frame[column])
    out["collection_year"] = frame["collection_year"].astype("Int64")
    out["source_file"] = frame["source_file"].astype("string")
    out["source_row"] = frame["source_row"].astype("Int64")
    sort = [c for c in (spec.merge_key or ("CHILD",)) if c in out.columns]
    out = out.sort_values([*sort, "collection_year"], kind="stable").reset_index(drop=True)
    return out


@functools.cache
def _empty_table(name: str) -> pd.DataFrame:
    # Built once per table: most boroughs lack most optional files, and building typed
    # empty frames is a noticeable share of a small borough's load time.
    spec = TABLE_SPECS[name]
    columns: dict[str, pd.Series] = {
        c: pd.Series(dtype="datetime64[ns]" if c in spec.dates else "string") for c in spec.columns
    }
    columns["collection_year"] = pd.Series(dtype="Int64")
    columns["source_file"] = pd.Series(dtype="string")
    columns["source_row"] = pd.Series(dtype="Int64")
    return pd.DataFrame(columns)


# --- Placement location ------------------------------------------------------------------
#: ONS code initials of the other UK nations: DfE's PL_LA for placements outside England.
_NATION_BY_INITIAL = {"S": "SCO", "N": "NIR", "W": "WAL"}
_KM_PER_MILE = 1.6093


def _postcode_key(postcodes: pd.Series) -> pd.Series:
    """Postcodes compared case- and space-insensitively."""
    return postcodes.astype("string").str.upper().str.replace(" ", "", regex=False).fillna("")


def read_postcode_directory(path: str | Path) -> pd.DataFrame:
    """Read a postcode directory (ONSPD columns pcd, oseast1m, osnrth1m, oslaua).

    Other columns are not read (the ONSPD is wide). Returns ``pcd`` and ``oslaua`` as
    strings and the grid references as ``Float64`` (``<NA>`` where the directory has none).
    Raises :class:`FatalValidationError` for a missing file or column.
    """
    path = Path(path)
    report = ValidationReport()
    if not path.is_file():
        raise report.fatal(
            path, "a postcode directory CSV (pcd, oseast1m, osnrth1m, oslaua)", rule="missing-file"
        )
    wanted = [normalise_column(c) for c in POSTCODE_COLUMNS]
    try:
        table = read_csv_strings(path, usecols=wanted)
    except CsvReadError as error:
        raise report.fatal(
            path,
            f"a readable CSV file: {error.message}",
            row=error.line,
            value=error.value,
            rule="unreadable-file",
        ) from error
    missing = [c for c in wanted if c not in table.columns]
    if missing:
        raise report.fatal(
            path,
            f"columns {', '.join(POSTCODE_COLUMNS)}",
            row=1,
            column=missing[0].lower(),
            rule="missing-column",
        )
    return _postcode_frame(table.frame.rename(columns=str.lower))


def _postcode_frame(frame: pd.DataFrame) -> pd.DataFrame:
    renamed = frame.rename(columns={c: str(c).strip().lower() for c in frame.columns})
    missing = [c for c in POSTCODE_COLUMNS if c not in renamed.columns]
    if missing:
        raise ValueError(
            f"postcode directory frame lacks column(s) {', '.join(missing)}; expected "
            f"{', '.join(POSTCODE_COLUMNS)}"
        )
    return pd.DataFrame(
        {
            "pcd": renamed["pcd"].astype("string"),
            "oseast1m": pd.to_numeric(renamed["oseast1m"], errors="coerce").astype("Float64"),
            "osnrth1m": pd.to_numeric(renamed["osnrth1m"], errors="coerce").astype("Float64"),
            "oslaua": _blank_to_na(renamed["oslaua"].astype("string").str.strip().str.upper()),
        }
    )


def add_placement_locations(
    episodes: pd.DataFrame, postcodes: pd.DataFrame, la_code: str | None
) -> tuple[pd.DataFrame, list[str]]:
    """Derive PL_DISTANCE, PL_LA and PL_LOCATION from HOME_POST and PL_POST (reference §2.2).

    PL_DISTANCE is the straight line between the postcodes' OS grid references in miles
    (``sqrt(dE² + dN²) / 1000 / 1.6093``, 1 dp); blank for UASC children and for V3/V4
    short breaks, which also get no PL_LA. PL_LA is the placement postcode's ``oslaua`` (SCO,
    NIR or WAL outside England) and PL_LOCATION is IN when PL_LA is ``la_code``, else OUT.
    Values already in ``episodes`` are kept; only blanks are filled. Returns the frame and
    notes on postcodes not found.
    """
    directory = _postcode_frame(postcodes)
    directory = directory.assign(key=_postcode_key(directory["pcd"]))
    directory = directory.loc[directory["key"].ne("")].drop_duplicates("key")
    index = pd.Index(directory["key"])
    home_key = _postcode_key(episodes["HOME_POST"])
    place_key = _postcode_key(episodes["PL_POST"])
    home_at = index.get_indexer(home_key)
    place_at = index.get_indexer(place_key)

    def pick(column: str, at: np.ndarray) -> pd.Series:
        values = (
            directory[column].to_numpy(dtype=object)[np.where(at < 0, 0, at)]
            if len(directory)
            else np.full(len(at), None, dtype=object)
        )
        return pd.Series(values, index=episodes.index, dtype=directory[column].dtype).where(at >= 0)

    short_break = episodes["LS"].isin(list(codes.SHORT_BREAK_LS)).fillna(False).to_numpy()
    uasc = episodes["UASC"].to_numpy(dtype=bool)
    east = pick("oseast1m", home_at) - pick("oseast1m", place_at)
    north = pick("osnrth1m", home_at) - pick("osnrth1m", place_at)
    # DfE's formula, "taken straight from the guidance" (reference §2.2).
    miles = (np.sqrt(east**2 + north**2) / 1000 / _KM_PER_MILE).round(1)
    miles = miles.mask(short_break | uasc)
    place_la = pick("oslaua", place_at).astype("string")
    nation = place_la.str[0].map(_NATION_BY_INITIAL)
    place_la = nation.fillna(place_la).astype("string").mask(short_break)

    out = episodes.copy()
    out["PL_DISTANCE"] = out["PL_DISTANCE"].astype("Float64").fillna(miles.astype("Float64"))
    out["PL_LA"] = out["PL_LA"].astype("string").fillna(place_la)
    notes: list[str] = []
    if la_code is not None:
        location = pd.Series(
            np.where(place_la.eq(la_code.strip().upper()).fillna(False), "IN", "OUT"),
            index=out.index,
            dtype="string",
        ).where(place_la.notna())
        out["PL_LOCATION"] = out["PL_LOCATION"].astype("string").fillna(location)
    else:
        notes.append("PL_LOCATION not derived: no la_code given for the borough.")
    looked_up = ~short_break
    unmatched = looked_up & (
        ((home_at < 0) & home_key.ne("").to_numpy())
        | ((place_at < 0) & place_key.ne("").to_numpy())
    )
    if unmatched.any():
        missing_codes = pd.concat(
            [
                episodes["HOME_POST"][looked_up & (home_at < 0) & home_key.ne("").to_numpy()],
                episodes["PL_POST"][looked_up & (place_at < 0) & place_key.ne("").to_numpy()],
            ]
        )
        notes.append(
            f"{int(unmatched.sum())} episodes have a HOME_POST or PL_POST not found in the "
            f"postcode directory ({missing_codes.nunique()} distinct postcodes); their "
            "PL_DISTANCE is blank."
        )
    return out, notes


# --- The entry point ----------------------------------------------------------------------
def load_borough(
    path: str | Path,
    *,
    la: str | None = None,
    years: Iterable[int] | None = None,
    la_code: str | None = None,
    postcodes: pd.DataFrame | None = None,
    strict: bool = False,
) -> Return903:
    """Read, validate and merge a borough's 903 returns (see the module docstring).

    ``path`` holds one sub-folder per collection year (``2024``, ``2023-24``, ``2023_24``),
    or the CSV files of a single year (whose year is ``years``, else the folder's name, else
    inferred from the latest episode date). ``la`` names the borough (default: its folder);
    ``years`` limits which years are read. With ``postcodes`` (a postcode directory frame,
    see :func:`read_postcode_directory`) PL_DISTANCE, PL_LA and, with ``la_code``,
    PL_LOCATION are derived. ``strict`` makes every error fatal.

    Raises :class:`FatalValidationError` (naming file, row, column and value) when the
    returns cannot be used; nothing partial is returned.
    """
    path = Path(path)
    report = ValidationReport()
    recorder = _Recorder(report, strict)
    la = la or _default_la(path)
    found_years = _find_years(path, years, recorder)
    recorder.stop_if_fatal()

    per_year: dict[int | None, dict[str, _Validated]] = {}
    for found in found_years:
        per_year[found.year] = _load_year(found, recorder)
        found.files.clear()  # the raw text frames are no longer needed: free them early
    loaded = sorted(y for y in per_year if y is not None)

    merged: dict[str, pd.DataFrame | None] = {}
    extras: dict[str, pd.DataFrame] = {}
    superseded_notes = []
    for name, spec in TABLE_SPECS.items():
        parts = [per_year[y][name] for y in loaded if name in per_year[y]]
        if not parts:
            merged[name] = None
            continue
        frame = pd.concat([p.frame for p in parts], ignore_index=True)
        extra = pd.concat([p.extras for p in parts], ignore_index=True)
        if extra.shape[1] > 3:
            extras[name] = extra
        if name != "episodes" and spec.merge_key is not None:
            frame, superseded = _latest_wins(frame, spec.merge_key)
            if superseded:
                superseded_notes.append(f"{superseded} {spec.label}")
        merged[name] = frame
    if superseded_notes:
        report.notes.append(
            "Records superseded by a later return in other tables: "
            + ", ".join(superseded_notes)
            + "."
        )
    header = merged["header"]
    uasc = (
        merged["uasc"]
        if merged["uasc"] is not None
        else pd.DataFrame({"CHILD": pd.Series(dtype=str), "DUC": pd.Series(dtype="datetime64[ns]")})
    )
    assert header is not None
    episodes = _merge_episodes(
        [per_year[y]["episodes"].frame for y in loaded], header, uasc, la, loaded, recorder
    )
    if postcodes is not None:
        episodes, notes = add_placement_locations(_typed_episodes(episodes), postcodes, la_code)
        report.notes.extend(notes)
    episodes = _typed_episodes(episodes)
    gaps = sorted(set(range(loaded[0], loaded[-1] + 1)) - set(loaded))
    if gaps:
        report.notes.append(
            f"No return for {', '.join(map(str, gaps))}: episodes of those years may be missing."
        )
    tables = {name: _typed_table(name, merged[name]) for name in TABLE_SPECS if name != "episodes"}
    return Return903(la, loaded, episodes, tables, report, extras)
