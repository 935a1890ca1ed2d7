"""Helpers shared by the State, district and station page callbacks (not a page: no register())."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from dash import ctx
from dash.exceptions import PreventUpdate

from callbacks import common
from callbacks.common import query_strings, valid_month
from layouts.components import keep_scheme, page_href
from layouts.unit_parts import clean_code


def query_scheme(query: Any) -> str:
    """The page's ranking scheme (`scheme` in its query store), accepted only if stored; CCTNS otherwise."""
    from dashboard import read

    return read.valid_scheme(query_strings(query, ("scheme",))["scheme"], read.scheme_ids(common.engine()))


def scheme_param(scheme: str) -> str | None:
    """The scheme as a link parameter (left out for the default, CCTNS)."""
    return None if scheme == "cctns" else scheme


def keeps_scheme(update: Callable[..., Any]) -> Callable[..., Any]:
    """A page callback whose first input is the page's query store, made to keep that query's ranking
    scheme in every internal link it outputs (`layouts.components.keep_scheme`): drill-downs, buttons,
    unit links and "open the full list" links of an ICJS page stay on ICJS."""
    @functools.wraps(update)
    def wrapper(query: Any, *args: Any, **kwargs: Any) -> Any:
        return keep_scheme(update(query, *args, **kwargs), scheme_param(query_scheme(query)))

    return wrapper


def resolve(query: Any, code_key: str) -> tuple[str | None, str | None]:
    """(unit code, month) from a page's query store; the month falls back to the latest with results of the
    page's scheme."""
    from dashboard import read

    q = query_strings(query, ("month", code_key))
    months = read.months(common.engine(), scheme=query_scheme(query))
    month = valid_month(q["month"], months) or (months[-1] if months else None)
    return clean_code(q[code_key]), month


def point_code(click: Any) -> str | None:
    """The unit code of a clicked plotly point (customdata[0] or customdata)."""
    if not isinstance(click, dict):
        return None
    points = click.get("points") or []
    if not points or not isinstance(points[0], dict):
        return None
    cd = points[0].get("customdata")
    if isinstance(cd, list) and cd:
        cd = cd[0]
    return cd if isinstance(cd, str) else None


def drill_href(level: str, selected: Any, click: Any, grid_id: str, field: str, query: Any) -> str:
    """The URL of the unit picked in a grid (selectedRows) or a heat-map (clickData), carrying the month."""
    code = None
    if ctx.triggered_id == grid_id and isinstance(selected, list) and selected and isinstance(selected[0], dict):
        code = selected[0].get(field)
    elif ctx.triggered_id != grid_id:
        code = point_code(click)
    code = clean_code(code)
    if code is None:
        raise PreventUpdate
    return page_href(f"/{level}/{code}", query_strings(query, ("month",))["month"],
                     scheme=scheme_param(query_scheme(query)))


def themed(fig: dict, dark: bool) -> dict:
    """A figure spec (layouts.figures `*_spec`) as dcc.Graph JSON on the theme's template (no validation)."""
    from layouts.figures import themed as themed_json

    return themed_json(fig, dark)


def empty_fig(dark: bool, message: str | None = None) -> dict:
    from layouts.figures import empty_figure_spec

    return themed(empty_figure_spec(message) if message else empty_figure_spec(), dark)
