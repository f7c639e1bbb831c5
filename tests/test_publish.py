"""Publishing: only what may be published reaches a document, and atomically."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from mps.leakscan import ChildIdentifiers, LeakScanError
from mps.publish import (
    DOCUMENTS,
    Edition,
    PublishError,
    number_and_index,
    publish_area,
    published_cells,
    render_document,
)
from mps.tables import TableRegistry, table_html

SECRET = "CHILD-ID-SENTINEL-98765"
IDENTIFIERS = ChildIdentifiers.of(ids=[SECRET])
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
CHILDREN = pd.DataFrame({"Year": ["2024", "2025"], "Children": [12, 14]})


def tagged(cell, *tags: str):
    cell.metadata["tags"] = list(tags)
    return cell


def protected_table(name: str = "children", caption: str = "Children") -> str:
    return table_html(CHILDREN, name=name, title=caption, label_columns=["Year"])


def save_table(folder: Path, name: str = "children", frame: pd.DataFrame = CHILDREN) -> None:
    """What report.table() saves for the annex, as the notebook would."""
    TableRegistry(folder).save(
        name, "Children", frame, count_columns=["Children"], label_columns=["Year"], threshold=5
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


def write_notebook(path: Path, notebook, tables: tuple[str, ...] = ("children",)) -> Path:
    """An executed notebook and its tables folder (``<folder>/tables/<stem>/``)."""
    nbformat.write(notebook, path)
    for name in tables:
        save_table(path.parent / "tables" / path.stem, name)
    return path


def publish(tmp_path: Path, executed: list[Path], **options) -> list[Path]:
    options.setdefault("identifiers", IDENTIFIERS)
    options.setdefault("formats", ("html",))
    return publish_area("northtown", executed, EDITION, tmp_path / "publish", **options)


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
        '<main id="main"><h2>First</h2>' + protected_table("a", "A") + "<h2>First</h2>"
        '<figure><figcaption><span class="mps-figure-number"></span>F</figcaption></figure>'
        + protected_table("b", "B")
        + "</main>"
    )
    result = number_and_index(html)
    assert "Table 1: </span>A" in result and "Table 2: </span>B" in result
    assert "Figure 1: </span>F" in result
    assert '<h2 id="first">' in result and '<h2 id="first-2">' in result
    assert result.index('<nav class="mps-contents"') < result.index('<main id="main">')
    assert '<a href="#first-2">First</a>' in result


def test_rendered_headings_lose_their_empty_anchors_and_nothing_after_them(
    tmp_path: Path,
) -> None:
    # nbconvert writes an empty heading anchor self-closed (<a ... />): removing it must not
    # swallow the text up to the next </a>.
    notebook = new_notebook(
        cells=[
            tagged(new_markdown_cell("## Where children live\n\nSee [the annex](#annex)."), "mps"),
            tagged(new_markdown_cell("## Spend"), "mps"),
        ]
    )
    executed = write_notebook(tmp_path / "nb.ipynb", notebook, tables=())
    html = render_document(DOCUMENTS[0], [executed], EDITION).html
    assert "anchor-link" not in html
    assert '<h2 id="where-children-live">Where children live</h2>' in html
    assert '<a href="#annex">the annex</a>' in html
    assert '<h2 id="spend">Spend</h2>' in html


def test_an_image_without_alt_text_gets_the_placeholder_not_silence(tmp_path: Path) -> None:
    image = tagged(new_code_cell("plot()"), "mps")
    image.outputs = [
        new_output(
            "display_data", data={"text/html": '<p><img src="data:image/png;base64,iVBOR"></p>'}
        )
    ]
    executed = write_notebook(tmp_path / "nb.ipynb", new_notebook(cells=[image]), tables=())
    html = render_document(DOCUMENTS[0], [executed], EDITION).html
    assert '<img alt="No description has been provided for this image" src=' in html


def test_publish_area_writes_both_documents_without_code(tmp_path: Path) -> None:
    executed = write_notebook(tmp_path / "needs_analysis.ipynb", executed_notebook())
    written = publish(tmp_path, [executed], formats=("html", "annex"))
    names = sorted(p.relative_to(tmp_path / "publish" / "northtown").as_posix() for p in written)
    assert names == [
        "README.txt",
        "data-annex",
        "data-annex.xlsx",
        "market-position-statement.html",
        "sufficiency-plan.html",
    ]
    mps_doc = (tmp_path / "publish" / "northtown" / "market-position-statement.html").read_text()
    plan_doc = (tmp_path / "publish" / "northtown" / "sufficiency-plan.html").read_text()
    for document in (mps_doc, plan_doc):
        assert SECRET not in document
        assert "<script" not in document  # no CDN scripts, nothing runs
        assert "Northtown" in document and "23 November 2026" in document
        assert "Table 1: " in document
    assert "Only in the plan" in plan_doc and "Only in the plan" not in mps_doc
    assert "Market Position Statement" in mps_doc and "Sufficiency plan" in plan_doc
    # Nothing but the publication: no staging folder left behind.
    assert sorted(p.name for p in (tmp_path / "publish" / ".staging").iterdir()) == []


def test_failed_publication_leaves_previous_documents(tmp_path: Path) -> None:
    good = write_notebook(tmp_path / "good.ipynb", executed_notebook())
    publish(tmp_path, [good])
    before = (tmp_path / "publish" / "northtown" / "market-position-statement.html").read_text()

    failing = tagged(new_code_cell("1/0"), "mps")
    failing.outputs = [new_output("error", ename="ZeroDivisionError", evalue="x", traceback=[])]
    bad = write_notebook(tmp_path / "bad.ipynb", executed_notebook(failing))
    with pytest.raises(PublishError):
        publish(tmp_path, [bad])
    after = (tmp_path / "publish" / "northtown" / "market-position-statement.html").read_text()
    assert after == before
    assert sorted(p.name for p in (tmp_path / "publish").iterdir()) == [".staging", "northtown"]


def test_an_identifier_in_a_published_cell_fails_the_scan_and_keeps_the_last_publication(
    tmp_path: Path,
) -> None:
    good = write_notebook(tmp_path / "good.ipynb", executed_notebook())
    publish(tmp_path, [good])
    folder = tmp_path / "publish" / "northtown"
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}

    # report.say() with a child's id: Markdown output, so it would be published.
    leaking = tagged(new_code_cell("report.say(...)"), "mps")
    leaking.outputs = [
        new_output("display_data", data={"text/markdown": f"The child is {SECRET.lower()}."})
    ]
    bad = write_notebook(tmp_path / "bad.ipynb", executed_notebook(leaking))
    with pytest.raises(LeakScanError) as raised:
        publish(tmp_path, [bad])
    message = str(raised.value)
    assert "market-position-statement.html" in message and "a child identifier" in message
    assert SECRET not in message  # the message does not repeat it either
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before


def test_a_small_count_in_a_published_table_fails_the_scan(tmp_path: Path) -> None:
    executed = write_notebook(tmp_path / "nb.ipynb", executed_notebook())
    # As if disclosure control had been bypassed: the saved table holds a 3.
    save_table(tmp_path / "tables" / "nb", "children", CHILDREN.assign(Children=[12, 3]))
    with pytest.raises(LeakScanError, match=r"data-annex/children.csv.*'Children'.*count from 1"):
        publish(tmp_path, [executed], formats=("html", "annex"))
    assert not (tmp_path / "publish" / "northtown").exists()


def test_a_table_without_its_annex_files_stops_publication(tmp_path: Path) -> None:
    executed = write_notebook(tmp_path / "nb.ipynb", executed_notebook(), tables=())
    with pytest.raises(ValueError, match="table 'children' is in the document but"):
        publish(tmp_path, [executed])


def test_child_level_inputs_must_be_known(tmp_path: Path) -> None:
    executed = write_notebook(tmp_path / "nb.ipynb", executed_notebook())
    with pytest.raises(PublishError, match="cannot tell which child-level inputs"):
        publish(tmp_path, [executed], identifiers=None)


def test_the_same_table_name_in_two_notebooks_gets_two_ids(tmp_path: Path) -> None:
    first = write_notebook(tmp_path / "first.ipynb", executed_notebook())
    second = write_notebook(tmp_path / "second.ipynb", executed_notebook())
    document = render_document(DOCUMENTS[0], [first, second], EDITION)
    assert document.tables == [("first", "children"), ("second", "children")]
    assert document.html.count('id="table-children"') == 1
    assert document.html.count('id="table-second-children"') == 1
    written = publish(tmp_path, [first, second], formats=("html", "annex"))
    assert tmp_path / "publish" / "northtown" / "data-annex" in written
    csvs = sorted(p.name for p in (tmp_path / "publish" / "northtown" / "data-annex").iterdir())
    assert csvs == ["first-children.csv", "second-children.csv"]


def test_an_export_failing_midway_leaves_the_last_publication(tmp_path: Path, monkeypatch) -> None:
    from mps.export import docx

    good = write_notebook(tmp_path / "good.ipynb", executed_notebook())
    publish(tmp_path, [good], formats=("html", "annex"))
    folder = tmp_path / "publish" / "northtown"
    before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    def half_written(document, target, **options):
        target.write_bytes(b"PK\x03\x04 half a Word file")
        raise docx.DocxError("pandoc was killed")

    monkeypatch.setattr(docx, "html_to_docx", half_written)
    with pytest.raises(docx.DocxError, match="pandoc was killed"):
        publish(tmp_path, [good], formats=("html", "docx", "annex"))
    after = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before  # no .docx, nothing changed
    assert not list((tmp_path / "publish" / ".staging").iterdir())  # and nothing left over
