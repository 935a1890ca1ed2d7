"""Lagging stations page: the lagging police stations of a State or a district, filterable by district,
parameter, reason and peer group, ordered by marks at stake for the State, with reasons in words and
counts and an action list per station; CSV / XLSX download of exactly the table shown.

Skeleton only (no I/O); filled by callbacks/lagging.py from the query in `ids.QUERY`. The filters live in
the URL: /lagging?month=&state=&district=&parameter=&reason=&peer=&scheme= (the ranking scheme: ITSSO's
lagging stations are those completing too few sexual-offence investigations within 60 days).
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.display import LAGGING_COLUMNS, PEERS, REASONS, month_label, peer_words
from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from layouts.components import card, league_grid, loading, page_header
from metrics.methodology import SCHEME_ID_RE, is_month


class ids:
    QUERY = "lagging-query"
    RESOLVED = "lagging-resolved"  # the query as resolved on the server (defaults and scope filled in)
    SUBTITLE = "lagging-subtitle"
    STATE = "lagging-state"
    DISTRICT = "lagging-district"
    PARAMETER = "lagging-parameter"
    REASON = "lagging-reason"
    PEER = "lagging-peer"
    CLEAR = "lagging-clear"
    CSV = "lagging-download-csv"
    XLSX = "lagging-download-xlsx"
    KPIS = "lagging-kpis"
    MAIN = "lagging-main"
    TABLE = "lagging-table"  # one page of the list at a time (TABLE_PAGE rows); the rest stays on the server
    PAGER = "lagging-pager"  # the list's pages (server-side paging)
    PAGER_BOX = "lagging-pager-box"
    RANGE = "lagging-range"  # "Stations 51-100 of 2,345"
    TABLE_CARD = "lagging-table-card"
    TABLE_NOTE = "lagging-table-note"
    COUNT = "lagging-count"
    STATES_CARD = "lagging-states-card"
    STATES = "lagging-states"
    DETAIL = "lagging-detail"
    ASSIGN = "lagging-assign"  # "Assign selected (n)": opens the assign dialog (layouts/assign.py)
    ASSIGN_BOX = "lagging-assign-box"


# rows of the lagging list per page, each page one response (~25 KB of JSON): a whole State's list in one
# response was 0.7-1.3 MB (issue 15: every response <= 150 KB). AG Grid's infinite row model would page too,
# but it cannot give rows their own heights, and the reasons and actions wrap over several lines.
TABLE_PAGE = 50

QUERY_KEYS = ("month", "state", "district", "parameter", "reason", "peer", "scheme")


def _code(value: object, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    v = value.strip()
    return v if v and len(v) <= limit and all(c.isalnum() or c in "-_" for c in v) else None


def clean_query(month: object = None, state: object = None, district: object = None, parameter: object = None,
                reason: object = None, peer: object = None, scheme: object = None,
                **_unknown: object) -> dict[str, str | None]:
    """Only well-formed values go into the page's store (callbacks check them against the database and
    the user's scope)."""
    return {
        "month": month if isinstance(month, str) and is_month(month) else None,
        "state": (_code(state, 8) or "").upper() or None,
        "district": (_code(district, 16) or "").upper() or None,
        "parameter": _code(parameter, 60),
        "reason": reason if isinstance(reason, str) and reason in REASONS else None,
        "peer": peer if isinstance(peer, str) and peer in PEERS else None,
        "scheme": scheme if isinstance(scheme, str) and SCHEME_ID_RE.match(scheme) else None,
    }


def _stake_formatter() -> dict:
    return {"function": "params.value == null ? '–' : Number(params.value).toFixed(3)"}


