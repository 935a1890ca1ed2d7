"""Derived views of scored months: rank changes, streaks, neighbour gaps, score-change decomposition.

Pure pandas/numpy/fractions helpers used by recompute and the pages.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
import pandas as pd

from metrics.scoring import publish_centi

__all__ = [
    "RANK_CHANGE_COLUMNS",
    "PEER_GROUPS",
    "add_rank_changes",
    "streaks",
    "neighbour_gaps",
    "neighbours_of",
    "scored_units",
    "score_change_by_parameter",
    "marks_needed_to_overtake",
    "peer_group",
    "centi_of",
]

RANK_CHANGE_COLUMNS = {
    "rank_national": "rank_change_national",
    "rank_category": "rank_change_category",
    "rank_in_state": "rank_change_in_state",
    "rank_in_district": "rank_change_in_district",
}


def add_rank_changes(units: pd.DataFrame, previous_units: pd.DataFrame | None) -> pd.DataFrame:
    """Rule 9: add `rank_change_*` (previous - current, NA when either is missing) and `score_change_centi`.

    Units are matched on (level, unit_code); positive rank change = moved up.
    """
    out = units.copy()
    cols = [c for c in (*RANK_CHANGE_COLUMNS, "score_centi") if c in out.columns]
    prev_cols = [c for c in cols if previous_units is not None and c in previous_units.columns]
    if previous_units is None or len(previous_units) == 0 or not prev_cols:
        prev = pd.DataFrame(index=out.index)
    else:
        p = previous_units[["level", "unit_code", *prev_cols]].drop_duplicates(["level", "unit_code"])
        key = pd.MultiIndex.from_frame(out[["level", "unit_code"]].astype(object))
        p = p.set_index(["level", "unit_code"])
        p.index = pd.MultiIndex.from_arrays([p.index.get_level_values(i).astype(object) for i in range(2)])
        prev = p.reindex(key)
        prev.index = out.index
    for rank_col, change_col in RANK_CHANGE_COLUMNS.items():
        now = out[rank_col].astype("Int64") if rank_col in out else pd.Series(pd.NA, index=out.index, dtype="Int64")
        before = prev[rank_col].astype("Int64") if rank_col in prev else pd.Series(pd.NA, index=out.index, dtype="Int64")
        out[change_col] = (before - now).astype("Int64")
    now = out["score_centi"].astype("Int64") if "score_centi" in out else pd.Series(pd.NA, index=out.index, dtype="Int64")
    before = prev["score_centi"].astype("Int64") if "score_centi" in prev else pd.Series(pd.NA, index=out.index, dtype="Int64")
    out["score_change_centi"] = (now - before).astype("Int64")
    return out


def _month_index(months: pd.Series) -> np.ndarray:
    text = months.astype(str)
    return text.str.slice(0, 4).astype(int).to_numpy() * 12 + text.str.slice(5, 7).astype(int).to_numpy() - 1


def streaks(history: pd.DataFrame, month: str) -> pd.DataFrame:
    """Consecutive calendar months ending at `month` at rank 1 (`streak_at_1`) and rank <= 5
    (`streak_top5`), per unit of `history` (columns month, unit_code, rank; one scope).

    A month without a rank (or missing from the history) ends the streak; 0 when not ranked in `month`.
    """
    units = pd.unique(history["unit_code"]) if len(history) else np.array([], dtype=object)
    out = pd.DataFrame({"unit_code": units})
    if len(history) == 0:
        out["streak_at_1"] = np.zeros(0, dtype=np.int64)
        out["streak_top5"] = np.zeros(0, dtype=np.int64)
        return out
    h = history[["month", "unit_code", "rank"]].copy()
    h["m"] = _month_index(h["month"])
    target = int(month[:4]) * 12 + int(month[5:7]) - 1
    h = h[h["m"] <= target]
    rank = h["rank"].astype("Float64")
    for name, limit in (("streak_at_1", 1), ("streak_top5", 5)):
        ok = h[(rank <= limit).fillna(False).to_numpy(dtype=bool)]
        ok = ok.drop_duplicates(["unit_code", "m"]).sort_values(["unit_code", "m"], ascending=[True, False])
        pos = ok.groupby("unit_code", sort=False).cumcount().to_numpy()
        run = ok[ok["m"].to_numpy() == target - pos]
        counts = run.groupby("unit_code", sort=False).size()
        out[name] = out["unit_code"].map(counts).fillna(0).astype(np.int64).to_numpy()
    return out


Scored = tuple[str, float, int]  # unit_code, exact score, published score x 100


def neighbours_of(units: Sequence[Scored], code: str) -> tuple[Scored | None, Scored | None]:
    """The units just above and below `code` among `units` (one scope, scored units only): the nearest
    strictly better published score and the nearest strictly worse one. Among units tied at that published
    score, the one nearest in exact score is taken (then the lowest code). (None, None) if `code` is not
    among them; None at either end."""
    own = next((u for u in units if u[0] == code), None)
    if own is None:
        return None, None
    better = [u for u in units if u[2] > own[2]]
    worse = [u for u in units if u[2] < own[2]]
    above = below = None
    if better:
        level = min(u[2] for u in better)
        above = min((u for u in better if u[2] == level), key=lambda u: (u[1], u[0]))
    if worse:
        level = max(u[2] for u in worse)
        below = min((u for u in worse if u[2] == level), key=lambda u: (-u[1], u[0]))
    return above, below


def scored_units(scope_units: pd.DataFrame) -> list[Scored]:
    """(unit_code, score, score_centi) of the units with a published score, from a frame with those columns."""
    out = []
    for code, score, centi in zip(scope_units["unit_code"].tolist(), scope_units["score"].tolist(),
                                  scope_units["score_centi"].tolist(), strict=True):
        if centi is None or centi is pd.NA or (isinstance(centi, float) and math.isnan(centi)):
            continue
        out.append((code, float(score), int(centi)))
    return out


def neighbour_gaps(scope_units: pd.DataFrame) -> pd.DataFrame:
    """`neighbours_of` for every unit of one scope (unit_code, score, score_centi): `above_code`,
    `gap_to_above` (its score - own, in score points), `below_code`, `lead_over_below` (own - its score);
    None at the ends and for units without a score."""
    units = scored_units(scope_units)
    by_code = {u[0]: u for u in units}
    rows = []
    for code in scope_units["unit_code"].tolist():
        own = by_code.get(code)
        above, below = neighbours_of(units, code) if own else (None, None)
        rows.append({"unit_code": code,
                     "above_code": above[0] if above else None,
                     "gap_to_above": above[1] - own[1] if above and own else None,
                     "below_code": below[0] if below else None,
                     "lead_over_below": own[1] - below[1] if below and own else None})
    cols = ["unit_code", "above_code", "gap_to_above", "below_code", "lead_over_below"]
    return pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in cols}, columns=cols)


def score_change_by_parameter(params_now: pd.DataFrame, params_prev: pd.DataFrame | None) -> pd.DataFrame:
    """Decompose one unit's score change by parameter: `contribution` (100 * marks / applicable weights)
    now and before; a parameter missing or not applicable on one side counts 0 there. `change` sums to the
    score change (up to float error) when both months have a score.
    """
    def contributions(p: pd.DataFrame | None) -> pd.Series:
        if p is None or len(p) == 0:
            return pd.Series(dtype=float)
        s = p.set_index("parameter")["contribution"].astype(float).fillna(0.0)
        return s[~s.index.duplicated()]

    now, prev = contributions(params_now), contributions(params_prev)
    order = list(now.index) + [p for p in prev.index if p not in now.index]
    out = pd.DataFrame({"parameter": pd.Series(order, dtype=object)})
    out["contribution_now"] = now.reindex(order).fillna(0.0).to_numpy(dtype=float)
    out["contribution_prev"] = prev.reindex(order).fillna(0.0).to_numpy(dtype=float)
    out["change"] = out["contribution_now"] - out["contribution_prev"]
    return out


def centi_of(score: float | Fraction) -> int:
    """Published score x 100 of a score: exact for a Fraction; for a float, half up with the float's value."""
    if isinstance(score, Fraction):
        return publish_centi(score)
    return publish_centi(Fraction(repr(float(score))))


