"""Headless Chromium: the lagging page's filters (district, reason, parameter) narrow the table exactly as
dashboard.read says, and the CSV / XLSX downloads hold exactly the rows shown (issue 3)."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest
from browser_support import (
    CHROMIUM,
    choose,
    dropdown_value_text,
    grid_rows,
    open_page,
    settle,
    wait_grid_ids,
)
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from dashboard import read
from dashboard.display import LAGGING_COLUMNS, REASONS
from dashboard.read import LaggingFilters
from dashboard.scope import Scope

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")]

MONTH = "2025-06"
STATE = "MN"  # the demo State with the longest lagging list (more than one page of the grid)
DISTRICT = "MN-IWT"


def expected(engine: Engine, **filters: str | None) -> pd.DataFrame:
    f = LaggingFilters(**filters)
    return read.lagging_list(engine, MONTH, Scope.national(), STATE, filters=f)


def pick_filters(engine: Engine, district: str, before: int) -> tuple[str, str, str]:
    """(reason, parameter id, parameter name) such that each filter narrows the list further without emptying
    it: district > district + reason > district + reason + parameter > 0 rows."""
    version = read.version_for(engine, MONTH)
    for reason in REASONS:
        n_reason = len(expected(engine, district=district, reason=reason))
        if not 0 < n_reason < before:
            continue
        for p in version.station_parameters:
            if 0 < len(expected(engine, district=district, reason=reason, parameter=p.id)) < n_reason:
                return reason, p.id, p.name
    raise AssertionError("no reason and parameter narrow the demo list")  # the demo data changed


def _same(a: Any, b: Any) -> bool:
    empty = (None, "")
    if a in empty or (isinstance(a, float) and math.isnan(a)):
        return b in empty or (isinstance(b, float) and math.isnan(b))
    try:
        return math.isclose(float(a), float(b), abs_tol=1e-9)
    except (TypeError, ValueError):
        return str(a) == str(b)


def assert_download_is_shown(download_df: pd.DataFrame, shown: list[dict[str, Any]]) -> None:
    assert list(download_df.columns) == list(LAGGING_COLUMNS.values())
    assert len(download_df) == len(shown)
    for i, (row, grid_row) in enumerate(zip(download_df.to_dict("records"), shown, strict=True)):
        for field, header in LAGGING_COLUMNS.items():
            shown_value = grid_row["data"].get(field)
            assert _same(row[header], shown_value), (i, field, row[header], shown_value)


def download(page: Page, link_id: str) -> bytes:
    link = page.locator(f"#{link_id}")
    expect(link).to_have_attribute("aria-disabled", "false")
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    assert info.value.failure() is None
    with open(path, "rb") as fh:
        return fh.read()


def test_lagging_filters_and_downloads(page_as: Callable[[str], Page], demo_engine: Engine) -> None:
    page = page_as("ncrb")
    everything = expected(demo_engine)
    assert len(everything) > 20  # more than one page of the grid: the downloads must hold every page

    open_page(page, f"/lagging?month={MONTH}&state={STATE}", "#lagging-table")
    wait_grid_ids(page, "lagging-table", list(everything.station_code))
    expect(page.locator("#lagging-count")).to_have_text(str(len(everything)))

    # district
    by_district = expected(demo_engine, district=DISTRICT)
    assert 0 < len(by_district) < len(everything)
    choose(page, "lagging-district", read.unit_info(demo_engine, "district", DISTRICT)["name"])
    page.wait_for_url(f"**district={DISTRICT}**")
    wait_grid_ids(page, "lagging-table", list(by_district.station_code))
    expect(page.locator("#lagging-count")).to_have_text(str(len(by_district)))

    # reason, then parameter: each narrows the list further
    reason, param_id, param_name = pick_filters(demo_engine, DISTRICT, len(by_district))
    by_reason = expected(demo_engine, district=DISTRICT, reason=reason)
    choose(page, "lagging-reason", REASONS[reason])
    page.wait_for_url(f"**reason={reason}**")
    wait_grid_ids(page, "lagging-table", list(by_reason.station_code))
    expect(page.locator("#lagging-count")).to_have_text(str(len(by_reason)))

    by_param = expected(demo_engine, district=DISTRICT, reason=reason, parameter=param_id)
    choose(page, "lagging-parameter", param_name)
    page.wait_for_url(f"**parameter={param_id}**")
    wait_grid_ids(page, "lagging-table", list(by_param.station_code))
    expect(page.locator("#lagging-count")).to_have_text(str(len(by_param)))
    assert dropdown_value_text(page, "lagging-district") == "Imphal West"
    settle(page)

    shown = grid_rows(page, "lagging-table")
    assert [r["id"] for r in shown] == list(by_param.station_code)
    assert [r["data"]["position"] for r in shown] == list(range(1, len(shown) + 1))

    csv = pd.read_csv(io.BytesIO(download(page, "lagging-download-csv")), dtype=str, keep_default_na=False)
    assert_download_is_shown(csv, shown)
    xlsx = pd.read_excel(io.BytesIO(download(page, "lagging-download-xlsx")), dtype=str, keep_default_na=False)
    assert_download_is_shown(xlsx, shown)

    # and the unfiltered State list downloads every page of the grid
    page.locator("#lagging-clear").click()
    page.wait_for_url(lambda url: "reason=" not in url and "district=" not in url)
    wait_grid_ids(page, "lagging-table", list(everything.station_code))
    settle(page)
    shown = grid_rows(page, "lagging-table")
    csv = pd.read_csv(io.BytesIO(download(page, "lagging-download-csv")), dtype=str, keep_default_na=False)
    assert_download_is_shown(csv, shown)


@pytest.fixture
def pages_of_ten(dash_app, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The lagging list in pages of 10. The served app caches whole answers, and an earlier test may have
    stored this page's answer in pages of 50: the cache is emptied before and after."""
    from callbacks import lagging as cb
    from dashboard.read.cache import clear
    from layouts import lagging as lay

    clear(dash_app.server)
    monkeypatch.setattr(cb, "TABLE_PAGE", 10)
    monkeypatch.setattr(lay, "TABLE_PAGE", 10)
    yield
    clear(dash_app.server)


