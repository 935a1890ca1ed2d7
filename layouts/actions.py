"""Actions page (/actions): the directions given in reviews, with owner, due month, status and what the data
shows; "My actions" for a district SP (their district's, due first), the State's actions for its users,
read-only for national users once they pick a State. Selecting a row opens the action: details, gap then
and now, comments, history and, for those allowed, status, comment and edit forms.

Skeleton only (no I/O); callbacks/actions.py fills it. The filters live in the URL:
/actions?state=&district=&owner=&status=&due=&parameter=&overdue=1&action=<id>
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from layouts.action_parts import STATUS_LABELS
from layouts.components import card, league_grid, loading, page_header
from metrics.methodology import is_month


class ids:
    QUERY = "actions-query"
    RESOLVED = "actions-resolved"  # the query as resolved on the server (scope filled in)
    TITLE = "actions-title"
    SUBTITLE = "actions-subtitle"
    STATE = "actions-state"
    DISTRICT = "actions-district"
    OWNER = "actions-owner"
    STATUS = "actions-status"
    DUE = "actions-due"
    PARAMETER = "actions-parameter"
    OVERDUE = "actions-overdue"
    CLEAR = "actions-clear"
    NOTICE = "actions-notice"
    TALLY = "actions-tally"
    TABLE_CARD = "actions-table-card"
    TABLE = "actions-table"
    COUNT = "actions-count"
    NOTE = "actions-note"
    # the opened action (an offcanvas panel)
    PANEL = "action-panel"
    OPENED = "action-opened"  # {"id": n, "version": v} of the action shown
    DETAILS = "action-details"
    MESSAGE = "action-message"
    STATUS_FORM = "action-status-form"
    NEW_STATUS = "action-new-status"
    REASON = "action-reason"
    SAVE_STATUS = "action-save-status"
    COMMENTS = "action-comments"
    COMMENT_FORM = "action-comment-form"
    COMMENT = "action-comment"
    SAVE_COMMENT = "action-save-comment"
    EDIT_FORM = "action-edit-form"
    EDIT_TEXT = "action-edit-text"
    EDIT_OWNER = "action-edit-owner"
    EDIT_DUE = "action-edit-due"
    SAVE_EDIT = "action-save-edit"
    HISTORY = "action-history"


QUERY_KEYS = ("month", "state", "district", "owner", "status", "due", "parameter", "overdue", "action")


def _code(value: object, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    v = value.strip()
    return v if v and len(v) <= limit and all(c.isalnum() or c in "-_:." for c in v) else None


def clean_query(month: object = None, state: object = None, district: object = None, owner: object = None,
                status: object = None, due: object = None, parameter: object = None, overdue: object = None,
                action: object = None, **_unknown: object) -> dict[str, Any]:
    """Only well-formed values go into the page's store (callbacks check them against the scope)."""
    owner_value = _code(owner, 80)
    return {
        "month": month if isinstance(month, str) and is_month(month) else None,
        "state": (_code(state, 8) or "").upper() or None,
        "district": (_code(district, 16) or "").upper() or None,
        "owner": owner_value.lower() if owner_value else None,
        "status": status if isinstance(status, str) and status in STATUS_LABELS else None,
        "due": due if isinstance(due, str) and is_month(due) else None,
        "parameter": _code(parameter, 60),
        "overdue": "1" if overdue in ("1", "true", "yes") else None,
        "action": action if isinstance(action, str) and action.isdigit() and len(action) <= 9 else None,
    }


