"""The needs analysis notebook on one borough without the optional inputs, and with them.

A real papermill run: without spend, referrals, needs assessments or the Ofsted register
each section says, in a published cell, what data would fill it; with them, the tables are
published and nothing child-level is.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest

from mps.data import layout
from mps.pipeline import NOTEBOOKS_DIR

BOROUGH, CODE, NAME = "ashmoor", "E06900001", "Ashmoor"
YEARS = [2023, 2024, 2025]


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mps.synthetic import write_demo_data

    out = tmp_path_factory.mktemp("inputs") / "data"
    write_demo_data(out, boroughs=1, years=YEARS)
    return out


def run(data_dir: Path, out: Path) -> tuple[nbformat.NotebookNode, Path]:
    tables = out / "tables"
    parameters = {
        "area": BOROUGH,
        "area_name": NAME,
        "area_kind": "borough",
        "boroughs": [BOROUGH],
        "borough_names": [NAME],
        "la_codes": [CODE],
        "data_dir": str(data_dir),
        "tables_dir": str(tables),
        "results_dir": str(out / "results"),
        "years": YEARS,
        "reporting_year": YEARS[-1],
    }
    out.mkdir(parents=True, exist_ok=True)
    executed = out / "needs_analysis.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / "needs_analysis.ipynb"),
        str(executed),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOKS_DIR),
    )
    return nbformat.read(executed, as_version=4), tables


def published_text(notebook: nbformat.NotebookNode) -> str:
    parts = []
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or not ({"mps", "plan"} & set(tags)):
            continue
        for output in cell.outputs:
            for mime in ("text/markdown", "text/html"):
                if mime in output.get("data", {}):
                    parts.append(str(output["data"][mime]))
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", "\n".join(parts))


def test_sections_without_optional_inputs_say_what_would_fill_them(
    demo_data: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(demo_data, data)
    for name in (layout.SPEND_FILE, layout.REFERRALS_FILE, layout.NEEDS_FILE):
        (data / BOROUGH / name).unlink()
    (data / layout.PROVIDERS_FILE).unlink()
    notebook, tables = run(data, tmp_path / "out")
    text = published_text(notebook)
    assert f"No needs assessments were supplied for {NAME}" in text
    for what in ("placement spend", "log of placement requests"):
        assert f"No {what} was supplied for {NAME}" in text
    assert "needs.csv" in text and "spend.csv" in text and "referrals.csv" in text
    saved = {p.stem for p in tables.glob("*.csv")}
    assert not saved & {"spend-by-placement", "needs-by-placement", "requests-by-year"}


def test_sections_with_the_inputs_publish_aggregates_only(demo_data: Path, tmp_path: Path) -> None:
    notebook, tables = run(demo_data, tmp_path / "out")
    text = published_text(notebook)
    assert "No placement spend was supplied" not in text
    saved = {p.stem for p in tables.glob("*.csv")}
    expected = {
        "needs-by-placement",
        "needs-occurrence",
        "needs-by-age",
        "needs-change",
        "cost-by-need",
        "requests-by-year",
        "requests-by-month",
        "requests-by-type",
        "requests-by-notice",
        "requests-by-age",
        "spend-by-placement",
        "unit-costs",
        "contracts",
        "provision-ratings",
        "key-providers",
        "contract-prices",
    }
    assert expected <= saved
    assert "cost-variance-between-boroughs" not in saved  # a consortium-only table
    # No child's id from the inputs reaches a published cell or table.
    spend = pd.read_csv(demo_data / BOROUGH / layout.SPEND_FILE, dtype=str)
    ids = set(spend["CHILD"])
    words = set(re.findall(r"[A-Za-z0-9]+", text))
    assert not ids & words
    for table in tables.glob("*.csv"):
        cells = set(pd.read_csv(table, dtype=str).stack().str.strip())
        assert not ids & cells, table.name
    # The review list of unusual costs stays in the internal results folder.
    review = pd.read_csv(tmp_path / "out" / "results" / "cost-review.csv", dtype=str)
    assert "CHILD" in review.columns
