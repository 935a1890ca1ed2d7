"""Pure builders shared by the State, district and station pages (no I/O): URL cleaning, the
"not available" notice, shortfalls in words, small tables."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from layouts.components import empty_state, page_href
from metrics.methodology import is_month

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,23}$")

NOT_AVAILABLE = N_("Not available for your account")


def clean_scheme(value: object) -> str | None:
    """A well-formed scheme id from the URL (callbacks check it is stored), else None (CCTNS)."""
    from metrics.methodology import SCHEME_ID_RE

    return value if isinstance(value, str) and SCHEME_ID_RE.match(value) else None


def clean_code(value: object) -> str | None:
    """A unit code from the URL (letters, digits, '-', '_'; at most 24), upper-cased; else None."""
    return value.upper() if isinstance(value, str) and _CODE.match(value) else None


def clean_month(value: object) -> str | None:
    return value if isinstance(value, str) and is_month(value) else None


def not_available(what: str = N_("this information"), href: str | None = None, link_text: str = "") -> html.Div:
    """The message a user outside scope sees instead of data."""
    return html.Div(
        [
            html.Div(_(NOT_AVAILABLE), className="fw-semibold"),
            html.Div(_("Your account may not see {what}.").format(what=_(what)), className="small text-body-secondary"),
            href and dcc.Link(link_text or _("Go to your own page"), href=href, className="small"),
        ],
        className="empty-state not-available",
        role="status",
    )


def unknown_unit(kind: str, code: str | None) -> html.Div:
    return empty_state(_("No {kind} with code {code}").format(kind=kind, code=repr(code)) if code
                       else _("No {kind} given").format(kind=kind),
                       _("Check the address, or find the unit with the search box."))


# --- shortfalls in words ------------------------------------------------------------------------------


# --- small tables -------------------------------------------------------------------------------------


def simple_table(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, numeric: Sequence[int] = (),
                 caption: str | None = None, class_name: str = "", row_classes: Sequence[str] | None = None,
                 ) -> html.Div:
    """A compact, accessible Bootstrap table (numbers right-aligned) that never scrolls the page sideways."""
    num = set(numeric)
    head = html.Thead(html.Tr([html.Th(h, scope="col", className="text-end" if i in num else None)
                               for i, h in enumerate(header)]))
    body_rows = []
    for k, r in enumerate(rows):
        cls = row_classes[k] if row_classes and k < len(row_classes) else None
        body_rows.append(html.Tr([html.Td(c, className="text-end" if i in num else None) for i, c in enumerate(r)],
                                 className=cls))
    table = dbc.Table([head, html.Tbody(body_rows)] if not caption else
                      [html.Caption(caption), head, html.Tbody(body_rows)],
                      size="sm", hover=True, className=f"unit-table mb-0 {class_name}".strip())
    return html.Div(table, className="table-responsive-x")


def unit_link(level: str, code: str, name: str, month: str | None) -> dcc.Link:
    return dcc.Link(name, href=page_href(f"/{level}/{code}", month))


def not_reported_badge() -> html.Span:
    return html.Span(_("Not reported"), className="badge text-bg-warning not-reported-badge",
                     title=_("No figures received for this month: imputed under rule 3, not a real score"))