def marks_needed_to_overtake(
    own_score: float | Fraction, above_score: float | Fraction, above_centi: int | None = None
) -> float:
    """Score points own unit must gain so that its published score exceeds the published score of the unit
    above: the lowest exact score published above P (the above's published score) is P + 0.005 (half up),
    so the result is P + 0.005 - own_score. Pass `above_centi` (score_centi) when known: it is exact.
    Returns 0.0 when own published score already exceeds P.
    """
    p = above_centi if above_centi is not None else centi_of(above_score)
    needed = Fraction(2 * int(p) + 1, 200) - (own_score if isinstance(own_score, Fraction) else Fraction(own_score))
    return max(float(needed), 0.0)


# Peer groups of police stations by monthly FIR volume (the denominator of "FIRs registered in CCTNS"):
# Low: fewer than 20 FIRs; Medium: 20 to 59; High: 60 or more. No FIR data -> "Unknown".
PEER_GROUPS = (("Low (<20 FIRs)", 0, 20), ("Medium (20-59)", 20, 60), ("High (60+)", 60, None))
PEER_UNKNOWN = "Unknown"


def peer_group(fir_denominator):
    """Peer-group label of a station by FIR volume; works on a scalar or element-wise on a Series/array."""
    if isinstance(fir_denominator, pd.Series | np.ndarray | list):
        values = pd.to_numeric(pd.Series(fir_denominator), errors="coerce").to_numpy(dtype=float)
        labels = np.select(
            [np.isnan(values), values < 20, values < 60], [PEER_UNKNOWN, PEER_GROUPS[0][0], PEER_GROUPS[1][0]],
            default=PEER_GROUPS[2][0],
        )
        if isinstance(fir_denominator, pd.Series):
            return pd.Series(labels, index=fir_denominator.index, dtype=object)
        return labels.astype(object)
    if fir_denominator is None or fir_denominator is pd.NA:
        return PEER_UNKNOWN
    v = float(fir_denominator)
    if math.isnan(v):
        return PEER_UNKNOWN
    return PEER_GROUPS[0][0] if v < 20 else PEER_GROUPS[1][0] if v < 60 else PEER_GROUPS[2][0]
