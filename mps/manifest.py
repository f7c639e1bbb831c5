"""The build manifest: what each job was last built from, so unchanged jobs are not re-run.

Every job of a build (preparing a borough, running one notebook for one area, publishing
one area's documents) has a *key*: a SHA-256 of everything its output depends on — the
content of its input files, its parameters, the keys of the jobs it reads from, the
notebook's content and the mps code itself. ``build/<consortium>/manifest.json`` records,
for each job that succeeded, its key and the files it wrote. A job is up to date when its
recorded key equals its key now and its outputs are all still there; anything else runs.

Files are hashed by content, not by date, so copying or touching a file re-runs nothing;
to keep a rebuild quick the manifest also remembers each input file's size and
modification time with its hash, and a file whose size and time are unchanged is not read
again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

MANIFEST_FILE = "manifest.json"
#: Bump when the manifest's layout changes: an older manifest is then ignored.
MANIFEST_FORMAT = 1
_PACKAGE_DIR = Path(__file__).resolve().parent
_CODE_SUFFIXES = {".py", ".j2", ".css", ".json", ".yaml", ".docx", ".html", ".tpl"}


def digest(value: Any) -> str:
    """SHA-256 of a JSON-able value, independent of dict order."""
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file_sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


@cache
def code_fingerprint() -> str:
    """A hash of the mps package's own files (code, templates): any change re-runs every job.

    Stricter than the version number, which does not change while mps is being developed.
    """
    from mps import __version__

    sha = hashlib.sha256(__version__.encode())
    for path in sorted(_PACKAGE_DIR.rglob("*")):
        if path.is_file() and path.suffix in _CODE_SUFFIXES and "__pycache__" not in path.parts:
            sha.update(path.relative_to(_PACKAGE_DIR).as_posix().encode())
            sha.update(_file_sha256(path).encode())
    return sha.hexdigest()


@dataclass
class JobRecord:
    """What a job was last built from, and what it wrote."""

    key: str
    outputs: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "outputs": self.outputs}


@dataclass
class BuildManifest:
    """The manifest of one consortium's build folder."""

    path: Path
    jobs: dict[str, JobRecord] = field(default_factory=dict)
    #: path -> [size, mtime_ns, sha256]
    files: dict[str, list] = field(default_factory=dict)

    @classmethod
    def load(cls, build_root: Path) -> BuildManifest:
        """Read ``build_root/manifest.json``; a missing, unreadable or older one is empty."""
        path = Path(build_root) / MANIFEST_FILE
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)
        if not isinstance(raw, dict) or raw.get("format") != MANIFEST_FORMAT:
            return cls(path)
        jobs = {
            name: JobRecord(str(record["key"]), [str(o) for o in record.get("outputs", [])])
            for name, record in raw.get("jobs", {}).items()
            if isinstance(record, dict) and "key" in record
        }
        return cls(path, jobs, dict(raw.get("files", {})))

    def file_hash(self, path: Path) -> str:
        """Content hash of ``path``, read only when its size or modification time changed."""
        stat = path.stat()
        name = str(path)
        known = self.files.get(name)
        if known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
            return known[2]
        sha = _file_sha256(path)
        self.files[name] = [stat.st_size, stat.st_mtime_ns, sha]
        return sha

    def files_digest(self, paths: Iterable[Path], base: Path | None = None) -> dict[str, str]:
        """``{name: hash}`` for each file, names relative to ``base`` when given."""
        result = {}
        for path in sorted(set(paths)):
            name = path.relative_to(base).as_posix() if base else str(path)
            result[name] = self.file_hash(path)
        return result

    def up_to_date(self, job: str, key: str) -> bool:
        """True when ``job`` last succeeded with this key and its outputs still exist."""
        record = self.jobs.get(job)
        return (
            record is not None
            and record.key == key
            and all(Path(output).exists() for output in record.outputs)
        )

    def record(self, job: str, key: str, outputs: Iterable[str]) -> None:
        self.jobs[job] = JobRecord(key, sorted(str(o) for o in outputs))

    def forget(self, job: str) -> None:
        """A job failed: it must run again next time, whatever its key."""
        self.jobs.pop(job, None)

    def save(self) -> None:
        """Write the manifest atomically (a temporary file renamed over the old one)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        live = {str(Path(p)) for p in self.files}
        payload = {
            "format": MANIFEST_FORMAT,
            "jobs": {name: self.jobs[name].to_json() for name in sorted(self.jobs)},
            "files": {name: self.files[name] for name in sorted(live)},
        }
        handle, partial = tempfile.mkstemp(prefix=".manifest-", dir=self.path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(payload, out, indent=1)
        os.replace(partial, self.path)


def files_under(folder: Path) -> list[Path]:
    """Every file below ``folder`` (none when it does not exist), hidden files excluded."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def files_in_settings(settings: Mapping[str, Any] | Iterable[Any]) -> list[Path]:
    """Files named anywhere in a settings value (e.g. a DfE table, a logo): their content is
    an input too, not just their name."""
    found: list[Path] = []

    def walk(value: Any) -> None:
        if isinstance(value, Mapping):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif isinstance(value, str) and len(value) < 4096 and os.sep in value:
            candidate = Path(value)
            if candidate.is_absolute() and candidate.is_file():
                found.append(candidate)

    walk(settings)
    return found
