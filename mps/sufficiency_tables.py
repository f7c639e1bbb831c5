"""Supply, gap and sufficiency results shaped into the tables the documents publish.

Like :mod:`mps.presentation`, each function returns a
:class:`~mps.presentation.PublishableTable` for :meth:`mps.notebook.AreaReport.table`, saying
which columns are counts (disclosure control suppresses 1 to the threshold), which are
derived from them and which are labels.

What counts as a count here: children (and placements, which are children), forecast
children (a forecast of 3 children is as telling as a count of 3) and the numbers of
foster households and places (a household is a family). Registered places and providers
are public in Ofsted's register, and secured places and prices are commissioning facts:
those are labels. A gap is derived from its forecast, so a suppressed forecast hides it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mps.analysis import gaps as gap_analysis
from mps.analysis import supply as supply_analysis
from mps.analysis.need_profiles import PROFILE_SOURCES
from mps.codes import CATEGORY_LABELS
from mps.data.layout import FOSTERING_SPECIALISMS, NEED_PROFILES
from mps.presentation import PublishableTable

ALL_CARERS = "All in-house carers"
ALL_BOUGHT = "All bought placements"
ALL_COMMISSIONED = "All commissioned placements"
NOT_MEASURED = "not measured"
SPECIALISM_LABELS = {
    "mainstream": "Mainstream",
    "short_breaks": "Short breaks only (not a home)",
    "emergency": "Emergency",
    "remand": "Remand",
    **NEED_PROFILES,
}
CONTRACT_TYPE_LABELS = {"block": "Block", "framework": "Framework", "dps": "DPS"}
SCENARIO_LABELS = {gap_analysis.BASELINE: "Baseline"}


def category_label(category: object) -> str:
    return CATEGORY_LABELS.get(str(category), str(category).replace("_", " ").capitalize())


def scenario_label(scenario: str, labels: Mapping[str, str] | None = None) -> str:
    """A scenario's name as the documents print it: its label from the forecast settings
    (``labels``: name -> label), else the name in words."""
    if labels and scenario in labels:
        return str(labels[scenario])
    return SCENARIO_LABELS.get(scenario, str(scenario).replace("_", " ").capitalize())


def scenario_labels(settings: Mapping[str, object]) -> dict[str, str]:
    """Scenario name -> label from the ``forecast`` settings' scenarios."""
    forecast = settings.get("forecast") or {}
    found = forecast.get("scenarios") if isinstance(forecast, Mapping) else None
    return {str(s["name"]): str(s.get("label") or s["name"]) for s in found or []}


def _whole(values: pd.Series) -> pd.Series:
    """Modelled numbers as whole numbers (NaN kept), halves rounded up."""
    return np.floor(values.astype("float64") + 0.5)


# --- in-house fostering -------------------------------------------------------------------
def fostering_table(summary: pd.DataFrame) -> PublishableTable:
    """In-house fostering by year (:func:`mps.analysis.supply.fostering_summary`)."""
    frame = pd.DataFrame(
        {
            "Year": summary["year"].astype(str),
            "Approved households": summary["households"],
            "Approved places": summary["places"],
            "Places filled at 31 March": summary["places_filled"],
            "Occupancy %": summary["occupancy"],
            "Households approved in the year": summary["households_approved"],
            "Households de-registered in the year": summary["households_deregistered"],
        }
    )
    frame["Net change in households"] = (
        frame["Households approved in the year"] - frame["Households de-registered in the year"]
    )
    counts = (
        "Approved households",
        "Approved places",
        "Places filled at 31 March",
        "Households approved in the year",
        "Households de-registered in the year",
    )
    return PublishableTable(
        frame=frame,
        count_columns=counts,
        label_columns=("Year",),
        derived={
            "Occupancy %": ("Places filled at 31 March", "Approved places"),
            "Net change in households": (
                "Households approved in the year",
                "Households de-registered in the year",
            ),
        },
        rows_additive=False,
        decimals={"Occupancy %": 1, "Net change in households": 0},
    )


