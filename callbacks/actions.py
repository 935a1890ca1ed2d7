"""Actions page callbacks: resolve the URL's filters against the signed-in user's scope (asking for another
State's or district's actions is refused and audited), list them through `dashboard.actions.list_actions`
(which filters by the scope itself), open one action, and save status, comments and edits with the version
the user saw (a concurrent save is refused: the latest version is shown, the user's typed text is kept).

National users read; `dashboard.actions` refuses their changes, and so does this page (audited)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import pandas as pd
from dash import Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.assign import due_options, owner_of, owner_options
from callbacks.common import cached_callback, engine, query_strings, scope
from dashboard.display import format_indian, month_label
from dashboard.i18n import gettext as _
from dashboard.scope import OutOfScope, Scope
from layouts.action_parts import (
    OWNER_KIND_LABELS,
    STATUS_LABELS,
    action_details,
    comments_list,
    grid_rows,
    history_list,
    refused,
    tally_cards,
)
from layouts.actions import QUERY_KEYS, ids
from layouts.assign import ids as assign_ids
from layouts.components import empty_state
from layouts.shell import ids as shell_ids

HIDDEN = {"display": "none"}
SHOWN: dict = {}
FILTER_KEYS = ("state", "district", "owner", "status", "due", "parameter", "overdue")


class Refused(Exception):
    """The query names units outside the user's scope."""


PAGE_OUTPUTS: tuple[tuple[str, str], ...] = (
    (ids.TITLE, "children"), (ids.SUBTITLE, "children"),
    (ids.STATE, "options"), (ids.STATE, "value"), (ids.STATE, "disabled"),
    (ids.DISTRICT, "options"), (ids.DISTRICT, "value"), (ids.DISTRICT, "disabled"),
    (ids.OWNER, "options"), (ids.OWNER, "value"), (ids.STATUS, "options"), (ids.STATUS, "value"),
    (ids.DUE, "options"), (ids.DUE, "value"), (ids.PARAMETER, "options"), (ids.PARAMETER, "value"),
    (ids.OVERDUE, "value"), (ids.NOTICE, "children"), (ids.TALLY, "children"), (ids.TABLE, "rowData"),
    (ids.COUNT, "children"), (ids.NOTE, "children"), (ids.TABLE_CARD, "style"), (ids.RESOLVED, "data"),
)
OPEN_OUTPUTS: tuple[tuple[str, str], ...] = (
    (ids.PANEL, "is_open"), (ids.PANEL, "title"), (ids.OPENED, "data"), (ids.MESSAGE, "children"),
    (ids.DETAILS, "children"), (ids.COMMENTS, "children"), (ids.HISTORY, "children"),
    (ids.STATUS_FORM, "style"), (ids.NEW_STATUS, "value"), (ids.REASON, "value"),
    (ids.COMMENT_FORM, "style"), (ids.COMMENT, "value"),
    (ids.EDIT_FORM, "style"), (ids.EDIT_TEXT, "value"), (ids.EDIT_OWNER, "options"), (ids.EDIT_OWNER, "value"),
    (ids.EDIT_DUE, "options"), (ids.EDIT_DUE, "value"),
)
SAVE_OUTPUTS: tuple[tuple[str, str], ...] = (
    (ids.MESSAGE, "children"), (ids.DETAILS, "children"), (ids.COMMENTS, "children"), (ids.HISTORY, "children"),
    (ids.OPENED, "data"), (ids.COMMENT, "value"), (assign_ids.CHANGED, "data"),
)


