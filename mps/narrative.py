"""Plain-English commentary generated from published (disclosure-controlled) tables.

Every function here reads a table *after* :mod:`mps.disclosure`, so a sentence can never
reveal a value its table suppresses: a suppressed figure is described as withheld.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from mps.charts import numeric
from mps.presentation import ALL_BOUGHT, ALL_PLACEMENTS


def year_label(year: int) -> str:
    """A collection year as the sector writes it: ``2025`` -> ``"2024-25"``."""
    return f"{year - 1}-{str(year)[-2:]}"


def _count(value: object) -> str:
    number = numeric(pd.Series([value])).iloc[0]
    if pd.isna(number):
        # A secondary suppression can hide a count of any size: never say "fewer than".
        return "a withheld number of" if str(value).strip() == "c" else "an unknown number of"
    return f"{int(number):,}"


def _change_phrase(first: float, last: float, since: int) -> str:
    if pd.isna(first) or pd.isna(last) or first == 0:
        return ""
    change = (last - first) / first * 100
    if abs(change) < 0.5:
        return f" That is about the same as at 31 March {since}."
    direction = "more" if change > 0 else "fewer"
    return f" That is {abs(change):.0f}% {direction} than at 31 March {since}."


def children_looked_after_sentence(summary: pd.DataFrame, area_name: str) -> str:
    """Describe the latest year of a published yearly summary and its change since the first.

    ``summary`` has one row per year with ``Year``, ``Children looked after at 31 March``,
    ``Rate per 10,000 children`` (optional), ``Starts`` and ``Ceases``.
    """
    if summary.empty:
        return f"No children looked after by {area_name} were found in the years loaded."
    latest = summary.iloc[-1]
    first = summary.iloc[0]
    year = int(latest["Year"])
    cla_column = "Children looked after at 31 March"
    sentence = (
        f"At 31 March {year}, {_count(latest[cla_column])} children were looked "
        f"after by {area_name}"
    )
    rate_column = "Rate per 10,000 children"
    if rate_column in summary.columns:
        rate = numeric(pd.Series([latest[rate_column]])).iloc[0]
        if not pd.isna(rate):
            sentence += f", a rate of {rate:.0f} per 10,000 children aged 0 to 17"
    sentence += "."
    if len(summary) > 1:
        values = numeric(summary[cla_column])
        sentence += _change_phrase(values.iloc[0], values.iloc[-1], int(first["Year"]))
    starts = _count(latest["Starts"])
    ceases = _count(latest["Ceases"])
    sentence += (
        f" During {year_label(year)}, {starts} children started to be looked after and "
        f"{ceases} ceased to be looked after."
    )
    return sentence


def placement_mix_sentence(mix: pd.DataFrame, year: int) -> str:
    """Name the largest placement categories in a published mix table for ``year``.

    ``mix`` has a ``Placement`` column and a percentage column for the year (``"2025 %"``);
    its total row, if any, is ignored.
    """
    column = f"{year} %"
    mix = mix[mix["Placement"] != ALL_PLACEMENTS]
    shares = numeric(mix[column])
    ranked = (
        pd.DataFrame({"placement": mix["Placement"], "share": shares})
        .dropna()
        .query("share > 0")
        .sort_values(["share", "placement"], ascending=[False, True], kind="stable")
    )
    if ranked.empty:
        return f"No placement figures can be published for 31 March {year}."
    parts = [f"{row.placement.lower()} ({row.share:.0f}%)" for row in ranked.head(3).itertuples()]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" and {parts[-1]}"
    return f"At 31 March {year} the most used placements were {listed}."


# --- Needs, spend, market and referrals -------------------------------------------------
#: What each optional input is, for the sentence a section shows when it is missing.
OPTIONAL_INPUTS = {
    "spend": (
        "placement spend",
        "a spend.csv in the borough's folder (one row per placement: child, dates, weekly "
        "cost, provider, Ofsted URN and contract status)",
    ),
    "referrals": (
        "log of placement requests",
        "a referrals.csv in the borough's folder (one row per request: dates requested, "
        "needed and placed, age, type of placement sought and the outcome)",
    ),
    "needs": (
        "needs assessments",
        "a needs.csv in the borough's folder (one row per child per Valuing Care "
        "assessment, rating each need from 0 to 3)",
    ),
    "providers": (
        "Ofsted provider register",
        "Ofsted's provider-level file saved as providers.csv in the data folder",
    ),
}


def _value(value: object) -> float:
    return numeric(pd.Series([value], dtype="object")).iloc[0]


def _pct(value: object, decimals: int = 0) -> str:
    number = _value(value)
    return "a withheld share" if pd.isna(number) else f"{number:.{decimals}f}%"


def _money(value: float) -> str:
    if pd.isna(value):
        return "a withheld amount"
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:,.1f} million"
    return f"£{value:,.0f}"


def _rounded(value: float) -> float:
    """An estimate to the nearest £1,000 (to 3 significant figures above £1 million)."""
    if abs(value) >= 1_000_000:
        return float(f"{value:.3g}")
    return round(value, -3) if abs(value) >= 10_000 else value


def _lower(text: str) -> str:
    return text[0].lower() + text[1:] if text else text


def _listed(parts: list[str]) -> str:
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" and {parts[-1]}"


def _row(table: pd.DataFrame, column: str, label: str) -> pd.Series | None:
    rows = table[table[column] == label]
    return None if rows.empty else rows.iloc[0]


def missing_input_sentence(kind: str, area_name: str) -> str:
    """The sentence a section shows when its input was not supplied: what would fill it."""
    what, where = OPTIONAL_INPUTS[kind]
    verb = "were" if what.endswith("assessments") else "was"
    return (
        f"No {what} {verb} supplied for {area_name}, so this section has no figures yet: "
        f"{where} would fill it."
    )


def coverage_sentence(
    kind: str, covered: list[str], boroughs: list[str], borough_names: list[str]
) -> str:
    """For a consortium where only some boroughs supplied an input, say which ("" if all)."""
    if set(boroughs) <= set(covered) or not covered:
        return ""
    names = dict(zip(boroughs, borough_names, strict=True))
    missing = [names[b] for b in boroughs if b not in covered]
    what = OPTIONAL_INPUTS[kind][0]
    return (
        f"These figures cover the {len(covered)} of {len(boroughs)} boroughs that supplied "
        f"their {what}; {_listed(missing)} did not."
    )


def needs_by_placement_sentence(table: pd.DataFrame, indicators: int) -> str:
    """The placement type whose children have the highest average need score, against all
    children assessed, from a published needs-by-placement table."""
    total = table.iloc[-1]
    rows = table.iloc[:-1].assign(score=numeric(table.iloc[:-1]["Average need score"]))
    rows = rows.dropna(subset=["score"]).sort_values(
        ["score", "Placement"], ascending=[False, True]
    )
    if rows.empty or pd.isna(_value(total["Average need score"])):
        return "Too few children were assessed for average needs to be published."
    top = rows.iloc[0]
    return (
        f"Children {_placed(top['Placement'])} had the highest average need "
        f"score, {top['score']:.1f}, against {_value(total['Average need score']):.1f} for "
        f"all {_count(total['Children assessed'])} children assessed, who had on average "
        f"{_value(total['Average number of needs']):.1f} of the {indicators} needs."
    )


def needs_occurrence_sentence(table: pd.DataFrame, column: str = ALL_PLACEMENTS) -> str:
    """The three most common needs, from a published needs-occurrence table."""
    assessed = _value(table.iloc[0][column])
    needs = table.iloc[1:][~table["Need"].iloc[1:].str.endswith(": any need")]
    counts = numeric(needs[column])
    ranked = (
        pd.DataFrame({"need": needs["Need"].to_numpy(), "count": counts.to_numpy()})
        .dropna()
        .sort_values(["count", "need"], ascending=[False, True], kind="stable")
    )
    if ranked.empty or pd.isna(assessed) or not assessed:
        return "Too few children were assessed for the occurrence of needs to be published."
    parts = [
        f"{row.need[0].lower()}{row.need[1:]} ({100 * row.count / assessed:.0f}%)"
        for row in ranked.head(3).itertuples()
    ]
    return f"Among the children assessed, the most common needs were {_listed(parts)}."


def needs_by_age_band_sentence(table: pd.DataFrame, total_column: str = "All ages") -> str:
    """The need domain whose occurrence differs most between age bands, from a published
    needs-occurrence table by age band (shares of the children assessed in each band)."""
    bands = [c for c in table.columns[1:] if c != total_column]
    assessed = table.iloc[0][bands].map(_value).astype("float64")
    domains = table[table["Need"].str.endswith(": any need")]
    counts = domains[bands].apply(numeric).astype("float64")
    shares = 100 * counts.div(assessed.where(assessed > 0), axis=1)
    spread = (shares.max(axis=1) - shares.min(axis=1)).where(shares.notna().sum(axis=1) >= 2)
    if spread.isna().all():
        return ""
    widest = spread.idxmax()
    row = shares.loc[widest]
    domain = domains.loc[widest, "Need"].removesuffix(": any need")
    high, low = row.idxmax(), row.idxmin()
    high_share, low_share = row.max(), row.min()
    return (
        f"Needs in {domain} differed most with age: {high_share:.0f}% of children aged "
        f"{_lower(high)} had one, against {low_share:.0f}% of those aged {_lower(low)}."
    )


def needs_by_age_sentence(table: pd.DataFrame) -> str:
    """The ages at which average need scores peak, from a published needs-by-age table."""
    rows = table.iloc[:-1]
    ages = pd.to_numeric(rows["Age"].str.extract(r"^(\d+)")[0], errors="coerce")
    scores = numeric(rows["Average need score"]).to_numpy(dtype="float64")
    values = pd.Series(scores, index=ages.to_numpy())
    before, after = values.shift(1), values.shift(-1)
    peak = values.notna() & (before.isna() | (values > before)) & (after.isna() | (values > after))
    peaks = values[peak.to_numpy()].sort_values(ascending=False, kind="stable").head(2)
    if peaks.empty:
        return "Too few children were assessed for needs by age to be published."
    parts = [f"age {int(age)} ({score:.1f})" for age, score in peaks.items()]
    if len(parts) == 2:
        parts[1] = f"at {parts[1]}"
    return f"Average need scores peaked at {_listed(parts)}."


def needs_change_sentence(table: pd.DataFrame) -> str:
    """How many children's need scores fell or rose between assessments (published table)."""
    total, lower, higher = (table.iloc[i]["Need score"] for i in (-1, 0, 2))
    whole = _value(total)
    if pd.isna(whole) or not whole:
        return "Too few children have been assessed more than once to show how needs change."
    fell, rose = _value(lower), _value(higher)
    return (
        f"Of {_count(total)} children assessed more than once, {_count(lower)} "
        f"({_pct(100 * fell / whole)}) had a lower need score at their latest assessment "
        f"than at their first, and {_count(higher)} ({_pct(100 * rose / whole)}) a higher one."
    )


