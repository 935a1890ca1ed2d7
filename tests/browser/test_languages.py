"""Every page in Hindi, signed in as each role: no visible English outside a short allow-list (codes,
abbreviations, numbers) and the names of States, districts, police stations and users (data, not words to
translate); `lang="hi"` on <html>; the switch keeps the page, month and filters; the sign-in page in Hindi."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from browser_support import CHROMIUM, settle
from playwright.sync_api import Page, expect
from sqlalchemy import text

from dashboard.i18n import COOKIE_NAME

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

STATION = "HR-KNL-001"
READY_TIMEOUT_MS = 60_000
# (path, a selector a callback fills) per role: every page the role opens from the navbar or a drill-down
PAGES = {
    "ncrb": (
        ("/", "#national-table [data-row-id=HR]"),
        ("/state/HR", "#state-districts [row-id=HR-KNL]"),
        ("/district/HR-KNL", f"#district-stations [row-id={STATION}]"),
        (f"/station/{STATION}", "#station-params [row-id]"),
        ("/lagging", "#lagging-states [row-id]"),
        ("/lagging?state=HR", "#lagging-subtitle:has-text('Haryana')"),
        ("/methodology", "#shell-data-as-of:not(:has-text('–'))"),
        ("/data", "#shell-data-as-of:not(:has-text('–'))"),
        ("/profile", "#profile-subtitle:has-text('ncrb')"),
        ("/present?state=HR", "#shell-data-as-of:not(:has-text('–'))"),
        ("/no-such-page/here", "#shell-breadcrumb li"),
    ),
    "haryana": (
        ("/state/HR", "#state-districts [row-id=HR-KNL]"),
        ("/lagging", "#lagging-subtitle:has-text('Haryana')"),
    ),
    "karnal-sp": (
        ("/district/HR-KNL", f"#district-stations [row-id={STATION}]"),
        (f"/station/{STATION}", "#station-params [row-id]"),
    ),
}
# words that stay in Latin letters in Hindi: abbreviations officers say in English (docs/glossary-hi.md),
# file formats, time zones, keys, the other language's own name on the switch, the worked example's labels
ALLOWED = {
    "CCTNS", "NCRB", "ICJS", "FIR", "FIRs", "SP", "SHO", "SCRB", "PS", "IIF", "NAFIS", "CAS", "GD", "NCR",
    "MLC", "PIN", "CSV", "XLSX", "PDF", "PPTX", "IST", "UTC", "SHA", "English", "Space", "min", "max", "XX",
    "YY", "cctns", "init", "db", "import", "pragati", "UT", "AG", "Excel", "Home", "End", "Page", "Up", "Down",
    "ITSSO",  # the ranking scheme's abbreviation (its tab and picker label), like ICJS
    "MB", "README",  # a file size's unit, the repository's README (where the import file formats are)
}
# JS: the visible text of the page (text nodes and placeholders of elements that take up space)
VISIBLE_TEXT = """() => {
  const out = [];
  const visible = (el) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || e.getAttribute('aria-hidden') === 'true') return false;
    }
    const r = el.getClientRects();
    return r.length > 0 && Array.from(r).some(x => x.width > 0 && x.height > 0);
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const t = n.textContent.trim();
    const el = n.parentElement;
    if (!t || !el || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName)) continue;
    if (el.closest('.visually-hidden, .visually-hidden-focusable')) continue;
    if (el.closest('.notranslate, textarea')) continue;  // codes and records shown as they are, what is typed
    if (visible(el)) out.push(t);
  }
  document.querySelectorAll('input[placeholder], textarea[placeholder]').forEach(e => {
    if (visible(e)) out.push(e.getAttribute('placeholder'));
  });
  document.querySelectorAll('.Select-placeholder, [class*=placeholder]').forEach(e => {
    if (visible(e) && e.textContent.trim()) out.push(e.textContent.trim());
  });
  return out;
}"""


@pytest.fixture(scope="module")
def data_names(demo_engine) -> list[str]:
    return names_in(demo_engine)


def names_in(engine) -> list[str]:
    """Names that are data (States, districts, police stations, users, methodology versions), longest first."""
    with engine.connect() as conn:
        names = [r[0] for r in conn.execute(text(
            "SELECT name FROM states UNION SELECT code FROM states UNION SELECT name FROM districts UNION SELECT name FROM police_stations "
            "UNION SELECT username FROM users UNION SELECT id FROM methodology_versions "
            "UNION SELECT title FROM methodology_versions UNION SELECT email FROM users WHERE email IS NOT NULL "
            "UNION SELECT text FROM actions UNION SELECT text FROM action_comments "  # typed text is data
            "UNION SELECT created_by FROM import_batches UNION SELECT file_name FROM import_batches "
            "UNION SELECT id FROM methodology_parameters "  # parameter ids are codes
            "UNION SELECT actor FROM audit_events UNION SELECT assigned_by FROM actions "  # who did it
            "UNION SELECT file_sha256 FROM import_batches"))]
    return sorted({n for n in names if n}, key=len, reverse=True)


def english_left(texts: list[str], names: list[str]) -> list[str]:
    """The texts that still hold an English word once data names, codes and allowed words are taken out."""
    left = []
    for t in texts:
        rest = re.sub(r"(?<![\w-])[A-Z]{2}(-[A-Z0-9]{2,4})+(?![\w-])", " ", t)  # unit codes HR-KNL-001
        rest = re.sub(r"\b[0-9a-f]{12,64}\b", " ", rest)  # file hashes (SHA-256, its first 12 digits)
        rest = re.sub(r"[\w.-]+\.(csv|xlsx)\b", " ", rest)  # file names as uploaded
        for name in names:
            if name in rest:
                rest = rest.replace(name, " ")
        rest = re.sub(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", " ", rest)  # e-mail addresses (and their placeholder)
        rest = re.sub(r"https?://\S+", " ", rest)  # web addresses (a methodology version's sources)
        words = [w for w in re.findall(r"[A-Za-z][A-Za-z'’]+", rest) if w not in ALLOWED]
        if words:
            left.append(f"{t!r} ({', '.join(words)})")
    return left


def open_and_settle(page: Page, path: str, ready: str) -> None:
    """`open_page` with room for the heavier pages (grids, figures) on a loaded machine."""
    page.goto(path)
    expect(page.locator(ready).first).to_be_attached(timeout=READY_TIMEOUT_MS)
    settle(page)


def in_hindi(page: Page, live_server: str) -> None:
    page.context.add_cookies([{"name": COOKIE_NAME, "value": "hi", "url": live_server}])


@pytest.mark.parametrize("user", list(PAGES))
def test_every_page_in_hindi_has_no_english(page_as: Callable[[str], Page], live_server: str, user: str,
                                            data_names: list[str]) -> None:
    page = page_as(user)
    in_hindi(page, live_server)
    problems = []
    for path, ready in PAGES[user]:
        open_and_settle(page, path, ready)
        assert page.evaluate("document.documentElement.lang") == "hi", path
        left = english_left(page.evaluate(VISIBLE_TEXT), data_names)
        problems += [f"{path}: {t}" for t in left]
    assert not problems, f"visible English on Hindi pages ({len(problems)}):\n" + "\n".join(problems)


def test_sign_in_page_in_hindi(page: Page, data_names: list[str]) -> None:
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="हिन्दी").click()
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.get_by_label("उपयोगकर्ता नाम")).to_be_visible()
    assert english_left(page.evaluate(VISIBLE_TEXT), data_names) == []


def test_the_switch_keeps_page_month_and_filters(page_as: Callable[[str], Page]) -> None:
    page = page_as("ncrb")
    open_and_settle(page, "/lagging?month=2025-05&state=HR&reason=critical", "#lagging-subtitle:has-text('Haryana')")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#shell-language-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "hi", timeout=READY_TIMEOUT_MS)
    expect(page.locator("#lagging-subtitle").first).to_contain_text("Haryana", timeout=READY_TIMEOUT_MS)
    assert "/lagging?" in page.url and "month=2025-05" in page.url and "state=HR" in page.url
    assert "reason=critical" in page.url
    expect(page.locator("#main-content h1").first).to_have_text("पिछड़े थाने")
    expect(page.locator("#shell-language-switch")).to_have_text("English")
    page.locator("#shell-language-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en", timeout=READY_TIMEOUT_MS)
    assert "month=2025-05" in page.url


def test_a_shared_link_opens_in_hindi(page_as: Callable[[str], Page]) -> None:
    page = page_as("karnal-sp")
    open_and_settle(page, "/district/HR-KNL?month=2025-06&lang=hi", f"#district-stations [row-id={STATION}]")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.locator("#shell-nav-lagging")).to_have_text("पिछड़े थाने")
