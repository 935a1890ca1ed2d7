"""First full render of each page in headless Chromium (Playwright with the system Chromium), and the
same journey on a slow police link (Chromium's network emulation through CDP).

"Rendered" = the page content is in the DOM, no Dash callback request is in flight, no component is
marked loading, every graph has drawn its SVG and every grid shows rows or its no-rows overlay — and it
stays so for 150 ms (the time reported is when it first became true, from navigation start, or from the
click for a drill-down). "Numbers" = the first KPI card of the page is in the DOM (the first meaningful
paint: the figures come after it)."""

from __future__ import annotations

from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]

TRACK_JS = """
(() => {
  window.__benchInflight = 0; window.__benchDone = 0; window.__benchKpi = null;
  new MutationObserver((_, obs) => {
    if (window.__benchKpi == null && document.querySelector("#_pages_content .kpi-value")) {
      window.__benchKpi = performance.now();
    }
  }).observe(document, {childList: true, subtree: true});
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


# a drill-down (a click in a grid): rendered once the URL is the unit's and a callback has answered since
CLICK_DONE_JS = """
(prefix) => {
  const w = window;
  if (!location.pathname.startsWith(prefix) || w.__benchDone <= w.__benchClickDone) return false;
  const t = (DONE)();
  return t === false ? false : t - w.__benchClick;
}
""".replace("DONE", DONE_JS.strip())

TRANSFER_JS = ("performance.getEntriesByType('resource').reduce((a, e) => a + (e.transferSize || 0), 0)"
               " + (performance.getEntriesByType('navigation')[0]?.transferSize || 0)")


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
            order.append(("national (warm browser cache)", "/"))
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
                kpi = page.evaluate("window.__benchKpi")
                row["numbers_ms"] = round(float(kpi), 1) if kpi is not None else None
                row["transfer_kb"] = round(page.evaluate(TRANSFER_JS) / 1024, 1)
                results.append(row)
                del i
        finally:
            browser.close()
    return {"pages": results}


def _throttle(context: Any, page: Any, mbit: float, rtt_ms: float) -> None:
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    rate = mbit * 1_000_000 / 8  # bytes per second
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": rtt_ms,
                                                   "downloadThroughput": rate, "uploadThroughput": rate})


def _drill(page: Any, grid: str, row_id: str, prefix: str, timeout_s: float) -> dict[str, Any]:
    """Click the row `row_id` of `grid` (or its first row when that one is not drawn) and time the page
    it opens until rendered. `grid` is an AG Grid (a click on a cell) or a plain HTML table whose rows carry
    `data-row-id` (a click on the row's link: the national league table)."""
    cells = ".ag-center-cols-container [row-id='{id}'] .ag-cell, #{grid} tr[data-row-id='{id}'] a"
    row = page.locator(f"#{grid} " + cells.format(grid=grid, id=row_id)).first
    if row.count() == 0:
        row = page.locator(f"#{grid} .ag-center-cols-container [row-id] .ag-cell, #{grid} tr[data-row-id] a").first
    clicked = row.evaluate("c => { const r = c.closest('[row-id], [data-row-id]');"
                           " return r.getAttribute('row-id') || r.getAttribute('data-row-id'); }")
    page.evaluate("() => { window.__benchClick = performance.now(); window.__benchClickDone = window.__benchDone;"
                  " window.__benchOk = null; window.__benchKpi = null; window.__benchT0 = "
                  "performance.getEntriesByType('resource').reduce((a, e) => a + (e.transferSize || 0), 0); }")
    row.click()
    out: dict[str, Any] = {"unit": clicked}
    try:
        handle = page.wait_for_function(CLICK_DONE_JS, arg=prefix, timeout=timeout_s * 1000, polling=25)
        out["ms"] = round(float(handle.json_value()), 1)
    except Exception as exc:  # noqa: BLE001 - report, keep going
        out["ms"] = None
        out["error"] = f"not rendered in {timeout_s:g} s ({page.evaluate('window.__benchWhy')}): {type(exc).__name__}"
    out["transfer_kb"] = round(page.evaluate(
        "performance.getEntriesByType('resource').reduce((a, e) => a + (e.transferSize || 0), 0)"
        " - window.__benchT0") / 1024, 1)
    return out


def slow_link(base_url: str, username: str, password: str, state: str, district: str,
              mbit: float = 2.0, rtt_ms: float = 150.0, timeout_s: float = 60.0) -> dict[str, Any]:
    """A police station's link: Chromium's emulation at `mbit` and `rtt_ms` round trips, empty browser
    cache. Signs in through the form; times the first page after sign-in (from the form's submission:
    the sign-in itself, the redirect, the app and its first page), then a drill-down from the national
    table to `state` and from there to `district` by clicking their rows, as a person does."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            context.add_init_script(TRACK_JS)
            page = context.new_page()
            _throttle(context, page, mbit, rtt_ms)
            page.goto(base_url + "/login", timeout=timeout_s * 1000)
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", password)
            with page.expect_navigation(timeout=timeout_s * 1000):
                page.press("input[name=password]", "Enter")
            first: dict[str, Any] = {"page": "national, first page after sign-in (empty cache)"}
            try:
                handle = page.wait_for_function(DONE_JS, timeout=timeout_s * 1000, polling=25)
                first["ms"] = round(float(handle.json_value()), 1)
            except Exception as exc:  # noqa: BLE001
                first["ms"] = None
                first["error"] = f"not rendered in {timeout_s:g} s ({page.evaluate('window.__benchWhy')}): " \
                                 f"{type(exc).__name__}"
            kpi = page.evaluate("window.__benchKpi")
            first["numbers_ms"] = round(float(kpi), 1) if kpi is not None else None
            first["transfer_kb"] = round(page.evaluate(TRANSFER_JS) / 1024, 1)
            rows = [first]
            if first["ms"] is not None:
                to_state = _drill(page, "national-table", state, "/state/", timeout_s)
                rows.append({"page": "drill-down: national table → State", **to_state})
                if to_state["ms"] is not None:
                    to_district = _drill(page, "state-districts", district, "/district/", timeout_s)
                    rows.append({"page": "drill-down: State → district", **to_district})
        finally:
            browser.close()
    return {"mbit": mbit, "rtt_ms": rtt_ms, "pages": rows}
