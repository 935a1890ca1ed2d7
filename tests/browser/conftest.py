"""Browser-test fixtures: the demo app served on 127.0.0.1 (a real HTTP server in a thread), headless Debian
Chromium launched once per session, a fresh browser context per test, and signed-in pages.

Every test using `page` / `page_as` FAILS (not errors) on a browser console error, an uncaught page error, or
a request to any host other than 127.0.0.1: the hook below checks the guard after the test body has run.

Never run `playwright install`: these tests use the system Chromium at /usr/bin/chromium and skip without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
from browser_support import BrowserGuard

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"]
VIEWPORT = {"width": 1366, "height": 768}
DEFAULT_TIMEOUT_MS = 45_000  # waits, never speed checks: CI's 2 cores may be busy with the server's own work
EXPECT_TIMEOUT_MS = 15_000  # playwright's `expect` default (5 s) is short for a busy 2-core machine

try:
    from playwright.sync_api import expect as _expect

    _expect.set_options(timeout=EXPECT_TIMEOUT_MS)
except ImportError:  # no playwright: the browser tests skip
    pass


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After a browser test's body passes, fail it if its guard saw console errors or foreign requests."""
    result = yield
    guard = getattr(item, "browser_guard", None)
    if guard is not None:
        guard.check()
    return result


@pytest.fixture(scope="session")
def live_server(dash_app) -> Iterator[str]:
    """The app (demo database, demo users) served by werkzeug on 127.0.0.1:<free port>; yields the base URL."""
    from live_server import serve

    with serve(dash_app.server, "browser-live-server") as url:
        yield url


@pytest.fixture
def context(request: pytest.FixtureRequest, browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    """A fresh browser context (no cookies, no localStorage) per test, watched by a BrowserGuard."""
    guard = BrowserGuard("127.0.0.1")
    request.node.browser_guard = guard
    ctx = browser.new_context(base_url=live_server, viewport=VIEWPORT, accept_downloads=True)
    ctx.set_default_timeout(DEFAULT_TIMEOUT_MS)
    ctx.on("page", guard.watch)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A page of the test's context (not signed in)."""
    return context.new_page()


@pytest.fixture(scope="session")
def _signed_in_cookies() -> dict[str, list]:
    """Session cookies per demo user, captured after one sign-in through the form (reused by later tests)."""
    return {}


@pytest.fixture
def page_as(context: BrowserContext, page: Page, demo_users: dict[str, str],
            _signed_in_cookies: dict[str, list]) -> Callable[[str], Page]:
    """`page_as("karnal-sp")` -> the test's page, signed in as that demo user.

    The first time a user is needed in the session the sign-in goes through the /login form (see
    `browser_support.sign_in`); later tests reuse that session's cookies in their fresh context."""
    from browser_support import sign_in

    def _as(username: str) -> Page:
        cookies = _signed_in_cookies.get(username)
        if cookies:
            context.add_cookies(cookies)
        else:
            sign_in(page, username, demo_users[username])
            _signed_in_cookies[username] = context.cookies()
        return page

    return _as
