"""Plan and run a build: prepare each borough, run the notebooks, publish the documents.

A build of a consortium has three kinds of job:

1. **prepare** (one per borough): the borough's 903 returns are read and validated once,
   into ``build/<consortium>/prepared/<borough>/`` (episodes as Parquet, validation report).
2. **notebooks** (one per area: each borough, each region, the consortium): papermill runs
   the analysis notebooks in order on a warm kernel, into ``build/<consortium>/<area>/``;
   published tables are saved beside them and results shared by the area's notebooks (a
   forecast, say) are computed once, in ``<area>/results/``.
3. **publish** (one per area): the area's tagged cells become its documents in
   ``build/<consortium>/publish/<area>/``.

Jobs run in a process pool as soon as what they need is ready, the consortium's (the
longest) first. A job whose inputs, parameters, notebook and mps code are unchanged since
it last succeeded is not run again (:mod:`mps.manifest`); ``force`` runs everything.

A failing job is reported with its notebook (or borough) and error; the other jobs still
finish; anything that depends on a failed job is skipped and says why; the build's exit
status is non-zero. A borough's failure never touches another area's output.
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
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from mps.config import AreaSettings, ConsortiumSettings
from mps.data import layout
from mps.data.ssda903 import borough_source
from mps.manifest import (
    BuildManifest,
    code_fingerprint,
    digest,
    files_in_settings,
    files_under,
)

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
#: What a build can publish (as :data:`mps.publish.FORMATS`, not imported here: a rebuild
#: with nothing to do should not pay for nbconvert's import).
PUBLISH_FORMATS = ("html", "pdf", "docx", "annex")
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


#: What a notebook may declare it reads beyond its own area's data, in its metadata
#: (``"mps": {"reads": ["members"]}``): ``members`` is every member borough's prepared data
#: (a borough set beside its consortium). A build then re-runs that notebook when any
#: member's data change, and only that notebook.
KNOWN_READS = frozenset({"members"})


def notebook_reads(path: Path) -> frozenset[str]:
    """What the notebook declares it reads beyond its own area's data."""
    notebook = nbformat.read(path, as_version=4)
    reads = frozenset(notebook.metadata.get("mps", {}).get("reads", []))
    unknown = sorted(reads - KNOWN_READS)
    if unknown:
        raise ValueError(
            f"{path}: metadata mps.reads names {', '.join(unknown)}; known: "
            f"{', '.join(sorted(KNOWN_READS))}"
        )
    return reads


def resolve_notebook(name: str, notebooks_dir: Path = NOTEBOOKS_DIR) -> Path:
    path = notebooks_dir / f"{name}.ipynb"
    if not path.is_file():
        raise FileNotFoundError(f"notebook {name!r} not found at {path}")
    return path


# --- results ----------------------------------------------------------------------------
@dataclass(frozen=True)
class JobResult:
    """The outcome of one job (for notebooks: of one notebook of an area)."""

    kind: str  # "prepare", "notebook" or "publish"
    area: str
    name: str  # borough, notebook or document set
    ok: bool
    seconds: float
    error: str = ""
    outputs: tuple[str, ...] = ()
    #: True when the job was up to date and did not run.
    cached: bool = False


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

    @property
    def ran(self) -> list[JobResult]:
        """Jobs that ran in this build (not up to date, not skipped)."""
        return [r for r in self.results if not r.cached and (r.ok or r.seconds > 0)]

    @property
    def up_to_date(self) -> list[JobResult]:
        return [r for r in self.results if r.cached]

    def published(self) -> list[str]:
        return [o for r in self.results if r.kind == "publish" and r.ok for o in r.outputs]


