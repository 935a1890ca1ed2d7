"""Lagging stations page: layout, filters (checked against dashboard.read), the page callback called as
a function and over HTTP, and the /download/lagging route (content = the shown table; scope; audit; 401)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from callbacks import lagging as cb
from dashboard import display, read, store
from dashboard.scope import Scope
from dashboard.store.audit import list_events
from layouts import lagging as lay
from metrics.analysis import peer_group

MONTH = "2025-06"
STATE = "MN"


@pytest.fixture
def as_user(dash_app, monkeypatch):
    """Run a callback as a function in a request context with the given scope."""
    def run(sc: Scope, fn, *args):
        monkeypatch.setattr(cb, "scope", lambda: sc)
        with dash_app.server.test_request_context("/_dash-update-component", method="POST"):
            return fn(*args)
    return run


def out_dict(result: tuple) -> dict:
    return dict(zip(cb.OUTPUTS, result, strict=True))


def grid_rows(as_user, sc: Scope, query: dict) -> list[dict]:
    """Every row of the lagging list as the grid shows it: the page callback's first page, then each further
    page as the pager asks for it (server-side paging)."""
    out = out_dict(as_user(sc, cb.update_page, query))
    rows = list(out[(lay.ids.TABLE, "rowData")])
    assert len(rows) <= lay.TABLE_PAGE
    for page in range(2, out[(lay.ids.PAGER, "max_value")] + 1):
        more, _range = as_user(sc, cb.table_page, page, query)
        assert 0 < len(more) <= lay.TABLE_PAGE
        rows += more
    return rows


def shown(engine, sc=None, state=STATE, month=MONTH, district=None, **filters) -> pd.DataFrame:
    return read.lagging_list(engine, month, sc or Scope.national(), state, district,
                              read.LaggingFilters(district=district, **filters))


# --- layout --------------------------------------------------------------------------------------------------


def test_layout_keeps_only_wellformed_query_values():
    q = lay.clean_query(month="2025-06", state="mn", district="MN-IWT", parameter="ndc_sync", reason="bogus",
                        peer="<script>")
    assert q == {"month": "2025-06", "state": "MN", "district": "MN-IWT", "parameter": "ndc_sync", "reason": None,
                 "peer": None, "scheme": None}
    assert lay.clean_query(scheme="itsso")["scheme"] == "itsso"
    assert lay.clean_query(scheme="<b>")["scheme"] is None
    page = lay.layout(month="2025-13", state="MN")
    store = page.children[0]
    assert store.id == lay.ids.QUERY and store.data["month"] is None and store.data["state"] == "MN"


def test_grid_columns_are_the_download_columns_in_order():
    assert [c["field"] for c in lay.COLUMN_DEFS] == list(display.LAGGING_COLUMNS)
    assert [c["headerName"] for c in lay.COLUMN_DEFS] == list(display.LAGGING_COLUMNS.values())
    assert all(not c.get("sort") for c in lay.COLUMN_DEFS)  # the order shown is the order downloaded


def test_download_links_have_no_target_until_the_list_is_there():
    """Disabled, a link has no href: with href="#" and `download`, Enter on it saved the page as lagging.html."""
    for link in lay.download_buttons().children:
        assert link.id in (lay.ids.CSV, lay.ids.XLSX)
        assert getattr(link, "href", None) is None and link.download == ""
        assert "disabled" in link.className and getattr(link, "aria-disabled") == "true"


# --- the list and its filters ------------------------------------------------------------------------------------


def test_list_is_the_lagging_query_ordered_by_marks_at_stake(demo_engine):
    base = read.lagging(demo_engine, MONTH, Scope.national(), STATE)
    df = shown(demo_engine)
    assert len(df) == len(base) > 10
    assert df["station_code"].tolist() == base["station_code"].tolist()
    assert df["position"].tolist() == list(range(1, len(df) + 1))
    stakes = df["at_stake_state_exact"].tolist()
    assert stakes == sorted(stakes, reverse=True)
    assert (df["at_stake_state"] == base["at_stake_state"].round(3)).all()
    assert (df["at_stake_district"] == base["at_stake_district"].round(3)).all()


def test_reason_filters_match_rule_12_flags(demo_engine):
    base = read.lagging(demo_engine, MONTH, Scope.national(), STATE)
    for reason, expected in (("not_reported", base[base["not_reported"].astype(bool)]),
                             ("low_score", base[base["low_score"].astype(bool)]),
                             ("critical", base[base["critical_parameters"].fillna("") != ""])):
        got = shown(demo_engine, reason=reason)
        assert got["station_code"].tolist() == expected["station_code"].tolist(), reason
        assert len(got) > 0


def test_district_parameter_and_peer_filters(demo_engine):
    base = read.lagging(demo_engine, MONTH, Scope.national(), STATE)
    district = base["district_code"].value_counts().index[0]
    got = shown(demo_engine, district=district)
    assert got["station_code"].tolist() == base[base["district_code"] == district]["station_code"].tolist()

    got = shown(demo_engine, parameter="ndc_sync")
    want = base[base["parameters"].str.split(",").map(lambda ps: "ndc_sync" in ps)]
    assert got["station_code"].tolist() == want["station_code"].tolist() and len(got) > 0

    # peer groups from the station league tables (FIR volume bands)
    peers = pd.concat([read.stations_table(demo_engine, MONTH, d, Scope.national())
                       for d in base["district_code"].unique()])
    band = peers.set_index("unit_code")["peer_group"]
    for key, label in display.PEERS.items():
        got = shown(demo_engine, peer=key)
        assert got["station_code"].tolist() == [c for c in base["station_code"] if band[c] == label], key
    assert peer_group(5) == display.PEERS["low"]


def test_combined_filters_and_renumbering(demo_engine):
    got = shown(demo_engine, reason="low_score", parameter="fir_in_cctns")
    base = shown(demo_engine)
    want = base[base["low_score"] & base["parameters"].str.split(",").map(lambda ps: "fir_in_cctns" in ps)]
    assert got["station_code"].tolist() == want["station_code"].tolist()
    assert got["position"].tolist() == list(range(1, len(got) + 1))


def test_reasons_in_words_and_counts(demo_engine):
    df = shown(demo_engine, reason="critical")
    stakes = read.common._df(demo_engine, read.common.select(store.ResultStake).where(
        store.ResultStake.month == MONTH, store.ResultStake.state_code == STATE))
    version = read.version_for(demo_engine, MONTH)
    names = {p.id: p.name for p in version.parameters}
    checked = 0
    for r in df.itertuples():
        for pid in r.critical_parameters.split(","):
            s = stakes[(stakes["station_code"] == r.station_code) & (stakes["parameter"] == pid)].iloc[0]
            assert f"Critical: {names[pid]} — {display.indian(int(s.numerator))} of {display.indian(int(s.denominator))}" \
                in r.reasons
            checked += 1
        if r.not_reported:
            assert r.reasons.startswith("Not reported")
        if r.low_score:
            assert f"Score {r.score}, below 90" in r.reasons
        assert "worth +" in r.actions
    assert checked > 0


def test_action_words_say_what_is_pending():
    from metrics.methodology import default_methodology

    v = default_methodology().version_for("2025-06")
    p = v.parameter("fir_within_24h")
    assert display.action_words(p, p.name, 28, 40, 40, 0.1234) == \
        f"{p.name}: 12 more needed (28 of 40 done; target 100%; worth +0.123)"
    d = v.parameter("ndc_sync")
    assert "20 more days needed (11 of 31 done" in display.action_words(d, d.name, 11, 31, 31, 1.0)
    assert display.indian(1234567) == "12,34,567"


# --- page callback as a function ------------------------------------------------------------------------------


def test_page_callback_national_state(as_user, demo_engine):
    query = {"month": MONTH, "state": STATE, "reason": "low_score"}
    out = out_dict(as_user(Scope.national("ncrb"), cb.update_page, query))
    rows = grid_rows(as_user, Scope.national("ncrb"), query)
    want = read.lagging_table(shown(demo_engine, reason="low_score"))
    assert out[(lay.ids.COUNT, "children")] == str(len(want))
    assert [r["station_code"] for r in rows] == want["Station code"].tolist()
    assert [r["at_stake_state"] for r in rows] == want["Marks at stake (State)"].tolist()
    assert out[(lay.ids.STATE, "value")] == STATE and out[(lay.ids.REASON, "value")] == "low_score"
    href = out[(lay.ids.CSV, "href")]
    assert href.startswith("/download/lagging?") and "state=MN" in href and "reason=low_score" in href \
        and "format=csv" in href and f"month={MONTH}" in href
    assert out[(lay.ids.XLSX, "href")].endswith("format=xlsx")
    assert out[(lay.ids.STATES_CARD, "style")] == {"display": "none"}


def test_list_comes_a_page_at_a_time(as_user, demo_engine, monkeypatch):
    """Issue 15: the grid holds one page of the list (TABLE_PAGE rows, one response each); the pages, in order,
    are exactly the list the page counts and the downloads hold (here pages of 3, so the list takes several)."""
    sc = Scope.national("ncrb")
    query = {"month": MONTH, "state": STATE}
    want = read.lagging_table(shown(demo_engine))["Station code"].tolist()
    assert len(want) > 6
    monkeypatch.setattr(cb, "TABLE_PAGE", 3)
    monkeypatch.setattr(lay, "TABLE_PAGE", 3)
    out = out_dict(as_user(sc, cb.update_page, query))
    pages = -(-len(want) // 3)
    assert out[(lay.ids.PAGER, "max_value")] == pages and out[(lay.ids.PAGER_BOX, "style")] == {}
    assert out[(lay.ids.RANGE, "children")] == f"Stations 1–3 of {len(want)}"
    assert [r["station_code"] for r in grid_rows(as_user, sc, query)] == want
    rows, words = as_user(sc, cb.table_page, 2, query)
    assert [r["station_code"] for r in rows] == want[3:6] and words == f"Stations 4–6 of {len(want)}"
    last, _ = as_user(sc, cb.table_page, 10_000, query)  # past the end: the last page
    assert [r["station_code"] for r in last] == want[(pages - 1) * 3:]
    for bad in (None, "2", 0, -1, True, [2], {"page": 2}):
        rows, _ = as_user(sc, cb.table_page, bad, query)
        assert [r["station_code"] for r in rows] == want[:3]
    monkeypatch.setattr(cb, "TABLE_PAGE", 1000)  # one page: no pager
    out = out_dict(as_user(sc, cb.update_page, query))
    assert out[(lay.ids.PAGER_BOX, "style")] == {"display": "none"} and out[(lay.ids.RANGE, "children")] is None


def test_national_without_state_sees_the_overview(as_user):
    out = out_dict(as_user(Scope.national("ncrb"), cb.update_page, {"month": MONTH}))
    assert grid_rows(as_user, Scope.national("ncrb"), {"month": MONTH}) == []
    states = out[(lay.ids.STATES, "rowData")]
    assert {r["state_code"] for r in states} >= {"HR", "MN", "UP"}
    assert states[0]["state_code"] == STATE  # most lagging first
    assert out[(lay.ids.CSV, "href")] is None and "disabled" in out[(lay.ids.CSV, "className")]


def test_state_user_defaults_to_own_state(as_user):
    out = out_dict(as_user(Scope("state", "HR", username="haryana"), cb.update_page, {"month": MONTH}))
    assert out[(lay.ids.STATE, "value")] == "HR" and out[(lay.ids.STATE, "disabled")] is True
    assert [o["value"] for o in out[(lay.ids.STATE, "options")]] == ["HR"]


def test_district_user_cannot_ask_for_another_district(as_user, demo_engine):
    sc = Scope("district", "HR", "HR-KNL", username="karnal-sp")
    other = {"month": "2025-02", "state": "HR", "district": "HR-ABL"}
    out = out_dict(as_user(sc, cb.update_page, other))
    assert grid_rows(as_user, sc, other) == [] and out[(lay.ids.CSV, "href")] is None
    out = out_dict(as_user(sc, cb.update_page, {"month": "2025-04"}))
    assert out[(lay.ids.DISTRICT, "value")] == "HR-KNL" and out[(lay.ids.DISTRICT, "disabled")] is True
    assert {r["district_code"] for r in grid_rows(as_user, sc, {"month": "2025-04"})} <= {"HR-KNL"}
    assert [o["value"] for o in out[(lay.ids.DISTRICT, "options")]] == ["HR-KNL"]


def test_filters_write_the_url(as_user, monkeypatch):
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    resolved = {"month": MONTH, "state": STATE, "district": None, "parameter": None, "reason": None, "peer": None}

    def fire(prop_id: str, *values):
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": None}]))
        return cb.filters_to_url(*values, resolved)

    assert fire(f"{lay.ids.REASON}.value", STATE, None, None, "critical", None, None, None) == \
        f"?month={MONTH}&state=MN&reason=critical"
    # a new State clears the district
    assert fire(f"{lay.ids.STATE}.value", "HP", "MN-IWT", None, None, None, None, None) == f"?month={MONTH}&state=HP"
    with pytest.raises(cb.PreventUpdate):  # the server's own defaults do not loop back into the URL
        fire(f"{lay.ids.STATE}.value", STATE, None, None, None, None, None, None)
    resolved["district"] = "MN-IWT"  # the page setting the same State keeps the district
    with pytest.raises(cb.PreventUpdate):
        fire(f"{lay.ids.STATE}.value", STATE, "MN-IWT", None, None, None, None, None)


# --- over HTTP: the page callback and the download ------------------------------------------------------------


def _http_rows(client, dash_call, query: dict) -> list[dict]:
    """The list's rows over HTTP: the page callback's first page, then the pager's pages."""
    out = dash_call(client, list(cb.OUTPUTS), [(lay.ids.QUERY, "data", query)])
    rows = list(out[lay.ids.TABLE]["rowData"])
    for page in range(2, out[lay.ids.PAGER]["max_value"] + 1):
        more = dash_call(client, [(lay.ids.TABLE, "rowData"), (lay.ids.RANGE, "children")],
                         [(lay.ids.PAGER, "active_page", page)], [(lay.ids.QUERY, "data", query)])
        rows += more[lay.ids.TABLE]["rowData"]
    return rows


