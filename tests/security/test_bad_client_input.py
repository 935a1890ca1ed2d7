"""Bad client input answers 400/404 with a small JSON body, never 500, a stack trace or data
(issue 9, finding 8a).

Signed-in clients post malformed bodies to /_dash-update-component, wrong JSON types in every callback input
and in every key of the page query stores, and ask for unknown component suites. Errors are let through to
the app's handlers as in production (PROPAGATE_EXCEPTIONS off), so a crash shows up as a 500 here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import dash
import pytest
from access_support import (
    Callback,
    Target,
    callbacks_from_dependencies,
    district_target,
    find_stores,
    load_catalogue,
    page_urls,
    update_body,
)

TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"/|Exception|Error:")
LONG_STRING = "A" * 10_240
WRONG_VALUES: dict[str, Any] = {
    "list": ["HR", "HR-KNL"],
    "dict": {"code": "HR", "nested": {"x": [1, 2]}},
    "int": 12345,
    "null": None,
    "bool": True,
    "10 kB string": LONG_STRING,
}
CLIENT_ERRORS = {400, 403, 404, 413}
FUZZ_OK = {200, 204, 400, 403}


def sign_in(app: Any, username: str, password: str) -> Any:
    client = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token, "next": "/"})
    assert r.status_code in (302, 303), r.get_data(as_text=True)[:300]
    with client.session_transaction() as s:
        client.csrf = s["csrf"]
    return client


@pytest.fixture(scope="module", autouse=True)
def errors_as_responses(dash_app) -> Iterator[None]:
    """Let errors reach the app's error handlers (as in production) instead of raising in the test client."""
    cfg = dash_app.server.config
    old = cfg.get("PROPAGATE_EXCEPTIONS")
    cfg["PROPAGATE_EXCEPTIONS"] = False
    yield
    cfg["PROPAGATE_EXCEPTIONS"] = old


@pytest.fixture(scope="module")
def client(dash_app, demo_users) -> Any:
    return sign_in(dash_app, "ncrb", demo_users["ncrb"])


@pytest.fixture(scope="module")
def district_client(dash_app, demo_users) -> Any:
    return sign_in(dash_app, "karnal-sp", demo_users["karnal-sp"])


@pytest.fixture(scope="module")
def server_callbacks(client) -> list[Callback]:
    r = client.get("/_dash-dependencies")
    assert r.status_code == 200
    return [c for c in callbacks_from_dependencies(r.get_json()) if not c.clientside]


@pytest.fixture(scope="module")
def target(demo_engine, client, server_callbacks) -> Target:
    """A Karnal station with every page's query store as that page's layout builds it from the URL."""
    t = district_target(load_catalogue(demo_engine), "HR-KNL", "HR-KNL")
    pages_cb = next(c for c in server_callbacks if ("_pages_content", "children") in c.outputs)
    stores: dict[str, Any] = {}
    for pathname, search in page_urls(dash.page_registry, t):
        body = update_body(pages_cb, t)
        for i in body["inputs"]:
            i["value"] = {"pathname": pathname, "search": search}[i["property"]]
        r = post(client, body)
        assert r.status_code == 200, f"{pathname}{search}: {r.status_code}"
        find_stores(r.get_json(), stores)
    return replace(t, stores=stores)


def post(client: Any, body: Any, raw: bytes | str | None = None, content_type: str = "application/json") -> Any:
    data = raw if raw is not None else json.dumps(body)
    return client.post("/_dash-update-component", data=data, content_type=content_type,
                       headers={"X-CSRFToken": client.csrf})


def assert_small_json_error(r: Any, statuses: set[int] = CLIENT_ERRORS) -> None:
    text = r.get_data(as_text=True)
    assert r.status_code in statuses, f"{r.status_code}: {text[:300]}"
    assert r.mimetype == "application/json", text[:300]
    assert len(text) < 400 and not TRACEBACK.search(text), text[:400]
    assert set(r.get_json()) <= {"error", "message"}, text


def assert_no_crash(r: Any, what: str, statuses: set[int] = FUZZ_OK) -> None:
    text = r.get_data(as_text=True)
    assert r.status_code in statuses, f"{what}: {r.status_code} {text[:300]}"
    if r.status_code >= 400:
        assert_small_json_error(r, statuses)


