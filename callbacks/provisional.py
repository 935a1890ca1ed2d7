"""Provisional figures page callbacks (issue 14), the shell's provisional notice on every page and the month
picker's provisional entries. Provisional numbers come only from `dashboard.read`'s provisional functions and
are always shown under the banner that says so."""

from __future__ import annotations

from datetime import UTC, date
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, html
from dash.exceptions import PreventUpdate

from callbacks import common
from dashboard.display import (
    fmt3,
    format_change_centi,
    format_date,
    format_indian,
    format_timestamp,
    is_missing,
    local_today,
    month_label,
    month_long,
    pct_text,
    ratio_text,
)
from dashboard.i18n import gettext as _
from dashboard.i18n import ngettext
from dashboard.scope import OutOfScope, Scope
from layouts.components import empty_state, kpi_card, page_href, query_from_search
from layouts.provisional import (
    DISTRICT_COLUMNS,
    LAGGING_HEADERS,
    PARAMS_HEADERS,
    PATH,
    PICKER_PREFIX,
    STATES_COLUMNS,
    TODO_HEADERS,
    clean_query,
    ids,
)
from layouts.shell import ids as shell_ids
from layouts.unit_parts import not_available, simple_table
from metrics.methodology import DEFAULT_SCHEME

HIDDEN = {"display": "none"}
SHOWN: dict[str, str] = {}
TODO_ROWS = 15
LAGGING_ROWS = 25
NOTICE_ID = shell_ids.PROVISIONAL_NOTICE

OUTPUTS = (
    (ids.TITLE, "children"), (ids.SUBTITLE, "children"), (ids.BANNER, "children"), (ids.KPIS, "children"),
    (ids.TODO, "children"), (ids.TODO_BOX, "style"), (ids.UNITS_TITLE, "children"), (ids.UNITS, "children"),
    (ids.UNITS_BOX, "style"), (ids.LAGGING, "children"), (ids.LAGGING_BOX, "style"), (ids.STATES, "children"),
    (ids.STATES_NOTE, "children"), (ids.DOWNLOADS, "children"), (ids.PARAMS, "children"), (ids.PARAMS_BOX, "style"),
)


def register(app: dash.Dash) -> None:
    # provisional figures are loaded by an import, which moves the results generation (the cache key)
    common.cached_callback(app, [Output(i, p) for i, p in OUTPUTS], Input(ids.QUERY, "data"))(update_page)
    common.cached_callback(
        app,
        Output(NOTICE_ID, "children"),
        Input(shell_ids.URL, "pathname"),
        Input(shell_ids.PAGES_LOCATION, "search"),  # not URL's: see layouts.shell.ids.PAGES_LOCATION
    )(shell_notice)
    app.callback(
        Output(shell_ids.URL, "href", allow_duplicate=True),
        Input(shell_ids.MONTH, "value"),
        State(shell_ids.URL, "pathname"),
        State(shell_ids.URL, "search"),
        prevent_initial_call=True,
    )(month_picked)


# --- words -------------------------------------------------------------------------------------------


