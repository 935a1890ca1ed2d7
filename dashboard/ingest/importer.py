"""Read, validate and import CSV/XLSX files of master data and monthly rows; list and revert batches.

Contract (docs/ARCHITECTURE.md): `import_files` either imports every file of a call in ONE transaction
together with the recomputation of every month touched, or raises `ImportRejected` listing the
problems of every file and leaves the database unchanged. Each call is one `ImportBatch`; whatever a
batch overwrote is kept in `ImportReplaced` so that `revert_batch` restores it exactly.

File kinds and their columns are in `KINDS`. A CSV file is recognised by its header row (whatever its
name); an XLSX workbook has one sheet per kind, named like the kind. Row numbers in problems are the
rows a spreadsheet shows (the header is row 1).

`ImportReplaced` encoding (also read by `revert_batch`):
* key: JSON list of the primary-key values in table order, e.g. ``["2024-05", "PS001", "ndc_sync"]``;
* old_values: for monthly rows ``{"numerator": n, "denominator": d, "batch_id": b}`` (always in that
  order, ending with ``batch_id``, so later batches that replaced a batch's rows can be found with a
  plain LIKE); for master data the replaced columns, or ``null`` when the batch ADDED that master row
  (revert deletes it again).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sys
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, update
from sqlalchemy import exc as sa_exc

from dashboard.store import (
    District,
    ImportBatch,
    ImportReplaced,
    Meta,
    PoliceStation,
    State,
    StateRow,
    StationRow,
    refresh_planner_statistics,
    utcnow,
)
from metrics.methodology import MONTH_RE, Methodology, days_in_month

CATEGORIES = ("Major States", "Hilly & North-East", "UTs")
MAX_PROBLEMS_PER_FILE = 200
CHUNK = 50_000
INT_MAX = 2**31 - 1  # INTEGER columns are 32-bit on PostgreSQL
PROGRESS_MIN_ROWS = 20_000
SQLITE_CACHE_KIB = 256_000

# XLSX limits, checked before openpyxl expands anything (zip sizes) and while streaming (rows, cells). A
# national month is about 230,000 station rows (17,600 stations x 13 parameters): these admit four of them.
MAX_XLSX_ROWS = 1_000_000  # data rows per sheet
MAX_XLSX_CELLS = 20_000_000  # cells read per workbook
MAX_XLSX_UNCOMPRESSED = 512 * 2**20  # bytes, all parts of the zip together, as declared in the zip
MAX_XLSX_RATIO = 100  # uncompressed / compressed size of one part (real sheets: 5-20)
XLSX_RATIO_MIN_BYTES = 16 * 2**20  # parts smaller than this are not checked for their ratio

# codes of States/UTs, districts and police stations: the shapes of the demo (HR, HR-KNL, HR-KNL-001)
CODE_RE = re.compile(r"[A-Z0-9]+(?:-[A-Z0-9]+)*", re.ASCII)
CODE_RULE = ("code must be upper-case letters A-Z and digits 0-9, in groups joined by single hyphens "
             "(e.g. HR, HR-KNL, HR-KNL-001)")
FORMULA_STARTS = ("=", "+", "-", "@")
FORMULA_NAME_RULE = "must not begin with =, +, -, @ (it would act as a spreadsheet formula)"
FORMULA_CELL_RULE = "formula cells are not accepted: type the value"
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_RULE = "control characters (tab, line break, escape, ...) are not allowed"
_MONTH_ASCII_RE = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])", re.ASCII)


@dataclass(frozen=True)
class Kind:
    name: str
    columns: tuple[str, ...]  # in canonical order
    key: tuple[str, ...]
    optional: tuple[str, ...] = ()  # columns that may be left out of the header altogether
    max_len: dict[str, int] = field(default_factory=dict)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c not in self.optional)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("states", ("state_code", "name", "category"), ("state_code",),
             max_len={"state_code": 8, "name": 120}),
        Kind("districts", ("district_code", "state_code", "name"), ("district_code",),
             max_len={"district_code": 16, "name": 120}),
        Kind("police_stations", ("station_code", "district_code", "name", "opened", "closed"), ("station_code",),
             optional=("opened", "closed"), max_len={"station_code": 24, "name": 160}),
        Kind("station_rows", ("month", "station_code", "parameter", "numerator", "denominator"),
             ("month", "station_code", "parameter")),
        Kind("state_rows", ("month", "state_code", "parameter", "numerator", "denominator"),
             ("month", "state_code", "parameter")),
    )
}
MASTER_KINDS = ("states", "districts", "police_stations")
ROW_KINDS = ("station_rows", "state_rows")


# --- results and errors --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file. `row` is the spreadsheet row (header = 1), None for the file."""

    file: str
    row: int | None
    column: str
    value: str
    rule: str

    def __str__(self) -> str:
        """`file:row:column: value — rule`; a problem of the whole file is `file: rule`."""
        value = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        if self.row is None and not self.column:
            return f"{self.file}: {value + ' — ' if value else ''}{self.rule}"
        return f"{self.file}:{'' if self.row is None else self.row}:{self.column}: {value} — {self.rule}"


class ImporterError(Exception):
    """An import or revert that cannot go ahead; the message says why and what to do."""


class ImportRejected(ImporterError):
    """Some file has problems: nothing was imported. `problems` lists up to MAX_PROBLEMS_PER_FILE per
    file; `omitted` counts the problems found but not listed."""

    def __init__(self, problems: list[Problem], omitted: int = 0):
        self.problems = problems
        self.omitted = omitted
        total = len(problems) + omitted
        super().__init__(f"{total} problem(s) found; nothing was imported" + (
            f": {problems[0]}" if problems else ""))


class RevertRefused(ImporterError):
    pass


@dataclass(frozen=True)
class ImportReport:
    batch_id: int
    rows_added: int  # monthly rows and master-data rows inserted
    rows_replaced: int  # rows whose earlier values were replaced (kept for revert)
    months: list[str]  # months recomputed
    kinds: list[str]
    files: list[str]
    data_rows: int  # monthly rows in the files
    seconds: float  # whole call: read, validate, write, recompute

    @property
    def batch_ids(self) -> list[int]:
        return [self.batch_id]

    @property
    def rows_per_second(self) -> float:
        rows = self.rows_added + self.rows_replaced
        return rows / self.seconds if self.seconds > 0 else float("inf")


@dataclass(frozen=True)
class BatchInfo:
    id: int
    created_at: datetime
    created_by: str
    file_name: str
    file_sha256: str
    kinds: str
    months: str
    rows_added: int
    rows_replaced: int
    status: str
    reverted_at: datetime | None


@dataclass(frozen=True)
class RevertReport:
    batch_id: int
    rows_removed: int  # rows the batch had added, deleted again
    rows_restored: int  # earlier values put back
    months: list[str]


# --- problem collection -----------------------------------------------------------------------------


