"""Digest test helpers: a real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives, settings
pointing at it, a fake PDF pack, and the extra users of the digest database."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

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


def settings_for(smtp: SmtpServer | None = None, **extra: str):
    from dashboard.config import load_settings

    env = {"CCTNS_SMTP_URL": smtp.url if smtp else "smtp://127.0.0.1:9", "CCTNS_MAIL_FROM":
           "CCTNS Dashboard <cctns@example.org>", "CCTNS_BASE_URL": "https://cctns.example.org", **extra}
    return load_settings(env)


def fake_pack(engine, state_code, district_code, month) -> bytes:
    return b"%PDF-1.4 fake pack for " + f"{state_code} {month}".encode() + b"\n%%EOF\n"
