"""Imports under stress, on SQLite and PostgreSQL, through the real `cctns import` command:

* killed with SIGKILL halfway: the earlier data is intact and the import can simply be run again;
* readers during an import never see a half-imported month;
* several imports at once are serialised and do not corrupt each other.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from reslib import cctns, cli_env, prepare
from sqlalchemy import Engine, func, select

pytestmark = pytest.mark.slow


def counts(engine: Engine, month: str) -> dict[str, int]:
    """The month's row counts, read by one statement so they come from one snapshot (separate statements
    on PostgreSQL's READ COMMITTED may straddle an import's commit and disagree with each other)."""
    from dashboard.store.models import ImportBatch, ResultParam, ResultUnit, StationRow

    def count(model, *where):
        return select(func.count()).select_from(model).where(*where).scalar_subquery()

    with engine.connect() as conn:
        row = conn.execute(select(
            count(StationRow, StationRow.month == month).label("station_rows"),
            count(ResultUnit, ResultUnit.month == month).label("result_units"),
            count(ResultParam, ResultParam.month == month).label("result_params"),
            count(ImportBatch).label("batches"),
        )).one()
    return dict(row._mapping)


def snapshot(engine: Engine, month: str) -> list[tuple]:
    from dashboard.store.models import ResultUnit

    with engine.connect() as conn:
        return conn.execute(select(ResultUnit.scheme, ResultUnit.level, ResultUnit.unit_code, ResultUnit.score_centi, ResultUnit.rank_national,
                                   ResultUnit.rank_in_state, ResultUnit.rank_change_national).where(ResultUnit.month == month, ResultUnit.level != "station")
                            .order_by(ResultUnit.scheme, ResultUnit.level, ResultUnit.unit_code)).all()


def import_in_progress(engine: Engine) -> bool:
    """True while an import holds its lock, i.e. its transaction is open (PostgreSQL: the table lock on
    import_batches; SQLite: the database write lock, taken by the batch row it writes first)."""
    import sqlite3

    from sqlalchemy import text

    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = 'import_batches' AND l.mode = 'ShareRowExclusiveLock' AND l.granted "
                "AND l.pid <> pg_backend_pid()")).scalar_one())
    probe = sqlite3.connect(engine.url.database, timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.rollback()
        return False
    except sqlite3.OperationalError:  # "database is locked": the import is writing
        return True
    finally:
        probe.close()


def run_import(url: str, instance: Path, files: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run(cctns("import", *map(str, files)), env=cli_env(url, instance), capture_output=True,
                          text=True, timeout=600)


def test_import_killed_halfway_leaves_earlier_data_and_can_be_rerun(db_url, national_files, tmp_path):
    from dashboard.ingest import import_files

    engine = prepare(db_url)
    import_files(engine, national_files.master, user="test")
    first, second = national_files.months
    t = time.perf_counter()
    done = run_import(db_url, tmp_path, national_files.by_month[0])
    duration = time.perf_counter() - t
    assert done.returncode == 0, done.stderr
    before = counts(engine, first)
    scores_before = snapshot(engine, first)
    assert before["result_units"] > 10_000

    # the same size of import again, killed while its transaction is open (not by the clock: a loaded
    # machine makes the second import faster or slower than the first)
    proc = subprocess.Popen(cctns("import", *map(str, national_files.by_month[1])), env=cli_env(db_url, tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + max(120.0, duration * 4)
    writing = False
    while proc.poll() is None and not writing and time.monotonic() < deadline:
        writing = import_in_progress(engine)
        time.sleep(0.02)
    assert writing, "the import was never seen holding its lock"
    time.sleep(min(0.5, duration * 0.05))  # well inside the writing and recomputing
    assert proc.poll() is None, "the import finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL

    after = counts(engine, first)
    assert after == before
    assert snapshot(engine, first) == scores_before
    assert counts(engine, second)["station_rows"] == 0
    assert counts(engine, second)["result_units"] == 0

    again = run_import(db_url, tmp_path, national_files.by_month[1])
    assert again.returncode == 0, again.stderr
    final = counts(engine, second)
    assert final["station_rows"] > 100_000 and final["result_units"] > 10_000
    assert counts(engine, first)["station_rows"] == before["station_rows"]
    engine.dispose()


def test_readers_never_see_a_half_imported_month(db_url, small_files, tmp_path):
    from dashboard import read
    from dashboard.ingest import import_files

    engine = prepare(db_url)
    import_files(engine, small_files.master, user="test")
    for pair in small_files.by_month[:-1]:
        import_files(engine, pair, user="test")
    month = small_files.months[-1]
    seen: list[tuple[bool, dict[str, int], int]] = []
    stop = threading.Event()

    def keep_reading() -> None:
        reader = prepare(db_url)
        while not stop.is_set():
            visible = month in read.months(reader)
            c = counts(reader, month)
            table = read.states_table(reader, month)
            seen.append((visible, c, len(table)))
        reader.dispose()

    th = threading.Thread(target=keep_reading)
    th.start()
    try:
        for _ in range(3):  # import, and import again over it (all rows replaced): readers run throughout
            r = run_import(db_url, tmp_path, small_files.by_month[-1])
            assert r.returncode == 0, r.stderr
    finally:
        stop.set()
        th.join(60)
    final = counts(engine, month)
    assert len(seen) > 10
    for visible, c, n_states in seen:
        if c["station_rows"] or c["result_units"]:
            # a month is either absent or complete: rows and every result together
            assert c["station_rows"] == final["station_rows"]
            assert c["result_units"] == final["result_units"]
            assert c["result_params"] == final["result_params"]
        assert (n_states > 0) == (c["result_units"] > 0) or not visible
    assert any(c["result_units"] == 0 for _, c, _ in seen), "no reading happened before the first import"
    engine.dispose()


def test_concurrent_imports_are_serialised(db_url, small_files, tmp_path):
    from dashboard.ingest import import_files, list_batches

    engine = prepare(db_url)
    import_files(engine, small_files.master, user="test")
    import_files(engine, small_files.by_month[0], user="test")
    m1, m2 = small_files.months[1], small_files.months[2]
    jobs = [small_files.by_month[1], small_files.by_month[2], small_files.by_month[1]]  # m1 twice
    procs = [subprocess.Popen(cctns("import", *map(str, files)), env=cli_env(db_url, tmp_path),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for files in jobs]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err

    batches = [b for b in list_batches(engine) if b.status == "applied"]
    assert len(batches) == 2 + 3  # master + first month + the three concurrent ones
    m1_batches = [b for b in batches if b.months == m1]
    assert len(m1_batches) == 2
    rows_m1 = counts(engine, m1)["station_rows"]
    # exactly one of the two m1 imports added the rows, the other replaced every one of them
    assert sorted(b.rows_replaced > 0 for b in m1_batches) == [False, True]
    assert max(b.rows_replaced for b in m1_batches) >= rows_m1

    # the results equal a sequential import of the same files
    reference = prepare(f"sqlite:///{tmp_path / 'reference.sqlite3'}")
    for files in [small_files.master, small_files.by_month[0], *jobs[:2]]:
        import_files(reference, files, user="test")
    for month in (m1, m2):
        assert counts(engine, month)["result_units"] == counts(reference, month)["result_units"]
        assert snapshot(engine, month) == snapshot(reference, month)
    reference.dispose()
    engine.dispose()
