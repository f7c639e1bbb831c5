"""Supply inputs: the council's in-house fostering and its commissioned contracts.

Both files are optional, one per borough (:mod:`mps.data.layout`):

``fostering.csv``
    In-house fostering by collection year, approved age range and specialism: households
    and places approved at 31 March, places filled, and the year's approvals
    (recruitment) and de-registrations (:data:`~mps.data.layout.FOSTERING_COLUMNS`).
``contracts.csv``
    Framework, block and dynamic purchasing system (DPS) contracts by provider and
    placement category: places, weekly price, start and end dates
    (:data:`~mps.data.layout.CONTRACT_COLUMNS`). Spot purchases are not contracts: they
    come from ``spend.csv`` (``contract_status`` spot).

Neither holds child-level data. Every problem is recorded with file, line, column, value
and what was expected; a row breaking a rule is rejected and counted, never dropped
quietly (see :mod:`mps.data.input_checks`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from mps.codes import CATEGORY_LABELS
from mps.data.input_checks import RowChecks, open_input
from mps.data.layout import (
    CONTRACT_COLUMNS,
    CONTRACT_TYPES,
    CONTRACTED_CATEGORIES,
    FOSTERING_COLUMNS,
    FOSTERING_SPECIALISMS,
    NEED_PROFILES,
)
from mps.data.validation import Severity, ValidationReport

#: Ages a foster carer or a contract may be approved for (whole years, inclusive).
MIN_AGE, MAX_AGE = 0, 17
#: Collection years a supply file may describe.
YEAR_RANGE = (2000, 2100)

#: Other spellings of the codes, after :func:`code_slug`.
_SPECIALISM_SPELLINGS = {
    "general": "mainstream",
    "short_break": "short_breaks",
    "respite": "short_breaks",
    "siblings": "sibling_groups",
    "sibling_group": "sibling_groups",
    "p_and_c": "parent_and_child",
    "parent_child": "parent_and_child",
    "disability": "disabled_children",
    "disabled": "disabled_children",
    "teenager": "teenagers",
    "adolescents": "teenagers",
    "unaccompanied_asylum_seeking_children": "uasc",
    "16_plus": "sixteen_plus",
    "16": "sixteen_plus",
}
_CATEGORY_SPELLINGS = {
    "ifa": "ifa_fostering",
    "independent_fostering": "ifa_fostering",
    "independent_fostering_agency": "ifa_fostering",
    "fostering": "ifa_fostering",
    "residential": "childrens_home",
    "children_s_home": "childrens_home",
    "childrens_homes": "childrens_home",
    "residential_children_s_home": "childrens_home",
    "supported": "supported_accommodation",
    "supported_accommodation_16": "supported_accommodation",
    "semi_independent": "supported_accommodation",
    "secure_children_s_home": "secure",
    "other_placements": "other",
}
_CONTRACT_TYPE_SPELLINGS = {
    "dynamic_purchasing_system": "dps",
    "block_contract": "block",
    "framework_agreement": "framework",
}


def code_slug(values: pd.Series) -> pd.Series:
    """Codes as slugs: lower case, ``&`` as "and", other runs of punctuation and spaces as
    ``_`` (``"Parent & child"`` -> ``parent_and_child``)."""
    lowered = values.astype("string").str.lower().str.replace("&", " and ", regex=False)
    return lowered.str.replace(r"[^a-z0-9]+", "_", regex=True).str.strip("_").fillna("")


def _label_slugs(labels: dict[str, str]) -> dict[str, str]:
    return {re.sub(r"[^a-z0-9]+", "_", v.lower().replace("&", " and ")).strip("_"): k
            for k, v in labels.items()}  # fmt: skip


def _normaliser(spellings: dict[str, str], labels: dict[str, str] | None = None):
    known = {**(_label_slugs(labels) if labels else {}), **spellings}

    def normalise(values: pd.Series) -> pd.Series:
        slugs = code_slug(values)
        return slugs.replace(known)

    return normalise


def _age_range(check: RowChecks, *, required: bool) -> tuple[pd.Series, pd.Series]:
    """``age_from`` and ``age_to``: whole years 0-17, from not above to; blank gives the
    whole 0-17 range when not ``required``."""
    expected = f"an age in whole years from {MIN_AGE} to {MAX_AGE}"
    ages = []
    for column in ("age_from", "age_to"):
        ages.append(
            check.numbers(
                column,
                minimum=MIN_AGE,
                maximum=MAX_AGE,
                whole=True,
                required=required,
                expected=expected + ("" if required else " (blank: any age)"),
            )
        )
    age_from = ages[0].fillna(MIN_AGE)
    age_to = ages[1].fillna(MAX_AGE)
    check.flag(
        check.alive & (age_from > age_to).to_numpy(),
        "age-range",
        "age_to",
        "an age_to not below the age_from",
    )
    return age_from, age_to


def _whole(check: RowChecks, column: str, *, required: bool = True) -> pd.Series:
    return check.numbers(
        column,
        minimum=0,
        whole=True,
        required=required,
        expected="a whole number, 0 or more" + ("" if required else " (or blank)"),
    )


def _repeated_key(check: RowChecks, key: pd.DataFrame, what: str) -> None:
    """A row with the same key as an earlier kept row is rejected (it would count twice)."""
    alive = np.flatnonzero(check.alive)
    hashed = pd.Series(pd.util.hash_pandas_object(key, index=False).to_numpy()[alive])
    first_line = pd.Series(check.line[alive]).groupby(hashed.to_numpy()).transform("first")
    repeated = np.zeros(len(key), dtype=bool)
    repeated[alive[hashed.duplicated(keep="first").to_numpy()]] = True
    first = np.zeros(len(key), dtype="int64")
    first[alive] = first_line.to_numpy()
    check.flag(
        repeated,
        "duplicate-key",
        None,
        lambda at: [f"one row per {what}: line {first[i]} has the same" for i in at],
    )


def read_fostering(path: str | Path, report: ValidationReport | None = None) -> pd.DataFrame:
    """Read and validate a borough's ``fostering.csv`` (in-house fostering).

    Returns one row per kept row: ``year`` (collection year), ``age_from`` and ``age_to``
    (whole years, inclusive), ``specialism`` (one of
    :data:`~mps.data.layout.FOSTERING_SPECIALISMS`; labels such as "Parent & child" are
    accepted), ``households``, ``places``, ``places_filled``, ``households_approved`` and
    ``households_deregistered`` (Int64) and ``source_row``.

    Rejected: a year that is not a collection year, an age outside 0-17 or a range running
    backwards, an unknown specialism, a count that is not a whole number of 0 or more, and a
    second row for the same year, age range and specialism (it would count twice). Kept
    with a warning: more places filled than approved, and fewer places than households
    (each approved household has at least one place). Exact repeats are kept once.
    Without a ``report`` any rejected row raises
    :class:`~mps.data.validation.FatalValidationError`; a missing file or column is fatal.
    """
    own_report = report is None
    report = report if report is not None else ValidationReport()
    check = open_input(path, table="fostering", required=FOSTERING_COLUMNS, report=report)
    raw = check.raw
    check.exact_duplicates(list(raw.columns))
    year = check.numbers(
        "year",
        minimum=YEAR_RANGE[0],
        maximum=YEAR_RANGE[1],
        whole=True,
        expected="a collection year such as 2025 (the year ending 31 March 2025)",
    )
    age_from, age_to = _age_range(check, required=True)
    specialism = check.codes(
        "specialism",
        FOSTERING_SPECIALISMS,
        normalise=_normaliser(_SPECIALISM_SPELLINGS, NEED_PROFILES),
        what="one of: " + ", ".join(FOSTERING_SPECIALISMS),
    )
    counts = {
        column: _whole(check, column)
        for column in (
            "households",
            "places",
            "places_filled",
            "households_approved",
            "households_deregistered",
        )
    }
    check.flag(
        check.alive & (counts["places_filled"] > counts["places"]).to_numpy(),
        "over-occupied",
        "places_filled",
        "places_filled not above places: kept, please check it",
        Severity.WARNING,
    )
    check.flag(
        check.alive & (counts["places"] < counts["households"]).to_numpy(),
        "places-below-households",
        "places",
        "at least one place per approved household: kept, please check it",
        Severity.WARNING,
    )
    _repeated_key(
        check,
        pd.DataFrame({"y": year, "a": age_from, "b": age_to, "s": specialism}),
        "year, age range and specialism",
    )
    frame = pd.DataFrame(
        {
            "year": year.round().astype("Int64"),
            "age_from": age_from.round().astype("Int64"),
            "age_to": age_to.round().astype("Int64"),
            "specialism": specialism.astype("string"),
            **{column: values.round().astype("Int64") for column, values in counts.items()},
        }
    )
    kept = check.kept(frame)
    check.finish(own_report)
    return kept


def read_contracts(path: str | Path, report: ValidationReport | None = None) -> pd.DataFrame:
    """Read and validate a borough's ``contracts.csv`` (commissioned capacity).

    Returns one row per kept row: ``contract_id``, ``provider_name``, ``URN`` (NA when
    blank), ``contract_type`` (block, framework or dps), ``placement_category`` (one of
    :data:`~mps.data.layout.CONTRACTED_CATEGORIES`; the MPS labels such as "Children's
    home" are accepted), ``need_profile`` (a :data:`~mps.data.layout.NEED_PROFILES` slug, NA
    for general provision), ``age_from`` and ``age_to`` (blank: 0-17), ``places`` (Int64,
    NA when a framework or DPS promises none), ``weekly_price`` (pounds), ``start_date``,
    ``end_date`` (NaT when open-ended) and ``source_row``.

    Rejected: a blank contract_id or provider_name, an unknown contract type (spot
    purchases belong in spend.csv), category or need profile, a block contract without
    places, a price that is not a number of 0 or more, an impossible date, an end before
    the start, and a second row for the same contract, provider, category, need profile
    and age range.
    Exact repeats are kept once. Without a ``report`` any rejected row raises
    :class:`~mps.data.validation.FatalValidationError`; a missing file or column is fatal.
    """
    own_report = report is None
    report = report if report is not None else ValidationReport()
    check = open_input(path, table="contracts", required=CONTRACT_COLUMNS, report=report)
    raw = check.raw
    check.exact_duplicates(list(raw.columns))
    check.required_values(["contract_id", "provider_name"])
    contract_type = check.codes(
        "contract_type",
        CONTRACT_TYPES,
        normalise=_normaliser(_CONTRACT_TYPE_SPELLINGS),
        what="block, framework or dps (spot purchases are not contracts: they are read "
        "from spend.csv)",
    )
    category_labels = {k.value: v for k, v in CATEGORY_LABELS.items()}
    category = check.codes(
        "placement_category",
        CONTRACTED_CATEGORIES,
        normalise=_normaliser(_CATEGORY_SPELLINGS, category_labels),
        what="a placement category a contract can buy: " + ", ".join(CONTRACTED_CATEGORIES),
    )
    profile = check.codes(
        "need_profile",
        tuple(NEED_PROFILES),
        required=False,
        normalise=_normaliser(_SPECIALISM_SPELLINGS, NEED_PROFILES),
        what="blank (general provision) or one of: " + ", ".join(NEED_PROFILES),
    )
    age_from, age_to = _age_range(check, required=False)
    places = _whole(check, "places", required=False)
    check.flag(
        check.alive & (contract_type.eq("block") & places.isna()).to_numpy(),
        "missing-value",
        "places",
        "a number of places: a block contract reserves places",
    )
    price = check.numbers(
        "weekly_price",
        minimum=0,
        strip="£",
        expected="a weekly price in pounds, 0 or more (e.g. 4250.00)",
    )
    start = check.dates("start_date", required=True)
    end = check.dates("end_date", required=False)
    check.flag(
        check.alive & (end < start).to_numpy(),
        "end-before-start",
        "end_date",
        "an end_date on or after the start_date",
    )
    _repeated_key(
        check,
        pd.DataFrame(
            {
                "c": raw["contract_id"],
                "o": raw["provider_name"].str.lower(),
                "p": category,
                "n": profile,
                "a": age_from,
                "b": age_to,
            }
        ),
        "contract, provider, placement category, need profile and age range",
    )
    blank_to_na = {"": pd.NA}
    frame = pd.DataFrame(
        {
            "contract_id": raw["contract_id"].astype("string"),
            "provider_name": raw["provider_name"].astype("string"),
            "URN": raw["URN"].str.upper().replace(blank_to_na).astype("string"),
            "contract_type": contract_type.astype("string"),
            "placement_category": category.astype("string"),
            "need_profile": profile.replace(blank_to_na).astype("string"),
            "age_from": age_from.round().astype("Int64"),
            "age_to": age_to.round().astype("Int64"),
            "places": places.round().astype("Int64"),
            "weekly_price": price,
            "start_date": start,
            "end_date": end,
        }
    )
    kept = check.kept(frame)
    check.finish(own_report)
    return kept
