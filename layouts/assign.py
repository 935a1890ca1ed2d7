"""The assign dialog: one dbc.Modal in the app shell, opened from the lagging list, the State and district
lagging panels and the unit pages, to turn a gap into actions with an owner and a due month.

Skeleton only (no I/O). An Assign button writes the station codes to `ids.REQUEST` (assets/assign.js for
the buttons in tables, a callback for the lagging page's selection); callbacks/assign.py checks the
request against the signed-in user's scope, fills the dialog and saves through `dashboard.actions`."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.i18n import gettext as _
from layouts.action_parts import FORUM_LABELS

TOP = "__top__"  # parameter choice: each station's parameter with most marks at stake


class ids:
    REQUEST = "assign-request"  # {"stations": [codes], "month": "YYYY-MM" | None, "at": ms}: what was clicked
    CONTEXT = "assign-context"  # the request as the server accepted it: {"stations": [...], "month": ...}
    CHANGED = "actions-changed"  # bumped after every saved action change: lists and panels refresh
    MODAL = "assign-modal"
    TITLE = "assign-title"
    UNITS = "assign-units"
    FIELDS = "assign-fields"
    PARAMETER = "assign-parameter"
    TEXT = "assign-text"
    PREVIEW = "assign-preview"
    OWNER = "assign-owner"
    DUE = "assign-due"
    REVIEW_DATE = "assign-review-date"
    FORUM = "assign-forum"
    ERROR = "assign-error"
    SAVE = "assign-save"
    CANCEL = "assign-cancel"
    RESULT = "assign-result"  # the toast after saving
    RESULT_BODY = "assign-result-body"


FORUM_OPTIONS = [{"label": label, "value": key} for key, label in FORUM_LABELS.items()]


def _field(label: str, control_id: str, control, help_text: str | None = None, width: int = 12) -> dbc.Col:
    return dbc.Col(html.Div([
        dbc.Label(label, html_for=control_id, className="form-label fw-semibold mb-1"),
        control,
        help_text and html.Div(help_text, className="form-text"),
    ], className="mb-3"), xs=12, md=width)


def dialog() -> html.Div:
    """The modal, its stores and the toast shown after saving (part of the shell on every page)."""
    fields = html.Div([
        html.Div(id=ids.UNITS, className="assign-units mb-3"),
        dbc.Row([
            _field(_("Parameter"), ids.PARAMETER, dcc.Dropdown(id=ids.PARAMETER, options=[], value=None, clearable=False,
                                                            searchable=True, optionHeight="auto"),
                   "Preset: the parameter with most marks at stake."),
            _field(_("Direction"), ids.TEXT, dbc.Textarea(id=ids.TEXT, value="", rows=3, maxLength=500,
                                                        placeholder=_("What must be done")),
                   None),
            html.Div(id=ids.PREVIEW, className="col-12"),
            _field(_("Owner"), ids.OWNER, dcc.Dropdown(id=ids.OWNER, options=[], value=None, clearable=False,
                                                    searchable=True, optionHeight="auto"), width=6),
            _field(_("Due month"), ids.DUE, dcc.Dropdown(id=ids.DUE, options=[], value=None, clearable=False,
                                                      searchable=False),
                   "Judged by the data of this month.", width=6),
            _field(_("Review date"), ids.REVIEW_DATE, dbc.Input(id=ids.REVIEW_DATE, type="date", value=None), width=6),
            _field(_("Forum"), ids.FORUM, dcc.Dropdown(id=ids.FORUM, options=FORUM_OPTIONS, value="state_review",
                                                    clearable=False, searchable=False), width=6),
        ], className="g-2"),
    ], id=ids.FIELDS)
    modal = dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(_("Assign an action"), id=ids.TITLE)),
            dbc.ModalBody([fields, html.Div(id=ids.ERROR, role="alert", **{"aria-live": "assertive"})]),
            dbc.ModalFooter([
                dbc.Button(_("Cancel"), id=ids.CANCEL, color="secondary", outline=True),
                dbc.Button(_("Assign"), id=ids.SAVE, color="primary"),
            ]),
        ],
        id=ids.MODAL, is_open=False, size="lg", scrollable=True, centered=False, class_name="assign-modal",
    )
    toast = dbc.Toast(html.Div(id=ids.RESULT_BODY), id=ids.RESULT, header=_("Actions assigned"), is_open=False,
                      dismissable=True, duration=9000, icon="success", class_name="assign-toast")
    return html.Div([
        dcc.Store(id=ids.REQUEST, data=None),
        dcc.Store(id=ids.CONTEXT, data=None),
        dcc.Store(id=ids.CHANGED, data=0),
        modal,
        toast,
    ])
