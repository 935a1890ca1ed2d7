"""metrics.analysis: rank changes, streaks, neighbour gaps, score-change decomposition and small helpers."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from metrics_testlib import make_master, state_rows, station_rows

from metrics.analysis import (
    add_rank_changes,
    centi_of,
    marks_needed_to_overtake,
    neighbour_gaps,
    peer_group,
    score_change_by_parameter,
    streaks,
)
from metrics.methodology import default_methodology
from metrics.scoring import publish_centi, score_month


def _units(rows):
    df = pd.DataFrame(rows, columns=["level", "unit_code", "score_centi", "rank_national", "rank_category",
                                     "rank_in_state", "rank_in_district"])
    for c in df.columns[2:]:
        df[c] = df[c].astype("Int64")
    return df


def test_add_rank_changes_previous_minus_current():
    now = _units([("state", "A", 9000, 1, 1, None, None), ("state", "B", 8000, 2, 1, None, None),
                  ("station", "P", 7000, None, None, 3, 1), ("station", "NEW", 6000, None, None, 4, 2),
                  ("station", "NOSCORE", None, None, None, None, None)])
    prev = _units([("state", "A", 8500, 2, 1, None, None), ("state", "B", 8800, 1, 1, None, None),
                   ("station", "P", 7100, None, None, 1, 1), ("station", "NOSCORE", 5000, None, None, 5, 3),
                   ("district", "A", 1, None, None, 9, None)]).assign(streak_at_1=3)
    out = add_rank_changes(now, prev).set_index("unit_code")
    assert out.loc["A", "rank_change_national"] == 1 and out.loc["B", "rank_change_national"] == -1
    assert out.loc["A", "rank_change_category"] == 0
    assert out.loc["P", "rank_change_in_state"] == -2 and out.loc["P", "rank_change_in_district"] == 0
    assert out.loc["A", "score_change_centi"] == 500 and out.loc["P", "score_change_centi"] == -100
    for col in ("rank_change_in_state", "rank_change_in_district", "score_change_centi"):
        assert pd.isna(out.loc["NEW", col]) and pd.isna(out.loc["NOSCORE", col])
    assert pd.isna(out.loc["A", "rank_change_in_state"])  # the district "A" of last month is another unit
    assert "streak_at_1" not in out.columns and out["rank_change_national"].dtype == "Int64"
    assert len(out) == len(now)


@pytest.mark.parametrize("prev", [None, _units([])])
def test_add_rank_changes_without_a_previous_month(prev):
    now = _units([("state", "A", 9000, 1, 1, None, None)])
    out = add_rank_changes(now, prev)
    assert out[["rank_change_national", "score_change_centi"]].isna().all().all()


def test_add_rank_changes_on_scored_units(worked):
    out = add_rank_changes(worked.units, worked.units)
    scored = out["score_centi"].notna()
    assert (out.loc[scored, "score_change_centi"] == 0).all()
    assert (out.loc[out["level"] == "state", "rank_change_national"] == 0).all()


def test_streaks_consecutive_months_across_a_year_end():
    h = pd.DataFrame(
        [("2024-11", "A", 1), ("2024-12", "A", 1), ("2025-01", "A", 1), ("2025-02", "A", 2),
         ("2024-12", "B", 3), ("2025-01", "B", 5),
         ("2024-10", "C", 1), ("2024-12", "C", 1), ("2025-01", "C", 1),  # a gap in November
         ("2025-01", "D", None), ("2024-12", "D", 1),
         ("2024-12", "E", 1)],  # not ranked in January at all
        columns=["month", "unit_code", "rank"],
    )
    h["rank"] = h["rank"].astype("Int64")
    out = streaks(h, "2025-01").set_index("unit_code")
    assert out.loc["A"].tolist() == [3, 3]  # the February row is after `month`
    assert out.loc["B"].tolist() == [0, 2]
    assert out.loc["C"].tolist() == [2, 2]
    assert out.loc["D"].tolist() == [0, 0]
    assert out.loc["E"].tolist() == [0, 0]
    assert streaks(h, "2025-02").set_index("unit_code").loc["A"].tolist() == [0, 4]
    assert streaks(h.iloc[0:0], "2025-01").empty


def test_neighbour_gaps_with_ties_ends_and_unscored():
    scope = pd.DataFrame(
        {
            "unit_code": ["T1", "T2", "M", "L", "N"],
            "score": [99.501, 99.499, 98.0, 97.25, np.nan],
            "score_centi": pd.array([9950, 9950, 9800, 9725, None], dtype="Int64"),
        }
    )
    g = neighbour_gaps(scope).set_index("unit_code")
    assert g.loc["T1", "above_code"] is None and g.loc["T1", "gap_to_above"] is None
    assert g.loc["T1", "below_code"] == "M" and g.loc["T1", "lead_over_below"] == pytest.approx(1.501)
    # tied units are not each other's neighbours
    assert g.loc["T2", "below_code"] == "M" and g.loc["T2", "above_code"] is None
    # the nearest of the tied units above: T2 (99.499)
    assert g.loc["M", "above_code"] == "T2" and g.loc["M", "gap_to_above"] == pytest.approx(1.499)
    assert g.loc["M", "below_code"] == "L" and g.loc["M", "lead_over_below"] == pytest.approx(0.75)
    assert g.loc["L", "below_code"] is None and g.loc["L", "lead_over_below"] is None
    assert g.loc["N"].tolist() == [None, None, None, None]
    assert list(g.index) == ["T1", "T2", "M", "L", "N"]


def test_neighbour_gaps_of_scored_states(worked):
    states = worked.units[worked.units["level"] == "state"]
    g = neighbour_gaps(states).set_index("unit_code")
    assert g.loc["XX", "above_code"] == "YY"
    assert g.loc["XX", "gap_to_above"] == pytest.approx(float(Fraction(34135 - 27266, 343)))
    assert g.loc["YY", "lead_over_below"] == g.loc["XX", "gap_to_above"]


def test_score_change_by_parameter_across_the_version_switch():
    m = default_methodology()
    master = make_master({"HR": {"HR-A": ["P1", "P2"]}})
    rows = station_rows([("P1", "fir_in_cctns", 9, 10), ("P2", "fir_in_cctns", 5, 10), ("P1", "ps_cas_live", 1, 1),
                         ("P1", "fingerprints_nafis", 18, 20)])
    s_rows = state_rows([("HR", "icjs_courts", 3, 4), ("HR", "personnel_trained", 1, 2)])
    dec = score_month("2024-12", m.version_for("2024-12"), master, rows, s_rows)
    jan = score_month("2025-01", m.version_for("2025-01"), master, rows, s_rows)
    pick = lambda s: s.params[(s.params["level"] == "state") & (s.params["unit_code"] == "HR")]  # noqa: E731
    out = score_change_by_parameter(pick(jan), pick(dec))
    score = lambda s: s.units.set_index("unit_code").loc["HR", "score"]  # noqa: E731
    assert out["change"].sum() == pytest.approx(score(jan) - score(dec), abs=1e-9)
    assert out["contribution_now"].sum() == pytest.approx(score(jan), abs=1e-9)
    o = out.set_index("parameter")
    assert o.loc["ps_cas_live", "contribution_now"] == 0 and o.loc["ps_cas_live", "contribution_prev"] > 0
    assert o.loc["esakshya", "contribution_prev"] == 0  # only in the 2025 version (and not applicable)
    assert list(out["parameter"][: len(pick(jan))]) == list(pick(jan)["parameter"])
    assert set(out["parameter"]) == set(pick(jan)["parameter"]) | set(pick(dec)["parameter"])


def test_score_change_by_parameter_without_previous(worked):
    p = worked.params[worked.params["unit_code"] == "XX"]
    out = score_change_by_parameter(p, None)
    assert out["change"].tolist() == pytest.approx([54.0, float(Fraction(6000, 343)), 8.0])


def test_marks_needed_to_overtake():
    # above publishes 79.13: own must reach 79.135 (which publishes 79.14)
    needed = marks_needed_to_overtake(79.12, 79.125)
    assert needed == pytest.approx(0.015)
    assert publish_centi(Fraction(7912, 100) + Fraction(15, 1000)) == 7914
    assert publish_centi(Fraction(7912, 100) + Fraction(149, 10000)) == 7913
    assert marks_needed_to_overtake(Fraction(7912, 100), 0.0, above_centi=7913) == pytest.approx(0.015)
    assert marks_needed_to_overtake(90.0, 80.0) == 0.0
    # an above score of exactly 99.995 publishes 100.00: nobody can overtake (needs 100.005)
    assert marks_needed_to_overtake(99.0, Fraction(99995, 1000)) == pytest.approx(1.005)


def test_centi_of():
    assert centi_of(Fraction(99995, 1000)) == 10000 and centi_of(79.125) == 7913 and centi_of(79.225) == 7923


def test_peer_group_bands():
    assert [peer_group(x) for x in (0, 19, 20, 59, 60, 500)] == [
        "Low (<20 FIRs)", "Low (<20 FIRs)", "Medium (20-59)", "Medium (20-59)", "High (60+)", "High (60+)"
    ]
    assert peer_group(None) == "Unknown" and peer_group(float("nan")) == "Unknown" and peer_group(pd.NA) == "Unknown"
    s = pd.Series([5, 20, None, 61], index=[10, 11, 12, 13], dtype="Int64")
    out = peer_group(s)
    assert out.tolist() == ["Low (<20 FIRs)", "Medium (20-59)", "Unknown", "High (60+)"]
    assert list(out.index) == [10, 11, 12, 13]
    assert peer_group(np.array([3.0, 70.0])).tolist() == ["Low (<20 FIRs)", "High (60+)"]
