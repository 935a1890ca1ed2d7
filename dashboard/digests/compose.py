"""What each digest holds, composed from the read results `gather` returns (pure: no I/O). Every figure is
written by `dashboard.display`, the functions the pages use, so the digest shows the pages' numbers."""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from dashboard.digests.catalog import words
from dashboard.digests.model import Cell, Digest, Item, Kpi, Link, Links, Section, Styled, Table
from dashboard.display import (
    as_int,
    fmt3,
    format_change_centi,
    format_gap,
    format_indian,
    format_rank,
    format_score,
    format_timestamp,
    is_missing,
    month_long,
    pct,
    rank_change_text,
    ratio_text,
)

LOST_N = 3
STAKES_N = 3
LAGGING_N = 10
ACTIONS_N = 8
TABLE_N = 5
NOT_REPORTED_N = 15


def _t(language: str) -> Callable[..., str]:
    return words(language)


def _change_cell(centi: object) -> Styled:
    text = format_change_centi(centi)
    c = as_int(centi)
    return Styled(text, "good" if c and c > 0 else "bad" if c and c < 0 else "muted")


def _rank_move(change: object) -> Styled:
    sym, tone, _words = rank_change_text(change)
    return Styled(sym, {"success": "good", "danger": "bad"}.get(tone, "muted"))


def _rank_words(change: object) -> str:
    return rank_change_text(change)[2]


def _cut(df: pd.DataFrame, n: int, t: Callable[..., str]) -> tuple[pd.DataFrame, str]:
    return df.head(n), (t("more_rows", n=len(df) - n) if len(df) > n else "")


def _footer(t: Callable[..., str], facts: dict, username: str, email: str) -> tuple[str, ...]:
    as_of = format_timestamp(facts.get("data_as_of")) if facts.get("data_as_of") else "–"
    return (t("footer_why", username=username, email=email),
            t("footer_data", data_as_of=as_of, version=facts.get("version") or "–"),
            t("footer_auto"))


def _outcome(t: Callable[..., str], row: dict) -> Styled:
    outcome = str(row.get("outcome") or "pending")
    tone = {"met": "good", "partly_met": "", "not_met": "bad", "no_data": "bad"}.get(outcome, "muted")
    text = t(f"outcome_{outcome}") if f"outcome_{outcome}" in _KNOWN_OUTCOMES else outcome
    num, den = row.get("now_numerator"), row.get("now_denominator")
    if not is_missing(num) and not is_missing(den):
        text += f": {ratio_text(num, den)}"
        if not is_missing(row.get("now_value")):
            text += f" ({pct(row.get('now_value'))})"
    return Styled(text, tone)


_KNOWN_OUTCOMES = {"outcome_pending", "outcome_met", "outcome_partly_met", "outcome_not_met", "outcome_no_data",
                   "outcome_unit_closed", "outcome_parameter_dropped", "outcome_not_applicable"}


def _action_subject(row: dict) -> str:
    return str(row.get("unit_name") or row.get("unit_code") or "")


# --- every ranking scheme, side by side (issue 13) --------------------------------------------------------


def _scheme_name(row: dict, language: str) -> str:
    return str(row.get(f"name_{language}") or row.get("name") or row.get("short") or row.get("id"))


