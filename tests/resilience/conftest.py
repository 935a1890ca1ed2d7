"""Fixtures for the resilience tests: a throwaway PostgreSQL of their own (scripts/pg.sh, so that a test
may stop and restart it), demo files generated once, fresh databases per test, the `cctns` CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text


def _load_reslib():
    """Import reslib.py as `reslib` without putting this folder on sys.path (other folders' tests import
    their own `conftest` by name)."""
    import importlib.util

    if "reslib" in sys.modules:
        return sys.modules["reslib"]
    spec = importlib.util.spec_from_file_location("reslib", Path(__file__).parent / "reslib.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["reslib"] = module
    spec.loader.exec_module(module)
    return module


ROOT = _load_reslib().ROOT

END_MONTH = "2025-06"


@dataclass
class PgServer:
    dir: Path
    url: str  # the server's default database (for CREATE DATABASE)

    def halt(self) -> None:
        subprocess.run(["bash", str(ROOT / "scripts/pg.sh"), "halt", str(self.dir)], check=True)

    def resume(self) -> None:
        subprocess.run(["bash", str(ROOT / "scripts/pg.sh"), "resume", str(self.dir)], check=True)

    def new_database(self) -> str:
        name = "r_" + uuid.uuid4().hex[:10]
        admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        return self.url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    try:
        out = subprocess.run(["bash", str(ROOT / "scripts/pg.sh"), "start"], capture_output=True, text=True,
                             timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"no throwaway PostgreSQL: {exc}")
    if out.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests; scripts/pg.sh start failed: {out.stderr[-500:]}")
        pytest.skip(f"no throwaway PostgreSQL: {out.stderr.strip()[-300:]}")
    pgdir = Path(out.stdout.strip().splitlines()[-1])
    server = PgServer(pgdir, (pgdir / "url").read_text().strip())
    try:
        yield server
    finally:
        subprocess.run(["bash", str(ROOT / "scripts/pg.sh"), "stop", str(pgdir)], check=False)


@pytest.fixture(scope="session")
def small_files(tmp_path_factory):
    from dashboard.ingest.demo import generate_demo

    return generate_demo(tmp_path_factory.mktemp("small"), months=4, scale="small", seed=3, end_month=END_MONTH)


@pytest.fixture(scope="session")
def national_files(tmp_path_factory):
    """Two national months (about 300,000 station rows each): big enough to kill an import halfway."""
    from dashboard.ingest.demo import generate_demo

    return generate_demo(tmp_path_factory.mktemp("national"), months=2, scale="national", seed=5, end_month=END_MONTH)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'resilience.sqlite3'}"
    return request.getfixturevalue("pg_server").new_database()


