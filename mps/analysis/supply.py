"""Supply: the places the council has secured, and the registered provision around it.

Three sources of supply (all optional inputs, see :mod:`mps.data.supply`):

* **In-house fostering** (``fostering.csv``): households and places approved at 31 March
  by age range and specialism, places filled (occupancy), and each year's approvals and
  de-registrations. Short-break carers are shown but are not a home for a looked-after
  child, so they are never counted as places.
* **Commissioned capacity** (``contracts.csv``): block contracts reserve places;
  framework and DPS contracts state the places expected from them (blank: none promised,
  not counted). A contract counts on a date when it has started and not ended.
* **Council-run homes** (the Ofsted register, ``providers.csv``): children's homes,
  secure homes and supported accommodation run by the area's own councils (sector "Local
  Authority", in the council's area) where the area's children lived at 31 March (linked
  through the 903 URN); a council home none of them lived in is taken to be a short-break
  or another council's home and is not counted.

Ofsted-registered independent provision in and near the area is the market, not secured
supply: :func:`registered_provision` describes it, and :func:`provision_use` says how much
of it the area's children use and how much is left to other councils.

Functions take typed frames from :mod:`mps.data` (pooled over an area's boroughs, with an
``la`` column) and return aggregates.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mps import codes
from mps.data.layout import FOSTERING_SPECIALISMS, NEED_PROFILES

IN_HOUSE_FOSTERING = "In-house foster carers"
COUNCIL_HOMES = "Council-run homes"
BLOCK = "Block contracts"
FRAMEWORK = "Framework and DPS (places expected)"
#: Sources of secured places, in reporting order.
SOURCE_ORDER = (IN_HOUSE_FOSTERING, COUNCIL_HOMES, BLOCK, FRAMEWORK)
#: Fostering specialisms that are not a home for a looked-after child.
NOT_A_HOME = ("short_breaks",)
#: Ofsted provision types that are homes for children looked after, by MPS category.
PROVISION_CATEGORY = {
    "Children's home": "childrens_home",
    "Secure children's home": "secure",
    "Supported accommodation": "supported_accommodation",
}
SUPPLY_COLUMNS = (
    "year",
    "source",
    "placement_category",
    "need_profile",
    "age_from",
    "age_to",
    "places",
)
MIN_AGE, MAX_AGE = 0, 17


def _empty_supply() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": pd.Series(dtype="int64"),
            "source": pd.Series(dtype="string"),
            "placement_category": pd.Series(dtype="string"),
            "need_profile": pd.Series(dtype="string"),
            "age_from": pd.Series(dtype="int64"),
            "age_to": pd.Series(dtype="int64"),
            "places": pd.Series(dtype="float64"),
        }
    )


def latest_fostering_year(fostering: pd.DataFrame, year: int) -> int | None:
    """The latest year of ``fostering`` up to ``year`` (None when there is none)."""
    years = fostering.loc[fostering["year"] <= year, "year"]
    return int(years.max()) if len(years) else None


def fostering_places(fostering: pd.DataFrame | None, year: int) -> pd.DataFrame:
    """In-house foster places at 31 March of the latest fostering year up to ``year``, by
    age range and need profile (the specialism, when it is one); short breaks left out.

    Columns of :data:`SUPPLY_COLUMNS`, ``year`` being the fostering year used.
    """
    if fostering is None or fostering.empty:
        return _empty_supply()
    latest = latest_fostering_year(fostering, year)
    if latest is None:
        return _empty_supply()
    rows = fostering[(fostering["year"] == latest) & ~fostering["specialism"].isin(NOT_A_HOME)]
    profile = rows["specialism"].where(rows["specialism"].isin(list(NEED_PROFILES)))
    frame = pd.DataFrame(
        {
            "year": latest,
            "source": IN_HOUSE_FOSTERING,
            "placement_category": codes.PlacementCategory.IN_HOUSE_FOSTERING.value,
            "need_profile": profile.astype("string"),
            "age_from": rows["age_from"].astype("int64"),
            "age_to": rows["age_to"].astype("int64"),
            "places": rows["places"].astype("float64"),
        }
    )
    return _grouped(frame)


def contract_places(contracts: pd.DataFrame | None, day: pd.Timestamp) -> pd.DataFrame:
    """Places of the contracts running on ``day`` (started, not ended): block contracts'
    reserved places and the places framework and DPS contracts expect; contracts that
    promise no places count none."""
    if contracts is None or contracts.empty:
        return _empty_supply()
    day = pd.Timestamp(day)
    running = (contracts["start_date"] <= day) & (
        contracts["end_date"].isna() | (contracts["end_date"] >= day)
    )
    rows = contracts[running & contracts["places"].notna()]
    frame = pd.DataFrame(
        {
            "year": day.year if day.month <= 3 else day.year + 1,
            "source": np.where(rows["contract_type"] == "block", BLOCK, FRAMEWORK),
            "placement_category": rows["placement_category"].astype("string"),
            "need_profile": rows["need_profile"].astype("string"),
            "age_from": rows["age_from"].astype("int64"),
            "age_to": rows["age_to"].astype("int64"),
            "places": rows["places"].astype("float64"),
        }
    )
    return _grouped(frame)


def _names(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip().str.lower()


def council_homes(
    providers: pd.DataFrame | None,
    placed_urns: Sequence[str],
    area_names: Sequence[str],
) -> pd.DataFrame:
    """The council-run homes of the area (module docstring): one row per home with
    ``urn``, ``placement_category`` and ``places``."""
    columns = ["urn", "placement_category", "places"]
    if providers is None or providers.empty:
        return pd.DataFrame(columns=columns)
    category = providers["provision_type"].map(PROVISION_CATEGORY)
    ours = (
        category.notna()
        & providers["sector"].astype("string").str.lower().eq("local authority").fillna(False)
        & _names(providers["local_authority"]).isin([n.lower() for n in area_names]).fillna(False)
        & providers["urn"].isin(list(placed_urns)).fillna(False)
        & providers["places"].notna()
    )
    homes = providers.loc[ours, ["urn"]].assign(
        placement_category=category[ours].astype("string"),
        places=providers.loc[ours, "places"].astype("float64"),
    )
    return homes.sort_values("urn").reset_index(drop=True)


def council_home_places(homes: pd.DataFrame) -> pd.DataFrame:
    """:func:`council_homes` as supply rows (ages 0-17, no need profile), year 0."""
    if homes.empty:
        return _empty_supply()
    frame = pd.DataFrame(
        {
            "year": 0,
            "source": COUNCIL_HOMES,
            "placement_category": homes["placement_category"].astype("string"),
            "need_profile": pd.Series(pd.NA, index=homes.index, dtype="string"),
            "age_from": MIN_AGE,
            "age_to": MAX_AGE,
            "places": homes["places"],
        }
    )
    return _grouped(frame)


def _grouped(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["year", "source", "placement_category", "need_profile", "age_from", "age_to"]
    out = frame.groupby(keys, dropna=False, sort=True, as_index=False)["places"].sum()
    return out[list(SUPPLY_COLUMNS)].astype({"year": "int64", "places": "float64"})


def supply_by_year(
    years: Sequence[int],
    *,
    reporting_year: int,
    fostering: pd.DataFrame | None = None,
    contracts: pd.DataFrame | None = None,
    homes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Secured places at 31 March of each of ``years`` (:data:`SUPPLY_COLUMNS`).

    In-house foster places and council-run homes are held at their level in
    ``reporting_year`` (nothing says how they will change); contracts count in a year when
    they run on its 31 March, so a contract ending shows as places lost.
    """
    held = pd.concat(
        [
            fostering_places(fostering, reporting_year),
            council_home_places(homes if homes is not None else pd.DataFrame()),
        ],
        ignore_index=True,
    )
    frames = []
    for year in years:
        frames.append(held.assign(year=int(year)))
        frames.append(contract_places(contracts, codes.year_end(int(year))))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return _empty_supply()
    return _grouped(pd.concat(frames, ignore_index=True))


