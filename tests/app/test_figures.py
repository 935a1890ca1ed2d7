"""Pure figure builders: empty input gives an annotated figure; numbers land where they should."""

from __future__ import annotations

import pandas as pd
import pytest

from layouts import figures as f

STATE_CODES = ["AN", "AP", "AR", "AS", "BR", "CG", "CH", "DH", "DL", "GA", "GJ", "HP", "HR", "JH", "JK", "KA", "KL", "LA", "LD", "MH", "ML", "MN", "MP", "MZ", "NL", "OD", "PB", "PY", "RJ", "SK", "TG", "TN", "TR", "UK", "UP", "WB"]


def _matrix() -> pd.DataFrame:
    rows = []
    for u, name in (("HR", "Haryana"), ("UP", "Uttar Pradesh")):
        for p, pname, lost in (("fir", "FIRs registered", 0.5 if u == "UP" else 0.0), ("cs", "Charge-sheets", 1.25)):
            rows.append({"unit_code": u, "name": name, "parameter": p, "parameter_name": pname, "numerator": 38,
                         "denominator": 40, "applicable": True, "value": 95.0, "marks": 3.0, "weight": 4.0,
                         "marks_lost": lost})
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    "build",
    [
        lambda: f.heatmap_marks_lost(pd.DataFrame()),
        lambda: f.bump_chart(pd.DataFrame(columns=["month", "unit_code", "name", "rank"])),
        lambda: f.tile_map(pd.DataFrame()),
        lambda: f.score_trend(pd.DataFrame()),
        lambda: f.why_rank_moved(pd.DataFrame()),
        lambda: f.marks_lost_bars(pd.DataFrame()),
    ],
)
def test_empty_inputs_give_annotated_figures(build):
    fig = build()
    assert f.is_empty_figure(fig)
    assert fig.layout.annotations[0].text == f.EMPTY_MESSAGE


def test_tile_positions_cover_36_states_without_collisions():
    assert set(f.STATE_TILE_POSITIONS) == set(STATE_CODES)
    assert len(set(f.STATE_TILE_POSITIONS.values())) == 36
    # rough geography: north above south, west left of east
    pos = f.STATE_TILE_POSITIONS
    assert pos["JK"][1] < pos["MP"][1] < pos["KA"][1] < pos["KL"][1]
    assert pos["GJ"][0] < pos["MP"][0] < pos["WB"][0] < pos["AS"][0]


def test_tile_map_values_and_missing():
    df = pd.DataFrame({"state_code": ["HR", "UP", "LD"], "name": ["Haryana", "Uttar Pradesh", "Lakshadweep"],
                       "score": [99.99, 98.69, None], "score_centi": [9999, 9869, None],
                       "score_display": ["99.99", "98.69", "no data"], "rank_national": [1, 2, None]})
    fig = f.tile_map(df, highlight="HR")
    scored = [t for t in fig.data if t.name == "Score"][0]
    c, r = f.STATE_TILE_POSITIONS["HR"]
    assert scored.z[r][c] == pytest.approx(99.99)
    assert scored.customdata[r][c][0] == "HR"
    missing = [t for t in fig.data if t.name == "No data"][0]
    c, r = f.STATE_TILE_POSITIONS["LD"]
    assert "no data" in missing.text[r][c]
    assert len(fig.layout.shapes) == 1


def test_heatmap_marks_lost_cells_and_hover():
    fig = f.heatmap_marks_lost(_matrix(), "State/UT")
    hm = fig.data[0]
    assert list(hm.y) == ["Haryana", "Uttar Pradesh"]  # fewest marks lost first
    assert list(hm.x) == ["FIRs registered", "Charge-sheets"]
    assert hm.z[1][0] == pytest.approx(0.5)
    assert hm.customdata[0][0][2] == "38 / 40"
    assert len(hm.customdata[0][0]) == 5  # code, value, numerator / denominator, marks, weight: no name, no id
    assert "Numerator / denominator: %{customdata[2]}" in hm.hovertemplate
    assert hm.hovertemplate.startswith("<b>%{y}</b>") and "<br>%{x}<br>" in hm.hovertemplate
    t = f.heatmap_marks_lost(_matrix(), unit_order=["UP", "HR"], transpose=True, unit_codes_as_labels=True).data[0]
    assert list(t.x) == ["UP", "HR"] and t.z[0][0] == pytest.approx(0.5)
    assert t.customdata[0][0][0] == "UP"
    assert t.customdata[0][0][5] == "Uttar Pradesh"  # the axis shows codes: the name comes with the cell
    assert t.hovertemplate.startswith("<b>%{customdata[5]}</b>") and "<br>%{y}<br>" in t.hovertemplate


