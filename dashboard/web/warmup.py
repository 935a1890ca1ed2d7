"""Warm the response cache after an import, in the background, so the first click of a review week is warm.

A daemon thread per server process (`start_warmer`, from gunicorn's `post_worker_init` and from the
development server) looks at the results generation every `POLL_SECONDS`. When it changes (an import,
revert or recompute committed by the web app, the CLI or another server) or a new day begins (answers are
keyed by the day), one process — the first to claim `warm:<generation>@<day>` in the shared cache — answers, as Dash would, the callbacks each page fires
when it opens, for the pages opened first in a review week: the national page, every State page and
every district page of the latest month (for the national scope class, and each State's and district's
own scope classes), and stores the answers like `dashboard.web.response_cache` does for a click.

Bounded (`CCTNS_WARM_SECONDS`, default 600 s, and the page order above: the most opened first),
cancellable (a newer generation or `stop_warmer` stops it between two answers), and never in the way of an
import: it only reads, in its own thread, after the import has committed. `CCTNS_WARM=0` turns it off.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import dash
from flask import Flask, g

from dashboard.scope import Scope

log = logging.getLogger(__name__)

EXTENSION = "cctns_warmer"
POLL_SECONDS = 30.0
DEFAULT_BUDGET_S = 600.0
CLAIM_PREFIX = "warm:"


@dataclass(frozen=True)
class Page:
    """One page opened by one scope class: the layout's component props are the callbacks' inputs."""

    scope: Scope
    path: str  # e.g. "/state/HR" (what the layout function is given, for the log)
    kind: str  # national | state | district
    code: str | None
    month: str | None


@dataclass
class WarmReport:
    generation: str
    pages: int = 0
    answers: int = 0
    already: int = 0
    failed: int = 0
    seconds: float = 0.0
    stopped: str = ""  # "", "budget", "cancelled"


class Warmer:
    """The warm-up thread of one server process."""

    def __init__(self, app: dash.Dash, budget_s: float, poll_s: float) -> None:
        self.app = app
        self.budget_s = budget_s
        self.poll_s = poll_s
        self.stop = threading.Event()
        self.seen: str | None = None
        self.last: WarmReport | None = None
        self.thread: threading.Thread | None = None

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.check()
            except Exception:  # noqa: BLE001 - the warmer must never take the server down
                log.exception("cache warm-up failed")
            self.stop.wait(self.poll_s)

    def check(self) -> WarmReport | None:
        """Warm once if the generation is new and no other process claimed it."""
        from dashboard.read import EXTENSION as READ_CACHE
        from dashboard.store import read_generation
        from dashboard.web.auth import request_engine
        from dashboard.web.response_cache import local_day

        server = self.app.server
        with server.app_context():
            generation = read_generation(request_engine())
            seen = f"{generation}@{local_day()}"  # answers are keyed by the day too: warm again each morning
            if seen == self.seen:
                return None
            self.seen = seen
            state = server.extensions.get(READ_CACHE)
            if state is None:
                return None
            try:
                claimed = state.cache.add(CLAIM_PREFIX + seen, os.getpid(), timeout=int(self.budget_s) + 60)
            except Exception:  # noqa: BLE001
                claimed = False
            if not claimed:
                return None
        self.last = warm(self.app, generation, self.budget_s, lambda: self.stop.is_set() or self._newer(generation))
        log.info("cache warm-up of generation %s: %d answers for %d pages in %.1f s%s", generation,
                 self.last.answers, self.last.pages, self.last.seconds,
                 f" (stopped: {self.last.stopped})" if self.last.stopped else "")
        return self.last

    def _newer(self, generation: str) -> bool:
        from dashboard.store import read_generation
        from dashboard.web.auth import request_engine

        with self.app.server.app_context():
            return read_generation(request_engine()) != generation


def start_warmer(app_or_server: dash.Dash | Flask, budget_s: float | None = None,
                 poll_s: float = POLL_SECONDS) -> Warmer | None:
    """Start this process's warm-up thread (once); None when `CCTNS_WARM=0` or the app has no cache."""
    from dashboard.web.response_cache import dash_app

    app = app_or_server if isinstance(app_or_server, dash.Dash) else dash_app(app_or_server)
    if app is None or os.environ.get("CCTNS_WARM", "1").strip().lower() in ("0", "off", "no", "false"):
        return None
    existing: Warmer | None = app.server.extensions.get(EXTENSION)
    if existing is not None and existing.thread is not None and existing.thread.is_alive():
        return existing
    if budget_s is None:
        budget_s = float(os.environ.get("CCTNS_WARM_SECONDS") or DEFAULT_BUDGET_S)
    warmer = Warmer(app, budget_s, poll_s)
    warmer.thread = threading.Thread(target=warmer.run, name="cctns-cache-warmer", daemon=True)
    app.server.extensions[EXTENSION] = warmer
    warmer.thread.start()
    return warmer


def stop_warmer(server: Flask) -> None:
    warmer: Warmer | None = server.extensions.get(EXTENSION)
    if warmer is not None:
        warmer.stop.set()


# --- what to warm --------------------------------------------------------------------------------------


