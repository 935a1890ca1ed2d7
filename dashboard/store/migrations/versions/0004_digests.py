"""digests by e-mail: the user's address, language and digest choices, and the send log

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 01:10:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en', nullable=False))
        batch_op.add_column(sa.Column('digest_monthly', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('digest_reminder', sa.Boolean(), server_default=sa.true(), nullable=False))

    op.create_table('digest_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'month', 'kind', name='uq_digest_log_user_month_kind')
    )
    with op.batch_alter_table('digest_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digest_log_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_digest_log_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('digest_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digest_log_user_id'))
        batch_op.drop_index(batch_op.f('ix_digest_log_month'))

    op.drop_table('digest_log')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('digest_reminder')
        batch_op.drop_column('digest_monthly')
        batch_op.drop_column('language')
        batch_op.drop_column('email')