def as_of_text(value: object) -> str:
    """A snapshot's load time (naive UTC datetime, Timestamp or ISO text) as "03 Dec 2026, 10:05 UTC"."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[arg-type]
        return "–"
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        ts = ts.tz_localize(UTC)
    return format_timestamp(ts.isoformat())


def cutoff_text(month: str, today: date, cutoff_day: int) -> tuple[str, str]:
    """("7 days", "cut-off 10 Dec 2026") — the count and the date, the past said as such."""
    from dashboard import read

    cutoff = read.cutoff_date(month, cutoff_day)
    days = read.days_to_cutoff(month, today, cutoff_day)
    when = _("cut-off {date}").format(date=format_date(cutoff))
    if days > 0:
        return ngettext("{n} day", "{n} days", days).format(n=days), when
    if days == 0:
        return _("today"), when
    return ngettext("passed {n} day ago", "passed {n} days ago", -days).format(n=-days), when


def figure_text(row: dict, month: str) -> str:
    if row.get("basis") == "provisional":
        return _("provisional {month}, as of {as_of}").format(month=month_label(month),
                                                             as_of=as_of_text(row.get("as_of")))
    if row.get("basis") == "final":
        return _("final {month}").format(month=month_label(row.get("figure_month")))
    return _("no figure")


def _records(df: pd.DataFrame | None) -> list[dict]:
    if df is None or df.empty:
        return []
    return df.astype(object).where(df.notna(), None).to_dict("records")


def state_rows(table: pd.DataFrame, month: str) -> list[dict]:
    rows = _records(table)
    ranks = [r["rank_national"] for r in rows]
    for r in rows:
        shared = r["rank_national"] is not None and ranks.count(r["rank_national"]) > 1
        r["rank_text"] = "–" if r["rank_national"] is None else f"{'=' if shared else ''}{r['rank_national']}"
        r["figure_text"] = figure_text(r, month)
        last = r.get("last_final_centi")
        r["change_text"] = (format_change_centi(int(r["score_centi"]) - int(last))
                            if r.get("basis") == "provisional" and last is not None and r["score_centi"] is not None
                            else "")
        r["reported_text"] = _reported(r.get("stations_reported"), r.get("stations_active"))
        r["as_of"] = None if r.get("as_of") is None else str(r["as_of"])
    return rows


def _reported(reported: object, active: object) -> str:
    if reported is None or active is None:
        return "–"
    return _("{done} of {total}").format(done=format_indian(int(reported)),  # type: ignore[call-overload]
                                         total=format_indian(int(active)))  # type: ignore[call-overload]


def _rank_of(rank: int, n: int) -> str:
    return _("{rank} of {n}").format(rank=rank, n=n)


def _grid(grid_id: str, rows: list[dict], columns: list[dict], row_id: str, page_size: int | None = None) -> Any:
    from layouts.components import league_grid

    long = page_size is not None and len(rows) > page_size
    return league_grid(grid_id, rows, columns, row_id=row_id, auto_height=True,
                       page_size=page_size if long else None, class_name="data-grid provisional-grid")


def banner(month: str, as_of: str, who: str, cutoff: tuple[str, str] | None) -> dbc.Alert:
    from layouts.provisional import text

    parts: list[Any] = [
        html.Div([html.Span(_("PROVISIONAL"), className="badge bg-warning text-dark me-2"),
                  html.Strong(text("banner_head").format(month=month_long(month), as_of=as_of))],
                 className="provisional-banner-head"),
        html.Div(text("banner_body").format(who=who), className="small mt-1"),
    ]
    if cutoff is not None:
        parts.append(html.Div(_("Days to the cut-off: {count} ({date}).").format(count=cutoff[0], date=cutoff[1]),
                              className="small fw-semibold"))
    return dbc.Alert(parts, color="warning", className="provisional-banner mb-3")


def _cutoff_tone(month: str) -> str | None:
    from dashboard import read

    return "bad" if read.days_to_cutoff(month, local_today(), _cutoff_day()) < 0 else None


def _cutoff_day() -> int:
    from flask import current_app

    settings = current_app.config.get("CCTNS_SETTINGS")
    return int(getattr(settings, "cutoff_day", 10) or 10)


# --- the page ------------------------------------------------------------------------------------------


def _empty(title: str, message: str, detail: str | None = None) -> tuple:
    box = empty_state(message, detail)
    return (title, "", None, [], None, HIDDEN, "", None, HIDDEN, None, HIDDEN, box, None, None, None, HIDDEN)


def _scheme(eng, wanted: str | None) -> tuple[str, str]:
    """The page's ranking scheme (accepted only if stored; CCTNS otherwise) and its short name."""
    from dashboard import read

    known = read.schemes(eng)
    scheme = read.valid_scheme(wanted, [k["id"] for k in known])
    return scheme, next((k["short"] for k in known if k["id"] == scheme), scheme)


