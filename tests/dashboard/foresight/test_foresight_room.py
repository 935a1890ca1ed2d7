"""dashboard.foresight on the small demo: projections and flags are written by the import, read with scope,
and a flag is verified or dismissed with a reason (audited, kept through a recomputation)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from sqlalchemy import create_engine, select

from dashboard import foresight
from dashboard.foresight.compute import refresh_flags
from dashboard.read import latest_month, months
from dashboard.scope import OutOfScope, Scope
from dashboard.store import AuditEvent, DataFlag, FlagReview


@pytest.fixture
def engine(demo_engine, demo_dir, tmp_path):
    """A fresh copy of the small demo for tests that write reviews. The session's demo is shared with the
    browser tests, which review flags too: the copy starts with no review and no audit of one."""
    db = tmp_path / "foresight.sqlite3"
    shutil.copy(demo_dir / "demo.sqlite3", db)
    eng = create_engine(f"sqlite:///{db}")
    with eng.begin() as conn:
        conn.execute(FlagReview.__table__.delete())
        conn.execute(AuditEvent.__table__.delete().where(AuditEvent.action == "flag_review"))
    yield eng
    eng.dispose()


def test_the_import_stores_a_projection_for_every_scored_month_after_the_first_few(demo_engine):
    month = latest_month(demo_engine)
    p = foresight.projection(demo_engine, month)
    assert len(p) >= 5 and p["p_first"].sum() == pytest.approx(1.0)
    assert ((p["rank_low"] <= p["rank_median"]) & (p["rank_median"] <= p["rank_high"])).all()
    assert set(p.columns) >= {"state_code", "name", "p_first", "p_top5", "p_improve", "rank_low", "rank_high",
                              "score_median"}
    first = months(demo_engine)[0]
    assert foresight.projection(demo_engine, first).empty  # no change known yet: no projection
    one = foresight.state_projection(demo_engine, month, p.iloc[0]["state_code"])
    assert one is not None and one["rank_low"] == p.iloc[0]["rank_low"]


def test_the_backtest_on_the_demo_reports_coverage(demo_engine):
    b = foresight.projection_backtest(demo_engine, latest_month(demo_engine))
    assert b is not None and b["checks"] > 0 and len(b["months"]) >= 1
    assert 0.0 <= b["coverage"] <= 1.0
    assert b["mae_model"] >= 0 and b["mae_carry"] >= 0 and isinstance(b["model_better"], bool)


def test_unknown_scheme_is_refused(demo_engine):
    with pytest.raises(ValueError):
        foresight.projection(demo_engine, latest_month(demo_engine), scheme="nope")


def _a_station_flag(engine) -> dict:
    with engine.connect() as conn:
        row = conn.execute(select(DataFlag.__table__).where(DataFlag.level == "station")
                           .order_by(DataFlag.month.desc(), DataFlag.id)).mappings().first()
    assert row is not None, "the small demo should have at least one station flag"
    return dict(row)


def test_flags_are_scoped_in_the_read_layer(demo_engine):
    flag = _a_station_flag(demo_engine)
    month, state, district = flag["month"], flag["state_code"], flag["district_code"]
    everyone = foresight.flags(demo_engine, month, Scope.national(), status=None)
    assert flag["id"] in set(everyone["id"])
    mine = foresight.flags(demo_engine, month, Scope("state", state), status=None)
    assert set(mine["state_code"]) == {state} and flag["id"] in set(mine["id"])
    sp = foresight.flags(demo_engine, month, Scope("district", state, district), status=None)
    assert set(sp["district_code"]) == {district} and "state" not in set(sp["level"])
    other = next(s for s in set(everyone["state_code"]) | {"ZZ"} if s != state)
    assert foresight.flags(demo_engine, month, Scope("state", other), status=None).query(
        "state_code == @state").empty
    with pytest.raises(OutOfScope):
        foresight.flags(demo_engine, month, Scope("state", other), state_code=state)
    with pytest.raises(OutOfScope):
        foresight.flags(demo_engine, month, Scope("district", other, "X-1"), district_code=district)
    assert foresight.flag_count(demo_engine, month, Scope.national(), state) == len(
        foresight.flags(demo_engine, month, Scope.national(), state))


def test_dismiss_with_a_reason_is_audited_and_survives_a_recomputation(engine):
    flag = _a_station_flag(engine)
    month, state = flag["month"], flag["state_code"]
    scope = Scope("state", state, username="scrb")
    with pytest.raises(foresight.FlagReviewRefused):
        foresight.review_flag(engine, flag["id"], "dismissed", "   ", scope, "scrb")
    with pytest.raises(foresight.FlagReviewRefused):
        foresight.review_flag(engine, flag["id"], "deleted", "why", scope, "scrb")
    with pytest.raises(OutOfScope):
        foresight.review_flag(engine, flag["id"], "dismissed", "checked", Scope("state", "ZZ"), "other")
    foresight.review_flag(engine, flag["id"], "dismissed", "Register checked: <b>new</b> station opened", scope, "scrb")
    open_ids = set(foresight.flags(engine, month, scope)["id"])
    assert flag["id"] not in open_ids
    dismissed = foresight.flags(engine, month, scope, status="dismissed")
    assert dismissed.set_index("id").loc[flag["id"], "reason"] == "Register checked: <b>new</b> station opened"
    with engine.connect() as conn:
        audit = conn.execute(select(AuditEvent.detail).where(AuditEvent.action == "flag_review")).scalars().all()
    assert len(audit) == 1 and '"dismissed"' in audit[0]
    # the flags are recomputed (a new id for the same evidence): the dismissal still holds
    with engine.begin() as conn:
        refresh_flags(conn, [month], months(engine))
    again = foresight.flags(engine, month, scope, status=None)
    same = again[again["evidence_key"] == flag["evidence_key"]]
    assert len(same) == 1 and same.iloc[0]["status"] == "dismissed"
    # a different evidence (the numbers changed) is a new flag: it comes back open
    with engine.begin() as conn:
        conn.execute(FlagReview.__table__.update().values(evidence_key="0" * 32))
    assert foresight.flags(engine, month, scope).query("evidence_key == @flag['evidence_key']").shape[0] == 1


def test_verify_needs_scope_of_the_district_for_an_sp(engine):
    flag = _a_station_flag(engine)
    sp = Scope("district", flag["state_code"], flag["district_code"], username="sp")
    out = foresight.review_flag(engine, flag["id"], "verified", "Checked with the SHO", sp, "sp")
    assert out["decision"] == "verified"
    assert foresight.flags(engine, flag["month"], sp, status="verified")["id"].tolist() == [flag["id"]]
    with pytest.raises(OutOfScope):
        foresight.review_flag(engine, flag["id"], "verified", "x", Scope("district", flag["state_code"], "X-9"), "sp2")


def test_flags_only_name_the_month_asked(demo_engine):
    month = latest_month(demo_engine)
    f = foresight.flags(demo_engine, month, Scope.national(), status=None)
    assert (f["month"] == month).all()
    assert isinstance(f, pd.DataFrame)


def test_the_benchmarks_backtest_is_the_one_the_import_stores(demo_engine, demo_dir):
    """`python -m bench.backtest` (the national demo's figures in the closing note) scores the demo's files
    in memory: on the small demo its backtest is exactly the one the imports stored, in every scheme."""
    from bench.backtest import run_backtest, state_scores
    from dashboard import foresight, read
    from metrics.methodology import shipped_schemes

    by_scheme = state_scores(demo_dir / "csv", shipped_schemes(), log=lambda *_: None)
    assert set(by_scheme) == {"cctns", "icjs", "itsso"}
    for scheme, (scores, ranks) in by_scheme.items():
        mine = run_backtest(scores, ranks)
        stored = foresight.projection_backtest(demo_engine, read.latest_month(demo_engine, scheme=scheme), scheme)
        assert mine["months_checked"] == stored["months"] and mine["checks"] == stored["checks"] > 0
        for a, b in (("coverage_80", "coverage"), ("mean_rank_error_model", "mae_model"),
                     ("mean_rank_error_carry_forward", "mae_carry"), ("brier_p_first_model", "brier_model")):
            assert mine[a] == pytest.approx(stored[b], abs=1e-12), (scheme, a)
