"""staff alerts name the patient when the kiosk knows who it is (係員を呼ぶ, counter, card left on the reader)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff_alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('patient_id', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('staff_alerts', schema=None) as batch_op:
        batch_op.drop_column('patient_id')
