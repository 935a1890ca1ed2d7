"""Importer: reading CSV/XLSX, every validation rule, all-or-nothing writes, replace and revert, the CLI."""

from __future__ import annotations

import os
import sys
import types
import uuid
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import typer
from sqlalchemy import Engine, create_engine, event, select, text
from typer.testing import CliRunner

from dashboard.cli import imports as cli_imports
from dashboard.ingest import (
    ImporterError,
    ImportRejected,
    Problem,
    RevertRefused,
    files,
    importer,
    validate,
)
from dashboard.ingest import (
    batches as batch_ops,
)
from dashboard.store.models import (
    AuditEvent,
    ImportBatch,
    ImportReplaced,
    Meta,
    PoliceStation,
    State,
    StateRow,
    StationRow,
)
from dashboard.store.schema import store_methodology, upgrade
from metrics.methodology import default_methodology

TODAY = date(2026, 11, 28)
PG_URL = os.environ.get("CCTNS_TEST_POSTGRES_URL")

MASTER_STATES = "state_code,name,category\nXX,Exland,Major States\nYY,Whyland,UTs\n"
MASTER_DISTRICTS = "district_code,state_code,name\nD1,XX,One\nD2,YY,Two\n"
MASTER_STATIONS = (
    "station_code,district_code,name,opened,closed\nS1,D1,Alpha,,\nS2,D1,Beta,2023-06,\nS3,D2,Gamma,,2026-01\n"
)
# 2024-02 has 29 days; pragati-2021 parameters: ps_cas_live (station flag), ps_connectivity (station days),
# fir_in_cctns (station count), personnel_trained (state count)
STATION_ROWS = (
    "month,station_code,parameter,numerator,denominator\n"
    "2024-02,S1,ps_cas_live,1,1\n"
    "2024-02,S1,ps_connectivity,28,29\n"
    "2024-02,S1,fir_in_cctns,45,50\n"
    "2024-02,S2,fir_in_cctns,0,0\n"
    "2024-03,S3,ps_connectivity,31,31\n"
)
STATE_ROWS = "month,state_code,parameter,numerator,denominator\n2024-02,XX,personnel_trained,8,10\n"


# --- fixtures ------------------------------------------------------------------------------------------


def _prepare(engine: Engine) -> Engine:
    upgrade(engine)
    store_methodology(engine, default_methodology())
    return engine


def _sqlite_engine(path: Path) -> Engine:
    from dashboard.store.db import make_engine

    return _prepare(make_engine(f"sqlite:///{path}"))


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    engine = _sqlite_engine(tmp_path / "db.sqlite3")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine() -> Engine:
    """A fresh PostgreSQL schema per test (search_path), dropped afterwards."""
    if not PG_URL:
        pytest.skip("CCTNS_TEST_POSTGRES_URL not set")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield _prepare(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request) -> Engine:
    return request.getfixturevalue("sqlite_engine" if request.param == "sqlite" else "pg_engine")


@pytest.fixture(autouse=True)
def recompute_calls(monkeypatch, request) -> list[list[str]]:
    """Record recompute_months calls instead of scoring (the scoring engine is tested elsewhere); the
    tests named *real_recompute* use the real one."""
    calls: list[list[str]] = []
    if "real_recompute" in request.node.name:
        return calls
    stub = types.ModuleType("dashboard.ingest.recompute")

    def recompute_months(conn, months, methodology, known_rows=None):
        assert conn.in_transaction()
        calls.append(sorted(months))
        return sorted(months)

    stub.recompute_months = recompute_months
    monkeypatch.setitem(sys.modules, "dashboard.ingest.recompute", stub)
    return calls


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def master_files(tmp_path: Path) -> list[Path]:
    return [write(tmp_path, "states.csv", MASTER_STATES), write(tmp_path, "districts.csv", MASTER_DISTRICTS),
            write(tmp_path, "stations.csv", MASTER_STATIONS)]


def imp(engine: Engine, paths, **kw) -> importer.ImportReport:
    return importer.import_files(engine, paths, today=TODAY, **kw)


@pytest.fixture
def loaded(sqlite_engine: Engine, tmp_path: Path) -> Engine:
    imp(sqlite_engine, master_files(tmp_path))
    return sqlite_engine


