"""What a new analyst needs from a validation report: how many rows each problem touches.

:func:`rule_summary` groups a :class:`~mps.data.validation.ValidationReport`'s issues by
severity and rule, with the number of issues, of distinct rows affected and of files, so a
summary can say "invalid-date: 12 rows in 2 files" before listing the first issues in full.
:func:`validate_councils` validates every council of pooled data, one report each.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mps.data.validation import FatalValidationError, Severity, ValidationReport

_SEVERITY_ORDER = {severity.value: i for i, severity in enumerate(Severity)}
SUMMARY_COLUMNS = ["severity", "rule", "issues", "rows_affected", "files", "first_file"]


def rule_summary(report: ValidationReport) -> pd.DataFrame:
    """One row per severity and rule: issues, distinct rows affected, files, first file.

    Rows are counted per file and line, so a row with two problems under one rule counts
    once; an issue about a whole file (no row) affects no row. Fatal first, then errors,
    then warnings; within a severity the rules touching most rows first.
    """
    issues = report.issues_frame()
    if issues.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    with_row = issues.dropna(subset=["row"])
    rows = (
        with_row.drop_duplicates(["severity", "rule", "file", "row"])
        .groupby(["severity", "rule"])
        .size()
        .rename("rows_affected")
    )
    grouped = issues.groupby(["severity", "rule"], sort=False)
    summary = pd.DataFrame(
        {
            "issues": grouped.size(),
            "files": grouped["file"].nunique(),
            "first_file": grouped["file"].first(),
        }
    ).join(rows)
    summary["rows_affected"] = summary["rows_affected"].fillna(0).astype(int)
    summary = summary.reset_index()
    summary["order"] = summary["severity"].map(_SEVERITY_ORDER)
    summary = summary.sort_values(
        ["order", "rows_affected", "issues", "rule"],
        ascending=[True, False, False, True],
        kind="stable",
    )
    return summary[SUMMARY_COLUMNS].reset_index(drop=True)


@dataclass
class CouncilValidation:
    """One council's validation: its report, the years loaded (none when it is fatal)."""

    la: str
    report: ValidationReport
    years: list[int]
    fatal: FatalValidationError | None = None


def validate_councils(
    path: str | Path,
    councils: list[str | None],
    *,
    years: list[int] | None = None,
    strict: bool = False,
) -> list[CouncilValidation]:
    """Validate the 903 data under ``path`` once per council (``None``: the only one)."""
    from mps.data.ssda903 import load_borough

    results = []
    for council in councils:
        try:
            returns = load_borough(path, years=years, strict=strict, la_value=council)
        except FatalValidationError as error:
            report = error.report or ValidationReport(issues=[error.issue])
            results.append(CouncilValidation(council or "", report, [], error))
            continue
        results.append(
            CouncilValidation(returns.la_value or returns.la, returns.report, returns.years)
        )
    return results


def issues_with_council(results: list[CouncilValidation]) -> pd.DataFrame:
    """Every council's issues in one table, with an ``la`` column first."""
    frames = [r.report.issues_frame().assign(la=r.la) for r in results]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    columns = ["la", *[c for c in frame.columns if c != "la"]]
    return frame[columns] if len(frame.columns) else frame


def counts_with_council(results: list[CouncilValidation]) -> pd.DataFrame:
    """Rows read, kept and rejected per council and file."""
    frames = [r.report.counts_frame().assign(la=r.la) for r in results]
    frame = pd.concat(frames, ignore_index=True)
    return frame[["la", *[c for c in frame.columns if c != "la"]]]


def print_validation(console, path: Path, results: list[CouncilValidation], show: int) -> None:
    """Print what ``mps validate`` shows: per council (an overview first when there are
    several), rows read, kept and rejected per file, the issues by severity and rule with
    the rows each affects, the first ``show`` issues of each severity in full, and notes."""
    from rich.table import Table
    from rich.text import Text

    if len(results) > 1:
        overview = Table(title=Text(f"{len(results)} councils in the pooled data in {path}"))
        for column in (
            "LA",
            "years",
            "rows read",
            "kept",
            "rejected",
            "fatal",
            "errors",
            "warnings",
        ):
            overview.add_column(column, justify="left" if column in ("LA", "years") else "right")
        for r in results:
            overview.add_row(
                Text(r.la),
                ", ".join(map(str, r.years)) or "-",
                str(r.report.rows_read),
                str(r.report.rows_kept),
                str(r.report.rows_rejected),
                *(str(len(r.report.by_severity(s))) for s in Severity),
            )
        console.print(overview)
    for r in results:
        if len(results) > 1:
            console.rule(Text(f"LA {r.la!r}"))
        _print_council(console, path, r, show)


def print_other_inputs(console, path: Path, report: ValidationReport, show: int) -> None:
    """Print the check of a borough folder's other inputs (spend, referrals, needs,
    fostering, contracts) as :func:`print_validation` prints the 903 files."""
    fatal = next((i for i in report.issues if i.severity == Severity.FATAL), None)
    result = CouncilValidation("", report, [], FatalValidationError(fatal) if fatal else None)
    _print_council(console, path, result, show, what="Other inputs")


def _print_council(
    console, path: Path, result: CouncilValidation, show: int, what: str = "903 files"
) -> None:
    from rich.table import Table
    from rich.text import Text

    report = result.report
    if result.fatal is not None:
        console.print(
            "This data cannot be used until the fatal problem below is put right:",
            style="bold red",
        )
        console.print(f"  {result.fatal.issue.describe()}", highlight=False, markup=False)
    counts = report.counts_frame()
    if len(counts):
        table = Table(title=Text(f"{what} read in {path}"))
        for column, label in (
            ("file", "file"),
            ("table", "table"),
            ("rows_read", "rows read"),
            ("rows_kept", "kept"),
            ("rows_rejected", "rejected"),
        ):
            table.add_column(label, justify="right" if column.startswith("rows") else "left")
        for row in counts.itertuples(index=False):
            table.add_row(*[Text(str(v)) for v in row])  # Text: "[sheet]" is not markup
        console.print(table)
    # XML returns and workbooks hold several tables: "file [Table]" is one table of a file.
    files = counts["file"].str.replace(r" \[[^\]]*\]$", "", regex=True).nunique()
    console.print(
        f"{report.rows_read} rows read = {report.rows_kept} kept + {report.rows_rejected} "
        f"rejected, from {len(counts)} tables in {files} files"
        + (f"; collection years {', '.join(map(str, result.years))}" if result.years else ""),
        highlight=False,
    )
    summary = rule_summary(report)
    if len(summary):
        table = Table(title="Issues by severity and rule (error: row rejected; warning: kept)")
        for column, label in (
            ("severity", "severity"),
            ("rule", "rule"),
            ("issues", "issues"),
            ("rows_affected", "rows affected"),
            ("files", "files"),
            ("first_file", "first in"),
        ):
            justify = "right" if column in ("issues", "rows_affected", "files") else "left"
            table.add_column(label, justify=justify)
        for row in summary.itertuples(index=False):
            table.add_row(*[Text(str(v)) for v in row])
        console.print(table)
    else:
        console.print("No issues found.")
    for severity in Severity:
        found = report.by_severity(severity)
        if not found:
            continue
        console.print(f"First {severity.value} issues:" if len(found) > 1 else f"{severity.value}:")
        for issue in found[:show]:
            console.print(f"  {issue.describe()}", highlight=False, markup=False)
        if len(found) > show:
            console.print(f"  … and {len(found) - show} more {severity.value} issue(s)")
    for note in report.notes:
        console.print(f"Note: {note}", highlight=False, markup=False)
