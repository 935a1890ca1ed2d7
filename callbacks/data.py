"""Data page callbacks: reporting status, not-reported stations, State-level rows and import batches for
the month, all within the signed-in user's scope."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output

from callbacks.common import cached_callback, engine, scope, valid_month
from dashboard.display import format_indian, format_timestamp, is_missing, month_label
from dashboard.i18n import N_, Translated, ngettext
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

BATCH_STATUS = Translated({"applied": N_("applied"), "committed": N_("committed"), "reverted": N_("reverted"),
                           "provisional": N_("provisional")})

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
        r["status"] = (_("no active stations") if active == 0 else _("all reported") if missing == 0
                       else _("none reported") if reported == 0
                       else _("{n} not reported").format(n=format_indian(missing)))
        out.append(r)
    return out


def station_rows(df: pd.DataFrame) -> list[dict]:
    rows = _rows(df)
    for r in rows:
        r["reported"] = bool(r["reported"])
        r["status"] = _("reported") if r["reported"] else _("not reported")
    return rows


def state_row_rows(df: pd.DataFrame) -> list[dict]:
    rows = _rows(df)
    for r in rows:
        sent, expected = int(r["sent"]), int(r["expected"])
        r["status"] = (_("all sent") if sent >= expected and expected else _("none sent") if sent == 0
                       else _("{sent} of {expected} sent").format(sent=sent, expected=expected))
    return rows


def batch_rows(df: pd.DataFrame) -> list[dict]:
    rows = _rows(df)
    for r in rows:
        when = r.get("created_at")
        r["when"] = format_timestamp(when) if not is_missing(when) else "–"
        months = [m for m in str(r.get("months") or "").split(",") if m]
        r["months_text"] = (month_label(months[0]) if len(months) == 1 else
                            f"{month_label(months[0])} – {month_label(months[-1])} ({len(months)})"
                            if months else _("master data"))
        reverted = r.get("reverted_at")
        r["status_text"] = (_("reverted {when}").format(when=format_timestamp(reverted))
                            if r.get("status") == "reverted" and not is_missing(reverted)
                            else BATCH_STATUS.get(str(r.get("status") or ""), str(r.get("status") or "")))
        for k in ("created_at", "reverted_at"):
            r[k] = None if is_missing(r.get(k)) else str(r[k])
    return rows


def as_of_text(value: str | None) -> str:
    """A stored time as shown everywhere: "28 Nov 2026, 20:17 IST" (`dashboard.display.format_timestamp`)."""
    return format_timestamp(value)


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
                    else empty_state(_("No import batches to show"),
                                     _("National users see every batch; others see the batches loaded by their "
                                       "State's users.")))
    batches_note = (_("Showing the 50 most recent batches.") if len(batches) >= 50 else None)
    if month is None:
        nothing = empty_state(_("No data yet"),
                              _("No month has been loaded and scored. Load files with `cctns import`."))
        return (_("no data yet"), [dbc.Col(kpi_card(_("Data as of"), as_of), xs=6, lg=3)], _("Who reported"),
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
        title = _("States/UTs") if sc.role == "national" else _("Districts of your State")
        status = read.reporting_status(eng, month, sc)
        rrows = reporting_rows(status)
        reporting = (grid("data-reporting-grid", rrows, REPORTING_COLUMNS, row_id="unit_code", page_size=40)
                     if rrows else empty_state())
        active = int(status["stations_active"].sum()) if not status.empty else 0
        reported = int(status["stations_reported"].sum()) if not status.empty else 0
    missing = active - reported
    reporting_note = (_("{n} of {total} active police stations reported ({pct}%).").format(
        n=format_indian(reported), total=format_indian(active), pct=f"{reported / active * 100:.1f}")
        if active else _("No active police stations."))

    # not-reported stations
    nr = read.not_reported_in_scope(eng, month, sc)
    nrows = _rows(nr)
    cols = NOT_REPORTED_COLUMNS if sc.role == "national" else [c for c in NOT_REPORTED_COLUMNS
                                                               if c["field"] != "state_name"]
    not_reported = (grid("data-not-reported-grid", nrows, cols, row_id="station_code", page_size=12) if nrows
                    else empty_state(_("Every active police station reported"),
                                     _("for {month}").format(month=month_label(month))))
    nr_note = (ngettext("{n} police station.", "{n} police stations.", len(nrows)).format(n=format_indian(len(nrows)))
               if nrows else None)

    # State-level rows
    srs = state_row_rows(read.state_rows_status(eng, month))
    state_rows = (grid("data-state-rows-grid", srs, STATE_ROWS_COLUMNS, row_id="state_code", page_size=40) if srs
                  else empty_state())
    short = [r["name"] for r in srs if r["sent"] < r["expected"]]

    latest = batches[0] if batches else None
    kpis = [
        kpi_card(_("Data as of"), as_of, sub=_("last successful import")),
        kpi_card(_("Stations reported"), f"{format_indian(reported)} / {format_indian(active)}",
                 sub=_("{pct}% of active police stations").format(pct=f"{reported / active * 100:.1f}") if active
                 else None,
                 tone="bad" if missing > 0 else "good"),
        kpi_card(_("Not reported"), format_indian(missing), sub=_("police stations with no data this month"),
                 tone="bad" if missing > 0 else None),
        kpi_card(_("State-level rows"), _("{n} of {total}").format(n=len(srs) - len(short), total=len(srs)),
                 sub=(_("States/UTs with every row") if not short
                      else _("missing: {names}").format(names=", ".join(short[:3])) + ("…" if len(short) > 3 else "")),
                 tone="bad" if short else None),
    ]
    if latest is not None:
        kpis[0] = kpi_card(_("Data as of"), as_of, sub=_("latest batch #{id} by {user}").format(
            id=latest["id"], user=latest["created_by"]))
    subtitle = f"{month_label(month)} · " + _("data as of {when}").format(when=as_of or "–")
    return (subtitle, [dbc.Col(c, xs=6, lg=3) for c in kpis], title, reporting, reporting_note,
            not_reported, nr_note, state_rows, batches_view, batches_note)
