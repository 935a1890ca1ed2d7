"""Hostile names in every CSV and XLSX the product writes (issue 9, findings 2 and 4).

A copy of the demo database in which police stations, districts and the State of Manipur carry names that
look like formulas, hold a control character or carry plotly markup:
* finding 2: the lagging download (CSV, XLSX), `cctns export` (CSV, XLSX) and the XLSX pack hold them as
  text (CSV: a leading `'`; XLSX: string cells, no `<f>` element anywhere);
* finding 4: `Esc\\x1bStation` no longer breaks an XLSX (openpyxl's IllegalCharacterError), the name reads
  "EscStation";
(finding 5, the same names in the charts: tests/app/test_figure_escaping.py)
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from hostile_names import (
    CMD,
    DISTRICT_NAMES,
    FORMULAS,
    MONTH,
    STATE,
    STATE_NAME,
    assert_inert_csv,
    assert_inert_xlsx,
    hostile_copy,
    sheet_xml,
)
from typer.testing import CliRunner

from dashboard.reports.exports import export_bytes
from dashboard.scope import Scope


@pytest.fixture(scope="module")
def hostile(demo_engine, demo_users, tmp_path_factory):
    return hostile_copy(demo_engine, tmp_path_factory.mktemp("hostile") / "hostile.sqlite3")


# --- finding 2 and 4: CSV and XLSX ------------------------------------------------------------------------


@pytest.mark.parametrize("what", ["lagging", "stations", "districts"])
def test_cli_export_csv(hostile, monkeypatch, what):
    from dashboard.cli.commands import app

    engine, renamed = hostile
    monkeypatch.setenv("CCTNS_DATABASE_URL", str(engine.url))
    result = CliRunner().invoke(app, ["export", what, "--month", MONTH, "--state", STATE])
    assert result.exit_code == 0, result.output
    names = list(DISTRICT_NAMES.values()) if what == "districts" else list(renamed.values())
    assert_inert_csv(result.stdout.encode("utf-8"), names)


@pytest.mark.parametrize("what", ["lagging", "stations"])
def test_cli_export_xlsx(hostile, monkeypatch, tmp_path, what):
    from dashboard.cli.commands import app

    engine, renamed = hostile
    monkeypatch.setenv("CCTNS_DATABASE_URL", str(engine.url))
    out = tmp_path / f"{what}.xlsx"
    result = CliRunner().invoke(app, ["export", what, "--month", MONTH, "--state", STATE, "--format", "xlsx",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert_inert_xlsx(out.read_bytes(), list(renamed.values()))


@pytest.fixture(scope="module")
def hostile_review(hostile):
    from dashboard.reports.review import build_review

    engine, _ = hostile
    return build_review(engine, MONTH, Scope.national("test"), STATE)


@pytest.fixture(scope="module")
def hostile_district_review(hostile):
    from dashboard.reports.review import build_review

    engine, _ = hostile
    return build_review(engine, MONTH, Scope.national("test"), STATE, "MN-IET")


def test_xlsx_pack(hostile, hostile_review, hostile_district_review):
    from dashboard.reports.packs import build_pack

    engine, renamed = hostile
    data = build_pack(engine, hostile_review, "xlsx")
    values = assert_inert_xlsx(data, [*renamed.values(), CMD])
    assert STATE_NAME.replace("\x07", "") in values  # Summary: Scope
    core = sheet_xml(data)["docProps/core.xml"]
    assert "\x07" not in core
    district = build_pack(engine, hostile_district_review, "xlsx")
    assert_inert_xlsx(district, [CMD])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_bytes_writes_formula_like_text_as_text(fmt):
    """Without a control character in the way: formulas alone (before: live in the CSV, `<f>` in the XLSX)."""
    df = pd.DataFrame({"name": FORMULAS, "score": ["98.69", "-0.35", "+0.35", "0", "-2"], "n": [1, 2, 3, 4, 5]})
    data = export_bytes(df, fmt, sheet="t")
    if fmt == "csv":
        out = assert_inert_csv(data, FORMULAS)
        assert out["score"].tolist() == ["98.69", "-0.35", "+0.35", "0", "-2"]  # numbers as text: unchanged
        return
    assert_inert_xlsx(data, FORMULAS)
    back = pd.read_excel(io.BytesIO(data))
    assert back["name"].tolist() == FORMULAS and back["n"].tolist() == [1, 2, 3, 4, 5]


def test_pack_sheet_writes_formula_like_text_as_text():
    from openpyxl import Workbook

    from dashboard.reports.packs import _sheet

    wb = Workbook()
    _sheet(wb, "Lagging stations", pd.DataFrame({"station_name": FORMULAS, "score": [1.5] * 5}),
           [("station_name", "Police station", None), ("score", "Score", "0.00")])
    buf = io.BytesIO()
    wb.save(buf)
    values = assert_inert_xlsx(buf.getvalue(), FORMULAS)
    assert values.count(1.5) == 5


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium")
@pytest.mark.parametrize("fmt", ["pdf", "pptx"])
def test_pdf_and_pptx_packs_with_hostile_names(hostile, hostile_review, fmt):
    """The chart images: a control character in a trace name made kaleido fail (plotly.js error 525)."""
    from dashboard.reports.packs import build_pack

    engine, _ = hostile
    data = build_pack(engine, hostile_review, fmt)
    assert data.startswith(b"%PDF" if fmt == "pdf" else b"PK")
