"""Validation issues and reports shared by every input reader.

Every reader in :mod:`mps.data` records what it finds as :class:`ValidationIssue`
rows in a :class:`ValidationReport`. Three severities:

``fatal``
    The input cannot be used at all (a missing file or column, an empty or
    unreadable file). The borough stops: :meth:`ValidationReport.raise_if_fatal`
    raises :class:`FatalValidationError` naming the file, row, column and value.
``error``
    One row breaks a rule (an unknown code, an impossible date, DOB after DECOM).
    The row is rejected and counted; the rest of the file is used.
``warning``
    The row is kept, perhaps repaired (an overlapping episode truncated to the next
    start), and the repair is recorded.

Row numbers are the line numbers an analyst sees when opening the file in a text
editor or Excel: the header is line 1, the first data row line 2.

The report also keeps a row count per file, so ``rows read = rows kept + rows
rejected`` can be checked and printed: nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

import pandas as pd


class Severity(StrEnum):
    """How bad a validation issue is: see the module docstring."""

    FATAL = "fatal"
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class ValidationIssue:
    """One problem found in an input file.

    ``row`` is the 1-based line number in the file (header = 1) or ``None`` when the
    problem concerns the whole file. ``rule`` is a short identifier of the rule broken
    (for example ``"unknown-code"`` or ``"dob-after-decom"``).
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    severity: Severity
    rule: str = ""

    def describe(self) -> str:
        """A one-line, plain-English description naming file, row, column and value."""
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        value = "(blank)" if self.value in (None, "") else repr(self.value)
        what = f"value {value}: expected {self.expected}" if self.column else self.expected
        return f"{self.severity.value.upper()} [{self.rule or 'rule'}] {where}: {what}"


@dataclass
class FileCount:
    """Rows read, kept and rejected for one input file."""

    file: str
    table: str
    rows_read: int = 0
    rows_rejected: int = 0

    @property
    def rows_kept(self) -> int:
        return self.rows_read - self.rows_rejected


class FatalValidationError(Exception):
    """Raised when an input cannot be used; carries the issue that stopped it."""

    def __init__(self, issue: ValidationIssue, report: ValidationReport | None = None):
        super().__init__(issue.describe())
        self.issue = issue
        self.report = report


@dataclass
class ValidationReport:
    """The issues and row counts of one borough's (or one file's) inputs."""

    issues: list[ValidationIssue] = field(default_factory=list)
    counts: dict[str, FileCount] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    # -- recording ---------------------------------------------------------------------
    def add(self, issue: ValidationIssue) -> None:
        self.issues.append(issue)

    def extend(self, issues: Iterable[ValidationIssue]) -> None:
        self.issues.extend(issues)

    def fatal(
        self,
        file: str | Path,
        expected: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
        rule: str = "",
    ) -> FatalValidationError:
        """Record a fatal issue and return the exception to raise for it."""
        issue = ValidationIssue(str(file), row, column, value, expected, Severity.FATAL, rule)
        self.add(issue)
        return FatalValidationError(issue, self)

    def count_rows(self, file: str | Path, table: str, rows_read: int) -> FileCount:
        count = self.counts.setdefault(str(file), FileCount(str(file), table))
        count.rows_read += rows_read
        return count

    def reject_rows(self, file: str | Path, rows: int) -> None:
        self.counts[str(file)].rows_rejected += rows

    def merge(self, other: ValidationReport) -> None:
        self.issues.extend(other.issues)
        for name, count in other.counts.items():
            mine = self.counts.setdefault(name, FileCount(name, count.table))
            mine.rows_read += count.rows_read
            mine.rows_rejected += count.rows_rejected
        self.notes.extend(other.notes)

    # -- reading -----------------------------------------------------------------------
    def by_severity(self, severity: Severity) -> list[ValidationIssue]:
        return [issue for issue in self.issues if issue.severity == severity]

    @property
    def has_fatal(self) -> bool:
        return any(issue.severity == Severity.FATAL for issue in self.issues)

    def raise_if_fatal(self) -> None:
        """Raise :class:`FatalValidationError` for the first fatal issue, if any."""
        for issue in self.issues:
            if issue.severity == Severity.FATAL:
                raise FatalValidationError(issue, self)

    @property
    def rows_read(self) -> int:
        return sum(c.rows_read for c in self.counts.values())

    @property
    def rows_rejected(self) -> int:
        return sum(c.rows_rejected for c in self.counts.values())

    @property
    def rows_kept(self) -> int:
        return self.rows_read - self.rows_rejected

    def issues_frame(self) -> pd.DataFrame:
        """All issues as a table (the CSV the analyst opens)."""
        columns = ["severity", "rule", "file", "row", "column", "value", "expected"]
        if not self.issues:
            return pd.DataFrame(columns=columns)
        frame = pd.DataFrame([asdict(issue) for issue in self.issues])
        frame["severity"] = frame["severity"].map(lambda s: Severity(s).value)
        frame["row"] = frame["row"].astype("Int64")
        return frame[columns]

    def counts_frame(self) -> pd.DataFrame:
        """Rows read, kept and rejected per file."""
        rows = [
            {
                "file": c.file,
                "table": c.table,
                "rows_read": c.rows_read,
                "rows_kept": c.rows_kept,
                "rows_rejected": c.rows_rejected,
            }
            for c in self.counts.values()
        ]
        return pd.DataFrame(
            rows, columns=["file", "table", "rows_read", "rows_kept", "rows_rejected"]
        )

    def summary(self) -> str:
        """A short plain-English summary: rows, then issues by severity."""
        lines = [
            f"{self.rows_read} rows read = {self.rows_kept} kept + "
            f"{self.rows_rejected} rejected, in {len(self.counts)} files"
        ]
        for severity in Severity:
            found = self.by_severity(severity)
            if found:
                lines.append(f"{len(found)} {severity.value} issue(s)")
        lines.extend(self.notes)
        return "\n".join(lines)

    def write_csv(self, path: str | Path) -> Path:
        """Write every issue to ``path`` as CSV and return the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.issues_frame().to_csv(path, index=False)
        return path
