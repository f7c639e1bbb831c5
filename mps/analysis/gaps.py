"""Sufficiency gaps: forecast demand set against the places the council has secured.

**Demand** is a frame of :data:`DEMAND_COLUMNS`: for each scenario (``baseline`` first)
and forecast year, the children expected to be looked after at 31 March by placement
category and age band, with the forecast's 80% and 95% intervals. Rows with age band
:data:`ALL_AGES` give a category's total with its own interval; without them a category's
interval is the sum of its age bands' bounds, which is wider than the true interval (it
assumes the bands move together), so the gap range shown is cautious.
:func:`demand_from_forecast` checks a forecast has this shape; without a forecast,
:func:`demand_held_constant` holds the children looked after now, with no interval.

**Supply** is :data:`mps.analysis.supply.SUPPLY_COLUMNS` (secured places by source,
category, need profile and approved age range, at 31 March of each year).

**The gap** is demand minus supply: above 0, more children are expected than the places
secured, and the rest must be found by spot purchase (or by a child living further from
home); below 0, secured places are expected to stand empty. Gaps are worked out for the
categories that are commissioned (:data:`GAP_CATEGORIES`); kinship care, placement with
parents and adoption are found child by child and have no places to count. In-house
fostering places are approved for age ranges, often wider than one DfE age band: for the
gap by age band a row's places are shared between the bands it covers in proportion to
the forecast demand in each (:func:`allocate_to_age_bands`).

**The cost of the gap** (:func:`gap_cost`) is what meeting a positive gap costs a year if
the extra placements are bought spot, at this year's average spot price, or through
commissioned capacity at the contracts' average price.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mps import codes

BASELINE = "baseline"
ALL_AGES = "All ages"
DEMAND_VALUES = ("forecast", "lower_80", "upper_80", "lower_95", "upper_95")
DEMAND_COLUMNS = ("scenario", "year", "placement_category", "age_band", *DEMAND_VALUES)
#: The categories with places to count: the ones a council provides or buys.
GAP_CATEGORIES = (
    "inhouse_fostering",
    "ifa_fostering",
    "childrens_home",
    "supported_accommodation",
    "secure",
)
#: A year of placement in weeks.
WEEKS_PER_YEAR = 365 / 7
#: Ages (inclusive) of each DfE age band, for sharing approved age ranges between bands.
AGE_BAND_AGES = {
    "under 1": (0, 0),
    "1-4": (1, 4),
    "5-9": (5, 9),
    "10-15": (10, 15),
    "16+": (16, 17),
}
GAP_VALUES = ("gap", "gap_lower_80", "gap_upper_80", "gap_lower_95", "gap_upper_95")
#: A shortfall of in-house foster carers is met by independent fostering: priced as it.
PRICED_AS = {"inhouse_fostering": "ifa_fostering"}
#: The categories whose gap is costed: secure welfare places are commissioned nationally,
#: not by councils, so a secure gap is shown but not costed.
COSTED_CATEGORIES = tuple(c for c in GAP_CATEGORIES if c != "secure")


# --- demand --------------------------------------------------------------------------------
def demand_held_constant(cla: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Demand when there is no forecast: the children looked after now (``cla``, from
    :func:`mps.analysis.children.looked_after_on`) by category and age band, the same in
    each of ``years``, baseline only, with no interval (NaN bounds)."""
    counts = (
        cla.groupby(["placement_category", "age_band"], observed=True).size().rename("forecast")
    )
    frames = []
    for year in years:
        frame = counts.reset_index().assign(scenario=BASELINE, year=int(year))
        frames.append(frame)
    demand = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for column in DEMAND_VALUES[1:]:
        demand[column] = np.nan
    return _ordered(demand.astype({"forecast": "float64"}))


#: The placement category of rows totalling every category (the stock-flow model's).
ALL_CATEGORIES = "all"


