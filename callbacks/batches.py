"""Import batches page callbacks: the batches the user may see, one batch's changes, and its revert (a
reason, the preview, then the revert). The web room decides who may see and revert a batch
(`dashboard.web.visible_batch`, `may_revert`, `revert_preview`, `revert`)."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, ctx, html

from callbacks.common import engine, scope
from callbacks.data import batch_rows
from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from layouts.batches import batch_detail, batch_grid, ids
from layouts.imports import message, preview_view
from layouts.shell import ids as shell_ids

HIDDEN, SHOWN = {"display": "none"}, {"display": "block"}


def register(app: dash.Dash) -> None:
    app.callback(
        Output(ids.LIST, "children"), Output(ids.DETAIL, "children"), Output(ids.REVERT_BOX, "style"),
        Output(ids.PREVIEW, "children"), Output(ids.REVERT_GO, "disabled"), Output(ids.MESSAGE, "children"),
        Input(ids.QUERY, "data"), Input(ids.CHANGED, "data"),
    )(update_page)
    app.callback(
        Output(shell_ids.URL, "search", allow_duplicate=True),
        Input(ids.GRID, "selectedRows"),
        prevent_initial_call=True,
    )(open_batch)
    app.callback(
        Output(ids.PREVIEW, "children", allow_duplicate=True), Output(ids.REVERT_GO, "disabled", allow_duplicate=True),
        Output(ids.MESSAGE, "children", allow_duplicate=True), Output(ids.CHANGED, "data"),
        Input(ids.PREVIEW_GO, "n_clicks"), Input(ids.REVERT_GO, "n_clicks"),
        State(ids.QUERY, "data"), State(ids.REASON, "value"), State(ids.CHANGED, "data"),
        prevent_initial_call=True,
    )(revert_step)


def _batch_id(query: Any) -> int | None:
    q = query if isinstance(query, dict) else {}
    b = q.get("batch")
    return b if isinstance(b, int) and not isinstance(b, bool) and 0 < b < 10**9 else None


def _rows() -> list[dict]:
    from dashboard import read

    rows = batch_rows(read.import_batches_in_scope(engine(), scope()))
    for r in rows:
        r["sha_short"] = (r.get("file_sha256") or "")[:12]
    return rows


def update_page(query: Any, _changed: Any) -> tuple:
    from dashboard.ingest import batch_changes
    from dashboard.web import may_revert, visible_batch

    rows = _rows()
    listing = batch_grid(rows)
    batch_id = _batch_id(query)
    if batch_id is None:
        return listing, None, HIDDEN, None, True, None
    batch = visible_batch(batch_id)
    row = next((r for r in rows if r["id"] == batch_id), None)
    if batch is None or row is None:
        return (listing, message(_("Batch {id} is not one you can see.").format(id=batch_id), "secondary"), HIDDEN,
                None, True, None)
    detail = batch_detail(row, batch_changes(engine(), batch_id))
    keep = dash.no_update if ctx.triggered_id == ids.CHANGED else None  # a revert's own message stays
    return listing, detail, SHOWN if may_revert(batch) else HIDDEN, None, True, keep


def open_batch(selected: Any) -> Any:
    row = selected[0] if isinstance(selected, list) and selected and isinstance(selected[0], dict) else {}
    bid = row.get("id")
    if not isinstance(bid, int) or isinstance(bid, bool) or bid <= 0:
        return dash.no_update
    return f"?batch={bid}"


def revert_step(_preview: Any, _go: Any, query: Any, reason: Any, changed: Any) -> tuple:
    from dashboard.web import current_user_session, revert, revert_preview

    batch_id = _batch_id(query)
    if batch_id is None:
        return None, True, message(_("Choose a batch first."), "secondary"), dash.no_update
    user = current_user_session()
    if ctx.triggered_id == ids.PREVIEW_GO:
        p, why = revert_preview(batch_id)
        if p is None:
            return None, True, message(why, "warning"), dash.no_update
        return (preview_view(p, getattr(user, "state_code", None), title=N_("What the revert will change"),
                             what=(N_("removed"), N_("put back")), action="revert"), False,
                message(_("Check the preview, give the reason, then press Revert."), "info"), dash.no_update)
    if ctx.triggered_id == ids.REVERT_GO:
        ok, text = revert(batch_id, reason)
        if not ok:
            return dash.no_update, dash.no_update, message(text, "warning"), dash.no_update
        bump = (changed if isinstance(changed, int) else 0) + 1
        return (html.Div(), True, message(text, "success"), bump)
    return dash.no_update, dash.no_update, dash.no_update, dash.no_update
