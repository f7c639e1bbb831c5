"""Children's needs from Valuing Care-style assessments: occurrence, scores, change.

An assessment rates each needs indicator (by default the 12 Valuing Care indicators in six
"Outcome Bee" domains) from 0 (no additional support) to 3 (significant support). From
the ratings:

* a child **has a need** on an indicator when it is rated at least
  ``occurrence_min_rating`` (default 1), and in a **domain** when any of the domain's
  indicators is a need;
* the **number of needs** is how many indicators are needs;
* the **weighted need score** is the sum of the ratings times their weights, the weights
  scaled to average 1 (so with the default equal weights it is simply the sum of the
  ratings: 0 to 36 for 12 indicators on a 0-3 scale);
* the **need band** is low, medium or high by the score (``need_band_edges``).

The cohort of the occurrence tables is the children looked after at any time during the
reporting year, each counted once at their latest assessment made on or before 31 March,
with the placement and age on the day of that assessment (from the 903 episodes). Frames
in, frames out; child-level results stay internal and are aggregated before publication.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mps import codes
from mps.config import NeedsSettings

NEED_BANDS = ("low", "medium", "high")
#: 903 legal statuses of short breaks: children looked after only for short breaks are not
#: in the cohort (DfE's rule).
SHORT_BREAK_LEGAL_STATUSES = ("V3", "V4")


@dataclass(frozen=True)
class NeedsFramework:
    """The indicators, their domains and weights, the rating scale and the need bands."""

    indicators: tuple[codes.NeedsIndicator, ...]
    weights: Mapping[str, float]
    rating_min: int
    rating_max: int
    occurrence_min_rating: int
    band_edges: tuple[float, float]

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None = None) -> NeedsFramework:
        """From the notebooks' settings (``settings["needs"]``); defaults when absent."""
        needs = NeedsSettings.model_validate(dict((settings or {}).get("needs") or {}))
        return cls(
            indicators=tuple(
                codes.NeedsIndicator(i.slug, i.label, i.domain) for i in needs.indicators
            ),
            weights=dict(needs.weights),
            rating_min=needs.rating_min,
            rating_max=needs.rating_max,
            occurrence_min_rating=needs.occurrence_min_rating,
            band_edges=(needs.need_band_edges[0], needs.need_band_edges[1]),
        )

    @property
    def slugs(self) -> list[str]:
        return [i.slug for i in self.indicators]

    @property
    def domains(self) -> list[str]:
        """Domains in the order their first indicator is listed."""
        return list(dict.fromkeys(i.domain for i in self.indicators))

    def domain_of(self) -> dict[str, str]:
        return {i.slug: i.domain for i in self.indicators}

    def scaled_weights(self) -> pd.Series:
        """Weights per indicator scaled to average 1 (indicators not named weigh 1)."""
        raw = pd.Series({s: float(self.weights.get(s, 1.0)) for s in self.slugs})
        return raw * len(raw) / raw.sum()


def _check_columns(needs: pd.DataFrame, framework: NeedsFramework) -> None:
    missing = [s for s in framework.slugs if s not in needs.columns]
    if missing:
        raise ValueError(
            f"needs assessments have no column for indicator(s) {', '.join(missing)}: the "
            "needs indicators in the parameters must be columns of needs.csv"
        )


def score_assessments(needs: pd.DataFrame, framework: NeedsFramework) -> pd.DataFrame:
    """Add ``need_score`` (weighted), ``needs_count``, ``need_band`` and one boolean column
    per domain (``domain:<name>``: a need in the domain) to each assessment."""
    _check_columns(needs, framework)
    ratings = needs[framework.slugs].astype("float64")
    scored = needs.copy()
    scored["need_score"] = ratings.mul(framework.scaled_weights(), axis=1).sum(axis=1).round(6)
    has_need = ratings >= framework.occurrence_min_rating
    scored["needs_count"] = has_need.sum(axis=1).astype("int64")
    scored["need_band"] = need_band(scored["need_score"], framework.band_edges)
    domain_of = framework.domain_of()
    for domain in framework.domains:
        members = [s for s in framework.slugs if domain_of[s] == domain]
        scored[f"domain:{domain}"] = has_need[members].any(axis=1)
    return scored


