"""Create or upgrade the schema with alembic, and store the methodology in the database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, delete, select

from dashboard.store.db import session_scope
from dashboard.store.models import MethodologyParameter, MethodologySource, MethodologyVersion
from metrics.methodology import Methodology, parse_methodology

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the latest migration (creates it on an empty database)."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def store_methodology(engine: Engine, methodology: Methodology) -> None:
    """Replace the stored methodology (versions, parameters and the TOML source) in one transaction."""
    with session_scope(engine) as s:
        s.execute(delete(MethodologyParameter))
        s.execute(delete(MethodologyVersion))
        s.execute(delete(MethodologySource))
        for v in methodology.versions:
            s.add(
                MethodologyVersion(
                    id=v.id,
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
        s.add(MethodologySource(id=1, toml=methodology.source))


def _exact_text(value) -> str:
    from fractions import Fraction

    f = Fraction(value)
    if f.denominator == 1:
        return str(f.numerator)
    return str(float(f))


def load_stored_methodology(engine: Engine) -> Methodology | None:
    """The methodology stored in the database (parsed from its TOML source), or None before init-db."""
    with session_scope(engine) as s:
        src = s.execute(select(MethodologySource.toml).where(MethodologySource.id == 1)).scalar_one_or_none()
    return parse_methodology(src, "stored methodology") if src else None
