"""Headless Chromium: drill-down National → State → district → station and back, the month picker
updating every figure and table, and the category tabs (issue 3)."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import (
    CHROMIUM,
    cell_text,
    choose,
    expect_breadcrumb,
    figure_customdata_rows,
    open_page,
    settle,
    wait_figure,
    wait_figure_changed,
    wait_grid_ids,
)
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from dashboard import read
from dashboard.display import month_label
from dashboard.scope import Scope
from layouts.components import CATEGORY_TABS
from layouts.national import tab_id

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

MONTH = "2025-04"  # not the latest month: every link must carry it
LATEST = "2025-06"
OTHER = "2024-11"
NATIONAL_GRAPHS = ("national-tile-map", "national-bump", "national-heatmap")
STATE_GRAPHS = ("state-why", "state-marks-lost", "state-trend", "state-heatmap")


def expect_month_picker(page: Page, month: str) -> None:
    expect(page.locator("#shell-month-value")).to_have_text(month_label(month))


def test_drill_down_and_back(page_as: Callable[[str], Page], demo_engine: Engine) -> None:
    page = page_as("ncrb")
    station = "HR-KNL-001"
    station_name = read.unit_info(demo_engine, "station", station)["name"]

    open_page(page, f"/?month={MONTH}", "#national-table [data-row-id=HR]")
    expect_breadcrumb(page, "National")
    expect_month_picker(page, MONTH)

    page.locator("#national-table [data-row-id=HR] [data-col-id=name] a").click()
    page.wait_for_url(f"**/state/HR?month={MONTH}")
    expect(page.locator("h1")).to_have_text("Haryana")
    expect_breadcrumb(page, "National", "Haryana")
    expect_month_picker(page, MONTH)

    row = page.locator("#state-districts [row-id=HR-KNL] [col-id=name]")
    expect(row).to_have_text("Karnal")
    row.click()
    page.wait_for_url(f"**/district/HR-KNL?month={MONTH}")
    expect(page.locator("h1")).to_have_text("Karnal")
    expect_breadcrumb(page, "National", "Haryana", "Karnal")
    expect_month_picker(page, MONTH)

    row = page.locator(f"#district-stations [row-id={station}] [col-id=name]")
    expect(row).to_contain_text(station_name)
    row.click()
    page.wait_for_url(f"**/station/{station}?month={MONTH}")
    expect(page.locator("h1")).to_have_text(station_name)
    expect_breadcrumb(page, "National", "Haryana", "Karnal", station_name)
    expect(page.locator("#station-params [row-id]").first).to_be_attached()
    expect_month_picker(page, MONTH)
    # breadcrumb links carry the month too
    expect(page.locator("#shell-breadcrumb a", has_text="Karnal")).to_have_attribute(
        "href", f"/district/HR-KNL?month={MONTH}")

    # the browser's back button walks the same way up, keeping the month
    page.go_back()
    page.wait_for_url(f"**/district/HR-KNL?month={MONTH}")
    expect(page.locator("h1")).to_have_text("Karnal")
    expect_breadcrumb(page, "National", "Haryana", "Karnal")
    expect(page.locator(f"#district-stations [row-id={station}]").first).to_be_attached()
    expect_month_picker(page, MONTH)

    page.go_back()
    page.wait_for_url(f"**/state/HR?month={MONTH}")
    expect(page.locator("h1")).to_have_text("Haryana")
    expect_breadcrumb(page, "National", "Haryana")
    expect(page.locator("#state-districts [row-id=HR-KNL]").first).to_be_attached()
    expect_month_picker(page, MONTH)

    page.go_back()
    page.wait_for_url(f"**/?month={MONTH}")
    expect(page.locator("h1")).to_have_text("National league table")
    expect_breadcrumb(page, "National")
    expect(page.locator("#national-table [data-row-id=HR]").first).to_be_attached()
    expect(page.locator("#national-subtitle")).to_contain_text(month_label(MONTH))
    expect_month_picker(page, MONTH)

    page.go_forward()
    page.wait_for_url(f"**/state/HR?month={MONTH}")
    expect_breadcrumb(page, "National", "Haryana")
    settle(page)


def _signatures(page: Page, graph_ids: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for gid in graph_ids:
        f = wait_figure(page, gid, "f.traces > 0", f"{gid} to be drawn")
        out[gid] = f["signature"]
    return out


def test_month_change_updates_national_page(page_as: Callable[[str], Page], demo_engine: Engine) -> None:
    page = page_as("ncrb")
    before_table = read.states_table(demo_engine, LATEST)
    after_table = read.states_table(demo_engine, OTHER)
    assert dict(zip(before_table.state_code, before_table.score_display, strict=True)) != \
        dict(zip(after_table.state_code, after_table.score_display, strict=True))

    open_page(page, f"/?month={LATEST}", "#national-table [data-row-id=HR]")
    before = _signatures(page, NATIONAL_GRAPHS)
    for r in before_table.itertuples():
        assert cell_text(page, "national-table", r.state_code, "score_centi") == r.score_display

    choose(page, "shell-month", month_label(OTHER))
    page.wait_for_url(f"**/?month={OTHER}")
    expect(page.locator("#national-subtitle")).to_contain_text(month_label(OTHER))
    for gid in NATIONAL_GRAPHS:
        wait_figure_changed(page, gid, before[gid])
    settle(page)

    # the table shows that month's published scores, in that month's order
    wait_grid_ids(page, "national-table", list(after_table.state_code))
    for r in after_table.itertuples():
        expect(page.locator(f"#national-table [data-row-id={r.state_code}] [data-col-id=score_centi]")).to_have_text(
            r.score_display)
    # the tile map carries that month's score text per State
    for r in after_table.itertuples():
        tiles = figure_customdata_rows(page, "national-tile-map", r.state_code)
        assert tiles and all(t[3] == r.score_display for t in tiles), (r.state_code, tiles)
    # the KPI "top of the table" is that month's #1
    expect(page.locator("#national-kpis")).to_contain_text(after_table.iloc[0]["name"])


def test_the_league_table_sorts_by_a_column(page_as: Callable[[str], Page], demo_engine: Engine) -> None:
    """A header is a button: a press sorts the rows by the column's number (the score in hundredths, as the
    grid sorted: ties keep the table's order), a second press reverses it, the rank column restores the
    league order; aria-sort says which, and the keyboard works as the mouse does."""
    page = page_as("ncrb")
    table = read.states_table(demo_engine, LATEST).reset_index(drop=True)
    league = list(table.state_code)
    by_score = list(table.assign(pos=range(len(table))).sort_values(["score_centi", "pos"]).state_code)
    by_score_down = list(table.assign(pos=range(len(table)), neg=-table.score_centi)
                         .sort_values(["neg", "pos"]).state_code)
    assert by_score != league and by_score_down != by_score
    open_page(page, f"/?month={LATEST}", "#national-table [data-row-id=HR]")
    wait_grid_ids(page, "national-table", league)
    score = page.locator("#national-table th[data-col-id=score_centi]")
    expect(score).to_have_attribute("aria-sort", "none")
    score.get_by_role("button").click()
    wait_grid_ids(page, "national-table", by_score)
    expect(score).to_have_attribute("aria-sort", "ascending")
    score.get_by_role("button").focus()
    page.keyboard.press("Enter")
    wait_grid_ids(page, "national-table", by_score_down)
    expect(score).to_have_attribute("aria-sort", "descending")
    rank = page.locator("#national-table th[data-col-id=rank]")
    rank.get_by_role("button").click()
    wait_grid_ids(page, "national-table", league)
    expect(rank).to_have_attribute("aria-sort", "ascending")
    expect(score).to_have_attribute("aria-sort", "none")
    # the drill-down still works from a sorted table
    page.locator("#national-table [data-row-id=HR] a").click()
    page.wait_for_url("**/state/HR**")


def test_month_change_updates_state_page(page_as: Callable[[str], Page], demo_engine: Engine) -> None:
    page = page_as("ncrb")
    head_before = read.states_table(demo_engine, LATEST).set_index("state_code").loc["HR"]
    head_after = read.states_table(demo_engine, OTHER).set_index("state_code").loc["HR"]
    assert head_before["score_display"] != head_after["score_display"]
    districts = read.districts_table(demo_engine, OTHER, "HR", Scope.national())

    open_page(page, f"/state/HR?month={LATEST}", "#state-districts [row-id=HR-KNL]")
    expect(page.locator("#state-kpis .kpi-value").first).to_have_text(head_before["score_display"])
    before = _signatures(page, STATE_GRAPHS)

    choose(page, "shell-month", month_label(OTHER))
    page.wait_for_url(f"**/state/HR?month={OTHER}")
    expect(page.locator("#state-subtitle")).to_contain_text(month_label(OTHER))
    for gid in STATE_GRAPHS:
        wait_figure_changed(page, gid, before[gid])
    expect(page.locator("#state-kpis .kpi-value").first).to_have_text(head_after["score_display"])
    wait_grid_ids(page, "state-districts", list(districts.unit_code))
    for r in districts.itertuples():
        expect(page.locator(f"#state-districts [row-id={r.unit_code}] [col-id=score_centi]")).to_have_text(
            r.score_display)
    expect_breadcrumb(page, "National", "Haryana")
    national_link = page.locator("#shell-breadcrumb a", has_text="National")
    expect(national_link).to_have_attribute("href", f"/?month={OTHER}")
    settle(page)


TABS = tuple((label, tab_id(label)) for label, _ in CATEGORY_TABS if label != "All India")
ACTIVE = re.compile(r"(^|\s)active(\s|$)")


def url_category(url: str) -> str | None:
    return parse_qs(urlsplit(url).query).get("category", [None])[0]


def test_category_tabs_and_history(page_as: Callable[[str], Page], demo_engine: Engine) -> None:
    page = page_as("ncrb")
    everyone = list(read.states_table(demo_engine, LATEST).state_code)
    open_page(page, f"/?month={LATEST}", "#national-table [data-row-id=HR]")
    wait_grid_ids(page, "national-table", everyone)
    expect(page.locator(f"#{tab_id('All India')}")).to_have_class(ACTIVE)

    seen: list[tuple[str, list[str]]] = [("All India", everyone)]
    for label, tab in TABS:
        members = list(read.states_table(demo_engine, LATEST, category=label).state_code)
        assert members and len(members) < len(everyone)
        page.locator(f"#{tab}").click()
        page.wait_for_url(lambda url, label=label: url_category(url) == label)
        wait_grid_ids(page, "national-table", members, ordered=False)
        expect(page.locator(f"#{tab}")).to_have_class(ACTIVE)
        expect(page.locator("#national-subtitle")).to_contain_text(label)
        seen.append((label, members))
    settle(page)

    # back walks the tabs in reverse; forward again
    for label, members in reversed(seen[:-1]):
        page.go_back()
        wait_grid_ids(page, "national-table", members, ordered=False)
        assert url_category(page.url) == (None if label == "All India" else label)
        expect(page.locator(f"#{tab_id(label)}")).to_have_class(ACTIVE)
        expect(page.locator("#national-subtitle")).to_contain_text("All States/UTs" if label == "All India" else label)
    assert f"month={LATEST}" in page.url
    page.go_forward()
    wait_grid_ids(page, "national-table", seen[1][1], ordered=False)
    assert url_category(page.url) == TABS[0][0]
    expect(page.locator(f"#{TABS[0][1]}")).to_have_class(ACTIVE)
    settle(page)
