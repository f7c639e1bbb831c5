"""The 903 tables (mps.presentation) and their sentences (mps.narrative), hand-worked.

Each table goes through disclosure control as a notebook's ``report.table`` does (threshold
5), so the sentences are tested on what is really published, suppressed cells included.
"""

from __future__ import annotations

import pandas as pd
import pytest

from mps import narrative, presentation
from mps.presentation import PublishableTable
from mps.tables import protect_publishable


def published(table: PublishableTable, threshold: int = 5) -> pd.DataFrame:
    return protect_publishable(table, threshold=threshold).table


def long(group: str, counts: dict[int, dict[str, int]], value: str = "children") -> pd.DataFrame:
    rows = [
        {"year": year, group: name, value: n}
        for year, by_group in counts.items()
        for name, n in by_group.items()
    ]
    return pd.DataFrame(rows)


# --- Groups by year --------------------------------------------------------------------------
def test_groups_by_year_table_totals_shares_and_empty_catch_alls() -> None:
    profile = long(
        "group",
        {
            2024: {"Under 1": 10, "1 to 4": 30, "10 to 15": 60, "Not recorded": 0},
            2025: {"Under 1": 20, "1 to 4": 20, "10 to 15": 60, "Not recorded": 0},
        },
    ).assign(characteristic="age_band")
    table = presentation.characteristic_table(profile, "age_band", [2024, 2025], 2025)
    frame = table.frame
    # "Not recorded" is empty in both years: left out. Total 100 each year; 2025 shares
    # 20/100, 20/100, 60/100.
    assert frame["Age"].tolist() == ["Under 1", "1 to 4", "10 to 15", "All children looked after"]
    assert frame["2024"].tolist() == [10, 30, 60, 100]
    assert frame["2025 %"].tolist() == [20.0, 20.0, 60.0, 100.0]
    assert table.total_row == "All children looked after"
    assert table.derived == {"2025 %": ("2025", None)}
    with pytest.raises(ValueError, match="reporting year 2026"):
        presentation.characteristic_table(profile, "age_band", [2024, 2025], 2026)


def test_profile_sentences_from_published_tables() -> None:
    sex = long("group", {2025: {"Male": 56, "Female": 44, "Unknown": 0}})
    table = published(
        presentation.characteristic_table(sex.assign(characteristic="sex"), "sex", [2025], 2025)
    )
    assert narrative.profile_sentence(table, "Sex", 2025) == (
        "At 31 March 2025, 56% of the children looked after were male and 44% female."
    )
    need = long("group", {2025: {"Abuse or neglect": 60, "Child's disability": 3,
                                 "Absent parenting": 37}})  # fmt: skip
    table = published(
        presentation.characteristic_table(
            need.assign(characteristic="category_of_need"), "category_of_need", [2025], 2025
        )
    )
    # Disability is 3: suppressed (c), and so is the next smallest cell (absent parenting,
    # 37) so that it cannot be worked out from the total: both are left out of the text.
    assert table["2025"].tolist() == [60, "c", "c", 100]
    assert narrative.profile_sentence(table, "Category of need", 2025) == (
        "At 31 March 2025, the most common categories of need were abuse or neglect (60%)."
    )


def test_uasc_sentence_and_its_suppression() -> None:
    uasc = long("group", {2025: {"Unaccompanied asylum-seeking children": 12,
                                 "Other children": 88}})  # fmt: skip
    table = published(
        presentation.characteristic_table(uasc.assign(characteristic="uasc"), "uasc", [2025], 2025)
    )
    assert narrative.profile_sentence(table, "UASC", 2025) == (
        "At 31 March 2025, 12% of the children looked after were unaccompanied asylum-seeking "
        "children."
    )
    few = uasc.assign(children=[4, 96])
    table = published(
        presentation.characteristic_table(few.assign(characteristic="uasc"), "uasc", [2025], 2025)
    )
    sentence = narrative.profile_sentence(table, "UASC", 2025)
    assert "withheld" in sentence and "4" not in sentence


