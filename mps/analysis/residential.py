"""The residential cohort: children living in children's homes at 31 March.

Who they are (age, category of need), how long they have been in the home and in care, how
far from home and where they live, who runs the home, and, with spend data, what the
placements cost a week. Each measure is set beside the same measure for all children
looked after, which is what makes a cohort stand out ("three in five children in homes
are aged 10 to 15, against two in five of all children looked after").

The cohort is the children whose placement at 31 March is in the MPS category
``childrens_home`` (PLACE K2, children's homes subject to the Children's Homes
Regulations, whoever runs them), as :func:`mps.analysis.children.looked_after_on` places
them (a child in a temporary placement counts in the home they came from). Durations run to
31 March from the placement's and the period of care's first day; a first day before the
returns loaded is a lower bound, counted in the longest band when even the bound reaches
it and as not known otherwise (:func:`mps.analysis.flows.duration_band`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mps import codes
from mps.analysis.children import _long_counts, _looked_after_on, _prepare
from mps.analysis.flows import duration_band
from mps.analysis.placements import (
    LOCALITY_ORDER,
    SECTOR_ORDER,
    placement_locality,
    provider_sector,
)
from mps.analysis.profile import CHARACTERISTICS

RESIDENTIAL_CATEGORY = codes.PlacementCategory.CHILDRENS_HOME.value

TIME_NOT_KNOWN = "Not known (began before the returns loaded)"
#: Time in the current placement at 31 March: (label, at least this many months).
TIME_IN_PLACEMENT_BANDS: tuple[tuple[str, int], ...] = (
    ("Under 6 months", 0),
    ("6 months to under 1 year", 6),
    ("1 year to under 2 years", 12),
    ("2 years or more", 24),
)
#: Time in care (the current period of care) at 31 March.
TIME_IN_CARE_BANDS: tuple[tuple[str, int], ...] = (
    ("Under 1 year", 0),
    ("1 year to under 2 years", 12),
    ("2 years to under 5 years", 24),
    ("5 years or more", 60),
)

#: The measures of :func:`residential_profile`, in order, with their groups.
MEASURES: dict[str, tuple[str, ...]] = {
    "age_band": CHARACTERISTICS["age_band"].groups,
    "category_of_need": CHARACTERISTICS["category_of_need"].groups,
    "time_in_placement": (*(label for label, _ in TIME_IN_PLACEMENT_BANDS), TIME_NOT_KNOWN),
    "time_in_care": (*(label for label, _ in TIME_IN_CARE_BANDS), TIME_NOT_KNOWN),
    "locality": LOCALITY_ORDER,
    "sector": SECTOR_ORDER,
}
MEASURE_LABELS = {
    "age_band": "Age",
    "category_of_need": "Category of need",
    "time_in_placement": "Time in the current placement",
    "time_in_care": "Time in care",
    "locality": "Distance from home",
    "sector": "Who provides the placement",
}


def _measures(cla: pd.DataFrame, year: int) -> pd.DataFrame:
    """Each child's group for every measure of :data:`MEASURES`."""
    end = pd.Timestamp(codes.year_end(year))
    return pd.DataFrame(
        {
            "age_band": CHARACTERISTICS["age_band"].group_of(cla).to_numpy(),
            "category_of_need": CHARACTERISTICS["category_of_need"].group_of(cla).to_numpy(),
            "time_in_placement": duration_band(
                cla["placement_start"],
                end,
                cla["placement_start_known"],
                TIME_IN_PLACEMENT_BANDS,
                TIME_NOT_KNOWN,
            ).to_numpy(),
            "time_in_care": duration_band(
                cla["period_start"],
                end,
                cla["period_start_known"],
                TIME_IN_CARE_BANDS,
                TIME_NOT_KNOWN,
            ).to_numpy(),
            "locality": placement_locality(cla).to_numpy(),
            "sector": provider_sector(cla).to_numpy(),
        },
        index=cla.index,
    ).astype("string")


