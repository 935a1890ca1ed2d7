"""Audit trail page (/admin/audit, administrators): every recorded event, newest first, filtered by user,
kind, date range and outcome; the same rows as CSV (/download/audit, through the output-safety layer).

Skeleton and pure builders (no I/O); filled by callbacks/audit.py. A State admin reads the events of their
State's users; national admins read everything (`dashboard.web.admin.audit_trail`).
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.i18n import N_, Translated
from dashboard.i18n import gettext as _
from layouts.components import card, empty_state, league_grid, page_header


class ids:
    QUERY = "audit-query"
    USER = "audit-user"
    KIND = "audit-kind"
    SINCE = "audit-since"
    UNTIL = "audit-until"
    OUTCOME = "audit-outcome"
    LIST = "audit-list"
    NOTE = "audit-note"
    DOWNLOAD = "audit-download"
    GRID = "audit-grid"


OUTCOME_WORDS = Translated({"ok": N_("Done"), "refused": N_("Refused or failed")})
# the audit trail's kinds of event (`dashboard.store.audit.ACTIONS`) in words; the code is kept in the CSV
KIND_WORDS = Translated({
    "login": N_("Sign-in"), "login_failed": N_("Sign-in failed"), "lockout": N_("Locked out"),
    "logout": N_("Sign-out"), "sessions_revoked": N_("Sessions ended"), "import": N_("Data imported"),
    "revert": N_("Batch reverted"), "export": N_("Export"), "download": N_("Download"), "user_add": N_("User added"),
    "user_disable": N_("User disabled"), "user_password": N_("Password reset"), "user_enable": N_("User enabled"),
    "user_unlock": N_("User unlocked"), "password_change": N_("Password changed"),
    "profile_update": N_("Profile changed"), "scope_violation": N_("Outside the scope"),
    "action_create": N_("Action assigned"), "action_update": N_("Action changed"),
    "action_comment": N_("Action commented"), "action_import": N_("Actions imported"),
    "action_evaluate": N_("Action judged by the data"), "flag_review": N_("Flag reviewed"),
})


def kind_text(kind: str) -> str:
    return KIND_WORDS.get(kind) or kind.replace("_", " ")


def outcome_options() -> list[dict[str, str]]:
    return [{"label": label, "value": value} for value, label in OUTCOME_WORDS.items()]


COLUMNS: list[dict[str, Any]] = [
    {"headerName": N_("When"), "field": "when", "minWidth": 140, "flex": 1},
    {"headerName": N_("User"), "field": "actor", "minWidth": 100, "flex": 1},
    {"headerName": N_("Kind"), "field": "action_text", "minWidth": 110, "flex": 1},
    {"headerName": N_("Outcome"), "field": "outcome_text", "minWidth": 90, "flex": 1,
     "cellClassRules": {"cell-warn": "params.data && params.data.outcome === 'refused'"}},
    # the detail as recorded (names, codes, what a user typed): data, never translated
    {"headerName": N_("Detail"), "field": "detail", "minWidth": 260, "flex": 4, "wrapText": True, "autoHeight": True,
     "cellClass": "notranslate"},
    {"headerName": N_("Address"), "field": "remote_addr", "minWidth": 100, "flex": 1},
]


def _field(label: str, component: Any, fid: str, width: int = 2) -> dbc.Col:
    return dbc.Col([html.Label(label, htmlFor=fid, className="form-label"), component], md=width)


def layout(**_query: object) -> html.Div:
    filters = dbc.Row([
        _field(_("User"), dcc.Input(id=ids.USER, type="text", debounce=True, maxLength=80,
                                 className="form-control form-control-sm"), ids.USER, 3),
        _field(_("Kind"), dcc.Dropdown(id=ids.KIND, options=[], placeholder=_("any kind")), ids.KIND, 3),
        _field(_("From"), dcc.Input(id=ids.SINCE, type="date", debounce=True, className="form-control form-control-sm"),
               ids.SINCE),
        _field(_("To"), dcc.Input(id=ids.UNTIL, type="date", debounce=True, className="form-control form-control-sm"),
               ids.UNTIL),
        _field(_("Outcome"), dcc.Dropdown(id=ids.OUTCOME, options=outcome_options(), placeholder=_("any")), ids.OUTCOME),
    ], className="g-2 mb-2 ops-form")
    return html.Div(
        [
            dcc.Store(id=ids.QUERY, data={}),
            page_header(_("Audit trail"), _("Sign-ins, imports, reverts, downloads and user changes"),
                        right=html.A(_("Download CSV"), id=ids.DOWNLOAD, className="btn btn-sm "
                                     "btn-outline-secondary", download="audit-trail.csv")),
            card(_("Events"), [filters, html.Div(id=ids.LIST), html.Div(id=ids.NOTE, className="graph-note mt-2")],
                 subtitle=_("Newest first")),
        ],
        className="page-audit",
    )


def audit_grid(rows: list[dict]) -> Any:
    if not rows:
        return empty_state(N_("No events match"), _("Change the filters."))
    return league_grid(ids.GRID, rows, COLUMNS, row_id="id", page_size=25, height="640px", class_name="data-grid")
