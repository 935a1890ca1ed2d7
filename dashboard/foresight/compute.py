"""Projections and flags written inside an import's (or revert's) transaction, after the months are rescored:
pages, exports and the deck only read them (never computed per click).

Only what the months changed is redone, so that looking ahead adds little to an import (issue 15's budget):
* projections: the origin months from the earliest month changed onwards (a projection reads the months up
  to its origin only), and the backtests of those months (earlier projections are read back, not redrawn);
* month-on-month flags: the months changed and the month after each (a rule compares a month with the one
  before); the station pairs are joined in the database, keeping only those with a base the rules look at;
* too perfect: the stations all-full in the months from the earliest changed onwards, walked back month by
  month to the start of their streak, and the other stations of their districts over it (never every row);
* level shifts: the series of the last 24 months, every one screened at once (numpy), change-point
  detection (ruptures) only on those with a step large enough to matter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import orjson
import pandas as pd
from sqlalchemy import Connection, String, cast, delete, func, select, text

from dashboard.read import result_months, result_schemes
from dashboard.store import (
    DataFlag,
    District,
    MethodologySource,
    PoliceStation,
    Projection,
    ProjectionBacktest,
    ResultParam,
    ResultUnit,
    StationFullness,
    bulk_insert,
    insert_frame,
    read_columns,
)
from metrics.foresight import (
    DEFAULT_FLAGS,
    DEFAULT_PROJECTION,
    FLAG_COLUMNS,
    PROJECTION_COLUMNS,
    FlagSettings,
    ProjectionSettings,
    all_full_streaks,
    backtest,
    denominator_drops,
    jumps_to_full,
    level_shifts_wide,
    month_pairs,
    peer_change_outliers,
    project_next_month,
    too_perfect,
)
from metrics.methodology import DEFAULT_SCHEME, next_month, previous_month

BACKTEST_MONTHS = 12
SHIFT_WINDOW = 24  # months of history searched for a lasting level shift
PAIR_RULES = ("peer_change", "jump_to_full", "denominator_drop")  # a month against the month before
IN_CHUNK = 5000  # codes per IN (...) list (SQLite's limit on bound parameters)


def _frame(conn: Connection, stmt, columns: list[str]) -> pd.DataFrame:
    """A query's rows as a DataFrame, column by column, through the driver's cursor (`read_columns`): no
    SQLAlchemy Row per row, no row-by-row DataFrame construction (seconds on a national month)."""
    return read_columns(conn, stmt, columns)


def stored_schemes(conn: Connection) -> list[str]:
    """Every ranking scheme stored (the shipped ones and any a State added): each is projected."""
    schemes = [s for (s,) in conn.execute(select(MethodologySource.scheme).order_by(MethodologySource.scheme))]
    return schemes or [DEFAULT_SCHEME]


def state_scores(conn: Connection, scheme: str = DEFAULT_SCHEME) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scores, ranks): months x State codes, the scheme's State scores and published national ranks."""
    rows = _frame(conn, select(ResultUnit.month, ResultUnit.unit_code, ResultUnit.score, ResultUnit.rank_national)
                  .where(ResultUnit.scheme == scheme, ResultUnit.level == "state"),
                  ["month", "state_code", "score", "rank"])
    if rows.empty:
        return pd.DataFrame(), pd.DataFrame()
    scores = rows.pivot(index="month", columns="state_code", values="score").sort_index().astype(float)
    ranks = rows.pivot(index="month", columns="state_code", values="rank").sort_index().astype(float)
    return scores, ranks


def _months_back(month: str, n: int) -> str:
    for _ in range(n):
        month = previous_month(month)
    return month


def _stored_projections(conn: Connection, scheme: str, start: str, end: str) -> dict[str, pd.DataFrame]:
    """The projections stored for origin months start <= month < end (read back for the backtests)."""
    cols = list(PROJECTION_COLUMNS)
    df = _frame(conn, select(Projection.month, *[getattr(Projection, c) for c in cols])
                .where(Projection.scheme == scheme, Projection.month >= start, Projection.month < end),
                ["month", *cols])
    return {m: g.drop(columns="month").reset_index(drop=True) for m, g in df.groupby("month")}