# Grid columns: exactly the columns of the download (dashboard.read.LAGGING_COLUMNS), in that order.
_COLUMN_OPTIONS: dict[str, dict[str, Any]] = {
    "position": {"width": 54, "minWidth": 48, "maxWidth": 60, "cellClass": "cell-num",
                 "headerTooltip": N_("Position by marks at stake for the State")},
    "station_code": {"minWidth": 104, "width": 108, "cellClass": "cell-code"},
    "station_name": {"minWidth": 110, "flex": 1, "wrapText": True, "autoHeight": True, "cellClass": "cell-strong",
                     "tooltipField": "station_name"},
    "district_name": {"minWidth": 96, "flex": 1, "wrapText": True, "autoHeight": True},
    "peer_group": {"minWidth": 84, "width": 96, "wrapText": True, "autoHeight": True,
                   "headerTooltip": N_("Peer group by FIRs registered in the month (all modes)")},
    "score": {"minWidth": 64, "width": 72, "cellClass": "cell-score",
              "headerTooltip": N_("Station score out of 100 (published, 2 decimals)")},
    "reasons": {"minWidth": 150, "flex": 3, "wrapText": True, "autoHeight": True,
                "valueFormatter": {"function": "params.value ? params.value.split('; ').join('\\n') : ''"},
                "cellClass": "cell-text"},
    "at_stake_state": {"minWidth": 76, "width": 88, "cellClass": "cell-num cell-stake",
                       "valueFormatter": _stake_formatter(),
                       "headerTooltip": N_("How much the State's score would rise if this station met every target "
                                        "(rule 11), to 3 decimals")},
    "at_stake_district": {"minWidth": 76, "width": 88, "cellClass": "cell-num", "valueFormatter": _stake_formatter(),
                          "headerTooltip": N_("How much the district's score would rise if this station met every "
                                           "target, to 3 decimals")},
    "actions": {"minWidth": 150, "flex": 3, "wrapText": True, "autoHeight": True,
                "valueFormatter": {"function": "params.value ? params.value.split(' · ').join('\\n') : ''"},
                "cellClass": "cell-text"},
}

COLUMN_DEFS: list[dict[str, Any]] = [
    {"headerName": header, "field": field, **_COLUMN_OPTIONS.get(field, {})}
    for field, header in LAGGING_COLUMNS.items()
]

STATE_COLUMN_DEFS: list[dict[str, Any]] = [
    {"headerName": N_("State/UT"), "field": "name", "minWidth": 140, "flex": 2, "cellClass": "cell-strong"},
    {"headerName": N_("Lagging stations"), "field": "lagging", "minWidth": 90, "flex": 1, "cellClass": "cell-num",
     "sort": "desc"},
    {"headerName": N_("Active stations"), "field": "stations_active", "minWidth": 90, "flex": 1, "cellClass": "cell-num"},
    {"headerName": N_("Not reported"), "field": "not_reported", "minWidth": 90, "flex": 1, "cellClass": "cell-num"},
    {"headerName": N_("Low score"), "field": "low_score", "minWidth": 80, "flex": 1, "cellClass": "cell-num"},
    {"headerName": N_("Critical parameter"), "field": "critical", "minWidth": 90, "flex": 1, "cellClass": "cell-num"},
    {"headerName": N_("Largest marks at stake"), "field": "top_at_stake", "minWidth": 100, "flex": 1,
     "cellClass": "cell-num", "valueFormatter": _stake_formatter()},
]


def _filter(label: str, control_id: str, placeholder: str, value: str | None, options: list | None = None,
            width: str = "md") -> html.Div:
    return html.Div(
        [html.Label(label, htmlFor=control_id, className="filter-label"),
         dcc.Dropdown(id=control_id, options=options or [], value=value, placeholder=placeholder, clearable=True,
                      searchable=True, className="filter-dropdown", optionHeight="auto")],
        className=f"filter-item filter-{width}",
    )


def filter_bar(q: dict[str, str | None]) -> html.Div:
    reasons = [{"label": label, "value": key} for key, label in REASONS.items()]
    peers = [{"label": peer_words(key), "value": key} for key in PEERS]
    return html.Div(
        [
            _filter(_("State/UT"), ids.STATE, _("Pick a State/UT…"), q["state"]),
            _filter(_("District"), ids.DISTRICT, _("All districts"), q["district"]),
            _filter(_("Parameter"), ids.PARAMETER, _("All parameters"), q["parameter"], width="lg"),
            _filter(_("Reason"), ids.REASON, _("Any reason"), q["reason"], reasons, width="sm"),
            _filter(_("Peer group"), ids.PEER, _("All peer groups"), q["peer"], peers, width="sm"),
            html.Div(dbc.Button(_("Clear filters"), id=ids.CLEAR, color="link", size="sm", className="px-0"),
                     className="filter-item filter-clear"),
        ],
        className="filter-bar",
        role="group",
        **{"aria-label": _("Filters")},
    )


