"""`cctns import FILE...` and `cctns imports list|revert ID`; registered by dashboard/cli/commands.py:

    app.command("import")(import_command)
    app.add_typer(imports_app, name="imports")
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dashboard.ingest import ImporterError, ImportRejected, import_files, list_batches, revert_batch

imports_app = typer.Typer(help="Import batches: list them, revert one.", no_args_is_help=True)


def _engine():
    from dashboard.store import get_engine

    return get_engine()


def _console() -> Console:
    # piped or captured output has no terminal width: do not squeeze the table into 80 columns
    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 200)


def import_command(
    files: Annotated[list[Path], typer.Argument(help="CSV or XLSX files (master data and/or monthly rows).")],
    user: Annotated[str, typer.Option("--user", help="Recorded as the batch's author.")] = "cli",
    send_digests: Annotated[bool, typer.Option("--send-digests", help="After the import, send the monthly "
                                               "digests of the latest month if the import brought it.")] = False,
    provisional: Annotated[bool, typer.Option(
        "--provisional", help="The month being collected, loaded as provisional figures (monthly rows only; "
        "each load replaces the previous provisional load of that State's month; a final month is refused and "
        "never changed; the month's final import replaces them).")] = False,
) -> None:
    """Validate FILES and import them all in one transaction (nothing is imported if any file has a
    problem), then recompute every month they touch."""
    if provisional and send_digests:
        typer.echo("error: --send-digests is for final months; provisional figures are not sent", err=True)
        raise typer.Exit(2)
    try:
        report = import_files(_engine(), files, user=user, progress=None, provisional=provisional)
    except ImportRejected as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        if exc.omitted:
            typer.echo(f"... and {exc.omitted} more problem(s) not listed", err=True)
        typer.echo(f"{len(exc.problems) + exc.omitted} problem(s): nothing was imported", err=True)
        raise typer.Exit(1) from None
    except ImporterError as exc:
        typer.echo(f"error: {exc}", err=True)
        typer.echo("nothing was imported", err=True)
        raise typer.Exit(1) from None
    except Exception as exc:  # noqa: BLE001 - a bad file must never end in a traceback (issue 9, finding 6)
        typer.echo(f"error: the import failed ({type(exc).__name__}: {str(exc)[:200]}); please report this "
                   "with the file", err=True)
        typer.echo("nothing was imported", err=True)
        raise typer.Exit(1) from None
    months = report.months
    shown = ", ".join(months) if len(months) <= 6 else f"{months[0]} .. {months[-1]}"
    if report.provisional:
        typer.echo(f"imported provisional batch {report.batch_id}: {report.rows_added:,} row(s), replacing "
                   f"{report.rows_replaced:,} row(s) of the previous provisional load(s)")
        typer.echo(f"provisional month(s): {shown} (no final month was changed)")
        return
    typer.echo(f"imported batch {report.batch_id}: {report.rows_added:,} row(s) added, "
               f"{report.rows_replaced:,} replaced ({', '.join(report.kinds)})")
    typer.echo(f"months recomputed: {len(months)}" + (f" ({shown})" if months else ""))
    typer.echo(f"{report.rows_per_second:,.0f} rows/s ({report.seconds:.2f} s in all)")
    if send_digests:
        _send_after_import(months)


def _send_after_import(months: list[str]) -> None:
    """The monthly digests of the latest month with results, when this import brought it (a correction
    to an older month sends nothing; a digest already sent is never sent again)."""
    from dashboard import read
    from dashboard.cli.digest import send_digests

    latest = read.latest_month(_engine())
    if latest is None or latest not in months:
        typer.echo(f"digests: not sent (the import did not bring the latest month, {latest or 'none'})")
        return
    if not send_digests(latest):
        typer.echo("digests: some failed; they are retried by the next `cctns digest send`", err=True)
        raise typer.Exit(1)


@imports_app.command("list")
def list_command() -> None:
    """Every import batch, newest first: when, who, file and hash, rows added and replaced, status."""
    try:
        batches = list_batches(_engine())
    except Exception as exc:  # noqa: BLE001 - a missing schema is the usual cause
        typer.echo(f"error: cannot read import batches ({type(exc).__name__}); run `cctns init-db` first",
                   err=True)
        raise typer.Exit(1) from None
    if not batches:
        typer.echo("no import batches yet")
        return
    table = Table(title="Import batches")
    for col in ("ID", "when (UTC)", "by", "file(s)", "sha256", "months", "added", "replaced", "status"):
        table.add_column(col, justify="right" if col in ("ID", "added", "replaced") else "left")
    for b in batches:
        months = [m for m in b.months.split(",") if m]
        span = "" if not months else months[0] if len(months) == 1 else f"{months[0]}..{months[-1]}"
        status = b.status if not b.reverted_at else f"{b.status} {b.reverted_at:%Y-%m-%d %H:%M}"
        if b.provisional:
            status = f"provisional, {status}"
        table.add_row(str(b.id), f"{b.created_at:%Y-%m-%d %H:%M}", b.created_by, b.file_name,
                      b.file_sha256[:12], span, f"{b.rows_added:,}", f"{b.rows_replaced:,}", status)
    _console().print(table)


@imports_app.command("revert")
def revert_command(
    batch_id: Annotated[int, typer.Argument(metavar="ID", help="The batch id shown by `cctns imports list`.")],
    user: Annotated[str, typer.Option("--user", help="Recorded in the audit trail.")] = "cli",
) -> None:
    """Restore exactly what batch ID replaced, remove what it added, and recompute its months."""
    try:
        report = revert_batch(_engine(), batch_id, user=user)
    except ImporterError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"reverted batch {report.batch_id}: {report.rows_restored:,} row(s) restored, "
               f"{report.rows_removed:,} removed; months recomputed: {len(report.months)}")
