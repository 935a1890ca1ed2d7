"""The deck's charts are plain dicts (no plotly validation on the cold path, issue 15) and draw exactly what
the validated figures drew: `for_slides` on a spec gives the JSON that the go.Figure version of it
(`_reference_for_slides`, the implementation it replaced, kept here as the oracle) gives."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.io.json import to_json_plotly

from dashboard.reports.deck import SLIDE_FONT, _bump_tidy, _category_months, _tick, for_slides, wrap_label
from layouts import figures as f


def _reference_for_slides(fig: go.Figure, font: int = SLIDE_FONT, wrap: int = 26) -> go.Figure:
    """`for_slides` as it was on validated figures (commit aa759fb)."""
    fig = go.Figure(fig)
    fig.update_layout(height=None, autosize=True, font=dict(size=font), legend=dict(font=dict(size=font - 1)),
                      hoverlabel=dict(font=dict(size=font)), margin=dict(l=8, r=64, t=30, b=8))
    fig.update_xaxes(tickfont=dict(size=font - 1), title_font=dict(size=font), tickangle=0, nticks=5,
                     automargin=True)
    fig.update_yaxes(tickfont=dict(size=font - 1), title_font=dict(size=font))
    for a in fig.layout.annotations or ():
        a.font = dict(size=max(font - 3, (a.font.size or 0) if a.font else 0))
    bars = [t for t in fig.data if isinstance(t, go.Bar) and t.x is not None]
    small = bool(bars) and max((abs(float(v)) for t in bars for v in t.x if v is not None), default=0) < 0.1
    for t in fig.data:
        if isinstance(t, go.Scatter) and t.line is not None and t.line.width:
            t.line.width = max(float(t.line.width) + 1.5, 3.5)
        if isinstance(t, go.Bar):
            t.textfont = dict(size=font - 1)
            t.cliponaxis = False
            t.constraintext = "none"
            if t.orientation == "h" and t.y is not None:
                t.y = [wrap_label(str(v), wrap) for v in t.y]
            if small and t.text is not None:
                signed = any(str(x).startswith(("+", "-")) for x in t.text)
                t.text = [f"{float(v):+.3f}" if signed else f"{float(v):.3f}" for v in t.x]
    if bars and all(t.orientation == "h" for t in bars):
        values = [float(v) for t in bars for v in t.x if v is not None]
        lo, hi = min([0.0, *values]), max([0.0, *values])
        pad = 0.45 * (hi - lo or 1.0)
        fig.update_xaxes(range=[lo - (pad if lo < 0 else 0), hi + (pad if hi > 0 else 0)], title_text=None,
                         nticks=4, zeroline=True)
    months = _category_months(f.themed(fig, False))
    if months:
        step = 1 if len(months) <= 7 else 2
        shown = [(len(months) - 1 - i) % step == 0 for i in range(len(months))]
        first = shown.index(True)
        fig.update_xaxes(tickmode="array", tickvals=months, tickangle=0,
                         ticktext=[_tick(m, i == first) if shown[i] else "" for i, m in enumerate(months)])
    return fig


def _json(fig: f.Spec | go.Figure, dark: bool) -> dict:
    return json.loads(to_json_plotly(f.themed(fig, dark)))


def _trend(months: list[str], versions: list[str] | None = None) -> pd.DataFrame:
    df = pd.DataFrame({"month": months, "score": [96.0 + i / 3 for i in range(len(months))],
                       "score_centi": [9600 + 33 * i for i in range(len(months))]})
    if versions:
        df["version_id"] = versions
    return df


MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]
HOSTILE = "<b>Charge</b> sheets & 100% <a href='x'>filed</a> within the time limit"
SPECS = {
    "empty": lambda: f.empty_figure_spec(),
    "trend": lambda: f.score_trend_spec(_trend(MONTHS, ["a"] * 6 + ["b"] * 6), name="<b>State</b>",
                                        compare_df=_trend(MONTHS), compare_name="Rival 100%"),
    "trend-short": lambda: f.score_trend_spec(_trend(MONTHS[:3]), name="X",
                                              published_df=pd.DataFrame({"month": MONTHS[1:3],
                                                                         "score_centi": [9700, 9710]})),
    "bump": lambda: _bump_tidy(f.bump_chart_spec(pd.DataFrame(
        {"month": MONTHS[:3] * 3, "unit_code": ["A"] * 3 + ["B"] * 3 + ["C"] * 3,
         "name": ["a"] * 3 + [HOSTILE] * 3 + ["c"] * 3, "rank": [1, 2, 3, 2, 1, 1, 3, 3, 2],
         "score_centi": [9900, 9800, 9700] * 3}), ["B"], top_n=3)),
    "why-small": lambda: f.why_rank_moved_spec(pd.DataFrame(
        {"parameter": ["a", "b", "c"], "parameter_name": [HOSTILE, "B", "C"], "change": [0.05, -0.02, 0.0],
         "rivals_change": [0.01, 0.0, -0.03]}), ours_label="<i>Us</i>", rivals_label="Around us"),
    "why-large": lambda: f.why_rank_moved_spec(pd.DataFrame({"parameter": ["a", "b"], "change": [1.5, -0.75]})),
    "lost": lambda: f.marks_lost_bars_spec(pd.DataFrame(
        {"parameter": ["a", "b", "c"], "parameter_name": [HOSTILE, "B", "C"], "marks_lost": [0.5, 1.5, 0.01],
         "numerator": [1, 2, 3], "denominator": [5, 5, 5], "value": [20.0, 40.0, 60.0]}), top_n=7),
    "lost-none": lambda: f.marks_lost_bars_spec(pd.DataFrame({"parameter": ["a"], "marks_lost": [0.0]})),
}


@pytest.mark.parametrize("dark", [False, True])
@pytest.mark.parametrize("wrap", [26, 42])
@pytest.mark.parametrize("name", sorted(SPECS))
def test_slide_figures_are_the_validated_figures_as_plain_dicts(name, wrap, dark):
    spec = SPECS[name]()
    before = json.loads(to_json_plotly(spec))
    ours = for_slides(spec, wrap=wrap)
    assert isinstance(ours, dict) and not isinstance(ours, go.Figure)
    assert _json(ours, dark) == _json(_reference_for_slides(f.to_figure(spec), wrap=wrap), dark)
    assert json.loads(to_json_plotly(spec)) == before  # the builder's spec is left as it was


def test_deck_charts_are_plain_dicts_that_plotly_accepts(demo_engine):
    """A deck from the demo data: every chart a dict, valid for plotly (the packs' kaleido images use it)."""
    from dashboard import read
    from dashboard.reports.deck import slides
    from dashboard.reports.review import build_review
    from dashboard.scope import Scope

    review = build_review(demo_engine, read.latest_month(demo_engine), Scope.national("t"), "HR")
    charts = [c for s in slides(review) for c in s.charts()]
    assert {c.key for c in charts} == {"trend", "rank", "why", "lost"}
    for c in charts:
        assert isinstance(c.figure, dict)
        f.to_figure(c.figure)  # validates: a wrong property name fails here
