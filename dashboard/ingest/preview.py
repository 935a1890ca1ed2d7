"""What an import or a revert would change, before anything is written (issue 16).

The preview runs the very same import (`importer._import_in`) or revert (`batches._revert_in`) inside a
transaction that is then rolled back, and reads its results from inside that transaction: the numbers are
exactly those the real import would produce (same validation, same upsert, same recomputation). The
"before" values are read in the same transaction once the import lock is held, so nothing can slip in
between "before" and "after". The results generation seen under the lock is returned with the preview;
`import_files(..., expect_generation=)` / `revert_batch(..., expect_generation=)` refuse to write if it has
changed since (someone else imported or reverted in between).

Nothing of a preview is kept: no batch, no rows, no results, no audit row.

A file may mix schemes' rows (parameter ids are unique across schemes): the preview is given per scheme
present in the file (or in the reverted batch), each with its ranks and scores before and after, its rows and
its warnings (NCRB's published score the import would not reproduce; active stations left without a row of
that scheme). A file of master data only changes every scheme: every stored scheme is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import orjson
import pandas as pd
from sqlalchemy import Connection, Engine, func, select, union_all

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
    PublishedResult,
    ResultLagging,
    ResultUnit,
    State,
    StateRow,
    StationRow,
    read_generation,
)
from metrics.methodology import Schemes, is_month

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
class SchemeWarning:
    """Something to look at in one scheme before importing. kind "published": NCRB published `published`
    (score x100) for the State and month, and the data after this import gives `computed` (a difference of
    0.01 or more, as on the reconciliation); kind "not_reported": `count` of the State's `total` active
    police stations have no row of this scheme in the month (each counts as not reported and lags)."""

    kind: str  # published | not_reported
    month: str
    state_code: str
    state_name: str
    published: int | None = None
    computed: int | None = None
    count: int = 0
    total: int = 0

    @property
    def difference(self) -> int | None:
        return None if self.published is None or self.computed is None else self.computed - self.published


@dataclass(frozen=True)
class SchemeChange:
    """What the import (or revert) changes in one ranking scheme."""

    scheme: str
    name: str  # CCTNS Pragati
    name_hi: str
    short: str  # CCTNS
    rows_added: int  # rows of this scheme's parameters (import: added; revert: deleted again)
    rows_replaced: int
    months: list[MonthChange]
    warnings: list[SchemeWarning] = field(default_factory=list)


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
    schemes: list[SchemeChange] = field(default_factory=list)  # per scheme present, in display order
    master: list[MasterChange] = field(default_factory=list)
    batch_id: int | None = None  # revert: the batch
    provisional: list[ProvisionalChange] = field(default_factory=list)  # a provisional load (issue 14)

    def scheme(self, scheme: str) -> SchemeChange | None:
        return next((s for s in self.schemes if s.scheme == scheme), None)


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
    row_tables = [t for f in files[0] for t in f.tables if t.kind in ROW_KINDS]
    months = sorted({m for t in row_tables for m in t.df["month"].unique() if isinstance(m, str) and is_month(m)})
    schemes = _schemes_of(methodology, {p for t in row_tables if "parameter" in t.df
                                        for p in t.df["parameter"].unique() if isinstance(p, str)})
    snap: dict[str, object] = {}

    def run(conn: Connection) -> ChangePreview:
        report: ImportReport = _import_in(conn, paths, files, user, methodology, today, _Progress(False),
                                          only_state=only_state,
                                          on_locked=lambda c: _before(c, months, schemes, scope, snap))
        shown = months or _latest(conn, report.months)
        per_month = _row_counts(conn, report.batch_id, methodology.scheme_of)
        touched = _touched(conn, report.batch_id, methodology.scheme_of)
        return ChangePreview(
            action="import", generation=str(snap["generation"]), rows_added=report.rows_added,
            rows_replaced=report.rows_replaced, months_recomputed=report.months,
            schemes=_schemes(conn, methodology, schemes, shown, snap, per_month, touched, scope, focus_state),
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
        snap["counts"] = _row_counts(conn, batch_id, methodology.scheme_of)
        snap["touched"] = _touched(conn, batch_id, methodology.scheme_of)
        snap["schemes"] = _schemes_of(methodology, _batch_parameters(conn, batch_id))
        snap["master"] = _master_revert(conn, batch_id)
        _before(conn, months, snap["schemes"], scope, snap)  # type: ignore[arg-type]

    def run(conn: Connection) -> ChangePreview:
        report: RevertReport = _revert_in(conn, batch_id, user, methodology, on_locked=hook)
        shown = months or _latest(conn, report.months)
        return ChangePreview(
            action="revert", generation=str(snap["generation"]), rows_added=report.rows_removed,
            rows_replaced=report.rows_restored, months_recomputed=report.months,
            schemes=_schemes(conn, methodology, snap["schemes"], shown, snap, snap["counts"],  # type: ignore[arg-type]
                             snap["touched"], scope, focus_state),  # type: ignore[arg-type]
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


def _schemes_of(methodology: Schemes, parameters: set[str]) -> list[str]:
    """The schemes of these parameters in display order; every scheme when there is none (master data only)."""
    present = {methodology.scheme_of(p) for p in parameters} - {None}
    return [s for s in methodology.ids if s in present] or list(methodology.ids)


def _units(conn: Connection, months: list[str], schemes: list[str], scope: Scope | None) -> pd.DataFrame:
    cols = ["scheme", "month", "level", "unit_code", "state_code", "district_code", "score_centi", "rank",
            "stations_active", "stations_reported"]
    if not months or not schemes:
        return pd.DataFrame(columns=cols)
    t = ResultUnit.__table__
    rank = func.coalesce(t.c.rank_national, t.c.rank_in_state).label("rank")
    stmt = select(t.c.scheme, t.c.month, t.c.level, t.c.unit_code, t.c.state_code, t.c.district_code,
                  t.c.score_centi, rank, t.c.stations_active, t.c.stations_reported
                  ).where(t.c.scheme.in_(schemes), t.c.month.in_(months))
    if scope is not None and scope.role != "national":  # States' own scores are circulated to every State
        cond = (t.c.level == "state") | (t.c.state_code == (scope.state_code or ""))
        if scope.role == "district":
            cond = (t.c.level == "state") | (t.c.district_code == (scope.district_code or ""))
        stmt = stmt.where(cond)
    df = _read_frame(conn, stmt)
    return df if not df.empty else pd.DataFrame(columns=cols)


def _lagging(conn: Connection, months: list[str], schemes: list[str], scope: Scope | None
             ) -> set[tuple[str, str, str]]:
    """(scheme, month, station) of the lagging stations the scope may see."""
    if not months or not schemes:
        return set()
    t = ResultLagging.__table__
    stmt = select(t.c.scheme, t.c.month, t.c.station_code, t.c.state_code, t.c.district_code).where(
        t.c.scheme.in_(schemes), t.c.month.in_(months))
    out = set()
    for sc, m, code, st, d in conn.execute(stmt):
        if scope is None or scope.can_see_district(st, d):
            out.add((sc, m, code))
    return out


def _before(conn: Connection, months: list[str], schemes: list[str], scope: Scope | None,
            snap: dict[str, object]) -> None:
    snap["generation"] = read_generation(conn)
    snap["units"] = _units(conn, months, schemes, scope)
    snap["lagging"] = _lagging(conn, months, schemes, scope)


def _names(conn: Connection) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for level, model in (("state", State), ("district", District), ("station", PoliceStation)):
        for code, name in conn.execute(select(model.code, model.name)):
            out[(level, code)] = name
    return out


def _int(v: object) -> int | None:
    return None if v is None or pd.isna(v) else int(v)  # type: ignore[arg-type]


def _schemes(conn: Connection, methodology: Schemes, schemes: list[str], months: list[str],
             snap: dict[str, object], counts: dict, touched: set[tuple[str, str, str]], scope: Scope | None,
             focus_state: str | None) -> list[SchemeChange]:
    """Per scheme: its rows, its months' changes and its warnings (computed from the data after the change)."""
    before: pd.DataFrame = snap["units"]  # type: ignore[assignment]
    after = _units(conn, months, schemes, scope)
    lag_before: set = snap["lagging"]  # type: ignore[assignment]
    lag_after = _lagging(conn, months, schemes, scope)
    names = _names(conn)
    out = []
    for scheme in schemes:
        m = methodology[scheme]
        per_month = {month: n for (sc, month), n in counts.items() if sc == scheme}
        changes = _months(months, before[before["scheme"] == scheme], after[after["scheme"] == scheme],
                          {(mo, c) for sc, mo, c in lag_before if sc == scheme},
                          {(mo, c) for sc, mo, c in lag_after if sc == scheme}, names, per_month, focus_state)
        warnings = _warnings(conn, scheme, months, after[after["scheme"] == scheme],
                             {(mo, st) for sc, mo, st in touched if sc == scheme}, names, scope)
        out.append(SchemeChange(scheme, m.scheme_name, m.scheme_name_hi, m.scheme_short,
                                sum(a for a, _r in per_month.values()), sum(r for _a, r in per_month.values()),
                                changes, warnings))
    return out


