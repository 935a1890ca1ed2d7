"""Read API for pages, exports and packs. Small indexed queries over the pre-computed results.

Functions that return district or station data take a Scope and raise OutOfScope outside it, so no
caller can forget the check.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, func, or_, select, true

from dashboard.cache import memoize
from dashboard.models import (
    District,
    ImportBatch,
    Meta,
    MethodologySource,
    PoliceStation,
    ResultLagging,
    ResultParam,
    ResultStake,
    ResultUnit,
    State,
    StationRow,
)
from dashboard.scope import Scope
from metrics.analysis import marks_needed_to_overtake, peer_group, score_change_by_parameter
from metrics.methodology import Methodology, Version, days_in_month, parse_methodology, previous_month
from metrics.scoring import station_parameter_values

CATEGORIES = ("Major States", "Hilly & North-East", "UTs")
FIR_PARAMETER = "fir_in_cctns"  # its denominator (FIRs registered in all modes) sizes a station's workload


def _df(engine: Engine, stmt) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(stmt, conn)


def score_display(centi) -> str:
    if centi is None or centi is pd.NA or (isinstance(centi, float) and pd.isna(centi)):
        return "no data"
    centi = int(centi)
    return f"{centi // 100}.{centi % 100:02d}"


def _add_display(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for c in [c for c in df.columns if c.startswith("rank") or c.endswith("_centi")]:
        df[c] = df[c].astype("Int64")
    if "score_centi" in df:
        df["score_display"] = [score_display(v) for v in df["score_centi"]]
        df["gap_to_100"] = [None if pd.isna(v) else (10000 - int(v)) / 100 for v in df["score_centi"]]
    return df


# --- methodology and months ------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _parse_cached(text: str) -> Methodology:
    return parse_methodology(text, "stored methodology")


def methodology(engine: Engine) -> Methodology:
    with engine.connect() as conn:
        text = conn.execute(select(MethodologySource.toml).where(MethodologySource.id == 1)).scalar_one_or_none()
    if text is None:
        raise LookupError("no methodology stored: run `cctns init-db`")
    return _parse_cached(text)


def version_for(engine: Engine, month: str) -> Version | None:
    return methodology(engine).version_for(month)


def months(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(ResultUnit.month).where(ResultUnit.level == "state").distinct().order_by(ResultUnit.month)
        )
        return [m for (m,) in rows]


def latest_month(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(func.max(ResultUnit.month)).where(ResultUnit.level == "state")).scalar()


def data_as_of(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(Meta.value).where(Meta.key == "data_as_of")).scalar_one_or_none()


# --- names -----------------------------------------------------------------------------------------


def state_names(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(State.code, State.name)).all())


def unit_info(engine: Engine, level: str, code: str) -> dict | None:
    """Name and parents of a unit (no scores; callers check scope before showing anything more)."""
    with engine.connect() as conn:
        if level == "state":
            row = conn.execute(select(State.code, State.name, State.category).where(State.code == code)).first()
            return None if row is None else {"code": row.code, "name": row.name, "category": row.category,
                                             "state_code": row.code, "state_name": row.name}
        if level == "district":
            row = conn.execute(
                select(District.code, District.name, District.state_code, State.name.label("state_name"))
                .join(State, State.code == District.state_code)
                .where(District.code == code)
            ).first()
            return None if row is None else dict(row._mapping)
        row = conn.execute(
            select(
                PoliceStation.code, PoliceStation.name, PoliceStation.opened, PoliceStation.closed,
                PoliceStation.district_code, District.name.label("district_name"), District.state_code,
                State.name.label("state_name"),
            )
            .join(District, District.code == PoliceStation.district_code)
            .join(State, State.code == District.state_code)
            .where(PoliceStation.code == code)
        ).first()
        return None if row is None else dict(row._mapping)


# --- national ----------------------------------------------------------------------------------------


_UNIT_COLS = [
    ResultUnit.unit_code, ResultUnit.state_code, ResultUnit.district_code, ResultUnit.score,
    ResultUnit.score_centi, ResultUnit.score_change_centi, ResultUnit.rank_national, ResultUnit.rank_category,
    ResultUnit.rank_in_state, ResultUnit.rank_in_district, ResultUnit.rank_change_national,
    ResultUnit.rank_change_category, ResultUnit.rank_change_in_state, ResultUnit.rank_change_in_district,
    ResultUnit.streak_at_1, ResultUnit.streak_top5, ResultUnit.stations_reported, ResultUnit.stations_active,
    ResultUnit.reported, ResultUnit.lagging, ResultUnit.version_id,
]


def states_table(engine: Engine, month: str, category: str | None = None) -> pd.DataFrame:
    """The league table of States/UTs for a month, ordered by rank (unscored last)."""
    stmt = (
        select(*_UNIT_COLS, State.name, State.category)
        .join(State, State.code == ResultUnit.unit_code)
        .where(ResultUnit.month == month, ResultUnit.level == "state")
    )
    if category:
        stmt = stmt.where(State.category == category)
    df = _add_display(_df(engine, stmt))
    rank_col = "rank_category" if category else "rank_national"
    return df.sort_values([rank_col, "name"], na_position="last").reset_index(drop=True)


def rank_history(
    engine: Engine,
    last_month: str,
    n_months: int = 12,
    level: str = "state",
    unit_codes: list[str] | None = None,
    rank_column: str = "rank_national",
    state_code: str | None = None,
) -> pd.DataFrame:
    """Long table month, unit_code, name, rank, score_centi over the n months ending at last_month."""
    window = _window(last_month, n_months)
    rank = getattr(ResultUnit, rank_column)
    name_col, join = _name_join(level)
    stmt = (
        select(ResultUnit.month, ResultUnit.unit_code, name_col.label("name"), rank.label("rank"),
               ResultUnit.score_centi)
        .join(*join)
        .where(ResultUnit.level == level, ResultUnit.month.in_(window))
    )
    if unit_codes is not None:
        stmt = stmt.where(ResultUnit.unit_code.in_(unit_codes))
    if state_code is not None:
        stmt = stmt.where(ResultUnit.state_code == state_code)
    df = _df(engine, stmt.order_by(ResultUnit.month, rank))
    df["rank"] = df["rank"].astype("Int64")
    df["score_centi"] = df["score_centi"].astype("Int64")
    return df


def _name_join(level: str):
    if level == "state":
        return State.name, (State, State.code == ResultUnit.unit_code)
    if level == "district":
        return District.name, (District, District.code == ResultUnit.unit_code)
    return PoliceStation.name, (PoliceStation, PoliceStation.code == ResultUnit.unit_code)


def _window(last_month: str, n_months: int) -> list[str]:
    out = [last_month]
    while len(out) < n_months:
        out.append(previous_month(out[-1]))
    return sorted(out)


def param_matrix(engine: Engine, month: str, level: str, state_code: str | None = None,
                 scope: Scope | None = None) -> pd.DataFrame:
    """Units x parameters (long form) with pooled values and marks lost: States or a State's districts."""
    if level == "district":
        if state_code is None:
            raise ValueError("state_code is required for districts")
        (scope or Scope.national()).require(
            (scope or Scope.national()).can_see_state_detail(state_code), f"districts of {state_code}"
        )
    name_col, join = _name_join(level)
    stmt = (
        select(ResultParam.unit_code, name_col.label("name"), ResultParam.parameter, ResultParam.numerator,
               ResultParam.denominator, ResultParam.applicable, ResultParam.value, ResultParam.achievement,
               ResultParam.marks, ResultParam.weight, ResultParam.marks_lost, ResultParam.contribution)
        .join(join[0], join[1].left == ResultParam.unit_code)
        .where(ResultParam.month == month, ResultParam.level == level)
    )
    if state_code is not None:
        stmt = stmt.where(ResultParam.state_code == state_code)
    df = _df(engine, stmt)
    return _with_parameter_names(engine, month, df)