def test_heatmap_not_applicable_cells_are_blank():
    df = _matrix()
    df.loc[0, "applicable"] = False
    hm = f.heatmap_marks_lost(df).data[0]
    assert pd.isna(hm.z[0][0])


def test_bump_chart_top_n_plus_highlight_and_reversed_axis():
    rows = []
    for m in ("2026-08", "2026-09", "2026-10"):
        for i in range(12):
            rows.append({"month": m, "unit_code": f"S{i:02d}", "name": f"State {i}", "rank": i + 1,
                         "score_centi": 10000 - i * 10})
    fig = f.bump_chart(pd.DataFrame(rows), highlight_codes=["S11"], top_n=10)
    assert len(fig.data) == 11
    assert fig.data[-1].line.width > fig.data[0].line.width
    lo, hi = fig.layout.yaxis.range
    assert lo > hi  # rank 1 at the top


def test_score_trend_marks_methodology_switch():
    df = pd.DataFrame({"month": ["2024-11", "2024-12", "2025-01", "2025-02"], "score_centi": [9700, 9750, 9600, 9650],
                       "version_id": ["v1", "v1", "v2", "v2"]})
    fig = f.score_trend(df)
    assert list(fig.data[0].y) == pytest.approx([97.0, 97.5, 96.0, 96.5])
    assert fig.layout.shapes[0].x0 == "2025-01"
    assert fig.layout.annotations[0].text == "Methodology changed"
    explicit = f.score_trend(df.drop(columns="version_id"), ["2024-12"])
    assert explicit.layout.shapes[0].x0 == "2024-12"


def test_why_rank_moved_and_marks_lost_bars():
    d = pd.DataFrame({"parameter": ["a", "b", "c"], "parameter_name": ["A", "B", "C"], "change": [0.5, -0.25, 0.0],
                      "rivals_change": [0.1, 0.0, 0.0]})
    fig = f.why_rank_moved(d)
    assert list(fig.data[0].y) == ["B", "A"]  # zero rows dropped, sorted by our change
    assert list(fig.data[0].text) == ["-0.250", "+0.500"]
    assert fig.data[0].marker.color[0] == f.LOSS_COLOUR
    bars = f.marks_lost_bars(pd.DataFrame({"parameter": ["a", "b", "c"], "marks_lost": [0.2, 1.5, 0.0],
                                           "numerator": [1, 2, 3], "denominator": [4, 5, 6]}))
    assert list(bars.data[0].y) == ["a", "b"]  # largest at the top (plotted bottom-up)
    assert bars.data[0].customdata[1][1] == "2 / 5"
    assert f.is_empty_figure(f.marks_lost_bars(pd.DataFrame({"parameter": ["a"], "marks_lost": [0.0]})))


def test_apply_theme_switches_template():
    fig = f.heatmap_marks_lost(_matrix())
    f.apply_theme(fig, True)
    assert fig.layout.template.layout.paper_bgcolor == "rgba(0,0,0,0)"
    assert fig.layout.template.layout.font.color == "#dee2e6"
    f.apply_theme(fig, False)
    assert fig.layout.template.layout.font.size == f.BASE_FONT_SIZE
    assert set(f.template_json(True)) >= {"layout"}


def _plain(fig: dict) -> dict:
    """Figure JSON without empty title objects (plotly drops `title={}` when it validates)."""
    import json

    from plotly.io.json import to_json_plotly

    def strip(o):
        if isinstance(o, dict):
            return {k: strip(v) for k, v in o.items() if not (k == "title" and v == {})}
        if isinstance(o, list):
            return [strip(v) for v in o]
        return o

    return strip(json.loads(to_json_plotly(fig)))


def _trend_df() -> pd.DataFrame:
    return pd.DataFrame({"month": ["2024-11", "2024-12", "2025-01", "2025-02"], "score": [97.0, 97.5, 96.0, 96.5],
                         "score_centi": [9700, 9750, 9600, 9650], "version_id": ["a", "a", "b", "b"]})


