"""Conference mode and pack downloads in the app: the download route is scoped on the server from the
signed-in user and audited; the deck renders in headless Chromium with no console errors, no request
leaving 127.0.0.1 and none at all while presenting; the keyboard moves the slides."""

from __future__ import annotations

import io
import re
import time

import pytest
from openpyxl import load_workbook

from dashboard import read
from dashboard.store.audit import list_events

CHROMIUM = "/usr/bin/chromium"


def login(client, username: str, password: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert r.status_code == 303, r.get_data(as_text=True)[:300]


@pytest.fixture
def client_as(dash_app, demo_users):
    def make(username: str):
        client = dash_app.server.test_client()
        login(client, username, demo_users[username])
        return client

    return make


@pytest.fixture(scope="module")
def month(demo_engine) -> str:
    return read.latest_month(demo_engine)


def _other_district(demo_engine, month) -> tuple[str, str]:
    from dashboard.scope import Scope

    table = read.districts_table(demo_engine, month, "HR", Scope.national())
    row = table[table["unit_code"] != "HR-KNL"].iloc[0]
    return row["unit_code"], row["name"]


def test_page_and_route_are_registered(dash_app):
    import dash

    assert any(p["path"] == "/present" for p in dash.page_registry.values())
    assert "cctns_download_pack" in dash_app.server.view_functions


def test_download_needs_sign_in(dash_app, month):
    r = dash_app.server.test_client().get(f"/download/pack?month={month}&state=HR&format=xlsx")
    assert r.status_code == 401 and b"Haryana" not in r.data


def test_state_user_downloads_own_state(client_as, demo_engine, month):
    r = client_as("haryana").get(f"/download/pack?month={month}&state=HR&format=xlsx")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"].startswith("attachment;") and "HR" in r.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.data))
    head = read.state_headline(demo_engine, month, "HR")
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert f"{summary['Score (published)']:.2f}" == head["score_display"]
    events = list_events(demo_engine, limit=20, actor="haryana", action="download")
    assert events and "state=HR" in events[0].detail and "refused" not in events[0].detail


@pytest.mark.parametrize(
    ("user", "query"),
    [
        ("karnal-sp", "state=HR"),  # the whole State
        ("karnal-sp", "state=UP"),
        ("karnal-sp", "state=HR&district=OTHER"),  # another district of the State (filled in below)
        ("karnal-sp", "state=UP&district=OTHER"),  # ... named with a wrong State
        ("haryana", "state=UP"),
        ("haryana", "state=UP&district=UP-NOPE"),
    ],
)
def test_out_of_scope_downloads_get_403_and_nothing(client_as, demo_engine, month, user, query):
    other_code, other_name = _other_district(demo_engine, month)
    query = query.replace("OTHER", other_code)
    client = client_as(user)
    for fmt in ("xlsx", "pdf"):
        r = client.get(f"/download/pack?month={month}&{query}&format={fmt}")
        assert r.status_code in (403, 404), (query, r.status_code)
        body = r.get_data(as_text=True)
        assert len(r.data) < 200 and other_name not in body and "Haryana" not in body
        assert r.mimetype == "application/json"
    events = list_events(demo_engine, limit=10, actor=user)
    assert any(e.action == "download" and e.detail.startswith("refused") for e in events)
    if "district=" not in query or user == "karnal-sp":
        assert any(e.action == "scope_violation" for e in events)


def test_district_user_downloads_own_district_only(client_as, demo_engine, month):
    client = client_as("karnal-sp")
    r = client.get(f"/download/pack?month={month}&state=HR&district=HR-KNL&format=xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    ws = wb["Stations"]
    header = [c.value for c in ws[1]]
    codes = {row[header.index("Station code")] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert codes and all(c.startswith("HR-KNL") for c in codes)
    lag = wb["Lagging stations"]
    lh = [c.value for c in lag[1]]
    assert all(row[lh.index("District code")] == "HR-KNL" for row in lag.iter_rows(min_row=2, values_only=True))
    # no parameters: the user's own unit
    r = client.get("/download/pack?format=xlsx")
    assert r.status_code == 200 and "HR-KNL" in r.headers["Content-Disposition"]


def test_bad_requests(client_as, month):
    client = client_as("ncrb")
    assert client.get(f"/download/pack?month={month}&state=HR&format=exe").status_code == 400
    assert client.get(f"/download/pack?month={month}&state=H%27R&format=pdf").status_code == 400
    assert client.get("/download/pack?month=2001-01&state=HR&format=xlsx").status_code == 404
    assert client.get(f"/download/pack?month={month}&state=XX&format=xlsx").status_code == 404


def _whole_deck(present, query: dict, theme: str) -> tuple[list, list, str]:
    """The stage's answer with its part containers replaced by the parts' own answers (as the browser
    shows them)."""
    stage, downloads, exit_href = present.load_deck(query, theme)
    slides = [s for s in stage if getattr(s, "className", "") != "deck-part"]
    parts = [s for s in stage if getattr(s, "className", "") == "deck-part"]
    for k, part in enumerate(parts, start=1):
        assert part.id == present.ids.PARTS[k - 1]
        slides += present.deck_part(k, query, theme)
    return slides, downloads, exit_href


def test_deck_callback_is_scoped(dash_app, demo_engine, demo_users, month, monkeypatch):
    """The data callbacks of the deck (the stage and its later parts), called as each role (whatever the
    query asks)."""
    import callbacks.present as present
    from dashboard.scope import Scope

    monkeypatch.setattr(present, "engine", lambda: demo_engine)
    with dash_app.server.test_request_context("/_dash-update-component", method="POST"):
        monkeypatch.setattr(present, "scope", lambda: Scope("district", "HR", "HR-KNL", "karnal-sp"))
        query = {"month": month, "state": "HR", "district": None}
        stage, downloads, _exit = _whole_deck(present, query, "light")
        text = str(stage)
        assert "Not available" in text and downloads == []
        assert "District league table" not in text
        assert [present.deck_part(k, query, "light") for k in (1, 2, 3)] == [[], [], []]  # no part either
        stage, downloads, exit_href = _whole_deck(present, {"month": month}, "dark")  # own district by default
        assert len(stage) > 5 and "Police stations" in str(stage) and "HR-KNL" in exit_href
        assert all("district=HR-KNL" in a.href for a in downloads)
        monkeypatch.setattr(present, "scope", lambda: Scope.national("ncrb"))
        stage, _d, _e = _whole_deck(present, {"month": month}, "light")
        assert "Choose a State/UT" in str(stage)
        stage, _d, _e = _whole_deck(present, {"month": month, "state": "HR"}, "light")
        assert "District league table" in str(stage)
        # every slide once, in order, across the stage and its parts
        assert [s.id for s in stage] == [f"deck-slide-{n}" for n in range(1, len(stage) + 1)]
        first, _d, _e = present.load_deck({"month": month, "state": "HR"}, "light")
        assert len(first) - len(present.ids.PARTS) <= len(stage) // 4 + 1  # the stage's own answer: a quarter
        stage, _d, _e = _whole_deck(present, {"month": month, "state": "ZZ"}, "light")
        assert "No review" in str(stage)


def test_deck_parts_cover_every_slide_once():
    from layouts.present import ids, part_ranges

    for n in range(0, 40):
        ranges = part_ranges(n)
        assert len(ranges) == 1 + len(ids.PARTS)
        assert [i for a, b in ranges for i in range(a, b)] == list(range(n))
        sizes = [b - a for a, b in ranges]
        assert max(sizes) - min(sizes) <= 1


# --- headless Chromium ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live_server(dash_app):
    from live_server import serve

    with serve(dash_app.server) as url:
        yield url


def _open_deck(browser, base: str, username: str, password: str, path: str, size=(1024, 768)):
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = ctx.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(base + path)
    page.wait_for_selector(".deck-stage .deck-slide[data-slide='2']", state="attached", timeout=60_000)
    # the later parts of the deck arrive in answers of their own: wait for every slide the footers count
    page.wait_for_function("() => { const s = document.querySelectorAll('.deck-stage .deck-slide');"
                           " const f = s.length && s[0].querySelector('.deck-page');"
                           " return f && s.length === parseInt(f.textContent.split('/')[1], 10); }", timeout=60_000)
    # the grid's code comes in the background once the page has drawn, for the next page (assets/grid_loader.js):
    # on a busy machine after a pause long enough for "networkidle", so it is waited for by name
    page.wait_for_function("() => performance.getEntriesByType('resource')"
                           ".some(e => e.name.includes('/async-community.js') && e.responseEnd > 0)", timeout=60_000)
    page.wait_for_load_state("networkidle")
    return ctx, page, errors, requests


def _counter(page) -> str:
    return page.locator("#deck-counter").inner_text().strip()


@pytest.mark.browser
def test_state_deck_in_chromium(browser, live_server, demo_users, month):
    ctx, page, errors, requests = _open_deck(browser, live_server, "haryana", demo_users["haryana"],
                                             f"/present?month={month}&state=HR")
    try:
        n = page.locator(".deck-stage .deck-slide").count()
        assert n >= 8
        assert _counter(page) == f"1 / {n}"
        assert not page.locator("#shell-navbar").is_visible()  # no navbar (and no sign-out) while presenting
        assert page.locator(".deck-slide.is-active .deck-title").inner_text() == "Haryana"
        before = len(requests)
        page.keyboard.press("ArrowRight")
        assert _counter(page) == f"2 / {n}"
        assert page.locator(".deck-slide.is-active .deck-title").inner_text() == "Commitments from the last review and what the data shows"
        page.keyboard.press("PageDown")
        page.keyboard.press("Space")
        assert _counter(page) == f"4 / {n}"
        page.keyboard.press("PageUp")
        page.keyboard.press("ArrowLeft")
        assert _counter(page) == f"2 / {n}"
        page.keyboard.press("End")
        assert _counter(page) == f"{n} / {n}"
        page.keyboard.press("ArrowRight")
        assert _counter(page) == f"{n} / {n}"
        page.keyboard.press("Home")
        assert _counter(page) == f"1 / {n}"
        page.click("[data-deck-action=next]")
        assert _counter(page) == f"2 / {n}"
        assert page.locator(".deck-slide.is-active").count() == 1
        # the theme switch swaps colours without asking the server
        page.keyboard.press("t")
        page.wait_for_function("() => document.documentElement.getAttribute('data-bs-theme') === 'dark'")
        time.sleep(0.3)
        assert requests[before:] == [], "presenting must not make requests"
        assert errors == []
        assert all(u.startswith(live_server) for u in requests), [u for u in requests if not u.startswith(live_server)]
        # the slide and its type fit a 1024x768 projector: 16:9 stage, title at least ~36 px
        box = page.locator(".deck-stage").bounding_box()
        assert box["width"] == pytest.approx(1024, abs=2) and box["width"] / box["height"] == pytest.approx(16 / 9, 0.02)
        size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.deck-slide.is-active "
                             ".deck-title')).fontSize)")
        assert size >= 36
        hrefs = page.eval_on_selector_all(".deck-download", "els => els.map(e => e.getAttribute('href'))")
        assert len(hrefs) == 3 and all("state=HR" in h for h in hrefs)
    finally:
        ctx.close()


@pytest.mark.browser
def test_district_deck_in_chromium(browser, live_server, demo_users, month):
    ctx, page, errors, requests = _open_deck(browser, live_server, "karnal-sp", demo_users["karnal-sp"],
                                             "/present", size=(1366, 768))
    try:
        n = page.locator(".deck-stage .deck-slide").count()
        titles = page.eval_on_selector_all(".deck-stage .deck-slide", "els => els.map(e => e.dataset.title)")
        assert titles[0] == "Karnal district, Haryana"
        assert any(t.startswith("Police stations") for t in titles)
        assert not any(t.startswith("District league table") for t in titles)
        before = len(requests)
        for _ in range(n + 2):
            page.keyboard.press("ArrowRight")
        assert _counter(page) == f"{n} / {n}"
        assert requests[before:] == []
        assert errors == []
        assert all(u.startswith(live_server) for u in requests)
    finally:
        ctx.close()


@pytest.mark.browser
def test_district_user_cannot_open_the_state_deck(browser, live_server, demo_users, month):
    ctx = browser.new_context(viewport={"width": 1024, "height": 768})
    page = ctx.new_page()
    try:
        page.goto(live_server + "/login")
        page.fill("#username", "karnal-sp")
        page.fill("#password", demo_users["karnal-sp"])
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.goto(live_server + f"/present?month={month}&state=HR")
        page.wait_for_selector("text=Not available", timeout=30_000)
        assert page.locator("text=District league table").count() == 0
    finally:
        ctx.close()
