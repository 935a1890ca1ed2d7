"""Headless Chromium: a district SP sees only their district (issue 4), and a signed-out visitor is sent to a
sign-in page with labelled inputs."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from browser_support import CHROMIUM, dropdown_value_text, open_page, settle, wait_grid_ids
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from dashboard import read
from dashboard.scope import Scope
from dashboard.store.models import PoliceStation

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

OWN, OTHER = "HR-KNL", "HR-ABL"
KARNAL_SP = Scope("district", "HR", OWN, "karnal-sp")
LAGGING_MONTH = "2025-04"  # a month with a lagging station in Karnal


def station_names(engine: Engine, district: str) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(select(PoliceStation.code, PoliceStation.name)
                            .where(PoliceStation.district_code == district)).all()
    return {code: name for code, name in rows}


@pytest.fixture(scope="module")
def ambala_only(demo_engine: Engine) -> list[str]:
    """Names of Ambala's stations that no Karnal station shares (both districts have a "Civil Lines")."""
    own = set(station_names(demo_engine, OWN).values())
    names = sorted(set(station_names(demo_engine, OTHER).values()) - own)
    assert len(names) >= 5
    return names


def assert_no_ambala_stations(page: Page, names: list[str], codes: bool = True) -> None:
    dom = page.content()
    leaked = [n for n in names if n in dom]
    assert not leaked, f"{page.url} shows Ambala stations: {leaked}"
    if codes:
        assert not re.search(rf"{OTHER}-\d", dom), f"{page.url} shows Ambala station codes"


def test_district_sp_sees_only_their_district(page_as: Callable[[str], Page], demo_engine: Engine,
                                              ambala_only: list[str]) -> None:
    page = page_as("karnal-sp")
    month = read.latest_month(demo_engine)

    # own district: its stations
    own = list(read.stations_table(demo_engine, month, OWN, KARNAL_SP)["unit_code"])
    open_page(page, f"/district/{OWN}", "#district-stations [row-id]")
    expect(page.locator("#main-content h1")).to_have_text("Karnal")
    wait_grid_ids(page, "district-stations", own, ordered=False)
    assert_no_ambala_stations(page, ambala_only)

    # another district of the same State: not available, and none of its stations anywhere
    open_page(page, f"/district/{OTHER}", "#district-notice .not-available")
    expect(page.locator("#district-notice")).to_contain_text("Not available for your account")
    expect(page.locator(f"#district-stations [row-id^='{OTHER}']")).to_have_count(0)
    assert_no_ambala_stations(page, ambala_only)

    # a station of that district
    station = min(station_names(demo_engine, OTHER))
    open_page(page, f"/station/{station}", "#station-notice .not-available")
    expect(page.locator("#station-notice")).to_contain_text("Not available for your account")
    expect(page.locator("#station-params [row-id]")).to_have_count(0)
    assert_no_ambala_stations(page, ambala_only, codes=False)  # the code is in the address the user typed

    # the State page: the district league table, but no station lists across the State
    open_page(page, "/state/HR", f"#state-districts [row-id={OTHER}]")
    assert_no_ambala_stations(page, ambala_only)


def test_district_sp_search_offers_no_other_district_stations(page_as: Callable[[str], Page],
                                                              ambala_only: list[str]) -> None:
    page = page_as("karnal-sp")
    open_page(page, "/", "#national-table [data-row-id=HR]")
    page.locator("#shell-search").click()
    box = page.locator(".dash-dropdown-search")
    options = page.locator(".dash-dropdown-option")

    # "Amb" matches the Ambala district, Karnal's "Ambedkar Bazar" and several Ambala stations
    box.fill("Amb")
    expect(options.filter(has_text="Ambedkar Bazar")).to_have_count(1)
    texts = options.all_inner_texts()
    assert not [t for t in texts if any(n in t for n in ambala_only)], texts
    assert not [t for t in texts if "Police station" in t and not t.endswith("Karnal")], texts

    # an Ambala-only station name finds nothing
    name = ambala_only[0]
    with page.expect_response(lambda r: "_dash-update-component" in r.url
                              and "shell-search" in (r.request.post_data or "")) as resp:
        box.fill(name)
    assert name not in resp.value.text()
    expect(options.filter(has_text=name)).to_have_count(0)
    page.keyboard.press("Escape")
    settle(page)


def test_district_sp_lagging_page_is_locked_to_their_district(page_as: Callable[[str], Page], demo_engine: Engine,
                                                              ambala_only: list[str]) -> None:
    page = page_as("karnal-sp")
    mine = read.lagging_list(demo_engine, LAGGING_MONTH, KARNAL_SP, "HR", OWN)
    assert len(mine) > 0

    for path in (f"/lagging?month={LAGGING_MONTH}", f"/lagging?month={LAGGING_MONTH}&state=HR"):
        open_page(page, path, "#lagging-subtitle:has-text('Karnal')")
        expect(page.locator("#lagging-district")).to_be_disabled()
        expect(page.locator("#lagging-state")).to_be_disabled()
        assert dropdown_value_text(page, "lagging-district") == "Karnal"
        assert dropdown_value_text(page, "lagging-state") == "Haryana"
        wait_grid_ids(page, "lagging-table", list(mine.station_code))
        assert_no_ambala_stations(page, ambala_only)
        expect(page.locator("#lagging-download-csv")).to_have_attribute("href", re.compile(f"district={OWN}"))

    # asking for another district's list by URL is refused
    open_page(page, f"/lagging?month={LAGGING_MONTH}&state=HR&district={OTHER}",
              "#lagging-subtitle:has-text('Not available')")
    expect(page.locator("#lagging-kpis")).to_contain_text("outside what your account may see")
    expect(page.locator("#lagging-table [row-id]")).to_have_count(0)
    assert_no_ambala_stations(page, ambala_only)


def test_signed_out_visitor_is_sent_to_sign_in(page: Page) -> None:
    page.goto("/")
    page.wait_for_url(re.compile(r"/login(\?|$)"))
    username = page.get_by_label("Username")
    password = page.get_by_label("Password")
    expect(username).to_be_visible()
    expect(username).to_have_attribute("name", "username")
    expect(password).to_be_visible()
    expect(password).to_have_attribute("type", "password")
    expect(page.locator("form button[type=submit]")).to_be_visible()
    expect(page.locator("#shell-navbar")).to_have_count(0)  # nothing of the app before signing in

    page.goto("/state/HR?month=2025-04")
    page.wait_for_url(re.compile(r"/login\?next="))
    expect(page.get_by_label("Username")).to_be_visible()
