"""Plan and run a build: prepare each borough, run the notebooks, publish the documents.

A build of a consortium has three stages:

1. **prepare**: each borough's 903 returns are read and validated once, into
   ``build/<consortium>/prepared/<borough>/`` (episodes as Parquet, validation report).
2. **analyse**: papermill runs every notebook for every area (each borough, then the
   consortium) into ``build/<consortium>/<area>/``; published tables are saved beside it.
3. **publish**: each area's tagged cells become its documents in
   ``build/<consortium>/publish/<area>/``.

Jobs run in a process pool. A failing job is reported with its notebook (or borough) and
error; the other jobs still finish; anything that depends on a failed job is skipped and
says why; the build's exit status is non-zero. A borough's failure never touches another
area's output.
"""

from __future__ import annotations

import ast
import logging
import multiprocessing
import os
import shutil
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from mps.config import AreaSettings, ConsortiumSettings

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
KERNEL_NAME = "python3"

log = logging.getLogger("mps.pipeline")


# --- notebooks ------------------------------------------------------------------------
def parameters_cells(notebook: nbformat.NotebookNode) -> list[int]:
    """Indexes of the cells tagged ``parameters``."""
    return [
        i
        for i, cell in enumerate(notebook.cells)
        if "parameters" in cell.get("metadata", {}).get("tags", [])
    ]


