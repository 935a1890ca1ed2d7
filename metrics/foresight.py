"""Looking ahead, honestly labelled as estimates: next month's State scores and ranks as a distribution (a
joint smoothed bootstrap of the States' recent month-on-month changes, every draw ranked), its backtest
against carrying the last rank forward, and the "data to verify" rules on unit x parameter x month series.

Pure numpy/pandas (change points as ruptures' binary segmentation finds them); no Dash, Flask or SQLAlchemy.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.methodology import next_month, previous_month

__all__ = [
    "FLAG_COLUMNS",
    "FLAG_RULES",
    "PROJECTION_COLUMNS",
    "DEFAULT_FLAGS",
    "DEFAULT_PROJECTION",
    "BacktestSummary",
    "FlagSettings",
    "ProjectionSettings",
    "all_full_streaks",
    "backtest",
    "best_split",
    "competition_rank",
    "denominator_drops",
    "evidence_key",
    "jumps_to_full",
    "level_shifts",
    "level_shifts_wide",
    "month_pairs",
    "peer_change_outliers",
    "project_next_month",
    "robust_z",
    "too_perfect",
]

# --- projection ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectionSettings:
    draws: int = 4000
    history: int = 12  # month-on-month changes used (the last `history`)
    min_changes: int = 3  # fewer than this: no projection for that origin month
    damping: float = 0.5  # share of a State's recent mean change carried into next month
    coverage: float = 0.8  # the rank range holds this share of the draws
    seed: int = 2026


DEFAULT_PROJECTION = ProjectionSettings()
PROJECTION_COLUMNS = ("state_code", "rank_now", "score_now", "p_first", "p_top5", "p_improve", "rank_low",
                      "rank_high", "rank_median", "score_median", "score_low", "score_high")


def competition_rank(scores: np.ndarray) -> np.ndarray:
    """Rank rows of `scores` (draws x States) descending, ties sharing the best rank (1, 2, 2, 4)."""
    scores = np.atleast_2d(scores)
    order = np.argsort(-scores, axis=1, kind="stable")
    sorted_scores = np.take_along_axis(scores, order, axis=1)
    n = scores.shape[1]
    positions = np.broadcast_to(np.arange(1, n + 1), scores.shape)
    new_value = np.ones(scores.shape, dtype=bool)
    new_value[:, 1:] = sorted_scores[:, 1:] != sorted_scores[:, :-1]
    first_of_tie = np.maximum.accumulate(np.where(new_value, positions, 0), axis=1)
    ranks = np.empty(scores.shape, dtype=np.int64)
    np.put_along_axis(ranks, order, first_of_tie, axis=1)
    return ranks


def _month_seed(seed: int, month: str) -> np.random.Generator:
    return np.random.default_rng([seed, int(month[:4]), int(month[5:7])])


def project_next_month(scores: pd.DataFrame, origin: str,
                       settings: ProjectionSettings = DEFAULT_PROJECTION) -> pd.DataFrame:
    """Project the month after `origin` from `scores` (index: months 'YYYY-MM' ascending; columns: State
    codes; values: scores 0-100, NaN when not scored) using the months up to and including `origin`.

    Each draw picks one past month for all States at once (so a month that was hard for everyone stays hard
    for everyone), takes each State's change in that month around its own mean change, adds a damped share
    of that mean and a small Gaussian smoothing (Silverman's bandwidth of the State's changes), clips to
    0-100 and ranks every draw. Returns one row per State scored in `origin` (PROJECTION_COLUMNS), empty
    when fewer than `settings.min_changes` changes are known. Seeded by `settings.seed` and `origin`."""
    past = scores.loc[scores.index <= origin].astype(float)
    if origin not in past.index:
        return pd.DataFrame(columns=list(PROJECTION_COLUMNS))
    now = past.loc[origin]
    states = now.index[now.notna()]
    changes = past[states].diff().iloc[1:].tail(settings.history)
    changes = changes.dropna(how="all")
    if len(states) == 0 or len(changes) < settings.min_changes:
        return pd.DataFrame(columns=list(PROJECTION_COLUMNS))
    c = changes.to_numpy()  # months x States
    mean = np.nanmean(c, axis=0)
    mean = np.where(np.isnan(mean), 0.0, mean)
    centred = np.where(np.isnan(c), 0.0, c - mean)  # a State without a change that month: its mean
    n_obs = np.maximum(np.sum(~np.isnan(c), axis=0), 1)
    sd = np.sqrt(np.sum(centred**2, axis=0) / np.maximum(n_obs - 1, 1))
    bandwidth = 1.06 * sd * n_obs ** (-0.2)
    rng = _month_seed(settings.seed, origin)
    picks = rng.integers(0, len(c), size=settings.draws)
    noise = rng.standard_normal((settings.draws, len(states))) * bandwidth
    level = now[states].to_numpy()
    drawn = level + settings.damping * mean + centred[picks] + noise
    drawn = np.clip(drawn, 0.0, 100.0)
    ranks = competition_rank(np.round(drawn, 2))
    rank_now = competition_rank(np.round(level, 2)[None, :])[0]
    tail = (1.0 - settings.coverage) / 2
    out = pd.DataFrame({
        "state_code": list(states),
        "rank_now": rank_now,
        "score_now": level,
        "p_first": (ranks == 1).mean(axis=0),
        "p_top5": (ranks <= 5).mean(axis=0),
        "p_improve": (ranks < rank_now).mean(axis=0),
        "rank_low": np.quantile(ranks, tail, axis=0, method="lower").astype(np.int64),
        "rank_high": np.quantile(ranks, 1 - tail, axis=0, method="higher").astype(np.int64),
        "rank_median": np.quantile(ranks, 0.5, axis=0, method="lower").astype(np.int64),
        "score_median": np.median(drawn, axis=0),
        "score_low": np.quantile(drawn, tail, axis=0),
        "score_high": np.quantile(drawn, 1 - tail, axis=0),
    })
    # ties for first share the draw: P(first) is normalised so that it sums to 1 over the States
    total = out["p_first"].sum()
    if total > 0:
        out["p_first"] = out["p_first"] / total
    return out.sort_values(["rank_median", "rank_now", "state_code"]).reset_index(drop=True)


@dataclass(frozen=True)
class BacktestSummary:
    months: tuple[str, ...]  # target months checked
    checks: int  # State x month pairs
    coverage: float | None  # share of pairs whose actual rank fell in the 80 % range
    mae_model: float | None  # mean |projected median rank - actual rank|
    mae_carry: float | None  # mean |last rank - actual rank| (carrying the rank forward)
    brier_model: float | None  # mean squared error of P(first) against who came first
    brier_carry: float | None  # the same for "the State first last month stays first" (P = 1 or 0)

    @property
    def model_better(self) -> bool:
        """Better than carrying the rank forward: a smaller mean rank error (ties count as no better)."""
        return (self.mae_model is not None and self.mae_carry is not None
                and self.mae_model < self.mae_carry - 1e-9)


def backtest(projections: dict[str, pd.DataFrame], actual_ranks: pd.DataFrame, last_month: str,
             n_months: int = 12) -> BacktestSummary:
    """Score the projections made at each origin month (`projections[origin]`, as from project_next_month)
    against what happened the month after, for the `n_months` target months ending at `last_month`.
    `actual_ranks`: index months, columns State codes, values the published national rank."""
    targets = [m for m in actual_ranks.index if m <= last_month][-n_months:]
    held: list[bool] = []
    err_model: list[float] = []
    err_carry: list[float] = []
    brier_model: list[float] = []
    brier_carry: list[float] = []
    used: list[str] = []
    for target in targets:
        origin = _previous(actual_ranks.index, target)
        proj = projections.get(origin) if origin else None
        if proj is None or proj.empty or next_month(origin) != target:
            continue
        actual = actual_ranks.loc[target]
        # each projected State's row as plain values, in the projection's order (a pandas row lookup per
        # State was most of an import's backtest time); the same sums in the same order as row by row
        states = proj["state_code"].tolist()
        found = [actual.get(s, np.nan) for s in states]
        keep = [i for i, a in enumerate(found) if not pd.isna(a)]
        if not keep:
            continue
        used.append(target)
        columns = {c: proj[c].tolist() for c in ("rank_low", "rank_high", "rank_median", "rank_now", "p_first")}
        for i in keep:
            a = float(found[i])
            low, high, median, now, p_first = (columns[c][i] for c in ("rank_low", "rank_high", "rank_median",
                                                                           "rank_now", "p_first"))
            held.append(bool(low <= a <= high))
            err_model.append(abs(float(median) - a))
            err_carry.append(abs(float(now) - a))
            first = 1.0 if a == 1 else 0.0
            brier_model.append((float(p_first) - first) ** 2)
            brier_carry.append(((1.0 if now == 1 else 0.0) - first) ** 2)

    def mean(xs: list) -> float | None:
        return float(np.mean(xs)) if xs else None

    return BacktestSummary(tuple(used), len(held), mean(held), mean(err_model), mean(err_carry),
                           mean(brier_model), mean(brier_carry))


def _previous(index: Sequence[str], month: str) -> str | None:
    earlier = [m for m in index if m < month]
    return earlier[-1] if earlier else None


# --- data to verify --------------------------------------------------------------------------------------

FLAG_RULES = {
    "peer_change": "change far outside its peers'",
    "jump_to_full": "jump to 99.5 % or more from below 80 % in one month",
    "denominator_drop": "denominator fell by more than 30 % while the numerator stayed flat",
    "level_shift": "lasting level shift",
    "too_perfect": "exactly 100 % on every parameter for 6 or more months while the district varies",
}

FLAG_COLUMNS = ("month", "rule", "level", "unit_code", "state_code", "district_code", "parameter",
                "evidence", "evidence_key")


@dataclass(frozen=True)
class FlagSettings:
    z_threshold: float = 3.5
    min_peers: int = 10  # fewer peers with a change: no z-score
    min_denominator: int = 50  # both months: smaller bases swing by chance (see README: the demo's texture)
    mad_floor: float = 5.0  # percentage points: a MAD of 0 (everyone flat) would make any change infinite
    min_change: float = 20.0  # percentage points: a smaller change is not worth a person's check, whatever its z
    jump_from_below: float = 80.0
    jump_to_at_least: float = 99.5
    denominator_drop: float = 0.30
    numerator_flat: float = 0.05  # |change| <= this share of the previous numerator (and <= 2 records)
    shift_months: int = 12  # at least this many months of history
    shift_min_segment: int = 4  # months on each side of the break: the new level lasts
    shift_min_points: float = 10.0  # percentage points
    shift_min_noise_ratio: float = 4.0  # shift / within-segment standard deviation
    perfect_months: int = 6
    perfect_min_parameters: int = 3
    perfect_district_share: float = 0.5  # the district's other stations all-full in fewer than half


DEFAULT_FLAGS = FlagSettings()


def evidence_key(*parts: object) -> str:
    """A stable fingerprint of a flag's evidence: a dismissal holds until the evidence changes."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]


