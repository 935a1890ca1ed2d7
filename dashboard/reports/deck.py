"""The slides of a review, as plain data: one description rendered three ways (the `/present` deck in
the browser, the PDF and the PPTX), so the handout is exactly what was shown.

`slides(review) -> list[Slide]`. A slide has a title, a subtitle and columns of blocks (Kpis, Table,
Chart, Text); long tables are split across slides ("District league table (2/3)"). Charts are the
shared builders of `layouts.figures` with projector-sized type (`for_slides`). Pure: no I/O.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pandas as pd

from dashboard.actions import tally
from dashboard.display import (
    PROJECTION_NOTE,
    STATUS_WORDS,
    action_carry_text,
    action_data_text,
    action_value,
    backtest_text,
    format_change_centi,
    format_indian,
    format_rank,
    format_score,
    format_timestamp,
    is_missing,
    month_long,
    month_short,
    outcome_words,
    probability_text,
    projection_headline,
    rank_change_text,
    rank_range_text,
    shared_ranks,
    streak_text,
)
from dashboard.i18n import N_, ngettext
from dashboard.i18n import gettext as _
from dashboard.reports.review import LAGGING_TOP, TOP_N, Review
from dashboard.safe_text import strip_control_characters
from layouts import figures
from layouts.slides import Chart, Col, Kpi, Kpis, RowRef, Slide, Table, Text
from metrics.methodology import next_month

TABLE_ROWS = 8  # rows of a league table per slide (readable from the back of a hall at 1024x768)
LAGGING_ROWS = 5  # lagging stations per slide (each has a reason in words)
CHART_PARAMETERS = 7  # parameters in the "marks lost" chart
WHY_PARAMETERS = 5  # parameters in the "why" chart (two bars each)
SLIDE_FONT = 18  # chart type size (px) on a 1024-pixel-wide slide
TALLY_ROWS = 6  # districts (or stations) per commitments slide, under the headline numbers
COMMITMENT_ROWS = 3  # not-met / carried-over actions per slide (each has its text and the data in words)
COMMITMENTS_LISTED = 9  # at most this many listed in the deck; every action is in the XLSX pack
ACTION_CHARS = 90  # an action's text on a slide is cut here (the notes and the XLSX have all of it)
FOLLOW_TITLE = N_("Not met or carried over")


# --- formatting ----------------------------------------------------------------------------------------


def _int(v: object) -> int | None:
    return None if is_missing(v) else int(v)  # type: ignore[arg-type]


def _change_tone(v: object) -> str:
    c = _int(v)
    return "" if c is None or c == 0 else ("up" if c > 0 else "down")


def _rank_change(v: object) -> str:
    text, _tone, _words = rank_change_text(v)
    return "–" if text == "–" else text


def _places(n: int) -> str:
    return ngettext("{n} place", "{n} places", n).format(n=n)


def _category(category: object) -> str:
    """A category of `states.category` in the current language."""
    from layouts.components import category_label

    return category_label(category) if category else ""


def _marks(x: object, decimals: int = 2) -> str:
    return "–" if is_missing(x) else f"{float(x):.{decimals}f}"  # type: ignore[arg-type]


def _signed(x: object, decimals: int = 2) -> str:
    if is_missing(x):
        return "–"
    v = round(float(x), decimals)  # type: ignore[arg-type]
    if v == 0:
        return f"{0:.{decimals}f}"
    return f"+{v:.{decimals}f}" if v > 0 else f"−{abs(v):.{decimals}f}"


def stamp(review: Review) -> str:
    """The footer stamp of every slide and page."""
    return _("{scope} · {month} · data as of {as_of} · {scheme} methodology {version} ({provenance})").format(
        scope=review.scope_name, month=month_long(review.month), as_of=format_timestamp(review.data_as_of),
        scheme=review.scheme_name, version=review.methodology_version, provenance=review.methodology_provenance)


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    if n <= 0:
        return [(0, 0)]
    return [(i, min(n, i + size)) for i in range(0, n, size)]


def _part(title: str, i: int, total: int) -> str:
    return f"{title} ({i}/{total})" if total > 1 else title


# --- charts ---------------------------------------------------------------------------------------------


def for_slides(fig: figures.Spec, font: int = SLIDE_FONT, wrap: int = 26) -> figures.Spec:
    """Projector type on a shared figure (a spec of `layouts.figures`, not changed): bigger fonts and
    markers, no fixed height (fills its box). Plain dicts, as plotly's `update_layout` / `update_xaxes` would
    leave them: no validation on the deck's cold path (a validated go.Figure costs tens of ms per chart)."""
    spec: figures.Spec = {"data": [dict(t) for t in fig.get("data", ())],
                          "layout": copy.deepcopy(fig.get("layout", {}))}
    figures.update_layout(spec, height=None, autosize=True, font=dict(size=font), legend=dict(font=dict(size=font - 1)),
                          hoverlabel=dict(font=dict(size=font)), margin=dict(l=8, r=64, t=30, b=8))
    figures.update_axes(spec, "x", tickfont=dict(size=font - 1), title=dict(font=dict(size=font)), tickangle=0,
                        nticks=5, automargin=True)
    figures.update_axes(spec, "y", tickfont=dict(size=font - 1), title=dict(font=dict(size=font)))
    layout = spec["layout"]
    if layout.get("annotations"):
        layout["annotations"] = [{**a, "font": dict(size=max(font - 3, (a.get("font") or {}).get("size") or 0))}
                                 for a in layout["annotations"]]
    bars = [t for t in spec["data"] if t.get("type") == "bar" and t.get("x") is not None]
    small = bool(bars) and max((abs(float(v)) for t in bars for v in t["x"] if v is not None), default=0) < 0.1
    for t in spec["data"]:
        width = (t.get("line") or {}).get("width")
        if t.get("type", "scatter") == "scatter" and width:
            t["line"] = {**t["line"], "width": max(float(width) + 1.5, 3.5)}
        if t.get("type") == "bar":
            t.update(textfont=dict(size=font - 1), cliponaxis=False, constraintext="none")
            if t.get("orientation") == "h" and t.get("y") is not None:
                t["y"] = [wrap_label(str(v), wrap) for v in t["y"]]
            if small and t.get("text") is not None:  # tiny values: 3 decimals, never "0.00" beside a visible bar
                signed = any(str(x).startswith(("+", "-")) for x in t["text"])
                t["text"] = [f"{float(v):+.3f}" if signed else f"{float(v):.3f}" for v in t["x"]]
    if bars and all(t.get("orientation") == "h" for t in bars):
        # room for the value labels on both sides; the caption names the unit, so no axis title
        values = [float(v) for t in bars for v in t["x"] if v is not None]
        lo, hi = min([0.0, *values]), max([0.0, *values])
        pad = 0.45 * (hi - lo or 1.0)
        figures.update_axes(spec, "x", range=[lo - (pad if lo < 0 else 0), hi + (pad if hi > 0 else 0)],
                            title=dict(text=None), nticks=4, zeroline=True)
    months = _category_months(spec)
    if months:
        step = 1 if len(months) <= 7 else 2
        shown = [(len(months) - 1 - i) % step == 0 for i in range(len(months))]
        first = shown.index(True)
        figures.update_axes(spec, "x", tickmode="array", tickvals=months, tickangle=0,
                            ticktext=[_tick(m, i == first) if shown[i] else "" for i, m in enumerate(months)])
    return spec


