"""Published results (NCRB's official record): the import kind's rules one by one with their messages,
all-or-nothing, batches and revert; reconciliation with our computation on a fixture with known
differences; the public record shipped with the project imports as it is."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select

from dashboard.ingest import ImportRejected, RevertRefused, import_files, revert_batch
from dashboard.ingest.demo import published_record
from dashboard.read import reconciliation, reconciliation_words
from dashboard.store import PublishedResult, store_schemes, upgrade
from metrics.methodology import shipped_schemes
from metrics.reconcile import ParameterFigures, explain_difference
from tests.dashboard.ingest.ingest_support import tiny_database

TODAY = date(2026, 11, 28)
HEADER = "month,scheme,state_code,score,rank,category_rank,source\n"
MASTER = {
    "states.csv": "state_code,name,category\nXX,Exland,Major States\nYY,Whyland,UTs\n",
    "districts.csv": "district_code,state_code,name\nD1,XX,One\nD2,YY,Two\n",
    "stations.csv": "station_code,district_code,name,opened,closed\nS1,D1,Alpha,,\nS2,D1,Beta,,\nS3,D2,Gamma,,\n",
}


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    eng = tiny_database(tmp_path, MASTER, today=TODAY)
    yield eng
    eng.dispose()


def _file(tmp_path: Path, body: str, name: str = "published.csv") -> Path:
    p = tmp_path / name
    p.write_text(HEADER + body)
    return p


def _published(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(PublishedResult.month, PublishedResult.scheme,
                                                      PublishedResult.state_code, PublishedResult.score_centi,
                                                      PublishedResult.rank).order_by(PublishedResult.state_code))]


@pytest.mark.parametrize(("row", "column", "rule"), [
    ("2025-13,cctns,XX,99.5,1,,", "month", "malformed month: must be YYYY-MM (e.g. 2024-05)"),
    ("2027-01,cctns,XX,99.5,1,,", "month", "month in the future (the current month is 2026-11)"),
    ("2025-03,pragati,XX,99.5,1,,", "scheme", "unknown ranking scheme: use one of cctns, icjs, itsso"),
    ("2025-03,cctns,ZZ,99.5,1,,", "state_code", "unknown State/UT code (not in the database nor in this import)"),
    ("2025-03,cctns,XX,100.5,1,,", "score",
     "a score must be a number from 0 to 100 with at most 2 decimals (e.g. 99.97)"),
    ("2025-03,cctns,XX,99.995,1,,", "score",
     "a score must be a number from 0 to 100 with at most 2 decimals (e.g. 99.97)"),
    ("2025-03,cctns,XX,-1,1,,", "score",
     "a score must be a number from 0 to 100 with at most 2 decimals (e.g. 99.97)"),
    ("2025-03,cctns,XX,९९,1,,", "score",
     "a score must be a number from 0 to 100 with at most 2 decimals (e.g. 99.97)"),
    ("2025-03,cctns,XX,,1,,", "score", "missing value"),
    ("2025-03,cctns,XX,99.5,0,,", "rank", "a rank must be a whole number from 1 to the number of States/UTs"),
    ("2025-03,cctns,XX,99.5,3,,", "rank", "a rank must be a whole number from 1 to the number of States/UTs"),
    ("2025-03,cctns,XX,99.5,1,x,", "category_rank",
     "a rank must be a whole number from 1 to the number of States/UTs"),
    ("2025-03,cctns,XX,99.5,1,,=HYPERLINK(\"x\")", "source",
     "must not begin with =, +, -, @ (it would act as a spreadsheet formula)"),
    ("2025-03,cctns,XX,99.5,1,,\"a\tb\"", "source", "control characters (tab, line break, escape, ...) are not allowed"),
])
def test_every_rule_has_its_message(engine: Engine, tmp_path: Path, row: str, column: str, rule: str):
    with pytest.raises(ImportRejected) as info:
        import_files(engine, [_file(tmp_path, row + "\n2025-03,cctns,YY,80,2,,ok\n")], user="t", today=TODAY)
    assert [(p.row, p.column, p.rule) for p in info.value.problems] == [(2, column, rule)]
    assert _published(engine) == []  # all or nothing: the good row is not kept either


def test_ranks_of_a_whole_month_are_the_scores_competition_ranks(engine: Engine, tmp_path: Path):
    with pytest.raises(ImportRejected) as info:
        import_files(engine, [_file(tmp_path, "2025-03,cctns,XX,90,2,,\n2025-03,cctns,YY,80,1,,\n")],
                     user="t", today=TODAY)
    assert [(p.row, p.column, p.value, p.rule) for p in info.value.problems] == [
        (2, "rank", "2", "rank 2 does not match the scores: with score 90 the competition rank in this month is 1 "
                         "(equal scores share a rank, the next rank skips)"),
        (3, "rank", "1", "rank 1 does not match the scores: with score 80 the competition rank in this month is 2 "
                         "(equal scores share a rank, the next rank skips)"),
    ]
    # equal scores share the rank ("1 1"); a month listing some States only is not checked
    import_files(engine, [_file(tmp_path, "2025-03,cctns,XX,90,1,,\n2025-03,cctns,YY,90,1,,\n"
                                          "2025-04,cctns,YY,70,2,,\n")], user="t", today=TODAY)
    assert len(_published(engine)) == 3


def test_duplicates_are_refused(engine: Engine, tmp_path: Path):
    with pytest.raises(ImportRejected) as info:
        import_files(engine, [_file(tmp_path, "2025-03,cctns,XX,90,1,,\n2025-03,cctns,XX,91,1,,\n")],
                     user="t", today=TODAY)
    assert [p.row for p in info.value.problems] == [3]
    assert "duplicate" in info.value.problems[0].rule


def test_batches_and_revert(engine: Engine, tmp_path: Path):
    first = import_files(engine, [_file(tmp_path, "2025-03,cctns,XX,90,1,,a\n", "a.csv")], user="t", today=TODAY)
    second = import_files(engine, [_file(tmp_path, "2025-03,cctns,XX,91.25,1,,b\n2025-03,icjs,YY,70,1,,b\n",
                                         "b.csv")], user="t", today=TODAY)
    assert (second.rows_added, second.rows_replaced) == (1, 1)
    assert _published(engine) == [("2025-03", "cctns", "XX", 9125, 1), ("2025-03", "icjs", "YY", 7000, 1)]
    with pytest.raises(RevertRefused, match="revert batch"):
        revert_batch(engine, first.batch_id, user="t")
    revert_batch(engine, second.batch_id, user="t")
    assert _published(engine) == [("2025-03", "cctns", "XX", 9000, 1)]
    revert_batch(engine, first.batch_id, user="t")
    assert _published(engine) == []


def test_the_shipped_public_record_imports(tmp_path: Path):
    eng = create_engine(f"sqlite:///{tmp_path / 'full.sqlite3'}")
    upgrade(eng)
    store_schemes(eng, shipped_schemes())
    from dashboard.ingest.demo import generate_master

    master = generate_master("national", months=1, end_month="2025-12")
    paths = []
    for name, df in (("states", master.states), ("districts", master.districts)):
        df.to_csv(tmp_path / f"{name}.csv", index=False)
        paths.append(tmp_path / f"{name}.csv")
    import_files(eng, paths, user="t")
    record = published_record()
    assert record["source"].str.startswith("http").all()  # a source for every row
    assert {"cctns", "icjs"} == set(record["scheme"])
    assert record["month"].min() == "2021-06" and record["month"].max() == "2025-12"
    record.to_csv(tmp_path / "record.csv", index=False)
    report = import_files(eng, [tmp_path / "record.csv"], user="t")
    assert report.rows_added == len(record)
    eng.dispose()


# ------------------------------------------------------------------------------------------ reconciliation


ROWS = ("month,station_code,parameter,numerator,denominator\n"
        "2025-03,S1,fir_in_cctns,45,50\n2025-03,S3,fir_in_cctns,30,30\n2025-03,S3,ndc_sync,31,31\n")


def test_reconciliation_on_known_differences(engine: Engine, tmp_path: Path):
    (tmp_path / "rows.csv").write_text(ROWS)
    import_files(engine, [tmp_path / "rows.csv"], user="t", today=TODAY)
    # ours: XX 54.00 (FIRs 45/50 of weight 12, NDC sync 0/62 days of weight 8), YY 100.00
    import_files(engine, [_file(tmp_path, "2025-03,cctns,XX,54.02,2,,n\n2025-03,cctns,YY,100,1,,n\n")],
                 user="t", today=TODAY)
    rec = reconciliation(engine, "2025-03", scheme="cctns").set_index("state_code")
    assert list(rec.loc["XX", ["published_score", "computed_score", "difference", "published_rank",
                               "computed_rank"]]) == ["54.02", "54.00", "+0.02", 2, 2]
    assert bool(rec.loc["XX", "flagged"]) and not bool(rec.loc["YY", "flagged"])
    assert rec.loc["YY", "difference"] == "+0.00"
    # +0.02 points = 0.004 marks over weights of 20: one more NDC day (1 of 62) or one more FIR (46 of 50)
    assert rec.loc["XX", "explained_by"] == ("Days with data synced to the National Data Centre: 1 of 62 instead "
                                             "of 0; FIRs registered in CCTNS: 46 of 50 instead of 45")
    assert reconciliation_words(rec.loc["XX"].to_dict() | {"explained_by": ""}) == (
        "NCRB published 54.02; our data gives 54.00: +0.02")


def test_explain_difference_downwards_and_impossible():
    figs = [ParameterFigures("a", 50, 50, 10.0, 100.0, True), ParameterFigures("b", 0, 10, 10.0, 100.0, False)]
    assert explain_difference(figs, -10.0) == [explain_difference(figs, -10.0)[0]]
    assert explain_difference(figs, -10.0)[0].numerator_needed == 45  # 90 % of 50
    assert explain_difference(figs, +1.0) == []  # a already at its target: nothing can raise the score
    assert explain_difference(figs, -200.0) == []
