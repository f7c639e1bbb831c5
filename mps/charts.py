"""One chart style for every document: accessible colours, readable type, alt text.

Charts are drawn from *published* tables (after disclosure control), never from
child-level data, so a chart cannot show what its table suppresses: a suppressed
value (``c``) is simply not drawn. Each chart is embedded as a ``<figure>`` with alt
text stating its message and a link to the table that holds its numbers.
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
import weakref
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no screen on the build machines

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

#: Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#999999",
)
FIGURE_SIZE = (8.0, 4.2)
DPI = 110
#: Characters of a chart title per line.
TITLE_WIDTH = 70


def apply_theme() -> None:
    """Set the seaborn theme every chart uses."""
    sns.set_theme(
        style="whitegrid",
        palette=list(PALETTE),
        rc={
            "font.family": "DejaVu Sans",
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "mps",
            # made at the resolution they are saved at: the layout pass and the drawing
            # then share one renderer and its text measurements
            "figure.dpi": DPI,
        },
    )


#: Figures :func:`_lay_out` has fitted (weakly held: closed figures drop out).
_LAID_OUT: weakref.WeakSet = weakref.WeakSet()


def _wrap_titles(fig: plt.Figure) -> bool:
    """Wrap axes titles too long for the picture; whether any was."""
    wrapped = False
    for ax in fig.axes:
        title_text = ax.get_title()
        if len(title_text) > TITLE_WIDTH and "\n" not in title_text:
            ax.set_title(textwrap.fill(title_text, TITLE_WIDTH))
            wrapped = True
    return wrapped


def _lay_out(fig: plt.Figure, rect: tuple[float, float, float, float] | None = None) -> None:
    """Fit everything drawn (titles wrapped first, tick labels, legends outside the axes)
    inside the figure: one layout pass, so the picture is drawn once when saved."""
    _wrap_titles(fig)
    fig.tight_layout(rect=rect)
    # No layout engine left behind: saving would otherwise make a layout pass of its own.
    fig.set_layout_engine(None)
    _LAID_OUT.add(fig)


def numeric(values: pd.Series) -> pd.Series:
    """Published values as numbers: suppression symbols and blanks become NaN (not drawn)."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64")  # nothing suppressed in this column
    return pd.to_numeric(values.astype("object").where(values.notna(), None), errors="coerce")


def line_chart(
    table: pd.DataFrame, *, x: str, y: str | Sequence[str], title: str, y_label: str
) -> plt.Figure:
    """A line chart of one or more published columns against ``x`` (usually the year)."""
    apply_theme()
    columns = [y] if isinstance(y, str) else list(y)
    fig, ax = plt.subplots(figsize=FIGURE_SIZE)
    for column in columns:
        ax.plot(table[x].astype(str), numeric(table[column]), marker="o", label=column)
    ax.set_title(title)
    ax.set_xlabel("")
    ax.set_ylabel(y_label)
    ax.set_ylim(bottom=0)
    if len(columns) > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    _lay_out(fig)
    return fig


def stacked_bar_chart(
    table: pd.DataFrame, *, x: str, columns: Sequence[str], title: str, y_label: str
) -> plt.Figure:
    """Stacked bars of published columns (e.g. placement shares) for each ``x``."""
    apply_theme()
    fig, ax = plt.subplots(figsize=FIGURE_SIZE)
    bottom = pd.Series(0.0, index=table.index)
    labels = table[x].astype(str)
    for colour, column in zip(PALETTE * 2, columns, strict=False):
        values = numeric(table[column]).fillna(0.0)
        ax.bar(labels, values, bottom=bottom, label=column, color=colour, width=0.6)
        bottom = bottom + values
    ax.set_title(title)
    ax.set_xlabel("")
    ax.set_ylabel(y_label)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    _lay_out(fig)
    return fig


