"""Narrative rendering and the previous edition (the annual refresh)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mps import documents
from mps.analysis import sufficiency

CONTEXT = {"area_name": "Northtown", "consortium_name": "North Partnership", "year": 2025,
           "edition": "2026", "members": "Northtown and Southtown"}  # fmt: skip


def test_fill_leaves_unknown_placeholders_and_stray_braces() -> None:
    assert documents.fill("{area_name} in {year}", CONTEXT) == "Northtown in 2025"
    assert documents.fill("{area_name} and {unknown}", CONTEXT) == "Northtown and {unknown}"
    assert documents.fill("a lone { brace", CONTEXT) == "a lone { brace"


def test_narrative_mistakes_name_the_key() -> None:
    with pytest.raises(documents.NarrativeError, match=r"principles\.0\.title"):
        documents.load_narrative({"principles": [{"text": "no title"}]})
    with pytest.raises(documents.NarrativeError, match="visoin"):
        documents.load_narrative({"visoin": "typo"})


def test_missing_narrative_says_what_would_fill_it() -> None:
    empty = documents.load_narrative({})
    text = documents.vision_markdown(empty, CONTEXT)
    assert text.startswith("*Data not provided.*") and "`vision`" in text
    assert "`contacts`" in documents.contacts_markdown(empty, CONTEXT)
    assert "commissioning_intentions" in documents.intentions_markdown(
        empty, CONTEXT, documents.INTENTION_LABELS
    )
    # The introduction has a plain default naming the area and the year.
    assert "Northtown" in documents.introduction_markdown(empty, CONTEXT, document="plan")
    assert "31 March 2025" in documents.introduction_markdown(empty, CONTEXT, document="mps")


def test_vision_principles_contacts_and_actions_render() -> None:
    narrative = documents.load_narrative(
        {
            "vision": "Every child in {area_name} has a home.",
            "principles": [{"title": "Quality", "text": "Good or better."}],
            "contacts": [{"role": "Commissioning", "email": "c@x.example", "phone": "01632"}],
            "action_plan": [{"ref": "A1", "action": "Recruit carers in {area_name}",
                             "owner": "Fostering", "due": "2026-03-31", "measure": "40"}],
            "local_actions": [{"ref": "N1", "action": "Local", "owner": "Me",
                               "due": "by the summer", "measure": "Done"}],
        }
    )  # fmt: skip
    vision = documents.vision_markdown(narrative, CONTEXT)
    assert vision.startswith("> Every child in Northtown has a home.")
    assert "- **Quality.** Good or better." in vision
    contacts = documents.contacts_markdown(narrative, CONTEXT)
    assert "[c@x.example](mailto:c@x.example)" in contacts
    plan = documents.action_plan_frame(narrative, CONTEXT)
    # The borough's local actions follow the partnership's; ISO dates read as month and year.
    assert plan["Ref"].tolist() == ["A1", "N1"]
    assert plan["Action"][0] == "Recruit carers in Northtown"
    assert plan["By"].tolist() == ["March 2026", "by the summer"]


def test_intentions_carry_the_gap_evidence_and_reject_unknown_slugs() -> None:
    narrative = documents.load_narrative(
        {
            "commissioning_intentions": {"childrens_home": "Small homes.", "uasc": "More SA."},
            "what_we_want": ["Homes near {area_name}."],
        }
    )
    published_gap = pd.DataFrame(
        {
            "Year": ["31 March 2027", "31 March 2028", "31 March 2028"],
            "Placement": ["Children's home", "Children's home", "Secure children's home"],
            "Gap": ["9", "12", "c"],
        }
    )
    evidence = documents.intention_evidence(published_gap)
    # The last year's row: 12, not 9; a withheld gap stays withheld.
    assert "about 12 more places" in evidence["childrens_home"]
    assert "withheld" in evidence["secure"]
    text = documents.intentions_markdown(narrative, CONTEXT, documents.INTENTION_LABELS, evidence)
    assert "**Children's home.** Small homes. (At 31 March 2028" in text
    assert "- Homes near Northtown." in text
    bad = documents.load_narrative({"commissioning_intentions": {"castles": "no"}})
    with pytest.raises(documents.NarrativeError, match="castles"):
        documents.intentions_markdown(bad, CONTEXT, documents.INTENTION_LABELS)


def test_previous_edition_review(tmp_path: Path) -> None:
    folder = tmp_path / "previous" / "north" / "data-annex"
    folder.mkdir(parents=True)
    (folder / "sufficiency-indicators.csv").write_text(
        "Indicator,2023 %,2024 number,2024 out of,2024 %,Target %\n"
        "Fostered children living with the council's own foster carers,60.0,60,100,60.0,65.0\n"
        "Children placed 20 miles or less from home,80.0,c,c,c,none set\n"
        "An indicator this edition no longer has,1,1,1,50.0,10\n",
        encoding="utf-8",
    )
    table = documents.read_previous_table(tmp_path / "previous", "north", "sufficiency-indicators")
    previous = documents.previous_indicators(table)
    # The latest year's column is read; "c" and "none set" are not known.
    assert previous["year"].iloc[0] == 2024
    assert previous["percent"].iloc[0] == 60.0 and np.isnan(previous["percent"].iloc[1])
    assert np.isnan(previous["target"].iloc[1])
    review = pd.DataFrame(
        {
            "indicator": ["in_house_fostering", "within_20_miles"],
            "label": [sufficiency.INDICATOR_LABELS["in_house_fostering"],
                      sufficiency.INDICATOR_LABELS["within_20_miles"]],
            "children": [70, 85], "of": [100, 100], "percent": [70.0, 85.0],
            "target": [72.0, 85.0],
        }
    )  # fmt: skip
    comparison = documents.previous_edition_review(previous, review).set_index("label")
    in_house = comparison.loc[sufficiency.INDICATOR_LABELS["in_house_fostering"]]
    # 60% published with a 65% target; 70% now: 10 points better, last target met.
    assert in_house["change"] == 10.0 and bool(in_house["target_met"]) is True
    distance = comparison.loc[sufficiency.INDICATOR_LABELS["within_20_miles"]]
    assert pd.isna(distance["target_met"]) and np.isnan(distance["change"])
    assert len(comparison) == 2  # the retired indicator is left out
    with pytest.raises(ValueError, match="Indicator"):
        documents.previous_indicators(pd.DataFrame({"x": [1]}), "old.csv")


def test_previous_actions_with_this_years_progress() -> None:
    table = pd.DataFrame({"Ref": ["25-1", "25-2"], "Action": ["Recruit", "Tender"],
                          "Lead": ["F", "C"], "By": ["March 2026", "June 2025"]})  # fmt: skip
    frame = documents.previous_actions_frame(table, {"25-1": "Done."})
    assert frame["Progress"].tolist() == ["Done.", "No update given"]


def test_reading_notes_name_the_threshold_and_rounding() -> None:
    class Report:
        reporting_year = 2025
        suppression_threshold = 5
        round_to = 10

    notes = documents.reading_notes(Report())
    assert "from 1 to 5" in notes and "nearest 10" in notes and "1 April 2024" in notes
