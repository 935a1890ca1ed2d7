"""Register every page with Dash Pages: `layouts/<module>.py` provides `layout(**query)` for each."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard.i18n import N_
from dashboard.i18n import gettext as _

# (page name, module under layouts/, path or path_template, title, order)
PAGES: tuple[tuple[str, str, str, str, int], ...] = (
    ("national", "national", "/", N_("National league table"), 0),
    ("state", "state", "/state/<state_code>", N_("State"), 1),
    ("district", "district", "/district/<district_code>", N_("District"), 2),
    ("station", "station", "/station/<station_code>", N_("Police station"), 3),
    ("lagging", "lagging", "/lagging", N_("Lagging stations"), 4),
    ("methodology", "methodology", "/methodology", N_("Methodology"), 5),
    ("data", "data", "/data", N_("Data"), 6),
    ("present", "present", "/present", N_("Conference mode"), 7),
    ("actions", "actions", "/actions", N_("Actions"), 8),
    ("profile", "profile", "/profile", N_("Your profile"), 9),
    ("provisional", "provisional", "/provisional", N_("Provisional figures"), 10),
    ("flags", "flags", "/flags", N_("Data to verify"), 11),
)


def page_layout(module: str) -> Callable[..., Any]:
    """`layouts.<module>.layout`."""
    return importlib.import_module(f"layouts.{module}").layout


def not_found(**_query: object) -> html.Div:
    return html.Div(
        [
            html.H1(_("Page not found"), className="page-title"),
            html.P(_("There is no page at this address. It may have been mistyped, or the unit may no longer exist.")),
            dbc.Button(_("Go to the national league table"), href="/", color="primary"),
        ],
        className="not-found py-4",
    )


# operations in the browser (issue 16): (page name, module, path, title, order)
OPS_PAGES: tuple[tuple[str, str, str, str, int], ...] = (
    ("imports", "imports", "/data/import", N_("Import files"), 20),
    ("batches", "batches", "/data/batches", N_("Import batches"), 21),
    ("users", "users", "/admin/users", N_("Users"), 22),
    ("audit", "audit", "/admin/audit", N_("Audit trail"), 23),
)
OPS_TITLES = {path: title for _n, _m, path, title, _o in OPS_PAGES}  # English: shown through _()
PRODUCT = N_("CCTNS Progress Dashboard")


def page_title(title: str) -> Callable[..., str]:
    """The browser tab's title of a page, in the language of the request."""
    return lambda **_path: f"{_(title)} · {_(PRODUCT)}"


def register_pages() -> list[str]:
    """Register the pages (idempotent per process); returns their names."""
    registered: list[str] = []
    for name, module, path, title, order in (*PAGES, *OPS_PAGES):
        layout = page_layout(module)
        registered.append(name)
        kwargs: dict[str, Any] = {"path_template": path} if "<" in path else {"path": path}
        dash.register_page(
            name,
            name=title,
            title=page_title(title),
            order=order,
            layout=layout,
            **kwargs,
        )
    dash.register_page("not_found_404", path="/404", name="Not found", title=page_title(N_("Page not found")),
                       layout=not_found, order=99)
    return registered
