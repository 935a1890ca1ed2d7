"""The shared result cache of the read API, declared where each function is defined: `@cached`.

* Backend (flask-caching): `RedisCache` when `CCTNS_REDIS_URL` is set (several app servers share it),
  otherwise `FileSystemCache` in the instance folder (the workers of one host share it). Nothing is kept
  in process memory: every hit is unpickled afresh, so callers may modify what they get.
* Key: function name + the language of the request (`dashboard.i18n`: read functions write words, e.g.
  the lagging reasons and "no data") + its arguments (the engine by a hash of its URL, a `Scope` by `Scope.cache_key`) +
  the *results generation*. The scope in the key is the one the caller passes: every read function that
  returns district or station data takes the caller's Scope, so two users with different scopes never
  share an entry, and this room needs nothing from the web room.
* Invalidation: the generation (`dashboard.store.read_generation`) is read once per request; every import,
  revert and recompute writes a new one inside its own transaction, so a committed change moves every
  key at once and a request that started before the commit can only populate keys of the old generation.
* Failure: any cache error (Redis down, disk full) falls back to calling the function; the database
  stays the source of truth. Outside a request of an app with a cache, `@cached` calls straight through.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, has_app_context, has_request_context
from flask_caching import Cache
from sqlalchemy import Engine

from dashboard.config import Settings
from dashboard.i18n import current_language
from dashboard.store import read_generation

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 3600  # seconds; stale generations simply expire
EXTENSION = "cctns_cache"

_MISSING = object()


class _Unkeyable(Exception):
    pass


def _generation(engine: Engine) -> str:
    """Read once per request (and per database)."""
    memo: dict[str, str] = g.setdefault("cctns_generation", {})
    url = str(engine.url)
    if url not in memo:
        memo[url] = read_generation(engine)
    return memo[url]


def remember_generation(engine: Engine, value: str) -> str:
    """Take `value` as this request's generation of `engine` unless one was read already (the web room's
    guard reads it with the user, in the same statement); returns the request's generation."""
    memo: dict[str, str] = g.setdefault("cctns_generation", {})
    return memo.setdefault(str(engine.url), value)


def generation(engine: Engine) -> str:
    """The results generation of `engine` as this request sees it (read once per request; outside a
    request, read now)."""
    return _generation(engine) if has_request_context() else read_generation(engine)


# --- keys ---------------------------------------------------------------------------------------------


def _norm(value: Any) -> str:
    from dashboard.scope import Scope

    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    if isinstance(value, Scope):
        return "scope(" + value.cache_key + ")"
    if isinstance(value, Engine):
        return "engine(" + hashlib.sha256(value.url.render_as_string(hide_password=False).encode()).hexdigest()[:16] + ")"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_norm(v) for v in value) + "]"
    if isinstance(value, set | frozenset):
        return "{" + ",".join(sorted(_norm(v) for v in value)) + "}"
    raise _Unkeyable(type(value).__name__)


def cache_key(name: str, generation: str, args: tuple, kwargs: dict, language: str | None = None) -> str:
    parts = [f"lang={language or current_language()}"] + [_norm(a) for a in args] + [f"{k}={_norm(v)}" for k, v in sorted(kwargs.items())]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    gen = hashlib.sha256(generation.encode()).hexdigest()[:12]
    return f"q:{gen}:{name}:{digest}"


# --- the wrapper ------------------------------------------------------------------------------------


class _State:
    def __init__(self, cache: Cache, kind: str):
        self.cache = cache
        self.kind = kind
        self.hits = 0
        self.misses = 0
        self.errors = 0
        self._last_warning = 0.0

    def warn(self, what: str, exc: BaseException) -> None:
        self.errors += 1
        now = time.monotonic()
        if now - self._last_warning > 60:
            self._last_warning = now
            log.warning("cache %s failed (%s: %s); reading the database directly", what, type(exc).__name__, exc)


def _active() -> _State | None:
    if not has_app_context():
        return None
    return current_app.extensions.get(EXTENSION)


def cached(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Cache `fn(engine, ...)` in the app's shared cache (see the module doc); a no-op outside such an app."""
    if getattr(fn, "__cctns_cached__", False):
        return fn

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        state = _active()
        if state is None or not args or not isinstance(args[0], Engine) or not has_request_context():
            return fn(*args, **kwargs)
        try:
            key = cache_key(fn.__name__, _generation(args[0]), args, kwargs)
        except _Unkeyable:
            return fn(*args, **kwargs)
        try:
            hit = state.cache.get(key)
        except Exception as exc:  # noqa: BLE001 - cache down: fall back to the database
            state.warn("read", exc)
            hit = None
        if isinstance(hit, tuple) and len(hit) == 2 and hit[0] == "v":
            state.hits += 1
            return hit[1]
        state.misses += 1
        value = fn(*args, **kwargs)
        try:
            state.cache.set(key, ("v", value))
        except Exception as exc:  # noqa: BLE001
            state.warn("write", exc)
        return value

    wrapper.__cctns_cached__ = True  # type: ignore[attr-defined]
    wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
    return wrapper


def cache_config(settings: Settings) -> dict[str, Any]:
    import os

    kind = os.environ.get("CCTNS_CACHE", "").strip().lower()
    if kind in ("off", "none", "null"):
        return {"CACHE_TYPE": "NullCache"}
    if settings.redis_url:
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": settings.redis_url,
                "CACHE_KEY_PREFIX": "cctns:", "CACHE_DEFAULT_TIMEOUT": DEFAULT_TIMEOUT,
                "CACHE_OPTIONS": {"socket_timeout": 1.0, "socket_connect_timeout": 1.0}}
    folder = settings.instance_dir / "cache"
    folder.mkdir(parents=True, exist_ok=True)
    return {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(folder), "CACHE_THRESHOLD": 20000,
            "CACHE_DEFAULT_TIMEOUT": DEFAULT_TIMEOUT}


def init_cache(server: Flask, settings: Settings) -> Cache | None:
    config = cache_config(settings)
    if config["CACHE_TYPE"] == "NullCache":
        return None
    cache = Cache(server, config=config)
    server.extensions[EXTENSION] = _State(cache, config["CACHE_TYPE"])
    return cache


def cache_stats(server: Flask) -> dict[str, Any]:
    state: _State | None = server.extensions.get(EXTENSION)
    if state is None:
        return {"type": "none"}
    return {"type": state.kind, "hits": state.hits, "misses": state.misses, "errors": state.errors}


def clear(server: Flask) -> None:
    state: _State | None = server.extensions.get(EXTENSION)
    if state is not None:
        with server.app_context():
            state.cache.clear()
