"""Publish an area's documents: HTML, PDF, Word and the data annex, scanned and atomic.

The Market Position Statement takes every cell tagged ``mps`` and the sufficiency plan
every cell tagged ``plan``, from the area's executed notebooks in document order.
Before export each published cell is reduced to what may be published:

- code (inputs) never appears: only markdown cells and the outputs of code cells;
- ``stream`` outputs (stdout and stderr: warnings, paths, debug prints) are dropped;
- an ``error`` output stops the build: a failed cell must never be published;
- an output may only be HTML or Markdown produced by :mod:`mps.notebook` (tables through
  disclosure control, charts with alt text): a bare image or a table that did not pass
  :mod:`mps.disclosure` stops the build, naming the notebook and cell.

From the HTML document (one self-contained file: charts and logo embedded, a contents
list, numbered tables and figures, the edition on the cover) come the PDF
(:mod:`mps.export.pdf`) and the Word document (:mod:`mps.export.docx`); the tables the
documents show make the data annex (:mod:`mps.export.annex`). Nothing is made from a
notebook file, and the executed notebooks are never published.

Every file is written into a staging folder, ``publish/.staging/``, and scanned there
(:mod:`mps.leakscan`: no child identifier, UPN, date of birth or postcode from the inputs,
no count from 1 to the threshold). Only when every export and the scan succeed does the
staging folder replace ``publish/<area>/``, in one atomic rename; a failed or interrupted
build leaves the previous publication complete and readable.
"""

from __future__ import annotations

import ctypes
import html
import json
import logging
import os
import re
import secrets
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from traitlets.config import Config

from mps import __version__
from mps.export.branding import Branding
from mps.tables import PROTECTED_MARKER

TEMPLATES_DIR = Path(__file__).parent / "templates"
STAGING = ".staging"
#: Every format a publication can have; ``publish_area(formats=...)`` picks some.
FORMATS = ("html", "pdf", "docx", "annex")
ANNEX_WORKBOOK = "data-annex.xlsx"
ANNEX_FOLDER = "data-annex"
README = "README.txt"
#: The build's record of what the leak scan checked (internal, beside the notebooks).
SCAN_RECORD = "publication-check.txt"

log = logging.getLogger("mps.publish")


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
    """What the cover says about the area and this edition, and how the documents look."""

    area_name: str
    area_kind: str
    consortium_name: str
    member_names: Sequence[str]
    edition: str
    publication_date: date
    version: str
    reporting_year: int
    branding: Branding = field(default_factory=Branding)

    def document_title(self, spec: DocumentSpec) -> str:
        return spec.consortium_title if self.area_kind == "consortium" else spec.title

    @property
    def published(self) -> str:
        return self.publication_date.strftime("%d %B %Y").lstrip("0")