def _with_parameter_names(engine: Engine, month: str, df: pd.DataFrame) -> pd.DataFrame:
    version = version_for(engine, month)
    if version is None or df.empty:
        df = df.copy()
        df["parameter_name"] = df.get("parameter", pd.Series(dtype=str))
        df["head"] = ""
        df["position"] = 0
        return df
    names = {p.id: p.name for p in version.parameters}
    heads = {p.id: p.head for p in version.parameters}
    order = {p.id: i for i, p in enumerate(version.parameters)}
    df = df.copy()
    df["parameter_name"] = df["parameter"].map(names)
    df["head"] = df["parameter"].map(heads)
    df["position"] = df["parameter"].map(order)
    return df


# --- State ---------------------------------------------------------------------------------------------


def _unit_row(engine: Engine, month: str, level: str, code: str) -> dict | None:
    df = _df(engine, select(*_UNIT_COLS).where(
        ResultUnit.month == month, ResultUnit.level == level, ResultUnit.unit_code == code))
    if df.empty:
        return None
    return _add_display(df).iloc[0].to_dict()


def state_headline(engine: Engine, month: str, state_code: str) -> dict | None:
    """Score, ranks and changes, streaks, and the States just above and below (all-India and category)."""
    return _state_headline(engine, month, state_code, states_table(engine, month))


@memoize  # in the shared query cache (dashboard.cache), like the read functions it combines
def state_summary(engine: Engine, month: str, state_code: str, scope: Scope, top: int = 10) -> dict | None:
    """What the State page's summary shows, reading each table once: {"headline": state_headline(...),
    "why": why_rank_moved(...), "plan": overtake_plan(...)}; None when the State has no result."""
    table = states_table(engine, month)
    headline = _state_headline(engine, month, state_code, table)
    if headline is None:
        return None
    params = unit_params(engine, month, "state", state_code)
    return {"headline": headline, "why": _why_rank_moved(engine, month, state_code, table, params),
            "plan": _overtake_plan(engine, month, state_code, scope, headline, params, top)}


