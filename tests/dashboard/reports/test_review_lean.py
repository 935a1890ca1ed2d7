"""The deck's lean review (issue 15) answers what the full one answers: the rivals' change by parameter from
two bulk reads equals the per-State computation it replaced, the first lagging rows and their count equal
the whole list's, and the first fix of each lagging station is `read.stakes_by_station`'s first row."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import read
from dashboard.reports.review import LAGGING_TOP, _with_rivals_change, build_review
from dashboard.scope import Scope
from metrics.analysis import score_change_by_parameter
from metrics.methodology import previous_month

NATIONAL = Scope.national("test")


def _rivals_change_per_state(engine, month: str, state_code: str, own: pd.DataFrame,
                             rivals: pd.DataFrame) -> pd.DataFrame:
    """The computation the bulk one replaced: two `unit_params` reads per rival (commit aa759fb)."""
    changes = []
    for code in rivals["unit_code"]:
        if code == state_code:
            continue
        now_p = read.unit_params(engine, month, "state", code)
        prev_p = read.unit_params(engine, previous_month(month), "state", code)
        if now_p.empty or prev_p.empty:
            continue
        changes.append(score_change_by_parameter(now_p, prev_p).set_index("parameter")["change"])
    out = own.copy()
    out["rivals_change"] = (out["parameter"].map(pd.concat(changes, axis=1).mean(axis=1)).astype(float) if changes
                            else float("nan"))
    return out.reset_index(drop=True)


@pytest.fixture
def months(any_demo_engine) -> list[str]:
    return read.months(any_demo_engine)[-3:]


def test_rivals_change_equals_the_per_state_computation(any_demo_engine, months):
    engine = any_demo_engine
    seen = 0
    for month in months:
        for state in read.states_table(engine, month)["unit_code"]:
            why = read.why_rank_moved(engine, month, state)
            if why["own"] is None or why["own"].empty:
                continue
            ours = _with_rivals_change(engine, month, state, why["own"], why["rivals"])
            theirs = _rivals_change_per_state(engine, month, state, why["own"], why["rivals"])
            pd.testing.assert_frame_equal(ours, theirs, check_exact=False, rtol=0, atol=1e-12)
            seen += ours["rivals_change"].notna().sum()
    assert seen > 0  # the demo has rivals that changed


def _most_lagging_state(engine, month: str) -> str:
    counts = {s: read.lagging_head(engine, month, NATIONAL, s, None, 1)[1]
              for s in read.states_table(engine, month)["unit_code"]}
    return max(counts, key=lambda s: (counts[s], s))


def test_deck_review_reads_only_the_lagging_rows_it_shows(any_demo_engine, months):
    engine = any_demo_engine
    month = months[-1]
    most = _most_lagging_state(engine, month)
    for state, district in (("HR", None), ("HR", "HR-KNL"), (most, None)):
        full = build_review(engine, month, NATIONAL, state, district)
        lean = build_review(engine, month, NATIONAL, state, district, lagging_rows=LAGGING_TOP)
        assert lean.lagging_count == full.lagging_count == len(full.lagging)
        pd.testing.assert_frame_equal(lean.lagging, full.lagging_top)
        assert lean.fix_first_parameter == {c: full.fix_first_parameter[c] for c in full.lagging_top["station_code"]}
    assert full.lagging_count > LAGGING_TOP  # the deck lists fewer than the State's lagging stations


def test_first_fixes_are_the_first_stake_of_each_station(any_demo_engine, months):
    engine = any_demo_engine
    state = _most_lagging_state(engine, months[-1])
    by_station = read.stakes_by_station(read.unit_stakes(engine, months[-1], NATIONAL, state))
    assert by_station
    codes = [*by_station, "NO-SUCH-STATION"]
    assert read.first_fixes(engine, months[-1], NATIONAL, state, None, codes) == {
        code: rows[0]["parameter"] for code, rows in by_station.items()}
    district = read.unit_info(engine, "station", codes[0])["district_code"]
    in_district = read.stakes_by_station(read.unit_stakes(engine, months[-1], NATIONAL, state, district))
    assert read.first_fixes(engine, months[-1], NATIONAL, state, district, list(in_district)) == {
        code: rows[0]["parameter"] for code, rows in in_district.items()}


def test_first_fixes_are_scoped(demo_engine):
    from dashboard.scope import OutOfScope

    month = read.latest_month(demo_engine)
    karnal = Scope("district", "HR", "HR-KNL", "karnal-sp")
    with pytest.raises(OutOfScope):
        read.first_fixes(demo_engine, month, karnal, "HR", None, ["X"])
    with pytest.raises(OutOfScope):
        read.first_fixes(demo_engine, month, karnal, "HR", "HR-AMB", ["X"])
    assert read.first_fixes(demo_engine, month, karnal, "HR", "HR-KNL", []) == {}


def test_state_contributions_are_the_param_matrix_columns(any_demo_engine, months):
    engine = any_demo_engine
    month, prev = months[-1], months[-2]
    codes = list(read.states_table(engine, month)["unit_code"][:5])
    got = read.state_contributions(engine, [month, prev], [*codes, "NO-SUCH-STATE"])
    assert set(got["month"]) == {month, prev}
    for m in (month, prev):
        matrix = read.param_matrix(engine, m, "state")
        want = matrix[matrix["unit_code"].isin(codes)][["unit_code", "parameter", "contribution"]]
        mine = got[got["month"] == m][["unit_code", "parameter", "contribution"]]
        key = ["unit_code", "parameter"]
        pd.testing.assert_frame_equal(mine.sort_values(key).reset_index(drop=True),
                                      want.sort_values(key).reset_index(drop=True), check_dtype=False)
    assert read.state_contributions(engine, [month], []).empty


def test_marks_plan_is_the_overtake_plan_the_review_shows(any_demo_engine, months):
    engine = any_demo_engine
    month = months[-1]
    karnal = Scope("district", "HR", "HR-KNL", "karnal-sp")
    for state, scope in (("HR", NATIONAL), (_most_lagging_state(engine, month), NATIONAL), ("HR", karnal)):
        full = read.overtake_plan(engine, month, state, scope)
        lean = read.marks_plan(engine, month, state, scope)
        assert set(lean) == set(full)
        pd.testing.assert_frame_equal(lean["marks_lost"], full["marks_lost"])
        assert lean["above"] == full["above"]
        if "by_parameter" in full:
            pd.testing.assert_frame_equal(lean["by_parameter"], full["by_parameter"])
            assert list(lean["stations"]["station_code"]) == list(full["stations"]["station_code"])
    assert "by_parameter" not in read.marks_plan(engine, month, "HR", karnal)  # a district may not see them


def test_deck_review_equals_the_pack_review_but_for_what_only_the_packs_show(any_demo_engine, months):
    engine = any_demo_engine
    for state, district in (("HR", None), ("HR", "HR-KNL")):
        full = build_review(engine, months[-1], NATIONAL, state, district, lagging_rows=LAGGING_TOP)
        deck = build_review(engine, months[-1], NATIONAL, state, district, lagging_rows=LAGGING_TOP, deck=True)
        assert deck.reconciliation.empty and deck.flags_open == 0
        for name in ("headline", "above", "below", "district_movers", "station_movers", "district_headline",
                     "lagging_count", "fix_first_parameter"):
            assert str(getattr(deck, name)) == str(getattr(full, name)), name
        for name in ("states", "trend", "above_trend", "rank_history", "why_own", "why_rivals", "marks_lost",
                     "stakes_by_parameter", "districts", "lagging", "actions", "projection", "stations",
                     "district_trend", "district_rank_history"):
            pd.testing.assert_frame_equal(getattr(deck, name), getattr(full, name), obj=name)
        movers = read.movers(engine, months[-1], "station" if district else "district", district or state, NATIONAL,
                             n=5)
        got = deck.station_movers if district else deck.district_movers
        for side in ("improved", "declined"):
            pd.testing.assert_frame_equal(got[side], movers[side])
