"""Children looked after: the stock at a date, starts, ceases, placements and yearly trends.

Every function takes the longitudinal episode table of :func:`mps.data.ssda903.load_borough`
(columns :data:`mps.data.ssda903.EPISODE_COLUMNS`), for one borough or for a consortium
(the concatenation of its boroughs' tables). A child is identified by ``(la, CHILD)``
everywhere: the same CHILD id in two boroughs is two children, and consortium figures are
counted on the pooled episodes, never averaged from borough percentages.

The DfE counting rules implemented here (reference §3, §6 item 3):

* **Looked after on a date D**: a child with an episode that has DECOM <= D and DEC blank
  or after D (a child leaving on 31 March is not looked after at 31 March). Children whose
  episode on D is a short break (LS V3/V4) are not counted. Each child counts once.
* **Period of care**: the episodes from a start (RNE S) to the episode whose REC ends care
  (anything but X1). A new period also begins at a gap between episodes, or at the first
  episode we have of a child (whose care may have begun before the returns loaded).
* **Temporary placements** (PLACE T0-T4) are never placements: a child in one is described
  by the latest non-temporary placement of the same period of care (placement category,
  PLACE, provider, URN, location and distance), and the temporary code is kept in
  ``temporary_place``. A child with no earlier placement in the period (care began with a
  temporary placement) is counted under ``other`` ("Other placements"), as is any
  placement whose category cannot be derived, so categories always add up to the total.
* **Starts in year Y** (1 April Y-1 to 31 March Y): episodes with RNE S and DECOM in the
  year, not short breaks; each child counted once, at their first start in the year.
* **Ceases in year Y**: episodes whose REC ends a period of care (not X1) with DEC in the
  year, not short breaks; each child counted once, at their last cease in the year.
* **Placements during the year** (stability), for children looked after at 31 March: the
  placement held on 1 April (if looked after then) plus each new placement started in the
  year (RNE S, P, T, B or U). Temporary placements are not placements, and going back to
  the same placement after a temporary one is not a new placement. Short-break episodes
  are not placements.
* **UASC at 31 March**: looked after at 31 March, recorded as UASC, and with no date UASC
  status ceased (DUC) on or before 31 March.
* **Age** at a date is in completed years (:func:`mps.codes.age_in_years`), banded under 1,
  1-4, 5-9, 10-15 and 16+.
* **Rate per 10,000** for year Y uses the mid-year Y-1 ONS population aged 0-17 (the
  estimate, or the projection where there is no estimate).

All functions are vectorised (no loop over rows) and deterministic: results are sorted by
``la`` and ``CHILD`` (or by year and the category/band order of :mod:`mps.codes`).
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mps import codes

#: Columns of the episode table these functions read.
REQUIRED_COLUMNS: tuple[str, ...] = (
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
)
#: Columns describing where a child is placed: taken from the placement a temporary
#: placement belongs to.
PLACEMENT_COLUMNS: tuple[str, ...] = (
    "PLACE",
    "PLACE_PROVIDER",
    "URN",
    "PL_DISTANCE",
    "PL_LA",
    "PL_LOCATION",
)
#: Category of a child with no placement to attribute a temporary one to.
UNPLACED_CATEGORY = codes.PlacementCategory.OTHER.value

_CHILD = ["la", "CHILD"]


# --- Preparation: periods of care and placements, once per table ---------------------------
# The underscore helpers of this module (_prepare, _looked_after_on, _starts, ...) are shared
# with the other modules of mps.analysis that count from the 903 (flows, placements, profile,
# residential), so every count rests on the same periods of care and placements.
@dataclass(frozen=True)
class _Prepared:
    """The episodes sorted by child and start, with what every count needs per episode."""

    frame: pd.DataFrame  # sorted by la, CHILD, DECOM; index 0..n-1
    child: np.ndarray  # int64 id of (la, CHILD), increasing down the frame
    decom: np.ndarray  # datetime64[ns]
    dec: np.ndarray  # datetime64[ns], NaT while open
    short_break: np.ndarray  # bool: LS V3/V4
    temporary: np.ndarray  # bool: PLACE T0-T4
    period_start: np.ndarray  # datetime64[ns]: DECOM of the period's first episode
    placement_row: np.ndarray  # int64: row describing the placement (self if none earlier)
    category: np.ndarray  # object: placement category, temporary resolved, never missing
    spell: np.ndarray  # int64: id of the placement the episode belongs to, -1 for none
    period_first: np.ndarray  # int64: row of the first episode of the period of care
    period_start_known: np.ndarray  # bool: the period's first episode is a start (RNE S)
    placement_start: np.ndarray  # datetime64[ns]: first day of the placement, NaT for none
    carer_start: np.ndarray  # datetime64[ns]: first day with the same carer(s), NaT for none
    placement_start_known: np.ndarray  # bool: the placement's first episode began it
    carer_start_known: np.ndarray  # bool: the first episode with the carer(s) began it
    placement_begins: np.ndarray  # bool: a new placement begins at this episode
    changed_from: np.ndarray  # int64: where a placement changes, the previous one's last row
    #: Selections already made from this table (see :func:`_remembered`).
    memo: dict = field(default_factory=dict, compare=False, repr=False)


#: Rows of selections kept per prepared table: a notebook asks for the children looked after
#: at each 31 March from many sections; an England-sized table would hold too much memory.
MEMO_ROWS = 150_000


def _remembered(select: Callable) -> Callable:
    """Keep what ``select(prepared, year)`` (or ``(prepared, date)``) returns on the
    preparation and hand out copies (callers add columns to what they get). Selections are
    pure functions of the prepared table, so a kept one is always the one that would be
    made again."""

    @functools.wraps(select)
    def remembered(prepared: _Prepared, when):
        # a collection year (int or numpy integer) or a date, normalised to its day
        which = int(when) if isinstance(when, (int, np.integer)) else _day(when)
        key = (select.__name__, which)
        kept = prepared.memo.get(key)
        if kept is None:
            kept = select(prepared, when)
            held = sum(len(v) for v in prepared.memo.values())
            if held + len(kept) <= MEMO_ROWS:
                prepared.memo[key] = kept
        return kept.copy()

    return remembered


def _flags(values: pd.Series, members: frozenset[str] | set[str]) -> np.ndarray:
    return values.isin(list(members)).to_numpy(dtype=bool)


def _text(values: pd.Series) -> np.ndarray:
    """Object array with None for blanks, so ``==`` compares blanks as equal."""
    return values.astype("string").to_numpy(dtype=object, na_value=None)


def _check(episodes: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in episodes.columns]
    if missing:
        raise ValueError(
            "episode table is missing columns "
            + ", ".join(missing)
            + " (expected the table of mps.data.ssda903.load_borough)"
        )
    for column in ("la", "CHILD", "DECOM"):
        blank = episodes[column].isna().to_numpy()
        if blank.any():
            at = int(np.flatnonzero(blank)[0])
            row = episodes.iloc[at]
            where = (
                f"{row['source_file']} row {row['source_row']}"
                if "source_file" in episodes.columns
                else f"table row {at}"
            )
            raise ValueError(
                f"episode table, {where}: column {column} is blank; expected a value "
                f"(la {row['la']!s}, CHILD {row['CHILD']!s})"
            )


def _same_placement(frame: pd.DataFrame, rows: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """Whether each episode in ``rows`` is in the same placement as the one in ``earlier``.

    Same PLACE, and the same URN when both record one, else the same PL_POST when both
    record one, else the same only if neither records a URN or postcode (nothing says the
    child moved).
    """
    place, urn, post = (_text(frame[c].take(rows)) for c in ("PLACE", "URN", "PL_POST"))
    place_before, urn_before, post_before = (
        _text(frame[c].take(earlier)) for c in ("PLACE", "URN", "PL_POST")
    )
    urn_known = pd.notna(urn) & pd.notna(urn_before)
    post_known = pd.notna(post) & pd.notna(post_before)
    nothing_known = pd.isna(urn) & pd.isna(urn_before) & pd.isna(post) & pd.isna(post_before)
    same_address = np.where(
        urn_known,
        urn == urn_before,
        np.where(post_known, post == post_before, nothing_known),
    )
    return ((place == place_before) & same_address).astype(bool)


#: id(episodes) -> (weak reference to them, their shape, their preparation): a notebook
#: asks for many counts of the same table, and preparing it is the costly part.
_PREPARED: dict[int, tuple[weakref.ref, tuple, _Prepared]] = {}


def _prepare(episodes: pd.DataFrame) -> _Prepared:
    """Sort the episodes and derive periods of care, placements and resolved categories
    (once per table: later calls with the same, unchanged table reuse the result)."""
    key = id(episodes)
    shape = (len(episodes), tuple(episodes.columns))
    known = _PREPARED.get(key)
    if known is not None and known[0]() is episodes and known[1] == shape:
        return known[2]
    prepared = _prepare_table(episodes)
    forget = lambda _, key=key: _PREPARED.pop(key, None)  # noqa: E731
    _PREPARED[key] = (weakref.ref(episodes, forget), shape, prepared)
    return prepared


def _prepare_table(episodes: pd.DataFrame) -> _Prepared:
    _check(episodes)
    frame = episodes.sort_values(["la", "CHILD", "DECOM"], kind="stable").reset_index(drop=True)
    n = len(frame)
    rows = np.arange(n, dtype=np.int64)
    child = frame.groupby(_CHILD, sort=False).ngroup().to_numpy(dtype=np.int64)
    decom = frame["DECOM"].to_numpy(dtype="datetime64[ns]")
    dec = frame["DEC"].to_numpy(dtype="datetime64[ns]")
    short_break = _flags(frame["LS"], codes.SHORT_BREAK_LS)
    temporary = _flags(frame["PLACE"], codes.TEMPORARY_PLACE)
    ends_care = _flags(frame["REC"], codes.LEAVING_CARE_REC)
    is_start = _flags(frame["RNE"], {"S"})
    new_placement_reason = _flags(frame["RNE"], codes.RNE_NEW_PLACEMENT)

    # Previous episode of the same child (False/NaT on each child's first row).
    same_child = np.zeros(n, dtype=bool)
    same_child[1:] = child[1:] == child[:-1]
    previous = np.maximum(rows - 1, 0)
    # An episode continues the period when it follows on the same day from an episode that
    # did not end care, and is not itself a start.
    continues = same_child & (dec[previous] == decom) & ~ends_care[previous] & ~is_start
    period_first = np.maximum.accumulate(np.where(continues, 0, rows)) if n else rows
    period_start = decom[period_first]
    same_period = continues  # the previous row is in the same period exactly when continuing

    # The latest placement (not temporary, not a short break) at or before each episode,
    # within its period of care; -1 when there is none.
    placement = ~temporary & ~short_break
    latest = np.maximum.accumulate(np.where(placement, rows, -1)) if n else rows
    anchor = np.where(latest >= period_first, latest, -1)
    before = np.where(same_period, anchor[previous], -1)  # strictly before the episode

    # Going back to the placement held before a temporary one is not a new placement.
    after_temporary = placement & same_period & temporary[previous] & (before >= 0)
    returns = np.zeros(n, dtype=bool)
    candidates = np.flatnonzero(after_temporary)  # few: compared on these rows only
    returns[candidates] = _same_placement(frame, candidates, before[candidates])

    # A placement begins at each new-placement episode, and at the first placement of a
    # period whatever its RNE (a placement never spans two periods of care).
    begins = placement & (new_placement_reason | (before < 0)) & ~returns
    spell_of_row = np.cumsum(begins) - 1
    spell = np.where(anchor >= 0, spell_of_row[np.maximum(anchor, 0)], -1)

    # The same carer(s) go on through a change of placement with the same carers (RNE T
    # or U) and a placement for adoption with the current foster carer (A3, A5): DfE's
    # long-term stability counts time with the same carer (reference §3.7).
    same_carer = _flags(frame["RNE"], {"T", "U"}) | _flags(frame["PLACE"], {"A3", "A5"})
    carer_begins = begins & ~(same_carer & (before >= 0))
    placement_start, placement_first = _first_day_of(begins, anchor, decom)
    carer_start, carer_first = _first_day_of(carer_begins, anchor, decom)
    # A run's first day is known when its first episode began it (a new placement, or new
    # carers); otherwise it is the first episode the returns hold and began earlier.
    new_carers = _flags(frame["RNE"], codes.RNE_NEW_PLACEMENT - {"T", "U"})
    placement_start_known = (placement_first >= 0) & new_placement_reason[
        np.maximum(placement_first, 0)
    ]
    carer_start_known = (carer_first >= 0) & new_carers[np.maximum(carer_first, 0)]

    placement_row = np.where(anchor >= 0, anchor, rows)
    recorded = frame["placement_category"].astype("string").to_numpy(dtype=object, na_value=None)
    category = np.where(anchor >= 0, recorded[np.maximum(anchor, 0)], None)
    category = np.where(pd.isna(category), UNPLACED_CATEGORY, category).astype(object)
    return _Prepared(
        frame=frame,
        child=child,
        decom=decom,
        dec=dec,
        short_break=short_break,
        temporary=temporary,
        period_start=period_start,
        placement_row=placement_row,
        category=category,
        spell=spell,
        period_first=period_first,
        period_start_known=is_start[period_first] if n else np.zeros(0, dtype=bool),
        placement_start=placement_start,
        carer_start=carer_start,
        placement_start_known=placement_start_known,
        carer_start_known=carer_start_known,
        placement_begins=begins,
        changed_from=np.where(begins & (before >= 0), before, -1),
    )


def _first_day_of(
    begins: np.ndarray, anchor: np.ndarray, decom: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each episode, the DECOM and the row of the episode where its run (a placement,
    or time with the same carers) began: runs begin at the ``begins`` rows and an episode
    belongs to the run of its ``anchor`` row; NaT and -1 when the anchor is -1."""
    first_rows = np.flatnonzero(begins)
    day = np.full(len(anchor), np.datetime64("NaT"), dtype="datetime64[ns]")
    row = np.full(len(anchor), -1, dtype=np.int64)
    if not len(first_rows):
        return day, row
    run_of_row = (np.cumsum(begins) - 1)[np.maximum(anchor, 0)]
    known = (anchor >= 0) & (run_of_row >= 0)
    row[known] = first_rows[run_of_row[known]]
    day[known] = decom[row[known]]
    return day, row