@pytest.fixture
def loaded_any(any_engine: Engine, tmp_path: Path) -> Engine:
    """Master data loaded, on SQLite and (when available) PostgreSQL."""
    imp(any_engine, master_files(tmp_path))
    return any_engine


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    tables = {
        "states": State, "stations": PoliceStation, "station_rows": StationRow, "state_rows": StateRow,
        "batches": ImportBatch, "replaced": ImportReplaced, "meta": Meta, "audit": AuditEvent,
    }
    out = {}
    with engine.connect() as conn:
        for name, model in tables.items():
            t = model.__table__
            out[name] = sorted(tuple(r) for r in conn.execute(select(t)).all())
    return out


def data_rows(engine: Engine) -> list[tuple]:
    t = StationRow.__table__
    u = StateRow.__table__
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(t)).all()) + sorted(
            ("state", *tuple(r)) for r in conn.execute(select(u)).all())


def rejected(engine: Engine, paths, **kw) -> list[Problem]:
    with pytest.raises(ImportRejected) as info:
        imp(engine, paths, **kw)
    return info.value.problems


def only(problems: list[Problem], **match) -> Problem:
    """The single problem matching every given field (rule: substring)."""
    found = [p for p in problems if all(
        (v in getattr(p, k)) if k == "rule" else getattr(p, k) == v for k, v in match.items())]
    assert len(found) == 1, f"expected one problem matching {match}, got {found} of {problems}"
    return found[0]


# --- happy path ----------------------------------------------------------------------------------------


def test_master_then_rows_imports_and_recomputes(sqlite_engine, tmp_path, recompute_calls):
    report = imp(sqlite_engine, master_files(tmp_path))
    assert report.rows_added == 2 + 2 + 3 and report.rows_replaced == 0
    assert report.months == [] and recompute_calls == []  # no data yet: nothing to recompute
    rows = [write(tmp_path, "any-name.csv", STATION_ROWS), write(tmp_path, "x.txt", STATE_ROWS)]
    report = imp(sqlite_engine, rows, user="alice")
    assert (report.rows_added, report.rows_replaced) == (6, 0)
    assert report.months == ["2024-02", "2024-03"] and recompute_calls == [["2024-02", "2024-03"]]
    assert report.kinds == ["station_rows", "state_rows"]
    got = data_rows(sqlite_engine)
    assert ("2024-02", "S1", "ps_connectivity", 28, 29, report.batch_id) in got
    assert ("state", "2024-02", "XX", "personnel_trained", 8, 10, report.batch_id) in got
    with sqlite_engine.connect() as conn:
        batch = conn.execute(select(ImportBatch.__table__).where(ImportBatch.id == report.batch_id)).one()
        assert batch.created_by == "alice" and batch.file_name == "any-name.csv, x.txt"
        assert batch.months == "2024-02,2024-03" and batch.kinds == "station_rows,state_rows"
        assert len(batch.file_sha256) == 64 and batch.rows_added == 6 and batch.status == "applied"
        assert conn.execute(select(Meta.value).where(Meta.key == "data_as_of")).scalar_one().startswith("20")


def test_master_change_recomputes_every_month_with_data(loaded, tmp_path, recompute_calls):
    imp(loaded, [write(tmp_path, "r.csv", STATION_ROWS)])
    report = imp(loaded, [write(tmp_path, "s.csv", "station_code,district_code,name\nS4,D2,Delta\n")])
    assert report.months == ["2024-02", "2024-03"] and recompute_calls[-1] == ["2024-02", "2024-03"]
    # unchanged master data changes nothing and recomputes nothing
    report = imp(loaded, [write(tmp_path, "s2.csv", "station_code,district_code,name\nS4,D2,Delta\n")])
    assert (report.rows_added, report.rows_replaced, report.months) == (0, 0, [])


def test_bom_and_header_case_and_whitespace(loaded, tmp_path):
    content = "\ufeffMonth, Station_Code ,parameter,numerator,denominator\r\n2024-02, S1 ,fir_in_cctns, 4 ,5\r\n\r\n"
    report = imp(loaded, [write(tmp_path, "bom.csv", content)])
    assert report.rows_added == 1
    assert data_rows(loaded)[0][:5] == ("2024-02", "S1", "fir_in_cctns", 4, 5)


