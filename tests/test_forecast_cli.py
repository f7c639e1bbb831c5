"""``mps forecast --published`` and ``mps backtest`` on a generated DfE table of 150 local
authorities (suppressed and missing figures included)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from mps.cli import app
from mps.data.dfe import CLA_AT_31_MARCH

YEARS = list(range(2012, 2025))


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """150 LAs, 2012-2024, in DfE's layout: random walks (5% a year on the log scale)
    from 8 to 2,000 children; a few figures c, x, z or blank, some years missing, and
    national and regional rows that must not be forecast."""
    rng = np.random.default_rng(150)
    rows = []
    for i in range(150):
        code = f"E{6000001 + i:08d}"
        level = np.exp(rng.uniform(np.log(8), np.log(2000)))
        values = level * np.exp(np.cumsum(rng.normal(0, 0.05, len(YEARS))))
        for year, value in zip(YEARS, values, strict=True):
            if i % 37 == 5 and year == 2019:
                continue  # a year missing from the file
            number = str(round(value))
            if i % 29 == 3 and year in (2016, 2021):
                number = "c"
            elif i % 31 == 7 and year == 2018:
                number = "x"
            elif i == 11 and year == 2015:
                number = ""
            elif i == 12 and year == 2013:
                number = "z"
            rows.append((year, "Local authority", code, f"Council {i}", number))
    for year in YEARS:
        rows.append((year, "National", "", "England", "80000"))
        rows.append((year, "Regional", "", "North East", "6000"))
    frame = pd.DataFrame(
        rows, columns=["time_period", "geographic_level", "new_la_code", "la_name", "number"]
    )
    frame.insert(4, "population_count", CLA_AT_31_MARCH)
    path = tmp_path_factory.mktemp("dfe") / "cla_by_la.csv"
    frame.to_csv(path, index=False)
    return path


def test_forecast_every_la_in_under_a_minute(published: Path, tmp_path: Path) -> None:
    out = tmp_path / "forecast.csv"
    started = time.perf_counter()
    result = CliRunner().invoke(
        app,
        [
            "forecast",
            "--published",
            str(published),
            "--last-year",
            "2022",
            "--horizon",
            "3",
            "--out",
            str(out),
        ],
    )
    elapsed = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    assert elapsed < 60, f"took {elapsed:.0f} s"
    forecast = pd.read_csv(out)
    assert list(forecast.columns) == [
        "new_la_code",
        "year",
        "forecast",
        "lower_80",
        "upper_80",
        "lower_95",
        "upper_95",
    ]
    assert forecast["new_la_code"].nunique() == 150
    assert sorted(forecast["year"].unique()) == [2023, 2024, 2025]
    assert len(forecast) == 450
    assert (forecast["lower_95"] <= forecast["lower_80"]).all()
    assert (forecast["lower_80"] <= forecast["forecast"]).all()
    assert (forecast["forecast"] <= forecast["upper_80"]).all()
    assert (forecast["upper_80"] <= forecast["upper_95"]).all()
    assert "Method:" in result.output


def test_forecast_uses_no_year_after_the_last(published: Path) -> None:
    # Persistence from 2020: the forecast is each LA's 2020 figure (or its latest before).
    result = CliRunner().invoke(
        app,
        [
            "forecast",
            "--published",
            str(published),
            "--last-year",
            "2020",
            "--horizon",
            "1",
            "--la",
            "E06000001",
            "--la",
            "E06000004",
            "--method",
            "persistence",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout[result.stdout.index("new_la_code") :]
    forecast = pd.read_csv(io.StringIO(lines))
    table = pd.read_csv(published, dtype=str, keep_default_na=False)
    la = table[(table["new_la_code"] == "E06000004") & (table["time_period"] == "2020")]
    # Council 3 has "c" in 2016 and 2021 only: its 2020 figure stands.
    assert forecast["new_la_code"].tolist() == ["E06000001", "E06000004"]
    assert forecast["forecast"].iloc[1] == pytest.approx(float(la["number"].iloc[0]), abs=0.05)
    assert forecast["year"].tolist() == [2021, 2021]


def test_bad_figure_names_file_row_column_and_value(published: Path, tmp_path: Path) -> None:
    lines = published.read_text(encoding="utf-8").splitlines()
    broken = [*lines[0:5], lines[5].rsplit(",", 1)[0] + ",lots", *lines[6:]]
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(broken) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["forecast", "--published", str(path), "--last-year", "2022"])
    assert result.exit_code == 1
    message = " ".join(result.output.split())
    assert str(path) in message.replace(" ", "") or path.name in message
    assert "row 6" in message and "column number" in message and "'lots'" in message


def test_unknown_la_is_a_clear_error(published: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["forecast", "--published", str(published), "--last-year", "2022", "--la", "E99999999"],
    )
    assert result.exit_code == 2
    assert "E99999999" in result.output and "not in the table" in result.output


def test_backtest_prints_the_error_table(published: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "backtest",
            str(published),
            "--origin",
            "2019",
            "--origin",
            "2020",
            "--horizon",
            "2",
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout))
    assert list(table.columns) == [
        "method",
        "horizon",
        "forecasts",
        "median_ape",
        "mean_ape",
        "coverage_80",
        "coverage_95",
    ]
    assert table["method"].tolist()[:2] == ["persistence", "persistence"]
    persistence = table[table["method"] == "persistence"].set_index("horizon")
    # About 150 LAs from each of 2 origins at 1 year ahead (fewer where figures are missing).
    assert 280 <= persistence.loc[1, "forecasts"] <= 300
    # Random walks with 5% steps: the median error one year ahead is about 0.67 x 5%.
    assert 2 < persistence.loc[1, "median_ape"] < 5


def test_last_year_after_the_table_is_refused(published: Path) -> None:
    result = CliRunner().invoke(
        app, ["forecast", "--published", str(published), "--last-year", "2030"]
    )
    assert result.exit_code == 2
    assert "latest year is 2024" in " ".join(result.output.split())
