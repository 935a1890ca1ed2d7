"""Import page (/data/import): upload CSV/XLSX files, see every problem or the preview of what the files
will change (scores and ranks before and after, the districts and stations that move most, lagging
stations, master data), then Import or Cancel.

Skeleton and pure builders (no I/O); filled by callbacks/imports.py. The file input posts to
/upload/import from assets/ops_upload.js (with a progress bar), which hands the upload's token to
`ids.UPLOADED` (dash_clientside.set_props); the page's callback then asks the server to check it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.display import (
    format_change_centi,
    format_indian,
    format_rank,
    month_label,
    scheme_name_text,
    score_display,
)
from dashboard.i18n import N_, Translated, ngettext
from dashboard.i18n import gettext as _
from layouts.components import card, league_grid, page_header


class ids:
    QUERY = "import-query"
    DROP = "import-drop"
    FILE_INPUT = "import-file-input"  # created by assets/ops_upload.js outside the Dash tree
    PROGRESS = "import-progress"
    UPLOAD_STATUS = "import-upload-status"
    UPLOADED = "import-uploaded"  # {"token", "files"} or {"error"}: written by assets/ops_upload.js
    TOKEN = "import-token"  # the upload being looked at
    RESULT = "import-result"
    ACTIONS = "import-actions"
    GO = "import-go"
    CANCEL = "import-cancel"
    PROBLEMS_GRID = "import-problems-grid"
    PROVISIONAL = "import-provisional"  # issue 14: load the month being collected as provisional figures


# the file, column and value are the file's own (data, shown as they are); the rule is in the page's language
PROBLEM_COLUMNS: list[dict[str, Any]] = [
    {"headerName": N_("File"), "field": "file", "minWidth": 140, "flex": 2, "wrapText": True, "autoHeight": True,
     "cellClass": "notranslate"},
    {"headerName": N_("Row"), "field": "row", "minWidth": 70, "maxWidth": 90, "cellClass": "cell-num"},
    {"headerName": N_("Column"), "field": "column", "minWidth": 110, "flex": 1, "cellClass": "notranslate"},
    {"headerName": N_("Value"), "field": "value", "minWidth": 110, "flex": 1, "wrapText": True, "autoHeight": True,
     "cellClass": "notranslate"},
    {"headerName": N_("Rule"), "field": "rule", "minWidth": 260, "flex": 4, "wrapText": True, "autoHeight": True},
]


def layout(**_query: object) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=ids.QUERY, data={}),
            dcc.Store(id=ids.UPLOADED, data=None),
            dcc.Store(id=ids.TOKEN, data=None),
            page_header(_("Import files"), _("Check the files and see what they will change before anything is "
                                             "written")),
            card(_("1. Upload"), [upload_zone(), provisional_switch()], subtitle=_("Files are checked on the server exactly as `cctns import` "
                                                      "checks them; nothing is written until you press Import")),
            html.Div(id=ids.RESULT, className="import-result", **{"aria-live": "polite"}),
            html.Div(
                [dbc.Button(_("Import"), id=ids.GO, color="primary", disabled=True, n_clicks=0),
                 dbc.Button(_("Cancel"), id=ids.CANCEL, color="secondary", outline=True, disabled=True, n_clicks=0)],
                id=ids.ACTIONS, className="my-3 import-actions", style={"display": "none"},
            ),
        ],
        className="page-import",
    )


def upload_zone(limit_mb: int = 25, max_files: int = 10) -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    html.Div(_("Drag and drop CSV or XLSX files here"), className="fw-semibold"),
                    html.Div([_("or") + " ", html.Span(_("choose files"), className="upload-pick"),
                              " — " + _("up to {n} files, {mb} MB together. The kind of each file is recognised by "
                                        "its header (README \u201cFile formats\u201d).").format(n=max_files, mb=limit_mb)],
                             className="small text-body-secondary"),
                ],
                id=ids.DROP, className="upload-zone", tabIndex="0", role="button",
                **{"aria-describedby": ids.UPLOAD_STATUS, "data-upload-limit": str(limit_mb * 2**20),
                   "data-upload-files": str(max_files), "data-words": json.dumps(upload_words())},
            ),
            html.Progress(id=ids.PROGRESS, max="100", value="0", className="upload-progress", hidden=True),
            html.Div(id=ids.UPLOAD_STATUS, className="small mt-1", role="status"),
        ]
    )


def provisional_switch() -> html.Div:
    """Load the files as provisional figures of the month being collected (`cctns import --provisional`)."""
    return html.Div(
        [dbc.Switch(id=ids.PROVISIONAL, value=False, label=_("Provisional: the month still being collected"),
                    class_name="mb-0"),
         html.Div(_("Each provisional load replaces the previous one of that State's month; a final month is "
                    "refused and never changed; the month's final import replaces the provisional figures."),
                  className="small text-body-secondary")],
        className="mt-3 import-provisional")


def provisional_view(p: Any) -> html.Div:
    """The preview of a provisional load: the snapshots it makes, their scores, what each replaces."""
    rows = [html.Tr([html.Td(c.state_code), html.Td(month_label(c.month)), html.Td(format_indian(c.rows),
                                                                                    className="text-end"),
                     html.Td(c.score_display, className="text-end"),
                     html.Td(_("{done} of {total}").format(done=format_indian(c.stations_reported),
                                                           total=format_indian(c.stations_active)),
                             className="text-end"),
                     html.Td(_("the load of {when}").format(when=c.replaces_as_of) if c.replaces_as_of
                             else _("nothing (first load)"))])
            for c in p.provisional]
    table = dbc.Table([html.Thead(html.Tr([html.Th(_(h), scope="col") for h in (
        N_("State/UT"), N_("Month"), N_("Rows"), N_("Provisional score"), N_("Stations reported"),
        N_("Replaces"))])), html.Tbody(rows)],
        size="sm", responsive=True, className="preview-table")
    return card(_("2. What the provisional load will make"), [
        html.Div([html.Span(_("PROVISIONAL"), className="badge bg-warning text-dark me-2"),
                  _("Shown only as provisional figures, under a banner, never as a final month.")], className="mb-2"),
        table], subtitle=_("computed by running the load in a transaction that is rolled back"))


# --- results ------------------------------------------------------------------------------------------------


KIND_WORDS = Translated({"states": N_("States/UTs"), "districts": N_("districts"),
                         "police_stations": N_("police stations"), "station_rows": N_("station rows"),
                         "state_rows": N_("state rows"), "published_results": N_("NCRB published results")})
_MASTER_WHAT = (  # what `dashboard.ingest.preview` says of a master row (English) -> the words shown
    (re.compile(r"^new \(opened (\S+)\)$"), N_("new (opened {value})")),
    (re.compile(r"^closed (\S+)$"), N_("closed {value}")),
    (re.compile(r"^changed: (.+)$"), N_("changed: {value}")),
    (re.compile(r"^earlier (.+) put back$"), N_("earlier {value} put back")),
)
_MASTER_WORDS = Translated({"new": N_("new"), "removed": N_("removed"), "reopened": N_("reopened"),
                            "unchanged": N_("unchanged"), "added": N_("added"),
                            "removed (added by this batch)": N_("removed (added by this batch)")})


def kind_text(kind: str) -> str:
    """A file kind ("station_rows") in words."""
    return KIND_WORDS.get(kind) or kind.replace("_", " ")


def master_what_text(what: str) -> str:
    """What happens to a master row, in the page's language (column names stay as the file names them)."""
    if what in _MASTER_WORDS:
        return _MASTER_WORDS[what]
    for pattern, words in _MASTER_WHAT:
        m = pattern.match(what)
        if m:
            value = m.group(1)
            return _(words).format(value=month_label(value) if len(value) == 7 and value[4] == "-" else value)
    return what


