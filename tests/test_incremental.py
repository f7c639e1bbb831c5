"""Incremental builds: each kind of change re-runs exactly the jobs that read it.

The first tests work on the build's keys (what `mps build` would run after a change,
from a manifest recording the current state as built); the last runs real builds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

import mps.pipeline
from mps.config import load_consortium
from mps.manifest import BuildManifest
from mps.pipeline import BuildPlan, _job_id, _Keys, plan_build, run_build, stale_jobs

REPO = Path(__file__).resolve().parent.parent
A, B, PAIR = "ashmoor", "brightwater", "pair"
NOTEBOOK = "needs_analysis"


@pytest.fixture(scope="module")
def two_boroughs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mps.synthetic import write_demo_data

    out = tmp_path_factory.mktemp("incremental") / "data"
    write_demo_data(out, boroughs=2)
    return out


@pytest.fixture
def setup(two_boroughs: Path, tmp_path: Path) -> dict[str, Path]:
    data = tmp_path / "data"
    shutil.copytree(two_boroughs, data)
    parameters = tmp_path / "parameters"
    (parameters / "boroughs").mkdir(parents=True)
    (parameters / "consortia").mkdir()
    for slug, code in ((A, "E06900001"), (B, "E06900002")):
        (parameters / "boroughs" / f"{slug}.yaml").write_text(
            f"name: {slug.title()}\nla_code: {code}\n", encoding="utf-8"
        )
    consortium = parameters / "consortia" / "pair.yaml"
    consortium.write_text(
        f"slug: pair\nname: The Pair\ndata_dir: {data}\nedition: '2026'\n"
        f"publication_date: 2026-11-23\nnotebooks: [{NOTEBOOK}]\nboroughs: [{A}, {B}]\n",
        encoding="utf-8",
    )
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(REPO / "notebooks" / f"{NOTEBOOK}.ipynb", notebooks)
    return {
        "data": data,
        "consortium": consortium,
        "parameters": parameters,
        "notebooks": notebooks,
        "build": tmp_path / "build",
    }


def plan_of(setup: dict[str, Path]) -> BuildPlan:
    return plan_build(
        load_consortium(setup["consortium"]),
        build_root=setup["build"],
        notebooks_dir=setup["notebooks"],
    )


def mark_built(plan: BuildPlan) -> None:
    """Record every job as built from the current inputs (as a finished build would)."""
    manifest = BuildManifest.load(plan.root)
    keys = _Keys(plan, manifest)
    for borough, key in keys.prepare.items():
        manifest.record(_job_id("prepare", borough, borough), key, [])
    for area, area_keys in keys.areas.items():
        for notebook, key in area_keys.notebooks.items():
            manifest.record(_job_id("notebook", area, notebook), key, [])
        manifest.record(_job_id("publish", area, "documents"), area_keys.publish, [])
    manifest.save()


EVERYTHING = {
    f"prepare/{A}",
    f"prepare/{B}",
    *(f"notebook/{area}/{NOTEBOOK}" for area in (A, B, PAIR)),
    *(f"publish/{area}" for area in (A, B, PAIR)),
}


def after(setup: dict[str, Path], change) -> set[str]:
    """The jobs that would run after ``change``, from a build that was up to date."""
    mark_built(plan_of(setup))
    assert stale_jobs(plan_of(setup)) == []  # nothing changed: nothing runs
    change()
    return set(stale_jobs(plan_of(setup)))


def edit(path: Path) -> None:
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(text[:-1]), encoding="utf-8")  # drop the last row


def file_of(folder: Path, header_start: str) -> Path:
    return next(p for p in folder.iterdir() if p.read_text().startswith(header_start))


def test_one_boroughs_903_return_reruns_that_borough_and_the_consortium(setup) -> None:
    episodes = file_of(setup["data"] / A / "ssda903" / "2024", "CHILD,DECOM")
    assert after(setup, lambda: edit(episodes)) == {
        f"prepare/{A}",
        f"notebook/{A}/{NOTEBOOK}",
        f"notebook/{PAIR}/{NOTEBOOK}",
        f"publish/{A}",
        f"publish/{PAIR}",
    }


def test_a_boroughs_other_input_reruns_its_notebooks_but_not_its_preparation(setup) -> None:
    spend = setup["data"] / B / "spend.csv"
    assert after(setup, lambda: edit(spend)) == {
        f"notebook/{B}/{NOTEBOOK}",
        f"notebook/{PAIR}/{NOTEBOOK}",
        f"publish/{B}",
        f"publish/{PAIR}",
    }


def test_a_shared_input_reruns_every_area_but_no_preparation(setup) -> None:
    population = setup["data"] / "population.csv"
    assert after(setup, lambda: edit(population)) == EVERYTHING - {f"prepare/{A}", f"prepare/{B}"}


def test_the_postcode_directory_is_read_by_preparation_too(setup) -> None:
    postcodes = setup["data"] / "postcodes.csv"
    assert after(setup, lambda: edit(postcodes)) == EVERYTHING


def test_touching_a_file_without_changing_it_reruns_nothing(setup) -> None:
    spend = setup["data"] / A / "spend.csv"
    assert after(setup, lambda: spend.write_bytes(spend.read_bytes())) == set()


def test_a_changed_notebook_reruns_it_for_every_area(setup) -> None:
    path = setup["notebooks"] / f"{NOTEBOOK}.ipynb"

    def change() -> None:
        notebook = nbformat.read(path, as_version=4)
        notebook.cells.append(nbformat.v4.new_markdown_cell("A new paragraph."))
        nbformat.write(notebook, path)

    assert after(setup, change) == EVERYTHING - {f"prepare/{A}", f"prepare/{B}"}


def test_a_boroughs_own_parameters_rerun_only_that_borough(setup) -> None:
    borough_file = setup["parameters"] / "boroughs" / f"{A}.yaml"

    def change() -> None:
        with borough_file.open("a", encoding="utf-8") as handle:
            handle.write("narrative:\n  vision: Our own words.\n")

    assert after(setup, change) == {f"notebook/{A}/{NOTEBOOK}", f"publish/{A}"}


def test_a_cover_only_change_republishes_without_rerunning_the_analysis(setup) -> None:
    consortium = setup["consortium"]

    def change() -> None:
        # the version and publication date appear on the cover only (the edition year is
        # also read by the notebooks: last year's plan against this year's outcome)
        text = consortium.read_text(encoding="utf-8")
        text = text.replace("publication_date: 2026-11-23", "publication_date: 2026-12-01")
        consortium.write_text(text + "version: '1.1'\n", encoding="utf-8")

    assert after(setup, change) == {f"publish/{area}" for area in (A, B, PAIR)}


def test_a_new_mps_version_reruns_everything(setup, monkeypatch: pytest.MonkeyPatch) -> None:
    change = lambda: monkeypatch.setattr(mps.pipeline, "code_fingerprint", lambda: "0.2.0")  # noqa: E731
    assert after(setup, change) == EVERYTHING


def test_force_reruns_everything(setup) -> None:
    mark_built(plan_of(setup))
    assert set(stale_jobs(plan_of(setup), force=True)) == EVERYTHING


def test_a_deleted_output_reruns_the_job_that_wrote_it(setup) -> None:
    plan = plan_of(setup)
    mark_built(plan)
    manifest = BuildManifest.load(plan.root)
    prepared = plan.prepared_dir / A
    prepared.mkdir(parents=True)
    job = f"prepare/{A}"
    manifest.record(job, manifest.jobs[job].key, [str(prepared)])
    manifest.save()
    assert stale_jobs(plan_of(setup)) == []
    prepared.rmdir()
    # its output is the same as before, so nothing that reads it needs to run
    assert stale_jobs(plan_of(setup)) == [job]


def test_real_rebuilds_run_only_what_changed(setup) -> None:
    def build(**options):
        outcome = run_build(plan_of(setup), jobs=2, **options)
        assert outcome.ok, [r.error for r in outcome.failures]
        return outcome

    first = build()
    assert {_job_id(r.kind, r.area, r.name) for r in first.ran} == EVERYTHING
    document = setup["build"] / PAIR / "publish" / PAIR / "market-position-statement.html"
    written = document.stat().st_mtime_ns

    again = build()
    assert again.ran == [] and len(again.up_to_date) == len(EVERYTHING)
    assert document.stat().st_mtime_ns == written  # not even re-published

    edit(file_of(setup["data"] / B / "ssda903" / "2023", "CHILD,DECOM"))
    changed = build()
    assert {_job_id(r.kind, r.area, r.name) for r in changed.ran} == {
        f"prepare/{B}",
        f"notebook/{B}/{NOTEBOOK}",
        f"notebook/{PAIR}/{NOTEBOOK}",
        f"publish/{B}",
        f"publish/{PAIR}",
    }
    assert document.stat().st_mtime_ns > written

    forced = build(force=True)
    assert {_job_id(r.kind, r.area, r.name) for r in forced.ran} == EVERYTHING


def test_a_notebook_reading_every_member_reruns_for_each_borough_when_one_changes(
    setup,
) -> None:
    # The comparisons notebook sets each borough beside its consortium, from every member's
    # data (declared in its metadata): it alone re-runs in the other borough.
    shutil.copy(REPO / "notebooks" / "comparisons.ipynb", setup["notebooks"])
    consortium = setup["consortium"]
    text = consortium.read_text(encoding="utf-8")
    consortium.write_text(
        text.replace(f"notebooks: [{NOTEBOOK}]", f"notebooks: [{NOTEBOOK}, comparisons]"),
        encoding="utf-8",
    )
    episodes = file_of(setup["data"] / A / "ssda903" / "2024", "CHILD,DECOM")
    assert after(setup, lambda: edit(episodes)) == {
        f"prepare/{A}",
        f"notebook/{A}/{NOTEBOOK}",
        f"notebook/{A}/comparisons",
        f"notebook/{B}/comparisons",
        f"notebook/{PAIR}/{NOTEBOOK}",
        f"notebook/{PAIR}/comparisons",
        f"publish/{A}",
        f"publish/{B}",
        f"publish/{PAIR}",
    }


def test_reading_other_members_undeclared_is_refused_in_a_build(tmp_path: Path) -> None:
    from mps.notebook import PARAMETERS, AreaReport

    values = {name: "" for name in PARAMETERS}
    values.update(
        boroughs=["a"],
        borough_names=["A"],
        la_codes=["E06900001"],
        years=[2025],
        reporting_year=2025,
        suppression_threshold=5,
        round_to=0,
        prepared_dir=str(tmp_path),
        settings={"consortium": {"members": [{"slug": "b", "la_code": "E06900002"}]}},
    )
    report = AreaReport.from_namespace(values)
    with pytest.raises(RuntimeError, match=r'declare it in the notebook\'s metadata \("mps"'):
        report.members_result("member-stock", ["la"], lambda found: found)


def test_a_changed_notebook_reruns_the_areas_other_notebooks_too(setup) -> None:
    # A later notebook may read what an earlier one saved (a forecast, a published table):
    # a changed notebook gives the area a fresh results folder, so all its notebooks run.
    shutil.copy(REPO / "notebooks" / "comparisons.ipynb", setup["notebooks"])
    consortium = setup["consortium"]
    text = consortium.read_text(encoding="utf-8")
    consortium.write_text(
        text.replace(f"notebooks: [{NOTEBOOK}]", f"notebooks: [{NOTEBOOK}, comparisons]"),
        encoding="utf-8",
    )
    path = setup["notebooks"] / "comparisons.ipynb"

    def change() -> None:
        notebook = nbformat.read(path, as_version=4)
        notebook.cells.append(nbformat.v4.new_markdown_cell("A new paragraph."))
        nbformat.write(notebook, path)

    assert after(setup, change) == {
        *(f"notebook/{area}/{nb}" for area in (A, B, PAIR) for nb in (NOTEBOOK, "comparisons")),
        *(f"publish/{area}" for area in (A, B, PAIR)),
    }


def test_a_notebook_about_to_rerun_is_no_longer_up_to_date_if_the_build_stops(setup) -> None:
    # Its tables are deleted when it starts; a build killed then must not trust them.
    from mps.pipeline import _Scheduler

    plan = plan_of(setup)
    mark_built(plan)
    path = setup["notebooks"] / f"{NOTEBOOK}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell("A new paragraph."))
    nbformat.write(notebook, path)
    plan = plan_of(setup)
    manifest = BuildManifest.load(plan.root)
    scheduler = _Scheduler(plan, manifest, _Keys(plan, manifest), False, 1, lambda _: None)
    scheduler.prepared = {b: True for b in plan.boroughs_needed()}
    scheduler.start_area(plan.areas[0])  # queued, not yet run
    assert f"notebook/{A}/{NOTEBOOK}" not in BuildManifest.load(plan.root).jobs
    assert f"notebook/{B}/{NOTEBOOK}" in BuildManifest.load(plan.root).jobs


def test_publishing_other_formats_republishes_without_rerunning_the_analysis(setup) -> None:
    mark_built(plan_of(setup))
    draft = plan_build(
        load_consortium(setup["consortium"]),
        build_root=setup["build"],
        notebooks_dir=setup["notebooks"],
        formats=["html"],
    )
    assert draft.formats == ("html",)
    assert set(stale_jobs(draft)) == {f"publish/{area}" for area in (A, B, PAIR)}


def test_the_build_knows_every_format_publishing_does() -> None:
    from mps.pipeline import PUBLISH_FORMATS
    from mps.publish import FORMATS

    assert PUBLISH_FORMATS == FORMATS


def test_an_unknown_format_is_refused(setup) -> None:
    with pytest.raises(ValueError, match=r"unknown format\(s\) odt; choose from html, pdf"):
        plan_build(load_consortium(setup["consortium"]), build_root=setup["build"], formats=["odt"])