def update_page(query: Any) -> tuple:
    from dashboard import read

    eng, sc = common.engine(), common.scope()
    q = clean_query(**common.query_strings(query, ("month", "state", "district", "scheme")))
    scheme, short = _scheme(eng, q["scheme"])
    months = read.provisional_months(eng, scheme=scheme)
    if not months:
        return _empty(_("Provisional figures"), _("No provisional figures are loaded"),
                      _("An SCRB operator loads the month being collected with `cctns import --provisional` or the "
                        "Import files page; until then every page shows final months only."))
    month = next((m["month"] for m in months if m["month"] == q["month"]), months[0]["month"])
    state, district = q["state"], q["district"]
    if district is None and state is None and sc.role == "district":
        state, district = sc.state_code, sc.district_code
    elif state is None and district is None and sc.role == "state":
        state = sc.state_code
    table = read.provisional_states_table(eng, month, sc, scheme=scheme)
    rows = state_rows(table, month)
    states_grid = _grid("provisional-states-grid", rows, STATES_COLUMNS, "state_code")
    n_prov = sum(r["basis"] == "provisional" for r in rows)
    final_months = sorted({r["figure_month"] for r in rows if r["basis"] == "final"})
    states_note = ngettext(
        "{n} State/UT with provisional figures for {month}; the others by their latest final month ({finals}).",
        "{n} States/UTs with provisional figures for {month}; the others by their latest final month ({finals}).",
        n_prov).format(n=n_prov, month=month_label(month),
                       finals=", ".join(month_label(m) for m in final_months) or "–")
    cutoff = cutoff_text(month, local_today(), _cutoff_day())
    downloads = _downloads(month, state, district, scheme)
    title = _("Provisional figures · {month}").format(month=month_label(month))
    try:
        if district is not None:
            return _district_level(eng, sc, month, district, cutoff, states_grid, states_note, downloads, scheme,
                                   short)
        if state is not None:
            return _state_level(eng, sc, month, state, cutoff, table, states_grid, states_note, downloads, scheme,
                                short)
    except OutOfScope:
        from dashboard.web import audit_request

        audit_request("scope_violation", f"provisional page {district or state}")
        return (title, month_label(month), None, [], not_available(_("these provisional figures")), SHOWN, "",
                None, HIDDEN, None, HIDDEN, states_grid, states_note, None, None, HIDDEN)
    latest = max((m for m in months if m["month"] == month), key=lambda m: m["states"])
    kpis = [
        kpi_card(_("States/UTs with provisional figures"), _rank_of(n_prov, len(rows)),
                 sub=", ".join(r["name"] for r in rows if r["basis"] == "provisional")[:120]),
        kpi_card(_("Latest load"), as_of_text(latest["as_of"])),
        kpi_card(_("Days to the cut-off"), cutoff[0], sub=cutoff[1], tone=_cutoff_tone(month)),
    ]
    return (title, _("{month} · national").format(month=month_long(month)) + f" · {short}",
            banner(month, as_of_text(latest["as_of"]), _("the SCRBs"), cutoff),
            [dbc.Col(c, xs=12, sm=6, lg=4) for c in kpis], None, HIDDEN, "", None, HIDDEN, None, HIDDEN,
            states_grid, states_note, downloads, None, HIDDEN)


def _state_level(eng, sc: Scope, month: str, state: str, cutoff, table: pd.DataFrame, states_grid, states_note,
                 downloads, scheme: str, short: str) -> tuple:
    from dashboard import read

    info = read.unit_info(eng, "state", state)
    if info is None:
        return _empty(_("Provisional figures"), _("No State/UT with code {code}").format(code=state))
    title = _("{name} · provisional").format(name=info["name"])
    head = read.provisional_headline(eng, month, state, sc, scheme=scheme)
    if head is None:
        last = table[table["state_code"] == state]
        figure = figure_text(last.iloc[0].to_dict(), month) if not last.empty else _("no figure")
        msg = empty_state(_("{name} has no provisional figures for {month}").format(name=info["name"],
                                                                                    month=month_label(month)),
                          _("Its figure below: {figure}.").format(figure=figure))
        return (title, month_long(month), None, [], msg, SHOWN, "", None, HIDDEN, None, HIDDEN, states_grid,
                states_note, downloads, None, HIDDEN)
    as_of = as_of_text(head["as_of"])
    kpis = _state_kpis(head, month, cutoff)
    units = todo = lagging = params = None
    units_style = todo_style = lagging_style = params_style = HIDDEN
    if sc.can_see_state_detail(state):
        params, params_style = _marks_lost_view(eng, sc, month, state, head.get("last_final_month"), scheme), SHOWN
        districts = read.provisional_districts(eng, month, state, sc, scheme=scheme)
        drows = _records(districts)
        for r in drows:
            r["last_final_text"] = "–" if r.get("last_final_centi") is None else f"{int(r['last_final_centi']) / 100:.2f}"
            r["reported_text"] = _reported(r.get("stations_reported"), r.get("stations_active"))
        units = _grid("provisional-districts-grid", drows, DISTRICT_COLUMNS, "district_code")
        units_style = SHOWN
    if sc.can_see_state_stations(state):
        todo, lagging = _todo_and_lagging(eng, sc, month, state, None, scheme)
        todo_style = lagging_style = SHOWN
    return (title, _("{month} · as of {as_of}").format(month=month_long(month), as_of=as_of) + f" · {short}",
            banner(month, as_of, _("the SCRB of {name}").format(name=info["name"]), cutoff), kpis, todo,
            todo_style, _("Districts of {name}, if the month closed today").format(name=info["name"]), units,
            units_style, lagging, lagging_style,
            states_grid, states_note, downloads, params, params_style)