def _day(date: pd.Timestamp | str) -> np.datetime64:
    return np.datetime64(pd.Timestamp(date).normalize().as_unit("ns").to_datetime64(), "ns")


def _open_on(prepared: _Prepared, day: np.datetime64) -> np.ndarray:
    """Episodes that are open on ``day``: DECOM <= day and DEC blank or after it."""
    return (prepared.decom <= day) & (np.isnat(prepared.dec) | (prepared.dec > day))


def _child_rows(
    prepared: _Prepared, rows: np.ndarray, age_on: pd.Series | pd.Timestamp
) -> pd.DataFrame:
    """One output row per selected episode: the child, the episode, its resolved placement."""
    frame = prepared.frame
    chosen = frame.take(rows).reset_index(drop=True)
    placed = frame.take(prepared.placement_row[rows]).reset_index(drop=True)
    temporary = prepared.temporary[rows]
    out = pd.DataFrame(
        {
            "la": chosen["la"].astype("string"),
            "CHILD": chosen["CHILD"].astype("string"),
            "SEX": chosen["SEX"],
            "DOB": chosen["DOB"],
            "ETHNIC": chosen["ETHNIC"],
            "ethnic_group": codes.ethnic_group(chosen["ETHNIC"]),
            "UASC": chosen["UASC"].astype(bool),
            "DUC": chosen["DUC"],
            "LS": chosen["LS"],
            "CIN": chosen["CIN"],
        }
    )
    for column in PLACEMENT_COLUMNS:
        out[column] = placed[column]
    out["placement_category"] = pd.Series(prepared.category[rows], dtype="string")
    out["temporary_place"] = chosen["PLACE"].astype("string").where(temporary)
    on = age_on.reset_index(drop=True) if isinstance(age_on, pd.Series) else age_on
    out["age"] = codes.age_in_years(out["DOB"], on)
    out["age_band"] = codes.age_band(out["age"])
    out["DECOM"] = chosen["DECOM"]
    out["period_start"] = pd.Series(prepared.period_start[rows], dtype="datetime64[ns]")
    out["period_start_known"] = pd.Series(prepared.period_start_known[rows], dtype=bool)
    out["placement_start"] = pd.Series(prepared.placement_start[rows], dtype="datetime64[ns]")
    out["placement_start_known"] = pd.Series(prepared.placement_start_known[rows], dtype=bool)
    out["carer_start"] = pd.Series(prepared.carer_start[rows], dtype="datetime64[ns]")
    out["carer_start_known"] = pd.Series(prepared.carer_start_known[rows], dtype=bool)
    return out


