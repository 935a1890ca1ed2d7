"""Profile page: the signed-in user's e-mail address and which digests they get (the monthly digest after
each month is imported, the reminder before NCRB's cut-off), and their language.

Skeleton only (no I/O); filled and saved by callbacks/profile.py for the signed-in user (from the session,
never from the URL). URL: /profile
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.i18n import LANGUAGES, N_
from dashboard.i18n import gettext as _
from layouts.components import card, page_header


class ids:
    QUERY = "profile-query"
    SUBTITLE = "profile-subtitle"
    EMAIL = "profile-email"
    CHOICES = "profile-choices"
    LANGUAGE = "profile-language"
    SAVE = "profile-save"
    STATUS = "profile-status"
    ABOUT = "profile-about"


CHOICES = (  # English, shown through _()
    ("monthly", N_("Monthly digest"),
     N_("after each month's figures are imported: your page, with its numbers, by e-mail")),
    ("reminder", N_("Cut-off reminder"),
     N_("a few days before NCRB's cut-off: the police stations and records still pending")),
)


def layout(**_query: object) -> html.Div:
    form = html.Div([
        dbc.Label(_("E-mail address"), html_for=ids.EMAIL, className="fw-semibold"),
        dbc.Input(id=ids.EMAIL, type="email", placeholder=_("name@example.org"), maxLength=254, autoComplete="email",
                  debounce=False, className="mb-1"),
        html.Div(_("Digests go to this address only. Leave it empty to receive none."),
                 className="form-text mb-3"),
        dbc.Label(_("Digests"), className="fw-semibold", html_for=ids.CHOICES),
        dbc.Checklist(id=ids.CHOICES, options=[
            {"label": html.Span([html.Strong(_(label)), html.Span(f" — {_(words)}", className="text-body-secondary")]),
             "value": value} for value, label, words in CHOICES], value=[], className="mb-3"),
        dbc.Label(_("Language (pages and e-mail)"), html_for=ids.LANGUAGE, className="fw-semibold"),
        dbc.Select(id=ids.LANGUAGE, options=[{"label": name, "value": code} for code, name in LANGUAGES.items()],
                   value="en",
                   className="mb-3 profile-language"),
        dbc.Button(_("Save"), id=ids.SAVE, color="primary", n_clicks=0),
        html.Div(id=ids.STATUS, role="status", **{"aria-live": "polite"}, className="mt-3"),
    ], className="profile-form")
    return html.Div(
        [
            dcc.Store(id=ids.QUERY, data={}),
            page_header(_("Your profile"), html.Span("", id=ids.SUBTITLE)),
            dbc.Row([
                dbc.Col(card(_("E-mail digests"), form,
                             subtitle=_("Each digest is the page you would have opened, scoped to what your account "
                                        "may see, sent once.")), lg=6, className="min-w-0"),
                dbc.Col(card(_("What your digest holds"), html.Div(id=ids.ABOUT)), lg=6, className="min-w-0"),
            ], className="g-3"),
        ],
        className="page-profile",
    )
