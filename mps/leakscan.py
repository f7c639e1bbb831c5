"""The last check before anything is published: no child's identifiers, no small counts.

Every file of a publication (HTML, PDF, DOCX, XLSX, CSV, text) is scanned before it is
moved into ``publish/``. The build fails if a file holds

- a **CHILD identifier, UPN or referral id** found in the area's child-level inputs, as a
  whole token (``1007544`` but not ``21007544``; upper or lower case);
- a **date of birth** found in the inputs, written in any usual way (12/09/2008,
  2008-09-12, 12 September 2008, September 12, 2008, 12th Sep 2008, or an Excel date);
- a **full postcode** found in the inputs (home or placement), with or without its space;
- in a published table, a **count from 1 to the disclosure threshold** (a count column of
  an HTML table, an annex CSV or an annex sheet), checked by
  :func:`mps.disclosure.find_disclosure_breaches`.

What is scanned: the visible text *and* the attributes of HTML (alt text, titles, labels;
not the embedded images), the text of every PDF page and its metadata, every XML part of a
DOCX (text and attributes, so image descriptions too), every XLSX cell and document
property, and every CSV cell. Charts are pictures and cannot be read back: they are drawn
only from published, disclosure-controlled tables (:mod:`mps.charts`).

To avoid false alarms, the scan ignores identifiers too short to tell from ordinary numbers
and words (numbers of fewer than :data:`MIN_ID_LENGTH` digits, such as years; other
identifiers of fewer than four characters, such as the 903's UN1-UN10) and says how many
it ignored; it does not treat 31 March or 1 April of any year (the reporting dates every
document names), the publication date or a date written in the notebooks' text or the
narrative parameters as a date of birth; and in tables it
looks for identifiers only in label cells, never in the numbers (a spend total may equal
some child's number by chance).
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import json
import os
import re
import stat
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from mps.data.csv_reader import CsvReadError, normalise_column, read_csv_strings
from mps.disclosure import DEFAULT_THRESHOLD, find_disclosure_breaches

#: Input columns (normalised names) that hold a child's identifier.
ID_COLUMNS = frozenset(
    {"CHILD", "CHILD_ID", "CHILDID", "LA_CHILD_ID", "REFERRAL_ID", "NHS_NUMBER", "CASE_ID"}
)
UPN_COLUMNS = frozenset({"UPN", "FORMER_UPN", "UNIQUE_PUPIL_NUMBER"})
DOB_COLUMNS = frozenset({"DOB", "MC_DOB", "DATE_OF_BIRTH", "BIRTH_DATE"})
POSTCODE_COLUMNS = frozenset({"HOME_POST", "PL_POST", "POSTCODE", "POST_CODE", "HOME_POSTCODE"})
IDENTIFYING_COLUMNS = ID_COLUMNS | UPN_COLUMNS | DOB_COLUMNS | POSTCODE_COLUMNS
#: Shorter identifiers cannot be told from ordinary numbers and words (UN1-UN10, the 903's
#: "no UPN" reasons, among them).
MIN_ID_LENGTH = 5

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-_/.][A-Za-z0-9]+)*")
_WORD = re.compile(r"[A-Za-z0-9]+")
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)[ \t\u00a0]*([0-9][A-Za-z]{2})(?![A-Za-z0-9])"
)
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {
    m.lower(): i for i, m in enumerate(calendar.month_abbr) if m
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
# Dates are written on one line: a count in one table cell and a month in the next
# ("10", "July 2024") must not read as 10 July 2024, so text is extracted a cell a line.
_SPACE = r"[ \t\u00a0]"
_DAY_FIRST = re.compile(r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?!\d)")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_DAY_MONTH = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?{_SPACE}+({_MONTH})\.?,?{_SPACE}+(\d{{4}})(?!\d)", re.I
)
_MONTH_DAY = re.compile(
    rf"(?<![A-Za-z])({_MONTH})\.?{_SPACE}+(\d{{1,2}})(?:st|nd|rd|th)?,?{_SPACE}+(\d{{4}})(?!\d)",
    re.I,
)


def normalise_postcode(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def _scannable(identifier: str) -> bool:
    if len(identifier) < MIN_ID_LENGTH - (0 if identifier.isdigit() else 1):
        return False
    return bool(_TOKEN.fullmatch(identifier))


@dataclass
class ChildIdentifiers:
    """Everything in an area's inputs that identifies a child, each with where it was found."""

    ids: dict[str, str] = field(default_factory=dict)  # upper-cased token -> source
    upns: dict[str, str] = field(default_factory=dict)
    dates_of_birth: dict[date, str] = field(default_factory=dict)
    postcodes: dict[str, str] = field(default_factory=dict)  # no spaces, upper case
    #: How many identifiers were too short to scan for, by kind.
    ignored: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        *,
        ids: Iterable[str] = (),
        upns: Iterable[str] = (),
        dates_of_birth: Iterable[date] = (),
        postcodes: Iterable[str] = (),
        source: str = "given",
    ) -> ChildIdentifiers:
        found = cls()
        found.add("id", ids, source)
        found.add("upn", upns, source)
        found.add_dates(dates_of_birth, source)
        found.add_postcodes(postcodes, source)
        return found

    def add(self, kind: str, values: Iterable[str], source: str) -> None:
        target = self.ids if kind == "id" else self.upns
        for value in values:
            value = str(value).strip().upper()
            if not value:
                continue
            if _scannable(value):
                target.setdefault(value, source)
            else:
                self.ignored[kind] = self.ignored.get(kind, 0) + 1

    def add_dates(self, values: Iterable[date], source: str) -> None:
        for value in values:
            if value is not None and not pd.isna(value):
                day = value.date() if isinstance(value, datetime) else value
                self.dates_of_birth.setdefault(day, source)

    def add_postcodes(self, values: Iterable[str], source: str) -> None:
        for value in values:
            code = normalise_postcode(str(value))
            if _POSTCODE.fullmatch(code):
                self.postcodes.setdefault(code, source)

    def merge(self, other: ChildIdentifiers, source: str) -> None:
        """Add ``other``'s identifiers, found in ``source`` (a file), where not known yet."""
        for mine, theirs in (
            (self.ids, other.ids),
            (self.upns, other.upns),
            (self.dates_of_birth, other.dates_of_birth),
            (self.postcodes, other.postcodes),
        ):
            for value, where in theirs.items():
                mine.setdefault(value, f"{source}{where}")
        for kind, count in other.ignored.items():
            self.ignored[kind] = self.ignored.get(kind, 0) + count

    def __len__(self) -> int:
        return len(self.ids) + len(self.upns) + len(self.dates_of_birth) + len(self.postcodes)

    def summary(self) -> str:
        text = (
            f"{len(self.ids):,} child and referral identifiers, {len(self.upns):,} UPNs, "
            f"{len(self.dates_of_birth):,} dates of birth, {len(self.postcodes):,} postcodes"
        )
        if self.ignored:
            skipped = ", ".join(f"{n:,} {kind}" for kind, n in sorted(self.ignored.items()))
            text += f" (too short to scan for, so not scanned: {skipped})"
        return text


