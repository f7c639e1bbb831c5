"""Sufficiency indicators: where children live and how their placements are bought.

Each indicator is a percentage with its numerator and denominator, for children looked
after at 31 March (:func:`mps.analysis.children.looked_after_on`: DfE rules, temporary
placements described by the placement before them):

``in_house_fostering``
    Of fostered children (PLACE U1-U6), those whose carers the council approved
    (PLACE_PROVIDER PR1): the in-house share of fostering, family and friends carers
    included.
``within_20_miles``
    Of children whose distance from home is known (PL_DISTANCE; always blank for UASC),
    those placed 20 miles or less from home.
``inside_area``
    Of children whose placement location is known (PL_LOCATION), those placed inside
    their own council's boundary.
``inside_consortium``
    Of children whose location is known, those placed inside their own council's
    boundary or in another member council's area (PL_LA).
``on_contract``
    Of the year's bought placements (spend: not the council's own provision nor
    placements with parents), those bought on a framework or block contract rather than
    spot. Needs the spend file.

Every indicator is "higher is better"; a target is a minimum percentage from the
parameters (``targets``). :func:`indicator_review` sets this year beside last year and the
target, with the direction of travel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mps import codes
from mps.analysis.children import looked_after_on
from mps.analysis.spend import placements_in_year


@dataclass(frozen=True)
class Indicator:
    """One sufficiency indicator: its slug, label and the target parameter it uses."""

    slug: str
    label: str
    target: str


INDICATORS = (
    Indicator(
        "in_house_fostering",
        "Fostered children living with the council's own foster carers",
        "in_house_fostering_min_pct",
    ),
    Indicator(
        "within_20_miles", "Children placed 20 miles or less from home", "within_20_miles_min_pct"
    ),
    Indicator(
        "inside_area", "Children placed inside their own council's area", "inside_area_min_pct"
    ),
    Indicator(
        "inside_consortium",
        "Children placed inside the consortium's area",
        "inside_consortium_min_pct",
    ),
    Indicator(
        "on_contract",
        "Bought placements on contract (framework or block)",
        "on_contract_min_pct",
    ),
)
INDICATOR_LABELS = {i.slug: i.label for i in INDICATORS}
FOSTER_PLACES = ("U1", "U2", "U3", "U4", "U5", "U6")
DISTANCE_MILES = 20.0
#: A change smaller than this (percentage points) is "no change".
NO_CHANGE_POINTS = 0.5
BETTER, WORSE, SAME = "Better", "Worse", "No change"


def _row(slug: str, year: int, numerator: int, denominator: int) -> dict:
    percent = round(100 * numerator / denominator, 1) if denominator else np.nan
    return {
        "indicator": slug,
        "year": year,
        "children": int(numerator),
        "of": int(denominator),
        "percent": percent,
    }


def placement_indicators(
    cla: pd.DataFrame, year: int, member_la_codes: Sequence[str] = ()
) -> list[dict]:
    """The four placement indicators for children looked after ``cla`` (module docstring)."""
    place = cla["PLACE"].astype("string").str.upper()
    fostered = place.isin(FOSTER_PLACES).fillna(False)
    own_carers = cla["PLACE_PROVIDER"].astype("string").str.upper().eq("PR1").fillna(False)
    distance = pd.to_numeric(cla["PL_DISTANCE"], errors="coerce")
    location = cla["PL_LOCATION"].astype("string").str.upper()
    located = location.isin(["IN", "OUT"]).fillna(False)
    inside = location.eq("IN").fillna(False)
    members = [str(c).strip().upper() for c in member_la_codes]
    in_member = cla["PL_LA"].astype("string").str.strip().str.upper().isin(members).fillna(False)
    return [
        _row("in_house_fostering", year, (fostered & own_carers).sum(), fostered.sum()),
        _row("within_20_miles", year, (distance <= DISTANCE_MILES).sum(), distance.notna().sum()),
        _row("inside_area", year, inside.sum(), located.sum()),
        _row("inside_consortium", year, (located & (inside | in_member)).sum(), located.sum()),
    ]


def contract_indicator(
    spend: pd.DataFrame, year: int, placements: pd.DataFrame | None = None
) -> dict:
    """The on-contract share of the year's bought placements (``placements``: the year's
    :func:`mps.analysis.spend.placements_in_year`, when already worked out)."""
    placements = placements if placements is not None else placements_in_year(spend, year)
    bought = placements[placements["bought"]]
    return _row("on_contract", year, bought["on_contract"].sum(), len(bought))


def sufficiency_indicators(
    episodes: pd.DataFrame,
    years: Sequence[int],
    *,
    spend: pd.DataFrame | None = None,
    member_la_codes: Sequence[str] = (),
    known: Mapping[int, tuple[pd.DataFrame, pd.DataFrame | None]] | None = None,
) -> pd.DataFrame:
    """The indicators for each of ``years``: ``indicator``, ``year``, ``children``
    (numerator), ``of`` (denominator) and ``percent`` (1 dp; NaN when the denominator is
    0). ``on_contract`` appears only with ``spend``. ``known`` may give, by year, the
    children looked after at 31 March and the year's placements already worked out."""
    known = known or {}
    rows = []
    for year in years:
        cla, placements = known.get(int(year), (None, None))
        if cla is None:
            cla = looked_after_on(episodes, codes.year_end(int(year)))
        rows += placement_indicators(cla, int(year), member_la_codes)
        if spend is not None and not spend.empty:
            rows.append(contract_indicator(spend, int(year), placements))
    frame = pd.DataFrame(rows, columns=["indicator", "year", "children", "of", "percent"])
    order = {i.slug: n for n, i in enumerate(INDICATORS)}
    frame = frame.assign(_o=frame["indicator"].map(order)).sort_values(["_o", "year"])
    return frame.drop(columns="_o").reset_index(drop=True)


