"""The digests' HTML in headless Chromium at 600 px (an e-mail client's reading pane): nothing wider than
600 px, no request to any host (no external images, fonts or scripts), every section visible. Screenshots
go to CCTNS_DIGEST_SHOTS (e.g. /work/shots/digests) when it is set."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from dashboard.digests import Links, compose_monthly, compose_reminder, get_profile, reminder_due, render_html

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium")]
USERS = ("haryana", "karnal-sp", "imphal-sp", "ncrb")


def digests(engine, month):
    links = Links("https://cctns.example.org")
    y, m = int(month[:4]), int(month[5:])
    today = date(y + (m == 12), m % 12 + 1, 7)
    rem = reminder_due(today, 5, 10)
    for name in USERS:
        r = get_profile(engine, name)
        yield f"{month}-monthly-{name}", compose_monthly(engine, r, month, links)
    for name in ("haryana", "imphal-sp"):
        yield f"{month}-reminder-{name}", compose_reminder(engine, get_profile(engine, name), rem, today, links)


def test_digest_html_fits_600px_and_loads_nothing(browser, digest_engine, month):
    shots = os.environ.get("CCTNS_DIGEST_SHOTS")
    page = browser.new_page(viewport={"width": 600, "height": 900})
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    for name, d in digests(digest_engine, month):
        page.set_content(render_html(d), wait_until="load")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 600, (name, width)
        assert page.locator("h1").inner_text() == d.title
        assert page.locator("h2").count() == sum(1 for s in d.sections if s.title)
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)
    assert [u for u in requests if not u.startswith(("about:", "data:"))] == []
    page.close()
