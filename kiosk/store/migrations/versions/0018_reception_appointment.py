"""予約受付: a reception carries the appointment it was checked in against, and the appointment's physician

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 17:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('receptions') as batch:
        batch.add_column(sa.Column('appointment_id', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('physician_code', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('receptions') as batch:
        batch.drop_column('physician_code')
        batch.drop_column('appointment_id')