def need_band(scores: pd.Series, edges: Sequence[float]) -> pd.Series:
    """``low`` below the first edge, ``medium`` from it, ``high`` from the second."""
    bins = [-np.inf, float(edges[0]), float(edges[1]), np.inf]
    banded = pd.cut(scores, bins=bins, right=False, labels=list(NEED_BANDS))
    return banded.astype("string")


def _with_la(frame: pd.DataFrame) -> pd.DataFrame:
    return frame if "la" in frame.columns else frame.assign(la="")


def assessments_in_care(needs: pd.DataFrame, episodes: pd.DataFrame) -> pd.DataFrame:
    """Each assessment with the child's placement and age on the day it was made.

    Adds ``in_care`` (an episode of the child is open on the day: DECOM on or before it and
    DEC blank or after it), ``placement_category`` (of the latest placement that is not
    temporary started on or before the day; ``other`` when there is none; NA when not in
    care) and ``age`` (completed years, from the 903 date of birth; NA for a child not in
    the 903) and ``age_band`` (its DfE band). Children are matched on ``(la, CHILD)``.
    """
    needs = _with_la(needs)
    left = needs.assign(_order=np.arange(len(needs))).sort_values("assessment_date")
    episodes = _with_la(episodes)
    right = episodes[["la", "CHILD", "DECOM", "DEC", "DOB", "placement_category"]].dropna(
        subset=["DECOM"]
    )
    right = right.astype(
        {"la": "string", "CHILD": "string", "DECOM": "datetime64[ns]", "DEC": "datetime64[ns]"}
    ).sort_values("DECOM")
    left = left.astype({"la": "string", "CHILD": "string", "assessment_date": "datetime64[ns]"})
    any_episode = pd.merge_asof(
        left,
        right[["la", "CHILD", "DECOM", "DEC", "DOB"]],
        left_on="assessment_date",
        right_on="DECOM",
        by=["la", "CHILD"],
        direction="backward",
    )
    placed = right.dropna(subset=["placement_category"])
    category = pd.merge_asof(
        left[["la", "CHILD", "assessment_date"]],
        placed[["la", "CHILD", "DECOM", "placement_category"]],
        left_on="assessment_date",
        right_on="DECOM",
        by=["la", "CHILD"],
        direction="backward",
    )["placement_category"].to_numpy()
    in_care = any_episode["DECOM"].notna() & (
        any_episode["DEC"].isna() | (any_episode["DEC"] > any_episode["assessment_date"])
    )
    any_episode["in_care"] = in_care.astype(bool)
    any_episode["placement_category"] = pd.Series(category, dtype="string").where(
        in_care.to_numpy()
    )
    any_episode.loc[in_care & any_episode["placement_category"].isna(), "placement_category"] = (
        codes.PlacementCategory.OTHER.value
    )
    # The date of birth of any episode of the child (an assessment before care began too).
    dob = episodes[["la", "CHILD", "DOB"]].drop_duplicates(["la", "CHILD"])
    dob = dob.astype({"la": "string", "CHILD": "string"})
    any_episode = any_episode.drop(columns="DOB").merge(dob, on=["la", "CHILD"], how="left")
    any_episode["age"] = codes.age_in_years(any_episode["DOB"], any_episode["assessment_date"])
    any_episode["age_band"] = codes.age_band(any_episode["age"].astype("float64"))
    result = any_episode.sort_values("_order").drop(columns=["_order", "DECOM", "DEC", "DOB"])
    return result.reset_index(drop=True)


def looked_after_during(episodes: pd.DataFrame, year: int) -> pd.DataFrame:
    """``(la, CHILD)`` of children looked after at any time in collection ``year``,
    not counting short breaks (LS V3/V4)."""
    episodes = _with_la(episodes)
    start, end = codes.year_start(year), codes.year_end(year)
    open_in_year = (episodes["DECOM"] <= end) & (episodes["DEC"].isna() | (episodes["DEC"] > start))
    not_short_break = ~episodes["LS"].isin(SHORT_BREAK_LEGAL_STATUSES)
    children = episodes.loc[open_in_year & not_short_break, ["la", "CHILD"]]
    return children.drop_duplicates().astype("string").reset_index(drop=True)