def test_police_stations_without_opened_closed_columns(loaded, tmp_path):
    report = imp(loaded, [write(tmp_path, "ps.csv", "station_code,district_code,name\nS9,D1,Nine\n")])
    assert report.rows_added == 1


def test_xlsx_all_sheets(sqlite_engine, tmp_path):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    sheets = {
        "states": [("state_code", "name", "category"), ("XX", "Exland", "Major States")],
        "districts": [("district_code", "state_code", "name"), ("D1", "XX", "One")],
        "police_stations": [("station_code", "district_code", "name", "opened", "closed"),
                            ("S1", "D1", "Alpha", date(2023, 6, 1), None)],
        "station_rows": [("month", "station_code", "parameter", "numerator", "denominator"),
                         (date(2024, 2, 1), "S1", "ps_connectivity", 28, 29.0),
                         ("2024-02", "S1", "fir_in_cctns", 3, 4)],
        "state_rows": [("month", "state_code", "parameter", "numerator", "denominator")],  # header only: fine
    }
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    path = tmp_path / "all.xlsx"
    wb.save(path)
    report = imp(sqlite_engine, [path])
    assert report.rows_added == 1 + 1 + 1 + 2
    assert ("2024-02", "S1", "ps_connectivity", 28, 29, report.batch_id) in data_rows(sqlite_engine)
    with sqlite_engine.connect() as conn:
        assert conn.execute(select(PoliceStation.opened)).scalar_one() == "2023-06"


