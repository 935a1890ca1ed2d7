"""The partial plotly.js bundle: the URL dcc.Graph loads plotly.js from answers with it (signed in only),
compressed, revalidated by ETag; its plotly.js is the version plotly.py (and so the figures) is made for;
the app's pages do not list it as a script of their own."""

from __future__ import annotations

import re
from pathlib import Path

import brotli
from plotly.offline import get_plotlyjs_version

from dashboard.web.routes import PLOTLY_BUNDLE, PLOTLY_JS_URL

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "assets" / PLOTLY_BUNDLE


def test_bundle_is_plotly_js_of_plotly_py_with_its_licence():
    head = BUNDLE.read_text()[:300]
    m = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", head)
    assert m and m.group(1) == get_plotlyjs_version(), "rebuild with scripts/build-plotly.sh"
    assert "MIT" in (BUNDLE.parent / "plotly.js.LICENSE").read_text()
    assert BUNDLE.stat().st_size < 1_300_000  # plotly.py's full bundle is 4.8 MB


def test_plotly_url_serves_the_partial_bundle(national_client):
    r = national_client.get(PLOTLY_JS_URL, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert r.status_code == 200 and r.mimetype == "text/javascript"
    assert r.headers["Content-Encoding"] == "br"
    body = brotli.decompress(r.data)
    assert body == BUNDLE.read_bytes()
    assert len(r.data) < 400_000
    assert "no-cache" in r.headers["Cache-Control"] and r.headers.get("ETag")
    again = national_client.get(PLOTLY_JS_URL, headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304


def test_plotly_url_needs_a_session(dash_app):
    assert dash_app.server.test_client().get(PLOTLY_JS_URL).status_code == 401


def test_pages_do_not_load_the_bundle_as_a_script(national_client):
    """Not a script of every page: dcc.Graph loads it; the pages that open with graphs preload it
    (dashboard.web.serving.preload_links), the others do not ask for it at all."""
    page = national_client.get("/").get_data(as_text=True)
    assert "plotly-dashboard" not in page and not re.search(r"<script[^>]*plotly", page)
    assert f'<link rel="preload" href="{PLOTLY_JS_URL}" as="script">' in page
    assert "/assets/app.css?m=" in page
    assert "plotly.min.js" not in national_client.get("/methodology").get_data(as_text=True)
