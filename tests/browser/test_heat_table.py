"""Headless Chromium: the heat-maps' "Show as table" disclosure (assets/heat_table.js) on the State and district
pages. The table is drawn as plain DOM (not Dash components, issue 15) from the compact data in the page's store
(`layouts.components.marks_lost_table_data`), only once the disclosure is opened; its words come from the
catalog in the page's language; imported names stay text."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from browser_support import CHROMIUM, BrowserGuard, open_page, settle, sign_in
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

PAGE_TIMEOUT_MS = 60_000

# what the disclosure in the container `box` shows, and what the store `box`-data holds
TABLE_JS = """
(box) => {
  const el = document.getElementById(box);
  const q = (s) => el.querySelector(s);
  const text = (s) => Array.from(el.querySelectorAll(s)).map(e => e.textContent);
  const rows = Array.from(el.querySelectorAll('table tbody tr'));
  return {
    store: window.dash_component_api.getLayout(box + '-data').props.data,
    units: el.getAttribute('data-units'),
    summary: q('details > summary').textContent,
    region: q('details > [role=region]').getAttribute('aria-label'),
    regionTab: q('details > [role=region]').tabIndex,
    caption: q('table > caption').textContent,
    heads: text('table thead th'),
    headScopes: Array.from(el.querySelectorAll('table thead th')).map(th => th.getAttribute('scope')),
    names: rows.map(r => r.querySelector('th[scope=row]').textContent),
    cells: rows.map(r => Array.from(r.querySelectorAll('td')).map(td => td.textContent)),
    note: q('details > p').textContent,
    elements: Array.from(el.querySelectorAll('*')).map(e => e.tagName.toLowerCase()),
  };
}
"""

TABLE_TAGS = {"details", "summary", "div", "table", "caption", "thead", "tbody", "tr", "th", "td", "p"}


def open_table(page: Page, box: str) -> dict[str, Any]:
    """Open the disclosure of container `box` (drawn lazily: no table before) and read it and its store."""
    summary = page.locator(f"#{box} details > summary")
    expect(summary).to_be_attached(timeout=PAGE_TIMEOUT_MS)
    settle(page)
    assert page.locator(f"#{box} table").count() == 0, "the table is built only when the disclosure is opened"
    summary.click()
    expect(page.locator(f"#{box} table")).to_be_visible()
    return page.evaluate(TABLE_JS, box)


def assert_shows_its_store(got: dict[str, Any]) -> None:
    data = got["store"]
    assert data and data["rows"], "the page's store has the table's data"
    assert got["units"] == str(len(data["rows"]))
    assert got["summary"] == data["summary"] and got["note"] == data["note"]
    assert got["caption"] == data["caption"] == got["region"] and got["regionTab"] == 0
    assert got["heads"] == [data["unit_label"], *data["params"], data["total"]]
    assert got["headScopes"] == ["col"] * len(got["heads"])
    assert got["names"] == [row[0] for row in data["rows"]]
    assert got["cells"] == [row[1:] for row in data["rows"]]
    assert set(got["elements"]) <= TABLE_TAGS, f"unexpected elements: {set(got['elements']) - TABLE_TAGS}"


HEAT_AXES_JS = """
() => {
  const t = document.querySelector('#district-heatmap .js-plotly-plot').data[0];
  const txt = document.createElement('textarea');
  const plain = (s) => { txt.innerHTML = s; return txt.value; };  // the axis labels are escaped plotly text
  return {y: t.y.map(plain), x: t.x.map(plain), hover: t.hovertemplate, first: t.customdata[0][0]};
}
"""


def test_district_heatmap_table_is_the_heatmap(page_as: Callable[[str], Page]) -> None:
    page = page_as("ncrb")
    open_page(page, "/district/HR-KNL", "#district-heatmap .main-svg")
    got = open_table(page, "district-heatmap-table")
    heat = page.evaluate(HEAT_AXES_JS)
    assert got["names"] == heat["y"]  # a row per station, in the heat-map's order from the top
    assert got["heads"] == ["Police station", *heat["x"], "Total"]
    assert got["summary"] == "Show as table" and got["region"] == "Stations × parameters: marks lost"
    assert all(len(row) == len(heat["x"]) + 1 for row in got["cells"])
    assert all(c == "–" or c.replace(".", "", 1).isdigit() for row in got["cells"] for c in row)
    assert_shows_its_store(got)
    # the hover names the station from the axis and the parameter from the other axis; a cell still drills down
    assert heat["hover"].startswith("<b>%{y}</b>") and "<br>%{x}<br>" in heat["hover"]
    assert heat["first"][0].startswith("HR-KNL-") and len(heat["first"]) == 5


@pytest.mark.parametrize("lang", ["en", "hi"])
@pytest.mark.parametrize(("path", "box"), [("/district/HR-KNL", "district-heatmap-table"),
                                           ("/state/HR", "state-heatmap-table")])
def test_the_table_shows_its_store_in_the_language(page_as: Callable[[str], Page], path: str, box: str,
                                                   lang: str) -> None:
    from dashboard.i18n import translations

    page = page_as("ncrb")
    page.goto(f"{path}?lang={lang}")
    got = open_table(page, box)
    assert_shows_its_store(got)
    words = translations(lang)
    assert got["summary"] == words.gettext("Show as table")
    assert got["heads"][-1] == words.gettext("Total")
    assert got["note"] == words.gettext("Marks lost by parameter; – : the parameter does not apply.")
    if lang == "hi":
        assert got["summary"] != "Show as table", "the catalog has the Hindi words"


def test_a_new_store_redraws_the_open_table(page_as: Callable[[str], Page]) -> None:
    """The month changes on the same page (the store gets new data): the open table is drawn again, still open;
    no data empties the container."""
    page = page_as("ncrb")
    page.goto("/district/HR-KNL")
    box = "district-heatmap-table"
    first = open_table(page, box)
    changed = {**first["store"], "rows": [["Another station", *(["1.50"] * len(first["store"]["params"])), "9.00"]]}
    page.evaluate("([id, data]) => window.dash_clientside.set_props(id, {data})", [f"{box}-data", changed])
    expect(page.locator(f"#{box} table tbody tr")).to_have_count(1)
    assert page.evaluate(f"document.querySelector('#{box} details').open")
    got = page.evaluate(TABLE_JS, box)
    assert got["names"] == ["Another station"] and got["units"] == "1"
    assert_shows_its_store(got)
    page.evaluate("(id) => window.dash_clientside.set_props(id, {data: null})", f"{box}-data")
    expect(page.locator(f"#{box} details")).to_have_count(0)
    assert page.locator(f"#{box}").get_attribute("data-units") == ""


# --- imported names stay text -----------------------------------------------------------------------------

IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=2</script>Thana"


@pytest.fixture(scope="module")
def hostile_app(demo_engine, demo_users, tmp_path_factory) -> Iterator[dict[str, Any]]:
    """The app on the hostile copy of the demo (tests/hostile_names.py), with the other stations of the
    district of its markup-named station renamed to an <img onerror> or a <script> (and a number)."""
    from hostile_names import LINK, hostile_copy
    from live_server import serve
    from sqlalchemy import update

    from app import create_app
    from dashboard import read
    from dashboard.config import load_settings
    from dashboard.store.models import PoliceStation
    from dashboard.web.users import create_demo_users

    folder = tmp_path_factory.mktemp("heat-table-hostile")
    engine, renamed = hostile_copy(demo_engine, folder / "hostile.sqlite3")
    link_code = next(c for c, n in renamed.items() if n == LINK)
    district = read.unit_info(engine, "station", link_code)["district_code"]
    with engine.connect() as conn:
        others = [c for (c,) in conn.execute(PoliceStation.__table__.select().with_only_columns(PoliceStation.code)
                                             .where(PoliceStation.district_code == district)
                                             .order_by(PoliceStation.code)) if c not in renamed]
    with engine.begin() as conn:
        for i, code in enumerate(others):  # (some stations may not have reported: those are not in the table)
            name = f"{(IMG, SCRIPT)[i % 2]} {i}"
            conn.execute(update(PoliceStation).where(PoliceStation.code == code).values(name=name))
    passwords = create_demo_users(engine)
    settings = load_settings({"CCTNS_DATABASE_URL": str(engine.url), "CCTNS_INSTANCE_DIR": str(folder / "instance"),
                              "CCTNS_SECRET_KEY": "heat-table-browser-test-secret-key-0123456789"})
    app = create_app(settings)
    with serve(app.server, "heat-table-live-server") as base:
        yield {"base": base, "password": passwords["ncrb"], "district": district}


@pytest.fixture
def hostile_page(request, browser, hostile_app) -> Iterator[Page]:
    guard = BrowserGuard("127.0.0.1")
    request.node.browser_guard = guard
    ctx = browser.new_context(base_url=hostile_app["base"], viewport={"width": 1366, "height": 768})
    ctx.set_default_timeout(PAGE_TIMEOUT_MS)
    ctx.on("page", guard.watch)
    page = ctx.new_page()
    sign_in(page, "ncrb", hostile_app["password"])
    yield page
    ctx.close()


def test_imported_names_are_text_in_the_tables(hostile_page: Page, hostile_app: dict[str, Any]) -> None:
    from hostile_names import DISTRICT_NAMES, MONTH, STATE, STATION_NAMES

    page = hostile_page
    page.goto(f"/district/{hostile_app['district']}?month={MONTH}")
    got = open_table(page, "district-heatmap-table")
    assert_shows_its_store(got)  # only the table's own elements: no <img>, <script>, <a> or <b> from a name
    shown = set(got["names"])
    for markup in (IMG, SCRIPT):
        assert any(name.startswith(markup + " ") for name in shown), f"{markup!r} as typed in the table"
    assert shown & set(STATION_NAMES), "the hostile copy's stations are in the table"

    page.goto(f"/state/{STATE}?month={MONTH}")
    got = open_table(page, "state-heatmap-table")
    assert_shows_its_store(got)
    assert set(DISTRICT_NAMES.values()) & set(got["names"]), "the hostile district names are in the table"

    # the national league table (assets/plain_table.js) shows the hostile State name as typed, as text
    page.goto(f"/?month={MONTH}")
    name = page.locator(f"#national-table [data-row-id={STATE}] [data-col-id=name]")
    name.wait_for()
    assert "<b>State</b>" in name.inner_text() and "-2+3 Manipur" in name.inner_text()
    assert page.locator("#national-table b, #national-table img, #national-table script").count() == 0
    assert page.locator("#national-table a").count() == page.locator("#national-table tbody tr").count()
    assert page.evaluate("window.__pwned") is None
