"""National page: category tabs, headline cards, league table of the 36 States/UTs, tile map, rank
history (bump chart) and the States x parameters heat-map of marks lost. Skeleton only; filled by
callbacks/national.py from the query in `ids.QUERY`."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.display import month_label, scheme_name_text
from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from layouts.components import (
    CATEGORY_TABS,
    card,
    category_label,
    league_grid,
    loading,
    page_header,
    page_href,
)
from layouts.foresight import national_card
from metrics.methodology import SCHEME_ID_RE, is_month


class ids:
    QUERY = "national-query"
    SCHEME_TABS = "national-scheme-tabs"  # one tab per ranking scheme (filled by the page callback)
    TABS = "national-category-tabs"
    SUBTITLE = "national-subtitle"
    KPIS = "national-kpis"
    TABLE = "national-table"
    TABLE_NOTE = "national-table-note"
    TILE_MAP = "national-tile-map"
    BUMP = "national-bump"
    BUMP_PICK = "national-bump-pick"
    HEATMAP = "national-heatmap"


def tab_id(label: str) -> str:
    return "national-tab-" + "".join(c.lower() if c.isalnum() else "-" for c in label).strip("-")


def clean_query(month: object = None, category: object = None, scheme: object = None, **_unknown: object) -> dict:
    """Only well-formed values go into the page's query store (callbacks validate against the DB)."""
    labels = {label for label, _category in CATEGORY_TABS}
    return {
        "scheme": scheme if isinstance(scheme, str) and SCHEME_ID_RE.match(scheme) else None,
        "month": month if isinstance(month, str) and is_month(month) else None,
        "category": category if isinstance(category, str) and category in labels and category != "All India" else None,
    }


# League table columns. Numeric fields sort numerically; the text shown comes from *_text fields.
COLUMN_DEFS: list[dict] = [
    {"headerName": N_("Rank"), "field": "rank", "width": 80, "minWidth": 80, "maxWidth": 100, "sort": "asc",
     "wrapHeaderText": False,
     "valueFormatter": {"function": "params.data ? params.data.rank_text : ''"},
     "headerTooltip": N_("All-India rank (=3 means the rank is shared with another State/UT on the same score)"),
     "cellClass": "cell-num"},
    {"headerName": N_("State/UT"), "field": "name", "minWidth": 140, "flex": 2,
     "tooltipField": "rank_words"},
    {"headerName": N_("Score"), "field": "score_centi", "width": 92, "minWidth": 84, "cellClass": "cell-score",
     "valueFormatter": {"function": "params.data ? params.data.score_display : ''"},
     "headerTooltip": N_("Score out of 100, to the published 2 decimals")},
    {"headerName": N_("Gap to 100"), "field": "gap_centi", "width": 90, "minWidth": 80, "cellClass": "cell-num",
     "valueFormatter": {"function": "params.data ? params.data.gap_text : ''"}},
    {"headerName": N_("Change"), "field": "score_change_centi", "width": 90, "minWidth": 84,
     "valueFormatter": {"function": "params.data ? params.data.change_text : ''"},
     "cellClassRules": {"cell-up": "params.value > 0", "cell-down": "params.value < 0"},
     "headerTooltip": N_("Change in score since last month")},
    {"headerName": N_("Rank change"), "field": "rank_change", "width": 90, "minWidth": 80,
     "valueFormatter": {"function": "params.data ? params.data.rank_change_text : ''"},
     "tooltipField": "rank_change_words",
     "cellClassRules": {"cell-up": "params.value > 0", "cell-down": "params.value < 0", "cell-muted": "!params.value"},
     "headerTooltip": N_("Places gained (▲) or lost (▼) since last month")},
    {"headerName": N_("Category rank"), "field": "rank_category", "width": 110, "minWidth": 104, "cellClass": "cell-num",
     "valueFormatter": {"function": "params.data ? params.data.rank_category_text : ''"},
     "tooltipField": "category"},
    {"headerName": N_("Streak"), "field": "streak_sort", "minWidth": 120, "flex": 2,
     "valueFormatter": {"function": "params.data ? params.data.streak_text : ''"},
     "headerTooltip": N_("Consecutive months at #1 / in the top 5")},
    {"headerName": N_("NCRB published"), "field": "published_centi", "minWidth": 120, "flex": 1,
     "valueFormatter": {"function": "params.data ? params.data.published_text : ''"},
     "tooltipField": "published_words",
     "cellClassRules": {"cell-warn": "params.data && params.data.published_flag"},
     "headerTooltip": N_("The score NCRB published, with the difference from ours where it is 0.01 or more (⚑)")},
    {"headerName": N_("Stations reported / active"), "field": "reported_share", "minWidth": 110, "flex": 1,
     "valueFormatter": {"function": "params.data ? params.data.stations_text : ''"},
     "cellClassRules": {"cell-warn": "params.value !== null && params.value < 0.95"},
     "headerTooltip": N_("Police stations that reported this month, of those active")},
]


