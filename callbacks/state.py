"""State page callbacks: validate the query, ask dashboard.read (scoped), build rows, cards and figures.

A unit outside the user's scope raises OutOfScope in the query; it is caught here and the section shows
"not available for your account" instead of data. State-level numbers (score, ranks, marks lost by
parameter, trend) are circulated to every State and shown to every signed-in user.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ClientsideFunction, Input, Output, State, dcc, html

from callbacks import common
from callbacks.shell import follow_theme
from callbacks.unit_common import (
    drill_href,
    empty_fig,
    keeps_scheme,
    query_scheme,
    resolve,
    scheme_param,
    themed,
)
from dashboard.display import (
    as_int,
    fmt3,
    format_change_centi,
    format_gap,
    format_indian,
    format_rank,
    format_score,
    month_label,
    no_data,
    pct,
    rank_change_text,
    scheme_name_text,
    shared_ranks,
    streak_text,
)
from dashboard.i18n import gettext as _
from dashboard.i18n import ngettext
from dashboard.scope import OutOfScope, Scope
from layouts import figures
from layouts.components import (
    category_label,
    empty_state,
    kpi_card,
    marks_lost_table_data,
    page_href,
    rank_change_badge,
)
from layouts.shell import ids as shell_ids
from layouts.state import ids
from layouts.unit_parts import not_available, simple_table, unit_link, unknown_unit

HIDDEN = {"display": "none"}
SHOWN: dict = {}


def register(app: dash.Dash) -> None:
    common.cached_callback(
        app,
        Output(ids.TITLE, "children"),
        Output(ids.SUBTITLE, "children"),
        Output(ids.ACTIONS, "children"),
        Output(ids.KPIS, "children"),
        Output(ids.WHY, "figure"),
        Output(ids.RIVALS, "children"),
        Output(ids.MARKS_LOST, "figure"),
        Output(ids.OVERTAKE, "children"),
        Output(ids.TREND, "figure"),
        Input(ids.QUERY, "data"),
        State(shell_ids.THEME_STORE, "data"),
    )(update_summary)
    common.cached_callback(
        app,
        Output(ids.DISTRICTS, "rowData"),
        Output(ids.DISTRICTS_BOX, "style"),
        Output(ids.DISTRICTS_NOTE, "children"),
        Output(ids.HEATMAP, "figure"),
        Output(ids.HEATMAP_BOX, "style"),
        Output(ids.HEATMAP_MSG, "children"),
        Output(ids.HEATMAP_TABLE_DATA, "data"),
        Output(ids.LAGGING, "children"),
        Input(ids.QUERY, "data"),
        State(shell_ids.THEME_STORE, "data"),
    )(update_detail)
    # the heat-map's table is drawn in the browser from compact data (a big State's answer stays <= 150 KB), as
    # plain DOM, not Dash components (assets/heat_table.js)
    app.clientside_callback(ClientsideFunction("cctns_tables", "marksLost"),
                            Output(ids.HEATMAP_TABLE, "data-units"), Input(ids.HEATMAP_TABLE_DATA, "data"),
                            State(ids.HEATMAP_TABLE, "id"))
    app.callback(
        Output(shell_ids.URL, "href", allow_duplicate=True),
        Input(ids.DISTRICTS, "selectedRows"),
        Input(ids.HEATMAP, "clickData"),
        State(ids.QUERY, "data"),
        prevent_initial_call=True,
    )(drill_down)
    follow_theme(app, ids.WHY, ids.MARKS_LOST, ids.TREND, ids.HEATMAP)


def drill_down(selected: Any, click: Any, query: Any) -> str:
    return drill_href("district", selected, click, ids.DISTRICTS, "district_code", query)


# --- summary (State-level numbers) ---------------------------------------------------------------------


@keeps_scheme
def update_summary(query: Any, theme: str | None):
    from dashboard import read

    code, month = resolve(query, "state_code")
    dark = theme == "dark"
    eng = common.engine()
    info = read.unit_info(eng, "state", code) if code else None
    if info is None or month is None:
        empty = empty_fig(dark)
        msg = unknown_unit(_("State/UT"), code) if info is None else empty_state()
        return (code or _("State"), "", None, [dbc.Col(msg, width=12)], empty, None, empty, None, empty)
    user_scope = common.scope()
    scheme = query_scheme(query)
    summary = read.state_summary(eng, month, code, user_scope, scheme=scheme)  # one read, one cache entry
    head = summary["headline"]
    title = info["name"]
    subtitle = f"{category_label(info['category'])} · {month_label(month)}"
    actions = _actions(code, month, scheme)
    standing = scheme_standing(summary["standing"], code, month, scheme, summary["reconciliation"])
    published = summary["published"]
    if head is None:
        empty = empty_fig(dark)
        trend_fig = themed(figures.score_trend_spec(None, name=title, published_df=published), dark)
        return (title, subtitle, actions, [*standing, dbc.Col(empty_state(), width=12)], empty, None, empty, None,
                trend_fig)
    kpis = standing + headline_cards(head)
    why = summary["why"]
    why_fig = themed(figures.why_rank_moved_spec(why["own"], ours_label=_("{name}'s change").format(name=title)), dark)
    rivals = rivals_table(why["rivals"], code, month)
    plan = summary["plan"]
    lost_fig = themed(figures.marks_lost_bars_spec(plan.get("marks_lost")), dark)
    overtake = overtake_panel(head, plan, month, read.version_for(eng, month, scheme=scheme))
    above = (head.get("neighbours") or {}).get("above")
    trend_fig = themed(figures.score_trend_spec(
        summary["trend"], name=title, compare_df=summary["compare"],
        compare_name=_("{name} (ranked above)").format(name=above["name"]) if above else None,
        published_df=published), dark)
    return title, subtitle, actions, kpis, why_fig, rivals, lost_fig, overtake, trend_fig


def _actions(code: str, month: str, scheme: str = "cctns") -> list:
    return [
        dbc.Button(_("Lagging stations"), href=page_href("/lagging", month, state=code,
                                                         scheme=scheme_param(scheme)),
                   color="primary", outline=True, size="sm"),
        dbc.Button(_("National table"), href=page_href("/", month, scheme=scheme_param(scheme)),
                   color="secondary", outline=True, size="sm"),
    ]


def scheme_standing(ranks: list[dict], code: str, month: str, current: str, rec: dict | None) -> list:
    """The State's rank in each scheme side by side (each a link to the page in that scheme), and NCRB's
    published score beside ours where they differ by 0.01 or more (`rec`: the State's row of
    read.reconciliation, None when NCRB published nothing for it)."""
    from dashboard import read

    items = []
    for r in ranks:
        rank = (_("#{rank} of {ranked}").format(rank=r["rank_national"], ranked=r["ranked"])
                if r["rank_national"] is not None else _("not ranked"))
        score = r["score_display"] or _("no data")
        body = [html.Div(scheme_name_text(r), className="scheme-rank-name"),
                html.Div(rank, className="scheme-rank-value"),
                html.Div(_("Score {score}").format(score=score)
                         + (" · " + _("NCRB published {score}").format(score=r["published"]) if r["published"] else ""),
                         className="scheme-rank-sub")]
        cls = "scheme-rank" + (" scheme-rank-current" if r["scheme"] == current else "")
        # the scheme always written (CCTNS too): the link switches scheme, so the page's own must not be added
        items.append(html.A(body, href=page_href(f"/state/{code}", month, scheme=r["scheme"]),
                            className=cls, **({"aria-current": "true"} if r["scheme"] == current else {})))
    out = [dbc.Col(html.Nav(items, className="scheme-ranks", **{"aria-label": _("Rank in each ranking scheme")}),
                   width=12)]
    if rec is not None and bool(rec["flagged"]):
        out.append(dbc.Col(dbc.Alert(["⚑ ", read.reconciliation_words(rec)], color="warning",
                                     className="reconciliation-alert mb-0 py-2"), width=12))
    return out


def headline_cards(head: dict) -> list:
    """Score, all-India and category rank with change, streak, gap above and lead below."""
    centi = head.get("score_centi")
    nb = head.get("neighbours") or {}
    cat_nb = head.get("category_neighbours") or {}
    above, below = nb.get("above"), nb.get("below")
    cards = [
        kpi_card(_("Score"), format_score(head.get("score"), centi),
                 sub=_("{change} since last month · gap to 100: {gap}").format(
                     change=format_change_centi(head.get("score_change_centi")), gap=format_gap(centi)),
                 help_text=_("Score out of 100 to the published 2 decimals")),
        kpi_card(_("All-India rank"), _("{n} of {total}").format(n=format_rank(head.get("rank_national")),
                                                                 total=head.get("states_ranked")),
                 badge=rank_change_badge(head.get("rank_change_national"), _("all-India rank")),
                 sub=streak_text(head.get("streak_at_1"), head.get("streak_top5"))),
        kpi_card(_("Category rank"),
                 _("{n} of {total}").format(n=format_rank(head.get("rank_category")), total=head.get("category_ranked")),
                 badge=rank_change_badge(head.get("rank_change_category"), _("category rank")),
                 sub=category_label(head.get("category")) if head.get("category") else ""),
        kpi_card(_("To pass the State above"),
                 f"+{fmt3(above['marks_needed'])}" if above else _("Top"),
                 sub=(_("marks to pass {name} ({score}); gap {gap}").format(
                     name=above["name"], score=above["score_display"], gap=fmt3(above["gap"]))
                      if above else _("No State/UT scores higher this month")),
                 tone=None if above else "good",
                 help_text=_("Score points needed for our published score to exceed theirs")),
        kpi_card(_("Lead over the State below"), fmt3(below["lead"]) if below else "–",
                 sub=(_("marks ahead of {name} ({score})").format(name=below["name"], score=below["score_display"])
                      if below else _("No State/UT scores lower this month")),
                 tone="bad" if below and below["lead"] < 0.1 else None),
        kpi_card(_("Stations reported"),
                 f"{format_indian(head.get('stations_reported'))} / {format_indian(head.get('stations_active'))}",
                 sub=_reported_sub(head),
                 tone="bad" if (as_int(head.get("stations_reported")) or 0) < (as_int(head.get("stations_active"))
                                                                             or 0) else None),
    ]
    if cat_nb.get("above") and (not above or cat_nb["above"]["code"] != above["code"]):
        cards[2] = kpi_card(
            _("Category rank"), _("{n} of {total}").format(n=format_rank(head.get("rank_category")),
                                                           total=head.get("category_ranked")),
            badge=rank_change_badge(head.get("rank_change_category"), _("category rank")),
            sub=_("{category}: +{marks} to pass {name}").format(
                category=category_label(head.get("category")), marks=fmt3(cat_nb["above"]["marks_needed"]),
                name=cat_nb["above"]["name"]))
    return [dbc.Col(c, xs=6, md=4, xl=2) for c in cards]


def _reported_sub(head: dict) -> str:
    active = as_int(head.get("stations_active")) or 0
    reported = as_int(head.get("stations_reported")) or 0
    if not active:
        return _("No active police stations")
    missing = active - reported
    return (_("{n} not reported (flagged, not counted as perfect)").format(n=missing) if missing
            else _("All active stations reported"))


def rivals_table(rivals: pd.DataFrame, code: str, month: str) -> html.Div:
    if rivals is None or rivals.empty:
        return empty_state(_("No ranked States/UTs this month"))
    shared = shared_ranks(list(rivals["rank_national"]))
    rows, classes = [], []
    for i, r in enumerate(rivals.itertuples()):
        sym, tone, words = rank_change_text(r.rank_change_national)
        name: Any = html.Strong(r.name) if r.unit_code == code else unit_link("state", r.unit_code, r.name, month)
        rows.append([
            format_rank(r.rank_national, shared[i]),
            name,
            r.score_display,
            _change(r.score_change_centi),
            html.Span(sym, className=f"text-{tone}", title=_("All-India rank: {change}").format(change=words)),
        ])
        classes.append("table-active" if r.unit_code == code else "")
    return html.Div([
        simple_table([_("Rank"), _("State/UT"), _("Score"), _("Change"), _("Rank ±")], rows, numeric=(0, 2, 3, 4),
                     row_classes=classes),
        html.Div(_("If our change is small but we moved, the States around us moved."), className="graph-note mt-2"),
    ])


def _change(centi: object) -> html.Span:
    c = as_int(centi)
    cls = "cell-up" if c and c > 0 else ("cell-down" if c and c < 0 else "text-body-secondary")
    return html.Span(format_change_centi(centi), className=cls)


def overtake_panel(head: dict, plan: dict, month: str, version: Any) -> list:
    """Marks needed to pass the State above; the parameters (marks lost, and marks at stake at lagging
    stations) and the stations that would earn them."""
    out: list = []
    above = plan.get("above")
    name = head.get("name") or head.get("unit_code")
    if above:
        out.append(html.Div([
            html.Span(f"+{fmt3(above['marks_needed'])}", className="overtake-number"),
            html.Span([" " + _("marks needed to pass") + " ", html.Strong(above["name"]),
                       f" ({above['score_display']})"]),
        ], className="overtake-headline"))
    else:
        below = (head.get("neighbours") or {}).get("below")
        out.append(html.Div([
            html.Span("#1", className="overtake-number"),
            html.Span(" " + (_("{name} leads all-India by {marks} marks over {other}").format(
                name=name, marks=fmt3(below["lead"]), other=below["name"]) if below
                else _("{name} leads all-India").format(name=name))),
        ], className="overtake-headline"))
    lost = plan.get("marks_lost")
    if lost is None or lost.empty:
        out.append(empty_state(_("No marks lost this month")))
        return out
    levels = {p.id: p.level for p in version.parameters} if version else {}
    stakes = plan.get("by_parameter")
    stake_by = (stakes.set_index("parameter") if stakes is not None and not stakes.empty else None)
    rows = []
    for r in lost[lost["marks_lost"] > 1e-12].head(8).itertuples():
        level = levels.get(r.parameter, "station")
        if stake_by is not None and r.parameter in stake_by.index:
            s = stake_by.loc[r.parameter]
            stake_text: Any = _("{marks} ({n} stn)").format(marks=fmt3(s["at_stake"]), n=int(s["stations"]))
        elif level == "state":
            stake_text = html.Span(_("State HQ"), title=_("A State-level parameter: earned at State headquarters"))
        else:
            stake_text = "–"
        rows.append([html.Span(r.parameter_name, title=f"{r.head}"),
                     html.Span(fmt3(r.marks_lost),
                               title=_("value {pct} = {num} / {den}").format(
                                   pct=pct(r.value), num=format_indian(r.numerator), den=format_indian(r.denominator))),
                     stake_text])
    if not rows:
        out.append(empty_state(_("No marks lost this month"), _("Full marks on every parameter.")))
        return out
    total = float(lost["marks_lost"].sum())
    out.append(simple_table([_("Parameter"), _("Marks lost"), _("At stake at lagging stations")], rows,
                            numeric=(1, 2),
                            caption=_("{marks} marks lost in all; the largest first").format(marks=fmt3(total))))
    stations = plan.get("stations")
    if stations is None:
        out.append(html.Div(_("Station-by-station detail is not available for your account."),
                            className="graph-note mt-2"))
    elif not stations.empty:
        top = stations.head(5)
        items = [html.Li([unit_link("station", r.station_code, r.station_name, month),
                          html.Span(f" ({r.district_name}) ", className="text-body-secondary"),
                          html.Strong(f"+{fmt3(r.at_stake_state)}")])
                 for r in top.itertuples()]
        out.append(html.Div([html.Div(_("Stations that would earn the most:"), className="fw-semibold mt-2"),
                             html.Ol(items, className="mb-1 small")]))
        out.append(html.Div(_("Marks at stake are computed one station at a time (3 decimals)."),
                            className="graph-note"))
    return out


# --- detail (districts and stations; scoped) --------------------------------------------------------------


@keeps_scheme
def update_detail(query: Any, theme: str | None):
    from dashboard import read

    code, month = resolve(query, "state_code")
    dark = theme == "dark"
    eng = common.engine()
    scheme = query_scheme(query)
    if code is None or month is None or read.unit_info(eng, "state", code) is None:
        return [], HIDDEN, empty_state(), empty_fig(dark), HIDDEN, None, None, empty_state()
    user_scope = common.scope()
    try:
        detail = read.state_detail(eng, month, code, user_scope, scheme=scheme)  # one read, one cache entry
    except OutOfScope:
        from dashboard.web import audit_request

        audit_request("scope_violation", f"districts of State {code}")
        link = _own_link(user_scope, month)
        return ([], HIDDEN, not_available(_("the districts of this State/UT"), *link), empty_fig(dark), HIDDEN,
                not_available(_("the districts of this State/UT")), None,
                not_available(_("the police stations of this State/UT"), *link))
    table, matrix = detail["districts"], detail["matrix"]
    rows = district_rows(table)
    note = _districts_note(rows)
    order = list(table["unit_code"]) if not table.empty else None
    heat = themed(figures.heatmap_marks_lost_spec(matrix, _("District"), unit_order=order), dark)
    heat_table = marks_lost_table_data(matrix, _("District"), unit_order=order,
                                       caption=_("Districts × parameters: marks lost"))
    lagging = lagging_panel(code, month, user_scope, scheme=scheme, head=detail["lagging"])
    return rows, SHOWN, note, heat, SHOWN, None, heat_table, lagging


def _own_link(user_scope: Scope, month: str | None) -> tuple[str | None, str]:
    if user_scope.role == "district" and user_scope.district_code:
        return page_href(f"/district/{user_scope.district_code}", month), _("Go to your district")
    if user_scope.role == "state" and user_scope.state_code:
        return page_href(f"/state/{user_scope.state_code}", month), _("Go to your State")
    return None, ""


def district_rows(table: pd.DataFrame) -> list[dict]:
    if table is None or table.empty:
        return []
    shared = shared_ranks(list(table["rank_in_state"]))
    rows = []
    for i, r in enumerate(table.to_dict("records")):
        centi = as_int(r.get("score_centi"))
        change = as_int(r.get("rank_change_in_state"))
        sym, _tone, words = rank_change_text(change)
        active, reported = as_int(r.get("stations_active")) or 0, as_int(r.get("stations_reported")) or 0
        rows.append({
            "district_code": r["unit_code"],
            "name": r["name"],
            "rank": as_int(r.get("rank_in_state")),
            "rank_text": format_rank(r.get("rank_in_state"), shared[i]),
            "score_centi": centi,
            "score_display": format_score(r.get("score"), centi) if centi is not None else no_data(),
            "score_change_centi": as_int(r.get("score_change_centi")),
            "change_text": format_change_centi(r.get("score_change_centi")),
            "rank_change": change,
            "rank_change_text": sym,
            "rank_change_words": _("Rank in State: {change}").format(change=words),
            "stations_active": active,
            "stations_reported": reported,
            "reported_share": (reported / active) if active else None,
            "stations_text": f"{format_indian(reported)} / {format_indian(active)}",
            "lagging_stations": as_int(r.get("lagging_stations")) or 0,
        })
    return rows


def _districts_note(rows: list[dict]) -> str:
    if not rows:
        return _("No districts with results this month.")
    parts = [_("Ranks are competition ranks among the State's districts on the published score.")]
    if any(r["rank_text"].startswith("=") for r in rows):
        parts.append(_("“=” marks a shared rank."))
    missing = sum(r["stations_active"] - r["stations_reported"] for r in rows)
    if missing:
        parts.append(ngettext("{n} station not reported this month (counted as lagging, never as perfect).",
                              "{n} stations not reported this month (counted as lagging, never as perfect).",
                              missing).format(n=missing))
    return " ".join(parts)


def lagging_panel(code: str, month: str, user_scope: Scope, top: int = 10, scheme: str = "cctns",
                  head: tuple[pd.DataFrame, int] | None = None) -> Any:
    """The State's first `top` lagging stations (`head`: read.lagging_head's answer when already read;
    None: read it, or say the list is not available for the scope)."""
    from dashboard import read

    try:
        lag, total = head if head is not None else read.lagging_head(common.engine(), month, user_scope, code,
                                                                     n=top, scheme=scheme)
    except OutOfScope:
        return not_available(_("station lists across this State/UT"), *_own_link(user_scope, month))
    if lag.empty:
        return empty_state(_("No lagging stations this month"),
                           _("Every active station reported and met the thresholds."))
    from layouts.action_parts import assign_button

    may_assign = user_scope.can_create_action("station", code, None)  # the State's users (the review loop)
    rows = []
    for r in lag.itertuples():
        score: Any = _("not reported") if r.not_reported else format_score(r.score)
        rows.append([
            unit_link("station", r.station_code, r.station_name, month),
            unit_link("district", r.district_code, r.district_name, month),
            score,
            html.Span(r.reasons, className="small"),
            html.Strong(fmt3(r.at_stake_state)),
            *([assign_button([r.station_code], month=month)] if may_assign else []),
        ])
    more = total - min(top, total)
    return html.Div([
        simple_table([_("Station"), _("District"), _("Score"), _("Why it lags"), _("Marks at stake (State)"),
                      *([_("Action")] if may_assign else [])], rows, numeric=(2, 4)),
        html.Div([
            ngettext("{n} lagging station in all", "{n} lagging stations in all", total).format(n=total)
            + ("; " + _("{n} more").format(n=more) if more else "") + ". ",
            dcc.Link(_("Open the full lagging list →"), href=page_href("/lagging", month, state=code)),
        ], className="graph-note mt-2"),
    ])