@pytest.mark.parametrize("dark", [False, True])
@pytest.mark.parametrize(
    "build",
    [
        lambda: f.heatmap_marks_lost_spec(_matrix()),
        lambda: f.heatmap_marks_lost_spec(_matrix(), unit_order=["UP", "HR"], transpose=True,
                                          unit_codes_as_labels=True),
        lambda: f.bump_chart_spec(pd.DataFrame({"month": ["2025-01", "2025-02"] * 2, "unit_code": ["A", "A", "B", "B"],
                                                "name": ["a", "a", "b", "b"], "rank": [1, 2, 2, 1],
                                                "score_centi": [9900, 9800, 9850, 9950]}), ["B"]),
        lambda: f.tile_map_spec(pd.DataFrame({"state_code": ["HR", "UP"], "name": ["Haryana", "UP"],
                                              "score": [97.5, None], "rank_national": [1, None]}), highlight="HR"),
        lambda: f.score_trend_spec(_trend_df(), name="X", compare_df=_trend_df(), compare_name="Y"),
        lambda: f.why_rank_moved_spec(pd.DataFrame({"parameter": ["a", "b"], "change": [0.5, -0.25],
                                                    "rivals_change": [0.1, 0.0]})),
        lambda: f.marks_lost_bars_spec(pd.DataFrame({"parameter": ["a", "b"], "marks_lost": [0.5, 1.5],
                                                     "numerator": [1, 2], "denominator": [5, 5],
                                                     "value": [20.0, 40.0]})),
        lambda: f.parameter_trend_spec(pd.DataFrame({"month": ["2025-01", "2025-02"], "value": [80.0, 90.0],
                                                     "numerator": [8, 9], "denominator": [10, 10],
                                                     "imputed": [False, True], "marks": [1.0, 2.0],
                                                     "weight": [2.0, 2.0]}), "P", 95.0),
        lambda: f.empty_figure_spec("Pick a parameter"),
    ],
)
def test_specs_equal_their_validated_figures(build, dark):
    """The callbacks' unvalidated specs are exactly what plotly makes of them when it validates them."""
    spec = build()
    assert _plain(f.themed(spec, dark)) == _plain(f.themed(f.to_figure(spec), dark))


def test_score_trend_range_keeps_the_comparison_line_on_the_chart():
    """A district at 92 beside its State at 89.8: the State's dotted line was drawn below the y range (the
    range was set from the district's scores only)."""
    ours = pd.DataFrame({"month": ["2026-10", "2026-11"], "score_centi": [9240, 9233]})
    state = pd.DataFrame({"month": ["2026-10", "2026-11"], "score_centi": [8950, 8982]})
    spec = f.score_trend_spec(ours, name="District", compare_df=state, compare_name="State")
    low, high = spec["layout"]["yaxis"]["range"]
    assert low <= 89.5 and high == 100.5
    alone = f.score_trend_spec(ours, name="District")
    assert alone["layout"]["yaxis"]["range"][0] == pytest.approx(91.33)


def test_the_template_sent_keeps_what_our_figures_use_and_draws_the_same() -> None:
    """template_json drops the defaults of trace types and subplots we never draw (7.5 -> 2.8 KB in every
    figure answer); a figure of each trace type we draw renders to the same pixels with it as with plotly's
    whole template (kaleido)."""
    import copy

    import plotly.graph_objects as go
    import plotly.io as pio

    for dark in (False, True):
        full = go.Figure(layout=dict(template=pio.templates[f.template_name(dark)])).to_plotly_json()["layout"]["template"]
        sent = f.template_json(dark)
        assert set(sent["data"]) == set(f.TRACE_TYPES)
        assert sent["layout"] == {k: v for k, v in full["layout"].items() if k not in f.UNUSED_SUBPLOTS}
        assert len(str(sent)) < len(str(full)) / 2
        figure = {"data": [{"type": "heatmap", "z": [[1, 2], [3, 4]], "x": ["a", "b"], "y": ["HR", "UP"]},
                           {"type": "bar", "x": [1, 2], "y": ["a", "b"], "orientation": "h", "xaxis": "x2", "yaxis": "y2"},
                           {"type": "scatter", "x": ["2025-01", "2025-02"], "y": [90.5, 91.25], "xaxis": "x3", "yaxis": "y3"}],
                  "layout": {"title": {"text": "Marks lost"}, "xaxis": {"domain": [0, 0.3]},
                             "xaxis2": {"domain": [0.35, 0.65]}, "yaxis2": {"anchor": "x2"},
                             "xaxis3": {"domain": [0.7, 1]}, "yaxis3": {"anchor": "x3"}}}
        with_full, with_sent = copy.deepcopy(figure), copy.deepcopy(figure)
        with_full["layout"]["template"], with_sent["layout"]["template"] = full, sent
        assert pio.to_image(with_full, format="png", width=600, height=300) == \
            pio.to_image(with_sent, format="png", width=600, height=300)