def _standing(t: Callable[..., str], facts: dict, links: Links, language: str, level: str, lead: str
              ) -> tuple[Section | None, dict, tuple[str, ...]]:
    """The unit's headline in every scheme as one table (score, change, rank, rank change, lagging stations;
    national: each scheme's leader), the figures for tests, and short "ICJS: rank 2nd (93.41)" phrases of the
    schemes other than the first (CCTNS Pragati, which the rest of the digest is about)."""
    rows_in = facts.get("schemes") or []
    if not rows_in:
        return None, {}, ()
    month = facts["month"]
    rows: list[tuple] = []
    figures: dict = {}
    brief: list[str] = []
    for i, sc in enumerate(rows_in):
        name, head, lag = _scheme_name(sc, language), sc.get("headline"), sc.get("lagging")
        lag_cell = Styled(format_indian(lag), "bad" if lag else "good") if lag is not None else "–"
        if head is None:
            rows.append((name, Styled(t("no_result"), "muted"), "", "", "", "") if level != "national"
                        else (name, Styled(t("no_result"), "muted"), "", "", ""))
            figures[sc["id"]] = None
            continue
        score = format_score(head.get("score"), head.get("score_centi"))
        if level == "national":
            leader = str(head.get("name") or head.get("unit_code"))
            rows.append((name, Link(leader, links.page(f"/state/{head.get('unit_code')}", month, scheme=sc["id"])),
                         score, format_indian(sc.get("ranked") or 0), lag_cell))
            figures[sc["id"]] = {"leader": leader, "score": score, "ranked": sc.get("ranked"), "lagging": lag}
            if i:
                brief.append(t("scheme_leader_brief", scheme=sc["short"], leader=leader, score=score))
            continue
        rank_key, of_key, change_key = (("rank_national", "states_ranked", "rank_change_national") if level == "state"
                                        else ("rank_in_state", "districts_ranked", "rank_change_in_state"))
        rank = format_rank(head.get(rank_key))
        rows.append((name, score, _change_cell(head.get("score_change_centi")),
                     t("kpi_of", rank=rank, n=head.get(of_key)), _rank_move(head.get(change_key)), lag_cell))
        figures[sc["id"]] = {"score": score, "change": format_change_centi(head.get("score_change_centi")),
                             "rank": rank, "lagging": lag}
        if i:
            brief.append(t("scheme_rank_brief", scheme=sc["short"], rank=rank, score=score))
    if level == "national":
        header = (t("col_scheme"), t("col_leader"), t("col_score"), t("col_ranked"), t("col_lagging"))
        table = Table(header, tuple(rows), (2, 3, 4), widths=("30%", "26%", "14%", "14%", "16%"))
    else:
        header = (t("col_scheme"), t("col_score"), t("col_change"),
                  t("col_rank_india") if level == "state" else t("col_rank_state"), t("col_rank_change"),
                  t("col_lagging"))
        table = Table(header, tuple(rows), (1, 2, 3, 4, 5), widths=("30%", "12%", "12%", "16%", "12%", "18%"))
    return Section(t("standing_title"), lead, table), figures, tuple(brief)


# --- State users ------------------------------------------------------------------------------------------