def demand_from_forecast(forecast: pd.DataFrame) -> pd.DataFrame:
    """Check a forecast frame has the demand shape (module docstring) and return it
    tidied: an absent ``scenario`` means the baseline, an absent ``age_band`` category
    totals (:data:`ALL_AGES`), absent bounds NaN; rows totalling all categories
    (:data:`ALL_CATEGORIES`) and other columns (e.g. ``sd``) are left out. Raises
    ValueError naming what is missing or wrong."""
    required = ("year", "placement_category", "forecast")
    missing = [c for c in required if c not in forecast.columns]
    if missing:
        raise ValueError(
            f"the forecast has no column {', '.join(missing)}: a demand forecast needs "
            f"{', '.join(DEMAND_COLUMNS)} (age_band and the bounds may be left out)"
        )
    demand = forecast[forecast["placement_category"] != ALL_CATEGORIES].copy()
    if "scenario" not in demand.columns:
        demand["scenario"] = BASELINE
    if "age_band" not in demand.columns:
        demand["age_band"] = ALL_AGES
    for column in DEMAND_VALUES[1:]:
        if column not in demand.columns:
            demand[column] = np.nan
    unknown = sorted(set(demand["placement_category"]) - set(codes.CATEGORY_ORDER))
    if unknown:
        raise ValueError(
            f"the forecast has placement categories {unknown}; expected those of "
            f"mps.codes.CATEGORY_ORDER: {', '.join(codes.CATEGORY_ORDER)}"
        )
    values = demand[list(DEMAND_VALUES)].apply(pd.to_numeric, errors="coerce")
    if values["forecast"].isna().any() or (values["forecast"] < 0).any():
        raise ValueError("the forecast column must hold numbers of 0 or more in every row")
    demand[list(DEMAND_VALUES)] = values.astype("float64")
    demand["year"] = demand["year"].astype("int64")
    return _ordered(demand)


def _ordered(demand: pd.DataFrame, keep: Sequence[str] = ()) -> pd.DataFrame:
    """Demand rows in scenario (baseline first), year, category and age band order, with
    the demand columns and those named in ``keep``."""
    named = list(dict.fromkeys(demand["scenario"]))
    scenarios = [BASELINE, *[n for n in named if n != BASELINE]]
    bands = [*codes.AGE_BAND_ORDER, ALL_AGES]
    keyed = demand.assign(
        _s=demand["scenario"].map({s: i for i, s in enumerate(scenarios)}),
        _c=demand["placement_category"].map({c: i for i, c in enumerate(codes.CATEGORY_ORDER)}),
        _a=demand["age_band"].map({b: i for i, b in enumerate(bands)}),
    )
    keyed = keyed.sort_values(["_s", "year", "_c", "_a"], kind="stable")
    return keyed[[*DEMAND_COLUMNS, *keep]].reset_index(drop=True)


def scenarios(demand: pd.DataFrame) -> list[str]:
    """The scenarios of a demand frame, baseline first."""
    names = list(dict.fromkeys(demand["scenario"]))
    return [BASELINE, *[n for n in names if n != BASELINE]] if BASELINE in names else names


def category_demand(demand: pd.DataFrame) -> pd.DataFrame:
    """Demand by scenario, year and category: the :data:`ALL_AGES` rows where a category
    has them, else the sum of its age bands (bounds summed: a cautious interval)."""
    keys = ["scenario", "year", "placement_category"]
    totals = demand[demand["age_band"] == ALL_AGES]
    bands = demand[demand["age_band"] != ALL_AGES]
    summed = bands.groupby(keys, as_index=False, sort=False)[list(DEMAND_VALUES)].sum(min_count=1)
    have_total = totals.set_index(keys).index
    summed = summed[~summed.set_index(keys).index.isin(have_total)]
    combined = pd.concat([totals.drop(columns="age_band"), summed], ignore_index=True)
    return _ordered(combined.assign(age_band=ALL_AGES)).drop(columns="age_band")


def total_demand(demand: pd.DataFrame) -> pd.DataFrame:
    """All children's demand by scenario and year (categories summed, bounds summed)."""
    by_category = category_demand(demand)
    return by_category.groupby(["scenario", "year"], as_index=False, sort=False)[
        list(DEMAND_VALUES)
    ].sum(min_count=1)


# --- supply against demand ---------------------------------------------------------------
def allocate_to_age_bands(supply: pd.DataFrame, demand: pd.DataFrame) -> pd.DataFrame:
    """Share each supply row's places between the DfE age bands its approved ages cover,
    in proportion to the baseline demand of its category in each band that year (by the
    number of ages covered when there is no demand in any of them).

    Returns ``year``, ``placement_category``, ``age_band``, ``places`` (floats; the bands of
    a row add up to its places).
    """
    bands = pd.DataFrame(
        [(band, low, high) for band, (low, high) in AGE_BAND_AGES.items()],
        columns=["age_band", "band_from", "band_to"],
    )
    rows = supply.reset_index(drop=True).assign(_row=lambda f: np.arange(len(f)))
    pairs = rows.merge(bands, how="cross")
    overlap_from = np.maximum(pairs["age_from"], pairs["band_from"])
    overlap_to = np.minimum(pairs["age_to"], pairs["band_to"])
    pairs["ages"] = (overlap_to - overlap_from + 1).clip(lower=0)
    pairs = pairs[pairs["ages"] > 0]
    baseline = demand[(demand["scenario"] == BASELINE) & (demand["age_band"] != ALL_AGES)]
    weights = baseline.groupby(["year", "placement_category", "age_band"])["forecast"].sum()
    pairs = pairs.merge(
        weights.rename("weight").reset_index(),
        on=["year", "placement_category", "age_band"],
        how="left",
    )
    pairs["weight"] = pairs["weight"].fillna(0.0)
    row_weight = pairs.groupby("_row")["weight"].transform("sum")
    row_ages = pairs.groupby("_row")["ages"].transform("sum")
    share = np.where(
        row_weight > 0,
        pairs["weight"] / row_weight.where(row_weight > 0, 1),
        pairs["ages"] / row_ages,
    )
    pairs["places"] = pairs["places"] * share
    out = pairs.groupby(["year", "placement_category", "age_band"], as_index=False)["places"].sum()
    return out