# --- the plan ---------------------------------------------------------------------------
@dataclass
class BuildPlan:
    """What a build will run, and where everything goes."""

    consortium: ConsortiumSettings
    root: Path
    notebooks: list[Path]
    areas: list[AreaSettings]
    #: notebook stem -> what it reads beyond its area's data (see :data:`KNOWN_READS`)
    reads: dict[str, frozenset[str]] = field(default_factory=dict)
    #: What to publish (:data:`PUBLISH_FORMATS`); a draft may ask for HTML only.
    formats: tuple[str, ...] = ()
    #: Federated mode (:mod:`mps.federated`): the notebooks of an area with a member that
    #: sent aggregates, which has no child-level data of that member.
    federated_notebooks: list[Path] = field(default_factory=list)

    def is_federated(self, area: AreaSettings) -> bool:
        federated = set(self.consortium.federated_boroughs)
        return area.kind != "borough" and any(b in federated for b in area.boroughs)

    def notebooks_for(self, area: AreaSettings) -> list[Path]:
        """The notebooks the area runs, in document order."""
        return self.federated_notebooks if self.is_federated(area) else self.notebooks

    def pooled(self, boroughs: Sequence[str]) -> list[str]:
        """Those of ``boroughs`` whose child-level data the build prepares (not federated)."""
        federated = set(self.consortium.federated_boroughs)
        return [b for b in boroughs if b not in federated]

    @property
    def prepared_dir(self) -> Path:
        return self.root / "prepared"

    @property
    def identifier_cache(self) -> Path:
        """Each child-level input's identifiers, noted once for every leak scan (internal:
        it holds children's identifiers, like the prepared episodes)."""
        return self.prepared_dir / "_identifiers"

    @property
    def publish_dir(self) -> Path:
        return self.root / "publish"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    def area_dir(self, area: AreaSettings) -> Path:
        return self.root / area.slug

    def tables_dir(self, area: AreaSettings, notebook: str | None = None) -> Path:
        """Published tables (the data annex sources): one folder per notebook."""
        tables = self.area_dir(area) / "tables"
        return tables / notebook if notebook else tables

    def results_dir(self, area: AreaSettings, data_key: str = "") -> Path:
        """Results computed once and shared by the area's notebooks (internal), in a folder
        named by the data they were computed from, so a change of data never reuses them."""
        results = self.area_dir(area) / "results"
        return results / data_key[:16] if data_key else results

    @property
    def shared_dir(self) -> Path:
        """Results computed once per build for every area (e.g. each member's counts)."""
        return self.root / "shared"

    def reads_members(self, notebook: str) -> bool:
        return "members" in self.reads.get(notebook, frozenset())

    def boroughs_needed(self) -> list[str]:
        if any(self.reads_members(nb.stem) for nb in self.notebooks):
            return sorted(self.pooled([b.slug for b in self.consortium.boroughs]))
        return sorted(self.pooled({b for area in self.areas for b in area.boroughs}))

    def waits_for(self, area: AreaSettings) -> list[str]:
        """The boroughs whose preparation the area's notebooks wait for."""
        if any(self.reads_members(nb.stem) for nb in self.notebooks_for(area)):
            return self.pooled([b.slug for b in self.consortium.boroughs])
        return self.pooled(area.boroughs)

    def job_count(self) -> int:
        return len(self.boroughs_needed()) + sum(
            len(self.notebooks_for(area)) + 1 for area in self.areas
        )


def plan_build(
    consortium: ConsortiumSettings,
    *,
    build_root: Path,
    areas: Sequence[str] | None = None,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    formats: Sequence[str] | None = None,
) -> BuildPlan:
    """Work out the jobs: which notebooks, which areas, which folders, which formats
    (default: all of :data:`PUBLISH_FORMATS`; HTML is always published).

    Checks every notebook before anything runs: it must exist, have exactly one
    ``parameters`` cell, and define every parameter the build injects.
    """
    chosen = tuple(dict.fromkeys(["html", *(formats or PUBLISH_FORMATS)]))
    unknown = [f for f in chosen if f not in PUBLISH_FORMATS]
    if unknown:
        raise ValueError(
            f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(PUBLISH_FORMATS)}"
        )
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
    reads = {path.stem: notebook_reads(path) for path in notebooks}
    plan = BuildPlan(consortium, root, notebooks, all_areas, reads, formats=chosen)
    if any(plan.is_federated(area) for area in all_areas):
        from mps.federated.plan import federated_notebooks

        names = federated_notebooks(consortium.notebooks)
        plan.federated_notebooks = [resolve_notebook(n, notebooks_dir) for n in names]
        for path in plan.federated_notebooks:
            missing = expected - set(notebook_parameter_names(path))
            if missing:
                raise ValueError(
                    f"{path}: parameters cell does not define {', '.join(sorted(missing))}"
                )
            reads[path.stem] = notebook_reads(path)
    return plan


