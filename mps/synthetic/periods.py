"""Periods of care: who starts, when, at what age, how they leave and their legal statuses.

A *period* runs from a child's start in care (RNE S) to leaving. Periods are drawn directly
(start date, age, pathway out of care, duration) for every collection year from 1998, so
the stock at 31 March 2021 holds children who have been in care for years, then legal
statuses are laid over each period. All dates are whole days since 1970-01-01 (int64).
Everything is vectorised over periods.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from mps.synthetic import calibration as cal
from mps.synthetic.boroughs import DemoBorough

DAYS_PER_YEAR = 365.25
#: A period end later than the data's last day is still open: the true end is kept only to
#: decide the pathway; outputs treat it as open.
NEVER = np.int64(10**6)


def day(year: int, month: int, dom: int) -> np.int64:
    """Days since 1970-01-01 of a calendar date."""
    return np.datetime64(f"{year:04d}-{month:02d}-{dom:02d}", "D").astype(np.int64)


def year_start_day(year: int) -> np.int64:
    """1 April at the start of collection ``year``."""
    return day(year - 1, 4, 1)


def year_end_day(year: int) -> np.int64:
    """31 March at the end of collection ``year``."""
    return day(year, 3, 31)


def birthday(dob: np.ndarray, years: int) -> np.ndarray:
    """The day of each child's ``years``-th birthday (29 February -> 1 March)."""
    dates = np.asarray(dob, dtype=np.int64).astype("datetime64[D]")
    month = dates.astype("datetime64[M]")
    dom = (dates - month.astype("datetime64[D]")).astype(np.int64)
    target = (month.astype(np.int64) + 12 * years).astype("datetime64[M]")
    return (target.astype("datetime64[D]").astype(np.int64) + dom).astype(np.int64)