@pytest.mark.usefixtures("pages_of_ten")
def test_lagging_list_pages_come_from_the_server(page_as: Callable[[str], Page], demo_engine: Engine) -> None:
    """Issue 15: the grid holds one page of the list (here pages of 10), the pager under it asks the server for
    the others, a new filter starts again at the first page, and the download still holds the whole list."""
    page = page_as("ncrb")
    everything = list(expected(demo_engine).station_code)
    assert len(everything) > 20

    open_page(page, f"/lagging?month={MONTH}&state={STATE}", "#lagging-table")
    wait_grid_ids(page, "lagging-table", everything[:10])
    expect(page.locator("#lagging-range")).to_have_text(f"Stations 1–10 of {len(everything)}")
    expect(page.locator("#lagging-count")).to_have_text(str(len(everything)))
    page.locator("#lagging-pager .page-link", has_text="2").first.click()
    wait_grid_ids(page, "lagging-table", everything[10:20])
    expect(page.locator("#lagging-range")).to_have_text(f"Stations 11–20 of {len(everything)}")
    settle(page)
    csv = pd.read_csv(io.BytesIO(download(page, "lagging-download-csv")), dtype=str, keep_default_na=False)
    assert list(csv["Station code"]) == everything

    by_district = list(expected(demo_engine, district=DISTRICT).station_code)
    choose(page, "lagging-district", read.unit_info(demo_engine, "district", DISTRICT)["name"])
    page.wait_for_url(f"**district={DISTRICT}**")
    wait_grid_ids(page, "lagging-table", by_district[:10])
    settle(page)