def _state_headline(engine: Engine, month: str, state_code: str, table: pd.DataFrame) -> dict | None:
    hit = table.index[table["unit_code"] == state_code]
    if not len(hit):
        return None
    row = table.loc[hit[0], [c for c in table.columns if c not in ("name", "category")]].to_dict()
    info = unit_info(engine, "state", state_code) or {}
    row.update(name=info.get("name"), category=info.get("category"))
    row["states_ranked"] = int(table["rank_national"].notna().sum())
    row["neighbours"] = _neighbours(table, state_code, "rank_national")
    cat = table[table["category"] == row["category"]]
    row["category_ranked"] = int(cat["rank_category"].notna().sum())
    row["category_neighbours"] = _neighbours(cat, state_code, "rank_category")
    return row


def _neighbours(table: pd.DataFrame, code: str, rank_col: str) -> dict:
    """The States just above and below `code` in `table` (one scope), exactly as
    `metrics.analysis.neighbour_gaps` picks them (tests check both agree), for one unit without building
    the whole scope's frame: the nearest strictly better / worse published score; among units tied there,
    the nearest in exact score (then the lowest code)."""
    cols = {c: table[c].tolist() for c in ("unit_code", "name", "score", "score_centi")}
    scored = [(u, float(s), int(c), n) for u, n, s, c in zip(cols["unit_code"], cols["name"], cols["score"],
                                                             cols["score_centi"], strict=True)
              if not (c is None or c is pd.NA or (isinstance(c, float) and c != c))]
    own = next((r for r in scored if r[0] == code), None)
    if own is None:
        return {}
    levels = sorted({r[2] for r in scored})
    pos = levels.index(own[2])
    out: dict = {}
    if pos + 1 < len(levels):
        above = min((r for r in scored if r[2] == levels[pos + 1]), key=lambda r: (r[1], r[0]))
        out["above"] = {
            "code": above[0], "name": above[3], "score_display": score_display(above[2]),
            "gap": float(above[1] - own[1]), "marks_needed": float(marks_needed_to_overtake(own[1], above[1])),
        }
    if pos > 0:
        below = min((r for r in scored if r[2] == levels[pos - 1]), key=lambda r: (-r[1], r[0]))
        out["below"] = {
            "code": below[0], "name": below[3], "score_display": score_display(below[2]),
            "lead": float(own[1] - below[1]),
        }
    return out


def districts_table(engine: Engine, month: str, state_code: str, scope: Scope) -> pd.DataFrame:
    scope.require(scope.can_see_state_detail(state_code), f"districts of {state_code}")
    stmt = (
        select(*_UNIT_COLS, District.name)
        .join(District, District.code == ResultUnit.unit_code)
        .where(ResultUnit.month == month, ResultUnit.level == "district", ResultUnit.state_code == state_code)
    )
    df = _add_display(_df(engine, stmt))
    lag = _df(engine, select(ResultLagging.district_code, func.count().label("lagging_stations"))
              .where(ResultLagging.month == month, ResultLagging.state_code == state_code)
              .group_by(ResultLagging.district_code))
    df = df.merge(lag.rename(columns={"district_code": "unit_code"}), on="unit_code", how="left")
    df["lagging_stations"] = df["lagging_stations"].fillna(0).astype(int)
    return df.sort_values(["rank_in_state", "name"], na_position="last").reset_index(drop=True)


def score_trend(engine: Engine, level: str, unit_code: str, last_month: str, n_months: int = 24) -> pd.DataFrame:
    window = _window(last_month, n_months)
    stmt = select(ResultUnit.month, ResultUnit.score, ResultUnit.score_centi, ResultUnit.version_id,
                  ResultUnit.rank_national, ResultUnit.rank_category, ResultUnit.rank_in_state,
                  ResultUnit.rank_in_district, ResultUnit.reported).where(
        ResultUnit.level == level, ResultUnit.unit_code == unit_code, ResultUnit.month.in_(window)
    ).order_by(ResultUnit.month)
    return _add_display(_df(engine, stmt))


def unit_params(engine: Engine, month: str, level: str, unit_code: str) -> pd.DataFrame:
    df = _df(engine, select(ResultParam).where(
        ResultParam.month == month, ResultParam.level == level, ResultParam.unit_code == unit_code))
    return _with_parameter_names(engine, month, df)


def why_rank_moved(engine: Engine, month: str, state_code: str, neighbours: int = 2) -> dict:
    """Our score change by parameter, beside the score change of the States ranked around us."""
    table = states_table(engine, month)
    if not (table["unit_code"] == state_code).any():
        return {"own": pd.DataFrame(), "rivals": pd.DataFrame()}
    return _why_rank_moved(engine, month, state_code, table, unit_params(engine, month, "state", state_code),
                           neighbours)


