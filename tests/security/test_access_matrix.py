"""Access-control matrix, driven by the running app: every route in `app.server.url_map` and every callback
in `/_dash-dependencies`, as every role (anonymous, national, State, district SP, another State's user).

* anonymous: 401 (or a 302 to /login for pages) for everything that is not public;
* in scope: 200 with the unit's data;
* out of scope and crafted posts: nothing of units outside the scope anywhere in the body (every station
  code and name of the database is searched for), and a `scope_violation` audit row where the request
  explicitly named an out-of-scope unit;
* downloads, session expiry, lockout, CSRF, security headers, scope in cache keys;
* docs/ACCESS.md lists every route and callback with its check.

A callback with an input no generator knows fails `test_every_callback_has_a_generator_and_a_check`,
naming it; add a generator in `access_support.VALUES` and a `Check` in `access_support.CALLBACK_CHECKS`.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import time
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import dash
import pytest
from access_support import (
    CALLBACK_CHECKS,
    ROUTE_CHECKS,
    SPLIT_ANSWERS,
    Callback,
    Catalogue,
    Forbidden,
    Station,
    Target,
    body_codes,
    callbacks_from_dependencies,
    district_target,
    find_stores,
    load_catalogue,
    missing_generators,
    page_urls,
    render_access_md,
    response_text,
    route_url,
    state_target,
    update_body,
)
from sqlalchemy import func, select

from dashboard.scope import Scope
from dashboard.store.models import AuditEvent
from dashboard.web.users import create_user, get_user

ROOT = Path(__file__).resolve().parents[2]
ACCESS_MD = ROOT / "docs" / "ACCESS.md"
ROLES = ("ncrb", "haryana", "karnal-sp", "manipur-hq")
OTHER_STATE_USER = "manipur-hq"
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"/")


# --- fixtures ----------------------------------------------------------------------------------------------


def sign_in(app: Any, username: str, password: str, addr: str = "127.0.0.1") -> Any:
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = addr
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token, "next": "/"})
    assert r.status_code in (302, 303), r.get_data(as_text=True)[:300]
    with client.session_transaction() as s:
        client.csrf = s["csrf"]
    return client


@pytest.fixture(scope="module")
def passwords(demo_engine, demo_users) -> dict[str, str]:
    out = dict(demo_users)
    out[OTHER_STATE_USER] = secrets.token_urlsafe(15)
    if get_user(demo_engine, OTHER_STATE_USER) is None:
        create_user(demo_engine, OTHER_STATE_USER, out[OTHER_STATE_USER], "state", state_code="MN", actor="test")
    else:
        from dashboard.web.users import set_password

        set_password(demo_engine, OTHER_STATE_USER, out[OTHER_STATE_USER], actor="test")
    return out


@pytest.fixture(scope="module")
def clients(dash_app, passwords) -> dict[str, Any]:
    return {u: sign_in(dash_app, u, passwords[u]) for u in ROLES}


@pytest.fixture(scope="module")
def scopes(demo_engine, passwords) -> dict[str, Scope]:
    return {u: get_user(demo_engine, u).scope for u in ROLES}


@pytest.fixture(scope="module")
def callbacks(clients) -> list[Callback]:
    r = clients["ncrb"].get("/_dash-dependencies")
    assert r.status_code == 200
    cbs = callbacks_from_dependencies(r.get_json())
    assert len([c for c in cbs if not c.clientside]) >= 20, "the callback graph looks incomplete"
    return cbs


@pytest.fixture(scope="module")
def server_callbacks(callbacks) -> list[Callback]:
    return [c for c in callbacks if not c.clientside]


@pytest.fixture(scope="module")
def cat(demo_engine) -> Catalogue:
    return load_catalogue(demo_engine)


def _first_district(cat: Catalogue, state: str) -> str:
    return sorted(d for d, s in cat.district_state.items() if s == state)[0]


@pytest.fixture(scope="module", autouse=True)
def errors_as_responses(dash_app) -> Iterator[None]:
    """Let errors reach the app's 500 handler (as in production) instead of raising in the test client."""
    cfg = dash_app.server.config
    old = cfg.get("PROPAGATE_EXCEPTIONS")
    cfg["PROPAGATE_EXCEPTIONS"] = False
    yield
    cfg["PROPAGATE_EXCEPTIONS"] = old