class _Problems:
    """Collects problems per file, keeping at most `cap` of them listed but counting all."""

    def __init__(self, cap: int = MAX_PROBLEMS_PER_FILE):
        self.cap = cap
        self.items: dict[str, list[Problem]] = {}
        self.counts: dict[str, int] = {}

    def add(self, file: str, row: int | None, column: str, value: object, rule: str) -> None:
        self.counts[file] = self.counts.get(file, 0) + 1
        items = self.items.setdefault(file, [])
        if len(items) < self.cap * 4:  # sorted and cut to `cap` at the end
            items.append(Problem(file, row, column, _text(value), rule))

    def add_mask(self, table: _Table, mask: pd.Series | np.ndarray, column: str,
                 rule: str | Callable[[pd.DataFrame], Iterable[str]],
                 value: Callable[[pd.DataFrame], Iterable[str]] | None = None) -> None:
        """Vectorised: one problem per row of `table.df` where `mask` holds. `rule` and `value` may be
        functions of the offending rows (only the listed ones are formatted, so huge files stay fast)."""
        mask = np.asarray(mask, dtype=bool)
        n = int(mask.sum())
        if not n:
            return
        sub = table.df.loc[mask].head(self.cap)
        if value is not None:
            values = list(value(sub))
        else:
            values = sub[column].tolist() if column in sub.columns else [""] * len(sub)
        rules = [rule] * len(sub) if isinstance(rule, str) else list(rule(sub))
        items = self.items.setdefault(table.label, [])
        for row, val, r in zip(sub["_row"].tolist(), values, rules, strict=True):
            items.append(Problem(table.label, int(row), column, _text(val), str(r)))
        self.counts[table.label] = self.counts.get(table.label, 0) + n

    def __bool__(self) -> bool:
        return any(self.counts.values())

    def result(self) -> tuple[list[Problem], int]:
        listed: list[Problem] = []
        omitted = 0
        for file, items in self.items.items():
            items = sorted(items, key=lambda p: (p.row or 0))[: self.cap]
            listed.extend(items)
            omitted += self.counts.get(file, 0) - len(items)
        return listed, omitted


def _text(value: object) -> str:
    """A value as shown in a problem; control characters are written as escapes (\\x1b), never sent raw
    to a terminal or a page."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value)
    return _CONTROL_RE.sub(lambda m: repr(m.group())[1:-1], text) if _CONTROL_RE.search(text) else text


# --- reading -------------------------------------------------------------------------------------------


@dataclass
class _Table:
    """The data of one CSV file or one XLSX sheet: string columns plus `_row` (spreadsheet row)."""

    label: str  # file name as shown in problems (with [sheet] for XLSX)
    kind: str
    df: pd.DataFrame
    # XLSX cells holding a formula without a typed value (read as blank): (row, column, formula)
    formulas: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass
class _File:
    path: Path
    sha256: str
    tables: list[_Table]


def _looks_binary(raw: bytes) -> bool:
    """Many control characters at the start: binary. A few are reported where they are, per cell (names),
    or fail the cell's own pattern (codes, months, numbers); a NUL anywhere is checked by the caller."""
    head = raw[:8192]
    controls = sum(1 for b in head if b < 9 or 13 < b < 32 or b == 127)
    return controls > max(2, len(head) // 100)


def _read_file(path: Path, problems: _Problems) -> _File | None:
    """Read one file; a file that breaks the reader in an unforeseen way is a problem, not a traceback."""
    try:
        return _read_file_checked(path, problems)
    except Exception as exc:  # noqa: BLE001 - hostile files must never end the import with a traceback
        problems.add(path.name, None, "", "", f"cannot be read ({type(exc).__name__}: {str(exc)[:120]}): "
                     "check that it is a CSV (UTF-8) or XLSX file")
        return None


def _read_file_checked(path: Path, problems: _Problems) -> _File | None:
    label = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.add(label, None, "", str(path), f"cannot read the file: {exc.strerror or exc}")
        return None
    sha = hashlib.sha256(raw).hexdigest()
    if not raw.strip(b" \t\r\n\xef\xbb\xbf"):
        problems.add(label, None, "", "", "the file is empty")
        return None
    if raw[:4] == b"PK\x03\x04":
        return _File(path, sha, _read_xlsx(path, raw, problems))
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        problems.add(label, None, "", "", "old Excel .xls format is not supported: save the workbook as .xlsx or CSV")
        return None
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        problems.add(label, None, "", "", "UTF-16 text is not supported: save the file as 'CSV UTF-8'")
        return None
    nul = raw.find(b"\x00")  # anywhere in the file, not only in its first 8 KiB
    if nul >= 0:
        problems.add(label, raw.count(b"\n", 0, nul) + 1, "", "",
                     "not a CSV or XLSX file: binary content (a NUL byte on this line)")
        return None
    if _looks_binary(raw):
        problems.add(label, None, "", "", "not a CSV or XLSX file (binary content)")
        return None
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.start + 4]
        problems.add(label, line, "", repr(bad), "not valid UTF-8 text: save the file as 'CSV UTF-8'")
        return None
    table = _read_csv(label, raw, problems)
    return _File(path, sha, [table] if table is not None else [])


def _identify(label: str, header: list[str], problems: _Problems, row: int = 1) -> str | None:
    """The kind whose columns best match `header`; report missing/unexpected/duplicate columns."""
    ok = True
    seen: set[str] = set()
    for col in header:
        if col in seen:
            problems.add(label, row, col, col, "column appears twice in the header")
            ok = False
        seen.add(col)

    def score(kind: Kind) -> tuple[int, int]:
        return (len(seen & set(kind.columns)), -len(set(kind.required) - seen))

    best = max(KINDS.values(), key=score)
    if score(best)[0] == 0:
        hint = " (the file does not seem to be comma-separated)" if len(header) == 1 and (
            ";" in header[0] or "\t" in header[0]) else ""
        problems.add(label, row, "", ",".join(header)[:200],
                     "header not recognised: expected the columns of one of "
                     + "; ".join(f"{k.name} ({', '.join(k.columns)})" for k in KINDS.values()) + hint)
        return None
    for col in best.required:
        if col not in seen:
            problems.add(label, row, col, "", f"missing column {col!r} (a {best.name} file has columns "
                         f"{', '.join(best.columns)})")
            ok = False
    for col in header:
        if col not in best.columns:
            problems.add(label, row, col or "(blank)", col, f"unexpected column {col!r} in a {best.name} file "
                         f"(expected {', '.join(best.columns)})")
            ok = False
    return best.name if ok else None


def _read_csv(label: str, raw: bytes, problems: _Problems) -> _Table | None:
    text_head = raw[:65536].decode("utf-8", errors="ignore").lstrip("\ufeff")
    first_line = next(csv.reader(io.StringIO(text_head)), [])
    header = [c.strip().lower() for c in first_line]
    width = len(header)
    while header and header[-1] == "":  # "a,b,c," as Excel writes an empty extra column: see below
        header.pop()
    kind = _identify(label, header, problems)
    if kind is None:
        return None
    try:
        # header=None: the first line fixes the width, so a longer row raises instead of pandas silently
        # taking the first column as the index; a shorter row gets NaN (empty fields are "")
        df = pd.read_csv(io.BytesIO(raw), dtype=str, header=None, keep_default_na=False, skip_blank_lines=False,
                         encoding="utf-8-sig")
    except (pd.errors.ParserError, csv.Error) as exc:
        _report_ragged(label, raw, width, problems, str(exc))
        return None
    except pd.errors.EmptyDataError:
        problems.add(label, None, "", "", "the file is empty")
        return None
    df = df.iloc[1:].reset_index(drop=True)
    df.columns = range(df.shape[1])
    df["_row"] = np.arange(2, len(df) + 2)
    # pandas pads a short row with "" like empty fields: a short row ends in "", so only then count fields
    if len(df) and (df[width - 1] == "").any():
        fields = _field_counts(raw)[1:]
        if len(fields) == len(df):
            short = (fields > 0) & (fields < width)
            for row, n in zip(df["_row"].to_numpy()[short].tolist(), fields[short].tolist(), strict=True):
                problems.add(label, row, "", "", f"row has {n} fields but the header has {width}")
            if short.any():
                return None
    extra = df.iloc[:, len(header) : width]
    if extra.shape[1]:
        filled = (extra != "").any(axis=1).to_numpy()
        if filled.any():
            for row in df["_row"].to_numpy()[filled].tolist():
                problems.add(label, int(row), "(blank)", "", "value in a column without a header: name the "
                             "column or empty it")
            return None
        df = df.drop(columns=list(extra.columns))
    df.columns = [*header, "_row"]
    return _finish_table(label, kind, df, problems)


