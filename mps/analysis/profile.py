"""Who the children looked after at 31 March are: age, sex, ethnicity, UASC, need, legal status.

Every function takes the longitudinal episode table of :func:`mps.data.ssda903.load_borough`
(one borough's, or a consortium's pooled table) and describes each child looked after at
31 March as :func:`mps.analysis.children.looked_after_on` does (DfE rules). The
characteristics, each with its groups in reporting order (:data:`CHARACTERISTICS`):

* ``age_band``: DfE's bands (under 1, 1-4, 5-9, 10-15, 16+), age in completed years.
* ``sex``: Male, Female, Unknown. The 903 codes changed from 1/2 to M/F/U in 2024-25
  (reference §2.3); both eras are read through :data:`mps.codes.SEX_NORMALISED`.
* ``ethnic_group``: DfE's major groups (White, Mixed, Asian, Black, Other, Not known).
* ``uasc``: unaccompanied asylum-seeking children at 31 March (UASC status not ceased).
* ``category_of_need``: CIN N1-N8 of the episode open on 31 March (the need recorded when
  that episode began); N2 is the child's disability.
* ``disability``: CIN N2 or another category of need.
* ``legal_status``: DfE's groups of LS (care orders, placement orders, section 20, ...).

A blank or unknown code is counted in a "Not recorded" group, so groups always add up to
the children looked after.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from mps import codes
from mps.analysis.children import _long_counts, _looked_after_on, _prepare

NOT_RECORDED = "Not recorded"
AGE_BAND_LABELS = {
    "under 1": "Under 1",
    "1-4": "1 to 4",
    "5-9": "5 to 9",
    "10-15": "10 to 15",
    "16+": "16 and over",
}
SEX_LABELS = {"M": "Male", "F": "Female", "U": "Unknown"}
UASC_GROUP = "Unaccompanied asylum-seeking children"
NOT_UASC_GROUP = "Other children"
DISABILITY_GROUP = "Child's disability (N2)"
OTHER_NEED_GROUP = "Another category of need"
LEGAL_STATUS_ORDER: tuple[str, ...] = (
    "Full care order",
    "Interim care order",
    "Freeing order or placement order",
    "Voluntary agreement (section 20)",
    "Emergency and police protection",
    "Youth justice legal statuses",
)


@dataclass(frozen=True)
class Characteristic:
    """One characteristic of children looked after: its groups and how a child is grouped."""

    name: str
    label: str
    groups: tuple[str, ...]
    group_of: Callable[[pd.DataFrame], pd.Series]


def _mapped(values: pd.Series, mapping: dict[str, str]) -> pd.Series:
    return values.astype("string").str.strip().str.upper().map(mapping).fillna(NOT_RECORDED)


def age_group(cla: pd.DataFrame) -> pd.Series:
    """The published label of each child's DfE age band."""
    return cla["age_band"].astype("string").map(AGE_BAND_LABELS).fillna(NOT_RECORDED)


def sex_group(cla: pd.DataFrame) -> pd.Series:
    """Male, Female or Unknown from either era's SEX codes (1/2 to 2023-24, M/F/U after)."""
    normalised = {code: SEX_LABELS[sex] for code, sex in codes.SEX_NORMALISED.items()}
    return _mapped(cla["SEX"], normalised).replace(NOT_RECORDED, "Unknown")


def uasc_group(cla: pd.DataFrame) -> pd.Series:
    """UASC at the date (status not ceased) or other children."""
    on_date = cla["uasc_on_date"].astype(bool)
    return on_date.map({True: UASC_GROUP, False: NOT_UASC_GROUP}).astype("string")


def need_group(cla: pd.DataFrame) -> pd.Series:
    """The meaning of each child's category of need (CIN N1-N8)."""
    return _mapped(cla["CIN"], {code: item.label for code, item in codes.CIN.items()})


def disability_group(cla: pd.DataFrame) -> pd.Series:
    """Whether the child's category of need is their disability (N2)."""
    cin = cla["CIN"].astype("string").str.strip().str.upper()
    group = pd.Series(OTHER_NEED_GROUP, index=cla.index, dtype="string")
    group = group.mask(cin.isin(["N2"]), DISABILITY_GROUP)
    return group.mask(~cin.isin(list(codes.CIN)), NOT_RECORDED)


def legal_status_group(cla: pd.DataFrame) -> pd.Series:
    """DfE's group of each child's legal status (LS) on the date."""
    return _mapped(cla["LS"], codes.LEGAL_STATUS_GROUP)


CHARACTERISTICS: dict[str, Characteristic] = {
    c.name: c
    for c in (
        Characteristic(
            "age_band",
            "Age",
            (*AGE_BAND_LABELS.values(), NOT_RECORDED),
            age_group,
        ),
        Characteristic("sex", "Sex", tuple(SEX_LABELS.values()), sex_group),
        Characteristic(
            "ethnic_group",
            "Ethnicity",
            codes.ETHNIC_GROUP_ORDER,
            lambda cla: cla["ethnic_group"].astype("string").fillna("Not known"),
        ),
        Characteristic("uasc", "UASC", (UASC_GROUP, NOT_UASC_GROUP), uasc_group),
        Characteristic(
            "category_of_need",
            "Category of need",
            (*(item.label for item in codes.CIN.values()), NOT_RECORDED),
            need_group,
        ),
        Characteristic(
            "disability",
            "Disability",
            (DISABILITY_GROUP, OTHER_NEED_GROUP, NOT_RECORDED),
            disability_group,
        ),
        Characteristic(
            "legal_status",
            "Legal status",
            (*LEGAL_STATUS_ORDER, NOT_RECORDED),
            legal_status_group,
        ),
    )
}


def profile_at_31_march(
    episodes: pd.DataFrame, years: Sequence[int], characteristics: Sequence[str] | None = None
) -> pd.DataFrame:
    """Children looked after at 31 March of each year by each characteristic.

    Long table: year, characteristic (a key of :data:`CHARACTERISTICS`), group (its
    groups in order, zeros included), children. ``characteristics`` picks some (default:
    all, in the order of :data:`CHARACTERISTICS`). Raises ValueError for an unknown name.
    """
    names = list(characteristics) if characteristics is not None else list(CHARACTERISTICS)
    unknown = [n for n in names if n not in CHARACTERISTICS]
    if unknown:
        raise ValueError(
            f"unknown characteristic(s) {', '.join(unknown)}; "
            f"expected some of {', '.join(CHARACTERISTICS)}"
        )
    prepared = _prepare(episodes)
    ordered = sorted({int(y) for y in years})
    cla_by_year = {year: _looked_after_on(prepared, codes.year_end(year)) for year in ordered}
    parts = []
    for name in names:
        characteristic = CHARACTERISTICS[name]
        by_year = {
            year: characteristic.group_of(cla).value_counts() for year, cla in cla_by_year.items()
        }
        long = _long_counts(by_year, "group", characteristic.groups)
        long.insert(1, "characteristic", pd.Series(name, index=long.index, dtype="string"))
        parts.append(long)
    return pd.concat(parts, ignore_index=True)
