"""SSDA903 code lists, their validity by collection year, and the MPS groupings.

Collection years are named by their end year: ``2024`` is the 2023-24 return
(1 April 2023 to 31 March 2024). Codes change between years (reference §2.3-2.4),
so every code list here is keyed by the years in which it is valid, and
:func:`valid_codes` answers "which codes may this column hold in that year?".

The one mapping from placement type (PLACE) and provider (PLACE_PROVIDER) to the
MPS placement categories lives in :func:`placement_category`; nothing else in the
project groups placements.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

#: First and last collection years the project knows code lists for.
FIRST_KNOWN_YEAR = 2017
LAST_KNOWN_YEAR = 2027


@dataclass(frozen=True)
class Code:
    """One code with its meaning and the collection years in which it is valid."""

    code: str
    label: str
    first_year: int = FIRST_KNOWN_YEAR
    last_year: int = LAST_KNOWN_YEAR

    def valid_in(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


def _codes(*items: Code) -> dict[str, Code]:
    return {item.code: item for item in items}


# --- Header -----------------------------------------------------------------------------
SEX = _codes(
    # 1/2 until 2023-24; the child's reported sex as M/F/U from 2024-25 (rule 101).
    Code("1", "Male", last_year=2024),
    Code("2", "Female", last_year=2024),
    Code("M", "Male", first_year=2025),
    Code("F", "Female", first_year=2025),
    Code("U", "Unknown", first_year=2025),
)
#: Every year's SEX code, normalised to M / F / U.
SEX_NORMALISED = {"1": "M", "2": "F", "M": "M", "F": "F", "U": "U"}

ETHNIC = _codes(
    Code("WBRI", "White British"),
    Code("WIRI", "White Irish"),
    Code("WOTH", "Any other White background"),
    Code("WIRT", "Traveller of Irish heritage"),
    Code("WROM", "Gypsy/Roma"),
    Code("MWBC", "White and Black Caribbean"),
    Code("MWBA", "White and Black African"),
    Code("MWAS", "White and Asian"),
    Code("MOTH", "Any other Mixed background"),
    Code("AIND", "Indian"),
    Code("APKN", "Pakistani"),
    Code("ABAN", "Bangladeshi"),
    Code("AOTH", "Any other Asian background"),
    Code("BCRB", "Caribbean"),
    Code("BAFR", "African"),
    Code("BOTH", "Any other Black background"),
    Code("CHNE", "Chinese"),
    Code("OOTH", "Any other ethnic group"),
    Code("REFU", "Refused"),
    Code("NOBT", "Information not yet obtained"),
)

MOTHER = _codes(Code("0", "Not a mother"), Code("1", "Mother"))

# --- Episodes ---------------------------------------------------------------------------
RNE = _codes(
    Code("S", "Started to be looked after"),
    Code("L", "Change of legal status only"),
    Code("P", "Change of placement and carer(s) only"),
    Code("T", "Change of placement (but same carer(s)) only"),
    Code("B", "Change of legal status and placement and carer(s)"),
    Code("U", "Change of legal status and placement (but same carer(s))"),
)
#: Reasons for a new episode that mean a new placement began.
RNE_NEW_PLACEMENT = frozenset({"S", "P", "T", "B", "U"})

LS = _codes(
    Code("C1", "Interim care order"),
    Code("C2", "Full care order"),
    Code("D1", "Freeing order granted"),
    Code("E1", "Placement order granted"),
    Code("V2", "Single period of accommodation under section 20"),
    Code("V3", "Accommodated under an agreed series of short-term breaks (episodes)"),
    Code("V4", "Accommodated under an agreed series of short-term breaks (agreements)"),
    Code("L1", "Under police protection and in local authority accommodation"),
    Code("L2", "Emergency protection order"),
    Code("L3", "Under child assessment order and in local authority accommodation"),
    Code("J1", "Remanded to local authority or youth detention accommodation"),
    Code("J2", "Placed in local authority accommodation under PACE"),
    Code("J3", "Youth rehabilitation order with residence or intensive fostering requirement"),
)
#: Short-break legal statuses: DfE excludes children looked after only under these.
SHORT_BREAK_LS = frozenset({"V3", "V4"})

#: Legal status groups as DfE publishes them.
LEGAL_STATUS_GROUP = {
    "C1": "Interim care order",
    "C2": "Full care order",
    "D1": "Freeing order or placement order",
    "E1": "Freeing order or placement order",
    "V2": "Voluntary agreement (section 20)",
    "V3": "Short breaks",
    "V4": "Short breaks",
    "L1": "Emergency and police protection",
    "L2": "Emergency and police protection",
    "L3": "Emergency and police protection",
    "J1": "Youth justice legal statuses",
    "J2": "Youth justice legal statuses",
    "J3": "Youth justice legal statuses",
}

CIN = _codes(
    Code("N1", "Abuse or neglect"),
    Code("N2", "Child's disability"),
    Code("N3", "Parental illness or disability"),
    Code("N4", "Family in acute stress"),
    Code("N5", "Family dysfunction"),
    Code("N6", "Socially unacceptable behaviour"),
    Code("N7", "Low income"),
    Code("N8", "Absent parenting"),
)

PLACE = _codes(
    Code("U1", "Foster placement with relative or friend - long term"),
    Code("U2", "Foster placement with relative or friend - fostering for adoption"),
    Code("U3", "Foster placement with relative or friend - not long term or FFA"),
    Code("U4", "Foster placement with other foster carer - long term"),
    Code("U5", "Foster placement with other foster carer - fostering for adoption"),
    Code("U6", "Foster placement with other foster carer - not long term or FFA"),
    Code("A3", "Placed for adoption with consent with current foster carer"),
    Code("A4", "Placed for adoption with consent not with current foster carer"),
    Code("A5", "Placed for adoption with placement order with current foster carer"),
    Code("A6", "Placed for adoption with placement order not with current foster carer"),
    Code("H5", "Semi-independent living accommodation", last_year=2025),
    Code("P2", "Independent living", last_year=2024),
    Code("K3", "Registered supported accommodation", first_year=2025),
    Code("K1", "Secure children's home"),
    Code("K2", "Children's home subject to Children's Homes Regulations"),
    Code("P1", "Placed with own parent or person with parental responsibility"),
    Code("P3", "Residential employment"),
    Code("R1", "Residential care home"),
    Code("R2", "NHS or health trust establishment"),
    Code("R3", "Family centre or mother and baby unit"),
    Code("R5", "Young offender institution or prison"),
    Code("S1", "Residential school"),
    Code("T0", "Temporary move of any type"),
    Code("T1", "Temporary period in hospital"),
    Code("T2", "Temporary absence on holiday"),
    Code("T3", "Temporary accommodation while foster carer on holiday"),
    Code("T4", "Temporary accommodation of seven days or less"),
    Code("Z1", "Other placement", last_year=2025),
    Code("Z11", "Other placement (Z11)", first_year=2026),
    Code("Z12", "Other placement (Z12)", first_year=2026),
    Code("Z13", "Other placement (Z13)", first_year=2026),
    Code("Z14", "Other placement (Z14)", first_year=2026),
)
#: Temporary placements are never counted as placements (DfE counting rules).
TEMPORARY_PLACE = frozenset({"T0", "T1", "T2", "T3", "T4"})
#: Placements that are for young people aged 16 and over only (rules 370/371).
SIXTEEN_PLUS_PLACE = frozenset({"K3", "H5", "P2"})
#: Date after which P2 is invalid for open episodes (rule 217t).
P2_INVALID_AFTER = pd.Timestamp("2023-10-28")

PLACE_PROVIDER = _codes(
    Code("PR0", "Parent or person with parental responsibility"),
    Code("PR1", "Own provision by the local authority"),
    Code("PR2", "Other local authority provision"),
    Code("PR3", "Other public provision"),
    Code("PR4", "Private provision"),
    Code("PR5", "Voluntary or third sector provision"),
)
IN_HOUSE_PROVIDERS = frozenset({"PR1"})
PUBLIC_PROVIDERS = frozenset({"PR1", "PR2", "PR3"})
INDEPENDENT_PROVIDERS = frozenset({"PR4", "PR5"})

REC = _codes(
    Code("X1", "Episode ceases and new episode begins on the same day"),
    Code("E11", "Adopted - application unopposed"),
    Code("E12", "Adopted - consent dispensed with by the court"),
    Code("E2", "Died"),
    Code("E3", "Care taken over by another local authority"),
    Code("E4A", "Returned home as part of care planning"),
    Code("E4B", "Returned home not as part of care planning"),
    Code("E13", "Left care to live with parents or relatives without parental responsibility"),
    Code("E41", "Residence order or child arrangements order granted"),
    Code("E43", "Special guardianship order to former foster carers (historic)", last_year=2016),
    Code("E44", "Special guardianship order to other carers (historic)", last_year=2016),
    Code("E45", "Special guardianship order to former foster carers who were relatives or friends"),
    Code("E46", "Special guardianship order to former foster carers, not relatives or friends"),
    Code("E47", "Special guardianship order to relatives or friends, not former foster carers"),
    Code("E48", "Special guardianship order to other carers, not former foster carers"),
    Code("E5", "Moved into independent living with formalised support"),
    Code("E6", "Moved into independent living without formalised support"),
    Code("E7", "Transferred to residential care funded by adult social care"),
    Code("E9", "Sentenced to custody"),
    Code("E14", "Accommodation on remand ended"),
    Code("E15", "Age assessment determined child is 18 or over"),
    Code("E16", "Child moved abroad"),
    Code("E17", "Aged 18 or over and remained with current carers"),
    Code("E8", "Period of being looked after ceased for any other reason"),
)
#: REC values that end a period of care (everything but X1).
LEAVING_CARE_REC = frozenset(set(REC) - {"X1"})

#: Reasons for leaving care grouped as DfE publishes them.
REASON_CEASED_GROUP = {
    "E11": "Adopted",
    "E12": "Adopted",
    "E2": "Died",
    "E3": "Care taken over by another local authority",
    "E4A": "Returned home to parents or relatives",
    "E4B": "Returned home to parents or relatives",
    "E13": "Left care to live with parents or relatives without parental responsibility",
    "E41": "Residence or child arrangements order",
    "E43": "Special guardianship order",
    "E44": "Special guardianship order",
    "E45": "Special guardianship order",
    "E46": "Special guardianship order",
    "E47": "Special guardianship order",
    "E48": "Special guardianship order",
    "E5": "Moved into independent living",
    "E6": "Moved into independent living",
    "E7": "Transferred to adult social care",
    "E9": "Sentenced to custody",
    "E14": "Accommodation on remand ended",
    "E15": "Age assessment determined child is 18 or over",
    "E16": "Moved abroad",
    "E17": "Aged 18 or over and remained with current carers",
    "E8": "Ceased for any other reason",
}

REASON_PLACE_CHANGE = _codes(
    Code("CARPL", "Change to or implementation of care plan"),
    Code("CLOSE", "Resignation or closure of provision"),
    Code("ALLEG", "Allegation (section 47)"),
    Code("STAND", "Standards of care concern"),
    Code("APPRR", "Approval removed"),
    Code("CREQB", "Carer requests placement end due to child's behaviour"),
    Code("CREQO", "Carer requests placement end other than due to child's behaviour"),
    Code("CHILD", "Child requests placement end"),
    Code("LAREQ", "Responsible or area authority requests placement end"),
    Code("PLACE", "Change in the status of placement only"),
    Code("CUSTOD", "Custody arrangement"),
    Code("OTHER", "Other"),
)

MISSING = _codes(
    Code("M", "Missing from care (whereabouts unknown)"),
    Code("A", "Away from placement without authorisation (whereabouts known)"),
)

#: Code lists by column name, as used by validation.
CODE_LISTS: dict[str, dict[str, Code]] = {
    "SEX": SEX,
    "ETHNIC": ETHNIC,
    "MOTHER": MOTHER,
    "RNE": RNE,
    "LS": LS,
    "CIN": CIN,
    "PLACE": PLACE,
    "PLACE_PROVIDER": PLACE_PROVIDER,
    "REC": REC,
    "REASON_PLACE_CHANGE": REASON_PLACE_CHANGE,
    "MISSING": MISSING,
}


def valid_codes(column: str, year: int) -> frozenset[str]:
    """The codes ``column`` may hold in collection ``year`` (empty if it has no code list)."""
    codes = CODE_LISTS.get(column, {})
    return frozenset(code for code, item in codes.items() if item.valid_in(year))


def code_label(column: str, code: str) -> str:
    """The meaning of ``code`` in ``column``, or the code itself when it is not known."""
    item = CODE_LISTS.get(column, {}).get(code)
    return item.label if item else code


# --- Ethnicity groups -------------------------------------------------------------------
ETHNIC_GROUP_BY_LETTER = {"W": "White", "M": "Mixed", "A": "Asian", "B": "Black"}
ETHNIC_GROUP_ORDER = ("White", "Mixed", "Asian", "Black", "Other", "Not known")


def ethnic_group(ethnic: pd.Series) -> pd.Series:
    """DfE's major ethnic groups (White, Mixed, Asian, Black, Other, Not known)."""
    codes = ethnic.astype("string").str.upper()
    group = codes.str[0].map(ETHNIC_GROUP_BY_LETTER)
    group = group.mask(codes.isin(["CHNE", "OOTH"]), "Other")
    group = group.mask(codes.isin(["REFU", "NOBT"]) | codes.isna(), "Not known")
    return group.fillna("Not known").astype("string")


