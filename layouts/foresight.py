"""Looking ahead on the pages (skeletons only, no I/O; callbacks/foresight.py fills them): the national
"Next month, estimated" card, the State headline's projection and flag count, the district's flag count."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import html

from dashboard.display import PROJECTION_NOTE
from dashboard.i18n import N_
from dashboard.i18n import gettext as _
from layouts.components import PlainColumn, card, loading, plain_table, plain_table_data


class ids:
    NATIONAL_TABLE = "national-projection-table"  # drawn by assets/plain_table.js from NATIONAL_TABLE_DATA
    NATIONAL_TABLE_DATA = "national-projection-table-data"
    NATIONAL_NOTE = "national-projection-note"
    STATE = "state-foresight"
    DISTRICT = "district-foresight"


# the projection table's columns (layouts.components.PlainColumn): the texts come written by
# callbacks/foresight.py `projection_rows`; a plain HTML table, so the national page needs no grid code
PROJECTION_COLUMNS: tuple[PlainColumn, ...] = (
    ("name", N_("State/UT"), None, "name", None, "cell-name"),
    ("rank_now", N_("Rank now"), None, "rank_now", None, "cell-num"),
    ("rank_median", N_("Likely rank next month (80 % range)"),
     N_("80 % of the simulated months put the State/UT in this range (an estimate)"), "range_text", None, "cell-num"),
    ("p_first", N_("P(first)"), None, "p_first_text", None, "cell-num"),
    ("p_top5", N_("P(top 5)"), None, "p_top5_text", None, "cell-num"),
    ("p_improve", N_("P(rank improves)"), None, "p_improve_text", None, "cell-num"),
    ("score_median", N_("Likely score"), N_("The middle of the simulated scores"), "score_text", None, "cell-score"),
    ("score_range_text", N_("Score range (80 %)"), None, "score_range_text", None, "cell-num"),
)


def projection_table(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The projected ranks for assets/plain_table.js, by likely rank (ties in the order given)."""
    ordered = sorted(rows, key=lambda r: r["rank_median"])
    return plain_table_data(ordered, PROJECTION_COLUMNS, row_id="state_code", caption=_("Next month, estimated"))


def national_card() -> html.Div:
    return card(
        _("Next month, estimated"),
        [html.P(_(PROJECTION_NOTE), className="small text-body-secondary mb-2"),
         loading(plain_table(ids.NATIONAL_TABLE)),
         html.Div(id=ids.NATIONAL_NOTE, className="graph-note mt-2")],
        subtitle=_("Projected ranks as ranges with their chances."),
        class_name="projection-card",
    )


def state_panel() -> html.Div:
    return html.Div(id=ids.STATE, className="foresight-panel mb-3")


def district_panel() -> html.Div:
    return html.Div(id=ids.DISTRICT, className="foresight-panel mb-3")
