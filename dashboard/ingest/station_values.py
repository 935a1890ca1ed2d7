"""Each station's counts of a recomputed month, kept for the pages (issue 15): see
`dashboard.read.station_values`. Called by the recomputation for each scheme and month it rewrites (the
month's earlier rows are deleted with its other results, `recompute._delete_month`)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection

from dashboard.read import encode_station_values
from dashboard.store import ResultStationCounts, bulk_insert
from metrics.methodology import Version

_COLUMNS = ("scheme", "month", "district_code", "version_id", "station_codes", "payload")


def write_station_values(conn: Connection, month: str, scheme: str, version: Version, params: pd.DataFrame) -> None:
    """Keep each district's station counts of `month` (from the station level of `MonthScores.params`)."""
    rows = encode_station_values(params[params["level"].to_numpy() == "station"], version)
    if not rows:  # None: not in score_month's order; the pages then score the rows on demand
        return
    bulk_insert(conn, ResultStationCounts.__tablename__, _COLUMNS,
                [(scheme, month, district, version.id, codes, payload) for district, codes, payload in rows])
