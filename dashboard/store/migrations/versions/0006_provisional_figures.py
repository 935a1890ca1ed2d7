"""provisional figures of the month being collected (issue 14): snapshots per State x month, their rows and
results, in tables of their own so that no read of the final tables can ever see them; import_batches.provisional

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 05:40:38.090828

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('provisional_snapshots',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('state_code', sa.String(length=8), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('ended_by_batch', sa.Integer(), nullable=True),
    sa.Column('station_rows', sa.Integer(), nullable=False),
    sa.Column('state_rows', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('provisional_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provisional_snapshots_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_provisional_snapshots_month', ['month', 'state_code', 'status'], unique=False)

    op.create_table('provisional_lagging',
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('station_code', sa.String(length=24), nullable=False),
    sa.Column('district_code', sa.String(length=16), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('not_reported', sa.Boolean(), nullable=False),
    sa.Column('low_score', sa.Boolean(), nullable=False),
    sa.Column('critical_parameters', sa.Text(), nullable=False),
    sa.Column('at_stake_state', sa.Float(), nullable=False),
    sa.Column('at_stake_district', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['provisional_snapshots.id'], ),
    sa.PrimaryKeyConstraint('snapshot_id', 'station_code')
    )
    op.create_table('provisional_params',
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
    sa.ForeignKeyConstraint(['snapshot_id'], ['provisional_snapshots.id'], ),
    sa.PrimaryKeyConstraint('snapshot_id', 'level', 'unit_code', 'parameter')
    )
    op.create_table('provisional_stakes',
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('station_code', sa.String(length=24), nullable=False),
    sa.Column('parameter', sa.String(length=60), nullable=False),
    sa.Column('district_code', sa.String(length=16), nullable=False),
    sa.Column('numerator', sa.Integer(), nullable=False),
    sa.Column('denominator', sa.Integer(), nullable=False),
    sa.Column('numerator_needed', sa.Integer(), nullable=False),
    sa.Column('at_stake_state', sa.Float(), nullable=False),
    sa.Column('at_stake_district', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['provisional_snapshots.id'], ),
    sa.PrimaryKeyConstraint('snapshot_id', 'station_code', 'parameter')
    )
    op.create_table('provisional_state_rows',
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('state_code', sa.String(length=8), nullable=False),
    sa.Column('parameter', sa.String(length=60), nullable=False),
    sa.Column('numerator', sa.Integer(), nullable=False),
    sa.Column('denominator', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['provisional_snapshots.id'], ),
    sa.PrimaryKeyConstraint('snapshot_id', 'state_code', 'parameter')
    )
    op.create_table('provisional_station_rows',
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('station_code', sa.String(length=24), nullable=False),
    sa.Column('parameter', sa.String(length=60), nullable=False),
    sa.Column('numerator', sa.Integer(), nullable=False),
    sa.Column('denominator', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['provisional_snapshots.id'], ),
    sa.PrimaryKeyConstraint('snapshot_id', 'station_code', 'parameter')
    )
    op.create_table('provisional_units',
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
    sa.ForeignKeyConstraint(['snapshot_id'], ['provisional_snapshots.id'], ),
    sa.PrimaryKeyConstraint('snapshot_id', 'level', 'unit_code')
    )
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provisional', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_column('provisional')

    op.drop_table('provisional_units')
    op.drop_table('provisional_station_rows')
    op.drop_table('provisional_state_rows')
    op.drop_table('provisional_stakes')
    op.drop_table('provisional_params')
    op.drop_table('provisional_lagging')
    with op.batch_alter_table('provisional_snapshots', schema=None) as batch_op:
        batch_op.drop_index('ix_provisional_snapshots_month')
        batch_op.drop_index(batch_op.f('ix_provisional_snapshots_batch_id'))

    op.drop_table('provisional_snapshots')
