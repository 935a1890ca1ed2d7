"""Import batches: the list, and an exact revert of one batch (rows it added deleted, rows it replaced
put back) with the recomputation of its months, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, update

from dashboard.ingest.files import MASTER_KINDS, ImporterError
from dashboard.ingest.importer import DataChanged
from dashboard.ingest.provisional import ProvisionalRevertRefused, restore_finalised, revert_provisional
from dashboard.ingest.write import (
    _MASTER,
    _ROW_TABLES,
    _audit,
    _insert_frame,
    _lock,
    _methodology,
    _recompute,
    _set_meta,
    months_with_data,
)
from dashboard.store import (
    District,
    ImportBatch,
    ImportReplaced,
    PoliceStation,
    PublishedResult,
    StateRow,
    StationRow,
    read_generation,
    refresh_planner_statistics,
    utcnow,
)
from metrics.methodology import Methodology, Schemes


class RevertRefused(ImporterError):
    pass


@dataclass(frozen=True)
class BatchInfo:
    id: int
    created_at: datetime
    created_by: str
    file_name: str
    file_sha256: str
    kinds: str
    months: str
    rows_added: int
    rows_replaced: int
    status: str
    reverted_at: datetime | None
    provisional: bool = False


@dataclass(frozen=True)
class RevertReport:
    batch_id: int
    rows_removed: int  # rows the batch had added, deleted again
    rows_restored: int  # earlier values put back
    months: list[str]


def list_batches(engine: Engine) -> list[BatchInfo]:
    """Every import batch, newest first."""
    t = ImportBatch.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.id.desc())).mappings().all()
    return [BatchInfo(**{f: r[f] for f in BatchInfo.__dataclass_fields__}) for r in rows]


def revert_batch(engine: Engine, batch_id: int, user: str = "cli", *, reason: str = "",
                 expect_generation: str | None = None) -> RevertReport:
    """Undo an applied batch exactly (rows it added are deleted, rows it replaced get their earlier values
    and batch back) and recompute the months, in one transaction. Refused when a later applied batch
    replaced rows of this batch (revert that one first) or when it is already reverted.

    reason: kept in the audit row. expect_generation: as for `import_files` (DataChanged, nothing written)."""
    methodology = _methodology(engine)
    with engine.begin() as conn:
        report = _revert_in(conn, batch_id, user, methodology, reason=reason, expect_generation=expect_generation)
    refresh_planner_statistics(engine)
    return report


def _revert_in(conn: Connection, batch_id: int, user: str, methodology: Schemes | Methodology, *, reason: str = "",
               expect_generation: str | None = None,
               on_locked: Callable[[Connection], None] | None = None) -> RevertReport:
    """The whole revert inside the caller's transaction (committed by `revert_batch`, rolled back by the
    preview)."""
    bt, rt = ImportBatch.__table__, ImportReplaced.__table__
    _lock(conn)
    batch = conn.execute(select(bt).where(bt.c.id == batch_id)).mappings().first()
    if batch is None:
        raise RevertRefused(f"there is no import batch {batch_id}")
    if batch["status"] != "applied":
        raise RevertRefused(f"batch {batch_id} is already reverted (at {batch['reverted_at']:%Y-%m-%d %H:%M})"
                            if batch["reverted_at"] else f"batch {batch_id} is {batch['status']}")
    # first statement that writes: takes the SQLite write lock before anything else is read
    conn.execute(update(bt).where(bt.c.id == batch_id).values(status="reverted", reverted_at=utcnow()))
    if expect_generation is not None and read_generation(conn) != expect_generation:
        raise DataChanged("the data changed since the preview (another import or revert was committed): "
                          "nothing was reverted; look at the new preview and confirm again")
    if on_locked is not None:
        on_locked(conn)
    if batch["provisional"]:
        return _revert_provisional_in(conn, batch_id, user, methodology, reason)
    later = [i for (i,) in conn.execute(select(bt.c.id).where(bt.c.id > batch_id, bt.c.status == "applied"))]
    blockers: dict[int, int] = {}
    if later:
        for b, n in conn.execute(
            select(rt.c.batch_id, func.count()).where(
                rt.c.batch_id.in_(later), rt.c.table_name.in_([*_ROW_TABLES, PublishedResult.__tablename__]),
                rt.c.old_values.like(f'%"batch_id":{int(batch_id)}}}')).group_by(rt.c.batch_id)
        ):
            blockers[b] = blockers.get(b, 0) + n
        mine = {(t, k) for t, k in conn.execute(select(rt.c.table_name, rt.c.key).where(
            rt.c.batch_id == batch_id, rt.c.table_name.in_([m[0].name for m in _MASTER.values()])))}
        if mine:
            for b, t, k in conn.execute(select(rt.c.batch_id, rt.c.table_name, rt.c.key).where(
                    rt.c.batch_id.in_(later), rt.c.table_name.in_([m[0].name for m in _MASTER.values()]))):
                if (t, k) in mine:
                    blockers[b] = blockers.get(b, 0) + 1
    if blockers:
        order = sorted(blockers, reverse=True)
        raise RevertRefused(
            f"cannot revert batch {batch_id}: later batch(es) replaced its rows ("
            + ", ".join(f"batch {b}: {blockers[b]} row(s)" for b in order)
            + f"); revert batch {order[0]} first")
    removed = restored = 0
    batch_months = [m for m in (batch["months"] or "").split(",") if m]
    for name, table in _ROW_TABLES.items():
        if batch_months:  # the month condition lets the database use the primary key
            removed += conn.execute(delete(table).where(
                table.c.month.in_(batch_months), table.c.batch_id == batch_id)).rowcount or 0
        olds = conn.execute(select(rt.c.key, rt.c.old_values).where(
            rt.c.batch_id == batch_id, rt.c.table_name == name)).all()
        unit = "station_code" if name == "station_rows" else "state_code"
        keys = [orjson.loads(k) for k, _ in olds]
        values = [orjson.loads(o) for _, o in olds]
        recs = pd.DataFrame({
            "month": [k[0] for k in keys], unit: [k[1] for k in keys], "parameter": [k[2] for k in keys],
            "numerator": pd.array([v["numerator"] for v in values], dtype="Int64"),
            "denominator": pd.array([v["denominator"] for v in values], dtype="Int64"),
            "batch_id": pd.array([v["batch_id"] for v in values], dtype="Int64"),
        })
        _insert_frame(conn, table, recs)
        restored += len(recs)
        removed -= len(recs)  # the replaced rows were deleted and put back: not "removed"
    pr = PublishedResult.__table__
    removed += conn.execute(delete(pr).where(pr.c.batch_id == batch_id)).rowcount or 0
    olds = conn.execute(select(rt.c.key, rt.c.old_values).where(
        rt.c.batch_id == batch_id, rt.c.table_name == pr.name)).all()
    if olds:
        conn.execute(insert(pr), [dict(zip(("month", "scheme", "state_code"), orjson.loads(k), strict=True),
                                       **orjson.loads(o)) for k, o in olds])
        restored += len(olds)
        removed -= len(olds)
    master_changed = _revert_master(conn, batch_id)
    restored += master_changed[1]
    removed += master_changed[0]
    months = [m for m in (batch["months"] or "").split(",") if m]
    if any(master_changed):
        months = sorted(set(months) | set(months_with_data(conn)))
    restore_finalised(conn, batch_id, methodology)  # a provisional snapshot this batch ended is back
    _recompute(conn, months, methodology)
    _set_meta(conn, "data_as_of", datetime.now(UTC).isoformat(timespec="seconds"))
    detail: dict[str, object] = {"batch_id": batch_id, "rows_removed": removed, "rows_restored": restored,
                                 "months": months}
    if reason:
        detail["reason"] = reason[:500]
    _audit(conn, user, "revert", orjson.dumps(detail).decode())
    return RevertReport(batch_id=batch_id, rows_removed=removed, rows_restored=restored, months=months)


def _revert_provisional_in(conn: Connection, batch_id: int, user: str, methodology: Methodology,
                           reason: str) -> RevertReport:
    try:
        removed, restored, months = revert_provisional(conn, batch_id, methodology)
    except ProvisionalRevertRefused as exc:
        raise RevertRefused(str(exc)) from exc
    detail: dict[str, object] = {"batch_id": batch_id, "provisional": True, "rows_removed": removed,
                                 "rows_restored": restored, "months": months}
    if reason:
        detail["reason"] = reason[:500]
    _audit(conn, user, "revert", orjson.dumps(detail).decode())
    return RevertReport(batch_id=batch_id, rows_removed=removed, rows_restored=restored, months=months)


def _revert_master(conn: Connection, batch_id: int) -> tuple[int, int]:
    """Put back master rows the batch changed and delete those it added (children first)."""
    rt = ImportReplaced.__table__
    removed = restored = 0
    entries = {kind: conn.execute(select(rt.c.key, rt.c.old_values).where(
        rt.c.batch_id == batch_id, rt.c.table_name == table.name)).all() for kind, (table, _) in _MASTER.items()}
    for kind in MASTER_KINDS:  # parents first: restored districts may point back to an older State
        table, _ = _MASTER[kind]
        changes = [(orjson.loads(k)[0], orjson.loads(o)) for k, o in entries[kind] if o != "null"]
        if changes:
            cols = list(changes[0][1])
            stmt = update(table).where(table.c.code == bindparam("b_code")).values(
                {c: bindparam("v_" + c) for c in cols})
            conn.execute(stmt, [{"b_code": code, **{"v_" + c: old[c] for c in cols}} for code, old in changes])
            restored += len(changes)
    for kind in reversed(MASTER_KINDS):
        table, _ = _MASTER[kind]
        codes = [orjson.loads(k)[0] for k, o in entries[kind] if o == "null"]
        if not codes:
            continue
        refs = _references(conn, kind, codes)
        if refs:
            raise RevertRefused(f"cannot revert batch {batch_id}: {refs}; revert or correct those first")
        for i in range(0, len(codes), 1000):
            conn.execute(delete(table).where(table.c.code.in_(codes[i : i + 1000])))
        removed += len(codes)
    return removed, restored


def _references(conn: Connection, kind: str, codes: list[str]) -> str:
    """What still refers to master rows about to be deleted (from batches other than the one reverted)."""
    checks = {
        "police_stations": [(StationRow.__table__.c.station_code, "station rows")],
        "districts": [(PoliceStation.__table__.c.district_code, "police stations")],
        "states": [(District.__table__.c.state_code, "districts"), (StateRow.__table__.c.state_code, "State rows")],
    }[kind]
    found = []
    for col, what in checks:
        n = 0
        for i in range(0, len(codes), 1000):
            n += conn.execute(select(func.count()).where(col.in_(codes[i : i + 1000]))).scalar_one()
        if n:
            found.append(f"{n} {what} of later imports refer to {kind.replace('_', ' ')} this batch added")
    return "; ".join(found)
