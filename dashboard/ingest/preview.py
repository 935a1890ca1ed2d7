"""What an import or a revert would change, before anything is written (issue 16).

The preview runs the very same import (`importer._import_in`) or revert (`batches._revert_in`) inside a
transaction that is then rolled back, and reads its results from inside that transaction: the numbers are
exactly those the real import would produce (same validation, same upsert, same recomputation). The
"before" values are read in the same transaction once the import lock is held, so nothing can slip in
between "before" and "after". The results generation seen under the lock is returned with the preview;
`import_files(..., expect_generation=)` / `revert_batch(..., expect_generation=)` refuse to write if it has
changed since (someone else imported or reverted in between).

Nothing of a preview is kept: no batch, no rows, no results, no audit row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import orjson
import pandas as pd
from sqlalchemy import Connection, Engine, func, select

from dashboard.ingest.batches import RevertReport, _revert_in
from dashboard.ingest.files import ROW_KINDS, ImporterError
from dashboard.ingest.importer import ImportReport, _import_in, _Progress, _read_all
from dashboard.ingest.validate import _read_frame
from dashboard.ingest.write import _MASTER, _ROW_TABLES, _methodology
from dashboard.scope import Scope
from dashboard.store import (
    District,
    ImportBatch,
    ImportReplaced,
    PoliceStation,
    ResultLagging,
    ResultUnit,
    State,
    read_generation,
)
from metrics.methodology import is_month

TOP_UNITS = 10  # districts and police stations listed per month, by the size of their score change


@dataclass(frozen=True)
class UnitChange:
    """One unit's published score (x100) and rank before and after; None: no score / not ranked."""

    level: str  # state | district | station
    code: str
    name: str
    state_code: str
    district_code: str | None
    score_before: int | None
    score_after: int | None
    rank_before: int | None  # States: all-India rank; districts and stations: rank in the State
    rank_after: int | None

    @property
    def change(self) -> int | None:
        if self.score_before is None or self.score_after is None:
            return None
        return self.score_after - self.score_before


@dataclass(frozen=True)
class LaggingChange:
    code: str
    name: str
    district_code: str
    started: bool  # True: starts lagging; False: stops lagging


@dataclass(frozen=True)
class MonthChange:
    month: str
    rows_added: int  # import: rows new to the month; revert: rows the batch added, deleted again
    rows_replaced: int  # import: rows whose values are replaced; revert: earlier values put back
    states: list[UnitChange]  # every State whose score or rank changes (and `focus_state` always)
    districts: list[UnitChange]  # in the scope, largest score change first (TOP_UNITS)
    stations: list[UnitChange]
    lagging: list[LaggingChange]  # in the scope


@dataclass(frozen=True)
class MasterChange:
    kind: str  # states | districts | police_stations
    code: str
    name: str
    what: str  # "new" | "closed 2025-06" | "reopened" | "changed: name, ..." | "removed" | "restored"


@dataclass(frozen=True)
class ChangePreview:
    action: str  # import | revert
    generation: str  # the results generation the preview was made on (under the import lock)
    rows_added: int
    rows_replaced: int
    months_recomputed: list[str]
    months: list[MonthChange] = field(default_factory=list)
    master: list[MasterChange] = field(default_factory=list)
    batch_id: int | None = None  # revert: the batch
    provisional: list[ProvisionalChange] = field(default_factory=list)  # a provisional load (issue 14)


@dataclass(frozen=True)
class ProvisionalChange:
    """One State x month snapshot a provisional load would make: its provisional score and stations reported,
    and the load time of the snapshot it replaces (None: the first of that month)."""

    state_code: str
    month: str
    rows: int
    score_display: str
    stations_reported: int
    stations_active: int
    replaces_as_of: str | None


class _Rollback(Exception):
    """Raised inside the preview transaction to roll it back with the result."""

    def __init__(self, payload: object) -> None:
        super().__init__("preview")
        self.payload = payload


