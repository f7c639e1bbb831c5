"""End to end: real builds of a two-borough demo consortium with planted canary children.

- Nothing about a canary (CHILD id, date of birth in any usual form, home postcode) reaches
  any published file (HTML, PDF text, DOCX XML, XLSX cells, CSV), read back here without
  the leak scan's own code.
- A notebook that shows a canary's id in a published cell fails the build with a clear
  message, and one that publishes a table with a CHILD column fails in disclosure control;
  either way the previous publication is unchanged.
- A build killed (SIGKILL) while it publishes leaves the previous publication complete.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from mps.config import load_consortium
from mps.leakscan import collect_identifiers
from mps.pipeline import plan_build, run_build
from mps.synthetic import write_demo_data

REPO = Path(__file__).resolve().parent.parent
BOROUGHS = ("ashmoor", "brightwater")
AREAS = (*BOROUGHS, "pair")
FORMATS = (
    "market-position-statement.html",
    "market-position-statement.pdf",
    "market-position-statement.docx",
    "sufficiency-plan.html",
    "sufficiency-plan.pdf",
    "sufficiency-plan.docx",
    "data-annex.xlsx",
    "README.txt",
)


def consortium_file(root: Path, data_dir: Path, version: str = "1.0") -> Path:
    """The repository's parameters (defaults, boroughs, narrative) with a two-borough
    consortium of the generated data."""
    parameters = root / "parameters"
    if not parameters.exists():
        shutil.copytree(REPO / "parameters", parameters, ignore=shutil.ignore_patterns("consortia"))
    path = parameters / "consortia" / "pair.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        f"slug: pair\nname: The Pair\ndata_dir: {data_dir}\nedition: '2026'\n"
        f"publication_date: 2026-11-23\nversion: '{version}'\n"
        f"boroughs: [{', '.join(BOROUGHS)}]\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("canaries")
    manifest = write_demo_data(root / "data", boroughs=len(BOROUGHS), canaries=2)
    assert {c.borough for c in manifest.canaries} == set(BOROUGHS)
    plan = plan_build(
        load_consortium(consortium_file(root, root / "data")), build_root=root / "build"
    )
    outcome = run_build(plan, jobs=2)
    assert outcome.ok, [f"{r.kind} {r.area}/{r.name}: {r.error}" for r in outcome.failures]
    return root, manifest, plan


# --- reading published files back, without mps.leakscan -----------------------------------
def file_text(path: Path) -> str:
    if path.suffix == ".html":
        text = path.read_text(encoding="utf-8")
        return re.sub(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+", "", text)
    if path.suffix == ".pdf":
        return "\n".join(page.extract_text() for page in PdfReader(path).pages)
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as archive:
            xml = "\n".join(
                archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml")
            )
        if path.suffix == ".xlsx":
            workbook = load_workbook(path)
            cells = [
                str(c) for ws in workbook for row in ws.iter_rows(values_only=True) for c in row
            ]
            xml += "\n".join(cells)
        # Word may split a word into runs: look at the text with the tags taken out too.
        return xml + "\n" + re.sub(r"<[^>]+>", "", xml)
    return path.read_text(encoding="utf-8")


def csv_rows(path: Path):
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.reader(handle)


def same(value: object) -> object:
    """A cell as a number when it is one ("100.0" in a CSV is 100 in a workbook), else text;
    an empty CSV cell is an empty workbook cell."""
    if value is None or value == "":
        return ""
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def canary_forms(canary) -> dict[str, list[str]]:
    born = datetime.strptime(canary.dob, "%d/%m/%Y")
    return {
        "CHILD": [canary.child, canary.child.lower()],
        "DOB": [
            canary.dob,
            born.strftime("%Y-%m-%d"),
            born.strftime("%d %B %Y"),
            born.strftime("%-d %B %Y"),
            born.strftime("%B %-d, %Y"),
        ],
        "postcode": [canary.home_post, canary.home_post.replace(" ", "")],
    }


def test_every_area_is_published_in_every_format(built) -> None:
    _, _, plan = built
    for area in AREAS:
        folder = plan.publish_dir / area
        for name in FORMATS:
            assert (folder / name).is_file(), f"{area}/{name}"
        csvs = sorted((folder / "data-annex").glob("*.csv"))
        workbook = load_workbook(folder / "data-annex.xlsx")
        assert len(csvs) == len(workbook.sheetnames) - 2  # contents and notes sheets
        # Every table sheet reads back equal to its CSV (the contents sheet pairs them).
        listed = list(workbook["Contents"].iter_rows(min_row=5, values_only=True))
        assert len(listed) == len(csvs)
        for row in listed:
            sheet, csv = workbook[row[0]], folder / row[-1]
            expected = list(csv_rows(csv))
            rows = list(sheet.iter_rows(values_only=True))
            width = len(expected[0])
            start = next(
                i
                for i, r in enumerate(rows)
                if [same(c) for c in r[:width]] == [same(c) for c in expected[0]]
            )
            body = [r[:width] for r in rows[start : start + len(expected)]]
            assert [[same(v) for v in r] for r in body] == [
                [same(v) for v in r] for r in expected
            ], row[0]
        assert "PDF not produced" not in (folder / "README.txt").read_text()


def test_no_canary_reaches_a_published_file(built) -> None:
    root, manifest, plan = built
    published = [p for p in plan.publish_dir.rglob("*") if p.is_file()]
    assert len(published) > 3 * len(FORMATS)
    texts = {p: file_text(p) for p in published}
    for canary in manifest.canaries:
        for kind, forms in canary_forms(canary).items():
            for form in forms:
                leaked = [str(p) for p, text in texts.items() if form in text]
                assert not leaked, f"canary {kind} {form!r} in {leaked}"
    # The scan knew what to look for: the canaries are among the identifiers it collected.
    identifiers = collect_identifiers([root / "data" / b for b in BOROUGHS])
    assert {c.child for c in manifest.canaries} <= set(identifiers.ids)
    assert {c.home_post.replace(" ", "") for c in manifest.canaries} <= set(identifiers.postcodes)
    record = (plan.root / "pair" / "publication-check.txt").read_text()
    assert "Result: 0 problem(s), published" in record
    assert "CANARY" not in record  # the record names files, never identifiers


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


#: The publish stage of a build, on its own: every area's documents from the executed
#: notebooks, as the pipeline's publish jobs make them.
PUBLISHER = """
import sys
from pathlib import Path
from mps.config import load_consortium
from mps.pipeline import child_level_inputs, edition_for, plan_build
from mps.publish import publish_area
plan = plan_build(load_consortium(sys.argv[1]), build_root=Path(sys.argv[2]))
for area in plan.areas:
    executed = [plan.area_dir(area) / f"{name}.ipynb" for name in sys.argv[3:]]
    publish_area(area.slug, executed, edition_for(plan, area), plan.publish_dir,
                 child_data=child_level_inputs(plan, area))
