"""The fictional Ofsted register: every provider a demo placement uses, and more.

Each consortium borough has its own fostering service, children's homes and a short-break
home; boroughs share regional adoption agencies (groups of four, hosted by the first).
Independent children's homes (3.8 places on average, reference §3.12), fostering agencies,
supported accommodation providers, secure homes, voluntary adoption agencies, family
centres and residential special schools sit in the consortium and around it. URNs follow
Ofsted's formats: ``SC`` + 6 digits, or 7 digits for newer registrations (all supported
accommodation, registered from 2023). Ratings follow the 2023-24 inspections (11/75/11/3%).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mps.data.layout import OFSTED_RATINGS, PROVIDER_COLUMNS
from mps.synthetic.geography import Authority, PostcodeBook
from mps.synthetic.periods import day

#: Ofsted's provision types used here.
LA_FOSTERING = "Local authority fostering agency"
LA_ADOPTION = "Local authority adoption agency"
CHILDRENS_HOME = "Children's home"
SECURE_HOME = "Secure children's home"
IFA = "Independent fostering agency"
SUPPORTED = "Supported accommodation"
VAA = "Voluntary adoption agency"
FAMILY_CENTRE = "Residential family centre"
SPECIAL_SCHOOL = "Residential special school"

_GROUP_WORDS = (
    "Acorn", "Beacon", "Birchwood", "Brookside", "Cedar", "Compass", "Evergreen", "Harbour",
    "Heartwood", "Horizon", "Juniper", "Keystone", "Lighthouse", "Meadowbank", "Northstar",
    "Oakfield", "Orchard", "Pathways", "Riverside", "Rowan", "Silverbirch", "Skylark",
    "Springwell", "Stepping Stones", "Summit", "Thistle", "Waypoint", "Willowbrook",
)  # fmt: skip
_GROUP_SUFFIX = ("Care Ltd", "Care Group Ltd", "Children's Services Ltd", "Homes Ltd")
_CHARITY_SUFFIX = ("Trust", "Foundation", "Children's Charity")
_HOME_PLACES = {1: 5, 2: 15, 3: 24, 4: 30, 5: 12, 6: 8, 7: 3, 8: 3}  # mean 3.8
_RATING_SHARES = dict(zip(OFSTED_RATINGS, (11, 75, 11, 3), strict=True))


@dataclass
class Register:
    """Providers as parallel arrays; ``postcode`` is a PostcodeBook id (-1 when none)."""

    urn: np.ndarray
    kind: np.ndarray
    sector: np.ndarray
    authority: np.ndarray  # index into the authorities
    authority_name: np.ndarray
    places: np.ndarray
    organisation: np.ndarray
    rating: np.ndarray
    inspected: np.ndarray
    postcode: np.ndarray
    owner_borough: np.ndarray  # the consortium borough running it (-1 if independent)

    def of_kind(self, kind: str) -> np.ndarray:
        return np.flatnonzero(self.kind == kind)

    def frame(self) -> pd.DataFrame:
        """``providers.csv`` in Ofsted's column names (mps.data.layout.PROVIDER_COLUMNS)."""
        inspected = self.inspected.astype("datetime64[D]")
        date_text = pd.Series(inspected).dt.strftime("%d/%m/%Y").fillna("").to_numpy()
        values = [
            self.urn, self.kind, np.full(len(self.urn), "Active", dtype=object), self.sector,
            self.authority_name, self.places, self.organisation, self.rating,
            np.where(self.inspected >= 0, date_text, ""),
        ]  # fmt: skip
        frame = pd.DataFrame(dict(zip(PROVIDER_COLUMNS, values, strict=True)))
        return frame.sort_values("URN", kind="stable").reset_index(drop=True)


def _organisations(rng: np.random.Generator, count: int, charity: bool) -> np.ndarray:
    words = rng.permutation(len(_GROUP_WORDS))
    suffixes = _CHARITY_SUFFIX if charity else _GROUP_SUFFIX
    names = []
    for i in range(count):
        word = _GROUP_WORDS[words[i % len(words)]]
        repeat = "" if i < len(words) else f" {i // len(words) + 1}"
        names.append(f"{word}{repeat} {suffixes[i % len(suffixes)]}")
    return np.array(names, dtype=object)


