"""Benchmarks from the Department for Education's published tables: England and a borough's
statistical neighbours, beside the area's own figures.

The input is one measure of DfE's explore-education-statistics table of children looked
after by local authority, as :func:`mps.data.dfe.read_published_table` reads it: the number
at 31 March with the population aged 0-17 DfE divided by (``population_estimate``). The
rows it gives have the columns of :func:`mps.analysis.flows.area_rates`, so they can be
added to the area's own rates in one comparison table.

* **England** is the national row.
* **Statistical neighbours** are pooled: their children are added up and divided by their
  added-up population (never an average of their rates, the rule this project keeps for
  consortium figures too). A year in which any neighbour has no published number or
  population (suppressed, or absent from the file) has no pooled figure: a figure from some
  of them would not be the neighbours' figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mps.data.dfe import LOCAL_AUTHORITY

ENGLAND = "England"
STATISTICAL_NEIGHBOURS = "Statistical neighbours"
NATIONAL = "National"

RATE_COLUMNS = ("area", "year", "children", "population", "rate_per_10000")


def _rate(children: float, population: float) -> float:
    if np.isnan(children) or np.isnan(population) or population <= 0:
        return float("nan")
    return round(children / population * 1e4, 1)


def missing_neighbours(published: pd.DataFrame, codes: Sequence[str]) -> list[str]:
    """The statistical neighbours' ONS codes with no local-authority row in the table."""
    present = set(
        published.loc[published["geographic_level"] == LOCAL_AUTHORITY, "new_la_code"].dropna()
    )
    return [code for code in codes if code not in present]


def benchmark_rates(
    published: pd.DataFrame,
    years: Sequence[int],
    statistical_neighbours: Sequence[str] = (),
    england: bool = True,
) -> pd.DataFrame:
    """Rates per 10,000 aged 0-17 of the statistical neighbours (pooled) and England.

    ``published`` is :func:`mps.data.dfe.read_published_table` of children looked after at
    31 March. Returns the columns of :data:`RATE_COLUMNS` (as
    :func:`mps.analysis.flows.area_rates`): the neighbours (when any are named), then
    England (when ``england``), each for every year of ``years``; children, population and
    rate (1 dp) are NaN where the table cannot give them (the year is not in it, a figure
    is suppressed, a neighbour is missing: see the module docstring).
    """
    ordered = sorted({int(y) for y in years})
    rows = []
    if statistical_neighbours:
        codes = list(dict.fromkeys(statistical_neighbours))
        las = published.loc[
            (published["geographic_level"] == LOCAL_AUTHORITY)
            & published["new_la_code"].isin(codes).fillna(False)
        ]
        for year in ordered:
            rows_of_year = las.loc[las["year"] == year]
            complete = (
                len(rows_of_year) == len(codes)
                and rows_of_year["number"].notna().all()
                and rows_of_year["population_estimate"].notna().all()
            )
            children = float(rows_of_year["number"].sum()) if complete else float("nan")
            population = (
                float(rows_of_year["population_estimate"].sum()) if complete else float("nan")
            )
            rows.append(
                (STATISTICAL_NEIGHBOURS, year, children, population, _rate(children, population))
            )
    if england:
        national = published.loc[
            published["geographic_level"].str.casefold() == NATIONAL.casefold()
        ].set_index("year")
        for year in ordered:
            children = (
                float(national.at[year, "number"]) if year in national.index else float("nan")
            )
            population = (
                float(national.at[year, "population_estimate"])
                if year in national.index
                else float("nan")
            )
            rows.append((ENGLAND, year, children, population, _rate(children, population)))
    out = pd.DataFrame(rows, columns=list(RATE_COLUMNS))
    return out.astype(
        {
            "area": "string",
            "year": "int64",
            "children": "float64",
            "population": "float64",
            "rate_per_10000": "float64",
        }
    )


def add_benchmarks(
    rates: pd.DataFrame,
    published: pd.DataFrame,
    years: Sequence[int],
    statistical_neighbours: Sequence[str] = (),
    england: bool = True,
) -> pd.DataFrame:
    """The area's own rates (:func:`mps.analysis.flows.area_rates`) followed by the
    benchmark rows of :func:`benchmark_rates`, in one frame for a comparison table."""
    extra = benchmark_rates(published, years, statistical_neighbours, england)
    own = rates.astype({"children": "float64", "population": "float64"})
    return pd.concat([own, extra], ignore_index=True)