def robust_z(values: pd.Series, floor: float = 0.0) -> pd.Series:
    """(x - median) / (1.4826 x MAD), the MAD floored at `floor`; NaN where the scale is 0."""
    med = values.median()
    scale = max(1.4826 * float((values - med).abs().median()), floor)
    if not scale or math.isnan(scale):
        return pd.Series(np.nan, index=values.index)
    return (values - med) / scale


def _pct(num: pd.Series, den: pd.Series) -> pd.Series:
    return (100.0 * num / den.where(den > 0)).astype(float)


def month_pairs(rows: pd.DataFrame) -> pd.DataFrame:
    """Each unit x parameter x month joined to the same unit x parameter in the calendar month before:
    adds numerator_prev, denominator_prev, value, value_prev. `rows`: month, level, unit_code, state_code,
    district_code, parameter, numerator, denominator. The month-on-month rules take these rows or, already
    paired (a `numerator_prev` column), these pairs: a caller with many rows pairs them where they are stored,
    keeping only the pairs whose previous base is `min_denominator`+ (no rule looks at the others)."""
    if rows.empty:
        return rows.assign(numerator_prev=[], denominator_prev=[], value=[], value_prev=[])
    key = ["level", "unit_code", "parameter"]
    prev = rows[[*key, "month", "numerator", "denominator"]].copy()
    following = {m: next_month(m) for m in prev["month"].unique()}  # a few months, many rows
    prev["month"] = prev["month"].map(following)
    pairs = rows.merge(prev.rename(columns={"numerator": "numerator_prev", "denominator": "denominator_prev"}),
                       on=[*key, "month"], how="inner")
    pairs["value"] = _pct(pairs["numerator"], pairs["denominator"])
    pairs["value_prev"] = _pct(pairs["numerator_prev"], pairs["denominator_prev"])
    return pairs