def register(app: dash.Dash) -> None:
    cached_callback(
        app,
        [Output(i, p) for i, p in PAGE_OUTPUTS],
        Input(ids.QUERY, "data"),
        Input(assign_ids.CHANGED, "data"),
        actions=True,
    )(update_page)
    app.callback(
        Output(shell_ids.URL, "search", allow_duplicate=True),
        Input(ids.STATE, "value"),
        Input(ids.DISTRICT, "value"),
        Input(ids.OWNER, "value"),
        Input(ids.STATUS, "value"),
        Input(ids.DUE, "value"),
        Input(ids.PARAMETER, "value"),
        Input(ids.OVERDUE, "value"),
        Input(ids.CLEAR, "n_clicks"),
        State(ids.RESOLVED, "data"),
        prevent_initial_call=True,
    )(filters_to_url)
    app.callback(
        [Output(i, p) for i, p in OPEN_OUTPUTS],
        Input(ids.TABLE, "cellClicked"),
        Input(ids.TABLE, "selectedRows"),
        Input(ids.QUERY, "data"),
    )(open_action)
    app.callback(
        [Output(i, p, allow_duplicate=True) if i != assign_ids.CHANGED else Output(i, p, allow_duplicate=True)
         for i, p in SAVE_OUTPUTS],
        Input(ids.SAVE_STATUS, "n_clicks"),
        Input(ids.SAVE_COMMENT, "n_clicks"),
        Input(ids.SAVE_EDIT, "n_clicks"),
        State(ids.OPENED, "data"),
        State(ids.NEW_STATUS, "value"),
        State(ids.REASON, "value"),
        State(ids.COMMENT, "value"),
        State(ids.EDIT_TEXT, "value"),
        State(ids.EDIT_OWNER, "value"),
        State(ids.EDIT_DUE, "value"),
        State(assign_ids.CHANGED, "data"),
        prevent_initial_call=True,
    )(save_action)
    cached_callback(
        app,
        Output(shell_ids.NAV_ACTIONS, "children"),
        Input(shell_ids.URL, "pathname"),
    )(nav_label)


def nav_label(_pathname: Any) -> str:
    """ "My actions" for a district SP (their district's), "Actions" for everyone else."""
    try:
        return _("My actions") if scope().role == "district" else _("Actions")
    except OutOfScope:
        return _("Actions")


# --- the list ------------------------------------------------------------------------------------------------


def _audit(what: str) -> None:
    from dashboard.web import audit_request

    audit_request("scope_violation", what)


def resolve(query: Any, sc: Scope) -> dict[str, Any]:
    """The page's filters with the scope filled in: an SP's district, a State user's State. Raises Refused
    (audited) when the URL names a State or district outside the scope."""
    from dashboard import read

    q = query_strings(query, QUERY_KEYS)
    state, district = q["state"], q["district"]
    if district is not None:
        info = read.unit_info(engine(), "district", district)
        if info is None or (state is not None and info["state_code"] != state):
            district = None  # unknown, or not of that State: no filter
        else:
            state = info["state_code"]
    if sc.role == "district":
        if (state not in (None, sc.state_code)) or (district not in (None, sc.district_code)):
            _audit(f"actions of {district or state}")
            raise Refused
        state, district = sc.state_code, sc.district_code
    elif sc.role == "state":
        if state not in (None, sc.state_code):
            _audit(f"actions of {district or state}")
            raise Refused
        state = sc.state_code
    elif sc.role != "national":
        raise Refused
    if state is not None and read.unit_info(engine(), "state", state) is None:
        state, district = None, None
    return {**q, "state": state, "district": district}


def _filters(r: dict[str, Any], narrow: bool = True):
    from dashboard.actions import ActionFilters

    if not narrow:
        return ActionFilters(state_code=r["state"], district_code=r["district"])
    return ActionFilters(state_code=r["state"], district_code=r["district"], owner=r["owner"], status=r["status"],
                         due_month=r["due"], parameter=r["parameter"], overdue=r["overdue"] == "1")


def _options(full: pd.DataFrame) -> dict[str, list[dict]]:
    owners = []
    for kind in ("sp", "sho", "scrb"):
        if (full["owner_kind"] == kind).any():
            owners.append({"label": OWNER_KIND_LABELS[kind], "value": kind})
    for user in sorted({u for u in full["owner_user"].dropna() if u}):
        owners.append({"label": user, "value": user})
    dues = [{"label": month_label(m), "value": m} for m in sorted(set(full["current_due_month"].dropna()))]
    params = full.dropna(subset=["parameter"]).drop_duplicates("parameter")
    parameters = sorted(({"label": r.parameter_name or r.parameter, "value": r.parameter}
                         for r in params.itertuples()), key=lambda o: o["label"])
    return {"owner": owners, "due": dues, "parameter": parameters}


def with_open(t: dict[str, int], df: pd.DataFrame) -> dict[str, int]:
    return {**t, "open": int(df["status"].isin(["open", "escalated"]).sum()) if not df.empty else 0}


