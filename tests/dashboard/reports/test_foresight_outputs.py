"""The projection and the flags in the outputs: `cctns export projection|flags` (columns of the issue, the
same numbers as the pages) and the deck's "Next month, estimated" slide."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from typer.testing import CliRunner

from dashboard import foresight, read
from dashboard.cli import commands
from dashboard.reports.deck import slides
from dashboard.reports.exports import ExportError, build_export
from dashboard.reports.review import build_review
from dashboard.scope import Scope
from layouts.slides import Kpis


@pytest.fixture(scope="module")
def month(demo_engine) -> str:
    return read.latest_month(demo_engine)


def test_projection_export_has_the_issues_columns(demo_engine, month):
    df = build_export(demo_engine, "projection", month)
    assert list(df.columns[:6]) == ["state_code", "p_first", "p_top5", "rank_low", "rank_high", "score_median"]
    assert df["p_first"].sum() == pytest.approx(1.0, abs=1e-3)
    stored = foresight.projection(demo_engine, month)
    assert list(df["state_code"]) == list(stored["state_code"])
    with pytest.raises(ExportError):
        build_export(demo_engine, "projection", month, scheme="nope")
    with pytest.raises(ExportError):
        build_export(demo_engine, "projection", read.months(demo_engine)[0])  # no history before it


def test_flags_export_is_scoped_and_in_words(demo_engine, month):
    everyone = build_export(demo_engine, "flags", month)
    assert {"needs_verification", "evidence", "status", "reason"} <= set(everyone.columns)
    assert len(everyone) == len(foresight.flags(demo_engine, month, Scope.national(), status=None))
    hr = build_export(demo_engine, "flags", month, state="HR")
    assert set(hr["state_code"]) <= {"HR"}
    assert all(isinstance(e, str) and e for e in everyone["evidence"])
    with pytest.raises(ExportError):
        build_export(demo_engine, "flags", month, state="ZZ")


def test_cli_export_projection_csv(demo_engine, month, monkeypatch):
    monkeypatch.setattr(commands, "_engine", lambda: demo_engine)
    result = CliRunner().invoke(commands.app, ["export", "projection", "--month", month, "--scheme", "cctns"])
    assert result.exit_code == 0, result.output
    df = pd.read_csv(io.StringIO(result.output))
    assert list(df.columns[:6]) == ["state_code", "p_first", "p_top5", "rank_low", "rank_high", "score_median"]
    bad = CliRunner().invoke(commands.app, ["export", "projection", "--month", month, "--scheme", "icjs-x"])
    assert bad.exit_code != 0


def test_deck_has_one_projection_slide_labelled_as_an_estimate(demo_engine, month):
    review = build_review(demo_engine, month, Scope.national(), "HR")
    deck = slides(review)
    keys = [s.key for s in deck]
    assert keys.count("projection") == 1
    slide = deck[keys.index("projection")]
    assert "estimated" in slide.title and "an estimate" in slide.subtitle
    kpis = next(b for col in slide.columns for b in col if isinstance(b, Kpis))
    p = foresight.state_projection(demo_engine, month, "HR")
    assert kpis.items[0].label == "Likely rank next month" and str(int(p["rank_low"])) in kpis.items[0].value
    table = slide.tables()[0]
    assert [table.rows[i][0] for i in table.highlight] == ["Haryana"]
    assert "80 % range held" in slide.notes or "Not enough months" in slide.notes
