"""Shared, pure layout builders used by every page (no I/O, no callbacks).

Page authors: build numbers with `format_indian`, `format_score`, `format_gap`, `format_rank`,
`ratio_text`; badges with `rank_change_badge`; cards with `kpi_card`; tables with `league_grid`;
empty states with `empty_state`; slow parts inside `loading`; internal links with `page_href`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlencode

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.display import is_missing, rank_change_text
from dashboard.i18n import N_, Translated
from dashboard.i18n import gettext as _

__all__ = [
    "CATEGORY_TABS",
    "card",
    "category_for_tab",
    "empty_state",
    "kpi_card",
    "league_grid",
    "loading",
    "marks_lost_table_data",
    "page_header",
    "page_href",
    "query_from_search",
    "rank_change_badge",
    "section",
]

# Category tabs on the national page: (URL value / tab label, category value stored in `states.category`).
CATEGORY_TABS: tuple[tuple[str, str | None], ...] = (  # labels shown through _() (`category_label`)
    (N_("All India"), None),
    ("Major States", "Major States"),
    ("Hilly & North-East", "Hilly & North-East"),
    ("UTs", "UTs"),
)


# the categories of `states.category` (the methodology's), in words for the tabs and cards
CATEGORY_WORDS = Translated({"Major States": N_("Major States"), "Hilly & North-East": N_("Hilly & North-East"),
                             "UTs": N_("UTs")})


def category_label(category: object) -> str:
    """A category (or a tab's label) in the current language; unknown ones as they are."""
    if category is None or category == "All India":
        return _("All India")
    return CATEGORY_WORDS.get(str(category), str(category))


def column_in_language(column: Mapping[str, Any]) -> dict[str, Any]:
    """An AG Grid column definition with its header and header tooltip in the current language (the tables
    define them in English, marked with N_)."""
    out = dict(column)
    for key in ("headerName", "headerTooltip"):
        if isinstance(out.get(key), str):
            out[key] = _(out[key])
    if isinstance(out.get("children"), list):
        out["children"] = [column_in_language(c) for c in out["children"]]
    return out


def grid_locale_text() -> dict[str, str]:
    """AG Grid's own words (empty grid, pagination) in the current language."""
    return {"noRowsToShow": _("No data for this month"), "loadingOoo": _("Loading…"), "page": _("Page"),
            "of": _("of"), "to": _("to"), "more": _("more"), "next": _("Next"), "previousPage": _("Previous page"),
            "nextPage": _("Next page"), "firstPage": _("First page"), "lastPage": _("Last page"),
            "pageSizeSelectorLabel": _("Page size:"), "ariaRowSelect": _("Press Space to select this row"),
            "ariaRowDeselect": _("Press Space to deselect this row")}


def category_for_tab(tab: object) -> str | None:
    """The category filter for a tab label from the URL; None means All India (also for bad input)."""
    for label, category in CATEGORY_TABS:
        if tab == label:
            return category
    return None


# --- numbers -------------------------------------------------------------------------------------


# --- URLs ----------------------------------------------------------------------------------------


def query_from_search(search: str | None) -> dict[str, str]:
    """ "?month=2026-10&category=UTs" -> {"month": "2026-10", "category": "UTs"} (first value wins)."""
    if not search:
        return {}
    return {k: v[0] for k, v in parse_qs(search.lstrip("?"), keep_blank_values=False).items() if v}


def page_href(path: str, month: str | None = None, **params: object) -> str:
    """An internal link that carries the month (and other non-empty parameters): every link uses this."""
    query: dict[str, object] = {}
    if month:
        query["month"] = month
    query.update({k: v for k, v in params.items() if v not in (None, "")})
    return f"{path}?{urlencode(query)}" if query else path


def href_with_scheme(href: str, scheme: str | None) -> str:
    """An internal link (`/...`) with `scheme=` added when it has none (a fragment stays last); external
    links, fragments and `scheme` None (CCTNS, the default, never written) are returned as they are."""
    if not scheme or not isinstance(href, str) or not href.startswith("/") or href.startswith("//"):
        return href
    path, hash_mark, fragment = href.partition("#")
    base, _q, query = path.partition("?")
    if "scheme" in parse_qs(query):
        return href
    query = f"{query}&{urlencode({'scheme': scheme})}" if query else urlencode({"scheme": scheme})
    return f"{base}?{query}{hash_mark}{fragment}"


def keep_scheme(value: Any, scheme: str | None) -> Any:
    """Every internal link in a callback's output (components, or lists and tuples of them) made to keep
    the page's ranking scheme, so that drill-downs, buttons and links never drop back to CCTNS; the assign
    buttons (`layouts.action_parts.assign_button`) carry it too. Components are changed in place; other
    values (row data, figures, strings) are left alone."""
    if not scheme:
        return value
    if isinstance(value, (list, tuple)):
        for item in value:
            keep_scheme(item, scheme)
        return value
    if isinstance(value, Component):
        for node in [value, *(c for c in value._traverse() if isinstance(c, Component))]:
            href = getattr(node, "href", None)
            if isinstance(href, str):
                node.href = href_with_scheme(href, scheme)
            if getattr(node, "data-assign", None) and not getattr(node, "data-scheme", None):
                setattr(node, "data-scheme", scheme)  # an assign button: the dialog offers this scheme's parameters
    return value


# --- components ----------------------------------------------------------------------------------


def rank_change_badge(change: object, label: str = "rank") -> html.Span:
    """▲2 green / ▼1 red / – grey, with screen-reader text ("rank up 2 places")."""
    text, tone, words = rank_change_text(change)
    return html.Span(
        [
            html.Span(text, **{"aria-hidden": "true"}),
            html.Span(f"{label} {words}", className="visually-hidden"),
        ],
        className=f"badge rank-change text-bg-{tone}",
        title=f"{label.capitalize()} {words}",
    )


def kpi_card(
    title: str,
    value: Any,
    sub: Any = None,
    badge: Any = None,
    tone: str | None = None,
    id: str | None = None,  # noqa: A002 - Dash convention
    help_text: str | None = None,
) -> dbc.Card | html.Div:
    """A headline number: title, big value, optional badge beside it and a sub-line."""
    body = [
        html.Div(title, className="kpi-title"),
        html.Div([html.Span(value, className="kpi-value"), badge and html.Span(badge, className="ms-2")],
                 className="d-flex align-items-center flex-wrap"),
    ]
    if sub is not None:
        body.append(html.Div(sub, className="kpi-sub"))
    kwargs: dict[str, Any] = {"id": id} if id else {}
    card_ = dbc.Card(dbc.CardBody(body), className=f"kpi-card h-100{' kpi-' + tone if tone else ''}", **kwargs)
    return html.Div(card_, title=help_text, className="h-100") if help_text else card_


def empty_state(message: str = N_("No data for this month"), detail: str | None = None) -> html.Div:
    """A clear, visible empty state instead of a blank chart or table (an English `message` is translated)."""
    return html.Div(
        [html.Div("∅", className="empty-icon", **{"aria-hidden": "true"}), html.Div(_(message), className="fw-semibold"),
         detail and html.Div(detail, className="small text-body-secondary")],
        className="empty-state",
        role="status",
    )


def loading(children: Any, id: str | None = None) -> dcc.Loading:  # noqa: A002
    """A loading indicator around slow parts (shown after a short delay, so fast updates don't flash)."""
    kwargs: dict[str, Any] = {"id": id} if id else {}
    return dcc.Loading(children, type="default", delay_show=250, color="var(--bs-primary)",
                       parent_className="loading-wrap", **kwargs)


def card(title: Any, children: Any, subtitle: Any = None, actions: Any = None, id: str | None = None,  # noqa: A002
         class_name: str = "") -> dbc.Card:
    """A titled panel for a chart or table."""
    header = html.Div(
        [html.Div([html.H2(title, className="panel-title"),
                   subtitle and html.Div(subtitle, className="panel-subtitle")]),
         actions and html.Div(actions, className="panel-actions")],
        className="panel-header",
    )
    kwargs: dict[str, Any] = {"id": id} if id else {}
    return dbc.Card([header, dbc.CardBody(children, className="panel-body")], className=f"panel {class_name}",
                    **kwargs)


def section(*children: Any, class_name: str = "") -> html.Section:
    return html.Section(list(children), className=f"page-section {class_name}")


def page_header(title: Any, subtitle: Any = None, right: Any = None) -> html.Div:
    """The page title row (h1 for screen readers and projector)."""
    return html.Div(
        [html.Div([html.H1(title, className="page-title"), subtitle and html.Div(subtitle, className="page-subtitle")]),
         right and html.Div(right, className="page-header-right")],
        className="page-header",
    )


# --- AG Grid -------------------------------------------------------------------------------------

GRID_THEME = "themeQuartz"  # AG Grid 35 Theming API; colours follow data-ag-theme-mode on <html> (shell)


# A column of a plain HTML table: (the row's field it stands for, header, header tooltip, the row's field with the
# text shown, the row's field with the cell's tooltip, the cell's class). Headers and tooltips in English (N_).
PlainColumn = tuple[str, str, str | None, str, str | None, str]


def _sort_value(value: Any) -> float | None:
    """What a column sorts by in the browser: the row's number behind the text (a rank, a score in
    hundredths, a share), as the grid sorted; None where there is no number (sorted by the text, blanks last)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:  # NaN has no order
        return None
    return value


def plain_table_data(rows: Sequence[Mapping[str, Any]], columns: Sequence[PlainColumn], *, row_id: str,
                     caption: str, link: Callable[[Mapping[str, Any]], str | None] | None = None,
                     tone: Callable[[str, Mapping[str, Any]], str] | None = None) -> dict[str, Any]:
    """A short table (the 36 States/UTs) as the data assets/plain_table.js draws as plain, accessible HTML, in
    place of an AG Grid: a page that shows only such tables never loads the grid's code (issue 15: the national
    page), and the browser builds ~700 cells directly instead of ~700 Dash components (the renderer's cost per
    component was larger than the grid's). Headers and tooltips in the request's language, every cell's text,
    tooltip, class and sort value written here; the "name" column is the row header, a link where `link` gives
    one. A header is a button that sorts the rows by its column in the browser (numbers numerically, as the
    grid did)."""
    cols = [{"id": field, "header": _(header), "tip": _(tip) if tip else "", "css": css}
            for field, header, tip, _shown, _title, css in columns]
    out_rows = []
    for row in rows:
        cells = []
        for field, _header, _tip, shown, title, css in columns:
            text = "" if row.get(shown) is None else str(row.get(shown))
            tip = str(row.get(title) or "") if title else ""
            cells.append([text, tip, " ".join(c for c in (css, tone(field, row) if tone else "") if c),
                          _sort_value(row.get(field))])
        out_rows.append({"id": str(row[row_id]), "href": link(row) if link else None, "cells": cells})
    return {"caption": caption, "columns": cols, "rows": out_rows}


def plain_table(id: str) -> html.Div:  # noqa: A002
    """Where assets/plain_table.js draws a `plain_table_data` table: the data in the Store `<id>-data` (a
    callback's output), the table in the Div `id` (register it with callbacks.common.draw_plain_table)."""
    return html.Div([dcc.Store(id=f"{id}-data"), html.Div(id=id, className="table-responsive league-table-wrap")])


def league_grid(
    id: str | dict,  # noqa: A002
    row_data: Sequence[Mapping[str, Any]] | None,
    column_defs: Sequence[Mapping[str, Any]],
    *,
    row_id: str | None = None,
    page_size: int | None = None,
    height: str | None = None,
    auto_height: bool = False,
    grid_options: Mapping[str, Any] | None = None,
    default_col_def: Mapping[str, Any] | None = None,
    class_name: str = "",
) -> dag.AgGrid:
    """A dash-ag-grid table with the project's defaults.

    Sortable, resizable columns sized to their content by assets/grids.js (see `sized_columns`: a number is
    never cut; on a narrow screen the grid scrolls sideways inside itself), keyboard navigation (AG
    Grid's built-in), row virtualisation; `page_size` turns on pagination; `auto_height` for short tables
    (e.g. 36 States) so the page scrolls instead of the grid. Clicks arrive in `cellClicked` /
    `selectedRows`. Theme: Quartz via the Theming API; dark mode from the `data-ag-theme-mode` attribute
    that the shell's theme switch sets on <html>.
    """
    options: dict[str, Any] = {
        "theme": GRID_THEME,
        "animateRows": False,
        "suppressCellFocus": False,
        "enableCellTextSelection": True,
        "ensureDomOrder": True,
        "suppressColumnVirtualisation": True,  # every column rendered, so auto-size measures every one
        "tooltipShowDelay": 300,
        "rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True},
        "localeText": grid_locale_text(),
    }
    column_defs = [column_in_language(c) for c in column_defs]
    if page_size:
        options.update(pagination=True, paginationPageSize=page_size,
                       paginationPageSizeSelector=sorted({page_size, 25, 50, 100}))
    if auto_height:
        options["domLayout"] = "autoHeight"
    if row_id:
        options["getRowId"] = f"params.data.{row_id}"
    if grid_options:
        extra = dict(grid_options)
        options["localeText"].update(extra.pop("localeText", None) or {})  # the grid's own words, translated
        options.update(extra)
    col_def: dict[str, Any] = {"sortable": True, "resizable": True, "filter": False, "suppressMovable": True,
                               "wrapHeaderText": True, "autoHeaderHeight": True, "minWidth": 70}
    if default_col_def:
        col_def.update(default_col_def)
    columns = sized_columns(column_defs)
    kwargs: dict[str, Any] = {}
    style = {"width": "100%"}
    if not auto_height:
        style["height"] = height or "520px"
    return dag.AgGrid(
        id=id,
        rowData=list(row_data or []),
        columnDefs=columns,
        defaultColDef=col_def,
        dashGridOptions=options,
        className=f"league-grid {class_name}".strip(),
        style=style,
        **kwargs,
    )


# Column sizing (issue 12: a number on screen is never cut). assets/grids.js sizes every column to its content
# and header (a header at least as wide as its longest word), caps wrapping text columns so long names wrap,
# stretches the columns to the grid's width when they leave room, and pins the unit-name column when they do
# not fit (the grid then scrolls sideways inside itself, never the page).
NAME_FIELDS = ("name", "parameter_name", "station_name", "unit", "username")


def sized_columns(column_defs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The column definitions for `league_grid`: widths come from the content and the header's longest word
    (assets/grids.js), so `flex` and `maxWidth` go; the unit-name column (the first whose field is in NAME_FIELDS) wraps, shows its full text on hover
    and is the one pinned on a narrow screen."""
    out = [{k: v for k, v in dict(c).items() if k not in ("flex", "maxWidth")} for c in column_defs]
    name_col = next((c for c in out if c.get("field") in NAME_FIELDS), None)
    if name_col is not None:
        name_col.setdefault("wrapText", True)
        name_col.setdefault("autoHeight", True)
        if "tooltipField" not in name_col and "tooltipValueGetter" not in name_col:
            name_col["tooltipField"] = name_col["field"]
        name_col["context"] = {**name_col.get("context", {}), "pinOnNarrow": True}
    return out


def finite_or_none(x: object) -> float | None:
    """JSON-safe number (NaN/NA -> None) for rowData."""
    if is_missing(x):
        return None
    f = float(x)  # type: ignore[arg-type]
    return None if math.isnan(f) or math.isinf(f) else f




# --- the values of a heat-map as a table (issue 12: colour is never the only way to read them) ---------------


def marks_lost_table_data(long_df: Any, unit_label: str, *, unit_order: Sequence[str] | None = None,
                          caption: str = "") -> dict[str, Any] | None:
    """The matrix of a units x parameters heat-map of marks lost (`figures.heatmap_marks_lost_spec`, same input
    and same unit order) as compact, already written data: the words (`summary`, `caption`, `unit_label`,
    `total`, `note`), the parameter names (`params`) and a row per unit, [name, marks lost per parameter to 2
    decimals in the current language's digits and grouping ("–" where a parameter does not apply), total].
    assets/heat_table.js draws it in the browser as a table in a "Show as table" disclosure (a row per unit,
    its name a row header; a column per parameter; the total), as plain DOM with text only: as Dash components
    a big district's table was ~180 KB of its answer, then ~10 s of the browser's main thread (issue 15).
    None when there is no data."""
    from dashboard.display import format_indian_many

    if long_df is None or len(long_df) == 0:
        return None
    n = len(long_df)
    ucol, pcol = long_df["unit_code"].tolist(), long_df["parameter"].tolist()
    names_col = long_df["name"].tolist() if "name" in long_df else ucol
    pnames_col = long_df["parameter_name"].tolist() if "parameter_name" in long_df else pcol
    applies_col = long_df["applicable"].tolist() if "applicable" in long_df else [True] * n
    lost_col = long_df["marks_lost"].tolist()
    params: dict[str, str] = {}
    names: dict[str, str] = {}
    cells: dict[tuple[str, str], float | None] = {}
    for u, p, name, pname, applicable, lost in zip(ucol, pcol, names_col, pnames_col, applies_col, lost_col,
                                                   strict=True):
        params.setdefault(p, str(pname or p))
        names.setdefault(u, str(name or u))
        applies = not is_missing(applicable) and bool(applicable)
        if cells.get((u, p)) is None:
            cells[(u, p)] = float(lost) if applies and not is_missing(lost) else None
    totals = dict.fromkeys(names, 0.0)
    for (u, _p), lost in cells.items():
        totals[u] += lost or 0.0
    if unit_order is not None:
        units = [u for u in unit_order if u in names]
    else:  # as the heat-map: fewest marks lost first
        units = sorted(names, key=lambda u: totals[u])
    # every number of the table written in one pass ("–" where the parameter does not apply: None)
    width = len(params) + 1
    texts = format_indian_many([v for u in units for v in (*(cells.get((u, p)) for p in params), totals[u])], 2)
    rows = [[names[u], *texts[i * width:(i + 1) * width]] for i, u in enumerate(units)]
    return {"summary": _("Show as table"), "caption": caption or _("Marks lost"), "unit_label": unit_label,
            "total": _("Total"), "note": _("Marks lost by parameter; – : the parameter does not apply."),
            "params": list(params.values()), "rows": rows}

