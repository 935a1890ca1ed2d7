"""State page: layout, callbacks as functions and over HTTP, numbers against dashboard.read, the
scoring helpers and `cctns export`; scope (district user, user outside the State)."""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
import plotly
import pytest
from flask_login import login_user
from unit_pages_support import STATE_DETAIL, STATE_SUMMARY, THEME, as_figure, ids_in, text_of

import callbacks.common
from callbacks import state as cb
from dashboard.display import format_indian
from dashboard.reports.exports import build_export
from dashboard.scope import Scope
from layouts import shell
from layouts import state as sl
from metrics.analysis import marks_needed_to_overtake


@pytest.fixture(scope="module")
def month(demo_engine) -> str:
    from dashboard import read

    return read.latest_month(demo_engine)


@pytest.mark.parametrize("query", [{"state_code": "HR"}, {"state_code": "hr", "month": "2025-06"},
                                   {"state_code": "<script>", "month": "bad"}, {}])
def test_layout_builds_with_unique_ids(query):
    page = sl.layout(**query)
    ids = ids_in(page) + ids_in(shell.app_layout())
    assert not [i for i, n in Counter(map(str, ids)).items() if n > 1]
    for needed in (sl.ids.QUERY, sl.ids.KPIS, sl.ids.WHY, sl.ids.DISTRICTS, sl.ids.HEATMAP, sl.ids.LAGGING):
        assert needed in ids
    store = next(c for c in [page.children[0]] if getattr(c, "id", None) == sl.ids.QUERY)
    assert store.data["state_code"] in ("HR", None)
    assert store.data["month"] in ("2025-06", None)
    json.dumps(page.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)


def _as(monkeypatch, s: Scope) -> None:
    monkeypatch.setattr(callbacks.common, "scope", lambda: s)


def test_summary_numbers_match_the_rules(dash_app, demo_engine, month, monkeypatch):
    from dashboard import read

    _as(monkeypatch, Scope.national())
    with dash_app.server.test_request_context():
        out = cb.update_summary({"state_code": "DL", "month": month}, "light")
    title, subtitle, _actions, kpis, why, rivals, lost, overtake, trend = out
    assert title == "Delhi" and month[:4] in subtitle
    table = read.states_table(demo_engine, month).set_index("unit_code")
    exported = build_export(demo_engine, "states", month).set_index("state_code")
    text = text_of(kpis)
    assert exported.loc["DL", "score"] in text
    assert f"{int(table.loc['DL', 'rank_national'])} of {int(table['rank_national'].notna().sum())}" in text
    # marks needed to pass the State above: P + 0.005 - own, computed independently
    ranked = table[table["rank_national"].notna()].sort_values("score_centi", ascending=False)
    above = ranked[ranked["score_centi"] > table.loc["DL", "score_centi"]]
    if len(above):
        a = above.iloc[-1]
        need = marks_needed_to_overtake(table.loc["DL", "score"], a["score"], int(a["score_centi"]))
        assert f"+{need:.3f}" in text and f"+{need:.3f}" in text_of(overtake)
    # why the rank moved: the bars add up to the score change (within rounding of the published scores)
    bars = as_figure(why).data[0]
    prev = read.states_table(demo_engine, read.months(demo_engine)[-2]).set_index("unit_code")
    assert abs(sum(bars.x) - (table.loc["DL", "score"] - prev.loc["DL", "score"])) < 1e-6
    # marks lost bars = the State's marks lost per parameter (rule 10)
    params = read.unit_params(demo_engine, month, "state", "DL").set_index("parameter_name")
    for name, x in zip(as_figure(lost).data[0].y, as_figure(lost).data[0].x, strict=True):
        assert x == pytest.approx(params.loc[name, "marks_lost"])
    assert "Chandigarh" in text_of(rivals) or "Uttar Pradesh" in text_of(rivals)
    assert [round(v, 2) for v in as_figure(trend).data[0].y if v is not None][-1] == int(table.loc["DL", "score_centi"]) / 100


def test_methodology_change_is_marked_on_the_trend(dash_app, month, monkeypatch):
    _as(monkeypatch, Scope.national())
    with dash_app.server.test_request_context():
        trend = cb.update_summary({"state_code": "HR", "month": month}, "light")[-1]
    assert any("Methodology" in (a.text or "") for a in as_figure(trend).layout.annotations)


