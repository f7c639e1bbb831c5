"""The pooled 903 layout: one file per table holding many councils and collection years.

The London Innovation and Improvement Alliance tools (``liia-tools``: ``SSDA903_<Table>_merged
.csv``, ``pan_London_SSDA903_<Table>.csv``) and the regional demand-model app write the DfE
tables with two extra columns, ``LA`` (the council, usually its name) and ``YEAR`` (the
collection year: 2024 for the 2023-24 return), and ISO dates (``YYYY-MM-DD``). A table
with either column is treated as pooled here, whatever file type it came in: its rows are
filtered to one council (:func:`choose_la`) and split by YEAR (:func:`split_by_year`) into
the same per-year text tables as the DfE layout, keeping each row's line number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from mps.data.ssda903_spec import RawTable, parse_collection_year

#: Names the LA column goes by (the tools write ``LA``), first found wins.
LA_COLUMNS = ("LA", "LA_NAME", "LA_CODE", "LOCAL_AUTHORITY")
#: Names the collection-year column goes by (the tools write ``YEAR``), first found wins.
YEAR_COLUMNS = ("YEAR", "COLLECTION_YEAR")

_SLUG = re.compile(r"[^a-z0-9]+")


def la_key(value: str) -> str:
    """An LA name or code compared loosely: ``"Barking and Dagenham"`` and
    ``barking-and-dagenham`` are the same council, and ``e09000002`` is ``E09000002``."""
    return _SLUG.sub("-", str(value).strip().lower()).strip("-")


def pooled_column(columns: Iterable[str], names: Sequence[str]) -> str | None:
    """The first of ``names`` among ``columns`` (normalised names), else ``None``."""
    present = set(columns)
    return next((name for name in names if name in present), None)


def as_pooled(table: RawTable) -> RawTable:
    """The table as read from a pooled file when it has an LA or YEAR column: its LA values
    move into ``table.la`` (the column is not part of the DfE layout) and ISO dates are
    allowed. The YEAR column stays until :func:`split_by_year`. Other tables are returned
    as they are."""
    la_column = pooled_column(table.columns, LA_COLUMNS)
    year_column = pooled_column(table.columns, YEAR_COLUMNS)
    if la_column is None and year_column is None:
        return table
    if la_column is None:
        return replace(table, iso_dates=True)
    values = table.frame[la_column].to_numpy(dtype=object)
    # An LA column left blank throughout says nothing: its rows are one council's.
    return replace(
        table,
        frame=table.frame.drop(columns=[la_column]),
        la=values if (values != "").any() else None,
        iso_dates=True,
    )


def la_values(tables: Iterable[RawTable]) -> list[str]:
    """The distinct non-blank LA values of pooled tables, in order of first appearance."""
    seen: dict[str, None] = {}
    for table in tables:
        if table.la is not None:
            for value in pd.unique(table.la):
                if value != "":
                    seen.setdefault(str(value), None)
    return list(seen)


@dataclass(frozen=True)
class LaChoice:
    """Which council's rows a load takes from pooled tables, or why none could be chosen."""

    value: str | None
    problem: str | None = None


def choose_la(
    values: Sequence[str], la_value: str | None, candidates: Iterable[str | None]
) -> LaChoice:
    """Pick the council whose rows are read from pooled tables holding ``values``.

    ``la_value`` names it exactly as written in the LA column (compared loosely, see
    :func:`la_key`). Without it, a single council is taken as it is; among several, the one
    matching one of ``candidates`` (the borough's ONS code, its slug or name) is taken.
    """
    if not values:
        return LaChoice(None)
    by_key: dict[str, list[str]] = {}
    for value in values:
        by_key.setdefault(la_key(value), []).append(value)
    listed = ", ".join(repr(v) for v in values[:12]) + (" ..." if len(values) > 12 else "")
    if la_value is not None:
        found = by_key.get(la_key(la_value))
        if found is None:
            return LaChoice(None, f"rows for LA {la_value!r} in the LA column; it holds {listed}")
        return LaChoice(found[0])
    if len(values) == 1:
        return LaChoice(values[0])
    keys = {la_key(c) for c in candidates if c}
    matched = [v for k in keys if k in by_key for v in by_key[k]]
    if len(matched) == 1:
        return LaChoice(matched[0])
    return LaChoice(
        None,
        f"one council's rows: this pooled data holds {len(values)} LAs ({listed}); name the "
        "borough's value in the LA column (la_value in its parameter file, --la on the "
        "command line)",
    )


@dataclass
class YearSplit:
    """A pooled table split by collection year, and the rows whose YEAR is not a year."""

    parts: dict[int, RawTable]
    bad_rows: np.ndarray  # line numbers
    bad_values: np.ndarray


def split_by_year(table: RawTable) -> YearSplit:
    """Split a table with a YEAR column into one table per collection year (the column
    leaves the frame). YEAR values are read like folder names (``2024``, ``2023-24``)."""
    column = pooled_column(table.columns, YEAR_COLUMNS)
    assert column is not None
    raw = table.frame[column]
    codes_, uniques = pd.factorize(raw)
    # Only the distinct values are parsed: a pooled file has a handful of years.
    parsed = np.array([parse_collection_year(str(u)) or 0 for u in uniques], dtype="int64")
    year = parsed[codes_] if len(uniques) else np.zeros(len(raw), dtype="int64")
    trimmed = replace(table, frame=table.frame.drop(columns=[column]))
    parts = {int(y): trimmed.subset(year == y, year=int(y)) for y in sorted(set(parsed) - {0})}
    bad = year == 0
    return YearSplit(parts, table.line[bad], raw.to_numpy(dtype=object)[bad])
