"""Published table shapes and the sentences written from them, on hand-worked figures."""

from __future__ import annotations

import pandas as pd

from mps import narrative, presentation
from mps.codes import CATEGORY_ORDER


def long_mix(counts: dict[int, dict[str, int]]) -> pd.DataFrame:
    rows = []
    for year, by_category in counts.items():
        for category in CATEGORY_ORDER:
            rows.append(
                {
                    "year": year,
                    "placement_category": category,
                    "children": by_category.get(category, 0),
                }
            )
    return pd.DataFrame(rows)


def test_placement_mix_table_totals_and_shares() -> None:
    mix = long_mix(
        {
            2024: {"inhouse_fostering": 30, "ifa_fostering": 10},
            2025: {"inhouse_fostering": 24, "ifa_fostering": 12, "childrens_home": 4},
        }
    )
    table = presentation.placement_mix_table(mix, [2024, 2025], 2025)
    frame = table.frame
    assert list(frame.columns) == ["Placement", "2024", "2025", "2025 %"]
    assert len(frame) == len(CATEGORY_ORDER) + 1
    total = frame[frame["Placement"] == "All placements"].iloc[0]
    assert (total["2024"], total["2025"]) == (40, 40)  # 30+10 and 24+12+4
    inhouse = frame[frame["Placement"] == "In-house fostering"].iloc[0]
    assert inhouse["2025 %"] == 60.0  # 24 / 40
    homes = frame[frame["Placement"] == "Children's home"].iloc[0]
    assert homes["2025 %"] == 10.0  # 4 / 40
    assert table.total_row == "All placements"
    assert table.derived == {"2025 %": ("2025", None)}


def test_placement_shares_ignore_suppressed_cells() -> None:
    published = pd.DataFrame(
        {
            "Placement": ["In-house fostering", "Children's home", "All placements"],
            "2025": [36, "c", 40],
        }
    )
    shares = presentation.placement_shares(published, [2025])
    assert shares.loc[0, "Year"] == "2025"
    assert shares.loc[0, "In-house fostering"] == 90.0  # 36 / 40
    assert pd.isna(shares.loc[0, "Children's home"])  # suppressed: not drawn


def test_children_looked_after_sentence() -> None:
    summary = pd.DataFrame(
        {
            "Year": [2021, 2025],
            "Children looked after at 31 March": [400, 440],
            "Rate per 10,000 children": [60.2, 66.4],
            "Starts": [150, 160],
            "Ceases": [140, "c"],
        }
    )
    text = narrative.children_looked_after_sentence(summary, "Northtown")
    assert text == (
        "At 31 March 2025, 440 children were looked after by Northtown, a rate of 66 per "
        "10,000 children aged 0 to 17. That is 10% more than at 31 March 2021. "  # 440/400 - 1
        "During 2024-25, 160 children started to be looked after and a withheld number of ceased "
        "to be looked after."
    )


def test_placement_mix_sentence_names_top_three() -> None:
    published = pd.DataFrame(
        {
            "Placement": [
                "In-house fostering",
                "Independent fostering agency",
                "Children's home",
                "Secure children's home",
                "All placements",
            ],
            "2025 %": [40.0, 30.0, 20.0, "c", 100.0],
        }
    )
    text = narrative.placement_mix_sentence(published, 2025)
    assert text == (
        "At 31 March 2025 the most used placements were in-house fostering (40%), "
        "independent fostering agency (30%) and children's home (20%)."
    )


def test_year_label() -> None:
    assert narrative.year_label(2025) == "2024-25"
    assert narrative.year_label(2000) == "1999-00"