# --- Flows ----------------------------------------------------------------------------------------
def test_flows_table_and_sentence() -> None:
    trend = pd.DataFrame(
        {
            "year": [2024, 2025],
            "starts": [200, 160],
            "re_entries": [20, 24],
            "re_entries_within_12_months": pd.Series([pd.NA, 3], dtype="Int64"),
            "uasc_starts": [30, 40],
        }
    )
    table = published(presentation.flows_table(trend))
    # 2025: 24 / 160 = 15.0%, 40 / 160 = 25.0%. 2024's 12-month figure is not available (x);
    # 2025's (3) is suppressed.
    row = table.iloc[1]
    assert (row["Re-entering care %"], row["UASC %"]) == (15.0, 25.0)
    assert table["Within 12 months of leaving"].tolist() == ["x", "c"]
    assert narrative.flows_sentence(table, 2025) == (
        "During 2024-25, 160 children started to be looked after. 24 of them (15%) had been "
        "looked after before, a withheld number within 12 months of leaving care. 40 (25%) "
        "were unaccompanied asylum-seeking children."
    )
    assert narrative.flows_sentence(table, 2024) == (
        "During 2023-24, 200 children started to be looked after. 20 of them (10%) had been "
        "looked after before. 30 (15%) were unaccompanied asylum-seeking children."
    )


# --- Rates ----------------------------------------------------------------------------------------
def test_rate_comparison_table_and_sentence() -> None:
    rates = pd.DataFrame(
        {
            "area": ["Northtown", "Northtown", "Partnership", "Partnership", "England", "England"],
            "year": [2024, 2025] * 3,
            "children": [400, 420, 2000, 2100, 83630, 81770],
            "population": [60000.0, 60000.0, 350000.0, 350000.0, 1.2e7, 1.2e7],
            "rate_per_10000": [66.7, 70.0, 57.1, 60.0, 69.7, 68.1],
        }
    )
    table = presentation.rate_comparison_table(rates)
    assert list(table.frame.columns) == [
        "Year",
        "Northtown: children",
        "Northtown: rate per 10,000",
        "Partnership: children",
        "Partnership: rate per 10,000",
        "England: children",
        "England: rate per 10,000",
    ]
    assert table.derived["Northtown: rate per 10,000"] == ("Northtown: children", None)
    shown = published(table)
    series = presentation.rate_series(shown)
    assert list(series.columns) == ["Year", "Northtown", "Partnership", "England"]
    assert series["Northtown"].tolist() == [66.7, 70.0]
    # 70.0 against 60.0 (higher) and 68.1 (higher, 70 against 68 in whole numbers).
    assert narrative.rate_comparison_sentence(shown, 2025) == (
        "At 31 March 2025, Northtown looked after 70 children per 10,000 aged 0 to 17, higher "
        "than Partnership (60) and England (68)."
    )
    # 2024: 66.7 -> 67 against 57 (higher) and 69.7 -> 70 (lower).
    assert narrative.rate_comparison_sentence(shown, 2024) == (
        "At 31 March 2024, Northtown looked after 67 children per 10,000 aged 0 to 17, higher "
        "than Partnership (57) and lower than England (70)."
    )


# --- Leaving care, placements, stability ------------------------------------------------------
def test_reasons_and_durations_sentences() -> None:
    reasons = long(
        "reason_group",
        {2025: {"Returned home to parents or relatives": 40, "Adopted": 20, "Died": 0,
                "Moved into independent living": 30, "Ceased for any other reason": 10}},
    )  # fmt: skip
    table = published(presentation.reasons_ceased_table(reasons, [2025], 2025))
    assert "Died" not in table["Reason for leaving care"].tolist()  # nobody: left out
    assert narrative.reasons_ceased_sentence(table, 2025) == (
        "Of the 100 children who ceased to be looked after in 2024-25, the most common reasons "
        "were returned home to parents or relatives (40%), moved into independent living (30%) "
        "and adopted (20%)."
    )
    durations = long(
        "duration_band",
        {2025: {"Under 1 month": 10, "1 month to under 6 months": 20,
                "6 months to under 1 year": 20, "1 year to under 2 years": 10,
                "2 years to under 5 years": 15, "5 years or more": 15,
                "Not known (care began before the returns loaded)": 10}},
    )  # fmt: skip
    table = published(presentation.durations_table(durations, [2025], 2025))
    # Of 100: under 6 months 10 + 20 = 30%; 2 years or more 15 + 15 = 30%; 10% not known.
    assert narrative.durations_sentence(table, 2025) == (
        "Of the children who left care in 2024-25, 30% had been looked after for under 6 months "
        "and 30% for 2 years or more. For 10% the length is not known: their care began before "
        "the earliest return loaded."
    )
    # Under 1 month 4: suppressed (with the smallest other band), so no under-6-months sum.
    few = published(
        presentation.durations_table(durations.assign(children=[4, 26, 20, 10, 15, 15, 10]),
                                     [2025], 2025)
    )  # fmt: skip
    assert narrative.durations_sentence(few, 2025) == (
        "Of the children who left care in 2024-25, 30% had been looked after for 2 years or "
        "more. For 10% the length is not known: their care began before the earliest return "
        "loaded."
    )


