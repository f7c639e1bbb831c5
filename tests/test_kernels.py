"""Warm kernels: notebooks share a kernel process but never each other's state."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
from nbformat.v4 import new_code_cell, new_notebook

import mps.kernels  # registers the engine


def notebook(path: Path, *sources: str) -> Path:
    parameters = new_code_cell("area: str = 'x'")
    parameters.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[parameters, *(new_code_cell(s) for s in sources)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def run(path: Path, out: Path, area: str, cwd: Path) -> nbformat.NotebookNode:
    papermill.execute_notebook(
        str(path),
        str(out),
        parameters={"area": area},
        engine_name=mps.kernels.ENGINE_NAME,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(cwd),
    )
    return nbformat.read(out, as_version=4)


def stdout(nb: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def test_no_state_leaks_between_areas(tmp_path: Path) -> None:
    first = notebook(
        tmp_path / "first.ipynb",
        "import os, warnings\nprint('pid', os.getpid())",
        # state one area's notebook leaves behind: a variable, a figure, settings, a filter
        "secret_from_first_area = area\n"
        "import matplotlib.pyplot as plt, pandas as pd, seaborn as sns\n"
        "plt.figure()\npd.set_option('display.max_rows', 3)\nsns.set_theme(style='dark')\n"
        "warnings.simplefilter('error')\nos.chdir('/')",
    )
    second = notebook(
        tmp_path / "second.ipynb",
        "import os\nprint('pid', os.getpid())",
        "import matplotlib, matplotlib.pyplot as plt, pandas as pd, warnings\n"
        "leaks = []\n"
        "if 'secret_from_first_area' in globals(): leaks.append('variable')\n"
        "if plt.get_fignums(): leaks.append('figure')\n"
        "if pd.get_option('display.max_rows') != 60: leaks.append('pandas option')\n"
        "if matplotlib.rcParams['axes.facecolor'] != 'white': leaks.append('matplotlib style')\n"
        "if any(f[0] == 'error' and f[2] is Warning for f in warnings.filters):\n"
        "    leaks.append('warning filter')\n"
        f"if os.getcwd() != {str(tmp_path)!r}: leaks.append('working directory')\n"
        "assert not leaks, leaks\nprint('no leaks')",
    )
    ran_first = run(first, tmp_path / "out1.ipynb", "north", tmp_path)
    ran_second = run(second, tmp_path / "out2.ipynb", "south", tmp_path)
    # the same warm kernel process ran both notebooks...
    pid = [line for line in stdout(ran_first).splitlines() if line.startswith("pid")]
    assert pid and pid[0] in stdout(ran_second)
    # ...and the second saw nothing of the first
    assert "no leaks" in stdout(ran_second)


def test_a_failed_notebook_does_not_poison_the_next(tmp_path: Path) -> None:
    failing = notebook(tmp_path / "fail.ipynb", "half_done = 1\nraise RuntimeError('planted')")
    try:
        run(failing, tmp_path / "o1.ipynb", "north", tmp_path)
    except papermill.PapermillExecutionError as error:
        assert error.ename == "RuntimeError"
    else:
        raise AssertionError("the planted failure was not raised")
    after = notebook(tmp_path / "after.ipynb", "print('half_done' in globals())")
    assert stdout(run(after, tmp_path / "o2.ipynb", "south", tmp_path)).strip() == "False"


def test_a_kernel_that_dies_is_replaced_for_the_next_notebook(tmp_path: Path) -> None:
    pid = notebook(tmp_path / "pid.ipynb", "import os\nprint(os.getpid())")
    first = int(stdout(run(pid, tmp_path / "o1.ipynb", "north", tmp_path)))
    dying = notebook(tmp_path / "die.ipynb", "import os\nos._exit(1)")
    try:
        run(dying, tmp_path / "o2.ipynb", "south", tmp_path)
    except Exception:  # the notebook fails: its kernel died under it
        pass
    else:
        raise AssertionError("a notebook whose kernel died did not fail")
    # The next area's notebook runs, on a new kernel, with every cell's output.
    second = int(stdout(run(pid, tmp_path / "o3.ipynb", "east", tmp_path)))
    assert second != first
    assert mps.kernels.warm_kernel().manager.is_alive()


def test_the_stack_is_imported_and_out_of_the_collectors_sight(tmp_path: Path) -> None:
    # gc.freeze() after the warm imports: the reset's collection skips the whole stack.
    probe = notebook(
        tmp_path / "gc.ipynb",
        "import gc, sys\nprint(gc.get_freeze_count() > 0, 'pandas' in sys.modules)",
    )
    assert stdout(run(probe, tmp_path / "o.ipynb", "north", tmp_path)).split() == ["True", "True"]
