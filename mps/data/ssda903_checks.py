"""Row-level validation of one collection year's 903 tables (reference §2.3-2.6).

Every shape a return comes in arrives here as :class:`~mps.data.ssda903_spec.RawTable` text
frames, so every row of every shape is checked by the same rules. Each rule has a short id
such as ``"dob-after-decom"``. An *error* rejects its row (counted, never silently dropped);
a *warning* keeps the row, perhaps repaired. Everything is vectorised: per-row Python work is
done only for the rows that have an issue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from mps import codes
from mps.data.ssda903_spec import (
    ANY_SEX,
    DATE_FORMAT,
    DATE_RANGE,
    MIN_AGE_BY_PLACE,
    MIN_AGE_YOUTH_JUSTICE,
    TABLE_SPECS,
    RawTable,
    TableSpec,
    postcode_key,
    year_label,
)
from mps.data.validation import (
    FatalValidationError,
    Severity,
    ValidationIssue,
    ValidationReport,
)


# --- Issue recording ----------------------------------------------------------------------
class Recorder:
    """Records issues in the report; in strict mode every error is recorded as fatal.

    Tables read from one XML record share its line (a child's Header, UASC and OC3 rows all
    come from its ``HEADER`` element): issues recorded with a ``scope`` are listed once per
    scope, row, column and rule, so a bad DOB is reported once, not once per table.
    """

    def __init__(self, report: ValidationReport, strict: bool):
        self.report = report
        self.strict = strict
        self._seen: dict[str, set[tuple[int, str | None, str]]] = {}
        self._once: set[tuple[str, str]] = set()

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

    def add_once(self, file: str, expected: str, severity: Severity, rule: str, **where) -> None:
        """Record a file-level issue only the first time for this file and rule (a pooled
        file is validated one collection year at a time, but its columns are one problem)."""
        if (file, rule) in self._once:
            return
        self._once.add((file, rule))
        self.add(file, expected, severity, rule, **where)

    def add_rows(
        self,
        files: str | np.ndarray,
        rows: np.ndarray,
        column: str | None,
        values: np.ndarray | None,
        expected: str | Sequence[str],
        severity: Severity,
        rule: str,
        scope: str = "",
    ) -> None:
        """One issue per row; only called with the rows that have the issue."""
        count = len(rows)
        if not count:
            return
        severity = self.severity(severity)
        file_list = [files] * count if isinstance(files, str) else [str(f) for f in files]
        value_list = [None] * count if values is None else [issue_text(v) for v in values]
        expected_list = [expected] * count if isinstance(expected, str) else list(expected)
        issues = [
            ValidationIssue(f, int(r), column, v, e, severity, rule)
            for f, r, v, e in zip(file_list, rows, value_list, expected_list, strict=True)
        ]
        if scope:
            seen = self._seen.setdefault(scope, set())
            fresh = []
            for issue in issues:
                key = (issue.row, column, rule)
                if key not in seen:
                    seen.add(key)
                    fresh.append(issue)
            issues = fresh
        self.report.extend(issues)

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


def issue_text(value: object) -> str | None:
    """An issue's value as text; ``None`` for a missing value (NA, NaT, NaN)."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp | np.datetime64):
        return format_date(pd.Timestamp(value))
    return str(value)


def format_date(date: pd.Timestamp) -> str:
    return "" if pd.isna(date) else date.strftime("%d/%m/%Y")


def dates_text(dates: pd.Series, at: np.ndarray) -> list[str]:
    """DD/MM/YYYY text of the dates at positions ``at`` (only flagged rows are formatted)."""
    return [format_date(pd.Timestamp(d)) for d in dates.to_numpy()[at]]


# --- Reading one file ---------------------------------------------------------------------
#: ISO dates as pooled files write them (``2024-03-31``, perhaps with a midnight time).
_ISO_DATE = re.compile(r"^(\d{4})[-/](\d{2})[-/](\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")


def parse_dates(raw: pd.Series, *, iso: bool = False) -> tuple[pd.Series, np.ndarray]:
    """Parse DD/MM/YYYY strictly (also YYYY-MM-DD with ``iso``); returns the dates and a
    mask of non-blank failures.

    Only the distinct values are parsed (a return has far fewer distinct dates than rows).
    """
    codes_, uniques = pd.factorize(raw, use_na_sentinel=True)
    parsed = pd.to_datetime(pd.Index(uniques), format=DATE_FORMAT, errors="coerce")
    failed = parsed.isna() & (pd.Index(uniques) != "")
    if iso and failed.any():
        # Rewrite ISO values as DD/MM/YYYY so one strict format decides what a real date is.
        text = pd.Series(uniques[failed], dtype=object).astype(str)
        found = text.str.extract(_ISO_DATE)
        rewritten = found[2] + "/" + found[1] + "/" + found[0]
        again = pd.to_datetime(pd.Index(rewritten), format=DATE_FORMAT, errors="coerce")
        values = parsed.to_numpy(copy=True)
        values[np.flatnonzero(failed)] = again.to_numpy()
        parsed = pd.DatetimeIndex(values)
    in_range = (parsed >= DATE_RANGE[0]) & (parsed <= DATE_RANGE[1])
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
class FileCheck:
    """The rows of one file being validated; errors set ``rejected``."""

    file: str
    spec: TableSpec
    year: int
    raw: pd.DataFrame  # known columns, stripped strings ("" blank)
    line: np.ndarray
    recorder: Recorder
    scope: str = ""
    iso_dates: bool = False
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
        self.recorder.add_rows(
            self.file, self.line[mask], column, picked, expected, severity, rule, self.scope
        )
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
            dates, bad = parse_dates(self.raw[column], iso=self.iso_dates)
            self.dates[column] = dates
            self.flag(
                self.alive & bad,
                "invalid-date",
                column,
                "a real date written YYYY-MM-DD or DD/MM/YYYY"
                if self.iso_dates
                else "a real date written DD/MM/YYYY",
            )

    def check_codes(self) -> None:
        for column in self.spec.codes:
            self.raw[column] = self.raw[column].str.upper()
            valid = codes.valid_codes(column, self.year)
            self.check_code_list(column, valid, f"valid in {year_label(self.year)}")
        if self.spec.name == "uasc":
            self.raw["SEX"] = self.raw["SEX"].str.upper()
            self.check_code_list("SEX", ANY_SEX, "of any year")

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


