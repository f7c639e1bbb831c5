"""The demo's inputs beyond the 903: population, spend, referrals and needs assessments.

Columns are exactly those of :mod:`mps.data.layout`. Costs are illustrative (reference
§3.10's rule of thumb, with a long tail for children's homes) and rise with a child's needs;
referral timescales follow the Hampshire placement strategy (30% same day, 41% within two
days, 11% in 3-5 days, 33% in 6-14 days, 15% later: the first is part of the second, so the
buckets are 30/11/11/33/15); needs follow the Valuing Care indicators (needs higher in
children's homes, peaking at ages 7-8 and 12).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mps.codes import VALUING_CARE_INDICATORS
from mps.data.layout import (
    NEEDS_ID_COLUMNS,
    POPULATION_COLUMNS,
    REFERRAL_COLUMNS,
    SPEND_COLUMNS,
)
from mps.synthetic import calibration as cal
from mps.synthetic.boroughs import DemoBorough
from mps.synthetic.history import BoroughHistory
from mps.synthetic.periods import DAYS_PER_YEAR, choose, choose_codes, year_end_day, year_start_day
from mps.synthetic.providers import Register
from mps.synthetic.returns import dates
from mps.synthetic.shortbreaks import SHORT_BREAK

#: Births in England by year relative to 2010 (rounded ONS shape: a 2012 peak, then falling).
_BIRTHS = {1995: 0.88, 2000: 0.86, 2005: 0.94, 2010: 1.0, 2012: 1.01, 2015: 0.97,
           2020: 0.85, 2023: 0.82, 2030: 0.84, 2036: 0.86}  # fmt: skip


def population_frame(boroughs: list[DemoBorough], rng: np.random.Generator) -> pd.DataFrame:
    """Under-18 population by single year of age, mid-2015 to mid-2035, every borough:
    ``estimate`` up to 2024, ``projection`` after. Smooth, and different per borough."""
    years = np.arange(2015, 2036)
    ages = np.arange(18)
    known = np.array(list(_BIRTHS))
    births = np.interp(years[:, None] - ages[None, :], known, np.array(list(_BIRTHS.values())))
    cohort = births * (1 + 0.004 * ages[None, :])  # net migration into childhood ages
    rows = []
    for borough in boroughs:
        growth = rng.uniform(-0.004, 0.01)
        shape = cohort * (1 + growth) ** (years[:, None] - 2020)
        shape *= 1 + rng.uniform(-0.05, 0.05) * (ages[None, :] - 8.5) / 8.5
        scale = borough.under18_2020 / shape[years == 2020].sum()
        population = np.round(shape * scale).astype(np.int64)
        rows.append(
            pd.DataFrame(
                {
                    "la_code": borough.code,
                    "la_name": borough.name,
                    "year": np.repeat(years, len(ages)),
                    "age": np.tile(ages, len(years)),
                    "population": population.ravel(),
                    "kind": np.where(np.repeat(years, len(ages)) <= 2024, "estimate", "projection"),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)[list(POPULATION_COLUMNS)]


def _window(history: BoroughHistory, years: list[int]) -> tuple[int, int]:
    return int(year_start_day(min(years))), int(year_end_day(max(years)))


def spend_frame(
    history: BoroughHistory, register: Register, years: list[int], rng: np.random.Generator
) -> pd.DataFrame:
    """One row per paid placement (not with parents, for adoption, in hospital or custody,
    nor short breaks) open during the returns' years, with an illustrative weekly cost."""
    low, high = _window(history, years)
    p, periods = history.placements, history.periods
    paid = (
        (p.start <= high) & (p.end >= low) & ~np.isin(p.place, ["P1", "A3", "A4", "A5", "A6",
                                                               "R2", "R5"])
        & (periods.pathway[p.period] != SHORT_BREAK)
    )  # fmt: skip
    rows = np.flatnonzero(paid)
    category, place, provider = p.category[rows], p.place[rows], p.provider[rows]
    kind = np.select(
        [category == cal.KINSHIP, category == cal.INHOUSE, category == cal.IFA,
         (category == cal.HOME_RES) & (provider == "PR1"), category == cal.HOME_RES,
         category == cal.SUPPORTED, category == cal.SECURE, place == "R3", place == "S1",
         place == "Z1"],
        ["kinship", "inhouse", "ifa", "la_home", "external_home", "supported", "secure",
         "family_centre", "residential_school", "unregistered"],
        "other",
    )  # fmt: skip
    median = np.array([cal.WEEKLY_COST[k][0] for k in kind])
    spread = np.array([cal.WEEKLY_COST[k][1] for k in kind])
    growth = np.array([cal.WEEKLY_COST[k][2] for k in kind])
    start_year = (p.start[rows].astype("datetime64[D]").astype("datetime64[Y]").astype(int)
                  + 1970)  # fmt: skip
    level = np.exp(rng.normal(0, 0.08))  # the borough's prices
    need = periods.complexity[p.period[rows]]
    weight = np.where(np.isin(kind, ["kinship", "inhouse"]), 0.05, 0.18)
    cost = (
        median * level * np.exp(spread * rng.standard_normal(len(rows)) + weight * need)
        * (1 + growth) ** (np.clip(start_year, 2019, 2025) - 2025)
    )  # fmt: skip
    independent = np.isin(provider, ["PR4", "PR5"])
    status = np.select(
        [provider == "PR1", kind == "ifa", kind == "external_home", kind == "supported"],
        [
            np.full(len(rows), "block", dtype=object),
            choose_codes(rng, {"framework": 72, "spot": 22, "block": 6}, len(rows)),
            choose_codes(rng, {"spot": 55, "framework": 35, "block": 10}, len(rows)),
            choose_codes(rng, {"framework": 50, "block": 20, "spot": 30}, len(rows)),
        ],
        choose_codes(rng, {"spot": 70, "framework": 30}, len(rows)),
    )
    status = np.where(
        ~independent & (provider != "PR1") & (kind != "unregistered"), "block", status
    )
    status = np.where(kind == "unregistered", "spot", status)
    index = p.provider_index[rows]
    unregistered_names = np.array(
        [f"{w} {s}" for w, s in zip(("Harbour", "Meadow", "Oak", "Ridge"),
                                    ("Lodge Ltd", "House Ltd", "Care Ltd", "Support Ltd"),
                                    strict=True)], dtype=object)  # fmt: skip
    name = np.where(
        index >= 0,
        register.organisation[np.maximum(index, 0)],
        unregistered_names[rng.integers(0, 4, len(rows))],
    )
    child = periods.child[p.period[rows]]
    frame = pd.DataFrame(
        {
            "CHILD": history.child_id[child],
            "placement_start": dates(p.start[rows]),
            "placement_end": np.where(p.end[rows] > high, "", dates(p.end[rows])),
            "PLACE": place,
            "PLACE_PROVIDER": provider,
            "URN": p.urn[rows],
            "provider_name": name,
            "weekly_cost": np.char.mod("%.2f", np.round(cost, 2)),
            "contract_status": status,
        }
    )
    order = np.lexsort((p.start[rows], history.child_id[child].astype(str)))
    return frame.iloc[order][list(SPEND_COLUMNS)].reset_index(drop=True)