_ENTITY = re.compile(r"&(#\d+|#x[\da-fA-F]+|[a-z]+);")


def _shown_len(text: str) -> int:
    """Characters plotly draws for an escaped label (an entity such as &lt; is one)."""
    return len(_ENTITY.sub("x", text))


def wrap_label(text: str, width: int = 26) -> str:
    """A long axis label on two lines (plotly's <br>), so bars keep most of a slide's width. `text` is a label
    as the figure builders escape it (layouts.figures); words are split on spaces, never inside an entity."""
    if _shown_len(text) <= width:
        return text
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and _shown_len(line) + 1 + _shown_len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return "<br>".join(lines)


def _category_months(fig: figures.Spec) -> list[str]:
    """The months on a figure's category x axis ("2026-01" style), in order; [] when not a month axis."""
    xs: list[str] = []
    for t in fig.get("data", ()):
        if t.get("type", "scatter") == "scatter" and t.get("x") is not None:
            xs += [str(x) for x in t["x"]]
    months = sorted(set(xs))
    return months if months and all(len(m) == 7 and m[4] == "-" for m in months) else []


def _tick(month: str, first: bool) -> str:
    name = month_short(month)[:3]
    return f"{name}<br>{month[:4]}" if first or month[5:7] == "01" else name


def _trend_chart(review: Review) -> Chart:
    if review.is_district:
        fig = figures.score_trend_spec(review.district_trend, name=review.district_name,
                                  compare_df=review.trend,
                                  compare_name=_("{name} (State)").format(name=review.state_name))
        return Chart("trend", for_slides(fig),
                     caption=_("Score of {name}, last 12 months").format(name=review.district_name))
    above = review.above
    fig = figures.score_trend_spec(review.trend, name=review.state_name,
                              compare_df=review.above_trend if above else None,
                              compare_name=above["name"] if above else None)
    return Chart("trend", for_slides(fig), caption=(
        _("Score, last 12 months, against {name} (rank above)").format(name=above["name"]) if above
        else _("Score, last 12 months")))


def _rank_chart(review: Review) -> Chart:
    if review.is_district:
        hist = review.district_rank_history
        codes = _around(hist, review.month, review.district_code, around=1)
        fig = figures.bump_chart_spec(hist[hist["unit_code"].isin(codes)], highlight_codes=[review.district_code],
                                 top_n=len(codes))
        return Chart("rank", for_slides(_bump_tidy(fig)),
                     caption=_("Rank among {state}'s districts: leader and neighbours").format(
                         state=review.state_name))
    codes = list(dict.fromkeys(review.rank_history["unit_code"]))
    fig = figures.bump_chart_spec(review.rank_history, highlight_codes=[review.state_code], top_n=len(codes))
    return Chart("rank", for_slides(_bump_tidy(fig)), caption=_("All-India rank: leader and neighbours"))


def _bump_tidy(fig: figures.Spec) -> figures.Spec:
    """Bump chart for a slide: legend on top (the chart keeps the width for the months)."""
    return figures.update_layout(fig, legend=dict(orientation="h", y=1.02, x=0, yanchor="bottom", xanchor="left"))


def _around(hist: pd.DataFrame, month: str, code: str | None, around: int = 2) -> list[str]:
    last = hist[(hist["month"] == month) & hist["rank"].notna()].sort_values(["rank", "name"])
    codes = list(last["unit_code"])
    if code not in codes:
        return [*codes[:1], *([code] if code else [])]
    i = codes.index(code)
    return list(dict.fromkeys([*codes[:1], *codes[max(0, i - around): i + around + 1]]))


# --- slides ---------------------------------------------------------------------------------------------


def slides(review: Review) -> list[Slide]:
    """Every slide of the review, in order: the title, then the commitments from the last review."""
    out = [title_slide(review), *commitment_slides(review), standing_slide(review), trend_slide(review),
           why_slide(review), lost_slide(review)]
    if not review.projection.empty:
        out.append(projection_slide(review))
    if review.is_district:
        out += station_slides(review) + [movers_slide(review, stations=True)] + lagging_slides(review)
    else:
        out += district_slides(review) + [movers_slide(review)] + lagging_slides(review)
    return out


# --- the review loop: commitments from the last review ----------------------------------------------------

