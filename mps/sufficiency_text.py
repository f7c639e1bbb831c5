"""Plain-English sentences about supply, gaps and sufficiency, from published tables.

Like :mod:`mps.narrative`, every function reads a table *after* disclosure control, so a
sentence never gives a figure its table withholds: a suppressed value is left out or
described as withheld, never as "small".
"""

from __future__ import annotations

import pandas as pd

from mps.charts import numeric
from mps.narrative import year_label
from mps.sufficiency_tables import ALL_BOUGHT, ALL_CARERS, ALL_COMMISSIONED


def _value(value: object) -> float:
    return numeric(pd.Series([value], dtype="object")).iloc[0]


def _count(value: object, noun: str) -> str:
    number = _value(value)
    if pd.isna(number):
        return f"a withheld number of {noun}"
    return f"{int(number):,} {noun}"


def _listed(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" and {parts[-1]}"


def _places(number: float) -> str:
    return f"{int(number):,} place" + ("" if int(number) == 1 else "s")


def _money(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:,.1f} million"
    return f"£{value:,.0f}"


def fostering_sentence(published: pd.DataFrame, area_name: str) -> str:
    """The latest year of a published in-house fostering table (one row per year)."""
    if published.empty:
        return f"No in-house fostering figures were provided for {area_name}."
    latest = published.iloc[-1]
    year = int(latest["Year"])
    sentence = (
        f"At 31 March {year} {area_name} had "
        f"{_count(latest['Approved households'], 'approved fostering households')} with "
        f"{_count(latest['Approved places'], 'places')}"
    )
    occupancy = _value(latest["Occupancy %"])
    sentence += f", {occupancy:.0f}% of them filled." if not pd.isna(occupancy) else "."
    approved = _value(latest["Households approved in the year"])
    left = _value(latest["Households de-registered in the year"])
    if not pd.isna(approved) and not pd.isna(left):
        net = int(approved - left)
        sentence += (
            f" During {year_label(year)}, {int(approved)} households were approved and "
            f"{int(left)} left the service: "
        )
        if net:
            households = f"{abs(net)} household" + ("" if abs(net) == 1 else "s")
            sentence += f"a net {'gain' if net > 0 else 'loss'} of {households}."
        else:
            sentence += "the service stayed the same size."
    return sentence


def specialist_carers_sentence(published: pd.DataFrame) -> str:
    """Which specialisms the in-house carers have (from the specialism table)."""
    rows = published[published["Carers approved for"] != ALL_CARERS]
    special = rows[~rows["Carers approved for"].isin(["Mainstream"])]
    homes = special[~special["Carers approved for"].str.startswith("Short breaks")]
    named = [
        f"{str(r['Carers approved for']).lower()} ({_count(r['Places'], 'places')})"
        for _, r in homes.iterrows()
        if pd.isna(_value(r["Places"])) or _value(r["Places"]) > 0
    ]
    if not named:
        return "The in-house carers who offer a home are all mainstream carers."
    return "Besides mainstream carers, the service has carers approved for " + _listed(named) + "."


def contracts_sentence(summary: pd.DataFrame, day: pd.Timestamp) -> str:
    """Contracts running on ``day`` (from :func:`mps.analysis.supply.contract_summary`:
    commissioning facts, not child counts), and the first to end."""
    if summary.empty:
        return f"No contracts were running at {day:%d %B %Y}."
    block = summary.loc[summary["contract_type"] == "block", "places"].sum()
    expected = summary.loc[summary["contract_type"] != "block", "places"].sum()
    sentence = (
        f"At {day.day} {day:%B %Y}, {int(summary['contracts'].sum())} contracts were running: "
        f"block contracts reserving {int(block)} places, and framework and DPS agreements "
        f"expected to supply {int(expected)} more."
    )
    ending = summary.dropna(subset=["next_end"]).sort_values("next_end")
    if len(ending):
        first = ending.iloc[0]
        from mps.sufficiency_tables import CONTRACT_TYPE_LABELS, category_label

        sentence += (
            f" The first to end is a {CONTRACT_TYPE_LABELS[first['contract_type']].lower()} "
            f"contract for {category_label(first['placement_category']).lower()}, in "
            f"{first['next_end']:%B %Y}."
        )
    return sentence


def spot_sentence(published: pd.DataFrame, year: int) -> str:
    """The share of bought placements bought spot, and the average spot price."""
    total = published[published["Placement"] == ALL_BOUGHT]
    if total.empty:
        return f"No bought placements were found in {year_label(year)}."
    row = total.iloc[0]
    share = _value(row["Spot %"])
    if pd.isna(share):
        return f"The share of placements bought spot in {year_label(year)} is withheld."
    sentence = f"In {year_label(year)}, {share:.0f}% of bought placements were spot purchases"
    price = _value(row["Average weekly spot price £"])
    if not pd.isna(price):
        sentence += f", at an average of £{price:,.0f} a week"
    return sentence + "."


def provision_use_sentence(published: pd.DataFrame, area_name: str) -> str:
    """How the area's children use registered children's homes in and outside it."""
    homes = published[published["Provision"] == "Children's homes"]
    if homes.empty:
        return ""
    row = homes.iloc[0]
    places = _value(row["Registered places in the area"])
    ours = _value(row["Our children in them"])
    elsewhere = _value(row["Our children in such provision elsewhere"])
    left = _value(row["Places left (other councils, or vacant)"])
    parts = [f"{area_name} has {int(places):,} registered children's home places"]
    if not pd.isna(ours):
        parts.append(f"{int(ours):,} of them were home to its own children at 31 March")
    sentence = ", and ".join(parts) + "."
    if not pd.isna(elsewhere) and not pd.isna(left):
        sentence += (
            f" {int(elsewhere):,} of its children lived in children's homes outside the area, "
            f"while {int(left):,} places in the area were used by other councils or empty"
        )
        if elsewhere > left:
            sentence += ": more children are placed out than the area's homes could take in, "
            sentence += "so it is an out-placer."
        else:
            sentence += "."
    return sentence


def gap_sentences(published: pd.DataFrame, year: int) -> str:
    """The gaps and surpluses in ``year`` of a published :func:`gap_table`."""
    rows = published[published["Year"] == f"31 March {year}"]
    if rows.empty:
        return ""
    gaps, surpluses, withheld = [], [], []
    for _, row in rows.iterrows():
        gap = _value(row["Gap"])
        label = str(row["Placement"]).lower()
        if pd.isna(gap):
            if _value(row["Places secured"]) > 0 or str(row["Gap"]).strip() == "c":
                withheld.append(label)
            continue
        if gap >= 1:
            high = _value(row["Gap if demand is high"])
            extra = f"{int(gap):,} in {label}"
            if not pd.isna(high) and high > gap:
                extra += f" (up to {int(high):,} if demand is high)"
            gaps.append(extra)
        elif gap <= -1:
            surpluses.append(f"{int(-gap):,} in {label}")
    sentences = []
    if gaps:
        sentences.append(
            f"By 31 March {year} the forecast needs more places than are secured: "
            + _listed(gaps)
            + "."
        )
    else:
        sentences.append(f"By 31 March {year} the places secured cover the forecast demand.")
    if surpluses:
        sentences.append(
            "More places are secured than the forecast needs: " + _listed(surpluses) + "."
        )
    fostering = fostering_gap(published, year)
    if fostering is not None:
        if fostering >= 1:
            sentences.append(
                "Taking in-house and agency fostering together (in-house places not needed by "
                "in-house demand can take children who would otherwise go to an agency), "
                f"{int(fostering):,} more foster places are needed than are secured."
            )
        elif fostering <= -1:
            sentences.append(
                "Taking in-house and agency fostering together, the foster places secured "
                f"exceed forecast demand by {int(-fostering):,}."
            )
    if withheld:
        sentences.append(
            "The gap is withheld to protect confidentiality for " + _listed(withheld) + "."
        )
    return " ".join(sentences)


#: The two fostering rows of a published gap table.
FOSTERING_ROWS = ("In-house fostering", "Independent fostering agency")


def fostering_gap(published: pd.DataFrame, year: int) -> float | None:
    """In-house and agency fostering's gaps in ``year`` added together (None when either
    is withheld or absent)."""
    rows = published[
        (published["Year"] == f"31 March {year}") & published["Placement"].isin(FOSTERING_ROWS)
    ]
    values = [_value(v) for v in rows["Gap"]]
    if len(values) != len(FOSTERING_ROWS) or any(pd.isna(v) for v in values):
        return None
    return float(sum(values))


def gap_alt_text(published: pd.DataFrame, year: int) -> str:
    """The chart's message: the largest gap in ``year``, or that supply covers demand."""
    rows = published[published["Year"] == f"31 March {year}"]
    values = [(_value(r["Gap"]), str(r["Placement"])) for _, r in rows.iterrows()]
    known = [(g, p) for g, p in values if not pd.isna(g)]
    if not known or max(g for g, _ in known) < 1:
        return (
            f"Forecast demand and secured places by placement type to 31 March {year}: the "
            "places secured cover forecast demand."
        )
    gap, placement = max(known)
    return (
        f"Forecast demand and secured places by placement type to 31 March {year}: the largest "
        f"gap is {placement.lower()}, about {int(gap)} places more than secured."
    )


def indicator_sentence(published: pd.DataFrame, year: int) -> str:
    """Which indicators met their targets this year, and which moved the wrong way."""
    met = published[published["Target met"] == "Yes"]["Indicator"].str.lower().tolist()
    missed = published[published["Target met"] == "No"]["Indicator"].str.lower().tolist()
    worse = published[published["Direction"] == "Worse"]["Indicator"].str.lower().tolist()
    parts = []
    if met:
        parts.append(f"At 31 March {year} the target was met for {_listed(met)}.")
    if missed:
        parts.append(f"It was not met for {_listed(missed)}.")
    if not met and not missed:
        parts.append("The parameters set no targets for these indicators.")
    if worse:
        parts.append(f"Compared with a year earlier, these moved the wrong way: {_listed(worse)}.")
    else:
        parts.append("None moved the wrong way compared with a year earlier.")
    return " ".join(parts)


def cost_sentence(published: pd.DataFrame, year: int) -> str:
    """What meeting the baseline gap in ``year`` costs a year, spot against contract."""
    total = published[published["Placement"] == ALL_COMMISSIONED]
    if total.empty:
        return ""
    row = total.iloc[0]
    extra = _value(row["Extra placements needed"])
    spot = _value(row["Yearly cost bought spot £"])
    contract = _value(row["Yearly cost on contract £"])
    if pd.isna(extra):
        return "The cost of the gap is withheld to protect confidentiality."
    if extra == 0:
        return f"The places secured meet the baseline demand to 31 March {year}: no extra cost."
    sentence = f"Meeting the baseline gap of {int(extra)} placements in {year_label(year)}"
    if not pd.isna(spot):
        sentence += f" would cost about {_money(spot)} a year bought spot"
        if not pd.isna(contract) and contract < spot:
            sentence += (
                f", against {_money(contract)} through commissioned capacity: a saving of "
                f"{_money(spot - contract)} a year"
            )
        elif not pd.isna(contract):
            sentence += (
                f", and {_money(contract)} through commissioned capacity at today's contract "
                f"prices, {_money(contract - spot)} more: contracts would need better prices "
                "to save money"
            )
    else:
        sentence += (
            " cannot be costed in full: some placement types had no spot placements this "
            "year to price them"
        )
    return sentence + "."


def refresh_sentence(published: pd.DataFrame, edition: str) -> str:
    """How this year's outcomes compare with the last edition's targets."""
    met = published[published["Last edition's target met"] == "Yes"]["Indicator"]
    missed = published[published["Last edition's target met"] == "No"]["Indicator"]
    parts = [f"The {edition} edition set targets for {len(met) + len(missed)} of these indicators."]
    if len(met):
        parts.append(f"This year's figures meet them for {_listed(met.str.lower().tolist())}.")
    if len(missed):
        parts.append(f"They fall short for {_listed(missed.str.lower().tolist())}.")
    return " ".join(parts)
