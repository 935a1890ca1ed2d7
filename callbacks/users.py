"""Users page callbacks: the users the administrator manages, the chosen user, and the changes (add,
disable, enable, reset password, unlock). Who may do what is decided by `dashboard.web.admin`; a
non-administrator gets a message, and a change they post is refused and audited."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, ctx, html

from dashboard.display import format_indian, format_timestamp
from dashboard.i18n import N_, ngettext
from dashboard.i18n import gettext as _
from layouts.imports import message
from layouts.users import ROLE_WORDS, STATUS_WORDS, ids, one_time_password_view, user_grid

NOT_ADMIN = N_("User management is for administrators (national administrators, and a State's administrators for "
               "their State's users).")
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
        status = ("disabled" if not u.active else "locked" if locked
                  else "must_change" if u.must_change_password else "active")
        status_text = (_("locked until {when}").format(when=format_timestamp(u.locked_until)) if status == "locked"
                       else STATUS_WORDS[status])
        out.append({"username": u.username, "role": u.role, "role_text": ROLE_WORDS.get(u.role, u.role),
                    "state_code": u.state_code or "–",
                    "district_code": u.district_code or "–", "import_text": _("yes") if u.can_import else "",
                    "admin_text": _("yes") if u.is_admin else "", "status": status, "status_text": status_text,
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
        return message(_(NOT_ADMIN), "secondary"), None
    rows = _rows(users)
    note = (_("You manage every user.") if actor.national_admin else
            _("You manage the State and district users of {state}.").format(state=actor.state_code))
    count = ngettext("{n} user.", "{n} users.", len(rows)).format(n=format_indian(len(rows)))
    return user_grid(rows), f"{count} {note}"


def _selected(rows: Any) -> str | None:
    row = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else {}
    name = row.get("username")
    return name[:80] if isinstance(name, str) and name else None


def show_selected(rows: Any) -> Any:
    name = _selected(rows)
    return (html.Span([_("Chosen:") + " ", html.Strong(name)]) if name
            else html.Span(_("Choose a user in the table above."), className="text-body-secondary"))


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
        return message(_(NOT_ADMIN), "danger"), dash.no_update
    bump = (changed if isinstance(changed, int) else 0) + 1
    flags = flags if isinstance(flags, list) else []
    eng, addr = engine(), remote_addr()
    try:
        if ctx.triggered_id == ids.ADD:
            rec, otp = add_user(eng, actor, _text(username, 80), _text(role, 20), _text(state, 8) or None,
                                _text(district, 16) or None, can_import="import" in flags, is_admin="admin" in flags,
                                remote_addr=addr)
            return one_time_password_view(rec.username, otp, _("User {user} added.").format(user=rec.username)), bump
        target = _selected(selected)
        if target is None:
            return message(_("Choose a user in the table first."), "secondary"), dash.no_update
        if ctx.triggered_id == ids.DISABLE:
            disable(eng, actor, target, remote_addr=addr)
            return message(_("{user} is disabled; every session of theirs has ended.").format(user=target), "success"), bump
        if ctx.triggered_id == ids.ENABLE:
            enable(eng, actor, target, remote_addr=addr)
            return message(_("{user} is active again.").format(user=target), "success"), bump
        if ctx.triggered_id == ids.UNLOCK:
            unlock(eng, actor, target, remote_addr=addr)
            return message(_("{user} can sign in again.").format(user=target), "success"), bump
        if ctx.triggered_id == ids.RESET:
            otp = reset_password(eng, actor, target, remote_addr=addr)
            return one_time_password_view(target, otp, _("Password reset; every session of theirs has ended.")), bump
    except UserError as exc:
        text = str(exc)
        return message(text[:1].upper() + text[1:] + ".", "warning"), dash.no_update
    return dash.no_update, dash.no_update
