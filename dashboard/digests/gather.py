"""What each digest reads, through the one read API (`dashboard.read`) and the actions room, with the
recipient's own Scope: a read outside it raises OutOfScope, as it does for the pages."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine

from dashboard import read
from dashboard.actions import ActionFilters, list_actions, tally
from dashboard.digests.schedule import Reminder
from dashboard.scope import Scope
from metrics.actions import ACTIVE

MOVERS_N = 5
COMMITMENTS_N = 8


def _common(engine: Engine, month: str) -> dict:
    version = read.version_for(engine, month)
    return {"month": month, "data_as_of": read.data_as_of(engine), "version": version.id if version else "–"}


def state_facts(engine: Engine, month: str, scope: Scope) -> dict:
    """A State user's digest: headline, marks lost and the overtake plan, falling districts, and the actions
    due this month (the last review's commitments) with what the data shows."""
    code = scope.state_code
    scope.require(scope.can_see_state_stations(code), f"the digest of State {code}")
    headline = read.state_headline(engine, month, code)
    plan = read.overtake_plan(engine, month, code, scope) if headline else {}
    movers = read.movers(engine, month, "district", code, scope, n=MOVERS_N)
    acts = list_actions(engine, scope, ActionFilters(state_code=code))
    due = acts[(acts["due_month"] == month) | (acts["outcome_month"] == month)] if not acts.empty else acts
    return {**_common(engine, month), "state_code": code, "info": read.unit_info(engine, "state", code),
            "headline": headline, "plan": plan, "declined": movers["declined"], "commitments": due,
            "tally": tally(due)}


def district_facts(engine: Engine, month: str, scope: Scope) -> dict:
    """A district SP's digest: the district's rank in the State, lagging stations, open and overdue actions."""
    code, state = scope.district_code, scope.state_code
    scope.require(scope.can_see_district(state, code), f"the digest of district {code}")
    headline = read.district_headline(engine, month, code, scope)
    lagging = read.lagging(engine, month, scope, state, code)
    acts = list_actions(engine, scope, ActionFilters(district_code=code))
    open_ = acts[acts["status"].isin(ACTIVE)] if not acts.empty else acts
    return {**_common(engine, month), "state_code": state, "district_code": code,
            "info": read.unit_info(engine, "district", code), "headline": headline, "lagging": lagging,
            "open_actions": open_}


def national_facts(engine: Engine, month: str, scope: Scope) -> dict:
    """A national user's digest: the league table, movers, data completeness."""
    return {**_common(engine, month), "states": read.states_table(engine, month),
            "reporting": read.reporting_status(engine, month, scope),
            "state_rows": read.state_rows_status(engine, month)}


def reminder_facts(engine: Engine, scope: Scope, reminder: Reminder, today: date) -> dict:
    """What is still pending before the cut-off, from the latest data: stations that sent nothing and the
    records lagging stations still owe, within the recipient's scope."""
    latest = read.latest_month(engine)
    out = {**(_common(engine, latest) if latest else {"month": None, "data_as_of": None, "version": "–"}),
           "reminder": reminder, "today": today, "latest": latest, "not_reported": pd.DataFrame(),
           "lagging": pd.DataFrame(), "reporting": pd.DataFrame(), "info": None}
    if latest is None:
        return out
    out["not_reported"] = read.not_reported_in_scope(engine, latest, scope)
    if scope.role == "national":
        out["reporting"] = read.reporting_status(engine, latest, scope)
    elif scope.role == "state":
        out["lagging"] = read.lagging(engine, latest, scope, scope.state_code)
        out["info"] = read.unit_info(engine, "state", scope.state_code)
    else:
        out["lagging"] = read.lagging(engine, latest, scope, scope.state_code, scope.district_code)
        out["info"] = read.unit_info(engine, "district", scope.district_code)
    return out
