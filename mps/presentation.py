"""Analysis results shaped into the tables the documents publish.

Each function takes a result of :mod:`mps.analysis` and returns a :class:`PublishableTable`:
the frame with display names, order and totals, plus what disclosure control needs to know
about it (which columns are counts, which are derived from which, whether rows add up to
a total). Notebooks pass it to :meth:`mps.notebook.AreaReport.table`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from mps.analysis.needs import NeedsFramework
from mps.analysis.placements import SECTOR_LABELS
from mps.analysis.profile import AGE_BAND_LABELS, CHARACTERISTICS
from mps.analysis.residential import MEASURE_LABELS
from mps.charts import numeric
from mps.codes import CATEGORY_LABELS, CATEGORY_ORDER

ALL_PLACEMENTS = "All placements"


@dataclass(frozen=True)
class PublishableTable:
    """A table ready for disclosure control and display."""

    frame: pd.DataFrame
    count_columns: tuple[str, ...]
    label_columns: tuple[str, ...] = ()
    derived: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    total_row: str | None = None
    rows_additive: bool = True
    decimals: dict[str, int] = field(default_factory=dict)
    #: The count column that totals the other count columns of each row (a two-way table).
    total_column: str | None = None


CLA_COLUMNS = {
    "year": "Year",
    "cla_at_31_march": "Children looked after at 31 March",
    "rate_per_10000": "Rate per 10,000 children",
    "starts": "Starts",
    "ceases": "Ceases",
    "net_change": "Net change",
}


def children_looked_after_table(summary: pd.DataFrame) -> PublishableTable:
    """Children looked after at 31 March, rate, starts, ceases and net change by year."""
    renamed = summary.rename(columns=CLA_COLUMNS)
    frame = renamed[[c for c in CLA_COLUMNS.values() if c in renamed.columns]]
    derived: dict[str, tuple[str, str | None]] = {"Net change": ("Starts", "Ceases")}
    if "Rate per 10,000 children" in frame:
        derived["Rate per 10,000 children"] = ("Children looked after at 31 March", None)
    return PublishableTable(
        frame=frame.reset_index(drop=True),
        count_columns=("Children looked after at 31 March", "Starts", "Ceases"),
        label_columns=("Year",),
        derived=derived,
        rows_additive=False,
        decimals={"Rate per 10,000 children": 1, "Net change": 0},
    )


def placement_mix_table(
    mix: pd.DataFrame, years: Sequence[int], reporting_year: int
) -> PublishableTable:
    """Children at 31 March by placement category (rows) and year (columns), with a total
    row and the reporting year's percentage share."""
    wide = (
        mix.pivot(index="placement_category", columns="year", values="children")
        .reindex(index=list(CATEGORY_ORDER), columns=list(years))
        .fillna(0)
        .astype("int64")
    )
    wide.columns = [str(year) for year in wide.columns]
    wide.loc[ALL_PLACEMENTS] = wide.sum()
    labels = [CATEGORY_LABELS.get(c, c) if c != ALL_PLACEMENTS else c for c in wide.index]
    wide.insert(0, "Placement", labels)
    latest = str(reporting_year)
    share = f"{latest} %"
    total = wide.loc[ALL_PLACEMENTS, latest]
    wide[share] = (100 * wide[latest] / total).round(1) if total else float("nan")
    return PublishableTable(
        frame=wide.reset_index(drop=True),
        count_columns=tuple(str(y) for y in years),
        label_columns=("Placement",),
        derived={share: (latest, None)},
        total_row=ALL_PLACEMENTS,
        decimals={share: 1},
    )


