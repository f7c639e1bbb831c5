"""Row-by-row checks shared by the readers of the inputs that are not the 903.

The spend, referrals, needs and provider readers each open their CSV with
:func:`open_input` and check it through a :class:`RowChecks`: every problem becomes a
:class:`~mps.data.validation.ValidationIssue` naming the file, line, column, value and what
was expected. An ``error`` rejects the row, a ``warning`` keeps it, and the report counts
rows read, kept and rejected, so nothing is dropped without a record.

A reader called without a report (``report=None``) must not lose rows quietly either:
:meth:`RowChecks.finish` then raises :class:`~mps.data.validation.FatalValidationError`
for the first rejected row, saying how many rows were affected.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mps.data.csv_reader import CsvReadError, CsvTable, normalise_column, read_csv_strings
from mps.data.validation import (
    FatalValidationError,
    Severity,
    ValidationIssue,
    ValidationReport,
)

DATE_FORMAT = "%d/%m/%Y"
#: Dates outside this range are typing mistakes, not dates of a placement or request.
DATE_RANGE = (pd.Timestamp("1990-01-01"), pd.Timestamp("2099-12-31"))


def open_input(
    path: str | Path,
    *,
    table: str,
    required: Sequence[str],
    report: ValidationReport,
    csv: CsvTable | None = None,
) -> RowChecks:
    """Read ``path`` as strings and check it has a header with every ``required`` column.

    ``table`` names the input in messages ("spend", "referrals"...). Column names match
    case-insensitively (``Weekly_Cost`` is ``weekly_cost``); the frame's columns are the
    names in ``required`` followed by any others, normalised. A missing or unreadable file,
    a file without a header or data rows, or a missing column is fatal. ``csv`` passes a
    table already read (the provider register, read after its preamble).
    """
    path = Path(path)
    name = str(path)
    if csv is None:
        if not path.is_file():
            raise report.fatal(name, f"a {table} file at this path", rule="missing-file")
        try:
            csv = read_csv_strings(path)
        except CsvReadError as error:
            raise report.fatal(
                name,
                f"a CSV file: {error.message}",
                row=error.line,
                value=error.value,
                rule="unreadable-file",
            ) from error
    if not csv.has_header:
        raise report.fatal(name, f"a header row naming the {table} columns", rule="empty-file")
    wanted = {normalise_column(c): c for c in required}
    missing = [column for key, column in wanted.items() if key not in csv.columns]
    if missing:
        raise report.fatal(
            name,
            f"a column named {missing[0]} (the {table} file needs {', '.join(required)})",
            column=missing[0],
            rule="missing-column",
        )
    if csv.frame.empty:
        raise report.fatal(name, f"at least one row of {table} data", rule="empty-file")
    frame = csv.frame.rename(columns={key: column for key, column in wanted.items()})
    report.count_rows(name, table, len(frame))
    return RowChecks(file=name, table=table, raw=frame, line=csv.line, report=report)


@dataclass
class RowChecks:
    """The rows of one input file being validated; errors set ``rejected``."""

    file: str
    table: str
    raw: pd.DataFrame  # stripped strings, "" when blank
    line: np.ndarray  # file line number of each row (header = 1)
    report: ValidationReport
    rejected: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.rejected = np.zeros(len(self.raw), dtype=bool)

    @property
    def alive(self) -> np.ndarray:
        """Rows not rejected so far: later checks look only at these."""
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

        ``expected`` is one text for all rows or a function of the flagged positions giving
        one text each; ``values`` defaults to the raw values of ``column``.
        """
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        at = np.flatnonzero(mask)
        if values is None and column is not None:
            values = self.raw[column].to_numpy()
        shown = [None] * len(at) if values is None else [_text(v) for v in np.asarray(values)[at]]
        texts = [expected] * len(at) if isinstance(expected, str) else list(expected(at))
        self.report.extend(
            ValidationIssue(self.file, int(self.line[i]), column, value, text, severity, rule)
            for i, value, text in zip(at, shown, texts, strict=True)
        )
        if severity == Severity.ERROR:
            self.rejected |= mask

    # -- checks --------------------------------------------------------------------------
    def required_values(self, columns: Sequence[str]) -> None:
        """A blank in any of ``columns`` rejects the row."""
        for column in columns:
            self.flag(
                self.alive & self.raw[column].eq("").to_numpy(),
                "missing-value",
                column,
                f"a value: {column} must not be blank in the {self.table} file",
            )

    def dates(self, column: str, *, required: bool) -> pd.Series:
        """Parse a DD/MM/YYYY column; a value that is not a real date rejects the row.

        Blank gives NaT (and rejects the row when ``required``).
        """
        raw = self.raw[column]
        parsed = pd.to_datetime(raw.where(raw.ne(""), None), format=DATE_FORMAT, errors="coerce")
        parsed = parsed.where(parsed.between(*DATE_RANGE))
        bad = parsed.isna().to_numpy() & raw.ne("").to_numpy()
        self.flag(self.alive & bad, "invalid-date", column, "a real date written DD/MM/YYYY")
        if required:
            self.required_values([column])
        return parsed.astype("datetime64[ns]")

    def numbers(
        self,
        column: str,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        whole: bool = False,
        required: bool = True,
        expected: str | None = None,
        strip: str = "",
    ) -> pd.Series:
        """Parse a numeric column; a value that is not a number in range rejects the row.

        Thousands separators (``1,234``) and the characters in ``strip`` (e.g. ``"£"``) are
        ignored. Blank gives NaN (and rejects the row when ``required``).
        """
        raw = self.raw[column]
        text = raw.str.replace(",", "", regex=False)
        for character in strip:
            text = text.str.replace(character, "", regex=False)
        values = pd.to_numeric(text.where(text.ne(""), None), errors="coerce").astype("float64")
        bad = values.isna() & raw.ne("")
        if minimum is not None:
            bad |= values < minimum
        if maximum is not None:
            bad |= values > maximum
        if whole:
            bad |= values.notna() & (values % 1 != 0)
        if expected is None:
            expected = _number_text(whole, minimum, maximum)
        self.flag(self.alive & bad.to_numpy(), "not-a-number", column, expected)
        if required:
            self.required_values([column])
        return values

    def codes(
        self,
        column: str,
        allowed: Sequence[str],
        *,
        required: bool = True,
        what: str = "",
        normalise: Callable[[pd.Series], pd.Series] | None = None,
    ) -> pd.Series:
        """Lower-case a coded column (or apply ``normalise``) and reject rows whose value is
        not one of ``allowed``; issues show the value as written in the file."""
        raw = self.raw[column]
        values = raw.str.lower() if normalise is None else normalise(raw)
        bad = values.ne("") & ~values.isin(list(allowed))
        listed = ", ".join(allowed)
        self.flag(self.alive & bad.to_numpy(), "unknown-code", column, what or f"one of: {listed}")
        if required:
            self.required_values([column])
        return values

    def exact_duplicates(self, columns: Sequence[str]) -> None:
        """A row repeating an earlier row in every column: warned, and one copy kept."""
        whole = self.raw[list(columns)]
        duplicate = whole.duplicated(keep="first").to_numpy() & self.alive
        if not duplicate.any():
            return
        key = pd.util.hash_pandas_object(whole, index=False).to_numpy()
        first_line = pd.Series(self.line).groupby(key).transform("first").to_numpy()
        self.flag(
            duplicate,
            "duplicate-row",
            None,
            lambda at: [
                f"a row not repeated: the same as line {first_line[i]}; one copy kept" for i in at
            ],
            Severity.WARNING,
        )
        self.rejected |= duplicate  # the copy is not used: counted as rejected

    # -- result --------------------------------------------------------------------------
    def kept(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``frame`` (aligned with the raw rows) not rejected, with the file line
        of each as ``source_row``; records the rejected rows in the report's counts."""
        self.report.reject_rows(self.file, int(self.rejected.sum()))
        kept = frame.loc[self.alive].copy()
        kept["source_row"] = pd.array(self.line[self.alive], dtype="Int64")
        return kept.reset_index(drop=True)

    def finish(self, own_report: bool) -> None:
        """With no report passed by the caller, a rejected row stops the read (nothing is
        dropped quietly); the error names the first issue and how many rows had one."""
        if not own_report or not self.rejected.any():
            return
        errors = [
            issue
            for issue in self.report.issues
            if issue.file == self.file and issue.severity == Severity.ERROR
        ]
        first = errors[0]
        rows = int(self.rejected.sum())
        expected = (
            f"{first.expected} ({rows} row(s) of this file break a rule; pass a "
            "ValidationReport to keep the good rows and list every problem)"
        )
        raise FatalValidationError(
            ValidationIssue(
                first.file,
                first.row,
                first.column,
                first.value,
                expected,
                Severity.FATAL,
                first.rule,
            ),
            self.report,
        )


def _number_text(whole: bool, minimum: float | None, maximum: float | None) -> str:
    kind = "a whole number" if whole else "a number"
    if minimum is not None and maximum is not None:
        return f"{kind} from {minimum:g} to {maximum:g}"
    if minimum is not None:
        return f"{kind}, {minimum:g} or more"
    if maximum is not None:
        return f"{kind} of at most {maximum:g}"
    return kind


def _text(value: object) -> str | None:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    return str(value)
