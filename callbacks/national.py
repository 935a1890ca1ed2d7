"""National page callbacks: validate month/category, ask dashboard.read, build rows and figures."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, ctx, html
from dash.exceptions import PreventUpdate

from callbacks.common import cached_callback, draw_plain_table, engine, query_strings, valid_month
from callbacks.shell import follow_theme
from callbacks.unit_common import point_code, scheme_param
from dashboard.display import (
    format_change_centi,
    format_gap,
    format_indian,
    format_rank,
    format_score,
    is_missing,
    month_label,
    no_data,
    rank_change_text,
    shared_ranks,
    streak_text,
)
from dashboard.i18n import N_, Translated
from dashboard.i18n import gettext as _
from layouts import figures
from layouts.components import category_for_tab, category_label, empty_state, kpi_card, page_href
from layouts.national import ids, league_table, scheme_nav
from layouts.shell import ids as shell_ids
from metrics.methodology import SCHEME_ID_RE

SHORT_CATEGORY = Translated({"Major States": N_("Major"), "Hilly & North-East": N_("Hilly/NE"), "UTs": N_("UT")})


def register(app: dash.Dash) -> None:
    cached_callback(
        app,
        Output(ids.TABLE_DATA, "data"),
        Output(ids.TABLE_NOTE, "children"),
        Output(ids.KPIS, "children"),
        Output(ids.SUBTITLE, "children"),
        Output(ids.TILE_MAP, "figure"),
        Output(ids.HEATMAP, "figure"),
        Output(ids.BUMP_PICK, "options"),
        Output(ids.SCHEME_TABS, "children"),
        Input(ids.QUERY, "data"),
        State(shell_ids.THEME_STORE, "data"),
    )(update_page)
    cached_callback(
        app,
        Output(ids.BUMP, "figure"),
        Input(ids.QUERY, "data"),
        Input(ids.BUMP_PICK, "value"),
        State(shell_ids.THEME_STORE, "data"),
    )(update_bump)
    app.callback(
        Output(shell_ids.URL, "href", allow_duplicate=True),
        Input(ids.HEATMAP, "clickData"),
        Input(ids.TILE_MAP, "clickData"),
        State(ids.QUERY, "data"),
        prevent_initial_call=True,
    )(drill_down)
    follow_theme(app, ids.TILE_MAP, ids.HEATMAP, ids.BUMP)
    draw_plain_table(app, ids.TABLE)


# --- inputs ------------------------------------------------------------------------------------------


def resolve(query: Any) -> tuple[str | None, str | None, list[str]]:
    """(month, category, months) from the page's query store; month falls back to the latest with our
    results (a month known only from NCRB's published results is accepted too)."""
    from dashboard import read

    scheme = resolve_scheme(query)
    months = read.months(engine(), scheme=scheme)
    q = query_strings(query, ("month", "category"))
    month = (valid_month(q["month"], read.scheme_months(engine(), scheme=scheme))
             or (months[-1] if months else None))
    return month, category_for_tab(q["category"]), months


def resolve_scheme(query: Any) -> str:
    """The page's ranking scheme, accepted only if stored (CCTNS otherwise)."""
    from dashboard import read

    return read.valid_scheme(query_strings(query, ("scheme",))["scheme"], read.scheme_ids(engine()))


# --- rows --------------------------------------------------------------------------------------------


def league_rows(table: pd.DataFrame, category: str | None = None) -> list[dict]:
    """League-table rows (JSON-safe) from read.states_table for ALL States; filtered to a category
    after the shared-rank flags are computed over the whole country."""
    if table is None or table.empty:
        return []
    records = table.to_dict("records")
    shared_nat = shared_ranks([r["rank_national"] for r in records])
    shared_cat = [False] * len(records)
    if "rank_category" in table:
        positions: dict[Any, list[int]] = {}
        for pos, r in enumerate(records):
            if not is_missing(r.get("category")):
                positions.setdefault(r["category"], []).append(pos)
        for idx in positions.values():
            for i, f in zip(idx, shared_ranks([records[i]["rank_category"] for i in idx]), strict=True):
                shared_cat[i] = f
    rows = []
    for pos, r in enumerate(records):
        if category and r.get("category") != category:
            continue
        rank = _int(r.get("rank_national"))
        rank_cat = _int(r.get("rank_category"))
        change = _int(r.get("rank_change_national"))
        sym, _tone, words = rank_change_text(change)
        active = _int(r.get("stations_active")) or 0
        reported = _int(r.get("stations_reported")) or 0
        centi = _int(r.get("score_centi"))
        streak1 = _int(r.get("streak_at_1")) or 0
        streak5 = _int(r.get("streak_top5")) or 0
        rank_text = format_rank(rank, shared_nat[pos])
        rows.append({
            "state_code": r["state_code"],
            "name": r["name"],
            "category": r.get("category"),
            "rank": rank if category is None else rank_cat,
            "rank_national": rank,
            "rank_text": (rank_text if category is None else format_rank(rank_cat, shared_cat[pos])),
            "rank_words": (_("{name}: rank {rank} shared with another State/UT on the same score").format(
                name=r["name"], rank=rank) if shared_nat[pos]
                else _("{name}: rank {rank}").format(name=r["name"], rank=format_rank(rank))),
            "score_centi": centi,
            "score_display": format_score(r.get("score"), centi) if centi is not None else no_data(),
            "gap_centi": None if centi is None else 10000 - centi,
            "gap_text": format_gap(centi),
            "score_change_centi": _int(r.get("score_change_centi")),
            "change_text": format_change_centi(r.get("score_change_centi")),
            "rank_change": change,
            "rank_change_text": sym if change is not None else _("new"),
            "rank_change_words": _("All-India rank: {change}").format(change=words),
            "rank_category": rank_cat,
            "rank_category_text": (f"{format_rank(rank_cat, shared_cat[pos])} · {SHORT_CATEGORY.get(r.get('category'), r.get('category') or '')}"
                                   if category is None else _("{rank} all-India").format(
                                       rank=format_rank(rank, shared_nat[pos]))),
            "streak_sort": streak1 * 1000 + streak5,
            "streak_text": streak_text(streak1, streak5, short=True),
            "stations_active": active,
            "stations_reported": reported,
            "reported_share": (reported / active) if active else None,
            "stations_text": f"{format_indian(reported)} / {format_indian(active)}",
            "published_centi": None, "published_text": "", "published_words": "", "published_flag": False,
        })
    return rows


def add_published(rows: list[dict], rec) -> list[str]:
    """NCRB's published score beside ours (⚑ and the difference where it is 0.01 or more); returns the
    reconciliation sentences of the flagged States."""
    from dashboard import read

    flagged = []
    by_code = {r["state_code"]: r for r in rec.to_dict("records")} if rec is not None and len(rec) else {}
    for row in rows:
        r = by_code.get(row["state_code"])
        if r is None:
            continue
        row["published_centi"] = r["published_centi"]
        row["published_flag"] = bool(r["flagged"])
        row["published_text"] = (f"{r['published_score']} ⚑ {r['difference']}" if r["flagged"]
                                 else f"{r['published_score']} ✓")
        row["published_words"] = read.reconciliation_words(r) if r["flagged"] else "NCRB published the same score"
        if r["flagged"]:
            flagged.append(f"{row['name']}: {read.reconciliation_words(r)}")
    return flagged


def published_rows(pub) -> list[dict]:
    """League-table rows of a month known only from NCRB's published results (no drill-down)."""
    rows = []
    for r in pub.to_dict("records"):
        rank = _int(r.get("rank"))
        cat_rank = _int(r.get("category_rank"))
        rows.append({
            "state_code": r["state_code"], "name": r["name"], "category": r.get("category"),
            "rank": rank, "rank_national": rank, "rank_text": format_rank(rank),
            "rank_words": f"{r['name']}: rank {format_rank(rank)} as published by NCRB",
            "score_centi": _int(r.get("score_centi")), "score_display": r["score_display"],
            "gap_centi": None, "gap_text": format_gap(_int(r.get("score_centi"))), "score_change_centi": None,
            "change_text": "", "rank_change": None, "rank_change_text": "", "rank_change_words": "",
            "rank_category": cat_rank,
            "rank_category_text": (f"{format_rank(cat_rank)} · {SHORT_CATEGORY.get(r.get('category'), '')}"
                                   if cat_rank else ""),
            "streak_sort": 0, "streak_text": "", "stations_active": 0, "stations_reported": 0,
            "reported_share": None, "stations_text": "", "published_centi": _int(r.get("score_centi")),
            "published_text": "as published", "published_words": str(r.get("source") or ""),
            "published_flag": False, "published_only": True,
        })
    return rows


def _int(v: object) -> int | None:
    return None if is_missing(v) else int(v)  # type: ignore[arg-type]


def kpis(rows: list[dict], scope_label: str) -> list:
    if not rows:
        return [dbc.Col(empty_state(), width=12)]
    scored = [r for r in rows if r["score_centi"] is not None]
    top = scored[0] if scored else None
    second = scored[1] if len(scored) > 1 else None
    reported = sum(r["stations_reported"] for r in rows)
    active = sum(r["stations_active"] for r in rows)
    lead = (top["score_centi"] - second["score_centi"]) if top and second else None
    full = [r for r in scored if r["score_centi"] == 10000]
    cards = [
        kpi_card(_("Top of the table"), top["name"] if top else "–",
                 sub=_("Score {score} · gap to 100: {gap}").format(score=top["score_display"], gap=top["gap_text"])
                 if top else None),
        kpi_card(_("Lead at the top"), format_score(None, lead) if lead is not None else "–",
                 sub=(_("{first} over {second}").format(first=top["name"], second=second["name"])
                      + (" " + _("(shared #1)") if lead == 0 else ""))
                 if top and second else None,
                 help_text=_("Score points between #1 and #2")),
        kpi_card(_("States/UTs scored"), _("{n} of {total}").format(n=len(scored), total=len(rows)),
                 sub=_("{n} at a perfect 100.00").format(n=len(full)) if full else scope_label),
        kpi_card(_("Stations reported"), f"{format_indian(reported)} / {format_indian(active)}",
                 sub=(_("{pct}% of active police stations").format(pct=f"{reported / active * 100:.1f}")
                      if active else None),
                 tone="bad" if active and reported < 0.95 * active else None),
    ]
    return [dbc.Col(c, xs=6, lg=3) for c in cards]


# --- callbacks ------------------------------------------------------------------------------------------


def update_page(query: Any, theme: str | None):
    from dashboard import read

    month, category, months = resolve(query)
    scheme = resolve_scheme(query)
    dark = theme == "dark"
    scope_label = category_label(category) if category else _("All States/UTs")
    eng = engine()
    tabs = scheme_nav(month if month in months else None, category, scheme, read.schemes(eng))
    if month is None:
        empty = figures.themed(figures.empty_figure_spec(), dark)
        return (league_table([], None, None), empty_state(), kpis([], scope_label),
                f"{scope_label} · {_('no data yet')}", empty, empty, [], tabs)
    if month not in months:  # known only from NCRB's published results: the official table, no drill-down
        pub = read.published_table(eng, month, scheme=scheme)
        if category:
            pub = pub[pub["category"] == category]
        rows = published_rows(pub)
        empty = figures.themed(figures.empty_figure_spec(_("No local data for this month: only NCRB's published "
                                                           "results")), dark)
        note = [html.Span(_("As published by NCRB: {n} State(s)/UT(s) reported in public sources for {month}; no "
                            "local data for this month, so no drill-down. Source of each row in its tooltip.")
                          .format(n=len(rows), month=month_label(month)))]
        cards = [dbc.Col(kpi_card(_("As published by NCRB"), rows[0]["name"] if rows else "–",
                                  sub=_("Score {score}, rank {rank}").format(score=rows[0]["score_display"],
                                                                            rank=rows[0]["rank_text"])
                                  if rows else None), xs=12, sm=6, lg=3)]
        published = _("as published by NCRB")
        subtitle = f"{scope_label} · {month_label(month)} · {published}"
        return league_table(rows, month, scheme_param(scheme)), note, cards, subtitle, empty, empty, [], tabs
    summary = read.national_summary(eng, month, scheme=scheme)  # one read, one cache entry
    table = summary["table"]
    rows = league_rows(table, category)
    flagged = add_published(rows, summary["reconciliation"])
    codes = [r["state_code"] for r in rows]
    note = _table_note(rows, category)
    if flagged:
        note.append(html.Div([html.Strong("⚑ NCRB's published score differs from ours: "),
                              html.Ul([html.Li(t) for t in flagged], className="mb-0")],
                             className="reconciliation-note mt-2"))
    tile = figures.themed(figures.tile_map_spec(table), dark)
    matrix = summary["matrix"]
    order = list(table["state_code"])
    matrix = matrix[matrix["unit_code"].isin(codes)] if category else matrix
    heat = figures.themed(figures.heatmap_marks_lost_spec(matrix, _("State/UT"), unit_order=order, transpose=True,
                                                            unit_codes_as_labels=True), dark)
    options = [{"label": r["name"], "value": r["state_code"]} for r in sorted(rows, key=lambda r: r["name"])]
    subtitle = f"{scope_label} · {month_label(month)}"
    link_month = month if query_strings(query, ("month",))["month"] == month else None  # as the URL has it
    return (league_table(rows, link_month, scheme_param(scheme)), note, kpis(rows, scope_label), subtitle, tile,
            heat, options, tabs)


def _table_note(rows: list[dict], category: str | None) -> list:
    shared = any(r["rank_text"].startswith("=") for r in rows)
    parts = [_("Ranks are competition ranks on the published score.")]
    if shared:
        parts.append(_("“=” marks a rank shared with another State/UT on the same score."))
    if category:
        parts.append(_("Ranks shown are within {category}; the all-India rank is in the “Category rank” column.")
                     .format(category=category_label(category)))
    unscored = [r["name"] for r in rows if r["score_centi"] is None]
    if unscored:
        parts.append(_("No data this month: {names}.").format(names=", ".join(unscored)))
    return [html.Span(" ".join(parts))]


def update_bump(query: Any, picked: list[str] | None, theme: str | None):
    from dashboard import read

    month, category, months = resolve(query)
    scheme = resolve_scheme(query)
    dark = theme == "dark"
    if month is None or month not in months:
        return figures.themed(figures.empty_figure_spec(), dark)
    eng = engine()
    rank_column = "rank_category" if category else "rank_national"
    history = read.rank_history(eng, month, 12, level="state", rank_column=rank_column, scheme=scheme)
    if category:
        members = read.states_table(eng, month, category, scheme=scheme)["state_code"]
        history = history[history["unit_code"].isin(set(members))]
    picks = [p for p in (picked if isinstance(picked, list) else []) if isinstance(p, str)][:12]
    return figures.themed(figures.bump_chart_spec(history, picks), dark)


def drill_down(heat_click: dict | None, tile_click: dict | None, query: Any) -> str:
    """A click on the heat-map or the tile map opens the State (the table's names are links)."""
    code = None
    trig = ctx.triggered_id
    if trig == ids.HEATMAP:
        code = point_code(heat_click)
    elif trig == ids.TILE_MAP:
        code = point_code(tile_click)
    if not isinstance(code, str) or not code.isalnum() or len(code) > 8:
        raise PreventUpdate
    q = query_strings(query, ("month", "scheme"))
    scheme = q["scheme"] if q["scheme"] and SCHEME_ID_RE.match(q["scheme"]) and q["scheme"] != "cctns" else None
    return page_href(f"/state/{code}", q["month"], scheme=scheme)
