"""Recompute the pre-computed results of some months inside the caller's transaction.

Pages read only these tables, so a month is either wholly the old results or wholly the new ones:
the import writes rows and results in one transaction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Connection, bindparam, delete, select, update

from dashboard.ingest.station_values import write_station_values
from dashboard.store import (
    District,
    PoliceStation,
    ResultLagging,
    ResultParam,
    ResultStake,
    ResultStationCounts,
    ResultUnit,
    State,
    StateRow,
    StationRow,
    insert_frame,
    read_columns,
)
from metrics.analysis import add_rank_changes
from metrics.methodology import Methodology, Schemes, next_month, previous_month
from metrics.scoring import MasterData, MonthScores, score_month

# the rank whose streaks we keep per level ("months at #1 / in the top 5" of the unit's main scope)
STREAK_RANK = {"state": "rank_national", "district": "rank_in_state", "station": "rank_in_district"}
RANK_COLUMNS = ("rank_national", "rank_category", "rank_in_state", "rank_in_district")


def load_master(conn: Connection) -> MasterData:
    states = read_columns(conn, select(State.code, State.name, State.category), ["state_code", "name", "category"])
    districts = read_columns(conn, select(District.code, District.state_code, District.name),
                             ["district_code", "state_code", "name"])
    stations = read_columns(
        conn,
        select(PoliceStation.code, PoliceStation.district_code, PoliceStation.name, PoliceStation.opened,
               PoliceStation.closed),
        ["station_code", "district_code", "name", "opened", "closed"],
    )
    return MasterData(states=states, districts=districts, stations=stations)


# the rows of a month the caller already holds: (table name, month) -> that month's complete rows in that
# table (unit code, parameter, numerator, denominator), e.g. what an import has just written
KnownRows = dict[tuple[str, str], pd.DataFrame]
STATION_ROW_COLUMNS = ["station_code", "parameter", "numerator", "denominator"]
STATE_ROW_COLUMNS = ["state_code", "parameter", "numerator", "denominator"]


def _month_rows(conn: Connection, month: str, known: KnownRows | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A month's station and State rows: those the caller holds, else read with a lean columnar query."""
    known = known or {}
    station_rows = known.get((StationRow.__tablename__, month))
    if station_rows is None:
        station_rows = read_columns(conn, select(
            StationRow.station_code, StationRow.parameter, StationRow.numerator, StationRow.denominator)
            .where(StationRow.month == month), STATION_ROW_COLUMNS)
    state_rows = known.get((StateRow.__tablename__, month))
    if state_rows is None:
        state_rows = read_columns(conn, select(
            StateRow.state_code, StateRow.parameter, StateRow.numerator, StateRow.denominator)
            .where(StateRow.month == month), STATE_ROW_COLUMNS)
    return _as_counts(station_rows[STATION_ROW_COLUMNS]), _as_counts(state_rows[STATE_ROW_COLUMNS])


def _as_counts(rows: pd.DataFrame) -> pd.DataFrame:
    if rows["numerator"].dtype == np.int64 and rows["denominator"].dtype == np.int64:
        return rows
    return rows.astype({"numerator": np.int64, "denominator": np.int64})


def _clean(value):
    """DataFrame cell -> DB value (NaN/NA -> None, numpy scalars -> Python)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def _records(df: pd.DataFrame, columns: Sequence[str], **constants) -> list[dict]:
    out = []
    cols = [df[c].tolist() for c in columns]
    for values in zip(*cols, strict=True):
        rec = {c: _clean(v) for c, v in zip(columns, values, strict=True)}
        rec.update(constants)
        out.append(rec)
    return out


def _previous_units(conn: Connection, month: str, scheme: str) -> pd.DataFrame:
    cols = [
        ResultUnit.level,
        ResultUnit.unit_code,
        ResultUnit.score_centi,
        ResultUnit.streak_at_1,
        ResultUnit.streak_top5,
        *[getattr(ResultUnit, c) for c in RANK_COLUMNS],
    ]
    df = read_columns(conn, select(*cols).where(ResultUnit.scheme == scheme, ResultUnit.month == month),
                      [c.key for c in cols])
    for c in (*RANK_COLUMNS, "score_centi"):
        df[c] = df[c].astype("Int64")
    return df


def _with_streaks(units: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Consecutive months at rank 1 / in the top 5 of each unit's main scope, extended from last month."""
    units = units.copy()
    units["streak_at_1"] = 0
    units["streak_top5"] = 0
    for level, rank_col in STREAK_RANK.items():
        mask = units["level"] == level
        if not mask.any():
            continue
        rank = units.loc[mask, rank_col].astype("Int64")
        prev = previous[previous["level"] == level].set_index("unit_code") if len(previous) else None
        codes = units.loc[mask, "unit_code"]
        if prev is not None and len(prev):
            prev_at1 = codes.map(prev["streak_at_1"]).fillna(0).astype(int).to_numpy()
            prev_top5 = codes.map(prev["streak_top5"]).fillna(0).astype(int).to_numpy()
        else:
            prev_at1 = np.zeros(mask.sum(), dtype=int)
            prev_top5 = np.zeros(mask.sum(), dtype=int)
        is1 = (rank == 1).fillna(False).to_numpy(dtype=bool)
        top5 = (rank <= 5).fillna(False).to_numpy(dtype=bool)
        units.loc[mask, "streak_at_1"] = np.where(is1, prev_at1 + 1, 0)
        units.loc[mask, "streak_top5"] = np.where(top5, prev_top5 + 1, 0)
    return units


