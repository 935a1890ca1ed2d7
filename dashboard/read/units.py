"""Districts and police stations: tables, headlines, trends, movers, search.

The readers that feed one page callback only (a district's or a station's headline, tables and values) are
not cached here: each callback's whole answer is (`dashboard.web.response_cache`), and writing their
intermediate results to the shared cache made a cold click slower (issue 15)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, case, func, or_, select

from dashboard.display import parameter_text
from dashboard.read.cache import cached
from dashboard.read.common import (
    _UNIT_COLS,
    FIR_PARAMETER,
    _active_in,
    _add_display,
    _df,
    _station_master,
    _unit_row,
    _window,
    _with_parameter_names,
    methodology,
    unit_info,
    version_for,
)
from dashboard.read.station_values import decode as decode_station_values
from dashboard.read.station_values import decode_counts as decode_station_counts
from dashboard.scope import Scope
from dashboard.store import (
    District,
    PoliceStation,
    ResultLagging,
    ResultParam,
    ResultStationCounts,
    ResultUnit,
    State,
    StationRow,
)
from metrics.analysis import (
    peer_group,
)
from metrics.methodology import (
    DEFAULT_SCHEME,
    Version,
    days_in_month,
)
from metrics.scoring import station_parameter_values, station_values_from_counts


@cached
def districts_table(engine: Engine, month: str, state_code: str, scope: Scope, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    scope.require(scope.can_see_state_detail(state_code), f"districts of {state_code}")
    stmt = (
        select(*_UNIT_COLS, District.name)
        .join(District, District.code == ResultUnit.unit_code)
        .where(ResultUnit.scheme == scheme, ResultUnit.month == month, ResultUnit.level == "district", ResultUnit.state_code == state_code)
    )
    df = _add_display(_df(engine, stmt))
    lag = _df(engine, select(ResultLagging.district_code, func.count().label("lagging_stations"))
              .where(ResultLagging.scheme == scheme, ResultLagging.month == month, ResultLagging.state_code == state_code)
              .group_by(ResultLagging.district_code))
    df = df.merge(lag.rename(columns={"district_code": "unit_code"}), on="unit_code", how="left")
    df["lagging_stations"] = df["lagging_stations"].fillna(0).astype(int)
    return df.sort_values(["rank_in_state", "name"], na_position="last").reset_index(drop=True)


@cached
def score_trend(engine: Engine, level: str, unit_code: str, last_month: str, n_months: int = 24, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    window = _window(last_month, n_months)
    stmt = select(ResultUnit.month, ResultUnit.score, ResultUnit.score_centi, ResultUnit.version_id,
                  ResultUnit.rank_national, ResultUnit.rank_category, ResultUnit.rank_in_state,
                  ResultUnit.rank_in_district, ResultUnit.reported).where(
        ResultUnit.level == level, ResultUnit.unit_code == unit_code, ResultUnit.scheme == scheme, ResultUnit.month.in_(window)
    ).order_by(ResultUnit.month)
    return _add_display(_df(engine, stmt))


@cached
def unit_params(engine: Engine, month: str, level: str, unit_code: str, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    df = _df(engine, select(ResultParam).where(
        ResultParam.scheme == scheme, ResultParam.month == month, ResultParam.level == level, ResultParam.unit_code == unit_code))
    return _with_parameter_names(engine, month, df, scheme=scheme)


def stations_table(engine: Engine, month: str, district_code: str, scope: Scope, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    info = unit_info(engine, "district", district_code)
    if info is None:
        return pd.DataFrame()
    scope.require(scope.can_see_district(info["state_code"], district_code), f"stations of {district_code}")
    # one query: the results, the name, the FIR volume (the FIR parameter's denominator as reported) and
    # the marks at stake of lagging stations
    stmt = (
        select(*_UNIT_COLS, PoliceStation.name, StationRow.denominator.label("fir_volume"),
               ResultLagging.at_stake_state, ResultLagging.at_stake_district)
        .join(PoliceStation, PoliceStation.code == ResultUnit.unit_code)
        .outerjoin(StationRow, and_(StationRow.month == ResultUnit.month, StationRow.station_code == ResultUnit.unit_code,
                                    StationRow.parameter == FIR_PARAMETER))
        .outerjoin(ResultLagging, and_(ResultLagging.scheme == ResultUnit.scheme, ResultLagging.month == ResultUnit.month,
                                       ResultLagging.station_code == ResultUnit.unit_code))
        # the district's State too: (scheme, month, level, state_code, district_code) is the index, and
        # without the State the district's rows were found by reading every station row of the month
        .where(ResultUnit.scheme == scheme, ResultUnit.month == month, ResultUnit.level == "station",
               ResultUnit.state_code == info["state_code"], ResultUnit.district_code == district_code)
    )
    raw = _df(engine, stmt)
    extra = raw[["fir_volume", "at_stake_state", "at_stake_district"]]
    df = _add_display(raw.drop(columns=list(extra.columns)))
    df["fir_volume"] = extra["fir_volume"].astype("Int64")
    df["peer_group"] = [peer_group(v) for v in df["fir_volume"]]
    df["at_stake_state"] = extra["at_stake_state"].astype(float)
    df["at_stake_district"] = extra["at_stake_district"].astype(float)
    return df.sort_values(["rank_in_district", "name"], na_position="last").reset_index(drop=True)


def station_params(engine: Engine, month: str, station_code: str, scope: Scope, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """The month's parameter table of one station (value, numerator/denominator, target, marks, lost)."""
    info = unit_info(engine, "station", station_code)
    if info is None:
        return pd.DataFrame()
    scope.require(scope.can_see_district(info["state_code"], info["district_code"]), f"station {station_code}")
    return _station_values(engine, month, PoliceStation.code == station_code,
                           StationRow.station_code == station_code, info["district_code"], [station_code],
                           scheme=scheme)


