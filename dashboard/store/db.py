"""Engine and sessions. Engines are created on demand (never at import time) and cached per URL+pid,
so a forked gunicorn worker builds its own pool."""

from __future__ import annotations

import os
import threading
import time
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
    # connect_timeout: an unreachable database fails fast (HTTP 503) instead of holding a worker thread
    engine = create_engine(url, pool_size=pool_size(), max_overflow=10, pool_recycle=1800, pool_timeout=10,
                           connect_args={"connect_timeout": 5})
    ping_idle_connections(engine)
    return engine


IDLE_PING_S = 5.0  # a pooled connection unused for longer is pinged before it is handed out


def pool_size() -> int:
    """Connections each process keeps open (CCTNS_DB_POOL, default 5; 10 more are opened under load and
    closed again). README "Production defaults": workers x (pool + 10) must stay under the database's
    max_connections (PostgreSQL's default is 100)."""
    try:
        return max(1, int(os.environ.get("CCTNS_DB_POOL") or 5))
    except ValueError:
        return 5


def ping_idle_connections(engine: Engine, idle_s: float = IDLE_PING_S) -> None:
    """SQLAlchemy's `pool_pre_ping`, for connections that sat unused in the pool for more than `idle_s`.

    Pre-pinging every checkout cost a round trip to the database per checkout (one or more per request:
    1056 pings for 915 warm clicks, ~5 % of a warm click's CPU in the worker, and the database's CPU and a
    wake-up on a loaded machine on top). A connection broken by a database restart while the pool was busy
    fails its statement instead: SQLAlchemy then invalidates every connection of the pool, that request is
    answered 503 "data temporarily unavailable" (dashboard.web.serving) and the next ones connect afresh;
    one broken while the pool was quiet (the usual case: a restart at night) is caught here, so the first
    request after it works (tests/resilience/test_database_down.py)."""
    from sqlalchemy import exc

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: object, record: object) -> None:
        record.info["cctns_checked_in"] = time.monotonic()  # type: ignore[attr-defined]

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: object, record: object, _proxy: object) -> None:
        last = record.info.get("cctns_checked_in")  # type: ignore[attr-defined]
        if last is None or time.monotonic() - last <= idle_s:
            return  # new (just connected) or used a moment ago
        try:
            cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            dbapi_connection.rollback()  # type: ignore[attr-defined]  # no transaction left open by the ping
        except Exception as error:  # noqa: BLE001 - any failure: the pool replaces this connection
            raise exc.DisconnectionError(f"idle connection lost: {error}") from error


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


def column_values(series) -> list:
    """One column as plain Python values for a DB driver (NaN/NA -> None), converted as a whole array:
    numpy ints, floats and bools become Python ones by `tolist`, no per-cell type checks."""
    import numpy as np

    kind = series.dtype.kind
    if kind in "iub" and isinstance(series.dtype, np.dtype):
        return series.tolist()
    if kind == "f" and isinstance(series.dtype, np.dtype):
        values = series.to_numpy()
        missing = np.isnan(values)
        if not missing.any():
            return values.tolist()
        out = values.astype(object)
        out[missing] = None
        return out.tolist()
    values = series.to_numpy(dtype=object)  # extension arrays (Int64, boolean) give Python scalars and NA
    missing = series.isna().to_numpy()
    if missing.any():
        values = values.copy()
        values[missing] = None
    return values.tolist()


def frame_rows(df, columns) -> list[tuple]:
    """DataFrame -> list of tuples of plain Python values (NaN/NA -> None), column by column (fast on
    hundreds of thousands of rows)."""
    return list(zip(*[column_values(df[c]) for c in columns], strict=True)) if len(df) else []


def read_columns(conn, stmt, columns=None):
    """A SELECT (SQLAlchemy statement) read through the driver's cursor inside the caller's transaction, as a
    DataFrame built column by column: no SQLAlchemy Row per row and no row-wise DataFrame construction
    (`pandas.read_sql` spends seconds on a national month). `columns` renames the result's columns."""
    import pandas as pd

    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    args = tuple(params[k] for k in compiled.positiontup) if compiled.positional else params
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), args)
        names = list(columns) if columns is not None else [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in names})
    return pd.DataFrame(dict(zip(names, (list(c) for c in zip(*rows, strict=True)), strict=True)))


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


