"""dashboard/web/gunicorn_conf.py: the hooks of `cctns serve --prod` that shape each process's collector (issue 15):
the master freezes the loaded app before forking, each worker collects less often."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from dashboard.web import gunicorn_conf
from dashboard.web.serving import GC_THRESHOLDS


@pytest.fixture
def collector() -> Iterator[None]:
    """Put this process's collector back as it was after the test."""
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_a_forked_worker_collects_less_often(collector: None) -> None:
    gc.set_threshold(700, 10, 10)  # Python's defaults
    gunicorn_conf.post_fork(SimpleNamespace(), SimpleNamespace())
    assert gc.get_threshold() == GC_THRESHOLDS
    assert GC_THRESHOLDS[0] > 700


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
    gc.set_threshold(700, 10, 10)
    as_a_worker()
    assert gc.get_threshold() == GC_THRESHOLDS and gc.get_freeze_count() > 0
