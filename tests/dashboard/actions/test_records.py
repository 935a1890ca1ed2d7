"""Actions made, changed and read: bad input refused with nothing saved, scope, the version lock, the audit."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from dashboard import actions
from dashboard.actions import ActionConflict, ActionFilters, ActionRefused, NewAction
from dashboard.scope import OutOfScope, Scope
from dashboard.store import Action, audit

HARYANA = Scope("state", "HR", None, "haryana")
KARNAL_SP = Scope("district", "HR", "HR-KNL", "karnal-sp")
NATIONAL = Scope.national("ncrb")
PUNJAB_LIKE = Scope("state", "UP", None, "up-admin")
KARNAL_STATION = "HR-KNL-001"
OTHER_DISTRICT_STATION = "HR-ABL-001"
PARAM = "fir_in_cctns"


def count(engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Action)).scalar_one())


def new(unit=KARNAL_STATION, **kw) -> NewAction:
    values = {"level": "station", "unit_code": unit, "parameter": PARAM,
              "text": "Register the pending FIRs in CCTNS", "owner_kind": "sp"} | kw
    return NewAction(**values)


def test_an_action_copies_its_gap_and_defaults(engine, held_back):
    from dashboard import read

    (i,) = actions.create_actions(engine, HARYANA, [new()])
    a = actions.get_action(engine, HARYANA, i)
    params = read.station_params(engine, held_back.basis_month, KARNAL_STATION, HARYANA)
    row = params[params["parameter"] == PARAM].iloc[0]
    assert (a["gap_numerator"], a["gap_denominator"]) == (row["numerator"], row["denominator"])
    assert a["gap_value"] == pytest.approx(row["value"])
    assert a["basis_month"] == held_back.basis_month
    assert a["due_month"] == held_back.last_month == actions.next_month_to_score(engine.connect())
    assert (a["status"], a["outcome"], a["version"], a["assigned_by"]) == ("open", "pending", 1, "haryana")
    assert a["owner"] == "SP, Karnal" and a["unit_name"] and a["parameter_name"]
    assert a["comments"] == []


@pytest.mark.parametrize(("change", "message"), [
    ({"text": ""}, "the action is empty"),
    ({"text": "  "}, "the action is empty"),
    ({"text": "x" * 501}, "too long (501 characters; at most 500)"),
    ({"text": "Esc\x1bape"}, "control characters"),
    ({"due_month": "2025-05"}, "is already scored"),
    ({"due_month": "2027-01"}, "too far ahead"),
    ({"due_month": "June"}, "must be a month YYYY-MM"),
    ({"unit_code": "HR-KNL-999"}, "there is no station 'HR-KNL-999'"),
    ({"parameter": "no_such_parameter"}, "does not exist"),
    ({"level": "district", "unit_code": "HR-KNL", "parameter": None}, "names the parameter"),
    ({"owner_kind": "boss"}, "the owner must be one of"),
    ({"owner_kind": "sho", "level": "district", "unit_code": "HR-KNL"}, "an SHO owns a police station's"),
    ({"owner_kind": "user", "owner_user": "nobody"}, "there is no active user"),
    ({"forum": "tea"}, "the forum must be one of"),
    ({"review_date": "2020-01-01"}, "within the last year"),
    ({"review_date": "yesterday"}, "YYYY-MM-DD"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_saved(engine, change, message):
    with pytest.raises(ActionRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        actions.create_actions(engine, HARYANA, [new(**change)])
    assert count(engine) == 0


def test_an_owner_outside_the_units_scope_is_refused(engine):
    from dashboard.web.users import create_user

    create_user(engine, "up-admin", "a long enough password 1", role="state", state_code="UP")
    with pytest.raises(ActionRefused, match="cannot see this unit"):
        actions.create_actions(engine, HARYANA, [new(owner_kind="user", owner_user="up-admin")])
    with pytest.raises(ActionRefused, match="cannot see this unit"):  # the Karnal SP cannot own Ambala's
        actions.create_actions(engine, HARYANA, [new(OTHER_DISTRICT_STATION, owner_kind="user",
                                                     owner_user="karnal-sp")])
    (i,) = actions.create_actions(engine, HARYANA, [new(owner_kind="user", owner_user="karnal-sp")])
    assert actions.get_action(engine, HARYANA, i)["owner"] == "karnal-sp"


def test_several_at_once_are_all_or_nothing(engine):
    with pytest.raises(ActionRefused, match="^action 2: the action is empty"):
        actions.create_actions(engine, HARYANA, [new(), new(text=""), new("HR-KNL-002")])
    assert count(engine) == 0
    ids = actions.create_actions(engine, HARYANA, [new(), new("HR-KNL-002"), new(OTHER_DISTRICT_STATION)])
    assert len(ids) == 3 == count(engine)
    with pytest.raises(ActionRefused, match="at most 200"):
        actions.create_actions(engine, HARYANA, [new()] * 201)


def test_who_may_create(engine):
    actions.create_actions(engine, KARNAL_SP, [new()])  # an SP, for a station of their district
    for scope, item in [(KARNAL_SP, new(OTHER_DISTRICT_STATION)),  # another district's station
                        (KARNAL_SP, new(level="district", unit_code="HR-KNL")),  # the district itself
                        (NATIONAL, new()),  # national users read only
                        (PUNJAB_LIKE, new())]:  # another State
        with pytest.raises(OutOfScope):
            actions.create_actions(engine, scope, [item])
    assert count(engine) == 1


def test_who_sees_what(engine):
    knl, abl = actions.create_actions(engine, HARYANA, [new(), new(OTHER_DISTRICT_STATION)])
    (dist,) = actions.create_actions(engine, HARYANA, [new(level="district", unit_code="HR-KNL")])
    (state,) = actions.create_actions(engine, HARYANA, [new(level="state", unit_code="HR", parameter="icjs_courts",
                                                            owner_kind="scrb")])
    assert set(actions.list_actions(engine, HARYANA)["id"]) == {knl, abl, dist, state}
    assert set(actions.list_actions(engine, NATIONAL)["id"]) == {knl, abl, dist, state}
    assert set(actions.list_actions(engine, KARNAL_SP)["id"]) == {knl, dist}  # their district's only
    assert actions.list_actions(engine, PUNJAB_LIKE).empty
    assert actions.get_action(engine, KARNAL_SP, abl) is None
    assert actions.get_action(engine, PUNJAB_LIKE, knl) is None
    assert actions.comments(engine, KARNAL_SP, abl) == [] and actions.history(engine, KARNAL_SP, abl) == []
    assert set(actions.list_actions(engine, HARYANA, ActionFilters(district_code="HR-ABL"))["id"]) == {abl}
    assert set(actions.list_actions(engine, HARYANA, ActionFilters(level="state"))["id"]) == {state}


def test_an_sp_updates_status_and_comments_but_not_a_district_action(engine):
    (station_action,) = actions.create_actions(engine, HARYANA, [new()])
    (district_action,) = actions.create_actions(engine, HARYANA, [new(level="district", unit_code="HR-KNL")])
    done = actions.update_action(engine, KARNAL_SP, station_action, 1, status="done")
    assert (done["status"], done["version"], done["updated_by"]) == ("done", 2, "karnal-sp")
    actions.add_comment(engine, KARNAL_SP, station_action, "12 FIRs entered on 3 June")
    assert [c["text"] for c in actions.comments(engine, HARYANA, station_action)] == ["12 FIRs entered on 3 June"]
    actions.update_action(engine, KARNAL_SP, district_action, 1, status="done")  # status: yes
    with pytest.raises(OutOfScope, match="not its wording"):
        actions.update_action(engine, KARNAL_SP, district_action, 2, text="Something else entirely")
    with pytest.raises(OutOfScope):
        actions.update_action(engine, NATIONAL, station_action, 2, status="open")
    with pytest.raises(OutOfScope):
        actions.add_comment(engine, NATIONAL, station_action, "from Delhi")


def test_dropping_needs_a_reason(engine):
    (i,) = actions.create_actions(engine, HARYANA, [new()])
    with pytest.raises(ActionRefused, match="reason for dropping"):
        actions.update_action(engine, HARYANA, i, 1, status="dropped")
    a = actions.update_action(engine, HARYANA, i, 1, status="dropped", reason="Station merged into Karnal City")
    assert (a["status"], a["status_reason"]) == ("dropped", "Station merged into Karnal City")


def test_the_second_of_two_concurrent_edits_is_refused_with_who_and_when(engine):
    (i,) = actions.create_actions(engine, HARYANA, [new()])
    read_by_both = actions.get_action(engine, HARYANA, i)["version"]
    actions.update_action(engine, HARYANA, i, read_by_both, text="Enter the 35 pending FIRs by the 20th",
                          actor="sp-office")
    with pytest.raises(ActionConflict, match=r"changed by sp-office at \d{1,2} \w+ \d{4}, \d\d:\d\d IST") as refused:
        actions.update_action(engine, KARNAL_SP, i, read_by_both, status="done")
    assert refused.value.latest["text"] == "Enter the 35 pending FIRs by the 20th"
    assert refused.value.latest["version"] == read_by_both + 1
    a = actions.get_action(engine, HARYANA, i)
    assert (a["status"], a["version"]) == ("open", 2)  # nothing of the refused save


def test_every_change_is_audited_with_before_and_after(engine):
    (i,) = actions.create_actions(engine, HARYANA, [new()])
    actions.update_action(engine, HARYANA, i, 1, text="Enter the 35 pending FIRs", due_month="2025-08")
    events = {e.action: json.loads(e.detail) for e in audit.list_events(engine, limit=20)
              if e.action.startswith("action_")}
    assert events["action_create"]["after"]["text"] == "Register the pending FIRs in CCTNS"
    upd = events["action_update"]
    assert upd["before"]["text"] == "Register the pending FIRs in CCTNS"
    assert upd["after"]["text"] == "Enter the 35 pending FIRs"
    assert (upd["before"]["due_month"], upd["after"]["due_month"]) == ("2025-06", "2025-08")
    kinds = [e["kind"] for e in actions.history(engine, HARYANA, i)]
    assert kinds[:2] == ["action_create", "action_update"]


def test_hostile_text_is_kept_verbatim_and_never_interpreted(engine):
    text = '=HYPERLINK("http://evil.example/?x=1","click me") <script>alert(1)</script>'
    (i,) = actions.create_actions(engine, HARYANA, [new(text=text)])
    assert actions.get_action(engine, HARYANA, i)["text"] == text  # stored as typed; outputs make it inert
