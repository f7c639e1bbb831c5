"""A consortium's (or borough's) look in its documents: logo, colours and fonts.

:class:`Branding` is what the publishing step needs, with the logo already read into a
``data:`` URI so every document stays one self-contained file (and so a changed logo
changes the publication's build key). Colours must keep WCAG 2.2 AA contrast: text in the
brand colour needs 4.5:1 against the white page, which :func:`contrast_ratio` checks.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

#: The default brand colour: a dark blue with 8.6:1 contrast on white.
DEFAULT_COLOUR = "#1d4f91"
DEFAULT_FONT = "Arial"
#: WCAG 2.2 AA minimum contrast for normal-size text (success criterion 1.4.3).
MIN_TEXT_CONTRAST = 4.5
#: Fonts the documents fall back to, in order (Liberation Sans and DejaVu Sans are on
#: Debian, so the PDF looks the same on a build machine without Arial).
FALLBACK_FONTS = ("Arial", "Liberation Sans", "DejaVu Sans", "sans-serif")

LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}
#: Larger logos bloat every document; a logo is a small image.
MAX_LOGO_BYTES = 1_000_000

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
FONT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{0,60}$")


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#rrggbb`` colour (0 black ... 1 white)."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(foreground: str, background: str = "#ffffff") -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def logo_data_uri(path: Path) -> str:
    """The logo file as a ``data:`` URI (PNG, JPEG or SVG)."""
    kind = LOGO_TYPES.get(path.suffix.lower())
    if kind is None:
        raise ValueError(f"{path}: a logo must be PNG, JPEG or SVG")
    data = path.read_bytes()
    if len(data) > MAX_LOGO_BYTES:
        raise ValueError(f"{path}: {len(data):,} bytes; a logo must be under {MAX_LOGO_BYTES:,}")
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


@dataclass(frozen=True)
class Branding:
    """How the documents look. ``colour`` is used for headings, rules and links."""

    colour: str = DEFAULT_COLOUR
    font: str = DEFAULT_FONT
    heading_font: str | None = None
    logo_data_uri: str | None = None
    logo_alt: str = ""

    def font_stack(self, heading: bool = False) -> str:
        """A CSS ``font-family`` value: the brand font, then the fallbacks."""
        first = (self.heading_font or self.font) if heading else self.font
        names = [first, *(f for f in FALLBACK_FONTS if f != first)]
        return ", ".join(n if n == "sans-serif" else f'"{n}"' for n in names)

    def css(self) -> str:
        """CSS custom properties the stylesheet reads (``mps.css``)."""
        return (
            f":root {{ --mps-accent: {self.colour}; --mps-font: {self.font_stack()}; "
            f"--mps-heading-font: {self.font_stack(heading=True)}; }}"
        )


def branding_from_settings(settings: object | None) -> Branding:
    """:class:`Branding` from the parameters' ``branding`` section
    (:class:`mps.config.BrandingSettings`), reading the logo file."""
    if settings is None:
        return Branding()
    logo = getattr(settings, "logo", None)
    return Branding(
        colour=settings.colour,
        font=settings.font,
        heading_font=settings.heading_font,
        logo_data_uri=logo_data_uri(Path(logo)) if logo else None,
        logo_alt=settings.logo_alt or "",
    )
