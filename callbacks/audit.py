"""Audit trail page callbacks: the events the administrator may read, filtered, and the matching CSV link.
The scope (national admin: all; State admin: their State's users) is `dashboard.web.admin.audit_trail`'s."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
from dash import Input, Output

from dashboard.display import format_indian, format_timestamp
from dashboard.i18n import N_, ngettext
from dashboard.i18n import gettext as _
from layouts.audit import OUTCOME_WORDS, audit_grid, ids, kind_text
from layouts.imports import message

NOT_ADMIN = N_("The audit trail is for administrators.")


def register(app: dash.Dash) -> None:
    app.callback(
        Output(ids.LIST, "children"), Output(ids.NOTE, "children"), Output(ids.DOWNLOAD, "href"),
        Output(ids.KIND, "options"),
        Input(ids.USER, "value"), Input(ids.KIND, "value"), Input(ids.SINCE, "value"), Input(ids.UNTIL, "value"),
        Input(ids.OUTCOME, "value"),
    )(update)


def _s(v: Any, n: int) -> str:
    return v.strip()[:n] if isinstance(v, str) else ""


def update(user: Any, kind: Any, since: Any, until: Any, outcome: Any) -> tuple:
    from callbacks.common import engine
    from dashboard.web import (
        AUDIT_PATH,
        MAX_AUDIT_ROWS,
        AdminRefused,
        audit_filters,
        audit_kinds,
        audit_trail,
        current_actor,
    )

    kinds = sorted(({"label": kind_text(k), "value": k} for k in audit_kinds()), key=lambda o: o["label"])
    args = {"user": _s(user, 80), "kind": _s(kind, 40), "since": _s(since, 10), "until": _s(until, 10),
            "outcome": _s(outcome, 10)}
    args = {k: v for k, v in args.items() if v}
    actor = current_actor()
    try:
        rows, more = audit_trail(engine(), actor, audit_filters(args))
    except AdminRefused:
        return message(_(NOT_ADMIN), "secondary"), None, "#", []
    for r in rows:
        r["when"] = format_timestamp(r.pop("at"))  # India Standard Time (stored in UTC)
        r["outcome_text"] = OUTCOME_WORDS["refused" if r["outcome"] == "refused" else "ok"]
        r["action_text"] = kind_text(str(r.get("action") or ""))
    n = len(rows)
    note = (ngettext("{n} event of all users", "{n} events of all users", n) if actor.national_admin else
            ngettext("{n} event of the users of {state}", "{n} events of the users of {state}", n)).format(
        n=format_indian(n), state=actor.state_code)
    if more:
        note += " " + _("(the newest {n}: narrow the filters for older ones)").format(n=format_indian(MAX_AUDIT_ROWS))
    note += "."
    href = AUDIT_PATH + ("?" + urlencode(args) if args else "")
    return audit_grid(rows), note, href, kinds
