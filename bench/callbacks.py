"""Every registered callback timed at the server (Flask test client, signed in as the national user),
with realistic inputs, next to a no-op callback registered on the same app (the framework floor).

Inputs come from the pages themselves: each scenario names a page URL; the page is rendered through
Dash Pages' routing callback (as the browser does) and every component prop of the page and of the shell
becomes the default input value. `GENERATORS` (keyed by output `id.prop`, optionally `<- first input
id`) says which URLs and which overrides (clicks, picks, search text) make realistic inputs for a
callback. A callback without a generator is still listed, as "no inputs generator".
"""

from __future__ import annotations

import gzip
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dash
from sqlalchemy import Engine, select

from bench.common import (
    CSRF_COOKIE,
    CSRF_HEADER,
    TOKEN_RE,
    Timer,
    callback_body,
    layout_props,
    output_keys,
    response_values,
    summary_ms,
    url_props,
)

NOOP_OUTPUT = "bench-noop-out.children"
ROUTING_OUTPUT = "_pages_content.children"


@dataclass
class Scenario:
    label: str
    url: str  # the page whose props are the default input values
    values: dict[str, Any] = field(default_factory=dict)  # 'id.prop' overrides
    changed: list[str] | None = None  # changedPropIds (default: every input)


def _json(r: Any) -> Any:
    import json

    data = gzip.decompress(r.data) if r.headers.get("Content-Encoding") == "gzip" else r.data
    return json.loads(data) if data else None


def register_noop(app: dash.Dash) -> None:
    """The framework floor: a callback that returns its input (registered before the first request)."""
    from dash import Input, Output

    app.callback(Output("bench-noop-out", "children"), Input("bench-noop-in", "value"),
                 prevent_initial_call=True)(lambda value: value)


def sign_in(client: Any, username: str, password: str) -> str:
    """Sign in through the real form (CSRF form token); returns the Dash CSRF header value."""
    html = client.get("/login").get_data(as_text=True)
    token = TOKEN_RE.search(html).group(1)
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token, "next": "/"})
    if r.status_code not in (302, 303):
        raise RuntimeError(f"sign-in as {username} failed: HTTP {r.status_code}")
    client.get("/")  # sets the CSRF cookie
    cookie = client.get_cookie(CSRF_COOKIE)
    if cookie is None:
        raise RuntimeError("no CSRF cookie after sign-in")
    return cookie.value


# --- realistic units ---------------------------------------------------------------------------------


@dataclass
class Units:
    months: list[str]
    states: list[str]
    districts: list[tuple[str, str]]  # (district_code, state_code)
    stations: list[str]
    search_terms: list[str]
    parameters: list[str]


