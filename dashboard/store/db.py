"""Engine and sessions. Engines are created on demand (never at import time) and cached per URL+pid,
so a forked gunicorn worker builds its own pool."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

from dashboard.config import load_settings

_engines: dict[tuple[str, int], Engine] = {}
_lock = threading.Lock()


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # pre-ping: connections broken by a database restart are replaced transparently; connect_timeout: an
    # unreachable database fails fast (HTTP 503) instead of holding a worker thread
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10, pool_recycle=1800,
                         pool_timeout=10, connect_args={"connect_timeout": 5})


def get_engine(url: str | None = None) -> Engine:
    """The engine for `url` (default: CCTNS_DATABASE_URL) in this process."""
    url = url or load_settings().database_url
    key = (url, os.getpid())
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = make_engine(url)
            _engines[key] = engine
        return engine


def dispose_engines(close: bool = True) -> None:
    """Forget every engine of this process. In a forked child pass close=False: the pooled connections
    belong to the parent and must not be closed from here (SQLAlchemy, "pooling and os.fork()")."""
    with _lock:
        for engine in _engines.values():
            engine.dispose(close=close)
        _engines.clear()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error."""
    session = Session(bind=engine, expire_on_commit=False)  # not sessionmaker(): a new class per call is slow
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def frame_rows(df, columns) -> list[tuple]:
    """DataFrame -> list of tuples of plain Python values (NaN/NA -> None), fast enough for 100k rows."""
    import pandas as pd

    sub = df[list(columns)].astype(object)
    sub = sub.where(pd.notna(sub), None)
    return list(sub.itertuples(index=False, name=None))


def bulk_insert(conn, table_name: str, columns, rows: list[tuple]) -> None:
    """Insert many rows through the DBAPI inside the caller's transaction: COPY on PostgreSQL,
    executemany on SQLite. Bypasses SQLAlchemy's per-row parameter processing (10x faster)."""
    if not rows:
        return
    cols = ", ".join(columns)
    dbapi_conn = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with dbapi_conn.cursor() as cur, cur.copy(f"COPY {table_name} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    cur = dbapi_conn.cursor()
    try:
        cur.executemany(f"INSERT INTO {table_name} ({cols}) VALUES ({marks})", rows)
    finally:
        cur.close()


PLANNER_TABLES = ("station_rows", "state_rows", "result_units", "result_params", "result_lagging", "result_stakes")


def refresh_planner_statistics(engine, tables=PLANNER_TABLES) -> None:
    """After a bulk write, refresh PostgreSQL's planner statistics: with stale ones a freshly loaded
    month is planned as if empty (a 1 ms query took 77 ms). SQLite plans from its indexes: nothing to do.
    Best effort: a failure here never undoes an import."""
    if engine.dialect.name != "postgresql":
        return
    import logging

    from sqlalchemy import text

    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text("ANALYZE " + ", ".join(tables)))
    except Exception as exc:  # noqa: BLE001
        logging.getLogger(__name__).warning("ANALYZE after import failed: %s", exc)