def indicator_targets(targets: Mapping[str, float | None]) -> dict[str, float | None]:
    """Each indicator's target (minimum %) from the ``targets`` settings; the on-contract
    target is ``on_contract_min_pct`` or, failing that, 100 - ``off_contract_max_pct``."""
    found = {i.slug: targets.get(i.target) for i in INDICATORS}
    if found["on_contract"] is None and targets.get("off_contract_max_pct") is not None:
        found["on_contract"] = 100.0 - float(targets["off_contract_max_pct"])
    return {k: (float(v) if v is not None else None) for k, v in found.items()}


def direction(last: float, this: float) -> str:
    """Direction of travel of a higher-is-better percentage: Better, Worse or No change
    (less than half a point); "" when either is not known."""
    if pd.isna(last) or pd.isna(this):
        return ""
    change = this - last
    if abs(change) < NO_CHANGE_POINTS:
        return SAME
    return BETTER if change > 0 else WORSE


def indicator_review(
    indicators: pd.DataFrame, targets: Mapping[str, float | None], year: int
) -> pd.DataFrame:
    """This year beside last year and the target, one row per indicator present.

    Columns: ``indicator``, ``label``, ``last_children``, ``last_of``, ``last_percent``,
    ``children``, ``of``, ``percent``, ``target`` (NaN: none set), ``direction`` and
    ``target_met`` (True/False; NA with no target or no figure).
    """
    this = indicators[indicators["year"] == year].set_index("indicator")
    last = indicators[indicators["year"] == year - 1].set_index("indicator")
    rows = []
    for indicator in INDICATORS:
        if indicator.slug not in this.index:
            continue
        now = this.loc[indicator.slug]
        before = last.loc[indicator.slug] if indicator.slug in last.index else None
        target = targets.get(indicator.slug)
        percent = now["percent"]
        met = pd.NA if target is None or pd.isna(percent) else bool(percent >= target)
        rows.append(
            {
                "indicator": indicator.slug,
                "label": indicator.label,
                "last_children": np.nan if before is None else before["children"],
                "last_of": np.nan if before is None else before["of"],
                "last_percent": np.nan if before is None else before["percent"],
                "children": now["children"],
                "of": now["of"],
                "percent": percent,
                "target": np.nan if target is None else float(target),
                "direction": "" if before is None else direction(before["percent"], percent),
                "target_met": met,
            }
        )
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame["target_met"] = frame["target_met"].astype("boolean")
    return frame
