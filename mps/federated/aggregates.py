"""The federated contract: the additive aggregate tables a borough sends instead of its 903 data.

Each :class:`AggregateTable` is a long table of counts (dimensions, then count columns)
that can be summed across boroughs to give the consortium's figure: children are counted
within their own council, so a consortium count is the sum of its members' counts. One
function, :func:`borough_aggregates`, computes them from a borough's episodes; it is what
``mps export-aggregates`` sends and what a consortium build computes for the boroughs whose
child-level data it holds, so the two routes agree by construction.

Every table also says which published tables it feeds (:meth:`AggregateTable.published`:
the same :mod:`mps.presentation` functions the ``needs_analysis`` notebook calls) and where
each of its cells appears in them, so that the export can suppress exactly the cells the
borough's own documents suppress (:mod:`mps.federated.export`).

The contract is versioned (:data:`FORMAT_VERSION`): a change to a table's name, dimensions
or count columns, or to what a count means, needs a new version.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from mps import presentation
from mps.analysis import children, flows, placements, profile
from mps.codes import CATEGORY_LABELS

#: The file format's name and version (``manifest.json``: ``format``, ``format_version``).
FORMAT = "mps-federated-aggregates"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class AggregateContext:
    """What shapes the aggregates besides the episodes: the collection years, the reporting
    year and the consortium's members (for "placed in another member's area")."""

    years: tuple[int, ...]
    reporting_year: int
    member_codes: tuple[str, ...]
    consortium_name: str
    #: The area's ONS population (0-17), for the rate per 10,000 (consortium side only).
    population: pd.DataFrame | None = field(default=None, compare=False)


@dataclass(frozen=True)
class YearRows:
    """Cells laid out one row per year (label column ``Year``), one column per count."""

    table: str
    columns: Mapping[str, str]


@dataclass(frozen=True)
class GroupsByYear:
    """Cells laid out one row per group, one column per year (a "children by X" table).
    With ``split`` each value of that dimension is its own published table."""

    group: str
    label: str
    table: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    split: str | None = None
    #: Labels that depend on the context (e.g. the consortium's name), instead of ``labels``.
    labels_for: Callable[[AggregateContext], Mapping[str, str]] | None = None
    #: split value -> (published table name, its label column)
    split_tables: Callable[[str], tuple[str, str]] | None = None


@dataclass(frozen=True)
class AggregateTable:
    """One aggregate table of the contract."""

    name: str
    description: str
    dimensions: tuple[str, ...]
    counts: tuple[str, ...]
    compute: Callable[[pd.DataFrame, AggregateContext], pd.DataFrame]
    present: Callable[[pd.DataFrame, AggregateContext], dict[str, presentation.PublishableTable]]
    layout: YearRows | GroupsByYear

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.dimensions, *self.counts)

    def published(
        self, long: pd.DataFrame, context: AggregateContext
    ) -> dict[str, presentation.PublishableTable]:
        """The published tables this aggregate feeds, by name, as the notebooks build them."""
        return self.present(long, context)

    def cell_locations(self, long: pd.DataFrame, context: AggregateContext) -> pd.DataFrame:
        """Where each count cell of ``long`` appears in the published tables: one row per
        (row of ``long``, count column) with columns row, count, table, label, column."""
        layout = self.layout
        frames = []
        for count in self.counts:
            located = pd.DataFrame({"row": range(len(long)), "count": count})
            if isinstance(layout, YearRows):
                located["table"] = layout.table
                located["label"] = long["year"].astype(str).to_numpy()
                located["column"] = layout.columns[count]
            else:
                labels = layout.labels_for(context) if layout.labels_for else layout.labels
                groups = long[layout.group].astype(str)
                located["label"] = groups.map(lambda g, names=labels: names.get(g, g)).to_numpy()
                located["column"] = long["year"].astype(str).to_numpy()
                if layout.split and layout.split_tables:
                    located["table"] = [
                        layout.split_tables(str(v))[0] for v in long[layout.split].to_numpy()
                    ]
                else:
                    located["table"] = layout.table
            frames.append(located)
        return pd.concat(frames, ignore_index=True)


# --- the consortium-side derivations (what the analysis functions add to the counts) -----
def _round_ratio(parts: pd.Series, wholes: pd.Series | Sequence[float], scale: float) -> list:
    # Python's round, as the analysis functions use it, so the figures agree to the digit.
    return [
        round(scale * p / w, 1) if pd.notna(p) and pd.notna(w) and w else float("nan")
        for p, w in zip(parts, wholes, strict=True)
    ]


