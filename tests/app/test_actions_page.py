"""The actions page and the unit panels: the URL's filters, "My actions" for an SP (their district only), the
State's actions for its users, national read only; opening an action; over HTTP: a concurrent edit refused
with the latest version shown and the typed text kept, an SP marking done and commenting but not rewording a
State's action, out-of-scope requests refused and audited; typed text stays inert."""

from __future__ import annotations

import pytest
from action_support import (
    DISTRICT,
    MONTH,
    NEXT,
    OTHER_DISTRICT,
    SCOPES,
    STATE,
    call,
    lagging_codes,
    save_action,
    violations,
)
from unit_pages_support import text_of

from callbacks import action_panels as panels
from callbacks import actions as cb
from callbacks import common
from dashboard import actions, read
from dashboard.scope import Scope
from layouts import actions as lay
from layouts.action_parts import data_text, gap_text, grid_rows

SCRIPT = "<script>alert('x')</script> =HYPERLINK(\"http://evil\")"


@pytest.fixture(scope="module")
def made(loop) -> dict[str, int]:
    """Actions in two districts of MN: station actions by the State and the SP, a district-level one by the
    State (the SP may not reword it), and one with markup-looking text."""
    iwt = lagging_codes(loop.engine, DISTRICT, 2)
    iet = lagging_codes(loop.engine, OTHER_DISTRICT, 1)
    stakes = read.unit_stakes(loop.engine, MONTH, Scope.national(), STATE, DISTRICT)
    param = stakes.iloc[0]["parameter"]
    state, sp = SCOPES["mn-admin"], SCOPES["iwt-sp"]
    ids = {}
    ids["iwt"], = actions.create_actions(loop.engine, state, [actions.NewAction(
        "station", iwt[0], param, "Enter the pending records", "sp")])
    ids["iet"], = actions.create_actions(loop.engine, state, [actions.NewAction(
        "station", iet[0], None, "Get the station off the lagging list", "sho")])
    ids["district"], = actions.create_actions(loop.engine, state, [actions.NewAction(
        "district", DISTRICT, param, "Bring the district to target on this parameter", "sp")])
    ids["sp_own"], = actions.create_actions(loop.engine, sp, [actions.NewAction(
        "station", iwt[1], param, SCRIPT, "sho", forum="district_meeting")])
    return ids


def as_user(monkeypatch, sc: Scope) -> None:
    for module in (cb, common):
        monkeypatch.setattr(module, "scope", lambda sc=sc: sc)


def page(loop, monkeypatch, sc: Scope, query: dict) -> dict:
    as_user(monkeypatch, sc)
    with loop.app.server.test_request_context("/_dash-update-component", method="POST"):
        return dict(zip(cb.PAGE_OUTPUTS, cb.update_page(lay.clean_query(**query), 0), strict=True))


def test_query_keeps_only_wellformed_values():
    q = lay.clean_query(state="mn", district="mn-iwt", owner="IWT-SP", status="bogus", due="2025-13",
                        overdue="1", action="12x", parameter="<b>")
    assert q == {"month": None, "state": "MN", "district": "MN-IWT", "owner": "iwt-sp", "status": None,
                 "due": None, "parameter": None, "overdue": "1", "action": None}
    store = lay.layout(status="done", action="7").children[0]
    assert store.id == lay.ids.QUERY and store.data["status"] == "done" and store.data["action"] == "7"


def test_words_of_the_gap_and_the_data():
    assert gap_text(12, 40) == "12 of 40, 30.0%"
    assert gap_text(None, None, 64.2, has_parameter=False) == "score 64.20"
    assert data_text({"outcome": "pending", "current_due_month": "2025-07"}) == "Pending: Jul 2025 not scored yet"
    assert data_text({"outcome": "partly_met", "parameter": "p", "now_numerator": 30, "now_denominator": 40,
                      "outcome_month": "2025-07"}) == "Partly met: 30 of 40, 75.0% (Jul 2025)"
    row = grid_rows([{"id": 3, "level": "station", "unit_name": "A", "district_name": "B", "parameter": None,
                      "gap_value": 50.0, "text": "t", "owner": "o", "due_month": "2025-07",
                      "current_due_month": "2025-08", "carry_cycles": 1, "status": "open", "outcome": "not_met",
                      "now_value": 55.0, "outcome_month": "2025-07", "comment_count": 2, "overdue": True}])[0]
    assert row["key"] == "3" and row["unit"] == "A, B" and row["parameter_name"] == "Station score"
    assert row["due"] == "Jul 2025 · carried over 1× (now Aug 2025)" and row["comments"] == 2