def upload_words() -> dict[str, str]:
    """What assets/ops_upload.js says while it uploads, in the page's language ({n}, {p}, {size}, ... filled
    there)."""
    return {
        "too_many": _("At most {n} files at a time."),
        "wrong_kind": _("{name}: only .csv and .xlsx files can be imported."),
        "too_big": _("The files are {size} together; the limit is {limit}: split the import."),
        "progress": ngettext("Uploading {n} file: {percent} of {size}", "Uploading {n} files: {percent} of {size}", 1),
        "progress_many": ngettext("Uploading {n} file: {percent} of {size}", "Uploading {n} files: {percent} of {size}", 2),
        "uploaded": _("Uploaded. Checking the files on the server…"),
        "failed": _("The upload failed ({status})."),
        "unreachable": _("The upload failed: the server could not be reached."),
        "uploading": _("Uploading…"),
        "input": _("Files to import"),
    }


def message(text: str, tone: str = "info") -> dbc.Alert:
    return html.Div(dbc.Alert(text, color=tone, className="my-3"), role="status")


def files_line(files: Any) -> html.Div:
    parts = [_("{name} ({n} bytes)").format(name=f["name"], n=format_indian(f["size"])) for f in files or []]
    return html.Div(_("Files: {files}").format(files="; ".join(parts)), className="small text-body-secondary") \
        if parts else html.Div()