def _state_kpis(head: dict, month: str, cutoff: tuple[str, str]) -> list:
    last, centi = head.get("last_final_centi"), head.get("score_centi")
    change = (_("{change} vs final {month}").format(change=format_change_centi(int(centi) - int(last)),
                                                      month=month_label(head.get("last_final_month")))
              if last is not None and centi is not None and not pd.isna(last) else _("no final month before"))
    rank = int(head["rank_national"])
    neighbours = []
    if head.get("above"):
        a = head["above"]
        neighbours.append(_("{gap} behind {name} ({figure})").format(gap=f"{a['gap']:.2f}", name=a["name"],
                                                                     figure=figure_text(a, month)))
    if head.get("below"):
        b = head["below"]
        neighbours.append(_("{gap} ahead of {name} ({figure})").format(gap=f"{b['gap']:.2f}", name=b["name"],
                                                                       figure=figure_text(b, month)))
    cards = [
        kpi_card(_("Provisional score"), head["score_display"], sub=change),
        kpi_card(_("Rank if the month closed today"), _rank_of(rank, head["states_ranked"]),
                 sub=_("against {final} States' latest final figures and {provisional} other provisional; "
                       "category rank {category}").format(final=head["others_final"],
                                                          provisional=head["others_provisional"],
                                                          category=head["rank_category"])),
        kpi_card(_("Stations reported so far"), _reported(head.get("stations_reported"), head.get("stations_active")),
                 sub="; ".join(neighbours) or None),
        kpi_card(_("Days to the cut-off"), cutoff[0], sub=cutoff[1], tone=_cutoff_tone(month)),
    ]
    return [dbc.Col(c, xs=12, sm=6, lg=3) for c in cards]


def _marks_lost_view(eng, sc: Scope, month: str, state: str, last_final_month: str | None, scheme: str) -> Any:
    """Where the provisional score loses marks, parameter by parameter (most first), beside the same
    parameter's marks lost in the State's last final month: the question asked in the room is which
    parameter to push before the cut-off."""
    from dashboard import read

    lost = read.provisional_marks_lost(eng, month, state, sc, scheme=scheme)
    before: dict[str, float] = {}
    if last_final_month:
        final = read.unit_params(eng, last_final_month, "state", state, scheme=scheme)
        before = {str(r["parameter"]): r["marks_lost"] for r in _records(final)}
    rows = []
    for r in _records(lost):
        applies = bool(r.get("applicable", True)) and not is_missing(r.get("marks_lost"))
        num, den = r.get("numerator"), r.get("denominator")
        counted = applies and not is_missing(den) and not is_missing(num)
        value = (html.Div([html.Div(pct_text(int(num), int(den))),
                           html.Div(ratio_text(num, den), className="small text-body-secondary")])
                 if counted else _("does not apply"))
        rows.append([r.get("parameter_name") or r["parameter"], value,
                     fmt3(r.get("marks_lost")) if applies else "–", fmt3(before.get(str(r["parameter"])))])
    if not rows:
        return empty_state(_("No parameter figures in this load"))
    final_header = (_("Marks lost, final {month}").format(month=month_label(last_final_month))
                    if last_final_month else _("Marks lost, last final month"))
    return simple_table([_(h) for h in PARAMS_HEADERS] + [final_header], rows, numeric=(1, 2, 3),
                        class_name="provisional-params")