def _with_gap(frame: pd.DataFrame) -> pd.DataFrame:
    frame["gap"] = frame["forecast"] - frame["places"]
    for bound in ("lower_80", "upper_80", "lower_95", "upper_95"):
        frame[f"gap_{bound}"] = frame[bound] - frame["places"]
    return frame


def gap_by_category(demand: pd.DataFrame, supply: pd.DataFrame) -> pd.DataFrame:
    """The gap by scenario, forecast year and commissioned category.

    Columns: ``scenario``, ``year``, ``placement_category``, the demand columns,
    ``places`` (secured, 0 when none), ``gap`` (forecast - places) and the gap at each
    bound (``gap_lower_80`` ... ``gap_upper_95``).
    """
    by_category = category_demand(demand)
    by_category = by_category[by_category["placement_category"].isin(GAP_CATEGORIES)]
    places = supply.groupby(["year", "placement_category"])["places"].sum()
    merged = by_category.merge(
        places.rename("places").reset_index(), on=["year", "placement_category"], how="left"
    )
    merged["places"] = merged["places"].fillna(0.0)
    # Every commissioned category appears, even one with no children and no places.
    frame = _complete(merged, GAP_CATEGORIES)
    return _with_gap(frame)


def _complete(frame: pd.DataFrame, categories: Sequence[str]) -> pd.DataFrame:
    keys = frame[["scenario", "year"]].drop_duplicates()
    grid = keys.merge(pd.DataFrame({"placement_category": list(categories)}), how="cross")
    full = grid.merge(frame, on=["scenario", "year", "placement_category"], how="left")
    full["places"] = full["places"].fillna(0.0)
    full["forecast"] = full["forecast"].fillna(0.0)
    order = {c: i for i, c in enumerate(categories)}
    scenario_order = {s: i for i, s in enumerate(scenarios(frame))} if len(frame) else {}
    full = full.assign(
        _s=full["scenario"].map(scenario_order), _c=full["placement_category"].map(order)
    ).sort_values(["_s", "year", "_c"], kind="stable")
    return full.drop(columns=["_s", "_c"]).reset_index(drop=True)


def gap_by_age_band(demand: pd.DataFrame, supply: pd.DataFrame) -> pd.DataFrame:
    """The gap by scenario, year, commissioned category and DfE age band (supply shared
    between bands by :func:`allocate_to_age_bands`). Columns as :func:`gap_by_category`
    plus ``age_band``. Needs demand by age band (not only :data:`ALL_AGES` rows)."""
    in_scope = demand["placement_category"].isin(GAP_CATEGORIES)
    bands = demand[(demand["age_band"] != ALL_AGES) & in_scope]
    columns = [
        "scenario",
        "year",
        "placement_category",
        "age_band",
        *DEMAND_VALUES,
        "places",
        *GAP_VALUES,
    ]
    if bands.empty:
        return pd.DataFrame(columns=columns)
    commissioned = supply[supply["placement_category"].isin(GAP_CATEGORIES)]
    places = allocate_to_age_bands(commissioned, demand)
    keys = ["year", "placement_category", "age_band"]
    # Every band with demand or places, in every scenario (places with no demand: a gap < 0).
    combos = pd.concat([bands[keys], places[keys]]).drop_duplicates()
    grid = pd.DataFrame({"scenario": scenarios(bands)}).merge(combos, how="cross")
    merged = grid.merge(bands, on=["scenario", *keys], how="left").merge(
        places, on=keys, how="left"
    )
    merged["forecast"] = merged["forecast"].fillna(0.0)
    merged["places"] = merged["places"].fillna(0.0)
    return _with_gap(_ordered(merged, keep=("places",)))[columns]


def gap_by_profile(profile_demand: pd.DataFrame, supply: pd.DataFrame) -> pd.DataFrame:
    """The gap for each measured need profile: demand from
    :func:`mps.analysis.need_profiles.profile_demand`, supply the secured places whose need
    profile (fostering specialism or contract lot) is that profile. Columns: ``need_profile``,
    ``scenario``, ``year``, ``children_now``, the demand columns, ``places`` and the gaps."""
    places = (
        supply.dropna(subset=["need_profile"]).groupby(["year", "need_profile"])["places"].sum()
    )
    merged = profile_demand.merge(
        places.rename("places").reset_index(), on=["year", "need_profile"], how="left"
    )
    merged["places"] = merged["places"].fillna(0.0)
    return _with_gap(merged)