# --- job keys ---------------------------------------------------------------------------
def prepare_inputs(consortium: ConsortiumSettings, borough: str) -> list[Path]:
    """The files preparing one borough reads: its 903 returns (its own folder, or the pooled
    file or folder it shares with other boroughs) and the postcode directory."""
    settings = consortium.borough(borough)
    source = borough_source(
        consortium.data_dir,
        settings.data_folder or borough,
        consortium.ssda903_source_for(borough),
    )
    files = [source] if source.is_file() else files_under(source)
    postcodes = consortium.data_dir / layout.POSTCODES_FILE
    return [*files, postcodes] if postcodes.is_file() else files


def area_inputs(consortium: ConsortiumSettings, area: AreaSettings) -> list[Path]:
    """The data files an area's notebooks may read: each member borough's folder and the
    files shared by the consortium (population, postcodes, providers...)."""
    data_dir = consortium.data_dir
    shared = sorted(p for p in data_dir.iterdir() if p.is_file()) if data_dir.is_dir() else []
    own = [
        path
        for b in area.boroughs
        for path in files_under(
            layout.borough_folder(data_dir, consortium.borough(b).data_folder or b)
        )
    ]
    # A federated member's aggregates file (a zip, or a folder) is its data here.
    received = [
        path
        for b in area.boroughs
        if (aggregates := consortium.aggregates_for(b)) is not None
        for path in ([aggregates] if aggregates.is_file() else files_under(aggregates))
    ]
    return [*shared, *own, *received, *files_in_settings(area.analysis_settings())]


@dataclass(frozen=True)
class _AreaKeys:
    results: str  # names the area's results folder (its data and its notebooks)
    notebooks: dict[str, str]
    publish: str


class _Keys:
    """Every job's key, worked out before anything runs."""

    def __init__(self, plan: BuildPlan, manifest: BuildManifest):
        self.plan = plan
        code = code_fingerprint()
        consortium = plan.consortium
        self.prepare: dict[str, str] = {}
        for borough in plan.boroughs_needed():
            settings = consortium.borough(borough)
            self.prepare[borough] = digest(
                {
                    "job": "prepare",
                    "code": code,
                    "borough": settings.model_dump(
                        mode="json",
                        include={"slug", "la_code", "data_folder", "ssda903_source", "la_value"},
                    ),
                    "source": str(consortium.ssda903_source_for(borough)),
                    "years": consortium.years,
                    "strict": consortium.strict_validation,
                    "files": manifest.files_digest(prepare_inputs(consortium, borough)),
                }
            )
        notebook_hashes = {
            nb.stem: manifest.file_hash(nb) for nb in [*plan.notebooks, *plan.federated_notebooks]
        }
        # Every member's data, for the notebooks that set an area beside its consortium.
        population = consortium.data_dir / layout.POPULATION_FILE
        self.members = digest(
            {
                "prepared": {b: self.prepare[b] for b in sorted(self.prepare)},
                "population": manifest.file_hash(population) if population.is_file() else None,
            }
        )
        self.areas: dict[str, _AreaKeys] = {}
        self.parameters: dict[tuple[str, str], dict] = {}
        for area in plan.areas:
            data = digest(
                {
                    "code": code,
                    "prepared": [self.prepare[b] for b in plan.pooled(area.boroughs)],
                    "files": manifest.files_digest(area_inputs(consortium, area)),
                }
            )
            # Results an area's notebooks share (a forecast, the tables a later notebook
            # quotes) depend on the data and on the notebooks that made them: a changed
            # notebook gets a fresh results folder, so nothing reads an older version's.
            shared = digest({"data": data, "notebooks": list(notebook_hashes.values())})
            notebooks = {}
            for nb in plan.notebooks_for(area):
                parameters = area.notebook_parameters(
                    plan.prepared_dir,
                    plan.tables_dir(area, nb.stem),
                    plan.results_dir(area, shared),
                )
                reads_members = plan.reads_members(nb.stem)
                if reads_members:
                    members = parameters["settings"].setdefault("consortium", {})
                    members["reads_members"] = True
                    members["shared_dir"] = str(plan.shared_dir / self.members[:16])
                self.parameters[(area.slug, nb.stem)] = parameters
                notebooks[nb.stem] = digest(
                    {
                        "job": "notebook",
                        "data": data,
                        "members": self.members if reads_members else None,
                        "notebook": notebook_hashes[nb.stem],
                        "parameters": parameters,
                    }
                )
            publish = digest(
                {
                    "job": "publish",
                    "code": code,
                    "notebooks": [notebooks[nb.stem] for nb in plan.notebooks_for(area)],
                    "edition": asdict(edition_for(plan, area)),
                    "formats": list(plan.formats),
                }
            )
            self.areas[area.slug] = _AreaKeys(shared, notebooks, publish)