def refresh_projections(conn: Connection, scheme: str = DEFAULT_SCHEME,
                        settings: ProjectionSettings = DEFAULT_PROJECTION, since: str | None = None) -> int:
    """Rewrite the projections of `scheme` made from the origin months `since` onwards (every one when None)
    and the backtests of those months; earlier projections are unchanged (a projection reads the months up
    to its origin only) and are read back for the backtests. Returns the projection rows written."""
    p_where = [Projection.scheme == scheme] + ([Projection.month >= since] if since else [])
    b_where = [ProjectionBacktest.scheme == scheme] + ([ProjectionBacktest.month >= since] if since else [])
    conn.execute(delete(Projection).where(*p_where))
    conn.execute(delete(ProjectionBacktest).where(*b_where))
    scores, ranks = state_scores(conn, scheme)
    origins = [m for m in scores.index if since is None or m >= since]
    if not origins:
        return 0
    made = {m: project_next_month(scores, m, settings) for m in origins}
    frames = [p.assign(scheme=scheme, month=m) for m, p in made.items() if not p.empty]
    if frames:
        cols = ["scheme", "month", *PROJECTION_COLUMNS]
        insert_frame(conn, Projection.__tablename__, pd.concat(frames), cols)
    if since is not None:  # the backtests of the months redone look back at earlier origins' projections
        made = {**_stored_projections(conn, scheme, _months_back(since, BACKTEST_MONTHS + 1), since), **made}
    rows = []
    for month in origins:
        b = backtest(made, ranks, month, BACKTEST_MONTHS)
        rows.append((scheme, month, ",".join(b.months), b.checks, b.coverage, b.mae_model, b.mae_carry,
                     b.brier_model, b.brier_carry))
    bulk_insert(conn, ProjectionBacktest.__tablename__,
                ["scheme", "month", "months_checked", "checks", "coverage", "mae_model", "mae_carry",
                 "brier_model", "brier_carry"], rows)
    return sum(len(f) for f in frames)


# --- the data to verify --------------------------------------------------------------------------------


def _station_places(conn: Connection) -> pd.DataFrame:
    """station_code -> district_code, state_code (the master data: a few thousand rows per State)."""
    return _frame(conn, select(PoliceStation.code, PoliceStation.district_code, District.state_code)
                  .join(District, District.code == PoliceStation.district_code),
                  ["unit_code", "district_code", "state_code"]).set_index("unit_code")


def _station_pairs(conn: Connection, month: str, places: pd.DataFrame, settings: FlagSettings) -> pd.DataFrame:
    """A month's station x parameter rows joined in the database to the same station and parameter in the
    calendar month before, only where that month's base is `min_denominator`+ (no rule looks at a smaller
    one: see metrics.foresight). Columns as metrics.foresight.month_pairs."""
    # SQLite: read the month before first (its rows with a large enough base, a tenth of them) and look each
    # up in the month by primary key; its planner otherwise walks the month and looks up the month before
    # (CROSS JOIN fixes SQLite's join order; PostgreSQL plans a hash join either way)
    join = "CROSS JOIN" if conn.dialect.name == "sqlite" else "JOIN"
    stmt = text(f"SELECT now.station_code, now.parameter, now.numerator, now.denominator, prev.numerator, "
                f"prev.denominator FROM station_rows AS prev {join} station_rows AS now ON now.month = :month "
                f"AND now.station_code = prev.station_code AND now.parameter = prev.parameter "
                f"WHERE prev.month = :previous AND prev.denominator >= :base").bindparams(
        month=month, previous=previous_month(month), base=settings.min_denominator)
    df = _frame(conn, stmt, ["unit_code", "parameter", "numerator", "denominator", "numerator_prev",
                             "denominator_prev"])
    df.insert(0, "month", month)
    df.insert(1, "level", "station")
    df = df.join(places, on="unit_code")
    for c in ("numerator", "denominator", "numerator_prev", "denominator_prev"):
        df[c] = df[c].astype(np.int64)
    df["value"] = 100.0 * df["numerator"] / df["denominator"].where(df["denominator"] > 0)
    df["value_prev"] = 100.0 * df["numerator_prev"] / df["denominator_prev"].where(df["denominator_prev"] > 0)
    return df