def _pairs(rows: pd.DataFrame) -> pd.DataFrame:
    return rows if "numerator_prev" in rows.columns else month_pairs(rows)


def _big_enough(pairs: pd.DataFrame, s: FlagSettings) -> pd.Series:
    return (pairs["denominator"] >= s.min_denominator) & (pairs["denominator_prev"] >= s.min_denominator)


def _flags(frame: pd.DataFrame, rule: str, evidence: list[dict], keys: list[str]) -> pd.DataFrame:
    out = frame[["month", "level", "unit_code", "state_code", "district_code", "parameter"]].copy()
    out.insert(1, "rule", rule)
    out["evidence"] = evidence
    out["evidence_key"] = keys
    return out.reset_index(drop=True)[list(FLAG_COLUMNS)]


def _empty_flags() -> pd.DataFrame:
    return pd.DataFrame(columns=list(FLAG_COLUMNS))


def peer_change_outliers(rows: pd.DataFrame, s: FlagSettings = DEFAULT_FLAGS) -> pd.DataFrame:
    """Robust z of the month-on-month change in percentage points against the unit's peers (the same level,
    parameter and month; stations: the stations of the same State; States: all States), |z| > threshold:
    z = (change - peers' median change) / max(1.4826 x MAD, mad_floor, the change's own sampling noise)."""
    pairs = _pairs(rows)
    pairs = pairs[_big_enough(pairs, s)].copy() if len(pairs) else pairs
    if pairs.empty:
        return _empty_flags()
    pairs["change"] = pairs["value"] - pairs["value_prev"]
    pairs["peer_group"] = np.where(pairs["level"] == "station", pairs["state_code"], "*")
    # the peer groups numbered once (four text keys factorised once, not once per statistic)
    gid = pairs.groupby(["level", "month", "parameter", "peer_group"], sort=False).ngroup()
    group = pairs["change"].groupby(gid, sort=False)
    med = group.transform("median")
    mad = (pairs["change"] - med).abs().groupby(gid, sort=False).transform("median")
    peers = group.transform("size")
    # the scale is floored by the sampling noise of this unit's own change (binomial, at the peers' typical
    # level kept within 5-95 %): with most peers flat at 100 % the MAD is 0, and a station with a base of 20
    # moves 5 points when one record moves
    level = pairs["value"].groupby(gid, sort=False).transform("median")
    q = (level / 100.0).clip(0.05, 0.95)
    noise = 100.0 * np.sqrt(q * (1 - q) * (1.0 / pairs["denominator_prev"] + 1.0 / pairs["denominator"]))
    scale = np.maximum(np.maximum(1.4826 * mad, s.mad_floor), noise)
    pairs["z"] = (pairs["change"] - med) / scale
    pairs["peer_median"], pairs["peer_mad"], pairs["peers"], pairs["scale"] = med, mad, peers, scale
    hit = pairs[(pairs["peers"] >= s.min_peers) & (pairs["z"].abs() > s.z_threshold)
                & ((pairs["change"] - med).abs() >= s.min_change)]
    evidence = [{"value_prev": r.value_prev, "value": r.value, "change": r.change, "peer_median": r.peer_median,
                 "peer_mad": r.peer_mad, "scale": r.scale, "peers": int(r.peers), "z": r.z,
                 "numerator_prev": int(r.numerator_prev), "denominator_prev": int(r.denominator_prev),
                 "numerator": int(r.numerator), "denominator": int(r.denominator)} for r in hit.itertuples()]
    keys = [evidence_key("peer_change", r.level, r.unit_code, r.parameter, r.month, r.numerator_prev,
                         r.denominator_prev, r.numerator, r.denominator) for r in hit.itertuples()]
    return _flags(hit, "peer_change", evidence, keys)