# --- Children looked after on a date ---------------------------------------------------------
def _looked_after_rows(prepared: _Prepared, day: np.datetime64) -> np.ndarray:
    """Row of each child's episode open on ``day`` (short breaks excluded), one per child."""
    rows = np.flatnonzero(_open_on(prepared, day) & ~prepared.short_break)
    # Episodes of a child do not overlap; should they, the latest start describes the child.
    last_of_child = np.ones(len(rows), dtype=bool)
    last_of_child[:-1] = prepared.child[rows[:-1]] != prepared.child[rows[1:]]
    return rows[last_of_child]


@_remembered
def _looked_after_on(prepared: _Prepared, date: pd.Timestamp) -> pd.DataFrame:
    day = _day(date)
    rows = _looked_after_rows(prepared, day)
    out = _child_rows(prepared, rows, pd.Timestamp(day))
    duc = out["DUC"]
    uasc_on_date = out["UASC"] & (duc.isna() | (duc > pd.Timestamp(day)))
    out.insert(out.columns.get_loc("DUC") + 1, "uasc_on_date", uasc_on_date)
    return out


def looked_after_on(episodes: pd.DataFrame, date: pd.Timestamp) -> pd.DataFrame:
    """Children looked after on ``date``, one row per child (DfE rules, module docstring).

    A child is looked after on D when an episode has DECOM <= D and DEC blank or after D;
    children whose episode on D is a short break (LS V3/V4) are left out. Columns: la,
    CHILD, SEX, DOB, ETHNIC, ethnic_group (DfE's major groups), UASC (recorded as UASC),
    DUC, uasc_on_date (UASC with no DUC on or before D), LS, CIN, the placement (PLACE,
    PLACE_PROVIDER, URN, PL_DISTANCE, PL_LA, PL_LOCATION: for a child in a temporary
    placement, those of the latest placement before it in the period of care),
    placement_category (temporary resolved; ``other`` when there is no placement to resolve
    to), temporary_place (the T0-T4 code, else blank), age (completed years on D),
    age_band, DECOM (of the episode open on D), period_start (DECOM of the first episode
    of the period of care: the start, or the first episode the returns hold),
    period_start_known (that first episode is a start, RNE S: otherwise care began before
    the returns loaded and period_start is a lower bound on the time in care),
    placement_start (first day of the current placement: a change of legal status or a
    temporary placement does not begin a new one), placement_start_known, carer_start
    (first day with the current carer(s): a change of placement with the same carers, RNE
    T or U, or a placement for adoption with the current foster carer, A3 or A5, goes on
    with them) and carer_start_known. Like period_start, a start not known is the first
    episode the returns hold, a lower bound. Sorted by la and CHILD.
    """
    return _looked_after_on(_prepare(episodes), date)


