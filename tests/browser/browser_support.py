"""Helpers for the browser tests: sign-in through the form, waiting for Dash to settle, reading AG Grid rows
and plotly figures from the page, picking options in Dash 4 dropdowns. No sleeps: every wait is for a
specific state of the page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

CHROMIUM = Path("/usr/bin/chromium")  # Debian's Chromium: never `playwright install`
SETTLE_TIMEOUT_MS = 60_000  # a generous bound for a cold page on a loaded 2-core machine: a wait, never a speed check


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign in through the /login form (labelled inputs) and wait until the app has opened."""
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.locator("#shell-navbar")).to_be_visible()


def settle(page: Page) -> None:
    """Wait until Dash has no pending callbacks: the app has rendered and no component is loading."""
    expect(page.locator("._dash-loading")).to_have_count(0, timeout=SETTLE_TIMEOUT_MS)
    page.wait_for_function(
        "() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=SETTLE_TIMEOUT_MS)


def open_page(page: Page, path: str, ready: str) -> None:
    """Go to `path`, wait for the selector `ready` (content a callback fills) and for Dash to settle."""
    page.goto(path)
    expect(page.locator(ready).first).to_be_attached(timeout=SETTLE_TIMEOUT_MS)
    settle(page)


def breadcrumb(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("#shell-breadcrumb li").all_inner_texts()]


def expect_breadcrumb(page: Page, *labels: str) -> None:
    expect(page.locator("#shell-breadcrumb li")).to_have_text(list(labels))


def exact(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


# --- AG Grid ------------------------------------------------------------------------------------------------

_GRID_ROWS_JS = """
(id) => {
  const api = window.dash_ag_grid && window.dash_ag_grid.getApi(id);
  if (!api) { return null; }
  const out = [];
  api.forEachNodeAfterFilterAndSort(n => out.push({id: n.id, data: n.data}));
  return out;
}
"""


def grid_rows(page: Page, grid_id: str) -> list[dict[str, Any]]:
    """Every row of a dash-ag-grid in display order (all pages, not only those in the DOM):
    [{"id": row id, "data": row data}]."""
    page.wait_for_function("(id) => { try { return !!window.dash_ag_grid.getApi(id); } catch (e) { return false; } }",
                           arg=grid_id, timeout=SETTLE_TIMEOUT_MS)
    return page.evaluate(_GRID_ROWS_JS, grid_id) or []


def grid_ids(page: Page, grid_id: str) -> list[str]:
    if page.locator(f"#{grid_id} table").count():  # a plain HTML table
        return page.locator(f"#{grid_id} tbody tr[data-row-id]").evaluate_all(
            "rows => rows.map(r => r.getAttribute('data-row-id'))")
    return [r["id"] for r in grid_rows(page, grid_id)]


def wait_grid_ids(page: Page, grid_id: str, expected: list[str], ordered: bool = True) -> None:
    """Wait until the grid shows exactly these row ids (in this order unless `ordered` is False)."""
    js = """
    ([id, want, ordered]) => {
      const got = [];
      const table = document.querySelector('#' + CSS.escape(id) + ' table');
      if (table) {  // a plain HTML table (the national league table): its rows' data-row-id
        table.querySelectorAll('tbody tr[data-row-id]').forEach(r => got.push(r.getAttribute('data-row-id')));
      } else {
        let api;
        try { api = window.dash_ag_grid.getApi(id); } catch (e) { return false; }
        if (!api) { return false; }
        api.forEachNodeAfterFilterAndSort(n => got.push(n.id));
      }
      const a = ordered ? got : [...got].sort(), b = ordered ? want : [...want].sort();
      return a.length === b.length && a.every((v, i) => v === b[i]);
    }
    """
    try:
        page.wait_for_function(js, arg=[grid_id, expected, ordered], timeout=SETTLE_TIMEOUT_MS)
    except Exception as exc:  # noqa: BLE001 - say what the grid shows instead
        raise AssertionError(f"grid {grid_id}: expected rows {expected}, shows {grid_ids(page, grid_id)}") from exc


def cell_text(page: Page, grid_id: str, row_id: str, col_id: str) -> str:
    """A cell's text in an AG Grid (row-id, col-id) or a plain HTML table (data-row-id, data-col-id)."""
    return page.locator(f"#{grid_id} :is([row-id='{row_id}'], [data-row-id='{row_id}']) "
                        f":is([col-id='{col_id}'], [data-col-id='{col_id}'])").inner_text().strip()


# --- plotly figures -------------------------------------------------------------------------------------------

_FIGURE_JS = """
(id) => {
  const gd = document.querySelector('#' + CSS.escape(id) + ' .js-plotly-plot');
  if (!gd || !gd._fullLayout || !gd.data) { return null; }
  const text = JSON.stringify(gd.data) + JSON.stringify(gd.layout.xaxis || {}) + JSON.stringify(gd.layout.yaxis || {});
  let h = 0;
  for (let i = 0; i < text.length; i++) { h = (h * 31 + text.charCodeAt(i)) | 0; }
  return {signature: text.length + ':' + h, traces: gd.data.length,
          paper_bgcolor: gd._fullLayout.paper_bgcolor, plot_bgcolor: gd._fullLayout.plot_bgcolor,
          font_color: gd._fullLayout.font.color,
          template_font_color: (((gd.layout.template || {}).layout || {}).font || {}).color || null};
}
"""


def figure(page: Page, graph_id: str) -> dict[str, Any] | None:
    """What a dcc.Graph has drawn: a signature of its data and axes, trace count, background and font colours."""
    return page.evaluate(_FIGURE_JS, graph_id)


def wait_figure(page: Page, graph_id: str, predicate_js: str, what: str) -> dict[str, Any]:
    """Wait until the drawn figure `f` (see `figure`) satisfies the JS expression `predicate_js` (uses `f`)."""
    js = "([id, arg]) => { const f = (" + _FIGURE_JS + ")(id); return !!f && (" + predicate_js + "); }"
    return _wait(page, js, graph_id, what)


def wait_figure_changed(page: Page, graph_id: str, before: str) -> dict[str, Any]:
    """Wait until the figure has been redrawn with different data than `before` (a signature)."""
    js = "([id, arg]) => { const f = (" + _FIGURE_JS + ")(id); return !!f && f.signature !== arg; }"
    return _wait(page, js, graph_id, f"figure {graph_id} to change", before)


def _wait(page: Page, js: str, graph_id: str, what: str, arg: object = None) -> dict[str, Any]:
    try:
        page.wait_for_function(js, arg=[graph_id, arg], timeout=SETTLE_TIMEOUT_MS)
    except Exception as exc:  # noqa: BLE001
        raise AssertionError(f"waiting for {what}; the figure is {figure(page, graph_id)}") from exc
    out = figure(page, graph_id)
    assert out is not None
    return out


def figure_customdata_rows(page: Page, graph_id: str, first: str) -> list[list[Any]]:
    """Every customdata entry (a list) of the figure whose first element is `first` (e.g. a State code)."""
    js = """
    ([id, first]) => {
      const gd = document.querySelector('#' + CSS.escape(id) + ' .js-plotly-plot');
      const out = [];
      const walk = (v) => {
        if (!Array.isArray(v)) { return; }
        if (v.length && v[0] === first && v.every(x => !Array.isArray(x))) { out.push(v); return; }
        v.forEach(walk);
      };
      (gd && gd.data || []).forEach(t => walk(t.customdata));
      return out;
    }
    """
    return page.evaluate(js, [graph_id, first])


# --- Dash 4 dropdowns -----------------------------------------------------------------------------------------


def choose(page: Page, dropdown_id: str, label: str) -> None:
    """Open a dcc.Dropdown and click the option with exactly this label."""
    page.locator(f"#{dropdown_id}").click()
    option = page.locator(".dash-dropdown-option").filter(has_text=exact(label))
    expect(option).to_have_count(1)
    option.click()
    # single-value dropdowns close on a pick; make sure no popover stays open over the page
    if page.locator(".dash-dropdown-option").count():
        page.keyboard.press("Escape")
    expect(page.locator(".dash-dropdown-option")).to_have_count(0)


def dropdown_value_text(page: Page, dropdown_id: str) -> str:
    return page.locator(f"#{dropdown_id}-value").inner_text().strip()


# --- the guard every browser test runs under ---------------------------------------------------------

LOCAL_SCHEMES = ("data", "blob", "about", "chrome-extension")


class BrowserGuard:
    """Collects console errors, page errors and requests to foreign hosts for every page of a context."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.problems: list[str] = []

    def watch(self, page: Page) -> None:
        page.on("console", lambda msg: self._console(msg))
        page.on("pageerror", lambda err: self.problems.append(f"page error: {err}"))
        page.on("request", lambda req: self._request(req.url))

    def _console(self, msg: Any) -> None:
        if msg.type == "error":
            loc = msg.location or {}
            self.problems.append(f"console error: {msg.text} ({loc.get('url', '')}:{loc.get('lineNumber', '')})")

    def _request(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES:
            return
        if parts.hostname != self.host:
            self.problems.append(f"request to another host: {url}")

    def check(self) -> None:
        if self.problems:
            listed = "\n  ".join(dict.fromkeys(self.problems))
            raise AssertionError(f"browser problems during the test:\n  {listed}")


def state_import_files(sources: list[Path], folder: Path, state: str, bump: int, broken: bool = False,
                       foreign_state: str | None = None) -> list[Path]:
    """Import files for one State cut from the demo's month files: every row of `state` with its numerator
    lowered by `bump` (never below 0), written under `folder` with the same names. `broken`: one station
    numerator becomes text; `foreign_state`: one station row of that State is added too (a second problem)."""
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for source in sources:
        df = pd.read_csv(source, dtype=str, keep_default_na=False)
        col = "station_code" if "station_code" in df.columns else "state_code"
        own = df[df[col].str.startswith(state)]
        own = own.assign(numerator=(own["numerator"].astype(int) - bump).clip(lower=0).astype(str))
        if broken and col == "station_code":
            own = own.copy()
            own.iloc[2, own.columns.get_loc("numerator")] = "twelve"
            if foreign_state:
                own = pd.concat([own, df[df[col].str.startswith(f"{foreign_state}-")].head(1)])
        target = folder / source.name
        own.to_csv(target, index=False)
        out.append(target)
    return out


def upload_files(page: Page, files: list[Path]) -> None:
    """Hand files to the import page's drop zone (its hidden file input), as a drop would."""
    expect(page.locator("#import-drop")).to_be_visible()
    page.wait_for_function("() => !!document.getElementById('import-file-input')")
    page.set_input_files("#import-file-input", [str(f) for f in files])
