"""Looking ahead on the pages (skeletons only, no I/O; callbacks/foresight.py fills them): the national
"Next month, estimated" card, the State headline's projection and flag count, the district's flag count."""

from __future__ import annotations

from dash import html

from dashboard.display import PROJECTION_NOTE
from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from layouts.components import card, league_grid, loading


class ids:
    NATIONAL_TABLE = "national-projection-table"
    NATIONAL_NOTE = "national-projection-note"
    STATE = "state-foresight"
    DISTRICT = "district-foresight"


PROJECTION_COLUMNS: list[dict] = [
    {"headerName": N_("State/UT"), "field": "name", "minWidth": 130, "flex": 2},
    {"headerName": N_("Rank now"), "field": "rank_now", "width": 84, "minWidth": 78, "cellClass": "cell-num"},
    {"headerName": N_("Likely rank next month (80 % range)"), "field": "rank_median", "sort": "asc", "minWidth": 130,
     "flex": 1, "cellClass": "cell-num",
     "valueFormatter": {"function": "params.data ? params.data.range_text : ''"},
     "headerTooltip": N_("80 % of the simulated months put the State/UT in this range (an estimate)")},
    {"headerName": N_("P(first)"), "field": "p_first", "width": 90, "minWidth": 84, "cellClass": "cell-num",
     "valueFormatter": {"function": "params.data ? params.data.p_first_text : ''"}},
    {"headerName": N_("P(top 5)"), "field": "p_top5", "width": 90, "minWidth": 84, "cellClass": "cell-num",
     "valueFormatter": {"function": "params.data ? params.data.p_top5_text : ''"}},
    {"headerName": N_("P(rank improves)"), "field": "p_improve", "width": 104, "minWidth": 96, "cellClass": "cell-num",
     "valueFormatter": {"function": "params.data ? params.data.p_improve_text : ''"}},
    {"headerName": N_("Likely score"), "field": "score_median", "width": 92, "minWidth": 88, "cellClass": "cell-score",
     "valueFormatter": {"function": "params.data ? params.data.score_text : ''"},
     "headerTooltip": N_("The middle of the simulated scores")},
    {"headerName": N_("Score range (80 %)"), "field": "score_range_text", "minWidth": 124, "flex": 1, "cellClass": "cell-num"},
]


def national_card() -> html.Div:
    return card(
        _("Next month, estimated"),
        [html.P(_(PROJECTION_NOTE), className="small text-body-secondary mb-2"),
         loading(league_grid(ids.NATIONAL_TABLE, [], PROJECTION_COLUMNS, row_id="state_code", auto_height=True)),
         html.Div(id=ids.NATIONAL_NOTE, className="graph-note mt-2")],
        subtitle=_("Projected ranks as ranges with their chances."),
        class_name="projection-card",
    )


def state_panel() -> html.Div:
    return html.Div(id=ids.STATE, className="foresight-panel mb-3")


def district_panel() -> html.Div:
    return html.Div(id=ids.DISTRICT, className="foresight-panel mb-3")