def cost_need_sentence(model: object | None) -> str:
    """What the cost-against-need model found (:class:`mps.analysis.cost_need.CostModel`).

    The model summarises at least 20 placements (the fit needs them), so no placement's
    cost can be recovered from it.
    """
    if model is None:
        return (
            "Too few placements have both a weekly cost and a needs assessment to relate cost "
            "to need."
        )
    effect, low, high = model.need_effect_pct, model.need_effect_low, model.need_effect_high
    explained = f"{100 * model.r_squared:.0f}%"
    if low <= 0 <= high:
        link = "there was no clear link between a child's need score and the weekly cost"
    else:
        direction = "higher" if effect > 0 else "lower"
        link = (
            f"each extra point of weighted need went with a weekly cost about "
            f"{abs(effect):.1f}% {direction} (95% confidence interval {low:.1f}% to {high:.1f}%)"
        )
    return (
        f"Across {model.placements:,} placements with a needs assessment, for placements of "
        f"the same type {link}; need and type of placement together account for {explained} "
        "of the variation in weekly cost."
    )


def cost_by_need_sentence(table: pd.DataFrame) -> str:
    """The widest gap in average weekly cost between high and low need within a placement
    type, from a published cost-by-need table."""
    rows = table.assign(cost=numeric(table["Average weekly cost (£)"]))
    low = rows[rows["Need band"] == "Low need"].set_index("Placement")["cost"]
    high = rows[rows["Need band"] == "High need"].set_index("Placement")["cost"]
    both = pd.DataFrame({"low": low, "high": high}).dropna()
    if both.empty:
        return ""
    both["ratio"] = both["high"] / both["low"]
    placement, row = next(iter(both.sort_values("ratio", ascending=False).iterrows()))
    return (
        f"A placement {_placed(placement)} for a child with high needs "
        f"cost on average {_money(row['high'])} a week, against {_money(row['low'])} for a "
        "child with low needs."
    )


