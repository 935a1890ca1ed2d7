"""`cctns` command line: database, demo data, imports, recompute, exports, users, packs, serving."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(
    help="CCTNS progress dashboard: load monthly figures, compute scores and ranks, export, serve.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err = Console(stderr=True)


def _engine():
    from dashboard.store import get_engine

    return get_engine()


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def _require_methodology(engine):
    """Every stored scheme's methodology (metrics.methodology.Schemes); exits when there is none."""
    from dashboard.store import load_stored_schemes

    try:
        m = load_stored_schemes(engine)
    except Exception as exc:  # noqa: BLE001 - no tables yet, unreachable database...
        _fail(f"cannot read the database ({exc.__class__.__name__}): run `cctns init-db` first")
    if m is None:
        _fail("no methodology in the database: run `cctns init-db` first")
    return m


def _require_current_schema(engine) -> None:
    """Exits when the database's schema is older than the code (after an update, before `cctns init-db`):
    pages would otherwise answer "data temporarily unavailable" where they read a table not made yet."""
    from dashboard.store import schema_revisions

    current, head = schema_revisions(engine)
    if current != head:
        _fail(f"the database schema is at revision {current or 'none'}, this version needs {head}: "
              "run `cctns init-db` (it upgrades the schema and keeps the data)")


@app.command("init-db")
def init_db(
    methodology: Annotated[
        Path | None, typer.Option("--methodology", help="methodology TOML (default: the Pragati catalogue)")
    ] = None,
) -> None:
    """Create or upgrade the schema and store the methodology of every ranking scheme (CCTNS Pragati, ICJS,
    ITSSO shipped with the project; --methodology FILE replaces the scheme that file names)."""
    from dashboard.store import store_methodology, store_schemes, upgrade
    from metrics.methodology import MethodologyError, load_methodology, shipped_schemes

    try:
        m = load_methodology(methodology) if methodology is not None else None
    except MethodologyError as exc:
        for p in exc.problems:
            err.print(f"[red]{methodology}: {p}[/]")
        _fail("methodology rejected; the database was not changed")
    engine = _engine()
    upgrade(engine)
    shipped = shipped_schemes()
    try:
        if m is None:
            store_schemes(engine, shipped)
        else:
            _store_missing_shipped(engine, shipped, skip=m.scheme)
            store_methodology(engine, m)
    except MethodologyError as exc:
        for p in exc.problems:
            err.print(f"[red]{p}[/]")
        _fail("methodology rejected")
    from dashboard.store import load_stored_schemes

    stored = load_stored_schemes(engine)
    console.print(f"database ready at [bold]{engine.url.render_as_string(hide_password=True)}[/]")
    for scheme in stored.by_id.values() if stored else ():
        console.print(f"  {scheme.scheme_name}: " + ", ".join(
            f"{v.id} (from {v.effective_from}, {len(v.parameters)} parameters, {v.provenance_text})"
            for v in scheme.versions))


def _store_missing_shipped(engine, shipped, skip: str | None = None) -> None:
    """Store the shipped schemes the database does not hold yet (never replacing a stored one)."""
    from dashboard.store import load_stored_methodology, store_methodology

    for sid, methodology in shipped.by_id.items():
        if sid != skip and load_stored_methodology(engine, sid) is None:
            store_methodology(engine, methodology)


