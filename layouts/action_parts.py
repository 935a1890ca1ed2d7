"""The review loop in words and small components, shared by the actions page, the assign dialog and the
State, district and station panels (pure: rows of `dashboard.actions.list_actions` in, text and Dash
components out; no I/O). Every text a person typed (the direction, comments, reasons) goes in as a
plain string child, which Dash renders as text, never as markup."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.display import (
    FORUM_WORDS,
    MISSING,
    format_date,
    format_indian,
    format_timestamp,
    is_missing,
    month_label,
    pct_text,
)
from dashboard.i18n import N_, Translated, ngettext
from dashboard.i18n import gettext as _
from layouts.components import empty_state, page_href
from layouts.unit_parts import simple_table

# the one wording of outcomes, statuses and forums (dashboard.display), capitalised for labels and badges
OUTCOME_LABELS = Translated({"pending": N_("Pending"), "met": N_("Met"), "partly_met": N_("Partly met"),
                             "not_met": N_("Not met"), "no_data": N_("Not met (no data)"),
                             "unit_closed": N_("Cannot be judged (station closed)"),
                             "parameter_dropped": N_("Cannot be judged (parameter dropped)"),
                             "not_applicable": N_("Cannot be judged (no cases)")})
OUTCOME_TONES: dict[str, str] = {"met": "success", "partly_met": "warning", "not_met": "danger",
                                 "no_data": "danger", "pending": "secondary"}
STATUS_LABELS = Translated({"open": N_("Open"), "done": N_("Done"), "dropped": N_("Dropped"),
                            "escalated": N_("Escalated")})
STATUS_TONES: dict[str, str] = {"open": "primary", "done": "success", "dropped": "secondary", "escalated": "danger"}
FORUM_LABELS = FORUM_WORDS
OWNER_KIND_LABELS = Translated({"sp": N_("SP of the district"), "sho": N_("SHO of the police station"),
                                "scrb": N_("State HQ (SCRB)")})
EVENT_LABELS = Translated({"action_create": N_("Assigned"), "action_update": N_("Changed"),
                           "action_comment": N_("Commented"), "action_evaluate": N_("Judged by the data")})
FIELD_LABELS = Translated({"status": N_("status"), "status_reason": N_("reason"), "text": N_("direction"),
                           "owner_kind": N_("owner"), "owner_user": N_("owner"), "due_month": N_("due month"),
                           "outcome": N_("outcome"), "current_due_month": N_("now due"),
                           "carry_cycles": N_("carried over")})


def _int(value: object) -> int | None:
    return None if is_missing(value) else int(value)  # type: ignore[arg-type]


def gap_text(numerator: object, denominator: object, value: object = None, has_parameter: bool = True) -> str:
    """ "12 of 40, 30.0%"; a station's score without a parameter; "no data" when there is none."""
    num, den = _int(numerator), _int(denominator)
    if num is not None and den is not None and den > 0:
        return _("{num} of {den}").format(num=format_indian(num), den=format_indian(den)) + f", {pct_text(num, den)}"
    if is_missing(value):
        return _("no data")
    return (f"{float(value):.1f}%" if has_parameter  # type: ignore[arg-type]
            else _("score {score}").format(score=f"{float(value):.2f}"))  # type: ignore[arg-type]


def due_text(row: Mapping[str, Any]) -> str:
    """ "Jul 2025", or "Jul 2025 · carried over 1× (now Aug 2025)"."""
    text = month_label(str(row.get("due_month") or "")) or MISSING
    cycles = _int(row.get("carry_cycles")) or 0
    if cycles:
        text += " · " + _("carried over {n}×").format(n=cycles)
        current = row.get("current_due_month")
        if current and current != row.get("due_month"):
            text += " (" + _("now {month}").format(month=month_label(str(current))) + ")"
    return text


def data_text(row: Mapping[str, Any]) -> str:
    """What the data shows: "Met: 38 of 40, 95.0% (Jul 2025)", "Pending: Jul 2025 not scored yet"."""
    outcome = str(row.get("outcome") or "pending")
    label = OUTCOME_LABELS.get(outcome, outcome)
    if outcome == "pending":
        return _("Pending: {month} not scored yet").format(
            month=month_label(str(row.get("current_due_month") or row.get("due_month") or "")))
    if outcome in ("unit_closed", "parameter_dropped", "not_applicable"):
        return label
    has_parameter = bool(row.get("parameter")) and not is_missing(row.get("parameter"))
    now = gap_text(row.get("now_numerator"), row.get("now_denominator"), row.get("now_value"), has_parameter)
    month = month_label(str(row.get("outcome_month") or ""))
    return f"{label}: {now}" + (f" ({month})" if month else "")