UNIT_COLUMNS = [
    "level", "unit_code", "state_code", "district_code", "score", "score_centi", "score_change_centi",
    "weight_sum", "reported", "stations_active", "stations_reported", *RANK_COLUMNS,
    "rank_change_national", "rank_change_category", "rank_change_in_state", "rank_change_in_district",
    "streak_at_1", "streak_top5", "lagging",
]
PARAM_COLUMNS = [
    "level", "unit_code", "state_code", "parameter", "numerator", "denominator", "applicable", "value",
    "achievement", "marks", "weight", "marks_lost", "contribution",
]


def _insert_frame(conn: Connection, table, df: pd.DataFrame, columns: Sequence[str], **constants) -> None:
    df = df.assign(**constants) if constants else df
    insert_frame(conn, table.name, df, [*columns, *constants])


def _delete_month(conn: Connection, month: str, scheme: str) -> None:
    for table in (ResultUnit, ResultParam, ResultLagging, ResultStake, ResultStationCounts):
        conn.execute(delete(table).where(table.scheme == scheme, table.month == month))


def _write_month(conn: Connection, month: str, scheme: str, version_id: str, scores: MonthScores,
                 units: pd.DataFrame) -> None:
    _delete_month(conn, month, scheme)
    units = units.copy()
    if "lagging" not in units:
        units["lagging"] = False
    units["lagging"] = units["lagging"].fillna(False).astype(bool)
    _insert_frame(conn, ResultUnit.__table__, units, UNIT_COLUMNS, month=month, scheme=scheme, version_id=version_id,
                  active=True)

    params = scores.params[scores.params["level"].isin(["state", "district"])]
    _insert_frame(conn, ResultParam.__table__, params, PARAM_COLUMNS, month=month, scheme=scheme)

    lag = scores.lagging.copy()
    lag["critical_parameters"] = lag["critical_parameters"].map(lambda t: ",".join(t) if t else "")
    _insert_frame(
        conn,
        ResultLagging.__table__,
        lag,
        ["station_code", "district_code", "state_code", "score", "not_reported", "low_score",
         "critical_parameters", "at_stake_state", "at_stake_district"],
        month=month, scheme=scheme,
    )
    stakes = scores.stakes[scores.stakes["station_code"].isin(set(lag["station_code"]))]
    _insert_frame(
        conn,
        ResultStake.__table__,
        stakes,
        ["station_code", "parameter", "state_code", "numerator", "denominator", "numerator_needed",
         "at_stake_state", "at_stake_district"],
        month=month, scheme=scheme,
    )


def _as_schemes(methodology: Schemes | Methodology) -> Schemes:
    return methodology if isinstance(methodology, Schemes) else Schemes({methodology.scheme: methodology})


def recompute_months(conn: Connection, months: Iterable[str], methodology: Schemes | Methodology,
                     known_rows: KnownRows | None = None) -> list[str]:
    """Rewrite the results of `months` in every scheme (and refresh rank changes/streaks of later months).
    Each scheme scores only its own parameters' rows (parameter ids are unique across schemes). Returns the
    months recomputed in at least one scheme.

    known_rows: rows of some months the caller holds (an import's, just written): not read back. A month's
    rows are read once for every scheme."""
    months = sorted(set(months))
    if not months:
        return []
    master = load_master(conn)
    wanted = set(months)
    schemes = _as_schemes(methodology).by_id
    done: set[str] = set()
    for month in months:  # schemes are independent: each still sees its months in order
        rows = None
        for scheme, scheme_methodology in schemes.items():
            version = scheme_methodology.version_for(month)
            if version is not None and rows is None:
                rows = _month_rows(conn, month, known_rows)
            if _recompute_scheme_month(conn, month, wanted, scheme, scheme_methodology, master, rows):
                done.add(month)
    from dashboard.store import bump_results_generation

    bump_results_generation(conn)  # every cached page result of earlier generations is now stale
    return sorted(done)


