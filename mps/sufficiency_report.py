"""The evidence of the gap report, worked out once for an area's notebook.

:func:`gather_evidence` takes an :class:`~mps.notebook.AreaReport` and computes everything
the ``gap_report`` notebook shows: demand (the area's forecast, or today's children held
constant when there is none), secured supply by year, the gaps by category, age band and
need profile, the cost of the gap, registered provision and who uses it, and the
sufficiency indicators. All of it is internal (child-level where it has to be); the
notebook publishes it only through ``report.table`` and ``report.say``.

The forecast is the one the ``demand_forecast`` notebook saved for the area
(``report.cached("forecast", ...)``: ``forecast.parquet`` in the area's results folder),
in the demand shape of :mod:`mps.analysis.gaps`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mps import codes
from mps.analysis import gaps, need_profiles, sufficiency, supply
from mps.analysis.children import REQUIRED_COLUMNS, looked_after_on
from mps.analysis.spend import placements_in_year

FORECAST_RESULT = "forecast"
#: What would fill each need profile that cannot be measured.
PROFILE_INPUTS = {"teenagers": "needs assessments (needs.csv)"}


@dataclass
class Evidence:
    """Everything the gap report publishes, before disclosure control (internal)."""

    reporting_year: int
    forecast_years: list[int]
    demand: pd.DataFrame
    demand_from_forecast: bool
    demand_note: str
    cla: pd.DataFrame
    supply: pd.DataFrame
    gap: pd.DataFrame
    age_band_gap: pd.DataFrame
    profile_counts: pd.DataFrame
    profile_gap: pd.DataFrame
    prices: pd.DataFrame
    cost: pd.DataFrame
    indicators: pd.DataFrame
    review: pd.DataFrame
    targets: dict[str, float | None]
    placements: pd.DataFrame | None
    homes: pd.DataFrame
    provision: pd.DataFrame | None
    provision_use: pd.DataFrame | None
    members_known: bool
    missing: dict[str, str] = field(default_factory=dict)

    @property
    def horizon(self) -> int:
        """The last forecast year."""
        return self.forecast_years[-1]


def saved_forecast(results_dir: str) -> pd.DataFrame | None:
    """The forecast the area's ``demand_forecast`` notebook saved, if it did."""
    if not results_dir:
        return None
    path = Path(results_dir) / f"{FORECAST_RESULT}.parquet"
    return pd.read_parquet(path) if path.is_file() else None


def area_demand(
    forecast: pd.DataFrame | None, cla: pd.DataFrame, reporting_year: int, years_ahead: int
) -> tuple[pd.DataFrame, bool, str]:
    """Demand for the gap: the forecast when there is one in the demand shape, else the
    children looked after now held constant for ``years_ahead`` years. Returns the demand,
    whether it is the forecast, and a sentence for the documents saying which."""
    held_years = [reporting_year + n for n in range(1, years_ahead + 1)]
    if forecast is not None:
        try:
            demand = gaps.demand_from_forecast(forecast)
            demand = demand[demand["year"] > reporting_year]
            if len(demand):
                return (
                    demand,
                    True,
                    "Demand is the baseline forecast of children looked after at 31 March of "
                    "each year, with its 80% and 95% ranges, and each scenario of the forecast.",
                )
        except ValueError as error:
            return (
                gaps.demand_held_constant(cla, held_years),
                False,
                "The demand forecast could not be used here "
                f"({error}), so demand is held at the number of children looked after at "
                f"31 March {reporting_year}, with no range.",
            )
    return (
        gaps.demand_held_constant(cla, held_years),
        False,
        "No demand forecast is available for this area, so demand is held at the number of "
        f"children looked after at 31 March {reporting_year}, with no range: the gap shows "
        "what today's children would need from the places secured in each year.",
    )


def _member_cla(report: Any, day: pd.Timestamp) -> pd.DataFrame | None:
    """Where the other member councils' children looked after on ``day`` live (``la`` and
    ``URN``), for a borough's report; None for a consortium, or when a member's data
    cannot be read. Worked out once per build for all members
    (:meth:`~mps.notebook.AreaReport.members_result`; the notebook declares it reads them)."""
    members = (report.settings.get("consortium") or {}).get("members") or []
    others = [m["slug"] for m in members if m["slug"] not in report.boroughs]
    if report.is_consortium or not others:
        return None

    def placed(episodes: pd.DataFrame) -> pd.DataFrame:
        return looked_after_on(episodes, day)[["la", "URN"]].reset_index(drop=True)

    found, missing = report.members_result(
        f"placements-at-31-march-{day.year}", list(REQUIRED_COLUMNS), placed
    )
    if set(missing) & set(others):
        return None
    return found[found["la"].isin(others)].reset_index(drop=True)


