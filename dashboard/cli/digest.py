"""`cctns digest send|remind|status`: the monthly digests and the cut-off reminders by e-mail, run by cron
or a systemd timer (deploy/systemd/), never inside the web workers. Registered by dashboard/cli/commands.py."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

digest_app = typer.Typer(help="Monthly digests and cut-off reminders by e-mail.", no_args_is_help=True)
err = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    err.print(Text(f"error: {message}", style="bold red"))
    return typer.Exit(1)


def _settings():
    from dashboard.config import load_settings

    try:
        return load_settings()
    except ValueError as exc:
        raise _fail(str(exc)) from None


def _print_report(report, dry_run: bool) -> None:
    console = Console(highlight=False)
    if dry_run:
        for path in report.written:
            console.print(Text(f"wrote {path}"))
    for name in report.sent:
        console.print(Text(f"sent    {report.kind} {report.month} to {name}"))
    for name in report.skipped:
        console.print(Text(f"skipped {report.kind} {report.month} for {name} (already sent, in progress or "
                           "waiting to retry)"))
    for name, error in report.failed:
        err.print(Text(f"failed  {report.kind} {report.month} for {name}: {error}", style="red"))
    console.print(Text(f"{len(report.sent)} sent, {len(report.written)} written, {len(report.skipped)} skipped, "
                       f"{len(report.failed)} failed"))


def send_digests(month: str | None, users: list[str] | None = None, dry_run: bool = False,
                 out: Path | None = None) -> bool:
    """Send the monthly digests of `month` (default: the latest month with results); True if none failed."""
    from dashboard import read
    from dashboard.digests import SmtpSettingsError, send_monthly
    from dashboard.store import get_engine
    from metrics.methodology import is_month

    settings = _settings()
    engine = get_engine(settings.database_url)
    months = read.months(engine)
    month = month or (months[-1] if months else None)
    if month is None:
        raise _fail("no month has results yet: import data first")
    if not is_month(month) or month not in months:
        raise _fail(f"no results for month {month!r} (latest: {months[-1] if months else 'none'})")
    try:
        report = send_monthly(engine, settings, month, usernames=users or None,
                              dry_run_dir=(out or Path("digests-dry-run")) if dry_run else None)
    except SmtpSettingsError as exc:
        raise _fail(str(exc)) from None
    _print_report(report, dry_run)
    return report.ok


@digest_app.command("send")
def send_command(
    month: Annotated[str | None, typer.Option(help="YYYY-MM (default: the latest month with results)")] = None,
    user: Annotated[list[str] | None, typer.Option("--user", help="only this user (repeatable)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="write .eml files instead of sending; nothing logged")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="folder for --dry-run (default ./digests-dry-run)")] = None,
) -> None:
    """Send each user with an address the monthly digest of MONTH (once: a re-run skips what was sent and
    retries what failed, after its back-off)."""
    if out is not None and not dry_run:
        raise _fail("--out is for --dry-run")
    if not send_digests(month, user, dry_run, out):
        raise typer.Exit(1)


@digest_app.command("remind")
def remind_command(
    days: Annotated[int, typer.Option(help="send when NCRB's cut-off is at most this many days away")] = 5,
    today: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today, UTC)")] = None,
    user: Annotated[list[str] | None, typer.Option("--user", help="only this user (repeatable)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="write .eml files instead of sending")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="folder for --dry-run")] = None,
) -> None:
    """Remind users of the stations and records still pending before NCRB's cut-off (CCTNS_CUTOFF_DAY of the
    following month, default 10). Run daily: it sends only inside the window, once per user and month."""
    from dashboard.digests import SmtpSettingsError, next_reminder_day, reminder_due, send_reminders
    from dashboard.store import get_engine

    settings = _settings()
    if days < 0:
        raise _fail("--days must be 0 or more")
    try:
        day = date.fromisoformat(today) if today else datetime.utcnow().date()
    except ValueError:
        raise _fail(f"--today must be YYYY-MM-DD, not {today!r}") from None
    reminder = reminder_due(day, days, settings.cutoff_day)
    if reminder is None:
        nxt = next_reminder_day(day, days, settings.cutoff_day)
        Console().print(f"no reminder due on {day}: the next window opens on {nxt} "
                        f"(cut-off day {settings.cutoff_day}, {days} days before)")
        return
    try:
        report = send_reminders(get_engine(settings.database_url), settings, reminder, day, usernames=user or None,
                                dry_run_dir=(out or Path("digests-dry-run")) if dry_run else None)
    except SmtpSettingsError as exc:
        raise _fail(str(exc)) from None
    _print_report(report, dry_run)
    if not report.ok:
        raise typer.Exit(1)


@digest_app.command("status")
def status_command(
    month: Annotated[str | None, typer.Option(help="only this month (YYYY-MM)")] = None,
    kind: Annotated[str | None, typer.Option(help="monthly or reminder")] = None,
) -> None:
    """The send log: each digest's status (sent, failed with its error and next try, gave_up, interrupted)."""
    from dashboard.digests import status
    from dashboard.store import get_engine

    df = status(get_engine(_settings().database_url), month, kind)
    if df.empty:
        Console().print("no digests in the send log" + (f" for {month}" if month else ""))
        return
    table = Table(title="Digest send log")
    for col in ("month", "kind", "user", "e-mail", "status", "attempts", "sent (UTC)", "next try (UTC)", "last error"):
        table.add_column(col, overflow="fold")
    for r in df.to_dict("records"):
        table.add_row(r["month"], r["kind"], Text(r["username"]), Text(r["email"] or ""), r["status"],
                      str(r["attempts"]), _when(r["sent_at"]), _when(r["next_attempt_at"]), Text(r["last_error"] or ""))
    Console(width=200).print(table)
    counts = df["status"].value_counts().to_dict()
    Console().print(", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    if counts.get("failed") or counts.get("gave_up") or counts.get("interrupted"):
        raise typer.Exit(1)


def _when(value) -> str:
    import pandas as pd

    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"