def jumps_to_full(rows: pd.DataFrame, s: FlagSettings = DEFAULT_FLAGS) -> pd.DataFrame:
    """From below 80 % to 99.5 % or more in one month (both months with a base of min_denominator+)."""
    pairs = _pairs(rows)
    if pairs.empty:
        return _empty_flags()
    hit = pairs[_big_enough(pairs, s) & (pairs["value_prev"] < s.jump_from_below)
                & (pairs["value"] >= s.jump_to_at_least)]
    evidence = [{"value_prev": r.value_prev, "value": r.value, "numerator_prev": int(r.numerator_prev),
                 "denominator_prev": int(r.denominator_prev), "numerator": int(r.numerator),
                 "denominator": int(r.denominator)} for r in hit.itertuples()]
    keys = [evidence_key("jump_to_full", r.level, r.unit_code, r.parameter, r.month, r.numerator_prev,
                         r.denominator_prev, r.numerator, r.denominator) for r in hit.itertuples()]
    return _flags(hit, "jump_to_full", evidence, keys)


def denominator_drops(rows: pd.DataFrame, s: FlagSettings = DEFAULT_FLAGS) -> pd.DataFrame:
    """The base shrank by more than 30 % in a month while the numerator stayed flat (records leaving the base
    instead of being completed)."""
    pairs = _pairs(rows)
    if pairs.empty:
        return _empty_flags()
    flat = (pairs["numerator"] - pairs["numerator_prev"]).abs() <= np.maximum(
        2.0, s.numerator_flat * pairs["numerator_prev"])
    drop = pairs["denominator"] < (1.0 - s.denominator_drop) * pairs["denominator_prev"]
    hit = pairs[(pairs["denominator_prev"] >= s.min_denominator) & drop & flat & (pairs["numerator_prev"] > 0)]
    evidence = [{"numerator_prev": int(r.numerator_prev), "denominator_prev": int(r.denominator_prev),
                 "numerator": int(r.numerator), "denominator": int(r.denominator),
                 "denominator_change": (r.denominator - r.denominator_prev) / r.denominator_prev,
                 "value_prev": r.value_prev, "value": r.value} for r in hit.itertuples()]
    keys = [evidence_key("denominator_drop", r.level, r.unit_code, r.parameter, r.month, r.numerator_prev,
                         r.denominator_prev, r.numerator, r.denominator) for r in hit.itertuples()]
    return _flags(hit, "denominator_drop", evidence, keys)


