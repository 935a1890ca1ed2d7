"""District page callbacks. Every query is scoped: a district outside the user's scope raises OutOfScope,
caught here, and the page says "not available for your account" instead of showing data."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ClientsideFunction, Input, Output, State, dcc, html

from callbacks import common
from callbacks.shell import follow_theme
from callbacks.unit_common import drill_href, empty_fig, keeps_scheme, query_scheme, resolve, themed
from dashboard.display import (
    action_words,
    as_int,
    fmt3,
    format_change_centi,
    format_indian,
    format_rank,
    format_score,
    month_label,
    no_data,
    peer_words,
    rank_change_text,
    shared_ranks,
    streak_text,
)
from dashboard.i18n import gettext as _
from dashboard.i18n import ngettext
from dashboard.read import stakes_by_station
from dashboard.scope import OutOfScope
from layouts import figures
from layouts.components import empty_state, kpi_card, marks_lost_table_data, page_href, rank_change_badge
from layouts.district import ids
from layouts.shell import ids as shell_ids
from layouts.unit_parts import not_available, not_reported_badge, simple_table, unit_link, unknown_unit

HIDDEN = {"display": "none"}
LAGGING_ROWS = 25  # the panel lists the stations with most at stake; the lagging page has them all


def register(app: dash.Dash) -> None:
    common.cached_callback(
        app,
        Output(ids.TITLE, "children"),
        Output(ids.SUBTITLE, "children"),
        Output(ids.ACTIONS, "children"),
        Output(ids.NOTICE, "children"),
        Output(ids.KPIS, "children"),
        Output(ids.LAGGING, "children"),
        Output(ids.MOVERS, "children"),
        Input(ids.QUERY, "data"),
        State(shell_ids.THEME_STORE, "data"),
    )(update_page)
    # the heat-map in its own answer (each answer <= 150 KB for the biggest district, issue 15); its table
    # comes as compact data and is drawn in the browser as plain DOM, not Dash components (assets/heat_table.js)
    common.cached_callback(
        app,
        Output(ids.HEATMAP, "figure"),
        Output(ids.HEATMAP_BOX, "style"),
        Output(ids.HEATMAP_NOTE, "children"),
        Output(ids.HEATMAP_TABLE_DATA, "data"),
        Input(ids.QUERY, "data"),
        State(shell_ids.THEME_STORE, "data"),
    )(update_heatmap)
    app.clientside_callback(ClientsideFunction("cctns_tables", "marksLost"),
                            Output(ids.HEATMAP_TABLE, "data-units"), Input(ids.HEATMAP_TABLE_DATA, "data"),
                            State(ids.HEATMAP_TABLE, "id"))
    common.cached_callback(
        app,
        Output(ids.STATIONS, "rowData"),
        Output(ids.STATIONS_BOX, "style"),
        Output(ids.STATIONS_NOTE, "children"),
        Input(ids.QUERY, "data"),
        Input(ids.PEER, "value"),
    )(update_stations)
    app.callback(
        Output(shell_ids.URL, "href", allow_duplicate=True),
        Input(ids.STATIONS, "selectedRows"),
        Input(ids.HEATMAP, "clickData"),
        State(ids.QUERY, "data"),
        prevent_initial_call=True,
    )(drill_down)
    follow_theme(app, ids.HEATMAP)


def drill_down(selected: Any, click: Any, query: Any) -> str:
    return drill_href("station", selected, click, ids.STATIONS, "station_code", query)


# --- page -------------------------------------------------------------------------------------------------


@keeps_scheme
def update_page(query: Any, theme: str | None):
    """Title, subtitle, actions, notice, headline cards, lagging stations and movers."""
    from dashboard import read

    code, month = resolve(query, "district_code")
    scheme = query_scheme(query)
    eng = common.engine()
    info = read.unit_info(eng, "district", code) if code else None
    if info is None or month is None:
        msg = unknown_unit(_("district"), code) if info is None else empty_state()
        return code or _("District"), "", None, msg, [], None, None
    title = info["name"]
    subtitle = f"{info['state_name']} · {month_label(month)}"
    user_scope = common.scope()
    try:
        head = read.district_headline(eng, month, code, user_scope, scheme=scheme)
        # the panel's first rows only (worded for those), and how many there are in all
        lag, lag_total = read.lagging_head(eng, month, user_scope, info["state_code"], code, n=LAGGING_ROWS,
                                           scheme=scheme)
        # the stakes of the stations the panel shows only (a large district has hundreds of stake rows)
        stakes = read.unit_stakes(eng, month, user_scope, info["state_code"], code, scheme=scheme,
                                  station_codes=lag["station_code"].tolist() if not lag.empty else [])
        table = read.stations_table(eng, month, code, user_scope, scheme=scheme)
        moved = read.movers_of(table, n=5)  # from the table already read
    except OutOfScope:
        from dashboard.web import audit_request

        audit_request("scope_violation", f"district page {code}")
        link = _own_link(user_scope, month)
        msg = not_available(_("this district's police stations"), *link)
        return title, subtitle, None, msg, [], None, None
    actions = [
        dbc.Button(_("Lagging stations"), href=page_href("/lagging", month, state=info["state_code"], district=code),
                   color="primary", outline=True, size="sm"),
        dbc.Button(f"{info['state_name']}", href=page_href(f"/state/{info['state_code']}", month),
                   color="secondary", outline=True, size="sm"),
    ]
    if head is None:
        return title, subtitle, actions, empty_state(), [], None, None
    kpis = headline_cards(head, lag)
    version = read.version_for(eng, month, scheme=scheme)
    lagging = lagging_panel(lag, stakes, version, month, total=lag_total,
                            more_href=page_href("/lagging", month, state=info["state_code"], district=code),
                            assign=user_scope.can_create_action("station", info["state_code"], code))
    movers = movers_panel(moved, month)
    return title, subtitle, actions, None, kpis, lagging, movers


def update_heatmap(query: Any, theme: str | None):
    """The stations x parameters heat-map, the note naming the stations left out, and the table's data."""
    from dashboard import read

    code, month = resolve(query, "district_code")
    scheme = query_scheme(query)
    dark = theme == "dark"
    eng = common.engine()
    info = read.unit_info(eng, "district", code) if code else None
    if info is None or month is None:
        return empty_fig(dark), HIDDEN, None, None
    try:
        table = read.stations_table(eng, month, code, common.scope(), scheme=scheme)
        matrix = read.district_station_matrix(eng, month, code, common.scope(), scheme=scheme)
    except OutOfScope:
        from dashboard.web import audit_request

        audit_request("scope_violation", f"heat-map of district {code}")
        return empty_fig(dark), HIDDEN, None, None
    if table.empty and matrix.empty:
        return empty_fig(dark), HIDDEN, None, None
    # Not-reported stations are left out of the colours (their imputed losses would swamp the scale) and named.
    silent = table[~table["reported"].astype(bool)] if not table.empty else table
    order = [c for c in table["unit_code"] if c not in set(silent["unit_code"])] if not table.empty else None
    shown = matrix[~matrix["unit_code"].isin(set(silent["unit_code"]))] if not matrix.empty else matrix
    heat = themed(figures.heatmap_marks_lost_spec(shown, _("Police station"), unit_order=order), dark)
    heat_note = (_("Not reported this month, so not shown: {names}.").format(names=", ".join(silent["name"]))
                 if len(silent) else None)
    heat_table = marks_lost_table_data(shown, _("Police station"), unit_order=order,
                                       caption=_("Stations × parameters: marks lost"))
    return heat, {}, heat_note, heat_table


