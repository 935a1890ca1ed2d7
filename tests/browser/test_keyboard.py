"""Headless Chromium, keyboard only (issue 12): the lagging filters and downloads. No mouse: only Tab, arrows and
Enter. Every element that takes the focus on the way shows a visible focus ring. (The drill-down and the
month/search walk are still to come: see docs/UI.md.)"""

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
