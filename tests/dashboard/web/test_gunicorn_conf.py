"""dashboard/web/gunicorn_conf.py: the master of `cctns serve --prod` freezes the loaded app before forking, so that
no full collection in a worker walks it (issue 15)."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from dashboard.web import gunicorn_conf


@pytest.fixture
def collector() -> Iterator[None]:
    """Put this process's collector back as it was after the test."""
    yield
    gc.unfreeze()


def test_the_master_freezes_the_loaded_app_last_before_forking(collector: None, dash_app) -> None:
    """`when_ready` precompresses the first page, then moves every object alive (the app among them) to the
    permanent generation: a collection in a worker no longer walks them."""
    gc.unfreeze()
    settings = dash_app.server.config["CCTNS_SETTINGS"]
    server = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: dash_app.server), log=logging.getLogger("test"))
    gunicorn_conf.when_ready(server)
    assert (settings.instance_dir / "compressed").is_dir()
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # the modules, the app, its layouts
    assert len(gc.get_objects()) < frozen // 10  # what a collection still walks: what came after


def test_a_bench_tool_times_callbacks_as_a_worker_would(collector: None) -> None:
    from bench.common import as_a_worker

    gc.unfreeze()
    as_a_worker()
    assert gc.get_freeze_count() > 10_000