_SOUGHT = {
    cal.INHOUSE: "fostering", cal.KINSHIP: "fostering", cal.IFA: "fostering",
    cal.HOME_RES: "childrens home", cal.SUPPORTED: "supported accommodation",
    cal.SECURE: "secure", cal.OTHER_PLACE: "childrens home",
}  # fmt: skip


def referrals_frame(
    history: BoroughHistory, years: list[int], rng: np.random.Generator
) -> pd.DataFrame:
    """Placement requests: about 1.3 per start (placed, unplaced or withdrawn)."""
    low, high = _window(history, years)
    p, periods = history.placements, history.periods
    first = np.r_[True, p.period[1:] != p.period[:-1]]
    sought_kind = np.isin(p.category, list(_SOUGHT))
    candidates = (
        p.new_carer & sought_kind & (p.start >= low) & (p.start <= high)
        & (periods.pathway[p.period] != SHORT_BREAK)
    )  # fmt: skip
    starts = int(np.sum(first & (p.start >= low) & (p.start <= high)
                        & (periods.pathway[p.period] != SHORT_BREAK)))  # fmt: skip
    wanted = 1.1 * starts
    first_pick = candidates & first & (p.category != cal.KINSHIP)
    moves = candidates & ~first
    move_share = np.clip((wanted - first_pick.sum()) / max(moves.sum(), 1), 0, 1)
    placed = np.flatnonzero(first_pick | (moves & (rng.random(len(first)) < move_share)))
    n_placed = len(placed)
    category = p.category[placed]
    infant = (p.start[placed] - periods.dob[p.period[placed]]) < DAYS_PER_YEAR
    type_placed = np.array([_SOUGHT[c] for c in category], dtype=object)
    type_placed = np.where(infant & (type_placed == "fostering") & (rng.random(n_placed) < 0.12),
                           "parent and child", type_placed)  # fmt: skip
    age = (p.start[placed] - periods.dob[p.period[placed]]) / DAYS_PER_YEAR
    # Children placed in a children's home for want of a foster placement (a sufficiency gap).
    wanted_foster = (type_placed == "childrens home") & (age < 14) & (rng.random(n_placed) < 0.35)
    type_sought = np.where(wanted_foster, "fostering", type_placed)
    wanted_home = (type_placed == "fostering") & (age >= 11) & (rng.random(n_placed) < 0.05)
    type_sought = np.where(wanted_home, "childrens home", type_sought)
    late = np.where(rng.random(n_placed) < 0.25, rng.integers(1, 30, n_placed), 0)
    needed = p.start[placed] - late
    extra = round(0.2 * starts)
    child_periods = periods.child[p.period[placed]]
    n = n_placed + extra
    lead = _lead_days(rng, n)
    base_day = np.r_[needed, rng.integers(low, high + 1, extra)]
    extra_age = rng.choice(age, extra) if n_placed else rng.uniform(0, 17, extra)
    extra_sought = rng.choice(type_sought, extra) if n_placed else np.full(extra, "fostering")
    outcome = np.r_[np.full(n_placed, "placed"), np.where(rng.random(extra) < 0.4, "unplaced",
                                                          "withdrawn")]  # fmt: skip
    male = np.r_[periods.male[p.period[placed]], rng.random(extra) < 0.56]
    frame = pd.DataFrame(
        {
            "CHILD": np.r_[history.child_id[child_periods], np.full(extra, "")],
            "date_requested": dates(base_day - lead),
            "date_needed": dates(base_day),
            "age": np.r_[np.floor(age), np.floor(extra_age)].astype(int).astype(str),
            "sex": np.where(male, "M", "F"),
            "placement_type_sought": np.r_[type_sought, extra_sought],
            "urgency": np.where(lead <= 2, "emergency", "planned"),
            "outcome": outcome,
            "date_placed": np.r_[dates(p.start[placed]), np.full(extra, "")],
            "placement_type_placed": np.r_[type_placed, np.full(extra, "")],
        }
    )
    order = np.lexsort((np.arange(n), base_day - lead))
    frame = frame.iloc[order].reset_index(drop=True)
    prefix = history.borough.slug[:3].upper()
    frame.insert(0, "referral_id", [f"{prefix}-R{i + 1:06d}" for i in range(n)])
    return frame[list(REFERRAL_COLUMNS)]


