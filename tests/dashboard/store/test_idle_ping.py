"""The pool pings a connection only when it sat unused for a while (dashboard.store.db.ping_idle_connections):
a connection the database dropped while it was idle is replaced before a request gets it; one used a
moment ago is handed out without a round trip."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import exc, text

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url() -> str:
    url = os.environ.get("CCTNS_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("CCTNS_TEST_POSTGRES_URL not set")
    return url


def _drop_the_pooled_connection(engine) -> None:
    """Check the pool's one connection in, then end its backend from another session (a restart, seen from
    that connection)."""
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    admin = create_engine(engine.url, poolclass=NullPool)
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    admin.dispose()


def test_an_idle_connection_dropped_by_the_database_is_replaced(pg_url, monkeypatch):
    from dashboard.store import db

    engine = db.make_engine(pg_url)
    try:
        _drop_the_pooled_connection(engine)
        clock = [db.time.monotonic()]
        monkeypatch.setattr(db.time, "monotonic", lambda: clock[0])
        clock[0] += db.IDLE_PING_S + 1  # idle longer than the threshold: pinged, found dead, replaced
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()


def test_a_connection_used_a_moment_ago_is_not_pinged(pg_url):
    """Without the ping the dropped connection reaches the statement: the error a busy pool sees once after
    a restart (then SQLAlchemy invalidates the pool and the next checkout connects afresh)."""
    from dashboard.store import db

    engine = db.make_engine(pg_url)
    try:
        _drop_the_pooled_connection(engine)
        with pytest.raises(exc.OperationalError), engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()
