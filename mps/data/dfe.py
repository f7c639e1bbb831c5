"""DfE explore-education-statistics (EES) tables of children looked after by local authority.

DfE publishes its children-looked-after statistics as tidy CSV files: one row per time
period, geography and measure, with the measure named in ``population_count`` and its value
in ``number`` (e.g. ``cla_number_and_rate_per_10k_children.csv``)::

    time_period,geographic_level,...,new_la_code,la_name,population_count,number
    2023,Local authority,...,E06000001,Hartlepool,Children looked after at 31 March...,243

:func:`read_published_table` reads such a file (any extra columns are ignored) and returns
one row per geography and year for one measure. Published figures may be symbols rather
than numbers (GSS symbols: ``c`` suppressed, ``x`` not available, ``z`` not applicable,
``k`` rounds to 0, ``u`` low reliability, ``:`` not available, ``..``, blank): they become
NaN, and the symbol is kept in ``symbol`` so nothing is lost without a trace. Anything else
that is not a number is an error naming the file, line, column and value.

A ``time_period`` is the year a figure is for: ``2023`` (the year ending 31 March 2023 for a
count at 31 March), or a financial year written ``202223``, ``2022/23`` or ``2022-23``,
which is named by its end year (2023), as collection years are in :mod:`mps.codes`.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from mps.data.csv_reader import CsvReadError, normalise_column, read_csv_strings
from mps.data.validation import FatalValidationError, ValidationReport

#: The measure of children looked after at 31 March, as DfE names it.
CLA_AT_31_MARCH = "Children looked after at 31 March each year"
#: The columns every EES file read here must have.
REQUIRED_COLUMNS = (
    "time_period",
    "geographic_level",
    "new_la_code",
    "la_name",
    "population_count",
    "number",
)
#: Columns of the frame :func:`read_published_table` returns.
PUBLISHED_COLUMNS = (
    "new_la_code",
    "la_name",
    "geographic_level",
    "year",
    "number",
    "symbol",
    "population_estimate",
    "source_row",
)
#: Geographic level of a local authority's rows.
LOCAL_AUTHORITY = "Local authority"
#: Symbols DfE (and the GSS standard) put where a figure is not given: read as NaN.
SYMBOLS = frozenset({"c", "x", "z", "k", "u", ":", "..", "low", ""})

_YEAR = re.compile(r"^(\d{4})$")
_FINANCIAL_YEAR = re.compile(r"^(\d{4})\s*[/-]?\s*(\d{2})$")
_LA_CODE = re.compile(r"^[EWSN]\d{8}$")


def _year_of(period: pd.Series) -> pd.Series:
    """The year each ``time_period`` is for (module docstring); <NA> where not a year."""
    text = period.str.strip()
    single = text.str.extract(_YEAR)[0]
    financial = text.str.extract(_FINANCIAL_YEAR)
    start = pd.to_numeric(financial[0], errors="coerce")
    end_two = pd.to_numeric(financial[1], errors="coerce")
    # 202223 -> 2023; a pair that does not follow on (2022/25) is not a financial year.
    follows = (start + 1) % 100 == end_two
    from_financial = (start + 1).where(follows)
    year = pd.to_numeric(single, errors="coerce").fillna(from_financial)
    return year.astype("Int64")


def _numbers(values: pd.Series) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """Published values as floats, the symbol where there is one, and where neither."""
    text = values.str.strip()
    lowered = text.str.lower()
    symbol = lowered.where(lowered.isin(SYMBOLS), "")
    number = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    bad = number.isna().to_numpy() & ~lowered.isin(SYMBOLS).to_numpy()
    number = number.where(~lowered.isin(SYMBOLS))
    return number.astype("float64"), symbol.astype("string"), bad


def _fatal(
    report: ValidationReport,
    path: Path,
    expected: str,
    *,
    line: int | None = None,
    column: str | None = None,
    value: str | None = None,
    rule: str,
) -> FatalValidationError:
    return report.fatal(str(path), expected, row=line, column=column, value=value, rule=rule)


def read_published_table(
    path: str | Path,
    measure: str = CLA_AT_31_MARCH,
    *,
    report: ValidationReport | None = None,
) -> pd.DataFrame:
    """Read one measure of a DfE explore-education-statistics CSV by local authority.

    Keeps the rows whose ``population_count`` is ``measure`` (compared ignoring case and
    surrounding spaces), at every geographic level in the file (national, regional, local
    authority: filter on ``geographic_level``, e.g. with :func:`local_authorities`).

    Returns the columns of :data:`PUBLISHED_COLUMNS`: ``new_la_code`` (<NA> for national
    and regional rows without one), ``la_name``, ``geographic_level``, ``year`` (int, see
    the module docstring), ``number`` (float; NaN where the file has ``c``, ``x``, ``z``,
    another symbol of :data:`SYMBOLS`, or a blank), ``symbol`` (that symbol, "" for a
    number), ``population_estimate`` (float, NaN when the file has no such column or no
    value) and ``source_row`` (the file line). Sorted by geographic level, code and year.

    Raises :class:`~mps.data.validation.FatalValidationError` naming the file, line, column
    and value for: a missing file or column, no rows of ``measure`` (naming the measures
    found), a ``time_period`` that is not a year, a figure that is neither a number of 0 or
    more nor a symbol, a local-authority row without a valid ONS code, and two rows for the
    same area and year.
    """
    path = Path(path)
    report = report if report is not None else ValidationReport()
    if not path.is_file():
        raise _fatal(report, path, "a DfE published table (CSV) at this path", rule="missing-file")
    try:
        csv = read_csv_strings(path)
    except CsvReadError as error:
        raise _fatal(
            report,
            path,
            f"a CSV file: {error.message}",
            line=error.line,
            value=error.value,
            rule="unreadable-file",
        ) from error
    if not csv.has_header:
        raise _fatal(report, path, "a header row naming the columns", rule="empty-file")
    keys = {normalise_column(c): c for c in (*REQUIRED_COLUMNS, "population_estimate")}
    missing = [c for c in REQUIRED_COLUMNS if normalise_column(c) not in csv.columns]
    if missing:
        raise _fatal(
            report,
            path,
            f"a column named {missing[0]} (an explore-education-statistics table has "
            f"{', '.join(REQUIRED_COLUMNS)})",
            column=missing[0],
            rule="missing-column",
        )
    raw = csv.frame.rename(columns=keys)
    line = csv.line
    report.count_rows(str(path), "dfe-published", len(raw))

    wanted = raw["population_count"].str.strip().str.casefold() == measure.strip().casefold()
    if not wanted.any():
        found = sorted(set(raw["population_count"].str.strip()) - {""})
        listed = "; ".join(repr(m) for m in found[:10]) or "none"
        raise _fatal(
            report,
            path,
            f"rows whose population_count is {measure!r} (measures found: {listed})",
            column="population_count",
            rule="missing-measure",
        )
    rows = raw.loc[wanted.to_numpy()].reset_index(drop=True)
    line = line[wanted.to_numpy()]

    year = _year_of(rows["time_period"])
    bad = year.isna().to_numpy()
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        raise _fatal(
            report,
            path,
            "a year such as 2023, or a financial year such as 202223",
            line=int(line[at]),
            column="time_period",
            value=rows["time_period"].iloc[at],
            rule="not-a-year",
        )

    number, symbol, bad = _numbers(rows["number"])
    bad |= (number < 0).to_numpy()
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        raise _fatal(
            report,
            path,
            "a number of 0 or more, or a symbol (c, x, z, k, u, :, .., or blank)",
            line=int(line[at]),
            column="number",
            value=rows["number"].iloc[at],
            rule="not-a-number",
        )

    if "population_estimate" in rows.columns:
        population, _, bad = _numbers(rows["population_estimate"])
        bad |= (population < 0).to_numpy()
        if bad.any():
            at = int(np.flatnonzero(bad)[0])
            raise _fatal(
                report,
                path,
                "a population of 0 or more, or blank",
                line=int(line[at]),
                column="population_estimate",
                value=rows["population_estimate"].iloc[at],
                rule="not-a-number",
            )
    else:
        population = pd.Series(np.nan, index=rows.index, dtype="float64")

    level = rows["geographic_level"].str.strip()
    code = rows["new_la_code"].str.strip()
    is_la = (level.str.casefold() == LOCAL_AUTHORITY.casefold()).to_numpy()
    bad = is_la & ~code.str.match(_LA_CODE).to_numpy()
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        raise _fatal(
            report,
            path,
            "the local authority's ONS code, e.g. E06000001",
            line=int(line[at]),
            column="new_la_code",
            value=rows["new_la_code"].iloc[at],
            rule="bad-la-code",
        )

    frame = pd.DataFrame(
        {
            "new_la_code": code.replace("", pd.NA).astype("string"),
            "la_name": rows["la_name"].str.strip().astype("string"),
            "geographic_level": level.where(~is_la, LOCAL_AUTHORITY).astype("string"),
            "year": year.astype("int64"),
            "number": number,
            "symbol": symbol,
            "population_estimate": population,
            "source_row": line.astype("int64"),
        }
    )
    # National and regional rows may have no LA code: they are told apart by name.
    key = ["geographic_level", "new_la_code", "la_name", "year"]
    key_frame = frame[key].astype("string").fillna("")
    key_frame.loc[is_la, "la_name"] = ""  # an LA is its code, whatever it is called
    twice = key_frame.duplicated(keep="first").to_numpy()
    if twice.any():
        at = int(np.flatnonzero(twice)[0])
        first = int(np.flatnonzero((key_frame == key_frame.iloc[at]).all(axis=1).to_numpy())[0])
        raise _fatal(
            report,
            path,
            f"one row per area and year for {measure!r}; line {int(line[first])} has the "
            f"same area ({frame['la_name'].iloc[at]}) and year ({int(frame['year'].iloc[at])})",
            line=int(line[at]),
            column="time_period",
            value=rows["time_period"].iloc[at],
            rule="duplicate-row",
        )
    frame = frame.sort_values(["geographic_level", "new_la_code", "la_name", "year"], kind="stable")
    return frame[list(PUBLISHED_COLUMNS)].reset_index(drop=True)


def local_authorities(published: pd.DataFrame) -> pd.DataFrame:
    """The local-authority rows of a table from :func:`read_published_table`."""
    return published.loc[published["geographic_level"] == LOCAL_AUTHORITY].reset_index(drop=True)


def la_series(published: pd.DataFrame, last_year: int | None = None) -> pd.DataFrame:
    """Each local authority's series as a wide frame: one row per ``new_la_code``, one
    column per year (every year from the first to the last in the table, missing years
    NaN), values ``number``; only years up to ``last_year`` when given. Rows sorted by code.
    """
    las = local_authorities(published)
    if last_year is not None:
        las = las.loc[las["year"] <= last_year]
    wide = las.pivot(index="new_la_code", columns="year", values="number")
    if len(wide.columns):
        wide = wide.reindex(columns=range(int(wide.columns.min()), int(wide.columns.max()) + 1))
    wide.columns = [int(c) for c in wide.columns]
    wide.columns.name = "year"
    return wide.sort_index()
