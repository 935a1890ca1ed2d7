"""Hypothesis properties of metrics.scoring, and a check against a naive exact (Fraction) reference."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from metrics_testlib import make_master, make_version, state_rows, station_rows

from metrics.methodology import Version
from metrics.scoring import publish_centi, score_month

MONTH = "2023-02"
DIM = 28
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BOUNDS = [None, "2023-01", "2023-02", "2023-03"]


@dataclass
class Scenario:
    version: Version
    layout: dict  # state -> district -> [stations]
    opened: dict
    closed: dict
    srows: list = field(default_factory=list)  # (station, parameter, n, d)
    qrows: list = field(default_factory=list)  # (state, parameter, n, d)

    def master(self):
        return make_master(self.layout, opened=self.opened, closed=self.closed)

    def score(self):
        return score_month(MONTH, self.version, self.master(), station_rows(self.srows), state_rows(self.qrows))

    def active(self, s: str) -> bool:
        return (self.opened.get(s) or "0000-00") <= MONTH <= (self.closed.get(s) or "9999-99")


def _row(draw, kind: str) -> tuple[int, int]:
    if kind == "days":
        return draw(st.integers(0, DIM)), DIM
    if kind == "flag":
        return draw(st.integers(0, 1)), 1
    d = draw(st.integers(0, 12))
    return draw(st.integers(0, d)), d


@st.composite
def scenarios(draw, kinds=("count", "days", "flag"), with_bounds=True) -> Scenario:
    params = []
    for k in range(draw(st.integers(1, 4))):
        params.append(
            {
                "id": f"p{k}",
                "kind": draw(st.sampled_from(kinds)),
                "weight": draw(st.sampled_from([1, 2, 3, 0.5, 7])),
                "target": draw(st.sampled_from([100, 98, 95, 97.5, 60])),
                "critical": draw(st.booleans()),
            }
        )
    for k in range(draw(st.integers(0, 2))):
        params.append({"id": f"q{k}", "level": "state", "weight": draw(st.sampled_from([1, 2, 4])),
                       "target": draw(st.sampled_from([100, 90]))})
    version = make_version(
        params, lagging=draw(st.sampled_from([90, 75, 50])), critical=draw(st.sampled_from([0.8, 0.5, 1]))
    )
    layout, opened, closed, n = {}, {}, {}, 0
    for s in range(draw(st.integers(1, 3))):
        layout[f"S{s}"] = {}
        for d in range(draw(st.integers(1, 3))):
            codes = []
            for _ in range(draw(st.integers(0, 3))):
                code = f"P{n:02d}"
                n += 1
                codes.append(code)
                if with_bounds:
                    opened[code] = draw(st.sampled_from(BOUNDS))
                    closed[code] = draw(st.sampled_from(BOUNDS))
            layout[f"S{s}"][f"S{s}D{d}"] = codes
    sc = Scenario(version, layout, opened, closed)
    for ds in layout.values():
        for codes in ds.values():
            for code in codes:
                for p in version.station_parameters:
                    if draw(st.booleans()):
                        sc.srows.append((code, p.id, *_row(draw, p.kind)))
    for s in layout:
        for p in version.state_parameters:
            if draw(st.booleans()):
                sc.qrows.append((s, p.id, *_row(draw, "count")))
    return sc


# ------------------------------------------------------------------------------------- exact reference


def _exact(pairs) -> Fraction | None:
    """pairs: (n, d, Parameter) -> exact score (rules 4-6) or None."""
    marks = weights = Fraction(0)
    for n, d, p in pairs:
        if d > 0:
            marks += p.weight * min(Fraction(100 * n, d) / p.target, Fraction(1))
            weights += p.weight
    return None if weights == 0 else 100 * marks / weights


class Reference:
    """A deliberately naive implementation of RULES.md with Python loops and Fractions."""

    def __init__(self, sc: Scenario, raise_station: str | None = None, only: str | None = None):
        v = sc.version
        self.sc = sc
        self.rows: dict[str, dict[str, tuple[int, int]]] = {}
        self.reported: dict[str, bool] = {}
        for ds in sc.layout.values():
            for codes in ds.values():
                for code in codes:
                    if not sc.active(code):
                        continue
                    mine = {p: (n, d) for s, p, n, d in sc.srows if s == code}
                    self.reported[code] = any(p.id in mine for p in v.station_parameters)
                    filled = {}
                    for p in v.station_parameters:
                        if p.id in mine:
                            filled[p.id] = mine[p.id]
                        elif p.kind == "days":
                            filled[p.id] = (0, DIM)
                        elif p.kind == "flag":
                            filled[p.id] = (0, 1)
                        if code == raise_station and p.id in filled and (only is None or only == p.id):
                            n, d = filled[p.id]
                            filled[p.id] = (max(n, min(d, math.ceil(p.target * d / 100))), d)
                    self.rows[code] = filled

    def pool(self, codes, p) -> tuple[int, int]:
        n = d = 0
        for c in codes:
            if c in self.rows and p.id in self.rows[c]:
                n += self.rows[c][p.id][0]
                d += self.rows[c][p.id][1]
        return n, d

    def station(self, code) -> Fraction | None:
        return _exact([(*self.pool([code], p), p) for p in self.sc.version.station_parameters])

    def district(self, state, district) -> Fraction | None:
        codes = self.sc.layout[state][district]
        return _exact([(*self.pool(codes, p), p) for p in self.sc.version.station_parameters])

    def state(self, state) -> Fraction | None:
        codes = [c for cs in self.sc.layout[state].values() for c in cs]
        pairs = [(*self.pool(codes, p), p) for p in self.sc.version.station_parameters]
        q = {p: (n, d) for s, p, n, d in self.sc.qrows if s == state}
        pairs += [(*q.get(p.id, (0, 0)), p) for p in self.sc.version.state_parameters]
        return _exact(pairs)


def _where(sc: Scenario, code: str) -> tuple[str, str]:
    return next((s, d) for s, ds in sc.layout.items() for d, cs in ds.items() if code in cs)


@SETTINGS
@given(scenarios())
def test_matches_the_exact_reference(sc: Scenario):
    result = sc.score()
    ref = Reference(sc)
    v = sc.version
    units = result.units.set_index("unit_code")
    expected: dict[str, Fraction | None] = {}
    for s, ds in sc.layout.items():
        expected[s] = ref.state(s)
        for d in ds:
            expected[d] = ref.district(s, d)
    for code in ref.rows:
        expected[code] = ref.station(code)
    assert set(units.index) == set(expected)
    for code, ex in expected.items():
        u = units.loc[code]
        if ex is None:
            assert pd.isna(u["score_centi"]) and math.isnan(u["score"])
        else:
            assert u["score_centi"] == publish_centi(ex), code
            assert u["score"] == pytest.approx(float(ex), abs=1e-9)
    # lagging with every reason, and marks at stake against the exact State/district scores
    lag = result.lagging.set_index("station_code")
    for code in ref.rows:
        s, d = _where(sc, code)
        score = expected[code]
        low = score is not None and score < v.lagging_score_below
        crit = tuple(
            p.id for p in v.station_parameters
            if p.critical and ref.rows[code].get(p.id, (0, 0))[1] > 0
            and min(Fraction(100 * ref.rows[code][p.id][0], ref.rows[code][p.id][1]) / p.target, 1)
            < v.critical_achievement_below
        )
        is_lagging = (not ref.reported[code]) or low or bool(crit)
        assert units.loc[code, "lagging"] == is_lagging
        if not is_lagging:
            assert code not in lag.index
            continue
        row = lag.loc[code]
        assert (row["not_reported"], row["low_score"], row["critical_parameters"]) == (
            not ref.reported[code], low, crit
        )
        raised = Reference(sc, raise_station=code)
        want_state = (raised.state(s) or 0) - (expected[s] or 0)
        want_district = (raised.district(s, d) or 0) - (expected[d] or 0)
        assert row["at_stake_state"] == pytest.approx(float(want_state), abs=1e-9)
        assert row["at_stake_district"] == pytest.approx(float(want_district), abs=1e-9)
    at_stake = result.lagging["at_stake_state"].to_numpy()
    assert (np.diff(at_stake) <= 1e-12).all()


@SETTINGS
@given(scenarios())
def test_per_parameter_stakes_match_the_reference(sc: Scenario):
    result = sc.score()
    ref = Reference(sc)
    stakes = result.stakes.set_index(["station_code", "parameter"])
    for code in ref.rows:
        s, d = _where(sc, code)
        for p in sc.version.station_parameters:
            raised = Reference(sc, raise_station=code, only=p.id)
            want_state = (raised.state(s) or 0) - (ref.state(s) or 0)
            want_district = (raised.district(s, d) or 0) - (ref.district(s, d) or 0)
            if (code, p.id) in stakes.index:
                row = stakes.loc[(code, p.id)]
                assert row["at_stake_state"] == pytest.approx(float(want_state), abs=1e-9)
                assert row["at_stake_district"] == pytest.approx(float(want_district), abs=1e-9)
                n, den = ref.rows[code][p.id]
                assert row["numerator_needed"] == max(n, min(den, math.ceil(p.target * den / 100)))
            else:
                assert want_state == 0 and want_district == 0


@SETTINGS
@given(scenarios())
def test_scores_in_range_and_marks_lost_add_up(sc: Scenario):
    result = sc.score()
    u = result.units
    scored = u[u["score"].notna()]
    assert ((scored["score"] >= 0) & (scored["score"] <= 100)).all()
    assert ((scored["score_centi"] >= 0) & (scored["score_centi"] <= 10000)).all()
    assert (u["score"].isna() == u["score_centi"].isna()).all()
    lost = result.params.groupby(["level", "unit_code"])["marks_lost"].sum(min_count=1)
    for _, row in scored.iterrows():
        assert lost.loc[(row["level"], row["unit_code"])] == pytest.approx(100 - row["score"], abs=1e-9)
    contrib = result.params.groupby(["level", "unit_code"])["contribution"].sum()
    for _, row in scored.iterrows():
        assert contrib.loc[(row["level"], row["unit_code"])] == pytest.approx(row["score"], abs=1e-9)


@SETTINGS
@given(scenarios(), st.data())
def test_raising_a_numerator_never_lowers_a_score(sc: Scenario, data):
    candidates = [("s", i) for i, r in enumerate(sc.srows) if r[2] < r[3]]
    candidates += [("q", i) for i, r in enumerate(sc.qrows) if r[2] < r[3]]
    if not candidates:
        return
    which, i = data.draw(st.sampled_from(candidates))
    before = sc.score().units.set_index(["level", "unit_code"])
    rows = sc.srows if which == "s" else sc.qrows
    code, p, n, d = rows[i]
    rows[i] = (code, p, n + data.draw(st.integers(1, d - n)), d)
    after = sc.score().units.set_index(["level", "unit_code"])
    assert (before["score"].isna() == after["score"].isna()).all()
    b, a = before["score"].dropna(), after["score"].dropna()
    assert (a >= b - 1e-12).all()
    assert (after["score_centi"].dropna() >= before["score_centi"].dropna()).all()


def _split(sc: Scenario, code: str, data) -> Scenario:
    """Split `code` in two in its district: count rows divided, days/flag rows copied to both."""
    s, d = _where(sc, code)
    twin = code + "b"
    layout = {k: {dk: list(cs) for dk, cs in ds.items()} for k, ds in sc.layout.items()}
    layout[s][d].append(twin)
    opened, closed = dict(sc.opened), dict(sc.closed)
    opened[twin], closed[twin] = sc.opened.get(code), sc.closed.get(code)
    srows = []
    kinds = {p.id: p.kind for p in sc.version.station_parameters}
    for row in sc.srows:
        c, p, n, den = row
        if c != code:
            srows.append(row)
        elif kinds[p] == "count":
            d1 = data.draw(st.integers(0, den))
            n1 = data.draw(st.integers(max(0, n - (den - d1)), min(n, d1)))
            srows += [(code, p, n1, d1), (twin, p, n - n1, den - d1)]
        else:
            srows += [row, (twin, p, n, den)]
    return Scenario(sc.version, layout, opened, closed, srows, list(sc.qrows))


def _assert_same(before, after, codes):
    b = before.units.set_index("unit_code")
    a = after.units.set_index("unit_code")
    for c in codes:
        if pd.isna(b.loc[c, "score_centi"]):
            assert pd.isna(a.loc[c, "score_centi"])
        else:
            assert a.loc[c, "score_centi"] == b.loc[c, "score_centi"]
            assert a.loc[c, "score"] == pytest.approx(b.loc[c, "score"], abs=1e-9)


@SETTINGS
@given(scenarios(kinds=("count",)), st.data())
def test_splitting_a_station_leaves_district_and_state_scores_unchanged(sc: Scenario, data):
    active = [c for ds in sc.layout.values() for cs in ds.values() for c in cs if sc.active(c)]
    if not active:
        return
    code = data.draw(st.sampled_from(active))
    s, d = _where(sc, code)
    _assert_same(sc.score(), _split(sc, code, data).score(), [s, d])


@SETTINGS
@given(scenarios(with_bounds=False), st.data())
def test_splitting_the_only_station_of_a_state_with_days_and_flags(sc: Scenario, data):
    # copying days/flag rows keeps the pooled value only when no other station shares the pool
    sc.layout["LONE"] = {"LONE-D": ["LONE-P"]}
    for p in sc.version.station_parameters:
        if data.draw(st.booleans()):
            sc.srows.append(("LONE-P", p.id, *_row(data.draw, p.kind)))
    _assert_same(sc.score(), _split(sc, "LONE-P", data).score(), ["LONE", "LONE-D"])


def test_copying_days_rows_on_a_split_changes_a_shared_pool():
    """The issue's split property holds for `count` rows; for days/flag rows copied to both halves it cannot
    hold when other stations share the pool (pooled 28/56 becomes 56/84)."""
    v = make_version([{"id": "d", "kind": "days"}])
    sc = Scenario(v, {"X": {"XD": ["A", "B"]}}, {}, {}, [("A", "d", 28, 28), ("B", "d", 0, 28)], [])
    split = Scenario(v, {"X": {"XD": ["A", "Ab", "B"]}}, {}, {},
                     [("A", "d", 28, 28), ("Ab", "d", 28, 28), ("B", "d", 0, 28)], [])
    before = sc.score().units.set_index("unit_code")
    after = split.score().units.set_index("unit_code")
    assert before.loc["XD", "score_centi"] == 5000 and after.loc["XD", "score_centi"] == 6667


@SETTINGS
@given(scenarios())
def test_ranks_agree_with_the_order_of_published_scores(sc: Scenario):
    u = sc.score().units
    scopes = [
        ("state", "rank_national", None),
        ("state", "rank_category", "category"),
        ("district", "rank_in_state", "state_code"),
        ("station", "rank_in_state", "state_code"),
        ("station", "rank_in_district", "district_code"),
    ]
    for level, col, group in scopes:
        part = u[u["level"] == level]
        groups = [part] if group is None else [g for _, g in part.groupby(group)]
        for g in groups:
            centi = g["score_centi"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            ranks = g[col].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            assert (np.isnan(centi) == np.isnan(ranks)).all()
            want = 1 + (centi[None, :] > centi[:, None]).sum(axis=1)
            assert (ranks[~np.isnan(centi)] == want[~np.isnan(centi)]).all()
