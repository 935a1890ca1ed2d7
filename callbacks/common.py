"""What every callback needs: the engine of this app, the signed-in user's scope, input validation."""

from __future__ import annotations

from collections.abc import Iterable

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
