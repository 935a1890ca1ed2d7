"""Helpers of the actions tests: the held-back month's files edited to give known outcomes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

STATE = "MN"  # a State of the small demo with lagging stations in every month


def station_rows_file(held_back) -> Path:
    return next(p for p in held_back.last_files if p.name.startswith("station_rows"))


def edited_last_month(held_back, tmp_path: Path, edits: dict[tuple[str, str], tuple[int, int] | None],
                      drop_stations: tuple[str, ...] = ()) -> list[Path]:
    """The held-back month's files with (station, parameter) rows set to (numerator, denominator), removed
    (None), and every row of `drop_stations` removed (the station did not report)."""
    rows = pd.read_csv(station_rows_file(held_back), dtype={"numerator": "Int64", "denominator": "Int64"})
    for (station, parameter), value in edits.items():
        hit = (rows["station_code"] == station) & (rows["parameter"] == parameter)
        if value is None:
            rows = rows[~hit]
        elif hit.any():
            rows.loc[hit, ["numerator", "denominator"]] = value
        else:
            rows.loc[len(rows)] = [held_back.last_month, station, parameter, *value]
    rows = rows[~rows["station_code"].isin(drop_stations)]
    out = tmp_path / f"station_rows_{held_back.last_month}.csv"
    rows.to_csv(out, index=False)
    return [out] + [p for p in held_back.last_files if not p.name.startswith("station_rows")]
