"""Headless Chromium: the demo's provisional month from a final page's notice to the provisional page, with
its banner, the month picker saying "provisional", and the SP's own district (issue 14)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import CHROMIUM, SETTLE_TIMEOUT_MS, open_page, settle
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

SHOTS = Path(os.environ.get("CCTNS_SHOTS", "")) if os.environ.get("CCTNS_SHOTS") else None


def shot(page: Page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_from_the_state_page_to_its_provisional_figures(page_as: Callable[[str], Page]) -> None:
    page = page_as("ncrb")
    open_page(page, "/state/HR", "#state-districts [row-id=HR-KNL]")
    notice = page.locator("#shell-provisional-notice")
    expect(notice).to_contain_text("PROVISIONAL")
    expect(notice).to_contain_text("being collected")
    # the month picker lists the provisional month as such, the final month stays selected here
    expect(page.locator("#shell-month")).not_to_contain_text("provisional")
    notice.get_by_role("link").click()
    page.wait_for_url("**/provisional?**state=HR**")
    expect(page.locator(".provisional-todo tbody tr").first).to_be_attached(timeout=SETTLE_TIMEOUT_MS)
    settle(page)
    banner = page.locator("#provisional-banner")
    expect(banner).to_contain_text("PROVISIONAL")
    expect(banner).to_contain_text("as of")
    expect(banner).to_contain_text("Days to the cut-off")
    expect(page.locator("#main-content h1").first).to_have_text("Haryana · provisional")
    expect(page.locator("#shell-month")).to_contain_text("provisional")
    expect(page.locator("#shell-provisional-notice")).to_be_empty()  # the page's own banner, not twice
    states = page.locator("#provisional-states-grid")
    expect(states).to_contain_text("final ")
    expect(states).to_contain_text("provisional ")
    shot(page, "provisional-state-1366")
    page.set_viewport_size({"width": 1024, "height": 768})
    settle(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    shot(page, "provisional-state-1024")


def test_the_sp_sees_their_district_on_a_phone(page_as: Callable[[str], Page]) -> None:
    page = page_as("karnal-sp")
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, "/provisional", ".provisional-todo tbody tr")
    expect(page.locator("#main-content h1").first).to_have_text("Karnal · provisional")
    expect(page.locator("#provisional-banner")).to_contain_text("PROVISIONAL")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "provisional-district-390")