def with_stores(t: Target, client: Any, pages_cb: Callback) -> Target:
    """The target with the query store of every page as that page's layout builds it from the URL."""
    stores: dict[str, Any] = {}
    for pathname, search in page_urls(dash.page_registry, t):
        body = update_body(pages_cb, t)
        values = {"pathname": pathname, "search": search}
        for i in body["inputs"]:
            i["value"] = values[i["property"]]
        r = post(client, body)
        assert r.status_code == 200, f"{pathname}{search}: {r.status_code}"
        find_stores(r.get_json(), stores)
    return replace(t, stores=stores)


@pytest.fixture(scope="module")
def targets(cat, clients, server_callbacks) -> dict[str, dict[str, list[Target]]]:
    """Per user: the units it may see ('in') and units it may not ('out'), each with every page's query
    store for that unit."""
    pages_cb = next(c for c in server_callbacks if ("_pages_content", "children") in c.outputs)
    made: dict[str, Target] = {}

    def full(t: Target) -> Target:
        if t.label not in made:
            made[t.label] = with_stores(t, clients["ncrb"], pages_cb)
        return made[t.label]

    return {role: {kind: [full(t) for t in ts] for kind, ts in per.items()}
            for role, per in _raw_targets(cat).items()}


def _raw_targets(cat: Catalogue) -> dict[str, dict[str, list[Target]]]:
    up = _first_district(cat, "UP")
    return {
        "ncrb": {"in": [district_target(cat, "HR-KNL", "HR-KNL"), state_target(cat, "UP", "UP"),
                        district_target(cat, up, up)], "out": []},
        "haryana": {"in": [district_target(cat, "HR-ABL", "HR-ABL"), state_target(cat, "HR", "HR")],
                    "out": [district_target(cat, up, up), state_target(cat, "UP", "UP")]},
        "karnal-sp": {"in": [district_target(cat, "HR-KNL", "HR-KNL")],
                      "out": [district_target(cat, "HR-ABL", "HR-ABL"), state_target(cat, "HR", "HR"),
                              district_target(cat, up, up)]},
        OTHER_STATE_USER: {"in": [district_target(cat, _first_district(cat, "MN"), "MN district"),
                                  state_target(cat, "MN", "MN")],
                           "out": [district_target(cat, "HR-KNL", "HR-KNL"), state_target(cat, "HR", "HR")]},
    }


def post(client: Any, body: dict, csrf: bool = True) -> Any:
    headers = {"X-CSRFToken": client.csrf} if csrf else {}
    return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json",
                       headers=headers)


def violations(engine: Any, actor: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "scope_violation", AuditEvent.actor == actor)).scalar_one())


def unit_stations(cat: Catalogue, t: Target, level: str) -> list[Station]:
    """The stations of the unit a request names: its district's, or the whole State's."""
    names = [s.name for s in cat.stations]
    unique = [s for s in cat.stations if names.count(s.name) == 1]
    if level == "district" and t.district:
        return [s for s in unique if s.district == t.district]
    return [s for s in unique if s.state == t.state]


def hits(text: str, stations: list[Station], echoed: set[str]) -> set[str]:
    """Stations of the list named in the text (by unique name, or by a code the request did not carry)."""
    out = set()
    for s in stations:
        if s.code not in echoed and re.search(rf"(?<![A-Za-z0-9-]){re.escape(s.code)}(?![A-Za-z0-9-])", text):
            out.add(s.code)
        if re.search(rf"(?<![A-Za-z0-9]){re.escape(s.name)}(?![A-Za-z0-9])", text):
            out.add(s.code)
    return out


def triggers(cb: Callback) -> range:
    return range(len(cb.inputs))


def applicable(cb: Callback, t: Target) -> bool:
    """A page callback runs for a target only if that page exists for it (no station page for a State)."""
    return all(cid in t.stores for cid, prop in cb.inputs + cb.state
               if isinstance(cid, str) and cid.endswith("-query") and prop == "data")


