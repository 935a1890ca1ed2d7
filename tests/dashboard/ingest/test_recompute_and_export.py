"""The stored results and `cctns export` agree with an independent, exact, loop-by-loop reading of the
scoring rules on the demo data."""

from __future__ import annotations

import io
import math
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest
from sqlalchemy import select

from dashboard import read
from dashboard.reports.exports import build_export, export_bytes
from dashboard.scope import Scope
from dashboard.store.models import District, PoliceStation, ResultUnit, State, StateRow, StationRow
from metrics.methodology import days_in_month, default_methodology


def _exact_published(score: Fraction) -> str:
    """Round half up to 2 decimals without any float or limited-precision step."""
    hundredths = score * 100
    floor = hundredths.numerator // hundredths.denominator
    value = floor + (1 if hundredths - floor >= Fraction(1, 2) else 0)
    return f"{value // 100}.{value % 100:02d}"


def reference_scores(engine, month: str) -> dict[str, dict[str, Fraction | None]]:
    """Rules 1-7 implemented the slow, obvious way, straight from RULES.md."""
    version = default_methodology().version_for(month)
    with engine.connect() as conn:
        stations = conn.execute(select(PoliceStation.code, PoliceStation.district_code, PoliceStation.opened,
                                       PoliceStation.closed)).all()
        districts = dict(conn.execute(select(District.code, District.state_code)).all())
        states = [c for (c,) in conn.execute(select(State.code))]
        rows = conn.execute(select(StationRow.station_code, StationRow.parameter, StationRow.numerator,
                                   StationRow.denominator).where(StationRow.month == month)).all()
        state_rows = conn.execute(select(StateRow.state_code, StateRow.parameter, StateRow.numerator,
                                         StateRow.denominator).where(StateRow.month == month)).all()
    active = {s.code: s.district_code for s in stations
              if (s.opened is None or s.opened <= month) and (s.closed is None or month <= s.closed)}
    by_station = defaultdict(dict)
    for r in rows:
        if r.station_code in active:
            by_station[r.station_code][r.parameter] = (r.numerator, r.denominator)
    pools = {"district": defaultdict(lambda: [0, 0]), "state": defaultdict(lambda: [0, 0])}
    for code, district in active.items():
        for p in version.station_parameters:
            if p.id in by_station[code]:
                n, d = by_station[code][p.id]
            elif p.kind == "days":
                n, d = 0, days_in_month(month)
            elif p.kind == "flag":
                n, d = 0, 1
            else:
                continue
            for level, unit in (("district", district), ("state", districts[district])):
                pools[level][(unit, p.id)][0] += n
                pools[level][(unit, p.id)][1] += d
    state_level = {(r.state_code, r.parameter): (r.numerator, r.denominator) for r in state_rows}

    def score(level: str, unit: str) -> Fraction | None:
        marks, weights = Fraction(0), Fraction(0)
        params = version.parameters if level == "state" else version.station_parameters
        for p in params:
            n, d = (pools[level].get((unit, p.id), (0, 0)) if p.level == "station"
                    else state_level.get((unit, p.id), (0, 0)))
            if d == 0:
                continue
            achievement = min(Fraction(100 * n, d) / p.target, Fraction(1))
            marks += p.weight * achievement
            weights += p.weight
        return None if weights == 0 else 100 * marks / weights

    return {
        "state": {s: score("state", s) for s in states},
        "district": {d: score("district", d) for d in districts},
    }


def _competition_ranks(published: dict[str, str]) -> dict[str, int]:
    ordered = sorted(published.values(), key=Decimal, reverse=True)
    return {code: ordered.index(value) + 1 for code, value in published.items()}


@pytest.fixture
def month(any_demo_engine) -> str:
    return read.latest_month(any_demo_engine)


@pytest.fixture
def demo_engine(any_demo_engine):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_demo_engine


def test_state_export_matches_reference(demo_engine, month):
    reference = reference_scores(demo_engine, month)["state"]
    exported = build_export(demo_engine, "states", month).set_index("state_code")
    expected = {code: _exact_published(score) for code, score in reference.items() if score is not None}
    assert {code: exported.loc[code, "score"] for code in expected} == expected
    ranks = _competition_ranks(expected)
    assert {code: int(exported.loc[code, "rank_national"]) for code in expected} == ranks


