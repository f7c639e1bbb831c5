"""Placement spend: what each placement costs a week and how it was bought.

``spend.csv`` has one row per placement, or per price of a placement when the price
changed (the columns of :data:`mps.data.layout.SPEND_COLUMNS`). It is child-level and is
never published; the analysis in :mod:`mps.analysis.spend` and :mod:`mps.analysis.market`
aggregates it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mps.codes import CODE_LISTS, placement_category
from mps.data.input_checks import RowChecks, open_input
from mps.data.layout import CONTRACT_STATUSES, SPEND_COLUMNS
from mps.data.validation import Severity, ValidationReport

#: framework and block contracts are on contract; spot purchases are off contract.
ON_CONTRACT = ("framework", "block")
#: A weekly cost above this is kept but flagged for a check (the sector's dearest
#: placements are around £20,000 a week: reference §3.10).
HIGH_WEEKLY_COST = 50_000.0

_ALL_PLACE = tuple(sorted(CODE_LISTS["PLACE"]))
_PLACE_CATEGORY = placement_category(pd.Series(_ALL_PLACE), pd.Series(["PR4"] * len(_ALL_PLACE)))
#: PLACE codes a spend row may hold: every 903 placement type that is a placement in its
#: own right (temporary placements T0-T4 are not).
SPEND_PLACE_CODES = tuple(
    p for p, c in zip(_ALL_PLACE, _PLACE_CATEGORY, strict=True) if pd.notna(c)
)
PROVIDER_CODES = tuple(sorted(CODE_LISTS["PLACE_PROVIDER"]))


def read_spend(path: str | Path, report: ValidationReport | None = None) -> pd.DataFrame:
    """Read and validate a borough's ``spend.csv``.

    Returns one row per kept spend row: ``CHILD``, ``placement_start`` and
    ``placement_end`` (dates; ``placement_end`` NaT while the placement is open),
    ``PLACE``, ``PLACE_PROVIDER``, ``URN``, ``provider_name``, ``weekly_cost`` (float,
    pounds), ``contract_status`` (framework, block or spot), the MPS
    ``placement_category`` (:func:`mps.codes.placement_category`), ``on_contract``
    (framework or block) and ``source_row`` (the file line).

    Rows breaking a rule (a blank child, an impossible date, an end before the start, an
    unknown PLACE or PLACE_PROVIDER code, a cost that is not a number of 0 or more, an
    unknown contract status) are rejected and recorded in ``report`` with file, line,
    column, value and what was expected; exact repeats of a row are kept once, and a cost
    above £50,000 a week or two rows of one child covering the same days are kept with a
    warning. Without a ``report``, any rejected row raises
    :class:`~mps.data.validation.FatalValidationError`. A missing file or column is fatal.
    """
    own_report = report is None
    report = report if report is not None else ValidationReport()
    check = open_input(path, table="spend", required=SPEND_COLUMNS, report=report)
    raw = check.raw
    check.exact_duplicates(list(raw.columns))
    check.required_values(["CHILD"])
    start = check.dates("placement_start", required=True)
    end = check.dates("placement_end", required=False)
    check.flag(
        check.alive & (end < start).to_numpy(),
        "end-before-start",
        "placement_end",
        "a placement_end on or after the placement_start",
    )
    place = raw["PLACE"].str.upper()
    check.flag(
        check.alive & ~place.isin(SPEND_PLACE_CODES).to_numpy(),
        "unknown-code",
        "PLACE",
        "a 903 PLACE code of a placement (temporary placements T0-T4 are not costed on "
        "their own): " + ", ".join(SPEND_PLACE_CODES),
        values=place,
    )
    provider = raw["PLACE_PROVIDER"].str.upper()
    check.flag(
        check.alive & (provider.ne("") & ~provider.isin(PROVIDER_CODES)).to_numpy(),
        "unknown-code",
        "PLACE_PROVIDER",
        "blank or one of the 903 PLACE_PROVIDER codes: " + ", ".join(PROVIDER_CODES),
        values=provider,
    )
    cost = check.numbers(
        "weekly_cost",
        minimum=0,
        strip="£",
        expected="a weekly cost in pounds, 0 or more (e.g. 1234.50)",
    )
    check.flag(
        check.alive & (cost > HIGH_WEEKLY_COST).to_numpy(),
        "high-cost",
        "weekly_cost",
        f"a weekly cost under £{HIGH_WEEKLY_COST:,.0f}: kept, please check it",
        Severity.WARNING,
    )
    status = check.codes("contract_status", CONTRACT_STATUSES)
    _warn_overlaps(check, raw["CHILD"], start, end)

    blank_to_na = {"": pd.NA}
    frame = pd.DataFrame(
        {
            "CHILD": raw["CHILD"].astype("string"),
            "placement_start": start,
            "placement_end": end,
            "PLACE": place.astype("string"),
            "PLACE_PROVIDER": provider.replace(blank_to_na).astype("string"),
            "URN": raw["URN"].str.upper().replace(blank_to_na).astype("string"),
            "provider_name": raw["provider_name"].replace(blank_to_na).astype("string"),
            "weekly_cost": cost,
            "contract_status": status.astype("string"),
        }
    )
    frame["placement_category"] = placement_category(frame["PLACE"], frame["PLACE_PROVIDER"])
    frame["on_contract"] = frame["contract_status"].isin(ON_CONTRACT).astype(bool)
    kept = check.kept(frame)
    check.finish(own_report)
    return kept


def _warn_overlaps(check: RowChecks, child: pd.Series, start: pd.Series, end: pd.Series) -> None:
    """Two rows of one child covering the same days: both are kept (spend counts twice),
    with a warning on the later row naming the earlier one."""
    alive = check.alive
    frame = pd.DataFrame(
        {
            "child": child.to_numpy(),
            "start": start.to_numpy(),
            "end": end.fillna(pd.Timestamp.max).to_numpy(),
            "line": check.line,
            "position": np.arange(len(child)),
        }
    )[alive]
    frame = frame.sort_values(["child", "start", "line"], kind="stable")
    same_child = frame["child"].eq(frame["child"].shift())
    # Latest end so far among the child's earlier rows (and the line it came from).
    latest_end = frame.groupby("child", sort=False)["end"].cummax()
    previous_end = latest_end.groupby(frame["child"], sort=False).shift()
    overlap = same_child & (frame["start"] < previous_end)
    if not overlap.any():
        return
    previous_line = frame["line"].shift()
    mask = np.zeros(len(child), dtype=bool)
    mask[frame.loc[overlap, "position"].to_numpy()] = True
    lines = np.zeros(len(child), dtype="int64")
    lines[frame["position"].to_numpy()] = previous_line.fillna(0).to_numpy(dtype="int64")
    check.flag(
        mask,
        "overlapping-spend",
        "placement_start",
        lambda at: [
            f"a start on or after the end of this child's earlier spend rows (it overlaps "
            f"line {int(lines[i])} or one before it): both kept, so the days are costed twice"
            for i in at
        ],
        Severity.WARNING,
    )
