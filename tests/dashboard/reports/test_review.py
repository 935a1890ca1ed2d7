"""The review behind the conference deck and the packs: same numbers as dashboard.read and the
exports, scope checked before anything is read, slides that fit a projector."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import read
from dashboard.reports.deck import LAGGING_ROWS, TABLE_ROWS, lag_reason, slides, stamp
from dashboard.reports.exports import build_export
from dashboard.reports.review import ReviewError, build_review
from dashboard.scope import OutOfScope, Scope
from layouts.slides import Chart, Kpis, Table

NATIONAL = Scope.national("test")
HARYANA = Scope("state", "HR", None, "haryana")
KARNAL = Scope("district", "HR", "HR-KNL", "karnal-sp")


@pytest.fixture(scope="module")
def month(demo_engine) -> str:
    return read.latest_month(demo_engine)


@pytest.fixture(scope="module")
def hr(demo_engine, month):
    return build_review(demo_engine, month, NATIONAL, "HR")


@pytest.fixture(scope="module")
def knl(demo_engine, month):
    return build_review(demo_engine, month, KARNAL, "HR", "HR-KNL")


def test_review_numbers_equal_the_read_api(demo_engine, month, hr):
    head = read.state_headline(demo_engine, month, "HR")
    assert hr.headline["score_display"] == head["score_display"]
    assert hr.headline["rank_national"] == head["rank_national"]
    assert hr.scope_name == "Haryana" and hr.month == month
    assert hr.data_as_of == read.data_as_of(demo_engine)
    assert hr.methodology_version == read.version_for(demo_engine, month).id
    pd.testing.assert_frame_equal(hr.states, read.states_table(demo_engine, month))
    pd.testing.assert_frame_equal(hr.districts, read.districts_table(demo_engine, month, "HR", NATIONAL))
    lag = read.lagging(demo_engine, month, NATIONAL, "HR")
    assert list(hr.lagging["station_code"]) == list(lag["station_code"])
    assert len(hr.top) <= 10 and hr.top["rank_national"].max() <= 10
    assert hr.own["score_display"] == head["score_display"]


def test_review_matches_the_exports(demo_engine, month, hr):
    states = build_export(demo_engine, "states", month)
    ours = states[states["state_code"] == "HR"].iloc[0]
    assert ours["score"] == hr.headline["score_display"]
    assert ours["rank_national"] == hr.headline["rank_national"]
    districts = build_export(demo_engine, "districts", month, state="HR")
    assert dict(zip(districts["district_code"], districts["score"], strict=True)) == dict(
        zip(hr.districts["unit_code"], hr.districts["score_display"], strict=True))


def test_why_rank_moved_adds_up_to_the_score_change(demo_engine, month, hr):
    own = hr.why_own
    assert not own.empty and "rivals_change" in own
    prev = read.score_trend(demo_engine, "state", "HR", month, 2)
    assert len(prev) == 2
    assert own["change"].sum() == pytest.approx(prev["score"].iloc[1] - prev["score"].iloc[0], abs=1e-9)
    codes = set(hr.why_rivals["unit_code"])
    assert "HR" in codes and len(codes) >= 2


def test_district_review(demo_engine, month, knl):
    assert knl.is_district and knl.district_name == "Karnal"
    assert knl.scope_name == "Karnal district, Haryana"
    pd.testing.assert_frame_equal(knl.stations, read.stations_table(demo_engine, month, "HR-KNL", KARNAL))
    assert knl.district_headline["score_display"] == read.district_headline(
        demo_engine, month, "HR-KNL", KARNAL)["score_display"]
    assert set(knl.lagging.get("district_code", pd.Series(dtype=str))) <= {"HR-KNL"}
    assert knl.stakes_by_parameter.empty  # a district SP never sees the State's station-level stakes


@pytest.mark.parametrize(
    ("scope", "state", "district"),
    [
        (KARNAL, "HR", None),  # the whole State's review
        (KARNAL, "HR", "HR-XXX"),  # a district that does not exist
        (KARNAL, "UP", None),
        (HARYANA, "UP", None),
        (Scope("district", "HR", "HR-KNL"), "UP", "HR-KNL"),  # wrong State named with our district
    ],
)
def test_out_of_scope_reviews_are_refused(demo_engine, month, scope, state, district):
    with pytest.raises((OutOfScope, ReviewError)) as info:
        build_review(demo_engine, month, scope, state, district)
    if (state, district) in (("HR", None), ("UP", None)):
        assert info.type is OutOfScope


def test_other_districts_of_the_state_are_refused(demo_engine, month):
    other = read.districts_table(demo_engine, month, "HR", NATIONAL)["unit_code"]
    other = [c for c in other if c != "HR-KNL"]
    assert other
    with pytest.raises(OutOfScope):
        build_review(demo_engine, month, KARNAL, "HR", other[0])


def test_unknown_units_and_months(demo_engine, month):
    with pytest.raises(ReviewError):
        build_review(demo_engine, month, NATIONAL, "XX")
    with pytest.raises(ReviewError):
        build_review(demo_engine, "1999-01", NATIONAL, "HR")
    with pytest.raises(ReviewError):
        build_review(demo_engine, month, NATIONAL, "UP", "HR-KNL")


def test_state_slides(hr):
    deck = slides(hr)
    keys = [s.key for s in deck]
    assert keys[0] == "title" and keys[1].startswith("commitments")  # the review loop opens the deck
    assert [k for k in keys if not k.startswith("commitments")][:5] == ["title", "standing", "trend", "why", "lost"]
    assert any(k.startswith("districts-") for k in keys) and "movers" in keys
    assert any(k.startswith("lagging-") for k in keys)
    title = deck[0]
    assert title.kind == "title" and title.title == "Haryana"
    text = " ".join(line for col in title.columns for b in col if hasattr(b, "lines") for line in b.lines)
    assert hr.methodology_version in text and "Data as of" in text
    standing = next(s for s in deck if s.key == "standing").tables()[0]
    ours = [standing.rows[i] for i in standing.highlight]
    assert ours and ours[0][1] == "Haryana" and ours[0][2] == hr.headline["score_display"]
    # long tables are split: no slide holds more rows than a projector can show
    for s in deck:
        for t in s.tables():
            assert len(t.rows) <= (LAGGING_ROWS if t.small else max(TABLE_ROWS, 11))
    district_rows = sum(len(s.tables()[0].rows) for s in deck if s.key.startswith("districts-"))
    assert district_rows == len(hr.districts)
    assert {c.key for s in deck for c in s.charts()} == {"trend", "rank", "why", "lost"}
    assert all(s.notes for s in deck)
    assert "Haryana" in stamp(hr) and hr.methodology_version in stamp(hr)


def test_district_slides(knl):
    deck = slides(knl)
    keys = [s.key for s in deck]
    assert any(k.startswith("stations-") for k in keys)
    assert not any(k.startswith("districts-") for k in keys)
    station_rows = [r for s in deck if s.key.startswith("stations-") for r in s.tables()[0].rows]
    assert [r[1] for r in station_rows] == list(knl.stations["name"])
    assert deck[0].title == "Karnal district, Haryana"


def test_blocks_are_typed(hr):
    for s in slides(hr):
        for col in s.columns:
            for b in col:
                assert isinstance(b, Kpis | Table | Chart) or hasattr(b, "lines")


def test_lag_reason_is_short():
    reasons = ("Score 24.71, below 90; Critical: Days with data synced to the National Data Centre — 20 of 31 days "
               "(64.5%); Critical: FIRs registered in CCTNS below 80% of target")
    actions = ("FIRs registered in CCTNS: 3 more needed (8 of 11 done; target 100%; worth +0.159) · "
               "Other: 1 more needed (1 of 2 done; target 100%; worth +0.010)")
    text = lag_reason(reasons, actions)
    first, second = text.split("\n")
    assert first == "Score below 90 · 2 critical parameters"
    assert second == "Fix first: FIRs registered in CCTNS: 3 more needed (8 of 11 done; target 100%; worth +0.159)"
    one = lag_reason("Critical: FIRs registered in CCTNS — 8 of 11 FIRs (72.7%)", "")
    assert one == "Critical: FIRs registered in CCTNS"
    assert lag_reason("Not reported: no data received for this month",
                      "Enter this month's CCTNS data (nothing was received)") == \
        "Not reported\nFix first: Enter this month's CCTNS data (nothing was received)"
