"""Each station's parameter values stored by the recomputation (`result_station_values`, issue 15) are what
the pages computed on demand before: the district heat-map's matrix and a station's parameter table read
from them equal the on-demand scoring of the station rows, on SQLite and PostgreSQL; every active station
of every month and scheme is stored; an import, a re-import, a revert and a recomputation keep them true."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import delete, func, select

from dashboard import read, store
from dashboard.ingest import import_files, list_batches, recompute_months, revert_batch
from dashboard.read import units
from dashboard.scope import Scope
from dashboard.store import PoliceStation, ResultStationCounts, ResultUnit, StationRow

NATIONAL = Scope.national()


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(["unit_code", "position"], kind="stable").reset_index(drop=True)


def _on_demand_district(engine, month: str, district: str, scheme: str) -> pd.DataFrame:
    codes = select(PoliceStation.code).where(PoliceStation.district_code == district)
    return units._station_values(engine, month, PoliceStation.district_code == district,
                                 StationRow.station_code.in_(codes), None, scheme=scheme)


def _on_demand_station(engine, month: str, station: str, scheme: str) -> pd.DataFrame:
    return units._station_values(engine, month, PoliceStation.code == station, StationRow.station_code == station,
                                 None, scheme=scheme)


def _stored_codes(engine, month: str, scheme: str) -> set[str]:
    with engine.connect() as conn:
        kept = conn.execute(select(ResultStationCounts.station_codes).where(
            ResultStationCounts.scheme == scheme, ResultStationCounts.month == month)).scalars()
        return {code for codes in kept for code in codes.split(",") if code}


def _station_units(engine, month: str, scheme: str) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(ResultUnit.unit_code).where(
            ResultUnit.scheme == scheme, ResultUnit.month == month, ResultUnit.level == "station")).scalars())


def _districts(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(store.District.code).order_by(store.District.code)).scalars())


def _assert_district_matrices_equal(engine, months: list[str], scheme: str, every: int = 1) -> int:
    compared = 0
    for month in months:
        for district in _districts(engine)[::every]:
            stored = units.district_station_matrix(engine, month, district, NATIONAL, scheme=scheme)
            computed = _on_demand_district(engine, month, district, scheme)
            if computed.empty:
                assert stored.empty
                continue
            pd.testing.assert_frame_equal(_sorted(stored), _sorted(computed), check_exact=True)
            compared += 1
    return compared


def test_stored_values_equal_on_demand_scoring(any_demo_engine):
    engine = any_demo_engine
    compared = 0
    for scheme in read.scheme_ids(engine):
        months = read.months(engine, scheme=scheme)
        compared += _assert_district_matrices_equal(engine, months[-3:], scheme)
        month = months[-1]
        for station in sorted(_station_units(engine, month, scheme))[::7]:
            stored = units.station_params(engine, month, station, NATIONAL, scheme=scheme)
            pd.testing.assert_frame_equal(_sorted(stored), _sorted(_on_demand_station(engine, month, station, scheme)),
                                          check_exact=True)
            compared += 1
    assert compared > 50


def test_every_active_station_of_every_month_is_stored(any_demo_engine):
    engine = any_demo_engine
    for scheme in read.scheme_ids(engine):
        for month in read.months(engine, scheme=scheme):
            active = _station_units(engine, month, scheme)
            assert active and _stored_codes(engine, month, scheme) == active


def test_the_pages_read_stored_values_not_the_station_rows(demo_engine, monkeypatch):
    """With the values stored, neither the station rows nor the scoring is touched."""
    def refuse(*args, **kwargs):
        raise AssertionError("scored on demand")

    monkeypatch.setattr(units, "station_parameter_values", refuse)
    month = read.months(demo_engine)[-1]
    district = _districts(demo_engine)[0]
    assert not units.district_station_matrix(demo_engine, month, district, NATIONAL).empty
    station = sorted(_station_units(demo_engine, month, "cctns"))[0]
    assert not units.station_params(demo_engine, month, station, NATIONAL).empty


def test_a_month_without_stored_values_is_scored_on_demand(held_back_engine):
    """A database recomputed before the table existed: the pages score the rows, as before."""
    engine = held_back_engine
    month = read.months(engine)[-1]
    district = _districts(engine)[0]
    before = units.district_station_matrix(engine, month, district, NATIONAL)
    with engine.begin() as conn:
        conn.execute(delete(ResultStationCounts))
    pd.testing.assert_frame_equal(_sorted(units.district_station_matrix(engine, month, district, NATIONAL)),
                                  _sorted(before), check_exact=True)


def test_import_reimport_revert_and_recompute_keep_them_true(held_back, held_back_engine):
    engine = held_back_engine
    month = held_back.last_month
    assert month not in read.months(engine) and not _stored_codes(engine, month, "cctns")

    import_files(engine, held_back.last_files, user="test")
    assert _stored_codes(engine, month, "cctns") == _station_units(engine, month, "cctns")
    assert _assert_district_matrices_equal(engine, [month], "cctns", every=2) > 5

    # a re-import of the month with one station's figures changed: its stored values follow
    frame = pd.read_csv(held_back.last_files[0], dtype=str, keep_default_na=False)
    first = frame.index[frame["station_code"] == frame["station_code"].iloc[0]]
    frame.loc[first, "numerator"] = "0"
    changed = held_back.folder / "changed_station_rows.csv"
    frame.to_csv(changed, index=False)
    import_files(engine, [changed], user="test")
    station = frame["station_code"].iloc[0]
    stored = units.station_params(engine, month, station, NATIONAL)
    assert (stored["numerator"] == 0).all()
    pd.testing.assert_frame_equal(_sorted(stored), _sorted(_on_demand_station(engine, month, station, "cctns")),
                                  check_exact=True)

    # a revert of the re-import restores them; a revert of the month's import removes them with the month
    batches = sorted(list_batches(engine), key=lambda b: b.id)
    revert_batch(engine, batches[-1].id, user="test")
    assert _assert_district_matrices_equal(engine, [month], "cctns", every=2) > 5
    assert not (units.station_params(engine, month, station, NATIONAL)["numerator"] == 0).all()
    revert_batch(engine, batches[-2].id, user="test")
    assert month not in read.months(engine)
    assert not _stored_codes(engine, month, "cctns")

    # a recomputation (a methodology reload) writes them afresh for the months it recomputes
    earlier = read.months(engine)[-1]
    schemes = store.load_stored_schemes(engine)
    with engine.begin() as conn:
        conn.execute(delete(ResultStationCounts).where(ResultStationCounts.month == earlier))
        recompute_months(conn, [earlier], schemes)
    assert _stored_codes(engine, earlier, "cctns") == _station_units(engine, earlier, "cctns")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ResultStationCounts)).scalar() > 0


@pytest.mark.parametrize("n_stations", [1, 3])
def test_encode_decode_round_trip_is_exact(demo_engine, n_stations):
    from metrics.scoring import station_parameter_values

    month = read.months(demo_engine)[-1]
    version = read.version_for(demo_engine, month)
    district = _districts(demo_engine)[1]
    values = _on_demand_district(demo_engine, month, district, "cctns")
    codes = sorted(pd.unique(values["unit_code"]))[:n_stations]
    raw = station_parameter_values(
        month, version,
        read.common._station_master(demo_engine, PoliceStation.code.in_(codes)).sort_values("station_code"),
        read.common._df(demo_engine, select(StationRow.station_code, StationRow.parameter, StationRow.numerator,
                                            StationRow.denominator).where(StationRow.month == month,
                                                                          StationRow.station_code.in_(codes))))
    rows = read.encode_station_values(raw, version)
    assert rows is not None and [(d, c.split(",")) for d, c, _p in rows] == [(district, codes)]
    back = read.decode_station_values(district, rows[0][1], rows[0][2], version)
    pd.testing.assert_frame_equal(back, raw, check_exact=True)
    one = read.decode_station_values(district, rows[0][1], rows[0][2], version, only=[codes[-1]])
    pd.testing.assert_frame_equal(one, raw[raw["unit_code"] == codes[-1]].reset_index(drop=True), check_exact=True)
    assert read.encode_station_values(raw.iloc[::-1], version) is None  # not in score_month's order: nothing kept
