"""Whole callback responses, cached: a warm click is one cache read (issue 15).

Results are immutable between imports, so the JSON a page callback answers is a pure function of

* the callback (its `output` spec) and the values of its inputs and states,
* the user's *scope class* (`Scope.cache_key`: role, State, district — never the username),
* the *results generation* (`dashboard.read.generation`: every import, revert and recompute writes a new
  one, so a committed change moves every key at once),
* the *request context* (`request_context()`): whatever else the answer depends on that is not an input —
  the language, the day, and for callbacks that show the review loop's actions, the actions' own stamp.

Only callbacks registered with `callbacks.common.cached_callback` are cached (read-only pages whose
answer depends on nothing else); everything else goes to Dash as before. `changedPropIds` is left out of
the key: a cached callback must not read `dash.ctx.triggered*` (or be registered with `trigger=True`).

Where: the app's shared flask-caching backend (`dashboard.read.cache`: Redis in production, a filesystem
cache in development), both the JSON and its gzip, for `RESPONSE_TIMEOUT` (entries of old generations are
never read again and simply expire). A response is stored only when it is a 200 and the request wrote no
audit event (a scope violation is audited on every attempt). Any cache error falls back to Dash.

One answer at a time: a miss takes a short lock beside its key (`_answer_once`), so people asking for the
same cold answer at once (a hall opening the same pages) wait for the first one's instead of each
computing it on the same two cores.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

import dash
from flask import Flask, Response, g, request

from dashboard.web.auth import AUDITED_FLAG, current_user_session, request_engine, results_generation
from dashboard.web.request_gate import install_gate

UPDATE_PATH = "/_dash-update-component"
EXTENSION = "cctns_response_cache"
RESPONSE_TIMEOUT = 3 * 24 * 3600  # seconds: an import on Friday night is still warm on Monday morning
GZIP_LEVEL = 5  # as dashboard.web.serving compresses callback JSON


@dataclass(frozen=True)
class Policy:
    """How one cached callback is keyed: `actions` adds the review loop's stamp (the deck and the actions
    panels show actions, which change between imports); `flags` adds the flag reviews' stamp (a verified or
    dismissed flag changes the counts); `trigger` keeps `changedPropIds` in the key."""

    actions: bool = False
    flags: bool = False
    trigger: bool = False


class ResponseCache:
    """The cached callbacks of one app (by Dash output spec) and the hit/miss counters of this process."""

    def __init__(self) -> None:
        self.policies: dict[str, Policy] = {}
        self.hits = 0
        self.misses = 0
        self.stored = 0
        self.errors = 0


def _registry(server: Flask) -> ResponseCache:
    return server.extensions.setdefault(EXTENSION, ResponseCache())


def mark_cacheable(app: dash.Dash, output: str, *, actions: bool = False, flags: bool = False,
                   trigger: bool = False) -> None:
    """Cache the whole responses of the callback whose Dash output spec is `output`."""
    if output not in app.callback_map:
        raise KeyError(f"no callback with output {output!r}")
    _registry(app.server).policies[output] = Policy(actions=actions, flags=flags, trigger=trigger)


def cached_outputs(server: Flask) -> dict[str, Policy]:
    return dict(_registry(server).policies)


def response_cache_stats(server: Flask) -> dict[str, int]:
    r = _registry(server)
    return {"hits": r.hits, "misses": r.misses, "stored": r.stored, "errors": r.errors}


# --- the key ------------------------------------------------------------------------------------------


def request_context(policy: Policy = Policy()) -> dict[str, str]:
    """What a cached response depends on besides its inputs, scope class and results generation.

    Add to it here (one place) whenever an answer starts to depend on something else of the request:
    a per-request language, a ranking scheme chosen outside the callback's inputs, a user preference.
    The day (in the display time zone) is in it because pages count days (to the cut-off, since data
    came in): an answer is never served on another day than it was made."""
    context = {"language": request_language(), "day": local_day()}
    if policy.actions:
        from dashboard.actions import actions_stamp
        context["actions"] = actions_stamp(request_engine())
    if policy.flags:
        from dashboard.foresight import flags_stamp
        context["flags"] = flags_stamp(request_engine())
    return context


def local_day() -> str:
    """Today in the display time zone (CCTNS_TIMEZONE, India Standard Time by default), as ISO text."""
    from dashboard.display import local_today

    return local_today().isoformat()


def request_language() -> str:
    """The language this request is answered in (set by `dashboard.web.language` before any callback)."""
    from dashboard.i18n import current_language

    return current_language()


def response_key(body: dict[str, Any], policy: Policy, scope_key: str, generation: str,
                 context: dict[str, str]) -> str:
    """The cache key of one callback request. Values are canonical JSON, so the same inputs in another
    key order are one entry; a different scope class, generation or context is always another entry."""

    def values(kind: str) -> list[list[Any]]:
        items = body.get(kind) or []
        return [[i.get("id"), i.get("property"), i.get("value")] for i in items if isinstance(i, dict)]

    parts: dict[str, Any] = {"output": body.get("output"), "inputs": values("inputs"), "state": values("state"),
                             "scope": scope_key, "context": sorted(context.items())}
    if policy.trigger:
        parts["changed"] = sorted(str(c) for c in body.get("changedPropIds") or [])
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()
    gen = hashlib.sha256(generation.encode()).hexdigest()[:12]
    return f"r:{gen}:{digest[:40]}"


# --- the hooks ----------------------------------------------------------------------------------------


def _backend(server: Flask) -> Any:
    from dashboard.read import EXTENSION as READ_CACHE

    state = server.extensions.get(READ_CACHE)
    return state.cache if state is not None else None


def _key_for_request(server: Flask) -> str | None:
    """The key of this request when it is a signed-in call of a cached callback, else None."""
    if request.method != "POST" or request.path != UPDATE_PATH:
        return None
    registry = server.extensions.get(EXTENSION)
    if registry is None or not registry.policies:
        return None
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None
    policy = registry.policies.get(body.get("output"))  # type: ignore[arg-type]
    if policy is None:
        return None
    user = current_user_session()
    if user is None:
        return None
    return response_key(body, policy, user.scope.cache_key, _request_generation(), request_context(policy))


def _request_generation() -> str:
    """The results generation of this request: the one the guard read with the user (no second statement),
    kept for the read cache of the same request, or read now."""
    from dashboard.read import generation, remember_generation

    engine = request_engine()
    seen = results_generation(engine)
    return remember_generation(engine, seen) if seen is not None else generation(engine)


def answer_key(server: Flask, body: dict[str, Any], scope: Any, generation: str) -> str | None:
    """The key of `body` answered for `scope` (inside a request context), or None when the callback is not
    cached (the warm-up asks which keys are stored for a whole page at once: `stored_keys`)."""
    registry = server.extensions.get(EXTENSION)
    policy = registry.policies.get(body.get("output")) if registry is not None else None
    if policy is None or _backend(server) is None:
        return None
    return response_key(body, policy, scope.cache_key, generation, request_context(policy))


def stored_keys(server: Flask, keys: list[str]) -> set[str]:
    """Those of `keys` that hold an answer (one MGET on Redis)."""
    if not keys:
        return set()
    values = _backend(server).get_many(*keys)
    return {k for k, v in zip(keys, values, strict=True) if _hit(v) is not None}


def _packed(raw: bytes) -> tuple[tuple[str, bytes, bytes | None], bytes | None]:
    gz = gzip.compress(raw, compresslevel=GZIP_LEVEL, mtime=0) if len(raw) >= 1024 else None
    return ("r1", raw, gz), gz


def store_answer(server: Flask, key: str, raw: bytes) -> bytes | None:
    """Store a 200 answer's JSON (and its gzip); returns the gzip (None when too small to compress)."""
    value, gz = _packed(raw)
    _backend(server).set(key, value, timeout=RESPONSE_TIMEOUT)
    _registry(server).stored += 1
    return gz