@app.command()
def demo(
    months: Annotated[int, typer.Option(help="months of data, ending at the last complete month")] = 24,
    scale: Annotated[str, typer.Option(help="national (about 17,000 stations) or small")] = "national",
    seed: Annotated[int, typer.Option(help="random seed (same seed, same data)")] = 2026,
    out: Annotated[Path | None, typer.Option("--out", help="keep the generated CSV files in this folder")] = None,
    users: Annotated[bool, typer.Option(help="create one demo user per role and print the passwords")] = True,
    reviews: Annotated[bool, typer.Option(help="hold the reviews of the last two months before the month "
                                                "after each is loaded (actions judged by the data)")] = True,
    provisional: Annotated[bool, typer.Option(help="after the final months, load the month after them as "
                                                   "provisional figures for Haryana, Uttar Pradesh and Delhi "
                                                   "(part-way through the month: some stations not reported "
                                                   "yet, some records not entered)")] = True,
) -> None:
    """Generate the deterministic demo dataset as import files and load it through the normal import."""
    import tempfile

    from dashboard.ingest import ImportRejected, generate_demo, hold_reviews, import_files
    from dashboard.store import upgrade
    from metrics.methodology import shipped_schemes

    if scale not in ("national", "small"):
        _fail("--scale must be national or small")
    engine = _engine()
    upgrade(engine)
    _store_missing_shipped(engine, shipped_schemes())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = out or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        files = generate_demo(folder, months=months, scale=scale, seed=seed)
        console.print(f"generated demo files in {time.perf_counter() - started:.1f} s ({folder})")
        try:
            master = import_files(engine, files.master, user="demo", progress=False)
            console.print(f"master data: batch {master.batch_ids}, {master.rows_added} rows")
            if files.published is not None:
                record = import_files(engine, [files.published], user="demo", progress=False)
                console.print(f"NCRB's published results (the public record): {record.rows_added} rows")
            total = 0
            for n, month_files in enumerate(files.by_month):
                if reviews and len(files.by_month) - 2 <= n and n >= 1:
                    # the review of the month before: its actions are judged by the months that follow
                    made = hold_reviews(engine, files.months[n - 1])
                    console.print(f"  review of {files.months[n - 1]}: {made} actions assigned")
                report = import_files(engine, month_files, user="demo", progress=False)
                total += report.rows_added + report.rows_replaced
                console.print(f"  {', '.join(report.months)}: {report.rows_added + report.rows_replaced:,} rows")
            if provisional:
                from dashboard.ingest import provisional_files
                from metrics.methodology import next_month

                prov = provisional_files(files.by_month[-1], files.master[2], next_month(files.months[-1]),
                                         folder / "provisional")
                report = import_files(engine, prov.files, user="demo", progress=False, provisional=True)
                console.print(f"  {prov.month} provisional ({', '.join(prov.states)}): {report.rows_added:,} rows")
        except ImportRejected as exc:
            for p in exc.problems[:50]:
                err.print(str(p))
            _fail("the demo data was rejected (a bug: please report it)")
    console.print(f"demo loaded: {total:,} monthly rows in {time.perf_counter() - started:.1f} s")
    if users:
        from dashboard.web import create_demo_users

        creds = create_demo_users(engine)
        console.print("[bold]demo users[/] (passwords shown once):")
        for name, password in creds.items():
            console.print(f"  {name:12s} {password}")
        from dashboard.config import load_settings

        inst = load_settings().instance_dir
        inst.mkdir(parents=True, exist_ok=True)
        cred_file = inst / "demo-users.txt"
        cred_file.write_text("".join(f"{n} {p}\n" for n, p in creds.items()))
        cred_file.chmod(0o600)
        console.print(f"  (also written to {cred_file}, readable by you only)")


@app.command()
def recompute(
    month: Annotated[str | None, typer.Option(help="one month YYYY-MM (default: every month with data)")] = None,
) -> None:
    """Recompute scores, ranks and lagging stations from the stored rows."""

    from dashboard.ingest import months_with_data, recompute_months
    from dashboard.store import refresh_planner_statistics
    from metrics.methodology import is_month

    engine = _engine()
    m = _require_methodology(engine)
    if month is not None and not is_month(month):
        _fail(f"--month must be YYYY-MM, got {month!r}")
    started = time.perf_counter()
    with engine.begin() as conn:
        months = [month] if month else months_with_data(conn)
        done = recompute_months(conn, months, m)
        from dashboard.foresight import refresh_foresight  # as after an import: projections and flags

        refresh_foresight(conn, done)
    refresh_planner_statistics(engine)
    console.print(f"recomputed {len(done)} month(s) in {time.perf_counter() - started:.1f} s")


