"""PDF, Word and the annex of a small publication, opened and read back as a reader would."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import docx
import matplotlib.pyplot as plt
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from pypdf import PdfReader
from test_publish import CHILDREN, EDITION, protected_table, tagged, write_notebook

from mps import charts
from mps.export import pdf
from mps.export.branding import Branding
from mps.leakscan import ChildIdentifiers
from mps.publish import publish_area

LOGO = (  # a 1x1 PNG
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def chart_html() -> str:
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.plot([2024, 2025], CHILDREN["Children"])
    ax.set_title("Children looked after")
    return charts.figure_html(
        fig,
        name="children-trend",
        title="Children looked after at 31 March",
        alt="Children looked after rose from 12 to 14.",
        table="children",
    )


def notebook_with_chart():
    table = tagged(new_code_cell("report.table(...)"), "mps", "plan")
    table.outputs = [new_output("display_data", data={"text/html": protected_table()})]
    chart = tagged(new_code_cell("report.chart(...)"), "mps", "plan")
    chart.outputs = [new_output("display_data", data={"text/html": chart_html()})]
    return new_notebook(
        cells=[
            tagged(new_markdown_cell("## Children looked after\n\nHow many."), "mps", "plan"),
            table,
            chart,
            tagged(new_markdown_cell("### Where they live\n\nText."), "mps", "plan"),
        ]
    )


def engine() -> str:
    """Chromium where installed (CI installs it), else WeasyPrint (a test dependency)."""
    found = pdf.available_engines()
    if "chromium" not in found and os.environ.get("CI"):
        pytest.fail("CI must have Chromium: .ci/run installs it")
    return found[0] if found else pytest.skip("no PDF engine")


@pytest.fixture(scope="module")
def publication(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("formats")
    executed = write_notebook(root / "needs.ipynb", notebook_with_chart())
    edition = EDITION.__class__(
        **{**EDITION.__dict__, "branding": Branding(colour="#0b5e3a", logo_data_uri=LOGO)}
    )
    publish_area(
        "northtown",
        [executed],
        edition,
        root / "publish",
        identifiers=ChildIdentifiers.of(ids=["CHILD-ID-SENTINEL-98765"]),
        pdf_engine=engine(),
    )
    return root / "publish" / "northtown"


def test_every_format_is_published(publication: Path) -> None:
    names = sorted(p.relative_to(publication).as_posix() for p in publication.rglob("*"))
    assert names == [
        "README.txt",
        "data-annex",
        "data-annex.xlsx",
        "data-annex/children.csv",
        "market-position-statement.docx",
        "market-position-statement.html",
        "market-position-statement.pdf",
        "sufficiency-plan.docx",
        "sufficiency-plan.html",
        "sufficiency-plan.pdf",
    ]
    readme = (publication / "README.txt").read_text()
    assert "Market Position Statement: market-position-statement.html" in readme
    assert "PDF not produced" not in readme


def test_html_is_self_contained_and_branded(publication: Path) -> None:
    html = (publication / "market-position-statement.html").read_text()
    assert '<html lang="en-GB">' in html
    assert "--mps-accent: #0b5e3a" in html
    assert f'src="{LOGO}"' in html and 'alt="Logo of The Pair"' in html
    assert 'alt="Children looked after rose from 12 to 14."' in html
    assert 'href="#table-children"' in html and 'id="table-children"' in html
    assert "Figure 1: " in html and "Table 1: " in html
    assert "http://" not in html and "https://" not in html  # nothing to fetch


def test_pdf_is_a4_tagged_with_the_text(publication: Path) -> None:
    reader = PdfReader(publication / "market-position-statement.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in ("Market Position Statement", "Northtown", "Table 1: Children", "Page 1 of"):
        assert expected in text
    assert "23 November 2026" in text and "Where they live" in text
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]  # a tagged PDF


def test_word_has_real_headings_tables_and_alt_text(publication: Path) -> None:
    document = docx.Document(str(publication / "market-position-statement.docx"))
    styled = [(p.style.name, p.text) for p in document.paragraphs if p.text.strip()]
    assert ("Title", "Market Position Statement") in styled
    assert ("Subtitle", "Northtown") in styled
    assert ("Heading 1", "Children looked after") in styled
    assert ("Heading 2", "Where they live") in styled
    assert not any("Skip to the content" in text for _, text in styled)
    tables = [t for t in document.tables if t.rows[0].cells[0].text == "Year"]
    assert len(tables) == 1
    table = tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Year", "Children"]
    assert [c.text for c in table.rows[2].cells] == ["2025", "14"]
    # Column widths from the HTML's <colgroup>: the label column is the wider.
    widths = [column.width for column in table.columns]
    assert widths[0] and widths[1] and widths[0] > widths[1]
    with zipfile.ZipFile(publication / "market-position-statement.docx") as archive:
        body = archive.read("word/document.xml").decode()
        styles = archive.read("word/styles.xml").decode()
        pictures = [n for n in archive.namelist() if n.startswith("word/media/")]
    assert len(pictures) == 2  # the chart and the logo, as pictures in the document
    assert 'descr="Children looked after rose from 12 to 14."' in body
    assert "picture-1" not in body  # the temporary file names pandoc read them from
    assert 'w:color w:val="0B5E3A"' in styles  # the brand colour in the heading styles
    assert "data:image" not in body


def test_without_a_pdf_engine_the_rest_is_published_and_the_readme_says_so(
    tmp_path: Path,
) -> None:
    executed = write_notebook(tmp_path / "needs.ipynb", notebook_with_chart())
    written = publish_area(
        "northtown",
        [executed],
        EDITION,
        tmp_path / "publish",
        identifiers=ChildIdentifiers(),
        formats=("html", "pdf", "annex"),
        pdf_engine="none",
    )
    assert not [p for p in written if p.suffix == ".pdf"]
    readme = (tmp_path / "publish" / "northtown" / "README.txt").read_text()
    assert "PDF not produced: no PDF engine is installed" in readme
    assert "apt-get install chromium" in readme and "pip install weasyprint" in readme


def test_asking_for_a_missing_engine_names_what_to_install(monkeypatch) -> None:
    monkeypatch.setattr(pdf, "available_engines", lambda: [])
    with pytest.raises(pdf.PdfEngineError, match=r"apt-get install chromium"):
        pdf.make_printer("chromium")
    assert pdf.make_printer("auto") is None


def test_weasyprint_prints_the_same_document(tmp_path: Path) -> None:
    if "weasyprint" not in pdf.available_engines():
        pytest.skip("WeasyPrint is not installed")
    source = publication_html(tmp_path)
    target = tmp_path / "out.pdf"
    pdf.WeasyPrinter().print_pdf(source, target, title="test")
    text = "\n".join(p.extract_text() for p in PdfReader(target).pages)
    assert "Table 1: Children" in text and "Page 1 of" in text


def publication_html(tmp_path: Path) -> str:
    executed = write_notebook(tmp_path / "needs.ipynb", notebook_with_chart())
    publish_area(
        "northtown",
        [executed],
        EDITION,
        tmp_path / "publish",
        identifiers=ChildIdentifiers(),
        formats=("html",),
    )
    return (tmp_path / "publish" / "northtown" / "market-position-statement.html").read_text()
