"""Ranking schemes (CCTNS Pragati, ICJS, ITSSO): a `scheme` column in the methodology tables and in every
result table (part of the results' primary key), existing rows being CCTNS's; the published results table.

Each changed table is rebuilt (renamed, created anew, copied, the old one dropped): primary keys change,
and SQLite cannot alter them in place. Constraint and index names are explicit so the old and the new
table never clash on PostgreSQL while both exist.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 06:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _scheme() -> sa.Column:
    return sa.Column('scheme', sa.String(length=20), nullable=False, server_default='cctns')


def _result_tables(with_scheme: bool) -> dict[str, tuple[list[sa.Column], list[str], dict[str, list[str]]]]:
    """name -> (columns, primary key, indexes) of the result tables, with or without the scheme."""
    s = ['scheme'] if with_scheme else []
    units = [
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('level', sa.String(length=10), nullable=False),
        sa.Column('unit_code', sa.String(length=24), nullable=False),
        sa.Column('state_code', sa.String(length=8), nullable=False),
        sa.Column('district_code', sa.String(length=16), nullable=True),
        sa.Column('version_id', sa.String(length=60), nullable=False),
        sa.Column('score', sa.Float(), nullable=True),
        sa.Column('score_centi', sa.Integer(), nullable=True),
        sa.Column('score_change_centi', sa.Integer(), nullable=True),
        sa.Column('weight_sum', sa.Float(), nullable=True),
        sa.Column('reported', sa.Boolean(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('stations_active', sa.Integer(), nullable=False),
        sa.Column('stations_reported', sa.Integer(), nullable=False),
        sa.Column('rank_national', sa.Integer(), nullable=True),
        sa.Column('rank_category', sa.Integer(), nullable=True),
        sa.Column('rank_in_state', sa.Integer(), nullable=True),
        sa.Column('rank_in_district', sa.Integer(), nullable=True),
        sa.Column('rank_change_national', sa.Integer(), nullable=True),
        sa.Column('rank_change_category', sa.Integer(), nullable=True),
        sa.Column('rank_change_in_state', sa.Integer(), nullable=True),
        sa.Column('rank_change_in_district', sa.Integer(), nullable=True),
        sa.Column('streak_at_1', sa.Integer(), nullable=False),
        sa.Column('streak_top5', sa.Integer(), nullable=False),
        sa.Column('lagging', sa.Boolean(), nullable=False),
    ]
    params = [
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('level', sa.String(length=10), nullable=False),
        sa.Column('unit_code', sa.String(length=24), nullable=False),
        sa.Column('parameter', sa.String(length=60), nullable=False),
        sa.Column('state_code', sa.String(length=8), nullable=False),
        sa.Column('numerator', sa.Integer(), nullable=False),
        sa.Column('denominator', sa.Integer(), nullable=False),
        sa.Column('applicable', sa.Boolean(), nullable=False),
        sa.Column('value', sa.Float(), nullable=True),
        sa.Column('achievement', sa.Float(), nullable=True),
        sa.Column('marks', sa.Float(), nullable=True),
        sa.Column('weight', sa.Float(), nullable=False),
        sa.Column('marks_lost', sa.Float(), nullable=True),
        sa.Column('contribution', sa.Float(), nullable=True),
    ]
    lagging = [
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('station_code', sa.String(length=24), nullable=False),
        sa.Column('district_code', sa.String(length=16), nullable=False),
        sa.Column('state_code', sa.String(length=8), nullable=False),
        sa.Column('score', sa.Float(), nullable=True),
        sa.Column('not_reported', sa.Boolean(), nullable=False),
        sa.Column('low_score', sa.Boolean(), nullable=False),
        sa.Column('critical_parameters', sa.Text(), nullable=False),
        sa.Column('at_stake_state', sa.Float(), nullable=False),
        sa.Column('at_stake_district', sa.Float(), nullable=False),
    ]
    stakes = [
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('station_code', sa.String(length=24), nullable=False),
        sa.Column('parameter', sa.String(length=60), nullable=False),
        sa.Column('state_code', sa.String(length=8), nullable=False),
        sa.Column('numerator', sa.Integer(), nullable=False),
        sa.Column('denominator', sa.Integer(), nullable=False),
        sa.Column('numerator_needed', sa.Integer(), nullable=False),
        sa.Column('at_stake_state', sa.Float(), nullable=False),
        sa.Column('at_stake_district', sa.Float(), nullable=False),
    ]
    return {
        'result_units': (units, [*s, 'month', 'level', 'unit_code'], {
            'ix_result_units_scope': [*s, 'month', 'level', 'state_code', 'district_code'],
            'ix_result_units_unit': [*s, 'level', 'unit_code', 'month']}),
        'result_params': (params, [*s, 'month', 'level', 'unit_code', 'parameter'], {
            'ix_result_params_scope': [*s, 'month', 'level', 'state_code']}),
        'result_lagging': (lagging, [*s, 'month', 'station_code'], {
            'ix_result_lagging_scope': [*s, 'month', 'state_code', 'district_code']}),
        'result_stakes': (stakes, [*s, 'month', 'station_code', 'parameter'], {
            'ix_result_stakes_scope': [*s, 'month', 'state_code']}),
    }


def _rebuild(name: str, columns: list[sa.Column], primary_key: list[str], indexes: dict[str, list[str]],
             old_indexes: list[str], add_scheme: bool, suffix: str, extra: Sequence[sa.Constraint] = ()) -> None:
    """Rename `name`, create it anew, copy its rows (scheme 'cctns' when added, rows of other schemes
    dropped when taken away), drop the old one."""
    for ix in old_indexes:
        op.drop_index(ix, table_name=name)
    op.rename_table(name, f'{name}_old')
    cols = [c.name for c in columns]
    new_cols = ([_scheme()] if add_scheme else []) + columns
    op.create_table(name, *new_cols, sa.PrimaryKeyConstraint(*primary_key, name=f'pk_{name}_{suffix}'), *extra)
    listed = ', '.join(cols)
    where = '' if add_scheme else " WHERE scheme = 'cctns'"
    op.execute(f'INSERT INTO {name} ({listed}) SELECT {listed} FROM {name}_old{where}')
    op.drop_table(f'{name}_old')
    for ix, ix_cols in indexes.items():
        op.create_index(ix, name, ix_cols, unique=False)


def _methodology_tables(with_scheme: bool, suffix: str) -> None:
    """Rebuild methodology_versions (with or without `scheme` and `provenance`; effective_from unique per
    scheme or overall) and methodology_parameters, which refers to it (the child is dropped first)."""
    op.rename_table('methodology_parameters', 'methodology_parameters_old')
    op.rename_table('methodology_versions', 'methodology_versions_old')
    extra = [_scheme(), sa.Column('provenance', sa.Text(), nullable=False, server_default='')] if with_scheme else []
    unique = (sa.UniqueConstraint('scheme', 'effective_from', name=f'uq_methodology_versions_scheme_from_{suffix}')
              if with_scheme else sa.UniqueConstraint('effective_from', name=f'uq_methodology_versions_from_{suffix}'))
    op.create_table(
        'methodology_versions',
        sa.Column('id', sa.String(length=60), nullable=False),
        *extra,
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('effective_from', sa.String(length=7), nullable=False),
        sa.Column('lagging_score_below', sa.Float(), nullable=False),
        sa.Column('critical_achievement_below', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=f'pk_methodology_versions_{suffix}'),
        unique,
    )
    op.create_table(
        'methodology_parameters',
        sa.Column('version_id', sa.String(length=60), nullable=False),
        sa.Column('id', sa.String(length=60), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('head', sa.String(length=80), nullable=False),
        sa.Column('level', sa.String(length=10), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('numerator', sa.Text(), nullable=False),
        sa.Column('denominator', sa.Text(), nullable=False),
        sa.Column('weight', sa.String(length=30), nullable=False),
        sa.Column('target', sa.String(length=30), nullable=False),
        sa.Column('critical', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['version_id'], ['methodology_versions.id'],
                                name=f'fk_methodology_parameters_version_{suffix}'),
        sa.PrimaryKeyConstraint('version_id', 'id', name=f'pk_methodology_parameters_{suffix}'),
    )
    cols = 'id, title, effective_from, lagging_score_below, critical_achievement_below'
    op.execute(f'INSERT INTO methodology_versions ({cols}) SELECT {cols} FROM methodology_versions_old')
    op.execute('INSERT INTO methodology_parameters SELECT * FROM methodology_parameters_old')
    op.drop_table('methodology_parameters_old')
    op.drop_table('methodology_versions_old')


def upgrade() -> None:
    """Upgrade schema."""
    for name, (columns, pk, indexes) in _result_tables(with_scheme=True).items():
        old = list(_result_tables(with_scheme=False)[name][2])
        _rebuild(name, columns, pk, indexes, old, add_scheme=True, suffix='s')

    _methodology_tables(with_scheme=True, suffix='s')

    with op.batch_alter_table('methodology_source') as batch:
        batch.add_column(sa.Column('scheme', sa.String(length=20), nullable=False, server_default='cctns'))
        batch.create_unique_constraint('uq_methodology_source_scheme', ['scheme'])

    op.create_table(
        'published_results',
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('scheme', sa.String(length=20), nullable=False),
        sa.Column('state_code', sa.String(length=8), nullable=False),
        sa.Column('score_centi', sa.Integer(), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=True),
        sa.Column('category_rank', sa.Integer(), nullable=True),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('month', 'scheme', 'state_code', name='pk_published_results'),
    )
    op.create_index('ix_published_results_scheme', 'published_results', ['scheme', 'state_code', 'month'])


def downgrade() -> None:
    """Downgrade schema (keeps CCTNS's results and methodology only)."""
    op.drop_index('ix_published_results_scheme', table_name='published_results')
    op.drop_table('published_results')
    op.execute("DELETE FROM methodology_source WHERE scheme <> 'cctns'")
    with op.batch_alter_table('methodology_source') as batch:
        batch.drop_constraint('uq_methodology_source_scheme', type_='unique')
        batch.drop_column('scheme')
    op.execute("DELETE FROM methodology_parameters WHERE version_id IN "
               "(SELECT id FROM methodology_versions WHERE scheme <> 'cctns')")
    op.execute("DELETE FROM methodology_versions WHERE scheme <> 'cctns'")
    _methodology_tables(with_scheme=False, suffix='d')
    for name, (columns, pk, indexes) in _result_tables(with_scheme=False).items():
        new = list(_result_tables(with_scheme=True)[name][2])
        _rebuild(name, columns, pk, indexes, new, add_scheme=False, suffix='d')
