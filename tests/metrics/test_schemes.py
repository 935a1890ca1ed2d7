"""Ranking schemes as data: the three shipped files load and validate, ids are unique across schemes,
provenance is checked, and ICJS and ITSSO are scored by the same engine (hand-computed cases)."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest
from metrics_testlib import make_master, state_rows, station_rows, unit

from metrics.methodology import (
    MethodologyError,
    Schemes,
    check_schemes,
    first_changed_month,
    parse_methodology,
    shipped_methodology,
    shipped_schemes,
)
from metrics.scoring import publish_centi, score_month

NOTIFIED = """
[scheme]
id = "cctns"
name = "CCTNS Pragati"

[[version]]
id = "ncrb-2026"
title = "As notified"
effective_from = "2026-01"
lagging_score_below = 90
critical_achievement_below = 0.8
provenance = "{provenance}"
{extra}

  [[version.parameter]]
  id = "fir_in_cctns"
  name = "FIRs"
  head = "H"
  level = "station"
  kind = "count"
  weight = 1
  target = 100
"""


def test_shipped_schemes_load_in_order_with_their_versions():
    schemes = shipped_schemes()
    assert schemes.ids == ("cctns", "icjs", "itsso")
    assert [v.id for v in schemes["icjs"].versions] == ["icjs-2021", "icjs2-2025"]
    assert [v.id for v in schemes["itsso"].versions] == ["itsso-2019"]
    assert schemes.scheme_of("icjs_ecourts_exchange") == "icjs"
    assert schemes.scheme_of("icjs_courts") == "cctns"  # CCTNS's own ICJS parameter stays CCTNS's
    assert schemes.scheme_of("itsso_within_60_days") == "itsso"
    assert schemes.scheme_of("nope") is None
    for m in schemes.by_id.values():
        for v in m.versions:
            assert sum(p.weight for p in v.parameters) == 100, v.id
            assert v.provenance == "reconstructed" and v.provenance_text == "reconstructed from public reports"
            assert v.sources, v.id
            assert all(p.translations.get("name_hi") for p in v.parameters), v.id  # Hindi names beside the English


def test_parameter_ids_must_be_unique_across_schemes():
    icjs = shipped_methodology("icjs")
    clash = parse_methodology(NOTIFIED.format(provenance="reconstructed", extra="").replace(
        'id = "cctns"', 'id = "mine"').replace('"fir_in_cctns"', '"icjs_police_exchange"'))
    problems = check_schemes([icjs, clash])
    assert problems == ["parameter id 'icjs_police_exchange' of scheme 'mine' is also a parameter of 'icjs': "
                        "parameter ids must be unique across schemes"]
    with pytest.raises(MethodologyError):
        Schemes({"icjs": icjs, "mine": clash})


def test_a_notified_version_needs_its_date_and_reference():
    with pytest.raises(MethodologyError) as info:
        parse_methodology(NOTIFIED.format(provenance="notified", extra=""), "c.toml")
    assert info.value.problems == [
        "version #1 (ncrb-2026): a notified version needs notified_on = YYYY-MM-DD, got ''",
        "version #1 (ncrb-2026): a notified version needs the reference of NCRB's circular",
    ]
    m = parse_methodology(NOTIFIED.format(provenance="notified",
                                          extra='notified_on = "2026-02-14"\nreference = "NCRB/CCTNS/12/2026"'))
    assert m.versions[0].provenance_text == "as notified by NCRB on 2026-02-14, NCRB/CCTNS/12/2026"
    with pytest.raises(MethodologyError) as info:
        parse_methodology(NOTIFIED.format(provenance="official", extra=""), "c.toml")
    assert "provenance must be one of reconstructed, notified, got 'official'" in info.value.problems[0]


def test_a_file_without_a_scheme_table_is_cctns():
    without = "[[version]]" + NOTIFIED.format(provenance="reconstructed", extra="").split("[[version]]", 1)[1]
    m = parse_methodology(without)
    assert m.scheme == "cctns"


def test_first_changed_month_finds_the_new_circular():
    old = shipped_methodology("cctns")
    text = old.source + NOTIFIED.split("[[version]]", 1)[1].join(["\n[[version]]", ""]).format(
        provenance="notified", extra='notified_on = "2026-02-14"\nreference = "NCRB/CCTNS/12/2026"')
    new = parse_methodology(text)
    assert [v.id for v in new.versions][-1] == "ncrb-2026"
    assert first_changed_month(old, new) == "2026-01"
    assert first_changed_month(old, old) is None
    assert first_changed_month(None, old) == "2021-01"


# ------------------------------------------------------------------------------------------------- ITSSO


def _itsso_scores():
    version = shipped_methodology("itsso").version_for("2024-03")
    master = make_master({"XX": {"D1": ["S1", "S2"], "D2": ["S3"]}, "YY": {"D3": ["S4"]}})
    rows = station_rows([("S1", "itsso_within_60_days", 17, 31), ("S2", "itsso_within_60_days", 0, 0),
                         ("S3", "itsso_within_60_days", 40, 40), ("S4", "itsso_within_60_days", 45, 50)])
    return version, score_month("2024-03", version, master, rows, state_rows([]))


def test_itsso_is_pooled_station_district_state_never_averaged():
    _, scores = _itsso_scores()
    # XX: (17 + 40) / (31 + 40), not the mean of 54.84 % and 100 %
    assert unit(scores, "XX")["score"] == pytest.approx(float(Fraction(5700, 71)), abs=1e-12)
    assert unit(scores, "XX")["score_centi"] == 8028
    assert unit(scores, "D1")["score_centi"] == 5484
    assert unit(scores, "D2")["score_centi"] == 10000
    assert unit(scores, "YY")["score_centi"] == 9000
    assert (unit(scores, "YY")["rank_national"], unit(scores, "XX")["rank_national"]) == (1, 2)
    assert publish_centi(Fraction(5700, 71)) == 8028


def test_itsso_station_with_no_case_due_is_not_applicable():
    _, scores = _itsso_scores()
    s2 = unit(scores, "S2")
    assert bool(s2["reported"]) and pd.isna(s2["score_centi"]) and pd.isna(s2["score"])
    p = scores.params[(scores.params["unit_code"] == "S2")].iloc[0]
    assert not p["applicable"]
    assert "S2" not in set(scores.lagging["station_code"])  # no score: not lagging
    assert list(scores.lagging["station_code"]) == ["S1"]
    lag = scores.lagging.iloc[0]
    assert lag["critical_parameters"] == ("itsso_within_60_days",)


def test_itsso_lagging_reason_in_words():
    from dashboard.display import critical_words

    version, _ = _itsso_scores()
    p = version.parameter("itsso_within_60_days")
    assert critical_words(p, p.name, 17, 31) == (
        "Critical: Sexual-offence investigations completed within 60 days — 14 of 31 cases past 60 days")


# -------------------------------------------------------------------------------------------------- ICJS


def test_icjs_hand_computed():
    version = shipped_methodology("icjs").version_for("2024-03")
    assert version.id == "icjs-2021"
    master = make_master({"XX": {"D1": ["S1", "S2"]}})
    rows = station_rows([("S1", "icjs_police_exchange", 90, 100), ("S2", "icjs_police_exchange", 50, 50),
                         ("S1", "icjs_police_search", 1, 1), ("S2", "icjs_police_search", 0, 1)])
    state = state_rows([("XX", "icjs_pillar_readiness", 4, 5), ("XX", "icjs_ecourts_exchange", 180, 200),
                        ("XX", "icjs_eprisons_exchange", 0, 0), ("XX", "icjs_eforensics_exchange", 10, 20),
                        ("XX", "icjs_eprosecution_exchange", 100, 100), ("XX", "icjs_pillar_searches", 81, 100),
                        ("XX", "fir_in_cctns", 1, 2)])  # another scheme's row: not ICJS's, ignored
    scores = score_month("2024-03", version, master, rows, state)
    # marks 20*140/150 + 10*1/2 + 10*4/5 + 15*9/10 + 10*1/2 + 10*1 + 10*min(81/90, 1) = 415/6 over weight 85
    # (e-Prisons has a 0 denominator: not applicable)
    assert unit(scores, "XX")["score"] == pytest.approx(float(Fraction(41500, 510)), abs=1e-12)
    assert unit(scores, "XX")["score_centi"] == 8137
    assert unit(scores, "S1")["score_centi"] == 9333
    assert unit(scores, "S2")["score_centi"] == 6667
    eprisons = scores.params[(scores.params["unit_code"] == "XX")
                             & (scores.params["parameter"] == "icjs_eprisons_exchange")].iloc[0]
    assert not eprisons["applicable"]
    assert "fir_in_cctns" not in set(scores.params["parameter"])


def test_icjs_2_adds_the_fingerprint_pillar():
    m = shipped_methodology("icjs")
    assert m.version_for("2025-11").parameter("icjs_fingerprint_exchange") is None
    assert m.version_for("2025-12").parameter("icjs_fingerprint_exchange") is not None