def spend_sentence(table: pd.DataFrame, years: list[int]) -> str:
    """Total spend in the latest year, its change, and the placement type whose share of
    spend most exceeds its share of placements (e.g. "Children's homes are 12% of placements
    but 41% of spend"), from a published spend table."""
    latest, first = year_label(years[-1]), year_label(years[0])
    total = table.iloc[-1]
    now = _value(total[f"Spend {latest} (£)"])
    sentence = f"Placements cost {_money(now)} in {latest}"
    if len(years) > 1:
        before = _value(total[f"Spend {first} (£)"])
        if not pd.isna(before) and before and not pd.isna(now):
            change = 100 * (now - before) / before
            direction = "more" if change >= 0 else "less"
            sentence += f", {abs(change):.0f}% {direction} than in {first}"
    sentence += "."
    rows = table.iloc[:-1]
    shares = pd.DataFrame(
        {
            "placement": rows["Placement"].to_numpy(),
            "placements": numeric(rows[f"% of placements {latest}"]).to_numpy(),
            "spend": numeric(rows[f"% of spend {latest}"]).to_numpy(),
        }
    ).dropna()
    if not shares.empty:
        shares["gap"] = shares["spend"] - shares["placements"]
        top = shares.sort_values(["gap", "placement"], ascending=[False, True]).iloc[0]
        sentence += (
            f" {_placements(top['placement'])} are {top['placements']:.0f}% of placements but "
            f"{top['spend']:.0f}% of spend."
        )
    return sentence


def unit_costs_sentence(table: pd.DataFrame) -> str:
    """Average weekly costs of the main placement types, from a published unit-cost table."""
    rows = table.assign(average=numeric(table["Average weekly cost (£)"])).dropna(
        subset=["average"]
    )
    if rows.empty:
        return "Too few placements were costed for weekly costs to be published."
    dearest = rows.sort_values(["average", "Placement"], ascending=[False, True]).iloc[0]
    low, high = _value(dearest["Lower quartile (£)"]), _value(dearest["Upper quartile (£)"])
    sentence = (
        f"A week {_placed(dearest['Placement'])} cost {_money(dearest['average'])} on average"
    )
    if not (pd.isna(low) or pd.isna(high)):
        sentence += f" (the middle half cost between {_money(low)} and {_money(high)} a week)"
    others = rows[rows["Placement"] != dearest["Placement"]]
    others = others.assign(volume=numeric(others["Placements"])).sort_values(
        ["volume", "Placement"], ascending=[False, True]
    )
    parts = [f"{_money(r.average)} {_placed(r.Placement)}" for r in others.head(3).itertuples()]
    if parts:
        sentence += f"; a week cost {_listed(parts)}"
    return sentence + "."


#: How a sentence says "in" each placement type.
PLACEMENT_PHRASES = {
    "In-house fostering": "in in-house fostering",
    "Kinship (connected person) fostering": "in kinship fostering",
    "Independent fostering agency": "with an independent fostering agency",
    "Children's home": "in a children's home",
    "Supported accommodation (16+)": "in supported accommodation",
    "Secure children's home": "in a secure children's home",
    "Placed with parents": "placed with parents",
    "Placed for adoption": "placed for adoption",
    "Other placements": "in other placements",
}


def _placed(placement: str) -> str:
    return PLACEMENT_PHRASES.get(placement, f"in {placement[0].lower()}{placement[1:]}")


def _placements(placement: str) -> str:
    return placement if placement.lower().endswith("placements") else f"{placement} placements"


