"""The demo's supply inputs: in-house fostering and commissioned contracts.

Both follow the simulated placements, so supply and use agree as they would in a real
council:

* **In-house fostering** (``fostering.csv``): the places filled at each 31 March are the
  children then in in-house foster care, grouped as the fostering service approves its
  carers (mainstream carers by age range; specialist carers for teenagers with complex
  needs, disabled children, unaccompanied asylum-seeking children and sibling groups;
  plus parent and child, emergency, remand and short-break carers). Each row has some
  vacant places (occupancy 80-92%), households hold 1-2.2 places, and each year some
  households leave (about 12%) and others are approved to match the change.
* **Contracts** (``contracts.csv``): the independent providers the spend file shows on
  block contracts get block contracts sized to their placements at 31 March of the last
  year (plus a spare place now and then); the providers of framework placements are listed
  on the consortium's frameworks (IFA fostering, children's homes) and its supported
  accommodation DPS, with the places expected from them; prices are the providers' median
  weekly cost. Contract ends are spread over the forecast years, so the gap shows what a
  contract ending does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mps import codes
from mps.data import layout
from mps.data.layout import CONTRACT_COLUMNS, FOSTERING_COLUMNS
from mps.synthetic import calibration as cal
from mps.synthetic.history import BoroughHistory
from mps.synthetic.periods import DAYS_PER_YEAR, year_end_day
from mps.synthetic.shortbreaks import SHORT_BREAK
from mps.synthetic.writer import write_csv

#: The rows of the fostering file: (age_from, age_to, specialism, places per household).
_FOSTERING_ROWS = (
    (0, 4, "mainstream", 1.4),
    (5, 10, "mainstream", 1.6),
    (11, 17, "mainstream", 1.4),
    (0, 17, "sibling_groups", 2.3),
    (13, 17, "teenagers", 1.0),
    (0, 17, "disabled_children", 1.1),
    (14, 17, "uasc", 1.5),
    (0, 17, "parent_and_child", 1.0),
    (0, 17, "emergency", 1.3),
    (10, 17, "remand", 1.0),
    (0, 17, "short_breaks", 1.5),
)
#: Share of households leaving the service each year (retirement, moving on, adoption).
_DEREGISTRATION_RATE = 0.12
#: A child in in-house care with complexity above this (standard normal) and aged 13+ is
#: placed with the specialist teenage carers.
_COMPLEX = 0.8


def _row_of_children(history: BoroughHistory, rows: np.ndarray, day: int, rng) -> np.ndarray:
    """The fostering-file row (index into :data:`_FOSTERING_ROWS`) of each placement."""
    periods = history.periods
    period = history.placements.period[rows]
    age = (day - periods.dob[period]) / DAYS_PER_YEAR
    uasc = periods.uasc[period] & (age >= 14)
    disabled = periods.cin[period] == "N2"
    teenager = (age >= 13) & (periods.complexity[period] > _COMPLEX)
    # About one young child in eight lives with carers approved for sibling groups.
    siblings = (age < 11) & (rng.random(len(rows)) < 0.125)
    return np.select(
        [uasc, disabled, teenager, siblings, age < 5, age < 11],
        [6, 5, 4, 3, 0, 1],
        2,
    )


def fostering_frame(
    history: BoroughHistory, years: list[int], rng: np.random.Generator
) -> pd.DataFrame:
    """``fostering.csv``: in-house fostering households and places for each year."""
    p, periods = history.placements, history.periods
    in_house = (p.category == cal.INHOUSE) & (periods.pathway[p.period] != SHORT_BREAK)
    stock = max(1.0, history.borough.under18_2020 * history.borough.cla_rate / 10_000)
    n_rows = len(_FOSTERING_ROWS)
    filled = np.zeros((len(years), n_rows), dtype=np.int64)
    for y, year in enumerate(years):
        day = int(year_end_day(year))
        rows = np.flatnonzero(in_house & (p.start <= day) & (p.end > day))
        filled[y] = np.bincount(_row_of_children(history, rows, day, rng), minlength=n_rows)
    # Specialist carers the placements do not show: a few, partly filled.
    small = max(1, round(stock / 120))
    fixed = {7: small, 8: small + 1, 9: 1 if stock > 150 else 0, 10: 2 * small + 2}
    base_vacancy = rng.uniform(0.08, 0.2)
    records = []
    previous = None
    for y, year in enumerate(years):
        vacancy = np.clip(base_vacancy + rng.normal(0, 0.03, n_rows), 0.05, 0.35)
        places = np.ceil(filled[y] / (1 - vacancy)).astype(np.int64)
        for row, count in fixed.items():
            places[row] = count
            filled[y, row] = 0 if row == 10 else rng.binomial(count, 0.6)
        per_household = np.array([r[3] for r in _FOSTERING_ROWS])
        households = np.where(places > 0, np.ceil(places / per_household), 0).astype(np.int64)
        if previous is None:
            previous = np.maximum(0, households + rng.integers(-1, 2, n_rows))
        leaving = rng.binomial(previous, _DEREGISTRATION_RATE)
        approved = households - previous + leaving
        leaving = np.where(approved < 0, leaving - approved, leaving)
        approved = np.maximum(approved, 0)
        for row, (age_from, age_to, specialism, _) in enumerate(_FOSTERING_ROWS):
            if households[row] == 0 and previous[row] == 0:
                continue
            records.append(
                (
                    year,
                    age_from,
                    age_to,
                    specialism,
                    households[row],
                    places[row],
                    filled[y, row],
                    approved[row],
                    leaving[row],
                )
            )
        previous = households
    frame = pd.DataFrame(records, columns=list(FOSTERING_COLUMNS))
    return frame.astype(str)


def _spend_open_on(spend: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    start = pd.to_datetime(spend["placement_start"], format="%d/%m/%Y")
    end = pd.to_datetime(spend["placement_end"].replace("", None), format="%d/%m/%Y")
    open_now = (start <= day) & (end.isna() | (end > day))
    rows = spend.loc[open_now].copy()
    rows["cost"] = rows["weekly_cost"].astype(float)
    rows["category"] = codes.placement_category(rows["PLACE"], rows["PLACE_PROVIDER"])
    return rows


#: Frameworks and DPS of the demo consortium: category -> (id, type, start, end, ages).
_FRAMEWORKS = {
    "ifa_fostering": ("RPP-IFA-FW", "framework", "01/04/2022", "31/03/2027", ("", "")),
    "childrens_home": ("RPP-CH-FW", "framework", "01/04/2023", "31/03/2028", ("8", "17")),
    "supported_accommodation": ("RPP-SA-DPS", "dps", "01/10/2023", "", ("16", "17")),
}
#: Block contracts: category -> (start, end, ages, need profile).
_BLOCKS = {
    "ifa_fostering": ("01/04/2024", "31/03/2028", ("", ""), ""),
    "childrens_home": ("01/04/2023", "31/03/2028", ("11", "17"), "teenagers"),
    "supported_accommodation": ("01/07/2024", "30/06/2027", ("16", "17"), "sixteen_plus"),
}


def _price(costs: pd.Series) -> str:
    """The median weekly cost, to the nearest £5."""
    return f"{5 * round(float(costs.median()) / 5):.2f}"


def contracts_frame(
    spend: pd.DataFrame, years: list[int], slug: str, rng: np.random.Generator
) -> pd.DataFrame:
    """``contracts.csv``: block, framework and DPS contracts consistent with ``spend`` (the
    borough's ``spend.csv`` as written, text columns)."""
    day = codes.year_end(max(years))
    rows = _spend_open_on(spend, day)
    bought = rows[rows["PLACE_PROVIDER"].isin(["PR4", "PR5"])]
    records = []
    for (category, status), group in bought.groupby(["category", "contract_status"], sort=True):
        if status == "block" and category in _BLOCKS:
            start, end, (age_from, age_to), profile = _BLOCKS[category]
            for n, (provider, placements) in enumerate(group.groupby("provider_name", sort=True)):
                places = len(placements) + int(rng.random() < 0.3)
                records.append(
                    (
                        f"{slug.upper()[:3]}-BLK-{category[:3].upper()}-{n + 1:02d}",
                        provider,
                        placements["URN"].iloc[0],
                        "block",
                        category,
                        profile,
                        age_from,
                        age_to,
                        str(places),
                        _price(placements["cost"]),
                        start,
                        end,
                    )
                )
        elif status == "framework" and category in _FRAMEWORKS:
            contract, kind, start, end, (age_from, age_to) = _FRAMEWORKS[category]
            for provider, placements in group.groupby("provider_name", sort=True):
                # A DPS promises no places; a framework lists the places expected.
                places = "" if kind == "dps" else str(len(placements))
                records.append(
                    (
                        contract,
                        provider,
                        "",
                        kind,
                        category,
                        "",
                        age_from,
                        age_to,
                        places,
                        _price(placements["cost"]),
                        start,
                        end,
                    )
                )
    family_centres = rows[rows["PLACE"] == "R3"]
    if len(family_centres):
        records.append(
            (
                "RPP-PC-FW",
                "Parent and child assessment framework",
                "",
                "framework",
                "other",
                "parent_and_child",
                "",
                "",
                "",
                _price(family_centres["cost"]),
                "01/04/2023",
                "31/03/2027",
            )
        )
    frame = pd.DataFrame(records, columns=list(CONTRACT_COLUMNS))
    return frame.sort_values(["contract_id", "provider_name"], kind="stable").reset_index(drop=True)


def write_supply(
    root: Path,
    slug: str,
    history: BoroughHistory,
    spend: pd.DataFrame,
    years: list[int],
    rng: np.random.Generator,
) -> list[str]:
    """Write the borough's ``fostering.csv`` and ``contracts.csv``; their paths under ``root``."""
    folder = layout.borough_folder(root, slug)
    written = []
    for name, frame in (
        (layout.FOSTERING_FILE, fostering_frame(history, years, rng)),
        (layout.CONTRACTS_FILE, contracts_frame(spend, years, slug, rng)),
    ):
        write_csv(frame, folder / name)
        written.append(f"{slug}/{name}")
    return written
