"""Headless Chromium: every internal link of every page opened with `?scheme=icjs` keeps the scheme
(issue 13): the navbar, breadcrumb, drill-down buttons, unit links, "open the full list" links, the lagging
list's station links, the deck's pack buttons and exit, the provisional notice and the flags links. The
test walks the rendered `<a href>` of each page and fails naming every link that drops the scheme; then it
follows a drill-down and the breadcrumb (the search box's target is tested in tests/app/test_shell_national.py).
Fails on any console error."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import CHROMIUM, open_page, settle
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

MONTH = "2025-06"
SCHEME = "icjs"
STATION = "HR-KNL-001"

# (path, selector of content a callback fills)
PAGES: tuple[tuple[str, str], ...] = (
    ("/", "#national-table [data-row-id=HR]"),
    ("/state/HR", "#state-districts [row-id=HR-KNL]"),
    ("/district/HR-KNL", f"#district-stations [row-id={STATION}]"),
    (f"/station/{STATION}", "#station-params [row-id]"),
    ("/lagging?state=MN", "#lagging-table [row-id]"),
    ("/lagging", "#lagging-states [row-id]"),
    ("/methodology", "#shell-data-as-of:not(:has-text('–'))"),
    ("/flags", "#shell-data-as-of:not(:has-text('–'))"),
    ("/present?state=HR", ".deck-download"),
)

# pages that are not figures of a scheme: the account, administration and import screens
NOT_PER_SCHEME = ("/logout", "/profile", "/account/", "/admin/", "/data/import", "/data/batches", "/download/problems",
                  "/download/audit", "/login")


SWITCHES = "#national-scheme-tabs, .scheme-ranks"  # links to the same page in each scheme (checked apart)


def internal_links(page: Page) -> list[str]:
    hrefs = page.evaluate("""(switches) => Array.from(document.querySelectorAll('a[href]'))
        .filter(a => !a.closest(switches)).map(a => a.getAttribute('href'))""", SWITCHES)
    return [h for h in hrefs if h.startswith("/") and not h.startswith("//") and not h.startswith(NOT_PER_SCHEME)]


def dropped(hrefs: list[str]) -> list[str]:
    return [h for h in hrefs if parse_qs(urlsplit(h).query).get("scheme") != [SCHEME]]


def with_query(path: str) -> str:
    sep = "&" if "?" in path else "?"
    return f"{path}{sep}month={MONTH}&scheme={SCHEME}"


def test_every_link_of_every_page_keeps_the_scheme(page_as: Callable[[str], Page]) -> None:
    page = page_as("ncrb")
    problems: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for path, ready in PAGES:
        open_page(page, with_query(path), ready)
        if path == "/":  # the navbar's hrefs are written by a clientside callback after the URL is read
            expect(page.locator("#shell-nav-lagging")).to_have_attribute("href", f"/lagging?month={MONTH}&scheme={SCHEME}")
        for link in page.locator(f":is({SWITCHES}) a[href]").all():  # each switch goes to its own scheme
            scheme = parse_qs(urlsplit(link.get_attribute("href")).query).get("scheme", ["cctns"])[0]
            expect(link).to_contain_text({"cctns": "CCTNS", "icjs": "ICJS", "itsso": "ITSSO"}[scheme])
        hrefs = internal_links(page)
        counts[path] = len(hrefs)
        if bad := dropped(hrefs):
            problems[path] = sorted(set(bad))
    assert not problems, f"links that drop ?scheme={SCHEME}: {problems}"
    assert all(n >= 5 for n in counts.values()), counts  # the walk saw the pages' links (navbar and more)
    assert counts["/state/HR"] > counts["/methodology"]  # the State page's own links were rendered


def test_drill_down_and_breadcrumb_keep_the_scheme(page_as: Callable[[str], Page]) -> None:
    page = page_as("ncrb")
    open_page(page, with_query("/state/HR"), "#state-districts [row-id=HR-KNL]")
    page.locator("#state-districts [row-id=HR-KNL] [col-id=name]").first.click()
    page.wait_for_url(f"**/district/HR-KNL?month={MONTH}&scheme={SCHEME}")
    expect(page.locator(f"#district-stations [row-id={STATION}]").first).to_be_attached(timeout=60_000)
    settle(page)
    page.locator("#shell-breadcrumb a", has_text="Haryana").click()
    page.wait_for_url(f"**/state/HR?month={MONTH}&scheme={SCHEME}")
    expect(page.locator("#shell-scheme-value")).to_have_text("ICJS")