def unit_words(row: Mapping[str, Any]) -> str:
    """ "Sadar Karnal PS, Karnal" / "Karnal (district)" / "Haryana (State)"."""
    level = row.get("level")
    if level == "station":
        return f"{row.get('unit_name')}, {row.get('district_name')}" if row.get("district_name") else \
            str(row.get("unit_name"))
    return f"{row.get('unit_name')} ({_('district') if level == 'district' else _('State')})"


def grid_rows(records: Sequence[Mapping[str, Any]]) -> list[dict]:
    """JSON-safe rows for the actions grid from `list_actions(...).to_dict("records")`."""
    out = []
    for r in records:
        has_parameter = bool(r.get("parameter")) and not is_missing(r.get("parameter"))
        status = str(r.get("status"))
        out.append({
            "id": int(r["id"]),
            "key": str(int(r["id"])),  # AG Grid row ids are strings
            "level": r.get("level"),
            "unit_code": r.get("unit_code"),
            "unit": unit_words(r),
            "district_code": None if is_missing(r.get("district_code")) else r.get("district_code"),
            "parameter": r.get("parameter") if has_parameter else None,
            "parameter_name": (r.get("parameter_name") or r.get("parameter")) if has_parameter else _("Station score"),
            "gap": gap_text(r.get("gap_numerator"), r.get("gap_denominator"), r.get("gap_value"), has_parameter),
            "text": str(r.get("text") or ""),
            "owner": str(r.get("owner") or ""),
            "due": due_text(r),
            "due_month": r.get("current_due_month"),
            "carry_cycles": _int(r.get("carry_cycles")) or 0,
            "status": status,
            "status_label": STATUS_LABELS.get(status, status),
            "outcome": r.get("outcome"),
            "data": data_text(r),
            "comments": _int(r.get("comment_count")) or 0,
            "overdue": bool(r.get("overdue")),
        })
    return out


def badge(text: str, tone: str) -> html.Span:
    return html.Span(text, className=f"badge text-bg-{tone} action-badge")


def status_badge(status: object) -> html.Span:
    s = str(status)
    return badge(STATUS_LABELS.get(s, s), STATUS_TONES.get(s, "secondary"))


def outcome_badge(outcome: object) -> html.Span:
    o = str(outcome or "pending")
    return badge(OUTCOME_LABELS.get(o, o), OUTCOME_TONES.get(o, "light"))


# --- panels on the State, district and station pages -----------------------------------------------------


def tally_cards(t: Mapping[str, int]) -> html.Div:
    """Met / partly met / not met / carried over / open, as a row of small numbers."""
    items = [(_("Met"), t.get("met", 0), "good"), (_("Partly met"), t.get("partly_met", 0), None),
             (_("Not met"), t.get("not_met", 0), "bad"), (_("Carried over"), t.get("carried_over", 0), "bad"),
             (_("Open"), t.get("open", 0), None)]
    return html.Div(
        [html.Div([html.Div(format_indian(int(v)), className="tally-value"), html.Div(label, className="tally-label")],
                  className=f"tally-item{' tally-' + tone if tone and v else ''}") for label, v, tone in items],
        className="action-tally", role="list",
    )


def actions_table(rows: Sequence[Mapping[str, Any]], month: str | None, *, unit_column: bool = True,
                  open_href: str = "/actions") -> html.Div:
    """A small table of actions (grid rows): each links to the action on the actions page."""
    header = ([_("Unit")] if unit_column else []) + [_("Direction"), _("Owner"), _("Due"), _("Status"),
                                                     _("What the data shows")]
    body = []
    for r in rows:
        link = dcc.Link(r["text"], href=page_href(open_href, month, action=r["id"]), className="action-link")
        cells: list[Any] = [r["unit"]] if unit_column else []
        named = str(r["text"]).startswith(str(r["parameter_name"]))  # the wording already names the parameter
        cells += [html.Div([None if named else html.Div(r["parameter_name"], className="small text-body-secondary"),
                            link]),
                  r["owner"], r["due"], status_badge(r["status"]), html.Span(r["data"], className="small")]
        body.append(cells)
    return simple_table(header, body, class_name="actions-small-table")


