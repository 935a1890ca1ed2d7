"""A fresh process (a gunicorn worker just forked, or recycled after max_requests) serves every script of the
page from its first request: Dash's first-request setup is done when the app is built (in the master), not by
whichever request comes first while the worker's other threads refuse the scripts not yet registered."""

from __future__ import annotations

import re

from app_http_support import sign_in
from dash.fingerprint import check_fingerprint

SCRIPT = re.compile(r'src="/_dash-component-suites/([^/"]+)/([^"]+)"')


def test_every_script_of_the_page_is_registered_before_the_first_request(demo_settings, demo_users):
    from app import create_app

    app = create_app(demo_settings)
    registered = {package: set(paths) for package, paths in app.registered_paths.items()}  # no request yet
    client = sign_in(app, "ncrb", demo_users["ncrb"])
    page = client.get("/").get_data(as_text=True)
    scripts = [(package, check_fingerprint(path)[0]) for package, path in SCRIPT.findall(page)]
    assert len(scripts) >= 8  # react, dash-renderer, dcc, html, dbc, ag-grid, ...
    for package, path in scripts:
        assert path in registered.get(package, set()), f"{package}/{path} registered only by a first request"
    # and the pages' router is there too: a callback request first in a worker finds it
    assert any("_pages_content.children" in key for key in app.callback_map)


PRELOAD = re.compile(r'<link rel="preload" href="([^"]+)" as="(fetch|script)"( crossorigin="anonymous")?>')


def test_the_first_page_asks_for_its_layout_callbacks_and_chunks_with_its_scripts(national_client):
    """Preloaded from the head: what dash-renderer and the page's grid and graphs ask for after the scripts."""
    page = national_client.get("/state/HR?month=2026-01").get_data(as_text=True)
    head = page.split("</head>", 1)[0]
    preloads = {url: kind for url, kind, _cors in PRELOAD.findall(head)}
    assert preloads["/_dash-layout"] == preloads["/_dash-dependencies"] == "fetch"
    for chunk in ("dash_ag_grid/async-community.js", "dash/dcc/async-graph.js", "plotly/package_data/plotly.min.js",
                  "dash/dcc/async-dropdown.js"):
        assert preloads["/_dash-component-suites/" + chunk] == "script", chunk
    # the same URLs as the renderer's own requests: Dash answers each (so a preload is never a wasted download)
    for url in preloads:
        assert national_client.get(url).status_code == 200, url


def test_the_national_page_preloads_its_graphs_not_the_grid(national_client):
    """Its league table is plain HTML: a preload of the grid's chunk would compete with plotly.js for the link."""
    head = national_client.get("/").get_data(as_text=True).split("</head>", 1)[0]
    preloads = {url for url, _kind, _cors in PRELOAD.findall(head)}
    assert "/_dash-component-suites/plotly/package_data/plotly.min.js" in preloads
    assert "/_dash-component-suites/dash/dcc/async-graph.js" in preloads
    assert not any("dash_ag_grid" in url for url in preloads)


def test_the_grid_bundle_is_no_script_of_any_page_but_is_served_and_named(national_client):
    """dash-ag-grid's main bundle is a Dash `dynamic` resource: not in the index's scripts (assets/grid_loader.js
    loads it when needed), served at the fingerprinted URL the <meta> names, preloaded by the grid pages."""
    from dashboard.web import grid_bundle_url

    url = grid_bundle_url()
    assert re.fullmatch(r"/_dash-component-suites/dash_ag_grid/dash_ag_grid\.v[\w-]+m\d+\.min\.js", url)
    national = national_client.get("/").get_data(as_text=True)
    assert not re.search(r'<script[^>]*dash_ag_grid', national)
    assert f'<meta name="cctns-grid-bundle" content="{url}">' in national
    assert '<meta name="cctns-grid-chunk" content="/_dash-component-suites/dash_ag_grid/async-community.js">' in national
    assert "/assets/grid_loader.js?m=" in national  # the stand-in, a script of every page
    state = national_client.get("/state/HR").get_data(as_text=True)
    assert not re.search(r'<script[^>]*dash_ag_grid', state)
    assert f'<link rel="preload" href="{url}" as="script">' in state
    r = national_client.get(url)
    assert r.status_code == 200 and b"window.dash_ag_grid=" in r.get_data()
    assert "max-age=31536000" in r.headers.get("Cache-Control", "")


def test_pages_without_a_grid_and_graphs_at_once_preload_only_what_every_page_needs(national_client):
    head = national_client.get("/methodology").get_data(as_text=True).split("</head>", 1)[0]
    preloads = {url for url, _kind, _cors in PRELOAD.findall(head)}
    assert preloads == {"/_dash-layout", "/_dash-dependencies", "/_dash-component-suites/dash/dcc/async-dropdown.js"}


def test_the_first_page_is_compressed_once_at_brotlis_best(dash_app, national_client, tmp_path):
    import brotli

    from dashboard.web import serving

    done = serving.precompress_first_page(dash_app.server, tmp_path)
    assert done["files"] >= 20 and done["br"] < done["bytes"] / 3
    serving._static.clear()  # what earlier tests had compressed per request
    grid = next(u for u in dash_app.server.config[serving.FIRST_PAGE_URLS] if "dash_ag_grid.v" in u)
    r = national_client.get(grid, headers={"Accept-Encoding": "br"})
    body = brotli.decompress(r.data)
    assert r.headers["Content-Encoding"] == "br" and len(body) > 500_000
    assert len(r.data) < 0.95 * len(serving.compress(body, "br", static=True))  # smaller than the per-request quality
    assert serving.gzip.decompress(national_client.get(grid, headers={"Accept-Encoding": "gzip"}).data) == body
    # kept by content: a restart reads them back
    assert len(list(tmp_path.glob("*.br"))) == done["files"]
    serving._precompressed.clear()
    assert serving.precompress_first_page(dash_app.server, tmp_path) == done