def test_xlsx_problems_name_the_sheet_and_row(loaded, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "station_rows"
    ws.append(("month", "station_code", "parameter", "numerator", "denominator"))
    ws.append(("2024-02", "S1", "fir_in_cctns", 3, 4))
    ws.append(("2024-02", "S1", "ps_cas_live", 2, 1))
    extra = wb.create_sheet("notes")
    extra.append(("hello",))
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    problems = rejected(loaded, [path])
    p = only(problems, rule="flag")
    assert (p.file, p.row, p.column, p.value) == ("bad.xlsx[station_rows]", 3, "numerator", "2")
    only(problems, file="bad.xlsx", rule="unexpected sheet")


# --- validation: one test per rule -----------------------------------------------------------------------


ROW_HEADER = "month,station_code,parameter,numerator,denominator\n"


@pytest.mark.parametrize(
    ("row", "column", "value", "rule"),
    [
        ("2024-02,S1,fir_in_cctns,-1,5", "numerator", "-1", "non-negative"),
        ("2024-02,S1,fir_in_cctns,1,-5", "denominator", "-5", "non-negative"),
        ("2024-02,S1,fir_in_cctns,1.5,5", "numerator", "1.5", "malformed number"),
        ("2024-02,S1,fir_in_cctns,abc,5", "numerator", "abc", "malformed number"),
        ("2024-02,S1,fir_in_cctns,1,99999999999", "denominator", "99999999999", "too large"),
        ("2024-02,S1,fir_in_cctns,6,5", "numerator", "6 > 5", "numerator greater than denominator"),
        ("2024-02,S1,ps_connectivity,20,30", "denominator", "30", "days in the month (29 in 2024-02)"),
        ("2024-02,S1,ps_cas_live,1,2", "denominator", "2", "'flag' parameter the denominator must be 1"),
        ("2024-02,S1,ps_cas_live,2,1", "numerator", "2", "'flag' parameter the numerator must be 0 or 1"),
        ("2024-02,S99,fir_in_cctns,1,5", "station_code", "S99", "unknown police station code"),
        ("2024-02,S1,no_such_param,1,5", "parameter", "no_such_param",
         "not in methodology version pragati-2021 in force for 2024-02"),
        ("2025-02,S1,ps_cas_live,1,1", "parameter", "ps_cas_live", "not in methodology version pragati-2025"),
        ("2024-02,S1,personnel_trained,1,5", "parameter", "personnel_trained", "wrong level"),
        ("2026-12,S1,fir_in_cctns,1,5", "month", "2026-12", "in the future"),
        ("2020-12,S1,fir_in_cctns,1,5", "month", "2020-12", "before the first methodology version"),
        ("2024-2,S1,fir_in_cctns,1,5", "month", "2024-2", "malformed month"),
        ("2024-13,S1,fir_in_cctns,1,5", "month", "2024-13", "malformed month"),
        (",S1,fir_in_cctns,1,5", "month", "", "missing value"),
        ("2024-02,S1,fir_in_cctns,,5", "numerator", "", "missing value"),
    ],
)
def test_station_row_rules(loaded, tmp_path, row, column, value, rule):
    path = write(tmp_path, "rows.csv", ROW_HEADER + "2024-02,S2,fir_in_cctns,1,2\n" + row + "\n")
    problems = rejected(loaded, [path])
    p = only(problems, rule=rule)
    assert (p.file, p.row, p.column, p.value) == ("rows.csv", 3, column, value)
    assert str(p).startswith(f"rows.csv:3:{column}: {value} — ")


def test_current_month_is_allowed(loaded, tmp_path):
    path = write(tmp_path, "rows.csv", ROW_HEADER + "2026-11,S1,fir_in_cctns,1,5\n")
    assert imp(loaded, [path]).rows_added == 1


def test_state_row_rules(loaded, tmp_path):
    path = write(tmp_path, "st.csv", "month,state_code,parameter,numerator,denominator\n"
                 "2024-02,ZZ,personnel_trained,1,2\n2024-02,XX,fir_in_cctns,1,2\n2024-02,XX,personnel_trained,3,2\n")
    problems = rejected(loaded, [path])
    assert (only(problems, rule="unknown State/UT code").row, only(problems, rule="wrong level").row) == (2, 3)
    assert only(problems, rule="wrong level").rule.endswith("belongs in station_rows, not state_rows")
    assert only(problems, rule="numerator greater").row == 4


def test_duplicate_keys_within_and_across_files(loaded, tmp_path):
    a = write(tmp_path, "a.csv", ROW_HEADER + "2024-02,S1,fir_in_cctns,1,2\n2024-02,S2,fir_in_cctns,1,2\n"
              "2024-02,S1,fir_in_cctns,1,3\n")
    b = write(tmp_path, "b.csv", ROW_HEADER + "2024-02,S2,fir_in_cctns,1,2\n")
    problems = rejected(loaded, [a, b])
    p = only(problems, file="a.csv")
    assert (p.row, p.column, p.value) == (4, "month,station_code,parameter", "2024-02/S1/fir_in_cctns")
    assert "duplicate" in p.rule and "also in row 2" in p.rule
    assert "also in row 3 of a.csv" in only(problems, file="b.csv").rule


def test_master_data_rules(sqlite_engine, tmp_path):
    states = write(tmp_path, "s.csv", "state_code,name,category\nXX,Exland,Major States\nYY,Why,Union Territories\n"
                   "TOOLONGCODE,Long,UTs\nXX,Again,UTs\n")
    districts = write(tmp_path, "d.csv", "district_code,state_code,name\nD1,XX,One\nD2,QQ,Two\nD3,XX,\n")
    stations = write(tmp_path, "p.csv", "station_code,district_code,name,opened,closed\nS1,D1,A,2024-05,2024-01\n"
                     "S2,D9,B,,\nS3,D1,C,May 2024,\n")
    problems = rejected(sqlite_engine, [states, districts, stations])
    assert only(problems, rule="unknown category").row == 3
    assert only(problems, rule="longer than 8").value == "TOOLONGCODE"
    assert only(problems, file="s.csv", rule="duplicate").row == 5
    p = only(problems, rule="unknown State/UT")
    assert (p.file, p.row, p.column, p.value) == ("d.csv", 3, "state_code", "QQ")
    assert only(problems, file="d.csv", rule="missing value").column == "name"
    p = only(problems, rule="closed is before opened")
    assert (p.file, p.row, p.column, p.value) == ("p.csv", 2, "closed", "2024-05 > 2024-01")
    assert only(problems, rule="unknown district").value == "D9"
    assert only(problems, rule="must be a month YYYY-MM").column == "opened"


def test_codes_known_from_the_same_import(sqlite_engine, tmp_path):
    report = imp(sqlite_engine, [*master_files(tmp_path), write(tmp_path, "r.csv", STATION_ROWS)])
    assert report.rows_added == 7 + 5


def test_missing_and_unexpected_columns(loaded, tmp_path):
    a = write(tmp_path, "a.csv", "month,station_code,parameter,numerator\n2024-02,S1,fir_in_cctns,1\n")
    b = write(tmp_path, "b.csv", ROW_HEADER.strip() + ",remarks\n2024-02,S1,fir_in_cctns,1,2,ok\n")
    c = write(tmp_path, "c.csv", "foo,bar\n1,2\n")
    d = write(tmp_path, "d.csv", "month;station_code;parameter;numerator;denominator\n2024-02;S1;x;1;2\n")
    e = write(tmp_path, "e.csv", "month,month,station_code,parameter,numerator,denominator\n")
    problems = rejected(loaded, [a, b, c, d, e])
    p = only(problems, file="a.csv")
    assert (p.row, p.column) == (1, "denominator") and "missing column" in p.rule
    p = only(problems, file="b.csv")
    assert (p.row, p.column) == (1, "remarks") and "unexpected column" in p.rule
    assert "header not recognised" in only(problems, file="c.csv").rule
    assert "comma-separated" in only(problems, file="d.csv").rule
    assert "twice" in only(problems, file="e.csv").rule


def test_too_many_fields(loaded, tmp_path):
    path = write(tmp_path, "r.csv", ROW_HEADER + "2024-02,S1,fir_in_cctns,1,2\n2024-02,S1,x,1,2,3\n"
                 "2024-02,S2,y,1,2,3,4\n")
    problems = rejected(loaded, [path])
    assert [p.row for p in problems] == [3, 4] and "6 fields" in problems[0].rule


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"\xef\xbb\xbf \r\n\n", "empty"),
        ("header.csv", ROW_HEADER.encode(), "no data rows"),
        ("latin1.csv", (ROW_HEADER + "2024-02,S1,fir_in_cctns,1,2\n").encode() + "Bihár,é\n".encode("latin-1"),
         "not valid UTF-8"),
        ("garbage.csv", bytes(range(256)) * 8, "not a CSV or XLSX"),
        ("fake.xlsx", b"PK\x03\x04" + bytes(200), "not a readable XLSX"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), ".xls format"),
        ("utf16.csv", ROW_HEADER.encode("utf-16"), "UTF-16"),
    ],
)
def test_unreadable_files(loaded, tmp_path, name, content, rule):
    path = write(tmp_path, name, content)
    p = only(rejected(loaded, [path]), rule=rule)
    assert p.file == name
    if p.row is None:
        assert str(p) == f"{name}: {p.rule}"
    if name == "latin1.csv":
        assert p.row == 3


