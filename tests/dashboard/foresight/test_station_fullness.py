"""`station_fullness` (migration 0013), what the too-perfect rule reads instead of aggregating the station rows
of every month of a streak at each import: equal to that aggregate after the demo's imports, after a month
imported again with other figures and after its revert, and filled from the stored rows by the migration."""

from __future__ import annotations

import csv

from alembic import command
from sqlalchemy import create_engine, text

from dashboard.ingest import import_files, revert_batch
from dashboard.store.schema import alembic_config

AGGREGATE = ("SELECT month, station_code, SUM(CASE WHEN denominator > 0 THEN 1 ELSE 0 END), "
             "SUM(CASE WHEN denominator > 0 AND numerator = denominator THEN 1 ELSE 0 END) "
             "FROM station_rows GROUP BY month, station_code ORDER BY month, station_code")
STORED = "SELECT month, station_code, parameters, full_parameters FROM station_fullness ORDER BY month, station_code"


def _both(engine) -> tuple[list[tuple], list[tuple]]:
    with engine.connect() as conn:
        return ([tuple(r) for r in conn.execute(text(STORED))],
                [tuple(int(v) if isinstance(v, int) else v for v in r) for r in conn.execute(text(AGGREGATE))])


def test_the_imports_keep_it_equal_to_the_station_rows(any_demo_engine):
    stored, aggregate = _both(any_demo_engine)
    assert stored and len({m for m, *_ in stored}) > 1
    assert stored == aggregate


def test_a_month_imported_again_with_other_figures_and_reverted_keeps_it_equal(held_back_engine, held_back, tmp_path):
    engine = held_back_engine
    import_files(engine, held_back.last_files, user="test")
    before, aggregate = _both(engine)
    assert before == aggregate and any(m == held_back.last_month for m, *_ in before)
    # the same month again, a station's rows now all full: its fullness must follow
    station_file = next(p for p in held_back.last_files if "station_rows" in p.name)
    rows = list(csv.DictReader(station_file.open()))
    station = rows[0]["station_code"]
    changed = tmp_path / "station_rows_again.csv"
    with changed.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        for r in rows:
            if r["station_code"] == station and int(r["denominator"]) > 0:
                r = {**r, "numerator": r["denominator"]}
            w.writerow(r)
    again = import_files(engine, [changed], user="test")
    stored, aggregate = _both(engine)
    assert stored == aggregate
    mine = {(m, s): (p, f) for m, s, p, f in stored}[(held_back.last_month, station)]
    assert mine[0] == mine[1] > 0 and stored != before
    revert_batch(engine, again.batch_id, user="test")
    assert _both(engine) == (before, before)


def test_the_migration_fills_it_from_the_stored_rows(any_db_url):
    engine = create_engine(any_db_url)
    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0012")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO station_rows VALUES ('2026-10', 'PS-1', 'a', 5, 5, NULL), "
                              "('2026-10', 'PS-1', 'b', 0, 0, NULL), ('2026-10', 'PS-1', 'c', 2, 3, NULL), "
                              "('2026-11', 'PS-1', 'a', 4, 4, NULL), ('2026-11', 'PS-2', 'a', 0, 0, NULL)"))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0013")
        stored, aggregate = _both(engine)
        assert stored == aggregate == [("2026-10", "PS-1", 2, 1), ("2026-11", "PS-1", 1, 1), ("2026-11", "PS-2", 0, 0)]
    finally:
        engine.dispose()
