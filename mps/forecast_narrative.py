"""Plain-English sentences about the demand forecast, from its published tables.

Like :mod:`mps.narrative`, every function reads a table after disclosure control, so a
sentence never gives a figure its table withholds; and the back-test sentence never claims
more skill than the back-test shows.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from mps.analysis.forecast.backtest import Choice
from mps.analysis.forecast.timeseries import METHOD_LABELS
from mps.charts import numeric
from mps.forecast_presentation import FORECAST, RANGE_COLUMNS, RECORDED, THOUSANDS
from mps.presentation import ALL_PLACEMENTS


def _number(value: object) -> float | None:
    number = numeric(pd.Series([value])).iloc[0]
    return None if pd.isna(number) else float(number)


def _count(value: object) -> str:
    number = _number(value)
    if number is None:
        return "a withheld number of" if str(value).strip() == "c" else "an unknown number of"
    return f"{number:,.0f}"


def _money(thousands: float) -> str:
    pounds = abs(thousands) * 1000
    if pounds >= 1e6:
        return f"£{pounds / 1e6:,.1f} million"
    return f"£{pounds:,.0f}"


def forecast_sentence(table: pd.DataFrame, area_name: str) -> str:
    """The latest recorded number, the last forecast with its 80% range, and the change."""
    recorded = table.loc[numeric(table[RECORDED]).notna()]
    ahead = table.loc[table[RECORDED].astype(str) == "z"]
    if recorded.empty or ahead.empty:
        return f"There is no forecast for {area_name}."
    now, last = recorded.iloc[-1], ahead.iloc[-1]
    sentence = (
        f"At 31 March {now['Year']}, {_count(now[RECORDED])} children were looked after by "
        f"{area_name}. The model forecasts {_count(last[FORECAST])} at 31 March {last['Year']}"
    )
    low, high = _number(last[RANGE_COLUMNS["lower_80"]]), _number(last[RANGE_COLUMNS["upper_80"]])
    if low is not None and high is not None:
        sentence += f", and 8 chances in 10 of between {low:,.0f} and {high:,.0f}"
    sentence += "."
    start, end = _number(now[RECORDED]), _number(last[FORECAST])
    if start and end is not None:
        change = 100 * (end - start) / start
        if abs(change) < 1:
            sentence += " That is about the same as now."
        else:
            sentence += f" That is {abs(change):.0f}% {'more' if change > 0 else 'fewer'} than now."
    return sentence


def _group_name(label: str, name: str) -> str:
    if label == "Age":
        return f"children {name}" if name.startswith("under") else f"children aged {name}"
    return name.lower()


def mix_sentence(table: pd.DataFrame, label: str = "Placement") -> str:
    """The groups forecast to rise and fall most (in number) between now and the last year."""
    rows = table.loc[table[label] != ALL_PLACEMENTS]
    rows = rows.loc[rows[label] != "All ages"]
    now_column, last_column = table.columns[1], [c for c in table.columns if c.isdigit()][-1]
    now, last = numeric(rows[now_column]), numeric(rows[last_column])
    change = (last - now).dropna()
    if change.empty:
        return "The forecast by group is withheld to protect confidentiality."
    names = rows[label]
    parts = []
    rise, fall = change.idxmax(), change.idxmin()
    if change[rise] > 0:
        parts.append(
            f"the largest rise is in {_group_name(label, names[rise])} (from {now[rise]:,.0f} to "
            f"{last[rise]:,.0f})"
        )
    if change[fall] < 0:
        parts.append(
            f"the largest fall in {_group_name(label, names[fall])} (from {now[fall]:,.0f} to "
            f"{last[fall]:,.0f})"
        )
    if not parts:
        return f"No group is forecast to change in number by 31 March {last_column}."
    return f"By 31 March {last_column}, " + " and ".join(parts) + "."


def backtest_sentence(
    table: pd.DataFrame, skill: Choice, choice: Choice, *, model: str = "stock_flow"
) -> str:
    """What the back-test shows, one year ahead, in words a commissioner understands: the
    model's error beside "same as last year"'s, how many forecasts that rests on, and
    plainly whether the model did better."""
    model_label = METHOD_LABELS[model]
    persistence_label = METHOD_LABELS["persistence"]
    one = table.loc[table["Years ahead"] == 1].set_index("Method")
    if model_label not in one.index or persistence_label not in one.index:
        return (
            "The model could not be tested on earlier years: the returns loaded do not go "
            "back far enough, so nothing is known yet about how well it forecasts."
        )
    mine, naive = one.loc[model_label], one.loc[persistence_label]
    tested = int(mine["Forecasts tested"])
    sentence = (
        f"Tested on earlier years, the model's forecasts one year ahead were typically "
        f"(the median) {mine['Median error %']:.1f}% out, against "
        f"{naive['Median error %']:.1f}% for simply assuming next year is the same as this "
        f"year. "
    )
    plural = "s" if tested != 1 else ""
    if skill.beats_baseline:
        sentence += (
            f"That is from {tested} forecast{plural}, enough to say the model does better "
            "than assuming no change."
        )
    elif "too few" in skill.reason:
        sentence += (
            f"That is from only {tested} forecast{plural}: too few to show that the model "
            "forecasts better than assuming no change, and it should not be read as doing so."
        )
    else:
        sentence += (
            "The model did not forecast clearly better than assuming no change; its value is "
            "in showing how the mix of placements and ages may shift, and what the scenarios "
            "would change."
        )
    if choice.method == "persistence":
        sentence += (
            " Because assuming no change did clearly better, the forecast total is held at "
            "today's number and the model is used only for the mix."
        )
    coverage = mine.get("Outcomes inside the 80% range %")
    if coverage is not None and pd.notna(coverage) and tested >= 10:
        sentence += f" {coverage:.0f}% of outcomes fell inside the model's 80% range."
    return sentence


def scenario_sentence(table: pd.DataFrame, year: int) -> str:
    """Which scenario saves most (or costs most) against the baseline in ``year``."""
    saving_column = f"Difference in cost ({THOUSANDS})"
    rows = table.iloc[1:]
    savings = numeric(rows[saving_column])
    if rows.empty or savings.isna().all():
        return "There are no scenarios to compare with the baseline."
    best, worst = savings.idxmin(), savings.idxmax()
    label = f"{year - 1}-{str(year)[-2:]}"
    sentences = []
    if savings[best] < 0:
        sentences.append(
            f"{rows.loc[best, 'Scenario']} would save the most: about "
            f"{_money(savings[best])} in {label} against the baseline."
        )
    if savings[worst] > 0:
        sentences.append(
            f"{rows.loc[worst, 'Scenario']} would cost about {_money(savings[worst])} more "
            f"in {label}."
        )
    return " ".join(sentences) or f"No scenario changes the cost in {label} much."


def cost_sentence(table: pd.DataFrame, years: Sequence[int]) -> str:
    """The baseline's cost in the first and last forecast years, and the unit costs' source."""
    total = table.loc[table["Placement"] == ALL_PLACEMENTS].iloc[0]
    first, last = years[0], years[-1]
    start = _number(total[f"Cost in {first - 1}-{str(first)[-2:]} ({THOUSANDS})"])
    end = _number(total[f"Cost in {last - 1}-{str(last)[-2:]} ({THOUSANDS})"])
    if start is None or end is None:
        return "The cost of the forecast placements is withheld to protect confidentiality."
    sentence = (
        f"At today's weekly costs plus inflation, the forecast placements would cost about "
        f"{_money(start)} in {first - 1}-{str(first)[-2:]} and {_money(end)} in "
        f"{last - 1}-{str(last)[-2:]}."
    )
    rows = table.loc[table["Placement"] != ALL_PLACEMENTS]
    illustrative = rows.loc[rows["Weekly cost from"].astype(str).str.contains("illustrative")]
    if len(illustrative):
        names = [str(n).lower() for n in illustrative["Placement"]]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        sentence += (
            f" The weekly costs of {listed} are illustrative figures from the parameters, "
            "not the council's own spend: treat their costs as a guide only."
        )
    return sentence


def assumptions_sentence(
    reference_years: tuple[int, int],
    population_growth_pct: float | None,
    held_years: Sequence[int] = (),
    last_year: int | None = None,
) -> str:
    """What the forecast assumes, in words: the reference period, and whether children
    starting care follow the projected child population."""
    first, last = reference_years
    period = (
        f"{first - 1}-{str(first)[-2:]}"
        if first == last
        else f"{first - 1}-{str(first)[-2:]} to {last - 1}-{str(last)[-2:]}"
    )
    sentence = (
        f"The forecast assumes children will start to be looked after, move between types "
        f"of placement, grow older and leave care as they did in {period}."
    )
    if population_growth_pct is None:
        sentence += (
            " The number starting care is held at that period's level: there is no "
            "population projection for the area."
        )
    else:
        direction = "more" if population_growth_pct > 0 else "fewer"
        by = f" by mid-{last_year - 1}" if last_year else ""
        sentence += (
            " The number of children starting care in each age group follows the ONS "
            f"projection of children of that age in the area ({abs(population_growth_pct):.0f}% "
            f"{direction} children aged 0 to 17{by} than in the reference years); "
            "unaccompanied asylum-seeking children are assumed to arrive as they did."
        )
        if held_years:
            sentence += (
                " The projection does not reach "
                + ", ".join(str(y - 1) for y in held_years)
                + ", so the last projected population is held."
            )
    return sentence