def test_detail_matches_export(dash_app, demo_engine, month, monkeypatch):
    _as(monkeypatch, Scope.national())
    with dash_app.server.test_request_context():
        rows, style, _note, heat, heat_style, heat_msg, heat_table, lagging = cb.update_detail(
            {"state_code": "HR", "month": month}, "light")
    exported = build_export(demo_engine, "districts", month, state="HR")
    assert [r["district_code"] for r in rows] == list(exported["district_code"])
    assert [r["score_display"] for r in rows] == list(exported["score"])
    assert [r["rank"] for r in rows] == [int(x) for x in exported["rank_in_state"]]
    assert style == {} and heat_style == {} and heat_msg is None
    heat = as_figure(heat)
    assert heat.data[0].type == "heatmap"
    # heat-map cells = marks lost per district x parameter of the export (3 decimals); columns in the order the
    # parameters come in the matrix, rows in the table's order
    from dashboard import read

    matrix = read.param_matrix(demo_engine, month, "district", state_code="HR", scope=Scope.national())
    params = list(dict.fromkeys(matrix["parameter"]))
    assert len(heat.data[0].x) == len(params)
    z = {(cd[0], p): v for zr, cr in zip(heat.data[0].z, heat.data[0].customdata, strict=True)
         for v, cd, p in zip(zr, cr, params, strict=True)}
    for r in exported.itertuples():
        for col in exported.columns:
            if col.startswith("marks_lost_") and pd.notna(getattr(r, col)):
                assert round(z[(r.district_code, col.removeprefix("marks_lost_"))], 3) == getattr(r, col)
    # the same matrix as table data (drawn in the browser as "Show as table"): a row per district in the
    # heat-map's order, its name, then marks lost per parameter to 2 decimals (– where it does not apply) and
    # the unit's total
    assert heat_table["params"] == list(heat.data[0].x) and heat_table["summary"] == "Show as table"
    assert len(heat_table["rows"]) == len(exported)
    for row, r in zip(heat_table["rows"], exported.itertuples(), strict=True):
        assert row[0] == r.name
        cells = [z[(r.district_code, p)] for p in params]
        assert row[1:-1] == ["–" if pd.isna(v) else format_indian(v, 2) for v in cells]
        assert row[-1] == format_indian(sum(v for v in cells if pd.notna(v)), 2)


def test_lagging_panel_orders_by_marks_at_stake(dash_app, demo_engine, month, monkeypatch):
    _as(monkeypatch, Scope.national())
    exported = build_export(demo_engine, "lagging", month, state="DL")
    with dash_app.server.test_request_context():
        lagging = cb.update_detail({"state_code": "DL", "month": month}, "light")[-1]
    text = text_of(lagging)
    if exported.empty:
        assert "No lagging stations" in text
    else:
        first = exported.iloc[0]
        assert first["Police station"] in text and f"{first['Marks at stake (State)']:.3f}" in text


def test_district_user_sees_districts_but_no_state_station_list(dash_app, demo_engine, month, monkeypatch):
    _as(monkeypatch, Scope("district", "HR", "HR-KNL", "karnal-sp"))
    with dash_app.server.test_request_context():
        rows, style, *_rest, lagging = cb.update_detail({"state_code": "HR", "month": month}, "light")
        summary = cb.update_summary({"state_code": "HR", "month": month}, "light")
    assert rows and style == {}
    assert "Not available for your account" in text_of(lagging)
    from dashboard import read

    others = read.not_reported_stations(demo_engine, month, Scope.national(), "HR")
    lag = read.lagging(demo_engine, month, Scope.national(), "HR")
    names = set(others["name"]) | set(lag.get("station_name", pd.Series(dtype=str)))
    blob = text_of(list(summary[3:])) + text_of(lagging)
    assert not [n for n in names if n in blob]


def test_outside_scope_gets_a_message_not_data(dash_app, demo_engine, month, monkeypatch):
    _as(monkeypatch, Scope("district", "HR", "HR-KNL", "karnal-sp"))
    with dash_app.server.test_request_context():
        rows, style, note, heat, heat_style, heat_msg, heat_table, lagging = cb.update_detail(
            {"state_code": "UP", "month": month}, "light")
    assert rows == [] and style == {"display": "none"} and heat_style == {"display": "none"} and heat_table is None
    assert "Not available for your account" in text_of(note)
    assert "Not available for your account" in text_of(heat_msg)
    assert "Not available for your account" in text_of(lagging)
    assert not heat["data"]