def test_missing_file(loaded, tmp_path):
    assert "cannot read" in only(rejected(loaded, [tmp_path / "nope.csv"]), file="nope.csv").rule


def test_problems_of_all_files_are_reported_together(loaded, tmp_path):
    good = write(tmp_path, "good.csv", ROW_HEADER + "2024-02,S1,fir_in_cctns,1,2\n")
    bad1 = write(tmp_path, "bad1.csv", ROW_HEADER + "2024-02,S1,ps_cas_live,1,2\n")
    bad2 = write(tmp_path, "bad2.csv", b"\x00\x01\x02garbage")
    problems = rejected(loaded, [good, bad1, bad2])
    assert {p.file for p in problems} == {"bad1.csv", "bad2.csv"}


def test_problem_list_is_capped(loaded, tmp_path):
    rows = "".join(f"2024-02,S1,p{i},1,2\n" for i in range(500))
    with pytest.raises(ImportRejected) as info:
        imp(loaded, [write(tmp_path, "many.csv", ROW_HEADER + rows)])
    assert len(info.value.problems) == files.MAX_PROBLEMS_PER_FILE
    assert info.value.omitted == 500 - files.MAX_PROBLEMS_PER_FILE
    assert [p.row for p in info.value.problems[:3]] == [2, 3, 4]