# --- Validating one year ------------------------------------------------------------------
@dataclass
class Validated:
    """A file's kept rows: typed known columns, plus source columns; extras aside."""

    frame: pd.DataFrame
    extras: pd.DataFrame


def start_check(
    name: str, table: RawTable, year: int, recorder: Recorder
) -> tuple[FileCheck, pd.DataFrame]:
    """Count the table's rows and run the checks every table gets; returns the check and the
    table's extra columns (kept aside, reported once)."""
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
    display = table.display
    if extra_names:
        recorder.add_once(
            display,
            f"only the {spec.label} columns of the DfE layout; the extra columns are kept "
            "aside and not used",
            Severity.WARNING,
            "extra-columns",
            value=", ".join(table.raw_name(c) for c in extra_names)[:200],
        )
    check = FileCheck(display, spec, year, raw, table.line, recorder, table.scope, table.iso_dates)
    recorder.report.count_rows(display, name, len(raw))
    check.check_exact_duplicates(frame[known + extra_names])
    check.check_blanks()
    check.check_dates()
    check.check_codes()
    return check, frame[extra_names]


def finish(check: FileCheck, extras: pd.DataFrame, year: int, recorder: Recorder) -> Validated:
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
    return Validated(frame, extras)


def validate_header(table: RawTable, year: int, recorder: Recorder) -> Validated:
    check, extras = start_check("header", table, year, recorder)
    check.check_key_duplicates(("CHILD",), "duplicate-child", "child")
    check.raw["SEX"] = check.raw["SEX"].map(codes.SEX_NORMALISED).fillna(check.raw["SEX"])
    return finish(check, extras, year, recorder)


def validate_episodes(
    table: RawTable,
    year: int,
    header: Validated,
    recorder: Recorder,
) -> Validated:
    check, extras = start_check("episodes", table, year, recorder)
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
        f"an episode starting by the end of the {year_label(year)} return ({format_date(end)})",
    )
    check.flag(
        check.alive & (dec < decom).to_numpy(),
        "dec-before-decom",
        "DEC",
        lambda at: [f"a date on or after DECOM ({d})" for d in dates_text(decom, at)],
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
        f"a Header record for this child in the {year_label(year)} return (there is none, "
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
        lambda at: [f"a date on or after the child's DOB ({d})" for d in dates_text(dob, at)],
    )

    # Warnings: rows kept.
    alive = check.alive
    age = codes.age_in_years(dob, decom).to_numpy(dtype="float64", na_value=np.nan)
    check.flag(
        alive & (age >= 18),
        "age-18-at-start",
        "DECOM",
        lambda at: [
            f"a child under 18 at the start of the episode (DOB {d})" for d in dates_text(dob, at)
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
    home_key = postcode_key(raw["HOME_POST"])
    same_post = (home_key == postcode_key(raw["PL_POST"])) & home_key.ne("")
    check.flag(
        alive & same_post.to_numpy() & raw["PLACE"].ne("P1").to_numpy(),
        "home-post-equals-pl-post",
        "PL_POST",
        "a placement postcode different from HOME_POST unless PLACE is P1 (rule 392)",
        Severity.WARNING,
    )
    check_location_columns(check)
    return finish(check, extras, year, recorder)


def check_location_columns(check: FileCheck) -> None:
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


def validate_other(name: str, table: RawTable, year: int, recorder: Recorder) -> Validated:
    check, extras = start_check(name, table, year, recorder)
    if name == "uasc":
        check.check_key_duplicates(("CHILD",), "duplicate-child", "child")
        check.raw["SEX"] = check.raw["SEX"].map(codes.SEX_NORMALISED).fillna(check.raw["SEX"])
    return finish(check, extras, year, recorder)


def validate_year(
    tables: Mapping[str, RawTable], year: int, recorder: Recorder
) -> dict[str, Validated]:
    """Validate one collection year's tables (Header first: episodes are checked against it)."""
    header = validate_header(tables["header"], year, recorder)
    result = {
        "header": header,
        "episodes": validate_episodes(tables["episodes"], year, header, recorder),
    }
    for name, table in tables.items():
        if name not in result:
            result[name] = validate_other(name, table, year, recorder)
    return result