def _field_counts(raw: bytes) -> np.ndarray:
    """Fields per record (0 for a blank line), as the csv module splits them."""
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig")))
    return np.fromiter((len(r) for r in reader), dtype=np.int64)


def _report_ragged(label: str, raw: bytes, width: int, problems: _Problems, message: str) -> None:
    """pandas stops at the first row with too many fields; list every row of the wrong width with the
    csv module (too many and too few)."""
    found = False
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig")))
    try:
        for i, fields in enumerate(reader, start=1):
            if i > 1 and fields and len(fields) != width:
                problems.add(label, i, "", ",".join(fields)[:80],
                             f"row has {len(fields)} fields but the header has {width}")
                found = True
    except csv.Error as exc:
        problems.add(label, reader.line_num, "", "", f"malformed CSV: {exc}")
        found = True
    if not found:
        problems.add(label, None, "", "", f"malformed CSV: {message}")


def _finish_table(label: str, kind: str, df: pd.DataFrame, problems: _Problems) -> _Table | None:
    spec = KINDS[kind]
    for col in spec.optional:
        if col not in df.columns:
            df[col] = ""
    cols = list(spec.columns)
    for col in cols:
        codes, uniques = pd.factorize(df[col].astype(str), sort=False)
        stripped = np.array([u.strip() for u in uniques], dtype=object)
        if len(uniques) and (stripped != np.asarray(uniques, dtype=object)).any():
            df[col] = stripped[codes]
    blank = (df[cols] == "").all(axis=1)
    if blank.any():
        df = df.loc[~blank]
    if df.empty:
        problems.add(label, None, "", "", f"the file has a {kind} header but no data rows")
        return None
    return _Table(label, kind, df[[*cols, "_row"]].reset_index(drop=True))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        # Excel turns a typed "2024-05" into the date 2024-05-01; give the month back
        return f"{value.year:04d}-{value.month:02d}" if value.day == 1 else value.isoformat()[:10]
    return str(value)


def _xlsx_too_big(raw: bytes) -> str | None:
    """Why the zip is refused before anything is expanded (declared sizes; zipfile never expands a part
    beyond its declared size), or None."""
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    if total > MAX_XLSX_UNCOMPRESSED:
        return (f"the workbook expands to {total / 2**20:,.0f} MB uncompressed (limit "
                f"{MAX_XLSX_UNCOMPRESSED / 2**20:,.0f} MB): split it or save the data as CSV")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= XLSX_RATIO_MIN_BYTES and ratio > MAX_XLSX_RATIO:
            return (f"part {info.filename[:60]} expands {ratio:,.0f} times (limit {MAX_XLSX_RATIO}): not a "
                    "normal workbook; save the data as CSV")
    return None


