"""axe-core (the real one, vendored from npm in `vendor/axe-core/`) in headless Chromium: every page, signed in
as each role, in both themes, has no serious and no critical violation (issue 12).

The report of every violation found (any impact) is written as JSON when CCTNS_AXE_REPORT names a file:
that is how the figures per page before and after the fixes were measured.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, open_page
from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
THEMES = ("light", "dark")
STATION = "HR-KNL-001"

# (path, selector of content a callback fills): the same for every role that may open the page
COMMON_PAGES: tuple[tuple[str, str], ...] = (
    ("/", "#national-table [row-id=HR]"),
    ("/state/HR", "#state-title:has-text('Haryana')"),
    ("/district/HR-KNL", "#district-title:has-text('Karnal')"),
    (f"/station/{STATION}", "#station-params [row-id], #station-notice:not(:empty)"),
    ("/lagging?state=HR", "#lagging-subtitle:has-text('Haryana')"),
    ("/methodology", "#shell-data-as-of:not(:has-text('–'))"),
    ("/data", "#shell-data-as-of:not(:has-text('–'))"),
    ("/actions", "#actions-subtitle:not(:empty)"),
    ("/profile", "#profile-subtitle:not(:empty)"),
    ("/present?state=HR", "#deck-stage .deck-slide"),
    ("/no-such-page/here", "#shell-breadcrumb li:has-text('Page not found')"),
)
IMPORT_PAGES: tuple[tuple[str, str], ...] = (
    ("/data/import", "#import-drop"),
    ("/data/batches", "#batches-grid [row-id], #main-content .empty-state"),
)
ADMIN_PAGES: tuple[tuple[str, str], ...] = (
    ("/admin/users", "#users-grid [row-id=ncrb]"),
    ("/admin/audit", "#audit-grid [row-id]"),
)
# demo user -> the pages that role works with (an administrator and an importing State user see the
# operations pages; the district SP the pages of their own district)
ROLE_PAGES: dict[str, tuple[tuple[str, str], ...]] = {
    "ncrb": COMMON_PAGES + ADMIN_PAGES,
    "haryana": COMMON_PAGES + IMPORT_PAGES,
    "karnal-sp": COMMON_PAGES,
}

_RUN_AXE = """
async () => {
  const result = await window.axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: (n.failureSummary || '').slice(0, 300)})),
  }));
}
"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; every violation with its nodes."""
    page.wait_for_function("() => !!window.axe")
    return page.evaluate(_RUN_AXE)


def prepare(page: Page, theme: str) -> None:
    """Load axe-core into every document of the page (an init script: the page's CSP does not apply to it)
    and choose the theme the shell reads from localStorage."""
    page.context.add_init_script(path=str(AXE_JS))
    page.context.add_init_script(f"try {{ localStorage.setItem('cctns-theme', {json.dumps(theme)}); }} catch (e) {{}}")


def _record(key: str, found: dict[str, list[dict[str, Any]]]) -> None:
    target = os.environ.get("CCTNS_AXE_REPORT")
    if not target:
        return
    path = Path(target)
    data = json.loads(path.read_text()) if path.exists() else {}
    data[key] = found
    path.write_text(json.dumps(data, indent=1, sort_keys=True))


def _failures(found: dict[str, list[dict[str, Any]]]) -> list[str]:
    out = []
    for where, violations in found.items():
        for v in violations:
            if v["impact"] in FAILING_IMPACTS:
                targets = "; ".join(n["target"] for n in v["nodes"][:5])
                out.append(f"{where}: {v['id']} ({v['impact']}, {len(v['nodes'])} nodes: {targets}) "
                           f"{v['nodes'][0]['summary'] if v['nodes'] else ''}")
    return out


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("user", list(ROLE_PAGES))
def test_no_serious_or_critical_axe_violation(page_as: Callable[[str], Page], user: str, theme: str) -> None:
    page = page_as(user)
    prepare(page, theme)
    found: dict[str, list[dict[str, Any]]] = {}
    for path, ready in ROLE_PAGES[user]:
        open_page(page, path, ready)
        assert page.locator("html").get_attribute("data-bs-theme") == theme or path.startswith("/present")
        found[path] = axe_violations(page)
    _record(f"{user}/{theme}", found)
    failures = _failures(found)
    assert not failures, "axe-core: serious or critical violations\n  " + "\n  ".join(failures)


@pytest.mark.parametrize("theme", THEMES)
def test_sign_in_page_has_no_serious_or_critical_axe_violation(page: Page, theme: str) -> None:
    prepare(page, theme)
    page.goto("/login")
    page.get_by_label("Username").wait_for()
    found = {"/login": axe_violations(page)}
    _record(f"anonymous/{theme}", found)
    failures = _failures(found)
    assert not failures, "axe-core: serious or critical violations\n  " + "\n  ".join(failures)
