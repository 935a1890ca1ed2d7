"""The scoring rules of metrics/RULES.md for one month, vectorised with numpy/pandas.

Pooled values, rule 3 imputation, applicability, achievement and marks, scores at three levels,
published scores (half up, exact), competition ranks, marks lost, marks at stake and lagging stations.

Floats are used for speed; every decision that depends on an exact boundary (rounding at x.xx5, the
lagging threshold, full achievement, critical achievement) is either made in integer arithmetic or,
when a float lies within a hair of the boundary, re-made with `fractions.Fraction` from the integer
numerators/denominators and the Fraction weights/targets. A float can never flip a published score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from metrics.methodology import Parameter, Version, days_in_month

__all__ = [
    "MasterData",
    "MonthScores",
    "score_month",
    "station_parameter_values",
    "publish_centi",
    "exact_score",
]

# A float score (0..100) is accurate to ~1e-13; anything within this of a decision boundary is re-decided
# exactly. Generous on purpose: the exact path is cheap and only hit by a handful of units.
_AMBIGUOUS = 1e-7
_INT_SAFE = float(2**62)

UNIT_COLUMNS = [
    "level", "unit_code", "state_code", "district_code", "category", "reported", "stations_active",
    "stations_reported", "marks_sum", "weight_sum", "score", "score_centi", "rank_national",
    "rank_category", "rank_in_state", "rank_in_district", "lagging",
]
PARAM_COLUMNS = [
    "level", "unit_code", "state_code", "district_code", "parameter", "numerator", "denominator",
    "imputed", "applicable", "value", "achievement", "marks", "weight", "marks_lost", "contribution",
]
LAGGING_COLUMNS = [
    "station_code", "district_code", "state_code", "score", "not_reported", "low_score",
    "critical_parameters", "at_stake_state", "at_stake_district",
]
STAKE_COLUMNS = [
    "station_code", "district_code", "state_code", "parameter", "numerator", "denominator",
    "numerator_needed", "at_stake_state", "at_stake_district",
]


@dataclass(frozen=True)
class MasterData:
    """Master data: States/UTs, districts and police stations (opened/closed 'YYYY-MM' or missing)."""

    states: pd.DataFrame  # state_code, name, category
    districts: pd.DataFrame  # district_code, state_code, name
    stations: pd.DataFrame  # station_code, district_code, name, opened, closed


@dataclass(frozen=True)
class MonthScores:
    """Everything one month's scoring produces (see docs/ARCHITECTURE.md for the columns).

    Choices within the contract: a station is `reported` when it has a row for at least one station-level
    parameter of the version in force (rows of other parameters do not exist for the month, rule 1);
    `imputed` of a district/State row is True when any of its stations' rows was filled by rule 3;
    `lagging` is False for States and districts; `at_stake_*` are float differences of the exact scores
    (accurate to ~1e-12), and per station they are the sum of its per-parameter stakes (each parameter's
    pool changes independently).
    """

    units: pd.DataFrame
    params: pd.DataFrame
    lagging: pd.DataFrame
    stakes: pd.DataFrame


# ---------------------------------------------------------------------------------------------------
# exact helpers


def publish_centi(score: Fraction | int) -> int:
    """Rule 7: the published score x 100, rounded half up from the exact score (99.995 -> 10000)."""
    return math.floor(Fraction(score) * 100 + Fraction(1, 2))


def needed_numerator(numerator: int, denominator: int, target: Fraction | float) -> int:
    """Rule 11's numerator' for one row: max(numerator, min(denominator, ceil(target * denominator / 100)))."""
    t = Fraction(target)
    return max(numerator, min(denominator, -(-t.numerator * denominator // (100 * t.denominator))))


def exact_score(numerators, denominators, parameters: tuple[Parameter, ...] | list[Parameter]) -> Fraction | None:
    """Rules 4-6 in exact arithmetic for one unit: parallel integer numerators/denominators per parameter.

    Returns None when no parameter applies ("no data").
    """
    marks = Fraction(0)
    weights = Fraction(0)
    for n, d, p in zip(numerators, denominators, parameters, strict=True):
        n, d = int(n), int(d)
        if d <= 0:
            continue
        achievement = min(Fraction(100 * n, d) / p.target, Fraction(1))
        marks += p.weight * achievement
        weights += p.weight
    if weights == 0:
        return None
    return 100 * marks / weights


def _mul(a: np.ndarray, *factors) -> np.ndarray:
    """Integer product, in int64 when it cannot overflow, otherwise with Python ints (object arrays)."""
    out = np.asarray(a)
    for f in factors:
        f = np.asarray(f)
        bound = float(np.abs(out).max(initial=0)) * float(np.abs(f).max(initial=0))
        if out.dtype != object and f.dtype != object and bound < _INT_SAFE:
            out = out.astype(np.int64) * f.astype(np.int64)
        else:
            out = out.astype(object) * f.astype(object)
    return out


def _ceil_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return -((-a) // b)


# ---------------------------------------------------------------------------------------------------
# parameters as arrays


@dataclass(frozen=True)
class _Params:
    params: tuple[Parameter, ...]
    ids: np.ndarray  # object
    weight: np.ndarray  # float
    target: np.ndarray  # float
    tp: np.ndarray  # int64 target numerator
    tq: np.ndarray  # int64 target denominator
    kind: np.ndarray  # object
    critical: np.ndarray  # bool

    @staticmethod
    def of(params: tuple[Parameter, ...]) -> _Params:
        return _Params(
            params=tuple(params),
            ids=np.array([p.id for p in params], dtype=object),
            weight=np.array([float(p.weight) for p in params], dtype=float),
            target=np.array([float(p.target) for p in params], dtype=float),
            tp=np.array([p.target.numerator for p in params], dtype=np.int64),
            tq=np.array([p.target.denominator for p in params], dtype=np.int64),
            kind=np.array([p.kind for p in params], dtype=object),
            critical=np.array([p.critical for p in params], dtype=bool),
        )

    def __add__(self, other: _Params) -> _Params:
        return _Params.of(self.params + other.params)

    def __len__(self) -> int:
        return len(self.params)


@dataclass
class _Eval:
    """Rules 4-6 for a block of units x parameters."""

    num: np.ndarray
    den: np.ndarray
    applicable: np.ndarray
    full: np.ndarray  # achievement is exactly 1 (decided in integers)
    value: np.ndarray
    achievement: np.ndarray
    marks: np.ndarray
    marks_sum: np.ndarray
    weight_sum: np.ndarray
    score: np.ndarray
    centi: np.ndarray  # float with NaN; integers
    exact: dict[int, Fraction]  # exact scores of the units whose floats were near a boundary


def _evaluate(num: np.ndarray, den: np.ndarray, pa: _Params, lag: Fraction | None = None) -> _Eval:
    applicable = den > 0
    full = applicable & (_mul(num, 100, pa.tq) >= _mul(den, pa.tp)).astype(bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(applicable, 100.0 * num / np.where(applicable, den, 1), np.nan)
        achievement = np.where(full, 1.0, np.minimum(value / pa.target, 1.0))
    achievement = np.where(applicable, achievement, np.nan)
    marks = pa.weight * achievement
    marks_sum = np.where(applicable, marks, 0.0).sum(axis=1)
    weight_sum = np.where(applicable, pa.weight, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(weight_sum > 0, np.clip(100.0 * marks_sum / weight_sum, 0.0, 100.0), np.nan)
    c = score * 100.0
    centi = np.floor(c + 0.5)
    near = np.isfinite(c) & (np.abs(c - np.floor(c) - 0.5) < _AMBIGUOUS * 100)
    if lag is not None:
        near |= np.isfinite(score) & (np.abs(score - float(lag)) < _AMBIGUOUS)
    exact: dict[int, Fraction] = {}
    for i in np.flatnonzero(near):
        ex = exact_score(num[i], den[i], pa.params)
        if ex is not None:
            exact[int(i)] = ex
            centi[i] = publish_centi(ex)
    return _Eval(num, den, applicable, full, value, achievement, marks, marks_sum, weight_sum, score, centi, exact)


def _below(ev: _Eval, threshold: Fraction) -> np.ndarray:
    """Exact `score < threshold` (False for units without a score)."""
    low = np.isfinite(ev.score) & (ev.score < float(threshold))
    for i, ex in ev.exact.items():
        low[i] = ex < threshold
    return low


# ---------------------------------------------------------------------------------------------------
# inputs


def _codes(series: pd.Series) -> np.ndarray:
    return series.astype(object).to_numpy()


def _active_mask(stations: pd.DataFrame, month: str) -> np.ndarray:
    """A station is active in `month` when opened <= month <= closed (a missing bound is open)."""
    n = len(stations)
    if n == 0:
        return np.zeros(0, dtype=bool)
    opened = stations["opened"] if "opened" in stations else pd.Series([None] * n)
    closed = stations["closed"] if "closed" in stations else pd.Series([None] * n)
    o = opened.astype("string").fillna("").to_numpy(dtype=object, na_value="")
    c = closed.astype("string").fillna("").to_numpy(dtype=object, na_value="")
    o = np.where(o == "", "0000-00", o).astype(str)
    c = np.where(c == "", "9999-99", c).astype(str)
    return (o <= month) & (c >= month)


def _int_column(df: pd.DataFrame, col: str) -> np.ndarray:
    values = df[col]
    if values.isna().any():
        raise ValueError(f"{col}: missing values in rows to score")
    return values.to_numpy(dtype=np.int64)


def _check_values(num: np.ndarray, den: np.ndarray, kind: np.ndarray, dim: int, what: str) -> None:
    """The Inputs section of the rules: anything else is rejected, never scored."""
    bad = (num < 0) | (den < 0) | (num > den)
    bad |= (kind == "days") & (den != dim)
    bad |= (kind == "flag") & ((den != 1) | (num > 1))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{what}: {int(bad.sum())} invalid row(s), e.g. {kind[i]} parameter with "
            f"numerator {int(num[i])} / denominator {int(den[i])} (days in month {dim})"
        )


def _row_matrix(
    rows: pd.DataFrame | None,
    code_col: str,
    units: pd.Index,
    known: pd.Index | None,
    pa: _Params,
    dim: int,
    what: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows -> dense (numerator, denominator, has_row) matrices of units x parameters.

    Rows of parameters outside `pa` are ignored (not in the version / other level), as are rows of
    codes in `known` but not in `units` (inactive stations); other unknown codes are an error
    (ignored when `known` is None).
    """
    shape = (len(units), len(pa))
    num = np.zeros(shape, dtype=np.int64)
    den = np.zeros(shape, dtype=np.int64)
    has = np.zeros(shape, dtype=bool)
    if rows is None or len(rows) == 0 or len(pa) == 0:
        return num, den, has
    codes = rows[code_col].astype(object).to_numpy()
    j = pd.Index(pa.ids).get_indexer(rows["parameter"].astype(object).to_numpy())
    i = units.get_indexer(codes)
    if known is not None:
        unknown = (i < 0) & (known.get_indexer(codes) < 0)
        if unknown.any():
            raise ValueError(f"{what}: unknown {code_col} {codes[np.flatnonzero(unknown)[0]]!r}")
    keep = (i >= 0) & (j >= 0)
    i, j = i[keep], j[keep]
    sub = rows.loc[keep]
    n = _int_column(sub, "numerator")
    d = _int_column(sub, "denominator")
    _check_values(n, d, pa.kind[j], dim, what)
    flat = i * len(pa) + j
    if len(flat) and np.bincount(flat, minlength=shape[0] * shape[1]).max() > 1:
        raise ValueError(f"{what}: duplicate rows for the same {code_col} and parameter")
    num[i, j] = n
    den[i, j] = d
    has[i, j] = True
    return num, den, has


