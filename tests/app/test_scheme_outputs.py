"""The conference deck and the review packs per ranking scheme (issue 13): `/present?scheme=` builds the
scheme's review, its links and pack buttons keep the scheme, and `/download/pack?scheme=` names the scheme
in the file name, the title and the footer provenance of that scheme's methodology version."""

from __future__ import annotations

import io

import pytest
from app_http_support import sign_in
from openpyxl import load_workbook

from dashboard import read
from dashboard.display import provenance_words
from dashboard.scope import Scope
from dashboard.store.audit import list_events


@pytest.fixture(scope="module")
def haryana(dash_app, demo_users):
    return sign_in(dash_app, "haryana", demo_users["haryana"])


@pytest.mark.parametrize("scheme", ["icjs", "itsso"])
def test_deck_of_a_scheme_keeps_it_in_every_link(dash_app, demo_engine, monkeypatch, scheme):
    import callbacks.present as present

    month = read.latest_month(demo_engine, scheme=scheme)
    name = read.methodology(demo_engine, scheme=scheme).scheme_name
    with dash_app.server.test_request_context("/_dash-update-component", method="POST"):
        monkeypatch.setattr(present, "scope", lambda: Scope.national("ncrb"))
        stage, downloads, exit_href = present.load_deck({"month": month, "state": "HR", "scheme": scheme}, "light")
        text = str(stage)
        assert name in text  # the title slide and every footer name the scheme
        head = read.state_headline(demo_engine, month, "HR", scheme=scheme)
        assert head["score_display"] in text
        assert len(downloads) == 3 and all(f"scheme={scheme}" in a.href for a in downloads)
        assert exit_href == f"/state/HR?month={month}&scheme={scheme}"
        stage, _d, exit_href = present.load_deck({"month": month, "scheme": scheme}, "light")
        assert "Choose a State/UT" in str(stage) and f"scheme={scheme}" in exit_href
        assert str(stage).count(f"scheme={scheme}") == len(read.state_names(demo_engine))  # every State's deck
        # CCTNS (the default) leaves the parameter out
        _s, downloads, exit_href = present.load_deck({"month": month, "state": "HR"}, "light")
        assert all("scheme=" not in a.href for a in downloads) and "scheme=" not in exit_href


def test_icjs_pack_names_the_scheme(haryana, demo_engine):
    month = read.latest_month(demo_engine, scheme="icjs")
    r = haryana.get(f"/download/pack?month={month}&state=HR&scheme=icjs&format=xlsx")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == f'attachment; filename="icjs-review-HR-{month}.xlsx"'
    wb = load_workbook(io.BytesIO(r.data))
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    head = read.state_headline(demo_engine, month, "HR", scheme="icjs")
    assert f"{summary['Score (published)']:.2f}" == head["score_display"]
    assert head["score_display"] != read.state_headline(demo_engine, month, "HR")["score_display"]
    methodology = read.methodology(demo_engine, scheme="icjs")
    assert summary["Ranking scheme"] == methodology.scheme_name
    assert summary["Methodology provenance"] == provenance_words(methodology.version_for(month))
    events = list_events(demo_engine, limit=5, actor="haryana", action="download")
    assert "scheme=icjs" in events[0].detail and "refused" not in events[0].detail
    # the CCTNS pack keeps its name
    r = haryana.get(f"/download/pack?month={month}&state=HR&format=xlsx")
    assert r.headers["Content-Disposition"] == f'attachment; filename="cctns-review-HR-{month}.xlsx"'


def test_itsso_pptx_footer_names_scheme_and_provenance(haryana, demo_engine):
    from pptx import Presentation

    month = read.latest_month(demo_engine, scheme="itsso")
    r = haryana.get(f"/download/pack?month={month}&state=HR&scheme=itsso&format=pptx")
    assert r.status_code == 200 and "itsso-review-HR-" in r.headers["Content-Disposition"]
    deck = Presentation(io.BytesIO(r.data))
    texts = [" ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame) for slide in deck.slides]
    methodology = read.methodology(demo_engine, scheme="itsso")
    assert methodology.scheme_name in texts[0]
    footers = [t for t in texts if provenance_words(methodology.version_for(month)) in t]
    assert len(footers) >= len(texts) - 1


def test_pack_of_an_unknown_scheme_is_refused(haryana, demo_engine):
    month = read.latest_month(demo_engine)
    r = haryana.get(f"/download/pack?month={month}&state=HR&scheme=nosuch&format=xlsx")
    assert r.status_code == 400
    events = list_events(demo_engine, limit=5, actor="haryana", action="download")
    assert events[0].detail.startswith("refused (bad request)")


def test_keep_scheme_adds_the_scheme_to_internal_links_only():
    import dash_bootstrap_components as dbc
    from dash import dcc, html

    from layouts.components import href_with_scheme, keep_scheme

    assert href_with_scheme("/state/HR?month=2025-06", "icjs") == "/state/HR?month=2025-06&scheme=icjs"
    assert href_with_scheme("/?month=2025-06#national-projection-table", "icjs") == \
        "/?month=2025-06&scheme=icjs#national-projection-table"
    assert href_with_scheme("/lagging", "itsso") == "/lagging?scheme=itsso"
    assert href_with_scheme("/state/HR?scheme=cctns", "icjs") == "/state/HR?scheme=cctns"  # a switch stays
    for href in ("https://ncrb.gov.in/x", "//evil.example/x", "#main"):
        assert href_with_scheme(href, "icjs") == href
    assert href_with_scheme("/state/HR", None) == "/state/HR"
    tree = html.Div([dcc.Link("a", href="/district/HR-KNL?month=2025-06"),
                     html.Div(dbc.Button("b", href="/lagging?state=HR")), html.A("c", href="https://x.in/")])
    out = keep_scheme((tree, [html.A("d", href="/flags")], {"rowData": []}, "text"), "icjs")
    assert out[0].children[0].href == "/district/HR-KNL?month=2025-06&scheme=icjs"
    assert out[0].children[1].children.href == "/lagging?state=HR&scheme=icjs"
    assert out[0].children[2].href == "https://x.in/" and out[1][0].href == "/flags?scheme=icjs"
    assert out[2] == {"rowData": []} and out[3] == "text"


def test_district_page_links_keep_the_scheme(dash_app, demo_engine, monkeypatch):
    """The district page's callback (wrapped by keeps_scheme): its lagging, State and station links."""
    import callbacks.common
    from callbacks import district

    monkeypatch.setattr(callbacks.common, "scope", lambda: Scope.national("ncrb"))
    month = read.latest_month(demo_engine, scheme="itsso")
    with dash_app.server.test_request_context("/_dash-update-component", method="POST"):
        out = district.update_page({"district_code": "HR-KNL", "month": month, "scheme": "itsso"}, "light")
        hrefs = [c.href for part in out if hasattr(part, "_traverse") or isinstance(part, list)
                 for node in (part if isinstance(part, list) else [part])
                 for c in [node, *node._traverse()] if isinstance(getattr(c, "href", None), str)]
        assert hrefs and all(h.endswith("scheme=itsso") for h in hrefs), hrefs
        assert any(h.startswith("/lagging?") for h in hrefs)
        out = district.update_page({"district_code": "HR-KNL", "month": month}, "light")
        hrefs = [c.href for part in out if isinstance(part, list) for node in part
                 for c in [node, *node._traverse()] if isinstance(getattr(c, "href", None), str)]
        assert hrefs and not any("scheme=" in h for h in hrefs)
