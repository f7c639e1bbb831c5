"""Reading a borough's aggregates file (``mps export-aggregates``) at the consortium.

:func:`read_aggregates` verifies everything before a figure is used: the file is a zip (or
a folder) with ``manifest.json``; the format and its version are ones this mps reads; the
borough, collection years and reporting year are the ones the consortium's parameters
expect; its suppression threshold is at least the consortium's; every table of the
contract is there, with the row count and SHA-256 checksum the manifest states, the
columns the contract names, and counts that are whole numbers, ``c`` or ``x``. Any
problem raises :class:`AggregateFileError` naming the file and what is wrong.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mps.disclosure import NOT_AVAILABLE, SUPPRESSED
from mps.federated.aggregates import FORMAT, FORMAT_VERSION, TABLES

MANIFEST = "manifest.json"


class AggregateFileError(ValueError):
    """A received aggregates file is damaged, of another format or for something else."""

    def __init__(self, path: Path, problem: str):
        self.path, self.problem = Path(path), problem
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True)
class ReceivedAggregates:
    """A verified aggregates file: its manifest and its tables (counts as whole numbers,
    ``"c"`` where the borough suppressed the cell, ``"x"`` where it is not available)."""

    path: Path
    manifest: dict
    tables: dict[str, pd.DataFrame]

    @property
    def borough(self) -> str:
        return str(self.manifest["borough"]["slug"])

    @property
    def threshold(self) -> int:
        return int(self.manifest["disclosure"]["threshold"])


def _members(path: Path) -> dict[str, bytes]:
    """The file's entries (name -> bytes), from a zip or a folder."""
    if path.is_dir():
        return {
            p.relative_to(path).as_posix(): p.read_bytes()
            for p in sorted(path.rglob("*"))
            if p.is_file()
        }
    if not path.is_file():
        raise AggregateFileError(path, "file not found")
    try:
        with zipfile.ZipFile(path) as archive:
            return {i.filename: archive.read(i) for i in archive.infolist() if not i.is_dir()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
        raise AggregateFileError(
            path, f"not a readable zip file ({error}): ask the borough to send it again"
        ) from error


def _manifest(path: Path, entries: dict[str, bytes]) -> dict:
    if MANIFEST not in entries:
        raise AggregateFileError(path, f"no {MANIFEST}: not an mps aggregates file")
    try:
        manifest = json.loads(entries[MANIFEST].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AggregateFileError(path, f"{MANIFEST} is not valid JSON ({error})") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        got = manifest.get("format") if isinstance(manifest, dict) else None
        raise AggregateFileError(path, f"{MANIFEST}: format is {got!r}, expected {FORMAT!r}")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        made_by = manifest.get("mps_version", "an unknown version of mps")
        raise AggregateFileError(
            path,
            f"format version {version!r} (made by mps {made_by}); this mps reads format "
            f"version {FORMAT_VERSION}: the borough and the consortium need the same mps "
            "version (export again, or upgrade)",
        )
    for key in ("borough", "collection_years", "reporting_year", "disclosure", "tables"):
        if key not in manifest:
            raise AggregateFileError(path, f"{MANIFEST}: key {key!r} missing")
    return manifest


def _check_expected(
    path: Path,
    manifest: dict,
    *,
    borough: str | None,
    la_code: str | None,
    years: Sequence[int] | None,
    reporting_year: int | None,
    threshold: int | None,
) -> None:
    own = manifest["borough"]
    if borough is not None and own.get("slug") != borough:
        raise AggregateFileError(
            path,
            f"holds the aggregates of {own.get('slug')!r}, but the parameters name it "
            f"as {borough!r}'s",
        )
    if la_code is not None and own.get("la_code") != la_code:
        raise AggregateFileError(
            path, f"ONS code {own.get('la_code')!r}, but the parameters give {la_code!r}"
        )
    if years is not None and list(manifest["collection_years"]) != list(years):
        raise AggregateFileError(
            path,
            f"collection years {manifest['collection_years']}, but the consortium builds "
            f"{list(years)}: export again with the consortium's parameters",
        )
    if reporting_year is not None and manifest["reporting_year"] != reporting_year:
        raise AggregateFileError(
            path,
            f"reporting year {manifest['reporting_year']}, but the consortium reports on "
            f"{reporting_year}",
        )
    theirs = manifest["disclosure"].get("threshold")
    if threshold is not None and (not isinstance(theirs, int) or theirs < threshold):
        raise AggregateFileError(
            path,
            f"suppression threshold {theirs!r} is below the consortium's {threshold}: "
            "export again with the consortium's parameters",
        )


def _read_table(path: Path, name: str, data: bytes, entry: dict) -> pd.DataFrame:
    spec = next(t for t in TABLES if t.name == name)
    where = f"table {name} ({entry['file']})"
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        raise AggregateFileError(
            path,
            f"{where}: its SHA-256 checksum does not match the manifest (damaged or "
            "changed after export)",
        )
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    if list(frame.columns) != list(spec.columns):
        raise AggregateFileError(
            path, f"{where}: columns {list(frame.columns)}, expected {list(spec.columns)}"
        )
    if len(frame) != entry.get("rows"):
        raise AggregateFileError(
            path, f"{where}: {len(frame)} rows, the manifest says {entry.get('rows')}"
        )
    frame["year"] = pd.to_numeric(frame["year"], errors="coerce")
    if frame["year"].isna().any():
        row = int(frame["year"].isna().to_numpy().argmax()) + 2
        raise AggregateFileError(path, f"{where}, row {row}, column year: expected a year")
    frame["year"] = frame["year"].astype("int64")
    for count in spec.counts:
        values = frame[count].str.strip()
        symbol = values.isin([SUPPRESSED, NOT_AVAILABLE])
        bad = ~symbol & ~values.str.fullmatch(r"[0-9]+")
        if bad.any():
            row = int(bad.to_numpy().argmax())
            raise AggregateFileError(
                path,
                f"{where}, row {row + 2}, column {count}: value {frame[count].iloc[row]!r}, "
                f"expected a whole number, {SUPPRESSED!r} or {NOT_AVAILABLE!r}",
            )
        frame[count] = [v if v in (SUPPRESSED, NOT_AVAILABLE) else int(v) for v in values]
    return frame


def read_aggregates(
    path: str | Path,
    *,
    borough: str | None = None,
    la_code: str | None = None,
    years: Sequence[int] | None = None,
    reporting_year: int | None = None,
    threshold: int | None = None,
) -> ReceivedAggregates:
    """Read and verify an aggregates file; the keyword arguments are what the consortium's
    parameters expect of it (each checked when given)."""
    path = Path(path)
    entries = _members(path)
    manifest = _manifest(path, entries)
    _check_expected(
        path,
        manifest,
        borough=borough,
        la_code=la_code,
        years=years,
        reporting_year=reporting_year,
        threshold=threshold,
    )
    listed = {str(t.get("name")): t for t in manifest["tables"] if isinstance(t, dict)}
    wanted = [t.name for t in TABLES]
    missing = [n for n in wanted if n not in listed]
    if missing:
        raise AggregateFileError(path, f"{MANIFEST} lists no table {', '.join(missing)}")
    extra = sorted(set(listed) - set(wanted))
    if extra:
        raise AggregateFileError(path, f"{MANIFEST} lists unknown table(s) {', '.join(extra)}")
    files = {listed[n]["file"] for n in wanted} | {MANIFEST}
    unexpected = sorted(set(entries) - files)
    if unexpected:
        raise AggregateFileError(
            path, f"holds files the manifest does not list: {', '.join(unexpected)}"
        )
    tables = {}
    for name in wanted:
        entry = listed[name]
        if entry["file"] not in entries:
            raise AggregateFileError(path, f"table {name}: file {entry['file']} missing")
        tables[name] = _read_table(path, name, entries[entry["file"]], entry)
    return ReceivedAggregates(path=path, manifest=manifest, tables=tables)


def file_digest(path: str | Path) -> list[Path]:
    """The files that make up an aggregates file (for a build's keys): the zip, or every
    file of the folder."""
    path = Path(path)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file())
    return [path]


def verify_received(consortium) -> list[ReceivedAggregates]:
    """Read and verify every federated borough's file against the consortium's parameters
    (a :class:`~mps.config.ConsortiumSettings`): what ``mps build`` checks before it runs."""
    received = []
    for slug in consortium.federated_boroughs:
        settings = consortium.borough(slug)
        received.append(
            read_aggregates(
                consortium.aggregates_for(slug),
                borough=slug,
                la_code=settings.la_code,
                years=consortium.years,
                reporting_year=consortium.latest_year,
                threshold=consortium.disclosure.threshold,
            )
        )
    return received
