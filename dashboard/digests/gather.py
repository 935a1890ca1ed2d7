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


def scheme_standing(engine: Engine, month: str, scope: Scope, level: str, code: str | None = None,
                    state_code: str | None = None) -> list[dict]:
    """The unit's headline in every ranking scheme (CCTNS Pragati, ICJS, ITSSO, ...), in display order: the
    scheme's id, name, name_hi and short, its `headline` (a State's or district's; national: the leader's
    row of the league table and `ranked`) and `lagging`, the lagging stations in the unit (None: no result)."""
    out = []
    for s in read.schemes(engine):
        sid = s["id"]
        row: dict = {**s, "headline": None, "lagging": None, "ranked": 0}
        if level == "state":
            row["headline"] = read.state_headline(engine, month, code, scheme=sid)
            if row["headline"] is not None:
                row["lagging"] = read.lagging_head(engine, month, scope, code, n=1, scheme=sid)[1]
        elif level == "district":
            row["headline"] = read.district_headline(engine, month, code, scope, scheme=sid)
            if row["headline"] is not None:
                row["lagging"] = read.lagging_head(engine, month, scope, state_code, code, n=1, scheme=sid)[1]
        else:
            table = read.states_table(engine, month, scheme=sid)
            ranked = table[table["rank_national"].notna()].reset_index(drop=True) if not table.empty else table
            row["ranked"] = len(ranked)
            if len(ranked):
                row["headline"] = ranked.iloc[0].to_dict()
                row["lagging"] = int(read.lagging_by_state(engine, month, scope, scheme=sid)["lagging"].sum())
        out.append(row)
    return out


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
            "tally": tally(due), "schemes": scheme_standing(engine, month, scope, "state", code)}


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
            "open_actions": open_, "schemes": scheme_standing(engine, month, scope, "district", code, state)}


def national_facts(engine: Engine, month: str, scope: Scope) -> dict:
    """A national user's digest: the league table, movers, data completeness."""
    return {**_common(engine, month), "states": read.states_table(engine, month),
            "reporting": read.reporting_status(engine, month, scope),
            "state_rows": read.state_rows_status(engine, month),
            "schemes": scheme_standing(engine, month, scope, "national")}


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
