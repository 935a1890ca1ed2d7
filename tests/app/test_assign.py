"""The assign dialog: the request cleaner, the dialog's presets (the parameter with most marks at stake, the
product's wording, the SP, the next month to be scored), and over HTTP: actions made from the lagging page's
selection, bad input refused with a message and nothing saved, out-of-scope and national requests refused
and audited."""

from __future__ import annotations

from action_support import (
    DISTRICT,
    MONTH,
    NEXT,
    OTHER_DISTRICT,
    STATE,
    assign_from_lagging,
    count_actions,
    lagging_codes,
    open_dialog,
    save_dialog,
    violations,
)
from unit_pages_support import text_of

from callbacks import assign as cb
from dashboard import actions, display, read
from dashboard.scope import Scope
from layouts import assign as lay
from layouts.action_parts import assign_button
from layouts.assign import TOP


def test_request_is_cleaned_to_codes():
    assert cb.clean_request({"stations": ["mn-iwt-001", "MN-IWT-001", "<b>", 3], "month": "2025-06"}) == \
        {"stations": ["MN-IWT-001"], "month": "2025-06", "scheme": None}
    assert cb.clean_request({"stations": "MN-A,MN-B", "scheme": "itsso"}) == \
        {"stations": ["MN-A", "MN-B"], "month": None, "scheme": "itsso"}
    for bad in (None, [], {"stations": []}, {"stations": {"a": 1}}, {"stations": ["' OR 1=1"]}, "MN-A"):
        assert cb.clean_request(bad) is None
    assert len(cb.clean_request({"stations": [f"S{i}" for i in range(500)]})["stations"]) == 201


def test_owner_values():
    assert cb.owner_of("sp") == ("sp", None)
    assert cb.owner_of("user:mn-admin") == ("user", "mn-admin")
    assert cb.owner_of(None) == ("", None)


def test_dialog_ids_are_stable():
    assert (lay.ids.MODAL, lay.ids.REQUEST, lay.ids.SAVE, lay.ids.CHANGED) == \
        ("assign-modal", "assign-request", "assign-save", "actions-changed")
    button = assign_button(["MN-IWT-001", "MN-IWT-002"], month=MONTH).to_plotly_json()["props"]
    assert button["data-assign"] == "MN-IWT-001,MN-IWT-002" and button["data-month"] == MONTH


def test_one_station_is_preset_with_its_largest_stake_and_the_one_wording(loop):
    code = lagging_codes(loop.engine, DISTRICT, 1)[0]
    out = open_dialog(loop.clients["mn-admin"], [code])
    stakes = read.lagging_stakes(loop.engine, MONTH, code, Scope.national())
    top = stakes.sort_values(["at_stake_state", "parameter"], ascending=[False, True]).iloc[0]
    version = read.version_for(loop.engine, MONTH)
    p = next(x for x in version.parameters if x.id == top["parameter"])
    assert out[lay.ids.MODAL]["is_open"] is True
    assert out[lay.ids.PARAMETER]["value"] == top["parameter"]
    assert out[lay.ids.TEXT]["value"] == display.action_words(p, p.name, int(top["numerator"]),
                                                              int(top["denominator"]), int(top["numerator_needed"]),
                                                              float(top["at_stake_state"]))
    assert out[lay.ids.OWNER]["value"] == "sp" and out[lay.ids.DUE]["value"] == NEXT
    assert out[lay.ids.FORUM]["value"] == "state_review"
    assert out[lay.ids.CONTEXT]["data"] == {"stations": [code], "month": MONTH, "scheme": "cctns"}
    assert {"value": "user:iwt-sp", "label": "iwt-sp (district SP)"} in out[lay.ids.OWNER]["options"]


def test_an_sp_is_preset_to_the_district_meeting_and_district_marks(loop):
    code = lagging_codes(loop.engine, DISTRICT, 1)[0]
    out = open_dialog(loop.clients["iwt-sp"], [code])
    assert out[lay.ids.FORUM]["value"] == "district_meeting"
    stake = read.lagging_stakes(loop.engine, MONTH, code, Scope.national()).sort_values(
        ["at_stake_state", "parameter"], ascending=[False, True]).iloc[0]
    assert f"worth +{float(stake['at_stake_district']):.3f}" in out[lay.ids.TEXT]["value"]