def _shown_table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{h: r[f] for f, h in display.LAGGING_COLUMNS.items()} for r in rows])


@pytest.mark.parametrize("query", [
    {"month": MONTH, "state": STATE},
    {"month": MONTH, "state": STATE, "reason": "critical", "peer": "low"},
    {"month": MONTH, "state": STATE, "parameter": "ndc_sync"},
])
def test_download_equals_the_shown_table(national_client, dash_call, query):
    rows = _http_rows(national_client, dash_call, query)
    assert rows, "expected lagging stations"
    table = _shown_table(rows)
    url = "/download/lagging?" + "&".join(f"{k}={v}" for k, v in query.items())
    r = national_client.get(url + "&format=csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.headers["Content-Disposition"].startswith("attachment;")
    csv = pd.read_csv(io.BytesIO(r.data), dtype={"Score": str})
    pd.testing.assert_frame_equal(csv, table, check_dtype=False)

    r = national_client.get(url + "&format=xlsx")
    assert r.status_code == 200 and "spreadsheetml" in r.mimetype
    xlsx = pd.read_excel(io.BytesIO(r.data), dtype={"Score": str})
    pd.testing.assert_frame_equal(xlsx, table, check_dtype=False)


def test_download_is_audited(national_client, demo_engine):
    r = national_client.get(f"/download/lagging?month={MONTH}&state={STATE}&reason=not_reported&format=csv")
    assert r.status_code == 200
    events = list_events(demo_engine, limit=20, actor="ncrb")
    assert any(e.action == "download" and "lagging list MN/*" in e.detail and "reason=not_reported" in e.detail
               for e in events)


def test_anonymous_download_is_401(dash_app):
    r = dash_app.server.test_client().get(f"/download/lagging?month={MONTH}&state={STATE}&format=csv")
    assert r.status_code == 401
    assert b"MN-" not in r.data


def test_bad_requests(national_client):
    assert national_client.get(f"/download/lagging?month={MONTH}&state={STATE}&format=pdf").status_code == 400
    assert national_client.get(f"/download/lagging?month=1999-01&state={STATE}").status_code == 400
    assert national_client.get(f"/download/lagging?month={MONTH}").status_code == 400


@pytest.fixture(scope="module")
def karnal_client(dash_app, demo_users):
    from app_http_support import sign_in

    return sign_in(dash_app, "karnal-sp", demo_users["karnal-sp"])


@pytest.mark.parametrize("query", [
    "month=2025-02&state=HR",                      # the whole State
    "month=2025-02&state=HR&district=HR-ABL",      # another district
    "month=2025-01&state=HR&district=HR-GRM",
    "month=2025-02&district=HR-ABL",               # district without the State
    f"month={MONTH}&state=MN",                     # another State
])
def test_district_sp_cannot_download_outside_their_district(karnal_client, demo_engine, query):
    others = read.lagging(demo_engine, query.split("&")[0].split("=")[1], Scope.national(),
                             "MN" if "state=MN" in query else "HR")
    others = others[others["district_code"] != "HR-KNL"]
    assert len(others) > 0
    before = len(list_events(demo_engine, limit=10000, actor="karnal-sp"))
    for fmt in ("csv", "xlsx"):
        r = karnal_client.get(f"/download/lagging?{query}&format={fmt}")
        assert r.status_code == 403
        body = r.get_data()
        for code, name in zip(others["station_code"], others["station_name"], strict=True):
            assert code.encode() not in body and name.encode() not in body
    events = list_events(demo_engine, limit=10000, actor="karnal-sp")
    new = events[: len(events) - before]
    assert any(e.action == "scope_violation" for e in new)
    assert any(e.action == "download" and e.detail.startswith("refused") for e in new)


def test_district_sp_downloads_own_district(karnal_client, demo_engine, dash_call):
    month = "2025-04"
    rows = _http_rows(karnal_client, dash_call, {"month": month})
    assert rows and {r["district_code"] for r in rows} == {"HR-KNL"}
    r = karnal_client.get(f"/download/lagging?month={month}&state=HR&district=HR-KNL&format=csv")
    assert r.status_code == 200
    pd.testing.assert_frame_equal(pd.read_csv(io.BytesIO(r.data), dtype={"Score": str}), _shown_table(rows),
                                  check_dtype=False)


def test_station_detail_lists_every_stake(as_user, demo_engine):
    row = shown(demo_engine).iloc[0].to_dict()
    resolved = {"month": MONTH, "state": STATE}
    panel = as_user(Scope.national("ncrb"), cb.station_detail, [row], resolved)
    text = str(panel)
    stakes = read.lagging_stakes(demo_engine, MONTH, row["station_code"], Scope.national())
    for s in stakes.itertuples():
        assert f"+{s.at_stake_state:.3f}" in text
    # outside the scope: nothing of the station
    panel = as_user(Scope("district", "HR", "HR-KNL", username="karnal-sp"), cb.station_detail, [row], resolved)
    assert row["station_name"] not in str(panel) or "outside" in str(panel)
    assert f"+{stakes.iloc[0].at_stake_state:.3f}" not in str(panel)


def test_download_naming_a_district_of_another_state_is_refused_and_logged(dash_app, demo_users, demo_engine):
    """haryana may see HR, but a download asking for HR with Manipur's district is a crafted request:
    refused (not silently narrowed to the whole State) and logged."""
    from app_http_support import sign_in

    client = sign_in(dash_app, "haryana", demo_users["haryana"])
    mn_district = read.districts_table(demo_engine, MONTH, "MN", Scope.national())["unit_code"].iloc[0]
    before = len(list_events(demo_engine, limit=10000, actor="haryana"))
    r = client.get(f"/download/lagging?month={MONTH}&state=HR&district={mn_district}&format=csv")
    assert r.status_code == 403
    new = list_events(demo_engine, limit=10000, actor="haryana")[: -before or None]
    assert any(e.action == "scope_violation" for e in new)


# --- per ranking scheme (issue 13) ---------------------------------------------------------------------------


def test_itsso_lagging_list_on_the_page_and_in_its_downloads(as_user, national_client, demo_engine, dash_call):
    """ITSSO's lagging stations: worded "n of m cases past 60 days", links and downloads keep the scheme, and
    the file name and sheet title name it."""
    sc = Scope.national("ncrb")
    query = {"month": MONTH, "state": STATE, "scheme": "itsso"}
    out = out_dict(as_user(sc, cb.update_page, query))
    rows = grid_rows(as_user, sc, query)
    want = read.lagging_list(demo_engine, MONTH, sc, STATE, scheme="itsso")
    cctns = read.lagging_list(demo_engine, MONTH, sc, STATE)
    assert rows and [r["station_code"] for r in rows] == want["station_code"].tolist()
    assert want["station_code"].tolist() != cctns["station_code"].tolist()
    assert all("cases past 60 days" in r["reasons"] for r in rows if "Critical" in r["reasons"])
    assert any("cases past 60 days" in r["reasons"] for r in rows)
    assert "ITSSO" in out[(lay.ids.SUBTITLE, "children")]
    assert [o["value"] for o in out[(lay.ids.PARAMETER, "options")]] == ["itsso_within_60_days"]
    assert out[(lay.ids.RESOLVED, "data")]["scheme"] == "itsso"
    for key in (lay.ids.CSV, lay.ids.XLSX):
        assert "scheme=itsso" in out[(key, "href")]

    http_rows = _http_rows(national_client, dash_call, query)
    assert [r["station_code"] for r in http_rows] == [r["station_code"] for r in rows]
    r = national_client.get(f"/download/lagging?month={MONTH}&state={STATE}&scheme=itsso&format=csv")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == f'attachment; filename="lagging-itsso-{STATE}-all-{MONTH}.csv"'
    pd.testing.assert_frame_equal(pd.read_csv(io.BytesIO(r.data), dtype={"Score": str}), _shown_table(http_rows),
                                  check_dtype=False)
    r = national_client.get(f"/download/lagging?month={MONTH}&state={STATE}&scheme=itsso&format=xlsx")
    book = pd.read_excel(io.BytesIO(r.data), sheet_name=None, dtype={"Score": str})
    assert list(book) == ["Lagging stations ITSSO"]
    events = list_events(demo_engine, limit=20, actor="ncrb")
    assert any(e.action == "download" and f"lagging list {STATE}/* {MONTH} itsso" in e.detail for e in events)


def test_unknown_scheme_is_cctns_and_cctns_downloads_name_it(as_user, national_client):
    out = out_dict(as_user(Scope.national("ncrb"), cb.update_page, {"month": MONTH, "state": STATE,
                                                                   "scheme": "nosuch"}))
    assert out[(lay.ids.RESOLVED, "data")]["scheme"] is None and "CCTNS" in out[(lay.ids.SUBTITLE, "children")]
    assert "scheme=" not in out[(lay.ids.CSV, "href")]
    r = national_client.get(f"/download/lagging?month={MONTH}&state={STATE}&scheme=nosuch&format=csv")
    assert r.headers["Content-Disposition"] == f'attachment; filename="lagging-cctns-{STATE}-all-{MONTH}.csv"'


def test_national_overview_and_filters_keep_the_scheme(as_user, demo_engine, monkeypatch):
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    out = out_dict(as_user(Scope.national("ncrb"), cb.update_page, {"month": MONTH, "scheme": "icjs"}))
    by_state = {r["state_code"]: r["lagging"] for r in out[(lay.ids.STATES, "rowData")]}
    want = read.lagging_by_state(demo_engine, MONTH, Scope.national(), scheme="icjs")
    assert by_state == dict(zip(want["state_code"], want["lagging"], strict=True))
    resolved = {"month": MONTH, "state": STATE, "district": None, "parameter": None, "reason": None, "peer": None,
                "scheme": "icjs"}
    context_value.set(AttributeDict(triggered_inputs=[{"prop_id": f"{lay.ids.REASON}.value", "value": None}]))
    assert cb.filters_to_url(STATE, None, None, "critical", None, None, None, resolved) == \
        f"?month={MONTH}&state={STATE}&reason=critical&scheme=icjs"


def test_station_detail_of_a_scheme(as_user, demo_engine):
    sc = Scope.national("ncrb")
    row = read.lagging_list(demo_engine, MONTH, sc, STATE, scheme="itsso").iloc[0].to_dict()
    panel = str(as_user(sc, cb.station_detail, [row], {"month": MONTH, "state": STATE, "scheme": "itsso"}))
    stakes = read.lagging_stakes(demo_engine, MONTH, row["station_code"], sc, scheme="itsso")
    assert list(stakes["parameter"]) == ["itsso_within_60_days"]
    assert f"+{stakes.iloc[0].at_stake_state:.3f}" in panel
    assert f"/station/{row['station_code']}?month={MONTH}&scheme=itsso" in panel
