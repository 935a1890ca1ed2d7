"""axe-core (the real one, vendored from npm in `vendor/axe-core/`) in headless Chromium: every page, signed in
as each role, in both languages and both themes, has no serious and no critical violation (issue 12).

Twelve combinations (3 roles x 2 languages x 2 themes) for the price of six page walks: one test per role and
language opens each page once (`?lang=`) and runs axe in both themes, switching the theme on the open page as
the user does (the shell's switch), so no page is loaded twice for a theme and nobody signs in twice.

The report of every violation found (any impact) is written as JSON when CCTNS_AXE_REPORT names a file:
that is how the figures per page before and after the fixes were measured.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import CHROMIUM, settle
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
THEMES = ("light", "dark")
LANGUAGES = ("en", "hi")
STATION = "HR-KNL-001"

# (path, selector of content a callback fills): the same for every role that may open the page
COMMON_PAGES: tuple[tuple[str, str], ...] = (
    ("/", "#national-table [data-row-id=HR]"),
    ("/state/HR", "#state-title:has-text('Haryana')"),
    ("/district/HR-KNL", "#district-title:has-text('Karnal')"),
    (f"/station/{STATION}", "#station-params [row-id], #station-notice:not(:empty)"),
    ("/lagging?state=HR", "#lagging-subtitle:has-text('Haryana')"),
    ("/methodology", "#shell-data-as-of:not(:has-text('–'))"),
    ("/data", "#shell-data-as-of:not(:has-text('–'))"),
    ("/actions", "#actions-subtitle:not(:empty)"),
    ("/profile", "#profile-subtitle:not(:empty)"),
    ("/present?state=HR", "#deck-stage .deck-slide"),
    ("/provisional", "#provisional-states [row-id]"),  # the demo's provisional month: national, State or district
    ("/flags", "#flags-summary:not(:empty)"),
    ("/no-such-page/here", "#shell-breadcrumb li:has-text('{Page not found}')"),
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
    and choose the theme the shell reads from localStorage when a page opens."""
    page.context.add_init_script(path=str(AXE_JS))
    page.context.add_init_script(f"try {{ localStorage.setItem('cctns-theme', {json.dumps(theme)}); }} catch (e) {{}}")


READY_TIMEOUT_MS = 60_000  # a page's first content, with room for a loaded machine (as test_languages)


def in_page_language(ready: str, lang: str) -> str:
    """A ready selector whose `{text}` is a catalog string, as the page shows it in `lang`."""
    from dashboard.i18n import translations

    return re.sub(r"\{([^{}]+)\}", lambda m: translations(lang).gettext(m.group(1)), ready)


def open_ready(page: Page, path: str, ready: str) -> None:
    page.goto(path)
    expect(page.locator(ready).first).to_be_attached(timeout=READY_TIMEOUT_MS)
    settle(page)


def in_language(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


# no CSS transition or animation still running (a colour caught half-way would be measured, not the theme's)
_STILL = """() => document.getAnimations().every(a => a.playState !== 'running'
    || (a.effect && a.effect.getComputedTiming().iterations === Infinity))"""


# the shell's switch, as the deck's T key uses it (assets/present.js); a page without it gets the colour mode only
_SWITCH_THEME = """(theme) => {
  const sw = document.getElementById('shell-theme-switch');
  if (sw) { sw.click(); } else { document.documentElement.setAttribute('data-bs-theme', theme); }
}"""


# every <details> opened, so that axe checks what they hide too (the heat-maps' tables)
_OPEN_DISCLOSURES = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"


def switch_theme(page: Page, theme: str) -> None:
    """Put the open page in `theme` the way the user does: the shell's switch (a clientside callback sets
    Bootstrap's colour mode, AG Grid's theme mode and the figures' template). Waits for the switch's effects."""
    if page.locator("html").get_attribute("data-bs-theme") != theme:
        page.evaluate(_SWITCH_THEME, theme)
    expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)
    settle(page)
    page.wait_for_function(_STILL)


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


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("user", list(ROLE_PAGES))
def test_no_serious_or_critical_axe_violation(page_as: Callable[[str], Page], user: str, lang: str) -> None:
    """Each page of the role opened once in the language (`?lang=`), measured in the theme it opened in, then
    switched to the other theme and measured again (the next page opens in that one: the switch persists)."""
    page = page_as(user)
    prepare(page, THEMES[0])
    found: dict[str, dict[str, list[dict[str, Any]]]] = {theme: {} for theme in THEMES}
    for path, ready in ROLE_PAGES[user]:
        open_ready(page, in_language(path, lang), in_page_language(ready, lang))
        expect(page.locator("html")).to_have_attribute("lang", lang)
        page.evaluate(_OPEN_DISCLOSURES)
        first = page.locator("html").get_attribute("data-bs-theme") or THEMES[0]
        for theme in (first, *(t for t in THEMES if t != first)):
            switch_theme(page, theme)
            found[theme][path] = axe_violations(page)
    failures = []
    for theme in THEMES:
        _record(f"{user}/{lang}/{theme}", found[theme])
        failures += [f"{theme} {f}" for f in _failures(found[theme])]
    assert not failures, "axe-core: serious or critical violations\n  " + "\n  ".join(failures)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_sign_in_page_has_no_serious_or_critical_axe_violation(page: Page, lang: str) -> None:
    """The sign-in page (outside the Dash app: Bootstrap's light colours only, no theme switch)."""
    prepare(page, "light")
    page.goto(in_language("/login", lang))
    page.locator("#username").wait_for()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    found = {"/login": axe_violations(page)}
    _record(f"anonymous/{lang}/light", found)
    failures = _failures(found)
    assert not failures, "axe-core: serious or critical violations\n  " + "\n  ".join(failures)
