"""The consortium's tables from its members' aggregates (federated mode).

A consortium count is the sum of its members' counts. A member that sent aggregates has
suppressed some cells (``c``): every consortium figure that depends on one of them is
unknown, and is published as suppressed (never as a partial sum). Which figures depend on
a suppressed cell is found by building each published table twice, with every suppressed
member cell at its least possible value (1: a suppressed count is never 0) and at a value
far above any count: a cell that differs between the two depends on a suppressed cell.
Everything else is exactly what the pooled child-level data give, because the members'
counts come from :func:`mps.federated.aggregates.borough_aggregates` either way.

Those cells are then marked for :func:`mps.disclosure.protect` as counts it must suppress
(a placeholder count of 1, which it always suppresses), so that secondary suppression
protects them like any small count; a percentage or rate that depends on one is checked
to come out suppressed too, and a table where it would not is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mps.disclosure import NOT_AVAILABLE, SUPPRESSED
from mps.federated.aggregates import TABLES, AggregateContext, AggregateTable, borough_aggregates
from mps.federated.receive import read_aggregates
from mps.presentation import PublishableTable
from mps.tables import protect_publishable

#: A suppressed member cell at its least possible value, and far above any count.
LEAST, FAR_ABOVE = 1, 10_000_000
#: What a consortium cell that depends on a suppressed member cell holds before
#: disclosure control: a count ``protect`` always suppresses (every threshold is 1 or more).
_MUST_SUPPRESS = 1


class FederatedTableError(RuntimeError):
    """A consortium table cannot be published safely from the aggregates."""


def _filled(frame: pd.DataFrame, table: AggregateTable, fill: int) -> pd.DataFrame:
    """Counts as numbers: a suppressed cell as ``fill``, a cell not available as NaN."""
    out = frame[list(table.columns)].copy()
    for count in table.counts:
        values = out[count].astype(object)
        suppressed = values.isin([SUPPRESSED]).to_numpy()
        numbers = pd.to_numeric(
            values.where(~values.isin([SUPPRESSED, NOT_AVAILABLE]), np.nan), errors="raise"
        ).astype("float64")
        numbers[suppressed] = fill
        out[count] = numbers
    return out


def sum_members(
    members: Sequence[Mapping[str, pd.DataFrame]], table: AggregateTable, fill: int
) -> pd.DataFrame:
    """One aggregate table summed over the members (suppressed cells as ``fill``). A cell
    not available in any member is not available in the sum. Groups keep the order in
    which they first appear, as the analysis functions list them."""
    pooled = pd.concat([_filled(m[table.name], table, fill) for m in members], ignore_index=True)
    keys = [pooled[d] for d in table.dimensions]
    counts = pooled[list(table.counts)]
    sums = counts.groupby(keys, sort=False).sum()
    missing = counts.isna().groupby(keys, sort=False).any()
    sums = sums.mask(missing)
    out = sums.reset_index()
    out.columns = list(table.columns)
    return out.astype({c: "Int64" for c in table.counts})


@dataclass
class ConsortiumAggregates:
    """Every member's aggregates for one consortium area, and its published tables."""

    context: AggregateContext
    #: borough slug -> its aggregate tables (counts, ``"c"`` or ``"x"``)
    members: dict[str, dict[str, pd.DataFrame]]
    #: the members whose figures came from an aggregates file
    federated: list[str]
    threshold: int
    round_to: int | None = None
    _published: dict[str, tuple[PublishableTable, PublishableTable]] = field(
        default_factory=dict, repr=False
    )

    def summed(self, name: str, fill: int = LEAST) -> pd.DataFrame:
        """An aggregate table summed over the members (suppressed cells as ``fill``)."""
        table = next(t for t in TABLES if t.name == name)
        return sum_members(list(self.members.values()), table, fill)

    def suppressed_by(self, name: str) -> list[str]:
        """The members with at least one suppressed cell in aggregate table ``name``."""
        table = next(t for t in TABLES if t.name == name)
        return [
            slug
            for slug, tables in self.members.items()
            if tables[name][list(table.counts)].astype(object).eq(SUPPRESSED).any().any()
        ]

    def _pair(self, published_name: str) -> tuple[PublishableTable, PublishableTable]:
        if published_name not in self._published:
            for table in TABLES:
                if not all(table.name in m for m in self.members.values()):
                    continue
                low = table.published(
                    sum_members(list(self.members.values()), table, LEAST), self.context
                )
                if published_name in low:
                    high = table.published(
                        sum_members(list(self.members.values()), table, FAR_ABOVE), self.context
                    )
                    for name in low:
                        self._published[name] = (low[name], high[name])
                    break
            else:
                raise KeyError(f"no aggregate table publishes {published_name!r}")
        return self._published[published_name]

    def unknown_cells(self, published_name: str) -> pd.DataFrame:
        """Per cell of the published table, whether it depends on a suppressed member cell."""
        low, high = self._pair(published_name)
        if list(low.frame.columns) != list(high.frame.columns) or len(low.frame) != len(high.frame):
            raise FederatedTableError(
                f"{published_name}: the table's shape depends on suppressed cells"
            )
        for column in low.label_columns:
            if not low.frame[column].astype(str).equals(high.frame[column].astype(str)):
                raise FederatedTableError(
                    f"{published_name}: the table's rows depend on suppressed cells"
                )
        unknown = pd.DataFrame(False, index=low.frame.index, columns=low.frame.columns)
        for column in [*low.count_columns, *low.derived]:
            a = pd.to_numeric(low.frame[column], errors="coerce").to_numpy(dtype="float64")
            b = pd.to_numeric(high.frame[column], errors="coerce").to_numpy(dtype="float64")
            unknown[column] = ~((a == b) | (np.isnan(a) & np.isnan(b)))
        return unknown

    def table(self, published_name: str) -> PublishableTable:
        """The consortium's table ``published_name`` (as :mod:`mps.presentation` builds it
        from pooled data), for :meth:`mps.notebook.AreaReport.table`: a figure that depends
        on a member's suppressed cell is marked so that disclosure control suppresses it."""
        low, _ = self._pair(published_name)
        unknown = self.unknown_cells(published_name)
        frame = low.frame.copy()
        for column in low.count_columns:
            mask = unknown[column].to_numpy()
            if mask.any():
                frame[column] = frame[column].mask(mask, _MUST_SUPPRESS)
        marked = replace(low, frame=frame)
        result = protect_publishable(marked, threshold=self.threshold, round_to=self.round_to)
        shown = result.table
        for column in [*marked.count_columns, *marked.derived]:
            leaked = (
                unknown[column].to_numpy() & (shown[column].astype(str) != SUPPRESSED).to_numpy()
            )
            if leaked.any():
                row = int(np.flatnonzero(leaked)[0])
                raise FederatedTableError(
                    f"{published_name}: column {column!r}, row {row + 1} depends on a member's "
                    "suppressed count but would be published"
                )
        return marked