def contract_sentence(table: pd.DataFrame, target_pct: float | None, year: int) -> str:
    """The share of bought placements and spend off contract against the target, from a
    published contract table."""
    total = table.iloc[-1]
    off, spend = total["% off contract"], total["% of spend off contract"]
    if pd.isna(_value(off)):
        return "Too few placements were bought for the contract mix to be published."
    sentence = (
        f"In {year_label(year)}, {_pct(off, 1)} of the {_count(total[ALL_BOUGHT])} bought "
        f"placements were spot purchases (off contract)"
    )
    if target_pct is not None:
        within = "within" if _value(off) <= target_pct else "above"
        sentence += f", {within} the target of at most {target_pct:g}%"
    sentence += f"; spot purchases were {_pct(spend, 1)} of spend on bought placements."
    rows = (
        table.iloc[:-1]
        .assign(share=numeric(table.iloc[:-1]["% off contract"]))
        .dropna(subset=["share"])
    )
    if len(rows) > 1:
        top = rows.sort_values(["share", "Placement"], ascending=[False, True]).iloc[0]
        sentence += (
            f" The share was highest for {_lower(_placements(top['Placement']))} "
            f"({top['share']:.0f}%)."
        )
    return sentence


def ratings_sentence(table: pd.DataFrame) -> str:
    """The share of bought placements in Good or Outstanding provision (published table)."""
    shares = table.set_index("Ofsted rating")["% of bought placements"].map(_value)
    good = shares.get("Outstanding", float("nan")) + shares.get("Good", float("nan"))
    weak = shares.get("Requires improvement to be good", float("nan")) + shares.get(
        "Inadequate", float("nan")
    )
    if pd.isna(good):
        return "Too few bought placements could be matched to the Ofsted register to publish."
    sentence = (
        f"{good:.0f}% of bought placements were in provision rated Good or Outstanding by Ofsted"
    )
    if not pd.isna(weak):
        sentence += f" and {weak:.0f}% in provision rated Requires improvement or Inadequate"
    return sentence + "; the rest were in provision not yet rated or not matched to the register."


def key_providers_sentence(table: pd.DataFrame) -> str:
    """How concentrated spend on bought placements is, from a published key-provider table."""
    named = table.iloc[:-1]
    named = named[named["Provider"] != "All other providers"]
    shares = numeric(named["% of spend"])
    if named.empty or shares.isna().all():
        return "Too few providers had enough placements for their figures to be published."
    leader = named.iloc[int(shares.fillna(-1).to_numpy().argmax())]
    return (
        f"The {len(named)} providers named here received {shares.sum():.0f}% of spend on "
        f"bought placements; the largest, {leader['Provider']}, received "
        f"{_pct(leader['% of spend'], 1)}."
    )


def contract_price_sentence(table: pd.DataFrame) -> str:
    """Whether contracted placements cost less than spot ones of the same type and need, and
    the cost avoided, summed over the rows the published table shows."""
    rows = table.assign(
        difference=numeric(table["Difference a week (£)"]),
        avoided=numeric(table["Cost avoided this year (£)"]),
    ).dropna(subset=["difference", "avoided"])
    if rows.empty:
        return (
            "Too few like placements were bought both on and off contract to compare their prices."
        )
    dearer = int((rows["difference"] > 0).sum())
    avoided = float(rows["avoided"].sum())
    outcome = (
        f"the contracts avoided about {_money(_rounded(avoided))}"
        if avoided >= 0
        else f"the contracted placements cost about {_money(_rounded(-avoided))} more than "
        "spot prices would have"
    )
    return (
        f"Comparing like placements (the same type and need band) in the {len(rows)} groups "
        f"that can be published, spot purchases cost more a week than contracted ones in "
        f"{dearer}; at this year's volumes {outcome}."
    )


def borough_variance_sentence(table: pd.DataFrame) -> str:
    """The widest cost difference between boroughs for like placements (published table)."""
    rows = table.assign(ratio=numeric(table["Highest / lowest"])).dropna(subset=["ratio"])
    if rows.empty:
        return "Too few like placements were made in several boroughs to compare their costs."
    top = rows.sort_values(["ratio", "Placement"], ascending=[False, True]).iloc[0]
    return (
        f"The widest difference between boroughs was for {top['Placement'][0].lower()}"
        f"{top['Placement'][1:]} ({top['Need band'].lower()}): the highest borough average, "
        f"{_money(_value(top['Highest borough average (£)']))} a week, was {top['ratio']:.2f} "
        "times the lowest."
    )


def referrals_sentence(table: pd.DataFrame, area_name: str) -> str:
    """Requests in the latest year, per month and per 10,000 children (published table)."""
    latest = table.iloc[-1]
    sentence = (
        f"In {latest['Year']} the placements team received {_count(latest['Requests'])} "
        f"requests for placements for children looked after by {area_name}"
    )
    per_month = _value(latest["Requests a month"])
    if not pd.isna(per_month):
        sentence += f", about {per_month:.0f} a month"
    if "Requests per 10,000 children" in table:
        rate = _value(latest["Requests per 10,000 children"])
        if not pd.isna(rate):
            sentence += f", or {rate:.0f} for every 10,000 children aged 0 to 17"
    sentence += "."
    if len(table) > 1:
        first = table.iloc[0]
        before, now = _value(first["Requests"]), _value(latest["Requests"])
        if not (pd.isna(before) or pd.isna(now)) and before:
            change = 100 * (now - before) / before
            if abs(change) < 0.5:
                sentence += f" That is about the same as in {first['Year']}."
            else:
                direction = "more" if change > 0 else "fewer"
                sentence += f" That is {abs(change):.0f}% {direction} than in {first['Year']}."
    return sentence


