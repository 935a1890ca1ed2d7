"""Provisional figures page (issue 14): the month being collected "as of <date>, provisional", at national,
State and district level, always under its banner and never mixed with a final month.

Skeleton only (no I/O); filled by callbacks/provisional.py. URL: /provisional?month=&state=&district=
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from layouts.components import card, loading, page_header
from metrics.methodology import is_month

PATH = "/provisional"
PICKER_PREFIX = "provisional:"  # the month picker's value for a provisional month ("provisional:2026-12")


class ids:
    QUERY = "provisional-query"
    TITLE = "provisional-title"
    SUBTITLE = "provisional-subtitle"
    BANNER = "provisional-banner"
    KPIS = "provisional-kpis"
    TODO = "provisional-todo"
    TODO_BOX = "provisional-todo-box"
    UNITS = "provisional-units"
    UNITS_TITLE = "provisional-units-title"
    UNITS_BOX = "provisional-units-box"
    LAGGING = "provisional-lagging"
    LAGGING_BOX = "provisional-lagging-box"
    STATES = "provisional-states"
    STATES_NOTE = "provisional-states-note"
    DOWNLOADS = "provisional-downloads"


# every word a person reads on this page, in one place (issue 12 wraps them for Hindi)
TEXT = {
    "title": "Provisional figures",
    "banner_head": "Provisional — {month}, as of {as_of}",
    "banner_body": ("These figures are not final: they are what {who} loaded so far for a month still being "
                    "collected, scored as if the month closed today. The month's final import replaces them."),
    "todo": "What still has to happen before the cut-off",
    "todo_sub": ("The police stations and records whose entry before the cut-off gains the most marks "
                 "(marks at stake, rule 11), from the provisional rows."),
    "districts": "Districts, if the month closed today",
    "lagging": "Lagging police stations in the provisional figures",
    "lagging_sub": "Rule 12 on the rows loaded so far; a station not reported yet is lagging until its rows arrive.",
    "states": "All States/UTs, if the month closed today",
    "states_sub": ("A State with provisional figures is ranked by them; every other State by its latest final "
                   "month (the Figure column says which)."),
}

_INDIAN = {"function": "params.value == null ? '–' : Number(params.value).toLocaleString('en-IN')"}
_MARKS = {"function": "params.value == null ? '–' : '+' + Number(params.value).toFixed(3)"}

STATES_COLUMNS: list[dict[str, Any]] = [
    {"headerName": "Rank", "field": "rank_text", "minWidth": 70, "maxWidth": 90, "cellClass": "cell-num"},
    {"headerName": "State/UT", "field": "name", "minWidth": 150, "flex": 2, "cellClass": "cell-strong"},
    {"headerName": "Score", "field": "score_display", "minWidth": 80, "flex": 1, "cellClass": "cell-num"},
    {"headerName": "Figure", "field": "figure_text", "minWidth": 170, "flex": 2,
     "cellClassRules": {"cell-provisional": "params.data && params.data.basis === 'provisional'"}},
    {"headerName": "Change vs last final", "field": "change_text", "minWidth": 110, "flex": 1, "cellClass": "cell-num"},
    {"headerName": "Stations reported", "field": "reported_text", "minWidth": 120, "flex": 1, "cellClass": "cell-num"},
]
DISTRICT_COLUMNS: list[dict[str, Any]] = [
    {"headerName": "Rank", "field": "rank_in_state", "minWidth": 70, "maxWidth": 90, "cellClass": "cell-num"},
    {"headerName": "District", "field": "name", "minWidth": 140, "flex": 2, "cellClass": "cell-strong"},
    {"headerName": "Provisional score", "field": "score_display", "minWidth": 100, "flex": 1, "cellClass": "cell-num"},
    {"headerName": "Last final", "field": "last_final_text", "minWidth": 90, "flex": 1, "cellClass": "cell-num"},
    {"headerName": "Stations reported", "field": "reported_text", "minWidth": 120, "flex": 1, "cellClass": "cell-num"},
]
TODO_COLUMNS: list[dict[str, Any]] = [
    {"headerName": "Police station", "field": "station_name", "minWidth": 140, "flex": 2, "cellClass": "cell-strong",
     "wrapText": True, "autoHeight": True},
    {"headerName": "District", "field": "district_name", "minWidth": 110, "flex": 1},
    {"headerName": "Parameter", "field": "parameter_name", "minWidth": 160, "flex": 2, "wrapText": True,
     "autoHeight": True},
    {"headerName": "Entered so far", "field": "so_far", "minWidth": 110, "flex": 1, "cellClass": "cell-num"},
    {"headerName": "Still to enter", "field": "records", "minWidth": 90, "flex": 1, "cellClass": "cell-num",
     "valueFormatter": _INDIAN},
    {"headerName": "Marks gained", "field": "at_stake", "minWidth": 100, "flex": 1, "cellClass": "cell-num",
     "valueFormatter": _MARKS},
]
LAGGING_COLUMNS: list[dict[str, Any]] = [
    {"headerName": "Police station", "field": "station_name", "minWidth": 140, "flex": 2, "cellClass": "cell-strong"},
    {"headerName": "District", "field": "district_name", "minWidth": 110, "flex": 1},
    {"headerName": "Score", "field": "score_display", "minWidth": 70, "flex": 1, "cellClass": "cell-num"},
    {"headerName": "Why it is lagging", "field": "reasons", "minWidth": 220, "flex": 3, "wrapText": True,
     "autoHeight": True},
    {"headerName": "Marks at stake", "field": "at_stake", "minWidth": 100, "flex": 1, "cellClass": "cell-num",
     "valueFormatter": _MARKS},
]


def _text(value: object, limit: int = 24) -> str | None:
    if not isinstance(value, str) or not value or len(value) > limit:
        return None
    return value if all(c.isalnum() or c == "-" for c in value) else None


def clean_query(month: object = None, state: object = None, district: object = None,
                **_unknown: object) -> dict[str, str | None]:
    return {"month": month if isinstance(month, str) and is_month(month) else None,
            "state": _text(state, 8), "district": _text(district, 16)}


def layout(month: str | None = None, state: str | None = None, district: str | None = None,
           **_other: object) -> html.Div:
    q = clean_query(month, state, district)
    return html.Div(
        [
            dcc.Store(id=ids.QUERY, data=q),
            page_header(html.Span(TEXT["title"], id=ids.TITLE), html.Span("", id=ids.SUBTITLE)),
            html.Div(id=ids.BANNER, role="status"),
            loading(html.Div(id=ids.KPIS, className="row g-3 mb-3")),
            html.Div(card(TEXT["todo"], loading(html.Div(id=ids.TODO)), subtitle=TEXT["todo_sub"]),
                     id=ids.TODO_BOX, style={"display": "none"}),
            html.Div(card(html.Span(TEXT["districts"], id=ids.UNITS_TITLE), loading(html.Div(id=ids.UNITS))),
                     id=ids.UNITS_BOX, style={"display": "none"}),
            html.Div(card(TEXT["lagging"], loading(html.Div(id=ids.LAGGING)), subtitle=TEXT["lagging_sub"]),
                     id=ids.LAGGING_BOX, style={"display": "none"}),
            card(TEXT["states"], [loading(html.Div(id=ids.STATES)),
                                  html.Div(id=ids.STATES_NOTE, className="graph-note mt-2")],
                 subtitle=TEXT["states_sub"], actions=html.Div(id=ids.DOWNLOADS)),
        ],
        className="page-provisional",
    )