def _why_rank_moved(engine: Engine, month: str, state_code: str, table: pd.DataFrame, now_p: pd.DataFrame,
                    neighbours: int = 2) -> dict:
    prev = previous_month(month)
    own = table[table["unit_code"] == state_code]
    if own.empty:
        return {"own": pd.DataFrame(), "rivals": pd.DataFrame()}
    prev_p = unit_params(engine, prev, "state", state_code)
    decomposition = score_change_by_parameter(now_p, prev_p) if not prev_p.empty else pd.DataFrame()
    if not decomposition.empty:
        names = dict(zip(now_p["parameter"], now_p["parameter_name"], strict=False))
        names.update({k: v for k, v in zip(prev_p["parameter"], prev_p["parameter_name"], strict=False)
                      if k not in names})
        decomposition["parameter_name"] = decomposition["parameter"].map(names)
    rank = own["rank_national"].iloc[0]
    rivals = table[table["rank_national"].notna()]
    if pd.notna(rank):
        pos = rivals.index[rivals["unit_code"] == state_code][0]
        lo, hi = max(0, pos - neighbours), pos + neighbours + 1
        rivals = rivals.loc[lo:hi]
    cols = ["unit_code", "name", "score_display", "score_change_centi", "rank_national", "rank_change_national"]
    return {"own": decomposition, "rivals": rivals[cols].reset_index(drop=True)}


def overtake_plan(engine: Engine, month: str, state_code: str, scope: Scope, top: int = 10) -> dict:
    """Marks needed to pass the State above, and the parameters and stations that would earn them."""
    headline = state_headline(engine, month, state_code)
    if headline is None:
        return {}
    return _overtake_plan(engine, month, state_code, scope, headline, unit_params(engine, month, "state", state_code),
                          top)


def _overtake_plan(engine: Engine, month: str, state_code: str, scope: Scope, headline: dict, params: pd.DataFrame,
                   top: int = 10) -> dict:
    params = params[params["applicable"]].sort_values("marks_lost", ascending=False)
    plan = {"above": headline["neighbours"].get("above"), "marks_lost": params}
    if scope.can_see_state_stations(state_code):
        stakes = _df(engine, select(ResultStake.parameter, func.sum(ResultStake.at_stake_state).label("at_stake"),
                                    func.count().label("stations"))
                     .where(ResultStake.month == month, ResultStake.state_code == state_code)
                     .group_by(ResultStake.parameter))
        plan["by_parameter"] = _with_parameter_names(engine, month, stakes).sort_values("at_stake", ascending=False)
        plan["stations"] = _lagging_rows(engine, month, state_code, limit=top)  # = lagging(...).head(top)
    return plan


# --- districts and stations ------------------------------------------------------------------------------


def _fir_volume(engine: Engine, month: str, station_codes: list[str]) -> pd.Series:
    if not station_codes:
        return pd.Series(dtype="Int64")
    df = _df(engine, select(StationRow.station_code, StationRow.denominator).where(
        StationRow.month == month, StationRow.parameter == FIR_PARAMETER,
        StationRow.station_code.in_(station_codes)))
    return df.set_index("station_code")["denominator"]


def stations_table(engine: Engine, month: str, district_code: str, scope: Scope) -> pd.DataFrame:
    info = unit_info(engine, "district", district_code)
    if info is None:
        return pd.DataFrame()
    scope.require(scope.can_see_district(info["state_code"], district_code), f"stations of {district_code}")
    stmt = (
        select(*_UNIT_COLS, PoliceStation.name)
        .join(PoliceStation, PoliceStation.code == ResultUnit.unit_code)
        .where(ResultUnit.month == month, ResultUnit.level == "station", ResultUnit.district_code == district_code)
    )
    df = _add_display(_df(engine, stmt))
    fir = _fir_volume(engine, month, df["unit_code"].tolist())
    df["fir_volume"] = df["unit_code"].map(fir).astype("Int64")
    df["peer_group"] = [peer_group(v) for v in df["fir_volume"]]
    stakes = _df(engine, select(ResultLagging.station_code, ResultLagging.at_stake_state,
                                ResultLagging.at_stake_district).where(
        ResultLagging.month == month, ResultLagging.district_code == district_code))
    df = df.merge(stakes.rename(columns={"station_code": "unit_code"}), on="unit_code", how="left")
    return df.sort_values(["rank_in_district", "name"], na_position="last").reset_index(drop=True)


def _station_master(engine: Engine, where) -> pd.DataFrame:
    return _df(engine, select(PoliceStation.code.label("station_code"), PoliceStation.district_code,
                              PoliceStation.name, PoliceStation.opened, PoliceStation.closed).where(where))


def station_params(engine: Engine, month: str, station_code: str, scope: Scope) -> pd.DataFrame:
    """The month's parameter table of one station (value, numerator/denominator, target, marks, lost)."""
    info = unit_info(engine, "station", station_code)
    if info is None:
        return pd.DataFrame()
    scope.require(scope.can_see_district(info["state_code"], info["district_code"]), f"station {station_code}")
    return _station_values(engine, month, PoliceStation.code == station_code,
                           StationRow.station_code == station_code)


def _station_values(engine: Engine, month: str, station_where, row_where) -> pd.DataFrame:
    version = version_for(engine, month)
    if version is None:
        return pd.DataFrame()
    stations = _station_master(engine, station_where)
    rows = _df(engine, select(StationRow.station_code, StationRow.parameter, StationRow.numerator,
                              StationRow.denominator).where(StationRow.month == month, row_where))
    values = station_parameter_values(month, version, stations, rows)
    values = _with_parameter_names(engine, month, values)
    targets = {p.id: float(p.target) for p in version.parameters}
    critical = {p.id: p.critical for p in version.parameters}
    values["target"] = values["parameter"].map(targets)
    values["critical"] = values["parameter"].map(critical)
    names = stations.set_index("station_code")["name"]
    values["name"] = values["unit_code"].map(names) if "unit_code" in values else None
    return values


