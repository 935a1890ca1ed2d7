"""`cctns init-db` stores the three schemes, `cctns methodology load` loads NCRB's circular as a new version
and recomputes, `cctns export published|reconciliation` write the issue's columns, `--scheme` everywhere."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from ncrb_circular import NCRB_CIRCULAR_2025_03
from typer.testing import CliRunner

from dashboard.cli.commands import app
from dashboard.store import dispose_engines

MASTER = {
    "states.csv": "state_code,name,category\nXX,Exland,Major States\nYY,Whyland,UTs\n",
    "districts.csv": "district_code,state_code,name\nD1,XX,One\nD2,YY,Two\n",
    "stations.csv": "station_code,district_code,name,opened,closed\nS1,D1,Alpha,,\nS3,D2,Gamma,,\n",
    "rows.csv": ("month,station_code,parameter,numerator,denominator\n2025-03,S1,fir_in_cctns,45,50\n"
                 "2025-03,S3,fir_in_cctns,30,30\n2025-03,S3,ndc_sync,31,31\n2025-03,S1,itsso_within_60_days,17,31\n"
                 "2025-03,S3,itsso_within_60_days,40,40\n"),
    "published.csv": ("month,scheme,state_code,score,rank,category_rank,source\n"
                      "2025-03,cctns,XX,54.02,2,,https://example.org/a\n2025-03,cctns,YY,100,1,,https://example.org/a\n"
                      "2023-02,cctns,XX,99.99,1,,https://example.org/b\n"),
}


@pytest.fixture
def cli(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("CCTNS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    runner = CliRunner()

    def run(*args: str):
        result = runner.invoke(app, list(args))
        return result

    for name, content in MASTER.items():
        (tmp_path / name).write_text(content)
    yield run
    dispose_engines()


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_schemes_from_the_command_line(cli, tmp_path: Path):
    out = cli("init-db")
    assert out.exit_code == 0, out.output
    assert "CCTNS Pragati" in out.output and "ICJS" in out.output and "ITSSO" in out.output
    assert "reconstructed from public reports" in out.output
    for name in ("states.csv", "districts.csv", "stations.csv", "rows.csv", "published.csv"):
        assert cli("import", str(tmp_path / name)).exit_code == 0

    rec = cli("export", "reconciliation", "--month", "2025-03")
    assert rec.exit_code == 0, rec.output
    rows = _csv(rec.stdout)
    assert list(rows[0]) == ["scheme", "state_code", "state_name", "published_score", "computed_score",
                             "difference", "published_rank", "computed_rank"]  # the columns, named
    assert {r["state_code"]: (r["published_score"], r["computed_score"], r["difference"]) for r in rows} == {
        "XX": ("54.02", "54.00", "+0.02"), "YY": ("100.00", "100.00", "+0.00")}

    pub = cli("export", "published", "--scheme", "cctns")
    assert pub.exit_code == 0, pub.output
    assert [(r["month"], r["state_code"], r["score"], r["source"]) for r in _csv(pub.stdout)] == [
        ("2023-02", "XX", "99.99", "https://example.org/b"), ("2025-03", "YY", "100.00", "https://example.org/a"),
        ("2025-03", "XX", "54.02", "https://example.org/a")]
    assert len(_csv(cli("export", "published", "--scheme", "cctns", "--month", "2023-02").stdout)) == 1

    itsso = cli("export", "states", "--month", "2025-03", "--scheme", "itsso")
    assert {r["state_code"]: r["score"] for r in _csv(itsso.stdout)} == {"XX": "54.84", "YY": "100.00"}
    bad = cli("export", "states", "--month", "2025-03", "--scheme", "nope")
    assert bad.exit_code == 1 and "unknown scheme 'nope'" in bad.output

    # NCRB's circular arrives: a new version from 2025-03; the month switches to it
    from dashboard.store import get_engine, load_stored_methodology

    circular = tmp_path / "pragati-with-circular.toml"
    circular.write_text(load_stored_methodology(get_engine(), "cctns").source + NCRB_CIRCULAR_2025_03)
    loaded = cli("methodology", "load", str(circular))
    assert loaded.exit_code == 0, loaded.output
    assert "1 month(s) recomputed from 2025-03" in loaded.output
    assert "as notified by NCRB on 2025-04-02, NCRB/CCTNS/Pragati/2025/07" in loaded.output
    listed = cli("methodology", "list")
    assert "ncrb-2025-03" in listed.output and "as notified by NCRB on 2025-04-02" in listed.output
    rows = {r["state_code"]: r for r in _csv(cli("export", "reconciliation", "--month", "2025-03").stdout)}
    assert rows["XX"]["computed_score"] == "100.00" and rows["XX"]["difference"] == "−45.98"


def test_every_export_names_its_scheme(cli, tmp_path: Path):
    """Issue 13: whatever `cctns export` writes says which ranking scheme it is: a first `scheme` column
    (flags: each row's parameter's scheme) and, in XLSX, the sheet's name."""
    from openpyxl import load_workbook

    assert cli("init-db").exit_code == 0
    for name in ("states.csv", "districts.csv", "stations.csv", "rows.csv", "published.csv"):
        assert cli("import", str(tmp_path / name)).exit_code == 0
    for scheme in ("cctns", "itsso"):
        for what, extra in (("states", ()), ("districts", ("--state", "XX")), ("stations", ("--state", "XX")),
                            ("lagging", ("--state", "XX")), ("reconciliation", ()), ("published", ())):
            out = cli("export", what, "--month", "2025-03", "--scheme", scheme, *extra)
            if what == "reconciliation" and scheme == "itsso":
                assert out.exit_code == 1 and "published no itsso results" in out.output
                continue
            assert out.exit_code == 0, (what, scheme, out.output)
            header = out.stdout.splitlines()[0].split(",")
            assert header[0 if what != "published" else 1] == "scheme", (what, header)
            rows = _csv(out.stdout)
            assert {r["scheme"] for r in rows} == ({scheme} if rows else set()), (what, scheme)
            assert rows or (what, scheme) in (("published", "itsso"), ("lagging", "cctns")), (what, scheme)
    flags = cli("export", "flags", "--month", "2025-03")
    assert flags.exit_code == 0 and flags.stdout.startswith("scheme,")
    xlsx = tmp_path / "itsso.xlsx"
    assert cli("export", "states", "--month", "2025-03", "--scheme", "itsso", "--format", "xlsx",
               "-o", str(xlsx)).exit_code == 0
    book = load_workbook(xlsx)
    assert book.sheetnames == ["states ITSSO"] and book.active["A1"].value == "scheme"
    assert book.active["A2"].value == "itsso"
