"""No statement a page runs reads a whole table that grows with the history (bench.query_plans): at 60
months of national data one such scan of result_units cost the State page 200 ms a cold click."""

from __future__ import annotations

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


def test_no_callback_statement_scans_a_growing_table(dash_app, demo_users, demo_engine) -> None:
    client = dash_app.server.test_client()
    csrf = sign_in(client, "ncrb", demo_users["ncrb"])
    found = sweep(dash_app, demo_engine, client, csrf, limit=1)
    assert len(found) > 40  # the sweep really ran the pages' statements
    scanning = [(" ".join(st.sql.split())[:300], sorted(st.callbacks), tables) for st, _, tables in found if tables]
    assert scanning == []
