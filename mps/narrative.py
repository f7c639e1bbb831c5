"""Plain-English commentary generated from published (disclosure-controlled) tables.

Every function here reads a table *after* :mod:`mps.disclosure`, so a sentence can never
reveal a value its table suppresses: a suppressed figure is described as withheld.
"""

from __future__ import annotations

import pandas as pd

from mps.charts import numeric
from mps.presentation import ALL_PLACEMENTS


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