def test_rejected_import_changes_nothing(loaded_any, tmp_path, recompute_calls):
    imp(loaded_any, [write(tmp_path, "r.csv", STATION_ROWS)])
    before = snapshot(loaded_any)
    calls = len(recompute_calls)
    bad = write(tmp_path, "bad.csv", STATION_ROWS.replace("45,50", "55,50"))
    newmaster = write(tmp_path, "st.csv", "state_code,name,category\nXX,Renamed,UTs\nNEW,New,UTs\n")
    rejected(loaded_any, [newmaster, bad])
    assert snapshot(loaded_any) == before and len(recompute_calls) == calls


def test_validate_files_lists_the_problems_and_writes_nothing(loaded_any, tmp_path, recompute_calls):
    """`validate_files` (for a preview before importing): the same problems as an import, nothing stored."""
    from dashboard.ingest import validate_files

    before = snapshot(loaded_any)
    good = write(tmp_path, "r.csv", STATION_ROWS)
    assert validate_files(loaded_any, [good], today=TODAY) == []
    bad = write(tmp_path, "bad.csv", STATION_ROWS.replace("45,50", "55,50"))
    problems = validate_files(loaded_any, [bad], today=TODAY)
    assert problems and all(p.file == "bad.csv" and p.row is not None for p in problems)
    assert any("numerator greater than denominator" in p.rule for p in problems)
    assert snapshot(loaded_any) == before and recompute_calls == []


def test_no_methodology(tmp_path):
    from dashboard.store.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    with pytest.raises(ImporterError, match="init-db"):
        imp(engine, [write(tmp_path, "s.csv", MASTER_STATES)])
    upgrade(engine)
    with pytest.raises(ImporterError, match="init-db"):
        imp(engine, [write(tmp_path, "s.csv", MASTER_STATES)])


# --- replace and revert --------------------------------------------------------------------------------


def test_replace_then_revert_restores_exactly(any_engine, tmp_path, recompute_calls):
    engine = any_engine
    first = imp(engine, master_files(tmp_path))
    b1 = imp(engine, [write(tmp_path, "r1.csv", STATION_ROWS), write(tmp_path, "s1.csv", STATE_ROWS)])
    before = data_rows(engine)
    with engine.connect() as conn:
        master_before = sorted(tuple(r) for r in conn.execute(select(State.__table__)))
    # second batch: replaces two rows, adds one row, changes a State's name, adds a State
    r2 = write(tmp_path, "r2.csv", ROW_HEADER + "2024-02,S1,fir_in_cctns,50,50\n2024-03,S3,ps_connectivity,0,31\n"
               "2024-04,S1,fir_in_cctns,1,1\n")
    s2 = write(tmp_path, "s2.csv", "state_code,name,category\nXX,Exland Renamed,Major States\nZZ,Zed,UTs\n")
    b2 = imp(engine, [r2, s2])
    assert (b2.rows_added, b2.rows_replaced) == (1 + 1, 2 + 1)
    assert b2.months == ["2024-02", "2024-03", "2024-04"]  # master change: every month with data
    after = data_rows(engine)
    assert ("2024-02", "S1", "fir_in_cctns", 50, 50, b2.batch_id) in after
    assert ("2024-02", "S1", "ps_cas_live", 1, 1, b1.batch_id) in after  # untouched rows keep their batch
    rep = batch_ops.revert_batch(engine, b2.batch_id, user="bob")
    assert (rep.rows_restored, rep.rows_removed) == (3, 2)
    assert recompute_calls[-1] == ["2024-02", "2024-03", "2024-04"]
    assert data_rows(engine) == before
    with engine.connect() as conn:
        assert sorted(tuple(r) for r in conn.execute(select(State.__table__))) == master_before
        assert conn.execute(select(AuditEvent.action).order_by(AuditEvent.id.desc())).first()[0] == "revert"
    batches = batch_ops.list_batches(engine)
    assert [b.id for b in batches] == [b2.batch_id, b1.batch_id, first.batch_id]
    assert batches[0].status == "reverted" and batches[0].reverted_at is not None
    assert (batches[0].rows_added, batches[0].rows_replaced) == (2, 3)
    # re-importing after the revert works again, and reverting the first data batch empties the rows
    imp(engine, [r2])
    with pytest.raises(RevertRefused, match="revert batch"):
        batch_ops.revert_batch(engine, b1.batch_id, user="bob")