# --- describing supply --------------------------------------------------------------------
def fostering_summary(fostering: pd.DataFrame) -> pd.DataFrame:
    """In-house fostering by year: ``households``, ``places``, ``places_filled``,
    ``occupancy`` (% of the places that are homes, short breaks left out, filled at 31
    March), ``households_approved``, ``households_deregistered`` and ``net_change``."""
    homes = fostering[~fostering["specialism"].isin(NOT_A_HOME)]
    counted = ["households", "places", "households_approved", "households_deregistered"]
    totals = fostering.groupby("year")[counted].sum()
    filled = homes.groupby("year")[["places", "places_filled"]].sum()
    totals["places_filled"] = filled["places_filled"].reindex(totals.index).fillna(0)
    home_places = filled["places"].reindex(totals.index).fillna(0)
    totals["occupancy"] = (
        100 * totals["places_filled"] / home_places.where(home_places > 0)
    ).round(1)
    totals["net_change"] = totals["households_approved"] - totals["households_deregistered"]
    totals = totals.astype(
        {c: "int64" for c in [*counted, "places_filled", "net_change"]}
    ).reset_index()
    columns = [
        "year",
        "households",
        "places",
        "places_filled",
        "occupancy",
        "households_approved",
        "households_deregistered",
        "net_change",
    ]
    return totals[columns].astype({"year": "int64"})


