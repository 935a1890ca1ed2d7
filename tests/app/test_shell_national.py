"""Shell and national page: layouts, callbacks as functions, and callbacks over HTTP on the demo DB."""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
import plotly
import pytest
from app_http_support import html_table_rows

from callbacks import national as nat
from callbacks import shell as shell_cb
from layouts import national, shell
from layouts.pages import PAGES, not_found


def _ids(component) -> list:
    out = []

    def walk(node):
        if isinstance(node, list | tuple):
            for n in node:
                walk(n)
            return
        if hasattr(node, "to_plotly_json"):
            cid = getattr(node, "id", None)
            if cid is not None:
                out.append(json.dumps(cid, sort_keys=True) if isinstance(cid, dict) else cid)
            walk(getattr(node, "children", None))

    walk(component)
    return out


# --- layouts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [{}, {"month": "2025-06"}, {"month": "2025-06", "category": "UTs"}, {"month": "garbage", "category": "<b>x"},
     {"month": ["2025-06"], "extra": "1"}],
)
def test_national_layout_builds_for_any_query_with_unique_ids(query):
    page = national.layout(**query)
    ids = _ids(page) + _ids(shell.app_layout())
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes
    assert national.ids.TABLE in ids and shell.ids.URL in ids and shell.ids.MONTH in ids
    json.dumps(page.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)


def test_national_query_is_cleaned():
    assert national.clean_query("2025-06", "UTs") == {"month": "2025-06", "category": "UTs", "scheme": None}
    assert national.clean_query("2025-13", "All India") == {"month": None, "category": None, "scheme": None}
    assert national.clean_query(None, None, "itsso")["scheme"] == "itsso"
    assert national.clean_query(None, None, "<b>")["scheme"] is None
    assert national.clean_query(None, "Hilly & North-East")["category"] == "Hilly & North-East"


def test_category_tabs_link_with_month():
    nav = national.category_nav("2025-06", "UTs")
    links = [item.children for item in nav.children.children]
    assert [link.href for link in links] == [
        "/?month=2025-06", "/?month=2025-06&category=Major+States",
        "/?month=2025-06&category=Hilly+%26+North-East", "/?month=2025-06&category=UTs"]
    assert [link.active for link in links] == [False, False, False, True]


def test_shell_has_required_parts():
    ids = _ids(shell.app_layout())
    for required in (shell.ids.URL, shell.ids.SEARCH, shell.ids.MONTH, shell.ids.THEME_SWITCH, shell.ids.BREADCRUMB,
                     shell.ids.FOOTER_AS_OF, shell.ids.FOOTER_VERSION, "_pages_content"):
        assert required in ids
    text = json.dumps(shell.app_layout().to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)
    assert "CCTNS Progress Dashboard" in text
    for label in ("National", "Lagging stations", "Methodology", "Data"):
        assert f'"{label}"' in text


def test_page_table_and_404():
    paths = [p[2] for p in PAGES]
    assert set(paths) >= {"/", "/state/<state_code>", "/district/<district_code>", "/station/<station_code>",
                          "/lagging", "/methodology", "/data"}
    assert len(paths) == len(set(paths))
    assert "Page not found" in json.dumps(not_found().to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)


# --- callbacks as functions -----------------------------------------------------------------------------


def _fake_table() -> pd.DataFrame:
    return pd.DataFrame({
        "state_code": ["HR", "UP", "DL", "CH"], "name": ["Haryana", "Uttar Pradesh", "Delhi", "Chandigarh"],
        "category": ["Major States", "Major States", "Major States", "UTs"],
        "score": [99.99, 98.69, 98.69, None], "score_centi": pd.array([9999, 9869, 9869, None], dtype="Int64"),
        "score_change_centi": pd.array([12, -5, 0, None], dtype="Int64"),
        "rank_national": pd.array([1, 2, 2, None], dtype="Int64"),
        "rank_category": pd.array([1, 2, 2, None], dtype="Int64"),
        "rank_change_national": pd.array([1, -1, 0, None], dtype="Int64"),
        "rank_change_category": pd.array([1, -1, 0, None], dtype="Int64"),
        "streak_at_1": [3, 0, 0, 0], "streak_top5": [10, 4, 0, 0],
        "stations_reported": [330, 1500, 200, 0], "stations_active": [330, 1600, 210, 11],
    })


