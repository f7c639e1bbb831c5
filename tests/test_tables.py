"""Published table HTML: accessible, marked as protected, saved once for the annex."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mps.tables import PROTECTED_MARKER, TableRegistry, table_html


def test_table_html_is_accessible_and_marked() -> None:
    table = pd.DataFrame(
        {"Placement": ["Fostering", "Children's home"], "2025": [1234, "c"], "2025 %": [91.25, "c"]}
    )
    html = table_html(
        table,
        name="mix",
        title="Placements & more",
        label_columns=["Placement"],
        decimals={"2025 %": 1},
    )
    assert PROTECTED_MARKER in html
    assert 'id="table-mix"' in html
    assert '<caption><span class="mps-table-number"></span>Placements &amp; more</caption>' in html
    assert html.count("<col ") == 3
    assert '<th scope="col">2025 %</th>' in html
    assert '<th scope="row">Children&#x27;s home</th>' in html
    assert '<td class="num">1,234</td>' in html  # thousands separator
    assert '<td class="num">91.2</td>' in html  # one decimal (banker's rounding of 91.25)
    assert '<td class="num">c</td>' in html


def test_registry_saves_csv_and_refuses_duplicate_names(tmp_path: Path) -> None:
    registry = TableRegistry(tmp_path / "tables")
    registry.save("mix", 'Mix, "quoted"', pd.DataFrame({"a": [1]}))
    assert (tmp_path / "tables" / "mix.csv").read_text() == "a\n1\n"
    titles = pd.read_csv(tmp_path / "tables" / "_titles.csv")
    assert titles.to_dict("records") == [{"name": "mix", "title": 'Mix, "quoted"'}]
    with pytest.raises(ValueError, match="used twice"):
        registry.save("mix", "again", pd.DataFrame({"a": [1]}))
    with pytest.raises(ValueError, match="lower-case"):
        registry.save("Bad Name", "x", pd.DataFrame({"a": [1]}))
