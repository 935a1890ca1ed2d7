"""Production serving concerns, set up by `create_app` through `init_serving(server, settings)`:

* the shared result cache (`dashboard.read.cache`);
* "data temporarily unavailable" when the database cannot be reached: HTTP 503 with a JSON body for Dash
  requests (assets/db-unavailable.js shows an alert in the page) and a friendly page for page loads.
  Nothing else is needed to recover: the pool pings connections idle for more than 5 s
  (`dashboard.store.db.ping_idle_connections`), so the first request after the database is back gets a
  fresh connection;
* compression of HTML, JSON, JS and CSS responses: brotli when the browser accepts it (every current
  browser does; ~10 % smaller than gzip for the JavaScript bundles, which matters on a slow police
  link), gzip otherwise. Static files are compressed once per process and kept in a small bounded
  table, never data;
* a year's cache lifetime for the app's own assets, whose URLs carry their modification time (`?m=`),
  so a warm visit asks nothing for them (Dash gives its fingerprinted bundles the same).
"""

from __future__ import annotations

import functools
import gc
import gzip
import hashlib
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import brotli
from flask import Flask, Response, current_app, g, request
from sqlalchemy import exc as sa_exc

from dashboard.config import Settings
from dashboard.i18n import N_

log = logging.getLogger(__name__)

UNAVAILABLE_TITLE = N_("Data temporarily unavailable")
UNAVAILABLE_MESSAGE = N_("The database cannot be reached just now, so the figures cannot be shown. "
                         "Nothing is lost: the dashboard comes back by itself when the database is back. "
                         "Please try again in a minute.")
RETRY_AFTER_SECONDS = 30


def worker_count(env: Mapping[str, str]) -> int:
    """The gunicorn workers of `cctns serve --prod` under the environment `env`: CCTNS_WORKERS, else 2 x CPUs,
    at most 8 (dashboard/web/gunicorn_conf.py; the benchmark waits for that many)."""
    return int(env.get("CCTNS_WORKERS") or min(8, 2 * (os.cpu_count() or 1)))


def freeze_loaded_app() -> None:
    """In the process that forks the workers, the app loaded (gunicorn's master, `when_ready`; CPython's advice
    for a forking server): what exists now (modules, the app, its layouts and catalogs) is collected once and
    moved out of the collector's sight, so no full collection in a worker walks it again, nor writes to the
    memory the workers share with the master. A deck's answer (issue 15) builds enough objects to set off full
    collections: its cold p95 was 180-205 ms without this and 105-114 ms with it, the other pages' answers
    unchanged within the noise (60-month copy, bench.profile_cold, two interleaved rounds; raising the
    collector's thresholds as well gained nothing more)."""
    gc.collect()
    gc.freeze()


def init_serving(server: Flask, settings: Settings) -> None:
    from dashboard.read import init_cache

    init_cache(server, settings)
    init_database_errors(server)
    init_compression(server)


# --- database unavailable ----------------------------------------------------------------------------


def is_unavailable(exc: BaseException) -> bool:
    """Errors that mean "cannot reach the database", not bugs (ProgrammingError, IntegrityError ...)."""
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and bool(exc.connection_invalidated)


_last_log = [0.0]


def _database_error(exc: sa_exc.SQLAlchemyError) -> Response:
    if not is_unavailable(exc):
        raise exc  # a bug: let the normal 500 handling log it
    now = time.monotonic()
    if now - _last_log[0] > 10:
        _last_log[0] = now
        log.warning("database unavailable: %s", str(exc).splitlines()[0][:300])
    _forget_user()
    api = request.path.startswith("/_") or request.method not in ("GET", "HEAD")
    if api:
        import json

        resp = Response(json.dumps({"error": "data temporarily unavailable", "unavailable": True,
                                    "message": UNAVAILABLE_MESSAGE}), status=503, mimetype="application/json")
    else:
        try:
            from dashboard.web.auth import ERROR_TEMPLATE, render_page

            html = render_page(ERROR_TEMPLATE, title=UNAVAILABLE_TITLE, message=UNAVAILABLE_MESSAGE)
        except Exception:  # noqa: BLE001 - keep the error page independent of the auth layer
            from dashboard.i18n import gettext as _

            html = (f"<!doctype html><title>{_(UNAVAILABLE_TITLE)}</title><h1>{_(UNAVAILABLE_TITLE)}</h1>"
                    f"<p>{_(UNAVAILABLE_MESSAGE)}</p>")
        resp = Response(html, status=503, mimetype="text/html")
    resp.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _forget_user() -> None:
    """The user could not be loaded (that needs the database): treat this request as anonymous, so that
    later hooks (the auth layer's after_request) do not try to load the user again and fail with a 500."""
    manager = getattr(current_app, "login_manager", None)
    if manager is not None and "_login_user" not in g:
        g._login_user = manager.anonymous_user()