def test_revert_refusals(loaded_any, tmp_path):
    b1 = imp(loaded_any, [write(tmp_path, "r1.csv", STATION_ROWS)])
    b2 = imp(loaded_any, [write(tmp_path, "r2.csv", ROW_HEADER + "2024-02,S1,fir_in_cctns,50,50\n")])
    with pytest.raises(RevertRefused) as info:
        batch_ops.revert_batch(loaded_any, b1.batch_id)
    assert f"batch {b2.batch_id}: 1 row(s)" in str(info.value) and f"revert batch {b2.batch_id} first" in str(
        info.value)
    batch_ops.revert_batch(loaded_any, b2.batch_id)
    with pytest.raises(RevertRefused, match="already reverted"):
        batch_ops.revert_batch(loaded_any, b2.batch_id)
    with pytest.raises(RevertRefused, match="no import batch 999"):
        batch_ops.revert_batch(loaded_any, 999)
    # with the later batch reverted, the first one can go: every row it added is removed
    batch_ops.revert_batch(loaded_any, b1.batch_id)
    assert data_rows(loaded_any) == []


def test_revert_refused_when_later_data_uses_added_master_rows(loaded_any, tmp_path):
    b = imp(loaded_any, [write(tmp_path, "ps.csv", "station_code,district_code,name\nS7,D1,Seven\n")])
    imp(loaded_any, [write(tmp_path, "r.csv", ROW_HEADER + "2024-02,S7,fir_in_cctns,1,2\n")])
    before = snapshot(loaded_any)
    with pytest.raises(RevertRefused, match="station rows of later imports refer"):
        batch_ops.revert_batch(loaded_any, b.batch_id)
    assert snapshot(loaded_any) == before


def test_revert_of_master_change_blocked_by_later_master_change(loaded_any, tmp_path):
    b1 = imp(loaded_any, [write(tmp_path, "a.csv", "state_code,name,category\nXX,First,Major States\n")])
    b2 = imp(loaded_any, [write(tmp_path, "b.csv", "state_code,name,category\nXX,Second,Major States\n")])
    with pytest.raises(RevertRefused, match=f"revert batch {b2.batch_id} first"):
        batch_ops.revert_batch(loaded_any, b1.batch_id)
    batch_ops.revert_batch(loaded_any, b2.batch_id)
    batch_ops.revert_batch(loaded_any, b1.batch_id)
    with loaded_any.connect() as conn:
        assert conn.execute(select(State.name).where(State.code == "XX")).scalar_one() == "Exland"


def test_replaced_rows_are_recorded_as_json(loaded_any, tmp_path):
    b1 = imp(loaded_any, [write(tmp_path, "r1.csv", STATION_ROWS)])
    b2 = imp(loaded_any, [write(tmp_path, "r2.csv", ROW_HEADER + "2024-02,S1,fir_in_cctns,50,50\n")])
    with loaded_any.connect() as conn:
        rec = conn.execute(select(ImportReplaced.__table__).where(ImportReplaced.batch_id == b2.batch_id)).one()
    assert rec.table_name == "station_rows"
    assert rec.key == '["2024-02","S1","fir_in_cctns"]'
    assert rec.old_values == f'{{"numerator":45,"denominator":50,"batch_id":{b1.batch_id}}}'


# --- speed ---------------------------------------------------------------------------------------------


def _big_month(tmp_path: Path, stations: int, month: str = "2024-02") -> tuple[Path, Path]:
    ps = ["station_code,district_code,name,opened,closed"] + [f"P{i:05d},D1,Station {i},," for i in range(stations)]
    params = [("fir_in_cctns", 5, 9), ("ps_connectivity", 20, 29), ("ps_cas_live", 1, 1), ("iif3_arrests", 3, 3),
              ("iif4_seizures", 0, 0)]
    rows = [ROW_HEADER.strip()] + [f"{month},P{i:05d},{p},{n},{d}" for i in range(stations) for p, n, d in params]
    return (write(tmp_path, "ps.csv", "\n".join(ps) + "\n"), write(tmp_path, "big.csv", "\n".join(rows) + "\n"))