def download_buttons() -> html.Div:
    """The CSV and Excel links, disabled until the page's callback gives them the list's URL. A disabled link has
    no href: with `href="#"` and `download`, Enter on it (a keyboard user, before the list had loaded) saved
    the page itself as "lagging.html"."""
    return html.Div(
        [
            html.A(["⤓ CSV"], id=ids.CSV, className="btn btn-outline-primary btn-sm disabled",
                   role="button", download="", **{"aria-disabled": "true"},
                   title=_("Download exactly the table shown, as CSV")),
            html.A(["⤓ Excel"], id=ids.XLSX, className="btn btn-outline-primary btn-sm disabled",
                   role="button", download="", **{"aria-disabled": "true"},
                   title=_("Download exactly the table shown, as an Excel workbook")),
        ],
        className="d-flex gap-2 download-buttons",
    )


def pager() -> html.Div:
    """The list's pages under the grid: which rows are shown, and first / previous / numbers / next / last."""
    return html.Div(
        [html.Span(id=ids.RANGE, className="small text-body-secondary", **{"aria-live": "polite"}),
         html.Nav(dbc.Pagination(id=ids.PAGER, max_value=1, active_page=1, fully_expanded=False, previous_next=True,
                                 first_last=True, size="sm", class_name="mb-0"),
                  **{"aria-label": _("Pages of the lagging list")})],
        id=ids.PAGER_BOX, className="d-flex flex-wrap align-items-center justify-content-between gap-2 mt-2",
        style={"display": "none"},
    )


def layout(**query: object) -> html.Div:
    q = clean_query(**{k: query.get(k) for k in QUERY_KEYS})
    return html.Div(
        [
            dcc.Store(id=ids.QUERY, data=q),
            dcc.Store(id=ids.RESOLVED, data=None),
            page_header(
                _("Lagging stations"),
                html.Span(month_label(q["month"]) or _("latest month"), id=ids.SUBTITLE),
                download_buttons(),
            ),
            dbc.Card(dbc.CardBody(filter_bar(q), className="py-2"), className="panel filter-panel"),
            loading(html.Div(id=ids.KPIS, className="row g-3 mb-3")),
            html.Div(
                card(_("Lagging stations by State/UT"),
                     loading(league_grid(ids.STATES, [], STATE_COLUMN_DEFS, row_id="state_code", auto_height=True)),
                     subtitle=_("Pick a State/UT above, or click a row, to see its lagging police stations.")),
                id=ids.STATES_CARD, style={"display": "none"},
            ),
            html.Div(
                card(
                    html.Span([_("Lagging police stations") + " ", html.Span(id=ids.COUNT, className="badge text-bg-secondary")]),
                    [loading(league_grid(ids.TABLE, [], COLUMN_DEFS, row_id="station_code", height="640px",
                                         class_name="lagging-grid", default_col_def={"sortable": False})),
                     pager(),
                     html.Div(id=ids.TABLE_NOTE, className="graph-note mt-2")],
                    subtitle=_("Ordered by marks at stake for the State, largest first. Click a row for the "
                             "station's full action list. The downloads hold exactly these rows, in this order."),
                    actions=html.Div(
                        dbc.Button(_("Assign selected ({n})").format(n=0), id=ids.ASSIGN, color="primary", size="sm", disabled=True,
                                   title=_("Tick stations in the list, then assign each an action with an owner "
                                         "and a due month")),
                        id=ids.ASSIGN_BOX, style={"display": "none"}),
                ),
                id=ids.TABLE_CARD,
            ),
            loading(html.Div(id=ids.DETAIL)),
        ],
        className="page-lagging",
    )