def unit_actions_panel(rows: Sequence[Mapping[str, Any]], month: str | None, *, assign: Any = None,
                       list_href: str, unit_column: bool = True, limit: int = 8) -> html.Div:
    """A unit's open actions (due first) and its past ones, with the Assign button when allowed."""
    open_rows = [r for r in rows if r["status"] in ("open", "escalated")]
    past = [r for r in rows if r["status"] not in ("open", "escalated")]
    parts: list[Any] = []
    if assign is not None:
        parts.append(html.Div(assign, className="mb-2"))
    if not rows:
        parts.append(empty_state(_("No actions yet"), _("Directions given in a review appear here with their owner, "
                                                        "due month and what the data shows.")))
        return html.Div(parts)
    parts.append(html.H3(_("Open ({n})").format(n=len(open_rows)), className="panel-subhead"))
    parts.append(actions_table(open_rows[:limit], month, unit_column=unit_column) if open_rows else
                 html.P(_("No open actions."), className="small text-body-secondary"))
    if past:
        parts.append(html.H3(_("Closed ({n})").format(n=len(past)), className="panel-subhead mt-3"))
        parts.append(actions_table(past[:limit], month, unit_column=unit_column))
    more = max(len(open_rows) - limit, 0) + max(len(past) - limit, 0)
    parts.append(html.Div([ngettext("{n} action in all", "{n} actions in all", len(rows)).format(n=len(rows))
                           + ("; " + _("{n} more on the actions page.").format(n=more) + " " if more else ". "),
                           dcc.Link(_("Open the actions →"), href=list_href)], className="graph-note mt-2"))
    return html.Div(parts)


def assign_button(station_codes: Sequence[str], label: str = N_("Assign"), *, month: str | None = None,
                  size: str = "sm", outline: bool = True, title: str | None = None,
                  scheme: str | None = None) -> html.Button:
    """A button that opens the assign dialog for these stations (handled in the browser by assets/assign.js,
    which writes the codes to the dialog's request store; the server checks everything again)."""
    codes = ",".join(station_codes)
    attrs = {"data-assign": codes}
    if month:
        attrs["data-month"] = month
    if scheme:  # the ranking scheme whose parameters and marks at stake the dialog offers
        attrs["data-scheme"] = scheme
    return html.Button(_(label), type="button", title=title or _("Assign an action with an owner and a due month"),
                       className=f"btn btn-{size} btn-{'outline-' if outline else ''}primary assign-btn",
                       **attrs)


def refused(message: str) -> dbc.Alert:
    return dbc.Alert(message, color="warning", className="mb-0")


# --- one action: details, comments, history ----------------------------------------------------------------


def _dl(items: Sequence[tuple[str, Any]]) -> html.Dl:
    out: list[Any] = []
    for term, value in items:
        out += [html.Dt(term, className="col-sm-4"), html.Dd(value, className="col-sm-8")]
    return html.Dl(out, className="row action-facts mb-2")


def _when(value: object) -> str:
    if is_missing(value) or value is None:
        return MISSING
    return format_timestamp(value)  # in India Standard Time (stored in UTC)


def _review_date(value: object) -> str:
    """The review's date ("2026-12-03") as dates are shown: "3 Dec 2026" ("3 दिसंबर 2026")."""
    from datetime import date

    try:
        return format_date(date.fromisoformat(str(value)))
    except ValueError:
        return MISSING if is_missing(value) or not value else str(value)


