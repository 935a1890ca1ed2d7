"""Reading import files: the kinds of file and their columns, CSV and XLSX read into string tables
(`_Table`) with the spreadsheet row of every line, and every problem of a file located (`Problem`).
Limits: a NUL or binary content anywhere refuses a file; XLSX sizes are checked before openpyxl expands them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.i18n import N_, gettext

CATEGORIES = ("Major States", "Hilly & North-East", "UTs")


MAX_PROBLEMS_PER_FILE = 200


CHUNK = 50_000


INT_MAX = 2**31 - 1  # INTEGER columns are 32-bit on PostgreSQL


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


# the rules' words are marked for the catalog; `_Problems` writes them in the language of the request (the
# browser's import page), English elsewhere (`cctns import`)
CODE_RULE = N_("code must be upper-case letters A-Z and digits 0-9, in groups joined by single hyphens "
               "(e.g. HR, HR-KNL, HR-KNL-001)")


FORMULA_STARTS = ("=", "+", "-", "@")


FORMULA_NAME_RULE = N_("must not begin with =, +, -, @ (it would act as a spreadsheet formula)")


FORMULA_CELL_RULE = N_("formula cells are not accepted: type the value")


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


CONTROL_RULE = N_("control characters (tab, line break, escape, ...) are not allowed")


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
        # the scores and ranks NCRB published (the official record), reconciled with our own computation
        Kind("published_results", ("month", "scheme", "state_code", "score", "rank", "category_rank", "source"),
             ("month", "scheme", "state_code"), optional=("category_rank", "source"),
             max_len={"scheme": 20, "state_code": 8, "source": 500}),
    )
}


MASTER_KINDS = ("states", "districts", "police_stations")


ROW_KINDS = ("station_rows", "state_rows")


PUBLISHED_KIND = "published_results"


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
            items.append(Problem(file, row, column, _text(value), gettext(rule)))

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
        rules = [gettext(rule)] * len(sub) if isinstance(rule, str) else list(rule(sub))
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


@dataclass
class _Table:
    """The data of one CSV file or one XLSX sheet: string columns plus `_row` (spreadsheet row)."""

    label: str  # file name as shown in problems (with [sheet] for XLSX)
    kind: str
    df: pd.DataFrame
    # XLSX cells holding a formula without a typed value (read as blank): (row, column, formula)
    formulas: list[tuple[int, str, str]] = field(default_factory=list)
    # column -> (codes, distinct values) of `df`, computed once and shared by the validation's rules
    factorized: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False, compare=False)

    def factorize(self, col: str) -> tuple[np.ndarray, np.ndarray]:
        """The column's codes and distinct values (`pandas.factorize`, first-seen order), memoised: a
        national file repeats each code and month hundreds of thousands of times."""
        got = self.factorized.get(col)
        if got is None:
            codes, uniques = pd.factorize(self.df[col], sort=False)
            got = self.factorized[col] = (codes, np.asarray(uniques, dtype=object))
        return got


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


def _read_file(path: Path, problems: _Problems, kinds: dict[str, Kind] = KINDS) -> _File | None:
    """Read one file (its kind recognised among `kinds`: the import files by default); a file that breaks
    the reader in an unforeseen way is a problem, not a traceback."""
    try:
        return _read_file_checked(path, problems, kinds)
    except Exception as exc:  # noqa: BLE001 - hostile files must never end the import with a traceback
        problems.add(path.name, None, "", "", f"cannot be read ({type(exc).__name__}: {str(exc)[:120]}): "
                     "check that it is a CSV (UTF-8) or XLSX file")
        return None


def _read_file_checked(path: Path, problems: _Problems, kinds: dict[str, Kind] = KINDS) -> _File | None:
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
        return _File(path, sha, _read_xlsx(path, raw, problems, kinds))
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
    table = _read_csv(label, raw, problems, kinds)
    return _File(path, sha, [table] if table is not None else [])


def _identify(label: str, header: list[str], problems: _Problems, row: int = 1,
              kinds: dict[str, Kind] = KINDS) -> str | None:
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

    best = max(kinds.values(), key=score)
    if score(best)[0] == 0:
        hint = " (the file does not seem to be comma-separated)" if len(header) == 1 and (
            ";" in header[0] or "\t" in header[0]) else ""
        problems.add(label, row, "", ",".join(header)[:200],
                     "header not recognised: expected the columns of one of "
                     + "; ".join(f"{k.name} ({', '.join(k.columns)})" for k in kinds.values()) + hint)
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


def _read_csv(label: str, raw: bytes, problems: _Problems, kinds: dict[str, Kind] = KINDS) -> _Table | None:
    text_head = raw[:65536].decode("utf-8", errors="ignore").lstrip("\ufeff")
    first_line = next(csv.reader(io.StringIO(text_head)), [])
    header = [c.strip().lower() for c in first_line]
    width = len(header)
    while header and header[-1] == "":  # "a,b,c," as Excel writes an empty extra column: see below
        header.pop()
    kind = _identify(label, header, problems, kinds=kinds)
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
    return _finish_table(label, kind, df, problems, kinds)


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


def _finish_table(label: str, kind: str, df: pd.DataFrame, problems: _Problems,
                  kinds: dict[str, Kind] = KINDS) -> _Table | None:
    spec = kinds[kind]
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


def _read_xlsx(path: Path, raw: bytes, problems: _Problems, kinds: dict[str, Kind] = KINDS) -> list[_Table]:
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
            if sheet not in kinds:
                if ws.max_row and any(any(c is not None for c in r) for r in ws.iter_rows(max_row=50, values_only=True)):
                    problems.add(label, None, "", ws.title, "unexpected sheet: sheets must be named "
                                 + ", ".join(kinds))
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
            kind = _identify(slabel, header, problems, header_row, kinds)
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
            table = _finish_table(slabel, kind, df, problems, kinds)
            if table is not None:
                if blanks:
                    table.formulas = _formula_cells(raw, ws.title, header_row + 1, header, blanks)
                tables.append(table)
    finally:
        wb.close()
    if not tables and not problems.counts.get(label) and not any(
            f.startswith(label + "[") and n for f, n in problems.counts.items()):
        problems.add(label, None, "", "", "the workbook has no data rows in sheets named " + ", ".join(kinds))
    return tables