def cla_at_31_march(episodes: pd.DataFrame, year: int) -> pd.DataFrame:
    """Children looked after at 31 March of collection ``year``: :func:`looked_after_on`."""
    return looked_after_on(episodes, codes.year_end(year))


# --- Starts and ceases -------------------------------------------------------------------------
def _in_year(dates: np.ndarray, year: int) -> np.ndarray:
    return (dates >= _day(codes.year_start(year))) & (dates <= _day(codes.year_end(year)))


@_remembered
def _starts(prepared: _Prepared, year: int) -> pd.DataFrame:
    rows = np.flatnonzero(
        _flags(prepared.frame["RNE"], {"S"})
        & _in_year(prepared.decom, year)
        & ~prepared.short_break
    )
    first_of_child = np.ones(len(rows), dtype=bool)
    first_of_child[1:] = prepared.child[rows[1:]] != prepared.child[rows[:-1]]
    rows = rows[first_of_child]
    return _child_rows(prepared, rows, prepared.frame["DECOM"].take(rows))


def starts(episodes: pd.DataFrame, year: int) -> pd.DataFrame:
    """Children who started to be looked after in collection ``year``, one row per child.

    DfE rule: episodes with RNE S and DECOM from 1 April to 31 March, short breaks (LS
    V3/V4) excluded; a child starting more than once is counted once, at the first start.
    Columns as :func:`looked_after_on` (without uasc_on_date), describing the start episode:
    DECOM is the start date and age/age_band are on that date. Sorted by la and CHILD.
    """
    return _starts(_prepare(episodes), year)


