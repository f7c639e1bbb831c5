"""The words of the documents: narrative from the parameters, rendered as Markdown.

The front matter (introduction, vision, principles, the statutory duty) and the end
matter (what we want from providers, how we commission, contacts, priorities, the action
plan) of the Market Position Statement and the sufficiency plan are written by the
consortium and its boroughs, not computed. They live in ``narrative`` (see
:class:`Narrative` for the keys): ``parameters/narrative/<consortium>.yaml``, then
``parameters/narrative/boroughs/<borough>.yaml``, then any ``narrative:`` keys in the
parameter files, later winning (:attr:`mps.config.AreaSettings.narrative`).

Text may name ``{area_name}``, ``{consortium_name}``, ``{edition}`` and ``{year}`` (the
reporting year); they are filled in for each area, so one consortium text serves every
borough. A borough's ``local_actions`` and ``local_priorities`` are added to the
consortium's.

This module also reads the previous edition's published tables for the annual refresh
(:func:`read_previous_table`, :func:`previous_edition_review`).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mps.analysis.sufficiency import INDICATORS, direction


class NarrativeError(ValueError):
    """The narrative in the parameters has a key or value that is not allowed."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Principle(_Strict):
    title: str
    text: str


class Contact(_Strict):
    role: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None


class Priority(_Strict):
    ref: str
    title: str
    text: str = ""


class Action(_Strict):
    ref: str
    action: str
    owner: str
    due: str | date
    measure: str
    priority: str = ""


class Narrative(_Strict):
    """The narrative keys (all optional: a missing one leaves its section out, or says
    what would fill it)."""

    introduction: str = ""
    vision: str = ""
    principles: list[Principle] = Field(default_factory=list)
    statutory_duty: str = ""
    partnership: str = ""
    local_context: str = ""
    voice_of_children: str = ""
    #: What we want from providers, by placement category or need profile slug.
    commissioning_intentions: dict[str, str] = Field(default_factory=dict)
    what_we_want: list[str] = Field(default_factory=list)
    how_we_commission: str = ""
    contacts: list[Contact] = Field(default_factory=list)
    priorities: list[Priority] = Field(default_factory=list)
    local_priorities: list[Priority] = Field(default_factory=list)
    action_plan: list[Action] = Field(default_factory=list)
    local_actions: list[Action] = Field(default_factory=list)
    #: This year's progress on the last edition's actions, by action ref.
    action_progress: dict[str, str] = Field(default_factory=dict)
    monitoring: str = ""

    @property
    def all_priorities(self) -> list[Priority]:
        return [*self.priorities, *self.local_priorities]

    @property
    def all_actions(self) -> list[Action]:
        return [*self.action_plan, *self.local_actions]


def load_narrative(mapping: Mapping[str, Any] | None) -> Narrative:
    """The area's narrative (``settings["narrative"]``), checked; a mistake raises
    :class:`NarrativeError` naming the key."""
    try:
        return Narrative.model_validate(dict(mapping or {}))
    except ValidationError as error:
        lines = [
            f"narrative key {'.'.join(str(p) for p in item['loc'])}: {item['msg']}"
            for item in error.errors()
        ]
        raise NarrativeError("\n".join(lines)) from error


class _Keep(dict):
    """Placeholders not given stay as written (``{unknown}``)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, context: Mapping[str, object]) -> str:
    """``text`` with ``{area_name}`` etc. filled in from ``context``; other braces kept."""
    formatter = string.Formatter()
    try:
        return formatter.vformat(text, (), _Keep(context))
    except (ValueError, IndexError):
        return text  # braces that are not placeholders (e.g. a lone "{")


def _paragraphs(text: str, context: Mapping[str, object]) -> str:
    return fill(text.strip(), context)


def section(heading: str, body: str, level: int = 2) -> str:
    """A Markdown section: a heading and its body."""
    return f"{'#' * level} {heading}\n\n{body.strip()}\n"


def not_provided(what: str, would_fill: str) -> str:
    """The sentence a section shows when its data were not provided."""
    return f"*Data not provided.* {what} {would_fill}"


# --- front matter ----------------------------------------------------------------------------
def introduction_markdown(
    narrative: Narrative, context: Mapping[str, object], *, document: str
) -> str:
    """The introduction: the narrative's own text, or a plain default naming the area."""
    if narrative.introduction:
        return _paragraphs(narrative.introduction, context)
    if document == "plan":
        return fill(
            "This plan sets out how {area_name} will secure enough homes of the right kind "
            "for the children it looks after, from the evidence of need and supply for the "
            "year to 31 March {year}.",
            context,
        )
    return fill(
        "This Market Position Statement tells providers of homes for children in care what "
        "{area_name} needs now and expects to need, what it buys and how, and what it wants "
        "from providers. The figures are for the year to 31 March {year}.",
        context,
    )