def update_page(query: Any, _changed: Any) -> tuple:
    from dashboard import actions, read

    sc = scope()
    eng = engine()
    out: dict[tuple[str, str], Any] = {k: no_update for k in PAGE_OUTPUTS}
    status_options = [{"label": label, "value": key} for key, label in STATUS_LABELS.items()]
    out.update({
        (ids.TITLE, "children"): _("My actions") if sc.role == "district" else _("Actions"),
        (ids.STATE, "disabled"): sc.role != "national", (ids.DISTRICT, "disabled"): sc.role == "district",
        (ids.STATUS, "options"): status_options, (ids.NOTICE, "children"): None, (ids.TALLY, "children"): None,
        (ids.TABLE, "rowData"): [], (ids.COUNT, "children"): "0", (ids.NOTE, "children"): None,
        (ids.TABLE_CARD, "style"): SHOWN, (ids.RESOLVED, "data"): None,
    })
    try:
        r = resolve(query, sc)
    except Refused:
        out[(ids.SUBTITLE, "children")] = _("Not available")
        out[(ids.NOTICE, "children")] = refused(_("These actions are outside what your account may see. The request "
                                                "has been recorded."))
        out[(ids.TABLE_CARD, "style")] = HIDDEN
        return tuple(out[k] for k in PAGE_OUTPUTS)
    names = read.state_names(eng)
    out[(ids.STATE, "options")] = [{"label": n, "value": c} for c, n in sorted(names.items(), key=lambda kv: kv[1])
                                   if sc.role == "national" or c == sc.state_code]
    out[(ids.STATE, "value")] = r["state"]
    if r["state"] is None:  # a national user who has not picked a State yet
        out[(ids.SUBTITLE, "children")] = _("Pick a State/UT to follow its actions (read only)")
        out[(ids.NOTICE, "children")] = empty_state(_("Pick a State/UT"), _("National users follow the States' actions; "
                                                   "the States and their SPs assign and update them."))
        out[(ids.TABLE_CARD, "style")] = HIDDEN
        out.update({(k, "options"): [] for k in (ids.DISTRICT, ids.OWNER, ids.DUE, ids.PARAMETER)})
        return tuple(out[k] for k in PAGE_OUTPUTS)
    full = actions.list_actions(eng, sc, _filters(r, narrow=False))
    shown = actions.list_actions(eng, sc, _filters(r))
    opts = _options(full)
    districts = read.districts_of(eng, r["state"], sc)
    out.update({
        (ids.DISTRICT, "options"): [{"label": d["name"], "value": d["code"]} for d in districts],
        (ids.DISTRICT, "value"): r["district"],
        (ids.OWNER, "options"): opts["owner"], (ids.OWNER, "value"): r["owner"],
        (ids.STATUS, "value"): r["status"],
        (ids.DUE, "options"): opts["due"], (ids.DUE, "value"): r["due"],
        (ids.PARAMETER, "options"): opts["parameter"], (ids.PARAMETER, "value"): r["parameter"],
        (ids.OVERDUE, "value"): r["overdue"] == "1",
        (ids.RESOLVED, "data"): {k: r[k] for k in QUERY_KEYS},
    })
    where = next((d["name"] for d in districts if d["code"] == r["district"]), None)
    out[(ids.SUBTITLE, "children")] = " · ".join(x for x in (where, names.get(r["state"], r["state"]),
                                                            _("due first")) if x)
    out[(ids.TALLY, "children")] = tally_cards(with_open(actions.tally(full), full)) if not full.empty else None
    rows = grid_rows(shown.to_dict("records"))
    out[(ids.TABLE, "rowData")] = rows
    out[(ids.COUNT, "children")] = format_indian(len(rows))
    if full.empty:
        out[(ids.NOTICE, "children")] = empty_state(
            _("No actions yet"), _("Assign actions from the lagging list, or from a district's or police station's page: "
            "each gets an owner and a due month, and the data of that month judges it."))
        out[(ids.TABLE_CARD, "style")] = HIDDEN
    elif len(shown) != len(full):
        out[(ids.NOTE, "children")] = _("Showing {n} of {total} actions.").format(
            n=format_indian(len(shown)), total=format_indian(len(full)))
    if sc.role == "national":
        note = out[(ids.NOTE, "children")]
        out[(ids.NOTE, "children")] = ((note + " ") if isinstance(note, str) else "") + \
            _("Read only: the State and its SPs update these actions.")
    return tuple(out[k] for k in PAGE_OUTPUTS)