def district_station_matrix(engine: Engine, month: str, district_code: str, scope: Scope) -> pd.DataFrame:
    info = unit_info(engine, "district", district_code)
    if info is None:
        return pd.DataFrame()
    scope.require(scope.can_see_district(info["state_code"], district_code), f"stations of {district_code}")
    codes = select(PoliceStation.code).where(PoliceStation.district_code == district_code)
    return _station_values(engine, month, PoliceStation.district_code == district_code,
                           StationRow.station_code.in_(codes))


def station_months_not_reported(engine: Engine, station_code: str, last_month: str, n_months: int = 24) -> list[str]:
    window = _window(last_month, n_months)
    with engine.connect() as conn:
        rows = conn.execute(select(ResultUnit.month).where(
            ResultUnit.level == "station", ResultUnit.unit_code == station_code, ResultUnit.month.in_(window),
            ResultUnit.reported.is_(False)).order_by(ResultUnit.month))
        return [m for (m,) in rows]


def _active_in(opened: object, closed: object, month: str) -> bool:
    """Active in `month`: opened <= month <= closed, a missing bound being open (as metrics.scoring)."""
    o = "" if opened is None or pd.isna(opened) else str(opened)  # type: ignore[arg-type]
    c = "" if closed is None or pd.isna(closed) else str(closed)  # type: ignore[arg-type]
    return (o or "0000-00") <= month <= (c or "9999-99")


def movers(engine: Engine, month: str, level: str, parent_code: str, scope: Scope, n: int = 5) -> dict:
    """Most improved and most declined units (by score change) among a State's districts or a district's
    stations."""
    if level == "district":
        scope.require(scope.can_see_state_detail(parent_code), f"districts of {parent_code}")
        table = districts_table(engine, month, parent_code, scope)
    else:
        table = stations_table(engine, month, parent_code, scope)
    return movers_of(table, n)


def movers_of(table: pd.DataFrame, n: int = 5) -> dict:
    """`movers` from a districts_table / stations_table already read (no query)."""
    if table.empty:
        return {"improved": table, "declined": table}
    moved = table[table["score_change_centi"].notna()].copy()
    moved["score_change"] = moved["score_change_centi"].astype(float) / 100
    improved = moved[moved["score_change"] > 0].sort_values("score_change", ascending=False).head(n)
    declined = moved[moved["score_change"] < 0].sort_values("score_change").head(n)
    return {"improved": improved, "declined": declined}


# --- lagging stations ----------------------------------------------------------------------------------


def lagging(engine: Engine, month: str, scope: Scope, state_code: str, district_code: str | None = None,
            worded: bool = True) -> pd.DataFrame:
    """Lagging stations of a State or a district, ordered by marks at stake (State), with reasons and
    actions in words (`worded=False`: the stored rows only, for callers that word them their own way)."""
    if district_code is None:
        scope.require(scope.can_see_state_stations(state_code), f"lagging stations of {state_code}")
    else:
        scope.require(scope.can_see_district(state_code, district_code), f"lagging stations of {district_code}")
    return _lagging_rows(engine, month, state_code, district_code, worded=worded)


@memoize
def lagging_head(engine: Engine, month: str, scope: Scope, state_code: str, district_code: str | None = None,
                 n: int = 10) -> tuple[pd.DataFrame, int]:
    """(the first `n` rows of `lagging(...)`, the number of lagging stations): reasons are worded for the
    rows shown only."""
    if district_code is None:
        scope.require(scope.can_see_state_stations(state_code), f"lagging stations of {state_code}")
    else:
        scope.require(scope.can_see_district(state_code, district_code), f"lagging stations of {district_code}")
    conds = [ResultLagging.month == month, ResultLagging.state_code == state_code]
    if district_code is not None:
        conds.append(ResultLagging.district_code == district_code)
    with engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(ResultLagging).where(*conds)).scalar() or 0)
    return _lagging_rows(engine, month, state_code, district_code, limit=n), total


