"""The gap report, introduction and commissioning notebooks: real papermill runs on one
demo borough, without the optional supply inputs and with them.

Without fostering, contracts, spend or the Ofsted register each section says, in a
published cell, what data would fill it, and nothing crashes; with them, every table is
published through disclosure control, and nothing child-level is.
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
from mps.tables import PROTECTED_MARKER

BOROUGH, CODE, NAME = "ashmoor", "E06900001", "Ashmoor"
YEARS = [2023, 2024, 2025]
NARRATIVE = {
    "vision": "Every child in {area_name} has a home.",
    "principles": [{"title": "Quality first", "text": "Good or outstanding care."}],
    "commissioning_intentions": {"childrens_home": "Small homes near {area_name}."},
    "action_plan": [
        {"ref": "A1", "action": "Recruit carers.", "owner": "Fostering", "due": "2026-03-31",
         "measure": "40 households"}
    ],
    "contacts": [{"role": "Commissioning", "email": "team@example.org"}],
}  # fmt: skip


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mps.synthetic import write_demo_data

    out = tmp_path_factory.mktemp("supply-notebooks") / "data"
    write_demo_data(out, boroughs=1, years=YEARS)
    return out


def run(
    name: str, data_dir: Path, out: Path, settings: dict | None = None
) -> nbformat.NotebookNode:
    parameters = {
        "area": BOROUGH,
        "area_name": NAME,
        "area_kind": "borough",
        "boroughs": [BOROUGH],
        "borough_names": [NAME],
        "la_codes": [CODE],
        "data_dir": str(data_dir),
        "tables_dir": str(out / "tables" / name),
        "results_dir": str(out / "results"),
        "years": YEARS,
        "reporting_year": YEARS[-1],
        "settings": settings or {},
    }
    out.mkdir(parents=True, exist_ok=True)
    executed = out / f"{name}.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / f"{name}.ipynb"),
        str(executed),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOKS_DIR),
    )
    return nbformat.read(executed, as_version=4)


def published_outputs(notebook: nbformat.NotebookNode) -> list[tuple[str, str]]:
    found = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or not {"mps", "plan"} & set(cell.metadata.get("tags", [])):
            continue
        for output in cell.outputs:
            assert output["output_type"] != "error", output
            for mime in ("text/markdown", "text/html"):
                if mime in output.get("data", {}):
                    text = re.sub(
                        r"data:image/png;base64,[A-Za-z0-9+/=]+", "", str(output["data"][mime])
                    )
                    found.append((mime, text))
    return found


def test_gap_report_without_supply_inputs_says_what_would_fill_it(
    demo_data: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(demo_data, data)
    for name in (
        layout.FOSTERING_FILE,
        layout.CONTRACTS_FILE,
        layout.SPEND_FILE,
        layout.NEEDS_FILE,
    ):
        (data / BOROUGH / name).unlink()
    (data / layout.PROVIDERS_FILE).unlink()
    notebook = run("gap_report", data, tmp_path / "out")
    text = "\n".join(t for _, t in published_outputs(notebook))
    assert text.count("Data not provided.") >= 5
    for wanted in ("fostering.csv", "contracts.csv", "spend.csv", "providers.csv"):
        assert wanted in text
    # The gap is still shown, with demand held at today's level and no places counted.
    assert "No demand forecast is available" in text
    assert "Not provided, so not counted" in text
    saved = {p.stem for p in (tmp_path / "out" / "tables" / "gap_report").glob("*.csv")}
    assert {"sufficiency-gap", "sufficiency-indicators", "sufficiency-gap-profiles"} <= saved
    assert not saved & {"in-house-fostering", "commissioned-contracts", "spot-purchases"}
    profiles = pd.read_csv(
        tmp_path / "out" / "tables" / "gap_report" / "sufficiency-gap-profiles.csv"
    )
    teenagers = profiles[profiles["Need profile"].str.startswith("Teenagers")].iloc[0]
    assert teenagers["Measured from"].startswith("not measured: needs assessments")


def test_gap_report_with_the_inputs_publishes_protected_aggregates(
    demo_data: Path, tmp_path: Path
) -> None:
    notebook = run("gap_report", demo_data, tmp_path / "out")
    outputs = published_outputs(notebook)
    text = "\n".join(t for _, t in outputs)
    assert "Data not provided" not in text.split("Last year's plan")[0]
    tables_dir = tmp_path / "out" / "tables" / "gap_report"
    saved = {p.stem for p in tables_dir.glob("*.csv")}
    expected = {
        "in-house-fostering", "in-house-carers", "commissioned-contracts", "spot-purchases",
        "registered-provision", "providers-in-area", "provision-use", "sufficiency-gap",
        "sufficiency-gap-ages",
        "sufficiency-gap-profiles", "sufficiency-gap-cost", "sufficiency-gap-cost-scenarios",
        "sufficiency-indicators",
    }  # fmt: skip
    assert expected <= saved
    # Every published table passed disclosure control.
    for _, html in outputs:
        for table in re.findall(r"<table\b[^>]*>", html):
            assert PROTECTED_MARKER in table
    # No child's id from the inputs reaches a published cell or table.
    children = set(pd.read_csv(demo_data / BOROUGH / layout.SPEND_FILE, dtype=str)["CHILD"])
    published = text + "".join(p.read_text() for p in tables_dir.glob("*.csv"))
    cells = set(re.findall(r"\b\d{6,8}\b", published))
    assert not cells & children


def test_front_and_end_matter_from_the_narrative(demo_data: Path, tmp_path: Path) -> None:
    settings = {"narrative": NARRATIVE, "consortium": {"members": [{"name": NAME}]}}
    intro = run("introduction", demo_data, tmp_path / "out", settings)
    intro_text = "\n".join(t for _, t in published_outputs(intro))
    assert "> Every child in Ashmoor has a home." in intro_text
    assert "**Quality first.**" in intro_text
    # No statutory_duty in this narrative: the section says which key would fill it.
    assert "Add `statutory_duty` under `narrative`" in intro_text
    end = run("commissioning", demo_data, tmp_path / "out", settings)
    end_text = "\n".join(t for _, t in published_outputs(end))
    assert "**Children's home.** Small homes near Ashmoor." in end_text
    assert "mailto:team@example.org" in end_text
    plan = pd.read_csv(tmp_path / "out" / "tables" / "commissioning" / "action-plan.csv")
    assert plan["By"].tolist() == ["March 2026"]
