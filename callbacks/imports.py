"""Import page callbacks: an uploaded token is checked (every problem, or the preview), then imported or
cancelled. Thin: the web room decides who may import and does the work (`dashboard.web.check_upload`,
`commit_upload`, `cancel_upload`); here the request is read and the components built."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import dash
from dash import Input, Output, State, ctx, html

from dashboard.i18n import gettext as _
from layouts.imports import ids, message, preview_view, problems_view, provisional_view

OUTPUTS = ((ids.RESULT, "children"), (ids.TOKEN, "data"), (ids.GO, "disabled"), (ids.CANCEL, "disabled"),
           (ids.ACTIONS, "style"), (ids.UPLOAD_STATUS, "children"))
SHOWN, HIDDEN = {"display": "flex", "gap": "0.5rem"}, {"display": "none"}  # no d-flex: it is !important


def register(app: dash.Dash) -> None:
    app.callback([Output(i, p) for i, p in OUTPUTS],
                 Input(ids.QUERY, "data"), Input(ids.UPLOADED, "data"), Input(ids.GO, "n_clicks"),
                 Input(ids.CANCEL, "n_clicks"), Input(ids.PROVISIONAL, "value"), State(ids.TOKEN, "data"))(update)


def _token(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("token")
    return value if isinstance(value, str) and 0 < len(value) <= 64 else None


def render(checked: Any, user: Any) -> tuple:
    """Components for a `dashboard.web.Checked`."""
    from dashboard.web import PROBLEMS_PATH

    focus = getattr(user, "state_code", None)
    token = None
    status = checked.status
    if status == "preview":
        token = checked.token
        return (_preview_of(checked.preview, focus), token, False, False, SHOWN, _("Checked: no problems."))
    if status == "changed":
        return ([message(checked.message, "warning"), _preview_of(checked.preview, focus)]
                if checked.preview is not None else message(checked.message, "warning"),
                checked.token if checked.preview is not None else None, checked.preview is None,
                checked.preview is None, SHOWN if checked.preview is not None else HIDDEN, _("Checked again."))
    if status == "problems":
        href = f"{PROBLEMS_PATH}?token={quote(checked.token or '')}"
        return (problems_view(list(checked.problems), checked.omitted, checked.files, href), None, True, True,
                HIDDEN, _("Checked: problems found (listed below)."))
    if status == "imported":
        return (html.Div([message(checked.message, "success"),
                          html.A(_("See the import batches"), href="/data/batches", className="btn btn-outline-primary")]),
                None, True, True, HIDDEN, _("Imported."))
    tone = {"cancelled": "secondary", "refused": "danger", "gone": "warning"}.get(status, "danger")
    return (message(checked.message, tone), None, True, True, HIDDEN,
            _("Cancelled.") if status == "cancelled" else _("Not imported."))


def _preview_of(preview: Any, focus: str | None) -> Any:
    return provisional_view(preview) if preview.action == "provisional" else preview_view(preview, focus)


def update(_query: Any, uploaded: Any, _go: Any, _cancel: Any, provisional: Any, token: Any = None) -> tuple:
    from dashboard.web import cancel_upload, check_upload, commit_upload, current_user_session, may_import

    user = current_user_session()
    trigger = ctx.triggered_id
    if not may_import(user):
        return (message(_("Your account may not import data. Imports are for a State's data operators (users "
                          "with import rights) and national administrators."), "secondary"),
                None, True, True, HIDDEN, "")
    prov = provisional is True  # the switch: the month being collected, loaded as provisional (issue 14)
    if trigger == ids.UPLOADED and uploaded is None:  # the empty store of a freshly opened page: nothing yet
        return (None, None, True, True, HIDDEN, dash.no_update)
    if trigger == ids.UPLOADED or (trigger == ids.PROVISIONAL and _token(token)):
        return render(check_upload(_token(uploaded) or _token(token), prov), user)
    if trigger == ids.GO and _token(token):
        return render(commit_upload(_token(token), prov), user)
    if trigger == ids.CANCEL and _token(token):
        return render(cancel_upload(_token(token)), user)
    return (None, None, True, True, HIDDEN, dash.no_update)
