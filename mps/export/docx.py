"""Word (DOCX) from the published HTML, by pandoc (from the ``pypandoc_binary`` wheel).

Pandoc converts the *HTML document*, never the notebook (a notebook carries its code and
every output). Commissioners edit the Word version, so the result uses Word's own
structure: the sections are Heading 1 (HTML ``h2``) and Heading 2, tables are Word tables
with a repeated header row and the HTML's ``<colgroup>`` widths, charts are pictures with
their alt text, and the styles come from ``mps/templates/reference.docx`` with the area's
brand colour and fonts put in (:func:`branded_reference`).
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import tempfile
import zipfile
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path

from mps.export.branding import DEFAULT_COLOUR, DEFAULT_FONT, Branding

REFERENCE_DOCX = Path(__file__).resolve().parent.parent / "templates" / "reference.docx"
#: Styles that take the heading font (the rest take the body font).
HEADING_STYLES = re.compile(r"^(Title|Subtitle|Heading\d|TOCHeading)(Char)?$")
PANDOC_TIMEOUT = 120


class DocxError(RuntimeError):
    """pandoc is missing or failed."""


def pandoc_path() -> str:
    """The pandoc executable shipped in the ``pypandoc_binary`` wheel."""
    try:
        import pypandoc
    except ImportError as error:
        raise DocxError(
            "Word documents need pandoc: install the pypandoc_binary package "
            "(pip install pypandoc_binary)"
        ) from error
    try:
        return pypandoc.get_pandoc_path()
    except OSError as error:
        raise DocxError(f"pandoc not found ({error}); reinstall pypandoc_binary") from error


def _font_attributes(block: str, font: str) -> str:
    return re.sub(r'w:(ascii|hAnsi|cs|eastAsia)="[^"]*"', lambda m: f'w:{m[1]}="{font}"', block)


def brand_styles(styles_xml: str, branding: Branding) -> str:
    """The reference document's ``word/styles.xml`` in ``branding``'s colour and fonts."""
    colour = branding.colour.lstrip("#").upper()
    styles_xml = styles_xml.replace(
        f'w:val="{DEFAULT_COLOUR.lstrip("#").upper()}"', f'w:val="{colour}"'
    )
    body, heading = branding.font, branding.heading_font or branding.font
    if body == heading == DEFAULT_FONT:
        return styles_xml

    def style(match: re.Match) -> str:
        font = heading if HEADING_STYLES.match(match["id"]) else body
        return _font_attributes(match[0], font)

    styles_xml = re.sub(
        r'<w:style\b[^>]*w:styleId="(?P<id>[^"]+)".*?</w:style>', style, styles_xml, flags=re.S
    )
    return re.sub(
        r"<w:docDefaults>.*?</w:docDefaults>",
        lambda m: _font_attributes(m[0], body),
        styles_xml,
        flags=re.S,
    )


@cache
def branded_reference(branding: Branding) -> Path:
    """A copy of the reference document in the brand's colour and fonts (made once per
    process and branding)."""
    if (
        branding.colour.lower() == DEFAULT_COLOUR
        and branding.font == DEFAULT_FONT
        and (branding.heading_font in (None, DEFAULT_FONT))
    ):
        return REFERENCE_DOCX
    handle, name = tempfile.mkstemp(prefix="mps-reference-", suffix=".docx")
    os.close(handle)
    target = Path(name)
    with zipfile.ZipFile(REFERENCE_DOCX) as source, zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/styles.xml":
                data = brand_styles(data.decode("utf-8"), branding).encode("utf-8")
            out.writestr(item, data)
    return target


def _for_word(document: str) -> str:
    """The HTML document without what only a browser needs: the stylesheet, the skip
    link and the cover heading (Word's title and subtitle replace it)."""
    document = re.sub(r"<style\b.*?</style>", "", document, flags=re.S | re.I)
    document = re.sub(r'<a class="skip-link"[^>]*>.*?</a>', "", document, flags=re.S)
    document = re.sub(
        r'(<header class="mps-cover"[^>]*>.*?)<h1\b.*?</h1>', r"\1", document, count=1, flags=re.S
    )
    # pandoc reads only the <main> element when there is one, and leaves out <header> and
    # <nav>: as plain blocks the cover details, the contents list and the footer reach Word.
    document = re.sub(r"<(/?)(header|nav|main|footer)\b", r"<\1div", document)
    # Numbers right-aligned in Word too (the browser has the stylesheet for that).
    return document.replace('<td class="num">', '<td class="num" style="text-align: right">')


def html_to_docx(
    document: str,
    target: Path,
    *,
    title: str,
    subtitle: str,
    published: date,
    branding: Branding | None = None,
) -> Path:
    """Convert one published HTML document to ``target`` (.docx).

    The file's dates are the publication date (``SOURCE_DATE_EPOCH``), so the same
    document converts to the same bytes.
    """
    reference = branded_reference(branding or Branding())
    stamp = datetime.combine(published, time(12), tzinfo=UTC).timestamp()
    command = [
        pandoc_path(),
        "--from=html",
        "--to=docx",
        f"--reference-doc={Path(reference).resolve()}",
        "--shift-heading-level-by=-1",  # sections (h2) become Word's Heading 1
        f"--metadata=title:{title}",
        f"--metadata=subtitle:{subtitle}",
        f"--metadata=date:{published.strftime('%d %B %Y').lstrip('0')}",
        "--metadata=lang:en-GB",
        f"--output={Path(target).resolve()}",
    ]
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(stamp))}
    try:
        with tempfile.TemporaryDirectory(prefix="mps-docx-") as pictures:
            # pandoc reads a picture from a file three times faster than from a data: URI
            source = _pictures_to_files(_for_word(document), Path(pictures))
            subprocess.run(
                command,
                input=source.encode("utf-8"),
                capture_output=True,
                check=True,
                timeout=PANDOC_TIMEOUT,
                env=env,
                cwd=pictures,
            )
    except subprocess.CalledProcessError as error:
        detail = error.stderr.decode("utf-8", "replace").strip()[:500]
        raise DocxError(f"pandoc could not convert {title!r}: {detail}") from error
    except subprocess.TimeoutExpired as error:
        raise DocxError(f"pandoc took over {PANDOC_TIMEOUT} s on {title!r}") from error
    _drop_image_sources(target)
    return target


