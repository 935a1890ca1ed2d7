"""Names are drawn as text in every chart (issue 9, finding 5): plotly renders a subset of HTML in text,
ticks, hover, trace names and annotations, so a station named `<a href=...>` became a live link in the
district heat-map and the station trend. Every string of each figure's JSON is checked; our own hover
markup (`<b>`, `<br>`, `<extra>`) stays, and clicks still read the unit code in customdata[0]."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hostile_names import BOLD, LINK, MONTH, STATE, assert_no_data_markup, figure_strings, hostile_copy

from callbacks.unit_common import point_code
from dashboard import read
from dashboard.scope import Scope
from layouts import figures as f

ESCAPED_LINK = "&lt;a href=\"http://evil.example/phish\"&gt;httplink&lt;/a&gt;"
PLACEHOLDER = "%{customdata[0]} PS"  # a name that would open a hovertemplate placeholder


def _json(spec: dict) -> dict:
    return json.loads(f.to_figure(spec).to_json())


def _matrix() -> pd.DataFrame:
    rows = []
    for u, name in (("MN-IET-001", LINK), ("MN-IET-002", BOLD), ("MN-IET-003", PLACEHOLDER)):
        for p, pname, lost in (("fir", LINK, 0.5), ("cs", "<b>Charge</b>-sheets", 1.25)):
            rows.append({"unit_code": u, "name": name, "parameter": p, "parameter_name": pname, "numerator": 38,
                         "denominator": 40, "applicable": True, "value": 95.0, "marks": 3.0, "weight": 4.0,
                         "marks_lost": lost})
    return pd.DataFrame(rows)


def _trend(code: str = "X", name: str = LINK) -> pd.DataFrame:
    return pd.DataFrame({"month": ["2025-04", "2025-05", "2025-06"], "unit_code": code, "name": name,
                         "score_centi": [9000, 9100, 9200], "rank": [3, 2, 1], "version_id": "v1"})


def assert_hover_markup_kept(fig: dict) -> None:
    templates = [t.get("hovertemplate", "") for t in fig["data"]]
    assert any("<extra>" in t for t in templates), templates


@pytest.mark.parametrize("kwargs", [{}, {"transpose": True}, {"transpose": True, "unit_codes_as_labels": True}])
def test_heatmap(kwargs):
    fig = _json(f.heatmap_marks_lost_spec(_matrix(), "Police <b>station</b>", **kwargs))
    assert_no_data_markup(fig)
    assert_hover_markup_kept(fig)
    trace = fig["data"][0]
    labels = trace["x"] + trace["y"]
    assert ESCAPED_LINK in labels  # the parameter name as a tick label
    ours = "<b>%{customdata[5]}</b>" if kwargs.get("unit_codes_as_labels") else "<b>%{x}</b>" if kwargs else "<b>%{y}</b>"
    assert ours in trace["hovertemplate"]
    assert "&lt;b&gt;station&lt;/b&gt;" in trace["hovertemplate"]
    cells = [c for row in trace["customdata"] for c in row]
    assert {c[0] for c in cells} == {"MN-IET-001", "MN-IET-002", "MN-IET-003"}  # raw codes for clicks
    assert point_code({"points": [{"customdata": cells[0]}]}) == cells[0][0]
    if kwargs.get("unit_codes_as_labels"):
        assert "%{customdata[0]} PS" in {c[5] for c in cells}  # customdata values are not re-templated
    else:  # the name is the escaped axis label; axis labels are not templated
        assert "%{customdata[0]} PS" in labels


def test_bump_chart():
    hist = pd.concat([_trend("A", LINK), _trend("B", PLACEHOLDER).assign(rank=[1, 3, 2])], ignore_index=True)
    fig = _json(f.bump_chart_spec(hist, highlight_codes=["A"]))
    assert_no_data_markup(fig)
    names = {t["name"] for t in fig["data"]}
    assert ESCAPED_LINK in names and PLACEHOLDER in names  # a trace name is not a template
    templates = " ".join(t["hovertemplate"] for t in fig["data"])
    assert "&#37;{customdata[0]} PS" in templates and templates.count("%{customdata[0]}") == 0
    assert "<b>" + ESCAPED_LINK + "</b>" in templates


def test_tile_map():
    states = pd.DataFrame({"state_code": ["HR", "MN"], "name": [LINK, BOLD], "score": [99.0, 98.0],
                           "score_display": ["99.00", "98.00"], "rank_national": [1, 2]})
    fig = _json(f.tile_map_spec(states))
    assert_no_data_markup(fig)
    cells = [c for t in fig["data"] for row in t["customdata"] for c in row if c[0]]
    assert {c[0] for c in cells} == {"HR", "MN"} and ESCAPED_LINK in {c[1] for c in cells}


def test_score_trend_and_parameter_trend():
    fig = _json(f.score_trend_spec(_trend(), name=LINK, compare_df=_trend(), compare_name=BOLD + " district"))
    assert_no_data_markup(fig)
    assert fig["data"][0]["name"] == ESCAPED_LINK
    assert fig["data"][0]["hovertemplate"].startswith("%{x}: <b>%{y:.2f}</b><extra>")
    one = pd.DataFrame({"month": ["2025-05", "2025-06"], "value": [90.0, 95.0], "numerator": [9, 19],
                        "denominator": [10, 20], "marks": [1, 2], "weight": [2, 2]})
    assert_no_data_markup(_json(f.parameter_trend_spec(one, LINK, 100)))


def test_bars():
    why = pd.DataFrame({"parameter": ["fir", "cs"], "parameter_name": [LINK, BOLD], "change": [0.5, -0.25],
                        "rivals_change": [0.1, 0.2]})
    fig = _json(f.why_rank_moved_spec(why, ours_label=LINK + "'s change", rivals_label=BOLD))
    assert_no_data_markup(fig)
    assert ESCAPED_LINK in fig["data"][0]["y"]
    lost = why.assign(marks_lost=[0.5, 0.25], numerator=[1, 2], denominator=[2, 4], value=[50.0, 50.0])
    assert_no_data_markup(_json(f.marks_lost_bars_spec(lost)))


# --- on the hostile copy of the demo: the district heat-map, the station trend, the deck ---------------------


@pytest.fixture(scope="module")
def hostile(demo_engine, demo_users, tmp_path_factory):
    return hostile_copy(demo_engine, tmp_path_factory.mktemp("hostile") / "hostile.sqlite3")


def test_district_heatmap_and_station_trend(hostile):
    engine, renamed = hostile
    link_code = next(c for c, n in renamed.items() if n == LINK)
    district = read.unit_info(engine, "station", link_code)["district_code"]
    matrix = read.district_station_matrix(engine, MONTH, district, Scope.national())
    assert LINK in set(matrix["name"])
    heat = f.themed(f.heatmap_marks_lost_spec(matrix, "Police station"), False)
    assert_no_data_markup(heat)
    assert ESCAPED_LINK in heat["data"][0]["y"]

    info = read.unit_info(engine, "station", link_code)
    trend = read.score_trend(engine, "station", link_code, MONTH, 24)
    district_trend = read.score_trend(engine, "district", info["district_code"], MONTH, 24)
    fig = f.themed(f.score_trend_spec(trend, name=info["name"], compare_df=district_trend,
                                      compare_name=f"{info['district_name']} district"), False)
    assert_no_data_markup(fig)
    assert fig["data"][0]["name"] == ESCAPED_LINK


def test_deck_figures_draw_names_as_text(hostile):
    """The deck's charts (shown at /present, drawn into the PDF/PPTX packs by kaleido)."""
    from dashboard.reports.deck import slides
    from dashboard.reports.review import build_review

    engine, _ = hostile
    seen = []
    for district in (None, "MN-IET", "MN-IWT"):
        review = build_review(engine, MONTH, Scope.national("test"), STATE, district)
        for slide in slides(review):
            for chart in slide.charts():
                fig = json.loads(f.to_figure(chart.figure).to_json())
                assert_no_data_markup(fig)
                seen.append("\n".join(figure_strings(fig)))
    everything = "\n".join(seen)
    assert "&lt;b&gt;State&lt;/b&gt;" in everything  # the State's name, escaped, in the trend and why charts
    assert "<extra>" in everything and "<b>" in everything  # our own hover markup stays


def test_slide_labels_wrap_escaped_names_by_what_is_drawn():
    from dashboard.reports.deck import wrap_label

    label = f.plotly_text("<b>Charge</b> sheets filed within time")
    assert wrap_label(label, 40) == label  # 38 characters drawn (50 escaped): an entity counts as one
    wrapped = wrap_label(f.plotly_text("<b>Charge</b> sheets filed within the time limit"), 26)
    assert wrapped == "&lt;b&gt;Charge&lt;/b&gt; sheets filed<br>within the time limit"