def state_digest(facts: dict, links: Links, username: str, email: str, language: str = "en") -> Digest:
    t = _t(language)
    month, code = facts["month"], facts["state_code"]
    info = facts.get("info") or {"name": code, "category": ""}
    head = facts.get("headline")
    if head is None:
        raise ValueError(f"{info['name']} has no result for {month}")
    name, mlong = info["name"], month_long(month)
    score = format_score(head.get("score"), head.get("score_centi"))
    change = format_change_centi(head.get("score_change_centi"))
    rank = format_rank(head.get("rank_national"))
    nb = head.get("neighbours") or {}
    above = nb.get("above")
    kpis = (
        Kpi(t("kpi_score"), score, t("kpi_score_sub", change=change, gap=format_gap(head.get("score_centi")))),
        Kpi(t("kpi_rank_india"), t("kpi_of", rank=rank, n=head.get("states_ranked")),
            _rank_words(head.get("rank_change_national")), _tone(head.get("rank_change_national"))),
        Kpi(t("kpi_rank_category"), t("kpi_of", rank=format_rank(head.get("rank_category")),
                                      n=head.get("category_ranked")),
            f"{head.get('category') or ''} · {_rank_words(head.get('rank_change_category'))}",
            _tone(head.get("rank_change_category"))),
    )
    plan = facts.get("plan") or {}
    lost = plan.get("marks_lost", pd.DataFrame())
    lost_rows = tuple((str(r["parameter_name"]), pct(r["value"]), ratio_text(r["numerator"], r["denominator"]),
                       Styled(fmt3(r["marks_lost"]), "bad"))
                      for r in lost.head(LOST_N).to_dict("records")) if not lost.empty else ()
    sections = [Section(t("lost_title"), t("lost_lead"),
                        Table((t("col_parameter"), t("col_value"), t("col_records"), t("col_marks_lost")),
                              lost_rows, (1, 2, 3)) if lost_rows else None,
                        note="" if lost_rows else t("none"))]
    if above:
        stakes = plan.get("by_parameter", pd.DataFrame())
        stake_rows = tuple((str(r["parameter_name"]), Styled(f"+{fmt3(r['at_stake'])}", "good"),
                            format_indian(r["stations"]))
                           for r in stakes.head(STAKES_N).to_dict("records")) if stakes is not None and not stakes.empty else ()
        sections.append(Section(
            t("overtake_title", above=above["name"]),
            t("overtake_lead", marks=f"+{fmt3(above['marks_needed'])}", above=above["name"],
              above_score=above["score_display"], gap=fmt3(above["gap"])),
            Table((t("col_parameter"), t("col_at_stake"), t("col_stations")), stake_rows, (1, 2)) if stake_rows else None,
            note=t("overtake_stakes") if stake_rows else ""))
    else:
        sections.append(Section(t("overtake_top_title"), t("overtake_top", state=name)))
    declined = facts.get("declined", pd.DataFrame())
    fell_rows = tuple((Link(str(r["name"]), links.district(r["unit_code"], month)),
                       format_score(r.get("score"), r.get("score_centi")), _change_cell(r.get("score_change_centi")),
                       format_rank(r.get("rank_in_state")), _rank_move(r.get("rank_change_in_state")))
                      for r in declined.to_dict("records")) if declined is not None and not declined.empty else ()
    sections.append(Section(t("fell_title"), "" if fell_rows else t("fell_none"),
                            Table((t("col_district"), t("col_score"), t("col_change"), t("col_rank_state"),
                                   t("col_rank_change")), fell_rows, (1, 2, 3, 4)) if fell_rows else None))
    sections.append(_commitments(t, facts, links, month))
    standing, scheme_figures, brief = _standing(t, facts, links, language, "state",
                                                t("standing_lead_state", state=name, month=mlong))
    if standing is not None:
        sections.insert(0, standing)
    actions = (Link(t("link_state"), links.state(code, month)), Link(t("link_lagging"), links.lagging(month, code)),
               Link(t("link_actions"), links.page("/actions", month, state=code, due=month)),
               Link(t("link_deck"), links.page("/present", month, state=code)))
    return Digest(
        kind="monthly", month=month, language=language, username=username,
        subject=t("state_subject", state=name, month=mlong, score=score, rank=rank),
        preheader=" ".join((t("state_preheader", score=score, change=change, rank=rank,
                              rank_words=_rank_words(head.get("rank_change_national"))), " · ".join(brief))).strip(),
        title=t("state_title", state=name, month=mlong),
        subtitle=t("state_subtitle", username=username, category=info.get("category") or ""),
        kpis=kpis, sections=tuple(sections), actions=actions, footer=_footer(t, facts, username, email),
        manage=Link(t("footer_manage"), links.profile()), pack=(code, None),
        attachment_note=t("pack_note", month=mlong),
        figures={"score": score, "rank_national": rank, "rank_category": format_rank(head.get("rank_category")),
                 "marks_lost": [r[3].text for r in lost_rows],
                 "marks_needed": fmt3(above["marks_needed"]) if above else None,
                 "declined": [r[0].text for r in fell_rows], "tally": facts.get("tally"),
                 "schemes": scheme_figures})


def _tone(change: object) -> str:
    c = as_int(change)
    return "good" if c and c > 0 else "bad" if c and c < 0 else ""


