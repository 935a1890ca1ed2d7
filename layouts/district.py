"""District page: headline (rank among the State's districts, change, streak, score), station league table
with FIR-volume peer groups, stations x parameters heat-map, lagging stations with reasons in words and
marks at stake, most improved and most declined stations. Skeleton only; callbacks/district.py fills it."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.display import month_label, peer_words
from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from layouts.components import card, league_grid, loading, page_header
from layouts.foresight import district_panel
from layouts.unit_parts import clean_code, clean_month, clean_scheme
from metrics.analysis import PEER_GROUPS, PEER_UNKNOWN

GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}
PEER_OPTIONS = [{"label": N_("All"), "value": "all"}] + [{"label": g[0], "value": g[0]} for g in PEER_GROUPS] + [
    {"label": N_("No FIR data"), "value": PEER_UNKNOWN}]


class ids:
    QUERY = "district-query"
    TITLE = "district-title"
    SUBTITLE = "district-subtitle"
    ACTIONS = "district-actions"
    NOTICE = "district-notice"
    KPIS = "district-kpis"
    PEER = "district-peer"
    STATIONS = "district-stations"
    STATIONS_BOX = "district-stations-box"
    STATIONS_NOTE = "district-stations-note"
    HEATMAP = "district-heatmap"
    HEATMAP_BOX = "district-heatmap-box"
    HEATMAP_NOTE = "district-heatmap-note"
    HEATMAP_TABLE = "district-heatmap-table"  # the heat-map's values as a table (a disclosure; plain DOM, no children)
    HEATMAP_TABLE_DATA = "district-heatmap-table-data"  # that table's data; drawn in the browser (heat_table.js)
    LAGGING = "district-lagging"
    MOVERS = "district-movers"
    ACTIONS_PANEL = "district-actions-panel"  # the district's open and past actions, Assign where allowed


STATION_COLUMNS: list[dict] = [
    {"headerName": N_("Rank"), "field": "rank", "width": 72, "maxWidth": 84, "sort": "asc", "cellClass": "cell-num",
     "valueFormatter": {"function": "params.data ? params.data.rank_text : ''"},
     "headerTooltip": N_("Rank in the district (=3: shared on the same published score)")},
    {"headerName": N_("Police station"), "field": "name", "minWidth": 130, "flex": 2,
     "tooltipField": "status_words"},
    {"headerName": N_("Score"), "field": "score_sort", "width": 118, "minWidth": 112, "cellClass": "cell-score",
     "tooltipField": "score_words",
     "valueFormatter": {"function": "params.data ? params.data.score_text : ''"},
     "cellClassRules": {"cell-not-reported": "params.data && !params.data.reported"},
     "headerTooltip": N_("Score out of 100. Not-reported stations are marked as such: their imputed score is not "
                      "a real score.")},
    {"headerName": N_("Change"), "field": "score_change_centi", "width": 92, "minWidth": 88,
     "valueFormatter": {"function": "params.data ? params.data.change_text : ''"},
     "cellClassRules": {"cell-up": "params.value > 0", "cell-down": "params.value < 0"}},
    {"headerName": N_("Rank ±"), "field": "rank_change", "width": 76,
     "valueFormatter": {"function": "params.data ? params.data.rank_change_text : ''"},
     "tooltipField": "rank_change_words",
     "cellClassRules": {"cell-up": "params.value > 0", "cell-down": "params.value < 0", "cell-muted": "!params.value"}},
    {"headerName": N_("Rank in State"), "field": "rank_in_state", "width": 86, "cellClass": "cell-num",
     "valueFormatter": {"function": "params.data ? params.data.rank_in_state_text : ''"}},
    {"headerName": N_("Peer group (FIRs)"), "field": "peer_group", "minWidth": 110, "flex": 1,
     "valueFormatter": {"function": "params.data ? params.data.peer_words : ''"},
     "tooltipField": "fir_words"},
    {"headerName": N_("Marks at stake (district)"), "field": "at_stake_district", "width": 104, "cellClass": "cell-num",
     "valueFormatter": {"function": "params.value == null ? '' : params.value.toFixed(3)"},
     "headerTooltip": N_("For lagging stations: what the district's score gains when the station reaches target")},
]


def peer_options() -> list[dict]:
    """The peer-group filter's options in the current language (values stay the stored labels)."""
    out = []
    for option in PEER_OPTIONS:
        label = option["label"]
        out.append({"label": _(label) if option["value"] == "all" else peer_words(label), "value": option["value"]})
    return out


def layout(district_code: str | None = None, month: str | None = None, peer: str | None = None,
           **_other: object) -> html.Div:
    code = clean_code(district_code)
    q = {"district_code": code, "month": clean_month(month), "scheme": clean_scheme(_other.get("scheme"))}
    peer_value = peer if isinstance(peer, str) and peer in {o["value"] for o in PEER_OPTIONS} else "all"
    return html.Div(
        [
            dcc.Store(id=ids.QUERY, data=q),
            page_header(
                html.Span(code or _("District"), id=ids.TITLE),
                html.Span(month_label(q["month"]) or _("latest month"), id=ids.SUBTITLE),
                html.Div(id=ids.ACTIONS, className="d-flex flex-wrap gap-2"),
            ),
            html.Div(id=ids.NOTICE),
            loading(html.Div(id=ids.KPIS, className="row g-3 mb-3")),
            district_panel(),
            card(
                _("Police stations"),
                [html.Div(loading(league_grid(ids.STATIONS, [], STATION_COLUMNS, row_id="station_code",
                                              auto_height=True)), id=ids.STATIONS_BOX),
                 html.Div(id=ids.STATIONS_NOTE, className="graph-note mt-2")],
                subtitle=_("Click a row to open the station. Peer groups compare stations of similar FIR volume."),
                actions=html.Div([
                    html.Label(_("Peer group"), htmlFor=ids.PEER, className="small text-body-secondary me-2"),
                    dcc.Dropdown(id=ids.PEER, options=peer_options(), value=peer_value, clearable=False,
                                 searchable=False, className="peer-pick"),
                ], className="d-flex align-items-center peer-pick-wrap"),
            ),
            dbc.Row(
                [
                    dbc.Col(card(
                        _("Lagging stations: what to fix"),
                        loading(html.Div(id=ids.LAGGING)),
                        subtitle=_("Why each station lags and what the fix takes, in records; marks at stake for the district and "
                                 "the State (3 decimals)."),
                    ), xl=8, className="min-w-0"),
                    dbc.Col(card(
                        _("Who moved"),
                        loading(html.Div(id=ids.MOVERS)),
                        subtitle=_("Change in score since last month."),
                    ), xl=4, className="min-w-0"),
                ],
                className="g-3",
            ),
            card(
                _("Actions"),
                loading(html.Div(id=ids.ACTIONS_PANEL)),
                subtitle=_("Directions given in reviews for this district and its police stations: owner, due month "
                         "and what the data shows."),
            ),
            card(
                _("Stations × parameters: marks lost"),
                [loading(html.Div(dcc.Graph(id=ids.HEATMAP, config=GRAPH_CONFIG), id=ids.HEATMAP_BOX)),
                 html.Div(id=ids.HEATMAP_NOTE, className="graph-note mt-1"), html.Div(id=ids.HEATMAP_TABLE),
                 dcc.Store(id=ids.HEATMAP_TABLE_DATA)],
                subtitle=_("Darker = more marks lost. Hover for value, numerator / denominator, marks and weight; "
                         "click a cell to open the station."),
            ),
        ],
        className="page-district unit-page",
    )