# --- MPS placement categories -----------------------------------------------------------
class PlacementCategory(StrEnum):
    """The placement categories a Market Position Statement reports on."""

    IN_HOUSE_FOSTERING = "inhouse_fostering"
    KINSHIP_FOSTERING = "kinship_fostering"
    IFA_FOSTERING = "ifa_fostering"
    CHILDRENS_HOME = "childrens_home"
    SUPPORTED_ACCOMMODATION = "supported_accommodation"
    SECURE = "secure"
    PLACED_WITH_PARENTS = "placed_with_parents"
    ADOPTION = "adoption"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    PlacementCategory.IN_HOUSE_FOSTERING: "In-house fostering",
    PlacementCategory.KINSHIP_FOSTERING: "Kinship (connected person) fostering",
    PlacementCategory.IFA_FOSTERING: "Independent fostering agency",
    PlacementCategory.CHILDRENS_HOME: "Children's home",
    PlacementCategory.SUPPORTED_ACCOMMODATION: "Supported accommodation (16+)",
    PlacementCategory.SECURE: "Secure children's home",
    PlacementCategory.PLACED_WITH_PARENTS: "Placed with parents",
    PlacementCategory.ADOPTION: "Placed for adoption",
    PlacementCategory.OTHER: "Other placements",
}
#: Category slugs in reporting order.
CATEGORY_ORDER: tuple[str, ...] = tuple(c.value for c in PlacementCategory)

