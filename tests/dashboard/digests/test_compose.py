"""What each digest holds: the pages' numbers (the read API, written by dashboard.display), the right
links and months, the last review's commitments, and nothing outside the recipient's scope."""

from __future__ import annotations

import pytest

from dashboard import actions, read
from dashboard.digests import Links, compose_monthly, compose_reminder, get_profile, reminder_due, render_text
from dashboard.digests.model import Link
from dashboard.display import fmt3, format_rank, format_score
from dashboard.scope import Scope

LINKS = Links("https://cctns.example.org")


def all_links(d) -> list[str]:
    out = [a.url for a in d.actions]
    for s in d.sections:
        if s.table:
            out += [c.url for row in s.table.rows for c in row if isinstance(c, Link)]
    return out


def test_state_digest_shows_the_state_page_numbers(digest_engine, month):
    r = get_profile(digest_engine, "haryana")
    d = compose_monthly(digest_engine, r, month, LINKS)
    head = read.state_headline(digest_engine, month, "HR")
    assert d.figures["score"] == format_score(head["score"], head["score_centi"]) == head["score_display"]
    assert d.figures["rank_national"] == format_rank(head["rank_national"])
    plan = read.overtake_plan(digest_engine, month, "HR", r.scope)
    assert d.figures["marks_lost"] == [fmt3(x) for x in plan["marks_lost"]["marks_lost"].head(3)]
    above = head["neighbours"].get("above")
    assert d.figures["marks_needed"] == (fmt3(above["marks_needed"]) if above else None)
    declined = read.movers(digest_engine, month, "district", "HR", r.scope)["declined"]
    assert d.figures["declined"] == list(declined["name"])
    assert d.pack == ("HR", None)
    assert d.subject.startswith("Haryana:") and head["score_display"] in d.subject
    assert all(u.startswith("https://cctns.example.org/") and f"month={month}" in u for u in all_links(d))
    assert f"https://cctns.example.org/state/HR?month={month}" == d.actions[0].url
    assert f"https://cctns.example.org/actions?month={month}&state=HR&due={month}" in all_links(d)


def test_state_digest_carries_the_last_reviews_commitments_and_their_outcomes(digest_engine, month):
    r = get_profile(digest_engine, "haryana")
    due = actions.list_actions(digest_engine, r.scope, actions.ActionFilters(state_code="HR"))
    due = due[due["due_month"] == month]
    assert len(due) > 0, "the fixture holds a review before the last month"
    d = compose_monthly(digest_engine, r, month, LINKS)
    assert d.figures["tally"] == actions.tally(due)
    text = render_text(d)
    assert "Commitments from the last review" in text
    judged = due[due["outcome"].isin(["met", "partly_met", "not_met", "no_data"])]
    assert len(judged) > 0
    for action_text in due["text"].head(8):
        assert action_text in text


def test_district_digest_rank_lagging_and_open_actions(digest_engine, month):
    r = get_profile(digest_engine, "imphal-sp")
    d = compose_monthly(digest_engine, r, month, LINKS)
    head = read.district_headline(digest_engine, month, "MN-IWT", r.scope)
    assert d.figures["rank_in_state"] == format_rank(head["rank_in_state"])
    lag = read.lagging(digest_engine, month, r.scope, "MN", "MN-IWT")
    assert d.figures["lagging"] == len(lag) > 0
    assert set(d.figures["stations"]) == set(lag["station_code"])
    assert all(code.startswith("MN-IWT-") for code in d.figures["stations"])
    assert d.actions[0].url == f"https://cctns.example.org/district/MN-IWT?month={month}"
    assert d.actions[1].url == f"https://cctns.example.org/lagging?month={month}&state=MN&district=MN-IWT"
    assert d.actions[2].url == f"https://cctns.example.org/actions?month={month}&state=MN&district=MN-IWT"
    assert d.pack is None


