"""The demand_forecast notebook, end to end: a real papermill run for a two-borough demo
consortium with scenarios; its published tables pass disclosure control, the gap report's
forecast is saved in the demand shape, and ``mps backtest`` runs on the consortium's 903
returns."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest
from typer.testing import CliRunner

from mps.analysis.gaps import DEMAND_COLUMNS, demand_from_forecast
from mps.cli import app
from mps.codes import CATEGORY_ORDER
from mps.config import load_consortium
from mps.disclosure import find_disclosure_breaches
from mps.pipeline import NOTEBOOKS_DIR
from mps.tables import PROTECTED_MARKER

SCENARIOS = [
    {"name": "step-down", "label": "Step down", "step_down_pct": 10},
    {"name": "fewer", "label": "Fewer starting care", "entry_change_pct": -10, "from_year": 2},
]


@pytest.fixture(scope="module")
def consortium(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mps.synthetic import write_demo_data

    out = tmp_path_factory.mktemp("forecast-notebook") / "data"
    write_demo_data(out, boroughs=2)
    return out / "consortium.yaml"


def test_notebook_publishes_protected_forecast(consortium: Path, tmp_path: Path) -> None:
    settings = load_consortium(consortium)
    area = settings.areas()[-1]  # the consortium: the two boroughs pooled
    assert area.kind == "consortium"
    parameters = area.notebook_parameters(None, tmp_path / "tables", tmp_path / "results")
    parameters["settings"]["forecast"]["scenarios"] = SCENARIOS
    executed = tmp_path / "demand_forecast.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / "demand_forecast.ipynb"),
        str(executed),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOKS_DIR),
    )
    notebook = nbformat.read(executed, as_version=4)
    html = []
    for cell in notebook.cells:
        if not {"mps", "plan"} & set(cell.metadata.get("tags", [])):
            continue
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error"
            text = output.get("data", {}).get("text/html", "")
            if "<table" in text:
                assert PROTECTED_MARKER in text
            html.append(re.sub(r"base64,[A-Za-z0-9+/=]+", "", text))

    saved = {p.stem for p in (tmp_path / "tables").glob("*.csv") if not p.stem.startswith("_")}
    assert {
        "forecast-total",
        "forecast-by-placement",
        "forecast-by-age",
        "forecast-assumptions",
        "forecast-backtest",
        "forecast-scenarios",
        "forecast-scenarios-by-placement",
        "forecast-costs",
    } <= saved
    for name in saved:
        table = pd.read_csv(tmp_path / "tables" / f"{name}.csv", dtype=str, keep_default_na=False)
        meta = json.loads((tmp_path / "tables" / f"{name}.json").read_text(encoding="utf-8"))
        assert not find_disclosure_breaches(table, meta["count_columns"], meta["threshold"])

    scenarios = pd.read_csv(tmp_path / "tables" / "forecast-scenarios.csv")
    assert scenarios["Scenario"].tolist() == [
        "Baseline (no change)",
        "Step down",
        "Fewer starting care",
    ]
    # The gap report's demand: every scenario, forecast year and category, in its shape.
    demand = pd.read_parquet(tmp_path / "results" / "forecast.parquet")
    checked = demand_from_forecast(demand)
    assert list(checked.columns) == list(DEMAND_COLUMNS)
    assert set(checked["placement_category"]) <= set(CATEGORY_ORDER)
    assert sorted(checked["scenario"].unique()) == ["baseline", "fewer", "step-down"]
    assert sorted(checked["year"].unique()) == [2026, 2027, 2028, 2029, 2030]
    # A category's "All ages" forecast is the sum of its age bands (means add up).
    baseline = checked[(checked["scenario"] == "baseline") & (checked["year"] == 2030)]
    bands = baseline[baseline["age_band"] != "All ages"].groupby("placement_category")["forecast"]
    every = baseline[baseline["age_band"] == "All ages"].set_index("placement_category")
    assert (bands.sum() - every["forecast"].reindex(bands.sum().index)).abs().max() < 1e-6
    # Fewer starting care means fewer children by the end.
    totals = pd.read_parquet(tmp_path / "results" / "forecast_totals.parquet")
    last = totals[(totals["year"] == 2030) & (totals["age_band"] == "All ages")]
    last = last.set_index("scenario")["forecast"]
    assert last["fewer"] < last["baseline"]


def test_backtest_command_on_the_903_returns(consortium: Path) -> None:
    result = CliRunner().invoke(app, ["backtest", str(consortium), "--format", "csv"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout[result.stdout.index("method,") :]))
    assert table["method"].iloc[0] == "stock_flow"
    assert {"persistence", "drift", "rate_population"} <= set(table["method"])
    # Two boroughs and the consortium, from three origins (2022-2024) one year ahead.
    one = table[(table["method"] == "stock_flow") & (table["horizon"] == 1)]
    assert one["forecasts"].iloc[0] == 9
