"""The review loop's rules, pure: how an action is judged by the data of its due month, how an unmet action
carries over to the next month and when it is escalated, and what raising a station's parameter is worth.

An action is judged against the data, never against its owner's word:

* **met** — the parameter reached its target in the due month (a station action without a parameter: the
  station is no longer lagging);
* **partly met** — not there yet, but at least half of the gap the action was made about has closed;
* **not met** — less than half of the gap closed, or the unit sent no data for the month;
* **cannot be judged** — the station closed, or the methodology in force that month no longer has the
  parameter, or no case to judge (denominator 0): the action ends there and does not carry over;
* **pending** — the due month has no data yet.

An open (or escalated) action that is not met in its due month carries over to the next month, one
cycle per month; after `ESCALATE_AFTER` cycles it is escalated to the level above.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from metrics.methodology import next_month

OUTCOMES = ("pending", "met", "partly_met", "not_met", "no_data", "unit_closed", "parameter_dropped",
            "not_applicable")
JUDGED = ("met", "partly_met", "not_met", "no_data")  # outcomes of a month the data could judge
ENDS = ("met", "unit_closed", "parameter_dropped", "not_applicable")  # no carry-over after these
STATUSES = ("open", "done", "dropped", "escalated")
ACTIVE = ("open", "escalated")  # statuses that carry over
LEVELS = ("station", "district", "state")
ABOVE = {"station": "district", "district": "state", "state": "national"}
ESCALATE_AFTER = 2  # carry-over cycles
PARTLY_MET_SHARE = Fraction(1, 2)  # share of the gap that must close for "partly met"


@dataclass(frozen=True)
class Gap:
    """Where the unit stood on the action's subject: the parameter's value against its target, or (no
    parameter) the station's score against the lagging bar. `value` None: no data."""

    value: float | None
    target: float
    numerator: int | None = None
    denominator: int | None = None


@dataclass(frozen=True)
class MonthFacts:
    """What the data of one month says about the action's unit and parameter."""

    unit_active: bool = True  # False: the station was closed (inactive) that month
    parameter_exists: bool = True  # False: the methodology version in force has no such parameter
    reported: bool = True  # False: the unit sent no data at all that month
    applicable: bool = True  # False: denominator 0 (no case to judge)
    value: float | None = None  # percent of the parameter, or the station's score (no parameter)
    target: float = 100.0
    lagging: bool | None = None  # stations, actions without a parameter
    numerator: int | None = None
    denominator: int | None = None
    at_stake: float | None = None


def gap_closed_share(then: Gap, now_value: float, target: float) -> Fraction | None:
    """Share of the shortfall at creation that has closed by now (1 = target reached, may be negative
    when the unit fell further behind); None when there was no shortfall or no value to start from."""
    if then.value is None:
        return None
    shortfall_then = Fraction(target) - Fraction(then.value)
    if shortfall_then <= 0:
        return None
    shortfall_now = Fraction(target) - Fraction(now_value)
    return 1 - shortfall_now / shortfall_then


def judge_month(then: Gap, facts: MonthFacts, has_parameter: bool) -> str:
    """The outcome of one month's data for the action (one of OUTCOMES except "pending")."""
    if not facts.unit_active:
        return "unit_closed"
    if has_parameter and not facts.parameter_exists:
        return "parameter_dropped"
    if not facts.reported:
        return "no_data"
    if has_parameter and not facts.applicable:
        return "not_applicable"
    if not has_parameter and facts.lagging is False:
        return "met"
    if facts.value is None:
        return "no_data"
    if has_parameter and Fraction(facts.value) >= Fraction(facts.target):
        return "met"
    target = facts.target if has_parameter else then.target
    share = gap_closed_share(then, facts.value, target)
    if share is None:  # no shortfall at creation (made on an already-met figure) and below target now
        return "not_met"
    return "partly_met" if share >= PARTLY_MET_SHARE else "not_met"


@dataclass(frozen=True)
class FollowUp:
    """The action after every month of data there is: its outcome, the month that gave it, the month by
    which it must now show, the carry-over cycles, and whether the data escalates it."""

    outcome: str
    outcome_month: str | None
    current_due_month: str
    carry_cycles: int
    escalate: bool
    facts: MonthFacts | None


def follow_up(then: Gap, due_month: str, status: str, has_parameter: bool, months_with_data: Sequence[str],
              facts_for: Callable[[str], MonthFacts], frozen_due_month: str | None = None) -> FollowUp:
    """Judge the action month by month from its due month. An active action (open, escalated) that is
    not met carries over to the next month while there is data; a closed one (done, dropped) is judged in
    the month it was due when it was closed (`frozen_due_month`, default its due month) and never carries."""
    available = set(months_with_data)
    active = status in ACTIVE
    month = due_month if active else (frozen_due_month or due_month)
    cycles = 0
    last: tuple[str, str, MonthFacts] | None = None
    while month in available:
        facts = facts_for(month)
        outcome = judge_month(then, facts, has_parameter)
        if outcome in ENDS or not active:
            return FollowUp(outcome, month, month, cycles, active and cycles >= ESCALATE_AFTER, facts)
        last = (outcome, month, facts)
        cycles += 1
        month = next_month(month)
    if last is None:
        return FollowUp("pending", None, month, 0, False, None)
    outcome, judged_month, facts = last
    return FollowUp(outcome, judged_month, month, cycles, active and cycles >= ESCALATE_AFTER, facts)


def stake_of_raising(pool_numerator: int, pool_denominator: int, raise_by: int, weight: Fraction | float,
                     target: Fraction | float, weight_sum: Fraction | float) -> float:
    """Score points a unit gains when `raise_by` more records of one parameter are completed in its pool
    (rule 11 for one parameter: marks after - marks before, over the unit's applicable weights)."""
    if pool_denominator <= 0 or raise_by <= 0 or Fraction(weight_sum) <= 0:
        return 0.0
    t = Fraction(target) / 100
    before = min(Fraction(pool_numerator, pool_denominator) / t, Fraction(1))
    after = min(Fraction(min(pool_numerator + raise_by, pool_denominator), pool_denominator) / t, Fraction(1))
    return float(100 * Fraction(weight) * (after - before) / Fraction(weight_sum))
