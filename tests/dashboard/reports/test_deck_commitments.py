"""The deck opens with the commitments from the last review: the tally by district (by police station in a
district review) equals `dashboard.actions.tally`, the not-met and carried-over actions are listed with what
the data shows, an empty review says so plainly, and the lagging rows name the station and parameter."""

from __future__ import annotations

import pandas as pd
import pytest
from review_loop import FORMULA_TEXT, STATE, scope

from dashboard import actions, read
from dashboard.reports import (
    COMMITMENTS_TITLE,
    build_review,
    commitment_slides,
    commitments_for,
    commitments_to_follow,
    slides,
)
from dashboard.scope import Scope
from layouts.slides import Kpis, RowRef, Table, Text

NATIONAL = Scope.national("test")


@pytest.fixture(scope="module")
def engine(judged):
    """The judged database, read only."""
    from sqlalchemy import create_engine

    eng = create_engine(f"sqlite:///{judged.db}")
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def review(engine, judged):
    return build_review(engine, judged.last_month, NATIONAL, STATE)


def _kpis(slide) -> dict[str, str]:
    strip = next(b for col in slide.columns for b in col if isinstance(b, Kpis))
    return {k.label: k.value for k in strip.items}


def test_outcomes_are_the_hand_checked_ones(review, judged):
    by_id = review.actions.set_index("id")
    outcome = {name: by_id.loc[i, "outcome"] for name, i in judged.ids.items()}
    assert outcome["MET"] == "met" and outcome["PARTLY"] == "partly_met" and outcome["NOT_MET"] == "not_met"
    assert outcome["PENDING"] == "pending" and outcome["STATION"] != "pending"
    assert int(by_id.loc[judged.ids["PARTLY"], "carry_cycles"]) == 1
    assert int(by_id.loc[judged.ids["NOT_MET"], "carry_cycles"]) == 1


def test_the_deck_opens_with_the_tally_of_dashboard_actions(review, judged):
    deck = slides(review)
    assert deck[0].kind == "title" and deck[1].title == COMMITMENTS_TITLE
    commitments = review.commitments
    assert sorted(commitments["id"]) == sorted(judged.ids.values())  # all made on May's data
    expected = actions.tally(commitments)
    assert _kpis(deck[1]) == {"Met": str(expected["met"]), "Partly met": str(expected["partly_met"]),
                              "Not met": str(expected["not_met"]), "Carried over": str(expected["carried_over"]),
                              "Pending": str(expected["pending"])}
    # by hand: MET met; PARTLY partly met and carried; NOT_MET not met and carried; PENDING pending; STATION
    # met or not met (its June score), carried over when not met
    station_met = review.actions.set_index("id").loc[judged.ids["STATION"], "outcome"] == "met"
    assert expected["met"] == 1 + station_met and expected["partly_met"] == 1
    assert expected["not_met"] == 2 - station_met and expected["carried_over"] == 3 - station_met
    assert expected["pending"] == 1 and expected["total"] == 5


def test_each_district_row_is_the_tally_of_its_actions(review):
    table = next(b for b in review_slides_blocks(review, "commitments") if isinstance(b, Table))
    labels = [c.label for c in table.columns]
    assert labels[:2] == ["District", "Actions"]
    c = review.commitments
    for row in table.rows:
        code = next(d for d, n in zip(c["district_code"], c["district_name"], strict=True) if n == row[0])
        counts = actions.tally(c[c["district_code"] == code])
        assert row[1] == str(counts["total"])
        for label, key in (("Met", "met"), ("Partly met", "partly_met"), ("Not met", "not_met"),
                           ("Carried over", "carried_over"), ("Pending", "pending")):
            assert row[labels.index(label)] == str(counts[key])
    assert sum(int(r[1]) for r in table.rows) == len(c)


def review_slides_blocks(review, key: str) -> list:
    slide = next(s for s in slides(review) if s.key == key)
    return [b for col in slide.columns for b in col]


