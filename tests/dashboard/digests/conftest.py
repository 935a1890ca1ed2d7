"""Digest tests: a real SMTP server (aiosmtpd) on 127.0.0.1 in the test process, and a database with the
review loop in it (the held-back demo: the last review's actions, then the last month imported and
judged), the demo users with their example addresses, and two Manipur users (lagging stations there)."""

from __future__ import annotations

import shutil
import socket
import sys
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent))

EXTRA_USERS = (  # username, role, state, district
    ("manipur-hq", "state", "MN", None),
    ("imphal-sp", "district", "MN", "MN-IWT"),
)
PASSWORD = "correct-horse-battery-staple-42"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class Inbox:
    """What the SMTP server received (in arrival order)."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content
                                      or envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address in r.rcpt_tos]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """aiosmtpd on 127.0.0.1:port; `start()` / `stop()` at will (a stopped server refuses connections)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?timeout=10"

    def start(self) -> None:
        if self._controller is None:
            self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def digest_base(held_back, tmp_path_factory) -> Path:
    """The held-back demo with the review of its basis month held, the last month then imported (so the
    actions due in it are judged), and the extra users; one copy per test through `digest_engine`."""
    from sqlalchemy import create_engine

    from dashboard.digests import set_email
    from dashboard.ingest import hold_reviews, import_files
    from dashboard.store import upgrade
    from dashboard.web.users import create_demo_users, create_user

    path = tmp_path_factory.mktemp("digests") / "digests.sqlite3"
    shutil.copy(held_back.base_db, path)
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    hold_reviews(engine, held_back.basis_month)
    import_files(engine, held_back.last_files, user="test")
    create_demo_users(engine)  # the example addresses
    for name, role, state, district in EXTRA_USERS:
        create_user(engine, name, PASSWORD, role, state_code=state, district_code=district, actor="test")
        set_email(engine, name, f"{name}@example.org", actor="test")
    engine.dispose()
    return path


@pytest.fixture
def digest_engine(digest_base, tmp_path):
    from sqlalchemy import create_engine

    path = tmp_path / "digests.sqlite3"
    shutil.copy(digest_base, path)
    engine = create_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def month(held_back) -> str:
    return held_back.last_month


def settings_for(smtp: SmtpServer | None = None, **extra: str):
    from dashboard.config import load_settings

    env = {"CCTNS_SMTP_URL": smtp.url if smtp else "smtp://127.0.0.1:9", "CCTNS_MAIL_FROM":
           "CCTNS Dashboard <cctns@example.org>", "CCTNS_BASE_URL": "https://cctns.example.org", **extra}
    return load_settings(env)


def fake_pack(engine, state_code, district_code, month) -> bytes:
    return b"%PDF-1.4 fake pack for " + f"{state_code} {month}".encode() + b"\n%%EOF\n"
