"""The requests in flight in this process, so that background work (the cache warm-up) waits for users' clicks.

Installed by `dashboard.web.response_cache.init_response_cache` before the first request (Flask takes hooks
only then); `dashboard.web.warmup` waits on it before each answer.
"""

from __future__ import annotations

import threading

from flask import Flask

GATE = "cctns_warm_gate"


class RequestGate:
    """A count of the requests in flight and an event set while there are none."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active = 0
        self._idle = threading.Event()
        self._idle.set()

    def enter(self) -> None:
        with self._lock:
            self._active += 1
            self._idle.clear()

    def leave(self) -> None:
        with self._lock:
            self._active = max(0, self._active - 1)
            if self._active == 0:
                self._idle.set()

    def wait_idle(self, timeout: float) -> bool:
        """True when no request is in flight (at once or within `timeout` s)."""
        return self._idle.wait(timeout)


def install_gate(server: Flask) -> RequestGate:
    """Count this server's requests in flight (before any request: Flask takes hooks only then)."""
    gate: RequestGate | None = server.extensions.get(GATE)
    if gate is None:
        gate = server.extensions[GATE] = RequestGate()
        # first of the hooks: one that answers (the guard's redirect) skips those after it, never teardown
        server.before_request_funcs.setdefault(None, []).insert(0, gate.enter)

        @server.teardown_request
        def _left(_exc: BaseException | None) -> None:
            gate.leave()

    return gate
