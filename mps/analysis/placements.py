"""Placements of children looked after: who provides them, where they are, how stable.

Every function takes the longitudinal episode table of :func:`mps.data.ssda903.load_borough`
(one borough's, or a consortium's pooled table) and describes children looked after at
31 March as :func:`mps.analysis.children.looked_after_on` does (DfE rules: a child in a
temporary placement is described by the placement before it; short breaks excluded).

* **Provider sector** is :func:`mps.codes.provider_sector` of PLACE_PROVIDER: the council's
  own provision (PR1), other councils' or public provision (PR2, PR3), private or voluntary
  provision (PR4, PR5), parents (PR0), else not recorded.
* **Distance and location** follow DfE (reference §2.2, §3.6): PL_LOCATION says whether the
  placement is inside the boundary of the child's own council, PL_DISTANCE is the straight
  line from home to placement in miles, and a placement more than 20 miles away is "over
  20 miles". A blank distance (always so for UASC, rule 406) or location is not known.
  For a consortium, "inside" still means inside the child's own council's boundary.
* **Where placed** uses PL_LA: the child's own council, another member council of the
  consortium (``member_la_codes``), elsewhere in England, outside England (Wales, Scotland,
  Northern Ireland), or not known.
* **Stability** (reference §3.7): the % of children looked after at 31 March with three or
  more placements during the year (:func:`mps.analysis.children.placements_in_year`); and
  long-term stability, DfE's measure: of children under 16 at 31 March looked after
  continuously for at least 2.5 years, the % living with the same carer(s) for at least 2
  years (a placement for adoption with the current foster carer, or a change of placement
  with the same carers, goes on with them).
* **Placement changes** are the new placements that began during the year and followed an
  earlier placement in the same period of care (so the first placement of a period, a
  temporary placement and a return from one are not changes); the reason is the
  REASON_PLACE_CHANGE recorded on the episode that ended the earlier placement.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from mps import codes
from mps.analysis.children import (
    _in_year,
    _long_counts,
    _looked_after_on,
    _placements_in_year,
    _prepare,
)

#: Provider sectors in reporting order: :func:`mps.codes.provider_sector` values, then
#: ``not recorded``.
SECTOR_NOT_RECORDED = "not recorded"
SECTOR_ORDER: tuple[str, ...] = ("in-house", "other public", "independent", "parents",
                                 SECTOR_NOT_RECORDED)  # fmt: skip
SECTOR_LABELS = {
    "in-house": "The council's own provision",
    "other public": "Other councils or public bodies",
    "independent": "Private or voluntary providers",
    "parents": "Parents or others with parental responsibility",
    SECTOR_NOT_RECORDED: "Not recorded",
}

#: DfE's distance rule: a placement is "over 20 miles" from home when PL_DISTANCE > 20.
DISTANCE_MILES = 20.0
INSIDE_NEAR = "Inside the council's area, 20 miles or less"
INSIDE_FAR = "Inside the council's area, over 20 miles"
OUTSIDE_NEAR = "Outside the council's area, 20 miles or less"
OUTSIDE_FAR = "Outside the council's area, over 20 miles"
LOCALITY_NOT_KNOWN = "Distance or location not known"
LOCALITY_ORDER: tuple[str, ...] = (INSIDE_NEAR, INSIDE_FAR, OUTSIDE_NEAR, OUTSIDE_FAR,
                                   LOCALITY_NOT_KNOWN)  # fmt: skip

OWN_AREA = "In the council's own area"
MEMBER_AREA = "In another member council's area"
ELSEWHERE_IN_ENGLAND = "Elsewhere in England"
OUTSIDE_ENGLAND = "Outside England"
AREA_NOT_KNOWN = "Not known"
AREA_ORDER: tuple[str, ...] = (OWN_AREA, MEMBER_AREA, ELSEWHERE_IN_ENGLAND, OUTSIDE_ENGLAND,
                               AREA_NOT_KNOWN)  # fmt: skip
#: PL_LA values of placements outside England (reference §2.2).
OUTSIDE_ENGLAND_CODES = frozenset({"WAL", "SCO", "NIR"})

#: Reasons for a placement change in reporting order (DfE's, reference §3.8), then not
#: recorded.
CHANGE_NOT_RECORDED = "Not recorded"
CHANGE_REASON_ORDER: tuple[str, ...] = (
    *(code.label for code in codes.REASON_PLACE_CHANGE.values()),
    CHANGE_NOT_RECORDED,
)

#: Long-term stability: looked after for at least 30 months, with the same carer(s) for at
#: least 24, among children under 16 at 31 March.
LONG_TERM_CARE_MONTHS = 30
LONG_TERM_CARER_MONTHS = 24
LONG_TERM_MAX_AGE = 15


# --- Groups of children looked after -------------------------------------------------------
def provider_sector(cla: pd.Series | pd.DataFrame) -> pd.Series:
    """The :data:`SECTOR_ORDER` group of each child's placement (from PLACE_PROVIDER)."""
    provider = cla["PLACE_PROVIDER"] if isinstance(cla, pd.DataFrame) else cla
    return codes.provider_sector(provider).fillna(SECTOR_NOT_RECORDED).astype("string")


