"""The provisional read API: States compared with the others' latest figures (saying which month and kind
each is), a State's districts, lagging stations and what still has to happen, scope, the cut-off."""

from __future__ import annotations

import shutil
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import create_engine

from dashboard import read
from dashboard.ingest import import_files
from dashboard.ingest.demo_provisional import provisional_files
from dashboard.scope import OutOfScope, Scope

NATIONAL = Scope.national()


@pytest.fixture(scope="module")
def prov(held_back, tmp_path_factory):
    """The held-back demo (every month but the last final) with the last month provisional for HR and UP."""
    folder = tmp_path_factory.mktemp("prov-read")
    db = folder / "db.sqlite3"
    shutil.copy(held_back.base_db, db)
    engine = create_engine(f"sqlite:///{db}")
    files = provisional_files(held_back.last_files, held_back.folder / "csv" / "police_stations.csv",
                              held_back.last_month, folder / "csv", states=("HR", "UP"))
    report = import_files(engine, files.files, user="scrb", provisional=True)
    yield engine, held_back.last_month, held_back.basis_month, report
    engine.dispose()


def test_the_provisional_month_is_listed_and_never_a_final_month(prov):
    engine, month, basis, _ = prov
    assert read.provisional_months(engine)[0]["month"] == month
    assert read.provisional_months(engine)[0]["states"] == 2
    assert month not in read.months(engine) and read.latest_month(engine) == basis
    assert read.is_provisional_month(engine, month) and not read.is_provisional_month(engine, basis)


def test_states_are_ranked_against_the_others_latest_figures(prov):
    engine, month, basis, _ = prov
    table = read.provisional_states_table(engine, month, NATIONAL)
    kinds = dict(zip(table["state_code"], table["basis"], strict=True))
    assert kinds["HR"] == kinds["UP"] == read.BASIS_PROVISIONAL
    others = table[~table["state_code"].isin(["HR", "UP"])]
    assert set(others["basis"]) == {read.BASIS_FINAL} and set(others["figure_month"]) == {basis}
    finals = read.states_table(engine, basis).set_index("state_code")["score_centi"]
    for r in others.itertuples():  # another State's figure is exactly its final score of that month
        assert r.score_centi == finals[r.state_code]
    # standard competition ranks ("1224") on the published score
    centi = table["score_centi"].astype(float)
    expected = [1 + int((centi > c).sum()) for c in centi]
    assert table["rank_national"].tolist() == expected
    assert table["last_final_month"].dropna().eq(basis).all()


def test_headline_names_the_neighbours_and_their_months(prov):
    engine, month, basis, report = prov
    h = read.provisional_headline(engine, month, "HR", NATIONAL)
    assert h["basis"] == read.BASIS_PROVISIONAL and h["batch_id"] == report.batch_id
    assert h["states_ranked"] == 6 and h["others_provisional"] == 1 and h["others_final"] == 4
    for n in (h["above"], h["below"]):
        if n is not None:
            assert n["figure_month"] in (month, basis) and n["basis"] in (read.BASIS_FINAL, read.BASIS_PROVISIONAL)
    assert read.provisional_headline(engine, month, "DL", NATIONAL) is None  # no snapshot: nothing provisional


def test_another_states_provisional_figure_is_never_shown(prov):
    """HR and UP both loaded provisional figures. Haryana's users (and its SPs) rank Haryana's provisional
    score against UP's latest FINAL figure, never UP's working one; UP's headline and parameters are refused."""
    engine, month, basis, _ = prov
    everyone = read.provisional_states_table(engine, month, NATIONAL).set_index("state_code")
    finals = read.states_table(engine, basis).set_index("state_code")["score_centi"]
    for scope in (Scope("state", "HR", username="hr"), Scope("district", "HR", "HR-KNL", username="sp")):
        seen = read.provisional_states_table(engine, month, scope).set_index("state_code")
        assert seen.at["HR", "basis"] == read.BASIS_PROVISIONAL
        assert seen.at["HR", "score_centi"] == everyone.at["HR", "score_centi"]
        assert seen.at["UP", "basis"] == read.BASIS_FINAL and seen.at["UP", "figure_month"] == basis
        assert seen.at["UP", "score_centi"] == finals["UP"]
        head = read.provisional_headline(engine, month, "HR", scope)
        assert head["others_provisional"] == 0 and head["others_final"] == 5
        with pytest.raises(OutOfScope):
            read.provisional_headline(engine, month, "UP", scope)
        with pytest.raises(OutOfScope):
            read.provisional_marks_lost(engine, month, "UP", scope)
    assert everyone.at["UP", "basis"] == read.BASIS_PROVISIONAL  # the national user sees both
    assert not read.provisional_marks_lost(engine, month, "HR", NATIONAL).empty