def _formula_cells(raw: bytes, title: str, first_row: int, header: list[str],
                   blanks: set[tuple[int, int]]) -> list[tuple[int, str, str]]:
    """Which blank cells (row, column index) hold a formula: a second read without data_only, made only
    for sheets with blank cells. A formula without a stored value reads as blank with data_only=True."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    found: list[tuple[int, str, str]] = []
    try:
        for i, row in enumerate(wb[title].iter_rows(min_row=first_row), start=first_row):
            for j, cell in enumerate(row[: len(header)]):
                if (i, j) in blanks and getattr(cell, "data_type", None) == "f":
                    found.append((i, header[j], _cell_text(cell.value)))
    finally:
        wb.close()
    return found


def _read_xlsx(path: Path, raw: bytes, problems: _Problems) -> list[_Table]:
    import openpyxl

    label = path.name
    try:
        too_big = _xlsx_too_big(raw)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        problems.add(label, None, "", "", f"not a readable XLSX workbook ({type(exc).__name__})")
        return []
    if too_big:
        problems.add(label, None, "", "", too_big)
        return []
    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        problems.add(label, None, "", "", f"not a readable XLSX workbook ({type(exc).__name__})")
        return []
    except Exception as exc:  # openpyxl raises assorted errors on foreign zip files
        problems.add(label, None, "", "", f"not a readable XLSX workbook ({type(exc).__name__}: {exc})")
        return []
    tables: list[_Table] = []
    cells_read = 0
    try:
        for ws in wb.worksheets:
            sheet = ws.title.strip().lower()
            slabel = f"{label}[{ws.title}]"
            if sheet not in KINDS:
                if ws.max_row and any(any(c is not None for c in r) for r in ws.iter_rows(max_row=50, values_only=True)):
                    problems.add(label, None, "", ws.title, "unexpected sheet: sheets must be named "
                                 + ", ".join(KINDS))
                continue
            rows_iter = ws.iter_rows(values_only=True)
            header_row = 0
            header: list[str] = []
            for i, r in enumerate(rows_iter, start=1):
                if any(c is not None and str(c).strip() for c in r):
                    header_row = i
                    header = [_cell_text(c).strip().lower() for c in r]
                    break
            if not header_row:
                continue  # an empty sheet: nothing to import
            while header and header[-1] == "":
                header.pop()
            width = len(header)
            kind = _identify(slabel, header, problems, header_row)
            if kind is None:
                continue
            if kind != sheet:
                problems.add(slabel, header_row, "", ws.title,
                             f"sheet {ws.title!r} has the columns of {kind}: name the sheet after its content")
                continue
            declared = ws.max_row if isinstance(ws.max_row, int) else 0  # the sheet's dimension, if any
            if declared - header_row > MAX_XLSX_ROWS:
                problems.add(slabel, None, "", "", f"the sheet has {declared - header_row:,} rows (limit "
                             f"{MAX_XLSX_ROWS:,} rows per sheet): split it into several files")
                continue
            data: list[list[str]] = []
            numbers: list[int] = []
            blanks: set[tuple[int, int]] = set()
            refused = False
            for i, r in enumerate(rows_iter, start=header_row + 1):
                cells_read += len(r)
                if len(data) >= MAX_XLSX_ROWS or cells_read > MAX_XLSX_CELLS:
                    problems.add(slabel, None, "", "", f"more than {MAX_XLSX_ROWS:,} rows (limit per sheet) or "
                                 f"{MAX_XLSX_CELLS:,} cells (limit per workbook): split it into several files")
                    refused = True
                    break
                if any(c is None for c in r[:width]):
                    blanks.update((i, j) for j, c in enumerate(r[:width]) if c is None)
                cells = [_cell_text(c) for c in r[:width]]
                if len(cells) < width:
                    cells += [""] * (width - len(cells))
                extra = [c for c in r[width:] if c is not None and str(c).strip()]
                if extra:
                    problems.add(slabel, i, "", _cell_text(extra[0]), "value outside the header's columns")
                data.append(cells)
                numbers.append(i)
            if refused:
                continue
            df = pd.DataFrame(data, columns=header, dtype=str) if data else pd.DataFrame(columns=header, dtype=str)
            df["_row"] = np.array(numbers, dtype=np.int64)
            if df.empty:
                continue  # header-only sheets are fine in a workbook (a template)
            table = _finish_table(slabel, kind, df, problems)
            if table is not None:
                if blanks:
                    table.formulas = _formula_cells(raw, ws.title, header_row + 1, header, blanks)
                tables.append(table)
    finally:
        wb.close()
    if not tables and not problems.counts.get(label) and not any(
            f.startswith(label + "[") and n for f, n in problems.counts.items()):
        problems.add(label, None, "", "", "the workbook has no data rows in sheets named " + ", ".join(KINDS))
    return tables


# --- validation ----------------------------------------------------------------------------------------


@dataclass
class _Known:
    states: set[str]
    districts: set[str]
    stations: set[str]


def _current_month(today: date | None) -> str:
    today = today or date.today()
    return f"{today.year:04d}-{today.month:02d}"


def _parameters_frame(methodology: Methodology) -> pd.DataFrame:
    return pd.DataFrame(
        [(v.id, p.id, p.level, p.kind) for v in methodology.versions for p in v.parameters],
        columns=["_version", "parameter", "_level", "_kind"],
    )


def _validate(tables: list[_Table], conn: Connection, methodology: Methodology, today: date | None,
              problems: _Problems) -> None:
    by_kind: dict[str, list[_Table]] = {}
    for t in tables:
        by_kind.setdefault(t.kind, []).append(t)

    def db_codes(col) -> set[str]:
        return {c for (c,) in conn.execute(select(col))}

    def imported(kind: str, col: str) -> set[str]:
        return {c for t in by_kind.get(kind, []) for c in t.df[col].unique() if c}

    known = _Known(
        states=db_codes(State.code) | imported("states", "state_code"),
        districts=db_codes(District.code) | imported("districts", "district_code"),
        stations=db_codes(PoliceStation.code) | imported("police_stations", "station_code"),
    )
    params = _parameters_frame(methodology)
    current = _current_month(today)
    station_months = _station_months(conn, by_kind.get("police_stations", []))
    for t in tables:
        _validate_common(t, problems)
        if t.kind == "states":
            bad = (t.df["category"] != "") & ~t.df["category"].isin(CATEGORIES)
            problems.add_mask(t, bad, "category", "unknown category: use one of " + ", ".join(
                repr(c) for c in CATEGORIES))
        elif t.kind == "districts":
            _check_known(t, "state_code", known.states, "unknown State/UT code (not in the database "
                         "nor in this import)", problems)
        elif t.kind == "police_stations":
            _check_known(t, "district_code", known.districts, "unknown district code (not in the database "
                         "nor in this import)", problems)
            ok = {}
            for col in ("opened", "closed"):
                v = t.df[col]
                good = _per_value(v, _is_month)
                problems.add_mask(t, (v != "") & ~good, col, "must be a month YYYY-MM or left empty")
                ok[col] = good
            both = ok["opened"] & ok["closed"]
            problems.add_mask(t, both & (t.df["opened"] > t.df["closed"]), "closed", "closed is before opened",
                              value=lambda sub: sub["opened"] + " > " + sub["closed"])
        else:
            unit_col = "station_code" if t.kind == "station_rows" else "state_code"
            known_units = known.stations if t.kind == "station_rows" else known.states
            what = "police station" if t.kind == "station_rows" else "State/UT"
            _check_known(t, unit_col, known_units, f"unknown {what} code (not in the database nor in this "
                         "import)", problems)
            _validate_rows(t, methodology, params, current, problems)
            if t.kind == "station_rows":
                _check_active(t, station_months, problems)
    for kind, ts in by_kind.items():
        _check_duplicates(kind, ts, problems)


def _station_months(conn: Connection, imported: list[_Table]) -> pd.DataFrame:
    """opened/closed per station code (index), for the stations that have either: the database's, replaced
    by those of police_stations files in the same import (their valid months only)."""
    t = PoliceStation.__table__
    db = _read_frame(conn, select(t.c.code, t.c.opened, t.c.closed).where(
        (t.c.opened.is_not(None)) | (t.c.closed.is_not(None))))
    frames = [db.rename(columns={"code": "station_code"})]
    for table in imported:
        df = table.df[["station_code", "opened", "closed"]]
        df = df[df["station_code"] != ""]
        frames.append(df.assign(**{c: df[c].where(_per_value(df[c], _is_month), None) for c in ("opened", "closed")}))
    months = pd.concat(frames, ignore_index=True).drop_duplicates("station_code", keep="last")
    months = months.set_index("station_code")[["opened", "closed"]]
    return months[months["opened"].notna() | months["closed"].notna()]


def _check_active(t: _Table, station_months: pd.DataFrame, problems: _Problems) -> None:
    """Issue 10: a station row for a month before the station's opened month or after its closed month."""
    if station_months.empty:
        return
    df = t.df
    opened = df["station_code"].map(station_months["opened"]).astype(object).fillna("").to_numpy(dtype=object)
    closed = df["station_code"].map(station_months["closed"]).astype(object).fillna("").to_numpy(dtype=object)
    month = df["month"].to_numpy(dtype=object)
    valid = _per_value(df["month"], _is_month)
    inactive = valid & (((opened != "") & (month < opened)) | ((closed != "") & (month > closed)))

    def rule(sub: pd.DataFrame) -> list[str]:
        out = []
        for code, m in zip(sub["station_code"], sub["month"], strict=True):
            o, c = (station_months.at[code, col] for col in ("opened", "closed"))
            span = ", ".join(f"{what} {m}" for what, m in (("opened", o), ("closed", c)) if isinstance(m, str) and m)
            out.append(f"police station {code} is not active in {m} ({span}): rows are for months from its "
                       "opened to its closed month")
        return out

    problems.add_mask(t, inactive, "month", rule)


def _per_value(series: pd.Series, func: Callable[[str], object], dtype=bool) -> np.ndarray:
    """func applied once per distinct value (months, numbers and codes repeat a lot): fast on big files."""
    codes, uniques = pd.factorize(series, sort=False)
    if not len(uniques):
        return np.zeros(len(series), dtype=dtype)
    mapped = np.fromiter((func(u) for u in uniques), dtype=dtype, count=len(uniques))
    return mapped[codes]


# ASCII digits only: \d and str.isdigit also match other scripts' digits (٣, ５, १), which int() accepts
_INT_RE = re.compile(r"[0-9]{1,15}", re.ASCII)
_NEG_RE = re.compile(r"-[0-9]+(\.0*)?", re.ASCII)


def _is_month(text: str) -> bool:
    return _MONTH_ASCII_RE.fullmatch(text) is not None and MONTH_RE.match(text) is not None


def _bad_name(text: str) -> int:
    """0 fine, 1 control character, 2 looks like a spreadsheet formula."""
    if _CONTROL_RE.search(text):
        return 1
    return 2 if text.startswith(FORMULA_STARTS) else 0


