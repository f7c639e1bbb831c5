"""The numbers the demo generator is calibrated to (reference §3), in one place.

Each table says what it reproduces. The simulation draws periods of care (start, age,
pathway out of care, duration), legal statuses and placements from these; the resulting
national-shape figures (age and placement mix at 31 March, starts and ceases, stability,
distance) are checked in ``tests/test_synthetic.py``. Costs are illustrative (§3.10).
"""

from __future__ import annotations

import numpy as np

#: Collection years of burn-in before the first return: every child in care at 1 April 2020,
#: and every care leaver aged up to 21 then, started after 1 April 1997.
FIRST_START_YEAR = 1998
#: Starts per child looked after at 31 March (Little's law: about 2.45 years in care, §3.1).
#: Non-UASC and UASC children stay different lengths: 2.8 (returns to care included) and
#: 1.38 years on average.
MEAN_YEARS_NON_UASC = 2.8
MEAN_YEARS_UASC = 1.38
#: UASC share of children looked after at 31 March nationally (§3.1: 8.0-8.8%).
UASC_SHARE_OF_STOCK = 0.075
#: UASC arrivals by collection year of start, relative to 2022 (a rise in 2023-24, §3.1).
UASC_BY_YEAR = {2020: 0.95, 2021: 0.75, 2022: 1.0, 2023: 1.25, 2024: 1.2, 2025: 1.0}
#: Share of starts that are a return to care of a child who was looked after before.
RE_ENTRY_SHARE = 0.12
#: Chance that a child who went home (or left for another reason) before 16.5 returns to care,
#: tuned so that returns are RE_ENTRY_SHARE of starts.
RE_ENTRY_CHANCE = 0.45

# --- Pathways out of care --------------------------------------------------------------
ADOPTION, SGO, HOME, LONG_TERM, LEAVE_16, OTHER = range(6)
#: Age groups at the start of care: <1, 1-4, 5-9, 10-13, 14-15, 16-17.
AGE_GROUP_EDGES = np.array([1.0, 5.0, 10.0, 14.0, 16.0])
#: Pathway probabilities by age group (rows) for non-UASC children: adoption, SGO/CAO,
#: home, long-term (to 18), leaving at 16-17, other. Tuned so that ages at start (§3.3),
#: at 31 March (§3.2) and on ceasing (§3.4) and the reasons for ceasing (§3.4) match.
PATHWAY_BY_AGE = np.array(
    [
        [0.42, 0.20, 0.22, 0.10, 0.00, 0.06],
        [0.15, 0.28, 0.32, 0.17, 0.00, 0.08],
        [0.00, 0.20, 0.43, 0.27, 0.00, 0.10],
        [0.00, 0.06, 0.46, 0.32, 0.06, 0.10],
        [0.00, 0.00, 0.40, 0.35, 0.12, 0.13],
        [0.00, 0.00, 0.33, 0.47, 0.05, 0.15],
    ]
)
PATHWAY_UASC = np.array([0.0, 0.0, 0.05, 0.80, 0.0, 0.15])
#: Median years in care by pathway (lognormal) and its log-sd. Home: by age group.
DURATION_MEDIAN = np.array([1.8, 1.5, 0.35, 0.0, 0.0, 0.5])
DURATION_SIGMA = np.array([0.35, 0.6, 1.1, 0.0, 0.0, 1.0])
HOME_MEDIAN_BY_AGE = np.array([0.45, 0.35, 0.4, 0.7, 0.55, 0.3])
ADOPTION_MIN_YEARS = 0.8