def placement_shares(published_mix: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Percentage shares per year from a *published* mix table, for the chart.

    Suppressed cells count as unknown (not drawn), so the chart shows no more than the table.
    """
    rows = published_mix[published_mix["Placement"] != ALL_PLACEMENTS]
    totals = published_mix[published_mix["Placement"] == ALL_PLACEMENTS]
    shares = {}
    for year in years:
        column = str(year)
        total = numeric(totals[column]).iloc[0] if not totals.empty else float("nan")
        values = numeric(rows[column]).to_numpy(dtype="float64")
        shares[column] = (100 * values / total).round(1) if total else values * float("nan")
    frame = pd.DataFrame(shares, index=rows["Placement"].to_list()).T
    frame.insert(0, "Year", frame.index)
    return frame.reset_index(drop=True)


# --- Needs, spend, market and referrals (the inputs beyond the 903) -----------------------
NEED_BAND_LABELS = {
    "low": "Low need",
    "medium": "Medium need",
    "high": "High need",
    "not assessed": "Not assessed",
}
ALL_BOUGHT = "All bought placements"
ALL_REQUESTS = "All requests"
ALL_CHILDREN = "All children assessed"
OLDEST_AGE = 17  # ages from this up are one row: "17 or over"


def _collection_year(year: int) -> str:
    return f"{year - 1}-{str(year)[-2:]}"


def _category_label(category: object) -> str:
    return CATEGORY_LABELS.get(category, str(category))


def _share(part: pd.Series, whole: float) -> pd.Series:
    return (100 * part / whole).round(1) if whole else part * float("nan")


def _safe_ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return numerator.astype("float64") / denominator.astype("float64").where(denominator != 0)


def _weighted_total(frame: pd.DataFrame, value: str, weight: str) -> float:
    weights = frame[weight].astype("float64")
    return float((frame[value] * weights).sum() / weights.sum()) if weights.sum() else float("nan")


def needs_by_placement_table(profile: pd.DataFrame) -> PublishableTable:
    """Children assessed, average number of needs and average need score by placement
    (``profile`` is :func:`mps.analysis.needs.needs_profile` by ``placement_category``)."""
    total = {
        "placement_category": ALL_CHILDREN,
        "children_assessed": int(profile["children_assessed"].sum()),
        "average_needs": _weighted_total(profile, "average_needs", "children_assessed"),
        "average_score": _weighted_total(profile, "average_score", "children_assessed"),
    }
    rows = pd.concat([profile, pd.DataFrame([total])], ignore_index=True)
    frame = pd.DataFrame(
        {
            "Placement": [_category_label(c) for c in rows["placement_category"]],
            "Children assessed": rows["children_assessed"].astype("int64"),
            "Average number of needs": rows["average_needs"].round(1),
            "Average need score": rows["average_score"].round(1),
        }
    )
    return PublishableTable(
        frame=frame,
        count_columns=("Children assessed",),
        label_columns=("Placement",),
        derived={
            "Average number of needs": ("Children assessed", None),
            "Average need score": ("Children assessed", None),
        },
        total_row=ALL_CHILDREN,
        decimals={"Average number of needs": 1, "Average need score": 1},
    )


ALL_AGES = "All ages"


#: The placement types the needs-occurrence table shows as columns; the rest are summed
#: into "Other placements" so the table fits a page.
NEEDS_COLUMNS = (
    "inhouse_fostering",
    "kinship_fostering",
    "ifa_fostering",
    "childrens_home",
    "supported_accommodation",
)
ANY_NEED = ": any need"


def needs_occurrence_table(
    profile: pd.DataFrame, framework: NeedsFramework, by: str = "placement_category"
) -> PublishableTable:
    """Children with each need (rows: children assessed, then each domain, "<domain>: any
    need", followed by its indicators) by placement or by age band (columns, with a total).

    ``profile`` is :func:`mps.analysis.needs.needs_profile` by ``by`` (``placement_category``
    or ``age_band``); ``framework`` the :class:`mps.analysis.needs.NeedsFramework` it was
    computed with. By placement, the types not in :data:`NEEDS_COLUMNS` are one column,
    "Other placements".
    """
    labels = [("Children assessed", "children_assessed")]
    domain_of = framework.domain_of()
    for domain in framework.domains:
        labels.append((f"{domain}{ANY_NEED}", f"domain:{domain}"))
        labels.extend(
            (i.label, i.slug) for i in framework.indicators if domain_of[i.slug] == domain
        )
    keys = [key for _, key in labels]
    if by == "age_band":
        counts = profile.set_index(by)[keys]
        columns = [AGE_BAND_LABELS.get(b, str(b)) for b in counts.index]
        total = ALL_AGES
    else:
        other = CATEGORY_ORDER[-1]
        group = profile[by].where(profile[by].isin(NEEDS_COLUMNS), other)
        counts = profile[keys].groupby(group.to_numpy()).sum()
        counts = counts.reindex([c for c in (*NEEDS_COLUMNS, other) if c in counts.index])
        columns = [_category_label(c) for c in counts.index]
        total = ALL_PLACEMENTS
    values = counts.T.astype("int64").reset_index(drop=True)
    values.columns = columns
    values[total] = values.sum(axis=1)
    values.insert(0, "Need", [label for label, _ in labels])
    return PublishableTable(
        frame=values,
        count_columns=(*columns, total),
        label_columns=("Need",),
        rows_additive=False,
        total_column=total,
    )


def needs_by_age_table(profile: pd.DataFrame) -> PublishableTable:
    """Children assessed, average number of needs and average need score by age on the day
    of the assessment (``profile``: :func:`mps.analysis.needs.needs_profile` by ``age``);
    ages from 17 up are one row."""
    profile = profile.copy()
    profile["age_row"] = profile["age"].astype("int64").clip(upper=OLDEST_AGE)
    profile["score_sum"] = profile["average_score"] * profile["children_assessed"]
    profile["needs_sum"] = profile["average_needs"] * profile["children_assessed"]
    grouped = profile.groupby("age_row")[["children_assessed", "score_sum", "needs_sum"]].sum()
    grouped.loc["total"] = grouped.sum()
    labels = [
        ALL_CHILDREN if a == "total" else f"{a} or over" if a == OLDEST_AGE else str(a)
        for a in grouped.index
    ]
    children = grouped["children_assessed"]
    frame = pd.DataFrame(
        {
            "Age": labels,
            "Children assessed": children.astype("int64").to_numpy(),
            "Average number of needs": _safe_ratio(grouped["needs_sum"], children)
            .round(1)
            .to_numpy(),
            "Average need score": _safe_ratio(grouped["score_sum"], children).round(1).to_numpy(),
        }
    )
    return PublishableTable(
        frame=frame,
        count_columns=("Children assessed",),
        label_columns=("Age",),
        derived={
            "Average number of needs": ("Children assessed", None),
            "Average need score": ("Children assessed", None),
        },
        total_row=ALL_CHILDREN,
        decimals={"Average number of needs": 1, "Average need score": 1},
    )


CHANGE_ROWS = {"lower": "Lower at the latest assessment", "same": "No change", "higher": "Higher"}
ALL_REASSESSED = "All children assessed more than once"


def needs_change_table(change: pd.DataFrame) -> PublishableTable:
    """Children whose needs were lower, the same or higher at their latest assessment than at
    their first, for the weighted need score and each domain (columns)."""
    names = ["Need score" if m == "overall" else str(m) for m in change["measure"]]
    body = change.set_index("measure")[list(CHANGE_ROWS)].T.astype("int64")
    body.columns = names
    body.loc["total"] = change.set_index("measure")["children_reassessed"].to_numpy()
    body.insert(0, "Change", [*CHANGE_ROWS.values(), ALL_REASSESSED])
    return PublishableTable(
        frame=body.reset_index(drop=True),
        count_columns=tuple(names),
        label_columns=("Change",),
        total_row=ALL_REASSESSED,
    )


def cost_by_need_table(cost: pd.DataFrame) -> PublishableTable:
    """Placements and average weekly cost by placement and need band
    (:func:`mps.analysis.cost_need.cost_by_need_band`), with a total row."""
    total = {
        "placement_category": ALL_PLACEMENTS,
        "need_band": "",
        "placements": int(cost["placements"].sum()),
        "weeks": float(cost["weeks"].sum()),
        "spend": float(cost["spend"].sum()),
    }
    rows = pd.concat([cost, pd.DataFrame([total])], ignore_index=True)
    frame = pd.DataFrame(
        {
            "Placement": [_category_label(c) for c in rows["placement_category"]],
            "Need band": [NEED_BAND_LABELS.get(b, b) for b in rows["need_band"]],
            "Placements": rows["placements"].astype("int64"),
            "Average weekly cost (£)": _safe_ratio(rows["spend"], rows["weeks"]).round(0),
        }
    )
    return PublishableTable(
        frame=frame,
        count_columns=("Placements",),
        label_columns=("Placement", "Need band"),
        derived={"Average weekly cost (£)": ("Placements", None)},
        total_row=ALL_PLACEMENTS,
        decimals={"Average weekly cost (£)": 0},
    )


def spend_table(spend: pd.DataFrame, years: Sequence[int]) -> PublishableTable:
    """Placements and spend by placement category for each year, and the latest year's share
    of placements and of spend (``spend``: :func:`mps.analysis.spend.spend_by_category`).
    Categories with no placement in these years are left out."""
    years = list(years)
    wide = spend[spend["year"].isin(years)].pivot(
        index="placement_category", columns="year", values=["placements", "spend"]
    )
    wide = wide.reindex([c for c in CATEGORY_ORDER if c in wide.index])
    wide = wide[wide["placements"].sum(axis=1) > 0]
    frame = pd.DataFrame({"Placement": [_category_label(c) for c in wide.index]})
    derived: dict[str, tuple[str, str | None]] = {}
    counts, decimals = [], {}
    for year in years:
        label = _collection_year(year)
        count, money = f"Placements {label}", f"Spend {label} (£)"
        frame[count] = wide[("placements", year)].astype("int64").to_numpy()
        frame[money] = wide[("spend", year)].astype("float64").round(0).to_numpy()
        counts.append(count)
        derived[money] = (count, None)
        decimals[money] = 0
    total = {"Placement": ALL_PLACEMENTS, **{c: frame[c].sum() for c in frame.columns[1:]}}
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    latest = _collection_year(years[-1])
    count, money = f"Placements {latest}", f"Spend {latest} (£)"
    frame[f"% of placements {latest}"] = _share(frame[count], frame[count].iloc[-1])
    frame[f"% of spend {latest}"] = _share(frame[money], frame[money].iloc[-1])
    derived[f"% of placements {latest}"] = (count, None)
    derived[f"% of spend {latest}"] = (money, None)
    decimals.update({f"% of placements {latest}": 1, f"% of spend {latest}": 1})
    frame = frame.astype({c: "int64" for c in counts})
    return PublishableTable(
        frame=frame,
        count_columns=tuple(counts),
        label_columns=("Placement",),
        derived=derived,
        total_row=ALL_PLACEMENTS,
        decimals=decimals,
    )


def unit_costs_table(costs: pd.DataFrame) -> PublishableTable:
    """Weekly unit costs by placement category (:func:`mps.analysis.spend.unit_costs`): the
    average week and the quartiles of the placements' weekly costs."""
    money = {
        "average": "Average weekly cost (£)",
        "lower_quartile": "Lower quartile (£)",
        "median": "Median (£)",
        "upper_quartile": "Upper quartile (£)",
    }
    frame = pd.DataFrame(
        {
            "Placement": [_category_label(c) for c in costs["placement_category"]],
            "Placements": costs["placements"].astype("int64"),
            **{label: costs[key].round(0) for key, label in money.items()},
        }
    )
    return PublishableTable(
        frame=frame,
        count_columns=("Placements",),
        label_columns=("Placement",),
        derived={label: ("Placements", None) for label in money.values()},
        decimals={label: 0 for label in money.values()},
    )


ON_CONTRACT = "On contract"
OFF_CONTRACT = "Off contract (spot)"


def contract_table(mix: pd.DataFrame) -> PublishableTable:
    """Bought placements and spend on and off contract by category
    (:func:`mps.analysis.market.contract_mix`), with totals."""
    rows = mix.copy()
    total = {"placement_category": ALL_BOUGHT, **rows.drop(columns="placement_category").sum()}
    rows = pd.concat([rows, pd.DataFrame([total])], ignore_index=True)
    all_bought = rows["on_contract"] + rows["off_contract"]
    frame = pd.DataFrame(
        {
            "Placement": [_category_label(c) for c in rows["placement_category"]],
            ON_CONTRACT: rows["on_contract"].astype("int64"),
            OFF_CONTRACT: rows["off_contract"].astype("int64"),
            ALL_BOUGHT: all_bought.astype("int64"),
            "% off contract": (100 * _safe_ratio(rows["off_contract"], all_bought)).round(1),
            "Spend on contract (£)": rows["on_contract_spend"].round(0),
            "Spend off contract (£)": rows["off_contract_spend"].round(0),
        }
    )
    spend = rows["on_contract_spend"] + rows["off_contract_spend"]
    frame["% of spend off contract"] = (100 * _safe_ratio(rows["off_contract_spend"], spend)).round(
        1
    )
    return PublishableTable(
        frame=frame,
        count_columns=(ON_CONTRACT, OFF_CONTRACT, ALL_BOUGHT),
        label_columns=("Placement",),
        derived={
            "% off contract": (OFF_CONTRACT, ALL_BOUGHT),
            "Spend on contract (£)": (ON_CONTRACT, None),
            "Spend off contract (£)": (OFF_CONTRACT, None),
            "% of spend off contract": ("Spend off contract (£)", "Spend on contract (£)"),
        },
        total_row=ALL_BOUGHT,
        total_column=ALL_BOUGHT,
        decimals={
            "% off contract": 1,
            "Spend on contract (£)": 0,
            "Spend off contract (£)": 0,
            "% of spend off contract": 1,
        },
    )


def ratings_table(ratings: pd.DataFrame) -> PublishableTable:
    """Placements, and bought placements, by the Ofsted rating of the provision
    (:func:`mps.analysis.market.provision_ratings`)."""
    frame = pd.DataFrame(
        {
            "Ofsted rating": ratings["rating"].astype(str),
            "Placements": ratings["placements"].astype("int64"),
            "Bought placements": ratings["bought_placements"].astype("int64"),
        }
    )
    total = {"Ofsted rating": ALL_PLACEMENTS, **frame[["Placements", "Bought placements"]].sum()}
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    frame["% of placements"] = _share(frame["Placements"], frame["Placements"].iloc[-1])
    frame["% of bought placements"] = _share(
        frame["Bought placements"], frame["Bought placements"].iloc[-1]
    )
    frame = frame[
        [
            "Ofsted rating",
            "Placements",
            "% of placements",
            "Bought placements",
            "% of bought placements",
        ]
    ]
    return PublishableTable(
        frame=frame.astype({"Placements": "int64", "Bought placements": "int64"}),
        count_columns=("Placements", "Bought placements"),
        label_columns=("Ofsted rating",),
        derived={
            "% of placements": ("Placements", None),
            "% of bought placements": ("Bought placements", None),
        },
        total_row=ALL_PLACEMENTS,
        decimals={"% of placements": 1, "% of bought placements": 1},
    )


def key_providers_table(providers: pd.DataFrame) -> PublishableTable:
    """The key providers of bought placements by spend, the rest, and the total
    (:func:`mps.analysis.market.key_providers`)."""
    frame = pd.DataFrame(
        {
            "Provider": providers["provider"].astype(str),
            "Ofsted rating of settings used": providers["ofsted_rating"].astype(str),
            "Placements": providers["placements"].astype("int64"),
            "Spend (£)": providers["spend"].astype("float64").round(0),
        }
    )
    total = {
        "Provider": ALL_BOUGHT,
        "Ofsted rating of settings used": "",
        "Placements": int(frame["Placements"].sum()),
        "Spend (£)": float(frame["Spend (£)"].sum()),
    }
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    frame["% of placements"] = _share(frame["Placements"], frame["Placements"].iloc[-1])
    frame["% of spend"] = _share(frame["Spend (£)"], frame["Spend (£)"].iloc[-1])
    frame = frame[
        [
            "Provider",
            "Placements",
            "% of placements",
            "Spend (£)",
            "% of spend",
            "Ofsted rating of settings used",
        ]
    ]
    return PublishableTable(
        frame=frame.astype({"Placements": "int64"}),
        count_columns=("Placements",),
        label_columns=("Provider", "Ofsted rating of settings used"),
        derived={
            "% of placements": ("Placements", None),
            "Spend (£)": ("Placements", None),
            "% of spend": ("Spend (£)", None),
        },
        total_row=ALL_BOUGHT,
        decimals={"% of placements": 1, "Spend (£)": 0, "% of spend": 1},
    )


def contract_price_table(effect: pd.DataFrame) -> PublishableTable:
    """Average weekly price on and off contract for like placements, and the cost the
    contracts avoided (:func:`mps.analysis.market.contract_price_effect`)."""
    frame = pd.DataFrame(
        {
            "Placement": [_category_label(c) for c in effect["placement_category"]],
            "Need band": [NEED_BAND_LABELS.get(b, b) for b in effect["need_band"]],
            "Placements on contract": effect["on_contract"].astype("int64"),
            "Placements off contract": effect["off_contract"].astype("int64"),
            "Average weekly price on contract (£)": effect["on_contract_price"].round(0),
            "Average weekly price off contract (£)": effect["off_contract_price"].round(0),
            "Difference a week (£)": effect["difference"].round(0),
            "Cost avoided this year (£)": effect["cost_avoided"].round(0),
        }
    )
    money = [c for c in frame.columns if c.endswith("(£)")]
    return PublishableTable(
        frame=frame,
        count_columns=("Placements on contract", "Placements off contract"),
        label_columns=("Placement", "Need band"),
        derived={
            "Average weekly price on contract (£)": ("Placements on contract", None),
            "Average weekly price off contract (£)": ("Placements off contract", None),
            "Difference a week (£)": (
                "Average weekly price off contract (£)",
                "Average weekly price on contract (£)",
            ),
            "Cost avoided this year (£)": ("Difference a week (£)", None),
        },
        decimals={c: 0 for c in money},
    )


def borough_variance_table(variance: pd.DataFrame) -> PublishableTable:
    """Average weekly cost of like placements, and the lowest and highest borough averages
    (:func:`mps.analysis.market.borough_cost_variance`)."""
    frame = pd.DataFrame(
        {
            "Placement": [_category_label(c) for c in variance["placement_category"]],
            "Need band": [NEED_BAND_LABELS.get(b, b) for b in variance["need_band"]],
            "Placements": variance["placements"].astype("int64"),
            "Average weekly cost (£)": variance["average"].round(0),
            "Boroughs compared": variance["boroughs_compared"].astype("int64"),
            "Lowest borough average (£)": variance["lowest"].round(0),
            "Highest borough average (£)": variance["highest"].round(0),
            "Highest / lowest": variance["ratio"].round(2),
        }
    )
    return PublishableTable(
        frame=frame,
        count_columns=("Placements",),
        # A number of boroughs, not of children: published as it is.
        label_columns=("Placement", "Need band", "Boroughs compared"),
        derived={
            "Average weekly cost (£)": ("Placements", None),
            "Lowest borough average (£)": ("Placements", None),
            "Highest borough average (£)": ("Placements", None),
            "Highest / lowest": ("Placements", None),
        },
        decimals={
            "Average weekly cost (£)": 0,
            "Lowest borough average (£)": 0,
            "Highest borough average (£)": 0,
            "Highest / lowest": 2,
        },
    )


RESULT_LABELS = {
    "placed_as_sought": "Placed as sought",
    "placed_otherwise": "Placed in another type",
    "unplaced": "Unplaced",
    "withdrawn": "Withdrawn",
}
PLACEMENT_TYPE_LABELS = {
    "fostering": "Fostering",
    "parent and child": "Parent and child",
    "childrens home": "Children's home",
    "supported accommodation": "Supported accommodation",
    "secure": "Secure",
}


def referrals_by_year_table(by_year: pd.DataFrame) -> PublishableTable:
    """Placement requests per year, per month and per 10,000 children, and their results
    (:func:`mps.analysis.referrals.requests_by_year`)."""
    frame = pd.DataFrame({"Year": [_collection_year(int(y)) for y in by_year["year"]]})
    frame["Requests"] = by_year["requests"].astype("int64").to_numpy()
    derived: dict[str, tuple[str, str | None]] = {"Requests a month": ("Requests", None)}
    frame["Requests a month"] = by_year["per_month"].round(1).to_numpy()
    if "rate_per_10000" in by_year:
        frame["Requests per 10,000 children"] = by_year["rate_per_10000"].round(1).to_numpy()
        derived["Requests per 10,000 children"] = ("Requests", None)
    for key, label in RESULT_LABELS.items():
        frame[label] = by_year[key].astype("int64").to_numpy()
    return PublishableTable(
        frame=frame,
        count_columns=("Requests", *RESULT_LABELS.values()),
        label_columns=("Year",),
        derived=derived,
        rows_additive=False,
        total_column="Requests",
        decimals={"Requests a month": 1, "Requests per 10,000 children": 1},
    )


def referrals_by_month_table(by_month: pd.DataFrame) -> PublishableTable:
    """Placement requests in each month of the year, with the year's total
    (:func:`mps.analysis.referrals.requests_by_month`)."""
    frame = pd.DataFrame(
        {
            "Month": by_month["month"].dt.strftime("%B %Y"),
            "Requests": by_month["requests"].astype("int64"),
        }
    )
    frame = pd.concat(
        [frame, pd.DataFrame([{"Month": ALL_REQUESTS, "Requests": int(frame["Requests"].sum())}])],
        ignore_index=True,
    )
    return PublishableTable(
        frame=frame, count_columns=("Requests",), label_columns=("Month",), total_row=ALL_REQUESTS
    )


def referrals_by_type_table(by_type: pd.DataFrame) -> PublishableTable:
    """Placement requests by type sought and their results, with the days from request to
    placement (:func:`mps.analysis.referrals.requests_by_type`)."""
    rows = by_type.copy()
    rows["days_sum"] = rows["average_days_to_place"].fillna(0) * rows["placed"]
    total = {
        "placement_type_sought": ALL_REQUESTS,
        **rows.drop(columns=["placement_type_sought", "average_days_to_place"]).sum(),
    }
    rows = pd.concat([rows, pd.DataFrame([total])], ignore_index=True)
    frame = pd.DataFrame(
        {
            "Placement sought": [
                PLACEMENT_TYPE_LABELS.get(t, t) for t in rows["placement_type_sought"]
            ]
        }
    )
    frame["Requests"] = rows["requests"].astype("int64")
    for key, label in RESULT_LABELS.items():
        frame[label] = rows[key].astype("int64")
    requests = rows["requests"]
    frame["% placed as sought"] = (100 * _safe_ratio(rows["placed_as_sought"], requests)).round(1)
    frame["% unplaced or placed in another type"] = (
        100 * _safe_ratio(rows["unplaced"] + rows["placed_otherwise"], requests)
    ).round(1)
    frame["Average days from request to placement"] = _safe_ratio(
        rows["days_sum"], rows["placed"]
    ).round(1)
    return PublishableTable(
        frame=frame,
        count_columns=("Requests", *RESULT_LABELS.values()),
        label_columns=("Placement sought",),
        derived={
            "% placed as sought": ("Placed as sought", "Requests"),
            "% unplaced or placed in another type": ("Unplaced", "Placed in another type"),
            "Average days from request to placement": (
                "Placed as sought",
                "Placed in another type",
            ),
        },
        total_row=ALL_REQUESTS,
        total_column="Requests",
        decimals={
            "% placed as sought": 1,
            "% unplaced or placed in another type": 1,
            "Average days from request to placement": 1,
        },
    )


def referrals_by_notice_table(by_notice: pd.DataFrame) -> PublishableTable:
    """Placement requests by the notice given (Hampshire's placement-finding timescales),
    with the days from request to placement (:func:`mps.analysis.referrals.requests_by_notice`)."""
    rows = by_notice.copy()
    rows["days_sum"] = rows["average_days_to_place"].fillna(0) * rows["placed"]
    total = {"notice_band": ALL_REQUESTS, **rows[["requests", "placed", "days_sum"]].sum()}
    rows = pd.concat([rows, pd.DataFrame([total])], ignore_index=True)
    frame = pd.DataFrame(
        {
            "Placement needed": rows["notice_band"].astype(str),
            "Requests": rows["requests"].astype("int64"),
        }
    )
    frame["% of requests"] = _share(frame["Requests"], frame["Requests"].iloc[-1])
    frame["Placed"] = rows["placed"].astype("int64")
    frame["Average days from request to placement"] = _safe_ratio(
        rows["days_sum"], rows["placed"]
    ).round(1)
    return PublishableTable(
        frame=frame,
        count_columns=("Requests", "Placed"),
        label_columns=("Placement needed",),
        derived={
            "% of requests": ("Requests", None),
            "Average days from request to placement": ("Placed", None),
        },
        total_row=ALL_REQUESTS,
        decimals={"% of requests": 1, "Average days from request to placement": 1},
    )


def referrals_by_age_table(by_age: pd.DataFrame) -> PublishableTable:
    """Placement requests by age band (rows) and type sought (columns), with totals and each
    band's share (:func:`mps.analysis.referrals.requests_by_age`)."""
    types = [c for c in by_age.columns if c not in ("age_band", "requests")]
    labels = [PLACEMENT_TYPE_LABELS.get(t, t) for t in types]
    frame = by_age.rename(columns=dict(zip(types, labels, strict=True)))
    frame = frame.rename(columns={"age_band": "Age", "requests": ALL_REQUESTS})
    frame["Age"] = frame["Age"].map(AGE_BAND_LABELS).fillna(frame["Age"])
    total = {"Age": "All ages", **frame[[*labels, ALL_REQUESTS]].sum()}
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    frame["% of requests"] = _share(frame[ALL_REQUESTS], frame[ALL_REQUESTS].iloc[-1])
    frame = frame.astype({c: "int64" for c in (*labels, ALL_REQUESTS)})
    return PublishableTable(
        frame=frame,
        count_columns=(*labels, ALL_REQUESTS),
        label_columns=("Age",),
        derived={"% of requests": (ALL_REQUESTS, None)},
        total_row="All ages",
        total_column=ALL_REQUESTS,
        decimals={"% of requests": 1},
    )


# --- The 903: flows, profile, placements, stability and the residential cohort -------------
ALL_LOOKED_AFTER = "All children looked after"

ALL_CEASED = "All children who ceased"
ALL_CHANGES = "All placement changes"
#: Catch-all groups left out of a table when they are empty in every year shown.
CATCH_ALL_GROUPS = ("Not recorded", "Not known", "Unknown", "Distance or location not known")


def share_column(year: int) -> str:
    """The name of the percentage column of ``year`` in a groups-by-year table."""
    return f"{year} %"


def groups_by_year_table(
    long: pd.DataFrame,
    *,
    group: str,
    years: Sequence[int],
    reporting_year: int,
    label: str,
    labels: Mapping[str, str] | None = None,
    value: str = "children",
    total: str = ALL_LOOKED_AFTER,
    drop_if_empty: Sequence[str] = CATCH_ALL_GROUPS,
) -> PublishableTable:
    """Groups (rows, in the order of ``long``) by year (columns) with a total row and the
    reporting year's percentage share: the shape of every "children by X" table.

    ``long`` has columns year, ``group`` and ``value`` (an analysis result); ``labels``
    renames groups for display; catch-all groups (``drop_if_empty``) with no one in any
    year are left out. Raises ValueError when ``reporting_year`` is not among ``years``.
    """
    if reporting_year not in years:
        raise ValueError(f"reporting year {reporting_year} is not one of the years {list(years)}")
    order = list(dict.fromkeys(long[group].astype(str)))
    wide = (
        long.assign(**{group: long[group].astype(str)})
        .pivot_table(index=group, columns="year", values=value, aggfunc="sum")
        .reindex(index=order, columns=list(years))
        .fillna(0)
        .astype("int64")
    )
    empty = wide.sum(axis=1).eq(0) & wide.index.isin(list(drop_if_empty))
    wide = wide.loc[~empty]
    wide.columns = [str(year) for year in wide.columns]
    wide.loc[total] = wide.sum()
    names = dict(labels or {})
    wide.insert(0, label, [names.get(g, g) if g != total else g for g in wide.index])
    latest, share = str(reporting_year), share_column(reporting_year)
    wide[share] = _share(wide[latest], wide.loc[total, latest])
    return PublishableTable(
        frame=wide.reset_index(drop=True),
        count_columns=tuple(str(y) for y in years),
        label_columns=(label,),
        derived={share: (latest, None)},
        total_row=total,
        decimals={share: 1},
    )


def group_shares(
    published: pd.DataFrame, *, label: str, years: Sequence[int], total: str = ALL_LOOKED_AFTER
) -> pd.DataFrame:
    """Each group's percentage of the total per year from a *published* groups-by-year
    table, for a chart: rows are years, columns groups. A suppressed cell (or total) is
    unknown (NaN, not drawn), so the chart shows no more than the table."""
    rows = published[published[label] != total]
    totals = published[published[label] == total]
    shares = {}
    for year in years:
        column = str(year)
        whole = numeric(totals[column]).iloc[0] if not totals.empty else float("nan")
        values = numeric(rows[column]).to_numpy(dtype="float64")
        shares[column] = (100 * values / whole).round(1) if whole else values * float("nan")
    frame = pd.DataFrame(shares, index=rows[label].to_list()).T
    frame.insert(0, "Year", frame.index)
    return frame.reset_index(drop=True)


def characteristic_table(
    profile: pd.DataFrame, characteristic: str, years: Sequence[int], reporting_year: int
) -> PublishableTable:
    """Children looked after at 31 March by one characteristic (rows) and year (columns)
    (``profile`` is :func:`mps.analysis.profile.profile_at_31_march`)."""
    rows = profile[profile["characteristic"] == characteristic]
    if rows.empty:
        raise ValueError(f"the profile has no characteristic {characteristic!r}")
    return groups_by_year_table(
        rows,
        group="group",
        years=years,
        reporting_year=reporting_year,
        label=CHARACTERISTIC_LABELS.get(characteristic, characteristic),
    )


#: The label column of each characteristic's table (:data:`mps.analysis.profile.CHARACTERISTICS`).
CHARACTERISTIC_LABELS = {name: c.label for name, c in CHARACTERISTICS.items()}


def sector_table(mix: pd.DataFrame, years: Sequence[int], reporting_year: int) -> PublishableTable:
    """Children looked after at 31 March by who provides the placement
    (:func:`mps.analysis.placements.sector_mix`)."""
    return groups_by_year_table(
        mix,
        group="sector",
        years=years,
        reporting_year=reporting_year,
        label="Provided by",
        labels=SECTOR_LABELS,
        drop_if_empty=("not recorded",),
    )


def locality_table(
    mix: pd.DataFrame, years: Sequence[int], reporting_year: int
) -> PublishableTable:
    """Children looked after at 31 March by DfE's distance locality of their placement
    (:func:`mps.analysis.placements.locality_mix`)."""
    return groups_by_year_table(
        mix, group="locality", years=years, reporting_year=reporting_year, label="Placed"
    )


def placed_area_table(
    mix: pd.DataFrame, years: Sequence[int], reporting_year: int, consortium_name: str
) -> PublishableTable:
    """Children looked after at 31 March by where they are placed: own council, another
    member of the consortium, elsewhere (:func:`mps.analysis.placements.area_mix`)."""
    labels = {
        "In another member council's area": f"In another council of {consortium_name}",
    }
    return groups_by_year_table(
        mix,
        group="placed",
        years=years,
        reporting_year=reporting_year,
        label="Placed",
        labels=labels,
    )


def reasons_ceased_table(
    reasons: pd.DataFrame, years: Sequence[int], reporting_year: int
) -> PublishableTable:
    """Children who ceased to be looked after by DfE's group of the reason
    (:func:`mps.analysis.flows.reasons_ceased`); groups nobody left for are left out."""
    in_use = reasons.groupby("reason_group", sort=False)["children"].transform("sum") > 0
    return groups_by_year_table(
        reasons.loc[in_use.to_numpy(dtype=bool)],
        group="reason_group",
        years=years,
        reporting_year=reporting_year,
        label="Reason for leaving care",
        total=ALL_CEASED,
    )


def durations_table(
    durations: pd.DataFrame, years: Sequence[int], reporting_year: int
) -> PublishableTable:
    """Children who ceased to be looked after by how long their period of care lasted
    (:func:`mps.analysis.flows.care_durations`)."""
    return groups_by_year_table(
        durations,
        group="duration_band",
        years=years,
        reporting_year=reporting_year,
        label="Time looked after",
        total=ALL_CEASED,
        drop_if_empty=(*CATCH_ALL_GROUPS, "Not known (care began before the returns loaded)"),
    )


def placement_changes_table(
    changes: pd.DataFrame, years: Sequence[int], reporting_year: int
) -> PublishableTable:
    """Placement changes by reason (:func:`mps.analysis.placements.placement_changes`);
    reasons never given are left out."""
    in_use = changes.groupby("reason", sort=False)["changes"].transform("sum") > 0
    return groups_by_year_table(
        changes.loc[in_use.to_numpy(dtype=bool)],
        group="reason",
        years=years,
        reporting_year=reporting_year,
        label="Reason for the change",
        value="changes",
        total=ALL_CHANGES,
    )


FLOW_COLUMNS = {
    "year": "Year",
    "starts": "Children who started",
    "re_entries": "Re-entering care",
    "re_entries_pct": "Re-entering care %",
    "re_entries_within_12_months": "Within 12 months of leaving",
    "uasc_starts": "UASC",
    "uasc_pct": "UASC %",
}


def flows_table(trend: pd.DataFrame) -> PublishableTable:
    """Children who started to be looked after, those re-entering care (and within 12
    months of leaving), and UASC, by year (:func:`mps.analysis.flows.flow_trend`). A
    blank 12-month figure (the look-back precedes the returns) is published as ``x``."""
    frame = trend.copy()
    frame["re_entries_pct"] = (100 * _safe_ratio(frame["re_entries"], frame["starts"])).round(1)
    frame["uasc_pct"] = (100 * _safe_ratio(frame["uasc_starts"], frame["starts"])).round(1)
    frame["re_entries_within_12_months"] = (
        frame["re_entries_within_12_months"].astype("Float64").astype("float64")
    )
    frame = frame[list(FLOW_COLUMNS)].rename(columns=FLOW_COLUMNS)
    frame["Year"] = frame["Year"].astype(str)
    return PublishableTable(
        frame=frame,
        count_columns=(
            "Children who started",
            "Re-entering care",
            "Within 12 months of leaving",
            "UASC",
        ),
        label_columns=("Year",),
        derived={
            "Re-entering care %": ("Re-entering care", "Children who started"),
            "UASC %": ("UASC", "Children who started"),
        },
        rows_additive=False,
        decimals={"Re-entering care %": 1, "UASC %": 1},
    )


def rate_columns(area: str) -> tuple[str, str]:
    """The (children, rate) column names of ``area`` in :func:`rate_comparison_table`."""
    return f"{area}: children", f"{area}: rate per 10,000"


def rate_comparison_table(rates: pd.DataFrame) -> PublishableTable:
    """Children looked after at 31 March and the rate per 10,000 aged 0-17 of each area
    (pairs of columns, in the order of ``rates``) by year (rows). ``rates`` is
    :func:`mps.analysis.flows.area_rates`, perhaps with benchmark areas added."""
    areas = list(dict.fromkeys(rates["area"].astype(str)))
    years = sorted(rates["year"].unique())
    frame = pd.DataFrame({"Year": [str(y) for y in years]})
    counts, derived = [], {}
    for area in areas:
        rows = rates[rates["area"] == area].set_index("year").reindex(years)
        number, rate = rate_columns(area)
        frame[number] = rows["children"].to_numpy(dtype="float64")
        frame[rate] = rows["rate_per_10000"].to_numpy(dtype="float64")
        counts.append(number)
        derived[rate] = (number, None)
    return PublishableTable(
        frame=frame,
        count_columns=tuple(counts),
        label_columns=("Year",),
        derived=derived,
        rows_additive=False,
        decimals={**{c: 0 for c in counts}, **{r: 1 for r in derived}},
    )


def rate_series(published: pd.DataFrame) -> pd.DataFrame:
    """The rates of a *published* :func:`rate_comparison_table` for a line chart: Year and
    one column per area, named by the area (suppressed rates stay symbols, not drawn)."""
    suffix = ": rate per 10,000"
    rates = [c for c in published.columns if c.endswith(suffix)]
    frame = published[["Year", *rates]].copy()
    return frame.rename(columns={c: c[: -len(suffix)] for c in rates})


def rates_by_area_table(
    rates: pd.DataFrame, years: Sequence[int], total_area: str | None = None
) -> PublishableTable:
    """Children looked after at 31 March and the rate per 10,000 aged 0-17 of each area
    (rows, in the order of ``rates``) in the chosen ``years`` (pairs of columns): the shape
    for a consortium beside its boroughs. ``total_area`` names the row that totals the
    others (the consortium), so disclosure control treats the rows as adding up."""
    areas = list(dict.fromkeys(rates["area"].astype(str)))
    frame = pd.DataFrame({"Area": areas})
    counts, derived = [], {}
    for year in years:
        rows = rates[rates["year"] == year].set_index("area").reindex(areas)
        number, rate = f"{year}: children", f"{year}: rate per 10,000"
        frame[number] = rows["children"].to_numpy(dtype="float64")
        frame[rate] = rows["rate_per_10000"].to_numpy(dtype="float64")
        counts.append(number)
        derived[rate] = (number, None)
    return PublishableTable(
        frame=frame,
        count_columns=tuple(counts),
        label_columns=("Area",),
        derived=derived,
        total_row=total_area,
        rows_additive=total_area is not None,
        decimals={**{c: 0 for c in counts}, **{r: 1 for r in derived}},
    )


RESIDENTIAL_HOMES = "Children's homes"
RESIDENTIAL_HOMES_PCT = "Children's homes %"
RESIDENTIAL_ALL = "All children looked after"
RESIDENTIAL_ALL_PCT = "All children looked after %"
ALL_IN_GROUP = "All children"


def residential_measure_table(profile: pd.DataFrame, measure: str) -> PublishableTable:
    """Children in children's homes beside all children looked after at 31 March, by the
    groups of one measure, with a total row and each column's percentages
    (:func:`mps.analysis.residential.residential_profile`)."""
    rows = profile[profile["measure"] == measure]
    if rows.empty:
        raise ValueError(f"the residential profile has no measure {measure!r}")
    rows = rows[(rows["childrens_home"] + rows["all_children"]) > 0]
    label = MEASURE_LABELS.get(measure, measure)
    names = SECTOR_LABELS if measure == "sector" else {}
    frame = pd.DataFrame(
        {
            label: [names.get(g, g) for g in rows["group"].astype(str)],
            RESIDENTIAL_HOMES: rows["childrens_home"].astype("int64").to_numpy(),
            RESIDENTIAL_ALL: rows["all_children"].astype("int64").to_numpy(),
        }
    )
    total = {label: ALL_IN_GROUP, **frame[[RESIDENTIAL_HOMES, RESIDENTIAL_ALL]].sum()}
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    frame = frame.astype({RESIDENTIAL_HOMES: "int64", RESIDENTIAL_ALL: "int64"})
    frame.insert(
        2,
        RESIDENTIAL_HOMES_PCT,
        _share(frame[RESIDENTIAL_HOMES], frame[RESIDENTIAL_HOMES].iloc[-1]),
    )
    frame[RESIDENTIAL_ALL_PCT] = _share(frame[RESIDENTIAL_ALL], frame[RESIDENTIAL_ALL].iloc[-1])
    return PublishableTable(
        frame=frame,
        count_columns=(RESIDENTIAL_HOMES, RESIDENTIAL_ALL),
        label_columns=(label,),
        derived={
            RESIDENTIAL_HOMES_PCT: (RESIDENTIAL_HOMES, None),
            RESIDENTIAL_ALL_PCT: (RESIDENTIAL_ALL, None),
        },
        total_row=ALL_IN_GROUP,
        decimals={RESIDENTIAL_HOMES_PCT: 1, RESIDENTIAL_ALL_PCT: 1},
    )


RESIDENTIAL_COST_COLUMNS = {
    "children": "Children in children's homes",
    "costed": "With a weekly cost",
    "weekly_average": "Average weekly cost (£)",
    "lower_quartile": "Lower quartile (£)",
    "median": "Median (£)",
    "upper_quartile": "Upper quartile (£)",
    "weekly_total": "Total a week (£)",
}


def residential_costs_table(costs: pd.DataFrame) -> PublishableTable:
    """What the children's home placements cost a week at 31 March
    (:func:`mps.analysis.residential.residential_costs`): every cost is withheld with the
    number of placements it is worked out from."""
    frame = costs[list(RESIDENTIAL_COST_COLUMNS)].rename(columns=RESIDENTIAL_COST_COLUMNS)
    money = [c for c in frame.columns if c.endswith("(£)")]
    frame[money] = frame[money].round(0)
    costed = RESIDENTIAL_COST_COLUMNS["costed"]
    return PublishableTable(
        frame=frame.reset_index(drop=True),
        count_columns=(RESIDENTIAL_COST_COLUMNS["children"], costed),
        derived={column: (costed, None) for column in money},
        rows_additive=False,
        decimals=dict.fromkeys(money, 0),
    )


STABILITY_COLUMNS = {
    "year": "Year",
    "cla_at_31_march": "Children looked after at 31 March",
    "three_plus_placements": "3 or more placements in the year",
    "three_plus_pct": "3 or more placements %",
    "long_term_eligible": "Under 16, looked after 2.5 years or more",
    "long_term_stable": "Of them, with the same carers 2 years or more",
    "long_term_pct": "Same carers 2 years or more %",
}


def stability_table(trend: pd.DataFrame) -> PublishableTable:
    """Placement stability by year (:func:`mps.analysis.placements.stability_trend`): 3 or
    more placements during the year, and DfE's long-term stability measure (``x`` where
    the returns loaded do not reach back far enough)."""
    frame = trend[list(STABILITY_COLUMNS)].rename(columns=STABILITY_COLUMNS)
    frame["Year"] = frame["Year"].astype(str)
    # Counts the returns cannot complete (Int64 <NA>) are published as not available (x).
    frame = frame.astype({c: "float64" for c in frame.columns if c != "Year"})
    name = STABILITY_COLUMNS
    return PublishableTable(
        frame=frame.reset_index(drop=True),
        count_columns=(
            name["cla_at_31_march"],
            name["three_plus_placements"],
            name["long_term_eligible"],
            name["long_term_stable"],
        ),
        label_columns=("Year",),
        derived={
            name["three_plus_pct"]: (name["three_plus_placements"], name["cla_at_31_march"]),
            name["long_term_pct"]: (name["long_term_stable"], name["long_term_eligible"]),
        },
        rows_additive=False,
        decimals={name["three_plus_pct"]: 1, name["long_term_pct"]: 1},
    )
