"""Children's time in care as segments in one model state: placement category x age band.

The stock-flow model (:mod:`mps.analysis.forecast.stockflow`) follows each child through
the states **placement category x age band**: the nine MPS categories of
:data:`mps.codes.CATEGORY_ORDER` (not the sector tool's four groups, because sufficiency
gaps, costs and the in-house recruitment scenario need in-house, IFA and kinship fostering
apart) by DfE's five age bands (under 1, 1-4, 5-9, 10-15, 16+), plus *not in care*.
A state that no child is ever in simply has no rates: sparse states cost nothing.

:func:`care_segments` turns the longitudinal episode table into segments, each a stretch
of time one child spent in one state, following the DfE counting rules of
:mod:`mps.analysis.children`:

* Short-break episodes (LS V3/V4) are not time in care.
* A **period of care** runs from a start to the episode whose REC ends care; an episode
  continues the period when it begins on the day the previous one ended, that one did not
  end care (REC X1) and it is not itself a start (RNE S). A gap between episodes ends the
  period (an exit) and the next episode begins a new one (an entry).
* Temporary placements (T0-T4) are not placements: the child stays in the category of the
  latest placement of the period; a period that begins with one, or a placement whose
  category cannot be derived, is ``other``, as in :func:`mps.analysis.children.looked_after_on`.
* A change of placement **within** a category is not a change of state; a change of
  category is a *transition*, and so is a birthday that moves the child into the next age
  band (ages 1, 5, 10 and 16, counted as :func:`mps.codes.age_in_years` counts them).
* A child is in care from DECOM up to, not including, DEC: a child leaving on 31 March is
  not looked after at 31 March. Episodes still open when the data end are *censored*.

Everything is vectorised: no loop over children or episodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mps import codes

#: Birthdays at which a child moves into the next DfE age band.
BAND_EDGES: tuple[int, ...] = tuple(lower for _, lower, _ in codes.AGE_BANDS[1:])
CATEGORIES: tuple[str, ...] = codes.CATEGORY_ORDER
BANDS: tuple[str, ...] = codes.AGE_BAND_ORDER
#: The model's states in care, category-major: (category, band).
STATES: tuple[tuple[str, str], ...] = tuple((c, b) for c in CATEGORIES for b in BANDS)
N_STATES = len(STATES)
#: How a segment ends.
TRANSITION, EXIT, CENSORED = "transition", "exit", "censored"

_EPISODE_COLUMNS = ("la", "CHILD", "DOB", "DECOM", "DEC", "RNE", "LS", "PLACE", "REC",
                    "placement_category", "UASC", "DUC")  # fmt: skip


def state_index(category: pd.Series, band: pd.Series) -> np.ndarray:
    """The index in :data:`STATES` of each (category, band) pair; -1 when not a state."""
    c = pd.Categorical(category.astype("string"), categories=list(CATEGORIES)).codes
    b = pd.Categorical(band.astype("string"), categories=list(BANDS)).codes
    return np.where((c >= 0) & (b >= 0), c.astype(np.int64) * len(BANDS) + b, -1)


def data_end(episodes: pd.DataFrame) -> pd.Timestamp:
    """The day after the last day the returns cover (1 April after the latest year)."""
    if "collection_year" in episodes.columns and episodes["collection_year"].notna().any():
        last = int(episodes["collection_year"].max())
    else:
        latest = pd.concat([episodes["DECOM"], episodes["DEC"]]).max()
        last = latest.year + (1 if latest.month > 3 else 0)
    return codes.year_end(last) + pd.Timedelta(days=1)


def episodes_as_at(episodes: pd.DataFrame, date: pd.Timestamp) -> pd.DataFrame:
    """The episode table as the returns up to ``date`` (31 March of a year) showed it.

    Episodes starting after ``date`` are dropped, and an episode that ended after it is
    open again (its DEC and REC blank), so a back-test forecasts with no knowledge of what
    happened next. ``collection_year`` is capped at the year ending on ``date``.
    """
    date = pd.Timestamp(date)
    kept = episodes.loc[episodes["DECOM"] <= date].copy()
    later = kept["DEC"] > date
    kept.loc[later, "DEC"] = pd.NaT
    kept.loc[later, "REC"] = pd.NA
    if "collection_year" in kept.columns:
        year = date.year + (1 if date.month > 3 else 0)
        kept["collection_year"] = kept["collection_year"].clip(upper=year)
    return kept.reset_index(drop=True)


def birthday(dob: pd.Series, age: int) -> pd.Series:
    """The day a child born on ``dob`` reaches ``age`` (29 February -> 1 March)."""
    year = dob.dt.year + age
    parts = pd.DataFrame({"year": year, "month": dob.dt.month, "day": dob.dt.day})
    exact = pd.to_datetime(parts, errors="coerce")
    leap_day = pd.to_datetime(parts.assign(month=3, day=1), errors="coerce")
    return exact.fillna(leap_day)


@dataclass(frozen=True)
class Segments:
    """Time in care as segments in one state (see :func:`care_segments`).

    ``frame`` columns: ``child`` (int id of (la, CHILD)), ``period`` (int id of the period
    of care), ``start``, ``end`` (exclusive; the data end for censored segments),
    ``state`` (index in :data:`STATES`), ``ends`` (:data:`TRANSITION`, :data:`EXIT` or
    :data:`CENSORED`), ``next_state`` (-1 unless a transition), ``entry`` (the segment
    begins a period of care) and ``uasc`` (an unaccompanied asylum-seeking child at the
    segment's start). ``data_end`` is the day after the returns end.
    """

    frame: pd.DataFrame
    data_end: pd.Timestamp

    def stock_on(self, date: pd.Timestamp) -> np.ndarray:
        """Children in each state on ``date`` (start <= date < end), by :data:`STATES`."""
        day = pd.Timestamp(date)
        frame = self.frame
        open_on = (frame["start"] <= day) & (frame["end"] > day)
        states = frame.loc[open_on, "state"].to_numpy()
        return np.bincount(states, minlength=N_STATES).astype(np.float64)

    def as_at(self, date: pd.Timestamp) -> Segments:
        """The segments as the returns up to ``date`` showed them: the same as
        ``care_segments(episodes_as_at(episodes, date))``, without building them again."""
        end = pd.Timestamp(date) + pd.Timedelta(days=1)
        frame = self.frame.loc[self.frame["start"] < end].copy()
        later = (frame["end"] > end - pd.Timedelta(days=1)).to_numpy()
        frame.loc[later, "end"] = end
        frame.loc[later, "ends"] = CENSORED
        frame.loc[later, "next_state"] = -1
        return Segments(frame=frame.reset_index(drop=True), data_end=end)

    def month_end_stock(self, first: pd.Timestamp, last: pd.Timestamp) -> pd.Series:
        """Children in care at the end of each month from ``first`` to ``last``."""
        months = pd.date_range(first, last, freq="ME")
        starts = np.sort(self.frame["start"].to_numpy(dtype="datetime64[ns]"))
        ends = np.sort(self.frame["end"].to_numpy(dtype="datetime64[ns]"))
        days = months.to_numpy(dtype="datetime64[ns]")
        # In care on d: started on or before d and not yet ended (end > d).
        count = np.searchsorted(starts, days, side="right") - np.searchsorted(
            ends, days, side="right"
        )
        return pd.Series(count.astype(np.float64), index=months, name="children")


def _category(frame: pd.DataFrame, period: np.ndarray) -> pd.Series:
    """Each episode's placement category, temporary placements resolved within the period."""
    temporary = frame["PLACE"].isin(list(codes.TEMPORARY_PLACE)).to_numpy()
    recorded = frame["placement_category"].astype("string")
    # A placement whose category cannot be derived counts as "other" (as in children.py).
    category = recorded.fillna(codes.PlacementCategory.OTHER.value).mask(temporary, pd.NA)
    category = category.groupby(period, sort=False).ffill()
    return category.fillna(codes.PlacementCategory.OTHER.value).astype("string")


def care_segments(episodes: pd.DataFrame, *, end: pd.Timestamp | None = None) -> Segments:
    """Split the episode table into segments in one state (module docstring).

    ``end`` is the day after the data end (default :func:`data_end`): open episodes are
    censored there, and anything after it is cut off.
    """
    missing = [c for c in _EPISODE_COLUMNS if c not in episodes.columns]
    if missing:
        raise ValueError(
            f"episode table is missing columns {', '.join(missing)} "
            "(expected the table of mps.data.ssda903.load_borough)"
        )
    censor = pd.Timestamp(end) if end is not None else data_end(episodes)
    in_care = ~episodes["LS"].isin(list(codes.SHORT_BREAK_LS)).to_numpy()
    frame = episodes.loc[in_care & (episodes["DECOM"] < censor).to_numpy(), list(_EPISODE_COLUMNS)]
    frame = frame.sort_values(["la", "CHILD", "DECOM"], kind="stable").reset_index(drop=True)
    n = len(frame)
    child = frame.groupby(["la", "CHILD"], sort=False).ngroup().to_numpy(dtype=np.int64)
    decom = frame["DECOM"]
    dec = frame["DEC"].where(frame["DEC"] < censor)  # ended after the data end: still open
    ends_care = frame["REC"].isin(list(codes.LEAVING_CARE_REC)).to_numpy() & dec.notna()

    same_child = np.r_[False, child[1:] == child[:-1]] if n else np.zeros(0, bool)
    previous_dec = dec.shift(1).to_numpy(dtype="datetime64[ns]")
    follows_on = previous_dec == decom.to_numpy(dtype="datetime64[ns]")
    is_start = frame["RNE"].eq("S").fillna(False).to_numpy(dtype=bool)
    continues = same_child & follows_on & ~np.r_[False, ends_care[:-1]] & ~is_start
    period = np.cumsum(~continues) - 1 if n else np.zeros(0, np.int64)
    category = _category(frame, period)

    # Episodes of one period in the same category make one spell.
    new_spell = ~continues | np.r_[True, category.to_numpy()[1:] != category.to_numpy()[:-1]]
    spell = np.cumsum(new_spell) - 1 if n else np.zeros(0, np.int64)
    last_of_spell = np.r_[spell[1:] != spell[:-1], True] if n else np.zeros(0, bool)
    last_of_period = np.r_[period[1:] != period[:-1], True] if n else np.zeros(0, bool)
    first = np.flatnonzero(new_spell)
    last = np.flatnonzero(last_of_spell)
    spell_end = dec.to_numpy(dtype="datetime64[ns]")[last]
    spells = pd.DataFrame(
        {
            "child": child[first],
            "period": period[first],
            "start": decom.to_numpy(dtype="datetime64[ns]")[first],
            "end": np.where(np.isnat(spell_end), censor.to_datetime64(), spell_end),
            "category": category.to_numpy()[first],
            "dob": frame["DOB"].to_numpy(dtype="datetime64[ns]")[first],
            "ends_period": last_of_period[last],
            "open": np.isnat(spell_end),
            "entry": ~continues[first],
            "uasc_flag": frame["UASC"].astype(bool).to_numpy()[first],
            "duc": frame["DUC"].to_numpy(dtype="datetime64[ns]")[first],
        }
    )
    spells = spells.loc[spells["end"] > spells["start"]].reset_index(drop=True)
    return Segments(frame=_split_at_birthdays(spells), data_end=censor)


def _split_at_birthdays(spells: pd.DataFrame) -> pd.DataFrame:
    """Cut each spell at the birthdays that move the child into the next age band."""
    dob = pd.Series(spells["dob"])
    cuts = [spells[["start"]].assign(spell=spells.index, cut=spells["start"])]
    for age in BAND_EDGES:
        day = birthday(dob, age)
        inside = (day > spells["start"]) & (day < spells["end"])
        cuts.append(
            pd.DataFrame(
                {
                    "start": spells.loc[inside, "start"],
                    "spell": spells.index[inside],
                    "cut": day[inside],
                }
            )
        )
    pieces = pd.concat(cuts, ignore_index=True).sort_values(["spell", "cut"], kind="stable")
    index = pieces["spell"].to_numpy()
    start = pieces["cut"].to_numpy(dtype="datetime64[ns]")
    last_piece = np.r_[index[1:] != index[:-1], True]
    spell_end = spells["end"].to_numpy(dtype="datetime64[ns]")[index]
    end = np.where(last_piece, spell_end, np.r_[start[1:], start[-1:]])
    taken = spells.iloc[index].reset_index(drop=True)
    age = codes.age_in_years(taken["dob"], pd.Series(start))
    band = codes.age_band(age.astype("float64"))
    state = state_index(taken["category"], band)
    # Leaves the period at the end of its last piece; otherwise moves to the next piece.
    exits = last_piece & taken["ends_period"].to_numpy() & ~taken["open"].to_numpy()
    censored = last_piece & taken["open"].to_numpy()
    ends = np.where(exits, EXIT, np.where(censored, CENSORED, TRANSITION))
    next_state = np.where(ends == TRANSITION, np.r_[state[1:], -1], -1)
    entry = taken["entry"].to_numpy() & np.r_[True, index[1:] != index[:-1]]
    duc = taken["duc"].to_numpy(dtype="datetime64[ns]")
    uasc = taken["uasc_flag"].to_numpy() & (np.isnat(duc) | (duc > start))
    return pd.DataFrame(
        {
            "child": taken["child"].to_numpy(),
            "period": taken["period"].to_numpy(),
            "start": start,
            "end": end,
            "state": state,
            "ends": pd.Series(ends, dtype="string"),
            "next_state": next_state.astype(np.int64),
            "entry": entry,
            "uasc": uasc,
        }
    )