def _parse_dates(values: pd.Series) -> pd.Series:
    # The 903's DD/MM/YYYY first, then ISO dates as other systems write them.
    parsed = pd.to_datetime(values, format="%d/%m/%Y", errors="coerce")
    missing = parsed.isna() & (values != "")
    if missing.any():
        parsed[missing] = pd.to_datetime(values[missing], format="ISO8601", errors="coerce")
    return parsed.dropna().dt.date


def _add_frame(found: ChildIdentifiers, frame: pd.DataFrame, source: str) -> None:
    for column in frame.columns:
        name = normalise_column(str(column))
        where = f"{source}, column {column}"  # source "" for a file read on its own
        values = frame[column]
        if name in DOB_COLUMNS:
            if pd.api.types.is_datetime64_any_dtype(values):
                found.add_dates(values.dropna().dt.date, where)
            else:
                found.add_dates(_parse_dates(values.astype(str)), where)
            continue
        text = values.dropna().astype(str).drop_duplicates()
        if name in ID_COLUMNS:
            found.add("id", text, where)
        elif name in UPN_COLUMNS:
            found.add("upn", text, where)
        elif name in POSTCODE_COLUMNS:
            found.add_postcodes(text, where)


INPUT_SUFFIXES = (".csv", ".parquet", ".xml", ".xlsx")


