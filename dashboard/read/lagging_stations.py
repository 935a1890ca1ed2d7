"""Lagging police stations: stored rows, marks at stake, the worded list the page, download and packs share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, and_, func, select, true

from dashboard.display import (
    LAGGING_COLUMNS,
    PEERS,
    REASONS,
    as_int,
    lagging_actions,
    lagging_reasons,
    parameter_text,
    score_display,
)
from dashboard.read.cache import cached
from dashboard.read.common import _df, _fir_volume, _with_parameter_names, unit_info, version_for
from dashboard.scope import Scope
from dashboard.store import (
    District,
    PoliceStation,
    ResultLagging,
    ResultStake,
    ResultUnit,
    State,
)
from metrics.analysis import (
    peer_group,
)
from metrics.methodology import (
    DEFAULT_SCHEME,
    Version,
)


@cached
def lagging(engine: Engine, month: str, scope: Scope, state_code: str, district_code: str | None = None,
            worded: bool = True, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """Lagging stations of a State or a district, ordered by marks at stake (State), with reasons and
    actions in words (`worded=False`: the stored rows only, for callers that word them their own way)."""
    if district_code is None:
        scope.require(scope.can_see_state_stations(state_code), f"lagging stations of {state_code}")
    else:
        scope.require(scope.can_see_district(state_code, district_code), f"lagging stations of {district_code}")
    return _lagging_rows(engine, month, state_code, district_code, worded=worded, scheme=scheme)


@cached
def lagging_head(engine: Engine, month: str, scope: Scope, state_code: str, district_code: str | None = None,
                 n: int = 10, *, scheme: str = DEFAULT_SCHEME) -> tuple[pd.DataFrame, int]:
    """(the first `n` rows of `lagging(...)`, the number of lagging stations): reasons are worded for the
    rows shown only."""
    if district_code is None:
        scope.require(scope.can_see_state_stations(state_code), f"lagging stations of {state_code}")
    else:
        scope.require(scope.can_see_district(state_code, district_code), f"lagging stations of {district_code}")
    conds = [ResultLagging.scheme == scheme, ResultLagging.month == month, ResultLagging.state_code == state_code]
    if district_code is not None:
        conds.append(ResultLagging.district_code == district_code)
    with engine.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(ResultLagging).where(*conds)).scalar() or 0)
    return _lagging_rows(engine, month, state_code, district_code, limit=n, scheme=scheme), total


def _lagging_rows(engine: Engine, month: str, state_code: str, district_code: str | None = None,
                  limit: int | None = None, worded: bool = True, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """`lagging` without the scope check; `limit`: only the first rows in its order (marks at stake for
    the State, then station code)."""
    stmt = (
        select(ResultLagging, PoliceStation.name.label("station_name"), District.name.label("district_name"),
               ResultUnit.score_centi)
        .join(PoliceStation, PoliceStation.code == ResultLagging.station_code)
        .join(District, District.code == ResultLagging.district_code)
        .join(ResultUnit, and_(ResultUnit.scheme == scheme, ResultUnit.month == ResultLagging.month, ResultUnit.level == "station",
                               ResultUnit.unit_code == ResultLagging.station_code))
        .where(ResultLagging.scheme == scheme, ResultLagging.month == month, ResultLagging.state_code == state_code)
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
        ResultStake.scheme == scheme, ResultStake.month == month, ResultStake.state_code == state_code,
        ResultStake.station_code.in_(df["station_code"].tolist()) if len(df) < 900 else true()))
    stakes = _with_parameter_names(engine, month, stakes, scheme=scheme)
    version = version_for(engine, month, scheme=scheme)
    threshold = float(version.lagging_score_below) if version else 90.0
    crit_threshold = float(version.critical_achievement_below) if version else 0.8
    by_station = stakes_by_station(stakes)
    params = {p.id: p for p in version.parameters} if version else {}
    lag_line, crit_line = f"{threshold:g}", f"{crit_threshold:.0%}"
    reasons, actions, codes = [], [], []
    for r in df.itertuples():
        g = by_station.get(r.station_code)
        crit = [c for c in (r.critical_parameters or "").split(",") if c]
        # the published score (rounded half up from the exact one), never a float re-rounded
        reasons.append("; ".join(lagging_reasons(bool(r.not_reported), bool(r.low_score),
                                                 score_display(r.score_centi), lag_line,
                                                 _critical_counts(crit, params, g), crit_line)))
        actions.append(" · ".join(lagging_actions(bool(r.not_reported), _stake_terms(g, params, MAX_ACTIONS),
                                                  MAX_ACTIONS, len(g or ()))))
        codes.append(",".join(sorted(set(crit) | ({s["parameter"] for s in g} if g is not None else set()))))
    params_col = codes
    df["reasons"] = reasons
    df["actions"] = actions
    df["parameters"] = params_col
    df = df.sort_values(["at_stake_state", "station_code"], ascending=[False, True]).reset_index(drop=True)
    return df


def stakes_by_station(stakes: pd.DataFrame) -> dict[str, list[dict]]:
    """Stake rows per station in the one order every list uses: largest marks at stake for the State
    first, then parameter id (ties are common: flags of equal weight), so the page, its download, the
    deck, the packs and the district panel name the same first action."""
    if stakes.empty:
        return {}
    out: dict[str, list[dict]] = {}
    for row in stakes.to_dict("records"):
        out.setdefault(row["station_code"], []).append(row)
    for rows in out.values():
        rows.sort(key=lambda r: (-float(r["at_stake_state"]), r["parameter"]))
    return out


def lagging_stakes(engine: Engine, month: str, station_code: str, scope: Scope, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    info = unit_info(engine, "station", station_code)
    if info is None:
        return pd.DataFrame()
    scope.require(scope.can_see_district(info["state_code"], info["district_code"]), f"station {station_code}")
    df = _df(engine, select(ResultStake).where(ResultStake.scheme == scheme, ResultStake.month == month, ResultStake.station_code == station_code))
    return _with_parameter_names(engine, month, df, scheme=scheme).sort_values("at_stake_state", ascending=False)


def unit_stakes(engine: Engine, month: str, scope: Scope, state_code: str,
                district_code: str | None = None, *, scheme: str = DEFAULT_SCHEME,
                station_codes: list[str] | None = None) -> pd.DataFrame:
    """Marks at stake per lagging station x parameter (rule 11) in a State or a district, with names:
    station_code, station_name, district_code, parameter, parameter_name, numerator, denominator,
    numerator_needed, at_stake_state, at_stake_district; ordered by at_stake_state descending.
    `station_codes`: only those stations' rows (a panel showing the first lagging stations)."""
    if district_code is None:
        scope.require(scope.can_see_state_stations(state_code), f"stations of {state_code}")
    else:
        scope.require(scope.can_see_district(state_code, district_code), f"stations of {district_code}")
    stmt = (
        select(ResultStake.station_code, PoliceStation.name.label("station_name"), PoliceStation.district_code,
               ResultStake.parameter, ResultStake.numerator, ResultStake.denominator, ResultStake.numerator_needed,
               ResultStake.at_stake_state, ResultStake.at_stake_district)
        .join(PoliceStation, PoliceStation.code == ResultStake.station_code)
        .where(ResultStake.scheme == scheme, ResultStake.month == month, ResultStake.state_code == state_code)
    )
    if district_code is not None:
        stmt = stmt.where(PoliceStation.district_code == district_code)
    if station_codes is not None:
        stmt = stmt.where(ResultStake.station_code.in_(station_codes))
    df = _with_parameter_names(engine, month, _df(engine, stmt), scheme=scheme)
    if df.empty:
        return df
    return df.sort_values(["at_stake_state", "station_code", "position"],
                          ascending=[False, True, True]).reset_index(drop=True)