def _pooled_rows(conn: Connection, level: str, months: Sequence[str] | None = None) -> pd.DataFrame:
    """State or district x parameter pooled rows (result_params, every scheme: parameter ids are unique
    across schemes) of those months (None: all); the State of a district from the master data (one column
    less to fetch on a few hundred thousand rows)."""
    # the schemes named: the primary key (scheme, month, ...) finds the months; without them every row of
    # every month was read (a whole-table scan that grows with the history)
    stmt = select(ResultParam.month, ResultParam.unit_code, ResultParam.parameter, ResultParam.numerator,
                  ResultParam.denominator).where(ResultParam.scheme.in_(result_schemes(conn)),
                                                 ResultParam.level == level, ResultParam.applicable.is_(True))
    if months is not None:
        stmt = stmt.where(ResultParam.month.in_(list(months)))
    df = _frame(conn, stmt, ["month", "unit_code", "parameter", "numerator", "denominator"])
    df.insert(1, "level", level)
    if level == "district":
        states = dict(conn.execute(select(District.code, District.state_code)).all())
        df.insert(3, "state_code", df["unit_code"].map(states))
    else:
        df.insert(3, "state_code", df["unit_code"])
    df.insert(4, "district_code", df["unit_code"] if level == "district" else None)
    for c in ("numerator", "denominator"):
        df[c] = df[c].astype(np.int64)
    return df