@pytest.mark.slow
def test_large_import_is_fast(loaded_any, tmp_path):
    """A big month costs a bounded number of round trips to the database (bulk statements), not one per row.
    Counted, not timed: wall-clock bounds failed on loaded machines; the benchmark measures the seconds."""
    ps, big = _big_month(tmp_path, 20_000)  # 100,000 rows
    imp(loaded_any, [ps])
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(loaded_any, "before_cursor_execute", count)
    try:
        report = imp(loaded_any, [big], progress=True)
        assert report.rows_added == 100_000
        first = len(statements)
        again = imp(loaded_any, [big], progress=False)  # the replace path
        assert again.rows_replaced == 100_000
    finally:
        event.remove(loaded_any, "before_cursor_execute", count)
    assert first < 1_000 and len(statements) - first < 1_000  # 27 and 29 today; per row would be 100,000, (first, len(statements) - first)
    batch_ops.revert_batch(loaded_any, again.batch_id)
    with loaded_any.connect() as conn:
        assert conn.execute(select(StationRow.batch_id).distinct()).scalars().all() == [report.batch_id]


# --- real recompute ------------------------------------------------------------------------------------


def test_import_with_real_recompute(any_engine, tmp_path):
    pytest.importorskip("metrics.scoring")
    pytest.importorskip("metrics.analysis")
    from dashboard.store.models import ResultUnit

    report = imp(any_engine, [*master_files(tmp_path), write(tmp_path, "r.csv", STATION_ROWS),
                                 write(tmp_path, "s.csv", STATE_ROWS)])
    with any_engine.connect() as conn:
        months = sorted({m for (m,) in conn.execute(select(ResultUnit.month))})
    assert months == report.months == ["2024-02", "2024-03"]
    batch_ops.revert_batch(any_engine, report.batch_id)
    with any_engine.connect() as conn:
        assert conn.execute(select(ResultUnit.month)).first() is None


# --- command line --------------------------------------------------------------------------------------


@pytest.fixture
def cli(sqlite_engine, monkeypatch) -> tuple[CliRunner, typer.Typer]:

    monkeypatch.setattr(cli_imports, "_engine", lambda: sqlite_engine)
    monkeypatch.setattr(validate, "_current_month", lambda today: "2026-11")
    app = typer.Typer()
    app.command("import")(cli_imports.import_command)
    app.add_typer(cli_imports.imports_app, name="imports")
    return CliRunner(), app


def test_cli_import_list_revert(cli, tmp_path):
    runner, app = cli
    result = runner.invoke(app, ["import", *map(str, master_files(tmp_path)), "--user", "op1"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["import", str(write(tmp_path, "r.csv", STATION_ROWS))])
    assert result.exit_code == 0, result.output
    assert "imported batch 2: 5 row(s) added, 0 replaced" in result.output
    assert "months recomputed: 2 (2024-02, 2024-03)" in result.output and "rows/s" in result.output
    result = runner.invoke(app, ["imports", "list"])
    assert result.exit_code == 0 and "r.csv" in result.output and "op1" in result.output
    result = runner.invoke(app, ["imports", "revert", "2"])
    assert result.exit_code == 0 and "reverted batch 2" in result.output
    result = runner.invoke(app, ["imports", "revert", "2"])
    assert result.exit_code == 1 and "already reverted" in result.output


def test_cli_rejection_lists_problems_and_exits_1(cli, tmp_path):
    runner, app = cli
    runner.invoke(app, ["import", *map(str, master_files(tmp_path))])
    bad = write(tmp_path, "bad.csv", ROW_HEADER + "2024-02,S1,fir_in_cctns,6,5\n2024-02,S1,ps_cas_live,1,2\n")
    result = runner.invoke(app, ["import", str(bad)])
    assert result.exit_code == 1
    assert "bad.csv:2:numerator: 6 > 5 — numerator greater than denominator" in result.output
    assert "bad.csv:3:denominator: 2 — for a 'flag' parameter the denominator must be 1" in result.output
    assert "nothing was imported" in result.output
