"""Profile page callbacks: show and save the signed-in user's own e-mail address and digest choices.
The user is the session's (dashboard.web.current_username); the request carries only the form values,
validated and saved by dashboard.digests.set_profile (audited)."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, html

from callbacks import common
from dashboard.i18n import N_, current_language
from dashboard.i18n import gettext as _
from layouts.profile import ids
from layouts.shell import ids as shell_ids

ROLE_WORDS = {  # English, shown through _()
    "national": [N_("the all-India league table: top and bottom, the largest movers"),
                 N_("data completeness: States/UTs with police stations that sent no data")],
    "state": [N_("your State's score, all-India and category rank and their change"),
              N_("the three parameters losing most marks; what it takes to overtake the State above"),
              N_("the districts that fell most; the last review's commitments and what the data shows"),
              N_("the PDF review pack, attached")],
    "district": [N_("your district's rank in the State and its change"),
                 N_("lagging police stations with the reason and the marks at stake"),
                 N_("your open and overdue actions, with links to the pages")],
}
ROLE_NAMES = {"national": N_("national"), "state": N_("State"), "district": N_("district")}


def register(app: dash.Dash) -> None:
    # loaded with the app, not on a user's first profile page: the digests' templates compile when the
    # room is imported (about 40 ms of CPU, measured as that page's cold answer)
    import dashboard.digests  # noqa: F401

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
    app.callback(
        Output(shell_ids.LANGUAGE_RELOAD, "href", allow_duplicate=True),
        Input(ids.STATUS, "children"),
        State(ids.LANGUAGE, "value"),
        State(shell_ids.URL, "href"),
        prevent_initial_call=True,
    )(follow_saved_language)


def _username() -> str:
    from dashboard.web import current_username

    return current_username()


def load_profile(_query: Any):
    from dashboard.digests import get_profile

    p = get_profile(common.engine(), _username())
    if p is None:
        return "", None, [], "en", None
    where = {"national": _("All India"), "state": p.state_code, "district": p.district_code}.get(p.role, "")
    choices = [k for k, on in (("monthly", p.monthly), ("reminder", p.reminder)) if on]
    about = html.Ul([html.Li(_(w)) for w in ROLE_WORDS.get(p.role, [])], className="mb-0")
    role = _(ROLE_NAMES[p.role]) if p.role in ROLE_NAMES else p.role
    return f"{p.username} · {role} · {where}", p.email or "", choices, p.language, about


def save_profile(_clicks: Any, email: Any, choices: Any, language: Any):
    from dashboard.digests import ProfileError, set_profile

    picked = choices if isinstance(choices, list) else []
    try:
        p = set_profile(common.engine(), _username(), email=email, monthly="monthly" in picked,
                        reminder="reminder" in picked, language=language, actor=_username(),
                        remote_addr=_remote_addr())
    except ProfileError as exc:
        return dbc.Alert(_("Not saved: {reason}.").format(reason=_(str(exc))), color="danger", className="mb-0 py-2")
    from dashboard.web import remember_language

    remember_language(p.language, dash.ctx.response)  # this browser follows the profile's language now
    if not p.email:
        return dbc.Alert(_("Saved. No address: you will receive no digests."), color="warning",
                         className="mb-0 py-2")
    got = [w for k, w in (("monthly", _("the monthly digest")), ("reminder", _("the cut-off reminder")))
           if k in picked]
    return dbc.Alert(_("Saved. {email} will receive {what}.").format(
        email=p.email, what=_(" and ").join(got) if got else _("no digests")), color="success", className="mb-0 py-2")


def follow_saved_language(status: Any, language: Any, href: str | None) -> str:
    """After a save that changed the language, the page reloads in it."""
    from dashboard.i18n import clean_language
    from dashboard.web import language_href

    code = clean_language(language)
    if not status or code is None or code == current_language():
        raise dash.exceptions.PreventUpdate
    return language_href(href, code)


def _remote_addr() -> str:
    from flask import has_request_context, request

    return (request.remote_addr or "") if has_request_context() else ""
