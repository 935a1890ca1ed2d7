"""The operations and review pages in Hindi, with their dialogs and the states after an action, on an app of its
own (a copy of the demo, so nothing of the shared demo changes): the actions page and an opened action (after a
comment and a status change), the data-to-verify page (after a flag is refused without a reason and dismissed
with one), the provisional figures, the import page (a file with problems, the preview of a good one, the import
done), the import batches (a batch opened, its revert previewed), the users page (a user added) and the audit
trail, each signed in as a role that can open it. Fails on any English word left (`test_languages.english_left`).

With CCTNS_SHOTS_DIR set, every state is also photographed at 1366x768 and 390x844 (full page) into that folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM, BrowserGuard, settle, state_import_files, upload_files
from live_server import serve
from playwright.sync_api import Page, expect
from sqlalchemy import select
from test_languages import VISIBLE_TEXT, english_left, names_in

from dashboard.i18n import COOKIE_NAME

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

STATE, DISTRICT = "HR", "HR-KNL"
DESKTOP, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}
READY_MS = 60_000
SHOTS = os.environ.get("CCTNS_SHOTS_DIR")


@pytest.fixture(scope="module")
def hindi_ops(demo_engine, demo_dir, tmp_path_factory) -> Iterator[dict]:
    """An app on a copy of the demo (provisional figures and flags included) with the reviews of its last month
    held (open actions for Haryana and Karnal), served on 127.0.0.1."""
    from app import create_app
    from dashboard.config import load_settings
    from dashboard.ingest.demo_reviews import hold_reviews
    from dashboard.read import latest_month
    from dashboard.store.db import get_engine
    from dashboard.web.users import create_demo_users

    folder = tmp_path_factory.mktemp("hindi-ops")
    db = folder / "hindi.sqlite3"
    with demo_engine.connect() as conn:  # a consistent copy even if another test writes meanwhile
        conn.exec_driver_sql(f"VACUUM INTO '{db}'")
    url = f"sqlite:///{db}"
    engine = get_engine(url)
    month = latest_month(engine)
    assert hold_reviews(engine, month) > 0
    passwords = create_demo_users(engine)
    settings = load_settings({"CCTNS_DATABASE_URL": url, "CCTNS_INSTANCE_DIR": str(folder / "instance"),
                              "CCTNS_SECRET_KEY": "hindi-ops-browser-test-secret-key-0123456789"})
    app = create_app(settings)
    with serve(app.server) as base:
        yield {"base": base, "engine": engine, "passwords": passwords, "month": month, "folder": folder,
               "csv": demo_dir / "csv"}
    engine.dispose()


@pytest.fixture
def hindi_page(request, browser, hindi_ops) -> Iterator[Callable[[str], Page]]:
    """`hindi_page("ncrb")`: a fresh context signed in as that demo user, its pages in Hindi."""
    guard = BrowserGuard("127.0.0.1")
    request.node.browser_guard = guard
    contexts = []

    def make(username: str) -> Page:
        ctx = browser.new_context(base_url=hindi_ops["base"], viewport=DESKTOP, accept_downloads=True)
        ctx.set_default_timeout(20_000)
        ctx.on("page", guard.watch)
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto("/login")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(hindi_ops["passwords"][username])
        page.locator("button[type=submit]").click()
        page.wait_for_url(lambda url: "/login" not in url)
        expect(page.locator("#shell-navbar")).to_be_visible()
        ctx.add_cookies([{"name": COOKIE_NAME, "value": "hi", "url": hindi_ops["base"]}])
        return page

    yield make
    for ctx in contexts:
        ctx.close()


class Walk:
    """Collects the English left on each state of the pages (and photographs each state when asked)."""

    def __init__(self, page: Page, engine, user: str) -> None:
        self.page, self.engine, self.user = page, engine, user
        self.problems: dict[str, list[str]] = {}

    def open(self, path: str, ready: str) -> None:
        self.page.goto(path)
        expect(self.page.locator(ready).first).to_be_attached(timeout=READY_MS)
        settle(self.page)

    def visit(self, path: str, ready: str, label: str | None = None) -> None:
        """Open `path`, wait for `ready`, and look at it (under `label`, the path by default)."""
        self.open(path, ready)
        self.look(path if label is None else label)

    def look(self, label: str) -> None:
        settle(self.page)
        assert self.page.evaluate("document.documentElement.lang") == "hi", label
        self.problems[label] = english_left(self.page.evaluate(VISIBLE_TEXT), names_in(self.engine))
        if SHOTS:
            folder = Path(SHOTS)
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{self.user}-{label}".replace("/", "_").replace("?", "_").replace("=", "-").replace("&", "_")
            for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                self.page.set_viewport_size(viewport)
                settle(self.page)
                self.page.screenshot(path=str(folder / f"{name}-{size}.png"), full_page=True)
            self.page.set_viewport_size(DESKTOP)

    def check(self) -> None:
        left = {k: v for k, v in self.problems.items() if v}
        total = sum(len(v) for v in left.values())
        counts = ", ".join(f"{k}: {len(v)}" for k, v in self.problems.items())
        lines = [f"{k}: {t}" for k, v in left.items() for t in v]
        assert not left, f"visible English on Hindi pages ({total}; {counts}):\n" + "\n".join(lines)


def _first_action(engine, where: str) -> int:
    from dashboard.store.models import Action

    with engine.connect() as conn:
        return int(conn.execute(select(Action.id).where(Action.unit_code.like(f"{where}%"))
                                .order_by(Action.id)).scalars().first())


def _month_files(ops: dict) -> list[Path]:
    return [ops["csv"] / f"{kind}_rows_{ops['month']}.csv" for kind in ("station", "state")]


def test_sp_actions_and_provisional_in_hindi(hindi_ops, hindi_page) -> None:
    page = hindi_page("karnal-sp")
    walk = Walk(page, hindi_ops["engine"], "karnal-sp")
    walk.visit("/actions", "#actions-table [row-id]")
    action = _first_action(hindi_ops["engine"], DISTRICT)
    walk.visit(f"/actions?action={action}", "#action-details", "/actions?action")
    page.locator("#action-comment").fill("SHO briefed; 12 records entered on the 3rd")
    page.locator("#action-save-comment").click()
    expect(page.locator("#action-comments")).to_contain_text("12 records entered on the 3rd")
    page.locator("#action-new-status input[value=done]").check()
    page.locator("#action-save-status").click()
    expect(page.locator("#action-message")).not_to_be_empty()
    walk.look("/actions?action (after a comment and a status)")
    walk.visit("/provisional", ".provisional-todo tbody tr, #provisional-kpis *")
    walk.check()


def test_state_flags_and_actions_in_hindi(hindi_ops, hindi_page) -> None:
    page = hindi_page("haryana")
    walk = Walk(page, hindi_ops["engine"], "haryana")
    walk.visit("/actions", "#actions-table [row-id]")
    walk.visit("/flags", "#flags-summary:not(:empty)")
    first = page.locator("#flags-table .ag-row [col-id='unit_text']").first
    expect(first).to_be_visible()  # the demo has flags to verify in Haryana
    flag = page.locator("#flags-table .ag-row").first.get_attribute("row-id")
    first.click()
    expect(page.locator("#flags-submit")).to_be_enabled()
    page.locator("#flags-decision input[value=dismissed]").check()
    page.locator("#flags-submit").click()
    expect(page.locator("#flags-message")).not_to_be_empty()
    walk.look("/flags (a dismissal without a reason)")
    page.locator("#flags-reason").fill("Checked with the district: a station was split")
    page.locator("#flags-submit").click()
    expect(page.locator(f"#flags-table [row-id='{flag}']")).to_have_count(0, timeout=READY_MS)  # dismissed
    walk.look("/flags (after a flag is dismissed)")
    walk.visit("/provisional?state=HR", ".provisional-todo tbody tr")
    walk.check()


def test_national_admin_operations_in_hindi(hindi_ops, hindi_page, tmp_path) -> None:
    page = hindi_page("ncrb")
    walk = Walk(page, hindi_ops["engine"], "ncrb")
    walk.visit("/actions?state=HR", "#actions-table [row-id]")
    walk.visit(f"/actions?action={_first_action(hindi_ops['engine'], STATE)}", "#action-details", "/actions?action (read only)")
    walk.visit("/flags?state=HR", "#flags-summary:not(:empty)")
    walk.visit("/provisional", "#provisional-states *")

    # the import: a file with problems, then the preview of a good one, then the import done
    walk.visit("/data/import", "#import-drop")
    upload_files(page, state_import_files(_month_files(hindi_ops), tmp_path / "bad", STATE, bump=2, broken=True))
    expect(page.locator("#import-problems-grid")).to_be_visible(timeout=READY_MS)
    walk.look("/data/import (problems)")
    upload_files(page, state_import_files(_month_files(hindi_ops), tmp_path / "good", STATE, bump=2))
    expect(page.locator("#import-preview-card")).to_be_visible(timeout=READY_MS)
    walk.look("/data/import (preview)")
    page.locator("#import-go").click()
    expect(page.locator("#import-result .alert-success")).to_be_visible(timeout=READY_MS)
    walk.look("/data/import (imported)")

    # the batches: the list, a batch opened, its revert previewed
    walk.visit("/data/batches", "#batches-grid [row-id]")
    batch = page.locator("#batches-grid .ag-row").first.get_attribute("row-id")
    walk.open(f"/data/batches?batch={batch}", "#batches-detail .panel")
    page.locator("#batches-reason").fill("Lowered test figures loaded by mistake")
    page.locator("#batches-preview-go").click()
    expect(page.locator("#import-preview-card")).to_be_visible(timeout=READY_MS)
    walk.look("/data/batches?batch (revert previewed)")

    # the users: the list, a user added (its one-time password), the audit trail
    walk.visit("/admin/users", "#users-grid [row-id=ncrb]")
    page.locator("#users-new-username").fill("kurukshetra-sp")
    page.locator("#users-new-state").fill(STATE)
    page.locator("#users-new-district").fill(DISTRICT)
    page.locator("#users-add").click()
    expect(page.locator("#users-otp")).to_be_visible(timeout=READY_MS)
    walk.look("/admin/users (a user added)")
    page.locator("#users-grid [row-id=haryana] [col-id=username]").click()
    expect(page.locator("#users-selected")).not_to_be_empty()
    walk.look("/admin/users (a user chosen)")
    walk.visit("/admin/audit", "#audit-grid [row-id]")
    walk.check()
