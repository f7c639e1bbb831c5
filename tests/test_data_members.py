"""Tests of mps.data.members: the consortium members' episodes for a borough's comparisons."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mps.analysis.flows import STOCK_COLUMNS
from mps.data.members import read_member_episodes

MEMBERS = [
    {"slug": "north", "la_code": "E1", "data_folder": "north"},
    {"slug": "south", "la_code": "E2", "data_folder": "south-data"},
    {"slug": "west", "la_code": "E3", "data_folder": "west"},
]


def _prepared(root: Path, slug: str, children: list[str]) -> None:
    folder = root / slug
    folder.mkdir(parents=True)
    n = len(children)
    pd.DataFrame(
        {
            "la": [slug] * n,
            "CHILD": children,
            "DECOM": pd.to_datetime(["2023-01-01"] * n),
            "DEC": pd.to_datetime([None] * n),
            "LS": ["C2"] * n,
            "PLACE": ["U4"] * n,  # not asked for: not read
        }
    ).to_parquet(folder / "episodes.parquet", index=False)


def test_prepared_members_are_pooled_and_a_missing_one_is_named(tmp_path: Path) -> None:
    _prepared(tmp_path, "north", ["1", "2"])
    _prepared(tmp_path, "south", ["1"])
    read = read_member_episodes(
        MEMBERS, data_dir=tmp_path, prepared_dir=tmp_path, years=[2024], columns=STOCK_COLUMNS
    )
    assert list(read.episodes.columns) == list(STOCK_COLUMNS)
    assert read.episodes[["la", "CHILD"]].values.tolist() == [["north", "1"], ["north", "2"],
                                                              ["south", "1"]]  # fmt: skip
    # west was not prepared (its returns failed): named, so no consortium figure is made
    # from seven boroughs of eight.
    assert list(read.missing) == ["west"] and not read.complete


def test_without_a_build_unreadable_returns_are_named(tmp_path: Path) -> None:
    # No prepared folder: each member's 903 folder is read; here none exists.
    read = read_member_episodes(
        MEMBERS[:1], data_dir=tmp_path, prepared_dir="", years=[2024], columns=STOCK_COLUMNS
    )
    assert read.episodes.empty
    assert "903 returns cannot be used" in read.missing["north"]


def test_the_whole_population_file_or_none(tmp_path: Path) -> None:
    from mps.data.members import read_consortium_population

    assert read_consortium_population(tmp_path) is None
    (tmp_path / "population.csv").write_text(
        "la_code,la_name,year,age,population,kind\nE1,North,2023,0,100,estimate\n"
        "E2,South,2023,0,50,estimate\n",
        encoding="utf-8",
    )
    population = read_consortium_population(tmp_path)
    assert population["la_code"].tolist() == ["E1", "E2"]  # both members, not one area's