def edition_for(plan: BuildPlan, area: AreaSettings):
    """What the area's documents say about themselves on the cover."""
    from mps.export.branding import branding_from_settings
    from mps.publish import Edition

    consortium = plan.consortium
    return Edition(
        area_name=area.name,
        area_kind=area.kind,
        consortium_name=consortium.name,
        member_names=[consortium.borough(b).name for b in area.boroughs],
        edition=consortium.edition,
        publication_date=consortium.publication_date,
        version=consortium.version,
        reporting_year=consortium.latest_year,
        branding=branding_from_settings(area.branding),
    )


def child_level_inputs(plan: BuildPlan, area: AreaSettings) -> list[Path]:
    """What the leak scan looks for in the area's documents: the child identifiers, dates
    of birth and postcodes in every member borough's inputs (its folder, its 903 data
    wherever it is) and prepared episodes; every member's, since an area's notebooks may
    read the other members' data. The area's own prepared episodes must be there."""
    found: set[Path] = set()
    for borough in plan.consortium.boroughs:
        found.update(borough_child_inputs(plan, borough.slug))
    own = {plan.prepared_dir / b for b in plan.pooled(area.boroughs)}
    return sorted(p for p in found | own if p.exists() or p in own)


def borough_child_inputs(plan: BuildPlan, borough: str) -> list[Path]:
    """One borough's child-level inputs: its folder, its 903 data wherever it is, and its
    prepared episodes."""
    consortium = plan.consortium
    folder = consortium.borough(borough).data_folder or borough
    return [
        layout.borough_folder(consortium.data_dir, folder),
        borough_source(consortium.data_dir, folder, consortium.ssda903_source_for(borough)),
        plan.prepared_dir / borough,
    ]


