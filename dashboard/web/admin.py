"""User administration and the audit trail in the browser (issue 16), with the same rules as `cctns users`.

Who administers whom:

* a **national admin** (role `national` with the admin flag) manages every user and reads the whole trail;
* a **State admin** (role `state` with the admin flag: the State's CCTNS administrator) manages the State and
  district users of their own State (never national users, never another State's) and reads the events of
  their State's users (the trail has no State column: an event belongs to a State through its actor, as the
  data page's import batches do);
* nobody else administers anyone.

Every change is one transaction with its audit row (actor = the administrator). The last active national
admin can be neither disabled nor stripped of the admin flag, by themselves or anyone else. A password an
administrator sets is a one-time password: random, shown once, and the user must change it at the next
sign-in (`users.must_change_password`). Every change that touches sign-in ends the user's sessions.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from dashboard.i18n import gettext as _
from dashboard.store import AuditEvent, User, audit, session_scope, utcnow
from dashboard.web.passwords import hash_password, verify_password
from dashboard.web.users import (
    USERNAME_RE,
    UserError,
    UserRecord,
    _check_permissions,
    _record,
    _resolve_scope,
    _validate_password,
    end_user_sessions,
    normalise_username,
)

MAX_AUDIT_ROWS = 5_000  # rows the audit page and its CSV hold at most (newest first)
REFUSED_ACTIONS = ("login_failed", "lockout", "scope_violation")
PASSWORD_TRIES = 5  # own-password changes (right or wrong) per user in 15 minutes


class AdminRefused(UserError):
    """The acting user may not do this (the message says why); nothing was changed."""


@dataclass(frozen=True)
class Actor:
    """The signed-in user acting on the admin pages (from the session, never from the request)."""

    username: str
    role: str
    state_code: str | None
    is_admin: bool

    @property
    def national_admin(self) -> bool:
        return self.is_admin and self.role == "national"

    @property
    def state_admin(self) -> bool:
        return self.is_admin and self.role == "state" and bool(self.state_code)

    @property
    def any_admin(self) -> bool:
        return self.national_admin or self.state_admin

    def may_manage(self, role: str, state_code: str | None) -> bool:
        """May this actor create or change a user of that role and State?"""
        if self.national_admin:
            return True
        return self.state_admin and role in ("state", "district") and state_code == self.state_code


def _require_admin(actor: Actor) -> None:
    if not actor.any_admin:
        raise AdminRefused("only administrators manage users")


def _target(s: Session, actor: Actor, username: str) -> User:
    user = s.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None or not actor.may_manage(user.role, user.state_code):
        # an out-of-reach user is reported exactly like a missing one (no probing of usernames)
        raise AdminRefused(f"no user {normalise_username(username)!r} that you manage")
    return user


def one_time_password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, ~96 bits


# --- listing -------------------------------------------------------------------------------------------------


def users_for(engine: Engine, actor: Actor, *, text: str = "", role: str | None = None,
              state_code: str | None = None, status: str | None = None) -> list[UserRecord]:
    """The users the actor manages, filtered: `text` in the username, role, State, status (`active`,
    `disabled`, `locked`, `must_change`)."""
    _require_admin(actor)
    stmt = select(User).order_by(User.username)
    if not actor.national_admin:
        stmt = stmt.where(User.state_code == actor.state_code, User.role.in_(("state", "district")))
    if text:
        stmt = stmt.where(User.username.contains(normalise_username(text)[:80], autoescape=True))
    if role:
        stmt = stmt.where(User.role == role)
    if state_code:
        stmt = stmt.where(User.state_code == state_code.upper())
    now = utcnow()
    if status == "active":
        stmt = stmt.where(User.active.is_(True))
    elif status == "disabled":
        stmt = stmt.where(User.active.is_(False))
    elif status == "locked":
        stmt = stmt.where(User.locked_until.is_not(None), User.locked_until > now)
    elif status == "must_change":
        stmt = stmt.where(User.must_change_password.is_(True))
    with session_scope(engine) as s:
        return [_record(u) for u in s.scalars(stmt)]


def must_change(engine: Engine, username: str) -> bool:
    with session_scope(engine) as s:
        return bool(s.scalar(select(User.must_change_password).where(User.username == normalise_username(username))))


# --- changes -------------------------------------------------------------------------------------------------


def add_user(engine: Engine, actor: Actor, username: str, role: str, state_code: str | None = None,
             district_code: str | None = None, can_import: bool = False, is_admin: bool = False,
             remote_addr: str = "") -> tuple[UserRecord, str]:
    """Create a user with a one-time password (returned, to be shown once); the user must change it at the
    first sign-in."""
    _require_admin(actor)
    name = normalise_username(username)
    if not USERNAME_RE.match(name):
        raise UserError(_("username must be 2-80 characters: letters, digits, '.', '_', '-', '@'"))
    role = (role or "").strip().lower()
    _check_permissions(role, can_import, is_admin)
    password = one_time_password()
    _validate_password(password, name)
    with session_scope(engine) as s:
        st, dist = _resolve_scope(s, role, state_code, district_code)
        if not actor.may_manage(role, st):
            raise AdminRefused(_("you manage only State and district users of {state}").format(state=actor.state_code)
                               if actor.state_admin else _("only administrators manage users"))
        if s.scalar(select(User.id).where(User.username == name)) is not None:
            raise UserError(_("user {name} already exists").format(name=repr(name)))
        user = User(username=name, password_hash=hash_password(password), role=role, state_code=st,
                    district_code=dist, can_import=bool(can_import), is_admin=bool(is_admin), active=True,
                    must_change_password=True, failed_logins=0, locked_until=None)
        s.add(user)
        s.flush()
        audit.record(s, "user_add", actor=actor.username, remote_addr=remote_addr,
                     detail=f"{name} role={role} state={st or '-'} district={dist or '-'} "
                            f"can_import={bool(can_import)} admin={bool(is_admin)} (one-time password)")
        return _record(user), password


def _active_national_admins(s: Session) -> int:
    return int(s.scalar(select(func.count()).select_from(User).where(
        User.role == "national", User.is_admin.is_(True), User.active.is_(True))) or 0)


def disable(engine: Engine, actor: Actor, username: str, remote_addr: str = "") -> None:
    """Disable a user (every session ends at once). The last active national admin stays."""
    _require_admin(actor)
    with session_scope(engine) as s:
        user = _target(s, actor, username)
        if not user.active:
            raise UserError(_("{user} is already disabled").format(user=user.username))
        if user.role == "national" and user.is_admin and _active_national_admins(s) <= 1:
            raise AdminRefused(_("this is the last active national administrator: add another administrator "
                                 "before disabling this account"))
        user.active = False
        ended = end_user_sessions(s, user.id)
        audit.record(s, "user_disable", actor=actor.username, remote_addr=remote_addr,
                     detail=f"{user.username} ({ended} session(s) ended)")


def enable(engine: Engine, actor: Actor, username: str, remote_addr: str = "") -> None:
    _require_admin(actor)
    with session_scope(engine) as s:
        user = _target(s, actor, username)
        if user.active:
            raise UserError(_("{user} is already active").format(user=user.username))
        user.active, user.failed_logins, user.locked_until = True, 0, None
        audit.record(s, "user_enable", actor=actor.username, remote_addr=remote_addr, detail=user.username)


def unlock(engine: Engine, actor: Actor, username: str, remote_addr: str = "") -> None:
    """Lift a sign-in lockout (too many wrong passwords) before it runs out."""
    _require_admin(actor)
    with session_scope(engine) as s:
        user = _target(s, actor, username)
        if user.locked_until is None or user.locked_until <= utcnow():
            raise UserError(_("{user} is not locked").format(user=user.username))
        user.failed_logins, user.locked_until = 0, None
        audit.record(s, "user_unlock", actor=actor.username, remote_addr=remote_addr, detail=user.username)


def reset_password(engine: Engine, actor: Actor, username: str, remote_addr: str = "") -> str:
    """A new one-time password (returned, to be shown once); every session of the user ends, and the user
    must choose their own password at the next sign-in. Administrators change their own password on the
    account page, never here."""
    _require_admin(actor)
    password = one_time_password()
    with session_scope(engine) as s:
        user = _target(s, actor, username)
        if user.username == actor.username:
            raise AdminRefused(_("change your own password on the account page (your current password is needed)"))
        user.password_hash = hash_password(password)
        user.must_change_password = True
        user.failed_logins, user.locked_until = 0, None
        ended = end_user_sessions(s, user.id)
        audit.record(s, "user_password", actor=actor.username, remote_addr=remote_addr,
                     detail=f"{user.username}: one-time password set ({ended} session(s) ended)")
    return password


def change_own_password(engine: Engine, username: str, current: str, new: str, remote_addr: str = "") -> None:
    """A user changes their own password: the current one is needed; the new one follows the rules of
    `passwords.validate_password` and differs from the current one. Every session of the user ends (they sign
    in again with the new password)."""
    with session_scope(engine) as s:
        recent = audit.count_since(s.connection(), "password_change", utcnow() - timedelta(minutes=15),
                                   actor=username)
        if recent >= PASSWORD_TRIES:
            raise UserError("too many attempts: wait 15 minutes and try again")
        user = s.scalar(select(User).where(User.username == normalise_username(username), User.active.is_(True)))
        if user is None or not verify_password(user.password_hash, current or ""):
            audit.record(s, "password_change", actor=username, remote_addr=remote_addr,
                         detail="refused: wrong current password")
            raise UserError("the current password is wrong")
        if new == current:
            raise UserError("the new password must differ from the current one")
        _validate_password(new or "", user.username)
        user.password_hash = hash_password(new)
        user.must_change_password = False
        ended = end_user_sessions(s, user.id)
        audit.record(s, "password_change", actor=user.username, remote_addr=remote_addr,
                     detail=f"own password changed ({ended} session(s) ended)")


# --- the audit trail -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    user: str = ""  # actor, exact (case-insensitive)
    kind: str = ""  # an audit action (login, import, user_add ...)
    since: date | None = None
    until: date | None = None  # inclusive
    outcome: str = ""  # "" | "ok" | "refused"


def audit_trail(engine: Engine, actor: Actor, filters: AuditFilters = AuditFilters(),
                limit: int = MAX_AUDIT_ROWS) -> tuple[list[dict], bool]:
    """Events the actor may read, newest first, filtered: (rows, more) where `more` says that rows beyond
    `limit` were left out. A State admin reads the events whose actor is one of their State's users."""
    _require_admin(actor)
    t = AuditEvent
    stmt = select(t.id, t.at, t.actor, t.action, t.detail, t.remote_addr).order_by(t.at.desc(), t.id.desc())
    if not actor.national_admin:
        stmt = stmt.where(t.actor.in_(select(User.username).where(User.state_code == actor.state_code)))
    if filters.user:
        stmt = stmt.where(t.actor == normalise_username(filters.user)[:80])
    if filters.kind:
        stmt = stmt.where(t.action == filters.kind[:40])
    if filters.since:
        stmt = stmt.where(t.at >= datetime.combine(filters.since, datetime.min.time()))
    if filters.until:
        stmt = stmt.where(t.at < datetime.combine(filters.until, datetime.min.time()) + timedelta(days=1))
    refused = or_(t.action.in_(REFUSED_ACTIONS), t.detail.like("refused%"))
    if filters.outcome == "refused":
        stmt = stmt.where(refused)
    elif filters.outcome == "ok":
        stmt = stmt.where(and_(not_(refused)))
    with engine.connect() as conn:
        rows = conn.execute(stmt.limit(limit + 1)).all()
    out = [{"id": r.id, "at": r.at, "actor": r.actor, "action": r.action, "detail": r.detail,
            "remote_addr": r.remote_addr,
            "outcome": "refused" if r.action in REFUSED_ACTIONS or r.detail.startswith("refused") else "ok"}
           for r in rows[:limit]]
    return out, len(rows) > limit


def audit_kinds() -> tuple[str, ...]:
    return audit.ACTIONS
