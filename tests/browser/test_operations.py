"""Headless Chromium, operations in the browser (issue 16), on an app of its own (a copy of the demo with the
last month loaded, so nothing of the shared demo changes):

* a State operator uploads a file with errors (sees them, nothing changes), fixes it, sees the preview
  (the State's score before -> after and its rank), imports, sees the new batch, reverts it with a reason,
  and every score is back exactly;
* an administrator adds a district user, who signs in with the one-time password, must change it, and
  signs in with the new one.

Screenshots at 1366x768 go to $CCTNS_SHOTS_DIR when it is set (not into the repository).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM, BrowserGuard, grid_rows, settle, state_import_files, upload_files
from live_server import serve
from playwright.sync_api import Page, expect
from sqlalchemy import select

from dashboard.display import score_display
from dashboard.store import read_generation
from dashboard.store.models import District, ResultUnit

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

STATE = "HR"
VIEWPORT = {"width": 1366, "height": 768}
DEFAULT_TIMEOUT_MS = 20_000
SHOTS = os.environ.get("CCTNS_SHOTS_DIR")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


@pytest.fixture(scope="module")
def ops(held_back, tmp_path_factory) -> Iterator[dict]:
    """An app on a copy of the held-back demo with its last month imported, served on 127.0.0.1."""
    from app import create_app
    from dashboard.config import load_settings
    from dashboard.ingest import import_files
    from dashboard.store.db import get_engine
    from dashboard.web.users import create_demo_users

    folder = tmp_path_factory.mktemp("ops-app")
    db = folder / "ops.sqlite3"
    shutil.copy(held_back.base_db, db)
    url = f"sqlite:///{db}"
    engine = get_engine(url)
    import_files(engine, held_back.last_files, user="test")
    passwords = create_demo_users(engine)
    settings = load_settings({"CCTNS_DATABASE_URL": url, "CCTNS_INSTANCE_DIR": str(folder / "instance"),
                              "CCTNS_SECRET_KEY": "ops-browser-test-secret-key-0123456789abcdef"})
    app = create_app(settings)

    with serve(app.server) as base:
        yield {"base": base, "engine": engine, "passwords": passwords,
               "folder": folder, "month": held_back.last_month, "held_back": held_back, "instance": folder / "instance"}


@pytest.fixture
def ops_page(request, browser, ops) -> Iterator[Page]:
    guard = BrowserGuard("127.0.0.1")
    request.node.browser_guard = guard
    ctx = browser.new_context(base_url=ops["base"], viewport=VIEWPORT, accept_downloads=True)
    ctx.set_default_timeout(DEFAULT_TIMEOUT_MS)
    ctx.on("page", guard.watch)
    yield ctx.new_page()
    ctx.close()


def sign_in(page: Page, username: str, password: str, lands: str = "#shell-navbar") -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.locator(lands)).to_be_visible()


def scores(engine) -> dict[tuple[str, str, str], tuple]:
    t = ResultUnit.__table__
    with engine.connect() as conn:
        return {(m, lv, c): (s, sc, rn, rs, rd) for m, lv, c, s, sc, rn, rs, rd in conn.execute(
            select(t.c.month, t.c.level, t.c.unit_code, t.c.score, t.c.score_centi, t.c.rank_national,
                   t.c.rank_in_state, t.c.rank_in_district).where(t.c.scheme == "cctns"))}  # the preview's scheme


def test_operator_uploads_previews_imports_and_reverts(ops, ops_page: Page, tmp_path):
    page, engine, month = ops_page, ops["engine"], ops["month"]
    before, generation = scores(engine), read_generation(engine)
    sign_in(page, "haryana", ops["passwords"]["haryana"])
    page.goto("/data/import")
    settle(page)

    # 1. a file with errors: every problem listed, nothing stored
    bad = tmp_path / "bad"
    bad.mkdir()
    upload_files(page, state_import_files(ops["held_back"].last_files, bad, STATE, bump=2, broken=True,
                                             foreign_state="UP"))
    expect(page.locator("#import-problems-grid")).to_be_visible(timeout=60_000)
    settle(page)
    rows = [r["data"] for r in grid_rows(page, "import-problems-grid")]
    assert any(r["column"] == "numerator" and r["value"] == "twelve" for r in rows), rows[:5]
    assert any("UP" in r["rule"] and "only HR" in r["rule"] for r in rows), rows[:5]
    expect(page.get_by_text("Download the problem list (CSV)")).to_be_visible()
    assert scores(engine) == before and read_generation(engine) == generation
    leftovers = [p for p in (ops["instance"] / "uploads").rglob("*") if p.suffix in (".csv", ".xlsx")]
    assert not leftovers, f"the refused files were kept: {leftovers}"
    shot(page, "import-problems")

    # 2. fixed: the preview shows Haryana's score before -> after and its rank
    good = tmp_path / "good"
    good.mkdir()
    upload_files(page, state_import_files(ops["held_back"].last_files, good, STATE, bump=2))
    card = page.locator("#import-preview-card")
    expect(card).to_be_visible(timeout=60_000)
    settle(page)
    hr_row = card.locator("tr.table-active").first
    expect(hr_row).to_contain_text("Haryana")
    old_score = score_display(before[(month, "state", STATE)][1])
    expect(hr_row).to_contain_text(old_score)
    assert scores(engine) == before, "the preview wrote something"
    shot(page, "import-preview")
    preview_text = hr_row.inner_text()

    # 3. import: the numbers are the preview's
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text(re.compile(r"Imported as batch \d+"))).to_be_visible(timeout=60_000)
    batch_id = int(re.search(r"batch (\d+)", page.get_by_text(re.compile(r"Imported as batch")).inner_text()).group(1))
    after = scores(engine)
    new = after[(month, "state", STATE)]
    assert new[1] != before[(month, "state", STATE)][1]
    assert score_display(new[1]) in preview_text and f"#{new[2]}" in preview_text.replace(" ", "") or \
        str(new[2]) in preview_text
    shot(page, "import-done")

    # 4. the new batch, its changes, and the revert with a reason
    page.get_by_role("link", name="See the import batches").click()
    page.wait_for_url("**/data/batches**")
    settle(page)
    ids = [r["id"] for r in grid_rows(page, "batches-grid")]
    assert str(batch_id) == ids[0], ids
    page.goto(f"/data/batches?batch={batch_id}")
    settle(page)
    expect(page.get_by_text(f"Batch {batch_id}", exact=True)).to_be_visible()
    page.get_by_label("Reason (kept in the audit trail)").fill("Lowered test figures loaded by mistake")
    page.get_by_role("button", name="Preview the revert").click()
    expect(page.get_by_text("What the revert will change")).to_be_visible(timeout=60_000)
    settle(page)
    shot(page, "revert-preview")
    page.get_by_role("button", name="Revert", exact=True).click()
    expect(page.get_by_text(re.compile(rf"Batch {batch_id} reverted"))).to_be_visible(timeout=60_000)
    settle(page)
    assert scores(engine) == before, "the scores are not back exactly"
    shot(page, "revert-done")


def test_admin_adds_a_district_user_who_changes_the_password(ops, ops_page: Page, browser):
    page, engine = ops_page, ops["engine"]
    with engine.connect() as conn:
        district = conn.execute(select(District.code).where(District.state_code == STATE)
                                .order_by(District.code.desc())).scalars().first()
    sign_in(page, "ncrb", ops["passwords"]["ncrb"])
    page.goto("/admin/users")
    settle(page)
    expect(page.locator("#users-grid")).to_be_visible()
    page.get_by_label("Username", exact=True).fill("new-sp")
    page.locator("#users-new-state").fill(STATE)
    page.locator("#users-new-district").fill(district)
    page.get_by_role("button", name="Add user").click()
    otp_box = page.locator("#users-otp")
    expect(otp_box).to_be_visible()
    otp = otp_box.inner_text().strip()
    settle(page)
    assert len(otp) >= 16
    expect(page.locator("#users-grid [row-id='new-sp']")).to_be_visible()
    shot(page, "users-added")
    page.goto("/admin/audit")
    settle(page)
    expect(page.locator("#audit-grid")).to_be_visible()
    shot(page, "audit")

    # the new SP: the one-time password opens only the form to change it
    ctx = browser.new_context(base_url=ops["base"], viewport=VIEWPORT)
    guard = BrowserGuard("127.0.0.1")
    ctx.on("page", guard.watch)
    sp = ctx.new_page()
    try:
        sign_in(sp, "new-sp", otp, lands="form[aria-label='Change password']")
        assert sp.url.endswith("/account/password")
        sp.goto("/")
        assert sp.url.endswith("/account/password"), "a one-time password opened the app"
        shot(sp, "password-forced")
        sp.get_by_label("Current password").fill(otp)
        sp.get_by_label("New password", exact=True).fill("karnal review passphrase")
        sp.get_by_label("New password again").fill("karnal review passphrase")
        sp.get_by_role("button", name="Change password").click()
        expect(sp.get_by_text("Your password has been changed")).to_be_visible()
        sign_in(sp, "new-sp", "karnal review passphrase")
        settle(sp)
        expect(sp.locator("#shell-user")).to_contain_text("new-sp")
        guard.check()
    finally:
        ctx.close()