@_remembered
def _ceases(prepared: _Prepared, year: int) -> pd.DataFrame:
    rows = np.flatnonzero(
        _flags(prepared.frame["REC"], codes.LEAVING_CARE_REC)
        & _in_year(prepared.dec, year)
        & ~prepared.short_break
    )
    last_of_child = np.ones(len(rows), dtype=bool)
    last_of_child[:-1] = prepared.child[rows[:-1]] != prepared.child[rows[1:]]
    rows = rows[last_of_child]
    dec = prepared.frame["DEC"].take(rows).reset_index(drop=True)
    out = _child_rows(prepared, rows, dec)
    rec = prepared.frame["REC"].take(rows).reset_index(drop=True).astype("string")
    out.insert(out.columns.get_loc("DECOM") + 1, "DEC", dec)
    out.insert(out.columns.get_loc("DEC") + 1, "REC", rec)
    out.insert(
        out.columns.get_loc("REC") + 1,
        "reason_group",
        rec.map(codes.REASON_CEASED_GROUP).astype("string"),
    )
    out["duration_days"] = (dec - out["period_start"]).dt.days.astype("Int64")
    return out


def ceases(episodes: pd.DataFrame, year: int) -> pd.DataFrame:
    """Children who ceased to be looked after in collection ``year``, one row per child.

    DfE rule: episodes whose REC ends a period of care (any REC but X1) with DEC from
    1 April to 31 March, short breaks (LS V3/V4) excluded; a child leaving more than once is
    counted once, at the last cease. Columns as :func:`starts` (describing the last episode;
    age on DEC), plus DEC, REC, reason_group (DfE's published groups of REC) and
    duration_days (DEC minus period_start: a lower bound when care began before the
    earliest return loaded). Sorted by la and CHILD.
    """
    return _ceases(_prepare(episodes), year)


