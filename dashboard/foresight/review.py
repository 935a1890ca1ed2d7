"""Verify or dismiss a flag with a reason: scope-checked, audited, kept. The decision is stored against the
flag's evidence key, so recomputing the flags keeps it and a dismissed flag does not come back for the same
evidence."""

from __future__ import annotations

import json

from sqlalchemy import Engine, func, insert, select

from dashboard.i18n import gettext as _
from dashboard.scope import Scope
from dashboard.store import DataFlag, FlagReview, audit, utcnow

DECISIONS = ("verified", "dismissed")
MAX_REASON = 500


class FlagReviewRefused(ValueError):
    """The decision cannot be recorded (unknown flag or decision, no reason); the message says why."""


def review_flag(engine: Engine, flag_id: int, decision: str, reason: str, scope: Scope, actor: str,
                remote_addr: str = "") -> dict:
    """Record `decision` on flag `flag_id` for `actor` within `scope` (OutOfScope outside it)."""
    if decision not in DECISIONS:
        raise FlagReviewRefused(_("the decision must be verified or dismissed"))
    reason = " ".join((reason or "").split())
    if not reason:
        raise FlagReviewRefused(_("give a reason: what was checked, or why the flag is not a concern"))
    if len(reason) > MAX_REASON:
        raise FlagReviewRefused(_("the reason is longer than {n} characters").format(n=MAX_REASON))
    with engine.begin() as conn:
        flag = conn.execute(select(DataFlag.__table__).where(DataFlag.id == int(flag_id))).mappings().first()
        if flag is None:
            raise FlagReviewRefused(_("that flag no longer exists (the data were imported again): reload the list"))
        if flag["level"] == "state":
            allowed = scope.can_see_state_detail(flag["state_code"]) and scope.role != "district"
        else:
            allowed = scope.can_see_district(flag["state_code"], flag["district_code"] or "")
        scope.require(allowed, f"data flag {flag_id}")
        values = {k: flag[k] for k in ("evidence_key", "month", "rule", "level", "unit_code", "state_code",
                                       "district_code", "parameter")}
        values.update(decision=decision, reason=reason, decided_by=actor, decided_at=utcnow())
        conn.execute(insert(FlagReview).values(**values))
        audit.record(conn, "flag_review", actor=actor, remote_addr=remote_addr, detail=json.dumps(
            {"flag": int(flag_id), "decision": decision, "reason": reason, "rule": flag["rule"],
             "unit": flag["unit_code"], "parameter": flag["parameter"], "month": flag["month"]}))
    return values


def flags_stamp(engine: Engine) -> str:
    """A value that changes whenever a flag is verified or dismissed (reviews are only ever added): what a
    cached answer that counts or lists flags is keyed by besides the results generation (which moves when
    an import recomputes the flags themselves)."""
    t = FlagReview.__table__
    with engine.connect() as conn:
        n, last = conn.execute(select(func.count(), func.coalesce(func.max(t.c.id), 0))).one()
    return f"{n}.{last}"
