"""The `cctns` command line (typer): `dashboard.cli.commands` holds the command and its core sub-commands,
`imports`, `pack` and `users` the sub-apps. Entry point: `cctns = "dashboard.cli:main"`."""

from dashboard.cli.commands import app, main

__all__ = ["app", "main"]
