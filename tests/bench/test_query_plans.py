"""No statement a page runs reads a whole table that grows with the history (bench.query_plans): at 60
months of national data one such scan of result_units cost the State page 200 ms a cold click."""

from __future__ import annotations

import pytest

from bench.callbacks import sign_in
from bench.query_plans import scans, sweep


def test_scans_reads_sqlite_aliases_and_postgresql_seq_scans() -> None:
    sql = ("SELECT r.scheme FROM result_units AS r JOIN states s ON s.code = r.unit_code "
           "JOIN result_params p ON p.unit_code = r.unit_code WHERE r.month = ?")
    plan = ["SCAN r USING COVERING INDEX ix_result_units_unit",
            "SEARCH s USING COVERING INDEX sqlite_autoindex_states_1 (code=?)",
            "SEARCH p USING INDEX ix_result_params_scope (scheme=? AND month=?)"]
    assert scans(plan, sql, "sqlite") == ["result_units"]
    assert scans(["SCAN states"], "SELECT code FROM states", "sqlite") == []  # 36 rows: not growing
    assert scans(["SCAN result_lagging USING INDEX ix_x"], "SELECT 1 FROM result_lagging", "sqlite") == ["result_lagging"]
    pg = ["Hash Join  (cost=1.81..2000.00 rows=36 width=20)",
          "  ->  Seq Scan on result_units  (cost=0.00..1900.00 rows=36 width=20)",
          "  ->  Seq Scan on states  (cost=0.00..1.36 rows=36 width=4)"]
    assert scans(pg, "", "postgresql") == ["result_units"]
    leading = {"ix_result_units_scope": ("result_units", "scheme"), "states_pkey": ("states", "code")}
    skipped_first = ["Bitmap Heap Scan on result_units  (cost=201.24..255.73 rows=18 width=23)",
                     "  Recheck Cond: (((month)::text = '2025-06'::text) AND ((level)::text = 'state'::text))",
                     "  ->  Bitmap Index Scan on ix_result_units_scope  (cost=0.00..201.23 rows=18 width=0)",
                     "        Index Cond: (((month)::text = '2025-06'::text) AND ((level)::text = 'state'::text))"]
    assert scans(skipped_first, "", "postgresql", leading=leading) == ["result_units"]
    seek = ["Index Scan using ix_result_units_scope on result_units  (cost=0.42..8.44 rows=1 width=97)",
            "  Index Cond: (((scheme)::text = 'cctns'::text) AND ((month)::text = '2025-06'::text))",
            "->  Index Only Scan using states_pkey on states  (cost=0.14..2.83 rows=1 width=34)",
            "      Index Cond: (code = (result_units.unit_code)::text)"]
    assert scans(seek, "", "postgresql", leading=leading) == []


@pytest.fixture
def demo_app_on(any_db_url, demo_dir, tmp_path):
    """The small demo and the app on SQLite and on PostgreSQL; (app, engine, ncrb's password)."""
    from app import create_app
    from dashboard.config import load_settings
    from dashboard.store.db import get_engine
    from dashboard.web.users import create_demo_users
    from tests.conftest import load_small_demo

    engine = load_small_demo(get_engine(any_db_url), tmp_path / "csv")
    passwords = create_demo_users(engine)
    app = create_app(load_settings({"CCTNS_DATABASE_URL": any_db_url, "CCTNS_INSTANCE_DIR": str(tmp_path / "instance"),
                                    "CCTNS_SECRET_KEY": "test-secret-key-not-for-production-0123456789"}))
    app.server.config["TESTING"] = True
    return app, engine, passwords["ncrb"]


def test_no_callback_statement_scans_a_growing_table(demo_app_on) -> None:
    app, engine, password = demo_app_on
    client = app.server.test_client()
    csrf = sign_in(client, "ncrb", password)
    found = sweep(app, engine, client, csrf, limit=1)
    assert len(found) > 40  # the sweep really ran the pages' statements
    scanning = [(" ".join(st.sql.split())[:300], sorted(st.callbacks), tables) for st, _, tables in found if tables]
    assert scanning == []
