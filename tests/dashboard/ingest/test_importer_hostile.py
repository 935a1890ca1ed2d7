"""Hostile input files (issue 9, issue 10): every file of the corpus in `hostile_files/`, and the large
ones built at test time, is either imported (when valid) or refused with a located message, never a
traceback, and a refusal leaves the database byte-for-byte unchanged."""

# ruff: noqa: F811 - the fixtures imported from test_importer are redefined as test arguments
from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, MetaData, select

from dashboard.ingest import ImportRejected, Problem, files
from tests.dashboard.ingest.test_importer import (  # noqa: F401 - fixtures
    ROW_HEADER,
    cli,
    imp,
    loaded,
    only,
    recompute_calls,
    rejected,
    sqlite_engine,
    write,
)

CORPUS = Path(__file__).parent / "hostile_files"

# file -> (rule substring, row, column) of one problem that must be reported; None: a valid file
EXPECTED: dict[str, tuple[str, int | None, str] | None] = {
    "utf16_bom.csv": ("UTF-16", None, ""),
    "utf16le_no_bom.csv": ("NUL", 1, ""),
    "latin1.csv": ("not valid UTF-8", 2, ""),
    "utf8_bom_valid.csv": None,
    "binary.csv": ("NUL", 1, ""),
    "nul_in_row.csv": ("NUL", 3, ""),
    "escape_in_name.csv": ("control character", 2, "name"),
    "bell_and_del_in_names.csv": ("control character", 4, "name"),
    "tab_in_name.csv": ("control character", 2, "name"),
    "newline_in_name.csv": ("control character", 2, "name"),
    "formula_hyperlink_name.csv": ("must not begin with =, +, -, @", 2, "name"),
    "formula_dde_name.csv": ("must not begin with =, +, -, @", 2, "name"),
    "formula_plus_name.csv": ("must not begin with =, +, -, @", 2, "name"),
    "formula_at_name.csv": ("must not begin with =, +, -, @", 2, "name"),
    "formula_minus_name.csv": ("must not begin with =, +, -, @", 2, "name"),
    "code_formula.csv": ("A-Z", 2, "station_code"),
    "code_path.csv": ("A-Z", 2, "station_code"),
    "code_html.csv": ("A-Z", 2, "station_code"),
    "code_spaces.csv": ("A-Z", 2, "station_code"),
    "code_lowercase.csv": ("A-Z", 2, "state_code"),
    "code_double_hyphen.csv": ("A-Z", 2, "district_code"),
    "ragged_too_many.csv": ("6 fields but the header has 5", 3, ""),
    "ragged_too_few.csv": ("4 fields but the header has 5", 3, ""),
    "ragged_both.csv": ("3 fields but the header has 5", 2, ""),
    "trailing_comma_everywhere.csv": None,
    "trailing_comma_rows_only.csv": ("6 fields but the header has 5", 2, ""),
    "trailing_comma_with_value.csv": ("value in a column without a header", 3, "(blank)"),
    "future_months_only.csv": ("in the future", 2, "month"),
    "malformed_months_only.csv": ("malformed month", 3, "month"),
    "state_rows_future_only.csv": ("in the future", 2, "month"),
    "arabic_indic_digits.csv": ("malformed number", 2, "numerator"),
    "fullwidth_digits.csv": ("malformed number", 2, "denominator"),
    "devanagari_month.csv": ("malformed month", 2, "month"),
    "empty.csv": ("empty", None, ""),
    "only_bom_and_blank_lines.csv": ("empty", None, ""),
    "header_only.csv": ("no data rows", None, ""),
    "semicolons.csv": ("comma-separated", 1, ""),
    "inactive_before_opened.csv": ("not active in 2023-05 (opened 2023-06)", 2, "month"),
    "inactive_after_closed.csv": ("not active in 2026-02 (closed 2026-01)", 2, "month"),
    "valid_rows.csv": None,
    "valid_station_master.csv": None,
}


def dump(engine: Engine) -> str:
    """A checksum over every row of every table: equal dumps mean an unchanged database."""
    meta = MetaData()
    meta.reflect(engine)
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in sorted(meta.sorted_tables, key=lambda t: t.name):
            rows = sorted(repr(tuple(r)) for r in conn.execute(select(table)))
            digest.update(f"{table.name}:{len(rows)}\n".encode())
            for r in rows:
                digest.update(r.encode() + b"\n")
    return digest.hexdigest()


# --- files built at test time ------------------------------------------------------------------------