def placement_locality(cla: pd.DataFrame) -> pd.Series:
    """DfE's distance locality of each child's placement (:data:`LOCALITY_ORDER`): inside or
    outside the council's boundary (PL_LOCATION), and 20 miles or less or over 20 miles
    from home (PL_DISTANCE); not known when either is blank."""
    location = cla["PL_LOCATION"].astype("string").str.upper()
    distance = pd.to_numeric(cla["PL_DISTANCE"], errors="coerce").astype("Float64")
    far = distance > DISTANCE_MILES
    known = location.isin(["IN", "OUT"]).fillna(False) & distance.notna()
    inside = location.eq("IN").fillna(False)
    group = np.select(
        [
            ~known.to_numpy(dtype=bool),
            (inside & ~far).to_numpy(dtype=bool, na_value=False),
            (inside & far).to_numpy(dtype=bool, na_value=False),
            (~inside & ~far).to_numpy(dtype=bool, na_value=False),
        ],
        [LOCALITY_NOT_KNOWN, INSIDE_NEAR, INSIDE_FAR, OUTSIDE_NEAR],
        default=OUTSIDE_FAR,
    )
    return pd.Series(group, index=cla.index, dtype="string")


def placement_area(cla: pd.DataFrame, member_la_codes: Sequence[str] = ()) -> pd.Series:
    """Where each child is placed (:data:`AREA_ORDER`): in their own council's area
    (PL_LOCATION IN), in another member council of the consortium (PL_LA one of
    ``member_la_codes``), elsewhere in England, outside England (PL_LA WAL, SCO or NIR), or
    not known (PL_LA blank)."""
    location = cla["PL_LOCATION"].astype("string").str.upper()
    place_la = cla["PL_LA"].astype("string").str.strip().str.upper()
    members = [str(code).strip().upper() for code in member_la_codes]
    group = np.select(
        [
            location.eq("IN").to_numpy(dtype=bool, na_value=False),
            place_la.isin(members).to_numpy(dtype=bool, na_value=False),
            place_la.isin(list(OUTSIDE_ENGLAND_CODES)).to_numpy(dtype=bool, na_value=False),
            place_la.notna().to_numpy(dtype=bool),
        ],
        [OWN_AREA, MEMBER_AREA, OUTSIDE_ENGLAND, ELSEWHERE_IN_ENGLAND],
        default=AREA_NOT_KNOWN,
    )
    return pd.Series(group, index=cla.index, dtype="string")


def _by_year(
    episodes: pd.DataFrame,
    years: Sequence[int],
    group: Callable[[pd.DataFrame], pd.Series],
    name: str,
    order: Sequence[str],
) -> pd.DataFrame:
    prepared = _prepare(episodes)
    by_year = {
        year: group(_looked_after_on(prepared, codes.year_end(year))).value_counts()
        for year in sorted({int(y) for y in years})
    }
    return _long_counts(by_year, name, order)