# Grid columns: what was asked, by when, where it stands and what the data says first (a phone shows these
# without scrolling sideways), then the parameter, the gap it was given on, the owner, the comments.
COLUMN_DEFS: list[dict[str, Any]] = [
    {"headerName": N_("Unit"), "field": "unit", "minWidth": 110, "flex": 2, "wrapText": True, "autoHeight": True,
     "cellClass": "cell-strong", "tooltipField": "unit"},
    {"headerName": N_("Action"), "field": "text", "minWidth": 180, "flex": 4, "wrapText": True, "autoHeight": True,
     "cellClass": "cell-text"},
    {"headerName": N_("Due"), "field": "due", "minWidth": 110, "flex": 1, "wrapText": True, "autoHeight": True,
     "cellClassRules": {"cell-warn": "params.data && params.data.overdue"},
     "headerTooltip": N_("The month whose data judges the action; an unmet action carries over month by month")},
    {"headerName": N_("Status"), "field": "status_label", "minWidth": 90, "width": 100,
     "cellClassRules": {"cell-down": "params.data && params.data.status == 'escalated'"}},
    {"headerName": N_("What the data shows"), "field": "data", "minWidth": 160, "flex": 2, "wrapText": True,
     "autoHeight": True, "cellClass": "cell-text",
     "cellClassRules": {"cell-up": "params.data && params.data.outcome == 'met'",
                        "cell-down": "params.data && (params.data.outcome == 'not_met' || "
                                     "params.data.outcome == 'no_data')"}},
    {"headerName": N_("Parameter"), "field": "parameter_name", "minWidth": 120, "flex": 2, "wrapText": True,
     "autoHeight": True},
    {"headerName": N_("Gap then"), "field": "gap", "minWidth": 110, "flex": 1, "wrapText": True, "autoHeight": True,
     "headerTooltip": N_("Where the unit stood on the parameter when the action was given (numerator of "
                      "denominator, share)")},
    {"headerName": N_("Owner"), "field": "owner", "minWidth": 110, "flex": 1, "wrapText": True, "autoHeight": True},
    {"headerName": N_("Comments"), "field": "comments", "width": 96, "minWidth": 80, "cellClass": "cell-num"},
]


def _filter(label: str, control_id: str, placeholder: str, value: Any, width: str = "md") -> html.Div:
    return html.Div(
        [html.Label(label, htmlFor=control_id, className="filter-label"),
         dcc.Dropdown(id=control_id, options=[], value=value, placeholder=placeholder, clearable=True,
                      searchable=True, className="filter-dropdown", optionHeight="auto")],
        className=f"filter-item filter-{width}",
    )


def filter_bar(q: dict[str, Any]) -> html.Div:
    return html.Div(
        [
            _filter(_("State/UT"), ids.STATE, _("Pick a State/UT…"), q["state"]),
            _filter(_("District"), ids.DISTRICT, _("All districts"), q["district"]),
            _filter(_("Owner"), ids.OWNER, _("Any owner"), q["owner"]),
            _filter(_("Status"), ids.STATUS, _("Any status"), q["status"], width="sm"),
            _filter(_("Due month"), ids.DUE, _("Any month"), q["due"], width="sm"),
            _filter(_("Parameter"), ids.PARAMETER, _("All parameters"), q["parameter"], width="lg"),
            html.Div(dbc.Checkbox(id=ids.OVERDUE, label=_("Overdue only"), value=q["overdue"] == "1"),
                     className="filter-item filter-check"),
            html.Div(dbc.Button(_("Clear filters"), id=ids.CLEAR, color="link", size="sm", className="px-0"),
                     className="filter-item filter-clear"),
        ],
        className="filter-bar",
        role="group",
        **{"aria-label": _("Filters")},
    )


def _form(title: str, form_id: str, children: list) -> html.Div:
    return html.Div([html.H3(title, className="panel-subhead"), *children], id=form_id,
                    className="action-form", style={"display": "none"})


