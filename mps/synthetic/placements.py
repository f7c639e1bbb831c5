"""Placements within each period of care: when children move, where to, and with whom.

Moves to new carers arrive as a Poisson process (faster for teenagers and for children with
more complex needs), plus an early move out of an emergency placement; adoptions end in an
adoptive placement after a foster placement, and some older children move to supported
accommodation after 16. Each placement gets a kind (in-house, kinship, IFA, children's
home...), a 903 PLACE code valid for its dates, a provider code consistent with it, an
Ofsted URN from the register, and a placement postcode inside the borough, in a
neighbouring authority or far away (reference §3.5-3.6).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from mps.synthetic import calibration as cal
from mps.synthetic import providers as prov
from mps.synthetic.boroughs import DemoBorough
from mps.synthetic.geography import PostcodeBook
from mps.synthetic.periods import DAYS_PER_YEAR, LegalStatus, Periods, birthday, choose, day

_FOSTER = (cal.INHOUSE, cal.KINSHIP, cal.IFA)
_KEEP_KIND = (cal.INHOUSE, cal.KINSHIP, cal.IFA, cal.HOME_RES, cal.SUPPORTED)
SUPPORTED_REGULATED_FROM = day(2023, 10, 28)  # URN needed for H5, no P2 (rules 217t, 218)
K3_FROM = day(2024, 4, 1)  # K3 "registered supported accommodation" from 2024-25


@dataclass
class Placements:
    """One row per stretch of a placement with one PLACE code (a change of status with the
    same carers starts a new row with ``new_carer`` False). Sorted by period and start."""

    period: np.ndarray
    start: np.ndarray
    end: np.ndarray
    category: np.ndarray
    place: np.ndarray
    provider: np.ndarray
    urn: np.ndarray
    postcode: np.ndarray
    carer: np.ndarray
    new_carer: np.ndarray
    provider_index: np.ndarray
    location: np.ndarray  # 0 inside the borough, 1 neighbouring authority, 2 far away

    def take(self, index: np.ndarray) -> Placements:
        return Placements(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


@dataclass
class Places:
    """Where a borough places: candidate authorities and providers by location class."""

    borough: int
    near: np.ndarray
    far: np.ndarray
    far_weight: np.ndarray
    homes: tuple[np.ndarray, np.ndarray, np.ndarray]
    home_weight: tuple[np.ndarray, np.ndarray, np.ndarray]
    la_homes: np.ndarray
    fostering_service: int
    la_supported: np.ndarray
    adoption_agency: int


def places_for(borough: int, distances_km: np.ndarray, register: prov.Register) -> Places:
    """Candidate authorities (near: centres within NEAR_KM; far: the rest, nearer likelier)
    and the independent children's homes in each location class for one borough."""
    d = distances_km[borough]
    others = np.flatnonzero(np.arange(len(d)) != borough)
    near = others[d[others] <= cal.NEAR_KM]
    if not len(near):
        near = others[np.argsort(d[others])[:3]]
    far = np.setdiff1d(others, near)
    far_weight = np.exp(-d[far] / 150.0)
    independent = np.flatnonzero(
        (register.kind == prov.CHILDRENS_HOME) & (register.owner_borough < 0)
    )
    in_class = [
        independent[register.authority[independent] == borough],
        independent[np.isin(register.authority[independent], near)],
        independent[np.isin(register.authority[independent], far)],
    ]
    weights = []
    for k, homes in enumerate(in_class):
        if not len(homes):  # no home in that class: fall back to every independent home
            in_class[k] = homes = independent
        w = register.places[homes].astype(float)
        if k == 2:
            lookup = dict(zip(far, far_weight, strict=True))
            w *= np.array([lookup.get(a, 0.05) for a in register.authority[homes]])
        weights.append(w / w.sum())
    own = register.owner_borough == borough
    la_homes = np.flatnonzero(own & (register.kind == prov.CHILDRENS_HOME))
    return Places(
        borough=borough, near=near, far=far, far_weight=far_weight / far_weight.sum(),
        homes=tuple(in_class), home_weight=tuple(weights),  # type: ignore[arg-type]
        la_homes=la_homes[:-1] if len(la_homes) > 1 else la_homes,  # last one: short breaks
        fostering_service=int(np.flatnonzero(own & (register.kind == prov.LA_FOSTERING))[0]),
        la_supported=np.flatnonzero(own & (register.kind == prov.SUPPORTED)),
        adoption_agency=int(
            np.flatnonzero(
                (register.kind == prov.LA_ADOPTION) & (register.owner_borough == borough // 4 * 4)
            )[0]
        ),
    )  # fmt: skip


def _change_days(
    rng: np.random.Generator, periods: Periods, legal: LegalStatus, borough: DemoBorough
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Days each period's placements start (period, day, kind); kind 0 start, 1-2 moves,
    3 adoptive placement, 4 move to supported accommodation."""
    n = len(periods)
    start, end = periods.start, periods.end
    length = end - start
    group = np.searchsorted(cal.AGE_GROUP_EDGES, (start - periods.dob) / DAYS_PER_YEAR, "right")
    emergency = np.isin(legal.ls[:, 0], ["L1", "L2"])
    early = (rng.random(n) < cal.EARLY_MOVE_SHARE * np.where(emergency, 1.4, 1.0)) & (length > 50)
    rate = cal.MOVE_RATE[group] * np.exp(0.45 * periods.complexity) * borough.instability_factor
    moves = np.where(length > 30, np.minimum(rng.poisson(rate * length / DAYS_PER_YEAR), 10), 0)
    move_period = np.repeat(np.arange(n), moves)
    move_day = start[move_period] + 10 + (rng.random(len(move_period)) * (length[move_period] - 15))
    adoption = np.flatnonzero(periods.pathway == cal.ADOPTION)
    sixteen = birthday(periods.dob, 16)
    to_supported = sixteen + rng.integers(30, 400, n)
    supported = np.flatnonzero(
        ~periods.uasc & ~periods.remand & np.isin(periods.pathway, [cal.LONG_TERM, cal.LEAVE_16])
        & (rng.random(n) < 0.45) & (to_supported > start + 10) & (to_supported < end - 30)
    )  # fmt: skip
    period = np.concatenate([np.arange(n), np.flatnonzero(early), move_period, adoption, supported])
    when = np.concatenate(
        [start, (start + rng.integers(3, 46, n))[early], move_day.astype(np.int64),
         periods.adoption_placed[adoption], to_supported[supported]]
    )  # fmt: skip
    kind = np.concatenate(
        [np.zeros(n), np.ones(early.sum()), np.full(len(move_period), 2),
         np.full(len(adoption), 3), np.full(len(supported), 4)]
    ).astype(np.int64)  # fmt: skip
    forced = kind != 1
    forced &= kind != 2
    # No ordinary move after an adoptive placement, nor within 3 days of another change.
    placed = periods.adoption_placed[period]
    keep = forced | (placed < 0) | (when < placed)
    period, when, kind, forced = period[keep], when[keep], kind[keep], forced[keep]
    for _ in range(3):
        order = np.lexsort((~forced, when, period))
        period, when, kind, forced = period[order], when[order], kind[order], forced[order]
        same = np.r_[False, period[1:] == period[:-1]]
        close = same & (np.r_[0, np.diff(when)] < 3)
        drop = close & ~forced
        if not drop.any():
            break
        period, when, kind, forced = period[~drop], when[~drop], kind[~drop], forced[~drop]
    return period, when, kind


def _category_weights(
    periods: Periods, borough: DemoBorough, period: np.ndarray, when: np.ndarray,
    status: np.ndarray,
) -> np.ndarray:  # fmt: skip
    age = (when - periods.dob[period]) / DAYS_PER_YEAR
    row = np.searchsorted(cal.PLACEMENT_AGE_EDGES, age, side="right")
    weights = cal.PLACEMENT_WEIGHTS[row].copy()
    uasc = periods.uasc[period]
    weights[uasc] = cal.PLACEMENT_WEIGHTS_UASC[(age[uasc] >= 16).astype(int)]
    z = periods.complexity[period]
    weights[:, cal.INHOUSE] *= borough.in_house_factor
    weights[:, cal.IFA] /= borough.in_house_factor
    weights[:, cal.KINSHIP] *= borough.kinship_factor
    weights[:, cal.HOME_RES] *= borough.residential_factor * np.exp(0.9 * z) * (age >= 8)
    weights[:, cal.SECURE] *= np.exp(1.2 * z) * (age >= 10)
    weights[:, cal.SUPPORTED] *= when >= birthday(periods.dob[period], 16)
    weights[:, cal.PARENTS] *= np.isin(status, ["C1", "C2"]) & ~uasc
    remand = periods.remand[period]
    weights[remand, cal.OTHER_PLACE] *= 6
    weights[remand, cal.PARENTS] = 0
    return weights


def simulate_placements(
    rng: np.random.Generator,
    periods: Periods,
    legal: LegalStatus,
    borough: DemoBorough,
    places: Places,
    register: prov.Register,
    book: PostcodeBook,
) -> tuple[Placements, np.ndarray]:
    """Every placement of every period, and each period's home postcode (-1 for UASC)."""
    period, when, kind = _change_days(rng, periods, legal, borough)
    m = len(period)
    first = np.r_[True, period[1:] != period[:-1]]
    start_of = np.flatnonzero(first)
    rank = np.arange(m) - np.repeat(start_of, np.diff(np.r_[start_of, m]))
    last = np.r_[period[1:] != period[:-1], True]
    end = np.where(last, periods.end[period], np.r_[when[1:], 0])
    status = legal.at(period, when)
    weights = _category_weights(periods, borough, period, when, status)
    next_adoptive = np.r_[kind[1:] == 3, False] & ~last
    must_foster = next_adoptive | (last & (periods.pathway[period] == cal.SGO))
    foster_only = np.zeros(weights.shape[1], dtype=bool)
    foster_only[list(_FOSTER)] = True
    weights[must_foster] *= foster_only
    weights[must_foster & (periods.pathway[period] == cal.SGO), cal.KINSHIP] *= 2.5
    weights[must_foster & (weights.sum(axis=1) == 0), cal.INHOUSE] = 1.0
    category = np.full(m, -1, dtype=np.int64)
    previous = np.full(len(periods), -1, dtype=np.int64)
    for j in range(int(rank.max()) + 1 if m else 0):
        rows = np.flatnonzero(rank == j)
        drawn = choose(rng, weights[rows])
        prev = previous[period[rows]]
        allowed = (prev >= 0) & (weights[rows, np.maximum(prev, 0)] > 0)
        keep = (
            allowed
            & np.isin(prev, _KEEP_KIND)
            & (rng.random(len(rows)) < cal.PLACEMENT_PERSISTENCE)
        )
        drawn = np.where(keep, prev, drawn)
        drawn = np.where(kind[rows] == 3, cal.ADOPTED, drawn)
        drawn = np.where(kind[rows] == 4, cal.SUPPORTED, drawn)
        category[rows] = drawn
        previous[period[rows]] = drawn
    home = np.where(periods.uasc, -1, book.draw(rng, np.full(len(periods), places.borough))).astype(
        np.int64
    )
    placements = Placements(
        period=period, start=when, end=end, category=category,
        place=np.full(m, "", dtype=object), provider=np.full(m, "", dtype=object),
        urn=np.full(m, "", dtype=object), postcode=np.full(m, -1, dtype=np.int64),
        carer=np.arange(m, dtype=np.int64), new_carer=np.ones(m, dtype=bool),
        provider_index=np.full(m, -1, dtype=np.int64), location=np.zeros(m, dtype=np.int64),
    )  # fmt: skip
    _codes_and_providers(rng, placements, periods, status, places, register, book, home)
    return _long_term_splits(rng, placements, periods), home


def _codes_and_providers(
    rng: np.random.Generator,
    p: Placements,
    periods: Periods,
    status: np.ndarray,
    places: Places,
    register: prov.Register,
    book: PostcodeBook,
    home: np.ndarray,
) -> None:
    m = len(p.period)
    cat = p.category
    age = (p.start - periods.dob[p.period]) / DAYS_PER_YEAR
    u = rng.random(m)
    location = choose(rng, cal.LOCATION[cat])
    place, provider, urn = p.place, p.provider, p.urn
    provider_index = p.provider_index
    # Fostering: the borough's fostering service holds in-house and kinship carers.
    foster = np.isin(cat, [cal.INHOUSE, cal.KINSHIP])
    place[cat == cal.INHOUSE] = "U6"
    place[cat == cal.KINSHIP] = "U3"
    ffa = (cat == cal.INHOUSE) & (periods.pathway[p.period] == cal.ADOPTION) & (u < 0.2)
    place[ffa] = "U5"
    provider[foster] = "PR1"
    provider_index[foster] = places.fostering_service
    ifa = np.flatnonzero(cat == cal.IFA)
    agencies = register.of_kind(prov.IFA)
    provider_index[ifa] = rng.choice(agencies, len(ifa), p=_share(register.places[agencies]))
    place[ifa] = "U6"
    # Children's homes: the borough's own (inside) or an independent home by location class.
    homes = np.flatnonzero(cat == cal.HOME_RES)
    own_home = (rng.random(len(homes)) < cal.LA_HOME_SHARE / 0.8) & (len(places.la_homes) > 0)
    if len(places.la_homes):
        provider_index[homes[own_home]] = rng.choice(places.la_homes, own_home.sum())
    location[homes[own_home]] = 0
    for k in range(3):
        pick = homes[~own_home & (location[homes] == k)]
        provider_index[pick] = rng.choice(places.homes[k], len(pick), p=places.home_weight[k])
    place[homes] = "K2"
    # Supported accommodation: H5/P2 until 2023-24, K3 (or H5 with a URN) from 2024-25.
    supported = np.flatnonzero(cat == cal.SUPPORTED)
    la_run = (rng.random(len(supported)) < 0.12) & (len(places.la_supported) > 0)
    independent = register.of_kind(prov.SUPPORTED)
    independent = independent[register.owner_borough[independent] < 0]
    provider_index[supported] = rng.choice(independent, len(supported))
    if len(places.la_supported):
        provider_index[supported[la_run]] = places.la_supported[0]
    location[supported[la_run]] = 0
    begins, ends = p.start[supported], p.end[supported]
    code = np.where(
        begins >= K3_FROM,
        np.where(rng.random(len(supported)) < 0.85, "K3", "H5"),
        np.where((ends < SUPPORTED_REGULATED_FROM) & (rng.random(len(ends)) < 0.25), "P2", "H5"),
    )  # fmt: skip
    place[supported] = code
    secure = np.flatnonzero(cat == cal.SECURE)
    provider_index[secure] = rng.choice(register.of_kind(prov.SECURE_HOME), len(secure))
    place[secure] = "K1"
    parents = cat == cal.PARENTS
    place[parents], provider[parents], location[parents] = "P1", "PR0", 0
    adopted = np.flatnonzero(cat == cal.ADOPTED)
    by_consent = periods.consent_route[p.period[adopted]]
    with_carer = rng.random(len(adopted)) < 0.3
    place[adopted] = np.where(by_consent, np.where(with_carer, "A3", "A4"),
                              np.where(with_carer, "A5", "A6"))  # fmt: skip
    voluntary = rng.random(len(adopted)) < 0.2
    vaa = register.of_kind(prov.VAA)
    provider_index[adopted] = np.where(
        voluntary, rng.choice(vaa, len(adopted)), places.adoption_agency
    )
    _other_placements(rng, p, periods, age, register, location)
    # Provider codes from the provider's sector and owner.
    has_provider = provider_index >= 0
    owner = np.where(has_provider, register.owner_borough[np.maximum(provider_index, 0)], -1)
    sector = np.where(has_provider, register.sector[np.maximum(provider_index, 0)], "")
    coded = has_provider & (provider == "")
    provider[coded & (owner == places.borough)] = "PR1"
    provider[coded & (owner >= 0) & (owner != places.borough)] = "PR2"
    provider[coded & (owner < 0) & (sector == "Private")] = "PR4"
    provider[coded & (owner < 0) & (sector == "Voluntary")] = "PR5"
    provider[coded & (owner < 0) & (sector == "Local Authority")] = "PR2"
    # URNs: every placement type but the exempt ones (rule 218); unregulated H5/P2 before
    # 28/10/2023 had no URN ("XXXXXXX").
    urn[:] = np.where(has_provider, register.urn[np.maximum(provider_index, 0)], "")
    exempt = np.isin(place, ["P1", "P3", "R1", "R2", "R5", "Z1"])
    urn[exempt] = ""
    unregulated = np.isin(place, ["H5", "P2"]) & (p.end < SUPPORTED_REGULATED_FROM)
    urn[unregulated] = "XXXXXXX"
    # Postcodes: a provider's own address, else a carer's home in the chosen authority.
    fixed = has_provider & (register.postcode[np.maximum(provider_index, 0)] >= 0) & ~exempt
    p.postcode[fixed] = register.postcode[provider_index[fixed]]
    located = np.where(
        location == 0,
        places.borough,
        np.where(
            location == 1,
            rng.choice(places.near, m),
            rng.choice(places.far, m, p=places.far_weight),
        ),
    )
    drawn = ~fixed & ~parents
    p.postcode[drawn] = book.draw(rng, located[drawn])
    p.postcode[parents] = home[p.period[parents]]
    p.location[:] = np.where(
        book.authority_of(p.postcode) == places.borough, 0, np.where(location == 0, 1, location)
    )
    # Placed for adoption with the current foster carers: same carers, same address.
    same = adopted[np.isin(place[adopted], ["A3", "A5"])]
    p.new_carer[same] = False
    p.carer[same] = p.carer[same - 1]
    p.postcode[same] = p.postcode[same - 1]
    # A placement at the child's home postcode is only allowed for P1 (rule 392d).
    clash = (p.postcode == home[p.period]) & ~parents & (p.postcode >= 0)
    p.postcode[clash] = book.neighbour(p.postcode[clash])


def _other_placements(
    rng: np.random.Generator,
    p: Placements,
    periods: Periods,
    age: np.ndarray,
    register: prov.Register,
    location: np.ndarray,
) -> None:
    """Family centres, residential schools, health, custody, employment and Z1."""
    rows = np.flatnonzero(p.category == cal.OTHER_PLACE)
    age = age[rows]
    remand = periods.remand[p.period[rows]]
    disabled = periods.cin[p.period[rows]] == "N2"
    options = np.array(["R2", "S1", "R1", "P3", "Z1"], dtype=object)
    weights = np.tile([0.25, 0.25, 0.10, 0.05, 0.35], (len(rows), 1))
    weights[:, 1] *= (age >= 4.2) * np.where(disabled, 6.0, 1.0)
    weights[:, 2] *= age >= 12
    weights[:, 3] *= age >= 14.2
    weights[:, 4] *= age >= 10
    code = options[choose(rng, weights)]
    code = np.where(age < 1, "R3", code)
    code = np.where(remand & (age >= 10.2), "R5", code)
    p.place[rows] = code
    p.provider[rows] = np.select(
        [code == "R2", code == "R5", np.isin(code, ["R1", "P3"]), code == "Z1"],
        ["PR3", "PR3", "PR4", ""],
        "",
    )
    for place_code, kind in (("R3", prov.FAMILY_CENTRE), ("S1", prov.SPECIAL_SCHOOL)):
        chosen = rows[code == place_code]
        p.provider_index[chosen] = rng.choice(register.of_kind(kind), len(chosen))
    location[rows[code == "R5"]] = 2


def _long_term_splits(rng: np.random.Generator, p: Placements, periods: Periods) -> Placements:
    """Foster placements that become long-term with the same carers (U6->U4, U3->U1)."""
    length = p.end - p.start
    split = (
        np.isin(p.place, ["U6", "U3"]) & (length > 240)
        & np.isin(periods.pathway[p.period], [cal.LONG_TERM, cal.SGO, cal.LEAVE_16])
        & (rng.random(len(length)) < cal.LONG_TERM_STATUS_CHANGE)
    )  # fmt: skip
    at = p.start + rng.integers(120, 421, len(length))
    split &= at < p.end - 60
    index = np.repeat(np.arange(len(length)), np.where(split, 2, 1))
    out = p.take(index)
    second = np.r_[False, index[1:] == index[:-1]]
    first_of_pair = np.r_[second[1:], False]
    out.end[first_of_pair] = at[index[first_of_pair]]
    out.start[second] = at[index[second]]
    out.place[second] = np.where(out.place[second] == "U6", "U4", "U1")
    out.new_carer[second] = False
    return out


def _share(weights: np.ndarray) -> np.ndarray:
    weights = weights.astype(float)
    return weights / weights.sum()
