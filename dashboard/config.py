"""Configuration from the environment (12-factor). Nothing here touches a database."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str | None
    demo_mode: bool
    redis_url: str | None
    instance_dir: Path
    session_hours: float
    methodology_file: str | None
    # proxies in front of the app whose X-Forwarded-For / -Proto are believed (0: none, the headers are ignored)
    trusted_proxies: int = 0
    # digests by e-mail (dashboard.digests): SMTP server, sender, links, NCRB's cut-off day
    smtp_url: str = "smtp://localhost:25"
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    mail_from: str = "CCTNS Progress Dashboard <cctns-noreply@localhost>"
    base_url: str = "http://127.0.0.1:8050"
    cutoff_day: int = 10
    # the time zone every time is shown in (stored in UTC): CCTNS_TIMEZONE, an IANA name
    timezone: str = "Asia/Kolkata"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def instance_dir() -> Path:
    return Path(os.environ.get("CCTNS_INSTANCE_DIR", PROJECT_ROOT / "instance"))


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    inst = Path(env.get("CCTNS_INSTANCE_DIR", PROJECT_ROOT / "instance"))
    return Settings(
        database_url=env.get("CCTNS_DATABASE_URL") or f"sqlite:///{inst / 'cctns.sqlite3'}",
        secret_key=env.get("CCTNS_SECRET_KEY") or env.get("SECRET_KEY") or None,
        demo_mode=env.get("CCTNS_DEMO", "0").lower() in ("1", "true", "yes"),
        redis_url=env.get("CCTNS_REDIS_URL") or None,
        instance_dir=inst,
        session_hours=float(env.get("CCTNS_SESSION_HOURS", "12")),
        methodology_file=env.get("CCTNS_METHODOLOGY") or None,
        trusted_proxies=_proxy_count(env.get("CCTNS_TRUSTED_PROXIES", "")),
        smtp_url=env.get("CCTNS_SMTP_URL") or "smtp://localhost:25",
        smtp_user=env.get("CCTNS_SMTP_USER") or None,
        smtp_password=env.get("CCTNS_SMTP_PASSWORD") or None,
        mail_from=env.get("CCTNS_MAIL_FROM") or "CCTNS Progress Dashboard <cctns-noreply@localhost>",
        base_url=_base_url(env.get("CCTNS_BASE_URL") or "http://127.0.0.1:8050"),
        cutoff_day=_cutoff_day(env.get("CCTNS_CUTOFF_DAY", "")),
        timezone=_timezone(env.get("CCTNS_TIMEZONE", "")),
    )


DEFAULT_TIMEZONE = "Asia/Kolkata"


def _timezone(raw: str) -> str:
    """CCTNS_TIMEZONE: the IANA time zone times are shown in (India Standard Time unless set)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = raw.strip() or DEFAULT_TIMEZONE
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"CCTNS_TIMEZONE must be an IANA time zone such as Asia/Kolkata, not {raw!r}") from exc
    return name


def display_timezone() -> str:
    """The time zone of every time shown (pages, deck, packs, digests, audit trail): CCTNS_TIMEZONE."""
    return _timezone(os.environ.get("CCTNS_TIMEZONE", ""))


def _proxy_count(raw: str) -> int:
    """CCTNS_TRUSTED_PROXIES: a whole number >= 0 (a typo must not silently trust or distrust a proxy)."""
    raw = raw.strip() or "0"
    if not raw.isdigit():
        raise ValueError(f"CCTNS_TRUSTED_PROXIES must be a whole number >= 0 (proxies in front of the app), not {raw!r}")
    return int(raw)


def _base_url(raw: str) -> str:
    """CCTNS_BASE_URL: where the links in e-mails point, http(s)://host[:port][/prefix], no query."""
    url = raw.strip().rstrip("/")
    if not (url.startswith("http://") or url.startswith("https://")) or any(c in url for c in "?#\"'<> \t\r\n"):
        raise ValueError(f"CCTNS_BASE_URL must be an http(s):// address without a query, not {raw!r}")
    return url


def _cutoff_day(raw: str) -> int:
    """CCTNS_CUTOFF_DAY: the day of the following month by which NCRB wants a month's data (1-28)."""
    raw = raw.strip() or "10"
    if not raw.isdigit() or not 1 <= int(raw) <= 28:
        raise ValueError(f"CCTNS_CUTOFF_DAY must be a day of the month from 1 to 28, not {raw!r}")
    return int(raw)