def scheme_nav(month: str | None, category: str | None, current: str, schemes: list[dict]) -> html.Nav:
    """One tab per ranking scheme (links keep the month and category)."""
    items = [dbc.NavItem(dbc.NavLink(
        html.Span(s["short"], title=scheme_name_text(s)), id=f"national-scheme-tab-{s['id']}", active=s["id"] == current,
        href=page_href("/", month, category=category, scheme=None if s["id"] == "cctns" else s["id"]),
    )) for s in schemes]
    return html.Nav(dbc.Nav(items, pills=False, className="nav-tabs scheme-tabs mb-2"),
                    **{"aria-label": _("Ranking scheme")})


def category_nav(month: str | None, category: str | None, scheme: str | None = None) -> dbc.Nav:
    items = []
    for label, _category in CATEGORY_TABS:
        active = (category or "All India") == label
        items.append(dbc.NavItem(dbc.NavLink(
            category_label(label),
            id=tab_id(label),
            href=page_href("/", month, category=None if label == "All India" else label, scheme=scheme),
            active=active,
        )))
    return html.Nav(dbc.Nav(items, pills=True, id=ids.TABS, className="category-tabs"), **{"aria-label": _("Category")})


def layout(month: str | None = None, category: str | None = None, **_other: object) -> html.Div:
    q = clean_query(month, category, _other.get("scheme"))
    scope_word = category_label(q["category"]) if q["category"] else _("All States/UTs")
    return html.Div(
        [
            dcc.Store(id=ids.QUERY, data=q),
            page_header(
                _("National league table"),
                html.Span(f"{scope_word} · {month_label(q['month']) or _('latest month')}", id=ids.SUBTITLE),
                html.Div([html.Div(id=ids.SCHEME_TABS), category_nav(q["month"], q["category"], q["scheme"])]),
            ),
            loading(html.Div(id=ids.KPIS, className="row g-3 mb-3")),
            card(
                _("League table"),
                [loading(league_grid(ids.TABLE, [], COLUMN_DEFS, row_id="state_code", auto_height=True)),
                 html.Div(id=ids.TABLE_NOTE, className="graph-note mt-2")],
                subtitle=_("Click a row, or press Space on it, to open the State/UT."),
            ),
            national_card(),
            dbc.Row(
                [
                    dbc.Col(card(
                        _("Map of scores"),
                        loading(dcc.Graph(id=ids.TILE_MAP, config={"displayModeBar": False, "responsive": True})),
                        subtitle=_("One tile per State/UT in a fixed position. Click a tile to open it."),
                    ), xl=5, className="min-w-0"),
                    dbc.Col(card(
                        _("Rank history"),
                        loading(dcc.Graph(id=ids.BUMP, config={"displayModeBar": False, "responsive": True})),
                        subtitle=_("Last 12 months: the top 10 this month, plus any you add."),
                        actions=html.Div(
                            [html.Label(_("Add States/UTs"), htmlFor=ids.BUMP_PICK, className="visually-hidden"),
                             dcc.Dropdown(id=ids.BUMP_PICK, options=[], value=[], multi=True,
                                          placeholder=_("Add States/UTs…"), className="bump-pick")],
                            className="bump-pick-wrap",
                        ),
                    ), xl=7, className="min-w-0"),
                ],
                className="g-3",
            ),
            card(
                _("Marks lost by parameter"),
                loading(dcc.Graph(id=ids.HEATMAP, config={"displayModeBar": False, "responsive": True})),
                subtitle=_("Darker = more marks lost. Hover for value, numerator / denominator, marks and weight; "
                           "click a cell to open the State/UT."),
            ),
        ],
        className="page-national",
    )
