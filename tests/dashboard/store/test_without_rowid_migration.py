"""Migration 0012: on SQLite the monthly rows are WITHOUT ROWID tables (one B-tree per table), their rows and
indexes kept, the results untouched; a downgrade gives the rowid tables back. Nothing changes on PostgreSQL."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect, text

from dashboard.store.schema import alembic_config

TABLES = ("station_rows", "state_rows")


def _to(engine, revision: str, down: bool = False) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def _without_rowid(engine) -> dict[str, bool]:
    with engine.connect() as conn:
        return {t: conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": t})
                .scalar_one().rstrip().upper().endswith("WITHOUT ROWID") for t in TABLES}


def _state(engine) -> tuple:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM station_rows ORDER BY station_code")).all()
        units = conn.execute(text("SELECT scheme, month, level, unit_code, score FROM result_units")).all()
    indexes = {t: sorted(ix["name"] for ix in inspect(engine).get_indexes(t)) for t in (*TABLES, "result_units")}
    return rows, units, indexes


def test_monthly_rows_and_results_lose_their_rowid_and_keep_everything(any_db_url):
    engine = create_engine(any_db_url)
    try:
        _to(engine, "0011")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO station_rows VALUES ('2026-11', 'PS-2', 'p', 3, 4, NULL), "
                              "('2026-11', 'PS-1', 'p', 1, 2, 7)"))
            conn.execute(text(
                "INSERT INTO result_units (scheme, month, level, unit_code, state_code, version_id, score, reported, "
                "active, stations_active, stations_reported, streak_at_1, streak_top5, lagging) VALUES "
                "('cctns', '2026-11', 'state', 'XX', 'XX', 'v', 91.5, true, true, 3, 2, 0, 0, false)"))
        before = _state(engine)
        _to(engine, "0012")
        assert _state(engine) == before
        if engine.dialect.name == "sqlite":
            assert all(_without_rowid(engine).values())
            _to(engine, "0011", down=True)
            assert not any(_without_rowid(engine).values())
            assert _state(engine) == before
            _to(engine, "0012")
            assert all(_without_rowid(engine).values())
        assert _state(engine) == before
    finally:
        engine.dispose()
