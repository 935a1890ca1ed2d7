"""Headless Chromium, the review loop end to end (issue 11), on an app of its own (a copy of the held-back demo):

a Manipur State user ticks three lagging stations of Imphal West on the lagging page and assigns them; the
district's SP signs in, finds them under "My actions", comments on one and marks it done; the next month is
imported; the actions page shows what the data says of each (met / partly met / not met), the unmet ones carry
over, and the deck opens with the tally. Each step at 1366x768, the SP's pages also on a 390x844 phone.

Screenshots go to $CCTNS_SHOTS_DIR when it is set (not into the repository).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from browser_support import CHROMIUM, BrowserGuard, grid_rows, settle
from live_server import serve
from playwright.sync_api import Page, expect
from test_operations import shot, sign_in

from dashboard import actions
from dashboard.display import outcome_words
from dashboard.scope import Scope

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

STATE, DISTRICT = "MN", "MN-IWT"
PASSWORD = "Loop-browser-password-42"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def loop(held_back, tmp_path_factory) -> Iterator[dict]:
    from app import create_app
    from dashboard.config import load_settings
    from dashboard.store.db import get_engine
    from dashboard.web.users import create_user

    folder = tmp_path_factory.mktemp("loop-app")
    db = folder / "loop.sqlite3"
    shutil.copy(held_back.base_db, db)
    url = f"sqlite:///{db}"
    engine = get_engine(url)
    create_user(engine, "mn-admin", PASSWORD, role="state", state_code=STATE)
    create_user(engine, "iwt-sp", PASSWORD, role="district", state_code=STATE, district_code=DISTRICT)
    settings = load_settings({"CCTNS_DATABASE_URL": url, "CCTNS_INSTANCE_DIR": str(folder / "instance"),
                              "CCTNS_SECRET_KEY": "loop-browser-test-secret-key-0123456789abcdef"})
    app = create_app(settings)

    with serve(app.server) as base:
        yield {"base": base, "engine": engine, "held_back": held_back}


@pytest.fixture
def new_page(request, browser, loop):
    guard = BrowserGuard("127.0.0.1")
    request.node.browser_guard = guard
    contexts = []

    def make(viewport: dict) -> Page:
        ctx = browser.new_context(base_url=loop["base"], viewport=viewport)
        ctx.set_default_timeout(45_000)
        ctx.on("page", guard.watch)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_assign_follow_up_and_judge(loop, new_page):
    engine, held = loop["engine"], loop["held_back"]
    month = held.basis_month

    # 1. the State user ticks three lagging stations of the district and assigns them
    admin = new_page(DESKTOP)
    sign_in(admin, "mn-admin", PASSWORD)
    admin.goto(f"/lagging?month={month}&state={STATE}&district={DISTRICT}")
    admin.wait_for_function("() => { try { return !!window.dash_ag_grid.getApi('lagging-table'); } "
                            "catch (e) { return false; } }")
    settle(admin)
    rows = grid_rows(admin, "lagging-table")
    assert len(rows) >= 3, "the district has fewer than three lagging stations"
    boxes = admin.locator("#lagging-table .ag-selection-checkbox input")
    for n in range(3):
        boxes.nth(n).dispatch_event("click")
    expect(admin.locator("#lagging-assign")).to_contain_text("3")
    shot(admin, "loop-1-lagging-ticked")
    admin.locator("#lagging-assign").click()
    expect(admin.locator("#assign-modal")).to_be_visible()
    settle(admin)
    shot(admin, "loop-2-assign-dialog")
    admin.locator("#assign-save").click()
    expect(admin.locator("#assign-result")).to_be_visible()
    shot(admin, "loop-3-assigned")
    made = actions.list_actions(engine, Scope("state", STATE, None, "mn-admin"))
    assert len(made) == 3 and set(made["district_code"]) == {DISTRICT}
    assert set(made["due_month"]) == {held.last_month} and set(made["owner_kind"]) == {"sp"}

    # 2. the SP finds them under "My actions", comments on one and marks it done (on a phone too)
    for viewport, tag in ((DESKTOP, "desktop"), (PHONE, "phone")):
        sp = new_page(viewport)
        sign_in(sp, "iwt-sp", PASSWORD)
        sp.goto("/actions")
        expect(sp.locator("#actions-title")).to_contain_text("My actions")
        sp.wait_for_function("() => { try { return !!window.dash_ag_grid.getApi('actions-table'); } "
                             "catch (e) { return false; } }")
        settle(sp)
        assert sorted(int(r["id"]) for r in grid_rows(sp, "actions-table")) == sorted(made["id"])
        no_sideways_scroll(sp)
        shot(sp, f"loop-4-my-actions-{tag}")
    first = int(made["id"].iloc[0])
    sp.goto(f"/actions?action={first}")
    expect(sp.locator("#action-panel")).to_be_visible()
    sp.locator("#action-comment").fill("SHO briefed; 12 records entered on the 3rd")
    sp.locator("#action-save-comment").click()
    expect(sp.locator("#action-comments")).to_contain_text("12 records entered on the 3rd")
    sp.locator("#action-new-status label", has_text="Done").click()
    sp.locator("#action-save-status").click()
    expect(sp.locator("#action-details")).to_contain_text("Done")
    shot(sp, "loop-5-sp-done-phone")
    assert actions.get_action(engine, Scope("district", STATE, DISTRICT, "iwt-sp"), first)["status"] == "done"

    # 3. the next month is imported: the data judges every action
    from dashboard.ingest import import_files

    import_files(engine, held.last_files, user="scrb-operator")
    judged = actions.list_actions(engine, Scope("state", STATE, None, "mn-admin")).set_index("id")
    assert "pending" not in set(judged["outcome"])
    for _, a in judged.iterrows():
        if a["outcome"] in ("partly_met", "not_met", "no_data") and a["status"] in ("open", "escalated"):
            assert a["carry_cycles"] == 1 and a["current_due_month"] > held.last_month  # carried over
    admin.goto(f"/actions?month={held.last_month}")
    admin.wait_for_function("() => { try { return !!window.dash_ag_grid.getApi('actions-table'); } "
                            "catch (e) { return false; } }")
    settle(admin)
    tally_text = admin.locator("#actions-tally").inner_text().lower()
    assert "met" in tally_text and "carried over" in tally_text
    page_text = admin.locator("#actions-table").inner_text().lower()
    for outcome in set(judged["outcome"]):
        assert outcome_words(outcome).split(" (")[0] in page_text
    shot(admin, "loop-6-judged")
    admin.set_viewport_size({"width": 1024, "height": 768})
    no_sideways_scroll(admin)
    shot(admin, "loop-6-judged-1024")
    admin.locator(".shell-user-toggle").click()  # at 1024 px signing out is in the account menu
    expect(admin.locator(".dropdown-menu .shell-menu-signout", has_text="Sign out")).to_be_visible()
    shot(admin, "loop-6-menu-1024")
    admin.keyboard.press("Escape")
    admin.set_viewport_size(DESKTOP)

    # 4. the deck opens with the commitments and what the data shows
    admin.goto(f"/present?month={held.last_month}&state={STATE}")
    settle(admin)
    admin.keyboard.press("ArrowRight")
    expect(admin.locator("body")).to_contain_text("Commitments from the last review")
    settle(admin)
    shot(admin, "loop-7-deck-commitments")
    t = actions.tally(judged.reset_index())
    expect(admin.locator("body")).to_contain_text(str(t["met"]))