def init_database_errors(server: Flask) -> None:
    @server.before_request
    def _health_is_anonymous() -> None:
        if request.path == "/health":  # a load balancer's probe must never depend on loading a user
            _forget_user()

    server.register_error_handler(sa_exc.OperationalError, _database_error)
    server.register_error_handler(sa_exc.InterfaceError, _database_error)
    server.register_error_handler(sa_exc.TimeoutError, _database_error)
    server.register_error_handler(sa_exc.DBAPIError, _database_error)


# --- compression -------------------------------------------------------------------------------------

COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/plain", "text/csv", "text/javascript", "application/javascript",
    "application/json", "image/svg+xml", "image/x-icon", "image/vnd.microsoft.icon",
})
MIN_SIZE = 1024
DYNAMIC_LEVEL = 5  # gzip, callback JSON: ~1 ms per 100 KB
STATIC_LEVEL = 9  # gzip, compressed once per process
DYNAMIC_BROTLI = 4  # as fast as gzip 5, smaller
STATIC_BROTLI = 9  # ~gzip 9's time; 10-11 are 20-50x slower for 5-10 % more
STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/_favicon.ico")
_STATIC_MAX = 64
ASSET_MAX_AGE = 365 * 24 * 3600

_static: OrderedDict[tuple[str, str, int, str], bytes] = OrderedDict()
_static_lock = threading.Lock()
# the first page's files compressed at brotli's best, once, before the workers fork: (digest, encoding) -> bytes
_precompressed: dict[tuple[str, str], bytes] = {}
PRECOMPRESSED_BROTLI = 11  # 8 % smaller than 9 for the JavaScript (83 KB of the first page), ~1.5 s per MB


def accepted_encoding(accept_encoding: str) -> str | None:
    """'br', 'gzip' or None for an Accept-Encoding header (an encoding with q=0 is refused)."""
    quality: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        quality[name.strip()] = q
    for encoding in ("br", "gzip"):
        if quality.get(encoding, 0.0) > 0:
            return encoding
    return None


def compress(data: bytes, encoding: str, static: bool) -> bytes:
    if encoding == "br":
        return brotli.compress(data, quality=STATIC_BROTLI if static else DYNAMIC_BROTLI)
    return gzip.compress(data, compresslevel=STATIC_LEVEL if static else DYNAMIC_LEVEL, mtime=0)


def _compress_static(key: tuple[str, str, int, str], data: bytes) -> bytes:
    with _static_lock:
        hit = _static.get(key)
        if hit is not None:
            _static.move_to_end(key)
            return hit
    body = _precompressed.get((_digest(data), key[3])) if _precompressed else None
    if body is None:
        body = compress(data, key[3], static=True)
    with _static_lock:
        _static[key] = body
        while len(_static) > _STATIC_MAX:
            _static.popitem(last=False)
    return body


def _compress_response(response: Response) -> Response:
    if (response.status_code != 200 or "Content-Encoding" in response.headers
            or response.mimetype not in COMPRESSIBLE):
        return response
    encoding = accepted_encoding(request.headers.get("Accept-Encoding", ""))
    if encoding is None:
        return response
    if response.is_streamed and not response.direct_passthrough:
        return response  # a generator: leave it streaming
    response.direct_passthrough = False
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    if request.path.startswith(STATIC_PREFIXES):
        body = _compress_static((request.full_path, response.headers.get("ETag", ""), len(data), encoding), data)
    else:
        body = compress(data, encoding, static=False)
    response.set_data(body)
    response.headers["Content-Encoding"] = encoding
    response.headers["Content-Length"] = str(len(body))
    response.vary.add("Accept-Encoding")
    # the ETag is kept as it is: the compressed bytes are deterministic (fixed level, mtime 0), and Dash
    # answers If-None-Match with 304 only for its own exact ETag (a weakened one would defeat browser caching)
    return response


