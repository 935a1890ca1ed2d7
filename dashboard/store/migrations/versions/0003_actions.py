"""the review loop: actions and their comments

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 00:40:20.462154

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('actions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('unit_code', sa.String(length=24), nullable=False),
    sa.Column('state_code', sa.String(length=8), nullable=False),
    sa.Column('district_code', sa.String(length=16), nullable=True),
    sa.Column('parameter', sa.String(length=60), nullable=True),
    sa.Column('basis_month', sa.String(length=7), nullable=False),
    sa.Column('gap_numerator', sa.Integer(), nullable=True),
    sa.Column('gap_denominator', sa.Integer(), nullable=True),
    sa.Column('gap_value', sa.Float(), nullable=True),
    sa.Column('gap_target', sa.Float(), nullable=True),
    sa.Column('gap_needed', sa.Integer(), nullable=True),
    sa.Column('gap_at_stake', sa.Float(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('owner_kind', sa.String(length=10), nullable=False),
    sa.Column('owner_user', sa.String(length=80), nullable=True),
    sa.Column('assigned_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('review_date', sa.String(length=10), nullable=False),
    sa.Column('forum', sa.String(length=20), nullable=False),
    sa.Column('due_month', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('escalated_by_data', sa.Boolean(), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('outcome_month', sa.String(length=7), nullable=True),
    sa.Column('current_due_month', sa.String(length=7), nullable=False),
    sa.Column('carry_cycles', sa.Integer(), nullable=False),
    sa.Column('now_numerator', sa.Integer(), nullable=True),
    sa.Column('now_denominator', sa.Integer(), nullable=True),
    sa.Column('now_value', sa.Float(), nullable=True),
    sa.Column('now_at_stake', sa.Float(), nullable=True),
    sa.Column('evaluated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_district_code'), ['district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_due_month'), ['due_month'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_state_code'), ['state_code'], unique=False)

    op.create_table('action_comments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('author', sa.String(length=80), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('action_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_comments_action_id'), ['action_id'], unique=False)



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('action_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_comments_action_id'))

    op.drop_table('action_comments')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_state_code'))
        batch_op.drop_index(batch_op.f('ix_actions_due_month'))
        batch_op.drop_index(batch_op.f('ix_actions_district_code'))

    op.drop_table('actions')
