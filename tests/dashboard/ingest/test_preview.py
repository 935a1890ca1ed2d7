"""The preview of an import or revert (issue 16): its numbers are those of the real import, it writes
nothing, the import is refused when the data changed since the preview, and a State's operator imports
only their own State's rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from dashboard.ingest import (
    DataChanged,
    ImportRejected,
    import_files,
    list_batches,
    preview_import,
    preview_revert,
    revert_batch,
)
from dashboard.scope import Scope
from dashboard.store import AuditEvent, ImportBatch, ResultLagging, ResultUnit, read_generation
from tests.dashboard.ingest.ingest_support import tiny_database

STATE = "HR"


def own_state_files(held_back, tmp_path: Path, state: str = STATE, bump: int = 0) -> list[Path]:
    """The held-back month's station and State rows of one State only (numerators lowered by `bump`)."""
    out = []
    for p in held_back.last_files:
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
        if "station_code" in df.columns:
            df = df[df["station_code"].str.startswith(state + "-")]
        else:
            df = df[df["state_code"] == state]
        if bump:
            n = df["numerator"].astype(int)
            df = df.assign(numerator=(n - bump).clip(lower=0).astype(str))
        target = tmp_path / p.name
        df.to_csv(target, index=False)
        out.append(target)
    return out


def stored_units(engine, month: str, scheme: str = "cctns") -> dict[tuple[str, str], tuple[int | None, int | None]]:
    t = ResultUnit.__table__
    rank = func.coalesce(t.c.rank_national, t.c.rank_in_state)
    with engine.connect() as conn:
        return {(lv, c): (s, r) for lv, c, s, r in conn.execute(
            select(t.c.level, t.c.unit_code, t.c.score_centi, rank).where(t.c.month == month, t.c.scheme == scheme))}


def counts(engine) -> tuple[int, int, int, str]:
    with engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(ImportBatch)).scalar_one(),
                conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one(),
                conn.execute(select(func.count()).select_from(ResultUnit)).scalar_one(),
                read_generation(engine))


def test_preview_numbers_equal_the_real_import(held_back_engine, held_back):
    engine, month = held_back_engine, held_back.last_month
    before = counts(engine)
    p = preview_import(engine, held_back.last_files, "hq", focus_state=STATE)
    assert counts(engine) == before, "the preview wrote something"
    assert p.action == "import" and p.generation == before[3]
    assert [s.scheme for s in p.schemes] == ["cctns", "icjs", "itsso"]  # the demo's files mix the three
    assert [m.month for s in p.schemes for m in s.months] == [month] * 3
    assert sum(s.rows_added for s in p.schemes) == p.rows_added and all(s.rows_added > 0 for s in p.schemes)
    for s in p.schemes:
        m = s.months[0]
        assert m.rows_added == s.rows_added and m.rows_replaced == 0
        assert m.states[0].code == STATE and m.states[0].score_before is None  # a new month: no score before
        assert m.districts and m.stations

    report = import_files(engine, held_back.last_files, user="hq", expect_generation=p.generation)
    assert (report.rows_added, report.rows_replaced, report.months) == (p.rows_added, p.rows_replaced,
                                                                       p.months_recomputed)
    for s in p.schemes:  # each scheme's figures are those the import stores for that scheme
        m = s.months[0]
        stored = stored_units(engine, month, s.scheme)
        for u in m.states + m.districts + m.stations:
            assert stored[(u.level, u.code)] == (u.score_after, u.rank_after), (s.scheme, u)
        with engine.connect() as conn:
            lagging = {c for (c,) in conn.execute(select(ResultLagging.station_code).where(
                ResultLagging.month == month, ResultLagging.scheme == s.scheme))}
        assert {c.code for c in m.lagging if c.started} == lagging  # a new month: every lagging station starts


def test_preview_of_a_replacement_and_its_revert(held_back_engine, held_back, tmp_path):
    engine, month = held_back_engine, held_back.last_month
    import_files(engine, held_back.last_files, user="hq")
    before = stored_units(engine, month)
    files = own_state_files(held_back, tmp_path, bump=3)
    scope = Scope("state", STATE, None, "haryana")
    p = preview_import(engine, files, "haryana", scope=scope, only_state=STATE, focus_state=STATE)
    m = p.scheme("cctns").months[0]
    assert m.rows_added == 0 and m.rows_replaced > 0
    assert sum(s.rows_replaced for s in p.schemes) == p.rows_replaced
    hr = m.states[0]
    assert hr.code == STATE and hr.score_before == before[("state", STATE)][0]
    assert hr.score_after is not None and hr.score_after < hr.score_before  # numerators lowered
    assert all(u.state_code == STATE for u in m.districts + m.stations)  # the operator's scope only
    assert m.lagging and all(c.started for c in m.lagging[:1])

    report = import_files(engine, files, user="haryana", only_state=STATE, expect_generation=p.generation)
    after = stored_units(engine, month)
    for u in m.states + m.districts + m.stations:
        assert after[(u.level, u.code)] == (u.score_after, u.rank_after)

    # the revert's preview: the scores go back to exactly what they were
    r = preview_revert(engine, report.batch_id, "haryana", scope=scope, focus_state=STATE)
    assert r.action == "revert" and r.rows_replaced == p.rows_replaced and r.rows_added == 0
    rm = r.scheme("cctns").months[0]
    assert rm.rows_replaced == m.rows_replaced
    assert (rm.states[0].score_before, rm.states[0].score_after) == (hr.score_after, hr.score_before)
    assert {c.code for c in rm.lagging if not c.started} == {c.code for c in m.lagging if c.started}
    assert stored_units(engine, month) == after, "the revert's preview wrote something"
    revert_batch(engine, report.batch_id, user="haryana", reason="wrong file", expect_generation=r.generation)
    assert stored_units(engine, month) == before