def _warnings(conn: Connection, scheme: str, months: list[str], after: pd.DataFrame, touched: set[tuple[str, str]],
              names: dict[tuple[str, str], str], scope: Scope | None) -> list[SchemeWarning]:
    """For the States whose rows of `scheme` the change touches (`touched`: (month, State)): NCRB's published
    score the data after the change would not give, and active stations left without a row of the scheme."""
    out: list[SchemeWarning] = []
    if not months or not touched:
        return out
    states = after[after["level"] == "state"].set_index(["month", "unit_code"])
    t = PublishedResult.__table__
    published = {(m, st): c for m, st, c in conn.execute(
        select(t.c.month, t.c.state_code, t.c.score_centi).where(t.c.scheme == scheme, t.c.month.in_(months)))}
    for month, st in sorted(touched):
        if scope is not None and not scope.can_see_state_detail(st):
            continue
        row = states.loc[(month, st)] if (month, st) in states.index else None
        name = names.get(("state", st), st)
        computed = _int(row["score_centi"]) if row is not None else None
        if (month, st) in published and computed is not None and abs(computed - published[(month, st)]) >= 1:
            out.append(SchemeWarning("published", month, st, name, published=published[(month, st)],
                                     computed=computed))
        if row is not None:
            active, reported = _int(row["stations_active"]) or 0, _int(row["stations_reported"]) or 0
            if reported < active:
                out.append(SchemeWarning("not_reported", month, st, name, count=active - reported, total=active))
    return out


