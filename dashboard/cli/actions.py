"""`cctns actions list|export|import`: the review loop's register from the command line; registered by
dashboard/cli/commands.py as `app.add_typer(actions_app, name="actions")`.

`list` and `export` read every action (national scope: the command line is run by the data owner), filtered
by State, district, status or overdue; `import FILE --user NAME` makes the actions of a CSV/XLSX register in
the named user's scope, all or none (README "File formats": actions register).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

actions_app = typer.Typer(help="The review loop's actions: list, export, import a register.", no_args_is_help=True)

TEXT_SHOWN = 60  # characters of an action's text in `cctns actions list`
UNIT_CODE = re.compile(r"[A-Z0-9]{1,8}(?:-[A-Z0-9]{1,12}){0,2}", re.ASCII)  # HR, HR-KNL (as the importer's codes)


def _engine():
    from dashboard.store import get_engine

    return get_engine()


def _console() -> Console:
    # piped or captured output has no terminal width: do not squeeze the table into 80 columns
    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 220)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


StateOption = Annotated[str | None, typer.Option("--state", help="State/UT code, e.g. HR")]
DistrictOption = Annotated[str | None, typer.Option("--district", help="district code, e.g. HR-KNL")]
StatusOption = Annotated[str | None, typer.Option("--status", help="open, done, dropped or escalated")]
OverdueOption = Annotated[bool, typer.Option("--overdue", help="only open or escalated actions carried over")]
SchemeOption = Annotated[str | None, typer.Option(
    "--scheme", help="only actions on this ranking scheme's parameters (cctns, icjs, itsso); default: every scheme")]


def _schemes():
    """Every stored scheme's methodology (parameter -> scheme), or exit 1."""
    from dashboard.store import load_stored_schemes

    try:
        schemes = load_stored_schemes(_engine())
    except Exception as exc:  # noqa: BLE001 - no tables yet, unreachable database...
        raise _fail(f"cannot read the methodology ({type(exc).__name__}): run `cctns init-db` first") from None
    if schemes is None:
        raise _fail("no methodology in the database: run `cctns init-db` first")
    return schemes


def _in_scheme(df, scheme: str | None):
    """The actions on `scheme`'s parameters (all when None); exit 1 for an unknown scheme."""
    if scheme is None or df.empty:
        if scheme is not None and scheme not in _schemes().ids:
            raise _fail(f"--scheme must be one of {', '.join(_schemes().ids)}, not {scheme!r}")
        return df
    schemes = _schemes()
    if scheme not in schemes.ids:
        raise _fail(f"--scheme must be one of {', '.join(schemes.ids)}, not {scheme!r}")
    keep = [isinstance(p, str) and schemes.scheme_of(p) == scheme for p in df["parameter"]]
    return df[keep].reset_index(drop=True)


def _actions(state: str | None, district: str | None, status: str | None, overdue: bool):
    """The actions the filters ask for (a DataFrame of dashboard.actions.COLUMNS), or exit 1 on bad filters."""
    from dashboard.actions import ActionFilters, list_actions
    from dashboard.scope import Scope
    from metrics.actions import STATUSES

    if status is not None and status not in STATUSES:
        raise _fail(f"--status must be one of {', '.join(STATUSES)}, not {status!r}")
    for option, value in (("--state", state), ("--district", district)):
        if value is not None and not UNIT_CODE.fullmatch(value.upper()):
            raise _fail(f"{option} {value!r} is not a unit code (e.g. HR, HR-KNL)")
    try:
        return list_actions(_engine(), Scope.national("cli"), ActionFilters(
            state_code=state.upper() if state else None, district_code=district.upper() if district else None,
            status=status, overdue=overdue))
    except Exception as exc:  # noqa: BLE001 - no tables yet, unreachable database...
        raise _fail(f"cannot read the actions ({type(exc).__name__}): run `cctns init-db` first") from None


