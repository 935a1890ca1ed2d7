"""User management: create, list, disable, set passwords, and the demo users (one per role)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from dashboard.scope import Scope
from dashboard.store import District, LoginSession, State, User, audit, session_scope, utcnow
from dashboard.web.passwords import hash_password, validate_password

ROLES = ("national", "state", "district")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,79}$")


class UserError(ValueError):
    """A user change was refused (the message says why, for the command line)."""


@dataclass(frozen=True)
class UserRecord:
    id: int
    username: str
    role: str
    state_code: str | None
    district_code: str | None
    can_import: bool
    is_admin: bool
    active: bool
    locked_until: datetime | None
    created_at: datetime
    must_change_password: bool = False

    @property
    def scope(self) -> Scope:
        return Scope(self.role, self.state_code, self.district_code, self.username)


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def _record(u: User) -> UserRecord:
    return UserRecord(u.id, u.username, u.role, u.state_code, u.district_code, bool(u.can_import),
                      bool(u.is_admin), bool(u.active), u.locked_until, u.created_at,
                      bool(u.must_change_password))


def _resolve_scope(
    s: Session, role: str, state_code: str | None, district_code: str | None
) -> tuple[str | None, str | None]:
    """Check role + codes against master data; return the (state_code, district_code) to store."""
    state_code = (state_code or "").strip().upper() or None
    district_code = (district_code or "").strip().upper() or None
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if role == "national":
        if state_code or district_code:
            raise UserError("a national user has no State or district")
        return None, None
    if role == "state":
        if district_code:
            raise UserError("a State user has no district (use role 'district')")
        if not state_code:
            raise UserError("a State user needs --state CODE")
        if s.get(State, state_code) is None:
            raise UserError(f"unknown State code {state_code!r}")
        return state_code, None
    if not district_code:
        raise UserError("a district user needs --district CODE")
    district = s.get(District, district_code)
    if district is None:
        raise UserError(f"unknown district code {district_code!r}")
    if state_code and state_code != district.state_code:
        raise UserError(f"district {district_code} is in State {district.state_code}, not {state_code}")
    return district.state_code, district_code


def _check_permissions(role: str, can_import: bool, is_admin: bool) -> None:
    if can_import and role == "district":
        raise UserError("--can-import is for national and State users (imports cover a whole State)")
    if is_admin and role not in ("national", "state"):
        raise UserError("--admin (user management) is for national users (every user) and State users "
                        "(their State's users) only")


def _validate_password(password: str, username: str) -> None:
    try:
        validate_password(password, username)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def create_user(
    engine: Engine,
    username: str,
    password: str,
    role: str,
    state_code: str | None = None,
    district_code: str | None = None,
    can_import: bool = False,
    is_admin: bool = False,
    *,
    actor: str = "cli",
) -> UserRecord:
    """Create a user; raises UserError (a ValueError) with a clear message when anything is wrong."""
    name = normalise_username(username)
    if not USERNAME_RE.match(name):
        raise UserError("username must be 2-80 characters: letters, digits, '.', '_', '-', '@'")
    role = (role or "").strip().lower()
    _check_permissions(role, can_import, is_admin)
    _validate_password(password, name)
    with session_scope(engine) as s:
        st, dist = _resolve_scope(s, role, state_code, district_code)
        if s.scalar(select(User.id).where(User.username == name)) is not None:
            raise UserError(f"user {name!r} already exists")
        user = User(username=name, password_hash=hash_password(password), role=role, state_code=st,
                    district_code=dist, can_import=bool(can_import), is_admin=bool(is_admin), active=True,
                    failed_logins=0, locked_until=None)
        s.add(user)
        s.flush()
        audit.record(s, "user_add", actor=actor,
                     detail=f"{name} role={role} state={st or '-'} district={dist or '-'} "
                            f"can_import={bool(can_import)} admin={bool(is_admin)}")
        return _record(user)


def get_user(engine: Engine, username: str) -> UserRecord | None:
    with session_scope(engine) as s:
        user = s.scalar(select(User).where(User.username == normalise_username(username)))
        return _record(user) if user is not None else None


def list_users(engine: Engine) -> list[UserRecord]:
    with session_scope(engine) as s:
        return [_record(u) for u in s.scalars(select(User).order_by(User.username))]


def _get_or_fail(s: Session, username: str) -> User:
    user = s.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        raise UserError(f"no user {normalise_username(username)!r}")
    return user


def disable_user(engine: Engine, username: str, *, actor: str = "cli") -> None:
    """Disable a user and end every open session of theirs at once."""
    with session_scope(engine) as s:
        user = _get_or_fail(s, username)
        user.active = False
        ended = end_user_sessions(s, user.id)
        audit.record(s, "user_disable", actor=actor, detail=f"{user.username} ({ended} session(s) ended)")


def enable_user(engine: Engine, username: str, *, actor: str = "cli") -> None:
    with session_scope(engine) as s:
        user = _get_or_fail(s, username)
        user.active = True
        user.failed_logins = 0
        user.locked_until = None
        audit.record(s, "user_add", actor=actor, detail=f"{user.username} re-enabled")


def set_password(engine: Engine, username: str, password: str, *, actor: str = "cli") -> None:
    """Set a new password (and clear any lockout). Every open session of that user ends at once."""
    with session_scope(engine) as s:
        user = _get_or_fail(s, username)
        _validate_password(password, user.username)
        user.password_hash = hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
        ended = end_user_sessions(s, user.id)
        audit.record(s, "user_password", actor=actor, detail=f"{user.username} ({ended} session(s) ended)")


# --- server-side sessions ---------------------------------------------------------------------------


def session_token_hash(token: str) -> str:
    """What `user_sessions.token_sha256` stores for a session id (the id itself is only in the cookie)."""
    return hashlib.sha256(token.encode()).hexdigest()


def end_user_sessions(s: Session, user_id: int) -> int:
    """Delete every session row of a user inside the caller's transaction; returns how many ended."""
    result = s.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
    return int(result.rowcount or 0)