def fostering_by_specialism(fostering: pd.DataFrame, year: int) -> pd.DataFrame:
    """In-house fostering at 31 March of ``year`` by specialism and approved age range:
    ``specialism``, ``age_range`` (e.g. "0-4"), ``households``, ``places``,
    ``places_filled``; ordered as :data:`mps.data.layout.FOSTERING_SPECIALISMS`."""
    rows = fostering[fostering["year"] == year].copy()
    rows["age_range"] = rows["age_from"].astype(str) + "-" + rows["age_to"].astype(str)
    grouped = rows.groupby(["specialism", "age_from", "age_to", "age_range"], as_index=False)[
        ["households", "places", "places_filled"]
    ].sum()
    order = {s: i for i, s in enumerate(FOSTERING_SPECIALISMS)}
    grouped["order"] = grouped["specialism"].map(order)
    grouped = grouped.sort_values(["order", "age_from", "age_to"], kind="stable")
    columns = ["specialism", "age_range", "households", "places", "places_filled"]
    return grouped[columns].reset_index(drop=True)


def contract_summary(contracts: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Contracts running on ``day`` by placement category and contract type: ``contracts``
    (distinct contract ids), ``providers``, ``places`` (NaN when none are stated),
    ``average_price`` (weekly, weighted by places where stated), ``next_end`` (the earliest
    end date, NaT when all are open-ended)."""
    day = pd.Timestamp(day)
    running = contracts[
        (contracts["start_date"] <= day)
        & (contracts["end_date"].isna() | (contracts["end_date"] >= day))
    ].copy()
    running["weight"] = (
        running["places"].astype("float64").fillna(1.0).where(running["places"].fillna(1) > 0, 1.0)
    )
    running["weighted_price"] = running["weekly_price"] * running["weight"]
    grouped = running.groupby(["placement_category", "contract_type"], sort=False)
    result = pd.DataFrame(
        {
            "contracts": grouped["contract_id"].nunique(),
            "providers": grouped["provider_name"].nunique(),
            "places": grouped["places"].sum(min_count=1).astype("float64"),
            "average_price": grouped["weighted_price"].sum() / grouped["weight"].sum(),
            "next_end": grouped["end_date"].min(),
        }
    ).reset_index()
    category_order = {c: i for i, c in enumerate(codes.CATEGORY_ORDER)}
    type_order = {"block": 0, "framework": 1, "dps": 2}
    result = result.assign(
        _c=result["placement_category"].map(category_order),
        _t=result["contract_type"].map(type_order),
    ).sort_values(["_c", "_t"], kind="stable")
    return result.drop(columns=["_c", "_t"]).reset_index(drop=True)


def contracts_ending(
    contracts: pd.DataFrame, day: pd.Timestamp, years: Sequence[int]
) -> pd.DataFrame:
    """Places of contracts running on ``day`` that end by 31 March of each of ``years``:
    ``year``, ``placement_category``, ``places_ending`` (cumulative)."""
    day = pd.Timestamp(day)
    running = contracts[
        (contracts["start_date"] <= day)
        & (contracts["end_date"].isna() | (contracts["end_date"] >= day))
        & contracts["places"].notna()
    ]
    frames = []
    for year in years:
        ended = running[running["end_date"] < codes.year_end(int(year))]
        sums = ended.groupby("placement_category")["places"].sum()
        frames.append(
            pd.DataFrame(
                {"year": int(year), "placement_category": sums.index, "places_ending": sums.values}
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def spot_purchases(placements: pd.DataFrame) -> pd.DataFrame:
    """Spot purchases among the bought placements of one year
    (:func:`mps.analysis.spend.placements_in_year`), by placement category:
    ``spot_placements``, ``bought_placements``, ``spot_spend`` and ``spot_price`` (spend /
    weeks: the average weekly price of a spot placement)."""
    bought = placements[placements["bought"]]
    spot = bought[bought["contract_status"] == "spot"]
    result = pd.DataFrame(
        {
            "spot_placements": spot.groupby("placement_category").size(),
            "bought_placements": bought.groupby("placement_category").size(),
            "spot_spend": spot.groupby("placement_category")["spend"].sum(),
            "spot_weeks": spot.groupby("placement_category")["weeks"].sum(),
        }
    )
    result = result.reindex([c for c in codes.CATEGORY_ORDER if c in result.index])
    result[["spot_placements", "bought_placements"]] = (
        result[["spot_placements", "bought_placements"]].fillna(0).astype("int64")
    )
    result["spot_spend"] = result["spot_spend"].fillna(0.0)
    result["spot_price"] = result["spot_spend"] / result["spot_weeks"].where(
        result["spot_weeks"] > 0
    )
    return result.drop(columns="spot_weeks").rename_axis("placement_category").reset_index()


# --- registered provision -----------------------------------------------------------------
IN_AREA = "In the area"
NEAR_AREA = "Near the area"
ELSEWHERE = "Further away"
LOCATION_ORDER = (IN_AREA, NEAR_AREA, ELSEWHERE)


def registered_provision(
    providers: pd.DataFrame,
    area_names: Sequence[str],
    near_names: Sequence[str] = (),
) -> pd.DataFrame:
    """Ofsted-registered children's homes, secure homes and supported accommodation in the
    area (local authority one of ``area_names``) and near it (one of ``near_names``), by
    category, location, sector and rating: ``placement_category``, ``location``,
    ``sector``, ``ofsted_rating`` (NA: not yet rated), ``providers``, ``places``."""
    category = providers["provision_type"].map(PROVISION_CATEGORY)
    authority = _names(providers["local_authority"])
    location = np.select(
        [
            authority.isin([n.lower() for n in area_names]).fillna(False).to_numpy(),
            authority.isin([n.lower() for n in near_names]).fillna(False).to_numpy(),
        ],
        [IN_AREA, NEAR_AREA],
        default=ELSEWHERE,
    )
    rows = providers.assign(placement_category=category, location=location)
    rows = rows[rows["placement_category"].notna() & (rows["location"] != ELSEWHERE)]
    grouped = rows.groupby(
        ["placement_category", "location", "sector", "ofsted_rating"], dropna=False
    ).agg(providers=("urn", "size"), places=("places", "sum"))
    return grouped.reset_index()


def providers_in_area(
    providers: pd.DataFrame, area_names: Sequence[str], top: int = 10
) -> pd.DataFrame:
    """The organisations running registered children's homes, secure homes and supported
    accommodation in the area, most places first (ties by name): ``owner``, ``sector``,
    ``settings`` (registered homes or services), ``places``, ``good_or_better`` (places
    rated Good or Outstanding) and ``not_rated`` (places not yet rated); the rest in one
    "All other providers" row. Ofsted publishes all of it."""
    category = providers["provision_type"].map(PROVISION_CATEGORY)
    in_area = _names(providers["local_authority"]).isin([n.lower() for n in area_names])
    local = providers[category.notna() & in_area.fillna(False)].copy()
    local["owner"] = local["owner"].fillna("Not recorded")
    local["places"] = local["places"].fillna(0).astype("int64")
    rating = local["ofsted_rating"].astype("string")
    local["good"] = np.where(rating.isin(["Outstanding", "Good"]).fillna(False), local["places"], 0)
    local["unrated"] = np.where(rating.isna(), local["places"], 0)
    grouped = local.groupby("owner", sort=True).agg(
        sector=("sector", "first"),
        settings=("urn", "size"),
        places=("places", "sum"),
        good_or_better=("good", "sum"),
        not_rated=("unrated", "sum"),
    )
    grouped = grouped.reset_index().sort_values(
        ["places", "owner"], ascending=[False, True], kind="stable"
    )
    leaders, rest = grouped.head(top), grouped.iloc[top:]
    if len(rest):
        other = {
            "owner": "All other providers",
            "sector": f"{len(rest)} providers",
            **{
                c: int(rest[c].sum()) for c in ("settings", "places", "good_or_better", "not_rated")
            },
        }
        leaders = pd.concat([leaders, pd.DataFrame([other])], ignore_index=True)
    return leaders.reset_index(drop=True)


def provision_use(
    providers: pd.DataFrame,
    cla: pd.DataFrame,
    area_names: Sequence[str],
    member_cla: pd.DataFrame | None = None,
    member_names: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Who lives in the registered children's homes, secure homes and supported
    accommodation in the area, at 31 March, by category (linked through the 903 URN).

    ``cla`` are the area's children looked after at 31 March (with ``URN`` and
    ``placement_category``); ``member_cla`` the other member councils' children (with an
    ``la`` column; ``member_names`` maps its slugs to names), when they are known. Columns:
    ``placement_category``, ``places`` (registered places in the area), ``our_children``
    (the area's children placed in them), ``member_children`` (other member councils'
    children placed in them; NA when unknown), ``other_use`` (places left: used by
    councils outside the consortium, or vacant: the register does not say which) and
    ``our_children_elsewhere`` (the area's children in such provision outside the area).
    When ``our_children_elsewhere`` is above every place in the area not used by the area's
    children, the area places out more children than others could place in: an out-placer.
    """
    category = providers["provision_type"].map(PROVISION_CATEGORY)
    in_area = _names(providers["local_authority"]).isin([n.lower() for n in area_names])
    local = providers[category.notna() & in_area.fillna(False)]
    local_category = local.set_index("urn")["provision_type"].map(PROVISION_CATEGORY)
    registered = (
        providers[category.notna()].set_index("urn")["provision_type"].map(PROVISION_CATEGORY)
    )
    urn = cla["URN"].astype("string")
    ours_here = urn.isin(local_category.index).fillna(False)
    ours_registered = urn.isin(registered.index).fillna(False)
    result = pd.DataFrame(
        index=pd.Index(list(PROVISION_CATEGORY.values()), name="placement_category")
    )
    result["places"] = local.groupby(category[local.index])["places"].sum()
    result["our_children"] = urn[ours_here].map(local_category).value_counts()
    elsewhere = urn[ours_registered & ~ours_here].map(registered)
    result["our_children_elsewhere"] = elsewhere.value_counts()
    result = result.fillna(0)
    if member_cla is not None:
        member_urn = member_cla["URN"].astype("string")
        theirs = member_urn[member_urn.isin(local_category.index).fillna(False)]
        result["member_children"] = theirs.map(local_category).value_counts()
        result["member_children"] = result["member_children"].fillna(0)
    else:
        result["member_children"] = np.nan
    used_by_others = result["places"] - result["our_children"]
    result["other_use"] = (used_by_others - result["member_children"].fillna(0)).clip(lower=0)
    counts = ["places", "our_children", "our_children_elsewhere"]
    result[counts] = result[counts].astype("int64")
    columns = ["places", "our_children", "member_children", "other_use", "our_children_elsewhere"]
    return result[columns].reset_index()
