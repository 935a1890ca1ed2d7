"""Digests through a real SMTP server (aiosmtpd on 127.0.0.1): one per user and month with the right scope,
the PDF review pack for State users, never twice, and a retry after the server was down."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

from digests_support import fake_pack, settings_for
from sqlalchemy import select

from dashboard.digests import recipients, send_monthly, status
from dashboard.digests.send import backoff, claim, mark_failed
from dashboard.store import District, PoliceStation, utcnow


def bodies(msg) -> str:
    """The text and HTML parts of a message, as text."""
    return "\n".join(part.get_content() for part in msg.walk()
                     if part.get_content_type() in ("text/plain", "text/html"))


def station_catalogue(engine) -> list[tuple[str, str, str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(PoliceStation.code, PoliceStation.name, District.code, District.state_code)
            .join(District, District.code == PoliceStation.district_code))]


def test_one_digest_per_user_scoped_with_the_pack_for_state_users(digest_engine, smtp_server, month):
    smtp_server.start()
    people = recipients(digest_engine, "monthly")
    assert {p.username for p in people} >= {"ncrb", "haryana", "karnal-sp", "manipur-hq", "imphal-sp"}
    report = send_monthly(digest_engine, settings_for(smtp_server), month, pack_builder=fake_pack)
    assert report.ok, report.failed
    assert sorted(report.sent) == sorted(p.username for p in people)
    assert len(smtp_server.inbox.received) == len(people)
    stations = station_catalogue(digest_engine)
    for p in people:
        got = smtp_server.inbox.to(p.email)
        assert len(got) == 1, p.username
        msg = got[0]
        assert msg["To"].addresses[0].addr_spec == p.email
        assert msg["Message-ID"]
        text = bodies(msg)
        assert msg.get_body(("plain",)) is not None and msg.get_body(("html",)) is not None
        assert "<img" not in text and "http://" not in text.replace("http://www.w3.org", "")  # no external images
        pdfs = [a for a in msg.iter_attachments() if a.get_content_type() == "application/pdf"]
        assert len(pdfs) == (1 if p.role == "state" else 0), p.username
        if p.role == "district":  # no station of another district, by code or by name
            seen = " | ".join(n for _c, n, d, _s in stations if d == p.district_code).lower()
            for code, name, district, _state in stations:
                if district != p.district_code:
                    assert code not in text, (p.username, code)
                    if name.lower() not in seen:  # a name shared with one of their own stations may appear
                        assert not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text), (p.username, name)
        if p.role == "state":  # no station of another State
            for code, _name, _district, state in stations:
                if state != p.state_code:
                    assert code not in text, (p.username, code)
    sent = status(digest_engine, month)
    assert set(sent["status"]) == {"sent"} and (sent["attempts"] == 1).all()
    assert sent["message_id"].str.startswith("<").all()


def test_the_real_pdf_pack_is_attached_for_a_state_user(digest_engine, smtp_server, month):
    smtp_server.start()
    report = send_monthly(digest_engine, settings_for(smtp_server), month, usernames=["haryana"])
    assert report.sent == ["haryana"], report.failed
    (msg,) = smtp_server.inbox.to("haryana@example.org")
    (pdf,) = [a for a in msg.iter_attachments() if a.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"cctns-review-HR-{month}.pdf"
    data = pdf.get_content()
    assert data.startswith(b"%PDF") and len(data) > 10_000


def test_a_rerun_never_sends_the_same_digest_twice(digest_engine, smtp_server, month):
    smtp_server.start()
    settings = settings_for(smtp_server)
    first = send_monthly(digest_engine, settings, month, pack_builder=fake_pack)
    n = len(smtp_server.inbox.received)
    assert n == len(first.sent) > 0
    again = send_monthly(digest_engine, settings, month, pack_builder=fake_pack, now=utcnow() + timedelta(days=2))
    assert again.sent == [] and sorted(again.skipped) == sorted(first.sent)
    assert len(smtp_server.inbox.received) == n


def test_two_runs_at_once_send_each_digest_once(digest_engine, smtp_server, month):
    smtp_server.start()
    settings = settings_for(smtp_server)
    reports = []
    runs = [threading.Thread(target=lambda: reports.append(
        send_monthly(digest_engine, settings, month, pack_builder=fake_pack))) for _ in range(2)]
    for t in runs:
        t.start()
    for t in runs:
        t.join()
    sent = [u for r in reports for u in r.sent]
    assert len(sent) == len(set(sent)) == len(recipients(digest_engine, "monthly"))
    addresses = [a for r in smtp_server.inbox.received for a in r.rcpt_tos]
    assert len(addresses) == len(set(addresses))


def test_server_down_then_up_is_retried_and_sent_once(digest_engine, smtp_server, month):
    settings = settings_for(smtp_server)  # not started: connections are refused
    down = send_monthly(digest_engine, settings, month, pack_builder=fake_pack)
    assert down.sent == [] and down.failed and not down.ok
    log = status(digest_engine, month)
    assert set(log["status"]) == {"failed"} and log["sent_at"].isna().all()
    assert log["last_error"].str.contains("unavailable").all()
    assert (log["attempts"] == 1).all()

    smtp_server.start()
    early = send_monthly(digest_engine, settings, month, pack_builder=fake_pack)  # back-off not over yet
    assert early.sent == [] and smtp_server.inbox.received == []

    later = utcnow() + backoff(1) + timedelta(seconds=1)
    up = send_monthly(digest_engine, settings, month, pack_builder=fake_pack, now=later)
    assert up.ok and sorted(up.sent) == sorted(u for u, _ in down.failed)
    assert len(smtp_server.inbox.received) == len(up.sent)
    log = status(digest_engine, month)
    assert set(log["status"]) == {"sent"} and (log["attempts"] == 2).all()

    again = send_monthly(digest_engine, settings, month, pack_builder=fake_pack, now=later + timedelta(days=1))
    assert again.sent == [] and len(smtp_server.inbox.received) == len(up.sent)


def test_a_refused_recipient_fails_alone(digest_engine, smtp_server, month):
    from dashboard.digests import set_email

    set_email(digest_engine, "karnal-sp", "karnal-sp@refused.example", actor="test")

    class Refusing(type(smtp_server.inbox)):
        async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
            if address.endswith("@refused.example"):
                return "550 no such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    smtp_server.inbox = Refusing()
    smtp_server.start()
    report = send_monthly(digest_engine, settings_for(smtp_server), month, pack_builder=fake_pack)
    assert [u for u, _ in report.failed] == ["karnal-sp"]
    assert "karnal-sp" not in report.sent and len(report.sent) >= 4
    log = status(digest_engine, month).set_index("username")
    assert log.loc["karnal-sp", "status"] == "failed" and "550" in log.loc["karnal-sp", "last_error"]


def test_back_off_grows_and_gives_up(digest_engine, month):
    from dashboard.digests import MAX_ATTEMPTS

    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3)] == [5, 10, 20]
    assert backoff(30) == timedelta(hours=12)
    (r,) = recipients(digest_engine, "monthly", ["ncrb"])
    now = utcnow()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        log_id = claim(digest_engine, r, month, "monthly", now)
        assert log_id is not None, attempt
        mark_failed(digest_engine, log_id, "boom", now)
        now += backoff(attempt) + timedelta(seconds=1)
    assert claim(digest_engine, r, month, "monthly", now + timedelta(days=30)) is None
    assert status(digest_engine, month)["status"].tolist() == ["gave_up"]


def test_users_without_an_address_or_choice_get_nothing(digest_engine, smtp_server, month):
    from dashboard.digests import get_profile, set_profile

    p = get_profile(digest_engine, "haryana")
    set_profile(digest_engine, "haryana", email=p.email, monthly=False, reminder=True, actor="test")
    set_profile(digest_engine, "ncrb", email="", monthly=True, reminder=True, actor="test")
    names = {r.username for r in recipients(digest_engine, "monthly")}
    assert "haryana" not in names and "ncrb" not in names
    assert "haryana" in {r.username for r in recipients(digest_engine, "reminder")}


def test_the_mailed_digest_carries_every_schemes_headline(digest_engine, smtp_server, month):
    """Issue 13, through the real SMTP server: both parts of a State user's and a district SP's message name
    every scheme with its rank; a Hindi reader gets the schemes' Hindi names and Hindi words."""
    from dashboard import read
    from dashboard.digests import get_profile, set_profile

    hq = get_profile(digest_engine, "haryana")
    set_profile(digest_engine, "haryana", email=hq.email, monthly=True, reminder=hq.reminder, language="hi",
                actor="test")
    smtp_server.start()
    report = send_monthly(digest_engine, settings_for(smtp_server), month, usernames=["haryana", "karnal-sp"],
                          pack_builder=fake_pack)
    assert report.ok and sorted(report.sent) == ["haryana", "karnal-sp"]
    schemes = read.schemes(digest_engine)
    sp = smtp_server.inbox.to(get_profile(digest_engine, "karnal-sp").email)[0]
    for part in ("plain", "html"):
        body = sp.get_body((part,)).get_content()
        assert "Every ranking scheme" in body and "Rank in State" in body, part
        for s in schemes:
            assert s["name"] in body, (part, s["name"])
    head = read.state_headline(digest_engine, month, "HR", scheme="itsso")
    hi = smtp_server.inbox.to(hq.email)[0]
    for part in ("plain", "html"):
        body = hi.get_body((part,)).get_content()
        assert "हर रैंकिंग योजना" in body and "Every ranking scheme" not in body, part
        for s in schemes:
            assert s["name_hi"] in body, (part, s["name_hi"])
        assert head["score_display"] in body
