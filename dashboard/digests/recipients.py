"""Who gets which digest: the e-mail address, language and digest choices kept with each user, changed by
the user on /profile or by an administrator with `cctns users add --email` / `cctns users set-email`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sqlalchemy import Engine, select

from dashboard.digests.catalog import DEFAULT_LANGUAGE, LANGUAGES
from dashboard.scope import Scope
from dashboard.store import User, audit, session_scope

KINDS = ("monthly", "reminder")
MAX_EMAIL = 254
# a plain address: local part of common characters, a dotted domain; no display name, quotes, comments,
# spaces or line breaks (so it can never carry a header of its own)
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


class ProfileError(ValueError):
    """A profile change was refused (the message says what to change)."""


@dataclass(frozen=True)
class Recipient:
    user_id: int
    username: str
    role: str
    state_code: str | None
    district_code: str | None
    email: str | None
    language: str
    monthly: bool
    reminder: bool
    active: bool = True

    @property
    def scope(self) -> Scope:
        return Scope(self.role, self.state_code, self.district_code, self.username)

    def wants(self, kind: str) -> bool:
        return bool(self.email) and self.active and (self.monthly if kind == "monthly" else self.reminder)


def clean_email(value: object, *, required: bool = False) -> str | None:
    """A valid address in lower case (None for an empty value unless `required`); ProfileError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ProfileError("enter an e-mail address")
        return None
    if not isinstance(value, str):
        raise ProfileError("the e-mail address must be text")
    text = value.strip()
    if len(text) > MAX_EMAIL or not EMAIL_RE.match(text) or ".." in text:
        raise ProfileError("that is not an e-mail address like name@example.org")
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def clean_language(value: object) -> str:
    if value in (None, ""):
        return DEFAULT_LANGUAGE
    if not isinstance(value, str) or value not in LANGUAGES:
        raise ProfileError(f"language must be one of {', '.join(LANGUAGES)}")
    return value


def _recipient(u: User) -> Recipient:
    return Recipient(u.id, u.username, u.role, u.state_code, u.district_code, u.email,
                     u.language or DEFAULT_LANGUAGE, bool(u.digest_monthly), bool(u.digest_reminder), bool(u.active))


def recipients(engine: Engine, kind: str, usernames: list[str] | None = None) -> list[Recipient]:
    """Active users with an address who chose digests of `kind` (optionally only `usernames`)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    with session_scope(engine) as s:
        stmt = select(User).where(User.active.is_(True), User.email.is_not(None)).order_by(User.username)
        if usernames:
            stmt = stmt.where(User.username.in_([u.strip().lower() for u in usernames]))
        return [r for r in (_recipient(u) for u in s.scalars(stmt)) if r.wants(kind)]


def get_profile(engine: Engine, username: str) -> Recipient | None:
    with session_scope(engine) as s:
        u = s.scalar(select(User).where(User.username == (username or "").strip().lower()))
        return _recipient(u) if u is not None else None


def set_profile(engine: Engine, username: str, *, email: object = None, monthly: bool = True,
                reminder: bool = True, language: object = None, actor: str | None = None,
                remote_addr: str = "") -> Recipient:
    """Save a user's own address and choices (the user comes from the session, never the request)."""
    address = clean_email(email)
    lang = clean_language(language)
    with session_scope(engine) as s:
        u = s.scalar(select(User).where(User.username == (username or "").strip().lower()))
        if u is None:
            raise ProfileError("no such user")
        before = {"email": u.email, "monthly": bool(u.digest_monthly), "reminder": bool(u.digest_reminder),
                  "language": u.language}
        u.email, u.digest_monthly, u.digest_reminder, u.language = address, bool(monthly), bool(reminder), lang
        after = {"email": address, "monthly": bool(monthly), "reminder": bool(reminder), "language": lang}
        if before != after:
            audit.record(s, "profile_update", actor=actor or u.username, remote_addr=remote_addr,
                         detail=json.dumps({"user": u.username, "before": before, "after": after}))
        s.flush()
        return _recipient(u)


def set_email(engine: Engine, username: str, email: object, *, actor: str = "cli") -> Recipient:
    """An administrator sets (or, with an empty value, clears) a user's address; choices are kept."""
    profile = get_profile(engine, username)
    if profile is None:
        raise ProfileError(f"no user {(username or '').strip().lower()!r}")
    return set_profile(engine, profile.username, email=email, monthly=profile.monthly, reminder=profile.reminder,
                       language=profile.language, actor=actor)
