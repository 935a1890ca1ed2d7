"""Data page callbacks: reporting status, not-reported stations, State-level rows and import batches for
the month, all within the signed-in user's scope."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output

from callbacks.common import cached_callback, engine, scope, valid_month
from dashboard.display import format_indian, is_missing, month_label
from dashboard.i18n import gettext as _
from dashboard.scope import Scope
from layouts.components import empty_state, kpi_card
from layouts.data import (
    BATCH_COLUMNS,
    NOT_REPORTED_COLUMNS,
    REPORTING_COLUMNS,
    STATE_ROWS_COLUMNS,
    STATION_COLUMNS,
    clean_query,
    grid,
    ids,
)

OUTPUTS = (
    (ids.SUBTITLE, "children"), (ids.KPIS, "children"), (ids.REPORTING_TITLE, "children"),
    (ids.REPORTING, "children"), (ids.REPORTING_NOTE, "children"), (ids.NOT_REPORTED, "children"),
    (ids.NOT_REPORTED_NOTE, "children"), (ids.STATE_ROWS, "children"), (ids.BATCHES, "children"),
    (ids.BATCHES_NOTE, "children"),
)


def register(app: dash.Dash) -> None:
    cached_callback(app, [Output(i, p) for i, p in OUTPUTS], Input(ids.QUERY, "data"))(update_page)


def _rows(df: pd.DataFrame) -> list[dict]:
    if df is None or df.empty:
        return []
    return df.astype(object).where(df.notna(), None).to_dict("records")


def reporting_rows(status: pd.DataFrame) -> list[dict]:
    out = []
    for r in _rows(status):
        active, reported = int(r["stations_active"] or 0), int(r["stations_reported"] or 0)
        missing = active - reported
        r["status"] = ("no active stations" if active == 0 else "all reported" if missing == 0
                       else "none reported" if reported == 0 else f"{format_indian(missing)} not reported")
        out.append(r)
    return out


def station_rows(df: pd.DataFrame) -> list[dict]:
    rows = _rows(df)
    for r in rows:
        r["reported"] = bool(r["reported"])
        r["status"] = "reported" if r["reported"] else "not reported"
    return rows


def state_row_rows(df: pd.DataFrame) -> list[dict]:
    rows = _rows(df)
    for r in rows:
        sent, expected = int(r["sent"]), int(r["expected"])
        r["status"] = ("all sent" if sent >= expected and expected else "none sent" if sent == 0
                       else f"{sent} of {expected} sent")
    return rows


def batch_rows(df: pd.DataFrame) -> list[dict]:
    rows = _rows(df)
    for r in rows:
        when = r.get("created_at")
        r["when"] = pd.Timestamp(when).strftime("%d %b %Y %H:%M") if not is_missing(when) else "–"
        months = [m for m in str(r.get("months") or "").split(",") if m]
        r["months_text"] = (months[0] if len(months) == 1 else f"{months[0]} – {months[-1]} ({len(months)})"
                            if months else "master data")
        reverted = r.get("reverted_at")
        r["status_text"] = (f"reverted {pd.Timestamp(reverted):%d %b %Y}" if r.get("status") == "reverted"
                            and not is_missing(reverted) else str(r.get("status") or ""))
        for k in ("created_at", "reverted_at"):
            r[k] = None if is_missing(r.get(k)) else str(r[k])
    return rows


def as_of_text(value: str | None) -> str:
    """ "2026-11-28T14:47:37+00:00" -> "28 Nov 2026, 14:47 UTC" (unparseable text is shown as it is)."""
    if not value:
        return "–"
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        return value
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC")
    return f"{ts:%d %b %Y, %H:%M} UTC"


def update_page(query: Any) -> tuple:
    from dashboard import read

    sc: Scope = scope()
    eng = engine()
    months = read.months(eng)
    q = clean_query(**(query if isinstance(query, dict) else {}))
    month = valid_month(q["month"], months) or (months[-1] if months else None)
    as_of = as_of_text(read.data_as_of(eng))
    batches = batch_rows(read.import_batches_in_scope(eng, sc))
    batches_view = (grid("data-batches-grid", batches, BATCH_COLUMNS, row_id="id", page_size=15) if batches
                    else empty_state("No import batches to show",
                                     "National users see every batch; others see the batches loaded by their "
                                     "State's users."))
    batches_note = ("Showing the 50 most recent batches." if len(batches) >= 50 else None)
    if month is None:
        nothing = empty_state(_("No data yet"), "No month has been loaded and scored. Load files with `cctns import`.")
        return ("no data yet", [dbc.Col(kpi_card(_("Data as of"), as_of), xs=12, sm=6, lg=3)], "Who reported",
                nothing, None, nothing, None, nothing, batches_view, batches_note)

    # who reported
    if sc.role == "district":
        title = _("Police stations of your district")
        stations = read.station_reporting(eng, month, sc, sc.district_code or "")
        srows = station_rows(stations)
        reporting = (grid("data-reporting-grid", srows, STATION_COLUMNS, row_id="station_code", page_size=25)
                     if srows else empty_state())
        active, reported = len(srows), sum(r["reported"] for r in srows)
    else:
        title = _("States/UTs") if sc.role == "national" else "Districts of your State"
        status = read.reporting_status(eng, month, sc)
        rrows = reporting_rows(status)
        reporting = (grid("data-reporting-grid", rrows, REPORTING_COLUMNS, row_id="unit_code", page_size=40)
                     if rrows else empty_state())
        active = int(status["stations_active"].sum()) if not status.empty else 0
        reported = int(status["stations_reported"].sum()) if not status.empty else 0
    missing = active - reported
    reporting_note = (f"{format_indian(reported)} of {format_indian(active)} active police stations reported "
                      f"({reported / active * 100:.1f}%)." if active else "No active police stations.")

    # not-reported stations
    nr = read.not_reported_in_scope(eng, month, sc)
    nrows = _rows(nr)
    cols = NOT_REPORTED_COLUMNS if sc.role == "national" else [c for c in NOT_REPORTED_COLUMNS
                                                               if c["field"] != "state_name"]
    not_reported = (grid("data-not-reported-grid", nrows, cols, row_id="station_code", page_size=12) if nrows
                    else empty_state("Every active police station reported", f"for {month_label(month)}"))
    nr_note = f"{format_indian(len(nrows))} police station{'s' if len(nrows) != 1 else ''}." if nrows else None

    # State-level rows
    srs = state_row_rows(read.state_rows_status(eng, month))
    state_rows = (grid("data-state-rows-grid", srs, STATE_ROWS_COLUMNS, row_id="state_code", page_size=40) if srs
                  else empty_state())
    short = [r["name"] for r in srs if r["sent"] < r["expected"]]

    latest = batches[0] if batches else None
    kpis = [
        kpi_card(_("Data as of"), as_of, sub=_("last successful import")),
        kpi_card(_("Stations reported"), f"{format_indian(reported)} / {format_indian(active)}",
                 sub=f"{reported / active * 100:.1f}% of active police stations" if active else None,
                 tone="bad" if missing > 0 else "good"),
        kpi_card(_("Not reported"), format_indian(missing), sub=_("police stations with no data this month"),
                 tone="bad" if missing > 0 else None),
        kpi_card(_("State-level rows"), f"{len(srs) - len(short)} of {len(srs)}",
                 sub=("States/UTs with every row" if not short else f"missing: {', '.join(short[:3])}"
                      + ("…" if len(short) > 3 else "")),
                 tone="bad" if short else None),
    ]
    if latest is not None:
        kpis[0] = kpi_card(_("Data as of"), as_of, sub=f"latest batch #{latest['id']} by {latest['created_by']}")
    subtitle = f"{month_label(month)} · data as of {as_of or '–'}"
    return (subtitle, [dbc.Col(c, xs=12, sm=6, lg=3) for c in kpis], title, reporting, reporting_note,
            not_reported, nr_note, state_rows, batches_view, batches_note)
