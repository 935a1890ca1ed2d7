"""Shell callbacks: month picker <-> URL, links that carry the month, unit search, breadcrumb, footer,
theme. Also `follow_theme(app, *graph_ids)` for pages whose figures must follow the theme switch."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
from dash import ClientsideFunction, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from callbacks.common import cached_callback, engine, scope, valid_month
from dashboard.display import format_timestamp, provenance_words, scheme_name_text
from dashboard.i18n import N_, Translated
from dashboard.i18n import gettext as _
from layouts.components import keep_scheme, page_href, query_from_search
from layouts.pages import OPS_TITLES
from layouts.shell import NAV_ITEMS, account_menu, ids
from metrics.methodology import DEFAULT_SCHEME

LEVEL_PATH = {"state": "/state/", "district": "/district/", "station": "/station/"}
LEVEL_WORD = Translated({"state": N_("State/UT"), "district": N_("District"), "station": N_("Police station")})


def register(app: dash.Dash) -> None:
    app.callback(
        Output(ids.MONTH, "options"),
        Output(ids.MONTH, "value"),
        Output(ids.URL, "search"),
        Input(ids.URL, "search"),
        Input(ids.MONTH, "value"),
        State(ids.URL, "pathname"),
    )(sync_month)

    app.callback(
        Output(ids.SCHEME, "options"),
        Output(ids.SCHEME, "value"),
        Output(ids.URL, "search", allow_duplicate=True),
        Input(ids.PAGES_LOCATION, "search"),
        Input(ids.SCHEME, "value"),
        prevent_initial_call="initial_duplicate",
    )(sync_scheme)

    app.clientside_callback(
        ClientsideFunction("cctns_shell", "navHrefs"),
        [Output(nid, "href") for nid, _label, _href in NAV_ITEMS] + [Output(ids.BRAND, "href")],
        Input(ids.PAGES_LOCATION, "search"),
    )
    app.clientside_callback(
        ClientsideFunction("cctns_shell", "applyTheme"),
        Output(ids.THEME_SWITCH, "value"),
        Output(ids.THEME_STORE, "data"),
        Input(ids.THEME_SWITCH, "value"),
    )
    app.clientside_callback(
        ClientsideFunction("cctns_shell", "toggleNav"),
        Output(ids.NAV_COLLAPSE, "is_open"),
        Input(ids.NAV_TOGGLER, "n_clicks"),
        State(ids.NAV_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )
    cached_callback(
        app,
        Output(ids.SEARCH, "options"),
        Input(ids.SEARCH, "search_value"),
        State(ids.SEARCH, "value"),
        prevent_initial_call=True,
    )(search_options)
    app.callback(
        Output(ids.URL, "href"),
        Output(ids.SEARCH, "value"),
        Input(ids.SEARCH, "value"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )(search_go)
    cached_callback(
        app,
        Output(ids.BREADCRUMB, "children"),
        Input(ids.URL, "pathname"),
        Input(ids.PAGES_LOCATION, "search"),
        Input(ids.BREADCRUMB_STORE, "data"),
    )(breadcrumb)
    app.callback(
        Output(ids.LANGUAGE_RELOAD, "href"),
        Input(ids.LANGUAGE_SWITCH, "n_clicks"),
        State(ids.LANGUAGE_SWITCH, "value"),
        State(ids.URL, "href"),
        prevent_initial_call=True,
    )(switch_language)
    app.callback(
        Output(ids.FOOTER_AS_OF, "children"),
        Output(ids.FOOTER_VERSION, "children"),
        Output(ids.USER, "children"),
        Input(ids.PAGES_LOCATION, "search"),
    )(footer)


def follow_theme(app: dash.Dash, *graph_ids: str | dict) -> None:
    """Keep these dcc.Graph figures on the template of the current theme (a clientside swap of
    `layout.template`; no server round trip). Build figures with `apply_theme(fig, theme == "dark")`
    reading `State(shell.ids.THEME_STORE, "data")` so the first render is right too."""
    for gid in graph_ids:
        app.clientside_callback(
            ClientsideFunction("cctns_shell", "themeFigure"),
            Output(gid, "figure", allow_duplicate=True),
            Input(ids.THEME_STORE, "data"),
            State(gid, "figure"),
            State(ids.TEMPLATES, "data"),
            prevent_initial_call=True,
        )


# --- language ------------------------------------------------------------------------------------


def switch_language(n_clicks: int | None, language: str | None, href: str | None) -> str:
    """The navbar's switch (its `value` is the language it offers): save that language in the profile and
    the cookie, reload the same page (path, month, filters)."""
    from dashboard.i18n import clean_language
    from dashboard.web import language_href, remember_language

    target = clean_language(language)
    if not n_clicks or target is None:
        raise PreventUpdate
    remember_language(target, ctx.response)
    return language_href(href, target)


# --- month -----------------------------------------------------------------------------------------


def sync_month(search: str | None, picked: str | None, pathname: str | None = None) -> tuple[Any, Any, Any]:
    """URL -> picker (options, value); picker -> URL (`?month=`, other parameters kept). The months are those
    of the scheme in the URL, with our results or NCRB's published ones; provisional months
    are listed first as such; picking one, or picking anything on the provisional page, is
    callbacks.provisional.month_picked's (it opens the right page)."""
    from callbacks.provisional import picker_options
    from dashboard import read
    from layouts.provisional import PATH, PICKER_PREFIX

    scheme = query_scheme(search)
    picker = read.picker_months(engine(), scheme=scheme)
    months = picker["months"]
    provisional = read.provisional_months(engine(), scheme=scheme)
    options = picker_options(months, provisional)
    query = query_from_search(search)
    on_provisional = (pathname or "").rstrip("/") == PATH
    if ctx.triggered_id == ids.MONTH:
        month = valid_month(picked, months)
        if month is None or month == query.get("month") or on_provisional:
            raise PreventUpdate
        query["month"] = month
        return no_update, no_update, "?" + urlencode(query)
    if on_provisional:
        wanted = query.get("month")
        listed = [m["month"] for m in provisional]
        month = wanted if wanted in listed else (listed[0] if listed else None)
        return options, (PICKER_PREFIX + month) if month else None, no_update
    month = valid_month(query.get("month"), months) or _latest(picker)
    return options, month, no_update


