"""PostgreSQL stopped while the production server (`cctns serve --prod`) serves: pages and callbacks say
the data is temporarily unavailable (HTTP 503), and the app recovers by itself when the database is back."""

from __future__ import annotations

import secrets
import time

import pytest
from reslib import prepare

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _data_callback(deps: list[dict]) -> tuple[dict, dict]:
    """A callback that reads the database, with realistic inputs: the national page's main one if it
    exists, else a shell callback driven by the URL."""
    from bench.common import callback_body, output_keys

    server_side = [d for d in deps if d.get("clientside_function") is None]
    for d in server_side:
        if "national-table-data.data" in output_keys(d["output"]):
            return d, callback_body(d, {"national-query.data": {}, "shell-theme.data": "light"})
    for d in server_side:
        ins = d.get("inputs", [])
        if ins and all(i["id"] == "url" for i in ins) and not d.get("prevent_initial_call"):
            return d, callback_body(d, {"url.search": "", "url.pathname": "/"})
    pytest.skip("no server callback that reads the database")


def test_database_stopped_then_back(pg_server, small_files, tmp_path):
    import requests

    from bench.common import CSRF_HEADER, free_port
    from bench.load import Server, server_env, sign_in
    from dashboard.ingest import import_files
    from dashboard.web.users import create_demo_users

    url = pg_server.new_database()
    engine = prepare(url)
    import_files(engine, small_files.master, user="test")
    for pair in small_files.by_month[-2:]:
        import_files(engine, pair, user="test")
    users = create_demo_users(engine)
    engine.dispose()

    server = Server(server_env(url, tmp_path / "instance", None, secrets.token_urlsafe(32)), free_port(),
                    tmp_path / "gunicorn.log", workers=2)
    base = server.base
    try:
        server.wait_ready()
        s = requests.Session()
        csrf = sign_in(s, base, "ncrb", users["ncrb"])
        _, body = _data_callback(s.get(base + "/_dash-dependencies", timeout=30).json())

        def post() -> requests.Response:
            return s.post(base + "/_dash-update-component", json=body, headers={CSRF_HEADER: csrf}, timeout=30)

        assert post().status_code == 200

        pg_server.halt()
        for _ in range(6):  # every worker and thread, not just the first
            r = post()
            assert r.status_code == 503, r.text[:300]
            assert r.json()["unavailable"] is True
            assert r.headers["Retry-After"]
        page = s.get(base + "/", timeout=30)
        assert page.status_code == 503
        assert "temporarily unavailable" in page.text.lower()
        assert s.get(base + "/health", timeout=30).status_code == 503
        assert s.get(base + "/assets/db-unavailable.js", timeout=30).status_code == 200  # the in-page alert

        pg_server.resume()
        deadline = time.monotonic() + 20
        while True:  # the first request after the restart should already work (idle connections are pinged)
            r = post()
            if r.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert r.status_code == 200, r.text[:300]
        assert all(post().status_code == 200 for _ in range(10))
        assert s.get(base + "/", timeout=30).status_code == 200
        assert s.get(base + "/health", timeout=30).status_code == 200
    finally:
        server.stop()
    log = (tmp_path / "gunicorn.log").read_text()
    assert "Exception on" not in log  # no request ended in an unhandled error (HTTP 500)
