"""PostgreSQL's planner statistics after an import (issue 15): ANALYZE runs when the statistics do not know a
month the import wrote (a new month would be planned as nearly empty), and not for a month imported again
(its estimates do not change; ANALYZE of the six tables cost seconds of the server's time a national month)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from dashboard.ingest import import_files
from dashboard.store.db import PLANNER_TABLES, get_engine, tables_missing_months
from dashboard.store.schema import store_schemes, upgrade
from metrics.methodology import shipped_schemes

pytestmark = pytest.mark.postgres


def _analyzed(engine, run) -> list[str]:
    seen: list[str] = []

    def spy(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("ANALYZE"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", spy)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    return seen


def _month_files(held_back, month: str) -> list:
    csv = held_back.last_files[0].parent
    return [csv / f"station_rows_{month}.csv", csv / f"state_rows_{month}.csv"]


def test_a_new_month_is_analysed_and_a_month_imported_again_is_not(pg_schema_url, held_back):
    engine = get_engine(pg_schema_url)
    upgrade(engine)
    store_schemes(engine, shipped_schemes())
    import_files(engine, held_back.master, user="test")
    first, second = held_back.basis_month, held_back.last_month
    with engine.connect() as conn:
        assert tables_missing_months(conn, PLANNER_TABLES, [first]) == list(PLANNER_TABLES)
    assert _analyzed(engine, lambda: import_files(engine, _month_files(held_back, first), user="test"))
    with engine.connect() as conn:
        assert tables_missing_months(conn, PLANNER_TABLES, [first]) == []  # the statistics now know it
        assert set(tables_missing_months(conn, PLANNER_TABLES, [second])) >= {"station_rows", "result_units"}
    # the same month again: nothing to learn
    assert _analyzed(engine, lambda: import_files(engine, _month_files(held_back, first), user="test")) == []
    # the next month: analysed, and known afterwards
    assert _analyzed(engine, lambda: import_files(engine, _month_files(held_back, second), user="test"))
    with engine.connect() as conn:
        assert tables_missing_months(conn, PLANNER_TABLES, [first, second]) == []
