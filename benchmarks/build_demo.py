"""Build the demo consortium two ways in one run and print the wall times.

- **ours**: ``mps build parameters/consortia/demo.yaml`` (prepare once, process pool of
  warm kernels, nbconvert API), cold (empty build folder), then rebuilt with nothing
  changed, then rebuilt after one borough's 903 return changed;
- **naive**: what a hand-rolled pipeline does: for each area and notebook, the papermill
  CLI, then ``jupyter nbconvert`` CLI, one after another. The same notebooks and the same
  parameters, except that each notebook reads the 903 files itself (``prepared_dir=""``),
  as there is no preparation stage in the naive path.

The demo data is generated first (not timed). Ours is timed publishing every format and
publishing HTML only, which is what the naive path makes; ``speedup`` compares like with
like (naive HTML / ours HTML), and the line before it gives the full build's ratio too.
The naive path has no incremental build, so its rebuild costs what its cold build did:
the rebuild lines give that ratio. The rebuilds are of the full build. The last line is
``speedup: X``.

Usage: ``python benchmarks/build_demo.py [--jobs N] [--area SLUG]...``
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PARAMETERS = ROOT / "parameters" / "consortia" / "demo.yaml"
DEMO_DATA = ROOT / "build" / "demo-data"


def run(command: list[str]) -> None:
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"failed: {' '.join(command)}")


def time_ours(
    build_dir: Path,
    jobs: int | None,
    areas: list[str],
    data: Path | None = None,
    formats: str | None = None,
) -> float:
    command = [
        sys.executable,
        "-m",
        "mps.cli",
        "build",
        str(PARAMETERS),
        "--build-dir",
        str(build_dir),
    ]
    if data:
        command += ["--data", str(data)]
    if formats:
        command += ["--formats", formats]
    if jobs:
        command += ["--jobs", str(jobs)]
    for area in areas:
        command += ["--area", area]
    started = time.perf_counter()
    run(command)
    return time.perf_counter() - started


def time_naive(work: Path, areas: list[str], parameters: Path = PARAMETERS) -> float:
    from mps.config import load_consortium
    from mps.pipeline import NOTEBOOKS_DIR

    consortium = load_consortium(parameters)
    bin_dir = Path(sys.executable).parent
    started = time.perf_counter()
    for area in consortium.areas():
        if areas and area.slug not in areas:
            continue
        for name in consortium.notebooks:
            notebook = NOTEBOOKS_DIR / f"{name}.ipynb"
            params = area.notebook_parameters(None, work / area.slug / "tables")
            params_file = work / area.slug / f"{name}.yaml"
            params_file.parent.mkdir(parents=True, exist_ok=True)
            params_file.write_text(yaml.safe_dump(params), encoding="utf-8")
            executed = work / area.slug / f"{name}.ipynb"
            run(
                [
                    str(bin_dir / "papermill"),
                    str(notebook),
                    str(executed),
                    "-f",
                    str(params_file),
                    "-k",
                    "python3",
                    "--cwd",
                    str(NOTEBOOKS_DIR),
                    "--no-progress-bar",
                ]
            )
            run(
                [
                    str(bin_dir / "jupyter"),
                    "nbconvert",
                    "--to",
                    "html",
                    "--no-input",
                    str(executed),
                    "--output-dir",
                    str(work / area.slug),
                ]
            )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None, help="jobs for mps build")
    parser.add_argument("--area", action="append", default=[], help="limit to these areas")
    args = parser.parse_args()

    if not DEMO_DATA.is_dir():
        print(f"generating demo data in {DEMO_DATA} (not timed)")
        run([sys.executable, "-m", "mps.cli", "demo-data", str(DEMO_DATA)])
    with tempfile.TemporaryDirectory(prefix="mps-bench-") as tmp:
        tmp_path = Path(tmp)
        data = tmp_path / "data"
        shutil.copytree(DEMO_DATA, data)
        build = tmp_path / "ours"
        full = time_ours(build, args.jobs, args.area, data)
        print(f"mps build wall time, every format (HTML, PDF, Word, annex): {full:.1f} s")
        ours = time_ours(tmp_path / "ours-html", args.jobs, args.area, data, formats="html")
        print(f"mps build wall time, HTML only (as the naive path makes): {ours:.1f} s")
        naive = time_naive(tmp_path / "naive", args.area)
        print(f"naive papermill CLI + jupyter nbconvert wall time: {naive:.1f} s")
        print(f"every format against the naive HTML: {naive / full:.2f}x")
        unchanged = time_ours(build, args.jobs, args.area, data)
        print(
            f"rebuild, nothing changed: {unchanged:.1f} s "
            f"(naive rebuild = its cold build, {naive / unchanged:.0f}x slower)"
        )
        changed_borough = change_one_borough(data)
        one = time_ours(build, args.jobs, args.area, data)
        print(
            f"rebuild, {changed_borough}'s 903 return changed: {one:.1f} s "
            f"(naive {naive / one:.1f}x slower)"
        )
        shutil.rmtree(tmp_path, ignore_errors=True)
    print(f"speedup: {naive / ours:.2f}")


def change_one_borough(data: Path) -> str:
    """Drop the last episode row of one borough's latest return (a resubmission)."""
    borough = "brightwater"
    latest = sorted((data / borough / "ssda903").iterdir())[-1]
    episodes = next(p for p in latest.iterdir() if p.read_text().startswith("CHILD,DECOM"))
    lines = episodes.read_text().splitlines(keepends=True)
    episodes.write_text("".join(lines[:-1]))
    return borough


if __name__ == "__main__":
    main()