def test_districts_lagging_and_what_still_has_to_happen(prov):
    engine, month, _, _ = prov
    national = Scope.national()
    d = read.provisional_districts(engine, month, "HR", national)
    assert len(d) and d["rank_in_state"].min() == 1
    lag = read.provisional_lagging(engine, month, national, "HR")
    assert len(lag) and (lag["at_stake_state"].diff().dropna() <= 1e-12).all()
    assert lag["reasons"].str.len().min() > 0
    assert lag["reasons"].str.contains("Not reported").any()  # the stations that have not reported yet
    todo = read.still_to_happen(engine, month, national, "HR", limit=10)
    assert 0 < len(todo) <= 10 and (todo["at_stake"].diff().dropna() <= 1e-12).all()
    assert (todo["records"] >= 0).all() and todo["parameter_name"].notna().all()
    district = d["district_code"].iloc[0]
    todo_d = read.still_to_happen(engine, month, national, "HR", district, limit=50)
    assert set(todo_d["district_code"]) <= {district}
    one = read.provisional_district(engine, month, district, national)
    assert one["rank_in_state"] == d["rank_in_state"].iloc[0] and one["state_code"] == "HR"


def test_scope(prov):
    engine, month, _, _ = prov
    other_state = Scope("state", "UP")
    sp = Scope("district", "HR", "HR-KNL")
    with pytest.raises(OutOfScope):
        read.provisional_districts(engine, month, "HR", other_state)
    with pytest.raises(OutOfScope):
        read.provisional_lagging(engine, month, other_state, "HR")
    with pytest.raises(OutOfScope):
        read.still_to_happen(engine, month, sp, "HR")  # an SP sees their own district only
    with pytest.raises(OutOfScope):
        read.provisional_district(engine, month, "HR-PKL", sp)
    assert isinstance(read.still_to_happen(engine, month, sp, "HR", "HR-KNL"), pd.DataFrame)


def test_cutoff_days():
    assert read.cutoff_date("2026-11", 10) == date(2026, 12, 10)
    assert read.days_to_cutoff("2026-11", date(2026, 12, 3), 10) == 7
    assert read.days_to_cutoff("2026-12", date(2026, 12, 3), 10) == 38
    assert read.days_to_cutoff("2026-11", date(2026, 12, 12), 10) == -2


@pytest.mark.parametrize("scheme", ["icjs", "itsso"])
def test_each_scheme_ranks_its_provisional_figures_against_its_own_finals(prov, scheme):
    """The demo's provisional rows hold every scheme's parameters: each scheme's table ranks HR and UP by their
    provisional score in that scheme and every other State by its final score of that scheme."""
    engine, month, basis, _ = prov
    assert read.provisional_months(engine, scheme=scheme) == read.provisional_months(engine)
    table = read.provisional_states_table(engine, month, NATIONAL, scheme=scheme)
    kinds = dict(zip(table["state_code"], table["basis"], strict=True))
    assert kinds["HR"] == kinds["UP"] == read.BASIS_PROVISIONAL
    finals = read.states_table(engine, basis, scheme=scheme).set_index("state_code")["score_centi"]
    cctns = read.provisional_states_table(engine, month, NATIONAL).set_index("state_code")["score_centi"]
    for r in table.itertuples():
        if r.basis == read.BASIS_FINAL:
            assert r.score_centi == finals[r.state_code] and r.figure_month == basis
    mine = table.set_index("state_code")["score_centi"]
    assert mine["HR"] != cctns["HR"] or mine["UP"] != cctns["UP"]  # scored in the scheme, not copied
    centi = table["score_centi"].astype(float)
    assert table["rank_national"].tolist() == [1 + int((centi > c).sum()) for c in centi]
    head = read.provisional_headline(engine, month, "HR", NATIONAL, scheme=scheme)
    assert head["score_centi"] == mine["HR"] and head["states_ranked"] == int(table["rank_national"].notna().sum())
    # what still has to happen and the districts speak of the scheme's own parameters only
    own = read.methodology(engine, scheme=scheme).parameter_ids
    todo = read.still_to_happen(engine, month, Scope.national(), "HR", limit=500, scheme=scheme)
    assert set(todo["parameter"]) <= own
    assert len(read.provisional_districts(engine, month, "HR", Scope.national(), scheme=scheme))
    lag = read.provisional_lagging(engine, month, Scope.national(), "HR", scheme=scheme)
    assert isinstance(lag, pd.DataFrame)
