"""One borough's whole simulated history: children, periods, episodes and the events the
903's other tables record (missing episodes, reviews, social workers, adoption details)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mps.synthetic import calibration as cal
from mps.synthetic.boroughs import DemoBorough
from mps.synthetic.episodes import (
    Episodes,
    add_reasons_for_change,
    add_temporary_placements,
    build_episodes,
    finish_recs,
)
from mps.synthetic.geography import PostcodeBook
from mps.synthetic.periods import (
    DAYS_PER_YEAR,
    LegalStatus,
    Periods,
    birthday,
    choose_codes,
    simulate_legal_status,
    simulate_periods,
    year_end_day,
    year_start_day,
)
from mps.synthetic.placements import Placements, Places, simulate_placements
from mps.synthetic.providers import Register
from mps.synthetic.shortbreaks import SHORT_BREAK, simulate_short_breaks

_UPN_CHECK = np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"))
_SW_REASONS = {"MANAGE": 10, "FCONTA": 5, "LEFTRL": 30, "ORGRST": 15, "TSPROC": 20,
               "ABSENC": 5, "CHCHAN": 5, "PCCHAN": 5, "OTHERS": 5}  # fmt: skip


@dataclass
class Events:
    """Dated events of children (missing episodes, reviews, social worker episodes)."""

    child: np.ndarray
    start: np.ndarray
    end: np.ndarray
    code: np.ndarray


@dataclass
class BoroughHistory:
    """Everything simulated for one borough; children are indexed 0..n-1."""

    borough: DemoBorough
    index: int
    periods: Periods
    placements: Placements
    episodes: Episodes
    home: np.ndarray  # home postcode id per period (-1 none)
    child_id: np.ndarray  # CHILD as written
    upn: np.ndarray  # the UPN a child gets at school age
    mother_day: np.ndarray  # day a young woman's first child was born (-1 none)
    missing: Events
    reviews: Events
    social_workers: Events
    adopters: np.ndarray  # per period: FOSTER_CARE, NB_ADOPTR, SEX_ADOPTR, LS_ADOPTR
    prev_perm: np.ndarray  # per period: PREV_PERM, LA_PERM, DATE_PERM (day or -1)
    canary_post: dict[int, str]  # child -> planted home postcode


def simulate_borough(
    rng: np.random.Generator,
    borough: DemoBorough,
    index: int,
    places: Places,
    register: Register,
    book: PostcodeBook,
    years: list[int],
) -> BoroughHistory:
    """Simulate one borough's children from 1997 to the end of the last year."""
    last_year = max(years)
    periods = simulate_periods(rng, borough, last_year)
    legal = simulate_legal_status(rng, periods)
    placements, home = simulate_placements(rng, periods, legal, borough, places, register, book)
    finish_recs(rng, periods, placements)
    stock = borough.under18_2020 * borough.cla_rate / 10_000
    n_children = int(periods.child.max()) + 1 if len(periods) else 0
    breaks = simulate_short_breaks(rng, stock, n_children, last_year, places, register, book)
    periods, legal, placements, home = _append(periods, legal, placements, home, *breaks)
    episodes = build_episodes(periods, legal, placements)
    episodes = add_temporary_placements(
        rng, episodes, lambda k: book.draw(rng, np.full(k, places.borough))
    )
    clash = episodes.temporary & (episodes.pl_post == home[episodes.period])
    episodes.pl_post[clash] = book.neighbour(episodes.pl_post[clash])  # rule 392d
    add_reasons_for_change(rng, episodes, periods)
    n_children = int(periods.child.max()) + 1
    child_id = rng.choice(9_000_000, size=n_children, replace=False) + 1_000_000
    first = np.unique(periods.child, return_index=True)[1]
    dob = periods.dob[first]
    return BoroughHistory(
        borough=borough, index=index, periods=periods, placements=placements,
        episodes=episodes, home=home, child_id=child_id.astype(str).astype(object),
        upn=_upns(rng, dob, borough.dfe_number), mother_day=_mothers(rng, periods, n_children),
        missing=_missing(rng, periods, placements, years),
        reviews=_reviews(rng, periods, years),
        social_workers=_social_workers(rng, periods, years, stock),
        adopters=_adopters(rng, len(periods)), prev_perm=_prev_perm(rng, periods, borough),
        canary_post={},
    )  # fmt: skip


