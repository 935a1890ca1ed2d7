"""Actions: made, changed, commented and listed, with the scope checked here (never in the page), every
change audited (who, when, before, after) and concurrent edits refused by a version number."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, update

from dashboard.actions.evaluate import evaluate_actions
from dashboard.actions.facts import (
    month_facts,
    scored_months,
    stored_methodologies,
)
from dashboard.display import format_timestamp, parameter_text
from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from dashboard.scope import OutOfScope, Scope
from dashboard.store import (
    Action,
    ActionComment,
    AuditEvent,
    District,
    PoliceStation,
    State,
    User,
    audit,
    utcnow,
)
from metrics.actions import ABOVE, ACTIVE, LEVELS, STATUSES
from metrics.methodology import is_month, next_month
from metrics.scoring import needed_numerator

FORUMS = ("state_review", "district_meeting", "conference")
OWNER_KINDS = ("sho", "sp", "scrb", "user")
TEXT_MIN, TEXT_MAX = 3, 500
COMMENT_MAX = 1000
REASON_MAX = 300
MAX_BATCH = 200  # actions made at once from the lagging list
MAX_REGISTER = 5000  # actions made at once from an actions register file (`cctns actions import`)
MAX_DUE_AHEAD = 12  # months after the latest scored month
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class ActionRefused(ValueError):
    """Bad input: nothing saved; the message says what to change."""


class ActionConflict(RuntimeError):
    """Someone else saved the action first: nothing saved; `latest` is the action as it is now."""

    def __init__(self, message: str, latest: dict):
        super().__init__(message)
        self.latest = latest


@dataclass(frozen=True)
class NewAction:
    """What a person fills in (the gap is looked up, never taken from the client)."""

    level: str
    unit_code: str
    parameter: str | None
    text: str
    owner_kind: str
    owner_user: str | None = None
    due_month: str | None = None  # default: the next month to be scored
    review_date: str | None = None  # default: today
    forum: str = "state_review"
    basis_month: str | None = None  # default: the latest scored month


@dataclass(frozen=True)
class ActionFilters:
    state_code: str | None = None
    district_code: str | None = None
    unit_code: str | None = None
    level: str | None = None
    owner: str | None = None  # owner_kind, or a username
    status: str | None = None
    due_month: str | None = None
    parameter: str | None = None
    overdue: bool = False
    ids: Sequence[int] = field(default_factory=tuple)


# --- small checks --------------------------------------------------------------------------------------


def actions_stamp(engine: Engine) -> str:
    """A value that changes whenever an action is made, changed or commented (every change bumps the
    action's `version`): what a cached answer that shows actions (the deck) is keyed by besides the
    results generation."""
    a, c = Action.__table__, ActionComment.__table__
    with engine.connect() as conn:
        n, versions, top = conn.execute(select(func.count(), func.coalesce(func.sum(a.c.version), 0),
                                               func.coalesce(func.max(a.c.id), 0))).one()
        comments_n, last = conn.execute(select(func.count(), func.coalesce(func.max(c.c.id), 0))).one()
    return f"{n}.{versions}.{top}.{comments_n}.{last}"


def clean_text(value: object, what: str, low: int, high: int, newlines: bool = True) -> str:
    if not isinstance(value, str):
        raise ActionRefused(_("{what} is required").format(what=_(what)))
    text = value.replace("\r\n", "\n").strip()
    if not newlines:
        text = " ".join(text.split())
    if len(text) < low:
        raise ActionRefused(_("{what} is empty").format(what=_(what)) if not text else
                            _("{what} is too short (at least {n} characters)").format(what=_(what), n=low))
    if len(text) > high:
        raise ActionRefused(_("{what} is too long ({n} characters; at most {high})").format(
            what=_(what), n=len(text), high=high))
    if _CONTROL.search(text):
        raise ActionRefused(_("{what} contains control characters").format(what=_(what)))
    return text


def _check_due(due: object, months: list[str]) -> str:
    if not isinstance(due, str) or not is_month(due):
        raise ActionRefused("the due month must be a month YYYY-MM")
    if months and due <= months[-1]:
        raise ActionRefused(f"{due} is already scored (latest scored month {months[-1]}): "
                            f"choose {next_month(months[-1])} or later")
    if months:
        last = months[-1]
        for _ in range(MAX_DUE_AHEAD):
            last = next_month(last)
        if due > last:
            raise ActionRefused(f"the due month {due} is too far ahead (at most {last})")
    return due


def _check_review_date(value: object) -> str:
    if value in (None, ""):
        return date.today().isoformat()
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        raise ActionRefused("the review date must be a date YYYY-MM-DD") from None
    if day > date.today() + timedelta(days=1) or day < date.today() - timedelta(days=366):
        raise ActionRefused("the review date must be within the last year")
    return day.isoformat()


def _unit(conn: Connection, level: str, code: str) -> dict | None:
    """state_code, district_code and name of a unit (None if it does not exist)."""
    if level == "station":
        r = conn.execute(select(PoliceStation.name, PoliceStation.district_code, District.state_code)
                         .join(District, District.code == PoliceStation.district_code)
                         .where(PoliceStation.code == code)).first()
        return None if r is None else {"name": r[0], "district_code": r[1], "state_code": r[2]}
    if level == "district":
        r = conn.execute(select(District.name, District.state_code).where(District.code == code)).first()
        return None if r is None else {"name": r[0], "district_code": code, "state_code": r[1]}
    r = conn.execute(select(State.name).where(State.code == code)).first()
    return None if r is None else {"name": r[0], "district_code": None, "state_code": code}


def _check_owner(conn: Connection, kind: object, username: object, level: str, unit: dict) -> tuple[str, str | None]:
    if kind not in OWNER_KINDS:
        raise ActionRefused(f"the owner must be one of {', '.join(OWNER_KINDS)}")
    if kind == "sho" and level != "station":
        raise ActionRefused("an SHO owns a police station's actions only")
    if kind == "sp" and level == "state":
        raise ActionRefused("a State's action is owned by State HQ (SCRB) or a named user")
    if kind != "user":
        return str(kind), None
    if not isinstance(username, str) or not username.strip():
        raise ActionRefused("choose the user who owns the action")
    u = conn.execute(select(User.username, User.role, User.state_code, User.district_code, User.active)
                     .where(User.username == username.strip().lower())).first()
    if u is None or not u.active:
        raise ActionRefused(f"there is no active user {username.strip()!r}")
    owner_scope = Scope(u.role, u.state_code, u.district_code, u.username)
    if not owner_scope.can_see_action(unit["state_code"], unit["district_code"]):
        raise ActionRefused(f"{u.username} cannot see this unit (outside their scope): choose an owner of "
                            f"{unit['name']}")
    return "user", u.username


def gap_of(conn: Connection, month: str, level: str, unit_code: str, parameter: str | None) -> dict:
    """The gap an action is made about, from the stored data of `month` (copied into the action)."""
    methodology = stored_methodologies(conn)  # the parameter's own scheme judges it
    facts = month_facts(conn, month, methodology, [(level, unit_code, parameter)])[(level, unit_code, parameter)]
    if not facts.unit_active:
        raise ActionRefused(f"{unit_code} is not active in {month}")
    if parameter is not None and not facts.parameter_exists:
        raise ActionRefused(f"the parameter {parameter} does not exist for {level}s in {month}")
    needed = None
    if facts.numerator is not None and facts.denominator is not None:
        needed = needed_numerator(facts.numerator, facts.denominator, facts.target)
    return {"gap_numerator": facts.numerator, "gap_denominator": facts.denominator, "gap_value": facts.value,
            "gap_target": facts.target, "gap_needed": needed, "gap_at_stake": facts.at_stake}


# --- create ---------------------------------------------------------------------------------------------


def create_actions(engine: Engine, scope: Scope, items: Sequence[NewAction], actor: str | None = None,
                   limit: int = MAX_BATCH) -> list[int]:
    """Make one or several actions in one transaction (all or nothing); returns their ids. `limit`: at most
    this many at once (MAX_BATCH from the pages; an actions register file has MAX_REGISTER)."""
    if not items:
        raise ActionRefused("nothing to assign")
    if len(items) > limit:
        raise ActionRefused(f"at most {limit} actions at once ({len(items)} given)")
    actor = actor or scope.username or "user"
    ids: list[int] = []
    with engine.begin() as conn:
        months = scored_months(conn)
        if not months:
            raise ActionRefused("there is no scored month yet: import data first")
        for n, item in enumerate(items, start=1):
            where = f"action {n}: " if len(items) > 1 else ""
            try:
                values = _validated_new(conn, scope, item, months)
            except ActionRefused as exc:
                raise ActionRefused(where + str(exc)) from None
            now = utcnow()
            values.update(assigned_by=actor, created_at=now, updated_by=actor, updated_at=now, version=1,
                          status="open", outcome="pending", current_due_month=values["due_month"])
            new_id = int(conn.execute(insert(Action).values(**values)).inserted_primary_key[0])
            ids.append(new_id)
            audit.record(conn, "action_create", actor=actor, detail=json.dumps(
                {"id": new_id, "after": _audited(values)}, default=str))
    return ids


def check_new_actions(engine: Engine, scope: Scope, items: Sequence[NewAction]) -> list[tuple[int, str]]:
    """What `create_actions` would refuse, for every item (its index and the reason); nothing is written.
    An actions register file lists every problem at once with this, then makes them all or none."""
    problems: list[tuple[int, str]] = []
    with engine.connect() as conn:
        months = scored_months(conn)
        if not months:
            return [(i, "there is no scored month yet: import data first") for i in range(len(items))]
        for i, item in enumerate(items):
            try:
                _validated_new(conn, scope, item, months)
            except (ActionRefused, OutOfScope) as exc:
                problems.append((i, str(exc)))
    return problems


def _validated_new(conn: Connection, scope: Scope, item: NewAction, months: list[str]) -> dict:
    if item.level not in LEVELS:
        raise ActionRefused(f"the unit level must be one of {', '.join(LEVELS)}")
    if not isinstance(item.unit_code, str):
        raise ActionRefused("choose the unit")
    unit = _unit(conn, item.level, item.unit_code)
    if unit is None:
        raise ActionRefused(f"there is no {item.level} {item.unit_code!r}")
    if not scope.can_create_action(item.level, unit["state_code"], unit["district_code"]):
        raise OutOfScope(f"{scope.username or 'user'} ({scope.cache_key}) may not assign actions for "
                         f"{item.level} {item.unit_code}")
    basis = item.basis_month or months[-1]
    if basis not in months:
        raise ActionRefused(f"{basis} has no scored data")
    parameter = item.parameter or None
    if parameter is None and item.level != "station":
        raise ActionRefused("an action about a district or a State names the parameter it is about")
    text = clean_text(item.text, N_("the action"), TEXT_MIN, TEXT_MAX)
    owner_kind, owner_user = _check_owner(conn, item.owner_kind, item.owner_user, item.level, unit)
    due = _check_due(item.due_month or next_month(months[-1]), months)
    return {
        "level": item.level, "unit_code": item.unit_code, "state_code": unit["state_code"],
        "district_code": unit["district_code"], "parameter": parameter, "basis_month": basis,
        **gap_of(conn, basis, item.level, item.unit_code, parameter),
        "text": text, "owner_kind": owner_kind, "owner_user": owner_user,
        "review_date": _check_review_date(item.review_date),
        "forum": _check_forum(item.forum), "due_month": due,
    }


def _check_forum(value: object) -> str:
    if value not in FORUMS:
        raise ActionRefused(f"the forum must be one of {', '.join(FORUMS)}")
    return str(value)


# --- change ---------------------------------------------------------------------------------------------

_EDITABLE = ("text", "owner_kind", "owner_user", "due_month")


def update_action(engine: Engine, scope: Scope, action_id: int, expected_version: int, *,
                  status: str | None = None, reason: str | None = None, text: str | None = None,
                  owner_kind: str | None = None, owner_user: str | None = None, due_month: str | None = None,
                  actor: str | None = None) -> dict:
    """Change an action's status (dropped needs a reason) or, for those who may make it, its wording, owner
    or due month. Refused with ActionConflict when the action changed since `expected_version` was read."""
    actor = actor or scope.username or "user"
    with engine.begin() as conn:
        row = _get(conn, action_id)
        if row is None or not scope.can_see_action(row["state_code"], row["district_code"]):
            raise ActionRefused(_("there is no action {id}").format(id=action_id))
        if not scope.can_update_action(row["state_code"], row["district_code"]):
            raise OutOfScope(f"{scope.username or 'user'} may not change action {action_id}")
        if int(row["version"]) != int(expected_version):
            raise ActionConflict(_changed_by(row), row)
        changes: dict = {}
        if status is not None and status != row["status"]:
            if status not in STATUSES:
                raise ActionRefused(f"the status must be one of {', '.join(STATUSES)}")
            changes["status"] = status
            changes["escalated_by_data"] = False
            if status == "dropped":
                changes["status_reason"] = clean_text(reason, N_("the reason for dropping"), 3, REASON_MAX,
                                                       newlines=False)
            elif reason:
                changes["status_reason"] = clean_text(reason, N_("the reason"), 0, REASON_MAX, newlines=False)
            else:
                changes["status_reason"] = ""
        elif status == "dropped" and reason:
            changes["status_reason"] = clean_text(reason, N_("the reason for dropping"), 3, REASON_MAX, newlines=False)
        wants_edit = any(v is not None for v in (text, owner_kind, due_month))
        if wants_edit:
            if not scope.can_edit_action(row["level"], row["state_code"], row["district_code"]):
                raise OutOfScope(f"{scope.username or 'user'} may change the status and comment on action "
                                 f"{action_id}, not its wording, owner or due month")
            if text is not None and text != row["text"]:
                changes["text"] = clean_text(text, N_("the action"), TEXT_MIN, TEXT_MAX)
            if owner_kind is not None:
                unit = _unit(conn, row["level"], row["unit_code"]) or {}
                kind, user = _check_owner(conn, owner_kind, owner_user, row["level"], unit)
                if (kind, user) != (row["owner_kind"], row["owner_user"]):
                    changes.update(owner_kind=kind, owner_user=user)
            if due_month is not None and due_month != row["due_month"]:
                changes["due_month"] = _check_due(due_month, scored_months(conn))
                changes["current_due_month"] = changes["due_month"]
        if not changes:
            return row
        changes.update(version=int(row["version"]) + 1, updated_by=actor, updated_at=utcnow())
        done = conn.execute(update(Action).where(Action.id == action_id, Action.version == row["version"])
                            .values(**changes)).rowcount
        if not done:  # saved by someone else between our read and our write
            latest = _get(conn, action_id) or row
            raise ActionConflict(_changed_by(latest), latest)
        audit.record(conn, "action_update", actor=actor, detail=json.dumps(
            {"id": action_id, "before": {k: row[k] for k in changes if k in row and k not in ("updated_at",)},
             "after": _audited(changes)}, default=str))
        if "due_month" in changes or "status" in changes:
            evaluate_actions(conn, ids=[action_id])
        return _get(conn, action_id) or row


def add_comment(engine: Engine, scope: Scope, action_id: int, text: str, actor: str | None = None) -> int:
    actor = actor or scope.username or "user"
    body = clean_text(text, N_("the comment"), 1, COMMENT_MAX)
    with engine.begin() as conn:
        row = _get(conn, action_id)
        if row is None or not scope.can_see_action(row["state_code"], row["district_code"]):
            raise ActionRefused(_("there is no action {id}").format(id=action_id))
        if not scope.can_update_action(row["state_code"], row["district_code"]):
            raise OutOfScope(f"{scope.username or 'user'} may not comment on action {action_id}")
        new_id = int(conn.execute(insert(ActionComment).values(action_id=action_id, author=actor, text=body,
                                                              at=utcnow())).inserted_primary_key[0])
        audit.record(conn, "action_comment", actor=actor, detail=json.dumps({"id": action_id, "comment": body}))
    return new_id


def _changed_by(row: dict) -> str:
    return _("changed by {user} at {when}: your change was not saved; the latest version is shown").format(
        user=row["updated_by"] or _("someone"), when=format_timestamp(row["updated_at"]))


def _audited(values: dict) -> dict:
    return {k: v for k, v in values.items() if k not in ("created_at", "updated_at", "updated_by", "version")}


# --- read -----------------------------------------------------------------------------------------------


def _get(conn: Connection, action_id: int) -> dict | None:
    r = conn.execute(select(Action.__table__).where(Action.id == int(action_id))).mappings().first()
    return None if r is None else dict(r)


def get_action(engine: Engine, scope: Scope, action_id: int) -> dict | None:
    """One action with its unit and parameter names and its comments (None outside the scope)."""
    with engine.connect() as conn:
        row = _get(conn, action_id)
    if row is None or not scope.can_see_action(row["state_code"], row["district_code"]):
        return None
    df = list_actions(engine, scope, ActionFilters(ids=(int(action_id),)))
    if df.empty:
        return None
    out = df.iloc[0].to_dict()
    out["comments"] = comments(engine, scope, int(action_id))
    return out


def comments(engine: Engine, scope: Scope, action_id: int) -> list[dict]:
    with engine.connect() as conn:
        row = _get(conn, action_id)
        if row is None or not scope.can_see_action(row["state_code"], row["district_code"]):
            return []
        return [dict(r) for r in conn.execute(
            select(ActionComment.id, ActionComment.at, ActionComment.author, ActionComment.text)
            .where(ActionComment.action_id == action_id).order_by(ActionComment.at, ActionComment.id)).mappings()]


COLUMNS = ["id", "version", "level", "unit_code", "unit_name", "state_code", "state_name", "district_code",
           "district_name", "parameter", "parameter_name", "basis_month", "gap_numerator", "gap_denominator",
           "gap_value", "gap_target", "gap_needed", "gap_at_stake", "text", "owner_kind", "owner_user",
           "owner", "assigned_by", "created_at", "review_date", "forum", "due_month", "current_due_month",
           "carry_cycles", "status", "status_reason", "escalated_by_data", "escalated_to", "outcome",
           "outcome_month", "now_numerator", "now_denominator", "now_value", "now_at_stake", "overdue",
           "updated_by", "updated_at", "comment_count"]


def list_actions(engine: Engine, scope: Scope, filters: ActionFilters | None = None) -> pd.DataFrame:
    """The actions the scope may see, filtered; due first (current due month, then most at stake). Not
    cached: actions change between imports."""
    f = filters or ActionFilters()
    a = Action
    stmt = select(a.__table__)
    if scope.role == "state":
        stmt = stmt.where(a.state_code == scope.state_code)
    elif scope.role == "district":
        stmt = stmt.where(a.state_code == scope.state_code, a.district_code == scope.district_code)
    elif scope.role != "national":
        return pd.DataFrame(columns=COLUMNS)
    if f.state_code:
        stmt = stmt.where(a.state_code == f.state_code)
    if f.district_code:
        stmt = stmt.where(a.district_code == f.district_code)
    if f.unit_code:
        stmt = stmt.where(a.unit_code == f.unit_code)
    if f.level:
        stmt = stmt.where(a.level == f.level)
    if f.status:
        stmt = stmt.where(a.status == f.status)
    if f.due_month:
        stmt = stmt.where(a.current_due_month == f.due_month)
    if f.parameter:
        stmt = stmt.where(a.parameter == f.parameter)
    if f.owner:
        stmt = stmt.where((a.owner_user == f.owner) if f.owner not in OWNER_KINDS else (a.owner_kind == f.owner))
    if f.ids:
        stmt = stmt.where(a.id.in_([int(i) for i in f.ids]))
    if f.overdue:
        stmt = stmt.where(a.status.in_(ACTIVE), a.carry_cycles > 0)
    with engine.connect() as conn:
        df = pd.read_sql(stmt, conn)
        if df.empty:
            return pd.DataFrame(columns=COLUMNS)
        names = _names(conn, df)
        counts = dict(conn.execute(select(ActionComment.action_id, func.count()).where(
            ActionComment.action_id.in_([int(i) for i in df["id"]])).group_by(ActionComment.action_id)).all())
        methodology = stored_methodologies(conn)
    df["unit_name"] = [names.get((lvl, code), code) for lvl, code in zip(df["level"], df["unit_code"], strict=True)]
    df["state_name"] = [names.get(("state", s), s) for s in df["state_code"]]
    df["district_name"] = [names.get(("district", d), "") if d else "" for d in df["district_code"]]
    param_names = _parameter_names(methodology)
    df["parameter_name"] = [param_names.get(p, p) if isinstance(p, str) and p else "" for p in df["parameter"]]
    df["owner"] = [owner_label(k, u, lvl, un, dn) for k, u, lvl, un, dn in
                   zip(df["owner_kind"], df["owner_user"], df["level"], df["unit_name"], df["district_name"],
                       strict=True)]
    df["escalated_to"] = [ABOVE[lvl] if st == "escalated" else "" for lvl, st in zip(df["level"], df["status"],
                                                                                        strict=True)]
    df["overdue"] = [st in ACTIVE and int(c) > 0 for st, c in zip(df["status"], df["carry_cycles"], strict=True)]
    df["comment_count"] = [int(counts.get(int(i), 0)) for i in df["id"]]
    df = df.sort_values(["current_due_month", "gap_at_stake", "id"], ascending=[True, False, True],
                        na_position="last")
    return df[COLUMNS].reset_index(drop=True)


def owner_label(kind: str, user: str | None, level: str, unit_name: str, district_name: str) -> str:
    if kind == "user":
        return str(user or "")
    if kind == "sho":
        return f"SHO, {unit_name}"
    if kind == "sp":
        return f"SP, {district_name or unit_name}"
    return _("State HQ (SCRB)")


def _names(conn: Connection, df: pd.DataFrame) -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], str] = {}
    stations = sorted(set(df.loc[df["level"] == "station", "unit_code"]))
    districts = sorted(set(df["district_code"].dropna()))
    states = sorted(set(df["state_code"]))
    if stations:
        names.update({("station", c): n for c, n in conn.execute(
            select(PoliceStation.code, PoliceStation.name).where(PoliceStation.code.in_(stations)))})
    if districts:
        names.update({("district", c): n for c, n in conn.execute(
            select(District.code, District.name).where(District.code.in_(districts)))})
    names.update({("state", c): n for c, n in conn.execute(select(State.code, State.name).where(State.code.in_(states)))})
    return names


def _parameter_names(methodologies: dict) -> dict[str, str]:
    """Every scheme's parameter names by id (the ids are unique across schemes)."""
    names: dict[str, str] = {}
    for methodology in methodologies.values():
        for v in methodology.versions:
            for p in v.parameters:
                names[p.id] = parameter_text(p)
    return names


def history(engine: Engine, scope: Scope, action_id: int) -> list[dict]:
    """The audit trail of one action (made, changed, commented, judged), oldest first."""
    kinds = ("action_create", "action_update", "action_comment", "action_evaluate")
    with engine.connect() as conn:
        row = _get(conn, action_id)
        if row is None or not scope.can_see_action(row["state_code"], row["district_code"]):
            return []
        # every action event's detail is JSON that starts with its id (see the audit.record calls above)
        rows = conn.execute(select(AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.detail).where(
            AuditEvent.action.in_(kinds), AuditEvent.detail.like(f'{{"id": {int(action_id)},%'))
            .order_by(AuditEvent.at, AuditEvent.id)).all()
    events = []
    for at, actor, kind, detail in rows:
        try:
            parsed = json.loads(detail)
        except ValueError:
            continue
        if isinstance(parsed, dict) and parsed.get("id") == action_id:
            events.append({"at": at, "actor": actor, "kind": kind, "detail": parsed})
    return events


def tally(df: pd.DataFrame) -> dict[str, int]:
    """How the actions stand in the data: met, partly met, not met (incl. no data), carried over, pending,
    cannot be judged; and escalated."""
    out = {"total": len(df), "met": 0, "partly_met": 0, "not_met": 0, "carried_over": 0, "pending": 0,
           "not_judged": 0, "escalated": 0}
    for outcome, status, cycles in zip(df.get("outcome", []), df.get("status", []), df.get("carry_cycles", []),
                                       strict=True):
        if outcome == "met":
            out["met"] += 1
        elif outcome == "partly_met":
            out["partly_met"] += 1
        elif outcome in ("not_met", "no_data"):
            out["not_met"] += 1
        elif outcome == "pending":
            out["pending"] += 1
        else:
            out["not_judged"] += 1
        if status in ACTIVE and int(cycles) > 0:
            out["carried_over"] += 1
        if status == "escalated":
            out["escalated"] += 1
    return out