def _validate_common(t: _Table, problems: _Problems) -> None:
    spec = KINDS[t.kind]
    formula_rows: dict[str, set[int]] = {}
    for row, col, formula in t.formulas:
        problems.add(t.label, row, col, formula, FORMULA_CELL_RULE)
        formula_rows.setdefault(col, set()).add(row)
    for col in spec.columns:
        if col in spec.optional:
            continue
        missing = _per_value(t.df[col], lambda v: v == "")
        if col in formula_rows:
            missing &= ~t.df["_row"].isin(formula_rows[col]).to_numpy()
        problems.add_mask(t, missing, col, "missing value")
    for col, n in spec.max_len.items():
        problems.add_mask(t, _per_value(t.df[col], lambda v, n=n: len(v) > n), col, f"longer than {n} characters")
    if t.kind in MASTER_KINDS:
        code_col = spec.key[0]
        problems.add_mask(t, _per_value(t.df[code_col], lambda v: v != "" and CODE_RE.fullmatch(v) is None),
                          code_col, CODE_RULE)
        name = _per_value(t.df["name"], _bad_name, dtype=np.int8)
        problems.add_mask(t, name == 1, "name", CONTROL_RULE)
        problems.add_mask(t, name == 2, "name", FORMULA_NAME_RULE)


def _check_known(t: _Table, col: str, known: set[str], rule: str, problems: _Problems) -> None:
    problems.add_mask(t, _per_value(t.df[col], lambda v: v != "" and v not in known), col, rule)


def _parse_int(t: _Table, col: str, problems: _Problems) -> tuple[np.ndarray, np.ndarray]:
    """(values as int64, valid mask); reports malformed, negative and too large numbers."""
    v = t.df[col]
    codes, uniques = pd.factorize(v, sort=False)
    kind = np.zeros(len(uniques), dtype=np.int8)  # 0 ok, 1 empty, 2 negative, 3 malformed, 4 too large
    number = np.zeros(len(uniques), dtype=np.int64)
    for i, u in enumerate(uniques):
        if _INT_RE.fullmatch(u):
            number[i] = int(u)
            kind[i] = 4 if number[i] > INT_MAX else 0
        else:
            kind[i] = 1 if u == "" else 2 if _NEG_RE.fullmatch(u) else 3
    row_kind = kind[codes] if len(uniques) else np.zeros(len(v), dtype=np.int8)
    problems.add_mask(t, row_kind == 2, col, "must be a non-negative integer (negative number)")
    problems.add_mask(t, row_kind == 3, col, "malformed number: must be a non-negative whole number (digits only)")
    problems.add_mask(t, row_kind == 4, col, f"number too large (max {INT_MAX})")
    values = number[codes] if len(uniques) else np.zeros(len(v), dtype=np.int64)
    return values, row_kind == 0


def _validate_rows(t: _Table, methodology: Methodology, params: pd.DataFrame, current: str,
                   problems: _Problems) -> None:
    df = t.df
    level = "station" if t.kind == "station_rows" else "state"
    month = df["month"]
    first = methodology.first_month
    m_codes, m_uniques = pd.factorize(month, sort=False)
    # per distinct month: 0 ok, 1 empty (reported as missing), 2 malformed, 3 before first version, 4 future
    m_state = np.array([1 if m == "" else 2 if not _is_month(m) else 3 if m < first else 4 if m > current else 0
                        for m in m_uniques], dtype=np.int8)
    row_state = m_state[m_codes] if len(m_uniques) else np.zeros(len(df), dtype=np.int8)
    problems.add_mask(t, row_state == 2, "month", "malformed month: must be YYYY-MM (e.g. 2024-05)")
    problems.add_mask(t, row_state == 3, "month", f"before the first methodology version (effective from {first})")
    problems.add_mask(t, row_state == 4, "month", f"month in the future (the current month is {current})")
    month_ok = row_state == 0

    num, num_ok = _parse_int(t, "numerator", problems)
    den, den_ok = _parse_int(t, "denominator", problems)

    # version in force per month (rule 1), then the parameter's level and kind in that version
    good_months = [m for m, st in zip(m_uniques, m_state, strict=True) if st == 0]
    version_of = {m: methodology.version_for(m).id for m in good_months}  # type: ignore[union-attr]
    version = month.map(version_of).astype(object)  # all NaN (float) when no month is valid: merge needs str
    info = pd.DataFrame({"_version": version, "parameter": df["parameter"]}).merge(
        params, on=["_version", "parameter"], how="left")
    p_level = info["_level"].to_numpy(dtype=object)
    p_kind = info["_kind"].to_numpy(dtype=object)
    known_param = pd.notna(p_level)
    param_given = df["parameter"].to_numpy(dtype=object) != ""
    problems.add_mask(t, month_ok & param_given & ~known_param, "parameter", lambda sub: [
        f"parameter not in methodology version {version_of[m]} in force for {m}" for m in sub["month"]])
    wrong_level = month_ok & known_param & (p_level != level)
    other = "state_rows" if level == "station" else "station_rows"
    problems.add_mask(t, wrong_level, "parameter",
                      f"wrong level: a {'state' if level == 'station' else 'station'}-level parameter "
                      f"belongs in {other}, not {t.kind}")

    both = num_ok & den_ok
    problems.add_mask(t, both & (num > den), "numerator", "numerator greater than denominator",
                      value=lambda sub: sub["numerator"] + " > " + sub["denominator"])
    usable = month_ok & ~wrong_level
    is_days = usable & (p_kind == "days")
    if is_days.any():
        days = month.map({m: days_in_month(m) for m in good_months}).fillna(0).to_numpy(dtype=np.int64)
        problems.add_mask(t, den_ok & is_days & (den != days), "denominator", lambda sub: [
            f"for a 'days' parameter the denominator must be the days in the month ({days_in_month(m)} in {m})"
            for m in sub["month"]])
    is_flag = usable & (p_kind == "flag")
    problems.add_mask(t, den_ok & is_flag & (den != 1), "denominator",
                      "for a 'flag' parameter the denominator must be 1")
    problems.add_mask(t, num_ok & is_flag & (num > 1), "numerator",
                      "for a 'flag' parameter the numerator must be 0 or 1")


def _check_duplicates(kind: str, tables: list[_Table], problems: _Problems) -> None:
    key = list(KINDS[kind].key)
    frames = [t.df[key + ["_row"]].assign(_t=i) for i, t in enumerate(tables)]
    allrows = pd.concat(frames, ignore_index=True)
    keyed = allrows[(allrows[key] != "").all(axis=1)]
    dup = keyed.duplicated(subset=key, keep="first")
    if not dup.any():
        return
    firsts = keyed[~dup & keyed.duplicated(subset=key, keep=False)].set_index(key)[["_row", "_t"]]
    sep = "/"
    for i, t in enumerate(tables):
        mine = dup & (keyed["_t"] == i)
        if not mine.any():
            continue

        def rule(sub: pd.DataFrame, i: int = i) -> list[str]:
            idx = pd.MultiIndex.from_frame(sub[key]) if len(key) > 1 else sub[key[0]]
            first = firsts.loc[idx]
            return [f"duplicate {sep.join(key)}: also in row {r}" + ("" if ti == i else f" of {tables[ti].label}")
                    for r, ti in zip(first["_row"], first["_t"], strict=True)]

        problems.add_mask(t, t.df["_row"].isin(keyed.loc[mine, "_row"]), ",".join(key), rule,
                          value=lambda sub: [sep.join(vals) for vals in sub[key].itertuples(index=False)])


# --- writing ------------------------------------------------------------------------------------------