@app.command()
def export(
    what: Annotated[str, typer.Argument(
        help="states, districts, stations, lagging, projection, flags, published or reconciliation")],
    month: Annotated[str | None, typer.Option(help="YYYY-MM (every export but published, where it is optional)")] = None,
    state: Annotated[str | None, typer.Option(help="State/UT code (districts, stations, lagging, flags)")] = None,
    district: Annotated[str | None, typer.Option(help="district code (stations, lagging)")] = None,
    scheme: Annotated[str, typer.Option(help="ranking scheme: cctns, icjs, itsso (or one a State added); every "
                                        "export's first column names it (flags: each row's parameter's scheme, "
                                        "flags are checked on every scheme's rows)")] = "cctns",
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx")] = "csv",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="file (default: standard output for csv)")] = None,
    provisional: Annotated[bool, typer.Option(
        "--provisional", help="the month's provisional figures (states, districts, lagging, todo: what still has "
        "to happen before the cut-off); every row says 'provisional, as of ...'")] = False,
) -> None:
    """Export a league table or the lagging stations with every rank and the marks lost per parameter; next
    month's projection (an estimate) made from --month; the month's data-to-verify flags; NCRB's published
    results (`published`) or their reconciliation with our computation (`reconciliation`)."""

    from dashboard.reports import (
        ExportError,
        build_export,
        build_provisional_export,
        named_by_scheme,
        published_export,
        reconciliation_export,
        write_export,
    )

    engine = _engine()
    schemes = _require_methodology(engine)
    if what != "published" and month is None:
        _fail(f"{what} needs --month YYYY-MM")
    try:
        if provisional:
            df = build_provisional_export(engine, what, month, state=state, district=district, scheme=scheme)
        elif what == "published":
            df = published_export(engine, scheme, month)
        elif what == "reconciliation":
            df = reconciliation_export(engine, month, scheme)
        else:
            df = build_export(engine, what, month, state=state, district=district, scheme=scheme)
    except ExportError as exc:
        _fail(str(exc))
    if provisional and output is not None and "provisional" not in output.name.lower():
        _fail("a provisional export's file name must say so: put 'provisional' in the name given to -o")
    if fmt not in ("csv", "xlsx"):
        _fail("--format must be csv or xlsx")
    if fmt == "xlsx" and output is None:
        _fail("xlsx needs -o FILE")
    # every export names its scheme: a first `scheme` column (flags: each row's parameter's scheme), the sheet
    df = named_by_scheme(df, scheme, schemes.scheme_of if what == "flags" and not provisional else None)
    short = schemes.get(scheme).scheme_short if schemes.get(scheme) else scheme
    sheet = f"{what} {short}" if what != "flags" else what
    write_export(df, fmt, output or sys.stdout, sheet=f"Provisional {sheet}" if provisional else sheet)
    if output is not None:
        console.print(f"wrote {len(df):,} rows to {output}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8050,
    prod: Annotated[bool, typer.Option("--prod", help="gunicorn with several workers and threads")] = False,
    workers: Annotated[int | None, typer.Option(help="gunicorn workers (with --prod; default 2 x CPUs, max 8)")] = None,
    threads: Annotated[int | None, typer.Option(help="threads per worker (with --prod; default 4)")] = None,
) -> None:
    """Serve the dashboard (development server, or gunicorn with --prod: see dashboard/web/gunicorn_conf.py)."""
    engine = _engine()
    _require_methodology(engine)
    _require_current_schema(engine)
    if prod:
        import os

        engine.dispose()
        os.environ["CCTNS_BIND"] = f"{host}:{port}"
        if workers:
            os.environ["CCTNS_WORKERS"] = str(workers)
        if threads:
            os.environ["CCTNS_THREADS"] = str(threads)
        os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "-c", "python:dashboard.web.gunicorn_conf",
                                   "app:create_server()"])
    from app import create_app
    from dashboard.web import start_warmer

    console.print(f"CCTNS progress dashboard on http://{host}:{port}")
    dash_app = create_app()
    start_warmer(dash_app)  # warms the response cache after each import (CCTNS_WARM=0: off)
    dash_app.run(host=host, port=port, debug=False)


def _register_subcommands() -> None:
    """Sub-commands that live in their own modules."""
    from dashboard.cli.actions import actions_app
    from dashboard.cli.digest import digest_app
    from dashboard.cli.imports import import_command, imports_app
    from dashboard.cli.methodology import methodology_app
    from dashboard.cli.pack import pack_command
    from dashboard.cli.users import audit_command, users_app

    app.command("import")(import_command)
    app.add_typer(imports_app, name="imports", help="list or revert import batches")
    app.add_typer(users_app, name="users", help="manage users")
    app.add_typer(actions_app, name="actions", help="the review loop's actions: list, export, import a register")
    app.command("audit")(audit_command)
    app.command("pack")(pack_command)
    app.add_typer(digest_app, name="digest", help="monthly digests and cut-off reminders by e-mail")
    app.add_typer(methodology_app, name="methodology",
                  help="ranking schemes' methodologies: list them, load a new version (e.g. NCRB's circular)")


_register_subcommands()


def main() -> None:
    app()
