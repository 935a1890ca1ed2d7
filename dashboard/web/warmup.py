"""Warm the response cache after an import, in the background, so the first click of a review week is warm.

A daemon thread per server process (`start_warmer`, from gunicorn's `post_worker_init` and from the
development server) looks at the results generation every `POLL_SECONDS`. When it changes (an import,
revert or recompute committed by the web app, the CLI or another server) or a new day begins (answers are
keyed by the day), one process — the first to claim `warm:<generation>@<day>` in the shared cache — answers, as Dash would, the callbacks each page fires
when it opens, for the pages opened first in a review week: the national page, every State page and
every district page of the latest month, the largest States' first, then the police stations (for the
national scope class, and each State's and district's own scope classes), with the shell's callbacks that
answer from the page's address, and stores the answers like `dashboard.web.response_cache` does for a click.

A page opened without a month shows the latest month: its answers are computed once, for the latest month,
and stored under both addresses' keys — for each callback only once the warm-up has seen the two answers
byte-identical (the first page of each kind computes both), so a callback whose answer ever depends on how
the month was given is simply computed twice.

Bounded (`CCTNS_WARM_SECONDS`, default 600 s, and the page order above: the most opened first),
cancellable (a newer generation or `stop_warmer` stops it between two answers), out of the way of users'
clicks (before each answer it waits, up to `YIELD_MAX_S`, until no request of this process is in flight:
`RequestGate`) and never in the way of an import: it only reads, in its own thread, after the import has
committed. `CCTNS_WARM=0` turns it off.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import dash
from flask import Flask, g

from dashboard.scope import Scope
from dashboard.web.request_gate import GATE, RequestGate
from metrics.methodology import DEFAULT_SCHEME

log = logging.getLogger(__name__)

EXTENSION = "cctns_warmer"
POLL_SECONDS = 30.0
DEFAULT_BUDGET_S = 600.0
CLAIM_PREFIX = "warm:"
YIELD_MAX_S = 0.5  # the longest the warm-up waits for this process's requests before its next answer
PAGE_PREFIXES = ("national", "state", "district", "station")  # the pages' own callbacks (ids "<page>-...")
SHELL_INPUTS = ("url", "_pages_location")  # the shell's callbacks that answer from the page's address


@dataclass(frozen=True)
class Page:
    """One page opened by one scope class: the layout's component props are the callbacks' inputs."""

    scope: Scope
    path: str  # e.g. "/state/HR" (what the layout function is given, for the log)
    kind: str  # national | state | district | station
    code: str | None
    month: str | None
    also: tuple[str | None, ...] = ()  # the same page opened with these months instead (None: the latest)

    def variants(self) -> list[Page]:
        """This page and the same page at each of `also` (the addresses whose answers may be shared)."""
        return [self] + [replace(self, month=m, also=()) for m in self.also]


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
    """The pages of the latest month in the order a review week opens them: the national page and every
    State page (in rank order) for the national scope class and each State's own, then every district page
    (national, State and the district's own scope class), the largest States' districts first and within a
    State the largest districts first, then the police stations in the same order. Each page at the latest
    month, `also` opened without one (from the address bar or a link of a page opened without one)."""
    from sqlalchemy import select

    from dashboard import read
    from dashboard.store import District, PoliceStation, ResultUnit
    from dashboard.web.auth import request_engine

    with app.server.app_context():
        eng = request_engine()
        month = read.latest_month(eng)
        if month is None:
            return
        states = read.states_table(eng, month)
        with eng.connect() as conn:
            sizes = dict(conn.execute(select(ResultUnit.unit_code, ResultUnit.stations_active).where(
                ResultUnit.scheme == DEFAULT_SCHEME, ResultUnit.month == month, ResultUnit.level == "district")).all())
            districts = [(d, s) for d, s in conn.execute(select(District.code, District.state_code))]
            stations = [(p, d) for p, d in conn.execute(select(PoliceStation.code, PoliceStation.district_code)
                                                        .order_by(PoliceStation.code))]
    state_size = dict(zip(states["state_code"], states["stations_active"], strict=True))
    districts.sort(key=lambda ds: (-int(state_size.get(ds[1]) or 0), ds[1], -int(sizes.get(ds[0]) or 0), ds[0]))
    national = Scope.national("warm-up")
    yield Page(national, "/", "national", None, month, also=(None,))
    for s in states["state_code"]:
        for sc in (national, Scope("state", s, username="warm-up")):
            yield Page(sc, f"/state/{s}", "state", s, month, also=(None,))
    for d, s in districts:
        for sc in (national, Scope("state", s, username="warm-up"), Scope("district", s, d, username="warm-up")):
            yield Page(sc, f"/district/{d}", "district", d, month, also=(None,))
    by_district: dict[str, list[str]] = {}
    for p, d in stations:
        by_district.setdefault(d, []).append(p)
    for d, s in districts:
        for p in by_district.get(d, []):
            for sc in (national, Scope("state", s, username="warm-up"), Scope("district", s, d, username="warm-up")):
                yield Page(sc, f"/station/{p}", "station", p, month, also=(None,))


def page_props(page: Page) -> dict[str, Any]:
    """{'id.prop': value} of every component of the shell and of the page's layout (as the browser has them),
    with the page's address in the shell's locations."""
    from layouts import district, national, state, station
    from layouts.shell import app_layout

    if page.kind == "national":
        tree = national.layout(month=page.month)
    elif page.kind == "state":
        tree = state.layout(state_code=page.code, month=page.month)
    elif page.kind == "district":
        tree = district.layout(district_code=page.code, month=page.month)
    else:
        tree = station.layout(station_code=page.code, month=page.month)
    props: dict[str, Any] = {}
    for root in (app_layout(), tree):
        _collect(root.to_plotly_json(), props)
    search = f"?month={page.month}" if page.month else ""
    for location in SHELL_INPUTS:
        props[f"{location}.pathname"] = page.path
        props[f"{location}.search"] = search
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
        if not any(i.split("-", 1)[0] in PAGE_PREFIXES or i in SHELL_INPUTS for i, _ in inputs):
            continue  # neither the page's own callbacks nor the shell's that answer from its address

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
    budget or cancelled. Per page, which answers are stored already is asked at once, and its new answers
    are stored at once (two round trips to Redis instead of two per answer)."""
    from dashboard.web.response_cache import store_answers, stored_keys

    server = app.server
    report = WarmReport(generation)
    start = time.monotonic()
    view = _dispatch_view(server)
    gate: RequestGate | None = server.extensions.get(GATE)
    shared: dict[str, bool] = {}  # output -> its answer at the latest month is the one without a month
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
        variants = page.variants()
        report.pages += len(variants)
        keyed: list[dict[str, tuple[str, dict[str, Any]]]] = []  # per variant: output -> (key, body)
        for variant in variants:
            with server.test_request_context(variant.path):
                bodies = initial_bodies(app, page_props(variant))
            keys = ((_key(server, b, page.scope, generation), b) for b in bodies)
            keyed.append({b["output"]: (k, b) for k, b in keys if k is not None})
        done = stored_keys(server, sorted({k for v in keyed for k, _ in v.values()}))
        new: dict[str, bytes] = {}
        for output, (key, body) in keyed[0].items():
            raw = None
            if key in done or key in new:
                report.already += 1
            else:
                if gate is not None:
                    gate.wait_idle(YIELD_MAX_S)  # users' clicks first
                raw = _answer(server, view, page.scope, body, report)
                if raw is not None:
                    new[key] = raw
            for other in keyed[1:]:
                alias_key, alias = other.get(output, (None, None))
                if alias_key is None or alias is None:
                    continue
                if alias_key in done or alias_key in new:
                    report.already += 1
                elif raw is not None and shared.get(output):
                    new[alias_key] = raw
                else:
                    again = _answer(server, view, page.scope, alias, report)
                    if again is not None:
                        new[alias_key] = again
                    if raw is not None and again is not None and output not in shared:
                        shared[output] = again == raw  # decided once, on the first page that computes both
        store_answers(server, new)
        report.answers += len(new)
        time.sleep(0)  # let request threads in
    report.seconds = round(time.monotonic() - start, 1)
    return report


def _key(server: Flask, body: dict[str, Any], scope: Scope, generation: str) -> str | None:
    """The response-cache key of `body` for `scope` (None: not a cached callback)."""
    from dashboard.web.response_cache import UPDATE_PATH, answer_key

    with server.test_request_context(UPDATE_PATH, method="POST", json=body):
        return answer_key(server, body, scope, generation)


def _answer(server: Flask, view: Any, scope: Scope, body: dict[str, Any], report: WarmReport) -> bytes | None:
    """Answer `body` as Dash would for a user of `scope`: its JSON, or None when it failed or is not to be
    stored (a scope violation is audited, never stored)."""
    from dashboard.web.response_cache import UPDATE_PATH

    with server.test_request_context(UPDATE_PATH, method="POST", json=body):
        g._login_user = _user(scope)
        try:
            response = server.make_response(view())
        except Exception:  # noqa: BLE001 - one bad page must not stop the rest
            report.failed += 1
            log.debug("warm-up of %s failed", body.get("output"), exc_info=True)
            return None
        if response.status_code != 200 or g.get("cctns_audited"):
            return None
        return response.get_data()


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
