"""qualification state, terminal notices and lapsed-history links on CR entries; how a file's encoding was decided

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cr_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('qualification', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('qualification_validity', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('notice', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('history_of', sa.Integer(), nullable=True))
    with op.batch_alter_table('face_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('encoding_basis', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('face_files', schema=None) as batch_op:
        batch_op.drop_column('encoding_basis')
    with op.batch_alter_table('cr_entries', schema=None) as batch_op:
        batch_op.drop_column('history_of')
        batch_op.drop_column('notice')
        batch_op.drop_column('qualification_validity')
        batch_op.drop_column('qualification')
