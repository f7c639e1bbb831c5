"""903 episodes from periods, legal statuses and placements.

A new episode starts whenever the legal status or the placement changes (reference §2.1):
the reason for the new episode (RNE) says which (S start, L legal status, P new carer, T
same carers' placement changed, B and U both). Temporary placements (T0-T4) are short
episodes inside a placement that return to it (rules 380-383). The reason for a placement
change is recorded on the episode that ends with one (rules 225-226, §3.8 mix).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from mps.synthetic import calibration as cal
from mps.synthetic.periods import DAYS_PER_YEAR, NEVER, LegalStatus, Periods, choose_codes
from mps.synthetic.placements import Placements


@dataclass
class Episodes:
    """One row per episode, sorted by period and DECOM. ``dec`` is the true end (open
    episodes are blanked per return); ``rec`` the reason it ceased."""

    period: np.ndarray
    decom: np.ndarray
    dec: np.ndarray
    rne: np.ndarray
    ls: np.ndarray
    place: np.ndarray
    provider: np.ndarray
    urn: np.ndarray
    pl_post: np.ndarray
    rec: np.ndarray
    reason: np.ndarray
    category: np.ndarray
    temporary: np.ndarray
    placement: np.ndarray  # row in Placements (-1 for temporary placements)

    def take(self, index: np.ndarray) -> Episodes:
        return Episodes(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


def finish_recs(rng: np.random.Generator, periods: Periods, placements: Placements) -> None:
    """Reasons for ceasing that depend on the last placement: at 18 (E17 needs foster
    carers, rule 460) and special guardianship (E45/E46 need foster carers, rule 516)."""
    last = np.r_[placements.period[1:] != placements.period[:-1], True]
    final = np.full(len(periods), -1, dtype=np.int64)
    final[placements.period[last]] = placements.category[last]
    n = len(periods)
    foster = np.isin(final, [cal.INHOUSE, cal.KINSHIP, cal.IFA])
    at_18 = np.select(
        [foster, final == cal.SUPPORTED, final == cal.HOME_RES],
        [
            choose_codes(rng, cal.REC_AT_18_FOSTER, n),
            choose_codes(rng, cal.REC_AT_18_SUPPORTED, n),
            choose_codes(rng, cal.REC_AT_18_HOME, n),
        ],
        choose_codes(rng, cal.REC_AT_18_OTHER, n),
    )
    at_18 = np.where((final == cal.PARENTS) & (rng.random(n) < 0.5), "E13", at_18)
    blank = periods.rec == ""
    periods.rec[blank & periods.aged_out] = at_18[blank & periods.aged_out]
    u = rng.random(n)
    kinship = final == cal.KINSHIP
    sgo = np.where(
        kinship,
        np.where(u < 0.8, "E45", "E47"),
        np.where(u < 0.55, "E46", np.where(u < 0.8, "E48", "E47")),
    )
    pick = blank & (periods.pathway == cal.SGO) & ~periods.aged_out
    periods.rec[pick] = sgo[pick]
    still = periods.rec == ""  # anything left (should not happen): ceased for another reason
    periods.rec[still] = "E8"


def build_episodes(periods: Periods, legal: LegalStatus, placements: Placements) -> Episodes:
    """Merge legal-status changes and placement changes into episodes (no temporaries)."""
    legal_period, slot = np.nonzero(legal.day < NEVER)
    legal_day = legal.day[legal_period, slot]
    n_legal, n_place = len(legal_period), len(placements.period)
    period = np.concatenate([legal_period, placements.period])
    when = np.concatenate([legal_day, placements.start])
    is_legal = np.r_[np.ones(n_legal, bool), np.zeros(n_place, bool)]
    reference = np.r_[np.arange(n_legal), np.arange(n_place)]
    order = np.lexsort((when, period))
    period, when, is_legal, reference = (
        period[order],
        when[order],
        is_legal[order],
        reference[order],
    )
    legal_at = np.maximum.accumulate(np.where(is_legal, reference, -1))
    place_at = np.maximum.accumulate(np.where(~is_legal, reference, -1))
    new_group = np.r_[True, (period[1:] != period[:-1]) | (when[1:] != when[:-1])]
    group = np.cumsum(new_group) - 1
    legal_changed = np.bincount(group, weights=is_legal).astype(bool)
    place_changed = np.bincount(group, weights=~is_legal).astype(bool)
    last_of_group = np.r_[new_group[1:], True]
    period, when = period[last_of_group], when[last_of_group]
    legal_at, place_at = legal_at[last_of_group], place_at[last_of_group]
    new_carer = placements.new_carer[place_at] & place_changed
    first = np.r_[True, period[1:] != period[:-1]]
    rne = np.select(
        [first, legal_changed & place_changed & new_carer, legal_changed & place_changed,
         place_changed & new_carer, place_changed],
        ["S", "B", "U", "P", "T"],
        "L",
    ).astype(object)  # fmt: skip
    last = np.r_[period[1:] != period[:-1], True]
    dec = np.where(last, periods.end[period], np.r_[when[1:], 0])
    rec = np.where(last, periods.rec[period], "X1").astype(object)
    return Episodes(
        period=period, decom=when, dec=dec, rne=rne,
        ls=legal.ls[legal_period[legal_at], slot[legal_at]],
        place=placements.place[place_at], provider=placements.provider[place_at],
        urn=placements.urn[place_at], pl_post=placements.postcode[place_at], rec=rec,
        reason=np.full(len(period), "", dtype=object), category=placements.category[place_at],
        temporary=np.zeros(len(period), bool), placement=place_at,
    )  # fmt: skip


_TEMPORARY_DAYS = {"T0": (1, 10), "T1": (2, 20), "T2": (5, 14), "T3": (7, 14), "T4": (1, 7)}


def add_temporary_placements(
    rng: np.random.Generator, episodes: Episodes, draw_postcode
) -> Episodes:
    """Insert short temporary placements (hospital, holiday, respite) inside placements.

    ``draw_postcode(n)`` gives postcodes for them. Each returns to the same placement
    (rule 383) and never starts or ends a period (rules 380-381).
    """
    length = episodes.dec - episodes.decom
    foster = np.isin(episodes.category, [cal.INHOUSE, cal.KINSHIP, cal.IFA])
    residential = np.isin(episodes.category, [cal.HOME_RES, cal.SUPPORTED])
    chance = np.minimum(0.5, 0.06 * length / DAYS_PER_YEAR) * (foster | residential)
    host = (length >= 45) & (episodes.ls != "V3") & (rng.random(len(length)) < chance)
    hosts = np.flatnonzero(host)
    code = np.where(
        foster[hosts],
        choose_codes(rng, {"T3": 45, "T1": 20, "T4": 20, "T2": 10, "T0": 5}, len(hosts)),
        choose_codes(rng, {"T1": 40, "T4": 40, "T0": 20}, len(hosts)),
    )
    low = np.array([_TEMPORARY_DAYS[c][0] for c in code], dtype=np.int64)
    high = np.array([_TEMPORARY_DAYS[c][1] for c in code], dtype=np.int64)
    days = rng.integers(low, high + 1)
    room = length[hosts] - days - 20
    begin = episodes.decom[hosts] + 10 + (rng.random(len(hosts)) * room).astype(np.int64)
    copies = np.where(host, 3, 1)
    index = np.repeat(np.arange(len(length)), copies)
    out = episodes.take(index)
    position = np.arange(len(index)) - np.repeat(np.cumsum(copies) - copies, copies)
    is_host = np.repeat(host, copies)
    before = np.flatnonzero(is_host & (position == 0))
    temporary = np.flatnonzero(is_host & (position == 1))
    after = np.flatnonzero(is_host & (position == 2))
    out.dec[before], out.rec[before] = begin, "X1"
    out.decom[temporary], out.dec[temporary] = begin, begin + days
    out.rec[temporary], out.rne[temporary] = "X1", "P"
    out.place[temporary], out.provider[temporary], out.urn[temporary] = code, "", ""
    out.pl_post[temporary] = draw_postcode(len(hosts))
    out.temporary[temporary], out.placement[temporary] = True, -1
    out.decom[after], out.rne[after] = begin + days, "P"
    return out


def add_reasons_for_change(rng: np.random.Generator, episodes: Episodes, periods: Periods) -> None:
    """REASON_PLACE_CHANGE on each episode whose successor is a new placement (rule 225):
    PLACE for a change of status with the same carers, else the §3.8 mix."""
    same_period = np.r_[episodes.period[1:] == episodes.period[:-1], False]
    next_rne = np.append(episodes.rne[1:], "")
    next_temporary = np.r_[episodes.temporary[1:], False]
    changes = (
        same_period & np.isin(next_rne, ["P", "B", "T", "U"]) & ~episodes.temporary
        & ~next_temporary
    )  # fmt: skip
    drawn = choose_codes(rng, cal.REASON_PLACE_CHANGE, len(changes))
    status_only = np.isin(next_rne, ["T", "U"])
    next_place = np.append(episodes.place[1:], "")
    age = (episodes.dec - periods.dob[episodes.period]) / DAYS_PER_YEAR
    drawn = np.where(status_only, "PLACE", drawn)
    drawn = np.where((next_place == "R5") & (age >= 10), "CUSTOD", drawn)
    episodes.reason[changes] = drawn[changes]
