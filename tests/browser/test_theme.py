"""Headless Chromium: the theme switch sets Bootstrap's colour mode on <html>, persists across a reload and
other pages, and puts the plotly figures on the matching template (issue 3)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from browser_support import CHROMIUM, open_page, settle, wait_figure
from playwright.sync_api import Page, expect

from layouts.figures import template_json

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]


def _colours(dark: bool) -> tuple[str, str]:
    layout = template_json(dark)["layout"]
    return layout["font"]["color"], layout["paper_bgcolor"]


def expect_theme(page: Page, theme: str, graphs: tuple[str, ...]) -> None:
    dark = theme == "dark"
    html = page.locator("html")
    expect(html).to_have_attribute("data-bs-theme", theme)
    expect(html).to_have_attribute("data-ag-theme-mode", theme)
    if dark:
        expect(page.locator("#shell-theme-switch")).to_be_checked()
    else:
        expect(page.locator("#shell-theme-switch")).not_to_be_checked()
    font, paper = _colours(dark)
    for gid in graphs:
        f = _wait_font(page, gid, font, theme)
        assert f["paper_bgcolor"] == paper, (gid, f)


def _wait_font(page: Page, gid: str, font: str, theme: str) -> dict:
    js = f"f.traces > 0 && f.template_font_color === {font!r} && f.font_color === {font!r}"
    return wait_figure(page, gid, js, f"{gid} on the {theme} template")


def body_background(page: Page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


NATIONAL_GRAPHS = ("national-tile-map", "national-bump", "national-heatmap")


def test_theme_switch_persists_and_themes_figures(page_as: Callable[[str], Page]) -> None:
    page = page_as("ncrb")
    open_page(page, "/", "#national-table [data-row-id=HR]")
    expect_theme(page, "light", NATIONAL_GRAPHS)
    light_bg = body_background(page)

    page.locator("#shell-theme-switch").click()
    expect_theme(page, "dark", NATIONAL_GRAPHS)
    assert body_background(page) != light_bg

    page.reload()
    expect(page.locator("#national-table [data-row-id=HR]").first).to_be_attached()
    expect_theme(page, "dark", NATIONAL_GRAPHS)
    settle(page)

    # another page opens dark, with dark figures
    open_page(page, "/state/HR", "#state-districts [row-id=HR-KNL]")
    expect_theme(page, "dark", ("state-trend", "state-marks-lost"))

    page.locator("#shell-theme-switch").click()
    expect_theme(page, "light", ("state-trend", "state-marks-lost"))
    assert body_background(page) == light_bg
    page.reload()
    expect(page.locator("#state-districts [row-id=HR-KNL]").first).to_be_attached()
    expect_theme(page, "light", ("state-trend",))
    settle(page)
