"""The review loop on the unit pages: the State's actions panel (tally by district, the open ones due first),
and a district's or police station's open and past actions with the Assign button where the user may assign.
Actions are read through `dashboard.actions.list_actions`, which keeps to the user's scope; the whole answers
are cached with the actions' stamp in the key (they change between imports: a saved action or comment moves
the stamp), and the panels refresh when an action is saved (`actions-changed`)."""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
from dash import Input, Output, dcc, html

from callbacks import common
from callbacks.unit_common import keeps_scheme, query_scheme, resolve
from dashboard.display import format_indian
from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from dashboard.scope import OutOfScope
from layouts.action_parts import actions_table, assign_button, grid_rows, tally_cards, unit_actions_panel
from layouts.assign import ids as assign_ids
from layouts.components import empty_state, page_href
from layouts.district import ids as district_ids
from layouts.state import ids as state_ids
from layouts.station import ids as station_ids
from layouts.unit_parts import not_available, simple_table

OPEN = ("open", "escalated")
STATE_OPEN_ROWS = 8


def register(app: dash.Dash) -> None:
    common.cached_callback(
        app,
        Output(state_ids.ACTIONS_PANEL, "children"),
        Input(state_ids.QUERY, "data"),
        Input(assign_ids.CHANGED, "data"),
        actions=True,
    )(state_panel)
    common.cached_callback(
        app,
        Output(district_ids.ACTIONS_PANEL, "children"),
        Input(district_ids.QUERY, "data"),
        Input(assign_ids.CHANGED, "data"),
        actions=True,
    )(district_panel)
    common.cached_callback(
        app,
        Output(station_ids.ACTIONS_PANEL, "children"),
        Input(station_ids.QUERY, "data"),
        Input(assign_ids.CHANGED, "data"),
        actions=True,
    )(station_panel)


def _list(**filters: Any) -> pd.DataFrame:
    from dashboard import actions

    return actions.list_actions(common.engine(), common.scope(), actions.ActionFilters(**filters))


def _tally(df: pd.DataFrame) -> dict[str, int]:
    from dashboard import actions

    return {**actions.tally(df), "open": int(df["status"].isin(OPEN).sum()) if not df.empty else 0}


def by_district(df: pd.DataFrame) -> html.Div:
    """Met / partly met / not met / carried over / open per district (State-level actions as "State HQ")."""
    rows = []
    keys = df["district_name"].fillna("").replace("", _("State HQ"))
    for name, part in df.groupby(keys, sort=True):
        t = _tally(part)
        rows.append([name, *(format_indian(t[k]) for k in ("met", "partly_met", "not_met", "carried_over", "open")),
                     format_indian(len(part))])
    return simple_table([_("District"), _("Met"), _("Partly met"), _("Not met"), _("Carried over"), _("Open"),
                         _("All")], rows,
                        numeric=(1, 2, 3, 4, 5, 6), class_name="actions-tally-table")


@keeps_scheme
def state_panel(query: Any, _changed: Any) -> Any:
    from dashboard import read

    code, month = resolve(query, "state_code")
    if code is None or read.unit_info(common.engine(), "state", code) is None:
        return None
    sc = common.scope()
    if sc.role == "state" and sc.state_code != code or sc.role == "district" and sc.state_code != code:
        return not_available(_("this State/UT's actions"))
    df = _list(state_code=code)
    list_href = page_href("/actions", month, state=code if sc.role == "national" else None)
    if df.empty:
        return empty_state(_("No actions yet"), _("Assign actions from the lagging stations below or the lagging list: "
                                                  "each gets an owner and a due month, and the data of that month "
                                                  "judges it."))
    open_rows = grid_rows(df[df["status"].isin(OPEN)].head(STATE_OPEN_ROWS).to_dict("records"))
    all_words = (_("{n} of your district's actions in all.") if sc.role == "district"
                 else _("{n} of the State's actions in all."))
    return html.Div([
        tally_cards(_tally(df)),
        html.Div([html.H3(_("By district"), className="panel-subhead"), by_district(df)], className="mt-3"),
        html.Div([html.H3(_("Open, due first"), className="panel-subhead"),
                  actions_table(open_rows, month) if open_rows else
                  html.P(_("No open actions."), className="small text-body-secondary")], className="mt-3"),
        html.Div([all_words.format(n=format_indian(len(df))) + " ",
                  dcc.Link(_("Open the actions →"), href=list_href)], className="graph-note mt-2"),
    ])


@keeps_scheme
def district_panel(query: Any, _changed: Any) -> Any:
    from dashboard import read

    code, month = resolve(query, "district_code")
    eng = common.engine()
    info = read.unit_info(eng, "district", code) if code else None
    if info is None or month is None:
        return None
    sc = common.scope()
    if not sc.can_see_district(info["state_code"], code):
        return not_available("this district's actions")  # the page's own callback audits the request
    df = _list(district_code=code)
    assign = None
    if sc.can_create_action("station", info["state_code"], code):
        try:
            lag = read.lagging(eng, month, sc, info["state_code"], code, worded=False, scheme=query_scheme(query))
        except OutOfScope:
            lag = pd.DataFrame()
        codes = list(lag["station_code"])[:200] if not lag.empty else []
        assign = html.Div([
            assign_button(codes, _("Assign the {n} lagging stations").format(n=len(codes)), month=month, outline=False,
                          title=_("One action per lagging station: the parameter with most marks at stake, owned "
                                "by the SP unless you choose otherwise")) if codes else None,
            html.Span(_(" or use Assign on a row of the lagging stations above."), className="small text-body-secondary")
            if codes else html.Span(_("No lagging stations this month; assign from a police station's page."),
                                    className="small text-body-secondary"),
        ], className="d-flex flex-wrap align-items-center gap-2")
    rows = grid_rows(df.to_dict("records"))
    return unit_actions_panel(rows, month, assign=assign,
                              list_href=page_href("/actions", month, district=code if sc.role != "district" else None,
                                                  state=info["state_code"] if sc.role == "national" else None))


@keeps_scheme
def station_panel(query: Any, _changed: Any) -> Any:
    from dashboard import read

    code, month = resolve(query, "station_code")
    eng = common.engine()
    info = read.unit_info(eng, "station", code) if code else None
    if info is None or month is None:
        return None
    sc = common.scope()
    if not sc.can_see_district(info["state_code"], info["district_code"]):
        return not_available("this police station's actions")
    df = _list(unit_code=code, level="station")
    assign = None
    if sc.can_create_action("station", info["state_code"], info["district_code"]):
        assign = assign_button([code], N_("Assign an action"), month=month, outline=False)
    return unit_actions_panel(grid_rows(df.to_dict("records")), month, assign=assign, unit_column=False,
                              list_href=page_href("/actions", month, district=info["district_code"]
                                                  if sc.role != "district" else None,
                                                  state=info["state_code"] if sc.role == "national" else None))