_ROW_TABLES = {"station_rows": StationRow.__table__, "state_rows": StateRow.__table__}
_MASTER = {
    # kind: (table, file columns -> table columns)
    "states": (State.__table__, {"state_code": "code", "name": "name", "category": "category"}),
    "districts": (District.__table__, {"district_code": "code", "state_code": "state_code", "name": "name"}),
    "police_stations": (PoliceStation.__table__, {"station_code": "code", "district_code": "district_code",
                                                  "name": "name", "opened": "opened", "closed": "closed"}),
}


def _pylist(series: pd.Series) -> list:
    """Plain Python values for the DB driver: ints stay ints, missing values become None."""
    if series.dtype.kind in "iub" and not series.hasnans:
        return [int(v) for v in series.tolist()] if series.dtype.kind != "b" else series.tolist()
    if series.dtype.kind == "f":  # a nullable integer column that went through a merge
        series = series.astype("Int64")
    obj = series.astype(object)
    return obj.where(series.notna(), None).tolist()


def _insert_frame(conn: Connection, table, df: pd.DataFrame, tick: Callable[[int], None] = lambda n: None,
                  update_key: Sequence[str] | None = None) -> None:
    """Bulk insert in chunks of CHUNK rows; with `update_key`, the rows exist already and are updated by
    that key instead. SQLite: the driver's executemany with plain tuples (about twice as fast as Core's
    per-row dict processing); PostgreSQL: COPY (see _copy_frame); others: Core executemany."""
    if df.empty:
        return
    cols = list(df.columns)
    key = list(update_key or ())
    others = [c for c in cols if c not in key]
    if key:  # parameters in statement order: SET values first, then the key
        cols = others + key
    rows = list(zip(*[_pylist(df[c]) for c in cols], strict=True))
    if conn.dialect.name == "postgresql":
        _copy_frame(conn, table, cols, rows, tick, key, others)
        return
    if conn.dialect.name == "sqlite":
        if key:
            sql = (f"UPDATE {table.name} SET {', '.join(f'{c} = ?' for c in others)} "
                   f"WHERE {' AND '.join(f'{c} = ?' for c in key)}")
        else:
            sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        for i in range(0, len(rows), CHUNK):
            chunk = rows[i : i + CHUNK]
            conn.exec_driver_sql(sql, chunk)
            tick(len(chunk))
        return
    stmt = insert(table)
    if key:
        stmt = update(table).where(*[table.c[c] == bindparam("k_" + c) for c in key]).values(
            {c: bindparam("v_" + c) for c in others})
        cols = ["v_" + c for c in others] + ["k_" + c for c in key]
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i : i + CHUNK]
        conn.execute(stmt, [dict(zip(cols, r, strict=True)) for r in chunk])
        tick(len(chunk))


def _copy_frame(conn: Connection, table, cols: list[str], rows: list[tuple], tick: Callable[[int], None],
                update_key: Sequence[str], others: list[str]) -> None:
    """PostgreSQL: COPY (many times faster than multi-row INSERTs). Updates go through a temporary table
    and one UPDATE .. FROM (a hash join, far faster than row-by-row or ON CONFLICT). Runs on the
    transaction's own connection."""
    target = table.name
    col_list = ", ".join(cols)
    with conn.connection.driver_connection.cursor() as cur:
        if update_key:
            target = f"import_tmp_{table.name}"
            cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {target} ON COMMIT DROP AS "
                        f"SELECT {col_list} FROM {table.name} WITH NO DATA")
            cur.execute(f"TRUNCATE {target}")
        with cur.copy(f"COPY {target} ({col_list}) FROM STDIN") as copy:
            for i in range(0, len(rows), CHUNK):
                for row in rows[i : i + CHUNK]:
                    copy.write_row(row)
                tick(len(rows[i : i + CHUNK]))
        if update_key:
            cur.execute(f"ANALYZE {target}")
            cur.execute(
                f"UPDATE {table.name} AS t SET {', '.join(f'{c} = s.{c}' for c in others)} FROM {target} AS s "
                f"WHERE {' AND '.join(f't.{c} = s.{c}' for c in update_key)}"
            )


def _write_replaced(conn: Connection, batch_id: int, table_name: str, keys: Iterable, olds: Iterable) -> None:
    """Record what the batch replaced (old_values None: the batch added that master row)."""
    keys = [orjson.dumps(k).decode() for k in keys]
    olds = ["null" if o is None else orjson.dumps(o).decode() for o in olds]
    if keys:
        _insert_frame(conn, ImportReplaced.__table__, pd.DataFrame(
            {"batch_id": batch_id, "table_name": str(table_name), "key": keys, "old_values": olds}))


def _upsert_master(conn: Connection, kind: str, df: pd.DataFrame, batch_id: int) -> tuple[int, int]:
    table, mapping = _MASTER[kind]
    new = df[list(mapping)].rename(columns=mapping)
    for col in ("opened", "closed"):
        if col in new.columns:
            new[col] = new[col].replace("", None)
    cols = list(mapping.values())
    existing = _read_frame(conn, select(*[table.c[c] for c in cols]))
    merged = new.merge(existing, on="code", how="left", suffixes=("", "_old"), indicator=True)
    added = merged[merged["_merge"] == "left_only"]
    both = merged[merged["_merge"] == "both"]
    value_cols = [c for c in cols if c != "code"]
    changed_mask = pd.Series(False, index=both.index)
    for c in value_cols:
        a, b = both[c].astype(object), both[c + "_old"].astype(object)
        changed_mask |= ~((a == b) | (a.isna() & b.isna()))
    changed = both[changed_mask]
    if len(added):
        _insert_frame(conn, table, added[cols])
    if len(changed):
        stmt = update(table).where(table.c.code == bindparam("b_code")).values(
            {c: bindparam("v_" + c) for c in value_cols})
        conn.execute(stmt, [{"b_code": r["code"], **{"v_" + c: _none(r[c]) for c in value_cols}}
                            for r in changed.to_dict("records")])
    olds = [{c: _none(r[c + "_old"]) for c in value_cols} for r in changed.to_dict("records")]
    _write_replaced(conn, batch_id, table.name, [[c] for c in added["code"]] + [[c] for c in changed["code"]],
                    [None] * len(added) + olds)
    return len(added), len(changed)


def _none(value: object) -> object:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA else value