def _cache_fingerprinted_assets(response: Response) -> Response:
    """`/assets/x.css?m=<mtime>` (Dash's URLs for the app's assets) never changes: a new file is a new
    URL. Without this Flask says `no-cache` and a warm visit revalidates every asset, a round trip each."""
    if (request.path.startswith("/assets/") and request.args.get("m") and response.status_code in (200, 304)):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = ASSET_MAX_AGE
        response.cache_control.immutable = True
    return response


def init_compression(server: Flask) -> None:
    server.after_request(_compress_response)
    server.after_request(_cache_fingerprinted_assets)


# --- Dash's first-request setup, before the workers fork ------------------------------------------------


def finish_dash_setup(app: Any) -> None:
    """Run Dash's own first-request hooks now (its setup: the assets walked and every script path
    registered; the pages' routing callback), in the process that builds the app: gunicorn's master,
    before it forks the workers.

    Dash runs them on a process's first request, flagging them done before doing the work; a worker's
    other threads meanwhile skip them and refuse the scripts not yet registered (404). A fresh worker
    (every start, every recycle after `max_requests`) thus broke the first page of whoever reached it
    first: dash_html_components, prop-types and dbc answered 404 and the page never drew. Done here once,
    every forked worker starts with them done. The app's own hooks (the guard first) are not run."""
    with app.server.test_request_context("/"):
        for hook in list(app.server.before_request_funcs.get(None, [])):
            if getattr(hook, "__qualname__", "").startswith("Dash."):
                hook()
        # the national page's, and the grid's chunk the State, district and station pages preload
        app.server.config[FIRST_PAGE_URLS] = sorted({*first_page_urls(app.index()), grid_bundle_url(), *GRID_CHUNKS})


# --- what a page will ask for, asked for with the page -------------------------------------------------

# dash-renderer asks for the layout and the callbacks only once every script has run, and the grid's and the
# graphs' code (the AG Grid community chunk, dcc's graph chunk, plotly.js) only once the page's layout has
# come and drawn a grid or a graph: each a round trip after the scripts, with the link idle meanwhile (on a
# 2 Mbit/s, 150 ms police link the first page after sign-in waited 1-2 s on them). `<link rel=preload>`
# in the page's head asks for them with the scripts; the renderer's own requests then find them there.
DASH_FETCHES = ("/_dash-layout", "/_dash-dependencies")
GRID_PACKAGE = "dash_ag_grid"
GRID_BUNDLE = "dash_ag_grid.min.js"
SHELL_CHUNKS = ("/_dash-component-suites/dash/dcc/async-dropdown.js",)  # the shell's search and month pickers
GRID_CHUNKS = ("/_dash-component-suites/dash_ag_grid/async-community.js",)
GRAPH_CHUNKS = ("/_dash-component-suites/dash/dcc/async-graph.js",
                "/_dash-component-suites/plotly/package_data/plotly.min.js")  # routes.PLOTLY_JS_URL
# the pages that draw graphs, and those that draw a grid too, as soon as they open (others load those chunks
# when they need them). The national page's league table is plain HTML: a preload of the grid's 205 KB chunk
# there would only compete with plotly.js for a slow link.
PAGES_WITH_GRAPHS = re.compile(r"^/(?:(?:state|district|station)/[A-Za-z0-9-]+/?)?$")
PAGES_WITH_GRID = re.compile(r"^/(?:state|district|station)/[A-Za-z0-9-]+/?$")


def defer_grid_bundle() -> None:
    """Take dash-ag-grid's main bundle (1.3 MB, 284 KB brotli, the grid's code but for its async chunk) out of
    every page's scripts: a Dash resource marked `dynamic` is registered and served but not written into the
    index page. assets/grid_loader.js stands in for `window.dash_ag_grid` until it is needed: it loads the
    bundle when a page draws its first grid, or when the browser is idle after the first page has drawn. So the
    national page (plain HTML tables) draws without it: on a 2 Mbit/s police link that is 1.1 s less before
    anything shows (issue 15). Call before the app serves its first page; idempotent."""
    import dash_ag_grid

    for resource in dash_ag_grid._js_dist:
        if resource.get("relative_package_path") == GRID_BUNDLE:
            resource["dynamic"] = True