def referrals_by_month_sentence(table: pd.DataFrame) -> str:
    """The busiest and quietest months, from a published requests-by-month table."""
    rows = table.iloc[:-1].assign(requests=numeric(table.iloc[:-1]["Requests"]))
    known = rows.dropna(subset=["requests"])
    if known.empty:
        return "Too few requests were made for monthly figures to be published."
    busiest = known.sort_values("requests", ascending=False, kind="stable").iloc[0]
    quietest = known.sort_values("requests", kind="stable").iloc[0]
    return (
        f"Requests ranged from {quietest['requests']:.0f} in {quietest['Month']} to "
        f"{busiest['requests']:.0f} in {busiest['Month']}."
    )


def referral_timescales_sentence(table: pd.DataFrame) -> str:
    """Placement-finding timescales as Hampshire reports them, from a published table."""
    shares = table.set_index("Placement needed")["% of requests"].map(_value)
    same, two = shares.get("Same day"), shares.get("1-2 days")
    within_two = same + two if not (pd.isna(same) or pd.isna(two)) else float("nan")
    return (
        f"{_pct(same)} of requests were for a placement the same day and {_pct(within_two)} "
        f"within 2 days; {_pct(shares.get('3-5 days'))} gave 3 to 5 days' notice, "
        f"{_pct(shares.get('6-14 days'))} 6 to 14 days and "
        f"{_pct(shares.get('15 days or more'))} 15 days or more."
    )


def referral_outcomes_sentence(table: pd.DataFrame) -> str:
    """How many requests were placed as sought, unplaced or placed in another type."""
    total = table.iloc[-1]
    sentence = (
        f"{_pct(total['% placed as sought'])} of requests were placed in the type of "
        f"placement sought and {_pct(total['% unplaced or placed in another type'])} were "
        "unplaced or placed in another type of placement"
    )
    days = _value(total["Average days from request to placement"])
    if not pd.isna(days):
        sentence += f"; a placement took on average {days:.0f} days from the request"
    return sentence + "."


def referrals_by_age_sentence(table: pd.DataFrame) -> str:
    """The age bands most requests were for, from a published requests-by-age table."""
    rows = table.iloc[:-1]
    ranked = (
        pd.DataFrame({"age": rows["Age"].to_numpy(), "share": numeric(rows["% of requests"])})
        .dropna()
        .sort_values(["share", "age"], ascending=[False, True])
    )
    if ranked.empty:
        return ""
    parts = [f"{row.age} ({row.share:.0f}%)" for row in ranked.head(2).itertuples()]
    return f"Most requests were for children aged {_listed(parts)}."


# --- The 903: flows, profile, placements, stability and the residential cohort -------------
def _known(value: object) -> float | None:
    """A published figure as a number, or None when it is withheld or not available."""
    number = _value(value)
    return None if pd.isna(number) else float(number)


def _year_row(table: pd.DataFrame, year: int) -> pd.Series | None:
    rows = table[table["Year"].astype(str) == str(year)]
    return None if rows.empty else rows.iloc[0]


def _ranked(
    table: pd.DataFrame, label: str, column: str, exclude: Sequence[str] = ()
) -> list[tuple[str, float]]:
    """The groups of a published table with a known, non-zero value in ``column``, largest
    first (ties by name); rows named in ``exclude`` (totals, catch-alls) left out."""
    pairs = [
        (str(group), _known(value))
        for group, value in zip(table[label], table[column], strict=True)
        if str(group) not in exclude
    ]
    known = [(g, v) for g, v in pairs if v is not None and v > 0]
    return sorted(known, key=lambda pair: (-pair[1], pair[0]))


def _share_of(table: pd.DataFrame, label: str, group: str, column: str) -> float | None:
    row = _row(table, label, group)
    return None if row is None else _known(row[column])


def _whole_pct(value: float) -> str:
    return f"{value:.0f}%"


def _how_many(value: object) -> str:
    """A published count as a number, or "a withheld number" (never "fewer than")."""
    number = _known(value)
    if number is not None:
        return f"{int(number):,}"
    return "a withheld number" if str(value).strip() == "c" else "an unknown number"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def flows_sentence(table: pd.DataFrame, year: int) -> str:
    """Starts, re-entries and UASC starts in ``year`` from a published flows table
    (:func:`mps.presentation.flows_table`)."""
    row = _year_row(table, year)
    if row is None:
        return f"No figures on children starting to be looked after in {year_label(year)}."
    starts = _count(row["Children who started"])
    sentence = f"During {year_label(year)}, {starts} children started to be looked after."
    share = _known(row["Re-entering care %"])
    sentence += f" {_capital(_how_many(row['Re-entering care']))} of them"
    sentence += f" ({_whole_pct(share)})" if share is not None else ""
    sentence += " had been looked after before"
    within = row["Within 12 months of leaving"]
    if _known(within) is not None or str(within).strip() == "c":
        sentence += f", {_how_many(within)} within 12 months of leaving care"
    sentence += "."
    uasc_share = _known(row["UASC %"])
    sentence += f" {_capital(_how_many(row['UASC']))}"
    sentence += f" ({_whole_pct(uasc_share)})" if uasc_share is not None else ""
    sentence += " were unaccompanied asylum-seeking children."
    return sentence


