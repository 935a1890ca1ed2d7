"""Upgrading an installation that already holds data: SQLite rebuilds a table for some migrations (alembic's
batch mode: copy, DROP, rename), which its foreign keys refuse while rows point at the table."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from dashboard.store import schema
from dashboard.store.db import get_engine


def test_a_sqlite_database_with_import_batches_upgrades_to_head(tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path / 'old.db'}")  # foreign keys on, as the app runs
    cfg = schema.alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")  # an installation of the first wave
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO import_batches (id, created_at, created_by, file_name, file_sha256, kinds, months, "
            "rows_added, rows_replaced, status) VALUES (1, '2026-11-01 10:00:00', 'op', 'a.csv', :sha, "
            "'station_monthly', '2026-10', 1, 1, 'applied')"), {"sha": "0" * 64})
        conn.execute(text("INSERT INTO import_replaced (batch_id, table_name, key, old_values) "
                          "VALUES (1, 'station_rows', 'k', '{}')"))

    schema.upgrade(engine)

    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == \
            command.ScriptDirectory.from_config(cfg).get_current_head()
        assert conn.execute(text("SELECT count(*) FROM import_replaced WHERE batch_id = 1")).scalar() == 1
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1  # back on for the app's connection
    assert "provisional" in {c["name"] for c in inspect(engine).get_columns("import_batches")}
    engine.dispose()