def test_league_rows_shared_ranks_and_formatting():
    rows = nat.league_rows(_fake_table())
    assert [r["rank_text"] for r in rows] == ["1", "=2", "=2", "–"]
    hr, up, dl, ch = rows
    assert hr["score_display"] == "99.99" and hr["gap_text"] == "0.01" and hr["change_text"] == "+0.12"
    assert hr["rank_change_text"] == "▲1" and up["rank_change_text"] == "▼1" and dl["rank_change_text"] == "–"
    assert up["stations_text"] == "1,500 / 1,600"
    assert hr["streak_text"] == "3 mo #1 · 10 mo top 5"
    assert ch["score_display"] == "no data" and ch["rank_change_text"] == "new"
    assert "shared" in up["rank_words"]
    only_uts = nat.league_rows(_fake_table(), "UTs")
    assert [r["state_code"] for r in only_uts] == ["CH"]
    json.dumps(rows)  # JSON-safe


def test_drill_down_targets(monkeypatch):
    class Ctx:
        triggered_id = national.ids.TILE_MAP

    monkeypatch.setattr(nat, "ctx", Ctx)
    click = {"points": [{"customdata": ["UP", "Uttar Pradesh", "2", "98.69"]}]}
    assert nat.drill_down(None, click, {"month": None}) == "/state/UP"
    assert nat.drill_down(None, click, {"month": "2025-06", "scheme": "icjs"}) == "/state/UP?month=2025-06&scheme=icjs"
    from dash.exceptions import PreventUpdate

    Ctx.triggered_id = national.ids.HEATMAP
    with pytest.raises(PreventUpdate):
        nat.drill_down({"points": [{"customdata": ["../../x"]}]}, None, {})


def test_the_league_table_is_plain_html_with_the_rows_texts_and_links():
    """What assets/plain_table.js draws: the same texts the grid showed (league_rows), each State's name a link
    with the month and scheme of the page; tones as the grid's cell classes; a month known only from NCRB: no
    links; headers and tooltips translated."""
    from app_http_support import html_table_rows

    rows = nat.league_rows(_fake_table())
    table = national.league_table(rows, "2025-06", "icjs")
    json.dumps(table)
    got = html_table_rows(table)
    assert [r["id"] for r in got] == ["HR", "UP", "DL", "CH"]
    for want, cells in zip(rows, got, strict=True):
        assert cells["rank"] == want["rank_text"] and cells["name"] == want["name"]
        assert cells["score_centi"] == want["score_display"] and cells["gap_centi"] == want["gap_text"]
        assert cells["score_change_centi"] == want["change_text"]
        assert cells["rank_change"] == want["rank_change_text"] and cells["streak_sort"] == want["streak_text"]
        assert cells["reported_share"] == want["stations_text"]
    assert [r["href"] for r in table["rows"]][:2] == ["/state/HR?month=2025-06&scheme=icjs",
                                                      "/state/UP?month=2025-06&scheme=icjs"]
    col = {c["id"]: i for i, c in enumerate(table["columns"])}
    hr, up = table["rows"][0]["cells"], table["rows"][1]["cells"]
    assert "cell-up" in hr[col["score_change_centi"]][2] and "cell-down" in up[col["rank_change"]][2]
    assert hr[col["name"]][1] == rows[0]["rank_words"]  # the row's words as the name's tooltip
    # each cell sorts by the number behind its text, as the grid sorted (the name by its text: no number)
    assert hr[col["score_centi"]][3] == rows[0]["score_centi"] and hr[col["rank"]][3] == rows[0]["rank"]
    assert up[col["streak_sort"]][3] == rows[1]["streak_sort"] and hr[col["name"]][3] is None
    assert table["columns"][col["score_centi"]]["header"] == "Score"
    published = national.league_table([{**rows[0], "published_only": True}], "2023-02", None)
    assert published["rows"][0]["href"] is None  # no drill-down from NCRB's published record
    from dashboard.i18n import use_language

    with use_language("hi"):
        assert national.league_table(rows, None, None)["columns"][col["name"]]["header"] == "राज्य/संघ राज्य क्षेत्र"