def sector_mix(episodes: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Children looked after at 31 March by the sector providing their placement.

    Long table: year, sector (:data:`SECTOR_ORDER`, zeros included), children.
    """
    return _by_year(episodes, years, provider_sector, "sector", SECTOR_ORDER)


def locality_mix(episodes: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Children looked after at 31 March by DfE's distance locality of their placement.

    Long table: year, locality (:data:`LOCALITY_ORDER`, zeros included), children.
    """
    return _by_year(episodes, years, placement_locality, "locality", LOCALITY_ORDER)


def area_mix(
    episodes: pd.DataFrame, years: Sequence[int], member_la_codes: Sequence[str] = ()
) -> pd.DataFrame:
    """Children looked after at 31 March by where they are placed (:func:`placement_area`).

    Long table: year, placed (:data:`AREA_ORDER`, zeros included), children.
    """
    return _by_year(
        episodes, years, lambda cla: placement_area(cla, member_la_codes), "placed", AREA_ORDER
    )


# --- Stability ----------------------------------------------------------------------------------
def _long_term(cla: pd.DataFrame, year: int) -> pd.DataFrame:
    end = pd.Timestamp(codes.year_end(year))
    under_16 = cla.loc[(cla["age"] <= LONG_TERM_MAX_AGE).fillna(False).to_numpy(dtype=bool)]
    care_since = end - pd.DateOffset(months=LONG_TERM_CARE_MONTHS)
    carer_since = end - pd.DateOffset(months=LONG_TERM_CARER_MONTHS)
    # A start before the returns loaded is a lower bound: it settles the question only
    # when even the lower bound is long enough; otherwise the answer is not known.
    long_enough = under_16["period_start"] <= care_since
    in_care = long_enough.astype("boolean").mask(
        ~long_enough & ~under_16["period_start_known"], pd.NA
    )
    with_carer = under_16["carer_start"].notna() & (under_16["carer_start"] <= carer_since)
    same_carer = with_carer.astype("boolean").mask(
        ~with_carer & ~under_16["carer_start_known"] & under_16["carer_start"].notna(), pd.NA
    )
    out = under_16[["la", "CHILD", "age", "period_start", "carer_start", "placement_category"]]
    out = out.reset_index(drop=True)
    out["in_care_2_5_years"] = in_care.reset_index(drop=True)
    out["same_carer_2_years"] = same_carer.reset_index(drop=True).where(
        out["in_care_2_5_years"].eq(True).fillna(False).to_numpy(dtype=bool), pd.NA
    )
    return out


def long_term_stability(episodes: pd.DataFrame, year: int) -> pd.DataFrame:
    """Children under 16 at 31 March of ``year`` and DfE's long-term stability questions.

    One row per child (internal: child-level): la, CHILD, age, period_start, carer_start,
    placement_category, in_care_2_5_years (looked after continuously since at least 30
    months before 31 March) and same_carer_2_years (with the same carer(s) since at least
    24 months before; blank unless in care 2.5 years). A question is blank (``<NA>``) when
    the returns loaded do not go back far enough to answer it.
    """
    prepared = _prepare(episodes)
    return _long_term(_looked_after_on(prepared, codes.year_end(year)), year)


def stability_trend(episodes: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Placement stability for each collection year.

    Columns: year; cla_at_31_march, three_plus_placements and three_plus_pct (1 dp);
    long_term_eligible (under 16, looked after 2.5 years or more), long_term_stable (of
    them, with the same carer(s) for 2 years or more), long_term_pct (1 dp) and
    long_term_not_known (children the returns loaded cannot place: when there are any, the
    look-back reaches before the earliest return and the eligible, stable and pct figures
    are blank, ``<NA>``/NaN, as they would be undercounts). Percentages are NaN when their
    denominator is 0.
    """
    prepared = _prepare(episodes)
    rows = []
    for year in sorted({int(y) for y in years}):
        placements = _placements_in_year(prepared, year)
        cla = _looked_after_on(prepared, codes.year_end(year))
        long_term = _long_term(cla, year)
        eligible = long_term["in_care_2_5_years"].eq(True)
        stable = eligible & long_term["same_carer_2_years"].eq(True)
        not_known = long_term["in_care_2_5_years"].isna() | (
            eligible & long_term["same_carer_2_years"].isna()
        )
        three_plus = int((placements >= 3).sum())
        complete = not not_known.any()
        rows.append(
            {
                "year": year,
                "cla_at_31_march": len(placements),
                "three_plus_placements": three_plus,
                "three_plus_pct": _pct(three_plus, len(placements)),
                "long_term_eligible": int(eligible.sum()) if complete else pd.NA,
                "long_term_stable": int(stable.sum()) if complete else pd.NA,
                "long_term_pct": _pct(int(stable.sum()), int(eligible.sum()))
                if complete
                else float("nan"),
                "long_term_not_known": int(not_known.sum()),
            }
        )
    columns = ["year", "cla_at_31_march", "three_plus_placements", "three_plus_pct",
               "long_term_eligible", "long_term_stable", "long_term_pct",
               "long_term_not_known"]  # fmt: skip
    out = pd.DataFrame(rows, columns=columns)
    counts = [c for c in columns if not c.endswith("_pct")]
    return out.astype({**dict.fromkeys(counts, "int64"), "three_plus_pct": "float64",
                       "long_term_pct": "float64", "long_term_eligible": "Int64",
                       "long_term_stable": "Int64"})  # fmt: skip


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else float("nan")


def placement_changes(episodes: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Placement changes during each collection year by reason (REASON_PLACE_CHANGE).

    Long table: year, reason (the labels of :data:`CHANGE_REASON_ORDER`, zeros included),
    changes (a count of changes, not of children: a child moving twice counts twice).
    """
    if "REASON_PLACE_CHANGE" not in episodes.columns:
        raise ValueError(
            "episode table is missing column REASON_PLACE_CHANGE "
            "(expected the table of mps.data.ssda903.load_borough)"
        )
    prepared = _prepare(episodes)
    frame = prepared.frame
    reason_of = {code: item.label for code, item in codes.REASON_PLACE_CHANGE.items()}
    changed = prepared.changed_from >= 0
    by_year = {}
    for year in sorted({int(y) for y in years}):
        rows = np.flatnonzero(changed & _in_year(prepared.decom, year))
        reasons = (
            frame["REASON_PLACE_CHANGE"]
            .take(prepared.changed_from[rows])
            .astype("string")
            .str.upper()
            .map(reason_of)
            .fillna(CHANGE_NOT_RECORDED)
        )
        by_year[year] = reasons.value_counts()
    return _long_counts(by_year, "reason", CHANGE_REASON_ORDER, value="changes")