def _append(
    periods: Periods,
    legal: LegalStatus,
    placements: Placements,
    home: np.ndarray,
    more_periods: Periods,
    more_legal: LegalStatus,
    more_placements: Placements,
    more_home: np.ndarray,
) -> tuple[Periods, LegalStatus, Placements, np.ndarray]:
    """Add the short-break periods after the others (their indices shift by len(periods))."""
    shift = len(periods)
    more_placements.period = more_placements.period + shift
    all_periods = Periods.concat([periods, more_periods])
    all_legal = LegalStatus(
        np.concatenate([legal.day, more_legal.day]), np.concatenate([legal.ls, more_legal.ls])
    )
    fields_ = Placements.__dataclass_fields__
    all_placements = Placements(
        **{
            f: np.concatenate([getattr(placements, f), getattr(more_placements, f)])
            for f in fields_
        }
    )
    all_placements.carer[len(placements.carer) :] += len(placements.carer)
    return all_periods, all_legal, all_placements, np.concatenate([home, more_home])


def upn_check_letter(digits: str) -> str:
    """DfE's UPN check letter for the 12 digits after it: each digit times its position
    (2-13), summed, modulo 23, as a letter A-Z without I, O and S."""
    total = sum(int(d) * position for d, position in zip(digits, range(2, 14), strict=True))
    return str(_UPN_CHECK[total % 23])


def _upns(rng: np.random.Generator, dob: np.ndarray, dfe_number: int) -> np.ndarray:
    """UPNs in DfE's structure: check letter, LA number, school, year allocated, serial."""
    n = len(dob)
    school = rng.integers(1000, 8000, n)
    allocated = (dob.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1975) % 100
    serial = rng.integers(0, 1000, n)
    digits = [
        f"{dfe_number:03d}{s:04d}{a:02d}{r:03d}"
        for s, a, r in zip(school, allocated, serial, strict=True)
    ]
    return np.array([upn_check_letter(d) + d for d in digits], dtype=object)


def _mothers(rng: np.random.Generator, periods: Periods, n_children: int) -> np.ndarray:
    """About 4% of young women in care at 15+ have a child while looked after."""
    last = np.r_[periods.child[1:] != periods.child[:-1], True]
    child, start, end, dob = (
        periods.child[last],
        periods.start[last],
        periods.end[last],
        periods.dob[last],
    )
    low = np.maximum(start, birthday(dob, 15))
    high = np.minimum(end, birthday(dob, 18))
    pick = ~periods.male[last] & (high - low > 60) & (rng.random(len(child)) < 0.04)
    pick &= periods.pathway[last] != SHORT_BREAK
    mother = np.full(n_children, -1, dtype=np.int64)
    mother[child[pick]] = low[pick] + (rng.random(pick.sum()) * (high - low)[pick]).astype(np.int64)
    return mother