def revoke_sessions(engine: Engine, username: str, *, actor: str = "cli", remote_addr: str = "") -> int:
    """Sign a user out everywhere (every browser, every worker and app server): returns how many sessions
    ended. Raises UserError for an unknown user."""
    with session_scope(engine) as s:
        user = _get_or_fail(s, username)
        ended = end_user_sessions(s, user.id)
        audit.record(s, "sessions_revoked", actor=actor, detail=f"{user.username}: {ended} session(s) ended",
                     remote_addr=remote_addr)
        return ended


def count_sessions(engine: Engine, username: str, now: datetime | None = None) -> int:
    """How many unexpired sessions a user has open (for the command line and tests)."""
    now = now or utcnow()
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(LoginSession).join(User)
                            .where(User.username == normalise_username(username),
                                   LoginSession.expires_at > now)) or 0)


DEMO_EMAIL_DOMAIN = "example.org"
DEMO_USERS = (
    # username, role, state, district name (looked up), can_import, is_admin
    ("ncrb", "national", None, None, False, True),
    ("haryana", "state", "HR", None, True, False),
    ("karnal-sp", "district", "HR", "Karnal", False, False),
)


def create_demo_users(engine: Engine) -> dict[str, str]:
    """One user per role with a fresh random password each run: {username: password}.

    Idempotent: existing demo users are reset (role, scope, active, unlocked) with a new password."""
    out: dict[str, str] = {}
    with session_scope(engine) as s:
        for name, role, state, district_name, can_import, is_admin in DEMO_USERS:
            district_code = None
            if district_name:
                district_code = s.scalar(
                    select(District.code).where(District.state_code == state,
                                                func.lower(func.trim(District.name)) == district_name.lower())
                    .order_by(District.code).limit(1)
                )
                if district_code is None:
                    raise UserError(f"no district named {district_name!r} in State {state}")
            st, dist = _resolve_scope(s, role, state, district_code)
            password = secrets.token_urlsafe(15)  # 20 characters, ~120 bits
            user = s.scalar(select(User).where(User.username == name))
            if user is None:
                user = User(username=name)
                s.add(user)
                action, detail = "user_add", f"{name} (demo) role={role} state={st or '-'} district={dist or '-'}"
            else:
                action, detail = "user_password", f"{name} (demo reset)"
                end_user_sessions(s, user.id)
            user.password_hash = hash_password(password)
            user.role, user.state_code, user.district_code = role, st, dist
            user.can_import, user.is_admin, user.active = can_import, is_admin, True
            user.failed_logins, user.locked_until = 0, None
            if not user.email:  # an example address, so a digest can be sent to a local SMTP server at once
                user.email = f"{name}@{DEMO_EMAIL_DOMAIN}"
            s.flush()
            audit.record(s, action, actor="demo", detail=detail)
            out[name] = password
    return out