def _commitments(t: Callable[..., str], facts: dict, links: Links, month: str) -> Section:
    due = facts.get("commitments", pd.DataFrame())
    tl = facts.get("tally") or {}
    mlong = month_long(month)
    if due is None or due.empty:
        return Section(t("commit_title"), t("commit_none", month=mlong))
    shown, more = _cut(due, ACTIONS_N, t)
    rows = tuple((_unit_link(r, links, month), str(r["text"]), str(r.get("owner") or ""), _outcome(t, r))
                 for r in shown.to_dict("records"))
    return Section(t("commit_title"),
                   t("commit_lead", month=mlong, total=tl.get("total", len(due)), met=tl.get("met", 0),
                     partly=tl.get("partly_met", 0), not_met=tl.get("not_met", 0), pending=tl.get("pending", 0),
                     escalated=tl.get("escalated", 0)),
                   Table((t("col_unit"), t("col_action"), t("col_owner"), t("col_data_shows")), rows, (), more))


def _unit_link(row: dict, links: Links, month: str) -> Cell:
    subject = _action_subject(row)
    level, code = row.get("level"), str(row.get("unit_code") or "")
    url = {"station": links.station, "district": links.district, "state": links.state}.get(level)
    return Link(subject, url(code, month)) if url and code else subject


# --- district SPs -------------------------------------------------------------------------------------------


def district_digest(facts: dict, links: Links, username: str, email: str, language: str = "en") -> Digest:
    t = _t(language)
    month, code, state = facts["month"], facts["district_code"], facts["state_code"]
    info = facts.get("info") or {"name": code, "state_name": state}
    head = facts.get("headline")
    if head is None:
        raise ValueError(f"{info['name']} has no result for {month}")
    name, state_name, mlong = info["name"], info["state_name"], month_long(month)
    rank = format_rank(head.get("rank_in_state"))
    rank_words = _rank_words(head.get("rank_change_in_state"))
    lagging = facts.get("lagging", pd.DataFrame())
    n_lag = 0 if lagging is None else len(lagging)
    stake = float(lagging["at_stake_district"].sum()) if n_lag else 0.0
    active, reported = as_int(head.get("stations_active")) or 0, as_int(head.get("stations_reported")) or 0
    kpis = (
        Kpi(t("kpi_score"), format_score(head.get("score"), head.get("score_centi")),
            t("kpi_score_sub", change=format_change_centi(head.get("score_change_centi")),
              gap=format_gap(head.get("score_centi")))),
        Kpi(t("kpi_rank_in_state", state=state_name), t("kpi_of", rank=rank, n=head.get("districts_ranked")),
            rank_words, _tone(head.get("rank_change_in_state"))),
        Kpi(t("kpi_lagging"), format_indian(n_lag),
            t("kpi_lagging_sub", stake=f"+{fmt3(stake)}") if n_lag else t("kpi_lagging_none"),
            "bad" if n_lag else "good"),
        Kpi(t("kpi_reported"), f"{format_indian(reported)} / {format_indian(active)}",
            t("kpi_reported_all") if reported >= active else t("kpi_reported_missing", n=active - reported),
            "" if reported >= active else "bad"),
    )
    sections = []
    if n_lag:
        shown, more = _cut(lagging, LAGGING_N, t)
        items = tuple(Item(Link(str(r["station_name"]), links.station(r["station_code"], month)),
                           f"+{fmt3(r['at_stake_district'])}",
                           t("stake_note", state=f"+{fmt3(r['at_stake_state'])}"),
                           (str(r.get("reasons") or ""), *_first_actions(t, r.get("actions"))), "good")
                      for r in shown.to_dict("records"))
        sections.append(Section(t("lagging_title"), t("lagging_lead"), items=items, more=more))
    else:
        sections.append(Section(t("lagging_title"), t("lagging_none")))
    acts = facts.get("open_actions", pd.DataFrame())
    if acts is None or acts.empty:
        sections.append(Section(t("open_title"), t("open_none")))
    else:
        overdue = int(acts["overdue"].sum())
        shown, more = _cut(acts, ACTIONS_N, t)
        rows = tuple((_unit_link(r, links, month), str(r["text"]), month_long(str(r["current_due_month"])),
                      _status(t, r)) for r in shown.to_dict("records"))
        sections.append(Section(t("open_title"), t("open_lead", open=len(acts), overdue=overdue),
                                Table((t("col_unit"), t("col_action"), t("col_due"), t("col_status")), rows, (), more)))
    standing, scheme_figures, brief = _standing(t, facts, links, language, "district",
                                                t("standing_lead_district", district=name, state=state_name,
                                                  month=mlong))
    if standing is not None:
        sections.insert(0, standing)
    actions = (Link(t("link_district"), links.district(code, month)),
               Link(t("link_lagging"), links.lagging(month, state, code)),
               Link(t("link_my_actions"), links.page("/actions", month, state=state, district=code)))
    return Digest(
        kind="monthly", month=month, language=language, username=username,
        subject=t("district_subject", district=name, month=mlong, rank=rank, state=state_name),
        preheader=" ".join((t("district_preheader", rank=rank, state=state_name, rank_words=rank_words,
                                lagging=n_lag), " · ".join(brief))).strip(),
        title=t("district_title", district=name, month=mlong),
        subtitle=t("district_subtitle", username=username, state=state_name),
        kpis=kpis, sections=tuple(sections), actions=actions, footer=_footer(t, facts, username, email),
        manage=Link(t("footer_manage"), links.profile()),
        figures={"score": kpis[0].value, "rank_in_state": rank, "lagging": n_lag,
                 "stations": [] if not n_lag else list(lagging["station_code"]), "schemes": scheme_figures})