def gather_evidence(report: Any) -> Evidence:
    """Work out the gap report's evidence for the area of ``report``."""
    data = report.data
    settings = report.settings or {}
    options = settings.get("sufficiency") or {}
    year = int(report.reporting_year)
    day = codes.year_end(year)
    cla = looked_after_on(report.episodes, day)
    demand, from_forecast, note = area_demand(
        saved_forecast(report.results_dir), cla, year, int(options.get("forecast_years", 3))
    )
    forecast_years = sorted(demand["year"].unique().tolist())
    missing: dict[str, str] = {}

    placed_urns = cla["URN"].dropna().astype(str).unique().tolist()
    names = list(report.borough_names)
    homes = supply.council_homes(data.providers, placed_urns, names)
    supply_frame = supply.supply_by_year(
        forecast_years,
        reporting_year=year,
        fostering=data.fostering,
        contracts=data.contracts,
        homes=homes,
    )
    gap = gaps.gap_by_category(demand, supply_frame)
    age_band_gap = gaps.gap_by_age_band(demand, supply_frame)

    rules = need_profiles.ProfileRules(
        teenager_min_age=int(options.get("teenager_min_age", 13)),
        high_need_rating=int(options.get("high_need_rating", 2)),
        high_need_indicators=tuple(
            options.get("high_need_indicators") or need_profiles.ProfileRules.high_need_indicators
        ),
        disability_indicator=str(options.get("disability_indicator", "learning_disability")),
    )
    membership = need_profiles.profile_membership(cla, report.episodes, day, data.needs, rules)
    counts = need_profiles.profile_counts(membership)
    by_category = gaps.category_demand(demand)
    now_by_category = cla["placement_category"].value_counts().to_dict()
    profile_demand = need_profiles.profile_demand(
        counts,
        gaps.total_demand(demand),
        current_total=len(cla),
        category_totals=by_category,
        current_by_category={k: float(v) for k, v in now_by_category.items()},
        scaled_by={"sixteen_plus": "supported_accommodation"},
    )
    profile_gap = gaps.gap_by_profile(profile_demand, supply_frame)

    placements = placements_in_year(data.spend, year) if data.spend is not None else None
    prices = gaps.gap_prices(placements, data.contracts, day)
    cost = gaps.gap_cost(gap, prices)

    member_codes = [m["la_code"] for m in (settings.get("consortium") or {}).get("members") or []]
    indicators = sufficiency.sufficiency_indicators(
        report.episodes,
        [year - 1, year],
        spend=data.spend,
        member_la_codes=member_codes or list(report.la_codes),
        known={year: (cla, placements)},
    )
    targets = sufficiency.indicator_targets(settings.get("targets") or {})
    review = sufficiency.indicator_review(indicators, targets, year)

    provision = use = None
    members_known = False
    if data.providers is not None:
        near = list(options.get("near_authorities") or [])
        provision = supply.registered_provision(data.providers, names, near)
        member_cla = _member_cla(report, day)
        members_known = member_cla is not None
        use = supply.provision_use(data.providers, cla, names, member_cla)
    else:
        missing["providers"] = "the Ofsted register (providers.csv)"
    if data.fostering is None:
        missing["fostering"] = "in-house fostering households and places (fostering.csv)"
    if data.contracts is None:
        missing["contracts"] = "framework, block and DPS contracts (contracts.csv)"
    if data.spend is None:
        missing["spend"] = "placement spend and contract status (spend.csv)"
    return Evidence(
        reporting_year=year,
        forecast_years=forecast_years,
        demand=demand,
        demand_from_forecast=from_forecast,
        demand_note=note,
        cla=cla,
        supply=supply_frame,
        gap=gap,
        age_band_gap=age_band_gap,
        profile_counts=counts,
        profile_gap=profile_gap,
        prices=prices,
        cost=cost,
        indicators=indicators,
        review=review,
        targets=targets,
        placements=placements,
        homes=homes,
        provision=provision,
        provision_use=use,
        members_known=members_known,
        missing=missing,
    )


def supply_note(evidence: Evidence) -> str:
    """What the places secured are made of, and what is missing from them."""
    parts = [
        "Places secured are in-house foster places at their 31 March "
        f"{evidence.reporting_year} level (short-break carers left out), the council's own "
        "children's homes and supported accommodation that its children live in (Ofsted "
        "register), and the places of the contracts running on 31 March of each year: block "
        "contracts' reserved places and the places frameworks and DPS expect to supply."
    ]
    absent = [evidence.missing[k] for k in ("fostering", "contracts", "providers")
              if k in evidence.missing]  # fmt: skip
    if absent:
        from mps.documents import describe_sources

        parts.append(
            f"Not provided, so not counted: {describe_sources(absent)}; the gaps are larger "
            "than they would be with them."
        )
    return " ".join(parts)
