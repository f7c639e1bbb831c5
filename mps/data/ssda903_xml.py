"""903 tables from the XML return that case-management systems export (reference §2.1).

The expanded-903 schema has a root ``EXPSSDA903`` holding one ``CHILD`` element per child:
a ``HEADER`` (``CHILDID``, SEX, DOB, ETHNIC, UPN, MOTHER, MC_DOB; the ``UASC`` flag and DUC;
the adoption fields of AD1; the care-leaver fields of OC3; and the repeating groups
``AMISSING``, ``AREVIEW``, ``PERMANENCE``, ``OC2`` and ``AD_PLACED``) and its ``EPISODE``
elements, whose placement is called ``PL`` (``PLACE`` in the CSV layout). This module turns
them into the DfE CSV tables, one row per element, each with the element's line number, so
they are validated and merged exactly as the CSV files are. Groups the schema does not name
(a later year's new table) become a table of their own, recognised by their fields.

The file is streamed (``iterparse``): each child is read, turned into rows and freed, so an
England-sized export does not need to fit in memory as a tree.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from mps.data.csv_reader import CsvReadError, normalise_column
from mps.data.ssda903_spec import TABLE_SPECS, RawTable

ROOT = "EXPSSDA903"
#: XML element names that differ from the CSV column names.
RENAMED = {"CHILDID": "CHILD", "PL": "PLACE"}
#: Header fields that belong to another table (the UASC flag itself is not a column).
_SATELLITES = {
    "uasc": ("DUC",),
    "ad1": ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
    "oc3": ("IN_TOUCH", "ACTIV", "ACCOM"),
}
#: The repeating groups of the schema and the table each is.
GROUPS = {
    "EPISODE": "episodes",
    "AMISSING": "missing",
    "AREVIEW": "reviews",
    "PERMANENCE": "prev_perm",
    "OC2": "oc2",
    "AD_PLACED": "placed_adoption",
}
_NOT_HEADER = {field for fields in _SATELLITES.values() for field in fields} | {"UASC"}
_TRUE = {"1", "Y", "YES", "TRUE"}


class NotA903Xml(Exception):
    """The XML file's root is not ``EXPSSDA903``: it is some other XML document."""

    def __init__(self, root: str):
        super().__init__(root)
        self.root = root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag[:1] == "{" else tag


def read_xml_return(path: Path, display: str) -> list[RawTable]:
    """The tables of one XML return, each named ``<display> [<Table>]``.

    Raises :class:`NotA903Xml` for another kind of XML document and
    :class:`~mps.data.csv_reader.CsvReadError` (with the line) for a malformed file.
    """
    from lxml import etree

    records: dict[str, list[dict[str, str]]] = defaultdict(list)
    lines: dict[str, list[int]] = defaultdict(list)
    context = etree.iterparse(
        str(path),
        events=("end",),
        tag="{*}CHILD",
        resolve_entities=False,
        no_network=True,
        huge_tree=True,
    )
    try:
        for _, child in context:
            if _local(child.getparent().tag) != ROOT:
                continue  # a CHILD element nested elsewhere is not a child record
            _read_child(child, records, lines)
            # Free what has been read: the element and the siblings before it.
            child.clear()
            parent = child.getparent()
            while child.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as error:
        raise CsvReadError(f"well-formed XML ({error.msg})", line=error.lineno or None) from error
    root = context.root
    if root is None or _local(root.tag) != ROOT:
        raise NotA903Xml("" if root is None else _local(root.tag))
    tables = []
    for name, rows in records.items():
        frame = pd.DataFrame.from_records(rows).fillna("")
        raw_columns = list(frame.columns)
        frame.columns = [normalise_column(c) for c in raw_columns]
        label = TABLE_SPECS[name].label if name in TABLE_SPECS else name
        tables.append(
            RawTable(
                f"{display} [{label}]",
                frame,
                np.asarray(lines[name], dtype="int64"),
                raw_columns,
                scope=display,
            )
        )
    return tables


def _leaves(element) -> tuple[dict[str, str], list]:
    """An element's leaf fields (renamed as in the CSV layout) and its sub-groups."""
    fields: dict[str, str] = {}
    groups = []
    for sub in element:
        if not isinstance(sub.tag, str):
            continue  # comments and processing instructions
        if len(sub):
            groups.append(sub)
            continue
        tag = _local(sub.tag)
        fields[RENAMED.get(tag, tag)] = (sub.text or "").strip()
    return fields, groups


def _read_child(child, records: dict, lines: dict) -> None:
    header_fields: dict[str, str] = {}
    header_line = child.sourceline
    groups = []
    for sub in child:
        if not isinstance(sub.tag, str):
            continue
        if _local(sub.tag) == "HEADER":
            header_fields, header_groups = _leaves(sub)
            header_line = sub.sourceline
            groups.extend(header_groups)
        elif len(sub):
            groups.append(sub)
    child_id = header_fields.get("CHILD", "")
    header = {k: v for k, v in header_fields.items() if k not in _NOT_HEADER}
    header.setdefault("CHILD", "")
    records["header"].append(header)
    lines["header"].append(header_line)
    if child_id:
        uasc = header_fields.get("UASC", "").upper() in _TRUE or header_fields.get("DUC")
        for name, fields in _SATELLITES.items():
            if name == "uasc" and not uasc:
                continue
            if name != "uasc" and not header_fields.get(fields[0]):
                continue  # no AD1 without DATE_INT, no OC3 without IN_TOUCH
            # The child's SEX and DOB stay in the Header: copied into these rows (as the CSV
            # files carry them) a bad DOB would be reported once per table.
            row = {"CHILD": child_id, **{f: header_fields.get(f, "") for f in fields}}
            records[name].append(row)
            lines[name].append(header_line)
    for group in groups:
        tag = _local(group.tag)
        fields, _ = _leaves(group)
        if tag != "EPISODE" and not any(fields.values()):
            continue  # an empty optional group (e.g. <OC2/> with blank fields) is no row
        row = {"CHILD": child_id, **fields}
        name = GROUPS.get(tag, tag)
        records[name].append(row)
        lines[name].append(group.sourceline)