def collect_identifiers(
    sources: Sequence[Path], *, relative_to: Path | None = None, cache_dir: Path | None = None
) -> ChildIdentifiers:
    """Identifiers from child-level inputs: every CSV, 903 XML return and workbook under
    each folder in ``sources`` (a borough's 903 returns, spend, referrals, needs) and
    Parquet files (prepared episodes).

    Only columns (or XML elements) named as identifiers are read
    (:data:`IDENTIFYING_COLUMNS`). A source that does not exist raises
    ``FileNotFoundError``: the scan must know what it looks for. Each file is read once per
    process while it is unchanged (a consortium's publication reuses its boroughs'), and
    the whole collection once per process for the same unchanged files: every area of a
    consortium scans for all its members' children, so at national scale (150 members,
    thousands of files) it is the same collection each time. Treat the result as read-only.

    ``cache_dir`` (a build's internal folder: it holds identifiers) shares each file's
    identifiers between processes: a build collects them once, as each borough is
    prepared, rather than once in every worker that publishes.
    """
    files: dict[str, tuple[str, int, int, str]] = {}
    for source in sources:
        source = Path(source)
        if not source.exists():
            raise FileNotFoundError(f"child-level input {source} not found for the leak scan")
        # Resolved once: the files under it are named from it (resolving each of thousands
        # of files cost more than reading the collection back at national scale).
        root = source.resolve()
        paths = [source] if source.is_file() else sorted(source.rglob("*"))
        for path in paths:
            if path.suffix.lower() not in INPUT_SUFFIXES:
                continue
            key = str(root if path == source else root / path.relative_to(source))
            if key in files:  # a folder inside another source (a borough's ssda903)
                continue
            try:
                found = path.stat()
            except OSError:  # gone since it was listed
                continue
            if stat.S_ISREG(found.st_mode):
                files[key] = (key, found.st_size, found.st_mtime_ns, _label(path, relative_to))
    return _collected(tuple(files.values()), str(cache_dir) if cache_dir else "")


@functools.lru_cache(maxsize=4)
def _collected(files: tuple[tuple[str, int, int, str], ...], cache_dir: str) -> ChildIdentifiers:
    # Each file's path, size and modification time are in the key: a change reads again.
    found = ChildIdentifiers()
    for path_text, size, mtime_ns, label in files:
        found.merge(_file_identifiers(path_text, size, mtime_ns, cache_dir), label)
    return found


@functools.lru_cache(maxsize=4096)
def _file_identifiers(path_text: str, size: int, mtime_ns: int, cache_dir: str) -> ChildIdentifiers:
    # size and mtime_ns are part of the cache key: a changed file is read again.
    if not cache_dir:
        return _read_identifiers(Path(path_text))
    cached = Path(cache_dir) / f"{hashlib.sha256(path_text.encode()).hexdigest()[:32]}.json"
    stamp = {"path": path_text, "size": size, "mtime_ns": mtime_ns}
    found = _load_identifiers(cached, stamp)
    if found is None:
        found = _read_identifiers(Path(path_text))
        _save_identifiers(cached, stamp, found)
    return found


