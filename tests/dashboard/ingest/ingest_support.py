"""Shared by the ingest tests: a tiny database built from import files written out from text."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine


def tiny_database(folder: Path, files: dict[str, str], batches: Sequence[Sequence[str]] | None = None,
                  db_name: str = "db.sqlite3", **import_options: Any) -> Engine:
    """A fresh SQLite database under `folder` with the shipped schemes, and `files` ({name: CSV text})
    written there and imported through the normal import: in one batch, or in `batches` (names per batch,
    in order). `import_options` go to every `import_files` call (for example `today=`)."""
    from dashboard.ingest import import_files
    from dashboard.store import get_engine
    from dashboard.store.schema import store_schemes, upgrade
    from metrics.methodology import shipped_schemes

    engine = get_engine(f"sqlite:///{folder / db_name}")
    upgrade(engine)
    store_schemes(engine, shipped_schemes())
    for name, body in files.items():
        (folder / name).write_text(body)
    for names in batches or [list(files)]:
        import_files(engine, [folder / n for n in names], user="t", **import_options)
    return engine
