"""Helpers for the resilience tests (imported as `reslib`; tests/resilience/conftest.py puts this folder on
sys.path whatever pytest's import mode)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parents[2]


def prepare(url: str) -> Engine:
    from dashboard.store.db import make_engine
    from dashboard.store.schema import store_schemes, upgrade
    from metrics.methodology import shipped_schemes

    engine = make_engine(url)
    upgrade(engine)
    store_schemes(engine, shipped_schemes())
    return engine


def cli_env(url: str, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCTNS_")}
    env.update(CCTNS_DATABASE_URL=url, CCTNS_INSTANCE_DIR=str(instance), PYTHONPATH=str(ROOT),
               CCTNS_SECRET_KEY="resilience-test-secret-0123456789abcdef")
    return env


def cctns(*args: str) -> list[str]:
    exe = ROOT / ".venv/bin/cctns"
    if exe.exists():
        return [str(exe), *args]
    return [sys.executable, "-c", "from dashboard.cli.commands import main; main()", *args]
