"""Facts kept in the `meta` table that other rooms react to: the results generation (a fresh value per
committed change of results, which keys the shared read cache) and `data_as_of`."""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, Engine, select

from dashboard.store.models import Meta

GENERATION_KEY = "results_generation"


def bump_results_generation(conn: Connection) -> str:
    """Give the results a new generation inside the caller's transaction (visible when it commits)."""

    value = uuid.uuid4().hex
    t = Meta.__table__
    updated = conn.execute(t.update().where(t.c.key == GENERATION_KEY).values(value=value)).rowcount
    if not updated:
        conn.execute(t.insert().values(key=GENERATION_KEY, value=value))
    return value


def read_generation(engine: Engine | Connection) -> str:
    """The results generation and data-as-of together ("<uuid>/<iso time>"): changes with every committed
    import, revert and recompute. With a Connection: as seen inside that connection's transaction."""
    stmt = select(Meta.key, Meta.value).where(Meta.key.in_((GENERATION_KEY, "data_as_of")))
    if isinstance(engine, Connection):
        rows = dict(engine.execute(stmt).all())
    else:
        with engine.connect() as conn:
            rows = dict(conn.execute(stmt).all())
    return f"{rows.get(GENERATION_KEY, '-')}/{rows.get('data_as_of', '-')}"