def test_import_refused_when_the_data_changed_since_the_preview(held_back_engine, held_back, tmp_path):
    engine = held_back_engine
    p = preview_import(engine, held_back.last_files, "hq")
    import_files(engine, own_state_files(held_back, tmp_path), user="someone-else")  # in between
    n_batches = len(list_batches(engine))
    generation = read_generation(engine)
    with pytest.raises(DataChanged, match="changed since the preview"):
        import_files(engine, held_back.last_files, user="hq", expect_generation=p.generation)
    assert len(list_batches(engine)) == n_batches and read_generation(engine) == generation
    # and a revert confirmed on a stale preview
    batch = list_batches(engine)[0].id
    rp = preview_revert(engine, batch)
    other = tmp_path / "mn"
    other.mkdir()
    import_files(engine, own_state_files(held_back, other, state="MN"), user="someone-else")
    with pytest.raises(DataChanged):
        revert_batch(engine, batch, user="hq", expect_generation=rp.generation)
    assert list_batches(engine)[1].status == "applied"


def test_a_state_operator_imports_only_their_states_rows(held_back_engine, held_back):
    engine = held_back_engine
    before = counts(engine)
    with pytest.raises(ImportRejected) as info:
        preview_import(engine, held_back.last_files, "haryana", only_state=STATE)
    problems = info.value.problems
    summary = [p for p in problems if p.row is None]
    assert summary and all("your account may import only HR's rows" in p.rule for p in problems)
    assert "UP" in summary[0].value and "MN" in summary[0].value  # the other States are named
    rows = [p for p in problems if p.row is not None]
    assert rows and all(not p.value.startswith("HR-") and "not HR" in p.rule for p in rows)
    with pytest.raises(ImportRejected):
        import_files(engine, held_back.last_files, user="haryana", only_state=STATE)
    assert counts(engine) == before


def test_a_rejected_preview_lists_every_problem_and_writes_nothing(held_back_engine, held_back, tmp_path):
    engine = held_back_engine
    bad = tmp_path / "station_rows_bad.csv"
    df = pd.read_csv(next(p for p in held_back.last_files if p.name.startswith("station_rows")), dtype=str)
    df.loc[3, "numerator"] = "=1+2"
    df.loc[7, "station_code"] = "XX-NOPE-001"
    df.to_csv(bad, index=False)
    before = counts(engine)
    with pytest.raises(ImportRejected) as info:
        preview_import(engine, [bad], "hq")
    rows = {(p.row, p.column) for p in info.value.problems}
    assert (5, "numerator") in rows and (9, "station_code") in rows
    assert counts(engine) == before


# --- a file mixing schemes: the preview per scheme, with figures worked out by hand (metrics/RULES.md) --------

MIXED_MASTER = {
    "states.csv": "state_code,name,category\nXX,Exland,Major States\nYY,Whyland,UTs\n",
    "districts.csv": "district_code,state_code,name\nD1,XX,One\nD2,YY,Two\n",
    "stations.csv": "station_code,district_code,name,opened,closed\nS1,D1,Alpha,,\nS2,D1,Beta,,\nS3,D2,Gamma,,\n",
    "published.csv": "month,scheme,state_code,score,rank\n2025-03,cctns,YY,60.00,1\n2025-03,cctns,XX,54.00,2\n",
    "rows.csv": "month,station_code,parameter,numerator,denominator\n"
                "2025-03,S1,fir_in_cctns,45,50\n2025-03,S3,fir_in_cctns,30,30\n"
                "2025-03,S1,icjs_police_exchange,90,100\n2025-03,S3,icjs_police_exchange,10,20\n"
                "2025-03,S1,itsso_within_60_days,17,31\n2025-03,S2,itsso_within_60_days,0,0\n"
                "2025-03,S3,itsso_within_60_days,40,40\n",
}
# CCTNS rows of S1 and S3 lowered, ITSSO's S1 raised; no ICJS row
MIXED_CHANGE = ("month,station_code,parameter,numerator,denominator\n"
                "2025-03,S1,fir_in_cctns,40,50\n2025-03,S3,fir_in_cctns,15,30\n"
                "2025-03,S1,itsso_within_60_days,31,31\n")


