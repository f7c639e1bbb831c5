"""The fictional boroughs of the demo consortium and the fictional local authorities around it.

Every name, code and postcode area here is invented. Borough codes are ONS-shaped
(``E069`` + five digits) in a range no real authority uses; the 3-digit DfE numbers are in
the unused ``1xx`` range. Postcode areas are two-letter areas that pass the UK postcode
format but that Royal Mail does not use: ``Z?`` (only ZE is real) and ``Y?`` (only YO is
real). The consortium uses ZA-ZY and YA-YW, the out-of-consortium authorities ZX, YX and
YY, and planted canary children the area ZQ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: (slug, name, ONS-shaped code, under-18 population at mid-2020, CLA per 10,000 at 31 March
#: 2021). Populations span 35k-150k and rates 40-120, like the p10-p90 of English LAs
#: (reference §3.9); the pooled rate is about 68, as England's (§3.1).
_NAMED = (
    ("ashmoor", "Ashmoor", "E06900001", 62_000, 74.0),
    ("brightwater", "Brightwater", "E06900002", 148_000, 48.0),
    ("calderbrook", "Calderbrook", "E06900003", 38_000, 118.0),
    ("dunmere", "Dunmere", "E06900004", 85_000, 92.0),
    ("eastholme", "Eastholme", "E06900005", 47_000, 61.0),
    ("fernleigh", "Fernleigh", "E06900006", 120_000, 42.0),
    ("greyford", "Greyford", "E06900007", 55_000, 104.0),
    ("hazelwick", "Hazelwick", "E06900008", 71_000, 66.0),
)
#: Grid centres (OS easting, northing in metres) of the eight named boroughs: a compact
#: cluster whose neighbours are 14-20 miles apart centre to centre.
_NAMED_CENTRES = (
    (420_000, 330_000),
    (444_000, 334_000),
    (400_000, 346_000),
    (426_000, 354_000),
    (450_000, 358_000),
    (404_000, 310_000),
    (432_000, 308_000),
    (466_000, 318_000),
)
#: Per-borough practice, for the eight named boroughs (multipliers on the national pattern):
#: in-house share of mainstream fostering, children's homes, kinship, UASC, instability.
_NAMED_PRACTICE = (
    (1.05, 1.00, 1.00, 0.9, 1.00),
    (0.80, 0.85, 1.10, 1.6, 0.90),
    (1.30, 1.30, 0.85, 0.5, 1.20),
    (1.00, 1.15, 1.15, 0.8, 1.10),
    (1.15, 0.90, 0.90, 0.6, 0.95),
    (0.75, 0.80, 1.20, 1.4, 0.85),
    (1.20, 1.25, 0.95, 0.7, 1.10),
    (0.95, 1.00, 1.05, 1.1, 1.00),
)

#: Syllables for further fictional borough names (boroughs=N > 8).
_FIRST = (
    "Alder", "Bram", "Cold", "Dray", "Elm", "Fox", "Glen", "Hart", "Ivy", "Kings", "Lark",
    "Marl", "Nether", "Oak", "Pen", "Quarry", "Rook", "Sand", "Thorn", "Upper", "Wex", "Yarrow",
)  # fmt: skip
_SECOND = (
    "bury", "combe", "dale", "field", "ford", "gate", "ham", "holt", "hurst", "ley", "mere",
    "moor", "port", "stead", "stow", "thorpe", "ton", "wick", "worth",
)  # fmt: skip

#: Postcode areas (see the module docstring): consortium areas, other authorities, canaries.
CONSORTIUM_AREAS = tuple("Z" + c for c in "ABCDFGHKLMNPRSTUWY") + tuple(
    "Y" + c for c in "ABCDEFGHKLMNPRSTUW"
)
OTHER_AREAS = ("ZX", "YX", "YY")
CANARY_AREA = "ZQ"

#: Fictional authorities outside the consortium where children are also placed: six on its
#: fringe (neighbours) and six far away (40-200 miles), with ONS-shaped codes ``E089...``.
#: (name, bearing in degrees, distance from the consortium's edge/centre in km, far?)
_OTHER_LAS = (
    ("Kestrel Vale", 20, 28, False),
    ("Saltmarsh", 80, 30, False),
    ("Wolds End", 140, 26, False),
    ("Lowbridge", 200, 30, False),
    ("Hemlock Downs", 260, 27, False),
    ("Carrow Heath", 320, 29, False),
    ("Northmoor", 5, 150, True),
    ("Gullhaven", 60, 260, True),
    ("Redcliffe Bay", 120, 110, True),
    ("Tamsbury", 190, 220, True),
    ("Westerfell", 250, 180, True),
    ("Pinecrest", 300, 80, True),
)


@dataclass(frozen=True)
class DemoBorough:
    """One fictional borough: identity, size, geography and practice.

    ``under18_2020`` is the under-18 population at mid-2020 (the denominator of the
    2020-21 rate); ``cla_rate`` the children looked after per 10,000 at 31 March 2021 the
    simulation aims at. The practice multipliers scale the national placement pattern.
    """

    slug: str
    name: str
    code: str
    dfe_number: int
    under18_2020: int
    cla_rate: float
    easting: float
    northing: float
    radius_km: float
    postcode_area: str
    districts: tuple[int, ...]
    in_house_factor: float = 1.0
    residential_factor: float = 1.0
    kinship_factor: float = 1.0
    uasc_factor: float = 1.0
    instability_factor: float = 1.0
    starts_trend: float = 0.0


@dataclass(frozen=True)
class OtherAuthority:
    """A fictional authority outside the consortium (placements only, no data of its own)."""

    name: str
    code: str
    easting: float
    northing: float
    radius_km: float
    postcode_area: str
    districts: tuple[int, ...]
    far: bool


def _districts(index: int, count: int) -> tuple[str, tuple[int, ...]]:
    """Postcode area and districts (1-9, so outward codes are 3 characters) of borough i."""
    per_area = -(-count // len(CONSORTIUM_AREAS))  # boroughs sharing one area
    per_borough = max(1, min(6, 9 // per_area))
    area = CONSORTIUM_AREAS[index // per_area]
    first = 1 + (index % per_area) * per_borough
    return area, tuple(range(first, first + per_borough))


def _radius(population: float) -> float:
    """A borough's radius in km: denser small boroughs, larger shire-like ones."""
    return float(np.clip(3.0 + population / 20_000, 4.0, 12.0))