_FOSTER_KINSHIP = {"U1", "U2", "U3"}
_FOSTER_OTHER = {"U4", "U5", "U6"}
_PLACE_CATEGORY = {
    **{code: PlacementCategory.KINSHIP_FOSTERING for code in _FOSTER_KINSHIP},
    **{code: PlacementCategory.ADOPTION for code in ("A3", "A4", "A5", "A6")},
    "K2": PlacementCategory.CHILDRENS_HOME,
    "K1": PlacementCategory.SECURE,
    "K3": PlacementCategory.SUPPORTED_ACCOMMODATION,
    "H5": PlacementCategory.SUPPORTED_ACCOMMODATION,
    "P2": PlacementCategory.SUPPORTED_ACCOMMODATION,
    "P1": PlacementCategory.PLACED_WITH_PARENTS,
    **{
        code: PlacementCategory.OTHER
        for code in ("P3", "R1", "R2", "R3", "R5", "S1", "Z1", "Z11", "Z12", "Z13", "Z14")
    },
}


def placement_category(place: pd.Series, provider: pd.Series) -> pd.Series:
    """Derive the MPS placement category from PLACE and PLACE_PROVIDER (reference §2.5).

    Foster placements with other carers (U4-U6) are IFA when the provider is private or
    voluntary (PR4/PR5) and in-house otherwise. Temporary placements (T0-T4) and codes
    not known give ``<NA>``: temporary placements are never placements in their own right.
    """
    place = place.astype("string").str.upper()
    provider = provider.astype("string").str.upper()
    category = place.map({k: v.value for k, v in _PLACE_CATEGORY.items()}).astype("string")
    other_foster = place.isin(_FOSTER_OTHER)
    independent = provider.isin(INDEPENDENT_PROVIDERS).fillna(False)
    category = category.mask(
        other_foster & independent, PlacementCategory.IFA_FOSTERING.value
    ).mask(other_foster & ~independent, PlacementCategory.IN_HOUSE_FOSTERING.value)
    return category


