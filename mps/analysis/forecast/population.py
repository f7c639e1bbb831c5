"""Entry rates that follow the child population (reference §4.2).

The sector's model holds the number of children starting care constant. Here the entry
rate of each age band can instead grow or shrink with the ONS population of that age
(under 1: age 0; 1-4; 5-9; 10-15; 16+: ages 16 and 17): the entries in forecast year Y are
the reference period's, times the population of the band in mid-year Y-1 over its average
in the reference years' mid-years (year Y's rate is per the mid-year Y-1 population, as
DfE's rates are). The estimate is used where there is one, else the projection; a year
beyond the projections holds the last projected population, and says so. Unaccompanied
asylum-seeking children arrive from abroad and are not scaled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mps.analysis.forecast.states import BANDS, N_STATES, STATES

#: Ages (inclusive) of each DfE age band among children aged 0-17.
BAND_AGES = {"under 1": (0, 0), "1-4": (1, 4), "5-9": (5, 9), "10-15": (10, 15), "16+": (16, 17)}


@dataclass(frozen=True)
class EntryScale:
    """The multiplier of each state's entry rate in each forecast year, and its working."""

    scale: np.ndarray  # (horizon, S)
    population: pd.DataFrame  # year (collection), mid_year, band..., all_ages, kind
    held: list[int]  # forecast years with no population: the last one held

    @property
    def growth_pct(self) -> float:
        """Change in the 0-17 population from the reference years to the last forecast year."""
        rows = self.population
        reference = rows.loc[rows["kind"] == "reference", "all_ages"].mean()
        last = rows["all_ages"].iloc[-1]
        return float(100 * (last / reference - 1)) if reference else float("nan")


def _by_band(population: pd.DataFrame, la_codes: Sequence[str]) -> pd.DataFrame:
    """Population by mid-year and age band (estimate where there is one, else projection)."""
    rows = population.loc[population["la_code"].isin(list(la_codes))]
    band = pd.Series(pd.NA, index=rows.index, dtype="string")
    for name, (low, high) in BAND_AGES.items():
        band = band.mask(rows["age"].between(low, high), name)
    totals = rows.assign(band=band).groupby(["year", "band", "kind"])["population"].sum()
    wide = totals.unstack("kind")
    chosen = wide["estimate"] if "estimate" in wide else pd.Series(np.nan, index=wide.index)
    if "projection" in wide:
        chosen = chosen.fillna(wide["projection"])
    return chosen.unstack("band").reindex(columns=list(BANDS))


def entry_scale(
    population: pd.DataFrame | None,
    la_codes: Sequence[str],
    reference_years: Sequence[int],
    forecast_years: Sequence[int],
) -> EntryScale | None:
    """The entry-rate multipliers of :class:`EntryScale`, or None without a population for
    the area's reference years."""
    if population is None or population.empty:
        return None
    by_band = _by_band(population, la_codes)
    reference_mid = [y - 1 for y in reference_years]
    if (
        not set(reference_mid) <= set(by_band.index)
        or by_band.loc[reference_mid].isna().all(axis=1).any()
    ):
        return None
    base = by_band.loc[reference_mid].mean()
    held = []
    rows = []
    last_known = int(by_band.dropna(how="all").index.max())
    for year in forecast_years:
        mid = year - 1
        if mid > last_known:
            held.append(int(year))
        rows.append(by_band.loc[min(mid, last_known)])
    future = pd.DataFrame(rows, index=list(forecast_years))
    # A band the population file does not cover is not scaled.
    ratio = (future / base).fillna(1.0).to_numpy(dtype=float)  # (horizon, bands)
    band_of_state = np.array([BANDS.index(b) for _, b in STATES])
    scale = ratio[:, band_of_state]
    assert scale.shape == (len(forecast_years), N_STATES)
    table = pd.concat(
        [
            by_band.loc[reference_mid].assign(kind="reference", year=list(reference_years)),
            future.assign(kind="forecast", year=list(forecast_years)),
        ]
    )
    table["all_ages"] = table[list(BANDS)].sum(axis=1)
    table["mid_year"] = table["year"] - 1
    table = table[["year", "mid_year", *BANDS, "all_ages", "kind"]].reset_index(drop=True)
    return EntryScale(scale=scale, population=table, held=held)


def population_0_17_by_year(
    population: pd.DataFrame | None, la_codes: Sequence[str], years: Sequence[int]
) -> pd.Series | None:
    """The 0-17 population behind each collection year's rate (mid-year Y-1), by year."""
    if population is None or population.empty:
        return None
    by_band = _by_band(population, la_codes).sum(axis=1, min_count=1)
    out = pd.Series({int(y): by_band.get(int(y) - 1, np.nan) for y in years}, dtype=float)
    return out if out.notna().any() else None