@functools.cache
def grid_bundle_url() -> str:
    """The bundle's URL as Dash would have written it (fingerprinted by version and file time: cached a year)."""
    import dash_ag_grid
    from dash.fingerprint import build_fingerprint

    modified = int((Path(dash_ag_grid.__file__).parent / GRID_BUNDLE).stat().st_mtime)
    return f"/_dash-component-suites/{GRID_PACKAGE}/{build_fingerprint(GRID_BUNDLE, dash_ag_grid.__version__, modified)}"


def preload_links(path: str) -> str:
    """The `<link rel=preload>` tags for the page at `path` (Dash's index page: every signed-in page), and
    where assets/grid_loader.js finds the grid's bundle."""
    scripts = list(SHELL_CHUNKS)
    if PAGES_WITH_GRID.match(path or "/"):
        scripts += [grid_bundle_url(), *GRID_CHUNKS]
    if PAGES_WITH_GRAPHS.match(path or "/"):
        scripts += GRAPH_CHUNKS
    tags = [f'<meta name="cctns-grid-bundle" content="{grid_bundle_url()}">',
            f'<meta name="cctns-grid-chunk" content="{GRID_CHUNKS[0]}">']
    tags += [f'<link rel="preload" href="{url}" as="fetch" crossorigin="anonymous">' for url in DASH_FETCHES]
    tags += [f'<link rel="preload" href="{url}" as="script">' for url in scripts]
    return "\n".join(tags)


def with_preloads(page: str, path: str) -> str:
    """Dash's index page with `preload_links(path)` at the end of its head."""
    return page.replace("</head>", preload_links(path) + "\n</head>", 1)



# --- the first page's files compressed once, at brotli's best ---------------------------------------------

FIRST_PAGE_URLS = "CCTNS_FIRST_PAGE_URLS"
_STATIC_URL = re.compile(r'(?:src|href)="(/(?:_dash-component-suites|assets)/[^"]+)"')


def first_page_urls(index_page: str) -> list[str]:
    """The scripts, style sheets and preloaded chunks an index page asks for (national page: the most)."""
    return sorted(set(_STATIC_URL.findall(index_page)))


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def precompress_first_page(server: Flask, folder: Path | None = None) -> dict[str, int]:
    """Compress the first page's files (listed by `finish_dash_setup` in `server.config`) with brotli at its
    best quality and gzip at 9, once, in the process that forks the workers (gunicorn's `when_ready`), so
    that no worker compresses them on a user's request and each is ~8 % smaller on the wire than at the
    per-request quality (issue 15: the first page on a 2 Mbit/s link is bound by its bytes). Kept under
    `folder` by the digest of their content, so a restart reads them back instead of compressing again.
    Their bodies are got from the app's own views (Dash's component suites, the assets, the plotly.js route),
    so they are exactly the bytes served. Returns {"files": n, "bytes": uncompressed, "br": compressed}."""
    out = {"files": 0, "bytes": 0, "br": 0}
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    for url in server.config.get(FIRST_PAGE_URLS, []):
        with server.test_request_context(url):
            rule = request.url_rule
            if rule is None or rule.endpoint not in server.view_functions:
                continue
            response = server.make_response(server.view_functions[rule.endpoint](**(request.view_args or {})))
            if response.status_code != 200 or response.mimetype not in COMPRESSIBLE:
                continue
            response.direct_passthrough = False
            data = response.get_data()
        if len(data) < MIN_SIZE:
            continue
        digest = _digest(data)
        for encoding in ("br", "gzip"):
            cached = folder / f"{digest}.{encoding}" if folder is not None else None
            if cached is not None and cached.is_file():
                body = cached.read_bytes()
            else:
                body = (brotli.compress(data, quality=PRECOMPRESSED_BROTLI) if encoding == "br"
                        else compress(data, encoding, static=True))
                if cached is not None:
                    tmp = cached.with_suffix(f".{os.getpid()}.tmp")
                    tmp.write_bytes(body)
                    tmp.replace(cached)
            _precompressed[(digest, encoding)] = body
        out["files"] += 1
        out["bytes"] += len(data)
        out["br"] += len(_precompressed[(digest, "br")])
    return out
