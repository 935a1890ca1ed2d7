"""Looking ahead in Chromium: the national "Next month, estimated" table and its backtest note, the State
headline's likely rank with its range and P(first), and the data-to-verify page where a State user dismisses
a flag with a reason (it leaves the open list and is kept). Screenshots to CCTNS_FORESIGHT_SHOTS when set."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import CHROMIUM, grid_ids, grid_rows, open_page, settle, wait_grid_ids
from playwright.sync_api import Page, expect
from sqlalchemy import delete

from dashboard import foresight
from dashboard.read import latest_month
from dashboard.scope import Scope
from dashboard.store import FlagReview

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]
SIZES = {"desktop": (1366, 768), "laptop": (1024, 768), "phone": (390, 844)}
RANGE = re.compile(r"^\d+(st|nd|rd|th)(–\d+(st|nd|rd|th))?$")


def _shots(page: Page, name: str) -> None:
    folder = os.environ.get("CCTNS_FORESIGHT_SHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for size, (w, h) in SIZES.items():
        page.set_viewport_size({"width": w, "height": h})
        settle(page)
        page.screenshot(path=str(Path(folder) / f"{name}-{size}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def test_national_page_shows_projected_ranges_and_the_backtest(page_as: Callable[[str], Page], demo_engine) -> None:
    month = latest_month(demo_engine)
    stored = foresight.projection(demo_engine, month)
    page = page_as("ncrb")
    open_page(page, "/", "#national-projection-note:has-text('Backtest')")
    assert grid_ids(page, "national-projection-table") == list(stored["state_code"])  # a plain HTML table
    ranges = page.locator("#national-projection-table tbody [data-col-id=rank_median]").all_inner_texts()
    assert len(ranges) == len(stored) and all(RANGE.match(t.strip()) for t in ranges)
    expect(page.locator("#national-projection-note")).to_contain_text("carrying last month's rank forward")
    expect(page.get_by_text("an estimate, not a result").first).to_be_visible()
    page.locator("#national-projection-table").scroll_into_view_if_needed()
    _shots(page, "national-projection")


def test_state_headline_gives_the_likely_rank_as_a_range_with_p_first(page_as: Callable[[str], Page],
                                                                       demo_engine) -> None:
    p = foresight.state_projection(demo_engine, latest_month(demo_engine), "HR")
    page = page_as("haryana")
    open_page(page, "/state/HR", "#state-foresight:has-text('Likely rank next month')")
    line = page.locator("#state-foresight .projection-line")
    low, high = int(p["rank_low"]), int(p["rank_high"])
    expect(line).to_contain_text("Likely rank next month: ")
    expect(line).to_contain_text("P(first)")
    expect(line).to_contain_text("Estimate")
    assert str(low) in line.inner_text() and str(high) in line.inner_text()
    expect(page.locator("#state-foresight .flag-count")).to_be_visible()
    _shots(page, "state-headline")


def test_flags_page_dismiss_with_a_reason(page_as: Callable[[str], Page], demo_engine) -> None:
    month = latest_month(demo_engine)
    scope = Scope("state", "HR")
    open_flags = foresight.flags(demo_engine, month, scope)
    if open_flags.empty:
        pytest.skip("the small demo has no open flag in Haryana this month")
    try:
        page = page_as("haryana")
        open_page(page, "/flags?state=HR", "#flags-summary:has-text('flag')")
        rows = grid_rows(page, "flags-table")
        assert sorted(int(r["id"]) for r in rows) == sorted(int(i) for i in open_flags["id"])
        expect(page.locator("#flags-summary")).to_contain_text("needs verification")
        _shots(page, "flags-page")
        first = rows[0]["id"]
        page.locator(f"#flags-table [row-id='{first}'] [col-id='unit_text']").click()
        expect(page.locator("#flags-submit")).to_be_enabled()
        page.get_by_label("Dismiss: not a concern").check()
        page.get_by_role("button", name="Record the decision").click()
        expect(page.locator("#flags-message")).to_contain_text("give a reason")
        page.get_by_label("Reason (kept with the decision)").fill("Checked with the district: a station was split")
        page.get_by_role("button", name="Record the decision").click()
        expect(page.locator("#flags-message")).to_contain_text("Recorded: dismissed")
        settle(page)
        assert first not in [r["id"] for r in grid_rows(page, "flags-table")]
        kept = foresight.flags(demo_engine, month, scope, status="dismissed")
        assert kept.set_index("id").loc[int(first), "reason"] == "Checked with the district: a station was split"
        page.get_by_label("Dismissed").check()  # the list is fetched after the click: waited for, not settled
        wait_grid_ids(page, "flags-table", [str(i) for i in kept["id"]], ordered=False)
        assert first in grid_ids(page, "flags-table")
    finally:
        with demo_engine.begin() as conn:
            conn.execute(delete(FlagReview))