COMMITMENTS_TITLE = N_("Commitments from the last review and what the data shows")
# labels in English (marked N_), shown through _()
TALLY_KEYS = (("met", N_("Met"), "up"), ("partly_met", N_("Partly met"), ""), ("not_met", N_("Not met"), "down"),
              ("carried_over", N_("Carried over"), "down"), ("pending", N_("Pending"), ""))


def _typed(text: object, limit: int | None = None) -> str:
    """Text a person typed, for a slide: control characters removed, cut at `limit` characters."""
    out = strip_control_characters(" ".join(str(text or "").split()))
    return out if limit is None or len(out) <= limit else out[: limit - 1].rstrip() + "…"


def commitment_groups(r: Review) -> list[tuple[str, pd.DataFrame]]:
    """The commitments grouped as the tally shows them: by district for a State review (State-level actions
    first, as "State HQ"), by police station for a district review; the groups with most not met first."""
    c = r.commitments
    if c.empty:
        return []
    if r.is_district:
        keys = [code if level == "station" else "" for level, code in zip(c["level"], c["unit_code"], strict=True)]
        names = {code: name for code, name, level in zip(c["unit_code"], c["unit_name"], c["level"], strict=True)
                 if level == "station"}
        names[""] = f"{r.district_name} (district level)"
    else:
        keys = [d if isinstance(d, str) and d else "" for d in c["district_code"]]
        names = {d: n for d, n in zip(c["district_code"], c["district_name"], strict=True) if isinstance(d, str) and d}
        names[""] = f"{r.state_name} (State HQ)"
    groups = [(names.get(k, k), c[[x == k for x in keys]]) for k in dict.fromkeys(keys)]
    tallies = [tally(g) for _name, g in groups]
    order = sorted(range(len(groups)), key=lambda i: (-tallies[i]["not_met"], -tallies[i]["carried_over"],
                                                      -tallies[i]["total"], groups[i][0]))
    return [groups[i] for i in order]


def _tally_kpis(t: dict[str, int]) -> Kpis:
    return Kpis([Kpi(_(label), str(t[key]), "", tone if t[key] else "") for key, label, tone in TALLY_KEYS],
                horizontal=True)


def commitments_to_follow(r: Review) -> pd.DataFrame:
    """The commitments not met or carried over, most carried first, then most at stake."""
    c = r.commitments
    if c.empty:
        return c
    carried = (c["status"].isin(("open", "escalated"))) & (c["carry_cycles"].fillna(0).astype(int) > 0)
    shown = c[c["outcome"].isin(("not_met", "no_data")) | carried].copy()
    shown["_cycles"] = shown["carry_cycles"].fillna(0).astype(int)
    shown["_stake"] = shown["gap_at_stake"].astype(float).fillna(0.0)
    return shown.sort_values(["_cycles", "_stake", "id"], ascending=[False, False, True]).drop(
        columns=["_cycles", "_stake"]).reset_index(drop=True)


def _parameter(row: dict) -> str | None:
    """The action's parameter id, None for an action about a station as a whole (NaN in a DataFrame row)."""
    p = row.get("parameter")
    return None if is_missing(p) or not p else str(p)


def _unit_cell(row: dict) -> str:
    name = _typed(row["unit_name"])
    if row["level"] == "station" and row.get("district_name"):
        return f"{name}\n{_typed(row['district_name'])}"
    level = {"district": _("District"), "state": _("State")}.get(row["level"], str(row["level"]).capitalize())
    return f"{name}\n{level}" if row["level"] != "station" else name


def _action_cell(row: dict) -> str:
    """The action as typed (cut at ACTION_CHARS) and, unless its text names it, what it is about."""
    text = _typed(row["text"], ACTION_CHARS)
    about = _typed(row.get("parameter_name")) if _parameter(row) else _("the station's score")
    return text if about.lower() in text.lower() else f"{text}\n" + _("about: {what}").format(what=about)


def _due_cell(row: dict) -> str:
    """When it was due and, below, where carry-over has taken it: "Jun 2025 / carried to Aug 2025 (2×)"."""
    cycles = int(row.get("carry_cycles") or 0)
    escalated = row.get("status") == "escalated"
    line = month_short(str(row["due_month"]))
    if cycles:
        return f"{line}\n" + _("carried to {month} ({n}×)").format(
            month=month_short(str(row["current_due_month"])), n=cycles) + (", " + _("escalated") if escalated else "")
    return f"{line}\n" + _("escalated") if escalated else line


def _data_cell(row: dict) -> str:
    """The outcome with the figure that gave it, and below it the figure the action was made on."""
    has_parameter = _parameter(row) is not None
    then = action_value(row.get("gap_value"), row.get("gap_numerator"), row.get("gap_denominator"), has_parameter)
    outcome = str(row.get("outcome") or "pending")
    words = outcome_words(outcome)
    head = words[:1].upper() + words[1:]
    if outcome != "pending" and not is_missing(row.get("outcome_month")):
        now = action_value(row.get("now_value"), row.get("now_numerator"), row.get("now_denominator"),
                           has_parameter)
        head += ": " + _("{figure} in {month}").format(figure=now, month=month_short(str(row["outcome_month"])))
    if row.get("status") in ("done", "dropped"):
        head += " (" + _("marked {status}").format(status=STATUS_WORDS.get(row["status"], row["status"])) + ")"
    target = row.get("gap_target")
    bar = "" if is_missing(target) else (_("; target {target}%").format(target=f"{float(target):g}") if has_parameter
                                          else _("; lagging below {target}").format(target=f"{float(target):g}"))
    return f"{head}\n" + _("was {figure} in {month}").format(figure=then,
                                                          month=month_short(str(row["basis_month"]))) + bar


