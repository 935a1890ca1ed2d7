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

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def instance_dir() -> Path:
    return Path(os.environ.get("CCTNS_INSTANCE_DIR", PROJECT_ROOT / "instance"))


def default_database_url() -> str:
    return f"sqlite:///{instance_dir() / 'cctns.sqlite3'}"


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
    )
