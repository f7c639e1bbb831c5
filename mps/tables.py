"""Published tables: disclosure control, accessible HTML, and the data-annex copy.

Every table a published cell shows goes through :func:`show_table`, which

1. passes it through :func:`mps.disclosure.protect` (small counts become ``c``),
2. renders accessible HTML (a caption, header cells with ``scope``, column widths that
   Word keeps, numbers right-aligned) marked ``data-disclosure="protected"`` so the
   publishing step can refuse any table that did not come through here, and
3. saves the protected table as CSV in the build's tables folder for the data annex.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from mps.disclosure import DisclosureResult, protect

if TYPE_CHECKING:
    from mps.presentation import PublishableTable

#: Attribute the publishing step looks for on every published table.
PROTECTED_MARKER = 'data-disclosure="protected"'

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _format_cell(value: object, decimals: int) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and decimals == 0:
            return f"{int(value):,}"
        return f"{value:,.{decimals}f}"
    return str(value)


def _format_label(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _column_widths(table: pd.DataFrame, label_columns: Sequence[str]) -> list[float]:
    # Label columns get the room they need; numbers share the rest (pandoc keeps these in Word).
    weights = []
    for column in table.columns:
        longest = max(len(str(v)) for v in table[column].head(50)) if len(table) else 0
        # A header wraps between words, never inside one ("Ceas/es").
        word = max((len(w) for w in str(column).split()), default=0) + 1
        weight = min(max(longest, word, 6), 40)
        weights.append(weight * (1.6 if column in label_columns else 1.0))
    total = sum(weights)
    return [round(100 * w / total, 1) for w in weights]


def table_html(
    table: pd.DataFrame,
    *,
    name: str,
    title: str,
    label_columns: Sequence[str] = (),
    decimals: Mapping[str, int] | None = None,
    notes: str | None = None,
) -> str:
    """Render a (protected) table as accessible HTML with a caption and column widths."""
    decimals = dict(decimals or {})
    widths = _column_widths(table, label_columns)
    parts = [
        f'<table class="mps-table" id="table-{name}" data-mps-table="{name}" {PROTECTED_MARKER}>',
        f'<caption><span class="mps-table-number"></span>{html.escape(title)}</caption>',
        "<colgroup>",
        *[f'<col style="width:{w}%">' for w in widths],
        "</colgroup>",
        "<thead><tr>",
        *[f'<th scope="col">{html.escape(str(c))}</th>' for c in table.columns],
        "</tr></thead>",
        "<tbody>",
    ]
    for row in table.itertuples(index=False):
        cells = []
        for column, value in zip(table.columns, row, strict=True):
            if column in label_columns:
                # A label is a name or a year, never a quantity: no thousands separator.
                text = html.escape(_format_label(value))
                # A blank label (the row continues the group above) is no header cell.
                cells.append(f'<th scope="row">{text}</th>' if text else "<td></td>")
                continue
            text = html.escape(_format_cell(value, decimals.get(column, 1)))
            cells.append(f'<td class="num">{text}</td>')
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    if notes:
        parts.append(f'<p class="mps-table-notes">{html.escape(notes)}</p>')
    return "\n".join(parts)


class TableRegistry:
    """Where one notebook run saves its published tables (the data annex sources)."""

    def __init__(self, tables_dir: str | Path | None):
        self.tables_dir = Path(tables_dir) if tables_dir else None
        self.names: set[str] = set()

    def save(
        self,
        name: str,
        title: str,
        table: pd.DataFrame,
        *,
        count_columns: Sequence[str] = (),
        label_columns: Sequence[str] = (),
        decimals: Mapping[str, int] | None = None,
        notes: str | None = None,
        threshold: int | None = None,
        round_to: int | None = None,
    ) -> None:
        """Save a protected table as ``<name>.csv`` with ``<name>.json`` beside it: what the
        publishing step needs to build the data annex and to check the counts again
        (which columns are counts, the threshold and rounding they were protected with)."""
        if not _SLUG.match(name):
            raise ValueError(f"table name {name!r}: use lower-case letters, digits, - and _")
        if name in self.names:
            raise ValueError(f"table name {name!r} is used twice in this document")
        self.names.add(name)
        if self.tables_dir is None:
            return
        self.tables_dir.mkdir(parents=True, exist_ok=True)
        table.to_csv(self.tables_dir / f"{name}.csv", index=False)
        metadata = {
            "name": name,
            "title": title,
            "notes": notes,
            "columns": [str(c) for c in table.columns],
            "count_columns": [str(c) for c in count_columns],
            "label_columns": [str(c) for c in label_columns],
            "decimals": {str(k): int(v) for k, v in (decimals or {}).items()},
            "threshold": threshold,
            "round_to": round_to or None,
        }
        (self.tables_dir / f"{name}.json").write_text(
            json.dumps(metadata, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        titles = self.tables_dir / "_titles.csv"
        new = not titles.exists()
        with titles.open("a", encoding="utf-8") as handle:
            if new:
                handle.write("name,title\n")
            escaped = title.replace('"', '""')
            handle.write(f'{name},"{escaped}"\n')


def protect_publishable(
    table: PublishableTable, *, threshold: int, round_to: int | None = None
) -> DisclosureResult:
    """:func:`protect_for_publication` with the settings a :class:`PublishableTable`
    carries (its count, label and derived columns, total row and column)."""
    return protect_for_publication(
        table.frame,
        count_columns=table.count_columns,
        threshold=threshold,
        label_columns=table.label_columns,
        derived=table.derived,
        total_row=table.total_row,
        rows_additive=table.rows_additive,
        round_to=round_to,
        total_column=table.total_column,
    )


def protect_for_publication(
    table: pd.DataFrame,
    *,
    count_columns: Sequence[str],
    threshold: int,
    label_columns: Sequence[str] = (),
    derived: Mapping[str, tuple[str, str | None]] | None = None,
    total_row: str | None = None,
    rows_additive: bool = True,
    round_to: int | None = None,
    total_column: str | None = None,
) -> DisclosureResult:
    """Apply disclosure control to a table about to be published."""
    return protect(
        table,
        count_columns=list(count_columns),
        threshold=threshold,
        label_columns=list(label_columns),
        derived=dict(derived or {}),
        total_row=total_row,
        rows_additive=rows_additive,
        round_to=round_to,
        total_column=total_column,
    )
