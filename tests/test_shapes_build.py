"""A consortium whose 903 data is one set of pooled files for all its boroughs.

Two demo boroughs' per-year CSV returns are rewritten by the test as LIIA-style pooled files
(one file per table, LA and YEAR columns, ISO dates) in the consortium's data folder, and the
boroughs' own 903 folders removed. The build must prepare each borough from its rows of the
pooled files exactly as from its own returns, and publish every area.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mps.area import prepare_borough
from mps.cli import app
from mps.config import load_consortium
from mps.data.csv_reader import read_csv_strings
from mps.data.ssda903 import TABLE_SPECS, detect_table, load_borough, read_postcode_directory
from mps.data.ssda903_checks import parse_dates

REPO = Path(__file__).resolve().parent.parent
BOROUGHS = {"ashmoor": "Ashmoor", "brightwater": "Brightwater"}
YEARS = [2024, 2025]
SOURCE = ["source_file", "source_row"]


def write_pooled(data_dir: Path, folder: Path, la_names: dict[str, str]) -> None:
    """Every borough's per-year CSV files as one pooled file per table (dates ISO)."""
    tables: dict[str, list[pd.DataFrame]] = {}
    for slug, name in la_names.items():
        for year in YEARS:
            for path in sorted((data_dir / slug / "ssda903" / str(year)).glob("*.csv")):
                table = read_csv_strings(path)
                kind = detect_table(table.columns)
                frame = table.frame.copy()
                for column in TABLE_SPECS[kind].dates:
                    if column in frame:
                        dates, _ = parse_dates(frame[column])
                        frame[column] = dates.dt.strftime("%Y-%m-%d").where(
                            dates.notna(), frame[column]
                        )
                tables.setdefault(kind, []).append(frame.assign(LA=name, YEAR=str(year)))
    folder.mkdir(parents=True, exist_ok=True)
    for kind, frames in tables.items():
        label = TABLE_SPECS[kind].label
        pd.concat(frames).to_csv(folder / f"SSDA903_{label}_merged.csv", index=False)


@pytest.fixture(scope="module")
def pooled_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pd.DataFrame]]:
    """Demo data for two boroughs with their 903 returns pooled; and each borough's episode
    table read from its own returns before they were pooled."""
    from mps.synthetic import write_demo_data

    data_dir = tmp_path_factory.mktemp("pooled-demo") / "data"
    write_demo_data(data_dir, boroughs=len(BOROUGHS), years=YEARS)
    postcodes = read_postcode_directory(data_dir / "postcodes.csv")
    consortium = load_consortium(consortium_file(tmp_path_factory.mktemp("p"), data_dir))
    expected = {}
    for slug in BOROUGHS:
        expected[slug] = load_borough(
            data_dir / slug / "ssda903",
            la=slug,
            years=YEARS,
            la_code=consortium.borough(slug).la_code,
            postcodes=postcodes,
        ).episodes
    write_pooled(data_dir, data_dir / "ssda903", BOROUGHS)
    for slug in BOROUGHS:
        shutil.rmtree(data_dir / slug / "ssda903")
    return data_dir, expected


def consortium_file(root: Path, data_dir: Path, extra: str = "") -> Path:
    parameters = root / "parameters"
    shutil.copytree(REPO / "parameters" / "boroughs", parameters / "boroughs", dirs_exist_ok=True)
    shutil.copy(REPO / "parameters" / "defaults.yaml", parameters / "defaults.yaml")
    path = parameters / "consortia" / "pooled.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"slug: pooled\nname: The Pooled Pair\ndata_dir: {data_dir}\nedition: '2026'\n"
        f"publication_date: 2026-11-23\nyears: {YEARS}\nnotebooks: [needs_analysis]\n"
        f"boroughs: [{', '.join(BOROUGHS)}]\n{extra}",
        encoding="utf-8",
    )
    return path


def test_a_build_reads_each_borough_from_the_pooled_files(pooled_demo, tmp_path: Path) -> None:
    data_dir, expected = pooled_demo
    parameters = consortium_file(tmp_path, data_dir)
    build = tmp_path / "build"
    result = CliRunner().invoke(
        app,
        # One borough's area keeps this quick: the other borough's rows are in the same
        # files, and reading them is checked without a build below.
        ["build", str(parameters), "--build-dir", str(build), "--jobs", "2", "--area=ashmoor"],
    )
    assert result.exit_code == 0, result.output
    prepared = pd.read_parquet(build / "pooled" / "prepared" / "ashmoor" / "episodes.parquet")
    pd.testing.assert_frame_equal(
        prepared.drop(columns=SOURCE), expected["ashmoor"].drop(columns=SOURCE)
    )
    # Each row still says where it came from.
    assert set(prepared["source_file"]) == {"SSDA903_Episodes_merged.csv"}
    for document in ("market-position-statement.html", "sufficiency-plan.html"):
        assert (build / "pooled" / "publish" / "ashmoor" / document).is_file()


def test_parameter_files_can_name_the_pooled_source_and_each_boroughs_la_value(
    pooled_demo, tmp_path: Path
) -> None:
    data_dir, expected = pooled_demo
    # The pooled files elsewhere, the LA column holding codes rather than names.
    elsewhere = tmp_path / "liia"
    for path in (data_dir / "ssda903").glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame["LA"] = frame["LA"].map({"Ashmoor": "ASH", "Brightwater": "BRI"})
        elsewhere.mkdir(exist_ok=True)
        frame.to_csv(elsewhere / path.name, index=False)
    parameters = consortium_file(tmp_path, data_dir, f"ssda903_source: {elsewhere}\n")
    (parameters.parent.parent / "boroughs" / "ashmoor.yaml").write_text(
        "slug: ashmoor\nname: Ashmoor\nla_code: E06900001\nla_value: ASH\n", encoding="utf-8"
    )
    consortium = load_consortium(parameters)
    assert consortium.ssda903_source_for("ashmoor") == elsewhere
    settings = consortium.borough("ashmoor")
    assert settings.la_value == "ASH"
    prepared = prepare_borough(
        data_dir=data_dir,
        borough="ashmoor",
        la_code=settings.la_code,
        years=YEARS,
        out_dir=tmp_path / "prepared",
        ssda903_source=consortium.ssda903_source_for("ashmoor"),
        la_value=settings.la_value,
    )
    episodes = pd.read_parquet(prepared / "episodes.parquet")
    pd.testing.assert_frame_equal(
        episodes.drop(columns=SOURCE), expected["ashmoor"].drop(columns=SOURCE)
    )
    # The LA column holds "BRI" for Brightwater, which matches neither its ONS code nor its
    # slug: without la_value its rows cannot be chosen; with it they are its own returns.
    with pytest.raises(Exception, match="la_value"):
        prepare_borough(
            data_dir=data_dir,
            borough="brightwater",
            la_code=consortium.borough("brightwater").la_code,
            years=YEARS,
            out_dir=tmp_path / "prepared",
            ssda903_source=consortium.ssda903_source_for("brightwater"),
        )
    brightwater = prepare_borough(
        data_dir=data_dir,
        borough="brightwater",
        la_code=consortium.borough("brightwater").la_code,
        years=YEARS,
        out_dir=tmp_path / "prepared",
        ssda903_source=consortium.ssda903_source_for("brightwater"),
        la_value="BRI",
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(brightwater / "episodes.parquet").drop(columns=SOURCE),
        expected["brightwater"].drop(columns=SOURCE),
    )
