"""The assign dialog's callbacks: open it for the stations asked for (scope-checked; refused and audited
outside what the user may assign), preset the parameter with most marks at stake and the product's wording
of the fix, and save through `dashboard.actions.create_actions` (which checks everything again). Also the
lagging page's "Assign selected (n)" button.

The request store carries station codes only; names, stakes and the gap are read on the server."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import dash
import pandas as pd
from dash import ClientsideFunction, Input, Output, Patch, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from callbacks.common import engine, query_strings, scope, valid_month
from dashboard.display import action_words, format_indian, month_label, parameter_text
from dashboard.i18n import gettext as _
from dashboard.i18n import ngettext
from dashboard.scope import OutOfScope, Scope
from layouts.action_parts import OWNER_KIND_LABELS, refused
from layouts.assign import TOP, ids
from layouts.components import page_href
from layouts.lagging import ids as lagging_ids
from layouts.unit_parts import clean_code, simple_table
from metrics.methodology import DEFAULT_SCHEME, next_month

DUE_CHOICES = 6  # due months offered: the next month to be scored and the five after it
PREVIEW_ROWS = 12
HIDDEN = {"display": "none"}


@dataclass(frozen=True)
class Station:
    code: str
    name: str
    district_code: str
    district_name: str
    state_code: str


def register(app: dash.Dash) -> None:
    app.callback(
        [Output(i, p) for i, p in OPEN_OUTPUTS],
        Input(ids.REQUEST, "data"),
        prevent_initial_call=True,
    )(open_dialog)
    app.callback(
        Output(ids.TEXT, "value", allow_duplicate=True),
        Output(ids.PREVIEW, "children", allow_duplicate=True),
        Input(ids.PARAMETER, "value"),
        State(ids.CONTEXT, "data"),
        prevent_initial_call=True,
    )(pick_parameter)
    app.callback(
        Output(ids.MODAL, "is_open", allow_duplicate=True),
        Output(ids.ERROR, "children", allow_duplicate=True),
        Output(ids.RESULT, "is_open"),
        Output(ids.RESULT_BODY, "children"),
        Output(ids.CHANGED, "data"),
        Input(ids.SAVE, "n_clicks"),
        State(ids.CONTEXT, "data"),
        State(ids.PARAMETER, "value"),
        State(ids.TEXT, "value"),
        State(ids.OWNER, "value"),
        State(ids.DUE, "value"),
        State(ids.REVIEW_DATE, "value"),
        State(ids.FORUM, "value"),
        State(ids.CHANGED, "data"),
        prevent_initial_call=True,
    )(save)
    app.clientside_callback(
        ClientsideFunction("cctns_assign", "close"),
        Output(ids.MODAL, "is_open", allow_duplicate=True),
        Input(ids.CANCEL, "n_clicks"),
        prevent_initial_call=True,
    )
    # the lagging page: grid selection -> "Assign selected (n)"
    app.callback(
        Output(ids.REQUEST, "data", allow_duplicate=True),
        Input(lagging_ids.ASSIGN, "n_clicks"),
        State(lagging_ids.TABLE, "selectedRows"),
        State(lagging_ids.RESOLVED, "data"),
        prevent_initial_call=True,
    )(assign_selected)
    app.clientside_callback(  # assigned: the ticked rows are cleared, so they are not assigned twice
        ClientsideFunction("cctns_assign", "deselect"),
        Output(lagging_ids.TABLE, "deselectAll"),
        Input(ids.CHANGED, "data"),
        prevent_initial_call=True,
    )
    app.callback(
        Output(lagging_ids.ASSIGN, "children"),
        Output(lagging_ids.ASSIGN, "disabled"),
        Output(lagging_ids.ASSIGN_BOX, "style"),
        Output(lagging_ids.TABLE, "dashGridOptions"),
        Input(lagging_ids.RESOLVED, "data"),
        Input(lagging_ids.TABLE, "selectedRows"),
    )(selection_button)


OPEN_OUTPUTS: tuple[tuple[str, str], ...] = (
    (ids.MODAL, "is_open"), (ids.TITLE, "children"), (ids.UNITS, "children"), (ids.FIELDS, "style"),
    (ids.PARAMETER, "options"), (ids.PARAMETER, "value"), (ids.TEXT, "value"), (ids.PREVIEW, "children"),
    (ids.OWNER, "options"), (ids.OWNER, "value"), (ids.DUE, "options"), (ids.DUE, "value"),
    (ids.REVIEW_DATE, "value"), (ids.FORUM, "value"), (ids.ERROR, "children"), (ids.SAVE, "disabled"),
    (ids.CONTEXT, "data"),
)


# --- the request ------------------------------------------------------------------------------------------


def clean_request(raw: object, limit: int = 200) -> dict | None:
    """{"stations": [codes], "month": month | None, "scheme": scheme | None} from a client store; None when
    there is nothing usable (the scheme is checked against the stored ones where it is used)."""
    if not isinstance(raw, dict):
        return None
    stations = raw.get("stations")
    if isinstance(stations, str):
        stations = stations.split(",")
    if not isinstance(stations, list):
        return None
    codes = list(dict.fromkeys(c for c in (clean_code(s) for s in stations[: limit + 1]) if c))
    if not codes:
        return None
    q = query_strings(raw, ("month", "scheme"))
    return {"stations": codes[: limit + 1], "month": q["month"], "scheme": q["scheme"]}


def stations_of(codes: Sequence[str]) -> list[Station] | None:
    """The stations named, or None if any does not exist."""
    from dashboard import read

    out = []
    for code in codes:
        info = read.unit_info(engine(), "station", code)
        if info is None:
            return None
        out.append(Station(code, info["name"], info["district_code"], info["district_name"], info["state_code"]))
    return out


def denied(sc: Scope, stations: Sequence[Station]) -> list[Station]:
    return [s for s in stations if not sc.can_create_action("station", s.state_code, s.district_code)]


def refuse_out_of_scope(what: str) -> str:
    from dashboard.web import audit_request

    audit_request("scope_violation", what)
    return _("You may not assign actions for these police stations. The request has been recorded.")


def stakes_of(month: str, sc: Scope, stations: Sequence[Station], scheme: str = DEFAULT_SCHEME) -> pd.DataFrame:
    """Marks at stake of these stations (rule 11; lagging stations only), per district read (cached)."""
    from dashboard import read

    frames = []
    for (state, district) in sorted({(s.state_code, s.district_code) for s in stations}):
        df = read.unit_stakes(engine(), month, sc, state, district, scheme=scheme)
        if not df.empty:
            frames.append(df[df["station_code"].isin({s.code for s in stations})])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["station_code", "parameter", "parameter_name", "numerator", "denominator", "numerator_needed",
                 "at_stake_state", "at_stake_district"])


def wording(stake: dict | None, parameter: Any, name: str, sc: Scope) -> str:
    """The product's one wording of a fix (display.action_words), worth counted for the district for an SP
    and for the State otherwise; a generic line when the station has nothing at stake on the parameter."""
    if stake is None:
        return _("{parameter}: reach the target").format(parameter=name) if parameter is not None else ""
    worth = stake["at_stake_district"] if sc.role == "district" else stake["at_stake_state"]
    return action_words(parameter, name, int(stake["numerator"]), int(stake["denominator"]),
                        int(stake["numerator_needed"]), float(worth))


@dataclass(frozen=True)
class Plan:
    """What would be assigned to each station: (station, parameter id or None, preset wording)."""

    rows: list[tuple[Station, str | None, str]]


def plan(month: str, sc: Scope, stations: Sequence[Station], choice: str | None,
         scheme: str = DEFAULT_SCHEME) -> Plan:
    from dashboard import read

    version = read.version_for(engine(), month, scheme=scheme)
    params = {p.id: p for p in version.station_parameters} if version else {}
    stakes = stakes_of(month, sc, stations, scheme)
    by_station: dict[str, list[dict]] = {}
    for row in stakes.sort_values(["at_stake_state", "parameter"], ascending=[False, True]).to_dict("records"):
        by_station.setdefault(row["station_code"], []).append(row)
    rows = []
    for s in stations:
        mine = by_station.get(s.code, [])
        if choice in (None, TOP):
            pid = mine[0]["parameter"] if mine else _most_marks_lost(month, sc, s, params, scheme)
        else:
            pid = choice if choice in params else None
        stake = next((r for r in mine if r["parameter"] == pid), None)
        p = params.get(pid) if pid else None
        rows.append((s, pid, wording(stake, p, parameter_text(p), sc) if p else ""))
    return Plan(rows)


def _most_marks_lost(month: str, sc: Scope, station: Station, params: dict, scheme: str) -> str | None:
    """A station not lagging has no marks at stake (rule 11 counts lagging stations only): its preset is the
    parameter on which it lost most marks this month, if it lost any."""
    from dashboard import read

    values = read.station_params(engine(), month, station.code, sc, scheme=scheme)
    if values.empty or "marks_lost" not in values:
        return None
    lost = values[values["parameter"].isin(params) & (values["marks_lost"].fillna(0) > 0)]
    if lost.empty:
        return None
    return str(lost.sort_values(["marks_lost", "parameter"], ascending=[False, True]).iloc[0]["parameter"])


def parameter_options(month: str, sc: Scope, stations: Sequence[Station],
                      scheme: str = DEFAULT_SCHEME) -> list[dict]:
    """Parameters of the scheme with marks at stake at these stations first (most first), then the others."""
    from dashboard import read

    version = read.version_for(engine(), month, scheme=scheme)
    if version is None:
        return []
    stakes = stakes_of(month, sc, stations, scheme)
    totals = stakes.groupby("parameter")["at_stake_state"].sum().sort_values(ascending=False) if not \
        stakes.empty else pd.Series(dtype=float)
    names = {p.id: parameter_text(p) for p in version.station_parameters}
    first = [{"label": _("{parameter} (+{marks} at stake)").format(parameter=names.get(pid, pid), marks=f"{float(v):.3f}"),
              "value": pid}
             for pid, v in totals.items() if pid in names]
    rest = [{"label": parameter_text(p), "value": p.id} for p in version.station_parameters if p.id not in totals.index]
    top = [{"label": _("Each station's parameter with most marks at stake"), "value": TOP}] if len(stations) > 1 else []
    return top + first + rest


def owner_options(sc: Scope, state_code: str, district_codes: set[str], level: str = "station") -> list[dict]:
    """SP / SHO / State HQ, and the named, active users who can see every unit concerned."""
    from dashboard.web import list_users

    kinds = ["sp", "sho", "scrb"] if level == "station" else (["sp", "scrb"] if level == "district" else ["scrb"])
    out = [{"label": OWNER_KIND_LABELS[k], "value": k} for k in kinds]
    for u in list_users(engine()):
        if not u.active or u.role == "national" or u.state_code != state_code:
            continue
        if u.role == "district" and (len(district_codes) != 1 or u.district_code not in district_codes):
            continue
        out.append({"label": _("{user} (State)").format(user=u.username) if u.role == "state" else
                    _("{user} (district SP)").format(user=u.username),
                    "value": f"user:{u.username}"})
    return out


def owner_of(value: object) -> tuple[str, str | None]:
    """("sp" | "sho" | "scrb" | "user", username) from the owner dropdown (unknown values are passed on and
    refused by dashboard.actions)."""
    if isinstance(value, str) and value.startswith("user:"):
        return "user", value[5:]
    return (value if isinstance(value, str) else ""), None


def due_options(months_scored: list[str]) -> list[dict]:
    if not months_scored:
        return []
    out, m = [], months_scored[-1]
    for _step in range(DUE_CHOICES):
        m = next_month(m)
        out.append({"label": month_label(m), "value": m})
    return out


def preview(p: Plan) -> Any:
    """The stations and what each is asked to do (several stations)."""
    if len(p.rows) < 2:
        return None
    rows = [[s.name, s.district_name, text or html.Span(_("write the direction above"), className="text-danger")]
            for s, _pid, text in p.rows[:PREVIEW_ROWS]]
    more = len(p.rows) - PREVIEW_ROWS
    return html.Div([
        html.Div(_("Each station gets its own action. Leave the direction empty to use each one's wording below; "
                 "a direction typed above is given to every station."), className="form-text mb-1"),
        simple_table([_("Police station"), _("District"), _("Direction")], rows, class_name="assign-preview-table"),
        more > 0 and html.Div("… " + _("and {n} more").format(n=format_indian(more)),
                              className="small text-body-secondary"),
    ], className="mb-3")


def units_words(stations: Sequence[Station], month: str) -> Any:
    if len(stations) == 1:
        s = stations[0]
        return html.Div([html.Strong(s.name), ", " + _("{district} · gap as in {month}").format(
            district=s.district_name, month=month_label(month))])
    districts = sorted({s.district_name for s in stations})
    return html.Div([html.Strong(_("{n} police stations").format(n=format_indian(len(stations)))),
                     " " + _("in {districts} · gaps as in {month}").format(
                         districts=", ".join(districts[:4]) + (" …" if len(districts) > 4 else ""),
                         month=month_label(month))])


# --- callbacks ----------------------------------------------------------------------------------------------


def _closed_with(message: str) -> tuple:
    out = {k: no_update for k in OPEN_OUTPUTS}
    out.update({(ids.MODAL, "is_open"): True, (ids.TITLE, "children"): _("Assign an action"),
                (ids.UNITS, "children"): None, (ids.FIELDS, "style"): HIDDEN, (ids.PREVIEW, "children"): None,
                (ids.ERROR, "children"): refused(message), (ids.SAVE, "disabled"): True,
                (ids.CONTEXT, "data"): None})
    return tuple(out[k] for k in OPEN_OUTPUTS)


def open_dialog(request: Any) -> tuple:
    """Fill the dialog for the stations asked for, or say why not (outside the scope: audited)."""
    from dashboard import actions, read

    req = clean_request(request)
    if req is None:
        raise PreventUpdate
    eng, sc = engine(), scope()
    scheme = read.valid_scheme(req["scheme"], read.scheme_ids(eng))
    months = read.months(eng, scheme=scheme)
    month = valid_month(req["month"], months) or (months[-1] if months else None)
    stations = stations_of(req["stations"])
    if stations is None:
        return _closed_with(refuse_out_of_scope(f"assign: unknown station in {req['stations'][:5]}")
                            if sc.role != "national" else _("There is no such police station."))
    if denied(sc, stations):
        if sc.role == "national":
            refuse_out_of_scope(f"assign for stations {req['stations'][:5]} (national users are read-only)")
            return _closed_with(_("National users follow the actions but do not assign them: the State and its "
                                  "SPs do. The request has been recorded."))
        return _closed_with(refuse_out_of_scope(f"assign for stations {req['stations'][:5]}"))
    if month is None:
        return _closed_with(_("There is no scored month yet: import data first."))
    if len(stations) > actions.MAX_BATCH:
        return _closed_with(_("At most {n} actions at once: select fewer stations.").format(n=actions.MAX_BATCH))
    choice = TOP if len(stations) > 1 else None
    p = plan(month, sc, stations, choice, scheme)
    first_param = p.rows[0][1] if len(stations) == 1 else TOP
    text = p.rows[0][2] if len(stations) == 1 else ""
    options = parameter_options(month, sc, stations, scheme)
    owners = owner_options(sc, stations[0].state_code, {s.district_code for s in stations})
    with eng.connect() as conn:
        scored = actions.scored_months(conn)
    dues = due_options(scored)
    title = (_("Assign an action") if len(stations) == 1 else
             ngettext("Assign {n} action", "Assign {n} actions", len(stations)).format(n=len(stations)))
    out = {
        (ids.MODAL, "is_open"): True, (ids.TITLE, "children"): title,
        (ids.UNITS, "children"): units_words(stations, month), (ids.FIELDS, "style"): {},
        (ids.PARAMETER, "options"): options, (ids.PARAMETER, "value"): first_param,
        (ids.TEXT, "value"): text, (ids.PREVIEW, "children"): preview(p),
        (ids.OWNER, "options"): owners, (ids.OWNER, "value"): "sp",
        (ids.DUE, "options"): dues, (ids.DUE, "value"): dues[0]["value"] if dues else None,
        (ids.REVIEW_DATE, "value"): date.today().isoformat(),
        (ids.FORUM, "value"): "district_meeting" if sc.role == "district" else "state_review",
        (ids.ERROR, "children"): None, (ids.SAVE, "disabled"): False,
        (ids.CONTEXT, "data"): {"stations": [s.code for s in stations], "month": month, "scheme": scheme},
    }
    return tuple(out[k] for k in OPEN_OUTPUTS)


def _context(raw: Any) -> tuple[list[Station], str, str] | None:
    """(stations, month, scheme) of the open dialog."""
    from dashboard import read

    req = clean_request(raw)
    if req is None:
        return None
    scheme = read.valid_scheme(req["scheme"], read.scheme_ids(engine()))
    month = valid_month(req["month"], read.months(engine(), scheme=scheme))
    stations = stations_of(req["stations"])
    if month is None or stations is None:
        return None
    return stations, month, scheme


def pick_parameter(parameter: Any, context: Any) -> tuple:
    """Another parameter picked: its wording for one station, the list for several."""
    got = _context(context)
    if got is None:
        raise PreventUpdate
    stations, month, scheme = got
    sc = scope()
    if denied(sc, stations):
        raise PreventUpdate
    p = plan(month, sc, stations, parameter if isinstance(parameter, str) else None, scheme)
    if len(stations) == 1:
        return p.rows[0][2], None
    return no_update, preview(p)


def save(n_clicks: Any, context: Any, parameter: Any, text: Any, owner: Any, due: Any, review_date: Any,
         forum: Any, changed: Any) -> tuple:
    """Make the actions (all or nothing). Refusals stay in the dialog with nothing saved."""
    from dashboard import actions

    if not n_clicks:
        raise PreventUpdate
    got = _context(context)
    if got is None:
        return no_update, refused(_("Nothing to assign: close this dialog and pick the stations again.")), \
            no_update, no_update, no_update
    stations, month, scheme = got
    sc = scope()
    if denied(sc, stations):
        return no_update, refused(refuse_out_of_scope(f"assign (save) for stations {[s.code for s in stations][:5]}")), \
            no_update, no_update, no_update
    typed = text.strip() if isinstance(text, str) else ""
    p = plan(month, sc, stations, parameter if isinstance(parameter, str) else None, scheme)
    kind, user = owner_of(owner)
    items = [actions.NewAction("station", s.code, pid, typed or words, kind, user,
                               due if isinstance(due, str) else None,
                               review_date if isinstance(review_date, str) else None,
                               forum if isinstance(forum, str) else "", basis_month=month)
             for s, pid, words in p.rows]
    try:
        made = actions.create_actions(engine(), sc, items)
    except actions.ActionRefused as exc:
        return no_update, refused(_("Not saved: {why}.").format(why=exc)), no_update, no_update, no_update
    except OutOfScope:
        return no_update, refused(refuse_out_of_scope(f"assign (save) for stations {[s.code for s in stations][:5]}")), \
            no_update, no_update, no_update
    n = len(made)
    body = html.Div([
        html.Div(ngettext("{n} action assigned, due {month}.", "{n} actions assigned, due {month}.", n).format(
            n=format_indian(n), month=month_label(items[0].due_month or "")) if items[0].due_month else
            ngettext("{n} action assigned.", "{n} actions assigned.", n).format(n=format_indian(n))),
        dcc.Link(_("Open the actions →"), href=page_href("/actions", month, action=made[0] if n == 1 else None)),
    ])
    return False, None, True, body, (changed if isinstance(changed, int) else 0) + 1


# --- the lagging page's selection ---------------------------------------------------------------------------


def assign_selected(n_clicks: Any, selected: Any, resolved: Any) -> dict:
    """The grid's selected stations -> the dialog's request (the dialog checks the scope)."""
    if not n_clicks or not isinstance(selected, list):
        raise PreventUpdate
    codes = [r.get("station_code") for r in selected if isinstance(r, dict)]
    req = clean_request({"stations": codes, **query_strings(resolved, ("month", "scheme"))})
    if req is None:
        raise PreventUpdate
    return {**req, "at": int(n_clicks)}


MULTI = {"mode": "multiRow", "checkboxes": True, "headerCheckbox": True, "enableClickSelection": False}
SINGLE = {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}


def selection_button(resolved: Any, selected: Any) -> tuple:
    """"Assign selected (n)" for those who may assign in the list shown; checkboxes in the grid for them."""
    q = query_strings(resolved, ("state", "district"))
    sc = scope()
    allowed = q["state"] is not None and sc.role != "national" and (
        sc.can_create_action("station", q["state"], q["district"] or sc.district_code))
    n = len([r for r in selected if isinstance(r, dict)]) if isinstance(selected, list) else 0
    grid: Any = no_update
    if ctx.triggered_id == lagging_ids.RESOLVED or ctx.triggered_id is None:
        grid = Patch()
        grid["rowSelection"] = MULTI if allowed else SINGLE
    if not allowed:
        return _("Assign selected ({n})").format(n=0), True, HIDDEN, grid
    return _("Assign selected ({n})").format(n=n), n == 0, {}, grid