MAX_ACTIONS = 3  # actions listed per station in the table; the station panel lists every one


@dataclass(frozen=True)
class LaggingFilters:
    """Validated filters of the lagging list (None = all)."""

    district: str | None = None
    parameter: str | None = None
    reason: str | None = None
    peer: str | None = None

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in (("district", self.district), ("parameter", self.parameter),
                                  ("reason", self.reason), ("peer", self.peer)) if v}


def clean_filters(query: Mapping[str, object], version: Version | None) -> LaggingFilters:
    """Keep only well-formed filter values (district codes are checked against the State by the caller)."""
    def text(key: str, limit: int = 40) -> str | None:
        v = query.get(key)
        return v.strip() if isinstance(v, str) and v.strip() and len(v) <= limit else None

    district = text("district", 16)
    if district is not None and not all(c.isalnum() or c in "-_" for c in district):
        district = None
    parameter = text("parameter", 60)
    station_ids = {p.id for p in version.station_parameters} if version else set()
    if parameter not in station_ids:
        parameter = None
    reason = text("reason")
    peer = text("peer")
    return LaggingFilters(
        district=district,
        parameter=parameter,
        reason=reason if reason in REASONS else None,
        peer=peer if peer in PEERS else None,
    )


def lagging_list(engine: Engine, month: str, scope: Scope, state_code: str, district_code: str | None = None,
                 filters: LaggingFilters | None = None, *, scheme: str = DEFAULT_SCHEME, worded: bool = True) -> pd.DataFrame:
    """Lagging stations of a State (or one district) with peer group, published score, reasons in words
    and counts, and the action list; filtered; ordered by marks at stake for the State (largest first),
    then station code. Raises OutOfScope outside the scope. `worded=False`: `reasons` and `actions` left
    empty, for a page that words only the rows it shows (`word_lagging`)."""
    filters = filters or LaggingFilters()
    if filters.district and district_code is None:
        district_code = filters.district
    _require_lagging_scope(scope, state_code, district_code)
    df = _lagging_rows(engine, month, state_code, district_code, worded=False, scheme=scheme)
    if df.empty:
        return empty_lagging()
    version = version_for(engine, month, scheme=scheme)
    codes = df["station_code"].tolist()
    fir_volume = _fir_volume(engine, month, codes)
    fir = dict(zip(fir_volume.index.tolist(), fir_volume.tolist(), strict=True))  # Series.get per row cost more
    where = (ResultStake.scheme == scheme, ResultStake.month == month, ResultStake.state_code == state_code,
             ResultStake.station_code.in_(codes))
    if worded:
        by_station = stakes_by_station(_df(engine, select(ResultStake).where(*where)))
        params_at_stake = {code: {st["parameter"] for st in g} for code, g in by_station.items()}
    else:  # the parameters at stake only (the filter by parameter), without reading every stake row into pandas
        by_station = {}
        params_at_stake = {}
        # A whole State's list: its stake rows by the State alone, kept for the listed stations here (a
        # statement naming 1,000 stations cost more to bind than the rows to read)
        listed = set(codes) if district_code is None else None
        stmt = select(ResultStake.station_code, ResultStake.parameter).where(*(where[:3] if listed else where))
        with engine.connect() as conn:
            for code, parameter in conn.execute(stmt):
                if listed is None or code in listed:
                    params_at_stake.setdefault(code, set()).add(parameter)
    words = _Words(version)

    rows = []
    # published scores (x100, rounded half up from the exact score) from the results, joined by _lagging_rows
    for r in df.itertuples():
        code = r.station_code
        g = by_station.get(code)
        crit = [c for c in (r.critical_parameters or "").split(",") if c]
        stake_params = params_at_stake.get(code, set())
        c = None if pd.isna(r.score_centi) else r.score_centi
        score_text = score_display(c)
        reasons, actions = words.of(bool(r.not_reported), bool(r.low_score), score_text, crit, g) if worded else (None, None)
        vol = fir.get(code)
        rows.append({
            "station_code": code,
            "station_name": r.station_name,
            "district_code": r.district_code,
            "district_name": r.district_name,
            "fir_volume": None if vol is None or pd.isna(vol) else int(vol),
            "peer_group": peer_group(vol),
            "score_centi": None if c is None else int(c),
            "score": score_text,
            "not_reported": bool(r.not_reported),
            "low_score": bool(r.low_score),
            "critical": bool(crit),
            "critical_parameters": ",".join(crit),
            "parameters": ",".join(sorted(set(crit) | stake_params)),
            "reasons": reasons,
            "at_stake_state": round(float(r.at_stake_state), 3),
            "at_stake_district": round(float(r.at_stake_district), 3),
            "at_stake_state_exact": float(r.at_stake_state),
            "actions": actions,
        })
    out = pd.DataFrame(rows)
    out = out.sort_values(["at_stake_state_exact", "station_code"], ascending=[False, True]).reset_index(drop=True)
    out.insert(0, "position", range(1, len(out) + 1))
    return filter_lagging(out, filters)


