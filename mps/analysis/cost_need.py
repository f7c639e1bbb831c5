"""Is spend explained by need? Weekly cost against weighted need, per placement.

Each placement of the year (:func:`mps.analysis.spend.placements_in_year`) is given the
child's need from their needs assessments (:func:`attach_need`): the latest assessment
made on or before the placement's last day in the year, else the first one after it.
Then the log of the weekly cost is fitted on the weighted need score and the placement
category (statsmodels OLS, :func:`fit_cost_model`): the need coefficient says how much
dearer a placement of the same type is for each extra point of need, and the placements
whose cost is far from what their need and type predict are listed for internal review
(:func:`cost_review_list`: child-level, never published).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from mps import codes

NOT_ASSESSED = "not assessed"
#: Fewer placements than this (with a need score and a cost above 0) are not fitted.
MIN_PLACEMENTS_TO_FIT = 20


def attach_need(placements: pd.DataFrame, scored: pd.DataFrame, year: int) -> pd.DataFrame:
    """Add ``need_score``, ``need_band`` and ``assessment_date`` to each placement.

    ``scored`` is the output of :func:`mps.analysis.needs.score_assessments`. A placement
    whose child has no assessment gets NaN and the band ``not assessed``.
    """
    last_day = (placements["placement_end"] - pd.Timedelta(days=1)).fillna(codes.year_end(year))
    last_day = last_day.clip(upper=codes.year_end(year))
    left = placements.assign(
        _day=last_day.astype("datetime64[ns]").to_numpy(), _order=np.arange(len(placements))
    )
    left = left.astype({"la": "string", "CHILD": "string"}).sort_values("_day")
    right = scored[["la", "CHILD", "assessment_date", "need_score", "need_band"]]
    right = right.astype(
        {"la": "string", "CHILD": "string", "assessment_date": "datetime64[ns]"}
    ).sort_values("assessment_date")
    merged = {}
    for direction in ("backward", "forward"):
        merged[direction] = pd.merge_asof(
            left,
            right,
            left_on="_day",
            right_on="assessment_date",
            by=["la", "CHILD"],
            direction=direction,
        ).set_index("_order")
    result = merged["backward"]
    for column in ("assessment_date", "need_score", "need_band"):
        result[column] = result[column].fillna(merged["forward"][column])
    result["need_band"] = result["need_band"].fillna(NOT_ASSESSED).astype("string")
    return result.sort_index().drop(columns="_day").reset_index(drop=True)


@dataclass(frozen=True)
class CostModel:
    """log(weekly cost) = a + b x need score + (placement category effects), fitted by OLS.

    ``need_effect_pct`` is the percentage change in weekly cost for one more point of
    weighted need within the same category (100 x (e^b - 1)), with its 95% confidence
    interval; ``r_squared`` the share of the variation in log cost explained;
    ``fitted`` the placements used (child-level, internal) with ``predicted_cost``,
    ``cost_ratio`` (actual / predicted) and ``residual_sd`` units (``z``).
    """

    placements: int
    need_effect_pct: float
    need_effect_low: float
    need_effect_high: float
    need_p_value: float
    r_squared: float
    residual_sd: float
    categories: tuple[str, ...]
    fitted: pd.DataFrame


def fit_cost_model(placements: pd.DataFrame) -> CostModel | None:
    """Fit log weekly cost on need score and placement category (see :class:`CostModel`).

    Uses placements with a need score and a weekly cost above 0. Returns ``None`` with
    fewer than :data:`MIN_PLACEMENTS_TO_FIT` of them or no spread of need scores.
    """
    data = placements[placements["need_score"].notna() & (placements["weekly_cost"] > 0)].copy()
    if len(data) < MIN_PLACEMENTS_TO_FIT or data["need_score"].nunique() < 2:
        return None
    data["log_cost"] = np.log(data["weekly_cost"].astype("float64"))
    data["need_score"] = data["need_score"].astype("float64")
    data["placement_category"] = data["placement_category"].astype(str)
    categories = tuple(c for c in codes.CATEGORY_ORDER if c in set(data["placement_category"]))
    formula = "log_cost ~ need_score"
    if len(categories) > 1:
        formula += f" + C(placement_category, levels={list(categories)!r})"
    model = smf.ols(formula, data=data.reset_index(drop=True)).fit()
    coefficient = float(model.params["need_score"])
    low, high = (float(v) for v in model.conf_int().loc["need_score"])
    residual_sd = float(np.sqrt(model.scale))
    fitted = data.reset_index(drop=True)
    fitted["predicted_cost"] = np.exp(model.fittedvalues.to_numpy())
    fitted["cost_ratio"] = fitted["weekly_cost"] / fitted["predicted_cost"]
    fitted["z"] = model.resid.to_numpy() / residual_sd if residual_sd > 0 else 0.0
    return CostModel(
        placements=int(model.nobs),
        need_effect_pct=100 * (np.exp(coefficient) - 1),
        need_effect_low=100 * (np.exp(low) - 1),
        need_effect_high=100 * (np.exp(high) - 1),
        need_p_value=float(model.pvalues["need_score"]),
        r_squared=float(model.rsquared),
        residual_sd=residual_sd,
        categories=categories,
        fitted=fitted.drop(columns="log_cost"),
    )


REVIEW_COLUMNS = (
    "la",
    "CHILD",
    "placement_category",
    "provider_name",
    "URN",
    "contract_status",
    "need_score",
    "weekly_cost",
    "predicted_cost",
    "cost_ratio",
    "z",
)


def cost_review_list(model: CostModel, threshold_sd: float) -> pd.DataFrame:
    """Placements whose cost is more than ``threshold_sd`` residual standard deviations from
    what their need and category predict, dearest relative to prediction first.

    Child-level: for the placements team's internal review, never for publication.
    """
    fitted = model.fitted
    far = fitted[fitted["z"].abs() > threshold_sd]
    far = far.sort_values(["cost_ratio", "la", "CHILD"], ascending=[False, True, True])
    return far[list(REVIEW_COLUMNS)].reset_index(drop=True)


def cost_by_need_band(placements: pd.DataFrame) -> pd.DataFrame:
    """Placements and average weekly cost (spend / weeks) by category and need band.

    One row per category and band with placements, in category then band order.
    """
    placements = (
        placements if "need_band" in placements else placements.assign(need_band=NOT_ASSESSED)
    )
    grouped = placements.groupby(["placement_category", "need_band"], sort=True)
    result = pd.DataFrame(
        {
            "placements": grouped.size(),
            "weeks": grouped["weeks"].sum(),
            "spend": grouped["spend"].sum(),
        }
    )
    result["average"] = result["spend"] / result["weeks"]
    result = result.reset_index()
    category = result["placement_category"].map({c: i for i, c in enumerate(codes.CATEGORY_ORDER)})
    band = result["need_band"].map({"low": 0, "medium": 1, "high": 2, NOT_ASSESSED: 3})
    order = np.lexsort((band.to_numpy(), category.to_numpy()))
    return result.iloc[order].reset_index(drop=True)