def _read_frame(conn: Connection, stmt) -> pd.DataFrame:
    """A SELECT as a DataFrame, read with the driver's own cursor inside the transaction: building
    SQLAlchemy Row objects for hundreds of thousands of rows costs seconds; plain tuples do not."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    args = tuple(params[k] for k in compiled.positiontup) if compiled.positional else params
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return pd.DataFrame(rows, columns=names) if rows else pd.DataFrame(columns=names)


def _upsert_rows(conn: Connection, kind: str, df: pd.DataFrame, batch_id: int,
                 tick: Callable[[int], None]) -> tuple[int, int]:
    """Insert new rows, replace existing ones (keeping their old values in ImportReplaced)."""
    table = _ROW_TABLES[kind]
    unit = "station_code" if kind == "station_rows" else "state_code"
    key = ["month", unit, "parameter"]
    rows = df[[*key, "numerator", "denominator"]].copy()
    rows["numerator"] = rows["numerator"].astype(np.int64)
    rows["denominator"] = rows["denominator"].astype(np.int64)
    rows["batch_id"] = batch_id
    months = sorted(rows["month"].unique())
    counts = dict(conn.execute(
        select(table.c.month, func.count()).where(table.c.month.in_(months)).group_by(table.c.month)).all())
    if not counts:  # fast path: months without rows, nothing can be replaced
        _insert_frame(conn, table, rows, tick)
        return len(rows), 0
    existing = _read_frame(conn, select(*[table.c[c] for c in key], table.c.numerator, table.c.denominator,
                                        table.c.batch_id).where(table.c.month.in_(list(counts))))
    existing["batch_id"] = existing["batch_id"].astype("Int64")
    rep = existing.merge(rows[key], on=key, how="inner")
    n_rep = len(rep)
    if n_rep:
        olds = [{"numerator": n, "denominator": d, "batch_id": b}
                for n, d, b in zip(_pylist(rep["numerator"]), _pylist(rep["denominator"]), _pylist(rep["batch_id"]),
                                   strict=True)]
        _write_replaced(conn, batch_id, table.name, rep[key].values.tolist(), olds)
    is_new = rows.merge(existing[key], on=key, how="left", indicator=True)["_merge"].to_numpy() == "left_only"
    _insert_frame(conn, table, rows.loc[is_new], tick)
    _insert_frame(conn, table, rows.loc[~is_new], tick, update_key=key)
    return int(is_new.sum()), n_rep


def months_with_data(conn: Connection) -> list[str]:
    months = {m for (m,) in conn.execute(select(StationRow.month).distinct())}
    months |= {m for (m,) in conn.execute(select(StateRow.month).distinct())}
    return sorted(months)


def _set_meta(conn: Connection, key: str, value: str) -> None:
    t = Meta.__table__
    if conn.execute(select(t.c.key).where(t.c.key == key)).first():
        conn.execute(update(t).where(t.c.key == key).values(value=value))
    else:
        conn.execute(insert(t).values(key=key, value=value))


def _audit(conn: Connection, actor: str, action: str, detail: str) -> None:
    from dashboard.store import audit

    audit.record(conn, action, actor=actor, detail=detail)  # in this transaction: kept iff the change is


def _recompute(conn: Connection, months: Sequence[str], methodology: Methodology) -> list[str]:
    if not months:
        return []
    from dashboard.ingest.recompute import recompute_months  # imported late: it pulls in the scoring engine

    recompute_months(conn, list(months), methodology)
    return list(months)


def _lock(conn: Connection) -> None:
    """Serialise imports and reverts. PostgreSQL: an explicit table lock. SQLite: the first statement of
    the transaction is a write (the batch row), which takes the database write lock before we read."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE import_batches IN SHARE ROW EXCLUSIVE MODE")
    elif conn.dialect.name == "sqlite":
        # a national month touches a few hundred MB of pages; the default 2 MB page cache makes SQLite
        # spill and re-read them several times over (3x slower). Set per connection, memory used on demand.
        conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")


def _methodology(engine: Engine) -> Methodology:
    from dashboard.store import load_stored_methodology

    try:
        methodology = load_stored_methodology(engine)
    except (sa_exc.OperationalError, sa_exc.ProgrammingError) as exc:
        raise ImporterError("the database has no CCTNS schema yet: run `cctns init-db` first") from exc
    if methodology is None:
        raise ImporterError("no methodology stored in the database: run `cctns init-db` first")
    return methodology


# --- progress -----------------------------------------------------------------------------------------


class _Progress:
    def __init__(self, enabled: bool):
        self.enabled = enabled
        self._progress = None
        self._task = None

    @contextmanager
    def run(self) -> Iterator[_Progress]:
        if not self.enabled:
            yield self
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=Console(stderr=True), transient=True) as p:
            self._progress = p
            yield self
            self._progress = None

    def stage(self, description: str, total: int | None = None) -> None:
        if self._progress is None:
            return
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(description, total=total)

    def tick(self, n: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, n)


# --- public API --------------------------------------------------------------------------------------


def validate_files(engine: Engine, paths: Sequence[str | Path], today: date | None = None) -> list[Problem]:
    """Only validate (no write): the listed problems of all files, empty when the import would go ahead."""
    methodology = _methodology(engine)
    problems = _Problems()
    files = [f for f in (_read_file(Path(p), problems) for p in paths) if f is not None]
    with engine.connect() as conn:
        _validate([t for f in files for t in f.tables], conn, methodology, today, problems)
    return problems.result()[0]


def import_files(engine: Engine, paths: Sequence[str | Path], user: str = "cli", progress: bool | None = None,
                 today: date | None = None) -> ImportReport:
    """Validate every file, then import them all in one transaction with the recomputation of the months
    touched; raise ImportRejected (database unchanged) if any file has a problem.

    progress: True shows a progress bar for large imports, False never, None when stderr is a terminal.
    today: the date whose month is "the current month" (months after it are rejected as future).
    """
    started = time.perf_counter()
    paths = [Path(p) for p in paths]
    if not paths:
        raise ImporterError("no files to import")
    methodology = _methodology(engine)
    problems = _Problems()
    files = [f for f in (_read_file(p, problems) for p in paths) if f is not None]
    tables = [t for f in files for t in f.tables]
    n_rows = sum(len(t.df) for t in tables)
    show = (sys.stderr.isatty() if progress is None else progress) and n_rows >= PROGRESS_MIN_ROWS
    bar = _Progress(bool(show))
    kinds = [k for k in KINDS if any(t.kind == k for t in tables)]
    with bar.run(), engine.begin() as conn:
        _lock(conn)
        names = ", ".join(p.name for p in paths)
        sha = files[0].sha256 if len(files) == 1 and len(paths) == 1 else hashlib.sha256(
            "\n".join(f"{f.path.name}:{f.sha256}" for f in files).encode()).hexdigest()
        batch_id = conn.execute(insert(ImportBatch.__table__).values(
            created_at=utcnow(), created_by=user[:80], file_name=names[:400], file_sha256=sha,
            kinds=",".join(kinds)[:200], months="", rows_added=0, rows_replaced=0, status="applied",
        )).inserted_primary_key[0]
        bar.stage("validating")
        _validate(tables, conn, methodology, today, problems)
        if problems:
            listed, omitted = problems.result()
            raise ImportRejected(listed, omitted)  # rolls the transaction back: nothing changed

        def combined(kind: str) -> pd.DataFrame:
            return pd.concat([t.df for t in tables if t.kind == kind], ignore_index=True)

        added = replaced = 0
        master_changed = False
        for kind in MASTER_KINDS:
            if kind in kinds:
                a, r = _upsert_master(conn, kind, combined(kind), batch_id)
                added, replaced = added + a, replaced + r
                master_changed = master_changed or bool(a or r)
        row_months: set[str] = set()
        data_rows = sum(len(t.df) for t in tables if t.kind in ROW_KINDS)
        bar.stage("writing rows", total=data_rows)
        for kind in ROW_KINDS:
            if kind in kinds:
                df = combined(kind)
                row_months |= set(df["month"].unique())
                a, r = _upsert_rows(conn, kind, df, batch_id, bar.tick)
                added, replaced = added + a, replaced + r
        months = months_with_data(conn) if master_changed else sorted(row_months)
        bar.stage(f"recomputing {len(months)} month(s)")
        _recompute(conn, months, methodology)
        conn.execute(update(ImportBatch.__table__).where(ImportBatch.__table__.c.id == batch_id).values(
            months=",".join(sorted(row_months)), rows_added=added, rows_replaced=replaced))
        _set_meta(conn, "data_as_of", datetime.now(UTC).isoformat(timespec="seconds"))
        _audit(conn, user, "import", orjson.dumps({
            "batch_id": batch_id, "files": [{"name": f.path.name, "sha256": f.sha256} for f in files],
            "rows_added": added, "rows_replaced": replaced, "months": months}).decode())
    refresh_planner_statistics(engine)
    return ImportReport(batch_id=int(batch_id), rows_added=added, rows_replaced=replaced, months=months,
                        kinds=kinds, files=[p.name for p in paths], data_rows=data_rows,
                        seconds=time.perf_counter() - started)


