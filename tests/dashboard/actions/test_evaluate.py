"""Actions judged by the data when their due month is imported: known outcomes from edited rows, carry-over and
escalation over two months, a revert taking an escalation back, a closed station."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from actions_support import STATE, edited_last_month, station_rows_file

from dashboard import actions, read
from dashboard.ingest import import_files, list_batches, revert_batch
from dashboard.scope import Scope

STATE_USER = Scope("state", STATE, None, "mn-admin")


def stakes_to_act_on(engine, month: str, n: int) -> pd.DataFrame:
    """`n` (station, parameter) gaps of distinct lagging stations, count/days parameters with room to move."""
    version = read.version_for(engine, month)
    kinds = {p.id: p.kind for p in version.parameters}
    stakes = read.unit_stakes(engine, month, Scope.national(), STATE)
    stakes = stakes[stakes["parameter"].map(kinds).isin(["count", "days"]) & (stakes["denominator"] >= 5)
                    & (stakes["numerator"] * 2 < stakes["denominator"])]
    picked = stakes.drop_duplicates("station_code").head(n).reset_index(drop=True)
    assert len(picked) == n, "the demo has too few gaps to act on"
    return picked


def make(engine, picked: pd.DataFrame) -> list[int]:
    return actions.create_actions(engine, STATE_USER, [
        actions.NewAction("station", r.station_code, r.parameter, f"Enter the pending records of {r.parameter}", "sp")
        for r in picked.itertuples()])


def last_month_den(held_back, station: str, parameter: str, fallback: int) -> int:
    rows = pd.read_csv(station_rows_file(held_back))
    hit = rows[(rows["station_code"] == station) & (rows["parameter"] == parameter)]
    return int(hit["denominator"].iloc[0]) if len(hit) else fallback


def by_id(engine, scope=STATE_USER) -> dict[int, dict]:
    return {int(r["id"]): r for r in actions.list_actions(engine, scope).to_dict("records")}


def test_outcomes_from_the_due_months_data(engine, held_back, tmp_path):
    picked = stakes_to_act_on(engine, held_back.basis_month, 4)
    ids = make(engine, picked)
    before = by_id(engine)
    for i, r in zip(ids, picked.itertuples(), strict=True):  # the gap is copied at creation
        a = before[i]
        assert (a["gap_numerator"], a["gap_denominator"]) == (r.numerator, r.denominator)
        assert a["gap_needed"] == r.numerator_needed
        assert a["gap_at_stake"] == pytest.approx(r.at_stake_state)
        assert (a["outcome"], a["due_month"], a["status"]) == ("pending", held_back.last_month, "open")

    met, partly, not_met, silent = picked.itertuples()
    dens = [last_month_den(held_back, r.station_code, r.parameter, r.denominator) for r in (met, partly, not_met)]
    then_share = partly.numerator / partly.denominator
    partly_num = math.ceil(dens[1] * (then_share + (1 - then_share) * 0.75))
    partly_num = min(partly_num, dens[1] - 1)
    files = edited_last_month(held_back, tmp_path, {
        (met.station_code, met.parameter): (dens[0], dens[0]),
        (partly.station_code, partly.parameter): (partly_num, dens[1]),
        (not_met.station_code, not_met.parameter): (0, dens[2]),
    }, drop_stations=(silent.station_code,))
    import_files(engine, files, user="test")

    after = by_id(engine)
    got = [after[i]["outcome"] for i in ids]
    assert got == ["met", "partly_met", "not_met", "no_data"]
    assert after[ids[0]]["now_value"] == pytest.approx(100.0)
    assert (after[ids[0]]["now_numerator"], after[ids[0]]["now_denominator"]) == (dens[0], dens[0])
    assert after[ids[0]]["now_at_stake"] == 0.0
    # met stops the clock; the others carry over to the next month, once
    assert (after[ids[0]]["current_due_month"], after[ids[0]]["carry_cycles"]) == (held_back.last_month, 0)
    nxt = read.months(engine)[-1]
    assert nxt == held_back.last_month
    for i in ids[1:]:
        assert after[i]["carry_cycles"] == 1 and after[i]["overdue"] and after[i]["status"] == "open"
    t = actions.tally(actions.list_actions(engine, STATE_USER))
    assert (t["met"], t["partly_met"], t["not_met"], t["carried_over"]) == (1, 1, 2, 3)


def test_two_cycles_escalate_and_a_revert_takes_it_back(engine, held_back, tmp_path):
    picked = stakes_to_act_on(engine, held_back.basis_month, 1)
    r = picked.iloc[0]
    # due in the held-back month: import it (not met), then a month after it (not met again)
    (action_id,) = make(engine, picked)
    den = last_month_den(held_back, r.station_code, r.parameter, int(r.denominator))
    import_files(engine, edited_last_month(held_back, tmp_path, {(r.station_code, r.parameter): (0, den)}),
                 user="test")
    assert by_id(engine)[action_id]["carry_cycles"] == 1

    following = _following_month(held_back, tmp_path, {(r.station_code, r.parameter): (0, den)})
    import_files(engine, following, user="test")
    a = by_id(engine)[action_id]
    assert (a["carry_cycles"], a["status"], a["escalated_by_data"], a["escalated_to"]) == (2, "escalated", True,
                                                                                        "district")
    assert a["version"] == 2  # the escalation is a change: an edit made before it is refused

    # revert the last import: the second cycle is gone, and so is the escalation
    batch = list_batches(engine)[0]
    revert_batch(engine, batch.id, user="test")
    assert read.months(engine)[-1] == held_back.last_month  # the reverted month has no results left
    a = by_id(engine)[action_id]
    assert (a["carry_cycles"], a["status"], a["escalated_by_data"]) == (1, "open", False)
    trail = actions.history(engine, STATE_USER, action_id)
    kinds = [e["kind"] for e in trail]
    assert kinds[0] == "action_create" and kinds.count("action_evaluate") == 3


def test_done_actions_are_still_judged_by_the_data(engine, held_back, tmp_path):
    picked = stakes_to_act_on(engine, held_back.basis_month, 1)
    r = picked.iloc[0]
    (action_id,) = make(engine, picked)
    actions.update_action(engine, STATE_USER, action_id, 1, status="done")
    den = last_month_den(held_back, r.station_code, r.parameter, int(r.denominator))
    import_files(engine, edited_last_month(held_back, tmp_path, {(r.station_code, r.parameter): (0, den)}),
                 user="test")
    a = by_id(engine)[action_id]
    # the owner's word says done; the data says not met, and a closed action does not carry over
    assert (a["status"], a["outcome"], a["carry_cycles"]) == ("done", "not_met", 0)


def test_a_station_closed_by_its_due_month_cannot_be_judged(engine, held_back, tmp_path):
    picked = stakes_to_act_on(engine, held_back.basis_month, 1)
    r = picked.iloc[0]
    (action_id,) = make(engine, picked)
    master = pd.read_csv(next(p for p in held_back.master if p.name == "police_stations.csv"), dtype=str)
    master.loc[master["station_code"] == r.station_code, "closed"] = held_back.basis_month
    master_file = tmp_path / "police_stations.csv"
    master.to_csv(master_file, index=False)
    files = edited_last_month(held_back, tmp_path, {}, drop_stations=(r.station_code,))
    import_files(engine, [master_file, *files], user="test")
    a = by_id(engine)[action_id]
    assert (a["outcome"], a["carry_cycles"], a["current_due_month"]) == ("unit_closed", 0, held_back.last_month)


def _following_month(held_back, tmp_path, edits) -> list:
    """The held-back month's rows again as the month after it (the same shape of data)."""
    from metrics.methodology import days_in_month, default_methodology, next_month

    month = next_month(held_back.last_month)
    days = [p.id for p in default_methodology().version_for(month).parameters if p.kind == "days"]
    out = []
    for src in edited_last_month(held_back, tmp_path, edits):
        df = pd.read_csv(src, dtype=str)
        df["month"] = month
        df.loc[df["parameter"].isin(days), "denominator"] = str(days_in_month(month))
        dst = tmp_path / "next" / src.name.replace(held_back.last_month, month)
        dst.parent.mkdir(exist_ok=True)
        df.to_csv(dst, index=False)
        out.append(dst)
    return out
