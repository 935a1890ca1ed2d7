"""The demo dataset: deterministic, valid input by the scoring rules, realistic master data."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dashboard.ingest.demo import (
    HILLY,
    MAJOR,
    UTS,
    DemoFiles,
    clean_district_names,
    demo_window,
    district_codes,
    generate_demo,
    generate_master,
    last_complete_month,
)
from metrics.methodology import days_in_month, default_methodology, shipped_schemes

ROOT = Path(__file__).resolve().parents[3]
SMALL = {"months": 8, "scale": "small", "seed": 7, "end_month": "2025-06"}  # crosses the 2025-01 switch


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate_demo(tmp_path_factory.mktemp("demo_a"), **SMALL)


@pytest.fixture(scope="module")
def national_master():
    return generate_master("national", seed=2026, end_month="2026-10")


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"opened": "string", "closed": "string"}, keep_default_na=False)


def _stations(files: DemoFiles) -> pd.DataFrame:
    stations = _read(files.police_stations)
    return stations.merge(_read(files.districts)[["district_code", "state_code"]], on="district_code")


def test_same_seed_gives_identical_bytes(small: DemoFiles, tmp_path: Path) -> None:
    again = generate_demo(tmp_path / "b", **SMALL)
    assert [p.name for p in again.paths()] == [p.name for p in small.paths()]
    for a, b in zip(small.paths(), again.paths(), strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_other_seed_gives_other_data(small: DemoFiles, tmp_path: Path) -> None:
    other = generate_demo(tmp_path / "c", **{**SMALL, "seed": 8})
    assert other.station_rows[-1].read_bytes() != small.station_rows[-1].read_bytes()


def test_files_and_headers(small: DemoFiles) -> None:
    assert small.months == tuple(demo_window(8, "2025-06"))
    assert small.months[0] == "2024-11" and small.months[-1] == "2025-06"
    headers = {
        small.states: "state_code,name,category",
        small.districts: "district_code,state_code,name",
        small.police_stations: "station_code,district_code,name,opened,closed",
    }
    for path in small.station_rows:
        headers[path] = "month,station_code,parameter,numerator,denominator"
    for path in small.state_rows:
        headers[path] = "month,state_code,parameter,numerator,denominator"
    for path, header in headers.items():
        assert path.read_text(encoding="utf-8").split("\n", 1)[0] == header, path.name
    assert [p.name for p in small.station_rows] == [f"station_rows_{m}.csv" for m in small.months]
    assert [p.name for p in small.state_rows] == [f"state_rows_{m}.csv" for m in small.months]
    assert small.station_row_count == sum(len(_read(p)) for p in small.station_rows)
    assert small.state_row_count == sum(len(_read(p)) for p in small.state_rows)


def _check_rows(rows: pd.DataFrame, month: str, level: str, unit_col: str, units: set[str]) -> None:
    params = {}
    for scheme in shipped_schemes().by_id.values():  # one file holds every scheme's rows of the month
        version = scheme.version_for(month)
        assert version is not None
        params.update({p.id: p for p in version.by_level(level)})
    assert (rows["month"] == month).all()
    assert set(rows["parameter"]) <= set(params), "parameter not in the version in force at its level"
    assert set(rows[unit_col]) <= units
    assert not rows.duplicated([unit_col, "parameter"]).any()
    for col in ("numerator", "denominator"):
        assert pd.api.types.is_integer_dtype(rows[col]), col
        assert (rows[col] >= 0).all(), col
    assert (rows["numerator"] <= rows["denominator"]).all()
    kinds = rows["parameter"].map({pid: p.kind for pid, p in params.items()})
    days = rows[kinds == "days"]
    assert (days["denominator"] == days_in_month(month)).all()
    flags = rows[kinds == "flag"]
    assert (flags["denominator"] == 1).all() and flags["numerator"].isin([0, 1]).all()


def test_every_row_is_valid(small: DemoFiles) -> None:
    stations = _stations(small)
    states = set(_read(small.states)["state_code"])
    for month, path in zip(small.months, small.station_rows, strict=True):
        active = stations[
            ((stations["opened"] == "") | (stations["opened"] <= month))
            & ((stations["closed"] == "") | (stations["closed"] >= month))
        ]
        _check_rows(_read(path), month, "station", "station_code", set(active["station_code"]))
    for month, path in zip(small.months, small.state_rows, strict=True):
        _check_rows(_read(path), month, "state", "state_code", states)


def test_both_methodology_versions_appear(small: DemoFiles) -> None:
    before = set(_read(small.station_rows[0])["parameter"])
    after = set(_read(small.station_rows[-1])["parameter"])
    assert "ps_cas_live" in before and "ps_cas_live" not in after
    assert "esakshya" in after and "esakshya" not in before


def test_texture_rows(small: DemoFiles) -> None:
    stations = _stations(small)
    rows = pd.concat([_read(p) for p in small.station_rows])
    counts = default_methodology().version_for("2025-06")
    assert counts is not None
    count_ids = {p.id for p in counts.parameters if p.kind == "count"}
    count_rows = rows[rows["parameter"].isin(count_ids)]
    assert (count_rows["denominator"] == 0).any(), "some count rows have nothing to enter"
    assert (count_rows["denominator"].between(1, 3)).any(), "small stations with tiny denominators"
    # Not-reported stations: active in a month but without any row.
    missing = 0
    for month, path in zip(small.months, small.station_rows, strict=True):
        active = stations[(stations["opened"] == "") | (stations["opened"] <= month)]
        active = active[(active["closed"] == "") | (active["closed"] >= month)]
        missing += len(set(active["station_code"]) - set(_read(path)["station_code"]))
    assert missing > 0
    # State-level parameters are missing for some States in some months.
    states = set(_read(small.states)["state_code"])
    gaps = 0
    for month, path in zip(small.months, small.state_rows, strict=True):
        version = default_methodology().version_for(month)
        assert version is not None
        have = _read(path)
        have = have[have["parameter"].isin({p.id for p in version.state_parameters})]  # CCTNS's rows
        gaps += len(states) * len(version.state_parameters) - len(have)
    assert gaps > 0


def test_opened_and_closed_stations(small: DemoFiles) -> None:
    stations = _stations(small)
    opened = stations[stations["opened"] != ""]
    closed = stations[stations["closed"] != ""]
    assert len(opened) >= 2 and len(closed) == 1
    assert opened["opened"].isin(small.months[1:]).all()
    for month, path in zip(small.months, small.station_rows, strict=True):
        present = set(_read(path)["station_code"])
        assert not present & set(opened.loc[opened["opened"] > month, "station_code"])
        assert not present & set(closed.loc[closed["closed"] < month, "station_code"])
    last = set(_read(small.station_rows[-1])["station_code"])
    assert last & set(opened["station_code"]), "opened stations report once open"


def test_small_scale_states(small: DemoFiles) -> None:
    states = _read(small.states)
    assert {"HR", "UP", "DL", "HP"} <= set(states["state_code"])
    assert (states["category"] == UTS).any()
    per_district = _stations(small).groupby("district_code").size()
    assert per_district.between(5, 15).all()
    districts = _read(small.districts)
    assert "Karnal" in set(districts.loc[districts["state_code"] == "HR", "name"])


def test_national_master_states_and_categories(national_master) -> None:
    data = json.loads((ROOT / "dashboard" / "ingest" / "data" / "india-districts.json").read_text(encoding="utf-8"))
    states = national_master.states.set_index("state_code")
    assert sorted(states.index) == sorted(data) and len(states) == 36
    assert states["category"].value_counts().to_dict() == {MAJOR: 19, HILLY: 10, UTS: 7}
    assert set(states.index[states["category"] == HILLY]) == {
        "AR", "AS", "MN", "ML", "MZ", "NL", "SK", "TR", "HP", "UK",
    }  # fmt: skip
    assert states.loc["DL", "category"] == MAJOR and states.loc["GA", "category"] == MAJOR
    assert states.loc["TG", "name"] == "Telangana" and states.loc["OD", "name"] == "Odisha"
    assert states.loc["DH", "name"] == "Dadra and Nagar Haveli and Daman and Diu"
    assert states.loc["LA", "name"] == "Ladakh" and states.loc["LD", "name"] == "Lakshadweep"


def test_national_master_units(national_master) -> None:
    districts, stations = national_master.districts, national_master.stations
    assert districts["district_code"].is_unique and stations["station_code"].is_unique
    assert districts["district_code"].str.fullmatch(r"[A-Z]{2}-[A-Z0-9]{3}").all()
    assert (districts["district_code"].str[:2] == districts["state_code"]).all()
    assert (stations["station_code"].str[:6] == stations["district_code"]).all()
    assert stations["station_code"].str.fullmatch(r"[A-Z]{2}-[A-Z0-9]{3}-\d{3}").all()
    assert 16_500 <= len(stations) <= 18_000
    per_state = stations.merge(districts, on="district_code").groupby("state_code").size()
    assert per_state["HR"] == 429 and per_state["UP"] == 1783 and per_state["LD"] == 10
    assert not stations.groupby("district_code")["name"].apply(lambda s: s.duplicated().any()).any()
    hr = districts[districts["state_code"] == "HR"].set_index("name")
    assert hr.loc["Karnal", "district_code"] == "HR-KNL"
    assert len(districts[districts["state_code"] == "AP"]) == 26


def test_names_are_clean(national_master) -> None:
    names = pd.concat(
        [national_master.states["name"], national_master.districts["name"], national_master.stations["name"]]
    )
    assert (names == names.str.strip()).all()
    assert not names.str.contains("  ").any()
    assert not names.str.contains("\u2013").any()
    ap = set(national_master.districts.loc[national_master.districts["state_code"] == "AP", "name"])
    assert {"Sri Sathya Sai", "YSR Kadapa", "Sri Potti Sriramulu Nellore"} <= ap
    assert "Sri SathyaYSR" not in ap


def test_clean_district_names_and_codes() -> None:
    assert clean_district_names([" Chandigarh ", "Medchal–Malkajgiri", "Shahdara district", "A  B"]) == [
        "Chandigarh",
        "Medchal-Malkajgiri",
        "Shahdara",
        "A B",
    ]
    assert clean_district_names(["Sri SathyaYSR"]) == ["Sri Sathya Sai", "YSR Kadapa"]
    assert district_codes("HR", ["Karnal", "Faridabad", "Charkhi Dadri"]) == ["HR-KNL", "HR-FBD", "HR-CDR"]
    codes = district_codes("XX", ["Karnal", "Karnal", "Kurnool"])
    assert len(set(codes)) == 3 and all(re.fullmatch(r"XX-[A-Z0-9]{3}", c) for c in codes)


def test_window_defaults_and_limits(tmp_path: Path) -> None:
    assert last_complete_month(date(2026, 11, 28)) == "2026-10"
    assert last_complete_month(date(2026, 1, 1)) == "2025-12"
    window = demo_window(24, today=date(2026, 11, 28))
    assert window[0] == "2024-11" and window[-1] == "2026-10" and len(window) == 24
    master = generate_master("small", months=3, today=date(2025, 3, 5))
    assert master.months == ("2024-12", "2025-01", "2025-02")
    with pytest.raises(ValueError, match="before the first methodology version"):
        generate_demo(tmp_path, months=3, scale="small", end_month="2021-02")
    with pytest.raises(ValueError, match="scale"):
        generate_master("huge")
    with pytest.raises(ValueError, match="months"):
        demo_window(0, "2025-01")


def test_scored_small_demo_has_the_texture(small: DemoFiles) -> None:
    """Scored by the rules, Haryana leads (sometimes at exactly 100.00), Manipur trails, ranks are complete."""
    scoring = pytest.importorskip("metrics.scoring")
    stations = _read(small.police_stations)
    for col in ("opened", "closed"):
        stations[col] = stations[col].astype(object).where(stations[col] != "", None)
    master = scoring.MasterData(
        states=_read(small.states), districts=_read(small.districts), stations=stations
    )
    methodology = default_methodology()
    first = last = hundred = 0
    for month, (station_path, state_path) in zip(small.months, small.by_month, strict=True):
        version = methodology.version_for(month)
        result = scoring.score_month(
            month,
            version,
            master,
            _read(station_path).drop(columns="month"),
            _read(state_path).drop(columns="month"),
        )
        states = result.units[result.units["level"] == "state"].set_index("unit_code")
        assert states["score"].between(0, 100).all() and states["rank_national"].notna().all()
        first += int(states.loc["HR", "rank_national"] == 1)
        last += int(states.loc["MN", "rank_national"] == len(states))
        hundred += int(states.loc["HR", "score_centi"] == 10_000)
        assert 95 <= states.loc["HR", "score"] <= 100 and states.loc["MN", "score"] < 85
        assert len(result.lagging) > 0
    assert first >= len(small.months) - 2 and last >= len(small.months) - 2 and hundred >= 1


def test_companion_schemes_have_their_texture(small: DemoFiles) -> None:
    """ICJS lower and more spread than CCTNS; ITSSO between about 30 % and 98 %; stations with no sexual-
    offence case due have a 0/0 ITSSO row (not applicable)."""
    scoring = pytest.importorskip("metrics.scoring")
    stations = _read(small.police_stations)
    for col in ("opened", "closed"):
        stations[col] = stations[col].astype(object).where(stations[col] != "", None)
    master = scoring.MasterData(states=_read(small.states), districts=_read(small.districts), stations=stations)
    month = small.months[-1]
    rows = _read(small.station_rows[-1]).drop(columns="month")
    state = _read(small.state_rows[-1]).drop(columns="month")
    scores = {}
    for sid, m in shipped_schemes().by_id.items():
        result = scoring.score_month(month, m.version_for(month), master, rows, state)
        scores[sid] = result.units[result.units["level"] == "state"].set_index("unit_code")["score"]
    assert scores["icjs"].mean() < scores["cctns"].mean() - 5
    assert scores["icjs"].std() > scores["cctns"].std()
    assert scores["itsso"].between(25, 99).all()
    itsso = rows[rows["parameter"] == "itsso_within_60_days"]
    assert (itsso["denominator"] == 0).any() and (itsso["numerator"] <= itsso["denominator"]).all()
