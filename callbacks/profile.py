"""Profile page callbacks: show and save the signed-in user's own e-mail address and digest choices.
The user is the session's (dashboard.web.current_username); the request carries only the form values,
validated and saved by dashboard.digests.set_profile (audited)."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, html

from callbacks import common
from layouts.profile import ids

ROLE_WORDS = {
    "national": ["the all-India league table: top and bottom, the largest movers",
                 "data completeness: States/UTs with police stations that sent no data"],
    "state": ["your State's score, all-India and category rank and their change",
              "the three parameters losing most marks; what it takes to overtake the State above",
              "the districts that fell most; the last review's commitments and what the data shows",
              "the PDF review pack, attached"],
    "district": ["your district's rank in the State and its change",
                 "lagging police stations with the reason and the marks at stake",
                 "your open and overdue actions, with links to the pages"],
}


def register(app: dash.Dash) -> None:
    app.callback(
        Output(ids.SUBTITLE, "children"),
        Output(ids.EMAIL, "value"),
        Output(ids.CHOICES, "value"),
        Output(ids.LANGUAGE, "value"),
        Output(ids.ABOUT, "children"),
        Input(ids.QUERY, "data"),
    )(load_profile)
    app.callback(
        Output(ids.STATUS, "children"),
        Input(ids.SAVE, "n_clicks"),
        State(ids.EMAIL, "value"),
        State(ids.CHOICES, "value"),
        State(ids.LANGUAGE, "value"),
        prevent_initial_call=True,
    )(save_profile)


def _username() -> str:
    from dashboard.web import current_username

    return current_username()


def load_profile(_query: Any):
    from dashboard.digests import get_profile

    p = get_profile(common.engine(), _username())
    if p is None:
        return "", None, [], "en", None
    where = {"national": "All India", "state": p.state_code, "district": p.district_code}.get(p.role, "")
    choices = [k for k, on in (("monthly", p.monthly), ("reminder", p.reminder)) if on]
    about = html.Ul([html.Li(w) for w in ROLE_WORDS.get(p.role, [])], className="mb-0")
    return f"{p.username} · {p.role} · {where}", p.email or "", choices, p.language, about


def save_profile(_clicks: Any, email: Any, choices: Any, language: Any):
    from dashboard.digests import ProfileError, set_profile

    picked = choices if isinstance(choices, list) else []
    try:
        p = set_profile(common.engine(), _username(), email=email, monthly="monthly" in picked,
                        reminder="reminder" in picked, language=language, actor=_username(),
                        remote_addr=_remote_addr())
    except ProfileError as exc:
        return dbc.Alert(f"Not saved: {exc}.", color="danger", className="mb-0 py-2")
    if not p.email:
        return dbc.Alert("Saved. No address: you will receive no digests.", color="warning", className="mb-0 py-2")
    got = [w for k, w in (("monthly", "the monthly digest"), ("reminder", "the cut-off reminder")) if k in picked]
    return dbc.Alert(f"Saved. {p.email} will receive {' and '.join(got) if got else 'no digests'}.",
                     color="success", className="mb-0 py-2")


def _remote_addr() -> str:
    from flask import has_request_context, request

    return (request.remote_addr or "") if has_request_context() else ""