def _xlsx(path: Path, sheets: dict[str, list[tuple]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def _sheet_xml(rows: int) -> Iterator[bytes]:
    yield (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
           b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
    yield b'<row r="1"><c t="inlineStr"><is><t>month</t></is></c><c t="inlineStr"><is><t>station_code</t></is></c>' \
          b'<c t="inlineStr"><is><t>parameter</t></is></c><c t="inlineStr"><is><t>numerator</t></is></c>' \
          b'<c t="inlineStr"><is><t>denominator</t></is></c></row>'
    row = (b'<row><c t="inlineStr"><is><t>2024-02</t></is></c><c t="inlineStr"><is><t>S1</t></is></c>'
           b'<c t="inlineStr"><is><t>fir_in_cctns</t></is></c><c><v>1</v></c><c><v>2</v></c></row>')
    for _ in range(rows // 1000):
        yield row * 1000
    yield b"</sheetData></worksheet>"


def _raw_xlsx(path: Path, rows: int) -> Path:
    """A minimal workbook whose one sheet `station_rows` has `rows` identical data rows (streamed)."""
    ct = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
          b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
          b'"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
          b'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
          b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
    rels = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
          b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
          b'relationships"><sheets><sheet name="station_rows" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wbrels = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
              b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
              b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", wbrels)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for chunk in _sheet_xml(rows):
                f.write(chunk)
    return path


def _zip_bomb(folder: Path) -> Path:
    """An XLSX-looking zip with one member of 600 MB of zeros (about 600 KB compressed)."""
    path = folder / "zip_bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            block = bytes(1 << 20)
            for _ in range(600):
                f.write(block)
    return path


def _nul_after_8k(tmp_path: Path) -> Path:
    content = (ROW_HEADER + "2024-02,S1,fir_in_cctns,1,2\n" * 400 + "2024-02,S2,fir_in_cctns,1\x00,2\n").encode()
    assert len(content) > 8192 + 100
    return write(tmp_path, "nul_after_8k.csv", content)


_HEADER = ("month", "station_code", "parameter", "numerator", "denominator")
_PS_HEADER = ("station_code", "district_code", "name", "opened", "closed")

# built at test time: name -> (builder, expected problem as in EXPECTED)
GENERATED: dict[str, tuple[Callable[[Path], Path], tuple[str, int | None, str] | None]] = {
    "nul_after_8k.csv": (_nul_after_8k, ("NUL", 402, "")),
    "formula_cells.xlsx": (lambda d: _xlsx(d / "formula_cells.xlsx", {
        "police_stations": [_PS_HEADER, ("S7", "D1", '=HYPERLINK("http://evil.example/?x=1","click me")'),
                            ("S8", "D1", "Eight", '=TEXT(TODAY(),"yyyy-mm")')]}),
        ("formula cells are not accepted: type the value", 2, "name")),
    "formula_number.xlsx": (lambda d: _xlsx(d / "formula_number.xlsx", {
        "station_rows": [_HEADER, ("2024-02", "S1", "fir_in_cctns", "=1+1", 5)]}),
        ("formula cells are not accepted", 2, "numerator")),
    "extra_sheets.xlsx": (lambda d: _xlsx(d / "extra_sheets.xlsx", {
        "station_rows": [_HEADER, ("2024-02", "S1", "fir_in_cctns", 1, 2)], "notes": [("hello",)],
        "Sheet2": [("=cmd|' /C calc'!A0",)]}), ("unexpected sheet", None, "")),
    "empty_extra_sheet.xlsx": (lambda d: _xlsx(d / "empty_extra_sheet.xlsx", {
        "station_rows": [_HEADER, ("2024-02", "S1", "fir_in_cctns", 1, 2)], "Sheet1": []}), None),
    "control_chars.xlsx": (lambda d: _xlsx(d / "control_chars.xlsx", {
        "police_stations": [_PS_HEADER, ("S7", "D1", "Tab\tStation")]}), ("control character", 2, "name")),
    "future_only.xlsx": (lambda d: _xlsx(d / "future_only.xlsx", {
        "station_rows": [_HEADER, ("2031-01", "S1", "fir_in_cctns", 1, 2)]}), ("in the future", 2, "month")),
    "huge.xlsx": (lambda d: _raw_xlsx(d / "huge.xlsx", 1_500_000), ("expands", None, "")),
    "zip_bomb.xlsx": (_zip_bomb, ("uncompressed", None, "")),
}


def _cases() -> list[str]:
    return sorted(EXPECTED) + ["gen:" + n for n in GENERATED]


def _case(name: str, tmp_path: Path) -> tuple[Path, tuple[str, int | None, str] | None]:
    if name.startswith("gen:"):
        build, expected = GENERATED[name[4:]]
        return build(tmp_path), expected
    return CORPUS / name, EXPECTED[name]


def _assert_located(problems: list[Problem], path: Path, expected: tuple[str, int | None, str]) -> None:
    rule, row, column = expected
    assert problems
    for p in problems:
        assert p.file == path.name or p.file.startswith(path.name + "["), p
        assert p.rule, p
    match = [p for p in problems if rule in p.rule and p.row == row and p.column == column]
    assert match, f"no problem ({rule!r}, row {row}, column {column!r}) in {[str(p) for p in problems]}"


def test_corpus_is_complete():
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", _cases())
def test_hostile_file_is_refused_located_or_imported(loaded, tmp_path, name):
    path, expected = _case(name, tmp_path)
    before = dump(loaded)
    if expected is None:
        report = imp(loaded, [path])
        assert report.rows_added >= 1
        assert dump(loaded) != before
        return
    with pytest.raises(ImportRejected) as info:
        imp(loaded, [path])
    _assert_located(info.value.problems, path, expected)
    assert dump(loaded) == before


@pytest.mark.parametrize("name", [n for n in _cases() if not n.startswith("gen:") and EXPECTED[n] is not None]
                         + ["gen:nul_after_8k.csv", "gen:formula_cells.xlsx", "gen:huge.xlsx", "gen:zip_bomb.xlsx"])
def test_cli_refuses_hostile_file_without_traceback(cli, tmp_path, name):
    runner, app = cli
    from tests.dashboard.ingest.test_importer import master_files

    assert runner.invoke(app, ["import", *map(str, master_files(tmp_path))]).exit_code == 0
    path, _ = _case(name, tmp_path)
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert "nothing was imported" in result.output
    assert path.name in result.output


# --- one test per finding ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example/?x=1","click me")', "=cmd|' /C calc'!A0",
                                  "+1+1", "@SUM(1)", "-2+3"])
def test_names_that_look_like_formulas_are_refused(loaded, tmp_path, name):
    """Issue 9, finding 2."""
    quoted = '"' + name.replace('"', '""') + '"'
    path = write(tmp_path, "ps.csv", f"station_code,district_code,name\nS7,D1,{quoted}\n")
    p = only(rejected(loaded, [path]), rule="spreadsheet formula")
    assert (p.row, p.column, p.value) == (2, "name", name)


def test_names_with_formula_characters_inside_are_fine(loaded, tmp_path):
    path = write(tmp_path, "ps.csv", "station_code,district_code,name\nS7,D1,Sector 14 - Karnal @ Old = New +\n")
    assert imp(loaded, [path]).rows_added == 1


@pytest.mark.parametrize(("column", "code"), [("station_code", "=1+1"), ("station_code", "HR-KNL/../x"),
                                              ("station_code", "<b>X</b>"), ("station_code", "HR KNL 9"),
                                              ("station_code", "hr-knl-001"), ("station_code", "-S1"),
                                              ("station_code", "S1-"), ("station_code", "Ｓ１")])
def test_station_codes_must_match_the_pattern(loaded, tmp_path, column, code):
    """Issue 9, finding 3."""
    path = write(tmp_path, "ps.csv", f"station_code,district_code,name\n{code},D1,Seven\n")
    p = only(rejected(loaded, [path]), rule="A-Z")
    assert (p.row, p.column, p.value) == (2, column, code)
    assert "HR-KNL-001" in p.rule


def test_codes_of_every_master_kind_are_checked(sqlite_engine, tmp_path):
    states = write(tmp_path, "s.csv", "state_code,name,category\nH R,Bad,UTs\nHR,Haryana,Major States\n")
    districts = write(tmp_path, "d.csv", "district_code,state_code,name\nHR-KNL,HR,Karnal\nhr-x,HR,Bad\n")
    problems = rejected(sqlite_engine, [states, districts])
    assert only(problems, file="s.csv", rule="A-Z").value == "H R"
    assert only(problems, file="d.csv", rule="A-Z").value == "hr-x"


def test_demo_shaped_codes_are_accepted(sqlite_engine, tmp_path):
    files = [write(tmp_path, "s.csv", "state_code,name,category\nHR,Haryana,Major States\n"),
             write(tmp_path, "d.csv", "district_code,state_code,name\nHR-KNL,HR,Karnal\nHR-K01,HR,K\n"),
             write(tmp_path, "p.csv", "station_code,district_code,name\nHR-KNL-001,HR-KNL,Karnal City\n"
                   "HR-K01-019,HR-K01,Cyber PS K\n")]
    assert imp(sqlite_engine, files).rows_added == 5


@pytest.mark.parametrize("name", ["Tab\tStation", "Line\nbreak", "Cr\rStation", "Del\x7fete", "C1\x85next"])
def test_control_characters_in_names_are_refused(loaded, tmp_path, name):
    """Issue 9, finding 4 (input part): a control character in an XLSX name cell (XML cannot carry the
    other C0 characters; the CSV corpus has Esc and Bell)."""
    path = _xlsx(tmp_path / "ps.xlsx", {"police_stations": [("station_code", "district_code", "name"),
                                                            ("S7", "D1", name)]})
    p = only(rejected(loaded, [path]), rule="control character")
    assert (p.file, p.row, p.column) == ("ps.xlsx[police_stations]", 2, "name")


@pytest.mark.parametrize("name", ["Esc\x1bStation", "Bell\x07", "Tab\tStation", "Del\x7fete", "C1\x85next"])
def test_few_control_characters_in_a_csv_are_refused(loaded, tmp_path, name):
    path = write(tmp_path, "ps.csv", f"station_code,district_code,name\nS7,D1,{name}\nS8,D1,Ok\n")
    p = only(rejected(loaded, [path]), rule="control character")
    assert p.row == 2 and p.column == "name"
    assert "\x1b" not in str(p) and "\x07" not in str(p)  # shown as escapes, never raw


def test_nul_after_the_first_8_kib_is_seen(loaded, tmp_path):
    content = (ROW_HEADER + "2024-02,S1,fir_in_cctns,1,2\n" * 1000).encode() + b"2024-02,S2,fir\x00,1,2\n"
    p = only(rejected(loaded, [write(tmp_path, "late.csv", content)]), rule="NUL")
    assert p.row == 1002


@pytest.mark.parametrize("content", [
    ROW_HEADER + "2031-01,S1,fir_in_cctns,1,2\n",
    ROW_HEADER + "May 2024,S1,fir_in_cctns,1,2\n",
    ROW_HEADER + ",S1,fir_in_cctns,1,2\n",
    "month,state_code,parameter,numerator,denominator\n2031-01,XX,personnel_trained,1,2\n",
])
def test_rows_without_any_valid_month_are_refused_not_crashed(loaded, tmp_path, content):
    """Issue 9, finding 6: the version merge crashed on an all-missing version column."""
    problems = rejected(loaded, [write(tmp_path, "r.csv", content)])
    assert problems and all(p.row == 2 for p in problems)


def test_too_few_fields_is_reported_located(loaded, tmp_path):
    path = write(tmp_path, "r.csv", ROW_HEADER + "2024-02,S1,fir_in_cctns,1,2\n2024-02,S1,ps_cas_live,1\n"
                 "2024-02,S2\n")
    problems = rejected(loaded, [path])
    assert [(p.row, p.rule) for p in problems] == [(3, "row has 4 fields but the header has 5"),
                                                   (4, "row has 2 fields but the header has 5")]


def test_too_many_and_too_few_fields_together(loaded, tmp_path):
    path = write(tmp_path, "r.csv", ROW_HEADER + "2024-02,S1,fir_in_cctns,1,2,3\n2024-02,S1,ps_cas_live,1\n")
    problems = rejected(loaded, [path])
    assert [p.row for p in problems] == [2, 3]


def test_trailing_comma_on_every_row_is_accepted(loaded, tmp_path):
    path = write(tmp_path, "r.csv", ROW_HEADER.strip() + ",\r\n2024-02,S1,fir_in_cctns,1,2,\r\n"
                 "2024-02,S2,fir_in_cctns,0,0,\r\n")
    assert imp(loaded, [path]).rows_added == 2


def test_trailing_comma_on_rows_only_is_refused_not_shifted(loaded, tmp_path):
    """pandas would take the first column as the index and shift every value one column left."""
    path = write(tmp_path, "r.csv", ROW_HEADER + "2024-02,S1,fir_in_cctns,1,2,\n")
    p = only(rejected(loaded, [path]), rule="fields")
    assert p.row == 2 and "6 fields but the header has 5" in p.rule


@pytest.mark.parametrize(("cell", "column"), [('"٣,٤٠"', "numerator"), ("٥", "numerator"), ("５", "numerator"),
                                              ("१", "numerator")])
def test_digits_must_be_ascii(loaded, tmp_path, cell, column):
    """Issue 9, finding 8."""
    path = write(tmp_path, "r.csv", ROW_HEADER + f"2024-02,S1,fir_in_cctns,{cell},9\n")
    p = only(rejected(loaded, [path]), rule="malformed number")
    assert (p.row, p.column) == (2, column)


def test_month_digits_must_be_ascii(loaded, tmp_path):
    path = write(tmp_path, "r.csv", ROW_HEADER + "２０２４-02,S1,fir_in_cctns,1,2\n")
    assert only(rejected(loaded, [path]), rule="malformed month").row == 2
    ps = write(tmp_path, "ps.csv", "station_code,district_code,name,opened\nS7,D1,Seven,٢٠٢٤-01\n")
    assert only(rejected(loaded, [ps]), rule="YYYY-MM").column == "opened"


def test_formula_cell_in_xlsx_master_data_is_named(loaded, tmp_path):
    path = _xlsx(tmp_path / "m.xlsx", {"police_stations": [("station_code", "district_code", "name", "opened"),
                                                           ("S7", "D1", "=A1&\"x\""), ("S8", "D1", "Eight", "=B2")]})
    problems = rejected(loaded, [path])
    assert [(p.row, p.column) for p in problems if "formula" in p.rule] == [(2, "name"), (3, "opened")]
    assert not [p for p in problems if "missing value" in p.rule]
    assert only(problems, column="name").rule == "formula cells are not accepted: type the value"


def test_xlsx_declared_uncompressed_size_is_refused_early(loaded, tmp_path, monkeypatch):
    path = _raw_xlsx(tmp_path / "big.xlsx", 20_000)
    monkeypatch.setattr(files, "MAX_XLSX_UNCOMPRESSED", 1_000_000)
    p = only(rejected(loaded, [path]), rule="uncompressed")
    assert p.file == "big.xlsx" and p.row is None


def test_xlsx_row_limit_while_streaming(loaded, tmp_path, monkeypatch):
    path = _raw_xlsx(tmp_path / "rows.xlsx", 3_000)
    monkeypatch.setattr(files, "MAX_XLSX_ROWS", 2_000)
    p = only(rejected(loaded, [path]), rule="rows")
    assert "2,000" in p.rule


def test_huge_xlsx_is_refused_fast(loaded, tmp_path):
    import time

    path = _raw_xlsx(tmp_path / "huge.xlsx", 1_500_000)
    assert path.stat().st_size < 2_000_000
    started = time.perf_counter()
    rejected(loaded, [path])
    assert time.perf_counter() - started < 5


# --- issue 10: rows of inactive stations ---------------------------------------------------------------


def test_rows_of_inactive_stations_are_refused_with_their_months(loaded, tmp_path):
    # S2 opened 2023-06, S3 closed 2026-01 (from the database)
    path = write(tmp_path, "r.csv", ROW_HEADER + "2023-05,S2,fir_in_cctns,1,2\n2023-06,S2,fir_in_cctns,1,2\n"
                 "2026-01,S3,fir_in_cctns,1,2\n2026-02,S3,fir_in_cctns,1,2\n")
    problems = rejected(loaded, [path])
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "month", "2023-05"), (5, "month", "2026-02")]
    assert "police station S2 is not active in 2023-05 (opened 2023-06)" in problems[0].rule
    assert "police station S3 is not active in 2026-02 (closed 2026-01)" in problems[1].rule


def test_inactive_check_uses_the_stations_of_the_same_import(loaded, tmp_path):
    ps = write(tmp_path, "ps.csv", "station_code,district_code,name,opened,closed\nS1,D1,Alpha,2024-03,2024-05\n"
               "S9,D1,Nine,2024-04,\n")
    rows = write(tmp_path, "r.csv", ROW_HEADER + "2024-02,S1,fir_in_cctns,1,2\n2024-03,S9,fir_in_cctns,1,2\n"
                 "2024-06,S1,fir_in_cctns,1,2\n2024-04,S9,fir_in_cctns,1,2\n")
    problems = rejected(loaded, [ps, rows])
    assert [(p.file, p.row) for p in problems] == [("r.csv", 2), ("r.csv", 3), ("r.csv", 4)]
    assert "(opened 2024-03, closed 2024-05)" in problems[0].rule
    # the station's months given in this import win over the database's
    ok = write(tmp_path, "ok.csv", ROW_HEADER + "2023-05,S2,fir_in_cctns,1,2\n")
    ps2 = write(tmp_path, "ps2.csv", "station_code,district_code,name,opened,closed\nS2,D1,Beta,2023-01,\n")
    assert imp(loaded, [ps2, ok]).rows_added == 1
