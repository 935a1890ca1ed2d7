"""Review packs open in their own tools and hold the right numbers: XLSX (openpyxl), PPTX (python-pptx),
PDF (pdftoppm / pdftotext); and `cctns pack`."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from dashboard import read
from dashboard.reports.deck import slides
from dashboard.reports.packs import PackError, build_pack
from dashboard.reports.review import build_review
from dashboard.scope import Scope

NATIONAL = Scope.national("test")
needs_chromium = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium")


@pytest.fixture(scope="module")
def month(demo_engine) -> str:
    return read.latest_month(demo_engine)


@pytest.fixture(scope="module")
def hr(demo_engine, month):
    return build_review(demo_engine, month, NATIONAL, "HR")


@pytest.fixture(scope="module")
def knl(demo_engine, month):
    return build_review(demo_engine, month, Scope("district", "HR", "HR-KNL", "karnal-sp"), "HR", "HR-KNL")


def test_xlsx_every_table_with_numbers_as_numbers(demo_engine, hr):
    wb = load_workbook(io.BytesIO(build_pack(demo_engine, hr, "xlsx")))
    for name in ("Summary", "All-India", "Score trend", "Rank history", "Why rank moved", "States around us",
                 "Marks lost", "Marks at stake", "Districts", "District movers", "Lagging stations"):
        assert name in wb.sheetnames
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    head = hr.headline
    assert summary["Score (published)"] == pytest.approx(int(head["score_centi"]) / 100)
    assert isinstance(summary["Score (published)"], float)
    assert summary["All-India rank"] == head["rank_national"] and isinstance(summary["All-India rank"], int)
    assert summary["Methodology version"] == hr.methodology_version
    ws = wb["All-India"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold
    header = [c.value for c in ws[1]]
    rows = {r[header.index("State/UT code")]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    hr_row = rows["HR"]
    assert hr_row[header.index("Score")] == pytest.approx(int(head["score_centi"]) / 100)
    assert f"{hr_row[header.index('Score')]:.2f}" == head["score_display"]
    assert hr_row[header.index("All-India rank")] == head["rank_national"]
    assert ws.cell(row=2, column=header.index("Score") + 1).number_format == "0.00"
    districts = wb["Districts"]
    dh = [c.value for c in districts[1]]
    scores = [r[dh.index("Score")] for r in districts.iter_rows(min_row=2, values_only=True)]
    assert scores == [int(c) / 100 for c in hr.districts["score_centi"]]
    assert all(isinstance(s, float | int) for s in scores)
    assert len(scores) == len(hr.districts)


def test_xlsx_district_pack_has_its_stations(demo_engine, knl):
    wb = load_workbook(io.BytesIO(build_pack(demo_engine, knl, "xlsx")))
    assert "Stations" in wb.sheetnames and "Station movers" in wb.sheetnames
    ws = wb["Stations"]
    header = [c.value for c in ws[1]]
    codes = [r[header.index("Station code")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert codes == list(knl.stations["unit_code"]) and all(c.startswith("HR-KNL") for c in codes)


def test_unknown_format(demo_engine, hr):
    with pytest.raises(PackError):
        build_pack(demo_engine, hr, "docx")


@pytest.fixture(scope="module")
def hr_pdf(demo_engine, hr) -> bytes:
    return build_pack(demo_engine, hr, "pdf")


@needs_chromium
def test_pdf_one_page_per_slide_with_the_numbers(hr, hr_pdf, tmp_path):
    assert hr_pdf.startswith(b"%PDF")
    path = tmp_path / "hr.pdf"
    path.write_bytes(hr_pdf)
    n = len(slides(hr))
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "20", "-png", str(path), str(tmp_path / "p")], check=True)
        assert len(list(tmp_path.glob("p-*.png"))) == n
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                              text=True).stdout
        assert "Haryana" in text and hr.headline["score_display"] in text
        assert "All-India standing" in text and hr.methodology_version in text
        assert "generated" in text and "data as of" in text  # the footer stamp
        assert text.count("\f") >= n - 1


@needs_chromium
def test_pptx_editable_tables_images_and_notes(demo_engine, hr):
    from pptx import Presentation

    prs = Presentation(io.BytesIO(build_pack(demo_engine, hr, "pptx")))
    deck = slides(hr)
    assert len(prs.slides) == len(deck)
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.01
    tables = [sh.table for s in prs.slides for sh in s.shapes if sh.has_table]
    assert tables, "native tables expected"
    cells = [c.text for t in tables for r in t.rows for c in r.cells]
    assert "Haryana" in cells and hr.headline["score_display"] in cells
    pictures = [sh for s in prs.slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) == sum(len(s.charts()) for s in deck) == 4
    titles = [s.shapes.title.text for s in prs.slides]
    # the review loop opens the deck, after the title
    assert titles[:3] == ["Haryana", "Commitments from the last review and what the data shows",
                          "All-India standing"]
    notes = prs.slides[2].notes_slide.notes_text_frame.text
    assert hr.headline["score_display"] in notes and "ranked" in notes


def test_cli_pack(demo_engine, month, tmp_path, monkeypatch):
    from dashboard.cli.commands import app

    monkeypatch.setenv("CCTNS_DATABASE_URL", str(demo_engine.url))
    runner = CliRunner()
    out = tmp_path / "hr.xlsx"
    r = runner.invoke(app, ["pack", "--month", month, "--state", "HR", "--format", "xlsx", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert load_workbook(out)["Summary"]["B2"].value == "Haryana"
    for args in (["--state", "XX"], ["--state", "HR", "--district", "UP-NOPE"], ["--state", "HR", "--format", "doc"]):
        r = runner.invoke(app, ["pack", "--month", month, *args, "-o", str(tmp_path / "x.pdf")])
        assert r.exit_code != 0
    r = runner.invoke(app, ["pack", "--month", "2025-13", "--state", "HR", "-o", str(tmp_path / "x.pdf")])
    assert r.exit_code != 0 and not (tmp_path / "x.pdf").exists()