def test_create_from_the_lagging_selection(loop):
    codes = lagging_codes(loop.engine, None, 3)
    client = loop.clients["mn-admin"]
    request = assign_from_lagging(client, codes)[lay.ids.REQUEST]["data"]
    assert request["stations"] == codes and request["month"] == MONTH
    dialog = open_dialog(client, request["stations"], request["month"])
    assert dialog[lay.ids.PARAMETER]["value"] == TOP and dialog[lay.ids.TITLE]["children"] == "Assign 3 actions"
    preview = text_of(dialog[lay.ids.PREVIEW]["children"])
    before = count_actions(loop.engine)
    out = save_dialog(client, dialog[lay.ids.CONTEXT]["data"])
    assert out[lay.ids.MODAL]["is_open"] is False and out[lay.ids.RESULT]["is_open"] is True
    assert "3 actions assigned" in text_of(out[lay.ids.RESULT_BODY]["children"])
    assert out[lay.ids.CHANGED]["data"] == 1
    assert count_actions(loop.engine) == before + 3
    made = actions.list_actions(loop.engine, Scope.national(), actions.ActionFilters(state_code=STATE))
    made = made[made["unit_code"].isin(codes)].sort_values("id").tail(3)
    for r in made.itertuples():  # each station's own largest stake, in the wording the preview showed
        stakes = read.lagging_stakes(loop.engine, MONTH, r.unit_code, Scope.national())
        top = stakes.sort_values(["at_stake_state", "parameter"], ascending=[False, True]).iloc[0]
        assert r.parameter == top["parameter"] and r.text in preview
        assert (r.owner_kind, r.due_month, r.basis_month, r.assigned_by) == ("sp", NEXT, MONTH, "mn-admin")
        assert (r.gap_numerator, r.gap_denominator) == (top["numerator"], top["denominator"])


def test_typed_text_is_given_to_every_station(loop):
    codes = lagging_codes(loop.engine, DISTRICT, 2)
    client = loop.clients["iwt-sp"]
    context = open_dialog(client, codes)[lay.ids.CONTEXT]["data"]
    save_dialog(client, context, text="  Clear the pending charge-sheets by the 20th  ", owner="user:iwt-sp",
                forum="district_meeting")
    rows = actions.list_actions(loop.engine, Scope.national()).sort_values("id").tail(2)
    assert set(rows["text"]) == {"Clear the pending charge-sheets by the 20th"}
    assert set(rows["owner_user"]) == {"iwt-sp"} and set(rows["forum"]) == {"district_meeting"}


def test_bad_input_is_refused_with_a_message_and_nothing_saved(loop):
    code = lagging_codes(loop.engine, DISTRICT, 1)[0]
    client = loop.clients["mn-admin"]
    context = open_dialog(client, [code])[lay.ids.CONTEXT]["data"]
    before = count_actions(loop.engine)
    cases = {
        "is already scored": {"due": MONTH},
        "too far ahead": {"due": "2027-01"},
        "is too short": {"text": "ab"},
        "the forum must be one of": {"forum": "tea party"},
        "the owner must be one of": {"owner": "the-minister"},
        "there is no active user": {"owner": "user:nobody"},
        "the review date must be": {"review_date": "not a date"},
    }
    for words, change in cases.items():
        out = save_dialog(client, context, **change)
        assert lay.ids.MODAL not in out, change  # the dialog stays open
        assert "Not saved" in text_of(out[lay.ids.ERROR]["children"]) and words in \
            text_of(out[lay.ids.ERROR]["children"]), (change, text_of(out[lay.ids.ERROR]["children"]))
    out = save_dialog(client, None)
    assert "Nothing to assign" in text_of(out[lay.ids.ERROR]["children"])
    assert count_actions(loop.engine) == before


def test_an_sp_may_not_assign_in_another_district(loop):
    client = loop.clients["iwt-sp"]
    other = lagging_codes(loop.engine, OTHER_DISTRICT, 1)
    before, audited = count_actions(loop.engine), violations(loop.engine, "iwt-sp")
    out = open_dialog(client, other)
    assert out[lay.ids.FIELDS]["style"] == {"display": "none"} and out[lay.ids.SAVE]["disabled"] is True
    assert "may not assign" in text_of(out[lay.ids.ERROR]["children"])
    from layouts.action_parts import refused  # noqa: F401 - the message is the only content

    names = set(read.lagging(loop.engine, MONTH, Scope.national(), STATE, OTHER_DISTRICT)["station_name"])
    assert not [n for n in names if n in text_of(out)]
    out = save_dialog(client, {"stations": other, "month": MONTH})  # a crafted save
    assert "may not assign" in text_of(out[lay.ids.ERROR]["children"])
    assert count_actions(loop.engine) == before
    assert violations(loop.engine, "iwt-sp") == audited + 2


def test_national_users_are_read_only_and_audited(loop):
    codes = lagging_codes(loop.engine, DISTRICT, 1)
    before, audited = count_actions(loop.engine), violations(loop.engine, "ncrb")
    out = open_dialog(loop.clients["ncrb"], codes)
    assert "do not assign" in text_of(out[lay.ids.ERROR]["children"])
    out = save_dialog(loop.clients["ncrb"], {"stations": codes, "month": MONTH})
    assert "may not assign" in text_of(out[lay.ids.ERROR]["children"])
    assert count_actions(loop.engine) == before and violations(loop.engine, "ncrb") == audited + 2


def test_another_states_user_gets_nothing(loop):
    out = open_dialog(loop.clients["haryana"], lagging_codes(loop.engine, DISTRICT, 2))
    assert out[lay.ids.FIELDS]["style"] == {"display": "none"}
    names = set(read.lagging(loop.engine, MONTH, Scope.national(), STATE)["station_name"])
    assert not [n for n in names if n in text_of(out)]


