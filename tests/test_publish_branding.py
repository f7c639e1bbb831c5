"""Branding from the parameters: logo, colour and fonts, checked for accessible contrast."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from mps.config import ParameterError, load_consortium
from mps.export.branding import Branding, branding_from_settings, contrast_ratio
from mps.export.docx import brand_styles

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def parameters(root: Path, consortium: str, borough: str = "") -> Path:
    (root / "consortia").mkdir(parents=True)
    (root / "boroughs").mkdir()
    (root / "boroughs" / "northtown.yaml").write_text(
        "name: Northtown\nla_code: E06000099\n" + borough, encoding="utf-8"
    )
    (root / "boroughs" / "southtown.yaml").write_text(
        "name: Southtown\nla_code: E06000098\n", encoding="utf-8"
    )
    path = root / "consortia" / "pair.yaml"
    path.write_text(
        "slug: pair\nname: The Pair\ndata_dir: .\nboroughs: [northtown, southtown]\n" + consortium,
        encoding="utf-8",
    )
    return path


def test_contrast_ratio_follows_wcag() -> None:
    # Black on white is 21:1; white on white 1:1; #767676 is the lightest grey with 4.5:1.
    assert contrast_ratio("#000000") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)


def test_branding_merges_and_logos_are_relative_to_their_file(tmp_path: Path) -> None:
    (tmp_path / "consortia" / "logos").mkdir(parents=True)
    (tmp_path / "consortia" / "logos" / "pair.png").write_bytes(PNG)
    (tmp_path / "boroughs").mkdir()
    (tmp_path / "boroughs" / "north.png").write_bytes(PNG)
    path = tmp_path / "consortia" / "pair.yaml"
    (tmp_path / "boroughs" / "northtown.yaml").write_text(
        "name: Northtown\nla_code: E06000099\nbranding:\n  logo: north.png\n"
        "  logo_alt: Northtown Council\n",
        encoding="utf-8",
    )
    (tmp_path / "boroughs" / "southtown.yaml").write_text(
        "name: Southtown\nla_code: E06000098\n", encoding="utf-8"
    )
    path.write_text(
        "slug: pair\nname: The Pair\ndata_dir: .\nboroughs: [northtown, southtown]\n"
        "branding:\n  logo: logos/pair.png\n  colour: '#0B5E3A'\n  font: Verdana\n",
        encoding="utf-8",
    )
    consortium = load_consortium(path)
    areas = {a.slug: a for a in consortium.areas()}
    assert areas["pair"].branding.logo == tmp_path / "consortia" / "logos" / "pair.png"
    assert areas["pair"].branding.colour == "#0b5e3a"
    # Northtown's own logo, with the consortium's colour and font (merged key by key).
    north = areas["northtown"].branding
    assert north.logo == tmp_path / "boroughs" / "north.png"
    assert (north.colour, north.font, north.logo_alt) == ("#0b5e3a", "Verdana", "Northtown Council")
    assert areas["southtown"].branding == areas["pair"].branding
    branding = branding_from_settings(north)
    assert branding.logo_data_uri == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert branding.font_stack().startswith('"Verdana", "Arial"')


@pytest.mark.parametrize(
    ("branding", "message"),
    [
        ("  colour: '#ffbf47'\n", r"branding.colour.*contrast 1.6:1.*4.5:1"),
        ("  colour: blue\n", r"branding.colour.*#rrggbb"),
        ("  logo: missing.png\n", r"branding.logo.*not found"),
        ("  logo: logo.gif\n", r"branding.logo.*png, .jpg or .svg"),
        ("  font: 'Arial; color: red'\n", r"branding.font.*letters, digits"),
    ],
)
def test_bad_branding_names_the_file_and_key(tmp_path: Path, branding: str, message: str) -> None:
    path = parameters(tmp_path, "branding:\n" + branding)
    with pytest.raises(ParameterError, match=message) as raised:
        load_consortium(path)
    assert str(path) in str(raised.value)


def test_word_styles_take_the_brand_colour_and_fonts() -> None:
    styles = (
        '<w:docDefaults><w:rFonts w:ascii="Arial" w:hAnsi="Arial"/></w:docDefaults>'
        '<w:style w:styleId="Heading1"><w:rFonts w:ascii="Arial"/><w:color w:val="1D4F91"/>'
        '</w:style><w:style w:styleId="Normal"><w:rFonts w:ascii="Arial"/></w:style>'
    )
    branded = brand_styles(
        styles, Branding(colour="#0b5e3a", font="Verdana", heading_font="Georgia")
    )
    assert (
        '<w:style w:styleId="Heading1"><w:rFonts w:ascii="Georgia"/><w:color w:val="0B5E3A"/>'
        in branded
    )
    assert '<w:style w:styleId="Normal"><w:rFonts w:ascii="Verdana"/>' in branded
    assert '<w:docDefaults><w:rFonts w:ascii="Verdana" w:hAnsi="Verdana"/>' in branded