def fostering_specialism_table(by_specialism: pd.DataFrame) -> PublishableTable:
    """In-house carers at 31 March by specialism and approved ages, with a total row."""
    frame = pd.DataFrame(
        {
            "Carers approved for": by_specialism["specialism"].map(SPECIALISM_LABELS),
            "Ages": by_specialism["age_range"],
            "Households": by_specialism["households"].astype("int64"),
            "Places": by_specialism["places"].astype("int64"),
            "Places filled": by_specialism["places_filled"].astype("int64"),
        }
    )
    total = pd.DataFrame(
        {
            "Carers approved for": [ALL_CARERS],
            "Ages": ["0-17"],
            "Households": [int(frame["Households"].sum())],
            "Places": [int(frame["Places"].sum())],
            "Places filled": [int(frame["Places filled"].sum())],
        }
    )
    return PublishableTable(
        frame=pd.concat([frame, total], ignore_index=True),
        count_columns=("Households", "Places", "Places filled"),
        label_columns=("Carers approved for", "Ages"),
        total_row=ALL_CARERS,
    )


# --- commissioned capacity and spot purchases -----------------------------------------------
def contracts_table(summary: pd.DataFrame) -> PublishableTable:
    """Contracts running at 31 March by category and type
    (:func:`mps.analysis.supply.contract_summary`). No child counts: labels only."""
    next_end = summary["next_end"].dt.strftime("%B %Y").fillna("Open-ended")
    frame = pd.DataFrame(
        {
            "Placement": summary["placement_category"].map(category_label),
            "Contract": summary["contract_type"].map(CONTRACT_TYPE_LABELS),
            "Contracts": summary["contracts"].astype("int64"),
            "Providers": summary["providers"].astype("int64"),
            "Places": summary["places"].map(lambda v: "none stated" if pd.isna(v) else int(v)),
            "Average weekly price £": summary["average_price"].round(0),
            "First to end": next_end,
        }
    )
    return PublishableTable(
        frame=frame,
        count_columns=(),
        label_columns=tuple(frame.columns),
        decimals={"Average weekly price £": 0},
    )


def spot_table(spot: pd.DataFrame, year_label: str) -> PublishableTable:
    """Bought placements and spot purchases in a year by category, with the average
    weekly spot price (:func:`mps.analysis.supply.spot_purchases`) and a total row."""
    rows = spot[spot["bought_placements"] > 0]
    frame = pd.DataFrame(
        {
            "Placement": rows["placement_category"].map(category_label),
            f"Bought placements {year_label}": rows["bought_placements"].astype("int64"),
            "Spot purchases": rows["spot_placements"].astype("int64"),
            "Average weekly spot price £": rows["spot_price"].round(0),
        }
    )
    spend = rows["spot_spend"].sum()
    weeks = (rows["spot_spend"] / rows["spot_price"]).where(rows["spot_placements"] > 0).sum()
    total = {
        "Placement": ALL_BOUGHT,
        f"Bought placements {year_label}": int(frame[f"Bought placements {year_label}"].sum()),
        "Spot purchases": int(frame["Spot purchases"].sum()),
        "Average weekly spot price £": round(spend / weeks) if weeks else np.nan,
    }
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    bought = f"Bought placements {year_label}"
    frame.insert(3, "Spot %", (100 * frame["Spot purchases"] / frame[bought]).round(1))
    return PublishableTable(
        frame=frame,
        count_columns=(bought, "Spot purchases"),
        label_columns=("Placement",),
        derived={
            "Spot %": ("Spot purchases", bought),
            "Average weekly spot price £": ("Spot purchases", None),
        },
        total_row=ALL_BOUGHT,
        decimals={"Spot %": 1, "Average weekly spot price £": 0},
    )


# --- registered provision -----------------------------------------------------------------------
PROVISION_LABELS = {
    "childrens_home": "Children's homes",
    "secure": "Secure children's homes",
    "supported_accommodation": "Supported accommodation",
}
RATING_COLUMNS = {
    "Outstanding": "Outstanding",
    "Good": "Good",
    "Requires improvement to be good": "Requires improvement",
    "Inadequate": "Inadequate",
}


def provision_table(registered: pd.DataFrame) -> PublishableTable:
    """Registered provision in and near the area by type and where it is: providers and
    places, places by sector and by the latest Ofsted judgement. Ofsted publishes all of
    it: labels only."""
    rows = []
    keys = ["placement_category", "location"]
    for (category, location), group in registered.groupby(keys, sort=False):
        places = group["places"].fillna(0)
        by_sector = places.groupby(group["sector"].fillna("Not recorded")).sum()
        by_rating = places.groupby(group["ofsted_rating"].fillna("Not yet rated")).sum()
        row = {
            "Provision": PROVISION_LABELS.get(category, category),
            "Where": location,
            "Providers": int(group["providers"].sum()),
            "Places": int(places.sum()),
            "Places run by councils": int(by_sector.get("Local Authority", 0)),
        }
        row.update({label: int(by_rating.get(r, 0)) for r, label in RATING_COLUMNS.items()})
        row["Places not yet rated"] = int(by_rating.get("Not yet rated", 0))
        rows.append(row)
    frame = pd.DataFrame(rows)
    if not frame.empty:
        order = {label: i for i, label in enumerate(PROVISION_LABELS.values())}
        where = {loc: i for i, loc in enumerate(supply_analysis.LOCATION_ORDER)}
        frame = frame.assign(_p=frame["Provision"].map(order), _w=frame["Where"].map(where))
        frame = frame.sort_values(["_p", "_w"], kind="stable").drop(columns=["_p", "_w"])
    return PublishableTable(
        frame=frame.reset_index(drop=True),
        count_columns=(),
        label_columns=tuple(frame.columns),
    )