# --- Placement stability ------------------------------------------------------------------------
@_remembered
def _placements_in_year(prepared: _Prepared, year: int) -> pd.Series:
    first, last = _day(codes.year_start(year)), _day(codes.year_end(year))
    decom, dec = prepared.decom, prepared.dec
    # In the year: begins in it, or began earlier and was still open on 1 April.
    in_year = ((decom >= first) & (decom <= last)) | (
        (decom < first) & (np.isnat(dec) | (dec > first))
    )
    use = in_year & ~prepared.short_break & (prepared.spell >= 0)
    pairs = pd.DataFrame({"child": prepared.child[use], "spell": prepared.spell[use]})
    per_child = pairs.drop_duplicates().groupby("child").size()
    rows = _looked_after_rows(prepared, last)
    counts = per_child.reindex(prepared.child[rows], fill_value=0).to_numpy(dtype=np.int64)
    chosen = prepared.frame.take(rows)
    index = pd.MultiIndex.from_arrays(
        [chosen["la"].astype("string"), chosen["CHILD"].astype("string")], names=_CHILD
    )
    return pd.Series(counts, index=index, name="placements", dtype="int64")


def placements_in_year(episodes: pd.DataFrame, year: int) -> pd.Series:
    """Placements during collection ``year`` of each child looked after at 31 March.

    DfE stability rule (reference §3.7): the placement held on 1 April (if looked after
    then) plus each new placement started in the year (episodes with RNE S, P, T, B or U).
    Temporary placements (T0-T4) are not placements; an episode returning, after a
    temporary one, to the placement held before it (same PLACE and same URN; when a URN is
    blank on either side, the same PL_POST; or neither recorded on either side) is not a
    new placement; short-break episodes are not placements. Placements in an earlier period
    of care within the year count too. Index (la, CHILD), sorted; values are counts.
    """
    return _placements_in_year(_prepare(episodes), year)