def build_register(
    rng: np.random.Generator,
    authorities: list[Authority],
    stock_by_borough: np.ndarray,
    book: PostcodeBook,
) -> Register:
    """Providers for a consortium whose boroughs hold ``stock_by_borough`` children."""
    n_boroughs = len(stock_by_borough)
    total = float(stock_by_borough.sum())
    rows: list[dict] = []

    def add(kind, sector, authority, places, organisation, owner=-1, inspected=True, fixed=True):
        rows.append(dict(kind=kind, sector=sector, authority=authority, places=places,
                         organisation=organisation, owner=owner, inspected=inspected,
                         fixed=fixed))  # fmt: skip

    for b in range(n_boroughs):
        council = f"{authorities[b].name} Council"
        stock = stock_by_borough[b]
        add(LA_FOSTERING, "Local Authority", b, int(stock * 0.6), council, b, False, False)
        for _ in range(max(1, round(stock * 0.11 * 0.16 / 3.2))):
            add(CHILDRENS_HOME, "Local Authority", b, int(rng.integers(3, 7)), council, b)
        add(CHILDRENS_HOME, "Local Authority", b, int(rng.integers(4, 9)), council, b)  # breaks
        if b % 2 == 0:
            add(SUPPORTED, "Local Authority", b, int(rng.integers(8, 25)), council, b, False,
                False)  # fmt: skip
    for host in range(0, n_boroughs, 4):
        add(LA_ADOPTION, "Local Authority", host, int(rng.integers(20, 80)),
            f"{authorities[host].name} Council", host, False, False)  # fmt: skip

    # Independent children's homes, spread with more in some places (cheaper housing).
    n_homes = max(12, int(np.ceil(total * 0.11 * 0.84 / 2.2)))
    weight = np.array([1.0 if a.in_consortium else (2.2 if a.far else 1.3) for a in authorities])
    weight *= rng.lognormal(0, 0.5, len(authorities))
    home_la = rng.choice(len(authorities), size=n_homes, p=weight / weight.sum())
    big = _organisations(rng, 14, charity=False)
    charities = _organisations(rng, 6, charity=True)
    for la in home_la:
        sector = "Voluntary" if rng.random() < 0.06 else "Private"
        if sector == "Voluntary":
            owner = charities[rng.integers(len(charities))]
        elif rng.random() < 0.35:
            owner = big[rng.integers(len(big))]
        else:
            owner = f"{authorities[la].name.split()[0]} {_GROUP_WORDS[rng.integers(28)]} Homes Ltd"
        places = int(rng.choice(list(_HOME_PLACES), p=_normalised(_HOME_PLACES)))
        add(CHILDRENS_HOME, sector, int(la), places, owner)
    agencies = _organisations(rng, max(8, round(total * 0.25 / 60)), charity=False)
    for i, name in enumerate(agencies):
        voluntary = i % 5 == 4
        add(IFA, "Voluntary" if voluntary else "Private", int(rng.integers(len(authorities))),
            int(rng.integers(20, 400)), name.replace("Homes Ltd", "Fostering Ltd"),
            fixed=False)  # fmt: skip
    for name in _organisations(rng, max(6, round(total * 0.10 / 25)), charity=False):
        add(
            SUPPORTED,
            "Private" if rng.random() < 0.8 else "Voluntary",
            int(rng.integers(len(authorities))),
            int(rng.integers(10, 90)),
            name.replace("Homes", "Housing"),
            inspected=rng.random() < 0.25,
            fixed=False,
        )
    far = [a.index for a in authorities if a.far] or [a.index for a in authorities]
    for _ in range(max(2, round(total / 6000))):
        la = int(rng.choice(far))
        add(SECURE_HOME, "Local Authority", la, int(rng.integers(8, 25)),
            f"{authorities[la].name} Council")  # fmt: skip
    for name in _organisations(rng, max(2, n_boroughs // 40 + 2), charity=True):
        add(VAA, "Voluntary", int(rng.integers(len(authorities))), int(rng.integers(10, 60)),
            name.replace("Foundation", "Adoption"), fixed=False)  # fmt: skip
    for i in range(max(2, n_boroughs // 30 + 2)):
        add(
            FAMILY_CENTRE,
            "Private" if i % 2 else "Voluntary",
            int(rng.integers(len(authorities))),
            int(rng.integers(4, 12)),
            big[i % len(big)],
        )
    for i in range(max(3, n_boroughs // 20 + 3)):
        add(SPECIAL_SCHOOL, "Private" if i % 3 else "Voluntary",
            int(rng.integers(len(authorities))), int(rng.integers(10, 60)),
            charities[i % len(charities)])  # fmt: skip
    return _finish(rng, rows, authorities, book)


def _quota(rng: np.random.Generator, shares: dict[str, float], size: int) -> np.ndarray:
    """``size`` codes in the given shares as nearly as whole numbers allow, shuffled."""
    p = _normalised(shares)
    counts = np.floor(p * size).astype(int)
    remainder = p * size - counts
    counts[np.argsort(-remainder, kind="stable")[: size - counts.sum()]] += 1
    return rng.permutation(np.repeat(np.array(list(shares), dtype=object), counts))


def _normalised(shares: dict) -> np.ndarray:
    p = np.array(list(shares.values()), dtype=float)
    return p / p.sum()


def _finish(
    rng: np.random.Generator, rows: list[dict], authorities: list[Authority], book: PostcodeBook
) -> Register:
    frame = pd.DataFrame(rows)
    n = len(frame)
    kind = frame["kind"].to_numpy(dtype=object)
    newer = (kind == SUPPORTED) | ((kind == CHILDRENS_HOME) & (rng.random(n) < 0.3))
    social_care = rng.choice(np.arange(100_000, 1_000_000), size=n, replace=False)
    seven_digit = rng.choice(np.arange(2_000_000, 3_000_000), size=n, replace=False)
    urn = np.where(
        newer,
        seven_digit.astype(str).astype(object),
        np.char.add("SC", social_care.astype(str)).astype(object),
    )
    inspected = frame["inspected"].to_numpy(dtype=bool)
    rating = np.full(n, "", dtype=object)
    rating[np.flatnonzero(inspected)] = _quota(rng, _RATING_SHARES, int(inspected.sum()))
    date = rng.integers(day(2022, 4, 1), day(2025, 3, 31) + 1, n)
    authority = frame["authority"].to_numpy(dtype=np.int64)
    postcode = np.full(n, -1, dtype=np.int64)
    fixed = frame["fixed"].to_numpy(dtype=bool)
    postcode[fixed] = book.draw(rng, authority[fixed])
    return Register(
        urn=urn, kind=kind, sector=frame["sector"].to_numpy(dtype=object),
        authority=authority,
        authority_name=np.array([authorities[a].name for a in authority], dtype=object),
        places=frame["places"].to_numpy(dtype=np.int64),
        organisation=frame["organisation"].to_numpy(dtype=object), rating=rating,
        inspected=np.where(inspected, date, -1), postcode=postcode,
        owner_borough=frame["owner"].to_numpy(dtype=np.int64),
    )  # fmt: skip
