"""Configuration from the environment (12-factor). Nothing here touches a database."""

from __future__ import annotations

import os
from dataclasses import dataclass
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
    )


def _proxy_count(raw: str) -> int:
    """CCTNS_TRUSTED_PROXIES: a whole number >= 0 (a typo must not silently trust or distrust a proxy)."""
    raw = raw.strip() or "0"
    if not raw.isdigit():
        raise ValueError(f"CCTNS_TRUSTED_PROXIES must be a whole number >= 0 (proxies in front of the app), not {raw!r}")
    return int(raw)
