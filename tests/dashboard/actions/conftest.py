"""A small demo with its last month held back: actions are made on the months imported and judged when the
held-back month (edited per test to give known outcomes) is imported."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

STATE = "MN"  # a State of the small demo with lagging stations in every month


@dataclass(frozen=True)
class HeldBack:
    base_db: Path  # SQLite with every month but the last, and the demo users
    folder: Path
    master: list[Path]
    last_month: str
    last_files: list[Path]  # station and state rows of the held-back month
    basis_month: str  # the latest imported month


@pytest.fixture(scope="session")
def held_back(tmp_path_factory) -> HeldBack:
    from dashboard.ingest import import_files
    from dashboard.ingest.demo import generate_demo
    from dashboard.store.db import get_engine
    from dashboard.store.schema import store_methodology, upgrade
    from dashboard.web.users import create_demo_users
    from metrics.methodology import default_methodology

    folder = tmp_path_factory.mktemp("actions")
    db = folder / "base.sqlite3"
    engine = get_engine(f"sqlite:///{db}")
    upgrade(engine)
    store_methodology(engine, default_methodology())
    files = generate_demo(folder / "csv", months=4, scale="small", seed=7, end_month="2025-06")
    import_files(engine, files.master, user="test")
    for month_files in files.by_month[:-1]:
        import_files(engine, month_files, user="test")
    create_demo_users(engine)
    engine.dispose()
    return HeldBack(db, folder, list(files.master), files.months[-1], list(files.by_month[-1]), files.months[-2])


@pytest.fixture
def engine(held_back, tmp_path):
    """A fresh copy of the held-back database for one test."""
    from sqlalchemy import create_engine

    db = tmp_path / "db.sqlite3"
    shutil.copy(held_back.base_db, db)
    eng = create_engine(f"sqlite:///{db}")
    yield eng
    eng.dispose()


def station_rows_file(held_back: HeldBack) -> Path:
    return next(p for p in held_back.last_files if p.name.startswith("station_rows"))


def edited_last_month(held_back: HeldBack, tmp_path: Path, edits: dict[tuple[str, str], tuple[int, int] | None],
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
