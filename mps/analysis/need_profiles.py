"""Need profiles: the groups of children the sufficiency plan commissions for.

Each profile of :data:`mps.data.layout.NEED_PROFILES` is measured on the children looked
after at 31 March (:func:`mps.analysis.children.looked_after_on`), from the inputs that show
it, as far as they do:

``teenagers``
    Aged 13 or over, whose latest needs assessment on or before 31 March rates emotional
    health or managing emotions and boundaries (the ``high_need_indicators``) at
    ``high_need_rating`` or more. Measured only where needs assessments were provided.
``sibling_groups``
    Estimated from the 903: children who began their period of care on the same day as
    another child of the same council from the same home postcode.
``parent_and_child``
    Placed in a family centre or mother and baby unit (903 PLACE R3). Parent and child
    foster placements cannot be told apart in the 903, so this is a lower bound.
``disabled_children``
    Disability is the main category of need (903 CIN N2), or, where needs assessments were
    provided, the learning difficulty or disability indicator is rated high.
``sixteen_plus``
    Aged 16 or over and living in supported accommodation.
``uasc``
    Unaccompanied asylum-seeking children at 31 March.

The membership list is child-level and internal; only counts are published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mps.data.layout import NEED_PROFILES

_CHILD = ["la", "CHILD"]


@dataclass(frozen=True)
class ProfileRules:
    """The thresholds of the profiles measured from needs assessments."""

    teenager_min_age: int = 13
    high_need_rating: int = 2
    high_need_indicators: tuple[str, ...] = ("emotional_health", "self_regulation")
    disability_indicator: str = "learning_disability"


#: What each profile is measured from (for the published notes).
PROFILE_SOURCES = {
    "teenagers": "needs assessments",
    "sibling_groups": "903 (estimated from shared start dates and home postcodes)",
    "parent_and_child": "903 placements in family centres or mother and baby units",
    "disabled_children": "903 category of need" + " (and needs assessments where provided)",
    "sixteen_plus": "903",
    "uasc": "903",
}


def latest_assessment(needs: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Each child's latest needs assessment on or before ``day`` (one row per child)."""
    needs = needs if "la" in needs.columns else needs.assign(la="")
    done = needs[needs["assessment_date"] <= pd.Timestamp(day)]
    done = done.sort_values([*_CHILD, "assessment_date"], kind="stable")
    return done.drop_duplicates(_CHILD, keep="last").reset_index(drop=True)


def _sibling_starts(cla: pd.DataFrame, episodes: pd.DataFrame) -> pd.Series:
    """Children who started their period of care the same day, from the same home postcode,
    as another child of the same council."""
    start = episodes[[*_CHILD, "DECOM", "HOME_POST"]].rename(columns={"DECOM": "period_start"})
    start = start.drop_duplicates([*_CHILD, "period_start"], keep="first")
    joined = cla[[*_CHILD, "period_start"]].merge(start, on=[*_CHILD, "period_start"], how="left")
    postcode = joined["HOME_POST"].astype("string").str.replace(" ", "").str.upper()
    known = postcode.notna() & postcode.ne("")
    key = pd.DataFrame({"la": joined["la"], "day": joined["period_start"], "postcode": postcode})
    together = key[known.to_numpy()].groupby(["la", "day", "postcode"])["la"].transform("size")
    result = pd.Series(False, index=cla.index)
    result.iloc[np.flatnonzero(known.to_numpy())] = (together >= 2).to_numpy()
    return result


