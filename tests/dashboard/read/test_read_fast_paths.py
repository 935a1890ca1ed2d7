"""The read API's fast paths give what the straightforward computations give: neighbours of a State (vs
metrics.analysis.neighbour_gaps), a station's parameter trend scored in batches (vs one month at a time),
the first lagging rows (vs the full list), movers from a table already read (vs movers)."""

from __future__ import annotations

import pandas as pd

from dashboard import read, store
from dashboard.scope import Scope
from dashboard.store.models import PoliceStation
from metrics.analysis import marks_needed_to_overtake, neighbour_gaps
from metrics.scoring import station_parameter_values


def test_neighbours_match_neighbour_gaps(demo_engine):
    for month in read.months(demo_engine):
        table = read.states_table(demo_engine, month)
        scored = table[table["score_centi"].notna()]
        gaps = neighbour_gaps(scored[["unit_code", "score", "score_centi"]]).set_index("unit_code")
        score = table.set_index("unit_code")["score"]
        for code in table["unit_code"]:
            nb = read.state._neighbours(table, code, "rank_national")
            if code not in gaps.index:
                assert nb == {}
                continue
            g = gaps.loc[code]
            if g["above_code"] is None:
                assert "above" not in nb
            else:
                assert nb["above"]["code"] == g["above_code"] and nb["above"]["gap"] == g["gap_to_above"]
                assert nb["above"]["marks_needed"] == marks_needed_to_overtake(score[code], score[g["above_code"]])
            if g["below_code"] is None:
                assert "below" not in nb
            else:
                assert nb["below"]["code"] == g["below_code"] and nb["below"]["lead"] == g["lead_over_below"]