_DATA_URI = re.compile(
    r'(?<=src=")data:image/(png|jpeg|gif|svg\+xml);base64,([A-Za-z0-9+/=\s]+)(?=")'
)
_EXTENSIONS = {"png": "png", "jpeg": "jpg", "gif": "gif", "svg+xml": "svg"}


def _pictures_to_files(document: str, folder: Path) -> str:
    """The document with each embedded (``data:``) picture written to a file in ``folder``
    and named by its file name (pandoc is run in ``folder``)."""
    count = 0

    def write(match: re.Match) -> str:
        nonlocal count
        count += 1
        name = f"picture-{count}.{_EXTENSIONS[match[1]]}"
        (folder / name).write_bytes(base64.b64decode(match[2]))
        return name

    return _DATA_URI.sub(write, document)


_SOURCE_DESCRIPTION = re.compile(r'(<pic:cNvPr\b[^>]*?) descr="[^"]*"')


def _drop_image_sources(path: Path) -> None:
    """pandoc copies each picture's source (a file name or ``data:`` URI) into a second
    description; the alt text (``wp:docPr descr``) is the one Word shows, so the copy is
    dropped."""
    with zipfile.ZipFile(path) as source:
        members = [(item, source.read(item)) for item in source.infolist()]
    partial = path.with_name(f".{path.name}.partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as out:
        for item, data in members:
            if item.filename == "word/document.xml":
                data = _SOURCE_DESCRIPTION.sub(r"\1", data.decode("utf-8")).encode("utf-8")
            out.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
    partial.replace(path)
