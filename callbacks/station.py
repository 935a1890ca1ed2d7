"""Police-station page callbacks. Every query is scoped (a station outside the user's district/State raises
OutOfScope, caught here: the page shows "not available for your account")."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, ctx, html
from dash.exceptions import PreventUpdate

from callbacks import common
from callbacks.common import query_strings
from callbacks.shell import follow_theme
from callbacks.unit_common import empty_fig, keeps_scheme, query_scheme, resolve, themed
from dashboard.display import (
    as_int,
    fmt3,
    format_change_centi,
    format_indian,
    format_rank,
    format_score,
    month_label,
    parameter_text,
    pct,
)
from dashboard.i18n import gettext as _
from dashboard.i18n import ngettext
from dashboard.scope import OutOfScope
from layouts import figures
from layouts.components import empty_state, kpi_card, page_href, rank_change_badge
from layouts.shell import ids as shell_ids
from layouts.station import ids
from layouts.unit_parts import not_available, not_reported_badge, unknown_unit

HIDDEN = {"display": "none"}


def register(app: dash.Dash) -> None:
    common.cached_callback(
        app,
        Output(ids.TITLE, "children"),
        Output(ids.SUBTITLE, "children"),
        Output(ids.ACTIONS, "children"),
        Output(ids.NOTICE, "children"),
        Output(ids.KPIS, "children"),
        Output(ids.PARAMS, "rowData"),
        Output(ids.PARAMS_BOX, "style"),
        Output(ids.PARAMS_NOTE, "children"),
        Output(ids.PICK, "options"),
        Output(ids.PICK, "value"),
        Output(ids.NOT_REPORTED, "children"),
        Output(ids.TREND, "figure"),
        Input(ids.QUERY, "data"),
        State(ids.PICK, "value"),
        State(shell_ids.THEME_STORE, "data"),
    )(update_page)
    common.cached_callback(
        app,
        Output(ids.PARAM_TREND, "figure"),
        Input(ids.PICK, "value"),
        State(ids.QUERY, "data"),
        State(shell_ids.THEME_STORE, "data"),
    )(update_param_trend)
    app.callback(
        Output(ids.PICK, "value", allow_duplicate=True),
        Input(ids.PARAMS, "selectedRows"),
        prevent_initial_call=True,
    )(pick_from_table)
    follow_theme(app, ids.PARAM_TREND, ids.TREND)


def pick_from_table(selected: Any) -> str:
    if ctx.triggered_id != ids.PARAMS or not isinstance(selected, list) or not selected:
        raise PreventUpdate
    value = selected[0].get("parameter") if isinstance(selected[0], dict) else None
    if not isinstance(value, str):
        raise PreventUpdate
    return value


@keeps_scheme
def update_page(query: Any, picked: Any, theme: str | None):
    from dashboard import read

    code, month = resolve(query, "station_code")
    scheme = query_scheme(query)
    dark = theme == "dark"
    eng = common.engine()
    info = read.unit_info(eng, "station", code) if code else None
    blank = (None, [], [], HIDDEN, None, [], None, None, empty_fig(dark))
    if info is None or month is None:
        msg = unknown_unit(_("police station"), code) if info is None else empty_state()
        return (code or _("Police station"), "", None, msg, *blank[1:])
    title = info["name"]
    subtitle = f"{info['district_name']} · {info['state_name']} · {month_label(month)}"
    user_scope = common.scope()
    try:
        head = read.station_headline(eng, month, code, user_scope, scheme=scheme)
        params = read.station_params(eng, month, code, user_scope, scheme=scheme)
        stakes = read.lagging_stakes(eng, month, code, user_scope, scheme=scheme)
    except OutOfScope:  # not even its name: the code the URL carried is all the page shows
        from dashboard.web import audit_request

        audit_request("scope_violation", f"station page {code}")
        return (code, "", None, not_available(_("this police station")), *blank[1:])
    actions = [
        dbc.Button(info["district_name"], href=page_href(f"/district/{info['district_code']}", month),
                   color="secondary", outline=True, size="sm"),
    ]
    if head is None:
        msg = empty_state(_("This station was not active this month"),
                          _("Opened {opened}, closed {closed}.").format(
                              opened=month_label(info.get("opened")) or "–", closed=month_label(info.get("closed")) or "–"))
        return (title, subtitle, actions, msg, *blank[1:])
    version = read.version_for(eng, month, scheme=scheme)
    rows = param_rows(params, version, stakes)
    options = [{"label": r["parameter_name"], "value": r["parameter"]} for r in rows]
    valid = {o["value"] for o in options}
    wanted = query_strings(query, ("parameter",))["parameter"]
    pick = next((v for v in (picked, wanted) if isinstance(v, str) and v in valid), None)
    if pick is None and rows:
        pick = max(rows, key=lambda r: (r["marks_lost"] or 0, -rows.index(r)))["parameter"]
    notice = None
    if not head.get("reported"):
        notice = dbc.Alert([not_reported_badge(), " " + _(
            "No figures were received from this station for {month}. Under rule 3 its days/flag parameters count as "
            "0 and its count parameters are left out; the score below is that imputed score, not a real one.").format(
            month=month_label(month))],
                           color="warning", className="py-2")
    trend = read.score_trend(eng, "station", code, month, 24, scheme=scheme)
    months_nr = read.months_not_reported_of(trend)  # station_months_not_reported, from the trend read
    district_trend = read.score_trend(eng, "district", info["district_code"], month, 24, scheme=scheme)
    trend_fig = themed(figures.score_trend_spec(trend, name=title, compare_df=district_trend,
                                           compare_name=_("{name} district").format(name=info["district_name"])),
                       dark)
    return (title, subtitle, actions, notice, headline_cards(head), rows, {}, _params_note(rows, version),
            options, pick, not_reported_panel(months_nr, month, code), trend_fig)


def headline_cards(head: dict) -> list:
    centi = head.get("score_centi")
    reported = bool(head.get("reported"))
    score_value: Any = format_score(head.get("score"), centi)
    cards = [
        kpi_card(_("Score"), score_value, badge=None if reported else not_reported_badge(),
                 sub=_("{change} since last month").format(change=format_change_centi(head.get("score_change_centi"))),
                 tone=None if reported else "bad"),
        kpi_card(_("Rank in district"),
                 _("{n} of {total}").format(n=format_rank(head.get("rank_in_district")),
                                            total=head.get("stations_in_district")),
                 badge=rank_change_badge(head.get("rank_change_in_district"), _("rank in district"))),
        kpi_card(_("Rank in State"), _("{n} of {total}").format(n=format_rank(head.get("rank_in_state")),
                                                                total=head.get("stations_in_state")),
                 badge=rank_change_badge(head.get("rank_change_in_state"), _("rank in State"))),
        kpi_card(_("Lagging"), _("Yes") if head.get("lagging") else _("No"),
                 sub=(_("at stake: +{district} district, +{state} State").format(
                     district=fmt3(head.get("at_stake_district")), state=fmt3(head.get("at_stake_state")))
                      if head.get("lagging") else _("Meets the thresholds")),
                 tone="bad" if head.get("lagging") else "good"),
    ]
    return [dbc.Col(c, xs=6, lg=3) for c in cards]


def param_rows(params: pd.DataFrame, version: Any, stakes: pd.DataFrame | None = None) -> list[dict]:
    if params is None or params.empty:
        return []
    defs = {p.id: p for p in version.parameters} if version else {}
    crit_below = float(version.critical_achievement_below) if version else 0.8
    stake = (stakes.set_index("parameter")["at_stake_state"].to_dict()
             if stakes is not None and not stakes.empty else {})
    rows = []
    for r in params.sort_values("position").to_dict("records"):
        p = defs.get(r["parameter"])
        applicable = bool(r.get("applicable"))
        imputed = bool(r.get("imputed"))
        critical = bool(r.get("critical"))
        achievement = r.get("achievement")
        below_critical = bool(critical and applicable and achievement is not None and not pd.isna(achievement)
                              and float(achievement) < crit_below)
        flags = []
        if critical:
            flags.append(_("critical") + (" — " + _("below threshold") if below_critical else ""))
        if imputed:
            flags.append(_("imputed (not reported)"))
        if not applicable:
            flags.append(_("n/a (nothing due)"))
        num, den = as_int(r.get("numerator")), as_int(r.get("denominator"))
        marks = None if pd.isna(r.get("marks")) else float(r["marks"])
        lost = None if pd.isna(r.get("marks_lost")) else float(r["marks_lost"])
        rows.append({
            "parameter": r["parameter"],
            "parameter_name": r.get("parameter_name") or r["parameter"],
            "head": r.get("head"),
            "definition": (_("Numerator: {numerator}. Denominator: {denominator}.").format(
                numerator=parameter_text(p, "numerator"), denominator=parameter_text(p, "denominator")) if p else ""),
            "value": None if (not applicable or pd.isna(r.get("value"))) else float(r["value"]),
            "value_text": _("n/a") if not applicable else pct(r.get("value")),
            "ratio": f"{format_indian(num)} / {format_indian(den)}",
            "ratio_words": _("{num} {numerator} of {den} {denominator}").format(
                num=format_indian(num), numerator=parameter_text(p, "numerator") if p else "",
                den=format_indian(den), denominator=parameter_text(p, "denominator") if p else "").strip(),
            "numerator": num,
            "denominator": den,
            "target": None if pd.isna(r.get("target")) else float(r["target"]),
            "marks": marks,
            "marks_text": "–" if marks is None or not applicable else f"{marks:.2f}",
            "weight": None if pd.isna(r.get("weight")) else float(r["weight"]),
            "marks_lost": lost,
            "lost_text": "–" if lost is None or not applicable else f"{lost:.2f}",
            "at_stake_state": stake.get(r["parameter"]),
            "critical": critical,
            "below_critical": below_critical,
            "imputed": imputed,
            "applicable": applicable,
            "flags": ", ".join(flags) or "–",
        })
    return rows


def _params_note(rows: list[dict], version: Any) -> str:
    if not rows:
        return _("No parameters for this month.")
    parts = [_("Methodology") + f" {version.id}." if version else ""]
    weights = sum(r["weight"] or 0 for r in rows if r["applicable"])
    marks = sum(r["marks"] or 0 for r in rows if r["applicable"])
    if weights:
        parts.append(_("Marks {marks} of {weights} applicable → score = 100 × {marks} / {weights}.").format(
            marks=f"{marks:.2f}", weights=f"{weights:g}"))
    stake = [r for r in rows if r["at_stake_state"]]
    if stake:
        best = max(stake, key=lambda r: r["at_stake_state"])
        parts.append(_("Largest mark at stake for the State: {name} (+{marks}).").format(
            name=best["parameter_name"], marks=fmt3(best["at_stake_state"])))
    return " ".join(p for p in parts if p)


def not_reported_panel(months: list[str], month: str, code: str) -> Any:
    if not months:
        return empty_state(_("Reported every month"), _("No month without figures in the last 24 months."))
    items = [html.Li(html.A(month_label(m), href=page_href(f"/station/{code}", m))) for m in reversed(months)]
    return html.Div([
        html.Div(ngettext("{n} month without figures:", "{n} months without figures:", len(months)).format(
            n=len(months)), className="fw-semibold"),
        html.Ul(items, className="months-list mb-0"),
    ])


def update_param_trend(parameter: Any, query: Any, theme: str | None):
    from dashboard import read

    dark = theme == "dark"
    code, month = resolve(query, "station_code")
    scheme = query_scheme(query)
    if not isinstance(parameter, str) or code is None or month is None:
        return empty_fig(dark, _("Pick a parameter"))
    try:
        trend = read.station_param_trend(common.engine(), code, month, common.scope(), 12, scheme=scheme)
    except OutOfScope:
        from dashboard.web import audit_request

        audit_request("scope_violation", f"parameter trend of station {code}")
        return empty_fig(dark, _("Not available for your account"))
    if trend.empty:
        return empty_fig(dark)
    one = trend[trend["parameter"] == parameter]
    if one.empty:
        return empty_fig(dark, _("This parameter is not in the methodology for these months"))
    target = one["target"].iloc[-1]
    return themed(figures.parameter_trend_spec(one, str(one["parameter_name"].iloc[-1]), target), dark)