def _first_actions(t: Callable[..., str], actions: object, n: int = 2) -> tuple[str, ...]:
    """The first `n` of a lagging station's actions (read.lagging words them, joined by " · ")."""
    parts = [p for p in str(actions or "").split(" · ") if p]
    hidden = 0
    if parts and (tail := re.match(r"and (\d+) more", parts[-1])):
        parts, hidden = parts[:-1], int(tail.group(1))
    shown = tuple(f"→ {p}" for p in parts[:n])
    hidden += max(0, len(parts) - n)
    return (*shown, t("more_actions", n=hidden)) if hidden else shown


def _status(t: Callable[..., str], row: dict) -> Styled:
    status = str(row.get("status") or "open")
    text = t(f"status_{status}") if status in ("open", "escalated", "done", "dropped") else status
    cycles = as_int(row.get("carry_cycles")) or 0
    if cycles:
        text += f" · {t('overdue_word')} ({t('carried', n=cycles)})"
    tone = "bad" if cycles or status == "escalated" else ""
    if str(row.get("outcome") or "pending") != "pending":  # what the data of its due month showed
        outcome = _outcome(t, row)
        text, tone = f"{text} · {outcome.text}", tone or outcome.tone
    return Styled(text, tone)


# --- national users -------------------------------------------------------------------------------------------