def vision_markdown(narrative: Narrative, context: Mapping[str, object]) -> str:
    """The vision as a quotation, then the principles as a list of titled paragraphs."""
    parts = []
    if narrative.vision:
        parts.append("> " + _paragraphs(narrative.vision, context).replace("\n", "\n> "))
    if narrative.principles:
        parts.append(
            "\n".join(
                f"- **{fill(p.title, context)}.** {_paragraphs(p.text, context)}"
                for p in narrative.principles
            )
        )
    if narrative.voice_of_children:
        parts.append(
            "**What children and young people told us.** "
            + _paragraphs(narrative.voice_of_children, context)
        )
    return (
        "\n\n".join(parts)
        if parts
        else not_provided(
            "The consortium's vision and principles are not in the parameters.",
            "Add `vision` and `principles` under `narrative` to show them here.",
        )
    )


def text_or_missing(text: str, context: Mapping[str, object], key: str, what: str) -> str:
    """A narrative text, or the sentence saying which key would fill it."""
    if text:
        return _paragraphs(text, context)
    return not_provided(f"{what} is not in the parameters.", f"Add `{key}` under `narrative`.")


# --- end matter ----------------------------------------------------------------------------
def intentions_markdown(
    narrative: Narrative,
    context: Mapping[str, object],
    labels: Mapping[str, str],
    evidence: Mapping[str, str] | None = None,
) -> str:
    """Commissioning intentions, one titled paragraph per category or profile, in the
    order of ``labels`` (slug -> label), each followed by its evidence sentence (e.g. the
    gap from the gap report) where there is one; then the general asks."""
    evidence = evidence or {}
    parts = []
    for slug, label in labels.items():
        text = narrative.commissioning_intentions.get(slug)
        if not text:
            continue
        line = f"**{label}.** {_paragraphs(text, context)}"
        if evidence.get(slug):
            line += f" {evidence[slug]}"
        parts.append(line)
    unknown = sorted(set(narrative.commissioning_intentions) - set(labels))
    if unknown:
        raise NarrativeError(
            "narrative key commissioning_intentions: unknown placement categories or need "
            f"profiles {unknown}; use {', '.join(labels)}"
        )
    if narrative.what_we_want:
        parts.append(
            "From every provider we want:\n\n"
            + "\n".join(f"- {fill(w, context)}" for w in narrative.what_we_want)
        )
    if not parts:
        return not_provided(
            "No commissioning intentions are in the parameters.",
            "Add `commissioning_intentions` (by placement category or need profile) and "
            "`what_we_want` under `narrative`.",
        )
    return "\n\n".join(parts)


def contacts_markdown(narrative: Narrative, context: Mapping[str, object]) -> str:
    """Contacts as a list: role, name, e-mail (as a link) and telephone."""
    if not narrative.contacts:
        return not_provided(
            "No contacts are in the parameters.", "Add `contacts` under `narrative`."
        )
    lines = []
    for contact in narrative.contacts:
        parts = [f"**{fill(contact.role, context)}**"]
        if contact.name:
            parts.append(contact.name)
        if contact.email:
            parts.append(f"[{contact.email}](mailto:{contact.email})")
        if contact.phone:
            parts.append(contact.phone)
        lines.append("- " + ", ".join(parts))
    return "\n".join(lines)


