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
    assert list(df.columns[:7]) == ["scheme", "state_code", "p_first", "p_top5", "rank_low", "rank_high",
                                    "score_median"]  # the export names its scheme (issue 13)
    assert set(df["scheme"]) == {"cctns"}
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


@pytest.mark.parametrize("scheme", ["cctns", "icjs", "itsso"])
def test_every_state_is_projected_in_every_scheme_and_exported(demo_engine, scheme, monkeypatch):
    """Each scheme's projection covers every State scored in that scheme in the month, from its own scores;
    `cctns export projection --month M --scheme S` writes it."""
    month = read.latest_month(demo_engine, scheme=scheme)
    scored = read.states_table(demo_engine, month, scheme=scheme)
    scored = set(scored.loc[scored["score_centi"].notna(), "state_code"])
    df = build_export(demo_engine, "projection", month, scheme=scheme)
    assert set(df["state_code"]) == scored
    assert df["p_first"].sum() == pytest.approx(1.0, abs=1e-3)
    assert (df["rank_low"] <= df["rank_median"]).all() and (df["rank_median"] <= df["rank_high"]).all()
    now = read.states_table(demo_engine, month, scheme=scheme).set_index("state_code")["score"]
    stored = foresight.projection(demo_engine, month, scheme).set_index("state_code")["score_now"]
    assert stored.round(6).to_dict() == now[list(stored.index)].round(6).to_dict()  # from the scheme's own scores
    monkeypatch.setattr(commands, "_engine", lambda: demo_engine)
    out = CliRunner().invoke(commands.app, ["export", "projection", "--month", month, "--scheme", scheme])
    assert out.exit_code == 0, out.output
    csv = pd.read_csv(io.StringIO(out.stdout))
    assert list(csv["state_code"]) == list(df["state_code"])


def test_flags_name_every_schemes_parameters(demo_engine, month, dash_app):
    from callbacks.foresight import parameter_names

    with dash_app.server.test_request_context():
        names = parameter_names(demo_engine, month)
    assert names["fir_in_cctns"] == read.version_for(demo_engine, month).parameter("fir_in_cctns").name
    assert names["itsso_within_60_days"].endswith("(ITSSO)") and names["icjs_police_exchange"].endswith("(ICJS)")