def _lagging_rows(engine: Engine, month: str, state_code: str, district_code: str | None = None,
                  limit: int | None = None, worded: bool = True) -> pd.DataFrame:
    """`lagging` without the scope check; `limit`: only the first rows in its order (marks at stake for
    the State, then station code)."""
    stmt = (
        select(ResultLagging, PoliceStation.name.label("station_name"), District.name.label("district_name"),
               ResultUnit.score_centi)
        .join(PoliceStation, PoliceStation.code == ResultLagging.station_code)
        .join(District, District.code == ResultLagging.district_code)
        .join(ResultUnit, and_(ResultUnit.month == ResultLagging.month, ResultUnit.level == "station",
                               ResultUnit.unit_code == ResultLagging.station_code))
        .where(ResultLagging.month == month, ResultLagging.state_code == state_code)
    )
    if district_code is not None:
        stmt = stmt.where(ResultLagging.district_code == district_code)
    if limit is not None:
        stmt = stmt.order_by(ResultLagging.at_stake_state.desc(), ResultLagging.station_code).limit(limit)
    df = _df(engine, stmt)
    if df.empty:
        return df
    if not worded:
        return df.sort_values(["at_stake_state", "station_code"], ascending=[False, True]).reset_index(drop=True)
    stakes = _df(engine, select(ResultStake).where(
        ResultStake.month == month, ResultStake.state_code == state_code,
        ResultStake.station_code.in_(df["station_code"].tolist()) if len(df) < 900 else true()))
    stakes = _with_parameter_names(engine, month, stakes)
    version = version_for(engine, month)
    threshold = float(version.lagging_score_below) if version else 90.0
    crit_threshold = float(version.critical_achievement_below) if version else 0.8
    by_station = stakes_by_station(stakes)
    names = {p.id: p.name for p in version.parameters} if version else {}
    reasons, actions, params = [], [], []
    for r in df.itertuples():
        words = []
        if r.not_reported:
            words.append("Not reported this month")
        if r.low_score and r.score_centi is not None and not pd.isna(r.score_centi):
            # the published score (rounded half up from the exact one), never a float re-rounded
            words.append(f"Score {score_display(r.score_centi)} below {threshold:g}")
        crit = [c for c in (r.critical_parameters or "").split(",") if c]
        for c in crit:
            words.append(f"{names.get(c, c)} below {crit_threshold:.0%} of target")
        reasons.append("; ".join(words))
        g = by_station.get(r.station_code)
        todo = []
        if g is not None:
            for s in g[:3]:
                pending = int(s["numerator_needed"] - s["numerator"])
                todo.append(f"{s['parameter_name']}: {pending} of {s['denominator']} pending "
                            f"(+{s['at_stake_state']:.3f})")
        actions.append(" · ".join(todo))
        params.append(",".join(sorted(set(crit) | ({s["parameter"] for s in g} if g is not None else set()))))
    df["reasons"] = reasons
    df["actions"] = actions
    df["parameters"] = params
    df = df.sort_values(["at_stake_state", "station_code"], ascending=[False, True]).reset_index(drop=True)
    return df


def stakes_by_station(stakes: pd.DataFrame) -> dict[str, list[dict]]:
    """Stake rows per station, largest at stake first: the order of
    `stakes.groupby("station_code")` + `sort_values("at_stake_state", ascending=False)` (pandas' default
    sort, ties included) without a frame per station."""
    if stakes.empty:
        return {}
    records = stakes.to_dict("records")
    groups: dict[str, list[int]] = {}
    for i, code in enumerate(stakes["station_code"].tolist()):
        groups.setdefault(code, []).append(i)
    values = stakes["at_stake_state"].to_numpy(dtype=float)
    out: dict[str, list[dict]] = {}
    for code, idx in groups.items():
        v = values[idx]
        if np.isnan(v).any():  # not expected: leave it to pandas
            sub = stakes.iloc[idx].sort_values("at_stake_state", ascending=False)
            out[code] = sub.to_dict("records")
            continue
        # pandas' nargsort(ascending=False): argsort of the reversed values, reversed back
        rev = np.asarray(idx)[::-1]
        order = rev[v[::-1].argsort(kind="quicksort")][::-1]
        out[code] = [records[i] for i in order]
    return out


def lagging_stakes(engine: Engine, month: str, station_code: str, scope: Scope) -> pd.DataFrame:
    info = unit_info(engine, "station", station_code)
    if info is None:
        return pd.DataFrame()
    scope.require(scope.can_see_district(info["state_code"], info["district_code"]), f"station {station_code}")
    df = _df(engine, select(ResultStake).where(ResultStake.month == month, ResultStake.station_code == station_code))
    return _with_parameter_names(engine, month, df).sort_values("at_stake_state", ascending=False)


# --- search, data page -----------------------------------------------------------------------------------


def search_units(engine: Engine, text: str, scope: Scope, limit: int = 10) -> list[dict]:
    """States, districts and stations whose name or code contains `text`, within the user's scope."""
    text = (text or "").strip()
    if len(text) < 2:
        return []
    like = f"%{text.lower()}%"
    out: list[dict] = []
    with engine.connect() as conn:
        for code, name in conn.execute(select(State.code, State.name).where(
                or_(func.lower(State.name).like(like), func.lower(State.code) == text.lower())).limit(limit)):
            out.append({"level": "state", "code": code, "name": name, "context": "State/UT"})
        stmt = (select(District.code, District.name, District.state_code, State.name)
                .join(State, State.code == District.state_code)
                .where(or_(func.lower(District.name).like(like), func.lower(District.code) == text.lower())))
        for code, name, st, st_name in conn.execute(stmt.limit(limit * 3)):
            if scope.can_see_state_detail(st):
                out.append({"level": "district", "code": code, "name": name, "context": st_name})
        stmt = (select(PoliceStation.code, PoliceStation.name, District.code, District.name, District.state_code)
                .join(District, District.code == PoliceStation.district_code)
                .where(or_(func.lower(PoliceStation.name).like(like), func.lower(PoliceStation.code) == text.lower())))
        if scope.role == "state":
            stmt = stmt.where(District.state_code == scope.state_code)
        elif scope.role == "district":
            stmt = stmt.where(District.code == scope.district_code)
        for code, name, dcode, dname, st in conn.execute(stmt.limit(limit * 3)):
            if scope.can_see_district(st, dcode):
                out.append({"level": "station", "code": code, "name": name, "context": dname})
    lowered = text.lower()
    out.sort(key=lambda r: (not r["name"].lower().startswith(lowered), ["state", "district", "station"].index(r["level"]),
                            r["name"]))
    return out[:limit]


