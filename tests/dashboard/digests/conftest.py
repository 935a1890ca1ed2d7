"""Digest tests: a real SMTP server (aiosmtpd) on 127.0.0.1 in the test process, and a database with the
review loop in it (the held-back demo: the last review's actions, then the last month imported and
judged), the demo users with their example addresses, and two Manipur users (lagging stations there)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from digests_support import EXTRA_USERS, PASSWORD, SmtpServer  # noqa: E402


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