def providers_in_area_table(found: pd.DataFrame) -> PublishableTable:
    """The organisations running registered provision in the area
    (:func:`mps.analysis.supply.providers_in_area`): public register facts, labels only."""
    frame = pd.DataFrame(
        {
            "Provider": found["owner"],
            "Sector": found["sector"],
            "Homes and services": found["settings"].astype("int64"),
            "Places": found["places"].astype("int64"),
            "Places rated Good or Outstanding": found["good_or_better"].astype("int64"),
            "Places not yet rated": found["not_rated"].astype("int64"),
        }
    )
    return PublishableTable(frame=frame, count_columns=(), label_columns=tuple(frame.columns))


def provision_use_table(use: pd.DataFrame, *, with_members: bool) -> PublishableTable:
    """Who lives in the registered provision in the area
    (:func:`mps.analysis.supply.provision_use`)."""
    frame = pd.DataFrame(
        {
            "Provision": use["placement_category"].map(PROVISION_LABELS),
            "Registered places in the area": use["places"].astype("int64"),
            "Our children in them": use["our_children"].astype("int64"),
        }
    )
    derived_from = ("Our children in them", None)
    if with_members:
        frame["Other member councils' children in them"] = use["member_children"].astype("int64")
        derived_from = ("Our children in them", "Other member councils' children in them")
    frame["Places left (other councils, or vacant)"] = use["other_use"]
    frame["Our children in such provision elsewhere"] = use["our_children_elsewhere"].astype(
        "int64"
    )
    counts = [c for c in frame.columns if "children" in c]
    return PublishableTable(
        frame=frame,
        count_columns=tuple(counts),
        label_columns=("Provision", "Registered places in the area"),
        derived={"Places left (other councils, or vacant)": derived_from},
        rows_additive=False,
        decimals={"Places left (other councils, or vacant)": 0},
    )


# --- gaps ---------------------------------------------------------------------------------------
GAP_COLUMNS = {
    "forecast": "Forecast demand",
    "lower_80": "80% range from",
    "upper_80": "80% range to",
    "lower_95": "95% range from",
    "upper_95": "95% range to",
}


def gap_table(gap: pd.DataFrame, scenario: str = gap_analysis.BASELINE) -> PublishableTable:
    """The gap by forecast year and commissioned category for one scenario
    (:func:`mps.analysis.gaps.gap_by_category`): demand with its intervals, places
    secured, the gap and the gap if demand is at the top of the 80% range."""
    rows = gap[gap["scenario"] == scenario]
    frame = pd.DataFrame(
        {
            "Year": rows["year"].map(lambda y: f"31 March {y}"),
            "Placement": rows["placement_category"].map(category_label),
        }
    )
    for column, label in GAP_COLUMNS.items():
        values = _whole(rows[column])
        frame[label] = values.clip(lower=0) if column != "forecast" else values
    frame["Places secured"] = _whole(rows["places"]).astype("int64")
    frame["Gap"] = _whole(rows["gap"])
    frame["Gap if demand is high"] = _whole(rows["gap_upper_80"])
    derived = {label: ("Forecast demand", None) for label in list(GAP_COLUMNS.values())[1:]}
    derived |= {
        "Gap": ("Forecast demand", None),
        "Gap if demand is high": ("Forecast demand", None),
    }
    return PublishableTable(
        frame=frame.reset_index(drop=True),
        count_columns=("Forecast demand",),
        label_columns=("Year", "Placement", "Places secured"),
        derived=derived,
        rows_additive=False,
        decimals={c: 0 for c in derived},
    )