def bar_chart(
    table: pd.DataFrame,
    *,
    label: str,
    values: str | Sequence[str],
    title: str,
    value_label: str,
    reference: float | None = None,
    reference_label: str | None = None,
) -> plt.Figure:
    """Horizontal bars of one or more published columns for each row of ``label`` (grouped
    when several), first row at the top, with an optional reference line (e.g. a target).
    Suppressed values are not drawn."""
    apply_theme()
    columns = [values] if isinstance(values, str) else list(values)
    labels = table[label].astype(str).to_list()
    height = max(FIGURE_SIZE[1], 0.45 * len(labels) * max(1, len(columns) * 0.6) + 1.2)
    fig, ax = plt.subplots(figsize=(FIGURE_SIZE[0], height))
    positions = pd.Series(range(len(labels)), dtype="float64")
    width = 0.8 / len(columns)
    for k, (colour, column) in enumerate(zip(PALETTE * 2, columns, strict=False)):
        offset = positions - 0.4 + width * (k + 0.5)
        ax.barh(
            offset, numeric(table[column]).fillna(0.0), height=width, color=colour, label=column
        )
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    if reference is not None:
        ax.axvline(reference, color="#000000", linestyle="--", linewidth=1.2, label=reference_label)
    ax.set_title(title)
    ax.set_xlabel(value_label)
    ax.set_ylabel("")
    if len(columns) > 1 or reference_label:
        ax.legend(loc="lower right", frameon=False, fontsize=9)
    _lay_out(fig)
    return fig


def range_chart(
    table: pd.DataFrame,
    *,
    label: str,
    low: str,
    middle: str,
    high: str,
    title: str,
    value_label: str,
) -> plt.Figure:
    """For each row, a bar from ``low`` to ``high`` with a mark at ``middle`` (e.g. the
    interquartile range and median of weekly costs), from published columns; rows with a
    suppressed value are not drawn."""
    apply_theme()
    labels = table[label].astype(str).to_list()
    fig, ax = plt.subplots(figsize=(FIGURE_SIZE[0], max(FIGURE_SIZE[1], 0.5 * len(labels) + 1.2)))
    lows, mids, highs = (numeric(table[c]).to_numpy(dtype="float64") for c in (low, middle, high))
    positions = list(range(len(labels)))
    ax.barh(
        positions, highs - lows, left=lows, height=0.5, color=PALETTE[4], label=f"{low} to {high}"
    )
    ax.scatter(mids, positions, color=PALETTE[0], zorder=3, marker="D", label=middle)
    ax.set_yticks(positions, labels)
    ax.invert_yaxis()
    ax.set_title(title)
    ax.set_xlabel(value_label)
    ax.set_xlim(left=0)
    ax.legend(loc="lower right", frameon=False, fontsize=9)
    _lay_out(fig)
    return fig


def forecast_chart(
    table: pd.DataFrame,
    *,
    x: str,
    recorded: str,
    forecast: str,
    ranges: Sequence[tuple[str, str, str]],
    title: str,
    y_label: str,
) -> plt.Figure:
    """The recorded series as a solid line, the forecast as a dashed one from the last
    recorded point, and each range (label, lower column, upper column) shaded, widest
    first and lightest; from published columns (suppressed values are not drawn)."""
    apply_theme()
    fig, ax = plt.subplots(figsize=FIGURE_SIZE)
    labels = table[x].astype(str)
    positions = pd.Series(range(len(table)), dtype="float64")
    seen = numeric(table[recorded])
    ahead = numeric(table[forecast])
    last = seen.last_valid_index()
    # The forecast line starts at the last recorded value, so the two join up.
    joined = ahead.copy()
    if last is not None and pd.isna(joined.loc[last]):
        joined.loc[last] = seen.loc[last]
    shades = ["#cfe3f3", "#8fbfe3"]
    for (label, low, high), shade in zip(ranges, shades, strict=False):
        lower, upper = numeric(table[low]), numeric(table[high])
        if last is not None:
            lower.loc[last], upper.loc[last] = seen.loc[last], seen.loc[last]
        ax.fill_between(positions, lower, upper, color=shade, label=label, linewidth=0)
    ax.plot(positions, seen, marker="o", color=PALETTE[0], label=recorded)
    ax.plot(positions, joined, marker="o", linestyle="--", color=PALETTE[5], label=forecast)
    ax.set_xticks(positions, labels)
    ax.set_title(title)
    ax.set_xlabel("")
    ax.set_ylabel(y_label)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    _lay_out(fig)
    return fig


