"""Provisional figures page (issue 14): the month being collected "as of <date>, provisional", at national,
State and district level, always under its banner and never mixed with a final month.

Skeleton only (no I/O); filled by callbacks/provisional.py. URL: /provisional?month=&state=&district=&scheme=
(the ranking scheme: CCTNS Pragati when absent).
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from layouts.components import card, loading, page_header
from metrics.methodology import SCHEME_ID_RE, is_month

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
    PARAMS = "provisional-params"
    PARAMS_BOX = "provisional-params-box"


# the page's longer words, in one place (English, marked for extraction; `text(key)` in the current language)
TEXT = {
    "title": N_("Provisional figures"),
    "banner_head": N_("Provisional — {month}, as of {as_of}"),
    "banner_body": N_("These figures are not final: they are what {who} loaded so far for a month still being "
                    "collected, scored as if the month closed today. The month's final import replaces them."),
    "params": N_("Where the provisional score loses marks"),
    "params_sub": N_("Each parameter's marks lost if the month closed today, most first, beside the same parameter "
                     "in the last final month."),
    "todo": N_("What still has to happen before the cut-off"),
    "todo_sub": N_("The police stations and records whose entry before the cut-off gains the most marks "
                 "(marks at stake, rule 11), from the provisional rows."),
    "districts": N_("Districts, if the month closed today"),
    "lagging": N_("Lagging police stations in the provisional figures"),
    "lagging_sub": N_("Rule 12 on the rows loaded so far; a station not reported yet is lagging until its rows arrive."),
    "states": N_("All States/UTs, if the month closed today"),
    "states_sub": N_("A State with provisional figures is ranked by them; every other State by its latest final "
                   "month (the Figure column says which)."),
}



def text(key: str) -> str:
    """One of `TEXT` in the current language."""
    return _(TEXT[key])



STATES_COLUMNS: list[dict[str, Any]] = [
    {"headerName": N_("Rank"), "field": "rank_text", "minWidth": 70, "maxWidth": 90, "cellClass": "cell-num"},
    {"headerName": N_("State/UT"), "field": "name", "minWidth": 150, "flex": 2, "cellClass": "cell-strong"},
    {"headerName": N_("Score"), "field": "score_display", "minWidth": 80, "flex": 1, "cellClass": "cell-num"},
    {"headerName": N_("Figure"), "field": "figure_text", "minWidth": 200, "flex": 3, "wrapText": True,
     "autoHeight": True,
     "cellClassRules": {"cell-provisional": "params.data && params.data.basis === 'provisional'"}},
    {"headerName": N_("Change vs last final"), "field": "change_text", "minWidth": 110, "flex": 1, "cellClass": "cell-num"},
    {"headerName": N_("Stations reported"), "field": "reported_text", "minWidth": 120, "flex": 1, "cellClass": "cell-num"},
]
DISTRICT_COLUMNS: list[dict[str, Any]] = [
    {"headerName": N_("Rank"), "field": "rank_in_state", "minWidth": 70, "maxWidth": 90, "cellClass": "cell-num"},
    {"headerName": N_("District"), "field": "name", "minWidth": 140, "flex": 2, "cellClass": "cell-strong"},
    {"headerName": N_("Provisional score"), "field": "score_display", "minWidth": 100, "flex": 1, "cellClass": "cell-num"},
    {"headerName": N_("Last final"), "field": "last_final_text", "minWidth": 90, "flex": 1, "cellClass": "cell-num"},
    {"headerName": N_("Stations reported"), "field": "reported_text", "minWidth": 120, "flex": 1, "cellClass": "cell-num"},
]
# the compact tables of what still has to happen and of the lagging stations (headers only: they wrap on a phone)
TODO_HEADERS: tuple[str, ...] = (N_("Police station"), N_("Parameter"), N_("Entered so far"), N_("Still to enter"),
                                 N_("Marks gained"))
PARAMS_HEADERS: tuple[str, ...] = (N_("Parameter"), N_("Value (entered so far)"), N_("Marks lost"))
LAGGING_HEADERS: tuple[str, ...] = (N_("Police station"), N_("Score"), N_("Why it is lagging"), N_("Marks at stake"))


def _text(value: object, limit: int = 24) -> str | None:
    if not isinstance(value, str) or not value or len(value) > limit:
        return None
    return value if all(c.isalnum() or c == "-" for c in value) else None


def clean_query(month: object = None, state: object = None, district: object = None, scheme: object = None,
                **_unknown: object) -> dict[str, str | None]:
    return {"month": month if isinstance(month, str) and is_month(month) else None,
            "state": _text(state, 8), "district": _text(district, 16),
            "scheme": scheme if isinstance(scheme, str) and SCHEME_ID_RE.match(scheme) else None}


def layout(month: str | None = None, state: str | None = None, district: str | None = None,
           scheme: str | None = None, **_other: object) -> html.Div:
    q = clean_query(month, state, district, scheme)
    return html.Div(
        [
            dcc.Store(id=ids.QUERY, data=q),
            page_header(html.Span(text("title"), id=ids.TITLE), html.Span("", id=ids.SUBTITLE)),
            html.Div(id=ids.BANNER, role="status"),
            loading(html.Div(id=ids.KPIS, className="row g-3 mb-3")),
            html.Div(card(text("params"), loading(html.Div(id=ids.PARAMS)), subtitle=text("params_sub")),
                     id=ids.PARAMS_BOX, style={"display": "none"}),
            html.Div(card(text("todo"), loading(html.Div(id=ids.TODO)), subtitle=text("todo_sub")),
                     id=ids.TODO_BOX, style={"display": "none"}),
            html.Div(card(html.Span(text("districts"), id=ids.UNITS_TITLE), loading(html.Div(id=ids.UNITS))),
                     id=ids.UNITS_BOX, style={"display": "none"}),
            html.Div(card(text("lagging"), loading(html.Div(id=ids.LAGGING)), subtitle=text("lagging_sub")),
                     id=ids.LAGGING_BOX, style={"display": "none"}),
            card(text("states"), [loading(html.Div(id=ids.STATES)),
                                  html.Div(id=ids.STATES_NOTE, className="graph-note mt-2")],
                 subtitle=text("states_sub"), actions=html.Div(id=ids.DOWNLOADS)),
        ],
        className="page-provisional",
    )
