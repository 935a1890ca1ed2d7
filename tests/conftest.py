"""Shared fixtures: a small demo database built once per session through the normal import path,
and an app built on it with one user per role."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

DEMO_MONTHS = 14  # spans the 2025-01 methodology switch whatever today's date


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("demo")


def load_small_demo(engine, folder: Path):
    """Schema, methodology and the small demo dataset, loaded through the normal import path, with the
    month after it provisional for a few States (issue 14), as `cctns demo` does."""
    from dashboard.ingest import import_files
    from dashboard.ingest.demo import generate_demo
    from dashboard.ingest.demo_provisional import provisional_files
    from dashboard.store.schema import store_schemes, upgrade
    from metrics.methodology import next_month, shipped_schemes

    upgrade(engine)
    store_schemes(engine, shipped_schemes())
    files = generate_demo(folder, months=DEMO_MONTHS, scale="small", seed=7, end_month="2025-06")
    import_files(engine, files.master, user="test")
    import_files(engine, [files.published], user="test")
    for month_files in files.by_month:
        import_files(engine, month_files, user="test")
    prov = provisional_files(files.by_month[-1], files.master[2], next_month(files.months[-1]), folder / "provisional")
    import_files(engine, prov.files, user="test", provisional=True)
    return engine


@pytest.fixture(scope="session")
def demo_engine(demo_dir):
    """A SQLite database with the small demo dataset (built through `dashboard.ingest.importer`)."""
    from dashboard.store.db import get_engine

    return load_small_demo(get_engine(f"sqlite:///{demo_dir / 'demo.sqlite3'}"), demo_dir / "csv")


@pytest.fixture(scope="session")
def pg_demo_engine(demo_dir):
    """The same small demo in a fresh PostgreSQL schema (skipped without CCTNS_TEST_POSTGRES_URL)."""
    import uuid

    from sqlalchemy import create_engine, text

    url = os.environ.get("CCTNS_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("CCTNS_TEST_POSTGRES_URL not set")
    schema = "demo_" + uuid.uuid4().hex[:10]
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    yield load_small_demo(engine, demo_dir / "csv-pg")
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_demo_engine(request):
    """The small demo on SQLite, and on PostgreSQL when it is available."""
    return request.getfixturevalue("demo_engine" if request.param == "sqlite" else "pg_demo_engine")


@pytest.fixture(scope="session")
def demo_users(demo_engine) -> dict[str, str]:
    from dashboard.web.users import create_demo_users

    return create_demo_users(demo_engine)


@pytest.fixture(scope="session")
def demo_settings(demo_engine, demo_dir):
    from dashboard.config import load_settings

    env = {
        "CCTNS_DATABASE_URL": str(demo_engine.url),
        "CCTNS_INSTANCE_DIR": str(demo_dir / "instance"),
        "CCTNS_SECRET_KEY": "test-secret-key-not-for-production-0123456789",
    }
    return load_settings(env)


@pytest.fixture(scope="session")
def dash_app(demo_settings, demo_users):
    from app import create_app

    app = create_app(demo_settings)
    app.server.config["TESTING"] = True
    return app


def pytest_report_header(config):
    pg = os.environ.get("CCTNS_TEST_POSTGRES_URL")
    return f"PostgreSQL tests: {'on ' + pg.split('@')[-1] if pg else 'skipped (no CCTNS_TEST_POSTGRES_URL)'}"


# --- the same test on SQLite and on PostgreSQL ------------------------------------------------------------


@pytest.fixture
def pg_schema_url():
    """A URL on CCTNS_TEST_POSTGRES_URL whose connections use a fresh schema (dropped afterwards)."""
    import uuid

    from sqlalchemy import create_engine, text

    base = os.environ.get("CCTNS_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("CCTNS_TEST_POSTGRES_URL not set")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        from dashboard.store.db import get_engine

        get_engine(url).dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db_url(request, tmp_path) -> str:
    """Parametrises a test over SQLite (a file in tmp_path) and PostgreSQL (a fresh schema)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite3'}"
    return request.getfixturevalue("pg_schema_url")


# --- a small demo with its last month held back (the review loop: actions made, then judged) -------------


@dataclass(frozen=True)
class HeldBack:
    base_db: Path  # SQLite with every month but the last, and the demo users
    folder: Path
    master: list[Path]
    last_month: str
    last_files: list[Path]  # station and state rows of the held-back month
    basis_month: str  # the latest imported month


@pytest.fixture(scope="session")
def held_back(tmp_path_factory) -> HeldBack:
    from dashboard.ingest import import_files
    from dashboard.ingest.demo import generate_demo
    from dashboard.store.db import get_engine
    from dashboard.store.schema import store_schemes, upgrade
    from dashboard.web.users import create_demo_users
    from metrics.methodology import shipped_schemes

    folder = tmp_path_factory.mktemp("actions")
    db = folder / "base.sqlite3"
    engine = get_engine(f"sqlite:///{db}")
    upgrade(engine)
    store_schemes(engine, shipped_schemes())
    files = generate_demo(folder / "csv", months=4, scale="small", seed=7, end_month="2025-06")
    import_files(engine, files.master, user="test")
    for month_files in files.by_month[:-1]:
        import_files(engine, month_files, user="test")
    create_demo_users(engine)
    engine.dispose()
    return HeldBack(db, folder, list(files.master), files.months[-1], list(files.by_month[-1]), files.months[-2])




@pytest.fixture
def held_back_engine(held_back, tmp_path):
    """A fresh copy of the held-back database for one test."""
    from sqlalchemy import create_engine

    db = tmp_path / "held_back.sqlite3"
    shutil.copy(held_back.base_db, db)
    eng = create_engine(f"sqlite:///{db}")
    yield eng
    eng.dispose()


# --- headless Debian Chromium, one per session (a second Playwright in the same thread cannot start) -------

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium, launched once per session and shared by every browser test."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip(f"{chromium} not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()