def choose(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One index per row of a (rows x options) weight matrix (rows need a positive weight)."""
    cumulative = np.cumsum(weights, axis=1)
    draw = rng.random(len(weights)) * cumulative[:, -1]
    return np.minimum((cumulative <= draw[:, None]).sum(axis=1), weights.shape[1] - 1)


def choose_codes(rng: np.random.Generator, shares: dict[str, float], size: int) -> np.ndarray:
    """``size`` codes drawn with the given relative shares."""
    codes = np.array(list(shares), dtype=object)
    p = np.array(list(shares.values()), dtype=float)
    return codes[rng.choice(len(codes), size=size, p=p / p.sum())]


@dataclass
class Periods:
    """One row per period of care (arrays of equal length).

    ``child`` indexes the borough's children (a child returning to care keeps it). ``end``
    is the true last day (``rec`` blank until decided); ``adm``/``po``/``match``/
    ``adoption_placed`` are the adoption milestones (-1 when not on that pathway).
    """

    child: np.ndarray
    start: np.ndarray
    end: np.ndarray
    dob: np.ndarray
    male: np.ndarray
    uasc: np.ndarray
    ethnic: np.ndarray
    cin: np.ndarray
    complexity: np.ndarray
    pathway: np.ndarray
    aged_out: np.ndarray
    remand: np.ndarray
    rec: np.ndarray
    adm: np.ndarray
    po: np.ndarray
    match: np.ndarray
    adoption_placed: np.ndarray
    consent_route: np.ndarray

    def __len__(self) -> int:
        return len(self.start)

    def take(self, index: np.ndarray) -> Periods:
        return Periods(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    @staticmethod
    def concat(parts: list[Periods]) -> Periods:
        return Periods(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Periods)}
        )


def _age_group(age_years: np.ndarray) -> np.ndarray:
    return np.searchsorted(cal.AGE_GROUP_EDGES, age_years, side="right")


def _non_uasc_ages(rng: np.random.Generator, n: int) -> np.ndarray:
    band = rng.choice(5, size=n, p=cal.START_AGE_BANDS / cal.START_AGE_BANDS.sum())
    low, high = cal.START_AGE_EDGES[band], cal.START_AGE_EDGES[band + 1]
    age = low + rng.random(n) * (high - low)
    newborn = (band == 0) & (rng.random(n) < cal.NEWBORN_SHARE)
    age = np.where(newborn, rng.uniform(0, 0.04, n), age)
    return np.minimum(age, 17.9)


def _uasc_ages(rng: np.random.Generator, n: int) -> np.ndarray:
    years = np.array(list(cal.UASC_AGE), dtype=float)
    p = np.array(list(cal.UASC_AGE.values()))
    return np.minimum(rng.choice(years, size=n, p=p) + rng.random(n) * 0.95, 17.9)


def _pathway_and_end(
    rng: np.random.Generator, start: np.ndarray, dob: np.ndarray, uasc: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pathway out of care, the true last day, and whether the child aged out at 18."""
    n = len(start)
    age = (start - dob) / DAYS_PER_YEAR
    group = _age_group(age)
    pathway = choose(rng, cal.PATHWAY_BY_AGE[group])
    pathway = np.where(uasc, choose(rng, np.tile(cal.PATHWAY_UASC, (n, 1))), pathway)
    z = rng.standard_normal(n)
    years = cal.DURATION_MEDIAN[pathway] * np.exp(cal.DURATION_SIGMA[pathway] * z)
    years = np.where(pathway == cal.HOME, cal.HOME_MEDIAN_BY_AGE[group] * np.exp(1.1 * z), years)
    years = np.where(pathway == cal.ADOPTION, np.maximum(years, cal.ADOPTION_MIN_YEARS), years)
    eighteen = birthday(dob, 18)
    to_18 = (eighteen - start) / DAYS_PER_YEAR
    years = np.where(pathway == cal.LONG_TERM, to_18, years)
    leave_at = rng.uniform(16.5, 17.95, n)
    years = np.where(pathway == cal.LEAVE_16, np.maximum(leave_at - age, 0.1), years)
    end = start + np.maximum(np.round(years * DAYS_PER_YEAR), 1).astype(np.int64)
    aged_out = end >= eighteen
    end = np.minimum(end, eighteen)
    pathway = np.where(aged_out, cal.LONG_TERM, pathway)
    return pathway, end, aged_out


def _new_periods(
    rng: np.random.Generator,
    child: np.ndarray,
    start: np.ndarray,
    dob: np.ndarray,
    male: np.ndarray,
    uasc: np.ndarray,
    ethnic: np.ndarray,
    complexity: np.ndarray,
) -> Periods:
    n = len(start)
    pathway, end, aged_out = _pathway_and_end(rng, start, dob, uasc)
    age = (start - dob) / DAYS_PER_YEAR
    cin = np.where(uasc, choose_codes(rng, cal.CIN_UASC, n), choose_codes(rng, cal.CIN_NON_UASC, n))
    remand = (
        ~uasc & (pathway == cal.OTHER) & (age >= 12.2) & (rng.random(n) < cal.REMAND_SHARE_12_PLUS)
    )
    minus = np.full(n, -1, dtype=np.int64)
    return Periods(
        child=child, start=start, end=end, dob=dob, male=male, uasc=uasc, ethnic=ethnic,
        cin=cin, complexity=complexity, pathway=pathway, aged_out=aged_out, remand=remand,
        rec=np.full(n, "", dtype=object), adm=minus.copy(), po=minus.copy(),
        match=minus.copy(), adoption_placed=minus.copy(), consent_route=np.zeros(n, bool),
    )  # fmt: skip


def simulate_periods(rng: np.random.Generator, borough: DemoBorough, last_year: int) -> Periods:
    """Every period of care of one borough that started from April 1997 to ``last_year``.

    Starts per year follow the borough's target stock (population x rate) divided by the
    mean time in care, UASC arrivals vary by year, and some children return to care.
    """
    stock = borough.under18_2020 * borough.cla_rate / 10_000
    uasc_share = min(cal.UASC_SHARE_OF_STOCK * borough.uasc_factor, 0.3)
    first_starts = stock * (1 - uasc_share) / cal.MEAN_YEARS_NON_UASC * (1 - cal.RE_ENTRY_SHARE)
    uasc_starts = stock * uasc_share / cal.MEAN_YEARS_UASC
    starts, uasc = [], []
    for year in range(cal.FIRST_START_YEAR, last_year + 1):
        trend = 1 + borough.starts_trend * max(year - 2021, 0)
        counts = rng.poisson(
            [first_starts * trend, uasc_starts * cal.UASC_BY_YEAR.get(year, 0.9) * trend]
        )
        low, high = year_start_day(year), year_end_day(year)
        starts.append(rng.integers(low, high + 1, counts.sum()))
        uasc.append(np.repeat([False, True], counts))
    start = np.concatenate(starts).astype(np.int64)
    is_uasc = np.concatenate(uasc)
    n = len(start)
    age = np.where(is_uasc, _uasc_ages(rng, n), _non_uasc_ages(rng, n))
    dob = start - np.round(age * DAYS_PER_YEAR).astype(np.int64)
    male = rng.random(n) < np.where(is_uasc, cal.MALE_UASC, cal.MALE_NON_UASC)
    ethnic = np.where(
        is_uasc,
        choose_codes(rng, cal.ETHNIC_UASC, n),
        choose_codes(rng, cal.ETHNIC_NON_UASC, n),
    )
    complexity = rng.standard_normal(n)
    periods = [_new_periods(rng, np.arange(n), start, dob, male, is_uasc, ethnic, complexity)]
    _assign_early_recs(rng, periods[0])
    last_day = year_end_day(last_year)
    # Returns to care: children who went home (or left for another reason) young enough.
    for _ in range(2):
        before = periods[-1]
        age_end = (before.end - before.dob) / DAYS_PER_YEAR
        gap = np.maximum(
            np.round(rng.lognormal(np.log(DAYS_PER_YEAR), 0.8, len(before))), 30
        ).astype(np.int64)
        again = (
            np.isin(before.rec, ["E4A", "E4B", "E13", "E8"])
            & (age_end < 16.5)
            & (rng.random(len(before)) < cal.RE_ENTRY_CHANCE)
            & (before.end + gap <= last_day)
            & ((before.end + gap - before.dob) / DAYS_PER_YEAR < 17.5)
        )
        if not again.any():
            break
        pick = before.take(np.flatnonzero(again))
        returning = _new_periods(
            rng, pick.child, pick.end + gap[again], pick.dob, pick.male, pick.uasc, pick.ethnic,
            pick.complexity + rng.normal(0, 0.3, len(pick)),
        )  # fmt: skip
        _assign_early_recs(rng, returning)
        periods.append(returning)
    result = Periods.concat(periods)
    _adoption_milestones(rng, result)
    order = np.lexsort((result.start, result.child))
    return result.take(order)


def _assign_early_recs(rng: np.random.Generator, periods: Periods) -> None:
    """Reasons for ceasing that do not depend on the last placement."""
    n = len(periods)
    rec = periods.rec
    age_end = (periods.end - periods.dob) / DAYS_PER_YEAR
    path = periods.pathway
    adoption = path == cal.ADOPTION
    rec[adoption] = np.where(rng.random(adoption.sum()) < 0.7, "E11", "E12")
    home = path == cal.HOME
    rec[home] = choose_codes(rng, cal.REC_HOME, int(home.sum()))
    leave = path == cal.LEAVE_16
    rec[leave] = choose_codes(rng, cal.REC_LEAVE_16, int(leave.sum()))
    other = path == cal.OTHER
    other_codes = choose_codes(rng, cal.REC_OTHER, n)
    other_codes = np.where((other_codes == "E9") & (age_end < 12), "E8", other_codes)
    other_codes = np.where(periods.uasc, choose_codes(rng, cal.REC_OTHER_UASC, n), other_codes)
    other_codes = np.where(periods.remand, choose_codes(rng, cal.REC_REMAND, n), other_codes)
    rec[other] = other_codes[other]


def _adoption_milestones(rng: np.random.Generator, periods: Periods) -> None:
    """Decision, placement order, match and adoptive placement, in order, for adoptions."""
    idx = np.flatnonzero(periods.pathway == cal.ADOPTION)
    start, end = periods.start[idx], periods.end[idx]
    length = end - start
    placed_for = np.clip(
        np.round(rng.uniform(0.4, 1.2, len(idx)) * DAYS_PER_YEAR), 70, 0.55 * length
    ).astype(np.int64)
    placed = end - placed_for
    match = placed - rng.integers(10, 46, len(idx))
    po = start + np.round(rng.uniform(0.35, 0.65, len(idx)) * (match - start)).astype(np.int64)
    adm = start + np.maximum(
        np.round(rng.uniform(0.5, 0.9, len(idx)) * (po - start)).astype(np.int64), 15
    )
    periods.adoption_placed[idx] = placed
    periods.match[idx] = match
    periods.po[idx] = po
    periods.adm[idx] = adm


# --- Legal status --------------------------------------------------------------------------
MAX_LEGAL = 5


@dataclass
class LegalStatus:
    """Each period's legal statuses: ``day[i, k]`` the k-th change, ``ls[i, k]`` its status.

    Unused slots have ``day == NEVER``; ``day[:, 0]`` is the period start.
    """

    day: np.ndarray
    ls: np.ndarray

    def at(self, period: np.ndarray, when: np.ndarray) -> np.ndarray:
        """The legal status of each given period on each given day."""
        k = (self.day[period] <= when[:, None]).sum(axis=1) - 1
        return self.ls[period, np.maximum(k, 0)]


def simulate_legal_status(rng: np.random.Generator, periods: Periods) -> LegalStatus:
    """Legal statuses over each period (reference §2.3 LS, §3.2-3.3 mix).

    Police protection (L1, up to 3 days) and EPOs (L2, up to 8 days) become an interim care
    order or s20; interim orders become full care orders after 5-12 months; some s20
    children go to court; adoptions move to a placement order (E1) or, by consent, stay
    s20; UASC children are s20; remanded children J1.
    """
    n = len(periods)
    days = np.full((n, MAX_LEGAL), NEVER, dtype=np.int64)
    status = np.full((n, MAX_LEGAL), "", dtype=object)
    start, end, path = periods.start, periods.end, periods.pathway
    first = np.array(cal.START_LS, dtype=object)[choose(rng, cal.START_LS_BY_PATHWAY[path])]
    first = np.where(periods.uasc, "V2", first)
    first = np.where(periods.remand, "J1", first)
    days[:, 0], status[:, 0] = start, first
    slot = np.ones(n, dtype=np.int64)

    def add(mask: np.ndarray, when: np.ndarray, code: np.ndarray | str) -> None:
        mask = mask & (when < end)
        rows = np.flatnonzero(mask)
        days[rows, slot[rows]] = when[rows]
        status[rows, slot[rows]] = code if isinstance(code, str) else code[rows]
        slot[rows] += 1

    current = first.copy()
    # Emergency statuses end within days (rules 361-362).
    emergency = np.isin(first, ["L1", "L2"])
    lasts = np.where(first == "L1", rng.integers(1, 4, n), rng.integers(3, 9, n))
    to_court = np.isin(path, [cal.ADOPTION, cal.SGO, cal.LONG_TERM])
    after = np.where(rng.random(n) < np.where(to_court, 0.75, 0.4), "C1", "V2")
    add(emergency, start + lasts, after)
    current = np.where(emergency & (start + lasts < end), after, current)
    since = np.where(emergency, start + lasts, start)
    adoption = path == cal.ADOPTION
    periods.consent_route[:] = adoption & (current == "V2")
    add(adoption & (current == "C1"), periods.po, "E1")
    # s20 children who go to court (not UASC, not remanded, not adoption).
    court = (
        ~adoption & (current == "V2") & ~periods.uasc
        & np.isin(path, [cal.LONG_TERM, cal.SGO, cal.LEAVE_16]) & (rng.random(n) < 0.55)
    )  # fmt: skip
    court_day = since + np.round(rng.uniform(0.15, 1.2, n) * DAYS_PER_YEAR).astype(np.int64)
    add(court, court_day, "C1")
    moved = court & (court_day < end)
    current = np.where(moved, "C1", current)
    since = np.where(moved, court_day, since)
    # Interim care orders become full care orders when proceedings end.
    final_day = since + np.round(rng.uniform(0.4, 1.0, n) * DAYS_PER_YEAR).astype(np.int64)
    add(~adoption & (current == "C1"), final_day, "C2")
    return LegalStatus(days, status)
