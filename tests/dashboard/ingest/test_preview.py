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


def stored_units(engine, month: str) -> dict[tuple[str, str], tuple[int | None, int | None]]:
    t = ResultUnit.__table__
    rank = func.coalesce(t.c.rank_national, t.c.rank_in_state)
    with engine.connect() as conn:
        return {(lv, c): (s, r) for lv, c, s, r in conn.execute(
            select(t.c.level, t.c.unit_code, t.c.score_centi, rank).where(t.c.month == month, t.c.scheme == "cctns"))}


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
    assert [m.month for m in p.months] == [month]
    m = p.months[0]
    assert m.rows_added > 0 and m.rows_replaced == 0 and m.rows_added == p.rows_added
    assert m.states[0].code == STATE and m.states[0].score_before is None  # a new month: no score before
    assert m.districts and m.stations

    report = import_files(engine, held_back.last_files, user="hq", expect_generation=p.generation)
    assert (report.rows_added, report.rows_replaced, report.months) == (p.rows_added, p.rows_replaced,
                                                                       p.months_recomputed)
    stored = stored_units(engine, month)
    for u in m.states + m.districts + m.stations:
        assert stored[(u.level, u.code)] == (u.score_after, u.rank_after), u
    with engine.connect() as conn:
        lagging = {c for (c,) in conn.execute(select(ResultLagging.station_code).where(
            ResultLagging.month == month, ResultLagging.scheme == "cctns"))}  # the preview speaks of CCTNS
    assert {c.code for c in m.lagging if c.started} == lagging  # a new month: every lagging station starts


def test_preview_of_a_replacement_and_its_revert(held_back_engine, held_back, tmp_path):
    engine, month = held_back_engine, held_back.last_month
    import_files(engine, held_back.last_files, user="hq")
    before = stored_units(engine, month)
    files = own_state_files(held_back, tmp_path, bump=3)
    scope = Scope("state", STATE, None, "haryana")
    p = preview_import(engine, files, "haryana", scope=scope, only_state=STATE, focus_state=STATE)
    m = p.months[0]
    assert m.rows_added == 0 and m.rows_replaced == p.rows_replaced > 0
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
    rm = r.months[0]
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
