"""The app shell: navbar (links, unit search, month picker, theme switch), breadcrumb, page container,
footer. Pure layout; its callbacks are in `callbacks/shell.py`.

Pages read the month from the URL (`?month=`); the shell's month picker writes it. Pages may set their
own breadcrumb by writing `{"path": <pathname>, "items": [{"label": ..., "href": ...}, ...]}` to
`ids.BREADCRUMB_STORE` (Output with allow_duplicate=True); otherwise the shell derives it from the path.
Figures follow the theme: read `ids.THEME_STORE` ("light" | "dark") as State when building, and call
`callbacks.shell.follow_theme(app, graph_id, ...)` in the page's register(app).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.i18n import LANGUAGES, N_, current_language
from dashboard.i18n import gettext as _

PRODUCT_NAME = N_("CCTNS Progress Dashboard")


class ids:
    URL = "url"
    # Dash's own location of its pages (`dash.page_container`): it follows the same address as `URL`. Callbacks
    # that only READ the query listen to it: an input that is also an output of a pending callback (`URL`'s
    # `search`, written by the month and scheme pickers) makes Dash's renderer hold them until that one has
    # answered, a round trip later (the footer, breadcrumb, scheme picker and provisional notice came in a
    # second wave after the month picker's answer).
    PAGES_LOCATION = "_pages_location"
    NAVBAR = "shell-navbar"
    NAV_TOGGLER = "shell-nav-toggler"
    NAV_COLLAPSE = "shell-nav-collapse"
    BRAND = "shell-brand"
    NAV_NATIONAL = "shell-nav-national"
    NAV_LAGGING = "shell-nav-lagging"
    NAV_ACTIONS = "shell-nav-actions"  # "Actions"; "My actions" for a district SP (callbacks/actions.py)
    NAV_METHODOLOGY = "shell-nav-methodology"
    NAV_DATA = "shell-nav-data"
    SEARCH = "shell-search"
    MONTH = "shell-month"
    SCHEME = "shell-scheme"  # the ranking scheme (CCTNS Pragati, ICJS, ITSSO), kept in the URL as ?scheme=
    THEME_SWITCH = "shell-theme-switch"
    THEME_STORE = "shell-theme"  # "light" | "dark"
    TEMPLATES = "shell-figure-templates"  # {"light": template, "dark": template} for the clientside swap
    BREADCRUMB = "shell-breadcrumb"
    BREADCRUMB_STORE = "shell-breadcrumb-store"
    USER = "shell-user"
    LANGUAGE_SWITCH = "shell-language-switch"  # English <-> हिन्दी (callbacks/shell.py switch_language)
    LANGUAGE_RELOAD = "shell-language-reload"  # a full reload of the same page in the new language
    MAIN = "main-content"
    FOOTER = "shell-footer"
    FOOTER_AS_OF = "shell-data-as-of"
    FOOTER_VERSION = "shell-methodology-version"
    PROVISIONAL_NOTICE = "shell-provisional-notice"  # "being collected: provisional figures" (callbacks/provisional.py)


NAV_ITEMS: tuple[tuple[str, str, str], ...] = (  # labels in English, shown through _()
    (ids.NAV_NATIONAL, N_("National"), "/"),
    (ids.NAV_LAGGING, N_("Lagging stations"), "/lagging"),
    (ids.NAV_ACTIONS, N_("Actions"), "/actions"),
    (ids.NAV_METHODOLOGY, N_("Methodology"), "/methodology"),
    (ids.NAV_DATA, N_("Data"), "/data"),
)


def _brand() -> html.A:
    return html.A(
        [
            html.Span(
                html.Span("◆", **{"aria-hidden": "true"}), className="brand-mark"
            ),
            html.Span([html.Span(_(PRODUCT_NAME), className="brand-name"),
                       html.Span(_("NCRB Pragati parameters · States → districts → police stations"),
                                 className="brand-tagline")], className="brand-text"),
        ],
        id=ids.BRAND,
        href="/",
        className="navbar-brand d-flex align-items-center",
    )


def _nav_links() -> dbc.Nav:
    return dbc.Nav(
        [dbc.NavItem(dbc.NavLink(_(label), id=nid, href=href, active="exact")) for nid, label, href in NAV_ITEMS],
        navbar=True,
        className="me-auto shell-nav",
    )


def search_box() -> html.Div:
    return html.Div(
        [
            html.Label(_("Find a unit"), htmlFor=ids.SEARCH, className="visually-hidden"),
            dcc.Dropdown(
                id=ids.SEARCH,
                options=[],
                value=None,
                placeholder=_("Find a State, district or police station…"),
                searchable=True,
                clearable=True,
                # no debounce: Dash 4.4's Dropdown sends a debounced value only when its popover is closed by
                # onOpenChange, and picking an option closes it another way, so the pick never reached the server
                className="shell-search",
                optionHeight="auto",
            ),
        ],
        className="shell-control shell-search-wrap",
        role="search",
    )


def month_picker() -> html.Div:
    return html.Div(
        [
            html.Label(_("Month"), htmlFor=ids.MONTH, className="shell-label"),
            dcc.Dropdown(id=ids.MONTH, options=[], value=None, clearable=False, searchable=False,
                         className="shell-month", placeholder=_("Month")),
        ],
        className="shell-control shell-month-wrap d-flex align-items-center",
    )


def scheme_picker() -> html.Div:
    return html.Div(
        [
            html.Label(_("Ranking"), htmlFor=ids.SCHEME, className="shell-label"),
            dcc.Dropdown(id=ids.SCHEME, options=[], value=None, clearable=False, searchable=False,
                         className="shell-scheme", placeholder=_("Ranking")),
        ],
        className="shell-control shell-scheme-wrap d-flex align-items-center",
    )


def _account() -> html.Div:
    theme = html.Div(
        [
            html.Span("☀", className="theme-icon", **{"aria-hidden": "true"}),
            dbc.Switch(id=ids.THEME_SWITCH, value=None, label=html.Span(_("Dark theme"), className="visually-hidden"),
                       class_name="mb-0 theme-switch", input_class_name="theme-switch-input"),
            html.Span("☾", className="theme-icon", **{"aria-hidden": "true"}),
        ],
        className="d-flex align-items-center gap-1",
        title=_("Light / dark theme"),
    )
    return html.Div(
        [language_switch(), theme, html.Div(id=ids.USER, className="shell-user"),
         html.A(_("Sign out"), href="/logout", className="nav-link shell-signout")],
        className="shell-account d-flex align-items-center gap-3",
    )


def language_switch() -> html.Button:
    """The other language, named in itself ("हिन्दी" on an English page, "English" on a Hindi one): a click
    saves it in the profile and the cookie and reloads the same page, month and filters."""
    other = next(code for code in LANGUAGES if code != current_language())
    return html.Button(LANGUAGES[other], id=ids.LANGUAGE_SWITCH, type="button", lang=other, value=other,
                       className="btn btn-link nav-link shell-language",
                       title=_("Show the dashboard in English") if other == "en"
                       else _("Show the dashboard in Hindi"))


def account_menu(username: str, can_import: bool, is_admin: bool) -> dbc.DropdownMenu:
    """The signed-in user's menu (in `ids.USER`): their profile (digests), their own password, and the operations pages their account
    may use (issue 16). The pages check the account again on the server; this only spares dead links."""
    items = [dbc.DropdownMenuItem(_("Profile and e-mail digests"), href="/profile"),
             dbc.DropdownMenuItem(_("Change password"), href="/account/password", external_link=True)]
    if can_import:
        items += [dbc.DropdownMenuItem(divider=True), dbc.DropdownMenuItem(_("Import files"), href="/data/import"),
                  dbc.DropdownMenuItem(_("Import batches"), href="/data/batches")]
    if is_admin:
        items += [dbc.DropdownMenuItem(divider=True), dbc.DropdownMenuItem(_("Users"), href="/admin/users"),
                  dbc.DropdownMenuItem(_("Audit trail"), href="/admin/audit")]
    # the navbar's own "Sign out" link does not fit a 1024 px projector (hidden there by app.css): here too
    items += [dbc.DropdownMenuItem(divider=True, class_name="shell-menu-signout"),
              dbc.DropdownMenuItem(_("Sign out"), href="/logout", external_link=True,
                                   class_name="shell-menu-signout")]
    return dbc.DropdownMenu(items, label=username, align_end=True, color="link", size="sm",
                            toggle_class_name="shell-user-toggle", class_name="shell-user-menu")


def navbar() -> dbc.Navbar:
    return dbc.Navbar(
        dbc.Container(
            [
                _brand(),
                dbc.NavbarToggler(id=ids.NAV_TOGGLER),
                dbc.Collapse([_nav_links(), _account()], id=ids.NAV_COLLAPSE, navbar=True, is_open=False),
            ],
            fluid=True,
            className="shell-container",
        ),
        id=ids.NAVBAR,
        class_name="shell-navbar",
        color="",
        dark=True,
        expand="lg",
    )


def context_bar() -> html.Div:
    """Breadcrumb on the left; unit search and the global month picker on the right."""
    return html.Div(
        html.Div(
            [
                html.Nav(html.Ol([], id=ids.BREADCRUMB, className="breadcrumb mb-0"),
                         className="shell-breadcrumb", **{"aria-label": _("breadcrumb")}),
                html.Div([search_box(), scheme_picker(), month_picker()],
                         className="shell-controls d-flex align-items-center"),
            ],
            className="shell-container shell-context-inner",
        ),
        className="shell-context",
        role="region",  # a landmark: everything on the page sits in one (axe: region)
        **{"aria-label": _("Where you are, unit search and month")},
    )


def footer() -> html.Footer:
    return html.Footer(
        dbc.Container(
            [
                html.Span([_("Data as of") + " ", html.Span("–", id=ids.FOOTER_AS_OF, className="fw-semibold")]),
                html.Span([_("Methodology") + " ", html.Span("–", id=ids.FOOTER_VERSION, className="fw-semibold")]),
                html.Span(_("Scores to 2 decimals; ranks shared on equal published scores; "
                            "not-reported stations are flagged, never counted as perfect.")),
            ],
            fluid=True,
            className="shell-container d-flex flex-wrap gap-3 justify-content-between",
        ),
        id=ids.FOOTER,
        className="shell-footer",
    )


def figure_templates() -> dict:
    from layouts.figures import template_json

    return {"light": template_json(False), "dark": template_json(True)}


def app_layout() -> html.Div:
    """The whole page around `dash.page_container` (a function: built per request)."""
    from layouts.assign import dialog as assign_dialog

    return html.Div(
        [
            html.A(_("Skip to main content"), href=f"#{ids.MAIN}", className="visually-hidden-focusable skip-link"),
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            dcc.Location(id=ids.LANGUAGE_RELOAD, refresh=True),
            dcc.Store(id=ids.THEME_STORE, storage_type="memory", data="light"),
            dcc.Store(id=ids.BREADCRUMB_STORE, storage_type="memory", data=None),
            dcc.Store(id=ids.TEMPLATES, storage_type="memory", data=figure_templates()),
            navbar(),
            context_bar(),
            html.Main(dbc.Container([html.Div(id=ids.PROVISIONAL_NOTICE), dash.page_container], fluid=True,
                                    className="shell-container"),
                      id=ids.MAIN, tabIndex="-1", className="shell-main"),
            footer(),
            assign_dialog(),
        ],
        className="shell",
    )
