"""Create or upgrade the schema with alembic, and store the methodology in the database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, delete, select

from dashboard.store.db import session_scope
from dashboard.store.models import MethodologyParameter, MethodologySource, MethodologyVersion
from metrics.methodology import (
    SHIPPED_SCHEMES,
    Methodology,
    MethodologyError,
    Schemes,
    check_schemes,
    parse_methodology,
)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def schema_revisions(engine: Engine) -> tuple[str | None, str]:
    """(the database's schema revision, None before any migration; the revision this code needs)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return current, str(head)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the latest migration (creates it on an empty database).

    On SQLite, foreign keys are off while the migrations run and checked after: alembic's batch mode rebuilds
    a table (copy, DROP, rename), and SQLite refuses the DROP of a table that rows point at (SQLite's own
    procedure for altering a table, https://www.sqlite.org/lang_altertable.html, section 7)."""
    cfg = alembic_config()
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # a no-op inside a transaction, so outside it
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the upgrade left rows without their parent: {broken[:5]}")
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


def store_methodology(engine: Engine, methodology: Methodology) -> None:
    """Replace the stored methodology of `methodology.scheme` (versions, parameters and the TOML source) in
    one transaction; the other schemes stay as they are. Refused (MethodologyError) when a version or
    parameter id would clash with another stored scheme's."""
    with session_scope(engine) as s:
        others = [parse_methodology(text, f"stored {scheme}") for scheme, text in s.execute(
            select(MethodologySource.scheme, MethodologySource.toml)
            .where(MethodologySource.scheme != methodology.scheme))]
        problems = check_schemes([*others, methodology])
        if problems:
            raise MethodologyError(problems, methodology.scheme)
        old_versions = select(MethodologyVersion.id).where(MethodologyVersion.scheme == methodology.scheme)
        s.execute(delete(MethodologyParameter).where(MethodologyParameter.version_id.in_(old_versions)))
        s.execute(delete(MethodologyVersion).where(MethodologyVersion.scheme == methodology.scheme))
        s.execute(delete(MethodologySource).where(MethodologySource.scheme == methodology.scheme))
        for v in methodology.versions:
            s.add(
                MethodologyVersion(
                    id=v.id,
                    scheme=methodology.scheme,
                    provenance=v.provenance_text,
                    title=v.title,
                    effective_from=v.effective_from,
                    lagging_score_below=float(v.lagging_score_below),
                    critical_achievement_below=float(v.critical_achievement_below),
                )
            )
        s.flush()
        for v in methodology.versions:
            for pos, p in enumerate(v.parameters):
                s.add(
                    MethodologyParameter(
                        version_id=v.id, id=p.id, position=pos, name=p.name, head=p.head, level=p.level,
                        kind=p.kind, numerator=p.numerator, denominator=p.denominator,
                        weight=_exact_text(p.weight), target=_exact_text(p.target), critical=p.critical,
                    )
                )
        s.add(MethodologySource(scheme=methodology.scheme, toml=methodology.source))


def store_schemes(engine: Engine, schemes: Schemes) -> None:
    """Store every scheme of `schemes` (each replacing its stored methodology)."""
    for methodology in schemes.by_id.values():
        store_methodology(engine, methodology)


def _exact_text(value) -> str:
    from fractions import Fraction

    f = Fraction(value)
    if f.denominator == 1:
        return str(f.numerator)
    return str(float(f))


def load_stored_methodology(engine: Engine, scheme: str = "cctns") -> Methodology | None:
    """One scheme's methodology stored in the database (parsed from its TOML source), or None."""
    with session_scope(engine) as s:
        src = s.execute(select(MethodologySource.toml).where(MethodologySource.scheme == scheme)).scalar_one_or_none()
    return parse_methodology(src, f"stored methodology ({scheme})") if src else None


def scheme_order(scheme_ids) -> list[str]:
    """The shipped schemes first in their order (CCTNS, ICJS, ITSSO), then any a State added, by id."""
    shipped = [s for s in SHIPPED_SCHEMES if s in scheme_ids]
    return shipped + sorted(s for s in scheme_ids if s not in SHIPPED_SCHEMES)


def load_stored_schemes(engine: Engine) -> Schemes | None:
    """Every scheme stored in the database, in display order, or None before init-db."""
    with session_scope(engine) as s:
        rows = dict(s.execute(select(MethodologySource.scheme, MethodologySource.toml)).all())
    if not rows:
        return None
    return Schemes({sid: parse_methodology(rows[sid], f"stored methodology ({sid})") for sid in scheme_order(rows)})
