"""`cctns methodology`: the ranking schemes' methodologies, their versions and provenance; load a new one
(e.g. NCRB's circular added as a new version) and recompute the months it changes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

methodology_app = typer.Typer(no_args_is_help=True)
console = Console(soft_wrap=True)  # long provenance lines stay whole (grep-able)
err = Console(stderr=True)


def _engine():
    from dashboard.store import get_engine

    return get_engine()


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(1)


def _require_methodology(engine):
    from dashboard.store import load_stored_schemes

    try:
        schemes = load_stored_schemes(engine)
    except Exception as exc:  # noqa: BLE001 - no tables yet, unreachable database...
        _fail(f"cannot read the database ({exc.__class__.__name__}): run `cctns init-db` first")
    if schemes is None:
        _fail("no methodology in the database: run `cctns init-db` first")
    return schemes


@methodology_app.command("list")
def list_methodology() -> None:
    """Every stored scheme with its versions, effective months and provenance."""
    schemes = _require_methodology(_engine())
    for m in schemes.by_id.values():
        console.print(f"[bold]{m.scheme}[/] {m.scheme_name}")
        for v in m.versions:
            console.print(f"  {v.id:14s} from {v.effective_from}  {len(v.parameters):2d} parameters  "
                          f"{v.provenance_text}")


@methodology_app.command("load")
def load_command(
    file: Annotated[Path, typer.Argument(help="a methodology TOML; its [scheme] id says which scheme it replaces")],
) -> None:
    """Replace one scheme's methodology with FILE and recompute every month whose scoring it changes (from
    the first version added, changed or removed)."""
    from dashboard.ingest import months_with_data, recompute_months
    from dashboard.store import load_stored_methodology, store_methodology
    from metrics.methodology import MethodologyError, first_changed_month, load_methodology

    try:
        new = load_methodology(file)
    except MethodologyError as exc:
        for p in exc.problems:
            err.print(f"[red]{file}: {p}[/]")
        _fail("methodology rejected; nothing was changed")
    engine = _engine()
    _require_methodology(engine)
    old = load_stored_methodology(engine, new.scheme)
    since = first_changed_month(old, new)
    try:
        store_methodology(engine, new)
    except MethodologyError as exc:
        for p in exc.problems:
            err.print(f"[red]{file}: {p}[/]")
        _fail("methodology rejected; nothing was changed")
    if since is None:
        console.print(f"{new.scheme_name}: no version changed; nothing to recompute")
        return
    with engine.begin() as conn:
        months = [m for m in months_with_data(conn) if m >= since]
        done = recompute_months(conn, months, new)
    console.print(f"{new.scheme_name}: methodology stored; {len(done)} month(s) recomputed from {since}")
    for v in new.versions:
        console.print(f"  {v.id} from {v.effective_from}: {v.provenance_text}")