def _own_link(user_scope: Any, month: str | None) -> tuple[str | None, str]:
    if user_scope.role == "district" and user_scope.district_code:
        return page_href(f"/district/{user_scope.district_code}", month), _("Go to your district")
    if user_scope.role == "state" and user_scope.state_code:
        return page_href(f"/state/{user_scope.state_code}", month), _("Go to your State")
    return None, ""


def headline_cards(head: dict, lag: pd.DataFrame) -> list:
    centi = head.get("score_centi")
    active, reported = as_int(head.get("stations_active")) or 0, as_int(head.get("stations_reported")) or 0
    stake_state = float(lag["at_stake_state"].max()) if lag is not None and not lag.empty else None
    cards = [
        kpi_card(_("Score"), format_score(head.get("score"), centi),
                 sub=_("{change} since last month").format(change=format_change_centi(head.get("score_change_centi")))),
        kpi_card(_("Rank in the State"),
                 _("{n} of {total}").format(n=format_rank(head.get("rank_in_state")), total=head.get("districts_ranked")),
                 badge=rank_change_badge(head.get("rank_change_in_state"), _("rank in State")),
                 sub=_("among {state}'s districts").format(state=head.get("state_name"))),
        kpi_card(_("Streak"), _streak_value(head),
                 sub=streak_text(head.get("streak_at_1"), head.get("streak_top5"), " " + _("in the State")),
                 help_text=_("Consecutive months at #1 / in the top 5 among the State's districts")),
        kpi_card(_("Stations reported"), f"{format_indian(reported)} / {format_indian(active)}",
                 sub=(_("All active stations reported") if reported == active
                      else _("{n} not reported (flagged, not counted as perfect)").format(n=active - reported)),
                 tone="bad" if reported < active else None),
        kpi_card(_("Lagging stations"), format_indian(head.get("lagging_stations")),
                 sub=(_("largest at stake: +{marks} for the State").format(marks=fmt3(stake_state))
                      if stake_state is not None else _("None this month")),
                 tone="bad" if head.get("lagging_stations") else "good"),
    ]
    # the Streak card's value is words: keep it readable
    return [dbc.Col(c, xs=6, lg=4, xl=True) for c in cards]


