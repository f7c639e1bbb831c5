"""SSDA903 (children looked after) returns: read, validate, merge years into one episode table.

Analysts hold their 903 data in several shapes, and :func:`load_borough` reads them all
into the same longitudinal episode table with the same validation report; the shape is
detected, not declared (:mod:`mps.data.ssda903_sources`):

- a folder with one sub-folder per collection year (``2024`` or ``2023-24`` for the 2023-24
  return), each holding the DfE CSV layout files (Header, Episodes, UASC, Missing, OC2, OC3,
  AD1, PlacedAdoption, PrevPerm, Reviews, SWEpisodes; reference §2.2), or one year's files;
- pooled files, one per table, holding many councils and years with ``LA`` and ``YEAR``
  columns and ISO dates, as the LIIA tools and the regional demand-model app write them
  (:mod:`mps.data.ssda903_pooled`);
- the XML return of case-management systems (:mod:`mps.data.ssda903_xml`);
- Excel workbooks with one sheet per table (:mod:`mps.data.ssda903_excel`).

File and sheet names do not matter: each table is detected from its columns
(:func:`detect_table`). Every shape becomes the same per-year text tables, each row keeping
the file (and sheet) and line it came from, and then goes through the same validation
(reference §2.3-2.6; each rule has a short id such as ``"dob-after-decom"``) and the same
merge of the years as the sector does it (reference §4.1): a later return's record of an
episode replaces an earlier one's (episodes are keyed on CHILD and DECOM), the latest Header
per child wins, and overlapping episodes are truncated to the next start. The result is a
:class:`Return903` whose ``episodes`` frame is the contract the analysis modules rely on
(:data:`EPISODE_COLUMNS`).

Severities follow :mod:`mps.data.validation`: a *fatal* issue (a missing file or column, an
empty or unreadable file) stops the borough and :class:`FatalValidationError` is raised with
nothing returned; an *error* rejects its row (the row is counted, never silently dropped); a
*warning* keeps the row, perhaps repaired.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mps.data.layout import SSDA903_FOLDER, ssda903_folder
from mps.data.ssda903_checks import Recorder, Validated, validate_year
from mps.data.ssda903_location import add_placement_locations, read_postcode_directory
from mps.data.ssda903_merge import latest_wins, merge_episodes, typed_episodes, typed_table
from mps.data.ssda903_sources import default_la, find_returns, pooled_councils
from mps.data.ssda903_spec import (
    EPISODE_COLUMNS,
    TABLE_SPECS,
    TableSpec,
    detect_table,
    parse_collection_year,
)
from mps.data.validation import FatalValidationError, ValidationReport

__all__ = [
    "EPISODE_COLUMNS",
    "TABLE_SPECS",
    "FatalValidationError",
    "Return903",
    "TableSpec",
    "add_placement_locations",
    "borough_source",
    "detect_table",
    "load_borough",
    "parse_collection_year",
    "pooled_councils",
    "read_postcode_directory",
]


@dataclass
class Return903:
    """A borough's 903 returns, validated and merged across collection years.

    ``episodes`` has exactly :data:`EPISODE_COLUMNS`, sorted by la, CHILD and DECOM.
    ``tables`` holds the other tables (header, uasc, missing, oc2, oc3, ad1,
    placed_adoption, prev_perm, reviews, sw_episodes, dolo) merged across years, each with
    ``collection_year``, ``source_file`` and ``source_row``. ``extra_columns`` holds, per
    table, any columns the files carried beyond the DfE layout, keyed by source_file and
    source_row. ``la_value`` is the council whose rows were read from pooled data (``None``
    for a council's own files), ``shapes`` what was read (``CSV``, ``pooled CSV``, ``XML``,
    ``Excel``...).
    """

    la: str
    years: list[int]
    episodes: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    report: ValidationReport
    extra_columns: dict[str, pd.DataFrame] = field(default_factory=dict)
    la_value: str | None = None
    shapes: list[str] = field(default_factory=list)


def load_borough(
    path: str | Path,
    *,
    la: str | None = None,
    years: Iterable[int] | None = None,
    la_code: str | None = None,
    postcodes: pd.DataFrame | None = None,
    strict: bool = False,
    la_value: str | None = None,
) -> Return903:
    """Read, validate and merge a borough's 903 returns (see the module docstring).

    ``path`` is a folder holding one sub-folder per collection year (``2024``, ``2023-24``,
    ``2023_24``), or the files of a single year (whose year is ``years``, else the folder's
    name, else inferred from the latest episode date), or pooled files; or one file (an XML
    return, a workbook, a pooled CSV). ``years`` limits which years are read. Pooled data
    holding several councils is filtered to ``la_value`` (the borough's value in the LA
    column), else to the council matching ``la_code`` or ``la``. ``la`` names the borough in
    the episode table (default: the pooled data's LA value, else its folder). With
    ``postcodes`` (a postcode directory frame, see :func:`read_postcode_directory`)
    PL_DISTANCE, PL_LA and, with ``la_code``, PL_LOCATION are derived. ``strict`` makes every
    error fatal.

    Raises :class:`FatalValidationError` (naming file, row, column and value) when the
    returns cannot be used; nothing partial is returned.
    """
    path = Path(path)
    report = ValidationReport()
    recorder = Recorder(report, strict)
    found = find_returns(
        path,
        years=years,
        la_value=la_value,
        la_candidates=(la_code, la or default_la(path)),
        recorder=recorder,
    )
    la = la or found.la_value or default_la(path)

    per_year: dict[int, dict[str, Validated]] = {}
    for year in sorted(found.years):
        per_year[year] = validate_year(found.years[year], year, recorder)
        found.years[year] = {}  # the raw text tables are no longer needed: free them early
    recorder.stop_if_fatal()
    loaded = sorted(per_year)
    if found.la_value is not None:
        others = len(found.las) - 1
        report.notes.append(
            f"Rows of LA {found.la_value!r} read from pooled data"
            + (f" ({others} other council(s) in it)." if others else ".")
        )

    merged: dict[str, pd.DataFrame | None] = {}
    extras: dict[str, pd.DataFrame] = {}
    superseded_notes = []
    for name, spec in TABLE_SPECS.items():
        parts = [per_year[y][name] for y in loaded if name in per_year[y]]
        if not parts:
            merged[name] = None
            continue
        frame = pd.concat([p.frame for p in parts], ignore_index=True)
        extra = pd.concat([p.extras for p in parts], ignore_index=True)
        if extra.shape[1] > 3:
            extras[name] = extra
        if name != "episodes" and spec.merge_key is not None:
            frame, superseded = latest_wins(frame, spec.merge_key)
            if superseded:
                superseded_notes.append(f"{superseded} {spec.label}")
        merged[name] = frame
    if superseded_notes:
        report.notes.append(
            "Records superseded by a later return in other tables: "
            + ", ".join(superseded_notes)
            + "."
        )
    header = merged["header"]
    uasc = (
        merged["uasc"]
        if merged["uasc"] is not None
        else pd.DataFrame({"CHILD": pd.Series(dtype=str), "DUC": pd.Series(dtype="datetime64[ns]")})
    )
    assert header is not None
    episodes = merge_episodes(
        [per_year[y]["episodes"].frame for y in loaded], header, uasc, la, loaded, recorder
    )
    if postcodes is not None:
        episodes, notes = add_placement_locations(typed_episodes(episodes), postcodes, la_code)
        report.notes.extend(notes)
    episodes = typed_episodes(episodes)
    gaps = sorted(set(range(loaded[0], loaded[-1] + 1)) - set(loaded))
    if gaps:
        report.notes.append(
            f"No return for {', '.join(map(str, gaps))}: episodes of those years may be missing."
        )
    tables = {name: typed_table(name, merged[name]) for name in TABLE_SPECS if name != "episodes"}
    return Return903(la, loaded, episodes, tables, report, extras, found.la_value, found.shapes)


def borough_source(data_dir: str | Path, folder: str, source: str | Path | None = None) -> Path:
    """Where one borough's 903 data is, for :func:`load_borough`.

    ``source`` when given (relative paths are under ``data_dir``); else the borough's own
    ``<data_dir>/<folder>/ssda903``; else, when the borough has none, the consortium's pooled
    data in ``<data_dir>/ssda903`` (files with LA and YEAR columns holding several boroughs);
    else the borough's own folder, so that the error names where its data was looked for.
    """
    data_dir = Path(data_dir)
    if source is not None:
        return data_dir / source
    own = ssda903_folder(data_dir, folder)
    pooled = data_dir / SSDA903_FOLDER
    if not own.exists() and pooled.exists():
        return pooled
    return own