@pytest.mark.parametrize("state_code", ["HR", "MN"])
def test_district_export_matches_reference(demo_engine, month, state_code):
    reference = reference_scores(demo_engine, month)["district"]
    exported = build_export(demo_engine, "districts", month, state=state_code).set_index("district_code")
    assert len(exported) > 0
    for code, row in exported.iterrows():
        score = reference[code]
        assert row["score"] == ("no data" if score is None else _exact_published(score)), code


def test_every_month_version_switch_is_scored_with_its_version(demo_engine):
    with demo_engine.connect() as conn:
        versions = dict(conn.execute(select(ResultUnit.month, ResultUnit.version_id)
                                     .where(ResultUnit.scheme == "cctns", ResultUnit.level == "state")
                                     .distinct()).all())
    assert versions["2024-12"] == "pragati-2021"
    assert versions["2025-01"] == "pragati-2025"


def test_marks_lost_add_up_to_gap_to_100(demo_engine, month):
    table = read.states_table(demo_engine, month)
    params = read.param_matrix(demo_engine, month, "state")
    lost = params[params["applicable"]].groupby("unit_code")["marks_lost"].sum()
    for row in table.itertuples():
        if pd.notna(row.score):
            assert math.isclose(lost[row.unit_code], 100 - row.score, abs_tol=1e-9)


def test_rank_change_is_previous_minus_current(demo_engine, month):
    from metrics.methodology import previous_month

    now = read.states_table(demo_engine, month).set_index("unit_code")
    before = read.states_table(demo_engine, previous_month(month)).set_index("unit_code")
    for code, row in now.iterrows():
        assert row["rank_change_national"] == before.loc[code, "rank_national"] - row["rank_national"]


def test_lagging_export_is_ordered_by_marks_at_stake(demo_engine, month):
    from dashboard import read

    lag = build_export(demo_engine, "lagging", month, state="MN")
    assert len(lag) > 0
    stakes = lag["Marks at stake (State)"].tolist()
    assert stakes == sorted(stakes, reverse=True)
    assert lag["Why it is lagging"].str.len().min() > 0
    # the command line exports exactly the lagging page's table (what its download gives)
    page = read.lagging_table(read.lagging_list(demo_engine, month, Scope.national(), "MN"))
    pd.testing.assert_frame_equal(lag, page)


def test_station_export_has_ranks_in_district_and_state(demo_engine, month):
    df = build_export(demo_engine, "stations", month, district="HR-KNL")
    assert {"rank_in_district", "rank_in_state", "marks_lost_fir_in_cctns"} <= set(df.columns)
    assert df["station_code"].str.startswith("HR-KNL-").all()


def test_export_refuses_out_of_scope(demo_engine, month):
    from dashboard.scope import OutOfScope

    karnal = Scope("district", state_code="HR", district_code="HR-KNL", username="karnal-sp")
    with pytest.raises(OutOfScope):
        build_export(demo_engine, "stations", month, district="HR-ABL", scope=karnal)
    with pytest.raises(OutOfScope):
        build_export(demo_engine, "lagging", month, state="HR", scope=karnal)


def test_xlsx_export_stores_numbers(demo_engine, month):
    import openpyxl

    data = export_bytes(build_export(demo_engine, "states", month), "xlsx", sheet="states")
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [c.value for c in ws[1]]
    rank_col = header.index("rank_national")
    assert isinstance(ws.cell(row=2, column=rank_col + 1).value, int)


def test_cli_export_runs_end_to_end(demo_engine, month, monkeypatch):
    from typer.testing import CliRunner

    from dashboard.cli.commands import app

    if demo_engine.dialect.name != "sqlite":
        pytest.skip("the command line test runs on the SQLite demo (the PostgreSQL one lives in a schema)")
    monkeypatch.setenv("CCTNS_DATABASE_URL", str(demo_engine.url))
    result = CliRunner().invoke(app, ["export", "states", "--month", month])
    assert result.exit_code == 0, result.output
    exported = pd.read_csv(io.StringIO(result.output), dtype=str)
    assert exported["state_code"].tolist() == build_export(demo_engine, "states", month)["state_code"].tolist()
    bad = CliRunner().invoke(app, ["export", "states", "--month", "1999-01"])
    assert bad.exit_code != 0