def test_sector_locality_and_area_sentences() -> None:
    sector = long("sector", {2025: {"in-house": 45, "other public": 5, "independent": 40,
                                    "parents": 10, "not recorded": 0}})  # fmt: skip
    table = published(presentation.sector_table(sector, [2025], 2025))
    assert table["Provided by"].iloc[0] == "The council's own provision"
    assert narrative.sector_sentence(table, 2025) == (
        "At 31 March 2025, 45% of children looked after lived in placements the council provides "
        "itself and 40% in placements from private or voluntary providers."
    )
    locality = long(
        "locality",
        {2025: {"Inside the council's area, 20 miles or less": 50,
                "Inside the council's area, over 20 miles": 0,
                "Outside the council's area, 20 miles or less": 24,
                "Outside the council's area, over 20 miles": 16,
                "Distance or location not known": 10}},
    )  # fmt: skip
    table = published(presentation.locality_table(locality, [2025], 2025))
    assert narrative.locality_sentence(table, 2025) == (
        "At 31 March 2025, 50% of children looked after lived inside the council's area and "
        "within 20 miles of home and 16% outside the area and more than 20 miles away (the "
        "Department for Education's measure of distant placements)."
    )
    placed = long("placed", {2025: {"In the council's own area": 60,
                                    "In another member council's area": 30,
                                    "Elsewhere in England": 10}})  # fmt: skip
    table = published(presentation.placed_area_table(placed, [2025], 2025, "Riverside"))
    assert narrative.placed_area_sentence(table, 2025, "Riverside") == (
        "At 31 March 2025, 60% of children looked after lived in their own council's area, "
        "30% in another council of Riverside and 10% elsewhere in England."
    )


def test_stability_table_and_sentence() -> None:
    trend = pd.DataFrame(
        {
            "year": [2024, 2025],
            "cla_at_31_march": [400, 420],
            "three_plus_placements": [40, 42],
            "three_plus_pct": [10.0, 10.0],
            "long_term_eligible": pd.Series([pd.NA, 160], dtype="Int64"),
            "long_term_stable": pd.Series([pd.NA, 112], dtype="Int64"),
            "long_term_pct": [float("nan"), 70.0],
            "long_term_not_known": [30, 0],
        }
    )
    table = published(presentation.stability_table(trend))
    assert "long_term_not_known" not in table.columns  # internal
    assert table["Same carers 2 years or more %"].tolist() == ["x", 70.0]
    assert table["Under 16, looked after 2.5 years or more"].tolist() == ["x", 160]
    assert table["Year"].tolist() == ["2024", "2025"]
    assert narrative.stability_sentence(table, 2025) == (
        "In 2024-25, 10.0% of children looked after at 31 March had three or more placements "
        "during the year. Of children under 16 who had been looked after for two and a half "
        "years or more, 70.0% had lived with the same carers for at least two years."
    )
    assert narrative.stability_sentence(table, 2024).endswith(
        "Long-term stability cannot be measured for this year: the returns loaded do not reach "
        "back two and a half years."
    )


def test_placement_changes_sentence_leaves_out_other() -> None:
    changes = long("reason", {2025: {"Change to or implementation of care plan": 50,
                                     "Other": 30, "Child requests placement end": 20,
                                     "Custody arrangement": 0}}, value="changes")  # fmt: skip
    table = published(presentation.placement_changes_table(changes, [2025], 2025))
    assert table["Reason for the change"].tolist() == [
        "Change to or implementation of care plan",
        "Other",
        "Child requests placement end",
        "All placement changes",
    ]
    assert narrative.placement_changes_sentence(table, 2025) == (
        "There were 100 placement changes in 2024-25; the most common recorded reasons were "
        "change to or implementation of care plan (50%) and child requests placement end (20%)."
    )


# --- The residential cohort ---------------------------------------------------------------------
def test_residential_measure_table_and_sentence() -> None:
    profile = pd.DataFrame(
        {
            "measure": ["age_band"] * 4,
            "group": ["Under 1", "5 to 9", "10 to 15", "16 and over"],
            "childrens_home": [0, 10, 60, 30],
            "all_children": [50, 150, 200, 100],
        }
    )
    table = presentation.residential_measure_table(profile, "age_band")
    frame = table.frame
    # Homes: 10 + 60 + 30 = 100; all children: 50 + 150 + 200 + 100 = 500.
    assert frame["Age"].tolist() == ["Under 1", "5 to 9", "10 to 15", "16 and over",
                                     "All children"]  # fmt: skip
    assert frame["Children's homes %"].tolist() == [0.0, 10.0, 60.0, 30.0, 100.0]
    assert frame["All children looked after %"].tolist() == [10.0, 30.0, 40.0, 20.0, 100.0]
    # 10 to 15: 60% against 40%, the largest gap (16 and over: 30 against 20).
    assert narrative.residential_sentence(published(table), 2025) == (
        "At 31 March 2025, 100 children lived in children's homes. 60% of children in children's "
        "homes were aged 10 to 15, against 40% of all children looked after."
    )


