"""Provisional figures of the month being collected (issue 14), read only from the provisional tables.

Nothing here reads a final result table for the provisional month, and nothing in the other read modules
reads a provisional table: the two can never be mixed silently. Where the provisional page compares a State
with the others ("if the month closed today"), each other State's figure is its latest *final* month (or its
own provisional snapshot of the month), and every row says which month and which kind (`basis`) it is.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from dashboard.display import as_int, lagging_reasons, parameter_text, score_display
from dashboard.read.cache import cached
from dashboard.read.common import _df, _with_parameter_names, version_for
from dashboard.scope import Scope
from dashboard.store import (
    District,
    PoliceStation,
    ProvisionalLagging,
    ProvisionalParam,
    ProvisionalSnapshot,
    ProvisionalStake,
    ProvisionalUnit,
    ResultUnit,
    State,
)
from metrics.methodology import DEFAULT_SCHEME, next_month, previous_month

BASIS_PROVISIONAL = "provisional"
BASIS_FINAL = "final"
OTHERS_WINDOW = 12  # months back to look for another State's latest final figure


def _current(month: str):
    """The current snapshots of a month (one per State at most)."""
    s = ProvisionalSnapshot
    return and_(s.month == month, s.status == "current")


def _scored_in(scheme: str):
    """Snapshots scored in `scheme` (they hold rows of its parameters): a State-level provisional result."""
    s, u = ProvisionalSnapshot, ProvisionalUnit
    return select(u.snapshot_id).where(u.scheme == scheme, u.level == "state", u.snapshot_id == s.id).exists()


@cached
def provisional_months(engine: Engine, *, scheme: str = DEFAULT_SCHEME) -> list[dict]:
    """Months with a current provisional snapshot scored in `scheme`, newest first: month, states (how
    many), as_of (the latest load, ISO text, UTC)."""
    s = ProvisionalSnapshot
    with engine.connect() as conn:
        rows = conn.execute(select(s.month, func.count(), func.max(s.as_of))
                            .where(s.status == "current", _scored_in(scheme))
                            .group_by(s.month).order_by(s.month.desc())).all()
    return [{"month": m, "states": int(n), "as_of": a.isoformat(timespec="seconds") + "+00:00" if a else None}
            for m, n, a in rows]


def is_provisional_month(engine: Engine, month: object, *, scheme: str = DEFAULT_SCHEME) -> bool:
    return isinstance(month, str) and any(m["month"] == month for m in provisional_months(engine, scheme=scheme))


@cached
def provisional_snapshots(engine: Engine, month: str, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """The current snapshots of a month scored in `scheme`: state_code, name, as_of, batch_id, created_by,
    station_rows, state_rows (all the snapshot's rows, whatever their scheme)."""
    s = ProvisionalSnapshot
    return _df(engine, select(s.state_code, State.name, s.as_of, s.batch_id, s.created_by, s.station_rows,
                              s.state_rows).join(State, State.code == s.state_code)
               .where(_current(month), _scored_in(scheme)).order_by(s.state_code))


@cached
def provisional_states_table(engine: Engine, month: str, scope: Scope, *,
                             scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """Every State/UT "if the month closed today" in the ranking scheme `scheme`: a State with a provisional
    snapshot of `month` scored in it by its provisional score, every other one by its latest final figure of
    that scheme up to `month` (within a year).

    A provisional figure is its SCRB's working figure, never circulated: it counts here only for States
    whose detail `scope` may see (national users: all; a State's users and SPs: their own State). For
    everyone else such a State stands by its latest final figure, so no rank or gap gives it away. Columns:
    state_code, name, category, basis ('provisional' | 'final' | None), figure_month, as_of, score,
    score_centi, score_display, stations_reported, stations_active, rank_national, rank_category (standard
    competition ranks on the published score, as rule 8), last_final_month, last_final_centi (the State's
    latest final score before `month`, for the change), ordered by rank."""
    states = _df(engine, select(State.code.label("state_code"), State.name, State.category))
    u, s = ProvisionalUnit, ProvisionalSnapshot
    prov = _df(engine, select(u.unit_code.label("state_code"), u.score, u.score_centi, u.stations_reported,
                              u.stations_active, s.as_of)
               .join(s, s.id == u.snapshot_id).where(_current(month), u.scheme == scheme, u.level == "state"))
    window = [month]
    for _ in range(OTHERS_WINDOW - 1):
        window.append(previous_month(window[-1]))
    r = ResultUnit
    # the months named (an index seek per month on the State rows), not a range of months: a range cannot
    # use `level` in the index and read every district and station row of the window (220,000 index
    # entries at national scale: 20 ms)
    finals = _df(engine, select(r.unit_code.label("state_code"), r.month, r.score, r.score_centi,
                                r.stations_reported, r.stations_active)
                 .where(r.scheme == scheme, r.level == "state", r.month.in_(window),
                        r.score_centi.is_not(None)))
    finals = finals.sort_values("month")
    # plain dicts for the loop below (a DataFrame's .at/.loc per State cost more than the reads)
    latest = finals.groupby("state_code").tail(1).set_index("state_code").to_dict("index")
    before = finals[finals["month"] < month].groupby("state_code").tail(1).set_index("state_code").to_dict("index")
    prov = prov.set_index("state_code")
    prov = prov[[scope.can_see_state_detail(code) for code in prov.index]].to_dict("index")
    rows = []
    for code, name, category in zip(states["state_code"].tolist(), states["name"].tolist(),
                                    states["category"].tolist(), strict=True):
        last = before.get(code)
        row = {"state_code": code, "name": name, "category": category, "basis": None,
               "figure_month": None, "as_of": None, "score": None, "score_centi": None,
               "stations_reported": None, "stations_active": None,
               "last_final_month": last["month"] if last is not None else None,
               "last_final_centi": as_int(last["score_centi"]) if last is not None else None}
        p = prov.get(code)
        if p is not None and pd.notna(p["score_centi"]):
            row.update(basis=BASIS_PROVISIONAL, figure_month=month, as_of=p["as_of"], score=p["score"],
                       score_centi=as_int(p["score_centi"]), stations_reported=as_int(p["stations_reported"]),
                       stations_active=as_int(p["stations_active"]))
        elif code in latest:
            f = latest[code]
            row.update(basis=BASIS_FINAL, figure_month=f["month"], score=f["score"],
                       score_centi=as_int(f["score_centi"]), stations_reported=as_int(f["stations_reported"]),
                       stations_active=as_int(f["stations_active"]))
        rows.append(row)
    df = pd.DataFrame(rows)
    centi = pd.to_numeric(df["score_centi"], errors="coerce")
    df["score_centi"] = centi.astype("Int64")
    df["last_final_centi"] = pd.to_numeric(df["last_final_centi"], errors="coerce").astype("Int64")
    df["rank_national"] = centi.rank(method="min", ascending=False).astype("Int64")  # "1224"
    df["rank_category"] = centi.groupby(df["category"]).rank(method="min", ascending=False).astype("Int64")
    df["score_display"] = [score_display(v) for v in df["score_centi"]]
    return df.sort_values(["rank_national", "name"], na_position="last").reset_index(drop=True)


@cached
def provisional_headline(engine: Engine, month: str, state_code: str, scope: Scope, *,
                         scheme: str = DEFAULT_SCHEME) -> dict | None:
    """A State's provisional standing (None when it has no snapshot of `month`): its row of
    `provisional_states_table`, the State above and below (with the month and kind of their figures), the
    number of States compared, and the snapshot's batch and loader. Only for a user who may see the State's
    detail (OutOfScope otherwise): provisional figures are not circulated to other States."""
    scope.require(scope.can_see_state_detail(state_code), f"the provisional figures of {state_code}")
    table = provisional_states_table(engine, month, scope, scheme=scheme)
    mine = table[(table["state_code"] == state_code) & (table["basis"] == BASIS_PROVISIONAL)]
    if mine.empty:
        return None
    row = mine.iloc[0].to_dict()
    ranked = table[table["rank_national"].notna()].reset_index(drop=True)
    pos = int(ranked.index[ranked["state_code"] == state_code][0])

    def neighbour(i: int) -> dict | None:
        if not 0 <= i < len(ranked):
            return None
        n = ranked.iloc[i]
        return {"state_code": n["state_code"], "name": n["name"], "score_display": n["score_display"],
                "basis": n["basis"], "figure_month": n["figure_month"], "as_of": n["as_of"],
                "gap": abs(int(n["score_centi"]) - int(row["score_centi"])) / 100}

    snap = provisional_snapshots(engine, month, scheme=scheme)
    snap = snap[snap["state_code"] == state_code].iloc[0]
    row.update(above=neighbour(pos - 1), below=neighbour(pos + 1), states_ranked=len(ranked),
               others_final=int((table["basis"] == BASIS_FINAL).sum()),
               others_provisional=int((table["basis"] == BASIS_PROVISIONAL).sum()) - 1,
               batch_id=int(snap["batch_id"]), loaded_by=snap["created_by"])
    return row


def _snapshot_id(engine: Engine, month: str, state_code: str) -> int | None:
    s = ProvisionalSnapshot
    with engine.connect() as conn:
        return conn.execute(select(s.id).where(_current(month), s.state_code == state_code)).scalar_one_or_none()


@cached
def provisional_districts(engine: Engine, month: str, state_code: str, scope: Scope, *,
                          scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """The districts of a State's snapshot: district_code, name, score_centi, score_display, rank_in_state,
    stations_reported, stations_active, last_final_centi (the district's latest final score before)."""
    scope.require(scope.can_see_state_detail(state_code), f"districts of {state_code}")
    snap = _snapshot_id(engine, month, state_code)
    if snap is None:
        return pd.DataFrame()
    u = ProvisionalUnit
    df = _df(engine, select(u.unit_code.label("district_code"), District.name, u.score_centi, u.rank_in_state,
                            u.stations_reported, u.stations_active)
             .join(District, District.code == u.unit_code).where(u.snapshot_id == snap, u.scheme == scheme,
                                                                 u.level == "district"))
    r = ResultUnit
    last = _df(engine, select(r.unit_code, r.month, r.score_centi).where(
        r.scheme == scheme, r.level == "district", r.state_code == state_code, r.month == previous_month(month)))
    last_centi = dict(zip(last["unit_code"], last["score_centi"], strict=True))
    df["last_final_centi"] = df["district_code"].map(last_centi).astype("Int64")
    df["score_centi"] = df["score_centi"].astype("Int64")
    df["rank_in_state"] = df["rank_in_state"].astype("Int64")
    df["score_display"] = [score_display(v) for v in df["score_centi"]]
    return df.sort_values(["rank_in_state", "name"], na_position="last").reset_index(drop=True)


@cached
def provisional_district(engine: Engine, month: str, district_code: str, scope: Scope, *,
                         scheme: str = DEFAULT_SCHEME) -> dict | None:
    """A district's provisional standing: score, rank in the State, stations reported; None without a
    snapshot of its State."""
    info = _district_info(engine, district_code)
    if info is None:
        return None
    scope.require(scope.can_see_district(info["state_code"], district_code), f"district {district_code}")
    snap = _snapshot_id(engine, month, info["state_code"])
    if snap is None:
        return None
    u = ProvisionalUnit
    df = _df(engine, select(u.score_centi, u.rank_in_state, u.stations_reported, u.stations_active)
             .where(u.snapshot_id == snap, u.scheme == scheme, u.level == "district", u.unit_code == district_code))
    n = _df(engine, select(func.count()).select_from(u).where(u.snapshot_id == snap, u.scheme == scheme,
                                                              u.level == "district"))
    if df.empty:
        return None
    row = df.iloc[0]
    return {**info, "score_centi": as_int(row["score_centi"]), "score_display": score_display(row["score_centi"]),
            "rank_in_state": as_int(row["rank_in_state"]), "districts": int(n.iloc[0, 0]),
            "stations_reported": as_int(row["stations_reported"]), "stations_active": as_int(row["stations_active"])}


def _district_info(engine: Engine, district_code: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(District.code, District.name, District.state_code, State.name.label("state_name"))
                           .join(State, State.code == District.state_code)
                           .where(District.code == district_code)).first()
    return None if row is None else dict(row._mapping)


@cached
def provisional_lagging(engine: Engine, month: str, scope: Scope, state_code: str,
                        district_code: str | None = None, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """Lagging stations of a snapshot (rule 12 on the provisional rows): station_code, station_name,
    district_code, district_name, score_display, reasons (the final list's wording), at_stake_state,
    at_stake_district; ordered by marks at stake for the State (the district's in a district view)."""
    if district_code is None:
        scope.require(scope.can_see_state_stations(state_code), f"lagging stations of {state_code}")
    else:
        scope.require(scope.can_see_district(state_code, district_code), f"lagging stations of {district_code}")
    snap = _snapshot_id(engine, month, state_code)
    if snap is None:
        return pd.DataFrame()
    lg, u = ProvisionalLagging, ProvisionalUnit
    stmt = (select(lg.station_code, PoliceStation.name.label("station_name"), lg.district_code,
                   District.name.label("district_name"), lg.not_reported, lg.low_score, lg.critical_parameters,
                   lg.at_stake_state, lg.at_stake_district, u.score_centi)
            .join(PoliceStation, PoliceStation.code == lg.station_code)
            .join(District, District.code == lg.district_code)
            .join(u, and_(u.snapshot_id == lg.snapshot_id, u.scheme == lg.scheme, u.level == "station",
                          u.unit_code == lg.station_code))
            .where(lg.snapshot_id == snap, lg.scheme == scheme))
    if district_code is not None:
        stmt = stmt.where(lg.district_code == district_code)
    df = _df(engine, stmt)
    if df.empty:
        return df
    version = version_for(engine, month, scheme=scheme)
    names = {p.id: (p, parameter_text(p)) for p in version.parameters} if version else {}
    below = f"{float(version.lagging_score_below):g}" if version else "90"
    crit_below = f"{float(version.critical_achievement_below):.0%}" if version else "80%"
    df["score_display"] = [score_display(v) for v in df["score_centi"]]
    df["reasons"] = ["; ".join(lagging_reasons(
        bool(r.not_reported), bool(r.low_score), r.score_display, below,
        [(*names.get(c, (None, c)), None, None) for c in (r.critical_parameters or "").split(",") if c],
        crit_below)) for r in df.itertuples()]
    order = "at_stake_state" if district_code is None else "at_stake_district"
    return df.sort_values([order, "station_code"], ascending=[False, True]).reset_index(drop=True)


@cached
def still_to_happen(engine: Engine, month: str, scope: Scope, state_code: str,
                    district_code: str | None = None, limit: int = 15, *,
                    scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """What entering the missing records before the cut-off gains, largest first (rule 11 per station x
    parameter, every active station, not only lagging ones): station_code, station_name, district_name,
    parameter, parameter_name, numerator, denominator, numerator_needed, records (still to enter),
    at_stake (marks for the State; for the district in a district view)."""
    if district_code is None:
        scope.require(scope.can_see_state_stations(state_code), f"stations of {state_code}")
    else:
        scope.require(scope.can_see_district(state_code, district_code), f"stations of {district_code}")
    snap = _snapshot_id(engine, month, state_code)
    if snap is None:
        return pd.DataFrame()
    sk = ProvisionalStake
    worth = sk.at_stake_state if district_code is None else sk.at_stake_district
    stmt = (select(sk.station_code, PoliceStation.name.label("station_name"), sk.district_code,
                   District.name.label("district_name"), sk.parameter, sk.numerator, sk.denominator,
                   sk.numerator_needed, worth.label("at_stake"))
            .join(PoliceStation, PoliceStation.code == sk.station_code)
            .join(District, District.code == sk.district_code)
            .where(sk.snapshot_id == snap, sk.scheme == scheme))
    if district_code is not None:
        stmt = stmt.where(sk.district_code == district_code)
    df = _df(engine, stmt.order_by(worth.desc(), sk.station_code, sk.parameter).limit(limit))
    df = _with_parameter_names(engine, month, df, scheme=scheme)
    df["records"] = (df["numerator_needed"] - df["numerator"]).clip(lower=0) if len(df) else []
    return df


@cached
def provisional_marks_lost(engine: Engine, month: str, state_code: str, scope: Scope, *,
                           scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """A State's snapshot by parameter: parameter, parameter_name, numerator, denominator, value, marks_lost
    (OutOfScope for a user who may not see the State's detail)."""
    scope.require(scope.can_see_state_detail(state_code), f"the provisional figures of {state_code}")
    snap = _snapshot_id(engine, month, state_code)
    if snap is None:
        return pd.DataFrame()
    p = ProvisionalParam
    df = _df(engine, select(p.parameter, p.numerator, p.denominator, p.applicable, p.value, p.marks_lost)
             .where(p.snapshot_id == snap, p.scheme == scheme, p.level == "state", p.unit_code == state_code))
    return _with_parameter_names(engine, month, df, scheme=scheme).sort_values("marks_lost", ascending=False,
                                                                 na_position="last").reset_index(drop=True)


def cutoff_date(month: str, cutoff_day: int) -> date:
    """The day `month`'s figures are due at NCRB: `cutoff_day` of the following month (the same arithmetic
    as the digests' reminders, `dashboard.digests.schedule`)."""
    following = next_month(month)
    return date(int(following[:4]), int(following[5:7]), cutoff_day)


def days_to_cutoff(month: str, today: date, cutoff_day: int) -> int:
    """Days from `today` to the cut-off of `month` (0 on the day itself, negative once it has passed)."""
    return (cutoff_date(month, cutoff_day) - today).days