def _window(periods: Periods, years: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Each period clipped to the years of the returns (start, end); empty if outside."""
    first, last = year_start_day(min(years)), year_end_day(max(years))
    return np.maximum(periods.start, first), np.minimum(periods.end, last)


def _missing(
    rng: np.random.Generator, periods: Periods, placements: Placements, years: list[int]
) -> Events:
    """Missing (M) and away without authorisation (A), mostly teenagers and children in
    children's homes, never overlapping (rule 574) and ending before care ends (575)."""
    low, high = _window(periods, years)
    age = (low - periods.dob) / DAYS_PER_YEAR
    in_home = np.zeros(len(periods), bool)
    in_home[placements.period[placements.category == cal.HOME_RES]] = True
    chance = np.where(age >= 11, 0.10 * np.exp(0.8 * periods.complexity), 0.0)
    chance *= np.where(in_home, 2.5, 1.0) * (periods.pathway != SHORT_BREAK)
    goes = (rng.random(len(periods)) < np.minimum(chance, 0.7)) & (high - low > 30)
    years_in = np.maximum(high - low, 0) / DAYS_PER_YEAR
    count = np.where(goes, 1 + rng.poisson(2.5 * years_in * np.exp(0.5 * periods.complexity)), 0)
    period = np.repeat(np.arange(len(periods)), count)
    start = low[period] + (rng.random(len(period)) * (high - low - 5)[period]).astype(np.int64)
    order = np.lexsort((start, period))
    period, start = period[order], start[order]
    unique = np.r_[True, (period[1:] != period[:-1]) | (start[1:] != start[:-1])]
    period, start = period[unique], start[unique]
    length = rng.choice([0, 0, 1, 1, 2, 3, 5], len(period))
    end = np.minimum(start + length, periods.end[period] - 1)
    same = np.r_[period[1:] == period[:-1], False]
    end = np.where(same, np.minimum(end, np.r_[start[1:], 0] - 1), end)
    keep = end >= start
    code = np.where(rng.random(len(period)) < 0.6, "M", "A").astype(object)
    return Events(periods.child[period][keep], start[keep], end[keep], code[keep])


def _reviews(rng: np.random.Generator, periods: Periods, years: list[int]) -> Events:
    """Reviews at 20 days, 3 months later, then every 6 months (not for short breaks)."""
    length = periods.end - periods.start
    count = np.where(
        (periods.pathway != SHORT_BREAK) & (length > 20), 1 + np.maximum((length - 20) // 182, 0), 0
    )
    count = np.where(length > 111, count + 1, count)
    period = np.repeat(np.arange(len(periods)), count)
    k = np.arange(len(period)) - np.repeat(np.cumsum(count) - count, count)
    offset = np.where(k == 0, 20, np.where(k == 1, 111, 111 + (k - 1) * 182))
    when = periods.start[period] + offset + rng.integers(-3, 4, len(period))
    when = np.minimum(when, periods.end[period] - 1)
    inside = (when >= year_start_day(min(years))) & (when <= year_end_day(max(years)))
    code = choose_codes(rng, {"PN1": 60, "PN2": 10, "PN3": 5, "PN4": 5, "PN5": 8, "PN6": 4,
                              "PN7": 8}, len(period))  # fmt: skip
    under_4 = when < birthday(periods.dob[period], 4)
    code = np.where(under_4, "PN0", code)
    return Events(periods.child[period][inside], when[inside], when[inside], code[inside])


def _social_workers(
    rng: np.random.Generator, periods: Periods, years: list[int], stock: float
) -> Events:
    """Social worker episodes from 2023-24 (when the 903 began collecting them): from
    before care (a child in need social worker) to the end of care. ``code`` holds SW_ID
    and SW_REASON (blank for a child's first)."""
    first_year = max(min(years), 2024)
    low = year_start_day(first_year)
    high = year_end_day(max(years))
    relevant = (periods.pathway != SHORT_BREAK) & (periods.end >= low) & (periods.start <= high)
    previous_end = np.r_[-(10**6), periods.end[:-1]]
    previous_end = np.where(
        np.r_[False, periods.child[1:] == periods.child[:-1]], previous_end, -(10**6)
    )
    cover_start = np.maximum(periods.start - rng.integers(30, 400, len(periods)), previous_end + 1)
    cover_start = np.maximum(cover_start, periods.dob)
    length = np.minimum(periods.end, high) - cover_start
    changes = np.where(relevant, rng.poisson(np.maximum(length, 0) / DAYS_PER_YEAR * 0.8), 0)
    count = np.where(relevant, 1 + changes, 0)
    period = np.repeat(np.arange(len(periods)), count)
    k = np.arange(len(period)) - np.repeat(np.cumsum(count) - count, count)
    cut = cover_start[period] + (rng.random(len(period)) * np.maximum(length[period], 1)).astype(
        np.int64
    )
    cut = np.where(k == 0, cover_start[period], cut)
    order = np.lexsort((cut, period))
    period, start = period[order], cut[order]
    last = np.r_[period[1:] != period[:-1], True]
    end = np.where(last, periods.end[period], np.r_[start[1:], 0])
    keep = (end > start) | last
    pool = max(5, int(stock / 15) + 5)
    worker = rng.choice(9_000_000, size=pool, replace=False) + 1_000_000
    ids = np.char.add("SW", worker[rng.integers(0, pool, len(period))].astype(str)).astype(object)
    child = periods.child[period]
    first = np.r_[True, child[1:] != child[:-1]]
    reason = np.where(first, "", choose_codes(rng, _SW_REASONS, len(period))).astype(object)
    return Events(periods.child[period][keep], start[keep], end[keep],
                  np.stack([ids, reason], axis=1)[keep])  # fmt: skip


def _adopters(rng: np.random.Generator, n: int) -> np.ndarray:
    """AD1 details per period: number, sex and legal status of adopters (rules 511-524)."""
    single = rng.random(n) < 0.1
    couple = choose_codes(rng, {"MF": 86, "MM": 7, "FF": 7}, n)
    sex = np.where(single, np.where(rng.random(n) < 0.15, "M1", "F1"), couple)
    status = np.where(
        single,
        "L0",
        np.where(sex == "MF", np.where(rng.random(n) < 0.8, "L11", "L3"),
                 np.where(rng.random(n) < 0.6, "L12", "L4")),
    )  # fmt: skip
    return np.stack([np.where(single, "1", "2"), sex, status], axis=1).astype(object)


def _prev_perm(rng: np.random.Generator, periods: Periods, borough: DemoBorough) -> np.ndarray:
    """PrevPerm per period: most children had no previous permanence order (Z1)."""
    n = len(periods)
    code = choose_codes(rng, {"Z1": 88, "P4": 4, "P1": 2.5, "P2": 3, "P3": 2.5}, n)
    known = np.isin(code, ["P1", "P2", "P3"])
    la = np.where(rng.random(n) < 0.6, str(borough.dfe_number), "999")
    la = np.where(known, la, "")
    earliest = periods.dob + 180
    latest = periods.start - 60
    when = earliest + (rng.random(n) * np.maximum(latest - earliest, 1)).astype(np.int64)
    when = np.where(known & (latest > earliest), when, -1)
    code = np.where(known & (when < 0), "P4", code)
    la = np.where(code == "P4", "", la)
    return np.stack([code, la, when.astype(object)], axis=1).astype(object)


def plant_canaries(history: BoroughHistory, count: int, book: PostcodeBook) -> list[tuple]:
    """Give ``count`` children in care at the end obviously planted identifiers and home
    postcodes (area ZQ), for leak tests. Returns (slug, CHILD, DOB day, postcode) tuples."""
    if count <= 0:
        return []
    periods = history.periods
    open_at_end = (periods.end > year_end_day(2025)) & (periods.pathway != SHORT_BREAK)
    candidates = np.unique(periods.child[open_at_end])[:count]
    planted = []
    authority = book.authorities[history.index]
    for k, child in enumerate(candidates):
        postcode = f"ZQ{history.index % 9 + 1} {k % 10}{_UPN_CHECK[history.index // 9 % 23]}Q"
        history.child_id[child] = f"CANARY{history.index + 1:03d}{k + 1:02d}"
        history.canary_post[int(child)] = postcode
        book.add_extra(postcode, authority.easting + 500 * k, authority.northing, authority.code)
        dob = int(periods.dob[np.flatnonzero(periods.child == child)[0]])
        planted.append((history.borough.slug, history.child_id[child], dob, postcode))
    return planted
