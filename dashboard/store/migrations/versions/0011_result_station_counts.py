"""result_station_counts: each active station's counts per station parameter of a month (after rule 3),
one row per district, written by the recomputation (issue 15: the district heat-map and the station page
score them instead of reading and rescoring the station rows on each click). Months recomputed before this
table existed have no rows: the pages then score the rows on demand as before, until the month is next
recomputed.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 16:20:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0011'
down_revision: str | Sequence[str] | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'result_station_counts',
        sa.Column('scheme', sa.String(length=20), server_default='cctns', nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('district_code', sa.String(length=16), nullable=False),
        sa.Column('version_id', sa.String(length=60), nullable=False),
        sa.Column('station_codes', sa.Text(), nullable=False),
        sa.Column('payload', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('scheme', 'month', 'district_code'),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('result_station_counts')
