"""Hand-made episode tables with exactly the columns and dtypes of ``load_borough``'s output.

Tests write a few children as literal rows (one episode a line, "." for a blank) and get
the longitudinal episode table the analysis functions take. The episode rows need the
columns la, CHILD, DECOM, DEC, RNE, LS, PLACE, PROV (PLACE_PROVIDER), REC, PL_POST, URN and
MILES (PL_DISTANCE); they may add CIN (default N1), REASON (REASON_PLACE_CHANGE), PL_LA and
LOC (PL_LOCATION), all blank by default. The children rows give la, CHILD, SEX, DOB,
ETHNIC, UASC (yes/no) and DUC.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mps import codes

YEAR = 2024


def literal_table(text: str) -> pd.DataFrame:
    """Rows split on whitespace, the first line naming the columns; "." is blank."""
    lines = [line.split() for line in text.strip().splitlines()]
    frame = pd.DataFrame(lines[1:], columns=lines[0], dtype=object)
    return frame.replace(".", None)


def text(values: object) -> pd.Series:
    return pd.Series(values, dtype="string")


def date(values: object) -> pd.Series:
    return pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[ns]")


def episode_table(episodes: str, people: str, year: int = YEAR) -> pd.DataFrame:
    """An episode table with exactly the columns and dtypes of ``load_borough``'s output."""
    rows = literal_table(episodes)
    header = literal_table(people).set_index(["la", "CHILD"])
    key = pd.MultiIndex.from_frame(rows[["la", "CHILD"]])
    person = header.reindex(key).reset_index(drop=True)
    n = len(rows)

    def optional(column: str, default: str | None = None) -> pd.Series:
        return text(rows[column]) if column in rows else text([default] * n)

    out = pd.DataFrame(
        {
            "la": text(rows["la"]),
            "CHILD": text(rows["CHILD"]),
            "DECOM": date(rows["DECOM"]),
            "DEC": date(rows["DEC"]),
            "RNE": text(rows["RNE"]),
            "LS": text(rows["LS"]),
            "CIN": optional("CIN", "N1"),
            "PLACE": text(rows["PLACE"]),
            "PLACE_PROVIDER": text(rows["PROV"]),
            "REC": text(rows["REC"]),
            "REASON_PLACE_CHANGE": optional("REASON"),
            "HOME_POST": text(["HO11ME"] * n),
            "PL_POST": text(rows["PL_POST"]),
            "URN": text(rows["URN"]),
            "SEX": text(person["SEX"]),
            "DOB": date(person["DOB"]),
            "ETHNIC": text(person["ETHNIC"]),
            "UASC": person["UASC"].eq("yes").to_numpy(dtype=bool),
            "DUC": date(person["DUC"]),
            "placement_category": codes.placement_category(text(rows["PLACE"]), text(rows["PROV"])),
            "PL_DISTANCE": pd.to_numeric(rows["MILES"]).astype("Float64"),
            "PL_LA": optional("PL_LA"),
            "PL_LOCATION": optional("LOC"),
            "collection_year": pd.Series([year] * n, dtype="Int64"),
            "source_file": text(["episodes.csv"] * n),
            "source_row": pd.Series(np.arange(2, n + 2), dtype="Int64"),
        }
    )
    return out.sort_values(["la", "CHILD", "DECOM"], kind="stable").reset_index(drop=True)


def keys(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(la, CHILD) of each row of a child-level result."""
    return list(zip(frame["la"], frame["CHILD"], strict=True))