def test_residential_costs_are_withheld_with_few_placements() -> None:
    costs = pd.DataFrame(
        {
            "children": [40],
            "costed": [36],
            "weekly_total": [180000.0],
            "weekly_average": [5000.0],
            "lower_quartile": [4200.4],
            "median": [4900.0],
            "upper_quartile": [5600.0],
        }
    )
    table = published(presentation.residential_costs_table(costs))
    assert table.loc[0, "Lower quartile (£)"] == 4200.0
    everyone = published(presentation.residential_costs_table(costs.assign(costed=[40])))
    assert narrative.residential_costs_sentence(everyone).startswith(
        "All 40 placements have a weekly cost in the spend data"
    )
    assert narrative.residential_costs_sentence(table) == (
        "36 of the 40 placements have a weekly cost in the spend data: on average £5,000 a "
        "week (median £4,900), £180,000 a week in all."
    )
    few = published(presentation.residential_costs_table(costs.assign(costed=[4])))
    assert (few.iloc[0] == "c").sum() == 6  # the count and every cost worked out from it
    sentence = narrative.residential_costs_sentence(few)
    assert sentence == (
        "Too few of these placements have a recorded cost for their costs to be published."
    )


def test_rates_by_area_for_a_consortium() -> None:
    rates = pd.DataFrame(
        {
            "area": ["North", "South", "West", "Partnership"] * 2,
            "year": [2021] * 4 + [2025] * 4,
            "children": [300, 200, 4, 504, 320, 210, 30, 560],
            "population": [50000.0, 40000.0, 2000.0, 92000.0] * 2,
            "rate_per_10000": [60.0, 50.0, 20.0, 54.8, 64.0, 52.5, 150.0, 60.9],
        }
    )
    table = presentation.rates_by_area_table(rates, [2021, 2025], total_area="Partnership")
    shown = published(table)
    # West's 4 children in 2021 are suppressed, and with them its rate; South (200, the
    # smallest other borough) is suppressed too so the total cannot give West away.
    assert shown["2021: children"].tolist() == [300, "c", "c", 504]
    assert shown["2021: rate per 10,000"].tolist() == [60.0, "c", "c", 54.8]
    # 2025: range 52.5 (South) to 150 (West), the partnership 60.9.
    assert narrative.rates_by_area_sentence(shown, 2025, "Partnership") == (
        "At 31 March 2025, Partnership looked after 61 children per 10,000 aged 0 to 17. Among "
        "its boroughs the rate ranged from 52 in South to 150 in West."
    )


def test_rates_unavailable_sentences_say_what_would_fill_them() -> None:
    assert "population.csv" in narrative.rates_unavailable_sentence("population")
    assert "of North and South could not" in narrative.rates_unavailable_sentence(
        "members", ["North", "South"]
    )


def test_benchmark_notes_say_what_would_fill_the_comparison() -> None:
    def notes(**given: object) -> list[str]:
        base = {"named": True, "found": True, "neighbours": ["E06000001"], "missing": [],
                "is_consortium": False}  # fmt: skip
        return narrative.benchmark_notes("North", **{**base, **given})

    assert notes() == []
    (unnamed,) = notes(named=False)
    assert "cla_number_and_rate_per_10k_children.csv" in unnamed
    assert "statistical neighbours" in unnamed
    assert "statistical neighbours" not in notes(named=False, is_consortium=True)[0]
    assert "was not found" in notes(found=False)[0]
    assert "No statistical neighbours are listed for North" in notes(neighbours=[])[0]
    assert notes(neighbours=[], is_consortium=True) == []
    assert "no figures for E06000009" in notes(missing=["E06000009"])[0]


def test_rate_sentence_names_the_statistical_neighbours() -> None:
    table = pd.DataFrame(
        {
            "Year": ["2025"],
            "North: children": [420],
            "North: rate per 10,000": [70.0],
            "Statistical neighbours: children": [3000],
            "Statistical neighbours: rate per 10,000": [75.2],
            "England: children": [81770],
            "England: rate per 10,000": ["c"],
        }
    )
    # England's rate withheld: left out rather than guessed.
    assert narrative.rate_comparison_sentence(table, 2025) == (
        "At 31 March 2025, North looked after 70 children per 10,000 aged 0 to 17, lower than "
        "its statistical neighbours (75)."
    )