def test_karnal_sp_sees_the_open_actions_of_karnal_only(digest_engine, month):
    r = get_profile(digest_engine, "karnal-sp")
    d = compose_monthly(digest_engine, r, month, LINKS)
    mine = actions.list_actions(digest_engine, r.scope, actions.ActionFilters(district_code="HR-KNL"))
    open_ = mine[mine["status"].isin(["open", "escalated"])]
    text = render_text(d)
    if len(open_):
        assert "Your open actions" in text and f"{len(open_)} open" in text
    others = actions.list_actions(digest_engine, Scope.national(), actions.ActionFilters(state_code="HR"))
    for code in set(others["unit_code"]) - set(mine["unit_code"]):
        if code.startswith("HR-") and not code.startswith("HR-KNL"):
            assert code not in text


def test_national_digest_top_bottom_movers_and_completeness(digest_engine, month):
    r = get_profile(digest_engine, "ncrb")
    d = compose_monthly(digest_engine, r, month, LINKS)
    states = read.states_table(digest_engine, month)
    ranked = states[states["rank_national"].notna()]
    assert d.figures["leader"] == ranked.iloc[0]["name"]
    assert d.figures["top"] == list(ranked["name"].head(5))
    rep = read.reporting_status(digest_engine, month, Scope.national())
    assert (d.figures["reported"], d.figures["active"]) == (int(rep["stations_reported"].sum()),
                                                           int(rep["stations_active"].sum()))
    text = render_text(d)
    for title in ("Top of the table", "Largest movers", "Data completeness"):
        assert title in text


@pytest.mark.parametrize("username", ["ncrb", "haryana", "karnal-sp", "imphal-sp"])
def test_reminder_lists_whats_pending_in_scope(digest_engine, month, username):
    from datetime import date

    r = get_profile(digest_engine, username)
    today = date(int(month[:4]) + (month[5:] == "12"), int(month[5:]) % 12 + 1, 6)
    reminder = reminder_due(today, 5, 10)
    assert reminder is not None and reminder.month == month and reminder.days_left == 4
    d = compose_reminder(digest_engine, r, reminder, today, LINKS)
    assert d.kind == "reminder" and "due by 10" in d.title
    nr = read.not_reported_in_scope(digest_engine, month, r.scope)
    assert sorted(d.figures["not_reported"]) == sorted(nr["station_code"])
    if r.role == "district":
        assert all(c.startswith(r.district_code + "-") for c in d.figures["not_reported"] + d.figures["lagging"])
    if r.role == "state":
        assert all(c.startswith(r.state_code + "-") for c in d.figures["not_reported"] + d.figures["lagging"])


def test_a_unit_without_results_is_a_clear_error(digest_engine):
    r = get_profile(digest_engine, "haryana")
    with pytest.raises(ValueError, match="no result"):
        compose_monthly(digest_engine, r, "1999-01", LINKS)


def test_language_defaults_to_english_and_unknown_keys_fall_back(digest_engine, month):
    from dashboard.digests import CATALOGS, words

    assert get_profile(digest_engine, "haryana").language == "en"
    CATALOGS["xx"] = {"kpi_score": "SCORE-XX"}
    try:
        t = words("xx")
        assert t("kpi_score") == "SCORE-XX" and t("kpi_rank_india") == "All-India rank (CCTNS Pragati)"
    finally:
        del CATALOGS["xx"]


@pytest.mark.parametrize(("username", "language", "scheme_words"),
                         [("haryana", "en", "CCTNS Pragati"), ("imphal-sp", "en", "CCTNS Pragati"),
                          ("haryana", "hi", "CCTNS प्रगति")])
def test_digests_say_which_scheme_their_figures_are(digest_engine, month, username, language, scheme_words):
    """The digests' scores and ranks are CCTNS Pragati's (issue 13): every score and rank says so, in the
    digest's language, and the subject names CCTNS."""
    from dataclasses import replace

    r = replace(get_profile(digest_engine, username), language=language)
    d = compose_monthly(digest_engine, r, month, LINKS)
    text = render_text(d)
    assert "CCTNS" in d.subject
    assert text.count(scheme_words) >= 2, text[:800]


def _scheme_rows(engine) -> list[dict]:
    return read.schemes(engine)


