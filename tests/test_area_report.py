"""AreaReport.cached: results computed once per build and area, shared by its notebooks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mps.notebook import PARAMETERS, AreaReport


def report(results_dir: str) -> AreaReport:
    values = {name: "" for name in PARAMETERS}
    values.update(
        boroughs=["a"],
        borough_names=["A"],
        la_codes=["E06900001"],
        years=[2025],
        reporting_year=2025,
        suppression_threshold=5,
        round_to=0,
        settings={},
        results_dir=results_dir,
    )
    return AreaReport.from_namespace(values)


def test_a_result_is_computed_once_and_read_back_by_later_notebooks(tmp_path: Path) -> None:
    calls: list[int] = []

    def compute() -> pd.DataFrame:
        calls.append(1)
        return pd.DataFrame({"year": [2026, 2027], "forecast": [101.5, 103.0]})

    first = report(str(tmp_path)).cached("forecast", compute)
    second = report(str(tmp_path)).cached("forecast", compute)  # another notebook
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first, second)
    assert [p.name for p in tmp_path.iterdir()] == ["forecast.parquet"]


def test_without_a_results_folder_every_call_computes() -> None:
    calls: list[int] = []
    area = report("")
    for _ in range(2):
        area.cached("forecast", lambda: calls.append(1) or pd.DataFrame({"x": [1]}))
    assert len(calls) == 2


def test_result_names_must_be_file_safe(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"result name '\.\./x'"):
        report(str(tmp_path)).cached("../x", lambda: pd.DataFrame())
