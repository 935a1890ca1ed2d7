"""Ranking schemes on the pages: the scheme switch beside the month picker (kept in the URL), the national
page per scheme with a tab per scheme and the months known only from NCRB's published results (no
drill-down), the State page's rank in each scheme side by side and its official history on the trend."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from app_http_support import html_table_rows
from unit_pages_support import text_of

import callbacks.common
from callbacks import national as nat
from callbacks import state as state_cb
from dashboard.scope import Scope
from layouts import national, shell


def _as(monkeypatch, s: Scope) -> None:
    monkeypatch.setattr(callbacks.common, "scope", lambda: s)


def _scheme_outs(client) -> list[tuple[str, str]]:
    """The scheme switch's outputs as registered (url.search carries Dash's @hash: allow_duplicate)."""
    deps = client.get("/_dash-dependencies").get_json()
    output = next(d["output"] for d in deps if d["output"].startswith(f"..{shell.ids.SCHEME}.options"))
    return [tuple(part.split(".", 1)) for part in output.strip(".").split("...")]


def _search(props: dict) -> str:
    return next(v for k, v in props.items() if k.split("@", 1)[0] == "search")


def test_scheme_switch_is_kept_in_the_url(national_client, dash_call):
    outs = _scheme_outs(national_client)
    url = outs[2][0]
    resp = dash_call(national_client, outs, [(shell.ids.URL, "search", "?month=2025-06&scheme=itsso"),
                                             (shell.ids.SCHEME, "value", None)])
    assert resp[shell.ids.SCHEME]["value"] == "itsso"
    assert [o["value"] for o in resp[shell.ids.SCHEME]["options"]] == ["cctns", "icjs", "itsso"]
    assert [o["label"] for o in resp[shell.ids.SCHEME]["options"]] == ["CCTNS", "ICJS", "ITSSO"]
    # an unknown scheme falls back to CCTNS
    resp = dash_call(national_client, outs, [(shell.ids.URL, "search", "?scheme=<script>"),
                                             (shell.ids.SCHEME, "value", None)])
    assert resp[shell.ids.SCHEME]["value"] == "cctns"
    # picking writes it into the URL, keeping the month; CCTNS (the default) leaves it out
    resp = dash_call(national_client, outs, [(shell.ids.URL, "search", "?month=2025-06"),
                                             (shell.ids.SCHEME, "value", "icjs")],
                     changed=[f"{shell.ids.SCHEME}.value"])
    assert _search(resp[url]) == "?month=2025-06&scheme=icjs"
    resp = dash_call(national_client, outs, [(shell.ids.URL, "search", "?month=2025-06&scheme=icjs"),
                                             (shell.ids.SCHEME, "value", "cctns")],
                     changed=[f"{shell.ids.SCHEME}.value"])
    assert _search(resp[url]) == "?month=2025-06"


NATIONAL_OUTS = [(national.ids.TABLE_DATA, "data"), (national.ids.TABLE_NOTE, "children"),
                 (national.ids.KPIS, "children"), (national.ids.SUBTITLE, "children"),
                 (national.ids.TILE_MAP, "figure"), (national.ids.HEATMAP, "figure"),
                 (national.ids.BUMP_PICK, "options"), (national.ids.SCHEME_TABS, "children")]


@pytest.mark.parametrize("scheme", ["icjs", "itsso"])
def test_national_page_per_scheme(national_client, demo_engine, dash_call, scheme):
    from dashboard import read

    month = read.latest_month(demo_engine, scheme=scheme)
    resp = dash_call(national_client, NATIONAL_OUTS,
                     [(national.ids.QUERY, "data", {"month": month, "category": None, "scheme": scheme})],
                     state=[(shell.ids.THEME_STORE, "data", "light")])
    rows = html_table_rows(resp[national.ids.TABLE_DATA]["data"])
    table = read.states_table(demo_engine, month, scheme=scheme)
    assert [r["score_centi"] for r in rows] == list(table["score_display"])
    cctns = read.states_table(demo_engine, month)
    assert list(table["score_display"]) != list(cctns["score_display"])
    tabs = json.dumps(resp[national.ids.SCHEME_TABS]["children"])
    assert "CCTNS Pragati" in tabs and "ICJS" in tabs and "ITSSO" in tabs
    assert f"scheme={scheme}" in tabs  # the tabs are links that keep the month
    from dashboard.safe_text import plotly_text

    heat = resp[national.ids.HEATMAP]["figure"]["data"][0]  # parameters on the y axis (transposed)
    own = {plotly_text(p.name) for p in read.version_for(demo_engine, month, scheme=scheme).parameters}
    cctns_fir = next(p.name for p in read.version_for(demo_engine, read.latest_month(demo_engine)).parameters
                     if p.id == "fir_in_cctns")
    assert heat["y"] and set(heat["y"]) <= own and plotly_text(cctns_fir) not in heat["y"]


def test_a_month_known_only_from_ncrb(national_client, demo_engine, dash_call):
    from dashboard import read

    assert "2023-02" not in read.months(demo_engine) and "2023-02" in read.published_months(demo_engine)
    resp = dash_call(national_client, NATIONAL_OUTS,
                     [(national.ids.QUERY, "data", {"month": "2023-02", "category": None, "scheme": None})],
                     state=[(shell.ids.THEME_STORE, "data", "light")])
    rows = html_table_rows(resp[national.ids.TABLE_DATA]["data"])
    # the small demo holds HR, UP and DL of NCRB's February 2023 table (brief, section 4)
    assert [(r["id"], r["score_centi"], r["rank"]) for r in rows] == [
        ("HR", "99.99", "1"), ("UP", "98.69", "2"), ("DL", "95.43", "3")]
    assert "as published by NCRB" in json.dumps(resp[national.ids.SUBTITLE])
    assert "no drill-down" in json.dumps(resp[national.ids.TABLE_NOTE])


def test_published_score_beside_ours_and_the_flag():
    rows = [{"state_code": "HR", "name": "Haryana"}, {"state_code": "UP", "name": "Uttar Pradesh"}]
    rec = pd.DataFrame([
        {"state_code": "HR", "published_score": "99.99", "computed_score": "99.97", "difference": "+0.02",
         "published_centi": 9999, "computed_centi": 9997, "flagged": True, "explained_by": ""},
        {"state_code": "UP", "published_score": "98.69", "computed_score": "98.69", "difference": "+0.00",
         "published_centi": 9869, "computed_centi": 9869, "flagged": False, "explained_by": ""},
    ])
    flagged = nat.add_published(rows, rec)
    assert flagged == ["Haryana: NCRB published 99.99; our data gives 99.97: +0.02"]
    assert rows[0]["published_text"] == "99.99 ⚑ +0.02" and rows[0]["published_flag"]
    assert rows[1]["published_text"] == "98.69 ✓" and not rows[1]["published_flag"]


def test_state_headline_shows_the_rank_in_each_scheme(dash_app, demo_engine, monkeypatch):
    from dashboard import read

    _as(monkeypatch, Scope.national())
    month = read.latest_month(demo_engine)
    with dash_app.server.test_request_context():
        out = state_cb.update_summary({"state_code": "HR", "month": month, "scheme": "itsso"}, "light")
    kpis = text_of(out[3])
    for s in ("cctns", "icjs", "itsso"):
        row = read.states_table(demo_engine, month, scheme=s).set_index("unit_code").loc["HR"]
        assert f"#{int(row['rank_national'])} of" in kpis and f"Score {row['score_display']}" in kpis
    assert "CCTNS Pragati" in kpis and "ICJS" in kpis and "ITSSO" in kpis
    itsso = read.states_table(demo_engine, month, scheme="itsso").set_index("unit_code").loc["HR"]
    assert itsso["score_display"] in kpis
    # NCRB's published history of HR is on its trend ("as published by NCRB")
    trend = out[-1]
    assert any(t.get("name") == "As published by NCRB" for t in trend["data"]) is False  # ITSSO: none published
    with dash_app.server.test_request_context():
        cctns = state_cb.update_summary({"state_code": "HR", "month": month}, "light")[-1]
    published = [t for t in cctns["data"] if t.get("name") == "As published by NCRB"]
    assert published and "2023-02" in published[0]["x"]
