"""`cctns digest send|remind|status`, `cctns import --send-digests`, `cctns users add --email` / `set-email`."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from digests_support import PASSWORD
from typer.testing import CliRunner

from dashboard.cli import app
from dashboard.digests import get_profile, status


@pytest.fixture
def cli(digest_engine, monkeypatch, smtp_server):
    monkeypatch.setenv("CCTNS_DATABASE_URL", str(digest_engine.url))
    monkeypatch.setenv("CCTNS_SMTP_URL", smtp_server.url)
    monkeypatch.setenv("CCTNS_MAIL_FROM", "CCTNS <cctns@example.org>")
    monkeypatch.setenv("CCTNS_BASE_URL", "https://cctns.example.org")

    def run(*args: str, input: str | None = None):  # noqa: A002
        return CliRunner().invoke(app, list(args), input=input)

    return run


def test_dry_run_writes_eml_files_and_logs_nothing(cli, digest_engine, month, tmp_path):
    out = tmp_path / "eml"
    r = cli("digest", "send", "--month", month, "--dry-run", "--out", str(out), "--user", "karnal-sp",
            "--user", "ncrb")
    assert r.exit_code == 0, r.output
    files = sorted(p.name for p in out.glob("*.eml"))
    assert files == [f"{month}-monthly-karnal-sp.eml", f"{month}-monthly-ncrb.eml"]
    msg = message_from_bytes((out / files[0]).read_bytes(), policy=policy.default)
    assert msg["To"].addresses[0].addr_spec == "karnal-sp@example.org"
    assert status(digest_engine).empty


def test_send_and_status_with_the_server_down_then_up(cli, smtp_server, month):
    r = cli("digest", "send", "--month", month, "--user", "karnal-sp")
    assert r.exit_code == 1 and "unavailable" in r.output
    r = cli("digest", "status", "--month", month)
    assert r.exit_code == 1 and "failed" in r.output and "karnal-sp" in r.output
    smtp_server.start()
    r = cli("digest", "send", "--month", month, "--user", "karnal-sp")  # back-off: not yet
    assert r.exit_code == 0 and "skipped" in r.output and not smtp_server.inbox.received


def test_send_defaults_to_the_latest_month_and_rejects_unknown_months(cli, smtp_server, month):
    smtp_server.start()
    r = cli("digest", "send", "--user", "ncrb")
    assert r.exit_code == 0 and f"sent    monthly {month} to ncrb" in r.output
    assert cli("digest", "send", "--month", "1999-01").exit_code == 1


def test_remind_sends_only_in_the_window(cli, smtp_server, month):
    smtp_server.start()
    y, m = int(month[:4]), int(month[5:])
    after = f"{y + (m == 12)}-{m % 12 + 1:02d}"
    r = cli("digest", "remind", "--days", "5", "--today", f"{after}-20")
    assert r.exit_code == 0 and "no reminder due" in r.output and not smtp_server.inbox.received
    r = cli("digest", "remind", "--days", "5", "--today", f"{after}-07", "--user", "imphal-sp")
    assert r.exit_code == 0, r.output
    (msg,) = smtp_server.inbox.to("imphal-sp@example.org")
    assert "due by 10" in str(msg["Subject"])
    r = cli("digest", "remind", "--days", "5", "--today", f"{after}-08", "--user", "imphal-sp")
    assert "skipped" in r.output and len(smtp_server.inbox.received) == 1


def test_users_add_with_email_and_set_email(cli, digest_engine):
    r = cli("users", "add", "hisar-sp", "--role", "district", "--district", "HR-KNL", "--email", "bad@", "--password-stdin",
            input=PASSWORD + "\n")
    assert r.exit_code == 1 and "e-mail" in r.output and get_profile(digest_engine, "hisar-sp") is None
    r = cli("users", "add", "hq2", "--role", "state", "--state", "HR", "--email", "HQ2@Example.org",
            "--password-stdin", input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    assert get_profile(digest_engine, "hq2").email == "HQ2@example.org"
    r = cli("users", "set-email", "hq2", "dgp.office@example.org")
    assert r.exit_code == 0 and get_profile(digest_engine, "hq2").email == "dgp.office@example.org"
    r = cli("users", "set-email", "hq2", "a@b\r\nBcc: x@evil.example")
    assert r.exit_code == 1 and get_profile(digest_engine, "hq2").email == "dgp.office@example.org"
    assert cli("users", "set-email", "nobody", "a@example.org").exit_code == 1
    assert cli("users", "set-email", "hq2", "").exit_code == 0 and get_profile(digest_engine, "hq2").email is None


def test_import_with_send_digests(cli, held_back, tmp_path, monkeypatch, smtp_server):
    """The held-back month imported with --send-digests: the latest month's digests go out once."""
    import shutil

    from sqlalchemy import create_engine

    from dashboard.web.users import create_demo_users

    db = tmp_path / "import.sqlite3"
    shutil.copy(held_back.base_db, db)
    engine = create_engine(f"sqlite:///{db}")
    from dashboard.store import upgrade

    upgrade(engine)
    create_demo_users(engine)
    engine.dispose()
    monkeypatch.setenv("CCTNS_DATABASE_URL", f"sqlite:///{db}")
    smtp_server.start()
    from dashboard.digests import send as send_module

    monkeypatch.setattr(send_module, "review_pack_pdf", lambda *a: b"%PDF-1.4 test\n%%EOF\n")
    r = cli("import", *map(str, held_back.last_files), "--send-digests")
    assert r.exit_code == 0, r.output
    got = sorted(a for x in smtp_server.inbox.received for a in x.rcpt_tos)
    assert got == ["haryana@example.org", "karnal-sp@example.org", "ncrb@example.org"]
    r = cli("import", *map(str, held_back.last_files), "--send-digests")  # the same month again: nothing new
    assert r.exit_code == 0 and len(smtp_server.inbox.received) == 3