def latest_assessments(scored: pd.DataFrame, episodes: pd.DataFrame, year: int) -> pd.DataFrame:
    """The cohort of the occurrence tables: each child looked after during ``year`` once, at
    their latest assessment made on or before 31 March of ``year`` (``scored`` is
    :func:`assessments_in_care` of :func:`score_assessments`)."""
    scored = _with_la(scored).astype({"la": "string", "CHILD": "string"})
    made = scored[scored["assessment_date"] <= codes.year_end(year)]
    cohort = looked_after_during(episodes, year)
    made = made.merge(cohort, on=["la", "CHILD"], how="inner")
    latest = made.sort_values(["la", "CHILD", "assessment_date"]).drop_duplicates(
        ["la", "CHILD"], keep="last"
    )
    return latest.reset_index(drop=True)


def needs_profile(latest: pd.DataFrame, framework: NeedsFramework, by: str) -> pd.DataFrame:
    """Per group of ``by`` (e.g. ``placement_category`` or ``age``): ``children_assessed``,
    children with a need in each domain (``domain:<name>``) and in each indicator
    (``<slug>``), ``average_needs`` (number of needs) and ``average_score``.

    Groups with no child are left out; rows are sorted by the group.
    """
    has_need = latest[framework.slugs].astype("float64") >= framework.occurrence_min_rating
    domains = [f"domain:{d}" for d in framework.domains]
    frame = pd.concat(
        [latest[[by, "need_score", "needs_count", *domains]], has_need], axis=1
    ).dropna(subset=[by])
    grouped = frame.groupby(by, sort=True)
    result = grouped[[*domains, *framework.slugs]].sum().astype("int64")
    result.insert(0, "children_assessed", grouped.size().astype("int64"))
    result["average_needs"] = grouped["needs_count"].mean()
    result["average_score"] = grouped["need_score"].mean()
    order = {"placement_category": codes.CATEGORY_ORDER, "age_band": codes.AGE_BAND_ORDER}
    if by in order:  # in the order the statement reports placements and ages
        result = result.reindex([c for c in order[by] if c in result.index])
    return result.reset_index()


def needs_change(scored: pd.DataFrame, framework: NeedsFramework, year: int) -> pd.DataFrame:
    """How needs changed between each child's first and latest assessment (made on or
    before 31 March of ``year``), for children assessed at least twice.

    One row per measure (``overall`` for the weighted need score, then each domain's
    summed ratings), with ``children_reassessed``, ``lower`` (fewer/less severe needs at
    the latest assessment), ``same`` and ``higher``, and ``average_change`` (latest minus
    first, in score points).
    """
    scored = _with_la(scored)
    made = scored[scored["assessment_date"] <= codes.year_end(year)]
    made = made.sort_values(["la", "CHILD", "assessment_date"])
    counts = made.groupby(["la", "CHILD"])["assessment_date"].transform("size")
    made = made[counts >= 2]
    domain_of = framework.domain_of()
    measures = {"overall": made["need_score"]}
    for domain in framework.domains:
        members = [s for s in framework.slugs if domain_of[s] == domain]
        measures[domain] = made[members].astype("float64").sum(axis=1)
    values = pd.DataFrame(measures)
    keys = [made["la"], made["CHILD"]]
    first = values.groupby(keys).first()
    last = values.groupby(keys).last()
    change = (last - first).round(6)
    rows = pd.DataFrame(
        {
            "measure": list(values.columns),
            "children_reassessed": len(change),
            "lower": (change < 0).sum().to_numpy(),
            "same": (change == 0).sum().to_numpy(),
            "higher": (change > 0).sum().to_numpy(),
            "average_change": change.mean().to_numpy() if len(change) else np.nan,
        }
    )
    return rows.astype(
        {"children_reassessed": "int64", "lower": "int64", "same": "int64", "higher": "int64"}
    )