def priorities_markdown(narrative: Narrative, context: Mapping[str, object]) -> str:
    """The plan's priorities as a numbered list."""
    priorities = narrative.all_priorities
    if not priorities:
        return not_provided(
            "No priorities are in the parameters.", "Add `priorities` under `narrative`."
        )
    return "\n".join(
        f"{n}. **{fill(p.title, context)}** ({p.ref}). {_paragraphs(p.text, context)}".rstrip()
        for n, p in enumerate(priorities, start=1)
    )


def _due(value: str | date) -> str:
    """A due date as "March 2026" (text that is not an ISO date is kept as written)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return value.strftime("%B %Y")


def action_plan_frame(narrative: Narrative, context: Mapping[str, object]) -> pd.DataFrame:
    """The action plan as a table: Ref, Priority, Action, Lead, By, Measure of success."""
    actions = narrative.all_actions
    return pd.DataFrame(
        {
            "Ref": [a.ref for a in actions],
            "Priority": [a.priority for a in actions],
            "Action": [fill(a.action, context) for a in actions],
            "Lead": [fill(a.owner, context) for a in actions],
            "By": [_due(a.due) for a in actions],
            "Measure of success": [fill(a.measure, context) for a in actions],
        }
    )


# --- the previous edition ------------------------------------------------------------------
PREVIOUS_PLACES = ("data-annex", "tables/gap_report", "tables/commissioning", "")
_YEAR_PERCENT = re.compile(r"^(\d{4}) %$")


def previous_table_path(folder: str | Path, area: str, name: str) -> Path | None:
    """Where the previous edition keeps table ``name`` for ``area``: its data annex
    (``<folder>/<area>/data-annex/<name>.csv``), a build's tables folder, or
    ``<folder>/<area>/<name>.csv``; None when it has none."""
    for place in PREVIOUS_PLACES:
        path = Path(folder) / area / place / f"{name}.csv"
        if path.is_file():
            return path
    return None


def read_previous_table(folder: str | Path, area: str, name: str) -> pd.DataFrame | None:
    """The previous edition's published table ``name`` for ``area`` (text cells), or None."""
    path = previous_table_path(folder, area, name)
    if path is None:
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _published_number(value: object) -> float:
    """A published cell as a number: ``c``, ``x``, ``z``, ``k`` and blanks are not known."""
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return np.nan


def previous_indicators(table: pd.DataFrame, source: str = "previous edition") -> pd.DataFrame:
    """Last edition's indicator table (as :func:`mps.sufficiency_tables.indicator_table`
    published it) as ``label``, ``year`` (its reporting year), ``percent`` and ``target``.
    Raises ValueError naming ``source`` when the table is not that shape."""
    if "Indicator" not in table.columns:
        raise ValueError(f"{source}: no column Indicator (expected a sufficiency indicator table)")
    years = [int(m.group(1)) for c in table.columns if (m := _YEAR_PERCENT.match(str(c)))]
    if not years:
        raise ValueError(
            f"{source}: no column named like '2025 %' (expected a sufficiency indicator table)"
        )
    year = max(years)
    target = table["Target %"] if "Target %" in table.columns else pd.Series("", index=table.index)
    return pd.DataFrame(
        {
            "label": table["Indicator"],
            "year": year,
            "percent": table[f"{year} %"].map(_published_number),
            "target": target.map(_published_number),
        }
    )


def previous_edition_review(previous: pd.DataFrame, review: pd.DataFrame) -> pd.DataFrame:
    """Each indicator the last edition published, with its figure and target, against
    this year's (``review`` from :func:`mps.analysis.sufficiency.indicator_review`).

    Columns: ``label``, ``previous_percent``, ``previous_target``, ``children``, ``of``,
    ``percent``, ``change`` (points since the last edition) and ``target_met`` (this
    year's figure against the last edition's target; NA without a target or figure).
    Indicators this edition does not compute are left out.
    """
    known = {i.label for i in INDICATORS}
    previous = previous[previous["label"].isin(known)]
    merged = previous.merge(review, on="label", how="inner")
    out = pd.DataFrame(
        {
            "label": merged["label"],
            "previous_percent": merged["percent_x"],
            "previous_target": merged["target_x"],
            "children": merged["children"],
            "of": merged["of"],
            "percent": merged["percent_y"],
        }
    )
    out["change"] = (out["percent"] - out["previous_percent"]).round(1)
    out["direction"] = [
        direction(a, b) for a, b in zip(out["previous_percent"], out["percent"], strict=True)
    ]
    met = [
        pd.NA if pd.isna(t) or pd.isna(p) else bool(p >= t)
        for t, p in zip(out["previous_target"], out["percent"], strict=True)
    ]
    out["target_met"] = pd.array(met, dtype="boolean")
    return out.reset_index(drop=True)