def insert_frame(conn, table_name: str, df, columns) -> None:
    """Insert a DataFrame's `columns` (named as the table's) inside the caller's transaction: on PostgreSQL
    one COPY of text built column by column (no Python call per row), elsewhere `bulk_insert`."""
    if not len(df):
        return
    columns = list(columns)
    if conn.dialect.name != "postgresql":
        bulk_insert(conn, table_name, columns, frame_rows(df, columns))
        return
    with conn.connection.driver_connection.cursor() as cur, cur.copy(
            f"COPY {table_name} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(copy_text(df, columns))


_COPY_NULL = "\\N"
_COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def _copy_value(value) -> str:
    """One value in PostgreSQL's COPY text format (None/NaN/NA: the null marker)."""
    import math

    import pandas as pd

    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return _COPY_NULL
    text = str(value)  # str, int, float (shortest repr), bool ("True": accepted by PostgreSQL)
    for char, escaped in _COPY_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return text


def _copy_column(series):
    """A column as an object array of COPY texts: numbers by Python's own `str`/`repr` over the whole column
    (faster than numpy's float printing, and the shortest text that reads back exactly), texts as they are
    unless one needs escaping, anything else once per distinct value."""
    import numpy as np
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return np.array(list(map(str, series.tolist())), dtype=object)
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return np.where(series.to_numpy(), "t", "f").astype(object)
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = series.to_numpy()
        out = np.array(list(map(repr, values.tolist())), dtype=object)
        out[np.isnan(values)] = _COPY_NULL
        return out
    codes, uniques = pd.factorize(series.astype(object), sort=False)
    uniques = np.asarray(uniques, dtype=object)
    plain = all(type(u) is str for u in uniques) and not any(
        char in joined for joined in ("\x00".join(uniques),) for char, _ in _COPY_ESCAPES)
    texts = list(uniques) if plain else [_copy_value(u) for u in uniques]
    return np.array(texts + [_COPY_NULL], dtype=object)[codes]  # code -1 (missing) -> the null marker


def copy_text(df, columns) -> str:
    """The rows of `columns` as PostgreSQL COPY text (tab-separated, \\N for null, one line per row)."""
    import numpy as np

    lines = _copy_column(df[columns[0]])
    for c in columns[1:]:
        lines = np.add(np.add(lines, "\t"), _copy_column(df[c]))
    return "\n".join(lines.tolist()) + "\n"


PLANNER_TABLES = ("station_rows", "state_rows", "result_units", "result_params", "result_lagging", "result_stakes")


def refresh_planner_statistics(engine, tables=PLANNER_TABLES, months=None) -> None:
    """After a bulk write, refresh PostgreSQL's planner statistics: with stale ones a freshly loaded
    month is planned as if empty (a 1 ms query took 77 ms). SQLite plans from its indexes: nothing to do.
    Best effort: a failure here never undoes an import.

    months: the months the write brought; then only the tables whose statistics do not know one of them yet
    (`tables_missing_months`) are analysed: a month imported again changes no estimate, and ANALYZE of the
    six tables costs seconds of the server's time at national scale (autovacuum still analyses a table
    whose rows changed by a tenth)."""
    if engine.dialect.name != "postgresql":
        return
    import logging

    from sqlalchemy import text

    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            if months is not None:
                tables = tables_missing_months(conn, tables, months)
            if tables:
                conn.execute(text("ANALYZE " + ", ".join(tables)))
    except Exception as exc:  # noqa: BLE001
        logging.getLogger(__name__).warning("ANALYZE after import failed: %s", exc)


def tables_missing_months(conn, tables, months) -> list[str]:
    """PostgreSQL: the `tables` whose planner statistics of the `month` column do not know every one of
    `months`: no statistics yet, or a month neither among the most common values nor within the histogram's
    bounds (the planner would estimate it as nearly empty)."""
    from sqlalchemy import text

    months = sorted(set(months))
    rows = conn.execute(text(
        "SELECT tablename, most_common_vals::text::text[], histogram_bounds::text::text[] FROM pg_stats "
        "WHERE schemaname = current_schema() AND attname = 'month' AND tablename = ANY(:tables)"),
        {"tables": list(tables)}).all()
    known = {t: (set(mcv or ()), (hist[0], hist[-1]) if hist else None) for t, mcv, hist in rows}
    stale = []
    for table in tables:
        if table not in known:
            stale.append(table)
            continue
        common, bounds = known[table]
        if any(m not in common and not (bounds and bounds[0] <= m <= bounds[1]) for m in months):
            stale.append(table)
    return stale
