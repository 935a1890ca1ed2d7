"""Projections and flags written inside an import's (or revert's) transaction, after the months are rescored:
pages, exports and the deck only read them (never computed per click)."""

from __future__ import annotations

from collections.abc import Sequence

import orjson
import pandas as pd
from sqlalchemy import Connection, delete, select

from dashboard.store import (
    DataFlag,
    Projection,
    ProjectionBacktest,
    ResultParam,
    ResultUnit,
    StationRow,
    bulk_insert,
    frame_rows,
)
from metrics.foresight import (
    DEFAULT_FLAGS,
    DEFAULT_PROJECTION,
    FLAG_COLUMNS,
    PROJECTION_COLUMNS,
    FlagSettings,
    ProjectionSettings,
    backtest,
    denominator_drops,
    jumps_to_full,
    level_shifts,
    peer_change_outliers,
    project_next_month,
    too_perfect,
)
from metrics.methodology import previous_month

SCHEMES = ("cctns", "icjs", "itsso")  # ranking schemes projected (the shipped ones: issue 13)
DEFAULT_SCHEME = "cctns"
BACKTEST_MONTHS = 12
SHIFT_WINDOW = 24  # months of history searched for a lasting level shift


def state_scores(conn: Connection, scheme: str = DEFAULT_SCHEME) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scores, ranks): months x State codes, the scheme's State scores and published national ranks."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown ranking scheme {scheme!r}")
    rows = pd.DataFrame(conn.execute(
        select(ResultUnit.month, ResultUnit.unit_code, ResultUnit.score, ResultUnit.rank_national)
        .where(ResultUnit.scheme == scheme, ResultUnit.level == "state")).all(),
        columns=["month", "state_code", "score", "rank"])
    if rows.empty:
        return pd.DataFrame(), pd.DataFrame()
    scores = rows.pivot(index="month", columns="state_code", values="score").sort_index().astype(float)
    ranks = rows.pivot(index="month", columns="state_code", values="rank").sort_index().astype(float)
    return scores, ranks


def refresh_projections(conn: Connection, scheme: str = DEFAULT_SCHEME,
                        settings: ProjectionSettings = DEFAULT_PROJECTION) -> int:
    """Rewrite every origin month's projection and backtest of `scheme` (a few dozen States: cheap)."""
    conn.execute(delete(Projection).where(Projection.scheme == scheme))
    conn.execute(delete(ProjectionBacktest).where(ProjectionBacktest.scheme == scheme))
    scores, ranks = state_scores(conn, scheme)
    made: dict[str, pd.DataFrame] = {}
    for month in scores.index:
        made[month] = project_next_month(scores, month, settings)
    frames = [p.assign(scheme=scheme, month=m) for m, p in made.items() if not p.empty]
    if frames:
        cols = ["scheme", "month", *PROJECTION_COLUMNS]
        bulk_insert(conn, Projection.__tablename__, cols, frame_rows(pd.concat(frames), cols))
    rows = []
    for month in scores.index:
        b = backtest(made, ranks, month, BACKTEST_MONTHS)
        rows.append((scheme, month, ",".join(b.months), b.checks, b.coverage, b.mae_model, b.mae_carry,
                     b.brier_model, b.brier_carry))
    bulk_insert(conn, ProjectionBacktest.__tablename__,
                ["scheme", "month", "months_checked", "checks", "coverage", "mae_model", "mae_carry",
                 "brier_model", "brier_carry"], rows)
    return sum(len(f) for f in frames)


def _station_rows(conn: Connection, months: Sequence[str]) -> pd.DataFrame:
    """Station x parameter rows of those months with the station's district and State."""
    from dashboard.store import District, PoliceStation

    stmt = (select(StationRow.month, StationRow.station_code.label("unit_code"), District.state_code,
                   PoliceStation.district_code, StationRow.parameter, StationRow.numerator, StationRow.denominator)
            .join(PoliceStation, PoliceStation.code == StationRow.station_code)
            .join(District, District.code == PoliceStation.district_code)
            .where(StationRow.month.in_(list(months))))
    df = pd.DataFrame(conn.execute(stmt).all(),
                      columns=["month", "unit_code", "state_code", "district_code", "parameter", "numerator",
                               "denominator"])
    df.insert(1, "level", "station")
    return df


