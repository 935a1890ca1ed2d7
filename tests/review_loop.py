"""Databases with actions of known outcome, for the tests of the deck, the packs and `cctns actions`.

A small demo (4 months ending 2025-06, seed 7) is imported without its last month; a Manipur State user
(`mn-admin`) makes five actions on May's data; then June is imported with edited rows, so that the data
judges them by hand-checked figures:

* MET: a station's parameter raised to its whole denominator;
* PARTLY: raised by three quarters of its gap (below target, more than half the gap closed: carried over);
* NOT_MET: left where it was, with a typed text that looks like a spreadsheet formula (carried over);
* STATION: the MET station as a whole (no parameter), owned by its SHO: judged by its June score;
* PENDING: a district action due 2025-08 (no data yet).

`judged` is built once per test module that imports it; tests copy its SQLite file before changing it.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

STATE = "MN"  # lagging stations in every month of the small demo
STATE_USER = "mn-admin"
PASSWORD = "correct-horse-battery-staple-42"
FORMULA_TEXT = '=HYPERLINK("http://evil.example","click") enter the pending e-Sakshya records'


@dataclass(frozen=True)
class Judged:
    base_db: Path  # every month but the last, the demo users and mn-admin; no action
    db: Path  # the same with the five actions, then June imported
    last_month: str
    basis_month: str
    ids: dict[str, int]  # MET, PARTLY, NOT_MET, STATION, PENDING -> action id


def scope():
    from dashboard.scope import Scope

    return Scope("state", STATE, None, STATE_USER)


def copy_db(source: Path, folder: Path, name: str = "db.sqlite3"):
    """An engine on a fresh copy of `source` in `folder`."""
    from sqlalchemy import create_engine

    target = folder / name
    shutil.copy(source, target)
    return create_engine(f"sqlite:///{target}")


def _gaps(engine, month: str) -> pd.DataFrame:
    """Three (station, parameter) gaps of distinct lagging stations of MN: counts with room to move."""
    from dashboard import read
    from dashboard.scope import Scope

    version = read.version_for(engine, month)
    kinds = {p.id: p.kind for p in version.parameters}
    stakes = read.unit_stakes(engine, month, Scope.national(), STATE)
    stakes = stakes[(stakes["parameter"].map(kinds) == "count") & (stakes["denominator"] >= 8)
                    & (stakes["numerator"] * 2 < stakes["denominator"])]
    picked = stakes.drop_duplicates("station_code").head(3).reset_index(drop=True)
    assert len(picked) == 3, "the demo has too few gaps to act on"
    return picked


def _edited_rows(station_rows: Path, out: Path, month: str, edits: dict[tuple[str, str], tuple[int, int]]) -> Path:
    rows = pd.read_csv(station_rows, dtype={"numerator": "Int64", "denominator": "Int64"})
    for (station, parameter), (num, den) in edits.items():
        hit = (rows["station_code"] == station) & (rows["parameter"] == parameter)
        if hit.any():
            rows.loc[hit, ["numerator", "denominator"]] = (num, den)
        else:
            rows.loc[len(rows)] = [month, station, parameter, num, den]
    rows.to_csv(out, index=False)
    return out


def build_judged(folder: Path) -> Judged:
    from dashboard import actions
    from dashboard.ingest import import_files
    from dashboard.ingest.demo import generate_demo
    from dashboard.store.db import get_engine
    from dashboard.store.schema import store_schemes, upgrade
    from dashboard.web.users import create_demo_users, create_user
    from metrics.methodology import shipped_schemes

    base = folder / "base.sqlite3"
    engine = get_engine(f"sqlite:///{base}")
    upgrade(engine)
    store_schemes(engine, shipped_schemes())
    files = generate_demo(folder / "csv", months=4, scale="small", seed=7, end_month="2025-06")
    import_files(engine, files.master, user="test")
    for month_files in files.by_month[:-1]:
        import_files(engine, month_files, user="test")
    create_demo_users(engine)
    create_user(engine, STATE_USER, PASSWORD, "state", STATE)
    engine.dispose()
    last, basis = files.months[-1], files.months[-2]

    engine = copy_db(base, folder, "judged.sqlite3")
    gaps = _gaps(engine, basis)
    met, partly, not_met = gaps.itertuples()
    made = actions.create_actions(engine, scope(), [
        actions.NewAction("station", met.station_code, met.parameter, "Enter every pending record", "sp"),
        actions.NewAction("station", partly.station_code, partly.parameter, "Clear the backlog by the next review",
                          "sp"),
        actions.NewAction("station", not_met.station_code, not_met.parameter, FORMULA_TEXT, "sp"),
        actions.NewAction("station", met.station_code, None, "Bring the station out of the lagging list", "sho"),
        actions.NewAction("district", met.district_code, met.parameter, "District-wide drive on pending records",
                          "sp", due_month="2025-08"),
    ])
    ids = dict(zip(("MET", "PARTLY", "NOT_MET", "STATION", "PENDING"), made, strict=True))
    # June: the same denominators; MET at its whole denominator, PARTLY three quarters of the way to its target
    target = float(actions.get_action(engine, scope(), ids["PARTLY"])["gap_target"]) / 100
    p_then = partly.numerator / partly.denominator
    p_now = math.ceil(partly.denominator * (p_then + 0.75 * (target - p_then)))
    assert p_now < target * partly.denominator, "the PARTLY gap is too small to stay below target"
    station_rows = next(p for p in files.by_month[-1] if p.name.startswith("station_rows"))
    edited = _edited_rows(station_rows, folder / station_rows.name, last, {
        (met.station_code, met.parameter): (met.denominator, met.denominator),
        (partly.station_code, partly.parameter): (p_now, partly.denominator),
        (not_met.station_code, not_met.parameter): (not_met.numerator, not_met.denominator),
    })
    import_files(engine, [edited, *[p for p in files.by_month[-1] if p != station_rows]], user="test")
    engine.dispose()
    return Judged(base, folder / "judged.sqlite3", last, basis, ids)


@pytest.fixture(scope="module")
def judged(tmp_path_factory) -> Judged:
    return build_judged(tmp_path_factory.mktemp("review-loop"))


@pytest.fixture
def judged_engine(judged, tmp_path):
    """A fresh copy of the judged database for one test."""
    engine = copy_db(judged.db, tmp_path)
    yield engine
    engine.dispose()
