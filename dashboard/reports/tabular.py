"""Writing tables as CSV and XLSX through the output-safety layer of `dashboard.safe_text` (issue 9).

Every CSV and XLSX the product writes goes through here: `cctns export`, the app's downloads
(`dashboard.reports.exports`) and the XLSX review pack (`dashboard.reports.packs`). Names come from imports, so:

* CSV: text cells that start like a formula get a leading `'` (OWASP), control characters are removed.
* XLSX: text is always a string cell (never `<f>`, never an error value such as `#REF!`); text that starts
  like a formula also carries Excel's quote-prefix style, so re-editing the cell keeps it text; control
  characters are removed before openpyxl sees them (it refuses the whole workbook otherwise).

Numbers stay numbers in both.
"""

from __future__ import annotations

import io
import numbers
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import pandas as pd

from dashboard.safe_text import inert_spreadsheet_text, starts_like_formula, strip_control_characters

_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


# --- CSV ------------------------------------------------------------------------------------------------


def inert_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells and column names are safe in a spreadsheet (numbers untouched)."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == object or isinstance(series.dtype, pd.StringDtype):
            out[col] = series.map(inert_spreadsheet_text, na_action="ignore")
    out.columns = [inert_spreadsheet_text(str(c)) for c in out.columns]
    return out


def write_csv(df: pd.DataFrame, target: str | Path | IO) -> None:
    """`df` as CSV (no index) to a path or an open text stream."""
    inert_frame(df).to_csv(target, index=False)


def csv_bytes(df: pd.DataFrame) -> bytes:
    return inert_frame(df).to_csv(index=False).encode("utf-8")


# --- XLSX -----------------------------------------------------------------------------------------------


def xlsx_cell_value(value: Any) -> Any:
    """A value openpyxl can store: None for missing, Python numbers for numpy ones, text without control
    characters (text is written as text by `set_cell`; see `append_row`)."""
    if value is None:
        return None
    if isinstance(value, str):
        return strip_control_characters(value)
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass  # list-like: not a cell value, written as its text below
    if hasattr(value, "item") and not isinstance(value, pd.Timestamp):
        value = value.item()  # numpy scalar -> Python
    if isinstance(value, numbers.Number | pd.Timestamp) or hasattr(value, "isoformat"):
        return value
    return strip_control_characters(str(value))


def mark_text(cell: Any) -> None:
    """A cell holding text stays text: a string cell (openpyxl makes "=..." a formula and "#REF!" an error),
    with the quote-prefix style when it starts like a formula."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if starts_like_formula(cell.value):
            cell.quotePrefix = True


def set_cell(cell: Any, value: Any) -> None:
    cell.value = xlsx_cell_value(value)
    mark_text(cell)


def append_row(ws: Any, values: Iterable[Any]) -> None:
    """`ws.append` through the safety layer."""
    row = [xlsx_cell_value(v) for v in values]
    ws.append(row)
    if any(isinstance(v, str) for v in row):
        r = ws._current_row  # the row just appended
        for cell in next(ws.iter_rows(min_row=r, max_row=r, min_col=1, max_col=len(row))):
            mark_text(cell)


def sheet_title(name: str) -> str:
    """A legal worksheet title (at most 31 characters, none of \\ / * ? : [ ])."""
    title = _SHEET_TITLE_FORBIDDEN.sub(" ", strip_control_characters(name)).strip()[:31]
    return title or "Sheet"


def write_xlsx(df: pd.DataFrame, target: str | Path | IO, sheet: str = "export") -> None:
    """`df` as one worksheet (bold header, frozen first row, no index) to a path or a binary stream."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(sheet)
    append_row(ws, [str(c) for c in df.columns])
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
    for row in df.itertuples(index=False, name=None):
        append_row(ws, row)
    ws.freeze_panes = "A2"
    wb.save(target)


def xlsx_bytes(df: pd.DataFrame, sheet: str = "export") -> bytes:
    buf = io.BytesIO()
    write_xlsx(df, buf, sheet)
    return buf.getvalue()


__all__ = ["append_row", "csv_bytes", "inert_frame", "mark_text", "set_cell", "sheet_title", "write_csv",
           "write_xlsx", "xlsx_bytes", "xlsx_cell_value"]