def store_answers(server: Flask, answers: dict[str, bytes]) -> None:
    """Store several 200 answers at once (the warm-up's answers of one page: one pipeline on Redis)."""
    if answers:
        _backend(server).set_many({key: _packed(raw)[0] for key, raw in answers.items()}, timeout=RESPONSE_TIMEOUT)
        _registry(server).stored += len(answers)


def dash_app(server: Flask) -> dash.Dash | None:
    """The Dash app of this Flask server (for the warm-up thread started from gunicorn's hooks)."""
    return server.extensions.get(EXTENSION + "_app")


def _wants_gzip() -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


def _answer(raw: bytes, gz: bytes | None) -> Response:
    if gz is not None and _wants_gzip():
        resp = Response(gz, mimetype="application/json")
        resp.headers["Content-Encoding"] = "gzip"
        resp.headers["Content-Length"] = str(len(gz))
    else:
        resp = Response(raw, mimetype="application/json")
    resp.vary.add("Accept-Encoding")
    resp.headers["X-CCTNS-Cache"] = "hit"
    return resp


def init_response_cache(app: dash.Dash) -> None:
    """Register the lookup (after the auth guard and the callback-body checks) and the store."""
    server: Flask = app.server
    registry = _registry(server)
    server.extensions[EXTENSION + "_app"] = app
    install_gate(server)  # the warm-up waits for this process's requests in flight

    @server.before_request
    def _cached_response() -> Response | None:
        backend = _backend(server)
        if backend is None:
            return None
        try:
            key = _key_for_request(server)
        except Exception:  # noqa: BLE001 - never fail a request because of the cache
            registry.errors += 1
            return None
        if key is None:
            return None
        try:
            hit = _hit(backend.get(key))
            if hit is None:
                hit = _answer_once(backend, key)
        except Exception:  # noqa: BLE001 - cache down: Dash answers
            registry.errors += 1
            return None
        if hit is not None:
            registry.hits += 1
            return _answer(hit[1], hit[2])
        registry.misses += 1
        g.cctns_response_key = key
        return None

    @server.after_request
    def _store_response(response: Response) -> Response:
        key = g.pop("cctns_response_key", None)
        try:
            if (key is None or response.status_code != 200 or g.get(AUDITED_FLAG)
                    or response.mimetype != "application/json" or "Content-Encoding" in response.headers):
                return response
            try:
                gz = store_answer(server, key, response.get_data())
            except Exception:  # noqa: BLE001
                registry.errors += 1
                return response
            if gz is not None and _wants_gzip():  # already compressed: the serving hook leaves it as it is
                response.set_data(gz)
                response.headers["Content-Encoding"] = "gzip"
                response.headers["Content-Length"] = str(len(gz))
                response.vary.add("Accept-Encoding")
            return response
        finally:
            _release(server)  # after the store: whoever waits for this answer finds it

    @server.teardown_request
    def _release_on_error(_exc: BaseException | None) -> None:
        _release(server)