@pytest.mark.parametrize("username", ["haryana", "imphal-sp"])
def test_each_schemes_headline_side_by_side_labelled(digest_engine, month, username):
    """Issue 13: a State's or district's digest carries its score, change, rank and lagging stations in every
    scheme (the pages' numbers: read.state_headline / district_headline and the lagging list of that scheme),
    each row named by its scheme; the sections below say they are CCTNS Pragati's."""
    from dashboard.display import format_change_centi

    r = get_profile(digest_engine, username)
    d = compose_monthly(digest_engine, r, month, LINKS)
    schemes = _scheme_rows(digest_engine)
    assert [s["id"] for s in schemes] == ["cctns", "icjs", "itsso"]
    got = d.figures["schemes"]
    assert list(got) == ["cctns", "icjs", "itsso"]
    for s in schemes:
        if r.role == "state":
            head = read.state_headline(digest_engine, month, r.state_code, scheme=s["id"])
            rank = head["rank_national"]
            lag = read.lagging(digest_engine, month, r.scope, r.state_code, scheme=s["id"])
        else:
            head = read.district_headline(digest_engine, month, r.district_code, r.scope, scheme=s["id"])
            rank = head["rank_in_state"]
            lag = read.lagging(digest_engine, month, r.scope, r.state_code, r.district_code, scheme=s["id"])
        assert got[s["id"]] == {"score": format_score(head["score"], head["score_centi"]),
                                "change": format_change_centi(head["score_change_centi"]),
                                "rank": format_rank(rank), "lagging": len(lag)}, s["id"]
    section = d.sections[0]
    assert section.title == "Every ranking scheme"
    assert [row[0] for row in section.table.rows] == [s["name"] for s in schemes]
    assert section.table.header[3] == ("All-India rank" if r.role == "state" else "Rank in State")
    assert [row[1] for row in section.table.rows] == [got[s["id"]]["score"] for s in schemes]
    # the preheader gives the other schemes' ranks; the sections after the table are CCTNS Pragati's
    assert f"ICJS: rank {got['icjs']['rank']} ({got['icjs']['score']})" in d.preheader
    assert f"ITSSO: rank {got['itsso']['rank']} ({got['itsso']['score']})" in d.preheader
    assert all("CCTNS" in s.title for s in d.sections[1:2]), [s.title for s in d.sections]


def test_national_digest_names_each_schemes_leader(digest_engine, month):
    r = get_profile(digest_engine, "ncrb")
    d = compose_monthly(digest_engine, r, month, LINKS)
    for s in _scheme_rows(digest_engine):
        table = read.states_table(digest_engine, month, scheme=s["id"])
        ranked = table[table["rank_national"].notna()]
        lagging = read.lagging_by_state(digest_engine, month, Scope.national(), scheme=s["id"])
        assert d.figures["schemes"][s["id"]] == {
            "leader": ranked.iloc[0]["name"], "score": format_score(ranked.iloc[0]["score"],
                                                                    ranked.iloc[0]["score_centi"]),
            "ranked": len(ranked), "lagging": int(lagging["lagging"].sum())}, s["id"]
    links = [c.url for row in d.sections[0].table.rows for c in row if isinstance(c, Link)]
    assert all(f"scheme={s}" in u for s, u in zip(("cctns", "icjs", "itsso"), links, strict=True)), links
    assert "ITSSO: " in d.preheader and "first" in d.preheader


def test_the_schemes_table_in_hindi(digest_engine, month):
    from dataclasses import replace

    r = replace(get_profile(digest_engine, "haryana"), language="hi")
    d = compose_monthly(digest_engine, r, month, LINKS)
    text = render_text(d)
    names_hi = [s["name_hi"] for s in _scheme_rows(digest_engine)]
    assert all(names_hi) and all(n in text for n in names_hi)
    assert "हर रैंकिंग योजना" in text and "अखिल भारतीय रैंक" in text and "पिछड़े थाने" in text
    for english in ("Every ranking scheme", "All-India rank", "Lagging stations", "no result", "standing"):
        assert english not in text, english
