"""Headless Chromium at 390x844 and 360x800 on a touch screen (issue 12): the district SP's phone flow. Sign in, the
district page, the lagging list, a police station, assign an action to it and update it from /actions (a comment,
then Done). At every step the page does not scroll sideways (`scrollWidth <= innerWidth`), the KPI cards sit two
to a row, no grid cuts a number or a header (test_grids' check), and the main controls are tap targets of at
least 44 x 44 px.

CCTNS_SHOTS_DIR=<folder> keeps a screenshot of each step."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM, BrowserGuard, settle, sign_in
from playwright.sync_api import Page, expect
from test_grids import cut_texts

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

PHONES = {"390x844": {"width": 390, "height": 844}, "360x800": {"width": 360, "height": 800}}
SP, DISTRICT, STATION = "karnal-sp", "HR-KNL", "HR-KNL-001"
SHOTS = os.environ.get("CCTNS_SHOTS_DIR")
PAGE_TIMEOUT_MS = 60_000  # a page's data on a loaded 2-core machine


@pytest.fixture(scope="module")
def phone_app(demo_engine, demo_users, tmp_path_factory) -> Iterator[dict]:
    """The app on a copy of the demo database (this test makes an action; the shared demo stays as it was)."""
    from live_server import serve

    from app import create_app
    from dashboard.config import load_settings
    from dashboard.web.users import create_demo_users

    folder = tmp_path_factory.mktemp("phone-app")
    db = folder / "phone.sqlite3"
    shutil.copy(demo_engine.url.database, db)
    url = f"sqlite:///{db}"
    from dashboard.store.db import get_engine

    passwords = create_demo_users(get_engine(url))
    settings = load_settings({"CCTNS_DATABASE_URL": url, "CCTNS_INSTANCE_DIR": str(folder / "instance"),
                              "CCTNS_SECRET_KEY": "phone-browser-test-secret-key-0123456789abcdef"})
    app = create_app(settings)
    with serve(app.server, "phone-live-server") as base:
        yield {"base": base, "passwords": passwords, "engine": get_engine(url)}


@pytest.fixture(params=list(PHONES))
def phone_page(request, browser, phone_app) -> Iterator[Page]:
    """A touch screen of one of the two phone sizes, not signed in."""
    guard = BrowserGuard("127.0.0.1")
    request.node.browser_guard = guard
    ctx = browser.new_context(base_url=phone_app["base"], viewport=PHONES[request.param], is_mobile=True,
                              has_touch=True)
    ctx.set_default_timeout(20_000)
    ctx.on("page", guard.watch)
    yield ctx.new_page()
    ctx.close()


TAP_PX = 44  # the least height and width of a tap target (WCAG 2.5.5; Apple's and Android's guidance: 44-48)
# the main controls of each step, by selector: every visible one must be a TAP_PX x TAP_PX target
SHELL_CONTROLS = ("#shell-navbar .navbar-toggler", "#shell-search", "#shell-scheme", "#shell-month")
STEP_CONTROLS = {
    "2-district": ("#district-stations .ag-row",),  # a row opens its station
    "3-lagging": ("#lagging-district", "#lagging-reason", "#lagging-download-csv", "#lagging-download-xlsx"),
    "4-station": ("#station-actions-panel .assign-btn",),
    "assign": ("#assign-parameter", "#assign-text", "#assign-owner", "#assign-due", "#assign-review-date",
               "#assign-forum", "#assign-cancel", "#assign-save", "#assign-modal .btn-close"),
    "5-my-actions": ("#actions-table .ag-row",),  # a row opens its action
    "6-action": ("#action-new-status .form-check", "#action-reason", "#action-save-status", "#action-comment",
                      "#action-save-comment", "#action-panel .btn-close"),
}

_SMALL_TARGETS_JS = """
([selectors, least]) => {
  const out = [];
  for (const sel of selectors) {
    for (const el of document.querySelectorAll(sel)) {
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height || !el.checkVisibility()) { continue; }
      if (r.width < least - 0.5 || r.height < least - 0.5) {
        out.push(`${sel}: ${Math.round(r.width)} x ${Math.round(r.height)} px`);
      }
    }
  }
  return [...new Set(out)];
}
"""


def small_targets(page: Page, selectors: tuple[str, ...]) -> list[str]:
    return page.evaluate(_SMALL_TARGETS_JS, [list(selectors), TAP_PX])


def cut_in_every_column(page: Page, grid_id: str) -> list[str]:
    """test_grids' check on every column of a grid that scrolls sideways: AG Grid renders only the columns in view,
    so each column is scrolled into view in turn and checked."""
    cols = page.evaluate("(id) => dash_ag_grid.getApi(id).getAllDisplayedColumns().map(c => c.getColId())", grid_id)
    found: list[str] = []
    for col in cols:
        page.evaluate("([id, col]) => dash_ag_grid.getApi(id).ensureColumnVisible(col)", [grid_id, col])
        found += [p for p in cut_texts(page) if p not in found]
    return found


def check_phone_page(page: Page, step: str) -> None:
    settle(page)
    phone = page.viewport_size or {}
    name = step
    step = f"{phone.get('width')}x{phone.get('height')}-{step}"
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert inner == phone["width"] and width <= inner, f"{step}: the page scrolls sideways ({width}px wide)"
    small = small_targets(page, (() if name == "assign" else SHELL_CONTROLS) + STEP_CONTROLS.get(name, ()))
    assert not small, f"{step}: tap targets under {TAP_PX} px: {small}"
    assert cut_texts(page) == [], f"{step}: a grid cuts its text"
    cards = page.locator(".kpi-card").all()
    if len(cards) >= 2:  # two to a row: the first two side by side, each at most half the width
        a, b = cards[0].bounding_box(), cards[1].bounding_box()
        assert a and b and abs(a["y"] - b["y"]) < 2 and a["width"] <= phone["width"] / 2, (step, a, b)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"phone-{step}.png"), full_page=True)


def test_district_sp_phone_flow(phone_page: Page, phone_app: dict) -> None:
    page = phone_page
    sign_in(page, SP, phone_app["passwords"][SP])
    check_phone_page(page, "1-signed-in")

    page.goto(f"/district/{DISTRICT}")
    expect(page.locator(f"#district-stations [row-id={STATION}]").first).to_be_attached(timeout=PAGE_TIMEOUT_MS)
    check_phone_page(page, "2-district")

    page.goto("/lagging")
    expect(page.locator("#lagging-subtitle")).to_contain_text("Karnal", timeout=PAGE_TIMEOUT_MS)
    check_phone_page(page, "3-lagging")

    page.goto(f"/district/{DISTRICT}")
    row = page.locator(f"#district-stations [row-id={STATION}] [col-id=name]").first  # pinned: two elements
    expect(row).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    settle(page)
    row.tap()  # a tap on the station's row opens its page
    page.wait_for_url(re.compile(rf"/station/{STATION}(\?|$)"), timeout=PAGE_TIMEOUT_MS)
    expect(page.locator("#station-params [row-id]").first).to_be_attached(timeout=PAGE_TIMEOUT_MS)
    check_phone_page(page, "4-station")

    # assign an action to the station (an SP may, for the stations of their district)
    assign = page.locator("#station-actions-panel .assign-btn").first
    expect(assign).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    assign.tap()
    expect(page.locator("#assign-modal")).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    expect(page.locator("#assign-owner")).not_to_have_text("", timeout=PAGE_TIMEOUT_MS)
    check_phone_page(page, "assign")
    size = "{width}x{height}".format(**(page.viewport_size or {}))
    text = f"Enter the pending e-Sakshya records by the 10th ({size})"  # one action per phone size
    page.locator("#assign-text").fill(text)
    page.locator("#assign-save").click()
    expect(page.locator("#assign-result")).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"assign: the page scrolls sideways ({width}px wide)"

    # the action under "My actions", updated: a comment and Done
    page.goto("/actions")
    expect(page.locator("#actions-title")).to_contain_text("My actions", timeout=PAGE_TIMEOUT_MS)
    cell = page.locator("#actions-table .ag-cell", has_text=text).first
    expect(cell).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    check_phone_page(page, "5-my-actions")
    cell.tap()
    expect(page.locator("#action-panel")).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    expect(page.locator("#action-save-status")).to_be_visible(timeout=PAGE_TIMEOUT_MS)
    check_phone_page(page, "6-action")
    page.locator("#action-comment").fill("SHO briefed on the phone")
    page.locator("#action-save-comment").click()
    expect(page.locator("#action-comments")).to_contain_text("SHO briefed on the phone", timeout=PAGE_TIMEOUT_MS)
    page.locator("#action-new-status label", has_text="Done").click()
    page.locator("#action-save-status").click()
    expect(page.locator("#action-details")).to_contain_text("Done", timeout=PAGE_TIMEOUT_MS)
    check_phone_page(page, "7-action-done")
    # the list refreshed under the panel: every column of it still shows its header and cells whole
    page.locator("#action-panel .btn-close").tap()
    expect(page.locator("#action-panel")).to_be_hidden(timeout=PAGE_TIMEOUT_MS)
    assert cut_in_every_column(page, "actions-table") == []
    # AG Grid auto-sizes late when the refreshed rows are not drawn yet: its content widths (the "Comments" column
    # at its 80 px minimum) must be placed again by assets/grids.js, as an auto-size of its own is
    page.evaluate("() => dash_ag_grid.getApi('actions-table').autoSizeAllColumns(true)")
    assert cut_in_every_column(page, "actions-table") == []