def action_panel() -> dbc.Offcanvas:
    """The opened action: filled and shown by callbacks/actions.py."""
    status_options = [{"label": label, "value": key} for key, label in STATUS_LABELS.items()]
    return dbc.Offcanvas(
        [
            dcc.Store(id=ids.OPENED, data=None),
            html.Div(id=ids.MESSAGE, role="status", **{"aria-live": "polite"}),
            html.Div(id=ids.DETAILS),
            _form(_("Status"), ids.STATUS_FORM, [
                dbc.RadioItems(id=ids.NEW_STATUS, options=status_options, value=None, inline=True,
                               class_name="mb-2"),
                dbc.Label(_("Reason (needed to drop an action)"), html_for=ids.REASON, class_name="small mb-1"),
                dbc.Input(id=ids.REASON, value="", maxLength=300, placeholder=_("Why it is done, dropped or escalated")),
                dbc.Button(_("Save status"), id=ids.SAVE_STATUS, color="primary", size="sm", class_name="mt-2"),
            ]),
            html.Div(id=ids.COMMENTS),
            _form(_("Add a comment"), ids.COMMENT_FORM, [
                dbc.Label(_("Comment"), html_for=ids.COMMENT, class_name="visually-hidden"),
                dbc.Textarea(id=ids.COMMENT, value="", rows=2, maxLength=1000, placeholder=_("What was done, what is "
                             "in the way")),
                dbc.Button(_("Add comment"), id=ids.SAVE_COMMENT, color="primary", outline=True, size="sm",
                           class_name="mt-2"),
            ]),
            _form(_("Edit the direction"), ids.EDIT_FORM, [
                dbc.Label(_("Direction"), html_for=ids.EDIT_TEXT, class_name="small mb-1"),
                dbc.Textarea(id=ids.EDIT_TEXT, value="", rows=3, maxLength=500),
                dbc.Row([
                    dbc.Col([dbc.Label(_("Owner"), html_for=ids.EDIT_OWNER, class_name="small mb-1 mt-2"),
                             dcc.Dropdown(id=ids.EDIT_OWNER, options=[], value=None, clearable=False,
                                          optionHeight="auto")], xs=12, sm=7),
                    dbc.Col([dbc.Label(_("Due month"), html_for=ids.EDIT_DUE, class_name="small mb-1 mt-2"),
                             dcc.Dropdown(id=ids.EDIT_DUE, options=[], value=None, clearable=False,
                                          searchable=False)], xs=12, sm=5),
                ], class_name="g-2"),
                dbc.Button(_("Save changes"), id=ids.SAVE_EDIT, color="primary", outline=True, size="sm",
                           class_name="mt-2"),
            ]),
            html.Div(id=ids.HISTORY),
        ],
        id=ids.PANEL, title=_("Action"), is_open=False, placement="end", scrollable=True,
        class_name="action-panel",
    )


def layout(**query: object) -> html.Div:
    q = clean_query(**{k: query.get(k) for k in QUERY_KEYS})
    return html.Div(
        [
            dcc.Store(id=ids.QUERY, data=q),
            dcc.Store(id=ids.RESOLVED, data=None),
            page_header(html.Span(_("Actions"), id=ids.TITLE),
                        html.Span(_("Directions from the reviews, judged by the data"), id=ids.SUBTITLE)),
            dbc.Card(dbc.CardBody(filter_bar(q), className="py-2"), className="panel filter-panel"),
            html.Div(id=ids.NOTICE),
            loading(html.Div(id=ids.TALLY, className="mb-3")),
            html.Div(
                card(
                    html.Span([_("Actions") + " ", html.Span("0", id=ids.COUNT, className="badge text-bg-secondary")]),
                    [loading(league_grid(ids.TABLE, [], COLUMN_DEFS, row_id="key", page_size=25, height="620px",
                                         class_name="actions-grid",
                                         grid_options={"localeText": {"noRowsToShow": _("No actions match")}})),
                     html.Div(id=ids.NOTE, className="graph-note mt-2")],
                    subtitle=_("Due first. Click a row to open the action: its history, comments and, if you may, "
                             "its status."),
                ),
                id=ids.TABLE_CARD,
            ),
            action_panel(),
        ],
        className="page-actions",
    )