def pick_units(engine: Engine, quick: bool, seed: int = 11) -> Units:
    from dashboard.read import methodology
    from dashboard.store.models import District, ResultUnit

    rng = random.Random(seed)
    with engine.connect() as conn:
        months = [m for (m,) in conn.execute(select(ResultUnit.month).where(ResultUnit.scheme == "cctns", ResultUnit.level == "state")
                                             .distinct().order_by(ResultUnit.month))]
        latest = months[-1]
        states = [s for (s,) in conn.execute(select(ResultUnit.unit_code).where(
            ResultUnit.scheme == "cctns", ResultUnit.month == latest, ResultUnit.level == "state").order_by(ResultUnit.unit_code))]
        districts = list(conn.execute(select(District.code, District.state_code).order_by(District.code)).all())
        stations = [s for (s,) in conn.execute(select(ResultUnit.unit_code).where(
            ResultUnit.scheme == "cctns", ResultUnit.month == latest, ResultUnit.level == "station").order_by(ResultUnit.unit_code))]
        # biggest States' districts are the heaviest pages: always include a few of them
        big = [d for (d,) in conn.execute(select(ResultUnit.unit_code).where(
            ResultUnit.scheme == "cctns", ResultUnit.month == latest, ResultUnit.level == "district").order_by(
            ResultUnit.stations_active.desc()).limit(3))]
    n_states, n_units = (4, 4) if quick else (len(states), 24)
    state_pick = states if n_states >= len(states) else rng.sample(states, n_states)
    dist_pick = [(c, s) for c, s in districts if c in big] + rng.sample(
        [tuple(d) for d in districts if d[0] not in big], max(0, min(n_units, len(districts)) - len(big)))
    st_pick = rng.sample(stations, min(n_units, len(stations)))
    version = methodology(engine).version_for(latest)
    params = [p.id for p in version.parameters if p.level == "station"] if version else []
    month_pick = sorted({months[-1], months[max(0, len(months) - 2)], months[len(months) // 2], months[0]})
    if quick:
        month_pick = sorted({months[-1], months[0]})
    terms = ["ha", "kar", "nag", "pur", "ut", "police", "city", "zzz"]
    return Units(months=month_pick, states=state_pick, districts=dist_pick, stations=st_pick,
                 search_terms=terms[:4] if quick else terms, parameters=params)


# --- the context the generators see ---------------------------------------------------------------------


SCHEMES = ("icjs", "itsso")  # every page is also measured in these (issue 13); CCTNS is the default


class Ctx:
    def __init__(self, client: Any, csrf: str, deps: list[dict[str, Any]], units: Units):
        self.client = client
        self.csrf = csrf
        self.deps = deps
        self.units = units
        self.latest = units.months[-1]
        self._pages: dict[str, dict[str, Any]] = {}
        self._outputs: dict[tuple[str, str], Any] = {}
        self.shell = layout_props(client.get("/_dash-layout").get_json())

    # page URLs
    def national_urls(self) -> list[str]:
        urls = [f"/?month={m}" for m in reversed(self.units.months)]  # latest first
        urls += [f"/?month={self.latest}&category={c}" for c in ("Major%20States", "UTs")]
        urls += [f"/?month={self.latest}&scheme={s}" for s in SCHEMES]  # the ranking schemes (issue 13)
        return urls

    def state_urls(self) -> list[str]:
        return [f"/state/{s}?month={self.latest}" for s in self.units.states] + [
            f"/state/{self.units.states[0]}?month={m}" for m in self.units.months[:-1]] + [
            f"/state/{self.units.states[0]}?month={self.latest}&scheme={s}" for s in SCHEMES]

    def district_urls(self) -> list[str]:
        return [f"/district/{d}?month={self.latest}" for d, _ in self.units.districts] + [
            f"/district/{self.units.districts[0][0]}?month={self.latest}&scheme={s}" for s in SCHEMES]

    def station_urls(self) -> list[str]:
        return [f"/station/{s}?month={self.latest}" for s in self.units.stations] + [
            f"/station/{self.units.stations[0]}?month={self.latest}&scheme={s}" for s in SCHEMES]

    def lagging_urls(self) -> list[str]:
        urls = [f"/lagging?month={self.latest}"]
        urls += [f"/lagging?month={self.latest}&state={s}" for s in self.units.states[: max(4, len(self.units.states) // 3)]]
        urls += [f"/lagging?month={self.latest}&state={s}&district={d}" for d, s in self.units.districts[:8]]
        urls += [f"/lagging?month={self.latest}&state={self.units.states[0]}&scheme={s}" for s in SCHEMES]
        return urls

    def methodology_urls(self) -> list[str]:
        return [f"/methodology?month={m}" for m in reversed(self.units.months)]

    def data_urls(self) -> list[str]:
        return [f"/data?month={m}" for m in reversed(self.units.months)]

    def present_urls(self) -> list[str]:
        n = 2 if len(self.units.states) <= 4 else 4
        return ([f"/present?month={self.latest}&state={s}" for s in self.units.states[:n]]
                + [f"/present?month={self.latest}&state={s}&district={d}" for d, s in self.units.districts[:n]]
                + [f"/present?month={self.latest}&state={self.units.states[0]}&scheme={s}" for s in SCHEMES])

    def flags_urls(self) -> list[str]:
        return [f"/flags?month={self.latest}"] + [f"/flags?month={self.latest}&state={s}" for s in self.units.states[:4]]

    def provisional_urls(self) -> list[str]:
        return ["/provisional"] + [f"/provisional?state={s}" for s in self.units.states[:4]] + [
            f"/provisional?state={s}&district={d}" for d, s in self.units.districts[:4]]

    def profile_urls(self) -> list[str]:
        return ["/profile"]

    def actions_urls(self) -> list[str]:
        return ([f"/actions?state={s}" for s in self.units.states]
                + [f"/actions?state={s}&district={d}" for d, s in self.units.districts[:4]])

    def page_urls(self) -> dict[str, list[str]]:
        return {"national": self.national_urls(), "state": self.state_urls(), "district": self.district_urls(),
                "station": self.station_urls(), "lagging": self.lagging_urls(),
                "methodology": self.methodology_urls(), "data": self.data_urls(), "present": self.present_urls(),
                "actions": self.actions_urls(), "flags": self.flags_urls(), "provisional": self.provisional_urls(),
                "profile": self.profile_urls()}

    def all_urls(self, per_page: int = 4) -> list[str]:
        return [u for urls in self.page_urls().values() for u in urls[:per_page]]

    # requests
    def post(self, body: dict[str, Any]) -> Any:
        return self.client.post("/_dash-update-component", json=body,
                                headers={CSRF_HEADER: self.csrf, "Accept-Encoding": "gzip"})

    def dep(self, output_key: str) -> dict[str, Any] | None:
        for d in self.deps:
            if d.get("clientside_function") is None and output_key in output_keys(d["output"]):
                return d
        return None

    def page_props(self, url: str) -> dict[str, Any]:
        """Every component prop of the shell and of the page at `url` (rendered by the routing callback)."""
        if url not in self._pages:
            props = dict(self.shell)
            props.update(url_props(url))
            routing = self.dep(ROUTING_OUTPUT)
            if routing is not None:
                r = self.post(callback_body(routing, props))
                if r.status_code == 200:
                    values = response_values(_json(r))
                    props.update(layout_props(values.get(ROUTING_OUTPUT)))
                    props.update({k: v for k, v in values.items() if k != ROUTING_OUTPUT})
            self._pages[url] = props
        return self._pages[url]

    def page_ids(self, url: str) -> set[str]:
        return {k.rsplit(".", 1)[0] for k in self.page_props(url)}

    def output(self, url: str, output_key: str) -> Any:
        """The value a page's callback gives `output_key` on first render (for clicks on what it drew)."""
        key = (url, output_key)
        if key not in self._outputs:
            dep = self.dep(output_key)
            value = None
            if dep is not None:
                r = self.post(callback_body(dep, self.page_props(url)))
                if r.status_code == 200:
                    value = response_values(_json(r)).get(output_key)
            self._outputs[key] = value
        return self._outputs[key]

    def visit_bodies(self, url: str) -> list[dict[str, Any]]:
        """What the browser posts when it opens `url` in the app: the routing callback, then every
        server callback that fires initially and reads the page's components or the URL."""
        props = self.page_props(url)
        page_ids = self.page_ids(url) - {k.rsplit(".", 1)[0] for k in self.shell}
        bodies = []
        routing = self.dep(ROUTING_OUTPUT)
        if routing is not None:
            bodies.append(callback_body(routing, props))
        for d in self.deps:
            if d.get("clientside_function") is not None or d.get("prevent_initial_call") or d is routing:
                continue
            try:
                ids = {i["id"] for i in d.get("inputs", [])}
            except TypeError:
                continue
            if any(isinstance(i, dict) for i in ids):
                continue
            if (ids & page_ids or ids & {"url"}) and ids <= self.page_ids(url) | {"url"}:
                bodies.append(callback_body(d, props))
        return bodies


# --- realistic input generators, keyed by output (and first input) -----------------------------------


def _urls(fn: Callable[[Ctx], list[str]]) -> Callable[[Ctx], list[Scenario]]:
    return lambda c: [Scenario(u, u) for u in fn(c)]


def _first_rows(c: Ctx, urls: list[str], grid: str, n: int = 3) -> list[tuple[str, Any]]:
    out = []
    for u in urls:
        rows = c.output(u, f"{grid}.rowData")
        if isinstance(rows, list) and rows:
            out.extend((u, r) for r in rows[:n])
    return out


def _clicks(c: Ctx, urls: list[str], graph: str) -> list[tuple[str, Any]]:
    """A click on the first point of each drawn trace that carries customdata."""
    out = []
    for u in urls:
        fig = c.output(u, f"{graph}.figure")
        for trace in (fig or {}).get("data", []) if isinstance(fig, dict) else []:
            cd = trace.get("customdata")
            if isinstance(cd, list) and cd:
                out.append((u, {"points": [{"customdata": cd[0], "curveNumber": 0, "pointNumber": 0}]}))
                break
    return out


def _row_clicks(grid: str, urls: Callable[[Ctx], list[str]], graph: str | None = None,
                rows: int = 2) -> Callable[[Ctx], list[Scenario]]:
    def gen(c: Ctx) -> list[Scenario]:
        u = urls(c)[:3]
        sc = [Scenario(f"row of {grid} on {p}", p, {f"{grid}.selectedRows": [r]}, [f"{grid}.selectedRows"])
              for p, r in _first_rows(c, u, grid, rows)]
        if graph:
            sc += [Scenario(f"click on {graph} on {p}", p, {f"{graph}.clickData": cl}, [f"{graph}.clickData"])
                   for p, cl in _clicks(c, u, graph)]
        return sc

    return gen


def _search(c: Ctx) -> list[Scenario]:
    return [Scenario(f"type {t!r}", "/", {"shell-search.search_value": t}, ["shell-search.search_value"])
            for t in c.units.search_terms]


def _search_pick(c: Ctx) -> list[Scenario]:
    values = [f"state:{c.units.states[0]}", f"district:{c.units.districts[0][0]}", f"station:{c.units.stations[0]}"]
    return [Scenario(f"pick {v}", f"/?month={c.latest}", {"shell-search.value": v}, ["shell-search.value"])
            for v in values]


def _bump(c: Ctx) -> list[Scenario]:
    urls = c.national_urls()
    picks = [Scenario(f"{u} + 5 States", u, {"national-bump-pick.value": c.units.states[:5]},
                      ["national-bump-pick.value"]) for u in urls[:2]]
    return [Scenario(u, u) for u in urls] + picks


def _station_param(c: Ctx) -> list[Scenario]:
    out = []
    for u in c.station_urls()[:8]:
        for p in c.units.parameters[:3]:
            out.append(Scenario(f"{u} parameter {p}", u, {"station-param-pick.value": p}, ["station-param-pick.value"]))
    return out


def _district_peer(c: Ctx) -> list[Scenario]:
    out = [Scenario(u, u) for u in c.district_urls()]
    for u in c.district_urls()[:4]:
        options = c.page_props(u).get("district-peer.options") or []
        for o in options[1:3]:
            value = o.get("value") if isinstance(o, dict) else o
            out.append(Scenario(f"{u} peer {value}", u, {"district-peer.value": value}, ["district-peer.value"]))
    return out


def _lagging_filters(c: Ctx) -> list[Scenario]:
    u = c.lagging_urls()[0]
    out = []
    for s in c.units.states[:4]:
        out.append(Scenario(f"filter State {s}", u, {"lagging-state.value": s}, ["lagging-state.value"]))
    for d, s in c.units.districts[:4]:
        out.append(Scenario(f"filter district {d}", u, {"lagging-state.value": s, "lagging-district.value": d},
                            ["lagging-district.value"]))
    return out


def _lagging_pages(c: Ctx) -> list[Scenario]:
    """Pages 2 and 3 of the lagging list of each State (server-side paging: a page is one request)."""
    return [Scenario(f"{u} page {n}", u, {"lagging-pager.active_page": n}, ["lagging-pager.active_page"])
            for u in c.lagging_urls()[1:] if "district=" not in u for n in (2, 3)]


def _scheme_switch(c: Ctx) -> list[Scenario]:
    """The ranking-scheme switch picked on the national and a State page (issue 13)."""
    pages = [f"/?month={c.latest}", f"/state/{c.units.states[0]}?month={c.latest}"]
    return [Scenario(f"pick {s} on {u}", u, {"shell-scheme.value": s}, ["shell-scheme.value"])
            for u in pages for s in ("icjs", "itsso", "cctns")] + [Scenario(u, u) for u in pages]


def _month_pick(c: Ctx) -> list[Scenario]:
    """The month switch in the shell, on the national, a State and a district page."""
    pages = [f"/?month={c.latest}", f"/state/{c.units.states[0]}?month={c.latest}",
             f"/district/{c.units.districts[0][0]}?month={c.latest}"]
    return [Scenario(f"pick {m} on {u}", u, {"shell-month.value": m}, ["shell-month.value"])
            for u in pages for m in c.units.months[:2]]


def _actions_filters(c: Ctx) -> list[Scenario]:
    u = c.actions_urls()[0]
    return [Scenario(f"filter State {s}", u, {"actions-state.value": s}, ["actions-state.value"])
            for s in c.units.states[:4]]


def _flag_status(c: Ctx) -> list[Scenario]:
    return [Scenario(u, u) for u in c.flags_urls()] + [
        Scenario(f"{u} status {v}", u, {"flags-status.value": v}, ["flags-status.value"])
        for u in c.flags_urls()[:2] for v in ("dismissed", "all")]


def _noop(c: Ctx) -> list[Scenario]:
    return [Scenario("no-op", "/", {"bench-noop-in.value": "x"}, ["bench-noop-in.value"])]


GENERATORS: dict[str, Callable[[Ctx], list[Scenario]]] = {
    NOOP_OUTPUT: _noop,
    ROUTING_OUTPUT: lambda c: [Scenario(u, u) for u in c.all_urls()],
    # shell
    "shell-month.options": lambda c: [Scenario(u, u) for u in c.all_urls()],
    "shell-scheme.options": _scheme_switch,
    "shell-breadcrumb.children": lambda c: [Scenario(u, u) for u in c.all_urls()],
    "shell-data-as-of.children": lambda c: [Scenario(u, u) for u in c.all_urls(2)],
    "shell-search.options": _search,
    "url.href <- shell-search": _search_pick,
    "url.href <- shell-month": _month_pick,
    "shell-nav-actions.children": lambda c: [Scenario(u, u) for u in c.all_urls()],
    "shell-provisional-notice.children": lambda c: [Scenario(u, u) for u in c.all_urls()],
    # national
    "national-table-data.data": _urls(Ctx.national_urls),
    "national-bump.figure": _bump,
    "url.href <- national-heatmap": lambda c: [
        Scenario(f"click on national-heatmap on {p}", p, {"national-heatmap.clickData": cl}, ["national-heatmap.clickData"])
        for p, cl in _clicks(c, c.national_urls()[:3], "national-heatmap")],
    # State
    "state-title.children": _urls(Ctx.state_urls),
    "state-districts.rowData": _urls(Ctx.state_urls),
    "url.href <- state-districts": _row_clicks("state-districts", Ctx.state_urls, "state-heatmap"),
    # district
    "district-title.children": _urls(Ctx.district_urls),
    "district-heatmap.figure": _urls(Ctx.district_urls),
    "district-stations.rowData": _district_peer,
    "url.href <- district-stations": _row_clicks("district-stations", Ctx.district_urls, "district-heatmap"),
    # station
    "station-title.children": _urls(Ctx.station_urls),
    "station-param-trend.figure": _station_param,
    "station-param-pick.value": _row_clicks("station-params", Ctx.station_urls),
    # lagging
    "lagging-subtitle.children": _urls(Ctx.lagging_urls),
    "url.search <- lagging-state": _lagging_filters,
    "lagging-detail.children": _row_clicks("lagging-table", Ctx.lagging_urls),
    "lagging-table.rowData <- lagging-pager": _lagging_pages,
    # methodology, data, conference mode
    "methodology-subtitle.children": _urls(Ctx.methodology_urls),
    "data-subtitle.children": _urls(Ctx.data_urls),
    "deck-stage.children": _urls(Ctx.present_urls),
    "deck-part-2.children": _urls(Ctx.present_urls),
    "deck-part-3.children": _urls(Ctx.present_urls),
    "deck-part-4.children": _urls(Ctx.present_urls),
    # the review loop (issue 11)
    "actions-title.children": _urls(Ctx.actions_urls),
    "state-actions-panel.children": _urls(Ctx.state_urls),
    "district-actions-panel.children": _urls(Ctx.district_urls),
    "station-actions-panel.children": _urls(Ctx.station_urls),
    "url.search <- actions-state": _actions_filters,
    # looking ahead (issue 14): projections, flags, provisional figures
    "national-projection-table-data.data": _urls(Ctx.national_urls),
    "state-foresight.children": _urls(Ctx.state_urls),
    "district-foresight.children": _urls(Ctx.district_urls),
    "flags-table.rowData": _flag_status,
    "flags-selected.children": _row_clicks("flags-table", Ctx.flags_urls),
    "provisional-title.children": _urls(Ctx.provisional_urls),
    "profile-subtitle.children": _urls(Ctx.profile_urls),
}


def generator_for(dep: dict[str, Any]) -> tuple[str | None, Callable[[Ctx], list[Scenario]] | None]:
    first_input = next((i["id"] for i in dep.get("inputs", []) if isinstance(i.get("id"), str)), "")
    for out in output_keys(dep["output"]):
        for key in (f"{out} <- {first_input}", out):
            if key in GENERATORS:
                return key, GENERATORS[key]
    return None, None


def label_of(dep: dict[str, Any]) -> str:
    outs = output_keys(dep["output"])
    first_input = next((f"{i['id']}.{i['property']}" for i in dep.get("inputs", []) if isinstance(i.get("id"), str)), "?")
    more = f" (+{len(outs) - 1} outputs)" if len(outs) > 1 else ""
    return f"{outs[0]}{more} <- {first_input}"


# --- the measurement ------------------------------------------------------------------------------------


def measure(app: dash.Dash, username: str, password: str, engine: Engine, quick: bool,
            warm_rounds: int = 2, noop_runs: int = 300) -> dict[str, Any]:
    """Time every callback: a cold pass over all scenarios (cache emptied first), then warm passes."""
    from dashboard.read.cache import cache_stats, clear

    client = app.server.test_client()
    csrf = sign_in(client, username, password)
    deps = client.get("/_dash-dependencies").get_json()
    ctx = Ctx(client, csrf, deps, pick_units(engine, quick))

    plans: list[dict[str, Any]] = []
    for dep in deps:
        row: dict[str, Any] = {"callback": label_of(dep), "output": dep["output"], "samples": []}
        plans.append(row)
        if dep.get("clientside_function") is not None:
            row["status"] = "clientside (runs in the browser)"
            continue
        key, gen = generator_for(dep)
        row["generator"] = key
        if gen is None:
            row["status"] = "no inputs generator"
            continue
        try:
            scenarios = gen(ctx)
        except Exception as exc:  # noqa: BLE001 - report, do not stop the benchmark
            row["status"] = f"generator failed: {type(exc).__name__}: {exc}"
            continue
        if not scenarios:
            row["status"] = "generator found no realistic inputs"
            continue
        bodies = []
        for sc in scenarios:
            values = dict(ctx.page_props(sc.url))
            values.update(sc.values)
            try:
                bodies.append((sc.label, callback_body(dep, values, sc.changed)))
            except ValueError as exc:
                row["status"] = f"no inputs generator ({exc})"
                break
        row["bodies"] = bodies
        row["status"] = "ok"

    clear(app.server)
    base = cache_stats(app.server)
    for rnd in range(1 + warm_rounds):
        for row in plans:
            for label, body in row.get("bodies", []):
                cpu = time.process_time()
                t = Timer()
                r = ctx.post(body)
                ms = t.ms
                cpu_ms = (time.process_time() - cpu) * 1000  # this process only: the app, not Redis/PostgreSQL
                raw = gzip.decompress(r.data) if r.headers.get("Content-Encoding") == "gzip" else r.data
                row["samples"].append({"round": rnd, "ms": ms, "cpu_ms": cpu_ms, "status": r.status_code,
                                       "bytes": len(raw), "wire_bytes": len(r.data), "label": label})
    stats = cache_stats(app.server)

    # the floor: many runs of the no-op
    noop = next((r for r in plans if r["output"] == NOOP_OUTPUT), None)
    floor_ms: list[float] = []
    if noop is not None and noop.get("bodies"):
        body = noop["bodies"][0][1]
        for _ in range(noop_runs):
            t = Timer()
            ctx.post(body)
            floor_ms.append(t.ms)
    floor = summary_ms(floor_ms)

    results = []
    for row in plans:
        s = row["samples"]
        cold = [x["ms"] for x in s if x["round"] == 0]
        warm = [x["ms"] for x in s if x["round"] > 0]
        errors = [x for x in s if x["status"] not in (200, 204)]
        out = {
            "callback": row["callback"], "generator": row.get("generator"), "status": row["status"],
            "inputs": len(row.get("bodies", [])),
            "cold": summary_ms(cold), "warm": summary_ms(warm),
            "cold_cpu": summary_ms([x["cpu_ms"] for x in s if x["round"] == 0]),
            "warm_cpu": summary_ms([x["cpu_ms"] for x in s if x["round"] > 0]),
            "max_bytes": max((x["bytes"] for x in s), default=None),
            "max_wire_bytes": max((x["wire_bytes"] for x in s), default=None),
            "errors": len(errors),
            "error_examples": sorted({f"HTTP {x['status']} on {x['label']}" for x in errors})[:3],
        }
        if floor["p50_ms"] and out["cold"]["p95_ms"] is not None:
            out["ratio_cold_p95"] = round(out["cold"]["p95_ms"] / floor["p50_ms"], 1)
            out["ratio_warm_p95"] = round(out["warm"]["p95_ms"] / floor["p50_ms"], 1) if out["warm"]["p95_ms"] else None
        results.append(out)
    cache = {"type": stats["type"], "hits": stats.get("hits", 0) - base.get("hits", 0),
             "misses": stats.get("misses", 0) - base.get("misses", 0)}
    visits = {page: [{"url": u, "bodies": ctx.visit_bodies(u)} for u in urls[:6]]
              for page, urls in ctx.page_urls().items()}
    return {"floor": floor, "callbacks": results, "cache": cache, "visits": visits, "units": ctx.units.__dict__}


def measure_warmup(app: dash.Dash, username: str, password: str, engine: Engine, visits: dict[str, Any],
                   budget_s: float) -> dict[str, Any]:
    """The cache emptied, the warm-up after an import (dashboard.web.warmup) run with a budget, then the
    first callbacks of the State and district pages as the browser posts them: how many are warm."""
    from dashboard.read import clear, generation
    from dashboard.web import cached_outputs, warm

    clear(app.server)
    report = warm(app, generation(engine), budget_s)
    client = app.server.test_client()
    csrf = sign_in(client, username, password)
    marked = cached_outputs(app.server)
    ms, hits = [], 0
    for page in ("state", "district"):
        for visit in visits.get(page, []):
            for body in visit["bodies"]:
                if body["output"] not in marked:
                    continue
                t = Timer()
                r = client.post("/_dash-update-component", json=body, headers={CSRF_HEADER: csrf, "Accept-Encoding": "gzip"})
                ms.append(t.ms)
                hits += r.headers.get("X-CCTNS-Cache") == "hit"
    return {"budget_s": budget_s, "pages": report.pages, "answers": report.answers, "seconds": report.seconds,
            "stopped": report.stopped, "first_clicks": summary_ms(ms), "hits": hits}