def pages_to_warm(app: dash.Dash) -> Iterator[Page]:
    """The pages of the latest month opened first in a review week, most opened first: the national page
    and every State page for the national scope class, then each State's page for its own users, then
    the district pages (national, State and the district's own scope class), State by State. Each page
    both as opened from a link (with its month) and from the address bar (without)."""
    from sqlalchemy import select

    from dashboard import read
    from dashboard.store import District
    from dashboard.web.auth import request_engine

    with app.server.app_context():
        eng = request_engine()
        month = read.latest_month(eng)
        if month is None:
            return
        states = list(read.states_table(eng, month)["state_code"])
        with eng.connect() as conn:
            districts = [(d, s) for d, s in conn.execute(select(District.code, District.state_code)
                                                         .order_by(District.state_code, District.code))]
    national = Scope.national("warm-up")
    for m in (None, month):
        yield Page(national, "/", "national", None, m)
    for s in states:
        for m in (None, month):
            yield Page(national, f"/state/{s}", "state", s, m)
            yield Page(Scope("state", s, username="warm-up"), f"/state/{s}", "state", s, m)
    for d, s in districts:
        for m in (None, month):
            for sc in (national, Scope("state", s, username="warm-up"), Scope("district", s, d, username="warm-up")):
                yield Page(sc, f"/district/{d}", "district", d, m)


def page_props(page: Page) -> dict[str, Any]:
    """{'id.prop': value} of every component of the shell and of the page's layout (as the browser has them)."""
    from layouts import district, national, state
    from layouts.shell import app_layout

    if page.kind == "national":
        tree = national.layout(month=page.month)
    elif page.kind == "state":
        tree = state.layout(state_code=page.code, month=page.month)
    else:
        tree = district.layout(district_code=page.code, month=page.month)
    props: dict[str, Any] = {}
    for root in (app_layout(), tree):
        _collect(root.to_plotly_json(), props)
    return props


def _collect(node: Any, out: dict[str, Any]) -> None:
    if isinstance(node, list | tuple):
        for n in node:
            _collect(n, out)
        return
    if hasattr(node, "to_plotly_json"):
        node = node.to_plotly_json()
    if not isinstance(node, dict):
        return
    props = node.get("props")
    if isinstance(props, dict) and "type" in node:
        cid = props.get("id")
        if isinstance(cid, str):
            for prop, value in props.items():
                if prop != "children" and not hasattr(value, "to_plotly_json"):
                    out[f"{cid}.{prop}"] = value
        for value in props.values():
            if isinstance(value, dict | list | tuple) or hasattr(value, "to_plotly_json"):
                _collect(value, out)


def initial_bodies(app: dash.Dash, props: dict[str, Any]) -> list[dict[str, Any]]:
    """The requests dash-renderer posts for the cached callbacks that fire when a page with these
    component props opens (every input on the page, not prevent_initial_call)."""
    from dashboard.web.response_cache import cached_outputs

    present = {k.rsplit(".", 1)[0] for k in props}
    bodies = []
    for output in cached_outputs(app.server):
        dep = app.callback_map[output]
        if dep.get("prevent_initial_call"):
            continue
        inputs = [(i["id"], i["property"]) for i in dep["inputs"]]
        if not inputs or not all(isinstance(i, str) and i in present for i, _ in inputs):
            continue
        if not any(i.split("-", 1)[0] in ("national", "state", "district") for i, _ in inputs):
            continue  # the shell's callbacks answer from the URL, not from the page

        def items(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{"id": s["id"], "property": s["property"], "value": props.get(f"{s['id']}.{s['property']}")}
                    for s in specs]

        outs = output[2:-2].split("...") if output.startswith("..") else [output]
        parsed = [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1].split("@")[0]} for o in outs]
        bodies.append({"output": output, "outputs": parsed if output.startswith("..") else parsed[0],
                       "inputs": items(dep["inputs"]), "state": items(dep.get("state", [])),
                       "changedPropIds": [f"{i}.{p}" for i, p in inputs]})
    return bodies


# --- answering ----------------------------------------------------------------------------------------


def warm(app: dash.Dash, generation: str, budget_s: float, cancelled: Any = lambda: False,
         pages: Iterable[Page] | None = None) -> WarmReport:
    """Answer and store the first callbacks of `pages` (default: `pages_to_warm`) until done, out of
    budget or cancelled."""
    from dashboard.web.response_cache import UPDATE_PATH, store_answer, warm_key

    server = app.server
    report = WarmReport(generation)
    start = time.monotonic()
    view = _dispatch_view(server)
    setup = getattr(app, "_setup_server", None)
    with server.test_request_context("/"):
        if setup is not None:
            setup()  # what Dash does on its first request (idempotent)
    for page in pages if pages is not None else pages_to_warm(app):
        if cancelled():
            report.stopped = "cancelled"
            break
        if time.monotonic() - start > budget_s:
            report.stopped = "budget"
            break
        report.pages += 1
        with server.test_request_context(page.path):
            props = page_props(page)
        for body in initial_bodies(app, props):
            with server.test_request_context(UPDATE_PATH, method="POST", json=body):
                g._login_user = _user(page.scope)
                key = warm_key(server, body, page.scope, generation)
                if key is None:
                    report.already += 1
                    continue
                try:
                    response = server.make_response(view())
                except Exception:  # noqa: BLE001 - one bad page must not stop the rest
                    report.failed += 1
                    log.debug("warm-up of %s failed", page.path, exc_info=True)
                    continue
                if response.status_code == 200 and not g.get("cctns_audited"):
                    store_answer(server, key, response.get_data())
                    report.answers += 1
            time.sleep(0)  # let request threads in
    report.seconds = round(time.monotonic() - start, 1)
    return report


def _dispatch_view(server: Flask) -> Any:
    from dashboard.web.response_cache import UPDATE_PATH

    endpoint = next(r.endpoint for r in server.url_map.iter_rules() if r.rule.endswith(UPDATE_PATH))
    return server.view_functions[endpoint]


def _user(scope: Scope) -> Any:
    """A signed-in user of this scope class for the warm-up's answers (never stored, never a session)."""
    from dashboard.store import User
    from dashboard.web.auth import UserSession

    row = User(id=0, username="warm-up", role=scope.role, state_code=scope.state_code,
               district_code=scope.district_code, can_import=False, is_admin=False, active=True,
               must_change_password=False)
    return UserSession(row, fingerprint="")