class NationalAnswers:
    """The national user's answer to each request (what is there to leak), asked once, before the
    restricted users' requests: so a scope-blind cache would hand it to them."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.memo: dict[tuple[str, str, int], tuple[int, str]] = {}

    def get(self, cb: Callback, t: Target, trigger: int) -> tuple[int, str]:
        key = (cb.key, t.label, trigger)
        if key not in self.memo:
            r = post(self.client, update_body(cb, t, trigger))
            self.memo[key] = (r.status_code, response_text(r.get_data()))
        return self.memo[key]


@pytest.fixture(scope="module")
def national(clients) -> NationalAnswers:
    return NationalAnswers(clients["ncrb"])


# --- completeness and the access document ------------------------------------------------------------------


def test_every_callback_has_a_generator_and_a_check(server_callbacks, targets):
    probe = targets["ncrb"]["in"][0]  # a district with a station: every page exists for it
    problems = []
    for cb in server_callbacks:
        missing = missing_generators(cb, probe)
        if missing:
            problems.append(f"{cb.key}: no request generator for input(s) {missing} "
                            "(add one to tests/security/access_support.py VALUES)")
        if cb.key not in CALLBACK_CHECKS:
            problems.append(f"{cb.key}: not in access_support.CALLBACK_CHECKS (say what it checks)")
    assert not problems, "\n".join(problems)


def test_every_route_has_a_check_and_a_sample_url(dash_app):
    problems = []
    for rule in dash_app.server.url_map.iter_rules():
        if rule.rule not in ROUTE_CHECKS:
            problems.append(f"{rule.rule} ({rule.endpoint}): not in access_support.ROUTE_CHECKS")
        try:
            route_url(rule)
        except KeyError as exc:
            problems.append(str(exc))
    assert not problems, "\n".join(problems)


def test_access_doc_lists_every_route_and_callback(dash_app, callbacks):
    text = render_access_md(list(dash_app.server.url_map.iter_rules()), callbacks)
    if os.environ.get("CCTNS_UPDATE_ACCESS_DOC"):
        ACCESS_MD.write_text(text)
    assert "**MISSING**" not in text, "a route or callback has no check: see access_support.py"
    assert ACCESS_MD.exists(), "docs/ACCESS.md is missing (CCTNS_UPDATE_ACCESS_DOC=1 to write it)"
    doc = ACCESS_MD.read_text()
    for rule in dash_app.server.url_map.iter_rules():
        assert f"| `{rule.rule}` |" in doc, f"docs/ACCESS.md does not list route {rule.rule}"
    for cb in callbacks:
        assert f"| `{cb.key}` |" in doc, f"docs/ACCESS.md does not list callback {cb.key}"
    assert doc == text, "docs/ACCESS.md is out of date: CCTNS_UPDATE_ACCESS_DOC=1 .venv/bin/python -m pytest " \
                        "tests/security -k access_doc"


# --- anonymous ---------------------------------------------------------------------------------------------------

PUBLIC = {"/login", "/logout", "/health", "/_favicon.ico", "/assets/<path:filename>"}
API = ("/_", "/download/", "/export/", "/api/")


def test_anonymous_gets_401_or_login_for_every_route(dash_app):
    client = dash_app.server.test_client()
    problems = []
    for rule in dash_app.server.url_map.iter_rules():
        url = route_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            r = client.open(url, method=method, json={} if method == "POST" else None)
            if rule.rule in PUBLIC:
                if r.status_code == 401:
                    problems.append(f"{method} {url}: public route refused anonymous ({r.status_code})")
                continue
            if url.startswith(API) or method != "GET":
                ok = r.status_code == 401 and (r.get_json(silent=True) or {}).get("error") == "not signed in"
            else:
                ok = r.status_code == 302 and r.headers["Location"].startswith("/login?next=")
            if not ok:
                problems.append(f"{method} {url}: {r.status_code} {r.get_data(as_text=True)[:120]!r}")
    # non-public files under /assets/ also need a session
    r = client.get("/assets/secret.json")
    if r.status_code != 302 or not r.headers["Location"].startswith("/login?next="):
        problems.append(f"GET /assets/secret.json: {r.status_code}")
    assert not problems, "\n".join(problems)


def test_anonymous_gets_401_for_every_callback(dash_app, server_callbacks, targets):
    client = dash_app.server.test_client()
    t = targets["ncrb"]["in"][0]
    problems = []
    for cb in server_callbacks:
        for headers in ({}, {"X-CSRFToken": "forged"}):
            r = client.post("/_dash-update-component", json=update_body(cb, t), headers=headers)
            if r.status_code != 401 or r.get_json() != {"error": "not signed in", "login": "/login"}:
                problems.append(f"{cb.key}: {r.status_code} {r.get_data(as_text=True)[:120]!r}")
    assert not problems, "\n".join(problems)


# --- every callback as every role ------------------------------------------------------------------------------


def _check_callbacks(role: str, server_callbacks: list[Callback], clients: dict, scopes: dict,
                     targets: dict, cat: Catalogue, national: NationalAnswers, engine: Any) -> Iterator[str]:
    client, sc = clients[role], scopes[role]
    forbidden = Forbidden(cat, sc)
    for cb in server_callbacks:
        check = CALLBACK_CHECKS[cb.key]
        for kind in ("in", "out"):
            for t in targets[role][kind]:
                if not applicable(cb, t):
                    continue
                for trig in triggers(cb):
                    body = update_body(cb, t, trig)
                    echoed = body_codes(body)
                    nat_status, nat_text = national.get(cb, t, trig)
                    where = f"{cb.key} [{role}, {kind} {t.label}, trigger {cb.inputs[trig][0]}]"
                    before = violations(engine, sc.username)
                    r = post(client, body)
                    text = response_text(r.get_data())
                    if r.status_code not in ((200, 204) if kind == "in" else (200, 204, 403)):
                        yield f"{where}: status {r.status_code} {text[:200]!r}"
                        continue
                    if TRACEBACK.search(text):
                        yield f"{where}: a stack trace in the response"
                    leaked = forbidden.found(text, echoed)
                    if leaked:
                        yield f"{where}: out-of-scope stations in the response: {leaked[:8]}"
                    if check.stations not in ("district", "state", "state-part") or nat_status != 200:
                        continue
                    level = "district" if check.stations == "district" and t.district else "state"
                    unit = unit_stations(cat, t, level)
                    national_has = hits(nat_text, unit, echoed)
                    if not national_has:
                        continue
                    can_see = (sc.can_see_district(t.state, t.district) if level == "district"
                               else sc.can_see_state_stations(t.state))
                    if can_see and not hits(text, unit, echoed):
                        yield f"{where}: in scope but none of the unit's stations in the response"
                    explicit = (check.stations == "district" and t.district is not None
                                and not sc.can_see_district(t.state, t.district)) or \
                               (check.stations == "state" and not sc.can_see_state_detail(t.state))
                    if check.audit and explicit and violations(engine, sc.username) <= before:
                        yield f"{where}: explicit out-of-scope request not audited as scope_violation"


@pytest.mark.parametrize("role", ROLES)
def test_every_callback_as_every_role(role, server_callbacks, clients, scopes, targets, cat, national,
                                      demo_engine):
    problems = list(_check_callbacks(role, server_callbacks, clients, scopes, targets, cat, national,
                                     demo_engine))
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_the_matrix_reaches_station_data(server_callbacks, targets, cat, national):
    """The generators must really ask for data: each callback that can return stations does so for the
    national user with some target (else the leak checks above would prove nothing)."""
    missing = []
    reached = set()
    all_targets = [t for per in targets.values() for kind in ("in", "out") for t in per[kind]]
    for cb in server_callbacks:
        check = CALLBACK_CHECKS[cb.key]
        if check.stations not in ("district", "state", "state-part"):
            continue
        found = False
        for t in all_targets:
            if not applicable(cb, t):
                continue
            for trig in triggers(cb):
                status, text = national.get(cb, t, trig)
                level = "district" if check.stations == "district" and t.district else "state"
                if status == 200 and hits(text, unit_stations(cat, t, level),
                                          body_codes(update_body(cb, t, trig))):
                    found = True
                    break
            if found:
                break
        if found:
            reached.add(cb.key)
        else:
            missing.append(cb.key)
    # one answer cut into parts (the deck: which slides land in which part depends on the deck's length):
    # the parts together must reach station data
    for group in SPLIT_ANSWERS:
        if reached & group:
            missing = [k for k in missing if k not in group]
    assert not missing, "no station data for the national user from:\n" + "\n".join(missing)


# --- crafted posts ----------------------------------------------------------------------------------------------


def _crafted(body: dict, t: Target) -> Iterator[tuple[str, dict]]:
    b = json.loads(json.dumps(body))
    extra = json.loads(json.dumps(body))
    extra["inputs"].append({"id": "district-query", "property": "data", "value": t.query()})
    extra["inputs"].append({"id": "station-query", "property": "data", "value": t.query()})
    yield "extra inputs", extra
    wrong = json.loads(json.dumps(body))
    for i in wrong["inputs"]:
        i["property"] = "children"
    yield "wrong property names", wrong
    pattern = json.loads(json.dumps(body))
    pattern["inputs"][0]["id"] = {"type": pattern["inputs"][0]["id"], "index": 0}
    yield "pattern-matching id", pattern
    swapped = json.loads(json.dumps(body))
    for i in swapped["inputs"] + swapped["state"]:
        if isinstance(i.get("value"), str) and i["value"].startswith("?"):
            i["value"] = f"?state={t.state}&district={t.district or ''}&station={t.station or ''}&month={t.month}"
        if isinstance(i.get("value"), dict):
            i["value"] = {**i["value"], "scope": "national", "role": "national", "username": "ncrb"}
    yield "scope claims in the values", swapped
    superset = json.loads(json.dumps(body))
    for i in superset["inputs"] + superset["state"]:
        if str(i["id"]).endswith("-query"):
            i["value"] = t.query()
    yield "every page's keys in the query store", superset
    no_state = json.loads(json.dumps(b))
    no_state["state"] = []
    yield "state left out", no_state


@pytest.mark.parametrize("role", ["karnal-sp", OTHER_STATE_USER])
def test_crafted_posts_return_nothing_out_of_scope(role, server_callbacks, clients, scopes, targets, cat):
    client, forbidden = clients[role], Forbidden(cat, scopes[role])
    problems = []
    for cb in server_callbacks:
        for t in targets[role]["out"]:
            if not applicable(cb, t):
                continue
            for what, body in _crafted(update_body(cb, t), t):
                r = post(client, body)
                text = response_text(r.get_data())
                leaked = forbidden.found(text, body_codes(body))
                if leaked:
                    problems.append(f"{cb.key} [{role}, {t.label}, {what}]: {r.status_code} leaked {leaked[:8]}")
                if TRACEBACK.search(text):
                    problems.append(f"{cb.key} [{role}, {t.label}, {what}]: stack trace")
    # a made-up output, and an output of one callback with the inputs of another
    t = targets[role]["out"][0]
    district_page = next(c for c in server_callbacks if c.inputs == (("district-query", "data"),)
                         and len(c.outputs) > 5)
    for output in ("national-table-data.data", "no-such-component.children", district_page.output + "x"):
        body = {**update_body(district_page, t), "output": output}
        r = post(client, body)
        leaked = forbidden.found(response_text(r.get_data()), body_codes(body))
        if leaked:
            problems.append(f"output {output!r} [{role}]: {r.status_code} leaked {leaked[:8]}")
    assert not problems, "\n".join(problems)


# --- cache keys include the scope ----------------------------------------------------------------------------------


def test_cached_national_answer_is_never_served_to_a_district_sp(dash_app, server_callbacks, clients, scopes,
                                                                 targets, cat):
    from dashboard.read.cache import cache_stats

    assert cache_stats(dash_app.server)["type"] != "none", "expected the shared cache to be on in tests"
    forbidden = Forbidden(cat, scopes["karnal-sp"])
    problems = []
    for t in (targets["karnal-sp"]["out"][0], targets["karnal-sp"]["out"][1]):
        for cb in [c for c in server_callbacks if applicable(c, t) and CALLBACK_CHECKS[c.key].stations]:
            body = update_body(cb, t)
            for _ in range(2):  # national first (fills the cache), then the SP, twice
                post(clients["ncrb"], body)
                r = post(clients["karnal-sp"], body)
                leaked = forbidden.found(response_text(r.get_data()), body_codes(body))
                if leaked:
                    problems.append(f"{cb.key} [{t.label}]: leaked {leaked[:8]} after a national request")
    # and the other way round: the SP's narrower answer is not what the national user then gets
    state_detail = next(c for c in server_callbacks if ("state-lagging", "children") in c.outputs)
    lagging_states = {s.state for s in cat.stations if s.code in cat.lagging}
    st = next(x for per in targets.values() for x in per["in"] if x.district is None and x.state in lagging_states)
    for role in ("karnal-sp", "haryana"):  # may not see that State's stations: narrowed answers
        post(clients[role], update_body(state_detail, st))
    text = response_text(post(clients["ncrb"], update_body(state_detail, st)).get_data())
    assert hits(text, [s for s in cat.in_state(st.state) if s.code in cat.lagging], set()), \
        "the national user got a narrowed State page cached for another scope"
    assert not problems, "\n".join(problems)


# --- downloads and exports -----------------------------------------------------------------------------------------

DOWNLOAD_ROUTES = ("/download/", "/export/")


def _download_text(body: bytes, mimetype: str) -> str:
    """Searchable text of a download: CSV as is; XLSX/PPTX: every XML part of the zip (cells, slides)."""
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return body.decode("utf-8", "replace")


def _download_cases(cat: Catalogue, targets: dict) -> dict[str, dict[str, dict[str, list[str]]]]:
    """route -> role -> {"in": [query strings], "out": [query strings]}"""
    m = cat.month

    def q(t: Target) -> str:
        return f"month={m}&state={t.state}" + (f"&district={t.district}" if t.district else "")

    lag: dict[str, dict[str, list[str]]] = {}
    pack: dict[str, dict[str, list[str]]] = {}
    for role, per in targets.items():
        ins = [q(t) for t in per["in"]]
        outs = [q(t) for t in per["out"]]
        if role == "karnal-sp":  # naming another district of the own State only by district
            outs.append(f"month={m}&district=HR-ABL")
        crafted = []
        if role != "ncrb":  # the own State with another State's district: refused, or narrowed to the own
            other = next(t for t in per["out"] if t.district)
            crafted.append(f"month={m}&state={per['in'][0].state}&district={other.district}")
            crafted.append(f"month={m}&state={per['in'][0].state}&district=%27%20OR%201=1--")
        lag[role] = {"in": [f"{x}&format={f}" for x in ins for f in ("csv", "xlsx")],
                     "out": [f"{x}&format={f}" for x in outs for f in ("csv", "xlsx")],
                     "crafted": [f"{x}&format=csv" for x in crafted]}
        pack[role] = {"in": [f"{ins[0]}&format={f}" for f in ("xlsx", "pptx", "pdf")],
                      "out": [f"{x}&format={f}" for x in outs for f in ("xlsx", "pdf")],
                      "crafted": [f"{x}&format=xlsx" for x in crafted]}
        if role != "ncrb":  # no unit named: the user's own review
            pack[role]["in"].append(f"month={m}&format=xlsx")
    # operations (issue 16): the audit trail for administrators only; a problem list only by its upload's token
    audit = {role: {"in": ["user=ncrb", "outcome=refused"], "out": []} if role == "ncrb" else
             {"in": [], "out": ["kind=login", "user=ncrb"]} for role in targets}
    problems = {role: {"in": [], "out": [], "crafted": ["token=nope", "token=..%2F..%2Fsecret_key", "token="]}
                for role in targets}
    # provisional figures (issue 14): the demo's provisional month, HR among its States; the States table
    # (State-level figures) for everyone, a State's or district's provisional lists within the scope only
    pm = cat.provisional_month
    prov: dict[str, dict[str, list[str]]] = {}
    for role, per in targets.items():
        ins = [t for t in per["in"] if t.state == "HR"]
        outs = [t for t in per["out"] if t.state == "HR"]
        prov[role] = {
            "in": [f"month={pm}&what=states&format=csv"]
            + [f"month={pm}&state=HR&district={t.district}&what={w}&format={f}" for t in ins if t.district
               for w, f in (("todo", "csv"), ("lagging", "xlsx"))],
            "out": [f"month={pm}&state=HR&district={t.district}&what=todo&format=csv" for t in outs if t.district],
            "crafted": [f"month={pm}&state=HR&what=nope", "month=2020-01&state=HR&what=todo",
                        f"month={pm}&district=%27%20OR%201=1--&what=todo"]}
        if role in ("ncrb", "haryana"):
            prov[role]["in"].append(f"month={pm}&state=HR&what=districts&format=csv")
    return {"/download/lagging": lag, "/download/pack": pack, "/download/audit": audit,
            "/download/problems": problems, "/download/provisional.csv": prov}


def test_every_download_route_has_cases(dash_app, cat, targets):
    cases = _download_cases(cat, targets)
    routes = [r.rule for r in dash_app.server.url_map.iter_rules() if r.rule.startswith(DOWNLOAD_ROUTES)]
    assert routes, "no download routes found"
    missing = [r for r in routes if r not in cases]
    assert not missing, f"download/export routes without test cases in _download_cases: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_downloads_as_every_role(role, dash_app, clients, scopes, targets, cat, demo_engine):
    client, sc = clients[role], scopes[role]
    forbidden = Forbidden(cat, sc)
    problems = []
    for route, per_role in _download_cases(cat, targets).items():
        for kind in ("in", "out", "crafted"):
            for query in per_role[role].get(kind, []):
                url = f"{route}?{query}"
                before = violations(demo_engine, sc.username)
                r = client.get(url)
                body = r.get_data()
                text = _download_text(body, r.mimetype)
                for h, v in SECURITY_HEADERS.items():
                    if r.headers.get(h) != v:
                        problems.append(f"{url} [{role}]: header {h}={r.headers.get(h)!r}")
                if kind == "in":
                    if r.status_code != 200 or "attachment" not in r.headers.get("Content-Disposition", ""):
                        problems.append(f"{url} [{role}]: {r.status_code} {body[:160]!r}")
                        continue
                elif kind == "crafted":
                    if r.status_code >= 500:
                        problems.append(f"{url} [{role}]: {r.status_code}")
                else:
                    if r.status_code != 403:
                        problems.append(f"{url} [{role}]: expected 403, got {r.status_code}")
                    if violations(demo_engine, sc.username) <= before:
                        problems.append(f"{url} [{role}]: refused download not audited as scope_violation")
                leaked = forbidden.found(text)
                if leaked:
                    problems.append(f"{url} [{role}]: out-of-scope stations {leaked[:8]}")
    assert not problems, "\n".join(problems)


def test_in_scope_downloads_carry_the_units_data(clients, targets, cat):
    """A positive control for the leak search: the district SP's own list names its stations."""
    t = targets["karnal-sp"]["in"][0]
    url = f"/download/lagging?month={cat.month}&state=HR&district={t.district}&format=csv"
    r = clients["karnal-sp"].get(url)
    assert r.status_code == 200
    assert r.get_data() == clients["ncrb"].get(url).get_data()  # the same list the national user gets
    state = sorted(s.state for s in cat.stations if s.code in cat.lagging)[0]
    r = clients["ncrb"].get(f"/download/lagging?month={cat.month}&state={state}&format=csv")
    own = [s for s in cat.in_state(state) if s.code in cat.lagging]
    assert own and all(s.code in r.get_data(as_text=True) for s in own)
    r = clients["karnal-sp"].get(f"/download/pack?month={cat.month}&format=xlsx")
    assert r.status_code == 200 and hits(_download_text(r.get_data(), r.mimetype), cat.in_district(t.district),
                                         set())


