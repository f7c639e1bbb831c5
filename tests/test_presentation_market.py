"""Published tables and sentences for needs, referrals, spend and market: disclosure control
applied as the documents apply it, and sentences read from the protected tables."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from mps import narrative, presentation
from mps.analysis.needs import NeedsFramework
from mps.presentation import PublishableTable
from mps.tables import protect_publishable


def publish(table: PublishableTable, threshold: int = 5) -> pd.DataFrame:
    return protect_publishable(table, threshold=threshold).table


def spend_by_category(rows: list[tuple[int, str, int, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["year", "placement_category", "placements", "spend"])
    return frame.assign(weeks=frame["placements"] * 52.0)


def test_spend_shares_and_the_headline_sentence() -> None:
    spend = spend_by_category(
        [
            (2024, "ifa_fostering", 20, 250_000.0),
            (2024, "childrens_home", 10, 1_000_000.0),
            (2025, "ifa_fostering", 30, 300_000.0),
            (2025, "childrens_home", 12, 1_200_000.0),
            (2025, "secure", 0, 0.0),
        ]
    )
    published = publish(presentation.spend_table(spend, [2024, 2025]))
    # Secure has no placement in either year: not listed. Total row last.
    assert published["Placement"].to_list() == [
        "Independent fostering agency",
        "Children's home",
        "All placements",
    ]
    # 2024-25: 42 placements, IFA 30/42 = 71.4%, homes 12/42 = 28.6%; spend 1.5m: 20% / 80%.
    assert published["% of placements 2024-25"].to_list() == [71.4, 28.6, 100.0]
    assert published["% of spend 2024-25"].to_list() == [20.0, 80.0, 100.0]
    sentence = narrative.spend_sentence(published, [2024, 2025])
    # 1.5m against 1.25m in 2023-24: 20% more.
    assert sentence == (
        "Placements cost £1.5 million in 2024-25, 20% more than in 2023-24. Children's home "
        "placements are 29% of placements but 80% of spend."
    )


def test_spend_of_a_few_placements_is_withheld_with_its_count() -> None:
    spend = spend_by_category(
        [
            (2025, "ifa_fostering", 10, 100_000.0),
            (2025, "childrens_home", 3, 600_000.0),
        ]
    )
    published = publish(presentation.spend_table(spend, [2025]))
    # Three placements in homes: primary suppression; IFA is then the only other row, so
    # it is suppressed too (else 13 - 10 gives 3). Their spend and shares go with them.
    assert published["Placements 2024-25"].to_list() == ["c", "c", 13]
    assert published["Spend 2024-25 (£)"].to_list() == ["c", "c", 700_000.0]
    assert published["% of spend 2024-25"].to_list()[:2] == ["c", "c"]
    sentence = narrative.spend_sentence(published, [2025])
    assert sentence == "Placements cost £700,000 in 2024-25."


def test_contracts_against_the_target() -> None:
    mix = pd.DataFrame(
        {
            "placement_category": ["ifa_fostering", "childrens_home"],
            "on_contract": [20, 3],
            "on_contract_spend": [200_000.0, 150_000.0],
            "off_contract": [8, 9],
            "off_contract_spend": [100_000.0, 550_000.0],
        }
    )
    table = presentation.contract_table(mix)
    assert table.total_column == presentation.ALL_BOUGHT
    published = publish(table)
    home = published.iloc[1]
    # 3 on contract is suppressed, and with it enough cells that no total gives it away.
    assert home[presentation.ON_CONTRACT] == "c"
    assert "c" in published[presentation.OFF_CONTRACT].to_list()
    assert home["% off contract"] == "c"
    total = published.iloc[-1]
    # 17 of 40 bought placements off contract = 42.5%; 650k of 1m spend = 65%.
    assert (total[presentation.ALL_BOUGHT], total["% off contract"]) == (40, 42.5)
    assert narrative.contract_sentence(published, 20, 2025).startswith(
        "In 2024-25, 42.5% of the 40 bought placements were spot purchases (off contract), "
        "above the target of at most 20%; spot purchases were 65.0% of spend on bought "
        "placements."
    )


def test_hampshire_timescales_sentence() -> None:
    by_notice = pd.DataFrame(
        {
            "notice_band": ["Same day", "1-2 days", "3-5 days", "6-14 days", "15 days or more"],
            "requests": [30, 11, 11, 33, 15],
            "placed": [28, 10, 10, 30, 14],
            "average_days_to_place": [1.0, 2.0, 4.0, 10.0, 20.0],
        }
    )
    published = publish(presentation.referrals_by_notice_table(by_notice))
    # 100 requests: the shares are the counts. Average days over all 92 placed:
    # (28 + 20 + 40 + 300 + 280) / 92 = 668 / 92 = 7.3.
    assert published.iloc[-1]["Average days from request to placement"] == 7.3
    assert narrative.referral_timescales_sentence(published) == (
        "30% of requests were for a placement the same day and 41% within 2 days; 11% gave "
        "3 to 5 days' notice, 33% 6 to 14 days and 15% 15 days or more."
    )


def test_requests_by_type_withhold_averages_of_few_placements() -> None:
    by_type = pd.DataFrame(
        {
            "placement_type_sought": ["fostering", "secure"],
            "requests": [50, 3],
            "placed_as_sought": [30, 2],
            "placed_otherwise": [6, 0],
            "unplaced": [6, 1],
            "withdrawn": [8, 0],
            "placed": [36, 2],
            "average_days_to_place": [10.0, 30.0],
        }
    )
    published = publish(presentation.referrals_by_type_table(by_type))
    secure = published.iloc[1]
    assert secure["Requests"] == "c"
    assert secure["Average days from request to placement"] == "c"
    total = published.iloc[-1]
    # 32 of 53 placed as sought = 60.4%; 6 placed otherwise + 7 unplaced = 13 = 24.5%;
    # days (36 x 10 + 2 x 30) / 38 = 11.1.
    assert total["% placed as sought"] == 60.4
    assert total["% unplaced or placed in another type"] == 24.5
    assert total["Average days from request to placement"] == 11.1


def test_needs_by_age_groups_the_oldest_and_finds_the_peaks() -> None:
    profile = pd.DataFrame(
        {
            "age": [16, 17, 18],
            "children_assessed": [10, 6, 4],
            "average_needs": [5.0, 4.0, 9.0],
            "average_score": [12.0, 10.0, 20.0],
        }
    )
    published = publish(presentation.needs_by_age_table(profile))
    # 17 and 18 together: 10 children, score (6 x 10 + 4 x 20) / 10 = 14.
    assert published["Age"].to_list() == ["16", "17 or over", "All children assessed"]
    assert published["Average need score"].to_list() == [12.0, 14.0, 13.0]
    ages = pd.DataFrame(
        {
            "Age": [str(a) for a in range(6, 14)] + ["All children assessed"],
            "Children assessed": [10] * 8 + [80],
            "Average number of needs": [1.0] * 9,
            "Average need score": [10, 13, 12.5, 11, 12, 15, 14, 13, 12],
        }
    )
    # Local peaks at 7 (13) and 11 (15); the highest first.
    assert narrative.needs_by_age_sentence(ages) == (
        "Average need scores peaked at age 11 (15.0) and at age 7 (13.0)."
    )


def test_needs_occurrence_is_a_two_way_table() -> None:
    framework = NeedsFramework.from_settings(
        {
            "needs": {
                "indicators": [
                    {"slug": "a", "label": "Health", "domain": "X"},
                    {"slug": "b", "label": "Safety", "domain": "Y"},
                ]
            }
        }
    )
    profile = pd.DataFrame(
        {
            "placement_category": ["inhouse_fostering", "childrens_home"],
            "children_assessed": [20, 10],
            "domain:X": [12, 9],
            "domain:Y": [6, 3],
            "a": [12, 9],
            "b": [6, 3],
        }
    )
    table = presentation.needs_occurrence_table(profile, framework)
    assert table.frame["Need"].to_list() == [
        "Children assessed",
        "X: any need",
        "Health",
        "Y: any need",
        "Safety",
    ]
    published = publish(table)
    # Safety: 3 in homes is suppressed, and so is 6 in in-house fostering (row total 9).
    assert published.iloc[4][
        ["In-house fostering", "Children's home", "All placements"]
    ].to_list() == [
        "c",
        "c",
        9,
    ]
    by_band = presentation.needs_occurrence_table(
        profile.rename(columns={"placement_category": "age_band"}).assign(
            age_band=["10-15", "16+"]
        ),
        framework,
        by="age_band",
    )
    assert list(by_band.frame.columns[1:]) == ["10 to 15", "16 and over", "All ages"]
    assert by_band.total_column == "All ages"
    # X: 12 of 20 aged 10-15 (60%) and 9 of 10 aged 16+ (90%); Y is withheld (3 and 6).
    assert narrative.needs_by_age_band_sentence(publish(by_band)) == (
        "Needs in X differed most with age: 90% of children aged 16 and over had one, against "
        "60% of those aged 10 to 15."
    )
    # Health 21 of 30 (70%), safety 9 (30%).
    assert narrative.needs_occurrence_sentence(published) == (
        "Among the children assessed, the most common needs were health (70%) and safety (30%)."
    )
    # Secure (2 children) and adoption (4) are one column, "Other placements": 6 children,
    # 3 with health needs (c), 1 with safety needs (c); the totals are 36, 24 and 10.
    more = pd.concat(
        [
            profile,
            pd.DataFrame(
                {
                    "placement_category": ["secure", "adoption"],
                    "children_assessed": [2, 4],
                    "domain:X": [1, 2],
                    "domain:Y": [0, 1],
                    "a": [1, 2],
                    "b": [0, 1],
                }
            ),
        ],
        ignore_index=True,
    )
    published = publish(presentation.needs_occurrence_table(more, framework))
    assert list(published.columns) == [
        "Need",
        "In-house fostering",
        "Children's home",
        "Other placements",
        "All placements",
    ]
    assert published.iloc[0, 1:].to_list() == [20, 10, 6, 36]
    assert published.iloc[2, 1:].to_list() == [12, "c", "c", 24]


def test_key_providers_and_contract_price_sentences() -> None:
    providers = pd.DataFrame(
        {
            "provider": ["Acme", "Best", "All other providers"],
            "placements": [10, 8, 20],
            "spend": [500_000.0, 300_000.0, 200_000.0],
            "ofsted_rating": ["Good", "Outstanding", "5 providers"],
            "good_or_better": [10, 8, 12],
        }
    )
    published = publish(presentation.key_providers_table(providers))
    assert narrative.key_providers_sentence(published) == (
        "The 2 providers named here received 80% of spend on bought placements; the largest, "
        "Acme, received 50.0%."
    )
    prices = pd.DataFrame(
        {
            "Placement": ["Children's home", "Independent fostering agency", "Secure"],
            "Need band": ["High need", "Low need", "High need"],
            "Difference a week (£)": [100.0, -50.0, "c"],
            "Cost avoided this year (£)": [52_000.0, -10_000.0, "c"],
        }
    )
    # Visible rows only: 52,000 - 10,000 = 42,000 avoided; spot dearer in 1 of 2 groups.
    assert narrative.contract_price_sentence(prices) == (
        "Comparing like placements (the same type and need band) in the 2 groups that can be "
        "published, spot purchases cost more a week than contracted ones in 1; at this year's "
        "volumes the contracts avoided about £42,000."
    )


def test_cost_need_sentence_says_when_there_is_no_clear_link() -> None:
    model = SimpleNamespace(
        placements=120,
        need_effect_pct=0.4,
        need_effect_low=-0.3,
        need_effect_high=1.1,
        r_squared=0.81,
    )
    sentence = narrative.cost_need_sentence(model)
    assert "no clear link" in sentence and "81%" in sentence and "120 placements" in sentence
    assert "Too few" in narrative.cost_need_sentence(None)


def test_missing_and_partial_inputs_are_explained() -> None:
    sentence = narrative.missing_input_sentence("referrals", "Northtown")
    assert sentence.startswith("No log of placement requests was supplied for Northtown")
    assert "referrals.csv" in sentence
    assert narrative.coverage_sentence("spend", ["n", "s"], ["n", "s"], ["N", "S"]) == ""
    assert narrative.coverage_sentence("spend", ["n"], ["n", "s", "e"], ["N", "S", "E"]) == (
        "These figures cover the 1 of 3 boroughs that supplied their placement spend; S and E "
        "did not."
    )
