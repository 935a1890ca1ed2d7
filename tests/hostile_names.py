"""Hostile names for the output-safety tests (issue 9): a copy of the demo database in which police stations,
districts and Manipur carry names that look like formulas, hold a control character or carry plotly markup.
(tests/ is on sys.path through its conftest, so both tests/dashboard and tests/app import this.)"""

from __future__ import annotations

import io
import re
import sqlite3
import zipfile
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, update

from dashboard import read
from dashboard.scope import Scope
from dashboard.store.db import get_engine
from dashboard.store.models import District, PoliceStation, State

MONTH = "2025-06"
STATE = "MN"
HYPERLINK = '=HYPERLINK("http://evil.example/?x=1","click me")'
CMD = "=cmd|' /C calc'!A0"
LINK = '<a href="http://evil.example/phish">httplink</a>'
BOLD = "<b>Bold</b><br>Sadar"
ESC = "Esc\x1bStation"
STATION_NAMES = [HYPERLINK, CMD, "+1+1", "@SUM(1)", "-2+3", ESC, LINK, BOLD]
FORMULAS = [HYPERLINK, CMD, "+1+1", "@SUM(1)", "-2+3"]
DISTRICT_NAMES = {"MN-IET": CMD, "MN-IWT": "@SUM(1)" + LINK, "MN-URL": "Ukhrul\x1b" + HYPERLINK}
STATE_NAME = "-2+3 Manipur\x07<b>State</b>"


def hostile_copy(demo_engine: Engine, path: Path) -> tuple[Engine, dict[str, str]]:
    """(engine, {station code: hostile name}) on a copy of the demo database at `path` (the shared one is
    untouched): the first lagging stations of Manipur in MONTH, its districts and the State renamed."""
    with sqlite3.connect(demo_engine.url.database) as a, sqlite3.connect(path) as b:
        a.backup(b)
    engine = get_engine(f"sqlite:///{path}")
    lagging = read.lagging_list(engine, MONTH, Scope.national(), STATE, None)
    codes = lagging["station_code"].tolist()[: len(STATION_NAMES)]
    renamed = dict(zip(codes, STATION_NAMES, strict=True))
    with engine.begin() as conn:
        for code, name in renamed.items():
            conn.execute(update(PoliceStation).where(PoliceStation.code == code).values(name=name))
        for code, name in DISTRICT_NAMES.items():
            conn.execute(update(District).where(District.code == code).values(name=name))
        conn.execute(update(State).where(State.code == STATE).values(name=STATE_NAME))
    return engine, renamed


def assert_inert_csv(data: bytes, names: list[str]) -> pd.DataFrame:
    text = data.decode("utf-8")
    assert "\x1b" not in text and "\x07" not in text
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    cells = [c for col in df.columns for c in df[col]]
    for name in names:
        if name in FORMULAS:
            assert name not in cells, f"{name!r} written as a live cell"
            assert "'" + name in cells
    for cell in cells:
        assert not re.match(r"[=+\-@\t\r]", cell) or re.fullmatch(r"[+-]?\d+(\.\d+)?", cell), cell
    return df


def sheet_xml(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")}


def assert_inert_xlsx(data: bytes, names: list[str]) -> list:
    from openpyxl import load_workbook

    parts = sheet_xml(data)
    sheets = {n: x for n, x in parts.items() if n.startswith("xl/worksheets/")}
    assert sheets
    for name, xml in sheets.items():
        assert "<f>" not in xml and "<f " not in xml, f"formula cell in {name}"
        assert 't="e"' not in xml
    assert not any("\x1b" in x or "\x07" in x for x in parts.values())
    wb = load_workbook(io.BytesIO(data))
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@")) \
                        and not re.fullmatch(r"[+-]?\d+(\.\d+)?", c.value):
                    assert c.data_type == "s" and c.quotePrefix, (ws.title, c.coordinate, c.value)
    for name in names:
        assert name.replace("\x1b", "") in values, f"{name!r} not readable"
    return values


def figure_strings(obj) -> list[str]:
    """Every string in a figure's JSON (data and layout)."""
    out: list[str] = []
    if isinstance(obj, str):
        out.append(obj)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            out += figure_strings(k) + figure_strings(v)
    elif isinstance(obj, list | tuple):
        for v in obj:
            out += figure_strings(v)
    return out


def assert_no_data_markup(figure_json: dict) -> None:
    strings = figure_strings(figure_json)
    joined = "\n".join(strings)
    assert "<a" not in joined.lower(), "a link from data"
    assert "<b>Bold" not in joined and "<b>State" not in joined, "bold markup from data"
    assert "<br>Sadar" not in joined
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", joined), "a control character (the SVG is not XML)"
