"""SSDA903 table layouts: the DfE CSV files, their columns, and how each is recognised.

Every shape a 903 return comes in (per-year CSV files, pooled files of several councils and
years, the XML export, Excel workbooks) is turned into the same per-table text frames, whose
table is found from their columns by :func:`detect_table` (reference §2.2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from mps import codes
from mps.data.csv_reader import normalise_column


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
EPISODE_TEXT = (
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
ANY_SEX = frozenset(codes.SEX)
#: Plausible calendar years for any 903 date; outside them the value is a typing error.
DATE_RANGE = (pd.Timestamp("1900-01-01"), pd.Timestamp("2099-12-31"))
DATE_FORMAT = "%d/%m/%Y"


# --- Recognising tables and years -------------------------------------------------------
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


_YEAR_NAME = re.compile(r"^(\d{4})(?:[-_ /](\d{2}|\d{4}))?$")


def parse_collection_year(name: str) -> int | None:
    """The collection year a folder name (or a pooled file's YEAR value) stands for: ``2024``,
    ``2023-24``, ``2023_24``, ``2023/24`` and ``2023-2024`` all give 2024 (the 2023-24
    return). ``None`` if it is not a year."""
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


def year_label(year: int) -> str:
    """``2024`` -> ``"2023-24"``: how a collection year is written for people."""
    return f"{year - 1}-{year % 100:02d}"


def closest_table(columns: Sequence[str]) -> tuple[str, list[str]] | None:
    """For an unrecognised file: the table it shares most columns with, and missing keys."""
    names = set(columns) - {"CHILD", "DOB", "SEX"}
    best = max(TABLE_SPECS.values(), key=lambda spec: (len(names & set(spec.columns)), spec.name))
    if not names & set(best.columns):
        return None
    return best.name, [c for c in best.identify if c not in columns]


# --- The shape every source is turned into ----------------------------------------------
@dataclass
class RawTable:
    """One 903 table as text, whatever shape it came in.

    ``frame`` has one row per record, columns named by :func:`normalise_column`, every value
    a stripped string (``""`` when blank). ``line`` says where each record is in its source:
    the file line for CSV (header = 1) and XML (the record's element), the sheet row for
    Excel. ``display`` names the source in issues (``2024/episodes.csv``, ``return.xlsx
    [Episodes]``, ``return.xml [Header]``) and ``scope`` the file it came from, so a field
    shared by several tables of one XML record is reported once. ``raw_columns`` are the
    column names as written. ``year`` is the collection year when the source says it (a pooled
    file's YEAR column), ``la`` each row's value of a pooled file's LA column, and
    ``iso_dates`` allows dates written YYYY-MM-DD (as pooled files have them) besides the DfE
    DD/MM/YYYY.
    """

    display: str
    frame: pd.DataFrame
    line: np.ndarray
    raw_columns: list[str]
    scope: str = ""
    year: int | None = None
    la: np.ndarray | None = None
    iso_dates: bool = False
    header_row: int | None = None  # the header's line or row, for a missing column

    def __post_init__(self) -> None:
        self.scope = self.scope or self.display

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    def raw_name(self, column: str) -> str:
        """A column's name as written in the source (for messages)."""
        for raw in self.raw_columns:
            if normalise_column(raw) == column:
                return raw.strip()
        return column

    def subset(self, keep: np.ndarray, *, year: int | None = None) -> RawTable:
        """The rows in ``keep`` (a boolean mask), with their original line numbers."""
        return replace(
            self,
            frame=self.frame.loc[keep].reset_index(drop=True),
            line=self.line[keep],
            year=self.year if year is None else year,
            la=None if self.la is None else self.la[keep],
        )


# --- Text helpers -------------------------------------------------------------------------
def postcode_key(postcodes: pd.Series) -> pd.Series:
    """Postcodes compared case- and space-insensitively."""
    return postcodes.astype("string").str.upper().str.replace(" ", "", regex=False).fillna("")


def blank_to_na(values: pd.Series) -> pd.Series:
    """Text with blanks as ``<NA>`` (numbers are returned as they are)."""
    if pd.api.types.is_float_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
        return values
    text = values.astype("string")
    return text.mask(text.eq(""))
