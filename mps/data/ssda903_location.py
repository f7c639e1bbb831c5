"""Placement location: distance, placing area and in/out of area from the postcodes.

DfE derives PL_DISTANCE, PL_LA and PL_LOCATION from HOME_POST and PL_POST with the ONS
postcode directory (reference §2.2); :func:`add_placement_locations` does the same for the
longitudinal episode table, whatever shape the return came in.
"""

from __future__ import annotations

import weakref
from pathlib import Path

import numpy as np
import pandas as pd

from mps import codes
from mps.data.csv_reader import CsvReadError, normalise_column, read_csv_strings
from mps.data.layout import POSTCODE_COLUMNS
from mps.data.ssda903_spec import blank_to_na, postcode_key
from mps.data.validation import ValidationReport

#: ONS code initials of the other UK nations: DfE's PL_LA for placements outside England.
_NATION_BY_INITIAL = {"S": "SCO", "N": "NIR", "W": "WAL"}
_KM_PER_MILE = 1.6093


def read_postcode_directory(path: str | Path) -> pd.DataFrame:
    """Read a postcode directory (ONSPD columns pcd, oseast1m, osnrth1m, oslaua).

    Other columns are not read (the ONSPD is wide). Returns ``pcd`` and ``oslaua`` as
    strings and the grid references as ``Float64`` (``<NA>`` where the directory has none).
    Raises :class:`FatalValidationError` for a missing file or column.
    """
    path = Path(path)
    report = ValidationReport()
    if not path.is_file():
        raise report.fatal(
            path, "a postcode directory CSV (pcd, oseast1m, osnrth1m, oslaua)", rule="missing-file"
        )
    wanted = [normalise_column(c) for c in POSTCODE_COLUMNS]
    try:
        table = read_csv_strings(path, usecols=wanted)
    except CsvReadError as error:
        raise report.fatal(
            path,
            f"a readable CSV file: {error.message}",
            row=error.line,
            value=error.value,
            rule="unreadable-file",
        ) from error
    missing = [c for c in wanted if c not in table.columns]
    if missing:
        raise report.fatal(
            path,
            f"columns {', '.join(POSTCODE_COLUMNS)}",
            row=1,
            column=missing[0].lower(),
            rule="missing-column",
        )
    return _postcode_frame(table.frame.rename(columns=str.lower))


def _postcode_frame(frame: pd.DataFrame) -> pd.DataFrame:
    renamed = frame.rename(columns={c: str(c).strip().lower() for c in frame.columns})
    missing = [c for c in POSTCODE_COLUMNS if c not in renamed.columns]
    if missing:
        raise ValueError(
            f"postcode directory frame lacks column(s) {', '.join(missing)}; expected "
            f"{', '.join(POSTCODE_COLUMNS)}"
        )
    return pd.DataFrame(
        {
            "pcd": renamed["pcd"].astype("string"),
            "oseast1m": pd.to_numeric(renamed["oseast1m"], errors="coerce").astype("Float64"),
            "osnrth1m": pd.to_numeric(renamed["osnrth1m"], errors="coerce").astype("Float64"),
            "oslaua": blank_to_na(renamed["oslaua"].astype("string").str.strip().str.upper()),
        }
    )


#: id(postcodes) -> (weak reference to it, its length, the directory and its index): one
#: directory (the ONSPD has millions of rows) serves every borough a process prepares.
_DIRECTORIES: dict[int, tuple[weakref.ref, int, pd.DataFrame, pd.Index]] = {}


def _directory(postcodes: pd.DataFrame) -> tuple[pd.DataFrame, pd.Index]:
    """The directory's rows with a usable postcode, one per postcode, and their index."""
    key = id(postcodes)
    known = _DIRECTORIES.get(key)
    if known is not None and known[0]() is postcodes and known[1] == len(postcodes):
        return known[2], known[3]
    directory = _postcode_frame(postcodes)
    directory = directory.assign(key=postcode_key(directory["pcd"]))
    directory = directory.loc[directory["key"].ne("")].drop_duplicates("key")
    index = pd.Index(directory["key"])
    forget = lambda _, key=key: _DIRECTORIES.pop(key, None)  # noqa: E731
    _DIRECTORIES[key] = (weakref.ref(postcodes, forget), len(postcodes), directory, index)
    return directory, index