# --- the jobs (run in worker processes) -------------------------------------------------
def _quiet_logs() -> None:
    # Kernels and papermill are chatty; the analyst needs our summary, not theirs.
    for name in ("papermill", "traitlets", "nbclient", "asyncio"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _worker_start(notebooks_dir: str, log_dir: str, warm: bool) -> None:
    """Each worker starts its warm kernel at once (when notebooks are to run), while the
    boroughs are being prepared."""
    _quiet_logs()
    if warm:
        from mps.kernels import prestart_in_background

        prestart_in_background(notebooks_dir, log_dir)


def _failure(kind: str, area: str, name: str, started: float, error: BaseException) -> JobResult:
    return JobResult(
        kind, area, name, False, time.perf_counter() - started, f"{type(error).__name__}: {error}"
    )


def _prepare_job(
    consortium: ConsortiumSettings,
    borough: str,
    out_dir: Path,
    child_inputs: Sequence[Path] = (),
    identifier_cache: Path | None = None,
) -> JobResult:
    """Read and validate one borough's 903 returns; then note the identifiers in its
    child-level inputs for the leak scans of every area's publication (``identifier_cache``),
    once here rather than in every worker that publishes."""
    from mps.area import prepare_borough
    from mps.leakscan import collect_identifiers

    started = time.perf_counter()
    settings = consortium.borough(borough)
    try:
        prepared = prepare_borough(
            data_dir=consortium.data_dir,
            borough=borough,
            la_code=settings.la_code,
            years=consortium.years,
            out_dir=out_dir,
            strict=consortium.strict_validation,
            data_folder=settings.data_folder,
            ssda903_source=consortium.ssda903_source_for(borough),
            la_value=settings.la_value,
        )
    except Exception as error:  # reported, never raised: other boroughs carry on
        return _failure("prepare", borough, borough, started, error)
    if identifier_cache is not None:
        try:
            collect_identifiers([p for p in child_inputs if p.exists()], cache_dir=identifier_cache)
        except Exception as error:  # the publishing step reads the files again and says why
            logging.getLogger("mps.pipeline").info("%s: identifiers not noted: %s", borough, error)
    return JobResult(
        "prepare", borough, borough, True, time.perf_counter() - started, outputs=(str(prepared),)
    )


def _run_notebook(notebook: Path, output: Path, parameters: dict) -> JobResult:
    import papermill

    from mps.kernels import ENGINE_NAME

    started = time.perf_counter()
    area = parameters["area"]
    output.parent.mkdir(parents=True, exist_ok=True)
    # This notebook's tables only: a table it no longer publishes must not linger.
    shutil.rmtree(parameters["tables_dir"], ignore_errors=True)
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
    outputs = [str(output)]
    if Path(parameters["tables_dir"]).is_dir():
        outputs.append(parameters["tables_dir"])
    return JobResult(
        "notebook", area, notebook.stem, True, time.perf_counter() - started, outputs=tuple(outputs)
    )


def _notebooks_job(
    area: str, runs: Sequence[tuple[Path, Path, dict]], results_dir: str
) -> list[JobResult]:
    """Run an area's notebooks one after another on this worker's warm kernel: results they
    share are computed by the first that needs them and read by the rest."""
    results = Path(results_dir)
    if results.parent.is_dir():  # results computed from older data are of no further use
        for old in results.parent.iterdir():
            if old != results:
                shutil.rmtree(old, ignore_errors=True)
    return [_run_notebook(notebook, output, parameters) for notebook, output, parameters in runs]


def _publish_job(
    area: str,
    executed: Sequence[Path],
    edition,
    publish_dir: Path,
    child_data: Sequence[Path] | None = None,
    formats: Sequence[str] = PUBLISH_FORMATS,
    identifier_cache: Path | None = None,
) -> JobResult:
    from mps.publish import publish_area

    started = time.perf_counter()
    try:
        written = publish_area(
            area,
            executed,
            edition,
            publish_dir,
            child_data=child_data,
            formats=formats,
            identifier_cache=identifier_cache,
        )
    except Exception as error:
        return _failure("publish", area, "documents", started, error)
    return JobResult(
        "publish",
        area,
        "documents",
        True,
        time.perf_counter() - started,
        outputs=tuple(str(p) for p in written),
    )


# --- running the plan -------------------------------------------------------------------
def _job_id(kind: str, area: str, name: str) -> str:
    return f"{kind}/{area}" if kind in ("prepare", "publish") else f"{kind}/{area}/{name}"


class _Scheduler:
    """Submits each job when what it needs is ready; records what happened."""

    def __init__(
        self,
        plan: BuildPlan,
        manifest: BuildManifest,
        keys: _Keys,
        force: bool,
        jobs: int,
        report: Callable[[JobResult], None],
    ):
        self.plan, self.manifest, self.keys, self.force = plan, manifest, keys, force
        self.workers = jobs
        self.report = report
        self.result = BuildResult(plan.root)
        self.prepared: dict[str, bool] = {}
        self.analysed: dict[str, bool] = {}
        self.pool: ProcessPoolExecutor | None = None
        self.running: dict[Future, tuple[str, str]] = {}
        #: (priority, order, kind, area, submit) waiting for a free worker
        self.ready: list[tuple[int, int, str, str, Callable[[], Future]]] = []
        self.order = 0

    # -- bookkeeping
    def fresh(self, kind: str, area: str, name: str, key: str) -> bool:
        return not self.force and self.manifest.up_to_date(_job_id(kind, area, name), key)

    def record(self, job: JobResult, key: str | None = None) -> None:
        job_id = _job_id(job.kind, job.area, job.name)
        if job.ok and key and not job.cached:
            self.manifest.record(job_id, key, job.outputs)
        elif not job.ok and job.seconds > 0:
            self.manifest.forget(job_id)
        self.result.results.append(job)
        self.report(job)

    def cached(self, kind: str, area: str, name: str) -> JobResult:
        record = self.manifest.jobs[_job_id(kind, area, name)]
        return JobResult(kind, area, name, True, 0.0, outputs=tuple(record.outputs), cached=True)

    def skip(self, kind: str, area: str, name: str, why: str) -> None:
        self.record(JobResult(kind, area, name, False, 0.0, f"skipped: {why}"))

    # -- the pool
    def needs_kernels(self) -> bool:
        return any(
            not self.fresh("notebook", area, nb, key)
            for area, keys in self.keys.areas.items()
            for nb, key in keys.notebooks.items()
        )

    def queue(self, priority: int, kind: str, area: str, submit: Callable[[], Future]) -> None:
        self.order += 1
        self.ready.append((priority, self.order, kind, area, submit))

    def fill(self) -> None:
        """Hand ready jobs to free workers, highest priority first."""
        self.ready.sort(key=lambda item: item[:2])
        while self.ready and len(self.running) < self.workers:
            _, _, kind, area, submit = self.ready.pop(0)
            self.running[submit()] = (kind, area)

    def executor(self) -> ProcessPoolExecutor:
        if self.pool is None:
            # forkserver: workers start from a clean process with pandas already imported,
            # not as forks of this one (which runs the progress bar's thread).
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["pandas", "mps.area", "papermill", "mps.kernels"])
            notebooks_dir = str(self.plan.notebooks[0].parent) if self.plan.notebooks else "."
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=_worker_start,
                initargs=(notebooks_dir, str(self.plan.logs_dir), self.needs_kernels()),
            )
        return self.pool

    # -- the stages
    def start_prepare(self, borough: str) -> None:
        key = self.keys.prepare[borough]
        if self.fresh("prepare", borough, borough, key):
            self.prepared[borough] = True
            self.record(self.cached("prepare", borough, borough))
            return
        plan = self.plan
        inputs = borough_child_inputs(plan, borough)
        self.queue(
            0,
            "prepare",
            borough,
            lambda: self.executor().submit(
                _prepare_job,
                plan.consortium,
                borough,
                plan.prepared_dir,
                inputs,
                plan.identifier_cache,
            ),
        )

    def start_area(self, area: AreaSettings) -> None:
        """Queue the area's notebooks once all its boroughs are prepared (or skip them)."""
        plan, keys = self.plan, self.keys.areas[area.slug]
        failed = [b for b in plan.pooled(area.boroughs) if not self.prepared[b]]
        if failed:
            for nb in plan.notebooks_for(area):
                self.skip(
                    "notebook",
                    area.slug,
                    nb.stem,
                    f"borough data failed validation ({', '.join(failed)})",
                )
            self.analysed[area.slug] = False
            self.start_publish(area)
            return
        runs = []
        for nb in plan.notebooks_for(area):
            if self.fresh("notebook", area.slug, nb.stem, keys.notebooks[nb.stem]):
                self.record(self.cached("notebook", area.slug, nb.stem))
            else:
                parameters = self.keys.parameters[(area.slug, nb.stem)]
                runs.append((nb, plan.area_dir(area) / nb.name, parameters))
                # Its tables are deleted when it starts: until it succeeds again it is not
                # up to date, even if this build is interrupted.
                self.manifest.forget(_job_id("notebook", area.slug, nb.stem))
        if not runs:
            self.analysed[area.slug] = True
            self.start_publish(area)
            return
        self.manifest.save()
        results_dir = str(plan.results_dir(area, keys.results))
        # The consortium's pooled analysis is the longest job: it goes first.
        priority = 1 if area.kind != "borough" else 2
        self.queue(
            priority,
            "notebooks",
            area.slug,
            lambda: self.executor().submit(_notebooks_job, area.slug, runs, results_dir),
        )

    def start_publish(self, area: AreaSettings) -> None:
        if not self.analysed[area.slug]:
            self.skip(
                "publish", area.slug, "documents", "an analysis notebook for this area failed"
            )
            return
        key = self.keys.areas[area.slug].publish
        if self.fresh("publish", area.slug, "documents", key):
            self.record(self.cached("publish", area.slug, "documents"))
            return
        executed = [self.plan.area_dir(area) / nb.name for nb in self.plan.notebooks_for(area)]
        edition = edition_for(self.plan, area)
        publish_dir = self.plan.publish_dir
        child_data = child_level_inputs(self.plan, area)
        self.queue(
            3,
            "publish",
            area.slug,
            lambda: self.executor().submit(
                _publish_job,
                area.slug,
                executed,
                edition,
                publish_dir,
                child_data,
                self.plan.formats,
                self.plan.identifier_cache,
            ),
        )

    def finished(self, future: Future, kind: str, area_slug: str) -> None:
        keys = self.keys
        if kind == "prepare":
            job = _result_of(future, "prepare", area_slug, area_slug)
            self.prepared[area_slug] = job.ok
            self.record(job, keys.prepare[area_slug])
        elif kind == "notebooks":
            try:
                jobs = future.result()
            except Exception as error:  # a crashed worker fails the area's notebooks
                detail = "".join(traceback.format_exception_only(type(error), error)).strip()
                jobs = [
                    JobResult("notebook", area_slug, nb.stem, False, 0.001, detail)
                    for nb in self.plan.notebooks_for(self.area(area_slug))
                    if not self.fresh(
                        "notebook", area_slug, nb.stem, keys.areas[area_slug].notebooks[nb.stem]
                    )
                ]
            for job in jobs:
                self.record(job, keys.areas[area_slug].notebooks[job.name])
            self.analysed[area_slug] = all(
                r.ok for r in self.result.results if r.kind == "notebook" and r.area == area_slug
            )
            self.start_publish(self.area(area_slug))
        else:
            job = _result_of(future, "publish", area_slug, "documents")
            self.record(job, keys.areas[area_slug].publish)
        self.manifest.save()  # work done so far survives an interrupted build

    def area(self, slug: str) -> AreaSettings:
        return next(a for a in self.plan.areas if a.slug == slug)

    def run(self) -> BuildResult:
        plan = self.plan
        current = plan.shared_dir / self.keys.members[:16]
        if plan.shared_dir.is_dir():  # results shared from older data are of no further use
            for old in plan.shared_dir.iterdir():
                if old != current:
                    shutil.rmtree(old, ignore_errors=True)
        try:
            for borough in plan.boroughs_needed():
                self.start_prepare(borough)
            started: set[str] = set()
            while True:
                for area in plan.areas:
                    ready = all(b in self.prepared for b in plan.waits_for(area))
                    if area.slug not in started and ready:
                        started.add(area.slug)
                        self.start_area(area)
                self.fill()
                if not self.running:
                    break
                done, _ = wait(self.running, return_when=FIRST_COMPLETED)
                for future in done:
                    kind, area_slug = self.running.pop(future)
                    self.finished(future, kind, area_slug)
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True, cancel_futures=True)
            self.manifest.save()
        return self.result


