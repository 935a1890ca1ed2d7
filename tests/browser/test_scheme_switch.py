"""Headless Chromium: the ranking-scheme switch beside the month picker on the national and State pages
(kept in the URL, links carry it), the State's rank in each scheme side by side, and a month known only
from NCRB's published results (the official table, no drill-down). Fails on any console error."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import CHROMIUM, cell_text, choose, open_page, settle
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from dashboard import read

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

MONTH = "2025-06"
SHOTS = os.environ.get("CCTNS_SHOTS_DIR")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        for w, h in ((1366, 768), (1024, 768), (390, 844)):
            page.set_viewport_size({"width": w, "height": h})
            settle(page)
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{w}.png"), full_page=w == 390)
        page.set_viewport_size({"width": 1366, "height": 768})


def test_switch_schemes_on_the_national_and_state_pages(page_as: Callable[[str], Page], demo_engine: Engine):
    page = page_as("ncrb")
    open_page(page, f"/?month={MONTH}", "#national-table [data-row-id=HR]")
    expect(page.locator("#shell-scheme-value")).to_have_text("CCTNS")
    cctns = read.states_table(demo_engine, MONTH).set_index("unit_code")
    assert cell_text(page, "national-table", "HR", "score_centi") == cctns.at["HR", "score_display"]

    choose(page, "shell-scheme", "ITSSO")
    page.wait_for_url(f"**/?month={MONTH}&scheme=itsso")
    itsso = read.states_table(demo_engine, MONTH, scheme="itsso").set_index("unit_code")
    expect(page.locator("#national-table [data-row-id=HR] [data-col-id=score_centi]")).to_have_text(
        itsso.at["HR", "score_display"], timeout=60_000)  # a loaded machine
    expect(page.locator("#national-scheme-tabs .nav-link.active")).to_contain_text("ITSSO")
    expect(page.locator("#shell-month-value")).to_contain_text("2025")  # the month is kept
    shot(page, "national-itsso")

    page.locator("#national-scheme-tabs .nav-link", has_text="ICJS").click()  # the tabs switch too
    page.wait_for_url(f"**/?month={MONTH}&scheme=icjs")
    icjs = read.states_table(demo_engine, MONTH, scheme="icjs").set_index("unit_code")
    expect(page.locator("#national-table [data-row-id=HR] [data-col-id=score_centi]")).to_have_text(icjs.at["HR", "score_display"])
    expect(page.locator("#shell-scheme-value")).to_have_text("ICJS")  # the switch follows the URL

    page.locator("#national-table [data-row-id=HR] [data-col-id=name] a").click()  # drill-down keeps the scheme
    page.wait_for_url(f"**/state/HR?month={MONTH}&scheme=icjs")
    ranks = page.locator(".scheme-ranks")
    expect(ranks.locator(".scheme-rank")).to_have_count(3, timeout=60_000)  # the State page's first render
    expect(ranks.locator(".scheme-rank-current")).to_contain_text("ICJS")
    for table in (cctns, icjs, itsso):
        expect(ranks).to_contain_text(f"#{int(table.at['HR', 'rank_national'])} of")
        expect(ranks).to_contain_text(f"Score {table.at['HR', 'score_display']}")
    shot(page, "state-icjs")

    ranks.locator(".scheme-rank", has_text="ITSSO").click()
    page.wait_for_url(f"**/state/HR?month={MONTH}&scheme=itsso")
    expect(page.locator(".scheme-ranks .scheme-rank-current")).to_contain_text("ITSSO")
    expect(page.locator("#shell-scheme-value")).to_have_text("ITSSO")
    choose(page, "shell-scheme", "CCTNS")  # back to the default: the parameter leaves the URL
    page.wait_for_url(f"**/state/HR?month={MONTH}")


def test_a_month_known_only_from_ncrb(page_as: Callable[[str], Page]):
    page = page_as("haryana")
    open_page(page, "/?month=2023-02", "#national-table [data-row-id=HR]")
    expect(page.locator("#national-subtitle")).to_contain_text("as published by NCRB")
    expect(page.locator("#national-table [data-row-id=HR] [data-col-id=score_centi]")).to_have_text("99.99")
    expect(page.locator("#national-table-note")).to_contain_text("no drill-down")
    shot(page, "national-published-only")
    expect(page.locator("#national-table [data-row-id=HR] [data-col-id=name] a")).to_have_count(0)  # no link
    page.locator("#national-table [data-row-id=HR] [data-col-id=name]").click()
    settle(page)
    assert page.url.endswith("/?month=2023-02")  # no drill-down from the official record
    # the State's trend marks NCRB's published scores
    page.goto(f"/state/HR?month={MONTH}")
    expect(page.locator(".scheme-ranks")).to_be_attached(timeout=60_000)
    page.wait_for_function("""() => {
        const g = document.querySelector('#state-trend .js-plotly-plot');
        return g && g.data && g.data.some(t => t.name === 'As published by NCRB');
    }""", timeout=60_000)
    shot(page, "state-trend-published")


def test_itsso_lagging_page_and_icjs_deck(page_as: Callable[[str], Page], demo_engine: Engine):
    """The lagging page in ITSSO (stations worded "n of m cases past 60 days", downloads named for ITSSO)
    and the conference deck in ICJS (its title and pack buttons)."""
    from dashboard.scope import Scope

    page = page_as("ncrb")
    lag = read.lagging_list(demo_engine, MONTH, Scope.national(), "MN", scheme="itsso")
    first = lag["station_code"].iloc[0]
    open_page(page, f"/lagging?month={MONTH}&state=MN&scheme=itsso", f"#lagging-table [row-id={first}]")
    expect(page.locator("#lagging-subtitle")).to_contain_text("ITSSO")
    expect(page.locator("#shell-scheme-value")).to_have_text("ITSSO")
    expect(page.locator("#lagging-table").first).to_contain_text("cases past 60 days")
    expect(page.locator("#lagging-download-csv")).to_have_attribute("href", re.compile("scheme=itsso"))
    shot(page, "lagging-itsso")
    open_page(page, f"/present?month={MONTH}&state=HR&scheme=icjs", ".deck-download")
    expect(page.locator(".deck-slide.is-active")).to_contain_text("ICJS")
    for link in page.locator(".deck-download").all():
        assert "scheme=icjs" in (link.get_attribute("href") or "")
    shot(page, "deck-icjs")


def _station_to_find(engine: Engine) -> tuple[str, str]:
    """A Haryana station whose name no other unit shares (code, name)."""
    from sqlalchemy import func, select

    from dashboard.store import District, PoliceStation

    with engine.connect() as conn:
        unique = select(PoliceStation.name).group_by(PoliceStation.name).having(func.count() == 1)
        row = conn.execute(select(PoliceStation.code, PoliceStation.name)
                           .join(District, District.code == PoliceStation.district_code)
                           .where(District.state_code == "HR", PoliceStation.name.in_(unique),
                                  func.length(PoliceStation.name) >= 6)
                           .order_by(PoliceStation.code)).first()
    return row[0], row[1]


@pytest.mark.parametrize("how", ["keyboard", "mouse"])
def test_the_search_box_keeps_the_scheme(page_as: Callable[[str], Page], demo_engine: Engine, how: str):
    """Issue 13: on a page in ICJS, type a station's name in the navbar's search, pick it with the keyboard
    (arrow down, Enter) or the mouse, and land on the station page still in ICJS, the month kept."""
    code, name = _station_to_find(demo_engine)
    page = page_as("ncrb")
    page.goto(f"/state/HR?month={MONTH}&scheme=icjs")
    expect(page.locator(".scheme-ranks .scheme-rank-current")).to_contain_text("ICJS", timeout=60_000)
    settle(page)
    expect(page.locator("#shell-scheme-value")).to_have_text("ICJS")
    if how == "keyboard":
        page.locator("#shell-search").focus()
        page.keyboard.press("Enter")  # opens the search's popover
    else:
        page.locator("#shell-search").click()
    box = page.locator(".dash-dropdown-search")
    expect(box).to_be_visible()
    box.press_sequentially(name[:6], delay=30)
    option = page.locator(".dash-dropdown-option").filter(has_text=name)
    expect(option).to_have_count(1, timeout=30_000)
    if how == "keyboard":
        for _ in range(page.locator(".dash-dropdown-option").count()):
            if "focused" in (option.get_attribute("class") or "") or option.evaluate(
                    "el => el === document.activeElement || el.contains(document.activeElement)"):
                break
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
    else:
        option.click()
    page.wait_for_url(f"**/station/{code}?month={MONTH}&scheme=icjs", timeout=30_000)
    expect(page.locator("#shell-scheme-value")).to_have_text("ICJS")
    expect(page.locator("#shell-breadcrumb")).to_contain_text(name, timeout=30_000)
    settle(page)
    shot(page, f"search-station-icjs-{how}")
