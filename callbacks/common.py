"""What every callback needs: the engine of this app, the signed-in user's scope, input validation."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import dash
from dash import ClientsideFunction, Input, Output, State
from sqlalchemy import Engine

from dashboard.read import valid_month as read_valid_month
from dashboard.scope import Scope


def engine() -> Engine:
    """The engine of the app serving this request (created lazily, once per process)."""
    from dashboard.web import request_engine

    return request_engine()


def scope() -> Scope:
    """The signed-in user's scope (the auth guard has already rejected anonymous requests)."""
    from dashboard.web import current_scope

    return current_scope()


valid_month = read_valid_month  # a month from the client, accepted only if it has results


MAX_QUERY_VALUE = 64  # longer than any code, month, parameter id or version label


def query_strings(raw: object, keys: Iterable[str]) -> dict[str, str | None]:
    """A page's query store as the client sent it, made total: any JSON in, {key: str | None} out.

    The store holds cleaned URL values, but a crafted post can put anything there: a list, dict, number,
    or an overlong string where a code is expected becomes None ("no value"), so the page shows its
    default or a clear "not found" state instead of failing."""
    q = raw if isinstance(raw, dict) else {}
    out: dict[str, str | None] = {}
    for key in keys:
        value = q.get(key)
        out[key] = value if isinstance(value, str) and 0 < len(value) <= MAX_QUERY_VALUE else None
    return out


def cached_callback(app: dash.Dash, *dependencies: Any, actions: bool = False, flags: bool = False,
                    trigger: bool = False, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`app.callback(*dependencies, **kwargs)` whose whole responses are cached (dashboard.web.response_cache):
    only for callbacks whose answer depends on nothing but their inputs, the user's scope, the results
    and the request context. `actions=True`: it also shows the review loop's actions; `flags=True`: it counts
    or lists data flags with their reviews; `trigger=True`: it reads `dash.ctx.triggered_id`."""
    from dashboard.web import mark_cacheable

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        before = set(app.callback_map)
        app.callback(*dependencies, **kwargs)(fn)
        for output in set(app.callback_map) - before:
            mark_cacheable(app, output, actions=actions, flags=flags, trigger=trigger)
        return fn

    return register


def draw_plain_table(app: dash.Dash, table_id: str) -> None:
    """assets/plain_table.js draws the table of layouts.components.plain_table(table_id) in the browser when its
    data (`<table_id>-data`) changes; the rows drawn go into the holder's `data-rows`."""
    app.clientside_callback(ClientsideFunction("cctns_plain", "draw"), Output(table_id, "data-rows"),
                            Input(f"{table_id}-data", "data"), State(table_id, "id"))