def commitment_slides(r: Review) -> list[Slide]:
    """The review's opening: how the actions agreed before this month stand in the data (the tally, by
    district or by police station) and which are not met or carried over. Says so plainly when none."""
    c = r.commitments
    where = r.scope_name
    if c.empty:
        text = Text([_("No actions were agreed for {where} before {month}'s data, so there is nothing to follow "
                       "up in this review.").format(where=where, month=month_long(r.month)),
                     _("Actions agreed in this review appear here in the next one, judged by its data.")], size="l")
        return [Slide("commitments", _(COMMITMENTS_TITLE), f"{where} · {month_long(r.month)}", columns=[[text]],
                      notes=_("No commitments from the last review for {where}.").format(where=where))]
    total = tally(c)
    groups = commitment_groups(r)
    unit = _("Police station") if r.is_district else _("District")
    parts = _chunks(len(groups), TALLY_ROWS)
    out: list[Slide] = []
    for n, (a, b) in enumerate(parts, 1):
        keys = TALLY_KEYS + ((("not_judged", N_("Cannot be judged"), ""),) if total["not_judged"] else ())
        t = Table([Col(unit, "left", 2.4), Col(_("Actions"), "right", 0.9)]
                  + [Col(_(label), "right", 1.0) for _k, label, _t in keys], [], dense=True)
        for name, g in groups[a:b]:
            counts = tally(g)
            t.rows.append([_typed(name), str(counts["total"])] + [str(counts[k]) for k, _l, _t in keys])
            t.tones.append(["", ""] + [tone if counts[k] else "" for k, _l, tone in keys])
        notes = (_("{n} actions from earlier reviews:").format(n=total["total"]) + " " + ", ".join(
            f"{total[k]} {_(label).lower()}" for k, label, _t in TALLY_KEYS)
            + (", " + _("{n} cannot be judged").format(n=total["not_judged"]) if total["not_judged"] else "")
            + (", " + _("{n} escalated").format(n=total["escalated"]) if total["escalated"] else "") + ". "
            + "; ".join(_("{unit}: {met} met, {not_met} not met, {carried} carried over").format(
                unit=row[0], met=row[2], not_met=row[4], carried=row[5]) for row in t.rows) + ".")
        sub = f"{where} · " + ngettext("{n} action agreed before {month}'s data, as the data judges them",
                                       "{n} actions agreed before {month}'s data, as the data judges them",
                                       total["total"]).format(n=total["total"], month=month_long(r.month))
        out.append(Slide(f"commitments-{n}" if len(parts) > 1 else "commitments",
                         _part(_(COMMITMENTS_TITLE), n, len(parts)), sub, columns=[[_tally_kpis(total), t]],
                         notes=notes))
    follow = commitments_to_follow(r)
    shown = follow.head(COMMITMENTS_LISTED)
    shown_rows = shown.to_dict("records")  # once: a wide frame's to_dict costs a column read per column
    lists = _chunks(len(shown), COMMITMENT_ROWS) if len(shown) else []
    for n, (a, b) in enumerate(lists, 1):
        t = Table([Col(_("Unit"), "left", 1.5), Col(_("Action"), "left", 2.8), Col(_("Owner"), "left", 1.2),
                   Col(_("Due"), "left", 1.3), Col(_("What the data shows"), "left", 2.9)], [], dense=True)
        rows = shown_rows[a:b]
        for row in rows:
            t.rows.append([_unit_cell(row), _action_cell(row), _typed(row["owner"]), _due_cell(row),
                           _data_cell(row)])
            escalating = int(row["carry_cycles"] or 0) >= 2 or row["status"] == "escalated"
            t.tones.append(["", "", "", "down" if escalating else "",
                            "down" if row["outcome"] in ("not_met", "no_data") else ""])
            t.refs.append(RowRef(row["level"], row["unit_code"], _parameter(row)))
        more = len(follow) - len(shown)
        sub = (_("Commitments from the last review: {n} not met or carried over, most carried over first").format(
            n=len(follow)) + (" " + _("(the first {n} here; all in the XLSX pack)").format(n=len(shown)) if more else ""))
        notes = "\n".join(_("{unit}: {text} (owner {owner}; due {due}).").format(
            unit=_typed(row["unit_name"]), text=_typed(row["text"]), owner=_typed(row["owner"]),
            due=action_carry_text(row["due_month"], row["current_due_month"], row["carry_cycles"], row["status"]))
            + " " + action_data_text(row) for row in rows)
        out.append(Slide(f"commitments-open-{n}", _part(_(FOLLOW_TITLE), n, len(lists)), sub,
                         columns=[[t]], notes=notes))
    return out


def title_slide(r: Review) -> Slide:
    h = r.headline
    since = month_short(r.previous_month)
    items = [
        Kpi(_("Score"), h.get("score_display") or "–", _("{change} since {month}").format(
            change=format_change_centi(h.get("score_change_centi")), month=since)),
        Kpi(_("All-India rank"), format_rank(h.get("rank_national")),
            _("of {n} States/UTs").format(n=h.get("states_ranked", "–"))),
        Kpi(_("Category rank"), format_rank(h.get("rank_category")),
            _("of {n} {category}").format(n=h.get("category_ranked", "–"), category=_category(r.category))),
    ]
    if r.is_district and r.district_headline:
        d = r.district_headline
        items = [
            Kpi(_("District score"), d.get("score_display") or "–", _("{change} since {month}").format(
                change=format_change_centi(d.get("score_change_centi")), month=since)),
            Kpi(_("Rank in {state}").format(state=r.state_name), format_rank(d.get("rank_in_state")),
                _("of {n} districts").format(n=d.get("districts_ranked", "–"))),
            Kpi(_("{state} all-India").format(state=r.state_name), format_rank(h.get("rank_national")),
                _("score {score}").format(score=h.get("score_display") or "–")),
        ]
    lines = [_("Data as of") + " " + format_timestamp(r.data_as_of),
             _("{scheme} methodology {version} ({provenance})").format(
                 scheme=r.scheme_name, version=r.methodology_version, provenance=r.methodology_provenance)]
    notes = "\n".join([_("{scope}: review of {month}.").format(scope=r.scope_name, month=month_long(r.month)),
                       *lines, *[f"{k.label}: {k.value} ({k.sub})" for k in items]])
    return Slide("title", r.scope_name, _("{scheme} progress review · {month}").format(
        scheme=r.scheme_name, month=month_long(r.month)),
                 columns=[[Kpis(items, horizontal=True), Text(lines, size="m")]], notes=notes, kind="title")


