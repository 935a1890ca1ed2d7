"""Police-station page: the month's parameter table (value, numerator / denominator, target, marks, weight,
marks lost, critical and imputed flags), a trend per parameter (picker) and the score trend, months not
reported. The breadcrumb State › District › Station comes from the shell. Skeleton only;
callbacks/station.py fills it."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.display import month_label
from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from layouts.components import card, league_grid, loading, page_header
from layouts.unit_parts import clean_code, clean_month, clean_scheme

GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}


class ids:
    QUERY = "station-query"
    TITLE = "station-title"
    SUBTITLE = "station-subtitle"
    ACTIONS = "station-actions"
    NOTICE = "station-notice"
    KPIS = "station-kpis"
    PARAMS = "station-params"
    PARAMS_BOX = "station-params-box"
    PARAMS_NOTE = "station-params-note"
    PICK = "station-param-pick"
    PARAM_TREND = "station-param-trend"
    TREND = "station-trend"
    NOT_REPORTED = "station-not-reported"
    ACTIONS_PANEL = "station-actions-panel"  # the station's open and past actions, Assign where allowed


PARAM_COLUMNS: list[dict] = [
    {"headerName": N_("Parameter"), "field": "parameter_name", "minWidth": 170, "flex": 3, "wrapText": True,
     "autoHeight": True, "tooltipField": "definition"},
    {"headerName": N_("Head"), "field": "head", "minWidth": 100, "flex": 1, "wrapText": True, "autoHeight": True},
    {"headerName": N_("Value"), "field": "value", "width": 84, "cellClass": "cell-num",
     "valueFormatter": {"function": "params.data ? params.data.value_text : ''"},
     "tooltipField": "ratio_words"},
    {"headerName": N_("Numerator / denominator"), "field": "ratio", "width": 118, "cellClass": "cell-num",
     "sortable": False, "tooltipField": "ratio_words"},
    {"headerName": N_("Target"), "field": "target", "width": 74, "cellClass": "cell-num",
     "valueFormatter": {"function": "params.value == null ? '' : params.value + '%'"}},
    {"headerName": N_("Marks"), "field": "marks", "width": 74, "cellClass": "cell-num",
     "valueFormatter": {"function": "params.data ? params.data.marks_text : ''"}},
    {"headerName": N_("Weight"), "field": "weight", "width": 74, "cellClass": "cell-num"},
    {"headerName": N_("Marks lost"), "field": "marks_lost", "width": 82, "cellClass": "cell-num",
     "valueFormatter": {"function": "params.data ? params.data.lost_text : ''"},
     "cellClassRules": {"cell-warn": "params.value > 0"}},
    {"headerName": N_("Flags"), "field": "flags", "minWidth": 110, "flex": 1, "wrapText": True, "autoHeight": True,
     "cellClassRules": {"cell-warn": "params.data && (params.data.imputed || params.data.below_critical)"},
     "headerTooltip": N_("critical: a critical parameter; imputed: the station sent no figure (rule 3); n/a: not "
                      "applicable (no records due)")},
]


def layout(station_code: str | None = None, month: str | None = None, parameter: str | None = None,
           **_other: object) -> html.Div:
    code = clean_code(station_code)
    q = {"station_code": code, "month": clean_month(month), "scheme": clean_scheme(_other.get("scheme")),
         "parameter": parameter if isinstance(parameter, str) and parameter.replace("_", "").isalnum() else None}
    return html.Div(
        [
            dcc.Store(id=ids.QUERY, data=q),
            page_header(
                html.Span(code or _("Police station"), id=ids.TITLE),
                html.Span(month_label(q["month"]) or _("latest month"), id=ids.SUBTITLE),
                html.Div(id=ids.ACTIONS, className="d-flex flex-wrap gap-2"),
            ),
            html.Div(id=ids.NOTICE),
            loading(html.Div(id=ids.KPIS, className="row g-3 mb-3")),
            card(
                _("Parameters this month"),
                [html.Div(loading(league_grid(ids.PARAMS, [], PARAM_COLUMNS, row_id="parameter", auto_height=True,
                                             )), id=ids.PARAMS_BOX),
                 html.Div(id=ids.PARAMS_NOTE, className="graph-note mt-2")],
                subtitle=_("Value = numerator / denominator. Marks = weight × min(value / target, 1). "
                         "Click a row to see its trend."),
            ),
            dbc.Row(
                [
                    dbc.Col(card(
                        _("Trend of a parameter"),
                        loading(dcc.Graph(id=ids.PARAM_TREND, config=GRAPH_CONFIG)),
                        subtitle=_("Last 12 months. Hollow red markers: months the station did not report."),
                        actions=html.Div([
                            html.Label(_("Parameter"), htmlFor=ids.PICK, className="visually-hidden"),
                            dcc.Dropdown(id=ids.PICK, options=[], value=q["parameter"], clearable=False,
                                         placeholder=_("Parameter…"), className="param-pick"),
                        ], className="param-pick-wrap"),
                    ), lg=7, className="min-w-0"),
                    dbc.Col(card(
                        _("Months not reported"),
                        loading(html.Div(id=ids.NOT_REPORTED)),
                        subtitle=_("Last 24 months. A month without figures is imputed (rule 3) and flagged."),
                    ), lg=5, className="min-w-0"),
                ],
                className="g-3",
            ),
            card(
                _("Actions"),
                loading(html.Div(id=ids.ACTIONS_PANEL)),
                subtitle=_("Directions given in reviews for this police station: owner, due month and what the "
                         "data shows."),
            ),
            card(
                _("Score trend"),
                loading(dcc.Graph(id=ids.TREND, config=GRAPH_CONFIG)),
                subtitle=_("Last 24 months, with the district's score for comparison. A dashed line marks a change "
                         "of methodology version."),
            ),
        ],
        className="page-station unit-page",
    )
