"""Merging the collection years into one longitudinal table, as the sector does.

A later return's record of an episode replaces an earlier one's (episodes are keyed on CHILD
and DECOM), the latest Header per child wins, and overlapping episodes are truncated to the
next start (reference §4.1). :func:`typed_episodes` gives the contract the analysis relies
on (:data:`~mps.data.ssda903_spec.EPISODE_COLUMNS`).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from mps import codes
from mps.data.ssda903_checks import Recorder, dates_text
from mps.data.ssda903_spec import (
    EPISODE_COLUMNS,
    EPISODE_TEXT,
    TABLE_SPECS,
    blank_to_na,
    year_label,
)
from mps.data.validation import Severity


def latest_wins(frame: pd.DataFrame, key: tuple[str, ...]) -> tuple[pd.DataFrame, int]:
    """Keep, for each key, only the rows of the latest collection year that has it."""
    if frame.empty:
        return frame, 0
    latest = frame.groupby(list(key), sort=False, dropna=False)["collection_year"].transform("max")
    keep = frame["collection_year"].eq(latest).to_numpy()
    return frame.loc[keep], int((~keep).sum())


def merge_episodes(
    frames: list[pd.DataFrame],
    header: pd.DataFrame,
    uasc: pd.DataFrame,
    la: str,
    years: list[int],
    recorder: Recorder,
) -> pd.DataFrame:
    """One longitudinal episode table from the years' validated Episodes frames.

    The latest return's record of each episode (CHILD, DECOM) wins; an episode ending after
    (or still open at) the child's next start is truncated to it (warning); a first episode
    that does not start care (RNE not S) and an episode left open by a return but missing
    from the next are warned about. SEX, DOB and ETHNIC come from the merged Header, UASC
    and DUC from the UASC table, the placement category from PLACE and PLACE_PROVIDER.
    """
    episodes = pd.concat(frames, ignore_index=True)
    episodes, superseded = latest_wins(episodes, ("CHILD", "DECOM"))
    episodes = episodes.sort_values(["CHILD", "DECOM"], kind="stable").reset_index(drop=True)

    # Overlaps: an episode ending after (or still open at) the next one's start ends there.
    same_child = episodes["CHILD"].eq(episodes["CHILD"].shift(-1)).to_numpy()
    next_decom = episodes["DECOM"].shift(-1).where(same_child)
    dec = episodes["DEC"]
    overlap = (next_decom.notna() & (dec.isna() | (dec > next_decom))).to_numpy()
    if overlap.any():
        files = episodes["source_file"].to_numpy()[overlap]
        rows = episodes["source_row"].to_numpy()[overlap]
        at = np.flatnonzero(overlap)
        next_text = dates_text(next_decom, at)
        next_where = [
            f"{f} row {r}"
            for f, r in zip(
                episodes["source_file"].to_numpy()[at + 1],
                episodes["source_row"].to_numpy()[at + 1],
                strict=True,
            )
        ]
        recorder.add_rows(
            files,
            rows,
            "DEC",
            dec[overlap].to_numpy(),
            [
                f"an end on or before the next episode's DECOM ({d}, {w}); DEC set to {d}"
                for d, w in zip(next_text, next_where, strict=True)
            ],
            Severity.WARNING,
            "overlapping-episodes",
        )
        episodes["DEC"] = dec.mask(overlap, next_decom)

    first = ~episodes["CHILD"].eq(episodes["CHILD"].shift(1)).to_numpy()
    # Only a child whose first episode starts within the loaded years can be known to be
    # starting care: an earlier start may be a continuation of care we have not been given.
    first_known = first & (episodes["DECOM"] >= codes.year_start(min(years))).to_numpy()
    not_s = first_known & episodes["RNE"].ne("S").to_numpy()
    recorder.add_rows(
        episodes["source_file"].to_numpy()[not_s],
        episodes["source_row"].to_numpy()[not_s],
        "RNE",
        episodes["RNE"].to_numpy()[not_s],
        "S (started to be looked after) for a child's first episode (rule 357)",
        Severity.WARNING,
        "first-episode-not-s",
    )
    last_year = max(years)
    stale = (episodes["DEC"].isna() & episodes["collection_year"].lt(last_year)).to_numpy()
    recorder.add_rows(
        episodes["source_file"].to_numpy()[stale],
        episodes["source_row"].to_numpy()[stale],
        "DEC",
        None,
        np.array(
            [
                f"an episode open at the end of the {year_label(y)} return to be in the "
                "next return too; it is not: kept as recorded (open), nothing invented"
                for y in episodes["collection_year"].to_numpy()[stale]
            ],
            dtype=object,
        ),
        Severity.WARNING,
        "open-episode-not-in-later-return",
    )

    # Header fields (latest return's Header) and UASC status.
    position = pd.Index(header["CHILD"]).get_indexer(episodes["CHILD"])
    taken = np.where(position < 0, 0, position)
    for column in ("SEX", "DOB", "ETHNIC"):
        values = header[column].to_numpy()[taken] if len(header) else None
        episodes[column] = pd.Series(values, dtype=header[column].dtype).where(position >= 0)
    uasc_position = pd.Index(uasc["CHILD"]).get_indexer(episodes["CHILD"])
    episodes["UASC"] = uasc_position >= 0
    duc = (
        uasc["DUC"].to_numpy()[np.where(uasc_position < 0, 0, uasc_position)]
        if len(uasc)
        else np.full(len(episodes), np.datetime64("NaT"), "M8[ns]")
    )
    episodes["DUC"] = pd.Series(duc, dtype="datetime64[ns]").where(uasc_position >= 0)
    episodes["la"] = la
    episodes["placement_category"] = codes.placement_category(
        episodes["PLACE"], episodes["PLACE_PROVIDER"]
    )
    recorder.report.notes.append(
        f"{superseded} episode records superseded by a later return; "
        f"{len(episodes)} episodes in the longitudinal table."
    )
    if overlap.any():
        recorder.report.notes.append(
            f"{int(overlap.sum())} overlapping episodes truncated to the next episode's start."
        )
    return episodes


def typed_episodes(episodes: pd.DataFrame) -> pd.DataFrame:
    """The contract: exactly EPISODE_COLUMNS with their dtypes, sorted, fresh index."""
    out = pd.DataFrame(index=episodes.index)
    out["la"] = episodes["la"].astype("string")
    out["CHILD"] = episodes["CHILD"].astype("string")
    out["DECOM"] = episodes["DECOM"].astype("datetime64[ns]")
    out["DEC"] = episodes["DEC"].astype("datetime64[ns]")
    for column in EPISODE_TEXT:
        out[column] = blank_to_na(episodes[column])
    out["SEX"] = blank_to_na(episodes["SEX"])
    out["DOB"] = episodes["DOB"].astype("datetime64[ns]")
    out["ETHNIC"] = blank_to_na(episodes["ETHNIC"])
    out["UASC"] = episodes["UASC"].astype(bool)
    out["DUC"] = episodes["DUC"].astype("datetime64[ns]")
    out["placement_category"] = episodes["placement_category"].astype("string")
    out["PL_DISTANCE"] = pd.to_numeric(blank_to_na(episodes["PL_DISTANCE"])).astype("Float64")
    out["PL_LA"] = blank_to_na(episodes["PL_LA"])
    out["PL_LOCATION"] = blank_to_na(episodes["PL_LOCATION"])
    out["collection_year"] = episodes["collection_year"].astype("Int64")
    out["source_file"] = episodes["source_file"].astype("string")
    out["source_row"] = episodes["source_row"].astype("Int64")
    out = out.sort_values(["la", "CHILD", "DECOM"], kind="stable").reset_index(drop=True)
    return out[list(EPISODE_COLUMNS)]


def typed_table(name: str, frame: pd.DataFrame | None) -> pd.DataFrame:
    """A merged table with its final dtypes (an empty one when no year had the file)."""
    spec = TABLE_SPECS[name]
    if frame is None:
        return empty_table(name).copy()
    out = pd.DataFrame(index=frame.index)
    for column in spec.columns:
        if column in spec.dates:
            out[column] = frame[column].astype("datetime64[ns]")
        else:
            out[column] = blank_to_na(frame[column])
    out["collection_year"] = frame["collection_year"].astype("Int64")
    out["source_file"] = frame["source_file"].astype("string")
    out["source_row"] = frame["source_row"].astype("Int64")
    sort = [c for c in (spec.merge_key or ("CHILD",)) if c in out.columns]
    out = out.sort_values([*sort, "collection_year"], kind="stable").reset_index(drop=True)
    return out


@functools.cache
def empty_table(name: str) -> pd.DataFrame:
    """A table with no rows and its final columns and dtypes (shared: do not modify)."""
    # Built once per table: most boroughs lack most optional files, and building typed
    # empty frames is a noticeable share of a small borough's load time.
    spec = TABLE_SPECS[name]
    columns: dict[str, pd.Series] = {
        c: pd.Series(dtype="datetime64[ns]" if c in spec.dates else "string") for c in spec.columns
    }
    columns["collection_year"] = pd.Series(dtype="Int64")
    columns["source_file"] = pd.Series(dtype="string")
    columns["source_row"] = pd.Series(dtype="Int64")
    return pd.DataFrame(columns)
