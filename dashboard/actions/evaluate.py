"""Judge every action by the data: run inside each import's and revert's transaction (after the months are
rescored), and after an action's due month or status changes. Writes the outcome, the month that gave it,
the month it is now due (carry-over) and the figures now; escalates an open action after two cycles and
takes that back when a revert removes the months that caused it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, select, update

from dashboard.actions.facts import Subject, month_facts, scored_months, stored_methodologies
from dashboard.store import Action, audit, utcnow
from metrics.actions import ACTIVE, Gap, MonthFacts, follow_up


@dataclass(frozen=True)
class EvaluationReport:
    evaluated: int
    changed: int
    escalated: int
    de_escalated: int


def evaluate_actions(conn: Connection, ids: Sequence[int] | None = None, actor: str = "data") -> EvaluationReport:
    """(Re-)judge the actions (all of them, or `ids`) against the months with data now in the database."""
    stmt = select(Action.__table__)
    if ids is not None:
        stmt = stmt.where(Action.id.in_([int(i) for i in ids]))
    actions = [dict(r) for r in conn.execute(stmt).mappings()]
    if not actions:
        return EvaluationReport(0, 0, 0, 0)
    methodology = stored_methodologies(conn)  # each action judged by its parameter's scheme
    months = scored_months(conn)
    if not methodology:
        return EvaluationReport(len(actions), 0, 0, 0)
    cache: dict[str, dict[Subject, MonthFacts]] = {}
    wanted: dict[str, set[Subject]] = {}

    # one batched read per month: the months each action may need, from its due month to the latest
    for a in actions:
        start = a["due_month"] if a["status"] in ACTIVE else a["current_due_month"]
        for m in months:
            if m >= start:
                wanted.setdefault(m, set()).add(_subject(a))
                if a["status"] not in ACTIVE:
                    break

    def facts_for(month: str, subject: Subject) -> MonthFacts:
        if month not in cache:
            cache[month] = month_facts(conn, month, methodology, wanted.get(month, {subject}))
        return cache[month].get(subject) or month_facts(conn, month, methodology, [subject])[subject]

    changed = escalated = de_escalated = 0
    now = utcnow()
    updates: dict[tuple[str, ...], list[dict]] = {}  # by the columns set: one executemany each
    details: list[str] = []
    for a in actions:
        subject = _subject(a)
        then = Gap(a["gap_value"], a["gap_target"] or 100.0, a["gap_numerator"], a["gap_denominator"])
        result = follow_up(then, a["due_month"], a["status"], a["parameter"] is not None, months,
                           lambda m, s=subject: facts_for(m, s), frozen_due_month=a["current_due_month"])
        facts = result.facts
        values = {
            "outcome": result.outcome, "outcome_month": result.outcome_month,
            "current_due_month": result.current_due_month, "carry_cycles": result.carry_cycles,
            "now_numerator": facts.numerator if facts else None,
            "now_denominator": facts.denominator if facts else None,
            "now_value": facts.value if facts else None, "now_at_stake": facts.at_stake if facts else None,
        }
        status_change: dict = {}
        if result.escalate and a["status"] == "open":
            status_change = {"status": "escalated", "escalated_by_data": True}
            escalated += 1
        elif not result.escalate and a["status"] == "escalated" and a["escalated_by_data"]:
            status_change = {"status": "open", "escalated_by_data": False}  # a revert took the cycles away
            de_escalated += 1
        before = {k: a[k] for k in values}
        if before == values and not status_change:
            continue
        changed += 1
        values["evaluated_at"] = now
        if status_change:
            values.update(status_change, version=int(a["version"]) + 1, updated_by=actor, updated_at=now)
        updates.setdefault(tuple(values), []).append({"b_id": a["id"], **{"v_" + k: v for k, v in values.items()}})
        details.append(json.dumps(
            {"id": a["id"], "before": {**before, **({"status": a["status"]} if status_change else {})},
             "after": {k: v for k, v in values.items() if k not in ("evaluated_at", "updated_at", "version")}},
            default=str))
    for columns, rows in updates.items():
        conn.execute(update(Action).where(Action.id == bindparam("b_id"))
                     .values({c: bindparam("v_" + c) for c in columns}), rows)
    audit.record_many(conn, "action_evaluate", actor, details)  # in the order the actions were judged
    return EvaluationReport(len(actions), changed, escalated, de_escalated)


def _subject(a: dict) -> Subject:
    return (a["level"], a["unit_code"], a["parameter"])
