"""dashboard.web.fast_json writes the same bytes as plotly's own serialiser (which it replaces for Dash)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.web import fast_json

HOSTILE = '</script><img src=x onerror="alert(1)"> & \u2028 "quoted" \\ / <!--'


def same(obj) -> str:
    fast = fast_json.to_json_plotly(obj)
    assert fast == fast_json.original()(obj)
    return fast


def test_components_figures_and_the_types_plotly_cleans() -> None:
    fig = go.Figure(go.Bar(x=np.array(["a", HOSTILE]), y=np.array([1.5, np.nan]),
                           customdata=np.array([[1, "x"], [2, None]], dtype=object), hovertemplate=HOSTILE))
    tree = html.Div([
        html.H1(HOSTILE, id="title", className="x"),
        dcc.Graph(figure=fig, id="g"),
        html.Span(["plain", 3, 2.5, None, True]),
        html.Table([html.Tr([html.Td(pd.Timestamp("2026-11-30 10:05")), html.Td(np.int64(7))])]),
    ])
    answer = {"response": {"title": {"children": tree}, "g": {"figure": fig.to_plotly_json()},
                           "grid": {"rowData": [{"n": np.int32(3), "share": np.float64(0.25), "missing": pd.NA,
                                                 "when": pd.NaT, "date": dt.date(2026, 11, 1),
                                                 "money": Decimal("12.50"), "nan": math.nan, 4: "int key"}]}},
              "multi": True, "series": pd.Series([1, 2, 3]), "tuple": (1, "a"),
              "dates": pd.Series(pd.to_datetime(["2026-10-01", "2026-11-01"]))}
    text = same(answer)
    assert "</script>" not in text and "<img" not in text  # escaped for HTML, as plotly does


def test_the_app_layout_is_the_same(tmp_path) -> None:
    from layouts.shell import app_layout

    same(app_layout())


scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**53, 2**53), st.floats(allow_nan=True),
                    st.text(max_size=20), st.sampled_from([HOSTILE, "\u2028", "</", "<!--"]))


def _component(children):
    return st.builds(lambda c, cid: html.Div(c, id=cid), children, st.text(min_size=1, max_size=8))


trees = st.recursive(scalars, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=6), kids, max_size=4), _component(kids)),
    max_leaves=25)


@settings(max_examples=150, deadline=None)
@given(trees)
def test_any_answer_is_the_same(tree) -> None:
    same({"response": {"out": {"children": tree}}, "multi": True})