def standing_slide(r: Review) -> Slide:
    h = r.headline
    rc = _int(h.get("rank_change_national"))
    since = month_short(r.previous_month)
    moved = (_("unchanged since {month}") if rc == 0 else
             (_("up {places} since {month}") if rc and rc > 0 else
              (_("down {places} since {month}") if rc else _("new since {month}")))).format(
        places=_places(abs(rc or 0)), month=since)
    streak1, streak5 = _int(h.get("streak_at_1")) or 0, _int(h.get("streak_top5")) or 0
    kpis = Kpis([
        Kpi(_("All-India rank"), format_rank(h.get("rank_national")),
            _("of {n}").format(n=h.get("states_ranked", "–")) + f" · {moved}",
            "up" if rc and rc > 0 else ("down" if rc and rc < 0 else "")),
        Kpi(_("Category rank"), format_rank(h.get("rank_category")),
            _("of {n} {category}").format(n=h.get("category_ranked", "–"), category=_category(r.category))),
        Kpi(_("Score"), h.get("score_display") or "–", _("{change} since {month}").format(
            change=format_change_centi(h.get("score_change_centi")), month=since)),
        Kpi(_("Months at #1 (streak)"), str(streak1),
            ngettext("{n} month in the top 5", "{n} months in the top 5", streak5).format(n=streak5)),
    ])
    table = states_table(r.states, r.state_code, TOP_N)
    table.dense = True
    notes = _("{state} is ranked {rank} of {n} all-India ({moved}), {cat_rank} of {cat_n} in {category}, score "
              "{score} ({change}). Streak: {streak}.").format(
        state=r.state_name, rank=format_rank(h.get("rank_national")), n=h.get("states_ranked"), moved=moved,
        cat_rank=format_rank(h.get("rank_category")), cat_n=h.get("category_ranked"), category=_category(r.category),
        score=h.get("score_display"), change=format_change_centi(h.get("score_change_centi")),
        streak=streak_text(streak1, streak5))
    return Slide("standing", _("All-India standing"), _("{month} · top {top} of {n} States/UTs").format(
                 month=month_long(r.month), top=TOP_N, n=h.get("states_ranked", "–")), columns=[[kpis], [table]], widths=[0.36, 0.64],
                 notes=notes)


def states_table(states: pd.DataFrame, ours: str, top: int | None = None, rank_col: str = "rank_national",
                 change_col: str = "rank_change_national") -> Table:
    """Rank, State/UT, score, change, rank change; our row highlighted (appended after "…" if below the top)."""
    ranked = states[states[rank_col].notna()].reset_index(drop=True)
    shared = shared_ranks(list(ranked[rank_col]))
    idx = list(range(len(ranked))) if top is None else [i for i in range(len(ranked)) if ranked[rank_col][i] <= top]
    own = [i for i in range(len(ranked)) if ranked["unit_code"][i] == ours]
    gap = bool(own and own[0] not in idx)
    # a dict per row of the columns shown: no pandas indexing in the loop
    rows = ranked[["unit_code", "name", "score_display", "score_change_centi", rank_col, change_col]].to_dict("records")
    table = Table([Col(_("Rank"), "right", 0.7), Col(_("State/UT"), "left", 2.6), Col(_("Score"), "right", 1),
                   Col(_("Change"), "right", 1), Col(_("Moved"), "right", 0.9)], [])
    for i in [*idx, *(own if gap else [])]:
        if gap and i == own[0]:
            table.rows.append(["…", "", "", "", ""])
            table.tones.append([""] * 5)
        r = rows[i]
        if r["unit_code"] == ours:
            table.highlight.add(len(table.rows))
        table.rows.append([format_rank(r[rank_col], shared[i]), str(r["name"]), str(r["score_display"]),
                           format_change_centi(r["score_change_centi"]), _rank_change(r[change_col])])
        table.tones.append(["", "", "", _change_tone(r["score_change_centi"]), _change_tone(r[change_col])])
    return table


def trend_slide(r: Review) -> Slide:
    trend = r.district_trend if r.is_district else r.trend
    scores = [f"{month_short(m)} {s}" for m, s in zip(trend.get("month", []), trend.get("score_display", []),
                                                     strict=False)]
    notes = _("Score by month:") + " " + "; ".join(scores) if scores else _("No score history.")
    title = (_("{district}: score trend and rank in {state}").format(district=r.district_name, state=r.state_name)
             if r.is_district else _("Score trend and rank history"))
    return Slide("trend", title, _("Last 12 months; a dashed line marks a change of methodology"),
                 columns=[[_trend_chart(r)], [_rank_chart(r)]], widths=[0.5, 0.5], notes=notes)


def why_verdict(r: Review) -> str:
    h = r.headline
    rank = format_rank(h.get("rank_national"))
    rc = _int(h.get("rank_change_national"))
    if rc is None:
        head = _("Ranked {rank} (no rank last month)").format(rank=rank)
    elif rc > 0:
        head = _("Up {places} to {rank}").format(places=_places(rc), rank=rank)
    elif rc < 0:
        head = _("Down {places} to {rank}").format(places=_places(-rc), rank=rank)
    else:
        head = _("Rank unchanged at {rank}").format(rank=rank)
    own = format_change_centi(h.get("score_change_centi"))
    return _("{head}: our score {change} since {month}").format(head=head, change=own,
                                                                 month=month_short(r.previous_month))