_ALLOWED_MIME = ("text/html", "text/markdown")
_TABLE_OPEN = re.compile(r"<table\b[^>]*>", re.IGNORECASE)
_TABLE_NAME = re.compile(r'data-mps-table="([^"]+)"')
_HEADING = re.compile(r"<h2(?P<attrs>[^>]*)>(?P<text>.*?)</h2>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
# markdown's heading anchors come self-closed (<a ... />) when their text is empty
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*?(?:/>|>.*?</a>)', re.DOTALL)


# --- reading the executed notebooks ---------------------------------------------------------
@dataclass
class SourceNotebook:
    """An executed notebook of the area and what papermill ran it with."""

    path: Path
    node: nbformat.NotebookNode

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def parameters(self) -> dict:
        return dict(self.node.get("metadata", {}).get("papermill", {}).get("parameters", {}))

    @property
    def tables_dir(self) -> Path:
        """Where the notebook's published tables were saved (:class:`mps.tables.TableRegistry`)."""
        named = self.parameters.get("tables_dir")
        return Path(named) if named else self.path.parent / "tables" / self.stem


def read_notebooks(executed: Sequence[Path]) -> list[SourceNotebook]:
    notebooks = []
    for path in executed:
        path = Path(path)
        if not path.is_file():
            raise PublishError(f"{path}: the executed notebook is missing")
        notebooks.append(SourceNotebook(path, nbformat.read(path, as_version=4)))
    return notebooks


# --- what a published cell may show -------------------------------------------------------
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


def _label_tables(cells: list, notebook: str, renamed: set[str]) -> list[str]:
    """Mark each table with its notebook (table names are unique per notebook only), give
    tables and figures whose names an earlier notebook used ids of their own, and return
    the table names in order."""
    names: list[str] = []
    for cell in cells:
        for output in cell.get("outputs", []):
            if "text/html" not in output.get("data", {}):
                continue
            text = output["data"]["text/html"]
            names += _TABLE_NAME.findall(text)
            text = re.sub(
                r'(<table\b[^>]*?)data-mps-table="',
                rf'\1data-mps-notebook="{html.escape(notebook)}" data-mps-table="',
                text,
            )
            for name in renamed:
                for kind in ("table", "figure"):
                    text = text.replace(f'id="{kind}-{name}"', f'id="{kind}-{notebook}-{name}"')
                    text = text.replace(
                        f'href="#{kind}-{name}"', f'href="#{kind}-{notebook}-{name}"'
                    )
            output["data"]["text/html"] = text
    return names


# --- HTML -----------------------------------------------------------------------------------
def _cover_html(spec: DocumentSpec, edition: Edition) -> str:
    title = edition.document_title(spec)
    rows = [
        ("Area", edition.area_name),
        ("Edition", edition.edition),
        ("Published", edition.published),
        ("Version", edition.version),
        ("Data to", f"31 March {edition.reporting_year}"),
    ]
    if edition.area_kind == "consortium":
        rows.insert(1, ("Members", ", ".join(edition.member_names)))
    else:
        rows.insert(1, ("Consortium", edition.consortium_name))
    items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>" for k, v in rows)
    branding = edition.branding
    logo = ""
    if branding.logo_data_uri:
        alt = branding.logo_alt or f"Logo of {edition.consortium_name}"
        logo = (
            f'<img class="mps-logo" src="{html.escape(branding.logo_data_uri, quote=True)}" '
            f'alt="{html.escape(alt, quote=True)}">'
        )
    return (
        f'<header class="mps-cover">{logo}'
        f'<h1><span class="mps-document">{html.escape(title)}</span><br>'
        f'<span class="mps-area">{html.escape(edition.area_name)}</span></h1>'
        f'<dl aria-label="About this edition">{items}</dl></header>'
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def number_and_index(document: str) -> str:
    """Number tables and figures, give headings ids, and insert a contents list."""
    counters = {"table": 0, "figure": 0}

    def number(kind: str) -> Callable[[re.Match], str]:
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
    # nbconvert's empty heading anchors ("¶" links) are links without text: drop them.
    document = _ANCHOR_LINK.sub("", document)
    contents = "".join(f'<li><a href="#{a}">{t}</a></li>' for a, t in entries)
    nav = (
        '<nav class="mps-contents" aria-labelledby="contents-heading">'
        f'<h2 id="contents-heading">Contents</h2><ol>{contents}</ol></nav>'
    )
    return document.replace('<main id="main">', f'{nav}\n<main id="main">', 1)


_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=)", re.I)


class DocumentExporter(HTMLExporter):
    """nbconvert's HTML exporter without its last pass, which parses the whole page again
    with html.parser (a third of a second a document) to give images without alt text a
    placeholder and to make JupyterLab's cell wrappers focusable. The mps template has no
    cell wrappers, and the placeholder is put in here by a regular expression."""

    def from_notebook_node(self, nb, resources=None, **kw):
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        resources = self._init_resources(resources)
        self.register_filter("highlight_code", Highlight2HTML(parent=self))
        self.register_filter(
            "filter_data_type",
            WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            ),
        )
        body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        placeholder = '<img alt="No description has been provided for this image"'
        return _IMG_WITHOUT_ALT.sub(placeholder, body), resources


@cache
def _exporter() -> HTMLExporter:
    config = Config()
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES_DIR)]
    config.HTMLExporter.template_name = "mps"
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.anchor_link_text = ""
    # The notebook is validated once, after the preprocessors, not after each of them.
    config.HTMLExporter.optimistic_validation = True
    return DocumentExporter(config=config)


