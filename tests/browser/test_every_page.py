"""Headless Chromium: every page renders without a console error, and is usable at 1024x768 without
horizontal scrolling of the main content (issue 3)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from browser_support import CHROMIUM, open_page
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

KARNAL_STATION = "HR-KNL-001"

# (path, selector of content a callback fills, the page's main heading)
PAGES: tuple[tuple[str, str, str], ...] = (
    ("/", "#national-table [data-row-id=HR]", "National league table"),
    ("/state/HR", "#state-districts [row-id=HR-KNL]", "Haryana"),
    ("/district/HR-KNL", f"#district-stations [row-id={KARNAL_STATION}]", "Karnal"),
    (f"/station/{KARNAL_STATION}", "#station-params [row-id]", "Karnal City"),
    ("/lagging?state=HR", "#lagging-subtitle:has-text('Haryana')", "Lagging stations"),
    ("/methodology", "#shell-data-as-of:not(:has-text('–'))", "Methodology"),
    ("/data", "#shell-data-as-of:not(:has-text('–'))", "Data"),
    ("/actions?state=HR", "#actions-subtitle:has-text('Haryana')", "Actions"),  # the review loop (issue 11)
    ("/profile", "#profile-subtitle:has-text('ncrb')", "Your profile"),
    ("/data/import", "#import-drop", "Import files"),  # operations (issue 16)
    ("/data/batches", "#batches-grid [row-id]", "Import batches"),
    ("/admin/users", "#users-grid [row-id=ncrb]", "Users"),
    ("/admin/audit", "#audit-grid [row-id]", "Audit trail"),
    ("/provisional?state=HR", ".provisional-todo tbody tr", "Haryana · provisional"),  # issue 14
    ("/no-such-page/here", "#shell-breadcrumb li:has-text('Page not found')", "Page not found"),
)


def visit(page: Page, path: str, ready: str, heading: str) -> None:
    open_page(page, path, ready)
    h1 = page.locator("#main-content h1").first
    expect(h1).to_have_text(heading)


def test_no_console_errors_on_any_page(page_as: Callable[[str], Page]) -> None:
    """The guard fails the test on any console error, page error or request to another host."""
    page = page_as("ncrb")
    for path, ready, heading in PAGES:
        visit(page, path, ready, heading)


@pytest.mark.parametrize(("path", "ready", "heading"), PAGES, ids=[p[0] for p in PAGES])
def test_page_at_1024x768(page_as: Callable[[str], Page], path: str, ready: str, heading: str) -> None:
    page = page_as("ncrb")
    page.set_viewport_size({"width": 1024, "height": 768})
    visit(page, path, ready, heading)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1024, f"{path}: the page scrolls sideways ({width}px wide)"
    main = page.evaluate("(() => { const m = document.getElementById('main-content'); "
                         "return [m.scrollWidth, m.clientWidth]; })()")
    assert main[0] <= main[1], f"{path}: the main content is wider than the window ({main})"
    expect(page.locator("#main-content h1").first).to_be_in_viewport()
