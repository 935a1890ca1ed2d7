"""Headless Chromium, keyboard only (issue 12): the drill-down national -> State -> district -> police station and
back through the breadcrumb, the month picker, the scheme switch, the unit search, the lagging filters and a
download, and the assign dialog opened and closed (the focus returns to its opener). No mouse: only Tab, arrows,
Enter, Escape and typing. Every element that takes the focus on the way shows a visible focus ring: its computed
outline (at least 2 px, not transparent; the app's amber ring) on a box with a size, or, for an option of a
dropdown's list (a hidden radio), the option's own ring. (A box-shadow does not count: Dash's options and
Bootstrap's cards carry one whether focused or not.)"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from browser_support import CHROMIUM, open_page, settle
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

TAB_LIMIT = 160  # Tab presses allowed to reach an element (a grid's header cells take one each)
PAGE_TIMEOUT_MS = 60_000  # a page opened by the keyboard: its data on a loaded 2-core machine
TYPING_DELAY_MS = 60  # between two keys typed (a quick typist); see docs/UI.md on a dropdown's first keys

# the focused element, where it is, and whether its focus shows: the ring is looked for on the element itself
# or, for a dropdown option's hidden radio, on the option (the radio is 0 px wide)
_FOCUSED_JS = """
() => {
  const a = document.activeElement;
  if (!a || a === document.body) { return null; }
  const ringed = a.closest('.dash-options-list-option') || a;
  const s = getComputedStyle(ringed);
  const transparent = (c) => !c || c === 'transparent' || /rgba\\([^)]*,\\s*0\\)$/.test(c);
  const row = a.closest('[row-id]');
  const grid = a.closest('.league-grid[id]');
  const box = ringed.getBoundingClientRect();
  return {id: a.id, tag: a.tagName, cls: String(a.className || ''), text: (a.textContent || '').trim().slice(0, 60),
          value: a.value || null, href: a.getAttribute('href'), row: row && row.getAttribute('row-id'),
          grid: grid && grid.id, option: a !== ringed,
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 && !transparent(s.outlineColor),
          width: box.width, height: box.height};
}
"""


def focused(page: Page) -> dict[str, Any] | None:
    return page.evaluate(_FOCUSED_JS)


def assert_ring(f: dict[str, Any] | None) -> None:
    """The focused element shows its focus: an outline ring on a box that has a size."""
    assert f is not None, "nothing has the focus"
    assert f["outline"] and f["width"] > 0 and f["height"] > 0, f"no visible focus on {f}"


def tab_to(page: Page, wanted: Callable[[dict[str, Any]], bool], what: str, *, back: bool = False) -> dict[str, Any]:
    """Press Tab (Shift+Tab if `back`) until the focused element satisfies `wanted`; every element passed on
    the way shows a focus ring."""
    seen = []
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        f = focused(page)
        if f is None:
            continue
        assert_ring(f)
        seen.append(f.get("id") or f.get("text"))
        if wanted(f):
            return f
    raise AssertionError(f"Tab never reached {what}; focus went through {seen[-25:]}")


def by_id(element_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda f: f["id"] == element_id


def in_grid(grid_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda f: f["grid"] == grid_id and f["row"] is not None


def arrow_to_row(page: Page, row_id: str) -> None:
    """From a focused grid cell, ArrowDown until the focused row is `row_id` (the grid's rows are few); every
    cell on the way shows its ring."""
    for _ in range(80):
        f = focused(page)
        assert_ring(f)
        if f and f["row"] == row_id:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"row {row_id} not reached with ArrowDown; at {focused(page)}")


def open_row(page: Page, grid_id: str, row_id: str, url: str) -> None:
    tab_to(page, in_grid(grid_id), f"a row of {grid_id}")
    arrow_to_row(page, row_id)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(url) + r"(\?|$)"), timeout=PAGE_TIMEOUT_MS)


def wait_ready(page: Page, ready: str) -> None:
    """After a navigation by the keyboard: the new page's content is there and Dash has settled."""
    expect(page.locator(ready).first).to_be_attached(timeout=PAGE_TIMEOUT_MS)
    settle(page)


def wait_option_focused(page: Page, value: str | None = None) -> dict[str, Any]:
    """Wait until an option of the open dropdown list has the focus (the list focuses the chosen option a frame
    after it opens), or the option whose value is `value`; its ring shows."""
    page.wait_for_function(
        """(value) => { const a = document.activeElement;
                        return !!a && !!a.closest('.dash-options-list-option') && (value === null || a.value === value); }""",
        arg=value, timeout=PAGE_TIMEOUT_MS)
    f = focused(page)
    assert_ring(f)
    return f  # type: ignore[return-value]


def pick_next_option(page: Page, dropdown_id: str) -> str:
    """On a focused closed dropdown: open its list with ArrowDown, move to the option after the chosen one and
    choose it with Enter; returns that option's value."""
    page.keyboard.press("ArrowDown")
    expect(page.locator(".dash-dropdown-option").first).to_be_visible()
    chosen = wait_option_focused(page)["value"]
    values = page.locator(".dash-dropdown-option input").evaluate_all("els => els.map(e => e.value)")
    after = values[values.index(chosen) + 1]
    page.keyboard.press("ArrowDown")
    wait_option_focused(page, after)
    page.keyboard.press("Enter")
    expect(page.locator(".dash-dropdown-option")).to_have_count(0)
    page.wait_for_function("(id) => document.activeElement && document.activeElement.id === id", arg=dropdown_id)
    return after


def test_drill_down_and_back_by_keyboard(page_as: Callable[[str], Page]) -> None:
    page = page_as("ncrb")
    open_page(page, "/", "#national-table [data-row-id=HR]")
    # the national league table is plain HTML: each State's name is a link (Tab to it, Enter)
    tab_to(page, lambda f: f["tag"] == "A" and (f["href"] or "").startswith("/state/HR"), "Haryana's link")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/state/HR(\?|$)"), timeout=PAGE_TIMEOUT_MS)
    wait_ready(page, "#state-districts [row-id=HR-KNL]")
    open_row(page, "state-districts", "HR-KNL", "/district/HR-KNL")
    wait_ready(page, "#district-stations [row-id=HR-KNL-001]")
    open_row(page, "district-stations", "HR-KNL-001", "/station/HR-KNL-001")
    wait_ready(page, "#station-params [row-id]")
    expect(page.locator("#main-content h1").first).to_have_text("Karnal City")
    # the row that had the focus went with the old page: the focus is on the new page's main region
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'main-content'")

    # back up through the breadcrumb (above the page: Shift+Tab): Karnal, then National
    in_breadcrumb = "() => !!document.activeElement.closest('#shell-breadcrumb')"
    tab_to(page, lambda f: f["tag"] == "A" and (f["href"] or "").startswith("/district/HR-KNL"), "the Karnal link",
           back=True)
    assert page.evaluate(in_breadcrumb)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/district/HR-KNL(\?|$)"), timeout=PAGE_TIMEOUT_MS)
    wait_ready(page, "#district-stations [row-id=HR-KNL-001]")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'main-content'")
    tab_to(page, lambda f: f["tag"] == "A" and f["text"] == "National" and f["id"] != "shell-nav-national",
           "the National link of the breadcrumb", back=True)
    assert page.evaluate(in_breadcrumb)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^https?://[^/]+/(\?.*)?$"), timeout=PAGE_TIMEOUT_MS)
    wait_ready(page, "#national-table [data-row-id=HR]")


def test_month_scheme_and_search_by_keyboard(page_as: Callable[[str], Page]) -> None:
    page = page_as("ncrb")
    open_page(page, "/", "#national-table [data-row-id=HR]")
    month = page.locator("#shell-month").inner_text().strip()

    # the month picker: the month before the one shown
    tab_to(page, by_id("shell-month"), "the month picker")
    picked = pick_next_option(page, "shell-month")
    page.wait_for_url(re.compile(rf"[?&]month={picked}(&|$)"), timeout=PAGE_TIMEOUT_MS)
    expect(page.locator("#shell-month")).not_to_have_text(month)
    settle(page)

    # the scheme switch: from CCTNS to the next scheme; the month stays
    tab_to(page, by_id("shell-scheme"), "the scheme switch")
    scheme = pick_next_option(page, "shell-scheme")
    page.wait_for_url(re.compile(rf"[?&]scheme={scheme}(&|$)"), timeout=PAGE_TIMEOUT_MS)
    assert f"month={picked}" in page.url
    expect(page.locator("#shell-scheme")).to_have_text(scheme.upper())
    settle(page)

    # the search: a police station's name typed, its option chosen with the arrows and Enter
    tab_to(page, by_id("shell-search"), "the unit search", back=True)
    page.keyboard.type("Karnal City", delay=TYPING_DELAY_MS)
    option = page.locator(".dash-dropdown-option").filter(has_text=re.compile(r"^\s*Karnal City · Police station"))
    expect(option).to_have_count(1, timeout=PAGE_TIMEOUT_MS)
    for _ in range(20):  # down the list to the station
        page.keyboard.press("ArrowDown")
        f = wait_option_focused(page)
        if f["value"] == "station:HR-KNL-001":
            break
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/station/HR-KNL-001\?"), timeout=PAGE_TIMEOUT_MS)
    wait_ready(page, "#station-params [row-id]")
    expect(page.locator("#main-content h1").first).to_have_text("Karnal City")
    assert f"scheme={scheme}" in page.url and f"month={picked}" in page.url  # the search keeps both


def test_lagging_filters_and_download_by_keyboard(page_as: Callable[[str], Page]) -> None:
    page = page_as("ncrb")
    open_page(page, "/lagging?state=MN", "#lagging-table [row-id]")
    tab_to(page, by_id("lagging-reason"), "the reason filter")
    page.keyboard.press("ArrowDown")
    expect(page.locator(".dash-dropdown-option").first).to_be_visible()
    # nothing chosen yet: the list opens with the focus in its search field; ArrowDown to the first reason
    page.wait_for_function("() => !!document.activeElement.closest('.dash-dropdown-content')")
    page.keyboard.press("ArrowDown")
    wait_option_focused(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"[?&]reason="), timeout=PAGE_TIMEOUT_MS)
    settle(page)
    # the link is a download of the filtered list once the page has it (before that it has no href, no focus)
    expect(page.locator("#lagging-download-csv")).to_have_attribute("href", re.compile(r"[?&]reason="))

    tab_to(page, by_id("lagging-download-csv"), "the CSV download", back=True)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".csv")
    assert "reason=" in download.value.url


