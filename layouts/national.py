"""National page: category tabs, headline cards, league table of the 36 States/UTs, tile map, rank
history (bump chart) and the States x parameters heat-map of marks lost. Skeleton only; filled by
callbacks/national.py from the query in `ids.QUERY`.

The league table is a plain HTML table (`league_table`), not an AG Grid: the first page of everyone who signs
in draws its 36 rows without AG Grid's code (about 490 KB compressed, 2 s of a 2 Mbit/s police link) and
without the grid's layout work; the State's name is the link that opens it (issue 15)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.display import month_label, scheme_name_text
from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from layouts.components import (
    CATEGORY_TABS,
    PlainColumn,
    card,
    category_label,
    loading,
    page_header,
    page_href,
    plain_table,
    plain_table_data,
)
from layouts.foresight import national_card
from metrics.methodology import SCHEME_ID_RE, is_month


class ids:
    QUERY = "national-query"
    SCHEME_TABS = "national-scheme-tabs"  # one tab per ranking scheme (filled by the page callback)
    TABS = "national-category-tabs"
    SUBTITLE = "national-subtitle"
    KPIS = "national-kpis"
    TABLE = "national-table"  # drawn by assets/plain_table.js from TABLE_DATA
    TABLE_DATA = "national-table-data"
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


# League table columns: (the row's field the column stands for, header, header tooltip, the row's field
# with the text shown, the row's field with the cell's tooltip, the cell's class). Every text comes written
# from callbacks/national.py `league_rows` (dashboard.display), the same texts the AG Grid showed.
COLUMNS: tuple[PlainColumn, ...] = (
    ("rank", N_("Rank"), N_("All-India rank (=3 means the rank is shared with another State/UT on the same score)"),
     "rank_text", None, "cell-num"),
    ("name", N_("State/UT"), None, "name", "rank_words", "cell-name"),
    ("score_centi", N_("Score"), N_("Score out of 100, to the published 2 decimals"), "score_display", None,
     "cell-score"),
    ("gap_centi", N_("Gap to 100"), None, "gap_text", None, "cell-num"),
    ("score_change_centi", N_("Change"), N_("Change in score since last month"), "change_text", None, "cell-num"),
    ("rank_change", N_("Rank change"), N_("Places gained (▲) or lost (▼) since last month"), "rank_change_text",
     "rank_change_words", "cell-num"),
    ("rank_category", N_("Category rank"), None, "rank_category_text", "category", "cell-num"),
    ("streak_sort", N_("Streak"), N_("Consecutive months at #1 / in the top 5"), "streak_text", None, ""),
    ("published_centi", N_("NCRB published"),
     N_("The score NCRB published, with the difference from ours where it is 0.01 or more (⚑)"),
     "published_text", "published_words", ""),
    ("reported_share", N_("Stations reported / active"), N_("Police stations that reported this month, of those active"),
     "stations_text", None, "cell-num"),
)


def _tone(field: str, row: Mapping[str, Any]) -> str:
    """The colour of a cell, as the grid's cellClassRules had it."""
    value = row.get(field)
    if field in ("score_change_centi", "rank_change"):
        if isinstance(value, int | float) and value > 0:
            return "cell-up"
        if isinstance(value, int | float) and value < 0:
            return "cell-down"
        return "cell-muted" if field == "rank_change" else ""
    if field == "published_centi" and row.get("published_flag"):
        return "cell-warn"
    if field == "reported_share" and value is not None and value < 0.95:
        return "cell-warn"
    return ""


def league_table(rows: Sequence[Mapping[str, Any]], month: str | None, scheme: str | None) -> dict[str, Any]:
    """The league table (`COLUMNS`) for assets/plain_table.js, each State/UT's name the link that opens it with
    the page's month and scheme; a month known only from NCRB's published results has no drill-down, no links."""
    def link(row: Mapping[str, Any]) -> str | None:
        return None if row.get("published_only") else page_href(f"/state/{row['state_code']}", month, scheme=scheme)

    return plain_table_data(rows, COLUMNS, row_id="state_code", caption=_("League table"), link=link, tone=_tone)


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
                [loading(plain_table(ids.TABLE)),
                 html.Div(id=ids.TABLE_NOTE, className="graph-note mt-2")],
                subtitle=_("Click a State/UT's name to open it, a column's header to sort by it."),
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
