"""Headless Chromium, keyboard only (issue 12): the drill-down national -> State -> district -> police station and
back, the month picker, the unit search, the lagging filters and downloads. No mouse: only Tab, arrows, Enter and
typing. Every element that takes the focus on the way shows a visible focus ring."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from browser_support import CHROMIUM, SETTLE_TIMEOUT_MS, open_page, settle
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

TAB_LIMIT = 160  # Tab presses allowed to reach an element (a grid's header cells take one each)

_FOCUSED_JS = """
() => {
  const a = document.activeElement;
  if (!a || a === document.body) { return null; }
  const s = getComputedStyle(a);
  const row = a.closest('[row-id]');
  const grid = a.closest('.league-grid[id]');
  return {id: a.id, tag: a.tagName, text: (a.textContent || '').trim().slice(0, 60),
          href: a.getAttribute('href'), row: row && row.getAttribute('row-id'), grid: grid && grid.id,
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
          shadow: s.boxShadow !== 'none'};
}
"""


def focused(page: Page) -> dict[str, Any] | None:
    return page.evaluate(_FOCUSED_JS)


def tab_to(page: Page, wanted: Callable[[dict[str, Any]], bool], what: str, *, back: bool = False) -> dict[str, Any]:
    """Press Tab (Shift+Tab if `back`) until the focused element satisfies `wanted`; every element passed on
    the way shows a focus ring."""
    seen = []
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        f = focused(page)
        if f is None:
            continue
        assert f["outline"] or f["shadow"], f"no visible focus on {f}"
        seen.append(f.get("id") or f.get("text"))
        if wanted(f):
            return f
    raise AssertionError(f"Tab never reached {what}; focus went through {seen[-25:]}")


def in_grid(grid_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda f: f["grid"] == grid_id and f["row"] is not None


def arrow_to_row(page: Page, row_id: str) -> None:
    """From a focused grid cell, ArrowDown until the focused row is `row_id` (the grid's rows are few)."""
    for _ in range(80):
        f = focused(page)
        if f and f["row"] == row_id:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"row {row_id} not reached with ArrowDown; at {focused(page)}")


def open_row(page: Page, grid_id: str, row_id: str, url: str) -> None:
    tab_to(page, in_grid(grid_id), f"a row of {grid_id}")
    arrow_to_row(page, row_id)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(url) + r"(\?|$)"), timeout=SETTLE_TIMEOUT_MS)


def test_drill_down_and_back_by_keyboard(page_as: Callable[[str], Page]) -> None:
    page = page_as("ncrb")
    open_page(page, "/", "#national-table [row-id=HR]")
    open_row(page, "national-table", "HR", "/state/HR")
    open_page_after_nav(page, "#state-districts [row-id=HR-KNL]")
    open_row(page, "state-districts", "HR-KNL", "/district/HR-KNL")
    open_page_after_nav(page, "#district-stations [row-id=HR-KNL-001]")
    open_row(page, "district-stations", "HR-KNL-001", "/station/HR-KNL-001")
    open_page_after_nav(page, "#station-params [row-id]")
    expect(page.locator("#main-content h1").first).to_have_text("Karnal City")

    # back up through the breadcrumb: Karnal, then National
    tab_to(page, lambda f: f["tag"] == "A" and (f["href"] or "").startswith("/district/HR-KNL"), "the Karnal link")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/district/HR-KNL(\?|$)"), timeout=SETTLE_TIMEOUT_MS)
    open_page_after_nav(page, "#district-stations [row-id=HR-KNL-001]")
    tab_to(page, lambda f: f["tag"] == "A" and f["text"] == "National" and f["id"] != "shell-nav-national",
           "the National link of the breadcrumb")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/(\?.*)?$"), timeout=SETTLE_TIMEOUT_MS)
    expect(page.locator("#national-table [row-id=HR]")).to_be_attached()


def open_page_after_nav(page: Page, ready: str) -> None:
    expect(page.locator(ready).first).to_be_attached(timeout=SETTLE_TIMEOUT_MS)
    settle(page)


def test_month_picker_and_search_by_keyboard(page_as: Callable[[str], Page]) -> None:
    page = page_as("ncrb")
    open_page(page, "/", "#national-table [row-id=HR]")
    month = page.locator("#shell-month").inner_text().strip()

    tab_to(page, lambda f: f["id"] == "shell-month", "the month picker")
    page.keyboard.press("ArrowDown")  # opens the list on the chosen month
    expect(page.locator(".dash-dropdown-option").first).to_be_visible()
    page.keyboard.press("ArrowDown")  # the month before
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"[?&]month=\d{4}-\d{2}"), timeout=SETTLE_TIMEOUT_MS)
    expect(page.locator("#shell-month")).not_to_have_text(month)
    assert focused(page)["id"] == "shell-month"  # the focus stays where it was
    settle(page)

    tab_to(page, lambda f: f["id"] == "shell-search", "the unit search", back=True)
    page.keyboard.type("Karnal")
    option = page.locator(".dash-dropdown-option").filter(has_text=re.compile(r"^\s*Karnal · District"))
    expect(option).to_have_count(1, timeout=SETTLE_TIMEOUT_MS)
    for _ in range(20):  # down the list to the district
        page.keyboard.press("ArrowDown")
        if "Karnal · District" in (page.evaluate(
                "() => (document.activeElement.closest('.dash-dropdown-option') || {}).textContent || ''")):
            break
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/district/HR-KNL(\?|$)"), timeout=SETTLE_TIMEOUT_MS)
    expect(page.locator("#main-content h1").first).to_have_text("Karnal")


def test_lagging_filters_and_download_by_keyboard(page_as: Callable[[str], Page]) -> None:
    page = page_as("ncrb")
    open_page(page, "/lagging?state=MN", "#lagging-table [row-id]")
    tab_to(page, lambda f: f["id"] == "lagging-reason", "the reason filter")
    page.keyboard.press("ArrowDown")
    expect(page.locator(".dash-dropdown-option").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"[?&]reason="), timeout=SETTLE_TIMEOUT_MS)
    settle(page)

    tab_to(page, lambda f: f["id"] == "lagging-download-csv", "the CSV download", back=True)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".csv")
    assert "reason=" in download.value.url