def gap_chart_frame(published: pd.DataFrame) -> pd.DataFrame:
    """A published :func:`gap_table` in long form for the chart: ``Year`` (the year
    number), ``Placement``, the published columns as numbers (suppressed cells NaN)."""
    from mps.charts import numeric

    frame = published.copy()
    frame["Year"] = frame["Year"].str[-4:].astype(int)
    for column in [*GAP_COLUMNS.values(), "Places secured", "Gap"]:
        frame[column] = numeric(frame[column])
    return frame


def scenario_gap_table(
    gap: pd.DataFrame, labels: Mapping[str, str] | None = None
) -> PublishableTable:
    """Demand and the gap in each forecast year, for every scenario and category."""
    years = sorted(gap["year"].unique())
    rows = []
    for (scenario, category), group in gap.groupby(["scenario", "placement_category"], sort=False):
        row = {
            "Scenario": scenario_label(scenario, labels),
            "Placement": category_label(category),
        }
        demand = dict(zip(group["year"], _whole(group["forecast"]), strict=True))
        shortfall = dict(zip(group["year"], _whole(group["gap"]), strict=True))
        for year in years:
            row[f"Demand {year}"] = float(demand[year])
            row[f"Gap {year}"] = float(shortfall[year])
        rows.append(row)
    frame = pd.DataFrame(rows)
    return PublishableTable(
        frame=frame,
        count_columns=tuple(f"Demand {y}" for y in years),
        label_columns=("Scenario", "Placement"),
        derived={f"Gap {y}": (f"Demand {y}", None) for y in years},
        rows_additive=False,
        decimals={f"Gap {y}": 0 for y in years},
    )


def age_band_gap_table(gap: pd.DataFrame, year: int) -> PublishableTable:
    """Baseline gap by category and age band in ``year``; places shared between bands as
    :func:`mps.analysis.gaps.allocate_to_age_bands` says (whole places)."""
    rows = gap[(gap["scenario"] == gap_analysis.BASELINE) & (gap["year"] == year)]
    rows = rows[(rows["forecast"] > 0) | (rows["places"] > 0)]
    frame = pd.DataFrame(
        {
            "Placement": rows["placement_category"].map(category_label),
            "Age at 31 March": rows["age_band"],
            f"Forecast demand {year}": _whole(rows["forecast"]),
            "Places secured (shared by age)": _whole(rows["places"]).astype("int64"),
            "Gap": _whole(rows["gap"]),
        }
    )
    forecast = f"Forecast demand {year}"
    return PublishableTable(
        frame=frame.reset_index(drop=True),
        count_columns=(forecast,),
        label_columns=("Placement", "Age at 31 March", "Places secured (shared by age)"),
        derived={"Gap": (forecast, None)},
        rows_additive=False,
        decimals={"Gap": 0},
    )


def profile_gap_table(
    counts: pd.DataFrame,
    gap: pd.DataFrame,
    missing_source: dict[str, str],
    labels: Mapping[str, str] | None = None,
    scenarios: Sequence[str] | None = None,
) -> PublishableTable:
    """Need profiles: children now, then demand and the gap in each forecast year, for the
    baseline and each scenario (or those named in ``scenarios``) of
    :func:`mps.analysis.gaps.gap_by_profile`. A profile that cannot be measured says which
    input would measure it, and shows ``x``."""
    years = sorted(gap["year"].unique()) if len(gap) else []
    names = gaps_scenarios(gap) if len(gap) else [gap_analysis.BASELINE]
    if scenarios is not None:
        names = [n for n in names if n in set(scenarios)]
    # (scenario, profile, year) -> (demand, gap) as whole numbers, looked up cell by cell
    keyed = (
        {
            (scenario, profile, year): (demand, shortfall)
            for scenario, profile, year, demand, shortfall in zip(
                gap["scenario"],
                gap["need_profile"],
                gap["year"],
                _whole(gap["forecast"]),
                _whole(gap["gap"]),
                strict=True,
            )
        }
        if len(gap)
        else {}
    )
    rows = []
    for scenario in names:
        for row in counts.itertuples(index=False):
            measured = bool(row.measured)
            record = {
                "Scenario": scenario_label(scenario, labels),
                "Need profile": NEED_PROFILES[row.need_profile],
                "Measured from": PROFILE_SOURCES[row.need_profile]
                if measured
                else f"{NOT_MEASURED}: {missing_source.get(row.need_profile, 'no data')}",
                "Children now": int(row.children) if measured else "x",
            }
            for year in years:
                found = keyed.get((scenario, row.need_profile, year)) if measured else None
                record[f"Demand {year}"] = float(found[0]) if found else "x"
                record[f"Gap {year}"] = float(found[1]) if found else "x"
            rows.append(record)
    frame = pd.DataFrame(rows)
    derived = {f"{kind} {y}": ("Children now", None) for y in years for kind in ("Demand", "Gap")}
    return PublishableTable(
        frame=frame,
        count_columns=("Children now",),
        label_columns=("Scenario", "Need profile", "Measured from"),
        derived=derived,
        rows_additive=False,
        decimals={c: 0 for c in derived},
    )


