"""The demo's review meetings: the worst gaps of each State assigned, worded like the lagging list, and judged
by the month that follows."""

from __future__ import annotations

from dashboard import actions, read
from dashboard.ingest import hold_reviews, import_files
from dashboard.scope import Scope

NATIONAL = Scope.national("ncrb")


def test_reviews_assign_the_worst_gaps_and_the_next_month_judges_them(held_back, held_back_engine):
    engine = held_back_engine
    made = hold_reviews(engine, held_back.basis_month)
    df = actions.list_actions(engine, NATIONAL)
    assert made == len(df) > 0
    for state in set(read.lagging_by_state(engine, held_back.basis_month, NATIONAL).query("lagging > 0")["state_code"]):
        top = read.unit_stakes(engine, held_back.basis_month, NATIONAL, state).iloc[0]
        mine = df[(df["unit_code"] == top["station_code"]) & (df["parameter"] == top["parameter"])]
        assert len(mine) == 1, f"{state}: the gap with most at stake was not assigned"
        assert mine.iloc[0]["gap_at_stake"] == top["at_stake_state"]
    for r in df[df["level"] == "station"].itertuples():  # worded as the lagging list words them
        assert r.text.startswith(f"{r.parameter_name}: ") and f" of {r.gap_denominator}" in r.text.replace(",", "")
    assert set(df["due_month"]) == {held_back.last_month} and set(df["outcome"]) == {"pending"}

    import_files(engine, held_back.last_files, user="test")
    judged = actions.list_actions(engine, NATIONAL)
    assert "pending" not in set(judged["outcome"])
    assert set(judged["outcome_month"]) == {held_back.last_month}


def test_a_state_with_nothing_left_to_assign_holds_no_review(held_back, held_back_engine, monkeypatch):
    """National demo, 2026-10: the SP's State had no lagging station, its SP's district no station losing marks
    and no district parameter losing marks, and its empty batch stopped the whole demo ("nothing to assign")."""
    from dashboard.ingest import demo_reviews

    sp_state = demo_reviews.SP_DISTRICT.split("-")[0]
    real_stakes = demo_reviews.unit_stakes
    monkeypatch.setattr(demo_reviews, "unit_stakes", lambda engine, month, scope, state: (
        real_stakes(engine, month, scope, state).iloc[0:0] if state == sp_state
        else real_stakes(engine, month, scope, state)))
    monkeypatch.setattr(demo_reviews, "_weakest_stations", lambda *args, **kwargs: [])
    real_worst = demo_reviews._worst_district_parameter
    monkeypatch.setattr(demo_reviews, "_worst_district_parameter", lambda engine, month, state, params: (
        None if state == sp_state else real_worst(engine, month, state, params)))

    made = hold_reviews(held_back_engine, held_back.basis_month)
    df = actions.list_actions(held_back_engine, NATIONAL)
    assert made == len(df) > 0
    assert not df["unit_code"].str.startswith(f"{sp_state}-").any()