def notebook_parameter_names(path: Path) -> list[str]:
    """Names assigned in the notebook's single ``parameters`` cell.

    Raises ``ValueError`` unless there is exactly one such cell: papermill silently
    ignores injected values in a notebook without one.
    """
    notebook = nbformat.read(path, as_version=4)
    found = parameters_cells(notebook)
    if len(found) != 1:
        raise ValueError(
            f"{path}: expected exactly one cell tagged 'parameters', found {len(found)}"
        )
    tree = ast.parse(notebook.cells[found[0]].source)
    names = []
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
        elif isinstance(node, ast.Assign):
            names.extend(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def resolve_notebook(name: str, notebooks_dir: Path = NOTEBOOKS_DIR) -> Path:
    path = notebooks_dir / f"{name}.ipynb"
    if not path.is_file():
        raise FileNotFoundError(f"notebook {name!r} not found at {path}")
    return path


# --- jobs -----------------------------------------------------------------------------
@dataclass(frozen=True)
class JobResult:
    """The outcome of one job."""

    kind: str  # "prepare", "notebook" or "publish"
    area: str
    name: str  # borough, notebook or document set
    ok: bool
    seconds: float
    error: str = ""
    outputs: tuple[str, ...] = ()


@dataclass
class BuildResult:
    """Everything a build did, for the summary and the exit status."""

    root: Path
    results: list[JobResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def failures(self) -> list[JobResult]:
        return [r for r in self.results if not r.ok]

    def published(self) -> list[str]:
        return [o for r in self.results if r.kind == "publish" and r.ok for o in r.outputs]


def _quiet_logs() -> None:
    # Kernels and papermill are chatty; the analyst needs our summary, not theirs.
    for name in ("papermill", "traitlets", "nbclient", "asyncio"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _worker_start(notebooks_dir: str, log_dir: str) -> None:
    """Each worker starts its warm kernel at once, while the boroughs are being prepared."""
    from mps.kernels import prestart_in_background

    _quiet_logs()
    prestart_in_background(notebooks_dir, log_dir)


def _prepare_job(consortium: ConsortiumSettings, borough: str, out_dir: Path) -> JobResult:
    from mps.area import prepare_borough

    started = time.perf_counter()
    settings = consortium.borough(borough)
    try:
        prepare_borough(
            data_dir=consortium.data_dir,
            borough=borough,
            la_code=settings.la_code,
            years=consortium.years,
            out_dir=out_dir,
            strict=consortium.strict_validation,
            data_folder=settings.data_folder,
        )
    except Exception as error:  # reported, never raised: other boroughs carry on
        return JobResult(
            "prepare",
            borough,
            borough,
            False,
            time.perf_counter() - started,
            f"{type(error).__name__}: {error}",
        )
    return JobResult(
        "prepare",
        borough,
        borough,
        True,
        time.perf_counter() - started,
        outputs=(str(out_dir / borough),),
    )


def _notebook_job(notebook: Path, output: Path, parameters: dict) -> JobResult:
    import papermill

    _quiet_logs()
    started = time.perf_counter()
    output.parent.mkdir(parents=True, exist_ok=True)
    area = parameters["area"]
    from mps.kernels import ENGINE_NAME

    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            engine_name=ENGINE_NAME,
            kernel_name=KERNEL_NAME,
            language="python",  # a notebook saved without kernel metadata still runs
            progress_bar=False,
            log_output=False,
            cwd=str(notebook.parent),
        )
    except Exception as error:
        message = f"{type(error).__name__}: {error}"
        if type(error).__name__ == "PapermillExecutionError":
            # cell_index, not exec_count: a warm kernel's counter runs across notebooks
            cell = error.cell_index + 1
            message = f"{error.ename}: {error.evalue} (cell {cell} of the executed notebook)"
        return JobResult(
            "notebook",
            area,
            notebook.stem,
            False,
            time.perf_counter() - started,
            message,
            outputs=(str(output),),
        )
    return JobResult(
        "notebook", area, notebook.stem, True, time.perf_counter() - started, outputs=(str(output),)
    )


# --- the build ------------------------------------------------------------------------
@dataclass
class BuildPlan:
    """What a build will run, and where everything goes."""

    consortium: ConsortiumSettings
    root: Path
    notebooks: list[Path]
    areas: list[AreaSettings]

    @property
    def prepared_dir(self) -> Path:
        return self.root / "prepared"

    @property
    def publish_dir(self) -> Path:
        return self.root / "publish"

    def area_dir(self, area: AreaSettings) -> Path:
        return self.root / area.slug

    def tables_dir(self, area: AreaSettings, notebook: str | None = None) -> Path:
        """Published tables (the data annex sources): one folder per notebook."""
        tables = self.area_dir(area) / "tables"
        return tables / notebook if notebook else tables

    def results_dir(self, area: AreaSettings) -> Path:
        """Results computed once and shared by the area's notebooks (internal)."""
        return self.area_dir(area) / "results"

    def job_count(self) -> int:
        return len(self.consortium.boroughs) + len(self.areas) * (len(self.notebooks) + 1)


def plan_build(
    consortium: ConsortiumSettings,
    *,
    build_root: Path,
    areas: Sequence[str] | None = None,
    notebooks_dir: Path = NOTEBOOKS_DIR,
) -> BuildPlan:
    """Work out the jobs: which notebooks, which areas, which folders.

    Checks every notebook before anything runs: it must exist, have exactly one
    ``parameters`` cell, and define every parameter the build injects.
    """
    notebooks = [resolve_notebook(name, notebooks_dir) for name in consortium.notebooks]
    all_areas = consortium.areas()
    expected = set(all_areas[0].notebook_parameters(None, Path(".")))
    for path in notebooks:
        missing = expected - set(notebook_parameter_names(path))
        if missing:
            raise ValueError(
                f"{path}: parameters cell does not define {', '.join(sorted(missing))}"
            )
    if areas:
        known = {a.slug for a in all_areas}
        unknown = [a for a in areas if a not in known]
        if unknown:
            raise ValueError(
                f"unknown area(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        all_areas = [a for a in all_areas if a.slug in areas]
    # Absolute: notebooks run with their own folder as working directory.
    root = Path(build_root).resolve() / consortium.slug
    return BuildPlan(consortium, root, notebooks, all_areas)


def run_build(
    plan: BuildPlan,
    *,
    jobs: int | None = None,
    on_result: Callable[[JobResult], None] | None = None,
) -> BuildResult:
    """Run every job of ``plan`` and return what happened (never raises for a failed job)."""
    from mps.publish import Edition, publish_area

    jobs = jobs or os.cpu_count() or 1
    result = BuildResult(plan.root)
    report = on_result or (lambda _: None)

    def record(job_result: JobResult) -> None:
        result.results.append(job_result)
        report(job_result)

    needed = sorted({b for area in plan.areas for b in area.boroughs})
    # forkserver: workers start from a clean process with pandas already imported, not as
    # forks of this one (which runs the progress bar's thread).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pandas", "mps.area", "papermill", "mps.kernels"])
    notebooks_dir = str(plan.notebooks[0].parent) if plan.notebooks else "."
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_worker_start,
        initargs=(notebooks_dir, str(plan.root / "logs")),
    ) as pool:
        # 1. prepare every borough any area needs
        prepared: dict[str, bool] = {}
        futures = {
            b: pool.submit(_prepare_job, plan.consortium, b, plan.prepared_dir) for b in needed
        }
        for borough, future in futures.items():
            job_result = _result_of(future, "prepare", borough, borough)
            prepared[borough] = job_result.ok
            record(job_result)

        # 2. run the notebooks for every area whose boroughs are all prepared
        notebook_futures: dict[str, list[Future]] = {}
        for area in plan.areas:
            failed = [b for b in area.boroughs if not prepared[b]]
            if failed:
                for notebook in plan.notebooks:
                    record(
                        JobResult(
                            "notebook",
                            area.slug,
                            notebook.stem,
                            False,
                            0.0,
                            f"skipped: borough data failed validation ({', '.join(failed)})",
                        )
                    )
                continue
            # this run's tables and shared results only
            shutil.rmtree(plan.tables_dir(area), ignore_errors=True)
            shutil.rmtree(plan.results_dir(area), ignore_errors=True)
            notebook_futures[area.slug] = [
                pool.submit(
                    _notebook_job,
                    notebook,
                    plan.area_dir(area) / notebook.name,
                    area.notebook_parameters(
                        plan.prepared_dir,
                        plan.tables_dir(area, notebook.stem),
                        plan.results_dir(area),
                    ),
                )
                for notebook in plan.notebooks
            ]
        outcomes: dict[str, list[JobResult]] = {}
        for area_slug, futures_list in notebook_futures.items():
            for notebook, future in zip(plan.notebooks, futures_list, strict=True):
                job_result = _result_of(future, "notebook", area_slug, notebook.stem)
                outcomes.setdefault(area_slug, []).append(job_result)
                record(job_result)

    # 3. publish every area whose notebooks all succeeded
    consortium = plan.consortium
    for area in plan.areas:
        area_results = outcomes.get(area.slug, [])
        if not area_results or not all(r.ok for r in area_results):
            record(
                JobResult(
                    "publish",
                    area.slug,
                    "documents",
                    False,
                    0.0,
                    "skipped: an analysis notebook for this area failed",
                )
            )
            continue
        started = time.perf_counter()
        edition = Edition(
            area_name=area.name,
            area_kind=area.kind,
            consortium_name=consortium.name,
            member_names=[consortium.borough(b).name for b in area.boroughs],
            edition=consortium.edition,
            publication_date=consortium.publication_date,
            version=consortium.version,
            reporting_year=consortium.latest_year,
        )
        executed = [plan.area_dir(area) / nb.name for nb in plan.notebooks]
        try:
            written = publish_area(area.slug, executed, edition, plan.publish_dir)
        except Exception as error:
            record(
                JobResult(
                    "publish",
                    area.slug,
                    "documents",
                    False,
                    time.perf_counter() - started,
                    f"{type(error).__name__}: {error}",
                )
            )
            continue
        record(
            JobResult(
                "publish",
                area.slug,
                "documents",
                True,
                time.perf_counter() - started,
                outputs=tuple(str(p) for p in written),
            )
        )
    return result


def _result_of(future: Future, kind: str, area: str, name: str) -> JobResult:
    try:
        return future.result()
    except Exception as error:  # a crashed worker is a failed job, not a crashed build
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        return JobResult(kind, area, name, False, 0.0, detail)