def _recompute_scheme_month(conn: Connection, month: str, wanted: set[str], scheme: str, methodology: Methodology,
                            master: MasterData, rows: tuple[pd.DataFrame, pd.DataFrame] | None) -> bool:
    """One scheme's results of one month (True when it has any), then the months after it up to the next one
    recomputed (their rank changes and streaks)."""
    version = methodology.version_for(month)
    station_rows = state_rows = None
    if version is not None and rows is not None:
        own = methodology.parameter_ids
        station_rows = rows[0][rows[0]["parameter"].isin(own)]
        state_rows = rows[1][rows[1]["parameter"].isin(own)]
    if version is None or (station_rows.empty and state_rows.empty):
        # no version in force, or no row left (a revert removed the month): the month has no results
        _delete_month(conn, month, scheme)
        if version is not None and next_month(month) not in wanted:
            _refresh_following(conn, month, scheme)
        return False
    scores = score_month(month, version, master, station_rows, state_rows)
    previous = _previous_units(conn, previous_month(month), scheme)
    units = add_rank_changes(scores.units, previous)
    units = _with_streaks(units, previous)
    _write_month(conn, month, scheme, version.id, scores, units)
    write_station_values(conn, month, scheme, version, scores.params)  # for the district and station pages
    if next_month(month) not in wanted:
        # the months up to the next recomputed one take their rank changes and streaks from this one
        _refresh_following(conn, month, scheme)
    return True


DERIVED_COLUMNS = [
    "score_change_centi", "rank_change_national", "rank_change_category", "rank_change_in_state",
    "rank_change_in_district", "streak_at_1", "streak_top5",
]


def _refresh_following(conn: Connection, last_recomputed: str, scheme: str) -> None:
    """Rank changes and streaks of a month depend on the month before: refresh the months after the
    recomputed ones. Only rows whose values change are written, and the walk stops at the first month
    whose streaks did not change (the months after it cannot change either)."""
    later = [
        m for (m,) in conn.execute(
            select(ResultUnit.month).where(ResultUnit.scheme == scheme, ResultUnit.month > last_recomputed)
            .distinct().order_by(ResultUnit.month)
        )
    ]
    stmt = (
        update(ResultUnit)
        .where(ResultUnit.scheme == scheme)
        .where(ResultUnit.month == bindparam("b_month"))
        .where(ResultUnit.level == bindparam("b_level"))
        .where(ResultUnit.unit_code == bindparam("b_unit"))
        .values({c: bindparam("v_" + c) for c in DERIVED_COLUMNS})
    )
    for month in later:
        cols = [ResultUnit.level, ResultUnit.unit_code, ResultUnit.score_centi,
                *[getattr(ResultUnit, c) for c in (*RANK_COLUMNS, *DERIVED_COLUMNS)]]
        stored = read_columns(conn, select(*cols).where(ResultUnit.scheme == scheme, ResultUnit.month == month),
                              [c.key for c in cols])
        for c in (*RANK_COLUMNS, *DERIVED_COLUMNS, "score_centi"):
            stored[c] = stored[c].astype("Int64")
        previous = _previous_units(conn, previous_month(month), scheme)
        fresh = add_rank_changes(stored.drop(columns=DERIVED_COLUMNS), previous)
        fresh = _with_streaks(fresh, previous)
        differs = pd.Series(False, index=stored.index)
        for c in DERIVED_COLUMNS:
            old, new = stored[c], fresh[c].astype("Int64")
            differs |= (old.isna() != new.isna()) | (old.fillna(-10**9) != new.fillna(-10**9))
        if differs.any():
            recs = _records(fresh[differs], ["level", "unit_code", *DERIVED_COLUMNS])
            recs = [{"b_month": month, "b_level": r["level"], "b_unit": r["unit_code"],
                     **{"v_" + c: r[c] for c in DERIVED_COLUMNS}} for r in recs]
            for i in range(0, len(recs), 20000):
                conn.execute(stmt, recs[i : i + 20000])
        streaks_changed = False
        for c in ("streak_at_1", "streak_top5"):
            streaks_changed |= bool((stored[c].fillna(-1) != fresh[c].astype("Int64").fillna(-1)).any())
        if not streaks_changed:
            break