# --- the cost of the gap ---------------------------------------------------------------------
def gap_prices(
    placements: pd.DataFrame | None, contracts: pd.DataFrame | None, day: pd.Timestamp
) -> pd.DataFrame:
    """Weekly prices to cost a gap with, by commissioned category.

    ``placements`` are one year's placements (:func:`mps.analysis.spend.placements_in_year`)
    or None; ``contracts`` the typed contracts or None. Columns: ``placement_category``,
    ``spot_placements`` (that year's bought placements bought spot), ``spot_price`` (their
    spend / weeks), ``contract_price`` (the weekly price of the contracts running on ``day``,
    weighted by their places; the on-contract average of the spend when no contract of the
    category runs) and ``contract_price_from`` (``contracts``, ``spend`` or NA). A category of
    :data:`PRICED_AS` takes the prices (and spot count) of the category it is priced as, and
    ``contract_price_from`` says so (e.g. ``as ifa_fostering``).
    """
    result = pd.DataFrame(index=pd.Index(list(GAP_CATEGORIES), name="placement_category"))
    result["spot_placements"] = 0
    result["spot_price"] = np.nan
    result["contract_price"] = np.nan
    result["contract_price_from"] = pd.Series(pd.NA, index=result.index, dtype="string")
    if placements is not None and not placements.empty:
        bought = placements[placements["bought"]]
        spot = bought[bought["contract_status"] == "spot"]
        on = bought[bought["on_contract"]]
        grouped = spot.groupby("placement_category")
        result["spot_placements"] = grouped.size().reindex(result.index).fillna(0).astype("int64")
        result["spot_price"] = (grouped["spend"].sum() / grouped["weeks"].sum()).reindex(
            result.index
        )
        on_price = (
            on.groupby("placement_category")["spend"].sum()
            / on.groupby("placement_category")["weeks"].sum()
        ).reindex(result.index)
        result["contract_price"] = on_price
        result.loc[on_price.notna(), "contract_price_from"] = "spend"
    if contracts is not None and not contracts.empty:
        day = pd.Timestamp(day)
        running = contracts[
            (contracts["start_date"] <= day)
            & (contracts["end_date"].isna() | (contracts["end_date"] >= day))
        ]
        weight = running["places"].astype("float64").fillna(1.0).clip(lower=1.0)
        weighted = (running["weekly_price"] * weight).groupby(running["placement_category"]).sum()
        price = (weighted / weight.groupby(running["placement_category"]).sum()).reindex(
            result.index
        )
        result.loc[price.notna(), "contract_price"] = price[price.notna()]
        result.loc[price.notna(), "contract_price_from"] = "contracts"
    for category, source in PRICED_AS.items():
        columns = ["spot_placements", "spot_price", "contract_price"]
        result.loc[category, columns] = result.loc[source, columns].to_numpy()
        result.loc[category, "contract_price_from"] = f"as {source}"
    result["spot_placements"] = result["spot_placements"].astype("int64")
    return result.reset_index()


def gap_cost(gaps: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    """The yearly cost of meeting each positive gap (``gap`` of :func:`gap_by_category`) of
    the :data:`COSTED_CATEGORIES`: ``extra_placements`` (the gap, 0 when supply covers
    demand), ``spot_cost`` (extra x spot price x 52.14 weeks), ``contract_cost`` (at the
    contract price) and ``saving`` (spot minus contract: what commissioning the capacity
    would save a year). A cost with no price to work it out from is NaN."""
    costed = gaps[gaps["placement_category"].isin(COSTED_CATEGORIES)]
    merged = costed.merge(prices, on="placement_category", how="left")
    extra = merged["gap"].clip(lower=0)
    merged["extra_placements"] = extra
    merged["spot_cost"] = extra * merged["spot_price"] * WEEKS_PER_YEAR
    merged["contract_cost"] = extra * merged["contract_price"] * WEEKS_PER_YEAR
    # No extra placements cost nothing, whatever the (possibly unknown) price.
    merged.loc[extra == 0, ["spot_cost", "contract_cost"]] = 0.0
    merged["saving"] = merged["spot_cost"] - merged["contract_cost"]
    columns = [
        "scenario",
        "year",
        "placement_category",
        "gap",
        "extra_placements",
        "spot_price",
        "contract_price",
        "spot_cost",
        "contract_cost",
        "saving",
    ]
    return merged[columns]
