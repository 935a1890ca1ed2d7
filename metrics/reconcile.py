"""Reconciliation of NCRB's published score with our own computation: which single parameter's local
figures would have to differ, and by how much, to explain the difference (pure; rules 5, 6 and 10)."""

from __future__ import annotations

import math
from dataclasses import dataclass

FLAG_AT_CENTI = 1  # a difference of 0.01 or more is flagged


@dataclass(frozen=True)
class ParameterFigures:
    parameter: str
    numerator: int
    denominator: int
    weight: float
    target: float  # percent
    applicable: bool


@dataclass(frozen=True)
class Explanation:
    parameter: str
    numerator: int  # ours
    denominator: int
    numerator_needed: int  # the numerator that would give the published score (this parameter alone)


def is_flagged(published_centi: int | None, computed_centi: int | None) -> bool:
    return (published_centi is not None and computed_centi is not None
            and abs(published_centi - computed_centi) >= FLAG_AT_CENTI)


def explain_difference(figures: list[ParameterFigures], difference: float, most: int = 3) -> list[Explanation]:
    """Parameters whose numerator alone, changed, would move the score by `difference` (published minus
    computed, score points), smallest change first. A parameter can explain it when its marks can move by
    difference x (sum of applicable weights) / 100 within [0, weight]."""
    applicable = [f for f in figures if f.applicable and f.denominator > 0]
    total = sum(f.weight for f in applicable)
    if not applicable or total <= 0 or difference == 0:
        return []
    delta_marks = difference * total / 100
    out = []
    for f in applicable:
        value = 100 * f.numerator / f.denominator
        marks = f.weight * min(value / f.target, 1.0)
        wanted = marks + delta_marks
        if wanted < -1e-9 or wanted > f.weight + 1e-9:
            continue  # this parameter alone cannot move the score that far
        wanted_value = f.target * min(max(wanted, 0.0) / f.weight, 1.0)
        exact = wanted_value * f.denominator / 100
        needed = math.ceil(exact - 1e-9) if difference > 0 else math.floor(exact + 1e-9)
        needed = min(max(needed, 0), f.denominator)
        if needed != f.numerator:
            out.append(Explanation(f.parameter, f.numerator, f.denominator, needed))
    out.sort(key=lambda e: (abs(e.numerator_needed - e.numerator) / max(e.denominator, 1), e.parameter))
    return out[:most]
