"""`cctns pack --month M --state S [--district D] --format pdf|pptx|xlsx -o FILE`: a review pack from
the command line (national scope: the command line is run by the data owner)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()
err = Console(stderr=True)


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(1)


def pack_command(
    month: Annotated[str, typer.Option(help="YYYY-MM")],
    state: Annotated[str, typer.Option(help="State/UT code, e.g. HR")],
    output: Annotated[Path, typer.Option("-o", "--output", help="file to write")],
    district: Annotated[str | None, typer.Option(help="district code for a district pack, e.g. HR-KNL")] = None,
    fmt: Annotated[str, typer.Option("--format", help="pdf, pptx or xlsx")] = "pdf",
    scheme: Annotated[str, typer.Option(help="ranking scheme: cctns, icjs, itsso")] = "cctns",
    lang: Annotated[str, typer.Option("--lang", help="language of the pack: en or hi")] = "en",
) -> None:
    """Write the review pack (the conference slides as PDF or PPTX, or every table as XLSX)."""
    from dashboard.i18n import LANGUAGES, clean_language, use_language
    from dashboard.reports import FORMATS, ReviewError, build_pack, build_review
    from dashboard.scope import Scope
    from dashboard.store import get_engine
    from metrics.methodology import is_month

    fmt = fmt.lower()
    if fmt not in FORMATS:
        _fail(f"--format must be pdf, pptx or xlsx, not {fmt!r}")
    language = clean_language(lang)
    if language is None:
        _fail(f"--lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    if not is_month(month):
        _fail(f"--month must be YYYY-MM, got {month!r}")
    if output.exists() and output.is_dir():
        _fail(f"{output} is a folder: give a file name")
    if not output.parent.exists():
        _fail(f"folder {output.parent} does not exist")
    started = time.perf_counter()
    engine = get_engine()
    try:
        with use_language(language):  # the pack's words; these messages stay English (operators' logs)
            review = build_review(engine, month, Scope.national("cli"), state.upper(),
                                  district.upper() if district else None, scheme=scheme)
            data = build_pack(engine, review, fmt)
    except ReviewError as exc:
        _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - no tables, unreachable database, no Chromium for charts...
        _fail(f"could not build the pack ({exc.__class__.__name__}: {exc})")
    output.write_bytes(data)
    console.print(f"wrote {review.scope_name} {month} {fmt} pack to {output} "
                  f"({len(data) / 1024:,.0f} KB in {time.perf_counter() - started:.1f} s)")