def preview_import(engine: Engine, paths: Sequence[str | Path], user: str = "preview", *,
                   scope: Scope | None = None, today: date | None = None, only_state: str | None = None,
                   focus_state: str | None = None) -> ChangePreview:
    """What `import_files(engine, paths, user, only_state=...)` would change; raises ImportRejected (with
    every problem) exactly when the import would. Nothing is written."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise ImporterError("no files to import")
    methodology = _methodology(engine)
    files = _read_all(paths)
    months = sorted({m for f in files[0] for t in f.tables if t.kind in ROW_KINDS
                     for m in t.df["month"].unique() if isinstance(m, str) and is_month(m)})
    snap: dict[str, object] = {}

    def run(conn: Connection) -> ChangePreview:
        report: ImportReport = _import_in(conn, paths, files, user, methodology, today, _Progress(False),
                                          only_state=only_state, on_locked=lambda c: _before(c, months, scope, snap))
        shown = months or _latest(conn, report.months)
        per_month = _row_counts(conn, report.batch_id)
        return ChangePreview(
            action="import", generation=str(snap["generation"]), rows_added=report.rows_added,
            rows_replaced=report.rows_replaced, months_recomputed=report.months,
            months=_months(conn, shown, snap, per_month, scope, focus_state),
            master=_master_import(conn, report.batch_id))

    return _in_rollback(engine, run)


def preview_provisional(engine: Engine, paths: Sequence[str | Path], user: str = "preview", *,
                        today: date | None = None, only_state: str | None = None,
                        scheme: str = "cctns") -> ChangePreview:
    """What `import_files(..., provisional=True)` would make (its snapshots and their scores in `scheme`;
    a snapshot without rows of that scheme is listed with no score); raises ImportRejected exactly when it
    would. Nothing is written; no final month is touched either way."""
    from dashboard.display import score_display
    from dashboard.store import ProvisionalSnapshot, ProvisionalUnit, read_generation

    paths = [Path(p) for p in paths]
    if not paths:
        raise ImporterError("no files to import")
    methodology = _methodology(engine)
    files = _read_all(paths)
    snap: dict[str, object] = {}

    def run(conn: Connection) -> ChangePreview:
        report: ImportReport = _import_in(conn, paths, files, user, methodology, today, _Progress(False),
                                          only_state=only_state, provisional=True,
                                          on_locked=lambda c: snap.update(generation=read_generation(c)))
        s, u = ProvisionalSnapshot.__table__, ProvisionalUnit.__table__
        rows = conn.execute(select(s.c.state_code, s.c.month, s.c.station_rows, s.c.state_rows, u.c.score_centi,
                                   u.c.stations_reported, u.c.stations_active)
                            .outerjoin(u, (u.c.snapshot_id == s.c.id) & (u.c.scheme == scheme)
                                       & (u.c.level == "state"))
                            .where(s.c.batch_id == report.batch_id).order_by(s.c.state_code, s.c.month)).all()
        replaced = dict(((r.state_code, r.month), r.as_of) for r in conn.execute(
            select(s.c.state_code, s.c.month, s.c.as_of).where(s.c.ended_by_batch == report.batch_id)))
        changes = [ProvisionalChange(r.state_code, r.month, int(r.station_rows) + int(r.state_rows),
                                     score_display(r.score_centi), int(r.stations_reported or 0),
                                     int(r.stations_active or 0),
                                     replaced[(r.state_code, r.month)].strftime("%d %b %Y, %H:%M UTC")
                                     if (r.state_code, r.month) in replaced else None) for r in rows]
        return ChangePreview(action="provisional", generation=str(snap["generation"]), rows_added=report.rows_added,
                             rows_replaced=report.rows_replaced, months_recomputed=[], provisional=changes)

    return _in_rollback(engine, run)


def preview_revert(engine: Engine, batch_id: int, user: str = "preview", *, scope: Scope | None = None,
                   focus_state: str | None = None) -> ChangePreview:
    """What `revert_batch(engine, batch_id)` would change; raises RevertRefused exactly when it would."""
    methodology = _methodology(engine)
    t = ImportBatch.__table__
    with engine.connect() as conn:
        row = conn.execute(select(t.c.months).where(t.c.id == batch_id)).first()
    months = [m for m in ((row[0] if row else "") or "").split(",") if m]
    snap: dict[str, object] = {}

    def hook(conn: Connection) -> None:
        snap["counts"] = _row_counts(conn, batch_id)
        snap["master"] = _master_revert(conn, batch_id)
        _before(conn, months, scope, snap)

    def run(conn: Connection) -> ChangePreview:
        report: RevertReport = _revert_in(conn, batch_id, user, methodology, on_locked=hook)
        shown = months or _latest(conn, report.months)
        return ChangePreview(
            action="revert", generation=str(snap["generation"]), rows_added=report.rows_removed,
            rows_replaced=report.rows_restored, months_recomputed=report.months,
            months=_months(conn, shown, snap, snap["counts"], scope, focus_state),  # type: ignore[arg-type]
            master=snap["master"], batch_id=batch_id)  # type: ignore[arg-type]

    return _in_rollback(engine, run)


def _in_rollback(engine: Engine, run: Callable[[Connection], ChangePreview]) -> ChangePreview:
    """Run `run` in a transaction that is always rolled back (also when it raises)."""
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            return run(conn)
        finally:
            trans.rollback()


def _latest(conn: Connection, months: list[str]) -> list[str]:
    """A master-data-only change recomputes every month: show the latest one."""
    return months[-1:] if months else []


# --- before and after ---------------------------------------------------------------------------------------


def _units(conn: Connection, months: list[str], scope: Scope | None) -> pd.DataFrame:
    cols = ["month", "level", "unit_code", "state_code", "district_code", "score_centi", "rank"]
    if not months:
        return pd.DataFrame(columns=cols)
    t = ResultUnit.__table__
    rank = func.coalesce(t.c.rank_national, t.c.rank_in_state).label("rank")
    stmt = select(t.c.month, t.c.level, t.c.unit_code, t.c.state_code, t.c.district_code, t.c.score_centi,
                  rank).where(t.c.scheme == "cctns", t.c.month.in_(months))  # the preview speaks of CCTNS ranks
    if scope is not None and scope.role != "national":  # States' own scores are circulated to every State
        cond = (t.c.level == "state") | (t.c.state_code == (scope.state_code or ""))
        if scope.role == "district":
            cond = (t.c.level == "state") | (t.c.district_code == (scope.district_code or ""))
        stmt = stmt.where(cond)
    df = _read_frame(conn, stmt)
    return df if not df.empty else pd.DataFrame(columns=cols)


def _lagging(conn: Connection, months: list[str], scope: Scope | None) -> set[tuple[str, str]]:
    if not months:
        return set()
    t = ResultLagging.__table__
    stmt = select(t.c.month, t.c.station_code, t.c.state_code, t.c.district_code).where(
        t.c.scheme == "cctns", t.c.month.in_(months))
    out = set()
    for m, code, st, d in conn.execute(stmt):
        if scope is None or scope.can_see_district(st, d):
            out.add((m, code))
    return out


def _before(conn: Connection, months: list[str], scope: Scope | None, snap: dict[str, object]) -> None:
    snap["generation"] = read_generation(conn)
    snap["units"] = _units(conn, months, scope)
    snap["lagging"] = _lagging(conn, months, scope)


def _names(conn: Connection) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for level, model in (("state", State), ("district", District), ("station", PoliceStation)):
        for code, name in conn.execute(select(model.code, model.name)):
            out[(level, code)] = name
    return out


def _int(v: object) -> int | None:
    return None if v is None or pd.isna(v) else int(v)  # type: ignore[arg-type]


def _months(conn: Connection, months: list[str], snap: dict[str, object], counts: dict[str, tuple[int, int]],
            scope: Scope | None, focus_state: str | None) -> list[MonthChange]:
    before: pd.DataFrame = snap["units"]  # type: ignore[assignment]
    after = _units(conn, months, scope)
    lag_before: set = snap["lagging"]  # type: ignore[assignment]
    lag_after = _lagging(conn, months, scope)
    names = _names(conn)
    key = ["month", "level", "unit_code"]
    both = before.merge(after, on=key, how="outer", suffixes=("_b", "_a"))
    out = []
    for month in months:
        sub = both[both["month"] == month]
        per_level: dict[str, list[UnitChange]] = {"state": [], "district": [], "station": []}
        for r in sub.to_dict("records"):
            sb, sa = _int(r["score_centi_b"]), _int(r["score_centi_a"])
            rb, ra = _int(r["rank_b"]), _int(r["rank_a"])
            changed = sb != sa or rb != ra
            if not changed and not (r["level"] == "state" and r["unit_code"] == focus_state):
                continue
            st = r["state_code_a"] if isinstance(r["state_code_a"], str) else r["state_code_b"]
            dc = r["district_code_a"] if isinstance(r["district_code_a"], str) else r["district_code_b"]
            per_level[r["level"]].append(UnitChange(
                r["level"], r["unit_code"], names.get((r["level"], r["unit_code"]), r["unit_code"]), str(st),
                dc if isinstance(dc, str) else None, sb, sa, rb, ra))

        def order(u: UnitChange) -> tuple:
            return (-(abs(u.change) if u.change is not None else 10**9), u.code)

        states = sorted(per_level["state"], key=lambda u: (u.code != focus_state, *order(u)))
        districts = sorted(per_level["district"], key=order)[:TOP_UNITS]
        stations = sorted(per_level["station"], key=order)[:TOP_UNITS]
        lagging = [LaggingChange(code, names.get(("station", code), code), "", started)
                   for started, codes in ((True, {c for m, c in lag_after - lag_before if m == month}),
                                          (False, {c for m, c in lag_before - lag_after if m == month}))
                   for code in sorted(codes)]
        added, replaced = counts.get(month, (0, 0))
        out.append(MonthChange(month, added, replaced, states, districts, stations, lagging))
    return out


# --- rows per month and master data -------------------------------------------------------------------------


def _replaced_months(conn: Connection, batch_id: int) -> dict[str, int]:
    rt = ImportReplaced.__table__
    out: dict[str, int] = {}
    for (key,) in conn.execute(select(rt.c.key).where(rt.c.batch_id == batch_id,
                                                       rt.c.table_name.in_(list(_ROW_TABLES)))):
        month = orjson.loads(key)[0]
        out[month] = out.get(month, 0) + 1
    return out


def _held_months(conn: Connection, batch_id: int) -> dict[str, int]:
    """Rows per month that carry the batch now."""
    out: dict[str, int] = {}
    for table in _ROW_TABLES.values():
        for m, n in conn.execute(select(table.c.month, func.count()).where(table.c.batch_id == batch_id)
                                 .group_by(table.c.month)):
            out[m] = out.get(m, 0) + int(n)
    return out


def _row_counts(conn: Connection, batch_id: int) -> dict[str, tuple[int, int]]:
    """Per month, for a batch as it stands: (rows it added, rows whose earlier values it replaced). After an
    import: what it wrote; before a revert: what the revert deletes for good and what it puts back."""
    held, replaced = _held_months(conn, batch_id), _replaced_months(conn, batch_id)
    return {m: (max(held.get(m, 0) - replaced.get(m, 0), 0), replaced.get(m, 0))
            for m in sorted(set(held) | set(replaced))}


def _master_entries(conn: Connection, batch_id: int) -> list[tuple[str, str, dict | None]]:
    rt = ImportReplaced.__table__
    tables = {table.name: kind for kind, (table, _) in _MASTER.items()}
    rows = conn.execute(select(rt.c.table_name, rt.c.key, rt.c.old_values).where(
        rt.c.batch_id == batch_id, rt.c.table_name.in_(list(tables))).order_by(rt.c.id)).all()
    return [(tables[t], orjson.loads(k)[0], None if o == "null" else orjson.loads(o)) for t, k, o in rows]


def _current(conn: Connection, kind: str, code: str) -> dict | None:
    table, _ = _MASTER[kind]
    row = conn.execute(select(table).where(table.c.code == code)).mappings().first()
    return dict(row) if row else None


def _what_changed(old: dict, new: dict | None) -> str:
    if new is None:
        return "removed"
    if "closed" in old and old.get("closed") != new.get("closed"):
        return f"closed {new['closed']}" if new.get("closed") else "reopened"
    cols = [c for c in old if old[c] != new.get(c)]
    return "changed: " + ", ".join(cols) if cols else "unchanged"


def _master_import(conn: Connection, batch_id: int) -> list[MasterChange]:
    out = []
    for kind, code, old in _master_entries(conn, batch_id):
        new = _current(conn, kind, code)
        name = (new or {}).get("name") or code
        what = "new" if old is None else _what_changed(old, new)
        if what.startswith("new") and kind == "police_stations" and new and new.get("opened"):
            what = f"new (opened {new['opened']})"
        out.append(MasterChange(kind, code, name, what))
    return out


def _master_revert(conn: Connection, batch_id: int) -> list[MasterChange]:
    """Read before the revert: rows the batch added are removed, rows it changed get their old values."""
    out = []
    for kind, code, old in _master_entries(conn, batch_id):
        now = _current(conn, kind, code)
        name = (now or {}).get("name") or code
        if old is None:
            out.append(MasterChange(kind, code, name, "removed (added by this batch)"))
        else:
            cols = [c for c in old if old[c] != (now or {}).get(c)]
            out.append(MasterChange(kind, code, name, "earlier " + ", ".join(cols) + " put back" if cols
                                    else "unchanged"))
    return out


# --- a batch as it stands ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchChanges:
    batch_id: int
    months: dict[str, tuple[int, int]]  # month -> (rows added, rows replaced); reverted: (0, replaced)
    master: list[MasterChange]


def batch_changes(engine: Engine, batch_id: int) -> BatchChanges:
    """What a batch changed, as it stands: rows per month it added and replaced (an applied batch; after a
    revert, only what it had replaced is still known) and the master rows it added or changed."""
    with engine.connect() as conn:
        status = conn.execute(select(ImportBatch.status).where(ImportBatch.id == batch_id)).scalar()
        counts = _row_counts(conn, batch_id)
        if status != "applied":  # its rows are gone: only what it had replaced (and put back) is known
            counts = {m: (0, r) for m, (_a, r) in counts.items()}
        master = [MasterChange(kind, code, (_current(conn, kind, code) or {}).get("name") or code,
                               "added" if old is None else "changed: " + ", ".join(old))
                  for kind, code, old in _master_entries(conn, batch_id)]
    return BatchChanges(batch_id, counts, master)
