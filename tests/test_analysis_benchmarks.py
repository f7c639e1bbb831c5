"""Benchmarks from DfE's published tables (mps.analysis.benchmarks) and their settings.

A small explore-education-statistics file written by hand: England in 2024 (not 2025), and
three local authorities, one of which has its 2025 figure suppressed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mps.analysis import benchmarks
from mps.config import ParameterError, load_consortium
from mps.data.dfe import read_published_table

MEASURE = "Children looked after at 31 March each year"
EES = f"""time_period,time_identifier,geographic_level,country_code,la_name,new_la_code,population_count,population_estimate,number,rate_per_10000
2024,Reporting year,National,E92000001,,,{MEASURE},12000000,80000,67
2024,Reporting year,Local authority,E92000001,Northby,E06000001,{MEASURE},20000,100,50
2024,Reporting year,Local authority,E92000001,Southby,E06000002,{MEASURE},5000,50,100
2024,Reporting year,Local authority,E92000001,Westby,E06000003,{MEASURE},9000,90,100
2025,Reporting year,Local authority,E92000001,Northby,E06000001,{MEASURE},20000,110,55
2025,Reporting year,Local authority,E92000001,Southby,E06000002,{MEASURE},5000,c,c
2024,Reporting year,Local authority,E92000001,Northby,E06000001,Children starting to be looked after each year,20000,40,20
"""  # noqa: E501


@pytest.fixture
def published(tmp_path: Path):
    path = tmp_path / "cla_number_and_rate_per_10k_children.csv"
    path.write_text(EES, encoding="utf-8")
    return read_published_table(path)


def test_neighbours_are_pooled_and_england_is_the_national_row(published) -> None:
    rates = benchmarks.benchmark_rates(published, [2024, 2025], ["E06000001", "E06000002"])
    rows = {(r.area, r.year): r for r in rates.itertuples()}
    # 2024 neighbours: (100 + 50) / (20,000 + 5,000) x 10,000 = 60.0; the mean of their
    # rates (50 and 100) would be 75.
    pooled = rows[("Statistical neighbours", 2024)]
    assert (pooled.children, pooled.population, pooled.rate_per_10000) == (150, 25000, 60.0)
    # 2025: Southby's figure is suppressed (c), so there is no pooled figure.
    assert rates.loc[1, ["children", "rate_per_10000"]].isna().all()
    # England 2024: 80,000 / 12,000,000 x 10,000 = 66.67 -> 66.7; 2025 is not in the file.
    assert rows[("England", 2024)].rate_per_10000 == 66.7
    assert rates.loc[3, ["children", "rate_per_10000"]].isna().all()
    assert rates["area"].tolist() == ["Statistical neighbours"] * 2 + ["England"] * 2


def test_a_neighbour_missing_from_the_table_is_named(published) -> None:
    assert benchmarks.missing_neighbours(published, ["E06000001", "E06000009"]) == ["E06000009"]
    rates = benchmarks.benchmark_rates(published, [2024], ["E06000001", "E06000009"], False)
    assert rates["area"].tolist() == ["Statistical neighbours"]
    assert rates["rate_per_10000"].isna().all()  # not one neighbour's figure passed off


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_benchmark_settings_reach_the_notebooks(tmp_path: Path) -> None:
    root = tmp_path / "parameters"
    write(
        root / "boroughs" / "north.yaml",
        "name: North\nla_code: E06000901\nstatistical_neighbours: [e06000001, E06000002]\n",
    )
    write(root / "boroughs" / "south.yaml", "name: South\nla_code: E06000902\n")
    path = write(
        root / "consortia" / "pair.yaml",
        "slug: pair\nname: The Pair\ndata_dir: ../../data\nboroughs: [north, south]\n"
        "benchmarks:\n  dfe_tables: ../dfe/cla.csv\n",
    )  # fmt: skip
    north, south, pair = load_consortium(path).areas()
    expected = str((root / "dfe" / "cla.csv").resolve())  # relative to the consortium file
    assert north.analysis_settings()["benchmarks"] == {
        "dfe_tables": expected,
        "statistical_neighbours": ["E06000001", "E06000002"],  # upper-cased
    }
    assert south.analysis_settings()["benchmarks"]["statistical_neighbours"] == []
    assert pair.analysis_settings()["benchmarks"]["statistical_neighbours"] == []
    members = pair.analysis_settings()["consortium"]["members"]
    assert [(m["slug"], m["la_code"]) for m in members] == [("north", "E06000901"),
                                                            ("south", "E06000902")]  # fmt: skip
    write(root / "boroughs" / "south.yaml",
          "name: South\nla_code: E06000902\nstatistical_neighbours: [Northby]\n")  # fmt: skip
    with pytest.raises(ParameterError, match=r"statistical_neighbours.*NORTHBY"):
        load_consortium(path)


def test_benchmarks_follow_the_areas_own_rates(published) -> None:
    import pandas as pd

    own = pd.DataFrame(
        {"area": ["North"], "year": [2024], "children": [30], "population": [6000.0],
         "rate_per_10000": [50.0]}
    )  # fmt: skip
    both = benchmarks.add_benchmarks(own, published, [2024], ["E06000003"])
    # Westby alone: 90 / 9,000 x 10,000 = 100.0.
    assert both["area"].tolist() == ["North", "Statistical neighbours", "England"]
    assert both["rate_per_10000"].tolist() == [50.0, 100.0, 66.7]
