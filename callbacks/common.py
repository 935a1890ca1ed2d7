"""What every callback needs: the engine of this app, the signed-in user's scope, input validation."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import Engine

from dashboard.scope import Scope
from dashboard.store import get_engine
from metrics.methodology import is_month


def engine() -> Engine:
    """The engine of the app serving this request (created lazily, once per process)."""
    return get_engine(current_app.config["CCTNS_DATABASE_URL"])


def scope() -> Scope:
    """The signed-in user's scope (the auth guard has already rejected anonymous requests)."""
    from dashboard.web import current_scope

    return current_scope()


def valid_month(value: object, months: list[str]) -> str | None:
    """A month from the client, accepted only if it has results; otherwise None."""
    return value if isinstance(value, str) and is_month(value) and value in months else None
