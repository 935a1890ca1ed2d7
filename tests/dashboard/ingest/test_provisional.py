"""Provisional loads (issue 14): snapshots replace each other, never touch a final month, the final import
ends them, reverts bring back exactly what was there; the scores equal those of the same rows loaded final,
in each ranking scheme whose parameters the load holds (CCTNS, ICJS, ITSSO)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, select, text
from typer.testing import CliRunner

from dashboard.ingest import ImportRejected, RevertRefused, import_files, revert_batch
from dashboard.store.models import ProvisionalSnapshot, ProvisionalUnit, ResultUnit
from dashboard.store.schema import store_schemes, upgrade
from metrics.methodology import shipped_schemes

TODAY = date(2026, 11, 28)
MASTER = {
    "states.csv": "state_code,name,category\nXX,Exland,Major States\nYY,Whyland,UTs\n",
    "districts.csv": "district_code,state_code,name\nD1,XX,One\nD2,XX,Two\nD3,YY,Three\n",
    "stations.csv": "station_code,district_code,name,opened,closed\nS1,D1,Alpha,,\nS2,D1,Beta,,\nS3,D2,Gamma,,\n"
                    "S4,D3,Delta,,\n",
}
HEADER = "month,station_code,parameter,numerator,denominator\n"
FINAL_FEB = HEADER + (
    "2024-02,S1,ps_connectivity,28,29\n2024-02,S1,fir_in_cctns,45,50\n2024-02,S2,fir_in_cctns,10,10\n"
    "2024-02,S3,ps_connectivity,20,29\n2024-02,S4,fir_in_cctns,30,30\n2024-02,S4,ps_connectivity,29,29\n"
    # ITSSO's and ICJS's rows of the same month (one file may mix the schemes' parameters)
    "2024-02,S1,itsso_within_60_days,8,10\n2024-02,S3,itsso_within_60_days,9,9\n2024-02,S4,itsso_within_60_days,5,8\n"
    "2024-02,S2,icjs_police_exchange,3,4\n2024-02,S4,icjs_police_exchange,7,7\n")
MARCH_XX = HEADER + "2024-03,S1,fir_in_cctns,20,40\n2024-03,S2,ps_connectivity,31,31\n"
MARCH_XX_LATER = HEADER + ("2024-03,S1,fir_in_cctns,39,40\n2024-03,S2,ps_connectivity,31,31\n"
                           "2024-03,S3,fir_in_cctns,5,9\n")
MARCH_YY = HEADER + "2024-03,S4,fir_in_cctns,12,12\n"


def write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


def _base(folder: Path, url: str | None = None) -> Engine:
    engine = create_engine(url or f"sqlite:///{folder / 'db.sqlite3'}")
    upgrade(engine)
    store_schemes(engine, shipped_schemes())
    import_files(engine, [write(folder, n, c) for n, c in MASTER.items()], today=TODAY)
    import_files(engine, [write(folder, "feb.csv", FINAL_FEB)], today=TODAY)
    return engine


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    eng = _base(tmp_path)
    yield eng
    eng.dispose()


@pytest.fixture
def any_engine(any_db_url: str, tmp_path: Path) -> Engine:
    """SQLite, and PostgreSQL when it is available (COPY of the provisional rows and results)."""
    eng = _base(tmp_path, any_db_url)
    yield eng
    eng.dispose()


def load(engine: Engine, folder: Path, name: str, content: str, provisional: bool = True):
    return import_files(engine, [write(folder, name, content)], today=TODAY, provisional=provisional)


def final_tables(engine: Engine) -> dict[str, list]:
    """Everything final: rows and every result table, in a stable order."""
    out = {}
    with engine.connect() as conn:
        for table in ("station_rows", "state_rows", "result_units", "result_params", "result_lagging",
                      "result_stakes"):
            out[table] = sorted(tuple(map(repr, r)) for r in conn.execute(text(f"SELECT * FROM {table}")))
    return out


def snapshots(engine: Engine) -> list[tuple]:
    t = ProvisionalSnapshot.__table__
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(t.c.state_code, t.c.month, t.c.batch_id, t.c.status)
                                               .order_by(t.c.id))]


def prov_state_score(engine: Engine, state: str, month: str, scheme: str = "cctns") -> int | None:
    s, u = ProvisionalSnapshot.__table__, ProvisionalUnit.__table__
    with engine.connect() as conn:
        return conn.execute(select(u.c.score_centi).join(s, s.c.id == u.c.snapshot_id).where(
            s.c.state_code == state, s.c.month == month, s.c.status == "current", u.c.scheme == scheme,
            u.c.level == "state", u.c.unit_code == state)).scalar_one_or_none()


def test_a_provisional_load_is_a_snapshot_and_changes_nothing_final(engine, tmp_path):
    before = final_tables(engine)
    report = load(engine, tmp_path, "m1.csv", MARCH_XX)
    assert report.provisional and report.months == ["2024-03"] and report.rows_added == 2
    assert final_tables(engine) == before
    assert snapshots(engine) == [("XX", "2024-03", report.batch_id, "current")]
    with engine.connect() as conn:
        months = [m for (m,) in conn.execute(select(ResultUnit.month).distinct())]
        assert months == ["2024-02"]  # the provisional month is not a final month
        assert conn.execute(text("SELECT provisional FROM import_batches WHERE id = :i"),
                            {"i": report.batch_id}).scalar_one() in (1, True)
    assert prov_state_score(engine, "XX", "2024-03") is not None


def test_the_next_load_replaces_the_snapshot_and_keeps_its_batch(engine, tmp_path):
    first = load(engine, tmp_path, "m1.csv", MARCH_XX)
    score1 = prov_state_score(engine, "XX", "2024-03")
    second = load(engine, tmp_path, "m2.csv", MARCH_XX_LATER)
    assert second.rows_replaced == 2
    assert snapshots(engine) == [("XX", "2024-03", first.batch_id, "replaced"),
                                 ("XX", "2024-03", second.batch_id, "current")]
    assert prov_state_score(engine, "XX", "2024-03") != score1
    third = load(engine, tmp_path, "m3.csv", MARCH_YY)  # another State: XX's snapshot stays
    assert snapshots(engine)[-1] == ("YY", "2024-03", third.batch_id, "current")
    assert snapshots(engine)[1][3] == "current"


def test_provisional_scores_equal_the_same_rows_loaded_final(engine, tmp_path):
    load(engine, tmp_path, "m.csv", MARCH_XX_LATER)
    (tmp_path / "other").mkdir()
    other = _base(tmp_path / "other")
    load(other, tmp_path / "other", "m.csv", MARCH_XX_LATER, provisional=False)
    with other.connect() as conn:
        finals = dict(conn.execute(select(ResultUnit.unit_code, ResultUnit.score_centi).where(
            ResultUnit.month == "2024-03", ResultUnit.state_code == "XX")).all())
        ranks = dict(conn.execute(select(ResultUnit.unit_code, ResultUnit.rank_in_state).where(
            ResultUnit.month == "2024-03", ResultUnit.level == "station")).all())
    with engine.connect() as conn:
        prov = dict(conn.execute(select(ProvisionalUnit.unit_code, ProvisionalUnit.score_centi)).all())
        prov_ranks = dict(conn.execute(select(ProvisionalUnit.unit_code, ProvisionalUnit.rank_in_state)
                                       .where(ProvisionalUnit.level == "station")).all())
    assert prov == finals
    assert prov_ranks == {k: v for k, v in ranks.items() if k in prov_ranks}
    other.dispose()


MARCH_MIXED = HEADER + ("2024-03,S1,fir_in_cctns,39,40\n2024-03,S1,itsso_within_60_days,2,10\n"
                         "2024-03,S3,itsso_within_60_days,6,6\n2024-03,S2,icjs_police_exchange,1,4\n")


def test_each_scheme_is_scored_on_its_own_rows_as_if_loaded_final(engine, tmp_path):
    load(engine, tmp_path, "m.csv", MARCH_MIXED)
    (tmp_path / "other").mkdir()
    other = _base(tmp_path / "other")
    load(other, tmp_path / "other", "m.csv", MARCH_MIXED, provisional=False)
    u, r = ProvisionalUnit, ResultUnit
    for scheme in ("cctns", "icjs", "itsso"):
        with other.connect() as conn:
            finals = dict(conn.execute(select(r.unit_code, r.score_centi).where(
                r.scheme == scheme, r.month == "2024-03", r.state_code == "XX")).all())
        with engine.connect() as conn:
            prov = dict(conn.execute(select(u.unit_code, u.score_centi).where(u.scheme == scheme)).all())
        assert finals and prov == finals, scheme
    # the ITSSO score is scored from the ITSSO rows alone, not a copy of the CCTNS one
    assert prov_state_score(engine, "XX", "2024-03", "itsso") != prov_state_score(engine, "XX", "2024-03")
    # a load with rows of one scheme only is scored in that scheme only
    load(engine, tmp_path, "yy.csv", MARCH_YY)
    assert prov_state_score(engine, "YY", "2024-03") is not None
    assert prov_state_score(engine, "YY", "2024-03", "itsso") is None
    with engine.connect() as conn:
        schemes = {s for (s,) in conn.execute(select(u.scheme).distinct())}
    assert schemes == {"cctns", "icjs", "itsso"}
    other.dispose()


def test_a_final_month_is_refused_and_master_data_too(engine, tmp_path):
    before = final_tables(engine)
    with pytest.raises(ImportRejected) as exc:
        load(engine, tmp_path, "feb.csv", HEADER + "2024-02,S1,fir_in_cctns,50,50\n")
    assert "is final for XX" in exc.value.problems[0].rule
    with pytest.raises(ImportRejected) as exc:
        import_files(engine, [tmp_path / "states.csv"], today=TODAY, provisional=True)
    assert "monthly rows only" in exc.value.problems[0].rule
    # the ordinary rules still apply (numerator above the denominator)
    with pytest.raises(ImportRejected) as exc:
        load(engine, tmp_path, "bad.csv", HEADER + "2024-03,S1,fir_in_cctns,60,50\n")
    assert final_tables(engine) == before and snapshots(engine) == []


def test_the_final_import_replaces_the_provisional_figures(any_engine, tmp_path):
    engine = any_engine
    prov = load(engine, tmp_path, "m1.csv", MARCH_XX)
    load(engine, tmp_path, "yy.csv", MARCH_YY)
    final = load(engine, tmp_path, "final.csv", MARCH_XX_LATER, provisional=False)
    assert snapshots(engine) == [("XX", "2024-03", prov.batch_id, "finalised"),
                                 ("YY", "2024-03", prov.batch_id + 1, "current")]
    assert prov_state_score(engine, "XX", "2024-03") is None
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM provisional_units pu JOIN provisional_snapshots s "
                                 "ON s.id = pu.snapshot_id WHERE s.state_code = 'XX'")).scalar_one() == 0
    # and a provisional load of that month is refused from now on
    with pytest.raises(ImportRejected):
        load(engine, tmp_path, "late.csv", MARCH_XX)
    # reverting the final batch brings the provisional snapshot back, scored again
    revert_batch(engine, final.batch_id)
    assert snapshots(engine)[0] == ("XX", "2024-03", prov.batch_id, "current")
    assert prov_state_score(engine, "XX", "2024-03") is not None


def test_revert_of_a_provisional_load_brings_back_the_one_it_replaced(engine, tmp_path):
    first = load(engine, tmp_path, "m1.csv", MARCH_XX)
    score1 = prov_state_score(engine, "XX", "2024-03")
    second = load(engine, tmp_path, "m2.csv", MARCH_XX_LATER)
    with pytest.raises(RevertRefused, match=f"revert batch {second.batch_id} first"):
        revert_batch(engine, first.batch_id)
    before = final_tables(engine)
    revert_batch(engine, second.batch_id)
    assert final_tables(engine) == before
    assert snapshots(engine) == [("XX", "2024-03", first.batch_id, "current"),
                                 ("XX", "2024-03", second.batch_id, "reverted")]
    assert prov_state_score(engine, "XX", "2024-03") == score1
    revert_batch(engine, first.batch_id)
    assert prov_state_score(engine, "XX", "2024-03") is None


def test_cli_import_provisional(engine, tmp_path, monkeypatch):
    from dashboard.cli import imports as cli_imports
    from dashboard.cli.commands import app

    monkeypatch.setattr(cli_imports, "_engine", lambda: engine)
    monkeypatch.setattr(cli_imports, "import_files",
                        lambda *a, **k: import_files(*a, **{**k, "today": TODAY}))
    result = CliRunner().invoke(app, ["import", "--provisional", str(write(tmp_path, "m.csv", MARCH_XX))])
    assert result.exit_code == 0, result.output
    assert "provisional batch" in result.output and "no final month was changed" in result.output
    result = CliRunner().invoke(app, ["imports", "list"])
    assert "provisional, applied" in result.output


# --- the property: whatever provisional loads arrive, in whatever order, a final month never changes -------

SCHEME_OF = {"fir_in_cctns": "cctns", "ps_connectivity": "cctns", "icjs_police_exchange": "icjs",
             "itsso_within_60_days": "itsso"}
ROW = st.tuples(st.sampled_from(["S1", "S2", "S3", "S4"]), st.sampled_from(sorted(SCHEME_OF)),
                st.integers(0, 40), st.integers(0, 40))
LOADS = st.lists(st.tuples(st.sampled_from(["2024-02", "2024-03", "2024-04"]),
                           st.lists(ROW, min_size=1, max_size=6, unique_by=lambda r: (r[0], r[1]))),
                 min_size=1, max_size=4)


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("prov-base")
    _base(folder).dispose()
    return folder / "db.sqlite3"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(loads=LOADS, final_after=st.booleans())
def test_provisional_rows_never_alter_a_final_month(base_db, tmp_path_factory, loads, final_after):
    """Rows of any scheme's parameters (CCTNS, ICJS, ITSSO), loaded provisional in any order: every final
    row and every final result of every scheme stays as it was; each accepted load is scored in exactly the
    schemes whose parameters it holds."""
    folder = tmp_path_factory.mktemp("prop")
    shutil.copy(base_db, folder / "db.sqlite3")
    engine = create_engine(f"sqlite:///{folder / 'db.sqlite3'}")
    try:
        before = final_tables(engine)
        for i, (month, rows) in enumerate(loads):
            days = 29 if month == "2024-02" else 31 if month == "2024-03" else 30
            body = "".join(f"{month},{s},{p},{min(n, days) if p == 'ps_connectivity' else min(n, d)},"
                           f"{days if p == 'ps_connectivity' else d}\n" for s, p, n, d in rows)
            try:
                report = load(engine, folder, f"p{i}.csv", HEADER + body)
            except ImportRejected as exc:
                assert month == "2024-02" and all("is final" in p.rule for p in exc.problems)
            else:
                with engine.connect() as conn:
                    scored = {sc for (sc,) in conn.execute(
                        select(ProvisionalUnit.scheme).distinct().join(
                            ProvisionalSnapshot, ProvisionalSnapshot.id == ProvisionalUnit.snapshot_id)
                        .where(ProvisionalSnapshot.batch_id == report.batch_id))}
                assert scored == {SCHEME_OF[p] for _s, p, _n, _d in rows}
            assert final_tables(engine) == before  # never a final month, never a final result, in any scheme
        if final_after:  # the final import of March replaces every March snapshot of the States it holds
            load(engine, folder, "final.csv", MARCH_XX_LATER + "2024-03,S4,fir_in_cctns,1,2\n", provisional=False)
            assert all(s[3] != "current" for s in snapshots(engine) if s[1] == "2024-03")
    finally:
        engine.dispose()


def test_the_preview_of_a_provisional_load_writes_nothing(engine, tmp_path):
    from dashboard.ingest import preview_provisional

    first = load(engine, tmp_path, "m1.csv", MARCH_XX)
    before = final_tables(engine), snapshots(engine)
    p = preview_provisional(engine, [write(tmp_path, "m2.csv", MARCH_XX_LATER + "2024-03,S4,fir_in_cctns,3,4\n")],
                            today=TODAY)
    assert (final_tables(engine), snapshots(engine)) == before  # rolled back
    assert p.action == "provisional" and p.rows_added == 4 and p.rows_replaced == 2
    by_state = {c.state_code: c for c in p.provisional}
    assert by_state["XX"].replaces_as_of is not None and by_state["YY"].replaces_as_of is None
    assert by_state["XX"].rows == 3 and by_state["XX"].stations_active == 3
    load(engine, tmp_path, "m3.csv", MARCH_XX_LATER)
    assert prov_state_score(engine, "XX", "2024-03") / 100 == float(by_state["XX"].score_display)
    assert first.batch_id
    with pytest.raises(ImportRejected):
        preview_provisional(engine, [write(tmp_path, "bad.csv", HEADER + "2024-02,S1,fir_in_cctns,1,1\n")],
                            today=TODAY)
