"""The import's fast paths give exactly what the plain paths gave (issue 15): the rows an import holds score
a month as the same rows read back from the database; a month only partly re-imported is read back; the
replaced rows are recorded as `orjson` would write them, and a revert restores them exactly."""

from __future__ import annotations

from pathlib import Path

import orjson
import pandas as pd
from sqlalchemy import delete, select, update

from dashboard.ingest import import_files, revert_batch
from dashboard.ingest.demo import generate_demo
from dashboard.ingest.recompute import recompute_months
from dashboard.store import ImportReplaced, ResultLagging, ResultParam, ResultStake, ResultUnit, StationRow
from dashboard.store.db import get_engine
from dashboard.store.schema import load_stored_schemes, store_schemes, upgrade
from metrics.methodology import shipped_schemes

RESULT_TABLES = (ResultUnit, ResultParam, ResultLagging, ResultStake)


def _results(engine) -> dict[str, pd.DataFrame]:
    out = {}
    with engine.connect() as conn:
        for model in RESULT_TABLES:
            table = model.__table__
            key = [c.name for c in table.primary_key.columns]
            df = pd.DataFrame(conn.execute(select(table)).mappings().all())
            out[table.name] = df.sort_values(key).reset_index(drop=True)
    return out


def _station_rows(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        df = pd.DataFrame(conn.execute(select(StationRow.__table__)).mappings().all())
    return df.sort_values(["month", "station_code", "parameter"]).reset_index(drop=True)


def _assert_like_a_full_recompute(engine) -> None:
    """The stored results equal those of a recomputation of every month from the rows read back."""
    imported = _results(engine)
    methodology = load_stored_schemes(engine)
    with engine.begin() as conn:
        months = sorted({m for (m,) in conn.execute(select(StationRow.month).distinct())})
        recompute_months(conn, months, methodology)
    recomputed = _results(engine)
    for name, df in imported.items():
        assert len(df), name
        pd.testing.assert_frame_equal(df, recomputed[name], check_dtype=False, obj=name)


def files_state_rows(files, month: str) -> pd.DataFrame:
    """The State rows file of `month` (a re-import replaces those too)."""
    path = next(p for p in files.by_month[files.months.index(month)] if p.name.startswith("state_rows"))
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _partial_file(source: Path, target: Path, rows: int) -> Path:
    """The first `rows` rows of a station rows file, their numerators set to 0."""
    df = pd.read_csv(source, dtype=str, keep_default_na=False).head(rows)
    df["numerator"] = "0"
    df.to_csv(target, index=False)
    return target


def test_import_reimport_and_partial_import_score_like_rows_read_back(any_db_url, tmp_path):
    engine = get_engine(any_db_url)
    upgrade(engine)
    store_schemes(engine, shipped_schemes())
    files = generate_demo(tmp_path / "csv", months=3, scale="small", seed=11, end_month="2025-06")
    import_files(engine, files.master, user="test")
    for month_files in files.by_month:  # new months: the import's own rows are scored
        import_files(engine, month_files, user="test")
    _assert_like_a_full_recompute(engine)

    # a full re-import of the last month, some of its rows from a batch-less load (batch_id NULL) and a few
    # missing from the database (the re-import adds them: every earlier row is still replaced)
    last = files.months[-1]
    with engine.begin() as conn:
        conn.execute(update(StationRow).where(StationRow.month == last, StationRow.station_code.like("%-001"))
                     .values(batch_id=None))
        gone = conn.execute(select(StationRow.station_code, StationRow.parameter).where(
            StationRow.month == last, StationRow.station_code.like("%-002")).limit(5)).all()
        assert len(gone) == 5
        for station, parameter in gone:
            conn.execute(delete(StationRow).where(StationRow.month == last, StationRow.station_code == station,
                                                  StationRow.parameter == parameter))
    before = _station_rows(engine)
    report = import_files(engine, files.by_month[-1], user="test")
    assert report.rows_added == 5
    assert report.rows_replaced == len(before[before["month"] == last]) + len(files_state_rows(files, last))
    _assert_like_a_full_recompute(engine)

    # what it replaced, as orjson writes it (revert parses these; a later revert finds batches by LIKE)
    with engine.connect() as conn:
        recorded = conn.execute(select(ImportReplaced.key, ImportReplaced.old_values).where(
            ImportReplaced.batch_id == report.batch_id, ImportReplaced.table_name == "station_rows")).all()
    old = before[before["month"] == last].set_index(["month", "station_code", "parameter"])
    assert len(recorded) == len(old)
    for key, values in recorded:
        k = tuple(orjson.loads(key))
        row = old.loc[k]
        batch = None if pd.isna(row["batch_id"]) else int(row["batch_id"])
        assert key == orjson.dumps(list(k)).decode()
        assert values == orjson.dumps({"numerator": int(row["numerator"]), "denominator": int(row["denominator"]),
                                       "batch_id": batch}).decode()
    assert any('"batch_id":null}' in v for _, v in recorded)

    # a partial re-import of an earlier month: the rest of that month is read back
    partial = _partial_file(next(p for p in files.by_month[1] if p.name.startswith("station_rows")),
                            tmp_path / "partial.csv", 40)
    before_partial = _station_rows(engine)
    part = import_files(engine, [partial], user="test")
    assert part.rows_replaced == 40
    _assert_like_a_full_recompute(engine)

    revert_batch(engine, part.batch_id, user="test")
    pd.testing.assert_frame_equal(_station_rows(engine), before_partial, check_dtype=False)
    revert_batch(engine, report.batch_id, user="test")
    pd.testing.assert_frame_equal(_station_rows(engine), before, check_dtype=False)
    _assert_like_a_full_recompute(engine)
