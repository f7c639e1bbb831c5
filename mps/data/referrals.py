"""Placement requests (referrals) to the placements team.

``referrals.csv`` has one row per request (the columns of
:data:`mps.data.layout.REFERRAL_COLUMNS`): when it was made and for when the placement
was needed, the child's age and sex, the type of placement sought, and what happened
(placed, unplaced or withdrawn; when placed, the date and the type of placement found).
Child-level, never published: :mod:`mps.analysis.referrals` aggregates it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mps.codes import age_band
from mps.data.input_checks import open_input
from mps.data.layout import (
    PLACEMENT_TYPES_SOUGHT,
    REFERRAL_COLUMNS,
    REFERRAL_OUTCOMES,
    REFERRAL_URGENCY,
)
from mps.data.validation import Severity, ValidationReport

#: Placement requests are for children: ages 0 to 17 on the day of the request.
MAX_AGE = 17
#: Sex as written in the log: M or F (the 903's 1 and 2 are accepted too); blank = not recorded.
SEX_CODES = {"m": "M", "f": "F", "1": "M", "2": "F", "male": "M", "female": "F"}
#: Spellings of the placement types the placements team's systems commonly export.
_TYPE_SPELLINGS = {
    "children's home": "childrens home",
    "childrens' home": "childrens home",
    "residential": "childrens home",
    "parent & child": "parent and child",
    "foster care": "fostering",
}


def _placement_types(values: pd.Series) -> pd.Series:
    """Lower-case and map the usual spellings onto :data:`PLACEMENT_TYPES_SOUGHT`."""
    lowered = values.str.lower().str.replace(r"\s+", " ", regex=True)
    return lowered.replace(_TYPE_SPELLINGS)


def read_referrals(path: str | Path, report: ValidationReport | None = None) -> pd.DataFrame:
    """Read and validate a borough's ``referrals.csv``.

    Returns one row per kept request: ``referral_id``, ``CHILD`` (NA for a child not yet
    known to the 903, e.g. an unplaced request), ``date_requested``, ``date_needed``,
    ``date_placed`` (dates; NaT unless placed), ``age`` (whole years), ``age_band`` (DfE
    bands), ``sex`` (M, F or NA), ``placement_type_sought``, ``urgency``, ``outcome``,
    ``placement_type_placed``, ``days_notice`` (days from request to the day needed, 0 when
    needed the same day or already past), ``days_to_place`` (request to placement, placed
    requests only) and ``source_row``.

    Rejected (recorded in ``report`` with file, line, column, value and what was expected):
    a blank or repeated ``referral_id``, an impossible date, an age outside 0-17, an
    unknown sex, placement type, urgency or outcome, a placed request without
    ``date_placed`` or ``placement_type_placed``, or placed before it was requested. Kept
    with a warning: ``date_needed`` before ``date_requested`` (counted as needed the same
    day) and placement details on a request not placed (ignored). Without a ``report`` any
    rejected row raises :class:`~mps.data.validation.FatalValidationError`.
    """
    own_report = report is None
    report = report if report is not None else ValidationReport()
    check = open_input(path, table="referrals", required=REFERRAL_COLUMNS, report=report)
    raw = check.raw
    check.exact_duplicates(list(raw.columns))
    check.required_values(["referral_id"])
    ids = raw["referral_id"]
    repeated = ids.duplicated(keep="first").to_numpy() & ids.ne("").to_numpy()
    check.flag(
        check.alive & repeated,
        "duplicate-key",
        "referral_id",
        "a referral_id used once only (an earlier row has it)",
    )
    requested = check.dates("date_requested", required=True)
    needed = check.dates("date_needed", required=True)
    placed_on = check.dates("date_placed", required=False)
    age = check.numbers(
        "age",
        minimum=0,
        maximum=MAX_AGE,
        whole=True,
        expected=f"an age in whole years from 0 to {MAX_AGE}",
    )
    sex_raw = raw["sex"].str.lower()
    check.flag(
        check.alive & (sex_raw.ne("") & ~sex_raw.isin(list(SEX_CODES))).to_numpy(),
        "unknown-code",
        "sex",
        "M or F (or blank when not recorded)",
    )
    sought = check.codes(
        "placement_type_sought", PLACEMENT_TYPES_SOUGHT, normalise=_placement_types
    )
    urgency = check.codes("urgency", REFERRAL_URGENCY)
    outcome = check.codes("outcome", REFERRAL_OUTCOMES)
    type_placed = check.codes(
        "placement_type_placed", PLACEMENT_TYPES_SOUGHT, required=False, normalise=_placement_types
    )

    is_placed = outcome.eq("placed").to_numpy()
    for column in ("date_placed", "placement_type_placed"):
        check.flag(
            check.alive & is_placed & raw[column].eq("").to_numpy(),
            "missing-value",
            column,
            f"a value: a placed request needs its {column}",
        )
    check.flag(
        check.alive & (placed_on < requested).to_numpy(),
        "placed-before-request",
        "date_placed",
        "a date_placed on or after the date_requested",
    )
    check.flag(
        check.alive & (needed < requested).to_numpy(),
        "needed-before-request",
        "date_needed",
        "a date_needed on or after the date_requested: kept, counted as needed the same day",
        Severity.WARNING,
    )
    details = raw["date_placed"].ne("") | raw["placement_type_placed"].ne("")
    check.flag(
        check.alive & ~is_placed & details.to_numpy(),
        "details-not-placed",
        "outcome",
        "outcome placed when a date_placed or placement_type_placed is given: kept, the "
        "placement details are ignored",
        Severity.WARNING,
    )

    placed_date = placed_on.where(is_placed)
    blank_to_na = {"": pd.NA}
    frame = pd.DataFrame(
        {
            "referral_id": ids.astype("string"),
            "CHILD": raw["CHILD"].replace(blank_to_na).astype("string"),
            "date_requested": requested,
            "date_needed": needed,
            "date_placed": placed_date,
            "age": age.round().astype("Int64"),
            "sex": sex_raw.map(SEX_CODES).astype("string"),
            "placement_type_sought": sought.astype("string"),
            "urgency": urgency.astype("string"),
            "outcome": outcome.astype("string"),
            "placement_type_placed": type_placed.where(is_placed, "")
            .replace(blank_to_na)
            .astype("string"),
        }
    )
    frame["age_band"] = age_band(frame["age"].astype("float64"))
    frame["days_notice"] = (needed - requested).dt.days.clip(lower=0).astype("Int64")
    frame["days_to_place"] = (placed_date - requested).dt.days.astype("Int64")
    kept = check.kept(frame)
    check.finish(own_report)
    return kept
