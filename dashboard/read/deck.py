"""Lean reads of the review deck (issue 15): what a slide shows about a few units, without reading the
whole State's rows the pages and packs list."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, select

from dashboard.read.cache import cached
from dashboard.read.state import _overtake_plan, state_headline
from dashboard.read.units import unit_params
from dashboard.scope import Scope
from dashboard.store import ResultParam, ResultStake
from metrics.methodology import DEFAULT_SCHEME


@cached
def first_fixes(engine: Engine, month: str, scope: Scope, state_code: str, district_code: str | None,
                station_codes: Sequence[str], *, scheme: str = DEFAULT_SCHEME) -> dict[str, str]:
    """The parameter each of the lagging stations `station_codes` (of a State, or of one of its districts)
    should fix first: its largest marks at stake for the State, ties by parameter id, as
    `stakes_by_station(unit_stakes(...))` orders them for the lagging page and the packs. Stations without
    marks at stake are left out. Scope: the stations of the State (or district) must be visible."""
    if district_code is None:
        scope.require(scope.can_see_state_stations(state_code), f"stations of {state_code}")
    else:
        scope.require(scope.can_see_district(state_code, district_code), f"stations of {district_code}")
    codes = list(dict.fromkeys(station_codes))
    if not codes:
        return {}
    stmt = select(ResultStake.station_code, ResultStake.parameter, ResultStake.at_stake_state).where(
        ResultStake.scheme == scheme, ResultStake.month == month, ResultStake.state_code == state_code,
        ResultStake.station_code.in_(codes))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    best: dict[str, tuple[float, str]] = {}
    for code, parameter, stake in rows:
        key = (-float(stake), parameter)
        if code not in best or key < best[code]:
            best[code] = key
    return {code: key[1] for code, key in best.items()}


@cached
def marks_plan(engine: Engine, month: str, state_code: str, scope: Scope, *, scheme: str = DEFAULT_SCHEME) -> dict:
    """`overtake_plan` as the deck and the packs use it: the State's applicable parameters by marks lost and,
    where the scope may see the State's stations, the marks at stake by parameter; its "stations" only as
    codes, names and marks (none of the review shows them: `overtake_plan` words the reasons of each)."""
    headline = state_headline(engine, month, state_code, scheme=scheme)
    if headline is None:
        return {}
    return _overtake_plan(engine, month, state_code, scope, headline,
                          unit_params(engine, month, "state", state_code, scheme=scheme), scheme=scheme,
                          lean_stations=True)


@cached
def state_contributions(engine: Engine, months: Sequence[str], state_codes: Sequence[str], *,
                        scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """month, unit_code, parameter, contribution of a few States in a few months: the columns of
    `param_matrix(..., "state")` the rivals' change by parameter needs, for those States only."""
    codes, wanted = list(dict.fromkeys(state_codes)), list(dict.fromkeys(months))
    columns = ["month", "unit_code", "parameter", "contribution"]
    if not codes or not wanted:
        return pd.DataFrame(columns=columns)
    stmt = select(ResultParam.month, ResultParam.unit_code, ResultParam.parameter, ResultParam.contribution).where(
        ResultParam.scheme == scheme, ResultParam.month.in_(wanted), ResultParam.level == "state",
        ResultParam.unit_code.in_(codes))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)