def rate_comparison_sentence(table: pd.DataFrame, year: int) -> str:
    """The first area's rate per 10,000 in ``year`` against the other areas of a published
    rate comparison (:func:`mps.presentation.rate_comparison_table`), in whole numbers."""
    suffix = ": rate per 10,000"
    areas = [c[: -len(suffix)] for c in table.columns if c.endswith(suffix)]
    row = _year_row(table, year)
    if row is None or not areas:
        return f"No rates per 10,000 can be compared for 31 March {year}."
    own = _known(row[areas[0] + suffix])
    if own is None:
        return (
            f"The rate of children looked after by {areas[0]} at 31 March {year} is withheld "
            "to protect confidentiality."
        )
    sentence = (
        f"At 31 March {year}, {areas[0]} looked after {own:.0f} children per 10,000 aged 0 to 17"
    )
    groups: dict[str, list[str]] = {"higher than": [], "lower than": [], "the same as": []}
    for area in areas[1:]:
        other = _known(row[area + suffix])
        if other is None:
            continue
        key = (
            "the same as"
            if round(own) == round(other)
            else "higher than"
            if own > other
            else "lower than"
        )
        name = "its statistical neighbours" if area == "Statistical neighbours" else area
        groups[key].append(f"{name} ({other:.0f})")
    parts = [f"{key} {_listed(names)}" for key, names in groups.items() if names]
    return sentence + (", " + _listed(parts) if parts else "") + "."


def rates_by_area_sentence(table: pd.DataFrame, year: int, area_name: str) -> str:
    """The consortium's rate per 10,000 in ``year`` and the range across its boroughs, from
    a published :func:`mps.presentation.rates_by_area_table`."""
    column = f"{year}: rate per 10,000"
    own = _row(table, "Area", area_name)
    rate = _known(own[column]) if own is not None else None
    sentence = (
        f"At 31 March {year}, {area_name} looked after {rate:.0f} children per 10,000 aged 0 to 17."
        if rate is not None
        else f"The rate for {area_name} at 31 March {year} is withheld."
    )
    ranked = _ranked(table, "Area", column, exclude=(area_name,))
    if len(ranked) >= 2:
        (high, high_rate), (low, low_rate) = ranked[0], ranked[-1]
        sentence += (
            f" Among its boroughs the rate ranged from {low_rate:.0f} in {low} to "
            f"{high_rate:.0f} in {high}."
        )
    return sentence


#: Why a rate comparison cannot be shown: what is missing, and what would fill it.
_RATES_UNAVAILABLE = {
    "population": (
        "No population figures were supplied, so rates per 10,000 children cannot be worked "
        "out: a population.csv of ONS mid-year estimates of children aged 0 to 17 in the data "
        "folder would fill this section."
    ),
    "members": (
        "The consortium's rate cannot be worked out because the 903 returns of {names} could "
        "not be used in this build; the comparison returns once they load."
    ),
    "alone": (
        "There is no other area to compare with here: the parameters name no other member "
        "borough of the consortium."
    ),
}


def rates_unavailable_sentence(reason: str, names: Sequence[str] = ()) -> str:
    """Why the rate comparison is missing: ``"population"``, ``"members"`` (naming the
    members whose returns could not be used) or ``"alone"`` (no other member named)."""
    return _RATES_UNAVAILABLE[reason].format(names=_listed(list(names)))


def benchmark_notes(
    area_name: str,
    *,
    named: bool,
    found: bool,
    neighbours: Sequence[str],
    missing: Sequence[str],
    is_consortium: bool,
) -> list[str]:
    """What the comparison with DfE's published figures lacks, and what would fill it: no
    table named (``named``), the named table not found (``found``), no statistical
    neighbours listed for a borough, or neighbours (``missing``, ONS codes) not in the
    table. Empty when nothing is missing."""
    if not named:
        return [
            "Comparisons with England"
            + ("" if is_consortium else " and with statistical neighbours")
            + " need the Department for Education's published table of children looked "
            "after by local authority (cla_number_and_rate_per_10k_children.csv, from "
            "explore-education-statistics), named as benchmarks.dfe_tables in the "
            "consortium's parameter file."
        ]
    if not found:
        return [
            "The Department for Education's table named in the parameters "
            "(benchmarks.dfe_tables) was not found, so there is no comparison with England."
        ]
    if is_consortium:
        return []
    if not neighbours:
        return [
            f"No statistical neighbours are listed for {area_name}: listing their ONS codes "
            "as statistical_neighbours in its parameter file adds them to this comparison."
        ]
    if missing:
        return [
            f"The Department for Education's table has no figures for {_listed(list(missing))}, "
            f"listed as statistical neighbours of {area_name}, so no figure for its "
            "neighbours is shown."
        ]
    return []


#: How each characteristic's largest groups are introduced.
_PROFILE_LEADS = {
    "Age": "the largest age groups were",
    "Category of need": "the most common categories of need were",
    "Legal status": "the most common legal statuses were",
}
_PROFILE_EXCLUDE = ("All children looked after", "Not recorded", "Not known", "Unknown")