def _lead_days(rng: np.random.Generator, n: int) -> np.ndarray:
    """Days between request and need: same day 30%, 1-2 days 11%, 3-5 11%, 6-14 33%,
    15-60 15% (Hampshire's placement finding timescales)."""
    bucket = choose(rng, np.tile([30.0, 11.0, 11.0, 33.0, 15.0], (n, 1)))
    low = np.array([0, 1, 3, 6, 15])[bucket]
    high = np.array([0, 2, 5, 14, 60])[bucket]
    return rng.integers(low, high + 1)


#: Indicator prevalence (offset) and how strongly each follows the child's overall need.
_INDICATOR_BASE = np.array([-0.6, 0.3, 0.2, -0.1, -0.4, 0.3, 0.4, 0.0, -0.2, 0.0, -0.1, 0.2])
_INDICATOR_LOAD = np.array([0.4, 0.8, 0.7, 0.6, 0.4, 0.6, 0.9, 0.6, 0.5, 0.6, 0.5, 0.7])
_PLACEMENT_NEED = np.array([0.0, -0.2, 0.25, 0.9, 0.2, 1.2, -0.1, -0.4, 0.5])


def _age_profile(age: np.ndarray) -> np.ndarray:
    """Needs by age, peaking at 7-8 and at 12 (Valuing Care)."""
    return (
        0.45 * np.exp(-(((age - 7.5) / 1.4) ** 2))
        + 0.6 * np.exp(-(((age - 12.2) / 1.5) ** 2))
        - 0.2
    )


