"""import_replaced.batch_id without a foreign key on PostgreSQL: a national month's full re-import writes
~220,000 replaced rows, and PostgreSQL checked the key row by row (a trigger call per row: about 40 % of
the re-import, measured by EXPLAIN ANALYZE). The rows are written only by the importer, in the same
transaction as their batch, and batches are never deleted (a revert marks them), so nothing can point
nowhere. SQLite keeps its constraint (checked in-process, a primary-key lookup per row).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 06:30:00

"""
from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = 'import_replaced_batch_id_fkey'  # PostgreSQL's name for the unnamed constraint of 0001


def upgrade() -> None:
    """Upgrade schema."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'ALTER TABLE import_replaced DROP CONSTRAINT IF EXISTS {FK}')


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == 'postgresql':
        op.create_foreign_key(FK, 'import_replaced', 'import_batches', ['batch_id'], ['id'])