def profile_sentence(table: pd.DataFrame, label: str, year: int, top: int = 3) -> str:
    """The largest groups of a published characteristic table (rows: groups of ``label``,
    e.g. "Age"; a ``"<year> %"`` column) at 31 March ``year``. Sex and ethnicity read as
    shares of the children; for UASC the sentence gives the UASC share."""
    column = f"{year} %"
    if label == "UASC":
        share = _share_of(table, label, "Unaccompanied asylum-seeking children", column)
        if share is None:
            return (
                f"The share of unaccompanied asylum-seeking children at 31 March {year} is "
                "withheld."
            )
        return (
            f"At 31 March {year}, {_whole_pct(share)} of the children looked after were "
            "unaccompanied asylum-seeking children."
        )
    ranked = _ranked(table, label, column, _PROFILE_EXCLUDE)
    if not ranked:
        return f"No {label.lower()} figures can be published for 31 March {year}."
    if label in ("Sex", "Ethnicity"):
        shown = [
            (group if label == "Ethnicity" else group.lower(), _whole_pct(share))
            for group, share in ranked[: 2 if label == "Sex" else top]
        ]
        first, rest = shown[0], [f"{share} {group}" for group, share in shown[1:]]
        listed = _listed([f"{first[1]} of the children looked after were {first[0]}", *rest])
        return f"At 31 March {year}, {listed}."
    lead = _PROFILE_LEADS.get(label, f"the largest groups by {label.lower()} were")
    parts = [f"{_lower(group)} ({_whole_pct(share)})" for group, share in ranked[:top]]
    sentence = f"At 31 March {year}, {lead} {_listed(parts)}."
    if label == "Category of need":
        disability = _share_of(table, label, "Child's disability", column)
        if disability is not None:
            sentence += (
                f" {_whole_pct(disability)} were looked after mainly because of their disability."
            )
    return sentence


def groups_sentence(
    table: pd.DataFrame, label: str, year: int, lead: str, exclude: Sequence[str] = (), top: int = 3
) -> str:
    """``lead`` followed by the largest groups of a published groups-by-year table with
    their shares in ``year`` ("the most common reasons were a (40%), b (20%) and c (9%)")."""
    column = f"{year} %"
    ranked = _ranked(table, label, column, (*exclude, *_TOTALS))
    if not ranked:
        return f"No figures can be published for {year_label(year)}."
    parts = [f"{_lower(group)} ({_whole_pct(share)})" for group, share in ranked[:top]]
    return f"{lead} {_listed(parts)}."


_TOTALS = (
    "All children looked after",
    "All children who ceased",
    "All placement changes",
    "All children",
)


def reasons_ceased_sentence(table: pd.DataFrame, year: int) -> str:
    """The commonest reasons for leaving care in ``year`` (published reasons table)."""
    total = _row(table, table.columns[0], "All children who ceased")
    number = _count(total[str(year)]) if total is not None else "an unknown number of"
    return groups_sentence(
        table,
        table.columns[0],
        year,
        f"Of the {number} children who ceased to be looked after in {year_label(year)}, "
        "the most common reasons were",
        exclude=("Ceased for any other reason",),
    )


def durations_sentence(table: pd.DataFrame, year: int) -> str:
    """How many of the children who left care in ``year`` had been looked after for under
    6 months and for 2 years or more (published durations table)."""
    label, column = table.columns[0], f"{year} %"

    def combined(groups: Sequence[str]) -> float | None:
        values = [_share_of(table, label, g, column) for g in groups]
        present = [g for g in groups if _row(table, label, g) is not None]
        if not present or any(
            v is None for g, v in zip(groups, values, strict=True) if g in present
        ):
            return None
        return sum(v for v in values if v is not None)

    short = combined(["Under 1 month", "1 month to under 6 months"])
    long = combined(["2 years to under 5 years", "5 years or more"])
    parts = []
    if short is not None:
        parts.append(f"{_whole_pct(short)} had been looked after for under 6 months")
    if long is not None:
        verb = "" if parts else " had been looked after"
        parts.append(f"{_whole_pct(long)}{verb} for 2 years or more")
    if not parts:
        return (
            f"How long children who left care in {year_label(year)} had been looked after is "
            "withheld."
        )
    sentence = f"Of the children who left care in {year_label(year)}, {_listed(parts)}."
    unknown = _share_of(table, label, "Not known (care began before the returns loaded)", column)
    if unknown:
        sentence += (
            f" For {_whole_pct(unknown)} the length is not known: their care began before the "
            "earliest return loaded."
        )
    return sentence


def sector_sentence(table: pd.DataFrame, year: int) -> str:
    """Who provides the placements at 31 March ``year`` (published sector table)."""
    label, column = table.columns[0], f"{year} %"
    own = _share_of(table, label, "The council's own provision", column)
    independent = _share_of(table, label, "Private or voluntary providers", column)
    parts = []
    if own is not None:
        parts.append(
            f"{_whole_pct(own)} of children looked after lived in placements the council "
            "provides itself"
        )
    if independent is not None:
        parts.append(f"{_whole_pct(independent)} in placements from private or voluntary providers")
    if not parts:
        return f"Who provides the placements at 31 March {year} is withheld."
    return f"At 31 March {year}, {_listed(parts)}."


def locality_sentence(table: pd.DataFrame, year: int) -> str:
    """DfE's distance measure at 31 March ``year`` (published locality table): placed
    outside the council's area and more than 20 miles from home."""
    label, column = table.columns[0], f"{year} %"
    far = _share_of(table, label, "Outside the council's area, over 20 miles", column)
    near = _share_of(table, label, "Inside the council's area, 20 miles or less", column)
    if far is None and near is None:
        return f"How far from home children were placed at 31 March {year} is withheld."
    parts = []
    if near is not None:
        parts.append(
            f"{_whole_pct(near)} of children looked after lived inside the council's area "
            "and within 20 miles of home"
        )
    if far is not None:
        parts.append(
            f"{_whole_pct(far)} outside the area and more than 20 miles away (the Department for "
            "Education's measure of distant placements)"
        )
    return f"At 31 March {year}, {_listed(parts)}."


