"""Flows into and out of care: re-entries, UASC starts, reasons for leaving, durations, rates.

Every function takes the longitudinal episode table of :func:`mps.data.ssda903.load_borough`
(one borough's, or a consortium's pooled table) and counts as :mod:`mps.analysis.children`
does (DfE rules): a child is ``(la, CHILD)``, counted once a year; children looked after
only under short breaks (LS V3/V4) are left out.

**Re-entries.** The 903 has no flag for a return to care, so we use the episode history:
a child who starts to be looked after in year Y *re-enters care* when the same child (same
``la`` and ``CHILD``) had an earlier period of care in the returns loaded (an episode, not a
short break, before the start). ``PREV_PERM`` is not used: it records an adoption or
special guardianship or child arrangements order before care, which is a different question
(and is not in the episode table). Two limits follow from the data: only the returns loaded
are seen, so the earliest years undercount (a period of care that ended before the first
return is unknown); and a child looked after before by another council starts afresh here.
Re-entries *within 12 months* are those whose previous period of care ended in the 12 months
before the start (the sector's usual measure of care ending too soon).

**Durations of care** are for children who ceased to be looked after: from the start of
the period of care that ended to its end (DEC). A period whose start is before the returns
loaded (its first episode is not a start, RNE S) has only a lower bound: it is put in the
longest band when even the lower bound reaches it, else counted as not known.

All functions are vectorised; loops are over years only. Results are deterministic and
sorted by year and the published order of the groups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mps import codes
from mps.analysis import children
from mps.analysis.children import (
    _ceases,
    _day,
    _in_year,
    _long_counts,
    _prepare,
    _Prepared,
    _starts,
)

#: DfE's groups of reasons for ceasing to be looked after, in the order this statement
#: publishes them (the most common first, as in DfE's tables, reference §3.4).
REASON_GROUP_ORDER: tuple[str, ...] = (
    "Returned home to parents or relatives",
    "Left care to live with parents or relatives without parental responsibility",
    "Adopted",
    "Special guardianship order",
    "Residence or child arrangements order",
    "Moved into independent living",
    "Aged 18 or over and remained with current carers",
    "Transferred to adult social care",
    "Care taken over by another local authority",
    "Sentenced to custody",
    "Accommodation on remand ended",
    "Age assessment determined child is 18 or over",
    "Moved abroad",
    "Died",
    "Ceased for any other reason",
)

#: Bands of the length of a period of care: (label, at least this many months).
DURATION_BANDS: tuple[tuple[str, int], ...] = (
    ("Under 1 month", 0),
    ("1 month to under 6 months", 1),
    ("6 months to under 1 year", 6),
    ("1 year to under 2 years", 12),
    ("2 years to under 5 years", 24),
    ("5 years or more", 60),
)
#: Band of a period of care that began before the returns loaded and is not yet known to
#: reach the longest band.
DURATION_NOT_KNOWN = "Not known (care began before the returns loaded)"
DURATION_ORDER: tuple[str, ...] = (*(label for label, _ in DURATION_BANDS), DURATION_NOT_KNOWN)

#: Columns :func:`cla_counts` needs (a light read of other boroughs' episodes).
STOCK_COLUMNS: tuple[str, ...] = ("la", "CHILD", "DECOM", "DEC", "LS")


# --- Re-entries and UASC starts -------------------------------------------------------------
def _re_entries(prepared: _Prepared, year: int) -> pd.DataFrame:
    frame = prepared.frame
    n = len(frame)
    rows = np.arange(n, dtype=np.int64)
    care = ~prepared.short_break
    # First episode of care (not a short break) of each child, and the latest episode
    # that ended a period of care at or before each row.
    first_of_child = np.ones(n, dtype=bool)
    first_of_child[1:] = prepared.child[1:] != prepared.child[:-1]
    child_first_row = np.maximum.accumulate(np.where(first_of_child, rows, 0)) if n else rows
    first_care = (
        pd.Series(np.where(care, rows, n), dtype="int64")
        .groupby(prepared.child)
        .transform("min")
        .to_numpy(dtype=np.int64)
    )
    ends_care = care & frame["REC"].isin(list(codes.LEAVING_CARE_REC)).to_numpy(dtype=bool)
    last_cease = np.maximum.accumulate(np.where(ends_care, rows, -1)) if n else rows
    previous = np.maximum(rows - 1, 0)
    cease_before = np.where(rows > child_first_row, last_cease[previous], -1)
    cease_before = np.where(cease_before >= child_first_row, cease_before, -1)

    is_start = frame["RNE"].eq("S").fillna(False).to_numpy(dtype=bool)
    returning = is_start & care & _in_year(prepared.decom, year) & (rows > first_care)
    chosen = np.flatnonzero(returning)
    decom = frame["DECOM"].take(chosen).reset_index(drop=True)
    before = cease_before[chosen]
    previous_cease = pd.Series(
        np.where(before >= 0, prepared.dec[np.maximum(before, 0)], np.datetime64("NaT")),
        dtype="datetime64[ns]",
    )
    within = previous_cease.notna() & (previous_cease >= decom - pd.DateOffset(years=1))
    out = pd.DataFrame(
        {
            "la": frame["la"].take(chosen).astype("string").reset_index(drop=True),
            "CHILD": frame["CHILD"].take(chosen).astype("string").reset_index(drop=True),
            "DECOM": decom,
            "previous_cease": previous_cease,
            "days_since_left": (decom - previous_cease).dt.days.astype("Int64"),
            "within_12_months": within.to_numpy(dtype=bool),
        }
    )
    # Once per child: the first re-entry of the year, within 12 months if any of them was.
    out["within_12_months"] = out.groupby(["la", "CHILD"])["within_12_months"].transform("any")
    return out.drop_duplicates(["la", "CHILD"], keep="first").reset_index(drop=True)


def re_entries(episodes: pd.DataFrame, year: int) -> pd.DataFrame:
    """Children who re-entered care in collection ``year`` (the module docstring's rule).

    One row per child (internal: child-level): la, CHILD, DECOM (the first start in the year
    that follows an earlier period of care), previous_cease (DEC of the period of care
    before it; blank when the earlier period has no recorded end), days_since_left and
    within_12_months (any re-entry of the year came within 12 months of leaving care).
    Sorted by la and CHILD.
    """
    return _re_entries(_prepare(episodes), year)


def _uasc_at_start(started: pd.DataFrame) -> pd.Series:
    return started["UASC"] & (started["DUC"].isna() | (started["DUC"] > started["DECOM"]))


def uasc_starts(episodes: pd.DataFrame, year: int) -> pd.DataFrame:
    """Children who started to be looked after in ``year`` as unaccompanied asylum-seeking
    children: :func:`mps.analysis.children.starts` rows recorded as UASC whose UASC status
    had not ceased (DUC blank or after the start date). Internal: child-level."""
    started = children.starts(episodes, year)
    return started.loc[_uasc_at_start(started).to_numpy(dtype=bool)].reset_index(drop=True)


def flow_trend(
    episodes: pd.DataFrame, years: Sequence[int], history_from: int | None = None
) -> pd.DataFrame:
    """Starts, re-entries and UASC starts for each collection year.

    Columns: year, starts (children starting, each once), re_entries (of them, children
    re-entering care), re_entries_within_12_months and uasc_starts (UASC at the start).
    ``history_from`` is the earliest collection year loaded: a year whose 12-month look-back
    reaches before it (that year itself) has re_entries_within_12_months blank (``<NA>``),
    since the returns cannot show who left care in the 12 months before its starts.
    Years ascending.
    """
    prepared = _prepare(episodes)
    rows = []
    for year in sorted({int(y) for y in years}):
        started = _starts(prepared, year)
        returned = _re_entries(prepared, year)
        complete = history_from is None or year > history_from
        rows.append(
            {
                "year": year,
                "starts": len(started),
                "re_entries": len(returned),
                "re_entries_within_12_months": int(returned["within_12_months"].sum())
                if complete
                else pd.NA,
                "uasc_starts": int(_uasc_at_start(started).sum()),
            }
        )
    columns = ["year", "starts", "re_entries", "re_entries_within_12_months", "uasc_starts"]
    out = pd.DataFrame(rows, columns=columns)
    return out.astype({**dict.fromkeys(columns, "int64"), "re_entries_within_12_months": "Int64"})


# --- Leaving care -----------------------------------------------------------------------------
def reasons_ceased(episodes: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Children who ceased to be looked after, by DfE's group of the reason (REC).

    Long table: year, reason_group (every group of :data:`REASON_GROUP_ORDER`, zeros
    included, in that order), children. Each child is counted once a year, at the last
    cease (:func:`mps.analysis.children.ceases`).
    """
    prepared = _prepare(episodes)
    by_year = {
        year: _ceases(prepared, year)["reason_group"].value_counts()
        for year in sorted({int(y) for y in years})
    }
    return _long_counts(by_year, "reason_group", REASON_GROUP_ORDER)


def duration_band(
    start: pd.Series | pd.Timestamp,
    end: pd.Series | pd.Timestamp,
    start_known: pd.Series | np.ndarray,
    bands: Sequence[tuple[str, int]] = DURATION_BANDS,
    not_known: str = DURATION_NOT_KNOWN,
) -> pd.Series:
    """The band (of ``bands``: label, at least this many months) of each period from
    ``start`` to ``end``; a blank start or end is ``not_known``.

    A period whose start is not known (``start_known`` False: ``start`` is a lower bound)
    gets its band only when the lower bound already reaches the longest band; otherwise
    ``not_known``. Months are calendar months: 15 January to 15 July is six.
    """
    known = pd.Series(np.asarray(start_known, dtype=bool))
    start = _dates(start, len(known))
    end = _dates(end, len(known))
    band = pd.Series(bands[0][0], index=known.index, dtype="string")
    for label, months in bands[1:]:
        band = band.mask(end >= start + pd.DateOffset(months=months), label)
    longest = bands[-1][0]
    unknown = (~known & band.ne(longest)) | start.isna() | end.isna()
    return band.mask(unknown.to_numpy(dtype=bool), not_known)


def _dates(values: pd.Series | pd.Timestamp, n: int) -> pd.Series:
    if isinstance(values, pd.Series):
        return pd.to_datetime(values).reset_index(drop=True)
    return pd.Series(pd.Timestamp(values), index=range(n), dtype="datetime64[ns]")


def care_durations(episodes: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """How long children who ceased to be looked after in each year had been looked after.

    Long table: year, duration_band (:data:`DURATION_ORDER`, zeros included), children:
    the length of the period of care that ended at the child's last cease of the year
    (:func:`duration_band`).
    """
    prepared = _prepare(episodes)
    by_year = {}
    for year in sorted({int(y) for y in years}):
        ceased = _ceases(prepared, year)
        bands = duration_band(ceased["period_start"], ceased["DEC"], ceased["period_start_known"])
        by_year[year] = bands.value_counts()
    return _long_counts(by_year, "duration_band", DURATION_ORDER)


# --- Rates per 10,000 by area ----------------------------------------------------------------
def cla_counts(episodes: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Children looked after at 31 March per borough and year (DfE's rule, as
    :func:`mps.analysis.children.cla_at_31_march` counts them).

    Needs only :data:`STOCK_COLUMNS`, so other boroughs' episodes can be read lightly.
    Long table: year, la, children; every borough in ``episodes`` for every year (zeros
    included), sorted by year and la.
    """
    missing = [c for c in STOCK_COLUMNS if c not in episodes.columns]
    if missing:
        raise ValueError(f"episode table is missing columns {', '.join(missing)}")
    decom = episodes["DECOM"].to_numpy(dtype="datetime64[ns]")
    dec = episodes["DEC"].to_numpy(dtype="datetime64[ns]")
    care = ~episodes["LS"].isin(list(codes.SHORT_BREAK_LS)).to_numpy(dtype=bool)
    boroughs = sorted(episodes["la"].astype("string").dropna().unique())
    parts = []
    for year in sorted({int(y) for y in years}):
        day = _day(codes.year_end(year))
        open_on = care & (decom <= day) & (np.isnat(dec) | (dec > day))
        looked_after = episodes.loc[open_on, ["la", "CHILD"]].drop_duplicates()
        counts = looked_after.groupby("la", observed=True).size().reindex(boroughs, fill_value=0)
        parts.append(
            pd.DataFrame(
                {
                    "year": year,
                    "la": pd.Series(boroughs, dtype="string"),
                    "children": counts.to_numpy(dtype=np.int64),
                }
            )
        )
    if not parts:
        return pd.DataFrame(
            {
                "year": pd.Series(dtype="int64"),
                "la": pd.Series(dtype="string"),
                "children": pd.Series(dtype="int64"),
            }
        )
    return pd.concat(parts, ignore_index=True).astype({"year": "int64", "children": "int64"})


def area_rates(
    counts: pd.DataFrame,
    population: pd.DataFrame,
    years: Sequence[int],
    areas: Mapping[str, Mapping[str, str]],
) -> pd.DataFrame:
    """Children looked after at 31 March and the rate per 10,000 aged 0-17, for each area.

    ``counts`` is :func:`cla_counts`; ``areas`` maps an area's name to its boroughs, each
    ``{la slug: ONS code}`` (one borough, or a consortium). An area's figures are pooled:
    its children and its population are summed, then divided (never an average of its
    boroughs' rates). Long table: area (in the order given), year, children, population
    and rate_per_10000 (1 dp). Raises ValueError naming an area's borough that has no
    count, or (from :func:`mps.analysis.children.population_0_17`) missing population.
    """
    by_borough = counts.set_index(["la", "year"])["children"]
    known = set(counts["la"])
    rows = []
    for name, boroughs in areas.items():
        unknown = [b for b in boroughs if b not in known]
        if unknown:
            raise ValueError(
                f"area {name!r}: no children looked after counted for {', '.join(unknown)}"
            )
        for year in sorted({int(y) for y in years}):
            number = int(sum(by_borough.get((b, year), 0) for b in boroughs))
            people = children.population_0_17(population, year, list(boroughs.values()))
            rows.append(
                {
                    "area": name,
                    "year": year,
                    "children": number,
                    "population": people,
                    "rate_per_10000": round(number / people * 1e4, 1),
                }
            )
    columns = ["area", "year", "children", "population", "rate_per_10000"]
    out = pd.DataFrame(rows, columns=columns)
    return out.astype(
        {
            "area": "string",
            "year": "int64",
            "children": "int64",
            "population": "float64",
            "rate_per_10000": "float64",
        }
    )


def comparison_areas(
    area_name: str,
    area_boroughs: Mapping[str, str],
    members: Sequence[Mapping[str, str]],
    consortium_name: str,
    is_consortium: bool,
) -> dict[str, dict[str, str]]:
    """The areas a rate comparison sets side by side, for :func:`area_rates`.

    For a borough: the borough, then its whole consortium (every member). For a consortium
    (or a region of it): each of its boroughs, then the area itself. ``area_boroughs`` maps
    the area's boroughs to their ONS codes; ``members`` are the consortium's members
    (mappings with slug, name and la_code).
    """
    if is_consortium:
        names = {str(m["slug"]): str(m["name"]) for m in members}
        areas = {names.get(slug, slug): {slug: code} for slug, code in area_boroughs.items()}
        areas[area_name] = dict(area_boroughs)
        return areas
    whole = {str(m["slug"]): str(m["la_code"]) for m in members}
    areas = {area_name: dict(area_boroughs)}
    if whole and set(whole) != set(area_boroughs):
        areas[consortium_name] = whole
    return areas
