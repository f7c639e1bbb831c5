"""Every notebook is runnable by papermill: one typed parameters cell defining every parameter."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from mps.notebook import PARAMETERS
from mps.pipeline import NOTEBOOKS_DIR, notebook_parameter_names, parameters_cells

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    assert [p.stem for p in NOTEBOOKS] == ["needs_analysis"] or len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exactly_one_parameters_cell(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    assert len(parameters_cells(notebook)) == 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_defines_every_parameter_with_a_type(path: Path) -> None:
    names = notebook_parameter_names(path)
    assert sorted(names) == sorted(PARAMETERS)
    notebook = nbformat.read(path, as_version=4)
    source = notebook.cells[parameters_cells(notebook)[0]].source
    for name in PARAMETERS:
        # typed parameters show in `papermill --help-notebook`
        assert f"{name}: " in source, f"{name} has no type annotation"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_a_notebook_without_parameters_cell_is_refused(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("area = 'x'")])
    path = tmp_path / "bad.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(ValueError, match="exactly one cell tagged 'parameters', found 0"):
        notebook_parameter_names(path)
