"""The demo's review meetings: after a month is scored, each State's review assigns its lagging police stations
with most marks at stake to their SPs (and one district action on the parameter that district loses most on),
worded as the lagging list words them. The demo loads its last months around these meetings, so that the
actions are judged by the data that follows, carried over and escalated, like a real review loop."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Engine, select

from dashboard.actions import NewAction, create_actions
from dashboard.display import action_words
from dashboard.read import station_params, stations_table, unit_stakes, version_for
from dashboard.scope import Scope
from dashboard.store import District, ResultParam, ResultUnit
from metrics.methodology import next_month
from metrics.scoring import needed_numerator

PER_STATE = 3  # stations assigned per State at each review
SP_DISTRICT = "HR-KNL"  # the demo's district SP: their district gets its own review too


def review_day(basis_month: str) -> str | None:
    """The 7th of the month after the one reviewed (None when that is not within the last year: today)."""
    day = date.fromisoformat(next_month(basis_month) + "-07")
    return day.isoformat() if date.today() - timedelta(days=360) <= day <= date.today() else None


def hold_reviews(engine: Engine, basis_month: str) -> int:
    """Assign the month's worst gaps in every State (and in the demo SP's district); returns how many."""
    version = version_for(engine, basis_month)
    if version is None:
        return 0
    params = {p.id: p for p in version.parameters}
    national = Scope.national("demo")
    items: dict[str, list[NewAction]] = {}
    day = review_day(basis_month)
    with engine.connect() as conn:
        states = [s for (s,) in conn.execute(select(ResultUnit.unit_code).where(
            ResultUnit.scheme == "cctns", ResultUnit.month == basis_month, ResultUnit.level == "state").order_by(ResultUnit.unit_code))]
    for state in states:
        stakes = unit_stakes(engine, basis_month, national, state)
        if stakes.empty and state != SP_DISTRICT.split("-")[0]:
            continue
        top = stakes.drop_duplicates("station_code").head(PER_STATE)
        if state == SP_DISTRICT.split("-")[0]:
            mine = stakes[stakes["district_code"] == SP_DISTRICT].drop_duplicates("station_code").head(PER_STATE)
            top = pd.concat([top, mine]).drop_duplicates("station_code")
        for r in top.itertuples():
            p = params.get(r.parameter)
            text = action_words(p, r.parameter_name, int(r.numerator), int(r.denominator), int(r.numerator_needed),
                                float(r.at_stake_state))
            items.setdefault(state, []).append(NewAction(
                "station", r.station_code, r.parameter, text, "sp", basis_month=basis_month, review_date=day,
                forum="state_review"))
        if state == SP_DISTRICT.split("-")[0]:
            items.setdefault(state, []).extend(_weakest_stations(engine, basis_month, SP_DISTRICT, params, day,
                                                                 skip=set(top["station_code"])))
        worst = _worst_district_parameter(engine, basis_month, state, params)
        if worst is not None:
            district, parameter, name = worst
            items.setdefault(state, []).append(NewAction(
                "district", district, parameter, f"{name}: bring the district to its target across every station",
                "sp", basis_month=basis_month, review_date=day, forum="state_review"))
    made = 0
    for state, batch in items.items():
        if batch:  # a State (or the SP's district) with nothing left to assign holds no review
            made += len(create_actions(engine, Scope("state", state, None, "demo"), batch,
                                       actor=f"{state.lower()}-review"))
    return made


def _worst_district_parameter(engine: Engine, month: str, state: str, params: dict) -> tuple[str, str, str] | None:
    """The (district, parameter, its name) of the State that loses most marks in its district's score."""
    with engine.connect() as conn:
        row = conn.execute(
            select(ResultParam.unit_code, ResultParam.parameter)
            .join(District, District.code == ResultParam.unit_code)
            .where(ResultParam.scheme == "cctns", ResultParam.month == month, ResultParam.level == "district", District.state_code == state,
                   ResultParam.marks_lost.is_not(None), ResultParam.marks_lost > 0)
            .order_by(ResultParam.marks_lost.desc(), ResultParam.unit_code, ResultParam.parameter)
            .limit(1)).first()
    if row is None or row[1] not in params:
        return None
    return row[0], row[1], params[row[1]].name


def _weakest_stations(engine: Engine, month: str, district: str, params: dict, day: str | None,
                      skip: set[str]) -> list[NewAction]:
    """The SP's own review: the district's lowest-scoring stations that lose marks, on the parameter each
    loses most on (they need not be lagging)."""
    national = Scope.national("demo")
    stations = stations_table(engine, month, district, national)
    stations = stations[stations["score"].notna() & (stations["score"] < 100) & ~stations["unit_code"].isin(skip)]
    out = []
    for code in stations.sort_values(["score", "unit_code"])["unit_code"].head(PER_STATE):
        values = station_params(engine, month, code, national)
        values = values[values["applicable"] & (values["marks_lost"] > 0)].sort_values(
            ["marks_lost", "parameter"], ascending=[False, True])
        if values.empty:
            continue
        v = values.iloc[0]
        p = params.get(v["parameter"])
        num, den = int(v["numerator"]), int(v["denominator"])
        text = action_words(p, v["parameter_name"], num, den, needed_numerator(num, den, p.target), None)
        out.append(NewAction("station", code, v["parameter"], text, "sho", basis_month=month, review_date=day,
                             forum="district_meeting"))
    return out
