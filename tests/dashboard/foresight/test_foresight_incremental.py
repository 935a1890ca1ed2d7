"""Looking ahead redoes at each import only what the months imported can change (issue 14's time budget): the
projections, backtests and flags left by the demo's month-by-month imports equal those of one computation
over every month, on SQLite and on PostgreSQL (its own SQL: the station pairs' join, the series' text)."""

from __future__ import annotations

import numpy as np
from sqlalchemy import text

from dashboard.foresight.compute import refresh_foresight

TABLES = {
    "projections": "SELECT scheme, month, state_code, rank_now, p_first, p_top5, p_improve, rank_low, rank_high, "
                   "rank_median, score_median FROM projections",
    "projection_backtests": "SELECT scheme, month, months_checked, checks, coverage, mae_model, mae_carry, "
                            "brier_model, brier_carry FROM projection_backtests",
    "data_flags": "SELECT month, rule, level, unit_code, state_code, district_code, parameter, evidence_key "
                  "FROM data_flags",
}


def _stored(conn) -> dict[str, list[tuple]]:
    def clean(row):
        return tuple(round(v, 9) if isinstance(v, float) and not np.isnan(v) else v for v in row)

    return {name: sorted((clean(r) for r in conn.execute(text(sql))), key=repr) for name, sql in TABLES.items()}


def test_month_by_month_imports_leave_what_one_computation_over_every_month_gives(any_demo_engine):
    engine = any_demo_engine
    with engine.connect() as conn:
        incremental = _stored(conn)
        months = [m for (m,) in conn.execute(text(
            "SELECT DISTINCT month FROM result_units WHERE level = 'state' ORDER BY month"))]
    assert incremental["projections"] and incremental["projection_backtests"]
    assert {r[0] for r in incremental["projections"]} == {"cctns", "icjs", "itsso"}  # every scheme projected
    with engine.begin() as conn:
        refresh_foresight(conn, months)
        everything = _stored(conn)
        conn.rollback()
    assert incremental == everything
