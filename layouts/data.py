"""Data page: for the month, who reported (States for national users; districts or stations for State and
district users) with counts reported / active, the not-reported police stations in the user's scope, which
States sent their State-level rows, the import batches, and "data as of".

Skeleton only (no I/O); filled by callbacks/data.py. URL: /data?month=
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.display import month_label
from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from layouts.components import card, league_grid, loading, page_header
from metrics.methodology import is_month


class ids:
    QUERY = "data-query"
    SUBTITLE = "data-subtitle"
    KPIS = "data-kpis"
    REPORTING_TITLE = "data-reporting-title"
    REPORTING = "data-reporting"
    REPORTING_NOTE = "data-reporting-note"
    NOT_REPORTED = "data-not-reported"
    NOT_REPORTED_NOTE = "data-not-reported-note"
    STATE_ROWS = "data-state-rows"
    BATCHES = "data-batches"
    BATCHES_NOTE = "data-batches-note"


def clean_query(month: object = None, **_unknown: object) -> dict[str, str | None]:
    return {"month": month if isinstance(month, str) and is_month(month) else None}


_PCT = {"function": "params.value == null ? '–' : Number(params.value).toFixed(1) + '%'"}
_INDIAN = {"function": "params.value == null ? '–' : Number(params.value).toLocaleString('en-IN')"}

REPORTING_COLUMNS: list[dict[str, Any]] = [
    {"headerName": N_("Unit"), "field": "name", "minWidth": 150, "flex": 2, "cellClass": "cell-strong"},
    {"headerName": N_("Status"), "field": "status", "minWidth": 120, "flex": 1,
     "cellClassRules": {"cell-warn": "params.data && params.data.not_reported > 0"}},
    {"headerName": N_("Stations reported"), "field": "stations_reported", "minWidth": 90, "flex": 1,
     "cellClass": "cell-num", "valueFormatter": _INDIAN},
    {"headerName": N_("Active"), "field": "stations_active", "minWidth": 80, "flex": 1, "cellClass": "cell-num",
     "valueFormatter": _INDIAN},
    {"headerName": N_("Not reported"), "field": "not_reported", "minWidth": 90, "flex": 1, "cellClass": "cell-num",
     "valueFormatter": _INDIAN, "cellClassRules": {"cell-warn": "params.value > 0"}},
    {"headerName": N_("Reported"), "field": "reported_pct", "minWidth": 90, "flex": 1, "cellClass": "cell-num",
     "valueFormatter": _PCT},
]
STATION_COLUMNS: list[dict[str, Any]] = [
    {"headerName": N_("Police station"), "field": "name", "minWidth": 160, "flex": 2, "cellClass": "cell-strong"},
    {"headerName": N_("Code"), "field": "station_code", "minWidth": 110, "flex": 1},
    {"headerName": N_("Reported this month"), "field": "status", "minWidth": 140, "flex": 1,
     "cellClassRules": {"cell-warn": "params.data && !params.data.reported"}},
]
NOT_REPORTED_COLUMNS: list[dict[str, Any]] = [
    {"headerName": N_("Police station"), "field": "name", "minWidth": 150, "flex": 2, "cellClass": "cell-strong"},
    {"headerName": N_("Code"), "field": "station_code", "minWidth": 110, "flex": 1},
    {"headerName": N_("District"), "field": "district_name", "minWidth": 120, "flex": 1},
    {"headerName": N_("State/UT"), "field": "state_name", "minWidth": 120, "flex": 1},
]
STATE_ROWS_COLUMNS: list[dict[str, Any]] = [
    {"headerName": N_("State/UT"), "field": "name", "minWidth": 140, "flex": 2, "cellClass": "cell-strong"},
    {"headerName": N_("State-level rows"), "field": "status", "minWidth": 150, "flex": 2,
     "cellClassRules": {"cell-warn": "params.data && params.data.sent < params.data.expected"}},
    {"headerName": N_("Sent"), "field": "sent", "minWidth": 70, "flex": 1, "cellClass": "cell-num"},
    {"headerName": N_("Expected"), "field": "expected", "minWidth": 80, "flex": 1, "cellClass": "cell-num"},
]
BATCH_COLUMNS: list[dict[str, Any]] = [
    {"headerName": N_("Batch"), "field": "id", "minWidth": 70, "maxWidth": 90, "cellClass": "cell-num"},
    {"headerName": N_("When"), "field": "when", "minWidth": 150, "flex": 1},
    {"headerName": N_("Who"), "field": "created_by", "minWidth": 90, "flex": 1},
    {"headerName": N_("File"), "field": "file_name", "minWidth": 160, "flex": 2, "wrapText": True, "autoHeight": True},
    {"headerName": N_("Months"), "field": "months_text", "minWidth": 100, "flex": 1, "wrapText": True,
     "autoHeight": True},
    {"headerName": N_("Rows added"), "field": "rows_added", "minWidth": 80, "flex": 1, "cellClass": "cell-num",
     "valueFormatter": _INDIAN},
    {"headerName": N_("Rows replaced"), "field": "rows_replaced", "minWidth": 80, "flex": 1, "cellClass": "cell-num",
     "valueFormatter": _INDIAN},
    {"headerName": N_("Status"), "field": "status_text", "minWidth": 100, "flex": 1,
     "cellClassRules": {"cell-warn": "params.data && params.data.status === 'reverted'"}},
]


def layout(month: str | None = None, **_other: object) -> html.Div:
    q = clean_query(month)
    return html.Div(
        [
            dcc.Store(id=ids.QUERY, data=q),
            page_header(_("Data"), html.Span(month_label(q["month"]) or "latest month", id=ids.SUBTITLE)),
            loading(html.Div(id=ids.KPIS, className="row g-3 mb-3")),
            dbc.Row([
                dbc.Col(card(html.Span(_("Who reported"), id=ids.REPORTING_TITLE),
                             [loading(html.Div(id=ids.REPORTING)), html.Div(id=ids.REPORTING_NOTE,
                                                                            className="graph-note mt-2")],
                             subtitle=_("A police station has reported when it sent at least one row for the month.")),
                        lg=6, className="min-w-0"),
                dbc.Col(card(_("Not-reported police stations"),
                             [loading(html.Div(id=ids.NOT_REPORTED)),
                              html.Div(id=ids.NOT_REPORTED_NOTE, className="graph-note mt-2")],
                             subtitle=_("Flagged as not reported and scored 0 on days and yes/no parameters — never "
                                      "counted as perfect.")),
                        lg=6, className="min-w-0"),
            ], className="g-3"),
            card(_("State-level rows"),
                 loading(html.Div(id=ids.STATE_ROWS)),
                 subtitle=_("Parameters each State/UT reports once for the whole State (ICJS, training, …). A "
                          "missing row makes that parameter not applicable for the State that month.")),
            card(_("Import batches"),
                 [loading(html.Div(id=ids.BATCHES)), html.Div(id=ids.BATCHES_NOTE, className="graph-note mt-2")],
                 subtitle=_("Every file loaded, newest first. A batch is all-or-nothing and can be reverted exactly."),
                 actions=html.A(_("Open batches, import, revert"), href="/data/batches",
                                className="btn btn-sm btn-outline-primary")),
        ],
        className="page-data",
    )


def grid(grid_id: str, rows: list[dict], columns: list[dict], *, row_id: str | None = None,
         page_size: int | None = None) -> Any:
    """A read-only table on this page: short tables grow with the page, long ones page."""
    long = page_size is not None and len(rows) > page_size
    return league_grid(grid_id, rows, columns, row_id=row_id, auto_height=True, page_size=page_size if long else None,
                       class_name="data-grid")