def best_split(block: np.ndarray, min_size: int) -> tuple[np.ndarray, np.ndarray]:
    """For each row of `block` (series x months, no gaps): the single break minimising the within-segment
    squared error with `min_size`+ points each side, and that error. This is exactly the first step of binary
    segmentation with the l2 cost (ruptures' `Binseg(model="l2", min_size, jump=1)`, ties to the later break
    as ruptures breaks them; the tests check the two agree), computed for every series at once from running
    sums instead of one ruptures fit per series (and without importing scipy, a second and a half per import
    process). Returns (breaks: index of the first point after the break, errors); breaks are 0 when the
    series is too short for two segments."""
    n = block.shape[1]
    splits = np.arange(min_size, n - min_size + 1)
    if len(splits) == 0:
        return np.zeros(len(block), dtype=np.int64), np.full(len(block), np.nan)
    csum, csum2 = np.cumsum(block, axis=1), np.cumsum(block**2, axis=1)
    left = csum2[:, splits - 1] - csum[:, splits - 1] ** 2 / splits
    right = (csum2[:, -1:] - csum2[:, splits - 1]) - (csum[:, -1:] - csum[:, splits - 1]) ** 2 / (n - splits)
    error = left + right
    last_min = error.shape[1] - 1 - np.argmin(error[:, ::-1], axis=1)
    return splits[last_min], error[np.arange(len(block)), last_min]