def _station_values(engine: Engine, month: str, station_where, row_where, kept_district: str | None,
                    only: list[str] | None = None, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """Station-level values of the stations `station_where` selects (rows: `row_where`): from the counts
    the recomputation kept for `kept_district` (the stations `only` of it, or all), else scored from the
    rows (a month recomputed before those counts were kept)."""
    version = version_for(engine, month, scheme=scheme)
    if version is None:
        return pd.DataFrame()
    kept = _kept_station_values(engine, month, version, kept_district, only, scheme=scheme) if kept_district else None
    if kept is not None:
        values, names = kept
    else:
        stations = _station_master(engine, station_where)
        rows = _df(engine, select(StationRow.station_code, StationRow.parameter, StationRow.numerator,
                                  StationRow.denominator).where(StationRow.month == month, row_where))
        values = station_parameter_values(month, version, stations, rows)
        names = stations.set_index("station_code")["name"]
    values = _with_parameter_names(engine, month, values, scheme=scheme)
    targets = {p.id: float(p.target) for p in version.parameters}
    critical = {p.id: p.critical for p in version.parameters}
    values["target"] = values["parameter"].map(targets)
    values["critical"] = values["parameter"].map(critical)
    values["name"] = values["unit_code"].map(names) if "unit_code" in values else None
    return values


def _kept_station_values(engine: Engine, month: str, version: Version, district_code: str,
                         only: list[str] | None, *, scheme: str = DEFAULT_SCHEME) -> tuple[pd.DataFrame, pd.Series] | None:
    """The values of a district's stations (or those `only`) from the counts the recomputation kept
    (`dashboard.read.station_values`), with their names; None when none are kept for this version (the
    caller scores the rows, as before)."""
    t = ResultStationCounts
    with engine.connect() as conn:
        row = conn.execute(select(t.version_id, t.station_codes, t.payload).where(
            t.scheme == scheme, t.month == month, t.district_code == district_code)).first()
        if row is None or row.version_id != version.id:
            return None
        values = decode_station_values(district_code, row.station_codes, row.payload, version, only)
        if values.empty:
            return None
        codes = list(pd.unique(values["unit_code"]))
        names = dict(conn.execute(select(PoliceStation.code, PoliceStation.name).where(PoliceStation.code.in_(codes))).all())
    return values, pd.Series([names.get(c) for c in codes], index=codes, dtype=object)


def district_station_matrix(engine: Engine, month: str, district_code: str, scope: Scope, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    info = unit_info(engine, "district", district_code)
    if info is None:
        return pd.DataFrame()
    scope.require(scope.can_see_district(info["state_code"], district_code), f"stations of {district_code}")
    codes = select(PoliceStation.code).where(PoliceStation.district_code == district_code)
    return _station_values(engine, month, PoliceStation.district_code == district_code,
                           StationRow.station_code.in_(codes), district_code, scheme=scheme)


def station_months_not_reported(engine: Engine, station_code: str, last_month: str, n_months: int = 24, *, scheme: str = DEFAULT_SCHEME) -> list[str]:
    window = _window(last_month, n_months)
    with engine.connect() as conn:
        rows = conn.execute(select(ResultUnit.month).where(
            ResultUnit.level == "station", ResultUnit.unit_code == station_code, ResultUnit.scheme == scheme, ResultUnit.month.in_(window),
            ResultUnit.reported.is_(False)).order_by(ResultUnit.month))
        return [m for (m,) in rows]


def months_not_reported_of(trend: pd.DataFrame) -> list[str]:
    """`station_months_not_reported` from the station's `score_trend` over the same window (no query)."""
    if trend.empty:
        return []
    return [m for m, reported in zip(trend["month"], trend["reported"], strict=True) if reported is not None
            and not pd.isna(reported) and not bool(reported)]


def movers(engine: Engine, month: str, level: str, parent_code: str, scope: Scope, n: int = 5, *, scheme: str = DEFAULT_SCHEME) -> dict:
    """Most improved and most declined units (by score change) among a State's districts or a district's
    stations."""
    if level == "district":
        scope.require(scope.can_see_state_detail(parent_code), f"districts of {parent_code}")
        table = districts_table(engine, month, parent_code, scope, scheme=scheme)
    else:
        table = stations_table(engine, month, parent_code, scope, scheme=scheme)
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


@cached
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


def district_headline(engine: Engine, month: str, district_code: str, scope: Scope, *, scheme: str = DEFAULT_SCHEME) -> dict | None:
    """A district's score, rank among the State's districts and its change, streaks, stations reported and
    lagging; None when the district has no result this month."""
    info = unit_info(engine, "district", district_code)
    if info is None:
        return None
    scope.require(scope.can_see_state_detail(info["state_code"]), f"district {district_code}")
    row = _unit_row(engine, month, "district", district_code, scheme=scheme)
    if row is None:
        return None
    row.update(name=info["name"], state_name=info["state_name"])
    with engine.connect() as conn:
        row["districts_ranked"] = int(conn.execute(select(func.count()).select_from(ResultUnit).where(
            ResultUnit.scheme == scheme, ResultUnit.month == month, ResultUnit.level == "district", ResultUnit.state_code == info["state_code"],
            ResultUnit.rank_in_state.is_not(None))).scalar() or 0)
        lag = conn.execute(select(func.count(), func.sum(ResultLagging.at_stake_district),
                                  func.sum(ResultLagging.at_stake_state)).where(
            ResultLagging.scheme == scheme, ResultLagging.month == month, ResultLagging.state_code == info["state_code"],
            ResultLagging.district_code == district_code)).first()
    row["lagging_stations"] = int(lag[0] or 0) if lag else 0
    return row


def station_headline(engine: Engine, month: str, station_code: str, scope: Scope, *, scheme: str = DEFAULT_SCHEME) -> dict | None:
    """A station's score, ranks in district and State with their changes, streaks, reported and lagging
    flags, and its marks at stake; None when the station has no result this month (not active)."""
    info = unit_info(engine, "station", station_code)
    if info is None:
        return None
    scope.require(scope.can_see_district(info["state_code"], info["district_code"]), f"station {station_code}")
    row = _unit_row(engine, month, "station", station_code, scheme=scheme)
    if row is None:
        return None
    row.update(name=info["name"], district_name=info["district_name"], state_name=info["state_name"])
    with engine.connect() as conn:
        in_state, in_district = conn.execute(select(
            func.count(), func.sum(case((ResultUnit.district_code == info["district_code"], 1), else_=0))).where(
            ResultUnit.scheme == scheme, ResultUnit.month == month, ResultUnit.level == "station",
            ResultUnit.state_code == info["state_code"])).one()
        lag = conn.execute(select(ResultLagging.at_stake_state, ResultLagging.at_stake_district).where(
            ResultLagging.scheme == scheme, ResultLagging.month == month, ResultLagging.station_code == station_code)).first()
    row["stations_in_district"] = int(in_district or 0)
    row["stations_in_state"] = int(in_state or 0)
    row["at_stake_state"] = float(lag.at_stake_state) if lag else None
    row["at_stake_district"] = float(lag.at_stake_district) if lag else None
    return row


def station_param_trend(engine: Engine, station_code: str, last_month: str, scope: Scope,
                        n_months: int = 12, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """One station's parameter values month by month (long form, as station_params per month): month,
    parameter, parameter_name, head, numerator, denominator, imputed, applicable, value, marks, weight,
    marks_lost, target, version_id. Months without a methodology version, or when the station was not
    active, are left out."""
    info = unit_info(engine, "station", station_code)
    if info is None:
        return pd.DataFrame()
    scope.require(scope.can_see_district(info["state_code"], info["district_code"]), f"station {station_code}")
    window = _window(last_month, n_months)
    meth = methodology(engine, scheme=scheme)
    opened, closed = info.get("opened"), info.get("closed")
    # Months whose counts the recomputation kept (`dashboard.read.station_values`) are scored from them.
    # The others (months without results: the station's figures imputed under rule 3) are scored from the
    # rows; scoring one station-month costs the same fixed overhead as scoring many, so months with the
    # same methodology version and the same number of days (all the scoring needs of the month once the
    # station is known to be active) are scored in one call, the station standing in once per month under
    # a code of its own.
    # The kept months of one version are scored in one call too (rules 4-6 score each station-month on
    # its own), the station standing in once per month as below: one frame per version, not per month.
    kept = _kept_months(engine, info["district_code"], window, scheme=scheme)
    groups: dict[tuple[str, int], list[str]] = {}
    versions: dict[str, Version] = {}
    counted: dict[str, list[tuple[str, tuple[np.ndarray, ...]]]] = {}
    frames = []
    for m in window:
        version = meth.version_for(m)
        if version is None or not _active_in(opened, closed, m):
            continue
        versions[version.id] = version
        counts = (decode_station_counts(kept[m][1], kept[m][2], version, [station_code])
                  if m in kept and kept[m][0] == version.id else None)
        if counts is None or len(counts[0]) == 0 or len(version.station_parameters) == 0:
            groups.setdefault((version.id, days_in_month(m)), []).append(m)
            continue
        counted.setdefault(version.id, []).append((m, counts))
    for vid, items in counted.items():
        version = versions[vid]
        values = station_values_from_counts(
            version, np.array([f"{station_code}|{m}" for m, _c in items], dtype=object),
            np.full(len(items), info["district_code"], dtype=object),
            np.vstack([c[1] for _m, c in items]), np.vstack([c[2] for _m, c in items]),
            np.vstack([c[3] for _m, c in items]))
        values["month"] = [c.rsplit("|", 1)[1] for c in values["unit_code"]]
        frames.append(_trend_columns(values, station_code, version))
    if groups:
        stations = _station_master(engine, PoliceStation.code == station_code)
        rows = _df(engine, select(StationRow.month, StationRow.station_code, StationRow.parameter,
                                  StationRow.numerator, StationRow.denominator).where(
            StationRow.station_code == station_code, StationRow.month.in_([m for g in groups.values() for m in g])))
    for (vid, _days), group in groups.items():
        version = versions[vid]
        stand_ins = pd.DataFrame({"station_code": [f"{station_code}|{m}" for m in group],
                                  "district_code": [stations["district_code"].iloc[0]] * len(group),
                                  "opened": [None] * len(group), "closed": [None] * len(group)})
        sub = rows[rows["month"].isin(group)]
        sub = sub.assign(station_code=sub["station_code"] + "|" + sub["month"]).drop(columns="month")
        values = station_parameter_values(group[0], version, stand_ins, sub)
        values["month"] = [c.rsplit("|", 1)[1] for c in values["unit_code"]]
        frames.append(_trend_columns(values, station_code, version))
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    position = {m: i for i, m in enumerate(window)}
    months_col = out["month"].tolist()
    order = sorted(range(len(out)), key=lambda i: position[months_col[i]])  # stable: months in order
    return out.take(order).reset_index(drop=True)


def _trend_columns(values: pd.DataFrame, station_code: str, version: Version) -> pd.DataFrame:
    values["unit_code"] = station_code
    values["version_id"] = version.id
    values["parameter_name"] = values["parameter"].map({p.id: parameter_text(p) for p in version.parameters})
    values["head"] = values["parameter"].map({p.id: parameter_text(p, "head") for p in version.parameters})
    values["target"] = values["parameter"].map({p.id: float(p.target) for p in version.parameters})
    return values


def _kept_months(engine: Engine, district_code: str, window: list[str], *,
                 scheme: str = DEFAULT_SCHEME) -> dict[str, tuple[str, str, bytes]]:
    """month -> (version id, station codes, payload) of the counts kept for a district in `window`."""
    t = ResultStationCounts
    with engine.connect() as conn:
        rows = conn.execute(select(t.month, t.version_id, t.station_codes, t.payload).where(
            t.scheme == scheme, t.district_code == district_code, t.month.in_(window))).all()
    return {r.month: (r.version_id, r.station_codes, r.payload) for r in rows}