def previous_actions_frame(table: pd.DataFrame, progress: Mapping[str, str]) -> pd.DataFrame:
    """Last edition's action plan (as published) with this year's progress on each action
    (``action_progress`` in the narrative, by Ref; "No update given" when absent)."""
    columns = [c for c in ("Ref", "Action", "Lead", "By") if c in table.columns]
    if "Ref" not in columns or "Action" not in columns:
        raise ValueError("previous action plan: expected columns Ref and Action")
    frame = table[columns].copy()
    frame["Progress"] = frame["Ref"].map(lambda ref: progress.get(ref, "No update given"))
    return frame.reset_index(drop=True)


def describe_sources(names: Sequence[str]) -> str:
    """``["a", "b", "c"]`` as "a, b and c"."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}"


# --- for the notebooks ------------------------------------------------------------------
def year_end(year: int) -> pd.Timestamp:
    """31 March of collection ``year``."""
    return pd.Timestamp(year=int(year), month=3, day=31)


def area_context(report: Any) -> dict[str, object]:
    """The placeholders a narrative text may use, for the area of ``report``."""
    settings = report.settings or {}
    members = (settings.get("consortium") or {}).get("members") or []
    return {
        "area_name": report.area_name,
        "consortium_name": report.consortium_name,
        "year": report.reporting_year,
        "edition": settings.get("edition", ""),
        "members": describe_sources([m["name"] for m in members] or list(report.borough_names)),
    }


def area_heading(report: Any) -> str:
    """The heading of the section about the area."""
    return "About the partnership" if report.is_consortium else f"About {report.area_name}"


def area_markdown(narrative: Narrative, context: Mapping[str, object], report: Any) -> str:
    """The partnership (for the consortium) or the borough's local context, with the
    members named."""
    settings = report.settings or {}
    members = (settings.get("consortium") or {}).get("members") or []
    count = len(members) or len(report.borough_names)
    parts = []
    if report.is_consortium:
        if narrative.partnership:
            parts.append(_paragraphs(narrative.partnership, context))
        parts.append(fill(f"The partnership's {count} member councils are {{members}}.", context))
    else:
        if narrative.local_context:
            parts.append(_paragraphs(narrative.local_context, context))
        parts.append(
            fill(
                f"{{area_name}} is one of the {count} member councils of {{consortium_name}} "
                "({members}), which commission placements together; this document gives "
                "{area_name}'s own figures, and the partnership publishes its joint one.",
                context,
            )
        )
    return "\n\n".join(parts)


def reading_notes(report: Any) -> str:
    """How to read the figures: years, symbols, rounding, where the tables are."""
    notes = [
        f"- A year runs from 1 April to 31 March and is named by its end: {report.reporting_year}"
        f" is 1 April {report.reporting_year - 1} to 31 March {report.reporting_year}.",
        "- Children looked after are counted as the Department for Education counts them: "
        "each child once, children looked after only for short breaks left out.",
        f"- To protect children's privacy, counts from 1 to {report.suppression_threshold} are "
        "shown as **c**, as are other cells from which one could be worked out. **x** means "
        "not available, **z** not applicable, **k** a number that rounds to 0.",
        "- Percentages and prices derived from a withheld count are withheld too.",
    ]
    if report.round_to:
        notes.append(
            f"- The partnership's counts are rounded to the nearest {report.round_to}, so "
            "totals may differ from the sum of their parts."
        )
    notes.append(
        "- Tables and figures are numbered; every table is in the data annex that comes "
        "with this document."
    )
    return "\n".join(notes)


def published_table(tables_dir: str, notebook: str, name: str) -> pd.DataFrame | None:
    """A table another notebook of the same area published in this build (text cells), or
    None (the notebook opened on its own, or the other has not run)."""
    if not tables_dir:
        return None
    path = Path(tables_dir).parent / notebook / f"{name}.csv"
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _intention_labels() -> dict[str, str]:
    from mps.analysis.gaps import GAP_CATEGORIES
    from mps.codes import CATEGORY_LABELS, PlacementCategory
    from mps.data.layout import NEED_PROFILES

    labels = {c: CATEGORY_LABELS[PlacementCategory(c)] for c in GAP_CATEGORIES}
    return {**labels, **NEED_PROFILES}


#: What commissioning intentions may be written for: the commissioned categories and the
#: need profiles.
INTENTION_LABELS = _intention_labels()


def intention_evidence(published_gap: pd.DataFrame | None) -> dict[str, str]:
    """For each commissioned category, a sentence giving its gap in the last forecast year
    from the gap report's published table (withheld values stay withheld)."""
    if published_gap is None or published_gap.empty:
        return {}
    by_label = {v: k for k, v in INTENTION_LABELS.items()}
    last = published_gap["Year"].iloc[-1]
    rows = published_gap[published_gap["Year"] == last]
    evidence = {}
    for _, row in rows.iterrows():
        slug = by_label.get(row["Placement"])
        if slug is None:
            continue
        gap = _published_number(row["Gap"])
        if np.isnan(gap):
            evidence[slug] = f"(The forecast gap at {last} is withheld to protect confidentiality.)"
        elif gap >= 1:
            evidence[slug] = (
                f"(At {last} the forecast needs about {int(gap)} more places than are secured.)"
            )
        elif gap <= -1:
            evidence[slug] = (
                f"(At {last} about {int(-gap)} secured places are not expected to be needed.)"
            )
        else:
            evidence[slug] = f"(At {last} the places secured match forecast demand.)"
    from mps.sufficiency_text import fostering_gap

    together = fostering_gap(published_gap, int(str(last)[-4:]))
    if together is not None and "inhouse_fostering" in evidence:
        # In-house places beyond in-house demand can take children an agency would: the
        # fostering need is the two together.
        evidence["inhouse_fostering"] = (
            f"(At {last}, taking in-house and agency fostering together, about "
            f"{int(together)} more foster places are needed than are secured.)"
            if together >= 1
            else f"(At {last} the foster places secured, in-house and agency together, cover "
            "forecast demand.)"
        )
    return evidence


