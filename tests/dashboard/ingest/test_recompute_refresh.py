"""Recomputing an earlier month refreshes the rank changes and streaks of the months after it, exactly as
a full recompute would (and only where they change)."""

from __future__ import annotations

import sqlite3

import pandas as pd
from sqlalchemy import select, update

from dashboard.ingest.recompute import DERIVED_COLUMNS, recompute_months
from dashboard.store.db import get_engine
from dashboard.store.models import ResultUnit, StationRow
from dashboard.store.schema import load_stored_methodology


def _derived(engine) -> pd.DataFrame:
    cols = [ResultUnit.scheme, ResultUnit.month, ResultUnit.level, ResultUnit.unit_code, *[getattr(ResultUnit, c) for c in DERIVED_COLUMNS]]
    with engine.connect() as conn:
        df = pd.read_sql(select(*cols), conn)
    return df.sort_values(["scheme", "month", "level", "unit_code"]).reset_index(drop=True)


def test_changing_an_old_month_refreshes_later_months_like_a_full_recompute(demo_engine, tmp_path):
    src = demo_engine.url.database
    copy = tmp_path / "copy.sqlite3"
    with sqlite3.connect(src) as source, sqlite3.connect(copy) as target_db:
        source.backup(target_db)  # includes what is still in the write-ahead log
    engine = get_engine(f"sqlite:///{copy}")
    methodology = load_stored_methodology(engine)
    with engine.connect() as conn:
        months = sorted({m for (m,) in conn.execute(select(StationRow.month).distinct())})
    target = months[2]
    # wreck one State's data in an early month: ranks there change, and with them later rank changes
    with engine.begin() as conn:
        conn.execute(update(StationRow).where(StationRow.month == target, StationRow.station_code.like("HR-%"))
                     .values(numerator=0))
        recompute_months(conn, [target], methodology)
    incremental = _derived(engine)
    with engine.begin() as conn:
        recompute_months(conn, months, methodology)
    full = _derived(engine)
    pd.testing.assert_frame_equal(incremental, full)
    before = _derived(demo_engine)
    month_after = months[3]
    changed = incremental[incremental["month"] == month_after].set_index(["level", "unit_code"])
    original = before[before["month"] == month_after].set_index(["level", "unit_code"])
    assert (changed["rank_change_national"] != original["rank_change_national"]).any()