def gaps_scenarios(gap: pd.DataFrame) -> list[str]:
    """The scenarios of a gap frame, baseline first."""
    return gap_analysis.scenarios(gap)


def gap_cost_table(
    cost: pd.DataFrame, year: int, prices: pd.DataFrame, threshold: int
) -> PublishableTable:
    """The yearly cost of meeting the baseline gap in ``year`` by spot purchase and on
    contract, by category, with a total row.

    Prices come from this year's spot placements (a price from ``threshold`` or fewer is
    withheld with its count) and the contracts. A category priced as another
    (:data:`mps.analysis.gaps.PRICED_AS`: in-house fostering at independent fostering's
    prices) shows ``z`` for its own prices, and its costs are withheld when the prices it
    borrows are.
    """
    rows = cost[(cost["scenario"] == gap_analysis.BASELINE) & (cost["year"] == year)]
    rows = rows.merge(
        prices[["placement_category", "spot_placements", "contract_price_from"]],
        on="placement_category",
    ).reset_index(drop=True)
    borrowed = rows["contract_price_from"].fillna("").str.startswith("as ")
    few = rows["spot_placements"] <= threshold
    spot_cost = rows["spot_cost"].where(~(borrowed & few) | (rows["extra_placements"] == 0))
    frame = pd.DataFrame(
        {
            "Placement": rows["placement_category"].map(category_label),
            "Extra placements needed": _whole(rows["extra_placements"]).astype("int64"),
            "Spot purchases this year": rows["spot_placements"].astype("object"),
            "Average weekly spot price £": rows["spot_price"].round(0).astype("object"),
            "Weekly contract price £": rows["contract_price"].round(0).astype("object"),
            "Yearly cost bought spot £": spot_cost.round(-2),
            "Yearly cost on contract £": rows["contract_cost"].round(-2),
            "Saving on contract £": (spot_cost - rows["contract_cost"]).round(-2),
        }
    )
    own = ["Spot purchases this year", "Average weekly spot price £", "Weekly contract price £"]
    frame.loc[borrowed, own] = "z"
    frame.loc[~borrowed & frame["Weekly contract price £"].isna(), "Weekly contract price £"] = (
        "none"
    )

    def total(column: str) -> float:
        values = frame[column]
        return float(values.sum()) if values.notna().all() else np.nan

    spot_counts = pd.to_numeric(frame.loc[~borrowed, "Spot purchases this year"])
    totals = {
        "Placement": ALL_COMMISSIONED,
        "Extra placements needed": int(frame["Extra placements needed"].sum()),
        "Spot purchases this year": int(spot_counts.sum()),
        "Average weekly spot price £": "z",
        "Weekly contract price £": "",
        **{c: total(c) for c in ("Yearly cost bought spot £", "Yearly cost on contract £",
                                  "Saving on contract £")},
    }  # fmt: skip
    frame = pd.concat([frame, pd.DataFrame([totals])], ignore_index=True)
    money = ("Yearly cost bought spot £", "Yearly cost on contract £", "Saving on contract £")
    return PublishableTable(
        frame=frame,
        count_columns=("Extra placements needed", "Spot purchases this year"),
        label_columns=("Placement", "Weekly contract price £"),
        derived={
            "Average weekly spot price £": ("Spot purchases this year", None),
            **{m: ("Extra placements needed", None) for m in money},
        },
        total_row=ALL_COMMISSIONED,
        decimals={c: 0 for c in ("Average weekly spot price £", "Weekly contract price £", *money)},
    )