def _load_identifiers(cached: Path, stamp: dict) -> ChildIdentifiers | None:
    """A file's identifiers as saved for its present size and time, else None."""
    try:
        saved = json.loads(cached.read_text(encoding="utf-8"))
        if saved["stamp"] != stamp:
            return None  # the file changed since (or another file hashed here)
        return ChildIdentifiers(
            ids=saved["ids"],
            upns=saved["upns"],
            dates_of_birth={date.fromisoformat(d): w for d, w in saved["dates_of_birth"].items()},
            postcodes=saved["postcodes"],
            ignored=saved["ignored"],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or unreadable: read the file itself


def _save_identifiers(cached: Path, stamp: dict, found: ChildIdentifiers) -> None:
    record = {
        "stamp": stamp,
        "ids": found.ids,
        "upns": found.upns,
        "dates_of_birth": {d.isoformat(): w for d, w in found.dates_of_birth.items()},
        "postcodes": found.postcodes,
        "ignored": found.ignored,
    }
    cached.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: another process reading it sees all of it or none.
    partial = cached.with_name(f"{cached.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(record), encoding="utf-8")
    os.replace(partial, cached)


def _read_identifiers(path: Path) -> ChildIdentifiers:
    found = ChildIdentifiers()
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        names = pq.read_schema(path).names
        wanted = [n for n in names if normalise_column(n) in IDENTIFYING_COLUMNS]
        if wanted:
            _add_frame(found, pd.read_parquet(path, columns=wanted), "")
    elif suffix == ".xml":
        _add_frame(found, _xml_identifiers(path), "")
    elif suffix == ".xlsx":
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, engine="openpyxl")
        for frame in sheets.values():
            wanted = [c for c in frame.columns if normalise_column(str(c)) in IDENTIFYING_COLUMNS]
            _add_frame(found, frame[wanted].fillna(""), "")
    else:
        try:
            table = read_csv_strings(path, usecols=IDENTIFYING_COLUMNS)
        except CsvReadError as error:
            raise ValueError(f"{path}: cannot read it for the leak scan: {error}") from error
        if not table.frame.empty:
            _add_frame(found, table.frame, "")
    return found


def _xml_identifiers(path: Path) -> pd.DataFrame:
    """The identifying elements of an XML file (a 903 return: ``<CHILD>``, ``<UPN>``...),
    streamed, as one column per element name."""
    from lxml import etree

    values: dict[str, list[str]] = {}
    for _, element in etree.iterparse(str(path), events=("end",), huge_tree=True):
        tag = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        name = normalise_column(tag)
        if name in IDENTIFYING_COLUMNS and element.text and element.text.strip():
            values.setdefault(name, []).append(element.text.strip())
        if len(element) == 0:
            element.clear()
    longest = max((len(v) for v in values.values()), default=0)
    return pd.DataFrame({k: v + [""] * (longest - len(v)) for k, v in values.items()})


def _label(path: Path, relative_to: Path | None) -> str:
    if relative_to is not None:
        try:
            return path.relative_to(relative_to).as_posix()
        except ValueError:
            pass
    return path.as_posix()


# --- findings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One thing in a published file that must not be published."""

    file: str
    where: str
    what: str

    def describe(self) -> str:
        return f"{self.file}, {self.where}: {self.what}"


class LeakScanError(RuntimeError):
    """A published file holds a child's identifier or a small count."""

    def __init__(self, findings: Sequence[Finding]):
        self.findings = list(findings)
        shown = "\n  ".join(f.describe() for f in self.findings[:15])
        more = f"\n  ... and {len(self.findings) - 15} more" if len(self.findings) > 15 else ""
        super().__init__(
            f"the leak scan found {len(self.findings)} problem(s); nothing was published "
            f"and the previous publication is unchanged:\n  {shown}{more}"
        )


def _mask(value: str) -> str:
    # Enough to recognise it, not enough to repeat it in logs.
    keep = 3 if len(value) > 6 else 1
    return value[:keep] + "*" * (len(value) - keep)


#: Dates every document names that are no child's date of birth for the scan's purposes.
def _reporting_date(day: date) -> bool:
    return (day.month, day.day) in ((3, 31), (4, 1))


class Scanner:
    """Looks for :class:`ChildIdentifiers` in text, and for small counts in tables."""

    def __init__(self, identifiers: ChildIdentifiers, *, allowed_dates: Iterable[date] = ()):
        self.identifiers = identifiers
        self.allowed_dates = set(allowed_dates)

    # -- text
    def text(self, text: str, file: str, where: str) -> list[Finding]:
        """Identifiers, dates of birth and postcodes in free text."""
        found: list[Finding] = []
        ids, upns = self.identifiers.ids, self.identifiers.upns
        if ids or upns:
            tokens = {t.upper() for t in _TOKEN.findall(text)}
            tokens |= {t.upper() for t in _WORD.findall(text)}
            for token in sorted(tokens & ids.keys()):
                found.append(
                    Finding(file, where, f"a child identifier ({_mask(token)}, from {ids[token]})")
                )
            for token in sorted(tokens & upns.keys()):
                found.append(Finding(file, where, f"a UPN ({_mask(token)}, from {upns[token]})"))
        if self.identifiers.dates_of_birth:
            for day in sorted(set(self._dates(text))):
                found.extend(self._date_finding(day, file, where))
        if self.identifiers.postcodes:
            codes = {(a + b).upper() for a, b in _POSTCODE.findall(text)}
            for code in sorted(codes & self.identifiers.postcodes.keys()):
                source = self.identifiers.postcodes[code]
                found.append(Finding(file, where, f"a postcode ({code[:3]}***, from {source})"))
        return found

    def _date_finding(self, day: date, file: str, where: str) -> list[Finding]:
        source = self.identifiers.dates_of_birth.get(day)
        if source is None or day in self.allowed_dates or _reporting_date(day):
            return []
        return [Finding(file, where, f"a date of birth (**/**/{day.year}, from {source})")]

    @staticmethod
    def _dates(text: str) -> Iterator[date]:
        def make(year: str, month: int | str, day: str) -> date | None:
            try:
                return date(int(year), int(month), int(day))
            except ValueError:
                return None

        candidates = [make(y, m, d) for d, m, y in _DAY_FIRST.findall(text)]
        candidates += [make(y, m, d) for y, m, d in _ISO.findall(text)]
        candidates += [make(y, _MONTHS[m.lower()], d) for d, m, y in _DAY_MONTH.findall(text)]
        candidates += [make(y, _MONTHS[m.lower()], d) for m, d, y in _MONTH_DAY.findall(text)]
        return (c for c in candidates if c is not None)

    def value(self, value: object, file: str, where: str) -> list[Finding]:
        """One spreadsheet cell or property."""
        if isinstance(value, datetime | date):
            day = value.date() if isinstance(value, datetime) else value
            return self._date_finding(day, file, where)
        if isinstance(value, str):
            return self.text(value, file, where)
        return []

    # -- tables
    def table(
        self,
        frame: pd.DataFrame,
        file: str,
        where: str,
        *,
        count_columns: Sequence[str],
        label_columns: Sequence[str],
        threshold: int | None,
        round_to: int | None,
    ) -> list[Finding]:
        """A published table (cells as text or numbers): identifiers in its header and label
        cells (thousands separators ignored), small counts in its count columns."""
        found: list[Finding] = []
        found += self.text("\n".join(str(c) for c in frame.columns), file, f"{where}, header")
        for column in label_columns:
            if column in frame.columns:
                labels = frame[column].dropna().astype(str)
                text = "\n".join(labels) + "\n" + "\n".join(labels.str.replace(",", ""))
                found += self.text(text, file, f"{where}, column {column!r}")
        present = [c for c in count_columns if c in frame.columns]
        missing = [c for c in count_columns if c not in frame.columns]
        if missing:
            found.append(
                Finding(file, where, f"count column(s) {missing} not found: counts not checked")
            )
        breaches = find_disclosure_breaches(
            frame,
            present,
            threshold or DEFAULT_THRESHOLD,
            rounded_to=round_to,
        )
        found += [Finding(file, where, breach) for breach in breaches]
        return found


# --- files --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableDescription:
    """What the scan needs to know about a published table."""

    name: str
    columns: tuple[str, ...]
    count_columns: tuple[str, ...]
    label_columns: tuple[str, ...]
    threshold: int | None
    round_to: int | None
    notebook: str = ""
    csv_name: str = ""


def _cell_text(element) -> str:
    """An element's text, its pieces stripped and joined by single spaces."""
    return " ".join(piece.strip() for piece in element.itertext() if piece.strip())


def _html_table_frame(table) -> pd.DataFrame:
    header = [_cell_text(cell) for cell in table.iterfind(".//thead//th")]
    rows = [
        [_cell_text(cell) for cell in row if cell.tag in ("th", "td")]
        for row in table.iterfind(".//tbody//tr")
    ]
    width = len(header) if header else max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return pd.DataFrame([r[:width] for r in rows], columns=header or list(range(width)))


def scan_html(
    text: str, file: str, scanner: Scanner, tables: Mapping[tuple[str, str], TableDescription]
) -> list[Finding]:
    """Visible text, attributes (alt text, titles) and every table of an HTML document.

    Parsed by lxml (a C parser, several times faster here than BeautifulSoup on top of it).
    The text of comments, scripts and stylesheets is scanned too: stricter than a browser's
    view of the page, never looser."""
    import lxml.html

    root = lxml.html.document_fromstring(text)
    found = scanner.text("\n".join(root.itertext()), file, "text")
    attributes = [
        value
        for element in root.iter()
        if isinstance(element.tag, str)  # not comments or processing instructions
        for name, value in element.attrib.items()
        if not (name in ("src", "href") and value.startswith("data:"))
    ]
    found += scanner.text("\n".join(attributes), file, "attributes (alt text, titles, links)")
    for number, table in enumerate(root.iter("table"), start=1):
        key = (table.get("data-mps-notebook", ""), table.get("data-mps-table", ""))
        description = tables.get(key)
        where = f"table {number} ({key[1] or 'unnamed'})"
        if description is None:
            found.append(
                Finding(file, where, "a table with no description: its counts cannot be checked")
            )
            continue
        frame = _html_table_frame(table)
        found += scanner.table(
            frame,
            file,
            where,
            count_columns=description.count_columns,
            label_columns=description.label_columns,
            threshold=description.threshold,
            round_to=description.round_to,
        )
    return found


def scan_pdf(path: Path, file: str, scanner: Scanner) -> list[Finding]:
    """Every page's text and the document properties, extracted by PDFium (the text engine
    of Chromium: twenty times faster than a pure-Python reader on these documents)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    found = []
    try:
        for number in range(len(document)):
            page = document[number]
            text_page = page.get_textpage()
            try:
                found += scanner.text(text_page.get_text_range(), file, f"page {number + 1}")
            finally:
                text_page.close()
                page.close()
        metadata = document.get_metadata_dict(skip_empty=True)
    finally:
        document.close()
    found += scanner.text(" ".join(str(v) for v in metadata.values()), file, "document properties")
    return found


_XML_TEXT = re.compile(r">([^<]+)<")
_RUN_BREAK = re.compile(
    r"</w:t>\s*(?:<(?!/?w:(?:p|tc|tr|tbl|tab|br|cr)\b)[^>]+>\s*)*?<w:t(?:\s[^>]*)?>"
)
_XML_ATTRIBUTE = re.compile(r'=\s*"([^"]*)"')


def scan_zip_xml(
    path: Path, file: str, scanner: Scanner, *, skip: tuple[str, ...] = ()
) -> list[Finding]:
    """Every XML part of a DOCX (or any Office file): text and attribute values. Parts
    whose names start with one of ``skip`` are left to a reader that knows their cells."""
    import html as html_module

    found = []
    with zipfile.ZipFile(path) as archive:
        for item in archive.infolist():
            if not item.filename.endswith((".xml", ".rels")) or item.filename.startswith(skip):
                continue
            xml = archive.read(item).decode("utf-8", "replace")
            # Word splits text into runs: join the runs of a paragraph before looking, but
            # never across paragraphs, table cells, tabs or line breaks.
            joined = _RUN_BREAK.sub("", xml)
            parts = _XML_TEXT.findall(joined) + _XML_ATTRIBUTE.findall(xml)
            text = html_module.unescape("\n".join(parts))
            found += scanner.text(text, file, item.filename)
    return found


def _table_in_sheet(rows: list[tuple], columns: Sequence[str]) -> int | None:
    for index, row in enumerate(rows):
        cells = [str(v) if v is not None else "" for v in row[: len(columns)]]
        if cells == list(columns):
            return index
    return None


def scan_xlsx(
    path: Path, file: str, scanner: Scanner, sheets: Mapping[str, TableDescription]
) -> list[Finding]:
    """Every cell and property; table sheets (named in ``sheets``) also as tables."""
    from openpyxl import load_workbook

    found = []
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        properties = workbook.properties
        found += scanner.text(
            " ".join(
                str(getattr(properties, n) or "")
                for n in (
                    "title",
                    "creator",
                    "subject",
                    "description",
                    "keywords",
                    "lastModifiedBy",
                )
            ),
            file,
            "document properties",
        )
        for sheet in workbook.worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            for number, row in enumerate(rows, start=1):
                for value in row:
                    found += scanner.value(value, file, f"sheet {sheet.title!r}, row {number}")
            description = sheets.get(sheet.title)
            if description is None:
                continue
            header = _table_in_sheet(rows, description.columns)
            where = f"sheet {sheet.title!r}"
            if header is None:
                found.append(
                    Finding(file, where, "the table's header row was not found: counts not checked")
                )
                continue
            body = [list(r[: len(description.columns)]) for r in rows[header + 1 :]]
            frame = pd.DataFrame(body, columns=list(description.columns), dtype=object)
            found += scanner.table(
                frame,
                file,
                where,
                count_columns=description.count_columns,
                label_columns=description.label_columns,
                threshold=description.threshold,
                round_to=description.round_to,
            )
    finally:
        workbook.close()
    return found


_PLAIN_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def scan_csv(
    path: Path, file: str, scanner: Scanner, description: TableDescription | None
) -> list[Finding]:
    """Header and text cells for identifiers; label and count columns as a table. Numbers
    are not searched for identifiers (a total may equal a child's number by chance)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    cells = frame.to_numpy().ravel().tolist()
    text = [str(c) for c in frame.columns] + [c for c in cells if not _PLAIN_NUMBER.match(c)]
    found = scanner.text("\n".join(text), file, "text")
    if description is None:
        return [
            *found,
            Finding(file, "table", "a CSV file with no description: counts cannot be checked"),
        ]
    found += scanner.table(
        frame.replace("", None),
        file,
        "table",
        count_columns=description.count_columns,
        label_columns=description.label_columns,
        threshold=description.threshold,
        round_to=description.round_to,
    )
    return found


def scan_folder(
    folder: Path,
    scanner: Scanner,
    *,
    tables: Sequence[TableDescription] = (),
    sheets: Mapping[str, TableDescription] | None = None,
) -> list[Finding]:
    """Scan every file under ``folder`` (a publication being staged). ``tables`` describe
    the published tables (HTML tables by notebook and name, CSV files by name); ``sheets``
    maps the annex workbook's table sheets to their table. A file of a kind the scan cannot
    read is itself a finding: nothing unscanned is published."""
    by_key = {(t.notebook, t.name): t for t in tables}
    by_csv = {t.csv_name: t for t in tables if t.csv_name}
    found: list[Finding] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        file = path.relative_to(folder).as_posix()
        suffix = path.suffix.lower()
        if suffix == ".html":
            found += scan_html(path.read_text(encoding="utf-8"), file, scanner, by_key)
        elif suffix == ".pdf":
            found += scan_pdf(path, file, scanner)
        elif suffix == ".docx":
            found += scan_zip_xml(path, file, scanner)
        elif suffix == ".xlsx":
            # Worksheets hold numbers as text in their XML: they are read cell by cell.
            found += scan_zip_xml(path, file, scanner, skip=("xl/worksheets/",))
            found += scan_xlsx(path, file, scanner, sheets or {})
        elif suffix == ".csv":
            found += scan_csv(path, file, scanner, by_csv.get(path.name))
        elif suffix in (".txt", ".md", ".json"):
            found += scanner.text(path.read_text(encoding="utf-8"), file, "text")
        else:
            found.append(
                Finding(
                    file, "file", f"a {suffix or 'extensionless'} file the leak scan cannot read"
                )
            )
    return found
