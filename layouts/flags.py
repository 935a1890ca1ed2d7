"""Data to verify (/flags): the month's figures that need verification in the user's scope, each with its
evidence in numbers, and the verify / dismiss step with a reason. Skeleton only; callbacks/foresight.py
fills it. The filters live in the URL: /flags?month=&state=&district=&status=open|verified|dismissed|all"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.display import FLAG_NOTE, FLAG_STATUS_WORDS
from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from layouts.components import card, league_grid, loading, page_header
from layouts.unit_parts import clean_code, clean_month


class ids:
    QUERY = "flags-query"
    SUBTITLE = "flags-subtitle"
    STATUS = "flags-status"
    SUMMARY = "flags-summary"
    TABLE = "flags-table"
    SELECTED = "flags-selected"
    DECISION = "flags-decision"
    REASON = "flags-reason"
    SUBMIT = "flags-submit"
    MESSAGE = "flags-message"
    DONE = "flags-done"  # bumped after a decision, to reload the table


STATUSES = ("open", "verified", "dismissed", "all")


def status_options() -> list[dict]:
    return [{"label": FLAG_STATUS_WORDS[v] if v != "all" else _("All"), "value": v} for v in STATUSES]

COLUMNS: list[dict] = [
    {"headerName": N_("Unit"), "field": "unit_text", "minWidth": 150, "flex": 2, "wrapText": True, "autoHeight": True},
    {"headerName": N_("Parameter"), "field": "parameter_text", "minWidth": 120, "flex": 1, "wrapText": True,
     "autoHeight": True},
    {"headerName": N_("Why it needs verification"), "field": "rule_text", "minWidth": 140, "flex": 1, "wrapText": True,
     "autoHeight": True},
    {"headerName": N_("Evidence"), "field": "evidence_text", "minWidth": 240, "flex": 3, "wrapText": True,
     "autoHeight": True},
    {"headerName": N_("Status"), "field": "status_text", "minWidth": 110, "flex": 1, "wrapText": True, "autoHeight": True},
]


def clean_status(value: object) -> str:
    return value if isinstance(value, str) and value in STATUSES else "open"


def layout(month: object = None, state: object = None, district: object = None, status: object = None,
           **_other: object) -> html.Div:
    q = {"month": clean_month(month), "state": clean_code(state), "district": clean_code(district),
         "status": clean_status(status)}
    return html.Div(
        [
            dcc.Store(id=ids.QUERY, data=q),
            dcc.Store(id=ids.DONE, data=0),
            page_header(_("Data to verify"), html.Span(id=ids.SUBTITLE)),
            html.P(_(FLAG_NOTE), className="text-body-secondary"),
            # Bootstrap's radio inputs, each labelled: Dash 4's RadioItems is an unnamed radiogroup whose options
            # nest a focusable input in a focusable label (axe: aria-input-field-name, nested-interactive)
            html.Fieldset([html.Legend(_("Show"), className="me-3 mb-0 fs-6 fw-semibold float-none w-auto"),
                           dbc.RadioItems(id=ids.STATUS, options=status_options(), value=q["status"], inline=True)],
                          className="d-flex flex-wrap align-items-center mb-2"),
            html.Div(id=ids.SUMMARY, className="mb-2", role="status"),
            card(_("Figures that need verification"),
                 loading(league_grid(ids.TABLE, [], COLUMNS, row_id="id", page_size=25, height="560px")),
                 subtitle=_("Select a row to verify it or dismiss it with a reason.")),
            card(_("Verify or dismiss"),
                 [html.Div(id=ids.SELECTED, className="mb-2"),
                  dbc.RadioItems(id=ids.DECISION, value="verified", inline=True,
                                 options=[{"label": _("Verified: the figures were checked"), "value": "verified"},
                                          {"label": _("Dismiss: not a concern"), "value": "dismissed"}]),
                  html.Label(_("Reason (kept with the decision)"), htmlFor=ids.REASON, className="form-label mt-2"),
                  dcc.Textarea(id=ids.REASON, maxLength=500, className="form-control", style={"height": "5rem"}),
                  dbc.Button(_("Record the decision"), id=ids.SUBMIT, color="primary", className="mt-2",
                             disabled=True),
                  html.Div(id=ids.MESSAGE, className="mt-2", role="status")]),
        ],
        className="page-flags",
    )