def filters_to_url(state: Any, district: Any, owner: Any, status: Any, due: Any, parameter: Any, overdue: Any,
                   _clear: Any, resolved: Any) -> str:
    if not isinstance(resolved, dict):
        raise PreventUpdate
    current = query_strings(resolved, QUERY_KEYS)
    picks = query_strings({"state": state, "district": district, "owner": owner, "status": status, "due": due,
                           "parameter": parameter}, FILTER_KEYS)
    picks["overdue"] = "1" if overdue is True else None
    q: dict[str, Any] = {"month": current["month"], **picks}
    if ctx.triggered_id == ids.STATE and picks["state"] != current["state"]:
        q.update(district=None, owner=None, due=None, parameter=None)
    elif ctx.triggered_id == ids.CLEAR:
        q.update(district=None if current["district"] and _is_sp() else None, owner=None, status=None, due=None,
                 parameter=None, overdue=None)
    if {k: q.get(k) for k in FILTER_KEYS} == {k: current.get(k) for k in FILTER_KEYS}:
        raise PreventUpdate
    return "?" + urlencode({k: v for k, v in q.items() if v})


def _is_sp() -> bool:
    return scope().role == "district"


# --- one action ------------------------------------------------------------------------------------------------


def _picked_id(cell: Any, selected: Any, query: Any) -> int | None:
    trig = ctx.triggered_id
    raw: Any = None
    if trig == ids.TABLE and isinstance(cell, dict) and "cellClicked" in str(ctx.triggered_prop_ids):
        raw = cell.get("rowId")
    elif trig == ids.TABLE and isinstance(selected, list) and selected and isinstance(selected[0], dict):
        raw = selected[0].get("id")
    elif trig == ids.QUERY or trig is None:
        raw = query_strings(query, ("action",))["action"]
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 0 < raw < 10**9 else None
    if isinstance(raw, str) and raw.isdigit() and len(raw) <= 9:
        return int(raw)
    return None


def open_action(cell: Any, selected: Any, query: Any) -> tuple:
    """Open the clicked action (or the one in the URL) in the side panel, with the forms the user may use."""
    action_id = _picked_id(cell, selected, query)
    if action_id is None:
        raise PreventUpdate
    return _open(action_id, scope())


def _open(action_id: int, sc: Scope, message: Any = None) -> tuple:
    from dashboard import actions

    out: dict[tuple[str, str], Any] = {k: no_update for k in OPEN_OUTPUTS}
    a = actions.get_action(engine(), sc, action_id)
    if a is None:
        out.update({(ids.PANEL, "is_open"): True, (ids.PANEL, "title"): _("Action not found"),
                    (ids.OPENED, "data"): None,
                    (ids.MESSAGE, "children"): refused(_("There is no action {id} that your account may see.").format(id=action_id)),
                    (ids.DETAILS, "children"): None, (ids.COMMENTS, "children"): None, (ids.HISTORY, "children"): None,
                    (ids.STATUS_FORM, "style"): HIDDEN, (ids.COMMENT_FORM, "style"): HIDDEN,
                    (ids.EDIT_FORM, "style"): HIDDEN})
        return tuple(out[k] for k in OPEN_OUTPUTS)
    may_update = sc.can_update_action(a["state_code"], a["district_code"])
    may_edit = sc.can_edit_action(a["level"], a["state_code"], a["district_code"])
    owners, dues = _edit_choices(a, sc) if may_edit else ([], [])
    owner_value = f"user:{a['owner_user']}" if a["owner_kind"] == "user" else a["owner_kind"]
    out.update({
        (ids.PANEL, "is_open"): True, (ids.PANEL, "title"): _("Action {id}: {unit}").format(id=a["id"], unit=a["unit_name"]),
        (ids.OPENED, "data"): {"id": int(a["id"]), "version": int(a["version"])},
        (ids.MESSAGE, "children"): message,
        **_views(a, sc),
        (ids.STATUS_FORM, "style"): SHOWN if may_update else HIDDEN, (ids.NEW_STATUS, "value"): a["status"],
        (ids.REASON, "value"): "", (ids.COMMENT_FORM, "style"): SHOWN if may_update else HIDDEN,
        (ids.COMMENT, "value"): "",
        (ids.EDIT_FORM, "style"): SHOWN if may_edit else HIDDEN, (ids.EDIT_TEXT, "value"): a["text"],
        (ids.EDIT_OWNER, "options"): owners, (ids.EDIT_OWNER, "value"): owner_value,
        (ids.EDIT_DUE, "options"): dues, (ids.EDIT_DUE, "value"): a["due_month"],
    })
    if not may_update:
        note = _("Read only: the State and its SPs update this action.") if sc.role == "national" else None
        out[(ids.MESSAGE, "children")] = message or (note and html_note(note))
    return tuple(out[k] for k in OPEN_OUTPUTS)


