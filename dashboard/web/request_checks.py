"""Bad client input answers 400/404 with a small JSON body, never 500 (issue 9, finding 8).

Set up by `create_app` through `init_request_checks(app)`, after the auth layer, so its guard still runs
first (anonymous: 401, no CSRF header: 403) and only signed-in requests reach these checks:

* `POST /_dash-update-component`: the body must be a JSON object of bounded size naming a registered
  callback (`output`), with `inputs` / `state` lists of the callback's length whose items are
  `{"id", "property", "value"}` objects, and values of the JSON type their property always has
  (`pathname` a string, `selectedRows` a list of objects ...). Dash would otherwise raise KeyError or
  TypeError deep inside its dispatcher or in a callback: a 500 for what is the client's fault.
  What a value *means* (is this a code? a month in the database? in the user's scope?) is left to the
  callbacks and their query cleaners (`callbacks.common.query_strings`).
* Dash's exceptions for unknown component suites (`DependencyException`, `InvalidResourceError`): 404;
  for a pathname outside the app posted to its pages router (`UnsupportedRelativePath`): 400.
* Any other 4xx raised on a `/_` path (malformed JSON, wrong content type ...): the same small JSON body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import dash
from dash.exceptions import DependencyException, InvalidResourceError, UnsupportedRelativePath
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from dashboard.web.auth import json_error

log = logging.getLogger(__name__)

UPDATE_PATH = "/_dash-update-component"
MAX_CALLBACK_BODY = 2 * 1024 * 1024  # a real callback post is a few kB; the largest (grid rows) far below this
MAX_CHANGED_PROPS = 64

# JSON types a property always has when dash-renderer sends it (None: the property is not set yet).
# Properties not listed here (store `data`, dropdown `value` ...) may hold any JSON: callbacks clean them.
_STRING = (str,)
PROPERTY_TYPES: dict[str, tuple[type, ...]] = {
    "pathname": _STRING,
    "search": _STRING,
    "hash": _STRING,
    "href": _STRING,
    "search_value": _STRING,
    "selectedRows": (list,),
    "clickData": (dict,),
    "n_clicks": (int,),
    "is_open": (bool,),
}
# single-choice dropdowns whose callbacks (in modules outside this one) expect a string
COMPONENT_TYPES: dict[tuple[str, str], tuple[type, ...]] = {
    ("shell-search", "value"): _STRING,
    ("shell-month", "value"): _STRING,
}
# values that are never null when dash-renderer sends them (Dash's pages router fails on None)
NOT_NULL: frozenset[tuple[str, str]] = frozenset({("_pages_location", "pathname")})
# a dropdown value: a string or number, or (multi) a list of them
_SCALAR = (str, int, float)


class BadCallbackRequest(ValueError):
    """The body of a callback post is not what dash-renderer sends (the message names what, not a value)."""


# --- the body of /_dash-update-component ---------------------------------------------------------------------


def _check_item(item: Any, where: str) -> None:
    """One input/state item: {"id": str | dict, "property": str, "value": JSON of the property's type}."""
    if isinstance(item, list):  # pattern-matching ALL / ALLSMALLER: a list of items
        for sub in item:
            _check_item(sub, where)
        return
    if not isinstance(item, dict):
        raise BadCallbackRequest(f"{where}: not an object")
    cid, prop = item.get("id"), item.get("property")
    if not isinstance(cid, str | dict) or not isinstance(prop, str):
        raise BadCallbackRequest(f"{where}: id and property expected")
    value = item.get("value")
    if value is None:
        if isinstance(cid, str) and (cid, prop) in NOT_NULL:
            raise BadCallbackRequest(f"{where}: {prop} missing")
        return
    expected = COMPONENT_TYPES.get((cid, prop)) if isinstance(cid, str) else None
    expected = expected or PROPERTY_TYPES.get(prop)
    if expected is not None:
        # bool is an int in Python, never in JSON's sense of a click count
        if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
            raise BadCallbackRequest(f"{where}: wrong type for {prop}")
        if prop == "selectedRows" and not all(isinstance(row, dict) for row in value):
            raise BadCallbackRequest(f"{where}: rows must be objects")
    elif prop == "value":  # other dropdowns: a scalar or a list of scalars
        ok = isinstance(value, _SCALAR) or (isinstance(value, list) and all(isinstance(v, _SCALAR) for v in value))
        if not ok:
            raise BadCallbackRequest(f"{where}: wrong type for value")


def _check_items(body: dict[str, Any], key: str, expected: int) -> None:
    items = body.get(key, [])
    if not isinstance(items, list) or len(items) != expected:
        raise BadCallbackRequest(f"{key}: a list of {expected} expected")
    for n, item in enumerate(items):
        _check_item(item, f"{key}[{n}]")


def check_callback_body(body: Any, callback_map: dict[str, dict[str, Any]]) -> None:
    """Raise BadCallbackRequest unless `body` has the shape dash-renderer posts for a registered callback."""
    if not isinstance(body, dict):
        raise BadCallbackRequest("a JSON object expected")
    output = body.get("output")
    if not isinstance(output, str) or not isinstance(body.get("inputs"), list):
        raise BadCallbackRequest("output (a string) and inputs (a list) expected")
    callback = callback_map.get(output)
    if callback is None or "callback" not in callback:  # clientside callbacks have no Python function
        raise BadCallbackRequest("unknown callback")
    _check_items(body, "inputs", len(callback.get("inputs", [])))
    _check_items(body, "state", len(callback.get("state", [])))
    outputs = body.get("outputs")
    if outputs is not None:
        listed = outputs if isinstance(outputs, list) else [outputs]
        if not all(isinstance(o, dict) and isinstance(o.get("property"), str) for o in listed):
            raise BadCallbackRequest("outputs: objects expected")
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or len(changed) > MAX_CHANGED_PROPS or not all(isinstance(c, str) for c in changed):
        raise BadCallbackRequest("changedPropIds: a list of strings expected")


def _read_json_body() -> Any:
    """The request's JSON (cached by Flask for Dash's own get_json); raises BadCallbackRequest."""
    if not request.is_json:
        raise BadCallbackRequest("a JSON body expected")
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # absurdly nested arrays: not ValueError, so `silent` does not catch it
        body = None
    if body is None:
        raise BadCallbackRequest("malformed JSON")
    return body


def make_callback_body_check(app: dash.Dash) -> Callable[[], Response | None]:
    def check_callback_post() -> Response | None:
        if request.path != UPDATE_PATH or request.method != "POST":
            return None
        length = request.content_length
        if length is not None and length > MAX_CALLBACK_BODY:
            return json_error(413, "request too large")
        if length is None and len(request.get_data(cache=True)) > MAX_CALLBACK_BODY:
            return json_error(413, "request too large")
        try:
            check_callback_body(_read_json_body(), app.callback_map)
        except BadCallbackRequest as exc:
            log.info("bad callback request from %s: %s", request.remote_addr, exc)
            return json_error(400, "bad request")
        return None

    return check_callback_post


# --- error handlers ----------------------------------------------------------------------------------------------


def _unknown_resource(_exc: Exception) -> Response:
    return json_error(404, "not found")


def _path_outside_the_app(_exc: Exception) -> Response:
    """Dash's pages router was posted a pathname not under the app's prefix."""
    return json_error(400, "bad request")


def _client_error_as_json(exc: HTTPException) -> HTTPException | Response:
    """4xx raised on Dash's own paths (`/_...`): a small JSON body instead of werkzeug's HTML page."""
    code = exc.code or 500
    if 400 <= code < 500 and request.path.startswith("/_"):
        return json_error(code, (exc.name or "bad request").lower())
    return exc


def init_request_checks(app: dash.Dash) -> None:
    """Register the callback-body check (after the auth guard) and the 4xx handlers on `app.server`."""
    server: Flask = app.server
    server.before_request(make_callback_body_check(app))
    server.register_error_handler(DependencyException, _unknown_resource)
    server.register_error_handler(InvalidResourceError, _unknown_resource)  # replaces Dash's text answer
    server.register_error_handler(UnsupportedRelativePath, _path_outside_the_app)
    server.register_error_handler(HTTPException, _client_error_as_json)
