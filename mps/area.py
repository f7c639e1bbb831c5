"""An area's data: one borough's, or a consortium's pooled from its boroughs.

The build ingests and validates each borough once (:func:`prepare_borough`), writing its
longitudinal episode table as Parquet; every notebook of every area then reads those
files (:func:`load_area`) rather than re-reading the 903 CSVs. A consortium's table is the
concatenation of its boroughs' tables, so consortium figures come from pooled data.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
import pickle
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mps.data import layout
from mps.data.needs import DEFAULT_INDICATORS, read_needs
from mps.data.population import read_population
from mps.data.providers import read_providers
from mps.data.referrals import read_referrals
from mps.data.spend import read_spend
from mps.data.ssda903 import borough_source, load_borough, read_postcode_directory
from mps.data.supply import read_contracts, read_fostering
from mps.data.validation import FatalValidationError, ValidationReport

EPISODES_FILE = "episodes.parquet"
ISSUES_FILE = "validation-issues.csv"
COUNTS_FILE = "validation-counts.csv"
SUMMARY_FILE = "validation-summary.txt"


@dataclass
class AreaData:
    """Everything the notebooks analyse for one area."""

    episodes: pd.DataFrame
    population: pd.DataFrame | None
    #: Optional inputs, pooled over the area's boroughs with an ``la`` column first; ``None``
    #: when no borough of the area has the file. ``providers`` is the consortium's register.
    spend: pd.DataFrame | None = None
    referrals: pd.DataFrame | None = None
    needs: pd.DataFrame | None = None
    providers: pd.DataFrame | None = None
    #: Supply inputs (optional, per borough): in-house fostering and commissioned contracts.
    fostering: pd.DataFrame | None = None
    contracts: pd.DataFrame | None = None
    #: The boroughs that supplied each optional input (``"spend"`` -> slugs).
    coverage: dict[str, list[str]] = field(default_factory=dict)
    #: Validation of the optional inputs (internal: issues name child-level rows).
    inputs_report: ValidationReport = field(default_factory=ValidationReport)


def _postcodes(data_dir: Path) -> pd.DataFrame | None:
    """The consortium's postcode directory, read once per process: every borough a build
    worker prepares uses the same one (England's is large)."""
    path = Path(data_dir) / layout.POSTCODES_FILE
    if not path.is_file():
        return None
    stat = path.stat()
    return _read_postcodes(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=2)
def _read_postcodes(path: str, size: int, mtime_ns: int) -> pd.DataFrame:
    # size and mtime_ns are part of the cache key: a changed file is read again
    return read_postcode_directory(path)


def prepare_borough(
    *,
    data_dir: str | Path,
    borough: str,
    la_code: str,
    years: Sequence[int],
    out_dir: str | Path,
    strict: bool = False,
    data_folder: str | None = None,
    ssda903_source: str | Path | None = None,
    la_value: str | None = None,
) -> Path:
    """Ingest and validate one borough's 903 returns into ``out_dir/<borough>/``.

    The returns may be in any shape :func:`~mps.data.ssda903.load_borough` reads; where they
    are is :func:`~mps.data.ssda903.borough_source` (``ssda903_source``, e.g. from
    :meth:`~mps.config.ConsortiumSettings.ssda903_source_for`, else the borough's own
    ``ssda903`` folder, else the consortium's pooled ``<data_dir>/ssda903``). In pooled data
    the borough's rows are those of ``la_value``, else of the council matching ``la_code``
    or the borough's slug.

    Writes the episode table (Parquet) and the validation report (issues and row counts
    as CSV, plus a plain summary). The folder appears only when everything is written;
    a fatal issue raises :class:`~mps.data.validation.FatalValidationError` and leaves
    any earlier prepared folder untouched.
    """
    data_dir = Path(data_dir)
    final = Path(out_dir) / borough
    returns = load_borough(
        borough_source(data_dir, data_folder or borough, ssda903_source),
        la=borough,
        years=years,
        la_code=la_code,
        la_value=la_value,
        postcodes=_postcodes(data_dir),
        strict=strict,
    )
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{borough}-", dir=final.parent))
    try:
        returns.episodes.to_parquet(staging / EPISODES_FILE, index=False)
        returns.report.write_csv(staging / ISSUES_FILE)
        returns.report.counts_frame().to_csv(staging / COUNTS_FILE, index=False)
        (staging / SUMMARY_FILE).write_text(returns.report.summary() + "\n", encoding="utf-8")
        if final.exists():
            retired = final.with_name(f".{borough}-old-{os.getpid()}")
            final.rename(retired)
            staging.rename(final)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(final)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return final


def load_area(
    *,
    boroughs: Sequence[str],
    la_codes: Sequence[str],
    data_dir: str | Path,
    prepared_dir: str | Path | None = None,
    years: Sequence[int] | None = None,
    settings: Mapping[str, Any] | None = None,
    cache_dir: str | Path | None = None,
) -> AreaData:
    """Load an area's pooled episodes and population, and its optional inputs.

    With ``prepared_dir`` the boroughs' prepared Parquet files are read (the build's
    path); without it each borough's 903 returns are read and validated here (the path
    notebooks take when opened on their own, e.g. under nbval).

    Spend, referrals and needs assessments are read from each borough's folder when the
    file is there, and the provider register from the data folder (see
    :func:`load_optional_inputs`); ``settings`` (the notebooks' analysis settings) names the
    needs indicators and rating scale. With ``cache_dir`` (the area's results folder in a
    build, named by the data it was computed from) they are read and validated once for all
    the area's notebooks.
    """
    data_dir = Path(data_dir)
    frames = []
    for borough, la_code in zip(boroughs, la_codes, strict=True):
        if prepared_dir:
            frames.append(pd.read_parquet(Path(prepared_dir) / borough / EPISODES_FILE))
        else:
            returns = load_borough(
                borough_source(data_dir, member_folders(settings).get(borough, borough)),
                la=borough,
                years=years,
                la_code=la_code,
                postcodes=_postcodes(data_dir),
            )
            frames.append(returns.episodes)
    episodes = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    population_file = data_dir / layout.POPULATION_FILE
    population = None
    if population_file.is_file():
        population = read_population(population_file)
        population = population[population["la_code"].isin(list(la_codes))].reset_index(drop=True)
    area = AreaData(episodes=episodes, population=population)
    shared = Path(prepared_dir) / INPUTS_CACHE if prepared_dir else None
    _optional_inputs_once(area, boroughs, data_dir, settings, cache_dir, shared)
    return area


#: Under a build's prepared folder: each borough's optional inputs as read and validated,
#: for every area that pools them (the borough, its region, England), read once a build.
INPUTS_CACHE = "_inputs"


_OPTIONAL = ("spend", "referrals", "needs", "providers", "fostering", "contracts")


def _optional_inputs_once(
    area: AreaData,
    boroughs: Sequence[str],
    data_dir: Path,
    settings: Mapping[str, Any] | None,
    cache_dir: str | Path | None,
    shared_dir: Path | None = None,
) -> None:
    """:func:`load_optional_inputs`, through a cache shared by the area's notebooks."""
    cache = Path(cache_dir) / "optional-inputs.pickle" if cache_dir else None
    if cache is not None and cache.is_file():
        # Written by this build's code from this build's data (the folder is named by both).
        saved = pickle.loads(cache.read_bytes())
        for name in _OPTIONAL:
            setattr(area, name, saved[name])
        area.coverage, area.inputs_report = saved["coverage"], saved["inputs_report"]
        return
    load_optional_inputs(
        area, boroughs=boroughs, data_dir=data_dir, settings=settings, shared_dir=shared_dir
    )
    if cache is not None:
        saved = {name: getattr(area, name) for name in _OPTIONAL}
        saved.update(coverage=area.coverage, inputs_report=area.inputs_report)
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f".{cache.name}-{os.getpid()}")
        partial.write_bytes(pickle.dumps(saved, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, cache)  # another notebook of the area may be reading it


def _borough_input_readers(settings: Mapping[str, Any] | None) -> dict[str, tuple[str, Any]]:
    """Each optional input a borough's folder may hold: its file name and its reader."""
    needs = dict((settings or {}).get("needs") or {})
    indicators = [i["slug"] for i in needs.get("indicators") or []] or list(DEFAULT_INDICATORS)
    scale = {k: needs[k] for k in ("rating_min", "rating_max") if k in needs}
    return {
        "spend": (layout.SPEND_FILE, read_spend),
        "referrals": (layout.REFERRALS_FILE, read_referrals),
        "needs": (
            layout.NEEDS_FILE,
            lambda path, report: read_needs(path, report, indicators=indicators, **scale),
        ),
        "fostering": (layout.FOSTERING_FILE, read_fostering),
        "contracts": (layout.CONTRACTS_FILE, read_contracts),
    }


def validate_borough_inputs(
    folder: str | Path, settings: Mapping[str, Any] | None = None
) -> ValidationReport:
    """Check the optional inputs in one borough's folder (spend, referrals, needs
    assessments, in-house fostering, contracts) as a build reads them. A fatal problem in
    one file is recorded in the report and the other files are still checked."""
    report = ValidationReport()
    for file_name, reader in _borough_input_readers(settings).values():
        path = Path(folder) / file_name
        if not path.is_file():
            continue
        found = ValidationReport()
        with contextlib.suppress(FatalValidationError):  # recorded in the report
            reader(path, found)
        # Named as in the folder, like the 903 files beside them ("spend.csv").
        for issue in found.issues:
            report.add(dataclasses.replace(issue, file=file_name))
        for count in found.counts.values():
            report.counts[file_name] = dataclasses.replace(count, file=file_name)
    return report


def _read_once(
    path: Path,
    name: str,
    reader: Any,
    report: ValidationReport,
    shared_dir: Path | None,
    settings: Mapping[str, Any] | None,
) -> pd.DataFrame:
    """``reader(path, report)``, through a record in ``shared_dir`` of what it returned and
    found for this file's size and time (and the needs settings it was read with)."""
    if shared_dir is None:
        return reader(path, report)
    stat = path.stat()
    how = json.dumps((settings or {}).get("needs") or {}, sort_keys=True, default=str)
    key = hashlib.sha256(f"{path.resolve()}|{name}|{how}".encode()).hexdigest()[:32]
    record = shared_dir / f"{key}.pickle"
    stamp = (stat.st_size, stat.st_mtime_ns)
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
        # Written by this build's code (the prepared folder is the build's own).
        saved_stamp, frame, found = pickle.loads(record.read_bytes())
        if saved_stamp == stamp:
            report.merge(found)
            return frame
    found = ValidationReport()
    try:
        frame = reader(path, found)
    finally:
        report.merge(found)  # a fatal problem is reported as if read directly
    shared_dir.mkdir(parents=True, exist_ok=True)
    partial = record.with_name(f".{record.name}-{os.getpid()}")
    partial.write_bytes(pickle.dumps((stamp, frame, found), protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(partial, record)  # another worker may be reading it
    return frame


def member_folders(settings: Mapping[str, Any] | None) -> dict[str, str]:
    """Each member borough's folder under the data folder (its ``data_folder`` setting,
    else its slug), from the notebooks' settings."""
    members = ((settings or {}).get("consortium") or {}).get("members") or []
    return {m["slug"]: str(m.get("data_folder") or m["slug"]) for m in members}


def load_optional_inputs(
    area: AreaData,
    *,
    boroughs: Sequence[str],
    data_dir: str | Path,
    settings: Mapping[str, Any] | None = None,
    shared_dir: Path | None = None,
) -> None:
    """Read the optional inputs into ``area``: spend, referrals, needs, in-house fostering
    and contracts pooled over the boroughs that have the file (each row tagged with its
    ``la``), and the provider register. With ``shared_dir`` each borough's file is read and
    validated once for every area that pools it (see :func:`_read_once`).

    An absent file leaves the input ``None`` (or covering fewer boroughs: ``area.coverage``
    says which). Rejected rows are recorded in ``area.inputs_report``; a fatal problem (a
    missing column, an empty file) raises
    :class:`~mps.data.validation.FatalValidationError` naming the file.
    """
    data_dir = Path(data_dir)
    readers = _borough_input_readers(settings)
    folders = member_folders(settings)
    for name, (file_name, reader) in readers.items():
        frames, covered = [], []
        for borough in boroughs:
            path = layout.borough_folder(data_dir, folders.get(borough, borough)) / file_name
            if path.is_file():
                frame = _read_once(path, name, reader, area.inputs_report, shared_dir, settings)
                frame.insert(0, "la", pd.Series(borough, index=frame.index, dtype="string"))
                frames.append(frame)
                covered.append(borough)
        area.coverage[name] = covered
        if frames:
            setattr(area, name, pd.concat(frames, ignore_index=True))
    register = data_dir / layout.PROVIDERS_FILE
    area.coverage["providers"] = list(boroughs) if register.is_file() else []
    if register.is_file():
        area.providers = read_providers(register, area.inputs_report)