def problems_view(rows: list[dict], omitted: int, files: Any, download_href: str) -> html.Div:
    n = len(rows) + omitted
    head = ngettext("{n} problem found: nothing was imported and the files were deleted. Fix them and upload again.",
                    "{n} problems found: nothing was imported and the files were deleted. Fix them and upload again.",
                    n).format(n=format_indian(n))
    note = (_("Listed: the first {n}; {more} more not listed (at most 200 per file, like `cctns import`).").format(
        n=format_indian(len(rows)), more=format_indian(omitted)) if omitted else None)
    return card(_("2. Problems"), [
        dbc.Alert(head, color="danger", className="mb-2"),
        files_line(files),
        league_grid(ids.PROBLEMS_GRID, rows, PROBLEM_COLUMNS, page_size=25 if len(rows) > 25 else None,
                    auto_height=True, class_name="data-grid mt-2"),
        html.Div([note and html.Span(note + " "),
                  html.A(_("Download the problem list (CSV)"), href=download_href, className="btn btn-sm "
                         "btn-outline-secondary mt-2", download="import-problems.csv")], className="graph-note"),
    ], subtitle=_("file, row (as the spreadsheet shows it), column, value and the rule it breaks"))


def _score(v: int | None) -> str:
    return score_display(v) if v is not None else "–"


def _rank(v: int | None) -> str:
    return format_rank(v) if v is not None else "–"


def _arrow(before: str, after: str) -> html.Span:
    same = before == after
    return html.Span([html.Span(before, className="text-body-secondary"), " → ",
                      html.Strong(after, className="" if same else "text-change")])


def _change(u: Any) -> str:
    c = u.change
    return "–" if c is None else ("±0.00" if c == 0 else f"{'+' if c > 0 else '−'}{abs(c) / 100:.2f}")


def _unit_table(units: list, rank_label: str, caption: str, focus: str | None = None) -> dbc.Table:
    head = html.Thead(html.Tr([html.Th(caption, scope="col"), html.Th(_("Score"), scope="col"),
                               html.Th(_("Change"), scope="col", className="text-end"),
                               html.Th(rank_label, scope="col")]))
    body = html.Tbody([
        html.Tr([html.Td([html.Span(u.name, className="fw-semibold" if u.code == focus else ""),
                          html.Span(f" {u.code}", className="small text-body-secondary")]),
                 html.Td(_arrow(_score(u.score_before), _score(u.score_after))),
                 html.Td(_change(u), className="text-end cell-num"),
                 html.Td(_arrow(_rank(u.rank_before), _rank(u.rank_after)))],
                className="table-active" if u.code == focus else None)
        for u in units])
    return dbc.Table([head, body], size="sm", hover=True, responsive=True, className="preview-table mb-3")


def _lagging(changes: list) -> html.Div:
    started = [c.name for c in changes if c.started]
    stopped = [c.name for c in changes if not c.started]

    def line(label: str, names: list[str], tone: str) -> html.Div:
        shown = ", ".join(names[:12]) + (" " + _("and {n} more").format(n=format_indian(len(names) - 12))
                                         if len(names) > 12 else "")
        return html.Div([html.Span(f"{label} ({format_indian(len(names))}): ", className=f"fw-semibold text-{tone}"),
                         shown or _("none")], className="small")

    return html.Div([line(_("Start lagging"), started, "danger"), line(_("Stop lagging"), stopped, "success")],
                    className="mb-2")


def _warning_text(w: Any) -> str:
    """A scheme's warning (`dashboard.ingest.SchemeWarning`) in words."""
    where = f"{w.state_name} · {month_label(w.month)}"
    if w.kind == "published":
        return _("{where}: NCRB published {published}; after this import our data gives {computed}: "
                 "{difference}").format(where=where, published=score_display(w.published),
                                        computed=score_display(w.computed),
                                        difference=format_change_centi(w.difference))
    return ngettext("{where}: {n} of {total} active police station has no row of this scheme (counted as not "
                    "reported)", "{where}: {n} of {total} active police stations have no row of this scheme "
                    "(counted as not reported)", w.count).format(where=where, n=format_indian(w.count),
                                                                 total=format_indian(w.total))


