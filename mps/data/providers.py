"""The Ofsted register of children's social care providers.

``providers.csv`` is Ofsted's provider-level file as published (reference §3.12): column
names as Ofsted writes them (:data:`mps.data.layout.PROVIDER_COLUMNS`), with or without
the rows of title text Ofsted puts above the header. Only provider-level facts are kept
(URN, type, sector, local authority, places, owner, latest overall judgement); the file
holds no child-level data.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from mps.data.csv_reader import CsvTable, decode_bytes, normalise_column
from mps.data.input_checks import DATE_FORMAT, RowChecks, open_input
from mps.data.layout import OFSTED_RATINGS, PROVIDER_COLUMNS
from mps.data.validation import Severity, ValidationReport

#: Columns every register must have; the others are read when present.
REQUIRED_COLUMNS = ("URN", "Provision type", "Sector", "Local authority", "Places")
RATING_COLUMN = "Overall experiences and progress of children and young people"
#: Ofsted column -> the name the analysis uses.
COLUMN_NAMES = {
    "URN": "urn",
    "Provision type": "provision_type",
    "Registration status": "registration_status",
    "Sector": "sector",
    "Local authority": "local_authority",
    "Places": "places",
    "Organisation which owns the provider": "owner",
    RATING_COLUMN: "ofsted_rating",
    "Inspection date": "inspection_date",
}
#: How far down the file the header may be (Ofsted puts 3 lines of title text above it).
MAX_PREAMBLE_LINES = 20
_NOT_APPLICABLE = ("", "-", ".", "n/a", "na", "not applicable")


def _find_header(text: str) -> int:
    """The 0-based physical line holding the header: the first with a cell named URN."""
    lines = text.splitlines()[:MAX_PREAMBLE_LINES]
    for number, cells in enumerate(csv.reader(lines)):
        if any(normalise_column(cell) == "URN" for cell in cells):
            return number
    return -1


def _read_register(path: Path) -> CsvTable:
    text, encoding = decode_bytes(path.read_bytes())
    header = _find_header(text)
    if header < 0:
        return CsvTable(path, encoding, [], pd.DataFrame(), np.array([], dtype="int64"), 0)
    frame = pd.read_csv(
        io.StringIO(text),
        skiprows=header,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        index_col=False,
    )
    raw_columns = [str(c) for c in frame.columns]
    frame.columns = [normalise_column(c) for c in raw_columns]
    for column in frame.columns:
        frame[column] = frame[column].astype(str).str.strip()
    line = np.arange(len(frame), dtype="int64") + header + 2
    blank = (frame == "").all(axis=1).to_numpy()
    return CsvTable(
        path,
        encoding,
        raw_columns,
        frame.loc[~blank].reset_index(drop=True),
        line[~blank],
        int(blank.sum()),
    )


def read_providers(path: str | Path, report: ValidationReport | None = None) -> pd.DataFrame:
    """Read and validate the Ofsted provider register.

    Returns one row per provider (URN): ``urn``, ``provision_type``,
    ``registration_status``, ``sector``, ``local_authority``, ``places`` (Int64, NA for
    agencies), ``owner``, ``ofsted_rating`` (one of :data:`mps.data.layout.OFSTED_RATINGS`
    or NA when not inspected), ``inspection_date`` and ``source_row``. Optional columns
    absent from the file are NA, with a warning.

    A row without a URN is rejected; places that are not a whole number, an unknown
    judgement or an impossible inspection date are kept as not known, with a warning. When
    a URN appears more than once (one row per inspection) the latest inspection is kept and
    the others are counted as rejected, with a warning. Every issue names file, line,
    column, value and what was expected. Without a ``report`` any rejected row raises
    :class:`~mps.data.validation.FatalValidationError`; a missing file or column is fatal.
    """
    own_report = report is None
    report = report if report is not None else ValidationReport()
    path = Path(path)
    register = _read_register(path) if path.is_file() else None
    check = open_input(
        path, table="provider register", required=REQUIRED_COLUMNS, report=report, csv=register
    )
    raw = check.raw
    for column in PROVIDER_COLUMNS:
        if column not in raw.columns and normalise_column(column) in raw.columns:
            raw[column] = raw.pop(normalise_column(column))
    absent = [c for c in PROVIDER_COLUMNS if c not in raw.columns]
    for column in absent:
        check.flag(
            np.r_[True, np.zeros(len(raw) - 1, dtype=bool)],
            "missing-column",
            column,
            f"a column named {column}: not in the file, so it is not known for any provider",
            Severity.WARNING,
            values=np.full(len(raw), None, dtype=object),
        )
        raw[column] = ""
    check.required_values(["URN"])
    urn = raw["URN"].str.upper()

    places_text = raw["Places"].str.replace(",", "", regex=False)
    not_applicable = places_text.str.lower().isin(_NOT_APPLICABLE)
    places = pd.to_numeric(places_text.where(~not_applicable, None), errors="coerce")
    bad_places = (~not_applicable & (places.isna() | (places < 0) | (places % 1 != 0))).to_numpy()
    check.flag(
        check.alive & bad_places,
        "not-a-number",
        "Places",
        "a whole number of places, 0 or more, or blank: kept, places not known",
        Severity.WARNING,
    )
    places = places.where(~bad_places)

    ratings = {r.lower(): r for r in OFSTED_RATINGS}
    rating_text = raw[RATING_COLUMN].str.lower().str.replace(r"\s+", " ", regex=True)
    rating = rating_text.map(ratings)
    not_inspected = rating_text.isin(_NOT_APPLICABLE) | rating_text.str.contains("not yet")
    check.flag(
        check.alive & (rating.isna() & ~not_inspected).to_numpy(),
        "unknown-code",
        RATING_COLUMN,
        "one of Ofsted's judgements (" + ", ".join(OFSTED_RATINGS) + ") or blank: kept, "
        "judgement not known",
        Severity.WARNING,
    )
    dates_raw = raw["Inspection date"]
    inspected = pd.to_datetime(
        dates_raw.where(dates_raw.ne(""), None), format=DATE_FORMAT, errors="coerce"
    )
    iso = pd.to_datetime(
        dates_raw.where(dates_raw.ne(""), None), format="%Y-%m-%d", errors="coerce"
    )
    inspected = inspected.fillna(iso).astype("datetime64[ns]")
    check.flag(
        check.alive & (inspected.isna() & dates_raw.ne("")).to_numpy(),
        "invalid-date",
        "Inspection date",
        "a real date written DD/MM/YYYY (or YYYY-MM-DD): kept, date not known",
        Severity.WARNING,
    )
    _keep_latest_inspection(check, urn, inspected)

    blank_to_na = {"": pd.NA}
    frame = pd.DataFrame(
        {
            name: raw[column].replace(blank_to_na).astype("string")
            for column, name in COLUMN_NAMES.items()
        }
    )
    frame["urn"] = urn.replace(blank_to_na).astype("string")
    frame["places"] = places.round().astype("Int64")
    frame["ofsted_rating"] = rating.astype("string")
    frame["inspection_date"] = inspected.astype("datetime64[ns]")
    kept = check.kept(frame)
    check.finish(own_report)
    return kept


def _keep_latest_inspection(check: RowChecks, urn: pd.Series, inspected: pd.Series) -> None:
    """One row per URN: the latest inspection (then the last row) is kept."""
    alive = check.alive
    order = pd.DataFrame(
        {
            "urn": urn.to_numpy(),
            "date": inspected.fillna(pd.Timestamp("1900-01-01")).to_numpy(),
            "line": check.line,
        }
    )
    candidates = order[alive].sort_values(["urn", "date", "line"], kind="stable")
    latest = ~candidates["urn"].duplicated(keep="last")
    superseded = np.zeros(len(order), dtype=bool)
    superseded[candidates.index[~latest.to_numpy()]] = True
    if not superseded.any():
        return
    kept_line = candidates.loc[latest.to_numpy()].set_index("urn")["line"]
    lines = order["urn"].map(kept_line).to_numpy()
    check.flag(
        superseded,
        "earlier-inspection",
        "URN",
        lambda at: [
            f"one row per provider: line {lines[i]} has a later inspection of this "
            "provider and is used"
            for i in at
        ],
        Severity.WARNING,
    )
    check.rejected |= superseded  # the earlier rows are not used: counted as rejected