@actions_app.command("list")
def list_command(state: StateOption = None, district: DistrictOption = None, status: StatusOption = None,
                 overdue: OverdueOption = False, scheme: SchemeOption = None) -> None:
    """The actions as a table: unit, parameter, action, owner, when due (and carried over), status and what
    the data shows, the soonest due first."""
    from dashboard.display import action_carry_text, outcome_words
    from dashboard.safe_text import strip_control_characters

    df = _in_scheme(_actions(state, district, status, overdue), scheme)
    if df.empty:
        typer.echo("no actions" + (" match these filters" if any((state, district, status, overdue, scheme))
                                   else " yet"))
        return
    schemes = _schemes()
    short = {sid: schemes[sid].scheme_short for sid in schemes.ids}
    table = Table(title=f"Actions ({len(df)})")
    for col in ("ID", "unit", "parameter", "action", "owner", "due", "status", "outcome"):
        table.add_column(col, justify="right" if col == "ID" else "left", overflow="fold")

    def shown(value: object, limit: int | None = None) -> str:
        text = strip_control_characters(" ".join(str(value or "").split()))
        return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"

    for r in df.to_dict("records"):
        pid = r["parameter"] if isinstance(r["parameter"], str) else ""
        named = f"{shown(r['parameter_name'])} ({short.get(schemes.scheme_of(pid) or '', '')})" if pid else "–"
        table.add_row(str(r["id"]), f"{shown(r['unit_name'])} ({r['unit_code']})", named,
                      shown(r["text"], TEXT_SHOWN), shown(r["owner"]),
                      action_carry_text(r["due_month"], r["current_due_month"], r["carry_cycles"], r["status"]),
                      r["status"], outcome_words(r["outcome"]))
    # markup off: an action's text is data, never rich markup
    _console().print(table, markup=False)


@actions_app.command("export")
def export_command(
    output: Annotated[Path, typer.Option("--out", "-o", help="file to write")],
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx")] = "csv",
    state: StateOption = None, district: DistrictOption = None, status: StatusOption = None,
    overdue: OverdueOption = False, scheme: SchemeOption = None,
) -> None:
    """Write the actions as an actions register (CSV or XLSX): the columns `cctns actions import` reads,
    then what the data shows of each (ignored on import; `scheme` names each parameter's ranking scheme), so
    an export imports as it is."""
    from dashboard.reports import actions_register, write_export

    fmt = fmt.lower()
    if fmt not in ("csv", "xlsx"):
        raise _fail(f"--format must be csv or xlsx, not {fmt!r}")
    if output.exists() and output.is_dir():
        raise _fail(f"{output} is a folder: give a file name")
    if not output.parent.exists():
        raise _fail(f"folder {output.parent} does not exist")
    register = actions_register(_in_scheme(_actions(state, district, status, overdue), scheme),
                                _schemes().scheme_of)
    write_export(register, fmt, output, sheet="actions")
    typer.echo(f"wrote {len(register):,} action(s) to {output}")


@actions_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX actions register (README: File formats).")],
    user: Annotated[str, typer.Option("--user", help="The State or district user who assigns the actions "
                                                     "(their scope applies).")],
) -> None:
    """Check every row of FILE and make all its actions in one transaction, as USER; nothing is made if any
    row has a problem (each is listed with its row and column)."""
    from dashboard.ingest import ImporterError, ImportRejected, import_action_register

    try:
        report = import_action_register(_engine(), file, user)
    except ImportRejected as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        if exc.omitted:
            typer.echo(f"... and {exc.omitted} more problem(s) not listed", err=True)
        typer.echo(f"{len(exc.problems) + exc.omitted} problem(s): no action was imported", err=True)
        raise typer.Exit(1) from None
    except ImporterError as exc:
        typer.echo(f"error: {exc}", err=True)
        typer.echo("no action was imported", err=True)
        raise typer.Exit(1) from None
    except Exception as exc:  # noqa: BLE001 - a bad file must never end in a traceback
        typer.echo(f"error: the import failed ({type(exc).__name__}: {str(exc)[:200]}); please report this "
                   "with the file", err=True)
        typer.echo("no action was imported", err=True)
        raise typer.Exit(1) from None
    ids = report.action_ids
    shown = ", ".join(map(str, ids)) if len(ids) <= 10 else f"{ids[0]} .. {ids[-1]}"
    typer.echo(f"imported {len(ids):,} action(s) from {report.file}, assigned by {report.user} (ids {shown})")
