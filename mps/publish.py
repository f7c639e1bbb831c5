"""Assemble an area's published cells into its documents, safely.

The Market Position Statement takes every cell tagged ``mps`` and the sufficiency plan
every cell tagged ``plan``, from the area's executed notebooks in document order.
Before export each published cell is reduced to what may be published:

- code (inputs) never appears: only markdown cells and the outputs of code cells;
- ``stream`` outputs (stdout and stderr: warnings, paths, debug prints) are dropped;
- an ``error`` output stops the build: a failed cell must never be published;
- an output may only be HTML or Markdown produced by :mod:`mps.notebook` (tables through
  disclosure control, charts with alt text): a bare image or a table that did not pass
  :mod:`mps.disclosure` stops the build, naming the notebook and cell.

Documents are written into a staging folder and moved into ``publish/<area>/`` only when
every document exported, so a failed build leaves the previous publication in place.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from traitlets.config import Config

from mps import __version__
from mps.tables import PROTECTED_MARKER

TEMPLATES_DIR = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class DocumentSpec:
    """One published document: which tag selects its cells, its title and file name."""

    tag: str
    title: str
    consortium_title: str
    file_stem: str


DOCUMENTS = (
    DocumentSpec(
        "mps", "Market Position Statement", "Market Position Statement", "market-position-statement"
    ),
    DocumentSpec("plan", "Sufficiency plan", "Joint sufficiency plan", "sufficiency-plan"),
)


class PublishError(RuntimeError):
    """A published cell holds something that must not be published."""


@dataclass(frozen=True)
class Edition:
    """What the cover says about the area and this edition."""

    area_name: str
    area_kind: str
    consortium_name: str
    member_names: Sequence[str]
    edition: str
    publication_date: date
    version: str
    reporting_year: int


_ALLOWED_MIME = ("text/html", "text/markdown")
_TABLE_OPEN = re.compile(r"<table\b[^>]*>", re.IGNORECASE)
_HEADING = re.compile(r"<h2(?P<attrs>[^>]*)>(?P<text>.*?)</h2>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def _check_output(output: dict, where: str) -> dict | None:
    """Return the publishable form of one output, ``None`` to drop it, or raise."""
    kind = output.get("output_type")
    if kind == "stream":
        return None
    if kind == "error":
        raise PublishError(f"{where}: the cell failed ({output.get('ename')}); not publishing")
    data = output.get("data", {})
    for mime in _ALLOWED_MIME:
        if mime in data:
            text = data[mime]
            text = "".join(text) if isinstance(text, list) else text
            for table in _TABLE_OPEN.findall(text):
                if PROTECTED_MARKER not in table:
                    raise PublishError(
                        f"{where}: a table that did not pass disclosure control; "
                        "show tables with report.table()"
                    )
            return nbformat.v4.new_output("display_data", data={mime: text})
    shown = ", ".join(sorted(data)) or "nothing"
    raise PublishError(
        f"{where}: output of type {shown} cannot be published; "
        "use report.table(), report.chart() or report.say()"
    )


def published_cells(notebook: nbformat.NotebookNode, tag: str, name: str) -> list:
    """The cells of ``notebook`` tagged ``tag``, reduced to what may be published."""
    cells = []
    for index, cell in enumerate(notebook.cells):
        if tag not in cell.get("metadata", {}).get("tags", []):
            continue
        where = f"{name}, cell {index + 1}"
        if cell.cell_type == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(cell.source))
        elif cell.cell_type == "code":
            outputs = [kept for o in cell.outputs if (kept := _check_output(o, where))]
            clean = nbformat.v4.new_code_cell(source="")
            clean.outputs = outputs
            cells.append(clean)
    return cells


def _cover_html(spec: DocumentSpec, edition: Edition) -> str:
    title = spec.consortium_title if edition.area_kind == "consortium" else spec.title
    rows = [
        ("Area", edition.area_name),
        ("Edition", edition.edition),
        ("Published", edition.publication_date.strftime("%d %B %Y").lstrip("0")),
        ("Version", edition.version),
        ("Data to", f"31 March {edition.reporting_year}"),
    ]
    if edition.area_kind == "consortium":
        rows.insert(1, ("Members", ", ".join(edition.member_names)))
    else:
        rows.insert(1, ("Consortium", edition.consortium_name))
    items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>" for k, v in rows)
    return (
        '<header class="mps-cover">'
        f'<h1><span class="mps-document">{html.escape(title)}</span><br>'
        f'<span class="mps-area">{html.escape(edition.area_name)}</span></h1>'
        f"<dl>{items}</dl></header>"
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def number_and_index(document: str) -> str:
    """Number tables and figures, give headings ids, and insert a contents list."""
    counters = {"table": 0, "figure": 0}

    def number(kind: str) -> callable:
        def replace(_: re.Match) -> str:
            counters[kind] += 1
            return f'<span class="mps-{kind}-number">{kind.title()} {counters[kind]}: </span>'

        return replace

    document = re.sub(r'<span class="mps-table-number"></span>', number("table"), document)
    document = re.sub(r'<span class="mps-figure-number"></span>', number("figure"), document)

    entries = []
    used: set[str] = set()

    def heading(match: re.Match) -> str:
        text = _TAG.sub("", match.group("text")).replace("¶", "").strip()
        anchor = base = _slug(html.unescape(text))
        suffix = 2
        while anchor in used:
            anchor, suffix = f"{base}-{suffix}", suffix + 1
        used.add(anchor)
        entries.append((anchor, text))
        return f'<h2 id="{anchor}">{match.group("text")}</h2>'

    document = _HEADING.sub(heading, document)
    contents = "".join(f'<li><a href="#{a}">{t}</a></li>' for a, t in entries)
    nav = (
        '<nav class="mps-contents" aria-label="Contents">'
        f"<h2>Contents</h2><ol>{contents}</ol></nav>"
    )
    return document.replace('<main id="main">', f'{nav}\n<main id="main">', 1)


def _exporter() -> HTMLExporter:
    config = Config()
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES_DIR)]
    config.HTMLExporter.template_name = "mps"
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.anchor_link_text = ""
    return HTMLExporter(config=config)


def render_document(
    spec: DocumentSpec, executed: Sequence[Path], edition: Edition, exporter: HTMLExporter
) -> str:
    """Render one document from the area's executed notebooks."""
    cells = []
    for path in executed:
        notebook = nbformat.read(path, as_version=4)
        cells.extend(published_cells(notebook, spec.tag, path.name))
    title = spec.consortium_title if edition.area_kind == "consortium" else spec.title
    document = nbformat.v4.new_notebook(cells=cells)
    document.metadata["mps"] = {
        "title": f"{title}: {edition.area_name}",
        "mps_version": __version__,
        "cover_html": _cover_html(spec, edition),
        "footer_html": html.escape(
            f"{title}, {edition.area_name}. Edition {edition.edition}, version "
            f"{edition.version}. Produced with mps {__version__}. Counts from 1 to the "
            "disclosure threshold are shown as c."
        ),
    }
    body, _ = exporter.from_notebook_node(document)
    return number_and_index(body)


def publish_area(
    area_slug: str, executed: Sequence[Path], edition: Edition, publish_root: Path
) -> list[Path]:
    """Write the area's documents into ``publish_root/<area>/``, atomically.

    Every document is rendered and checked first; only then is the new folder swapped
    in for the old one. On any error nothing under ``publish_root/<area>`` changes.
    """
    exporter = _exporter()
    rendered = {
        f"{spec.file_stem}.html": render_document(spec, executed, edition, exporter)
        for spec in DOCUMENTS
    }
    publish_root.mkdir(parents=True, exist_ok=True)
    final = publish_root / area_slug
    staging = Path(tempfile.mkdtemp(prefix=f".{area_slug}-", dir=publish_root))
    try:
        for name, text in rendered.items():
            (staging / name).write_text(text, encoding="utf-8")
        if final.exists():
            retired = publish_root / f".{area_slug}-old-{os.getpid()}"
            final.rename(retired)
            staging.rename(final)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(final)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return [final / name for name in rendered]