def _todo_and_lagging(eng, sc: Scope, month: str, state: str, district: str | None,
                      scheme: str) -> tuple[Any, Any]:
    """Compact tables (they wrap, never cut a number, on a phone too): what still has to happen, then the
    lagging stations, each with its marks at stake."""
    from dashboard import read

    todo = read.still_to_happen(eng, month, sc, state, district, limit=TODO_ROWS, scheme=scheme)
    rows = [[html.Div([html.Div(r["station_name"], className="fw-semibold"),
                       html.Div(r["district_name"], className="small text-body-secondary")]),
             r["parameter_name"],
             _("{done} of {total}").format(done=format_indian(int(r["numerator"])),
                                           total=format_indian(int(r["denominator"]))),
             format_indian(int(r["records"])), f"+{float(r['at_stake']):.3f}"] for r in _records(todo)]
    todo_view = (simple_table([_(h) for h in TODO_HEADERS], rows, numeric=(2, 3, 4), class_name="provisional-todo")
                 if rows else empty_state(_("Nothing left to gain"),
                                          _("Every station is at its target on every parameter.")))
    lag = read.provisional_lagging(eng, month, sc, state, district, scheme=scheme)
    stake = "at_stake_state" if district is None else "at_stake_district"
    lrows = [[html.Div([html.Div(r["station_name"], className="fw-semibold"),
                        html.Div(r["district_name"], className="small text-body-secondary")]),
              r["score_display"], r["reasons"], f"+{float(r[stake]):.3f}"]
             for r in _records(lag.head(LAGGING_ROWS) if not lag.empty else lag)]
    lag_view = (simple_table([_(h) for h in LAGGING_HEADERS], lrows, numeric=(1, 3),
                             class_name="provisional-lagging") if lrows
                else empty_state(_("No lagging police station in the provisional figures")))
    if len(lag) > LAGGING_ROWS:
        lag_view = html.Div([lag_view, html.Div(_("The {n} with most marks at stake of {total}.").format(
            n=LAGGING_ROWS, total=len(lag)), className="graph-note mt-2")])
    return todo_view, lag_view


def _district_level(eng, sc: Scope, month: str, district: str, cutoff, states_grid, states_note,
                    downloads, scheme: str, short: str) -> tuple:
    from dashboard import read

    head = read.provisional_district(eng, month, district, sc, scheme=scheme)
    info = read.unit_info(eng, "district", district)
    if info is None:
        return _empty(_("Provisional figures"), _("No district with code {code}").format(code=district))
    title = _("{name} · provisional").format(name=info["name"])
    if head is None:
        msg = empty_state(_("{name} has no provisional figures for {month}").format(name=info["state_name"],
                                                                                    month=month_label(month)))
        return (title, month_long(month), None, [], msg, SHOWN, "", None, HIDDEN, None, HIDDEN, states_grid,
                states_note, downloads, None, HIDDEN)
    snap = read.provisional_snapshots(eng, month, scheme=scheme)
    as_of = as_of_text(snap[snap["state_code"] == head["state_code"]]["as_of"].iloc[0])
    cards = [
        kpi_card(_("Provisional score"), head["score_display"]),
        kpi_card(_("Rank in the State if the month closed today"),
                 "–" if head["rank_in_state"] is None else _rank_of(int(head["rank_in_state"]), head["districts"])),
        kpi_card(_("Stations reported so far"), _reported(head["stations_reported"], head["stations_active"])),
        kpi_card(_("Days to the cut-off"), cutoff[0], sub=cutoff[1], tone=_cutoff_tone(month)),
    ]
    todo, lagging = _todo_and_lagging(eng, sc, month, head["state_code"], district, scheme)
    subtitle = _("{state} · {month} · as of {as_of}").format(state=info["state_name"], month=month_long(month),
                                                             as_of=as_of)
    return (title, f"{subtitle} · {short}",
            banner(month, as_of, _("the SCRB of {name}").format(name=info["state_name"]), cutoff),
            [dbc.Col(c, xs=12, sm=6, lg=3) for c in cards], todo, SHOWN, "", None, HIDDEN, lagging, SHOWN,
            states_grid, states_note, downloads, None, HIDDEN)