def _trend_month_by_month(engine, code: str, last: str, n: int) -> pd.DataFrame:
    meth = read.methodology(engine)
    stations = read.common._station_master(engine, PoliceStation.code == code)
    frames = []
    for m in read.common._window(last, n):
        version = meth.version_for(m)
        if version is None:
            continue
        rows = read.common._df(engine, read.common.select(store.StationRow.station_code, store.StationRow.parameter,
                                                  store.StationRow.numerator, store.StationRow.denominator)
                           .where(store.StationRow.station_code == code, store.StationRow.month == m))
        values = station_parameter_values(m, version, stations, rows)
        if values.empty:
            continue
        values = values.copy()
        values["month"] = m
        values["version_id"] = version.id
        values["parameter_name"] = values["parameter"].map({p.id: p.name for p in version.parameters})
        values["head"] = values["parameter"].map({p.id: p.head for p in version.parameters})
        values["target"] = values["parameter"].map({p.id: float(p.target) for p in version.parameters})
        frames.append(values)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def test_station_parameter_trend_equals_month_by_month_scoring(demo_engine):
    months = read.months(demo_engine)
    stations = read.common._df(demo_engine, read.common.select(PoliceStation.code).order_by(PoliceStation.code))["code"]
    for code in list(stations[::40]):
        for last, n in ((months[-1], 12), (months[-1], 24), (months[len(months) // 2], 12)):
            batched = read.station_param_trend(demo_engine, code, last, Scope.national(), n)
            pd.testing.assert_frame_equal(batched, _trend_month_by_month(demo_engine, code, last, n),
                                          check_exact=True)


def test_lagging_head_and_movers_of(demo_engine):
    month = read.months(demo_engine)[-1]
    for state in read.states_table(demo_engine, month)["unit_code"]:
        full = read.lagging(demo_engine, month, Scope.national(), state)
        head, total = read.lagging_head(demo_engine, month, Scope.national(), state, n=10)
        assert total == len(full)
        pd.testing.assert_frame_equal(head, full.head(10), check_dtype=False)
        for district in read.districts_table(demo_engine, month, state, Scope.national())["unit_code"][:3]:
            table = read.stations_table(demo_engine, month, district, Scope.national())
            a = read.movers(demo_engine, month, "station", district, Scope.national())
            b = read.movers_of(table)
            for k in ("improved", "declined"):
                pd.testing.assert_frame_equal(a[k], b[k])


def _scheme_ranks_one_scheme_at_a_time(engine, month: str, state_code: str) -> list[dict]:
    """The State's standing in each scheme as it was first computed: each scheme's league table and
    published table read whole."""
    out = []
    for s in read.schemes(engine):
        table = read.states_table(engine, month, scheme=s["id"])
        row = table[table["state_code"] == state_code]
        pub = read.published_table(engine, month, scheme=s["id"])
        pub_row = pub[pub["state_code"] == state_code]
        rank = None if row.empty or pd.isna(row.iloc[0]["rank_national"]) else int(row.iloc[0]["rank_national"])
        out.append({
            "scheme": s["id"], "short": s["short"], "name": s["name"], "name_hi": s["name_hi"],
            "score_display": None if row.empty else row.iloc[0]["score_display"],
            "rank_national": rank, "ranked": int(table["rank_national"].notna().sum()),
            "published": None if pub_row.empty else pub_row.iloc[0]["score_display"],
            "published_rank": None if pub_row.empty or pd.isna(pub_row.iloc[0]["rank"]) else int(pub_row.iloc[0]["rank"]),
        })
    return out


def test_state_summary_equals_its_parts(any_demo_engine):
    """The State page's one read equals the read functions it stands for (the deck and digests use them)."""
    engine = any_demo_engine
    for month in read.months(engine)[-2:]:
        for scope in (Scope.national(), Scope("district", "HR", "HR-KNL")):
            for scheme in read.scheme_ids(engine):
                rec = read.reconciliation(engine, month, scheme=scheme).set_index("state_code", drop=False)
                for state in read.states_table(engine, month, scheme=scheme)["unit_code"]:
                    summary = read.state_summary(engine, month, state, scope, scheme=scheme)
                    assert summary["standing"] == _scheme_ranks_one_scheme_at_a_time(engine, month, state)
                    assert summary["standing"] == read.state_scheme_ranks(engine, month, state)
                    assert summary["reconciliation"] == (rec.loc[state].to_dict() if state in rec.index else None)
                    pd.testing.assert_frame_equal(summary["published"], read.published_history(engine, state,
                                                                                               scheme=scheme))
                    head = read.state_headline(engine, month, state, scheme=scheme)
                    if head is None:
                        assert summary["headline"] is None and summary["plan"] is None
                        continue
                    assert repr(summary["headline"]) == repr(head)
                    why = read.why_rank_moved(engine, month, state, scheme=scheme)
                    plan = read.overtake_plan(engine, month, state, scope, scheme=scheme)
                    for k in ("own", "rivals"):
                        pd.testing.assert_frame_equal(summary["why"][k], why[k])
                    assert summary["plan"].keys() == plan.keys() and summary["plan"]["above"] == plan["above"]
                    for k in ("marks_lost", "by_parameter"):
                        if k in plan:
                            pd.testing.assert_frame_equal(summary["plan"][k], plan[k])
                    if "stations" in plan:  # the lean list: what the overtake panel shows of the lagging rows
                        lean = summary["plan"]["stations"]
                        assert list(lean.columns) == ["station_code", "station_name", "district_name", "at_stake_state"]
                        pd.testing.assert_frame_equal(lean, plan["stations"][list(lean.columns)], check_dtype=False)
                    pd.testing.assert_frame_equal(summary["trend"], read.score_trend(engine, "state", state, month, 24,
                                                                                    scheme=scheme))
                    above = head["neighbours"].get("above")
                    if above is None:
                        assert summary["compare"] is None
                    else:
                        pd.testing.assert_frame_equal(summary["compare"], read.score_trend(
                            engine, "state", above["code"], month, 24, scheme=scheme))


def test_state_summary_of_a_state_without_results(demo_engine):
    month = read.months(demo_engine)[-1]
    summary = read.state_summary(demo_engine, month, "ZZ", Scope.national())
    assert summary["headline"] is None and summary["reconciliation"] is None and summary["published"].empty
    assert [s["rank_national"] for s in summary["standing"]] == [None] * len(read.scheme_ids(demo_engine))


def test_stakes_by_station_one_order_with_ties():
    """Largest marks at stake first, then parameter id: ties (flags of equal weight) in one order for the
    page, the download, the deck, the packs and the district panel."""
    stakes = pd.DataFrame({"station_code": ["S1", "S1", "S1", "S2"], "parameter": ["zeta", "alpha", "mid", "x"],
                           "at_stake_state": [0.5, 0.5, 0.9, 0.1]})
    by = read.stakes_by_station(stakes)
    assert [r["parameter"] for r in by["S1"]] == ["mid", "alpha", "zeta"]
    assert [r["parameter"] for r in by["S2"]] == ["x"]
    assert read.stakes_by_station(stakes.iloc[::-1]) == by  # the order rows came in does not matter
    assert read.stakes_by_station(stakes.iloc[0:0]) == {}


def test_empty_lagging_list_through_the_door():
    empty = read.empty_lagging()
    assert empty.empty and {"station_code", "reasons", "actions", "at_stake_state"} <= set(empty.columns)


def test_months_by_index_seeks_equal_select_distinct(any_demo_engine):
    from sqlalchemy import select

    for scheme in read.scheme_ids(any_demo_engine):
        with any_demo_engine.connect() as conn:
            distinct = [m for (m,) in conn.execute(
                select(store.ResultUnit.month).where(store.ResultUnit.scheme == scheme, store.ResultUnit.level == "state")
                .distinct().order_by(store.ResultUnit.month))]
        assert read.months(any_demo_engine, scheme=scheme) == distinct and len(distinct) > 1
        assert read.latest_month(any_demo_engine, scheme=scheme) == distinct[-1]
    assert read.months(any_demo_engine, scheme="no-such-scheme") == []
    assert read.latest_month(any_demo_engine, scheme="no-such-scheme") is None


def test_lagging_list_worded_by_page_equals_worded_whole(demo_engine):
    """The lagging page words only the rows it shows (`word_lagging` on a page of `lagging_list(worded=False)`):
    the same rows and words as the whole list worded at once, and the same reasons and actions as
    `lagging` words them (its own score query)."""
    months = read.months(demo_engine)
    compared = 0
    for scheme in read.scheme_ids(demo_engine):
        month = read.months(demo_engine, scheme=scheme)[-1]
        for state in read.states_table(demo_engine, month, scheme=scheme)["unit_code"]:
            whole = read.lagging_list(demo_engine, month, Scope.national(), state, scheme=scheme)
            bare = read.lagging_list(demo_engine, month, Scope.national(), state, scheme=scheme, worded=False)
            assert bare["reasons"].isna().all() and bare["actions"].isna().all()
            pages = [read.word_lagging(demo_engine, month, state, bare.iloc[i:i + 7], scheme=scheme)
                     for i in range(0, len(bare), 7)]
            paged = pd.concat(pages) if pages else bare
            pd.testing.assert_frame_equal(paged, whole, check_dtype=False)
            if whole.empty:
                continue
            own = read.lagging(demo_engine, month, Scope.national(), state, scheme=scheme).set_index("station_code")
            assert whole.set_index("station_code")["reasons"].to_dict() == own["reasons"].to_dict()
            assert whole.set_index("station_code")["actions"].to_dict() == own["actions"].to_dict()
            compared += len(whole)
    assert compared > 20 and months


def test_months_not_reported_from_the_trend(demo_engine):
    """The station page takes the months without figures from the score trend it reads anyway: the same
    months as `station_months_not_reported`; and the headline's station counts as counted one by one."""
    from sqlalchemy import func, select

    from dashboard.store import ResultUnit

    months = read.months(demo_engine)
    units = read.common._df(demo_engine, select(ResultUnit.unit_code, ResultUnit.reported).where(
        ResultUnit.level == "station", ResultUnit.month == months[-1], ResultUnit.scheme == "cctns"))
    some_missing = 0
    for code in list(units["unit_code"][::9]) + list(units.loc[~units["reported"].astype(bool), "unit_code"][:10]):
        for last in (months[-1], months[len(months) // 2]):
            trend = read.score_trend(demo_engine, "station", code, last, 24)
            expected = read.station_months_not_reported(demo_engine, code, last, 24)
            assert read.months_not_reported_of(trend) == expected
            some_missing += bool(expected)
        head = read.station_headline(demo_engine, months[-1], code, Scope.national())
        info = read.unit_info(demo_engine, "station", code)
        with demo_engine.connect() as conn:
            def count(col, value):
                return conn.execute(select(func.count()).select_from(ResultUnit).where(
                    ResultUnit.scheme == "cctns", ResultUnit.month == months[-1], ResultUnit.level == "station",
                    col == value)).scalar()

            assert head["stations_in_district"] == count(ResultUnit.district_code, info["district_code"])
            assert head["stations_in_state"] == count(ResultUnit.state_code, info["state_code"])
    assert some_missing


def test_picker_months_equal_the_month_lists(any_demo_engine):
    """The shell's one read of a scheme's months equals the lists it stands for."""
    for scheme in [*read.scheme_ids(any_demo_engine), "no-such-scheme"]:
        assert read.picker_months(any_demo_engine, scheme=scheme) == {
            "months": read.scheme_months(any_demo_engine, scheme=scheme),
            "computed": read.months(any_demo_engine, scheme=scheme)}


def _stations_table_in_three_queries(engine, month: str, district_code: str, scheme: str) -> pd.DataFrame:
    """stations_table as it was: the results, then the FIR volumes, then the marks at stake, merged."""
    from sqlalchemy import select

    from dashboard.read.common import _UNIT_COLS, _add_display, _df, _fir_volume
    from dashboard.store import ResultLagging, ResultUnit
    from metrics.analysis import peer_group

    stmt = (select(*_UNIT_COLS, PoliceStation.name).join(PoliceStation, PoliceStation.code == ResultUnit.unit_code)
            .where(ResultUnit.scheme == scheme, ResultUnit.month == month, ResultUnit.level == "station",
                   ResultUnit.district_code == district_code))
    df = _add_display(_df(engine, stmt))
    fir = _fir_volume(engine, month, df["unit_code"].tolist())
    df["fir_volume"] = df["unit_code"].map(fir).astype("Int64")
    df["peer_group"] = [peer_group(v) for v in df["fir_volume"]]
    stakes = _df(engine, select(ResultLagging.station_code, ResultLagging.at_stake_state,
                                ResultLagging.at_stake_district).where(
        ResultLagging.scheme == scheme, ResultLagging.month == month, ResultLagging.district_code == district_code))
    df = df.merge(stakes.rename(columns={"station_code": "unit_code"}), on="unit_code", how="left")
    # (a district without lagging stations merged an empty frame: object columns of NaN; now float NaN,
    # which every reader treats alike, pd.isna)
    for c in ("at_stake_state", "at_stake_district"):
        df[c] = df[c].astype(float)
    return df.sort_values(["rank_in_district", "name"], na_position="last").reset_index(drop=True)


def test_stations_table_in_one_query_equals_three(any_demo_engine):
    from sqlalchemy import select

    engine = any_demo_engine
    with engine.connect() as conn:
        districts = list(conn.execute(select(store.District.code).order_by(store.District.code)).scalars())
    compared = 0
    for scheme in read.scheme_ids(engine):
        for month in read.months(engine, scheme=scheme)[-2:]:
            for district in districts[::2]:
                new = read.stations_table(engine, month, district, Scope.national(), scheme=scheme)
                old = _stations_table_in_three_queries(engine, month, district, scheme)
                pd.testing.assert_frame_equal(new, old, check_exact=True)
                compared += len(new)
    assert compared > 100


def test_methodology_read_once_per_request(demo_engine):
    """Within a request the stored methodology is read once (each part of a State summary asks for it);
    every request reads it afresh."""
    from flask import Flask
    from sqlalchemy import event

    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if "methodology_source" in statement:
            statements.append(statement)

    event.listen(demo_engine, "before_cursor_execute", count)
    try:
        app = Flask(__name__)
        for _request in range(2):
            with app.test_request_context():
                first = read.methodology(demo_engine)
                assert read.methodology(demo_engine) is first
                assert read.version_for(demo_engine, read.months(demo_engine)[-1]) in first.versions
                assert read.methodology(demo_engine, scheme="icjs").scheme == "icjs"
        assert len(statements) == 4  # (cctns, icjs) x 2 requests
        read.methodology(demo_engine)
        read.methodology(demo_engine)
        assert len(statements) == 6  # outside a request: read each time
    finally:
        event.remove(demo_engine, "before_cursor_execute", count)
