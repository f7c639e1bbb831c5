"""The market: contracts, key providers and their Ofsted ratings, the price of contracts.

Every function takes the placements of one year from
:func:`mps.analysis.spend.placements_in_year` (child-level, internal) and returns
aggregates. Contract analysis covers **bought placements** only (not the council's own
provision nor placements with parents): framework and block contracts are **on
contract**, spot purchases **off contract**.

"Like placements" are placements of the same category and need band (``need_band`` from
:func:`mps.analysis.cost_need.attach_need`; ``not assessed`` when the child has no needs
assessment), so a price difference is not just a difference of mix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mps import codes
from mps.data.layout import OFSTED_RATINGS

NOT_INSPECTED = "Registered, not yet rated"
NOT_ON_REGISTER = "Not on the Ofsted register"
NO_URN = "No URN recorded"
#: Rows of the ratings table, best first.
RATING_ORDER = (*OFSTED_RATINGS, NOT_INSPECTED, NOT_ON_REGISTER, NO_URN)
GOOD_OR_BETTER = ("Outstanding", "Good")
OTHER_PROVIDERS = "All other providers"


def _category_order(values: pd.Index) -> list[str]:
    return [c for c in codes.CATEGORY_ORDER if c in set(values)]


def contract_mix(placements: pd.DataFrame) -> pd.DataFrame:
    """Bought placements and their spend on and off contract, by placement category.

    One row per category with bought placements: ``on_contract`` and ``off_contract``
    placements and ``on_contract_spend``, ``off_contract_spend`` (pounds).
    """
    bought = placements[placements["bought"]]
    status = np.where(bought["on_contract"], "on_contract", "off_contract")
    sums = bought.groupby(["placement_category", status]).agg(
        placements=("CHILD", "size"), spend=("spend", "sum")
    )
    wide = sums.unstack(fill_value=0)
    result = pd.DataFrame(index=wide.index)
    for column in ("on_contract", "off_contract"):
        present = ("placements", column) in wide.columns
        result[column] = wide[("placements", column)] if present else 0
        result[f"{column}_spend"] = wide[("spend", column)] if present else 0.0
    result = result.reindex(_category_order(result.index))
    result = result.astype({"on_contract": "int64", "off_contract": "int64"})
    return result.rename_axis("placement_category").reset_index()


def _ratings(placements: pd.DataFrame, providers: pd.DataFrame | None) -> pd.Series:
    """The Ofsted rating row of each placement (see :data:`RATING_ORDER`)."""
    urn = placements["URN"].astype("string")
    if providers is None:
        return pd.Series(NOT_ON_REGISTER, index=placements.index).where(urn.notna(), NO_URN)
    register = providers.drop_duplicates("urn").set_index("urn")["ofsted_rating"]
    on_register = urn.isin(register.index)
    rating = urn.map(register).astype("string")
    rating = rating.where(rating.notna() | ~on_register, NOT_INSPECTED)
    rating = rating.where(on_register, NOT_ON_REGISTER)
    return rating.where(urn.notna(), NO_URN)


def provision_ratings(placements: pd.DataFrame, providers: pd.DataFrame | None) -> pd.DataFrame:
    """Placements (all, and bought) by the Ofsted rating of the provision (URN -> register).

    One row per :data:`RATING_ORDER` entry, zeros included: ``rating``, ``placements``,
    ``bought_placements``.
    """
    rating = _ratings(placements, providers)
    result = pd.DataFrame(
        {
            "placements": rating.value_counts(),
            "bought_placements": rating[placements["bought"].to_numpy()].value_counts(),
        }
    )
    result = result.reindex(list(RATING_ORDER)).fillna(0).astype("int64")
    return result.rename_axis("rating").reset_index()


def key_providers(
    placements: pd.DataFrame,
    providers: pd.DataFrame | None,
    top: int = 10,
    min_placements: int = 1,
) -> pd.DataFrame:
    """The ``top`` providers of bought placements by spend, then all other providers.

    Only providers with at least ``min_placements`` placements are named (give the
    disclosure threshold + 1, so a named provider's figures can be published); the others
    are in "All other providers". A provider is an organisation (the ``provider_name`` on
    the spend rows). Columns:
    ``provider``, ``placements``, ``spend``, ``ofsted_rating`` (the ratings of the settings
    of its placements, best first, e.g. "Outstanding / Good"; "Not on the Ofsted
    register" when none is found) and ``good_or_better`` (placements in provision rated
    Good or Outstanding). Ties in spend are broken by name, so the list is stable.
    """
    bought = placements[placements["bought"]].copy()
    bought["rating"] = _ratings(bought, providers)
    bought["good_or_better"] = bought["rating"].isin(GOOD_OR_BETTER)
    grouped = bought.groupby("provider_name", sort=True)
    table = pd.DataFrame(
        {
            "placements": grouped.size(),
            "spend": grouped["spend"].sum(),
            "good_or_better": grouped["good_or_better"].sum().astype("int64"),
        }
    )
    order = {rating: position for position, rating in enumerate(RATING_ORDER)}
    ratings = (
        bought[["provider_name", "rating"]]
        .drop_duplicates()
        .assign(position=lambda f: f["rating"].map(order))
        .sort_values(["provider_name", "position"])
    )
    registered = ratings[ratings["rating"].isin(OFSTED_RATINGS)]
    named = registered.groupby("provider_name")["rating"].agg(" / ".join)
    fallback = ratings.groupby("provider_name")["rating"].first()
    table["ofsted_rating"] = named.reindex(table.index).fillna(fallback)
    table = table.rename_axis("provider").reset_index()
    table = table.sort_values(["spend", "provider"], ascending=[False, True], kind="stable")
    eligible = table["placements"] >= min_placements
    leaders = table[eligible].head(top)
    rest = table.drop(index=leaders.index)
    if len(rest):
        other = pd.DataFrame(
            {
                "provider": [OTHER_PROVIDERS],
                "placements": [int(rest["placements"].sum())],
                "spend": [float(rest["spend"].sum())],
                "good_or_better": [int(rest["good_or_better"].sum())],
                "ofsted_rating": [f"{len(rest)} provider" + ("s" if len(rest) > 1 else "")],
            }
        )
        leaders = pd.concat([leaders, other], ignore_index=True)
    return leaders[["provider", "placements", "spend", "ofsted_rating", "good_or_better"]]


LIKE = ("placement_category", "need_band")
_BAND_ORDER = {"low": 0, "medium": 1, "high": 2, "not assessed": 3}


def _with_band(placements: pd.DataFrame) -> pd.DataFrame:
    if "need_band" in placements.columns:
        return placements
    return placements.assign(need_band="not assessed")


def _totals(placements: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return placements.groupby(keys, sort=True).agg(
        placements=("CHILD", "size"), weeks=("weeks", "sum"), spend=("spend", "sum")
    )


def _sort_like(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in category order, then need band order."""
    category = frame["placement_category"].map({c: i for i, c in enumerate(codes.CATEGORY_ORDER)})
    band = frame["need_band"].map(_BAND_ORDER)
    order = np.lexsort((band.to_numpy(), category.to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


def contract_price_effect(placements: pd.DataFrame) -> pd.DataFrame:
    """Average weekly price on contract and off contract for like placements, and the cost
    the contracts avoided at this year's volumes.

    One row per category and need band with bought placements of both kinds:
    ``on_contract`` and ``off_contract`` placements, ``on_contract_price`` and
    ``off_contract_price`` (spend / weeks: the price of a week), ``difference`` (off minus
    on, per week) and ``cost_avoided`` = difference x the on-contract placement weeks: what
    the on-contract placements would have cost more at spot prices (negative when the
    contracts cost more).
    """
    bought = _with_band(placements[placements["bought"]])
    keys = list(LIKE)
    on = _totals(bought[bought["on_contract"]], keys)
    off = _totals(bought[~bought["on_contract"]], keys)
    both = on.merge(off, left_index=True, right_index=True, suffixes=("_on", "_off"))
    result = pd.DataFrame(
        {
            "on_contract": both["placements_on"].astype("int64"),
            "off_contract": both["placements_off"].astype("int64"),
            "on_contract_price": both["spend_on"] / both["weeks_on"],
            "off_contract_price": both["spend_off"] / both["weeks_off"],
        },
        index=both.index,
    )
    result["difference"] = result["off_contract_price"] - result["on_contract_price"]
    result["cost_avoided"] = result["difference"] * both["weeks_on"]
    return _sort_like(result.reset_index())


def borough_cost_variance(placements: pd.DataFrame, min_placements: int) -> pd.DataFrame:
    """Average weekly cost of like placements in each borough, compared across boroughs.

    One row per category and need band: ``placements`` (all boroughs), ``average`` (pooled
    spend / weeks), ``boroughs_compared`` (boroughs with at least ``min_placements`` such
    placements: only their averages are compared, since an average of a few placements
    would disclose them), ``lowest`` and ``highest`` borough average, and ``ratio``
    (highest / lowest; NaN with fewer than two boroughs compared).
    """
    placements = _with_band(placements)
    keys = list(LIKE)
    pooled = _totals(placements, keys)
    pooled["average"] = pooled["spend"] / pooled["weeks"]
    per_borough = _totals(placements, [*keys, "la"])
    per_borough = per_borough[per_borough["placements"] >= min_placements]
    per_borough["average"] = per_borough["spend"] / per_borough["weeks"]
    spread = per_borough.groupby(level=keys)["average"].agg(["size", "min", "max"])
    result = pooled[["placements", "average"]].join(spread, how="left")
    result = result.rename(columns={"size": "boroughs_compared", "min": "lowest", "max": "highest"})
    result["boroughs_compared"] = result["boroughs_compared"].fillna(0).astype("int64")
    compared = result["boroughs_compared"] >= 2
    result[["lowest", "highest"]] = result[["lowest", "highest"]].where(compared, np.nan)
    result["ratio"] = (result["highest"] / result["lowest"]).where(compared)
    return _sort_like(result.reset_index())