@dataclass
class RenderedDocument:
    """One document of the area as HTML, and the tables it shows, in order."""

    spec: DocumentSpec
    title: str
    html: str
    #: (notebook, table name) in document order
    tables: list[tuple[str, str]]

    @property
    def file_name(self) -> str:
        return f"{self.spec.file_stem}.html"


def render_document(
    spec: DocumentSpec,
    notebooks: Sequence[SourceNotebook | Path],
    edition: Edition,
    exporter: HTMLExporter | None = None,
) -> RenderedDocument:
    """Render one document from the area's executed notebooks."""
    cells, tables, used = [], [], set()
    for notebook in notebooks:
        if not isinstance(notebook, SourceNotebook):
            notebook = read_notebooks([notebook])[0]
        own = published_cells(notebook.node, spec.tag, notebook.path.name)
        names = _TABLE_NAME.findall(
            " ".join(
                o.get("data", {}).get("text/html", "") for c in own for o in c.get("outputs", [])
            )
        )
        _label_tables(own, notebook.stem, used & set(names))
        used |= set(names)
        tables += [(notebook.stem, name) for name in names]
        cells.extend(own)
    title = edition.document_title(spec)
    document = nbformat.v4.new_notebook(cells=cells)
    document.metadata["mps"] = {
        "title": f"{title}: {edition.area_name}",
        "mps_version": __version__,
        "branding_css": edition.branding.css(),
        "cover_html": _cover_html(spec, edition),
        "footer_html": html.escape(
            f"{title}, {edition.area_name}. Edition {edition.edition}, version "
            f"{edition.version}, published {edition.published}. Produced with mps "
            f"{__version__}. Counts from 1 to the disclosure threshold are shown as c. The "
            "tables are also in the data annex (XLSX and CSV)."
        ),
    }
    body, _ = (exporter or _exporter()).from_notebook_node(document)
    return RenderedDocument(spec, title, number_and_index(body), tables)


# --- the publication ----------------------------------------------------------------------
def _annex_tables(documents: Sequence[RenderedDocument], notebooks: Sequence[SourceNotebook]):
    """The tables the documents show, in document order, each with its number in each
    document, read from the tables folder of the notebook that made it."""
    from mps.export.annex import assign_csv_names, read_table

    order: dict[tuple[str, str], dict[str, int]] = {}
    for document in documents:
        for number, key in enumerate(document.tables, start=1):
            order.setdefault(key, {})[document.title] = number
    folders = {nb.stem: nb.tables_dir for nb in notebooks}
    tables = []
    for (notebook, name), numbers in order.items():
        table = read_table(folders[notebook], name, notebook)
        table.numbers = numbers
        tables.append(table)
    assign_csv_names(tables)
    return tables


def _child_data_from_parameters(notebooks: Sequence[SourceNotebook]) -> list[Path]:
    """The child-level inputs the notebooks were given: each borough's data folder and its
    prepared episodes."""
    sources: set[Path] = set()
    for notebook in notebooks:
        parameters = notebook.parameters
        if not parameters.get("boroughs"):
            continue
        for borough in parameters["boroughs"]:
            if parameters.get("data_dir"):
                sources.add(Path(parameters["data_dir"]) / borough)
            if parameters.get("prepared_dir"):
                sources.add(Path(parameters["prepared_dir"]) / borough)
    if not sources:
        raise PublishError(
            "cannot tell which child-level inputs these notebooks read (no papermill "
            "parameters): pass child_data or identifiers to publish_area"
        )
    return sorted(p for p in sources if p.exists()) or sorted(sources)


