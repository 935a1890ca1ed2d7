"""`cctns users ...` and `cctns audit`: user management and the audit trail from the command line.

Passwords are prompted (hidden, twice) or read from stdin with --password-stdin; never arguments."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from dashboard.store import audit, get_engine
from dashboard.web import (
    UserError,
    create_user,
    disable_user,
    list_users,
    revoke_sessions,
    set_password,
)

users_app = typer.Typer(help="Manage dashboard users.", no_args_is_help=True)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name (containers)
        return "cli"


def _fail(message: str) -> typer.Exit:
    Console(stderr=True).print(Text(f"Error: {message}", style="bold red"))
    return typer.Exit(1)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise _fail("no password on standard input")
        return password
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def add_command(
    username: Annotated[str, typer.Argument(help="Sign-in name (stored in lower case).")],
    role: Annotated[str, typer.Option("--role", help="national, state or district.")],
    state: Annotated[str | None, typer.Option("--state", help="State/UT code (role state).")] = None,
    district: Annotated[str | None, typer.Option("--district", help="District code (role district).")] = None,
    can_import: Annotated[bool, typer.Option("--can-import", help="May import data for their State.")] = False,
    admin: Annotated[bool, typer.Option("--admin", help="May manage users (national: every user; State: their State's users).")] = False,
    password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                 help="Read the password from standard input.")] = False,
    email: Annotated[str | None, typer.Option("--email", help="E-mail address for the digests.")] = None,
) -> None:
    """Add a user."""
    from dashboard.digests import ProfileError, clean_email, set_email

    try:
        address = clean_email(email)
    except ProfileError as exc:
        raise _fail(str(exc)) from None
    password = _read_password(password_stdin)
    try:
        user = create_user(get_engine(), username, password, role, state_code=state, district_code=district,
                           can_import=can_import, is_admin=admin, actor=_actor())
        if address:
            set_email(get_engine(), user.username, address, actor=_actor())
    except UserError as exc:
        raise _fail(str(exc)) from None
    where = user.district_code or user.state_code or "all India"
    Console().print(Text(f"Added {user.username} ({user.role}, {where})."))


@users_app.command("list")
def list_command() -> None:
    """List users."""
    table = Table(title="Users")
    for col in ("username", "role", "state", "district", "import", "admin", "active", "locked until"):
        table.add_column(col, overflow="fold")
    for u in list_users(get_engine()):
        table.add_row(
            Text(u.username), u.role, u.state_code or "", u.district_code or "",
            "yes" if u.can_import else "", "yes" if u.is_admin else "", "yes" if u.active else "no",
            f"{u.locked_until:%Y-%m-%d %H:%M}" if u.locked_until else "",
        )
    Console().print(table)


@users_app.command("set-email")
def set_email_command(
    username: Annotated[str, typer.Argument()],
    email: Annotated[str, typer.Argument(help="The address for the digests ('' clears it: no digests).")],
) -> None:
    """Set (or clear) a user's e-mail address for the digests."""
    from dashboard.digests import ProfileError, set_email

    try:
        r = set_email(get_engine(), username, email, actor=_actor())
    except ProfileError as exc:
        raise _fail(str(exc)) from None
    Console().print(Text(f"E-mail of {r.username}: {r.email or '(none: no digests)'}."))


@users_app.command("disable")
def disable_command(username: Annotated[str, typer.Argument()]) -> None:
    """Disable a user (their open sessions stop working at once)."""
    try:
        disable_user(get_engine(), username, actor=_actor())
    except UserError as exc:
        raise _fail(str(exc)) from None
    Console().print(Text(f"Disabled {username.strip().lower()}."))


@users_app.command("set-password")
def set_password_command(
    username: Annotated[str, typer.Argument()],
    password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                 help="Read the password from standard input.")] = False,
) -> None:
    """Set a user's password (signs out their open sessions and clears any lockout)."""
    password = _read_password(password_stdin)
    try:
        set_password(get_engine(), username, password, actor=_actor())
    except UserError as exc:
        raise _fail(str(exc)) from None
    Console().print(Text(f"Password changed for {username.strip().lower()}."))


@users_app.command("signout")
def signout_command(username: Annotated[str, typer.Argument()]) -> None:
    """Sign a user out everywhere: every open session ends at once, on every app server."""
    try:
        ended = revoke_sessions(get_engine(), username, actor=_actor())
    except UserError as exc:
        raise _fail(str(exc)) from None
    Console().print(Text(f"Signed out {username.strip().lower()} everywhere ({ended} session(s) ended)."))


def audit_command(
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many events (newest first).")] = 50,
    action: Annotated[str | None, typer.Option("--action", help="Only this action, e.g. login_failed.")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Only this user.")] = None,
) -> None:
    """Show the audit trail: sign-ins, failures, lockouts, imports, exports, user changes."""
    events = audit.list_events(get_engine(), limit=limit, action=action, actor=actor)
    table = Table(title=f"Audit trail (newest {len(events)})")
    for col in ("when (UTC)", "action", "actor", "address", "detail"):
        table.add_column(col, overflow="fold")
    for e in events:
        # Text(...) so that user-supplied values (attempted usernames) are never read as rich markup
        table.add_row(f"{e.at:%Y-%m-%d %H:%M:%S}", e.action, Text(e.actor), Text(e.remote_addr), Text(e.detail))
    Console().print(table)