def provider_sector(provider: pd.Series) -> pd.Series:
    """Group PLACE_PROVIDER into ``in-house``, ``other public``, ``independent``, ``parents``."""
    provider = provider.astype("string").str.upper()
    sector = pd.Series(pd.NA, index=provider.index, dtype="string")
    # isin, not ==: a blank provider compares as <NA>, which mask() would take as True.
    sector = sector.mask(provider.isin(["PR1"]), "in-house")
    sector = sector.mask(provider.isin(["PR2", "PR3"]), "other public")
    sector = sector.mask(provider.isin(INDEPENDENT_PROVIDERS), "independent")
    sector = sector.mask(provider.isin(["PR0"]), "parents")
    return sector


# --- Age bands --------------------------------------------------------------------------
#: DfE's age bands at 31 March: (label, lower age inclusive, upper age exclusive).
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("under 1", 0, 1),
    ("1-4", 1, 5),
    ("5-9", 5, 10),
    ("10-15", 10, 16),
    ("16+", 16, 200),
)
AGE_BAND_ORDER: tuple[str, ...] = tuple(label for label, _, _ in AGE_BANDS)


def age_band(age_years: pd.Series) -> pd.Series:
    """DfE age band for ages in whole years (``under 1``, ``1-4``, ``5-9``, ``10-15``, ``16+``)."""
    edges = [lower for _, lower, _ in AGE_BANDS] + [np.inf]
    banded = pd.cut(age_years, bins=edges, right=False, labels=list(AGE_BAND_ORDER))
    return banded.astype("string")