def _downloads(month: str, state: str | None, district: str | None, scheme: str) -> Any:
    href = page_href("/download/provisional.csv", month, state=state, district=district,
                     scheme=None if scheme == DEFAULT_SCHEME else scheme)
    return html.A(_("CSV (provisional)"), href=href, className="btn btn-sm btn-outline-primary",
                  **{"download": ""})


# --- the shell: a notice on every page, the month picker --------------------------------------------------


def shell_notice(pathname: str | None, search: str | None) -> Any:
    """On every page but the provisional one: the month being collected has provisional figures in the
    page's ranking scheme (`?scheme=`) — a link to them for the unit on screen, in that scheme. Nothing when
    none are loaded."""
    from dashboard import read

    path = (pathname or "/").rstrip("/") or "/"
    if path == PATH or path.startswith(("/login", "/account", "/present")):
        return None
    eng = common.engine()
    scheme, _short = _scheme(eng, query_from_search(search).get("scheme"))
    months = read.provisional_months(eng, scheme=scheme)
    if not months:
        return None
    m = months[0]
    params: dict[str, str] = {} if scheme == DEFAULT_SCHEME else {"scheme": scheme}
    parts = path.strip("/").split("/")
    if len(parts) == 2 and parts[0] in ("state", "district", "station"):
        level, code = parts
        info = read.unit_info(eng, level, code)
        if info is not None:
            params["state"] = info["state_code"]
            if level in ("district", "station") and info.get("district_code", code):
                params["district"] = info.get("district_code") or code
    href = page_href(PATH, m["month"], **params)
    n = m["states"]
    days, when = cutoff_text(m["month"], local_today(), _cutoff_day())
    return dbc.Alert(
        [html.Span(_("PROVISIONAL"), className="badge bg-warning text-dark me-2"),
         html.Span(ngettext("{month} is being collected: provisional figures of {n} State/UT, as of {as_of}. ",
                            "{month} is being collected: provisional figures of {n} States/UTs, as of {as_of}. ",
                            n).format(month=month_long(m["month"]), n=n, as_of=as_of_text(m["as_of"]))),
         html.Span(f"{_('Days to the cut-off')}: {days} ({when}). ", className="provisional-cutoff"),
         dash.dcc.Link(_("See them, clearly marked"), href=href, className="alert-link")],
        color="warning", className="provisional-notice py-2 px-3 mb-3 small")


def picker_options(final_months: list[str], provisional: list[dict]) -> list[dict]:
    """The month picker: provisional months first, labelled as such, then the final months."""
    prov = [{"label": _("{month} · provisional").format(month=month_label(m["month"])),
             "value": PICKER_PREFIX + m["month"]}
            for m in provisional]
    return prov + [{"label": month_label(m), "value": m} for m in reversed(final_months)]


def month_picked(value: Any, pathname: str | None, search: str | None) -> Any:
    """A provisional month picked anywhere opens the provisional page for the unit on screen; a final month
    picked on the provisional page opens the final page of the unit it shows."""
    path = (pathname or "/").rstrip("/") or "/"
    query = query_from_search(search)
    if isinstance(value, str) and value.startswith(PICKER_PREFIX):
        month = value[len(PICKER_PREFIX):]
        if path == PATH and query.get("month") == month:
            raise PreventUpdate
        params = {k: v for k, v in query.items() if k in ("state", "district", "scheme")}
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] in ("state", "district"):
            params[parts[0]] = parts[1]
        return page_href(PATH, month, **params)
    if path == PATH and isinstance(value, str) and value:
        scheme = query.get("scheme")
        if query.get("district"):
            return page_href(f"/district/{query['district']}", value, scheme=scheme)
        if query.get("state"):
            return page_href(f"/state/{query['state']}", value, scheme=scheme)
        return page_href("/", value, scheme=scheme)
    raise PreventUpdate