"""


# The two tests below change the module's build (in this order): a copy would make every
# notebook run again, its paths being new.
def test_a_build_killed_while_publishing_leaves_the_last_publication(built, tmp_path: Path) -> None:
    root, _, plan = built
    publish = plan.publish_dir
    before = {area: snapshot(publish / area) for area in AREAS}
    # A new version changes only the cover.
    parameters = consortium_file(root, root / "data", version="2.0")
    command = [sys.executable, "-c", PUBLISHER, str(parameters), str(plan.root.parent)]
    command += [nb.stem for nb in plan.notebooks]
    log = tmp_path / "publish.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, start_new_session=True, stdout=output, stderr=subprocess.STDOUT
        )
    staging = publish / ".staging"
    deadline = time.monotonic() + 120
    try:
        # Kill (the publisher, its browser and pandoc) once a publication is half written.
        while time.monotonic() < deadline and process.poll() is None:
            if any(s.is_dir() and any(s.iterdir()) for s in staging.glob("*.staging.*")):
                break
            time.sleep(0.02)
        assert process.poll() is None, f"publishing ended before it was killed:\n{log.read_text()}"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)

    assert list(staging.iterdir())  # the half-written publication is there, not in place
    for area in AREAS:
        # Each area has its previous publication or, if its swap came before the kill, the
        # whole new one: never a mixture, never a missing or half-written file.
        after = snapshot(publish / area)
        if after != before[area]:
            assert sorted(after) == sorted(before[area]), f"{area}: files differ"
            assert "version 2.0" in (publish / area / "README.txt").read_text(), area
        # ... and readable: the PDF opens, the workbook loads, the HTML is whole.
        assert len(PdfReader(publish / area / "market-position-statement.pdf").pages) > 0
        load_workbook(publish / area / "data-annex.xlsx")
        assert (publish / area / "sufficiency-plan.html").read_text().rstrip().endswith("</html>")

    # Publishing again tidies the staging folder and publishes version 2.0 everywhere.
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    for area in AREAS:
        assert "version 2.0" in (publish / area / "README.txt").read_text()
    assert not list(staging.iterdir())


def test_a_leaking_notebook_fails_the_build_and_keeps_the_last_publication(
    built, tmp_path: Path
) -> None:
    _, manifest, plan = built
    build = plan.root.parent
    before = {area: snapshot(build / "pair" / "publish" / area) for area in AREAS}
    canary = next(c for c in manifest.canaries if c.borough == "ashmoor")

    notebooks = tmp_path / "notebooks"
    shutil.copytree(REPO / "notebooks", notebooks)
    source = nbformat.read(notebooks / plan.notebooks[0].name, as_version=4)
    parameters = next(c for c in source.cells if "parameters" in c.metadata.get("tags", []))
    leak = nbformat.v4.new_code_cell(
        "import pandas as pd\n"
        "from mps.notebook import AreaReport\n"
        "from mps.presentation import PublishableTable\n"
        "report = AreaReport.from_namespace(globals())\n"
        f"if area == 'ashmoor':\n    report.say('Planted: child {canary.child} is looked after.')\n"
        "if area == 'brightwater':\n"
        "    report.table(PublishableTable(pd.DataFrame({'CHILD': ['x'], 'n': [9]}), ('n',)),\n"
        "                 name='children', title='Children')\n",
        metadata={"tags": ["mps"]},
    )
    nbformat.write(nbformat.v4.new_notebook(cells=[parameters, leak]), notebooks / "leak.ipynb")
    consortium = load_consortium(plan.consortium.source_file)
    consortium = consortium.model_copy(update={"notebooks": [*consortium.notebooks, "leak"]})
    outcome = run_build(plan_build(consortium, build_root=build, notebooks_dir=notebooks), jobs=2)

    failures = {(r.kind, r.area): r.error for r in outcome.failures}
    message = failures[("publish", "ashmoor")]
    assert "LeakScanError" in message and "market-position-statement.html" in message
    assert "a child identifier" in message and canary.child not in message
    assert "refusing to publish a child-level table" in failures[("notebook", "brightwater")]
    assert ("publish", "pair") not in failures  # the consortium's documents show no canary
    for area in BOROUGHS:
        assert snapshot(build / "pair" / "publish" / area) == before[area], area
    assert not list((build / "pair" / "publish" / ".staging").iterdir())