# --- Headline indicators and trends ---------------------------------------------------------
def _percentage(part: float, whole: float) -> float:
    return round(100 * part / whole, 1) if whole else float("nan")


def headline_indicators(episodes: pd.DataFrame, year: int) -> pd.DataFrame:
    """The headline figures for collection ``year`` as rows of (indicator, value).

    In this order: ``cla_at_31_march``, ``starts``, ``ceases``, ``cla_by_category:<slug>``
    for every category of :data:`mps.codes.CATEGORY_ORDER` (zeros included),
    ``cla_by_age:<band>`` for every band of :data:`mps.codes.AGE_BAND_ORDER`, ``cla_uasc``
    (UASC at 31 March) and ``three_plus_placements_pct`` (the % of children looked after at
    31 March with 3 or more placements in the year, 1 dp; NaN when there are none). Counts
    follow the DfE rules of the module docstring; values are floats so that the
    percentage fits the same column.
    """
    prepared = _prepare(episodes)
    cla = _looked_after_on(prepared, codes.year_end(year))
    by_category = (
        cla["placement_category"].value_counts().reindex(list(codes.CATEGORY_ORDER), fill_value=0)
    )
    by_age = cla["age_band"].value_counts().reindex(list(codes.AGE_BAND_ORDER), fill_value=0)
    placements = _placements_in_year(prepared, year)
    rows: list[tuple[str, float]] = [
        ("cla_at_31_march", len(cla)),
        ("starts", len(_starts(prepared, year))),
        ("ceases", len(_ceases(prepared, year))),
        *((f"cla_by_category:{slug}", n) for slug, n in by_category.items()),
        *((f"cla_by_age:{band}", n) for band, n in by_age.items()),
        ("cla_uasc", int(cla["uasc_on_date"].sum())),
        ("three_plus_placements_pct", _percentage((placements >= 3).sum(), len(placements))),
    ]
    return pd.DataFrame(
        {
            "indicator": pd.Series([name for name, _ in rows], dtype="string"),
            "value": pd.Series([float(value) for _, value in rows], dtype="float64"),
        }
    )


def population_0_17(
    population: pd.DataFrame, year: int, la_codes: Sequence[str] | None = None
) -> float:
    """The population aged 0-17 behind the rate per 10,000 for collection ``year``.

    DfE uses the ONS mid-year estimate for mid-year ``year - 1`` (the year ending 31 March
    ``year`` starts in it); an area without an estimate for that mid-year uses its
    projection. ``population`` has the columns of
    :data:`mps.data.layout.POPULATION_COLUMNS`; ``la_codes`` limits the areas summed (all
    areas in the frame when None). Raises ValueError naming the areas with no population
    for that mid-year.
    """
    mid_year = year - 1
    wanted = population["age"].between(0, 17) & population["year"].eq(mid_year)
    if la_codes is not None:
        wanted &= population["la_code"].isin(list(la_codes))
    rows = population.loc[wanted.to_numpy(dtype=bool)]
    totals = rows.groupby(["la_code", "kind"], sort=True)["population"].sum().unstack("kind")
    areas = list(la_codes) if la_codes is not None else sorted(population["la_code"].unique())
    totals = totals.reindex(areas)
    estimate = totals["estimate"] if "estimate" in totals else pd.Series(np.nan, totals.index)
    projection = totals["projection"] if "projection" in totals else pd.Series(np.nan, totals.index)
    chosen = estimate.fillna(projection)
    missing = chosen.index[chosen.isna()].tolist()
    if missing or not areas:
        raise ValueError(
            f"population: no estimate or projection of ages 0-17 for mid-{mid_year} "
            f"(needed for the {year - 1}-{str(year)[-2:]} rate) for area(s) "
            + (", ".join(map(str, missing)) or "any")
        )
    return float(chosen.sum())