def html_note(text: str) -> Any:
    from dash import html

    return html.Div(text, className="small text-body-secondary mb-2")


def _views(a: dict, sc: Scope) -> dict[tuple[str, str], Any]:
    from dashboard import actions

    return {
        (ids.DETAILS, "children"): action_details(a),
        (ids.COMMENTS, "children"): comments_list(a.get("comments") or []),
        (ids.HISTORY, "children"): history_list(actions.history(engine(), sc, int(a["id"]))),
    }


def _edit_choices(a: dict, sc: Scope) -> tuple[list[dict], list[dict]]:
    from dashboard import actions

    owners = owner_options(sc, a["state_code"], {a["district_code"]} if a["district_code"] else set(), a["level"])
    with engine().connect() as conn:
        dues = due_options(actions.scored_months(conn))
    if a["due_month"] and all(o["value"] != a["due_month"] for o in dues):
        dues.insert(0, {"label": month_label(a["due_month"]), "value": a["due_month"]})
    return owners, dues


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def save_action(_n_status: Any, _n_comment: Any, _n_edit: Any, opened: Any, status: Any, reason: Any,
                comment: Any, text: Any, owner: Any, due: Any, changed: Any) -> tuple:
    """Save what the pressed button says, against the version the user saw. A refusal or a conflict leaves
    the fields as the user typed them."""
    from dashboard import actions

    trig = ctx.triggered_id
    if trig not in (ids.SAVE_STATUS, ids.SAVE_COMMENT, ids.SAVE_EDIT) or not isinstance(opened, dict):
        raise PreventUpdate
    action_id, version = opened.get("id"), opened.get("version")
    if not isinstance(action_id, int) or not isinstance(version, int) or isinstance(action_id, bool):
        raise PreventUpdate
    sc, eng = scope(), engine()
    out: dict[tuple[str, str], Any] = {k: no_update for k in SAVE_OUTPUTS}
    bump = (changed if isinstance(changed, int) else 0) + 1
    try:
        if trig == ids.SAVE_COMMENT:
            actions.add_comment(eng, sc, action_id, _text(comment) or "")
            out[(ids.COMMENT, "value")] = ""
            done = _("Comment added.")
        elif trig == ids.SAVE_STATUS:
            actions.update_action(eng, sc, action_id, version, status=_text(status) or "", reason=_text(reason))
            done = _("Status saved: {status}.").format(status=STATUS_LABELS.get(str(status), status))
        else:
            kind, user = owner_of(owner)
            actions.update_action(eng, sc, action_id, version, text=_text(text) or "", owner_kind=kind,
                                  owner_user=user, due_month=_text(due) or "")
            done = _("Changes saved.")
    except actions.ActionConflict as exc:
        latest = actions.get_action(eng, sc, action_id)
        out[(ids.MESSAGE, "children")] = refused(_("Not saved: {why}. Your text is still in the form: check it "
                                                   "against the latest version and save again.").format(why=exc))
        if latest is not None:
            out.update(_views(latest, sc))
            out[(ids.OPENED, "data")] = {"id": int(latest["id"]), "version": int(latest["version"])}
        return tuple(out[k] for k in SAVE_OUTPUTS)
    except actions.ActionRefused as exc:
        out[(ids.MESSAGE, "children")] = refused(_("Not saved: {why}.").format(why=exc))
        return tuple(out[k] for k in SAVE_OUTPUTS)
    except OutOfScope:
        _audit(f"change of action {action_id}")
        what = _("National users follow the actions; the State and its SPs update them.") if sc.role == "national" \
            else _("Your account may change this action's status and comment on it, not its wording, owner or due "
                   "month.")
        out[(ids.MESSAGE, "children")] = refused(_("Not saved: {why} The request has been recorded.").format(why=what))
        return tuple(out[k] for k in SAVE_OUTPUTS)
    latest = actions.get_action(eng, sc, action_id)
    if latest is not None:
        out.update(_views(latest, sc))
        out[(ids.OPENED, "data")] = {"id": int(latest["id"]), "version": int(latest["version"])}
    from dash import html

    out[(ids.MESSAGE, "children")] = html.Div(done, className="alert alert-success py-2 mb-2")
    out[(assign_ids.CHANGED, "data")] = bump
    return tuple(out[k] for k in SAVE_OUTPUTS)