def consortium_context(
    settings: Mapping[str, Any],
    *,
    years: Sequence[int],
    reporting_year: int,
    consortium_name: str,
    population: pd.DataFrame | None,
    la_codes: Sequence[str] = (),
) -> AggregateContext:
    """The aggregates' context for an area from its analysis settings (the consortium's
    members give "another member's area")."""
    members = (settings.get("consortium") or {}).get("members") or []
    return AggregateContext(
        years=tuple(int(y) for y in years),
        reporting_year=int(reporting_year),
        # Opened on its own a notebook has no members listed: its own boroughs stand in.
        member_codes=tuple(str(m["la_code"]) for m in members) or tuple(la_codes),
        consortium_name=consortium_name,
        population=population,
    )


def federated_files(settings: Mapping[str, Any]) -> dict[str, str]:
    """Borough slug -> aggregates file, for the area's federated members."""
    return dict(((settings.get("federated") or {}).get("aggregates")) or {})


def consortium_aggregates(report: Any) -> ConsortiumAggregates:
    """Every member's aggregates for a notebook's area (an :class:`~mps.notebook.AreaReport`):
    computed from the prepared episodes of the members whose data the consortium holds,
    read (and verified) from the files of the others."""
    from mps.area import EPISODES_FILE, _postcodes
    from mps.data import layout
    from mps.data.population import read_population
    from mps.data.ssda903 import borough_source, load_borough

    files = federated_files(report.settings)
    data_dir = Path(report.data_dir)
    population_file = data_dir / layout.POPULATION_FILE
    population = None
    if population_file.is_file():
        population = read_population(population_file)
        population = population[population["la_code"].isin(list(report.la_codes))]
        population = population.reset_index(drop=True)
    context = consortium_context(
        report.settings,
        years=report.years,
        reporting_year=report.reporting_year,
        consortium_name=report.consortium_name,
        population=population,
        la_codes=report.la_codes,
    )
    members: dict[str, dict[str, pd.DataFrame]] = {}
    for borough, la_code in zip(report.boroughs, report.la_codes, strict=True):
        if borough in files:
            members[borough] = read_aggregates(
                files[borough],
                borough=borough,
                la_code=la_code,
                years=report.years,
                reporting_year=report.reporting_year,
                threshold=report.suppression_threshold,
            ).tables
            continue
        if report.prepared_dir:
            episodes = pd.read_parquet(Path(report.prepared_dir) / borough / EPISODES_FILE)
        else:
            episodes = load_borough(
                borough_source(data_dir, borough),
                la=borough,
                years=report.years,
                la_code=la_code,
                postcodes=_postcodes(data_dir),
            ).episodes
        members[borough] = borough_aggregates(episodes, context)
    return ConsortiumAggregates(
        context=context,
        members=members,
        federated=[b for b in report.boroughs if b in files],
        threshold=report.suppression_threshold,
        round_to=report.round_to or None,
    )