def profile_membership(
    cla: pd.DataFrame,
    episodes: pd.DataFrame,
    day: pd.Timestamp,
    needs: pd.DataFrame | None = None,
    rules: ProfileRules | None = None,
) -> pd.DataFrame:
    """Which profile(s) each child looked after on ``day`` belongs to (internal).

    ``cla`` is :func:`mps.analysis.children.looked_after_on` for ``day``; ``needs`` the
    typed needs assessments (pooled, with ``la``), or None. Returns ``la``, ``CHILD`` and
    one boolean column per profile; a profile that cannot be measured (``teenagers``
    without needs assessments) is all ``<NA>``.
    """
    rules = rules or ProfileRules()
    out = cla[_CHILD].copy()
    age = cla["age"].astype("float64")
    out["sibling_groups"] = _sibling_starts(cla, episodes).to_numpy()
    out["parent_and_child"] = cla["PLACE"].astype("string").str.upper().eq("R3").fillna(False)
    disabled = cla["CIN"].astype("string").str.upper().eq("N2").fillna(False)
    out["sixteen_plus"] = (age >= 16) & cla["placement_category"].eq("supported_accommodation")
    out["uasc"] = cla["uasc_on_date"].astype(bool)
    if needs is not None and not needs.empty:
        latest = latest_assessment(needs, day)
        rated = cla[_CHILD].merge(latest, on=_CHILD, how="left")
        indicators = [c for c in rules.high_need_indicators if c in rated.columns]
        high = (
            (rated[indicators] >= rules.high_need_rating).any(axis=1)
            if indicators
            else pd.Series(False, index=rated.index)
        )
        out["teenagers"] = (age >= rules.teenager_min_age).to_numpy() & high.to_numpy()
        if rules.disability_indicator in rated.columns:
            disabled = (
                disabled
                | (rated[rules.disability_indicator] >= rules.high_need_rating)
                .fillna(False)
                .to_numpy()
            )
        out["teenagers"] = out["teenagers"].astype("boolean")
    else:
        out["teenagers"] = pd.array([pd.NA] * len(out), dtype="boolean")
    out["disabled_children"] = disabled.to_numpy()
    out = out[[*_CHILD, *NEED_PROFILES]]
    out.attrs["unmeasured"] = [] if needs is not None and not needs.empty else ["teenagers"]
    return out


def profile_counts(membership: pd.DataFrame) -> pd.DataFrame:
    """Children in each profile: ``need_profile``, ``children`` (NA when not measured),
    ``measured``, in :data:`NEED_PROFILES` order."""
    unmeasured = set(membership.attrs.get("unmeasured", ()))
    rows = []
    for profile in NEED_PROFILES:
        column = membership[profile].astype("boolean")
        measured = profile not in unmeasured
        rows.append(
            {
                "need_profile": profile,
                "children": int(column.fillna(False).sum()) if measured else pd.NA,
                "measured": measured,
            }
        )
    frame = pd.DataFrame(rows)
    frame["children"] = frame["children"].astype("Int64")
    return frame


def profile_demand(
    counts: pd.DataFrame,
    demand_totals: pd.DataFrame,
    current_total: float,
    *,
    category_totals: pd.DataFrame | None = None,
    current_by_category: dict[str, float] | None = None,
    scaled_by: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Forecast demand of each measured profile: its share of the children looked after now,
    applied to the forecast (an assumption the documents state).

    ``demand_totals`` has ``scenario``, ``year`` and the demand columns
    (``forecast``, ``lower_80``...) for all children; ``current_total`` is the number looked
    after now. A profile named in ``scaled_by`` follows one placement category instead
    (``sixteen_plus`` -> ``supported_accommodation``), from ``category_totals`` (same
    columns plus ``placement_category``) and ``current_by_category``.
    """
    from mps.analysis.gaps import DEMAND_VALUES

    scaled_by = scaled_by or {}
    frames = []
    for row in counts[counts["measured"]].itertuples(index=False):
        base, now = demand_totals, current_total
        category = scaled_by.get(row.need_profile)
        if category and category_totals is not None and current_by_category:
            base = category_totals[category_totals["placement_category"] == category]
            now = current_by_category.get(category, 0.0)
        share = float(row.children) / now if now else 0.0
        frame = base[["scenario", "year"]].copy()
        for column in DEMAND_VALUES:
            frame[column] = base[column].to_numpy() * share
        frame.insert(0, "need_profile", row.need_profile)
        frame["children_now"] = int(row.children)
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["need_profile", "scenario", "year", *DEMAND_VALUES])
    return pd.concat(frames, ignore_index=True)


def profile_order(values: Sequence[str]) -> list[str]:
    """Profiles of ``values`` in :data:`NEED_PROFILES` order."""
    return [p for p in NEED_PROFILES if p in set(values)]
