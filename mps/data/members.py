"""The episodes of a consortium's member boroughs, for a borough's comparisons with it.

A borough's documents set its figures beside the whole consortium's (the rate of children
looked after per 10,000, say), computed from the pooled episodes of every member, never
from an average of their percentages. Only a few columns are needed, so in a build the
members' prepared Parquet files are read column by column; a notebook opened on its own
(no prepared folder) reads and validates each member's 903 returns instead.

A member whose data cannot be read (its returns failed validation, so the build prepared
nothing for it) is reported rather than left out silently: a consortium figure without
one of its boroughs is not the consortium's figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mps.area import EPISODES_FILE
from mps.data import layout
from mps.data.population import read_population
from mps.data.ssda903 import load_borough
from mps.data.validation import FatalValidationError


@dataclass
class MemberEpisodes:
    """The pooled episodes of the members that could be read, and those that could not."""

    episodes: pd.DataFrame
    missing: dict[str, str] = field(default_factory=dict)  # slug -> why

    @property
    def complete(self) -> bool:
        return not self.missing


def read_member_episodes(
    members: Sequence[Mapping[str, Any]],
    *,
    data_dir: str | Path,
    prepared_dir: str | Path | None,
    years: Sequence[int] | None,
    columns: Sequence[str],
) -> MemberEpisodes:
    """The ``columns`` of every member's episodes, pooled (``la`` is the member's slug).

    ``members`` are the ``settings["consortium"]["members"]`` mappings (slug, la_code,
    data_folder). With ``prepared_dir`` each member's prepared Parquet is read; without it,
    each member's 903 returns under ``data_dir`` are read and validated. A member that
    cannot be read is named in :attr:`MemberEpisodes.missing` with the reason.
    """
    frames, missing = [], {}
    for member in members:
        slug = str(member["slug"])
        if prepared_dir:
            path = Path(prepared_dir) / slug / EPISODES_FILE
            if not path.is_file():
                missing[slug] = f"no prepared episodes ({path}): its 903 returns failed to load"
                continue
            frames.append(pd.read_parquet(path, columns=list(columns)))
            continue
        folder = layout.ssda903_folder(Path(data_dir), str(member.get("data_folder") or slug))
        try:
            returns = load_borough(folder, la=slug, years=years, la_code=member.get("la_code"))
        except FatalValidationError as error:
            missing[slug] = f"its 903 returns cannot be used: {error}"
            continue
        frames.append(returns.episodes[list(columns)])
    episodes = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    )
    return MemberEpisodes(episodes=episodes, missing=missing)


def read_consortium_population(data_dir: str | Path) -> pd.DataFrame | None:
    """The population of every area in the data folder's ``population.csv`` (all members,
    not only the area a notebook analyses), or None when the file is absent."""
    path = Path(data_dir) / layout.POPULATION_FILE
    return read_population(path) if path.is_file() else None
