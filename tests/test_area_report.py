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


def test_members_result_is_computed_once_for_every_borough(tmp_path: Path) -> None:
    from mps.area import EPISODES_FILE

    prepared = tmp_path / "prepared"
    for slug, children in (("north", ["1", "2"]), ("south", ["3"])):
        (prepared / slug).mkdir(parents=True)
        pd.DataFrame({"la": [slug] * len(children), "CHILD": children}).to_parquet(
            prepared / slug / EPISODES_FILE
        )
    codes = (("north", "E1"), ("south", "E2"), ("west", "E3"))
    members = [{"slug": slug, "la_code": code} for slug, code in codes]
    calls: list[int] = []

    def count(found: pd.DataFrame) -> pd.DataFrame:
        calls.append(1)
        return found.groupby("la", as_index=False).size()

    results = []
    for area in ("north", "south"):  # two boroughs' notebooks in the same build
        values = {name: "" for name in PARAMETERS}
        values.update(
            area=area,
            boroughs=[area],
            borough_names=[area],
            la_codes=["E1"],
            years=[2025],
            reporting_year=2025,
            suppression_threshold=5,
            round_to=0,
            prepared_dir=str(prepared),
            settings={
                "consortium": {
                    "members": members,
                    "reads_members": True,
                    "shared_dir": str(tmp_path / "shared"),
                }
            },
        )
        results.append(
            AreaReport.from_namespace(values).members_result("member-stock", ["la", "CHILD"], count)
        )
    assert len(calls) == 1
    (first, missing), (second, missing_again) = results
    pd.testing.assert_frame_equal(first, second)
    assert first.to_dict("records") == [{"la": "north", "size": 2}, {"la": "south", "size": 1}]
    # west prepared nothing (its returns failed): named, not silently left out
    assert list(missing) == ["west"] and missing == missing_again


def test_optional_inputs_are_read_once_for_all_the_areas_notebooks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mps.area
    from mps.area import EPISODES_FILE, load_area

    (tmp_path / "prepared" / "north").mkdir(parents=True)
    pd.DataFrame({"la": ["north"], "CHILD": ["N1"]}).to_parquet(
        tmp_path / "prepared" / "north" / EPISODES_FILE
    )
    (tmp_path / "north").mkdir()
    (tmp_path / "north" / "spend.csv").write_text(
        "CHILD,placement_start,placement_end,PLACE,PLACE_PROVIDER,URN,provider_name,"
        "weekly_cost,contract_status\nN1,01/04/2024,,U4,PR4,SC1,Acme,900,spot\n"
        "N2,01/04/2024,,K2,PR4,SC2,Acme,oops,spot\n",
        encoding="utf-8",
    )
    options = dict(
        boroughs=["north"],
        la_codes=["E06900001"],
        data_dir=tmp_path,
        prepared_dir=tmp_path / "prepared",
        cache_dir=tmp_path / "results",
    )
    first = load_area(**options)  # the first notebook reads and validates the files

    def no_second_read(*args, **kwargs):
        raise AssertionError("the optional inputs were read again")

    monkeypatch.setattr(mps.area, "load_optional_inputs", no_second_read)
    second = load_area(**options)  # the next notebook of the same area
    pd.testing.assert_frame_equal(first.spend, second.spend)
    assert second.spend["weekly_cost"].to_list() == [900.0]
    assert second.coverage == first.coverage and second.coverage["spend"] == ["north"]
    # the rejected row is still reported, from the cache
    assert [(i.row, i.column) for i in second.inputs_report.issues] == [(3, "weekly_cost")]
