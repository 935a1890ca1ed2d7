"""`cctns actions list|export|import`: a readable table, registers written through the output-safety layer,
a bad register refused with every problem (row and column) and nothing stored, the named user's scope, the
import's hostile-input rules, and an export that imports as the same actions."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook
from review_loop import FORMULA_TEXT, STATE, STATE_USER, copy_db, scope
from typer.testing import CliRunner

from dashboard import actions
from dashboard.cli import actions as cli_actions
from dashboard.cli.commands import app
from dashboard.ingest import REGISTER_COLUMNS

HEADER = ",".join(REGISTER_COLUMNS) + "\n"


@pytest.fixture
def run(monkeypatch):
    """Run `cctns ...` on the engine given (the CLI's engine swapped for it)."""
    runner = CliRunner()

    def invoke(engine, *args: str):
        monkeypatch.setattr(cli_actions, "_engine", lambda: engine)
        return runner.invoke(app, ["actions", *args])

    return invoke


@pytest.fixture
def fresh_engine(judged, tmp_path):
    """The database before any action was made (May the latest scored month), with mn-admin."""
    engine = copy_db(judged.base_db, tmp_path, "fresh.sqlite3")
    yield engine
    engine.dispose()


def _register(df) -> list[tuple]:
    """The columns a register carries, as comparable tuples (blank for None)."""
    return sorted(tuple("" if v is None or v != v else str(v) for v in row)
                  for row in df[list(REGISTER_COLUMNS)].itertuples(index=False))


def test_list_is_a_readable_table_with_filters(run, judged_engine, judged):
    r = run(judged_engine, "list", "--state", STATE)
    assert r.exit_code == 0, r.output
    listed = actions.list_actions(judged_engine, scope())
    assert f"Actions ({len(listed)})" in r.output
    for name in set(listed["unit_name"]):
        assert name in r.output
    assert "not met" in r.output and "partly met" in r.output and "pending" in r.output
    assert "Jun 2025 → Jul 2025 (carried over 1×)" in r.output and "=HYPERLINK" in r.output
    r = run(judged_engine, "list", "--overdue")
    carried = listed[(listed["carry_cycles"] > 0) & listed["status"].isin(["open", "escalated"])]
    assert r.exit_code == 0 and f"Actions ({len(carried)})" in r.output
    district = listed.set_index("id").loc[judged.ids["PENDING"], "district_code"]
    r = run(judged_engine, "list", "--district", district)
    assert f"Actions ({int((listed['district_code'] == district).sum())})" in r.output
    r = run(judged_engine, "list", "--status", "done")
    assert r.exit_code == 0 and "no actions match these filters" in r.output
    for bad in (["--status", "finished"], ["--state", "M N"]):
        r = run(judged_engine, "list", *bad)
        assert r.exit_code == 1 and "error:" in r.output


def test_export_csv_and_xlsx_are_inert(run, judged_engine, tmp_path):
    out = tmp_path / "actions.csv"
    r = run(judged_engine, "export", "--format", "csv", "--out", str(out), "--state", STATE)
    assert r.exit_code == 0 and "wrote 5 action(s)" in r.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert list(rows[0])[: len(REGISTER_COLUMNS)] == list(REGISTER_COLUMNS)
    assert "'" + FORMULA_TEXT in [row["text"] for row in rows]  # a leading ' keeps it text in a spreadsheet
    assert all(row["parameter"] != "nan" for row in rows)
    xlsx = tmp_path / "actions.xlsx"
    r = run(judged_engine, "export", "--format", "xlsx", "--out", str(xlsx))
    assert r.exit_code == 0
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["actions"]
    cells = [c for row in wb["actions"].iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert [c.data_type for c in cells if c.value == FORMULA_TEXT] == ["s"]
    for bad in (["--format", "docx", "--out", str(tmp_path / "x.docx")],
                ["--format", "csv", "--out", str(tmp_path / "no" / "x.csv")]):
        assert run(judged_engine, "export", *bad).exit_code == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_as_the_same_actions(run, judged_engine, fresh_engine, tmp_path, fmt):
    out = tmp_path / f"register.{fmt}"
    assert run(judged_engine, "export", "--format", fmt, "--out", str(out)).exit_code == 0
    r = run(fresh_engine, "import", str(out), "--user", STATE_USER)
    assert r.exit_code == 0, r.output
    assert f"imported 5 action(s) from register.{fmt}, assigned by {STATE_USER}" in r.output
    before = actions.list_actions(judged_engine, scope())
    after = actions.list_actions(fresh_engine, scope())
    assert _register(after) == _register(before)
    assert FORMULA_TEXT in set(after["text"])  # the export's ' is not kept
    assert set(after["assigned_by"]) == {STATE_USER} and set(after["outcome"]) == {"pending"}


def test_a_bad_register_lists_every_problem_and_stores_nothing(run, fresh_engine, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER
                   + "station,MN-IET-004,esakshya,Enter the pending records,sp,,2025-07,,\n"  # fine
                   + "precinct,mn iet,Bad-Param,,boss,,2025-13,03/12/2025,tea\n"
                   + "station,MN-IET-004,esakshya,Enter records,user,,,,\n"
                   + "station,MN-IET-004,nosuch,Enter records,sp,,,,\n"
                   + "station,MN-IET-004,esakshya,Enter records,sp,,2024-01,,\n"
                   + "district,MN-IET,,District drive,sp,,,,\n"
                   + "station,HR-KNL-001,,=1+2 looks like a formula,sho,,,,\n")
    r = run(fresh_engine, "import", str(bad), "--user", STATE_USER)
    assert r.exit_code == 1
    expected = [
        "bad.csv:3:level: precinct — must be one of station, district, state",
        "bad.csv:3:unit_code: mn iet — code must be upper-case",
        "bad.csv:3:parameter: Bad-Param — a parameter id",
        "bad.csv:3:text:  — the action's text is required",
        "bad.csv:3:owner_kind: boss — must be one of sho, sp, scrb, user",
        "bad.csv:3:due_month: 2025-13 — a month YYYY-MM",
        "bad.csv:3:review_date: 03/12/2025 — a date YYYY-MM-DD",
        "bad.csv:3:forum: tea — must be one of state_review, district_meeting, conference",
        "bad.csv:4:owner_user:  — owner_kind user needs the owner's username here",
        "bad.csv:5:parameter: nosuch — the parameter nosuch does not exist for stations in 2025-05",
        "bad.csv:6:due_month: 2024-01 — 2024-01 is already scored (latest scored month 2025-05)",
        "bad.csv:7:parameter:  — an action about a district or a State names the parameter it is about",
        "bad.csv:8:unit_code: HR-KNL-001 — mn-admin (state:MN:*) may not assign actions for station HR-KNL-001",
    ]
    for line in expected:
        assert line in r.output, line
    assert "13 problem(s): no action was imported" in r.output
    assert "bad.csv:2:" not in r.output  # the good row
    assert actions.list_actions(fresh_engine, scope()).empty  # all or nothing


def test_formula_looking_text_is_stored_as_typed(run, fresh_engine, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "station,MN-IET-004,,=1+2 looks like a formula,sho,,,,conference\n"
                    + "state,MN,esakshya,@SUM(A1) state-wide drive,scrb,,2025-08,,\n")
    r = run(fresh_engine, "import", str(good), "--user", STATE_USER)
    assert r.exit_code == 0, r.output
    texts = set(actions.list_actions(fresh_engine, scope())["text"])
    assert texts == {"=1+2 looks like a formula", "@SUM(A1) state-wide drive"}


def test_the_named_users_scope_applies(run, fresh_engine, tmp_path):
    register = tmp_path / "r.csv"
    register.write_text(HEADER + "station,MN-IET-004,esakshya,Enter the pending records,sp,,,,\n")
    r = run(fresh_engine, "import", str(register), "--user", "karnal-sp")
    assert r.exit_code == 1
    assert "r.csv:2:unit_code: MN-IET-004 — karnal-sp (district:HR:HR-KNL) may not assign actions" in r.output
    for user, words in (("ncrb", "is a national user"), ("nobody", "there is no active user 'nobody'")):
        r = run(fresh_engine, "import", str(register), "--user", user)
        assert r.exit_code == 1 and words in r.output and "no action was imported" in r.output
    assert actions.list_actions(fresh_engine, scope()).empty


def test_hostile_registers_are_refused(run, fresh_engine, tmp_path, monkeypatch):
    nul = tmp_path / "nul.csv"
    nul.write_bytes(HEADER.encode() + b"station,MN-IET-004,esakshya,Enter\x00 records,sp,,,,\n")
    r = run(fresh_engine, "import", str(nul), "--user", STATE_USER)
    assert r.exit_code == 1 and "nul.csv:2:" in r.output and "NUL byte" in r.output

    wb = Workbook()
    ws = wb.active
    ws.title = "actions"
    ws.append(list(REGISTER_COLUMNS))
    ws.append(["station", "MN-IET-004", "esakshya", "=CONCAT(\"a\",\"b\")", "sp", None, None, None, None])
    formula = tmp_path / "formula.xlsx"
    wb.save(formula)
    r = run(fresh_engine, "import", str(formula), "--user", STATE_USER)
    assert r.exit_code == 1 and "formula.xlsx[actions]:2:text:" in r.output
    assert "formula cells are not accepted" in r.output

    wrong_sheet = tmp_path / "sheet.xlsx"
    ws.title = "Sheet1"
    ws["D2"] = "Enter the pending records"
    wb.save(wrong_sheet)
    r = run(fresh_engine, "import", str(wrong_sheet), "--user", STATE_USER)
    assert r.exit_code == 1 and "sheets must be named actions" in r.output

    from dashboard.ingest import files

    monkeypatch.setattr(files, "MAX_XLSX_UNCOMPRESSED", 1000)  # a workbook that expands past the limit
    ws.title = "actions"
    big = tmp_path / "big.xlsx"
    wb.save(big)
    r = run(fresh_engine, "import", str(big), "--user", STATE_USER)
    assert r.exit_code == 1 and "uncompressed" in r.output
    assert actions.list_actions(fresh_engine, scope()).empty


def test_a_header_it_does_not_know_is_refused(run, fresh_engine, tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("level,unit_code,text,owner_kind,colour\nstation,MN-IET-004,Enter records,sp,red\n")
    r = run(fresh_engine, "import", str(odd), "--user", STATE_USER)
    assert r.exit_code == 1 and "odd.csv:1:colour: colour — unexpected column 'colour'" in r.output
    missing = tmp_path / "missing.csv"
    missing.write_text("level,unit_code,text\nstation,MN-IET-004,Enter records\n")
    r = run(fresh_engine, "import", str(missing), "--user", STATE_USER)
    assert r.exit_code == 1 and "missing column 'owner_kind'" in r.output


def test_no_file_no_traceback(run, fresh_engine, tmp_path):
    r = run(fresh_engine, "import", str(tmp_path / "absent.csv"), "--user", STATE_USER)
    assert r.exit_code == 1 and "Traceback" not in r.output and "cannot read the file" in r.output


def test_actions_by_scheme(run, judged_engine, tmp_path):
    """Issue 13: `--scheme` keeps the actions on that scheme's parameters; the register names each
    parameter's scheme (an export-only column, ignored on import); the list says it beside the name."""
    listed = actions.list_actions(judged_engine, scope())
    on_parameters = listed[listed["parameter"].notna() & (listed["parameter"] != "")]
    assert len(on_parameters) > 0
    out = tmp_path / "all.csv"
    assert run(judged_engine, "export", "--out", str(out)).exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert {r["scheme"] for r in rows if r["parameter"]} == {"cctns"}  # the demo's reviews are on CCTNS
    assert all(r["scheme"] == "" for r in rows if not r["parameter"])
    out = tmp_path / "itsso.csv"
    r = run(judged_engine, "export", "--out", str(out), "--scheme", "itsso")
    assert r.exit_code == 0 and "wrote 0 action(s)" in r.output
    r = run(judged_engine, "export", "--out", str(out), "--scheme", "cctns")
    assert f"wrote {len(on_parameters)} action(s)" in r.output
    r = run(judged_engine, "list", "--scheme", "cctns")
    assert r.exit_code == 0 and "(CCTNS)" in r.output
    r = run(judged_engine, "list", "--scheme", "nope")
    assert r.exit_code == 1 and "--scheme must be one of cctns, icjs, itsso" in r.output
