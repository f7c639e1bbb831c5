"""``mps export-aggregates``: a borough's disclosure-safe aggregates in one file.

The file is a zip holding ``manifest.json`` and one CSV per table of the contract
(:data:`mps.federated.aggregates.TABLES`) under ``tables/``. Before anything is written:

1. the borough's 903 returns are read and validated as a build reads them;
2. every aggregate table is computed (:func:`~mps.federated.aggregates.borough_aggregates`);
3. disclosure control: each table's cells are suppressed exactly where the borough's own
   published tables suppress them (the same :mod:`mps.presentation` tables through
   :func:`mps.tables.protect_publishable`, with the parameters' threshold): a
   suppressed cell is written ``c``, a count the returns cannot give ``x``. The export
   therefore shows nothing the borough's own documents do not, and no cell the file
   hides can be worked out from them;
4. the leak scan (:mod:`mps.leakscan`) looks in every CSV and the manifest for the
   borough's CHILD identifiers, UPNs, dates of birth and postcodes and for counts from 1
   to the threshold; anything found stops the export and nothing is written.

The zip is deterministic (fixed entry dates, sorted entries) apart from the manifest's
``created`` stamp, and is written under a temporary name and renamed, so a failed export
never leaves half a file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from mps import __version__
from mps.config import ConsortiumSettings
from mps.disclosure import NOT_AVAILABLE, SUPPRESSED
from mps.federated.aggregates import (
    FORMAT,
    FORMAT_VERSION,
    TABLES,
    AggregateContext,
    AggregateTable,
    borough_aggregates,
)
from mps.tables import protect_publishable

MANIFEST = "manifest.json"
TABLES_FOLDER = "tables"
#: Zip entries carry this date, so the same aggregates give the same bytes.
_ENTRY_DATE = (2000, 1, 1, 0, 0, 0)


class ExportError(RuntimeError):
    """The aggregates cannot be exported safely (the message says why; nothing written)."""


@dataclass(frozen=True)
class ExportResult:
    """What ``mps export-aggregates`` wrote."""

    path: Path
    manifest: dict
    #: Cells written as ``c``, by table.
    suppressed: dict[str, int]


def context_for(consortium: ConsortiumSettings) -> AggregateContext:
    """The aggregates' context from the consortium's parameters."""
    return AggregateContext(
        years=tuple(consortium.years),
        reporting_year=consortium.latest_year,
        member_codes=tuple(b.la_code for b in consortium.boroughs),
        consortium_name=consortium.name,
    )


def protect_table(
    table: AggregateTable, long: pd.DataFrame, context: AggregateContext, threshold: int
) -> pd.DataFrame:
    """``long`` with each count cell as the borough's published tables show it: the count,
    ``c`` where they suppress it, ``x`` where it is not available."""
    flags: dict[tuple[str, str, str], str] = {}
    for name, published in table.published(long, context).items():
        result = protect_publishable(published, threshold=threshold)
        labels = published.frame[published.label_columns[0]].astype(str).to_numpy()
        for column in published.count_columns:
            for label, flag in zip(labels, result.flags[column].to_numpy(), strict=True):
                flags[(name, label, column)] = flag
    located = table.cell_locations(long, context)
    keys = list(zip(located["table"], located["label"], located["column"], strict=True))
    cell_flags = pd.Series([flags.get(k, "") for k in keys], index=located.index, dtype=object)
    out = long.copy()
    for count in table.counts:
        rows = located["count"].eq(count).to_numpy()
        values = long[count]
        flag = cell_flags[rows].to_numpy()
        # A cell the published tables leave out (a group nobody is in) must be 0.
        unshown = (flag == "") & values.fillna(0).ne(0).to_numpy()
        if unshown.any():
            raise ExportError(
                f"aggregate table {table.name!r}, column {count!r}: a non-zero count does not "
                "appear in the published tables (the contract and the notebooks disagree)"
            )
        suppressed = pd.Series(flag, dtype=object).str.startswith("suppressed").to_numpy()
        shown = values.astype(object).where(values.notna(), NOT_AVAILABLE)
        shown = shown.map(lambda v: v if v == NOT_AVAILABLE else int(v))
        out[count] = shown.where(~suppressed, SUPPRESSED).astype(object)
    return out


def protect_aggregates(
    aggregates: dict[str, pd.DataFrame], context: AggregateContext, threshold: int
) -> dict[str, pd.DataFrame]:
    """Every table of :func:`~mps.federated.aggregates.borough_aggregates` protected."""
    return {t.name: protect_table(t, aggregates[t.name], context, threshold) for t in TABLES}


def table_csv(frame: pd.DataFrame) -> bytes:
    """A table as the file holds it (UTF-8, ``\\n`` line ends)."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_manifest(
    consortium: ConsortiumSettings,
    borough: str,
    files: dict[str, bytes],
    tables: dict[str, pd.DataFrame],
    *,
    created: datetime | None = None,
) -> dict:
    """The manifest: format, the borough, what shaped the tables, and each table's rows and
    SHA-256 checksum."""
    settings = consortium.borough(borough)
    created = created or datetime.now(UTC)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "mps_version": __version__,
        "borough": {"slug": settings.slug, "name": settings.name, "la_code": settings.la_code},
        "consortium": {
            "slug": consortium.slug,
            "name": consortium.name,
            "member_la_codes": [b.la_code for b in consortium.boroughs],
        },
        "collection_years": list(consortium.years),
        "reporting_year": consortium.latest_year,
        "disclosure": {
            "threshold": consortium.disclosure.threshold,
            "suppressed": SUPPRESSED,
            "not_available": NOT_AVAILABLE,
            "rule": "cells suppressed where the borough's own published tables suppress them",
        },
        "created": {
            "at": created.replace(microsecond=0).isoformat(),
            "by": f"mps {__version__} export-aggregates",
        },
        "tables": [
            {
                "name": t.name,
                "file": f"{TABLES_FOLDER}/{t.name}.csv",
                "description": t.description,
                "dimensions": list(t.dimensions),
                "counts": list(t.counts),
                "rows": len(tables[t.name]),
                "sha256": sha256(files[t.name]),
            }
            for t in TABLES
        ],
    }


