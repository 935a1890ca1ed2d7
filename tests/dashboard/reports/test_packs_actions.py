"""The packs open with the commitments from the last review; the XLSX pack has every action of the scope on
its "Actions" sheet; what people typed is inert in every format (no formula cell, no control character)."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from review_loop import FORMULA_TEXT, STATE, scope
from sqlalchemy import text

from dashboard import actions
from dashboard.reports import CHROMIUM, COMMITMENTS_TITLE, build_pack, build_review
from dashboard.scope import Scope

NATIONAL = Scope.national("test")
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs /usr/bin/chromium for chart images")
CONTROL_TEXT = "Visit\x1b[31m every\x07 station"  # as an old register or a direct edit could leave it


@pytest.fixture
def review(judged_engine, judged):
    # the core refuses control characters; an action stored before that rule (or by hand) may hold them
    with judged_engine.begin() as conn:
        conn.execute(text("UPDATE actions SET text = :t WHERE id = :i"), {"t": CONTROL_TEXT, "i": judged.ids["PARTLY"]})
    return build_review(judged_engine, judged.last_month, NATIONAL, STATE)


def _sheet_rows(ws) -> list[dict]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]


def test_xlsx_actions_sheet_has_every_action_with_its_figures(judged_engine, review, judged):
    data = build_pack(judged_engine, review, "xlsx")
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:3] == ["Summary", "Commitments", "Actions"]
    rows = {r["Action id"]: r for r in _sheet_rows(wb["Actions"])}
    listed = actions.list_actions(judged_engine, scope())
    assert set(rows) == set(listed["id"]) == set(judged.ids.values())
    not_met = listed.set_index("id").loc[judged.ids["NOT_MET"]]
    row = rows[judged.ids["NOT_MET"]]
    assert row["Action"] == FORMULA_TEXT
    assert (row["Gap then: numerator"], row["Gap then: denominator"]) == (not_met["gap_numerator"],
                                                                          not_met["gap_denominator"])
    assert (row["Now: numerator"], row["Now: denominator"]) == (not_met["now_numerator"], not_met["now_denominator"])
    assert row["Due month"] == "2025-06" and row["Now due"] == "2025-07" and row["Carried over (months)"] == 1
    assert row["Status"] == "open" and row["Outcome"] == "not met" and row["Judged by the data of"] == "2025-06"
    assert row["Owner"] == not_met["owner"] and row["Assigned by"] == "mn-admin"
    assert row["Review date"] == not_met["review_date"] and row["Forum"] == "State review"
    assert row["Comments"] == 0 and row["From the last review"] == "yes"
    assert rows[judged.ids["PENDING"]]["Outcome"] == "pending"
    assert rows[judged.ids["PARTLY"]]["Action"] == "Visit[31m every station"  # control characters removed


def test_xlsx_commitments_sheet_and_summary_equal_the_tally(judged_engine, review):
    wb = load_workbook(io.BytesIO(build_pack(judged_engine, review, "xlsx")))
    rows = _sheet_rows(wb["Commitments"])
    total = actions.tally(review.commitments)
    assert rows[-1]["District"] == "Total"
    assert [rows[-1][k] for k in ("Actions", "Met", "Partly met", "Not met", "Carried over", "Pending")] == [
        total["total"], total["met"], total["partly_met"], total["not_met"], total["carried_over"], total["pending"]]
    assert sum(r["Actions"] for r in rows[:-1]) == total["total"]
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Commitments from the last review"] == total["total"]
    assert summary["  Not met"] == total["not_met"] and summary["  Carried over"] == total["carried_over"]


def test_xlsx_typed_formula_is_a_text_cell_never_a_formula(judged_engine, review):
    data = build_pack(judged_engine, review, "xlsx")
    wb = load_workbook(io.BytesIO(data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    typed = [c for c in cells if c.value == FORMULA_TEXT]
    assert typed and all(c.data_type == "s" and c.quotePrefix for c in typed)
    with zipfile.ZipFile(io.BytesIO(data)) as z:  # no <f> element anywhere in the workbook's sheets
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert not any(isinstance(c.value, str) and ("\x1b" in c.value or "\x07" in c.value) for c in cells)


@needs_chromium
def test_pdf_and_pptx_open_with_the_commitments(judged_engine, review, tmp_path):
    from pptx import Presentation

    prs = Presentation(io.BytesIO(build_pack(judged_engine, review, "pptx")))
    titles = [s.shapes.title.text for s in prs.slides]
    assert titles[0] == "Manipur" and titles[1] == COMMITMENTS_TITLE
    assert titles[2].startswith("Not met or carried over")
    cells = [c.text for s in prs.slides for sh in s.shapes if sh.has_table for r in sh.table.rows for c in r.cells]
    assert any(FORMULA_TEXT in c for c in cells)
    notes = " ".join(s.notes_slide.notes_text_frame.text for s in prs.slides)
    assert not any(ch in " ".join(cells) + notes for ch in ("\x1b", "\x07"))
    pdf = tmp_path / "mn.pdf"
    pdf.write_bytes(build_pack(judged_engine, review, "pdf"))
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
        pages = out.split("\f")
        assert COMMITMENTS_TITLE in pages[1] and "Not met or carried over" in pages[2]
        assert "=HYPERLINK" in out and "\x1b" not in out and "\x07" not in out