def residential_cohort(episodes: pd.DataFrame, year: int) -> pd.DataFrame:
    """The children in children's homes at 31 March of ``year`` (internal: child-level).

    The columns of :func:`mps.analysis.children.looked_after_on` for these children, with
    their group for each measure of :data:`MEASURES` (age_band is replaced by its published
    label) and days_in_placement and days_in_care to 31 March (lower bounds when the start
    is not known). Sorted by la and CHILD.
    """
    prepared = _prepare(episodes)
    cla = _looked_after_on(prepared, codes.year_end(year))
    cohort = cla.loc[cla["placement_category"].eq(RESIDENTIAL_CATEGORY).to_numpy(dtype=bool)]
    cohort = cohort.reset_index(drop=True)
    measures = _measures(cohort, year)
    out = cohort.drop(columns=["age_band"]).join(measures)
    end = pd.Timestamp(codes.year_end(year))
    out["days_in_placement"] = (end - out["placement_start"]).dt.days.astype("Int64")
    out["days_in_care"] = (end - out["period_start"]).dt.days.astype("Int64")
    return out


def residential_profile(episodes: pd.DataFrame, year: int) -> pd.DataFrame:
    """Children in children's homes at 31 March beside all children looked after.

    Long table: measure (a key of :data:`MEASURES`, in order), group (its groups in order,
    zeros included), childrens_home (children in the cohort) and all_children (all
    children looked after at 31 March). Each measure's groups add up to the cohort and to
    all children.
    """
    prepared = _prepare(episodes)
    cla = _looked_after_on(prepared, codes.year_end(year))
    measures = _measures(cla, year)
    in_home = cla["placement_category"].eq(RESIDENTIAL_CATEGORY).to_numpy(dtype=bool)
    parts = []
    for measure, groups in MEASURES.items():
        cohort = _long_counts({year: measures.loc[in_home, measure].value_counts()}, "group",
                              groups, value="childrens_home")  # fmt: skip
        everyone = _long_counts({year: measures[measure].value_counts()}, "group", groups,
                                value="all_children")  # fmt: skip
        part = cohort.drop(columns="year").assign(all_children=everyone["all_children"])
        part.insert(0, "measure", pd.Series(measure, index=part.index, dtype="string"))
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def residential_costs(cohort: pd.DataFrame, spend: pd.DataFrame | None, year: int) -> pd.DataFrame:
    """What the children's home placements of the cohort cost a week at 31 March.

    ``cohort`` is :func:`residential_cohort`; ``spend`` the child-level spend of
    :func:`mps.data.spend.read_spend` pooled with an ``la`` column (as
    :class:`mps.area.AreaData` holds it), or None when no borough supplied it. A child is
    costed by their children's home spend row covering 31 March (the latest starting, if
    several). One row: children (in the cohort), costed (with a cost), weekly_total,
    weekly_average, lower_quartile, median and upper_quartile of the weekly costs (pounds;
    NaN when none is costed). The hook for the residential deep dive's cost part.
    """
    children_in_homes = len(cohort)
    costs = pd.Series(dtype="float64")
    if spend is not None and len(spend) and children_in_homes:
        day = pd.Timestamp(codes.year_end(year))
        covering = spend.loc[
            spend["placement_category"].eq(RESIDENTIAL_CATEGORY).fillna(False).to_numpy(dtype=bool)
            & (spend["placement_start"] <= day).to_numpy(dtype=bool)
            & (spend["placement_end"].isna() | (spend["placement_end"] >= day)).to_numpy(dtype=bool)
        ]
        spend_la = (
            covering["la"] if "la" in covering.columns else pd.Series("", index=covering.index)
        )
        rows = pd.DataFrame(
            {
                "la": spend_la.astype("string").to_numpy(),
                "CHILD": covering["CHILD"].astype("string").to_numpy(),
                "placement_start": covering["placement_start"].to_numpy(),
                "weekly_cost": covering["weekly_cost"].astype("float64").to_numpy(),
            }
        ).sort_values(["la", "CHILD", "placement_start"], kind="stable")
        latest = rows.drop_duplicates(["la", "CHILD"], keep="last")
        matched = cohort[["la", "CHILD"]].astype("string").merge(latest, on=["la", "CHILD"])
        costs = matched["weekly_cost"].astype("float64")
    return pd.DataFrame(
        {
            "children": [children_in_homes],
            "costed": [len(costs)],
            "weekly_total": [float(costs.sum()) if len(costs) else np.nan],
            "weekly_average": [float(costs.mean()) if len(costs) else np.nan],
            "lower_quartile": [float(costs.quantile(0.25)) if len(costs) else np.nan],
            "median": [float(costs.median()) if len(costs) else np.nan],
            "upper_quartile": [float(costs.quantile(0.75)) if len(costs) else np.nan],
        }
    )