# --- sessions, lockout, CSRF, headers ---------------------------------------------------------------------------------


def test_expired_session_gets_401_everywhere(demo_settings, demo_engine, passwords, server_callbacks, targets):
    """A separate app with CCTNS_SESSION_HOURS tiny: a session older than that is refused."""
    from dataclasses import replace

    from app import create_app

    app = create_app(replace(demo_settings, session_hours=0.01))  # 36 seconds
    assert app.server.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == pytest.approx(36)
    client = sign_in(app, "karnal-sp", passwords["karnal-sp"])
    t = targets["karnal-sp"]["in"][0]
    page_cb = next(c for c in server_callbacks if c.inputs == (("district-query", "data"),) and len(c.outputs) > 5)
    assert post(client, update_body(page_cb, t)).status_code == 200
    with client.session_transaction() as s:
        s["auth_at"] = time.time() - 37
    r = post(client, update_body(page_cb, t))
    assert r.status_code == 401 and r.get_json()["error"] == "not signed in"
    # the session was cleared: downloads and pages are refused too
    assert client.get(f"/download/lagging?month={t.month}&state=HR&district=HR-KNL").status_code == 401
    r = client.get("/district/HR-KNL")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    # same with the demo app's 12 hours
    client = sign_in(app, "karnal-sp", passwords["karnal-sp"])
    with client.session_transaction() as s:
        s["auth_at"] = time.time() - 13 * 3600
    assert post(client, update_body(page_cb, t)).status_code == 401


