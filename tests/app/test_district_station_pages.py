"""District and police-station pages: layouts, callbacks as functions and over HTTP, numbers against
`cctns export` / dashboard.read, and scope (karnal-sp never sees another district's stations)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from unit_pages_support import (
    DISTRICT_PAGE,
    DISTRICT_STATIONS,
    STATION_PAGE,
    THEME,
    as_figure,
    ids_in,
    text_of,
)

import callbacks.common
from callbacks import district as dcb
from callbacks import station as scb
from dashboard.reports.exports import build_export
from dashboard.scope import Scope
from layouts import district as dl
from layouts import shell
from layouts import station as stl


@pytest.fixture(scope="module")
def month(demo_engine) -> str:
    from dashboard import read

    return read.latest_month(demo_engine)


@pytest.fixture(scope="module")
def karnal(demo_engine) -> str:
    from dashboard import read

    return next(r["code"] for r in read.search_units(demo_engine, "Karnal", Scope.national())
                if r["level"] == "district")


def _as(monkeypatch, s: Scope) -> None:
    monkeypatch.setattr(callbacks.common, "scope", lambda: s)


@pytest.mark.parametrize("module,kwargs,needed", [
    (dl, {"district_code": "HR-KNL", "month": "2025-06", "peer": "High (60+)"}, (dl.ids.STATIONS, dl.ids.HEATMAP)),
    (dl, {"district_code": "../x", "month": "2025-99", "peer": "<b>"}, (dl.ids.STATIONS, dl.ids.LAGGING)),
    (stl, {"station_code": "HR-KNL-001", "month": "2025-06", "parameter": "ndc_sync"}, (stl.ids.PARAMS, stl.ids.TREND)),
    (stl, {}, (stl.ids.PARAMS, stl.ids.PICK)),
])
def test_layouts_build_with_unique_ids(module, kwargs, needed):
    page = module.layout(**kwargs)
    ids = ids_in(page) + ids_in(shell.app_layout())
    assert not [i for i, n in Counter(map(str, ids)).items() if n > 1]
    assert all(n in ids for n in needed)
    json.dumps(text_of(page))


# --- district ------------------------------------------------------------------------------------------


def test_district_stations_match_export(dash_app, demo_engine, month, monkeypatch):
    from dashboard import read

    _as(monkeypatch, Scope.national())
    dcode = read.districts_table(demo_engine, month, "DL", Scope.national())["unit_code"].iloc[-1]
    with dash_app.server.test_request_context():
        rows, style, note = dcb.update_stations({"district_code": dcode, "month": month}, "all")
        page = dcb.update_page({"district_code": dcode, "month": month}, "light")
        heat_out = dcb.update_heatmap({"district_code": dcode, "month": month}, "light")
    exported = build_export(demo_engine, "stations", month, district=dcode).set_index("station_code")
    assert len(rows) == len(exported) and style == {}
    for r in rows:
        e = exported.loc[r["station_code"]]
        assert r["rank"] == int(e["rank_in_district"]) and r["rank_in_state"] == int(e["rank_in_state"])
        assert r["reported"] == (e["reported"] == "yes")
        if r["reported"]:
            assert r["score_text"] == e["score"]
        else:  # shown as not reported, never as a silent score
            assert r["score_text"] == "Not reported" and "Not reported" in note
    heat = as_figure(heat_out[0])
    shown = {cd[0] for row in heat.data[0].customdata for cd in row} if heat.data else set()
    assert shown == {c for c, e in exported.iterrows() if e["reported"] == "yes"}
    # the heat-map's values as table data (drawn in the browser): the same stations in the heat-map's order from
    # the top, and each cell the heat-map's marks lost to 2 decimals ("–" where it does not apply)
    from dashboard.display import format_indian

    table = heat_out[3]
    assert [row[0] for row in table["rows"]] == [exported.loc[row[0][0], "name"] for row in heat.data[0].customdata]
    assert table["params"] == list(heat.data[0].x)
    for row, z_row in zip(table["rows"], heat.data[0].z, strict=True):
        assert row[1:-1] == ["–" if z != z else format_indian(z, 2) for z in z_row]
    lag = build_export(demo_engine, "lagging", month, district=dcode)
    lag_text = text_of(page[5])
    for _, r in lag.iterrows():
        assert r["Police station"] in lag_text
        assert f"{r['Marks at stake (district)']:.3f}" in lag_text and f"{r['Marks at stake (State)']:.3f}" in lag_text


def test_district_peer_filter(dash_app, month, karnal, monkeypatch):
    _as(monkeypatch, Scope.national())
    with dash_app.server.test_request_context():
        every = dcb.update_stations({"district_code": karnal, "month": month}, "all")[0]
        groups = {r["peer_group"] for r in every}
        g = sorted(groups)[0]
        some = dcb.update_stations({"district_code": karnal, "month": month}, g)[0]
    assert some and {r["peer_group"] for r in some} == {g}
    assert len(some) == sum(r["peer_group"] == g for r in every)


def test_district_headline_and_movers(dash_app, demo_engine, month, karnal, monkeypatch):
    from dashboard import read

    _as(monkeypatch, Scope.national())
    with dash_app.server.test_request_context():
        out = dcb.update_page({"district_code": karnal, "month": month}, "light")
    head = read.district_headline(demo_engine, month, karnal, Scope.national())
    kpis = text_of(out[4])
    assert head["score_display"] in kpis and f"{head['rank_in_state']} of {head['districts_ranked']}" in kpis
    moved = read.movers(demo_engine, month, "station", karnal, Scope.national())
    for df in (moved["improved"], moved["declined"]):
        for name in df["name"]:
            assert name in text_of(out[6])


def test_district_out_of_scope(dash_app, demo_engine, month, karnal, monkeypatch):
    from dashboard import read

    _as(monkeypatch, Scope("district", "HR", karnal, "karnal-sp"))
    other = next(c for c in read.districts_table(demo_engine, month, "HR", Scope.national())["unit_code"]
                 if c != karnal)
    with dash_app.server.test_request_context():
        page = dcb.update_page({"district_code": other, "month": month}, "light")
        rows, style, _ = dcb.update_stations({"district_code": other, "month": month}, "all")
        mine = dcb.update_stations({"district_code": karnal, "month": month}, "all")[0]
    assert rows == [] and style == {"display": "none"} and mine
    assert "Not available for your account" in text_of(page[3])
    names = set(read.stations_table(demo_engine, month, other, Scope.national())["name"]) - {r["name"] for r in mine}
    assert not [n for n in names if n in text_of(list(page))]


def test_district_over_http_and_scope(dash_app, demo_users, demo_engine, month, karnal, dash_call):
    from app_http_support import sign_in

    from dashboard import read

    client = sign_in(dash_app, "karnal-sp", demo_users["karnal-sp"])
    assert client.get(f"/district/{karnal}?month={month}").status_code == 200
    mine = dash_call(client, DISTRICT_STATIONS, [(dl.ids.QUERY, "data", {"district_code": karnal, "month": month}),
                                                 (dl.ids.PEER, "value", "all")])
    exported = build_export(demo_engine, "stations", month, district=karnal)
    assert {r["station_code"] for r in mine[dl.ids.STATIONS]["rowData"]} == set(exported["station_code"])
    for other in read.districts_table(demo_engine, month, "HR", Scope.national())["unit_code"]:
        if other == karnal:
            continue
        theirs = set(read.stations_table(demo_engine, month, other, Scope.national())["name"])
        theirs -= set(exported.get("name", []))
        for outputs, inputs in ((DISTRICT_STATIONS, [(dl.ids.QUERY, "data", {"district_code": other, "month": month}),
                                                     (dl.ids.PEER, "value", "all")]),
                                (DISTRICT_PAGE, [(dl.ids.QUERY, "data", {"district_code": other, "month": month})])):
            resp = dash_call(client, outputs, inputs, state=[] if outputs is DISTRICT_STATIONS else [THEME])
            blob = json.dumps(resp)
            assert not [n for n in theirs if f'"{n}"' in blob or f"{n} " in blob]
        assert resp[dl.ids.NOTICE]["children"] is not None


# --- station -------------------------------------------------------------------------------------------


def test_station_params_match_the_rules(dash_app, demo_engine, month, karnal, monkeypatch):
    from dashboard import read

    _as(monkeypatch, Scope.national())
    code = read.stations_table(demo_engine, month, karnal, Scope.national())["unit_code"].iloc[-1]
    with dash_app.server.test_request_context():
        out = scb.update_page({"station_code": code, "month": month}, None, "light")
        trend = scb.update_param_trend(out[9], {"station_code": code, "month": month}, "light")
    rows = out[5]
    params = read.station_params(demo_engine, month, code, Scope.national()).set_index("parameter")
    exported = build_export(demo_engine, "stations", month, district=karnal).set_index("station_code").loc[code]
    assert [r["parameter"] for r in rows] == list(params.sort_values("position").index)
    for r in rows:
        p = params.loc[r["parameter"]]
        assert r["numerator"] == int(p["numerator"]) and r["denominator"] == int(p["denominator"])
        assert r["ratio"].replace(",", "") == f"{int(p['numerator'])} / {int(p['denominator'])}"
        if r["applicable"]:
            assert r["value_text"] == f"{float(p['value']):.2f}%"
            assert round(r["marks_lost"], 3) == exported[f"marks_lost_{r['parameter']}"]
    assert exported["score"] in text_of(out[4])
    trend = as_figure(trend)
    assert trend.data and trend.data[0].y[-1] == pytest.approx(
        params.loc[out[9], "value"] if params.loc[out[9], "applicable"] else trend.data[0].y[-1])


def test_station_not_reported_is_flagged(dash_app, demo_engine, monkeypatch):
    from sqlalchemy import select

    from dashboard.store.models import ResultUnit

    _as(monkeypatch, Scope.national())
    with demo_engine.connect() as conn:
        row = conn.execute(select(ResultUnit.unit_code, ResultUnit.month).where(
            ResultUnit.level == "station", ResultUnit.reported.is_(False)).limit(1)).first()
    if row is None:
        pytest.skip("no unreported station in the demo data")
    with dash_app.server.test_request_context():
        out = scb.update_page({"station_code": row.unit_code, "month": row.month}, None, "light")
    assert "Not reported" in text_of(out[3]) and "Not reported" in text_of(out[4])
    assert any(r["imputed"] for r in out[5]) or all(not r["applicable"] for r in out[5])
    from dashboard.display import month_label

    assert month_label(row.month) in text_of(out[10])


def test_station_over_http_and_scope(dash_app, demo_users, demo_engine, month, karnal, dash_call):
    from app_http_support import sign_in

    from dashboard import read

    client = sign_in(dash_app, "karnal-sp", demo_users["karnal-sp"])
    own = read.stations_table(demo_engine, month, karnal, Scope.national())["unit_code"].iloc[0]
    resp = dash_call(client, STATION_PAGE, [(stl.ids.QUERY, "data", {"station_code": own, "month": month})],
                     state=[(stl.ids.PICK, "value", None), THEME])
    assert resp[stl.ids.PARAMS]["rowData"]
    other_d = next(c for c in read.districts_table(demo_engine, month, "HR", Scope.national())["unit_code"]
                   if c != karnal)
    other = read.stations_table(demo_engine, month, other_d, Scope.national())
    resp = dash_call(client, STATION_PAGE,
                     [(stl.ids.QUERY, "data", {"station_code": other["unit_code"].iloc[0], "month": month})],
                     state=[(stl.ids.PICK, "value", None), THEME])
    assert resp[stl.ids.PARAMS]["rowData"] == []
    assert "Not available for your account" in json.dumps(resp[stl.ids.NOTICE])
    trend = dash_call(client, [(stl.ids.PARAM_TREND, "figure")], [(stl.ids.PICK, "value", "ndc_sync")],
                      state=[(stl.ids.QUERY, "data", {"station_code": other["unit_code"].iloc[0], "month": month}),
                             THEME])
    assert "Not available" in json.dumps(trend) and not [d for d in trend[stl.ids.PARAM_TREND]["figure"]["data"]]