def yearly_summary(
    episodes: pd.DataFrame,
    years: Sequence[int],
    population: pd.DataFrame | None = None,
    la_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per collection year: children looked after at 31 March, rate, starts, ceases.

    Columns: year, cla_at_31_march, rate_per_10000 (only with ``population``: children
    looked after per 10,000 aged 0-17, see :func:`population_0_17`, 1 dp), starts, ceases
    and net_change (starts minus ceases, as DfE counts them: a child starting twice counts
    once, so this need not equal the change in the stock). ``la_codes`` limits the
    population to the area's boroughs (all of ``population`` when None). Years ascending.
    """
    prepared = _prepare(episodes)
    ordered = sorted({int(y) for y in years})
    rows = []
    for year in ordered:
        cla = len(_looked_after_rows(prepared, _day(codes.year_end(year))))
        started = len(_starts(prepared, year))
        ceased = len(_ceases(prepared, year))
        row: dict[str, float | int] = {"year": year, "cla_at_31_march": cla}
        if population is not None:
            row["rate_per_10000"] = round(
                cla / population_0_17(population, year, la_codes) * 1e4, 1
            )
        row.update(starts=started, ceases=ceased, net_change=started - ceased)
        rows.append(row)
    columns = ["year", "cla_at_31_march", "starts", "ceases", "net_change"]
    if population is not None:
        columns.insert(2, "rate_per_10000")
    out = pd.DataFrame(rows, columns=columns)
    integer = [c for c in columns if c != "rate_per_10000"]
    out[integer] = out[integer].astype("int64")
    if population is not None:
        out["rate_per_10000"] = out["rate_per_10000"].astype("float64")
    return out


def placement_mix(episodes: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Children looked after at 31 March by placement category, for each collection year.

    Long table: year, placement_category, children, share (percentage of all children
    looked after at 31 March that year, 1 dp; NaN when there are none). Every category of
    :data:`mps.codes.CATEGORY_ORDER` appears for every year, zeros included, in that order;
    temporary placements are attributed as in :func:`looked_after_on`.
    """
    prepared = _prepare(episodes)
    ordered = sorted({int(y) for y in years})
    parts = []
    for year in ordered:
        rows = _looked_after_rows(prepared, _day(codes.year_end(year)))
        counts = (
            pd.Series(prepared.category[rows], dtype="string")
            .value_counts()
            .reindex(list(codes.CATEGORY_ORDER), fill_value=0)
        )
        total = len(rows)
        parts.append(
            pd.DataFrame(
                {
                    "year": year,
                    "placement_category": pd.Series(codes.CATEGORY_ORDER, dtype="string"),
                    "children": counts.to_numpy(dtype=np.int64),
                    "share": (100 * counts.to_numpy() / total).round(1)
                    if total
                    else np.full(len(counts), np.nan),
                }
            )
        )
    if not parts:
        return pd.DataFrame(
            {
                "year": pd.Series(dtype="int64"),
                "placement_category": pd.Series(dtype="string"),
                "children": pd.Series(dtype="int64"),
                "share": pd.Series(dtype="float64"),
            }
        )
    out = pd.concat(parts, ignore_index=True)
    return out.astype({"year": "int64", "children": "int64", "share": "float64"})


def _long_counts(
    by_year: dict[int, pd.Series], group: str, order: Sequence[str], value: str = "children"
) -> pd.DataFrame:
    """A long table (year, group, value) with every group of ``order`` for every year."""
    parts = [
        pd.DataFrame(
            {
                "year": year,
                group: pd.Series(list(order), dtype="string"),
                value: counts.reindex(list(order), fill_value=0).to_numpy(dtype=np.int64),
            }
        )
        for year, counts in by_year.items()
    ]
    if not parts:
        return pd.DataFrame(
            {
                "year": pd.Series(dtype="int64"),
                group: pd.Series(dtype="string"),
                value: pd.Series(dtype="int64"),
            }
        )
    return pd.concat(parts, ignore_index=True).astype({"year": "int64", value: "int64"})