def _latest(picker: dict[str, list[str]]) -> str | None:
    """The latest month with our results (else the latest NCRB published), from read.picker_months."""
    computed, months = picker["computed"], picker["months"]
    return computed[-1] if computed else (months[-1] if months else None)


def query_scheme(search: str | None) -> str:
    """The ranking scheme of a URL's query (`?scheme=icjs`), accepted only if stored; CCTNS otherwise."""
    from dashboard import read

    return read.valid_scheme(query_from_search(search).get("scheme"), read.scheme_ids(engine()))


def sync_scheme(search: str | None, picked: str | None) -> tuple[Any, Any, Any]:
    """URL -> scheme picker (options, value); picker -> URL (`?scheme=`, left out for CCTNS; the month and
    other parameters kept)."""
    from dashboard import read

    known = read.schemes(engine())
    options = [{"label": s["short"], "value": s["id"], "title": scheme_name_text(s)} for s in known]
    query = query_from_search(search)
    current = read.valid_scheme(query.get("scheme"), [s["id"] for s in known])
    if ctx.triggered_id == ids.SCHEME:
        scheme = read.valid_scheme(picked, [s["id"] for s in known])
        if scheme == current:
            raise PreventUpdate
        query.pop("scheme", None)
        if scheme != DEFAULT_SCHEME:
            query["scheme"] = scheme
        return no_update, no_update, ("?" + urlencode(query)) if query else ""
    return options, current, no_update


# --- search ----------------------------------------------------------------------------------------


def search_options(text: str | None, current: str | None) -> list[dict]:
    if not text or len(text.strip()) < 2:
        raise PreventUpdate
    from dashboard import read

    rows = read.search_units(engine(), text.strip()[:60], scope(), limit=10)
    options = [search_option(r) for r in rows]
    if current and all(o["value"] != current for o in options):
        options.insert(0, {"label": current, "value": current})
    return options


def search_option(row: dict) -> dict:
    level = str(row.get("level"))
    context = row.get("context") or row.get("district_name") or row.get("state_name") or ""
    label = f"{row.get('name')} · {LEVEL_WORD.get(level, level)}" + (f" · {context}" if context and
                                                                       context != "State/UT" else "")
    return {"label": label, "value": f"{level}:{row.get('code')}", "search": f"{row.get('name')} {row.get('code')}"}