# --- Who starts ------------------------------------------------------------------------
#: Age band shares of non-UASC starts (<1, 1-4, 5-9, 10-15, 16-17), so that with UASC
#: all starts are 16/14/15/27/28% (§3.3).
START_AGE_BANDS = np.array([19.0, 16.7, 17.9, 26.4, 20.0])
START_AGE_EDGES = np.array([0.0, 1.0, 5.0, 10.0, 16.0, 18.0])
NEWBORN_SHARE = 0.7  # of under-1 starts, in the first fortnight of life
UASC_AGE = {14: 0.05, 15: 0.25, 16: 0.45, 17: 0.25}
MALE_NON_UASC = 0.54  # starts 60% male with UASC (§3.3); stock 56% (§3.2)
MALE_UASC = 0.93
#: Ethnicity (§3.2: 71/11/8/5/4/1 overall); UASC children mostly African, Afghan, other.
ETHNIC_NON_UASC = {
    "WBRI": 66.2, "WIRI": 0.6, "WOTH": 7.6, "WIRT": 0.8, "WROM": 1.5,
    "MWBC": 4.4, "MWBA": 1.6, "MWAS": 2.2, "MOTH": 3.8,
    "AIND": 0.6, "APKN": 1.1, "ABAN": 0.5, "AOTH": 0.6,
    "BCRB": 1.2, "BAFR": 2.8, "BOTH": 1.2,
    "CHNE": 0.2, "OOTH": 2.0, "REFU": 0.3, "NOBT": 0.8,
}  # fmt: skip
ETHNIC_UASC = {"BAFR": 35.0, "AOTH": 30.0, "OOTH": 25.0, "BOTH": 5.0, "WOTH": 5.0}
#: Category of need at start for non-UASC children (§3.3 with UASC mostly N8).
CIN_NON_UASC = {"N1": 67.4, "N2": 2.3, "N3": 2.3, "N4": 8.1, "N5": 12.8, "N6": 2.3,
                "N7": 0.3, "N8": 5.5}  # fmt: skip
CIN_UASC = {"N8": 95.0, "N4": 5.0}

# --- Legal status ------------------------------------------------------------------------
#: Legal status at start by pathway, non-UASC (V2, C1, L1, L2): §3.3 gives s20 54%, ICO 33%,
#: police protection 9%, EPO 2%, remand 2% of all starts (UASC are all s20).
START_LS = ("V2", "C1", "L1", "L2")
START_LS_BY_PATHWAY = np.array(
    [
        [0.12, 0.70, 0.08, 0.10],
        [0.25, 0.60, 0.12, 0.03],
        [0.60, 0.26, 0.12, 0.02],
        [0.30, 0.56, 0.11, 0.03],
        [0.55, 0.33, 0.10, 0.02],
        [0.55, 0.33, 0.10, 0.02],
    ]
)
REMAND_SHARE_12_PLUS = 0.06  # of non-UASC starts aged 12+ on the "other" pathway: J1

# --- Placements ----------------------------------------------------------------------------
INHOUSE, KINSHIP, IFA, HOME_RES, SUPPORTED, SECURE, PARENTS, ADOPTED, OTHER_PLACE = range(9)
CATEGORY_NAMES = ("inhouse", "kinship", "ifa", "childrens_home", "supported", "secure",
                  "parents", "adoption", "other")  # fmt: skip
