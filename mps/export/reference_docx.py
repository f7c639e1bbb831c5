"""Make ``mps/templates/reference.docx``: the Word styles every DOCX document uses.

Run ``python -m mps.export.reference_docx`` (needs python-docx, in the ``test`` extra) after
changing a style here; the result is committed, so a build never needs python-docx. It starts
from pandoc's own reference document (so every style pandoc writes exists) and sets:

- A4 pages with the HTML's margins, and a footer with the page number;
- real Word heading styles (Heading 1-3) in the brand colour, plain fonts (no theme fonts,
  so the branding step can name the council's font), body text 11 pt;
- tables with a header row rule and light row rules, captions above tables.

The brand colour (:data:`mps.export.branding.DEFAULT_COLOUR`) and font
(:data:`~mps.export.branding.DEFAULT_FONT`) are written literally: :mod:`mps.export.docx`
swaps them for a consortium's own when it converts a document.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from mps.export.branding import DEFAULT_COLOUR, DEFAULT_FONT

TARGET = Path(__file__).resolve().parent.parent / "templates" / "reference.docx"
TEXT_COLOUR = "1B1B1B"
MUTED_COLOUR = "4A4A4A"
RULE_COLOUR = "B1B4B6"

#: style name -> (size in points, bold, brand colour?)
HEADINGS = {
    "Title": (26, True, True),
    "Subtitle": (16, False, False),
    "Heading 1": (18, True, True),
    "Heading 2": (14, True, True),
    "Heading 3": (12, True, True),
    "Heading 4": (11, True, False),
    "TOC Heading": (18, True, True),
}


def _plain_fonts(rpr, font: str) -> None:
    """Name the font outright (theme fonts would override the council's font)."""
    from docx.oxml.ns import qn

    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        if attribute.lower().endswith("theme"):
            del fonts.attrib[attribute]
    for kind in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{kind}"), font)


def _table_borders(style) -> None:
    """Header rule and light row rules for pandoc's "Table" style."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    element = style.element
    for old in element.findall("{*}tblPr"):
        element.remove(old)
    element.append(
        parse_xml(
            f"<w:tblPr {nsdecls('w')}><w:tblBorders>"
            f'<w:top w:val="single" w:sz="8" w:color="{TEXT_COLOUR}"/>'
            f'<w:bottom w:val="single" w:sz="8" w:color="{TEXT_COLOUR}"/>'
            f'<w:insideH w:val="single" w:sz="4" w:color="{RULE_COLOUR}"/>'
            "</w:tblBorders>"
            '<w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/>'
            "</w:tblCellMar></w:tblPr>"
        )
    )


def _page_number_footer(section) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = 1  # centred
    paragraph.add_run("Page ")
    for xml in (
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r {nsdecls('w')}><w:t>1</w:t></w:r>",
        f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(parse_xml(xml))


def build_reference_docx(target: Path = TARGET) -> Path:
    """Write the reference document to ``target`` from pandoc's default one."""
    import docx
    import pypandoc
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Mm, Pt, RGBColor

    with tempfile.TemporaryDirectory() as folder:
        default = Path(folder) / "default.docx"
        subprocess.run(
            [pypandoc.get_pandoc_path(), "-o", str(default), "--print-default-data-file",
             "reference.docx"],
            check=True,
        )  # fmt: skip
        document = docx.Document(str(default))

    brand = RGBColor.from_string(DEFAULT_COLOUR.lstrip("#").upper())
    defaults = document.styles.element.find("{*}docDefaults")
    _plain_fonts(defaults.find("{*}rPrDefault").find("{*}rPr"), DEFAULT_FONT)
    for style in document.styles:
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER):
            _plain_fonts(style.element.get_or_add_rPr(), DEFAULT_FONT)
    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    normal.font.color.rgb = RGBColor.from_string(TEXT_COLOUR)
    for name, (size, bold, branded) in HEADINGS.items():
        style = document.styles[name]
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.color.rgb = brand if branded else RGBColor.from_string(MUTED_COLOUR)
        if name.startswith("Heading"):
            style.paragraph_format.space_before = Pt(18 if name == "Heading 1" else 12)
            style.paragraph_format.space_after = Pt(6)
            style.paragraph_format.keep_with_next = True
    for name in ("Heading 1 Char", "Heading 2 Char", "Heading 3 Char", "Title Char"):
        document.styles[name].font.color.rgb = brand
    document.styles["Hyperlink"].font.color.rgb = brand
    for name in ("Table Caption", "Image Caption"):
        style = document.styles[name]
        style.font.bold = name == "Table Caption"
        style.font.italic = False
        style.font.size = Pt(10)
        style.font.color.rgb = RGBColor.from_string(TEXT_COLOUR)
        style.paragraph_format.keep_with_next = name == "Table Caption"
    for name in ("Compact", "Definition", "Definition Term"):
        document.styles[name].font.size = Pt(10)
    _table_borders(document.styles["Table"])

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(18), Mm(20)
    section.left_margin = section.right_margin = Mm(16)
    _page_number_footer(section)
    # Fixed document properties: the file depends only on this code.
    properties = document.core_properties
    properties.author = properties.last_modified_by = "mps"
    properties.title = "mps reference styles"
    properties.revision = 1
    target.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(target))
    return target


if __name__ == "__main__":
    print(build_reference_docx(Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET))