def test_an_sp_sees_my_actions_of_their_district_only(loop, made, monkeypatch):
    out = page(loop, monkeypatch, SCOPES["iwt-sp"], {})
    assert out[(lay.ids.TITLE, "children")] == "My actions"
    rows = out[(lay.ids.TABLE, "rowData")]
    assert {made["iwt"], made["district"], made["sp_own"]} <= {r["id"] for r in rows}
    assert made["iet"] not in {r["id"] for r in rows}
    assert {r["district_code"] for r in rows} == {DISTRICT}
    assert out[(lay.ids.STATE, "disabled")] and out[(lay.ids.DISTRICT, "disabled")]
    dues = [r["due_month"] for r in rows]
    assert dues == sorted(dues)  # due first


def test_an_sp_asking_for_another_district_is_refused(loop, made, monkeypatch):
    out = page(loop, monkeypatch, SCOPES["iwt-sp"], {"district": OTHER_DISTRICT})
    assert out[(lay.ids.TABLE, "rowData")] == [] and out[(lay.ids.TABLE_CARD, "style")] == {"display": "none"}
    assert "outside what your account may see" in text_of(out[(lay.ids.NOTICE, "children")])


def test_state_users_see_their_state_and_filters(loop, made, monkeypatch):
    out = page(loop, monkeypatch, SCOPES["mn-admin"], {})
    ids = {r["id"] for r in out[(lay.ids.TABLE, "rowData")]}
    assert set(made.values()) <= ids
    assert out[(lay.ids.TITLE, "children")] == "Actions" and out[(lay.ids.STATE, "value")] == STATE
    out = page(loop, monkeypatch, SCOPES["mn-admin"], {"district": OTHER_DISTRICT})
    assert {r["id"] for r in out[(lay.ids.TABLE, "rowData")]} & set(made.values()) == {made["iet"]}
    out = page(loop, monkeypatch, SCOPES["mn-admin"], {"owner": "sho", "status": "open", "due": NEXT})
    rows = out[(lay.ids.TABLE, "rowData")]
    assert rows and {r["owner"].split(",")[0] for r in rows} == {"SHO"}
    assert out[(lay.ids.OWNER, "value")] == "sho" and "Showing" in out[(lay.ids.NOTE, "children")]
    assert page(loop, monkeypatch, SCOPES["mn-admin"], {"overdue": "1"})[(lay.ids.TABLE, "rowData")] == []


def test_another_state_and_national(loop, made, monkeypatch):
    out = page(loop, monkeypatch, SCOPES["haryana"], {"state": STATE})
    assert "outside what your account may see" in text_of(out[(lay.ids.NOTICE, "children")])
    out = page(loop, monkeypatch, SCOPES["haryana"], {})
    assert not {r["id"] for r in out[(lay.ids.TABLE, "rowData")]} & set(made.values())
    out = page(loop, monkeypatch, SCOPES["ncrb"], {})
    assert "Pick a State/UT" in text_of(out[(lay.ids.NOTICE, "children")])
    out = page(loop, monkeypatch, SCOPES["ncrb"], {"state": STATE})
    assert set(made.values()) <= {r["id"] for r in out[(lay.ids.TABLE, "rowData")]}
    assert "Read only" in out[(lay.ids.NOTE, "children")] and not out[(lay.ids.STATE, "disabled")]


def test_opening_an_action_shows_the_forms_the_user_may_use(loop, made, monkeypatch):
    with loop.app.server.test_request_context("/_dash-update-component", method="POST"):
        monkeypatch.setattr(cb, "engine", lambda: loop.engine)
        state = dict(zip(cb.OPEN_OUTPUTS, cb._open(made["district"], SCOPES["mn-admin"]), strict=True))
        sp = dict(zip(cb.OPEN_OUTPUTS, cb._open(made["district"], SCOPES["iwt-sp"]), strict=True))
        national = dict(zip(cb.OPEN_OUTPUTS, cb._open(made["district"], SCOPES["ncrb"]), strict=True))
        other = dict(zip(cb.OPEN_OUTPUTS, cb._open(made["iet"], SCOPES["iwt-sp"]), strict=True))
    hidden = {"display": "none"}
    assert state[(lay.ids.EDIT_FORM, "style")] == {} and state[(lay.ids.STATUS_FORM, "style")] == {}
    assert sp[(lay.ids.STATUS_FORM, "style")] == {} and sp[(lay.ids.COMMENT_FORM, "style")] == {}
    assert sp[(lay.ids.EDIT_FORM, "style")] == hidden  # a State's direction about the district
    assert all(national[(f, "style")] == hidden for f in (lay.ids.STATUS_FORM, lay.ids.COMMENT_FORM, lay.ids.EDIT_FORM))
    assert "Read only" in text_of(national[(lay.ids.MESSAGE, "children")])
    assert other[(lay.ids.OPENED, "data")] is None and "no action" in text_of(other[(lay.ids.MESSAGE, "children")])
    assert "Bring the district to target" in text_of(state[(lay.ids.DETAILS, "children")])
    assert state[(lay.ids.OPENED, "data")]["version"] >= 1
    assert "Assigned" in text_of(state[(lay.ids.HISTORY, "children")])