@pytest.fixture
def mixed_engine(tmp_path: Path):
    names = list(MIXED_MASTER)  # the master files first, then the months
    engine = tiny_database(tmp_path, MIXED_MASTER, batches=[names[:4], names[4:]], db_name="mixed.sqlite3")
    yield engine
    engine.dispose()


def _units_of(month_change) -> dict[str, tuple]:
    return {u.code: (u.score_before, u.score_after, u.rank_before, u.rank_after)
            for u in month_change.states + month_change.districts + month_change.stations}


def test_a_file_of_several_schemes_is_previewed_per_scheme(mixed_engine, tmp_path):
    change = tmp_path / "change.csv"
    change.write_text(MIXED_CHANGE)
    p = preview_import(mixed_engine, [change], "hq")
    # only the schemes present in the file, in display order, labelled
    assert [(s.scheme, s.short, s.name) for s in p.schemes] == [("cctns", "CCTNS", "CCTNS Pragati"),
                                                                 ("itsso", "ITSSO", p.schemes[1].name)]
    assert p.scheme("icjs") is None
    cctns, itsso = p.schemes
    assert (cctns.rows_added, cctns.rows_replaced, itsso.rows_added, itsso.rows_replaced) == (0, 2, 0, 1)
    # CCTNS (fir_in_cctns weight 12 count, ndc_sync weight 8 days with no row: 0/31 per active station):
    # XX pools S1 40/50 (S2 has no count row) -> 9.6 of 20 = 48.00 (was 45/50: 54.00);
    # YY is S3 15/30 -> 6 of 20 = 30.00 (was 60.00): XX passes YY, 2nd -> 1st
    m = cctns.months[0]
    assert [u.code for u in m.states] == ["YY", "XX"]  # largest score change first
    got = _units_of(m)
    assert got["YY"] == (6000, 3000, 1, 2) and got["XX"] == (5400, 4800, 2, 1)
    assert got["D1"] == (5400, 4800, 1, 1) and got["D2"] == (6000, 3000, 1, 1)
    assert got["S1"] == (5400, 4800, 1, 1) and got["S3"] == (6000, 3000, 1, 1)
    assert "S2" not in got  # unchanged (0.00 before and after: not reported)
    # ITSSO: XX pools S1 31/31 and S2 0/0 -> 100.00 (was 17/31 = 54.84), level with YY at 1st
    m = itsso.months[0]
    got = _units_of(m)
    assert got["XX"] == (5484, 10000, 2, 1) and "YY" not in got
    assert got["S1"] == (5484, 10000, 1, 1) and got["D1"] == (5484, 10000, 1, 1)
    assert [(c.code, c.started) for c in m.lagging] == [("S1", False)]  # 54.84 < 80 lagged; 100 does not
    # warnings: NCRB published 54.00 and 60.00 for CCTNS; the file gives 48.00 and 30.00; S2 has no CCTNS row
    assert [(w.kind, w.state_code, w.published, w.computed, w.difference, w.count, w.total)
            for w in cctns.warnings] == [("published", "XX", 5400, 4800, -600, 0, 0),
                                         ("not_reported", "XX", None, None, None, 1, 2),
                                         ("published", "YY", 6000, 3000, -3000, 0, 0)]
    assert itsso.warnings == []  # S1 and S2 both have ITSSO rows; nothing published for ITSSO


def test_a_state_operator_sees_warnings_of_their_own_state_only(mixed_engine, tmp_path):
    change = tmp_path / "change.csv"
    change.write_text(MIXED_CHANGE.replace("2025-03,S3,fir_in_cctns,15,30\n", ""))
    p = preview_import(mixed_engine, [change], "xx-op", scope=Scope("state", "XX", None, "xx-op"), only_state="XX",
                       focus_state="XX")
    cctns = p.scheme("cctns")
    assert {w.state_code for w in cctns.warnings} == {"XX"}
    assert cctns.months[0].states[0].code == "XX"  # the focus first


def test_the_revert_of_a_mixed_batch_is_previewed_per_scheme(mixed_engine, tmp_path):
    change = tmp_path / "change.csv"
    change.write_text(MIXED_CHANGE)
    report = import_files(mixed_engine, [change], user="hq")
    r = preview_revert(mixed_engine, report.batch_id)
    assert [s.scheme for s in r.schemes] == ["cctns", "itsso"]
    assert _units_of(r.scheme("cctns").months[0])["YY"] == (3000, 6000, 2, 1)
    assert _units_of(r.scheme("itsso").months[0])["XX"] == (10000, 5484, 1, 2)
    # back to NCRB's published 54.00 and 60.00: only S2's missing CCTNS rows are left to look at
    assert [(w.kind, w.state_code) for w in r.scheme("cctns").warnings] == [("not_reported", "XX")]
