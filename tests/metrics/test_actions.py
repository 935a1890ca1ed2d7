"""The review loop's judgement rules (metrics.actions), with hand-computed answers."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrics.actions import (
    ESCALATE_AFTER,
    Gap,
    MonthFacts,
    follow_up,
    gap_closed_share,
    judge_month,
    stake_of_raising,
)

# FIRs registered in CCTNS: 28 of 40 (70 %) when the action was made, target 100 %
THEN = Gap(value=70.0, target=100.0, numerator=28, denominator=40)


def now(num: int, den: int, target: float = 100.0, **kw) -> MonthFacts:
    return MonthFacts(value=100 * num / den, target=target, numerator=num, denominator=den, **kw)


@pytest.mark.parametrize(("facts", "expected"), [
    (now(40, 40), "met"),                      # 100 %: target reached
    (now(45, 45), "met"),                      # more FIRs, all entered
    (now(39, 40), "partly_met"),               # 97.5 %: 27.5 of 30 points closed
    (now(34, 40), "partly_met"),               # 85 %: exactly half the gap closed (15 of 30 points)
    (now(33, 40), "not_met"),                  # 82.5 %: 12.5 of 30 points, less than half
    (now(20, 40), "not_met"),                  # fell further behind
    (MonthFacts(reported=False), "no_data"),   # the station sent nothing that month
    (MonthFacts(unit_active=False), "unit_closed"),
    (MonthFacts(parameter_exists=False), "parameter_dropped"),
    (MonthFacts(applicable=False), "not_applicable"),  # no FIR that month: nothing to judge
])
def test_judge_month_with_a_parameter(facts, expected):
    assert judge_month(THEN, facts, has_parameter=True) == expected


def test_target_below_100_is_met_at_the_target():
    then = Gap(value=50.0, target=90.0)
    assert judge_month(then, now(9, 10, target=90.0), True) == "met"  # 90 % = target
    assert judge_month(then, now(8, 10, target=90.0), True) == "partly_met"  # 30 of 40 points closed
    assert judge_month(then, now(6, 10, target=90.0), True) == "not_met"  # 10 of 40


def test_a_station_without_a_parameter_is_judged_by_lagging():
    then = Gap(value=70.0, target=90.0)  # score 70, lagging below 90
    assert judge_month(then, MonthFacts(value=95.0, lagging=False), False) == "met"
    # still lagging (a critical parameter) although its score is above the bar: not "met"
    assert judge_month(then, MonthFacts(value=92.0, lagging=True), False) == "partly_met"
    assert judge_month(then, MonthFacts(value=75.0, lagging=True), False) == "not_met"  # 5 of 20
    assert judge_month(then, MonthFacts(reported=False, lagging=True), False) == "no_data"


def test_the_order_of_the_reasons_one_cannot_judge():
    # a closed station wins over everything; then a dropped parameter; then no data
    closed = MonthFacts(unit_active=False, parameter_exists=False, reported=False)
    assert judge_month(THEN, closed, True) == "unit_closed"
    assert judge_month(THEN, MonthFacts(parameter_exists=False, reported=False), True) == "parameter_dropped"


def test_gap_closed_share_by_hand():
    assert gap_closed_share(THEN, 85.0, 100.0) == Fraction(1, 2)
    assert gap_closed_share(THEN, 100.0, 100.0) == 1
    assert gap_closed_share(THEN, 55.0, 100.0) == Fraction(-1, 2)
    assert gap_closed_share(Gap(value=100.0, target=100.0), 90.0, 100.0) is None  # no gap to close
    assert gap_closed_share(Gap(value=None, target=100.0), 90.0, 100.0) is None


def series(outcomes: dict[str, MonthFacts]):
    return lambda month: outcomes[month]


NOT_MET = now(28, 40)
MET = now(40, 40)


def test_pending_until_the_due_month_has_data():
    r = follow_up(THEN, "2025-06", "open", True, ["2025-04", "2025-05"], series({}))
    assert (r.outcome, r.outcome_month, r.current_due_month, r.carry_cycles, r.escalate) == \
        ("pending", None, "2025-06", 0, False)


def test_met_in_its_due_month():
    r = follow_up(THEN, "2025-06", "open", True, ["2025-05", "2025-06"], series({"2025-06": MET}))
    assert (r.outcome, r.outcome_month, r.current_due_month, r.carry_cycles) == ("met", "2025-06", "2025-06", 0)


def test_not_met_carries_over_one_month_per_cycle_and_escalates_after_two():
    data = {"2025-06": NOT_MET, "2025-07": NOT_MET, "2025-08": NOT_MET}
    one = follow_up(THEN, "2025-06", "open", True, ["2025-06"], series(data))
    assert (one.outcome, one.outcome_month, one.current_due_month, one.carry_cycles, one.escalate) == \
        ("not_met", "2025-06", "2025-07", 1, False)
    two = follow_up(THEN, "2025-06", "open", True, ["2025-06", "2025-07"], series(data))
    assert (two.current_due_month, two.carry_cycles, two.escalate) == ("2025-08", ESCALATE_AFTER, True)
    # escalated actions keep being judged and carried
    three = follow_up(THEN, "2025-06", "escalated", True, ["2025-06", "2025-07", "2025-08"], series(data))
    assert (three.current_due_month, three.carry_cycles, three.escalate) == ("2025-09", 3, True)


def test_met_after_a_carry_over_stops_the_clock():
    data = {"2025-06": NOT_MET, "2025-07": MET}
    r = follow_up(THEN, "2025-06", "open", True, ["2025-06", "2025-07", "2025-08"], series(data))
    assert (r.outcome, r.outcome_month, r.current_due_month, r.carry_cycles, r.escalate) == \
        ("met", "2025-07", "2025-07", 1, False)


def test_a_closed_station_ends_the_action_without_carry_over():
    data = {"2025-06": NOT_MET, "2025-07": MonthFacts(unit_active=False)}
    r = follow_up(THEN, "2025-06", "open", True, ["2025-06", "2025-07", "2025-08"], series(data))
    assert (r.outcome, r.current_due_month, r.carry_cycles) == ("unit_closed", "2025-07", 1)


def test_done_or_dropped_actions_are_judged_once_and_never_carry():
    data = {"2025-06": NOT_MET, "2025-07": MET}
    done = follow_up(THEN, "2025-06", "done", True, ["2025-06", "2025-07"], series(data))
    assert (done.outcome, done.outcome_month, done.carry_cycles, done.escalate) == ("not_met", "2025-06", 0, False)
    # closed after one carry-over: judged in the month it was then due
    later = follow_up(THEN, "2025-06", "dropped", True, ["2025-06", "2025-07"], series(data),
                      frozen_due_month="2025-07")
    assert (later.outcome, later.outcome_month) == ("met", "2025-07")


def test_no_data_counts_as_not_met_for_carry_over():
    data = {"2025-06": MonthFacts(reported=False)}
    r = follow_up(THEN, "2025-06", "open", True, ["2025-06"], series(data))
    assert (r.outcome, r.carry_cycles, r.current_due_month) == ("no_data", 1, "2025-07")


def test_stake_of_raising_by_hand():
    # State pool 90 of 100 on a parameter of weight 10, target 100, State's applicable weights 50:
    # raising 10 records: marks 9 -> 10, score +100 * 1 / 50 = +2
    assert stake_of_raising(90, 100, 10, 10, 100, 50) == pytest.approx(2.0)
    # target 80: the pool is already at full marks: nothing at stake
    assert stake_of_raising(90, 100, 10, 10, 80, 50) == 0.0
    # raising past the denominator is capped at it
    assert stake_of_raising(95, 100, 50, 10, 100, 50) == pytest.approx(1.0)
    assert stake_of_raising(0, 0, 5, 10, 100, 50) == 0.0


@given(num=st.integers(0, 200), extra=st.integers(0, 200), raise_by=st.integers(0, 400),
       target=st.sampled_from([50, 80, 90, 95, 100]))
def test_stake_is_never_negative_nor_more_than_the_marks_lost(num, extra, raise_by, target):
    den = num + extra
    stake = stake_of_raising(num, den, raise_by, 10, target, 40)
    assert stake >= 0
    if den:
        lost = 100 * 10 * (1 - min(Fraction(num, den) / Fraction(target, 100), 1)) / 40
        assert stake <= float(lost) + 1e-12


@given(value_then=st.floats(0, 99), value_now=st.floats(0, 100))
def test_judgement_is_monotonic_in_the_value_now(value_then, value_now):
    """A higher value now never gives a worse outcome."""
    order = {"not_met": 0, "partly_met": 1, "met": 2}
    then = Gap(value=value_then, target=100.0)
    lower = judge_month(then, MonthFacts(value=value_now), True)
    higher = judge_month(then, MonthFacts(value=min(100.0, value_now + 5)), True)
    assert order[higher] >= order[lower]


@given(st.lists(st.sampled_from(["met", "not_met", "no_data"]), min_size=1, max_size=8))
def test_carry_cycles_count_the_unmet_months_before_the_first_met(outcomes):
    months = [f"2025-{i:02d}" for i in range(1, len(outcomes) + 1)]
    facts = {"met": MET, "not_met": NOT_MET, "no_data": MonthFacts(reported=False)}
    data = {m: facts[o] for m, o in zip(months, outcomes, strict=True)}
    r = follow_up(THEN, months[0], "open", True, months, series(data))
    unmet_before = next((i for i, o in enumerate(outcomes) if o == "met"), len(outcomes))
    assert r.carry_cycles == unmet_before
    assert r.escalate == (unmet_before >= ESCALATE_AFTER)