def _impute(num: np.ndarray, den: np.ndarray, has: np.ndarray, pa: _Params, dim: int) -> np.ndarray:
    """Rule 3 in place: missing days rows -> 0/dim, missing flag rows -> 0/1. Returns the imputed mask."""
    fill = np.where(pa.kind == "days", dim, np.where(pa.kind == "flag", 1, 0)).astype(np.int64)
    imputed = ~has & (fill > 0)
    den[imputed] = np.broadcast_to(fill, den.shape)[imputed]
    num[imputed] = 0
    return imputed


def _group_sum(idx: np.ndarray, mat: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros((n, mat.shape[1]), dtype=mat.dtype)
    if len(idx):
        np.add.at(out, idx, mat)
    return out


# ---------------------------------------------------------------------------------------------------
# ranks


def _competition_rank(centi: np.ndarray, group: np.ndarray | None = None) -> pd.Series:
    """Rule 8: "1224" ranks on the published score, highest first, within each group (integer codes);
    NaN (no score) is not ranked."""
    n = len(centi)
    ranks = np.zeros(n, dtype=np.int64)
    scored = np.flatnonzero(np.isfinite(centi))
    if len(scored):
        g = np.zeros(len(scored), dtype=np.int64) if group is None else np.asarray(group)[scored]
        c = centi[scored]
        order = np.lexsort((-c, g))
        gs, cs = g[order], c[order]
        pos = np.arange(len(order))
        new_group = np.r_[True, gs[1:] != gs[:-1]]
        new_value = new_group | np.r_[True, cs[1:] != cs[:-1]]
        group_start = np.maximum.accumulate(np.where(new_group, pos, 0))
        run_start = np.maximum.accumulate(np.where(new_value, pos, 0))
        ranks[scored[order]] = run_start - group_start + 1
    out = pd.array(ranks, dtype="Int64")
    out[~np.isfinite(centi)] = pd.NA
    return pd.Series(out)


# ---------------------------------------------------------------------------------------------------
# marks at stake (rule 11)


def _marks_change(ev: _Eval, pa: _Params, u: np.ndarray, j: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """Change in marks of parameter j of unit u when its pooled numerator grows by delta."""
    N, D = ev.num[u, j], ev.den[u, j]
    full_old = ev.full[u, j]
    full_new = (_mul(N + delta, 100, pa.tq[j]) >= _mul(D, pa.tp[j])).astype(bool)
    w, t = pa.weight[j], pa.target[j]
    with np.errstate(divide="ignore", invalid="ignore"):
        partial = w * 100.0 * delta / (t * D)
        to_full = w * (1.0 - ev.achievement[u, j])
    return np.where(full_old, 0.0, np.where(full_new, to_full, partial))


# ---------------------------------------------------------------------------------------------------
# the month


@dataclass
class _Stations:
    codes: np.ndarray
    district: np.ndarray  # index into districts
    state: np.ndarray  # index into states
    num: np.ndarray
    den: np.ndarray
    has: np.ndarray
    imputed: np.ndarray


def _station_block(
    month: str, pa: _Params, stations: pd.DataFrame, district_index: pd.Index, district_state: np.ndarray,
    station_rows: pd.DataFrame | None, strict: bool,
) -> _Stations:
    active = _active_mask(stations, month)
    act = stations.loc[active]
    codes = _codes(act["station_code"])
    d_idx = district_index.get_indexer(_codes(act["district_code"]))
    if (d_idx < 0).any():
        if strict:
            bad = codes[np.flatnonzero(d_idx < 0)[0]]
            raise ValueError(f"station {bad!r} belongs to an unknown district")
        act, codes, d_idx = act[d_idx >= 0], codes[d_idx >= 0], d_idx[d_idx >= 0]
    dim = days_in_month(month)
    known = pd.Index(_codes(stations["station_code"])) if strict else None
    num, den, has = _row_matrix(station_rows, "station_code", pd.Index(codes), known, pa, dim, "station rows")
    imputed = _impute(num, den, has, pa, dim)
    s_idx = district_state[d_idx] if len(d_idx) else np.zeros(0, dtype=np.int64)
    return _Stations(codes, d_idx, s_idx, num, den, has, imputed)


def _params_frame(
    level: str, codes: np.ndarray, state_codes: np.ndarray, district_codes: np.ndarray, ev: _Eval, pa: _Params,
    imputed: np.ndarray,
) -> pd.DataFrame:
    """Flatten a units x parameters block into long rows of `params`."""
    n, p = ev.num.shape
    with np.errstate(divide="ignore", invalid="ignore"):
        ws = ev.weight_sum[:, None]
        marks_lost = np.where(ev.applicable, 100.0 * (pa.weight - ev.marks) / ws, np.nan)
        contribution = np.where(ev.applicable, 100.0 * ev.marks / ws, np.nan)
    return pd.DataFrame(
        {
            "level": np.full(n * p, level, dtype=object),
            "unit_code": np.repeat(codes, p),
            "state_code": np.repeat(state_codes, p),
            "district_code": pd.Series(np.repeat(district_codes, p), dtype=object),
            "parameter": np.tile(pa.ids, n),
            "numerator": ev.num.reshape(-1).astype(np.int64),
            "denominator": ev.den.reshape(-1).astype(np.int64),
            "imputed": imputed.reshape(-1),
            "applicable": ev.applicable.reshape(-1),
            "value": ev.value.reshape(-1),
            "achievement": ev.achievement.reshape(-1),
            "marks": ev.marks.reshape(-1),
            "weight": np.tile(pa.weight, n),
            "marks_lost": marks_lost.reshape(-1),
            "contribution": contribution.reshape(-1),
        }
    )


def station_parameter_values(
    month: str, version: Version, stations: pd.DataFrame, station_rows: pd.DataFrame
) -> pd.DataFrame:
    """The station level of `params` for just `stations` (those active in `month`), on demand.

    `stations` has station_code, district_code and optionally state_code, opened, closed; rows of other
    stations are ignored.
    """
    pa = _Params.of(version.station_parameters)
    stations = stations.reset_index(drop=True)
    dcodes = pd.Index(pd.unique(_codes(stations["district_code"]))) if len(stations) else pd.Index([])
    st = _station_block(month, pa, stations, dcodes, np.zeros(len(dcodes), dtype=np.int64), station_rows, False)
    ev = _evaluate(st.num, st.den, pa)
    active = stations.loc[_active_mask(stations, month)]
    state_codes = _codes(active["state_code"]) if "state_code" in active else np.full(len(active), None, object)
    return _params_frame("station", st.codes, state_codes, _codes(active["district_code"]), ev, pa, st.imputed)


def station_values_from_counts(
    version: Version, station_codes: np.ndarray, district_codes: np.ndarray, num: np.ndarray, den: np.ndarray,
    imputed: np.ndarray,
) -> pd.DataFrame:
    """`station_parameter_values` from counts already pivoted and imputed (rule 3): stations x the
    version's station parameters (in its order) of numerators, denominators and imputed flags, as
    `score_month` computed them (the pages keep them so as not to rescore a month's rows on each click)."""
    pa = _Params.of(version.station_parameters)
    ev = _evaluate(num, den, pa)
    return _params_frame("station", np.asarray(station_codes, dtype=object), np.full(len(station_codes), None, object),
                         np.asarray(district_codes, dtype=object), ev, pa, imputed)


def score_month(
    month: str,
    version: Version,
    master: MasterData,
    station_rows: pd.DataFrame | None,
    state_rows: pd.DataFrame | None,
) -> MonthScores:
    """Score one month (rules 2-8, 10-12) with the version in force (rule 1 is the caller's choice)."""
    dim = days_in_month(month)
    pa = _Params.of(version.station_parameters)
    pq = _Params.of(version.state_parameters)
    pall = pa + pq
    P = len(pa)

    states = master.states.reset_index(drop=True)
    districts = master.districts.reset_index(drop=True)
    stations = master.stations.reset_index(drop=True)
    state_codes = _codes(states["state_code"])
    state_index = pd.Index(state_codes)
    category = _codes(states["category"]) if "category" in states else np.full(len(states), None, object)
    district_codes = _codes(districts["district_code"])
    district_state = state_index.get_indexer(_codes(districts["state_code"]))
    if (district_state < 0).any():
        bad = district_codes[np.flatnonzero(district_state < 0)[0]]
        raise ValueError(f"district {bad!r} belongs to an unknown State/UT")
    S, D = len(states), len(districts)

    st = _station_block(month, pa, stations, pd.Index(district_codes), district_state, station_rows, True)
    N = len(st.codes)

    # rule 2: pooled sums of active stations (rule 3 rows included)
    d_num, d_den = _group_sum(st.district, st.num, D), _group_sum(st.district, st.den, D)
    s_num, s_den = _group_sum(st.state, st.num, S), _group_sum(st.state, st.den, S)
    d_imp = _group_sum(st.district, st.imputed.astype(np.int64), D) > 0
    s_imp = _group_sum(st.state, st.imputed.astype(np.int64), S) > 0
    # state-level rows: no row -> 0/0 -> not applicable (rule 4)
    q_num, q_den, _ = _row_matrix(state_rows, "state_code", state_index, state_index, pq, dim, "state rows")
    S_num = np.hstack([s_num, q_num])
    S_den = np.hstack([s_den, q_den])
    S_imp = np.hstack([s_imp, np.zeros_like(q_num, dtype=bool)])

    ev_st = _evaluate(st.num, st.den, pa, lag=version.lagging_score_below)
    ev_d = _evaluate(d_num, d_den, pa)
    ev_s = _evaluate(S_num, S_den, pall)

    # reporting
    reported = st.has.any(axis=1) if P else np.zeros(N, dtype=bool)
    d_active = np.bincount(st.district, minlength=D)
    d_reported = np.bincount(st.district, weights=reported, minlength=D).astype(np.int64)
    s_active = np.bincount(st.state, minlength=S)
    s_reported = np.bincount(st.state, weights=reported, minlength=S).astype(np.int64)

    # rule 11: marks at stake per station x parameter, against the State and the district
    need = np.minimum(st.den, _ceil_div(_mul(st.den, pa.tp), 100 * pa.tq))
    needed = np.maximum(st.num, np.asarray(need, dtype=np.int64))
    delta = needed - st.num
    ii, jj = np.nonzero(delta > 0)
    dd = delta[ii, jj]
    stake_state = 100.0 * _marks_change(ev_s, pall, st.state[ii], jj, dd) / ev_s.weight_sum[st.state[ii]]
    stake_district = 100.0 * _marks_change(ev_d, pa, st.district[ii], jj, dd) / ev_d.weight_sum[st.district[ii]]
    station_stake_state = np.bincount(ii, weights=stake_state, minlength=N)
    station_stake_district = np.bincount(ii, weights=stake_district, minlength=N)

    # rule 12: lagging
    not_reported = ~reported
    low = _below(ev_st, version.lagging_score_below)
    crit_cols = np.flatnonzero(pa.critical)
    ca, cb = version.critical_achievement_below.numerator, version.critical_achievement_below.denominator
    crit = np.zeros((N, len(crit_cols)), dtype=bool)
    if len(crit_cols):
        n, d = st.num[:, crit_cols], st.den[:, crit_cols]
        crit = (d > 0) & (_mul(n, 100, pa.tq[crit_cols], cb) < _mul(d, pa.tp[crit_cols], ca)).astype(bool)
    lagging = not_reported | low | crit.any(axis=1)

    # units
    station_district_codes = district_codes[st.district] if N else np.zeros(0, dtype=object)
    station_state_codes = state_codes[st.state] if N else np.zeros(0, dtype=object)
    d_state_codes = state_codes[district_state] if D else np.zeros(0, dtype=object)
    state_units = pd.DataFrame(
        {
            "level": "state",
            "unit_code": state_codes,
            "state_code": state_codes,
            "district_code": pd.Series([None] * S, dtype=object),
            "category": category,
            "reported": s_reported > 0,
            "stations_active": s_active.astype(np.int64),
            "stations_reported": s_reported,
            "marks_sum": ev_s.marks_sum,
            "weight_sum": ev_s.weight_sum,
            "score": ev_s.score,
            "score_centi": pd.array(ev_s.centi, dtype="Float64").astype("Int64"),
            "rank_national": _competition_rank(ev_s.centi),
            "rank_category": _competition_rank(ev_s.centi, pd.factorize(pd.Series(category).fillna(""))[0]),
            "rank_in_state": pd.array([pd.NA] * S, dtype="Int64"),
            "rank_in_district": pd.array([pd.NA] * S, dtype="Int64"),
            "lagging": np.zeros(S, dtype=bool),
        }
    )
    district_units = pd.DataFrame(
        {
            "level": "district",
            "unit_code": district_codes,
            "state_code": d_state_codes,
            "district_code": pd.Series(district_codes, dtype=object),
            "category": category[district_state] if D else np.zeros(0, dtype=object),
            "reported": d_reported > 0,
            "stations_active": d_active.astype(np.int64),
            "stations_reported": d_reported,
            "marks_sum": ev_d.marks_sum,
            "weight_sum": ev_d.weight_sum,
            "score": ev_d.score,
            "score_centi": pd.array(ev_d.centi, dtype="Float64").astype("Int64"),
            "rank_national": pd.array([pd.NA] * D, dtype="Int64"),
            "rank_category": pd.array([pd.NA] * D, dtype="Int64"),
            "rank_in_state": _competition_rank(ev_d.centi, district_state),
            "rank_in_district": pd.array([pd.NA] * D, dtype="Int64"),
            "lagging": np.zeros(D, dtype=bool),
        }
    )
    station_units = pd.DataFrame(
        {
            "level": "station",
            "unit_code": st.codes,
            "state_code": station_state_codes,
            "district_code": pd.Series(station_district_codes, dtype=object),
            "category": category[st.state] if N else np.zeros(0, dtype=object),
            "reported": reported,
            "stations_active": np.ones(N, dtype=np.int64),
            "stations_reported": reported.astype(np.int64),
            "marks_sum": ev_st.marks_sum,
            "weight_sum": ev_st.weight_sum,
            "score": ev_st.score,
            "score_centi": pd.array(ev_st.centi, dtype="Float64").astype("Int64"),
            "rank_national": pd.array([pd.NA] * N, dtype="Int64"),
            "rank_category": pd.array([pd.NA] * N, dtype="Int64"),
            "rank_in_state": _competition_rank(ev_st.centi, st.state),
            "rank_in_district": _competition_rank(ev_st.centi, st.district),
            "lagging": lagging,
        }
    )
    units = pd.concat([state_units, district_units, station_units], ignore_index=True)[UNIT_COLUMNS]
    units["district_code"] = units["district_code"].astype(object).where(units["district_code"].notna(), None)

    params = pd.concat(
        [
            _params_frame("state", state_codes, state_codes, np.full(S, None, dtype=object), ev_s, pall, S_imp),
            _params_frame("district", district_codes, d_state_codes, district_codes, ev_d, pa, d_imp),
            _params_frame(
                "station", st.codes, station_state_codes, station_district_codes, ev_st, pa, st.imputed
            ),
        ],
        ignore_index=True,
    )[PARAM_COLUMNS]
    params["district_code"] = params["district_code"].astype(object).where(params["district_code"].notna(), None)

    # lagging list
    lag_idx = np.flatnonzero(lagging)
    if len(crit_cols):
        code = crit[lag_idx].astype(np.int64) @ (np.int64(1) << np.arange(len(crit_cols), dtype=np.int64))
        ids = pa.ids[crit_cols]
        lookup = {int(c): tuple(ids[[(int(c) >> k) & 1 == 1 for k in range(len(crit_cols))]]) for c in np.unique(code)}
        crit_tuples = pd.Series(code).map(lookup).tolist()
    else:
        crit_tuples = [()] * len(lag_idx)
    lag = pd.DataFrame(
        {
            "station_code": st.codes[lag_idx],
            "district_code": station_district_codes[lag_idx],
            "state_code": station_state_codes[lag_idx],
            "score": ev_st.score[lag_idx],
            "not_reported": not_reported[lag_idx],
            "low_score": low[lag_idx],
            "critical_parameters": pd.Series(crit_tuples, dtype=object),
            "at_stake_state": station_stake_state[lag_idx],
            "at_stake_district": station_stake_district[lag_idx],
        }
    )
    lag = lag.sort_values(["at_stake_state", "station_code"], ascending=[False, True], kind="mergesort")
    lag = lag.reset_index(drop=True)[LAGGING_COLUMNS]

    keep = (stake_state > 0) | (stake_district > 0)
    ii, jj = ii[keep], jj[keep]
    stakes = pd.DataFrame(
        {
            "station_code": st.codes[ii],
            "district_code": station_district_codes[ii],
            "state_code": station_state_codes[ii],
            "parameter": pa.ids[jj],
            "numerator": st.num[ii, jj],
            "denominator": st.den[ii, jj],
            "numerator_needed": needed[ii, jj],
            "at_stake_state": stake_state[keep],
            "at_stake_district": stake_district[keep],
        }
    )[STAKE_COLUMNS]
    return MonthScores(units=units, params=params, lagging=lag, stakes=stakes)
