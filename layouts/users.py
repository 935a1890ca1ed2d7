"""Users page (/admin/users, administrators): the users one manages with filters; add a user (a one-time
password shown once); disable, enable, reset the password of, or unlock the chosen user.

Skeleton and pure builders (no I/O); filled by callbacks/users.py. What an administrator may do is decided
in `dashboard.web.admin` (national admins: everyone; a State admin: their State's State and district users).
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.i18n import N_, Translated
from dashboard.i18n import gettext as _
from layouts.components import card, empty_state, league_grid, page_header


class ids:
    QUERY = "users-query"
    CHANGED = "users-changed"
    TEXT = "users-filter-text"
    ROLE = "users-filter-role"
    STATUS = "users-filter-status"
    STATE = "users-filter-state"
    LIST = "users-list"
    NOTE = "users-note"
    GRID = "users-grid"
    SELECTED = "users-selected"
    DISABLE = "users-disable"
    ENABLE = "users-enable"
    RESET = "users-reset"
    UNLOCK = "users-unlock"
    NEW_USERNAME = "users-new-username"
    NEW_ROLE = "users-new-role"
    NEW_STATE = "users-new-state"
    NEW_DISTRICT = "users-new-district"
    NEW_FLAGS = "users-new-flags"
    ADD = "users-add"
    MESSAGE = "users-message"


ROLE_WORDS = Translated({"national": N_("National"), "state": N_("State"), "district": N_("District (SP)")})
STATUS_WORDS = Translated({"active": N_("Active"), "disabled": N_("Disabled"), "locked": N_("Locked"),
                           "must_change": N_("Must change password")})
FLAG_WORDS = Translated({"import": N_("May import data (national and State users)"),
                         "admin": N_("Administrator (manages users, reads the audit trail)")})


def role_options() -> list[dict[str, str]]:
    return [{"label": label, "value": value} for value, label in ROLE_WORDS.items()]


def status_options() -> list[dict[str, str]]:
    return [{"label": label, "value": value} for value, label in STATUS_WORDS.items()]


def flag_options() -> list[dict[str, str]]:
    return [{"label": " " + label, "value": value} for value, label in FLAG_WORDS.items()]


COLUMNS: list[dict[str, Any]] = [
    {"headerName": N_("Username"), "field": "username", "minWidth": 130, "flex": 2, "cellClass": "cell-strong"},
    {"headerName": N_("Role"), "field": "role_text", "minWidth": 90, "flex": 1},
    {"headerName": N_("State/UT"), "field": "state_code", "minWidth": 80, "flex": 1},
    {"headerName": N_("District"), "field": "district_code", "minWidth": 100, "flex": 1},
    {"headerName": N_("Import"), "field": "import_text", "minWidth": 70, "flex": 1},
    {"headerName": N_("Admin"), "field": "admin_text", "minWidth": 70, "flex": 1},
    {"headerName": N_("Status"), "field": "status_text", "minWidth": 150, "flex": 2,
     "cellClassRules": {"cell-warn": "params.data && params.data.status !== 'active'"}},
    {"headerName": N_("Created"), "field": "created_text", "minWidth": 110, "flex": 1},
]


def _field(label: str, component: Any, fid: str, width: int = 3) -> dbc.Col:
    return dbc.Col([html.Label(label, htmlFor=fid, className="form-label"), component], md=width)


def layout(**_query: object) -> html.Div:
    filters = dbc.Row([
        _field(_("Username contains"), dcc.Input(id=ids.TEXT, type="text", debounce=True, maxLength=80,
                                              className="form-control form-control-sm"), ids.TEXT),
        _field(_("Role"), dcc.Dropdown(id=ids.ROLE, options=role_options(), placeholder=_("any role")), ids.ROLE, 2),
        _field(_("State/UT code"), dcc.Input(id=ids.STATE, type="text", debounce=True, maxLength=8,
                                          className="form-control form-control-sm"), ids.STATE, 2),
        _field(_("Status"), dcc.Dropdown(id=ids.STATUS, options=status_options(), placeholder=_("any status")), ids.STATUS),
    ], className="g-2 mb-2 ops-form")
    selected = html.Div([
        html.Div(id=ids.SELECTED, className="mb-2"),
        html.Div([dbc.Button(_("Disable"), id=ids.DISABLE, color="danger", outline=True, size="sm", n_clicks=0),
                  dbc.Button(_("Enable"), id=ids.ENABLE, color="secondary", outline=True, size="sm", n_clicks=0),
                  dbc.Button(_("Reset password"), id=ids.RESET, color="secondary", outline=True, size="sm", n_clicks=0),
                  dbc.Button(_("Unlock"), id=ids.UNLOCK, color="secondary", outline=True, size="sm", n_clicks=0)],
                 className="d-flex flex-wrap gap-2"),
    ])
    add = html.Div([
        dbc.Row([
            _field(_("Username"), dcc.Input(id=ids.NEW_USERNAME, type="text", maxLength=80, autoComplete="off",
                                         className="form-control form-control-sm"), ids.NEW_USERNAME),
            _field(_("Role"), dcc.Dropdown(id=ids.NEW_ROLE, options=role_options(), value="district", clearable=False),
                   ids.NEW_ROLE, 3),
            _field(_("State/UT code"), dcc.Input(id=ids.NEW_STATE, type="text", maxLength=8,
                                              className="form-control form-control-sm"), ids.NEW_STATE, 2),
            _field(_("District code (SP)"), dcc.Input(id=ids.NEW_DISTRICT, type="text", maxLength=16,
                                                   className="form-control form-control-sm"), ids.NEW_DISTRICT),
        ], className="g-2 ops-form"),
        # Bootstrap's native checkboxes, each with its label (Dash 4's dcc.Checklist nests the checkbox in a
        # role=option label inside an unnamed listbox: axe's nested-interactive and aria-input-field-name)
        dbc.Checklist(id=ids.NEW_FLAGS, options=flag_options(), value=[], class_name="my-2 small"),
        dbc.Button(_("Add user"), id=ids.ADD, color="primary", size="sm", n_clicks=0),
        html.Div(_("The new user gets a one-time password, shown once here, and must choose their own at the first "
                 "sign-in."), className="small text-body-secondary mt-1"),
    ])
    return html.Div(
        [
            dcc.Store(id=ids.QUERY, data={}),
            dcc.Store(id=ids.CHANGED, data=0),
            page_header(_("Users"), _("Who may sign in, and what they may see and do")),
            html.Div(id=ids.MESSAGE, **{"aria-live": "polite"}),
            card(_("Users"), [filters, html.Div(id=ids.LIST), html.Div(id=ids.NOTE, className="graph-note mt-2")],
                 subtitle=_("Choose a user to disable, enable, reset their password or unlock them.")),
            dbc.Row([dbc.Col(card(_("Chosen user"), selected), lg=5, className="min-w-0"),
                     dbc.Col(card(_("Add a user"), add), lg=7, className="min-w-0")], className="g-3"),
        ],
        className="page-users",
    )


def user_grid(rows: list[dict]) -> Any:
    if not rows:
        return empty_state(N_("No users match"), _("Change the filters."))
    return league_grid(ids.GRID, rows, COLUMNS, row_id="username", auto_height=len(rows) <= 20,
                       page_size=20 if len(rows) > 20 else None, class_name="data-grid")


def one_time_password_view(username: str, password: str, what: str) -> Any:
    return dbc.Alert([
        html.Div(what + " " + _("One-time password for {user}:").format(user=username), className="fw-semibold"),
        html.Div(password, className="one-time-password my-1 notranslate", id="users-otp"),
        html.Div(_("Shown only now: give it to the user by a safe channel. They must choose their own password when "
                 "they first sign in."), className="small"),
    ], color="success", className="my-3")
