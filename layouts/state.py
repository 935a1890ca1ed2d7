"""State page: headline (score, all-India and category rank, streak, gap above / lead below), why the rank
moved, marks lost and what it takes to overtake, score trend, district league table, districts x
parameters heat-map, top lagging stations. Skeleton only; callbacks/state.py fills it."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.display import month_label
from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from layouts.components import card, league_grid, loading, page_header
from layouts.foresight import state_panel
from layouts.unit_parts import clean_code, clean_month, clean_scheme

GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}


class ids:
    QUERY = "state-query"
    TITLE = "state-title"
    SUBTITLE = "state-subtitle"
    ACTIONS = "state-actions"
    NOTICE = "state-notice"
    KPIS = "state-kpis"
    WHY = "state-why"
    RIVALS = "state-rivals"
    MARKS_LOST = "state-marks-lost"
    OVERTAKE = "state-overtake"
    TREND = "state-trend"
    DISTRICTS = "state-districts"
    DISTRICTS_BOX = "state-districts-box"
    DISTRICTS_NOTE = "state-districts-note"
    HEATMAP = "state-heatmap"
    HEATMAP_BOX = "state-heatmap-box"
    HEATMAP_MSG = "state-heatmap-msg"
    HEATMAP_TABLE = "state-heatmap-table"  # the heat-map's values as a table (a disclosure; plain DOM, no children)
    HEATMAP_TABLE_DATA = "state-heatmap-table-data"  # that table's data; drawn in the browser (heat_table.js)
    LAGGING = "state-lagging"
    ACTIONS_PANEL = "state-actions-panel"  # the review loop: tally by district, open actions due first


# District league table. Numeric fields sort numerically; the text shown comes from *_text fields.
DISTRICT_COLUMNS: list[dict] = [
    {"headerName": N_("Rank"), "field": "rank", "width": 76, "maxWidth": 86, "sort": "asc", "cellClass": "cell-num",
     "valueFormatter": {"function": "params.data ? params.data.rank_text : ''"},
     "headerTooltip": N_("Rank among the State's districts (=3: shared on the same published score)")},
    {"headerName": N_("District"), "field": "name", "minWidth": 130, "flex": 2},
    {"headerName": N_("Score"), "field": "score_centi", "width": 86, "cellClass": "cell-score",
     "valueFormatter": {"function": "params.data ? params.data.score_display : ''"}},
    {"headerName": N_("Change"), "field": "score_change_centi", "width": 86,
     "valueFormatter": {"function": "params.data ? params.data.change_text : ''"},
     "cellClassRules": {"cell-up": "params.value > 0", "cell-down": "params.value < 0"},
     "headerTooltip": N_("Change in score since last month")},
    {"headerName": N_("Rank change"), "field": "rank_change", "width": 96,
     "valueFormatter": {"function": "params.data ? params.data.rank_change_text : ''"},
     "tooltipField": "rank_change_words",
     "cellClassRules": {"cell-up": "params.value > 0", "cell-down": "params.value < 0", "cell-muted": "!params.value"}},
    {"headerName": N_("Stations reported / active"), "field": "reported_share", "minWidth": 110, "flex": 1,
     "valueFormatter": {"function": "params.data ? params.data.stations_text : ''"},
     "cellClassRules": {"cell-warn": "params.value !== null && params.value < 1"}},
    {"headerName": N_("Lagging stations"), "field": "lagging_stations", "width": 96, "cellClass": "cell-num",
     "cellClassRules": {"cell-warn": "params.value > 0"},
     "headerTooltip": N_("Stations below the lagging threshold, short of its target on a critical parameter, or "
                      "not reported")},
]


def layout(state_code: str | None = None, month: str | None = None, **_other: object) -> html.Div:
    code = clean_code(state_code)
    q = {"state_code": code, "month": clean_month(month), "scheme": clean_scheme(_other.get("scheme"))}
    return html.Div(
        [
            dcc.Store(id=ids.QUERY, data=q),
            page_header(
                html.Span(code or _("State"), id=ids.TITLE),
                html.Span(month_label(q["month"]) or _("latest month"), id=ids.SUBTITLE),
                html.Div(id=ids.ACTIONS, className="d-flex flex-wrap gap-2"),
            ),
            html.Div(id=ids.NOTICE),
            loading(html.Div(id=ids.KPIS, className="row g-3 mb-3")),
            state_panel(),
            dbc.Row(
                [
                    dbc.Col(card(
                        _("Why did our rank move?"),
                        loading(dcc.Graph(id=ids.WHY, config=GRAPH_CONFIG)),
                        subtitle=_("Our change in score since last month, parameter by parameter "
                                 "(blue gained, orange lost), in score points; the bars add up to the change."),
                    ), xl=7, className="min-w-0"),
                    dbc.Col(card(
                        _("States ranked around us"),
                        loading(html.Div(id=ids.RIVALS)),
                        subtitle=_("Their score change since last month: did we move, or did they?"),
                    ), xl=5, className="min-w-0"),
                ],
                className="g-3",
            ),
            dbc.Row(
                [
                    dbc.Col(card(
                        _("Marks lost by parameter"),
                        loading(dcc.Graph(id=ids.MARKS_LOST, config=GRAPH_CONFIG)),
                        subtitle=_("Score points lost this month. Hover for value and numerator / denominator."),
                    ), xl=6, className="min-w-0"),
                    dbc.Col(card(
                        _("What it takes to overtake"),
                        loading(html.Div(id=ids.OVERTAKE)),
                        subtitle=_("Marks needed to pass the State above, and where they can come from "
                                 "(marks at stake: what fixing one parameter at one station adds to the "
                                 "State's score)."),
                    ), xl=6, className="min-w-0"),
                ],
                className="g-3",
            ),
            card(
                _("Score trend"),
                loading(dcc.Graph(id=ids.TREND, config=GRAPH_CONFIG)),
                subtitle=_("Last 24 months. A dashed line marks a change of methodology version: scores on either "
                         "side are computed on different parameters."),
            ),
            card(
                _("District league table"),
                html.Div([loading(html.Div(league_grid(ids.DISTRICTS, [], DISTRICT_COLUMNS, row_id="district_code",
                                                       auto_height=True),
                                           id=ids.DISTRICTS_BOX)),
                          html.Div(id=ids.DISTRICTS_NOTE, className="graph-note mt-2")]),
                subtitle=_("Click a row (or press Space on it) to open the district."),
            ),
            card(
                _("Districts × parameters: marks lost"),
                [loading(html.Div(dcc.Graph(id=ids.HEATMAP, config=GRAPH_CONFIG), id=ids.HEATMAP_BOX)),
                 html.Div(id=ids.HEATMAP_MSG), html.Div(id=ids.HEATMAP_TABLE),
                 dcc.Store(id=ids.HEATMAP_TABLE_DATA)],
                subtitle=_("Darker = more marks lost. Hover for value, numerator / denominator, marks and weight; "
                         "click a cell to open the district."),
            ),
            card(
                _("Actions from the reviews"),
                loading(html.Div(id=ids.ACTIONS_PANEL)),
                subtitle=_("Directions given in reviews, judged by the data of their due month: met, partly met, "
                         "not met, carried over; the open ones due first."),
            ),
            card(
                _("Top lagging stations"),
                loading(html.Div(id=ids.LAGGING)),
                subtitle=_("Ordered by marks at stake for the State: the score the State gains when the station "
                         "reaches target on all its lagging parameters."),
            ),
        ],
        className="page-state unit-page",
    )
