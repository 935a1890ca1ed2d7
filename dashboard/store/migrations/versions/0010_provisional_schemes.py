"""Provisional results per ranking scheme (issue 14 with issue 13's schemes): a `scheme` column in the four
provisional result tables, part of their primary keys; existing rows are CCTNS's (the only scheme provisional
snapshots were scored in before). A snapshot's rows are one load of a State's month, whatever the scheme of
their parameters, so the snapshots and their rows are unchanged.

Each table is rebuilt (renamed, created anew, copied, the old one dropped): SQLite cannot change a primary key
in place. Constraint names are explicit so the old and the new table never clash on PostgreSQL.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 09:20:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tables() -> dict[str, tuple[list[sa.Column], list[str]]]:
    """name -> (columns without the scheme, primary key without the scheme)."""
    return {
        'provisional_units': ([
            sa.Column('snapshot_id', sa.Integer(), nullable=False),
            sa.Column('level', sa.String(length=10), nullable=False),
            sa.Column('unit_code', sa.String(length=24), nullable=False),
            sa.Column('state_code', sa.String(length=8), nullable=False),
            sa.Column('district_code', sa.String(length=16), nullable=True),
            sa.Column('version_id', sa.String(length=60), nullable=False),
            sa.Column('score', sa.Float(), nullable=True),
            sa.Column('score_centi', sa.Integer(), nullable=True),
            sa.Column('reported', sa.Boolean(), nullable=False),
            sa.Column('stations_active', sa.Integer(), nullable=False),
            sa.Column('stations_reported', sa.Integer(), nullable=False),
            sa.Column('rank_in_state', sa.Integer(), nullable=True),
            sa.Column('rank_in_district', sa.Integer(), nullable=True),
            sa.Column('lagging', sa.Boolean(), nullable=False),
        ], ['snapshot_id', 'level', 'unit_code']),
        'provisional_params': ([
            sa.Column('snapshot_id', sa.Integer(), nullable=False),
            sa.Column('level', sa.String(length=10), nullable=False),
            sa.Column('unit_code', sa.String(length=24), nullable=False),
            sa.Column('parameter', sa.String(length=60), nullable=False),
            sa.Column('numerator', sa.Integer(), nullable=False),
            sa.Column('denominator', sa.Integer(), nullable=False),
            sa.Column('applicable', sa.Boolean(), nullable=False),
            sa.Column('value', sa.Float(), nullable=True),
            sa.Column('marks', sa.Float(), nullable=True),
            sa.Column('weight', sa.Float(), nullable=False),
            sa.Column('marks_lost', sa.Float(), nullable=True),
        ], ['snapshot_id', 'level', 'unit_code', 'parameter']),
        'provisional_lagging': ([
            sa.Column('snapshot_id', sa.Integer(), nullable=False),
            sa.Column('station_code', sa.String(length=24), nullable=False),
            sa.Column('district_code', sa.String(length=16), nullable=False),
            sa.Column('score', sa.Float(), nullable=True),
            sa.Column('not_reported', sa.Boolean(), nullable=False),
            sa.Column('low_score', sa.Boolean(), nullable=False),
            sa.Column('critical_parameters', sa.Text(), nullable=False),
            sa.Column('at_stake_state', sa.Float(), nullable=False),
            sa.Column('at_stake_district', sa.Float(), nullable=False),
        ], ['snapshot_id', 'station_code']),
        'provisional_stakes': ([
            sa.Column('snapshot_id', sa.Integer(), nullable=False),
            sa.Column('station_code', sa.String(length=24), nullable=False),
            sa.Column('parameter', sa.String(length=60), nullable=False),
            sa.Column('district_code', sa.String(length=16), nullable=False),
            sa.Column('numerator', sa.Integer(), nullable=False),
            sa.Column('denominator', sa.Integer(), nullable=False),
            sa.Column('numerator_needed', sa.Integer(), nullable=False),
            sa.Column('at_stake_state', sa.Float(), nullable=False),
            sa.Column('at_stake_district', sa.Float(), nullable=False),
        ], ['snapshot_id', 'station_code', 'parameter']),
    }


def _rebuild(name: str, columns: list[sa.Column], primary_key: list[str], with_scheme: bool, suffix: str) -> None:
    op.rename_table(name, f'{name}_old')
    listed = ', '.join(c.name for c in columns)
    scheme = [sa.Column('scheme', sa.String(length=20), nullable=False, server_default='cctns')] if with_scheme else []
    key = primary_key[:1] + (['scheme'] if with_scheme else []) + primary_key[1:]  # snapshot_id, scheme, ...
    op.create_table(name, columns[0], *scheme, *columns[1:],
                    sa.ForeignKeyConstraint(['snapshot_id'], ['provisional_snapshots.id'], name=f'fk_{name}_{suffix}'),
                    sa.PrimaryKeyConstraint(*key, name=f'pk_{name}_{suffix}'))
    where = '' if with_scheme else " WHERE scheme = 'cctns'"
    op.execute(f'INSERT INTO {name} ({listed}) SELECT {listed} FROM {name}_old{where}')
    op.drop_table(f'{name}_old')


def upgrade() -> None:
    """Upgrade schema."""
    for name, (columns, pk) in _tables().items():
        _rebuild(name, columns, pk, with_scheme=True, suffix='s')


def downgrade() -> None:
    """Downgrade schema (keeps CCTNS's provisional results only)."""
    for name, (columns, pk) in _tables().items():
        _rebuild(name, columns, pk, with_scheme=False, suffix='d')