def _previous(report: Any) -> tuple[Path, str] | None:
    previous = (report.settings or {}).get("previous_edition")
    if not previous or not previous.get("folder"):
        return None
    return Path(previous["folder"]), str(previous.get("edition", "previous"))


def previous_edition_comparison(
    report: Any, review: pd.DataFrame
) -> tuple[pd.DataFrame, str] | None:
    """The last edition's indicators against this year's (:func:`previous_edition_review`)
    and the edition's label, or None when there is no previous edition for the area."""
    found = _previous(report)
    if found is None:
        return None
    folder, edition = found
    table = read_previous_table(folder, report.area, "sufficiency-indicators")
    if table is None:
        return None
    path = previous_table_path(folder, report.area, "sufficiency-indicators")
    comparison = previous_edition_review(previous_indicators(table, str(path)), review)
    return (comparison, edition) if len(comparison) else None


def previous_actions(report: Any) -> tuple[pd.DataFrame, str] | None:
    """The last edition's action plan (the area's, else the consortium's) with this year's
    progress from the narrative, and the edition's label; None when there is none."""
    found = _previous(report)
    if found is None:
        return None
    folder, edition = found
    table = read_previous_table(folder, report.area, "action-plan")
    if table is None:
        table = read_previous_table(folder, report.consortium, "action-plan")
    if table is None:
        return None
    narrative = load_narrative((report.settings or {}).get("narrative"))
    return previous_actions_frame(table, narrative.action_progress), edition