def test_the_lagging_button_is_for_those_who_may_assign(loop):
    from app_http_support import call

    from layouts.lagging import ids as lag

    outputs = [(lag.ASSIGN, "children"), (lag.ASSIGN, "disabled"), (lag.ASSIGN_BOX, "style"),
               (lag.TABLE, "dashGridOptions")]
    resolved = {"month": MONTH, "state": STATE, "district": None}
    picked = [{"station_code": c} for c in lagging_codes(loop.engine, None, 2)]
    out = call(loop.clients["mn-admin"], outputs, [(lag.RESOLVED, "data", resolved), (lag.TABLE, "selectedRows", picked)])
    assert out[lag.ASSIGN] == {"children": "Assign selected (2)", "disabled": False}
    assert out[lag.ASSIGN_BOX]["style"] == {}
    ops = out[lag.TABLE]["dashGridOptions"]["operations"]
    assert ops[0]["location"] == ["rowSelection"] and ops[0]["params"]["value"]["mode"] == "multiRow"
    for user in ("ncrb", "haryana"):
        out = call(loop.clients[user], outputs, [(lag.RESOLVED, "data", resolved), (lag.TABLE, "selectedRows", [])])
        assert out[lag.ASSIGN_BOX]["style"] == {"display": "none"}
        assert out[lag.TABLE]["dashGridOptions"]["operations"][0]["params"]["value"]["mode"] == "singleRow"


def test_an_itsso_action_end_to_end(loop):
    """An action on ITSSO's parameter (issue 13): the lagging page's ITSSO selection opens the dialog on
    ITSSO's parameter and marks at stake, the action is made with ITSSO's gap, listed with its name, and
    judged by ITSSO's results."""
    lag = read.lagging_list(loop.engine, MONTH, Scope.national(), STATE, scheme="itsso")
    code = lag[~lag["not_reported"]]["station_code"].iloc[0]
    stake = read.lagging_stakes(loop.engine, MONTH, code, Scope.national(), scheme="itsso").iloc[0]
    client = loop.clients["mn-admin"]
    request = assign_from_lagging(client, [code], scheme="itsso")[lay.ids.REQUEST]["data"]
    assert request["scheme"] == "itsso"
    out = open_dialog(client, request["stations"], request["month"], scheme=request["scheme"])
    assert [o["value"] for o in out[lay.ids.PARAMETER]["options"]] == ["itsso_within_60_days"]
    assert out[lay.ids.PARAMETER]["value"] == "itsso_within_60_days"
    assert "more needed" in out[lay.ids.TEXT]["value"]
    assert out[lay.ids.CONTEXT]["data"]["scheme"] == "itsso"
    save_dialog(loop.clients["mn-admin"], out[lay.ids.CONTEXT]["data"], parameter="itsso_within_60_days")
    made = actions.list_actions(loop.engine, Scope.national(), actions.ActionFilters(state_code=STATE))
    row = made[made["unit_code"] == code].sort_values("id").iloc[-1]
    assert row["parameter"] == "itsso_within_60_days"
    assert row["parameter_name"] == "Sexual-offence investigations completed within 60 days"
    assert (row["gap_numerator"], row["gap_denominator"]) == (stake["numerator"], stake["denominator"])
    assert abs(float(row["gap_at_stake"]) - float(stake["at_stake_state"])) < 1e-9
    # judged by ITSSO's figures: the facts of the month it was made on are ITSSO's
    with loop.engine.connect() as conn:
        from dashboard.actions.facts import month_facts, stored_methodologies

        facts = month_facts(conn, MONTH, stored_methodologies(conn), [("station", code, "itsso_within_60_days")])
    f = facts[("station", code, "itsso_within_60_days")]
    assert f.parameter_exists and (f.numerator, f.denominator) == (stake["numerator"], stake["denominator"])


def test_a_station_not_lagging_is_preset_with_the_parameter_it_lost_most_marks_on(loop):
    """Rule 11 gives marks at stake to lagging stations only; a station that is not lagging but lost marks is
    preset with the parameter it lost most on, worded without a worth (none is known)."""
    national = Scope.national()
    lagging = set(read.lagging(loop.engine, MONTH, national, "HR", None, worded=False)["station_code"])
    candidates = [(code, read.station_params(loop.engine, MONTH, code, national))
                  for code in read.stations_table(loop.engine, MONTH, "HR-KNL", national)["unit_code"]
                  if code not in lagging]
    code, values = next((c, v) for c, v in candidates if (v["marks_lost"].fillna(0) > 0).any())
    lost = values[values["marks_lost"].fillna(0) > 0]
    top = lost.sort_values(["marks_lost", "parameter"], ascending=[False, True]).iloc[0]
    out = open_dialog(loop.clients["haryana"], [code])
    assert out[lay.ids.MODAL]["is_open"] is True and out[lay.ids.PARAMETER]["value"] == top["parameter"]
    p = next(x for x in read.version_for(loop.engine, MONTH).parameters if x.id == top["parameter"])
    assert out[lay.ids.TEXT]["value"] == f"{p.name}: reach the target"
