"""A State's headline, the States around it, why its rank moved, what it takes to overtake."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from dashboard.display import score_display
from dashboard.read.cache import cached
from dashboard.read.common import _df, _with_parameter_names, unit_info
from dashboard.read.lagging_stations import _lagging_rows, lagging_head
from dashboard.read.national import param_matrix, states_table
from dashboard.read.published import _state_scheme_ranks, _uncached, published_history, reconciliation_row
from dashboard.read.units import districts_table, score_trend, unit_params
from dashboard.scope import OutOfScope, Scope
from dashboard.store import (
    District,
    PoliceStation,
    ResultLagging,
    ResultStake,
    ResultUnit,
)
from metrics.analysis import (
    marks_needed_to_overtake,
    neighbours_of,
    score_change_by_parameter,
    scored_units,
)
from metrics.methodology import (
    DEFAULT_SCHEME,
    previous_month,
)


@cached
def state_headline(engine: Engine, month: str, state_code: str, *, scheme: str = DEFAULT_SCHEME) -> dict | None:
    """Score, ranks and changes, streaks, and the States just above and below (all-India and category)."""
    return _state_headline(engine, month, state_code, states_table(engine, month, scheme=scheme))


@cached  # in the shared query cache (dashboard.read.cache), like the read functions it combines
def state_summary(engine: Engine, month: str, state_code: str, scope: Scope, top: int = 10, *, scheme: str = DEFAULT_SCHEME) -> dict:
    """Everything the State page's summary shows, each table read once, in one cache entry (a cold click
    writes one entry, not one per read function): {"headline": state_headline(...) (None when the State
    has no result this month), "why": why_rank_moved(...), "plan": overtake_plan(...) (its "stations"
    lean: code, name, district name and marks at stake of the first `top`), "standing":
    state_scheme_ranks(...), "reconciliation": the State's row of reconciliation(...) or None,
    "published": published_history(...), "trend" and "compare": score_trend(...) of the State and of the
    State ranked above it (None without one), 24 months}."""
    table = _uncached(states_table)(engine, month, scheme=scheme)
    out: dict = {
        "headline": None, "why": None, "plan": None,
        "standing": _state_scheme_ranks(engine, month, state_code),
        "reconciliation": reconciliation_row(engine, month, state_code, table, scheme=scheme),
        "published": _uncached(published_history)(engine, state_code, scheme=scheme),
        "trend": None, "compare": None,
    }
    headline = _state_headline(engine, month, state_code, table)
    if headline is None:
        return out
    params = _uncached(unit_params)(engine, month, "state", state_code, scheme=scheme)
    out["headline"] = headline
    out["why"] = _why_rank_moved(engine, month, state_code, table, params, scheme=scheme)
    out["plan"] = _overtake_plan(engine, month, state_code, scope, headline, params, top, scheme=scheme,
                                 lean_stations=True)
    out["trend"] = _uncached(score_trend)(engine, "state", state_code, month, 24, scheme=scheme)
    above = (headline.get("neighbours") or {}).get("above")
    if above:
        out["compare"] = _uncached(score_trend)(engine, "state", above["code"], month, 24, scheme=scheme)
    return out


@cached  # one cache entry for the State page's districts, heat-map and lagging panel
def state_detail(engine: Engine, month: str, state_code: str, scope: Scope, top: int = 10, *,
                 scheme: str = DEFAULT_SCHEME) -> dict:
    """What the State page's district section shows: {"districts": districts_table(...), "matrix":
    param_matrix(..., "district", state_code), "lagging": lagging_head(..., n=top) or None when the scope
    may not list the State's stations}. Raises OutOfScope when it may not see the State's districts."""
    districts = _uncached(districts_table)(engine, month, state_code, scope, scheme=scheme)
    matrix = _uncached(param_matrix)(engine, month, "district", state_code=state_code, scope=scope, scheme=scheme)
    try:
        lagging = _uncached(lagging_head)(engine, month, scope, state_code, n=top, scheme=scheme)
    except OutOfScope:
        lagging = None
    return {"districts": districts, "matrix": matrix, "lagging": lagging}


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
    """The States just above and below `code` in `table` (one scope), as `metrics.analysis.neighbours_of`
    picks them, with names, published scores, the gap and the marks needed to overtake."""
    units = scored_units(table)
    above, below = neighbours_of(units, code)
    own = next((u for u in units if u[0] == code), None)
    if own is None:
        return {}
    names = dict(zip(table["unit_code"].tolist(), table["name"].tolist(), strict=True))
    out: dict = {}
    if above is not None:
        out["above"] = {
            "code": above[0], "name": names.get(above[0]), "score_display": score_display(above[2]),
            "gap": float(above[1] - own[1]), "marks_needed": float(marks_needed_to_overtake(own[1], above[1])),
        }
    if below is not None:
        out["below"] = {
            "code": below[0], "name": names.get(below[0]), "score_display": score_display(below[2]),
            "lead": float(own[1] - below[1]),
        }
    return out




@cached
def why_rank_moved(engine: Engine, month: str, state_code: str, neighbours: int = 2, *, scheme: str = DEFAULT_SCHEME) -> dict:
    """Our score change by parameter, beside the score change of the States ranked around us."""
    table = states_table(engine, month, scheme=scheme)
    if not (table["unit_code"] == state_code).any():
        return {"own": pd.DataFrame(), "rivals": pd.DataFrame()}
    return _why_rank_moved(engine, month, state_code, table, unit_params(engine, month, "state", state_code, scheme=scheme),
                           neighbours, scheme=scheme)


def _why_rank_moved(engine: Engine, month: str, state_code: str, table: pd.DataFrame, now_p: pd.DataFrame,
                    neighbours: int = 2, *, scheme: str = DEFAULT_SCHEME) -> dict:
    prev = previous_month(month)
    own = table[table["unit_code"] == state_code]
    if own.empty:
        return {"own": pd.DataFrame(), "rivals": pd.DataFrame()}
    prev_p = _uncached(unit_params)(engine, prev, "state", state_code, scheme=scheme)
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


@cached
def overtake_plan(engine: Engine, month: str, state_code: str, scope: Scope, top: int = 10, *, scheme: str = DEFAULT_SCHEME) -> dict:
    """Marks needed to pass the State above, and the parameters and stations that would earn them."""
    headline = state_headline(engine, month, state_code, scheme=scheme)
    if headline is None:
        return {}
    return _overtake_plan(engine, month, state_code, scope, headline, unit_params(engine, month, "state", state_code, scheme=scheme),
                          top, scheme=scheme)


def _overtake_plan(engine: Engine, month: str, state_code: str, scope: Scope, headline: dict, params: pd.DataFrame,
                   top: int = 10, *, scheme: str = DEFAULT_SCHEME, lean_stations: bool = False) -> dict:
    params = params[params["applicable"]].sort_values("marks_lost", ascending=False)
    plan = {"above": headline["neighbours"].get("above"), "marks_lost": params}
    if scope.can_see_state_stations(state_code):
        stakes = _df(engine, select(ResultStake.parameter, func.sum(ResultStake.at_stake_state).label("at_stake"),
                                    func.count().label("stations"))
                     .where(ResultStake.scheme == scheme, ResultStake.month == month, ResultStake.state_code == state_code)
                     .group_by(ResultStake.parameter))
        plan["by_parameter"] = _with_parameter_names(engine, month, stakes, scheme=scheme).sort_values("at_stake", ascending=False)
        plan["stations"] = (_top_stations(engine, month, state_code, top, scheme=scheme) if lean_stations
                            else _lagging_rows(engine, month, state_code, limit=top, scheme=scheme))  # = lagging(...).head(top)
    return plan


def _top_stations(engine: Engine, month: str, state_code: str, top: int, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """The first `top` lagging stations of `_lagging_rows` (marks at stake for the State, then station
    code): station_code, station_name, district_name, at_stake_state only (the reasons and actions in
    words are not shown beside the overtake plan)."""
    stmt = (select(ResultLagging.station_code, PoliceStation.name.label("station_name"),
                   District.name.label("district_name"), ResultLagging.at_stake_state)
            .join(PoliceStation, PoliceStation.code == ResultLagging.station_code)
            .join(District, District.code == ResultLagging.district_code)
            .join(ResultUnit, and_(ResultUnit.scheme == scheme, ResultUnit.month == ResultLagging.month,
                                   ResultUnit.level == "station", ResultUnit.unit_code == ResultLagging.station_code))
            .where(ResultLagging.scheme == scheme, ResultLagging.month == month, ResultLagging.state_code == state_code)
            .order_by(ResultLagging.at_stake_state.desc(), ResultLagging.station_code).limit(top))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["station_code", "station_name", "district_name",
                                                           "at_stake_state"])