def _sign_out_form_token(client: Any) -> str:
    r = client.get("/logout")
    assert r.status_code == 200, r.status_code
    return re.search(r'name="csrf_token" value="([^"]+)"', r.get_data(as_text=True)).group(1)


def test_logout_get_is_harmless_post_needs_token_and_ends_the_session(dash_app, demo_engine, server_callbacks,
                                                                     targets, cat):
    """GET /logout signs nobody out; POST without the form's token is refused; POST with it deletes the
    server-side session, so a copy of the cookie gets 401 everywhere (issue 9, findings 1 and 8)."""
    name, password = "logout-probe", secrets.token_urlsafe(15)
    if get_user(demo_engine, name) is None:
        create_user(demo_engine, name, password, "district", district_code="HR-KNL", actor="test")
    else:
        from dashboard.web.users import set_password

        set_password(demo_engine, name, password, actor="test")
    t = targets["karnal-sp"]["in"][0]
    page_cb = next(c for c in server_callbacks if c.inputs == (("district-query", "data"),) and len(c.outputs) > 5)
    download = f"/download/lagging?month={cat.month}&state=HR&district=HR-KNL&format=csv"
    client = sign_in(dash_app, name, password)
    kept = client.get_cookie("cctns_session").value
    r = client.get("/logout")
    assert r.status_code == 200 and 'method="post" action="/logout"' in r.get_data(as_text=True)
    for data in ({}, {"csrf_token": "forged-" + secrets.token_hex(16)}, {"scope": "everywhere"}):
        assert client.post("/logout", data=data).status_code == 400
    # still signed in after the GET and the refused POSTs
    assert post(client, update_body(page_cb, t)).status_code == 200
    assert client.get(download).status_code == 200

    r = client.post("/logout", data={"csrf_token": _sign_out_form_token(client)})
    assert r.status_code == 303 and r.headers["Location"] == "/login?signed_out=1"
    replay = dash_app.server.test_client()
    replay.set_cookie("cctns_session", kept)
    replay.csrf = client.csrf
    r = post(replay, update_body(page_cb, t))
    assert r.status_code == 401 and r.get_json()["error"] == "not signed in"
    assert replay.get(download).status_code == 401
    r = replay.get("/district/HR-KNL")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_lockout_after_repeated_failures(dash_app, demo_engine):
    from dashboard.web.auth import LOCKED, WRONG_CREDENTIALS

    name, password = "lockout-probe", secrets.token_urlsafe(15)
    if get_user(demo_engine, name) is None:
        create_user(demo_engine, name, password, "district", district_code="HR-KNL", actor="test")
    else:
        from dashboard.web.users import set_password

        set_password(demo_engine, name, password, actor="test")
    client = dash_app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.66.0." + str(secrets.randbelow(250) + 1)

    def attempt(pw: str) -> Any:
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return client.post("/login", data={"username": name, "password": pw, "csrf_token": token})

    answers = [attempt("wrong-" + secrets.token_hex(4)) for _ in range(5)]
    assert [r.status_code for r in answers] == [401] * 4 + [429]
    assert all(WRONG_CREDENTIALS in r.get_data(as_text=True) for r in answers[:4])
    assert LOCKED in answers[-1].get_data(as_text=True)
    r = attempt(password)  # the right password is refused while locked
    assert r.status_code == 429 and LOCKED in r.get_data(as_text=True)
    # nothing was opened: data still needs a session
    assert client.get("/_dash-layout").status_code == 401
    from dashboard.store.audit import list_events

    assert any(e.action == "lockout" for e in list_events(demo_engine, limit=50, actor=name))


