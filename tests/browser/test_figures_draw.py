"""Headless Chromium: dcc.Graph draws every figure of the app with the partial plotly.js bundle
(assets/vendor, scripts/plotly-bundle.js) and never fetches plotly.py's full one; pages without a figure
do not load plotly.js at all (the numbers come first)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from browser_support import CHROMIUM, open_page, settle
from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

PLOTLY_URL = "/_dash-component-suites/plotly/package_data/plotly.min.js"
BUNDLE_TRACES = {"scatter", "bar", "heatmap"}

# (path, content a callback fills, graph ids that must draw) - every figure of every page
GRAPH_PAGES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("/", "#national-table [data-row-id=HR]", ("national-tile-map", "national-bump", "national-heatmap")),
    ("/state/HR", "#state-districts [row-id=HR-KNL]", ()),
    ("/district/HR-KNL", "#district-stations [row-id]", ()),
    ("/station/HR-KNL-001", "#station-params [row-id]", ()),
)

# every drawn graph: its trace types as given, whether plotly.js knows each, and whether it drew an SVG
GRAPHS_JS = """
() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => ({
  id: (gd.closest('[id]') || gd).id,
  types: (gd.data || []).map(t => t.type || 'scatter'),
  unknown: (gd.data || []).map(t => t.type || 'scatter')
    .filter(t => !Object.prototype.hasOwnProperty.call(window.Plotly.PlotSchema.get().traces, t)),
  drawn: !!gd.querySelector('.main-svg') && (gd._fullData || []).length === (gd.data || []).length,
}))
"""


def test_every_figure_draws_with_the_partial_bundle(page_as: Callable[[str], Page]) -> None:
    page = page_as("ncrb")
    fetched: list[tuple[str, int]] = []
    page.on("response", lambda r: fetched.append((r.url, len(r.body())))
            if PLOTLY_URL in r.url and r.status == 200 else None)

    open_page(page, "/methodology", "#shell-data-as-of:not(:has-text('–'))")
    assert not any(PLOTLY_URL in url for url, _ in fetched), "a page without figures loaded plotly.js"

    seen: dict[str, list[str]] = {}
    for path, ready, must_draw in GRAPH_PAGES:
        open_page(page, path, ready)
        page.wait_for_function("() => window.Plotly && document.querySelectorAll('.js-plotly-plot').length > 0")
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.js-plotly-plot')).every(g => g.querySelector('.main-svg'))")
        settle(page)
        graphs = page.evaluate(GRAPHS_JS)
        ids = {g["id"] for g in graphs}
        assert set(must_draw) <= ids, f"{path}: graphs {sorted(ids)}"
        for g in graphs:
            assert not g["unknown"], f"{path} #{g['id']}: trace types {g['unknown']} are not in the bundle"
            assert g["drawn"], f"{path} #{g['id']}: not drawn"
            seen.setdefault(path, []).extend(g["types"])

    # the conference deck: every slide's chart is in the page
    open_page(page, "/present?state=HR", ".deck-stage .deck-slide")
    page.wait_for_function("() => document.querySelectorAll('.deck-stage .js-plotly-plot').length > 0")
    deck = page.evaluate(GRAPHS_JS)
    for g in deck:
        assert not g["unknown"], f"deck #{g['id']}: trace types {g['unknown']} are not in the bundle"
        seen.setdefault("/present", []).extend(g["types"])

    used = {t for types in seen.values() for t in types}
    assert used == BUNDLE_TRACES, f"trace types drawn: {sorted(used)} (the bundle has {sorted(BUNDLE_TRACES)})"
    assert page.evaluate("Object.keys(window.Plotly.PlotSchema.get().traces).sort()") == sorted(BUNDLE_TRACES)
    plotly = [(url, size) for url, size in fetched if PLOTLY_URL in url]
    assert plotly, "plotly.js was never fetched"
    for _url, size in plotly:  # (again after each full page load: revalidated by its ETag)
        assert size < 1_300_000, f"plotly.js is {size:,} bytes: the full bundle, not the partial one"
