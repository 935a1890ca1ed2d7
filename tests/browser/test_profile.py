"""/profile in Chromium: the signed-in user's address and digest choices, changed with the keyboard and
saved; a bad address is refused with a message. Screenshot to CCTNS_DIGEST_SHOTS when set."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import CHROMIUM, open_page
from playwright.sync_api import Page, expect

from dashboard.digests import get_profile, set_profile

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]


def test_profile_form_saves_the_users_own_choices(page_as: Callable[[str], Page], demo_engine) -> None:
    before = get_profile(demo_engine, "karnal-sp")
    set_profile(demo_engine, "karnal-sp", email="karnal-sp@example.org", monthly=True, reminder=True, actor="test")
    try:
        page = page_as("karnal-sp")
        open_page(page, "/profile", "#profile-subtitle:has-text('karnal-sp')")
        expect(page.locator("#shell-breadcrumb li").last).to_have_text("Your profile")
        email = page.get_by_label("E-mail address")
        expect(email).to_have_value("karnal-sp@example.org")
        expect(page.get_by_label("Monthly digest")).to_be_checked()
        email.fill("not an address")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#profile-status")).to_contain_text("Not saved")
        email.fill("sp.karnal@example.org")
        page.get_by_label("Monthly digest").uncheck()
        page.get_by_role("button", name="Save").press("Enter")
        expect(page.locator("#profile-status")).to_contain_text("Saved. sp.karnal@example.org will receive the "
                                                                 "cut-off reminder")
        p = get_profile(demo_engine, "karnal-sp")
        assert (p.email, p.monthly, p.reminder) == ("sp.karnal@example.org", False, True)
        if os.environ.get("CCTNS_DIGEST_SHOTS"):
            page.set_viewport_size({"width": 1366, "height": 768})
            page.screenshot(path=str(Path(os.environ["CCTNS_DIGEST_SHOTS"]) / "profile-page.png"))
    finally:
        set_profile(demo_engine, "karnal-sp", email=before.email, monthly=before.monthly, reminder=before.reminder,
                    language=before.language, actor="test")