def why_slide(r: Review) -> Slide:
    d = r.why_own.copy()
    if not d.empty:
        d["weight_of_change"] = d["change"].abs() + d["rivals_change"].fillna(0).abs()
        d = d.sort_values("weight_of_change", ascending=False).head(WHY_PARAMETERS)
    fig = figures.why_rank_moved_spec(d, ours_label=r.state_name, rivals_label=_("States around us (avg)"))
    chart = Chart("why", for_slides(fig, wrap=42), caption=_("Change by parameter since last month (score points)"))
    figures.update_layout(chart.figure, legend=dict(orientation="h", x=1, xanchor="right", y=1.0, yanchor="bottom"),
                          margin=dict(t=36))
    rivals = r.why_rivals
    strip = Kpis([], horizontal=True)
    if rivals is not None and not rivals.empty:
        shared = shared_ranks(list(rivals["rank_national"]))
        for i, row in rivals.iterrows():
            moved = _rank_change(row["rank_change_national"])
            strip.items.append(Kpi(f"{format_rank(row['rank_national'], shared[i])} {row['name']}",
                                   format_change_centi(row["score_change_centi"]),
                                   _("score {score}").format(score=row["score_display"])
                                   + ("" if moved == "–" else f" · {moved}"),
                                   _change_tone(row["score_change_centi"]), highlight=row["unit_code"] == r.state_code))
    verdict = why_verdict(r)
    others = [f"{row['name']} {format_change_centi(row['score_change_centi'])}"
              for _i, row in (rivals.iterrows() if rivals is not None else iter(())) if row["unit_code"] != r.state_code]
    moves = []
    if not r.why_own.empty:
        top = r.why_own.reindex(r.why_own["change"].abs().sort_values(ascending=False).index).head(3)
        moves = [f"{p['parameter_name']} {_signed(p['change'], 3)}" for _i, p in top.iterrows()]
    notes = verdict + ". " + _("Around us:") + " " + (", ".join(others) or _("none")) + "."
    if moves:
        notes += " " + _("Our biggest changes:") + " " + "; ".join(moves) + "."
    return Slide("why", _("Why our rank moved"), verdict,
                 columns=[[strip, chart]], notes=notes)


def lost_slide(r: Review) -> Slide:
    lost = r.marks_lost
    total = float(lost["marks_lost"].sum()) if lost is not None and not lost.empty else 0.0
    fig = figures.marks_lost_bars_spec(lost, top_n=CHART_PARAMETERS)
    chart = Chart("lost", for_slides(fig), caption=_("Marks lost by parameter: {total} in all").format(total=f"{total:.2f}")
                  + (" " + _("(top {n} shown)").format(n=CHART_PARAMETERS)
                     if lost is not None and len(lost) > CHART_PARAMETERS else ""))
    h = r.headline
    if r.above:
        a = r.above
        kpi = Kpi(_("To overtake {name}").format(name=a["name"]), f"+{a['marks_needed']:.2f}",
                  _("score points needed: {name} {score}, we {ours}").format(
                      name=a["name"], score=a["score_display"], ours=h.get("score_display")), "down")
    elif r.below:
        b = r.below
        kpi = Kpi(_("Lead over {name}").format(name=b["name"]), f"{b['lead']:.2f}",
                  _("score points ahead at #{rank}: hold every parameter").format(
                      rank=format_rank(h.get("rank_national"))), "up")
    else:
        kpi = Kpi(_("Standing"), format_rank(h.get("rank_national")), _("no State/UT ranked around us"))
    right: list[Any] = [Kpis([kpi])]
    stakes = r.stakes_by_parameter
    if stakes is not None and not stakes.empty:
        t = Table([Col(_("Fix at lagging stations"), "left", 2.6), Col(_("Stations"), "right", 0.9),
                   Col(_("Marks"), "right", 0.9)], [], caption=_("At stake at lagging stations (State score points)"),
                  dense=True)
        for _i, s in stakes.head(4).iterrows():
            t.rows.append([str(s["parameter_name"]), format_indian(s["stations"]), _marks(s["at_stake"], 3)])
            t.tones.append(["", "", ""])
        right.append(t)
    elif not r.is_district:
        right.append(Text([_("No marks at stake at lagging stations this month.")], size="s"))
    else:
        right.append(Text([_("The marks each of this district's stations can earn are on the lagging-stations "
                             "slide.")], size="s"))
    top = lost.head(3) if lost is not None and not lost.empty else pd.DataFrame()
    notes = f"{kpi.label}: {kpi.value} ({kpi.sub}). " + _("Marks lost in all:") + f" {total:.2f}."
    if not top.empty:
        notes += " " + _("Most marks lost:") + " " + "; ".join(f"{p['parameter_name']} {p['marks_lost']:.3f}"
                                                   for _i, p in top.iterrows()) + "."
    return Slide("lost", _("Marks lost and what it takes"), f"{r.state_name} · {month_long(r.month)}",
                 columns=[[chart], right], widths=[0.55, 0.45], notes=notes)


