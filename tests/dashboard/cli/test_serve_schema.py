"""`cctns serve` refuses a database whose schema is older than the code (run `cctns init-db`), instead of
serving pages that answer "data temporarily unavailable" where they read a table not made yet."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from dashboard.cli.commands import app
from dashboard.store import dispose_engines, get_engine, schema_revisions


def test_serve_asks_for_init_db_when_the_schema_is_behind(tmp_path: Path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    monkeypatch.setenv("CCTNS_DATABASE_URL", url)
    runner = CliRunner()
    try:
        assert schema_revisions(get_engine(url))[0] is None  # nothing made yet
        assert runner.invoke(app, ["init-db"]).exit_code == 0
        current, head = schema_revisions(get_engine(url))
        assert current == head
        with get_engine(url).begin() as conn:  # as a database left by the previous version would be
            conn.execute(text("UPDATE alembic_version SET version_num = '0010'"))
        result = runner.invoke(app, ["serve", "--port", "1"])
        assert result.exit_code != 0
        assert "revision 0010" in result.output and head in result.output and "cctns init-db" in result.output
    finally:
        dispose_engines()