def national_digest(facts: dict, links: Links, username: str, email: str, language: str = "en") -> Digest:
    t = _t(language)
    month = facts["month"]
    mlong = month_long(month)
    states = facts["states"]
    ranked = states[states["rank_national"].notna()].reset_index(drop=True)
    if ranked.empty:
        raise ValueError(f"no State/UT is ranked in {month}")
    leader = ranked.iloc[0]
    rep = facts.get("reporting", pd.DataFrame())
    active = int(rep["stations_active"].sum()) if not rep.empty else 0
    reported = int(rep["stations_reported"].sum()) if not rep.empty else 0
    share = f"{100 * reported / active:.1f}%" if active else "–"
    kpis = (
        Kpi(t("kpi_states"), format_indian(len(ranked))),
        Kpi(t("kpi_leader"), str(leader["name"]), format_score(leader["score"], leader["score_centi"])),
        Kpi(t("kpi_completeness"), f"{format_indian(reported)} / {format_indian(active)}",
            t("kpi_completeness_sub", pct=share), "" if reported >= active else "bad"),
    )

    def league(rows: pd.DataFrame) -> Table:
        return Table((t("col_rank"), t("col_state"), t("col_score"), t("col_change"), t("col_rank_change")),
                     tuple((format_rank(r["rank_national"]), Link(str(r["name"]), links.state(r["unit_code"], month)),
                            format_score(r["score"], r["score_centi"]), _change_cell(r["score_change_centi"]),
                            _rank_move(r["rank_change_national"])) for r in rows.to_dict("records")),
                     (0, 2, 3, 4), widths=("10%", "42%", "16%", "16%", "16%"))

    top = ranked.head(TABLE_N)
    bottom = ranked.iloc[max(TABLE_N, len(ranked) - TABLE_N):]
    sections = [Section(t("top_title"), table=league(top))]
    if not bottom.empty:
        sections.append(Section(t("bottom_title"), table=league(bottom)))
    moved = ranked[ranked["rank_change_national"].notna() & (ranked["rank_change_national"] != 0)].copy()
    if moved.empty:
        sections.append(Section(t("movers_title"), t("movers_none")))
    else:
        moved["_abs"] = moved["rank_change_national"].astype(int).abs()
        moved = moved.sort_values(["_abs", "rank_national"], ascending=[False, True]).head(TABLE_N)
        sections.append(Section(t("movers_title"), table=league(moved)))
    missing = rep[rep["not_reported"] > 0].sort_values("not_reported", ascending=False) if not rep.empty else rep
    sent = dict(zip(facts["state_rows"]["state_code"], zip(facts["state_rows"]["sent"], facts["state_rows"]["expected"],
                                                          strict=True), strict=True)) \
        if not facts.get("state_rows", pd.DataFrame()).empty else {}
    if missing.empty:
        sections.append(Section(t("complete_title"), t("complete_all")))
    else:
        rows = tuple((Link(str(r["name"]), links.state(r["unit_code"], month)),
                      f"{format_indian(r['stations_reported'])} / {format_indian(r['stations_active'])}",
                      Styled(format_indian(r["not_reported"]), "bad"),
                      "{} / {}".format(*sent[r["unit_code"]]) if r["unit_code"] in sent else "–")
                     for r in missing.head(10).to_dict("records"))
        sections.append(Section(t("complete_title"), t("complete_lead", n=format_indian(active - reported)),
                                Table((t("col_state"), t("col_reported"), t("col_not_reported"), t("col_state_rows")),
                                      rows, (1, 2, 3), t("more_rows", n=len(missing) - 10) if len(missing) > 10 else "")))
    standing, scheme_figures, brief = _standing(t, facts, links, language, "national",
                                                t("standing_lead_national", month=mlong))
    if standing is not None:
        sections.insert(0, standing)
    actions = (Link(t("link_national"), links.page("/", month)), Link(t("link_data"), links.page("/data", month)))
    score = format_score(leader["score"], leader["score_centi"])
    return Digest(
        kind="monthly", month=month, language=language, username=username,
        subject=t("national_subject", month=mlong),
        preheader=" ".join((t("national_preheader", leader=leader["name"], score=score,
                              reported=format_indian(reported), active=format_indian(active)),
                            " · ".join(brief))).strip(),
        title=t("national_title", month=mlong), subtitle=t("national_subtitle", username=username),
        kpis=kpis, sections=tuple(sections), actions=actions, footer=_footer(t, facts, username, email),
        manage=Link(t("footer_manage"), links.profile()),
        figures={"leader": str(leader["name"]), "score": score, "top": [str(n) for n in top["name"]],
                 "bottom": [str(n) for n in bottom["name"]], "reported": reported, "active": active,
                 "schemes": scheme_figures})


# --- reminders before the cut-off ---------------------------------------------------------------------------