def test_search_option_and_go(monkeypatch, demo_engine):
    opt = shell_cb.search_option({"level": "district", "code": "HR-KNL", "name": "Karnal", "context": "Haryana"})
    assert opt["value"] == "district:HR-KNL" and "Karnal" in opt["label"] and "Haryana" in opt["label"]
    assert shell_cb.search_go("district:HR-KNL", "?month=2025-06") == ("/district/HR-KNL?month=2025-06", None)
    assert shell_cb.search_go("station:HR-KNL-001", "") == ("/station/HR-KNL-001", None)
    monkeypatch.setattr(shell_cb, "engine", lambda: demo_engine)  # the scheme is checked against the stored ones
    assert shell_cb.search_go("district:HR-KNL", "?month=2025-06&scheme=itsso") == \
        ("/district/HR-KNL?month=2025-06&scheme=itsso", None)
    assert shell_cb.search_go("district:HR-KNL", "?scheme=nosuch") == ("/district/HR-KNL", None)
    from dash.exceptions import PreventUpdate

    with pytest.raises(PreventUpdate):
        shell_cb.search_go("evil:x", "")


def test_format_timestamp():
    assert shell_cb.format_timestamp("2026-11-28T14:45:26+00:00") == "28 Nov 2026, 20:15 IST"  # India Standard Time
    assert shell_cb.format_timestamp(None) == "–"
    assert shell_cb.format_timestamp("yesterday") == "yesterday"


# --- over HTTP on the demo database -----------------------------------------------------------------------


def test_pages_and_wiring_over_http(national_client):
    c = national_client
    assert c.get("/").status_code == 200
    layout = c.get("/_dash-layout").get_data(as_text=True)
    assert shell.ids.MONTH in layout and shell.ids.SEARCH in layout
    deps = json.dumps(c.get("/_dash-dependencies").get_json())
    for needed in (f"{national.ids.TABLE_DATA}.data", f"{national.ids.TABLE}.data-rows", f"{shell.ids.MONTH}.options", f"{shell.ids.SEARCH}.options",
                   f"{shell.ids.BREADCRUMB}.children", f"{national.ids.BUMP}.figure"):
        assert needed in deps


def test_national_callback_numbers_match_queries(national_client, demo_engine, dash_call):
    from dashboard import read

    month = read.latest_month(demo_engine)
    outs = [(national.ids.TABLE_DATA, "data"), (national.ids.TABLE_NOTE, "children"), (national.ids.KPIS, "children"),
            (national.ids.SUBTITLE, "children"), (national.ids.TILE_MAP, "figure"), (national.ids.HEATMAP, "figure"),
            (national.ids.BUMP_PICK, "options"), (national.ids.SCHEME_TABS, "children")]
    resp = dash_call(national_client, outs, [(national.ids.QUERY, "data", {"month": month, "category": None})],
                state=[(shell.ids.THEME_STORE, "data", "dark")])
    rows = html_table_rows(resp[national.ids.TABLE_DATA]["data"])
    table = read.states_table(demo_engine, month)
    assert [r["id"] for r in rows] == list(table["state_code"])
    assert [r["score_centi"] for r in rows] == [s if s != "no data" else "no data" for s in table["score_display"]]
    for r, (_, t) in zip(rows, table.iterrows(), strict=True):
        if pd.notna(t["score_centi"]):
            assert r["gap_centi"] == f"{(10000 - int(t['score_centi'])) / 100:.2f}"
    heat = resp[national.ids.HEATMAP]["figure"]
    assert heat["data"][0]["type"] == "heatmap"
    assert resp[national.ids.TILE_MAP]["figure"]["layout"]["template"]["layout"]["font"]["color"] == "#dee2e6"