def test_typed_text_is_inert(loop, made, monkeypatch):
    with loop.app.server.test_request_context("/_dash-update-component", method="POST"):
        monkeypatch.setattr(cb, "engine", lambda: loop.engine)
        out = dict(zip(cb.OPEN_OUTPUTS, cb._open(made["sp_own"], SCOPES["iwt-sp"]), strict=True))
    details = out[(lay.ids.DETAILS, "children")]
    quote = details.children[0]
    assert quote.children == SCRIPT  # a plain string child: Dash renders it as text
    assert "dangerouslySetInnerHTML" not in text_of(details)


def test_sp_marks_done_and_comments_but_may_not_reword_a_states_action(loop, made):
    client = loop.clients["iwt-sp"]
    a = actions.get_action(loop.engine, SCOPES["iwt-sp"], made["district"])
    opened = {"id": a["id"], "version": int(a["version"])}
    audited = violations(loop.engine, "iwt-sp")
    out = save_action(client, "edit", opened, text="Something else entirely", owner="sp", due=NEXT)
    assert "not its wording" in text_of(out[lay.ids.MESSAGE]["children"])
    assert violations(loop.engine, "iwt-sp") == audited + 1
    out = save_action(client, "comment", opened, comment="Two operators posted to the PS from Monday")
    assert "Comment added" in text_of(out[lay.ids.MESSAGE]["children"]) and out[lay.ids.COMMENT]["value"] == ""
    assert "Two operators posted" in text_of(out[lay.ids.COMMENTS]["children"])
    out = save_action(client, "status", opened, status="done", reason="records entered")
    assert "Status saved: Done" in text_of(out[lay.ids.MESSAGE]["children"])
    after = actions.get_action(loop.engine, SCOPES["mn-admin"], made["district"])
    assert (after["status"], after["text"], after["status_reason"]) == ("done", a["text"], "records entered")
    assert out[lay.ids.OPENED]["data"] == {"id": a["id"], "version": int(after["version"])}
    assert "Done" in text_of(out[lay.ids.HISTORY]["children"])


def test_a_concurrent_edit_is_refused_with_the_latest_version_and_the_typed_text_kept(loop, made):
    a = actions.get_action(loop.engine, SCOPES["mn-admin"], made["iwt"])
    seen = {"id": a["id"], "version": int(a["version"])}  # both opened the action at this version
    out = save_action(loop.clients["iwt-sp"], "status", seen, status="escalated", reason="needs the IG's help")
    assert "Status saved" in text_of(out[lay.ids.MESSAGE]["children"])
    typed = "Enter the pending records and report every Friday"
    out = save_action(loop.clients["mn-admin"], "edit", seen, text=typed, owner="sp", due=NEXT)
    message = text_of(out[lay.ids.MESSAGE]["children"])
    assert "changed by iwt-sp at" in message and "still in the form" in message
    latest = actions.get_action(loop.engine, SCOPES["mn-admin"], made["iwt"])
    assert latest["text"] == a["text"] and latest["status"] == "escalated"
    assert out[lay.ids.OPENED]["data"] == {"id": a["id"], "version": int(latest["version"])}
    assert "Escalated" in text_of(out[lay.ids.DETAILS]["children"])
    assert lay.ids.EDIT_TEXT not in out  # the typed text is left in the field
    # saved again against the latest version: it goes through
    out = save_action(loop.clients["mn-admin"], "edit", out[lay.ids.OPENED]["data"], text=typed, owner="sp", due=NEXT)
    assert "Changes saved" in text_of(out[lay.ids.MESSAGE]["children"])
    assert actions.get_action(loop.engine, SCOPES["mn-admin"], made["iwt"])["text"] == typed


def test_bad_changes_are_refused_with_a_message(loop, made):
    a = actions.get_action(loop.engine, SCOPES["mn-admin"], made["iet"])
    opened = {"id": a["id"], "version": int(a["version"])}
    out = save_action(loop.clients["mn-admin"], "status", opened, status="dropped", reason="")
    assert "reason for dropping" in text_of(out[lay.ids.MESSAGE]["children"])
    out = save_action(loop.clients["mn-admin"], "comment", opened, comment="   ")
    assert "comment is empty" in text_of(out[lay.ids.MESSAGE]["children"])
    out = save_action(loop.clients["mn-admin"], "edit", opened, text=a["text"], owner="sho", due=MONTH)
    assert "already scored" in text_of(out[lay.ids.MESSAGE]["children"])
    assert actions.get_action(loop.engine, SCOPES["mn-admin"], made["iet"])["version"] == a["version"]