def needs_frame(
    history: BoroughHistory, years: list[int], rng: np.random.Generator
) -> pd.DataFrame:
    """Valuing Care assessments: one or two per child for most children in care."""
    low, high = _window(history, years)
    periods, p = history.periods, history.placements
    first_day = np.maximum(periods.start + 7, low)
    last_day = np.minimum(periods.end, high)
    eligible = np.flatnonzero((periods.pathway != SHORT_BREAK) & (last_day - first_day > 14))
    # One period per child (the latest), so a child has one or two assessments.
    latest = eligible[np.r_[periods.child[eligible][1:] != periods.child[eligible][:-1], True]]
    chosen = latest[rng.random(len(latest)) < 0.85]
    span = last_day[chosen] - first_day[chosen]
    when = first_day[chosen] + (rng.random(len(chosen)) * np.minimum(span, 120)).astype(np.int64)
    again = (last_day[chosen] - when > 200) & (rng.random(len(chosen)) < 0.5)
    later = when + rng.integers(180, 366, len(chosen))
    period = np.r_[chosen, chosen[again]]
    when = np.r_[when, np.minimum(later, last_day[chosen])[again]]
    second = np.r_[np.zeros(len(chosen), bool), np.ones(again.sum(), bool)]
    # The placement the child is in on the day (placements sorted by period and start).
    key = p.period.astype(np.int64) * 10**6 + p.start
    at = np.searchsorted(key, period.astype(np.int64) * 10**6 + when, side="right") - 1
    category = p.category[at]
    age = (when - periods.dob[period]) / DAYS_PER_YEAR
    latent = periods.complexity[period] + _age_profile(age) + _PLACEMENT_NEED[category]
    latent = latent - 0.15 * second
    ratings = np.clip(
        np.round(0.9 + _INDICATOR_BASE + _INDICATOR_LOAD * latent[:, None]
                 + rng.normal(0, 0.65, (len(period), len(_INDICATOR_BASE)))),
        0, 3,
    ).astype(int)  # fmt: skip
    child = periods.child[period]
    frame = pd.DataFrame({"CHILD": history.child_id[child], "assessment_date": dates(when)})
    for k, indicator in enumerate(VALUING_CARE_INDICATORS):
        frame[indicator.slug] = ratings[:, k].astype(str)
    order = np.lexsort((when, history.child_id[child].astype(str)))
    columns = [*NEEDS_ID_COLUMNS, *(i.slug for i in VALUING_CARE_INDICATORS)]
    return frame.iloc[order][columns].reset_index(drop=True)
