"""metrics.scoring against metrics/RULES.md: the worked example to the digit and hand-computed cases."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from metrics_testlib import (
    make_master,
    make_version,
    state_rows,
    station_rows,
    unit,
    worked_example,
)

from metrics.methodology import default_methodology
from metrics.scoring import exact_score, publish_centi, score_month, station_parameter_values

EMPTY_STATE_ROWS = state_rows([])


def params_of(scores, code):
    return scores.params[scores.params["unit_code"] == code].set_index("parameter")


# --------------------------------------------------------------------------------------- worked example


@pytest.mark.parametrize(
    ("code", "exact", "centi"),
    [
        ("XX", Fraction(27266, 343), 7949),
        ("YY", Fraction(34135, 343), 9952),
        ("D1", Fraction(30580, 343), 8915),
        ("D2", Fraction(0), 0),
        ("S1", Fraction(280, 3), 9333),
        ("S2", None, 7289),
        ("S3", Fraction(0), 0),
    ],
)
def test_worked_example_scores(worked, code, exact, centi):
    u = unit(worked, code)
    assert u["score_centi"] == centi
    if exact is not None:
        assert u["score"] == pytest.approx(float(exact), abs=1e-12)
    assert f"{u['score_centi'] / 100:.2f}" == {
        "XX": "79.49", "YY": "99.52", "D1": "89.15", "D2": "0.00", "S1": "93.33", "S2": "72.89", "S3": "0.00"
    }[code]


def test_worked_example_exact_scores_from_params(worked):
    version = worked_example()[0]
    p = params_of(worked, "XX")
    assert exact_score(p["numerator"], p["denominator"], version.parameters) == Fraction(27266, 343)
    s2 = params_of(worked, "S2")
    assert exact_score(s2["numerator"], s2["denominator"], version.station_parameters) == Fraction(25000, 343)


def test_worked_example_ranks(worked):
    assert unit(worked, "YY")["rank_national"] == 1
    assert unit(worked, "XX")["rank_national"] == 2
    assert unit(worked, "XX")["rank_category"] == 2
    assert (unit(worked, "D1")["rank_in_state"], unit(worked, "D2")["rank_in_state"]) == (1, 2)
    assert [unit(worked, s)["rank_in_district"] for s in ("S1", "S2", "S3")] == [1, 2, 1]
    assert [unit(worked, s)["rank_in_state"] for s in ("S1", "S2", "S3")] == [1, 2, 3]
    assert pd.isna(unit(worked, "XX")["rank_in_state"]) and pd.isna(unit(worked, "S1")["rank_national"])


def test_worked_example_marks_lost(worked):
    p = params_of(worked, "XX")
    assert [f"{v:.3f}" for v in p["marks_lost"]] == ["6.000", "12.507", "2.000"]
    assert p["marks_lost"].sum() == pytest.approx(100 - unit(worked, "XX")["score"], abs=1e-12)
    assert f"{p['marks_lost'].sum():.3f}" == "20.507"
    assert p.loc["b", "imputed"] and (p.loc["b", "numerator"], p.loc["b", "denominator"]) == (48, 84)


def test_worked_example_lagging(worked):
    lag = worked.lagging[worked.lagging["state_code"] == "XX"]
    assert list(lag["station_code"]) == ["S3", "S2"]
    s3, s2 = lag.iloc[0], lag.iloc[1]
    assert f"{s3['at_stake_state']:+.3f}" == "+10.204" and f"{s2['at_stake_state']:+.3f}" == "+2.915"
    assert s3["not_reported"] and s3["low_score"] and s3["critical_parameters"] == ()
    assert not s2["not_reported"] and s2["low_score"] and s2["critical_parameters"] == ()
    assert not unit(worked, "S1")["lagging"] and unit(worked, "S2")["lagging"] and unit(worked, "S3")["lagging"]
    # S3 raised to target makes D2 (only S3) perfect
    assert s3["at_stake_district"] == pytest.approx(100.0)
    # D1's `b` goes 48/56 -> 56/56 (>= 98 %): from achievement 4800/(56*98) to 1, over D1's weights 9
    assert s2["at_stake_district"] == pytest.approx(float(100 * 3 * (1 - Fraction(4800, 56 * 98)) / 9), abs=1e-12)


def test_worked_example_units_shape(worked):
    u = worked.units
    assert list(u["level"].value_counts().sort_index().items()) == [("district", 3), ("state", 2), ("station", 4)]
    xx = unit(worked, "XX")
    assert (xx["stations_active"], xx["stations_reported"], xx["reported"]) == (3, 2, True)
    assert xx["district_code"] is None
    d2 = unit(worked, "D2")
    assert (d2["stations_active"], d2["stations_reported"], d2["reported"]) == (1, 0, False)
    assert unit(worked, "S2")["weight_sum"] == 3.0  # `a` not applicable
    assert u["score_centi"].dtype == "Int64" and u["rank_in_state"].dtype == "Int64"
    # params: States get every parameter, districts and stations the station-level ones
    assert len(worked.params) == 2 * 3 + 3 * 2 + 4 * 2
    c = params_of(worked, "XX")["contribution"]
    assert c.sum() == pytest.approx(unit(worked, "XX")["score"], abs=1e-12)


def test_worked_example_stakes(worked):
    st = worked.stakes.set_index(["station_code", "parameter"])
    assert st.loc[("S3", "b"), "numerator_needed"] == 28  # ceil(0.98 * 28) = 28
    assert st.loc[("S1", "a"), "numerator_needed"] == 50
    assert ("S2", "a") not in st.index  # 0/0: not applicable, nothing at stake
    # per station, the per-parameter stakes add up to the station's stake
    lag = worked.lagging.set_index("station_code")
    for s in ("S2", "S3"):
        assert st.loc[s, "at_stake_state"].sum() == pytest.approx(lag.loc[s, "at_stake_state"], abs=1e-12)


# --------------------------------------------------------------------------------------- rule by rule


def test_rule1_version_switch_default_catalogue():
    m = default_methodology()
    assert m.version_for("2024-12").id == "pragati-2021"
    assert m.version_for("2025-01").id == "pragati-2025"
    assert m.version_for("2020-12") is None
    master = make_master({"HR": {"HR-A": ["P1"]}})
    rows = station_rows([("P1", "ps_cas_live", 1, 1), ("P1", "fir_in_cctns", 9, 10), ("P1", "ndc_sync", 31, 31)])
    old = score_month("2024-12", m.version_for("2024-12"), master, rows, EMPTY_STATE_ROWS)
    new = score_month("2025-01", m.version_for("2025-01"), master, rows, EMPTY_STATE_ROWS)
    p_old = params_of(old, "P1")
    p_new = params_of(new, "P1")
    assert list(p_new.index) == [p.id for p in m.version_for("2025-01").station_parameters]
    assert "ps_cas_live" in p_old.index and "ps_cas_live" not in p_new.index
    # 2021: ps_cas_live 4 + ps_connectivity (days, imputed 0) 4 + ndc_sync 7 + fir_in_cctns 12*0.9
    #       + national_search (flag, imputed 0) + ...: only applicable ones count
    v21 = m.version_for("2024-12")
    applicable21 = p_old[p_old["applicable"]].index
    w21 = sum(v21.parameter(p).weight for p in applicable21)
    marks21 = Fraction(4) + 7 + Fraction(12 * 9, 10)
    assert old.units.iloc[-1]["score"] == pytest.approx(float(100 * marks21 / w21), abs=1e-12)
    # 2025: ndc_sync 8 + fir_in_cctns 12 * 0.9 over 20
    assert new.units.iloc[-1]["score"] == pytest.approx(100 * (8 + 10.8) / 20, abs=1e-12)
    assert new.units.iloc[-1]["score_centi"] == 9400


def test_rule2_pooled_not_averaged():
    v = make_version([{"id": "a"}])
    master = make_master({"XX": {"D": ["P1", "P2"]}})
    s = score_month("2023-02", v, master, station_rows([("P1", "a", 1, 1), ("P2", "a", 0, 99)]), EMPTY_STATE_ROWS)
    assert unit(s, "D")["score_centi"] == 100  # 1 / 100 = 1 %, not the 50 % of averaged percentages
    assert unit(s, "XX")["score_centi"] == 100
    assert params_of(s, "D").loc["a", "value"] == pytest.approx(1.0)


def test_rule3_missing_rows_by_kind_leap_february():
    v = make_version([{"id": "c"}, {"id": "d", "kind": "days"}, {"id": "f", "kind": "flag"}])
    master = make_master({"XX": {"D": ["P1", "P2"]}})
    rows = station_rows([("P1", "c", 10, 10), ("P1", "d", 29, 29), ("P1", "f", 1, 1)])
    s = score_month("2024-02", v, master, rows, EMPTY_STATE_ROWS)
    p2 = params_of(s, "P2")
    assert list(p2["imputed"]) == [False, True, True]
    assert list(p2["denominator"]) == [0, 29, 1] and list(p2["numerator"]) == [0, 0, 0]
    assert list(p2["applicable"]) == [False, True, True]
    d = params_of(s, "D")
    assert list(d["numerator"]) == [10, 29, 1] and list(d["denominator"]) == [10, 58, 2]
    assert unit(s, "D")["score"] == pytest.approx(100 * (1 + 0.5 + 0.5) / 3)
    assert unit(s, "P2")["score_centi"] == 0 and not unit(s, "P2")["reported"]


def test_rule3_a_days_row_with_wrong_month_length_is_rejected():
    v = make_version([{"id": "d", "kind": "days"}])
    master = make_master({"XX": {"D": ["P1"]}})
    with pytest.raises(ValueError, match="invalid"):
        score_month("2023-02", v, master, station_rows([("P1", "d", 20, 30)]), EMPTY_STATE_ROWS)


@pytest.mark.parametrize(
    "rows",
    [
        [("P1", "a", 5, 4)],
        [("P1", "a", -1, 4)],
        [("P1", "f", 1, 2)],
        [("P1", "f", 2, 1)],
        [("P1", "a", 1, 2), ("P1", "a", 1, 2)],
        [("NOPE", "a", 1, 2)],
    ],
)
def test_invalid_input_is_rejected_never_scored(rows):
    v = make_version([{"id": "a"}, {"id": "f", "kind": "flag"}])
    master = make_master({"XX": {"D": ["P1"]}})
    with pytest.raises(ValueError):
        score_month("2023-02", v, master, station_rows(rows), EMPTY_STATE_ROWS)


def test_rows_of_parameters_outside_the_version_are_ignored():
    v = make_version([{"id": "a"}])
    master = make_master({"XX": {"D": ["P1"]}})
    s = score_month("2023-02", v, master, station_rows([("P1", "a", 1, 2), ("P1", "old", 0, 5)]), EMPTY_STATE_ROWS)
    assert unit(s, "P1")["score_centi"] == 5000


def test_rule4_not_applicable_and_no_data():
    v = make_version([{"id": "a", "weight": 2}, {"id": "q", "level": "state", "weight": 3},
                      {"id": "r", "level": "state"}])
    master = make_master({"XX": {"D1": ["P1"], "D2": ["P2"]}, "YY": {"D3": ["P3"]}, "ZZ": {"D4": []}})
    rows = station_rows([("P1", "a", 0, 0), ("P3", "a", 3, 4)])
    qrows = state_rows([("XX", "q", 0, 0), ("XX", "r", 1, 2), ("ZZ", "q", 1, 1)])
    s = score_month("2023-02", v, master, rows, qrows)
    # P1: 0/0, P2: no rows at all (count left out) -> no applicable parameter: no score, no rank
    for code in ("P1", "P2", "D1", "D2", "D4"):
        u = unit(s, code)
        assert np.isnan(u["score"]) and pd.isna(u["score_centi"]) and u["weight_sum"] == 0.0
        assert pd.isna(u["rank_in_state"])
    assert unit(s, "P1")["reported"] and not unit(s, "P2")["reported"]
    # XX: only r applies (q has a 0 denominator, a pools to 0/0)
    assert unit(s, "XX")["score_centi"] == 5000 and unit(s, "XX")["weight_sum"] == 1.0
    # YY: no state rows -> q and r not applicable; a 3/4
    assert unit(s, "YY")["score_centi"] == 7500
    # ZZ has no stations, only its State row
    assert unit(s, "ZZ")["score_centi"] == 10000 and unit(s, "ZZ")["stations_active"] == 0
    assert list(s.units.query("level == 'state'").sort_values("unit_code")["rank_national"]) == [3, 2, 1]
    xx = params_of(s, "XX")
    assert list(xx["applicable"]) == [False, False, True]
    assert xx["marks_lost"].isna().tolist() == [True, True, False]
    # a lagging station without a score: only "not reported" can hold
    lag = s.lagging.set_index("station_code")
    assert lag.loc["P2", "not_reported"] and not lag.loc["P2", "low_score"]
    assert "P1" not in lag.index


def test_rule5_targets_below_100():
    v = make_version([{"id": "d", "kind": "days", "target": 98, "weight": 2}, {"id": "n", "target": 95}])
    master = make_master({"XX": {"D": ["P1", "P2", "P3"]}})
    rows = station_rows(
        [("P1", "d", 27, 28), ("P1", "n", 19, 20), ("P2", "d", 28, 28), ("P2", "n", 18, 20),
         ("P3", "d", 26, 28), ("P3", "n", 10, 20)]
    )
    s = score_month("2023-02", v, master, rows, EMPTY_STATE_ROWS)
    p1 = params_of(s, "P1")
    assert p1.loc["d", "achievement"] == pytest.approx(float(Fraction(2700, 28) / 98))
    assert p1.loc["n", "achievement"] == 1.0  # 95 % of target 95: full marks exactly
    assert params_of(s, "P2").loc["d", "achievement"] == 1.0  # capped at 1
    assert params_of(s, "P2").loc["n", "achievement"] == pytest.approx(90 / 95)
    exact_p1 = 100 * (2 * Fraction(2700, 28 * 98) + 1) / 3
    assert unit(s, "P1")["score_centi"] == publish_centi(exact_p1)
    # district: d 81/84 = 96.43 % of 98, n 47/60 = 78.3 % of 95
    exact_d = 100 * (2 * Fraction(8100, 84 * 98) + Fraction(4700, 60 * 95)) / 3
    assert unit(s, "D")["score"] == pytest.approx(float(exact_d), abs=1e-12)
    # stakes: target 98 of 28 days needs ceil(27.44) = 28; 95 % of 20 FIRs needs 19
    st = s.stakes.set_index(["station_code", "parameter"])
    assert st.loc[("P3", "d"), "numerator_needed"] == 28 and st.loc[("P2", "n"), "numerator_needed"] == 19
    assert ("P1", "n") not in st.index  # already at target


def test_rule6_district_and_station_scores_ignore_state_level():
    v = make_version([{"id": "a", "weight": 1}, {"id": "q", "level": "state", "weight": 1}])
    master = make_master({"XX": {"D": ["P1"]}})
    s = score_month("2023-02", v, master, station_rows([("P1", "a", 1, 2)]), state_rows([("XX", "q", 0, 5)]))
    assert unit(s, "P1")["score_centi"] == 5000 and unit(s, "D")["score_centi"] == 5000
    assert unit(s, "XX")["score_centi"] == 2500


@pytest.mark.parametrize(
    ("n", "d", "centi"),
    [
        (19999, 20000, 10000),
        (633, 800, 7913),
        (1, 800, 13),
        (199, 200, 9950),
        (12345, 100000, 1235),
        (3169, 4000, 7923),  # 79.225: the float gives 7922.4999... and would round down
        (23, 4000, 58),  # 0.575: same float trap
    ],
)
def test_rule7_rounding_half_up_exactly_at_xx5(n, d, centi):
    # score = 100 * n / d exactly: 99.995 -> 100.00, 79.125 -> 79.13, 0.125 -> 0.13, 12.345 -> 12.35
    v = make_version([{"id": "a"}])
    master = make_master({"XX": {"D": ["P1"]}})
    s = score_month("2023-02", v, master, station_rows([("P1", "a", n, d)]), EMPTY_STATE_ROWS)
    for code in ("P1", "D", "XX"):
        assert unit(s, code)["score_centi"] == centi


def test_rule7_half_up_through_weights_and_targets():
    # weights 1 and 3, target 96: marks a = 1 * (96/96) ... score = 100 * (1 + 3 * x) / 4
    # choose x = 0.9933 exactly (n/d = 0.9933 * 0.96 = 0.953568): score = 99.4975 -> 99.50
    v = make_version([{"id": "a", "weight": 1}, {"id": "b", "weight": 3, "target": 96}])
    master = make_master({"XX": {"D": ["P1"]}})
    rows = station_rows([("P1", "a", 1, 1), ("P1", "b", 953568, 1000000)])
    s = score_month("2023-02", v, master, rows, EMPTY_STATE_ROWS)
    assert unit(s, "P1")["score_centi"] == 9950
    assert float(100 * (1 + 3 * Fraction(953568, 960000)) / 4) == pytest.approx(99.4975)


def test_publish_centi():
    assert publish_centi(Fraction(99995, 1000)) == 10000
    assert publish_centi(Fraction(79125, 1000)) == 7913
    assert publish_centi(Fraction(79124999, 1000000)) == 7912
    assert publish_centi(Fraction(100)) == 10000 and publish_centi(0) == 0
    # the float trap the engine must avoid: 79.225 as a float is 79.22499999...
    assert np.floor(100 * 3169 / 4000 * 100 + 0.5) == 7922
    assert publish_centi(Fraction(3169 * 100, 4000)) == 7923


def test_rule8_competition_ranks_with_ties_and_unscored():
    v = make_version([{"id": "a"}])
    master = make_master({"XX": {"D1": ["P1", "P2", "P3", "P4", "P5"], "D2": ["P6"]}})
    rows = station_rows(
        [("P1", "a", 9, 10), ("P2", "a", 9, 10), ("P3", "a", 8, 10), ("P4", "a", 0, 0), ("P5", "a", 10, 10),
         ("P6", "a", 9, 10)]
    )
    s = score_month("2023-02", v, master, rows, EMPTY_STATE_ROWS)
    ranks = {c: unit(s, c)["rank_in_district"] for c in ("P1", "P2", "P3", "P4", "P5", "P6")}
    assert [ranks[c] for c in ("P5", "P1", "P2", "P3", "P6")] == [1, 2, 2, 4, 1]
    assert pd.isna(ranks["P4"])
    in_state = [unit(s, c)["rank_in_state"] for c in ("P5", "P1", "P2", "P6", "P3")]
    assert in_state == [1, 2, 2, 2, 5]
    assert pd.isna(unit(s, "P4")["rank_in_state"])


def test_rule8_ranks_by_published_not_exact_score():
    # 2/3 = 66.666..% and 66.67 (6667/10000) publish equal -> same rank although exact scores differ
    v = make_version([{"id": "a"}])
    master = make_master({"XX": {"D1": ["P1"]}, "YY": {"D2": ["P2"]}, "ZZ": {"D3": ["P3"]}},
                         categories={"XX": "Major", "YY": "Major", "ZZ": "UT"})
    rows = station_rows([("P1", "a", 2, 3), ("P2", "a", 6667, 10000), ("P3", "a", 1, 2)])
    s = score_month("2023-02", v, master, rows, EMPTY_STATE_ROWS)
    assert unit(s, "XX")["score"] != unit(s, "YY")["score"]
    assert unit(s, "XX")["rank_national"] == unit(s, "YY")["rank_national"] == 1
    assert unit(s, "ZZ")["rank_national"] == 3 and unit(s, "ZZ")["rank_category"] == 1
    assert unit(s, "XX")["category"] == "Major" and unit(s, "P3")["category"] == "UT"


def test_inactive_and_newly_opened_stations():
    v = make_version([{"id": "a"}, {"id": "d", "kind": "days"}])
    master = make_master(
        {"XX": {"D": ["OLD", "NEW", "LATER", "CLOSING", "OPEN"]}},
        opened={"NEW": "2023-02", "LATER": "2023-03"},
        closed={"OLD": "2023-01", "CLOSING": "2023-02"},
    )
    rows = station_rows(
        [("OLD", "a", 0, 50), ("OLD", "d", 0, 28), ("LATER", "a", 0, 50), ("NEW", "a", 5, 10),
         ("CLOSING", "a", 10, 10), ("CLOSING", "d", 28, 28), ("OPEN", "d", 28, 28)]
    )
    s = score_month("2023-02", v, master, rows, EMPTY_STATE_ROWS)
    stations = set(s.units.query("level == 'station'")["unit_code"])
    assert stations == {"NEW", "CLOSING", "OPEN"}
    d = params_of(s, "D")
    # OLD and LATER left out everywhere; NEW's missing days row is imputed 0/28
    assert (d.loc["a", "numerator"], d.loc["a", "denominator"]) == (15, 20)
    assert (d.loc["d", "numerator"], d.loc["d", "denominator"]) == (56, 84)
    assert unit(s, "D")["stations_active"] == 3 and unit(s, "XX")["stations_active"] == 3
    assert set(s.lagging["station_code"]) <= stations and set(s.stakes["station_code"]) <= stations
    # the month after, CLOSING is gone and LATER is in
    s2 = score_month("2023-03", v, master, station_rows([("LATER", "a", 1, 1)]), EMPTY_STATE_ROWS)
    assert set(s2.units.query("level == 'station'")["unit_code"]) == {"NEW", "LATER", "OPEN"}


def test_station_with_no_rows_is_not_reported_and_lagging():
    v = make_version([{"id": "a", "critical": True}, {"id": "f", "kind": "flag"}])
    master = make_master({"XX": {"D": ["P1", "P2"]}})
    s = score_month("2023-02", v, master, station_rows([("P1", "a", 1, 1), ("P1", "f", 1, 1)]), EMPTY_STATE_ROWS)
    p2 = unit(s, "P2")
    assert not p2["reported"] and p2["lagging"] and p2["score_centi"] == 0
    lag = s.lagging.set_index("station_code")
    assert lag.loc["P2", "not_reported"] and lag.loc["P2", "low_score"]
    assert lag.loc["P2", "critical_parameters"] == ()  # `a` is not applicable for P2
    assert unit(s, "D")["stations_reported"] == 1
    # raising P2's imputed flag: the State's flag pool goes 1/2 -> 2/2
    assert lag.loc["P2", "at_stake_state"] == pytest.approx(100 * 0.5 / 2)


def test_rule12_lagging_reasons_and_exact_thresholds():
    v = make_version(
        [{"id": "a", "critical": True, "weight": 1}, {"id": "b", "critical": True, "weight": 1}, {"id": "c"}],
        lagging=90, critical=0.8,
    )
    master = make_master({"XX": {"D": ["AT90", "CRIT", "EXACT08", "FINE", "BOTH"]}})
    rows = station_rows(
        [
            ("AT90", "a", 9, 10), ("AT90", "b", 9, 10), ("AT90", "c", 9, 10),  # exactly 90: not low
            ("CRIT", "a", 79, 100), ("CRIT", "b", 1, 1), ("CRIT", "c", 1, 1),  # 93.0, critical a < 0.8
            ("EXACT08", "a", 4, 5), ("EXACT08", "b", 1, 1), ("EXACT08", "c", 1, 1),  # a exactly 0.8
            ("FINE", "a", 1, 1), ("FINE", "b", 1, 1), ("FINE", "c", 1, 1),
            ("BOTH", "a", 0, 1), ("BOTH", "b", 1, 2), ("BOTH", "c", 1, 1),
        ]
    )
    s = score_month("2023-02", v, master, rows, EMPTY_STATE_ROWS)
    lag = s.lagging.set_index("station_code")
    assert set(lag.index) == {"CRIT", "BOTH"}
    assert lag.loc["CRIT", "critical_parameters"] == ("a",) and not lag.loc["CRIT", "low_score"]
    assert lag.loc["BOTH", "critical_parameters"] == ("a", "b") and lag.loc["BOTH", "low_score"]
    assert unit(s, "AT90")["score"] == pytest.approx(90.0) and not unit(s, "AT90")["lagging"]
    # ordered by marks at stake against the State, largest first: CRIT's `a` 79 -> 100 of the State's
    # 93/117 is worth 21/117 marks, BOTH's `a` 0 -> 1 and `b` 1 -> 2 (of 13/15) 1/117 + 1/15
    assert list(s.lagging["station_code"]) == ["CRIT", "BOTH"]
    assert lag.loc["CRIT", "at_stake_state"] == pytest.approx(100 * (21 / 117) / 3)
    assert lag.loc["BOTH", "at_stake_state"] == pytest.approx(100 * (1 / 117 + 1 / 15) / 3)
    assert s.lagging["at_stake_state"].is_monotonic_decreasing


def test_lagging_threshold_with_a_float_that_lands_below():
    # exact score 90 computed through thirds: 100 * (1/3 * 1 + 2/3 * ...) must not count as below 90
    v = make_version([{"id": "a", "weight": 3}, {"id": "b", "weight": 7, "target": 70}], lagging=90)
    master = make_master({"XX": {"D": ["P1"]}})
    # a: 2/3 achievement (66.67%); b full -> 100 * (2 + 7) / 10 = 90 exactly
    s = score_month("2023-02", v, master, station_rows([("P1", "a", 2, 3), ("P1", "b", 7, 10)]), EMPTY_STATE_ROWS)
    assert unit(s, "P1")["score_centi"] == 9000 and not unit(s, "P1")["lagging"]


def test_rule11_stake_caps_at_full_achievement():
    # the State already exceeds the target on `a` thanks to P1: raising P2 earns nothing against the State
    v = make_version([{"id": "a", "target": 80}, {"id": "b"}])
    master = make_master({"XX": {"D1": ["P1"], "D2": ["P2"]}})
    rows = station_rows([("P1", "a", 100, 100), ("P2", "a", 5, 10), ("P1", "b", 1, 1), ("P2", "b", 0, 1)])
    s = score_month("2023-02", v, master, rows, EMPTY_STATE_ROWS)
    st = s.stakes.set_index(["station_code", "parameter"])
    assert st.loc[("P2", "a"), "at_stake_state"] == 0.0
    assert st.loc[("P2", "a"), "at_stake_district"] == pytest.approx(100 * (1 - 50 / 80) / 2)
    assert st.loc[("P2", "a"), "numerator_needed"] == 8
    assert st.loc[("P2", "b"), "at_stake_state"] == pytest.approx(100 * 0.5 / 2)


def test_station_parameter_values_matches_station_params(worked):
    version, master, sr, _ = worked_example()
    stations = master.stations[master.stations["station_code"].isin(["S2", "S3"])].assign(state_code="XX")
    got = station_parameter_values("2023-02", version, stations, sr)
    want = worked.params[worked.params["unit_code"].isin(["S2", "S3"])]
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True)[want.columns].astype(object), want.reset_index(drop=True).astype(object)
    )


def test_empty_month_scores_nothing_but_lists_everyone_as_not_reported():
    v = make_version([{"id": "a"}])
    master = make_master({"XX": {"D": ["P1"]}})
    s = score_month("2023-02", v, master, station_rows([]), None)
    assert pd.isna(unit(s, "XX")["score_centi"])
    assert list(s.lagging["station_code"]) == ["P1"] and s.stakes.empty
