"""Import batches page (/data/batches?batch=ID): every batch the user may see (who, when, files and their
hash, rows added and replaced, months touched); a batch opens to its changes, and users who may import
revert it: a reason, the preview of what the revert changes, then Revert (an exact restore).

Skeleton and pure builders (no I/O); filled by callbacks/batches.py.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.display import format_indian, month_label
from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from layouts.components import card, empty_state, league_grid, page_header
from layouts.imports import kind_text, master_what_text


class ids:
    QUERY = "batches-query"
    CHANGED = "batches-changed"  # bumped after a revert: the list and the batch are read again
    LIST = "batches-list"
    GRID = "batches-grid"
    DETAIL = "batches-detail"
    REVERT_BOX = "batches-revert-box"
    REASON = "batches-reason"
    PREVIEW_GO = "batches-preview-go"
    PREVIEW = "batches-revert-preview"
    REVERT_GO = "batches-revert-go"
    MESSAGE = "batches-revert-message"


def clean_query(batch: object = None, **_unknown: object) -> dict[str, int | None]:
    ok = isinstance(batch, str) and batch.isascii() and batch.isdigit() and 0 < len(batch) <= 9
    return {"batch": int(batch) if ok else None}  # type: ignore[arg-type]


_INDIAN = {"function": "params.value == null ? '–' : Number(params.value).toLocaleString('en-IN')"}
COLUMNS: list[dict[str, Any]] = [
    {"headerName": N_("Batch"), "field": "id", "minWidth": 70, "maxWidth": 90, "cellClass": "cell-num"},
    {"headerName": N_("When"), "field": "when", "minWidth": 160, "flex": 1},
    {"headerName": N_("Who"), "field": "created_by", "minWidth": 90, "flex": 1},
    {"headerName": N_("Files"), "field": "file_name", "minWidth": 180, "flex": 2, "wrapText": True, "autoHeight": True},
    {"headerName": N_("SHA-256"), "field": "sha_short", "minWidth": 120, "maxWidth": 130, "tooltipField": "file_sha256"},
    {"headerName": N_("Months"), "field": "months_text", "minWidth": 110, "flex": 1, "wrapText": True,
     "autoHeight": True},
    {"headerName": N_("Rows added"), "field": "rows_added", "minWidth": 80, "flex": 1, "cellClass": "cell-num",
     "valueFormatter": _INDIAN},
    {"headerName": N_("Rows replaced"), "field": "rows_replaced", "minWidth": 80, "flex": 1, "cellClass": "cell-num",
     "valueFormatter": _INDIAN},
    {"headerName": N_("Status"), "field": "status_text", "minWidth": 170, "flex": 1,
     "cellClassRules": {"cell-warn": "params.data && params.data.status === 'reverted'"}},
]


def layout(batch: str | None = None, **_other: object) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=ids.QUERY, data=clean_query(batch)),
            dcc.Store(id=ids.CHANGED, data=0),
            page_header(_("Import batches"), _("Every import is one batch; a batch can be reverted exactly"),
                        right=html.A(_("Import files"), href="/data/import", className="btn btn-primary btn-sm")),
            card(_("Batches"), html.Div(id=ids.LIST), subtitle=_("Newest first. Choose a batch to see what it changed.")),
            html.Div(id=ids.DETAIL),
            html.Div(
                card(_("Revert this batch"), [
                    html.Label(_("Reason (kept in the audit trail)"), htmlFor=ids.REASON, className="form-label"),
                    dbc.Textarea(id=ids.REASON, maxLength=500, rows=2, className="mb-2",
                                 placeholder=_("e.g. wrong month's file loaded for Karnal")),
                    html.Div([dbc.Button(_("Preview the revert"), id=ids.PREVIEW_GO, color="secondary", n_clicks=0),
                              dbc.Button(_("Revert"), id=ids.REVERT_GO, color="danger", disabled=True, n_clicks=0)],
                             className="d-flex gap-2"),
                    dcc.Loading(html.Div(id=ids.PREVIEW, className="mt-2"), type="dot"),
                ], subtitle=_("Rows the batch added are deleted and the values it replaced are put back, in one "
                            "transaction; the months are recomputed.")),
                id=ids.REVERT_BOX, style={"display": "none"},
            ),
            html.Div(id=ids.MESSAGE, className="mt-2", **{"aria-live": "polite"}),
        ],
        className="page-batches",
    )


def batch_grid(rows: list[dict]) -> Any:
    if not rows:
        return empty_state(N_("No import batches to show"), _("National users see every batch; others see the batches "
                                                            "loaded by their State's users."))
    return league_grid(ids.GRID, rows, COLUMNS, row_id="id", auto_height=len(rows) <= 15,
                       page_size=15 if len(rows) > 15 else None, class_name="data-grid")


def batch_detail(b: dict, changes: Any) -> Any:
    """The batch's facts and its changes (`dashboard.ingest.BatchChanges`)."""
    facts = [
        (_("Loaded"), _("{when} by {user}").format(when=b["when"], user=b["created_by"])),
        (_("Files"), b["file_name"]),
        ("SHA-256", b["file_sha256"]),
        (_("Kinds"), ", ".join(kind_text(k) for k in (b.get("kinds") or "").split(",") if k)),
        (_("Rows"), _("{added} added, {replaced} replaced").format(added=format_indian(b["rows_added"]),
                                                                    replaced=format_indian(b["rows_replaced"]))),
        (_("Status"), b["status_text"]),
    ]
    dl = html.Dl(sum(([html.Dt(k, className="col-sm-2"), html.Dd(v, className="col-sm-10 text-break")]
                      for k, v in facts), []), className="row mb-2")
    reverted = b.get("status") == "reverted"
    rows = [html.Tr([html.Td(month_label(m)), html.Td("–" if reverted else format_indian(a), className="cell-num"),
                     html.Td(format_indian(r), className="cell-num")]) for m, (a, r) in changes.months.items()]
    blocks: list[Any] = [dl]
    if rows:
        blocks.append(dbc.Table([html.Thead(html.Tr([html.Th(_("Month"), scope="col"), html.Th(_("Rows added"), scope="col"),
                                                     html.Th(_("Rows replaced") + (" " + _("(put back)") if reverted else ""),
                                                             scope="col")])), html.Tbody(rows)],
                                size="sm", className="preview-table", style={"maxWidth": "480px"}))
    elif reverted:
        blocks.append(html.Div(_("Reverted: its rows were removed and the earlier values put back."), className="small"))
    if changes.master:
        blocks.append(html.H3(_("Master data"), className="h6 mt-2"))
        blocks.append(html.Ul([html.Li(f"{kind_text(m.kind)} {m.code} {m.name}: {master_what_text(m.what)}")
                               for m in changes.master[:30]], className="small"))
    return card(_("Batch {id}").format(id=b["id"]), blocks)