def list_batches(engine: Engine) -> list[BatchInfo]:
    """Every import batch, newest first."""
    t = ImportBatch.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.id.desc())).mappings().all()
    return [BatchInfo(**{f: r[f] for f in BatchInfo.__dataclass_fields__}) for r in rows]


def revert_batch(engine: Engine, batch_id: int, user: str = "cli") -> RevertReport:
    """Undo an applied batch exactly (rows it added are deleted, rows it replaced get their earlier values
    and batch back) and recompute the months, in one transaction. Refused when a later applied batch
    replaced rows of this batch (revert that one first) or when it is already reverted."""
    methodology = _methodology(engine)
    bt, rt = ImportBatch.__table__, ImportReplaced.__table__
    with engine.begin() as conn:
        _lock(conn)
        batch = conn.execute(select(bt).where(bt.c.id == batch_id)).mappings().first()
        if batch is None:
            raise RevertRefused(f"there is no import batch {batch_id}")
        if batch["status"] != "applied":
            raise RevertRefused(f"batch {batch_id} is already reverted (at {batch['reverted_at']:%Y-%m-%d %H:%M})"
                                if batch["reverted_at"] else f"batch {batch_id} is {batch['status']}")
        # first statement that writes: takes the SQLite write lock before anything else is read
        conn.execute(update(bt).where(bt.c.id == batch_id).values(status="reverted", reverted_at=utcnow()))
        later = [i for (i,) in conn.execute(select(bt.c.id).where(bt.c.id > batch_id, bt.c.status == "applied"))]
        blockers: dict[int, int] = {}
        if later:
            for b, n in conn.execute(
                select(rt.c.batch_id, func.count()).where(
                    rt.c.batch_id.in_(later), rt.c.table_name.in_(list(_ROW_TABLES)),
                    rt.c.old_values.like(f'%"batch_id":{int(batch_id)}}}')).group_by(rt.c.batch_id)
            ):
                blockers[b] = blockers.get(b, 0) + n
            mine = {(t, k) for t, k in conn.execute(select(rt.c.table_name, rt.c.key).where(
                rt.c.batch_id == batch_id, rt.c.table_name.in_([m[0].name for m in _MASTER.values()])))}
            if mine:
                for b, t, k in conn.execute(select(rt.c.batch_id, rt.c.table_name, rt.c.key).where(
                        rt.c.batch_id.in_(later), rt.c.table_name.in_([m[0].name for m in _MASTER.values()]))):
                    if (t, k) in mine:
                        blockers[b] = blockers.get(b, 0) + 1
        if blockers:
            order = sorted(blockers, reverse=True)
            raise RevertRefused(
                f"cannot revert batch {batch_id}: later batch(es) replaced its rows ("
                + ", ".join(f"batch {b}: {blockers[b]} row(s)" for b in order)
                + f"); revert batch {order[0]} first")
        removed = restored = 0
        batch_months = [m for m in (batch["months"] or "").split(",") if m]
        for name, table in _ROW_TABLES.items():
            if batch_months:  # the month condition lets the database use the primary key
                removed += conn.execute(delete(table).where(
                    table.c.month.in_(batch_months), table.c.batch_id == batch_id)).rowcount or 0
            olds = conn.execute(select(rt.c.key, rt.c.old_values).where(
                rt.c.batch_id == batch_id, rt.c.table_name == name)).all()
            unit = "station_code" if name == "station_rows" else "state_code"
            keys = [orjson.loads(k) for k, _ in olds]
            values = [orjson.loads(o) for _, o in olds]
            recs = pd.DataFrame({
                "month": [k[0] for k in keys], unit: [k[1] for k in keys], "parameter": [k[2] for k in keys],
                "numerator": pd.array([v["numerator"] for v in values], dtype="Int64"),
                "denominator": pd.array([v["denominator"] for v in values], dtype="Int64"),
                "batch_id": pd.array([v["batch_id"] for v in values], dtype="Int64"),
            })
            _insert_frame(conn, table, recs)
            restored += len(recs)
            removed -= len(recs)  # the replaced rows were deleted and put back: not "removed"
        master_changed = _revert_master(conn, batch_id)
        restored += master_changed[1]
        removed += master_changed[0]
        months = [m for m in (batch["months"] or "").split(",") if m]
        if any(master_changed):
            months = sorted(set(months) | set(months_with_data(conn)))
        _recompute(conn, months, methodology)
        _set_meta(conn, "data_as_of", datetime.now(UTC).isoformat(timespec="seconds"))
        _audit(conn, user, "revert", orjson.dumps({"batch_id": batch_id, "rows_removed": removed,
                                                          "rows_restored": restored, "months": months}).decode())
    refresh_planner_statistics(engine)
    return RevertReport(batch_id=batch_id, rows_removed=removed, rows_restored=restored, months=months)


def _revert_master(conn: Connection, batch_id: int) -> tuple[int, int]:
    """Put back master rows the batch changed and delete those it added (children first)."""
    rt = ImportReplaced.__table__
    removed = restored = 0
    entries = {kind: conn.execute(select(rt.c.key, rt.c.old_values).where(
        rt.c.batch_id == batch_id, rt.c.table_name == table.name)).all() for kind, (table, _) in _MASTER.items()}
    for kind in MASTER_KINDS:  # parents first: restored districts may point back to an older State
        table, _ = _MASTER[kind]
        changes = [(orjson.loads(k)[0], orjson.loads(o)) for k, o in entries[kind] if o != "null"]
        if changes:
            cols = list(changes[0][1])
            stmt = update(table).where(table.c.code == bindparam("b_code")).values(
                {c: bindparam("v_" + c) for c in cols})
            conn.execute(stmt, [{"b_code": code, **{"v_" + c: old[c] for c in cols}} for code, old in changes])
            restored += len(changes)
    for kind in reversed(MASTER_KINDS):
        table, _ = _MASTER[kind]
        codes = [orjson.loads(k)[0] for k, o in entries[kind] if o == "null"]
        if not codes:
            continue
        refs = _references(conn, kind, codes)
        if refs:
            raise RevertRefused(f"cannot revert batch {batch_id}: {refs}; revert or correct those first")
        for i in range(0, len(codes), 1000):
            conn.execute(delete(table).where(table.c.code.in_(codes[i : i + 1000])))
        removed += len(codes)
    return removed, restored


def _references(conn: Connection, kind: str, codes: list[str]) -> str:
    """What still refers to master rows about to be deleted (from batches other than the one reverted)."""
    checks = {
        "police_stations": [(StationRow.__table__.c.station_code, "station rows")],
        "districts": [(PoliceStation.__table__.c.district_code, "police stations")],
        "states": [(District.__table__.c.state_code, "districts"), (StateRow.__table__.c.state_code, "State rows")],
    }[kind]
    found = []
    for col, what in checks:
        n = 0
        for i in range(0, len(codes), 1000):
            n += conn.execute(select(func.count()).where(col.in_(codes[i : i + 1000]))).scalar_one()
        if n:
            found.append(f"{n} {what} of later imports refer to {kind.replace('_', ' ')} this batch added")
    return "; ".join(found)