def test_csrf_header_required_on_callbacks(clients, server_callbacks, targets):
    problems = []
    for role in ROLES:
        t = targets[role]["in"][0]
        for cb in [c for c in server_callbacks if applicable(c, t)]:
            body = update_body(cb, t)
            for headers in ({}, {"X-CSRFToken": "wrong-" + secrets.token_hex(8)}):
                r = clients[role].post("/_dash-update-component", json=body, headers=headers)
                if r.status_code != 403 or r.get_json() != {"error": "missing or wrong CSRF token"}:
                    problems.append(f"{cb.key} [{role}] headers={list(headers)}: {r.status_code}")
    assert not problems, "\n".join(problems)


def _assert_headers(r: Any, where: str) -> list[str]:
    out = []
    csp = r.headers.get("Content-Security-Policy", "")
    if "frame-ancestors 'none'" not in csp or "default-src 'self'" not in csp:
        out.append(f"{where}: CSP {csp!r}")
    for h, v in SECURITY_HEADERS.items():
        if r.headers.get(h) != v:
            out.append(f"{where}: {h}={r.headers.get(h)!r}")
    return out


def test_security_headers_everywhere(dash_app, clients, server_callbacks, targets, cat):
    problems = []
    anon = dash_app.server.test_client()
    for rule in dash_app.server.url_map.iter_rules():
        url = route_url(rule)
        if "GET" in rule.methods:
            problems += _assert_headers(anon.get(url), f"anonymous GET {url}")
            problems += _assert_headers(clients["haryana"].get(url), f"haryana GET {url}")
    t = targets["karnal-sp"]["in"][0]
    for cb in [c for c in server_callbacks if applicable(c, t)]:
        problems += _assert_headers(post(clients["karnal-sp"], update_body(cb, t)), f"callback {cb.key}")
    r = clients["karnal-sp"].get(f"/download/lagging?month={cat.month}&state=HR&district=HR-KNL&format=xlsx")
    problems += _assert_headers(r, "download")
    r = clients["karnal-sp"].get(f"/download/lagging?month={cat.month}&state=UP&format=csv")
    problems += _assert_headers(r, "refused download")
    assert not problems, "\n".join(problems)
