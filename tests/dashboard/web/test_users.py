"""User management: validation, passwords, disable, demo users, and the `cctns users` commands."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
import typer
from argon2 import PasswordHasher
from sqlalchemy import insert, select
from typer.testing import CliRunner

from dashboard.cli.users import users_app
from dashboard.store.audit import list_events
from dashboard.store.db import get_engine
from dashboard.store.models import District, LoginSession, State, User, utcnow
from dashboard.store.schema import upgrade
from dashboard.web import passwords
from dashboard.web.passwords import hash_password, needs_rehash, verify_password
from dashboard.web.users import (
    UserError,
    count_sessions,
    create_demo_users,
    create_user,
    disable_user,
    get_user,
    list_users,
    revoke_sessions,
    session_token_hash,
    set_password,
)

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fast_hashing():
    passwords.set_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    passwords.set_hasher(passwords.production_hasher())


@pytest.fixture
def db_url(any_db_url):  # every test here runs on SQLite and on PostgreSQL (tests/conftest.py)
    return any_db_url


@pytest.fixture
def engine(db_url):
    eng = get_engine(db_url)
    upgrade(eng)
    with eng.begin() as conn:
        conn.execute(insert(State), [{"code": "HR", "name": "Haryana", "category": "Large"},
                                     {"code": "PB", "name": "Punjab", "category": "Large"}])
        conn.execute(insert(District), [
            {"code": "HR-KNL", "state_code": "HR", "name": "Karnal"},
            {"code": "HR-AMB", "state_code": "HR", "name": "Ambala"},
            {"code": "PB-KNL", "state_code": "PB", "name": "Karnal"},  # same name, other State
        ])
    return eng


def password_hash(engine, username: str) -> str:
    with engine.connect() as conn:
        return conn.execute(select(User.password_hash).where(User.username == username)).scalar_one()


# --- passwords ---------------------------------------------------------------------------------------


def test_hash_verify_rehash():
    h = hash_password(PASSWORD)
    assert h.startswith("$argon2id$") and PASSWORD not in h
    assert verify_password(h, PASSWORD)
    assert not verify_password(h, PASSWORD + "x")
    assert not verify_password("not a hash", PASSWORD)
    assert not needs_rehash(h)
    passwords.set_hasher(PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    assert needs_rehash(h)
    assert verify_password(h, PASSWORD)  # old hashes still verify


# --- create_user -------------------------------------------------------------------------------------


def test_create_users_of_each_role(engine):
    n = create_user(engine, "NCRB", PASSWORD, "national", is_admin=True)
    assert (n.username, n.role, n.state_code, n.district_code, n.is_admin) == ("ncrb", "national", None, None, True)
    s = create_user(engine, "haryana", PASSWORD, "state", state_code="hr", can_import=True)
    assert (s.state_code, s.can_import, s.scope.cache_key) == ("HR", True, "state:HR:*")
    d = create_user(engine, "karnal-sp", PASSWORD, "district", district_code="HR-KNL")
    assert (d.state_code, d.district_code) == ("HR", "HR-KNL")  # State derived from the district
    d2 = create_user(engine, "ambala-sp", PASSWORD, "district", state_code="HR", district_code="HR-AMB")
    assert d2.scope.can_see_district("HR", "HR-AMB") and not d2.scope.can_see_district("HR", "HR-KNL")
    assert [u.username for u in list_users(engine)] == ["ambala-sp", "haryana", "karnal-sp", "ncrb"]
    assert verify_password(password_hash(engine, "ncrb"), PASSWORD)
    assert [e.action for e in list_events(engine)].count("user_add") == 4


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"role": "admin"}, "role must be one of"),
    ({"role": "national", "state_code": "HR"}, "national user has no State"),
    ({"role": "state"}, "needs --state"),
    ({"role": "state", "state_code": "XX"}, "unknown State"),
    ({"role": "state", "state_code": "HR", "district_code": "HR-KNL"}, "has no district"),
    ({"role": "district"}, "needs --district"),
    ({"role": "district", "district_code": "HR-XXX"}, "unknown district"),
    ({"role": "district", "district_code": "HR-KNL", "state_code": "PB"}, "is in State HR"),
    ({"role": "district", "district_code": "HR-KNL", "can_import": True}, "--can-import"),
    ({"role": "district", "district_code": "HR-KNL", "is_admin": True}, "--admin"),  # State admins exist (issue 16)
    ({"role": "national", "password": "short"}, "at least 10"),
    ({"role": "national", "password": "x" * 2000}, "at most"),
    ({"role": "national", "username": "bad name!"}, "username must be"),
    ({"role": "national", "username": "validname", "password": "ValidName "}, "not be the username"),
])
def test_create_user_validation(engine, kwargs, message):
    args = {"username": "someone", "password": PASSWORD, **kwargs}
    with pytest.raises(UserError, match=message):
        create_user(engine, **args)
    assert list_users(engine) == []


def test_duplicate_username(engine):
    create_user(engine, "ncrb", PASSWORD, "national")
    with pytest.raises(UserError, match="already exists"):
        create_user(engine, "NCRB", PASSWORD, "national")


def test_disable_and_set_password(engine):
    create_user(engine, "haryana", PASSWORD, "state", state_code="HR")
    old = password_hash(engine, "haryana")
    set_password(engine, "haryana", "another long password")
    assert password_hash(engine, "haryana") != old
    assert verify_password(password_hash(engine, "haryana"), "another long password")
    with pytest.raises(UserError, match="at least"):
        set_password(engine, "haryana", "short")
    disable_user(engine, "Haryana")
    assert get_user(engine, "haryana").active is False
    assert get_user(engine, "nobody") is None
    with pytest.raises(UserError, match="no user"):
        disable_user(engine, "nobody")
    acts = [e.action for e in list_events(engine)]
    assert "user_password" in acts and "user_disable" in acts


def open_sessions(engine, username: str, n: int, hours: float = 12) -> None:
    """Rows as a sign-in writes them (dashboard.auth), without going through HTTP."""
    now = utcnow()
    with engine.begin() as conn:
        user_id = conn.execute(select(User.id).where(User.username == username)).scalar_one()
        conn.execute(insert(LoginSession), [
            {"token_sha256": session_token_hash(secrets.token_urlsafe(32)), "user_id": user_id, "created_at": now,
             "expires_at": now + timedelta(hours=hours), "user_agent": "", "remote_addr": ""}
            for _ in range(n)])


@pytest.mark.parametrize("end", ["set_password", "disable_user", "revoke_sessions"])
def test_password_change_disable_and_revoke_end_every_session(engine, end):
    """Issue 9, finding 1: these end the user's server-side sessions (other users' are untouched)."""
    create_user(engine, "haryana", PASSWORD, "state", state_code="HR")
    create_user(engine, "karnal-sp", PASSWORD, "district", district_code="HR-KNL")
    open_sessions(engine, "haryana", 2)
    open_sessions(engine, "karnal-sp", 1)
    open_sessions(engine, "haryana", 1, hours=-1)  # already expired: not counted as open
    assert count_sessions(engine, "haryana") == 2
    if end == "set_password":
        set_password(engine, "Haryana", "another long password", actor="admin")
    elif end == "disable_user":
        disable_user(engine, "Haryana", actor="admin")
    else:
        assert revoke_sessions(engine, "Haryana", actor="admin") == 3
        assert "haryana: 3 session(s) ended" in list_events(engine, limit=1, action="sessions_revoked")[0].detail
    assert count_sessions(engine, "haryana") == 0
    with engine.connect() as conn:
        assert conn.execute(select(LoginSession.id).join(User).where(User.username == "haryana")).first() is None
    assert count_sessions(engine, "karnal-sp") == 1


def test_revoke_sessions_of_an_unknown_user(engine):
    with pytest.raises(UserError, match="no user"):
        revoke_sessions(engine, "nobody")


def test_demo_reset_ends_the_demo_users_sessions(engine):
    create_demo_users(engine)
    open_sessions(engine, "ncrb", 2)
    create_demo_users(engine)
    assert count_sessions(engine, "ncrb") == 0


def test_cli_signout(cli, engine):
    create_user(engine, "haryana", PASSWORD, "state", state_code="HR")
    open_sessions(engine, "haryana", 2)
    r = cli("users", "signout", "haryana")
    assert r.exit_code == 0, r.output
    assert "Signed out haryana everywhere (2 session(s) ended)" in r.output
    assert count_sessions(engine, "haryana") == 0
    assert list_events(engine, limit=1)[0].actor.startswith("cli")
    r = cli("users", "signout", "nobody")
    assert r.exit_code == 1 and "no user" in r.output


def test_demo_users_one_per_role_and_idempotent(engine):
    first = create_demo_users(engine)
    assert set(first) == {"ncrb", "haryana", "karnal-sp"}
    assert all(len(p) >= 20 for p in first.values())
    users = {u.username: u for u in list_users(engine)}
    assert users["ncrb"].role == "national" and users["ncrb"].is_admin
    assert users["haryana"].scope.cache_key == "state:HR:*" and users["haryana"].can_import
    assert users["karnal-sp"].scope.cache_key == "district:HR:HR-KNL"  # Haryana's Karnal, not Punjab's
    for name, pw in first.items():
        assert verify_password(password_hash(engine, name), pw)
    disable_user(engine, "karnal-sp")
    second = create_demo_users(engine)
    assert len(list_users(engine)) == 3
    assert all(second[n] != first[n] for n in first)
    for name, pw in second.items():
        assert verify_password(password_hash(engine, name), pw)
        assert not verify_password(password_hash(engine, name), first[name])
    assert get_user(engine, "karnal-sp").active


def test_demo_users_need_karnal(db_url, engine):
    with engine.begin() as conn:
        conn.execute(District.__table__.delete().where(District.code == "HR-KNL"))
    with pytest.raises(UserError, match="Karnal"):
        create_demo_users(engine)


# --- command line ------------------------------------------------------------------------------------


@pytest.fixture
def cli(engine, db_url, monkeypatch):
    monkeypatch.setenv("CCTNS_DATABASE_URL", db_url)
    app = typer.Typer()
    app.add_typer(users_app, name="users")

    def run(*args: str, input: str | None = None):
        return CliRunner().invoke(app, list(args), input=input)

    return run


def test_cli_add_with_password_stdin(cli, engine):
    r = cli("users", "add", "karnal-sp", "--role", "district", "--district", "HR-KNL", "--password-stdin",
            input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    assert "Added karnal-sp" in r.output
    assert verify_password(password_hash(engine, "karnal-sp"), PASSWORD)
    assert PASSWORD not in r.output


def test_cli_add_prompts_twice(cli, engine):
    r = cli("users", "add", "haryana", "--role", "state", "--state", "HR", "--can-import",
            input=f"{PASSWORD}\n{PASSWORD}\n")
    assert r.exit_code == 0, r.output
    assert r.output.count("Password") >= 1 and PASSWORD not in r.output
    assert get_user(engine, "haryana").can_import
    # mismatched confirmation is asked again, not accepted
    r = cli("users", "add", "ncrb", "--role", "national", "--admin",
            input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n")
    assert r.exit_code == 0, r.output
    assert get_user(engine, "ncrb").is_admin


def test_cli_has_no_password_argument(cli):
    r = cli("users", "add", "x1", "--role", "national", "--password", PASSWORD)
    assert r.exit_code != 0


def test_cli_errors_are_clear(cli, engine):
    r = cli("users", "add", "pb", "--role", "state", "--state", "ZZ", "--password-stdin", input=PASSWORD + "\n")
    assert r.exit_code == 1 and "unknown State code 'ZZ'" in r.output
    r = cli("users", "add", "pb", "--role", "state", "--state", "PB", "--password-stdin", input="short\n")
    assert r.exit_code == 1 and "at least 10" in r.output
    r = cli("users", "add", "pb", "--role", "state", "--state", "PB", "--password-stdin", input="")
    assert r.exit_code == 1 and "no password" in r.output
    assert list_users(engine) == []


def test_cli_list_disable_set_password(cli, engine):
    create_user(engine, "haryana", PASSWORD, "state", state_code="HR", can_import=True)
    create_user(engine, "karnal-sp", PASSWORD, "district", district_code="HR-KNL")
    r = cli("users", "list")
    assert r.exit_code == 0, r.output
    assert "haryana" in r.output and "karnal-sp" in r.output and "HR-KNL" in r.output
    assert "$argon2" not in r.output
    r = cli("users", "disable", "karnal-sp")
    assert r.exit_code == 0 and not get_user(engine, "karnal-sp").active
    r = cli("users", "disable", "nobody")
    assert r.exit_code == 1 and "no user" in r.output
    r = cli("users", "set-password", "haryana", "--password-stdin", input="a new long password\n")
    assert r.exit_code == 0, r.output
    assert verify_password(password_hash(engine, "haryana"), "a new long password")
    events = list_events(engine, limit=3)
    assert events[0].action == "user_password" and events[0].actor.startswith("cli")