def _pooled_rows(conn: Connection, level: str, months: Sequence[str] | None = None) -> pd.DataFrame:
    """State or district x parameter pooled rows (result_params) of those months (None: all)."""
    stmt = select(ResultParam.month, ResultParam.unit_code, ResultParam.state_code, ResultParam.parameter,
                  ResultParam.numerator, ResultParam.denominator).where(ResultParam.level == level,
                                                                       ResultParam.applicable.is_(True))
    if months is not None:
        stmt = stmt.where(ResultParam.month.in_(list(months)))
    df = pd.DataFrame(conn.execute(stmt).all(),
                      columns=["month", "unit_code", "state_code", "parameter", "numerator", "denominator"])
    df.insert(1, "level", level)
    if level == "district":
        df.insert(4, "district_code", df["unit_code"])
    else:
        df.insert(4, "district_code", None)
    return df


def _station_fullness(conn: Connection) -> pd.DataFrame:
    """Per station and month: parameters with a base, and those at exactly 100 % (one aggregate query)."""
    from sqlalchemy import case, func

    from dashboard.store import District, PoliceStation

    with_base = func.sum(case((StationRow.denominator > 0, 1), else_=0))
    full = func.sum(case(((StationRow.denominator > 0) & (StationRow.numerator == StationRow.denominator), 1),
                         else_=0))
    stmt = (select(StationRow.month, StationRow.station_code, District.state_code, PoliceStation.district_code,
                   with_base, full)
            .join(PoliceStation, PoliceStation.code == StationRow.station_code)
            .join(District, District.code == PoliceStation.district_code)
            .group_by(StationRow.month, StationRow.station_code, District.state_code, PoliceStation.district_code))
    return pd.DataFrame(conn.execute(stmt).all(), columns=["month", "unit_code", "state_code", "district_code",
                                                          "parameters", "full_parameters"])


def compute_flags(conn: Connection, months: Sequence[str], settings: FlagSettings = DEFAULT_FLAGS) -> pd.DataFrame:
    """Every flag of `months` (month-on-month rules, too perfect) and every lasting level shift."""
    months = sorted(set(months))
    if not months:
        return pd.DataFrame(columns=list(FLAG_COLUMNS))
    wanted = sorted(set(months) | {previous_month(m) for m in months})
    stations = _station_rows(conn, wanted)
    states = _pooled_rows(conn, "state", wanted)
    pairs_input = pd.concat([stations, states], ignore_index=True)
    found = [
        peer_change_outliers(pairs_input, settings),
        jumps_to_full(pairs_input, settings),
        denominator_drops(pairs_input, settings),
    ]
    fullness = _station_fullness(conn)
    found.append(too_perfect(fullness, settings))
    found = [f[f["month"].isin(months)] for f in found]
    all_months = sorted(fullness["month"].unique()) if len(fullness) else months
    last = all_months[-1]
    window = all_months[-SHIFT_WINDOW:]
    pooled = pd.concat([_pooled_rows(conn, "district", window), _pooled_rows(conn, "state", window)],
                       ignore_index=True)
    found.append(level_shifts(pooled, last, settings))
    found = [f for f in found if not f.empty]
    if not found:
        return pd.DataFrame(columns=list(FLAG_COLUMNS))
    return pd.concat(found, ignore_index=True)


def refresh_flags(conn: Connection, months: Sequence[str], all_months: Sequence[str],
                  settings: FlagSettings = DEFAULT_FLAGS) -> int:
    """Rewrite the flags from the earliest month touched onwards (a month's rules look one month back and a
    streak runs forward) and every level shift; reviews are kept (they hold by evidence key)."""
    if not months:
        return 0
    start = min(months)
    conn.execute(delete(DataFlag).where((DataFlag.month >= start) | (DataFlag.rule == "level_shift")))
    redo = [m for m in all_months if m >= start]
    flags = compute_flags(conn, redo, settings)
    if flags.empty:
        return 0
    flags = flags.drop_duplicates(["month", "rule", "level", "unit_code", "parameter"])
    flags = flags.copy()
    flags["evidence"] = [orjson.dumps(e, option=orjson.OPT_SERIALIZE_NUMPY).decode() for e in flags["evidence"]]
    flags["district_code"] = flags["district_code"].astype(object).where(flags["district_code"].notna(), None)
    cols = list(FLAG_COLUMNS)
    bulk_insert(conn, DataFlag.__tablename__, cols, frame_rows(flags, cols))
    return len(flags)


def refresh_foresight(conn: Connection, months: Sequence[str]) -> dict[str, int]:
    """Called by every import and revert after the recomputation, in the same transaction."""
    all_months = [m for (m,) in conn.execute(
        select(ResultUnit.month).where(ResultUnit.scheme == DEFAULT_SCHEME, ResultUnit.level == "state")
        .distinct().order_by(ResultUnit.month))]
    counts = {f"projections_{s}": refresh_projections(conn, s) for s in SCHEMES}
    counts["flags"] = refresh_flags(conn, months, all_months)
    return counts