def add_placement_locations(
    episodes: pd.DataFrame, postcodes: pd.DataFrame, la_code: str | None
) -> tuple[pd.DataFrame, list[str]]:
    """Derive PL_DISTANCE, PL_LA and PL_LOCATION from HOME_POST and PL_POST (reference §2.2).

    PL_DISTANCE is the straight line between the postcodes' OS grid references in miles
    (``sqrt(dE² + dN²) / 1000 / 1.6093``, 1 dp); blank for UASC children and for V3/V4
    short breaks, which also get no PL_LA. PL_LA is the placement postcode's ``oslaua`` (SCO,
    NIR or WAL outside England) and PL_LOCATION is IN when PL_LA is ``la_code``, else OUT.
    Values already in ``episodes`` are kept; only blanks are filled. Returns the frame and
    notes on postcodes not found.
    """
    directory, index = _directory(postcodes)
    home_key = postcode_key(episodes["HOME_POST"])
    place_key = postcode_key(episodes["PL_POST"])
    home_at = index.get_indexer(home_key)
    place_at = index.get_indexer(place_key)

    def pick(column: str, at: np.ndarray) -> pd.Series:
        if not len(directory):
            return pd.Series(pd.NA, index=episodes.index, dtype=directory[column].dtype)
        # the episodes' rows only: never the whole directory's column
        values = directory[column].iloc[np.where(at < 0, 0, at)].set_axis(episodes.index)
        return values.where(at >= 0)

    short_break = episodes["LS"].isin(list(codes.SHORT_BREAK_LS)).fillna(False).to_numpy()
    uasc = episodes["UASC"].to_numpy(dtype=bool)
    east = pick("oseast1m", home_at) - pick("oseast1m", place_at)
    north = pick("osnrth1m", home_at) - pick("osnrth1m", place_at)
    # DfE's formula, "taken straight from the guidance" (reference §2.2).
    miles = (np.sqrt(east**2 + north**2) / 1000 / _KM_PER_MILE).round(1)
    miles = miles.mask(short_break | uasc)
    place_la = pick("oslaua", place_at).astype("string")
    nation = place_la.str[0].map(_NATION_BY_INITIAL)
    place_la = nation.fillna(place_la).astype("string").mask(short_break)

    out = episodes.copy()
    out["PL_DISTANCE"] = out["PL_DISTANCE"].astype("Float64").fillna(miles.astype("Float64"))
    out["PL_LA"] = out["PL_LA"].astype("string").fillna(place_la)
    notes: list[str] = []
    if la_code is not None:
        location = pd.Series(
            np.where(place_la.eq(la_code.strip().upper()).fillna(False), "IN", "OUT"),
            index=out.index,
            dtype="string",
        ).where(place_la.notna())
        out["PL_LOCATION"] = out["PL_LOCATION"].astype("string").fillna(location)
    else:
        notes.append("PL_LOCATION not derived: no la_code given for the borough.")
    looked_up = ~short_break
    unmatched = looked_up & (
        ((home_at < 0) & home_key.ne("").to_numpy())
        | ((place_at < 0) & place_key.ne("").to_numpy())
    )
    if unmatched.any():
        missing_codes = pd.concat(
            [
                episodes["HOME_POST"][looked_up & (home_at < 0) & home_key.ne("").to_numpy()],
                episodes["PL_POST"][looked_up & (place_at < 0) & place_key.ne("").to_numpy()],
            ]
        )
        notes.append(
            f"{int(unmatched.sum())} episodes have a HOME_POST or PL_POST not found in the "
            f"postcode directory ({missing_codes.nunique()} distinct postcodes); their "
            "PL_DISTANCE is blank."
        )
    return out, notes