def district_slides(r: Review) -> list[Slide]:
    d = r.districts
    parts = _chunks(len(d), TABLE_ROWS)
    shared = shared_ranks(list(d["rank_in_state"])) if not d.empty else []
    rows = d[["rank_in_state", "name", "score_display", "score_change_centi", "rank_change_in_state", "lagging_stations",
              "stations_reported", "stations_active"]].to_dict("records") if not d.empty else []
    out = []
    for n, (a, b) in enumerate(parts, 1):
        t = Table([Col(_("Rank"), "right", 0.7), Col(_("District"), "left", 2.2), Col(_("Score"), "right", 1),
                   Col(_("Change"), "right", 1), Col(_("Rank change"), "right", 1), Col(_("Lagging PS"), "right", 0.9),
                   Col(_("Reported"), "right", 1.1)], [], empty=_("No district results this month"))
        for i in range(a, b):
            row = rows[i]
            t.rows.append([format_rank(row["rank_in_state"], shared[i]), str(row["name"]), str(row["score_display"]),
                           format_change_centi(row["score_change_centi"]), _rank_change(row["rank_change_in_state"]),
                           format_indian(row["lagging_stations"]),
                           f"{format_indian(row['stations_reported'])}/{format_indian(row['stations_active'])}"])
            t.tones.append(["", "", "", _change_tone(row["score_change_centi"]),
                            _change_tone(row["rank_change_in_state"]),
                            "down" if (_int(row["lagging_stations"]) or 0) > 0 else "",
                            "down" if _int(row["stations_reported"]) != _int(row["stations_active"]) else ""])
        notes = "; ".join(_("{name} {score} (rank {rank}, {change})").format(
            name=row[1], score=row[2], rank=row[0], change=row[3]) for row in t.rows)
        out.append(Slide(f"districts-{n}", _part(_("District league table"), n, len(parts)),
                         f"{r.state_name} · {month_long(r.month)} · "
                         + _("{n} districts; PS = police stations").format(n=len(d)),
                         columns=[[t]], notes=notes))
    return out


def station_slides(r: Review) -> list[Slide]:
    s = r.stations
    parts = _chunks(len(s), TABLE_ROWS)
    shared = shared_ranks(list(s["rank_in_district"])) if not s.empty else []
    rows = s[["rank_in_district", "name", "score_display", "score_change_centi", "rank_change_in_district", "reported",
              "at_stake_district"]].to_dict("records") if not s.empty else []
    out = []
    for n, (a, b) in enumerate(parts, 1):
        t = Table([Col(_("Rank"), "right", 0.7), Col(_("Police station"), "left", 2.4), Col(_("Score"), "right", 1),
                   Col(_("Change"), "right", 1), Col(_("Rank change"), "right", 1), Col(_("Reported"), "center", 1),
                   Col(_("At stake"), "right", 1)], [], empty=_("No station results this month"))
        for i in range(a, b):
            row = rows[i]
            reported = bool(row["reported"]) if not is_missing(row["reported"]) else False
            t.rows.append([format_rank(row["rank_in_district"], shared[i]), str(row["name"]),
                           str(row["score_display"]), format_change_centi(row["score_change_centi"]),
                           _rank_change(row["rank_change_in_district"]), _("yes") if reported else _("NO"),
                           "–" if is_missing(row["at_stake_district"]) else _marks(row["at_stake_district"], 3)])
            t.tones.append(["", "", "", _change_tone(row["score_change_centi"]),
                            _change_tone(row["rank_change_in_district"]), "" if reported else "down",
                            "" if is_missing(row["at_stake_district"]) else "down"])
        notes = "; ".join(_("{name} {score} (rank {rank})").format(name=row[1], score=row[2], rank=row[0])
                          for row in t.rows)
        out.append(Slide(f"stations-{n}", _part(_("Police stations"), n, len(parts)),
                         f"{r.district_name} · {month_short(r.month)} · "
                         + _("{n} police stations · at stake: district score points").format(n=len(s)),
                         columns=[[t]], notes=notes))
    return out


def _movers_table(df: pd.DataFrame, unit: str, empty: str) -> Table:
    t = Table([Col(unit, "left", 2.2), Col(_("Score"), "right", 1), Col(_("Change"), "right", 1)], [], empty=empty)
    for _i, row in df.iterrows():
        t.rows.append([str(row["name"]), str(row["score_display"]), format_change_centi(row["score_change_centi"])])
        t.tones.append(["", "", _change_tone(row["score_change_centi"])])
    return t


def movers_slide(r: Review, stations: bool = False) -> Slide:
    movers = r.station_movers if stations else r.district_movers
    unit = _("Police station") if stations else _("District")
    improved = movers.get("improved", pd.DataFrame())
    declined = movers.get("declined", pd.DataFrame())
    a = _movers_table(improved, unit, _("No police station improved its score this month") if stations
                      else _("No district improved its score this month"))
    a.caption = _("Most improved")
    b = _movers_table(declined, unit, _("No police station declined this month") if stations
                      else _("No district declined this month"))
    b.caption = _("Most declined")
    notes = (_("Most improved:") + " " + (", ".join(f"{x[0]} {x[2]}" for x in a.rows) or _("none")) + ". "
             + _("Most declined:") + " " + (", ".join(f"{x[0]} {x[2]}" for x in b.rows) or _("none")) + ".")
    where = r.district_name if stations else r.state_name
    sub = (_("Police stations of {where} · change in score since {month}") if stations
           else _("Districts of {where} · change in score since {month}")).format(
        where=where, month=month_short(r.previous_month))
    return Slide("movers", _("Most improved and most declined"), sub, columns=[[a], [b]], widths=[0.5, 0.5],
                 notes=notes)


def lag_reason(reasons: object, actions: object) -> str:
    """A lagging station's reasons in two short lines for a slide: what is wrong, and the first fix
    (the full reasons and actions, worded by `dashboard.display.lagging_reasons`/`lagging_actions`, are in
    the speaker notes and the XLSX)."""
    parts = [p for p in str(reasons or "").split("; ") if p]
    words: list[str] = []
    critical: list[str] = []
    # the reasons as `display.lagging_reasons` words them in the current language
    crit = _("Critical: {name} — {counts}").split("{name}")[0]
    crit_sep = re.escape(_("Critical: {name} — {counts}").split("{name}")[1].split("{counts}")[0])
    crit_below = re.escape(" " + _("Critical: {name} below {threshold} of target").split("{name}")[1].strip().split(
        "{threshold}")[0].strip() + " ")
    score_head = _("Score {score}, below {threshold}").split("{score}")[0]
    score_sep = _("Score {score}, below {threshold}").split("{score}")[1].split("{threshold}")[0]
    not_reported = _("Not reported: no data received for this month").split(":")[0]
    for p in parts:
        if p.startswith(crit):
            critical.append(re.split(f"{crit_sep}|{crit_below}", p.removeprefix(crit), maxsplit=1)[0])
        elif p.startswith(score_head) and score_sep in p:
            words.append(_("score below {threshold}").format(threshold=p.rsplit(score_sep, 1)[1]))
        elif p.startswith(not_reported):
            words.append(_("not reported"))
        else:
            words.append(p)
    if critical:
        words.append(_("critical: {name}").format(name=critical[0]) if len(critical) == 1
                     else _("{n} critical parameters").format(n=len(critical)))
    line = " · ".join(words)
    line = line[:1].upper() + line[1:]
    first = str(actions or "").split(" · ")[0].strip()
    return f"{line}\n" + _("Fix first: {action}").format(action=first) if first else (line or "–")


