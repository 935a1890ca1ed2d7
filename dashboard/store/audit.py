"""Audit trail: one row per security-relevant event (sign-ins, imports, exports, user changes ...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.orm import Session

from dashboard.store.models import AuditEvent, utcnow

ACTIONS = (
    "login",
    "login_failed",
    "lockout",
    "logout",
    "sessions_revoked",
    "import",
    "revert",
    "export",
    "download",
    "user_add",
    "user_disable",
    "user_password",
    "user_enable",
    "user_unlock",
    "password_change",
    "scope_violation",
    "action_create",
    "action_update",
    "action_comment",
    "action_import",
    "action_evaluate",
    "flag_review",
)

_LIMITS = {"actor": 80, "action": 40, "remote_addr": 64, "detail": 4000}


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    actor: str
    action: str
    detail: str
    remote_addr: str


def _clean(value: object, limit: int) -> str:
    text = "" if value is None else str(value)
    # no control characters in the trail (log forging); keep it on one line
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text[:limit]


def record(
    target: Engine | Connection | Session,
    action: str,
    actor: str = "",
    detail: str = "",
    remote_addr: str = "",
) -> None:
    """Append one event. With an Engine it commits on its own; with a Connection or Session it joins the
    caller's transaction (so the event is kept exactly when the change it describes is)."""
    values = {
        "at": utcnow(),
        "action": _clean(action, _LIMITS["action"]),
        "actor": _clean(actor, _LIMITS["actor"]),
        "detail": _clean(detail, _LIMITS["detail"]),
        "remote_addr": _clean(remote_addr, _LIMITS["remote_addr"]),
    }
    stmt = insert(AuditEvent).values(**values)
    if isinstance(target, Engine):
        with target.begin() as conn:
            conn.execute(stmt)
    else:
        target.execute(stmt)


def record_many(conn: Connection, action: str, actor: str, details: list[str]) -> None:
    """Append one event per detail, in that order, in the caller's transaction (one executemany: the
    evaluation of a few hundred actions after an import wrote them one statement each)."""
    if not details:
        return
    at = utcnow()
    common = {"at": at, "action": _clean(action, _LIMITS["action"]), "actor": _clean(actor, _LIMITS["actor"]),
              "remote_addr": ""}
    conn.execute(insert(AuditEvent), [{**common, "detail": _clean(d, _LIMITS["detail"])} for d in details])


def list_events(
    engine: Engine | Connection,
    limit: int = 100,
    action: str | None = None,
    actor: str | None = None,
) -> list[AuditRecord]:
    """Newest first."""
    stmt = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(max(0, int(limit)))
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if actor:
        stmt = stmt.where(AuditEvent.actor == actor)
    cols = (AuditEvent.id, AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.detail,
            AuditEvent.remote_addr)
    stmt = stmt.with_only_columns(*cols)
    if isinstance(engine, Engine):
        with engine.connect() as conn:
            rows = conn.execute(stmt).all()
    else:
        rows = engine.execute(stmt).all()
    return [AuditRecord(*row) for row in rows]


def count_since(
    target: Engine | Connection,
    action: str,
    since: datetime,
    actor: str | None = None,
    remote_addr: str | None = None,
) -> int:
    """How many `action` events since `since` (used for rate limiting shared by all workers)."""
    stmt = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action,
                                                             AuditEvent.at >= since)
    if actor is not None:
        stmt = stmt.where(AuditEvent.actor == _clean(actor, _LIMITS["actor"]))
    if remote_addr is not None:
        stmt = stmt.where(AuditEvent.remote_addr == _clean(remote_addr, _LIMITS["remote_addr"]))
    if isinstance(target, Engine):
        with target.connect() as conn:
            return int(conn.execute(stmt).scalar_one())
    return int(target.execute(stmt).scalar_one())
