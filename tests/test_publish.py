"""Publishing: only what may be published reaches a document, and atomically."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from mps.publish import Edition, PublishError, number_and_index, publish_area, published_cells
from mps.tables import PROTECTED_MARKER

SECRET = "CHILD-ID-SENTINEL-98765"
EDITION = Edition(
    area_name="Northtown",
    area_kind="borough",
    consortium_name="The Pair",
    member_names=["Northtown"],
    edition="2026",
    publication_date=date(2026, 11, 23),
    version="1.0",
    reporting_year=2025,
)


def tagged(cell, *tags: str):
    cell.metadata["tags"] = list(tags)
    return cell


def protected_table(caption: str = "Children") -> str:
    return (
        f'<table class="mps-table" {PROTECTED_MARKER}><caption>'
        f'<span class="mps-table-number"></span>{caption}</caption>'
        "<tr><td>12</td></tr></table>"
    )


def executed_notebook(*extra_cells) -> nbformat.NotebookNode:
    code = tagged(new_code_cell(f"child = '{SECRET}'\nreport.table(...)"), "mps", "plan")
    code.outputs = [
        new_output("stream", name="stderr", text=f"warning: /secure/{SECRET}.csv\n"),
        new_output("stream", name="stdout", text=f"{SECRET}\n"),
        new_output("display_data", data={"text/html": protected_table(), "text/plain": "<HTML>"}),
    ]
    internal = new_code_cell(f"print('{SECRET}')")
    internal.outputs = [new_output("stream", name="stdout", text=SECRET)]
    return new_notebook(
        cells=[
            tagged(new_markdown_cell("## Children looked after\n\nSome text."), "mps", "plan"),
            code,
            internal,
            tagged(new_markdown_cell("## Only in the plan"), "plan"),
            *extra_cells,
        ]
    )


def write_notebook(path: Path, notebook) -> Path:
    nbformat.write(notebook, path)
    return path


def test_published_cells_keep_tagged_cells_and_drop_streams() -> None:
    cells = published_cells(executed_notebook(), "mps", "nb")
    assert [c.cell_type for c in cells] == ["markdown", "code"]
    assert cells[1].source == ""  # code never travels
    assert [o.output_type for o in cells[1].outputs] == ["display_data"]
    assert list(cells[1].outputs[0].data) == ["text/html"]


def test_error_output_stops_publication() -> None:
    failing = tagged(new_code_cell("1/0"), "mps")
    failing.outputs = [new_output("error", ename="ZeroDivisionError", evalue="x", traceback=[])]
    with pytest.raises(PublishError, match="nb, cell 5: the cell failed"):
        published_cells(executed_notebook(failing), "mps", "nb")


def test_unprotected_table_stops_publication() -> None:
    raw = tagged(new_code_cell("df"), "plan")
    raw.outputs = [
        new_output(
            "execute_result",
            data={"text/html": "<table><tr><td>3</td></tr></table>"},
            execution_count=1,
        )
    ]
    with pytest.raises(PublishError, match="did not pass disclosure control"):
        published_cells(executed_notebook(raw), "plan", "nb")


def test_bare_image_stops_publication() -> None:
    image = tagged(new_code_cell("plt.show()"), "mps")
    image.outputs = [
        new_output("display_data", data={"image/png": "iVBOR", "text/plain": "<Figure>"})
    ]
    with pytest.raises(PublishError, match="image/png"):
        published_cells(executed_notebook(image), "mps", "nb")


def test_numbering_and_contents() -> None:
    html = (
        '<main id="main"><h2>First</h2>' + protected_table("A") + "<h2>First</h2>"
        '<figure><figcaption><span class="mps-figure-number"></span>F</figcaption></figure>'
        + protected_table("B")
        + "</main>"
    )
    result = number_and_index(html)
    assert "Table 1: </span>A" in result and "Table 2: </span>B" in result
    assert "Figure 1: </span>F" in result
    assert '<h2 id="first">' in result and '<h2 id="first-2">' in result
    assert result.index('<nav class="mps-contents"') < result.index('<main id="main">')
    assert '<a href="#first-2">First</a>' in result


def test_publish_area_writes_both_documents_without_code(tmp_path: Path) -> None:
    executed = write_notebook(tmp_path / "needs_analysis.ipynb", executed_notebook())
    written = publish_area("northtown", [executed], EDITION, tmp_path / "publish")
    names = sorted(p.name for p in written)
    assert names == ["market-position-statement.html", "sufficiency-plan.html"]
    mps_doc = (tmp_path / "publish" / "northtown" / "market-position-statement.html").read_text()
    plan_doc = (tmp_path / "publish" / "northtown" / "sufficiency-plan.html").read_text()
    for document in (mps_doc, plan_doc):
        assert SECRET not in document
        assert "<script" not in document  # no CDN scripts, nothing runs
        assert "Northtown" in document and "23 November 2026" in document
        assert "Table 1: " in document
    assert "Only in the plan" in plan_doc and "Only in the plan" not in mps_doc
    assert "Market Position Statement" in mps_doc and "Sufficiency plan" in plan_doc


def test_failed_publication_leaves_previous_documents(tmp_path: Path) -> None:
    good = write_notebook(tmp_path / "good.ipynb", executed_notebook())
    publish_area("northtown", [good], EDITION, tmp_path / "publish")
    before = (tmp_path / "publish" / "northtown" / "market-position-statement.html").read_text()

    failing = tagged(new_code_cell("1/0"), "mps")
    failing.outputs = [new_output("error", ename="ZeroDivisionError", evalue="x", traceback=[])]
    bad = write_notebook(tmp_path / "bad.ipynb", executed_notebook(failing))
    with pytest.raises(PublishError):
        publish_area("northtown", [bad], EDITION, tmp_path / "publish")
    after = (tmp_path / "publish" / "northtown" / "market-position-statement.html").read_text()
    assert after == before
    assert sorted(p.name for p in (tmp_path / "publish").iterdir()) == ["northtown"]