def age_in_years(dob: pd.Series, on: pd.Timestamp | pd.Series) -> pd.Series:
    """Age in completed years on a date (or dates), counting birthdays exactly."""
    dob = pd.to_datetime(dob)
    on_dates = pd.to_datetime(on) if isinstance(on, pd.Series) else pd.Series(on, index=dob.index)
    years = on_dates.dt.year - dob.dt.year
    before_birthday = (on_dates.dt.month < dob.dt.month) | (
        (on_dates.dt.month == dob.dt.month) & (on_dates.dt.day < dob.dt.day)
    )
    return (years - before_birthday.astype("Int64")).astype("Int64")


def year_start(year: int) -> pd.Timestamp:
    """1 April at the start of collection ``year`` (``2024`` -> 1 April 2023)."""
    return pd.Timestamp(year=year - 1, month=4, day=1)


def year_end(year: int) -> pd.Timestamp:
    """31 March at the end of collection ``year``."""
    return pd.Timestamp(year=year, month=3, day=31)


# --- Valuing Care needs indicators ------------------------------------------------------
@dataclass(frozen=True)
class NeedsIndicator:
    """One Valuing Care-style needs indicator and the outcome domain it belongs to."""

    slug: str
    label: str
    domain: str


#: The default 12 indicators in 6 domains (shared/domain/VALUING_CARE.md). Configurable:
#: the parameters may name another set; these are the column names of ``needs.csv``.
VALUING_CARE_INDICATORS: tuple[NeedsIndicator, ...] = (
    NeedsIndicator("physical_health", "Physical health need", "Be Healthy"),
    NeedsIndicator("emotional_health", "Emotional or mental health", "Be Healthy"),
    NeedsIndicator("relationships", "Healthy attachments, free from exploitation", "Be Safe"),
    NeedsIndicator("risky_behaviour", "Safe decisions on drugs, alcohol and sex", "Be Safe"),
    NeedsIndicator("learning_disability", "Learning difficulty or disability", "Be Ambitious"),
    NeedsIndicator("education", "Educational progress", "Be Ambitious"),
    NeedsIndicator("self_regulation", "Managing emotions and boundaries", "Be Resilient"),
    NeedsIndicator("social_activities", "Engaging in community activities", "Be Resilient"),
    NeedsIndicator("self_care", "Age-appropriate self-care skills", "Be Independent"),
    NeedsIndicator("goals", "Setting goals and objectives", "Be Independent"),
    NeedsIndicator("voice", "Wishes and feelings known", "Be Happy"),
    NeedsIndicator("identity", "Identity, life story and self-esteem", "Be Happy"),
)
#: Rating scale: 0 = no additional support, 1 = some, 2 = considerable, 3 = significant.
NEEDS_RATING_MIN = 0
NEEDS_RATING_MAX = 3
