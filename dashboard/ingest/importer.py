"""Read, validate and import CSV/XLSX files of master data and monthly rows; list and revert batches.

Contract (docs/ARCHITECTURE.md): `import_files` either imports every file of a call in ONE transaction
together with the recomputation of every month touched, or raises `ImportRejected` listing the
problems of every file and leaves the database unchanged. Each call is one `ImportBatch`; whatever a
batch overwrote is kept in `ImportReplaced` so that `revert_batch` restores it exactly.

File kinds and their columns are in `KINDS`. A CSV file is recognised by its header row (whatever its
name); an XLSX workbook has one sheet per kind, named like the kind. Row numbers in problems are the
rows a spreadsheet shows (the header is row 1).

`ImportReplaced` encoding (also read by `revert_batch`):
* key: JSON list of the primary-key values in table order, e.g. ``["2024-05", "PS001", "ndc_sync"]``;
* old_values: for monthly rows ``{"numerator": n, "denominator": d, "batch_id": b}`` (always in that
  order, ending with ``batch_id``, so later batches that replaced a batch's rows can be found with a
  plain LIKE); for master data the replaced columns, or ``null`` when the batch ADDED that master row
  (revert deletes it again).
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import pandas as pd
from sqlalchemy import Connection, Engine, insert, update

from dashboard.ingest.files import (
    KINDS,
    MASTER_KINDS,
    PUBLISHED_KIND,
    ROW_KINDS,
    ImporterError,
    ImportRejected,
    Problem,
    _Problems,
    _read_file,
)
from dashboard.ingest.provisional import (
    check_provisional,
    finalise_snapshots,
    imported_pairs,
    write_provisional,
)
from dashboard.ingest.validate import _validate
from dashboard.ingest.write import (
    _audit,
    _lock,
    _methodology,
    _recompute,
    _set_meta,
    _upsert_master,
    _upsert_published,
    _upsert_rows,
    months_with_data,
)
from dashboard.store import (
    ImportBatch,
    bump_results_generation,
    read_generation,
    refresh_planner_statistics,
    utcnow,
)
from metrics.methodology import Methodology, Schemes

PROGRESS_MIN_ROWS = 20_000






@dataclass(frozen=True)
class ImportReport:
    batch_id: int
    rows_added: int  # monthly rows and master-data rows inserted
    rows_replaced: int  # rows whose earlier values were replaced (kept for revert)
    months: list[str]  # months recomputed
    kinds: list[str]
    files: list[str]
    data_rows: int  # monthly rows in the files
    seconds: float  # whole call: read, validate, write, recompute
    provisional: bool = False  # a provisional load: `months` are the provisional months, nothing final changed

    @property
    def batch_ids(self) -> list[int]:
        return [self.batch_id]

    @property
    def rows_per_second(self) -> float:
        rows = self.rows_added + self.rows_replaced
        return rows / self.seconds if self.seconds > 0 else float("inf")


class _Progress:
    def __init__(self, enabled: bool):
        self.enabled = enabled
        self._progress = None
        self._task = None

    @contextmanager
    def run(self) -> Iterator[_Progress]:
        if not self.enabled:
            yield self
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=Console(stderr=True), transient=True) as p:
            self._progress = p
            yield self
            self._progress = None

    def stage(self, description: str, total: int | None = None) -> None:
        if self._progress is None:
            return
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(description, total=total)

    def tick(self, n: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, n)


def validate_files(engine: Engine, paths: Sequence[str | Path], today: date | None = None, *,
                   only_state: str | None = None) -> list[Problem]:
    """Only validate (no write): the listed problems of all files, empty when the import would go ahead."""
    methodology = _methodology(engine)
    problems = _Problems()
    files = [f for f in (_read_file(Path(p), problems) for p in paths) if f is not None]
    with engine.connect() as conn:
        _validate([t for f in files for t in f.tables], conn, methodology, today, problems,
                  only_state=only_state)
    return problems.result()[0]


class DataChanged(ImporterError):
    """The data changed since the preview the user confirmed (someone else imported or reverted in
    between): nothing was written; preview again."""


def import_files(engine: Engine, paths: Sequence[str | Path], user: str = "cli", progress: bool | None = None,
                 today: date | None = None, *, only_state: str | None = None,
                 expect_generation: str | None = None, provisional: bool = False) -> ImportReport:
    """Validate every file, then import them all in one transaction with the recomputation of the months
    touched; raise ImportRejected (database unchanged) if any file has a problem.

    provisional: the rows are the month being collected (`dashboard.ingest.provisional`): each State x
    month becomes a snapshot replacing the previous one; final months are refused and never changed.

    progress: True shows a progress bar for large imports, False never, None when stderr is a terminal.
    today: the date whose month is "the current month" (months after it are rejected as future).
    only_state: a State's operator: every row of another State/UT is a problem naming it.
    expect_generation: the results generation (`dashboard.store.read_generation`) the user's preview was
    made on; DataChanged (nothing written) if another import or revert committed since.
    """
    started = time.perf_counter()
    paths = [Path(p) for p in paths]
    if not paths:
        raise ImporterError("no files to import")
    methodology = _methodology(engine)
    files = _read_all(paths)
    n_rows = sum(len(t.df) for f in files[0] for t in f.tables)
    show = (sys.stderr.isatty() if progress is None else progress) and n_rows >= PROGRESS_MIN_ROWS
    bar = _Progress(bool(show))
    with bar.run(), engine.begin() as conn:
        report = _import_in(conn, paths, files, user, methodology, today, bar, only_state=only_state,
                            expect_generation=expect_generation, provisional=provisional)
    # only the tables whose statistics do not know a month the import wrote (a re-import changes no estimate)
    refresh_planner_statistics(engine, months=[] if report.provisional else report.months)
    return replace(report, seconds=time.perf_counter() - started)


def _read_all(paths: list[Path]) -> tuple[list, _Problems]:
    problems = _Problems()
    return [f for f in (_read_file(p, problems) for p in paths) if f is not None], problems


def _import_in(conn: Connection, paths: list[Path], read: tuple[list, _Problems], user: str,
               methodology: Schemes | Methodology, today: date | None, bar: _Progress, *, only_state: str | None = None,
               expect_generation: str | None = None,
               on_locked: Callable[[Connection], None] | None = None, provisional: bool = False) -> ImportReport:
    """The whole import inside the caller's transaction (committed by `import_files`, rolled back by the
    preview). Raises ImportRejected or DataChanged; the caller's transaction must then be rolled back."""
    files, problems = read
    tables = [t for f in files for t in f.tables]
    kinds = [k for k in KINDS if any(t.kind == k for t in tables)]
    _lock(conn)
    names = ", ".join(p.name for p in paths)
    sha = files[0].sha256 if len(files) == 1 and len(paths) == 1 else hashlib.sha256(
        "\n".join(f"{f.path.name}:{f.sha256}" for f in files).encode()).hexdigest()
    batch_id = conn.execute(insert(ImportBatch.__table__).values(
        created_at=utcnow(), created_by=user[:80], file_name=names[:400], file_sha256=sha,
        kinds=",".join(kinds)[:200], months="", rows_added=0, rows_replaced=0, status="applied",
        provisional=provisional,
    )).inserted_primary_key[0]
    if expect_generation is not None and read_generation(conn) != expect_generation:
        raise DataChanged("the data changed since the preview (another import or revert was committed): "
                          "nothing was imported; look at the new preview and confirm again")
    if on_locked is not None:  # the preview reads "before" here: imports are serialised from now on
        on_locked(conn)
    bar.stage("validating")
    _validate(tables, conn, methodology, today, problems, only_state=only_state)
    if provisional:
        check_provisional(conn, tables, problems)
    if problems:
        listed, omitted = problems.result()
        raise ImportRejected(listed, omitted)  # rolls the transaction back: nothing changed
    if provisional:
        return _provisional_in(conn, batch_id, tables, files, paths, kinds, user, methodology, bar)

    def combined(kind: str) -> pd.DataFrame:
        return pd.concat([t.df for t in tables if t.kind == kind], ignore_index=True)

    added = replaced = 0
    master_changed = False
    for kind in MASTER_KINDS:
        if kind in kinds:
            a, r = _upsert_master(conn, kind, combined(kind), batch_id)
            added, replaced = added + a, replaced + r
            master_changed = master_changed or bool(a or r)
    row_months: set[str] = set()
    data_rows = sum(len(t.df) for t in tables if t.kind in ROW_KINDS)
    bar.stage("writing rows", total=data_rows)
    known_rows: dict[tuple[str, str], pd.DataFrame] = {}  # months whose rows the recomputation need not read
    row_frames: dict[str, pd.DataFrame] = {}
    for kind in ROW_KINDS:
        if kind in kinds:
            df = row_frames[kind] = combined(kind)
            row_months |= set(df["month"].unique())
            a, r, known = _upsert_rows(conn, kind, df, batch_id, bar.tick)
            added, replaced = added + a, replaced + r
            known_rows.update(known)
    if PUBLISHED_KIND in kinds:  # the official record: shown beside our results, never recomputed
        df = combined(PUBLISHED_KIND)
        a, r = _upsert_published(conn, df, batch_id)
        added, replaced = added + a, replaced + r
        published_months = set(df["month"].unique())
        bump_results_generation(conn)  # pages that show them are cached by generation
    else:
        published_months = set()
    months = months_with_data(conn) if master_changed else sorted(row_months)
    # the final rows of a State's month end its provisional snapshot (issue 14)
    finalise_snapshots(conn, batch_id, imported_pairs(
        conn, row_frames.get("station_rows"), row_frames.get("state_rows")))
    bar.stage(f"recomputing {len(months)} month(s)")
    _recompute(conn, months, methodology, known_rows)
    conn.execute(update(ImportBatch.__table__).where(ImportBatch.__table__.c.id == batch_id).values(
        months=",".join(sorted(row_months | published_months)), rows_added=added, rows_replaced=replaced))
    _set_meta(conn, "data_as_of", datetime.now(UTC).isoformat(timespec="seconds"))
    _audit(conn, user, "import", orjson.dumps({
        "batch_id": batch_id, "files": [{"name": f.path.name, "sha256": f.sha256} for f in files],
        "rows_added": added, "rows_replaced": replaced, "months": months}).decode())
    return ImportReport(batch_id=int(batch_id), rows_added=added, rows_replaced=replaced, months=months,
                        kinds=kinds, files=[p.name for p in paths], data_rows=data_rows, seconds=0.0)


def _provisional_in(conn: Connection, batch_id: int, tables: list, files: list, paths: list[Path],
                    kinds: list[str], user: str, methodology: Methodology, bar: _Progress) -> ImportReport:
    """Write a validated provisional load (snapshots, rows, their results); nothing final is touched."""
    data_rows = sum(len(t.df) for t in tables)
    bar.stage("writing provisional rows", total=data_rows)
    added, replaced, months = write_provisional(conn, tables, batch_id, user, methodology, bar.tick)
    conn.execute(update(ImportBatch.__table__).where(ImportBatch.__table__.c.id == batch_id).values(
        months=",".join(months), rows_added=added, rows_replaced=replaced))
    _audit(conn, user, "import", orjson.dumps({
        "batch_id": batch_id, "provisional": True,
        "files": [{"name": f.path.name, "sha256": f.sha256} for f in files],
        "rows_added": added, "rows_replaced": replaced, "months": months}).decode())
    return ImportReport(batch_id=int(batch_id), rows_added=added, rows_replaced=replaced, months=months,
                        kinds=kinds, files=[p.name for p in paths], data_rows=data_rows, seconds=0.0,
                        provisional=True)