def reporting_status(engine: Engine, month: str, scope: Scope) -> pd.DataFrame:
    """Per State (national), per district (state/district users): stations active and reported."""
    if scope.role == "national":
        stmt = (select(ResultUnit.unit_code, State.name, ResultUnit.stations_active, ResultUnit.stations_reported)
                .join(State, State.code == ResultUnit.unit_code)
                .where(ResultUnit.month == month, ResultUnit.level == "state"))
    else:
        stmt = (select(ResultUnit.unit_code, District.name, ResultUnit.stations_active, ResultUnit.stations_reported)
                .join(District, District.code == ResultUnit.unit_code)
                .where(ResultUnit.month == month, ResultUnit.level == "district",
                       ResultUnit.state_code == scope.state_code))
        if scope.role == "district":
            stmt = stmt.where(ResultUnit.unit_code == scope.district_code)
    df = _df(engine, stmt.order_by(ResultUnit.unit_code))
    df["not_reported"] = df["stations_active"] - df["stations_reported"]
    df["reported_pct"] = (100 * df["stations_reported"] / df["stations_active"].where(df["stations_active"] > 0)).round(1)
    return df


def state_rows_present(engine: Engine, month: str) -> pd.DataFrame:
    """Which State-level parameters each State reported this month (for the data page)."""
    from dashboard.models import StateRow

    return _df(engine, select(StateRow.state_code, func.count().label("parameters"))
               .where(StateRow.month == month).group_by(StateRow.state_code))


def import_batches(engine: Engine, limit: int = 50) -> pd.DataFrame:
    return _df(engine, select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit))


def not_reported_stations(engine: Engine, month: str, scope: Scope, state_code: str,
                          district_code: str | None = None) -> pd.DataFrame:
    if district_code is None:
        scope.require(scope.can_see_state_stations(state_code), f"stations of {state_code}")
    else:
        scope.require(scope.can_see_district(state_code, district_code), f"stations of {district_code}")
    conds = [ResultUnit.month == month, ResultUnit.level == "station", ResultUnit.reported.is_(False),
             ResultUnit.state_code == state_code]
    if district_code:
        conds.append(ResultUnit.district_code == district_code)
    stmt = (select(ResultUnit.unit_code, PoliceStation.name, District.name.label("district_name"))
            .join(PoliceStation, PoliceStation.code == ResultUnit.unit_code)
            .join(District, District.code == ResultUnit.district_code)
            .where(and_(*conds)).order_by(District.name, PoliceStation.name))
    return _df(engine, stmt)


# --- State, district and station pages: headlines, stakes, parameter trends --------------------------------


def district_headline(engine: Engine, month: str, district_code: str, scope: Scope) -> dict | None:
    """A district's score, rank among the State's districts and its change, streaks, stations reported and
    lagging; None when the district has no result this month."""
    info = unit_info(engine, "district", district_code)
    if info is None:
        return None
    scope.require(scope.can_see_state_detail(info["state_code"]), f"district {district_code}")
    row = _unit_row(engine, month, "district", district_code)
    if row is None:
        return None
    row.update(name=info["name"], state_name=info["state_name"])
    with engine.connect() as conn:
        row["districts_ranked"] = int(conn.execute(select(func.count()).select_from(ResultUnit).where(
            ResultUnit.month == month, ResultUnit.level == "district", ResultUnit.state_code == info["state_code"],
            ResultUnit.rank_in_state.is_not(None))).scalar() or 0)
        lag = conn.execute(select(func.count(), func.sum(ResultLagging.at_stake_district),
                                  func.sum(ResultLagging.at_stake_state)).where(
            ResultLagging.month == month, ResultLagging.district_code == district_code)).first()
    row["lagging_stations"] = int(lag[0] or 0) if lag else 0
    return row


