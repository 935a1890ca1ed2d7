"""Methodology and Data pages: layouts, callbacks as functions and over HTTP, scope of the data page."""

from __future__ import annotations

from fractions import Fraction

import pytest

from callbacks import data as data_cb
from callbacks import methodology as meth_cb
from dashboard import read
from dashboard.scope import Scope
from layouts import data as data_lay
from layouts import methodology as meth_lay


def test_methodology_layout_has_rules_and_worked_example():
    page = meth_lay.layout(month="2025-06", version="x; drop")
    assert page.children[0].data == {"month": "2025-06", "version": None, "scheme": None}
    text = str(page)
    for word in ("Pooled values", "Missing rows", "Not applicable", "Achievement and marks", "Rounding",
                 "Ranks", "Rank change", "Marks lost", "Marks at stake", "Lagging stations"):
        assert word in text
    for figure in ("27266/343 = 79.4927…", "79.49", "99.52", "89.15", "12.507", "+10.204", "+2.915"):
        assert figure in text


@pytest.mark.parametrize("month,in_force", [("2024-06", "pragati-2021"), ("2025-03", "pragati-2025")])
def test_methodology_version_in_force(dash_app, month, in_force):
    with dash_app.server.test_request_context("/"):
        subtitle, nav, summary, table, rules = meth_cb.update_page({"month": month})
        meth = read.methodology(queries_engine())
    assert f": {in_force} (reconstructed from public reports)" in subtitle  # the version and its provenance
    version = meth.version(in_force)
    text = str(table)
    for p in version.parameters:
        assert p.name in text and p.id in text
    total = sum((p.weight for p in version.parameters), Fraction(0))
    first = version.parameters[0]
    assert f"{float(first.weight / total) * 100:.1f}%" in text
    assert "in force" in str(nav) and all(v.id in str(nav) for v in meth.versions)
    assert "Lagging below" in str(summary) and f"{float(version.lagging_score_below):g}" in str(summary)


def queries_engine():
    from callbacks.common import engine

    return engine()


def test_methodology_other_version_is_marked(dash_app):
    with dash_app.server.test_request_context("/"):
        _s, _n, summary, table, _r = meth_cb.update_page({"month": "2025-06", "version": "pragati-2021"})
    assert "not the version in force" in str(summary)
    assert "Police station running CCTNS software" in str(table)  # only in the 2021 catalogue


def test_methodology_over_http(national_client, dash_call):
    ids = meth_lay.ids
    out = dash_call(national_client, [(ids.SUBTITLE, "children"), (ids.VERSIONS, "children"),
                                      (ids.SUMMARY, "children"), (ids.PARAMETERS, "children"),
                                      (ids.RULES, "children")], [(ids.QUERY, "data", {"month": "2025-06"})])
    assert out[ids.SUBTITLE]["children"].endswith("pragati-2025 (reconstructed from public reports)")


# --- data page ---------------------------------------------------------------------------------------------


def _data(dash_app, monkeypatch, sc: Scope, month: str = "2025-06") -> dict:
    monkeypatch.setattr(data_cb, "scope", lambda: sc)
    with dash_app.server.test_request_context("/"):
        result = data_cb.update_page({"month": month})
    return dict(zip(data_cb.OUTPUTS, result, strict=True))


def _grid_rows(component) -> list[dict]:
    return getattr(component, "rowData", None) or []


def test_data_page_national(dash_app, monkeypatch, demo_engine):
    out = _data(dash_app, monkeypatch, Scope.national("ncrb"))
    status = read.reporting_status(demo_engine, "2025-06", Scope.national())
    rows = _grid_rows(out[(data_lay.ids.REPORTING, "children")])
    assert {r["unit_code"] for r in rows} == set(status["unit_code"])
    for r in rows:
        s = status.set_index("unit_code").loc[r["unit_code"]]
        assert (r["stations_reported"], r["stations_active"]) == (s.stations_reported, s.stations_active)
    nr = _grid_rows(out[(data_lay.ids.NOT_REPORTED, "children")])
    total_missing = int((status["stations_active"] - status["stations_reported"]).sum())
    assert len(nr) == total_missing
    states = _grid_rows(out[(data_lay.ids.STATE_ROWS, "children")])
    assert {r["state_code"] for r in states} == {"HR", "UP", "DL", "HP", "CH", "MN"}
    batches = _grid_rows(out[(data_lay.ids.BATCHES, "children")])
    assert batches and {"id", "when", "created_by", "file_name", "rows_added", "rows_replaced", "status"} <= set(batches[0])


def test_data_page_district_user_sees_only_own_district(dash_app, monkeypatch, demo_engine):
    sc = Scope("district", "HR", "HR-KNL", username="karnal-sp")
    for month in read.months(demo_engine)[-6:]:
        out = _data(dash_app, monkeypatch, sc, month)
        rows = _grid_rows(out[(data_lay.ids.REPORTING, "children")])
        assert rows and all(r["station_code"].startswith("HR-KNL-") for r in rows)
        for r in _grid_rows(out[(data_lay.ids.NOT_REPORTED, "children")]):
            assert r["district_code"] == "HR-KNL"
    text = str(out)
    assert "HR-ABL-" not in text and "MN-" not in text.replace("MN-0", "")


def test_data_page_state_user_sees_own_districts(dash_app, monkeypatch, demo_engine):
    out = _data(dash_app, monkeypatch, Scope("state", "HR", username="haryana"))
    rows = _grid_rows(out[(data_lay.ids.REPORTING, "children")])
    assert rows and all(r["unit_code"].startswith("HR-") for r in rows)
    assert out[(data_lay.ids.REPORTING_TITLE, "children")] == "Districts of your State"


def test_data_page_over_http_and_empty_month(national_client, dash_call):
    ids = data_lay.ids
    out = dash_call(national_client, list(data_cb.OUTPUTS), [(ids.QUERY, "data", {"month": "2025-06"})])
    assert "Jun 2025" in out[ids.SUBTITLE]["children"]


def test_as_of_text():
    assert data_cb.as_of_text("2026-11-28T14:47:37+00:00") == "28 Nov 2026, 20:17 IST"
    assert data_cb.as_of_text(None) == "–"


def test_crafted_query_keys_are_ignored_not_a_server_error(dash_app):
    """A posted query store with keys the page never sends must not crash the callback (a 500)."""
    from callbacks import methodology as meth_cb
    from layouts import data, lagging, methodology, national, present

    crafted = {"month": "2025-06", "state": "HR", "district": "HR-ABL", "role": "national", "x": [1]}
    for module in (data, lagging, methodology, national, present):
        assert module.clean_query(**crafted)["month"] == "2025-06"
    with dash_app.server.test_request_context():
        subtitle, *_ = meth_cb.update_page(crafted)
    assert subtitle