def a_valid_body(server_callbacks: list[Callback], target: Target) -> dict[str, Any]:
    cb = next(c for c in server_callbacks if ("national-table-data", "data") in c.outputs)
    return update_body(cb, target)


# --- the body of /_dash-update-component -----------------------------------------------------------------------


@pytest.mark.parametrize("raw", [
    "{not json", "", "[1, 2", '{"output": "x", "inputs": [}', "\xff\xfe garbage", "[" * 5000 + "]" * 5000,
], ids=["truncated", "empty", "open-list", "bad-inputs", "binary", "deeply-nested"])
def test_malformed_json_gets_400(client, raw):
    assert_small_json_error(post(client, None, raw=raw), {400})


def test_a_body_that_is_not_json_gets_400(client):
    assert_small_json_error(post(client, None, raw="output=x&inputs=y", content_type="application/x-www-form-urlencoded"),
                            {400})


@pytest.mark.parametrize("body", [
    [], [1, 2], "a string", 12, None,
    {}, {"inputs": []}, {"output": "national-table-data.data"},
    {"output": ["a list"], "inputs": []}, {"output": 12, "inputs": []},
    {"output": "x.y", "inputs": {"not": "a list"}}, {"output": "x.y", "inputs": "no"},
], ids=lambda b: json.dumps(b)[:40])
def test_a_body_of_the_wrong_shape_gets_400(client, body):
    assert_small_json_error(post(client, body), {400})


def test_an_unknown_callback_gets_400(client, server_callbacks, target):
    body = a_valid_body(server_callbacks, target)
    body["output"] = "no-such-component.children"
    assert_small_json_error(post(client, body), {400, 404})


def test_a_clientside_callback_posted_to_the_server_gets_400(client, target):
    """Clientside callbacks are in Dash's callback map without a Python function (Dash: KeyError, 500)."""
    deps = client.get("/_dash-dependencies").get_json()
    clientside = [c for c in callbacks_from_dependencies(deps) if c.clientside]
    assert clientside, "the app has clientside callbacks (theme swaps)"
    for cb in clientside:
        body = {"output": cb.output, "outputs": {"id": cb.outputs[0][0], "property": cb.outputs[0][1]},
                "inputs": [{"id": i, "property": p, "value": None} for i, p in cb.inputs],
                "state": [{"id": i, "property": p, "value": None} for i, p in cb.state],
                "changedPropIds": []}
        assert_small_json_error(post(client, body), {400})


@pytest.mark.parametrize("mutate", [
    lambda b: b.update(inputs=[]),
    lambda b: b.update(inputs=b["inputs"] * 3),
    lambda b: b.update(inputs=[1]),
    lambda b: b.update(inputs=[{"id": "national-query"}]),
    lambda b: b.update(inputs=[{"id": ["x"], "property": "data", "value": 1}]),
    lambda b: b.update(state=[1]),
    lambda b: b.update(state={"x": 1}),
    lambda b: b.update(outputs="national-table-data.data"),
    lambda b: b.update(outputs=[1, 2]),
    lambda b: b.update(changedPropIds="national-query.data"),
    lambda b: b.update(changedPropIds=[{"x": 1}]),
], ids=["no-inputs", "too-many-inputs", "input-not-object", "input-without-property", "bad-id",
        "state-not-object", "state-not-list", "outputs-string", "outputs-not-objects", "changed-string",
        "changed-not-strings"])
def test_inputs_of_the_wrong_shape_get_400(client, server_callbacks, target, mutate):
    body = a_valid_body(server_callbacks, target)
    mutate(body)
    assert_small_json_error(post(client, body), {400})


def test_an_oversized_body_is_refused(client, server_callbacks, target):
    body = a_valid_body(server_callbacks, target)
    body["state"] = [{"id": "x", "property": "data", "value": "A" * (3 * 1024 * 1024)}]
    assert_small_json_error(post(client, body), {400, 413})