def figure_html(fig: plt.Figure, *, name: str, title: str, alt: str, table: str | None) -> str:
    """Embed ``fig`` as a self-contained ``<figure>`` with alt text and a link to its table."""
    buffer = io.BytesIO()
    # The charts of this module are laid out when made (and drawn once here); a figure made
    # elsewhere is fitted by the tight bounding box, which draws it twice.
    laid_out = fig in _LAID_OUT
    if _wrap_titles(fig) and laid_out:
        _lay_out(fig)
    fig.savefig(
        buffer,
        format="png",
        dpi=DPI,
        metadata={"Software": None},
        bbox_inches=None if laid_out else "tight",
    )
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    link = (
        # a chart is drawn from its published table, which the document shows first
        f' <a class="mps-table-link" href="#table-{table}">The figures are in the table above.</a>'
        if table
        else ""
    )
    return (
        f'<figure class="mps-figure" id="figure-{name}">'
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}">'
        f'<figcaption><span class="mps-figure-number"></span>{html.escape(title)}.{link}'
        "</figcaption></figure>"
    )


def demand_supply_chart(
    table: pd.DataFrame,
    *,
    panel: str,
    x: str,
    forecast: str,
    bands: Sequence[tuple[str, str, str]],
    supply: str,
    title: str,
    y_label: str,
) -> plt.Figure:
    """Small multiples, one panel per ``panel`` value (e.g. placement type): the forecast
    line with its interval ``bands`` shaded (``(low column, high column, label)``, widest
    first) and the ``supply`` line, against ``x`` (the year), from a published table."""
    apply_theme()
    panels = list(dict.fromkeys(table[panel]))
    columns = min(3, max(1, len(panels)))
    rows = (len(panels) + columns - 1) // columns
    fig, axes = plt.subplots(
        rows, columns, figsize=(FIGURE_SIZE[0], 2.4 * rows + 0.8), squeeze=False, sharex=True
    )
    for ax, name in zip(axes.flat, panels, strict=False):
        part = table[table[panel] == name]
        years = part[x].astype(int)
        for (low, high, label), alpha in zip(bands, (0.18, 0.32), strict=False):
            ax.fill_between(
                years,
                numeric(part[low]),
                numeric(part[high]),
                color=PALETTE[0],
                alpha=alpha,
                linewidth=0,
                label=label,
            )
        demand = numeric(part[forecast])
        ax.plot(years, demand, color=PALETTE[0], marker="o", label=forecast)
        ax.plot(
            years, numeric(part[supply]), color=PALETTE[5], marker="s", linestyle="--",
            linewidth=2, label=supply,
        )  # fmt: skip
        ax.set_title(str(name), fontsize=10)
        drawn = [forecast, supply, *(high for _, high, _ in bands)]
        highest = max(
            [float(numeric(part[c]).max()) for c in drawn if numeric(part[c]).notna().any()] + [0.0]
        )
        ax.set_ylim(0, highest * 1.15 if highest > 0 else 1)
        if demand.isna().all():
            # A withheld forecast is not drawn: say so rather than leave a blank panel.
            ax.text(
                0.5, 0.5, "Forecast withheld", transform=ax.transAxes, ha="center",
                va="center", fontsize=9, color="#555555",
            )  # fmt: skip
        ax.set_xticks(sorted(years.unique()))
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel(y_label)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False, fontsize=9)
    fig.suptitle(title, fontweight="bold", fontsize=12)
    _lay_out(fig, rect=(0, 0.07, 1, 1))
    return fig