def _summary_frame(long: pd.DataFrame, context: AggregateContext) -> pd.DataFrame:
    """:func:`mps.analysis.children.yearly_summary`'s frame from its counts."""
    frame = long[["year", "cla_at_31_march"]].copy()
    if context.population is not None:
        population = [children.population_0_17(context.population, int(y)) for y in long["year"]]
        frame["rate_per_10000"] = _round_ratio(long["cla_at_31_march"], population, 1e4)
    frame["starts"] = long["starts"].to_numpy()
    frame["ceases"] = long["ceases"].to_numpy()
    frame["net_change"] = (long["starts"] - long["ceases"]).to_numpy()
    return frame


def _stability_frame(long: pd.DataFrame) -> pd.DataFrame:
    """:func:`mps.analysis.placements.stability_trend`'s frame from its counts."""
    frame = long.copy()
    frame["three_plus_pct"] = _round_ratio(
        long["three_plus_placements"], long["cla_at_31_march"], 100
    )
    frame["long_term_pct"] = _round_ratio(long["long_term_stable"], long["long_term_eligible"], 100)
    return frame


def _characteristic_table(characteristic: str) -> tuple[str, str]:
    name = f"profile-{characteristic.replace('_', '-')}"
    return name, presentation.CHARACTERISTIC_LABELS.get(characteristic, characteristic)


def _profile_tables(long: pd.DataFrame, c: AggregateContext) -> dict:
    found = list(dict.fromkeys(long["characteristic"].astype(str)))
    return {
        _characteristic_table(ch)[0]: presentation.characteristic_table(
            long, ch, list(c.years), c.reporting_year
        )
        for ch in found
    }


def _area_labels(consortium_name: str) -> dict[str, str]:
    return {"In another member council's area": f"In another council of {consortium_name}"}


