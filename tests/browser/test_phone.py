"""Headless Chromium at 390x844 (issue 12): the district SP's phone flow. Sign in, the district page, the
lagging list, a police station, assign an action and update it. At every step the page does not scroll
sideways, the KPI cards sit two to a row, and no grid cuts a number or a header (see test_grids).

CCTNS_SHOTS_DIR=<folder> keeps a screenshot of each step."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM, SETTLE_TIMEOUT_MS, BrowserGuard, settle, sign_in
from playwright.sync_api import Page, expect
from test_grids import cut_texts

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

PHONE = {"width": 390, "height": 844}
SP, DISTRICT, STATION = "karnal-sp", "HR-KNL", "HR-KNL-001"
SHOTS = os.environ.get("CCTNS_SHOTS_DIR")


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
        yield {"base": base, "passwords": passwords}


@pytest.fixture
def phone_page(request, browser, phone_app) -> Iterator[Page]:
    guard = BrowserGuard("127.0.0.1")
    request.node.browser_guard = guard
    ctx = browser.new_context(base_url=phone_app["base"], viewport=PHONE, is_mobile=True, has_touch=True)
    ctx.set_default_timeout(20_000)
    ctx.on("page", guard.watch)
    yield ctx.new_page()
    ctx.close()


def check_phone_page(page: Page, step: str) -> None:
    settle(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{step}: the page scrolls sideways ({width}px wide)"
    assert cut_texts(page) == [], f"{step}: a grid cuts its text"
    cards = page.locator(".kpi-card").all()
    if len(cards) >= 2:  # two to a row: the first two side by side, each at most half the width
        a, b = cards[0].bounding_box(), cards[1].bounding_box()
        assert a and b and abs(a["y"] - b["y"]) < 2 and a["width"] <= PHONE["width"] / 2, (step, a, b)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"phone-{step}.png"), full_page=True)


def test_district_sp_phone_flow(phone_page: Page, phone_app: dict) -> None:
    page = phone_page
    sign_in(page, SP, phone_app["passwords"][SP])
    check_phone_page(page, "1-signed-in")

    page.goto(f"/district/{DISTRICT}")
    expect(page.locator(f"#district-stations [row-id={STATION}]")).to_be_attached(timeout=SETTLE_TIMEOUT_MS)
    check_phone_page(page, "2-district")

    page.goto("/lagging")
    expect(page.locator("#lagging-subtitle")).to_contain_text("Karnal", timeout=SETTLE_TIMEOUT_MS)
    check_phone_page(page, "3-lagging")

    page.goto(f"/district/{DISTRICT}")
    row = page.locator(f"#district-stations [row-id={STATION}] [col-id=name]")
    expect(row).to_be_visible(timeout=SETTLE_TIMEOUT_MS)
    settle(page)
    row.tap()  # a tap on the station's row opens its page
    page.wait_for_url(re.compile(rf"/station/{STATION}(\?|$)"), timeout=SETTLE_TIMEOUT_MS)
    expect(page.locator("#station-params [row-id]").first).to_be_attached(timeout=SETTLE_TIMEOUT_MS)
    check_phone_page(page, "4-station")

    # assign an action to the station (an SP may, for the stations of their district)
    assign = page.locator("#station-actions .assign-btn")
    expect(assign).to_be_visible(timeout=SETTLE_TIMEOUT_MS)
    assign.tap()
    expect(page.locator("#assign-modal")).to_be_visible()
    settle(page)
    text = "Enter the pending e-Sakshya records by the 10th"
    page.locator("#assign-text").fill(text)
    page.locator("#assign-save").click()
    expect(page.locator("#assign-result")).to_be_visible(timeout=SETTLE_TIMEOUT_MS)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"assign: the page scrolls sideways ({width}px wide)"

    # the action under "My actions", updated: a comment and Done
    page.goto("/actions")
    expect(page.locator("#actions-title")).to_contain_text("My actions")
    cell = page.locator("#actions-table .ag-cell", has_text=text).first
    expect(cell).to_be_visible(timeout=SETTLE_TIMEOUT_MS)
    check_phone_page(page, "5-my-actions")
    cell.click()
    expect(page.locator("#action-panel")).to_be_visible(timeout=SETTLE_TIMEOUT_MS)
    page.locator("#action-comment").fill("SHO briefed on the phone")
    page.locator("#action-save-comment").click()
    expect(page.locator("#action-comments")).to_contain_text("SHO briefed on the phone")
    page.locator("#action-new-status label", has_text="Done").click()
    page.locator("#action-save-status").click()
    expect(page.locator("#action-details")).to_contain_text("Done")
    check_phone_page(page, "6-action-done")
