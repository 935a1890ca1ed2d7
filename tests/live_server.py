"""A WSGI app served on 127.0.0.1 (a free port) by werkzeug in a thread, for tests that need a real HTTP server
(browsers, session replay). One helper for every such fixture."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def serve(wsgi_app: Any, name: str = "test-live-server") -> Iterator[str]:
    """Serve `wsgi_app` until the block ends; yields its base URL (http://127.0.0.1:<port>)."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args: object, **kwargs: object) -> None:  # no access log in test output
            pass

    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