# --- station table ------------------------------------------------------------------------------------


def update_stations(query: Any, peer: Any):
    from dashboard import read

    code, month = resolve(query, "district_code")
    scheme = query_scheme(query)
    eng = common.engine()
    info = read.unit_info(eng, "district", code) if code else None
    if info is None or month is None:
        return [], HIDDEN, None
    try:
        table = read.stations_table(eng, month, code, common.scope(), scheme=scheme)
    except OutOfScope:
        from dashboard.web import audit_request

        audit_request("scope_violation", f"station table of district {code}")
        return [], HIDDEN, None
    rows = station_rows(table)
    if isinstance(peer, str) and peer != "all":
        rows = [r for r in rows if r["peer_group"] == peer]
    return rows, {}, _stations_note(rows, peer)


def station_rows(table: pd.DataFrame) -> list[dict]:
    if table is None or table.empty:
        return []
    shared_d = shared_ranks(list(table["rank_in_district"]))
    shared_s = shared_ranks(list(table["rank_in_state"]))
    rows = []
    for i, r in enumerate(table.to_dict("records")):
        centi = as_int(r.get("score_centi"))
        reported = bool(r.get("reported"))
        change = as_int(r.get("rank_change_in_district"))
        sym, _tone, words = rank_change_text(change)
        score = format_score(r.get("score"), centi) if centi is not None else no_data()
        fir = as_int(r.get("fir_volume"))
        rows.append({
            "station_code": r["unit_code"],
            "name": r["name"],
            "reported": reported,
            "status_words": f"{r['name']}: " + (_("reported this month") if reported else
                                                _("NOT REPORTED this month (rule 3 imputation)")),
            "rank": as_int(r.get("rank_in_district")),
            "rank_text": format_rank(r.get("rank_in_district"), shared_d[i]),
            "rank_in_state": as_int(r.get("rank_in_state")),
            "rank_in_state_text": format_rank(r.get("rank_in_state"), shared_s[i]),
            "score_centi": centi,
            "score_sort": centi if reported else -1,
            "score_text": score if reported else _("Not reported"),
            "score_words": (_("Score {score}").format(score=score) if reported else
                            _("Not reported: the imputed score {score} (rule 3) is not a real score").format(score=score)),
            "score_change_centi": as_int(r.get("score_change_centi")),
            "change_text": format_change_centi(r.get("score_change_centi")),
            "rank_change": change,
            "rank_change_text": sym,
            "rank_change_words": _("Rank in district: {change}").format(change=words),
            "peer_group": r.get("peer_group"),
            "peer_words": peer_words(r.get("peer_group")),
            "fir_volume": fir,
            "fir_words": (_("{n} FIRs registered this month").format(n=format_indian(fir)) if fir is not None
                          else _("No FIR data")),
            "at_stake_district": None if pd.isna(r.get("at_stake_district")) else float(r["at_stake_district"]),
            "at_stake_state": None if pd.isna(r.get("at_stake_state")) else float(r["at_stake_state"]),
        })
    return rows


def _streak_value(head: dict) -> str:
    at1, top5 = as_int(head.get("streak_at_1")) or 0, as_int(head.get("streak_top5")) or 0
    if at1:
        return _("{n} mo at #1").format(n=at1)
    return _("{n} mo top 5").format(n=top5) if top5 else "–"


def _stations_note(rows: list[dict], peer: Any) -> str:
    if not rows:
        return (_("No stations in this peer group this month.") if peer not in (None, "all") else
                _("No police stations with results this month."))
    parts = [(ngettext("{n} station in peer group {peer}.", "{n} stations in peer group {peer}.", len(rows))
              if peer not in (None, "all") else ngettext("{n} station.", "{n} stations.", len(rows)))
             .format(n=len(rows), peer=peer_words(peer))]
    nr = [r["name"] for r in rows if not r["reported"]]
    if nr:
        parts.append(_("Not reported this month: {names}. Their figures are imputed under rule 3 and they are ranked "
                       "on that imputed score (hover the cell to see it); it is not a real score.")
                     .format(names=", ".join(nr)))
    if any(r["rank_text"].startswith("=") for r in rows):
        parts.append(_("“=” marks a shared rank."))
    return " ".join(parts)