def _with(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    return frame[list(columns)].reset_index(drop=True)


# The tables, in the order of the needs analysis. Their names are those of the published
# tables they feed (profile feeds one per characteristic).
TABLES: tuple[AggregateTable, ...] = (
    AggregateTable(
        name="children-looked-after",
        description="Children looked after at 31 March, starts and ceases, by year",
        dimensions=("year",),
        counts=("cla_at_31_march", "starts", "ceases"),
        compute=lambda e, c: _with(
            children.yearly_summary(e, list(c.years)),
            ["year", "cla_at_31_march", "starts", "ceases"],
        ),
        present=lambda long, c: {
            "children-looked-after": presentation.children_looked_after_table(
                _summary_frame(long, c)
            )
        },
        layout=YearRows(
            "children-looked-after",
            {
                "cla_at_31_march": "Children looked after at 31 March",
                "starts": "Starts",
                "ceases": "Ceases",
            },
        ),
    ),
    AggregateTable(
        name="starts",
        description="Children starting to be looked after, re-entering care and UASC, by year",
        dimensions=("year",),
        counts=("starts", "re_entries", "re_entries_within_12_months", "uasc_starts"),
        compute=lambda e, c: _with(
            flows.flow_trend(e, list(c.years), history_from=c.years[0]),
            ["year", "starts", "re_entries", "re_entries_within_12_months", "uasc_starts"],
        ),
        present=lambda long, c: {"starts": presentation.flows_table(long)},
        layout=YearRows(
            "starts",
            {k: v for k, v in presentation.FLOW_COLUMNS.items() if not k.endswith("_pct")},
        ),
    ),
    AggregateTable(
        name="profile",
        description="Children looked after at 31 March by age, sex, ethnicity, UASC, category "
        "of need and legal status, by year",
        dimensions=("year", "characteristic", "group"),
        counts=("children",),
        compute=lambda e, c: _with(
            profile.profile_at_31_march(e, list(c.years)),
            ["year", "characteristic", "group", "children"],
        ),
        present=_profile_tables,
        layout=GroupsByYear(
            group="group",
            label="",
            split="characteristic",
            split_tables=_characteristic_table,
        ),
    ),
    AggregateTable(
        name="reasons-ceased",
        description="Children who ceased to be looked after by reason group, by year",
        dimensions=("year", "reason_group"),
        counts=("children",),
        compute=lambda e, c: _with(
            flows.reasons_ceased(e, list(c.years)), ["year", "reason_group", "children"]
        ),
        present=lambda long, c: {
            "reasons-ceased": presentation.reasons_ceased_table(
                long, list(c.years), c.reporting_year
            )
        },
        layout=GroupsByYear("reason_group", "Reason for leaving care", "reasons-ceased"),
    ),
    AggregateTable(
        name="care-durations",
        description="Children who ceased to be looked after by how long they had been "
        "looked after, by year",
        dimensions=("year", "duration_band"),
        counts=("children",),
        compute=lambda e, c: _with(
            flows.care_durations(e, list(c.years)), ["year", "duration_band", "children"]
        ),
        present=lambda long, c: {
            "care-durations": presentation.durations_table(long, list(c.years), c.reporting_year)
        },
        layout=GroupsByYear("duration_band", "Time looked after", "care-durations"),
    ),
    AggregateTable(
        name="placement-mix",
        description="Children looked after at 31 March by placement category, by year",
        dimensions=("year", "placement_category"),
        counts=("children",),
        compute=lambda e, c: _with(
            children.placement_mix(e, list(c.years)), ["year", "placement_category", "children"]
        ),
        present=lambda long, c: {
            "placement-mix": presentation.placement_mix_table(long, list(c.years), c.reporting_year)
        },
        layout=GroupsByYear(
            "placement_category", "Placement", "placement-mix", labels=CATEGORY_LABELS
        ),
    ),
    AggregateTable(
        name="placement-provider",
        description="Children looked after at 31 March by who provides the placement, by year",
        dimensions=("year", "sector"),
        counts=("children",),
        compute=lambda e, c: _with(
            placements.sector_mix(e, list(c.years)), ["year", "sector", "children"]
        ),
        present=lambda long, c: {
            "placement-provider": presentation.sector_table(long, list(c.years), c.reporting_year)
        },
        layout=GroupsByYear(
            "sector", "Provided by", "placement-provider", labels=placements.SECTOR_LABELS
        ),
    ),
    AggregateTable(
        name="placement-distance",
        description="Children looked after at 31 March by distance from home, by year",
        dimensions=("year", "locality"),
        counts=("children",),
        compute=lambda e, c: _with(
            placements.locality_mix(e, list(c.years)), ["year", "locality", "children"]
        ),
        present=lambda long, c: {
            "placement-distance": presentation.locality_table(long, list(c.years), c.reporting_year)
        },
        layout=GroupsByYear("locality", "Placed", "placement-distance"),
    ),
    AggregateTable(
        name="placement-area",
        description="Children looked after at 31 March by where they are placed (own "
        "council, another member's area, elsewhere), by year",
        dimensions=("year", "placed"),
        counts=("children",),
        compute=lambda e, c: _with(
            placements.area_mix(e, list(c.years), list(c.member_codes)),
            ["year", "placed", "children"],
        ),
        present=lambda long, c: {
            "placement-area": presentation.placed_area_table(
                long, list(c.years), c.reporting_year, c.consortium_name
            )
        },
        layout=GroupsByYear(
            "placed",
            "Placed",
            "placement-area",
            labels_for=lambda c: _area_labels(c.consortium_name),
        ),
    ),
    AggregateTable(
        name="stability",
        description="Children with 3 or more placements in the year, and DfE's long-term "
        "stability measure, by year",
        dimensions=("year",),
        counts=(
            "cla_at_31_march",
            "three_plus_placements",
            "long_term_eligible",
            "long_term_stable",
        ),
        compute=lambda e, c: _with(
            placements.stability_trend(e, list(c.years)),
            [
                "year",
                "cla_at_31_march",
                "three_plus_placements",
                "long_term_eligible",
                "long_term_stable",
            ],
        ),
        present=lambda long, c: {"stability": presentation.stability_table(_stability_frame(long))},
        layout=YearRows(
            "stability",
            {
                k: presentation.STABILITY_COLUMNS[k]
                for k in (
                    "cla_at_31_march",
                    "three_plus_placements",
                    "long_term_eligible",
                    "long_term_stable",
                )
            },
        ),
    ),
    AggregateTable(
        name="placement-changes",
        description="Placement changes during the year by reason, by year",
        dimensions=("year", "reason"),
        counts=("changes",),
        compute=lambda e, c: _with(
            placements.placement_changes(e, list(c.years)), ["year", "reason", "changes"]
        ),
        present=lambda long, c: {
            "placement-changes": presentation.placement_changes_table(
                long, list(c.years), c.reporting_year
            )
        },
        layout=GroupsByYear("reason", "Reason for the change", "placement-changes"),
    ),
)

TABLES_BY_NAME: dict[str, AggregateTable] = {t.name: t for t in TABLES}


def table_spec(name: str) -> AggregateTable:
    """The contract's table of that name (KeyError naming the known ones)."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        raise KeyError(f"no aggregate table {name!r}; known: {', '.join(TABLES_BY_NAME)}") from None


def borough_aggregates(
    episodes: pd.DataFrame, context: AggregateContext
) -> dict[str, pd.DataFrame]:
    """Every table of the contract for one borough's episodes (exact counts, unprotected:
    internal until :mod:`mps.federated.export` protects them).

    Counts are whole numbers; a count the returns cannot give (e.g. re-entries within 12
    months in the first year loaded) is missing (``<NA>``).
    """
    if "la" in episodes and episodes["la"].nunique() > 1:
        raise ValueError(
            "borough_aggregates takes one borough's episodes; got "
            f"{episodes['la'].nunique()} boroughs: compute each borough's separately"
        )
    found = {}
    for table in TABLES:
        long = table.compute(episodes, context)
        long = long.astype({c: "Int64" for c in table.counts})
        found[table.name] = long
    return found