def placed_area_sentence(table: pd.DataFrame, year: int, consortium_name: str) -> str:
    """Where children were placed at 31 March ``year`` (published placed-area table): their
    own council's area, another council of the consortium, elsewhere."""
    label, column = table.columns[0], f"{year} %"
    own = _share_of(table, label, "In the council's own area", column)
    member = _share_of(table, label, f"In another council of {consortium_name}", column)
    elsewhere = _share_of(table, label, "Elsewhere in England", column)
    parts = []
    if own is not None:
        parts.append(
            f"{_whole_pct(own)} of children looked after lived in their own council's area"
        )
    if member is not None:
        parts.append(f"{_whole_pct(member)} in another council of {consortium_name}")
    if elsewhere is not None:
        parts.append(f"{_whole_pct(elsewhere)} elsewhere in England")
    if not parts:
        return f"Where children were placed at 31 March {year} is withheld."
    return f"At 31 March {year}, {_listed(parts)}."


def stability_sentence(table: pd.DataFrame, year: int) -> str:
    """The two stability measures in ``year`` from a published stability table."""
    row = _year_row(table, year)
    if row is None:
        return f"No stability figures for {year_label(year)}."
    three = _known(row["3 or more placements %"])
    sentence = (
        f"In {year_label(year)}, {three:.1f}% of children looked after at 31 March had three or "
        "more placements during the year."
        if three is not None
        else f"The share of children with three or more placements in {year_label(year)} is "
        "withheld."
    )
    long_term = row["Same carers 2 years or more %"]
    if _known(long_term) is not None:
        sentence += (
            " Of children under 16 who had been looked after for two and a half years or more, "
            f"{_known(long_term):.1f}% had lived with the same carers for at least two years."
        )
    elif str(long_term).strip() == "x":
        sentence += (
            " Long-term stability cannot be measured for this year: the returns loaded do not "
            "reach back two and a half years."
        )
    else:
        sentence += " The long-term stability figure is withheld to protect confidentiality."
    return sentence


def placement_changes_sentence(table: pd.DataFrame, year: int) -> str:
    """The number of placement changes in ``year`` and their commonest reasons."""
    label = table.columns[0]
    total = _row(table, label, "All placement changes")
    number = _count(total[str(year)]) if total is not None else "an unknown number of"
    return groups_sentence(
        table,
        label,
        year,
        f"There were {number} placement changes in {year_label(year)}; the most common "
        "recorded reasons were",
        exclude=("Other", "Not recorded"),
    )


#: How the groups of each residential measure read: "...of children in homes {phrase}".
_RESIDENTIAL_PHRASES = {
    "Age": "were aged {group}",
    "Category of need": "had {group} as their category of need",
    "Time in the current placement": "had been in their home for {group}",
    "Time in care": "had been looked after for {group}",
    "Distance from home": "were placed {group}",
    "Who provides the placement": "lived in homes run by {group}",
}


def residential_sentence(table: pd.DataFrame, year: int | None = None) -> str:
    """What stands out about children in children's homes in one published measure table
    (:func:`mps.presentation.residential_measure_table`): the group where their share is
    furthest above all children's. With ``year``, the sentence starts with how many children
    live in children's homes (from the table's total row)."""
    label = table.columns[0]
    homes, everyone = "Children's homes %", "All children looked after %"
    opening = ""
    total = _row(table, label, "All children")
    if year is not None and total is not None:
        number = _count(total["Children's homes"])
        opening = f"At 31 March {year}, {number} children lived in children's homes. "
    best: tuple[float, str, float, float] | None = None
    for group, h, a in zip(table[label], table[homes], table[everyone], strict=True):
        if str(group) in (
            "All children",
            "Not recorded",
            "Not known (began before the returns loaded)",
            "Distance or location not known",
        ):
            continue
        h_value, a_value = _known(h), _known(a)
        if h_value is None or a_value is None:
            continue
        gap = h_value - a_value
        if best is None or gap > best[0]:
            best = (gap, str(group), h_value, a_value)
    if best is None or best[0] <= 0:
        return opening + "No group stands out from all children looked after in these figures."
    _, group, h_value, a_value = best
    phrase = _RESIDENTIAL_PHRASES.get(label, "were in the group {group}").format(
        group=_lower(group)
    )
    return (
        f"{opening}{_whole_pct(h_value)} of children in children's homes {phrase}, against "
        f"{_whole_pct(a_value)} of all children looked after."
    )


def residential_costs_sentence(table: pd.DataFrame) -> str:
    """What children's home placements cost a week, from a published costs table
    (:func:`mps.presentation.residential_costs_table`)."""
    row = table.iloc[0]
    costed = row["With a weekly cost"]
    average = _known(row["Average weekly cost (£)"])
    if average is None:
        if _known(costed) == 0:
            return "None of these placements has a weekly cost in the spend data supplied."
        return "Too few of these placements have a recorded cost for their costs to be published."
    median, total = _known(row["Median (£)"]), _known(row["Total a week (£)"])
    children = row["Children in children's homes"]
    everyone = _known(costed) is not None and _known(costed) == _known(children)
    sentence = (
        f"All {_how_many(children)} placements have"
        if everyone
        else f"{_capital(_how_many(costed))} of the {_how_many(children)} placements have"
    ) + f" a weekly cost in the spend data: on average {_money(average)} a week"
    if median is not None:
        sentence += f" (median {_money(median)})"
    if total is not None:
        sentence += f", {_money(total)} a week in all"
    return sentence + "."