def lagging_slides(r: Review) -> list[Slide]:
    lag = r.lagging_top
    total = r.lagging_count
    district = r.is_district
    stake_col = "at_stake_district" if district else "at_stake_state"
    parts = _chunks(len(lag), LAGGING_ROWS)
    out = []
    where = r.district_name if district else r.state_name
    for n, (a, b) in enumerate(parts, 1):
        cols = [Col(_("Police station"), "left", 1.5)]
        if not district:
            cols.append(Col(_("District"), "left", 1.1))
        cols += [Col(_("Score"), "right", 0.7), Col(_("Why it lags"), "left", 3.4), Col(_("At stake"), "right", 0.8)]
        t = Table(cols, [], small=True, empty=_("No lagging police stations in {where} this month").format(where=where))
        for i in range(a, b):
            row = lag.iloc[i]
            cells = [str(row["station_name"])] + ([] if district else [str(row["district_name"])])
            score = "–" if is_missing(row["score"]) else format_score(row["score"])
            cells += [score, lag_reason(row["reasons"], row["actions"]), _marks(row[stake_col], 3)]
            t.rows.append(cells)
            t.refs.append(RowRef("station", str(row["station_code"]),
                                 r.fix_first_parameter.get(str(row["station_code"]))))
            t.tones.append(["" for _cell in cells[:-1]] + ["down"])
        notes = "\n".join(_("{station} ({district}): {reasons}; at stake {marks}. To do: {actions}").format(
            station=row["station_name"], district=row["district_name"], reasons=row["reasons"],
            marks=_marks(row[stake_col], 3), actions=row["actions"] or "–")
            for _i, row in lag.iloc[a:b].iterrows()) or _("No lagging police stations in {where}.").format(where=where)
        unit = _("district score points") if district else _("State score points")
        if total > LAGGING_TOP:
            sub = _("{n} lagging in {where}; the top {top} by marks at stake ({unit})").format(
                n=total, where=where, top=LAGGING_TOP, unit=unit)
        elif total:
            sub = ngettext("{n} lagging police station in {where}, by marks at stake ({unit})",
                           "{n} lagging police stations in {where}, by marks at stake ({unit})", total).format(
                n=total, where=where, unit=unit)
        else:
            sub = month_long(r.month)
        out.append(Slide(f"lagging-{n}", _part(_("Top lagging police stations"), n, len(parts)), sub,
                         columns=[[t]], notes=notes))
    return out


__all__ = ["commitment_slides", "commitments_to_follow", "for_slides", "slides", "stamp"]


# --- looking ahead: next month's projected rank (an estimate) ---------------------------------------------

PROJECTION_ROWS = 10


def projection_slide(r: Review) -> Slide:
    """Next month's likely rank of the State as a range with its chances, the States most likely at the top,
    and how the projection fared over the last 12 months; titled and noted as an estimate."""
    p = r.projection.reset_index(drop=True)
    own = p[p["state_code"] == r.state_code]
    kpis: list[Kpi] = []
    if not own.empty:
        o = own.iloc[0]
        kpis = [Kpi(_("Likely rank next month"), rank_range_text(o["rank_low"], o["rank_high"]),
                    _("80 % range · rank now {rank}").format(rank=format_rank(o["rank_now"]))),
                Kpi(_("P(first)"), probability_text(o["p_first"])),
                Kpi(_("P(top 5)"), probability_text(o["p_top5"])),
                Kpi(_("P(rank improves)"), probability_text(o["p_improve"]))]
    table = Table([Col(_("State/UT"), "left", 2.4), Col(_("Likely rank"), "right", 1.2), Col(_("P(first)"), "right", 0.9),
                   Col(_("Likely score"), "right", 1.1)], [], dense=True)
    idx = list(range(min(PROJECTION_ROWS, len(p))))
    own_idx = list(own.index)
    if own_idx and own_idx[0] not in idx:
        idx = idx[:-1] + own_idx[:1]
    for i in idx:
        row = p.iloc[i]
        if row["state_code"] == r.state_code:
            table.highlight.add(len(table.rows))
        table.rows.append([str(row["name"]), rank_range_text(row["rank_low"], row["rank_high"]),
                           probability_text(row["p_first"]), format_score(row["score_median"])])
    bt = r.projection_backtest
    held, compare = (backtest_text(bt["coverage"], bt["checks"], bt["mae_model"], bt["mae_carry"], len(bt["months"]))
                     if bt else (_("Not enough months yet to check the projection against what happened."), ""))
    note = _(PROJECTION_NOTE)
    text = Text([note, held, compare] if compare else [note, held], size="s")
    left: list = [Kpis(kpis)] if kpis else []
    headline = (projection_headline(own.iloc[0]["rank_low"], own.iloc[0]["rank_high"], own.iloc[0]["p_first"])
                if not own.empty else _("No projection for this State/UT"))
    month_after = month_long(next_month(r.month))
    return Slide("projection", _("Next month, estimated: {month}").format(month=month_after),
                 headline + " · " + _("an estimate, not a result"),
                 columns=[[*left, text], [table]], widths=[0.42, 0.58],
                 notes=f"{headline}. {note} {held} {compare}".strip())