def _authored_dates(notebooks: Sequence[SourceNotebook]) -> set[date]:
    """Dates a person wrote (markdown cells, the narrative settings): not data, so never
    taken for a child's date of birth."""
    from mps.leakscan import Scanner

    texts = [c.source for nb in notebooks for c in nb.node.cells if c.cell_type == "markdown"]
    texts += [
        json.dumps(nb.parameters.get("settings", {}).get("narrative", {})) for nb in notebooks
    ]
    return set(Scanner._dates("\n".join(texts)))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _tidy(staging_root: Path, final: Path, area_slug: str) -> None:
    """Remove what an interrupted publication of this area left in the staging folder, and
    put back a publication an interrupted swap had moved aside."""
    if not staging_root.is_dir():
        return
    pattern = re.compile(rf"^{re.escape(area_slug)}\.(staging|retired)\.(\d+)\.[0-9a-f]+$")
    for entry in sorted(staging_root.iterdir()):
        match = pattern.match(entry.name)
        if not match or (_pid_alive(int(match[2])) and int(match[2]) != os.getpid()):
            continue
        if match[1] == "retired" and not final.exists():
            entry.rename(final)  # the swap was interrupted between its two renames
            log.warning("restored the previous publication of %s", area_slug)
        else:
            shutil.rmtree(entry, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one atomic step (Linux ``renameat2``); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    return result == 0


def _swap_in(staging: Path, final: Path, retired: Path) -> None:
    """Make ``staging`` the publication at ``final``, atomically where the system allows."""
    if not final.exists():
        staging.rename(final)
        return
    if _exchange(staging, final):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous publication
        return
    # Elsewhere: two renames; an interruption between them is repaired by _tidy.
    final.rename(retired)
    staging.rename(final)
    shutil.rmtree(retired, ignore_errors=True)


def _readme(edition: Edition, documents: Sequence[RenderedDocument], files: Sequence[Path],
            folder: Path, notes: Sequence[str]) -> str:  # fmt: skip
    lines = [
        f"{edition.area_name}: published documents",
        "",
        f"{edition.consortium_name}. Edition {edition.edition}, version {edition.version}, "
        f"published {edition.published}. Data to 31 March {edition.reporting_year}.",
        "",
        "Documents (each as a web page, PDF and Word):",
        *(f"  {d.title}: {d.spec.file_stem}.html" for d in documents),
        "",
        f"Data annex: {ANNEX_WORKBOOK} (contents, notes and one sheet per table) and the same "
        f"tables as CSV in {ANNEX_FOLDER}/.",
        "Counts from 1 to the disclosure threshold are shown as c; see the annex's Notes sheet.",
        "",
        "Files:",
        *(f"  {p.relative_to(folder).as_posix()}" for p in files),
    ]
    if notes:
        lines += ["", "Notes:", *(f"  {n}" for n in notes)]
    return "\n".join(lines) + "\n"


def publish_area(
    area_slug: str,
    executed: Sequence[Path],
    edition: Edition,
    publish_root: Path,
    *,
    child_data: Sequence[Path] | None = None,
    identifiers=None,
    formats: Sequence[str] = FORMATS,
    pdf_engine: str | None = None,
    identifier_cache: Path | None = None,
) -> list[Path]:
    """Write the area's publication into ``publish_root/<area>/``, atomically.

    ``child_data`` are the child-level inputs the leak scan looks for (folders or files;
    default: each borough's data folder and prepared episodes, from the notebooks'
    parameters); ``identifiers`` (:class:`mps.leakscan.ChildIdentifiers`) gives them
    directly instead. ``formats`` picks from :data:`FORMATS`; ``pdf_engine`` is
    ``chromium``, ``weasyprint``, ``none`` or (default) the best available;
    ``identifier_cache`` is where the build noted the inputs' identifiers
    (:func:`mps.leakscan.collect_identifiers`). Returns what was
    published: the files and the annex's CSV folder. On any error nothing under
    ``publish_root/<area>`` changes.
    """
    from mps.export import annex, docx, pdf
    from mps.leakscan import (
        LeakScanError,
        Scanner,
        TableDescription,
        collect_identifiers,
        scan_folder,
    )

    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or "html" not in formats:
        raise ValueError(f"formats must include html, from {FORMATS}; got {list(formats)}")
    publish_root = Path(publish_root)
    notebooks = read_notebooks(executed)
    documents = [render_document(spec, notebooks, edition) for spec in DOCUMENTS]
    tables = _annex_tables(documents, notebooks)
    if identifiers is None:
        sources = list(child_data) if child_data is not None else None
        identifiers = collect_identifiers(
            sources or _child_data_from_parameters(notebooks), cache_dir=identifier_cache
        )
    scanner = Scanner(
        identifiers, allowed_dates={edition.publication_date, *_authored_dates(notebooks)}
    )

    final = publish_root / area_slug
    staging_root = publish_root / STAGING
    staging_root.mkdir(parents=True, exist_ok=True)
    _tidy(staging_root, final, area_slug)
    token = f"{os.getpid()}.{secrets.token_hex(4)}"
    staging = staging_root / f"{area_slug}.staging.{token}"
    retired = staging_root / f"{area_slug}.retired.{token}"
    staging.mkdir()
    notes: list[str] = []
    try:
        for document in documents:
            (staging / document.file_name).write_text(document.html, encoding="utf-8")
        if "pdf" in formats:
            printer = pdf.shared_printer(pdf_engine)
            if printer is None:
                notes.append(pdf.NO_ENGINE_MESSAGE)
                log.warning("%s: %s", area_slug, pdf.NO_ENGINE_MESSAGE)
            for document in documents if printer else ():
                target = staging / f"{document.spec.file_stem}.pdf"
                printer.print_pdf(document.html, target, title=document.title)
        if "docx" in formats:
            for document in documents:
                docx.html_to_docx(
                    document.html,
                    staging / f"{document.spec.file_stem}.docx",
                    title=document.title,
                    subtitle=edition.area_name,
                    published=edition.publication_date,
                    branding=edition.branding,
                )
        sheets: dict[str, TableDescription] = {}
        descriptions = [
            TableDescription(
                name=t.name,
                columns=tuple(t.frame.columns),
                count_columns=t.count_columns,
                label_columns=t.label_columns,
                threshold=t.threshold,
                round_to=t.round_to,
                notebook=t.notebook,
                csv_name=t.csv_name,
            )
            for t in tables
        ]
        if "annex" in formats:
            years = sorted({y for nb in notebooks for y in nb.parameters.get("years", [])})
            context = annex.AnnexContext(
                area_name=edition.area_name,
                consortium_name=edition.consortium_name,
                edition=edition.edition,
                version=edition.version,
                publication_date=edition.publication_date,
                years=years,
                documents=[d.title for d in documents],
            )
            annex.write_workbook(tables, staging / ANNEX_WORKBOOK, context)
            annex.write_csvs(tables, staging / ANNEX_FOLDER)
            names = annex.sheet_names(tables, edition.area_name)
            sheets = dict(zip(names, descriptions, strict=True))
        files = sorted(p for p in staging.rglob("*") if p.is_file())
        (staging / README).write_text(
            _readme(edition, documents, files, staging, notes), encoding="utf-8"
        )
        findings = scan_folder(staging, scanner, tables=descriptions, sheets=sheets)
        _record_scan(notebooks, area_slug, identifiers, staging, findings)
        if findings:
            raise LeakScanError(findings)
        # The documents, the workbook, the README and the annex's CSV folder (as one entry).
        published = sorted(p.relative_to(staging) for p in staging.iterdir())
        _swap_in(staging, final, retired)
    finally:
        for leftover in (staging, retired):
            if leftover.exists():
                shutil.rmtree(leftover, ignore_errors=True)
    return [final / p for p in published]


def _record_scan(notebooks, area_slug: str, identifiers, folder: Path, findings) -> None:
    """What the leak scan looked for and found, beside the area's executed notebooks
    (internal: it names input files, never an identifier)."""
    if not notebooks:
        return
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    lines = [
        f"Leak scan of the publication of {area_slug}",
        f"Looked for: {identifiers.summary()}, and counts from 1 to the threshold in tables.",
        f"Files scanned ({len(files)}):",
        *(f"  {f}" for f in files),
        f"Result: {len(findings)} problem(s)" + ("" if findings else ", published"),
        *(f"  {f.describe()}" for f in findings),
    ]
    record = notebooks[0].path.parent / SCAN_RECORD
    try:
        record.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError:
        log.warning("could not write %s", record)
