"""What the analysis notebooks call: the area's data and the published outputs.

A notebook's setup cell does ``report = AreaReport.from_namespace(globals())`` after its
``parameters`` cell; then each published cell computes with :mod:`mps.analysis` and
shows results with :meth:`AreaReport.table`, :meth:`AreaReport.chart` and
:meth:`AreaReport.say`. Those are the only ways a published cell shows figures, so
every table is disclosure-controlled and saved for the data annex, and every chart
carries alt text and is drawn from a published table.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML, Markdown, display

from mps import charts
from mps.area import COUNTS_FILE, AreaData, load_area
from mps.presentation import PublishableTable
from mps.tables import TableRegistry, protect_publishable, table_html

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

#: The names every notebook's ``parameters`` cell defines (papermill injects them).
PARAMETERS = (
    "area",
    "area_name",
    "area_kind",
    "consortium",
    "consortium_name",
    "boroughs",
    "borough_names",
    "la_codes",
    "data_dir",
    "prepared_dir",
    "tables_dir",
    "results_dir",
    "years",
    "reporting_year",
    "suppression_threshold",
    "round_to",
    "settings",
)


@dataclass
class AreaReport:
    """One notebook run for one area: its parameters, its data and its published outputs."""

    area: str
    area_name: str
    area_kind: str
    consortium: str
    consortium_name: str
    boroughs: list[str]
    borough_names: list[str]
    la_codes: list[str]
    data_dir: str
    prepared_dir: str
    tables_dir: str
    results_dir: str
    years: list[int]
    reporting_year: int
    suppression_threshold: int
    round_to: int
    settings: dict[str, Any]
    _registry: TableRegistry = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._registry = TableRegistry(self.tables_dir or None)

    @classmethod
    def from_namespace(cls, namespace: Mapping[str, Any]) -> AreaReport:
        """Build from a notebook's globals after its ``parameters`` cell has run."""
        missing = [name for name in PARAMETERS if name not in namespace]
        if missing:
            raise NameError(f"the parameters cell does not define: {', '.join(missing)}")
        return cls(**{name: namespace[name] for name in PARAMETERS})

    @cached_property
    def data(self) -> AreaData:
        """The area's pooled episodes and population (read once per notebook)."""
        return load_area(
            boroughs=self.boroughs,
            la_codes=self.la_codes,
            data_dir=self.data_dir,
            prepared_dir=self.prepared_dir or None,
            years=self.years,
            settings=self.settings,
            cache_dir=self.results_dir or None,
        )

    def cached(self, name: str, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """A result computed once per build and area, shared between the area's notebooks.

        The first notebook to ask computes it and saves it as Parquet in ``results_dir``;
        later ones read the file. Without a ``results_dir`` (a notebook opened on its own)
        it is simply computed. Results are internal: they may be child-level.
        """
        if not self.results_dir:
            return compute()
        if not _SLUG.match(name):
            raise ValueError(f"result name {name!r}: use lower-case letters, digits, - and _")
        path = Path(self.results_dir) / f"{name}.parquet"
        if path.is_file():
            return pd.read_parquet(path)
        result = compute()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name and renamed: a notebook running at the same time
        # never reads half a file.
        partial = path.with_name(f".{name}-{os.getpid()}.parquet")
        result.to_parquet(partial, index=False)
        os.replace(partial, path)
        return result

    def members_result(
        self,
        name: str,
        columns: Sequence[str],
        compute: Callable[[pd.DataFrame], pd.DataFrame],
    ) -> tuple[pd.DataFrame, dict[str, str]]:
        """A result computed from every member borough's episodes (``columns`` of them),
        once per build for the whole consortium, and the members that could not be read
        (slug -> why).

        Only a notebook that declares it in its metadata (``"mps": {"reads": ["members"]}``)
        may call this in a build: the build then re-runs it, and only it, when another
        member's data change.
        """
        from mps.data.members import read_member_episodes

        consortium = self.settings.get("consortium") or {}
        members = consortium.get("members") or []
        if self.prepared_dir and not consortium.get("reads_members"):
            raise RuntimeError(
                "this notebook reads other member boroughs' data: declare it in the notebook's "
                'metadata ("mps": {"reads": ["members"]}) so that a build re-runs it when '
                "their data change"
            )

        def read() -> tuple[pd.DataFrame, dict[str, str]]:
            found = read_member_episodes(
                members,
                data_dir=self.data_dir,
                prepared_dir=self.prepared_dir or None,
                years=self.years,
                columns=columns,
            )
            return compute(found.episodes), found.missing

        shared = consortium.get("shared_dir")
        if not shared:
            return read()
        if not _SLUG.match(name):
            raise ValueError(f"result name {name!r}: use lower-case letters, digits, - and _")
        path = Path(shared) / f"{name}.parquet"
        missing_path = Path(shared) / f"{name}.missing.json"
        if path.is_file() and missing_path.is_file():
            return pd.read_parquet(path), json.loads(missing_path.read_text(encoding="utf-8"))
        result, missing = read()
        path.parent.mkdir(parents=True, exist_ok=True)
        # temporary names then renames: another worker may be reading or writing the same
        partial = path.with_name(f".{name}-{os.getpid()}.parquet")
        result.to_parquet(partial, index=False)
        partial_missing = missing_path.with_name(f".{name}-{os.getpid()}.json")
        partial_missing.write_text(json.dumps(missing, sort_keys=True), encoding="utf-8")
        os.replace(partial_missing, missing_path)
        os.replace(partial, path)
        return result, missing

    @property
    def episodes(self) -> pd.DataFrame:
        return self.data.episodes

    @property
    def is_consortium(self) -> bool:
        return self.area_kind == "consortium"

    # -- published outputs -------------------------------------------------------------
    def table(
        self,
        table: PublishableTable,
        *,
        name: str,
        title: str,
        notes: str | None = None,
        show: bool = True,
    ) -> pd.DataFrame:
        """Protect, save and show a table; return the protected table (for charts and text)."""
        result = protect_publishable(
            table, threshold=self.suppression_threshold, round_to=self.round_to or None
        )
        self._registry.save(
            name,
            title,
            result.table,
            count_columns=table.count_columns,
            label_columns=table.label_columns,
            decimals=table.decimals,
            notes=notes,
            threshold=self.suppression_threshold,
            round_to=self.round_to or None,
        )
        if show:
            display(
                HTML(
                    table_html(
                        result.table,
                        name=name,
                        title=title,
                        label_columns=table.label_columns,
                        decimals=table.decimals,
                        notes=notes,
                    )
                )
            )
        return result.table

    def chart(self, figure: Any, *, name: str, title: str, alt: str, table: str | None) -> None:
        """Show a chart with alt text stating its message and a link to its table."""
        display(HTML(charts.figure_html(figure, name=name, title=title, alt=alt, table=table)))

    def say(self, text: str) -> None:
        """Show a paragraph of plain-English commentary (Markdown)."""
        display(Markdown(text))

    # -- internal outputs --------------------------------------------------------------
    def validation_summary(self) -> pd.DataFrame:
        """Rows read, kept and rejected per 903 file (internal: never tag this for publication)."""
        if not self.prepared_dir:
            return pd.DataFrame({"note": ["validated on load; run `mps validate` for the report"]})
        frames = []
        for borough in self.boroughs:
            counts = Path(self.prepared_dir) / borough / COUNTS_FILE
            if counts.is_file():
                frames.append(pd.read_csv(counts).assign(borough=borough))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