def scenario_cost_table(
    cost: pd.DataFrame, labels: Mapping[str, str] | None = None
) -> PublishableTable:
    """The yearly cost of the gap under each scenario and year, all categories."""

    def whole_sum(values: pd.Series) -> float:
        # A total with a part that cannot be costed is not known.
        return float(values.sum()) if values.notna().all() else np.nan

    grouped = cost.groupby(["scenario", "year"], sort=False).agg(
        extra=("extra_placements", "sum"),
        spot=("spot_cost", whole_sum),
        contract=("contract_cost", whole_sum),
    )
    grouped = grouped.reset_index()
    frame = pd.DataFrame(
        {
            "Scenario": grouped["scenario"].map(lambda s: scenario_label(s, labels)),
            "Year": grouped["year"].map(lambda y: f"31 March {y}"),
            "Extra placements needed": _whole(grouped["extra"]).astype("int64"),
            "Yearly cost bought spot £": grouped["spot"].round(-2),
            "Yearly cost on contract £": grouped["contract"].round(-2),
        }
    )
    frame["Saving on contract £"] = (
        frame["Yearly cost bought spot £"] - frame["Yearly cost on contract £"]
    )
    money = ("Yearly cost bought spot £", "Yearly cost on contract £", "Saving on contract £")
    return PublishableTable(
        frame=frame,
        count_columns=("Extra placements needed",),
        label_columns=("Scenario", "Year"),
        derived={m: ("Extra placements needed", None) for m in money},
        rows_additive=False,
        decimals={m: 0 for m in money},
    )


# --- sufficiency indicators --------------------------------------------------------------------
def _target_text(value: float) -> object:
    return "none set" if pd.isna(value) else float(value)


def indicator_table(review: pd.DataFrame, year: int) -> PublishableTable:
    """Sufficiency indicators: last year, this year, target, direction and whether the
    target is met (:func:`mps.analysis.sufficiency.indicator_review`)."""
    last = year - 1
    frame = pd.DataFrame(
        {
            "Indicator": review["label"],
            f"{last} number": review["last_children"],
            f"{last} out of": review["last_of"],
            f"{last} %": review["last_percent"],
            f"{year} number": review["children"].astype("int64"),
            f"{year} out of": review["of"].astype("int64"),
            f"{year} %": review["percent"],
            "Target %": review["target"].map(_target_text),
            "Direction": review["direction"].replace("", "not known"),
            "Target met": review["target_met"].map(
                lambda met: "no target" if pd.isna(met) else ("Yes" if met else "No")
            ),
        }
    )
    return PublishableTable(
        frame=frame,
        count_columns=(f"{last} number", f"{last} out of", f"{year} number", f"{year} out of"),
        label_columns=("Indicator", "Target %", "Direction", "Target met"),
        derived={
            f"{last} %": (f"{last} number", f"{last} out of"),
            f"{year} %": (f"{year} number", f"{year} out of"),
        },
        rows_additive=False,
        decimals={f"{last} %": 1, f"{year} %": 1, "Target %": 0},
    )


def refresh_table(comparison: pd.DataFrame, edition: str, year: int) -> PublishableTable:
    """Last edition's published indicators and targets against this year's outcome
    (:func:`mps.documents.previous_edition_review`)."""
    frame = pd.DataFrame(
        {
            "Indicator": comparison["label"],
            f"Published in the {edition} edition %": comparison["previous_percent"].map(
                lambda v: "not published" if pd.isna(v) else float(v)
            ),
            f"Target set in the {edition} edition %": comparison["previous_target"].map(
                _target_text
            ),
            f"{year} number": comparison["children"].astype("int64"),
            f"{year} out of": comparison["of"].astype("int64"),
            f"{year} %": comparison["percent"],
            "Change (points)": comparison["change"],
            "Last edition's target met": comparison["target_met"].map(
                lambda met: "no target" if pd.isna(met) else ("Yes" if met else "No")
            ),
        }
    )
    previous_columns = tuple(c for c in frame.columns if "edition %" in c)
    return PublishableTable(
        frame=frame,
        count_columns=(f"{year} number", f"{year} out of"),
        label_columns=("Indicator", *previous_columns, "Last edition's target met"),
        derived={
            f"{year} %": (f"{year} number", f"{year} out of"),
            "Change (points)": (f"{year} %", None),
        },
        rows_additive=False,
        decimals={f"{year} %": 1, "Change (points)": 1, **{c: 1 for c in previous_columns}},
    )


def text_table(frame: pd.DataFrame) -> PublishableTable:
    """A table of words only (an action plan, a list of priorities): no figures to protect."""
    return PublishableTable(frame=frame, count_columns=(), label_columns=tuple(frame.columns))


def specialism_order(values: Sequence[str]) -> list[str]:
    """Specialisms of ``values`` in :data:`FOSTERING_SPECIALISMS` order."""
    return [s for s in FOSTERING_SPECIALISMS if s in set(values)]