def test_out_of_scope_and_national_changes_are_refused_and_audited(loop, made):
    a = actions.get_action(loop.engine, SCOPES["mn-admin"], made["iet"])
    opened = {"id": a["id"], "version": int(a["version"])}
    for user, words in (("iwt-sp", "no action"), ("haryana", "no action"), ("ncrb", "National users")):
        before = violations(loop.engine, user)
        out = save_action(loop.clients[user], "status", opened, status="done")
        assert words in text_of(out[lay.ids.MESSAGE]["children"]), user
        out = save_action(loop.clients[user], "comment", opened, comment="crafted")
        if user == "ncrb":
            assert violations(loop.engine, "ncrb") == before + 2
    assert actions.get_action(loop.engine, SCOPES["mn-admin"], made["iet"])["version"] == a["version"]
    assert not actions.comments(loop.engine, SCOPES["mn-admin"], made["iet"])


def test_the_page_over_http_and_its_deep_link(loop, made):
    outputs = [(i, p) for i, p in cb.PAGE_OUTPUTS]
    out = call(loop.clients["iwt-sp"], outputs, [(lay.ids.QUERY, "data", lay.clean_query(district=OTHER_DISTRICT)),
                                                 ("actions-changed", "data", 0)])
    assert "outside what your account may see" in text_of(out[lay.ids.NOTICE]["children"])
    open_outputs = [(i, p) for i, p in cb.OPEN_OUTPUTS]
    out = call(loop.clients["mn-admin"], open_outputs, [
        (lay.ids.TABLE, "cellClicked", None), (lay.ids.TABLE, "selectedRows", None),
        (lay.ids.QUERY, "data", lay.clean_query(action=str(made["iwt"])))], changed=[f"{lay.ids.QUERY}.data"])
    assert out[lay.ids.PANEL]["is_open"] is True and out[lay.ids.OPENED]["data"]["id"] == made["iwt"]
    out = call(loop.clients["mn-admin"], open_outputs, [
        (lay.ids.TABLE, "cellClicked", {"rowId": str(made["iet"]), "colId": "text"}),
        (lay.ids.TABLE, "selectedRows", None), (lay.ids.QUERY, "data", lay.clean_query())],
        changed=[f"{lay.ids.TABLE}.cellClicked"])
    assert out[lay.ids.OPENED]["data"]["id"] == made["iet"]


def test_nav_label(loop):
    out = call(loop.clients["iwt-sp"], [("shell-nav-actions", "children")], [("url", "pathname", "/")])
    assert out["shell-nav-actions"]["children"] == "My actions"
    out = call(loop.clients["mn-admin"], [("shell-nav-actions", "children")], [("url", "pathname", "/")])
    assert out["shell-nav-actions"]["children"] == "Actions"


# --- the panels on the State, district and station pages ----------------------------------------------------


def panel(loop, monkeypatch, sc: Scope, fn, query: dict):
    monkeypatch.setattr(common, "scope", lambda: sc)
    with loop.app.server.test_request_context("/_dash-update-component", method="POST"):
        return fn(query, 0)


def test_state_panel_tallies_by_district(loop, made, monkeypatch):
    out = text_of(panel(loop, monkeypatch, SCOPES["mn-admin"], panels.state_panel,
                        {"state_code": STATE, "month": MONTH}))
    assert "By district" in out and "Imphal West" in out and "Imphal East" in out and "Open the actions" in out
    assert "outside" not in out and "Not available" not in text_of(out)
    other = text_of(panel(loop, monkeypatch, SCOPES["haryana"], panels.state_panel,
                          {"state_code": STATE, "month": MONTH}))
    assert "Not available" in other and "Enter the pending records" not in other


def test_district_and_station_panels_with_assign_where_allowed(loop, made, monkeypatch):
    q = {"district_code": DISTRICT, "month": MONTH}
    sp = text_of(panel(loop, monkeypatch, SCOPES["iwt-sp"], panels.district_panel, q))
    codes = lagging_codes(loop.engine, DISTRICT, 200)
    assert f'"data-assign": "{",".join(codes)}"' in sp and "Bring the district to target" in sp
    national = text_of(panel(loop, monkeypatch, SCOPES["ncrb"], panels.district_panel, q))
    assert "data-assign" not in national and "Bring the district to target" in national
    other = text_of(panel(loop, monkeypatch, SCOPES["iwt-sp"], panels.district_panel,
                          {"district_code": OTHER_DISTRICT, "month": MONTH}))
    assert "Not available" in other and "Get the station off" not in other
    station = lagging_codes(loop.engine, DISTRICT, 1)[0]
    out = text_of(panel(loop, monkeypatch, SCOPES["mn-admin"], panels.station_panel,
                        {"station_code": station, "month": MONTH}))
    assert f'"data-assign": "{station}"' in out and "Enter the pending records" in out
