"""Shared components: number formatting (Indian grouping, scores, ranks), badges, grid defaults."""

from __future__ import annotations

import json
import math

import plotly

from layouts import components as c


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
