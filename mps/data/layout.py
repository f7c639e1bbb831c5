"""Where a consortium's inputs live, and the columns of the inputs that are not the 903.

A consortium's data folder looks like this (file names inside ``ssda903/<year>/`` do
not matter: each 903 file's type is detected from its columns)::

    <data_dir>/
      population.csv        ONS 0-17 population, estimates and projections, all boroughs
      postcodes.csv         postcode directory (ONSPD columns) for distances and locations
      providers.csv         Ofsted register of providers (URN, type, sector, places, rating)
      <borough>/
        ssda903/<year>/*.csv  the borough's 903 returns, one folder per collection year
        spend.csv             placement spend and contracts
        referrals.csv         placement requests
        needs.csv             Valuing Care needs assessments
        fostering.csv         in-house fostering households and places (optional)
        contracts.csv         framework, block and DPS contracts (optional)

Dates in every CSV are DD/MM/YYYY, as in the 903.
"""

from __future__ import annotations

from pathlib import Path

SSDA903_FOLDER = "ssda903"
POPULATION_FILE = "population.csv"
POSTCODES_FILE = "postcodes.csv"
PROVIDERS_FILE = "providers.csv"
SPEND_FILE = "spend.csv"
REFERRALS_FILE = "referrals.csv"
NEEDS_FILE = "needs.csv"
FOSTERING_FILE = "fostering.csv"
CONTRACTS_FILE = "contracts.csv"

#: ONS 0-17 population: one row per area, mid-year, single year of age.
#: ``kind`` is ``estimate`` (mid-year estimate) or ``projection`` (subnational projection).
#: The rate per 10,000 for collection year Y uses the mid-year Y-1 population, as DfE does.
POPULATION_COLUMNS = ("la_code", "la_name", "year", "age", "population", "kind")

#: Postcode directory in ONSPD's own column names: postcode, OS grid easting and
#: northing in metres, and the upper-tier local authority code.
POSTCODE_COLUMNS = ("pcd", "oseast1m", "osnrth1m", "oslaua")

#: Ofsted register of social care providers (column names as Ofsted publishes them).
PROVIDER_COLUMNS = (
    "URN",
    "Provision type",
    "Registration status",
    "Sector",
    "Local authority",
    "Places",
    "Organisation which owns the provider",
    "Overall experiences and progress of children and young people",
    "Inspection date",
)
#: Ofsted's overall judgements, best first.
OFSTED_RATINGS = ("Outstanding", "Good", "Requires improvement to be good", "Inadequate")

#: Placement spend: one row per placement (or price change), child-level, never published.
SPEND_COLUMNS = (
    "CHILD",
    "placement_start",
    "placement_end",
    "PLACE",
    "PLACE_PROVIDER",
    "URN",
    "provider_name",
    "weekly_cost",
    "contract_status",
)
#: framework and block are on contract; spot is off contract.
CONTRACT_STATUSES = ("framework", "block", "spot")

#: Placement requests (referrals) to the placements team.
REFERRAL_COLUMNS = (
    "referral_id",
    "CHILD",
    "date_requested",
    "date_needed",
    "age",
    "sex",
    "placement_type_sought",
    "urgency",
    "outcome",
    "date_placed",
    "placement_type_placed",
)
#: What a referral asked for, in the placements team's words.
PLACEMENT_TYPES_SOUGHT = (
    "fostering",
    "parent and child",
    "childrens home",
    "supported accommodation",
    "secure",
)
REFERRAL_URGENCY = ("planned", "emergency")
REFERRAL_OUTCOMES = ("placed", "unplaced", "withdrawn")

#: Valuing Care needs assessments: one row per child per assessment, one column per
#: indicator holding its rating (0 = no additional support ... 3 = significant support).
NEEDS_ID_COLUMNS = ("CHILD", "assessment_date")


#: Groups of children whose needs the sufficiency plan measures and commissions for
#: (slug -> label). Contracts name one in ``need_profile``; fostering specialisms use them.
NEED_PROFILES = {
    "teenagers": "Teenagers with high emotional and behavioural needs",
    "sibling_groups": "Sibling groups",
    "parent_and_child": "Parent and child",
    "disabled_children": "Disabled children",
    "sixteen_plus": "Young people aged 16 or over in supported accommodation",
    "uasc": "Unaccompanied asylum-seeking children",
}

#: In-house fostering: one row per collection year, approved age range and specialism.
#: ``households`` and ``places`` are those approved at 31 March, ``places_filled`` those with
#: a child living there at 31 March; ``households_approved`` (recruited) and
#: ``households_deregistered`` count the year's changes. Ages are whole years, inclusive.
FOSTERING_COLUMNS = (
    "year",
    "age_from",
    "age_to",
    "specialism",
    "households",
    "places",
    "places_filled",
    "households_approved",
    "households_deregistered",
)
#: What in-house foster carers are approved for: general fostering, short breaks only
#: (not a home for a looked-after child), emergency, remand, or one of the need profiles.
FOSTERING_SPECIALISMS = (
    "mainstream",
    "short_breaks",
    "emergency",
    "remand",
    *NEED_PROFILES,
)

#: Commissioned capacity: one row per contract (or lot) and placement category. ``places``
#: are reserved (block) or expected to be available (framework, DPS; blank when the
#: contract promises none); ``weekly_price`` in pounds; ``end_date`` blank when open-ended.
CONTRACT_COLUMNS = (
    "contract_id",
    "provider_name",
    "URN",
    "contract_type",
    "placement_category",
    "need_profile",
    "age_from",
    "age_to",
    "places",
    "weekly_price",
    "start_date",
    "end_date",
)
#: block contracts reserve places; framework and dynamic purchasing system (DPS) contracts
#: set terms and prices for placements called off them.
CONTRACT_TYPES = ("block", "framework", "dps")
#: The MPS placement categories a contract may buy.
CONTRACTED_CATEGORIES = (
    "ifa_fostering",
    "childrens_home",
    "supported_accommodation",
    "secure",
    "other",
)


def borough_folder(data_dir: str | Path, borough: str) -> Path:
    """The folder holding one borough's inputs."""
    return Path(data_dir) / borough


def ssda903_folder(data_dir: str | Path, borough: str) -> Path:
    """The folder holding one borough's 903 returns (one sub-folder per year)."""
    return borough_folder(data_dir, borough) / SSDA903_FOLDER
