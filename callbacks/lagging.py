"""Lagging stations page callbacks (the download route is in `dashboard.web.routes`).

The page and the download resolve the request the same way (`resolve`) and build the table with the same
function (`dashboard.read.lagging_list` -> `lagging_table`), so the CSV / XLSX hold exactly the rows shown,
with the same filters and order. Scope is checked on the server from the signed-in user for both; refused
requests are audited (`scope_violation` and a `download` row saying "refused").
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from callbacks.common import cached_callback, engine, query_strings, scope
from dashboard.display import (
    LAGGING_COLUMNS,
    REASONS,
    format_indian,
    month_label,
    parameter_text,
    peer_words,
)
from dashboard.i18n import gettext as _
from dashboard.read import LaggingFilters
from dashboard.scope import OutOfScope
from dashboard.web import RESOLVED_KEYS, Refused, Resolved, build, download_href, resolve
from layouts.components import empty_state, kpi_card, page_href
from layouts.lagging import TABLE_PAGE, ids
from layouts.shell import ids as shell_ids
from metrics.methodology import DEFAULT_SCHEME

RESOLVED = ids.RESOLVED


# --- page callbacks ---------------------------------------------------------------------------------------------

OUTPUTS: tuple[tuple[str, str], ...] = (
    (ids.SUBTITLE, "children"),
    (ids.STATE, "options"), (ids.STATE, "value"), (ids.STATE, "disabled"),
    (ids.DISTRICT, "options"), (ids.DISTRICT, "value"), (ids.DISTRICT, "disabled"),
    (ids.PARAMETER, "options"), (ids.PARAMETER, "value"),
    (ids.REASON, "value"), (ids.PEER, "value"),
    (ids.KPIS, "children"),
    (ids.TABLE, "rowData"), (ids.PAGER, "max_value"), (ids.RANGE, "children"), (ids.PAGER_BOX, "style"),
    (ids.COUNT, "children"), (ids.TABLE_NOTE, "children"),
    (ids.TABLE_CARD, "style"), (ids.STATES, "rowData"), (ids.STATES_CARD, "style"),
    (ids.CSV, "href"), (ids.CSV, "className"), (ids.CSV, "aria-disabled"),
    (ids.XLSX, "href"), (ids.XLSX, "className"), (ids.XLSX, "aria-disabled"),
    (RESOLVED, "data"), (ids.DETAIL, "children"),
)

BUTTON = "btn btn-outline-primary btn-sm"
HIDDEN = {"display": "none"}


def register(app: dash.Dash) -> None:
    cached_callback(
        app,
        [Output(i, p) for i, p in OUTPUTS],
        Input(ids.QUERY, "data"),
    )(update_page)
    app.callback(
        Output(shell_ids.URL, "search", allow_duplicate=True),
        Input(ids.STATE, "value"),
        Input(ids.DISTRICT, "value"),
        Input(ids.PARAMETER, "value"),
        Input(ids.REASON, "value"),
        Input(ids.PEER, "value"),
        Input(ids.CLEAR, "n_clicks"),
        Input(ids.STATES, "selectedRows"),
        State(RESOLVED, "data"),
        prevent_initial_call=True,
    )(filters_to_url)
    cached_callback(
        app,
        Output(ids.TABLE, "rowData", allow_duplicate=True),
        Output(ids.RANGE, "children", allow_duplicate=True),
        Input(ids.PAGER, "active_page"),
        State(ids.QUERY, "data"),
        prevent_initial_call=True,
    )(table_page)
    cached_callback(
        app,
        Output(ids.DETAIL, "children", allow_duplicate=True),
        Input(ids.TABLE, "selectedRows"),
        State(RESOLVED, "data"),
        prevent_initial_call=True,
    )(station_detail)


def update_page(query: Any) -> tuple:
    from dashboard import read
    from dashboard.read import districts_of

    sc = scope()
    out: dict[tuple[str, str], Any] = {k: no_update for k in OUTPUTS}
    out.update({
        (ids.STATE, "disabled"): sc.role != "national", (ids.DISTRICT, "disabled"): sc.role == "district",
        (ids.TABLE, "rowData"): [], (ids.PAGER, "max_value"): 1, (ids.RANGE, "children"): None,
        (ids.PAGER_BOX, "style"): HIDDEN, (ids.STATES, "rowData"): [], (ids.COUNT, "children"): "0",
        (ids.TABLE_NOTE, "children"): None, (ids.STATES_CARD, "style"): HIDDEN, (ids.TABLE_CARD, "style"): {},
        (ids.KPIS, "children"): [], (ids.DETAIL, "children"): None,
        (ids.CSV, "href"): None, (ids.XLSX, "href"): None, (ids.CSV, "className"): BUTTON + " disabled",
        (ids.XLSX, "className"): BUTTON + " disabled", (ids.CSV, "aria-disabled"): "true",
        (ids.XLSX, "aria-disabled"): "true", (RESOLVED, "data"): None,
    })
    try:
        r = resolve(query if isinstance(query, dict) else {}, sc)
    except Refused:
        out[(ids.SUBTITLE, "children")] = _("Not available")
        out[(ids.KPIS, "children")] = [dbc.Col(dbc.Alert(
            _("This lagging list is outside what your account may see. The request has been recorded."),
            color="warning", className="mb-0"), width=12)]
        out[(ids.TABLE_CARD, "style")] = HIDDEN
        return tuple(out[k] for k in OUTPUTS)
    eng = engine()
    names = read.state_names(eng)
    state_options = [{"label": n, "value": c} for c, n in sorted(names.items(), key=lambda kv: kv[1])
                     if sc.role == "national" or c == sc.state_code]
    version = read.version_for(eng, r.month, scheme=r.scheme) if r.month else None
    param_options = [{"label": parameter_text(p), "value": p.id} for p in (version.station_parameters if version else ())]
    district_options = ([{"label": d["name"], "value": d["code"]} for d in districts_of(eng, r.state, sc)]
                        if r.state else [])
    out.update({
        (ids.STATE, "options"): state_options, (ids.STATE, "value"): r.state,
        (ids.DISTRICT, "options"): district_options, (ids.DISTRICT, "value"): r.district,
        (ids.PARAMETER, "options"): param_options, (ids.PARAMETER, "value"): r.filters.parameter,
        (ids.REASON, "value"): r.filters.reason, (ids.PEER, "value"): r.filters.peer,
        (RESOLVED, "data"): r.query(),
    })
    where = " · ".join(x for x in (r.district_name, r.state_name) if x)
    out[(ids.SUBTITLE, "children")] = " · ".join((where or _("All States/UTs"), read.scheme_short(eng, r.scheme),
                                                  month_label(r.month) or _("no data yet")))
    if r.month is None:
        out[(ids.KPIS, "children")] = [dbc.Col(empty_state(_("No data yet"),
                                                           _("No month has been loaded and scored.")), width=12)]
        out[(ids.TABLE_CARD, "style")] = HIDDEN
        return tuple(out[k] for k in OUTPUTS)
    if r.state is None:  # national user, no State picked yet: the overview by State
        from dashboard.read import lagging_by_state

        by_state = lagging_by_state(eng, r.month, sc, scheme=r.scheme)
        out[(ids.STATES, "rowData")] = _json_rows(by_state)
        out[(ids.STATES_CARD, "style")] = {}
        out[(ids.TABLE_CARD, "style")] = HIDDEN
        total = int(by_state["lagging"].sum()) if not by_state.empty else 0
        active = int(by_state["stations_active"].fillna(0).sum()) if not by_state.empty else 0
        out[(ids.KPIS, "children")] = _cols([
            kpi_card(_("Lagging stations, all India"), format_indian(total),
                     sub=_("of {n} active police stations").format(n=format_indian(active))),
            kpi_card(_("States/UTs with lagging stations"), str(int((by_state["lagging"] > 0).sum())),
                     sub=_("of {n} States/UTs").format(n=len(by_state))),
            kpi_card(_("Not reported"), format_indian(int(by_state["not_reported"].sum())),
                     sub=_("stations with no data this month"), tone="bad" if by_state["not_reported"].sum() else None),
        ])
        return tuple(out[k] for k in OUTPUTS)
    full, shown = build(r, sc, worded=False)  # only the rows shown are worded
    active = _active(eng, r)
    pages = max(1, -(-len(shown) // TABLE_PAGE))
    out[(ids.TABLE, "rowData")] = _page_rows(r, shown, 0)  # the other pages: table_page
    out[(ids.PAGER, "max_value")] = pages
    out[(ids.RANGE, "children")] = _range(1, len(shown))
    out[(ids.PAGER_BOX, "style")] = {} if pages > 1 else HIDDEN
    out[(ids.COUNT, "children")] = format_indian(len(shown))
    out[(ids.KPIS, "children")] = kpis(full, shown, active, r)
    out[(ids.TABLE_NOTE, "children")] = _note(full, shown, r)
    if len(shown):
        for fmt, key in (("csv", ids.CSV), ("xlsx", ids.XLSX)):
            out[(key, "href")] = download_href(r, fmt)
            out[(key, "className")] = BUTTON
            out[(key, "aria-disabled")] = "false"
    return tuple(out[k] for k in OUTPUTS)


def table_page(page: Any, query: Any) -> tuple[list[dict], str | None]:
    """Page `page` (from 1) of the lagging list: TABLE_PAGE rows of exactly the list the page counts and the
    downloads hold (the same resolve, build, filters and order, on the server), and which rows they are."""
    sc = scope()
    try:
        r = resolve(query if isinstance(query, dict) else {}, sc)
    except Refused:  # audited by resolve; the page's own callback says so
        return [], None
    if r.month is None or r.state is None:
        return [], None
    _full, shown = build(r, sc, worded=False)
    last = max(1, -(-len(shown) // TABLE_PAGE))
    n = min(int(page), last) if isinstance(page, int | float) and not isinstance(page, bool) and page >= 1 else 1
    return _page_rows(r, shown, (n - 1) * TABLE_PAGE), _range(n, len(shown))


def _page_rows(r: Resolved, shown: pd.DataFrame, start: int) -> list[dict]:
    """TABLE_PAGE rows of the list from `start`, their reasons and actions worded (only these rows)."""
    from dashboard.read import word_lagging

    return _json_rows(word_lagging(engine(), r.month, r.state, shown.iloc[start:start + TABLE_PAGE], scheme=r.scheme))


def _range(page: int, total: int) -> str | None:
    if total <= TABLE_PAGE:
        return None
    first = (page - 1) * TABLE_PAGE + 1
    return _("Stations {first}–{last} of {total}").format(
        first=format_indian(first), last=format_indian(min(total, first + TABLE_PAGE - 1)), total=format_indian(total))


def _active(eng, r: Resolved) -> int | None:
    from dashboard.read import active_stations

    return active_stations(eng, r.month, "district", r.district, scheme=r.scheme) if r.district else \
        active_stations(eng, r.month, "state", r.state, scheme=r.scheme)



def _cols(cards: list) -> list:
    width = 12 // max(len(cards), 1)
    return [dbc.Col(c, xs=6, lg=width) for c in cards]


def kpis(full: pd.DataFrame, shown: pd.DataFrame, active: int | None, r: Resolved) -> list:
    if full.empty:
        return [dbc.Col(empty_state(_("No lagging police stations this month"),
                                    _("Every active police station of {where} reported, scored at or above the "
                                      "lagging line and met its critical parameters.").format(
                                        where=r.district_name or r.state_name)),
                        width=12)]
    top = shown.iloc[0] if not shown.empty else None
    in_where = (_("of {n} active in the district") if r.district else _("of {n} active in the State"))
    return _cols([
        kpi_card(_("Lagging stations"), format_indian(len(full)),
                 sub=(in_where.format(n=format_indian(active)) if active else None), tone="bad"),
        kpi_card(_("Not reported"), format_indian(int(full["not_reported"].sum())), sub=_("no data this month"),
                 tone="bad" if full["not_reported"].any() else None),
        kpi_card(_("Low score"), format_indian(int(full["low_score"].sum())), sub=_("below the lagging line")),
        kpi_card(_("Largest marks at stake"), f"+{top['at_stake_state']:.3f}" if top is not None else "–",
                 sub=(f"{top['station_name']}, {top['district_name']}" if top is not None else _("no rows match")),
                 help_text=_("Rise in the State's score if this station met every target (rule 11)")),
    ])


def _note(full: pd.DataFrame, shown: pd.DataFrame, r: Resolved) -> list:
    parts = []
    if len(shown) != len(full):
        parts.append(_("Showing {n} of {total} lagging stations ({filters}).").format(
            n=format_indian(len(shown)), total=format_indian(len(full)), filters=_filter_words(r.filters)))
    parts.append(_("Marks at stake: the rise in the State's (or district's) score, to 3 decimals, if the station "
                   "met every target; each action's worth is for that parameter alone. A station with no data is "
                   "listed as not reported, never counted as perfect."))
    return [html.Span(" ".join(parts))]


def _filter_words(f: LaggingFilters) -> str:
    words = []
    if f.parameter:
        words.append(_("parameter {id}").format(id=f.parameter))
    if f.reason:
        words.append(_("reason: {reason}").format(reason=REASONS[f.reason].lower()))
    if f.peer:
        words.append(_("peer group {peer}").format(peer=peer_words(f.peer)))
    return ", ".join(words) or _("filtered")


def _json_rows(df: pd.DataFrame) -> list[dict]:
    if df is None or df.empty:
        return []
    clean = df.astype(object).where(df.notna(), None)
    return clean.to_dict("records")


def filters_to_url(state: str | None, district: str | None, parameter: str | None, reason: str | None,
                   peer: str | None, _clear: int | None, picked: list[dict] | None, resolved: dict | None) -> str:
    if not isinstance(resolved, dict):
        raise PreventUpdate
    resolved = query_strings(resolved, RESOLVED_KEYS)
    trig = ctx.triggered_id
    picks = query_strings({"state": state, "district": district, "parameter": parameter, "reason": reason,
                           "peer": peer}, RESOLVED_KEYS[1:])
    q: dict[str, Any] = {"month": resolved["month"], **picks, "scheme": resolved.get("scheme")}
    state, district = picks["state"], picks["district"]
    if trig == ids.STATE:
        q["district"] = district if state == resolved.get("state") else None
    elif trig == ids.CLEAR:
        q.update(district=None, parameter=None, reason=None, peer=None)
    elif trig == ids.STATES:
        row = picked[0] if isinstance(picked, list) and picked and isinstance(picked[0], dict) else {}
        code = row.get("state_code")
        if not isinstance(code, str):
            raise PreventUpdate
        q.update(state=code, district=None)
    current = {k: resolved.get(k) for k in q}
    if {k: v or None for k, v in q.items()} == {k: v or None for k, v in current.items()}:
        raise PreventUpdate
    return "?" + urlencode({k: v for k, v in q.items() if v})


def station_detail(selected: list[dict] | None, resolved: dict | None):
    """The selected station's full action list: every parameter with marks at stake, with counts."""
    from dashboard import read

    picked = query_strings(resolved, ("month", "scheme"))
    month, scheme = picked["month"], read.valid_scheme(picked["scheme"], read.scheme_ids(engine()))
    if not isinstance(selected, list) or len(selected) != 1 or month is None:
        return None  # none, or several ticked to assign: no single station to detail
    row = selected[0] if isinstance(selected[0], dict) else {}
    code = row.get("station_code")
    if not isinstance(code, str) or len(code) > 24:
        raise PreventUpdate
    try:
        stakes = read.lagging_stakes(engine(), month, code, scope(), scheme=scheme)
    except OutOfScope:
        from dashboard.web import audit_request

        audit_request("scope_violation", f"lagging detail of station {code}")
        return dbc.Alert(_("This police station is outside what your account may see."), color="warning")
    version = read.version_for(engine(), month, scheme=scheme)
    params = {p.id: p for p in version.parameters} if version else {}
    body: list = []
    if row.get("reasons"):
        body.append(html.P([html.Strong(_("Why it is lagging: ")), row["reasons"]], className="mb-2"))
    if stakes.empty:
        body.append(empty_state(_("No marks at stake"), _("Every parameter of this station is at its target.")))
    else:
        head = html.Thead(html.Tr([html.Th(_("Parameter")), html.Th(_("Done"), className="text-end"),
                                   html.Th(_("Target"), className="text-end"),
                                   html.Th(_("Still needed"), className="text-end"),
                                   html.Th(_("Marks at stake (State)"), className="text-end"),
                                   html.Th(_("Marks at stake (district)"), className="text-end")]))
        trs = []
        for s in stakes.itertuples():
            p = params.get(s.parameter)
            pending = max(int(s.numerator_needed) - int(s.numerator), 0)
            unit = " " + _("days") if p is not None and p.kind == "days" else ""
            trs.append(html.Tr([
                html.Td([html.Div(s.parameter_name or s.parameter, className="fw-semibold"),
                         html.Div(parameter_text(p, "numerator") if p else "", className="small text-body-secondary")]),
                html.Td(_("{num} of {den}").format(num=format_indian(s.numerator), den=format_indian(s.denominator))
                        + unit, className="text-end"),
                html.Td(f"{float(p.target):g}%" if p else "–", className="text-end"),
                html.Td(f"{format_indian(pending)}{unit}", className="text-end fw-semibold"),
                html.Td(f"+{float(s.at_stake_state):.3f}", className="text-end"),
                html.Td(f"+{float(s.at_stake_district):.3f}", className="text-end"),
            ]))
        body.append(html.Div(dbc.Table([head, html.Tbody(trs)], size="sm", hover=True, className="mb-0 action-table"),
                             className="table-responsive-wrap"))
    link_scheme = None if scheme == DEFAULT_SCHEME else scheme
    links = html.Div([
        dcc.Link(_("Open the station page"), href=page_href(f"/station/{code}", month, scheme=link_scheme),
                 className="btn btn-sm btn-outline-primary"),
        dcc.Link(_("Open the district page"), href=page_href(f"/district/{row.get('district_code')}", month,
                                                              scheme=link_scheme),
                 className="btn btn-sm btn-outline-secondary") if row.get("district_code") else None,
    ], className="d-flex gap-2 flex-wrap")
    from layouts.components import card

    return card(_("What {station} must do").format(station=row.get("station_name", code)), body,
                subtitle=_("{district} · score {score} · marks at stake +{state} (State), +{district_marks} "
                           "(district)").format(district=row.get("district_name", ""), score=row.get("score", "–"),
                                                state=f"{float(row.get('at_stake_state') or 0):.3f}",
                                                district_marks=f"{float(row.get('at_stake_district') or 0):.3f}"),
                actions=links, id="lagging-detail-card")


__all__ = ["LAGGING_COLUMNS", "build", "register", "resolve", "table_page", "update_page"]