def test_assign_dialog_by_keyboard(page_as: Callable[[str], Page]) -> None:
    """The district SP opens the assign dialog from the station page with Enter, walks its fields with Tab, closes
    it with Cancel and again with Escape: each time the focus is back on the Assign button, and nothing is saved."""
    page = page_as("karnal-sp")
    open_page(page, "/station/HR-KNL-001", "#station-actions-panel .assign-btn")
    opener = page.locator("#station-actions-panel .assign-btn").first
    is_opener = "el => el === document.activeElement"
    tab_to(page, lambda f: "assign-btn" in f["cls"] and opener.evaluate(is_opener), "the Assign button")

    for close in ("Cancel", "Escape"):
        page.keyboard.press("Enter")
        expect(page.locator("#assign-modal")).to_be_visible(timeout=PAGE_TIMEOUT_MS)
        expect(page.locator("#assign-owner")).not_to_have_text("", timeout=PAGE_TIMEOUT_MS)
        settle(page)
        # the focus is kept inside the dialog: Tab through its fields (each with its ring) to its buttons
        tab_to(page, by_id("assign-text"), "the direction")
        page.keyboard.type("Brief the SHO", delay=TYPING_DELAY_MS)
        if close == "Cancel":
            tab_to(page, by_id("assign-cancel"), "the Cancel button")
            page.keyboard.press("Enter")
        else:
            page.keyboard.press("Escape")
        expect(page.locator("#assign-modal")).to_be_hidden(timeout=PAGE_TIMEOUT_MS)
        page.wait_for_function(f"() => ({is_opener})(document.querySelector('#station-actions-panel .assign-btn'))",
                               timeout=PAGE_TIMEOUT_MS)
        assert_ring(focused(page))
    expect(page.locator("#assign-result")).to_be_hidden()  # no action was saved