def word_lagging(engine: Engine, month: str, state_code: str, rows: pd.DataFrame, *,
                 scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """Rows of a `lagging_list(..., worded=False)` (a page of it) with their `reasons` and `actions` in
    words, as `lagging_list` words them."""
    if rows.empty:
        return rows
    version = version_for(engine, month, scheme=scheme)
    stakes = _df(engine, select(ResultStake).where(
        ResultStake.scheme == scheme, ResultStake.month == month, ResultStake.state_code == state_code,
        ResultStake.station_code.in_(rows["station_code"].tolist())))
    by_station = stakes_by_station(stakes)
    words = _Words(version)
    pairs = [words.of(bool(r.not_reported), bool(r.low_score), r.score,
                      [c for c in (r.critical_parameters or "").split(",") if c], by_station.get(r.station_code))
             for r in rows.itertuples()]
    return rows.assign(reasons=[p[0] for p in pairs], actions=[p[1] for p in pairs])


class _Words:
    """The reasons and actions of a lagging station in words (the version's lines and parameters)."""

    def __init__(self, version: Version | None):
        self.params = {p.id: p for p in version.parameters} if version else {}
        self.crit_line = f"{float(version.critical_achievement_below):.0%}" if version else "80%"
        self.lag_line = f"{float(version.lagging_score_below):g}" if version else "90"

    def of(self, not_reported: bool, low_score: bool, score_text: str, crit: list[str],
           stakes: list[dict] | None) -> tuple[str, str]:
        reasons = lagging_reasons(not_reported, low_score, score_text, self.lag_line,
                                  _critical_counts(crit, self.params, stakes), self.crit_line)
        actions = lagging_actions(not_reported, _stake_terms(stakes, self.params, MAX_ACTIONS), MAX_ACTIONS,
                                  len(stakes or ()))
        return "; ".join(reasons), " · ".join(actions)


def _require_lagging_scope(scope: Scope, state_code: str, district_code: str | None) -> None:
    if district_code is None:
        scope.require(scope.can_see_state_stations(state_code), f"lagging stations of {state_code}")
    else:
        scope.require(scope.can_see_district(state_code, district_code), f"lagging stations of {district_code}")


def _critical_counts(critical: list[str], params: dict, stakes: list[dict] | None) -> list[tuple]:
    """(parameter, name, numerator, denominator) per critical parameter, counts from the station's stakes."""
    out = []
    for pid in critical:
        p = params.get(pid)
        row = next((st for st in stakes if st["parameter"] == pid), None) if stakes else None
        out.append((p, parameter_text(p) if p else pid, None if row is None else as_int(row["numerator"]),
                    None if row is None else as_int(row["denominator"])))
    return out


def _stake_terms(stakes: list[dict] | None, params: dict, first: int | None = None) -> list[tuple]:
    """(parameter, name, numerator, denominator, numerator needed, at stake) per parameter, in order (the
    `first` ones only: the actions word those and count the rest)."""
    out = []
    for st in (stakes or [])[:first]:
        p = params.get(st["parameter"])
        out.append((p, parameter_text(p) if p else st["parameter"], as_int(st["numerator"]), as_int(st["denominator"]),
                    as_int(st["numerator_needed"]), float(st["at_stake_state"])))
    return out


def filter_lagging(df: pd.DataFrame, f: LaggingFilters) -> pd.DataFrame:
    """Rows of a `lagging_list` that match the filters, in the same order, renumbered from 1."""
    out = _apply_filters(df, f).reset_index(drop=True)
    out["position"] = range(1, len(out) + 1)
    return out


def _apply_filters(df: pd.DataFrame, f: LaggingFilters) -> pd.DataFrame:
    if df.empty:
        return df
    keep = pd.Series(True, index=df.index)
    if f.district:
        keep &= df["district_code"] == f.district
    if f.parameter:
        keep &= df["parameters"].map(lambda s: f.parameter in s.split(","))
    if f.reason:
        keep &= df[f.reason].astype(bool)
    if f.peer:
        keep &= df["peer_group"] == PEERS[f.peer]
    return df[keep]


def empty_lagging() -> pd.DataFrame:
    cols = ["position", "station_code", "station_name", "district_code", "district_name", "fir_volume", "peer_group",
            "score_centi", "score", "not_reported", "low_score", "critical", "critical_parameters", "parameters",
            "reasons", "at_stake_state", "at_stake_district", "at_stake_state_exact", "actions"]
    return pd.DataFrame({c: [] for c in cols})


def lagging_table(lagging: pd.DataFrame) -> pd.DataFrame:
    """The shown table (and the download) from `lagging_list`: LAGGING_COLUMNS, renamed to their headers."""
    return lagging.reindex(columns=list(LAGGING_COLUMNS)).rename(columns=LAGGING_COLUMNS).reset_index(drop=True)


def lagging_by_state(engine: Engine, month: str, scope: Scope, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """Counts of lagging stations per State (national users only): state_code, name, stations_active,
    lagging, not_reported, low_score, critical, top_at_stake; most lagging first."""
    scope.require(scope.role == "national", "lagging counts of every State")
    with engine.connect() as conn:
        lag = _lagging_counts(conn, month, scheme=scheme)
        units = pd.read_sql(select(ResultUnit.unit_code.label("state_code"), State.name, ResultUnit.stations_active)
                            .join(State, State.code == ResultUnit.unit_code)
                            .where(ResultUnit.scheme == scheme, ResultUnit.month == month, ResultUnit.level == "state"), conn)
    out = units.merge(lag, on="state_code", how="left")
    for c in ("lagging", "not_reported", "low_score", "critical"):
        out[c] = out[c].fillna(0).astype(int)
    return out.sort_values(["lagging", "name"], ascending=[False, True]).reset_index(drop=True)


def _lagging_counts(conn, month: str, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    rows = pd.read_sql(select(ResultLagging.state_code, ResultLagging.not_reported, ResultLagging.low_score,
                              ResultLagging.critical_parameters, ResultLagging.at_stake_state)
                       .where(ResultLagging.scheme == scheme, ResultLagging.month == month), conn)
    if rows.empty:
        return pd.DataFrame(columns=["state_code", "lagging", "not_reported", "low_score", "critical", "top_at_stake"])
    rows["critical"] = rows["critical_parameters"].fillna("").astype(str).str.len() > 0
    g = rows.groupby("state_code")
    return pd.DataFrame({
        "lagging": g.size(),
        "not_reported": g["not_reported"].sum().astype(int),
        "low_score": g["low_score"].sum().astype(int),
        "critical": g["critical"].sum().astype(int),
        "top_at_stake": g["at_stake_state"].max(),
    }).reset_index()
