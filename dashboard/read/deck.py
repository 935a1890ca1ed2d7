"""Lean reads of the review deck (issue 15): what a slide shows about a few units, without reading the
whole State's rows the pages and packs list."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, select

from dashboard.read.cache import cached
from dashboard.scope import Scope
from dashboard.store import ResultStake
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
