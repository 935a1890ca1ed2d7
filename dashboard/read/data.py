"""The data page: who reported, State rows received, import batches (scoped)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from dashboard.read.cache import cached
from dashboard.read.common import _df, unit_info, version_for
from dashboard.scope import Scope
from dashboard.store import (
    District,
    ImportBatch,
    PoliceStation,
    ResultUnit,
    State,
    StateRow,
    User,
)
from metrics.methodology import DEFAULT_SCHEME


@cached
def reporting_status(engine: Engine, month: str, scope: Scope, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """Per State (national), per district (state/district users): stations active and reported."""
    if scope.role == "national":
        stmt = (select(ResultUnit.unit_code, State.name, ResultUnit.stations_active, ResultUnit.stations_reported)
                .join(State, State.code == ResultUnit.unit_code)
                .where(ResultUnit.scheme == scheme, ResultUnit.month == month, ResultUnit.level == "state"))
    else:
        stmt = (select(ResultUnit.unit_code, District.name, ResultUnit.stations_active, ResultUnit.stations_reported)
                .join(District, District.code == ResultUnit.unit_code)
                .where(ResultUnit.scheme == scheme, ResultUnit.month == month, ResultUnit.level == "district",
                       ResultUnit.state_code == scope.state_code))
        if scope.role == "district":
            stmt = stmt.where(ResultUnit.unit_code == scope.district_code)
    df = _df(engine, stmt.order_by(ResultUnit.unit_code))
    df["not_reported"] = df["stations_active"] - df["stations_reported"]
    df["reported_pct"] = (100 * df["stations_reported"] / df["stations_active"].where(df["stations_active"] > 0)).round(1)
    return df


@cached
def state_rows_present(engine: Engine, month: str) -> pd.DataFrame:
    """Which State-level parameters each State reported this month (for the data page)."""
    from dashboard.store import StateRow

    return _df(engine, select(StateRow.state_code, func.count().label("parameters"))
               .where(StateRow.month == month).group_by(StateRow.state_code))


def import_batches(engine: Engine, limit: int = 50) -> pd.DataFrame:
    return _df(engine, select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit))


@cached
def not_reported_stations(engine: Engine, month: str, scope: Scope, state_code: str,
                          district_code: str | None = None, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    if district_code is None:
        scope.require(scope.can_see_state_stations(state_code), f"stations of {state_code}")
    else:
        scope.require(scope.can_see_district(state_code, district_code), f"stations of {district_code}")
    conds = [ResultUnit.scheme == scheme, ResultUnit.month == month, ResultUnit.level == "station", ResultUnit.reported.is_(False),
             ResultUnit.state_code == state_code]
    if district_code:
        conds.append(ResultUnit.district_code == district_code)
    stmt = (select(ResultUnit.unit_code, PoliceStation.name, District.name.label("district_name"))
            .join(PoliceStation, PoliceStation.code == ResultUnit.unit_code)
            .join(District, District.code == ResultUnit.district_code)
            .where(and_(*conds)).order_by(District.name, PoliceStation.name))
    return _df(engine, stmt)


def districts_of(engine: Engine, state_code: str, scope: Scope) -> list[dict]:
    """[{code, name}] of the State's districts the user may see (a district SP: only their own)."""
    with engine.connect() as conn:
        rows = conn.execute(select(District.code, District.name).where(District.state_code == state_code)
                            .order_by(District.name)).all()
    return [{"code": c, "name": n} for c, n in rows if scope.can_see_district(state_code, c)]


def active_stations(engine: Engine, month: str, level: str, code: str, *, scheme: str = DEFAULT_SCHEME) -> int | None:
    """Active police stations of a State or district in the month (from the results)."""
    with engine.connect() as conn:
        return conn.execute(select(ResultUnit.stations_active).where(
            ResultUnit.scheme == scheme, ResultUnit.month == month, ResultUnit.level == level, ResultUnit.unit_code == code)).scalar()


def station_reporting(engine: Engine, month: str, scope: Scope, district_code: str, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """Each active station of a district with whether it reported: station_code, name, reported."""
    info = unit_info(engine, "district", district_code)
    if info is None:
        return pd.DataFrame(columns=["station_code", "name", "reported"])
    scope.require(scope.can_see_district(info["state_code"], district_code), f"stations of {district_code}")
    return _df(engine, select(ResultUnit.unit_code.label("station_code"), PoliceStation.name,
                                      ResultUnit.reported)
                       .join(PoliceStation, PoliceStation.code == ResultUnit.unit_code)
                       .where(ResultUnit.scheme == scheme, ResultUnit.month == month, ResultUnit.level == "station",
                              ResultUnit.state_code == info["state_code"], ResultUnit.district_code == district_code)
                       .order_by(PoliceStation.name))


def not_reported_in_scope(engine: Engine, month: str, scope: Scope, limit: int = 5000, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """Active stations with no row this month, within the user's whole scope: station_code, name,
    district_code, district_name, state_code, state_name."""
    conds = [ResultUnit.scheme == scheme, ResultUnit.month == month, ResultUnit.level == "station", ResultUnit.reported.is_(False)]
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
    return _df(engine, stmt)


def state_rows_status(engine: Engine, month: str, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """Every State/UT with how many State-level parameter rows it sent this month, of those the version
    expects: state_code, name, sent, expected (State-level facts are circulated to every State)."""
    version = version_for(engine, month, scheme=scheme)
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
                  ImportBatch.file_sha256, ImportBatch.kinds, ImportBatch.months, ImportBatch.rows_added, ImportBatch.rows_replaced,
                  ImportBatch.status, ImportBatch.reverted_at)
    if scope.role != "national":
        own = select(User.username).where(User.state_code == scope.state_code)
        stmt = stmt.where(ImportBatch.created_by.in_(own))
    return _df(engine, stmt.order_by(ImportBatch.id.desc()).limit(limit))