def level_shifts(rows: pd.DataFrame, last_month: str, s: FlagSettings = DEFAULT_FLAGS) -> pd.DataFrame:
    """A lasting step in a unit x parameter series of `shift_months`+ consecutive months ending at
    `last_month`: binary segmentation's single break (l2 cost, `shift_min_segment` months on each side:
    `best_split`) finds it; flagged when the step is `shift_min_points`+ points and `shift_min_noise_ratio`
    times the noise within the segments. The flag's month is the first month at the new level."""
    if rows.empty:
        return _empty_flags()
    data = rows[rows["month"] <= last_month].copy()
    data["value"] = _pct(data["numerator"], data["denominator"])
    data = data.dropna(subset=["value"])
    if data.empty:
        return _empty_flags()
    key = ["level", "unit_code", "parameter"]
    wide = data.drop_duplicates([*key, "month"]).pivot(index=key, columns="month", values="value")
    parents = data.drop_duplicates(key).set_index(key)[["state_code", "district_code"]]
    return level_shifts_wide(wide, parents, last_month, s)


def level_shifts_wide(wide: pd.DataFrame, parents: pd.DataFrame, last_month: str,
                      s: FlagSettings = DEFAULT_FLAGS) -> pd.DataFrame:
    """`level_shifts` on series already laid out: `wide` has one row per (level, unit_code, parameter) and
    one column per month ('YYYY-MM', percent values, NaN where none); `parents` the same index with
    state_code and district_code."""
    if wide.empty:
        return _empty_flags()
    # the calendar months ending at last_month with data in any series (a gap ends the window)
    have = set(wide.columns)
    months = [last_month]
    while previous_month(months[0]) in have:
        months.insert(0, previous_month(months[0]))
    if last_month not in have or len(months) < s.shift_months:
        return _empty_flags()
    values = wide[months].to_numpy(dtype=float)
    present = ~np.isnan(values)
    # each series' run of consecutive months with a value, ending at last_month
    run = np.cumprod(present[:, ::-1], axis=1).sum(axis=1)
    out: list[dict] = []
    for length in sorted(set(run[run >= s.shift_months].tolist())):
        rows_at = np.flatnonzero(run == length)
        block = values[rows_at][:, -length:]
        breaks, error = best_split(block, s.shift_min_segment)
        if not breaks.any():
            continue
        idx = np.arange(len(block))
        csum = np.cumsum(block, axis=1)
        before_mean = csum[idx, breaks - 1] / breaks
        after_mean = (csum[:, -1] - csum[idx, breaks - 1]) / (length - breaks)
        shift = after_mean - before_mean
        noise = np.sqrt(np.maximum(error, 0.0) / max(length - 2, 1))
        hits = (np.abs(shift) >= s.shift_min_points) & (np.abs(shift) >= s.shift_min_noise_ratio * np.maximum(noise, 0.5))
        for i in np.flatnonzero(hits):
            b = int(breaks[i])
            series = block[i]
            before, after = series[:b], series[b:]
            level, unit, parameter = wide.index[rows_at[i]]
            window = months[-length:]
            state_code, district_code = parents.loc[(level, unit, parameter)]
            out.append({"month": window[b], "level": level, "unit_code": unit, "state_code": state_code,
                        "district_code": None if pd.isna(district_code) else district_code, "parameter": parameter,
                        "evidence": {"mean_before": float(before.mean()), "mean_after": float(after.mean()),
                                     "shift": float(after.mean() - before.mean()),
                                     "noise": float(np.sqrt((np.sum((before - before.mean()) ** 2)
                                                             + np.sum((after - after.mean()) ** 2)) / max(length - 2, 1))),
                                     "months_before": len(before), "months_after": len(after),
                                     "from_month": window[0], "to_month": window[-1]},
                        "evidence_key": evidence_key("level_shift", level, unit, parameter, window[b])})
    if not out:
        return _empty_flags()
    frame = pd.DataFrame(out)
    frame.insert(1, "rule", "level_shift")
    return frame[list(FLAG_COLUMNS)]


