"""Schemes in the database: migration 0006 keeps the CCTNS results, each scheme's methodology is stored on
its own, one import file may mix schemes' rows, and a new NCRB circular loaded as a new version switches
the numbers of the months it covers. SQLite here, PostgreSQL too under scripts/test.sh."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from ncrb_circular import NCRB_CIRCULAR_2025_03
from sqlalchemy import Engine, create_engine, select, text

from dashboard.ingest import ImportRejected, import_files, months_with_data, recompute_months
from dashboard.store import (
    MethodologySource,
    MethodologyVersion,
    ResultUnit,
    load_stored_methodology,
    load_stored_schemes,
    store_methodology,
    store_schemes,
)
from dashboard.store.schema import alembic_config
from metrics.methodology import (
    MethodologyError,
    first_changed_month,
    parse_methodology,
    shipped_methodology,
    shipped_schemes,
)

PG_URL = os.environ.get("CCTNS_TEST_POSTGRES_URL")
MASTER = {
    "states.csv": "state_code,name,category\nXX,Exland,Major States\nYY,Whyland,UTs\n",
    "districts.csv": "district_code,state_code,name\nD1,XX,One\nD2,YY,Two\n",
    "stations.csv": "station_code,district_code,name,opened,closed\nS1,D1,Alpha,,\nS2,D1,Beta,,\nS3,D2,Gamma,,\n",
}
# one file, three schemes' rows (parameter ids are unique across schemes)
MIXED_STATION_ROWS = (
    "month,station_code,parameter,numerator,denominator\n"
    "2025-03,S1,fir_in_cctns,45,50\n"
    "2025-03,S3,fir_in_cctns,30,30\n"
    "2025-03,S1,icjs_police_exchange,90,100\n"
    "2025-03,S3,icjs_police_exchange,10,20\n"
    "2025-03,S1,itsso_within_60_days,17,31\n"
    "2025-03,S2,itsso_within_60_days,0,0\n"
    "2025-03,S3,itsso_within_60_days,40,40\n"
)


def _engine_at(url: str, **kw) -> Engine:
    return create_engine(url, **kw)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def bare_engine(request, tmp_path: Path):
    """An empty database (no schema yet)."""
    if request.param == "sqlite":
        engine = _engine_at(f"sqlite:///{tmp_path / 'db.sqlite3'}")
        yield engine
        engine.dispose()
        return
    if not PG_URL:
        pytest.skip("CCTNS_TEST_POSTGRES_URL not set")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _upgrade(engine: Engine, to: str = "head") -> None:
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, to)


def _write_master(tmp_path: Path) -> list[Path]:
    paths = []
    for name, content in MASTER.items():
        p = tmp_path / name
        p.write_text(content)
        paths.append(p)
    return paths


def test_migration_keeps_results_as_cctns(bare_engine: Engine):
    _upgrade(bare_engine, "0008")
    with bare_engine.begin() as conn:
        conn.execute(text("INSERT INTO methodology_source (id, toml, loaded_at) VALUES (1, 'x', '2026-01-01')"))
        conn.execute(text(
            "INSERT INTO result_units (month, level, unit_code, state_code, version_id, score, score_centi, "
            "reported, active, stations_active, stations_reported, streak_at_1, streak_top5, lagging) VALUES "
            "('2025-01', 'state', 'XX', 'XX', 'pragati-2025', 99.5, 9950, true, true, 3, 3, 0, 0, false)"))
        conn.execute(text("INSERT INTO methodology_versions VALUES ('pragati-2025', 't', '2025-01', 90, 0.8)"))
    _upgrade(bare_engine)
    with bare_engine.connect() as conn:
        assert conn.execute(text("SELECT scheme, score_centi FROM result_units")).all() == [("cctns", 9950)]
        assert conn.execute(text("SELECT scheme FROM methodology_source")).all() == [("cctns",)]
        assert conn.execute(text("SELECT id, scheme FROM methodology_versions")).all() == [("pragati-2025", "cctns")]
        # the same unit and month may now hold a result per scheme
        conn.execute(text(
            "INSERT INTO result_units (scheme, month, level, unit_code, state_code, version_id, reported, active, "
            "stations_active, stations_reported, streak_at_1, streak_top5, lagging) VALUES "
            "('itsso', '2025-01', 'state', 'XX', 'XX', 'itsso-2019', true, true, 3, 3, 0, 0, false)"))
        conn.commit()
    _upgrade_down_and_up(bare_engine)


def _upgrade_down_and_up(engine: Engine) -> None:
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0008")
    with engine.connect() as conn:  # CCTNS's results survive the downgrade; the other schemes' go
        assert conn.execute(text("SELECT month, unit_code FROM result_units")).all() == [("2025-01", "XX")]
    _upgrade(engine)


def test_each_scheme_is_stored_on_its_own(bare_engine: Engine):
    _upgrade(bare_engine)
    store_schemes(bare_engine, shipped_schemes())
    assert load_stored_schemes(bare_engine).ids == ("cctns", "icjs", "itsso")
    itsso = shipped_methodology("itsso")
    changed = parse_methodology(itsso.source.replace("lagging_score_below = 80.0", "lagging_score_below = 75.0"))
    store_methodology(bare_engine, changed)
    assert load_stored_methodology(bare_engine, "itsso").versions[0].lagging_score_below == 75
    assert load_stored_methodology(bare_engine, "icjs") == shipped_methodology("icjs")
    with bare_engine.connect() as conn:
        assert conn.execute(select(MethodologySource.scheme).order_by(MethodologySource.scheme)).scalars().all() \
            == ["cctns", "icjs", "itsso"]
        assert conn.execute(select(MethodologyVersion.provenance).where(MethodologyVersion.id == "itsso-2019")
                            ).scalar_one() == "reconstructed from public reports"
    clash = parse_methodology(itsso.source.replace('id = "itsso"', 'id = "mine"'))
    with pytest.raises(MethodologyError, match="also a parameter of 'itsso'"):
        store_methodology(bare_engine, clash)
    assert load_stored_methodology(bare_engine, "mine") is None


def test_one_file_mixes_schemes_rows_and_each_scheme_is_scored(bare_engine: Engine, tmp_path: Path):
    _upgrade(bare_engine)
    store_schemes(bare_engine, shipped_schemes())
    import_files(bare_engine, _write_master(tmp_path), user="t")
    rows = tmp_path / "rows.csv"
    rows.write_text(MIXED_STATION_ROWS)
    import_files(bare_engine, [rows], user="t")
    with bare_engine.connect() as conn:
        got = {(r.scheme, r.unit_code): r.score_centi for r in conn.execute(
            select(ResultUnit.scheme, ResultUnit.unit_code, ResultUnit.score_centi)
            .where(ResultUnit.month == "2025-03"))}
    assert got[("itsso", "XX")] == 5484  # 17 / 31 (S2 has no case due)
    assert got[("itsso", "YY")] == 10000
    assert got[("itsso", "S2")] is None  # not applicable: no ITSSO score
    # CCTNS: FIRs 45/50 (weight 12) and NDC sync, a days parameter without a row: 0/31 (rule 3, weight 8)
    assert got[("cctns", "S1")] == 5400
    # ICJS: FIRs and charge-sheets on ICJS 90/100 (weight 20), no search flag row: 0/1 (weight 10)
    assert got[("icjs", "S1")] == 6000
    assert got[("icjs", "S3")] == 3333  # 10/20 of 20 marks: 10 over 30


def test_unknown_parameter_names_every_scheme_version_in_force(bare_engine: Engine, tmp_path: Path):
    _upgrade(bare_engine)
    store_schemes(bare_engine, shipped_schemes())
    import_files(bare_engine, _write_master(tmp_path), user="t")
    bad = tmp_path / "bad.csv"
    bad.write_text("month,station_code,parameter,numerator,denominator\n2025-03,S1,nope,1,2\n"
                   "2018-05,S1,itsso_within_60_days,1,2\n")
    with pytest.raises(ImportRejected) as info:
        import_files(bare_engine, [bad], user="t")
    rules = [p.rule for p in info.value.problems]
    assert "parameter not in methodology versions pragati-2025, icjs-2021, itsso-2019 in force for 2025-03" in rules
    assert "before the first methodology version (effective from 2019-02)" in rules


def test_a_new_ncrb_circular_switches_the_numbers(bare_engine: Engine, tmp_path: Path):
    _upgrade(bare_engine)
    store_schemes(bare_engine, shipped_schemes())
    import_files(bare_engine, _write_master(tmp_path), user="t")
    rows = tmp_path / "rows.csv"
    rows.write_text(MIXED_STATION_ROWS + "2025-02,S1,fir_in_cctns,45,50\n")
    import_files(bare_engine, [rows], user="t")

    def cctns_xx(month: str) -> tuple[str, int]:
        with bare_engine.connect() as conn:
            r = conn.execute(select(ResultUnit.version_id, ResultUnit.score_centi).where(
                ResultUnit.scheme == "cctns", ResultUnit.month == month, ResultUnit.unit_code == "XX")).one()
        return r.version_id, r.score_centi

    assert cctns_xx("2025-03") == ("pragati-2025", 5400)  # FIRs 90 % (weight 12), NDC sync 0/62 days (8)
    old = load_stored_methodology(bare_engine, "cctns")
    circular = old.source + NCRB_CIRCULAR_2025_03
    new = parse_methodology(circular)
    since = first_changed_month(old, new)
    assert since == "2025-03"
    store_methodology(bare_engine, new)
    with bare_engine.begin() as conn:
        recompute_months(conn, [m for m in months_with_data(conn) if m >= since], new)
    assert cctns_xx("2025-03") == ("ncrb-2025-03", 10000)  # FIRs 90 % against the circular's target of 90
    assert cctns_xx("2025-02")[0] == "pragati-2025"  # months before the circular keep their version
    with bare_engine.connect() as conn:
        assert conn.execute(select(MethodologyVersion.provenance).where(MethodologyVersion.id == "ncrb-2025-03")
                            ).scalar_one() == "as notified by NCRB on 2025-04-02, NCRB/CCTNS/Pragati/2025/07"
