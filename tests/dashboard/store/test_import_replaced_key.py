"""Migration 0008: import_replaced.batch_id is not a foreign key on PostgreSQL (it was checked row by row on
every re-import); SQLite keeps its constraint."""

from __future__ import annotations

from sqlalchemy import inspect


def test_import_replaced_batch_key(any_db_url):
    from dashboard.store.db import get_engine
    from dashboard.store.schema import upgrade

    engine = get_engine(any_db_url)
    upgrade(engine)
    fks = inspect(engine).get_foreign_keys("import_replaced")
    if engine.dialect.name == "postgresql":
        assert fks == []
    else:
        assert [fk["referred_table"] for fk in fks] == ["import_batches"]
    assert any(ix["column_names"] == ["batch_id"] for ix in inspect(engine).get_indexes("import_replaced"))