def _months(months: list[str], before: pd.DataFrame, after: pd.DataFrame, lag_before: set[tuple[str, str]],
            lag_after: set[tuple[str, str]], names: dict[tuple[str, str], str], counts: dict[str, tuple[int, int]],
            focus_state: str | None) -> list[MonthChange]:
    key = ["month", "level", "unit_code"]
    both = before.drop(columns="scheme").merge(after.drop(columns="scheme"), on=key, how="outer",
                                               suffixes=("_b", "_a"))
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


def _replaced_rows(conn: Connection, batch_id: int) -> dict[tuple[str, str], int]:
    """Rows whose earlier values the batch replaced, per (month, parameter)."""
    rt = ImportReplaced.__table__
    out: dict[tuple[str, str], int] = {}
    for (key,) in conn.execute(select(rt.c.key).where(rt.c.batch_id == batch_id,
                                                       rt.c.table_name.in_(list(_ROW_TABLES)))):
        values = orjson.loads(key)  # [month, unit, parameter]
        k = (values[0], values[-1])
        out[k] = out.get(k, 0) + 1
    return out


def _held_rows(conn: Connection, batch_id: int) -> dict[tuple[str, str], int]:
    """Rows per (month, parameter) that carry the batch now."""
    out: dict[tuple[str, str], int] = {}
    for table in _ROW_TABLES.values():
        for m, p, n in conn.execute(select(table.c.month, table.c.parameter, func.count())
                                    .where(table.c.batch_id == batch_id).group_by(table.c.month, table.c.parameter)):
            out[(m, p)] = out.get((m, p), 0) + int(n)
    return out


def _batch_parameters(conn: Connection, batch_id: int) -> set[str]:
    return {p for _m, p in (*_held_rows(conn, batch_id), *_replaced_rows(conn, batch_id))}


def _row_counts(conn: Connection, batch_id: int, scheme_of: Callable[[str], str | None] | None = None) -> dict:
    """Per month (or, with `scheme_of`, per (scheme, month)), for a batch as it stands: (rows it added, rows
    whose earlier values it replaced). After an import: what it wrote; before a revert: what the revert deletes
    for good and what it puts back."""
    held, replaced = _held_rows(conn, batch_id), _replaced_rows(conn, batch_id)

    def key(month: str, parameter: str) -> object:
        return month if scheme_of is None else (scheme_of(parameter) or "", month)

    h: dict = {}
    r: dict = {}
    for (m, p), n in held.items():
        h[key(m, p)] = h.get(key(m, p), 0) + n
    for (m, p), n in replaced.items():
        r[key(m, p)] = r.get(key(m, p), 0) + n
    return {k: (max(h.get(k, 0) - r.get(k, 0), 0), r.get(k, 0)) for k in sorted(set(h) | set(r))}


def _touched(conn: Connection, batch_id: int, scheme_of: Callable[[str], str | None]) -> set[tuple[str, str, str]]:
    """(scheme, month, State) of every row carrying the batch now."""
    sr, st = StationRow.__table__, StateRow.__table__
    ps, d = PoliceStation.__table__, District.__table__
    stmt = union_all(
        select(sr.c.month, sr.c.parameter, d.c.state_code).join(ps, ps.c.code == sr.c.station_code)
        .join(d, d.c.code == ps.c.district_code).where(sr.c.batch_id == batch_id)
        .group_by(sr.c.month, sr.c.parameter, d.c.state_code),
        select(st.c.month, st.c.parameter, st.c.state_code).where(st.c.batch_id == batch_id)
        .group_by(st.c.month, st.c.parameter, st.c.state_code))
    return {(scheme_of(p) or "", m, state) for m, p, state in conn.execute(stmt)}


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