def test_category_tab_filters_over_http(national_client, demo_engine, dash_call):
    from dashboard import read

    month = read.latest_month(demo_engine)
    resp = dash_call(national_client, [(national.ids.TABLE_DATA, "data"), (national.ids.TABLE_NOTE, "children"),
                                  (national.ids.KPIS, "children"), (national.ids.SUBTITLE, "children"),
                                  (national.ids.TILE_MAP, "figure"), (national.ids.HEATMAP, "figure"),
                                  (national.ids.BUMP_PICK, "options"), (national.ids.SCHEME_TABS, "children")],
                [(national.ids.QUERY, "data", {"month": month, "category": "Major States"})],
                state=[(shell.ids.THEME_STORE, "data", "light")])
    rows = html_table_rows(resp[national.ids.TABLE_DATA]["data"])
    expected = read.states_table(demo_engine, month, "Major States")
    assert {r["id"] for r in rows} == set(expected["state_code"])
    assert "Major States" in json.dumps(resp[national.ids.SUBTITLE])


def test_month_sync_and_search_over_http(national_client, demo_engine, dash_call):
    from dashboard import read

    months = read.months(demo_engine)
    resp = dash_call(national_client, [(shell.ids.MONTH, "options"), (shell.ids.MONTH, "value"), (shell.ids.URL, "search")],
                [(shell.ids.URL, "search", f"?month={months[0]}"), (shell.ids.MONTH, "value", None)],
                state=[(shell.ids.URL, "pathname", "/")])
    assert resp[shell.ids.MONTH]["value"] == months[0]
    # the demo's provisional month first, said as such (issue 14), then the final months and those known only
    # from NCRB's published results, newest first
    values = [o["value"] for o in resp[shell.ids.MONTH]["options"]]
    provisional = [m["month"] for m in read.provisional_months(demo_engine)]
    assert values == [f"provisional:{m}" for m in provisional] + list(reversed(read.scheme_months(demo_engine)))
    assert all("provisional" in o["label"] for o in resp[shell.ids.MONTH]["options"][:len(provisional)])
    assert set(months) < set(read.scheme_months(demo_engine))
    # a bad month falls back to the latest
    resp = dash_call(national_client, [(shell.ids.MONTH, "options"), (shell.ids.MONTH, "value"), (shell.ids.URL, "search")],
                [(shell.ids.URL, "search", "?month=1999-01"), (shell.ids.MONTH, "value", None)],
                state=[(shell.ids.URL, "pathname", "/")])
    assert resp[shell.ids.MONTH]["value"] == months[-1]
    # picking a month writes it into the URL, keeping other parameters
    resp = dash_call(national_client, [(shell.ids.MONTH, "options"), (shell.ids.MONTH, "value"), (shell.ids.URL, "search")],
                [(shell.ids.URL, "search", "?category=UTs"), (shell.ids.MONTH, "value", months[0])],
                state=[(shell.ids.URL, "pathname", "/")], changed=[f"{shell.ids.MONTH}.value"])
    assert resp[shell.ids.URL]["search"] == f"?category=UTs&month={months[0]}"

    resp = dash_call(national_client, [(shell.ids.SEARCH, "options")], [(shell.ids.SEARCH, "search_value", "Karnal")],
                state=[(shell.ids.SEARCH, "value", None)])
    values = [o["value"] for o in resp[shell.ids.SEARCH]["options"]]
    assert any(v.startswith("district:") for v in values)


def test_breadcrumb_over_http(national_client, demo_engine, dash_call):
    from dashboard import read

    hit = next(r for r in read.search_units(demo_engine, "Karnal", __import__("dashboard.scope").scope.Scope.national())
               if r["level"] == "district")
    resp = dash_call(national_client, [(shell.ids.BREADCRUMB, "children")],
                [(shell.ids.URL, "pathname", f"/district/{hit['code']}"), (shell.ids.URL, "search", "?month=2025-06"),
                 (shell.ids.BREADCRUMB_STORE, "data", None)])
    text = json.dumps(resp[shell.ids.BREADCRUMB]["children"])
    assert "National" in text and "Haryana" in text and "Karnal" in text and "/state/HR?month=2025-06" in text