def _pooled_series(conn: Connection, level: str, months: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The State or district x parameter series of `months` (result_params, every scheme), laid out for
    `level_shifts_wide`: (wide: index level, unit_code, parameter; a column per month; percent or NaN,
    parents: state_code, district_code). One row per series comes back from the database, its months
    joined in one text ("2025-05:45:50,..."): a few thousand rows instead of a few hundred thousand."""
    month = ResultParam.month + ":" + cast(ResultParam.numerator, String) + ":" + cast(ResultParam.denominator, String)
    stmt = (select(ResultParam.unit_code, ResultParam.parameter, func.aggregate_strings(month, ","))
            .where(ResultParam.scheme.in_(stored_schemes(conn)), ResultParam.month.in_(list(months)),  # the index
                   ResultParam.level == level, ResultParam.applicable.is_(True))
            .group_by(ResultParam.unit_code, ResultParam.parameter))
    rows = conn.execute(stmt).all()
    index = pd.MultiIndex.from_tuples([(level, u, p) for u, p, _ in rows], names=["level", "unit_code", "parameter"])
    columns = sorted(months)
    if not rows:
        return pd.DataFrame(index=index, columns=columns, dtype=float), pd.DataFrame(
            index=index, columns=["state_code", "district_code"])
    texts = [t for _, _, t in rows]
    counts = np.fromiter((t.count(",") + 1 for t in texts), dtype=np.int64, count=len(texts))
    parts = np.array(",".join(texts).replace(":", ",").split(","), dtype=object).reshape(-1, 3)
    position = {m: i for i, m in enumerate(columns)}
    col = np.fromiter((position[m] for m in parts[:, 0]), dtype=np.int64, count=len(parts))
    num = parts[:, 1].astype(np.int64)
    den = parts[:, 2].astype(np.int64)
    values = np.full((len(rows), len(columns)), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        values[np.repeat(np.arange(len(rows)), counts), col] = np.where(den > 0, 100.0 * num / np.where(den > 0, den, 1),
                                                                        np.nan)
    wide = pd.DataFrame(values, index=index, columns=columns)
    wide = wide.loc[:, wide.notna().any(axis=0)]
    units = [u for u, _, _ in rows]
    if level == "district":
        states = dict(conn.execute(select(District.code, District.state_code)).all())
        parents = pd.DataFrame({"state_code": [states.get(u) for u in units], "district_code": units}, index=index)
    else:
        parents = pd.DataFrame({"state_code": units, "district_code": None}, index=index)
    return wide, parents


_FULLNESS_SQL = (
    "INSERT INTO station_fullness (month, station_code, parameters, full_parameters) "
    "SELECT month, station_code, SUM(CASE WHEN denominator > 0 THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN denominator > 0 AND numerator = denominator THEN 1 ELSE 0 END) "
    "FROM station_rows WHERE month IN ({months}) GROUP BY month, station_code")


def refresh_station_fullness(conn: Connection, months: Sequence[str]) -> None:
    """Rewrite `station_fullness` for `months` from their station rows (one aggregate over those months):
    what `_fullness` reads instead of aggregating the rows of every month of a streak again."""
    months = sorted(set(months))
    if not months:
        return
    conn.execute(delete(StationFullness).where(StationFullness.month.in_(months)))
    marks = ", ".join(f":m{i}" for i in range(len(months)))
    conn.execute(text(_FULLNESS_SQL.format(months=marks)), {f"m{i}": m for i, m in enumerate(months)})


def _fullness(conn: Connection, months: Sequence[str], stations: Iterable[str] | None = None,
              settings: FlagSettings | None = None) -> pd.DataFrame:
    """Per station and month of `months` (of `stations`, when given): parameters with a base, and those at
    exactly 100 % (month, unit_code, parameters, full_parameters; from `station_fullness`, kept by every
    import and revert). Given `settings`, only the stations all-full (at 100 % on every parameter with a
    base, and enough of them)."""
    f = StationFullness
    base = (select(f.month, f.station_code, f.parameters, f.full_parameters)
            .where(f.month.in_(list(months))).order_by(f.month, f.station_code))
    if settings is not None:
        base = base.where(f.parameters >= settings.perfect_min_parameters, f.full_parameters == f.parameters)
    cols = ["month", "unit_code", "parameters", "full_parameters"]
    if stations is None:
        return _frame(conn, base, cols)
    codes = sorted(set(stations))
    parts = [_frame(conn, base.where(f.station_code.in_(codes[i:i + IN_CHUNK])), cols)
             for i in range(0, len(codes), IN_CHUNK)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)


def _all_full(df: pd.DataFrame, settings: FlagSettings) -> pd.Series:
    return (df["parameters"].astype(int) >= settings.perfect_min_parameters) & (
        df["full_parameters"].astype(int) == df["parameters"].astype(int))


def perfect_history(conn: Connection, months: Sequence[str], all_months: Sequence[str], places: pd.DataFrame,
                    settings: FlagSettings = DEFAULT_FLAGS) -> pd.DataFrame:
    """Exactly the station-months `too_perfect` needs to judge `months` (consecutive, the last of
    `all_months`): the stations all-full in `months`; those all-full in the first of them walked back a month
    at a time while they stay all-full (the start of their streaks); and every station of the districts of
    those with a streak long enough, over the streak (their district's share). A station not all-full in a
    month has no streak there and only counts in its district's share, so reading every station of every
    month (seconds a national month) finds nothing more."""
    months = sorted(months)
    got = [_fullness(conn, months, settings=settings)]
    first = months[0]
    alive = set(got[0].loc[got[0]["month"] == first, "unit_code"])
    known = set(all_months)
    month = first
    while alive and previous_month(month) in known:
        month = previous_month(month)
        back = _fullness(conn, [month], alive, settings=settings)
        got.append(back)
        alive = set(back["unit_code"])
    frame = pd.concat(got, ignore_index=True)
    frame = frame.join(places, on="unit_code")
    # the stations whose streak reaches `perfect_months` in one of `months`: their districts over the streak
    flags = frame.assign(all_full=_all_full(frame, settings))
    streaks = all_full_streaks(flags[["month", "unit_code", "all_full"]])
    long = streaks[(streaks["streak"] >= settings.perfect_months) & streaks["month"].isin(months)]
    if long.empty:
        return frame
    districts = set(places.loc[places.index.isin(set(long["unit_code"])), "district_code"])
    start = min(long["streak_start"])
    peers = places.index[places["district_code"].isin(districts)]
    extra = _fullness(conn, [m for m in all_months if start <= m <= months[-1]], peers).join(places, on="unit_code")
    return pd.concat([extra, frame], ignore_index=True).drop_duplicates(["month", "unit_code"])


def _pair_months(months: Sequence[str], all_months: Sequence[str]) -> list[str]:
    """The months whose month-on-month flags change when `months` change: each and the month after it."""
    known = set(all_months)
    return sorted({m for m in months if m in known} | {next_month(m) for m in months if next_month(m) in known})


def compute_flags(conn: Connection, months: Sequence[str], settings: FlagSettings = DEFAULT_FLAGS,
                  all_months: Sequence[str] | None = None, perfect_months: Sequence[str] | None = None
                  ) -> pd.DataFrame:
    """The month-on-month flags of `months`, the too-perfect flags of `perfect_months` (default: `months`)
    and every lasting level shift at the last month of `all_months` (default: the months with results)."""
    months = sorted(set(months))
    if all_months is None:
        all_months = result_months(conn, None)
    all_months = sorted(all_months)
    perfect_months = sorted(set(months if perfect_months is None else perfect_months))
    if not all_months:
        return pd.DataFrame(columns=list(FLAG_COLUMNS))
    places = _station_places(conn)
    found: list[pd.DataFrame] = []
    if months:
        pairs = [_station_pairs(conn, m, places, settings) for m in months]
        states = _pooled_rows(conn, "state", sorted(set(months) | {previous_month(m) for m in months}))
        pairs.append(month_pairs(states)[lambda p: p["month"].isin(months)])
        paired = pd.concat([p for p in pairs if len(p)], ignore_index=True) if any(len(p) for p in pairs) \
            else month_pairs(states)
        found += [peer_change_outliers(paired, settings), jumps_to_full(paired, settings),
                  denominator_drops(paired, settings)]
    if perfect_months:
        history = perfect_history(conn, perfect_months, all_months, places, settings)
        found.append(too_perfect(history, settings)[lambda f: f["month"].isin(perfect_months)])
    last = all_months[-1]
    window = all_months[-SHIFT_WINDOW:]
    for level in ("district", "state"):
        wide, parents = _pooled_series(conn, level, window)
        found.append(level_shifts_wide(wide, parents, last, settings))
    found = [f for f in found if not f.empty]
    if not found:
        return pd.DataFrame(columns=list(FLAG_COLUMNS))
    return pd.concat(found, ignore_index=True)


def refresh_flags(conn: Connection, months: Sequence[str], all_months: Sequence[str],
                  settings: FlagSettings = DEFAULT_FLAGS) -> int:
    """Rewrite the flags the changed `months` can alter: the month-on-month rules of each month and the one
    after it, too perfect from the earliest month on (a streak runs forward), and every level shift; reviews
    are kept (they hold by evidence key)."""
    if not months:
        return 0
    start = min(months)
    pair_months = _pair_months(months, all_months)
    perfect_months = [m for m in all_months if m >= start]
    conn.execute(delete(DataFlag).where(
        (DataFlag.rule.in_(PAIR_RULES) & DataFlag.month.in_(pair_months or [""]))
        | ((DataFlag.rule == "too_perfect") & (DataFlag.month >= start))
        | (DataFlag.rule == "level_shift")
        | (DataFlag.month.not_in(list(all_months) or [""]))))  # a month no longer there (a revert)
    flags = compute_flags(conn, pair_months, settings, all_months=all_months, perfect_months=perfect_months)
    if flags.empty:
        return 0
    flags = flags.drop_duplicates(["month", "rule", "level", "unit_code", "parameter"]).copy()
    flags["evidence"] = [orjson.dumps(e, option=orjson.OPT_SERIALIZE_NUMPY).decode() for e in flags["evidence"]]
    flags["district_code"] = flags["district_code"].astype(object).where(flags["district_code"].notna(), None)
    cols = list(FLAG_COLUMNS)
    insert_frame(conn, DataFlag.__tablename__, flags, cols)
    return len(flags)


def refresh_foresight(conn: Connection, months: Sequence[str]) -> dict[str, int]:
    """Called by every import and revert after the recomputation, in the same transaction: the projections
    of every stored scheme and the flags, from the earliest month changed onwards."""
    months = sorted(set(months))
    if not months:
        return {}
    refresh_station_fullness(conn, months)  # the stations' fullness of the months changed, for too_perfect
    all_months = result_months(conn, None)  # every scheme's (index seeks: not every result row)
    counts = {f"projections_{s}": refresh_projections(conn, s, since=months[0]) for s in stored_schemes(conn)}
    counts["flags"] = refresh_flags(conn, months, all_months)
    return counts
