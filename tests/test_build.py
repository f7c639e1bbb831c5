"""End-to-end builds: real papermill runs and nbconvert exports on generated demo data.

Two boroughs of the demo consortium keep these tests quick; the full demo build is what
`nox -s demo` runs.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from typer.testing import CliRunner

from mps.cli import app
from mps.config import load_consortium
from mps.pipeline import plan_build, run_build

REPO = Path(__file__).resolve().parent.parent
NORTH, SOUTH = "ashmoor", "brightwater"


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mps.synthetic import write_demo_data

    out = tmp_path_factory.mktemp("demo") / "data"
    write_demo_data(out)
    return out


def consortium_file(root: Path, data_dir: Path, notebooks: str = "[needs_analysis]") -> Path:
    """A two-borough consortium using the demo boroughs' own parameter files."""
    parameters = root / "parameters"
    shutil.copytree(REPO / "parameters" / "boroughs", parameters / "boroughs")
    shutil.copy(REPO / "parameters" / "defaults.yaml", parameters / "defaults.yaml")
    path = parameters / "consortia" / "pair.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(
        f"slug: pair\nname: The Pair\ndata_dir: {data_dir}\nedition: '2026'\n"
        f"publication_date: 2026-11-23\nnotebooks: {notebooks}\nboroughs: [{NORTH}, {SOUTH}]\n",
        encoding="utf-8",
    )
    return path


def visible_text(html: str) -> str:
    """The document without embedded images (base64 can contain any digits)."""
    return re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "", html)


def test_build_publishes_every_area_without_child_data(demo_data: Path, tmp_path: Path) -> None:
    parameters = consortium_file(tmp_path, demo_data)
    result = CliRunner().invoke(
        app, ["build", str(parameters), "--build-dir", str(tmp_path / "build"), "--jobs", "2"]
    )
    assert result.exit_code == 0, result.output
    publish = tmp_path / "build" / "pair" / "publish"
    for area in (NORTH, SOUTH, "pair"):
        for document in ("market-position-statement.html", "sufficiency-plan.html"):
            assert (publish / area / document).is_file(), f"{area}/{document} missing"
        assert str(publish / area / "market-position-statement.html") in result.output

    # Nothing identifying a child: no CHILD id, date of birth or postcode from the inputs.
    episodes = pd.concat(
        pd.read_parquet(tmp_path / "build" / "pair" / "prepared" / b / "episodes.parquet")
        for b in (NORTH, SOUTH)
    )
    identifiers = set(episodes["CHILD"].astype(str))
    dobs = set(episodes["DOB"].dt.strftime("%d/%m/%Y")) | set(
        episodes["DOB"].dt.strftime("%Y-%m-%d")
    )
    postcodes = set(episodes["HOME_POST"].dropna()) | set(episodes["PL_POST"].dropna())
    for document in publish.rglob("*.html"):
        text = visible_text(document.read_text(encoding="utf-8"))
        words = set(re.findall(r"[A-Za-z0-9/-]+", text))
        assert not identifiers & words, f"a CHILD id in {document}"
        assert not {d for d in dobs if d in text}, f"a date of birth in {document}"
        assert not {p for p in postcodes if p in text}, f"a postcode in {document}"
        assert "<script" not in text and "import " not in text

    # The inputs' identifiers were noted once as the boroughs were prepared, for every
    # area's leak scan: the CHILD ids of both boroughs' episodes among them.
    noted = [
        json.loads(record.read_text(encoding="utf-8"))
        for record in (tmp_path / "build" / "pair" / "prepared" / "_identifiers").glob("*.json")
    ]
    assert identifiers <= {i for record in noted for i in record["ids"]}

    # Published tables: the consortium's counts add up from its boroughs (pooled data) and
    # no count from 1 to the threshold survives disclosure control.
    tables = {
        area: pd.read_csv(
            tmp_path
            / "build"
            / "pair"
            / area
            / "tables"
            / "needs_analysis"
            / "children-looked-after.csv",
            dtype=str,
        )
        for area in (NORTH, SOUTH, "pair")
    }
    column = "Children looked after at 31 March"
    for area, table in tables.items():
        counts = pd.to_numeric(table[column], errors="coerce")
        assert not counts.between(1, 5).any(), area
    pooled = pd.to_numeric(tables["pair"][column]).to_list()
    summed = (pd.to_numeric(tables[NORTH][column]) + pd.to_numeric(tables[SOUTH][column])).to_list()
    assert pooled == summed


def test_a_failing_borough_does_not_stop_the_others(demo_data: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(demo_data, data)
    # Remove SOUTH's 2023 header file: a fatal problem for that borough only.
    year_folder = data / SOUTH / "ssda903" / "2023"
    header = [
        p
        for p in year_folder.iterdir()
        if p.read_text().splitlines()[0].startswith("CHILD,SEX,DOB,ETHNIC")
    ]
    assert len(header) == 1
    header[0].unlink()

    parameters = consortium_file(tmp_path, data)
    result = CliRunner().invoke(
        app, ["build", str(parameters), "--build-dir", str(tmp_path / "build"), "--jobs", "2"]
    )
    assert result.exit_code == 1
    assert "2023" in result.output and SOUTH in result.output
    publish = tmp_path / "build" / "pair" / "publish"
    assert (publish / NORTH / "market-position-statement.html").is_file()
    assert not (publish / SOUTH).exists()
    assert not (publish / "pair").exists()  # the consortium needs every borough
    assert "skipped" in result.output


def test_a_failing_notebook_is_reported_and_isolated(demo_data: Path, tmp_path: Path) -> None:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(REPO / "notebooks" / "needs_analysis.ipynb", notebooks)
    # A second notebook that fails for one area only.
    source = nbformat.read(notebooks / "needs_analysis.ipynb", as_version=4)
    parameters_cell = next(c for c in source.cells if "parameters" in c.metadata.get("tags", []))
    failing = nbformat.v4.new_notebook(
        cells=[
            parameters_cell,
            nbformat.v4.new_code_cell(
                f"if area == '{SOUTH}':\n    raise RuntimeError('planted failure for ' + area_name)"
            ),
        ]
    )
    nbformat.write(failing, notebooks / "extra.ipynb")
    consortium = load_consortium(
        consortium_file(tmp_path, demo_data, notebooks="[needs_analysis, extra]")
    )
    plan = plan_build(consortium, build_root=tmp_path / "build", notebooks_dir=notebooks)
    outcome = run_build(plan, jobs=2)

    assert not outcome.ok
    failed = [(r.kind, r.area, r.name) for r in outcome.failures]
    assert ("notebook", SOUTH, "extra") in failed
    assert ("publish", SOUTH, "documents") in failed
    message = next(r.error for r in outcome.failures if r.name == "extra")
    assert "RuntimeError" in message and "planted failure for Brightwater" in message
    published = {Path(p).parent.name for p in outcome.published()}
    assert published == {NORTH, "pair"}


def test_a_relative_build_folder_reaches_the_notebooks_as_an_absolute_path(
    demo_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Notebooks run in their own folder, so a relative path would point somewhere else.
    monkeypatch.chdir(tmp_path)
    consortium = load_consortium(consortium_file(tmp_path, demo_data))
    plan = plan_build(consortium, build_root=Path("build"))
    assert plan.root == tmp_path / "build" / "pair"
    parameters = plan.areas[0].notebook_parameters(
        plan.prepared_dir, plan.tables_dir(plan.areas[0])
    )
    assert Path(parameters["prepared_dir"]).is_absolute()
    assert Path(parameters["tables_dir"]).is_absolute()
