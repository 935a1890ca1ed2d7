"""Reading the stored projections, backtests and flags for pages, exports and the deck. Flags are scoped
here (never in the page): a State-level flag follows the State's headline, a district's or station's the
district's stations."""

from __future__ import annotations

import orjson
import pandas as pd
from sqlalchemy import Engine, select

from dashboard.read import cached, scheme_ids, state_names
from dashboard.scope import Scope
from dashboard.store import (
    DataFlag,
    District,
    FlagReview,
    PoliceStation,
    Projection,
    ProjectionBacktest,
    State,
)
from metrics.methodology import DEFAULT_SCHEME

FLAG_STATUSES = ("open", "verified", "dismissed")


def _scheme(engine: Engine, scheme: str | None) -> str:
    """A stored ranking scheme (every one is projected at import), else ValueError."""
    scheme = scheme or DEFAULT_SCHEME
    if scheme not in scheme_ids(engine):
        raise ValueError(f"unknown ranking scheme {scheme!r}")
    return scheme


@cached
def projection(engine: Engine, month: str, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """The projection made from `month` for the month after: one row per State (names added), ordered by the
    middle rank. Empty when there is not enough history. Every State sees every State's (as the league table)."""
    scheme = _scheme(engine, scheme)
    with engine.connect() as conn:
        rows = conn.execute(select(Projection.__table__, State.name)
                            .join(State, State.code == Projection.state_code)
                            .where(Projection.scheme == scheme, Projection.month == month)).mappings().all()
    df = pd.DataFrame([dict(r) for r in rows])
    if df.empty:
        return df
    return df.sort_values(["rank_median", "rank_now", "state_code"]).reset_index(drop=True)


def state_projection(engine: Engine, month: str, state_code: str, scheme: str = DEFAULT_SCHEME) -> dict | None:
    df = projection(engine, month, scheme)
    if df.empty:
        return None
    row = df[df["state_code"] == state_code]
    return None if row.empty else row.iloc[0].to_dict()


@cached
def projection_backtest(engine: Engine, month: str, scheme: str = DEFAULT_SCHEME) -> dict | None:
    """How the projections fared over the 12 months ending at `month` (coverage, errors against carrying the
    last rank forward); None before any month is stored."""
    scheme = _scheme(engine, scheme)
    with engine.connect() as conn:
        row = conn.execute(select(ProjectionBacktest.__table__).where(
            ProjectionBacktest.scheme == scheme, ProjectionBacktest.month == month)).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out["months"] = [m for m in out.pop("months_checked").split(",") if m]
    out["model_better"] = (out["mae_model"] is not None and out["mae_carry"] is not None
                           and out["mae_model"] < out["mae_carry"] - 1e-9)
    return out


def _visible(scope: Scope, level: str, state_code: str, district_code: str | None) -> bool:
    if level == "state":
        return scope.can_see_state_detail(state_code)
    return district_code is not None and scope.can_see_district(state_code, district_code)


def _flag_where(stmt, month: str, scope: Scope, state_code: str | None, district_code: str | None):
    stmt = stmt.where(DataFlag.month == month)
    if state_code:
        scope.require(scope.can_see_state_detail(state_code), f"data flags of {state_code}")
        stmt = stmt.where(DataFlag.state_code == state_code)
    if district_code:
        stmt = stmt.where(DataFlag.district_code == district_code)
    if scope.role != "national":
        stmt = stmt.where(DataFlag.state_code == scope.state_code)
    if scope.role == "district":
        stmt = stmt.where(DataFlag.district_code == scope.district_code, DataFlag.level != "state")
    return stmt


def _latest_reviews(conn, keys: list[str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for i in range(0, len(keys), 500):
        for r in conn.execute(select(FlagReview.__table__).where(FlagReview.evidence_key.in_(keys[i:i + 500]))
                              .order_by(FlagReview.id)).mappings():
            out[r["evidence_key"]] = dict(r)  # the latest decision wins
    return out


def flags(engine: Engine, month: str, scope: Scope, state_code: str | None = None,
          district_code: str | None = None, status: str | None = "open") -> pd.DataFrame:
    """The month's flags the scope may see (optionally one State or district; `status` open, verified,
    dismissed or None for all), with unit and State names, the evidence (dict) and the latest review."""
    if district_code:
        with engine.connect() as conn:
            d = conn.execute(select(District.state_code).where(District.code == district_code)).first()
        if d is None or not scope.can_see_district(d.state_code, district_code):
            scope.require(False, f"data flags of {district_code}")
    stmt = _flag_where(select(DataFlag.__table__), month, scope, state_code, district_code)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
        reviews = _latest_reviews(conn, sorted({r["evidence_key"] for r in rows}))
        station_names = dict(conn.execute(select(PoliceStation.code, PoliceStation.name).where(
            PoliceStation.code.in_([r["unit_code"] for r in rows if r["level"] == "station"][:5000]))).all())
        district_names = dict(conn.execute(select(District.code, District.name).where(
            District.code.in_({r["district_code"] for r in rows if r["district_code"]}))).all())
    states = state_names(engine)
    out = []
    for r in rows:
        if not _visible(scope, r["level"], r["state_code"], r["district_code"]):
            continue
        review = reviews.get(r["evidence_key"])
        r["status"] = review["decision"] if review else "open"
        if status and r["status"] != status:
            continue
        r["evidence"] = orjson.loads(r["evidence"])
        r["unit_name"] = {"station": station_names, "district": district_names}.get(
            r["level"], states).get(r["unit_code"], r["unit_code"])
        r["district_name"] = district_names.get(r["district_code"] or "", "")
        r["state_name"] = states.get(r["state_code"], r["state_code"])
        r["reason"] = review["reason"] if review else ""
        r["decided_by"] = review["decided_by"] if review else ""
        r["decided_at"] = review["decided_at"] if review else None
        out.append(r)
    cols = ["id", "month", "rule", "level", "unit_code", "unit_name", "state_code", "state_name", "district_code",
            "district_name", "parameter", "evidence", "evidence_key", "status", "reason", "decided_by", "decided_at"]
    df = pd.DataFrame(out, columns=cols)
    return df.sort_values(["state_code", "district_code", "level", "unit_code", "rule"], na_position="first"
                          ).reset_index(drop=True)


def flag_count(engine: Engine, month: str, scope: Scope, state_code: str | None = None,
               district_code: str | None = None) -> int:
    """How many of the month's flags in that State/district still need verification (for the headlines)."""
    return len(flags(engine, month, scope, state_code, district_code, status="open"))
