"""Build the CCTNS progress dashboard (a Dash app). `create_app()` is the only way to get one;
`server` (for gunicorn) is built on first access, never at import time."""

from __future__ import annotations

from pathlib import Path

import dash
from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.config import Settings, load_settings

ROOT = Path(__file__).resolve().parent


def create_app(settings: Settings | None = None) -> dash.Dash:
    from callbacks import register_callbacks
    from dashboard.store import get_engine
    from dashboard.web import (
        defer_grid_bundle,
        finish_dash_setup,
        html_with_lang,
        init_auth,
        init_language,
        init_request_checks,
        init_response_cache,
        init_serving,
        install_fast_json,
        register_routes,
        set_csp_script_hashes,
        with_preloads,
    )
    from layouts.pages import register_pages
    from layouts.shell import app_layout

    settings = settings or load_settings()
    install_fast_json()  # every answer serialised in one orjson pass (dashboard/web/fast_json.py)
    defer_grid_bundle()  # the grid's code loaded when a page needs it (assets/grid_loader.js), not by every page
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ROOT / "assets"),
        assets_ignore=r"^plotly-dashboard\.min\.js$",  # loaded by dcc.Graph when needed, not by every page
        serve_locally=True,
        title="CCTNS progress dashboard",
        update_title=None,
        suppress_callback_exceptions=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.index_string = accessible_index(app.index_string)
    trust_proxies(app.server, settings.trusted_proxies)
    app.server.config["CCTNS_DATABASE_URL"] = settings.database_url
    app.server.config["CCTNS_SETTINGS"] = settings
    register_pages()
    app.layout = app_layout
    register_callbacks(app)
    init_auth(app.server, settings, lambda: get_engine(settings.database_url), csp_script_hashes=app.csp_hashes())
    init_language(app.server)  # the language of each request (dashboard.web.language), after the guard
    index_page = app.interpolate_index
    # <html lang=...> per request; the layout, the callbacks and the page's chunks asked for with the scripts
    app.interpolate_index = lambda **parts: with_preloads(html_with_lang(index_page(**parts)), request.path)
    register_routes(app.server, ROOT / "assets")  # every Flask route, in dashboard/web/routes.py
    init_serving(app.server, settings)  # shared cache, 503 when the database is down, gzip
    init_request_checks(app)  # after the guard: bad callback bodies and unknown suites get 400/404, not 500
    init_response_cache(app)  # after the checks: a warm click of a page callback is one cache read

    @app.server.before_request
    def _hash_inline_scripts_once() -> None:
        """Dash adds its pages' inline script on the first request (after its own setup hook, which
        runs before this one): hash it then, once, so the CSP allows exactly Dash's scripts."""
        if not app.server.config.get("CCTNS_CSP_FINAL"):
            app.server.config["CCTNS_CSP_FINAL"] = True
            set_csp_script_hashes(app.server, app.csp_hashes())

    finish_dash_setup(app)  # before gunicorn forks: a fresh worker's first requests get every script
    return app


def accessible_index(index: str) -> str:
    """Dash's page template with its script holder as a plain <div>: Dash's <footer> there made a second,
    empty contentinfo landmark beside the shell's footer (axe). `lang` is set per request (html_with_lang)."""
    return index.replace("<footer>", "<div>", 1).replace("</footer>", "</div>", 1)


def trust_proxies(server: Flask, count: int) -> None:
    """Behind `count` proxies (CCTNS_TRUSTED_PROXIES), take the client's address and scheme from the last
    `count` hops of X-Forwarded-For / X-Forwarded-Proto, so per-address sign-in limits and audit rows name
    the real client and cookies are Secure behind TLS. With 0 the headers are ignored: a client could
    otherwise make up an address for every attempt and never reach the limit."""
    if count > 0:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]


def __getattr__(name: str):
    if name == "server":  # gunicorn app:server
        return create_app().server
    raise AttributeError(name)


def create_server():
    """gunicorn factory: `gunicorn 'app:create_server()'` (the engine is created lazily after the fork)."""
    return create_app().server