# --- lagging and movers --------------------------------------------------------------------------------------


def lagging_panel(lag: pd.DataFrame, stakes: pd.DataFrame, version: Any, month: str, *,
                  more_href: str | None = None, limit: int = LAGGING_ROWS, assign: bool = False,
                  total: int | None = None) -> Any:
    """The district's lagging stations with reasons and what to fix: the first `limit` (by marks at stake),
    then a count of the others and a link to the full list (`more_href`); `assign`: an Assign button per row
    (for those who may assign actions here); `total`: how many lag in all when `lag` holds the first rows
    only (`read.lagging_head`)."""
    from layouts.action_parts import assign_button

    if lag is None or lag.empty:
        return empty_state(_("No lagging stations this month"),
                           _("Every active station reported and met the thresholds."))
    total = len(lag) if total is None else total
    lag = lag.head(limit)
    params = {p.id: p for p in version.parameters} if version else {}
    by_station = stakes_by_station(stakes) if stakes is not None else {}
    rows = []
    for r in lag.itertuples():
        reasons: list[Any] = []
        if r.not_reported:
            reasons.append(html.Div(not_reported_badge()))
        reasons.append(html.Div(r.reasons or _("Lagging"), className="small"))
        g = by_station.get(r.station_code)
        if g is not None:
            items = []
            for s in g[:4]:
                p = params.get(s["parameter"])
                words = action_words(p, s["parameter_name"], int(s["numerator"]), int(s["denominator"]),
                                     int(s["numerator_needed"]), float(s["at_stake_district"]))
                items.append(html.Li([words, html.Span(f" +{fmt3(s['at_stake_district'])} / "
                                                       f"+{fmt3(s['at_stake_state'])}",
                                                       className="text-body-secondary",
                                                       title=_("marks at stake for the district / the State"))]))
            if len(g) > 4:
                items.append(html.Li("… " + ngettext("and {n} more parameter", "and {n} more parameters",
                                                     len(g) - 4).format(n=len(g) - 4),
                                     className="text-body-secondary"))
            reasons.append(html.Ul(items, className="small mb-0 ps-3 lag-actions"))
        score: Any = format_score(r.score) if not r.not_reported else html.Span("–", title=_("not reported"))
        rows.append([
            unit_link("station", r.station_code, r.station_name, month),
            score,
            reasons,
            html.Strong(fmt3(r.at_stake_district)),
            fmt3(r.at_stake_state),
            *([assign_button([r.station_code], month=month)] if assign else []),
        ])
    return html.Div([
        simple_table([_("Station"), _("Score"), _("Why it lags, and what to fix"), _("At stake: district"),
                      _("At stake: State"), *([_("Action")] if assign else [])], rows, numeric=(1, 3, 4), class_name="lagging-table"),
        html.Div(_("Each line: what the fix takes (records still needed to reach the target) and what it is worth "
                 "to the district, then the marks at stake for the district / the State. Marks at stake are "
                 "computed one station at a time."), className="graph-note mt-2"),
        *([html.Div([_("{n} lagging stations in all; {more} more with less at stake.").format(
                         n=total, more=total - len(lag)) + " ",
                     dcc.Link(_("Open the full lagging list →"), href=more_href or page_href("/lagging", month))],
                    className="graph-note")] if total > len(lag) else []),
    ])


def movers_panel(moved: dict, month: str) -> Any:
    def block(title: str, df: pd.DataFrame, empty_text: str) -> html.Div:
        if df is None or df.empty:
            return html.Div([html.H3(title, className="movers-title"),
                             html.Div(empty_text, className="small text-body-secondary")])
        items = []
        for r in df.itertuples():
            c = as_int(r.score_change_centi)
            items.append(html.Li([
                unit_link("station", r.unit_code, r.name, month),
                html.Span(f" {format_change_centi(c)}", className="cell-up" if c and c > 0 else "cell-down"),
                html.Span(f" → {r.score_display}" + ("" if r.reported else " (" + _("not reported") + ")"),
                          className="text-body-secondary small"),
            ]))
        return html.Div([html.H3(title, className="movers-title"), html.Ol(items, className="mb-2")])

    return html.Div([
        block(_("Most improved"), moved.get("improved"), _("No station improved since last month.")),
        block(_("Most declined"), moved.get("declined"), _("No station declined since last month.")),
    ])



