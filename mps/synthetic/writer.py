"""Write the demo consortium to disk: all files, or none.

Everything is built in a temporary sibling folder and renamed into place at the end, so an
interrupted run leaves no half-written data. A previous demo folder (recognised by its
``demo_manifest.json``) is replaced; any other non-empty folder is left alone with an error.
"""

from __future__ import annotations

import json
import os
import shutil
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mps.data import layout

MANIFEST_FILE = "demo_manifest.json"

#: File naming habits of different councils' systems (the reader goes by columns, not names).
_NAME_STYLES: tuple[dict[str, str], ...] = (
    {"header": "header.csv", "episodes": "episodes.csv", "uasc": "uasc.csv",
     "missing": "missing.csv", "oc2": "oc2.csv", "oc3": "oc3.csv", "ad1": "ad1.csv",
     "placed_adoption": "placed_for_adoption.csv", "prev_perm": "prevperm.csv",
     "reviews": "reviews.csv", "sw_episodes": "sw_episodes.csv"},
    {"header": "Header {year}.csv", "episodes": "Episodes {year}.csv", "uasc": "UASC {year}.csv",
     "missing": "Missing {year}.csv", "oc2": "OC2 {year}.csv", "oc3": "OC3 {year}.csv",
     "ad1": "AD1 {year}.csv", "placed_adoption": "Placed for adoption {year}.csv",
     "prev_perm": "Previous permanence {year}.csv", "reviews": "Reviews {year}.csv",
     "sw_episodes": "Social worker episodes {year}.csv"},
    {"header": "903_header_{year}.csv", "episodes": "903_episodes_{year}.csv",
     "uasc": "903_uasc_{year}.csv", "missing": "903_missing_{year}.csv",
     "oc2": "903_oc2_{year}.csv", "oc3": "903_oc3_{year}.csv", "ad1": "903_ad1_{year}.csv",
     "placed_adoption": "903_placedadoption_{year}.csv", "prev_perm": "903_prevperm_{year}.csv",
     "reviews": "903_reviews_{year}.csv", "sw_episodes": "903_swepisodes_{year}.csv"},
    {"header": "SSDA903_{label}_Header.csv", "episodes": "SSDA903_{label}_Episodes.csv",
     "uasc": "SSDA903_{label}_UASC.csv", "missing": "SSDA903_{label}_Missing.csv",
     "oc2": "SSDA903_{label}_OC2.csv", "oc3": "SSDA903_{label}_OC3.csv",
     "ad1": "SSDA903_{label}_AD1.csv", "placed_adoption": "SSDA903_{label}_PlacedAdoption.csv",
     "prev_perm": "SSDA903_{label}_PrevPerm.csv", "reviews": "SSDA903_{label}_Reviews.csv",
     "sw_episodes": "SSDA903_{label}_SWEpisodes.csv"},
    {"header": "{code}_children.csv", "episodes": "{code}_episodes_of_care.csv",
     "uasc": "{code}_uasc_status.csv", "missing": "{code}_missing_or_away.csv",
     "oc2": "{code}_outcomes_oc2.csv", "oc3": "{code}_care_leavers_oc3.csv",
     "ad1": "{code}_adoptions.csv", "placed_adoption": "{code}_should_be_placed.csv",
     "prev_perm": "{code}_previous_permanence.csv", "reviews": "{code}_reviews.csv",
     "sw_episodes": "{code}_social_workers.csv"},
)  # fmt: skip


def file_name(style: int, table: str, year: int, code: str) -> str:
    """A 903 file's name in one of the naming styles."""
    label = f"{year - 1}-{year % 100:02d}"
    return _NAME_STYLES[style % len(_NAME_STYLES)][table].format(year=year, label=label, code=code)


@dataclass(frozen=True)
class DemoBoroughInfo:
    """A generated borough: slug (folder), name and ONS-shaped code."""

    slug: str
    name: str
    code: str


@dataclass(frozen=True)
class Canary:
    """A planted child (for leak tests): its borough, CHILD, DOB (DD/MM/YYYY, as in the
    files) and home postcode."""

    borough: str
    child: str
    dob: str
    home_post: str


@dataclass(frozen=True)
class DemoManifest:
    """What :func:`mps.synthetic.write_demo_data` wrote.

    ``files`` are paths relative to ``out_dir`` (forward slashes, sorted).
    """

    out_dir: Path
    seed: int
    years: tuple[int, ...]
    boroughs: tuple[DemoBoroughInfo, ...]
    files: tuple[str, ...]
    canaries: tuple[Canary, ...] = field(default_factory=tuple)

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(b.slug for b in self.boroughs)

    def to_json(self) -> str:
        """The manifest as JSON (no paths outside the folder, no timestamps)."""
        data = asdict(self)
        data.pop("out_dir")
        return json.dumps(data, indent=2) + "\n"


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a frame of text as CSV: UTF-8, ``\\n`` line ends, blanks empty (byte-stable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def stable_key(*parts: object) -> int:
    """A process-independent integer key (Python's hash() is salted per process)."""
    return zlib.crc32("/".join(map(str, parts)).encode())


def rng_for(seed: int, *parts: object) -> np.random.Generator:
    """An independent random stream for one purpose (and borough), from the seed."""
    return np.random.default_rng(np.random.SeedSequence([seed, stable_key(*parts)]))


class AtomicFolder:
    """Build into a temporary sibling of ``target``; ``commit`` renames it into place."""

    def __init__(self, target: Path):
        self.target = Path(target)
        if self.target.exists() and not self._replaceable(self.target):
            raise FileExistsError(
                f"{self.target} exists and is not a demo data folder (no {MANIFEST_FILE}); "
                "choose an empty or new folder"
            )
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.work = self.target.parent / f".{self.target.name}.partial-{os.getpid()}"
        if self.work.exists():
            shutil.rmtree(self.work)
        self.work.mkdir()

    @staticmethod
    def _replaceable(path: Path) -> bool:
        return path.is_dir() and (not any(path.iterdir()) or (path / MANIFEST_FILE).is_file())

    def commit(self) -> None:
        old = None
        if self.target.exists():
            old = self.target.parent / f".{self.target.name}.old-{os.getpid()}"
            self.target.rename(old)
        self.work.rename(self.target)
        if old is not None:
            shutil.rmtree(old)

    def abandon(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


def data_paths(root: Path, slug: str) -> dict[str, Path]:
    """Where one borough's non-903 inputs go (mps.data.layout)."""
    folder = layout.borough_folder(root, slug)
    return {
        "spend": folder / layout.SPEND_FILE,
        "referrals": folder / layout.REFERRALS_FILE,
        "needs": folder / layout.NEEDS_FILE,
    }
