"""Shared components: number formatting (Indian grouping, scores, ranks), badges, grid defaults."""

from __future__ import annotations

import json
import math

import pandas as pd
import plotly
import pytest

from layouts import components as c


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0"), (7, "7"), (999, "999"), (1000, "1,000"), (12345, "12,345"), (123456, "1,23,456"),
        (1234567, "12,34,567"), (123456789, "12,34,56,789"), (-123456, "-1,23,456"), (100000, "1,00,000"),
    ],
)
def test_format_indian(n, expected):
    assert c.format_indian(n) == expected


def test_format_indian_decimals_and_missing():
    assert c.format_indian(123456.785, decimals=2) == "1,23,456.79"  # half up
    assert c.format_indian(1234.5) == "1,235"
    assert c.format_indian(None) == "–"
    assert c.format_indian(float("nan")) == "–"
    assert c.format_indian(pd.NA) == "–"
    assert c.format_indian(float("inf")) == "–"


def test_score_helpers():
    assert c.format_score(None, 9999) == "99.99"
    assert c.format_score(None, 10000) == "100.00"
    assert c.format_score(None, 905) == "9.05"
    assert c.format_score(97.425) == "97.43"  # half up from the decimal text
    assert c.format_score(float("nan")) == "–"
    assert c.format_score(None, pd.NA) == "–"
    assert c.gap_to_100(9943) == 57
    assert c.format_gap(9943) == "0.57"
    assert c.format_gap(10000) == "0.00"
    assert c.format_gap(None) == "–"
    assert c.format_change_centi(123) == "+1.23"
    assert c.format_change_centi(-5) == "−0.05"
    assert c.format_change_centi(0) == "0.00"


def test_ranks_and_ratio():
    assert c.format_rank(3) == "3"
    assert c.format_rank(3, shared=True) == "=3"
    assert c.format_rank(3, shared=True, style="words") == "3 (shared)"
    assert c.format_rank(None) == "–"
    assert c.shared_ranks([1, 2, 2, 4, None]) == [False, True, True, False, False]
    assert c.ratio_text(38, 40) == "38 / 40"
    assert c.ratio_text(123456, 234567) == "1,23,456 / 2,34,567"


def test_rank_change_badge_is_accessible():
    assert c.rank_change_text(2) == ("▲2", "success", "up 2 places")
    assert c.rank_change_text(-1) == ("▼1", "danger", "down 1 place")
    assert c.rank_change_text(0)[0:2] == ("–", "secondary")
    badge = c.rank_change_badge(2).to_plotly_json()
    text = json.dumps(badge, cls=plotly.utils.PlotlyJSONEncoder)
    assert "text-bg-success" in text and "rank up 2 places" in text and "visually-hidden" in text


def test_urls():
    assert c.page_href("/state/HR", "2026-10") == "/state/HR?month=2026-10"
    assert c.page_href("/", None) == "/"
    assert c.page_href("/", "2026-10", category="Major States") == "/?month=2026-10&category=Major+States"
    assert c.query_from_search("?month=2026-10&category=UTs") == {"month": "2026-10", "category": "UTs"}
    assert c.query_from_search("") == {}
    assert c.category_for_tab("Hilly & North-East") == "Hilly & North-East"
    assert c.category_for_tab("All India") is None
    assert c.category_for_tab("<script>") is None
    assert c.month_label("2026-10") == "Oct 2026"


def test_league_grid_defaults():
    grid = c.league_grid("g", [{"a": 1}], [{"field": "a"}], row_id="a", page_size=20)
    opts = grid.dashGridOptions
    assert opts["theme"] == "themeQuartz"
    assert opts["pagination"] is True and opts["paginationPageSize"] == 20
    assert opts["getRowId"] == "params.data.a"
    assert grid.defaultColDef["sortable"] is True
    auto = c.league_grid("g2", None, [{"field": "a"}], auto_height=True)
    assert auto.dashGridOptions["domLayout"] == "autoHeight" and auto.rowData == []


def test_cards_and_empty_state_build():
    card = c.kpi_card("Score", "97.43", sub="gap 2.57", badge=c.rank_change_badge(1), help_text="x")
    assert "97.43" in json.dumps(card.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)
    empty = c.empty_state()
    assert empty.role == "status"
    assert "No data for this month" in json.dumps(empty.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)
    assert c.finite_or_none(float("nan")) is None and c.finite_or_none(2) == 2.0
    assert not math.isnan(c.finite_or_none(1.5))
