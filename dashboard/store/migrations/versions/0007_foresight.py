"""looking ahead: next month's projected ranks, their backtest, the data-to-verify flags and their reviews

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 06:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('projections',
    sa.Column('scheme', sa.String(length=16), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('state_code', sa.String(length=8), nullable=False),
    sa.Column('rank_now', sa.Integer(), nullable=False),
    sa.Column('score_now', sa.Float(), nullable=False),
    sa.Column('p_first', sa.Float(), nullable=False),
    sa.Column('p_top5', sa.Float(), nullable=False),
    sa.Column('p_improve', sa.Float(), nullable=False),
    sa.Column('rank_low', sa.Integer(), nullable=False),
    sa.Column('rank_high', sa.Integer(), nullable=False),
    sa.Column('rank_median', sa.Integer(), nullable=False),
    sa.Column('score_median', sa.Float(), nullable=False),
    sa.Column('score_low', sa.Float(), nullable=False),
    sa.Column('score_high', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('scheme', 'month', 'state_code')
    )
    op.create_table('projection_backtests',
    sa.Column('scheme', sa.String(length=16), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('months_checked', sa.Text(), nullable=False),
    sa.Column('checks', sa.Integer(), nullable=False),
    sa.Column('coverage', sa.Float(), nullable=True),
    sa.Column('mae_model', sa.Float(), nullable=True),
    sa.Column('mae_carry', sa.Float(), nullable=True),
    sa.Column('brier_model', sa.Float(), nullable=True),
    sa.Column('brier_carry', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('scheme', 'month')
    )
    op.create_table('data_flags',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('rule', sa.String(length=20), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('unit_code', sa.String(length=24), nullable=False),
    sa.Column('state_code', sa.String(length=8), nullable=False),
    sa.Column('district_code', sa.String(length=16), nullable=True),
    sa.Column('parameter', sa.String(length=60), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('evidence_key', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('month', 'rule', 'level', 'unit_code', 'parameter', name='uq_data_flags_unit')
    )
    with op.batch_alter_table('data_flags', schema=None) as batch_op:
        batch_op.create_index('ix_data_flags_scope', ['month', 'state_code', 'district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_flags_evidence_key'), ['evidence_key'], unique=False)
    op.create_table('flag_reviews',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('evidence_key', sa.String(length=32), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('rule', sa.String(length=20), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('unit_code', sa.String(length=24), nullable=False),
    sa.Column('state_code', sa.String(length=8), nullable=False),
    sa.Column('district_code', sa.String(length=16), nullable=True),
    sa.Column('parameter', sa.String(length=60), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.String(length=80), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('flag_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flag_reviews_evidence_key'), ['evidence_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_flag_reviews_state_code'), ['state_code'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('flag_reviews')
    op.drop_table('data_flags')
    op.drop_table('projection_backtests')
    op.drop_table('projections')