def _leak_scan(
    borough_inputs: list[Path], files: dict[str, bytes], manifest: bytes, threshold: int
):
    """Scan the file's tables and manifest as a publication is scanned; raise on a finding."""
    from mps.leakscan import Scanner, TableDescription, collect_identifiers, scan_folder

    scanner = Scanner(collect_identifiers([p for p in borough_inputs if p.exists()]))
    descriptions = [
        TableDescription(
            name=t.name,
            columns=t.columns,
            count_columns=t.counts,
            label_columns=t.dimensions,
            threshold=threshold,
            round_to=None,
            csv_name=f"{t.name}.csv",
        )
        for t in TABLES
    ]
    with tempfile.TemporaryDirectory(prefix="mps-export-scan-") as folder:
        root = Path(folder)
        (root / TABLES_FOLDER).mkdir()
        for name, data in files.items():
            (root / TABLES_FOLDER / f"{name}.csv").write_bytes(data)
        (root / MANIFEST).write_bytes(manifest)
        findings = scan_folder(root, scanner, tables=descriptions)
    if findings:
        listed = "; ".join(f"{f.file}: {f.where}: {f.what}" for f in findings[:10])
        raise ExportError(
            f"the leak scan found {len(findings)} problem(s), nothing written: {listed}"
        )


def write_zip(path: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` (name -> bytes) to ``path`` atomically, entries sorted, fixed dates."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ENTRY_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(buffer.getvalue())
    os.replace(partial, path)


def export_aggregates(
    consortium: ConsortiumSettings,
    borough: str,
    out: str | Path,
    *,
    episodes: pd.DataFrame | None = None,
    created: datetime | None = None,
) -> ExportResult:
    """Compute, protect, scan and write one borough's aggregates to ``out`` (a ``.zip``).

    The borough's 903 returns are read from where the parameters say (as a build reads
    them) unless ``episodes`` (its validated episode table) is given. Raises
    :class:`~mps.data.validation.FatalValidationError` for unusable returns and
    :class:`ExportError` when the result would not be safe to send; nothing is written then.
    """
    from mps.area import _postcodes
    from mps.data import layout
    from mps.data.ssda903 import borough_source, load_borough

    settings = consortium.borough(borough)
    if settings.aggregates:
        raise ExportError(
            f"borough {borough!r} has 'aggregates' in the parameters: it sends aggregates, so "
            "its 903 data are not here to export; run the export where its data are"
        )
    folder = settings.data_folder or borough
    source = borough_source(consortium.data_dir, folder, consortium.ssda903_source_for(borough))
    if episodes is None:
        returns = load_borough(
            source,
            la=borough,
            years=consortium.years,
            la_code=settings.la_code,
            la_value=settings.la_value,
            postcodes=_postcodes(consortium.data_dir),
            strict=consortium.strict_validation,
        )
        episodes = returns.episodes
    context = context_for(consortium)
    threshold = consortium.disclosure.threshold
    protected = protect_aggregates(borough_aggregates(episodes, context), context, threshold)
    files = {name: table_csv(frame) for name, frame in protected.items()}
    manifest = build_manifest(consortium, borough, files, protected, created=created)
    manifest_bytes = (json.dumps(manifest, indent=2, sort_keys=False) + "\n").encode("utf-8")
    _leak_scan(
        [layout.borough_folder(consortium.data_dir, folder), source],
        files,
        manifest_bytes,
        threshold,
    )
    entries = {f"{TABLES_FOLDER}/{name}.csv": data for name, data in files.items()}
    entries[MANIFEST] = manifest_bytes
    path = Path(out)
    write_zip(path, entries)
    suppressed = {
        name: int(
            frame[[c for c in frame.columns if c in _counts(name)]].eq(SUPPRESSED).sum().sum()
        )
        for name, frame in protected.items()
    }
    return ExportResult(path=path, manifest=manifest, suppressed=suppressed)


def _counts(name: str) -> tuple[str, ...]:
    return next(t.counts for t in TABLES if t.name == name)