# --- one answer at a time per key ---------------------------------------------------------------------

LOCK_SUFFIX = ":computing"
LOCK_TIMEOUT = 60  # seconds: gunicorn's worker timeout; a lock of a killed worker expires by itself
WAIT_S = 20.0  # the longest a request waits for another's answer before computing it too
POLL_S = (0.01, 0.02, 0.04, 0.08, 0.1)  # then every 0.1 s


def _hit(value: Any) -> tuple[str, bytes, bytes | None] | None:
    return value if isinstance(value, tuple) and len(value) == 3 and value[0] == "r1" else None


def _answer_once(backend: Any, key: str) -> tuple[str, bytes, bytes | None] | None:
    """A miss: compute it here (None) unless another request, in any worker or app server, is computing the
    same answer already; then wait for theirs (issue 15: when a hall opens the same pages at once, one cold
    answer is computed once, not once per person, while the others queue for the cores).

    The lock is the cache's atomic add (Redis SET NX) next to the key; its holder releases it after storing
    (or failing: `_release` at teardown), and it expires by itself after LOCK_TIMEOUT. A waiter computes
    the answer itself when the lock goes without an answer (an audited or failed request stores nothing)
    or after WAIT_S. The answer waited for has exactly this request's key: the same callback, inputs, scope
    class, results generation and context."""
    lock = key + LOCK_SUFFIX
    if backend.add(lock, 1, timeout=LOCK_TIMEOUT):
        g.cctns_response_lock = lock
        return None
    deadline = time.monotonic() + WAIT_S
    for step in itertools.count():
        time.sleep(POLL_S[min(step, len(POLL_S) - 1)])
        hit = _hit(backend.get(key))
        if hit is not None:
            return hit
        if not backend.has(lock):  # released without an answer, or stored just before it went
            return _hit(backend.get(key))
        if time.monotonic() > deadline:
            return None
    return None  # pragma: no cover - the loop returns


def _release(server: Flask) -> None:
    lock = g.pop("cctns_response_lock", None)
    if lock is not None:
        try:
            _backend(server).delete(lock)
        except Exception:  # noqa: BLE001 - it expires by itself
            _registry(server).errors += 1
