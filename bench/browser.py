"""First full render of each page in headless Chromium (Playwright with the system Chromium).

"Rendered" = the page content is in the DOM, no Dash callback request is in flight, no component is
marked loading, every graph has drawn its SVG and every grid shows rows or its no-rows overlay — and it
stays so for 150 ms (the time reported is when it first became true, from navigation start)."""

from __future__ import annotations

from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]

TRACK_JS = """
(() => {
  window.__benchInflight = 0; window.__benchDone = 0;
  const orig = window.fetch;
  window.fetch = function (input, init) {
    const url = (typeof input === "string") ? input : (input && input.url) || "";
    const dash = url.indexOf("/_dash-update-component") !== -1;
    if (dash) { window.__benchInflight++; }
    return orig.call(this, input, init).finally(() => {
      if (dash) { window.__benchInflight--; window.__benchDone++; }
    });
  };
})();
"""

DONE_JS = """
() => {
  const w = window;
  const fail = (why) => { w.__benchOk = null; w.__benchWhy = why; return false; };
  const content = document.getElementById("_pages_content");
  if (!content || content.children.length === 0) return fail("no content");
  if (w.__benchInflight > 0 || w.__benchDone < 2) return fail("callbacks in flight");
  if (document.querySelector('[data-dash-is-loading="true"]')) return fail("loading");
  for (const g of content.querySelectorAll(".dash-graph")) {
    if (!g.querySelector(".main-svg")) return fail("graph not drawn");
  }
  for (const g of content.querySelectorAll(".ag-root-wrapper")) {
    if (!g.querySelector(".ag-row") && !g.querySelector("[class*=ag-overlay-no-rows]")) return fail("grid empty");
  }
  const now = performance.now();
  if (w.__benchOk == null) { w.__benchOk = now; return false; }
  return (now - w.__benchOk >= 150) ? w.__benchOk : false;
}
"""


def first_renders(base_url: str, username: str, password: str, pages: dict[str, str],
                  timeout_s: float = 20.0) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    results: list[dict[str, Any]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            context.add_init_script(TRACK_JS)
            page = context.new_page()
            page.goto(base_url + "/login")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", password)
            with page.expect_navigation():
                page.press("input[name=password]", "Enter")
            # the sign-in redirect already loaded "/" with an empty browser cache: that is the cold render
            order = list(pages.items())
            for i, (name, path) in enumerate([("national (empty browser cache)", None), *order]):
                if path is not None:
                    page.goto(base_url + path)
                row: dict[str, Any] = {"page": name, "url": path or "/ (after sign-in)"}
                try:
                    handle = page.wait_for_function(DONE_JS, timeout=timeout_s * 1000, polling=25)
                    row["ms"] = round(float(handle.json_value()), 1)
                except Exception as exc:  # noqa: BLE001 - report, keep going
                    row["ms"] = None
                    row["error"] = f"not rendered in {timeout_s:g} s ({page.evaluate('window.__benchWhy')}): " \
                                   f"{type(exc).__name__}"
                row["dash_requests"] = page.evaluate("window.__benchDone")
                row["transfer_kb"] = round(page.evaluate(
                    "performance.getEntriesByType('resource').reduce((a, e) => a + (e.transferSize || 0), 0)"
                    " + (performance.getEntriesByType('navigation')[0]?.transferSize || 0)") / 1024, 1)
                results.append(row)
                del i
        finally:
            browser.close()
    return {"pages": results}