#: Placement weights by age at the placement's start (rows: 0-4, 5-9, 10-12, 13-15, 16-17),
#: columns in the category order above (adoption only when planned). Tuned so that the mix
#: at 31 March matches the 2024 FOI snapshot (§3.5: in-house 28%, IFA 25%, kinship 16%,
#: children's homes 11%, supported 10%, parents 6%, adoption 3%, other ~3%).
PLACEMENT_AGE_EDGES = np.array([5.0, 10.0, 13.0, 16.0])
PLACEMENT_WEIGHTS = np.array(
    [
        [38.0, 20.0, 20.0, 0.0, 0.0, 0.0, 24.0, 0.0, 3.5],
        [32.0, 19.0, 28.0, 3.0, 0.0, 0.0, 24.0, 0.0, 2.5],
        [27.0, 14.5, 31.0, 15.5, 0.0, 0.2, 18.0, 0.0, 5.0],
        [22.0, 10.0, 29.0, 28.0, 0.0, 0.4, 18.0, 0.0, 7.0],
        [13.5, 7.0, 18.0, 18.0, 45.0, 0.3, 12.0, 0.0, 6.0],
    ]
)
PLACEMENT_WEIGHTS_UASC = np.array(
    [
        [35.0, 0.0, 45.0, 15.0, 0.0, 0.0, 0.0, 0.0, 5.0],
        [12.0, 0.0, 22.0, 6.0, 60.0, 0.0, 0.0, 0.0, 0.0],
    ]
)
#: Chance that a move keeps the previous kind of placement (fostering stays fostering).
PLACEMENT_PERSISTENCE = 0.5
#: Moves to a new carer per year by age group at start (<1, 1-4, 5-9, 10-13, 14-15, 16-17),
#: before the child's complexity and the borough's instability. Tuned to ~10% of children
#: at 31 March with 3+ placements in the year (§3.7).
MOVE_RATE = np.array([0.22, 0.22, 0.32, 0.40, 0.38, 0.38])
EARLY_MOVE_SHARE = 0.35  # an emergency placement, then the planned one within weeks
#: Share of long fostering placements that become long-term with the same carers (the
#: "change in status of placement only" that is 24% of placement changes, §3.8).
LONG_TERM_STATUS_CHANGE = 0.7
#: Where placements are (§3.6: 40% outside the borough, 16% outside and > 20 miles):
#: probabilities of inside / a neighbouring authority / far away, by category.
LOCATION = np.array(
    [
        [1.00, 0.00, 0.00],
        [0.60, 0.26, 0.14],
        [0.29, 0.51, 0.20],
        [0.20, 0.36, 0.44],
        [0.45, 0.40, 0.15],
        [0.00, 0.30, 0.70],
        [0.97, 0.03, 0.00],
        [0.30, 0.42, 0.28],
        [0.30, 0.35, 0.35],
    ]
)
NEAR_KM = 36.0  # centre-to-centre distance of a "neighbouring" authority
LA_HOME_SHARE = 0.16  # of children's home placements, in the borough's own homes
#: Reasons for placement change other than a change of status only (§3.8, rescaled).
REASON_PLACE_CHANGE = {
    "CARPL": 31, "OTHER": 22, "CREQB": 8, "CREQO": 6, "CHILD": 3, "LAREQ": 1, "STAND": 1,
    "CLOSE": 1, "ALLEG": 1, "APPRR": 0.4,
}  # fmt: skip

# --- Reasons for ceasing (§3.4) ---------------------------------------------------------
REC_HOME = {"E4A": 58, "E4B": 14, "E13": 20, "E41": 8}
REC_OTHER = {"E3": 40, "E8": 32, "E9": 8, "E13": 13, "E16": 5, "E2": 2}
REC_OTHER_UASC = {"E15": 35, "E8": 25, "E3": 25, "E16": 15}
REC_REMAND = {"E14": 60, "E9": 25, "E4A": 15}
REC_LEAVE_16 = {"E5": 55, "E6": 25, "E8": 20}
#: At 18, by the last placement: fostering, supported, children's home, other.
REC_AT_18_FOSTER = {"E17": 74, "E5": 10, "E8": 9, "E6": 3, "E7": 2, "E3": 2}
REC_AT_18_SUPPORTED = {"E5": 52, "E17": 18, "E6": 10, "E8": 20}
REC_AT_18_HOME = {"E5": 35, "E7": 15, "E8": 45, "E6": 5}
REC_AT_18_OTHER = {"E8": 60, "E5": 30, "E7": 10}

# --- Short breaks (V3) -------------------------------------------------------------------
SHORT_BREAK_SHARE = 0.015  # of children looked after in a year (1-2%)

# --- Illustrative weekly costs at 2024-25 prices (§3.10 rule of thumb) -------------------
#: Median and log-sd by kind of placement; price growth per year back from 2024-25.
WEEKLY_COST = {
    "kinship": (290.0, 0.12, 0.03),
    "inhouse": (560.0, 0.15, 0.03),
    "ifa": (950.0, 0.12, 0.035),
    "la_home": (5_000.0, 0.15, 0.07),
    "external_home": (6_200.0, 0.30, 0.09),
    "supported": (1_500.0, 0.35, 0.05),
    "secure": (7_500.0, 0.15, 0.05),
    "family_centre": (3_200.0, 0.20, 0.04),
    "residential_school": (4_200.0, 0.25, 0.05),
    "unregistered": (7_000.0, 0.35, 0.08),
    "other": (1_400.0, 0.30, 0.04),
}