def search_go(value: str | None, search: str | None) -> tuple[Any, Any]:
    if not value or ":" not in value:
        raise PreventUpdate
    level, code = value.split(":", 1)
    if level not in LEVEL_PATH or not code:
        raise PreventUpdate
    query = query_from_search(search)
    return page_href(LEVEL_PATH[level] + code, query.get("month"), scheme=_link_scheme(query)), None


def _link_scheme(query: dict[str, str]) -> str | None:
    """The URL's scheme for the links the shell writes (left out for CCTNS, and when it is not stored)."""
    if not query.get("scheme"):
        return None
    from dashboard import read

    scheme = read.valid_scheme(query.get("scheme"), read.scheme_ids(engine()))
    return None if scheme == DEFAULT_SCHEME else scheme


# --- breadcrumb and footer ----------------------------------------------------------------------------


def breadcrumb_items(pathname: str | None, month: str | None) -> list[dict]:
    """[{label, href}] for a path: National › State › District › Station (names from the database)."""
    items = [{"label": _("National"), "href": page_href("/", month)}]
    path = (pathname or "/").rstrip("/") or "/"
    parts = path.strip("/").split("/")
    if len(parts) == 2 and parts[0] in LEVEL_PATH:
        from dashboard import read

        level, code = parts
        info = read.unit_info(engine(), level, code)
        if info is None or (level == "station" and not scope().can_see_district(info["state_code"],
                                                                                 info["district_code"])):
            return [*items, {"label": code, "href": None}]  # a station outside the scope: not even its name
        if level in ("district", "station"):
            items.append({"label": info["state_name"], "href": page_href("/state/" + info["state_code"], month)})
        if level == "station":
            items.append({"label": info["district_name"],
                          "href": page_href("/district/" + info["district_code"], month)})
        items.append({"label": info["name"], "href": None})
    elif path in OPS_TITLES:  # operations pages (issue 16) sit under the data page or the account
        if path.startswith("/data/"):
            items.append({"label": _("Data"), "href": page_href("/data", month)})
        items.append({"label": _(OPS_TITLES[path]), "href": None})
    elif path != "/":
        titles = {"/lagging": N_("Lagging stations"), "/actions": N_("Actions"), "/methodology": N_("Methodology"),
                  "/data": N_("Data"), "/profile": N_("Your profile"), "/present": N_("Conference mode"),
                  "/provisional": N_("Provisional figures"),
                  "/flags": N_("Data to verify")}
        items.append({"label": _(titles.get(path, N_("Page not found"))), "href": None})
    else:
        items[0]["href"] = None
    return items


def render_breadcrumb(items: list[dict]) -> list[html.Li]:
    out = []
    for i, item in enumerate(items):
        last = i == len(items) - 1
        if item.get("href") and not last:
            from dash import dcc

            out.append(html.Li(dcc.Link(item["label"], href=item["href"]), className="breadcrumb-item"))
        else:
            out.append(html.Li(item["label"], className="breadcrumb-item active",
                               **({"aria-current": "page"} if last else {})))
    return out


def breadcrumb(pathname: str | None, search: str | None, store: dict | None) -> list[html.Li]:
    query = query_from_search(search)
    if isinstance(store, dict) and store.get("path") == pathname and isinstance(store.get("items"), list):
        return keep_scheme(render_breadcrumb(store["items"]), _link_scheme(query))
    return keep_scheme(render_breadcrumb(breadcrumb_items(pathname, query.get("month"))), _link_scheme(query))


def footer(search: str | None) -> tuple[str, str, Any]:
    from dashboard import read

    eng = engine()
    scheme = query_scheme(search)
    picker = read.picker_months(eng, scheme=scheme)
    month = valid_month(query_from_search(search).get("month"), picker["months"]) or _latest(picker)
    as_of = format_timestamp(read.data_as_of(eng))
    version = read.version_for(eng, month, scheme=scheme) if month else None
    try:
        from dashboard.web import current_user_session, may_import

        user = current_user_session()
    except Exception:  # noqa: BLE001 - no auth in this context: show nothing
        user = None
    label = f"{version.id} ({provenance_words(version)})" if version else "–"
    if user is None:
        return as_of, label, ""
    admin = user.is_admin and user.role in ("national", "state")
    return as_of, label, account_menu(user.username, may_import(user), admin)
