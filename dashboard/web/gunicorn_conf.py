"""gunicorn settings for `cctns serve --prod` (`gunicorn -c python:dashboard.web.gunicorn_conf 'app:create_server()'`).

Environment: CCTNS_BIND (127.0.0.1:8050), CCTNS_WORKERS (default: 2 x CPUs, at most 8), CCTNS_THREADS (4),
CCTNS_TIMEOUT (60 s), CCTNS_ACCESS_LOG ("-" = standard output; "" = off), CCTNS_HASH_SLOTS (argon2
computations at once across all workers; default the number of CPUs).

The app is built once in the master (preload) and forked; database engines are created lazily per
process (dashboard.store.db.get_engine keys them by pid) and `post_fork` disposes any engine the master might
have opened, so no connection is ever shared between processes. Workers share nothing else: the cache is
in Redis or on disk, sessions are rows of `user_sessions` in the database.
"""

from __future__ import annotations

import os

from dashboard.web.serving import worker_count

bind = os.environ.get("CCTNS_BIND", "127.0.0.1:8050")
workers = worker_count(os.environ)
threads = int(os.environ.get("CCTNS_THREADS") or 4)
worker_class = "gthread"
timeout = int(os.environ.get("CCTNS_TIMEOUT") or 60)  # a callback taking longer is a bug, not a load
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # recycle workers now and then (slow leaks), staggered
max_requests_jitter = 500
preload_app = True
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("CCTNS_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("CCTNS_LOG_LEVEL", "info")
proc_name = "cctns-dashboard"
forwarded_allow_ips = os.environ.get("CCTNS_FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server) -> None:  # noqa: ARG001 - gunicorn hook signature
    """In the master, before any fork: one bound on argon2 computations shared by every worker (a hall
    signing in at once queues for the cores instead of sharing them to the end; dashboard/web/passwords.py)."""
    from dashboard.web.passwords import share_hash_slots

    share_hash_slots()


def when_ready(server) -> None:
    """In the master, the app loaded and before any fork: the first page's scripts and style sheets compressed
    once at brotli's best (dashboard/web/serving.py precompress_first_page), kept in the instance folder."""
    from dashboard.web.serving import precompress_first_page

    flask_app = server.app.wsgi()
    settings = flask_app.config.get("CCTNS_SETTINGS")
    folder = settings.instance_dir / "compressed" if settings is not None else None
    done = precompress_first_page(flask_app, folder)
    server.log.info("first page precompressed: %d files, %d KB -> %d KB (brotli)", done["files"],
                    done["bytes"] // 1024, done["br"] // 1024)
    from dashboard.web.serving import freeze_loaded_app

    freeze_loaded_app()  # last before the forks: the loaded app out of the workers' collections


def post_fork(server, worker) -> None:  # noqa: ARG001 - gunicorn hook signature
    from dashboard.store import dispose_engines

    dispose_engines(close=False)


def post_worker_init(worker) -> None:
    """Each worker watches the results generation and warms the response cache after an import (one worker
    per generation does the work: dashboard/web/warmup.py)."""
    from dashboard.web import start_warmer

    start_warmer(worker.wsgi)
