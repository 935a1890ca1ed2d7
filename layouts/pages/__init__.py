"""Register every page with Dash Pages: `layouts/<module>.py` provides `layout(**query)` for each."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html

# (page name, module under layouts/, path or path_template, title, order)
PAGES: tuple[tuple[str, str, str, str, int], ...] = (
    ("national", "national", "/", "National league table", 0),
    ("state", "state", "/state/<state_code>", "State", 1),
    ("district", "district", "/district/<district_code>", "District", 2),
    ("station", "station", "/station/<station_code>", "Police station", 3),
    ("lagging", "lagging", "/lagging", "Lagging stations", 4),
    ("methodology", "methodology", "/methodology", "Methodology", 5),
    ("data", "data", "/data", "Data", 6),
    ("present", "present", "/present", "Conference mode", 7),
    ("actions", "actions", "/actions", "Actions", 8),
    ("profile", "profile", "/profile", "Your profile", 9),
    ("flags", "flags", "/flags", "Data to verify", 10),
)


def page_layout(module: str) -> Callable[..., Any]:
    """`layouts.<module>.layout`."""
    return importlib.import_module(f"layouts.{module}").layout


def not_found(**_query: object) -> html.Div:
    return html.Div(
        [
            html.H1("Page not found", className="page-title"),
            html.P("There is no page at this address. It may have been mistyped, or the unit may no longer exist."),
            dbc.Button("Go to the national league table", href="/", color="primary"),
        ],
        className="not-found py-4",
    )


# operations in the browser (issue 16): (page name, module, path, title, order)
OPS_PAGES: tuple[tuple[str, str, str, str, int], ...] = (
    ("imports", "imports", "/data/import", "Import files", 20),
    ("batches", "batches", "/data/batches", "Import batches", 21),
    ("users", "users", "/admin/users", "Users", 22),
    ("audit", "audit", "/admin/audit", "Audit trail", 23),
)
OPS_TITLES = {path: title for _n, _m, path, title, _o in OPS_PAGES}


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
            title=f"{title} · CCTNS Progress Dashboard",
            order=order,
            layout=layout,
            **kwargs,
        )
    dash.register_page("not_found_404", path="/404", name="Not found", title="Not found · CCTNS Progress Dashboard",
                       layout=not_found, order=99)
    return registered
