"""Disabled children looked after only during short breaks (legal status V3).

About 1-2% of the children in a year's return (calibration.SHORT_BREAK_SHARE). Each break
is its own period of care (RNE S, REC E4A) of 1-4 nights, about monthly, in the borough's
short-break home or with an in-house foster carer (never a long-term placement, rule 384;
never over 17 days, rule 365; at most 75 days a year, rule 367).
"""

from __future__ import annotations

import numpy as np

from mps.synthetic import calibration as cal
from mps.synthetic import providers as prov
from mps.synthetic.geography import PostcodeBook
from mps.synthetic.periods import (
    DAYS_PER_YEAR,
    NEVER,
    LegalStatus,
    Periods,
    birthday,
    choose_codes,
    year_end_day,
    year_start_day,
)
from mps.synthetic.placements import Placements, Places

SHORT_BREAK = 6  # pathway code of a short-break period


def simulate_short_breaks(
    rng: np.random.Generator,
    stock: float,
    first_child: int,
    last_year: int,
    places: Places,
    register: prov.Register,
    book: PostcodeBook,
) -> tuple[Periods, LegalStatus, Placements, np.ndarray]:
    """Short-break periods, their (V3) legal status, placements and home postcodes."""
    years = np.arange(2016, last_year + 1)
    per_year = rng.poisson(cal.SHORT_BREAK_SHARE * 1.4 * stock / 4.5, len(years))
    n_children = int(per_year.sum())
    first_day = np.concatenate(
        [
            rng.integers(year_start_day(y), year_end_day(y) + 1, k)
            for y, k in zip(years, per_year, strict=True)
        ]
    ).astype(np.int64)
    age = rng.uniform(5, 15.5, n_children)
    dob = first_day - np.round(age * DAYS_PER_YEAR).astype(np.int64)
    span_end = np.minimum(
        first_day + np.round(rng.uniform(2, 7, n_children) * DAYS_PER_YEAR).astype(np.int64),
        birthday(dob, 18) - 20,
    )
    breaks = np.maximum((span_end - first_day) // 30, 1)
    child = np.repeat(np.arange(n_children), breaks)
    gaps = rng.integers(21, 40, len(child))
    cumulative = np.cumsum(gaps)
    group_start = np.repeat(np.cumsum(breaks) - breaks, breaks)
    start = first_day[child] + cumulative - cumulative[group_start]
    within = start < span_end[child]
    breaks = np.bincount(child[within], minlength=n_children)
    child, start = child[within], start[within]
    end = start + rng.integers(1, 5, len(child))
    n = len(child)
    male = np.repeat(rng.random(n_children) < 0.62, breaks)
    ethnic = np.repeat(choose_codes(rng, cal.ETHNIC_NON_UASC, n_children), breaks)
    complexity = np.repeat(rng.normal(0.5, 1.0, n_children), breaks)
    minus = np.full(n, -1, dtype=np.int64)
    periods = Periods(
        child=child + first_child, start=start, end=end, dob=dob[child], male=male,
        uasc=np.zeros(n, bool), ethnic=ethnic, cin=np.full(n, "N2", dtype=object),
        complexity=complexity, pathway=np.full(n, SHORT_BREAK), aged_out=np.zeros(n, bool),
        remand=np.zeros(n, bool), rec=np.full(n, "E4A", dtype=object), adm=minus,
        po=minus.copy(), match=minus.copy(), adoption_placed=minus.copy(),
        consent_route=np.zeros(n, bool),
    )  # fmt: skip
    days = np.full((n, 5), NEVER, dtype=np.int64)
    days[:, 0] = start
    status = np.full((n, 5), "", dtype=object)
    status[:, 0] = "V3"
    legal = LegalStatus(days, status)
    # One setting per child: the short-break home or one in-house foster carer.
    in_home = np.repeat(rng.random(n_children) < 0.6, breaks)
    short_break_home = register.owner_borough == places.borough
    short_break_home &= register.kind == prov.CHILDRENS_HOME
    home_index = np.flatnonzero(short_break_home)[-1]
    carer_post = np.repeat(book.draw(rng, np.full(n_children, places.borough)), breaks)
    home_post = np.repeat(book.draw(rng, np.full(n_children, places.borough)), breaks)
    clash = carer_post == home_post
    carer_post[clash] = book.neighbour(carer_post[clash])
    provider_index = np.where(in_home, home_index, places.fostering_service)
    placements = Placements(
        period=np.arange(n), start=start, end=end,
        category=np.where(in_home, cal.HOME_RES, cal.INHOUSE),
        place=np.where(in_home, "K2", "U6").astype(object),
        provider=np.full(n, "PR1", dtype=object), urn=register.urn[provider_index],
        postcode=np.where(in_home, register.postcode[home_index], carer_post),
        carer=np.arange(n), new_carer=np.ones(n, bool), provider_index=provider_index,
        location=np.zeros(n, dtype=np.int64),
    )  # fmt: skip
    return periods, legal, placements, home_post