def test_not_met_and_carried_over_are_listed_with_what_the_data_shows(review, judged):
    follow = commitments_to_follow(review)
    by_id = review.actions.set_index("id")
    expected = {i for i in by_id.index if by_id.loc[i, "outcome"] in ("not_met", "no_data")
                or (by_id.loc[i, "status"] in ("open", "escalated") and int(by_id.loc[i, "carry_cycles"]) > 0)}
    assert set(follow["id"]) == expected and {judged.ids["PARTLY"], judged.ids["NOT_MET"]} <= expected
    listed = [s for s in slides(review) if s.key.startswith("commitments-open")]
    table = listed[0].tables()[0]
    assert [c.label for c in table.columns] == ["Unit", "Action", "Owner", "Due", "What the data shows"]
    rows = {r[1].split("\n")[0]: r for t in (s.tables()[0] for s in listed) for r in t.rows}
    assert len(rows) == len(expected)
    not_met = by_id.loc[judged.ids["NOT_MET"]]
    row = rows[FORMULA_TEXT]  # typed text shown as typed (a slide runs no formula)
    assert row[0].split("\n")[0] == not_met["unit_name"] and row[2] == not_met["owner"]
    assert row[3] == "Jun 2025\ncarried to Jul 2025 (1×)"
    now, then = row[4].split("\n")
    assert now == (f"Not met: {float(not_met['now_value']):.1f}% ({int(not_met['now_numerator'])} / "
                   f"{int(not_met['now_denominator'])}) in Jun 2025")
    assert then == (f"was {float(not_met['gap_value']):.1f}% ({int(not_met['gap_numerator'])} / "
                    f"{int(not_met['gap_denominator'])}) in May 2025; target {float(not_met['gap_target']):g}%")
    partly = rows["Clear the backlog by the next review"]
    assert partly[4].startswith("Partly met: ")
    refs = [ref for t in (s.tables()[0] for s in listed) for ref in t.refs]
    assert RowRef("station", not_met["unit_code"], not_met["parameter"]) in refs


def test_a_district_review_tallies_by_police_station(engine, judged):
    a = actions.get_action(engine, scope(), judged.ids["NOT_MET"])
    r = build_review(engine, judged.last_month, NATIONAL, STATE, a["district_code"])
    c = r.commitments
    assert set(c["district_code"]) == {a["district_code"]}
    table = commitment_slides(r)[0].tables()[0]
    assert table.columns[0].label == "Police station"
    assert sum(int(row[1]) for row in table.rows) == len(c)


def test_actions_made_on_this_months_data_wait_for_the_next_review(judged_engine, judged):
    stakes = read.unit_stakes(judged_engine, judged.last_month, NATIONAL, STATE)
    new = actions.create_actions(judged_engine, scope(), [actions.NewAction(
        "station", stakes.iloc[0]["station_code"], stakes.iloc[0]["parameter"], "Made at this review", "sp")])
    r = build_review(judged_engine, judged.last_month, NATIONAL, STATE)
    assert new[0] in set(r.actions["id"]) and new[0] not in set(r.commitments["id"])


def test_commitments_rule_on_a_hand_made_list():
    df = pd.DataFrame({
        "id": [1, 2, 3, 4, 5],
        "basis_month": ["2025-04", "2025-05", "2025-03", "2025-06", "2025-04"],
        "current_due_month": ["2025-05", "2025-06", "2025-07", "2025-07", "2025-07"],
        "outcome_month": ["2025-05", "2025-06", "2025-06", None, None],
    })
    # 1: judged (met) before this month -> shown last review; 2: judged by June; 3: carried to July;
    # 4: made on June's data (this review); 5: pending, due later
    assert list(commitments_for(df, "2025-06")["id"]) == [2, 3, 5]


def test_no_actions_says_so_plainly(judged):
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{judged.base_db}")
    r = build_review(engine, judged.basis_month, NATIONAL, STATE)
    opening = commitment_slides(r)
    assert len(opening) == 1 and opening[0].title == COMMITMENTS_TITLE
    blocks = [b for col in opening[0].columns for b in col]
    assert len(blocks) == 1 and isinstance(blocks[0], Text) and not opening[0].charts()
    assert blocks[0].lines[0].startswith("No actions were agreed for Manipur")
    engine.dispose()


def test_lagging_rows_name_the_station_and_the_first_fix(engine, review):
    lag = [s for s in slides(review) if s.key.startswith("lagging-")]
    stakes = read.stakes_by_station(read.unit_stakes(engine, review.month, NATIONAL, STATE))
    codes = list(review.lagging_top["station_code"])
    refs = [ref for s in lag for ref in s.tables()[0].refs]
    assert [ref.unit_code for ref in refs] == codes and all(ref.level == "station" for ref in refs)
    for ref in refs:
        first = stakes.get(ref.unit_code)
        assert ref.parameter == (first[0]["parameter"] if first else None)
    assert all(len(t.refs) == len(t.rows) for s in lag for t in s.tables())



def test_the_tally_speaks_the_decks_language(review):
    """The tally's labels are the catalog's (they were marked for extraction but shown untranslated: a Hindi
    deck and PDF pack said 'Met', 'Partly met' ...)."""
    from dashboard.i18n import use_language

    with use_language("hi"):
        labels = list(_kpis(slides(review)[1]))
    assert labels == ["पूरा हुआ", "आंशिक रूप से पूरा", "पूरा नहीं हुआ", "आगे बढ़ाए गए", "लंबित"]