def run_build(
    plan: BuildPlan,
    *,
    jobs: int | None = None,
    force: bool = False,
    on_result: Callable[[JobResult], None] | None = None,
) -> BuildResult:
    """Run every job of ``plan`` that is not up to date and return what happened (never
    raises for a failed job). ``force`` runs every job whatever the manifest says."""
    manifest = BuildManifest.load(plan.root)
    keys = _Keys(plan, manifest)
    scheduler = _Scheduler(
        plan, manifest, keys, force, jobs or os.cpu_count() or 1, on_result or (lambda _: None)
    )
    return scheduler.run()


def stale_jobs(plan: BuildPlan, *, force: bool = False) -> list[str]:
    """The jobs a build of ``plan`` would run now, as ``kind/area[/notebook]``, without
    running anything (a prepare or notebook job that is stale makes what reads it stale
    through its key)."""
    manifest = BuildManifest.load(plan.root)
    keys = _Keys(plan, manifest)
    wanted = [(("prepare", b, b), key) for b, key in keys.prepare.items()]
    for area in plan.areas:
        area_keys = keys.areas[area.slug]
        wanted += [(("notebook", area.slug, nb), k) for nb, k in area_keys.notebooks.items()]
        wanted.append((("publish", area.slug, "documents"), area_keys.publish))
    return [
        _job_id(*job) for job, key in wanted if force or not manifest.up_to_date(_job_id(*job), key)
    ]


def _result_of(future: Future, kind: str, area: str, name: str) -> JobResult:
    try:
        return future.result()
    except Exception as error:  # a crashed worker is a failed job, not a crashed build
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        return JobResult(kind, area, name, False, 0.001, detail)
