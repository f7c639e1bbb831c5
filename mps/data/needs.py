"""Valuing Care-style needs assessments.

``needs.csv`` has one row per child per assessment: ``CHILD``, ``assessment_date`` and one
column per needs indicator holding its rating (by default the 12 indicators of
:data:`mps.codes.VALUING_CARE_INDICATORS`, rated 0 = no additional support ... 3 =
significant support). The indicator set and the scale are parameters (``needs`` in the
parameter files), so a council using another set of indicators names its own columns.
Child-level, never published: :mod:`mps.analysis.needs` aggregates it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from mps.codes import NEEDS_RATING_MAX, NEEDS_RATING_MIN, VALUING_CARE_INDICATORS
from mps.data.input_checks import open_input
from mps.data.layout import NEEDS_ID_COLUMNS
from mps.data.validation import ValidationReport

DEFAULT_INDICATORS: tuple[str, ...] = tuple(i.slug for i in VALUING_CARE_INDICATORS)


def read_needs(
    path: str | Path,
    report: ValidationReport | None = None,
    *,
    indicators: Sequence[str] = DEFAULT_INDICATORS,
    rating_min: int = NEEDS_RATING_MIN,
    rating_max: int = NEEDS_RATING_MAX,
) -> pd.DataFrame:
    """Read and validate a borough's ``needs.csv``.

    Returns one row per kept assessment: ``CHILD``, ``assessment_date``, one ``Int64``
    column per indicator (in the order of ``indicators``) and ``source_row``. Other
    columns in the file are ignored.

    A missing indicator column is fatal. Rejected rows (recorded in ``report`` with file,
    line, column, value and what was expected): a blank child, an impossible or blank
    assessment date, a rating that is not a whole number from ``rating_min`` to
    ``rating_max`` (a blank rating too: a weighted score needs every indicator), and a
    second assessment of the same child on the same day. Without a ``report`` any rejected
    row raises :class:`~mps.data.validation.FatalValidationError`.
    """
    indicators = list(indicators)
    if not indicators:
        raise ValueError("needs indicators: name at least one indicator column")
    own_report = report is None
    report = report if report is not None else ValidationReport()
    check = open_input(
        path, table="needs", required=[*NEEDS_ID_COLUMNS, *indicators], report=report
    )
    raw = check.raw
    check.exact_duplicates([*NEEDS_ID_COLUMNS, *indicators])
    check.required_values(["CHILD"])
    when = check.dates("assessment_date", required=True)
    ratings = {
        indicator: check.numbers(
            indicator,
            minimum=rating_min,
            maximum=rating_max,
            whole=True,
            expected=f"a rating, a whole number from {rating_min} to {rating_max}",
        )
        for indicator in indicators
    }
    key = pd.DataFrame({"CHILD": raw["CHILD"], "date": when})
    alive = check.alive
    repeat = np.zeros(len(key), dtype=bool)
    repeat[alive] = key[alive].duplicated(keep="first").to_numpy()
    if repeat.any():
        group = key.astype(str).groupby(["CHILD", "date"], sort=False).ngroup().to_numpy()
        first_line = (
            pd.Series(np.where(alive, check.line, np.iinfo("int64").max))
            .groupby(group)
            .transform("min")
            .to_numpy()
        )
        check.flag(
            repeat,
            "duplicate-key",
            "assessment_date",
            lambda at: [
                f"one assessment per child per day: line {first_line[i]} assesses "
                "the same child on the same day and is kept"
                for i in at
            ],
        )
    frame = pd.DataFrame({"CHILD": raw["CHILD"].astype("string"), "assessment_date": when})
    for indicator, values in ratings.items():
        frame[indicator] = values.round().astype("Int64")
    kept = check.kept(frame)
    check.finish(own_report)
    return kept
