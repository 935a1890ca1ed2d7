"""Users page callbacks: the users the administrator manages, the chosen user, and the changes (add,
disable, enable, reset password, unlock). Who may do what is decided by `dashboard.web.admin`; a
non-administrator gets a message, and a change they post is refused and audited."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, ctx, html

from dashboard.display import format_timestamp
from layouts.imports import message
from layouts.users import ids, one_time_password_view, user_grid

NOT_ADMIN = "User management is for administrators (national administrators, and a State's administrators for " \
            "their State's users)."
ACTIONS = (ids.DISABLE, ids.ENABLE, ids.RESET, ids.UNLOCK)


def register(app: dash.Dash) -> None:
    app.callback(
        Output(ids.LIST, "children"), Output(ids.NOTE, "children"),
        Input(ids.TEXT, "value"), Input(ids.ROLE, "value"), Input(ids.STATE, "value"), Input(ids.STATUS, "value"),
        Input(ids.CHANGED, "data"),
    )(update_list)
    app.callback(Output(ids.SELECTED, "children"), Input(ids.GRID, "selectedRows"))(show_selected)
    app.callback(
        Output(ids.MESSAGE, "children"), Output(ids.CHANGED, "data"),
        Input(ids.ADD, "n_clicks"), *[Input(a, "n_clicks") for a in ACTIONS],
        State(ids.NEW_USERNAME, "value"), State(ids.NEW_ROLE, "value"), State(ids.NEW_STATE, "value"),
        State(ids.NEW_DISTRICT, "value"), State(ids.NEW_FLAGS, "value"), State(ids.GRID, "selectedRows"),
        State(ids.CHANGED, "data"),
        prevent_initial_call=True,
    )(change)


def _text(v: Any, n: int) -> str:
    return v.strip()[:n] if isinstance(v, str) else ""


def _rows(records: list) -> list[dict]:
    from dashboard.store import utcnow

    now = utcnow()
    out = []
    for u in records:
        locked = u.locked_until is not None and u.locked_until > now
        status = ("disabled" if not u.active else f"locked until {u.locked_until:%H:%M} UTC" if locked
                  else "must change password" if u.must_change_password else "active")
        out.append({"username": u.username, "role": u.role, "state_code": u.state_code or "–",
                    "district_code": u.district_code or "–", "import_text": "yes" if u.can_import else "",
                    "admin_text": "yes" if u.is_admin else "", "status_text": status,
                    "created_text": format_timestamp(u.created_at) if u.created_at else "–"})
    return out


def update_list(text: Any, role: Any, state: Any, status: Any, _changed: Any) -> tuple:
    from callbacks.common import engine
    from dashboard.web import AdminRefused, current_actor, users_for

    actor = current_actor()
    try:
        users = users_for(engine(), actor, text=_text(text, 80), role=role if role in ("national", "state",
                                                                                       "district") else None,
                          state_code=_text(state, 8) or None,
                          status=status if status in ("active", "disabled", "locked", "must_change") else None)
    except AdminRefused:
        return message(NOT_ADMIN, "secondary"), None
    rows = _rows(users)
    note = ("You manage every user." if actor.national_admin else
            f"You manage the State and district users of {actor.state_code}.")
    return user_grid(rows), f"{len(rows)} user{'s' if len(rows) != 1 else ''}. {note}"


def _selected(rows: Any) -> str | None:
    row = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else {}
    name = row.get("username")
    return name[:80] if isinstance(name, str) and name else None


def show_selected(rows: Any) -> Any:
    name = _selected(rows)
    return (html.Span(["Chosen: ", html.Strong(name)]) if name
            else html.Span("Choose a user in the table above.", className="text-body-secondary"))


def change(_add: Any, *args: Any) -> tuple:
    from callbacks.common import engine
    from dashboard.web import (
        UserError,
        add_user,
        audit_request,
        current_actor,
        disable,
        enable,
        remote_addr,
        reset_password,
        unlock,
    )

    username, role, state, district, flags, selected, changed = args[len(ACTIONS):]
    actor = current_actor()
    if not actor.any_admin:
        audit_request("scope_violation", f"user management by a non-administrator ({ctx.triggered_id})")
        return message(NOT_ADMIN, "danger"), dash.no_update
    bump = (changed if isinstance(changed, int) else 0) + 1
    flags = flags if isinstance(flags, list) else []
    eng, addr = engine(), remote_addr()
    try:
        if ctx.triggered_id == ids.ADD:
            rec, otp = add_user(eng, actor, _text(username, 80), _text(role, 20), _text(state, 8) or None,
                                _text(district, 16) or None, can_import="import" in flags, is_admin="admin" in flags,
                                remote_addr=addr)
            return one_time_password_view(rec.username, otp, f"User {rec.username} added."), bump
        target = _selected(selected)
        if target is None:
            return message("Choose a user in the table first.", "secondary"), dash.no_update
        if ctx.triggered_id == ids.DISABLE:
            disable(eng, actor, target, remote_addr=addr)
            return message(f"{target} is disabled; every session of theirs has ended.", "success"), bump
        if ctx.triggered_id == ids.ENABLE:
            enable(eng, actor, target, remote_addr=addr)
            return message(f"{target} is active again.", "success"), bump
        if ctx.triggered_id == ids.UNLOCK:
            unlock(eng, actor, target, remote_addr=addr)
            return message(f"{target} can sign in again.", "success"), bump
        if ctx.triggered_id == ids.RESET:
            otp = reset_password(eng, actor, target, remote_addr=addr)
            return one_time_password_view(target, otp, "Password reset; every session of theirs has ended."), bump
    except UserError as exc:
        text = str(exc)
        return message(text[:1].upper() + text[1:] + ".", "warning"), dash.no_update
    return dash.no_update, dash.no_update
