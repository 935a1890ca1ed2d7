"""Provisional loads of the month being collected (issue 14), inside the caller's import transaction.

The same files and validation as a final import (`importer._import_in` calls these), with three rules of
their own:

* a provisional load holds monthly rows only (master data goes through a final import);
* it never touches a final month: rows of a State x month that already has final rows are refused, and the
  rows are written to `provisional_station_rows` / `provisional_state_rows`, never to the final tables;
* each load of a State x month is a new *snapshot* that replaces the State's previous snapshot of that month
  as a whole (its batch and "as of" time are kept), and the month's final import ends it (`finalised`).

A snapshot's scores (State, districts, stations, within the State), lagging stations and marks at stake are
computed here, at import time, with the same `metrics.scoring.score_month` as final months, restricted to
the State's own master data, in each ranking scheme whose parameters the snapshot holds (CCTNS, ICJS, ITSSO:
one load may mix them, as a final file). Reverting a provisional batch brings back the snapshot it replaced; reverting
the final batch that finalised a snapshot brings it back when no final row of that month remains.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pandas as pd
from sqlalchemy import Connection, and_, delete, insert, or_, select, update

from dashboard.ingest.files import ImporterError, _Problems, _Table
from dashboard.ingest.recompute import load_master
from dashboard.store import (
    District,
    PoliceStation,
    ProvisionalLagging,
    ProvisionalParam,
    ProvisionalSnapshot,
    ProvisionalStake,
    ProvisionalStateRow,
    ProvisionalStationRow,
    ProvisionalUnit,
    StateRow,
    StationRow,
    bump_results_generation,
    insert_frame,
    read_columns,
    utcnow,
)
from metrics.methodology import Methodology, Schemes
from metrics.scoring import MasterData, MonthScores, score_month

ROW_KINDS = ("station_rows", "state_rows")
RESULT_TABLES = (ProvisionalUnit, ProvisionalParam, ProvisionalLagging, ProvisionalStake)

MASTER_REFUSED = ("a provisional import holds monthly rows only (station_rows, state_rows): "
                  "load master data with a final import")


class ProvisionalRevertRefused(ImporterError):
    """A provisional batch whose snapshot was since replaced or finalised (revert the later batch first)."""


def _station_states(conn: Connection) -> dict[str, str]:
    places = read_columns(conn, select(PoliceStation.code, District.state_code)
                          .join(District, District.code == PoliceStation.district_code), ["code", "state_code"])
    return dict(zip(places["code"].tolist(), places["state_code"].tolist(), strict=True))


def final_pairs(conn: Connection, months: Iterable[str]) -> set[tuple[str, str]]:
    """(state_code, month) of the given months that have final rows (station or State rows)."""
    months = sorted(set(months))
    if not months:
        return set()
    pairs = set(conn.execute(
        select(District.state_code, StationRow.month).distinct()
        .join(PoliceStation, PoliceStation.code == StationRow.station_code)
        .join(District, District.code == PoliceStation.district_code)
        .where(StationRow.month.in_(months))).all())
    pairs |= set(conn.execute(select(StateRow.state_code, StateRow.month).distinct()
                              .where(StateRow.month.in_(months))).all())
    return {(str(s), str(m)) for s, m in pairs}


def check_provisional(conn: Connection, tables: list[_Table], problems: _Problems) -> None:
    """The provisional rules, added to the same problem list as the ordinary validation."""
    for t in tables:
        if t.kind not in ROW_KINDS:
            problems.add(t.label, None, "", t.kind, MASTER_REFUSED)
    row_tables = [t for t in tables if t.kind in ROW_KINDS and len(t.df)]
    if not row_tables:
        return
    final = final_pairs(conn, {m for t in row_tables for m in t.df["month"].unique() if isinstance(m, str)})
    if not final:
        return
    station_state = _station_states(conn)
    for t in row_tables:
        states = t.df["state_code"] if t.kind == "state_rows" else t.df["station_code"].map(station_state)
        pairs = list(zip(states.tolist(), t.df["month"].tolist(), strict=True))
        mask = pd.Series([p in final for p in pairs], index=t.df.index)
        problems.add_mask(
            t, mask, "month",
            lambda sub, states=states: [
                f"{m} is final for {states[i]} (its final rows are loaded): provisional rows never change a "
                "final month" for i, m in zip(sub.index, sub["month"], strict=True)])


def _rows(tables: list[_Table], kind: str, unit: str) -> pd.DataFrame:
    frames = [t.df[["month", unit, "parameter", "numerator", "denominator"]] for t in tables if t.kind == kind]
    if not frames:
        return pd.DataFrame(columns=["month", unit, "parameter", "numerator", "denominator"])
    df = pd.concat(frames, ignore_index=True)
    df["numerator"] = df["numerator"].astype("int64")
    df["denominator"] = df["denominator"].astype("int64")
    return df


def write_provisional(conn: Connection, tables: list[_Table], batch_id: int, user: str,
                      methodology: Schemes | Methodology, tick: Callable[[int], None] = lambda n: None
                      ) -> tuple[int, int, list[str]]:
    """One new snapshot per State x month of the rows (replacing the current one), its rows and results.
    Returns (rows added, rows of the snapshots replaced, months)."""
    station = _rows(tables, "station_rows", "station_code")
    state = _rows(tables, "state_rows", "state_code")
    station["state_code"] = station["station_code"].map(_station_states(conn))
    pairs = sorted(set(zip(station["state_code"], station["month"], strict=True))
                   | set(zip(state["state_code"], state["month"], strict=True)))
    snaps = ProvisionalSnapshot.__table__
    now = utcnow()
    added = replaced = 0
    master = load_master(conn)
    for state_code, month in pairs:
        old = conn.execute(select(snaps.c.id, snaps.c.station_rows, snaps.c.state_rows).where(
            snaps.c.state_code == state_code, snaps.c.month == month, snaps.c.status == "current")).all()
        for old_id, n_station, n_state in old:
            _drop_results(conn, old_id)
            conn.execute(update(snaps).where(snaps.c.id == old_id).values(status="replaced",
                                                                          ended_by_batch=batch_id))
            replaced += int(n_station) + int(n_state)
        st = station[(station["state_code"] == state_code) & (station["month"] == month)]
        sr = state[(state["state_code"] == state_code) & (state["month"] == month)]
        snap_id = conn.execute(insert(snaps).values(
            state_code=state_code, month=month, batch_id=batch_id, as_of=now, created_by=user[:80],
            status="current", ended_by_batch=None, station_rows=len(st), state_rows=len(sr),
        )).inserted_primary_key[0]
        cols = ["snapshot_id", "station_code", "parameter", "numerator", "denominator"]
        insert_frame(conn, ProvisionalStationRow.__tablename__, st.assign(snapshot_id=snap_id), cols)
        cols = ["snapshot_id", "state_code", "parameter", "numerator", "denominator"]
        insert_frame(conn, ProvisionalStateRow.__tablename__, sr.assign(snapshot_id=snap_id), cols)
        tick(len(st) + len(sr))
        added += len(st) + len(sr)
        compute_snapshot(conn, int(snap_id), methodology, master)
    bump_results_generation(conn)
    return added, replaced, sorted({m for _, m in pairs})


def _drop_results(conn: Connection, snapshot_id: int) -> None:
    for table in RESULT_TABLES:
        conn.execute(delete(table).where(table.snapshot_id == snapshot_id))


def _state_master(master: MasterData, state_code: str) -> MasterData:
    districts = master.districts[master.districts["state_code"] == state_code]
    return MasterData(
        states=master.states[master.states["state_code"] == state_code],
        districts=districts,
        stations=master.stations[master.stations["district_code"].isin(set(districts["district_code"]))],
    )


def _as_schemes(methodology: Schemes | Methodology) -> Schemes:
    return methodology if isinstance(methodology, Schemes) else Schemes({methodology.scheme: methodology})


def compute_snapshot(conn: Connection, snapshot_id: int, methodology: Schemes | Methodology,
                     master: MasterData | None = None) -> list[str]:
    """Score a snapshot's State for its month (rules 1-12 within the State) in every ranking scheme that has
    a version in force and rows of its own parameters in the snapshot (as a final month: each scheme scores
    only its own parameters' rows), and store the results. Returns the schemes scored."""
    snaps = ProvisionalSnapshot.__table__
    state_code, month = conn.execute(select(snaps.c.state_code, snaps.c.month)
                                     .where(snaps.c.id == snapshot_id)).one()
    st = ProvisionalStationRow.__table__
    sr = ProvisionalStateRow.__table__
    station_rows = pd.read_sql(select(st.c.station_code, st.c.parameter, st.c.numerator, st.c.denominator)
                               .where(st.c.snapshot_id == snapshot_id), conn)
    state_rows = pd.read_sql(select(sr.c.state_code, sr.c.parameter, sr.c.numerator, sr.c.denominator)
                             .where(sr.c.snapshot_id == snapshot_id), conn)
    state_master: MasterData | None = None
    scored = []
    for scheme, scheme_methodology in _as_schemes(methodology).by_id.items():
        version = scheme_methodology.version_for(month)
        if version is None:  # no version of this scheme in force that month: nothing to score
            continue
        own = scheme_methodology.parameter_ids
        own_station = station_rows[station_rows["parameter"].isin(own)]
        own_state = state_rows[state_rows["parameter"].isin(own)]
        if own_station.empty and own_state.empty:
            continue
        if state_master is None:
            state_master = _state_master(master if master is not None else load_master(conn), state_code)
        scores = score_month(month, version, state_master, own_station, own_state)
        _write_snapshot_scores(conn, snapshot_id, scheme, version.id, scores)
        scored.append(scheme)
    return scored


def _write_snapshot_scores(conn: Connection, snapshot_id: int, scheme: str, version_id: str,
                           scores: MonthScores) -> None:
    units = scores.units.assign(snapshot_id=snapshot_id, scheme=scheme, version_id=version_id)
    units["lagging"] = units["lagging"].fillna(False).astype(bool) if "lagging" in units else False
    cols = ["snapshot_id", "scheme", "level", "unit_code", "state_code", "district_code", "version_id", "score",
            "score_centi", "reported", "stations_active", "stations_reported", "rank_in_state",
            "rank_in_district", "lagging"]
    insert_frame(conn, ProvisionalUnit.__tablename__, units, cols)
    params = scores.params[scores.params["level"].isin(["state", "district"])].assign(
        snapshot_id=snapshot_id, scheme=scheme)
    cols = ["snapshot_id", "scheme", "level", "unit_code", "parameter", "numerator", "denominator", "applicable",
            "value", "marks", "weight", "marks_lost"]
    insert_frame(conn, ProvisionalParam.__tablename__, params, cols)
    lag = scores.lagging.assign(snapshot_id=snapshot_id, scheme=scheme)
    lag["critical_parameters"] = lag["critical_parameters"].map(lambda t: ",".join(t) if t else "")
    cols = ["snapshot_id", "scheme", "station_code", "district_code", "score", "not_reported", "low_score",
            "critical_parameters", "at_stake_state", "at_stake_district"]
    insert_frame(conn, ProvisionalLagging.__tablename__, lag, cols)
    stakes = scores.stakes.assign(snapshot_id=snapshot_id, scheme=scheme)
    cols = ["snapshot_id", "scheme", "station_code", "parameter", "district_code", "numerator", "denominator",
            "numerator_needed", "at_stake_state", "at_stake_district"]
    insert_frame(conn, ProvisionalStake.__tablename__, stakes, cols)


def finalise_snapshots(conn: Connection, batch_id: int, pairs: set[tuple[str, str]]) -> int:
    """The final import of a State's month ends its provisional snapshot (rows kept for a revert)."""
    if not pairs:
        return 0
    snaps = ProvisionalSnapshot.__table__
    cond = or_(*[and_(snaps.c.state_code == s, snaps.c.month == m) for s, m in sorted(pairs)])
    ids = [i for (i,) in conn.execute(select(snaps.c.id).where(snaps.c.status == "current", cond))]
    for snap_id in ids:
        _drop_results(conn, snap_id)
    if ids:
        conn.execute(update(snaps).where(snaps.c.id.in_(ids)).values(status="finalised", ended_by_batch=batch_id))
        bump_results_generation(conn)
    return len(ids)


def imported_pairs(conn: Connection, station_rows: pd.DataFrame | None, state_rows: pd.DataFrame | None
                   ) -> set[tuple[str, str]]:
    """(state_code, month) of the final rows of an import (distinct station x month first: a few thousand
    pairs to map, not every row)."""
    pairs: set[tuple[str, str]] = set()
    if station_rows is not None and len(station_rows):
        seen = station_rows[["station_code", "month"]].drop_duplicates()
        station_state = _station_states(conn)
        pairs |= {(str(station_state.get(code)), str(month)) for code, month in
                  zip(seen["station_code"].tolist(), seen["month"].tolist(), strict=True)}
    if state_rows is not None and len(state_rows):
        seen = state_rows[["state_code", "month"]].drop_duplicates()
        pairs |= set(zip(seen["state_code"].astype(str).tolist(), seen["month"].astype(str).tolist(), strict=True))
    return pairs


def revert_provisional(conn: Connection, batch_id: int, methodology: Schemes | Methodology) -> tuple[int, int, list[str]]:
    """Undo a provisional batch: its snapshots are reverted (rows deleted) and the snapshots they replaced
    are current again. Returns (rows removed, rows restored, months)."""
    snaps = ProvisionalSnapshot.__table__
    mine = conn.execute(select(snaps).where(snaps.c.batch_id == batch_id)).mappings().all()
    for s in mine:
        if s["status"] == "replaced":
            raise ProvisionalRevertRefused(
                f"cannot revert batch {batch_id}: a later provisional load (batch {s['ended_by_batch']}) replaced "
                f"{s['state_code']} {s['month']}; revert batch {s['ended_by_batch']} first")
        if s["status"] == "finalised":
            raise ProvisionalRevertRefused(
                f"cannot revert batch {batch_id}: the final import (batch {s['ended_by_batch']}) of "
                f"{s['state_code']} {s['month']} has replaced these provisional figures")
    removed = restored = 0
    master = load_master(conn)
    for s in mine:
        _drop_results(conn, s["id"])
        for table in (ProvisionalStationRow, ProvisionalStateRow):
            removed += conn.execute(delete(table).where(table.snapshot_id == s["id"])).rowcount or 0
        conn.execute(update(snaps).where(snaps.c.id == s["id"]).values(status="reverted"))
        earlier = conn.execute(select(snaps.c.id, snaps.c.station_rows, snaps.c.state_rows).where(
            snaps.c.state_code == s["state_code"], snaps.c.month == s["month"], snaps.c.status == "replaced",
            snaps.c.ended_by_batch == batch_id)).all()
        for earlier_id, n_station, n_state in earlier:
            conn.execute(update(snaps).where(snaps.c.id == earlier_id).values(status="current", ended_by_batch=None))
            compute_snapshot(conn, int(earlier_id), methodology, master)
            restored += int(n_station) + int(n_state)
    bump_results_generation(conn)
    return removed, restored, sorted({s["month"] for s in mine})


def restore_finalised(conn: Connection, batch_id: int, methodology: Schemes | Methodology) -> int:
    """After a final batch is reverted: the snapshots it finalised are current again when their State x
    month has no final row left."""
    snaps = ProvisionalSnapshot.__table__
    ended = conn.execute(select(snaps.c.id, snaps.c.state_code, snaps.c.month).where(
        snaps.c.status == "finalised", snaps.c.ended_by_batch == batch_id)).all()
    if not ended:
        return 0
    final = final_pairs(conn, {m for _, _, m in ended})
    master = load_master(conn)
    n = 0
    for snap_id, state_code, month in ended:
        if (state_code, month) in final:
            continue
        conn.execute(update(snaps).where(snaps.c.id == snap_id).values(status="current", ended_by_batch=None))
        compute_snapshot(conn, int(snap_id), methodology, master)
        n += 1
    if n:
        bump_results_generation(conn)
    return n
