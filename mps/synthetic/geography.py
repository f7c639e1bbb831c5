"""Fictional postcodes on a fictional OS grid, and the authorities they belong to.

Every authority (consortium borough or other) gets postcode districts around its grid
centre. A postcode is ``<area><district> <sector><unit>``, e.g. ``ZA3 4BX``: the real UK
format, in areas no real postcode uses (see :mod:`mps.synthetic.boroughs`). Postcodes are
drawn from each authority's pool on demand; only the ones used are written to
``postcodes.csv`` with ONSPD's column names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mps.data.layout import POSTCODE_COLUMNS
from mps.synthetic.boroughs import DemoBorough, OtherAuthority

#: Letters Royal Mail uses in the unit part of a postcode (never C, I, K, M, O or V).
UNIT_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
_UNITS_PER_SECTOR = len(UNIT_LETTERS) ** 2
KM_PER_MILE = 1.6093


@dataclass
class Authority:
    """An authority on the grid with its postcode pool (consortium borough or other)."""

    index: int
    name: str
    code: str
    easting: float
    northing: float
    radius_km: float
    postcode_area: str
    districts: tuple[int, ...]
    in_consortium: bool
    far: bool = False
    pool_postcodes: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    pool_east: np.ndarray = field(default_factory=lambda: np.empty(0))
    pool_north: np.ndarray = field(default_factory=lambda: np.empty(0))


def build_authorities(
    boroughs: list[DemoBorough], others: list[OtherAuthority], rng: np.random.Generator
) -> list[Authority]:
    """Every authority with a postcode pool: boroughs first (same order), then the others."""
    authorities = [
        Authority(i, b.name, b.code, b.easting, b.northing, b.radius_km, b.postcode_area,
                  b.districts, True)
        for i, b in enumerate(boroughs)
    ]  # fmt: skip
    authorities += [
        Authority(len(boroughs) + k, o.name, o.code, o.easting, o.northing, o.radius_km,
                  o.postcode_area, o.districts, False, o.far)
        for k, o in enumerate(others)
    ]  # fmt: skip
    for authority in authorities:
        _fill_pool(authority, rng)
    return authorities


def _fill_pool(authority: Authority, rng: np.random.Generator, size: int = 3000) -> None:
    """Draw ``size`` distinct postcodes with grid references inside the authority."""
    n_districts = len(authority.districts)
    total = n_districts * 10 * _UNITS_PER_SECTOR
    picked = np.sort(rng.choice(total, size=min(size, total), replace=False))
    district = picked // (10 * _UNITS_PER_SECTOR)
    sector = (picked // _UNITS_PER_SECTOR) % 10
    unit = picked % _UNITS_PER_SECTOR
    outward = np.array([f"{authority.postcode_area}{d}" for d in authority.districts])[district]
    letters = UNIT_LETTERS[unit // len(UNIT_LETTERS)] + UNIT_LETTERS[unit % len(UNIT_LETTERS)]
    authority.pool_postcodes = (
        pd.Series(outward).str.cat(pd.Series(sector.astype(str)), sep=" ").str.cat(letters)
    ).to_numpy(dtype=object)
    # District centres spread over the authority; sectors and units jitter around them.
    radius = authority.radius_km * 1000
    angle = 2 * np.pi * (np.arange(n_districts) / n_districts) + rng.uniform(0, 2 * np.pi)
    spread = radius * np.where(np.arange(n_districts) == 0, 0.0, 0.6)
    centre_e = authority.easting + np.sin(angle) * spread
    centre_n = authority.northing + np.cos(angle) * spread
    sector_e = rng.normal(0, radius * 0.18, (n_districts, 10))
    sector_n = rng.normal(0, radius * 0.18, (n_districts, 10))
    east = centre_e[district] + sector_e[district, sector] + rng.normal(0, 250, len(picked))
    north = centre_n[district] + sector_n[district, sector] + rng.normal(0, 250, len(picked))
    authority.pool_east = east.round()
    authority.pool_north = north.round()


class PostcodeBook:
    """Postcodes in use, addressed by integer id; ``-1`` means no postcode.

    Ids are ``authority.index * POOL + position in the pool``, so a postcode's authority and
    grid reference are found without look-ups.
    """

    POOL = 3000

    def __init__(self, authorities: list[Authority]):
        self.authorities = authorities
        self.codes = np.array([a.code for a in authorities], dtype=object)
        self.postcodes = np.concatenate([a.pool_postcodes for a in authorities])
        self.east = np.concatenate([a.pool_east for a in authorities])
        self.north = np.concatenate([a.pool_north for a in authorities])
        self.used = np.zeros(len(self.postcodes), dtype=bool)
        self.extra: list[tuple[str, float, float, str]] = []

    def draw(self, rng: np.random.Generator, authority: np.ndarray) -> np.ndarray:
        """One random postcode id in each given authority."""
        authority = np.asarray(authority, dtype=np.int64)
        ids = authority * self.POOL + rng.integers(0, self.POOL, len(authority))
        self.used[ids] = True
        return ids

    def neighbour(self, ids: np.ndarray) -> np.ndarray:
        """The next postcode in the same authority's pool (to avoid a clash)."""
        ids = np.asarray(ids, dtype=np.int64)
        moved = ids // self.POOL * self.POOL + (ids % self.POOL + 1) % self.POOL
        self.used[moved] = True
        return moved

    def authority_of(self, ids: np.ndarray) -> np.ndarray:
        return np.where(ids >= 0, ids // self.POOL, -1)

    def text(self, ids: np.ndarray) -> np.ndarray:
        """Postcode strings ("" for -1)."""
        ids = np.asarray(ids)
        out = self.postcodes[np.where(ids >= 0, ids, 0)]
        return np.where(ids >= 0, out, "").astype(object)

    def miles(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Straight-line miles between postcode ids, DfE's way (reference §2.2)."""
        a, b = np.where(a >= 0, a, 0), np.where(b >= 0, b, 0)
        metres = np.hypot(self.east[a] - self.east[b], self.north[a] - self.north[b])
        return metres / 1000 / KM_PER_MILE

    def add_extra(self, postcode: str, east: float, north: float, code: str) -> None:
        """A postcode outside the pools (planted canaries)."""
        self.extra.append((postcode, east, north, code))

    def directory(self) -> pd.DataFrame:
        """``postcodes.csv``: every postcode used, in ONSPD columns, sorted."""
        ids = np.flatnonzero(self.used)
        frame = pd.DataFrame(
            {
                "pcd": self.postcodes[ids],
                "oseast1m": self.east[ids].astype(np.int64),
                "osnrth1m": self.north[ids].astype(np.int64),
                "oslaua": self.codes[ids // self.POOL],
            }
        )
        if self.extra:
            extra = pd.DataFrame(self.extra, columns=list(POSTCODE_COLUMNS))
            extra[["oseast1m", "osnrth1m"]] = extra[["oseast1m", "osnrth1m"]].astype(np.int64)
            frame = pd.concat([frame, extra], ignore_index=True)
        return frame.sort_values("pcd", kind="stable").reset_index(drop=True)


def centre_distances_km(authorities: list[Authority]) -> np.ndarray:
    """Matrix of centre-to-centre distances in km."""
    east = np.array([a.easting for a in authorities])
    north = np.array([a.northing for a in authorities])
    return np.hypot(east[:, None] - east[None, :], north[:, None] - north[None, :]) / 1000
