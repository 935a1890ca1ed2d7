"""Headless Chromium: the navbar's "Sign out" opens the confirmation page, its POST form signs out, and the
cookies the browser held before no longer open anything (issue 9, findings 1 and 8).

Signs in as fresh users of its own (through the form), so the demo users' cached sessions that other
browser tests reuse are never ended here."""

from __future__ import annotations

import secrets

import pytest
import requests
from browser_support import CHROMIUM, settle, sign_in
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import Engine

from dashboard.web.users import create_user

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]


def new_user(engine: Engine) -> tuple[str, str]:
    name, password = f"browser-signout-{secrets.token_hex(4)}", secrets.token_urlsafe(15)
    create_user(engine, name, password, "district", district_code="HR-KNL", actor="test")
    return name, password


def cookies_answer(context: BrowserContext, base: str, cookies: list[dict]) -> int:
    """The status a copy of these cookies gets for a data route (what an attacker who kept them sees)."""
    jar = requests.Session()
    for c in cookies:
        jar.cookies.set(c["name"], c["value"], domain="127.0.0.1", path=c.get("path", "/"))
    return jar.get(f"{base}/_dash-layout", timeout=10).status_code


def test_navbar_sign_out_asks_then_signs_out(page: Page, context: BrowserContext, live_server: str,
                                              demo_engine: Engine) -> None:
    name, password = new_user(demo_engine)
    sign_in(page, name, password)
    settle(page)
    kept = context.cookies()
    assert cookies_answer(context, live_server, kept) == 200

    page.get_by_role("link", name="Sign out").click()
    page.wait_for_url("**/logout")
    expect(page.get_by_role("heading", name="Sign out")).to_be_visible()
    assert cookies_answer(context, live_server, kept) == 200  # the page alone signs nobody out

    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url("**/login?signed_out=1")
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    assert cookies_answer(context, live_server, kept) == 401
    page.goto("/")
    page.wait_for_url("**/login?next=/")


def test_sign_out_everywhere_ends_the_other_browsers_session(page: Page, context: BrowserContext,
                                                             browser, live_server: str,
                                                             demo_engine: Engine) -> None:
    name, password = new_user(demo_engine)
    other_context = browser.new_context(base_url=live_server)
    try:
        other = other_context.new_page()
        sign_in(other, name, password)
        sign_in(page, name, password)
        page.goto("/logout")
        page.get_by_role("button", name="Sign out everywhere").click()
        page.wait_for_url("**/login?signed_out=all")
        expect(page.get_by_role("status")).to_have_text("You have signed out everywhere.")
        other.goto("/")
        other.wait_for_url("**/login?next=/")
    finally:
        other_context.close()
