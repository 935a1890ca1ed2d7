"""The audit trail: recording (own transaction or the caller's), listing, filtering, `cctns audit`."""

from __future__ import annotations

from datetime import timedelta

import pytest
import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dashboard.cli.users import audit_command
from dashboard.store import audit
from dashboard.store.db import get_engine, session_scope
from dashboard.store.models import utcnow
from dashboard.store.schema import upgrade


@pytest.fixture
def db_url(any_db_url):  # every test here runs on SQLite and on PostgreSQL (tests/conftest.py)
    return any_db_url


@pytest.fixture
def engine(db_url):
    eng = get_engine(db_url)
    upgrade(eng)
    return eng


def test_record_and_list_newest_first(engine):
    audit.record(engine, "login", actor="ncrb", remote_addr="10.0.0.1")
    audit.record(engine, "export", actor="haryana", detail="xlsx HR 2025-01")
    audit.record(engine, "login_failed", actor="ghost", detail="unknown user", remote_addr="10.0.0.2")
    events = audit.list_events(engine)
    assert [e.action for e in events] == ["login_failed", "export", "login"]
    assert events[1].detail == "xlsx HR 2025-01" and events[2].remote_addr == "10.0.0.1"
    assert [e.actor for e in audit.list_events(engine, action="login")] == ["ncrb"]
    assert [e.action for e in audit.list_events(engine, actor="haryana")] == ["export"]
    assert len(audit.list_events(engine, limit=2)) == 2


def test_record_joins_callers_transaction(engine):
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        audit.record(s, "import", actor="haryana", detail="batch 7")
        raise RuntimeError("import failed")
    assert audit.list_events(engine) == []
    with engine.begin() as conn:
        audit.record(conn, "revert", actor="haryana", detail="batch 7")
    with Session(engine) as s:
        audit.record(s, "download", actor="karnal-sp")
        s.commit()
    assert [e.action for e in audit.list_events(engine)] == ["download", "revert"]


def test_values_are_cleaned_and_truncated(engine):
    audit.record(engine, "login_failed", actor="evil\nuser" + "x" * 200, detail="a\r\nFAKE login ok",
                 remote_addr="1" * 100)
    e = audit.list_events(engine)[0]
    assert "\n" not in e.actor and len(e.actor) == 80
    assert "\n" not in e.detail and "\r" not in e.detail
    assert len(e.remote_addr) == 64


def test_count_since(engine):
    for _ in range(3):
        audit.record(engine, "login_failed", actor="ghost", remote_addr="10.0.0.2")
    audit.record(engine, "login_failed", actor="other", remote_addr="10.0.0.3")
    since = utcnow() - timedelta(minutes=15)
    assert audit.count_since(engine, "login_failed", since) == 4
    assert audit.count_since(engine, "login_failed", since, actor="ghost") == 3
    assert audit.count_since(engine, "login_failed", since, remote_addr="10.0.0.3") == 1
    assert audit.count_since(engine, "login_failed", utcnow() + timedelta(seconds=5)) == 0
    assert audit.count_since(engine, "lockout", since) == 0


def test_audit_command(engine, db_url, monkeypatch):
    monkeypatch.setenv("CCTNS_DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "200")
    audit.record(engine, "login", actor="ncrb", remote_addr="10.0.0.1")
    audit.record(engine, "login_failed", actor="[bold]ghost[/bold]", detail="unknown user")
    audit.record(engine, "export", actor="haryana", detail="pdf")
    app = typer.Typer()
    app.command("audit")(audit_command)
    app.command("noop")(lambda: None)  # keep `audit` a sub-command, as in the real CLI
    runner = CliRunner()
    r = runner.invoke(app, ["audit"])
    assert r.exit_code == 0, r.output
    assert "login_failed" in r.output and "ncrb" in r.output and "10.0.0.1" in r.output
    assert "[bold]ghost[/bold]" in r.output  # user-supplied text is shown literally, not as markup
    r = runner.invoke(app, ["audit", "--action", "export"])
    assert r.exit_code == 0 and "haryana" in r.output and "ncrb" not in r.output
    r = runner.invoke(app, ["audit", "--actor", "ncrb", "--limit", "5"])
    assert r.exit_code == 0 and "ncrb" in r.output and "haryana" not in r.output
