"""A continuous-time Markov process of children in care with known rates, written out as a
903 episode table: the forecasting tests fit the stock-flow model to it and check that the
model recovers the rates and that its intervals cover what the process does next.

The process, independent of the code under test:

* children arrive as a Poisson process (``arrivals_per_year``), into placement category
  ``c`` with probability ``entry_share[c]``, aged uniformly 0 to 17 on arrival;
* while in care, a child in category ``c`` leaves at rate ``exit_per_year[c]`` and moves to
  category ``d`` at rate ``move_per_year[c][d]`` (constant hazards: one child-year in ``c``
  gives on average that many moves), whatever their age;
* each stretch in one category is one episode: RNE S on arrival, P after a move; REC X1
  when a move follows, E4A on leaving; episodes still open at the end are left open.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mps.codes import placement_category

#: Category -> (PLACE, PLACE_PROVIDER) written in the episodes.
PLACEMENTS = {
    "inhouse_fostering": ("U4", "PR1"),
    "ifa_fostering": ("U6", "PR4"),
    "childrens_home": ("K2", "PR4"),
}
DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Process:
    arrivals_per_year: float = 360.0
    entry_share: dict[str, float] = field(
        default_factory=lambda: {
            "inhouse_fostering": 0.5,
            "ifa_fostering": 0.3,
            "childrens_home": 0.2,
        }
    )
    exit_per_year: dict[str, float] = field(
        default_factory=lambda: {
            "inhouse_fostering": 0.4,
            "ifa_fostering": 0.3,
            "childrens_home": 0.6,
        }
    )
    move_per_year: dict[str, dict[str, float]] = field(
        default_factory=lambda: {
            "inhouse_fostering": {"ifa_fostering": 0.15, "childrens_home": 0.1},
            "ifa_fostering": {"inhouse_fostering": 0.05, "childrens_home": 0.2},
            "childrens_home": {"inhouse_fostering": 0.1, "ifa_fostering": 0.3},
        }
    )

    @property
    def categories(self) -> list[str]:
        return list(self.entry_share)


def simulate(process: Process, start: str, end: str, seed: int, *, la: str = "sim") -> pd.DataFrame:
    """Episodes of the children who arrive from ``start`` up to ``end`` (vectorised over
    children: each pass of the loop draws every child's next event)."""
    rng = np.random.default_rng(seed)
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    span = (last - first).days
    n = rng.poisson(process.arrivals_per_year * span / DAYS_PER_YEAR)
    arrive = np.sort(rng.uniform(0, span, n))
    categories = process.categories
    k = len(categories)
    exit_rate = np.array([process.exit_per_year[c] for c in categories]) / DAYS_PER_YEAR
    move = np.zeros((k, k))
    for i, c in enumerate(categories):
        for j, d in enumerate(categories):
            move[i, j] = process.move_per_year[c].get(d, 0.0) / DAYS_PER_YEAR
    total = exit_rate + move.sum(axis=1)
    share = np.array([process.entry_share[c] for c in categories])
    state = rng.choice(k, size=n, p=share / share.sum())
    age_days = rng.uniform(0, 18 * DAYS_PER_YEAR, n)

    rows = []
    child = np.arange(n)
    now = arrive.copy()
    spell = np.zeros(n, dtype=int)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        who = np.flatnonzero(alive)
        wait = rng.exponential(1.0 / total[state[who]])
        stop = now[who] + wait
        open_at_end = stop >= span
        leaves = ~open_at_end & (
            rng.uniform(size=len(who)) < exit_rate[state[who]] / total[state[who]]
        )
        # A move goes to another category with probability proportional to its rate.
        probabilities = move[state[who]] / move[state[who]].sum(axis=1, keepdims=True)
        cumulative = probabilities.cumsum(axis=1)
        destination = (rng.uniform(size=(len(who), 1)) > cumulative).sum(axis=1)
        rows.append(
            pd.DataFrame(
                {
                    "child": child[who],
                    "spell": spell[who],
                    "decom": now[who],
                    "dec": np.where(open_at_end, np.nan, stop),
                    "category": np.array(categories)[state[who]],
                    "rec": np.where(open_at_end, None, np.where(leaves, "E4A", "X1")),
                }
            )
        )
        moved = ~open_at_end & ~leaves
        now[who[moved]] = stop[moved]
        state[who[moved]] = destination[moved]
        spell[who[moved]] += 1
        alive[who[~moved]] = False
    spells = pd.concat(rows, ignore_index=True).sort_values(["child", "spell"], kind="stable")
    return _episodes(spells, first, last, arrive, age_days, la)


def _episodes(
    spells: pd.DataFrame,
    first: pd.Timestamp,
    last: pd.Timestamp,
    arrive: np.ndarray,
    age_days: np.ndarray,
    la: str,
) -> pd.DataFrame:
    # Whole days, as the 903 records them; a spell shorter than a day is merged away by
    # rounding both ends the same way.
    decom = first + pd.to_timedelta(np.floor(spells["decom"].to_numpy()), unit="D")
    dec_days = np.floor(spells["dec"].to_numpy())
    dec = pd.Series(first + pd.to_timedelta(dec_days, unit="D")).where(~np.isnan(dec_days))
    dob = first + pd.to_timedelta(np.floor(arrive - age_days), unit="D")
    place = spells["category"].map(lambda c: PLACEMENTS[c][0])
    provider = spells["category"].map(lambda c: PLACEMENTS[c][1])
    frame = pd.DataFrame(
        {
            "la": la,
            "CHILD": spells["child"].map(lambda c: f"C{c:06d}").to_numpy(),
            "DECOM": decom,
            "DEC": dec.to_numpy(),
            "RNE": np.where(spells["spell"].to_numpy() == 0, "S", "P"),
            "LS": "C2",
            "CIN": "N1",
            "PLACE": place.to_numpy(),
            "PLACE_PROVIDER": provider.to_numpy(),
            "REC": spells["rec"].to_numpy(),
            "DOB": dob[spells["child"].to_numpy()],
            "UASC": False,
            "DUC": pd.NaT,
            "SEX": "M",
            "ETHNIC": "WBRI",
            "PL_POST": None,
            "URN": None,
            "PL_DISTANCE": np.nan,
            "PL_LA": None,
            "PL_LOCATION": None,
        }
    )
    frame = frame.loc[frame["DEC"].isna() | (frame["DEC"] > frame["DECOM"])].copy()
    text = ("la", "CHILD", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC", "SEX", "ETHNIC",
            "PL_POST", "URN", "PL_LA", "PL_LOCATION")  # fmt: skip
    for column in text:
        frame[column] = frame[column].astype("string")
    frame["placement_category"] = placement_category(frame["PLACE"], frame["PLACE_PROVIDER"])
    frame["DEC"] = pd.to_datetime(frame["DEC"])
    frame["DUC"] = pd.to_datetime(frame["DUC"])
    year = last.year if last.month > 3 else last.year - 1
    frame["collection_year"] = pd.array([year] * len(frame), dtype="Int64")
    return frame.reset_index(drop=True)
