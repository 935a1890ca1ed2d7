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
