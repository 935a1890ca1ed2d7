"""User administration in the browser's terms (issue 16): who manages whom (national and State admins), the
last national admin, one-time passwords that must be changed, one's own password, and the audit trail's
filters and scope."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import insert, update

from dashboard.store.db import get_engine
from dashboard.store.models import AuditEvent, District, State, User, utcnow
from dashboard.store.schema import upgrade
from dashboard.web import passwords
from dashboard.web.admin import (
    Actor,
    AdminRefused,
    AuditFilters,
    add_user,
    audit_trail,
    change_own_password,
    disable,
    enable,
    must_change,
    reset_password,
    unlock,
    users_for,
)
from dashboard.web.passwords import verify_password
from dashboard.web.users import UserError, create_user, get_user

PASSWORD = "correct horse battery"
NCRB = Actor("ncrb", "national", None, True)
HR_ADMIN = Actor("hr-admin", "state", "HR", True)
HR_OPERATOR = Actor("hr-op", "state", "HR", False)


@pytest.fixture(autouse=True)
def fast_hashing():
    passwords.set_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    passwords.set_hasher(passwords.production_hasher())


@pytest.fixture
def engine(tmp_path):
    eng = get_engine(f"sqlite:///{tmp_path / 'admin.sqlite3'}")
    upgrade(eng)
    with eng.begin() as conn:
        conn.execute(insert(State), [{"code": "HR", "name": "Haryana", "category": "Major States"},
                                     {"code": "PB", "name": "Punjab", "category": "Major States"}])
        conn.execute(insert(District), [{"code": "HR-KNL", "state_code": "HR", "name": "Karnal"},
                                        {"code": "PB-LDH", "state_code": "PB", "name": "Ludhiana"}])
    create_user(eng, "ncrb", PASSWORD, "national", is_admin=True, actor="test")
    create_user(eng, "hr-admin", PASSWORD, "state", state_code="HR", is_admin=True, actor="test")
    create_user(eng, "hr-op", PASSWORD, "state", state_code="HR", can_import=True, actor="test")
    create_user(eng, "pb-op", PASSWORD, "state", state_code="PB", can_import=True, actor="test")
    create_user(eng, "knl-sp", PASSWORD, "district", district_code="HR-KNL", actor="test")
    return eng


def test_a_national_admin_adds_a_user_with_a_one_time_password(engine):
    rec, otp = add_user(engine, NCRB, "ldh-sp", "district", district_code="PB-LDH")
    assert (rec.role, rec.state_code, rec.district_code, rec.must_change_password) == ("district", "PB", "PB-LDH",
                                                                                          True)
    assert len(otp) >= 16 and must_change(engine, "ldh-sp")
    change_own_password(engine, "ldh-sp", otp, "a brand new passphrase")
    assert not must_change(engine, "ldh-sp")
    with pytest.raises(UserError, match="already exists"):
        add_user(engine, NCRB, "ldh-sp", "district", district_code="PB-LDH")
    with pytest.raises(UserError, match="import"):
        add_user(engine, NCRB, "x-sp", "district", district_code="PB-LDH", can_import=True)


def test_a_state_admin_manages_only_their_states_state_and_district_users(engine):
    names = [u.username for u in users_for(engine, HR_ADMIN)]
    assert names == ["hr-admin", "hr-op", "knl-sp"]  # no national user, nobody of PB
    add_user(engine, HR_ADMIN, "hr-op2", "state", state_code="HR", can_import=True)
    with pytest.raises(AdminRefused, match="HR"):
        add_user(engine, HR_ADMIN, "pb-op2", "state", state_code="PB")
    with pytest.raises(AdminRefused):
        add_user(engine, HR_ADMIN, "boss", "national", is_admin=True)
    for act in (disable, unlock, enable):
        with pytest.raises(AdminRefused, match="no user 'pb-op' that you manage"):
            act(engine, HR_ADMIN, "pb-op")
    with pytest.raises(AdminRefused):
        reset_password(engine, HR_ADMIN, "ncrb")
    disable(engine, HR_ADMIN, "knl-sp")
    assert not get_user(engine, "knl-sp").active
    enable(engine, HR_ADMIN, "knl-sp")
    assert get_user(engine, "knl-sp").active


def test_only_admins_administer(engine):
    for call in (lambda: users_for(engine, HR_OPERATOR), lambda: disable(engine, HR_OPERATOR, "knl-sp"),
                 lambda: add_user(engine, HR_OPERATOR, "y", "district", district_code="HR-KNL"),
                 lambda: audit_trail(engine, HR_OPERATOR)):
        with pytest.raises(AdminRefused):
            call()


def test_the_last_national_admin_cannot_be_disabled(engine):
    with pytest.raises(AdminRefused, match="last active national administrator"):
        disable(engine, NCRB, "ncrb")
    assert get_user(engine, "ncrb").active
    add_user(engine, NCRB, "ncrb2", "national", is_admin=True)
    disable(engine, NCRB, "ncrb")  # another admin exists now
    assert not get_user(engine, "ncrb").active
    with pytest.raises(AdminRefused, match="last active national administrator"):
        disable(engine, Actor("ncrb2", "national", None, True), "ncrb2")


def test_reset_password_and_unlock(engine):
    with engine.begin() as conn:
        conn.execute(update(User).where(User.username == "hr-op").values(
            locked_until=utcnow() + timedelta(minutes=10), failed_logins=0))
    unlock(engine, HR_ADMIN, "hr-op")
    assert get_user(engine, "hr-op").locked_until is None
    with pytest.raises(UserError, match="not locked"):
        unlock(engine, HR_ADMIN, "hr-op")
    otp = reset_password(engine, HR_ADMIN, "hr-op")
    assert must_change(engine, "hr-op")
    with pytest.raises(AdminRefused, match="own password"):
        reset_password(engine, HR_ADMIN, "hr-admin")
    with pytest.raises(UserError, match="current password is wrong"):
        change_own_password(engine, "hr-op", PASSWORD, "another good passphrase")
    with pytest.raises(UserError, match="at least"):
        change_own_password(engine, "hr-op", otp, "short")
    with pytest.raises(UserError, match="differ"):
        change_own_password(engine, "hr-op", otp, otp)
    change_own_password(engine, "hr-op", otp, "another good passphrase")
    from sqlalchemy import select

    from dashboard.store.db import session_scope
    with session_scope(engine) as s:
        assert verify_password(s.scalar(select(User.password_hash).where(User.username == "hr-op")),
                               "another good passphrase")


def test_every_change_is_audited_and_the_trail_is_filtered_and_scoped(engine):
    add_user(engine, HR_ADMIN, "hr-op2", "state", state_code="HR")
    disable(engine, NCRB, "pb-op")
    with engine.begin() as conn:
        conn.execute(insert(AuditEvent), [
            {"at": utcnow() - timedelta(days=3), "actor": "hr-op", "action": "login", "detail": "", "remote_addr": ""},
            {"at": utcnow(), "actor": "hr-op", "action": "login_failed", "detail": "wrong password (1)",
             "remote_addr": ""},
            {"at": utcnow(), "actor": "pb-op", "action": "import", "detail": "{}", "remote_addr": ""},
            {"at": utcnow(), "actor": "hr-op", "action": "download", "detail": "refused: not in scope",
             "remote_addr": ""},
        ])
    everything, more = audit_trail(engine, NCRB)
    assert not more and {"user_add", "user_disable", "import", "login"} <= {r["action"] for r in everything}
    hr, _ = audit_trail(engine, HR_ADMIN)
    assert hr and {r["actor"] for r in hr} <= {"hr-admin", "hr-op", "knl-sp", "hr-op2"}
    assert not any(r["actor"] == "pb-op" for r in hr) and not any(r["actor"] == "ncrb" for r in hr)
    adds = [r for r in hr if r["action"] == "user_add" and r["actor"] == "hr-admin"]
    assert adds and "hr-op2" in adds[0]["detail"]
    refused, _ = audit_trail(engine, HR_ADMIN, AuditFilters(outcome="refused"))
    assert {r["action"] for r in refused} == {"login_failed", "download"}
    ok, _ = audit_trail(engine, HR_ADMIN, AuditFilters(outcome="ok", user="hr-op"))
    assert [r["action"] for r in ok] == ["login"]
    today = date.today()
    recent, _ = audit_trail(engine, NCRB, AuditFilters(kind="login", since=today - timedelta(days=1), until=today))
    assert recent == []
    old, _ = audit_trail(engine, NCRB, AuditFilters(kind="login", until=today - timedelta(days=2)))
    assert [r["actor"] for r in old] == ["hr-op"]
    capped, more = audit_trail(engine, NCRB, limit=2)
    assert len(capped) == 2 and more