def station_headline(engine: Engine, month: str, station_code: str, scope: Scope) -> dict | None:
    """A station's score, ranks in district and State with their changes, streaks, reported and lagging
    flags, and its marks at stake; None when the station has no result this month (not active)."""
    info = unit_info(engine, "station", station_code)
    if info is None:
        return None
    scope.require(scope.can_see_district(info["state_code"], info["district_code"]), f"station {station_code}")
    row = _unit_row(engine, month, "station", station_code)
    if row is None:
        return None
    row.update(name=info["name"], district_name=info["district_name"], state_name=info["state_name"])
    with engine.connect() as conn:
        in_district = conn.execute(select(func.count()).select_from(ResultUnit).where(
            ResultUnit.month == month, ResultUnit.level == "station",
            ResultUnit.district_code == info["district_code"])).scalar()
        in_state = conn.execute(select(func.count()).select_from(ResultUnit).where(
            ResultUnit.month == month, ResultUnit.level == "station",
            ResultUnit.state_code == info["state_code"])).scalar()
        lag = conn.execute(select(ResultLagging.at_stake_state, ResultLagging.at_stake_district).where(
            ResultLagging.month == month, ResultLagging.station_code == station_code)).first()
    row["stations_in_district"] = int(in_district or 0)
    row["stations_in_state"] = int(in_state or 0)
    row["at_stake_state"] = float(lag.at_stake_state) if lag else None
    row["at_stake_district"] = float(lag.at_stake_district) if lag else None
    return row


def unit_stakes(engine: Engine, month: str, scope: Scope, state_code: str,
                district_code: str | None = None) -> pd.DataFrame:
    """Marks at stake per lagging station x parameter (rule 11) in a State or a district, with names:
    station_code, station_name, district_code, parameter, parameter_name, numerator, denominator,
    numerator_needed, at_stake_state, at_stake_district; ordered by at_stake_state descending."""
    if district_code is None:
        scope.require(scope.can_see_state_stations(state_code), f"stations of {state_code}")
    else:
        scope.require(scope.can_see_district(state_code, district_code), f"stations of {district_code}")
    stmt = (
        select(ResultStake.station_code, PoliceStation.name.label("station_name"), PoliceStation.district_code,
               ResultStake.parameter, ResultStake.numerator, ResultStake.denominator, ResultStake.numerator_needed,
               ResultStake.at_stake_state, ResultStake.at_stake_district)
        .join(PoliceStation, PoliceStation.code == ResultStake.station_code)
        .where(ResultStake.month == month, ResultStake.state_code == state_code)
    )
    if district_code is not None:
        stmt = stmt.where(PoliceStation.district_code == district_code)
    df = _with_parameter_names(engine, month, _df(engine, stmt))
    if df.empty:
        return df
    return df.sort_values(["at_stake_state", "station_code", "position"],
                          ascending=[False, True, True]).reset_index(drop=True)


def station_param_trend(engine: Engine, station_code: str, last_month: str, scope: Scope,
                        n_months: int = 12) -> pd.DataFrame:
    """One station's parameter values month by month (long form, as station_params per month): month,
    parameter, parameter_name, head, numerator, denominator, imputed, applicable, value, marks, weight,
    marks_lost, target, version_id. Months without a methodology version, or when the station was not
    active, are left out."""
    info = unit_info(engine, "station", station_code)
    if info is None:
        return pd.DataFrame()
    scope.require(scope.can_see_district(info["state_code"], info["district_code"]), f"station {station_code}")
    window = _window(last_month, n_months)
    meth = methodology(engine)
    stations = _station_master(engine, PoliceStation.code == station_code)
    rows = _df(engine, select(StationRow.month, StationRow.station_code, StationRow.parameter, StationRow.numerator,
                              StationRow.denominator).where(StationRow.station_code == station_code,
                                                            StationRow.month.in_(window)))
    # Scoring one station-month costs the same fixed overhead as scoring many: months with the same
    # methodology version and the same number of days (all the scoring needs of the month once the
    # station is known to be active) are scored in one call, the station standing in once per month
    # under a code of its own.
    opened, closed = (stations[c].iloc[0] if len(stations) else None for c in ("opened", "closed"))
    groups: dict[tuple[str, int], list[str]] = {}
    versions: dict[str, Version] = {}
    for m in window:
        version = meth.version_for(m)
        if version is None or not _active_in(opened, closed, m):
            continue
        versions[version.id] = version
        groups.setdefault((version.id, days_in_month(m)), []).append(m)
    frames = []
    for (vid, _days), group in groups.items():
        version = versions[vid]
        stand_ins = pd.DataFrame({"station_code": [f"{station_code}|{m}" for m in group],
                                  "district_code": [stations["district_code"].iloc[0]] * len(group),
                                  "opened": [None] * len(group), "closed": [None] * len(group)})
        sub = rows[rows["month"].isin(group)]
        sub = sub.assign(station_code=sub["station_code"] + "|" + sub["month"]).drop(columns="month")
        values = station_parameter_values(group[0], version, stand_ins, sub)
        values["month"] = [c.rsplit("|", 1)[1] for c in values["unit_code"]]
        values["unit_code"] = station_code
        values["version_id"] = version.id
        values["parameter_name"] = values["parameter"].map({p.id: p.name for p in version.parameters})
        values["head"] = values["parameter"].map({p.id: p.head for p in version.parameters})
        values["target"] = values["parameter"].map({p.id: float(p.target) for p in version.parameters})
        frames.append(values)
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    position = {m: i for i, m in enumerate(window)}
    months_col = out["month"].tolist()
    order = sorted(range(len(out)), key=lambda i: position[months_col[i]])  # stable: months in order
    return out.take(order).reset_index(drop=True)