def _scheme_block(sc: Any, focus_state: str | None, what: tuple[str, str]) -> html.Section:
    """One scheme's part of the preview: its rows, its warnings, and per month the ranks and scores that
    change and the stations that start or stop lagging."""
    name = scheme_name_text({"name": sc.name, "name_hi": sc.name_hi})
    blocks: list[Any] = [
        html.H3([html.Span(sc.short, className="badge text-bg-secondary me-2"), name],
                className="h5 mt-3 mb-1 preview-scheme-title"),
        html.Div(_("{added} rows of {scheme} {what_added}, {replaced} {what_replaced}").format(
            added=format_indian(sc.rows_added), scheme=sc.short, what_added=_(what[0]),
            replaced=format_indian(sc.rows_replaced), what_replaced=_(what[1])),
            className="small text-body-secondary mb-2")]
    if sc.warnings:
        blocks.append(dbc.Alert([html.Div(ngettext("{n} warning in {scheme}", "{n} warnings in {scheme}",
                                                   len(sc.warnings)).format(n=len(sc.warnings), scheme=sc.short),
                                          className="fw-semibold"),
                                 html.Ul([html.Li(_warning_text(w)) for w in sc.warnings[:20]], className="mb-0"),
                                 html.Div(_("and {n} more").format(n=len(sc.warnings) - 20), className="small")
                                 if len(sc.warnings) > 20 else None],
                                color="warning", className="py-2 mb-2 preview-warnings"))
    for m in sc.months:
        month_blocks: list[Any] = [
            html.Div(_("{added} rows {what_added}, {replaced} {what_replaced}").format(
                added=format_indian(m.rows_added), what_added=_(what[0]), replaced=format_indian(m.rows_replaced),
                what_replaced=_(what[1])), className="small text-body-secondary mb-2")]
        if m.states:
            month_blocks.append(_unit_table(m.states, _("All-India rank ({scheme})").format(scheme=sc.short),
                                            _("State/UT"), focus_state))
        if m.districts:
            month_blocks.append(_unit_table(m.districts, _("Rank in State ({scheme})").format(scheme=sc.short),
                                            _("District (largest changes)")))
        if m.stations:
            month_blocks.append(_unit_table(m.stations, _("Rank in State ({scheme})").format(scheme=sc.short),
                                            _("Police station (largest changes)")))
        month_blocks.append(_lagging(m.lagging))
        if not (m.states or m.districts or m.stations):
            month_blocks.insert(1, html.Div(_("No score or rank changes."), className="small"))
        blocks.append(html.Div([html.H4(f"{month_label(m.month)} · {sc.short}", className="h6 mt-3"),
                                *month_blocks], className="preview-month"))
    return html.Section(blocks, className=f"preview-scheme preview-scheme-{sc.scheme}",
                        **{"data-scheme": sc.scheme, "aria-label": name})


def preview_view(p: Any, focus_state: str | None, title: str = N_("2. What the import will change"),
                 what: tuple[str, str] = (N_("added"), N_("replaced")), action: str = "import") -> html.Div:
    """The preview of an import (or, with other words, of a revert) from a `dashboard.ingest.ChangePreview`:
    per scheme present in the files (labelled), its ranks and scores, rows and warnings."""
    months = len(p.months_recomputed)
    summary = ngettext("{added} rows {what_added}, {replaced} rows {what_replaced}; {n} month recomputed.",
                       "{added} rows {what_added}, {replaced} rows {what_replaced}; {n} months recomputed.",
                       months).format(added=format_indian(p.rows_added), what_added=_(what[0]),
                                      replaced=format_indian(p.rows_replaced), what_replaced=_(what[1]), n=months)
    blocks: list[Any] = [html.P(summary, className="mb-2")]
    if len(p.schemes) > 1:
        blocks.append(html.P(_("The files hold rows of {n} ranking schemes: {schemes}. Each is shown on its own "
                               "below.").format(n=len(p.schemes), schemes=", ".join(s.short for s in p.schemes)),
                             className="mb-2"))
    if p.master:
        rows = [html.Tr([html.Td(kind_text(m.kind)), html.Td(m.code), html.Td(m.name), html.Td(master_what_text(m.what))])
                for m in p.master[:50]]
        blocks.append(html.H3(_("Master data"), className="h6 mt-3"))
        blocks.append(dbc.Table([html.Thead(html.Tr([html.Th(_(h), scope="col") for h in
                                                     (N_("Kind"), N_("Code"), N_("Name"), N_("Change"))])),
                                 html.Tbody(rows)], size="sm", responsive=True, className="preview-table"))
        if len(p.master) > 50:
            blocks.append(html.Div(_("and {n} more").format(n=len(p.master) - 50), className="small"))
    blocks.extend(_scheme_block(sc, focus_state, what) for sc in p.schemes)
    subtitle = (_("computed by running the revert in a transaction that is rolled back: exactly what it will "
                  "produce") if action == "revert" else
                _("computed by running the import in a transaction that is rolled back: exactly what it will "
                  "produce"))
    return card(_(title), blocks, subtitle=subtitle, id="import-preview-card")
