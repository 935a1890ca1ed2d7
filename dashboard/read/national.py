"""The all-India league table, rank history and the States x parameters matrix."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from dashboard.read.cache import cached
from dashboard.read.common import (
    _UNIT_COLS,
    _add_display,
    _df,
    _name_join,
    _window,
    _with_parameter_names,
)
from dashboard.scope import Scope
from dashboard.store import (
    ResultParam,
    ResultUnit,
    State,
)
from metrics.methodology import DEFAULT_SCHEME


@cached
def states_table(engine: Engine, month: str, category: str | None = None, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """The league table of States/UTs for a month, ordered by rank (unscored last)."""
    stmt = (
        select(*_UNIT_COLS, State.name, State.category)
        .join(State, State.code == ResultUnit.unit_code)
        .where(ResultUnit.scheme == scheme, ResultUnit.month == month, ResultUnit.level == "state")
    )
    if category:
        stmt = stmt.where(State.category == category)
    df = _add_display(_df(engine, stmt))
    rank_col = "rank_category" if category else "rank_national"
    return df.sort_values([rank_col, "name"], na_position="last").reset_index(drop=True)


@cached
def rank_history(
    engine: Engine,
    last_month: str,
    n_months: int = 12,
    level: str = "state",
    unit_codes: list[str] | None = None,
    rank_column: str = "rank_national",
    state_code: str | None = None,
    *,
    scheme: str = DEFAULT_SCHEME,
) -> pd.DataFrame:
    """Long table month, unit_code, name, rank, score_centi over the n months ending at last_month."""
    window = _window(last_month, n_months)
    rank = getattr(ResultUnit, rank_column)
    name_col, join = _name_join(level)
    stmt = (
        select(ResultUnit.month, ResultUnit.unit_code, name_col.label("name"), rank.label("rank"),
               ResultUnit.score_centi)
        .join(*join)
        .where(ResultUnit.level == level, ResultUnit.scheme == scheme, ResultUnit.month.in_(window))
    )
    if unit_codes is not None:
        stmt = stmt.where(ResultUnit.unit_code.in_(unit_codes))
    if state_code is not None:
        stmt = stmt.where(ResultUnit.state_code == state_code)
    df = _df(engine, stmt.order_by(ResultUnit.month, rank))
    df["rank"] = df["rank"].astype("Int64")
    df["score_centi"] = df["score_centi"].astype("Int64")
    return df


@cached
def param_matrix(engine: Engine, month: str, level: str, state_code: str | None = None,
                 scope: Scope | None = None, *, scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """Units x parameters (long form) with pooled values and marks lost: States or a State's districts."""
    if level == "district":
        if state_code is None:
            raise ValueError("state_code is required for districts")
        (scope or Scope.national()).require(
            (scope or Scope.national()).can_see_state_detail(state_code), f"districts of {state_code}"
        )
    name_col, join = _name_join(level)
    stmt = (
        select(ResultParam.unit_code, name_col.label("name"), ResultParam.parameter, ResultParam.numerator,
               ResultParam.denominator, ResultParam.applicable, ResultParam.value, ResultParam.achievement,
               ResultParam.marks, ResultParam.weight, ResultParam.marks_lost, ResultParam.contribution)
        .join(join[0], join[1].left == ResultParam.unit_code)
        .where(ResultParam.scheme == scheme, ResultParam.month == month, ResultParam.level == level)
    )
    if state_code is not None:
        stmt = stmt.where(ResultParam.state_code == state_code)
    df = _df(engine, stmt)
    return _with_parameter_names(engine, month, df, scheme=scheme)
