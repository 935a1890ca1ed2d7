"""The review loop: actions with owners and due months, made where the gap is seen, judged by the data of
their due month (met / partly met / not met), carried over and escalated; scope checked and every change
audited here. Rules of judgement are pure, in `metrics.actions`."""

from dashboard.actions.evaluate import EvaluationReport, evaluate_actions
from dashboard.actions.facts import next_month_to_score, scored_months
from dashboard.actions.records import (
    COLUMNS,
    FORUMS,
    MAX_BATCH,
    MAX_REGISTER,
    OWNER_KINDS,
    ActionConflict,
    ActionFilters,
    ActionRefused,
    NewAction,
    actions_stamp,
    add_comment,
    check_new_actions,
    comments,
    create_actions,
    get_action,
    history,
    list_actions,
    owner_label,
    tally,
    update_action,
)

__all__ = [
    "COLUMNS", "FORUMS", "MAX_BATCH", "MAX_REGISTER", "OWNER_KINDS", "ActionConflict", "ActionFilters", "ActionRefused",
    "EvaluationReport", "NewAction", "actions_stamp", "add_comment", "check_new_actions", "comments", "create_actions", "evaluate_actions",
    "get_action", "history", "list_actions", "next_month_to_score", "scored_months", "owner_label", "tally", "update_action",
]
