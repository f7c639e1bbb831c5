"""ONS population of children aged 0-17: mid-year estimates and subnational projections."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mps.data.layout import POPULATION_COLUMNS
from mps.data.validation import ValidationReport

POPULATION_KINDS = ("estimate", "projection")


def read_population(path: str | Path) -> pd.DataFrame:
    """Read ``population.csv`` (columns of :data:`mps.data.layout.POPULATION_COLUMNS`).

    Raises :class:`FatalValidationError` naming the file, row, column and value for a
    missing column, a non-numeric year, age or population, an age outside 0-17 or an
    unknown ``kind``. Returns one row per area, mid-year, age and kind.
    """
    path = Path(path)
    report = ValidationReport()
    if not path.is_file():
        raise report.fatal(
            path, "a population file (ONS 0-17 estimates and projections)", rule="missing-file"
        )
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [c.strip() for c in frame.columns]
    missing = [c for c in POPULATION_COLUMNS if c not in frame.columns]
    if missing:
        raise report.fatal(
            path,
            f"columns {', '.join(POPULATION_COLUMNS)}",
            column=missing[0],
            rule="missing-column",
        )
    if frame.empty:
        raise report.fatal(path, "at least one row of population", rule="empty-file")
    frame = frame[list(POPULATION_COLUMNS)].copy()
    for column in ("year", "age", "population"):
        numbers = pd.to_numeric(frame[column].str.replace(",", "", regex=False), errors="coerce")
        bad = numbers.isna() | (numbers < 0)
        if column == "age":
            bad |= numbers > 17
        if bad.any():
            position = int(bad.to_numpy().nonzero()[0][0])
            expected = "an age from 0 to 17" if column == "age" else "a whole number, 0 or more"
            raise report.fatal(
                path,
                expected,
                row=position + 2,
                column=column,
                value=frame[column].iloc[position],
                rule="not-a-number",
            )
        frame[column] = numbers.astype("int64")
    frame["kind"] = frame["kind"].str.strip().str.lower()
    bad_kind = ~frame["kind"].isin(POPULATION_KINDS)
    if bad_kind.any():
        position = int(bad_kind.to_numpy().nonzero()[0][0])
        raise report.fatal(
            path,
            "estimate or projection",
            row=position + 2,
            column="kind",
            value=frame["kind"].iloc[position],
            rule="unknown-code",
        )
    frame["la_code"] = frame["la_code"].str.strip()
    return frame.astype({"la_code": "string", "la_name": "string", "kind": "string"})