def all_full_streaks(full: pd.DataFrame) -> pd.DataFrame:
    """`full`: month, unit_code, all_full (bool). Adds `streak` (consecutive calendar months all-full ending
    at that month; 0 when not all-full) and `streak_start` (None when not all-full)."""
    f = full.sort_values(["unit_code", "month"]).reset_index(drop=True)
    if f.empty:
        return f.assign(streak=pd.Series(dtype=np.int64), streak_start=pd.Series(dtype=object))
    ok = f["all_full"].to_numpy(dtype=bool)
    index = f["month"].str[:4].astype(int).to_numpy() * 12 + f["month"].str[5:7].astype(int).to_numpy()
    unit = f["unit_code"].to_numpy()
    cont = np.zeros(len(f), dtype=bool)
    cont[1:] = ok[1:] & ok[:-1] & (unit[1:] == unit[:-1]) & (index[1:] - index[:-1] == 1)
    run = np.cumsum(~cont)
    streak = pd.Series(1, index=f.index).groupby(run).cumsum().to_numpy()
    start = f["month"].groupby(run).transform("first").to_numpy(dtype=object)
    return f.assign(streak=np.where(ok, streak, 0), streak_start=np.where(ok, start, None))


def too_perfect(stations: pd.DataFrame, s: FlagSettings = DEFAULT_FLAGS) -> pd.DataFrame:
    """`stations`: month, unit_code (station), state_code, district_code, parameters (count with a base),
    full_parameters (count at exactly 100 %). Flags a station at exactly 100 % on every parameter
    (at least `perfect_min_parameters`) for `perfect_months`+ consecutive months, in each month of such a
    streak in which fewer than half of its district's other stations were all-full on average over the
    streak (the district varies). The evidence key is the streak's first month: a dismissal holds for it."""
    if stations.empty:
        return _empty_flags()
    st = stations.copy()
    st["all_full"] = (st["parameters"] >= s.perfect_min_parameters) & (st["full_parameters"] == st["parameters"])
    by_district = st.groupby(["month", "district_code"])["all_full"].agg(["sum", "size"]).reset_index()
    st = st.merge(by_district, on=["month", "district_code"], how="left")
    others = (st["size"] - 1).clip(lower=0)
    st["district_share"] = np.where(others > 0, (st["sum"] - st["all_full"].astype(int)) / others.where(others > 0),
                                    np.nan)
    streaks = all_full_streaks(st[["month", "unit_code", "all_full"]])
    st = st.drop(columns="all_full").merge(streaks, on=["month", "unit_code"], how="left")
    st = st.sort_values(["unit_code", "month"]).reset_index(drop=True)
    # the mean district share over each streak: running sums within the unit, differenced at the start
    share = st["district_share"]
    st["_sum"] = share.fillna(0.0).groupby(st["unit_code"]).cumsum()
    st["_n"] = share.notna().astype(int).groupby(st["unit_code"]).cumsum()
    at = st[st["streak"] >= s.perfect_months]
    if at.empty:
        return _empty_flags()
    start_pos = at.index - (at["streak"] - 1)
    before_sum = np.where(at["streak"].to_numpy() > 0, st["_sum"].shift(1).fillna(0.0).to_numpy()[start_pos], 0.0)
    before_n = st["_n"].shift(1).fillna(0).to_numpy()[start_pos]
    same_unit = st["unit_code"].to_numpy()[np.maximum(start_pos - 1, 0)] == at["unit_code"].to_numpy()
    before_sum = np.where(same_unit & (start_pos > 0), before_sum, 0.0)
    before_n = np.where(same_unit & (start_pos > 0), before_n, 0)
    n = at["_n"].to_numpy() - before_n
    mean_share = np.where(n > 0, (at["_sum"].to_numpy() - before_sum) / np.maximum(n, 1), np.nan)
    hits = at[(n > 0) & (mean_share < s.perfect_district_share)]
    mean_share = mean_share[(n > 0) & (mean_share < s.perfect_district_share)]
    if hits.empty:
        return _empty_flags()
    evidence = [{"months": int(r.streak), "from_month": r.streak_start, "parameters": int(r.parameters),
                 "district_all_full_share": float(m)} for r, m in zip(hits.itertuples(), mean_share, strict=True)]
    keys = [evidence_key("too_perfect", "station", r.unit_code, r.streak_start) for r in hits.itertuples()]
    return _flags(hits.assign(level="station", parameter="*"), "too_perfect", evidence, keys)
