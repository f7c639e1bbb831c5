"""An area's data: one borough's, or a consortium's pooled from its boroughs.

The build ingests and validates each borough once (:func:`prepare_borough`), writing its
longitudinal episode table as Parquet; every notebook of every area then reads those
files (:func:`load_area`) rather than re-reading the 903 CSVs. A consortium's table is the
concatenation of its boroughs' tables, so consortium figures come from pooled data.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mps.data import layout
from mps.data.population import read_population
from mps.data.ssda903 import load_borough, read_postcode_directory

EPISODES_FILE = "episodes.parquet"
ISSUES_FILE = "validation-issues.csv"
COUNTS_FILE = "validation-counts.csv"
SUMMARY_FILE = "validation-summary.txt"


@dataclass
class AreaData:
    """Everything the notebooks analyse for one area."""

    episodes: pd.DataFrame
    population: pd.DataFrame | None


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
) -> Path:
    """Ingest and validate one borough's 903 returns into ``out_dir/<borough>/``.

    Writes the episode table (Parquet) and the validation report (issues and row counts
    as CSV, plus a plain summary). The folder appears only when everything is written;
    a fatal issue raises :class:`~mps.data.validation.FatalValidationError` and leaves
    any earlier prepared folder untouched.
    """
    data_dir = Path(data_dir)
    final = Path(out_dir) / borough
    returns = load_borough(
        layout.ssda903_folder(data_dir, data_folder or borough),
        la=borough,
        years=years,
        la_code=la_code,
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
) -> AreaData:
    """Load an area's pooled episodes and population.

    With ``prepared_dir`` the boroughs' prepared Parquet files are read (the build's
    path); without it each borough's 903 returns are read and validated here (the path
    notebooks take when opened on their own, e.g. under nbval).
    """
    data_dir = Path(data_dir)
    frames = []
    for borough, la_code in zip(boroughs, la_codes, strict=True):
        if prepared_dir:
            frames.append(pd.read_parquet(Path(prepared_dir) / borough / EPISODES_FILE))
        else:
            returns = load_borough(
                layout.ssda903_folder(data_dir, borough),
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
    return AreaData(episodes=episodes, population=population)