def reminder_digest(facts: dict, links: Links, username: str, email: str, role: str,
                    language: str = "en") -> Digest:
    t = _t(language)
    rem = facts["reminder"]
    latest = facts.get("latest")
    info = facts.get("info") or {}
    scope_name = t("scope_all_india") if role == "national" else str(info.get("name") or "")
    month_l, latest_l = month_long(rem.month), month_long(latest) if latest else "–"
    cutoff = f"{rem.cutoff.day} {month_long(rem.cutoff.strftime('%Y-%m'))}"
    nr = facts.get("not_reported", pd.DataFrame())
    lag = facts.get("lagging", pd.DataFrame())
    n_nr = 0 if nr is None else len(nr)
    kpis = [Kpi(t("kpi_cutoff"), cutoff, t("kpi_days_left", days=rem.days_left), "bad" if rem.days_left <= 2 else ""),
            Kpi(t("kpi_not_reported"), format_indian(n_nr), latest_l, "bad" if n_nr else "good")]
    if role != "national":
        kpis.append(Kpi(t("kpi_lagging_all"), format_indian(0 if lag is None else len(lag)), latest_l,
                        "bad" if lag is not None and len(lag) else "good"))
    sections = []
    if role == "national":
        rep = facts.get("reporting", pd.DataFrame())
        missing = rep[rep["not_reported"] > 0].sort_values("not_reported", ascending=False) if not rep.empty else rep
        rows = tuple((Link(str(r["name"]), links.state(r["unit_code"], latest)),
                      f"{format_indian(r['stations_reported'])} / {format_indian(r['stations_active'])}",
                      Styled(format_indian(r["not_reported"]), "bad")) for r in missing.to_dict("records"))
        sections.append(Section(t("remind_by_state", latest=latest_l),
                                "" if rows else t("remind_not_reported_none", latest=latest_l),
                                Table((t("col_state"), t("col_reported"), t("col_not_reported")), rows, (1, 2))
                                if rows else None))
    else:
        if n_nr:
            shown, more = _cut(nr, NOT_REPORTED_N, t)
            rows = tuple((Link(str(r["name"]), links.station(r["station_code"], latest)), str(r["district_name"]))
                         for r in shown.to_dict("records"))
            sections.append(Section(t("remind_not_reported", latest=latest_l),
                                    table=Table((t("col_station"), t("col_district")), rows, (), more)))
        else:
            sections.append(Section(t("remind_not_reported", latest=latest_l),
                                    t("remind_not_reported_none", latest=latest_l)))
        pending = lag[~lag["not_reported"].astype(bool)] if lag is not None and not lag.empty else pd.DataFrame()
        if pending.empty:
            sections.append(Section(t("remind_pending", latest=latest_l), t("remind_pending_none", latest=latest_l)))
        else:
            shown, more = _cut(pending, LAGGING_N, t)
            items = tuple(Item(Link(str(r["station_name"]), links.station(r["station_code"], latest)),
                               f"+{fmt3(r['at_stake_district'])}", t("stake_note_district"),
                               (str(r["district_name"]), *_first_actions(t, r.get("actions"), 3)), "good")
                          for r in shown.to_dict("records"))
            sections.append(Section(t("remind_pending", latest=latest_l), items=items, more=more))
    main = links.page("/data", latest)
    actions = (Link(t("link_data_page"), main),)
    if role == "state":
        actions += (Link(t("link_lagging"), links.lagging(latest, info.get("code"))),)
    elif role == "district":
        actions += (Link(t("link_lagging"), links.lagging(latest, info.get("state_code"), info.get("code"))),)
    return Digest(
        kind="reminder", month=rem.month, language=language, username=username,
        subject=t("remind_subject", month=month_l, cutoff=cutoff, scope=scope_name),
        preheader=t("remind_preheader", n=n_nr, latest=latest_l),
        title=t("remind_title", month=month_l, cutoff=cutoff),
        subtitle=t("remind_subtitle", username=username, scope=scope_name, days=rem.days_left),
        kpis=tuple(kpis), sections=(Section("", t("remind_lead", month=month_l, cutoff=cutoff, latest=latest_l)),
                                    *sections),
        actions=actions, footer=_footer(t, facts, username, email), manage=Link(t("footer_manage"), links.profile()),
        figures={"not_reported": [] if not n_nr else list(nr["station_code"]),
                 "lagging": [] if lag is None or lag.empty else list(lag["station_code"])})
