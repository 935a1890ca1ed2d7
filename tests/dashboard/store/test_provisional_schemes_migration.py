"""Migration 0010: the provisional results gain a `scheme` (part of their primary keys); the rows stored before
are CCTNS's, a snapshot may then hold a result per scheme, and a downgrade keeps CCTNS's. SQLite here,
PostgreSQL too under scripts/test.sh."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from dashboard.store.schema import alembic_config

UNIT = ("INSERT INTO provisional_units ({scheme_col}snapshot_id, level, unit_code, state_code, version_id, score, "
        "score_centi, reported, stations_active, stations_reported, lagging) VALUES ({scheme_val}1, 'state', 'XX', "
        "'XX', 'v', 91.5, {centi}, true, 3, 2, false)")


def _to(engine, revision: str, down: bool = False) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def test_provisional_results_become_cctns_and_take_a_scheme(any_db_url):
    engine = create_engine(any_db_url)
    try:
        _to(engine, "0009")
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO import_batches (id, created_at, created_by, file_name, file_sha256, kinds, months, "
                "rows_added, rows_replaced, status, provisional) VALUES (1, '2026-11-01 10:00:00', 'op', 'a.csv', "
                ":sha, 'station_rows', '2026-11', 1, 0, 'applied', true)"), {"sha": "0" * 64})
            conn.execute(text(
                "INSERT INTO provisional_snapshots (id, state_code, month, batch_id, as_of, created_by, status, "
                "station_rows, state_rows) VALUES (1, 'XX', '2026-11', 1, '2026-11-20 10:00:00', 'op', 'current', "
                "1, 0)"))
            conn.execute(text(UNIT.format(scheme_col="", scheme_val="", centi=9150)))
        _to(engine, "0010")
        with engine.begin() as conn:
            assert conn.execute(text("SELECT scheme, score_centi FROM provisional_units")).all() == [("cctns", 9150)]
            conn.execute(text(UNIT.format(scheme_col="scheme, ", scheme_val="'itsso', ", centi=7000)))
            assert conn.execute(text("SELECT count(*) FROM provisional_units")).scalar_one() == 2
        _to(engine, "0009", down=True)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT score_centi FROM provisional_units")).all() == [(9150,)]
        _to(engine, "head")
    finally:
        engine.dispose()
