"""Scoped read functions behind the Lagging stations and Data pages (built on `dashboard.queries`).

`lagging_table()` is the single source of the lagging list: the page shows its rows and the download
route writes the same DataFrame, so what is downloaded is exactly what is shown (same rows, same filters,
same order). Every function that returns district or station data takes a Scope and raises
`dashboard.scope.OutOfScope` outside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from sqlalchemy import Engine, func, select

from dashboard import queries
from dashboard.models import (
    District,
    ImportBatch,
    PoliceStation,
    ResultLagging,
    ResultStake,
    ResultUnit,
    State,
    StateRow,
    User,
)
from dashboard.scope import Scope
from layouts.components import format_indian
from metrics.analysis import PEER_GROUPS, PEER_UNKNOWN, peer_group
from metrics.methodology import Parameter, Version

# --- filters ---------------------------------------------------------------------------------------------

# URL value -> label. Reasons follow rule 12 of metrics/RULES.md.
REASONS: dict[str, str] = {
    "not_reported": "Not reported",
    "low_score": "Low score",
    "critical": "Critical parameter",
}
# URL value -> peer-group label of metrics.analysis.peer_group (FIR volume bands).
PEERS: dict[str, str] = {
    "low": PEER_GROUPS[0][0],
    "medium": PEER_GROUPS[1][0],
    "high": PEER_GROUPS[2][0],
    "unknown": PEER_UNKNOWN,
}

# The lagging table: field -> header. The page's grid and the CSV/XLSX download use these columns, in
# this order.
LAGGING_COLUMNS: dict[str, str] = {
    "position": "#",
    "station_code": "Station code",
    "station_name": "Police station",
    "district_name": "District",
    "peer_group": "Peer group (FIRs a month)",
    "score": "Score",
    "reasons": "Why it is lagging",
    "at_stake_state": "Marks at stake (State)",
    "at_stake_district": "Marks at stake (district)",
    "actions": "What the SP must do",
}
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


# --- words -----------------------------------------------------------------------------------------------


def _int(v: object) -> int:
    return int(v)  # type: ignore[call-overload]


def indian(n: int) -> str:
    """Indian digit grouping of a whole number: 1234567 -> "12,34,567" (the pages' formatter)."""
    return format_indian(int(n))


def pct_text(num: int, den: int) -> str:
    if den <= 0:
        return "–"
    d = (Decimal(100) * num / den).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{d}%"


def _count_words(p: Parameter | None, num: int, den: int) -> str:
    """ "28 of 40 FIRs registered in all modes (70.0%)"; days and flags read naturally."""
    if p is not None and p.kind == "flag":
        return "done this month" if num >= den and den > 0 else "not done this month"
    unit = ("days" if p is not None and p.kind == "days" else (p.denominator if p is not None and p.denominator
                                                                  else ""))
    unit = unit.strip()
    return f"{indian(num)} of {indian(den)}{(' ' + unit) if unit else ''} ({pct_text(num, den)})"


def critical_words(p: Parameter | None, name: str, num: int, den: int) -> str:
    return f"Critical: {name} — {_count_words(p, num, den)}"


def action_words(p: Parameter | None, name: str, num: int, den: int, needed: int, at_stake: float) -> str:
    """What fixing one parameter takes and is worth (rule 11: raise it to its target)."""
    worth = f"worth +{at_stake:.3f}"
    if p is not None and p.kind == "flag":
        return f"{name}: get it done this month ({worth})"
    pending = max(needed - num, 0)
    unit = " days" if p is not None and p.kind == "days" else ""
    target = f"; target {float(p.target):g}%" if p is not None else ""
    return f"{name}: {indian(pending)} more{unit} needed ({indian(num)} of {indian(den)} done{target}; {worth})"


# --- the lagging list ---------------------------------------------------------------------------------------


def lagging_list(engine: Engine, month: str, scope: Scope, state_code: str, district_code: str | None = None,
                 filters: LaggingFilters | None = None) -> pd.DataFrame:
    """Lagging stations of a State (or one district) with peer group, published score, reasons in words
    and counts, and the action list; filtered; ordered by marks at stake for the State (largest first),
    then station code. Raises OutOfScope outside the scope (via queries.lagging)."""
    filters = filters or LaggingFilters()
    if filters.district and district_code is None:
        district_code = filters.district
    df = queries.lagging(engine, month, scope, state_code, district_code, worded=False)
    if df.empty:
        return _empty_lagging()
    version = queries.version_for(engine, month)
    params = {p.id: p for p in version.parameters} if version else {}
    crit_line = f"{float(version.critical_achievement_below):.0%}" if version else "80%"
    lag_line = f"{float(version.lagging_score_below):g}" if version else "90"
    codes = df["station_code"].tolist()
    # published scores (x100, rounded half up from the exact score) from the results
    centi = queries._df(engine, select(ResultUnit.unit_code, ResultUnit.score_centi).where(
        ResultUnit.month == month, ResultUnit.level == "station", ResultUnit.unit_code.in_(codes)))
    centi_by = dict(zip(centi["unit_code"], centi["score_centi"], strict=True))
    fir = queries._fir_volume(engine, month, codes)
    stakes = queries._df(engine, select(ResultStake).where(
        ResultStake.month == month, ResultStake.state_code == state_code,
        ResultStake.station_code.in_(codes)))
    # per station, largest at stake first (then parameter id): plain lists, not a frame per station
    by_station: dict[str, list[dict]] = {}
    for s in stakes.to_dict("records"):
        by_station.setdefault(s["station_code"], []).append(s)
    for station_stakes in by_station.values():
        station_stakes.sort(key=lambda s: (-float(s["at_stake_state"]), s["parameter"]))

    rows = []
    for r in df.itertuples():
        code = r.station_code
        g = by_station.get(code)
        crit = [c for c in (r.critical_parameters or "").split(",") if c]
        stake_params = {st["parameter"] for st in g} if g else set()
        reasons, actions = [], []
        if r.not_reported:
            reasons.append("Not reported: no data received for this month")
            actions.append("Enter this month's CCTNS data (nothing was received)")
        c = centi_by.get(code)
        score_text = queries.score_display(c) if c is not None and not pd.isna(c) else "no data"
        if r.low_score:
            reasons.append(f"Score {score_text}, below {lag_line}")
        for pid in crit:
            p = params.get(pid)
            name = p.name if p else pid
            row = next((st for st in g if st["parameter"] == pid), None) if g else None
            if row is None:
                reasons.append(f"Critical: {name} below {crit_line} of target")
            else:
                reasons.append(critical_words(p, name, _int(row["numerator"]), _int(row["denominator"])))
        n_more = 0
        if g:
            n_more = max(0, len(g) - MAX_ACTIONS)
            for st in g[:MAX_ACTIONS]:
                p = params.get(st["parameter"])
                actions.append(action_words(p, p.name if p else st["parameter"], _int(st["numerator"]),
                                            _int(st["denominator"]), _int(st["numerator_needed"]),
                                            float(st["at_stake_state"])))
        if n_more:
            actions.append(f"and {n_more} more parameter{'s' if n_more != 1 else ''}")
        vol = fir.get(code)
        rows.append({
            "station_code": code,
            "station_name": r.station_name,
            "district_code": r.district_code,
            "district_name": r.district_name,
            "fir_volume": None if vol is None or pd.isna(vol) else int(vol),
            "peer_group": peer_group(vol),
            "score_centi": None if c is None or pd.isna(c) else int(c),
            "score": score_text,
            "not_reported": bool(r.not_reported),
            "low_score": bool(r.low_score),
            "critical": bool(crit),
            "critical_parameters": ",".join(crit),
            "parameters": ",".join(sorted(set(crit) | stake_params)),
            "reasons": "; ".join(reasons),
            "at_stake_state": round(float(r.at_stake_state), 3),
            "at_stake_district": round(float(r.at_stake_district), 3),
            "at_stake_state_exact": float(r.at_stake_state),
            "actions": " · ".join(actions),
        })
    out = pd.DataFrame(rows)
    out = out.sort_values(["at_stake_state_exact", "station_code"], ascending=[False, True]).reset_index(drop=True)
    out.insert(0, "position", range(1, len(out) + 1))
    return filter_lagging(out, filters)


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


def _empty_lagging() -> pd.DataFrame:
    cols = ["position", "station_code", "station_name", "district_code", "district_name", "fir_volume", "peer_group",
            "score_centi", "score", "not_reported", "low_score", "critical", "critical_parameters", "parameters",
            "reasons", "at_stake_state", "at_stake_district", "at_stake_state_exact", "actions"]
    return pd.DataFrame({c: [] for c in cols})


def lagging_table(lagging: pd.DataFrame) -> pd.DataFrame:
    """The shown table (and the download) from `lagging_list`: LAGGING_COLUMNS, renamed to their headers."""
    return lagging.reindex(columns=list(LAGGING_COLUMNS)).rename(columns=LAGGING_COLUMNS).reset_index(drop=True)


def lagging_by_state(engine: Engine, month: str, scope: Scope) -> pd.DataFrame:
    """Counts of lagging stations per State (national users only): state_code, name, stations_active,
    lagging, not_reported, low_score, critical, top_at_stake; most lagging first."""
    scope.require(scope.role == "national", "lagging counts of every State")
    with engine.connect() as conn:
        lag = _lagging_counts(conn, month)
        units = pd.read_sql(select(ResultUnit.unit_code.label("state_code"), State.name, ResultUnit.stations_active)
                            .join(State, State.code == ResultUnit.unit_code)
                            .where(ResultUnit.month == month, ResultUnit.level == "state"), conn)
    out = units.merge(lag, on="state_code", how="left")
    for c in ("lagging", "not_reported", "low_score", "critical"):
        out[c] = out[c].fillna(0).astype(int)
    return out.sort_values(["lagging", "name"], ascending=[False, True]).reset_index(drop=True)


def _lagging_counts(conn, month: str) -> pd.DataFrame:
    rows = pd.read_sql(select(ResultLagging.state_code, ResultLagging.not_reported, ResultLagging.low_score,
                              ResultLagging.critical_parameters, ResultLagging.at_stake_state)
                       .where(ResultLagging.month == month), conn)
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


def districts_of(engine: Engine, state_code: str, scope: Scope) -> list[dict]:
    """[{code, name}] of the State's districts the user may see (a district SP: only their own)."""
    with engine.connect() as conn:
        rows = conn.execute(select(District.code, District.name).where(District.state_code == state_code)
                            .order_by(District.name)).all()
    return [{"code": c, "name": n} for c, n in rows if scope.can_see_district(state_code, c)]


def active_stations(engine: Engine, month: str, level: str, code: str) -> int | None:
    """Active police stations of a State or district in the month (from the results)."""
    with engine.connect() as conn:
        return conn.execute(select(ResultUnit.stations_active).where(
            ResultUnit.month == month, ResultUnit.level == level, ResultUnit.unit_code == code)).scalar()


# --- data page ------------------------------------------------------------------------------------------------


def station_reporting(engine: Engine, month: str, scope: Scope, district_code: str) -> pd.DataFrame:
    """Each active station of a district with whether it reported: station_code, name, reported."""
    info = queries.unit_info(engine, "district", district_code)
    if info is None:
        return pd.DataFrame(columns=["station_code", "name", "reported"])
    scope.require(scope.can_see_district(info["state_code"], district_code), f"stations of {district_code}")
    return queries._df(engine, select(ResultUnit.unit_code.label("station_code"), PoliceStation.name,
                                      ResultUnit.reported)
                       .join(PoliceStation, PoliceStation.code == ResultUnit.unit_code)
                       .where(ResultUnit.month == month, ResultUnit.level == "station",
                              ResultUnit.district_code == district_code)
                       .order_by(PoliceStation.name))


def not_reported_in_scope(engine: Engine, month: str, scope: Scope, limit: int = 5000) -> pd.DataFrame:
    """Active stations with no row this month, within the user's whole scope: station_code, name,
    district_code, district_name, state_code, state_name."""
    conds = [ResultUnit.month == month, ResultUnit.level == "station", ResultUnit.reported.is_(False)]
    if scope.role == "state":
        conds.append(ResultUnit.state_code == scope.state_code)
    elif scope.role == "district":
        conds += [ResultUnit.state_code == scope.state_code, ResultUnit.district_code == scope.district_code]
    elif scope.role != "national":
        scope.require(False, "stations")
    stmt = (select(ResultUnit.unit_code.label("station_code"), PoliceStation.name, ResultUnit.district_code,
                   District.name.label("district_name"), ResultUnit.state_code, State.name.label("state_name"))
            .join(PoliceStation, PoliceStation.code == ResultUnit.unit_code)
            .join(District, District.code == ResultUnit.district_code)
            .join(State, State.code == ResultUnit.state_code)
            .where(*conds).order_by(State.name, District.name, PoliceStation.name).limit(limit))
    return queries._df(engine, stmt)


def state_rows_status(engine: Engine, month: str) -> pd.DataFrame:
    """Every State/UT with how many State-level parameter rows it sent this month, of those the version
    expects: state_code, name, sent, expected (State-level facts are circulated to every State)."""
    version = queries.version_for(engine, month)
    expected = len(version.state_parameters) if version else 0
    with engine.connect() as conn:
        states = pd.read_sql(select(State.code.label("state_code"), State.name).order_by(State.name), conn)
        sent = pd.read_sql(select(StateRow.state_code, func.count().label("sent"))
                           .where(StateRow.month == month).group_by(StateRow.state_code), conn)
    out = states.merge(sent, on="state_code", how="left")
    out["sent"] = out["sent"].fillna(0).astype(int)
    out["expected"] = expected
    return out


def import_batches_in_scope(engine: Engine, scope: Scope, limit: int = 50) -> pd.DataFrame:
    """Import batches a user may see: national users see all; others only those loaded by users of their
    own State (file names can name units)."""
    stmt = select(ImportBatch.id, ImportBatch.created_at, ImportBatch.created_by, ImportBatch.file_name,
                  ImportBatch.kinds, ImportBatch.months, ImportBatch.rows_added, ImportBatch.rows_replaced,
                  ImportBatch.status, ImportBatch.reverted_at)
    if scope.role != "national":
        own = select(User.username).where(User.state_code == scope.state_code)
        stmt = stmt.where(ImportBatch.created_by.in_(own))
    return queries._df(engine, stmt.order_by(ImportBatch.id.desc()).limit(limit))