def _extra_names(count: int, rng: np.random.Generator) -> list[str]:
    """``count`` distinct fictional names, not clashing with the named eight."""
    pairs = [a + b for a in _FIRST for b in _SECOND]
    taken = {name for _, name, *_ in _NAMED}
    pairs = [p for p in pairs if p not in taken]
    order = rng.permutation(len(pairs))
    if count > len(pairs):
        raise ValueError(f"at most {len(pairs) + len(_NAMED)} fictional boroughs can be named")
    return [pairs[i] for i in order[:count]]


def demo_boroughs(count: int = 8, rng: np.random.Generator | None = None) -> list[DemoBorough]:
    """The consortium's boroughs: the eight named ones, then ``count - 8`` more.

    Further boroughs (an England-sized preset has 150) get fictional names and codes
    ``E06900009``..., populations and rates drawn like England's LAs (reference §3.9:
    median under-18 population 60k, median rate 71) and scaled so that 150 boroughs hold
    about 80,000 children looked after and 11.7 million children. They sit on a jittered
    26 km grid, so neighbours are 10-30 miles apart.
    """
    if count < 1:
        raise ValueError(f"boroughs must be at least 1, not {count}")
    if count > 8 and rng is None:
        raise ValueError("a random generator is needed for more than eight boroughs")
    named = list(range(min(count, 8)))
    boroughs: list[DemoBorough] = []
    if count <= 8:
        centres = [_NAMED_CENTRES[i] for i in named]
    else:
        assert rng is not None
        columns = int(np.ceil(np.sqrt(count * 1.4)))
        cells = np.arange(count)
        east = 180_000 + (cells % columns) * 26_000 + rng.uniform(-5_000, 5_000, count)
        north = 120_000 + (cells // columns) * 26_000 + rng.uniform(-5_000, 5_000, count)
        centres = list(zip(east.round(), north.round(), strict=True))
    for i in named:
        slug, name, code, population, rate = _NAMED[i]
        practice = _NAMED_PRACTICE[i]
        area, districts = _districts(i, count)
        boroughs.append(
            DemoBorough(
                slug, name, code, 101 + i, population, rate, *centres[i], _radius(population),
                area, districts, *practice, starts_trend=(-0.02, 0.01, 0.03, 0.0, -0.01, 0.02,
                                                           0.01, -0.03)[i],
            )
        )  # fmt: skip
    if count > 8:
        assert rng is not None
        extra = count - 8
        names = _extra_names(extra, rng)
        population = np.clip(rng.lognormal(np.log(60_000), 0.58, extra), 8_000, 350_000)
        rate = np.clip(rng.lognormal(np.log(71), 0.43, extra), 20, 200)
        named_children = sum(b.under18_2020 for b in boroughs)
        named_cla = sum(b.under18_2020 * b.cla_rate / 10_000 for b in boroughs)
        population *= (78_000 * count - named_children) / population.sum()
        rate *= (80_000 * count / 150 - named_cla) / (population * rate / 10_000).sum()
        practice = np.exp(rng.normal(0, 0.18, (extra, 5)))
        trend = rng.uniform(-0.03, 0.03, extra)
        for j in range(extra):
            i = 8 + j
            area, districts = _districts(i, count)
            boroughs.append(
                DemoBorough(
                    names[j].lower(), names[j], f"E069{i + 1:05d}", 101 + i,
                    int(round(population[j], -2)), float(round(rate[j], 1)), *centres[i],
                    _radius(population[j]), area, districts, *practice[j].round(3),
                    starts_trend=float(round(trend[j], 4)),
                )
            )  # fmt: skip
    return boroughs


def other_authorities(boroughs: list[DemoBorough]) -> list[OtherAuthority]:
    """The twelve fictional authorities outside the consortium, placed around it.

    Fringe authorities sit just beyond the consortium's outer boroughs; far ones 50-160
    miles from its centre. Each gets two postcode districts in the ZX/YX/YY areas.
    """
    east = np.array([b.easting for b in boroughs])
    north = np.array([b.northing for b in boroughs])
    centre_e, centre_n = east.mean(), north.mean()
    reach = float(np.sqrt((east - centre_e) ** 2 + (north - centre_n) ** 2).max()) / 1000
    authorities = []
    for k, (name, bearing, distance_km, far) in enumerate(_OTHER_LAS):
        radians = np.deg2rad(bearing)
        distance = distance_km + (0 if far else reach + 8)
        area = OTHER_AREAS[k // 4]
        first = 1 + (k % 4) * 2
        authorities.append(
            OtherAuthority(
                name=name,
                code=f"E089{k + 1:05d}",
                easting=float(round(centre_e + np.sin(radians) * distance * 1000)),
                northing=float(round(centre_n + np.cos(radians) * distance * 1000)),
                radius_km=8.0,
                postcode_area=area,
                districts=(first, first + 1),
                far=far,
            )
        )
    return authorities


#: The demo consortium's eight boroughs, as data for parameter files and tests.
DEMO_BOROUGHS: tuple[DemoBorough, ...] = tuple(demo_boroughs(8))