def test_a_valid_body_still_works(client, server_callbacks, target):
    r = post(client, a_valid_body(server_callbacks, target))
    assert r.status_code == 200 and "HR" in r.get_data(as_text=True)


def test_prevent_update_still_answers_204(client, server_callbacks, target):
    cb = next(c for c in server_callbacks if c.outputs == (("url", "href"),) and c.inputs[0][0] == "state-districts")
    body = update_body(cb, target)
    for i in body["inputs"]:
        i["value"] = None
    body["changedPropIds"] = ["state-districts.selectedRows"]
    assert post(client, body).status_code == 204


def test_anonymous_bad_bodies_still_get_401(dash_app):
    anon = dash_app.server.test_client()
    r = anon.post("/_dash-update-component", data="{not json", content_type="application/json")
    assert r.status_code == 401
    r = anon.post("/_dash-update-component", data=json.dumps([1]), content_type="application/json")
    assert r.status_code == 401


def test_bad_bodies_without_the_csrf_header_still_get_403(client):
    r = client.post("/_dash-update-component", data="{not json", content_type="application/json")
    assert r.status_code == 403


# --- wrong JSON types in every input and in every query-store key ------------------------------------------


def test_wrong_types_in_every_callback_input(client, district_client, server_callbacks, target):
    failures = []
    for cb in server_callbacks:
        slots = [("inputs", n) for n in range(len(cb.inputs))] + [("state", n) for n in range(len(cb.state))]
        for kind, n in slots:
            for label, value in WRONG_VALUES.items():
                for who in (client, district_client):
                    body = update_body(cb, target, n if kind == "inputs" else 0)
                    body[kind][n]["value"] = value
                    r = post(who, body)
                    if r.status_code not in FUZZ_OK or (r.status_code >= 400 and r.mimetype != "application/json"):
                        failures.append(f"{cb.key} [{kind} {n} = {label}]: {r.status_code}")
    assert not failures, "\n".join(sorted(set(failures)))


def _dict_slots(body: dict[str, Any]) -> Iterator[tuple[str, int, str, dict[str, Any]]]:
    """(inputs/state, position, label, the dict) of every store whose data is a dict and every first grid row."""
    for kind in ("inputs", "state"):
        for n, item in enumerate(body[kind]):
            value = item["value"]
            if item["property"] == "data" and isinstance(value, dict):
                yield kind, n, f"{item['id']}.data", value
            elif item["property"] == "selectedRows" and isinstance(value, list) and value:
                yield kind, n, f"{item['id']}.selectedRows[0]", value[0]


def test_wrong_types_in_every_query_store_key(client, district_client, server_callbacks, target):
    """Every key of every query store (and of the lagging page's resolved store and of grid rows)."""
    failures = []
    for cb in server_callbacks:
        for trigger in range(len(cb.inputs)):
            base = update_body(cb, target, trigger)
            for kind, n, label, original in _dict_slots(base):
                for key in original:
                    for wrong, value in WRONG_VALUES.items():
                        for who in (client, district_client):
                            body = update_body(cb, target, trigger)
                            changed = {**original, key: value}
                            body[kind][n]["value"] = [changed] if label.endswith("[0]") else changed
                            r = post(who, body)
                            if r.status_code not in FUZZ_OK:
                                failures.append(f"{cb.key} [{label}.{key} = {wrong}]: {r.status_code}")
    assert not failures, "\n".join(sorted(set(failures)))


# --- component suites ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/_dash-component-suites/no_such_package/x.js",
    "/_dash-component-suites/os/x.js",
    "/_dash-component-suites/dash/no/such/file.v1_0_0m1.js",
    "/_dash-component-suites/dash/..%2F..%2Fsecret.js",
    "/_dash-component-suites/dash/x",
])
def test_unknown_component_suites_get_404(client, path):
    client.get("/")  # Dash registers its component paths when it first renders the index
    r = client.get(path)
    assert_small_json_error(r, {404})


def test_known_component_suite_is_still_served(client):
    page = client.get("/").get_data(as_text=True)
    src = re.search(r'src="(/_dash-component-suites/dash/[^"]+\.js)"', page)
    assert src, page[:500]
    assert client.get(src.group(1)).status_code == 200