def action_details(a: Mapping[str, Any]) -> html.Div:
    """Who was asked to do what by when, the gap then and the data now (`get_action(...)`)."""
    has_parameter = bool(a.get("parameter")) and not is_missing(a.get("parameter"))
    then = gap_text(a.get("gap_numerator"), a.get("gap_denominator"), a.get("gap_value"), has_parameter)
    target = a.get("gap_target")
    target_words = ("; " + (_("target {target}%") if has_parameter else _("lagging below {target}")).format(
        target=f"{float(target):g}")) if not is_missing(target) and target is not None else ""
    needed = _int(a.get("gap_needed"))
    num = _int(a.get("gap_numerator"))
    more = "; " + _("{n} more needed").format(n=format_indian(needed - num)) if needed is not None and \
        num is not None and needed > num else ""
    row = dict(a)
    reason = a.get("status_reason")
    facts = [
        (_("Unit"), unit_words(row)),
        (_("Parameter"), (a.get("parameter_name") or a.get("parameter")) if has_parameter else _("Station score")),
        (_("Owner"), str(a.get("owner") or "")),
        (_("Due"), due_text(row)),
        (_("Status"), html.Span([status_badge(a.get("status")),
                                 html.Span(f" {reason}", className="small") if reason else None])),
        (_("Gap then ({month})").format(month=month_label(str(a.get("basis_month") or ""))),
         then + target_words + more),
        (_("What the data shows"), html.Span([outcome_badge(a.get("outcome")), " ", data_text(row)])),
        (_("Given"), _("{date} · {forum} · by {user}").format(
            date=_review_date(a.get("review_date")), forum=FORUM_LABELS.get(str(a.get("forum")), a.get("forum")),
            user=a.get("assigned_by"))),
    ]
    return html.Div([
        html.Blockquote(str(a.get("text") or ""), className="action-text"),
        _dl(facts),
        html.Div(_("Version {version} · last changed by {user} at {when}").format(
            version=a.get("version"), user=a.get("updated_by"), when=_when(a.get("updated_at"))),
            className="small text-body-secondary"),
    ], className="action-details")


def comments_list(comments: Sequence[Mapping[str, Any]]) -> html.Div:
    items = [html.Li([html.Div([html.Strong(str(c.get("author") or "")), html.Span(f" · {_when(c.get('at'))}",
                                                                                className="text-body-secondary")],
                               className="small"),
                      html.Div(str(c.get("text") or ""), className="comment-text")], className="action-comment")
             for c in comments]
    return html.Div([html.H3(_("Comments ({n})").format(n=format_indian(len(comments))), className="panel-subhead mt-3"),
                     html.Ul(items, className="list-unstyled mb-2") if items else
                     html.P(_("No comments yet."), className="small text-body-secondary")])


def _change_words(detail: Mapping[str, Any]) -> str:
    before = detail.get("before") if isinstance(detail.get("before"), dict) else {}
    after = detail.get("after") if isinstance(detail.get("after"), dict) else {}
    parts = []
    for key, new in after.items():
        if key not in FIELD_LABELS:
            continue
        old = before.get(key)
        if key == "status_reason" and not new:
            continue
        if key == "due_month" or key == "current_due_month":
            old, new = month_label(str(old)) if old else old, month_label(str(new)) if new else new
        if key in ("status",):
            old, new = STATUS_LABELS.get(str(old), old), STATUS_LABELS.get(str(new), new)
        if key == "outcome":
            old, new = OUTCOME_LABELS.get(str(old), old), OUTCOME_LABELS.get(str(new), new)
        if key == "text":
            parts.append(_("direction now: {text}").format(text=new))
        elif old in (None, "") or key == "status_reason":
            parts.append(f"{FIELD_LABELS[key]}: {new}")
        else:
            parts.append(f"{FIELD_LABELS[key]}: {old} → {new}")
    return "; ".join(str(p) for p in parts)


def history_list(events: Sequence[Mapping[str, Any]]) -> html.Div:
    """The audit trail of one action, oldest first, in words."""
    items = []
    for e in events:
        kind = str(e.get("kind"))
        detail = e.get("detail") if isinstance(e.get("detail"), dict) else {}
        if kind == "action_comment":
            what = _("added a comment")
        elif kind == "action_create":
            what = _("assigned it")
        else:
            what = _change_words(detail) or EVENT_LABELS.get(kind, kind)
        items.append(html.Li([html.Span(_when(e.get("at")), className="text-body-secondary"), " · ",
                              html.Strong(str(e.get("actor") or "")), f" — {EVENT_LABELS.get(kind, kind)}: {what}"],
                             className="small"))
    return html.Div([html.H3(_("History"), className="panel-subhead mt-3"),
                     html.Ol(items, className="action-history ps-3") if items else
                     html.P(_("No history."), className="small text-body-secondary")])
