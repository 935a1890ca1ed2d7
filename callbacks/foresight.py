"""Looking ahead on the pages: the national "Next month, estimated" card, the State headline's projection and
flag count, the district's flag count, and the data-to-verify page with its verify / dismiss step. Thin:
validate, ask dashboard.foresight (projections and flags are stored at import, never computed here)."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, html
from dash.exceptions import PreventUpdate

from callbacks import common
from callbacks.common import query_strings, valid_month
from callbacks.unit_common import keeps_scheme, query_scheme, resolve
from dashboard.display import (
    FLAG_RULE_WORDS,
    FLAG_STATUS_WORDS,
    PROJECTION_LABEL,
    backtest_text,
    flag_evidence_text,
    format_indian,
    format_score,
    month_label,
    probability_text,
    projection_headline,
    rank_range_text,
)
from dashboard.i18n import gettext as _
from dashboard.i18n import ngettext
from dashboard.scope import OutOfScope
from layouts import flags as flags_page
from layouts.components import category_for_tab, page_href
from layouts.foresight import ids, projection_table
from layouts.national import ids as national_ids
from metrics.methodology import DEFAULT_SCHEME

MAX_ROWS = 2000  # the flags grid pages through at most this many rows
MAX_ANSWER_BYTES = 130_000  # and its rows stay under this (JSON): every answer ≤ 150 KB (issue 15); a national
# month's 600-700 flags are ~225 KB in English, ~310 KB in Hindi, and a reviewed flag carries its reason


def register(app: dash.Dash) -> None:
    # projections and flags are stored at import (the results generation keys them); flag counts and lists
    # also move when a flag is verified or dismissed (`flags=True`: the reviews' stamp is in the key)
    common.cached_callback(app, Output(ids.NATIONAL_TABLE_DATA, "data"), Output(ids.NATIONAL_NOTE, "children"),
                           Input(national_ids.QUERY, "data"))(update_national)
    common.draw_plain_table(app, ids.NATIONAL_TABLE)
    common.cached_callback(app, Output(ids.STATE, "children"), Input("state-query", "data"), flags=True)(update_state)
    common.cached_callback(app, Output(ids.DISTRICT, "children"), Input("district-query", "data"),
                           flags=True)(update_district)
    fp = flags_page.ids
    common.cached_callback(app, Output(fp.TABLE, "rowData"), Output(fp.SUMMARY, "children"),
                           Output(fp.SUBTITLE, "children"), Input(fp.QUERY, "data"), Input(fp.STATUS, "value"),
                           Input(fp.DONE, "data"), flags=True)(update_flags)
    app.callback(Output(fp.SELECTED, "children"), Output(fp.SUBMIT, "disabled"),
                 Input(fp.TABLE, "selectedRows"))(select_flag)
    app.callback(Output(fp.MESSAGE, "children"), Output(fp.DONE, "data"), Output(fp.REASON, "value"),
                 Input(fp.SUBMIT, "n_clicks"), State(fp.TABLE, "selectedRows"), State(fp.DECISION, "value"),
                 State(fp.REASON, "value"), State(fp.DONE, "data"), prevent_initial_call=True)(record_decision)


# --- projection -------------------------------------------------------------------------------------------


def projection_rows(table) -> list[dict]:
    rows = []
    for r in table.to_dict("records"):
        rows.append({
            "state_code": r["state_code"], "name": r["name"], "rank_now": int(r["rank_now"]),
            "rank_median": int(r["rank_median"]), "range_text": rank_range_text(r["rank_low"], r["rank_high"]),
            "p_first": r["p_first"], "p_first_text": probability_text(r["p_first"]),
            "p_top5": r["p_top5"], "p_top5_text": probability_text(r["p_top5"]),
            "p_improve": r["p_improve"], "p_improve_text": probability_text(r["p_improve"]),
            "score_median": r["score_median"],
            "score_text": format_score(r["score_median"]),
            "score_range_text": f"{format_score(r['score_low'])}–{format_score(r['score_high'])}",
        })
    return rows


def backtest_note(bt: dict | None) -> list:
    if bt is None:
        return [html.Span(_("Not enough months yet to check the projection against what happened."))]
    held, compare = backtest_text(bt["coverage"], bt["checks"], bt["mae_model"], bt["mae_carry"], len(bt["months"]))
    return [html.Span(held), " ", html.Strong(compare) if compare and not bt["model_better"] else html.Span(compare)]


@keeps_scheme
def update_national(query: Any):
    from dashboard import foresight, read

    eng = common.engine()
    scheme = query_scheme(query)
    months = read.months(eng, scheme=scheme)
    q = query_strings(query, ("month", "category"))
    month = valid_month(q["month"], months) or (months[-1] if months else None)
    if month is None:
        return projection_table([]), ""
    table = foresight.projection(eng, month, scheme)
    if table.empty:
        return projection_table([]), [html.Span(_("Not enough months of results yet to project the next month."))]
    category = category_for_tab(q["category"])
    if category:
        codes = set(read.states_table(eng, month, category, scheme=scheme)["state_code"])
        table = table[table["state_code"].isin(codes)]
    note = [html.Span(_("From the results of {month}, for the month after. Ranks are all-India.").format(
        month=month_label(month)) + " "),
            *backtest_note(foresight.projection_backtest(eng, month, scheme))]
    return projection_table(projection_rows(table)), note


def flag_link(count: int, month: str, **where: str) -> Any:
    if not count:
        return html.Span(_("No figures need verification this month."), className="text-body-secondary")
    words = ngettext("{n} figure needs verification", "{n} figures need verification", count).format(
        n=format_indian(count))
    return dbc.Button(words, href=page_href("/flags", month, **where), color="warning", outline=True, size="sm")


@keeps_scheme
def update_state(query: Any):
    from dashboard import foresight

    code, month = resolve(query, "state_code")
    if not code or month is None:
        return None
    eng = common.engine()
    user = common.scope()
    parts: list[Any] = []
    p = foresight.state_projection(eng, month, code, query_scheme(query))
    if p is not None:
        parts.append(html.Div([
            dbc.Badge(_(PROJECTION_LABEL), color="info", text_color="dark", className="me-2"),
            html.Strong(projection_headline(p["rank_low"], p["rank_high"], p["p_first"])),
            html.Span(" · " + _("P(top 5) {top5} · P(rank improves) {improve} · likely score {score}").format(
                top5=probability_text(p["p_top5"]), improve=probability_text(p["p_improve"]),
                score=format_score(p["score_median"])), className="text-body-secondary"),
            " ", dbc.Button(_("How this is estimated"), href=page_href("/", month) + "#national-projection-table",
                            color="link", size="sm", className="p-0 align-baseline"),
        ], className="projection-line mb-1"))
    if user.can_see_state_detail(code):
        try:
            count = foresight.flag_count(eng, month, user, code)
        except OutOfScope:
            count = 0
        where = {"state": code} if user.role != "district" else {"district": user.district_code or ""}
        parts.append(html.Div(flag_link(count, month, **where), className="flag-count"))
    return parts or None


@keeps_scheme
def update_district(query: Any):
    from dashboard import foresight, read

    code, month = resolve(query, "district_code")
    if not code or month is None:
        return None
    eng = common.engine()
    user = common.scope()
    info = read.unit_info(eng, "district", code)
    if info is None or not user.can_see_district(info["state_code"], code):
        return None
    count = foresight.flag_count(eng, month, user, info["state_code"], code)
    return html.Div(flag_link(count, month, district=code), className="flag-count")


# --- the flags page ---------------------------------------------------------------------------------------


def _unit_text(r: dict) -> str:
    if r["level"] == "state":
        return _("{name} (State/UT)").format(name=r["unit_name"])
    if r["level"] == "district":
        return _("{district} district, {state}").format(district=r["unit_name"], state=r["state_name"])
    return f"{r['unit_name']} ({r['unit_code']}), {r['district_name']}, {r['state_name']}"


def flag_rows(table, names: dict[str, str], budget: int = MAX_ANSWER_BYTES) -> list[dict]:
    """The grid's rows, in the table's order, as many as fit in `budget` bytes of JSON (and MAX_ROWS)."""
    import orjson

    rows: list[dict] = []
    size = 0
    for r in table.head(MAX_ROWS).to_dict("records"):
        status = FLAG_STATUS_WORDS.get(r["status"], r["status"])
        if r["status"] != "open":
            status = _("{status} by {user}: {reason}").format(status=status, user=r["decided_by"], reason=r["reason"])
        rows.append({
            "id": int(r["id"]), "unit_text": _unit_text(r),
            "parameter_text": _("Every parameter") if r["parameter"] == "*" else names.get(r["parameter"], r["parameter"]),
            "rule_text": FLAG_RULE_WORDS.get(r["rule"], r["rule"]),
            "evidence_text": flag_evidence_text(r["rule"], r["evidence"]),
            "status_text": status, "status": r["status"],
        })
        size += len(orjson.dumps(rows[-1])) + 1
        if size > budget:
            rows.pop()
            break
    return rows


def parameter_names(eng, month: str) -> dict[str, str]:
    """Every ranking scheme's parameter names in force in `month` (flags cover every scheme's parameters;
    ids are unique across schemes), another scheme's than CCTNS's followed by its short name."""
    from dashboard import read

    names: dict[str, str] = {}
    for scheme in read.schemes(eng):
        version = read.version_for(eng, month, scheme=scheme["id"])
        for p in version.parameters if version else ():
            names[p.id] = p.name if scheme["id"] == DEFAULT_SCHEME else f"{p.name} ({scheme['short']})"
    return names


@keeps_scheme
def update_flags(query: Any, status: Any, _done: Any):
    from dashboard import foresight, read

    eng = common.engine()
    months = read.months(eng)
    q = query_strings(query, ("month", "state", "district"))
    month = valid_month(q["month"], months) or (months[-1] if months else None)
    if month is None:
        return [], _("No results yet."), ""
    status = flags_page.clean_status(status)
    user = common.scope()
    try:
        table = foresight.flags(eng, month, user, q["state"], q["district"], None if status == "all" else status)
    except OutOfScope:
        from dashboard.web import audit_request

        audit_request("scope_violation", f"data flags of {q['district'] or q['state']}")
        return [], html.Span(_("These figures are outside what you may see."), className="text-danger"), month_label(month)
    rows = flag_rows(table, parameter_names(eng, month))
    where = _where_name(q["state"], q["district"]) or (_("your scope") if user.role != "national"
                                                        else _("all States/UTs"))
    label = FLAG_STATUS_WORDS[status] if status != "all" else _("any status")
    summary = ngettext("{n} flag: {status}", "{n} flags: {status}", len(table)).format(
        n=format_indian(len(table)), status=label.lower()) + f" · {where} · {month_label(month)}"
    if len(rows) < len(table):
        summary += " " + _("(the first {n} listed; pick a State to see the rest)").format(n=format_indian(len(rows)))
    return rows, summary, f"{where} · {month_label(month)}"


def _where_name(state: str | None, district: str | None) -> str | None:
    from dashboard import read

    level, code = ("district", district) if district else ("state", state)
    if not code:
        return None
    info = read.unit_info(common.engine(), level, code)
    if info is None:
        return code
    return (_("{district} district, {state}").format(district=info["name"], state=info["state_name"])
            if level == "district" else info["name"])


def select_flag(selected: Any):
    if not isinstance(selected, list) or not selected or not isinstance(selected[0], dict):
        return _("Select a flag in the table above."), True
    r = selected[0]
    return [html.Strong(str(r.get("unit_text", ""))), " · ", str(r.get("parameter_text", "")), " · ",
            str(r.get("rule_text", ""))], False


def record_decision(n_clicks: Any, selected: Any, decision: Any, reason: Any, done: Any):
    from flask import request

    from dashboard import foresight
    from dashboard.web import audit_request, current_username

    if not n_clicks:
        raise PreventUpdate
    if not isinstance(selected, list) or not selected or not isinstance(selected[0], dict):
        return html.Span(_("Select a flag first."), className="text-danger"), dash.no_update, dash.no_update
    try:
        flag_id = int(selected[0].get("id"))
    except (TypeError, ValueError):
        raise PreventUpdate from None
    decision = decision if decision in foresight.DECISIONS else None
    if decision is None:
        return html.Span(_("Choose verified or dismiss."), className="text-danger"), dash.no_update, dash.no_update
    user = common.scope()
    try:
        foresight.review_flag(common.engine(), flag_id, decision, reason if isinstance(reason, str) else "", user,
                              current_username(), request.remote_addr or "")
    except foresight.FlagReviewRefused as exc:
        return html.Span(str(exc), className="text-danger"), dash.no_update, dash.no_update
    except OutOfScope:
        audit_request("scope_violation", f"data flag {flag_id}")
        return html.Span(_("You may not decide on this flag."), className="text-danger"), dash.no_update, dash.no_update
    done_words = (_("Recorded: verified. The decision is kept with its reason.") if decision == "verified"
                  else _("Recorded: dismissed. The decision is kept with its reason."))
    return (html.Span(done_words, className="text-success"),
            (done if isinstance(done, int) else 0) + 1, "")