def test_unknown_state_is_an_empty_state(dash_app, monkeypatch):
    _as(monkeypatch, Scope.national())
    with dash_app.server.test_request_context():
        out = cb.update_summary({"state_code": "ZZ"}, "dark")
    assert "No State/UT with code" in text_of(out[3])


def test_signed_in_user_via_flask_login(dash_app, demo_users, month):
    from sqlalchemy import select

    from callbacks.common import engine
    from dashboard.store.db import session_scope
    from dashboard.store.models import User
    from dashboard.web.auth import UserSession, _fingerprint

    with dash_app.server.test_request_context():
        with session_scope(engine()) as s:
            row = s.scalar(select(User).where(User.username == "haryana"))
            user = UserSession(row, _fingerprint(row.password_hash))
        login_user(user)
        rows = cb.update_detail({"state_code": "HR", "month": month}, "light")[0]
        lagging = cb.update_detail({"state_code": "HR", "month": month}, "light")[-1]
        refused = cb.update_detail({"state_code": "UP", "month": month}, "light")[0]
    assert rows and "Not available" not in text_of(lagging) and refused == []


def test_drill_down_targets(dash_app):
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    def trig(prop_id):
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": 1}]))

    with dash_app.server.test_request_context("/"):  # the page's scheme is checked against the stored ones
        trig(f"{sl.ids.DISTRICTS}.selectedRows")
        assert cb.drill_down([{"district_code": "HR-KNL"}], None, {"month": "2025-06"}) == \
            "/district/HR-KNL?month=2025-06"
        trig(f"{sl.ids.HEATMAP}.clickData")
        assert cb.drill_down(None, {"points": [{"customdata": ["HR-GRM", "fir_in_cctns"]}]}, {}) == \
            "/district/HR-GRM"
        assert cb.drill_down(None, {"points": [{"customdata": ["HR-GRM", "fir_in_cctns"]}]},
                             {"scheme": "itsso"}) == "/district/HR-GRM?scheme=itsso"


# --- over HTTP ------------------------------------------------------------------------------------------


def test_state_page_over_http(national_client, demo_engine, month, dash_call):
    assert national_client.get(f"/state/HR?month={month}").status_code == 200
    resp = dash_call(national_client, STATE_SUMMARY, [(sl.ids.QUERY, "data", {"state_code": "HR", "month": month})],
                     state=[THEME])
    exported = build_export(demo_engine, "states", month).set_index("state_code")
    assert resp[sl.ids.TITLE]["children"] == "Haryana"
    assert exported.loc["HR", "score"] in json.dumps(resp[sl.ids.KPIS])
    detail = dash_call(national_client, STATE_DETAIL, [(sl.ids.QUERY, "data", {"state_code": "HR", "month": month})],
                       state=[THEME])
    rows = detail[sl.ids.DISTRICTS]["rowData"]
    districts = build_export(demo_engine, "districts", month, state="HR")
    assert {r["district_code"]: r["score_display"] for r in rows} == dict(
        zip(districts["district_code"], districts["score"], strict=True))


def test_state_page_over_http_as_district_user(dash_app, demo_users, demo_engine, month, dash_call):
    from app_http_support import sign_in

    client = sign_in(dash_app, "karnal-sp", demo_users["karnal-sp"])
    detail = dash_call(client, STATE_DETAIL, [(sl.ids.QUERY, "data", {"state_code": "HR", "month": month})],
                       state=[THEME])
    assert detail[sl.ids.DISTRICTS]["rowData"]
    assert "Not available for your account" in json.dumps(detail[sl.ids.LAGGING])
    other = dash_call(client, STATE_DETAIL, [(sl.ids.QUERY, "data", {"state_code": "UP", "month": month})],
                      state=[THEME])
    assert other[sl.ids.DISTRICTS]["rowData"] == []
    from dashboard import read

    up_names = set(read.districts_table(demo_engine, month, "UP", Scope.national())["name"])
    assert not [n for n in up_names if n in json.dumps(other)]
