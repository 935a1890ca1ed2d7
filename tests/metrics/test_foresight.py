"""metrics.foresight: the projection's distribution and backtest, and each data-to-verify rule on hand-built
series (one that must trigger it, one that must not)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.foresight import (
    ProjectionSettings,
    backtest,
    best_split,
    competition_rank,
    denominator_drops,
    jumps_to_full,
    level_shifts,
    peer_change_outliers,
    project_next_month,
    robust_z,
    too_perfect,
)
from metrics.methodology import month_range

MONTHS = month_range("2025-01", "2026-12")


def _scores(rng: np.random.Generator, n_states: int = 8, n_months: int = 14) -> pd.DataFrame:
    base = rng.uniform(60, 99, n_states)
    steps = rng.normal(0.3, 1.5, (n_months, n_states)).cumsum(axis=0)
    return pd.DataFrame(np.clip(base + steps, 0, 100), index=MONTHS[:n_months],
                        columns=[f"S{i}" for i in range(n_states)])


def test_competition_rank_shares_ties():
    assert competition_rank(np.array([[90.0, 95.0, 95.0, 80.0]])).tolist() == [[3, 1, 1, 4]]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_states=st.integers(2, 12))
def test_p_first_sums_to_one_and_ranges_contain_the_median(seed, n_states):
    scores = _scores(np.random.default_rng(seed), n_states)
    p = project_next_month(scores, scores.index[-1], ProjectionSettings(draws=500))
    assert len(p) == n_states
    assert p["p_first"].sum() == pytest.approx(1.0)
    assert (p["rank_low"] <= p["rank_median"]).all() and (p["rank_median"] <= p["rank_high"]).all()
    assert (p["score_low"] <= p["score_median"]).all() and (p["score_median"] <= p["score_high"]).all()
    assert ((p["p_top5"] >= p["p_first"] - 1e-12) & (p["p_top5"] <= 1)).all()
    assert p["rank_low"].min() >= 1 and p["rank_high"].max() <= n_states


def test_projection_is_seeded_and_reproducible():
    scores = _scores(np.random.default_rng(3))
    a = project_next_month(scores, scores.index[-1])
    b = project_next_month(scores, scores.index[-1])
    pd.testing.assert_frame_equal(a, b)


def test_a_clear_leader_is_likely_first_and_a_close_race_is_shared():
    months = MONTHS[:8]
    scores = pd.DataFrame({"A": [99.0] * 8, "B": [80.0, 81, 79, 80, 82, 80, 79, 81], "C": [80.5, 80, 81, 79, 80, 81, 82, 80]},
                          index=months)
    p = project_next_month(scores, months[-1]).set_index("state_code")
    assert p.loc["A", "p_first"] > 0.99 and p.loc["A", "rank_low"] == p.loc["A", "rank_high"] == 1
    assert p.loc["B", "rank_low"] == 2 and p.loc["B", "rank_high"] == 3  # B and C: 2nd-3rd either way
    assert 0.2 < p.loc["B", "p_improve"] + p.loc["C", "p_improve"] < 1.2


def test_too_little_history_projects_nothing():
    scores = _scores(np.random.default_rng(1), n_months=3)
    assert project_next_month(scores, scores.index[-1]).empty


def test_backtest_reports_coverage_and_the_carry_forward_comparison():
    scores = _scores(np.random.default_rng(7), n_states=10, n_months=20)
    ranks = pd.DataFrame(competition_rank(np.round(scores.to_numpy(), 2)), index=scores.index, columns=scores.columns)
    made = {m: project_next_month(scores, m) for m in scores.index}
    b = backtest(made, ranks, scores.index[-1], 12)
    assert len(b.months) == 12 and b.checks == 120
    assert 0.0 <= b.coverage <= 1.0 and b.mae_model is not None and b.mae_carry is not None
    # a hand check of one month: the carry-forward error is |rank before - rank after|
    target, origin = scores.index[-1], scores.index[-2]
    one = backtest({origin: made[origin]}, ranks, target, 1)
    assert one.mae_carry == pytest.approx(float((ranks.loc[origin] - ranks.loc[target]).abs().mean()))


def test_backtest_says_when_the_model_is_no_better_than_carrying_forward():
    months = MONTHS[:6]
    ranks = pd.DataFrame({"A": [1] * 6, "B": [2] * 6}, index=months, dtype=float)
    made = {m: pd.DataFrame({"state_code": ["A", "B"], "rank_now": [1, 2], "rank_low": [1, 1], "rank_high": [2, 2],
                             "rank_median": [2, 1], "p_first": [0.5, 0.5]}) for m in months}
    b = backtest(made, ranks, months[-1], 12)
    assert b.coverage == 1.0 and b.mae_carry == 0.0 and b.mae_model == 1.0 and not b.model_better


# --- data to verify ---------------------------------------------------------------------------------------


def _rows(series: dict[str, list[tuple[int, int]]], level: str = "station", months=None, state="XX",
          district="XX-D1") -> pd.DataFrame:
    months = months or MONTHS
    out = []
    for unit, pairs in series.items():
        for m, (num, den) in zip(months, pairs, strict=False):
            out.append({"month": m, "level": level, "unit_code": unit, "state_code": state,
                        "district_code": district if level != "state" else None, "parameter": "p1",
                        "numerator": num, "denominator": den})
    return pd.DataFrame(out)


def test_robust_z():
    z = robust_z(pd.Series([1.0, 2.0, 3.0, 4.0, 100.0]))
    assert z.iloc[2] == 0 and z.iloc[4] == pytest.approx((100 - 3) / (1.4826 * 1.0))
    assert robust_z(pd.Series([5.0, 5.0, 5.0])).isna().all()


def _peers(outlier_now: tuple[int, int]) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    series = {f"S{i:02d}": [(int(n), 200) for n in rng.integers(150, 170, 2)] for i in range(20)}
    series["ODD"] = [(120, 200), outlier_now]
    return _rows(series)


def test_peer_change_triggers_on_a_change_far_outside_the_peers():
    f = peer_change_outliers(_peers((199, 200)))
    assert f["unit_code"].tolist() == ["ODD"] and f["month"].tolist() == [MONTHS[1]]
    assert f.iloc[0]["evidence"]["z"] > 3.5 and f.iloc[0]["evidence"]["peers"] == 21


def test_peer_change_does_not_trigger_on_an_ordinary_change():
    assert peer_change_outliers(_peers((125, 200))).empty  # +2.5 points: within the peers' spread


def test_peer_change_needs_a_change_worth_checking():
    flat = {f"S{i:02d}": [(160, 200), (160, 200)] for i in range(20)}
    small = _rows({**flat, "ODD": [(160, 200), (196, 200)]})  # +18 points: z 3.6 against flat peers
    assert peer_change_outliers(small).empty
    big = _rows({**flat, "ODD": [(100, 200), (160, 200)]})  # +30 points
    assert peer_change_outliers(big)["unit_code"].tolist() == ["ODD"]


def test_jump_to_full():
    assert jumps_to_full(_rows({"A": [(150, 200), (200, 200)]}))["unit_code"].tolist() == ["A"]
    assert jumps_to_full(_rows({"A": [(170, 200), (200, 200)]})).empty  # from 85 %: not below 80 %
    assert jumps_to_full(_rows({"A": [(150, 200), (197, 200)]})).empty  # to 98.5 %: not 99.5 %
    assert jumps_to_full(_rows({"A": [(7, 10), (10, 10)]})).empty  # a base of 10: chance


def test_denominator_drop_with_a_flat_numerator():
    f = denominator_drops(_rows({"A": [(100, 200), (101, 120)]}))
    assert f["unit_code"].tolist() == ["A"] and f.iloc[0]["evidence"]["denominator_change"] == pytest.approx(-0.4)
    assert denominator_drops(_rows({"A": [(100, 200), (60, 120)]})).empty  # numerator fell with it
    assert denominator_drops(_rows({"A": [(100, 200), (100, 150)]})).empty  # -25 %


def test_level_shift_lasting_step_and_no_shift_in_noise():
    rng = np.random.default_rng(5)
    step = [(int(n), 100) for n in np.r_[rng.integers(60, 64, 8), rng.integers(90, 94, 8)]]
    f = level_shifts(_rows({"D": step}, level="district"), MONTHS[15])
    assert len(f) == 1 and f.iloc[0]["month"] == MONTHS[8]
    assert f.iloc[0]["evidence"]["shift"] == pytest.approx(30, abs=4)
    noise = [(int(n), 100) for n in rng.integers(60, 70, 16)]
    assert level_shifts(_rows({"D": noise}, level="district"), MONTHS[15]).empty
    assert level_shifts(_rows({"D": step[:10]}, level="district"), MONTHS[9]).empty  # under 12 months


def _fullness(station_full: list[bool], others_full: bool) -> pd.DataFrame:
    rows = []
    for t, m in enumerate(MONTHS[:len(station_full)]):
        rows.append({"month": m, "unit_code": "P", "state_code": "XX", "district_code": "D", "parameters": 10,
                     "full_parameters": 10 if station_full[t] else 9})
        for k in range(4):
            rows.append({"month": m, "unit_code": f"Q{k}", "state_code": "XX", "district_code": "D", "parameters": 10,
                         "full_parameters": 10 if others_full else 7 + k % 3})
    return pd.DataFrame(rows)


def test_too_perfect_station_in_a_varying_district():
    f = too_perfect(_fullness([False] + [True] * 7, others_full=False))
    assert f["month"].tolist() == MONTHS[6:8] and set(f["unit_code"]) == {"P"}
    assert f.iloc[0]["evidence"]["from_month"] == MONTHS[1]
    assert f["evidence_key"].nunique() == 1  # one streak, one key: a dismissal holds for it
    assert too_perfect(_fullness([False] + [True] * 5, others_full=False)).empty  # 5 months
    assert too_perfect(_fullness([True] * 8, others_full=True)).empty  # the whole district is at 100 %


@settings(max_examples=60, deadline=None)
@given(n=st.integers(8, 30), step_at=st.integers(0, 29), step=st.floats(-40, 40), seed=st.integers(0, 10_000))
def test_best_split_is_the_break_ruptures_binary_segmentation_finds(n, step_at, step, seed):
    """The level-shift break, computed for every series at once, is the one ruptures' Binseg (l2, one break,
    min_size 4, jump 1) finds series by series (ruptures is a test dependency only: importing it costs an
    import process a second and a half of scipy)."""
    ruptures = pytest.importorskip("ruptures")
    rng = np.random.default_rng(seed)
    shifted = rng.normal(70, 3, n) + np.where(np.arange(n) >= step_at % n, step, 0.0)
    flat = rng.normal(50, 5, n)
    breaks, error = best_split(np.vstack([shifted, flat]), 4)  # every series at once
    for series, b, e in zip((shifted, flat), breaks, error, strict=True):
        assert b == ruptures.Binseg(model="l2", min_size=4, jump=1).fit(series.reshape(-1, 1)).predict(n_bkps=1)[0]
        direct = ((series[:b] - series[:b].mean()) ** 2).sum() + ((series[b:] - series[b:].mean()) ** 2).sum()
        assert e == pytest.approx(direct, rel=1e-9, abs=1e-9)


def test_best_split_hand_computed():
    """[1, 1, 1, 1, 5, 5, 5, 5, 5]: the break before the first 5, no error left; too short for two
    segments of four: no break."""
    breaks, error = best_split(np.array([[1, 1, 1, 1, 5, 5, 5, 5, 5.0]]), 4)
    assert breaks.tolist() == [4] and error[0] == pytest.approx(0.0, abs=1e-12)
    assert best_split(np.array([[1.0, 2, 3, 4, 5, 6, 7]]), 4)[0].tolist() == [0]
